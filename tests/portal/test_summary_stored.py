"""The summary report (HTML and PDF) is rendered once per set of live versions, when it is published, withdrawn or
prepared for a release, and stored: a reader's request never renders it (issue 17.6, summary part)."""

import io

import pytest
from pypdf import PdfReader

from editorial import services
from editorial.models import EditionSummary
from factsheets.models import State
from tests import factories
from tests.editorial.conftest import walk
from tests.portal.conftest import LEVELS, published_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Count the summary renders; `refuse` makes any further render fail."""
    from portal import reports

    real = reports.render_branded_pdf
    calls = {"n": 0, "refuse": False}

    def counted(html, *, name):
        if calls["refuse"]:
            raise AssertionError("the summary was rendered on a reader's request")
        calls["n"] += 1
        return real(html, name=name)
    monkeypatch.setattr("portal.reports.render_branded_pdf", counted)
    return calls


def test_readers_get_the_stored_summary_whatever_their_host_header(client, renders):
    published_edition(2061, 2)
    assert renders["n"] == 1 and EditionSummary.objects.filter(edition__year=2061).count() == 1
    renders["refuse"] = True
    bodies = set()
    for host in ["testserver", "localhost", "lOcalhost", "LOCALHOST", "127.0.0.1"]:
        response = client.get("/factsheets/2061/summary.pdf", HTTP_HOST=host)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        bodies.add(response.content)
        page = client.get("/factsheets/2061/summary/", HTTP_HOST=host)
        assert page.status_code == 200 and "Dedicated national cluster policy" in page.content.decode()
    assert len(bodies) == 1
    stored = EditionSummary.objects.get(edition__year=2061)
    assert bodies == {stored.pdf.open("rb").read()}


def test_a_publish_and_a_withdrawal_each_store_the_summary_of_the_new_set(client, users, renders):
    builder = published_edition(2062, 2)
    fs = builder.factsheet("NO", level=LEVELS[1], policies=[("Broad policy", [], None, "Norwegian plan")])
    walk(fs, State.PUBLISHED, users)  # the publish job renders the summary before the version goes live
    assert renders["n"] == 2
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get("/factsheets/2062/summary.pdf").content)).pages)
    assert "Norway" in text
    fs.refresh_from_db()
    services.factsheet_withdraw(factsheet=fs, by=users["editor"], comment="Wrong data.")
    assert renders["n"] == 2  # the set without Norway was rendered before: found, not rendered again
    renders["refuse"] = True
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get("/factsheets/2062/summary.pdf").content)).pages)
    assert "Norway" not in text
    assert "Norway" not in client.get("/factsheets/2062/summary/").content.decode()


def test_a_set_without_its_stored_summary_is_answered_503_not_rendered(client, renders):
    builder = published_edition(2063, 2)
    fs = builder.factsheet("IS", level=LEVELS[1])
    factories.publish_fast(fs, summary=False)  # as if the worker had not stored it yet
    renders["refuse"] = True
    response = client.get("/factsheets/2063/summary.pdf")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert client.get("/factsheets/2063/summary/").status_code == 503
