"""The health endpoint and the workers (issue 17.8, 17.9, 17.17): a waiting job with no worker is reported; a
running worker recovers the jobs of a worker that was killed, and health reports such a job meanwhile; anonymous
callers get a bare status from checks run at most every few seconds, staff and monitors with the token the detail."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from editorial import services
from editorial.models import PublishJob
from factsheets.models import State

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    caches["shared"].clear()
    yield
    caches["shared"].clear()


@pytest.fixture
def queue(settings, monkeypatch):
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    settings.TASKS = DATABASE_QUEUE
    settings.EDITORIAL_PUBLISH_RETRY_SECONDS = [0]


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


@pytest.fixture
def staff(users):
    client = Client()
    client.force_login(users["editor"])
    return client


def _detail(client, **headers):
    response = client.get("/health/", HTTP_ACCEPT="application/json", **headers)
    return response.status_code, response.json()


# --- 17.8: a queued job and no worker -------------------------------------------------------------------------

def test_an_ordinary_publish_waiting_for_a_worker_that_never_comes_is_reported(users, factsheet, walk_to, queue,
                                                                            staff, settings):
    walk_to(factsheet, State.APPROVED)
    services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert _detail(staff)[0] == 200  # just queued
    # Minutes pass and no worker runs: the task was queued to run at once (no run_after of its own).
    late = timezone.now() - timedelta(seconds=settings.EDITORIAL_QUEUE_LATE_SECONDS + 5)
    DBTaskResult.objects.update(enqueued_at=late)
    status, body = _detail(staff)
    assert status == 500
    assert any("TaskQueue" in name and "no worker" in value for name, value in body.items())


def test_a_task_deferred_to_later_is_not_late(users, factsheet, walk_to, queue, staff):
    from editorial.publishing.tasks import publish_job_task

    publish_job_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(0)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    assert _detail(staff)[0] == 200


# --- 17.9: a worker killed mid-render ---------------------------------------------------------------------------

def _killed_mid_render(factsheet, users, settings) -> PublishJob:
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())  # its task died with the worker
    long_ago = timezone.now() - timedelta(seconds=settings.EDITORIAL_PUBLISH_STALE_SECONDS + 1)
    PublishJob.objects.filter(pk=job.pk).update(status="running", attempts=1, started_at=long_ago)
    return job


def test_health_reports_a_job_rendering_longer_than_the_stale_limit(users, factsheet, walk_to, queue, staff,
                                                                    settings):
    walk_to(factsheet, State.APPROVED)
    _killed_mid_render(factsheet, users, settings)
    status, body = _detail(staff)
    assert status == 500
    assert any("PublishJobs" in name and "rendering for more than" in value for name, value in body.items())


def test_a_running_worker_recovers_a_killed_workers_job_on_its_own(users, factsheet, walk_to, queue, settings):
    walk_to(factsheet, State.APPROVED)
    job = _killed_mid_render(factsheet, users, settings)
    # No other job runs and nobody opens a batch page: the worker's own schedule takes it up again.
    call_command("tasks_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == PublishJob.Status.DONE and job.attempts == 2
    assert list(factsheet.publications.values_list("number", flat=True)) == [1]


def test_the_worker_schedule_runs_the_recovery_every_period(users, factsheet, walk_to, queue, settings, monkeypatch):
    from editorial.management.commands import tasks_worker

    runs = []
    monkeypatch.setattr(tasks_worker, "housekeeping", lambda: runs.append(1))
    schedule = tasks_worker.Housekeeping(period=0.01)
    schedule.start()
    try:
        for _ in range(200):
            if len(runs) >= 3:
                break
            schedule.stopped.wait(0.01)
    finally:
        schedule.stop()
    assert len(runs) >= 3


# --- 17.17: detail for staff and monitors, a bare status for everyone else --------------------------------------

def test_anonymous_callers_get_a_bare_status_without_check_names(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.content.decode().strip() == "ok"
    for accept in ("text/html", "text/plain", "application/atom+xml"):
        body = client.get("/health/", HTTP_ACCEPT=accept).content.decode()
        assert "Database" not in body and "Storage" not in body and "TaskQueue" not in body


def test_staff_and_the_monitoring_token_get_the_detail(staff, settings):
    status, body = _detail(staff)
    assert status == 200 and any("Storage" in name for name in body)
    settings.HEALTH_TOKEN = "s3cret-monitoring-token-0123456789"
    monitor = Client()
    status, body = _detail(monitor, HTTP_AUTHORIZATION="Bearer s3cret-monitoring-token-0123456789")
    assert status == 200 and any("Database" in name for name in body)
    assert Client().get("/health/", HTTP_AUTHORIZATION="Bearer wrong").content.decode().strip() == "ok"


def test_anonymous_checks_run_at_most_once_per_period_whoever_asks(client, monkeypatch, settings, tmp_path):
    from django.core.files.storage import FileSystemStorage

    writes = []
    real_save = FileSystemStorage._save

    def save(self, name, content):
        writes.append(name)
        return real_save(self, name, content)
    monkeypatch.setattr(FileSystemStorage, "_save", save)
    for _ in range(20):
        assert client.get("/health/").status_code == 200
    assert len(writes) == 1  # the storage check wrote one file, not twenty


def test_a_failing_check_still_fails_the_bare_status(client, settings, tmp_path):
    target = tmp_path / "read-only"
    target.write_text("not a directory")
    settings.MEDIA_ROOT = target
    response = client.get("/health/")
    assert response.status_code == 500 and response.content.decode().strip() == "unavailable"
