"""A bulk import is recorded in the history of each factsheet it touched, as a revision naming the file."""

import pytest

from editorial.models import Revision
from editorial.selectors import factsheet_timeline
from tests.factsheets.test_import_admin import NEW_NOTE, preview, url

pytestmark = pytest.mark.django_db


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(url("footnote", "process_import"), data)


def test_import_records_a_revision_of_the_factsheet(admin_client, superuser, demo):
    factsheet = demo[2023]
    response = confirm(admin_client, preview(admin_client, "footnote", NEW_NOTE))
    assert response.status_code == 302
    revision = Revision.objects.filter(factsheet=factsheet).latest("number")
    assert revision.reason.startswith("Imported from footnotes.csv")
    assert revision.created_by == superuser
    assert "extra" in [f["key"] for f in revision.snapshot["footnotes"]]
    assert not Revision.objects.filter(factsheet=demo[2020]).exists()


def test_a_refused_import_records_nothing(admin_client, demo):
    bad = NEW_NOTE.replace("MX,2023", "MX,1999")
    response = preview(admin_client, "footnote", bad)
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Revision.objects.exists()


def test_import_appears_in_the_timeline(admin_client, demo):
    confirm(admin_client, preview(admin_client, "footnote", NEW_NOTE))
    imports = [item.data_import for item in factsheet_timeline(factsheet=demo[2023]) if item.kind == "import"]
    assert [(i.file_name, i.new) for i in imports] == [("footnotes.csv", 1)]


def test_an_edition_import_records_one_revision_per_factsheet(demo, tmp_path, superuser):
    """Changing the footnotes, references and policies files of an edition export and importing the directory is
    one edit of the factsheet: one revision (it used to be one per file), one import record."""
    from factsheets.models import DataImport
    from factsheets.transfer import edition_export, edition_import

    factsheet = demo[2023]
    edition_export(year=2023, directory=tmp_path)
    edits = (("12-footnotes.csv", "</p>", " (revised).</p>"), ("13-references.csv", "CEPAL (2022)", "CEPAL (2022a)"),
             ("09-policies.csv", "Mexico", "México"))
    for name, old, new in edits:
        path = tmp_path / name
        text = path.read_text(encoding="utf-8")
        assert old in text, name
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = Revision.objects.filter(factsheet=factsheet).count()
    report = edition_import(directory=tmp_path, user=superuser)
    changed = {name for name, totals in report.files if totals["update"]}
    assert changed == {"09-policies.csv", "12-footnotes.csv", "13-references.csv"}
    assert Revision.objects.filter(factsheet=factsheet).count() == before + 1
    revision = Revision.objects.filter(factsheet=factsheet).latest("number")
    assert revision.reason == f"Imported from {tmp_path.name} (Edition)" and revision.created_by == superuser
    record = DataImport.objects.get()
    assert record.updated == 3 and list(record.factsheets.all()) == [factsheet]
    assert not Revision.objects.filter(factsheet=demo[2020]).exists()
