#!/usr/bin/env bash
# A throwaway Redis and K rill-server instances on it, for rill-load runs.
#
#   bench/scripts/rill-servers.sh start DIR [K] [SERVER]   # K defaults to 1, SERVER to build/bin/rill-server
#   rill-load $(cat DIR/load-args) ...                      # --url per instance, --server-pid, --redis-pid
#   bench/scripts/rill-servers.sh stop DIR
#
# Every instance listens on 127.0.0.1 only, with the rate limit off (--rate-limit 0), and all
# share one redis-server on TCP without persistence, so one and several instances are compared
# on the same Redis. DIR keeps the logs and the PIDs; it is reused as is by a later start, so
# accounts made in one run are still there in the next only while Redis keeps running.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,12p' "$0"; exit 2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_listening() { # port
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

case "$cmd" in
start)
  count=${3:-1}
  server=${4:-$here/build/bin/rill-server}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/redis.pid" ] || { echo "$dir already runs servers; stop them first" >&2; exit 1; }
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" --daemonize no &
  echo $! >"$dir/redis.pid"
  wait_listening "$rport"
  args="--redis-pid $(cat "$dir/redis.pid")"
  : >"$dir/server.pids"
  for i in $(seq 1 "$count"); do
    port=$(free_port)
    "$server" --listen 127.0.0.1 --port "$port" --rate-limit 0 --data-dir "$dir/instance-$i" \
      --redis "redis://127.0.0.1:$rport" --instance "load-$i" >"$dir/server-$i.log" 2>&1 &
    pid=$!
    echo "$pid" >>"$dir/server.pids"
    wait_listening "$port"
    args="$args --url ws://127.0.0.1:$port/ --server-pid $pid"
  done
  echo "$args" >"$dir/load-args"
  echo "redis on 127.0.0.1:$rport; $count instance(s); rill-load arguments in $dir/load-args:"
  echo "  $args"
  ;;
stop)
  for f in "$dir/server.pids" "$dir/redis.pid"; do
    [ -e "$f" ] || continue
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$f"
    while read -r pid; do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done <"$f"
    rm -f "$f"
  done
  ;;
*)
  sed -n '2,12p' "$0"; exit 2 ;;
esac
