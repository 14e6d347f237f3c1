/* test-call-network.c — what the network does to a call, told for the user
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * McCallNetwork fed seconds of statistics and ladder changes as the
 * controller feeds it: our video lowered, paused and back, the other side's
 * connection told poor only after a few poor seconds in a row (loss, too
 * few frames, a picture their engine lowered) and good again after a few
 * good ones, and the quality indicator made worse by what it knows.
 */

#include "mc-call-network.h"

typedef struct
{
  GArray *notices;
} Fixture;

static void
notice_cb (McCallNetwork      *network,
           McCallNetworkNotice notice,
           Fixture            *fixture)
{
  g_array_append_val (fixture->notices, notice);
}

/* A clean second: 640×480 at 25 frames from the other side, our 640×360 at
 * 30 going out. */
static McCallStats
clean_second (void)
{
  McCallStats stats = { 0 };

  stats.round_trip_ms = 20;
  stats.bitrate_in = 800000;
  stats.bitrate_out = 900000;
  stats.frame_rate = 25;
  stats.width = 640;
  stats.height = 480;
  stats.quality = MC_CALL_QUALITY_GOOD;
  stats.send_width = 640;
  stats.send_height = 360;
  stats.send_framerate = 30;

  return stats;
}

static McCallNetworkNotice
last_notice (Fixture *fixture)
{
  g_assert_cmpuint (fixture->notices->len, >, 0);

  return g_array_index (fixture->notices, McCallNetworkNotice, fixture->notices->len - 1);
}

static void
test_sending (void)
{
  g_autoptr (McCallNetwork) network = mc_call_network_new ();
  McCallStats               stats = clean_second ();
  Fixture                   fixture = { g_array_new (FALSE, FALSE, sizeof (McCallNetworkNotice)) };

  g_signal_connect (network, "notice", G_CALLBACK (notice_cb), &fixture);

  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_UNKNOWN);
  g_assert_null (mc_call_network_get_stats (network));
  mc_call_network_add_stats (network, &stats, MC_CALL_VIDEO_CAMERA);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_FULL);
  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_GOOD);
  g_assert_cmpuint (mc_call_network_get_stats (network)->bitrate_in, ==, 800000);

  /* Climbing from the start bitrate to a larger picture is not news. */
  mc_call_network_send_quality_changed (network, MC_VIDEO_LADDER_RAISED, 1280, 720, 30);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_FULL);
  g_assert_cmpuint (fixture.notices->len, ==, 0);

  /* Lowered: told, and the indicator is at best fair. */
  mc_call_network_send_quality_changed (network, MC_VIDEO_LADDER_LOWERED, 640, 360, 30);
  g_assert_cmpint (last_notice (&fixture), ==, MC_CALL_NETWORK_NOTICE_LOWERED);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_LOWERED);
  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_FAIR);
  /* The next second's figures say the same. */
  mc_call_network_add_stats (network, &stats, MC_CALL_VIDEO_CAMERA);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_LOWERED);

  /* Paused: told, and poor. */
  mc_call_network_send_quality_changed (network, MC_VIDEO_LADDER_PAUSED, 320, 180, 15);
  g_assert_cmpint (last_notice (&fixture), ==, MC_CALL_NETWORK_NOTICE_PAUSED);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_PAUSED);
  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_POOR);
  stats.video_paused = TRUE;
  mc_call_network_add_stats (network, &stats, MC_CALL_VIDEO_CAMERA);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_PAUSED);

  /* Back at the lowest rung: told, still lowered. */
  mc_call_network_send_quality_changed (network, MC_VIDEO_LADDER_RESUMED, 320, 180, 15);
  g_assert_cmpint (last_notice (&fixture), ==, MC_CALL_NETWORK_NOTICE_RESUMED);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_LOWERED);

  /* Raised back to the best it had: full again, silently. */
  mc_call_network_send_quality_changed (network, MC_VIDEO_LADDER_RAISED, 1280, 720, 30);
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_FULL);
  g_assert_cmpint (last_notice (&fixture), ==, MC_CALL_NETWORK_NOTICE_RESUMED);
  g_assert_cmpuint (fixture.notices->len, ==, 3);

  g_array_unref (fixture.notices);
}

typedef struct
{
  const char     *name;
  double          loss;
  double          frame_rate;
  guint           width;
  guint           height;
  McCallVideoKind expected;
  gboolean        poor;
} PeerCase;

static const PeerCase peer_cases[] = {
  { "clean", 0.0, 25, 640, 480, MC_CALL_VIDEO_CAMERA, FALSE },
  { "some-loss", 0.03, 25, 640, 480, MC_CALL_VIDEO_CAMERA, FALSE },
  { "heavy-loss", 0.12, 25, 640, 480, MC_CALL_VIDEO_CAMERA, TRUE },
  { "few-frames", 0.0, 4, 640, 480, MC_CALL_VIDEO_CAMERA, TRUE },
  { "their-video-paused", 0.0, 0, 640, 480, MC_CALL_VIDEO_CAMERA, TRUE },
  { "camera-off", 0.0, 0, 0, 0, MC_CALL_VIDEO_NONE, FALSE },
  { "lowered-a-little", 0.0, 25, 480, 360, MC_CALL_VIDEO_CAMERA, FALSE },
  { "lowered-much", 0.0, 25, 320, 180, MC_CALL_VIDEO_CAMERA, TRUE },
  /* A shared screen comes at 5 to 15 frames a second on purpose. */
  { "screen-at-5-frames", 0.0, 5, 1920, 1080, MC_CALL_VIDEO_SCREEN, FALSE },
  { "screen-stalled", 0.0, 1, 1920, 1080, MC_CALL_VIDEO_SCREEN, TRUE },
};

static void
test_peer (gconstpointer data)
{
  const PeerCase           *c = data;
  g_autoptr (McCallNetwork) network = mc_call_network_new ();
  McCallStats               clean = clean_second ();
  McCallStats               stats = clean;
  Fixture                   fixture = { g_array_new (FALSE, FALSE, sizeof (McCallNetworkNotice)) };

  g_signal_connect (network, "notice", G_CALLBACK (notice_cb), &fixture);

  /* A few good seconds first: the largest picture they sent. */
  for (guint i = 0; i < 3; i++)
    mc_call_network_add_stats (network, &clean, MC_CALL_VIDEO_CAMERA);

  stats.loss = c->loss;
  stats.frame_rate = c->frame_rate;
  stats.width = c->width;
  stats.height = c->height;

  /* One second short of the count says nothing yet. */
  for (guint i = 0; i + 1 < MC_CALL_NETWORK_PEER_POOR_SECONDS; i++)
    mc_call_network_add_stats (network, &stats, c->expected);
  g_assert_false (mc_call_network_get_peer_poor (network));

  mc_call_network_add_stats (network, &stats, c->expected);
  g_assert_cmpint (mc_call_network_get_peer_poor (network), ==, c->poor);
  if (!c->poor)
    {
      g_assert_cmpuint (fixture.notices->len, ==, 0);
      g_array_unref (fixture.notices);
      return;
    }
  g_assert_cmpint (last_notice (&fixture), ==, MC_CALL_NETWORK_NOTICE_PEER_POOR);
  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_POOR);

  /* A second with nothing arriving counts neither way; a good second
   * short of the count leaves it poor. */
  stats.bitrate_in = 0;
  mc_call_network_add_stats (network, &stats, c->expected);
  for (guint i = 0; i + 1 < MC_CALL_NETWORK_PEER_GOOD_SECONDS; i++)
    mc_call_network_add_stats (network, &clean, MC_CALL_VIDEO_CAMERA);
  g_assert_true (mc_call_network_get_peer_poor (network));
  mc_call_network_add_stats (network, &clean, MC_CALL_VIDEO_CAMERA);
  g_assert_false (mc_call_network_get_peer_poor (network));
  g_assert_cmpint (last_notice (&fixture), ==, MC_CALL_NETWORK_NOTICE_PEER_RECOVERED);
  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_GOOD);

  g_array_unref (fixture.notices);
}

/* A camera picture after a shared screen is compared with camera pictures,
 * not with the larger screen. */
static void
test_screen_then_camera (void)
{
  g_autoptr (McCallNetwork) network = mc_call_network_new ();
  McCallStats               camera = clean_second ();
  McCallStats               screen = camera;

  screen.width = 1920;
  screen.height = 1080;
  screen.frame_rate = 5;
  for (guint i = 0; i < 5; i++)
    mc_call_network_add_stats (network, &screen, MC_CALL_VIDEO_SCREEN);
  for (guint i = 0; i < 2 * MC_CALL_NETWORK_PEER_POOR_SECONDS; i++)
    mc_call_network_add_stats (network, &camera, MC_CALL_VIDEO_CAMERA);
  g_assert_false (mc_call_network_get_peer_poor (network));

  /* Half the camera picture's size afterwards is still a lowered one. */
  camera.width = 320;
  camera.height = 240;
  for (guint i = 0; i < MC_CALL_NETWORK_PEER_POOR_SECONDS; i++)
    mc_call_network_add_stats (network, &camera, MC_CALL_VIDEO_CAMERA);
  g_assert_true (mc_call_network_get_peer_poor (network));
}

/* A receiver report's round trip far above what retransmissions take on
 * the same path is not believed; one near it, or with nothing to compare,
 * is. */
static void
test_round_trip_plausible (void)
{
  g_autoptr (McCallStats) stats = mc_call_stats_new ();

  g_assert_true (mc_call_stats_round_trip_is_plausible (stats));
  stats->round_trip_ms = 2045;
  g_assert_true (mc_call_stats_round_trip_is_plausible (stats));
  stats->rtx_round_trip_ms = 3;
  g_assert_false (mc_call_stats_round_trip_is_plausible (stats));
  stats->round_trip_ms = 80;
  g_assert_true (mc_call_stats_round_trip_is_plausible (stats));
  /* A long path with a queue: both long. */
  stats->round_trip_ms = 900;
  stats->rtx_round_trip_ms = 450;
  g_assert_true (mc_call_stats_round_trip_is_plausible (stats));
}

/* The quality rating: a camera at 15 frames a second is fair, a screen at 5
 * good; either stalled is poor. */
static void
test_quality_rating (void)
{
  McCallStats stats = clean_second ();

  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_CAMERA), ==,
                   MC_CALL_QUALITY_GOOD);
  stats.frame_rate = 15;
  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_CAMERA), ==,
                   MC_CALL_QUALITY_FAIR);
  stats.frame_rate = 5;
  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_CAMERA), ==,
                   MC_CALL_QUALITY_POOR);
  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_SCREEN), ==,
                   MC_CALL_QUALITY_GOOD);
  stats.frame_rate = 1;
  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_SCREEN), ==,
                   MC_CALL_QUALITY_POOR);
  stats.frame_rate = 0;
  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_NONE), ==,
                   MC_CALL_QUALITY_GOOD);
  stats.loss = 0.05;
  g_assert_cmpint (mc_call_stats_derive_quality (&stats, MC_CALL_VIDEO_NONE), ==,
                   MC_CALL_QUALITY_FAIR);
}

/* A new connection forgets the old one's poor seconds, without a notice. */
static void
test_reset (void)
{
  g_autoptr (McCallNetwork) network = mc_call_network_new ();
  McCallStats               stats = clean_second ();
  Fixture                   fixture = { g_array_new (FALSE, FALSE, sizeof (McCallNetworkNotice)) };

  g_signal_connect (network, "notice", G_CALLBACK (notice_cb), &fixture);
  stats.loss = 0.2;
  for (guint i = 0; i < MC_CALL_NETWORK_PEER_POOR_SECONDS; i++)
    mc_call_network_add_stats (network, &stats, MC_CALL_VIDEO_CAMERA);
  g_assert_true (mc_call_network_get_peer_poor (network));
  g_assert_cmpuint (fixture.notices->len, ==, 1);

  mc_call_network_reset (network);
  g_assert_false (mc_call_network_get_peer_poor (network));
  g_assert_cmpuint (fixture.notices->len, ==, 1);

  /* Poor seconds before the reset do not count after it. */
  for (guint i = 0; i + 1 < MC_CALL_NETWORK_PEER_POOR_SECONDS; i++)
    mc_call_network_add_stats (network, &stats, MC_CALL_VIDEO_CAMERA);
  g_assert_false (mc_call_network_get_peer_poor (network));

  g_array_unref (fixture.notices);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/call-network/sending", test_sending);
  for (guint i = 0; i < G_N_ELEMENTS (peer_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/call-network/peer/%s", peer_cases[i].name);

      g_test_add_data_func (path, &peer_cases[i], test_peer);
    }
  g_test_add_func ("/engine/call-network/reset", test_reset);
  g_test_add_func ("/engine/call-network/screen-then-camera", test_screen_then_camera);
  g_test_add_func ("/engine/call-network/quality-rating", test_quality_rating);
  g_test_add_func ("/engine/call-network/round-trip-plausible", test_round_trip_plausible);

  return g_test_run ();
}
