#!/usr/bin/env bash
# Issue 12 in one command: rill-server against the Node reference (bench/reference), the same
# rill-load scenarios one after the other on one throwaway Redis, a fresh server process for
# every run, and a table of both with the ratio rill / reference.
#
#   bench/scripts/compare.sh [options]
#     --server PATH     rill-server to measure (default build/bin/rill-server)
#     --load PATH       rill-load (default: next to the server)
#     --dir DIR         work directory: Redis, logs, token caches, JSON of every run
#                       (default /tmp/rill-compare; kept, so a second run skips account creation)
#     --scenarios LIST  any of a b c d (default "a b c d"):
#                       a  1,000 clients, 10 channels of 100, every client 1 msg/s (100k deliveries/s)
#                       b  a, plus 10,000 idle logged-in connections (1,000 users x 10) held meanwhile
#                       c  step mode on a's population: the highest step with nothing lost and p99 < 50 ms
#                       d  RSS per additional idle logged-in connection (10,000 of 1,000 users)
#     --duration S      measured seconds of a and b (default 20; warm-up 5)
#     --targets LIST    default "reference rill"; "rill-holdN" is rill-server with --write-hold N
#                       (frames held up to N ms to share writes: issue 12's latency trade);
#                       "rill-sendmsg" is rill-server with --io-uring no (a sendmsg per write);
#                       "base" is the rill-server given by --base (two builds, one run)
#     --base PATH       another rill-server, for the target "base" (e.g. main's build before a change)
#
# The headline of each run is rill-load's: microseconds of server CPU per delivered message,
# from /proc/<pid>/stat over the measured window. Needs node and npm (bench/reference's
# node_modules are installed with `npm ci` when missing).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
server=$here/build/bin/rill-server
load=
base=
dir=/tmp/rill-compare
scenarios="a b c d"
targets="reference rill"
duration=20
while [ $# -gt 0 ]; do
  case "$1" in
  --server) server=$2; shift 2 ;;
  --base) base=$2; shift 2 ;;
  --load) load=$2; shift 2 ;;
  --dir) dir=$2; shift 2 ;;
  --scenarios) scenarios=$2; shift 2 ;;
  --targets) targets=$2; shift 2 ;;
  --duration) duration=$2; shift 2 ;;
  -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
  *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")
[ -n "$load" ] || load=$(dirname "$server")/rill-load
[ -x "$server" ] || { echo "no rill-server at $server (build it: cmake --build build --target rill-server)" >&2; exit 1; }
[ -x "$load" ] || { echo "no rill-load at $load (cmake --build build --target rill-load)" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed for the reference" >&2; exit 1; }
if [ ! -d "$here/bench/reference/node_modules" ]; then
  (cd "$here/bench/reference" && npm ci --no-audit --no-fund)
fi

servers=$here/bench/scripts/rill-servers.sh
# Accounts are created 32 at a time; rill-server's password-check queue (8 per hash worker)
# would answer the rest rate_limited. A bench setting, not advice for a server.
export RILL_BENCH_SERVER_ARGS="--hash-queue 4096 ${RILL_BENCH_SERVER_ARGS:-}"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# Redis runs without persistence; a snapshot at the end keeps the accounts for the next run
# (redis-server loads DIR/dump.rdb when it starts in DIR).
stop_all() {
  [ ! -e "$dir/redis.port" ] || redis-cli -p "$(cat "$dir/redis.port")" save >/dev/null 2>&1 || true
  "$servers" stop "$dir" >/dev/null 2>&1 || true
}
trap stop_all EXIT

binary_of() {
  case "$1" in
  reference) echo reference ;;
  base) echo "${base:?the target base needs --base PATH}" ;;
  *) echo "$server" ;;
  esac
}
args_of() {
  case "$1" in
  rill-hold*) echo "--write-hold ${1#rill-hold}" ;;
  rill-sendmsg) echo "--io-uring no" ;;
  esac
}

# Variants of rill-server share rill's accounts and tokens.
account_set() { case "$1" in rill-* | base) echo rill ;; *) echo "$1" ;; esac; }

# run NAME TARGET rill-load-arguments...: a fresh server process, one rill-load run, its JSON kept.
run() {
  local name=$1 target=$2
  shift 2
  RILL_BENCH_SERVER_ARGS="$RILL_BENCH_SERVER_ARGS $(args_of "$target")" \
    "$servers" restart "$dir" 1 "$(binary_of "$target")" >/dev/null
  local args
  args=$(cat "$dir/load-args")
  echo "== $name on $target: rill-load $* ($(date -u +%H:%M:%S) UTC)"
  # shellcheck disable=SC2086
  "$load" $args --token-cache "$dir/tokens-$(account_set "$target").json" "$@" --json >"$dir/$name-$target.json" \
    2>"$dir/$name-$target.log" || echo "   (rill-load exit status $?: see $dir/$name-$target.log)"
}

active=(-n 1000 -m 10 --senders 1)
echo "compare: rill-server $server (git $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')), node $(node --version)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "work directory $dir"

for target in $targets; do
  [ "$(account_set "$target")" = "$target" ] || continue # rill's accounts and tokens
  # Accounts first (argon2id / scrypt make them slow): later runs log in by token.
  run accounts "$target" --idle 1000 --connect-concurrency 32 --settle 0
  run accounts-idle "$target" --idle 1000 --user-prefix load-idle --connect-concurrency 32 --settle 0
done

for s in $scenarios; do
  for target in $targets; do
    case "$s" in
    a) run a "$target" "${active[@]}" --rate 1 --duration "$duration" --warmup 5 ;;
    b) run b "$target" "${active[@]}" --rate 1 --duration "$duration" --warmup 5 \
         --hold-idle 10000 --idle-users 1000 --connect-concurrency 64 ;;
    c) run c "$target" "${active[@]}" --rate 0.2 --step --step-factor 1.2 --duration 10 --warmup 3 ;;
    d) run d "$target" --idle 10000 --users 1000 --user-prefix load-idle --connect-concurrency 64 --settle 10 ;;
    *) echo "unknown scenario $s" >&2 ;;
    esac
  done
done
stop_all

python3 - "$dir" "$targets" "$scenarios" <<'EOF'
import json, os, sys
d, targets, scenarios = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()

def load(name, target):
    try:
        with open(os.path.join(d, f"{name}-{target}.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def phase(name, target):
    j = load(name, target)
    if not j:
        return None
    if j.get("mode") == "step":
        return j.get("highestSustained")
    return (j.get("phases") or [None])[0]

def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)

rows = []
def row(label, values, spec, lower_is_better=True):
    rows.append((label, [fmt(v, spec) for v in values], values))

def cells(p, f):
    return None if p is None else f(p)

for s in scenarios:
    if s in ("a", "b", "c"):
        ps = [phase(s, t) for t in targets]
        title = {"a": "a: 100k deliveries/s", "b": "b: a + 10,000 idle", "c": "c: step, highest held"}[s]
        row(f"{title}: us server CPU per delivery", [cells(p, lambda p: p.get("cpuPerDeliveryMicros")) for p in ps], ".2f")
        row(f"{title}: us per delivery incl. Redis", [cells(p, lambda p: p.get("cpuPerDeliveryWithRedisMicros")) for p in ps], ".2f")
        row(f"{title}: deliveries/s", [cells(p, lambda p: p.get("deliveredPerSecond")) for p in ps], ".0f")
        row(f"{title}: p50 ms", [cells(p, lambda p: p["latency"]["p50Ms"]) for p in ps], ".2f")
        row(f"{title}: p99 ms", [cells(p, lambda p: p["latency"]["p99Ms"]) for p in ps], ".2f")
        row(f"{title}: lost / duplicated", [cells(p, lambda p: p["lost"] + p["duplicates"]) for p in ps], "d")
        row(f"{title}: server cores", [cells(p, lambda p: p.get("serverCpuCores")) for p in ps], ".2f")
        row(f"{title}: server RSS MiB", [cells(p, lambda p: p.get("serverRssBytes", 0) / 2**20) for p in ps], ".1f")
        row(f"{title}: machine busy cores", [cells(p, lambda p: p["machine"]["busyCores"]) for p in ps], ".2f")
    if s == "b" and "a" in scenarios:
        ratios = []
        for t in targets:
            a, b = phase("a", t), phase("b", t)
            try:
                ratios.append(b["cpuPerDeliveryMicros"] / a["cpuPerDeliveryMicros"])
            except (TypeError, KeyError, ZeroDivisionError):
                ratios.append(None)
        row("b/a: CPU per delivery with idle / without", ratios, ".3f")
    if s == "d":
        vals = []
        for t in targets:
            j = load("d", t)
            try:
                srv = [x for x in j["servers"] if x.get("role") == "server"][0]
                vals.append(srv["rssPerConnectionBytes"] / 1024)
            except (TypeError, KeyError, IndexError):
                vals.append(None)
        row("d: KiB server RSS per idle logged-in connection", vals, ".2f")

w = max(len(r[0]) for r in rows) if rows else 10
# With the reference first, each other target's ratio to it.
compared = targets[1:] if len(targets) > 1 and targets[0] == "reference" else []
print()
print(f"{'':{w}}  " + "  ".join(f"{t:>10}" for t in targets) + "".join(f"  {t + '/ref':>14}" for t in compared))
for label, texts, values in rows:
    line = f"{label:{w}}  " + "  ".join(f"{x:>10}" for x in texts)
    a = values[0]
    for b in values[1:] if compared else []:
        ratio = b / a if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else None
        line += "  " + f"{fmt(ratio, '.2f'):>14}"
    print(line)
if compared:
    print("\nx/ref = x / reference; issue 12 wants CPU per delivery <= 0.5 in a, b/a <= 1.1, "
          "<= 8 KiB in d, and twice today's highest step in c.")
print(f"every run's JSON and log: {d}")
EOF
