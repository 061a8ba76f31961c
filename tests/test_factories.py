"""The factories' own rule: a country drawn for a test that names none never collides with a country some test
names (in a factory call, a builder or a URL), whatever order the shuffled suite runs in."""

import re
from pathlib import Path

from tests.factories import _CODES

NAMED = [
    re.compile(r"""code\s*=\s*["']([A-Za-z]{2})["']"""),  # CountryFactory(code="NL"), country__code="PT"
    re.compile(r"""\.factsheet\(\s*["']([A-Z]{2})["']"""),  # EditionBuilder(...).factsheet("AT", ...)
    re.compile(r"""["'(\s]([A-Z]{2})["']\s*[,)\]]"""),  # ("AT", "BE") and ["LU", "MT"]
    re.compile(r"""/\d{4}/([a-z]{2})[/.]"""),  # /factsheets/2023/mx.pdf
]


def test_the_countries_a_factory_draws_are_named_by_no_test():
    named = set()
    for path in Path(__file__).parent.rglob("*.py"):
        if path.name in ("factories.py", "test_factories.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in NAMED:
            named |= {code.upper() for code in pattern.findall(text)}
    assert {"MX", "NL", "PT", "AT"} <= named  # the scan finds what tests name
    assert not named & set(_CODES), sorted(named & set(_CODES))
    assert len(set(_CODES)) == len(_CODES) >= 30
