"""Full-text search of the published factsheets (issue 21.3), on whichever database the suite runs on (the CI runs
it on SQLite and PostgreSQL, with the same expected results): accents and stemming, the ranking of a hand-made
3-country edition, the demo's searches, only live versions found, highlighted excerpts that never carry stored
HTML, filters, pages, caching and a query count that does not grow with the factsheets."""

import re
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial import services
from editorial.models import Publication
from factsheets.models import State
from portal.models import SearchPassage
from tests import factories
from tests.editorial.conftest import walk
from tests.portal.conftest import LEVELS, EditionBuilder, published_edition

pytestmark = pytest.mark.django_db

HIT = re.compile(r'<li class="hit">\s*<h3><a href="([^"]+)">(.*?)</a></h3>\s*(?:<p class="excerpt">(.*?)</p>)?', re.S)


def hits(client, q, **params) -> list[dict]:
    """The hits of a search page: where each links, its heading and its excerpt (HTML as served)."""
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return [{"url": url, "heading": heading, "excerpt": excerpt or ""}
            for url, heading, excerpt in HIT.findall(response.content.decode())]


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish as the publish job does, and run what waits for the commit (indexing) as a real commit would."""
    def run(factsheet):
        with django_capture_on_commit_callbacks(execute=True):
            return factories.publish_fast(factsheet)
    return run


def test_accents_are_optional_both_ways_and_the_printed_text_is_marked(client, publish):
    builder = EditionBuilder(2081)
    publish(builder.factsheet("FR", intro="Les pôles de compétitivité.", policies=[
        ("National cluster policy", [], None, "Programme for Nuevo León")]))
    publish(builder.factsheet("ES", intro="The region of Leon and its clusters."))

    uid = Publication.objects.get(factsheet__country__code="FR").revision.snapshot["policies"][0]["uid"]
    found = hits(client, "Leon")
    assert [h["url"] for h in found] == [f"/factsheets/2081/fr/#policy-{uid}",
                                        "/factsheets/2081/es/#section-introduction"]
    assert "Programme for Nuevo <mark>León</mark>" in found[0]["heading"]
    assert "region of <mark>Leon</mark> and" in found[1]["excerpt"]
    assert [h["url"] for h in hits(client, "León")] == [h["url"] for h in found]
    assert "<mark>pôles</mark> de <mark>compétitivité</mark>" in hits(client, "poles competitivite")[0]["excerpt"]


def test_words_are_found_in_any_of_their_forms(client, publish):
    builder = EditionBuilder(2082)
    publish(builder.factsheet("DE", intro="Clustering programmes fund the internationalisation of firms."))
    publish(builder.factsheet("AT", intro="A programme for one cluster."))
    assert len(hits(client, "cluster programme")) == 2
    assert len(hits(client, "clusters programmes")) == 2
    assert len(hits(client, "the programmes of a cluster")) == 2  # English stop words are left out on both
    found = hits(client, "internationalising funds")
    assert len(found) == 1 and "<mark>fund</mark> the <mark>internationalisation</mark>" in found[0]["excerpt"]
    assert hits(client, "internationally") == []  # another word, not another form


def test_a_phrase_is_marked_where_it_is_whole_on_both_databases(client, publish):
    publish(EditionBuilder(2080).factsheet("LT", intro="Cluster policy matters: a policy for each cluster. "
                                                       "The State of Mexico too."))
    assert hits(client, '"cluster policy"')[0]["excerpt"] == (
        "<mark>Cluster policy</mark> matters: a policy for each cluster. The State of Mexico too.")
    assert "The <mark>State of Mexico</mark> too." in hits(client, '"state of mexico"')[0]["excerpt"]
    assert hits(client, "cluster policy")[0]["excerpt"] == (  # words, not a phrase: each marked
        "<mark>Cluster policy</mark> matters: a <mark>policy</mark> for each <mark>cluster</mark>. "
        "The State of Mexico too.")


def test_ranking_of_a_hand_made_three_country_edition(client, publish):
    """A policy named after the words first (a name counts five times a text), then a short text saying them, then
    a long text saying them as often; a withdrawn factsheet that says them most is not there. Austria would come
    before Denmark if a name counted as a text (its passage is the shorter, and ties go by country)."""
    builder = EditionBuilder(2083)
    filler = " ".join(["The national authorities support regional development through many instruments."] * 12)
    publish(builder.factsheet("SE", intro=f"{filler} Cluster internationalisation is mentioned once. {filler}"))
    publish(builder.factsheet("AT", intro="Cluster internationalisation matters."))
    publish(builder.factsheet("DK", intro="An introduction about something else.", policies=[
        ("Broad policy", [], None, "Cluster internationalisation programme")]))
    withdrawn = builder.factsheet("NO", intro="Cluster internationalisation, cluster internationalisation, "
                                              "cluster internationalisation.")
    publish(withdrawn)
    Publication.objects.filter(factsheet=withdrawn).update(withdrawn_at="2030-01-01T00:00:00Z")

    found = hits(client, "cluster internationalisation")
    assert [(h["url"].split("#")[0], h["url"].split("#")[1].split("-")[0]) for h in found] == [
        ("/factsheets/2083/dk/", "policy"), ("/factsheets/2083/at/", "section"), ("/factsheets/2083/se/", "section")]


def test_references_and_notes_count_half(client, publish):
    builder = EditionBuilder(2097)
    factories.SectionFactory(edition=builder.edition, kind="references", title="References", number=4, order=4)
    fs = builder.factsheet("EE", intro="The gannet colony of the coast, with its many visitors.[^g]")
    factories.FootnoteFactory(factsheet=fs, key="g", text="<p>Gannet colony.</p>")
    factories.ReferenceFactory(factsheet=fs, order=1, citation="Gannet colony (2020).", url="")
    publish(fs)
    assert [h["url"].split("#")[1] for h in hits(client, "gannet colony")] == [
        "section-introduction", "section-references", "fn-1"]  # the shorter passages last, at half


def test_near_equal_passages_come_newest_edition_first(client, publish):
    text = ("Heron colonies along rivers attract birdwatchers while wardens count nests each spring and report "
            "findings to regional agencies")
    publish(EditionBuilder(2098).factsheet("LV", intro=text + "."))
    publish(EditionBuilder(2099).factsheet("LV", intro=text + " yearly."))  # a little longer: a little lower
    assert [h["url"] for h in hits(client, "heron colonies")] == [
        "/factsheets/2099/lv/#section-introduction", "/factsheets/2098/lv/#section-introduction"]


def test_search_joins_the_live_versions_when_it_searches_never_the_index_alone(client, publish, users):
    builder = EditionBuilder(2084)
    fs = builder.factsheet("PT", intro="Firstversionword in the introduction.")
    publish(fs)
    assert len(hits(client, "firstversionword")) == 1
    # A second version goes live: the first one is still live, but only the latest live version is searched.
    fs.refresh_from_db()
    services.factsheet_start_new_draft(factsheet=fs, by=users["editor"])
    fs.refresh_from_db()
    fs.introduction = "<p>Secondversionword in the introduction.</p>"
    fs.save()
    publish(fs)
    assert hits(client, "firstversionword") == [] and len(hits(client, "secondversionword")) == 1
    # Withdrawn without a signal (a bulk update): the index rows are still there, and nothing is found.
    Publication.objects.filter(factsheet=fs).update(withdrawn_at="2030-01-01T00:00:00Z")
    assert SearchPassage.objects.filter(body__contains="Secondversionword").exists()
    assert hits(client, "secondversionword") == []


def test_drafts_approvals_and_redrafts_are_never_found(client, publish, users):
    builder = EditionBuilder(2085)
    builder.factsheet("IT", intro="Zebradraft words.")
    approved = builder.factsheet("GR", intro="Okapiapproved words.")
    walk(approved, State.APPROVED, users)
    redrafted = builder.factsheet("CY", intro="The approved text.")
    publish(redrafted)
    redrafted.refresh_from_db()
    services.factsheet_start_new_draft(factsheet=redrafted, by=users["editor"])
    redrafted.refresh_from_db()
    redrafted.introduction = "<p>Narwhalnewdraft words.</p>"
    redrafted.save()
    services.revision_record(factsheet=redrafted, by=users["analyst"], reason="Edited after publishing")
    call_command("search_index_rebuild", verbosity=0)  # rebuilt from each publication's approved revision
    for marker in ["zebradraft", "okapiapproved", "narwhalnewdraft"]:
        assert hits(client, marker) == [], marker
    assert len(hits(client, "approved text")) == 1
    assert not SearchPassage.objects.filter(body__icontains="zebradraft").exists()


def test_excerpts_are_escaped_text_never_stored_html(client, publish):
    builder = EditionBuilder(2086)
    fs = builder.factsheet("BE", intro='Bold <strong>marker</strong> and a <a href="https://x.org">link</a>.',
                           policies=[("Broad policy", [], None, "<script>alert(1)</script> Marker plan")])
    publish(fs)
    found = hits(client, "marker")
    page = "".join(h["heading"] + h["excerpt"] for h in found)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Marker</mark> plan" in page
    assert "Bold <mark>marker</mark> and a link." in page
    assert set(re.findall(r"</?([a-z]+)", "".join(h["excerpt"] for h in found))) == {"mark"}


def test_each_hit_names_its_country_edition_and_section_and_links_to_its_place(client, publish):
    builder = EditionBuilder(2087)
    fs = builder.factsheet("NL", intro="Tulipword in the introduction.[^a]", policies=[
        ("National cluster policy", [], None, "Tulipword programme")])
    topic = factories.TopicFactory(edition=builder.edition, title="Policy scope")
    factories.QualitativeAssessmentFactory(factsheet=fs, topic=topic, text="<p>Tulipword assessed.</p>")
    factories.FootnoteFactory(factsheet=fs, key="a", text="<p>A tulipword note.</p>")
    factories.SectionFactory(edition=builder.edition, kind="references", title="References", number=None, order=9)
    factories.ReferenceFactory(factsheet=fs, order=1, citation="Tulipword (2020). A report.")
    publish(fs)
    found = hits(client, "tulipword")
    headings = [" ".join(text(h["heading"]).split()) for h in found]
    assert sorted(headings) == sorted([
        "Netherlands 2087 › 1. Introduction", "Netherlands 2087 › 2. Cluster policy › Tulipword programme",
        "Netherlands 2087 › 3. State of cluster policy › Policy scope", "Netherlands 2087 › Notes › Note 1",
        "Netherlands 2087 › References"])
    page = client.get("/factsheets/2087/nl/").content.decode()
    for hit in found:
        path, anchor = hit["url"].split("#")
        assert path == "/factsheets/2087/nl/" and f'id="{anchor}"' in page, anchor


def test_filters_by_edition_and_country_and_bad_filters_get_a_message(client, publish):
    for year in (2088, 2089):
        builder = EditionBuilder(year)
        for code in ("LU", "MT"):
            publish(builder.factsheet(code, intro="Harbourword everywhere."))
    assert len(hits(client, "harbourword")) == 4
    assert {h["url"] for h in hits(client, "harbourword", edition=2089)} == {
        "/factsheets/2089/lu/#section-introduction", "/factsheets/2089/mt/#section-introduction"}
    assert [h["url"] for h in hits(client, "harbourword", edition=2088, country="mt")] == [
        "/factsheets/2088/mt/#section-introduction"]
    response = client.get("/search/", {"q": "harbourword", "edition": "1999", "country": "zz"})
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page and "1999 is not one of the available" in page
    assert 'class="hit"' not in page


@pytest.mark.parametrize(("q", "message"), [
    ("x" * 201, "too long"), ("the", "Nothing to search for"), ("-alone", "cannot only exclude"),
    ('"unbalanced NEAR( * ^ title_search:x', None), ("\uffff\ue000", "Nothing to search for"),
    ("\x00\uffff\ue000", "a NUL character"),
])
def test_hostile_or_empty_queries_get_a_message_never_an_error(client, publish, q, message):
    publish(EditionBuilder(2090).factsheet("IE", intro="Some words."))
    response = client.get("/search/", {"q": q})
    assert response.status_code == (400 if "\x00" in q else 200)  # a NUL anywhere in an address: 400 (issue 17.16)
    if message:
        assert message in unescape(response.content.decode())


def test_results_come_a_page_at_a_time(client, publish):
    builder = EditionBuilder(2091)
    policies = [("Broad policy", [], None, f"Pagingword plan {i}") for i in range(9)]
    for code in ("PL", "CZ", "SK"):
        publish(builder.factsheet(code, intro="Pagingword intro.", policies=policies))
    first = client.get("/search/", {"q": "pagingword"}).content.decode()
    assert "30 passages found" in first and len(HIT.findall(first)) == 20 and "page=2" in first
    second = client.get("/search/", {"q": "pagingword", "page": 2}).content.decode()
    assert len(HIT.findall(second)) == 10 and 'start="21"' in second and "page=1" in second
    past = client.get("/search/", {"q": "pagingword", "page": 3}).content.decode()
    assert "30 passages found" in past and "past the last result" in past
    assert "less than or equal to 50" in client.get("/search/", {"q": "pagingword", "page": 51}).content.decode()


def test_the_same_queries_for_2_and_56_factsheets(client, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    def count(year):
        counts = []
        for params in ({"q": "programme"}, {"q": "strategy or programme", "edition": year, "page": 2}, {"q": ""}):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/search/", params)
            assert response.status_code == 200
            counts.append(len(queries.captured_queries))
        return counts

    with django_capture_on_commit_callbacks(execute=True):
        published_edition(2092, 2)
    small = count(2092)
    with django_capture_on_commit_callbacks(execute=True):
        published_edition(2093, 56)
    large = count(2093)
    assert small == large == [4, 4, 2]  # the state, the filters' choices, the ranked page, its passages
    assert "56 passages found" in client.get("/search/", {"q": "programme", "edition": 2093}).content.decode()


def test_the_results_page_is_cached_until_a_version_goes_live(client, publish):
    builder = EditionBuilder(2094)
    publish(builder.factsheet("HU", intro="Cachedword here."))
    first = client.get("/search/?q=cachedword")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/?q=cachedword")
    assert len(queries.captured_queries) == 1 and again.content == first.content
    assert client.get("/search/?q=cachedword", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    publish(builder.factsheet("RO", intro="Cachedword there."))
    assert len(HIT.findall(client.get("/search/?q=cachedword").content.decode())) == 2
    assert client.post("/search/?q=cachedword").status_code == 405


def test_a_publication_is_indexed_when_it_is_committed_and_the_rebuild_gives_the_same_index(
        django_capture_on_commit_callbacks):
    builder = EditionBuilder(2095)
    fs = builder.factsheet("BG", intro="Committedword.", policies=[("Broad policy", [], None, "A plan")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publication = factories.publish_fast(fs)
    assert not SearchPassage.objects.filter(publication=publication).exists()  # not before the commit
    for callback in callbacks:  # the commit (the index's callback among them)
        callback()
    indexed = list(SearchPassage.objects.filter(publication=publication).values_list(
        "position", "section", "anchor", "title", "body", "title_search", "body_search", "weight"))
    assert [row[2].split("-")[0] for row in indexed] == ["section", "policy"]
    SearchPassage.objects.all().delete()
    call_command("search_index_rebuild", verbosity=0)
    assert list(SearchPassage.objects.filter(publication=publication).values_list(
        "position", "section", "anchor", "title", "body", "title_search", "body_search", "weight")) == indexed


def test_a_failure_to_index_never_undoes_the_publishing(django_capture_on_commit_callbacks, monkeypatch, caplog):
    from portal.search import services as search_services

    def broken(publication):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(search_services, "publication_passages", broken)
    fs = EditionBuilder(2079).factsheet("IS", intro="Geyserword.")
    with django_capture_on_commit_callbacks(execute=True):
        publication = factories.publish_fast(fs)
    assert Publication.objects.filter(pk=publication.pk).exists()
    assert "index unavailable" in caplog.text
    monkeypatch.undo()
    call_command("search_index_rebuild", verbosity=0)  # what the rebuild is for
    assert SearchPassage.objects.filter(publication=publication, body="Geyserword.").exists()


def test_every_public_page_has_the_search_box(client, publish):
    builder = EditionBuilder(2096)
    publish(builder.factsheet("SI", level=LEVELS[1]))
    publish(builder.factsheet("HR", level=LEVELS[2]))
    for url in ["/factsheets/", "/factsheets/2096/", "/factsheets/2096/si/", "/factsheets/2096/summary/",
                "/factsheets/compare/?f=2096-si&f=2096-hr", "/data/", "/search/", "/search/?q=introduction"]:
        page = client.get(url).content.decode()
        assert page.count('action="/search/"') >= 1 and 'id="site-search-q"' in page, url
    assert 'value="introduction"' in client.get("/search/?q=introduction").content.decode()


# The demo's five searches (make run's data: the two Mexico factsheets). Both databases find the same passages
# and put the same one first; the order of close ones may differ (ts_rank and bm25 weigh lengths differently).
DEMO_SEARCHES = {
    "Nuevo Leon": (23, "2020 Consistency"),
    "internationalisation": (3, "2023 Course for an Industrial Policy"),
    '"national cluster policy"': (3, "2023 Policy scope"),
    "aerospace or automotive": (4, "2023 Note 1"),
    "strategic plans -Leon": (1, "2023 Course for an Industrial Policy"),
}


def test_the_demo_searches_find_the_same_on_both_databases(client, demo, publish):
    for factsheet in demo.values():
        publish(factsheet)
    for q, (total, top) in DEMO_SEARCHES.items():
        page = client.get("/search/", {"q": q}).content.decode()
        assert f"{total} passage{'s' if total > 1 else ''} found" in page, q
        first = HIT.findall(page)[0]
        year = re.search(r"/factsheets/(\d{4})/", first[0])[1]
        title = re.search(r'class="hit-title">(.*)</span>', first[1])
        assert f"{year} {text(title[1]) if title else ''}" == top, q
