#!/usr/bin/env bash
# Serves the app with gunicorn and, once it exists, runs the background worker beside it.
# Ctrl-C (or any exit) stops both.
set -euo pipefail
port="${1:-8000}"
bin="$(dirname "$0")/../.venv/bin"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if "$bin/commonground" help worker >/dev/null 2>&1; then
  "$bin/commonground" worker &
  pids+=($!)
fi
"$bin/gunicorn" commonground.wsgi:application --bind "127.0.0.1:${port}" --workers 2 \
  --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"
