"""The public portal in a real browser (issues 9.7 and 21): every public page of the demo passes axe-core (WCAG 2.1
A and AA, and 2.2's target size), names every control with its visible text, keeps its links readable on their
background, works from the keyboard, has its headings in order, is no wider than a phone or a laptop screen, does
not move when its fonts arrive late, and breaks no rule of the Content Security Policy. On a phone the explorer is
one card per country, compare one block per criterion or dimension, Table 1 is stacked."""

import time

import pytest
from django.core.management import call_command

from tests.editorial.test_browser_workflow import SCREENSHOTS, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {
    "index": "/factsheets/",
    "factsheet-2023": "/factsheets/2023/mx/",
    "factsheet-2020": "/factsheets/2020/mx/",
    "explorer": "/factsheets/2023/",
    "explorer-2020": "/factsheets/2020/",
    "explorer-filtered": "/factsheets/2023/?objective=Supporting+internationalisation+activities&sort=-c1",
    "compare": "/factsheets/compare/?f=2023-mx&f=2020-mx",
    "compare-empty": "/factsheets/compare/",
    "summary-2023": "/factsheets/2023/summary/",
    "summary-2020": "/factsheets/2020/summary/",
    "open-data": "/data/",
    "search": "/search/?q=Nuevo+Leon",
    "search-empty": "/search/",
}
WIDTHS = [(1366, 900), (390, 844)]
FONT_DELAY = 0.6  # seconds: fonts arrive after the first paint, as on a slow phone
MAX_SHIFT = 0.1  # cumulative layout shift a page may show then: "good" in Google's Core Web Vitals

HEADINGS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4')).map(h => Number(h.tagName[1]))"""
# Layout shifts until the fonts have arrived and been used (Lighthouse's CLS, without user input).
SHIFTS = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
        .observe({type: 'layout-shift', buffered: true});
    document.fonts.ready.then(() => setTimeout(() => resolve(Math.round(total * 1000) / 1000), 300));
})"""
WIDER = """() => document.documentElement.scrollWidth <= innerWidth ? [] : [document.documentElement.scrollWidth,
    innerWidth, ...Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right
    > innerWidth + 1 && !e.closest('.table-scroll')).slice(0, 5).map(e => e.tagName + '.' + e.className)]"""
# Every link's text against the first opaque background behind it (axe leaves a link inside a coloured table
# header "incomplete", which is how a blue-on-blue footnote number went unseen).
LINK_CONTRAST = """() => {
    const rgb = c => c.match(/[\\d.]+/g).map(Number);
    const lum = c => {
        const [r, g, b] = rgb(c).slice(0, 3).map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return Array.from(document.querySelectorAll('a')).filter(a => a.offsetParent && a.textContent.trim()).map(a => {
        let el = a, bg = 'rgba(0, 0, 0, 0)';
        while (el && (rgb(bg)[3] === 0)) { bg = getComputedStyle(el).backgroundColor; el = el.parentElement; }
        if (rgb(bg)[3] === 0) bg = 'rgb(255, 255, 255)';
        const [l1, l2] = [lum(getComputedStyle(a).color), lum(bg)].sort((x, y) => y - x);
        return [a.textContent.trim().slice(0, 40), Math.round((l1 + 0.05) / (l2 + 0.05) * 10) / 10];
    }).filter(([, ratio]) => ratio < 4.5);
}"""
# WCAG 2.5.3 (label in name): a control named by aria-label must have its visible words in that name.
NAME_HAS_LABEL = """() => {
    const words = s => s.toLowerCase().replace(/[^\\p{L}\\p{N}.]+/gu, ' ').trim();
    return Array.from(document.querySelectorAll('a[aria-label], button[aria-label]')).filter(e => {
        const visible = words(e.innerText);
        return visible && !words(e.getAttribute('aria-label')).includes(visible);
    }).map(e => e.outerHTML.slice(0, 160));
}"""


def axe_all(page) -> list[str]:
    """WCAG 2.0/2.1 A and AA, 2.2 AA (target size at least 24 px) and label-in-name."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "rules": {"label-content-name-mismatch": {"enabled": True}},
    })
    return [f"{v['id']}: {v['help']} ({[n['html'][:120] for n in v['nodes']]})" for v in results.response["violations"]]


@pytest.fixture
def demo_published(db):
    """The demo, published, and a second version of Mexico 2023 so that earlier versions are listed too."""
    from factsheets.models import Factsheet
    from tests import factories

    call_command("load_demo", "--force", "--no-users", verbosity=0)
    call_command("publish_demo", verbosity=0)
    factories.publish_fast(Factsheet.objects.get(country__code="MX", edition__year=2023))


def _slow_fonts(route):
    time.sleep(FONT_DELAY)
    route.continue_()


def test_every_public_page_fits_is_accessible_and_stays_put_on_a_laptop_and_a_phone(
        browser, live_server, demo_published):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems, console = {}, []
    for width, height in WIDTHS:
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        page.on("console", lambda message: console.append(f"{page.url}: {message.text}")
                if message.type == "error" or "Content Security Policy" in message.text else None)
        page.route("**/*.woff2", _slow_fonts)
        page.route("**/*.ttf", _slow_fonts)
        for name, path in PAGES.items():
            page.goto(live_server.url + path, wait_until="domcontentloaded")
            shift = page.evaluate(SHIFTS)
            found = {
                "axe": axe_all(page), "wider than the screen": page.evaluate(WIDER),
                "layout shift": shift if shift > MAX_SHIFT else None,
                "low-contrast links": page.evaluate(LINK_CONTRAST),
                "name without its label": page.evaluate(NAME_HAS_LABEL),
            }
            levels = page.evaluate(HEADINGS)
            jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
            if levels[:1] != [1] or levels.count(1) != 1 or jumps:
                found["headings"] = levels[:12]
            found = {k: v for k, v in found.items() if v}
            if found:
                problems[f"{name}@{width}"] = found
            page.screenshot(path=str(SCREENSHOTS / f"portal-{name}-{width}.png"), full_page=False)
        page.context.close()
    assert problems == {}
    assert console == []  # no script error, no CSP violation (the JSON-LD blocks are data, not scripts)


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


def test_on_a_phone_the_explorer_counts_on_top_skips_to_results_in_cards(browser, live_server, demo_published):  # noqa: F811
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_server.url + "/factsheets/2023/?objective=Supporting+internationalisation+activities")
    top = page.locator(".results-jump")
    assert "1 of 1 country matches the filters" in " ".join(top.inner_text().split())
    assert top.bounding_box()["y"] < page.locator(".filters").bounding_box()["y"]  # the count before the filters
    for presses in range(1, 16):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Skip to results":
            break
    assert presses <= 12, presses
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    assert abs(page.locator("#results").bounding_box()["y"]) < 5  # scrolled to the results
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    page.screenshot(path=str(SCREENSHOTS / "portal-explorer-cards-390.png"), full_page=False)

    card = page.locator(".explorer-table tbody tr").first
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    name = card.locator("th a")
    assert name.inner_text() == "Mexico" and card.locator("th .matching li").count() >= 1  # the matching policies
    cells = card.locator("td")
    labels = [cells.nth(i).evaluate("e => getComputedStyle(e, '::before').content") for i in range(cells.count())]
    assert labels[0] == '"Policies: "' and any("Policy scope" in label for label in labels)
    tops = [cells.nth(i).bounding_box()["y"] for i in range(cells.count())]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # one under the other, each in full
    for i in range(cells.count()):
        cell = cells.nth(i).bounding_box()
        assert cell["x"] + cell["width"] <= box["x"] + box["width"]
    # The column headings are sort links on a row of their own, all on screen.
    for link in page.locator(".explorer-table thead a").all():
        sort = link.bounding_box()
        assert sort["x"] >= 0 and sort["x"] + sort["width"] <= 390 and sort["height"] >= 24


def test_on_a_phone_compare_is_one_block_per_criterion_with_the_factsheets_stacked(
        browser, live_server, demo_published):  # noqa: F811
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_server.url + "/factsheets/compare/?f=2023-mx&f=2020-mx")
    for region in page.locator(".table-scroll").all():  # nothing left to scroll sideways
        assert region.evaluate("e => e.scrollWidth <= e.clientWidth")
    block = page.locator(".compare-table.dims tbody tr", has=page.locator("th", has_text="Policy objectives"))
    cells = block.locator("td")
    assert cells.count() == 2
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1 and abs(first["x"] - second["x"]) < 2
    assert cells.nth(0).evaluate("e => getComputedStyle(e, '::before').content") == '"Mexico 2023"'
    assert first["x"] + first["width"] <= 390
    page.locator("h2", has_text="State of play").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "portal-compare-blocks-390.png"), full_page=False)


TRANSFERRED = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .map(e => [e.name, e.transferSize])"""
BUDGET = 150 * 1024


def test_factsheet_page_weighs_at_most_150_kb_and_table1_stacks_on_a_phone(browser, live_server, demo_published):  # noqa: F811
    """The byte budget: everything the factsheet page loads, as transferred (compressed HTML, CSS, the fonts its
    text uses, images), with an empty cache. The test server sends static files uncompressed (whitenoise compresses
    them in production), so the real page is lighter still. Table 1 is side by side on a laptop, stacked on a phone."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + "/factsheets/2023/mx/", wait_until="load")
    phone.evaluate("document.fonts.ready.then(() => true)")
    phone.wait_for_timeout(300)
    loaded = phone.evaluate(TRANSFERRED)
    assert sum(size for _, size in loaded) <= BUDGET, loaded
    assert any(name.endswith("Lato-Regular-latin.woff2") for name, _ in loaded)

    wide = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    wide.goto(live_server.url + "/factsheets/2023/mx/")
    cells = wide.locator(".policy-table tbody tr").first.locator("td")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"]
    cells = phone.locator(".policy-table tbody tr").first.locator("td")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 2 and abs(first["x"] - second["x"]) < 2
    phone.evaluate("document.querySelector('.policy-table caption').scrollIntoView()")
    phone.screenshot(path=str(SCREENSHOTS / "portal-table1-phone.png"), full_page=False)


def test_the_search_box_fits_the_masthead_on_a_phone_and_a_laptop(browser, live_server, demo_published):  # noqa: F811
    """The search box sits at the end of the masthead's bar: it fits on a phone (a row of its own, wide enough to
    type in) and sits beside the brand on a laptop."""
    for width in (390, 1366):
        page = browser.new_context(viewport={"width": width, "height": 844}).new_page()
        page.goto(live_server.url + "/factsheets/2023/mx/")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        form, field, brand = (page.locator(s).bounding_box() for s in (".site-search", "#site-search-q", ".brand"))
        assert form["x"] >= 0 and form["x"] + form["width"] <= width and field["height"] >= 24
        if width < 500:
            assert form["y"] >= brand["y"] + brand["height"] - 1 and field["width"] >= 200
        else:
            assert form["y"] < brand["y"] + brand["height"] and form["x"] > brand["x"] + brand["width"]
        page.context.close()


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
