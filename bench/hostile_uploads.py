"""Benchmark (run by hand): hostile files uploaded to the admin's import page, each in a fresh process.

    .venv/bin/python bench/hostile_uploads.py [--timeout 60] [--memory-cap-gib 8] [case ...]

Every file is under the upload size limit (FACTSHEETS_IMPORT_MAX_BYTES, 5 MB). Each case runs in its own
process on a scratch SQLite database, logged in as a superuser, and posts the file to
/admin/factsheets/policy/import/ exactly as a browser does (and, for the edition path, through
factsheets.transfer.edition_import). Printed per case: wall time, peak RSS above the process's baseline
(measured just before the upload), and what happened (refused with a message, imported, MemoryError, killed).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "hostile"
sys.path.insert(0, str(ROOT))

from tests.factsheets.hostile_files import (  # noqa: E402
    empty_objects_json,
    entities_xlsx,
    many_cell_formats_xlsx,
    many_fonts_xlsx,
    many_rows_csv,
    many_shared_strings_xlsx,
    merged_cells_xlsx,
    rows_declared_xlsx,
    scalars_json,
    shared_strings_xlsx,
    sniffer_header_csv,
    wide_rows_xlsx,
    zip_bomb_xlsx,
)


def valid_references_csv() -> bytes:
    """The largest valid file: 5,000 references, 250 for each of 20 draft factsheets of 2023 (made by the child)."""
    lines = ["country,edition,order,citation,url,last_accessed"]
    for code in VALID_COUNTRIES:
        lines += [f"{code},2023,{order},Author {order} ({code}). A report on cluster policy.,https://example.org/{order}.pdf,2023-05-01"
                  for order in range(1, 251)]
    return ("\n".join(lines) + "\n").encode()


VALID_COUNTRIES = ["FR", "DE", "IT", "ES", "PT", "NL", "BE", "AT", "PL", "SE", "FI", "DK", "IE", "GR", "CZ", "SK", "HU",
                   "RO", "BG", "HR"]

CASES = {
    "xlsx-1m-rows": ("xlsx", rows_declared_xlsx),
    "xlsx-shared-strings-1gib": ("xlsx", shared_strings_xlsx),
    "xlsx-zip-bomb-1gib": ("xlsx", zip_bomb_xlsx),
    "xlsx-billion-laughs": ("xlsx", entities_xlsx),
    "xlsx-1.6m-shared-strings": ("xlsx", many_shared_strings_xlsx),
    "xlsx-450k-cell-formats": ("xlsx", many_cell_formats_xlsx),
    "xlsx-400k-fonts": ("xlsx", many_fonts_xlsx),
    "xlsx-1m-merged-cells": ("xlsx", lambda: merged_cells_xlsx(1_000_000)),
    "xlsx-115-rows-16384-cells": ("xlsx", lambda: wide_rows_xlsx(115, 16_384)),
    "json-1m-empty-objects": ("json", empty_objects_json),
    "json-1m-scalars": ("json", scalars_json),
    "csv-700k-rows": ("csv", many_rows_csv),
    "csv-sniffer-header-99kb": ("csv", sniffer_header_csv),
    "csv-sniffer-header-3.9mb": ("csv", lambda: sniffer_header_csv(1_300_000)),
    "csv-5000-valid-references": ("csv", valid_references_csv),
}
FORMAT_INDEX = {"csv": 0, "xlsx": 1, "json": 2}


def child(case: str, path: str, db: str, memory_cap: int) -> None:
    """Runs in the measured process: upload the file through the admin, print one JSON line."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    fmt, _ = CASES[case]
    data = Path(path).read_bytes()
    if case == "csv-5000-valid-references":
        from factsheets.models import Country, Edition, Factsheet

        edition = Edition.objects.get(year=2023)
        for code in VALID_COUNTRIES:
            country, _ = Country.objects.get_or_create(code=code, defaults={"name": code})
            Factsheet.objects.get_or_create(country=country, edition=edition)
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    page = "/admin/factsheets/reference/import/" if "references" in case else "/admin/factsheets/policy/import/"
    client.get(page)  # warm: templates, imports
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = ""
    try:
        upload = SimpleUploadedFile(f"hostile.{fmt}", data)
        response = client.post(page,
                               {"import_file": upload, "format": FORMAT_INDEX[fmt]}, HTTP_HOST="localhost")
        body = response.content.decode(errors="replace")
        import re

        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
        text = re.sub(r"<[^>]+>", " ", " ".join(errors))
        outcome = f"HTTP {response.status_code}: " + (" ".join(text.split())[:160] or "no form error shown")
        result = response.context and response.context.get("result") if response.context else None
        if result is not None and not text.strip():
            outcome += f" (preview of {result.totals.get('new', 0)} new rows, errors: {result.has_errors()})"
    except MemoryError:
        outcome = "MemoryError"
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"case": case, "seconds": round(elapsed, 2), "peak_above_baseline_mib": round((peak - base) / 1024),
                      "outcome": outcome}))


def prepare_db(db: Path) -> None:
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo", "--no-users"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([python, "manage.py", "shell", "-c",
                    "from django.contrib.auth import get_user_model; "
                    "get_user_model().objects.create_superuser('bench', 'bench@example.org', 'bench')"],
                   cwd=ROOT, env=env, check=True, capture_output=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--memory-cap-gib", type=float, default=8)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    cap = int(args.memory_cap_gib * (1 << 30))
    if args.child:
        child(*args.child, memory_cap=cap)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp(prefix="hostile-")) / "db.sqlite3"
    prepare_db(db)
    print(f"{'case':<26}{'size':>10}{'time':>10}{'peak RSS':>12}  outcome")
    for case in args.cases:
        fmt, build = CASES[case]
        path = OUT / f"{case}.{fmt}"
        if not path.exists():
            path.write_bytes(build())
        size = path.stat().st_size
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--memory-cap-gib", str(args.memory_cap_gib),
                                 "--child", case, str(path), str(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak_kib = 0
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peak_kib = max(peak_kib, int(line.split()[1]))
            except FileNotFoundError:
                pass
            if time.perf_counter() - started > args.timeout:
                proc.kill()
                proc.wait()
                print(f"{case:<26}{size / 1024:>8.1f}KB{'>' + str(int(args.timeout)) + ' s':>10}"
                      f"{peak_kib / 1024:>9.0f} MiB  killed after {args.timeout:.0f} s (still running)")
                break
            time.sleep(0.1)
        else:
            out, err = proc.communicate()
            line = next((ln for ln in out.splitlines() if ln.startswith("{")), None)
            if line is None:
                tail = (err.strip().splitlines() or ["no output"])[-1][:120]
                print(f"{case:<26}{size / 1024:>8.1f}KB{time.perf_counter() - started:>9.1f}s"
                      f"{peak_kib / 1024:>9.0f} MiB  crashed: {tail}")
                continue
            result = json.loads(line)
            print(f"{case:<26}{size / 1024:>8.1f}KB{result['seconds']:>9.2f}s"
                  f"{result['peak_above_baseline_mib']:>9d} MiB  {result['outcome']}")


if __name__ == "__main__":
    main()
