"""Nothing typed is lost, and the rich-text editor never runs what the textarea holds (issue 11.12), in Debian's
chromium driven by Playwright."""

import pytest
from django.core.management import call_command

from tests.editorial.test_browser_workflow import browser, login, open_factsheet, write_introduction  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
pytestmark = [pytest.mark.browser, pytestmark]


@pytest.fixture
def mexico(live_server):
    from factsheets.models import Factsheet

    call_command("load_demo", "--force", verbosity=0)
    return Factsheet.objects.get(country__code="MX", edition__year=2023)


def test_unsaved_edits_disable_the_workflow_actions_and_leaving_asks_first(browser, live_server, mexico):  # noqa: F811
    page = login(browser, live_server, "analyst")
    open_factsheet(page, live_server, mexico)
    submit = page.locator("button:text-is('Submit for review')")
    assert submit.is_enabled()
    assert page.locator("#workflow-unsaved").is_hidden()
    write_introduction(page, "A change not saved yet.")
    assert submit.is_disabled() and page.locator("button:text-is('Add comment')").is_disabled()
    assert page.locator("#workflow-unsaved").is_visible()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_saving_enables_the_actions_again(browser, live_server, mexico):  # noqa: F811
    page = login(browser, live_server, "analyst")
    open_factsheet(page, live_server, mexico)
    write_introduction(page, "Saved before submitting.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert page.locator("button:text-is('Submit for review')").is_enabled()


def test_markup_typed_in_the_html_view_never_runs_when_the_form_comes_back(browser, live_server, mexico):  # noqa: F811
    page = login(browser, live_server, "analyst")
    open_factsheet(page, live_server, mexico)
    editor = page.locator(".richtext-editor:has(#id_introduction)")
    editor.locator("button[data-command=source]").click()
    payload = '<p>Hello</p><img src="x" onerror="window.__xss=(window.__xss||0)+1"><script>window.__xss=9</script>'
    page.fill("#id_introduction", payload)
    page.dispatch_event("#id_introduction", "input")
    editor.locator("button[data-command=source]").click()  # back to the rich view: the editor shows it again
    assert page.evaluate("window.__xss") is None
    assert editor.locator(".richtext-area img, .richtext-area script").count() == 0
    # a validation error elsewhere shows the form again with the raw value in the textarea
    page.fill("input[name='references-0-url']", "not an address")
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    area = page.locator(".richtext-editor:has(#id_introduction) .richtext-area")
    assert "Hello" in area.inner_text() and area.locator("img, script").count() == 0
    assert page.locator("button:text-is('Submit for review')").is_disabled()  # the re-shown input is not saved


@pytest.mark.parametrize("width", [1280, 1366])
def test_the_factsheet_form_fits_the_screen_without_sideways_scrolling(browser, live_server, mexico, width):  # noqa: F811
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst")
    page.click("input[type=submit]")
    page.wait_for_selector(".editorial-dashboard")
    open_factsheet(page, live_server, mexico)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('#content-main *'))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
    assert overflow <= 0, wide
    # the action bar stays in view while the page scrolls
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    top = page.evaluate("document.querySelector('.workflow-bar').getBoundingClientRect().top")
    assert 0 <= top < 5
    assert page.locator("button.workflow-save").is_visible()
