import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    factsheet = factories.FactsheetFactory(country__code="MX", country__name="Mexico", edition__year=2023)
    factories.SectionFactory(edition=factsheet.edition, kind="introduction", number=1, title="Introduction")
    return factories.publication_for(factsheet)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_anonymous_user_downloads_the_current_pdf(client, published):
    response = client.get("/factsheets/2023/mx.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ECCP-Country-Factsheet-Mexico-2023.pdf"'
    assert response["ETag"] == f'"{published.pdf_sha256}"'
    assert response["Last-Modified"] == http_date(published.published_at.timestamp())
    body = _body(response)
    assert body.startswith(b"%PDF") and len(body) == published.pdf_size


def test_conditional_get_answers_304(client, published):
    assert client.get("/factsheets/2023/mx.pdf", HTTP_IF_NONE_MATCH=f'"{published.pdf_sha256}"').status_code == 304
    since = http_date(published.published_at.timestamp() + 60)
    assert client.get("/factsheets/2023/mx.pdf", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert client.get("/factsheets/2023/mx.pdf", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_earlier_versions_stay_downloadable_and_current_is_the_latest(client, published):
    second = factories.publication_for(published.factsheet)
    assert second.number == 2
    assert client.get("/factsheets/2023/mx.pdf")["ETag"] == f'"{second.pdf_sha256}"'
    response = client.get("/factsheets/2023/mx/v1.pdf")
    assert response.status_code == 200 and response["ETag"] == f'"{published.pdf_sha256}"'
    assert "immutable" in response["Cache-Control"]
    assert client.get("/factsheets/2023/mx/v3.pdf").status_code == 404


def test_unpublished_factsheets_are_404(client):
    factsheet = factories.FactsheetFactory(country__code="FR", edition__year=2023)
    assert client.get("/factsheets/2023/fr.pdf").status_code == 404
    assert client.get("/factsheets/2023/fr/v1.pdf").status_code == 404
    assert client.get("/factsheets/2023/FR.pdf").status_code == 404
    assert client.get(f"/factsheets/2023/{factsheet.pk}.pdf").status_code == 404


def test_withdrawn_publication_is_404_and_falls_back_to_earlier(client, published):
    second = factories.publication_for(published.factsheet)
    second.withdrawn_at = timezone.now()
    second.save()
    assert client.get("/factsheets/2023/mx/v2.pdf").status_code == 404
    assert client.get("/factsheets/2023/mx.pdf")["ETag"] == f'"{published.pdf_sha256}"'
    published.withdrawn_at = timezone.now()
    published.save()
    assert client.get("/factsheets/2023/mx.pdf").status_code == 404
    assert b"mx.pdf" not in client.get("/factsheets/").content


def test_index_lists_published_factsheets_by_edition(client, published, django_assert_max_num_queries):
    other = factories.FactsheetFactory(country__code="DE", country__name="Germany", edition__year=2020)
    factories.FactsheetFactory(country__code="FR", country__name="France", edition__year=2023)
    factories.publication_for(other)
    factories.publication_for(published.factsheet)
    with django_assert_max_num_queries(3):
        response = client.get("/factsheets/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("2023 edition") < html.index("2020 edition")
    assert 'href="/factsheets/2023/mx.pdf"' in html and 'href="/factsheets/2020/de.pdf"' in html
    assert 'href="/factsheets/2023/mx/v1.pdf"' in html
    assert "France" not in html
    # Nothing is fetched from elsewhere: no script, stylesheet or image from another site.
    external = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>', html)
    assert [tag for tag in external if 'rel="canonical"' not in tag] == []


def test_download_refuses_post(client, published):
    assert client.post("/factsheets/2023/mx.pdf").status_code == 405


# Staff draft preview

def test_preview_requires_login(client, published):
    url = reverse("editorial:factsheet_preview", args=[published.factsheet.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_preview_refuses_staff_without_view_permission(client, make_user, published):
    client.force_login(make_user(username="nobody"))
    assert client.get(reverse("editorial:factsheet_preview", args=[published.factsheet.pk])).status_code == 403


def test_preview_refuses_non_staff_even_with_permission(client, make_user, published):
    user = make_user(username="outsider", is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="view_factsheet"))
    client.force_login(user)
    assert client.get(reverse("editorial:factsheet_preview", args=[published.factsheet.pk])).status_code == 403


def test_analyst_previews_a_draft_with_watermark(client, analyst):
    factsheet = factories.FactsheetFactory()
    factories.SectionFactory(edition=factsheet.edition, kind="introduction", number=1, title="Introduction")
    client.force_login(analyst)
    response = client.get(reverse("editorial:factsheet_preview", args=[factsheet.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "DRAFT" in text and f"revision {factsheet.lock_version}" in text
    assert client.get(reverse("editorial:factsheet_preview", args=[factsheet.pk + 999])).status_code == 404


def test_preview_footer_names_the_latest_revision(client, analyst):
    from io import BytesIO

    from pypdf import PdfReader

    from editorial.services import revision_record

    factsheet = factories.FactsheetFactory()
    factories.SectionFactory(edition=factsheet.edition, kind="introduction", number=1, title="Introduction")
    revision_record(factsheet=factsheet, by=analyst, reason="Edited")
    factsheet.introduction = "<p>Changed.</p>"
    factsheet.save()
    revision_record(factsheet=factsheet, by=analyst, reason="Edited")
    client.force_login(analyst)
    response = client.get(reverse("editorial:factsheet_preview", args=[factsheet.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "revision 2" in text
    assert "-r2.pdf" in response["Content-Disposition"]


def test_the_preview_looks_the_renderer_up_when_it_renders_not_at_import(client, analyst, monkeypatch):
    """Rule (order independence): editorial.views must not bind render_factsheet_pdf when it is imported, or a test
    that fakes the renderer while the views are first imported would leave the fake in place for every later test.
    The views are imported here before any fake; a fake set afterwards must still be the one the preview uses."""
    import importlib

    importlib.import_module("editorial.views")
    calls = []

    def fake(factsheet, snapshot=None, **kwargs):
        calls.append(factsheet.pk)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", fake)
    factsheet = factories.FactsheetFactory()
    client.force_login(analyst)
    response = client.get(reverse("editorial:factsheet_preview", args=[factsheet.pk]))
    assert response.status_code == 200
    assert calls == [factsheet.pk] and response.content == b"%PDF-1.7 fake"
