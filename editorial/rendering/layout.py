"""The layout guard: what a proof-reader would send back, read off WeasyPrint's laid-out pages in one walk. Table 1
without its header rows on a page it spans, a footnote on another page than its call, a page (cover and dividers
aside) holding a few stranded lines, a table row stranded at a page foot with its label but none of its text (or
the other way round)."""

from __future__ import annotations

from dataclasses import dataclass, field

from weasyprint.formatting_structure import boxes

MIN_LINES = 4
FULL_PAGES = {"cover", "divider"}  # named pages that are meant to hold little text


@dataclass
class PageFacts:
    number: int
    kind: str
    lines: int = 0
    opens_section: bool = False
    table1_pieces: int = 0
    table1_without_head: int = 0
    rows: list = field(default_factory=list)  # table rows with an id, in order


@dataclass
class LayoutReport:
    """The problems of one layout, worst first when compared: (Table 1 pages without header rows, footnotes away
    from their call, short pages, stranded rows)."""

    missing_headers: int
    misplaced_footnotes: int
    short_pages: list[int]
    stranded_rows: list[str]

    @property
    def problems(self) -> tuple[int, int, int, int]:
        return self.missing_headers, self.misplaced_footnotes, len(self.short_pages), len(self.stranded_rows)

    @property
    def clean(self) -> bool:
        return not any(self.problems)

    def __str__(self) -> str:
        parts = []
        if self.missing_headers:
            parts.append(f"Table 1 without its header rows on {self.missing_headers} page(s)")
        if self.misplaced_footnotes:
            parts.append(f"{self.misplaced_footnotes} footnote(s) away from their call")
        if self.short_pages:
            parts.append(f"a few stranded lines on page(s) {', '.join(map(str, self.short_pages))}")
        if self.stranded_rows:
            parts.append(f"row(s) {', '.join(self.stranded_rows)} stranded at a page foot")
        return "; ".join(parts) or "clean"


def inspect(rendered) -> LayoutReport:
    pages = []
    calls: dict[str, int] = {}
    notes: dict[str, int] = {}
    for index, page in enumerate(rendered.pages):
        facts = PageFacts(number=index + 1, kind=page._page_box.page_type.name)
        _walk(page._page_box, facts, calls, notes, index, counting=True)
        pages.append(facts)
    misplaced = sum(1 for number, page in notes.items() if calls.get(number, page) != page)
    short = [facts.number for facts in pages
             if facts.kind not in FULL_PAGES and facts.lines < MIN_LINES and not facts.opens_section]
    return LayoutReport(
        missing_headers=sum(facts.table1_without_head for facts in pages), misplaced_footnotes=misplaced,
        short_pages=short, stranded_rows=_stranded(rendered, pages),
    )


def _walk(box, facts: PageFacts, calls, notes, page: int, *, counting: bool) -> None:
    element = box.element
    if element is not None:
        tag = box.element_tag
        classes = (element.get("class") or "").split()
        if tag == "h1":
            facts.opens_section = True
        if "fn" in classes:
            if tag.endswith("::footnote-call"):
                calls.setdefault(element.get("data-n"), page)
            elif tag.endswith("::footnote-marker"):
                notes.setdefault(element.get("data-n"), page)
        if isinstance(box, boxes.TableBox) and "policy-table" in classes:
            facts.table1_pieces += 1
            if not box.children or not box.children[0].is_header:
                facts.table1_without_head += 1
        elif isinstance(box, boxes.TableRowBox) and element.get("id"):
            facts.rows.append(box)
    if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
        counting = False
    if isinstance(box, boxes.LineBox):
        if counting and _has_text(box):
            facts.lines += 1
        return
    for child in getattr(box, "children", ()):
        _walk(child, facts, calls, notes, page, counting=counting)


def _has_text(box) -> bool:
    return any(isinstance(b, boxes.TextBox) and b.text.strip() for b in box.descendants())


def _stranded(rendered, pages: list[PageFacts]) -> list[str]:
    """Ids of the table rows that start at the foot of a page with their labels but none of their text, or the
    other way round (the rest follows on the next page). A first row reports the heading it moves with."""
    stranded = []
    previous: set[str] = set()
    for index, facts in enumerate(pages[:-1]):
        rows = facts.rows
        seen, previous = previous, {row.element.get("id") for row in rows}
        if not rows or rows[-1].element.get("id") in seen:  # the end of a row begun on an earlier page
            continue
        last = rows[-1]
        labels = [cell for cell in last.children if cell.element_tag == "th" and not _hidden(cell)]
        cells = [cell for cell in last.children if cell.element_tag == "td"]
        label_alone = cells and not any(_has_text(c) for c in cells) and any(_has_text(c) for c in labels)
        text_alone = labels and not any(_has_text(c) for c in labels) and any(_has_text(c) for c in cells)
        following = {row.element.get("id") for row in pages[index + 1].rows}
        if (label_alone or text_alone) and last.element.get("id") in following:
            stranded.append(last.element.get("data-moves-with") or last.element.get("id"))
    return stranded


def _hidden(cell) -> bool:
    return cell.element.get("aria-hidden") == "true"


def body_lines(page) -> int:
    """Lines of text in a page's body: margin boxes (running header, footer, page number) and footnotes aside."""
    facts = PageFacts(number=0, kind="")
    _walk(page._page_box, facts, {}, {}, 0, counting=True)
    return facts.lines


def short_pages(rendered) -> list[int]:
    """Numbers of the pages (cover and dividers aside) whose body holds fewer than MIN_LINES lines."""
    return inspect(rendered).short_pages


def stranded_rows(rendered) -> list[str]:
    return inspect(rendered).stranded_rows


def table_header_missing(rendered, *, count: bool = False) -> bool | int:
    """Whether (or on how many pages) a page shows part of Table 1 without its header rows."""
    missing = inspect(rendered).missing_headers
    return missing if count else bool(missing)


def table1_labels_repeat(rendered) -> int:
    """Show the dimension label beside the first sub-row that starts on a page, when that sub-row continues its
    dimension from an earlier page (a row split over the page break shows no label, as published): its label is
    laid out but hidden like every later sub-row's, so showing it changes no geometry. Returns how many labels were
    shown."""
    shown = 0
    earlier: set[str] = set()
    for page in rendered.pages:
        on_page: set[str] = set()
        for box in page._page_box.descendants():
            if not (isinstance(box, boxes.TableBox) and "policy-table" in (box.element.get("class") or "")):
                continue
            rows = [row for group in box.children if not group.is_header for row in group.children]
            on_page.update(row.element.get("id") for row in rows)
            starting = next((row for row in rows if row.element.get("id") not in earlier), None)
            if starting is None or "cont" not in (starting.element.get("class") or "").split():
                continue
            for descendant in starting.descendants():
                if "dim-label" in (descendant.element.get("class") or "").split():
                    for part in descendant.descendants():  # the span's box and its text
                        part.style = part.style.copy()
                        part.style["visibility"] = "visible"
            shown += 1
        earlier |= on_page
    return shown
