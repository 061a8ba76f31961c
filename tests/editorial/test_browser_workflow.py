"""The whole editorial path in a real browser (Playwright driving Debian's chromium, headless):
the analyst edits and submits, the reviewer requests changes, the analyst fixes and resubmits,
the reviewer approves, the editor publishes."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("EDITORIAL_SCREENSHOTS", "/tmp/editorial-screenshots"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


CSP_VIOLATIONS: list[str] = []  # what the browser refused under the Content Security Policy, on any page


def login(browser, live_server, username):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.on("console", lambda message: CSP_VIOLATIONS.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", username)
    page.click("input[type=submit]")
    page.wait_for_selector(".editorial-dashboard")
    return page


def open_factsheet(page, live_server, factsheet):
    page.goto(f"{live_server.url}/admin/factsheets/factsheet/{factsheet.pk}/change/")
    page.wait_for_selector(".workflow-panel")


def write_introduction(page, text):
    """Type into the introduction's rich-text editor as a user would."""
    area = page.locator(".richtext-editor:has(#id_introduction) .richtext-area")
    area.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def state_of(page) -> str:
    return page.inner_text(".workflow-state .state-badge")


def test_analyst_reviewer_editor_publish_through_the_admin(browser, live_server):
    """Assignment -> analyst queue -> submit -> request changes -> comment resolved -> the reviewer's "changes since
    my last review" -> approval -> the editor's "Ready to publish" queue -> publish (issue 12's whole loop)."""
    CSP_VIOLATIONS.clear()  # other modules' pages (some try hostile markup on purpose) are not this test's
    from editorial.models import Publication, ReviewComment
    from factsheets.models import Factsheet

    call_command("load_demo", "--force", verbosity=0)
    factsheet = Factsheet.objects.get(country__code="MX", edition__year=2023)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    editor = login(browser, live_server, "editor")
    editor.goto(f"{live_server.url}/admin/factsheets/edition/dashboard/2023/")
    editor.check(f"#fs-{factsheet.pk}")
    editor.select_option("#id_analyst", label="analyst")
    editor.select_option("#id_reviewer", label="reviewer")
    editor.click("button:text-is('Assign')")
    editor.wait_for_selector(".messagelist .success")
    assert "analyst" in editor.inner_text(".edition-factsheets-table")
    editor.screenshot(path=str(SCREENSHOTS / "edition-dashboard-editor.png"), full_page=True)

    analyst = login(browser, live_server, "analyst")
    assert "Mexico 2023" in analyst.inner_text("#my-drafts")
    analyst.screenshot(path=str(SCREENSHOTS / "index-analyst.png"), full_page=False)
    analyst.click("#my-drafts a:text('Mexico 2023')")
    analyst.wait_for_selector(".workflow-panel")
    assert state_of(analyst) == "Draft"
    write_introduction(analyst, "Mexico updated its cluster policy in 2023.")
    analyst.click("button.workflow-save")
    analyst.wait_for_selector(".messagelist .success")
    analyst.screenshot(path=str(SCREENSHOTS / "factsheet-draft-analyst.png"), full_page=False)
    analyst.click("button:text-is('Submit for review')")
    analyst.wait_for_selector(".messagelist .success")
    assert state_of(analyst) == "In review"
    assert analyst.locator("#id_introduction").count() == 0  # read-only in review

    reviewer = login(browser, live_server, "reviewer")
    assert "Mexico 2023" in reviewer.inner_text("#awaiting-my-review")
    reviewer.screenshot(path=str(SCREENSHOTS / "index-reviewer.png"), full_page=False)
    open_factsheet(reviewer, live_server, factsheet)
    reviewer.click("button:text-is('Request changes')")  # without a comment: refused
    reviewer.wait_for_selector(".messagelist .error")
    assert state_of(reviewer) == "In review"
    reviewer.fill("#id_comment", "Please name the 2023 programme in the introduction.")
    reviewer.select_option("#id_about", label="1. Introduction and economic policy context")
    reviewer.click("button:text-is('Request changes')")
    reviewer.wait_for_selector(".messagelist .success")
    assert state_of(reviewer) == "Changes requested"
    assert "Please name the 2023 programme" in reviewer.inner_text("#timeline")

    analyst.goto(f"{live_server.url}/admin/")
    assert "Mexico 2023" in analyst.inner_text("#changes-requested")
    open_factsheet(analyst, live_server, factsheet)
    assert "Please name the 2023 programme" in analyst.inner_text("#change-request")  # on top, where it is seen
    # the open comment is shown beside the section it is about, and links there
    assert "Please name the 2023 programme" in analyst.inner_text("#section-introduction .comment-beside")
    analyst.screenshot(path=str(SCREENSHOTS / "factsheet-changes-requested-analyst.png"), full_page=False)
    write_introduction(analyst, "Mexico updated its cluster policy in 2023 with the Clusters 2023 programme.")
    analyst.click("button.workflow-save")
    analyst.wait_for_selector(".messagelist .success")
    analyst.click("#open-comments button:text-is('Mark resolved')")
    analyst.wait_for_selector(".messagelist .success")
    assert analyst.locator("#open-comments").count() == 0
    analyst.click("button:text-is('Submit for review')")
    analyst.wait_for_selector(".messagelist .success")
    assert state_of(analyst) == "In review"

    reviewer.goto(f"{live_server.url}/admin/")
    reviewer.click("#awaiting-my-review a:text('Changes since my last review')")
    reviewer.wait_for_selector("table.compare")
    assert "Since your last review" in reviewer.inner_text(".compare-heading")
    assert "Clusters" in reviewer.inner_text("table.compare ins")
    assert reviewer.locator("table.compare tbody tr").count() == 1  # only what changed since
    reviewer.screenshot(path=str(SCREENSHOTS / "review-changes-since-my-last-review.png"), full_page=False)
    reviewer.click("a.compare-view-switch")
    reviewer.wait_for_selector("table.compare-side")
    reviewer.screenshot(path=str(SCREENSHOTS / "review-side-by-side.png"), full_page=False)
    open_factsheet(reviewer, live_server, factsheet)
    reviewer.click("button:text-is('Approve')")
    reviewer.wait_for_selector(".messagelist .success")
    assert state_of(reviewer) == "Approved"

    editor.goto(f"{live_server.url}/admin/")
    assert "Mexico 2023" in editor.inner_text("#ready-to-publish")
    editor.screenshot(path=str(SCREENSHOTS / "index-editor.png"), full_page=False)
    editor.click("#ready-to-publish a:text('Mexico 2023')")
    editor.wait_for_selector(".workflow-panel")
    editor.screenshot(path=str(SCREENSHOTS / "factsheet-approved-editor.png"), full_page=False)
    editor.click("button:text-is('Publish')")
    editor.wait_for_selector(".messagelist .success", timeout=60_000)
    assert state_of(editor) == "Published"
    assert "Published as version 1" in editor.inner_text(".messagelist")
    editor.screenshot(path=str(SCREENSHOTS / "factsheet-published-editor.png"), full_page=False)
    editor.click("a.historylink")
    editor.wait_for_selector("table.revisions")
    assert "Approved by reviewer" in editor.inner_text("table.revisions")
    editor.check("input[name=a][value='1']")
    editor.click("button:text-is('Compare selected revisions')")
    editor.wait_for_selector("table.compare")
    assert "Clusters" in editor.inner_text("table.compare ins")

    publication = Publication.objects.get(factsheet=factsheet)
    assert publication.number == 1 and publication.revision is not None
    assert "Clusters 2023 programme" in publication.revision.snapshot["factsheet"]["introduction"]
    comment = ReviewComment.objects.get(factsheet=factsheet)
    assert comment.section.kind == "introduction" and comment.resolved_at is not None
    assert list(factsheet.audit_entries.order_by("at", "id").values_list("action", flat=True)) == [
        "assign", "submit", "request_changes", "submit", "approve", "publish_requested", "publish",
    ]
    assert CSP_VIOLATIONS == []  # every admin page of the loop works under the policy
