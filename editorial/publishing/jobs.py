"""Publish jobs, carried out by a worker: the approved revision is rendered (its snapshot, whatever happens to
the rows meanwhile), the PDF stored, and in one short transaction the next numbered publication goes live.
This module never touches the queue: it returns an Outcome and editorial.publishing.tasks schedules what
follows (a retry, a recovery)."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from editorial import notifications
from editorial.audit import audit_record, author_id, factsheet_lock, state_set
from editorial.models import EditionRelease, Publication, PublishJob, Revision
from editorial.permissions import WorkflowError, has_role_permission
from editorial.publishing import summaries
from editorial.publishing.signals import publications_changed
from editorial.publishing.storage import next_number, pdf_discard, pdf_store, publications_discard
from editorial.rendering import pdf as pdf_rendering
from editorial.rendering.document import factsheet_document, page_html_render
from editorial.revisions import revision_store
from editorial.selectors import approved_revision
from factsheets.models import Factsheet, State


@dataclass(frozen=True)
class Outcome:
    """What a run of a job came to: its status, and whether it should be tried again (`retry`: the job is
    still RUNNING with its error recorded; the caller queues it again)."""

    status: str
    retry: bool = False
    error: str = ""


class _PublishRefused(Exception):
    """The job cannot succeed however often it is tried (the state or the approval changed)."""


def revision_note(revision: Revision) -> str:
    """The public note of a revision (what its version corrects), as approved."""
    return ((revision.snapshot or {}).get("factsheet") or {}).get("correction_note") or ""


def colophon_for(*, factsheet: Factsheet, revision: Revision, number: int, dated: date) -> dict:
    """What the PDF's colophon says: this version, its date and note, and the earlier public versions."""
    earlier = [
        {"version": p.number, "date": p.dated or timezone.localdate(p.published_at), "note": p.note}
        for p in Publication.objects.released().filter(factsheet=factsheet, number__lt=number).order_by("number")
    ]
    return {"version": number, "date": dated, "note": revision_note(revision), "earlier": earlier}


def revision_render(*, factsheet: Factsheet, revision: Revision, colophon: dict | None = None) -> tuple[bytes, str]:
    """The PDF and the web page of a revision, both from its snapshot (never from the rows); the PDF's colophon
    names the version it is published as."""
    pdf = pdf_rendering.render_factsheet_pdf(factsheet, revision.snapshot, colophon=colophon)
    html = page_html_render(factsheet_document(factsheet, revision.snapshot, web=True,
                                               modified=revision.created_at))
    return pdf, html


def publication_make(*, factsheet: Factsheet, revision: Revision, by, pdf: bytes, stored: str,
                     page_html: str, release: EditionRelease | None = None, dated: date | None = None
                     ) -> Publication:
    """Make a rendered revision the factsheet's next version (the factsheet's row is locked by the caller): live at
    once, or prepared for a release (embargoed: not public until the release)."""
    return Publication.objects.create(
        factsheet=factsheet, number=next_number(factsheet), published_at=timezone.now(), published_by=by,
        pdf=stored, pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_size=len(pdf), revision=revision,
        page_html=page_html, release=release, embargoed=release is not None, note=revision_note(revision),
        dated=dated or timezone.localdate(),
    )


def publications_announce(*, publications: list[Publication], reason: str) -> None:
    """Tell the apps above (search index, sitemap…) that what the public sees changed, inside the transaction."""
    publications_changed.send(
        sender=Publication, reason=reason, publications=[p.pk for p in publications],
        editions=sorted({p.factsheet.edition_id for p in publications}),
    )


def publish_job_run(*, job_id: int) -> Outcome:
    """Carry out a publish job: render the job's (approved) revision outside any lock, store the PDF, then in one
    short transaction check that the factsheet is still approved with that revision and its requester may still
    publish, create the next numbered publication and make it live. A failure asks for a retry until the last
    attempt, which leaves the factsheet approved with the error in its timeline."""
    with transaction.atomic():
        job = PublishJob.objects.select_for_update(of=("self",)).select_related("factsheet").get(pk=job_id)
        if job.status != PublishJob.Status.QUEUED:
            # Done or failed already, or being rendered by another delivery of the same task: that run owns it
            # (if its worker died, the stale-job recovery queues it again).
            return Outcome(job.status)
        job.status, job.attempts, job.started_at = PublishJob.Status.RUNNING, job.attempts + 1, timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    stored = ""
    try:
        fs = Factsheet.objects.select_related("country", "edition").get(pk=job.factsheet_id)
        revision = Revision.objects.get(pk=job.revision_id)
        release = EditionRelease.objects.filter(pk=job.release_id).first() if job.release_id else None
        _publish_job_check(fs, job, release)
        number = next_number(fs)
        dated = release.local_time.date() if release else timezone.localdate()
        colophon = colophon_for(factsheet=fs, revision=revision, number=number, dated=dated)
        pdf, page_html = revision_render(factsheet=fs, revision=revision, colophon=colophon)
        stored = pdf_store(factsheet=fs, pdf=pdf, key=f"job{job.pk}-a{job.attempts}")
        if release is None:  # the summary of the edition as it will be: rendered now, outside any lock
            entries = [e for e in summaries.live_entries(edition=fs.edition) if e[0] != str(fs.country.code)]
            summaries.summary_ensure_for(edition=fs.edition, entries=[*entries, (str(fs.country.code), revision.pk)])
        with transaction.atomic():
            fs = factsheet_lock(fs)
            job = PublishJob.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=job.pk)
            if job.status != PublishJob.Status.RUNNING:
                pdf_discard(stored)
                return Outcome(job.status)
            if release is not None:
                release = EditionRelease.objects.select_for_update().get(pk=release.pk)
            _publish_job_check(fs, job, release)
            if release is not None:  # a version prepared earlier for this release is replaced
                publications_discard(Publication.objects.filter(factsheet=fs, embargoed=True))
            if next_number(fs) != number:
                raise WorkflowError("Another version was published during the render; rendering again.")
            publication = publication_make(factsheet=fs, revision=revision, by=job.requested_by, pdf=pdf,
                                           stored=stored, page_html=page_html, release=release, dated=dated)
            if release is not None:
                audit_record(factsheet=fs, by=job.requested_by, action="prepared", from_state=fs.state,
                             to_state=fs.state, revision=revision,
                             comment=f"Version {publication.number} is prepared for the release of the "
                                     f"{fs.edition.year} edition on {release.local_time:%d %B %Y %H:%M} "
                                     f"({release.time_zone}); not public until then.")
            else:
                state_set(fs, State.PUBLISHED)
                notified = notifications.author_notify(factsheet=fs, author_id=author_id(fs), by=job.requested_by,
                                                       decision=f"Published as version {publication.number}",
                                                       comment=job.comment)
                audit_record(factsheet=fs, by=job.requested_by, action="publish", from_state=State.APPROVED,
                             to_state=State.PUBLISHED, comment=job.comment or f"Version {publication.number}",
                             revision=revision, notified=notified)
                summaries.summary_ensure(edition=fs.edition)
                publications_announce(publications=[publication], reason="publish")
            job.status, job.finished_at, job.publication, job.error = (
                PublishJob.Status.DONE, timezone.now(), publication, "")
            job.save(update_fields=["status", "finished_at", "publication", "error"])
            return Outcome(job.status)
    except _PublishRefused as refusal:
        pdf_discard(stored)
        return Outcome(publish_job_failed(job, str(refusal)))
    except Exception as error:  # noqa: BLE001 - any failure of a render or of the storage: retry, then report
        pdf_discard(stored)
        message = error.message if isinstance(error, WorkflowError) else f"{error.__class__.__name__}: {error}"
        if job.attempts < settings.EDITORIAL_PUBLISH_ATTEMPTS:
            PublishJob.objects.filter(pk=job.pk, status=PublishJob.Status.RUNNING).update(error=message)
            return Outcome(PublishJob.Status.RUNNING, retry=True, error=message)
        return Outcome(publish_job_failed(job, message), error=message)


def _publish_job_check(fs: Factsheet, job: PublishJob, release: EditionRelease | None = None) -> None:
    if release is not None and release.status != EditionRelease.Status.SCHEDULED:
        raise _PublishRefused(f"The release it was prepared for is {release.get_status_display().lower()}.")
    if fs.state != State.APPROVED:
        raise _PublishRefused(f"{fs} is {fs.get_state_display().lower()}, no longer approved.")
    approved = approved_revision(factsheet=fs)
    if approved is None or approved.pk != job.revision_id:
        raise _PublishRefused("A newer revision was approved after this publish was requested.")
    if job.requested_by_id is not None and not has_role_permission(job.requested_by, "publish"):
        raise _PublishRefused(f"{job.requested_by} may no longer publish (deactivated, or the role was removed "
                              "since the request).")


def publish_job_failed(job: PublishJob, message: str) -> str:
    with transaction.atomic():
        PublishJob.objects.filter(pk=job.pk).update(status=PublishJob.Status.FAILED, error=message,
                                                    finished_at=timezone.now())
        fs = Factsheet.objects.get(pk=job.factsheet_id)
        audit_record(factsheet=fs, by=job.requested_by, action="publish_failed", from_state=fs.state,
                     to_state=fs.state, comment=f"Nothing was published: {message}", revision=job.revision)
    return PublishJob.Status.FAILED


def publish_jobs_stale() -> list[int]:
    """Put back in the queue the jobs whose worker died mid-render (running for longer than a render can take)
    and return their ids: their task was lost with the worker, so the caller queues each again in the same
    transaction (call inside one)."""
    stale = timezone.now() - timedelta(seconds=settings.EDITORIAL_PUBLISH_STALE_SECONDS)
    ids = []
    for job in PublishJob.objects.select_for_update(of=("self",), skip_locked=True).filter(
            status=PublishJob.Status.RUNNING, started_at__lt=stale):
        job.status, job.error = PublishJob.Status.QUEUED, "The worker stopped during the render; queued again."
        job.save(update_fields=["status", "error"])
        ids.append(job.pk)
    return ids


@transaction.atomic
def demo_publish(*, factsheet: Factsheet) -> Publication | None:
    """Publish a demo factsheet as loaded, through the same records as a real publish (revision, version,
    state, audit entry); a factsheet already published or past draft is left alone."""
    fs = factsheet_lock(factsheet)
    if fs.state != State.DRAFT or fs.publications.exists():
        return None
    revision, _ = revision_store(fs, by=None, reason="Loaded as demo data")
    colophon = colophon_for(factsheet=fs, revision=revision, number=next_number(fs), dated=timezone.localdate())
    pdf, page_html = revision_render(factsheet=fs, revision=revision, colophon=colophon)
    stored = pdf_store(factsheet=fs, pdf=pdf, key=f"v{next_number(fs)}")
    try:
        publication = publication_make(factsheet=fs, revision=revision, by=None, pdf=pdf, stored=stored,
                                       page_html=page_html)
    except BaseException:
        pdf_discard(stored)
        raise
    state_set(fs, State.PUBLISHED)
    audit_record(factsheet=fs, by=None, action="publish", from_state=State.DRAFT, to_state=State.PUBLISHED,
                 comment=f"Demo data published as loaded (version {publication.number})", revision=revision)
    summaries.summary_ensure(edition=fs.edition)
    publications_announce(publications=[publication], reason="publish")
    return publication


def publication_pages_fill() -> int:
    """Give every publication made before web pages were stored its page, rendered from the approved revision
    it was published from. Returns how many pages were filled."""
    filled = 0
    for publication in (Publication.objects.filter(page_html="", revision__isnull=False)
                        .select_related("revision", "factsheet__country", "factsheet__edition")):
        html = page_html_render(factsheet_document(publication.factsheet, publication.revision.snapshot, web=True,
                                                   modified=publication.revision.created_at))
        Publication.objects.filter(pk=publication.pk).update(page_html=html)
        filled += 1
    return filled
