"""Workflow services: four eyes, stale approvals, notifications, comments, versioned publications."""

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from editorial import services
from editorial.models import Publication
from editorial.permissions import WorkflowError
from editorial.publishing.selectors import current_publication
from factsheets.models import Section, State
from tests import factories
from tests.editorial.conftest import footprint

pytestmark = pytest.mark.django_db


def test_four_eyes_the_last_editor_cannot_approve_even_as_editor(users, factsheet):
    editor = users["editor"]
    factsheet.updated_by = editor
    factsheet.save(update_fields=["updated_by"])
    services.revision_record(factsheet=factsheet, by=editor)
    services.factsheet_submit(factsheet=factsheet, by=editor)
    before = footprint(factsheet)
    for action in ("approve", "request_changes"):
        with pytest.raises(WorkflowError, match="four eyes"):
            services.factsheet_transition(factsheet=factsheet, by=editor, action=action, comment="Fine by me.")
    assert footprint(factsheet) == before
    services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])
    factsheet.refresh_from_db()
    assert factsheet.state == State.APPROVED


def test_four_eyes_the_submitter_cannot_approve_even_as_superuser(users, factsheet, walk_to):
    walk_to(factsheet, State.DRAFT)
    root = users["superuser"]
    services.factsheet_submit(factsheet=factsheet, by=root)
    with pytest.raises(WorkflowError):
        services.factsheet_approve(factsheet=factsheet, by=root)
    services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])


def test_an_edit_after_approval_sends_the_factsheet_back_to_draft(users, factsheet, walk_to):
    walk_to(factsheet, State.APPROVED)
    approved_revisions = factsheet.revisions.count()
    factsheet.introduction = "<p>A late change.</p>"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"], reason="Import")
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    assert factsheet.revisions.count() == approved_revisions + 1
    assert factsheet.audit_entries.filter(action="edited", from_state="approved", to_state="draft").exists()
    with pytest.raises(WorkflowError):
        services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert not Publication.objects.exists()


def test_publish_refuses_content_changed_behind_the_approvals_back(users, factsheet, walk_to):
    walk_to(factsheet, State.APPROVED)
    revisions = factsheet.revisions.count()
    category = factsheet.policies.get().objectives.get()
    category.label = "Innovation (renamed)"
    category.save()
    with pytest.raises(WorkflowError, match="changed after the approval"):
        services.publish_job_request(factsheet=factsheet, by=users["editor"])
    factsheet.refresh_from_db()
    assert not factsheet.publications.exists()
    assert factsheet.state == State.DRAFT  # not stuck in "approved": it needs a new review
    assert factsheet.revisions.count() == revisions + 1
    assert factsheet.revisions.first().snapshot["policies"][0]["objectives"] == ["Innovation (renamed)"]


def test_unchanged_saves_record_no_new_revision(users, factsheet):
    first = services.revision_record(factsheet=factsheet, by=users["analyst"])
    assert first.number == 1
    assert services.revision_record(factsheet=factsheet, by=users["analyst"]) is None
    factsheet.policies.get().objectives.clear()
    second = services.revision_record(factsheet=factsheet, by=users["analyst"])
    assert second.number == 2 and second.snapshot["policies"][0]["objectives"] == []
    assert first.snapshot["policies"][0]["objectives"] == ["Innovation"]


def test_reviewers_are_mailed_on_submit_and_the_author_on_decisions(
    users, factsheet, walk_to, mailoutbox, django_capture_on_commit_callbacks
):
    walk_to(factsheet, State.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.factsheet_submit(factsheet=factsheet, by=users["analyst"], comment="Ready.")
    assert [m.to for m in mailoutbox] == [[users["reviewer"].email]]
    assert "awaits review" in mailoutbox[0].subject and "Ready." in mailoutbox[0].body
    assert entry.notified == users["reviewer"].email
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="Cite the law.")
    assert mailoutbox[1].to == [users["analyst"].email]
    assert "Changes requested" in mailoutbox[1].subject and "Cite the law." in mailoutbox[1].body


def test_no_mail_leaves_when_the_transition_fails(users, factsheet, walk_to, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    walk_to(factsheet, State.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="   ")
    assert mailoutbox == []


def test_review_comments_attach_to_a_section_or_policy_of_the_factsheet(users, factsheet, walk_to):
    walk_to(factsheet, State.IN_REVIEW)
    section = Section.objects.get(edition=factsheet.edition)
    policy = factsheet.policies.get()
    comment = services.review_comment_add(factsheet=factsheet, by=users["reviewer"], text="Source?", policy=policy)
    assert comment.about == "Policy “Cluster programme”"
    entry = services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="Shorten it.",
                                               section=section)
    assert entry.review_comment.section == section
    other = factories.FactsheetFactory(edition=factsheet.edition, country__code="PT")
    foreign = factories.PolicyFactory(factsheet=other)
    with pytest.raises(WorkflowError, match="another factsheet"):
        services.review_comment_add(factsheet=factsheet, by=users["reviewer"], text="Hm", policy=foreign)
    with pytest.raises(PermissionDenied):
        services.review_comment_add(factsheet=factsheet, by=users["nobody"], text="Hello")


def test_versioned_publications_keep_earlier_versions(users, factsheet, walk_to):
    walk_to(factsheet, State.PUBLISHED)
    first = Publication.objects.get(factsheet=factsheet)
    assert first.number == 1 and first.revision.number == factsheet.revisions.count()
    assert PdfReader(first.pdf.open("rb")).pages

    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    assert current_publication(factsheet=factsheet) == first  # stays public while the new draft is worked on
    factsheet.introduction = "<p>Corrected introduction.</p>"
    factsheet.correction_note = "Corrects the introduction."
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])
    second = services.publish_job_request(factsheet=factsheet, by=users["editor"]).publication

    assert second.number == 2 and second.published_at >= first.published_at
    assert current_publication(factsheet=factsheet) == second
    first.refresh_from_db()
    assert first.pdf.open("rb").read(5) == b"%PDF-"
    assert first.pdf_sha256 != second.pdf_sha256
    assert "Corrected" in second.revision.snapshot["factsheet"]["introduction"]
    assert "Corrected" not in first.revision.snapshot["factsheet"]["introduction"]

    services.factsheet_withdraw(factsheet=factsheet, by=users["editor"], comment="Outdated.")
    assert current_publication(factsheet=factsheet) is None
    assert Publication.objects.filter(factsheet=factsheet, withdrawn_at__isnull=False).count() == 2
