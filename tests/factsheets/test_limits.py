"""Control characters never reach storage, requests and factsheets have a size they cannot pass (issue 11.11)."""

import pytest
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from factsheets.models import Footnote, Policy, Reference
from factsheets.resources import FootnoteResource, PolicyResource, ReferenceResource
from tests import factories
from tests.factsheets.test_admin import form_data
from tests.factsheets.test_import_admin import preview

pytestmark = pytest.mark.django_db


def test_an_import_refuses_a_control_character_and_names_row_and_column(csrf_client_superuser, demo):
    content = "country,edition,order,citation,url,last_accessed\r\nMX,2023,99,A\x07bell,,\r\n"
    response = preview(csrf_client_superuser, "reference", content, name="references.csv")
    problems = [str(p) for p in response.context["problems"]]
    assert any(p.startswith("Row 1, column “citation”") and "control character (U+0007)" in p for p in problems)
    assert not Reference.objects.filter(order=99).exists()


def test_a_rich_text_loses_its_control_characters_on_every_write_path(demo):
    factsheet = demo[2023]
    note = Footnote.objects.create(factsheet=factsheet, key="bell", text="<p>A\x07 bell\x1b.</p>")
    note.refresh_from_db()
    assert note.text == "<p>A bell.</p>"


def test_the_admin_refuses_a_control_character_in_a_plain_text(admin_client, demo):
    factsheet = demo[2023]
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    data = form_data(admin_client.get(url))
    data["policies-0-name"] = "A name\x0bwith a vertical tab"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "control character (U+000B)" in response.content.decode()
    assert "\x0b" not in Policy.objects.get(pk=data["policies-0-id"]).name


def test_exports_never_break_even_on_legacy_text(demo):
    Reference.objects.filter(factsheet=demo[2023], order=1).update(citation="Legacy\x07 text")
    data = XLSX().export_data(ReferenceResource().export())
    assert data[:2] == b"PK"


def test_a_50_mb_upload_is_refused_before_its_body_is_read(client, superuser):
    client.force_login(superuser)
    size = 50 * 1024 * 1024
    # The body given is empty: if Django tried to read the 50 MB it announces, the test client would fail.
    response = client.generic("POST", reverse("admin:factsheets_footnote_import"), b"",
                              content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(size))
    assert response.status_code == 413
    assert "accepts at most 10 MB" in response.content.decode()


def test_an_import_may_not_fill_a_factsheet_past_its_capacity(csrf_client_superuser, demo, settings):
    settings.FACTSHEETS_MAX_FOOTNOTES = 5
    rows = "".join(f"MX,2023,extra-{i},<p>Note {i}.</p>\r\n" for i in range(5))
    response = preview(csrf_client_superuser, "footnote", "country,edition,key,text\r\n" + rows)
    problems = [str(p) for p in response.context["problems"]]
    assert any("Mexico 2023 would hold 7 footnotes; a factsheet may hold 5." in p for p in problems), problems
    assert Footnote.objects.filter(factsheet=demo[2023]).count() == 2


def test_resources_refuse_past_capacity_on_a_real_import_too(demo, settings):
    import tablib

    settings.FACTSHEETS_MAX_POLICIES = 2
    dataset = PolicyResource().export()
    row = dict(zip(dataset.headers, dataset[-1], strict=True))
    row.update(order=9, name="A third policy")
    extra = tablib.Dataset([row[h] for h in dataset.headers], headers=dataset.headers)
    result = PolicyResource().import_data(extra, dry_run=False)
    assert result.has_errors()
    assert Policy.objects.filter(factsheet=demo[2023]).count() == 2
    assert FootnoteResource  # the footnote and reference resources use the same after_import check


def test_the_admin_refuses_more_policies_than_a_factsheet_may_hold(admin_client, settings):
    settings.FACTSHEETS_MAX_POLICIES = 1
    factsheet = factories.FactsheetFactory()
    policy = factories.PolicyFactory(factsheet=factsheet, order=1)
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    data = form_data(admin_client.get(url))
    data.update({"policies-TOTAL_FORMS": "2", "policies-1-order": "2", "policies-1-name": "Second",
                 "policies-1-policy_type": str(policy.policy_type_id)})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Please submit at most 1 form" in response.content.decode()
    assert factsheet.policies.count() == 1


def test_a_text_longer_than_a_factsheet_text_may_be_is_refused(admin_client, demo, settings):
    settings.FACTSHEETS_MAX_TEXT_CHARS = 100
    factsheet = demo[2023]
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    data = form_data(admin_client.get(url))
    data["introduction"] = "<p>" + "x" * 200 + "</p>"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "a text of a factsheet may hold 100" in response.content.decode()


@pytest.fixture
def csrf_client_superuser(superuser):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    return client
