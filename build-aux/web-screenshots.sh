#!/bin/sh
# web-screenshots.sh — the web page's screenshots in docs/screenshots; run as
# "unshare --net build-aux/web-screenshots.sh" after a build (needs chromium).
# Screenshots of the page: login, lessons (with the rejoin banner), a call with the CLI (the
# page as the student), and a refused connection (a page reached under another address than the
# server's public URL).
set -eu
ip link set lo up
W=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/mc-shots-XXXXXX)
export HOME=$D XDG_CONFIG_HOME=$D/c XDG_DATA_HOME=$D/d XDG_CACHE_HOME=$D/k XDG_STATE_HOME=$D/s
$W/build/src/server/mentorcall-server --listen 127.0.0.1:18950 --database $D/db --demo > $D/server.log 2>&1 &
S=$!
sleep 1.5
C="chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --use-fake-ui-for-media-stream --use-fake-device-for-media-stream --allow-loopback-in-peer-connection --disable-features=WebRtcHideLocalIpsWithMdns --window-size=1200,760 --hide-scrollbars"
$C --user-data-dir=$D/p1 --virtual-time-budget=4000 --screenshot=$W/docs/screenshots/web-login.png http://127.0.0.1:18950/app/ >/dev/null 2>&1
MENTORCALL_PASSWORD=mentor-demo $W/build/src/cli/mentorcall-cli --server http://127.0.0.1:18950 login maria >/dev/null
$W/build/src/cli/mentorcall-cli join 1 --test-sources --ice-address 127.0.0.1 --fake-audio-output --width 640 --height 480 --duration 30 > $D/cli.log 2>&1 &
sleep 3
$W/build/src/cli/mentorcall-cli chat 1 "Hi Sam, can you see the board?" >/dev/null 2>&1 || true
# the call: the page in test mode joins as the student; screenshot after some seconds of real time
$C --user-data-dir=$D/p3 --accept-lang=vi-VN --lang=vi-VN --screenshot=$W/docs/screenshots/web-lessons-vi.png --virtual-time-budget=5000 "http://127.0.0.1:18950/app/#test=sam:student-demo:0" >/dev/null 2>&1 || true
$C --user-data-dir=$D/p2 --screenshot=$W/docs/screenshots/web-lessons.png --virtual-time-budget=5000 "http://127.0.0.1:18950/app/#test=sam:student-demo:0" >$D/chrome2.log 2>&1 || true
# In the call: the page joins as the student, the CLI is the mentor; real time, not virtual.
$W/build/src/cli/mentorcall-cli join 1 --test-sources --ice-address 127.0.0.1 --fake-audio-output --width 640 --height 480 --duration 40 > $D/cli2.log 2>&1 &
sleep 2
$W/build-aux/web-screenshot.py $W/docs/screenshots/web-call.png 14 "http://127.0.0.1:18950/app/#test=sam:student-demo:1:Hello%20Maria%2C%20yes%20I%20can" $C --user-data-dir=$D/p4 >$D/chrome4.log 2>&1 || true
kill $S 2>/dev/null || true
# Refused: the server's public URL is http://localhost:18951, the page is opened at 127.0.0.1.
$W/build/src/server/mentorcall-server --listen 127.0.0.1:18951 --database $D/db2 --demo --public-url http://localhost:18951 > $D/server2.log 2>&1 &
S=$!
sleep 1.5
$W/build-aux/web-screenshot.py $W/docs/screenshots/web-refused.png 6 "http://127.0.0.1:18951/app/#test=sam:student-demo:1" $C --user-data-dir=$D/p5 >/dev/null 2>&1 || true
kill $S 2>/dev/null || true
echo $D
