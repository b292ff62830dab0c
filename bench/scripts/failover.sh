#!/bin/bash
# Issue 11: what a Redis failover costs under load. A primary, two replicas and three sentinels
# (redis-server --sentinel, quorum 2, down-after-milliseconds 1000 as in
# tests/support/SentinelFixture), K rill-server instances on sentinel://…, and rill-load --resend
# with the primary killed (SIGKILL) inside the measured window. Runs alternate
# --redis-wait-replicas 0 and 1, each on fresh server processes; between runs the killed primary
# comes back as a replica of the new one (an operator's repair), so the accounts stay.
#
#   bench/scripts/failover.sh [ROUNDS] [SERVER] [LOAD]   # defaults: 3, build/bin/rill-server, build/bin/rill-load
#   FAILOVER_INSTANCES=2                                 # rill-server instances (default 2)
#   FAILOVER_LOAD="-n 200 -m 2 --senders 1 --rate 2"     # the population and rate (default)
#   FAILOVER_TIMING="--warmup 5 --duration 30 --drain 10 --kill-at 10"   # (default)
#   FAILOVER_DIR=/tmp/x                                  # work directory (default: a new one under /tmp)
#
# Every process listens on 127.0.0.1 on free ports and is stopped on exit. Each run's JSON
# (rill-load --json) and log stay in the work directory; the script prints a line per run and
# a Markdown table at the end.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
rounds=${1:-3}
server=${2:-build/bin/rill-server}
load=${3:-build/bin/rill-load}
instances=${FAILOVER_INSTANCES:-2}
population=${FAILOVER_LOAD:-"-n 200 -m 2 --senders 1 --rate 2"}
timing=${FAILOVER_TIMING:-"--warmup 5 --duration 30 --drain 10 --kill-at 10"}
dir=${FAILOVER_DIR:-$(mktemp -d /tmp/rill-failover.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
name=rill-master

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Until the command succeeds, at most $1 tenths of a second.
retry() {
  local tries=$1
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

answers() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }

start_redis() { # port [port of the primary to replicate]
  local d=$dir/redis-$1
  mkdir -p "$d"
  # No persistence, like the other benchmarks' Redis; a diskless full sync without the default
  # 5 s wait, so a replica that comes back is in step quickly.
  # Daemonized (not a child of this shell), so that its SIGKILL makes no job-control noise.
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" --logfile "$d/log" \
    --repl-diskless-sync-delay 0 ${2:+--replicaof 127.0.0.1 "$2"} --daemonize yes --pidfile "$d/pid"
  if ! retry 100 answers "$1" || ! retry 100 test -s "$d/pid"; then
    echo "redis on port $1 did not start" >&2
    exit 1
  fi
}

start_sentinel() { # port primary-port
  local d=$dir/sentinel-$1
  mkdir -p "$d"
  cat >"$d/sentinel.conf" <<EOF
port $1
bind 127.0.0.1
protected-mode no
daemonize no
dir $d
logfile $d/log
sentinel monitor $name 127.0.0.1 $2 2
sentinel down-after-milliseconds $name 1000
sentinel failover-timeout $name 10000
sentinel parallel-syncs $name 1
EOF
  redis-server "$d/sentinel.conf" --sentinel &
  echo $! >"$d/pid"
  retry 100 answers "$1" || { echo "sentinel on port $1 did not start" >&2; exit 1; }
}

cleanup() {
  bench/scripts/rill-servers.sh stop "$dir/servers" >/dev/null 2>&1
  for f in "$dir"/sentinel-*/pid "$dir"/redis-*/pid; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  wait # the sentinels
}
trap cleanup EXIT

primary_port() { redis-cli -p "${sentinels[0]}" SENTINEL get-master-addr-by-name "$name" 2>/dev/null | sed -n 2p; }

# SENTINEL MASTER's field/value lines as field=value.
sentinel_view() { redis-cli -p "$1" SENTINEL master "$name" 2>/dev/null | awk 'NR % 2 { k = $0; next } { print k "=" $0 }'; }

# Ready for a failover: the primary has both replicas online, and every sentinel sees the
# primary up, both replicas up and the two other sentinels.
healthy() {
  local p s view
  p=$(primary_port)
  [ -n "$p" ] && [ "$(redis-cli -p "$p" role 2>/dev/null | head -1)" = master ] || return 1
  [ "$(redis-cli -p "$p" info replication 2>/dev/null | grep -c 'state=online')" = 2 ] || return 1
  for s in "${sentinels[@]}"; do
    view=$(sentinel_view "$s")
    grep -qx "flags=master" <<<"$view" && grep -qx "num-slaves=2" <<<"$view" &&
      grep -qx "num-other-sentinels=2" <<<"$view" || return 1
    [ "$(redis-cli -p "$s" SENTINEL replicas "$name" 2>/dev/null | awk 'prev == "flags" { print } { prev = $0 }' |
      grep -cx slave)" = 2 ] || return 1
  done
}

promoted_instead_of() { # port
  local p
  p=$(primary_port)
  [ -n "$p" ] && [ "$p" != "$1" ]
}

ports=()
for _ in 1 2 3; do ports+=("$(free_port)"); done
start_redis "${ports[0]}"
start_redis "${ports[1]}" "${ports[0]}"
start_redis "${ports[2]}" "${ports[0]}"
sentinels=()
for _ in 1 2 3; do sentinels+=("$(free_port)"); done
for s in "${sentinels[@]}"; do start_sentinel "$s" "${ports[0]}"; done
url="sentinel://127.0.0.1:${sentinels[0]},127.0.0.1:${sentinels[1]},127.0.0.1:${sentinels[2]}/$name"
retry 600 healthy || { echo "the sentinels never saw a healthy set-up" >&2; exit 1; }
echo "work directory $dir; Redis on ${ports[*]}, sentinels on ${sentinels[*]}; $(nproc) cores"

run() { # round replicas-to-wait-for
  local tag=round$1-wait$2 old new pid
  RILL_BENCH_REDIS=$url RILL_BENCH_SERVER_ARGS="--redis-wait-replicas $2" \
    bench/scripts/rill-servers.sh restart "$dir/servers" "$instances" "$server" >/dev/null || exit 1
  old=$(primary_port)
  pid=$(cat "$dir/redis-$old/pid")
  echo "== $tag: $(date -u +%H:%M:%S) UTC, primary on port $old (pid $pid), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2046,SC2086 # word splitting of the argument lists is intended
  "$load" $(cat "$dir/servers/load-args") --token-cache="$dir/tokens.json" $population $timing \
    --resend --kill-pid "$pid" --json >"$dir/$tag.json" 2>"$dir/$tag.log"
  # The next run's restart starts the instances' logs afresh.
  for f in "$dir"/servers/server-*.log; do cp "$f" "$dir/$tag-$(basename "$f")"; done
  # The operator's repair: the old primary returns as a replica of the promoted one.
  retry 600 promoted_instead_of "$old" || { echo "no replica was promoted" >&2; exit 1; }
  new=$(primary_port)
  start_redis "$old" "$new"
  retry 900 healthy || { echo "the set-up did not heal after $tag" >&2; exit 1; }
  python3 - "$dir/$tag.json" "$2" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
p = out["phases"][0]
r = p["resend"]
fmt = lambda v: "never" if v is None else "%.0f" % v
errors = ", ".join("%s %d" % kv for kv in sorted(p["errors"].items())) or "none"
print("  wait %s: first ack %s ms, full rate %s ms after the kill; acked %d before, %d after, %d never; "
      "lost %d, duplicated %d, receivers' gaps %d, delivered-not-stored %d; resends %d, reconnects %d; "
      "ack p50 %.1f p99 %.1f ms; errors: %s; machine %.2f cores busy, load %.2f"
      % (sys.argv[2], fmt(r["firstAckAfterFaultMs"]), fmt(r["fullRateAfterFaultMs"]), r["ackedBeforeFault"],
         r["ackedAfterFault"], r["neverAcknowledged"], r["lost"], r["duplicated"], r["receiverGaps"],
         r["deliveredNotStored"], r["resent"], r["reconnects"], p["ackLatency"]["p50Ms"], p["ackLatency"]["p99Ms"],
         errors, p["machine"]["busyCores"], p["machine"]["loadAverage1m"]))
EOF
}

for round in $(seq 1 "$rounds"); do
  for replicas in 0 1; do
    run "$round" "$replicas"
  done
done

python3 - "$dir" "$rounds" <<'EOF'
import json, sys
d, rounds = sys.argv[1], int(sys.argv[2])
print()
print("| run | wait-replicas | first ack after kill | full rate after kill | acked before / after / never | "
      "acked but lost | duplicated | receivers' gaps | errors seen by clients | ack p50 / p99 | machine busy, load |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for n in range(1, rounds + 1):
    for w in (0, 1):
        try:
            out = json.load(open("%s/round%d-wait%d.json" % (d, n, w)))
        except (OSError, ValueError):
            print("| %d | %d | (no result) |" % (n, w))
            continue
        p = out["phases"][0]
        r = p["resend"]
        ms = lambda v: "never" if v is None else "%.2f s" % (v / 1000)
        errors = ", ".join("`%s` %d" % kv for kv in sorted(p["errors"].items())) or "none"
        print("| %d | %d | %s | %s | %d / %d / %d | %d | %d | %d | %s | %.1f / %.0f ms | %.2f cores, %.2f |"
              % (n, w, ms(r["firstAckAfterFaultMs"]), ms(r["fullRateAfterFaultMs"]), r["ackedBeforeFault"],
                 r["ackedAfterFault"], r["neverAcknowledged"], r["lost"], r["duplicated"], r["receiverGaps"], errors,
                 p["ackLatency"]["p50Ms"], p["ackLatency"]["p99Ms"], p["machine"]["busyCores"],
                 p["machine"]["loadAverage1m"]))
EOF
