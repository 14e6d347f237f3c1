/* bench-call.c — the call benchmarks of issue 4
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two `mentorcall-cli` processes, a mentor and a student, through a real
 * mentorcall-server on 127.0.0.1, with 720p30 test sources and ICE on
 * 127.0.0.1 only:
 *
 *   join-to-first-frame  from the second participant's join to the first
 *                        decoded remote frame on each side, N repetitions of
 *                        a fresh call, in both join orders
 *   latency              frame-in to frame-out latency (--stamp-frames) of a
 *                        call of LATENCY_SECONDS, both directions
 *   resources            CPU time and peak memory of each process over a call
 *                        of RESOURCES_SECONDS
 *
 * Usage: bench-call [join-to-first-frame|latency|resources]… [--output FILE]
 *        (all three when none is named)
 *
 * The figures are printed and written as JSON (by default to
 * bench-call.json in the working directory; meson gives the build dir). A
 * benchmark never fails because of a figure, only when the call does not
 * work at all. The bars of PRODUCT.md are printed beside the figures.
 *
 * Timing. Every `join` prints lines "SECONDS WHAT" timed from its own start,
 * and each of its per-second statistics carries g_get_monotonic_time()
 * (CLOCK_MONOTONIC, the same clock in every process of the machine). The
 * difference maps a process's times onto the common clock, so events of the
 * two processes can be compared.
 */

#include <string.h>

#include "bench-common.h"
#include "mc-test-cli.h"

#define N_REPETITIONS     5
#define LATENCY_SECONDS   20
#define RESOURCES_SECONDS 30
/* How long the first participant is alone before the second joins: its
 * capture, encoders and prepared offer are ready, as in a real lesson. */
#define ALONE_SECONDS   2.0
#define WARM_UP_SECONDS 3

#define BAR_FIRST_FRAME_MS 150
#define BAR_LATENCY_MS     60

typedef struct
{
  McTestServer *server;
  gint64        booking_id;
  McTestCli    *mentor;
  McTestCli    *student;
  JsonObject   *results;
} Bench;

/* Helpers */

static gboolean
first_frame_cb (McTestCli  *cli,
                const char *output,
                gpointer    user_data)
{
  return mc_test_cli_find_line (output, "first remote frame") >= 0 &&
         mc_test_cli_has_media (cli, output, NULL);
}

static gboolean
seconds_of_stats_cb (McTestCli  *cli,
                     const char *output,
                     gpointer    user_data)
{
  g_autoptr (GPtrArray) stats = mc_test_cli_parse_stats (output);

  return stats->len >= GPOINTER_TO_UINT (user_data);
}

/* Stops a `join` with SIGTERM and returns its summary; NULL if the call did
 * not work (that fails the benchmark). */
static JsonObject *
stop (McTestCli *cli)
{
  int status;

  mc_test_cli_signal (cli, SIGTERM);
  status = mc_test_cli_wait_exit (cli);
  if (status != 0)
    {
      mc_test_cli_dump (cli);
      g_printerr ("bench-call: %s: join exited with status %d\n", mc_test_cli_get_name (cli),
                  status);
      return NULL;
    }

  return mc_test_cli_read_summary (cli);
}

static void
join (Bench      *bench,
      McTestCli  *cli,
      const char *extra_arg)
{
  mc_test_cli_join (cli, bench->booking_id, "--width", "1280", "--height", "720", "--fps", "30",
                    "--require-media", extra_arg, NULL);
}

static void
sleep_seconds (double seconds)
{
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
}

/* Join to first frame */

static gboolean
bench_first_frame (Bench *bench)
{
  JsonObject        *result = json_object_new ();
  JsonArray         *runs = json_array_new ();
  const char        *orders[] = { "mentor-first", "student-first" };
  g_autoptr (GArray) all_both = g_array_new (FALSE, FALSE, sizeof (double));

  g_print ("\n== join to first remote frame (720p30, %u fresh calls per join order)\n",
           N_REPETITIONS);

  json_object_set_int_member (result, "bar_ms", BAR_FIRST_FRAME_MS);
  json_object_set_array_member (result, "runs", runs);
  json_object_set_object_member (bench->results, "join_to_first_frame", result);

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      McTestCli         *first = o == 0 ? bench->mentor : bench->student;
      McTestCli         *second = o == 0 ? bench->student : bench->mentor;
      g_autoptr (GArray) second_side = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) first_side = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) both = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) from_spawn = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) engine = g_array_new (FALSE, FALSE, sizeof (double));
      JsonObject        *order = json_object_new ();

      for (guint i = 0; i < N_REPETITIONS; i++)
        {
          g_autoptr (JsonObject) first_summary = NULL;
          g_autoptr (JsonObject) second_summary = NULL;
          g_autofree char       *first_out = NULL;
          g_autofree char       *second_out = NULL;
          JsonObject            *run = json_object_new ();
          double                 first_origin, second_origin;
          double                 joined, first_frame_first, first_frame_second;
          double                 t_first, t_second, value, spawned;

          join (bench, first, NULL);
          mc_test_cli_wait_for (first, "state waiting", mc_test_cli_has_line, (gpointer) "state waiting");
          sleep_seconds (ALONE_SECONDS);
          join (bench, second, NULL);
          mc_test_cli_wait_for (second, "first remote frame", first_frame_cb, NULL);
          mc_test_cli_wait_for (first, "first remote frame", first_frame_cb, NULL);

          second_summary = stop (second);
          first_summary = stop (first);
          if (first_summary == NULL || second_summary == NULL)
            return FALSE;

          first_out = mc_test_cli_get_output (first);
          second_out = mc_test_cli_get_output (second);
          if (!bench_process_origin (first_out, &first_origin) ||
              !bench_process_origin (second_out, &second_origin))
            {
              g_printerr ("bench-call: no statistics lines to align the clocks\n");
              return FALSE;
            }

          /* The second participant is in the call when its session starts
           * connecting: the server accepted its join and the peer is there. */
          joined = mc_test_cli_find_line (second_out, "state connecting");
          t_second = mc_test_cli_find_line (second_out, "first remote frame");
          t_first = mc_test_cli_find_line (first_out, "first remote frame");
          first_frame_second = (t_second - joined) * 1000;
          first_frame_first = ((first_origin + t_first * G_USEC_PER_SEC) -
                               (second_origin + joined * G_USEC_PER_SEC)) /
                              1000;

          g_array_append_val (second_side, first_frame_second);
          g_array_append_val (first_side, first_frame_first);
          value = MAX (first_frame_first, first_frame_second);
          g_array_append_val (both, value);
          g_array_append_val (all_both, value);
          spawned = (second_origin + t_second * G_USEC_PER_SEC -
                     mc_test_cli_get_spawn_time (second)) /
                    1000;
          spawned = MAX (spawned, (first_origin + t_first * G_USEC_PER_SEC -
                                   mc_test_cli_get_spawn_time (second)) /
                                    1000);
          g_array_append_val (from_spawn, spawned);
          value = json_object_get_double_member (second_summary, "time_to_first_frame_ms");
          g_array_append_val (engine, value);

          json_object_set_string_member (run, "order", orders[o]);
          json_object_set_double_member (run, "second_side_ms", first_frame_second);
          json_object_set_double_member (run, "first_side_ms", first_frame_first);
          json_object_set_double_member (run, "both_ms", MAX (first_frame_first, first_frame_second));
          json_object_set_double_member (run, "from_process_start_ms", spawned);
          json_object_set_double_member (run, "engine_first_side_ms",
                                         json_object_get_double_member (first_summary,
                                                                        "time_to_first_frame_ms"));
          json_object_set_double_member (run, "engine_second_side_ms",
                                         json_object_get_double_member (second_summary,
                                                                        "time_to_first_frame_ms"));
          json_array_add_object_element (runs, run);
        }

      g_print (" %s, then the %s joins (ms):\n", orders[o], mc_test_cli_get_name (second));
      json_object_set_object_member (order, "second_side_ms",
                                     bench_summarize (second_side, "on the joining side"));
      json_object_set_object_member (order, "first_side_ms",
                                     bench_summarize (first_side, "on the waiting side"));
      json_object_set_object_member (order, "both_ms",
                                     bench_summarize (both, "on both sides"));
      json_object_set_object_member (order, "from_process_start_ms",
                                     bench_summarize (from_spawn, "both, from starting the 2nd process"));
      json_object_set_object_member (order, "engine_second_side_ms",
                                     bench_summarize (engine, "engine's own figure, joining side"));
      json_object_set_object_member (result, orders[o], order);
    }

  g_print (" all calls (ms):\n");
  json_object_set_object_member (result, "both_ms", bench_summarize (all_both, "on both sides"));
  g_print ("  (the bar: under %d ms)\n", BAR_FIRST_FRAME_MS);

  return TRUE;
}

/* Latency */

static void
latency_direction (JsonObject *summary,
                   const char *direction,
                   JsonObject *result)
{
  JsonObject *latency = json_object_get_object_member (summary, "latency");
  JsonArray  *stats = json_object_get_array_member (summary, "stats");
  JsonObject *object = json_object_new ();
  double      sum = 0;
  guint64     samples = 0;

  /* The steady state: the per-second means after the first seconds, which
   * hold the start (key frame, jitter buffer filling). */
  for (guint i = WARM_UP_SECONDS; i < json_array_get_length (stats); i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);
      gint64      n = json_object_get_int_member (second, "latency_samples");

      if (n > 0)
        {
          sum += json_object_get_double_member (second, "latency_mean_ms") * n;
          samples += n;
        }
    }

  json_object_set_int_member (object, "samples", json_object_get_int_member (latency, "samples"));
  if (json_object_get_int_member (latency, "samples") > 0)
    {
      json_object_set_double_member (object, "p50_ms",
                                     json_object_get_double_member (latency, "p50_ms"));
      json_object_set_double_member (object, "p95_ms",
                                     json_object_get_double_member (latency, "p95_ms"));
      json_object_set_double_member (object, "mean_ms",
                                     json_object_get_double_member (latency, "mean_ms"));
      json_object_set_double_member (object, "max_ms",
                                     json_object_get_double_member (latency, "max_ms"));
      g_print ("  %-18s %5" G_GINT64_FORMAT " frames  p50 %6.1f  p95 %6.1f  mean %6.1f  max %6.1f",
               direction, json_object_get_int_member (latency, "samples"),
               json_object_get_double_member (latency, "p50_ms"),
               json_object_get_double_member (latency, "p95_ms"),
               json_object_get_double_member (latency, "mean_ms"),
               json_object_get_double_member (latency, "max_ms"));
    }
  else
    {
      g_print ("  %-18s no stamped frames were read", direction);
    }

  if (samples > 0)
    {
      json_object_set_double_member (object, "steady_mean_ms", sum / samples);
      g_print ("  (after %d s: mean %.1f)", WARM_UP_SECONDS, sum / samples);
    }
  g_print ("\n");

  json_object_set_object_member (result, direction, object);
}

static gboolean
bench_latency (Bench *bench)
{
  JsonObject            *result = json_object_new ();
  g_autoptr (JsonObject) mentor = NULL;
  g_autoptr (JsonObject) student = NULL;

  g_print ("\n== frame-in to frame-out latency (720p30, --stamp-frames, %d s call)\n",
           LATENCY_SECONDS);
  json_object_set_int_member (result, "bar_ms", BAR_LATENCY_MS);
  json_object_set_object_member (bench->results, "latency", result);

  join (bench, bench->mentor, "--stamp-frames");
  join (bench, bench->student, "--stamp-frames");
  mc_test_cli_wait_for (bench->mentor, "first remote frame", first_frame_cb, NULL);
  mc_test_cli_wait_for (bench->student, "first remote frame", first_frame_cb, NULL);
  sleep_seconds (LATENCY_SECONDS);

  student = stop (bench->student);
  mentor = stop (bench->mentor);
  if (mentor == NULL || student == NULL)
    return FALSE;

  g_print (" in ms, over the whole call:\n");
  latency_direction (student, "mentor -> student", result);
  latency_direction (mentor, "student -> mentor", result);
  g_print ("  (the bar: under %d ms)\n", BAR_LATENCY_MS);

  return TRUE;
}

/* Resources */

static void
resources_of (JsonObject *summary,
              const char *who,
              JsonObject *result)
{
  JsonObject *object = json_object_new ();
  double      cpu = json_object_get_double_member (summary, "cpu_s");
  double      duration = json_object_get_double_member (summary, "duration_s");
  gint64      rss = json_object_get_int_member (summary, "max_rss_kib");

  json_object_set_double_member (object, "cpu_s", cpu);
  json_object_set_double_member (object, "duration_s", duration);
  json_object_set_double_member (object, "cpu_percent_of_one_core", 100 * cpu / duration);
  json_object_set_int_member (object, "max_rss_kib", rss);
  json_object_set_double_member (object, "frames_decoded",
                                 json_object_get_int_member (summary, "frames_decoded"));
  json_object_set_object_member (result, who, object);

  g_print ("  %-8s CPU %6.2f s in %5.1f s = %5.1f %% of one core; peak RSS %6.1f MiB; "
           "%" G_GINT64_FORMAT " frames decoded\n",
           who, cpu, duration, 100 * cpu / duration, rss / 1024.0,
           json_object_get_int_member (summary, "frames_decoded"));
}

static gboolean
bench_resources (Bench *bench)
{
  JsonObject            *result = json_object_new ();
  g_autoptr (JsonObject) mentor = NULL;
  g_autoptr (JsonObject) student = NULL;
  guint                  n_cpus = g_get_num_processors ();

  g_print ("\n== CPU and memory per process (720p30 call of %d s, %u CPUs)\n",
           RESOURCES_SECONDS, n_cpus);
  json_object_set_int_member (result, "n_cpus", n_cpus);
  json_object_set_object_member (bench->results, "resources", result);

  /* Both processes run from the start to the end; the figures cover the
   * whole process, start-up included. */
  join (bench, bench->mentor, NULL);
  join (bench, bench->student, NULL);
  mc_test_cli_wait_for (bench->mentor, "first remote frame", first_frame_cb, NULL);
  mc_test_cli_wait_for (bench->student, "first remote frame", first_frame_cb, NULL);
  mc_test_cli_wait_for (bench->student, "statistics", seconds_of_stats_cb,
                        GUINT_TO_POINTER (RESOURCES_SECONDS));

  student = stop (bench->student);
  mentor = stop (bench->mentor);
  if (mentor == NULL || student == NULL)
    return FALSE;

  resources_of (mentor, "mentor", result);
  resources_of (student, "student", result);

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

  if (!bench_parse_args (&argc, &argv, "bench-call", "[join-to-first-frame|latency|resources]…",
                         &output, &names))
    return 2;
  all = names == NULL;

  bench_note_load (results, "before");

  bench.results = results;
  bench.server = mc_test_server_start_new (NULL);
  mc_test_create_pair (bench.server, NULL, NULL);
  bench.booking_id = mc_test_create_booking (bench.server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60,
                                             3600, "confirmed");
  bench.mentor = mc_test_cli_new (bench.server, "mentor");
  bench.student = mc_test_cli_new (bench.server, "student");
  mc_test_cli_login (bench.mentor, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mc_test_cli_login (bench.student, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  if (ok && (all || g_strv_contains ((const char * const *) names, "join-to-first-frame")))
    ok = bench_first_frame (&bench);
  if (ok && (all || g_strv_contains ((const char * const *) names, "latency")))
    ok = bench_latency (&bench);
  if (ok && (all || g_strv_contains ((const char * const *) names, "resources")))
    ok = bench_resources (&bench);

  g_print ("\n");
  bench_note_load (results, "after");
  json_object_set_boolean_member (results, "ok", ok);
  if (!bench_write_json (results, output))
    ok = FALSE;

  g_clear_pointer (&bench.mentor, mc_test_cli_free);
  g_clear_pointer (&bench.student, mc_test_cli_free);
  g_clear_pointer (&bench.server, mc_test_server_free);

  return ok ? 0 : 1;
}
