"""PDF/UA-1 finishing of WeasyPrint's tagged PDF, done on WeasyPrint's own PDF objects before they are written
(a `write_pdf(finisher=…)`, no second parse of the PDF). WeasyPrint 70 tags each page on its own and knows little of
ARIA; this step makes the structure tree say what the HTML says:

- one structure element per HTML element: a paragraph, a table, a row or a cell split over pages is tagged once
  (its pieces are joined), and a table's header rows repeated on later pages are pagination artefacts;
- content that is only decoration is an artefact, never a structure element: the running header, footer and page
  numbers (page margins), anything `aria-hidden="true"` (the contents page's leader dots, the summary's bars, the
  draft mark, a dimension label repeated beside Table 1's sub-rows);
- table cells name their headers (HTML `headers`, else the row's and the column's header cells), header cells have
  an ID and a Scope (tagging_tables);
- footnotes are Note elements with an ID, right after their call, a Reference;
- text in another language than the document's (`lang`) carries it; links say what they link to (/Contents);
- a word broken at a line end by hyphenation is given whole (/ActualText), so it is copied and read as one word;
- empty grouping elements are dropped; the tree has an IDTree; the XMP declares the language.

Which element WeasyPrint made for which box is recorded while it tags (`recording`): the one hook into WeasyPrint's
tagging, a wrapper that only watches.
"""

from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import tags as weasyprint_tags

from editorial.rendering import tagging_tables

HYPHEN_MARK = "-\u2060"  # the hyphenate-character of the print CSS: a hyphen, then an invisible word joiner
_GROUPING = {"/Sect", "/Div", "/Part", "/Art", "/NonStruct", "/Span", "/P", "/L", "/LI", "/LBody", "/Lbl",
             "/Caption", "/BlockQuote", "/TR", "/THead", "/TBody", "/TFoot", "/Table", "/Reference", "/Note"}
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u2060]")  # line-break opportunity, hyphenation marker


# ------------------------------------------------------------------------------------------------- recording


@dataclass
class Recording:
    """What WeasyPrint's tagging made, page by page: (box, structure element) in the order it made them, and the
    marked-content id of every marked box (text and images) of each page."""

    elements: list[tuple[object, pydyf.Dictionary, int]] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)


_recording: contextvars.ContextVar[Recording | None] = contextvars.ContextVar("pdfua_recording", default=None)
_build_box_tree = weasyprint_tags._build_box_tree


def _recorded_build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
    recording = _recording.get()
    if recording is None:
        yield from _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags)
        return
    passing = isinstance(box, boxes.PageBox) or (box.element is not None and box.element_tag in ("html", "body"))
    if isinstance(box, boxes.PageBox):
        recording.marks.append({marked: kid["mcid"] for marked, kid in tags.items()})
    for element in _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
        if not passing:
            recording.elements.append((getattr(box, "_box", box), element, page_number))
        yield element


weasyprint_tags._build_box_tree = _recorded_build_box_tree


@contextmanager
def recording():
    """Record what the tagging of the PDF written inside this block makes, for `finish`."""
    record = Recording()
    token = _recording.set(record)
    try:
        yield record
    finally:
        _recording.reset(token)


# ------------------------------------------------------------------------------------------------- objects


class Objects:
    """WeasyPrint's PDF objects as a tree: references resolved, parents kept up to date."""

    def __init__(self, pdf: pydyf.PDF):
        self.pdf = pdf
        self.page_refs = list(pdf.page_references)
        self.page_dicts = [self.get(ref) for ref in self.page_refs]
        self.page_index = {ref: index for index, ref in enumerate(self.page_refs)}
        root = self.get(pdf.catalog["StructTreeRoot"])
        self.root = root
        self.parent_tree = self.get(root["ParentTree"])["Nums"]
        self._marked: list[dict[int, tuple[list, int]]] | None = None
        self.dropped: set[int] = set()  # ids of the structure elements taken out of the tree as artefacts

    def get(self, reference):
        if isinstance(reference, pydyf.Object):
            return reference
        return self.pdf.objects[int(reference.split(b" ", 1)[0])]

    def kids(self, element) -> list:
        return element.get("K") if isinstance(element.get("K"), list) else []

    def elements(self, element):
        """The structure elements directly under an element."""
        for kid in self.kids(element):
            if isinstance(kid, bytes):
                kid = self.get(kid)
                if "S" in kid:
                    yield kid

    def walk(self, element):
        for kid in self.elements(element):
            yield kid
            yield from self.walk(kid)

    def detach(self, element) -> None:
        parent = self.get(element["P"])
        kids = self.kids(parent)
        if element.reference in kids:
            kids.remove(element.reference)

    def adopt(self, parent, kid_refs, *, at: int | None = None) -> None:
        """Put structure elements (and content items) under a parent, at the end or at a position."""
        kids = parent["K"]
        for offset, kid in enumerate(kid_refs):
            if isinstance(kid, bytes):
                self.get(kid)["P"] = parent.reference
            kids.insert(len(kids) if at is None else at + offset, kid)

    # marked content ---------------------------------------------------------------------------------------

    def marked_content(self, page: int, mcid: int) -> tuple[list, int] | None:
        """(content stream items, index of the property list) of a marked-content sequence of a page."""
        if self._marked is None:
            self._marked = []
            for page_dict in self.page_dicts:
                items = self.get(page_dict["Contents"]).stream
                index = {}
                for position, item in enumerate(items):
                    if type(item) is pydyf.Dictionary and "MCID" in item:
                        index[item["MCID"]] = (items, position)
                self._marked.append(index)
        return self._marked[page].get(mcid)

    def content_ids(self, element, page: int | None = None):
        """(page, MCID) of all the marked content under a structure element."""
        page = self.page_index.get(element.get("Pg"), page)
        for kid in self.kids(element):
            if isinstance(kid, int):
                yield page, kid
            elif isinstance(kid, bytes):
                yield from self.content_ids(self.get(kid), page)
            elif isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/MCR":
                yield self.page_index.get(kid["Pg"], page), kid["MCID"]

    def artefact(self, element, kind: str) -> None:
        """Turn the content under a structure element into an artefact (e.g. /Pagination, /Layout) and take the
        element out of the tree."""
        for page, mcid in list(self.content_ids(element)):
            if page is None:
                continue
            found = self.marked_content(page, mcid)
            if found is not None:
                items, position = found
                items[position - 1] = "/Artifact"
                items[position] = pydyf.Dictionary({"Type": kind})
            self.parent_tree[2 * page + 1][mcid] = "null"
        self.dropped.update(id(inner) for inner in [element, *self.walk(element)])
        element["K"] = pydyf.Array()
        if "P" in element:
            self.detach(element)

    def join(self, piece, first) -> None:
        """Move what the piece of an element holds into the element it continues, and drop the piece."""
        moved = []
        page = piece.get("Pg")
        for kid in self.kids(piece):
            if isinstance(kid, int):  # content of the piece's page: referenced with its page from now on
                moved.append(pydyf.Dictionary({"Type": "/MCR", "Pg": page, "MCID": kid}))
                self.parent_tree[2 * self.page_index[page] + 1][kid] = first.reference
            else:
                moved.append(kid)
                if isinstance(kid, bytes) and self.get(kid).get("Type") == "/OBJR":
                    self._annotation_parent(self.get(self.get(kid)["Obj"]), first)
        piece["K"] = pydyf.Array()
        self.detach(piece)
        self.adopt(first, moved)

    def drop_annotation(self, element, annotation, page: int) -> None:
        """Take a link annotation off its page and out of the structure tree."""
        annotations = self.page_dicts[page].get("Annots") or []
        if annotation.reference in annotations:
            annotations.remove(annotation.reference)
        kids = self.kids(element)
        for kid in list(kids):
            if isinstance(kid, bytes) and self.get(kid).get("Obj") == annotation.reference:
                kids.remove(kid)
        key = annotation.pop("StructParent", None)
        nums = self.parent_tree
        for index in range(len(self.page_refs) * 2, len(nums), 2):
            if nums[index] == key:
                del nums[index:index + 2]
                return

    def _annotation_parent(self, annotation, element) -> None:
        key = annotation.get("StructParent")
        nums = self.parent_tree
        for index in range(len(self.page_refs) * 2, len(nums), 2):
            if nums[index] == key:
                nums[index + 1] = element.reference
                return

    def has_content(self, element) -> bool:
        for kid in self.kids(element):
            if isinstance(kid, bytes):
                kid = self.get(kid)
            if isinstance(kid, int) or kid.get("Type") in ("/MCR", "/OBJR") or self.has_content(kid):
                return True
        return False


# ------------------------------------------------------------------------------------------------- finishing


def finish(document, pdf: pydyf.PDF, record: Recording) -> None:
    objects = Objects(pdf)
    lang = document.metadata.lang or ""
    hidden = _hidden_elements(document)
    pagination = _margin_boxes(document)
    thead_pages: dict[int, int] = {}
    for box, _element, page in record.elements:  # a table's header rows repeated on a later page
        if box.element_tag == "thead" and thead_pages.setdefault(id(box.element), page) != page:
            pagination[page].update(id(getattr(inner, "_box", inner)) for inner in box.descendants())
    seen: dict[tuple, tuple[pydyf.Dictionary, int]] = {}
    kept: list[tuple[object, pydyf.Dictionary]] = []
    merges: list[tuple[pydyf.Dictionary, pydyf.Dictionary]] = []
    for box, element, page in record.elements:
        html = box.element
        decoration = id(box) in pagination[page] or (html is not None and id(html) in hidden)
        if box.link_annotation is not None and (decoration or not box.link):
            # WeasyPrint annotates every box inside a link: one annotation per link (its own box) is enough
            objects.drop_annotation(element, box.link_annotation, page)
        if id(box) in pagination[page]:
            objects.artefact(element, "/Pagination")
        elif html is not None and id(html) in hidden:
            objects.artefact(element, "/Layout")
        else:
            key = (id(html), box.element_tag, element["S"], id(box.style))
            first = seen.get(key)
            if first is not None and first[1] < page:  # the piece of an element begun on an earlier page
                merges.append((element, first[0]))
            else:
                seen[key] = (element, page)
                kept.append((box, element))
    kept = [(box, element) for box, element in kept if id(element) not in objects.dropped]
    for piece, first in merges:
        if id(piece) not in objects.dropped and id(first) not in objects.dropped:
            objects.join(piece, first)
    tagging_tables.finish(objects, kept)
    _notes(objects, kept)
    for box, element in kept:
        html = box.element
        if html is None:
            continue
        language = html.get("lang")
        if language and language != lang and box.element_tag != "html":
            element["Lang"] = pydyf.String(language)
        if box.link_annotation is not None:
            text = _text_of(html, hidden)
            if text:
                box.link_annotation["Contents"] = pydyf.String(text)
    _hyphenation(objects, document, record)
    document_element = objects.get(objects.root["K"][0])
    _prune(objects, document_element)
    _id_tree(objects, document_element)
    _metadata_language(objects, lang)
    _single_kids(objects, document_element)


def _hidden_elements(document) -> set[int]:
    """The HTML elements inside an aria-hidden="true" element."""
    root = document.pages[0]._page_box.children[0].element if document.pages else None
    hidden: set[int] = set()
    if root is None:
        return hidden
    for element in root.iter():
        if element.get("aria-hidden") == "true" and id(element) not in hidden:
            hidden.update(id(inner) for inner in element.iter())
    return hidden


def _margin_boxes(document) -> list[set[int]]:
    """For each page, the boxes of its margins (running header, footer, page number)."""
    pages = []
    for page in document.pages:
        inside: set[int] = set()
        for child in page._page_box.children:
            if isinstance(child, boxes.MarginBox):
                inside.update(id(getattr(box, "_box", box)) for box in child.descendants())
        pages.append(inside)
    return pages


# ------------------------------------------------------------------------------------------------- notes


def _notes(objects: Objects, kept) -> None:
    """Footnotes: Note (ID "fn-n", its number a Lbl) right after the first Reference to it."""
    notes: dict[str, pydyf.Dictionary] = {}
    references: dict[str, pydyf.Dictionary] = {}
    for box, element in kept:
        html = box.element
        if html is None:
            continue
        classes = (html.get("class") or "").split()
        if "fn" in classes:
            number = html.get("data-n")
            if box.element_tag.endswith("::footnote-call"):
                if objects.has_content(element):
                    element["S"] = "/Reference"
                    references.setdefault(number, element)
            elif box.element_tag.endswith("::footnote-marker"):
                element["S"] = "/Lbl"
            else:
                element["S"] = "/Note"
                element["ID"] = pydyf.String(html.get("id") or f"fn-{number}")
                notes[number] = element
        elif "fn-ref" in classes:
            element["S"] = "/Reference"
            references.setdefault(html.get("data-n"), element)
    for number, note in notes.items():
        reference = references.get(number)
        if reference is None or "P" not in reference:
            continue
        objects.detach(note)
        parent = objects.get(reference["P"])
        objects.adopt(parent, [note.reference], at=parent["K"].index(reference.reference) + 1)


# ------------------------------------------------------------------------------------------------- text


def _text_of(html, hidden: set[int]) -> str:
    parts = []

    def visit(element):
        if id(element) in hidden:
            return
        if element.text:
            parts.append(element.text)
        for child in element:
            visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(html)
    return _SPACES.sub(" ", "".join(parts).replace("\u200b", "")).strip()


def _hyphenation(objects: Objects, document, record: Recording) -> None:
    """A word broken by hyphenation: the line's end gives it whole, the next line's start without its end. Line-break
    opportunities (zero-width spaces, e.g. in long addresses) are never part of the text."""
    pending: dict[int, tuple[int, object]] = {}  # element -> the box of its hyphenated line end
    texts: dict[int, list] = {}  # box -> [page, box, text as it reads]
    for page_number, page in enumerate(document.pages):
        marks = record.marks[page_number] if page_number < len(record.marks) else {}
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.TextBox) or box not in marks:
                continue
            key = id(box.element)
            entry = [page_number, box, box.text]
            if key in pending:  # the end of a word begun on the line above
                start = texts[id(pending.pop(key))]
                rest = entry[2].split(" ", 1)
                start[2] = start[2][: -len(HYPHEN_MARK)] + rest[0]
                entry[2] = rest[1] if len(rest) > 1 else ""
                texts[id(box)] = entry
            if box.text.endswith(HYPHEN_MARK):
                pending[key] = box
                texts[id(box)] = entry
            elif _INVISIBLE.search(box.text):
                texts[id(box)] = entry
    for page_number, box, text in texts.values():
        _actual_text(objects, record, page_number, box, text)


def _actual_text(objects: Objects, record: Recording, page: int, box, text: str) -> None:
    mcid = record.marks[page].get(box)
    found = objects.marked_content(page, mcid) if mcid is not None else None
    if found is not None:
        items, position = found
        if items[position - 1] != "/Artifact":
            items[position]["ActualText"] = pydyf.String(_INVISIBLE.sub("", text))


# ------------------------------------------------------------------------------------------------- tree


def _prune(objects: Objects, element) -> bool:
    """Drop grouping elements left without content (pieces joined elsewhere, empty sections); True if the element
    itself holds nothing."""
    for kid in list(objects.elements(element)):
        if _prune(objects, kid) and kid["S"] in _GROUPING:
            objects.detach(kid)
    return not objects.has_content(element)


def _single_kids(objects: Objects, element) -> None:
    """An element with one kid holds it directly (/K 5 rather than /K [5]), as most PDF writers do and some
    checkers expect. Last step: the tree is not walked after it."""
    for kid in list(objects.elements(element)):
        _single_kids(objects, kid)
    kids = element.get("K")
    if isinstance(kids, list) and len(kids) == 1:
        element["K"] = kids[0]


def _id_tree(objects: Objects, document_element) -> None:
    ids = {}
    for element in objects.walk(document_element):
        if "ID" in element:
            ids[element["ID"].string] = element.reference
    if ids:
        names = pydyf.Array()
        for key in sorted(ids):
            names.extend([pydyf.String(key), ids[key]])
        objects.root["IDTree"] = pydyf.Dictionary({"Names": names})


def _metadata_language(objects: Objects, lang: str) -> None:
    if not lang or "Metadata" not in objects.pdf.catalog:
        return
    stream = objects.get(objects.pdf.catalog["Metadata"])
    description = (
        '<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about="">'
        f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language></rdf:Description>"
    ).encode()
    stream.stream = [chunk.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1) for chunk in stream.stream]
