"""The preview image of a factsheet for social sites (issue 21.4): its PDF's cover on a 1200 x 630 card, rendered
once per publication and then read from the media storage, for live versions only."""

import io
from unittest import mock

import pytest
from django.core.cache import cache
from PIL import Image

from editorial import services
from tests import factories
from tests.portal.conftest import LEVELS, EditionBuilder

pytestmark = pytest.mark.django_db

COVER_BLUE = (0, 51, 153)


def _with_real_pdf(publication):
    """publish_fast stores a stand-in: put a real one-page PDF (a blue cover) in its place."""
    from weasyprint import HTML

    pdf = HTML(string="<style>@page { background: #003399 }</style><h1 style='color: white'>Cover</h1>").write_pdf()
    with publication.pdf.storage.open(publication.pdf.name, "wb") as handle:
        handle.write(pdf)
    return publication


@pytest.fixture
def live(users):
    builder = EditionBuilder(2081)
    fs = builder.factsheet("PT", level=LEVELS[1])
    return fs, _with_real_pdf(factories.publish_fast(fs))


def test_cover_is_the_pdfs_first_page_on_a_card_rendered_once_per_publication(client, live,
                                                                              django_assert_max_num_queries):
    from portal import covers

    fs, publication = live
    with mock.patch("portal.covers.card_png", wraps=covers.card_png) as render:
        with django_assert_max_num_queries(1):
            first = client.get("/factsheets/2081/pt/cover-v1.png")
        cache.clear()  # another process, or after a restart: the stored image is read, not rendered again
        again = client.get("/factsheets/2081/pt/cover-v1.png")
    assert render.call_count == 1
    assert first.status_code == again.status_code == 200 and first["Content-Type"] == "image/png"
    assert first.content == again.content
    assert publication.pdf.storage.exists(covers.cover_name(publication))
    image = Image.open(io.BytesIO(first.content))
    assert image.size == (1200, 630)
    assert image.getpixel((covers.MARGIN + 40, 600 - covers.MARGIN)) == COVER_BLUE  # the cover's own background
    assert image.getpixel((1200 - 10, 10)) == covers.PAPER
    assert "max-age=604800" in first["Cache-Control"]
    assert client.get("/factsheets/2081/pt/cover-v1.png", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_second_request_while_the_first_renders_waits_for_its_image(live):
    """Two requests at once: the second finds the render lock taken and reads the file the first stores."""
    from portal import covers

    _, publication = live
    name = covers.cover_name(publication)
    cache.add(f"portal:cover-lock:{name}", 1, 60)  # a render in progress elsewhere

    def store_meanwhile(seconds):
        publication.pdf.storage.save(name, io.BytesIO(b"\x89PNG stored by the other request"))

    with mock.patch("portal.covers.time.sleep", side_effect=store_meanwhile), \
            mock.patch("portal.covers.card_png") as render:
        assert covers.cover_png(publication) == b"\x89PNG stored by the other request"
    render.assert_not_called()


def test_no_cover_for_withdrawn_unknown_or_unreadable_versions(client, live, users):
    fs, publication = live
    assert client.get("/factsheets/2081/pt/cover-v2.png").status_code == 404
    assert client.get("/factsheets/2081/p1/cover-v1.png").status_code == 404
    stand_in = factories.publish_fast(EditionBuilder(2082).factsheet("ES", level=LEVELS[0]))
    assert client.get("/factsheets/2082/es/cover-v1.png").status_code == 404  # not a PDF: nothing stored
    assert not stand_in.pdf.storage.exists("covers")
    fs.refresh_from_db()
    services.factsheet_withdraw(factsheet=fs, by=users["editor"], comment="Withdrawn.")
    assert client.get("/factsheets/2081/pt/cover-v1.png").status_code == 404
