"""Tables of the tagged PDF (PDF/UA-1 7.5, Matterhorn 15): every header cell has an ID and a Scope, every data cell
names exactly its header cells (/Headers). A cell's headers are those its HTML `headers` attribute names; without
one, the header cells of its row (scope row or rowgroup, to its left) and of its column (in the table's header rows).
A header cell spanning several rows for the reader only (`data-pdf-rowspan`: Table 1's dimension label, printed
beside each sub-row but aria-hidden after the first) gets that RowSpan. Runs after the pieces of each table are
joined (editorial.rendering.pdfua)."""

from __future__ import annotations

import pydyf

_GROUPS = ("/THead", "/TBody", "/TFoot")
_SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def finish(objects, kept) -> None:
    box_of = {id(element): box for box, element in kept}
    for _, element in kept:
        if element["S"] == "/Table" and "P" in element:
            _table(objects, element, box_of)


def _rows(objects, table) -> list[tuple[object, bool]]:
    """(row, in the header rows) in order."""
    rows = []
    for part in objects.elements(table):
        if part["S"] in _GROUPS:
            rows += [(row, part["S"] == "/THead") for row in objects.elements(part) if row["S"] == "/TR"]
        elif part["S"] == "/TR":
            rows.append((part, False))
    return rows


def _table(objects, table, box_of) -> None:
    cells = []  # (element, box, row index, in header rows)
    for index, (row, head) in enumerate(_rows(objects, table)):
        for cell in objects.elements(row):
            if cell["S"] in ("/TH", "/TD") and id(cell) in box_of:
                cells.append((cell, box_of[id(cell)], index, head))
    by_html_id = {}
    for cell, box, _, _ in cells:
        attributes = pydyf.Dictionary({"O": "/Table"})
        colspan, rowspan = box.colspan, int(box.element.get("data-pdf-rowspan") or box.rowspan)
        if colspan != 1:
            attributes["ColSpan"] = colspan
        if rowspan != 1:
            attributes["RowSpan"] = rowspan
        if cell["S"] == "/TH":
            identifier = box.element.get("id") or f"th-{cell.number}"
            cell["ID"] = pydyf.String(identifier)
            by_html_id[identifier] = cell
            scope = box.element.get("scope")
            attributes["Scope"] = _SCOPES.get(scope, "/Column" if scope is None and _in_head(cells, cell) else "/Row")
        cell["A"] = attributes
    for cell, box, row, _head in cells:
        named = (box.element.get("headers") or "").split()
        if named:
            headers = [by_html_id[name] for name in named
                       if name in by_html_id and objects.has_content(by_html_id[name])]
        elif cell["S"] == "/TD":
            headers = _grid_headers(objects, cells, box, row)
        else:
            continue
        cell["A"]["Headers"] = pydyf.Array([pydyf.String(header["ID"].string) for header in headers])


def _in_head(cells, cell) -> bool:
    return any(element is cell and head for element, _, _, head in cells)


def _grid_headers(objects, cells, box, row) -> list:
    """The row's header cells to the left of the cell, and its column's header cells in the header rows."""
    first, last = box.grid_x, box.grid_x + box.colspan
    found = []
    for header, header_box, header_row, head in cells:
        if header["S"] != "/TH" or not objects.has_content(header):
            continue
        rows = range(header_row, header_row + int(header_box.element.get("data-pdf-rowspan") or header_box.rowspan))
        columns = range(header_box.grid_x, header_box.grid_x + header_box.colspan)
        scope = header["A"]["Scope"]
        if scope == "/Row" and row in rows and header_box.grid_x < first:
            found.append(header)
        elif scope == "/Column" and head and any(column in columns for column in range(first, last)):
            found.append(header)
    return found
