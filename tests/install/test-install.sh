#!/bin/bash
# test-install.sh — `meson install` into a temporary DESTDIR, then run what it installed
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What a packager gets: the tree `meson install` makes (programs, desktop file,
# metainfo, icons, schema, D-Bus service, translations, systemd unit, example
# configuration, man pages), each file checked where a tool can check it, and
# nothing outside the prefix. Then the installed server runs on 127.0.0.1 with a
# free port and a temporary database, and the installed mentorcall-cli logs in
# and lists the demo lesson through it.
#
# tests/install/meson.build sets the environment: MESON, BUILD_ROOT, SOURCE_ROOT,
# PREFIX, BINDIR, DATADIR, MANDIR, SYSCONFDIR, LOCALEDIR, UNITDIR (absolute
# paths of the build's configuration), APP_ID and WITH_APP (yes or no).

set -euo pipefail

START_TIMEOUT=60

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

step () {
  echo "== $*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mentorcall-install.XXXXXX")
server_pid=""

cleanup () {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  exec 3<&- 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

destdir="$tmp/destdir"

step "meson install --destdir"
# The post-install steps (schema compilation, icon and desktop caches) skip
# themselves under a DESTDIR, so this works without root and leaves the
# system alone.
"$MESON" install -C "$BUILD_ROOT" --destdir "$destdir" --no-rebuild --skip-subprojects \
  >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "meson install failed"; }

root="$destdir$PREFIX"
bindir="$destdir$BINDIR"
datadir="$destdir$DATADIR"

step "everything is inside the prefix"
outside=$(find "$destdir" \( -type f -o -type l \) | while read -r path; do
  case "$path" in
    "$root"/*) ;;
    *) echo "$path" ;;
  esac
done)
[ -z "$outside" ] || fail "installed outside $PREFIX: $outside"

expect_file () {
  [ -f "$1" ] || fail "not installed: ${1#"$destdir"}"
  echo "  ${1#"$destdir"}"
}

expect_program () {
  [ -x "$1" ] || fail "not installed or not executable: ${1#"$destdir"}"
  echo "  ${1#"$destdir"}"
}

step "programs"
expect_program "$bindir/mentorcall-server"
expect_program "$bindir/mentorcall-cli"
[ "$WITH_APP" = no ] || expect_program "$bindir/mentorcall"

step "server: systemd unit, example configuration, man pages"
unit="$destdir$UNITDIR/mentorcall-server.service"
expect_file "$unit"
grep -qx "ExecStart=$BINDIR/mentorcall-server --config $SYSCONFDIR/mentorcall/mentorcall-server.conf" \
  "$unit" || fail "the unit does not start $BINDIR/mentorcall-server with the installed configuration"
conf="$destdir$SYSCONFDIR/mentorcall/mentorcall-server.conf"
expect_file "$conf"
"$bindir/mentorcall-server" --config "$conf" --check-config >/dev/null ||
  fail "the installed server refuses the installed configuration"
expect_file "$destdir$MANDIR/man1/mentorcall-server.1"
expect_file "$destdir$MANDIR/man1/mentorcall-cli.1"

if [ "$WITH_APP" != no ]; then
  step "app: desktop file, metainfo, icons, schema, D-Bus service, man page"
  desktop="$datadir/applications/$APP_ID.desktop"
  expect_file "$desktop"
  desktop-file-validate "$desktop" || fail "desktop-file-validate refuses the installed desktop file"
  grep -qx 'MimeType=x-scheme-handler/mentorcall;' "$desktop" || fail "no mentorcall:// handler"
  grep -qx 'DBusActivatable=true' "$desktop" || fail "the desktop file is not DBusActivatable"

  metainfo="$datadir/metainfo/$APP_ID.metainfo.xml"
  expect_file "$metainfo"
  appstreamcli validate --no-net "$metainfo" >"$tmp/appstream.log" 2>&1 ||
    { cat "$tmp/appstream.log" >&2; fail "appstreamcli refuses the installed metainfo"; }

  expect_file "$datadir/icons/hicolor/scalable/apps/$APP_ID.svg"
  expect_file "$datadir/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg"

  expect_file "$datadir/glib-2.0/schemas/$APP_ID.gschema.xml"
  glib-compile-schemas --strict --dry-run "$datadir/glib-2.0/schemas" ||
    fail "the installed schemas do not compile"

  service="$datadir/dbus-1/services/$APP_ID.service"
  expect_file "$service"
  grep -qx "Name=$APP_ID" "$service" || fail "the D-Bus service has the wrong name"
  grep -qx "Exec=$BINDIR/mentorcall --gapplication-service" "$service" ||
    fail "the D-Bus service does not start $BINDIR/mentorcall"

  expect_file "$destdir$MANDIR/man1/mentorcall.1"

  "$bindir/mentorcall" --help >"$tmp/help.txt" 2>&1 || { cat "$tmp/help.txt" >&2; fail "mentorcall --help"; }
  grep -q -- '--join' "$tmp/help.txt" || fail "mentorcall --help does not show --join"
fi

step "translations"
languages=$(sed -e 's/#.*//' "$SOURCE_ROOT/po/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d')
for language in $languages; do
  expect_file "$destdir$LOCALEDIR/$language/LC_MESSAGES/mentorcall.mo"
done
[ -n "$languages" ] || echo "  (po/LINGUAS lists no language)"

step "the installed server, on 127.0.0.1 with a free port"
cat >"$tmp/server.conf" <<CONF
[server]
listen=127.0.0.1:0
database=$tmp/data/mentorcall.db

[auth]
# Fast hashes: this is a test.
password-hash-strength=minimum
CONF
mkdir -p "$tmp/data"
mkfifo "$tmp/server.out"
"$bindir/mentorcall-server" --config "$tmp/server.conf" --demo >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
# Keep the read end open until the end: the server must never write into a
# closed pipe.
exec 3<"$tmp/server.out"

url=""
while IFS= read -r -t "$START_TIMEOUT" line <&3; do
  echo "  server: $line"
  case "$line" in
    "Listening on "*) url=${line#Listening on }; break ;;
  esac
done 2>/dev/null || true
[ -n "$url" ] || { cat "$tmp/server.err" >&2; fail "the installed server did not start listening"; }

step "the installed mentorcall-cli against it"
export XDG_CONFIG_HOME="$tmp/config"
cli="$bindir/mentorcall-cli"
MENTORCALL_PASSWORD=mentor-demo "$cli" --server "$url" login maria >"$tmp/cli.out" 2>&1 ||
  { cat "$tmp/cli.out" >&2; fail "mentorcall-cli login"; }
cat "$tmp/cli.out"
grep -q "as maria" "$tmp/cli.out" || fail "mentorcall-cli login did not log in"

"$cli" bookings >"$tmp/cli.out" 2>&1 || { cat "$tmp/cli.out" >&2; fail "mentorcall-cli bookings"; }
cat "$tmp/cli.out"
grep -q "confirmed.*open.*Sam Tran" "$tmp/cli.out" ||
  fail "mentorcall-cli bookings does not list the demo lesson, open to join"

"$cli" logout >/dev/null 2>&1 || fail "mentorcall-cli logout"

step "the server stops cleanly"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || { cat "$tmp/server.err" >&2; fail "the server exited with status $status"; }

echo "All installed files and programs work."
