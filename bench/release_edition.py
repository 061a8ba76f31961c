"""Benchmark (run by hand): an edition of 56 countries prepared for its release, then released, on PostgreSQL.

    .venv/bin/python bench/release_edition.py [--countries 56] [--workers 2]

(a) preparing: wall time for the workers to render and store every approved factsheet (embargoed) and the summary
    report the release will show;
(b) the release itself: the time and the queries of the one transaction that makes the edition live, and what the
    public sees one moment before and after (the explorer's country count, the summary PDF's size).
It creates and drops the scratch database bench_release; files go to bench/out/release/.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "release"
DB = "bench_release"
sys.path.insert(0, str(ROOT))
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}", "DJANGO_MEDIA_ROOT": str(OUT / "media"),
    "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "DJANGO_LOG_LEVEL": "ERROR",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
})


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql, "postgres"], check=True)


def workers(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                              "--worker-id", f"bench-{n}"], cwd=ROOT, env=os.environ,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(count)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--countries", type=int, default=56)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from django_countries import countries

    from bench.import_edition import synthesise
    from editorial import services
    from editorial.models import EditionRelease, EditionSummary, Publication
    from editorial.publishing import releases
    from factsheets.models import Edition, Factsheet
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

    edition = Edition.objects.get(year=2023)
    release, refused = releases.release_schedule(edition=edition, at=timezone.now() + timedelta(minutes=30),
                                                 time_zone="Europe/Brussels", by=users["editor"])
    assert not refused, refused
    started = time.perf_counter()
    for process in workers(args.workers):
        process.wait()
    readiness = releases.release_readiness(release=release)
    print(f"(a) prepared {len(readiness.ready)}/{len(factsheets)} with {args.workers} worker(s) in "
          f"{time.perf_counter() - started:.1f} s; summary prepared ahead: {readiness.summary_ready}; "
          f"public versions of 2023: {Publication.objects.live().filter(factsheet__edition=edition).count()}")

    client = Client()
    before = client.get("/factsheets/2023/")
    summaries = EditionSummary.objects.count()
    assert releases.release_now(release=release, by=users["editor"]).reprepared == 0  # the same day: nothing to redo
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        outcome = releases.release_run(release_id=release.pk)
        elapsed = time.perf_counter() - started
    release.refresh_from_db()
    after = client.get("/factsheets/2023/")
    print(f"(b) release_run: {outcome} in {elapsed * 1000:.0f} ms, {len(queries)} queries, "
          f"{EditionSummary.objects.count() - summaries} summary rendered during it; "
          f"explorer before {before.status_code}, after {after.status_code}; "
          f"released {release.released_count} at {release.released_at:%H:%M:%S.%f}")
    summary = client.get("/factsheets/2023/summary.pdf")
    print(f"    summary PDF after: {summary.status_code}, {len(summary.content)} bytes (stored, not rendered)")
    assert EditionRelease.objects.get().status == "released"


if __name__ == "__main__":
    main()
