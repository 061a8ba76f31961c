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


# --- issue 17.10: withdraw acts on the live publication, whatever the working copy's state ---------------------

def _new_draft_under_way(factsheet, users, state):
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.refresh_from_db()
    factsheet.introduction = "<p>The next version, being written.</p>"
    factsheet.correction_note = "Rewrites the introduction."
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    if state in (State.IN_REVIEW, State.APPROVED):
        services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    if state == State.APPROVED:
        factsheet.refresh_from_db()
        services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])
    factsheet.refresh_from_db()
    assert factsheet.state == state
    return factsheet


def test_an_editor_withdraws_the_live_version_while_a_new_draft_is_under_way(users, factsheet, walk_to, client):
    walk_to(factsheet, State.PUBLISHED)
    _new_draft_under_way(factsheet, users, State.DRAFT)
    year, code = factsheet.edition.year, str(factsheet.country.code).lower()
    assert client.get(f"/factsheets/{year}/{code}.pdf").status_code == 200
    client.force_login(users["editor"])
    change = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert 'value="withdraw" class="button workflow-button action-withdraw">Withdraw</button>' in change
    url = reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk])
    before = footprint(factsheet)
    confirm = client.post(url, {"action": "withdraw", "comment": ""})
    assert confirm.status_code == 200 and 'name="confirmed" value="yes"' in confirm.content.decode()
    assert "The draft stays as it is" in confirm.content.decode()
    assert footprint(factsheet) == before
    done = client.post(url, {"action": "withdraw", "comment": "The 2021 budget is wrong.", "confirmed": "yes"})
    assert done.status_code == 302
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT  # the draft stays
    assert factsheet.introduction == "<p>The next version, being written.</p>"
    assert not factsheet.publications.filter(withdrawn_at__isnull=True).exists()
    entry = factsheet.audit_entries.get(action="withdraw")
    assert entry.comment == "The 2021 budget is wrong." and entry.actor == users["editor"]
    assert (entry.from_state, entry.to_state) == (State.DRAFT, State.DRAFT)
    assert client.get(f"/factsheets/{year}/{code}.pdf").status_code == 404
    timeline = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert "The live version was withdrawn; the working copy stays draft." in timeline


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED])
def test_withdraw_acts_on_the_publication_in_any_state_of_the_working_copy(users, factsheet, walk_to, state):
    walk_to(factsheet, State.PUBLISHED)
    _new_draft_under_way(factsheet, users, state)
    services.factsheet_withdraw(factsheet=factsheet, by=users["superuser"], comment="Published in error.")
    factsheet.refresh_from_db()
    assert factsheet.state == state
    assert not factsheet.publications.filter(withdrawn_at__isnull=True).exists()


def test_withdraw_needs_a_live_version_and_the_right_role(users, factsheet, walk_to):
    walk_to(factsheet, State.DRAFT)
    assert not permissions.can(users["editor"], "withdraw", factsheet)
    with pytest.raises(WorkflowError, match="no version of it is public"):
        services.factsheet_withdraw(factsheet=factsheet, by=users["editor"], comment="Nothing to withdraw.")
    walk_to(factsheet, State.PUBLISHED)
    _new_draft_under_way(factsheet, users, State.DRAFT)
    for role in ("analyst", "reviewer"):
        assert not permissions.can(users[role], "withdraw", factsheet)
        with pytest.raises(PermissionDenied):
            services.factsheet_withdraw(factsheet=factsheet, by=users[role], comment="Not mine to do.")
    assert permissions.can(users["editor"], "withdraw", factsheet)
