#!/bin/sh
# netns-cli.sh — mentorcall-cli in a namespace of the network benchmark
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench-network.c sets MENTORCALL_CLI to this script, so that the shared
# test helpers (tests/cli/mc-test-cli.c) start every mentorcall-cli of a
# participant inside that participant's network namespace
# ($MC_BENCH_NETNS). They pass "--ice-address 127.0.0.1", as every test
# does; here each such address becomes the participant's end of the shaped
# link ($MC_BENCH_ICE_ADDRESS), so that ICE can use that path only. `ip
# netns exec` execs the CLI: the process id stays the one the helpers know.

set -eu

previous=
first=1
for argument in "$@"; do
  if [ "$first" = 1 ]; then
    set --
    first=0
  fi
  if [ "$previous" = --ice-address ]; then
    argument=$MC_BENCH_ICE_ADDRESS
  fi
  set -- "$@" "$argument"
  previous=$argument
done

MENTORCALL_ICE_ADDRESSES=$MC_BENCH_ICE_ADDRESS
export MENTORCALL_ICE_ADDRESSES
exec ip netns exec "$MC_BENCH_NETNS" "$MC_BENCH_CLI" "$@"
