#!/bin/bash
# What --redis-wait-replicas costs: one Redis primary with one replica, one rill-server, the
# same rill-load run with the setting off and on, alternating on fresh server processes.
#
#   bench/scripts/replica-wait.sh [PAIRS] [SERVER] [LOAD]   # defaults: 3, build/bin/rill-server, build/bin/rill-load
#
# The accounts are made by warm-up runs first (until every sender is logged in), so each
# measured pair sees the same population.
set -uo pipefail
cd "$(dirname "$0")/../.."
pairs=${1:-3}
server=${2:-build/bin/rill-server}
load=${3:-build/bin/rill-load}
dir=$(mktemp -d /tmp/rill-replica-wait.XXXXXX)
bench/scripts/rill-servers.sh start "$dir" 1 "$server" >/dev/null
primary=$(cat "$dir/redis.port")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$dir/replica"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir/replica" \
  --replicaof 127.0.0.1 "$primary" --daemonize yes --pidfile "$dir/replica/pid" --logfile "$dir/replica/log"
trap 'kill "$(cat "$dir/replica/pid")" 2>/dev/null; bench/scripts/rill-servers.sh stop "$dir" >/dev/null' EXIT
tokens=--token-cache=$dir/tokens.json
run() {
  echo "=== $1"
  # shellcheck disable=SC2046
  "$load" $(cat "$dir/load-args") "$tokens" -n 200 -m 2 --senders 0.5 --rate 2 --duration 20 --warmup 10 2>&1 |
    grep -E "HEADLINE|offered|  ack|  delivery"
}
for attempt in $(seq 1 15); do
  run "warm-up $attempt" | grep -q "(100 senders" && break
done
for pair in $(seq 1 "$pairs"); do
  for replicas in 0 1; do
    RILL_BENCH_SERVER_ARGS="--redis-wait-replicas $replicas" bench/scripts/rill-servers.sh restart "$dir" 1 "$server" >/dev/null
    run "pair $pair: --redis-wait-replicas $replicas"
  done
done
