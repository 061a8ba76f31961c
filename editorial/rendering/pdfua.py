"""PDF/UA-1 finishing of WeasyPrint's tagged PDF, for what WeasyPrint 70 leaves undone (pikepdf):

- the running header, footer and page numbers (page margin boxes) are tagged as content of structure elements
  that hang outside the structure tree; they become pagination artefacts;
- the XMP metadata lacks the document's language (dc:language);
- a table that runs over several pages is tagged as one table per page, each with a copy of the header rows;
  the pieces become one table: the body rows join the first piece and the repeated header rows of the later
  pieces become pagination artefacts, their cells pointing at the first piece's headers.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pikepdf
from pikepdf import Array, Dictionary, Name

_ARTIFACT = [Name.Artifact, Dictionary(Type=Name.Pagination)]
_HEADER_ID = re.compile(r"^(\d+)-(\d+)-(\d+)$")  # WeasyPrint's TH ids: "<table object>-<row>-<column>"


def finish(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        page_index = {page.objgen: index for index, page in enumerate(pdf.pages)}
        artefacts: dict[int, set[int]] = defaultdict(set)  # page index -> MCIDs to turn into artefacts
        for table, pieces in _split_tables(root, page_index):
            for piece in pieces:
                _join(table, piece, page_index, artefacts)
        _orphans(pdf, root, artefacts)
        for index, mcids in artefacts.items():
            _mark_artefacts(pdf, pdf.pages[index], mcids)
        _parent_tree_forget(root, artefacts)
        lang = str(pdf.Root.get("/Lang", ""))
        if lang:
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                meta["dc:language"] = [lang]
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


# ------------------------------------------------------------------------------------------------- the tree


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(node) -> bool:
    return isinstance(node, Dictionary) and "/S" in node


def _walk(element):
    """Structure elements in document order, depth first."""
    for kid in _kids(element):
        if _is_element(kid):
            yield kid
            yield from _walk(kid)


def _page_of(element, page_index) -> int | None:
    page = element.get("/Pg")
    return page_index.get(page.objgen) if page is not None else None


def _mcids(element, page_index, default_page=None):
    """(page index, MCID) of every marked content under an element."""
    page = _page_of(element, page_index)
    page = default_page if page is None else page
    for kid in _kids(element):
        if isinstance(kid, int):
            yield page, int(kid)
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            yield page_index.get(kid.Pg.objgen, page) if "/Pg" in kid else page, int(kid.MCID)
        elif _is_element(kid):
            yield from _mcids(kid, page_index, page)


# ------------------------------------------------------------------------------------------------- tables


def _rows(part) -> list:
    return [kid for kid in _kids(part) if _is_element(kid) and kid.S == Name.TR]


def _columns(table) -> int | None:
    """The column count of a table's first row (its header's, if it has one)."""
    parts = [kid for kid in _kids(table) if _is_element(kid)]
    parts.sort(key=lambda part: part.S != Name.THead)
    rows = [row for part in parts for row in _rows(part)]
    if not rows:
        return None
    return sum(int(cell.get("/A", {}).get("/ColSpan", 1)) for cell in _kids(rows[0]) if _is_element(cell))


def _split_tables(root, page_index):
    """Each table tagged in pieces: (first piece, [later pieces]). A later piece starts the page after the
    previous piece and has the same header columns."""
    tables = [e for e in _walk(root) if e.S == Name.Table]
    chains, current = [], None
    for table in tables:
        page, columns = _page_of(table, page_index), _columns(table)
        if (current is not None and columns is not None and columns == current["columns"]
                and page == current["page"] + 1):
            current["pieces"].append(table)
            current["page"] = page
            continue
        current = {"first": table, "pieces": [], "page": page, "columns": columns}
        chains.append(current)
    return [(chain["first"], chain["pieces"]) for chain in chains if chain["pieces"]]


def _header_prefix(table) -> str | None:
    for element in _walk(table):
        match = _HEADER_ID.match(str(element.get("/ID", "")))
        if match:
            return match[1]
    return None


def _join(table, piece, page_index, artefacts) -> None:
    first_prefix, piece_prefix = _header_prefix(table), _header_prefix(piece)
    head_rows = 0
    kept = []
    for kid in _kids(piece):
        if _is_element(kid) and kid.S == Name.THead:  # the repeated header rows: pagination artefacts
            head_rows = len(_rows(kid))
            for page, mcid in _mcids(kid, page_index, _page_of(piece, page_index)):
                if page is not None:
                    artefacts[page].add(mcid)
        else:
            kept.append(kid)
    for kid in kept:
        if _is_element(kid):
            kid.P = table
            if first_prefix and piece_prefix:
                _point_headers(kid, piece_prefix, first_prefix, head_rows)
        table.K.append(kid)
    parent = piece.P
    parent.K = Array([kid for kid in _kids(parent) if not (_is_element(kid) and kid.objgen == piece.objgen)])


def _point_headers(part, old: str, new: str, head_rows: int) -> None:
    """Cells of a joined piece refer to the first piece's column headers instead of the removed copies."""
    for element in [part, *_walk(part)]:
        attributes = element.get("/A")
        if not isinstance(attributes, Dictionary) or "/Headers" not in attributes:
            continue
        headers = []
        for header in attributes.Headers:
            match = _HEADER_ID.match(str(header))
            if match and match[1] == old and int(match[2]) < head_rows:
                header = pikepdf.String(f"{new}-{match[2]}-{match[3]}")
            headers.append(header)
        attributes.Headers = Array(headers)


# ------------------------------------------------------------------------------------------------- artefacts


def _orphans(pdf, root, artefacts) -> None:
    """Marked content mapped (ParentTree) to structure elements that are not in the tree: the page margins."""
    reachable = {root.objgen, *(e.objgen for e in _walk(root))}
    nums = root.ParentTree.get("/Nums", Array())
    for index in range(0, len(nums), 2):
        key, value = int(nums[index]), nums[index + 1]
        if not isinstance(value, Array) or key >= len(pdf.pages):
            continue
        for mcid, element in enumerate(value):
            if isinstance(element, Dictionary) and element.objgen not in reachable:
                artefacts[key].add(mcid)


def _mark_artefacts(pdf, page, mcids: set[int]) -> None:
    instructions = pikepdf.parse_content_stream(page)
    changed = False
    for position, (operands, operator) in enumerate(instructions):
        if str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], Dictionary):
            mcid = operands[1].get("/MCID")
            if mcid is not None and int(mcid) in mcids:
                instructions[position] = pikepdf.ContentStreamInstruction(_ARTIFACT, pikepdf.Operator("BDC"))
                changed = True
    if changed:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _parent_tree_forget(root, artefacts) -> None:
    nums = root.ParentTree.get("/Nums", Array())
    for index in range(0, len(nums), 2):
        key, value = int(nums[index]), nums[index + 1]
        if key in artefacts and isinstance(value, Array):
            nums[index + 1] = Array([None if mcid in artefacts[key] else element
                                     for mcid, element in enumerate(value)])
