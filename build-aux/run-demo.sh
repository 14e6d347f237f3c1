#!/bin/bash
# run-demo.sh — build Mentorcall and run a demo server with demo accounts
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/run-demo.sh [--call-only]
#
# Installs what is missing, builds in build/, seeds a demo database under
# ${XDG_DATA_HOME:-~/.local/share}/mentorcall-demo/ (mentor maria / mentor-demo,
# student sam / student-demo, one confirmed lesson that can be joined now), starts
# the server on 127.0.0.1, runs a real call between the mentor and the student
# (two mentorcall-cli processes, peer to peer over webrtcbin, test pattern and
# tone, ICE on 127.0.0.1), prints what each side received, then opens two app
# windows, Maria's and Sam's, each with its own profile, which log in and join
# the lesson (when there is a display), and keeps the server running until Ctrl+C.
# If the demo call fails, it says why, stops the server and exits non-zero.
#
#   --call-only  stop after the demo call (exit 0 when it worked): no app
#                windows, no server left running; what check-fresh-machine.sh runs
#
# Environment: MENTORCALL_PORT (default 8080), MENTORCALL_DEMO_SECONDS (length
# of the demo call, default 15). The app windows speak the language of LANGUAGE
# or LANG, e.g. `LANGUAGE=vi build-aux/run-demo.sh`.

set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir"

call_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --call-only) call_only=true ;;
    -h|--help) sed -n '4,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-demo: unknown argument '$1'; try --help" >&2; exit 2 ;;
  esac
  shift
done

port="${MENTORCALL_PORT:-8080}"
case "$port" in
  ''|*[!0-9]*) echo "run-demo: MENTORCALL_PORT must be a port number, not '$port'" >&2; exit 2 ;;
esac
url="http://127.0.0.1:$port"

demodir="${XDG_DATA_HOME:-$HOME/.local/share}/mentorcall-demo"
database="$demodir/mentorcall.db"
admin_key_file="$demodir/admin-api-key"

# --- Build --------------------------------------------------------------------

"$srcdir/build-aux/install-deps.sh"

if [ ! -f build/build.ninja ]; then
  rm -rf build
  meson setup build
fi
ninja -C build

server="$srcdir/build/src/server/mentorcall-server"
cli="$srcdir/build/src/cli/mentorcall-cli"
seconds="${MENTORCALL_DEMO_SECONDS:-15}"
case "$seconds" in
  ''|*[!0-9]*) echo "run-demo: MENTORCALL_DEMO_SECONDS must be a number, not '$seconds'" >&2; exit 2 ;;
esac

# --- Demo data ----------------------------------------------------------------

mkdir -p "$demodir"
chmod 700 "$demodir"

if [ ! -s "$admin_key_file" ]; then
  (umask 077 && openssl rand -hex 32 >"$admin_key_file")
fi

# Creates maria, sam and a lesson that is joinable now, unless they already exist,
# and says which booking that is ("Demo booking 7: ...").
demo_output=$("$server" --database "$database" demo-data)
printf '%s\n' "$demo_output"
booking_id=$(printf '%s\n' "$demo_output" | sed -n 's/^Demo booking \([0-9][0-9]*\):.*/\1/p' | head -n 1)
booking_id="${booking_id:-1}"

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "run-demo: something already listens on 127.0.0.1:$port;" \
       "stop it or choose another port with MENTORCALL_PORT=8081 $0" >&2
  exit 1
fi

# --- Server -------------------------------------------------------------------

server_log="$demodir/server.log"
"$server" \
  --database "$database" \
  --listen "127.0.0.1:$port" \
  --admin-api-key-file "$admin_key_file" >"$server_log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT

for _ in $(seq 100); do
  grep -q '^Listening on' "$server_log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; exit 1; }
  sleep 0.1
done
grep '^Listening on' "$server_log"

# --- A real call between the mentor and the student ---------------------------

# Each side is its own process with its own session, as two people would be.
for who in maria:mentor-demo sam:student-demo; do
  user=${who%%:*}
  XDG_CONFIG_HOME="$demodir/$user" MENTORCALL_PASSWORD=${who#*:} \
    "$cli" --server "$url/" login "$user"
done

echo
echo "A ${seconds}-second call between Maria (mentor) and Sam (student), booking $booking_id:"
join_options=(--test-sources --ice-address 127.0.0.1 --fake-audio-output --stamp-frames
              --require-media --duration "$seconds")
XDG_CONFIG_HOME="$demodir/maria" "$cli" join "$booking_id" "${join_options[@]}" \
  --stats-json "$demodir/call-maria.json" 2>&1 | grep -v ' stats ' | sed 's/^/  maria  /' &
maria_pid=$!
sleep 1
call_ok=true
XDG_CONFIG_HOME="$demodir/sam" "$cli" join "$booking_id" "${join_options[@]}" \
  --stats-json "$demodir/call-sam.json" 2>&1 | grep -v ' stats ' | sed 's/^/  sam    /' ||
  call_ok=false
wait "$maria_pid" || call_ok=false
if ! $call_ok; then
  echo >&2
  echo "run-demo: the demo call did not work; the lines above say why." >&2
  echo "run-demo: \`$cli check\` lists the GStreamer elements a call needs;" \
       "the server's log is $server_log. Stopping the server." >&2
  exit 1
fi

python3 - "$demodir/call-maria.json" "$demodir/call-sam.json" <<'SUMMARY' || true
import json, sys
print()
for path in sys.argv[1:]:
    d = json.load(open(path))
    lat = d.get("latency", {})
    print(f"  {d['role']:7} first remote frame {d['time_to_first_frame_ms'] or 0:.0f} ms, "
          f"{d['frames_decoded']} video frames, {d['audio_buffers_received']} audio buffers, "
          f"frame latency p50 {lat.get('p50_ms', 0):.1f} ms, CPU {d['cpu_s']:.1f} s, "
          f"peak memory {d['max_rss_kib'] // 1024} MiB")
SUMMARY

if $call_only; then
  echo
  echo "The demo call worked; stopping the server (--call-only)."
  exit 0
fi

# --- How to try it ------------------------------------------------------------

cat <<GUIDE

Mentorcall demo server: $url
  database       $database
  admin API key  $admin_key_file

Demo accounts: maria / mentor-demo (mentor), sam / student-demo (student)

Try it from another terminal:

  # log in as Maria and keep the session token
  TOKEN=\$(curl -s $url/api/v1/auth/login -H 'Content-Type: application/json' \\
      -d '{"username":"maria","password":"mentor-demo"}' |
    sed -n 's/.*"token" *: *"\\([^"]*\\)".*/\\1/p')

  # her bookings (the demo lesson is joinable now)
  curl -s $url/api/v1/bookings -H "Authorization: Bearer \$TOKEN"

  # a call token for the demo lesson, booking $booking_id
  curl -s -X POST $url/api/v1/bookings/$booking_id/call-token -H "Authorization: Bearer \$TOKEN"

  # the admin API
  curl -s $url/api/v1/admin/users -H "Authorization: Bearer \$(cat '$admin_key_file')"

  # or the headless client: another call, the chat
  XDG_CONFIG_HOME=$demodir/maria $cli join $booking_id --test-sources --ice-address 127.0.0.1
  XDG_CONFIG_HOME=$demodir/sam $cli chat $booking_id "Hello, Maria"

Stop the server with Ctrl+C.

GUIDE

# --- Two app windows in the same lesson -----------------------------------------

app="$srcdir/build/src/client/mentorcall"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$app" ]; then
  # Each window is its own person: its own settings, data and session bus (so the
  # two are separate app instances), logged in from MENTORCALL_PASSWORD and
  # joining the demo lesson by itself. The student sends a test pattern, so that
  # one camera is not wanted twice; the mentor uses the camera and microphone when
  # there are any, and a test pattern otherwise.
  open_app () {
    local user=$1 password=$2 test_sources=$3
    local profile="$demodir/app-$user"
    mkdir -p "$profile/config" "$profile/data" "$profile/cache"
    env XDG_CONFIG_HOME="$profile/config" XDG_DATA_HOME="$profile/data" \
        XDG_CACHE_HOME="$profile/cache" GSETTINGS_BACKEND=keyfile \
        GSETTINGS_SCHEMA_DIR="$srcdir/build/data" MENTORCALL_PASSWORD="$password" \
        MENTORCALL_LOCALEDIR="$srcdir/build/po" LC_ALL="$app_locale" \
        dbus-run-session -- sh -c '
          gsettings set io.github.mentorcall.Mentorcall server-url "$0" &&
          gsettings set io.github.mentorcall.Mentorcall username "$1" &&
          gsettings set io.github.mentorcall.Mentorcall test-sources "$2" &&
          gsettings set io.github.mentorcall.Mentorcall ice-addresses "[\"127.0.0.1\"]" &&
          exec "$3" --join "$4"' \
        "$url/" "$user" "$test_sources" "$app" "$booking_id" \
        >"$profile/app.log" 2>&1 &
  }

  # The uninstalled app finds its translations in the build tree. gettext
  # ignores LANGUAGE in the C locale, which is what a fresh machine without
  # LANG has: then the apps run in C.UTF-8, where LANGUAGE=vi works.
  app_locale=${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}
  case "$app_locale" in ''|C|POSIX) app_locale=C.UTF-8 ;; esac

  echo
  echo "Opening two app windows: Maria (mentor) and Sam (student) join lesson $booking_id."
  echo "Close them when you are done; the server keeps running until Ctrl+C."
  open_app maria mentor-demo false
  sleep 2
  open_app sam student-demo true
else
  echo
  echo "No display: the app windows are skipped (run this from a desktop session to see them)."
fi

# --- Keep serving -------------------------------------------------------------

wait "$server_pid"
