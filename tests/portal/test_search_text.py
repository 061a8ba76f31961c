"""The pieces of search that need no database: the query written for each database, the folded text both search,
and the excerpts (escaped text, <mark> around the matches, never stored HTML)."""

import pytest

from portal.search.query import MAX_CHARS, MAX_TERMS, QueryError, parse
from portal.search.text import START, STOP, excerpt, fold, highlighted, spans


@pytest.mark.parametrize(("typed", "websearch", "fts5"), [
    ("Nuevo León", "nuevo leon", '(("nuevo" AND "leon"))'),
    ('"State of México"', '"state of mexico"', '(("state of mexico"))'),
    ("aerospace or automotive", "aerospace or automotive", '(("aerospace")) OR (("automotive"))'),
    ("innovation -aerospace", "innovation -aerospace", '(("innovation") NOT "aerospace")'),
    ("co-operation", '"co operation"', '(("co operation"))'),
    ("the clusters of Mexico", "clusters mexico", '(("clusters" AND "mexico"))'),
    ('"of the clusters"', "clusters", '(("clusters"))'),  # a phrase loses the stop words at its ends
    ("or or cluster or", "cluster", '(("cluster"))'),
])
def test_the_query_is_written_alike_for_both_databases(typed, websearch, fts5):
    query = parse(typed)
    assert query.websearch() == websearch
    assert query.fts5() == fts5


@pytest.mark.parametrize("hostile", [
    'NEAR(a b) "x" * ^ : {col} (', "cluster*", 'a" OR "b', "title_search:leon", "\x00leon", "leon'; DROP TABLE x; --",
])
def test_query_syntax_of_the_databases_is_only_ever_words(hostile):
    text = parse(hostile).fts5()
    inside = text.replace('"', " ").replace("(", " ").replace(")", " ")
    assert set(inside.split()) <= {"AND", "OR", "NOT"} | {w for w in fold(hostile).split()}
    assert all(part.isalnum() for part in inside.split())


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Nothing to search for"),
    ("the of and", "Nothing to search for"),
    ("-cluster", "cannot only exclude"),
    ("!!! ???", "Nothing to search for"),
    ("x" * (MAX_CHARS + 1), "too long"),
    (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), f"at most {MAX_TERMS}"),
])
def test_a_query_with_nothing_to_search_or_too_much_is_refused_with_a_reason(typed, message):
    with pytest.raises(QueryError, match=message):
        parse(typed)


def test_folding_keeps_every_character_in_its_place():
    text = "Nuevo León's «Plan» — Øresund, İzmir & Straße 2016-2021"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.split() == ["nuevo", "leon", "s", "plan", "oresund", "izmir", "straße", "2016", "2021"]


def test_matches_found_in_the_folded_text_mark_the_printed_text_escaped():
    text = "The <b>State</b> of Nuevo León & co."
    folded = fold(text)
    start = folded.index("nuevo")
    marked = folded[:start] + START + "nuevo" + STOP + " " + START + "leon" + STOP + folded[start + 10:]
    found = spans(marked, text)
    assert found == [(start, start + 10)]  # apart by a space only: one mark
    assert str(highlighted(text, found)) == "The &lt;b&gt;State&lt;/b&gt; of <mark>Nuevo León</mark> &amp; co."
    assert spans(marked + "x", text) == []  # a copy that does not line up marks nothing


def test_an_excerpt_is_cut_between_words_around_the_first_match():
    text = " ".join(f"w{i}" for i in range(200)) + " Internationalisation of clusters " + "tail " * 100
    start = text.index("Internationalisation")
    result = str(excerpt(text, [(start, start + len("Internationalisation"))]))
    assert result.startswith("… w") and result.endswith(" …")
    assert "<mark>Internationalisation</mark> of clusters" in result
    assert len(result) < 300
    assert str(excerpt("Short text.", [])) == "Short text."
    assert str(excerpt("a " * 300, [])).startswith("a a")


def test_a_phrase_counts_where_it_is_whole():
    text = "The State of Mexico, a state; Mexico of the state."
    every_word = "The {s}State{e} of {s}Mexico{e}, a {s}state{e}; {s}Mexico{e} of the {s}state{e}."  # PostgreSQL
    phrase_only = "The {s}State of Mexico{e}, a state; Mexico of the state."  # FTS5
    for marked in (every_word, phrase_only):
        marked = marked.format(s=START, e=STOP)
        assert spans(marked, text, phrases=[("state", "of", "mexico")]) == [(4, 19)]
    assert spans(every_word.format(s=START, e=STOP), text) == [(4, 9), (13, 19), (23, 28), (30, 36), (44, 49)]
