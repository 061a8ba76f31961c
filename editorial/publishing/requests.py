"""Publish requests: the editor's decision to publish an approved revision, recorded and queued in one
transaction (a worker makes it live: editorial.publishing.jobs), one factsheet or a whole edition at once."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction

from editorial.audit import audit_record
from editorial.models import EditionRelease, Publication, PublishJob, Revision
from editorial.permissions import WorkflowError
from editorial.publishing.selectors import batch_jobs
from editorial.publishing.tasks import publish_job_task
from editorial.revisions import revision_record
from editorial.selectors import approved_revision, latest_revision
from editorial.snapshots import factsheet_snapshot
from editorial.transitions import transition_begin
from factsheets.models import Factsheet, State


class StaleApproval(WorkflowError):
    """The content is no longer the approved revision."""


def publish_job_request(*, factsheet: Factsheet, by, comment: str = "", batch: str = "",
                        release: EditionRelease | None = None) -> PublishJob:
    """Record the decision to publish the approved revision and queue its rendering; returns the job at once
    and a worker makes it live (publish_job_run). While the edition has a release scheduled, the version is
    prepared for it instead (rendered and stored, public at the release). If the content changed since the
    approval (say, a vocabulary label was edited), nothing is queued and the factsheet goes back to draft."""
    try:
        job = _publish_request(factsheet=factsheet, by=by, comment=comment, batch=batch, release=release)
    except StaleApproval as error:
        revision_record(factsheet=factsheet, by=None, reason="Changed after the approval (found at publishing)")
        raise WorkflowError(error.message + " It is back to draft and needs a new review.") from None
    job.refresh_from_db()  # a synchronous backend (tests, or no worker wanted) has run it already
    return job


def approved_and_unchanged(fs: Factsheet) -> Revision:
    """The approved revision, if the working copy still holds exactly it (else StaleApproval)."""
    approved = approved_revision(factsheet=fs)
    latest = latest_revision(factsheet=fs)
    if approved is None or latest is None or approved.pk != latest.pk \
            or approved.snapshot != factsheet_snapshot(factsheet=fs):
        raise StaleApproval("The content changed after the approval, so it was not published.")
    return approved


@transaction.atomic
def _publish_request(*, factsheet: Factsheet, by, comment: str, batch: str,
                     release: EditionRelease | None) -> PublishJob:
    fs, previous, comment = transition_begin(factsheet=factsheet, by=by, action="publish", comment=comment)
    if PublishJob.objects.filter(factsheet=fs, status__in=PublishJob.ACTIVE).exists():
        raise WorkflowError(f"{fs} is already being published; its new version goes live in a moment.")
    approved = approved_and_unchanged(fs)
    release = release or EditionRelease.objects.filter(edition_id=fs.edition_id,
                                                       status=EditionRelease.Status.SCHEDULED).first()
    if release is not None and Publication.objects.filter(factsheet=fs, release=release, embargoed=True,
                                                          revision=approved,
                                                          dated=release.local_time.date()).exists():
        raise WorkflowError(f"{fs} is already prepared for the release of {release.local_time:%d %B %Y %H:%M} "
                            f"({release.time_zone}); it goes live then.")
    job = PublishJob.objects.create(factsheet=fs, revision=approved, requested_by=by, comment=comment, batch=batch,
                                    release=release)
    audit_record(factsheet=fs, by=by, action="publish_requested", from_state=previous, to_state=previous,
                 comment=comment or (f"To be prepared for the release of {release.local_time:%d %B %Y %H:%M} "
                                     f"({release.time_zone})." if release else ""), revision=approved)
    # The database queue stores the task in this transaction: a worker sees it once the decision is committed,
    # never before, and never without it.
    publish_job_task.enqueue(job.pk)
    return job


def edition_publish(*, edition, by, factsheets=None, batch: str = "") -> tuple[str, list[tuple[Factsheet, str]]]:
    """Publish many approved factsheets of an edition in one action: one publish job each (the same checks as a
    single Publish: permission, four eyes, stale approval), sharing a batch id for the progress. `factsheets`
    None means every approved one. Returns the batch id and the factsheets refused, with why."""
    batch = batch or uuid.uuid4().hex
    chosen = Factsheet.objects.filter(edition=edition, state=State.APPROVED).select_related("country")
    if factsheets is not None:
        chosen = chosen.filter(pk__in=[f.pk if isinstance(f, Factsheet) else f for f in factsheets])
    refused = []
    for factsheet in chosen.order_by("country__name"):
        try:
            publish_job_request(factsheet=factsheet, by=by, batch=batch)
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
