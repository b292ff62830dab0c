#!/usr/bin/env bash
# A throwaway Redis and K rill-server instances on it, for rill-load runs.
#
#   bench/scripts/rill-servers.sh start DIR [K] [SERVER]  # K defaults to 1, SERVER to build/bin/rill-server
#   build-bench/bin/rill-load $(cat DIR/load-args) ...     # a --url and --server-pid per instance, --redis-pid
#   bench/scripts/rill-servers.sh restart DIR [K] [SERVER] # new instances (fresh processes), same Redis
#   bench/scripts/rill-servers.sh stop DIR                 # instances and Redis
#   RILL_CPU_CAP=0.3 bench/scripts/rill-servers.sh ...       # each instance held to 0.3 cores
#   bench/scripts/rill-servers.sh start DIR 1 reference    # the Node reference (bench/reference) instead
#   RILL_BENCH_RATE_LIMIT=5 bench/scripts/rill-servers.sh ...      # rill-server's rate limit (default here: 0, off;
#                                                          # "default": the server's own)
#   RILL_BENCH_SERVER_ARGS="--flag value" bench/scripts/rill-servers.sh ...   # more rill-server flags
#   RILL_BENCH_REDIS=sentinel://127.0.0.1:P,.../name bench/scripts/rill-servers.sh ...   # instances on this
#                                                          # Redis instead (started and stopped by the caller)
#
# Every instance listens on 127.0.0.1 only, with the rate limit and the registration and
# channel-creation throttles off (a load tool registers its thousand users from one address); all share
# one redis-server on TCP without persistence. Keeping that Redis across `restart` keeps the
# accounts (argon2id makes them slow to create) while the instance count or the server binary
# changes, and gives each measurement fresh server processes (RSS per connection needs that).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:-}
dir=${2:-}
usage() { sed -n '2,21p' "$0"; exit 2; }
[ -n "$cmd" ] && [ -n "$dir" ] || usage

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

stop_pids() { # file
  [ -e "$1" ] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$1"
  while read -r pid; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done <"$1"
  rm -f "$1"
}

start_redis() {
  [ -z "${RILL_BENCH_REDIS:-}" ] || return 0
  if [ -e "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then return 0; fi
  local port
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" --daemonize no &
  echo $! >"$dir/redis.pid"
  echo "$port" >"$dir/redis.port"
  wait_listening "$port"
  # A kept dump grows with every run; a server started while Redis still loads it gives up.
  for _ in $(seq 1 600); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  echo "redis on port $port did not finish loading" >&2
  return 1
}

# RILL_CPU_CAP=0.3 puts each instance in its own cgroup (v1 cpu controller or v2) capped at that
# many cores. On a 2-core machine the load tool needs a core of its own, so instances can only
# be compared (one against two) when each is held to a share that leaves the others room.
# The short period keeps throttling pauses to a few milliseconds.
cap_cpu() { # pid cores
  local period=10000 quota group
  quota=$(awk -v c="$2" -v p="$period" 'BEGIN { printf "%d", c * p }')
  if [ -d /sys/fs/cgroup/cpu ]; then
    group=/sys/fs/cgroup/cpu/rill-$1
    mkdir -p "$group"
    echo "$period" >"$group/cpu.cfs_period_us"
    echo "$quota" >"$group/cpu.cfs_quota_us"
  else
    group=/sys/fs/cgroup/rill-$1
    mkdir -p "$group"
    echo "$quota $period" >"$group/cpu.max"
  fi
  echo "$1" >"$group/cgroup.procs"
}

start_instances() { # count server
  local redis args port pid
  if [ -n "${RILL_BENCH_REDIS:-}" ]; then
    redis=$RILL_BENCH_REDIS
    args=""
  else
    redis=redis://127.0.0.1:$(cat "$dir/redis.port")
    args="--redis-pid $(cat "$dir/redis.pid")"
  fi
  : >"$dir/server.pids"
  for i in $(seq 1 "$1"); do
    port=$(free_port)
    if [ "$2" = reference ]; then
      # node itself, not npm: the pid sampled is the server's.
      node "$here/bench/reference/server.js" --listen 127.0.0.1 --port "$port" \
        --redis "$redis" --instance "ref-$i" >"$dir/server-$i.log" 2>&1 &
    else
      local rate=(--rate-limit "${RILL_BENCH_RATE_LIMIT:-0}")
      [ "${RILL_BENCH_RATE_LIMIT:-}" != default ] || rate=()
      # The connection caps are off: every load client comes from 127.0.0.1.
      # shellcheck disable=SC2086 # RILL_BENCH_SERVER_ARGS is a list of flags
      RILL_MAX_CONNECTIONS_PER_ADDRESS=${RILL_MAX_CONNECTIONS_PER_ADDRESS:-0} \
      RILL_MAX_CONNECTIONS=${RILL_MAX_CONNECTIONS:-0} \
      "$2" --listen 127.0.0.1 --port "$port" "${rate[@]}" --register-throttle 0 --channel-creates 0 --data-dir "$dir/instance-$i" \
        --redis "$redis" --instance "load-$i" ${RILL_BENCH_SERVER_ARGS:-} >"$dir/server-$i.log" 2>&1 &
    fi
    pid=$!
    echo "$pid" >>"$dir/server.pids"
    [ -z "${RILL_CPU_CAP:-}" ] || cap_cpu "$pid" "$RILL_CPU_CAP"
    wait_listening "$port"
    args="$args --url ws://127.0.0.1:$port/ --server-pid $pid"
  done
  echo "$args" >"$dir/load-args"
  echo "redis $redis; $1 instance(s) of $2; rill-load arguments in $dir/load-args:"
  echo "  $args"
}

case "$cmd" in
start | restart)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop_pids "$dir/server.pids"
  start_redis
  if [ "${4:-}" = reference ] && [ ! -d "$here/bench/reference/node_modules" ]; then
    echo "bench/reference has no node_modules: run 'npm ci --prefix bench/reference' first" >&2
    exit 1
  fi
  start_instances "${3:-1}" "${4:-$here/build/bin/rill-server}"
  ;;
stop)
  stop_pids "$dir/server.pids"
  stop_pids "$dir/redis.pid"
  rm -f "$dir/redis.port" "$dir/load-args"
  ;;
*) usage ;;
esac
