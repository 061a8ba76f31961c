"""Benchmark (run by hand): the public portal on an edition of 56 published countries x 3 policies (the real
Mexico 2023 content, copied under 55 more country codes), page by page: queries, a cold render (empty cache),
a warm one (cached), a conditional GET (304), against a static file served by the same stack as reference.

    .venv/bin/python bench/portal_pages.py                        # SQLite file in bench/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_portal .venv/bin/python bench/portal_pages.py

The database named by DATABASE_URL is flushed: give it a scratch database.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(OUT / "media"))

COUNTRIES = 56
RUNS = 20
PAGES = [
    "/factsheets/", "/factsheets/2023/", "/factsheets/2023/?objective=Supporting+internationalisation+activities"
    "&sort=-c1", "/factsheets/2023/mx/", "/factsheets/compare/?f=2023-mx&f=2023-fr&f=2023-de&f=2023-it",
    "/factsheets/2023/summary/", "/data/2023.json", "/data/2023.csv", "/data/2023/mx.json", "/data/catalog.jsonld",
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_countries import countries
    from import_edition import QueryCounter, synthesise

    from factsheets.models import Factsheet
    from factsheets.services import demo_load
    from factsheets.transfer import edition_export, edition_import
    from tests.factories import publish_fast

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    demo_load()
    demo_dir, edition_dir = OUT / "demo-2023", OUT / "edition-2023"
    edition_export(year=2023, directory=demo_dir)
    codes = ["MX"] + [code for code, _ in countries if code != "MX"][: COUNTRIES - 1]
    for code in ("FR", "DE", "IT"):
        if code not in codes:
            codes[-1 - ("FR", "DE", "IT").index(code)] = code
    synthesise(demo_dir, edition_dir, codes)
    edition_import(directory=edition_dir, dry_run=False)
    started = time.perf_counter()
    for factsheet in Factsheet.objects.filter(edition__year=2023).select_related("country", "edition"):
        publish_fast(factsheet)
    print(f"{COUNTRIES} countries published (web pages rendered) in {time.perf_counter() - started:.1f} s; "
          f"database: {connection.vendor}")

    client = Client()

    def timed(url, **headers):
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - t) * 1000)
        return response, statistics.median(times)

    static, static_ms = timed("/static/portal/screen/portal.css")
    assert static.status_code == 200, static.status_code
    print(f"reference: a static file through the same stack {static_ms:.2f} ms (median of {RUNS})")
    print(f"{'page':<70} {'queries':>7} {'cold ms':>8} {'warm ms':>8} {'304 ms':>7} {'KB':>6}")
    for url in PAGES:
        colds = []
        for _ in range(5):
            cache.clear()
            t = time.perf_counter()
            with QueryCounter(connection) as queries:
                response = client.get(url)
            colds.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        _, warm = timed(url)
        etag = response["ETag"]
        conditional, not_modified = timed(url, HTTP_IF_NONE_MATCH=etag)
        assert conditional.status_code == 304
        print(f"{url[:70]:<70} {len(queries):>7} {statistics.median(colds):>8.1f} {warm:>8.2f} {not_modified:>7.2f} "
              f"{len(response.content) / 1024:>6.0f}")


if __name__ == "__main__":
    main()
