"""Reading uploaded spreadsheets within a fixed budget: CSV, XLSX and JSON formats for django-import-export that
refuse, with a clear message, whatever would take more memory or time than a real factsheet file needs.

XLSX files are zip archives of XML: the archive is inspected before anything is decompressed (member count,
declared sizes, compression ratios, DTDs), rows are streamed and counted, columns are capped. JSON must be a
list of flat objects; CSV rows are streamed and counted. The limits are settings (see README, "Import limits").
"""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from import_export.formats import base_formats

DEFAULTS = {
    "FACTSHEETS_IMPORT_MAX_ROWS": 5_000,
    "FACTSHEETS_IMPORT_MAX_COLUMNS": 100,
    "FACTSHEETS_IMPORT_MAX_UNZIPPED_BYTES": 50 * 1024 * 1024,
    "FACTSHEETS_IMPORT_MAX_ZIP_RATIO": 200,
    "FACTSHEETS_IMPORT_MAX_ZIP_MEMBERS": 100,
    "FACTSHEETS_IMPORT_MAX_SHARED_STRINGS": 200_000,
}


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def _too_many_rows() -> ValidationError:
    return ValidationError(
        "The file has more than %(max)s data rows, the most one import may hold. Split it into smaller files.",
        code="too_many_rows", params={"max": limit("FACTSHEETS_IMPORT_MAX_ROWS")},
    )


def _too_many_columns() -> ValidationError:
    return ValidationError(
        "The file has more than %(max)s columns; a factsheet file has far fewer. Check that it is the right file.",
        code="too_many_columns", params={"max": limit("FACTSHEETS_IMPORT_MAX_COLUMNS")},
    )


class _RowCap(Exception):
    """Raised inside a parser's callback to stop it: more rows (or texts) than the limit."""


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class RowCollector:
    """Collects rows under the header, counting them against the row cap; blank rows are dropped but still
    counted against a larger cap (a sheet can declare a million empty rows)."""

    def __init__(self, header):
        header = list(header or [])
        while header and _blank(header[-1]):
            header.pop()
        if not header:
            raise ValidationError("The file has no header row.", code="empty")
        if len(header) > limit("FACTSHEETS_IMPORT_MAX_COLUMNS"):
            raise _too_many_columns()
        self.header = ["" if h is None else str(h) for h in header]
        self.rows: list[list] = []
        self.seen = 0

    def add(self, row) -> None:
        self.seen += 1
        if self.seen > limit("FACTSHEETS_IMPORT_MAX_ROWS") * 10:
            raise ValidationError(
                "The sheet runs to more than %(max)s rows, blank ones included; a factsheet file has far fewer. "
                "Delete the empty rows at its end, or split it.", code="too_many_rows",
                params={"max": limit("FACTSHEETS_IMPORT_MAX_ROWS") * 10},
            )
        row = list(row)
        width = len(self.header)
        extra = row[width:]
        if any(not _blank(value) for value in extra):
            raise ValidationError(
                "Row %(row)s has more cells than the header has columns.", code="ragged", params={"row": self.seen},
            )
        row = row[:width] + [None] * (width - len(row))
        if all(_blank(value) for value in row):
            return
        if len(self.rows) >= limit("FACTSHEETS_IMPORT_MAX_ROWS"):
            raise _too_many_rows()
        self.rows.append(row)

    def dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*self.rows, headers=self.header)


CSV_SEPARATORS = ",;\t"


def csv_separator(text: str) -> str:
    """The separator of a CSV file, read from its header row: comma, semicolon (Excel's default where the
    decimal mark is a comma, e.g. French and German) or tab. Quoted header cells are allowed."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=CSV_SEPARATORS).delimiter
    except csv.Error:  # one column, or nothing to tell: the separator does not matter
        counts = {separator: header.count(separator) for separator in CSV_SEPARATORS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_csv(text: str) -> tablib.Dataset:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=csv_separator(text))
    try:
        collector = RowCollector(next(reader, None))
        for row in reader:
            collector.add(row)
    except csv.Error as error:
        raise ValidationError("The file could not be read as CSV (%(error)s).", code="unreadable",
                              params={"error": error}) from None
    return collector.dataset()


def _zip_inspect(data: bytes) -> None:
    """Refuse an archive whose members would inflate past the limits, before decompressing anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ValidationError("The file is not an XLSX workbook (it is not a valid zip archive).",
                              code="unreadable") from None
    with archive:
        members = archive.infolist()
        if len(members) > limit("FACTSHEETS_IMPORT_MAX_ZIP_MEMBERS"):
            raise ValidationError("The workbook holds %(n)s parts; a factsheet workbook holds a few dozen at most.",
                                  code="zip_members", params={"n": len(members)})
        total, most = sum(m.file_size for m in members), limit("FACTSHEETS_IMPORT_MAX_UNZIPPED_BYTES")
        if total > most:
            raise ValidationError(
                "The workbook would unpack to %(size)s MB; the limit is %(max)s MB.", code="zip_size",
                params={"size": total // (1024 * 1024), "max": most // (1024 * 1024)},
            )
        for member in members:
            if member.file_size > 1024 * 1024 and member.file_size > limit("FACTSHEETS_IMPORT_MAX_ZIP_RATIO") * max(
                    member.compress_size, 1):
                raise ValidationError("The workbook's part %(name)s is compressed suspiciously well (%(ratio)s:1).",
                                      code="zip_ratio",
                                      params={"name": member.filename[:80],
                                              "ratio": member.file_size // max(member.compress_size, 1)})
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as stream:
                    head = stream.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ValidationError("The workbook's XML declares a DTD or entities, which spreadsheets never "
                                          "need; it is refused.", code="xml_dtd")
        shared = next((m for m in members if m.filename.lower().endswith("sharedstrings.xml")), None)
        if shared is not None:
            _shared_strings_count(archive, shared)


def _shared_strings_count(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """openpyxl keeps every shared string in memory: count them, streaming, before it reads one."""
    from xml.parsers import expat

    most = limit("FACTSHEETS_IMPORT_MAX_SHARED_STRINGS")
    count = 0

    def start(name, _attributes):
        nonlocal count
        if name.rpartition(":")[2] == "si":
            count += 1
            if count > most:
                raise _RowCap

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(256 * 1024):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RowCap:
        raise ValidationError("The workbook holds more than %(max)s distinct texts; a factsheet workbook holds far "
                              "fewer.", code="shared_strings", params={"max": most}) from None
    except expat.ExpatError:
        raise ValidationError("The file could not be read as XLSX (its text table is broken).",
                              code="unreadable") from None


def read_xlsx(data: bytes) -> tablib.Dataset:
    import openpyxl

    _zip_inspect(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(max_col=limit("FACTSHEETS_IMPORT_MAX_COLUMNS") + 1, values_only=True)
            collector = RowCollector(next(rows, None))
            for row in rows:
                collector.add(row)
        finally:
            book.close()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        raise ValidationError("The file could not be read as XLSX. Check that you chose the right format.",
                              code="unreadable") from None
    return collector.dataset()


def read_json(text: str) -> tablib.Dataset:
    cap = limit("FACTSHEETS_IMPORT_MAX_ROWS")
    objects = 0

    def count(pairs):
        nonlocal objects
        objects += 1
        if objects > cap:
            raise _RowCap
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=count)
    except _RowCap:
        raise _too_many_rows() from None
    except ValueError as error:
        raise ValidationError("The file could not be read as JSON (%(error)s).", code="unreadable",
                              params={"error": error}) from None
    if not isinstance(data, list):
        raise ValidationError("A JSON import is a list of rows, one object per row: [{\"column\": value, …}, …].",
                              code="json_shape")
    if len(data) > cap:
        raise _too_many_rows()
    headers: dict[str, None] = {}
    for number, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise ValidationError("Row %(row)s is not an object of column names and values.", code="json_row",
                                  params={"row": number})
        for key, value in row.items():
            if isinstance(value, (dict, list)):
                raise ValidationError("Row %(row)s, column “%(column)s”: a cell holds a text, a number or nothing, "
                                      "not a list or an object.", code="json_cell",
                                      params={"row": number, "column": key[:60]})
            headers.setdefault(key, None)
            if len(headers) > limit("FACTSHEETS_IMPORT_MAX_COLUMNS"):
                raise _too_many_columns()
    if data and not headers:
        raise ValidationError("The rows of the file hold no columns.", code="empty")
    names = list(headers)
    return tablib.Dataset(*[[row.get(name) for name in names] for row in data], headers=names or None)


class CSV(base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        return read_csv(in_stream if isinstance(in_stream, str) else in_stream.decode("utf-8-sig"))


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)


class JSON(base_formats.JSON):
    def create_dataset(self, in_stream, **kwargs):
        return read_json(in_stream if isinstance(in_stream, str) else in_stream.decode("utf-8-sig"))
