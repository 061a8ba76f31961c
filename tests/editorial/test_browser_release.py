"""An edition's release in a real browser, on a frozen clock (server: time-machine; browser: Playwright's clock):
the editor schedules the 2023 edition, watches the countdown, and the page switches to "released" when the worker
has made it live; the public page appears at that moment, not before."""

import os
import shutil
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tests.editorial.test_browser_workflow import CHROMIUM, CSP_VIOLATIONS, SCREENSHOTS, browser, login  # noqa: F401

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed"),
]

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2031, 3, 10, 10, 30, tzinfo=BRUSSELS)


def seconds_left(page) -> int:
    return int(page.get_attribute("#release-countdown", "data-left"))


def tick(page, clock, seconds, *, shift=True):
    """Both clocks go on, second by second; the page's requests are answered in between."""
    for _second in range(seconds):
        if shift:
            clock.shift(timedelta(seconds=1))
        page.clock.run_for(1000)
        page.wait_for_timeout(80)


def test_schedule_countdown_release_on_a_frozen_clock(browser, live_server, settings, monkeypatch):  # noqa: F811
    from django.contrib.auth import get_user_model

    from editorial import services
    from editorial.models import EditionRelease
    from factsheets.models import Factsheet

    CSP_VIOLATIONS.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf",
                        lambda factsheet, snapshot=None, **kw: b"%PDF-1.7 " + str(factsheet).encode() + b" " * 500)
    call_command("load_demo", "--force", verbosity=0)
    users = {u.username: u for u in get_user_model().objects.all()}
    mexico = Factsheet.objects.get(country__code="MX", edition__year=2023)
    services.revision_record(factsheet=mexico, by=users["analyst"])
    services.factsheet_submit(factsheet=mexico, by=users["analyst"])
    services.factsheet_approve(factsheet=mexico, by=users["reviewer"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with time_machine.travel(START, tick=False) as clock:
        page = login(browser, live_server, "editor")
        page.clock.install(time=START.timestamp())
        public = browser.new_page()
        public.goto(f"{live_server.url}/factsheets/2023/mx/")
        assert "Page not found" in public.content() or public.title().startswith("Not Found") or \
            "Not Found" in public.content()

        page.goto(f"{live_server.url}/admin/factsheets/edition/dashboard/2023/")
        page.fill("#release #id_date", "2031-03-10")
        page.fill("#release #id_time", "10:31")
        page.select_option("#release #id_time_zone", "Europe/Brussels")
        page.click("#release button[value=release_schedule]")
        page.wait_for_selector("#release-countdown")
        assert page.inner_text("#release-countdown") == "in 1 min 0 s"
        assert "Release scheduled for 10 March 2031, 10:31 (Europe/Brussels)" in page.inner_text("#release")

        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # prepares Mexico
        tick(page, clock, 30)
        assert seconds_left(page) in (30, 31)  # the two clocks step one after the other
        assert "Ready for release: 1 of 1" in page.inner_text("#release-ready")
        page.screenshot(path=str(SCREENSHOTS / "release-countdown.png"), full_page=False)

        tick(page, clock, 29)
        assert seconds_left(page) in (1, 2)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert EditionRelease.objects.get().status == "scheduled"
        assert public.goto(f"{live_server.url}/factsheets/2023/mx/").status == 404

        clock.shift(timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert EditionRelease.objects.get().status == "released"
        with page.expect_navigation():  # the countdown reaches zero, the page asks, sees it released, reloads
            tick(page, clock, 2, shift=False)
        assert "The last release was made on 10 March 2031, 10:31 (1 factsheet)" in page.inner_text("#release")
        page.screenshot(path=str(SCREENSHOTS / "release-released.png"), full_page=False)
        response = public.goto(f"{live_server.url}/factsheets/2023/mx/")
        assert response.status == 200 and "Mexico" in public.inner_text("h1")
    assert CSP_VIOLATIONS == []
