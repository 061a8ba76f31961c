"""No template runs inline script: the Content Security Policy allows scripts from the site's static files only,
so an inline script would be blocked in the browser (and a template that needs one is a design error)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*.html"))
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
HANDLER = re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def inline_script_problems(text: str) -> list[str]:
    problems = []
    for match in SCRIPT.finditer(text):
        attributes = match.group(1)
        if "src=" not in attributes.replace(" ", "") and not DATA_BLOCK.search(attributes):
            problems.append(f"inline <script{attributes}>")
    problems += [f"event handler attribute: {m.group(0)[:60]}" for m in HANDLER.finditer(text)]
    problems += [f"javascript: URL: {m.group(0)}" for m in JAVASCRIPT_URL.finditer(text)]
    return problems


def test_the_scan_sees_what_it_is_meant_to_see():
    assert inline_script_problems("<script>alert(1)</script>")
    assert inline_script_problems('<button onclick="go()">')
    assert inline_script_problems('<a href="javascript:go()">')
    assert not inline_script_problems('<script src="/static/x.js" defer></script>')
    assert not inline_script_problems('<script type="application/ld+json">{"@type": "Report"}</script>')


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_inline_script(template):
    assert TEMPLATES, "no templates found"
    assert inline_script_problems(template.read_text(encoding="utf-8")) == []
