"""Texts as searched and as shown. Both databases search a folded copy of each text that keeps every character
where it is (accents removed, lower case, anything but a letter or a digit a space), so they see the same words
and a match found in the copy marks the same characters of the printed text. Excerpts are escaped text with
<mark> around the matches: stored text never reaches a page as HTML."""

import re
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
_WORD = re.compile(r"\S+")
# PostgreSQL's English stop words (share/tsearch_data/english.stop, from the Snowball project, BSD licence):
# PostgreSQL never indexes them, so queries leave them out on both databases.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it
its itself they them their theirs themselves what which who whom this that these those am is are was were be been
being have has had having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over under again
further then once here there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
""".split())


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


def _word_marks(highlighted: str, text: str) -> list[tuple[int, int]]:
    """Each word the database marked in its highlighted copy of the folded text, stop words left out (FTS5 marks
    them inside a phrase, PostgreSQL never); none when the copy does not line up with the text."""
    found, position, start = [], 0, None
    for char in highlighted:
        if char == START:
            start = position
        elif char == STOP:
            if start is not None:
                found.append((start, position))
            start = None
        else:
            position += 1
    if position != len(text):
        return []
    folded = fold(text)
    return [(m.start(), m.end()) for begin, end in found
            for m in _WORD.finditer(folded, begin, end) if m.group() not in STOP_WORDS]


def _phrase_marks(marks: list[tuple[int, int]], text: str, phrases: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """The places where a whole phrase is: runs of marked words, in the phrase's order and as far apart as its words
    (PostgreSQL marks each word of a phrase wherever it is; FTS5 only the phrase). A marked word is one of the
    query's in some form: its first four letters tell which."""
    folded, found = fold(text), set()
    for phrase in phrases:
        content = [i for i, word in enumerate(phrase) if word not in STOP_WORDS]
        gaps = [b - a - 1 for a, b in zip(content, content[1:], strict=False)]
        for i in range(len(marks) - len(gaps)):
            run = marks[i:i + len(gaps) + 1]
            if all(folded[a:b][:4] == phrase[k][:4] for (a, b), k in zip(run, content, strict=True)) and all(
                    len(folded[a[1]:b[0]].split()) == gap for a, b, gap in zip(run[:-1], run[1:], gaps, strict=True)):
                found.add((run[0][0], run[-1][1]))
    return sorted(found)


def spans(highlighted: str | None, text: str, *, phrases: list[tuple[str, ...]] = ()) -> list[tuple[int, int]]:
    """The (start, end) of each match in a text, read from the database's highlighted copy of its folded text
    (none when the copy does not line up). `phrases`: the query looks for these phrases only, so only where a whole
    phrase is counts. Marks apart by spaces only become one ("Nuevo León" is one mark)."""
    marks = _word_marks(highlighted or "", text)
    if phrases:
        marks = _phrase_marks(marks, text, phrases)
    joined: list[tuple[int, int]] = []
    for start, end in marks:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        elif joined and text[joined[-1][1]:start].isspace():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


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
