"""Reads of publishing: the live versions the public sees, earlier versions, and the publish jobs' progress."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from editorial.models import EditionRelease, Publication, PublishJob
from factsheets.models import Edition, Factsheet


def current_publication(*, factsheet: Factsheet) -> Publication | None:
    """The version the public sees: the latest publication not withdrawn."""
    return (
        Publication.objects.live().filter(factsheet=factsheet)
        .select_related("revision", "published_by").order_by("-number").first()
    )


def publication_list(*, factsheet: Factsheet) -> QuerySet[Publication]:
    return Publication.objects.filter(factsheet=factsheet).select_related("published_by").order_by("-number")


def publications_live() -> QuerySet[Publication]:
    return Publication.objects.live().select_related(
        "factsheet__country", "factsheet__edition"
    )


def publications_current() -> QuerySet[Publication]:
    """The latest not-withdrawn publication of every factsheet that has one."""
    latest = (
        Publication.objects.live().filter(factsheet=OuterRef("factsheet"))
        .order_by("-number").values("pk")[:1]
    )
    return publications_live().filter(pk=Subquery(latest)).order_by(
        "-factsheet__edition__year", "factsheet__country__name"
    )


def publications_by_edition() -> list[tuple[int, list[Publication]]]:
    """Current publications grouped by edition (newest first), each with its earlier live version numbers."""
    grouped: dict[int, list[Publication]] = defaultdict(list)
    current = list(publications_current())
    earlier: dict[int, list[int]] = defaultdict(list)
    for factsheet_id, number in (
        publications_live().filter(factsheet__in=[p.factsheet_id for p in current])
        .order_by("number").values_list("factsheet", "number")
    ):
        earlier[factsheet_id].append(number)
    for publication in current:
        publication.earlier_numbers = [n for n in earlier[publication.factsheet_id] if n < publication.number]
        grouped[publication.factsheet.edition.year].append(publication)
    return sorted(grouped.items(), reverse=True)


def publication_current_get(*, year: int, country_code: str) -> Publication | None:
    return (
        publications_live()
        .filter(factsheet__edition__year=year, factsheet__country__code=country_code.upper())
        .order_by("-number").first()
    )


def publication_version_get(*, year: int, country_code: str, number: int) -> Publication | None:
    return publications_live().filter(
        factsheet__edition__year=year, factsheet__country__code=country_code.upper(), number=number
    ).first()


def edition_has_publications(*, edition: Edition) -> bool:
    return Publication.objects.filter(factsheet__edition=edition).exists()


def country_has_publications(*, country) -> bool:
    return Publication.objects.filter(factsheet__country=country).exists()


def factsheets_unpublished() -> QuerySet[Factsheet]:
    return Factsheet.objects.filter(~Q(pk__in=Publication.objects.values("factsheet"))).select_related(
        "country", "edition"
    )


def publish_status(*, factsheet: Factsheet) -> dict[str, Any]:
    """The factsheet's latest publish job, as the page shows it: status, attempts, error, the version it made."""
    job = (PublishJob.objects.filter(factsheet=factsheet).select_related("publication")
           .order_by("-requested_at", "-id").first())
    if job is None:
        return {"status": None}
    return {
        "status": job.status, "label": job.get_status_display(), "attempts": job.attempts, "error": job.error,
        "active": job.status in PublishJob.ACTIVE,
        "version": job.publication.number if job.publication_id else None,
        "requested_at": job.requested_at.isoformat(),
    }


def batch_jobs(*, batch: str) -> list:
    """The jobs of one "publish the edition" action, the latest per factsheet (a retried one counts once)."""
    latest = {}
    for job in (PublishJob.objects.filter(batch=batch)
                .select_related("factsheet__country", "factsheet__edition", "publication")
                .order_by("requested_at", "id")):
        latest[job.factsheet_id] = job
    return list(latest.values())


def batch_progress(*, batch: str) -> dict[str, Any]:
    """How far one "publish the edition" action has got: counts per status and the failed factsheets."""
    jobs = batch_jobs(batch=batch)
    counts = {status: sum(1 for job in jobs if job.status == status) for status in PublishJob.Status.values}
    return {
        "batch": batch, "total": len(jobs), **counts,
        "finished": all(job.status not in PublishJob.ACTIVE for job in jobs),
        "failed_items": [{"country": str(job.factsheet.country.name), "error": job.error}
                         for job in jobs if job.status == PublishJob.Status.FAILED],
    }


@dataclass
class PublicationEvent:
    """One thing that happened to the public versions, as a feed tells it."""

    kind: str  # published | corrected | withdrawn | released
    at: Any
    year: int
    code: str  # "" for an edition's release
    title: str
    text: str
    guid: str


def publication_events(*, year: int | None = None, limit: int = 100) -> list[PublicationEvent]:
    """New factsheets, new versions with their notes, withdrawals and edition releases, newest first (three
    queries). Only what the public has seen: nothing prepared for a release to come."""
    released = Publication.objects.released().select_related("factsheet__country", "factsheet__edition")
    releases = EditionRelease.objects.filter(status=EditionRelease.Status.RELEASED).select_related("edition")
    if year is not None:
        released = released.filter(factsheet__edition__year=year)
        releases = releases.filter(edition__year=year)
    events = []
    for p in released.order_by("-published_at", "-id")[:limit]:
        fs = p.factsheet
        name, y, code = fs.country.name, fs.edition.year, str(fs.country.code).lower()
        if p.number == 1:
            title, text = f"{name}, {y} edition: new factsheet", f"The {y} country factsheet of {name} is published."
        else:
            title = f"{name}, {y} edition: version {p.number}"
            text = p.note or f"Version {p.number} of the {y} country factsheet of {name} is published."
        events.append(PublicationEvent("published" if p.number == 1 else "corrected", p.published_at, y, code,
                                       title, text, f"publication-{p.pk}"))
    withdrawn: dict[tuple[int, Any], Publication] = {}
    for p in released.filter(withdrawn_at__isnull=False).order_by("-withdrawn_at", "-number")[:limit]:
        withdrawn.setdefault((p.factsheet_id, p.withdrawn_at), p)
    for p in withdrawn.values():
        fs = p.factsheet
        events.append(PublicationEvent(
            "withdrawn", p.withdrawn_at, fs.edition.year, str(fs.country.code).lower(),
            f"{fs.country.name}, {fs.edition.year} edition: withdrawn",
            f"The {fs.edition.year} country factsheet of {fs.country.name} is withdrawn from the site.",
            f"withdrawal-{p.factsheet_id}-{int(p.withdrawn_at.timestamp())}"))
    for release in releases.order_by("-released_at")[:limit]:
        y = release.edition.year
        events.append(PublicationEvent(
            "released", release.released_at, y, "", f"The {y} edition is released",
            f"The {y} edition of the ECCP country factsheets is released: {release.released_count} factsheet"
            f"{'s' if release.released_count != 1 else ''} with its summary report and open data.",
            f"release-{release.pk}"))
    events.sort(key=lambda e: (e.at, e.kind == "released"), reverse=True)
    return events[:limit]
