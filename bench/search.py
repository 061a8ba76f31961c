"""Benchmark (run by hand): full-text search on an edition of 56 published countries x 3 policies (the real Mexico
2023 content, copied under 55 more country codes): the index rebuilt, then each search's queries and its time
with an empty cache (the ranked page and its excerpts), and with the page cached. Then the admin's factsheet
search: one subquery per related table (as it is) against Django's default for related search_fields (one join per
relation in one filter, which multiplies policies by notes by references for every factsheet).

    .venv/bin/python bench/search.py                              # SQLite file in bench/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search .venv/bin/python bench/search.py

The database named by DATABASE_URL is flushed: give it a scratch database.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(OUT / "media"))

COUNTRIES = 56
RUNS = 10
SEARCHES = ["Nuevo Leon", "cluster", "internationalisation", '"national cluster policy"', "aerospace or automotive",
            "strategic plans -Leon", "nothingmatchesthis"]


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
    from portal.models import SearchPassage
    from portal.search.services import search_index_rebuild
    from tests.factories import publish_fast

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    demo_load()
    demo_dir, edition_dir = OUT / "demo-2023", OUT / "edition-2023"
    edition_export(year=2023, directory=demo_dir)
    codes = ["MX"] + [code for code, _ in countries if code != "MX"][: COUNTRIES - 1]
    synthesise(demo_dir, edition_dir, codes)
    edition_import(directory=edition_dir, dry_run=False)
    for factsheet in Factsheet.objects.filter(edition__year=2023).select_related("country", "edition"):
        publish_fast(factsheet)  # indexed as it is committed (the portal's post_save receiver)
    started = time.perf_counter()
    publications, passages = search_index_rebuild()
    print(f"Database: {connection.vendor}. Index rebuilt: {passages} passages of {publications} publications in "
          f"{time.perf_counter() - started:.2f} s ({SearchPassage.objects.count()} rows)")

    client = Client()
    print(f"{'search':<28} {'hits':>5} {'queries':>7} {'cold ms':>8} {'cached ms':>9}")
    for q in SEARCHES:
        url = "/search/?" + urlencode({"q": q})
        cold = []
        for _ in range(RUNS):
            cache.clear()
            with QueryCounter(connection) as queries:
                t = time.perf_counter()
                response = client.get(url)
                cold.append((time.perf_counter() - t) * 1000)
        warm = []
        for _ in range(RUNS):
            t = time.perf_counter()
            client.get(url)
            warm.append((time.perf_counter() - t) * 1000)
        page = response.content.decode()
        hits = page.split("passages found")[0].rsplit(">", 1)[-1].strip() if "passages found" in page else "0/1"
        print(f"{q:<28} {hits:>5} {len(queries):>7} {statistics.median(cold):8.1f} {statistics.median(warm):9.1f}")
    admin_search()


def admin_search():
    from django.db.models import Exists, OuterRef, Q

    from factsheets.models import Factsheet
    from factsheets.selectors import FACTSHEET_SEARCH_FIELDS, factsheet_search

    fields = [f"{relation}__{name}" if relation else name
              for relation, names in FACTSHEET_SEARCH_FIELDS.items() for name in names]

    def joined(words):  # what ModelAdmin.get_search_results and the changelist do with these search_fields
        terms = [Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR) for word in words]
        matching = Factsheet.objects.filter(Q.create(terms))
        return Factsheet.objects.filter(Exists(matching.filter(pk=OuterRef("pk"))))

    print(f"\nAdmin factsheet search ({Factsheet.objects.count()} factsheets): ms for a count")
    print(f"{'words':<28} {'joins':>8} {'subqueries':>10}")
    for words in (["walrusnothing"], ["nearshoring"], ["cluster", "walrusnothing"]):
        times = {}
        for name, found in (("joins", joined), ("subqueries", lambda w: factsheet_search(Factsheet.objects.all(),
                                                                                          words=w))):
            t = time.perf_counter()
            found(words).count()
            times[name] = (time.perf_counter() - t) * 1000
        print(f"{' '.join(words):<28} {times['joins']:8.0f} {times['subqueries']:10.0f}")


if __name__ == "__main__":
    main()
