"""Hostile uploads are refused with a message, within a fixed memory budget (issue 11.9)."""

import tracemalloc

import pytest
from django.core.exceptions import ValidationError

from factsheets import formats
from factsheets.imports import dataset_read
from tests.factsheets import hostile_files

BUDGET = 200 * 1024 * 1024  # bytes of Python allocations a refusal may take


def _refused(data: bytes, fmt, match: str):
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as error:
            dataset_read(data=data, file_format=fmt)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = " ".join(error.value.messages)
    assert match in message, message
    assert peak < BUDGET, f"{peak / 2**20:.0f} MiB"
    return message


def test_an_xlsx_declaring_a_million_rows_is_refused():
    data = hostile_files.rows_declared_xlsx()
    assert len(data) < 2000
    _refused(data, formats.XLSX, "rows")


def test_an_xlsx_whose_shared_strings_inflate_past_the_limit_is_refused(settings):
    _refused(hostile_files.shared_strings_xlsx(60 << 20), formats.XLSX, "would unpack to 60 MB; the limit is 50 MB")


def test_a_zip_bomb_member_is_refused_before_it_is_decompressed():
    _refused(hostile_files.zip_bomb_xlsx(60 << 20), formats.XLSX, "would unpack to")


def test_a_part_compressed_too_well_is_refused_even_under_the_total(settings):
    settings.FACTSHEETS_IMPORT_MAX_UNZIPPED_BYTES = 100 << 20
    _refused(hostile_files.zip_bomb_xlsx(20 << 20), formats.XLSX, "compressed suspiciously well")


def test_millions_of_short_shared_strings_are_refused_before_openpyxl_holds_them():
    data = hostile_files.many_shared_strings_xlsx()
    assert len(data) < 5 * 1024 * 1024
    _refused(data, formats.XLSX, "more than 200000 distinct texts")


def test_entity_expansion_in_the_sheet_xml_is_refused():
    _refused(hostile_files.entities_xlsx(), formats.XLSX, "declares a DTD or entities")


@pytest.mark.parametrize("build, match", [
    (hostile_files.empty_objects_json, "more than 5000 data rows"),
    (hostile_files.scalars_json, "more than 5000 data rows"),
])
def test_a_json_of_a_million_rows_is_refused(build, match):
    _refused(build(), formats.JSON, match)


@pytest.mark.parametrize("text, match", [
    ('[{"country": "MX"}, 7]', "Row 2 is not an object"),
    ('{"country": "MX"}', "is a list of rows"),
    ('[{"country": ["MX"]}]', "not a list or an object"),
    ("[{}, {}]", "hold no columns"),
])
def test_json_rows_must_be_flat_objects(text, match):
    _refused(text.encode(), formats.JSON, match)


def test_a_csv_of_700_000_rows_is_refused():
    _refused(hostile_files.many_rows_csv(), formats.CSV, "more than 5000 data rows")


def test_too_many_columns_are_refused():
    header = ",".join(f"c{i}" for i in range(150))
    _refused(f"{header}\n{',' * 149}x\n".encode(), formats.CSV, "more than 100 columns")


def test_the_row_cap_is_a_setting(settings):
    settings.FACTSHEETS_IMPORT_MAX_ROWS = 3
    rows = "country,edition\n" + "MX,2023\n" * 4
    _refused(rows.encode(), formats.CSV, "more than 3 data rows")
    settings.FACTSHEETS_IMPORT_MAX_ROWS = 4
    assert len(dataset_read(data=rows.encode(), file_format=formats.CSV)) == 4


def test_files_within_the_limits_still_read_in_every_format():
    import json

    import tablib

    dataset = tablib.Dataset(["MX", 2023, "A name"], ["FR", 2023, None], headers=["country", "edition", "name"])
    for fmt in (formats.CSV, formats.XLSX, formats.JSON):
        data = fmt().export_data(dataset)
        data = data if isinstance(data, bytes) else data.encode()
        read = dataset_read(data=data, file_format=fmt)
        assert read.headers == ["country", "edition", "name"]
        assert [str(v) for v in read[0][:2]] == ["MX", "2023"]
    assert json.loads(formats.JSON().export_data(dataset))[1]["name"] is None


def test_an_over_long_csv_header_is_refused_without_sniffing(monkeypatch):
    """Issue 17.1: a header of “,'a” repeated made csv.Sniffer work for minutes (quadratic in its length); the
    separator is now counted in one pass over a bounded header, and a longer header is refused."""
    monkeypatch.setattr("csv.Sniffer.sniff", _never_called)
    data = hostile_files.sniffer_header_csv(4_000)  # 12,000 characters: over the 10,000 a header may hold
    _refused(data, formats.CSV, "first line of the file (its header) is longer than 10000 characters")
    _refused(hostile_files.sniffer_header_csv(), formats.CSV, "is longer than 10000 characters")


def test_the_separator_is_counted_outside_quotes_without_sniffing(monkeypatch):
    monkeypatch.setattr("csv.Sniffer.sniff", _never_called)
    assert formats.csv_separator(",'a" * 3_000 + "\nx\n") == ","  # 9,000 characters: read, not refused
    assert formats.csv_separator('"name, long";"order";"a ""quoted"", one"\r\nx;1;y\r\n') == ";"
    assert formats.csv_separator("country\tedition\tname, with a comma\n") == "\t"
    assert formats.csv_separator('"a;b;c",d\n') == ","
    assert formats.csv_separator("country\n") == ","
    header = ";".join(f"column{i}" for i in range(90))
    read = dataset_read(data=f"{header}\r\n{';' * 89}x\r\n".encode(), file_format=formats.CSV)
    assert read.headers[:2] == ["column0", "column1"] and read[0][89] == "x"


def test_the_header_length_limit_is_a_setting(settings):
    settings.FACTSHEETS_IMPORT_MAX_HEADER_CHARS = 20
    _refused(b"country,edition,order,name\nMX,2023,1,x\n", formats.CSV, "longer than 20 characters")
    settings.FACTSHEETS_IMPORT_MAX_HEADER_CHARS = 26
    assert dataset_read(data=b"country,edition,order,name\nMX,2023,1,x\n", file_format=formats.CSV).headers[3] == "name"


def _never_called(*args, **kwargs):
    raise AssertionError("csv.Sniffer is not to be run on an uploaded header")


def _styles_never_parsed(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("openpyxl parsed a style table the limits refuse")

    monkeypatch.setattr("openpyxl.styles.stylesheet.Stylesheet.from_tree", parse)


@pytest.mark.parametrize("build", [
    lambda: hostile_files.many_cell_formats_xlsx(21_000),  # the file holds 450,000 (bench/hostile_uploads.py)
    lambda: hostile_files.many_fonts_xlsx(5_000),  # 5 elements each; the file holds 400,000 fonts
], ids=["cell-formats", "fonts"])
def test_a_style_table_past_the_limit_is_refused_before_openpyxl_parses_it(build, monkeypatch):
    """Issue 17.2: openpyxl builds xl/styles.xml whole (450,000 cell formats: 45 s and 1 GB); its elements are
    counted, streaming, against FACTSHEETS_IMPORT_MAX_XML_ELEMENTS first."""
    _styles_never_parsed(monkeypatch)
    message = _refused(build(), formats.XLSX, "more than 20000 elements of formatting and structure")
    assert "xl/styles.xml" in message and "save it as CSV" in message


def test_a_style_table_within_the_limit_is_read_with_its_dates(settings):
    settings.FACTSHEETS_IMPORT_MAX_XML_ELEMENTS = 3_000
    read = dataset_read(data=hostile_files.many_cell_formats_xlsx(2_900), file_format=formats.XLSX)
    assert read.headers == list(hostile_files.HEADER) and read[0][:2] == ("MX", "2023")
    import datetime

    import tablib

    dataset = tablib.Dataset(["MX", datetime.date(2023, 5, 1)], headers=["country", "last_accessed"])
    read = dataset_read(data=formats.XLSX().export_data(dataset), file_format=formats.XLSX)
    assert read[0][1] == datetime.datetime(2023, 5, 1)  # the cell formats still tell a date from a number


@pytest.mark.parametrize("build, match", [
    (lambda: hostile_files.merged_cells_xlsx(21_000), "passed in its part xl/worksheets/sheet1.xml"),
    (lambda: hostile_files.stray_sheet_elements_xlsx(21_000), "passed in its part xl/worksheets/sheet1.xml"),
    (lambda: hostile_files.rich_text_runs_xlsx(6_000), "passed in its part xl/worksheets/sheet1.xml"),
], ids=["merged-cells", "stray-elements", "rich-text-runs"])
def test_what_a_sheet_holds_besides_its_rows_counts_against_the_same_limit(build, match):
    """The rest of every part openpyxl reads is bounded too: merged ranges (held whole), elements between the
    rows (never dropped), the formatted runs of one cell's text (built at once)."""
    _refused(build(), formats.XLSX, match)


def test_the_cells_of_a_sheet_are_bounded_by_the_row_and_column_limits(settings):
    settings.FACTSHEETS_IMPORT_MAX_ROWS, settings.FACTSHEETS_IMPORT_MAX_COLUMNS = 10, 5
    _refused(hostile_files.wide_rows_xlsx(2, 30), formats.XLSX, "more than 50 cells, empty ones included")
    read = formats.read_xlsx(hostile_files.wide_rows_xlsx(1, 45))  # 5 + 45 cells: read (a blank row, dropped)
    assert read.headers == list(hostile_files.HEADER) and len(read) == 0


def test_a_dtd_anywhere_in_a_part_is_refused():
    """The DTD check used to read the first 4 KB of a part; a long comment before the DTD pushed it past that."""
    _refused(hostile_files.entities_xlsx(comment=5_000), formats.XLSX, "declares a DTD or entities")
