/* test-jitter-policy.c — how long the receive jitter buffer waits
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No network and no clock: one sample a second, as the call session's
 * statistics tick gives them, over recorded shapes of paths (clean, lossy
 * and short, lossy and long, jittery, losing packets for good).
 */

#include "mc-jitter-policy.h"

#define SECOND  G_USEC_PER_SEC
#define BASE_MS 40
#define MAX_MS  300

typedef struct
{
  McJitterPolicy *policy;
  gint64          now;
} Fixture;

static void
fixture_init (Fixture *fixture)
{
  fixture->policy = mc_jitter_policy_new (BASE_MS, MAX_MS);
  fixture->now = 1000 * SECOND;
}

static void
fixture_clear (Fixture *fixture)
{
  g_clear_object (&fixture->policy);
}

/* @seconds of the same path; returns the latency after the last one and
 * checks each is a multiple of 10 ms within the bounds. */
static guint
run (Fixture *fixture,
     guint    seconds,
     double   loss,
     guint    dropped,
     double   jitter_ms,
     double   rtt_ms)
{
  guint latency = 0;

  for (guint i = 0; i < seconds; i++)
    {
      McJitterSample sample = { fixture->now, loss, dropped, jitter_ms, rtt_ms };

      fixture->now += SECOND;
      latency = mc_jitter_policy_update (fixture->policy, &sample);
      g_assert_cmpuint (latency % 10, ==, 0);
      g_assert_cmpuint (latency, >=, BASE_MS);
      g_assert_cmpuint (latency, <=, MAX_MS);
      g_assert_cmpuint (latency, ==, mc_jitter_policy_get_latency (fixture->policy));
      g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture->policy), >=, BASE_MS);
      g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture->policy), <=, latency);
    }

  return latency;
}

static void
test_clean (void)
{
  Fixture fixture;

  fixture_init (&fixture);
  g_assert_cmpuint (mc_jitter_policy_get_latency (fixture.policy), ==, BASE_MS);
  /* A clean LAN: no loss, a millisecond of jitter. */
  g_assert_cmpuint (run (&fixture, 60, 0, 0, 1, 2), ==, 50);
  /* No jitter at all: the base. */
  g_assert_cmpuint (run (&fixture, 60, 0, 0, 0, 2), ==, BASE_MS);
  /* A hundredth of a per cent is the statistics' rounding, not loss. */
  g_assert_cmpuint (run (&fixture, 10, 0.0001, 0, 0, 2), ==, BASE_MS);
  fixture_clear (&fixture);
}

/* 5 % loss on a short path (the benchmark's loss cases): room for five
 * retransmissions at the 10 ms floor, at once, held while the loss lasts,
 * given back slowly once it ends. */
static void
test_loss_short_path (void)
{
  Fixture fixture;
  guint   held, previous, latency;
  guint   seconds = 0;

  fixture_init (&fixture);
  run (&fixture, 5, 0, 0, 1, 2);
  held = run (&fixture, 1, 0.05, 0, 2, 2);
  /* 40 + 20 (first request) + 5 × 10 (floor) + 20 (margin) */
  g_assert_cmpuint (held, ==, 130);
  g_assert_cmpuint (run (&fixture, 30, 0.05, 0, 2, 2), ==, held);

  /* The loss ends: 10 s more of the same, then down step by step to what
   * the jitter alone needs, never up. */
  g_assert_cmpuint (run (&fixture, 9, 0, 0, 2, 2), ==, held);
  previous = held;
  do
    {
      latency = run (&fixture, 1, 0, 0, 2, 2);
      g_assert_cmpuint (latency, <=, previous);
      previous = latency;
      seconds++;
    }
  while (latency > 50 && seconds < 60);
  g_assert_cmpuint (latency, ==, 50);
  g_assert_cmpuint (seconds, >=, 5);
  g_assert_cmpuint (seconds, <=, 20);

  /* A loss burst in the middle of shrinking takes it back up at once. */
  g_assert_cmpuint (run (&fixture, 1, 0.1, 0, 2, 2), ==, held);
  fixture_clear (&fixture);
}

/* A longer path: five round trips of 30 ms fit under the ceiling, of 60 ms
 * not. */
static void
test_loss_long_path (void)
{
  Fixture fixture;

  fixture_init (&fixture);
  /* 40 + 20 + 5 × (30 + 2 × 5) + 20 = 280 */
  g_assert_cmpuint (run (&fixture, 3, 0.02, 0, 5, 30), ==, 280);
  g_assert_cmpuint (run (&fixture, 3, 0.02, 0, 5, 60), ==, MAX_MS);
  g_assert_cmpuint (run (&fixture, 3, 0.02, 0, 20, 150), ==, MAX_MS);
  fixture_clear (&fixture);
}

/* Loss before any round trip is known: a 100 ms one is assumed; the first
 * measured one replaces it, and a sample without one keeps the last. */
static void
test_unknown_rtt (void)
{
  Fixture fixture;

  fixture_init (&fixture);
  g_assert_cmpuint (run (&fixture, 1, 0.05, 0, 0, -1), ==, MAX_MS);
  fixture_clear (&fixture);

  fixture_init (&fixture);
  g_assert_cmpuint (run (&fixture, 1, 0.05, 0, 0, 20), ==, 40 + 20 + 100 + 20);
  g_assert_cmpuint (run (&fixture, 1, 0.05, 0, 0, -1), ==, 40 + 20 + 100 + 20);
  fixture_clear (&fixture);
}

/* 80 ms ± 20 ms: packets overtake each other; they are waited for. */
static void
test_jitter (void)
{
  Fixture fixture;

  fixture_init (&fixture);
  g_assert_cmpuint (run (&fixture, 10, 0, 0, 15, 160), ==, 40 + 4 * 15);
  fixture_clear (&fixture);
}

/* Packets given up on at the latency the policy chose: a quarter more
 * every second it goes on, up to the ceiling. */
static void
test_dropped (void)
{
  Fixture fixture;
  guint   before, after;

  fixture_init (&fixture);
  before = run (&fixture, 1, 0.05, 0, 2, 2);
  after = run (&fixture, 1, 0.05, 3, 2, 2);
  g_assert_cmpuint (after, >=, before * 5 / 4);
  g_assert_cmpuint (after, <=, before * 5 / 4 + 10);
  g_assert_cmpuint (run (&fixture, 20, 0.05, 3, 2, 2), ==, MAX_MS);
  fixture_clear (&fixture);
}

/* Audio is never sent again: its jitter buffers wait for late packets
 * (jitter), never for retransmissions, whatever the loss and the round
 * trip; they follow the jitter up at once and down slowly, as video's do. */
static void
test_audio (void)
{
  Fixture fixture;
  guint   seconds = 0;

  fixture_init (&fixture);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, BASE_MS);
  /* 5 % loss on a short path: video waits 130 ms, audio the base. */
  g_assert_cmpuint (run (&fixture, 5, 0.05, 0, 0, 2), ==, 130);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, BASE_MS);
  /* Loss, a long path and video packets given up on: video at the
   * ceiling, audio still the base. */
  g_assert_cmpuint (run (&fixture, 5, 0.05, 3, 0, 200), ==, MAX_MS);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, BASE_MS);
  fixture_clear (&fixture);

  /* 80 ms ± 20 ms: packets overtake each other, audio's too. */
  fixture_init (&fixture);
  run (&fixture, 10, 0, 0, 15, 160);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, 40 + 4 * 15);
  /* The jitter ends: 10 s more, then back to the base. */
  run (&fixture, 9, 0, 0, 0, 160);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, 40 + 4 * 15);
  while (mc_jitter_policy_get_audio_latency (fixture.policy) > BASE_MS && seconds++ < 60)
    run (&fixture, 1, 0, 0, 0, 160);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, BASE_MS);
  g_assert_cmpuint (seconds, >=, 3);
  fixture_clear (&fixture);
}

/* A configured base above the ceiling is kept: the user asked for it. */
static void
test_bounds (void)
{
  g_autoptr (McJitterPolicy) policy = mc_jitter_policy_new (500, 300);
  McJitterSample             sample = { SECOND, 0.2, 10, 50, 300 };

  g_assert_cmpuint (mc_jitter_policy_get_latency (policy), ==, 500);
  g_assert_cmpuint (mc_jitter_policy_update (policy, &sample), ==, 500);
}

/* When the jitter buffers ask again for a retransmission that did not
 * come: after the latest round trip plus twice the jitter, not after the
 * slow average of the retransmissions they saw (which stayed at 300–450 ms
 * for seconds after a queue at the start of a call). */
static void
test_retry_timeout (void)
{
  Fixture fixture;

  fixture_init (&fixture);
  /* Nothing known: the jitter buffers' own measure. */
  g_assert_cmpint (mc_jitter_policy_get_retry_timeout (fixture.policy), ==, -1);
  run (&fixture, 1, 0.05, 0, 3, -1);
  g_assert_cmpint (mc_jitter_policy_get_retry_timeout (fixture.policy), ==, -1);

  /* A queue at the start: 450 ms; then the real 100 ms at once. */
  run (&fixture, 1, 0.2, 0, 3, 450);
  g_assert_cmpint (mc_jitter_policy_get_retry_timeout (fixture.policy), ==, 460);
  run (&fixture, 1, 0.05, 0, 3, 100);
  g_assert_cmpint (mc_jitter_policy_get_retry_timeout (fixture.policy), ==, 110);
  /* A second without a round trip keeps the last one; jitter counts twice. */
  run (&fixture, 1, 0.05, 0, 20, -1);
  g_assert_cmpint (mc_jitter_policy_get_retry_timeout (fixture.policy), ==, 140);

  /* A LAN: never sooner than the floor. */
  run (&fixture, 1, 0.05, 0, 0, 1);
  g_assert_cmpint (mc_jitter_policy_get_retry_timeout (fixture.policy), ==, 10);
  fixture_clear (&fixture);
}

/* A new connection waits as long as the ceiling while its path is not
 * known; on a clean path the latency comes back down to the base after 10 s,
 * under loss it follows what the path needs. */
static void
test_begin (void)
{
  Fixture fixture;
  guint   seconds = 0;

  fixture_init (&fixture);
  mc_jitter_policy_begin (fixture.policy, fixture.now);
  g_assert_cmpuint (mc_jitter_policy_get_latency (fixture.policy), ==, MAX_MS);
  g_assert_cmpuint (mc_jitter_policy_get_audio_latency (fixture.policy), ==, BASE_MS);
  /* Clean: held 10 s, then down to what the jitter needs. */
  g_assert_cmpuint (run (&fixture, 9, 0, 0, 1, 2), ==, MAX_MS);
  while (run (&fixture, 1, 0, 0, 1, 2) > 50 && seconds++ < 60)
    ;
  g_assert_cmpuint (mc_jitter_policy_get_latency (fixture.policy), ==, 50);
  g_assert_cmpuint (seconds, >=, 10);

  /* Lossy and short: down to the 130 ms that five requests need. */
  mc_jitter_policy_begin (fixture.policy, fixture.now);
  g_assert_cmpuint (mc_jitter_policy_get_latency (fixture.policy), ==, MAX_MS);
  g_assert_cmpuint (run (&fixture, 60, 0.05, 0, 2, 2), ==, 130);
  fixture_clear (&fixture);

  /* A configured base above the ceiling stays. */
  {
    g_autoptr (McJitterPolicy) policy = mc_jitter_policy_new (500, 300);

    mc_jitter_policy_begin (policy, 0);
    g_assert_cmpuint (mc_jitter_policy_get_latency (policy), ==, 500);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/jitter-policy/clean", test_clean);
  g_test_add_func ("/engine/jitter-policy/loss-short-path", test_loss_short_path);
  g_test_add_func ("/engine/jitter-policy/loss-long-path", test_loss_long_path);
  g_test_add_func ("/engine/jitter-policy/unknown-rtt", test_unknown_rtt);
  g_test_add_func ("/engine/jitter-policy/jitter", test_jitter);
  g_test_add_func ("/engine/jitter-policy/dropped", test_dropped);
  g_test_add_func ("/engine/jitter-policy/audio", test_audio);
  g_test_add_func ("/engine/jitter-policy/bounds", test_bounds);
  g_test_add_func ("/engine/jitter-policy/retry-timeout", test_retry_timeout);
  g_test_add_func ("/engine/jitter-policy/begin", test_begin);

  return g_test_run ();
}
