#!/bin/sh
# in-netns.sh — runs a test program in a network namespace of its own with
# only lo up, so that a browser's ICE candidates stay on loopback; a TAP
# skip when no namespace can be made (not root, no unshare).
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: in-netns.sh PROGRAM [ARGUMENT...]

set -eu

if [ -z "${MC_IN_NAMESPACE:-}" ]; then
  if ! unshare --net true 2>/dev/null; then
    echo "1..0 # SKIP cannot create a network namespace (unshare --net)"
    exit 0
  fi
  MC_IN_NAMESPACE=1 exec unshare --net "$0" "$@"
fi

ip link set lo up
exec "$@"
