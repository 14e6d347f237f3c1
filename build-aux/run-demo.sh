#!/bin/bash
# run-demo.sh — build Mentorcall and run a demo server with demo accounts
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/run-demo.sh
#
# Installs what is missing, builds in build/, seeds a demo database under
# ${XDG_DATA_HOME:-~/.local/share}/mentorcall-demo/ (mentor maria / mentor-demo,
# student sam / student-demo, one confirmed lesson that can be joined now) and runs
# the server on 127.0.0.1 in the foreground until Ctrl+C.
#
# Environment: MENTORCALL_PORT (default 8080).

set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir"

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

Stop the server with Ctrl+C.

GUIDE

# --- Run ----------------------------------------------------------------------

# Later issues: once the app (src/client) and the headless client exist, this is
# where the demo starts the server in the background, waits for its
# "Listening on" line, opens two app windows logged in as maria and as sam
# (test sources instead of camera and microphone when there are none), joins the
# demo lesson from both, and stops everything on Ctrl+C. Until then the server
# runs in the foreground.

exec "$server" \
  --database "$database" \
  --listen "127.0.0.1:$port" \
  --admin-api-key-file "$admin_key_file"
