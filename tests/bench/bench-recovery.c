/* bench-recovery.c — the recovery benchmark: media cuts and server restarts
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two `mentorcall-cli` processes, a mentor and a student, in a 720p30 call
 * through a real mentorcall-server on 127.0.0.1, as in bench-call.c:
 *
 *   media cut       one side drops every RTP and RTCP packet, both ways, for
 *                   CUT_SECONDS (MENTORCALL_FAULT_BLOCK_MEDIA, the engine's
 *                   fault hook; ICE and DTLS still pass). Timed: from the end
 *                   of the cut to remote video being decoded again on each
 *                   side ("video resumed"), and to the session's state
 *                   "connected" again. N_CUTS fresh calls, the faulty side
 *                   alternating.
 *   server restart  in one call, N_RESTARTS times: the server is killed
 *                   (SIGKILL, as a crash) and started again on the same port
 *                   and database. Timed from the server listening again: to
 *                   each participant's signaling being back in the room ("in
 *                   room"), and to a chat message, posted over REST the moment
 *                   the server is back, being shown by the mentor's `join`.
 *                   Checked: remote video never stalled on either side (it is
 *                   peer to peer) and the session never left "connected".
 *
 * The bar of PRODUCT.md: media again within 2 s of the network coming back;
 * signaling and chat back within 2 s of a server restart, and the media
 * never stopped. The figures are printed beside it and written as JSON. The
 * benchmark fails only when recovery does not happen at all.
 *
 * Timing: the `join` lines are timed from each process's start and mapped
 * onto CLOCK_MONOTONIC with bench_process_origin(); this process uses the
 * same clock. The CLI looks at the decoded-frame counter every 10 ms, so
 * "video resumed" is at most that late. The end of a cut is the session's
 * first "connected" plus START plus DURATION of the fault (GLib timeouts in
 * the faulty process, a few ms late on a loaded machine).
 */

#include <string.h>

#include "bench-common.h"
#include "mc-test-cli.h"

#define N_CUTS            3
#define CUT_START_SECONDS 3
#define CUT_SECONDS       5
#define N_RESTARTS        3
/* The call runs this long before the first restart and between restarts. */
#define STEADY_SECONDS  4
#define BAR_RECOVERY_MS 2000

typedef struct
{
  McTestServer *server;
  gint64        booking_id;
  McTestCli    *mentor;
  McTestCli    *student;
  char         *student_token; /* a session of the student's, for REST chat */
  JsonObject   *results;
} Bench;

/* Reading a `join`'s output */

/* The time of the first line at or after @after containing @what, or -1. */
static double
line_after (const char *output,
            const char *what,
            double      after)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');
      double      t;

      if (space == NULL || strstr (space + 1, what) == NULL)
        continue;
      t = g_ascii_strtod (lines[i], NULL);
      if (t >= after)
        return t;
    }

  return -1;
}

/* How many lines between @from and @to contain @what. */
static guint
count_between (const char *output,
               const char *what,
               double      from,
               double      to)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  guint          count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');
      double      t = g_ascii_strtod (lines[i], NULL);

      if (space != NULL && strstr (space + 1, what) != NULL && t >= from && t <= to)
        count++;
    }

  return count;
}

/* The longest "video resumed after MS ms" of the resumptions between @from
 * and @to, or 0. */
static double
longest_stall (const char *output,
               double      from,
               double      to)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  double         longest = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *found = strstr (lines[i], " video resumed after ");
      double      t = g_ascii_strtod (lines[i], NULL);

      if (found != NULL && t >= from && t <= to)
        longest = MAX (longest, g_ascii_strtod (found + strlen (" video resumed after "), NULL));
    }

  return longest;
}

static gboolean
first_frame_cb (McTestCli  *cli,
                const char *output,
                gpointer    user_data)
{
  return mc_test_cli_find_line (output, "first remote frame") >= 0 &&
         mc_test_cli_find_line (output, "joined booking") >= 0;
}

/* Video decoded again after the cut: a "video resumed" line after the end
 * of the cut, in this process's time (its first "connected" plus the
 * fault's start and length; the other process connected within
 * milliseconds of it, hence the slack). */
static gboolean
resumed_after_cut_cb (McTestCli  *cli,
                      const char *output,
                      gpointer    user_data)
{
  double connected = mc_test_cli_find_line (output, "state connected");

  return connected >= 0 &&
         line_after (output, "video resumed", connected + CUT_START_SECONDS + CUT_SECONDS - 0.5) >= 0;
}

/* At least @count lines containing @what at or after @after, the
 * process's time. */
typedef struct
{
  double      after; /* process time */
  const char *what;
  guint       count;
} After;

static gboolean
lines_after_cb (McTestCli  *cli,
                const char *output,
                gpointer    user_data)
{
  After *after = user_data;

  return count_between (output, after->what, after->after, G_MAXDOUBLE) >= after->count;
}

static JsonObject *
stop (McTestCli *cli)
{
  int status;

  mc_test_cli_signal (cli, SIGTERM);
  status = mc_test_cli_wait_exit (cli);
  if (status != 0)
    {
      mc_test_cli_dump (cli);
      g_printerr ("bench-recovery: %s: join exited with status %d\n", mc_test_cli_get_name (cli),
                  status);
      return NULL;
    }

  return mc_test_cli_read_summary (cli);
}

static void
join (Bench     *bench,
      McTestCli *cli)
{
  mc_test_cli_join (cli, bench->booking_id, "--width", "1280", "--height", "720", "--fps", "30",
                    "--require-media", NULL);
}

static void
sleep_seconds (double seconds)
{
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
}

/* A process's time, in seconds, of a CLOCK_MONOTONIC time in µs. */
static double
to_process (double origin_us,
            gint64 monotonic_us)
{
  return (monotonic_us - origin_us) / G_USEC_PER_SEC;
}

/* Media cut */

static gboolean
bench_media_cut (Bench *bench)
{
  JsonObject        *result = json_object_new ();
  JsonArray         *runs = json_array_new ();
  g_autoptr (GArray) video = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) connected = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char   *spec = g_strdup_printf ("%d:%d", CUT_START_SECONDS, CUT_SECONDS);

  g_print ("\n== media cut: all RTP/RTCP of one side dropped for %d s, %d fresh calls\n",
           CUT_SECONDS, N_CUTS);
  json_object_set_int_member (result, "bar_ms", BAR_RECOVERY_MS);
  json_object_set_int_member (result, "cut_seconds", CUT_SECONDS);
  json_object_set_array_member (result, "runs", runs);
  json_object_set_object_member (bench->results, "media_cut", result);

  for (guint i = 0; i < N_CUTS; i++)
    {
      McTestCli             *faulty = i % 2 == 0 ? bench->student : bench->mentor;
      McTestCli             *other = faulty == bench->student ? bench->mentor : bench->student;
      McTestCli             *both[] = { faulty, other };
      g_autoptr (JsonObject) faulty_summary = NULL;
      g_autoptr (JsonObject) other_summary = NULL;
      g_autofree char       *faulty_out = NULL;
      g_autofree char       *other_out = NULL;
      JsonObject            *run = json_object_new ();
      double                 faulty_origin, other_origin, unblocked_us;
      double                 video_ms = 0, connected_ms = 0;

      mc_test_cli_setenv (faulty, "MENTORCALL_FAULT_BLOCK_MEDIA", spec);
      join (bench, bench->mentor);
      join (bench, bench->student);
      for (guint j = 0; j < G_N_ELEMENTS (both); j++)
        mc_test_cli_wait_for (both[j], "first remote frame", first_frame_cb, NULL);
      for (guint j = 0; j < G_N_ELEMENTS (both); j++)
        mc_test_cli_wait_for (both[j], "video after the cut", resumed_after_cut_cb, NULL);
      /* A few seconds of the recovered call, in the figures' statistics. */
      sleep_seconds (2);

      faulty_summary = stop (faulty);
      other_summary = stop (other);
      mc_test_cli_setenv (faulty, "MENTORCALL_FAULT_BLOCK_MEDIA", NULL);
      if (faulty_summary == NULL || other_summary == NULL)
        return FALSE;

      faulty_out = mc_test_cli_get_output (faulty);
      other_out = mc_test_cli_get_output (other);
      if (!bench_process_origin (faulty_out, &faulty_origin) ||
          !bench_process_origin (other_out, &other_origin))
        {
          g_printerr ("bench-recovery: no statistics lines to align the clocks\n");
          return FALSE;
        }

      unblocked_us = faulty_origin + (mc_test_cli_find_line (faulty_out, "state connected") +
                                      CUT_START_SECONDS + CUT_SECONDS) *
                                       G_USEC_PER_SEC;
      json_object_set_string_member (run, "faulty", mc_test_cli_get_name (faulty));

      for (guint j = 0; j < G_N_ELEMENTS (both); j++)
        {
          const char *out = j == 0 ? faulty_out : other_out;
          double      origin = j == 0 ? faulty_origin : other_origin;
          double      end = to_process (origin, (gint64) unblocked_us);
          double      resumed = line_after (out, "video resumed", end - 0.5);
          double      again = line_after (out, "state connected", end - 0.5);
          double      resumed_ms = (origin + resumed * G_USEC_PER_SEC - unblocked_us) / 1000;
          double      again_ms = (origin + again * G_USEC_PER_SEC - unblocked_us) / 1000;
          JsonObject *side = json_object_new ();

          json_object_set_double_member (side, "video_resumed_ms", resumed_ms);
          json_object_set_double_member (side, "stall_started_s",
                                         line_after (out, "video stalled", 0));
          if (again >= 0)
            json_object_set_double_member (side, "connected_again_ms", again_ms);
          json_object_set_object_member (run, j == 0 ? "faulty_side" : "other_side", side);

          video_ms = MAX (video_ms, resumed_ms);
          if (again >= 0)
            connected_ms = MAX (connected_ms, again_ms);
        }

      json_object_set_double_member (run, "video_resumed_ms", video_ms);
      json_object_set_double_member (run, "connected_again_ms", connected_ms);
      json_array_add_object_element (runs, run);
      g_array_append_val (video, video_ms);
      g_array_append_val (connected, connected_ms);
      g_print ("  cut %u (%s side faulty): video decoded again on both sides %.0f ms after the "
               "cut ended; state connected again after %.0f ms\n",
               i + 1, mc_test_cli_get_name (faulty), video_ms, connected_ms);
    }

  g_print (" from the end of the cut, both sides (ms):\n");
  json_object_set_object_member (result, "video_resumed_ms",
                                 bench_summarize (video, "to remote video decoded again"));
  json_object_set_object_member (result, "connected_again_ms",
                                 bench_summarize (connected, "to the state connected again"));
  g_print ("  (the bar: media flowing again within %d ms)\n", BAR_RECOVERY_MS);

  return TRUE;
}

/* Server restart */

/* Posts a chat message as the student over REST; retries while the server
 * is not answering yet. Returns CLOCK_MONOTONIC µs of the answer. */
static gint64
post_chat (Bench      *bench,
           const char *text)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages",
                                           bench->booking_id);
  g_autofree char *client_id = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"client_id\":\"%s\",\"text\":\"%s\"}", client_id,
                                           text);

  for (guint attempt = 0; attempt < 200; attempt++)
    {
      g_autoptr (JsonNode) answer = NULL;
      guint                status = 0;

      answer = mc_test_request (bench->server, "POST", path, bench->student_token, body, &status);
      if (status == 201 || status == 200)
        return g_get_monotonic_time ();
      g_usleep (10 * 1000);
    }

  g_printerr ("bench-recovery: the restarted server does not take chat messages\n");
  return -1;
}

static gboolean
bench_server_restart (Bench *bench)
{
  JsonObject            *result = json_object_new ();
  JsonArray             *runs = json_array_new ();
  McTestCli             *both[2];
  g_autoptr (GArray)     signaling = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray)     chat = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray)     down = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (JsonObject) mentor_summary = NULL;
  g_autoptr (JsonObject) student_summary = NULL;
  g_autofree char       *mentor_out = NULL;
  g_autofree char       *student_out = NULL;
  gint64                 kills[N_RESTARTS], backs[N_RESTARTS], posted[N_RESTARTS];
  double                 origins[2];
  gboolean               media_never_stopped = TRUE;

  both[0] = bench->mentor;
  both[1] = bench->student;

  g_print ("\n== server restart: SIGKILL and start again on the same port, %d times in one "
           "call\n",
           N_RESTARTS);
  json_object_set_int_member (result, "bar_ms", BAR_RECOVERY_MS);
  json_object_set_array_member (result, "runs", runs);
  json_object_set_object_member (bench->results, "server_restart", result);

  join (bench, bench->mentor);
  join (bench, bench->student);
  for (guint j = 0; j < G_N_ELEMENTS (both); j++)
    mc_test_cli_wait_for (both[j], "first remote frame", first_frame_cb, NULL);
  sleep_seconds (STEADY_SECONDS);

  for (guint i = 0; i < N_RESTARTS; i++)
    {
      g_autofree char *text = g_strdup_printf ("bench restart %u", i + 1);
      g_autofree char *out = NULL;
      double           origin;

      kills[i] = g_get_monotonic_time ();
      mc_test_server_kill (bench->server);
      mc_test_server_start (bench->server);
      backs[i] = g_get_monotonic_time ();
      posted[i] = post_chat (bench, text);
      if (posted[i] < 0)
        return FALSE;

      /* Both back in the room, and the message shown by the mentor. */
      for (guint j = 0; j < G_N_ELEMENTS (both); j++)
        {
          After in_room = { 0, "in room", 0 };

          out = mc_test_cli_get_output (both[j]);
          if (!bench_process_origin (out, &origin))
            {
              g_printerr ("bench-recovery: no statistics lines to align the clocks\n");
              return FALSE;
            }
          g_clear_pointer (&out, g_free);
          in_room.after = to_process (origin, kills[i]);
          in_room.count = 1;
          mc_test_cli_wait_for (both[j], "back in the room", lines_after_cb, &in_room);
          if (j == 0)
            {
              After chat_line = { in_room.after, text, 1 };

              mc_test_cli_wait_for (both[j], "the chat message", lines_after_cb, &chat_line);
            }
        }
      sleep_seconds (STEADY_SECONDS);
    }

  student_summary = stop (bench->student);
  mentor_summary = stop (bench->mentor);
  if (mentor_summary == NULL || student_summary == NULL)
    return FALSE;

  mentor_out = mc_test_cli_get_output (bench->mentor);
  student_out = mc_test_cli_get_output (bench->student);
  if (!bench_process_origin (mentor_out, &origins[0]) ||
      !bench_process_origin (student_out, &origins[1]))
    return FALSE;

  for (guint i = 0; i < N_RESTARTS; i++)
    {
      g_autofree char *text = g_strdup_printf ("bench restart %u", i + 1);
      JsonObject      *run = json_object_new ();
      double           back_ms = 0, chat_ms, down_ms = (backs[i] - kills[i]) / 1000.0, stall_ms = 0;
      guint            stalls = 0, failures = 0;

      for (guint j = 0; j < G_N_ELEMENTS (both); j++)
        {
          const char *out = j == 0 ? mentor_out : student_out;
          double      killed = to_process (origins[j], kills[i]);
          double      in_room = line_after (out, "in room", killed);
          double      ms = (origins[j] + in_room * G_USEC_PER_SEC - backs[i]) / 1000;
          /* The window in which the media must not stop: the kill to a
           * second after both were back. */
          double until = in_room + 1;

          json_object_set_double_member (run, j == 0 ? "mentor_in_room_ms" : "student_in_room_ms",
                                         ms);
          back_ms = MAX (back_ms, ms);
          stalls += count_between (out, "video stalled", killed, until);
          stall_ms = MAX (stall_ms, longest_stall (out, killed, until + 1));
          failures += count_between (out, "state reconnecting", killed, until) +
                      count_between (out, "state failed", killed, until) +
                      count_between (out, "state waiting", killed, until);
        }

      chat_ms = (origins[0] + line_after (mentor_out, text, 0) * G_USEC_PER_SEC - backs[i]) / 1000;
      json_object_set_double_member (run, "server_down_ms", down_ms);
      json_object_set_double_member (run, "signaling_back_ms", back_ms);
      json_object_set_double_member (run, "chat_posted_ms", (posted[i] - backs[i]) / 1000.0);
      json_object_set_double_member (run, "chat_delivered_ms", chat_ms);
      json_object_set_int_member (run, "video_stalls", stalls);
      json_object_set_double_member (run, "longest_video_stall_ms", stall_ms);
      json_object_set_int_member (run, "session_state_changes", failures);
      json_array_add_object_element (runs, run);
      /* A stall that began before the kill and ended inside the window
       * counts too. */
      media_never_stopped &= stalls == 0 && stall_ms == 0 && failures == 0;

      g_array_append_val (signaling, back_ms);
      g_array_append_val (chat, chat_ms);
      g_array_append_val (down, down_ms);
      g_print ("  restart %u: server down %.0f ms; both back in the room %.0f ms and the chat "
               "message at the mentor %.0f ms after it listened; video stalls %u (longest %.0f "
               "ms), session state changes %u\n",
               i + 1, down_ms, back_ms, chat_ms, stalls,
               stall_ms, failures);
    }

  /* For comparison: stalls in the steady call before the first restart,
   * which only the machine's load can cause. */
  {
    JsonObject *baseline = json_object_new ();
    guint       stalls = 0;
    double      stall_ms = 0;

    for (guint j = 0; j < G_N_ELEMENTS (both); j++)
      {
        const char *out = j == 0 ? mentor_out : student_out;
        double      from = mc_test_cli_find_line (out, "first remote frame") + 1;
        double      to = to_process (origins[j], kills[0]);

        stalls += count_between (out, "video stalled", from, to);
        stall_ms = MAX (stall_ms, longest_stall (out, from, to));
      }
    json_object_set_int_member (baseline, "video_stalls", stalls);
    json_object_set_double_member (baseline, "longest_video_stall_ms", stall_ms);
    json_object_set_object_member (result, "before_restarts", baseline);
    g_print ("  for comparison, before the first restart: video stalls %u (longest %.0f ms)\n",
             stalls, stall_ms);
  }

  g_print (" from the server listening again (ms):\n");
  json_object_set_object_member (result, "server_down_ms",
                                 bench_summarize (down, "(kill to listening again)"));
  json_object_set_object_member (result, "signaling_back_ms",
                                 bench_summarize (signaling, "to both back in the room"));
  json_object_set_object_member (result, "chat_delivered_ms",
                                 bench_summarize (chat, "to a chat message at the peer"));
  json_object_set_boolean_member (result, "media_never_stopped", media_never_stopped);
  g_print ("  media never stopped: %s (no video stall over %d ms, no session state change)\n",
           media_never_stopped ? "yes" : "NO", 250);
  g_print ("  (the bar: signaling and chat back within %d ms, media never stopped)\n",
           BAR_RECOVERY_MS);

  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char       *output = NULL;
  g_auto (GStrv)         names = NULL;
  g_autoptr (JsonObject) results = json_object_new ();
  gboolean               all, ok = TRUE;
  Bench                  bench = { 0 };

  if (!bench_parse_args (&argc, &argv, "bench-recovery", "[media-cut|server-restart]…", &output,
                         &names))
    return 2;
  all = names == NULL;

  bench_note_load (results, "before");

  bench.results = results;
  bench.server = mc_test_server_start_new (NULL);
  /* The clients come back to the same address after a restart. */
  mc_test_server_keep_port (bench.server);
  mc_test_create_pair (bench.server, NULL, NULL);
  bench.booking_id = mc_test_create_booking (bench.server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60,
                                             3600, "confirmed");
  bench.student_token = mc_test_login (bench.server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  bench.mentor = mc_test_cli_new (bench.server, "mentor");
  bench.student = mc_test_cli_new (bench.server, "student");
  mc_test_cli_login (bench.mentor, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mc_test_cli_login (bench.student, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  if (ok && (all || g_strv_contains ((const char * const *) names, "media-cut")))
    ok = bench_media_cut (&bench);
  if (ok && (all || g_strv_contains ((const char * const *) names, "server-restart")))
    ok = bench_server_restart (&bench);

  g_print ("\n");
  bench_note_load (results, "after");
  json_object_set_boolean_member (results, "ok", ok);
  if (!bench_write_json (results, output))
    ok = FALSE;

  g_clear_pointer (&bench.mentor, mc_test_cli_free);
  g_clear_pointer (&bench.student, mc_test_cli_free);
  g_clear_pointer (&bench.server, mc_test_server_free);
  g_free (bench.student_token);

  return ok ? 0 : 1;
}
