"""Publishing on a task queue (issue 8): Publish records the decision and returns; a worker renders the approved
revision and makes it live; failures are retried, then reported; a job whose worker died is taken up again;
an edition is published in one action with its progress; the health endpoint sees a stopped worker."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from editorial import services
from editorial.models import Publication, PublishJob
from factsheets.models import State

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings, monkeypatch):
    """The database queue, as in production; the worker is run by hand (`db_worker --batch`), inside the test's
    transaction (so it must not close the connection between tasks, as a real worker does)."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    settings.TASKS = DATABASE_QUEUE
    settings.EDITORIAL_PUBLISH_RETRY_SECONDS = [0]

    def work():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    return work


@pytest.fixture
def fast_pdf(monkeypatch):
    renders = []

    def render(factsheet, snapshot=None, **kwargs):
        renders.append(factsheet.pk)
        return b"%PDF-1.7 " + str(factsheet.pk).encode() + b"x" * 1000
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render)
    return renders


def test_publish_records_the_decision_and_returns_then_the_worker_publishes(
        users, factsheet, walk_to, queue, fast_pdf, client, django_assert_max_num_queries):
    walk_to(factsheet, State.APPROVED)
    client.force_login(users["editor"])
    response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk]),
                           {"action": "publish"})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("goes live in a few seconds" in m for m in messages), messages
    job = PublishJob.objects.get(factsheet=factsheet)
    assert job.status == PublishJob.Status.QUEUED and fast_pdf == []  # nothing rendered in the request
    factsheet.refresh_from_db()
    assert factsheet.state == State.APPROVED and not factsheet.publications.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    status = client.get(reverse("admin:factsheets_factsheet_publish_status", args=[factsheet.pk])).json()
    assert status["status"] == "queued" and status["active"]

    queue()
    job.refresh_from_db()
    factsheet.refresh_from_db()
    assert job.status == PublishJob.Status.DONE and job.publication.number == 1
    assert factsheet.state == State.PUBLISHED and fast_pdf == [factsheet.pk]
    assert job.publication.revision_id == job.revision_id
    actions = list(factsheet.audit_entries.order_by("at", "id").values_list("action", "actor__username"))
    assert actions[-2:] == [("publish_requested", "edi"), ("publish", "edi")]
    status = client.get(reverse("admin:factsheets_factsheet_publish_status", args=[factsheet.pk])).json()
    assert status == {**status, "status": "done", "version": 1, "active": False}


def test_the_worker_publishes_the_approved_revision_whatever_happens_to_the_rows_meanwhile(
        users, factsheet, walk_to, queue, monkeypatch):
    """Rule: what was approved is what is printed (the document is built from the approved revision's snapshot,
    never from the rows). The rows are changed behind the workflow's back *while* the render runs."""
    import io

    from pypdf import PdfReader

    from editorial.rendering import pdf as pdf_rendering
    from factsheets.models import Factsheet

    factsheet.introduction = "<p>Approved words about clusters.</p>"
    factsheet.save()
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    real = pdf_rendering.render_factsheet_pdf

    def render_while_the_rows_change(fs, snapshot=None, **kwargs):
        Factsheet.objects.filter(pk=fs.pk).update(introduction="<p>Words nobody approved.</p>")
        return real(fs, snapshot, **kwargs)

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render_while_the_rows_change)
    queue()
    job.refresh_from_db()
    assert job.status == PublishJob.Status.DONE, job.error
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(job.publication.pdf.read())).pages)
    assert "Approved words about clusters." in text and "nobody approved" not in text
    assert "Approved words about clusters." in job.publication.page_html
    assert "nobody approved" not in job.publication.page_html
    assert job.publication.revision_id == job.revision_id


def test_a_failing_render_is_retried_then_leaves_the_factsheet_approved_with_the_error(
        users, factsheet, walk_to, queue, monkeypatch, settings):
    attempts = []

    def broken(factsheet, snapshot=None, **kwargs):
        attempts.append(1)
        raise RuntimeError("the renderer crashed")
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", broken)
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    for _ in range(settings.EDITORIAL_PUBLISH_ATTEMPTS):
        queue()
    job.refresh_from_db()
    factsheet.refresh_from_db()
    assert len(attempts) == settings.EDITORIAL_PUBLISH_ATTEMPTS == job.attempts
    assert job.status == PublishJob.Status.FAILED and "the renderer crashed" in job.error
    assert factsheet.state == State.APPROVED and not factsheet.publications.exists()
    failure = factsheet.audit_entries.get(action="publish_failed")
    assert "Nothing was published: RuntimeError: the renderer crashed" == failure.comment


def test_retries_wait_with_backoff(users, factsheet, walk_to, queue, monkeypatch, settings):
    settings.EDITORIAL_PUBLISH_RETRY_SECONDS = [30, 120]
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: 1 / 0)
    walk_to(factsheet, State.APPROVED)
    services.publish_job_request(factsheet=factsheet, by=users["editor"])
    queue()
    waiting = DBTaskResult.objects.get(status="READY")
    assert timedelta(seconds=25) < waiting.run_after - timezone.now() <= timedelta(seconds=30)
    queue()  # not due yet: nothing runs
    assert PublishJob.objects.get().attempts == 1


def test_a_job_whose_worker_died_is_taken_up_again_and_published_once(users, factsheet, walk_to, queue, fast_pdf,
                                                                       settings):
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    # A worker claimed the task and was killed (SIGKILL) mid-render: the job and its task stay "running".
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    long_ago = timezone.now() - timedelta(seconds=settings.EDITORIAL_PUBLISH_STALE_SECONDS + 1)
    PublishJob.objects.filter(pk=job.pk).update(status="running", attempts=1, started_at=long_ago)
    queue()  # nothing to take: the lost task is not READY
    assert PublishJob.objects.get().status == "running"
    assert services.publish_jobs_recover() == 1  # what any worker's next job, or the dashboard, also does
    queue()
    queue()
    job.refresh_from_db()
    assert job.status == PublishJob.Status.DONE and job.attempts == 2
    assert list(factsheet.publications.values_list("number", flat=True)) == [1]


def test_a_job_run_twice_publishes_once(users, factsheet, walk_to, queue, fast_pdf):
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    queue()
    assert services.publish_job_run(job_id=job.pk).status == PublishJob.Status.DONE  # a duplicate delivery
    assert factsheet.publications.count() == 1 and fast_pdf == [factsheet.pk]


def test_a_second_delivery_while_the_first_run_renders_changes_nothing(users, factsheet, walk_to, queue,
                                                                        monkeypatch):
    """Rule: a job being rendered belongs to the run that started it; a second delivery of its task meanwhile
    neither renders nor records anything (one publication, the job done, no "failed" entry)."""
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    renders, second = [], []

    def render(fs, snapshot=None, **kwargs):
        renders.append(fs.pk)
        if len(renders) == 1:
            second.append(services.publish_job_run(job_id=job.pk))  # the same task, delivered again
        return b"%PDF-1.7 rendered once"

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render)
    queue()
    job.refresh_from_db()
    assert second[0].status == PublishJob.Status.RUNNING and not second[0].retry
    assert job.status == PublishJob.Status.DONE and renders == [factsheet.pk]
    assert factsheet.publications.count() == 1
    assert not factsheet.audit_entries.filter(action="publish_failed").exists()


def test_a_second_publish_while_one_is_in_flight_is_refused(users, factsheet, walk_to, queue, fast_pdf):
    from editorial.permissions import WorkflowError

    walk_to(factsheet, State.APPROVED)
    services.publish_job_request(factsheet=factsheet, by=users["editor"])
    with pytest.raises(WorkflowError, match="already being published"):
        services.publish_job_request(factsheet=factsheet, by=users["editor"])


def test_the_health_endpoint_reports_a_stopped_worker(users, factsheet, walk_to, queue, fast_pdf, client, settings,
                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["editor"])  # the detail is for staff
    walk_to(factsheet, State.APPROVED)
    services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert client.get("/health/", HTTP_ACCEPT="application/json").status_code == 200  # just queued: fine
    late = timezone.now() - timedelta(seconds=settings.EDITORIAL_QUEUE_LATE_SECONDS + 5)
    DBTaskResult.objects.update(enqueued_at=late, run_after=late)
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert any("TaskQueue" in name and value != "OK" for name, value in response.json().items())
    queue()  # a worker takes it
    assert client.get("/health/", HTTP_ACCEPT="application/json").status_code == 200


def _approved_factsheets(edition, users, count):
    from factsheets.models import Factsheet
    from tests import factories
    from tests.editorial.conftest import walk

    taken = set(Factsheet.objects.filter(edition=edition).values_list("country__code", flat=True))
    factsheets = []
    for code in [c for c in ("NL", "BE", "DE", "FR", "IT", "ES") if c not in taken][:count]:
        fs = factories.FactsheetFactory(edition=edition, country=factories.CountryFactory(code=code))
        walk(fs, State.APPROVED, users)
        factsheets.append(fs)
    return factsheets


def test_an_editor_publishes_the_edition_from_the_dashboard_with_progress(users, factsheet, walk_to, queue,
                                                                         fast_pdf, client, monkeypatch):
    walk_to(factsheet, State.APPROVED)
    others = _approved_factsheets(factsheet.edition, users, 2)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_factsheets", args=[factsheet.edition.year])
    page = client.get(url).content.decode()
    assert "Publish all approved (3)" in page
    response = client.post(url, {"do": "publish_all"})
    assert response.status_code == 302 and "?batch=" in response["Location"]
    batch = response["Location"].split("batch=")[1]
    page = client.get(response["Location"]).content.decode()
    assert 'id="publish-progress"' in page and "<progress" in page
    progress_url = reverse("admin:factsheets_edition_batch", args=[factsheet.edition.year, batch])
    progress = client.get(progress_url).json()
    assert (progress["total"], progress["queued"], progress["done"], progress["finished"]) == (3, 3, 0, False)

    def flaky(fs, snapshot=None, **kwargs):  # one factsheet fails every time
        if fs.pk == others[0].pk:
            raise RuntimeError("font missing")
        return b"%PDF-1.7 fine"
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", flaky)
    for _ in range(3):
        queue()
    progress = client.get(progress_url).json()
    assert (progress["done"], progress["failed"], progress["finished"]) == (2, 1, True)
    assert progress["failed_items"][0]["country"] == str(others[0].country.name)

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 fixed")
    response = client.post(url, {"do": "retry_failed", "batch": batch})
    assert response.status_code == 302
    queue()
    progress = client.get(progress_url).json()
    assert (progress["total"], progress["done"], progress["failed"]) == (3, 3, 0)
    assert sorted(Publication.objects.values_list("factsheet_id", "number")) == sorted(
        [(f.pk, 1) for f in (factsheet, *others)])


def test_batch_publish_checks_each_factsheet_as_a_single_publish_does(users, factsheet, walk_to, queue,
                                                                       fast_pdf):
    walk_to(factsheet, State.APPROVED)
    [changed] = _approved_factsheets(factsheet.edition, users, 1)
    changed.refresh_from_db()
    changed.introduction = "<p>Edited behind the approval's back.</p>"
    changed.save()
    batch, refused = services.edition_publish(edition=factsheet.edition, by=users["editor"])
    assert [(f.pk, "changed after the approval" in reason) for f, reason in refused] == [(changed.pk, True)]
    changed.refresh_from_db()
    assert changed.state == State.DRAFT  # back to review, as with a single Publish
    assert list(PublishJob.objects.values_list("factsheet", flat=True)) == [factsheet.pk]
    analyst_batch, refused = services.edition_publish(edition=factsheet.edition, by=users["analyst"])
    assert [(f.pk, reason) for f, reason in refused] == [(factsheet.pk, "You may not publish it.")]
    assert not PublishJob.objects.filter(batch=analyst_batch).exists()


def test_a_factsheet_with_publish_jobs_and_validation_requests_can_still_be_deleted(users, factsheet, walk_to,
                                                                                    monkeypatch):
    """Deleting an unpublished edition deletes its drafts (issue 11.8): their jobs and requests go with them."""
    from datetime import date

    from editorial.models import ValidationRequest
    from editorial.national_validation import services as validation
    from factsheets.models import Factsheet, NationalContact

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: 1 / 0)
    contact = NationalContact.objects.create(country=factsheet.country, name="Ana Pérez", organisation="Ministry",
                                             email="ana@example.org")
    validation.validation_request_send(factsheet=factsheet, contacts=[contact], message="Please check.",
                                       deadline=date.today().replace(year=date.today().year + 1), by=users["editor"])
    assert ValidationRequest.objects.exists()
    walk_to(factsheet, State.APPROVED)
    assert services.publish_job_request(factsheet=factsheet, by=users["editor"]).status == "failed"
    Factsheet.objects.filter(pk=factsheet.pk).delete()
    assert not PublishJob.objects.exists() and not ValidationRequest.objects.exists()


def test_the_second_retry_waits_the_second_delay(users, factsheet, walk_to, queue, monkeypatch, settings):
    """Rule: EDITORIAL_PUBLISH_RETRY_SECONDS gives the delay after the first, second… failure."""
    settings.EDITORIAL_PUBLISH_RETRY_SECONDS = [10, 60]
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: 1 / 0)
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        queue()
        job.refresh_from_db()
        assert job.attempts == attempt and job.status == PublishJob.Status.QUEUED and "ZeroDivisionError" in job.error
        waiting = DBTaskResult.objects.get(status="READY")
        delays.append(round((waiting.run_after - before).total_seconds()))
        DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())  # let the clock run
    assert delays == [10, 60]


def test_a_job_whose_requester_was_deactivated_meanwhile_is_refused(users, factsheet, walk_to, queue, fast_pdf):
    """Rule: the worker publishes in the requester's name only if the requester may still publish."""
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    users["editor"].is_active = False
    users["editor"].save()
    queue()
    job.refresh_from_db()
    assert job.status == PublishJob.Status.FAILED and "may no longer publish" in job.error
    assert not factsheet.publications.exists() and fast_pdf == []
    factsheet.refresh_from_db()
    assert factsheet.state == State.APPROVED


def test_the_live_version_is_served_while_the_next_renders_and_its_version_url_afterwards(
        users, factsheet, walk_to, queue, client, monkeypatch):
    """Rule: a publication goes live only when its render is stored: meanwhile the current URL serves the live
    version, and afterwards the earlier version stays downloadable at its own URL."""
    code = str(factsheet.country.code).lower()
    year = factsheet.edition.year
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 version one")
    walk_to(factsheet, State.APPROVED)
    services.publish_job_request(factsheet=factsheet, by=users["editor"])
    queue()
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.introduction = "<p>Corrected.</p>"
    factsheet.save()
    walk_to(factsheet, State.APPROVED)
    served_meanwhile = []

    def slow_render(fs, snapshot=None, **kwargs):
        served_meanwhile.append(b"".join(client.get(f"/factsheets/{year}/{code}.pdf").streaming_content))
        return b"%PDF-1.7 version two"

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", slow_render)
    services.publish_job_request(factsheet=factsheet, by=users["editor"])
    queue()
    assert served_meanwhile == [b"%PDF-1.7 version one"]
    assert b"".join(client.get(f"/factsheets/{year}/{code}.pdf").streaming_content) == b"%PDF-1.7 version two"
    assert b"".join(client.get(f"/factsheets/{year}/{code}/v1.pdf").streaming_content) == b"%PDF-1.7 version one"


def test_a_job_whose_requester_is_deactivated_while_it_renders_is_refused(users, factsheet, walk_to, queue,
                                                                          monkeypatch):
    """Rule: the requester's right to publish is checked again when the version goes live, not only before the
    render: deactivated during the render, nothing is published in their name."""
    walk_to(factsheet, State.APPROVED)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    renders = []

    def render_while_deactivated(fs, snapshot=None, **kwargs):
        renders.append(fs.pk)
        type(users["editor"]).objects.filter(pk=users["editor"].pk).update(is_active=False)
        return b"%PDF-1.7 rendered"

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render_while_deactivated)
    queue()
    job.refresh_from_db()
    factsheet.refresh_from_db()
    assert renders == [factsheet.pk]
    assert job.status == PublishJob.Status.FAILED and "may no longer publish" in job.error
    assert not factsheet.publications.exists() and factsheet.state == State.APPROVED


def test_the_next_job_a_worker_runs_takes_up_a_job_whose_worker_died(users, factsheet, walk_to, queue, fast_pdf,
                                                                     settings):
    """Rule: a stale RUNNING job is recovered by running the queue (the next task of any worker), with no direct
    call of the recovery and without the tasks_worker housekeeping (a plain db_worker)."""
    walk_to(factsheet, State.APPROVED)
    stale = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())  # its task died with its worker
    long_ago = timezone.now() - timedelta(seconds=settings.EDITORIAL_PUBLISH_STALE_SECONDS + 1)
    PublishJob.objects.filter(pk=stale.pk).update(status="running", attempts=1, started_at=long_ago)
    [other] = _approved_factsheets(factsheet.edition, users, 1)
    services.publish_job_request(factsheet=other, by=users["editor"])
    queue()
    queue()
    stale.refresh_from_db()
    assert stale.status == PublishJob.Status.DONE and stale.attempts == 2
    assert list(factsheet.publications.values_list("number", flat=True)) == [1]
    assert other.publications.count() == 1
