#!/bin/sh
# pw-link-screen.sh — the session manager's part, for the tests
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: pw-link-screen.sh OUTPUT-PORT   (with XDG_RUNTIME_DIR of the daemon)
#
# On a desktop, WirePlumber links a screen-cast stream to the application
# that the portal granted it to. The tests' private daemon has no session
# manager, so this links OUTPUT-PORT to every input port that appears,
# every 100 ms, until it is killed. Links that exist already fail quietly.

set -u
output=$1

while :; do
  pw-link --input 2>/dev/null | while read -r port; do
    pw-link "$output" "$port" >/dev/null 2>&1
  done
  sleep 0.1
done
