"""An edition's embargoed release (issue 19.1), on a frozen clock: nothing of the edition on any public URL, file,
feed or summary one second before the release time, everything at once after it; all or nothing; a release with
the worker down, then up; cancel and reschedule."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from editorial.models import EditionRelease, Publication, PublishJob
from editorial.publishing import releases
from editorial.publishing.signals import publications_changed
from factsheets.models import Factsheet, State
from portal.data_views import EDITION_FILES
from tests.editorial.conftest import walk
from tests.portal.conftest import LEVELS, EditionBuilder

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2031, 3, 10, 9, 0, tzinfo=BRUSSELS)
AT = datetime(2031, 3, 10, 10, 30, tzinfo=BRUSSELS)  # the release time


@pytest.fixture
def queue(settings, monkeypatch):
    """The database queue, as in production; the worker is run by hand (`db_worker --batch`) inside the test's
    transaction."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EDITORIAL_PUBLISH_RETRY_SECONDS = [0]

    def work():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    return work


@pytest.fixture
def fast_pdf(monkeypatch):
    """Factsheet PDFs are stand-ins (the summary's PDF is rendered for real); `broken` names countries whose render
    fails."""
    broken: set[str] = set()

    def render(factsheet, snapshot=None, *, colophon=None, **kwargs):
        if str(factsheet.country.code) in broken:
            raise RuntimeError(f"the renderer crashed on {factsheet.country.name}")
        return b"%PDF-1.7 " + f"{factsheet} v{colophon['version'] if colophon else 0}".encode() + b" " * 500
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render)
    return broken


@pytest.fixture(autouse=True)
def _health_token(settings):
    settings.HEALTH_TOKEN = "health-secret"  # /health/ details what fails for a monitor with this token


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _edition(users, year=2081, approved=("AT", "BE"), drafts=()):
    builder = EditionBuilder(year)
    fss = {}
    for code in approved:
        fs = builder.factsheet(code, level=LEVELS[2], intro=f"Embargoed words of {code}.", policies=[
            ("National cluster policy", ["Fostering innovation"], 2_000_000, f"Programme {code}")])
        walk(fs, State.APPROVED, users)
        fs.refresh_from_db()
        fss[code] = fs
    for code in drafts:
        fss[code] = builder.factsheet(code, level=LEVELS[1], intro=f"Draft words of {code}.")
    return builder.edition, fss


def _surfaces(year, codes):
    urls = [f"/factsheets/{year}/", f"/factsheets/{year}/summary/", f"/factsheets/{year}/summary.pdf",
            f"/factsheets/{year}/feed.atom", *(f"/data/{year}/{name}" for name in EDITION_FILES)]
    for code in codes:
        urls += [f"/factsheets/{year}/{code}/", f"/factsheets/{year}/{code}.pdf", f"/factsheets/{year}/{code}/v1.pdf",
                 f"/data/{year}/{code}.json", f"/data/{year}/{code}.csv", f"/data/{year}/{code}/v1.json"]
    return urls


def _mentions(client, year, names) -> dict[str, bool]:
    """Whether each site-wide surface mentions the edition (or its countries)."""
    seen = {}
    for url in ["/factsheets/", "/factsheets/feed.atom", "/data/catalog.jsonld"]:
        text = client.get(url).content.decode()
        seen[url] = str(year) in text or any(name in text for name in names)
    compare = client.get(f"/factsheets/compare/?f={year}-at&f={year}-be").content.decode()  # echoes the keys asked
    seen["compare"] = any(f"{name} {year}" in compare for name in names)
    return seen


def test_nothing_of_the_edition_is_public_one_second_before_the_release_and_everything_after(
        client, users, queue, fast_pdf, clock):
    edition, fss = _edition(users)
    surfaces = _surfaces(2081, ["at", "be"])
    before_index = client.get("/factsheets/")  # cached now: the release must change its key
    release, refused = releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels",
                                                 by=users["editor"])
    assert refused == []
    queue()  # the worker prepares both factsheets now; the release waits for its time
    prepared = Publication.objects.filter(release=release)
    assert prepared.count() == 2 and all(p.embargoed and p.dated == AT.date() for p in prepared)
    assert releases.release_readiness(release=release).summary_ready  # the summary, prepared ahead too
    assert set(Factsheet.objects.filter(edition=edition).values_list("state", flat=True)) == {State.APPROVED}

    clock.move_to(AT - timedelta(seconds=1))
    queue()
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.SCHEDULED
    for url in surfaces:
        assert client.get(url).status_code == 404, url
    assert not any(_mentions(client, 2081, ["Austria", "Belgium"]).values())
    again = client.get("/factsheets/", HTTP_IF_NONE_MATCH=before_index["ETag"])
    assert again.status_code == 304  # preparing changed nothing the public sees

    announced = []
    publications_changed.connect(lambda sender, **kw: announced.append(kw), weak=False, dispatch_uid="t")
    try:
        clock.move_to(AT)
        queue()
    finally:
        publications_changed.disconnect(dispatch_uid="t")
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.RELEASED and release.released_count == 2
    assert release.released_at == AT
    assert [(a["reason"], len(a["publications"])) for a in announced] == [("release", 2)]
    for url in surfaces:
        assert client.get(url).status_code == 200, url
    assert all(_mentions(client, 2081, ["Austria", "Belgium"]).values())
    assert client.get("/factsheets/", HTTP_IF_NONE_MATCH=before_index["ETag"]).status_code == 200
    page = client.get("/factsheets/2081/at/").content.decode()
    assert "Embargoed words of AT." in page and "Version 1, published" in page
    summary = PdfReader(io.BytesIO(client.get("/factsheets/2081/summary.pdf").content))
    text = " ".join(p.extract_text() for p in summary.pages)
    assert "Austria" in text and "Belgium" in text
    feed = client.get("/factsheets/2081/feed.atom").content.decode()
    assert "The 2081 edition is released" in feed and "Austria, 2081 edition: new factsheet" in feed
    for fs in fss.values():
        fs.refresh_from_db()
        assert fs.state == State.PUBLISHED
    assert set(Publication.objects.filter(release=release).values_list("published_at", flat=True)) == {AT}


def test_one_factsheet_failing_to_prepare_leaves_none_public_and_the_dashboard_says_which(
        client, users, queue, fast_pdf, clock, settings):
    edition, fss = _edition(users, year=2082)
    fast_pdf.add("BE")
    release, _ = releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels", by=users["editor"])
    for _ in range(settings.EDITORIAL_PUBLISH_ATTEMPTS):
        queue()
    assert PublishJob.objects.get(factsheet=fss["BE"], release=release).status == PublishJob.Status.FAILED
    clock.move_to(AT + timedelta(minutes=5))
    queue()
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.SCHEDULED and "Belgium" in release.problem
    for url in _surfaces(2082, ["at", "be"]):
        assert client.get(url).status_code == 404, url  # Austria is prepared, and still not public
    health = client.get("/health/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION="Bearer health-secret")
    assert health.status_code == 500 and "2082 edition's release" in health.content.decode()
    client.force_login(users["editor"])
    dashboard = client.get(reverse("admin:factsheets_edition_factsheets", args=[2082])).content.decode()
    assert "Ready for release: <strong>1 of 2</strong>" in dashboard
    assert "Belgium</a>: preparing failed: RuntimeError: the renderer crashed on Belgium" in dashboard
    status = client.get(reverse("admin:factsheets_edition_release", args=[2082])).json()
    assert status["failed"] == [{"country": "Belgium", "error": "RuntimeError: the renderer crashed on Belgium"}]

    fast_pdf.clear()  # the cause is fixed: the editor prepares it again and the due release goes ahead
    response = client.post(reverse("admin:factsheets_edition_factsheets", args=[2082]), {"do": "release_retry"})
    assert response.status_code == 302
    queue()
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.RELEASED and release.released_count == 2
    for url in _surfaces(2082, ["at", "be"]):
        assert client.get(url).status_code == 200, url


def test_with_the_worker_down_at_the_time_the_release_happens_when_one_starts_and_health_says_it_is_late(
        client, users, queue, fast_pdf, clock):
    edition, _fss = _edition(users, year=2083)
    release, _ = releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels", by=users["editor"])
    queue()  # prepared; then the worker stops
    clock.move_to(AT + timedelta(minutes=10))
    assert client.get("/factsheets/2083/").status_code == 404
    health = client.get("/health/", HTTP_ACCEPT="application/json",
                        HTTP_AUTHORIZATION="Bearer health-secret").content.decode()
    assert "2083 edition's release was due at 2031-03-10 10:30 (Europe/Brussels)" in health
    queue()  # a worker starts
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.RELEASED
    assert client.get("/factsheets/2083/").status_code == 200
    assert client.get("/health/", HTTP_ACCEPT="application/json").status_code == 200


def test_cancel_discards_the_prepared_versions_and_a_rescheduled_release_happens_at_its_new_time(
        client, users, queue, fast_pdf, clock, django_capture_on_commit_callbacks):
    edition, fss = _edition(users, year=2084)
    release, _ = releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels", by=users["editor"])
    queue()
    files = [p.pdf.name for p in Publication.objects.filter(release=release)]
    storage = Publication._meta.get_field("pdf").storage
    assert len(files) == 2 and all(storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        releases.release_cancel(release=release, by=users["editor"])
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.CANCELLED
    assert not Publication.objects.filter(factsheet__edition=edition).exists()
    assert not any(storage.exists(name) for name in files)
    for fs in fss.values():
        fs.refresh_from_db()
        assert fs.state == State.APPROVED
    clock.move_to(AT + timedelta(seconds=1))
    queue()  # the task queued for the cancelled release does nothing
    assert client.get("/factsheets/2084/").status_code == 404

    later = AT + timedelta(days=1)
    second, _ = releases.release_schedule(edition=edition, at=later - timedelta(hours=1),
                                          time_zone="Europe/Brussels", by=users["editor"])
    queue()
    assert set(Publication.objects.filter(release=second).values_list("dated", flat=True)) == {later.date()}
    moved = later + timedelta(days=1)  # another day: the PDFs print the release's date, so they are prepared again
    releases.release_reschedule(release=second, at=moved, time_zone="Europe/Brussels", by=users["editor"])
    queue()
    assert set(Publication.objects.filter(release=second, embargoed=True).values_list("dated", flat=True)) == {
        moved.date()}
    clock.move_to(later)
    queue()
    assert client.get("/factsheets/2084/").status_code == 404  # the first time is no longer the release's
    clock.move_to(moved)
    queue()
    second.refresh_from_db()
    assert second.status == EditionRelease.Status.RELEASED
    assert client.get("/factsheets/2084/at/").status_code == 200
    assert list(Publication.objects.filter(factsheet=fss["AT"]).values_list("number", flat=True)) == [1]


def test_a_factsheet_approved_after_preparation_is_prepared_too_and_one_not_approved_is_left_out(
        client, users, queue, fast_pdf, clock):
    edition, fss = _edition(users, year=2085, approved=("AT",), drafts=("BE", "DK"))
    release, _ = releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels", by=users["editor"])
    queue()
    readiness = releases.release_readiness(release=release)
    assert (len(readiness.ready), readiness.total, len(readiness.not_approved)) == (1, 3, 2)
    walk(fss["BE"], State.APPROVED, users)  # approved after the preparation
    queue()
    readiness = releases.release_readiness(release=release)
    assert (len(readiness.ready), readiness.total, len(readiness.not_approved)) == (2, 3, 1)
    client.force_login(users["editor"])
    page = client.get(reverse("admin:factsheets_edition_factsheets", args=[2085])).content.decode()
    assert "Ready for release: <strong>2 of 3</strong>, 1 not approved" in page
    clock.move_to(AT)
    queue()
    assert client.get("/factsheets/2085/be/").status_code == 200
    assert client.get("/factsheets/2085/dk/").status_code == 404
    # Outside an embargo, publishing a single factsheet works as before: live at once.
    walk(fss["DK"], State.APPROVED, users)
    from editorial import services

    services.publish_job_request(factsheet=fss["DK"], by=users["editor"])
    queue()
    assert client.get("/factsheets/2085/dk/").status_code == 200


def test_the_release_is_safe_to_run_twice_and_release_now_makes_it_at_once(users, queue, fast_pdf, clock):
    edition, _fss = _edition(users, year=2086)
    release, _ = releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels", by=users["editor"])
    queue()
    assert releases.release_run(release_id=release.pk) == "not due"
    releases.release_now(release=release, by=users["editor"])
    queue()
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.RELEASED and release.released_at == START
    assert releases.release_run(release_id=release.pk) == "released"
    assert Publication.objects.filter(factsheet__edition=edition).count() == 2


def test_only_editors_schedule_and_a_time_past_or_without_zone_is_refused(users, clock):
    from django.core.exceptions import PermissionDenied, ValidationError

    edition, _ = _edition(users, year=2087, approved=())
    with pytest.raises(PermissionDenied):
        releases.release_schedule(edition=edition, at=AT, time_zone="Europe/Brussels", by=users["analyst"])
    with pytest.raises(ValidationError, match="has passed"):
        releases.release_schedule(edition=edition, at=START - timedelta(minutes=1), time_zone="Europe/Brussels",
                                  by=users["editor"])
    with pytest.raises(ValidationError, match="not a time zone"):
        releases.release_schedule(edition=edition, at=AT, time_zone="Mars/Olympus", by=users["editor"])
    assert not EditionRelease.objects.exists()


def test_no_page_may_be_kept_in_a_browser_cache_past_the_release_time(client, users, queue, fast_pdf, clock):
    from tests.portal.conftest import published_edition

    published_edition(2088, 2)
    assert "max-age=60" in client.get("/factsheets/")["Cache-Control"]
    edition, _ = _edition(users, year=2089)
    releases.release_schedule(edition=edition, at=START + timedelta(seconds=25), time_zone="Europe/Brussels",
                              by=users["editor"])
    assert "max-age=25" in client.get("/factsheets/")["Cache-Control"]
    assert "max-age=25" in client.get("/data/2088/data.json")["Cache-Control"]
    clock.move_to(START + timedelta(seconds=20))
    assert "max-age=5" in client.get("/factsheets/2088/")["Cache-Control"]


def test_released_now_on_another_day_than_planned_the_pdfs_are_prepared_again_for_today(
        users, queue, fast_pdf, clock):
    edition, _fss = _edition(users, year=2090)
    release, _ = releases.release_schedule(edition=edition, at=AT + timedelta(days=2), time_zone="Europe/Brussels",
                                           by=users["editor"])
    queue()
    assert set(Publication.objects.filter(release=release).values_list("dated", flat=True)) == {
        (AT + timedelta(days=2)).date()}
    assert releases.release_now(release=release, by=users["editor"]).reprepared == 2
    queue()
    release.refresh_from_db()
    assert release.status == EditionRelease.Status.RELEASED
    assert set(Publication.objects.filter(release=release).values_list("dated", "number")) == {(START.date(), 1)}
