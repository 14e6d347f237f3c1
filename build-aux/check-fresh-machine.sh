#!/bin/bash
# check-fresh-machine.sh — run the README's two commands on a new, minimal Debian 12
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/check-fresh-machine.sh [--keep] [--skip-tests] [--root DIR]
#
# Builds a minimal Debian 12 root with mmdebstrap (variant minbase: no
# recommends, nothing a developer's machine happens to have) from the APT
# sources this machine already uses, copies a clean clone of HEAD into it, and
# runs there, as a new user would, with no display:
#
#   build-aux/run-demo.sh --call-only     (a short demo call; must exit 0)
#   build-aux/run-tests.sh                (the whole suite; must pass)
#
# It prints what failed and exits non-zero then. Run it (as root: it chroots
# and mounts /proc, /sys, /dev) whenever build-aux/install-deps.sh, the build
# or a script the tests run changes. It takes a while (about 20 minutes on 2
# cores) and needs the Debian mirror, so CI does not run it.
#
#   --keep        keep the root afterwards (default: removed at the end)
#   --skip-tests  only the demo call
#   --root DIR    where to build the root (default: a new directory in /var/tmp)
#   Environment: MENTORCALL_DEMO_SECONDS (default here 5)

set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

keep=false
run_tests=true
root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=true ;;
    --skip-tests) run_tests=false ;;
    --root) shift; root=$1 ;;
    -h|--help) sed -n '4,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-fresh-machine: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "check-fresh-machine: run as root (it builds a root file system and chroots into it)" >&2
  exit 2
fi

if ! command -v mmdebstrap >/dev/null 2>&1; then
  echo "check-fresh-machine: installing mmdebstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
fi

root=${root:-$(mktemp -d /var/tmp/mentorcall-fresh.XXXXXX)}
log_dir=$(mktemp -d /var/tmp/mentorcall-fresh-logs.XXXXXX)
mounted=()

cleanup () {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" 2>/dev/null || true
  done
  # What the tests mounted inside the root themselves (ip netns binds its
  # namespaces under /run/netns) goes too, deepest first.
  if [ -d "$root" ]; then
    awk -v root="$root/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r mount_point; do umount -l "$mount_point" 2>/dev/null || true; done
  fi
  if ! $keep && [ -d "$root" ]; then
    rm -rf --one-file-system "$root"
  fi
}
trap cleanup EXIT

step () {
  echo
  echo "==> $*"
}

# --- A minimal Debian 12 -------------------------------------------------------

step "Building a minimal Debian 12 root in $root (mmdebstrap, variant minbase)"
# The same mirrors as this machine (deb822 or one-line sources), so that the
# check needs no other network; only bookworm's suites.
sources=$(mktemp)
cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
  grep -E '^deb .*bookworm' >"$sources" || true
for file in /etc/apt/sources.list.d/*.sources; do
  [ -f "$file" ] || continue
  python3 - "$file" >>"$sources" <<'PY'
import sys
text = open(sys.argv[1]).read()
for stanza in text.split("\n\n"):
    fields = {}
    for line in stanza.splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        fields[key.strip()] = value.strip()
    if "deb" not in fields.get("Types", "").split():
        continue
    for uri in fields.get("URIs", "").split():
        for suite in fields.get("Suites", "").split():
            if suite.startswith("bookworm"):
                print(f"deb {uri} {suite} {fields.get('Components', 'main')}")
PY
done
if [ ! -s "$sources" ]; then
  echo "check-fresh-machine: found no bookworm APT sources on this machine" >&2
  exit 1
fi
sed 's/^/    /' "$sources"

rm -rf --one-file-system "$root"
mmdebstrap --variant=minbase --include=ca-certificates bookworm "$root" - <"$sources" \
  >"$log_dir/mmdebstrap.log" 2>&1 || {
  tail -n 30 "$log_dir/mmdebstrap.log" >&2
  echo "check-fresh-machine: mmdebstrap failed (log: $log_dir/mmdebstrap.log)" >&2
  exit 1
}
rm -f "$sources"

for fs in proc sys dev dev/pts; do
  mkdir -p "$root/$fs"
  case "$fs" in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount --rbind /sys "$root/sys" ;;
    dev) mount --rbind /dev "$root/dev" ;;
    dev/pts) continue ;;
  esac
  mounted+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# --- A clean clone -------------------------------------------------------------

step "Copying a clean clone of $(git -C "$srcdir" rev-parse --short HEAD) into the root"
git clone -q --no-local "$srcdir" "$root/home/mentorcall"
if ! git -C "$srcdir" diff --quiet HEAD; then
  echo "    (uncommitted changes in $srcdir are not part of the check)"
fi

in_root () {
  # A new user's shell: a plain PATH, no display, no session bus, HOME in the root.
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb LANG=C.UTF-8 MENTORCALL_DEMO_SECONDS="${MENTORCALL_DEMO_SECONDS:-5}" \
    /bin/bash -c "cd /home/mentorcall && $*"
}

failures=()

# --- The two README commands ---------------------------------------------------

step "README command 1: build-aux/run-demo.sh --call-only"
if in_root "build-aux/run-demo.sh --call-only" 2>&1 | tee "$log_dir/run-demo.log"; then
  echo "    the demo call worked"
else
  failures+=("run-demo.sh --call-only (log: $log_dir/run-demo.log)")
fi

if $run_tests; then
  step "README command 2: build-aux/run-tests.sh"
  if in_root "build-aux/run-tests.sh" >"$log_dir/run-tests.log" 2>&1; then
    tail -n 12 "$log_dir/run-tests.log"
  else
    tail -n 40 "$log_dir/run-tests.log"
    failures+=("run-tests.sh (log: $log_dir/run-tests.log)")
  fi
  cp "$root/home/mentorcall/build/meson-logs/testlog.txt" "$log_dir/" 2>/dev/null || true
fi

step "Result"
if [ ${#failures[@]} -eq 0 ]; then
  echo "A fresh Debian 12 machine: both README commands work. Logs: $log_dir"
  exit 0
fi
for failure in "${failures[@]}"; do
  echo "FAILED: $failure"
done
exit 1
