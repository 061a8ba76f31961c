"""Edition caption templates fill in their named fields and nothing else (issue 17.21): a format spec, an attribute,
an index or a conversion is printed as written, so a template can never make a render build a huge string."""

import pytest

from editorial.rendering.document import caption

VALUES = {"number": 2, "country": "Mexico", "title": "State of play"}


def test_the_named_fields_are_filled_in():
    assert caption("Table {number}: {title} ({country})", **VALUES) == "Table 2: State of play (Mexico)"
    assert caption("{{literal}} {number}", **VALUES) == "{literal} 2"
    assert caption("", **VALUES) == ""


@pytest.mark.parametrize("template", [
    "{title:>100000}", "{title:>100000}{country:^100000}{number:0100000}", "{number:,}", "{title!r}",
    "{title.__class__}", "{title[0]}", "{0}", "{}", "{unknown}",
])
def test_anything_but_a_named_field_prints_as_written(template):
    out = caption(template, **VALUES)
    assert out == template
    assert len(out) < 100


def test_a_wrong_part_leaves_the_rest_filled_in():
    assert caption("Table {number}: {title:>9}", **VALUES) == "Table 2: {title:>9}"
    assert caption("Table {number} {", **VALUES) == "Table 2 {"
