"""Reads of the public portal. Every page issues a fixed number of queries whatever the number of countries:
one for the publications it shows (their approved revisions joined), plus at most a few fixed lookups."""

import re
from html import unescape

from django.db.models import Count, F, Max, Min, Q, Subquery

from editorial.models import AuditEntry, EditionRelease, Publication
from editorial.publishing.selectors import (
    publications_by_edition,
    publications_current,
    publications_live,
)
from factsheets.models import Edition, State
from portal.opendata.common import Methodology
from portal.records import VOCABULARIES, Record, number, record_from, record_of


def publication_state(*, year: int | None = None, code: str | None = None, number: int | None = None) -> dict:
    """What every public page depends on, in one query: it changes when a version goes live (an edition's release
    included: its versions get the release's time), is withdrawn or gets its web page, so it keys the page cache
    and the ETags (no signal to miss, any number of processes). Versions prepared for a release to come are not
    counted: preparing changes nothing the public sees. A data file asks only about its own dataset (an edition, a
    country's factsheet, one version)."""
    scope = Q()
    if year is not None:
        scope &= Q(factsheet__edition__year=year)
    if code is not None:
        scope &= Q(factsheet__country__code=code.upper())
    if number is not None:
        scope &= Q(number=number)
    upcoming = (EditionRelease.objects.filter(status=EditionRelease.Status.SCHEDULED).order_by("scheduled_at")
                .values("scheduled_at")[:1])
    return Publication.objects.released().filter(scope).aggregate(
        next_release=Min(Subquery(upcoming)),  # the next release to come: no page may be kept in a cache past it
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
    # publication_current_get's query with the revision joined: the policies' identifiers anchor Table 1.
    current = (publications_live().filter(factsheet__edition__year=year, factsheet__country__code=code.upper())
               .select_related("revision").order_by("-number").first())
    if current is None:
        return None
    snapshot = current.revision.snapshot if current.revision_id else {}
    policies = sorted(snapshot.get("policies", []), key=lambda p: p.get("order") or 0)
    current.page_html = policy_anchors(current.page_html, [p.get("uid") or "" for p in policies])
    current.page_html = topic_anchors(current.page_html, len(snapshot.get("qualitative", [])))
    earlier = list(publications_live().filter(factsheet=current.factsheet_id, number__lt=current.number)
                   .defer("page_html").order_by("-number"))
    others = list(publications_current().filter(factsheet__country__code=code.upper())
                  .exclude(factsheet__edition__year=year).defer("page_html"))
    return {"publication": current, "earlier": earlier, "other_editions": others,
            "toc": page_contents(current.page_html)}


_POLICY_HEAD = '<th scope="col"><span class="policy-type">'
_TABLE1_HEAD = re.compile(r'<table class="fs-table policy-table[^"]*">.*?</thead>', re.S)


def policy_anchors(page_html: str, uids: list[str]) -> str:
    """Table 1's column headers of a stored page, each with the anchor of its policy's stable identifier
    (#policy-<id>), the same in every version and edition that carries the policy; a page whose table does not
    have one header per policy is left as it is."""
    match = _TABLE1_HEAD.search(page_html or "")
    if not match or match[0].count(_POLICY_HEAD) != len(uids) or not all(uids):
        return page_html
    head = match[0]
    for uid in uids:
        head = head.replace(_POLICY_HEAD, f'<th scope="col" id="policy-{uid}"><span class="policy-type">', 1)
    return page_html[:match.start()] + head + page_html[match.end():]


def topic_anchors(page_html: str, count: int) -> str:
    """The headings of the qualitative assessments of a stored page (its only <h3>), each with the anchor of its
    place (#topic-1, … in page order: search results link there); a page with another number is left as it is."""
    if not count or (page_html or "").count("<h3>") != count:
        return page_html
    numbers = iter(range(1, count + 1))
    return re.sub("<h3>", lambda _: f'<h3 id="topic-{next(numbers)}">', page_html)


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
    """Each edition with live publications, newest first: its published countries and first and last publication
    dates (one query)."""
    rows = (Publication.objects.live()
            .values("factsheet__edition__year", "factsheet__country__code", "factsheet__country__name")
            .annotate(first=Min("published_at"), modified=Max("published_at"))
            .order_by("-factsheet__edition__year", "factsheet__country__name"))
    editions: dict[int, dict] = {}
    for row in rows:
        edition = editions.setdefault(row["factsheet__edition__year"], {
            "year": row["factsheet__edition__year"], "countries": {}, "first": row["first"],
            "modified": row["modified"]})
        edition["countries"][str(row["factsheet__country__code"])] = row["factsheet__country__name"]
        edition["first"] = min(edition["first"], row["first"])
        edition["modified"] = max(edition["modified"], row["modified"])
    return [{**e, "count": len(e["countries"]), "first": e["first"].isoformat(),
             "modified": e["modified"].isoformat()} for e in editions.values()]


def data_changes(*, limit: int = 200) -> list[dict]:
    """The changelog of the data: each version that went live or was withdrawn, newest first (one query)."""
    events = []
    for p in Publication.objects.released().select_related("factsheet__country", "factsheet__edition").order_by(
            "-published_at")[:limit]:
        key = {"year": p.factsheet.edition.year, "code": str(p.factsheet.country.code).lower(),
               "country": p.factsheet.country.name, "number": p.number}
        events.append({**key, "at": p.published_at, "what": "published", "live": p.withdrawn_at is None})
        if p.withdrawn_at:
            events.append({**key, "at": p.withdrawn_at, "what": "withdrawn", "live": False})
    return sorted(events, key=lambda e: e["at"], reverse=True)[:limit]


def all_records() -> list[Record]:
    """The live publication of every published factsheet of every edition (one query)."""
    return [record_of(p) for p in publications_current().select_related("revision")]


def version_record(*, year: int, code: str, number: int) -> Record | None:
    """One live published version of a factsheet, from the revision it was rendered from (one query)."""
    publication = (publications_live().filter(factsheet__edition__year=year, factsheet__country__code=code.upper(),
                                             number=number).select_related("revision").first())
    return record_of(publication) if publication else None


def edition_methodologies(*, years: list[int] | None = None) -> list[Methodology]:
    """Each published edition's methodology and vocabularies as its published data holds them: the criteria,
    levels and categories that the live published versions printed (nothing only a draft uses), with the
    definitions the edition gives them (five queries)."""
    snapshots = publications_live().filter(revision__isnull=False)
    if years is not None:
        snapshots = snapshots.filter(factsheet__edition__year__in=years)
    found: dict[int, Methodology] = {}
    for year, method, snapshot in snapshots.order_by("-factsheet__edition__year", "pk").values_list(
            "factsheet__edition__year", "factsheet__edition__assessment_method", "revision__snapshot"):
        meth = found.setdefault(year, Methodology(year=year, method=method))
        for item in (snapshot.get("edition") or {}).get("criteria", []):
            meth.add_criterion(item["name"], [lv["label"] for lv in item.get("levels", [])],
                               number(item.get("max_score")))
        for policy in snapshot.get("policies", []):
            for vocabulary, name in VOCABULARIES.items():
                value = policy.get(name)
                for label in value if isinstance(value, list) else [value]:
                    if label:
                        meth.add_label(vocabulary, label)
    editions = Edition.objects.filter(year__in=list(found)).prefetch_related("criteria__levels", "categories")
    for edition in editions:
        meth = found[edition.year]
        for criterion in edition.criteria.all():
            if criterion.name in meth.criteria:
                known = meth.criteria[criterion.name]
                known.definition = criterion.definition
                known.level_definitions = {lv.label: lv.definition for lv in criterion.levels.all()
                                           if lv.label in known.levels}
        for category in edition.categories.all():
            if category.label in meth.vocabularies.get(category.vocabulary, []):
                meth.descriptions[(category.vocabulary, category.label)] = category.description
    return list(found.values())


def version_changes(*, year: int, code: str, number: int) -> dict | None:
    """What changed in a published version since the one before it, in words (two queries), for readers."""
    from editorial.snapshots import snapshot_compare
    from factsheets.models import Factsheet
    from factsheets.values import field_label

    new = publications_live().filter(factsheet__edition__year=year, factsheet__country__code=code.upper(),
                                     number=number).select_related("revision").first()
    if new is None or new.revision is None:
        return None
    previous = (publications_live().filter(factsheet=new.factsheet_id, number__lt=number).select_related("revision")
                .order_by("-number").first())
    if previous is None or previous.revision is None:
        return None
    note_label = field_label(Factsheet, "correction_note")
    changes = [c for c in snapshot_compare(previous.revision.snapshot, new.revision.snapshot) if c.label != note_label]
    return {"publication": new, "previous": previous, "changes": changes}


def feed_entries(*, year: int | None = None, limit: int = 100) -> list:
    """The publications' events, newest first: new factsheets, new versions with their notes, edition releases
    and withdrawals (three queries)."""
    from editorial.publishing.selectors import publication_events

    return publication_events(year=year, limit=limit)


def sitemap_publications() -> list[dict]:
    """Every publication, live or withdrawn, with its edition, country and dates, for the sitemap (one query)."""
    return list(Publication.objects.released().values(
        "factsheet", "number", "published_at", "withdrawn_at",
        year=F("factsheet__edition__year"), code=F("factsheet__country__code"),
    ))
