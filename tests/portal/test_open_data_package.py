"""The Frictionless data package of an edition (issue 20.3), validated with frictionless itself: typed tables with
primary and foreign keys and list fields with their delimiter, the licence and sources, the JSON; an XLSX workbook
with one sheet per table; the /data/ page with sizes, citation, codebook and changelog (issue 20.5)."""

import io
import json
from pathlib import Path

import pytest
from frictionless import Package, system
from openpyxl import load_workbook

from tests.portal.conftest import LEVELS, OBJECTIVES

pytestmark = pytest.mark.django_db


def _download(client, year: int, folder: Path) -> dict:
    package = json.loads(client.get(f"/data/{year}/datapackage.json").content)
    for resource in package["resources"]:
        response = client.get(f"/data/{year}/{resource['path']}")
        assert response.status_code == 200, resource["path"]
        (folder / resource["path"]).write_bytes(response.content)
    (folder / "datapackage.json").write_text(json.dumps(package))
    return package


def test_the_data_package_validates_with_frictionless(client, open_edition, tmp_path):
    package = _download(client, 2061, tmp_path)
    with system.use_context(trusted=False):
        report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {t.name for t in report.tasks} == {"factsheets", "policies", "state-of-play", "qualitative",
                                              "footnotes", "references", "data-json"}
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["sources"]
    for resource in package["resources"]:
        assert resource["bytes"] == (tmp_path / resource["path"]).stat().st_size


def test_tables_are_typed_keyed_and_say_their_list_delimiter(client, open_edition, tmp_path):
    _download(client, 2061, tmp_path)
    package = Package(str(tmp_path / "datapackage.json"))
    policies = package.get_resource("policies")
    fields = {f.name: f for f in policies.schema.fields}
    assert fields["budget_overall_eur"].type == "number" and fields["budget_overall_currency"].type == "string"
    assert "MXN" in fields["budget_overall_currency"].constraints["enum"]
    assert fields["objective"].type == "list" and fields["objective"].delimiter == " | "
    assert policies.schema.primary_key == ["country_code", "policy_order"]
    assert policies.schema.foreign_keys[0]["reference"]["resource"] == "factsheets"
    rows = policies.read_rows()
    first = next(r for r in rows if r["policy_order"] == 1)
    assert first["objective"] == OBJECTIVES[:2]  # a list again, read with the declared delimiter
    assert first["budget_overall_amount"] == 30000000 and first["start_year"] == 2019
    assert first["beneficiaries_other"] == "Nature"
    state = package.get_resource("state-of-play").read_rows()
    assert {r["level_rank"] for r in state} == {3, 4} and next(iter(state))["levels"] == LEVELS


def test_the_workbook_has_one_sheet_per_table_and_the_licence(client, open_edition):
    response = client.get("/data/2061/data.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="eccp-factsheets-2061-data.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["about", "factsheets", "policies", "state_of_play", "qualitative", "footnotes",
                               "references"]
    about = [row for row in book["about"].values]
    assert any("CC BY 4.0" in str(row) for row in about)
    header, *rows = list(book["policies"].values)
    assert len(rows) == 2 and rows[1][header.index("policy_name")] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0][header.index("budget_overall_eur")] == 1420000


def test_the_data_page_lists_files_with_sizes_citation_codebook_and_changelog(client, open_edition):
    response = client.get("/data/")
    assert response.status_code == 200
    page = response.content.decode()
    package = json.loads(client.get("/data/2061/datapackage.json").content)
    policies = next(r for r in package["resources"] if r["name"] == "policies")
    assert 'href="/data/2061/policies.csv"' in page and 'href="/data/2061/data.xlsx"' in page
    from django.template.defaultfilters import filesizeformat

    assert f"policies.csv</a></th><td>CSV</td><td>{filesizeformat(policies['bytes'])}</td>" in page
    assert "How to cite:" in page and "2 factsheets, published " in page
    for level in LEVELS:  # the codebook comes from the edition's methodology
        assert level in page
    assert "Supporting internationalisation activities" in page and "budget_overall_eur_at_rate" in page
    assert "Every footnote call [^key] in a text has a footnote" in page  # the checker's rules
    assert "France 2061, version 1 published" in page  # the changelog
