"""Fast on a phone (issue 21.1): every public page and data file is sent gzip-compressed to a client that accepts
it (with ETag and 304 as before), the admin is not (BREACH); whitenoise serves the static files compressed; the
screen uses WOFF2 subsets of Lato with font-display: swap, the first-paint one preloaded, while the PDF keeps its
TTFs. The byte budget of the factsheet page is measured in the browser (test_browser_portal.py)."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from fontTools.ttLib import TTFont

from tests import factories
from tests.portal.conftest import LEVELS, EditionBuilder, country_codes, published_edition

pytestmark = pytest.mark.django_db

STATIC = Path(django_settings.BASE_DIR) / "static"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TEXT_URLS = {  # every kind of public text response, and the type it must keep
    "/factsheets/": "text/html", "/factsheets/{year}/": "text/html", "/factsheets/{year}/{code}/": "text/html",
    "/factsheets/compare/?f={year}-{code}&f={year}-{code2}": "text/html", "/factsheets/{year}/summary/": "text/html",
    "/data/{year}/data.json": "application/json", "/data/{year}/policies.csv": "text/csv",
    "/data/{year}/state-of-play.csv": "text/csv", "/data/{year}/{code}.json": "application/json",
    "/data/{year}/{code}.csv": "text/csv", "/data/schema.json": "application/schema+json",
    "/data/catalog.jsonld": "application/ld+json", "/sitemap.xml": "application/xml",
}


@pytest.fixture
def edition():
    published_edition(2091, 3)
    return 2091, [code.lower() for code in country_codes(3)]


def test_every_public_text_response_is_gzip_compressed_when_the_client_accepts_it(client, edition):
    year, (code, code2, _) = edition
    for template, kind in TEXT_URLS.items():
        url = template.format(year=year, code=code, code2=code2)
        plain = client.get(url)
        packed = client.get(url, **GZIP)
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain, url
        assert packed["Content-Encoding"] == "gzip" and packed["Content-Type"].startswith(kind), url
        assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"], url
        assert gzip.decompress(packed.content) == plain.content, url
        assert len(packed.content) < len(plain.content), url
    pdf = client.get(f"/factsheets/{year}/summary.pdf", **GZIP)
    assert pdf["Content-Type"] == "application/pdf" and "Content-Encoding" not in pdf  # compressed already


def test_etag_and_304_work_on_compressed_pages(client, edition):
    year, (code, *_) = edition
    first = client.get(f"/factsheets/{year}/{code}/", **GZIP)
    etag = first["ETag"]
    assert first["Content-Encoding"] == "gzip" and etag.startswith('W/"')
    for headers in (GZIP, {}):  # the same state, whichever encoding the cache holds
        again = client.get(f"/factsheets/{year}/{code}/", HTTP_IF_NONE_MATCH=etag, **headers)
        assert again.status_code == 304 and again.content == b"" and "Content-Encoding" not in again
    assert client.get(f"/factsheets/{year}/{code}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
                      **GZIP).status_code == 304
    factories.publish_fast(EditionBuilder(2092).factsheet("NO", level=LEVELS[1]))  # the state changes
    fresh = client.get(f"/factsheets/{year}/{code}/", HTTP_IF_NONE_MATCH=etag, **GZIP)
    assert fresh.status_code == 200 and fresh["ETag"] != etag and fresh["Content-Encoding"] == "gzip"


def test_pages_with_a_csrf_token_are_not_compressed(client, editor):
    """BREACH: a page that holds a secret (the CSRF token) and may reflect input is never compressed."""
    login = client.get("/admin/login/", **GZIP)
    assert login.status_code == 200 and b"csrfmiddlewaretoken" in login.content
    assert "Content-Encoding" not in login
    client.force_login(editor)
    admin = client.get("/admin/", **GZIP)
    assert admin.status_code == 200 and "Content-Encoding" not in admin


@pytest.fixture
def collected(settings, tmp_path):
    """The project's static files collected with the storage production uses (DEBUG off), into a scratch root,
    and a client whose whitenoise serves them. The PDF's TTFs are left out only to keep the test quick."""
    import config.settings as production

    backend = production.STORAGES["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["*.ttf"])
    return Client()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("path", ["portal/screen/portal.css", "editorial/web/factsheet.css",
                                  "editorial/print/mark.svg", "editorial/favicon.svg"])
def test_whitenoise_serves_the_public_pages_static_files_compressed(collected, path):
    raw = (STATIC / path).read_bytes()
    brotli = collected.get(f"/static/{path}", HTTP_ACCEPT_ENCODING="gzip, br")
    assert brotli.status_code == 200 and brotli["Content-Encoding"] == "br"
    assert len(_body(brotli)) < len(raw)
    gzipped = collected.get(f"/static/{path}", HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip" and gzip.decompress(_body(gzipped)) == raw
    assert "Content-Encoding" not in collected.get(f"/static/{path}")


def test_fonts_are_served_as_they_are(collected):
    font = collected.get("/static/portal/fonts/Lato-Regular-latin.woff2", HTTP_ACCEPT_ENCODING="gzip, br")
    assert font.status_code == 200 and font["Content-Type"] == "font/woff2" and "Content-Encoding" not in font


def _font_faces(css: str) -> list[dict[str, str]]:
    faces = []
    for body in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        faces.append({k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)})
    return faces


def test_screen_fonts_are_woff2_subsets_that_swap_and_the_pdf_keeps_its_ttfs(client, edition):
    css = (STATIC / "portal/screen/portal.css").read_text()
    lato = [f for f in _font_faces(css) if f["font-family"] == '"Lato"']
    assert {(f["font-weight"], "ext" in f["src"]) for f in lato} == {("400", False), ("400", True), ("700", False),
                                                                     ("700", True)}
    for face in lato:
        assert face["font-display"] == "swap" and "unicode-range" in face
        [url] = re.findall(r'url\("\.\./fonts/([^"]+)"\) format\("woff2"\)', face["src"])
        font = TTFont(STATIC / "portal/fonts" / url)
        assert font.flavor == "woff2"
        cmap = font.getBestCmap()
        if "ext" in url:
            assert all(ord(c) in cmap for c in "ĄąČčĘęŁłŃńŐőŘřŚśŠšŻżŽžȘșȚț")  # Latin Extended-A and B
            assert (STATIC / "portal/fonts" / url).stat().st_size < 60_000
        else:
            assert all(ord(c) in cmap for c in "AZaz09ÁÉÍÑÓÚÜáéíñóúüçøåß€–—‘’“”…•")
            assert ord("Ą") not in cmap and (STATIC / "portal/fonts" / url).stat().st_size < 25_000
    assert (STATIC / "portal/fonts/OFL.txt").read_text() == (STATIC / "editorial/fonts/OFL.txt").read_text()
    assert ".ttf" not in css  # no public page loads a TTF any more
    year, (code, *_) = edition
    html = client.get(f"/factsheets/{year}/{code}/").content.decode()
    for weight in ("Regular", "Bold"):  # what the first paint needs (text, and the masthead and headings)
        assert (f'<link rel="preload" href="/static/portal/fonts/Lato-{weight}-latin.woff2" as="font" '
                'type="font/woff2" crossorigin>') in html
    assert ".ttf" not in html
    # The PDF renderer still gets the full fonts, in every style.
    printed = (STATIC / "editorial/print/factsheet.css").read_text()
    for style in ("Regular", "Italic", "Bold", "BoldItalic"):
        assert f"Lato-{style}.ttf" in printed and (STATIC / f"editorial/fonts/Lato-{style}.ttf").exists()
