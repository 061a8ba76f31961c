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


def entities_xlsx(comment: int = 0) -> bytes:
    """Billion laughs in the sheet's XML (after a comment of that many characters)."""
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    doctype = ("<!--" + "x" * comment + "-->" if comment else "") + f"<!DOCTYPE worksheet [{entities}]>"
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


def sniffer_header_csv(repeat: int = 33_000) -> bytes:
    """99 KB: a header of “,'a” repeated, on which csv.Sniffer's quote detection takes time quadratic in its
    length (64 s at 33,000 repeats; a 3.9 MB one outlasts any request timeout)."""
    return (",'a" * repeat + "\n" + "x\n").encode()


STYLES_OPEN = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
STYLES_FONTS = '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
STYLES_FILLS_BORDERS = ('<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
                        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
STYLES_XFS = '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
STYLES_CLOSE = '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'


def _spread(i: int, modulo: int) -> int:
    """A deterministic scramble, so the style tables do not compress past the 200:1 ratio limit."""
    return (i * 2_654_435_761 >> 7) % modulo


def _styled_xlsx(styles: bytes) -> bytes:
    """A valid one-row workbook whose xl/styles.xml is the given part (written as Excel writes it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=(
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')))
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=(
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/>')))
        zf.writestr("xl/worksheets/sheet1.xml",
                    SHEET_OPEN.format(doctype="", dimension="A1:E2") + _inline_row(1, HEADER)
                    + _inline_row(2, ("MX", "2023", "1", "National", "P")) + SHEET_CLOSE)
        zf.writestr("xl/styles.xml", styles)
    return buffer.getvalue()


def many_cell_formats_xlsx(count: int = 450_000) -> bytes:
    """About 1.2 MB (43 MB unpacked, under the size and ratio limits): 450,000 cell formats (<xf>) in
    xl/styles.xml, which openpyxl parses whole, as a tree, then as objects (45 s and 1 GB)."""
    xfs = "".join(
        f'<xf numFmtId="{_spread(i, 164)}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
        f'applyAlignment="{i & 1}"/>' for i in range(count))
    return _styled_xlsx((STYLES_OPEN + STYLES_FONTS + STYLES_FILLS_BORDERS + f'<cellXfs count="{count}">' + xfs
                         + "</cellXfs>" + STYLES_CLOSE).encode())


def many_fonts_xlsx(count: int = 400_000) -> bytes:
    """About 1 MB (under the size and ratio limits): 400,000 fonts in xl/styles.xml (46 s and 669 MiB)."""
    fonts = "".join(f'<font><sz val="{6 + _spread(i, 60)}"/><color theme="{_spread(i, 10)}"/><name val="Calibri"/>'
                    f'<family val="{_spread(i, 5)}"/></font>' for i in range(count))
    return _styled_xlsx((STYLES_OPEN + f'<fonts count="{count}">' + fonts + "</fonts>" + STYLES_FILLS_BORDERS
                         + STYLES_XFS + STYLES_CLOSE).encode())


def merged_cells_xlsx(count: int) -> bytes:
    """A one-row sheet followed by merged ranges, which openpyxl holds whole (as the styles) after the rows."""
    merges = "".join(f'<mergeCell ref="A{i}:B{i}"/>' for i in range(3, count + 3))
    sheet = (SHEET_OPEN.format(doctype="", dimension="A1:E2") + _inline_row(1, HEADER)
             + _inline_row(2, ("MX", "2023", "1", "National", "P")) + "</sheetData>"
             + f'<mergeCells count="{count}">{merges}</mergeCells></worksheet>')
    return _xlsx(sheet)


def rich_text_runs_xlsx(runs: int) -> bytes:
    """One cell whose inline text is made of many formatted runs (openpyxl builds every run of a cell at once)."""
    text = "".join(f'<r><rPr><b/><sz val="{8 + i % 9}"/></rPr><t>{i % 10}</t></r>' for i in range(runs))
    sheet = (SHEET_OPEN.format(doctype="", dimension="A1:E2") + _inline_row(1, HEADER)
             + f'<row r="2"><c r="A2" t="inlineStr"><is>{text}</is></c></row>' + SHEET_CLOSE)
    return _xlsx(sheet)


def stray_sheet_elements_xlsx(count: int) -> bytes:
    """Elements between the rows that are not rows: openpyxl never drops them."""
    sheet = (SHEET_OPEN.format(doctype="", dimension="A1:E2") + _inline_row(1, HEADER)
             + "<extra/>" * count + _inline_row(2, ("MX", "2023", "1", "National", "P")) + SHEET_CLOSE)
    return _xlsx(sheet)


def wide_rows_xlsx(rows: int, cells: int) -> bytes:
    """Rows of many empty cells (with their coordinates, so they do not compress past the ratio limit): openpyxl
    parses every cell of a row, whatever columns are read (115 rows of 16,384: 4.6 MB, 11 s)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i) for i in range(1, cells + 1)]
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{letter}{r}"/>' for letter in letters) + "</row>"
                   for r in range(2, rows + 2))
    sheet = (SHEET_OPEN.format(doctype="", dimension=f"A1:{letters[-1] if letters else 'E'}{rows + 1}")
             + _inline_row(1, HEADER) + body + SHEET_CLOSE)
    return _xlsx(sheet)
