"""Benchmark (run by hand): Mexico 2023 rendered cold and warm by WeasyPrint, and the same HTML by Chromium.

    DJANGO_DEBUG=1 .venv/bin/python bench/render_pdf.py [--runs 7] [--country MX] [--year 2023]
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
import tracemalloc
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from editorial.rendering.document import factsheet_document  # noqa: E402
from editorial.rendering.pdf import PRINT_CSS, factsheet_html, print_dir, render_factsheet_pdf  # noqa: E402
from editorial.selectors import factsheet_for_cli  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
]


def pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def cold(country: str, year: int, runs: int, out: Path) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "render_factsheet", country, str(year), "-o", str(out)],
            check=True, capture_output=True, cwd=ROOT,
        )
        times.append(time.perf_counter() - start)
    return times


def chromium(html: str, runs: int, folder: Path) -> tuple[list[float], int | None]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        return [], None
    css = (print_dir() / PRINT_CSS.name).as_uri()
    page = folder / "factsheet.html"
    page.write_text(html.replace("</head>", f'<link rel="stylesheet" href="{css}"></head>', 1), encoding="utf-8")
    out = folder / "chromium.pdf"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([binary, *CHROMIUM_FLAGS, f"--print-to-pdf={out}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return times, pages(out.read_bytes())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--country", default="MX")
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args()

    factsheet = factsheet_for_cli(country_code=args.country, year=args.year)
    if factsheet is None:
        call_command("migrate", verbosity=0)
        call_command("load_demo", "--no-users", verbosity=0)
        factsheet = factsheet_for_cli(country_code=args.country, year=args.year)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cold_times = cold(args.country, args.year, max(3, args.runs // 2), folder / "cold.pdf")

        first = time.perf_counter()
        pdf = render_factsheet_pdf(factsheet)
        first_in_process = time.perf_counter() - first
        warm = []
        warm_cpu = []
        build = []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            render_factsheet_pdf(factsheet)
            warm.append(time.perf_counter() - start)
            warm_cpu.append(time.process_time() - start_cpu)
            start = time.perf_counter()
            factsheet_html(factsheet_document(factsheet))
            build.append(time.perf_counter() - start)
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        render_factsheet_pdf(factsheet)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        html = factsheet_html(factsheet_document(factsheet))
        chrome_times, chrome_pages = chromium(html, max(3, args.runs // 2), folder)

    print(f"Factsheet: {factsheet} ({len(pdf):,} bytes, {pages(pdf)} pages)")
    print(f"WeasyPrint cold (whole process, render_factsheet command), {len(cold_times)} runs: "
          f"median {statistics.median(cold_times):.2f} s (min {min(cold_times):.2f}, max {max(cold_times):.2f})")
    print(f"WeasyPrint first render in a fresh process (CSS and fonts loaded): {first_in_process:.2f} s")
    print(f"WeasyPrint warm (in-process, after one warm-up), {len(warm)} runs: median {statistics.median(warm):.3f} s "
          f"(min {min(warm):.3f}, max {max(warm):.3f}); of which document + HTML: "
          f"{statistics.median(build) * 1000:.0f} ms; CPU time median {statistics.median(warm_cpu):.3f} s")
    print(f"Load average during the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"Peak memory: process max RSS {rss_mib:.0f} MiB; Python allocations during one render "
          f"(tracemalloc) {traced_peak / 2**20:.1f} MiB")
    if chrome_times:
        print(f"Chromium --print-to-pdf of the same HTML (whole process), {len(chrome_times)} runs: median "
              f"{statistics.median(chrome_times):.2f} s (min {min(chrome_times):.2f}); {chrome_pages} pages")
    else:
        print("Chromium not installed: apt-get install chromium")
    target = 1.0
    verdict = "within" if statistics.median(warm) <= target else "OVER"
    print(f"Target warm <= {target:.1f} s: {verdict}")


if __name__ == "__main__":
    main()
