#!/usr/bin/env bash
# Runs Rill on this machine: rill-server on its embedded Redis (data under
# ~/.local/share/rill/server) and, where there is a display, the app connected to it. Without a
# display the server runs headless in the foreground. Ctrl+C stops everything.
set -euo pipefail
bin=${RILL_BIN_DIR:-"$(cd "$(dirname "$0")/.." && pwd)/build/bin"}
port=${RILL_PORT:-7117}

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ ! -x "$bin/rill" ]; then
  echo "No display: running rill-server headless on port $port (Ctrl+C stops it)."
  exec "$bin/rill-server" --port "$port"
fi

"$bin/rill-server" --port "$port" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT INT TERM
# The app retries until the server listens, so there is nothing to wait for here.
"$bin/rill" --server "ws://127.0.0.1:$port"
