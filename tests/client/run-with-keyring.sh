#!/bin/sh
# run-with-keyring.sh — run a test program against a real, private GNOME keyring
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/client/run-with-keyring.sh PROGRAM [ARGUMENT…]
#
# Makes a temporary directory that stands in for HOME, XDG_DATA_HOME,
# XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_RUNTIME_DIR, starts a private D-Bus
# session bus there (dbus-run-session), starts gnome-keyring-daemon on it with
# only its Secret Service, which creates and unlocks a login keyring from a
# password on its standard input, checks that the keyring's default collection
# is there and unlocked, and then runs PROGRAM inside that session. The user's
# own keyring and session bus are never touched, and everything goes away with
# the session: the bus, the daemon (ended by its process id if it has not left
# with its bus) and the directory. It needs no login session, no systemd and no
# display of its own, and works as root in a container as well as for an
# ordinary user.
#
# Nothing may wait for a person: the bus has a configuration of its own that
# names no service directories, so nothing can be activated on it — not a
# second keyring daemon, not gcr's password prompter, not a portal — and a
# keyring that would need a prompt fails the test instead of hanging it. Each
# step of the start has a timeout.
#
# The output is TAP, like PROGRAM's: a machine without dbus-run-session or
# gnome-keyring-daemon gets a "1..0 # SKIP" plan with the reason (Meson 1.0
# takes exit status 77 for an error in a TAP test, so this is how a TAP test
# skips), and a keyring that does not start gets "Bail out!" with the reason
# and exit status 1.

set -u

STEP_TIMEOUT=20

skip () {
  echo "1..0 # SKIP $*"
  echo "run-with-keyring: skipped: $*" >&2
  exit 0
}

bail_out () {
  echo "Bail out! $*"
  echo "run-with-keyring: $*" >&2
  if [ -n "${MC_KEYRING_TEST_DIR:-}" ] && [ -s "$MC_KEYRING_TEST_DIR/gnome-keyring.log" ]; then
    echo "run-with-keyring: gnome-keyring-daemon said:" >&2
    sed 's/^/  /' "$MC_KEYRING_TEST_DIR/gnome-keyring.log" >&2
  fi
  exit 1
}

# Inside the private session: start the keyring, check it, run the program.
in_session () {
  log="$MC_KEYRING_TEST_DIR/gnome-keyring.log"

  # --unlock reads the password of the login keyring from standard input and
  # creates the keyring when there is none; --daemonize returns once the
  # daemon runs. Its output (environment variables for the other components)
  # is not needed: the Secret Service is found on the bus. The daemon is not
  # ours and has warnings of its own (gnome-keyring 42 warns "asked to
  # register item …, but it's already registered" on every new item): the
  # tests' G_DEBUG=fatal-warnings must not reach it.
  printf '%s' "mentorcall-test-keyring" |
    timeout "$STEP_TIMEOUT" env -u G_DEBUG \
      gnome-keyring-daemon --unlock --components=secrets --daemonize \
      >"$MC_KEYRING_TEST_DIR/gnome-keyring.env" 2>"$log"
  status=$?
  if [ "$status" -eq 124 ]; then
    bail_out "gnome-keyring-daemon did not start within $STEP_TIMEOUT s"
  elif [ "$status" -ne 0 ]; then
    bail_out "gnome-keyring-daemon --unlock --components=secrets --daemonize failed" \
      "(exit status $status)"
  fi

  # --daemonize returns before the daemon has taken its name on the bus.
  waited=$(timeout "$STEP_TIMEOUT" gdbus wait --session --timeout "$STEP_TIMEOUT" \
             org.freedesktop.secrets 2>&1) ||
    bail_out "gnome-keyring-daemon did not appear on the private bus as" \
      "org.freedesktop.secrets within $STEP_TIMEOUT s${waited:+: $waited}"

  # The daemon leaves when its bus goes away, but not always at once: the
  # outer shell ends it by its process id when the session is over.
  owner=$(timeout "$STEP_TIMEOUT" gdbus call --session --dest org.freedesktop.DBus \
            --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets)
  printf '%s' "$owner" | sed -n 's/^(uint32 \([0-9]*\),)$/\1/p' \
    >"$MC_KEYRING_TEST_DIR/gnome-keyring.pid"

  # The app stores into the default collection: it must exist and be open.
  alias=$(timeout "$STEP_TIMEOUT" gdbus call --session --dest org.freedesktop.secrets \
            --object-path /org/freedesktop/secrets \
            --method org.freedesktop.Secret.Service.ReadAlias default 2>&1) ||
    bail_out "the Secret Service is not on the private bus: $alias"
  collection=$(printf '%s' "$alias" | sed -n "s/^(objectpath '\(.*\)',)\$/\1/p")
  if [ -z "$collection" ] || [ "$collection" = "/" ]; then
    bail_out "gnome-keyring-daemon has no default keyring (ReadAlias default: $alias)"
  fi

  locked=$(timeout "$STEP_TIMEOUT" gdbus call --session --dest org.freedesktop.secrets \
             --object-path "$collection" \
             --method org.freedesktop.DBus.Properties.Get \
             org.freedesktop.Secret.Collection Locked 2>&1) ||
    bail_out "cannot ask whether $collection is locked: $locked"
  if [ "$locked" != "(<false>,)" ]; then
    bail_out "the keyring $collection is still locked after --unlock ($locked)"
  fi

  echo "# run-with-keyring: gnome-keyring-daemon on a private bus, $collection unlocked"
  exec "$@"
}

if [ "${1:-}" = "--in-session" ]; then
  shift
  in_session "$@"
fi

if [ $# -eq 0 ]; then
  echo "usage: $0 PROGRAM [ARGUMENT…]" >&2
  exit 2
fi

for program in dbus-run-session dbus-daemon gnome-keyring-daemon gdbus timeout; do
  if ! command -v "$program" >/dev/null 2>&1; then
    case "$program" in
      dbus-run-session) package=dbus-bin ;;
      dbus-daemon) package=dbus-daemon ;;
      gnome-keyring-daemon) package=gnome-keyring ;;
      gdbus) package=libglib2.0-bin ;;
      *) package=coreutils ;;
    esac
    skip "$program not found (Debian package $package; build-aux/install-deps.sh installs it)"
  fi
done

MC_KEYRING_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mentorcall-keyring.XXXXXX") ||
  bail_out "cannot make a temporary directory"
export MC_KEYRING_TEST_DIR

# Ends the keyring daemon of this session if it is still there (checked by
# its environment, so that a recycled process id is left alone) and removes
# the directory.
clean_up () {
  pid=$(cat "$MC_KEYRING_TEST_DIR/gnome-keyring.pid" 2>/dev/null)
  if [ -n "$pid" ] &&
       grep -qzxF "MC_KEYRING_TEST_DIR=$MC_KEYRING_TEST_DIR" "/proc/$pid/environ" 2>/dev/null; then
    kill "$pid" 2>/dev/null
  fi
  rm -rf "$MC_KEYRING_TEST_DIR"
}

trap clean_up EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

mkdir -m 700 "$MC_KEYRING_TEST_DIR/home" "$MC_KEYRING_TEST_DIR/data" \
  "$MC_KEYRING_TEST_DIR/config" "$MC_KEYRING_TEST_DIR/cache" "$MC_KEYRING_TEST_DIR/runtime" ||
  bail_out "cannot populate $MC_KEYRING_TEST_DIR"

# A session bus that only listens in the temporary directory and can
# activate nothing.
cat >"$MC_KEYRING_TEST_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$MC_KEYRING_TEST_DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

export HOME="$MC_KEYRING_TEST_DIR/home"
export XDG_DATA_HOME="$MC_KEYRING_TEST_DIR/data"
export XDG_CONFIG_HOME="$MC_KEYRING_TEST_DIR/config"
export XDG_CACHE_HOME="$MC_KEYRING_TEST_DIR/cache"
export XDG_RUNTIME_DIR="$MC_KEYRING_TEST_DIR/runtime"
# The test program checks this before it goes near a keyring.
export MC_TEST_PRIVATE_KEYRING=1
unset GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

# Not exec: the trap removes the directory when the session is over.
dbus-run-session --config-file="$MC_KEYRING_TEST_DIR/bus.conf" -- \
  sh "$0" --in-session "$@"
