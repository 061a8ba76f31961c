"""Four eyes over everything since the last published version (issue 11.5), with authors who hold review
permission and an inactive user, through the services and through the admin (issue 11.15)."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from editorial import permissions, services
from editorial.permissions import WorkflowError
from factsheets.models import Category, State
from tests.editorial.conftest import footprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


def _edit(factsheet, user, text):
    factsheet.introduction = text
    factsheet.updated_by = user
    factsheet.save(update_fields=["introduction", "updated_by"])
    services.revision_record(factsheet=factsheet, by=user)


def _editor_wrote_then_analyst_touched(users, factsheet):
    _edit(factsheet, users["editor"], "<p>The editor's own text.</p>")
    _edit(factsheet, users["analyst"], "<p>The editor's own text!</p>")
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    factsheet.refresh_from_db()


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_an_editor_cannot_review_their_own_text_after_an_analyst_touched_it(users, factsheet, action):
    _editor_wrote_then_analyst_touched(users, factsheet)
    before = footprint(factsheet)
    assert not permissions.can(users["editor"], action, factsheet)
    with pytest.raises(WorkflowError, match="changes you made or submitted since its last published version"):
        services.factsheet_transition(factsheet=factsheet, by=users["editor"], action=action, comment="Fine.")
    assert footprint(factsheet) == before
    services.factsheet_transition(factsheet=factsheet, by=users["reviewer"], action=action, comment="Fine.")


def test_the_last_editor_alone_may_not_review(users, factsheet):
    """Rule: the factsheet's last editor is one of its authors even without a revision of their own (e.g. a save
    that changed nothing recorded, or a change outside the revisions)."""
    _edit(factsheet, users["analyst"], "<p>The analyst's text.</p>")
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    type(factsheet).objects.filter(pk=factsheet.pk).update(updated_by=users["reviewer"])
    factsheet.refresh_from_db()
    assert users["reviewer"].pk not in set(factsheet.revisions.values_list("created_by", flat=True))
    assert not permissions.can(users["reviewer"], "approve", factsheet)
    with pytest.raises(WorkflowError, match="four eyes|changes you made"):
        services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_the_admin_refuses_it_too_and_offers_no_button(users, factsheet, client, action):
    _editor_wrote_then_analyst_touched(users, factsheet)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    page = client.get(url).content.decode()
    assert f'value="{action}"' not in page
    before = footprint(factsheet)
    response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk]),
                           {"action": action, "comment": "Looks fine."})
    assert response.status_code == 302
    assert any("four eyes" in str(m) for m in get_messages(response.wsgi_request))
    assert footprint(factsheet) == before


def test_changes_already_published_no_longer_bind_their_author(users, factsheet, walk_to):
    _edit(factsheet, users["editor"], "<p>Written by the editor, reviewed and published.</p>")
    walk_to(factsheet, State.PUBLISHED)
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.refresh_from_db()
    factsheet.correction_note = "Rewrites the introduction."
    factsheet.save(update_fields=["correction_note"])
    _edit(factsheet, users["analyst"], "<p>A new draft by the analyst.</p>")
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    factsheet.refresh_from_db()
    assert permissions.can(users["editor"], "approve", factsheet)


def test_a_category_merge_makes_the_merger_an_author(users, factsheet, walk_to):
    walk_to(factsheet, State.APPROVED)
    source = Category.objects.get(edition=factsheet.edition, label="Innovation")
    target = Category.objects.get(edition=factsheet.edition, label="Internationalisation")
    services.category_merge(source=source, target=target, by=users["editor"])
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    factsheet.refresh_from_db()
    with pytest.raises(WorkflowError, match="four eyes"):
        services.factsheet_approve(factsheet=factsheet, by=users["editor"])
    services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])


@pytest.mark.parametrize("action", ["submit", "request_changes", "approve", "publish", "withdraw",
                                    "start_new_draft"])
def test_an_inactive_user_can_do_nothing(users, factsheet, walk_to, client, action):
    state = {"submit": State.DRAFT, "request_changes": State.IN_REVIEW, "approve": State.IN_REVIEW,
             "publish": State.APPROVED, "withdraw": State.PUBLISHED, "start_new_draft": State.PUBLISHED}[action]
    walk_to(factsheet, state)
    editor = users["editor"]
    editor.is_active = False
    editor.save()
    before = footprint(factsheet)
    with pytest.raises(PermissionDenied):
        services.factsheet_transition(factsheet=factsheet, by=editor, action=action, comment="Inactive.")
    client.post(reverse("admin:login"), {"username": editor.username, "password": "password"})
    assert "_auth_user_id" not in client.session  # an inactive user cannot sign in
    client.force_login(editor)  # a session that outlived the deactivation
    response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk]),
                           {"action": action, "comment": "Inactive."})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert footprint(factsheet) == before
