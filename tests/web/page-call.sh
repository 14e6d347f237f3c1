#!/bin/sh
# page-call.sh — the web page (headless Chromium, student) and mentorcall-cli
# (mentor) hold a call over loopback inside a network namespace of their own.
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: page-call.sh SERVER CLI [ROLE]  (run by meson test; skips without
# chromium or unshare). ROLE is the page's: student (default) or mentor. Inside "unshare --net" only lo exists, so nothing
# leaves the machine. The page reports what it sees to the console
# ("MC-REPORT {json}"), the CLI writes its statistics as JSON; both must show
# video and audio arriving, and chat must cross both ways.

set -eu

SERVER=$(readlink -f "$1")
CLI=$(readlink -f "$2")
ROLE=${3:-student}
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ "$ROLE" = mentor ]; then
  PAGE_USER=maria PAGE_PASSWORD=mentor-demo CLI_USER=sam CLI_PASSWORD=student-demo
else
  PAGE_USER=sam PAGE_PASSWORD=student-demo CLI_USER=maria CLI_PASSWORD=mentor-demo
fi

if [ -z "$CHROMIUM" ]; then
  echo "1..0 # SKIP chromium is not installed (apt install chromium)"
  exit 0
fi

if [ -z "${MC_IN_NAMESPACE:-}" ]; then
  if ! unshare --net true 2>/dev/null; then
    echo "1..0 # SKIP cannot create a network namespace (unshare --net)"
    exit 0
  fi
  MC_IN_NAMESPACE=1 exec unshare --net "$0" "$@"
fi

ip link set lo up

DIR=$(mktemp -d /tmp/mentorcall-web-XXXXXX)
PORT=18931
cleanup () {
  for pid in ${PIDS:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${MC_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

export HOME=$DIR XDG_CONFIG_HOME=$DIR/config XDG_DATA_HOME=$DIR/data XDG_CACHE_HOME=$DIR/cache
export XDG_STATE_HOME=$DIR/state

"$SERVER" --listen 127.0.0.1:$PORT --database "$DIR/db" --demo >"$DIR/server.log" 2>&1 &
PIDS=$!
for i in $(seq 50); do
  grep -q Listening "$DIR/server.log" && break
  sleep 0.1
done
BOOKING=$(sed -n 's/^Demo booking \([0-9]*\):.*/\1/p' "$DIR/server.log")

echo "1..6"

MENTORCALL_PASSWORD=$CLI_PASSWORD "$CLI" --server http://127.0.0.1:$PORT login $CLI_USER >/dev/null
"$CLI" join "$BOOKING" --test-sources --ice-address 127.0.0.1 --fake-audio-output \
  --width 320 --height 240 --duration 25 --require-media --end --stats-json "$DIR/cli-stats.json" \
  >"$DIR/cli.log" 2>&1 &
CLI_PID=$!
PIDS="$PIDS $CLI_PID"

"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --use-fake-ui-for-media-stream \
  --use-fake-device-for-media-stream --user-data-dir="$DIR/chromium" --enable-logging=stderr \
  --window-size=1100,700 --allow-loopback-in-peer-connection \
  --disable-features=WebRtcHideLocalIpsWithMdns \
  "http://127.0.0.1:$PORT/app/#test=$PAGE_USER:$PAGE_PASSWORD:$BOOKING:hello%20from%20the%20page" \
  >"$DIR/chromium.log" 2>&1 &
PIDS="$PIDS $!"

sleep 8
MENTORCALL_PASSWORD=x "$CLI" chat "$BOOKING" "hello from the cli" >/dev/null 2>&1 || true
wait "$CLI_PID" && CLI_STATUS=0 || CLI_STATUS=$?
sleep 2 # the page reports every 0.5 s: let it report the end

REPORT=$(grep -o 'MC-REPORT .*' "$DIR/chromium.log" | tail -1 | sed 's/^MC-REPORT //; s/", source: .*//')
echo "# page: $REPORT"
echo "# cli: $(tr -d '\n' < "$DIR/cli-stats.json" 2>/dev/null | cut -c1-400)"

result () { if [ "$1" = 0 ]; then echo "ok $2"; else echo "not ok $2"; FAILED=1; fi; }
FAILED=0
result "$CLI_STATUS" "1 mentorcall-cli ($CLI_USER) got video and audio from the page"
echo "$REPORT" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read().strip().rstrip("\"").replace("\\\"", "\""))
sys.exit(0 if r["inbound"]["video"]["frames"] > 10 and r["inbound"]["audio"]["packets"] > 10 else 1)' \
  && result 0 "2 the page ($PAGE_USER) got video and audio" || result 1 "2 the page ($PAGE_USER) got video and audio"
echo "$REPORT" | grep -q 'hello from the cli' && result 0 "3 chat from the cli reached the page" \
  || result 1 "3 chat from the cli reached the page"
grep -q 'hello from the page' "$DIR/cli.log" && result 0 "4 chat from the page reached the cli" \
  || result 1 "4 chat from the page reached the cli"
echo "$REPORT" | grep -q '"ended":true' && result 0 "5 the page saw the lesson end" \
  || result 1 "5 the page saw the lesson end"
grep -q '"remote_muted_seen" *: *true' "$DIR/cli-stats.json" && result 0 "6 the cli saw the page mute" \
  || result 1 "6 the cli saw the page mute"
if [ "$FAILED" != 0 ]; then
  sed 's/^/# server: /' "$DIR/server.log" | tail -20
  sed 's/^/# cli: /' "$DIR/cli.log" | tail -30
  grep -v MC-REPORT "$DIR/chromium.log" | sed 's/^/# chromium: /' | tail -20
fi
exit $FAILED
