"""Withdraw asks for confirmation and a reason; only editors start a new draft (issue 11.7)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from editorial import permissions, services
from editorial.permissions import WorkflowError
from factsheets.models import State
from tests.editorial.conftest import footprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


def test_withdraw_shows_a_confirmation_page_first_and_needs_a_reason(users, factsheet, walk_to, client):
    walk_to(factsheet, State.PUBLISHED)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk])
    before = footprint(factsheet)
    page = client.post(url, {"action": "withdraw", "comment": ""})
    assert page.status_code == 200
    html = page.content.decode()
    assert "takes" in html and "off the public pages" in html and 'name="confirmed" value="yes"' in html
    assert footprint(factsheet) == before
    again = client.post(url, {"action": "withdraw", "comment": "  ", "confirmed": "yes"})
    assert again.status_code == 200 and "Give the reason" in again.content.decode()
    assert footprint(factsheet) == before
    done = client.post(url, {"action": "withdraw", "comment": "Superseded by the 2026 edition.", "confirmed": "yes"})
    assert done.status_code == 302
    factsheet.refresh_from_db()
    assert factsheet.state == State.WITHDRAWN
    assert factsheet.audit_entries.get(action="withdraw").comment == "Superseded by the 2026 edition."


def test_the_withdraw_service_refuses_without_a_reason(users, factsheet, walk_to):
    walk_to(factsheet, State.PUBLISHED)
    with pytest.raises(WorkflowError, match="reason"):
        services.factsheet_withdraw(factsheet=factsheet, by=users["editor"], comment="")


def test_only_editors_start_a_new_draft(users, factsheet, walk_to):
    walk_to(factsheet, State.PUBLISHED)
    assert not permissions.can(users["analyst"], "start_new_draft", factsheet)
    with pytest.raises(PermissionDenied):
        services.factsheet_start_new_draft(factsheet=factsheet, by=users["analyst"])
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
