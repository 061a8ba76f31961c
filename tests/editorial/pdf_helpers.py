"""Helpers to read rendered PDFs: page texts with poppler's pdftotext, normalised whitespace."""

import re
import subprocess
from pathlib import Path

RUNNING_HEADER = "EUROPEAN CLUSTER COLLABORATION PLATFORM"


def page_texts(path: Path, *, mode: str = "-raw") -> list[str]:
    out = subprocess.run(["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def plain(html: str) -> str:
    return norm(re.sub(r"<[^>]+>", " ", re.sub(r"\[\^[a-z0-9-]+\]", "", html)).replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&"))
