"""The workflow's decisions (submit, request changes, approve, start a new draft), withdrawing a live version, and
review comments. Each decision is atomic, checked by editorial.permissions against the state table in
editorial.workflow, and leaves an audit entry. Publishing is in editorial.publishing."""

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from editorial import notifications
from editorial.audit import audit_record, author_id, factsheet_lock, state_set
from editorial.completeness import IncompleteFactsheet, edition_rules, snapshot_missing
from editorial.models import AuditEntry, CarryForwardIssue, Publication, ReviewComment, Revision
from editorial.permissions import WorkflowError, ensure_can
from editorial.publishing import summaries
from editorial.publishing.jobs import publications_announce
from editorial.revisions import revision_store
from editorial.selectors import latest_revision
from editorial.snapshots import factsheet_snapshot
from editorial.workflow import TRANSITIONS, WITHDRAW_MOVES
from factsheets.models import Factsheet, Policy, Section, State
from factsheets.selectors import factsheet_footnote_problems

COMMENT_REQUIRED = {
    "request_changes": "Say what needs to change: a comment is required to request changes.",
    "withdraw": "Give the reason for withdrawing: it is recorded in the factsheet's history.",
}


def transition_begin(*, factsheet: Factsheet, by, action: str, comment: str) -> tuple[Factsheet, str, str]:
    fs = factsheet_lock(factsheet)
    ensure_can(by, action, fs)
    transition = TRANSITIONS[action]
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise WorkflowError(COMMENT_REQUIRED.get(action, "A comment is required for this action."))
    if transition.printable:
        blocking = [p for p in factsheet_footnote_problems(factsheet=fs) if p.blocking]
        if blocking:
            raise WorkflowError(f"“{transition.label}” is not possible until the footnote calls print: "
                                + " ".join(str(p) for p in blocking))
    if transition.complete:
        completeness_check(fs, label=transition.label)
    return fs, fs.state, comment


def completeness_check(fs: Factsheet, *, label: str) -> None:
    """Refuse (IncompleteFactsheet) unless the working copy holds every part its edition requires and, for a new
    version of a published factsheet, its public note."""
    missing = snapshot_missing(factsheet_snapshot(factsheet=fs), edition_rules(edition=fs.edition_id),
                               needs_note=Publication.objects.released().filter(factsheet=fs).exists())
    if missing:
        raise IncompleteFactsheet(label, missing, link=reverse("admin:factsheets_factsheet_change", args=[fs.pk]))


def _current_revision_checked(fs: Factsheet) -> Revision:
    revision = latest_revision(factsheet=fs)
    if revision is None or revision.snapshot != factsheet_snapshot(factsheet=fs):
        raise WorkflowError("The content changed since it was submitted; it must be submitted again.")
    return revision


@transaction.atomic
def factsheet_submit(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    fs, previous, comment = transition_begin(factsheet=factsheet, by=by, action="submit", comment=comment)
    revision, _ = revision_store(fs, by=by, reason="Submitted for review")
    state_set(fs, State.IN_REVIEW)
    notified = notifications.reviewers_notify(factsheet=fs, by=by, comment=comment)
    return audit_record(factsheet=fs, by=by, action="submit", from_state=previous, to_state=State.IN_REVIEW,
                  comment=comment, revision=revision, notified=notified)


@transaction.atomic
def factsheet_request_changes(*, factsheet: Factsheet, by, comment: str, section: Section | None = None,
                              policy: Policy | None = None) -> AuditEntry:
    fs, previous, comment = transition_begin(factsheet=factsheet, by=by, action="request_changes", comment=comment)
    anchor_check(fs, section=section, policy=policy)
    revision = _current_revision_checked(fs)
    state_set(fs, State.CHANGES_REQUESTED)
    notified = notifications.author_notify(factsheet=fs, author_id=author_id(fs), by=by,
                                           decision="Changes requested", comment=comment)
    entry = audit_record(factsheet=fs, by=by, action="request_changes", from_state=previous,
                   to_state=State.CHANGES_REQUESTED, comment=comment, revision=revision, notified=notified)
    ReviewComment.objects.create(factsheet=fs, author=by, text=comment, section=section, policy=policy,
                                 policy_name=policy.name if policy else "", audit_entry=entry)
    return entry


@transaction.atomic
def factsheet_approve(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    fs, previous, comment = transition_begin(factsheet=factsheet, by=by, action="approve", comment=comment)
    revision = _current_revision_checked(fs)
    state_set(fs, State.APPROVED)
    notified = notifications.author_notify(factsheet=fs, author_id=author_id(fs), by=by, decision="Approved",
                                           comment=comment)
    notified += notifications.editors_notify_approved(factsheet=fs, by=by)
    entry = audit_record(factsheet=fs, by=by, action="approve", from_state=previous, to_state=State.APPROVED,
                         comment=comment, revision=revision, notified=notified)
    from editorial.publishing.releases import release_prepare_on_approval  # publishing builds on transitions

    release_prepare_on_approval(factsheet=fs)
    return entry


@transaction.atomic
def factsheet_withdraw(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    """Take the factsheet's live versions off the public pages, whatever state its working copy is in (an action on
    its publications, not a transition of the working copy: editorial.workflow.PUBLICATION_ACTIONS). A working copy
    that is the published version is withdrawn with it; a new draft (in review, approved) stays as it is."""
    fs = factsheet_lock(factsheet)
    ensure_can(by, "withdraw", fs)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(COMMENT_REQUIRED["withdraw"])
    live = list(Publication.objects.live().filter(factsheet=fs).select_related("revision").order_by("-number"))
    Publication.objects.filter(pk__in=[p.pk for p in live]).update(withdrawn_at=timezone.now())
    previous = fs.state
    target = WITHDRAW_MOVES.get(previous, previous)
    state_set(fs, target)
    summaries.summary_ensure(edition=fs.edition)  # the summary without it, before anyone can read one with it
    publications_announce(publications=live, reason="withdraw")
    notified = notifications.author_notify(factsheet=fs, author_id=author_id(fs), by=by, decision="Withdrawn",
                                           comment=comment)
    return audit_record(factsheet=fs, by=by, action="withdraw", from_state=previous, to_state=target,
                        comment=comment, revision=live[0].revision or latest_revision(factsheet=fs),
                        notified=notified)


@transaction.atomic
def factsheet_start_new_draft(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    """Open a published (or withdrawn) factsheet for editing; its publications stay as they are."""
    fs, previous, comment = transition_begin(factsheet=factsheet, by=by, action="start_new_draft", comment=comment)
    state_set(fs, State.DRAFT)
    Factsheet.objects.filter(pk=fs.pk).update(lock_version=F("lock_version") + 1, analyst_may_reopen=False)
    if fs.correction_note:  # the note told readers what the last version changed: the next one needs its own
        Factsheet.objects.filter(pk=fs.pk).update(correction_note="")
        fs.correction_note = ""
        revision_store(fs, by=by, reason="New draft: the public note of the published version is cleared")
    return audit_record(factsheet=fs, by=by, action="start_new_draft", from_state=previous, to_state=State.DRAFT,
                  comment=comment, revision=latest_revision(factsheet=fs))


def anchor_check(fs: Factsheet, *, section: Section | None, policy: Policy | None) -> None:
    if section is not None and section.edition_id != fs.edition_id:
        raise WorkflowError("That section belongs to another edition.")
    if policy is not None and policy.factsheet_id != fs.pk:
        raise WorkflowError("That policy belongs to another factsheet.")


@transaction.atomic
def review_comment_add(*, factsheet: Factsheet, by, text: str, section: Section | None = None,
                       policy: Policy | None = None) -> ReviewComment:
    fs = factsheet_lock(factsheet)
    ensure_can(by, "comment", fs)
    text = (text or "").strip()
    if not text:
        raise WorkflowError("Write the comment first.")
    anchor_check(fs, section=section, policy=policy)
    return ReviewComment.objects.create(factsheet=fs, author=by, text=text, section=section, policy=policy,
                                        policy_name=policy.name if policy else "")


@transaction.atomic
def review_comment_resolve(*, comment: ReviewComment, by, resolved: bool = True) -> ReviewComment:
    """Mark a review comment resolved (or open again); whoever may edit the factsheet may do it."""
    comment = ReviewComment.objects.select_for_update(of=("self",)).select_related("factsheet").get(pk=comment.pk)
    ensure_can(by, "resolve_comment", comment.factsheet)
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


@transaction.atomic
def carry_forward_issue_handle(*, issue: CarryForwardIssue, by, handled: bool = True) -> CarryForwardIssue:
    issue = CarryForwardIssue.objects.select_for_update(of=("self",)).select_related("factsheet").get(pk=issue.pk)
    ensure_can(by, "edit", issue.factsheet)
    issue.handled_at = timezone.now() if handled else None
    issue.handled_by = by if handled else None
    issue.save(update_fields=["handled_at", "handled_by"])
    return issue

