#!/usr/bin/env bash
# Benchmark (run by hand): gunicorn on 127.0.0.1 with PostgreSQL, measured with wrk (apt-get install wrk).
#   (a) a published PDF download against a static file of the same bytes served by the same gunicorn, through the
#       download fast path (editorial/publishing/downloads.py) and through the view (EDITORIAL_DOWNLOAD_FAST_PATH=0)
#   (b) conditional GETs answered 304, likewise
#   (c) the public list and an admin change page under 16 concurrent clients
# with the database transactions each request cost (pg_stat_database). The shared cache (the stamp of the live
# versions) is Redis, as in production (DB 14 of the local server, flushed first).
#
#   bash bench/serve_downloads.sh [seconds per run, default 10]
#
# It creates (and drops) the scratch database bench_downloads; media and static files go to bench/out/serve/.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
OUT="bench/out/serve"
DB="bench_downloads"
PORT=8790
rm -rf "$OUT" && mkdir -p "$OUT"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" postgres
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" postgres
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DJANGO_SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
export DJANGO_ALLOWED_HOSTS="127.0.0.1" DJANGO_SITE_URL="http://127.0.0.1:$PORT" DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_MEDIA_ROOT="$PWD/$OUT/media" DJANGO_STATIC_ROOT="$PWD/$OUT/static" DJANGO_LOG_LEVEL=ERROR
export AXES_FAILURE_LIMIT=1000
export DJANGO_SHARED_CACHE_URL="redis://127.0.0.1:6379/14" DJANGO_CACHE_URL="redis://127.0.0.1:6379/13"
redis-cli -n 14 flushdb >/dev/null; redis-cli -n 13 flushdb >/dev/null
PY=.venv/bin/python
$PY manage.py migrate -v0
$PY manage.py load_demo --force >/dev/null
$PY manage.py publish_demo >/dev/null
$PY manage.py collectstatic --noinput -v0
# The same bytes as the current Mexico 2023 PDF, as a static file.
$PY - <<'EOF'
import os, django, shutil
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.conf import settings
from editorial.publishing.selectors import publication_current_get
publication = publication_current_get(year=2023, country_code="MX")
shutil.copyfile(publication.pdf.path, os.path.join(settings.STATIC_ROOT, "same-bytes.pdf"))
print(f"PDF: {publication.pdf_size} bytes, ETag \"{publication.pdf_sha256}\"")
open(os.path.join(settings.STATIC_ROOT, "etag.txt"), "w").write(publication.pdf_sha256)
EOF
ETAG="$(cat "$OUT/static/etag.txt")"
.venv/bin/gunicorn config.wsgi --workers 2 --bind "127.0.0.1:$PORT" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" postgres >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/health/" -H "Accept: application/json" >/dev/null && break; sleep 0.2; done

# An editor's session for the admin page.
COOKIE="$($PY - <<EOF
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
user = get_user_model().objects.get(username="editor")
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.save()
print(store.session_key)
EOF
)"
FACTSHEET_ID="$($PY -c "import os,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');django.setup();from factsheets.models import Factsheet;print(Factsheet.objects.get(country__code='MX',edition__year=2023).pk)")"

transactions() {
  sleep 1.2  # the statistics reach pg_stat_database about once a second
  psql -h 127.0.0.1 -U postgres -tAc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$DB'" postgres
}

run() {  # label, connections, url, extra wrk args
  local label="$1" connections="$2" url="$3"; shift 3
  local result before after
  before="$(transactions)"
  result="$(wrk -t2 -c"$connections" -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$PORT$url")"
  after="$(transactions)"
  local rps p50 p99 errors requests
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$result")"
  requests="$(awk '/requests in/ {print $1}' <<<"$result")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$result")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$result")"
  errors="$(grep -E "Non-2xx|Socket errors" <<<"$result" | tr '\n' ' ' || true)"
  printf "%-38s %9s req/s  p50 %8s  p99 %8s  %5.2f db transactions/request  %s\n" "$label" "$rps" "$p50" "$p99" \
    "$(awk -v a="$after" -v b="$before" -v n="$requests" 'BEGIN {print (a - b) / n}')" "${errors:-0 errors}"
}

echo "gunicorn 2 workers, wrk 2 threads, ${DURATION}s per run"
run "(a) static file, same bytes" 8 "/static/same-bytes.pdf"
run "(a) PDF download, fast path" 8 "/factsheets/2023/mx.pdf"
run "(a) PDF version URL, fast path" 8 "/factsheets/2023/mx/v1.pdf"
run "(b) 304, If-None-Match, fast path" 8 "/factsheets/2023/mx.pdf" -H "If-None-Match: \"$ETAG\""
EDITORIAL_DOWNLOAD_FAST_PATH=0 .venv/bin/gunicorn config.wsgi --workers 2 --bind "127.0.0.1:$((PORT + 3))" \
  --log-level warning &
GUNICORN_VIEW=$!
trap 'kill $GUNICORN $GUNICORN_VIEW 2>/dev/null || true; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" postgres >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$((PORT + 3))/factsheets/2023/mx.pdf" -o /dev/null && break; sleep 0.2; done
PORT=$((PORT + 3))
run "(a) PDF download, view" 8 "/factsheets/2023/mx.pdf"
run "(b) 304, If-None-Match, view" 8 "/factsheets/2023/mx.pdf" -H "If-None-Match: \"$ETAG\""
kill $GUNICORN_VIEW 2>/dev/null || true
PORT=$((PORT - 3))
run "(c) public list, 16 clients" 16 "/factsheets/"
run "(c) admin change page, 16 clients" 16 "/admin/factsheets/factsheet/$FACTSHEET_ID/change/" \
  -H "Cookie: sessionid=$COOKIE"

# Behind nginx (when installed): the download is handed to nginx with X-Accel-Redirect, the static file is
# served by nginx too, so the two are compared through the same front server.
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  EDITORIAL_SENDFILE_HEADER=X-Accel-Redirect .venv/bin/gunicorn config.wsgi --workers 2 \
    --bind "127.0.0.1:$((PORT + 2))" --log-level warning &
  GUNICORN2=$!
  mkdir -p "$OUT/nginx/logs"
  cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $PWD/$OUT/nginx/body; proxy_temp_path $PWD/$OUT/nginx/proxy;
  fastcgi_temp_path $PWD/$OUT/nginx/fastcgi; uwsgi_temp_path $PWD/$OUT/nginx/uwsgi; scgi_temp_path $PWD/$OUT/nginx/scgi;
  types { application/pdf pdf; }
  upstream django { server 127.0.0.1:$((PORT + 2)); keepalive 16; }
  server {
    listen 127.0.0.1:$((PORT + 1));
    location /static/ { alias $PWD/$OUT/static/; }
    location /protected-media/ { internal; alias $PWD/$OUT/media/; }
    location / { proxy_pass http://django; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_set_header Host 127.0.0.1; }
  }
}
CONF
  "$NGINX" -c "$PWD/$OUT/nginx/nginx.conf" -p "$PWD/$OUT/nginx" -g "daemon off;" &
  NGINXPID=$!
  trap 'kill $GUNICORN $GUNICORN2 $NGINXPID 2>/dev/null || true; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" postgres >/dev/null 2>&1 || true' EXIT
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$((PORT + 1))/factsheets/2023/mx.pdf" -o /dev/null && break; sleep 0.2; done
  PORT=$((PORT + 1))
  echo "behind nginx (2 workers), downloads handed over with X-Accel-Redirect"
  run "(a) static file via nginx" 8 "/static/same-bytes.pdf"
  run "(a) published PDF via nginx" 8 "/factsheets/2023/mx.pdf"
  run "(b) 304 via nginx" 8 "/factsheets/2023/mx.pdf" -H "If-None-Match: \"$ETAG\""
fi
