"""Reads of the public portal. Every page issues a fixed number of queries whatever the number of countries:
one for the publications it shows (their approved revisions joined), plus at most a few fixed lookups."""

import re
from html import unescape

from django.db.models import Count, F, Max, Min, Q

from editorial.models import AuditEntry, Publication
from editorial.selectors import (
    publication_current_get,
    publications_by_edition,
    publications_current,
    publications_live,
)
from factsheets.models import State
from portal.records import Record, record_from, record_of


def publication_state() -> dict:
    """What every public page depends on, in one query: it changes when a version goes live, is withdrawn or
    gets its web page, so it keys the page cache and the ETags (no signal to miss, any number of processes)."""
    return Publication.objects.aggregate(
        count=Count("pk"), last=Max("pk"), published=Max("published_at"), withdrawn=Max("withdrawn_at"),
        withdrawn_count=Count("withdrawn_at"), pages=Count("pk", filter=~Q(page_html="")),
    )


def editions_index() -> list[tuple[int, list[Publication]]]:
    """The published factsheets by edition, each with the other editions its country is published in."""
    editions = publications_by_edition()
    years: dict[str, list[int]] = {}
    for year, publications in editions:
        for publication in publications:
            years.setdefault(str(publication.factsheet.country.code), []).append(year)
    for year, publications in editions:
        for publication in publications:
            publication.other_years = [y for y in years[str(publication.factsheet.country.code)] if y != year]
    return editions


def edition_records(*, year: int) -> list[Record]:
    """The live publication of every published country of an edition, as records, by country name (one query)."""
    publications = publications_current().filter(factsheet__edition__year=year).select_related("revision")
    return [record_of(p) for p in publications]


def factsheet_page(*, year: int, code: str) -> dict | None:
    """The live publication of a country's factsheet with its page, its earlier live versions and the same
    country's factsheets in other editions (three queries)."""
    current = publication_current_get(year=year, country_code=code)
    if current is None:
        return None
    earlier = list(publications_live().filter(factsheet=current.factsheet_id, number__lt=current.number)
                   .defer("page_html").order_by("-number"))
    others = list(publications_current().filter(factsheet__country__code=code.upper())
                  .exclude(factsheet__edition__year=year).defer("page_html"))
    return {"publication": current, "earlier": earlier, "other_editions": others,
            "toc": page_contents(current.page_html)}


_HEADING = re.compile(r'<h2 id="((?:section-[a-z_]+-|footnotes-)title)">(.*?)</h2>', re.S)


def page_contents(page_html: str) -> list[tuple[str, str]]:
    """The sections of a stored factsheet page as (anchor, title), for its table of contents."""
    return [(anchor.removesuffix("-title") if anchor.startswith("section-") else anchor, unescape(title).strip())
            for anchor, title in _HEADING.findall(page_html or "")]


def compare_records(*, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Record]:
    """The live publications of the (year, country code) pairs asked for (one query)."""
    if not keys:
        return {}
    wanted = Q()
    for year, code in keys:
        wanted |= Q(factsheet__edition__year=year, factsheet__country__code=code.upper())
    publications = publications_current().filter(wanted).select_related("revision")
    return {(p.factsheet.edition.year, str(p.factsheet.country.code).lower()): record_of(p) for p in publications}


def compare_choices() -> list[tuple[str, str]]:
    """Every live factsheet as (key, label) for the compare form, newest edition first (one query)."""
    rows = publications_current().values_list("factsheet__edition__year", "factsheet__country__code",
                                              "factsheet__country__name")
    return [(f"{year}-{str(code).lower()}", f"{name} {year}") for year, code, name in rows]


def summary_preview_records(*, year: int) -> list[Record]:
    """An editor's preview of the summary: the published records, plus every approved factsheet not yet live in
    that revision (in place of its live version, if any), marked as a preview (two queries)."""
    records = {r.code: r for r in edition_records(year=year)}  # codes as text
    approvals = (
        AuditEntry.objects.filter(action="approve", factsheet__edition__year=year, factsheet__state=State.APPROVED,
                                  revision__isnull=False)
        .select_related("revision", "factsheet__country").order_by("factsheet", "-at", "-id")
    )
    latest: dict[int, AuditEntry] = {}
    for entry in approvals:
        latest.setdefault(entry.factsheet_id, entry)
    for entry in latest.values():
        country = entry.factsheet.country
        records[str(country.code)] = record_from(year=year, code=country.code, country=country.name,
                                            snapshot=entry.revision.snapshot, preview=True)
    return sorted(records.values(), key=lambda r: r.country)


def editions_catalog() -> list[dict]:
    """Each edition with live publications: how many countries, first and last publication dates (one query)."""
    rows = (
        Publication.objects.filter(withdrawn_at__isnull=True).values("factsheet__edition__year")
        .annotate(count=Count("factsheet", distinct=True), first=Min("published_at"), modified=Max("published_at"))
        .order_by("-factsheet__edition__year")
    )
    return [{"year": r["factsheet__edition__year"], "count": r["count"], "first": r["first"].isoformat(),
             "modified": r["modified"].isoformat()} for r in rows]


def sitemap_publications() -> list[dict]:
    """Every publication, live or withdrawn, with its edition, country and dates, for the sitemap (one query)."""
    return list(Publication.objects.values(
        "factsheet", "number", "published_at", "withdrawn_at",
        year=F("factsheet__edition__year"), code=F("factsheet__country__code"),
    ))
