"""Every role × state × action, through the services and through the admin: allowed ones succeed,
every other one fails and changes nothing."""

import itertools

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from editorial import permissions, services
from editorial.permissions import WorkflowError
from factsheets.models import State
from tests.editorial.conftest import footprint

pytestmark = pytest.mark.django_db

ROLES = ["nobody", "analyst", "reviewer", "editor", "superuser"]
STATES = [s.value for s in State]
ACTIONS = ["submit", "request_changes", "approve", "publish", "withdraw", "start_new_draft"]

# Written out by hand (not derived from editorial.workflow) so that a wrong table fails here.
# The analyst is the author of every factsheet below, so four eyes keep them from reviewing it.
ALLOWED = {
    ("analyst", "draft", "submit"), ("editor", "draft", "submit"), ("superuser", "draft", "submit"),
    ("analyst", "changes_requested", "submit"), ("editor", "changes_requested", "submit"),
    ("superuser", "changes_requested", "submit"),
    ("reviewer", "in_review", "request_changes"), ("editor", "in_review", "request_changes"),
    ("superuser", "in_review", "request_changes"),
    ("reviewer", "in_review", "approve"), ("editor", "in_review", "approve"), ("superuser", "in_review", "approve"),
    ("editor", "approved", "publish"), ("superuser", "approved", "publish"),
    ("editor", "published", "withdraw"), ("superuser", "published", "withdraw"),
    ("editor", "published", "start_new_draft"), ("superuser", "published", "start_new_draft"),
    ("editor", "withdrawn", "start_new_draft"), ("superuser", "withdrawn", "start_new_draft"),
}
TARGET = {"submit": "in_review", "request_changes": "changes_requested", "approve": "approved",
          "publish": "published", "withdraw": "withdrawn", "start_new_draft": "draft"}
CASES = list(itertools.product(ROLES, STATES, ACTIONS))


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """The rendering is not under test here (tests/editorial/test_publications.py renders for real)."""
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test", raising=False)


@pytest.mark.parametrize(("role", "state", "action"), CASES)
def test_through_services(role, state, action, users, factsheet, walk_to):
    walk_to(factsheet, state)
    before = footprint(factsheet)
    call = dict(factsheet=factsheet, by=users[role], action=action, comment="Please look at the budget.")
    if (role, state, action) in ALLOWED:
        assert permissions.can(users[role], action, factsheet)
        services.factsheet_transition(**call)
        factsheet.refresh_from_db()
        assert factsheet.state == TARGET[action]
        assert factsheet.audit_entries.filter(action=action, actor=users[role]).exists()
    else:
        assert not permissions.can(users[role], action, factsheet)
        with pytest.raises((PermissionDenied, WorkflowError)):
            services.factsheet_transition(**call)
        assert footprint(factsheet) == before


@pytest.mark.parametrize(("role", "state", "action"), CASES)
def test_through_admin(role, state, action, users, factsheet, walk_to, client):
    walk_to(factsheet, state)
    before = footprint(factsheet)
    client.force_login(users[role])
    url = reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk])
    response = client.post(url, {"action": action, "comment": "Please look at the budget.", "confirmed": "yes"})
    if (role, state, action) in ALLOWED:
        assert response.status_code == 302
        factsheet.refresh_from_db()
        assert factsheet.state == TARGET[action]
    else:
        if response.status_code == 302:
            levels = [m.level_tag for m in get_messages(response.wsgi_request)]
            assert levels == ["error"]
        else:
            assert response.status_code == 403
        assert footprint(factsheet) == before


@pytest.mark.parametrize(("role", "state"), list(itertools.product(ROLES, STATES)))
def test_change_page_shows_exactly_the_allowed_buttons(role, state, users, factsheet, walk_to, client):
    walk_to(factsheet, state)
    client.force_login(users[role])
    response = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk]))
    if role == "nobody":
        assert response.status_code == 403
        return
    html = response.content.decode()
    labels = {"submit": "Submit for review", "request_changes": "Request changes", "approve": "Approve",
              "publish": "Publish", "withdraw": "Withdraw", "start_new_draft": "Start new draft"}
    for action, label in labels.items():
        button = f'value="{action}" class="button workflow-button action-{action}">{label}</button>'
        assert (button in html) == ((role, state, action) in ALLOWED), (action, label)
