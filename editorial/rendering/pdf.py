"""PDF rendering of factsheets (from a snapshot) with WeasyPrint: one cached stylesheet, the static-only fetcher,
one layout pass checked by the layout guard (editorial.rendering.layout), the tagged PDF finished as PDF/UA while
it is written (editorial.rendering.pdfua)."""

import gc
import logging
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration

from editorial.rendering import pdfua
from editorial.rendering.document import Document, factsheet_document
from editorial.rendering.fetcher import StaticOnlyFetcher
from editorial.rendering.layout import (  # noqa: F401 - the guard's checks, importable from here as before
    LayoutReport,
    body_lines,
    inspect,
    short_pages,
    stranded_rows,
    table1_labels_repeat,
    table_header_missing,
)
from factsheets.models import Factsheet

PRINT_CSS = Path("editorial/print/factsheet.css")
PDF_VARIANTS = {None, "pdf/a-3b", "pdf/ua-1"}
_lock = threading.Lock()
logger = logging.getLogger(__name__)
# Layout fallbacks taken in this process, by fallback: a real factsheet should never need one.
fallbacks_taken: Counter = Counter()


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
         "colophon": colophon, "printed_at": timezone.now()},
    )


@dataclass
class RenderedPdf:
    data: bytes
    passes: int  # layouts made: 1 unless the layout guard found a problem
    report: LayoutReport  # the problems of the layout printed (clean, normally)


def factsheet_pdf(
    factsheet: Factsheet,
    snapshot: dict | None = None,
    *,
    draft: bool = False,
    revision_label: str | None = None,
    pdf_variant: str | None = "pdf/ua-1",
    colophon: dict | None = None,
) -> RenderedPdf:
    """Render a snapshot of the factsheet (an approved revision's; None: the working copy as it is now) as a PDF,
    accessible (PDF/UA-1) unless another variant is asked for; drafts carry a DRAFT watermark, "DRAFT" in their
    title and their revision in the footer. Says how many layouts it took."""
    if pdf_variant not in PDF_VARIANTS:
        raise ValueError(f"Unknown PDF variant {pdf_variant!r}.")
    document = factsheet_document(factsheet, snapshot)
    if draft and not revision_label:
        revision_label = f"revision {document.factsheet.lock_version}"
    html = factsheet_html(document, draft=draft, revision_label=revision_label, colophon=colophon)
    with _lock, _gc_paused():
        rendered, passes, report = _laid_out(html, name=document.title)
        data = _written(rendered, pdf_variant, name=document.title)
    return RenderedPdf(data=data, passes=passes, report=report)


def render_factsheet_pdf(factsheet: Factsheet, snapshot: dict | None = None, **options) -> bytes:
    """The PDF of factsheet_pdf (same arguments)."""
    return factsheet_pdf(factsheet, snapshot, **options).data


def render_branded_pdf(html: str, *, name: str) -> bytes:
    """Render another branded document (e.g. an edition's summary report) with the same renderer: the fonts,
    the static-only fetcher and the PDF/UA finishing of the factsheets. The HTML links its own print
    stylesheet from the static files (relative to editorial/print/); `name` is for the logs."""
    with _lock, _gc_paused():
        font_config, _css, fetcher, _image_cache, counter_style = _resources()
        rendered = HTML(string=html, base_url=_base_url(), url_fetcher=fetcher).render(
            font_config=font_config, counter_style=counter_style, pdf_tags=True, pdf_variant="pdf/ua-1",
        )
        return _written(rendered, "pdf/ua-1", name=name)


def _base_url() -> str:
    return (print_dir() / "index.html").as_uri()


# WeasyPrint 70 can drop a repeated table header on the page after one holding a footnote, or push a
# footnote to the page after its call (it reports the page's footnotes to keep a paragraph's first lines
# together), depending on the geometry; and the end of a section can spill a few lines onto a page of their own.
# The print CSS makes the published factsheets lay out right the first time; when the guard still finds a problem,
# each fallback changes the geometry a little and the first layout without problems is used (else the best).
LAYOUT_FALLBACKS = {
    "thin footnote rule": "@page { @footnote { padding-top: 0; background: none; border-top: 0.6pt solid #003399; } }",
    "inline footnotes": ".fn { footnote-display: inline; }",
    "Table 1 on a new page": ".policy-table-caption { break-before: page; }",
    "tighter text": "section.content .rich { line-height: 1.38; } section.content p { margin-bottom: 1.8mm; }",
}


def _laid_out(html: str, *, name: str):
    """(layout, passes, report): the first layout the guard finds clean, else the one with the fewest problems.
    Every pass after the first is logged with its reason and counted (fallbacks_taken)."""
    font_config, css, fetcher, image_cache, counter_style = _resources()

    def render(extra: list[CSS]):
        rendered = HTML(string=html, base_url=_base_url(), url_fetcher=fetcher).render(
            stylesheets=[css, *extra], font_config=font_config, counter_style=counter_style, pdf_tags=True,
            pdf_variant="pdf/ua-1", cache=image_cache,
        )
        table1_labels_repeat(rendered)
        return rendered, inspect(rendered)

    best, report = render([])
    passes = 1
    if report.clean:
        return best, passes, report
    attempts = []
    if report.stranded_rows:  # such a row opens the next page instead
        attempts.append(("stranded rows moved", " ".join(f"#{row} {{ break-before: page; }}"
                                                        for row in report.stranded_rows)))
    attempts += list(LAYOUT_FALLBACKS.items())
    best_report = report
    for label, rule in attempts:
        logger.warning("%s: layout problem (%s); rendering again with %s", name, report, label)
        fallbacks_taken[label] += 1
        rendered, report = render([_fallback_css(rule)])
        passes += 1
        if report.problems < best_report.problems:
            best, best_report = rendered, report
        if report.clean:
            break
    else:
        logger.error("%s: no layout without problems; printing the one with the fewest (%s)", name, best_report)
    return best, passes, best_report


@lru_cache(maxsize=32)
def _fallback_css(rule: str) -> CSS:
    return CSS(string=rule, font_config=_resources()[0])


def _written(rendered, pdf_variant: str | None, *, name: str) -> bytes:
    """The PDF of a layout; PDF/UA finished while it is written. A failure of the finishing delivers the tagged
    PDF as WeasyPrint made it (and is logged): a PDF beats none."""
    options = {"pdf_tags": True, "pdf_variant": pdf_variant, "cache": _resources()[3]}
    if pdf_variant != "pdf/ua-1":
        return rendered.write_pdf(**options)
    with pdfua.recording() as record:
        try:
            return rendered.write_pdf(finisher=lambda document, pdf: pdfua.finish(document, pdf, record), **options)
        except Exception:  # noqa: BLE001
            logger.exception("%s: PDF/UA finishing failed; the PDF is delivered as WeasyPrint wrote it", name)
    return rendered.write_pdf(**options)


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
