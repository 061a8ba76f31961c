"""PDF rendering of factsheets (from a snapshot) with WeasyPrint: one cached stylesheet, the static-only fetcher,
tagged PDF, the layout guard."""

import gc
import logging
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from editorial.rendering import pdfua
from editorial.rendering.document import Document, factsheet_document
from editorial.rendering.fetcher import StaticOnlyFetcher
from factsheets.models import Factsheet

PRINT_CSS = Path("editorial/print/factsheet.css")
PDF_VARIANTS = {None, "pdf/a-3b", "pdf/ua-1"}
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def print_dir() -> Path:
    for root in settings.STATICFILES_DIRS:
        candidate = Path(root) / PRINT_CSS
        if candidate.is_file():
            return candidate.parent
    raise FileNotFoundError(PRINT_CSS)


@lru_cache(maxsize=1)
def _resources() -> tuple[FontConfiguration, CSS, StaticOnlyFetcher, dict, CounterStyle]:
    """Parse the print CSS, load its fonts and counter styles and keep an image cache (static files only) once
    per process. The counter styles (e.g. the "1)" lists of 2023) must be given to every render with the CSS."""
    fetcher = StaticOnlyFetcher()
    font_config = FontConfiguration()
    counter_style = CounterStyle()
    css = CSS(filename=str(print_dir() / PRINT_CSS.name), font_config=font_config, url_fetcher=fetcher,
              counter_style=counter_style)
    return font_config, css, fetcher, {}, counter_style


def css_string(value: str) -> str:
    """value as a quoted CSS string, every character that could end it escaped."""
    out = []
    for char in value:
        if char.isalnum() or char in " .,:;-_()/#·–":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def factsheet_html(document: Document, *, draft: bool = False, revision_label: str | None = None,
                   colophon: dict | None = None) -> str:
    footer = f"Country factsheet · {document.country} · {document.year}"
    if draft:
        footer = f"DRAFT · {revision_label} · {footer}"
    page_css = (
        f"@page {{ @bottom-left {{ content: {css_string(footer)}; font: 400 7.5pt 'Lato'; color: #555; }} }}"
        "@page :first { @bottom-left { content: none } } @page cover { @bottom-left { content: none } }"
        "@page divider { @bottom-left { content: none } }"
    )
    return render_to_string(
        "editorial/pdf/factsheet.html",
        {"doc": document, "draft": draft, "revision_label": revision_label, "page_css": mark_safe(page_css),  # noqa: S308
         "colophon": colophon},
    )


def render_factsheet_pdf(
    factsheet: Factsheet,
    snapshot: dict | None = None,
    *,
    draft: bool = False,
    revision_label: str | None = None,
    pdf_variant: str | None = "pdf/ua-1",
    colophon: dict | None = None,
) -> bytes:
    """Render a snapshot of the factsheet (an approved revision's; None: the working copy as it is now) as a PDF,
    accessible (PDF/UA-1) unless another variant is asked for; drafts carry a DRAFT watermark, "DRAFT" in their
    title and their revision in the footer."""
    if pdf_variant not in PDF_VARIANTS:
        raise ValueError(f"Unknown PDF variant {pdf_variant!r}.")
    document = factsheet_document(factsheet, snapshot)
    if draft and not revision_label:
        revision_label = f"revision {document.factsheet.lock_version}"
    html = factsheet_html(document, draft=draft, revision_label=revision_label, colophon=colophon)
    with _lock, _gc_paused():
        font_config, css, fetcher, image_cache, counter_style = _resources()
        base_url = (print_dir() / "index.html").as_uri()
        options = {"pdf_tags": True, "pdf_variant": pdf_variant, "cache": image_cache}
        best, best_problems = None, None
        for fallback in (None, *LAYOUT_FALLBACKS):
            stylesheets = [css] if fallback is None else [css, _fallback_css(fallback)]
            rendered = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                stylesheets=stylesheets, font_config=font_config, counter_style=counter_style, **options
            )
            stranded = stranded_rows(rendered)
            if stranded:  # a row that starts at a page foot with only its label: it opens the next page instead
                moved = CSS(string=" ".join(f"#{row} {{ break-before: page; }}" for row in stranded),
                            font_config=font_config)
                rendered = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                    stylesheets=[*stylesheets, moved], font_config=font_config, counter_style=counter_style,
                    **options
                )
            table1_labels_repeat(rendered)
            problems = layout_problems(rendered)
            if best is None or problems < best_problems:
                best, best_problems = rendered, problems
            if not any(problems):
                break
            logger.warning("%s: layout problem %r; rendering again with another footnote layout", document.title,
                           problems)
        data = best.write_pdf(**options)
    if pdf_variant != "pdf/ua-1":
        return data
    return _pdfua_finished(data, name=document.title)


def _pdfua_finished(data: bytes, *, name: str) -> bytes:
    try:
        return pdfua.finish(data)
    except Exception:  # noqa: BLE001 - a tagged PDF without the finishing beats no PDF at all
        logger.exception("%s: PDF/UA finishing failed; the PDF is delivered as WeasyPrint wrote it", name)
        return data


def render_branded_pdf(html: str, *, name: str) -> bytes:
    """Render another branded document (e.g. an edition's summary report) with the same renderer: the fonts,
    the static-only fetcher and the PDF/UA finishing of the factsheets. The HTML links its own print
    stylesheet from the static files (relative to editorial/print/); `name` is for the logs."""
    with _lock, _gc_paused():
        font_config, _css, fetcher, image_cache, counter_style = _resources()
        base_url = (print_dir() / "index.html").as_uri()
        options = {"pdf_tags": True, "pdf_variant": "pdf/ua-1", "cache": image_cache}
        data = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            font_config=font_config, counter_style=counter_style, **options
        )
    return _pdfua_finished(data, name=name)


@contextmanager
def _gc_paused():
    """WeasyPrint allocates many short-lived objects: the cyclic collector costs ~25 % of a render."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# WeasyPrint 70 can drop a repeated table header on the page after one holding a footnote, or push a
# footnote to the page after its call, depending on the geometry; and the end of a section can spill a few
# lines onto a page of their own. Each fallback changes the footnote layout or tightens the text; the first
# rendering without any of these problems is used (else the one with the fewest).
LAYOUT_FALLBACKS = (
    "@page { @footnote { padding-top: 0; background: none; border-top: 0.6pt solid #003399; } }",
    ".fn { footnote-display: inline; }",
    ".policy-table-caption { break-before: page; }",
    "section.content .rich { line-height: 1.38; } section.content p { margin-bottom: 1.8mm; }",
)


@lru_cache(maxsize=len(LAYOUT_FALLBACKS))
def _fallback_css(rule: str) -> CSS:
    return CSS(string=rule, font_config=_resources()[0])


def table1_labels_repeat(rendered) -> int:
    """Show the dimension label of a Table 1 sub-row that opens a page (a continuation of its dimension): its
    label is laid out but hidden like every later sub-row's, so showing it changes no geometry. Returns how
    many labels were shown."""
    shown = 0
    for page in rendered.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableBox) and "policy-table" in (box.element.get("class") or ""):
                body = next((group for group in box.children if not group.is_header and group.children), None)
                row = body.children[0] if body is not None else None
                if row is None or "cont" not in (row.element.get("class") or "").split():
                    continue
                for descendant in row.descendants():
                    if "dim-label" in (descendant.element.get("class") or "").split():
                        for part in descendant.descendants():  # the span's box and its text
                            part.style = part.style.copy()
                            part.style["visibility"] = "visible"
                shown += 1
    return shown


def stranded_rows(rendered) -> list[str]:
    """Ids of the table rows that start at the foot of a page with their labels but none of their text, or the
    other way round (the rest follows on the next page)."""
    stranded = []
    previous: set[str] = set()
    for index, page in enumerate(rendered.pages[:-1]):
        rows = [box for box in page._page_box.descendants() if isinstance(box, boxes.TableRowBox)
                and box.element is not None and box.element.get("id")]
        seen, previous = previous, {row.element.get("id") for row in rows}
        if not rows or rows[-1].element.get("id") in seen:  # the end of a row begun on an earlier page
            continue
        last = rows[-1]
        labels = [cell for cell in last.children if cell.element_tag == "th"]
        cells = [cell for cell in last.children if cell.element_tag == "td"]
        label_alone = cells and not any(_has_text(c) for c in cells) and any(_has_text(c) for c in labels)
        text_alone = labels and not any(_has_text(c) for c in labels) and any(_has_text(c) for c in cells)
        if label_alone or text_alone:
            following = {box.element.get("id") for box in rendered.pages[index + 1]._page_box.descendants()
                         if isinstance(box, boxes.TableRowBox) and box.element is not None}
            if last.element.get("id") in following:  # a first row moves with the heading above its table
                stranded.append(last.element.get("data-moves-with") or last.element.get("id"))
    return stranded


def _has_text(box) -> bool:
    return any(isinstance(b, boxes.TextBox) and b.text.strip() for b in box.descendants())


def layout_problems(rendered) -> tuple[int, int, int]:
    """(pages showing Table 1 without its header rows, footnotes printed on another page than their call,
    pages holding a few stranded lines)."""
    return table_header_missing(rendered, count=True), footnotes_misplaced(rendered), len(short_pages(rendered))


MIN_LINES = 4
FULL_PAGES = {"cover", "divider"}  # named pages that are meant to hold little text


def body_lines(page) -> int:
    """Lines of text in a page's body: margin boxes (running header, footer, page number) and footnotes aside."""
    def count(box) -> int:
        if isinstance(box, boxes.MarginBox) or isinstance(box, boxes.FootnoteAreaBox):
            return 0
        if isinstance(box, boxes.LineBox):
            return 1 if any(isinstance(b, boxes.TextBox) and b.text.strip() for b in box.descendants()) else 0
        return sum(count(child) for child in getattr(box, "children", ()))
    return count(page._page_box)


def short_pages(rendered) -> list[int]:
    """Numbers of the pages (cover and dividers aside) whose body holds fewer than MIN_LINES lines."""
    return [
        number for number, page in enumerate(rendered.pages, start=1)
        if page._page_box.page_type.name not in FULL_PAGES and body_lines(page) < MIN_LINES
        and not _opens_a_section(page)  # a short section on its own page is not stranded text
    ]


def _opens_a_section(page) -> bool:
    return any(box.element_tag == "h1" for box in page._page_box.descendants() if box.element is not None)


def footnotes_misplaced(rendered) -> int:
    calls: dict[str, int] = {}
    notes: dict[str, int] = {}
    for index, page in enumerate(rendered.pages):
        for box in page._page_box.descendants():
            element = box.element
            if element is None or "fn" not in (element.get("class") or "").split():
                continue
            number = element.get("data-n")
            if box.element_tag.endswith("::footnote-call"):
                calls.setdefault(number, index)
            elif box.element_tag.endswith("::footnote-marker"):
                notes.setdefault(number, index)
    return sum(1 for number, page in notes.items() if calls.get(number, page) != page)


def table_header_missing(rendered, *, count: bool = False) -> bool | int:
    """Whether (or on how many pages) a page shows part of Table 1 without its header rows."""
    missing = 0
    for page in rendered.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableBox) and "policy-table" in (box.element.get("class") or ""):
                if not box.children or not box.children[0].is_header:
                    missing += 1
                    if not count:
                        return True
    return missing if count else bool(missing)
