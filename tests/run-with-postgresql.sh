#!/bin/sh
# run-with-postgresql.sh — run a server test against PostgreSQL
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The `postgresql` suite runs the server tests again through this, with the
# store on PostgreSQL (tests/mc-test-database.c). build-aux/run-tests.sh runs
# the suite inside pg_virtualenv, which starts a throwaway cluster and sets
# MENTORCALL_TEST_POSTGRESQL; without one the test is skipped, saying why.

if [ -z "${MENTORCALL_TEST_POSTGRESQL:-}" ]; then
  echo "1..0 # SKIP no PostgreSQL cluster: build-aux/run-tests.sh starts one with pg_virtualenv"
  exit 0
fi

MENTORCALL_TEST_STORE=postgresql
export MENTORCALL_TEST_STORE
exec "$@"
