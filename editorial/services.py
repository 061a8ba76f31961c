"""Writes of the editorial workflow: transitions, revisions, revert, comments, optimistic locking."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from editorial import notifications
from editorial.models import AuditEntry, CarryForwardIssue, Publication, PublishJob, ReviewComment, Revision
from editorial.permissions import WorkflowError, ensure_can, has_role_permission
from editorial.publishing import next_number, page_html_render, pdf_discard, pdf_store, publication_create
from editorial.selectors import (
    FACTSHEET_TEXT_FIELDS,
    POLICY_FIELDS,
    POLICY_FK_FIELDS,
    approved_revision,
    batch_jobs,
    factsheet_snapshot,
    latest_revision,
)
from editorial.workflow import EDITABLE_STATES, TRANSITIONS
from factsheets.models import (
    Assessment,
    Category,
    CategoryMerge,
    Factsheet,
    Footnote,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    State,
)
from factsheets.selectors import category_policies, factsheet_footnote_problems
from factsheets.validation import POLICY_CATEGORY_FIELDS, POLICY_M2M_FIELDS

COMMENT_REQUIRED = {
    "request_changes": "Say what needs to change: a comment is required to request changes.",
    "withdraw": "Give the reason for withdrawing: it is recorded in the factsheet's history.",
}


class EditConflict(Exception):
    """Someone else saved the factsheet since this user loaded it."""


def _locked(factsheet: Factsheet) -> Factsheet:
    """The factsheet's row, locked (only that row: not its edition's or country's)."""
    return (Factsheet.objects.select_for_update(of=("self",))
            .select_related("country", "edition", "assigned_analyst", "assigned_reviewer").get(pk=factsheet.pk))


def lock_version_claim(*, factsheet_id: int, loaded_version: int) -> int:
    """Raise the lock version if it is still the one loaded (one conditional UPDATE); else EditConflict."""
    rows = Factsheet.objects.filter(pk=factsheet_id, lock_version=loaded_version).update(
        lock_version=F("lock_version") + 1
    )
    if rows != 1:
        raise EditConflict("The factsheet was saved by someone else since you opened it.")
    return loaded_version + 1


def _audit(*, factsheet: Factsheet, by, action: str, from_state: str, to_state: str, comment: str = "",
           revision: Revision | None = None, notified: list[str] | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        factsheet=factsheet, actor=by, action=action, from_state=from_state, to_state=to_state,
        comment=comment, revision=revision, notified="\n".join(notified or []),
    )


def _set_state(factsheet: Factsheet, state: str) -> None:
    Factsheet.objects.filter(pk=factsheet.pk).update(state=state)
    factsheet.state = state


def _record(factsheet: Factsheet, *, by, reason: str, force: bool = False) -> tuple[Revision, bool]:
    """Store the factsheet's content as a new revision unless it equals the latest one (factsheet locked)."""
    snapshot = factsheet_snapshot(factsheet=factsheet)
    latest = latest_revision(factsheet=factsheet)
    if latest is not None and latest.snapshot == snapshot and not force:
        return latest, False
    revision = Revision.objects.create(
        factsheet=factsheet, number=(latest.number + 1) if latest else 1, created_by=by, reason=reason,
        snapshot=snapshot,
    )
    return revision, True


@transaction.atomic
def revision_record(*, factsheet: Factsheet, by, reason: str = "Edited") -> Revision | None:
    """Record the factsheet's content as a revision if it changed. A change while a decision is pending or taken
    (in review, approved) sends the factsheet back to draft: the approval is stale. A published or withdrawn
    factsheet keeps its state (its PDFs never change); the change waits for its next draft."""
    fs = _locked(factsheet)
    revision, created = _record(fs, by=by, reason=reason)
    if not created:
        return None
    if fs.state in (State.IN_REVIEW, State.APPROVED):
        previous = fs.state
        _set_state(fs, State.DRAFT)
        _audit(factsheet=fs, by=by, action="edited", from_state=previous, to_state=State.DRAFT, revision=revision,
               comment=f"{reason}: the content changed, so the factsheet is back to draft and needs a new review.")
    elif fs.state not in EDITABLE_STATES:
        _audit(factsheet=fs, by=by, action="edited", from_state=fs.state, to_state=fs.state, revision=revision,
               comment=f"{reason}. The published version is unchanged; the change is part of the next draft.")
    factsheet.state = fs.state
    return revision


def edition_changed(*, edition, by, what: str) -> list[Factsheet]:
    """The edition's printed methodology (texts, sections, criteria, levels, topics, vocabularies) changed:
    record a revision of each of its factsheets whose print changes, so pending approvals go stale at once.
    Returns the factsheets sent back to draft."""
    reopened = []
    for factsheet in Factsheet.objects.filter(edition=edition).select_related("country", "edition").order_by("pk"):
        before = factsheet.state
        if revision_record(factsheet=factsheet, by=by, reason=f"Methodology changed: {what}"[:200]) is not None \
                and before != factsheet.state:
            reopened.append(factsheet)
    return reopened


def _transition(*, factsheet: Factsheet, by, action: str, comment: str) -> tuple[Factsheet, str, str]:
    fs = _locked(factsheet)
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
    return fs, fs.state, comment


def _author_id(fs: Factsheet) -> int | None:
    submitter = (AuditEntry.objects.filter(factsheet=fs, action="submit").order_by("-at", "-id")
                 .values_list("actor", flat=True).first())
    return submitter or fs.updated_by_id


def _current_revision_checked(fs: Factsheet) -> Revision:
    revision = latest_revision(factsheet=fs)
    if revision is None or revision.snapshot != factsheet_snapshot(factsheet=fs):
        raise WorkflowError("The content changed since it was submitted; it must be submitted again.")
    return revision


@transaction.atomic
def factsheet_submit(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    fs, previous, comment = _transition(factsheet=factsheet, by=by, action="submit", comment=comment)
    revision, _ = _record(fs, by=by, reason="Submitted for review")
    _set_state(fs, State.IN_REVIEW)
    notified = notifications.reviewers_notify(factsheet=fs, by=by, comment=comment)
    return _audit(factsheet=fs, by=by, action="submit", from_state=previous, to_state=State.IN_REVIEW,
                  comment=comment, revision=revision, notified=notified)


@transaction.atomic
def factsheet_request_changes(*, factsheet: Factsheet, by, comment: str, section: Section | None = None,
                              policy: Policy | None = None) -> AuditEntry:
    fs, previous, comment = _transition(factsheet=factsheet, by=by, action="request_changes", comment=comment)
    _check_anchor(fs, section=section, policy=policy)
    revision = _current_revision_checked(fs)
    _set_state(fs, State.CHANGES_REQUESTED)
    notified = notifications.author_notify(factsheet=fs, author_id=_author_id(fs), by=by,
                                           decision="Changes requested", comment=comment)
    entry = _audit(factsheet=fs, by=by, action="request_changes", from_state=previous,
                   to_state=State.CHANGES_REQUESTED, comment=comment, revision=revision, notified=notified)
    ReviewComment.objects.create(factsheet=fs, author=by, text=comment, section=section, policy=policy,
                                 policy_name=policy.name if policy else "", audit_entry=entry)
    return entry


@transaction.atomic
def factsheet_approve(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    fs, previous, comment = _transition(factsheet=factsheet, by=by, action="approve", comment=comment)
    revision = _current_revision_checked(fs)
    _set_state(fs, State.APPROVED)
    notified = notifications.author_notify(factsheet=fs, author_id=_author_id(fs), by=by, decision="Approved",
                                           comment=comment)
    notified += notifications.editors_notify_approved(factsheet=fs, by=by)
    return _audit(factsheet=fs, by=by, action="approve", from_state=previous, to_state=State.APPROVED,
                  comment=comment, revision=revision, notified=notified)


class StaleApproval(WorkflowError):
    """The content is no longer the approved revision."""


def factsheet_publish(*, factsheet: Factsheet, by, comment: str = "", batch: str = "") -> PublishJob:
    """Record the decision to publish the approved revision and queue its rendering; the request returns at
    once and a worker makes it live (publish_job_run). If the content changed since the approval (say, a
    vocabulary label was edited), nothing is queued and the factsheet goes back to draft."""
    try:
        job = _publish_request(factsheet=factsheet, by=by, comment=comment, batch=batch)
    except StaleApproval as error:
        revision_record(factsheet=factsheet, by=None, reason="Changed after the approval (found at publishing)")
        raise WorkflowError(error.message + " It is back to draft and needs a new review.") from None
    job.refresh_from_db()  # a synchronous backend (tests, or no worker wanted) has run it already
    return job


def _approved_and_unchanged(fs: Factsheet) -> Revision:
    approved = approved_revision(factsheet=fs)
    latest = latest_revision(factsheet=fs)
    if approved is None or latest is None or approved.pk != latest.pk \
            or approved.snapshot != factsheet_snapshot(factsheet=fs):
        raise StaleApproval("The content changed after the approval, so it was not published.")
    return approved


@transaction.atomic
def _publish_request(*, factsheet: Factsheet, by, comment: str, batch: str) -> PublishJob:
    fs, previous, comment = _transition(factsheet=factsheet, by=by, action="publish", comment=comment)
    if PublishJob.objects.filter(factsheet=fs, status__in=PublishJob.ACTIVE).exists():
        raise WorkflowError(f"{fs} is already being published; its new version goes live in a moment.")
    approved = _approved_and_unchanged(fs)
    job = PublishJob.objects.create(factsheet=fs, revision=approved, requested_by=by, comment=comment, batch=batch)
    _audit(factsheet=fs, by=by, action="publish_requested", from_state=previous, to_state=previous,
           comment=comment, revision=approved)
    # The database queue stores the task in this transaction: a worker sees it once the decision is committed,
    # never before, and never without it.
    from editorial.tasks import publish_job_task

    publish_job_task.enqueue(job.pk)
    return job


class _PublishRefused(Exception):
    """The job cannot succeed however often it is tried (the content or the state changed)."""


def publish_job_run(*, job_id: int) -> str:
    """Carry out a publish job (in a task worker): render the approved revision outside any lock, store the PDF,
    then in one short transaction check again that the factsheet still holds exactly that revision, create the
    next numbered publication and make it live. A failure is retried with backoff; the last one leaves the
    factsheet approved, with the error in its timeline. Returns the job's status."""
    publish_jobs_recover()
    with transaction.atomic():
        job = PublishJob.objects.select_for_update(of=("self",)).select_related("factsheet").get(pk=job_id)
        if job.status not in PublishJob.ACTIVE:
            return job.status  # done or failed already (a task run twice)
        job.status, job.attempts, job.started_at = PublishJob.Status.RUNNING, job.attempts + 1, timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    stored = ""
    try:
        fs = Factsheet.objects.select_related("country", "edition").get(pk=job.factsheet_id)
        _publish_job_check(fs, job)
        from editorial.rendering import render_factsheet_pdf

        pdf = render_factsheet_pdf(fs)
        page_html = page_html_render(fs)
        stored = pdf_store(factsheet=fs, pdf=pdf, key=f"job{job.pk}-a{job.attempts}")
        with transaction.atomic():
            fs = _locked(fs)
            job = PublishJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
            if job.status != PublishJob.Status.RUNNING:
                pdf_discard(stored)
                return job.status
            _publish_job_check(fs, job)
            number = next_number(fs)
            publication = Publication.objects.create(
                factsheet=fs, number=number, published_at=timezone.now(), published_by=job.requested_by,
                pdf=stored, pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_size=len(pdf), revision=job.revision,
                page_html=page_html,
            )
            _set_state(fs, State.PUBLISHED)
            notified = notifications.author_notify(factsheet=fs, author_id=_author_id(fs), by=job.requested_by,
                                                   decision=f"Published as version {number}", comment=job.comment)
            _audit(factsheet=fs, by=job.requested_by, action="publish", from_state=State.APPROVED,
                   to_state=State.PUBLISHED, comment=job.comment or f"Version {number}", revision=job.revision,
                   notified=notified)
            job.status, job.finished_at, job.publication, job.error = (
                PublishJob.Status.DONE, timezone.now(), publication, "")
            job.save(update_fields=["status", "finished_at", "publication", "error"])
            return job.status
    except _PublishRefused as refusal:
        pdf_discard(stored)
        return _publish_job_failed(job, str(refusal))
    except Exception as error:  # noqa: BLE001 - any failure of a render or of the storage: retry, then report
        pdf_discard(stored)
        message = error.message if isinstance(error, WorkflowError) else f"{error.__class__.__name__}: {error}"
        if job.attempts < settings.EDITORIAL_PUBLISH_ATTEMPTS:
            return _publish_job_retry(job, message)
        return _publish_job_failed(job, message)


def _publish_job_check(fs: Factsheet, job: PublishJob) -> None:
    if fs.state != State.APPROVED:
        raise _PublishRefused(f"{fs} is {fs.get_state_display().lower()}, no longer approved.")
    try:
        approved = _approved_and_unchanged(fs)
    except StaleApproval as error:
        raise _PublishRefused(error.message) from None
    if approved.pk != job.revision_id:
        raise _PublishRefused("A newer revision was approved after this publish was requested.")


def _publish_job_retry(job: PublishJob, message: str) -> str:
    from editorial.tasks import publish_job_task

    delays = settings.EDITORIAL_PUBLISH_RETRY_SECONDS or [0]
    delay = delays[min(job.attempts, len(delays)) - 1]
    with transaction.atomic():
        PublishJob.objects.filter(pk=job.pk).update(status=PublishJob.Status.QUEUED, error=message)
        task = publish_job_task
        if delay and publish_job_task.get_backend().supports_defer:
            task = publish_job_task.using(run_after=timezone.now() + timedelta(seconds=delay))
        task.enqueue(job.pk)
    return PublishJob.Status.QUEUED


def _publish_job_failed(job: PublishJob, message: str) -> str:
    with transaction.atomic():
        PublishJob.objects.filter(pk=job.pk).update(status=PublishJob.Status.FAILED, error=message,
                                                    finished_at=timezone.now())
        fs = Factsheet.objects.get(pk=job.factsheet_id)
        _audit(factsheet=fs, by=job.requested_by, action="publish_failed", from_state=fs.state, to_state=fs.state,
               comment=f"Nothing was published: {message}", revision=job.revision)
    return PublishJob.Status.FAILED


def edition_publish(*, edition, by, factsheets=None, batch: str = "") -> tuple[str, list[tuple[Factsheet, str]]]:
    """Publish many approved factsheets of an edition in one action: one publish job each (the same checks as a
    single Publish: permission, four eyes, stale approval), sharing a batch id for the progress. `factsheets`
    None means every approved one. Returns the batch id and the factsheets refused, with why."""
    import uuid

    batch = batch or uuid.uuid4().hex
    chosen = Factsheet.objects.filter(edition=edition, state=State.APPROVED).select_related("country")
    if factsheets is not None:
        chosen = chosen.filter(pk__in=[f.pk if isinstance(f, Factsheet) else f for f in factsheets])
    refused = []
    for factsheet in chosen.order_by("country__name"):
        try:
            factsheet_publish(factsheet=factsheet, by=by, batch=batch)
        except WorkflowError as error:
            refused.append((factsheet, error.message))
        except PermissionDenied:
            refused.append((factsheet, "You may not publish it."))
    return batch, refused


def batch_retry(*, batch: str, by) -> tuple[int, list[tuple[Factsheet, str]]]:
    """Publish again the factsheets whose job in this batch failed (and that are still approved)."""
    failed = [job.factsheet for job in batch_jobs(batch=batch) if job.status == PublishJob.Status.FAILED]
    if not failed:
        return 0, []
    _, refused = edition_publish(edition=failed[0].edition, by=by, factsheets=failed, batch=batch)
    return len(failed) - len(refused), refused


def publish_jobs_recover() -> int:
    """Queue again the jobs whose worker died mid-render (running for longer than a render can take); their
    task is lost with the worker. Returns how many."""
    from editorial.tasks import publish_job_task

    stale = timezone.now() - timedelta(seconds=settings.EDITORIAL_PUBLISH_STALE_SECONDS)
    recovered = 0
    with transaction.atomic():
        for job in PublishJob.objects.select_for_update(of=("self",), skip_locked=True).filter(
                status=PublishJob.Status.RUNNING, started_at__lt=stale):
            job.status, job.error = PublishJob.Status.QUEUED, "The worker stopped during the render; queued again."
            job.save(update_fields=["status", "error"])
            publish_job_task.enqueue(job.pk)
            recovered += 1
    return recovered


@transaction.atomic
def factsheet_withdraw(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    """Take the factsheet off the public pages: every live publication gets its withdrawal date."""
    fs, previous, comment = _transition(factsheet=factsheet, by=by, action="withdraw", comment=comment)
    withdrawn = Publication.objects.filter(factsheet=fs, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    if not withdrawn:
        raise WorkflowError("There is no live publication to withdraw.")
    _set_state(fs, State.WITHDRAWN)
    notified = notifications.author_notify(factsheet=fs, author_id=_author_id(fs), by=by, decision="Withdrawn",
                                           comment=comment)
    return _audit(factsheet=fs, by=by, action="withdraw", from_state=previous, to_state=State.WITHDRAWN,
                  comment=comment, revision=latest_revision(factsheet=fs), notified=notified)


@transaction.atomic
def factsheet_start_new_draft(*, factsheet: Factsheet, by, comment: str = "") -> AuditEntry:
    """Open a published (or withdrawn) factsheet for editing; its publications stay as they are."""
    fs, previous, comment = _transition(factsheet=factsheet, by=by, action="start_new_draft", comment=comment)
    _set_state(fs, State.DRAFT)
    Factsheet.objects.filter(pk=fs.pk).update(lock_version=F("lock_version") + 1)
    return _audit(factsheet=fs, by=by, action="start_new_draft", from_state=previous, to_state=State.DRAFT,
                  comment=comment, revision=latest_revision(factsheet=fs))


TRANSITION_SERVICES = {
    "submit": factsheet_submit,
    "request_changes": factsheet_request_changes,
    "approve": factsheet_approve,
    "publish": factsheet_publish,
    "withdraw": factsheet_withdraw,
    "start_new_draft": factsheet_start_new_draft,
}


def factsheet_transition(*, factsheet: Factsheet, by, action: str, comment: str = "", **anchor):
    """Run the service of a workflow action by its name (the admin's single entry point)."""
    if action not in TRANSITION_SERVICES:
        raise WorkflowError(f"Unknown action “{action}”.")
    if action == "request_changes":
        return factsheet_request_changes(factsheet=factsheet, by=by, comment=comment, **anchor)
    return TRANSITION_SERVICES[action](factsheet=factsheet, by=by, comment=comment)


def _check_anchor(fs: Factsheet, *, section: Section | None, policy: Policy | None) -> None:
    if section is not None and section.edition_id != fs.edition_id:
        raise WorkflowError("That section belongs to another edition.")
    if policy is not None and policy.factsheet_id != fs.pk:
        raise WorkflowError("That policy belongs to another factsheet.")


@transaction.atomic
def review_comment_add(*, factsheet: Factsheet, by, text: str, section: Section | None = None,
                       policy: Policy | None = None) -> ReviewComment:
    fs = _locked(factsheet)
    ensure_can(by, "comment", fs)
    text = (text or "").strip()
    if not text:
        raise WorkflowError("Write the comment first.")
    _check_anchor(fs, section=section, policy=policy)
    return ReviewComment.objects.create(factsheet=fs, author=by, text=text, section=section, policy=policy,
                                        policy_name=policy.name if policy else "")


# --- restoring snapshots (revert, carry forward) -----------------------------------------------------------

def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _date(value) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def snapshot_restore(*, factsheet: Factsheet, snapshot: dict[str, Any]) -> list[tuple[str, str]]:
    """Replace the factsheet's content by a snapshot, mapping labels onto its edition.
    Returns what did not map as (where, message) pairs; call inside a transaction."""
    edition = factsheet.edition
    issues: list[tuple[str, str]] = []
    categories = {(c.vocabulary, c.label): c for c in edition.categories.all()}
    for merge in CategoryMerge.objects.filter(edition=edition).select_related("into"):
        categories.setdefault((merge.vocabulary, merge.label), merge.into)
    criteria = {c.name: c for c in edition.criteria.prefetch_related("levels")}
    topics = {t.title: t for t in edition.topics.all()}
    decimal_fields = {f.name for f in Policy._meta.concrete_fields if f.get_internal_type() == "DecimalField"}
    date_fields = {f.name for f in Policy._meta.concrete_fields if f.get_internal_type() == "DateField"}

    for name in FACTSHEET_TEXT_FIELDS:
        setattr(factsheet, name, snapshot["factsheet"].get(name) or "")
    factsheet.save(update_fields=FACTSHEET_TEXT_FIELDS)
    factsheet.policies.all().delete()
    factsheet.assessments.all().delete()
    factsheet.qualitative.all().delete()
    factsheet.footnotes.all().delete()
    factsheet.references.all().delete()

    for item in snapshot.get("policies", []):
        where = f"Policy {item.get('order')} “{item.get('name')}”"
        values: dict[str, Any] = {}
        for name in POLICY_FIELDS:
            value = item.get(name)
            if name == "uid" and not value:
                continue  # a snapshot from before identifiers: the policy gets a new one
            if name in POLICY_FK_FIELDS:
                vocabulary = POLICY_CATEGORY_FIELDS[name]
                category = categories.get((vocabulary, value)) if value else None
                if value and category is None:
                    issues.append((where, f"{vocabulary.label}: “{value}” is not in the {edition.year} vocabulary."))
                values[name] = category
            elif name in decimal_fields:
                values[name] = _decimal(value)
            elif name in date_fields:
                values[name] = _date(value)
            else:
                values[name] = "" if value is None and name not in ("start_year", "end_year") else value
        if values["policy_type"] is None:
            fallback = next((c for (v, _), c in categories.items() if v == "policy_type"), None)
            if fallback is None:
                issues.append((where, "Not carried: the edition has no policy types."))
                continue
            issues.append((where, f"Policy type set to “{fallback.label}” until you choose the right one."))
            values["policy_type"] = fallback
        policy = Policy.objects.create(factsheet=factsheet, **values)
        for name in POLICY_M2M_FIELDS:
            vocabulary = POLICY_CATEGORY_FIELDS[name]
            chosen = []
            for label in item.get(name) or []:
                category = categories.get((vocabulary, label))
                if category is None:
                    issues.append((where, f"{vocabulary.label}: “{label}” is not in the {edition.year} vocabulary."))
                else:
                    chosen.append(category)
            getattr(policy, name).set(chosen)

    for item in snapshot.get("assessments", []):
        criterion = criteria.get(item["criterion"])
        if criterion is None:
            issues.append(("Assessment", f"Criterion “{item['criterion']}” is not in the {edition.year} edition."))
            continue
        level = None
        if item.get("level"):
            level = next((lv for lv in criterion.levels.all() if lv.label == item["level"]), None)
            if level is None:
                issues.append((f"Assessment › {criterion.name}",
                               f"Level “{item['level']}” is not a level of this criterion in {edition.year}."))
        Assessment.objects.create(factsheet=factsheet, criterion=criterion, level=level,
                                  score=_decimal(item.get("score")))
    for item in snapshot.get("qualitative", []):
        topic = topics.get(item["topic"])
        if topic is None:
            issues.append(("Qualitative assessment", f"Topic “{item['topic']}” is not in the {edition.year} edition."))
            continue
        QualitativeAssessment.objects.create(factsheet=factsheet, topic=topic, summary=item.get("summary") or "",
                                             text=item.get("text") or "")
    Footnote.objects.bulk_create(
        [Footnote(factsheet=factsheet, key=i["key"], text=i.get("text") or "") for i in snapshot.get("footnotes", [])]
    )
    Reference.objects.bulk_create([
        Reference(factsheet=factsheet, order=i["order"], citation=i.get("citation") or "", url=i.get("url") or "",
                  url_label=i.get("url_label") or "", last_accessed=_date(i.get("last_accessed")),
                  sub_item=bool(i.get("sub_item")))
        for i in snapshot.get("references", [])
    ])
    return issues


@transaction.atomic
def revision_revert(*, factsheet: Factsheet, revision: Revision, by) -> Revision:
    """Bring back an earlier revision's content; recorded as a new revision."""
    fs = _locked(factsheet)
    ensure_can(by, "revert", fs)
    if revision.factsheet_id != fs.pk:
        raise WorkflowError("That revision belongs to another factsheet.")
    issues = snapshot_restore(factsheet=fs, snapshot=revision.snapshot)
    if issues:
        raise WorkflowError(f"Revision {revision.number} cannot be restored: "
                            + "; ".join(f"{where}: {message}" for where, message in issues))
    Factsheet.objects.filter(pk=fs.pk).update(lock_version=F("lock_version") + 1, updated_by=by,
                                               updated_at=timezone.now())
    fs.updated_by = by
    new, _ = _record(fs, by=by, reason=f"Reverted to revision {revision.number}", force=True)
    _audit(factsheet=fs, by=by, action="revert", from_state=fs.state, to_state=fs.state, revision=new,
           comment=f"Revision {revision.number} restored as revision {new.number}.")
    factsheet.state = fs.state
    return new



@transaction.atomic
def demo_publish(*, factsheet: Factsheet) -> Publication | None:
    """Publish a demo factsheet as loaded, through the same records as a real publish (revision, version,
    state, audit entry); a factsheet already published or past draft is left alone."""
    fs = _locked(factsheet)
    if fs.state != State.DRAFT or fs.publications.exists():
        return None
    revision, _ = _record(fs, by=None, reason="Loaded as demo data")
    publication = publication_create(factsheet=fs, by=None)
    publication.revision = revision
    publication.save(update_fields=["revision"])
    _set_state(fs, State.PUBLISHED)
    _audit(factsheet=fs, by=None, action="publish", from_state=State.DRAFT, to_state=State.PUBLISHED,
           comment=f"Demo data published as loaded (version {publication.number})", revision=revision)
    return publication


class _Undo(Exception):
    """Rolls back a savepoint on purpose."""


def publication_pages_fill() -> int:
    """Give every publication made before web pages were stored its page: its approved revision is restored
    inside a savepoint, the page rendered from it, and the savepoint rolled back, so the working copy is left
    exactly as it was. Returns how many pages were filled."""
    filled = 0
    for publication in Publication.objects.filter(page_html="", revision__isnull=False).select_related("revision"):
        html = ""
        try:
            with transaction.atomic():
                fs = _locked(publication.factsheet)
                snapshot_restore(factsheet=fs, snapshot=publication.revision.snapshot)
                html = page_html_render(fs)
                raise _Undo
        except _Undo:
            pass
        Publication.objects.filter(pk=publication.pk).update(page_html=html)
        filled += 1
    return filled


def revisions_record_for_import(*, record) -> None:
    """A bulk import is an edit: each factsheet it touched gets a revision naming the file (and, outside draft,
    goes back to draft like any other edit). Called by factsheets.imports through FACTSHEETS_IMPORT_RECORDED_HOOKS."""
    source = f"{record.file_name} ({record.resource})" if record.file_name else record.resource
    for factsheet in record.factsheets.all():
        revision_record(factsheet=factsheet, by=record.user, reason=f"Imported from {source}"[:200])


@transaction.atomic
def category_merge(*, source: Category, target: Category, by) -> list[Factsheet]:
    """Merge a category into another of the same vocabulary: every policy that used it uses the target, each
    touched factsheet gets a revision (pending approvals go stale), the old label keeps mapping to the target
    (so earlier revisions stay restorable), and the source is deleted. Returns the touched factsheets."""
    ensure_can(by, "merge_category")
    source = Category.objects.select_for_update(of=("self",)).select_related("edition").get(pk=source.pk)
    target = Category.objects.select_for_update().get(pk=target.pk)
    if source.pk == target.pk:
        raise WorkflowError("Choose another category to merge into.")
    if (source.edition_id, source.vocabulary) != (target.edition_id, target.vocabulary):
        raise WorkflowError(f"“{source.label}” can only be merged into a category of the same edition and "
                            f"vocabulary ({source.get_vocabulary_display().lower()}, {source.edition.year}).")
    policies = list(category_policies(category=source))
    factsheets = {p.factsheet_id: p.factsheet for p in policies}
    for policy in policies:
        for name in POLICY_FK_FIELDS:
            if getattr(policy, f"{name}_id") == source.pk:
                setattr(policy, name, target)
        policy.save(update_fields=POLICY_FK_FIELDS)
        for name in POLICY_M2M_FIELDS:
            selection = getattr(policy, name)
            if selection.filter(pk=source.pk).exists():
                selection.remove(source)
                selection.add(target)
    CategoryMerge.objects.filter(into=source).update(into=target)
    CategoryMerge.objects.update_or_create(
        edition=source.edition, vocabulary=source.vocabulary, label=source.label,
        defaults={"into": target, "merged_by": by},
    )
    reason = f"Category “{source.label}” merged into “{target.label}”"
    source.delete()
    for factsheet in sorted(factsheets.values(), key=lambda f: f.pk):
        revision_record(factsheet=factsheet, by=by, reason=reason[:200])
    return sorted(factsheets.values(), key=lambda f: str(f))


def users_deactivate(*, users, by) -> int:
    """Deactivate accounts (they can no longer log in); their names stay in every revision and decision."""
    if not (by and by.is_active and by.has_perm("auth.change_user")):
        raise PermissionDenied("You do not have permission to change users.")
    return users.filter(is_active=True).update(is_active=False)


# --- the team's day: assignment, resolving comments, handling carry-forward issues -------------------------

@transaction.atomic
def factsheets_assign(*, factsheets, by, analyst=None, reviewer=None, clear_reviewer: bool = False) -> int:
    """Assign factsheets to an analyst (and optionally a reviewer); each assignment is an audit entry and the
    analyst is told by e-mail. Returns how many factsheets changed."""
    ensure_can(by, "assign")
    if analyst is not None and not has_role_permission(analyst, "submit"):
        raise WorkflowError(f"{analyst} cannot write factsheets (not an analyst or editor).")
    if reviewer is not None and not has_role_permission(reviewer, "approve"):
        raise WorkflowError(f"{reviewer} cannot review factsheets (not a reviewer or editor).")
    changed = []
    for fs in Factsheet.objects.select_for_update(of=("self",)).select_related("country", "edition").filter(
            pk__in=[f.pk for f in factsheets]).order_by("pk"):
        updates = {}
        if analyst is not None and fs.assigned_analyst_id != analyst.pk:
            updates["assigned_analyst"] = analyst
        if reviewer is not None and fs.assigned_reviewer_id != reviewer.pk:
            updates["assigned_reviewer"] = reviewer
        elif clear_reviewer and fs.assigned_reviewer_id is not None:
            updates["assigned_reviewer"] = None
        if not updates:
            continue
        Factsheet.objects.filter(pk=fs.pk).update(**updates)
        for name, value in updates.items():
            setattr(fs, name, value)
        parts = [f"analyst: {fs.assigned_analyst or '—'}", f"reviewer: {fs.assigned_reviewer or 'any reviewer'}"]
        _audit(factsheet=fs, by=by, action=AuditEntry.Action.ASSIGN, from_state=fs.state, to_state=fs.state,
               comment="Assigned (" + ", ".join(parts) + ").",
               notified=notifications.assignment_notify(factsheet=fs, by=by) if "assigned_analyst" in updates
               else [])
        changed.append(fs)
    return len(changed)


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
