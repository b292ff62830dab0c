#!/usr/bin/env bash
# Issue 10's abuse benchmark in one command: one rill-server on a throwaway Redis, every kind
# of hostile traffic at once (bench/abuse, one process per kind), and next to it a normal
# client (rill-load: 20 users in 2 channels, 1 msg/s each) whose send round trip, deliveries
# and losses are measured; the server's RSS and open files are sampled every second.
#
#   bench/scripts/abuse.sh [options]
#     --server PATH   rill-server (default build/bin/rill-server); rill-load and rill-abuse next to it
#     --dir DIR       work directory (default /tmp/rill-abuse): Redis, logs, rss.csv, JSON of every part
#     --duration S    seconds of abuse (default 120); the normal client is measured inside them
#     --baseline S    seconds of the normal client alone first, for comparison (default 30; 0 skips)
#     --server-args "ARGS"  extra rill-server flags (default: none, so the server's own defaults,
#                     rate limit included, apply)
#
# The attacks (counts as issue 10 asks): 5,000 TCP connections that never finish the WebSocket
# handshake, 2,000 anonymous WebSockets, a log-in brute force on one normal user's name from 50
# connections, a registration flood (10 connections), channel creation (4 users), `read`
# creep on a 20,000-message channel (4 users), deeply nested JSON (4 connections). What the
# server closes is opened again, so the pressure lasts the whole run.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
server=$here/build/bin/rill-server
dir=/tmp/rill-abuse
duration=120
baseline=30
server_args=""
while [ $# -gt 0 ]; do
  case "$1" in
  --server) server=$2; shift 2 ;;
  --dir) dir=$2; shift 2 ;;
  --duration) duration=$2; shift 2 ;;
  --baseline) baseline=$2; shift 2 ;;
  --server-args) server_args=$2; shift 2 ;;
  -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
  *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")
bin=$(dirname "$server")
for b in "$server" "$bin/rill-load" "$bin/rill-abuse"; do
  [ -x "$b" ] || { echo "missing $b (cmake --build build --target rill-server rill-load rill-abuse)" >&2; exit 1; }
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

servers=$here/bench/scripts/rill-servers.sh
sampler=
cleanup() {
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
  "$servers" stop "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# start|restart, then the URL and pids of the one instance
servers_do() {
  "$servers" "$@" >/dev/null
  url=$(grep -o 'ws://[^ ]*' "$dir/load-args")
  server_pid=$(cat "$dir/server.pids")
  redis_pid=$(cat "$dir/redis.pid")
}

echo "abuse: rill-server $server (git $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')), $(date -u '+%Y-%m-%d %H:%M') UTC"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); work directory $dir"

# Set-up with the rate limit off: the 20,000-message channel for the read creep (filled by
# `send`), and the normal client's accounts.
RILL_BENCH_RATE_LIMIT=0 servers_do start "$dir" 1 "$server"
tokens=$dir/tokens.json
normal=(--url "$url" --token-cache "$tokens" --user-prefix abuse-normal --channel-prefix abuse-normal)
"$bin/rill-load" "${normal[@]}" --history --history-entries 20000 --history-queries 10 \
  >"$dir/fill.log" 2>&1 || { echo "filling the long channel failed: $dir/fill.log" >&2; exit 1; }
"$bin/rill-load" "${normal[@]}" --idle 20 --settle 0 >"$dir/accounts.log" 2>&1

# The measured server, a fresh process: its own defaults (rate limit on) unless --server-args
# says otherwise.
RILL_BENCH_RATE_LIMIT=default RILL_BENCH_SERVER_ARGS=$server_args servers_do restart "$dir" 1 "$server"
normal=(--url "$url" --token-cache "$tokens" --user-prefix abuse-normal --channel-prefix abuse-normal)
load_args=("${normal[@]}" --server-pid "$server_pid" --redis-pid "$redis_pid" -n 20 -m 2 --senders 1 --rate 1 --json)

(
  start=$(date +%s.%N)
  echo "elapsed_s,server_rss_kib,server_fds,server_cpu_s,redis_rss_kib"
  tick=$(getconf CLK_TCK)
  while kill -0 "$server_pid" 2>/dev/null; do
    now=$(date +%s.%N)
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
    fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    cpu=$(awk -v t="$tick" '{ i = index($0, ") "); split(substr($0, i + 2), f, " "); printf "%.2f", (f[12] + f[13]) / t }' "/proc/$server_pid/stat" 2>/dev/null || echo 0)
    rrss=$(awk '/^VmRSS/ {print $2}' "/proc/$redis_pid/status" 2>/dev/null || echo 0)
    awk -v a="$now" -v b="$start" -v r="$rss" -v f="$fds" -v c="$cpu" -v rr="$rrss" 'BEGIN { printf "%.1f,%s,%s,%s,%s\n", a - b, r, f, c, rr }'
    sleep 1
  done
) >"$dir/rss.csv" &
sampler=$!

if [ "$baseline" != 0 ]; then
  echo "baseline: the normal client alone for $baseline s"
  "$bin/rill-load" "${load_args[@]}" --warmup 3 --duration "$baseline" >"$dir/normal-baseline.json" 2>"$dir/normal-baseline.log" || true
fi

echo "abuse: every attack for $duration s, the normal client measured in the middle"
abuse_started=$(date +%s.%N)
attackers=()
attack() { # name count [extra]
  local name=$1 count=$2
  shift 2
  { "$bin/rill-abuse" --url "$url" --attack "$name" --count "$count" --duration "$duration" "$@" \
    >"$dir/attack-$name.json" 2>"$dir/attack-$name.log"; echo $? >"$dir/attack-$name.status"; } &
  attackers+=($!)
}
attack handshake 5000
attack anonymous 2000
attack bruteforce 50 --victim abuse-normal-0
attack register 10
attack channels 4
attack readcreep 4 --channel abuse-normal-history
attack deepjson 4
# The normal client: set up while the attacks ramp up, measured for most of the run.
sleep 10
measure=$((duration - 25))
[ "$measure" -ge 10 ] || measure=10
"$bin/rill-load" "${load_args[@]}" --warmup 3 --duration "$measure" --drain 5 \
  >"$dir/normal-abuse.json" 2>"$dir/normal-abuse.log" || true
for p in "${attackers[@]}"; do wait "$p" 2>/dev/null || true; done
sleep 2
alive=yes
kill -0 "$server_pid" 2>/dev/null || alive=no

python3 - "$dir" "$abuse_started" "$alive" <<'EOF'
import csv, json, os, sys
d, abuse_start, alive = sys.argv[1], float(sys.argv[2]), sys.argv[3]

def load(name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.loads(f.read().strip().splitlines()[-1] if name.startswith("attack-") else f.read())
    except (OSError, ValueError, IndexError):
        return None

def normal(name, label):
    j = load(name)
    if not j or not j.get("phases"):
        print(f"{label}: no result (see {d}/{name.replace('.json', '.log')})")
        return
    p = j["phases"][0]
    a, l = p["ackLatency"], p["latency"]
    errs = ", ".join(f"{k}={v}" for k, v in p["errors"].items()) or "none"
    print(f"{label}: send round trip p50 {a['p50Ms']:.2f} p99 {a['p99Ms']:.2f} max {a['maxMs']:.2f} ms; "
          f"delivery p99 {l['p99Ms']:.2f} ms; acked {p['acked']} of {p['sent']}, expected {p['expected']}, "
          f"delivered {p['delivered']}, lost {p['lost']}, duplicated {p['duplicates']}, unacked {p['unacked']}; "
          f"errors: {errs}; ready {j['prepare']['ready']} of {j['prepare']['clients']}")

print()
normal("normal-baseline.json", "normal client alone      ")
normal("normal-abuse.json", "normal client under abuse")
print()
for name in ["handshake", "anonymous", "bruteforce", "register", "channels", "readcreep", "deepjson"]:
    j = load(f"attack-{name}.json")
    if not j:
        try:
            status = open(os.path.join(d, f"attack-{name}.status")).read().strip()
        except OSError:
            status = "?"
        print(f"{name:10}: no result, exit status {status} (see {d}/attack-{name}.log)")
        continue
    replies = ", ".join(f"{k}={v}" for k, v in sorted(j["replies"].items())) or "-"
    closes = ", ".join(f"{k}={v}" for k, v in sorted(j["closedByServer"].items())) or "none"
    lt, rt = j["lifetimeOfClosed"], j["roundTrip"]
    print(f"{name:10}: {j['count']} x {j['seconds']:.0f} s: {j['connections']} connections opened "
          f"({j['connectFailed']} failed), {j['openAtEnd']} still open at the end; "
          f"closed by the server: {closes}"
          + (f" (after p50 {lt['p50Ms']/1000:.1f} s, max {lt['maxMs']/1000:.1f} s)" if lt.get("count") else "")
          + (f"; {j['requests']} requests ({j['requestsPerSecond']:.1f}/s): {replies}; round trip p50 {rt['p50Ms']:.1f} "
             f"p99 {rt['p99Ms']:.1f} ms" if j["requests"] else ""))
rows = []
with open(os.path.join(d, "rss.csv")) as f:
    rows = [r for r in csv.DictReader(f)]
if rows:
    rss = [int(r["server_rss_kib"] or 0) / 1024 for r in rows]
    fds = [int(r["server_fds"] or 0) for r in rows]
    rr = [int(r["redis_rss_kib"] or 0) / 1024 for r in rows]
    print(f"\nserver RSS: {rss[0]:.1f} MiB at start, max {max(rss):.1f} MiB, {rss[-1]:.1f} MiB at the end; "
          f"open files max {max(fds)}; Redis RSS max {max(rr):.1f} MiB; server {'still running' if alive == 'yes' else 'DIED'}")
print(f"time series: {d}/rss.csv; every part's JSON and log in {d}")
EOF
