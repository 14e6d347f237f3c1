#!/bin/sh
# page-refusal.sh — a refused signaling WebSocket shows its reason on the web
# page (headless Chromium), in English and in Vietnamese.
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: page-refusal.sh SERVER  (run by meson test; skips without chromium or
# unshare). Runs inside "unshare --net", where only lo exists.
#
# The server says its address is http://localhost:PORT (--public-url), so the
# signaling URL it hands out is ws://localhost:PORT/api/v1/ws:
# - a page loaded from http://127.0.0.1:PORT/app/ may use the REST API (its
#   own origin, by the Host it asked for) but its WebSocket goes to another
#   host, which does not know its Origin and is not told to allow it
#   (allowed-origins is empty): refused after the upgrade, close 4005; the
#   page says so and does not try again;
# - a page loaded from http://localhost:PORT/app/ is given a ticket the test
#   asked for and let expire (the server's test clock moved 31 s on): refused,
#   error "ticket_expired", close 4004; the page says the ticket expired,
#   takes a new one and joins.
# The page reports what it shows ("MC-REPORT {json}" on the console, every
# 0.5 s): the notice on screen, the notices and error codes it got, the close code, the
# language of the page.

set -eu

SERVER=$(readlink -f "$1")
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}

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

DIR=$(mktemp -d /tmp/mentorcall-web-refusal-XXXXXX)
PORT=18932
ADMIN_KEY=refusal-test-admin-key-0123456789abcdef
cleanup () {
  for pid in ${PIDS:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${MC_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

export HOME=$DIR XDG_CONFIG_HOME=$DIR/config XDG_DATA_HOME=$DIR/data XDG_CACHE_HOME=$DIR/cache
export XDG_STATE_HOME=$DIR/state

MENTORCALL_ADMIN_API_KEY=$ADMIN_KEY "$SERVER" --listen 127.0.0.1:$PORT --database "$DIR/db" \
  --demo --test-clock --public-url "http://localhost:$PORT" >"$DIR/server.log" 2>&1 &
PIDS=$!
for i in $(seq 50); do
  grep -q Listening "$DIR/server.log" && break
  sleep 0.1
done
BOOKING=$(sed -n 's/^Demo booking \([0-9]*\):.*/\1/p' "$DIR/server.log")

FAILED=0
N=0
result () {
  N=$((N + 1))
  if [ "$1" = 0 ]; then echo "ok $N $2"; else echo "not ok $N $2"; FAILED=1; fi
}

# run_page NAME LANG URL CHECK: opens URL in Chromium with LANG as the
# browser's language until a report satisfies CHECK (a Python expression on
# the report r, ending the wait early), or 30 s. The last report is left in
# $DIR/NAME.report.
run_page () {
  name=$1 lang=$2 url=$3 check=$4
  LANGUAGE=$lang "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --use-fake-ui-for-media-stream \
    --use-fake-device-for-media-stream --user-data-dir="$DIR/chromium-$name" \
    --enable-logging=stderr --window-size=1100,700 --lang="$lang" --accept-lang="$lang" \
    "$url" >"$DIR/$name.log" 2>&1 &
  chromium_pid=$!
  PIDS="$PIDS $chromium_pid"
  for i in $(seq 60); do
    sleep 0.5
    grep -o 'MC-REPORT .*' "$DIR/$name.log" | tail -1 | sed 's/^MC-REPORT //; s/", source: .*//' \
      >"$DIR/$name.report"
    if check_report "$DIR/$name.report" "$check"; then
      break
    fi
  done
  kill "$chromium_pid" 2>/dev/null || true
  wait "$chromium_pid" 2>/dev/null || true
  echo "# $name: $(cat "$DIR/$name.report")"
}

# check_report FILE CHECK: whether the report in FILE satisfies CHECK.
check_report () {
  python3 - "$1" "$2" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read().strip()
if not text:
    sys.exit(1)
r = json.loads(text.rstrip('"').replace('\\"', '"'))
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

# A ticket of sam's (a session of its own, as a second tab would have),
# expired by the time the page uses it.
expired_ticket () {
  token=$(curl -sf -H 'Content-Type: application/json' \
    -d '{"username": "sam", "password": "student-demo"}' \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  ticket=$(curl -sf -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/ws-ticket" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["ticket"])')
  curl -sf -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d '{"advance": 31}' "http://127.0.0.1:$PORT/api/v1/admin/test-clock" >/dev/null
  python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$ticket"
}

echo "1..4"

for lang in en vi; do
  if [ "$lang" = vi ]; then
    ORIGIN_TEXT='Máy chủ không cho phép địa chỉ của trang này.'
    EXPIRED_TEXT='Vé kết nối đã hết hạn trước khi được dùng; đang thử lại với vé mới.'
  else
    ORIGIN_TEXT='This page’s address is not allowed by the server.'
    EXPIRED_TEXT='The connection ticket expired before it was used; trying again with a new one.'
  fi

  run_page "origin-$lang" "$lang" "http://127.0.0.1:$PORT/app/#test=sam:student-demo:$BOOKING" \
    "r['closeCode'] == 4005"
  check_report "$DIR/origin-$lang.report" \
    "r['closeCode'] == 4005 and r['lang'] == '$lang' and r['notice'] == '$ORIGIN_TEXT' and not r['joined']" &&
    result 0 "a page from a disallowed origin ($lang) shows why it was refused" ||
    result 1 "a page from a disallowed origin ($lang) shows why it was refused"

  TICKET=$(expired_ticket)
  run_page "expired-$lang" "$lang" \
    "http://localhost:$PORT/app/#test=sam:student-demo:$BOOKING&ticket=$TICKET" "r['joined']"
  check_report "$DIR/expired-$lang.report" \
    "r['lang'] == '$lang' and '$EXPIRED_TEXT' in r['errors'] and r['joined'] and r['notice'] is None" &&
    result 0 "a page with an expired ticket ($lang) says so, then joins with a new one" ||
    result 1 "a page with an expired ticket ($lang) says so, then joins with a new one"
done

if [ "$FAILED" != 0 ]; then
  sed 's/^/# server: /' "$DIR/server.log" | tail -30
  for f in "$DIR"/*.log; do
    grep -v MC-REPORT "$f" | sed "s|^|# $(basename "$f"): |" | tail -10
  done
fi
exit $FAILED
