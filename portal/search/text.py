"""Texts as searched and as shown. Both databases search a folded copy of each text that keeps every character
where it is (accents removed, lower case, anything but a letter or a digit a space), so they see the same words
and a match found in the copy marks the same characters of the printed text. Excerpts are escaped text with
<mark> around the matches: stored text never reaches a page as HTML."""

import unicodedata
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# What the databases put around a match (ts_headline's StartSel/StopSel, FTS5's highlight()): private-use
# characters, which the folded texts never hold (they become spaces).
START, STOP = "\ue000", "\ue001"
# Letters without a decomposition that readers type without their stroke.
_BASE = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h", "Ħ": "h", "ı": "i"}
EXCERPT_CHARS = 240


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if not char.isalnum():
        return " "
    if char in _BASE:
        return _BASE[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).lower()
    if len(base) == 1 and base.isalnum():
        return base
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    """The text as searched: one character for each character, so positions carry over to the printed text."""
    return "".join(_fold_char(c) for c in text or "")


def words(text: str) -> list[str]:
    """The words of a text as both databases split it (folded)."""
    return fold(text).split()


def spans(highlighted: str | None, text: str) -> list[tuple[int, int]]:
    """The (start, end) of each match in a text, read from the database's highlighted copy of its folded text
    (matches apart by spaces only become one: "Nuevo León" is one mark); none when the copy does not line up."""
    if not highlighted:
        return []
    found: list[tuple[int, int]] = []
    position, start = 0, None
    for char in highlighted:
        if char == START:
            start = position
        elif char == STOP:
            if start is not None and start < position:
                if found and text[found[-1][1]:start].isspace():
                    found[-1] = (found[-1][0], position)
                else:
                    found.append((start, position))
            start = None
        else:
            position += 1
    return found if position == len(text) else []


def _marked(text: str, found: list[tuple[int, int]], begin: int, end: int) -> str:
    out, at = [], begin
    for start, stop in found:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(str(escape(text[at:start])))
        out.append(f"<mark>{escape(text[start:stop])}</mark>")
        at = stop
    out.append(str(escape(text[at:end])))
    return "".join(out)


def highlighted(text: str, found: list[tuple[int, int]]) -> SafeString:
    """The whole text, escaped, with its matches marked."""
    return mark_safe(_marked(text, found, 0, len(text)))  # noqa: S308 - escaped piece by piece


def excerpt(text: str, found: list[tuple[int, int]], *, size: int = EXCERPT_CHARS) -> SafeString:
    """About `size` characters of the text around its first match (from its start when nothing matched in it),
    cut between words, escaped, with its matches marked and "…" where it was cut."""
    if len(text) <= size:
        return highlighted(text, found)
    first_start, first_end = found[0] if found else (0, 0)
    begin = max(0, min(first_start - size // 4, len(text) - size))
    if begin:
        space = text.find(" ", begin, first_start)
        begin = space + 1 if space >= 0 else begin
    end = begin + size
    if end < len(text):
        cut = text.rfind(" ", max(begin, first_end), end)
        end = cut if cut > begin else end
    piece = _marked(text, found, begin, end).strip()
    return mark_safe(("… " if begin else "") + piece + (" …" if end < len(text) else ""))  # noqa: S308
