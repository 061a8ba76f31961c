"""Full-text search of the published factsheets: the passages of the live publications (the latest live version
of each factsheet, from `Publication.objects.live()` at the time of the search, never the index alone) that
match a query, best first, one page at a time, with their matches marked. PostgreSQL ranks with ts_rank over
a stored, GIN-indexed tsvector, SQLite with FTS5's bm25 (the two agree on clear cases and may order close ones
differently); near-equal passages fall to the newest edition, then the country, then the order on the page. Two
queries, whatever the number of factsheets: the ranked page (with the total), then its passages with their
country and edition."""

import math
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Max, Value, Window
from django.db.models.functions import Floor, Greatest, Ln
from django.urls import reverse
from django.utils.safestring import SafeString

from editorial.models import Publication
from editorial.publishing.selectors import publications_current
from factsheets.models import Country, Edition, Factsheet
from portal.models import SearchPassage
from portal.search.query import Query
from portal.search.services import CONFIG
from portal.search.text import START, STOP, excerpt, highlighted, spans

PAGE_SIZE = 20
MAX_PAGE = 50
TITLE_WEIGHT = 5.0  # a match in a policy's name or a topic's title counts five times one in the text
# Relevance is counted in steps of 5 % below the best passage's: passages in the same step rank as equals, the newest
# edition first, then the country and the order on the page. The same text in two editions (most of a country's
# factsheet, a little changed) then comes in the same order on both databases, whose scores differ in detail.
BAND = 1.05
PG_WEIGHTS = [0.1, 0.1, 1.0 / TITLE_WEIGHT, 1.0]  # ts_rank's weights of D, C, B (texts) and A (titles)


@dataclass
class Hit:
    year: int
    code: str
    country: str
    section: str
    title: SafeString
    excerpt: SafeString
    url: str


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, -(-self.total // PAGE_SIZE))


def search_choices() -> tuple[list[int], list[tuple[str, str]]]:
    """The editions and the countries that have live factsheets, for the search filters (one query)."""
    rows = publications_current().values_list("factsheet__edition__year", "factsheet__country__code",
                                              "factsheet__country__name")
    years = sorted({year for year, _, _ in rows}, reverse=True)
    countries = sorted({(str(code).lower(), name) for _, code, name in rows}, key=lambda c: c[1])
    return years, countries


def _live(year: int | None, code: str | None):
    live = publications_current()
    if year is not None:
        live = live.filter(factsheet__edition__year=year)
    if code:
        live = live.filter(factsheet__country__code=code.upper())
    return live.values("pk")


def _sqlite_page(query: Query, live, offset: int) -> tuple[list[tuple], int]:
    live_sql, live_params = live.query.sql_with_params()
    tables = {"passage": SearchPassage._meta.db_table, "publication": Publication._meta.db_table,
              "factsheet": Factsheet._meta.db_table, "edition": Edition._meta.db_table,
              "country": Country._meta.db_table}
    # bm25() is lower for better matches; it can only be read where the FTS5 table is matched, so the window
    # (the total) and highlight() read the page from outside. Only table names and the ORM's own SQL are formatted
    # in: every value is a parameter.
    sql = f"""
        WITH matched AS (
            SELECT p.id AS id, MAX(-bm25(portal_search_fts, {TITLE_WEIGHT}, 1.0) * p.weight, 1e-12) AS score,
                   e.year AS year, c.name AS country, p.position AS position
            FROM portal_search_fts
            JOIN {tables["passage"]} p ON p.id = portal_search_fts.rowid
            JOIN {tables["publication"]} pub ON pub.id = p.publication_id
            JOIN {tables["factsheet"]} f ON f.id = pub.factsheet_id
            JOIN {tables["edition"]} e ON e.id = f.edition_id
            JOIN {tables["country"]} c ON c.id = f.country_id
            WHERE portal_search_fts MATCH %s AND p.publication_id IN ({live_sql})
        ), measured AS (
            SELECT *, MAX(score) OVER () AS best, COUNT(*) OVER () AS total FROM matched
        ), page AS (
            SELECT id, FLOOR(LN(best / score) / %s) AS band, year, country, position, total FROM measured
            ORDER BY band, year DESC, country, position LIMIT %s OFFSET %s
        )
        SELECT page.id, page.total, highlight(portal_search_fts, 0, %s, %s), highlight(portal_search_fts, 1, %s, %s)
        FROM page JOIN portal_search_fts ON portal_search_fts.rowid = page.id
        WHERE portal_search_fts MATCH %s
        ORDER BY page.band, page.year DESC, page.country, page.position"""  # noqa: S608
    fts = query.fts5()
    params = [fts, *live_params, math.log(BAND), PAGE_SIZE, offset, START, STOP, START, STOP, fts]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = rows[0][1] if rows else 0
    return [(row[0], row[2], row[3]) for row in rows], total


def _postgres_page(query: Query, live, offset: int) -> tuple[list[tuple], int]:
    terms = SearchQuery(query.websearch(), search_type="websearch", config=CONFIG)
    marks = {"config": CONFIG, "start_sel": START, "stop_sel": STOP, "highlight_all": True}
    rows = list(
        SearchPassage.objects.filter(publication__in=live, vector=terms)
        .annotate(score=Greatest(SearchRank(F("vector"), terms, weights=PG_WEIGHTS, normalization=1) * F("weight"),
                                 Value(1e-12)))
        .annotate(band=Floor(Ln(Window(Max("score")) / F("score")) / Value(math.log(BAND))),
                  total=Window(Count("pk")))
        .order_by("band", "-publication__factsheet__edition__year", "publication__factsheet__country__name",
                  "position")
        .annotate(title_marked=SearchHeadline("title_search", terms, **marks),
                  body_marked=SearchHeadline("body_search", terms, **marks))
        .values_list("pk", "total", "title_marked", "body_marked")[offset:offset + PAGE_SIZE]
    )
    total = rows[0][1] if rows else 0
    return [(row[0], row[2], row[3]) for row in rows], total


def search(*, query: Query, year: int | None = None, code: str | None = None, page: int = 1) -> Results:
    """One page of the passages of the live factsheets that match, best first (two queries)."""
    page = max(1, min(page, MAX_PAGE))
    live = _live(year, code)
    ranked = _postgres_page if connection.vendor == "postgresql" else _sqlite_page
    rows, total = ranked(query, live, (page - 1) * PAGE_SIZE)
    if not rows:
        if page > 1:  # past the last page: say how many there are (one more query)
            total = ranked(query, live, 0)[1]
        return Results(hits=[], total=total, page=page)
    passages = SearchPassage.objects.select_related(
        "publication__factsheet__country", "publication__factsheet__edition").in_bulk([row[0] for row in rows])
    hits, phrases = [], query.phrases
    for pk, title_marked, body_marked in rows:
        passage = passages[pk]
        factsheet = passage.publication.factsheet
        year_, code_ = factsheet.edition.year, str(factsheet.country.code).lower()
        hits.append(Hit(
            year=year_, code=code_, country=factsheet.country.name, section=passage.section,
            title=highlighted(passage.title, spans(title_marked, passage.title, phrases=phrases)),
            excerpt=excerpt(passage.body, spans(body_marked, passage.body, phrases=phrases)),
            url=reverse("portal:factsheet", args=[year_, code_]) + f"#{passage.anchor}",
        ))
    return Results(hits=hits, total=total, page=page)
