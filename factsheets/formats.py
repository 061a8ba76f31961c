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
import re
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
    "FACTSHEETS_IMPORT_MAX_HEADER_CHARS": 10_000,
    "FACTSHEETS_IMPORT_MAX_XML_ELEMENTS": 20_000,
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
_LINE_END = re.compile(r"[\r\n]")


def _header_too_long() -> ValidationError:
    return ValidationError(
        "The first line of the file (its header) is longer than %(max)s characters; a header names at most "
        "%(columns)s columns and is far shorter. Check that the first line holds the column names.",
        code="header_too_long",
        params={"max": limit("FACTSHEETS_IMPORT_MAX_HEADER_CHARS"), "columns": limit("FACTSHEETS_IMPORT_MAX_COLUMNS")},
    )


def csv_separator(text: str) -> str:
    """The separator of a CSV file, read from its header row: comma, semicolon (Excel's default where the
    decimal mark is a comma, e.g. French and German) or tab, whichever occurs most outside double quotes
    (comma when none does). One pass over at most FACTSHEETS_IMPORT_MAX_HEADER_CHARS characters; a longer
    header is refused (csv.Sniffer, used before, took time quadratic in the header's length)."""
    most = limit("FACTSHEETS_IMPORT_MAX_HEADER_CHARS")
    end = _LINE_END.search(text, 0, most + 1)
    if end is None and len(text) > most:
        raise _header_too_long()
    header = text[: end.start() if end else len(text)]
    outside_quotes = header.split('"')[::2]  # a doubled quote inside a quoted cell splits off an empty piece
    counts = {separator: sum(piece.count(separator) for piece in outside_quotes) for separator in CSV_SEPARATORS}
    best = max(CSV_SEPARATORS, key=counts.get)  # ties go to the first: comma, then semicolon
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


# ---------------------------------------------------------------------------------------------- XLSX parts

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHEET_DATA, _ROW, _TEXT_ITEM = f"{MAIN_NS} sheetData", f"{MAIN_NS} row", f"{MAIN_NS} si"
_CELL, _TEXT = f"{MAIN_NS} c", f"{MAIN_NS} t"
_CELL_PARTS = frozenset(f"{MAIN_NS} {name}" for name in ("c", "v", "f", "is", "t"))


class _PartScan:
    """What openpyxl will hold of a workbook, counted in one streaming pass (expat: constant memory, stopping at
    the first limit) over each part before openpyxl parses it.

    openpyxl builds most parts whole, as a tree and then as objects (the styles, the workbook, the relationships,
    what a sheet holds besides its rows): every element of those counts against one budget for the workbook,
    FACTSHEETS_IMPORT_MAX_XML_ELEMENTS. It streams the rows of the sheet and the texts of the shared-strings
    table, dropping each once read: those count against the cell and text limits instead, and only their
    formatting (rich-text runs) against the budget. No part may declare a DTD or entities."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.whole: set[str] = set()  # parts openpyxl builds whole, never scanned as streamed
        self.elements = self.cells = self.texts = 0
        self.most_elements = limit("FACTSHEETS_IMPORT_MAX_XML_ELEMENTS")
        self.most_cells = limit("FACTSHEETS_IMPORT_MAX_ROWS") * limit("FACTSHEETS_IMPORT_MAX_COLUMNS")
        self.most_texts = limit("FACTSHEETS_IMPORT_MAX_SHARED_STRINGS")

    def whole_part(self, name: str) -> None:
        self.whole.add(name)
        self._run(name, _parser(lambda _tag, _attributes: self._count(name)))

    def sheet(self, name: str) -> None:
        """A worksheet: rows (and their cells, values and plain texts) are streamed, the rest is held."""
        if name in self.whole:
            return
        depth, in_row = 0, False

        def start_outside(tag, _attributes):
            self._count(name)
            if tag == _SHEET_DATA:
                parser.StartElementHandler, parser.EndElementHandler = start_inside, end_inside

        def start_inside(tag, _attributes):
            nonlocal depth, in_row
            if depth == 0:
                in_row = tag == _ROW
            if tag == _CELL:
                self.cells += 1
                if self.cells > self.most_cells:
                    raise ValidationError(
                        "The sheet holds more than %(max)s cells, empty ones included; a factsheet file holds far "
                        "fewer. Delete the unused rows and columns, or save the sheet as CSV.",
                        code="too_many_cells", params={"max": self.most_cells})
            if not (in_row and tag in _CELL_PARTS):
                self._count(name)
            depth += 1

        def end_inside(_tag):
            nonlocal depth
            depth -= 1
            if depth < 0:  # the end of sheetData
                depth = 0
                parser.StartElementHandler, parser.EndElementHandler = start_outside, None

        parser = _parser(start_outside)
        self._run(name, parser)

    def shared_strings(self, name: str) -> None:
        """The shared-strings table: each text is streamed; a plain one is free, rich-text runs are held."""
        if name in self.whole:
            return
        depth = 0

        def start_outside(tag, _attributes):
            if tag != _TEXT_ITEM:
                return self._count(name)
            self.texts += 1
            if self.texts > self.most_texts:
                raise ValidationError("The workbook holds more than %(max)s distinct texts; a factsheet workbook "
                                      "holds far fewer.", code="shared_strings", params={"max": self.most_texts})
            parser.StartElementHandler, parser.EndElementHandler = start_inside, end_inside

        def start_inside(tag, _attributes):
            nonlocal depth
            if not (depth == 0 and tag == _TEXT):
                self._count(name)
            depth += 1

        def end_inside(_tag):
            nonlocal depth
            depth -= 1
            if depth < 0:  # the end of the text item
                depth = 0
                parser.StartElementHandler, parser.EndElementHandler = start_outside, None

        parser = _parser(start_outside)
        self._run(name, parser)

    def _count(self, name: str) -> None:
        self.elements += 1
        if self.elements > self.most_elements:
            raise ValidationError(
                "The workbook holds more than %(max)s elements of formatting and structure (cell formats, fonts, "
                "names, merged cells and the like; the limit was passed in its part %(part)s), where a factsheet "
                "workbook holds a few hundred. Copy its cells into a new workbook, or save it as CSV, and upload "
                "that.", code="xml_elements", params={"max": self.most_elements, "part": name[:80]})

    def _run(self, name: str, parser) -> None:
        """Parse one part, streaming; a missing part is left for openpyxl to report if it needs it."""
        from xml.parsers import expat

        if name not in self.archive.NameToInfo:
            return
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(256 * 1024):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise ValidationError("The file could not be read as XLSX (its part %(part)s is not well-formed XML).",
                                  code="unreadable", params={"part": name[:80]}) from None


def _parser(start):
    """An expat parser reporting namespaced names (“uri local”) to start, refusing any DTD."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_dtd
    return parser


def _refuse_dtd(*_args):
    raise ValidationError("The workbook's XML declares a DTD or entities, which spreadsheets never need; it is "
                          "refused.", code="xml_dtd")


def _values_reader(data: bytes):
    """openpyxl's own reader (read only, values only, no external links), cut to what an import reads and
    scanning each part before openpyxl parses it: the package's manifest, the workbook and its relationships,
    the cell formats (they tell dates from numbers), the shared texts and the first worksheet. No document
    properties, theme, charts, comments or other sheets are parsed."""
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    class ValuesReader(ExcelReader):
        def read_manifest(self):
            self.scan = _PartScan(self.archive)
            self.scan.whole_part(ARC_CONTENT_TYPES)
            super().read_manifest()
            workbook = _find_workbook_part(self.package).PartName[1:]
            for name in (workbook, get_rels_path(workbook), ARC_STYLE):  # openpyxl parses the styles whole
                self.scan.whole_part(name)

        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                self.scan.shared_strings(part.PartName[1:])
            super().read_strings()

        def read_properties(self):
            pass

        def read_custom(self):
            pass

        def read_theme(self):
            pass

        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    self.scan.sheet(rel.target)
                    self.wb._sheets.append(ReadOnlyWorksheet(self.wb, sheet.name, rel.target, self.shared_strings))
                    return

    return ValuesReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)


def read_xlsx(data: bytes) -> tablib.Dataset:
    _zip_inspect(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = _values_reader(data)
            reader.read()
        book = reader.wb
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
