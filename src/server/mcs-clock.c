/* mcs-clock.c — the server's clock, which tests can move
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything in the server that compares with the time of day (session and
 * call-token expiry, join windows, housekeeping) asks this clock. It is the
 * real time, plus an offset that only a server started with --test-clock
 * lets the admin API move forward (POST /api/v1/admin/test-clock). Tests of
 * expiry then move the clock instead of sleeping for the lifetime. Timers
 * (GLib main-loop sources) run on the monotonic clock and are not moved.
 */

#define G_LOG_DOMAIN "mcs-clock"

#include "config.h"

#include "mcs-clock.h"

static gint64 offset; /* seconds; only ever moved forward */
static gint   test_mode;

/**
 * mcs_clock_now:
 *
 * Returns: the server's time, in seconds since the Unix epoch
 */
gint64
mcs_clock_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC + mcs_clock_get_offset ();
}

/**
 * mcs_clock_get_offset:
 *
 * Returns: how far the test clock has been moved, in seconds (0 unless in
 *   test mode)
 */
gint64
mcs_clock_get_offset (void)
{
  return __atomic_load_n (&offset, __ATOMIC_RELAXED);
}

/**
 * mcs_clock_enable_test_mode:
 *
 * Lets mcs_clock_advance() move the clock. For tests only: the server says so
 * loudly when it starts this way.
 */
void
mcs_clock_enable_test_mode (void)
{
  g_atomic_int_set (&test_mode, TRUE);
}

gboolean
mcs_clock_is_test_mode (void)
{
  return g_atomic_int_get (&test_mode);
}

/**
 * mcs_clock_advance:
 * @seconds: how far to move the clock forward, at least 0
 *
 * Moves the clock forward, in test mode only.
 *
 * Returns: %FALSE (and nothing moved) outside test mode or for a negative
 *   @seconds
 */
gboolean
mcs_clock_advance (gint64 seconds)
{
  if (!mcs_clock_is_test_mode () || seconds < 0)
    return FALSE;

  __atomic_add_fetch (&offset, seconds, __ATOMIC_RELAXED);
  return TRUE;
}
