"""National validation rules each guarded by a test of its own: the whole token, the deadline in the service, a
publication closing the link, and the draft PDF of the revision that was sent (a real render, no fake)."""

import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader

from editorial import services
from editorial.national_validation import selectors as validation_selectors
from editorial.national_validation import services as validation
from editorial.permissions import WorkflowError
from factsheets.models import NationalContact, Section, State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def contact(factsheet):
    return NationalContact.objects.create(country=factsheet.country, name="Ana Contact", organisation="Ministry",
                                          email="ana@example.org")


def _send(factsheet, contact, by, days=14):
    (sent,) = validation.validation_request_send(factsheet=factsheet, contacts=[contact], by=by, message="",
                                                 deadline=timezone.localdate() + timedelta(days=days))
    return sent, re.search(r"/validate/([^/]+)/", sent.link)[1]


def _answers(factsheet):
    return [validation.SectionAnswer(section=s, status="correct") for s in Section.objects.filter(
        edition=factsheet.edition)]


def test_a_link_opens_with_its_whole_token_only(factsheet, contact, users):
    sent, token = _send(factsheet, contact, users["editor"])
    assert validation_selectors.validation_request_open(token=token) == sent.request
    for wrong in (token[:-1], token + "x", token[:20], token.upper() if token.upper() != token else token.lower()):
        assert validation_selectors.validation_request_open(token=wrong) is None


def test_the_service_refuses_answers_after_the_deadline(factsheet, contact, users, time_after_deadline):
    sent, _token = _send(factsheet, contact, users["editor"], days=1)
    time_after_deadline(sent.request)
    with pytest.raises(WorkflowError, match="closed"):
        validation.validation_answer_submit(request=sent.request, answers=_answers(factsheet), verdict="confirmed")
    assert not sent.request.answers.exists()


@pytest.fixture
def time_after_deadline(monkeypatch):
    def travel(request):
        later = timezone.now() + timedelta(days=2)
        request.expires_at = later + timedelta(days=30)  # the link itself still opens: only the deadline passed
        request.save(update_fields=["expires_at"])
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    return travel


def test_a_publication_closes_the_link_for_answers(factsheet, contact, users, monkeypatch, client):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")
    sent, token = _send(factsheet, contact, users["editor"])
    from tests.editorial.conftest import walk

    walk(factsheet, State.PUBLISHED, users)
    sent.request.refresh_from_db()
    assert not validation_selectors.validation_is_open(sent.request)
    with pytest.raises(WorkflowError, match="closed"):
        validation.validation_answer_submit(request=sent.request, answers=_answers(factsheet), verdict="confirmed")
    assert client.post(f"/validate/{token}/", {"verdict": "confirmed"}).status_code == 404


def test_the_draft_pdf_is_the_revision_that_was_sent_of_the_right_factsheet(factsheet, contact, users, client):
    """A real render (no fake PDF): the country, the edition and the text of the revision sent, not a later
    draft's."""
    factsheet.introduction = "<p>Sent for checking.</p>"
    factsheet.save()
    sent, token = _send(factsheet, contact, users["analyst"])
    factsheet.introduction = "<p>Rewritten after sending.</p>"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"], reason="Edited")
    response = client.get(f"/validate/{token}/draft.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert f"{factsheet.country.name}" in text and str(factsheet.edition.year) in text
    assert "Sent for checking." in text and "Rewritten after sending" not in text
    assert "DRAFT" in (reader.metadata.title or "")


def test_each_editions_link_shows_the_draft_of_its_own_edition(factsheet, contact, users, client, monkeypatch):
    """Rule: the validation draft shows the edition the request was sent for. Two factsheets of the same country
    in two editions, each at its first revision: neither link shows the other's kept draft."""
    from tests import factories

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf",
                        lambda fs, snapshot=None, **k: b"%PDF-1.7 " + str(snapshot["edition"]["year"]).encode())
    other = factories.FactsheetFactory(country=factsheet.country,
                                       edition=factories.EditionFactory(year=factsheet.edition.year + 1))
    drafts = {}
    for fs in (factsheet, other):
        sent, token = _send(fs, contact, users["editor"])
        assert sent.request.revision.number == 1
        response = client.get(f"/validate/{token}/draft.pdf")
        assert response.status_code == 200
        drafts[fs.edition.year] = b"".join(response.streaming_content) if response.streaming else response.content
    assert drafts == {year: b"%PDF-1.7 " + str(year).encode() for year in (factsheet.edition.year,
                                                                        factsheet.edition.year + 1)}
