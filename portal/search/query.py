"""A reader's query in web-search syntax (words, "quoted phrases", `or`, `-excluded`), parsed once and written
for each database: PostgreSQL's websearch_to_tsquery and SQLite's FTS5 query language. Words are folded as the
texts are (portal.search.text) and English stop words dropped, so both databases look for the same words; a
query that is too long, or has no word to look for, is refused with a reason."""

import re
from dataclasses import dataclass

from portal.search.text import STOP_WORDS, words

MAX_CHARS = 200
MAX_TERMS = 12
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the reader."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded; more than one: a phrase
    excluded: bool = False

    def websearch(self) -> str:
        text = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        return f"-{text}" if self.excluded else text

    def fts5(self) -> str:
        return '"' + " ".join(self.words) + '"'  # words are letters and digits only: nothing to escape


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Term, ...], ...]  # any group matches; a group matches when all its terms do

    @property
    def phrases(self) -> list[tuple[str, ...]]:
        """The phrases looked for when the query looks for nothing else (then a match is a whole phrase)."""
        wanted = [t.words for group in self.groups for t in group if not t.excluded]
        return wanted if all(len([w for w in words if w not in STOP_WORDS]) > 1 for words in wanted) else []

    def websearch(self) -> str:
        return " or ".join(" ".join(t.websearch() for t in group) for group in self.groups)

    def fts5(self) -> str:
        parts = []
        for group in self.groups:
            wanted = " AND ".join(t.fts5() for t in group if not t.excluded)
            excluded = "".join(f" NOT {t.fts5()}" for t in group if t.excluded)
            parts.append(f"(({wanted}){excluded})")
        return " OR ".join(parts)


def _words(text: str) -> tuple[str, ...]:
    """A term's folded words without the stop words at its ends (inside a phrase they hold their place)."""
    found = words(text)
    while found and found[0] in STOP_WORDS:
        found.pop(0)
    while found and found[-1] in STOP_WORDS:
        found.pop()
    return tuple(found)


def parse(text: str) -> Query:
    """A query in web-search syntax; QueryError when it is too long or leaves nothing to look for."""
    text = (text or "").strip()
    if len(text) > MAX_CHARS:
        raise QueryError(f"The search is too long ({len(text)} characters): at most {MAX_CHARS}, please.")
    groups: list[list[Term]] = [[]]
    count = 0
    for match in _TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            groups.append([])
            continue
        excluded = bool(minus) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        found = _words(phrase if bare is None else bare)
        if found:
            count += 1
            groups[-1].append(Term(found, excluded))
    if count > MAX_TERMS:
        raise QueryError(f"The search has {count} words or phrases: at most {MAX_TERMS}, please.")
    kept = tuple(tuple(group) for group in groups if any(not t.excluded for t in group))
    if not kept:
        raise QueryError("Nothing to search for: type a word (very common words such as “the” or “of” are left "
                         "out, and a search cannot only exclude words).")
    return Query(kept)
