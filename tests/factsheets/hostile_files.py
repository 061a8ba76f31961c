"""Hostile upload files, all under the 5 MB upload limit: shared by the tests and bench/hostile_uploads.py."""
# ruff: noqa: E501 - XML boilerplate of the XLSX format

import io
import zipfile

HEADER = ("country", "edition", "order", "policy_type", "name")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '{extra}</Types>'
)
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="policies" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                 'Target="worksheets/sheet1.xml"/>{extra}</Relationships>')
SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<dimension ref="{dimension}"/><sheetData>')
SHEET_CLOSE = "</sheetData></worksheet>"


def _inline_row(number: int, values) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _xlsx(sheet: str, *, shared_strings: tuple | None = None, extra_member: tuple[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    extra_type = ('<Override PartName="/xl/sharedStrings.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                  if shared_strings is not None else "")
    extra_rel = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'sharedStrings" Target="sharedStrings.xml"/>' if shared_strings is not None else "")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=extra_type))
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=extra_rel))
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            head, size, tail = shared_strings
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
                member.write(head)
                chunk = b"a" * (1 << 20)
                for _ in range(size >> 20):
                    member.write(chunk)
                member.write(tail)
        if extra_member is not None:
            name, size = extra_member
            with zf.open(name, "w", force_zip64=True) as member:
                chunk = b"\0" * (1 << 20)
                for _ in range(size >> 20):
                    member.write(chunk)
    return buffer.getvalue()


def rows_declared_xlsx() -> bytes:
    """1.5 KB: a header, then a cell at the last row and column Excel allows."""
    sheet = (SHEET_OPEN.format(doctype="", dimension="A1:XFD1048576") + _inline_row(1, HEADER)
             + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>' + SHEET_CLOSE)
    return _xlsx(sheet)


def shared_strings_xlsx(size: int = 1 << 30) -> bytes:
    """~1 MB: one shared string of 1 GiB (deflate packs it about 1000:1)."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    tail = b"</t></si></sst>"
    sheet = (SHEET_OPEN.format(doctype="", dimension="A1:E2") + _inline_row(1, HEADER)
             + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + SHEET_CLOSE)
    return _xlsx(sheet, shared_strings=(head, size, tail))


def zip_bomb_xlsx(size: int = 1 << 30) -> bytes:
    """A valid small sheet plus a 1 GiB member of zeros."""
    sheet = SHEET_OPEN.format(doctype="", dimension="A1:E1") + _inline_row(1, HEADER) + SHEET_CLOSE
    return _xlsx(sheet, extra_member=("xl/media/image1.bin", size))


def entities_xlsx() -> bytes:
    """Billion laughs in the sheet's XML."""
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE worksheet [{entities}]>"
    sheet = (SHEET_OPEN.format(doctype=doctype, dimension="A1:E2") + _inline_row(1, HEADER)
             + '<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>' + SHEET_CLOSE)
    return _xlsx(sheet)


def empty_objects_json() -> bytes:
    """3 MB: a million empty objects."""
    return ("[" + ",".join(["{}"] * 1_000_000) + "]").encode()


def scalars_json() -> bytes:
    """2 MB: a million numbers instead of row objects."""
    return ("[" + ",".join(["1"] * 1_000_000) + "]").encode()


def many_rows_csv() -> bytes:
    """4.9 MB: a header and about 700,000 short rows."""
    row = "MX,2023,1,National,P\n"
    count = (4_900_000 - 40) // len(row)
    return (",".join(HEADER) + "\n" + row * count).encode()


def many_shared_strings_xlsx(count: int = 1_600_000) -> bytes:
    """About 4 MB: 1.6 million short distinct shared strings, each tiny, under every size and ratio limit."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    body = b"".join(b"<si><t>%x</t></si>" % i for i in range(count))
    sheet = (SHEET_OPEN.format(doctype="", dimension="A1:E2") + _inline_row(1, HEADER)
             + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + SHEET_CLOSE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')))
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=(
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/>')))
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", head + body + b"</sst>")
    return buffer.getvalue()
