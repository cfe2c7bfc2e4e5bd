#!/usr/bin/env bash
# Lighthouse (mobile) on the demo as `make run` serves it — no DEBUG, collected static files
# through WhiteNoise (compressed, hashed names, cached), the demo's settings and data — but on a
# port and a throwaway SQLite database of its own, so it never meets the test suite or db.sqlite3.
# Each page three times, the medians checked against 0.95 (audit.mjs).
#
#   scripts/lighthouse/run.sh      # LIGHTHOUSE_PORT=8765 LIGHTHOUSE_RUNS=3 LIGHTHOUSE_BAR=0.95
#   LIGHTHOUSE_PAGES=驾驶舱,登录 scripts/lighthouse/run.sh     # only those pages
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${LIGHTHOUSE_PORT:-8765}"
PY="$ROOT/.venv/bin/python"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

command -v node >/dev/null || { echo "Lighthouse needs Node.js (20 or later)" >&2; exit 1; }
# Installed from the lockfile, again whenever the lockfile has changed since.
if ! cmp -s "$HERE/package-lock.json" "$HERE/node_modules/.installed-from-lock" 2>/dev/null; then
  (cd "$HERE" && npm ci --silent --no-audit --no-fund && cp package-lock.json node_modules/.installed-from-lock)
fi

WORK="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The demo's configuration (Makefile, DEMO_ENV) on a database, static root and key of this run's own.
unset DATABASE_URL REDIS_URL DEBUG STATIC_MANIFEST
export DATABASE_URL="sqlite:///$WORK/lighthouse.sqlite3" STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SIGNIN_SHOW_CODE=1 SERVE_MEDIA=1 LOG_LEVEL=WARNING
cd "$ROOT"
started=$SECONDS
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py seed_demo --base-url "http://127.0.0.1:$PORT" >/dev/null
"$PY" manage.py demo_activity >/dev/null
echo "demo database ready: $((SECONDS - started)) s"

if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/" 2>/dev/null)" != 000 ]; then
  echo "port $PORT is taken by another server: set LIGHTHOUSE_PORT" >&2; exit 1
fi
"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login/" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.5
done

"$PY" "$HERE/pages.py" "http://127.0.0.1:$PORT" "$WORK/pages.json"
# One request to each page first, so no audit times the server's first compile of a template.
"$PY" -c 'import json, sys, urllib.request
for p in json.load(open(sys.argv[1])):
    urllib.request.urlopen(urllib.request.Request(p["url"], headers={"Cookie": p["cookie"]})).read()' "$WORK/pages.json"
started=$SECONDS
status=0
node "$HERE/audit.mjs" "$WORK/pages.json" || status=$?
echo "lighthouse: $((SECONDS - started)) s"
exit "$status"
