"""Stored summary reports: an edition's summary (HTML body and PDF) is rendered once for each set of live versions,
when that set is published or prepared for a release, and never on a reader's request. The portal renders it
(through the `summary_wanted` signal); it is stored here under the set's fingerprint, so the public finds it only
when exactly that set is live."""

import hashlib
import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from editorial.models import EditionSummary, Publication
from editorial.publishing.signals import summary_wanted
from factsheets.models import Edition

logger = logging.getLogger(__name__)

Entry = tuple[str, int | None]  # (country code, revision id)


def summary_fingerprint(entries: Iterable[Entry]) -> str:
    """The name of a set of live versions: which countries, each showing which approved revision."""
    text = "\n".join(sorted(f"{str(code).upper()}:{revision}" for code, revision in entries))
    return hashlib.sha256(text.encode()).hexdigest()


def live_entries(*, edition: Edition) -> list[Entry]:
    """The (country code, revision) of every live factsheet of the edition, as the public sees them now (or, inside
    a transaction, as they will be once it commits)."""
    latest = (Publication.objects.live().filter(factsheet=OuterRef("factsheet"))
              .order_by("-number").values("pk")[:1])
    return [(str(code), revision) for code, revision in
            Publication.objects.live().filter(factsheet__edition=edition, pk=Subquery(latest))
            .values_list("factsheet__country__code", "revision_id")]


def summary_get(*, edition_year: int, fingerprint: str) -> EditionSummary | None:
    return EditionSummary.objects.filter(edition__year=edition_year, fingerprint=fingerprint).first()


def summary_ensure_for(*, edition: Edition, entries: list[Entry]) -> EditionSummary | None:
    """The stored summary of this set of versions, rendered (by the portal) and stored if it is not yet. None when
    the set is empty or nothing renders summaries."""
    if not entries:
        return None
    fingerprint = summary_fingerprint(entries)
    found = EditionSummary.objects.filter(edition=edition, fingerprint=fingerprint).first()
    if found is not None:
        return found
    rendered = next((r for _receiver, r in summary_wanted.send(sender=EditionSummary, edition=edition,
                                                               entries=list(entries)) if r), None)
    if rendered is None:
        return None
    html, pdf = rendered
    summary = EditionSummary(edition=edition, fingerprint=fingerprint, html=html,
                             pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_size=len(pdf))
    summary.pdf.save(f"summary-{edition.year}-{fingerprint[:16]}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            summary.save()
    except IntegrityError:  # rendered meanwhile by another worker: keep theirs
        summary.pdf.storage.delete(summary.pdf.name)
        return EditionSummary.objects.get(edition=edition, fingerprint=fingerprint)
    return summary


def summary_ensure(*, edition: Edition) -> EditionSummary | None:
    """The stored summary of the edition's live versions (rendered now if it is missing)."""
    return summary_ensure_for(edition=edition, entries=live_entries(edition=edition))


def summaries_fill() -> int:
    """Render the missing summaries of every edition's live versions (after an upgrade). Returns how many."""
    made = 0
    for edition in Edition.objects.order_by("year"):
        entries = live_entries(edition=edition)
        if entries and not EditionSummary.objects.filter(edition=edition,
                                                         fingerprint=summary_fingerprint(entries)).exists():
            made += summary_ensure_for(edition=edition, entries=entries) is not None
    return made
