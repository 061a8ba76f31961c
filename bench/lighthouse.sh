#!/usr/bin/env bash
# Benchmark (run by hand): Lighthouse 12.2.3 in its default mobile emulation on every public page, against
# gunicorn run as the README's production recipe runs it (DEBUG off, after collectstatic), in plain HTTP on the
# loopback (DJANGO_SECURE_SSL_REDIRECT=0). Prints, per page and run, the four scores (performance,
# accessibility, best practices, SEO), the largest contentful paint, the cumulative layout shift and the bytes
# the page transferred. Goal (issue 21): performance >= 90 with LCP <= 2.5 s, the other three 100.
#
#   bash bench/lighthouse.sh [project directory, default this checkout]
#   RUNS=2 PORT=8791 bash bench/lighthouse.sh        # each page twice (the machine is shared: compare runs)
#
# Lighthouse is installed on first use with npm into bench/out/lighthouse/ (gitignored; Node 20). The demo is
# loaded into a scratch SQLite file under bench/out/lighthouse-site/ unless DATABASE_URL is set (PostgreSQL, as
# in production: give a scratch database).
# Chromium: CHROME_PATH (default /usr/bin/chromium). JSON reports stay in bench/out/lighthouse-site/reports/.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "${1:-$HERE}" && pwd)"
RUNS="${RUNS:-1}"
PORT="${PORT:-8791}"
LH_DIR="$HERE/bench/out/lighthouse"
LIGHTHOUSE="$LH_DIR/node_modules/.bin/lighthouse"
OUT="$ROOT/bench/out/lighthouse-site"
PY="$ROOT/.venv/bin/python"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

if [ ! -x "$LIGHTHOUSE" ]; then
  echo "Installing Lighthouse 12.2.3 into $LH_DIR (npm)…"
  mkdir -p "$LH_DIR"
  (cd "$LH_DIR" && npm i -E lighthouse@12.2.3 --no-audit --no-fund --silent)
fi

cd "$ROOT"
rm -rf "$OUT" && mkdir -p "$OUT/reports"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$OUT/db.sqlite3}"
export DJANGO_SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
export DJANGO_ALLOWED_HOSTS="127.0.0.1" DJANGO_SITE_URL="http://127.0.0.1:$PORT" DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_MEDIA_ROOT="$OUT/media" DJANGO_STATIC_ROOT="$OUT/static" DJANGO_LOG_LEVEL=ERROR
unset DJANGO_DEBUG
$PY manage.py migrate -v0
$PY manage.py load_demo --force --no-users >/dev/null
$PY manage.py publish_demo >/dev/null
$PY manage.py publications_fill_pages >/dev/null
$PY manage.py collectstatic --noinput -v0

"$ROOT/.venv/bin/gunicorn" config.wsgi --workers 3 --bind "127.0.0.1:$PORT" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/factsheets/" -o /dev/null && break; sleep 0.2; done

PAGES=(
  "index /factsheets/"
  "factsheet-2023 /factsheets/2023/mx/"
  "factsheet-2020 /factsheets/2020/mx/"
  "explorer-2023 /factsheets/2023/"
  "explorer-2020 /factsheets/2020/"
  "explorer-filtered /factsheets/2023/?objective=Supporting+internationalisation+activities&sort=-c1"
  "compare /factsheets/compare/?f=2023-mx&f=2020-mx"
  "compare-empty /factsheets/compare/"
  "summary-2023 /factsheets/2023/summary/"
  "summary-2020 /factsheets/2020/summary/"
  "search /search/?q=Nuevo+Leon"
  "search-empty /search/"
  "data /data/"
)

# What gunicorn sends a browser that accepts compression: the portal gzips pages and data, whitenoise serves the
# static files it compressed at collectstatic; fonts (WOFF2) are compressed already.
for path in /factsheets/2023/mx/ /data/2023.json /static/portal/screen/portal.css \
            /static/portal/fonts/Lato-Regular-latin.woff2; do
  headers="$(curl -fs -o /dev/null -D - -H "Accept-Encoding: gzip, deflate, br" "http://127.0.0.1:$PORT$path" || true)"
  bytes="$( (curl -fs -H "Accept-Encoding: gzip, deflate, br" "http://127.0.0.1:$PORT$path" || true) | wc -c)"
  encoding="$( (grep -i '^content-encoding:' <<<"$headers" || true) | tr -d '\r' | cut -d' ' -f2)"
  printf "%-45s %-6s %7s bytes sent\n" "$path" "${encoding:-none}" "$bytes"
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
for run in $(seq 1 "$RUNS"); do
  for entry in "${PAGES[@]}"; do
    name="${entry%% *}" path="${entry#* }"
    # Warm the page cache first: a reader after the first one gets the cached page.
    curl -fs "http://127.0.0.1:$PORT$path" -o /dev/null
    for attempt in 1 2 3; do  # a trace can fail to record on a busy machine (NO_NAVSTART): try again
      "$LIGHTHOUSE" "http://127.0.0.1:$PORT$path" --quiet --output=json \
        --output-path="$OUT/reports/$name-$run.json" \
        --only-categories=performance,accessibility,best-practices,seo \
        --chrome-flags="--headless --no-sandbox --disable-gpu" && break
      echo "Lighthouse failed on $path (attempt $attempt)"
    done
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$OUT/reports" <<'EOF'
import json, sys
from pathlib import Path

rows = []
for report in sorted(Path(sys.argv[1]).glob("*.json"), key=lambda p: (p.stem.rsplit("-", 1)[1], p.stat().st_mtime)):
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        print(f"{report.stem}: {data['runtimeError']['code']}")
        continue
    cats, audits = data["categories"], data["audits"]
    score = lambda key: "-" if cats[key]["score"] is None else round(cats[key]["score"] * 100)
    failing = [k for c in ("accessibility", "best-practices", "seo") for ref in cats[c]["auditRefs"]
               if ref["weight"] and (audits[k := ref["id"]]["score"] or 0) < 1]
    name, run = report.stem.rsplit("-", 1)
    rows.append((name, run, score("performance"), score("accessibility"), score("best-practices"), score("seo"),
                 audits["largest-contentful-paint"]["numericValue"] / 1000,
                 audits["cumulative-layout-shift"]["numericValue"],
                 audits["total-byte-weight"]["numericValue"] / 1024, ", ".join(failing)))
print(f"{'page':18} {'run':>3} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'LCP s':>6} {'CLS':>6} {'KiB':>6}  failing")
for name, run, perf, a11y, bp, seo, lcp, cls, kib, failing in rows:
    print(f"{name:18} {run:>3} {perf:>4} {a11y:>4} {bp:>4} {seo:>4} {lcp:6.2f} {cls:6.3f} {kib:6.0f}  {failing}")
EOF
