"""Benchmark (run by hand): the real factsheets rendered by WeasyPrint, warm (in this process) and cold (a whole
`render_factsheet` process), against Chromium printing the same HTML (its whole process), in the same run: the
Chromium, cold and warm runs are interleaved so that the load of a shared machine weighs on all alike. Also the
layout passes per factsheet (1 unless the layout guard found a problem) and the fallbacks taken.

    DJANGO_DEBUG=1 .venv/bin/python bench/render_pdf.py [--runs 5] [--only MX:2023] [--third-policy]

--third-policy also renders Mexico 2023 with a copy of its first policy as a third (the synthetic edition's
factsheets), in a transaction rolled back afterwards. Goals (issue 23): warm <= 0.6 x Chromium, cold <= 1.0 x.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from editorial.rendering import pdf as rendering  # noqa: E402
from editorial.rendering.document import factsheet_document  # noqa: E402
from editorial.selectors import factsheet_for_cli  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
]


def pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=180, **kwargs)
    return time.perf_counter() - start


def chromium_page(factsheet, folder: Path) -> Path:
    html = rendering.factsheet_html(factsheet_document(factsheet))
    css = (rendering.print_dir() / rendering.PRINT_CSS.name).as_uri()
    page = folder / f"{str(factsheet.country.code)}-{factsheet.edition.year}.html"
    page.write_text(html.replace("</head>", f'<link rel="stylesheet" href="{css}"></head>', 1), encoding="utf-8")
    return page


def measure(factsheet, runs: int, folder: Path, chromium: str | None, *, cold: bool = True) -> dict:
    code, year = str(factsheet.country.code), factsheet.edition.year
    first = rendering.factsheet_pdf(factsheet)  # warm-up (and the passes this factsheet takes)
    page = chromium_page(factsheet, folder)
    warm, warm_cpu, cold_times, chrome_times = [], [], [], []
    for _ in range(runs):
        if chromium:
            chrome_times.append(timed([chromium, *CHROMIUM_FLAGS, f"--print-to-pdf={folder / 'chromium.pdf'}",
                                       page.as_uri()]))
        if cold:
            cold_times.append(timed([sys.executable, str(ROOT / "manage.py"), "render_factsheet", code, str(year),
                                     "-o", str(folder / "cold.pdf")], cwd=ROOT))
        start, start_cpu = time.perf_counter(), time.process_time()
        rendering.factsheet_pdf(factsheet)
        warm.append(time.perf_counter() - start)
        warm_cpu.append(time.process_time() - start_cpu)
    chrome_pages = pages((folder / "chromium.pdf").read_bytes()) if chrome_times else None
    return {"name": f"{code} {year}", "pages": pages(first.data), "passes": first.passes, "report": str(first.report),
            "warm": median(warm), "warm_cpu": median(warm_cpu), "cold": median(cold_times),
            "chromium": median(chrome_times), "chromium_pages": chrome_pages, "runs": runs}


def third_policy(factsheet) -> None:
    policy = factsheet.policies.order_by("order").first()
    selections = {name: list(getattr(policy, name).all()) for name in
                  ["objectives", "authority_roles", "beneficiaries", "financial_instruments", "technical_instruments",
                   "eu_priorities"]}
    policy.pk = policy.id = None
    policy._state.adding = True
    policy.order, policy.name = 3, f"Copy: {policy.name}"
    policy.save()
    for name, values in selections.items():
        getattr(policy, name).set(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="e.g. MX:2023")
    parser.add_argument("--third-policy", action="store_true")
    args = parser.parse_args()
    wanted = [tuple(item.split(":")) for item in args.only.split(",")] if args.only else [("MX", "2020"),
                                                                                          ("MX", "2023")]
    factsheets = [factsheet_for_cli(country_code=code, year=int(year)) for code, year in wanted]
    if None in factsheets:
        call_command("migrate", verbosity=0)
        call_command("load_demo", "--no-users", verbosity=0)
        factsheets = [factsheet_for_cli(country_code=code, year=int(year)) for code, year in wanted]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for factsheet in factsheets:
            results.append(measure(factsheet, args.runs, Path(tmp), chromium))
        if args.third_policy:
            with transaction.atomic():
                factsheet = factsheet_for_cli(country_code="MX", year=2023)
                third_policy(factsheet)
                result = measure(factsheet, args.runs, Path(tmp), chromium, cold=False)
                result["name"] += " + a third policy"
                results.append(result)
                transaction.set_rollback(True)
    print(f"{'factsheet':<28} {'pages':>5} {'passes':>6} {'warm s':>7} {'warm CPU':>8} {'cold s':>7} "
          f"{'Chromium s':>10} {'warm/Chr':>8} {'cold/Chr':>8}")
    for r in results:
        print(f"{r['name']:<28} {r['pages']:>5} {r['passes']:>6} {r['warm']:>7.2f} {r['warm_cpu']:>8.2f} "
              f"{r['cold']:>7.2f} {r['chromium']:>10.2f} {r['warm'] / r['chromium']:>8.2f} "
              f"{r['cold'] / r['chromium']:>8.2f}")
    print(f"Medians of {args.runs} interleaved runs each (Chromium --print-to-pdf of the same HTML, whole process; "
          f"cold: manage.py render_factsheet, whole process; warm: in this process after one warm-up).")
    for r in results:
        if r["passes"] != 1:
            print(f"{r['name']}: {r['passes']} layout passes ({r['report']})")
    print(f"Layout fallbacks taken in this run: {dict(rendering.fallbacks_taken) or 'none'}")
    print(f"Chromium pages: {', '.join(str(r['chromium_pages']) for r in results)}")
    print(f"Load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("Goals: warm <= 0.6 x Chromium, cold <= 1.0 x Chromium.")


if __name__ == "__main__":
    main()
