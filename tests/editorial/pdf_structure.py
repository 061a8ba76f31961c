"""Reading a tagged PDF's structure tree with pikepdf, for the PDF/UA tests: elements in order with their page and
text, table cells with their headers, marked content and artefacts of each page, annotations."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name


@dataclass
class Element:
    obj: Dictionary
    tag: str
    page: int | None
    parent: Element | None
    mcids: list[tuple[int, int]] = field(default_factory=list)  # (page, MCID) directly under it
    children: list[Element] = field(default_factory=list)
    annotations: list[Dictionary] = field(default_factory=list)

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def all_mcids(self):
        yield from self.mcids
        for child in self.children:
            yield from child.all_mcids()

    @property
    def attributes(self) -> Dictionary:
        value = self.obj.get("/A")
        return value if isinstance(value, Dictionary) else Dictionary()

    @property
    def headers(self) -> list[str]:
        return [str(h) for h in self.attributes.get("/Headers", Array())]


class Structure:
    def __init__(self, data: bytes):
        self.pdf = pikepdf.open(io.BytesIO(data))
        self.page_of = {page.objgen: index for index, page in enumerate(self.pdf.pages)}
        self.root = self.pdf.Root.StructTreeRoot
        self.document = Element(self.root, "StructTreeRoot", None, None)
        self._build(self.root, self.document, None)
        self.elements = list(self.document.walk())
        self.by_id = {str(e.obj.ID): e for e in self.elements if "/ID" in e.obj}
        self.showing: set[tuple[int, int]] = set()  # (page, MCID) of marked content that shows text or an image
        self.artefact_glyphs: dict[int, int] = {}  # page -> text-showing operators inside artefacts
        self.artefact_paths: dict[int, int] = {}  # page -> path-painting operators inside artefacts
        self.marked: dict[int, set[int]] = {}  # page -> MCIDs in its content
        self.actual_text: dict[tuple[int, int], str] = {}
        self._read_pages()

    def _kids(self, obj):
        kids = obj.get("/K")
        if kids is None:
            return []
        return list(kids) if isinstance(kids, Array) else [kids]

    def _build(self, obj, element: Element, page: int | None) -> None:
        for kid in self._kids(obj):
            if isinstance(kid, int):
                element.mcids.append((page, int(kid)))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                element.mcids.append((self.page_of[kid.Pg.objgen], int(kid.MCID)))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                element.annotations.append(kid.Obj)
            elif isinstance(kid, Dictionary) and "/S" in kid:
                kid_page = self.page_of.get(kid.Pg.objgen) if "/Pg" in kid else page
                child = Element(kid, str(kid.S)[1:], kid_page, element)
                element.children.append(child)
                self._build(kid, child, kid_page)

    def _read_pages(self) -> None:
        for index, page in enumerate(self.pdf.pages):
            stack: list[tuple[int | None, bool]] = []
            self.marked[index] = set()
            self.artefact_glyphs[index] = 0
            self.artefact_paths[index] = 0
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    artefact = operands[0] == Name.Artifact or any(a for _, a in stack)
                    mcid = None
                    if op == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                        mcid = int(operands[1].MCID)
                        self.marked[index].add(mcid)
                        if "/ActualText" in operands[1]:
                            self.actual_text[(index, mcid)] = str(operands[1].ActualText)
                    stack.append((mcid, artefact))
                elif op == "EMC" and stack:
                    stack.pop()
                elif op in ("f", "F", "f*", "B", "B*", "b", "b*", "S", "s") and any(a for _, a in stack):
                    self.artefact_paths[index] += 1
                elif op in ("Tj", "TJ", "Do") and stack:
                    mcid = next((m for m, _ in reversed(stack) if m is not None), None)
                    if any(a for _, a in stack):
                        self.artefact_glyphs[index] += 1
                    elif mcid is not None:
                        self.showing.add((index, mcid))

    # ------------------------------------------------------------------------------------------------ queries

    def of(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def has_content(self, element: Element) -> bool:
        """Whether the element shows something (text or an image) on a page."""
        return any(mcid in self.showing for mcid in element.all_mcids())

    def tables(self) -> list[Element]:
        return self.of("Table")

    def rows(self, table: Element) -> list[Element]:
        rows = []
        for part in table.children:
            rows += [r for r in part.children if r.tag == "TR"] if part.tag in ("THead", "TBody", "TFoot") else (
                [part] if part.tag == "TR" else [])
        return rows

    def parent_tree(self) -> dict[int, list]:
        nums = self.root.ParentTree.Nums
        return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def struct_of(data: bytes) -> Structure:
    return Structure(data)
