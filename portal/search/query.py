"""A reader's query in web-search syntax (words, "quoted phrases", `or`, `-excluded`), parsed once and written
for each database: PostgreSQL's websearch_to_tsquery and SQLite's FTS5 query language. Words are folded as the
texts are (portal.search.text) and English stop words dropped, so both databases look for the same words; a
query that is too long, or has no word to look for, is refused with a reason."""

import re
from dataclasses import dataclass

from portal.search.text import words

MAX_CHARS = 200
MAX_TERMS = 12
# PostgreSQL's English stop words (share/tsearch_data/english.stop, from the Snowball project, BSD licence):
# PostgreSQL never indexes them, so they are dropped from queries on both databases.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it
its itself they them their theirs themselves what which who whom this that these those am is are was were be been
being have has had having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over under again
further then once here there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
""".split())
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
