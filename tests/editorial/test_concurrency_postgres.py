"""Two people save the same draft at once on PostgreSQL: the second save is refused, nothing is overwritten."""

import threading

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factsheets.models import Factsheet
from tests.editorial.test_revisions import _admin_post_data

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


def _connect():
    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None)


def test_second_save_waits_for_the_first_then_is_refused(users, factsheet):
    client = Client()
    client.force_login(users["analyst"])
    data = _admin_post_data(client, factsheet)  # loaded with lock_version 1
    data["introduction"] = "<p>Second editor's text.</p>"
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])

    first = _connect()  # the first editor's save, still in its transaction
    first.execute(
        "UPDATE factsheets_factsheet SET lock_version = lock_version + 1, introduction = %s "
        "WHERE id = %s AND lock_version = %s", ["<p>First editor's text.</p>", factsheet.pk, 1],
    )
    result = {}

    def second_editor():
        try:
            result["response"] = client.post(url, data)
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    thread = threading.Thread(target=second_editor)
    thread.start()
    with _connect() as watcher:  # wait until the second save is blocked on the first one's row lock
        watcher.autocommit = True
        while thread.is_alive():
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                break
            thread.join(0.05)
    first.commit()
    first.close()
    thread.join()

    response = result["response"]
    assert response.status_code == 200
    html = response.content.decode()
    assert "your changes were not saved" in html
    assert "Second editor" in html  # the input stays on screen
    factsheet.refresh_from_db()
    assert factsheet.introduction == "<p>First editor's text.</p>"
    assert factsheet.lock_version == 2
    assert not factsheet.revisions.exists()


def test_sequential_saves_with_fresh_versions_both_succeed(users, factsheet):
    client = Client()
    client.force_login(users["analyst"])
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    for text in ("<p>One.</p>", "<p>Two.</p>"):
        data = _admin_post_data(client, factsheet)
        data["introduction"] = text
        assert client.post(url, data).status_code == 302
    factsheet = Factsheet.objects.get(pk=factsheet.pk)
    assert factsheet.introduction == "<p>Two.</p>" and factsheet.lock_version == 3
    assert factsheet.revisions.count() == 2


def test_two_reviewers_deciding_at_once_yield_one_decision(users, factsheet, make_user):
    from editorial import services
    from editorial.permissions import WorkflowError
    from tests.editorial.conftest import walk

    walk(factsheet, "in_review", users)
    second_reviewer = make_user(role="Reviewer", username="rev2")
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user, action):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.factsheet_transition(factsheet=factsheet, by=user, action=action, comment="Decided.")
            outcomes.append(action)
        except WorkflowError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=decide, args=(users["reviewer"], "approve")),
               threading.Thread(target=decide, args=(second_reviewer, "request_changes"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) in (["approve", "refused"], ["refused", "request_changes"])
    factsheet.refresh_from_db()
    decided = [o for o in outcomes if o != "refused"][0]
    assert factsheet.state == {"approve": "approved", "request_changes": "changes_requested"}[decided]
    assert factsheet.audit_entries.filter(action__in=["approve", "request_changes"]).count() == 1


def test_publishing_one_factsheet_does_not_block_the_rest_of_its_edition(users, factsheet, monkeypatch):
    """While a publish holds its factsheet's row (rendering), another factsheet of the same edition is saved and
    a new factsheet is added to the edition: only the factsheet's own row is locked, not the edition's."""
    from editorial.publishing import jobs
    from tests import factories

    other = factories.FactsheetFactory(edition=factsheet.edition)
    rendering, release = threading.Event(), threading.Event()

    def slow_render(fs, snapshot=None, **kwargs):
        rendering.set()
        release.wait(20)
        return b"%PDF-1.7 test"

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", slow_render)
    errors = []

    def publish():
        from django.db import connection as thread_connection

        try:
            jobs.demo_publish(factsheet=factsheet)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=publish)
    thread.start()
    assert rendering.wait(20), "the publish never reached the render"
    try:
        with _connect() as meanwhile:  # another editor, while the render runs
            meanwhile.execute("SET lock_timeout = '2s'")
            meanwhile.execute("UPDATE factsheets_factsheet SET introduction = %s WHERE id = %s",
                              ["<p>Saved meanwhile.</p>", other.pk])
            taken = set(Factsheet.objects.filter(edition=factsheet.edition).values_list("country__code", flat=True))
            country = factories.CountryFactory(code=next(c for c in ("LU", "MT", "CY", "IS") if c not in taken))
            # Every column the model has, from its own defaults, so that a new field does not break the test.
            values = {f.column: f.get_default() for f in Factsheet._meta.concrete_fields if not f.primary_key}
            values.update(country_id=country.pk, edition_id=factsheet.edition_id,
                          created_at=timezone.now(), updated_at=timezone.now())
            meanwhile.execute(
                f"INSERT INTO factsheets_factsheet ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})",
                list(values.values()),
            )
            meanwhile.commit()
    finally:
        release.set()
        thread.join()
    assert not errors, errors
    assert Factsheet.objects.get(pk=other.pk).introduction == "<p>Saved meanwhile.</p>"
    assert Factsheet.objects.filter(edition=factsheet.edition, country=country).exists()
    assert factsheet.publications.count() == 1


def test_two_workers_publish_an_edition_in_parallel_each_factsheet_once(users, factsheet, settings, tmp_path):
    """Batch publish on PostgreSQL with two worker processes taking jobs at once (SELECT … FOR UPDATE SKIP
    LOCKED): every factsheet is published exactly once, as version 1, by one of them."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from editorial import services
    from editorial.models import Publication, PublishJob
    from tests import factories
    from tests.editorial.conftest import walk

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    codes = [c for c in ("NL", "BE", "DE", "FR", "IT", "ES", "PT") if c != factsheet.country.code][:6]
    approved = [factsheet] + [factories.FactsheetFactory(edition=factsheet.edition,
                                                         country=factories.CountryFactory(code=code))
                              for code in codes]
    for fs in approved:
        walk(fs, "approved", users)
    batch, refused = services.edition_publish(edition=factsheet.edition, by=users["editor"])
    assert refused == [] and PublishJob.objects.filter(batch=batch).count() == len(approved)
    s = connection.settings_dict
    env = {**os.environ, "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "DJANGO_MEDIA_ROOT": str(tmp_path),
           "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"}
    root = Path(__file__).resolve().parents[2]
    workers = [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                                 "--worker-id", f"w{n}"], cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for n in (1, 2)]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert set(PublishJob.objects.values_list("status", flat=True)) == {"done"}, outputs
    numbers = list(Publication.objects.values_list("factsheet_id", "number"))
    assert sorted(numbers) == sorted((fs.pk, 1) for fs in approved)


def test_a_publish_job_holds_no_lock_while_it_renders_and_only_its_factsheets_row_when_it_goes_live(
        users, factsheet, monkeypatch, settings):
    """Rule (the job path): the render runs outside any lock, so the factsheet, its edition and its country stay
    free meanwhile; going live locks the factsheet's own row only (of=("self",)), never its edition's or
    country's."""
    from editorial import services
    from editorial.models import PublishJob
    from editorial.publishing import jobs
    from factsheets.models import State
    from tests.editorial.conftest import walk

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued; run by hand below
    walk(factsheet, State.APPROVED, users)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    rendering, release = threading.Event(), threading.Event()

    def slow_render(fs, snapshot=None, **kwargs):
        rendering.set()
        release.wait(20)
        return b"%PDF-1.7 test"

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", slow_render)
    errors = []

    def run():
        from django.db import connection as thread_connection

        try:
            jobs.publish_job_run(job_id=job.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert rendering.wait(20), "the job never reached the render"
    try:
        with _connect() as meanwhile:
            for table, pk in (("factsheets_factsheet", factsheet.pk), ("factsheets_edition", factsheet.edition_id),
                              ("factsheets_country", factsheet.country_id)):
                meanwhile.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
            meanwhile.rollback()
    finally:
        release.set()
        thread.join()
    assert not errors, errors
    assert PublishJob.objects.get(pk=job.pk).status == PublishJob.Status.DONE

    # Going live: while the final transaction runs (here: inside the audit entry it writes), the edition's and
    # the country's rows stay free.
    from editorial import audit

    free = []
    real_audit = audit.audit_record

    def audit_while_checking(**kwargs):
        if kwargs.get("action") == "publish":
            with _connect() as other:
                for table, pk in (("factsheets_edition", factsheet.edition_id),
                                  ("factsheets_country", factsheet.country_id)):
                    other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
                    free.append(table)
                try:
                    other.execute("SELECT id FROM factsheets_factsheet WHERE id = %s FOR UPDATE NOWAIT",
                                  [factsheet.pk])
                    free.append("factsheets_factsheet")
                except psycopg.errors.LockNotAvailable:
                    pass
                other.rollback()
        return real_audit(**kwargs)

    monkeypatch.setattr("editorial.publishing.jobs.audit_record", audit_while_checking)
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 again")
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.introduction = "<p>Second version.</p>"
    factsheet.save()
    walk(factsheet, State.APPROVED, users)
    second = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert jobs.publish_job_run(job_id=second.pk).status == PublishJob.Status.DONE
    assert free == ["factsheets_edition", "factsheets_country"]  # the factsheet's own row was locked


def test_a_publish_job_checks_the_factsheet_under_its_rows_lock_when_it_goes_live(users, factsheet, monkeypatch,
                                                                                  settings):
    """Rule (the job path, lock scope): going live checks the state and the approval with the factsheet's row
    locked (select_for_update), so a concurrent transition waits for the publication or is seen by the check."""
    from editorial import services
    from editorial.models import PublishJob
    from editorial.publishing import jobs
    from factsheets.models import State
    from tests.editorial.conftest import walk

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued; run by hand below
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")
    walk(factsheet, State.APPROVED, users)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    real_check, seen = jobs._publish_job_check, []

    def check_while_probing(fs, job, release=None):
        if connection.in_atomic_block:  # the going-live transaction (the first check runs before the render)
            with _connect() as other:
                try:
                    other.execute("SELECT id FROM factsheets_factsheet WHERE id = %s FOR UPDATE NOWAIT", [fs.pk])
                    seen.append("free")
                except psycopg.errors.LockNotAvailable:
                    seen.append("locked")
                other.rollback()
        return real_check(fs, job, release)

    monkeypatch.setattr(jobs, "_publish_job_check", check_while_probing)
    assert jobs.publish_job_run(job_id=job.pk).status == PublishJob.Status.DONE
    assert seen == ["locked"]


def test_a_release_locks_its_own_row_not_its_edition_or_the_scheduler(users, factsheet, monkeypatch):
    """Rule (lock scope): changing a scheduled release locks the release row only; the edition and the user who
    scheduled it stay free for others (an edit of the edition, that user's login) while the release changes."""
    from datetime import timedelta

    from editorial.publishing import releases

    release, _ = releases.release_schedule(edition=factsheet.edition, at=timezone.now() + timedelta(days=1),
                                           time_zone="Europe/Brussels", by=users["editor"])
    seen = {}

    def probe(publications):  # runs inside the cancel's transaction, under its locks
        with _connect() as other:
            for table, pk in (("factsheets_edition", factsheet.edition_id), ("auth_user", users["editor"].pk),
                              ("editorial_editionrelease", release.pk)):
                try:
                    other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
                    seen[table] = "free"
                except psycopg.errors.LockNotAvailable:
                    seen[table] = "locked"
                other.rollback()

    monkeypatch.setattr(releases, "publications_discard", probe)
    releases.release_cancel(release=release, by=users["editor"])
    assert seen == {"factsheets_edition": "free", "auth_user": "free", "editorial_editionrelease": "locked"}
