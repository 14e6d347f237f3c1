/* test-retransmission-budget.c — what a sender grants of retransmission requests
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Simulated time: requests as the peer's NACKs bring them, in bursts (a
 * queue that overflowed), steadily (random loss), again for the same
 * packet (a retry before the answer could have come), and for a stream
 * that is not sent again.
 */

#include "mc-retransmission-budget.h"

#define MS    G_TIME_SPAN_MILLISECOND
#define SSRC  0x1234abcdu
#define START (1000 * G_USEC_PER_SEC)

/* Asks for @count packets from @first, one every @spacing_us from @now;
 * returns how many were granted. */
static guint
ask (McRetransmissionBudget *budget,
     guint                   first,
     guint                   count,
     gint64                  now,
     gint64                  spacing_us)
{
  guint granted = 0;

  for (guint i = 0; i < count; i++)
    granted += mc_retransmission_budget_allow (budget, SSRC, (first + i) & 0xffff,
                                               now + i * spacing_us);

  return granted;
}

/* No rate yet: everything goes. */
static void
test_unlimited (void)
{
  g_autoptr (McRetransmissionBudget) budget = mc_retransmission_budget_new ();

  g_assert_cmpuint (ask (budget, 0, 500, START, 0), ==, 500);
  g_assert_cmpuint (ask (budget, 0, 500, START + MS, 0), ==, 500);
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 0);
}

/* A burst of requests (a queue overflowed): half a second of the rate at
 * once, then the rate. At 240 kbit/s a 1200-byte packet is 40 ms of it. */
static void
test_burst (void)
{
  g_autoptr (McRetransmissionBudget) budget = mc_retransmission_budget_new ();
  guint                              granted;

  mc_retransmission_budget_set_rate (budget, 240000, 100);
  /* 100 requests at once: the bucket's half second, 12 packets. */
  g_assert_cmpuint (ask (budget, 0, 100, START, 0), ==, 12);
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 88);

  /* Then 25 a second (one every 40 ms) for 10 s, however many are asked. */
  granted = ask (budget, 1000, 1000, START + 10 * MS, 10 * MS);
  g_assert_cmpuint (granted, >=, 245);
  g_assert_cmpuint (granted, <=, 255);
}

/* Random loss within the budget: every request is granted. 5 % of 60
 * packets a second is 3 requests a second, against 25. */
static void
test_steady (void)
{
  g_autoptr (McRetransmissionBudget) budget = mc_retransmission_budget_new ();

  mc_retransmission_budget_set_rate (budget, 240000, 100);
  g_assert_cmpuint (ask (budget, 0, 60, START, 333 * MS), ==, 60);
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 0);
}

/* The same packet again: not within a round trip of the last time (the
 * answer may be on its way), after it yes; while no round trip is known,
 * at any time; another stream's packet of the same number is another
 * packet. */
static void
test_repeat (void)
{
  g_autoptr (McRetransmissionBudget) budget = mc_retransmission_budget_new ();

  mc_retransmission_budget_set_rate (budget, 1000000, 0);
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC, 42, START));
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC, 42, START + 10 * MS));

  mc_retransmission_budget_set_rate (budget, 1000000, 100);
  g_assert_false (mc_retransmission_budget_allow (budget, SSRC, 42, START + 60 * MS));
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC + 1, 42, START + 60 * MS));
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC, 42, START + 160 * MS));

  /* A long path: 300 ms; an unknown round trip later keeps it. */
  mc_retransmission_budget_set_rate (budget, 1000000, 300);
  mc_retransmission_budget_set_rate (budget, 1000000, 0);
  g_assert_false (mc_retransmission_budget_allow (budget, SSRC, 42, START + 400 * MS));
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC, 42, START + 470 * MS));

  /* 42 + 1024 shares its slot in the history but is another packet; it
   * takes the slot, so 42 may go again (its round trip has passed). */
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC, 42 + 1024, START + 480 * MS));
  g_assert_true (mc_retransmission_budget_allow (budget, SSRC, 42, START + 490 * MS));
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 2);
}

/* A lower estimate empties what the bucket may hold at once. */
static void
test_rate_lowered (void)
{
  g_autoptr (McRetransmissionBudget) budget = mc_retransmission_budget_new ();

  mc_retransmission_budget_set_rate (budget, 2000000, 100);
  g_assert_cmpuint (ask (budget, 0, 1, START, 0), ==, 1);
  mc_retransmission_budget_set_rate (budget, 50000, 100);
  /* The floor: four packets at once, whatever the rate. */
  g_assert_cmpuint (ask (budget, 100, 50, START + MS, 0), ==, 4);
}

/* Requests for a stream that is not sent again (audio: rtprtxsend ignores
 * them) are granted and take nothing: the video ones still get the whole
 * bucket. */
static void
test_streams (void)
{
  g_autoptr (McRetransmissionBudget) budget = mc_retransmission_budget_new ();
  const guint32                      audio = 0x5678cdefu;

  mc_retransmission_budget_set_rate (budget, 240000, 100);
  g_assert_false (mc_retransmission_budget_knows_stream (budget, audio));
  mc_retransmission_budget_add_stream (budget, audio, FALSE);
  mc_retransmission_budget_add_stream (budget, SSRC, TRUE);
  g_assert_true (mc_retransmission_budget_knows_stream (budget, audio));
  g_assert_true (mc_retransmission_budget_knows_stream (budget, SSRC));

  for (guint i = 0; i < 200; i++)
    g_assert_true (mc_retransmission_budget_allow (budget, audio, i, START));
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 0);
  g_assert_cmpuint (ask (budget, 0, 100, START, 0), ==, 12);
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 88);

  /* Past eight streams the oldest is forgotten: audio counts again. */
  for (guint32 i = 1; i <= 7; i++)
    mc_retransmission_budget_add_stream (budget, 0x9000u + i, TRUE);
  g_assert_false (mc_retransmission_budget_knows_stream (budget, audio));
  g_assert_false (mc_retransmission_budget_allow (budget, audio, 500, START));
  g_assert_cmpuint (mc_retransmission_budget_get_refused (budget), ==, 89);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/retransmission-budget/unlimited", test_unlimited);
  g_test_add_func ("/engine/retransmission-budget/burst", test_burst);
  g_test_add_func ("/engine/retransmission-budget/steady", test_steady);
  g_test_add_func ("/engine/retransmission-budget/repeat", test_repeat);
  g_test_add_func ("/engine/retransmission-budget/rate-lowered", test_rate_lowered);
  g_test_add_func ("/engine/retransmission-budget/streams", test_streams);

  return g_test_run ();
}
