"""The public portal in a real browser (issue 9.7): every public page of the demo passes axe-core (WCAG 2.1 A and
AA), works from the keyboard, has its headings in order, and fits a phone without sideways scrolling (wide
tables scroll inside their own region; Table 1 stacks)."""

import pytest
from django.core.management import call_command

from tests.editorial.test_browser_validation import axe_violations
from tests.editorial.test_browser_workflow import SCREENSHOTS, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {
    "index": "/factsheets/",
    "factsheet-2023": "/factsheets/2023/mx/",
    "factsheet-2020": "/factsheets/2020/mx/",
    "explorer": "/factsheets/2023/",
    "explorer-filtered": "/factsheets/2023/?objective=Supporting+internationalisation+activities&sort=-c1",
    "compare": "/factsheets/compare/?f=2023-mx&f=2020-mx",
    "compare-empty": "/factsheets/compare/",
    "summary-2023": "/factsheets/2023/summary/",
    "summary-2020": "/factsheets/2020/summary/",
    "open-data": "/data/",
    "search": "/search/?q=Nuevo+Leon",
    "search-empty": "/search/",
}

HEADINGS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4')).map(h => Number(h.tagName[1]))"""
OVERFLOW = """() => Array.from(document.querySelectorAll('main *')).filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > document.documentElement.clientWidth + 1 && !e.closest('.table-scroll');
}).slice(0, 6).map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def demo_published(db):
    call_command("load_demo", "--force", "--no-users", verbosity=0)
    call_command("publish_demo", verbosity=0)


def test_every_public_page_is_accessible_on_desktop_and_phone(browser, live_server, demo_published):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for width, height in [(1280, 1000), (390, 844)]:
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            violations = axe_violations(page)
            levels = page.evaluate(HEADINGS)
            jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
            wide = page.evaluate(OVERFLOW) if width < 500 else []
            if violations or levels[:1] != [1] or levels.count(1) != 1 or jumps or wide:
                problems[f"{name}@{width}"] = {"axe": violations, "headings": levels[:12], "jumps": jumps,
                                               "wide": wide}
            page.screenshot(path=str(SCREENSHOTS / f"portal-{name}-{width}.png"), full_page=False)
        page.context.close()
    assert problems == {}


def test_keyboard_reaches_the_content_and_filters_without_a_mouse(browser, live_server, demo_published):  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(live_server.url + "/factsheets/2023/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab to the first facet link of the policy objectives and follow it with Enter.
    for _ in range(60):
        page.keyboard.press("Tab")
        if "objective=" in (page.evaluate("document.activeElement.getAttribute('href') || ''")):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**objective=**")
    assert "of 1 country match" in page.inner_text(".count-line")
    assert page.locator(".chips a").count() >= 2  # the filter in use, and "Clear all filters"


def test_table1_side_by_side_on_a_wide_screen_and_stacked_on_a_phone(browser, live_server, demo_published):  # noqa: F811
    wide = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    wide.goto(live_server.url + "/factsheets/2023/mx/")
    cells = wide.locator(".policy-table tbody tr").first.locator("td")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"]
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + "/factsheets/2023/mx/")
    cells = phone.locator(".policy-table tbody tr").first.locator("td")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 2 and abs(first["x"] - second["x"]) < 2
    phone.evaluate("document.querySelector('.policy-table caption').scrollIntoView()")
    phone.screenshot(path=str(SCREENSHOTS / "portal-table1-phone.png"), full_page=False)


def test_search_from_the_header_and_land_on_the_passage(browser, live_server, demo_published):  # noqa: F811
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_server.url + "/factsheets/2023/mx/")
    page.fill("#site-search-q", "Nuevo Leon")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=Nuevo+Leon")
    assert "23 passages found" in page.inner_text("#results-title")
    assert page.locator(".hits mark").first.inner_text() == "Nuevo León"
    for index in range(4):  # a qualitative assessment and a policy column of Table 1, in both editions
        page.goto(live_server.url + "/search/?q=Nuevo+Leon")
        link = page.locator(".hit h3 a").nth(index)
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url("**" + href)
        target = page.evaluate("document.getElementById(location.hash.slice(1)).getBoundingClientRect().top")
        assert -2 <= target < 844, href  # scrolled to the passage
    page.screenshot(path=str(SCREENSHOTS / "portal-search-landing-390.png"), full_page=False)
