"""Benchmark (run by hand): import a synthetic edition of 56 countries x 3 policies, dry run and real.

    .venv/bin/python bench/import_edition.py                      # SQLite file in bench/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/import_edition.py
    .venv/bin/python bench/import_edition.py --no-revisions       # without what other apps do on an import

The database named by DATABASE_URL is flushed: give it a scratch database. --no-revisions measures the import
alone: the editorial history's revision per factsheet (its receiver of factsheets.signals.import_recorded) is left
out.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from tests.factsheets.synthetic_edition import POLICIES, country_codes, synthesise  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")

COUNTRIES = 56


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    if "--no-revisions" in sys.argv[1:]:
        without_import_receivers()
    from django.core.management import call_command
    from django.db import connection

    from factsheets.imports import dataset_read
    from factsheets.models import Policy
    from factsheets.resources import PolicyResource
    from factsheets.services import demo_load
    from factsheets.transfer import edition_export, edition_import

    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    demo_load()
    demo_dir, edition_dir = OUT / "demo-2023", OUT / "edition-2023"
    edition_export(year=2023, directory=demo_dir)
    synthesise(demo_dir, edition_dir, country_codes(COUNTRIES))
    call_command("flush", "--no-input", verbosity=0)

    print(f"Synthetic 2023 edition: {COUNTRIES} countries x {POLICIES} policies, files in {edition_dir}")
    print(f"Database: {connection.vendor}")
    for label, dry_run in (("edition dry run", True), ("edition import", False)):
        with QueryCounter(connection) as queries:
            started = time.perf_counter()
            report = edition_import(directory=edition_dir, dry_run=dry_run)
            elapsed = time.perf_counter() - started
        rows = sum(sum(t.values()) for _, t in report.files)
        print(f"{label:<22} {elapsed:6.2f} s  {len(queries):6d} queries  {rows} rows  "
              f"({len(queries) / rows:.2f} queries per row)")
    from editorial.models import Revision

    print(f"revisions recorded: {Revision.objects.count()} for {len(report.factsheet_ids)} factsheets")

    policies = dataset_read(data=(edition_dir / "09-policies.csv").read_bytes(), file_format=csv_format())
    Policy.objects.all().delete()
    for label, dry_run in (("policies preview", True), ("policies import", False)):
        with QueryCounter(connection) as queries:
            started = time.perf_counter()
            result = PolicyResource().import_data(policies, dry_run=dry_run)
            elapsed = time.perf_counter() - started
        assert not result.has_errors(), result.base_errors
        print(f"{label:<22} {elapsed:6.2f} s  {len(queries):6d} queries  {len(policies)} rows "
              f"({result.totals['new']} new)")


def without_import_receivers():
    try:
        from factsheets.signals import import_recorded
    except ImportError:  # before the signal existed
        return
    import_recorded.receivers.clear()
    import_recorded.sender_receivers_cache.clear()


class QueryCounter:
    """Counts every query (CaptureQueriesContext keeps only the last 9000)."""

    def __init__(self, connection):
        self.connection, self.count = connection, 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def __len__(self):
        return self.count


def csv_format():
    from import_export.formats.base_formats import CSV

    return CSV


if __name__ == "__main__":
    main()
