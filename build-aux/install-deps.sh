#!/bin/sh
# install-deps.sh — install what Mentorcall needs to build and test on Debian 12
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs only the packages that are missing, so a machine that has everything
# does nothing (and needs neither root nor the network). Runs `apt-get update`
# only when something is missing. Safe to run any number of times.
#
# Installs with --no-install-recommends, so every package a program, a test or
# a script uses must be named here: tests/engine/test-dependencies.c checks
# that the package of every GStreamer element the engine can create, and of
# every program the tests and scripts run, is in this list.

set -eu

PACKAGES="
  meson
  ninja-build
  pkg-config
  gcc
  clang
  libclang-rt-14-dev
  iproute2
  libglib2.0-dev
  libxml2-utils
  libsoup-3.0-dev
  libjson-glib-dev
  libsodium-dev
  libsqlite3-dev
  sqlite3
  libpq-dev
  postgresql
  postgresql-common
  glib-networking
  gettext
  python3
  desktop-file-utils
  appstream
  groff-base
  coturn
  haproxy
  chromium
  curl
  openssl
  ca-certificates
  libgstreamer1.0-0
  libgstreamer1.0-dev
  libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev
  libnice-dev
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  gstreamer1.0-nice
  gstreamer1.0-x
  gstreamer1.0-pipewire
  pipewire-bin
  mutter
  libportal-dev
  libportal-gtk4-dev
  python3-dbusmock
  python3-dbus
  python3-gi
  libgtk-4-dev
  libgtk-4-bin
  libadwaita-1-dev
  libsecret-1-dev
  gnome-keyring
  libglib2.0-bin
  xvfb
  xauth
  dbus
  dbus-x11
"

missing=""
for package in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *" ok installed") ;;
    *) missing="$missing $package" ;;
  esac
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "install-deps: installing:$missing" >&2

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install these packages by hand:$missing" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install-deps: not root and no sudo; install these packages by hand:$missing" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # the list is meant to be split into words
$SUDO env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends $missing
