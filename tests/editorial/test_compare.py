"""The revision compare lists a change exactly when the printed text differs (issue 11.4), and reads like the
factsheet: labels, amounts with their currency, paragraphs (issue 12.6)."""

import copy
import re
from html import escape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial import services
from editorial.snapshots import factsheet_snapshot, snapshot_compare
from factsheets.richtext import sanitize

pytestmark = pytest.mark.django_db

BLOCKS = {"p", "li", "ul", "ol", "br"}


class _Printed(HTMLParser):
    """The text a reader sees of an HTML fragment: block elements break lines, whitespace collapses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data.replace("\n", " "))  # a newline in the text is only a space


def printed_html(html: str) -> list[str]:
    parser = _Printed()
    parser.feed(html)
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    collapsed = (" ".join(re.split(r"[ \t\r\f]+", line)).strip() for line in lines)
    return [line for line in collapsed if line]


def printed_plain(text: str) -> list[str]:
    return printed_html(escape(text))  # the PDF template escapes plain text into its HTML


@pytest.fixture
def snapshot(factsheet):
    return factsheet_snapshot(factsheet=factsheet)


def test_a_plain_text_written_in_angle_brackets_is_a_change(snapshot):
    new = copy.deepcopy(snapshot)
    new["policies"][0]["name"] += " <EUR 900 million budget>"
    changes = snapshot_compare(snapshot, new)
    assert [c.label for c in changes] == ["Policy 1 › Name"]
    assert changes[0].new.endswith("<EUR 900 million budget>")
    assert "&lt;EUR" in changes[0].diff_html


ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\t", "<", ">", "&", "/", "p", "<p>", "</p>", "<br>", "<b>", "x"])
TEXTS = st.lists(ALPHABET, max_size=10).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=TEXTS, new=TEXTS)
def test_compare_lists_a_plain_text_change_exactly_when_the_print_differs(snapshot, old, new):
    a, b = copy.deepcopy(snapshot), copy.deepcopy(snapshot)
    a["policies"][0]["name"], b["policies"][0]["name"] = old, new
    listed = bool(snapshot_compare(a, b))
    assert listed == (printed_plain(old) != printed_plain(new)), (old, new)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=TEXTS, new=TEXTS)
def test_compare_lists_a_rich_text_change_exactly_when_the_print_differs(snapshot, old, new):
    old, new = sanitize(old), sanitize(new)  # what storing a rich text keeps
    a, b = copy.deepcopy(snapshot), copy.deepcopy(snapshot)
    a["factsheet"]["introduction"], b["factsheet"]["introduction"] = old, new
    listed = bool(snapshot_compare(a, b))
    assert listed == (printed_html(old) != printed_html(new)), (old, new)


def test_the_compare_reads_like_the_factsheet(users, factsheet):
    policy = factsheet.policies.get()
    old = factsheet_snapshot(factsheet=factsheet)
    policy.period = "limited"
    policy.budget_overall_eur = 12_000_000
    policy.budget_overall_amount = 250_000_000
    policy.budget_overall_currency = "MXN"
    policy.save()
    factsheet.introduction = "<p>Regional governments.</p><p>This is new.</p>"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    changes = {c.label: c for c in snapshot_compare(old, factsheet_snapshot(factsheet=factsheet))}
    assert changes["Policy 1 › Period"].new == "Limited period"
    assert changes["Policy 1 › Budget overall eur"].new == "EUR 12,000,000"
    assert changes["Policy 1 › Budget overall amount"].new == "MXN 250,000,000"
    assert changes["Introduction"].new == "Regional governments.\nThis is new."
