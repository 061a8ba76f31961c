"""The public pages (issue 9): the factsheet page, the explorer, compare, the summary report; published content
only, fixed query counts, caching with ETag/Last-Modified and 304."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import services
from factsheets.models import State, Vocabulary
from tests import factories
from tests.portal.conftest import LEVELS, EditionBuilder, published_edition

pytestmark = pytest.mark.django_db


def test_factsheet_page_shows_the_published_revision_with_its_versions_and_other_editions(client, make_user):
    builder = EditionBuilder(2041)
    fs = builder.factsheet("FR", level=LEVELS[3], intro="Approved wording.[^n1]", policies=[
        ("National cluster policy", ["Fostering innovation"], 2_500_000, "Pôle programme")])
    factories.FootnoteFactory(factsheet=fs, key="n1", text="<p>The note's text.</p>")
    first = factories.publish_fast(fs)
    second = factories.publish_fast(fs)
    other = EditionBuilder(2040).factsheet("FR", level=LEVELS[1])
    factories.publish_fast(other)
    # A new draft after publishing: its words must not reach the public page.
    fs.introduction = "<p>Unreviewed wording.</p>"
    fs.save()

    response = client.get("/factsheets/2041/fr/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Approved wording." in html and "Unreviewed wording." not in html
    assert '<html lang="en">' in html
    assert re.search(r"<title>France, 2041: country factsheet · ", html)
    assert '<link rel="canonical" href="http://testserver/factsheets/2041/fr/">' in html
    assert 'name="description" content="Cluster policy in France' in html
    assert 'href="/factsheets/2041/fr.pdf"' in html and f"({second.pdf_size}" in html.replace("\xa0", " ")
    assert f'href="/factsheets/2041/fr/v{first.number}.pdf"' in html  # the earlier version, with its date
    assert 'href="/factsheets/2040/fr/"' in html and "?f=2041-fr&amp;f=2040-fr" in html
    # Footnotes are linked notes with a way back; categories are marked apart from free text.
    assert 'href="#fn-1" id="fnref-1"' in html and 'href="#fnref-1"' in html
    assert '<li class="cat">Fostering innovation</li>' in html
    assert 'data-policy="Pôle programme"' in html


def test_unpublished_and_unknown_factsheets_are_404(client):
    builder = EditionBuilder(2042)
    builder.factsheet("DE")
    assert client.get("/factsheets/2042/de/").status_code == 404
    assert client.get("/factsheets/2042/").status_code == 404
    assert client.get("/factsheets/2042/summary/").status_code == 404
    assert client.get("/factsheets/2042/d1/").status_code == 404
    assert client.get("/data/2042/data.json").status_code == 404
    assert client.get("/data/2042/schema.json").status_code == 404
    assert client.get("/data/2042/de/v1.json").status_code == 404


def test_explorer_filters_search_and_sort_by_links():
    builder = EditionBuilder(2043)
    specs = {
        "AT": ("Regional cluster policy", ["Supporting internationalisation activities"], LEVELS[3]),
        "BE": ("National cluster policy", ["Fostering innovation"], LEVELS[1]),
        "CZ": ("Broad policy", ["Supporting internationalisation activities", "Fostering innovation"], LEVELS[2]),
    }
    for code, (kind, objectives, level) in specs.items():
        factories.publish_fast(builder.factsheet(code, level=level, policies=[(kind, objectives, None, f"P {code}")]))
    from django.test import Client

    client = Client()
    html = client.get("/factsheets/2043/").content.decode()
    assert "<strong>3</strong> of 3 countries match" in html
    url = "/factsheets/2043/?objective=Supporting+internationalisation+activities"
    assert 'href="?objective=Supporting+internationalisation+activities"' in html  # a filter is a link
    html = client.get(url, follow=True).content.decode()
    assert "<strong>2</strong> of 3 countries match" in html
    assert ">Austria<" in html and ">Czechia<" in html and ">Belgium<" not in html
    # Two categories: one policy must have both.
    html = client.get(url + "&policy_type=Regional+cluster+policy", follow=True).content.decode()
    assert "<strong>1</strong> of 3" in html and ">Austria<" in html
    assert '<ul class="matching" aria-label="Policies matching the filters"><li>P AT</li></ul>' in html
    html = client.get(url + "&objective=Fostering+innovation", follow=True).content.decode()
    assert "<strong>1</strong> of 3" in html and ">Czechia<" in html
    html = client.get("/factsheets/2043/?dedicated=none").content.decode()
    assert "<strong>1</strong> of 3" in html and ">Czechia<" in html
    state = f"/factsheets/2043/?state=Policy+scope::{LEVELS[1].replace(' ', '+')}"
    html = client.get(state, follow=True).content.decode()
    assert "<strong>1</strong> of 3" in html and ">Belgium<" in html
    html = client.get("/factsheets/2043/?q=belg").content.decode()
    assert "<strong>1</strong> of 3" in html and ">Belgium<" in html
    # Sorting by the level reached, highest first; the header says so.
    html = client.get("/factsheets/2043/?sort=-c1").content.decode()
    assert html.index(">Austria<") < html.index(">Czechia<") < html.index(">Belgium<")
    assert 'aria-sort="descending"' in html
    # Junk parameters are dropped (a redirect to the query understood), not errors.
    junk = client.get("/factsheets/2043/?sort=zzz&state=nonsense&dedicated=x&zzz=1")
    assert junk.status_code == 301 and junk["Location"] == "/factsheets/2043/"


def test_compare_lines_up_criteria_marks_shared_categories_and_refuses_to_compare_methods(client, demo):
    from django.core.management import call_command

    call_command("publish_demo", verbosity=0)
    response = client.get("/factsheets/compare/?f=2023-mx&f=2020-mx")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Their state of play does not compare" in html
    assert "Scores against their maxima" in html and "Levels reached" in html
    assert re.search(r'<th scope="row">Budget, overall</th>', html)
    # The 2020 page draws its scores as the PDF does: an SVG chart whose title gives every figure.
    page = client.get("/factsheets/2020/mx/").content.decode()
    assert re.search(r'<figure class="chart-figure"><svg [^>]*role="img"><title>[^<]*Policy scope: 2 of', page)
    assert 'class="shared"' in html and "Supporting internationalisation activities" in html
    # Same method: one table, rows lined up, no warning.
    builder = EditionBuilder(2044)
    for code, level in [("PT", LEVELS[3]), ("ES", LEVELS[1])]:
        factories.publish_fast(builder.factsheet(code, level=level, policies=[
            ("Broad policy", ["Fostering innovation"], None, f"P {code}")]))
    html = client.get("/factsheets/compare/?f=2044-pt&f=2044-es&f=2044-zz&f=bad").content.decode()
    assert "does not compare" not in html and "Not published, so not compared: 2044-zz" in html
    row = re.search(r"<th scope=\"row\">Policy scope</th>(.*?)</tr>", html, re.S)[1]
    assert LEVELS[3] in row and LEVELS[1] in row
    assert "★ </span><span class=\"visually-hidden\">Shared: </span>Fostering innovation" in html


def test_summary_figures_of_a_hand_computed_edition(client):
    builder = EditionBuilder(2045)
    factories.publish_fast(builder.factsheet("AT", level=LEVELS[3], policies=[
        ("National cluster policy", ["Supporting internationalisation activities", "Fostering innovation"],
         1_000_000, "A1")]))
    factories.publish_fast(builder.factsheet("BE", level=LEVELS[3], policies=[
        ("Regional cluster policy", ["Supporting internationalisation activities"], None, "B1"),
        ("Broad policy", ["Promoting entrepreneurship"], 3_000_000, "B2")]))
    factories.publish_fast(builder.factsheet("CZ", level=LEVELS[0], policies=[
        ("Broad policy", ["Fostering innovation"], None, "C1")]))
    from portal.selectors import edition_records
    from portal.summary import edition_summary

    summary = edition_summary(edition_records(year=2045))
    dedicated = {f.label: (f.count, f.total) for f in summary["dedicated"].figures}
    assert dedicated == {
        "Dedicated national and/or regional cluster policy": (2, 3), "Dedicated national cluster policy": (1, 3),
        "Dedicated regional cluster policy": (1, 3), "Dedicated national and regional cluster policies": (0, 3),
        "No dedicated cluster policy": (1, 3),
    }
    objectives = {f.label: (f.count, f.total, f.percent) for g in summary["groups"] if g.key == Vocabulary.OBJECTIVE
                  for f in g.figures}
    assert objectives == {"Supporting internationalisation activities": (2, 4, 50), "Fostering innovation": (2, 4, 50),
                          "Promoting entrepreneurship": (1, 4, 25)}
    overall = summary["budgets"][0]
    assert (overall["known"], overall["sum"], overall["median"]) == (2, "EUR 4 million", "EUR 2 million")
    levels = {f.label: f.count for f in summary["criteria"][0]["figures"]}
    assert levels == {LEVELS[0]: 1, LEVELS[1]: 0, LEVELS[2]: 0, LEVELS[3]: 2}

    html = client.get("/factsheets/2045/summary/").content.decode()
    # Every figure links to the countries behind it, and the explorer behind the link lists exactly those.
    link = re.search(r'href="(/factsheets/2045/\?objective=Supporting[^"]+)"[^>]*>2</a>', html)[1]
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "<strong>2</strong> of 3" in listed and ">Austria<" in listed and ">Belgium<" in listed
    assert "<svg class=\"bar\"" in html
    assert '<td class="share">50&nbsp;%</td>' in html  # never "50" at a line's end and "%" on the next


def test_summary_pdf_is_branded_and_carries_the_figures(client):
    from io import BytesIO

    from pypdf import PdfReader

    published_edition(2046, 2)
    response = client.get("/factsheets/2046/summary.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "summary report" in text.lower() and "Dedicated national cluster policy" in text
    assert reader.metadata.title.startswith("Summary report 2046")


def test_editors_preview_includes_approved_factsheets_marked_and_the_public_never(client, make_user, users):
    from tests.editorial.conftest import walk

    builder = published_edition(2047, 2)
    fs = builder.factsheet("NZ", level=LEVELS[2], policies=[("Broad policy", ["Fostering innovation"], None,
                                                              "Approvedonly programme")])
    walk(fs, State.APPROVED, users)
    public = client.get("/factsheets/2047/summary/").content.decode()
    assert "New Zealand" not in public and "preview" not in public.lower()
    assert client.get("/factsheets/2047/summary/?preview=1").status_code in (302, 403)
    client.force_login(users["editor"])
    preview = client.get("/factsheets/2047/summary/?preview=1")
    html = preview.content.decode()
    assert preview.status_code == 200 and "Editors' preview, not public" in html
    assert "New Zealand*" in html and preview["Cache-Control"].startswith("max-age=0")
    client.logout()
    assert "New Zealand" not in client.get("/factsheets/2047/summary/").content.decode()


PAGES = ["/factsheets/", "/factsheets/{year}/", "/factsheets/{year}/?objective=Fostering+innovation&sort=-c1",
         "/factsheets/{year}/{code}/", "/factsheets/compare/?f={year}-{code}&f={year}-{code2}",
         "/factsheets/{year}/summary/", "/data/{year}/data.json", "/data/{year}/policies.csv",
         "/data/{year}/state-of-play.csv", "/data/{year}/data.xlsx", "/data/{year}/datapackage.json",
         "/data/{year}/{code}.json", "/data/{year}/{code}.csv", "/data/{year}/{code}/v1.json", "/data/catalog.jsonld"]
# Files whose content depends on the editions' methodology read it in five more queries, whatever the countries.
METHODOLOGY_PAGES = ["/data/", "/data/schema.json", "/data/{year}/schema.json", "/data/all.json"]


def _counts(client, year, codes, pages=PAGES):
    from django.core.cache import cache

    counts = {}
    for page in pages:
        url = page.format(year=year, code=codes[0].lower(), code2=codes[1].lower())
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = len(queries.captured_queries)
    return counts


def test_every_public_page_issues_the_same_queries_for_2_and_56_countries(client):
    from tests.portal.conftest import country_codes

    published_edition(2048, 2)
    small = _counts(client, 2048, country_codes(2))
    published_edition(2049, 56)
    large = _counts(client, 2049, country_codes(2))
    assert small == large
    assert max(small.values()) <= 4, small
    small = _counts(client, 2048, country_codes(2), METHODOLOGY_PAGES)
    large = _counts(client, 2049, country_codes(2), METHODOLOGY_PAGES)
    assert small == large  # two editions published in both runs: the counts grow with editions, not countries
    assert max(small.values()) <= 12, small


def test_pages_are_cached_304_on_a_match_and_invalidated_when_a_version_goes_live_or_is_withdrawn(client, users):
    builder = published_edition(2050, 2)
    first = client.get("/factsheets/2050/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert "max-age=60" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/factsheets/2050/")
    assert len(queries.captured_queries) == 1 and again.content == first.content
    assert client.get("/factsheets/2050/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/factsheets/2050/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    fs = builder.factsheet("NO", level=LEVELS[1], policies=[("Broad policy", [], None, "Norwegian plan")])
    factories.publish_fast(fs)
    fresh = client.get("/factsheets/2050/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and ">Norway<" in fresh.content.decode() and fresh["ETag"] != etag

    fs.refresh_from_db()
    services.factsheet_withdraw(factsheet=fs, by=users["editor"], comment="Wrong data.")
    gone = client.get("/factsheets/2050/")
    assert ">Norway<" not in gone.content.decode()
    assert client.get("/factsheets/2050/no/").status_code == 404


def test_pages_refuse_writes(client):
    published_edition(2051, 2)
    assert client.post("/factsheets/2051/").status_code == 405
    assert client.post("/data/2051/data.json").status_code == 405


def test_withdrawal_time_is_the_last_modified_of_the_pages(client, users):
    builder = published_edition(2052, 2)
    fs = builder.factsheet("IS", level=LEVELS[1])
    factories.publish_fast(fs)
    fs.refresh_from_db()
    services.factsheet_withdraw(factsheet=fs, by=users["editor"], comment="Withdrawn.")
    from email.utils import parsedate_to_datetime

    modified = parsedate_to_datetime(client.get("/factsheets/").headers["Last-Modified"])
    assert abs((timezone.now() - modified).total_seconds()) < 5


def test_made_up_query_strings_neither_fill_the_cache_nor_force_a_render(client):
    published_edition(2053, 2)
    first = client.get("/factsheets/2053/summary.pdf")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/factsheets/2053/summary.pdf?nocache=12345")
    assert len(queries.captured_queries) == 1 and again.content == first.content
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", [
    "/factsheets/99999999999/", "/factsheets/99999999999/mx/", "/data/99999999999.json",
    "/factsheets/99999999999/summary.pdf", "/factsheets/2054/%C3%A9x/", "/data/2054/m1.json",
])
def test_hostile_urls_are_404_not_errors(client, url):
    published_edition(2054, 2)
    assert client.get(url).status_code == 404
