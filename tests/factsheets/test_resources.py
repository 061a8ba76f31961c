"""Resources: natural keys, all or nothing, bad input refused with a clear report, lossless round trip."""

import io
import json

import openpyxl
import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from import_export.formats.base_formats import CSV, JSON, XLSX

from factsheets.imports import (
    ImportRefused,
    dataset_read,
    formula_escape,
    formula_unescape,
    import_problems,
)
from factsheets.models import (
    Category,
    Country,
    DataImport,
    Edition,
    Factsheet,
    Footnote,
    Policy,
    Reference,
    State,
    Vocabulary,
)
from factsheets.resources import (
    EDITION_RESOURCES,
    CategoryResource,
    CountryResource,
    FactsheetResource,
    FootnoteResource,
    PolicyResource,
    ReferenceResource,
)
from factsheets.transfer import edition_export, edition_import

pytestmark = pytest.mark.django_db


def exported(resource_class, **kwargs) -> tablib.Dataset:
    return resource_class(**kwargs).export()


def as_csv(dataset: tablib.Dataset) -> bytes:
    return CSV().export_data(dataset).encode("utf-8")


def read_csv(data: bytes) -> tablib.Dataset:
    return dataset_read(data=data, file_format=CSV)


def run(resource_class, dataset, **kwargs):
    return resource_class().import_data(dataset, dry_run=False, **kwargs)


def policy_rows(demo_factsheet) -> tablib.Dataset:
    return exported(PolicyResource, edition_year=demo_factsheet.edition.year)


def messages(result) -> list[str]:
    return [str(p) for p in import_problems(result)]


# ---------------------------------------------------------------------------------------------- export


def test_policies_are_exported_by_natural_keys_and_labels(demo):
    dataset = policy_rows(demo[2023])
    assert dataset.headers[:4] == ["country", "edition", "order", "policy_type"]
    assert "id" not in dataset.headers and "factsheet" not in dataset.headers
    first = dict(zip(dataset.headers, dataset[0], strict=True))
    assert (first["country"], first["edition"], first["order"]) == ("MX", "2023", "1")
    assert first["policy_type"] == "Broad policy"
    assert first["eu_priorities"] == "Green economy | Digitalisation | Resilience"


def test_export_neutralises_formulae_and_import_strips_exactly_that_prefix(demo):
    factsheet = demo[2023]
    for order, text in ((1, "=HYPERLINK(\"http://evil\")"), (2, "+1 rates")):
        Policy.objects.filter(factsheet=factsheet, order=order).update(type_detail=text)
    Footnote.objects.create(factsheet=factsheet, key="at", text="@SUM(A1)")
    Footnote.objects.create(factsheet=factsheet, key="quoted", text="'=already quoted")
    dataset = policy_rows(factsheet)
    details = [row[dataset.headers.index("type_detail")] for row in dataset]
    assert details == ["'=HYPERLINK(\"http://evil\")", "'+1 rates"]
    workbook = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(dataset)))
    sheet = workbook.active
    column = dataset.headers.index("type_detail") + 1
    assert sheet.cell(row=2, column=column).value == "'=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=2, column=column).data_type == "s"
    notes = exported(FootnoteResource, edition_year=2023)
    texts = [row[notes.headers.index("text")] for row in notes]
    assert "'@SUM(A1)" in texts and "''=already quoted" in texts
    result = run(FootnoteResource, read_csv(as_csv(notes)))
    assert not result.has_errors(), messages(result)
    assert Footnote.objects.get(factsheet=factsheet, key="at").text == "@SUM(A1)"
    assert Footnote.objects.get(factsheet=factsheet, key="quoted").text == "'=already quoted"
    result = run(PolicyResource, read_csv(as_csv(dataset)))
    assert not result.has_errors(), messages(result)
    assert Policy.objects.get(factsheet=factsheet, order=1).type_detail == "=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize("value", ["", "=", "'", "''", "'=", "-1", "\tx", "\rx", "plain", "'plain", "@", "''+"])
def test_formula_escaping_is_reversible(value):
    escaped = formula_escape(value)
    assert formula_unescape(escaped) == value
    assert not escaped or escaped[0] not in "=+-@\t\r"


def test_category_labels_cannot_contain_the_separator(demo):
    category = Category(edition=demo[2023].edition, vocabulary=Vocabulary.OBJECTIVE, label="Green | digital")
    with pytest.raises(ValidationError, match="cannot contain"):
        category.full_clean()
    rows = tablib.Dataset(headers=["edition", "vocabulary", "label", "order", "description"])
    rows.append(["2023", "objective", "Green | digital", "99", ""])
    result = run(CategoryResource, rows)
    assert any(p.column == "label" and "cannot contain" in p.message for p in import_problems(result))
    assert not Category.objects.filter(label__contains="|").exists()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Category.objects.create(edition=demo[2023].edition, vocabulary=Vocabulary.OBJECTIVE, label="a|b")


# ---------------------------------------------------------------------------------------------- round trip


def wipe():
    from factsheets.models import NationalContact

    Factsheet.objects.all().delete()
    Edition.objects.all().delete()
    NationalContact.objects.all().delete()
    Country.objects.all().delete()
    DataImport.objects.all().delete()


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_edition_round_trip_into_an_empty_database_gives_identical_files(demo, tmp_path, file_format):
    first = edition_export(year=2023, directory=tmp_path / "first", file_format=file_format)
    wipe()
    assert not Factsheet.objects.exists() and not Category.objects.exists()
    report = edition_import(directory=tmp_path / "first")
    assert [name for name, _ in report.files] == [p.name for p in first]
    second = edition_export(year=2023, directory=tmp_path / "second", file_format=file_format)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    factsheet = Factsheet.objects.get()
    assert factsheet.state == State.DRAFT
    assert factsheet.policies.count() == 2 and factsheet.references.count() == 22


def test_edition_round_trip_in_xlsx_keeps_every_cell(demo, tmp_path):
    first = edition_export(year=2020, directory=tmp_path / "first", file_format="xlsx")
    wipe()
    edition_import(directory=tmp_path / "first")
    second = edition_export(year=2020, directory=tmp_path / "second", file_format="xlsx")

    def cells(path):
        sheet = openpyxl.load_workbook(path).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    for a, b in zip(first, second, strict=True):
        assert cells(a) == cells(b), a.name


def test_reimporting_an_unchanged_export_skips_every_row(demo, tmp_path):
    edition_export(year=2023, directory=tmp_path)
    report = edition_import(directory=tmp_path)
    for name, totals in report.files:
        assert totals["new"] == 0 and totals["update"] == 0, name


def test_edition_import_is_all_or_nothing_across_files(demo, tmp_path):
    edition_export(year=2023, directory=tmp_path)
    wipe()
    references = tmp_path / "13-references.csv"
    references.write_text(references.read_text().replace("https://", "notaurl://", 1))
    with pytest.raises(ImportRefused, match="13-references.csv: Row 1, column “url”"):
        edition_import(directory=tmp_path)
    assert not Edition.objects.exists() and not Country.objects.exists() and not DataImport.objects.exists()


def test_edition_import_dry_run_writes_nothing(demo, tmp_path):
    edition_export(year=2023, directory=tmp_path)
    wipe()
    report = edition_import(directory=tmp_path, dry_run=True)
    assert report.files and not Edition.objects.exists()


def test_edition_import_checks_footnote_calls(demo, tmp_path):
    edition_export(year=2023, directory=tmp_path)
    wipe()
    (tmp_path / "12-footnotes.csv").write_text("country,edition,key,text\n")
    with pytest.raises(ImportRefused):
        edition_import(directory=tmp_path)
    assert not Factsheet.objects.exists()


def test_export_and_import_edition_commands(demo, tmp_path, capsys):
    call_command("export_edition", "2023", "-d", str(tmp_path))
    wipe()
    call_command("import_edition", str(tmp_path))
    assert "Imported." in capsys.readouterr().out
    assert Factsheet.objects.filter(edition__year=2023, country__code="MX").exists()
    with pytest.raises(CommandError, match="There is no 1999 edition"):
        call_command("export_edition", "1999", "-d", str(tmp_path))


def test_import_export_management_commands_work_with_the_resources(demo, tmp_path, capsysbinary):
    call_command("export", "CSV", "factsheets.resources.ReferenceResource")
    data = capsysbinary.readouterr().out
    assert data.startswith(b"country,edition,order,citation,url,url_label,last_accessed,sub_item")
    edited = data.replace(b"Secretar\xc3\xada de Econom\xc3\xada", b"Ministry of Economy", 1)
    assert edited != data
    path = tmp_path / "references.csv"
    path.write_bytes(edited)
    call_command("import", "factsheets.resources.ReferenceResource", str(path), "--no-input",
                 "--format", "CSV", "--encoding", "utf-8")
    assert Reference.objects.filter(citation__contains="Ministry of Economy").exists()
    record = DataImport.objects.get()
    assert (record.resource, record.updated) == ("References", 1)


def test_import_command_refuses_a_bad_file_and_writes_nothing(demo, tmp_path):
    path = tmp_path / "references.csv"
    path.write_text("country,edition,order,citation,url,last_accessed\nMX,2023,1,x,not a url,\n")
    before = list(Reference.objects.values_list("citation", flat=True))
    with pytest.raises(SystemExit):
        call_command("import", "factsheets.resources.ReferenceResource", str(path), "--no-input",
                     "--format", "CSV", "--encoding", "utf-8")
    assert list(Reference.objects.values_list("citation", flat=True)) == before


# ---------------------------------------------------------------------------------------------- bad input


def test_one_bad_row_aborts_the_whole_file_and_every_error_is_listed(demo):
    dataset = policy_rows(demo[2023])
    names = dataset.headers
    rows = [list(r) for r in dataset]
    rows[0][names.index("name")] = "Renamed policy"
    rows[1][names.index("focus")] = "sectorial"
    rows[1][names.index("start_year")] = "soon"
    bad = tablib.Dataset(*rows, headers=names)
    result = run(PolicyResource, bad)
    problems = import_problems(result)
    assert {(p.row, p.column) for p in problems} == {(2, "focus"), (2, "start_year")}
    focus = next(p for p in problems if p.column == "focus")
    assert focus.value == "sectorial"
    assert "Did you mean “sectoral”?" in focus.message
    assert not Policy.objects.filter(name="Renamed policy").exists()
    assert DataImport.objects.count() == 0


def test_category_outside_the_edition_suggests_the_closest_label(demo):
    dataset = policy_rows(demo[2023])
    column = dataset.headers.index("objectives")
    row = list(dataset[0])
    row[column] = "Supporting the consolidation of existing cluster organisation | Increase supply chain resilience"
    result = run(PolicyResource, tablib.Dataset(row, headers=dataset.headers))
    (problem,) = import_problems(result)
    assert problem.column == "objectives"
    assert "not in the 2023 edition's policy objectives" in problem.message
    assert "Did you mean “Supporting the consolidation of existing cluster organisations”?" in problem.message
    only_2020 = Category.objects.create(edition=demo[2020].edition, vocabulary=Vocabulary.POLICY_TYPE,
                                        label="A type only the 2020 edition has")
    row = list(dataset[0])
    row[dataset.headers.index("policy_type")] = only_2020.label
    result = run(PolicyResource, tablib.Dataset(row, headers=dataset.headers))
    (problem,) = import_problems(result)
    assert problem.column == "policy_type"
    assert "not in the 2023 edition's policy types" in problem.message


def test_duplicate_rows_are_refused(demo):
    dataset = policy_rows(demo[2023])
    twice = tablib.Dataset(dataset[0], dataset[0], headers=dataset.headers)
    result = run(PolicyResource, twice)
    (problem,) = import_problems(result)
    assert (problem.row, problem.column) == (2, "order")
    assert "Duplicate row: row 1 has the same country, edition, order" in problem.message


@pytest.mark.parametrize("column,value,expected", [
    ("country", "XX", "“XX” is not an ISO 3166-1 alpha-2 country code."),
    ("country", "FR", "FR (France) is not a country of the platform yet"),
    ("edition", "2099", "There is no “2099” edition (editions: 2020, 2023)."),
])
def test_unknown_country_or_edition_is_refused(demo, column, value, expected):
    dataset = policy_rows(demo[2023])
    row = list(dataset[0])
    row[dataset.headers.index(column)] = value
    result = run(PolicyResource, tablib.Dataset(row, headers=dataset.headers))
    problems = import_problems(result)
    assert any(p.column == column and p.value == value and expected in p.message for p in problems), problems


def test_unknown_country_code_gets_a_suggestion(db):
    dataset = tablib.Dataset(["MXX", ""], headers=["code", "name"])
    result = run(CountryResource, dataset)
    (problem,) = import_problems(result)
    assert "“MXX” is not an ISO 3166-1 alpha-2 country code." in problem.message


def test_missing_and_extra_columns_are_refused(demo):
    dataset = policy_rows(demo[2023])
    dataset.headers = [h if h != "name" else "title" for h in dataset.headers]
    result = run(PolicyResource, dataset)
    text = " ".join(messages(result))
    assert "Missing columns: name." in text and "Unexpected columns: title." in text
    assert result.has_errors() and not result.rows


def test_a_header_without_rows_is_refused(demo):
    with pytest.raises(ValidationError, match="no data rows"):
        read_csv(b"country,edition,key,text\n")
    result = run(FootnoteResource, tablib.Dataset(headers=["country", "edition", "key", "text"]))
    assert "The file has no data rows." in " ".join(messages(result))


@pytest.mark.parametrize("data,expected", [
    (b"", "The file is empty."),
    (b"  \n\n", "The file is empty."),
    ("country,edition,key,text\nMX,2023,a,caf\u00e9\n".encode("latin-1"), "not UTF-8"),
    (b"country,edition\x00,key\n1,2,3\n", "NUL"),
])
def test_unreadable_files_are_refused_with_a_clear_message(data, expected):
    with pytest.raises(ValidationError, match=expected):
        read_csv(data)


def test_utf8_with_bom_is_read(db):
    dataset = read_csv("\ufeffcode,name\nMX,\n".encode())
    assert dataset.headers == ["code", "name"]


def test_files_over_the_size_limit_are_refused(settings):
    settings.FACTSHEETS_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is 100 bytes"):
        read_csv(b"code,name\n" + b"MX,\n" * 40)


def test_broken_xlsx_and_json_are_refused():
    with pytest.raises(ValidationError, match="could not be read as xlsx"):
        dataset_read(data=b"PK\x03\x04 not really a workbook", file_format=XLSX)
    with pytest.raises(ValidationError, match="could not be read as json"):
        dataset_read(data=b"{\"not\": [a list", file_format=JSON)


def test_text_over_its_limit_is_refused(demo):
    dataset = exported(ReferenceResource, edition_year=2023)
    row = list(dataset[0])
    row[dataset.headers.index("citation")] = "x" * 2001
    result = run(ReferenceResource, tablib.Dataset(row, headers=dataset.headers))
    (problem,) = import_problems(result)
    assert problem.column == "citation"
    assert "at most 2000 characters" in problem.message


def test_html_in_text_fields_is_sanitised_as_in_the_admin(demo):
    dataset = exported(FactsheetResource, edition_year=2023)
    row = list(dataset[0])
    row[dataset.headers.index("introduction")] = (
        '<p onclick="x()">Hello <script>alert(1)</script><a href="javascript:x()">link</a></p>'
    )
    result = run(FactsheetResource, tablib.Dataset(row, headers=dataset.headers))
    assert not result.has_errors(), messages(result)
    from factsheets.richtext import sanitize

    demo[2023].refresh_from_db()
    assert demo[2023].introduction == sanitize(row[dataset.headers.index("introduction")])
    assert "script" not in demo[2023].introduction and "onclick" not in demo[2023].introduction
    assert "javascript" not in demo[2023].introduction


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED, State.PUBLISHED, State.WITHDRAWN])
def test_unchanged_rows_beyond_draft_are_skipped_and_changed_ones_refused(demo, state):
    factsheet = demo[2023]
    dataset = exported(FootnoteResource, edition_year=2023)
    Factsheet.objects.filter(pk=factsheet.pk).update(state=state)
    result = run(FootnoteResource, dataset)
    assert not messages(result) and result.totals["skip"] == len(dataset) and result.totals["update"] == 0
    changed = tablib.Dataset(*[list(row) for row in dataset], headers=dataset.headers)
    row = list(changed[1])
    row[changed.headers.index("text")] = "<p>Changed.</p>"
    changed[1] = row
    problems = import_problems(run(FootnoteResource, changed))
    assert [(p.row, p.column) for p in problems] == [(2, "country")]  # only the changed row
    assert "imports only change drafts" in problems[0].message
    assert not Footnote.objects.filter(text="<p>Changed.</p>").exists()
    assert not messages(run(FactsheetResource, exported(FactsheetResource, edition_year=2023)))
    rows = exported(FactsheetResource, edition_year=2023)
    row = list(rows[0])
    row[rows.headers.index("introduction")] = "<p>Changed.</p>"
    rows[0] = row
    assert any("imports only change drafts" in p.message for p in import_problems(run(FactsheetResource, rows)))


def test_changes_requested_counts_as_a_draft(demo):
    factsheet = demo[2023]
    Factsheet.objects.filter(pk=factsheet.pk).update(state=State.CHANGES_REQUESTED)
    dataset = exported(FootnoteResource, edition_year=2023)
    row = list(dataset[0])
    row[dataset.headers.index("text")] = "<p>Changed.</p>"
    result = run(FootnoteResource, tablib.Dataset(row, headers=dataset.headers))
    assert not result.has_errors(), messages(result)
    assert result.totals["update"] == 1


def test_vocabularies_of_an_edition_with_published_factsheets_are_locked(demo):
    Factsheet.objects.filter(pk=demo[2023].pk).update(state=State.PUBLISHED)
    rows = tablib.Dataset(["2023", "objective", "A brand new objective", "99", ""],
                          headers=["edition", "vocabulary", "label", "order", "description"])
    result = run(CategoryResource, rows)
    assert any("cannot be changed by an import" in p.message for p in import_problems(result))
    assert not Category.objects.filter(label="A brand new objective").exists()


def test_a_successful_import_is_recorded(demo, admin_user):
    dataset = exported(FootnoteResource, edition_year=2023)
    row = list(dataset[0])
    row[dataset.headers.index("text")] = "<p>Changed.</p>"
    dataset.append(["MX", "2023", "new-note", "<p>New.</p>"])
    dataset = tablib.Dataset(row, dataset[1], dataset[2], headers=dataset.headers)
    result = FootnoteResource().import_data(dataset, dry_run=False, user=admin_user, file_name="notes.csv",
                                            file_format="csv")
    assert not result.has_errors(), messages(result)
    record = DataImport.objects.get()
    assert (record.user, record.file_name, record.file_format, record.resource) == (
        admin_user, "notes.csv", "csv", "Footnotes")
    assert (record.rows, record.new, record.updated, record.skipped, record.deleted) == (3, 1, 1, 1, 0)
    assert list(record.factsheets.all()) == [demo[2023]]
    factsheet = Factsheet.objects.get(pk=demo[2023].pk)
    assert factsheet.lock_version == demo[2023].lock_version + 1 and factsheet.updated_by == admin_user
    assert Factsheet.objects.get(pk=demo[2020].pk).lock_version == demo[2020].lock_version


def test_a_dry_run_writes_nothing_and_records_nothing(demo):
    dataset = tablib.Dataset(["MX", "2023", "new-note", "<p>New.</p>"], headers=["country", "edition", "key", "text"])
    result = FootnoteResource().import_data(dataset, dry_run=True)
    assert result.totals["new"] == 1
    assert not Footnote.objects.filter(key="new-note").exists() and not DataImport.objects.exists()


def test_raise_errors_raises_the_full_report(demo):
    dataset = tablib.Dataset(["MX", "2023", "Not a slug!", ""], headers=["country", "edition", "key", "text"])
    with pytest.raises(ImportRefused) as info:
        FootnoteResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert "column “key”" in str(info.value) and "column “text”" in str(info.value)


def test_every_resource_exports_the_columns_it_imports(demo):
    for name, resource_class in EDITION_RESOURCES:
        resource = resource_class(edition_year=2023)
        dataset = resource.export()
        assert dataset.headers == resource.columns(), name
        assert not resource.column_problems(dataset.headers), name


def test_json_import_accepts_numbers(demo):
    data = json.dumps([{"country": "MX", "edition": 2023, "order": 1, "citation": "A citation.",
                        "url": "", "last_accessed": "2024-01-31"}]).encode()
    result = run(ReferenceResource, dataset_read(data=data, file_format=JSON))
    assert not result.has_errors(), messages(result)
    reference = Reference.objects.get(factsheet=demo[2023], order=1)
    assert reference.citation == "A citation." and str(reference.last_accessed) == "2024-01-31"


def policy_row(demo, **changes) -> tablib.Dataset:
    dataset = policy_rows(demo[2023])
    row = list(dataset[1])
    for column, value in changes.items():
        row[dataset.headers.index(column)] = value
    return tablib.Dataset(row, headers=dataset.headers)


def test_policy_rules_of_the_admin_apply(demo):
    result = run(PolicyResource, policy_row(demo, end_year="2010"))
    (problem,) = import_problems(result)
    assert (problem.column, problem.value) == ("end_year", "2010")
    assert problem.message == "The ending year (2010) is before the starting year (2015)."
    result = run(PolicyResource, policy_row(demo, budget_overall_currency="pesos"))
    assert any(p.column == "budget_overall_currency" and "three-letter" in p.message for p in import_problems(result))


def test_check_constraints_are_enforced_without_the_database(demo):
    result = run(PolicyResource, policy_row(demo, budget_overall_eur="-5"))
    (problem,) = import_problems(result)
    assert "policy_budget_overall_non_negative" in problem.message
    assert Policy.objects.get(factsheet=demo[2023], order=2).budget_overall_eur != -5


def test_unique_constraints_beyond_the_key_are_reported(demo):
    from factsheets.resources import SectionResource

    dataset = exported(SectionResource, edition_year=2023)
    row = list(dataset[1])
    row[dataset.headers.index("order")] = dataset[0][dataset.headers.index("order")]
    result = run(SectionResource, tablib.Dataset(row, headers=dataset.headers))
    (problem,) = import_problems(result)
    assert "Section with this Edition and Order already exists." in problem.message


def test_q_holds_follows_sql_three_valued_logic():
    from django.db.models import F, Q

    from factsheets.resources import q_holds

    policy = Policy(start_year=2020, end_year=None, period="limited")
    assert q_holds(Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")), policy) is True
    assert q_holds(Q(end_year__gte=F("start_year")), policy) is None
    policy.end_year = 2010
    assert q_holds(Q(end_year__gte=F("start_year")), policy) is False
    assert q_holds(~Q(period="limited"), policy) is False
    assert q_holds(~Q(name__contains="|"), Policy(name="a | b")) is False


def test_assessment_rules_of_the_admin_apply(demo):
    from factsheets.resources import AssessmentResource

    dataset = exported(AssessmentResource, edition_year=2023)
    row = list(dataset[0])
    row[dataset.headers.index("score")] = "1.5"
    result = run(AssessmentResource, tablib.Dataset(row, headers=dataset.headers))
    (problem,) = import_problems(result)
    assert problem.column == "score" and "choose a level, not a score" in problem.message
    row = list(dataset[0])
    row[dataset.headers.index("level")] = "Nonexistent level"
    result = run(AssessmentResource, tablib.Dataset(row, headers=dataset.headers))
    (problem,) = import_problems(result)
    assert problem.column == "level" and "is not a level of" in problem.message


def test_spreadsheet_leftovers_are_ignored(demo):
    data = ("\ufeff country , edition,key,text,\r\nMX,2023,leftover,<p>x</p>,\r\n,,,,\r\n,,,,\r\n").encode()
    result = run(FootnoteResource, read_csv(data))
    assert not result.has_errors(), messages(result)
    assert result.totals["new"] == 1 and Footnote.objects.filter(key="leftover").exists()


def test_a_blank_row_in_the_middle_is_reported(demo):
    data = b"country,edition,key,text\r\nMX,2023,one,x\r\n,,,\r\nMX,2023,two,y\r\n"
    result = run(FootnoteResource, read_csv(data))
    assert {(p.row, p.column) for p in import_problems(result)} == {(2, "country"), (2, "edition"), (2, "key")}
    assert not Footnote.objects.filter(key="one").exists()
