"""Rich text is reduced to the allowlist on every write, whatever the path."""

import pytest

from factsheets.models import Factsheet, Policy
from factsheets.richtext import footnote_keys, sanitize
from tests.factories import FactsheetFactory, PolicyFactory

pytestmark = pytest.mark.django_db

UNSAFE = (
    '<p onclick="steal()">Hello <script>alert(1)</script><strong>world</strong></p>'
    '<img src="file:///etc/passwd"><iframe src="http://evil.example"></iframe>'
    '<a href="javascript:alert(1)">js</a> <a href="https://example.org" style="x">ok</a>'
    '<style>p{}</style><table><tr><td>cell</td></tr></table>'
)


def test_sanitize_keeps_only_the_allowlist():
    clean = sanitize(UNSAFE)
    for forbidden in ("script", "onclick", "<img", "iframe", "javascript:", "style", "<table", "<td"):
        assert forbidden not in clean
    assert "<strong>world</strong>" in clean
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in clean
    assert "cell" in clean


def test_allowed_markup_survives():
    text = '<p>A <em>b</em> <sup>2</sup></p><ol><li>one</li></ol><ul><li>two</li></ul><p>x<br>y</p>'
    assert sanitize(text) == text


def test_saving_a_model_sanitises_its_rich_text():
    factsheet = FactsheetFactory(introduction=UNSAFE)
    assert "<script" not in factsheet.introduction
    stored = Factsheet.objects.values_list("introduction", flat=True).get(pk=factsheet.pk)
    assert "<script" not in stored and "<strong>world</strong>" in stored


def test_queryset_update_sanitises_too():
    policy = PolicyFactory()
    Policy.objects.filter(pk=policy.pk).update(objectives_text='<p>x</p><script>alert(1)</script>')
    assert Policy.objects.values_list("objectives_text", flat=True).get(pk=policy.pk) == "<p>x</p>"


def test_footnote_calls_are_found_in_order():
    assert footnote_keys("a[^first] b [^second-2] c[^first]") == ["first", "second-2", "first"]
