"""National validation in the browser (issue 10): the analyst sends, the national contact answers through the
private link as an anonymous visitor (an accessible page: axe-core finds no violation), the analyst reads it."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from tests.editorial.test_browser_workflow import SCREENSHOTS, browser, login, open_factsheet  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [f"{v['id']}: {v['help']} ({[n['html'][:120] for n in v['nodes']]})" for v in results.response["violations"]]


def test_send_answer_and_read_in_the_timeline(browser, live_server):  # noqa: F811
    from factsheets.models import Factsheet

    call_command("load_demo", "--force", verbosity=0)
    factsheet = Factsheet.objects.get(country__code="MX", edition__year=2023)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    mail.outbox.clear()

    analyst = login(browser, live_server, "analyst")
    open_factsheet(analyst, live_server, factsheet)
    analyst.click("summary:text('Ask for national validation')")
    analyst.check("input[name=contacts]")
    analyst.fill("#validation-message", "Please check the 2023 budget figures.")
    analyst.click("button:text-is('Send the private links')")
    analyst.wait_for_selector(".messagelist .success")
    assert "waiting" in analyst.inner_text("#validation")
    link = re.search(r"http://\S+/validate/\S+/", mail.outbox[-1].body)[0]
    path = link.split("/validate/", 1)[1]

    contact = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    contact.goto(f"{live_server.url}/validate/{path}")
    assert "Please validate the country factsheet Mexico 2023" in contact.inner_text("h1")
    assert "Please check the 2023 budget figures." in contact.inner_text(".request")
    assert axe_violations(contact) == []
    policies = contact.locator(".kind-policies .section-answer")
    policies.locator("input[value=correction]").check()
    policies.locator("summary").click()
    policies.locator("textarea").first.fill("The annual budget of the 2023 programme is EUR 2 million.")
    contact.screenshot(path=str(SCREENSHOTS / "validation-contact.png"), full_page=False)
    contact.click("button:text-is('I confirm this factsheet')")  # a confirmation with a correction: refused (19.6)
    contact.wait_for_selector(".errors:has-text('You proposed corrections on 2. National cluster policy')")
    contact.click("button:text-is('Corrections needed')")
    contact.wait_for_selector(".notice.success")
    assert axe_violations(contact) == []
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}/validate/{path}")
    wide = phone.evaluate("""() => Array.from(document.querySelectorAll('main *')).filter(e => {
        const r = e.getBoundingClientRect();
        return r.right > document.documentElement.clientWidth + 1 && !e.closest('.table-scroll');
    }).slice(0, 6).map(e => e.tagName + '.' + e.className)""")
    assert wide == []
    phone.screenshot(path=str(SCREENSHOTS / "validation-contact-phone.png"), full_page=False)

    open_factsheet(analyst, live_server, factsheet)
    timeline = analyst.inner_text("#timeline")
    assert "National validation, about 2. National cluster policy" in timeline
    assert "EUR 2 million" in timeline
    assert "Corrections needed" in analyst.inner_text("#validation")
    assert "corrections on 2. National cluster policy" in analyst.inner_text("#validation")
    analyst.screenshot(path=str(SCREENSHOTS / "validation-panel-analyst.png"), full_page=True)
