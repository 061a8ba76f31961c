"""factsheets tells higher apps of a recorded import through a signal (never a settings string or an import up)."""

import pytest
from import_export.formats.base_formats import CSV

from factsheets.imports import dataset_read
from factsheets.models import DataImport, Footnote
from factsheets.resources import FootnoteResource
from factsheets.signals import import_recorded
from factsheets.transfer import edition_export, edition_import

pytestmark = pytest.mark.django_db

NEW_NOTE = "country,edition,key,text\nMX,2023,signal-note,<p>Heard.</p>\n"


@pytest.fixture
def heard(settings):
    """What receivers of import_recorded were told."""
    calls = []

    def receiver(sender, record, **kwargs):
        calls.append({"sender": sender, "record": record, "factsheets": list(record.factsheets.all()),
                      "saved": DataImport.objects.filter(pk=record.pk).exists()})

    import_recorded.connect(receiver, dispatch_uid="tests.heard")
    yield calls
    import_recorded.disconnect(dispatch_uid="tests.heard")


def _import(text: str, **kwargs):
    dataset = dataset_read(data=text.encode(), file_format=CSV)
    return FootnoteResource().import_data(dataset, file_name="notes.csv", file_format="csv", **kwargs)


def test_an_import_is_told_once_with_its_record(demo, superuser, heard):
    result = _import(NEW_NOTE, dry_run=False, user=superuser)
    assert not result.has_errors() and not result.has_validation_errors()
    [call] = heard
    assert call["sender"] is DataImport and call["saved"]
    assert call["record"] == DataImport.objects.get() and call["record"].file_name == "notes.csv"
    assert call["factsheets"] == [demo[2023]]  # the record holds what it touched before anyone hears of it


def test_a_preview_or_a_refused_import_is_not_told(demo, heard):
    _import(NEW_NOTE, dry_run=True)
    _import(NEW_NOTE.replace("MX,2023", "MX,1999"), dry_run=False)
    assert heard == [] and not DataImport.objects.exists()


def test_an_edition_import_is_told_once(demo, superuser, heard, tmp_path):
    edition_export(year=2023, directory=tmp_path)
    path = tmp_path / "12-footnotes.csv"
    path.write_text(path.read_text(encoding="utf-8") + "MX,2023,signal-note,<p>Heard.</p>\n", encoding="utf-8")
    edition_import(directory=tmp_path, user=superuser)
    [call] = heard
    assert call["record"].resource == "Edition" and call["factsheets"] == [demo[2023]]


def test_a_receiver_that_fails_refuses_the_import(demo, settings):
    def refuse(sender, record, **kwargs):
        raise RuntimeError("the history could not be written")

    import_recorded.connect(refuse, dispatch_uid="tests.refuse")
    try:
        result = _import(NEW_NOTE, dry_run=False)
    finally:
        import_recorded.disconnect(dispatch_uid="tests.refuse")
    assert result.has_errors()
    assert not Footnote.objects.filter(key="signal-note").exists() and not DataImport.objects.exists()


def test_the_editable_states_are_defined_once_beside_the_states():
    from factsheets import imports, models, resources
    from factsheets.models import State

    assert models.EDITABLE_STATES == {State.DRAFT, State.CHANGES_REQUESTED}
    assert resources.EDITABLE_STATES is models.EDITABLE_STATES and not hasattr(imports, "EDITABLE_STATES")
