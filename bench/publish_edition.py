"""Benchmark (run by hand): publishing an edition of 56 countries on the task queue, on PostgreSQL.

    .venv/bin/python bench/publish_edition.py [--countries 56]

(d) wall time to publish the edition with 1 and with 2 worker processes, against countries × one warm render;
(e) the publish request's own latency (the admin POST that records the decision and queues the job);
(f) faults: a worker killed with SIGKILL mid-render, and a storage that cannot be written.
It creates and drops the scratch database bench_publish; PDFs go to bench/out/publish/.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "publish"
DB = "bench_publish"
sys.path.insert(0, str(ROOT))
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}", "DJANGO_MEDIA_ROOT": str(OUT / "media"),
    "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "DJANGO_LOG_LEVEL": "ERROR",
    "EDITORIAL_PUBLISH_RETRY_SECONDS": "0,0", "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
}
os.environ.update(ENV)


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql, "postgres"], check=True)


def workers(count: int, **env) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                              "--worker-id", f"bench-{n}"], cwd=ROOT, env={**os.environ, **env},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(count)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--countries", type=int, default=56)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_countries import countries
    from django_tasks_db.models import DBTaskResult

    from bench.import_edition import synthesise
    from editorial import services
    from editorial.models import AuditEntry, Publication, PublishJob
    from editorial.rendering.pdf import render_factsheet_pdf
    from factsheets.models import Factsheet, State
    from factsheets.transfer import edition_export, edition_import

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--force", verbosity=0)
    edition_export(year=2023, directory=OUT / "demo")
    codes = ["MX"] + [code for code, _ in countries if code != "MX"][: args.countries - 1]
    synthesise(OUT / "demo", OUT / "edition", codes)
    edition_import(directory=OUT / "edition")
    users = {name: get_user_model().objects.get(username=name) for name in ("analyst", "reviewer", "editor")}
    factsheets = list(Factsheet.objects.filter(edition__year=2023).select_related("country", "edition"))
    for fs in factsheets:
        services.revision_record(factsheet=fs, by=users["analyst"])
        services.factsheet_submit(factsheet=fs, by=users["analyst"])
        services.factsheet_approve(factsheet=fs, by=users["reviewer"])
    print(f"PostgreSQL, {len(factsheets)} approved factsheets of the 2023 edition (Mexico 2023 and copies)")

    warm = []
    render_factsheet_pdf(factsheets[0])
    for _ in range(5):
        started = time.perf_counter()
        render_factsheet_pdf(factsheets[0])
        warm.append(time.perf_counter() - started)
    single = statistics.median(warm)
    print(f"one warm render (in-process, median of 5): {single:.2f} s; "
          f"{len(factsheets)} × single = {len(factsheets) * single:.1f} s")

    def reset():
        for publication in Publication.objects.all():
            publication.pdf.delete(save=False)
        PublishJob.objects.all().delete()
        Publication.objects.all().delete()
        AuditEntry.objects.filter(action__in=["publish", "publish_requested", "publish_failed"]).delete()
        Factsheet.objects.filter(edition__year=2023).update(state=State.APPROVED)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DBTaskResult._meta.db_table}")

    client = Client()
    client.force_login(users["editor"])
    for count in (1, 2):
        reset()
        latencies = []
        for fs in factsheets:  # (e) the request that records the decision and queues the job
            started = time.perf_counter()
            response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[fs.pk]), {"action": "publish"})
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"(e) publish request, {len(latencies)} requests: p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms")
        started = time.perf_counter()
        for process in workers(count):
            process.wait()
        wall = time.perf_counter() - started
        done = PublishJob.objects.filter(status="done").count()
        print(f"(d) {count} worker(s): {done}/{len(factsheets)} published in {wall:.1f} s "
              f"= {wall / (len(factsheets) * single):.2f} × ({len(factsheets)} × single)")
        assert sorted(Publication.objects.values_list("number", flat=True)) == [1] * len(factsheets)

    # (f) a worker killed with SIGKILL mid-render
    reset()
    victims = factsheets[:6]
    for fs in victims:
        services.publish_job_request(factsheet=fs, by=users["editor"])
    [worker] = workers(1)
    while not PublishJob.objects.filter(status="running").exists():
        time.sleep(0.02)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    states = dict(PublishJob.objects.values_list("status").annotate(n=__import__("django").db.models.Count("id")))
    print(f"(f) worker killed mid-render: jobs {states}, publications {Publication.objects.count()}")
    time.sleep(1.5)
    for process in workers(1, EDITORIAL_PUBLISH_STALE_SECONDS="1"):
        process.wait()
    numbers = sorted(Publication.objects.values_list("factsheet_id", "number"))
    print(f"    after a new worker (stale after 1 s): jobs "
          f"{dict(PublishJob.objects.values_list('status').annotate(n=__import__('django').db.models.Count('id')))}, "
          f"{len(numbers)} publications, one per factsheet: {len({f for f, _ in numbers}) == len(numbers) == 6}")

    # (f) storage that cannot be written: the media root is a regular file
    reset()
    blocked = OUT / "not-a-directory"
    blocked.write_text("x")
    for fs in victims:
        services.publish_job_request(factsheet=fs, by=users["editor"])
    for _ in range(3):  # the attempts (retries without delay here)
        for process in workers(1, DJANGO_MEDIA_ROOT=str(blocked)):
            process.wait()
    failed = PublishJob.objects.filter(status="failed")
    print(f"(f) unwritable storage: {failed.count()}/6 jobs failed after "
          f"{set(failed.values_list('attempts', flat=True))} attempts; publications {Publication.objects.count()}; "
          f"factsheets still approved: {Factsheet.objects.filter(pk__in=[f.pk for f in victims], state='approved').count()}; "
          f"error: {failed.first().error[:90] if failed else ''}")
    connection.close()
    psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
