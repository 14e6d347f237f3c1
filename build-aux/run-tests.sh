#!/bin/bash
# run-tests.sh — build Mentorcall and run its test suite
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/run-tests.sh [--werror] [--sanitize] [MESON-TEST-ARGUMENT…]
#
#   --werror     build with -Dwerror=true (what CI does)
#   --sanitize   build in build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer
#                (LeakSanitizer included) and run the tests under them
#
# Any other argument goes to `meson test`, e.g. a test name or `--suite server`.
# The exit status is meson's: 0 when the build worked and every test passed.
# Nothing here needs a display; tests only use 127.0.0.1.
#
# The plain run happens inside pg_virtualenv, which starts a throwaway
# PostgreSQL cluster in a temporary directory (on 127.0.0.1) and removes it
# after: the `postgresql` suite runs the server tests again with the store on
# it. The sanitized run leaves that suite out, to keep CI under its budget.

set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir"

werror=false
sanitize=false
test_args=()

while [ $# -gt 0 ]; do
  case "$1" in
    --werror) werror=true ;;
    --sanitize) sanitize=true ;;
    -h|--help)
      sed -n '4,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) test_args+=("$1") ;;
  esac
  shift
done

"$srcdir/build-aux/install-deps.sh"

if $sanitize; then
  builddir=build-asan
  setup_args=("-Db_sanitize=address,undefined" -Db_lundef=false)
else
  builddir=build
  setup_args=()
fi

if [ -f "$builddir/build.ninja" ]; then
  # An existing build dir may have been set up with the other --werror choice.
  meson configure "$builddir" -Dwerror="$werror" "${setup_args[@]}" >/dev/null
else
  rm -rf "$builddir"
  meson setup "$builddir" -Dwerror="$werror" "${setup_args[@]}"
fi

ninja -C "$builddir"

export LC_ALL=C.UTF-8
# No test may need a display or a session bus; make sure none is used by accident.
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

meson_test_args=(--print-errorlogs --num-processes 2)

if $sanitize; then
  # GLib 2.74 still has GSlice: make every allocation a real malloc() so ASan and LSan see it.
  export G_SLICE=always-malloc
  export G_DEBUG="${G_DEBUG:+$G_DEBUG,}gc-friendly"
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_summary=1:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_malloc=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:print_summary=1"
  export LSAN_OPTIONS="suppressions=$srcdir/build-aux/lsan.supp:print_suppressions=0"
  # Sanitized code runs a few times slower; give the tests room.
  meson_test_args+=(--timeout-multiplier 3)
fi

status=0
if $sanitize; then
  meson test -C "$builddir" "${meson_test_args[@]}" --no-suite postgresql "${test_args[@]}" ||
    status=$?
else
  # -t: the cluster lives in a temporary directory even as root; fsync off,
  # as nothing in it outlives the run.
  pg_virtualenv -t -v 15 -o fsync=off \
    env MENTORCALL_TEST_POSTGRESQL=1 \
    meson test -C "$builddir" "${meson_test_args[@]}" "${test_args[@]}" || status=$?
fi
exit "$status"
