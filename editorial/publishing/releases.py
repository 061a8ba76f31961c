"""An edition's embargoed release: scheduled for a date, time and time zone; its approved factsheets prepared ahead
(rendered and stored as versions nobody sees: `Publication.embargoed`), with the summary report of the edition as
it will be; then, when the time comes, made live in one transaction by a worker, all at once or not at all.

Who runs the release: the task queued for the release time (`edition_release_task`, run_after = the time); it
is still in the queue if no worker runs then, so the first worker to start releases it. Each finished
preparation checks again, so a release that waited for one is made as soon as it is ready. Health reports a
release that is late."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from editorial import notifications
from editorial.audit import audit_record, author_id, state_set
from editorial.models import AuditEntry, EditionRelease, Publication, PublishJob
from editorial.permissions import WorkflowError, ensure_can
from editorial.publishing import summaries
from editorial.publishing.jobs import publications_announce
from editorial.publishing.storage import publications_discard
from factsheets.models import Edition, Factsheet, State

MAX_AHEAD = timedelta(days=366)


# --- readiness ----------------------------------------------------------------------------------------------

@dataclass
class Readiness:
    """Where each factsheet of the edition stands for the release: ready (prepared for this release, with the
    approved revision and the release's date), preparing, failed (it blocks the release: all or nothing), not
    prepared yet, not approved (not part of the release), or already live and unchanged."""

    ready: list[Publication] = field(default_factory=list)
    preparing: list[Factsheet] = field(default_factory=list)
    failed: list[tuple[Factsheet, str]] = field(default_factory=list)
    unprepared: list[Factsheet] = field(default_factory=list)
    not_approved: list[Factsheet] = field(default_factory=list)
    unchanged: list[Factsheet] = field(default_factory=list)
    stale: list[Publication] = field(default_factory=list)  # prepared, but no longer what is approved
    summary_ready: bool = True

    @property
    def total(self) -> int:
        """The factsheets the release is about: all but those already live and unchanged."""
        return len(self.ready) + len(self.preparing) + len(self.failed) + len(self.unprepared) + len(
            self.not_approved)

    @property
    def complete(self) -> bool:
        """Every approved factsheet is prepared (those not approved are simply not part of it)."""
        return not (self.preparing or self.failed or self.unprepared)

    @property
    def problem(self) -> str:
        def names(factsheets) -> str:
            shown = ", ".join(str(f) for f in factsheets[:5])
            return shown + (f" and {len(factsheets) - 5} more" if len(factsheets) > 5 else "")

        parts = []
        if self.failed:
            parts.append("preparing failed for " + "; ".join(f"{fs}: {error}" for fs, error in self.failed)
                         + " (nothing is released until it is prepared: retry it, or cancel the release)")
        if self.preparing:
            parts.append(f"{len(self.preparing)} still being prepared ({names(self.preparing)})")
        if self.unprepared:
            parts.append(f"{len(self.unprepared)} approved and not prepared yet ({names(self.unprepared)})")
        if not parts and not self.ready:
            parts.append("nothing is prepared: no factsheet of the edition is approved")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {
            "ready": len(self.ready), "total": self.total, "not_approved": len(self.not_approved),
            "preparing": len(self.preparing), "unprepared": len(self.unprepared),
            "failed": [{"country": str(fs.country.name), "error": error} for fs, error in self.failed],
            "complete": self.complete, "summary_ready": self.summary_ready,
        }


def _latest_approvals(edition: Edition) -> dict[int, int]:
    """factsheet id -> the revision id of its latest approval (one query)."""
    latest: dict[int, int] = {}
    for factsheet_id, revision_id in (AuditEntry.objects.filter(factsheet__edition=edition, action="approve")
                                      .order_by("factsheet", "-at", "-id").values_list("factsheet", "revision")):
        latest.setdefault(factsheet_id, revision_id)
    return latest


def release_readiness(*, release: EditionRelease) -> Readiness:
    """Where the edition stands for this release (a fixed number of queries, whatever the number of countries)."""
    edition = release.edition
    dated = release.local_time.date()
    approvals = _latest_approvals(edition)
    prepared = {p.factsheet_id: p for p in Publication.objects.filter(release=release, embargoed=True)
                .select_related("factsheet__country", "factsheet__edition")}
    jobs: dict[int, PublishJob] = {}
    for job in PublishJob.objects.filter(release=release).order_by("requested_at", "id"):
        jobs[job.factsheet_id] = job
    readiness = Readiness()
    for fs in Factsheet.objects.filter(edition=edition).select_related("country", "edition").order_by("country__name"):
        publication = prepared.get(fs.pk)
        if fs.state == State.APPROVED:
            approved = approvals.get(fs.pk)
            if publication is not None and publication.revision_id == approved and publication.dated == dated:
                readiness.ready.append(publication)
                continue
            if publication is not None:
                readiness.stale.append(publication)
            job = jobs.get(fs.pk)
            if job is not None and job.status in PublishJob.ACTIVE:
                readiness.preparing.append(fs)
            elif job is not None and job.status == PublishJob.Status.FAILED and job.revision_id == approved:
                readiness.failed.append((fs, job.error))
            else:
                readiness.unprepared.append(fs)
        else:
            if publication is not None:
                readiness.stale.append(publication)
            if fs.state in (State.PUBLISHED, State.WITHDRAWN):
                readiness.unchanged.append(fs)
            else:
                readiness.not_approved.append(fs)
    readiness.summary_ready = not readiness.ready or summaries.EditionSummary.objects.filter(
        edition=edition, fingerprint=summaries.summary_fingerprint(release_entries(release, readiness))).exists()
    return readiness


def release_entries(release: EditionRelease, readiness: Readiness) -> list[summaries.Entry]:
    """The edition's live versions as they will be once the release is made."""
    ready = {str(p.factsheet.country.code): p.revision_id for p in readiness.ready}
    live = [(code, revision) for code, revision in summaries.live_entries(edition=release.edition)
            if code not in ready]
    return [*live, *ready.items()]


# --- scheduling ---------------------------------------------------------------------------------------------

def zone_check(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{name}” is not a time zone (e.g. Europe/Brussels).") from None


def _time_check(at: datetime) -> None:
    if timezone.is_naive(at):
        raise ValidationError("The release time needs its time zone.")
    now = timezone.now()
    if at <= now:
        raise ValidationError("The release time has passed: choose a time to come (or release now).")
    if at > now + MAX_AHEAD:
        raise ValidationError("Schedule the release within a year.")


def scheduled_release(*, edition: Edition | int) -> EditionRelease | None:
    edition_id = edition.pk if isinstance(edition, Edition) else edition
    return (EditionRelease.objects.filter(edition_id=edition_id, status=EditionRelease.Status.SCHEDULED)
            .select_related("edition", "scheduled_by").first())


def _release_task_queue(release: EditionRelease, *, at: datetime | None = None) -> None:
    """Queue the release's task for its time (in this transaction: the database queue stores it with the
    decision). A backend that cannot defer tasks runs it now only if it is due (`manage.py release_due` runs
    the others)."""
    from editorial.publishing.tasks import edition_release_task

    at = at or release.scheduled_at
    if edition_release_task.get_backend().supports_defer:
        edition_release_task.using(run_after=at).enqueue(release.pk)
    elif at <= timezone.now():
        transaction.on_commit(lambda: edition_release_task.enqueue(release.pk))


def _prepare(fs: Factsheet, release: EditionRelease, *, by) -> None:
    """Queue the preparation of an approved factsheet for the release (inside the caller's transaction)."""
    from editorial.publishing.requests import publish_job_request

    publish_job_request(factsheet=fs, by=by, release=release, batch=f"release-{release.pk}")


def _prepare_all(release: EditionRelease, factsheets, *, by) -> list[tuple[Factsheet, str]]:
    refused = []
    for fs in factsheets:
        try:
            with transaction.atomic():
                _prepare(fs, release, by=by)
        except WorkflowError as error:
            refused.append((fs, error.message))
        except PermissionDenied:
            refused.append((fs, f"{by} may not publish it."))
    return refused


@transaction.atomic
def release_schedule(*, edition: Edition, at: datetime, time_zone: str, by
                     ) -> tuple[EditionRelease, list[tuple[Factsheet, str]]]:
    """Schedule the edition's release at `at` (aware) shown in `time_zone`; every approved factsheet is queued for
    preparation. Returns the release and the factsheets that could not be queued, with why."""
    ensure_can(by, "release")
    zone_check(time_zone)
    _time_check(at)
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if scheduled_release(edition=edition) is not None:
        raise WorkflowError(f"The {edition.year} edition already has a release scheduled: change or cancel it.")
    if PublishJob.objects.filter(factsheet__edition=edition, status__in=PublishJob.ACTIVE).exists():
        raise WorkflowError("Factsheets of this edition are being published right now: schedule the release "
                            "once they are live (a moment).")
    release = EditionRelease.objects.create(edition=edition, scheduled_at=at, time_zone=time_zone, scheduled_by=by)
    approved = Factsheet.objects.filter(edition=edition, state=State.APPROVED).select_related("country", "edition")
    refused = _prepare_all(release, approved.order_by("country__name"), by=by)
    _release_task_queue(release)
    return release, refused


@transaction.atomic
def release_reschedule(*, release: EditionRelease, at: datetime, time_zone: str, by
                       ) -> tuple[EditionRelease, list[tuple[Factsheet, str]]]:
    """Move a scheduled release. The PDFs print the release's date: if it changes, the prepared factsheets are
    prepared again for the new date."""
    ensure_can(by, "release")
    zone_check(time_zone)
    _time_check(at)
    release = _locked_scheduled(release)
    release.scheduled_at, release.time_zone, release.problem = at, time_zone, ""
    release.save(update_fields=["scheduled_at", "time_zone", "problem"])
    refused = _prepare_outdated(release, by=by)
    _release_task_queue(release)
    return release, refused


def _prepare_outdated(release: EditionRelease, *, by) -> list[tuple[Factsheet, str]]:
    """Queue again every approved factsheet not prepared for the release as it now stands (its date)."""
    readiness = release_readiness(release=release)
    again = readiness.unprepared + [fs for fs, _error in readiness.failed]
    return _prepare_all(release, again, by=by)


def _locked_scheduled(release: EditionRelease) -> EditionRelease:
    release = EditionRelease.objects.select_for_update(of=("self",)).select_related("edition").get(pk=release.pk)
    if release.status != EditionRelease.Status.SCHEDULED:
        raise WorkflowError(f"This release is {release.get_status_display().lower()}: it cannot change any more.")
    return release


@transaction.atomic
def release_retry_failed(*, release: EditionRelease, by) -> list[tuple[Factsheet, str]]:
    """Prepare again the factsheets whose preparation failed (and any approved one not prepared yet)."""
    ensure_can(by, "release")
    return _prepare_outdated(_locked_scheduled(release), by=by)


@transaction.atomic
def release_now(*, release: EditionRelease, by) -> EditionRelease:
    """Release at once (a worker makes it live within a moment; if a factsheet is still being prepared, as soon as
    it is ready). The PDFs print the release's date: released on another day than planned, they are prepared
    again first (`release.reprepared` says how many)."""
    ensure_can(by, "release")
    release = _locked_scheduled(release)
    now = timezone.now()
    moved_day = timezone.localtime(now, release.zone).date() != release.local_time.date()
    release.scheduled_at, release.problem = now, ""
    release.save(update_fields=["scheduled_at", "problem"])
    release.reprepared = 0
    if moved_day:  # the PDFs print the release's date
        release.reprepared = len(release_readiness(release=release).unprepared)
        _prepare_outdated(release, by=by)
    _release_task_queue(release, at=now)
    return release


@transaction.atomic
def release_cancel(*, release: EditionRelease, by) -> EditionRelease:
    """Cancel a scheduled release: the prepared versions (never public) are discarded, the factsheets stay
    approved, nothing of the edition changes for the public."""
    ensure_can(by, "release")
    release = _locked_scheduled(release)
    release.status, release.cancelled_at, release.cancelled_by = (
        EditionRelease.Status.CANCELLED, timezone.now(), by)
    release.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    for publication in Publication.objects.filter(release=release, embargoed=True).select_related("factsheet"):
        audit_record(factsheet=publication.factsheet, by=by, action="prepared_discarded",
                     from_state=publication.factsheet.state, to_state=publication.factsheet.state,
                     revision=publication.revision,
                     comment=f"The release was cancelled: version {publication.number}, prepared for it, was "
                             "discarded (it was never public). The factsheet is still approved.")
    publications_discard(Publication.objects.filter(release=release))
    PublishJob.objects.filter(release=release, status=PublishJob.Status.QUEUED).update(
        status=PublishJob.Status.FAILED, error="The release was cancelled.", finished_at=timezone.now())
    return release


def release_prepare_on_approval(*, factsheet: Factsheet) -> None:
    """A factsheet approved while its edition has a release scheduled is prepared for it too (asked by whoever
    scheduled the release; inside the approval's transaction). If that cannot be queued, the dashboard lists it
    as not prepared."""
    release = scheduled_release(edition=factsheet.edition_id)
    if release is None:
        return
    _prepare_all(release, [factsheet], by=release.scheduled_by)


# --- the release itself --------------------------------------------------------------------------------------

def release_run(*, release_id: int, now: datetime | None = None) -> str:
    """Make the release if it is due and ready: every prepared factsheet, the summary report and everything read
    from the live versions (pages, data files, catalogue, feed, search) go live in one transaction. Safe to run
    any number of times. Returns "released", "not due", "waiting" (a preparation is under way), "blocked" (a
    preparation failed) or the release's status when there is nothing to do."""
    release = EditionRelease.objects.select_related("edition", "scheduled_by").get(pk=release_id)
    if release.status != EditionRelease.Status.SCHEDULED:
        return release.status
    if release.scheduled_at > (now or timezone.now()):
        return "not due"
    readiness = release_readiness(release=release)
    if readiness.unprepared:  # approved since, or whose preparation could not be queued: queue them now
        with transaction.atomic():
            _prepare_all(release, readiness.unprepared, by=release.scheduled_by)
        readiness = release_readiness(release=release)
    if not readiness.complete:
        EditionRelease.objects.filter(pk=release.pk).update(problem=readiness.problem)
        return "blocked" if readiness.failed else "waiting"
    # The summary of the edition as it will be, rendered outside the transaction (normally already prepared).
    summaries.summary_ensure_for(edition=release.edition, entries=release_entries(release, readiness))
    with transaction.atomic():
        release = EditionRelease.objects.select_for_update(of=("self",)).select_related("edition", "scheduled_by").get(
            pk=release_id)
        if release.status != EditionRelease.Status.SCHEDULED:
            return release.status
        list(Factsheet.objects.select_for_update(of=("self",)).filter(edition=release.edition).order_by("pk"))
        readiness = release_readiness(release=release)  # again, under the locks
        if not readiness.complete:
            EditionRelease.objects.filter(pk=release.pk).update(problem=readiness.problem)
            return "blocked" if readiness.failed else "waiting"
        made = _release_make(release, readiness)
    return "released" if made is not None else "waiting"


def _release_make(release: EditionRelease, readiness: Readiness) -> list[Publication] | None:
    """The release's transaction (the release and the edition's factsheets are locked by the caller)."""
    now = timezone.now()
    by = release.scheduled_by
    publications_discard(Publication.objects.filter(pk__in=[p.pk for p in readiness.stale]))
    released = list(readiness.ready)
    Publication.objects.filter(pk__in=[p.pk for p in released]).update(embargoed=False, published_at=now)
    for publication in released:
        fs = publication.factsheet
        state_set(fs, State.PUBLISHED)
        decision = f"Published as version {publication.number} with the {fs.edition.year} edition's release"
        notified = notifications.author_notify(factsheet=fs, author_id=author_id(fs), by=by, decision=decision)
        audit_record(factsheet=fs, by=by, action="publish", from_state=State.APPROVED, to_state=State.PUBLISHED,
                     comment=f"Version {publication.number}, released with the {fs.edition.year} edition "
                             f"(scheduled for {release.local_time:%d %B %Y %H:%M} {release.time_zone}).",
                     revision=publication.revision, notified=notified)
    release.status, release.released_at, release.released_count, release.problem = (
        EditionRelease.Status.RELEASED, now, len(released), "")
    release.save(update_fields=["status", "released_at", "released_count", "problem"])
    summaries.summary_ensure(edition=release.edition)  # found: prepared for exactly this set
    publications_announce(publications=released, reason="release")
    return released


def release_summary_prepare(*, release_id: int) -> bool:
    """Once every approved factsheet is prepared, render and store the edition's summary report as the release will
    make it (ahead, so the release itself renders nothing). Returns whether it is ready."""
    release = EditionRelease.objects.select_related("edition").filter(
        pk=release_id, status=EditionRelease.Status.SCHEDULED).first()
    if release is None:
        return False
    readiness = release_readiness(release=release)
    if not (readiness.complete and readiness.ready):
        return False
    return summaries.summary_ensure_for(edition=release.edition,
                                        entries=release_entries(release, readiness)) is not None


def releases_due_run(*, now: datetime | None = None) -> dict[int, str]:
    """Run every scheduled release that is due (a worker calls it after each job; `manage.py release_due` too)."""
    due = EditionRelease.objects.filter(status=EditionRelease.Status.SCHEDULED,
                                        scheduled_at__lte=now or timezone.now()).values_list("pk", flat=True)
    return {pk: release_run(release_id=pk, now=now) for pk in due}


def releases_late(*, late_seconds: int) -> list[EditionRelease]:
    """Scheduled releases due for longer than `late_seconds` (health)."""
    return list(EditionRelease.objects.filter(
        status=EditionRelease.Status.SCHEDULED, scheduled_at__lt=timezone.now() - timedelta(seconds=late_seconds),
    ).select_related("edition"))

