#!/usr/bin/env bash
# Takes the README's screenshots of the real app under Xvfb: the connect screen, a busy
# channel, reactions with a thread open, and search results, light and dark. A throwaway rill-server (--demo users alice, bob, carol) gets a
# conversation typed into it by the apps themselves, each driven through `rill --test-hook`.
#
#   docs/screenshots/take.sh [build-dir]     (default: ./build; needs bin/rill and bin/rill-server)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
bin=$build/bin
[ -x "$bin/rill" ] && [ -x "$bin/rill-server" ] || { echo "take.sh: build rill and rill-server first ($bin)" >&2; exit 1; }

if [ -z "${RILL_SHOTS_INSIDE_XVFB:-}" ]; then
  export RILL_SHOTS_INSIDE_XVFB=1
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$0" "$build"
fi

work=$(mktemp -d /tmp/rill-shots.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${RILL_SHOTS_KEEP:-}" ] && cp "$work"/*.out "$work"/*.err "$RILL_SHOTS_KEEP"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work
export QT_QUICK_BACKEND=software # Xvfb has no GPU; the software renderer is exact and stable
unset DBUS_SESSION_BUS_ADDRESS QT_QPA_PLATFORM
chmod 700 "$work"

"$bin/rill-server" --listen 127.0.0.1 --port 0 --data-dir "$work/server" --rate-limit 0 --demo \
  > "$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do
  grep -q "listening on" "$work/server.log" && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on [0-9.]* port \([0-9]*\).*/\1/p' "$work/server.log" | head -1)
[ -n "$port" ] || { cat "$work/server.log" >&2; exit 1; }
url="ws://127.0.0.1:$port"

# --- driving an app: one fifo in, one log out ----------------------------------------------
declare -A fd_of
start_app() { # name [extra args...]
  local name=$1; shift
  [ -p "$work/$name.in" ] || mkfifo "$work/$name.in"
  "$bin/rill" --profile "$name" --server "$url" --test-hook "$@" < "$work/$name.in" > "$work/$name.out" 2> "$work/$name.err" &
  pids+=($!)
  exec {fd}> "$work/$name.in"
  fd_of[$name]=$fd
  expect "$name" ready
}
send() { # name command...
  local name=$1; shift
  echo "$*" >&"${fd_of[$name]}"
}
expect() { # name line: waits until the app has printed exactly that line
  local name=$1 line=$2
  for _ in $(seq 300); do
    grep -qxF -- "$line" "$work/$name.out" 2>/dev/null && { : > "$work/$name.out.seen"; return 0; }
    sleep 0.1
  done
  echo "take.sh: $name never printed '$line'" >&2
  cat "$work/$name.out" "$work/$name.err" >&2
  exit 1
}
run() { # name command... and wait for its "ok"
  local name=$1; shift
  local before
  before=$(grep -c "^ok $1\$" "$work/$name.out" || true)
  send "$name" "$@"
  for _ in $(seq 300); do
    [ "$(grep -c "^ok $1\$" "$work/$name.out" || true)" -gt "$before" ] && return 0
    grep -q "^error $1" "$work/$name.out" && { cat "$work/$name.out" >&2; exit 1; }
    sleep 0.1
  done
  echo "take.sh: $name did not finish '$*'" >&2; exit 1
}
quit_app() {
  send "$1" quit
  expect "$1" "ok quit"
  exec {fd_of[$1]}>&-
}
sign_in() { # name user
  run "$1" set userField text "$2"
  run "$1" set passwordField text rill-demo
  run "$1" click signInButton
  expect "$1" "signedin $2"
}
say() { # name user channel text
  run "$1" type composerInput "$4"
  run "$1" key composerInput Return
  expect "$1" "message $3 $2 $4"
}

# --- the connect screen ----------------------------------------------------------------------
for theme in light dark; do
  start_app "connect-$theme" --theme "$theme"
  run "connect-$theme" resize 1100 720
  run "connect-$theme" set userField text alice
  run "connect-$theme" screenshot "$here/connect-$theme.png"
  quit_app "connect-$theme"
done

# --- a busy channel --------------------------------------------------------------------------
# Alice reads #general, then leaves; the others talk; she comes back to a divider and badges.
start_app alice --theme light
run alice resize 1200 760
sign_in alice alice
send alice settle; expect alice settled
run alice key composerInput Escape # read up to here
quit_app alice

start_app bob
start_app carol
sign_in bob bob
sign_in carol carol
say bob bob general "Build is green again! The flaky reconnect test was a real race, fixed in \`Session::onDropped\`."
say carol carol general "Nice catch. Did it also explain the duplicate message Dan saw on Monday?"
say bob bob general "Yes: the resend after a reconnect now carries the **same nonce**, so the server returns the original."
say bob bob general "Write-up here: https://example.org/wiki/reconnect"
say carol carol general "Reading it now."
run carol type composerInput "Two things for the release notes:"
run carol key composerInput Shift+Return
run carol type composerInput "- scrollback stays smooth on 100k messages"
run carol key composerInput Shift+Return
run carol type composerInput "- Ctrl+K quick switcher"
run carol key composerInput Return
expect carol 'message general carol Two things for the release notes:\n- scrollback stays smooth on 100k messages\n- Ctrl+K quick switcher'
say bob bob general "@alice can you sign off on the notes before stand-up?"
run carol key composerInput Ctrl+K # the quick switcher
run carol type switcherInput random
run carol key switcherInput Return
expect carol "current random"
say carol carol random "Cake in the kitchen, 3rd floor."
quit_app carol
run bob click member:alice # a direct message, from the member list
expect bob "current dm:alice:bob"
say bob bob dm:alice:bob "Got a minute after lunch? Want to show you the new scrollback."
run bob key composerInput Ctrl+K
run bob type switcherInput general
run bob key switcherInput Return
expect bob "current general"

start_app alice --theme light
run alice resize 1200 760
expect alice "signedin alice"
send alice settle; expect alice settled
run bob type composerInput "I'll also"   # leaves bob typing, for the indicator
run alice click channelHeader            # alice is looking: #general is read as she sees it
run alice wait channel:general unread 0
for theme in light dark; do
  run alice theme "$theme"
  send alice settle; expect alice settled
  run alice screenshot "$here/channel-$theme.png"
done

# --- reactions and a thread ----------------------------------------------------------------
# The row of a visible message whose text starts with $2: its "message:<id>" name.
row_of() { # name text-prefix
  local name=$1 prefix=$2 n entry id
  n=$(grep -c '^rows ' "$work/$name.out" || true)
  send "$name" rows
  for _ in $(seq 300); do
    [ "$(grep -c '^rows ' "$work/$name.out" || true)" -gt "$n" ] && break
    sleep 0.1
  done
  for entry in $(grep '^rows ' "$work/$name.out" | tail -1 | cut -d' ' -f3-); do
    id=${entry#*/}
    n=$(grep -c "^value message:$id text " "$work/$name.out" || true)
    send "$name" get "message:$id" text
    for _ in $(seq 100); do
      [ "$(grep -c "^value message:$id text " "$work/$name.out" || true)" -gt "$n" ] && break
      sleep 0.1
    done
    if grep "^value message:$id text " "$work/$name.out" | tail -1 | grep -qF "text $prefix"; then
      echo "message:$id"
      return 0
    fi
  done
  echo "take.sh: $name shows no message starting with '$prefix'" >&2
  exit 1
}
react() { # name row emoji
  run "$1" rclick "$2/messageText"
  run "$1" click "quickReaction:$3"
}
writeup=$(row_of alice "Write-up here")
nonce=$(row_of alice "Yes: the resend")
react alice "$nonce" "🎉"
react bob "$nonce" "🎉"
react bob "$nonce" "👍"
run alice rclick "$writeup/messageText"
run alice click replyInThreadItem
run alice type threadComposer/composerInput "Read it: the part about nonces is the clearest explanation I have seen."
run alice key threadComposer/composerInput Return
expect alice "message general alice Read it: the part about nonces is the clearest explanation I have seen."
for theme in light dark; do
  run alice theme "$theme"
  send alice settle; expect alice settled
  run alice screenshot "$here/thread-$theme.png"
done

# --- search everywhere ----------------------------------------------------------------------
run alice click closeThreadButton
run alice key composerInput Ctrl+Shift+F
run alice type searchInput nonce
run alice key searchInput Return
run alice wait searchResults count 2
for theme in light dark; do
  run alice theme "$theme"
  send alice settle; expect alice settled
  run alice screenshot "$here/search-$theme.png"
done

quit_app alice
quit_app bob
echo "take.sh: wrote $(cd "$here" && ls *.png | tr '\n' ' ')"
