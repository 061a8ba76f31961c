"""Found by search engines and shared well (issue 21.4): the sitemap lists exactly the live pages with their last
change, robots.txt points at it and keeps the back office out, the factsheet page and the explorer carry schema.org
JSON-LD with the right dates, link to their data files and carry Open Graph and Twitter card tags; every absolute
address comes from the site's setting, never from the request's Host header."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from editorial import services
from editorial.models import Publication
from tests import factories
from tests.portal.conftest import LEVELS, EditionBuilder

pytestmark = pytest.mark.django_db

SITE = "https://factsheets.example.org"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)


def _json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def _meta(html: str, key: str) -> str:
    return re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)[1]


@pytest.fixture
def site(settings):
    settings.EDITORIAL_SITE_URL = SITE + "/"
    return SITE


@pytest.fixture
def editions(users):
    """2071: France (two versions), Italy (withdrawn), Germany (a draft); 2072: a draft only."""
    builder = EditionBuilder(2071)
    france = builder.factsheet("FR", level=LEVELS[2],
                               policies=[("Broad policy", ["Fostering innovation"], None, "Plan FR")])
    first, second = factories.publish_fast(france), factories.publish_fast(france)
    italy = builder.factsheet("IT", level=LEVELS[1])
    withdrawn = factories.publish_fast(italy)
    italy.refresh_from_db()
    services.factsheet_withdraw(factsheet=italy, by=users["editor"], comment="Wrong figures.")
    builder.factsheet("DE", level=LEVELS[3])
    EditionBuilder(2072).factsheet("FR", level=LEVELS[0])
    Publication.objects.filter(pk=first.pk).update(published_at=_at("2025-01-10"))
    Publication.objects.filter(pk=second.pk).update(published_at=_at("2025-02-20"))
    Publication.objects.filter(pk=withdrawn.pk).update(published_at=_at("2025-03-01"), withdrawn_at=_at("2025-04-05"))
    return {"first": first, "second": second}


def test_sitemap_lists_exactly_the_live_pages_with_their_last_change(client, site, editions):
    response = client.get("/sitemap.xml", HTTP_HOST="localhost")  # the Host header must not leak into it
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    urls = {url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext("s:lastmod", namespaces=SITEMAP_NS)
            for url in ET.fromstring(response.content).findall("s:url", SITEMAP_NS)}
    edition = "2025-04-05"  # Italy's withdrawal changed the explorer, the summary and the data files
    assert urls == {
        f"{SITE}/factsheets/": edition, f"{SITE}/data/": edition, f"{SITE}/data/catalog.jsonld": edition,
        f"{SITE}/factsheets/2071/": edition, f"{SITE}/factsheets/2071/summary/": edition,
        f"{SITE}/factsheets/2071/summary.pdf": edition, f"{SITE}/data/2071/data.json": edition,
        f"{SITE}/data/2071/policies.csv": edition, f"{SITE}/data/2071/state-of-play.csv": edition,
        f"{SITE}/data/2071/datapackage.json": edition, f"{SITE}/data/2071/data.xlsx": edition,
        f"{SITE}/factsheets/2071/fr/": "2025-02-20", f"{SITE}/factsheets/2071/fr.pdf": "2025-02-20",
        f"{SITE}/data/2071/fr.json": "2025-02-20", f"{SITE}/data/2071/fr.csv": "2025-02-20",
    }
    for url in urls:  # every address listed is a live page
        assert client.get(url.removeprefix(SITE)).status_code == 200, url
    for gone in ("/factsheets/2071/it/", "/factsheets/2071/de/", "/factsheets/2072/"):
        assert client.get(gone).status_code == 404


def test_sitemap_costs_the_same_queries_whatever_the_number_of_countries(client, django_assert_max_num_queries):
    from tests.portal.conftest import published_edition

    published_edition(2073, 2)
    with django_assert_max_num_queries(2):
        small = client.get("/sitemap.xml")
    published_edition(2074, 30)
    with django_assert_max_num_queries(2):
        large = client.get("/sitemap.xml")
    assert large.content.count(b"<url>") == small.content.count(b"<url>") + 8 + 30 * 4


def test_robots_keeps_the_back_office_validation_links_and_previews_out_and_names_the_sitemap(client, site):
    response = client.get("/robots.txt", HTTP_HOST="localhost")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /admin/", "Disallow: /validate/", "Disallow: /editorial/", "Disallow: /*preview="} <= set(lines)
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /factsheets") or line == "Disallow: /" for line in lines)


def test_factsheet_page_is_a_dated_report_about_its_country_with_data_links_and_a_preview_image(
        client, site, editions):
    html = client.get("/factsheets/2071/fr/", HTTP_HOST="localhost").content.decode()
    [report] = _json_ld(html)
    assert report["@context"] == "https://schema.org" and report["@type"] == "Report"
    assert report["datePublished"] == "2025-01-10T12:00:00+00:00"  # the first live version
    assert report["dateModified"] == "2025-02-20T12:00:00+00:00"  # the current one
    assert report["inLanguage"] == "en" and report["version"] == "2"
    assert report["publisher"] == {"@type": "Organization", "name": "European Cluster Collaboration Platform",
                                   "url": f"{SITE}/factsheets/"}
    assert report["about"] == {"@type": "Country", "name": "France", "identifier": "FR"}
    assert report["url"] == f"{SITE}/factsheets/2071/fr/"
    assert {e["encodingFormat"]: e["contentUrl"] for e in report["encoding"]} == {
        "application/pdf": f"{SITE}/factsheets/2071/fr.pdf", "application/json": f"{SITE}/data/2071/fr.json",
        "text/csv": f"{SITE}/data/2071/fr.csv"}
    # The data files, for programs that read the page.
    assert '<link rel="alternate" type="application/json" href="/data/2071/fr.json"' in html
    assert '<link rel="alternate" type="text/csv" href="/data/2071/fr.csv"' in html
    # Shared on a social site: title, description, address and the cover of the current version.
    assert f'<link rel="canonical" href="{SITE}/factsheets/2071/fr/">' in html
    assert _meta(html, "og:url") == f"{SITE}/factsheets/2071/fr/" and _meta(html, "og:type") == "article"
    assert _meta(html, "og:title") == "France, 2071: country factsheet"
    assert _meta(html, "og:description").startswith("Cluster policy in France")
    assert _meta(html, "og:image") == report["image"] == f"{SITE}/factsheets/2071/fr/cover-v2.png"
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("1200", "630")
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert "localhost" not in html  # nothing absolute was taken from the request


def test_explorer_is_a_dataset_with_its_files_and_licence(client, site, editions):
    html = client.get("/factsheets/2071/?sort=-c1").content.decode()
    [dataset] = _json_ld(html)
    assert dataset["@type"] == "Dataset" and dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert len(dataset["description"]) >= 50 and dataset["isAccessibleForFree"] is True
    assert dataset["spatialCoverage"] == [{"@type": "Country", "name": "France", "identifier": "FR"}]
    assert dataset["dateModified"] == "2025-02-20T12:00:00+00:00"
    files = {d["contentUrl"]: d["encodingFormat"] for d in dataset["distribution"]}
    assert files == {f"{SITE}/data/2071/data.json": "application/json", f"{SITE}/data/2071/policies.csv": "text/csv",
                     f"{SITE}/data/2071/state-of-play.csv": "text/csv"}
    for url, kind in files.items():
        response = client.get(url.removeprefix(SITE))
        assert response.status_code == 200 and response["Content-Type"].startswith(kind)
    assert f'<link rel="canonical" href="{SITE}/factsheets/2071/">' in html  # the order is not another page
    filtered = client.get("/factsheets/2071/?objective=Fostering+innovation&sort=-c1", follow=True).content.decode()
    assert f'<link rel="canonical" href="{SITE}/factsheets/2071/?objective=Fostering+innovation">' in filtered


def test_other_pages_have_their_own_social_tags_and_canonical_addresses(client, site, editions):
    for url, title in [("/factsheets/", "Country factsheets"), ("/factsheets/2071/summary/", "Summary report 2071"),
                       ("/factsheets/compare/?f=2071-fr&utm_source=x", "Compare France 2071"),
                       ("/search/?q=cluster", "Search: cluster"), ("/search/", "Search"), ("/data/", "Open data")]:
        html = client.get(url, HTTP_HOST="localhost").content.decode()
        assert _meta(html, "og:title") == title and _meta(html, "twitter:card") == "summary"
        assert f"<title>{title} · " in html and _meta(html, "description")
        canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html)[1]
        assert canonical == _meta(html, "og:url") and canonical.startswith(SITE + "/")
        assert _meta(html, "og:url").startswith(SITE + "/") and "localhost" not in html
    compare = client.get("/factsheets/compare/?f=2071-fr&utm_source=x").content.decode()
    assert _meta(compare, "og:url") == f"{SITE}/factsheets/compare/?f=2071-fr"


def test_json_ld_cannot_close_its_script_element():
    from portal.seo import PageMeta

    hostile = "</script><script>alert(1)</script><!--"
    html = PageMeta(title="t", description="d", path="/", structured=[{"name": hostile}]).json_ld
    assert html.count("</script>") == 1 and "<!--" not in html
    assert _json_ld(html) == [{"name": hostile}]


def test_search_results_are_kept_out_of_indexes_but_the_search_page_is_not(client, site, editions):
    """Search engines ask that internal result pages stay out of their indexes (an endless space of near-duplicate
    pages; the sitemap names every factsheet instead); the page that offers the search may be found."""
    noindex = '<meta name="robots" content="noindex, follow">'
    assert noindex in client.get("/search/?q=cluster").content.decode()
    assert noindex not in client.get("/search/").content.decode()
    assert noindex not in client.get("/factsheets/").content.decode()
