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
