"""PDF rendering of factsheets with WeasyPrint: one cached stylesheet, the static-only fetcher, tagged PDF."""

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
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from editorial.document import Document, factsheet_document
from editorial.fetcher import StaticOnlyFetcher
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
def _resources() -> tuple[FontConfiguration, CSS, StaticOnlyFetcher, dict]:
    """Parse the print CSS, load its fonts and keep an image cache (static files only) once per process."""
    fetcher = StaticOnlyFetcher()
    font_config = FontConfiguration()
    css = CSS(filename=str(print_dir() / PRINT_CSS.name), font_config=font_config, url_fetcher=fetcher)
    return font_config, css, fetcher, {}


def css_string(value: str) -> str:
    """value as a quoted CSS string, every character that could end it escaped."""
    out = []
    for char in value:
        if char.isalnum() or char in " .,:;-_()/#·–":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def factsheet_html(document: Document, *, draft: bool = False, revision_label: str | None = None) -> str:
    footer = f"Country factsheet · {document.country} · {document.year}"
    if draft:
        footer = f"DRAFT · {revision_label} · {footer}"
    page_css = (
        f"@page {{ @bottom-left {{ content: {css_string(footer)}; font: 400 7.5pt 'Lato'; color: #555; }} }}"
        "@page :first { @bottom-left { content: none } } @page cover { @bottom-left { content: none } }"
        "@page divider { @bottom-left { content: none } }"
    )
    return render_to_string(
        "editorial/pdf/factsheet.html", {"doc": document, "draft": draft, "page_css": mark_safe(page_css)},  # noqa: S308
    )


def render_factsheet_pdf(
    factsheet: Factsheet,
    *,
    draft: bool = False,
    revision_label: str | None = None,
    pdf_variant: str | None = None,
) -> bytes:
    """Render the factsheet as a PDF; drafts carry a DRAFT watermark and their revision in the footer."""
    if pdf_variant not in PDF_VARIANTS:
        raise ValueError(f"Unknown PDF variant {pdf_variant!r}.")
    document = factsheet_document(factsheet)
    if draft and not revision_label:
        revision_label = f"revision {document.factsheet.lock_version}"
    html = factsheet_html(document, draft=draft, revision_label=revision_label)
    with _lock, _gc_paused():
        font_config, css, fetcher, image_cache = _resources()
        base_url = (print_dir() / "index.html").as_uri()
        options = {"pdf_tags": True, "pdf_variant": pdf_variant, "cache": image_cache}
        best, best_problems = None, None
        for fallback in (None, *LAYOUT_FALLBACKS):
            stylesheets = [css] if fallback is None else [css, _fallback_css(fallback)]
            rendered = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                stylesheets=stylesheets, font_config=font_config, **options
            )
            problems = layout_problems(rendered)
            if best is None or problems < best_problems:
                best, best_problems = rendered, problems
            if not any(problems):
                break
            logger.warning("%s: layout problem %r; rendering again with another footnote layout", document.title,
                           problems)
        return best.write_pdf(**options)


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
# footnote to the page after its call, depending on the geometry. Each fallback changes the footnote
# layout; the first rendering without either problem is used (else the one with the fewest).
LAYOUT_FALLBACKS = (
    ".fn-silent { footnote-display: block; }",
    "@page { @footnote { padding-top: 0; background: none; border-top: 0.6pt solid #003399; } }",
    ".fn { footnote-display: inline; }",
    ".policy-table-caption { break-before: page; }",
)


@lru_cache(maxsize=len(LAYOUT_FALLBACKS))
def _fallback_css(rule: str) -> CSS:
    return CSS(string=rule, font_config=_resources()[0])


def layout_problems(rendered) -> tuple[int, int]:
    """(pages showing Table 1 without its header rows, footnotes printed on another page than their call)."""
    return table_header_missing(rendered, count=True), footnotes_misplaced(rendered)


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
