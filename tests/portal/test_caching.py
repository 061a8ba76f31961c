"""Caches that can't be gamed (issue 17.6, 17.7, 17.18, 17.19): keys and absolute links from the canonical site,
never the Host header; canonical links built from the route; a conditional GET never skips the existence check;
the explorer's query reduced to what it understands (redirected there) and bounded."""

import json
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from django.core.cache import cache

from tests.portal.conftest import OBJECTIVES, POLICY_TYPES, published_edition

pytestmark = pytest.mark.django_db
FUTURE = format_datetime(datetime(2100, 1, 1, tzinfo=UTC), usegmt=True)


@pytest.fixture
def summary_renders(monkeypatch):
    """Every render of a summary PDF, wherever it happens (at publishing, or by a view)."""
    from portal import reports, views

    renders = []
    real = views.render_branded_pdf

    def render(html, **kwargs):
        renders.append(html)
        return real(html, **kwargs)
    monkeypatch.setattr(views, "render_branded_pdf", render)
    monkeypatch.setattr(reports, "render_branded_pdf", render)
    return renders


# --- 17.6: the canonical site, never the Host header ----------------------------------------------------------

def test_host_header_variants_share_one_cached_summary_pdf(client, settings, summary_renders):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    published_edition(2060, 2)
    rendered_at_publishing = len(summary_renders)
    etags = set()
    for host in ("localhost", "LOCALHOST", "lOcalhost", "localhost.", "testserver", "TestServer"):
        response = client.get("/factsheets/2060/summary.pdf", HTTP_HOST=host)
        assert response.status_code == 200, host
        etags.add(response["ETag"])
    assert len(summary_renders) - rendered_at_publishing <= 1 and len(etags) == 1  # never once per spelling


@pytest.mark.parametrize("url", ["/data/2061.json", "/data/2061.csv", "/data/catalog.jsonld", "/factsheets/2061/mx/",
                                 "/factsheets/", "/data/schema.json"])
def test_what_a_page_says_never_depends_on_the_host_header(client, settings, url):
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "other.example"]
    builder = published_edition(2061, 1)
    from tests import factories

    factories.publish_fast(builder.factsheet("MX", policies=[(POLICY_TYPES[1], OBJECTIVES[:1], None, "Plan")]))
    cache.clear()
    first = client.get(url, HTTP_HOST="other.example").content
    cache.clear()
    second = client.get(url, HTTP_HOST="localhost").content
    assert first == second
    assert b"other.example" not in first


# --- 17.18: canonical links from the route ---------------------------------------------------------------------

@pytest.mark.parametrize("url,canonical", [
    ("/factsheets/?next=https://evil.example", "http://testserver/factsheets/"),
    ("/factsheets/2062/?next=https://evil.example", "http://testserver/factsheets/2062/"),
    ("/factsheets/2062/summary/?next=https://evil.example", "http://testserver/factsheets/2062/summary/"),
    ("/factsheets/2062/AF/?next=https://evil.example", "http://testserver/factsheets/2062/af/"),
])
def test_canonical_links_come_from_the_route_and_the_site_never_the_request(client, url, canonical):
    published_edition(2062, 2)
    for _ in range(2):  # as rendered, then as cached
        response = client.get(url, follow=True)
        html = response.content.decode()
        assert response.status_code == 200
        assert f'<link rel="canonical" href="{canonical}">' in html
        assert "evil.example" not in html


# --- 17.19: a conditional GET never skips the existence check ---------------------------------------------------

@pytest.mark.parametrize("url", ["/factsheets/2063/zz/", "/data/1999/data.json", "/data/2063/zz.csv",
                                 "/factsheets/1999/summary.pdf", "/factsheets/1999/"])
def test_a_conditional_get_of_nothing_is_404(client, url):
    published_edition(2063, 2)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=FUTURE).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 404
    real = client.get("/data/2063/data.json")
    assert client.get(url, HTTP_IF_NONE_MATCH=real["ETag"]).status_code == 404


def test_a_conditional_get_of_a_page_that_exists_is_still_304(client):
    published_edition(2064, 2)
    first = client.get("/data/2064/data.json")
    cache.clear()  # another process, or an evicted entry
    assert client.get("/data/2064/data.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/data/2064/data.json", HTTP_IF_MODIFIED_SINCE=FUTURE).status_code == 304


# --- 17.7: the explorer's query is what it understands, bounded --------------------------------------------

def _cached_keys() -> int:
    return len([k for k in cache._cache if "portal:" in k])


def test_unknown_parameters_and_values_redirect_to_the_canonical_query(client):
    published_edition(2065, 2)
    response = client.get("/factsheets/2065/?n=1&n=2&objective=Nothing+like+this&objective=Fostering+innovation"
                          "&utm_source=x&sort=zzz&policy_type=Nope&state=Nope%3A%3AX")
    assert response.status_code == 301
    assert response["Location"] == "/factsheets/2065/?objective=Fostering+innovation"
    assert _cached_keys() == 0
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/factsheets/2065/?objective=Fostering+innovation&objective=Fostering+innovation"
                      ).status_code == 301  # a repeated value too


def test_an_amplifying_query_is_bounded_and_never_cached(client):
    published_edition(2066, 2)
    values = "&".join(f"{key}={label}" for key in ("objective", "policy_type") for label in OBJECTIVES + POLICY_TYPES)
    junk = "&".join(f"n={n}" for n in range(300))
    response = client.get(f"/factsheets/2066/?{values}&{junk}")
    assert response.status_code == 301 and len(response["Location"]) < 400
    assert _cached_keys() == 0
    page = client.get(response["Location"])
    assert page.status_code == 200 and len(page.content) < 200_000


def test_only_canonical_queries_fill_the_cache(client):
    published_edition(2067, 2)
    for n in range(20):
        client.get(f"/factsheets/2067/?q=ca&n={n}")
    client.get("/factsheets/2067/?q=ca")
    assert _cached_keys() == 1


def test_the_filters_on_the_page_are_the_canonical_ones(client):
    published_edition(2068, 2)
    html = client.get("/factsheets/2068/?objective=Fostering+innovation").content.decode()
    assert "Fostering innovation" in html
    data = client.get("/data/2068/data.json")
    assert json.loads(data.content)  # the data files are untouched by the explorer's rules


def test_compare_keys_its_cache_on_the_factsheets_it_shows(client):
    from tests.portal.conftest import country_codes

    published_edition(2069, 2)
    a, b = (f"2069-{c.lower()}" for c in country_codes(2))
    first = client.get(f"/factsheets/compare/?f={a}&f={b}")
    for n in range(10):
        again = client.get(f"/factsheets/compare/?f={a.upper()}&f={b}&f={a}&n={n}")
        assert again.content == first.content
    assert _cached_keys() == 1
