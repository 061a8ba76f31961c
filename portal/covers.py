"""The preview image of a published factsheet for social sites (Open Graph, Twitter card): the cover page of its
PDF, rendered with PDFium, on a 1200 x 630 card with the country and the edition. Rendered once per publication,
on the first request for it, and kept in the media storage beside the PDFs: every later request, in any process,
reads the stored file. A lock in the cache keeps two requests of one process (or of all processes, with a shared
cache such as Redis) from rendering it at the same time."""

import io
import logging
import time
from pathlib import Path

import pypdfium2 as pdfium
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from portal.seo import COVER_SIZE

logger = logging.getLogger(__name__)

DESIGN = 1  # part of the stored name: a new design of the card renders every image again
BLUE, YELLOW, INK, MUTED, PAPER = (0, 51, 153), (255, 204, 0), (29, 29, 27), (79, 86, 97), (238, 241, 248)
FONTS = Path(settings.BASE_DIR) / "static" / "editorial" / "fonts"
MARGIN = 48
LOCK_SECONDS = 60
WAIT_SECONDS = 15


class CoverUnavailable(Exception):
    """The PDF of the publication cannot be read or rendered (logged; the page keeps its other tags)."""


def _storage(publication):
    return publication.pdf.storage


def cover_name(publication) -> str:
    factsheet = publication.factsheet
    return (f"covers/{factsheet.edition.year}/{str(factsheet.country.code).lower()}/"
            f"v{publication.number}-{publication.pdf_sha256[:12]}-d{DESIGN}.png")


def cover_png(publication) -> bytes:
    """The stored card of the publication, rendered and stored first if it is not there yet."""
    storage, name = _storage(publication), cover_name(publication)
    if storage.exists(name):
        return _read(storage, name)
    lock = f"portal:cover-lock:{name}"
    deadline = time.monotonic() + WAIT_SECONDS
    acquired = cache.add(lock, 1, LOCK_SECONDS)
    while not acquired and time.monotonic() < deadline:  # another request is rendering it: wait for its file
        time.sleep(0.2)
        if storage.exists(name):
            return _read(storage, name)
        acquired = cache.add(lock, 1, LOCK_SECONDS)
    try:
        if storage.exists(name):
            return _read(storage, name)
        png = card_png(publication)
        storage.save(name, ContentFile(png))
        return png
    finally:
        if acquired:
            cache.delete(lock)


def _read(storage, name: str) -> bytes:
    with storage.open(name, "rb") as handle:
        return handle.read()


def cover_page(pdf: bytes, height: int) -> Image.Image:
    """The first page of the PDF, rendered to the given height in pixels."""
    try:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            scale = height / page.get_height()
            image = page.render(scale=scale).to_pil().convert("RGB")
            page.close()
        finally:
            document.close()
    except (pdfium.PdfiumError, IndexError, ValueError) as error:
        raise CoverUnavailable(str(error)) from error
    return image


def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / f"Lato-{weight}.ttf"), size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, width: int, sizes: tuple[int, ...], lines: int):
    """The text broken into at most `lines` lines of the largest size that fits the width."""
    for size in sizes:
        font = _font("Bold", size)
        rows: list[str] = []
        for word in text.split():
            if rows and draw.textlength(f"{rows[-1]} {word}", font=font) <= width:
                rows[-1] = f"{rows[-1]} {word}"
            else:
                rows.append(word)
        if len(rows) <= lines and all(draw.textlength(row, font=font) <= width for row in rows):
            return font, rows
    return font, rows[:lines]


def card_png(publication) -> bytes:
    """The card: the PDF's cover on the left, the kind of document, the country and the edition on the right."""
    try:
        with publication.pdf.open("rb") as handle:
            pdf = handle.read()
    except OSError as error:
        raise CoverUnavailable(str(error)) from error
    width, height = COVER_SIZE
    card = Image.new("RGB", COVER_SIZE, PAPER)
    cover = cover_page(pdf, height - 2 * MARGIN)
    draw = ImageDraw.Draw(card)
    draw.rectangle((MARGIN + 8, MARGIN + 8, MARGIN + 8 + cover.width, MARGIN + 8 + cover.height), fill=(196, 204, 224))
    card.paste(cover, (MARGIN, MARGIN))
    left = MARGIN * 2 + cover.width
    text_width = width - left - MARGIN
    factsheet = publication.factsheet
    draw.text((left, MARGIN + 10), "COUNTRY FACTSHEET", font=_font("Bold", 30), fill=MUTED)
    font, rows = _wrapped(draw, factsheet.country.name, text_width, (84, 72, 60, 50, 42), 3)
    y = MARGIN + 70
    for row in rows:
        draw.text((left, y), row, font=font, fill=BLUE)
        y += int(font.size * 1.15)
    draw.text((left, y + 14), f"{factsheet.edition.year} edition · version {publication.number}",
              font=_font("Regular", 38), fill=INK)
    draw.rectangle((left, height - MARGIN - 74, left + 96, height - MARGIN - 68), fill=YELLOW)
    for offset, line in ((58, "European Cluster"), (24, "Collaboration Platform")):
        draw.text((left, height - MARGIN - offset), line, font=_font("Bold", 30), fill=BLUE)
    out = io.BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cover_or_none(publication) -> bytes | None:
    try:
        return cover_png(publication)
    except CoverUnavailable as error:
        logger.warning("No preview image for %s: %s", publication, error)
        return None
