#!/bin/sh
# run-on-stores.sh — run a server benchmark on SQLite and on PostgreSQL
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-on-stores.sh OUTPUT.json BENCHMARK [ARGUMENT…]
#
# Runs BENCHMARK (bench-server-rooms) with the store on an SQLite file, then
# again on PostgreSQL in a throwaway cluster that pg_virtualenv starts (with
# PostgreSQL's default settings, fsync on), then on PostgreSQL with three
# servers behind HAProxy (--nodes 3, data/haproxy.cfg), then with each
# room's two sides straight to two of the three (--split: everything a room
# relays crosses servers), and prints their figures side by side. Writes
# OUTPUT-sqlite.json, OUTPUT-postgresql.json, OUTPUT-postgresql-3.json,
# OUTPUT-postgresql-3-split.json and OUTPUT.json (all of them, under
# "sqlite", "postgresql", "postgresql-3" and "postgresql-3-split"). Without pg_virtualenv (package
# postgresql-common) only SQLite is measured, without haproxy only one
# server, and it says so.

set -u

output=$1
shift
base=${output%.json}

echo "=== SQLite"
"$@" --output "$base-sqlite.json"
sqlite_status=$?

if command -v pg_virtualenv >/dev/null 2>&1; then
  echo "=== PostgreSQL (one server)"
  pg_virtualenv -t -v 15 env MENTORCALL_TEST_POSTGRESQL=1 MENTORCALL_TEST_STORE=postgresql \
    "$@" --output "$base-postgresql.json"
  postgresql_status=$?
else
  echo "SKIP PostgreSQL: pg_virtualenv is missing (package postgresql-common)"
  rm -f "$base-postgresql.json"
  postgresql_status=0
fi

nodes_status=0
rm -f "$base-postgresql-3.json" "$base-postgresql-3-split.json"
if ! command -v pg_virtualenv >/dev/null 2>&1; then
  :
elif command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; then
  echo "=== PostgreSQL (three servers behind HAProxy)"
  pg_virtualenv -t -v 15 env MENTORCALL_TEST_POSTGRESQL=1 MENTORCALL_TEST_STORE=postgresql \
    "$@" --nodes 3 --output "$base-postgresql-3.json"
  nodes_status=$?
  echo "=== PostgreSQL (three servers, each room's two sides on two of them)"
  pg_virtualenv -t -v 15 env MENTORCALL_TEST_POSTGRESQL=1 MENTORCALL_TEST_STORE=postgresql \
    "$@" --nodes 3 --split --output "$base-postgresql-3-split.json" || nodes_status=1
else
  echo "SKIP three servers: haproxy is missing (package haproxy)"
fi

python3 - "$output" "$base-sqlite.json" "$base-postgresql.json" "$base-postgresql-3.json" \
  "$base-postgresql-3-split.json" <<'PY'
import json, os, sys

output, paths = sys.argv[1], {"sqlite": sys.argv[2], "postgresql": sys.argv[3],
                              "postgresql-3": sys.argv[4], "postgresql-3-split": sys.argv[5]}
runs = {}
for store, path in paths.items():
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            runs[store] = json.load(f)

def leaves(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{prefix}{key}." if prefix or key else key)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield prefix.rstrip("."), node

flat = {store: dict(leaves(run)) for store, run in runs.items()}
names = []
for store in flat:
    names += [n for n in flat[store] if n not in names]
stores = list(flat)
width = max((len(n) for n in names), default=10)
print(f"\n{'figure':<{width}}  " + "  ".join(f"{s:>12}" for s in stores))
for name in names:
    cells = []
    for store in stores:
        value = flat[store].get(name)
        cells.append(f"{'-':>12}" if value is None else
                     f"{value:>12.3f}" if isinstance(value, float) else f"{value:>12}")
    print(f"{name:<{width}}  " + "  ".join(cells))

with open(output, "w", encoding="utf-8") as f:
    json.dump(runs, f, indent=2)
PY

[ "$sqlite_status" -eq 0 ] && [ "$postgresql_status" -eq 0 ] && [ "$nodes_status" -eq 0 ]
