"""The summary report rendered for storage: editorial asks (signal `summary_wanted`) when a set of live versions is
published or prepared for a release, and stores what this returns. Readers are served the stored report; nothing
is computed or rendered on their request."""

from django.template.loader import render_to_string

from editorial.models import Revision
from editorial.rendering.pdf import render_branded_pdf
from portal.opendata import site
from portal.records import Record, record_from
from portal.summary import edition_summary


def entry_records(*, year: int, entries: list[tuple[str, int | None]]) -> list[Record]:
    """The records of a set of versions ((country code, revision id) pairs), by country name (one query)."""
    revisions = {r.pk: r for r in Revision.objects.filter(pk__in=[rev for _code, rev in entries if rev])
                 .select_related("factsheet__country")}
    records = []
    for code, revision_id in entries:
        revision = revisions.get(revision_id)
        if revision is None:
            continue
        records.append(record_from(year=year, code=code, country=revision.factsheet.country.name,
                                   snapshot=revision.snapshot, revision_id=revision_id))
    return sorted(records, key=lambda r: r.country)


def summary_render(*, year: int, records: list[Record]) -> tuple[str, bytes]:
    """The summary's HTML body (the page wraps it in the site's layout) and its PDF."""
    summary = edition_summary(records)
    context = {"year": year, "summary": summary, "preview": False, "records": records,
               "data_url": site(f"/data/{year}/data.json")}
    html = render_to_string("portal/_summary_body.html", context)
    pdf = render_branded_pdf(render_to_string("portal/print/summary.html", context), name=f"Summary report {year}")
    return html, pdf


def summary_wanted_receiver(sender, *, edition, entries, **kwargs) -> tuple[str, bytes] | None:
    records = entry_records(year=edition.year, entries=entries)
    if not records:
        return None
    return summary_render(year=edition.year, records=records)
