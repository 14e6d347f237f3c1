/* bench-network.c — the network benchmark: calls over an impaired path
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PRODUCT.md's bar for real networks: under the same shaping (loss, delay
 * and jitter, rate caps, outages), at least Chromium's frame rate and at
 * most its frozen time in every case; the sent bitrate under a cap within
 * 5 s; clean 720p30 at no more than 2.5 Mbit/s; media back within 1 s of the
 * network. This makes each case with our two `mentorcall-cli` processes and
 * then with two headless Chromiums, one after the other in the same run.
 *
 * The topology (bench-netns.c): two network namespaces, a (the mentor)
 * and b (the student), joined only by mc-netem through a TUN device in
 * each (10.77.0.1 ↔ 10.77.0.2). That is the media path, and the only one
 * ICE can use: our CLIs get --ice-address of their end of it
 * (netns-cli.sh), Chromium finds no other interface than loopback, which
 * it leaves out. Signaling is not shaped: the real mentorcall-server runs
 * in the benchmark's own namespace on 127.0.0.1, and a thread
 * (bench-forwarder.c) listens on 127.0.0.1 at the same port inside each
 * namespace and forwards each connection to it. The same thread serves
 * Chromium's page and a tiny relay through which its two ends swap their
 * descriptions. The figures are computed the same way for both engines
 * (bench-network-figures.c).
 *
 * Per case and engine, over a window that starts when both ends decode
 * the other's video (or CONNECT_SECONDS after the start, when they do not)
 * and lasts MENTORCALL_BENCH_CASE_SECONDS (default 20; outage cases are
 * longer): received frames a second (mean, and the worst second), freezes
 * (gaps between decoded frames of more than BENCH_FREEZE_SECONDS: count
 * and total time), the sent bitrate and how long after media started it took
 * to stay under a cap, the received resolution, end-to-end latency (ours:
 * --stamp-frames; Chromium: an estimate from its jitter buffer and round
 * trip), and after an outage the time from the network's return to video
 * again. Per-second fields of --stats-json that this file does not know
 * (a bandwidth estimate, a target, …) are reported by name, as means.
 *
 * Environment: MENTORCALL_BENCH_CASE (names, comma-separated),
 * MENTORCALL_BENCH_CASE_SECONDS, MENTORCALL_BENCH_ENGINES (ours,chromium),
 * MENTORCALL_CHROMIUM, MENTORCALL_NETEM. Exits 77 (skipped) without root,
 * `ip` or /dev/net/tun; without Chromium it measures ours only, saying so.
 * Fails only when a call does not work at all on the clean path.
 *
 * With --check it is a test (test-call-loss): the cases run for ours only,
 * and each must show what loss resilience does, never how fast: both sides
 * decode video, the network lost packets on arrival, retransmissions
 * repaired some, and the receive jitter buffers waited longer than on a
 * clean path (McJitterPolicy).
 */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-common.h"
#include "bench-network.h"
#include "mc-test-cli.h"

#define EXIT_SKIP            77
#define DEFAULT_CASE_SECONDS 20
#define CONNECT_SECONDS      20
#define OUTAGE_AT_SECONDS    5
#define AFTER_OUTAGE_SECONDS 10
#define STOP_SECONDS         10
#define BAR_FIT_SECONDS      5
#define BAR_CLEAN_KBIT       2500
#define BAR_RECOVERY_MS      1000
/* The engine's receive latency on a clean path (mc-call-session.c). */
#define CHECK_CLEAN_LATENCY_MS 40

static const BenchCase cases[] = {
  { "clean", "no impairment", "", 0, 0 },
  { "loss-2", "2 % loss", "loss=2", 0, 0 },
  { "loss-5", "5 % loss", "loss=5", 0, 0 },
  { "loss-10", "10 % loss", "loss=10", 0, 0 },
  { "delay-80", "80 ms +/- 20 ms", "delay=80,jitter=20", 0, 0 },
  { "cap-2000", "2 Mbit/s cap", "rate=2000", 2000, 0 },
  { "cap-1000", "1 Mbit/s cap", "rate=1000", 1000, 0 },
  { "cap-500", "500 kbit/s cap", "rate=500", 500, 0 },
  { "mixed", "5 % loss + 1 Mbit/s + 50 ms", "loss=5,rate=1000,delay=50", 1000, 0 },
  { "outage-5", "link down 5 s", "", 0, 5 },
  { "outage-30", "link down 30 s", "", 0, 30 },
};

typedef struct
{
  McTestServer   *server;
  BenchNetns     *netns;
  BenchForwarder *forwarder;
  char           *dir;
  const char     *real_cli;
  char           *chromium;
  double          case_seconds;
  guint           n_runs;
} Bench;

/* Chromium's profiles: directories, files and symbolic links (its
 * Singleton* locks), which are removed, never followed. */
static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char      *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}


/* Helpers: a case */

static char *
read_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static BenchNetem *
start_netem (Bench           *bench,
             const BenchCase *test_case)
{
  g_autoptr (GError) error = NULL;
  const char        *args[] = { "--seed", "12", "--both", test_case->shape, NULL };
  BenchNetem        *netem;

  netem = bench_netem_start (bench->netns, bench_netem_get_program (), bench->dir, args, &error);
  if (netem == NULL)
    g_error ("bench-network: cannot start mc-netem: %s", error->message);
  return netem;
}

static double
window_seconds (Bench           *bench,
                const BenchCase *test_case)
{
  if (test_case->outage_seconds > 0)
    return MAX (bench->case_seconds,
                OUTAGE_AT_SECONDS + test_case->outage_seconds + AFTER_OUTAGE_SECONDS);
  return bench->case_seconds;
}

static void
sleep_until (gint64 monotonic)
{
  gint64 now = g_get_monotonic_time ();

  if (monotonic > now)
    g_usleep (monotonic - now);
}

/* From the window's start to its end, with the case's outage in it.
 * Returns when the outage ended, in seconds into the window, or 0. */
static double
run_window (BenchNetem      *netem,
            const BenchCase *test_case,
            gint64           window_start,
            double           window)
{
  g_autoptr (GError) error = NULL;
  double             outage_end = 0;

  if (test_case->outage_seconds > 0)
    {
      sleep_until (window_start + OUTAGE_AT_SECONDS * G_USEC_PER_SEC);
      if (!bench_netem_set_outage (netem, TRUE, &error))
        g_error ("bench-network: %s", error->message);
      sleep_until (window_start +
                   (OUTAGE_AT_SECONDS + test_case->outage_seconds) * G_USEC_PER_SEC);
      if (!bench_netem_set_outage (netem, FALSE, &error))
        g_error ("bench-network: %s", error->message);
      outage_end = (g_get_monotonic_time () - window_start) / (double) G_USEC_PER_SEC;
    }
  sleep_until (window_start + (gint64) (window * G_USEC_PER_SEC));
  return outage_end;
}

/* Helpers: ours */

static gboolean
has_first_frame (McTestCli *cli)
{
  g_autofree char *output = mc_test_cli_get_output (cli);

  return mc_test_cli_find_line (output, "first remote frame") >= 0;
}

/* SIGTERM, and the summary; a `join` that does not leave in time is
 * killed. Warnings in its standard error are counted, not fatal: under
 * loss a call may well warn. */
static JsonObject *
stop_join (Bench      *bench,
           McTestCli  *cli,
           const char *name)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char       *path = NULL;
  gint64                 deadline = g_get_monotonic_time () + STOP_SECONDS * G_USEC_PER_SEC;

  if (mc_test_cli_is_running (cli))
    mc_test_cli_signal (cli, SIGTERM);
  while (mc_test_cli_is_running (cli) && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  if (mc_test_cli_is_running (cli))
    {
      g_printerr ("bench-network: %s did not leave within %d s\n", name, STOP_SECONDS);
      mc_test_cli_signal (cli, SIGKILL);
      while (mc_test_cli_is_running (cli))
        g_usleep (50 * 1000);
    }

  path = g_build_filename (mc_test_server_get_dir (bench->server), name, "join-1.json", NULL);
  if (!json_parser_load_from_file (parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
read_ours (McTestCli     *cli,
           JsonObject    *summary,
           gint64         window_start,
           double         window,
           BenchEndpoint *endpoint)
{
  g_autofree char *output = mc_test_cli_get_output (cli);
  g_autofree char *errors = mc_test_cli_get_errors (cli);
  g_auto (GStrv)   lines = g_strsplit (output, "\n", -1);
  g_auto (GStrv)   error_lines = g_strsplit (errors, "\n", -1);
  JsonArray       *stats = summary != NULL && json_object_has_member (summary, "stats")
                             ? json_object_get_array_member (summary, "stats")
                             : NULL;
  double           origin = 0, stalled = NAN, latency_sum = 0;
  guint            latency_n = 0, warnings = 0;

  endpoint->decoded = mc_test_cli_find_line (output, "first remote frame") >= 0;
  bench_process_origin (output, &origin);

  for (guint i = 0; stats != NULL && i < json_array_get_length (stats); i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);
      BenchSample sample;
      double      latency = bench_member_or_nan (second, "latency_mean_ms");

      sample.t = (json_object_get_int_member_with_default (second, "monotonic_time_us", 0) -
                  window_start) /
                 (double) G_USEC_PER_SEC;
      sample.frames = json_object_get_int_member_with_default (second, "frames_decoded", 0);
      sample.sent_bps = json_object_get_int_member_with_default (second, "bitrate_out", 0);
      sample.width = json_object_get_int_member_with_default (second, "width", 0);
      sample.height = json_object_get_int_member_with_default (second, "height", 0);
      g_array_append_val (endpoint->samples, sample);
      if (sample.t >= 0 && sample.t <= window && !isnan (latency))
        {
          latency_sum += latency;
          latency_n++;
        }
    }

  /* "T video stalled since S" … "T video resumed after N ms", in seconds
   * of the process; its origin maps them onto the monotonic clock. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      double t = (origin + g_ascii_strtod (lines[i], NULL) * G_USEC_PER_SEC - window_start) /
                 G_USEC_PER_SEC;
      const char *since = strstr (lines[i], " video stalled since ");

      if (since != NULL)
        stalled = (origin + g_ascii_strtod (since + 21, NULL) * G_USEC_PER_SEC - window_start) /
                  G_USEC_PER_SEC;
      else if (strstr (lines[i], " video resumed after ") != NULL && !isnan (stalled))
        {
          bench_endpoint_add_freeze (endpoint, stalled, t);
          stalled = NAN;
        }
    }
  if (!isnan (stalled))
    bench_endpoint_add_freeze (endpoint, stalled, INFINITY);

  if (latency_n > 0)
    json_object_set_double_member (endpoint->extra, "latency_ms", latency_sum / latency_n);
  if (summary != NULL && json_object_has_member (summary, "latency"))
    json_object_set_object_member (endpoint->extra, "latency_call",
                                   json_object_ref (json_object_get_object_member (summary,
                                                                                   "latency")));
  if (stats != NULL)
    bench_collect_extra (stats, window_start, window, endpoint->extra);

  for (guint i = 0; error_lines[i] != NULL; i++)
    warnings += strstr (error_lines[i], "-WARNING **") != NULL ||
                strstr (error_lines[i], "-CRITICAL **") != NULL;
  json_object_set_int_member (endpoint->extra, "warnings_logged", warnings);
}

static JsonObject *
run_ours (Bench           *bench,
          const BenchCase *test_case)
{
  g_autoptr (BenchNetem) netem = start_netem (bench, test_case);
  McTestCli             *clis[2];
  g_autoptr (JsonObject) netem_stats = NULL;
  const char            *roles[] = { "mentor", "student" };
  const char            *users[][2] = { { MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD },
                                        { MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD } };
  char                  *names[2];
  BenchEndpoint          ends[2];
  double                 window = window_seconds (bench, test_case), outage_end;
  gint64                 booking_id, started, window_start;
  JsonObject            *result;

  bench->n_runs++;
  booking_id = mc_test_create_booking (bench->server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                       "confirmed");
  for (guint i = 0; i < 2; i++)
    {
      names[i] = g_strdup_printf ("%s-%u", roles[i], bench->n_runs);
      clis[i] = mc_test_cli_new (bench->server, names[i]);
      mc_test_cli_setenv (clis[i], "MC_BENCH_NETNS", bench_netns_get_name (bench->netns, i));
      mc_test_cli_setenv (clis[i], "MC_BENCH_ICE_ADDRESS",
                          bench_netns_get_address (bench->netns, i));
      mc_test_cli_setenv (clis[i], "MC_BENCH_CLI", bench->real_cli);
      mc_test_cli_login (clis[i], users[i][0], users[i][1]);
    }

  started = g_get_monotonic_time ();
  for (guint i = 0; i < 2; i++)
    mc_test_cli_join (clis[i], booking_id, "--width", "1280", "--height", "720", "--fps", "30",
                      "--stamp-frames", NULL);
  while (g_get_monotonic_time () < started + CONNECT_SECONDS * G_USEC_PER_SEC &&
         !(has_first_frame (clis[0]) && has_first_frame (clis[1])) &&
         mc_test_cli_is_running (clis[0]) && mc_test_cli_is_running (clis[1]))
    g_usleep (20 * 1000);
  window_start = g_get_monotonic_time ();
  outage_end = run_window (netem, test_case, window_start, window);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonObject) summary = stop_join (bench, clis[i], names[i]);

      bench_endpoint_init (&ends[i]);
      read_ours (clis[i], summary, window_start, window, &ends[i]);
      if (summary == NULL)
        g_printerr ("bench-network: %s wrote no summary\n", names[i]);
    }
  netem_stats = bench_netem_stop (netem);

  result = bench_summarize_engine (ends, "ours", test_case, window, outage_end);
  json_object_set_double_member (result, "connect_s",
                                 (window_start - started) / (double) G_USEC_PER_SEC);
  if (netem_stats != NULL)
    json_object_set_object_member (result, "netem", g_steal_pointer (&netem_stats));
  for (guint i = 0; i < 2; i++)
    {
      bench_endpoint_clear (&ends[i]);
      mc_test_cli_free (clis[i]);
      g_free (names[i]);
    }
  return result;
}

static double
field_mean (JsonObject *fields,
            const char *name)
{
  return json_object_has_member (fields, name)
           ? json_object_get_double_member (json_object_get_object_member (fields, name), "mean")
           : NAN;
}

/* What --check asks of a lossy case's result (run_ours ()); FALSE after
 * saying what is missing. */
static gboolean
check_loss_resilience (JsonObject *ours)
{
  JsonObject *ends = json_object_get_object_member (ours, "ends");
  const char *names[] = { "mentor", "student" };
  gboolean    ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonObject *end = json_object_get_object_member (ends, names[i]);
      JsonObject *extra = json_object_get_object_member (end, "extra");
      JsonObject *fields = json_object_get_object_member (extra, "stats_fields");
      struct
      {
        const char *field;
        const char *what;
        double      above;
      } wanted[] = {
        { "arrival_loss", "packets lost on arrival", 0 },
        { "packets_repaired", "packets repaired by retransmission", 0 },
        { "receive_latency_ms", "a jitter buffer that waits longer than on a clean path",
          CHECK_CLEAN_LATENCY_MS },
      };

      /* Not a bar (how many are given up on depends on timing), but what
       * tells how well the repair worked. */
      g_print ("# %s: video packets given up on: video_packets_dropped %.3f a second\n",
               names[i], field_mean (fields, "video_packets_dropped"));
      if (json_object_get_double_member (end, "fps_mean") <= 0)
        {
          g_printerr ("bench-network: the %s decoded no video\n", names[i]);
          ok = FALSE;
        }
      for (guint k = 0; k < G_N_ELEMENTS (wanted); k++)
        {
          double mean = field_mean (fields, wanted[k].field);

          g_print ("# %s: %s: %s %.3f\n", names[i], wanted[k].what, wanted[k].field, mean);
          if (!(mean > wanted[k].above))
            {
              g_printerr ("bench-network: the %s saw no %s (%s %.3f)\n", names[i],
                          wanted[k].what, wanted[k].field, mean);
              ok = FALSE;
            }
        }
    }

  return ok;
}

/* Helpers: Chromium */

/* Every process of a namespace of ours is a Chromium of ours once the
 * CLIs are gone: whatever the browser leaves behind is killed by its id. */
static void
kill_namespace_processes (Bench *bench,
                          guint  side)
{
  g_autofree char *path = g_build_filename ("/run/netns", bench_netns_get_name (bench->netns, side),
                                            NULL);
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  struct stat      netns_stat;
  const char      *name;

  if (stat (path, &netns_stat) != 0)
    return;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *ns = g_strdup_printf ("/proc/%s/ns/net", name);
      struct stat      process_stat;

      if (g_ascii_isdigit (name[0]) && stat (ns, &process_stat) == 0 &&
          process_stat.st_ino == netns_stat.st_ino && process_stat.st_dev == netns_stat.st_dev)
        kill ((pid_t) g_ascii_strtoll (name, NULL, 10), SIGKILL);
    }
}

static GSubprocess *
start_chromium (Bench      *bench,
                guint       side,
                const char *room,
                const char *dir)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError)              error = NULL;
  g_autofree char                *profile = g_build_filename (dir, "profile", NULL);
  g_autofree char                *log = g_build_filename (dir, "chromium.log", NULL);
  g_autofree char                *data_dir = g_strdup_printf ("--user-data-dir=%s", profile);
  g_autofree char                *url = g_strdup_printf (
                   "http://127.0.0.1:%u/chromium-network.html?role=%s&room=%s",
                   bench_forwarder_get_relay_port (bench->forwarder),
    side == 0 ? "offer" : "answer", room);
  GSubprocess *process;

  g_mkdir_with_parents (dir, 0700);
  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE, dir, SIGKILL);
  g_subprocess_launcher_setenv (launcher, "HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  /* Only loopback and the shaped link in the namespace: loopback is left
   * out of WebRTC's networks (no --allow-loopback-in-peer-connection), so
   * the link's address is the only candidate, not hidden behind mDNS. */
  process = g_subprocess_launcher_spawn (
    launcher, &error, "ip", "netns", "exec", bench_netns_get_name (bench->netns, side),
    bench->chromium, "--headless", "--no-sandbox", data_dir, "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--metrics-recording-only", "--disable-domain-reliability", "--disable-breakpad",
    "--use-fake-device-for-media-stream=fps=30", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns", "--enable-logging=stderr", "--v=0", url,
    NULL);
  if (process == NULL)
    g_error ("bench-network: cannot start Chromium: %s", error->message);
  return process;
}

/* The page's console lines "MCBENCH WHAT {…}" in Chromium's log. */
static GPtrArray *
read_page_lines (const char *dir,
                 const char *what)
{
  g_autofree char      *path = g_build_filename (dir, "chromium.log", NULL);
  g_autofree char      *log = read_text (path);
  g_autofree char      *marker = g_strdup_printf ("\"MCBENCH %s {", what);
  g_autoptr (GPtrArray) objects = NULL;

  objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (const char *p = strstr (log, marker); p != NULL; p = strstr (p + 1, marker))
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      const char            *start = p + strlen (marker) - 1;
      const char            *end = strstr (start, "}\", source: ");
      g_autofree char       *json = NULL;

      if (end == NULL)
        break;
      json = g_strndup (start, end + 1 - start);
      if (json_parser_load_from_data (parser, json, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        g_ptr_array_add (objects,
                         json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return g_steal_pointer (&objects);
}

static void
print_page_errors (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "chromium.log", NULL);
  g_autofree char *log = read_text (path);
  g_auto (GStrv)   lines = g_strsplit (log, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "MCBENCH error") != NULL || strstr (lines[i], ":FATAL:") != NULL)
      g_printerr ("chromium: %s\n", lines[i]);
}

/* Date.now () of the page, in ms, to seconds of the window. */
static double
real_to_window (double milliseconds,
                gint64 window_start_real)
{
  return (milliseconds * 1000 - window_start_real) / G_USEC_PER_SEC;
}

static void
read_chromium (const char    *dir,
               gint64         window_start_real,
               double         window,
               BenchEndpoint *endpoint)
{
  g_autoptr (GPtrArray) stats = read_page_lines (dir, "stats");
  JsonObject           *previous = NULL, *last = NULL;
  double                latency_sum = 0, estimate_sum = 0;
  guint                 latency_n = 0, estimate_n = 0;

  for (guint i = 0; i < stats->len; i++)
    {
      JsonObject *second = g_ptr_array_index (stats, i);
      BenchSample sample;
      double      bytes = bench_member_or_nan (second, "bytesSent") +
                     bench_member_or_nan (second, "headerBytesSent");

      sample.t = real_to_window (bench_member_or_nan (second, "t"), window_start_real);
      sample.frames = bench_member_or_nan (second, "framesDecoded");
      sample.sent_bps = -1;
      if (previous != NULL)
        {
          double before = bench_member_or_nan (previous, "bytesSent") +
                          bench_member_or_nan (previous, "headerBytesSent");
          double seconds =
            (bench_member_or_nan (second, "t") - bench_member_or_nan (previous, "t")) / 1000;

          if (seconds > 0)
            sample.sent_bps = (bytes - before) * 8 / seconds;
        }
      sample.width = json_object_get_int_member_with_default (second, "width", 0);
      sample.height = json_object_get_int_member_with_default (second, "height", 0);
      g_array_append_val (endpoint->samples, sample);
      endpoint->decoded |= sample.frames > 0;

      if (sample.t >= 0 && sample.t <= window)
        {
          double emitted = bench_member_or_nan (second, "jitterBufferEmittedCount");
          double round_trip = bench_member_or_nan (second, "roundTrip");
          double estimate = bench_member_or_nan (second, "availableOutgoingBitrate");
          double emitted_before = previous != NULL
                                    ? bench_member_or_nan (previous, "jitterBufferEmittedCount")
                                    : NAN;

          /* Not measured glass to glass as ours is: the jitter buffer's mean
           * delay plus half the round trip. */
          if (emitted > emitted_before && !isnan (round_trip))
            {
              double delay = bench_member_or_nan (second, "jitterBufferDelay") -
                             bench_member_or_nan (previous, "jitterBufferDelay");

              latency_sum += delay / (emitted - emitted_before) * 1000 + round_trip * 1000 / 2;
              latency_n++;
            }
          if (!isnan (estimate))
            {
              estimate_sum += estimate;
              estimate_n++;
            }
        }
      previous = last = second;
    }

  if (last != NULL)
    {
      JsonArray *freezes = json_object_has_member (last, "freezes")
                             ? json_object_get_array_member (last, "freezes")
                             : NULL;
      double     last_frame = bench_member_or_nan (last, "lastFrame");

      for (guint i = 0; freezes != NULL && i < json_array_get_length (freezes); i++)
        {
          JsonArray *freeze = json_array_get_array_element (freezes, i);

          bench_endpoint_add_freeze (
            endpoint, real_to_window (json_array_get_double_element (freeze, 0), window_start_real),
            real_to_window (json_array_get_double_element (freeze, 1), window_start_real));
        }
      /* Still frozen when the page last reported. */
      if (last_frame > 0 &&
          bench_member_or_nan (last, "t") - last_frame > BENCH_FREEZE_SECONDS * 1000)
        bench_endpoint_add_freeze (endpoint, real_to_window (last_frame, window_start_real),
                                   INFINITY);
      json_object_set_int_member (endpoint->extra, "sent_width",
                                  json_object_get_int_member_with_default (last, "sentWidth", 0));
      json_object_set_int_member (endpoint->extra, "sent_height",
                                  json_object_get_int_member_with_default (last, "sentHeight", 0));
      json_object_set_string_member (endpoint->extra, "quality_limitation",
                                     json_object_get_string_member_with_default (
                                       last, "qualityLimitation", ""));
    }
  if (latency_n > 0)
    json_object_set_double_member (endpoint->extra, "latency_estimate_ms",
                                   latency_sum / latency_n);
  if (estimate_n > 0)
    json_object_set_double_member (endpoint->extra, "estimate_kbit_s",
                                   estimate_sum / estimate_n / 1000);
}

static void
stop_chromium (Bench       *bench,
               GSubprocess *process,
               guint        side)
{
  gint64 deadline = g_get_monotonic_time () + STOP_SECONDS * G_USEC_PER_SEC;

  g_subprocess_send_signal (process, SIGTERM);
  while (g_subprocess_get_identifier (process) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  kill_namespace_processes (bench, side);
}

static gboolean
page_connected (const char *dir)
{
  g_autoptr (GPtrArray) lines = read_page_lines (dir, "connected");

  return lines->len > 0;
}

static JsonObject *
run_chromium (Bench           *bench,
              const BenchCase *test_case)
{
  g_autoptr (BenchNetem) netem = start_netem (bench, test_case);
  g_autoptr (JsonObject) netem_stats = NULL;
  g_autofree char       *room = NULL;
  char                  *dirs[2];
  GSubprocess           *processes[2];
  BenchEndpoint          ends[2];
  double                 window = window_seconds (bench, test_case), outage_end;
  gint64                 started, window_start, window_start_real;
  JsonObject            *result;

  bench->n_runs++;
  room = g_strdup_printf ("%s-%u", test_case->name, bench->n_runs);
  for (guint i = 0; i < 2; i++)
    {
      dirs[i] = g_strdup_printf ("%s/chromium-%s-%c", bench->dir, room, 'a' + i);
      processes[i] = start_chromium (bench, i, room, dirs[i]);
    }

  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () < started + CONNECT_SECONDS * G_USEC_PER_SEC &&
         !(page_connected (dirs[0]) && page_connected (dirs[1])))
    g_usleep (50 * 1000);
  window_start = g_get_monotonic_time ();
  window_start_real = g_get_real_time ();
  outage_end = run_window (netem, test_case, window_start, window);
  /* The page's last report covers the window's end. */
  g_usleep (1100 * 1000);

  for (guint i = 0; i < 2; i++)
    {
      bench_endpoint_init (&ends[i]);
      read_chromium (dirs[i], window_start_real, window, &ends[i]);
      if (!ends[i].decoded)
        print_page_errors (dirs[i]);
      stop_chromium (bench, processes[i], i);
      g_object_unref (processes[i]);
    }
  netem_stats = bench_netem_stop (netem);

  result = bench_summarize_engine (ends, "Chromium", test_case, window, outage_end);
  json_object_set_double_member (result, "connect_s",
                                 (window_start - started) / (double) G_USEC_PER_SEC);
  if (netem_stats != NULL)
    json_object_set_object_member (result, "netem", g_steal_pointer (&netem_stats));
  for (guint i = 0; i < 2; i++)
    {
      bench_endpoint_clear (&ends[i]);
      g_free (dirs[i]);
    }
  return result;
}

/* The bars of PRODUCT.md for one case, printed and kept. */
static void
compare (const BenchCase *test_case,
         JsonObject      *ours,
         JsonObject      *chromium,
         JsonObject      *bars)
{
  g_autoptr (GString) line = g_string_new ("  bars:");

  if (chromium != NULL)
    {
      gboolean fps = json_object_get_double_member (ours, "fps_mean") >=
                     json_object_get_double_member (chromium, "fps_mean") - 0.5;
      gboolean frozen = json_object_get_double_member (ours, "frozen_s_per_direction") <=
                        json_object_get_double_member (chromium, "frozen_s_per_direction") + 0.5;

      json_object_set_boolean_member (bars, "fps_at_least_chromium", fps);
      json_object_set_boolean_member (bars, "frozen_at_most_chromium", frozen);
      g_string_append_printf (line, " frame rate >= Chromium's %s; frozen time <= Chromium's %s;",
                              fps ? "met" : "NOT met", frozen ? "met" : "NOT met");
    }
  if (test_case->cap_kbit > 0)
    {
      double   fit = bench_member_or_nan (ours, "fit_under_cap_s");
      gboolean met = !isnan (fit) && fit <= BAR_FIT_SECONDS;

      json_object_set_boolean_member (bars, "fits_cap_within_5_s", met);
      g_string_append_printf (line, " under the cap within %d s %s;", BAR_FIT_SECONDS,
                              met ? "met" : "NOT met");
    }
  if (g_str_equal (test_case->name, "clean"))
    {
      gboolean met = bench_member_or_nan (ours, "sent_kbit_s") <= BAR_CLEAN_KBIT;

      json_object_set_boolean_member (bars, "clean_at_most_2500_kbit_s", met);
      g_string_append_printf (line, " clean at <= %d kbit/s %s;", BAR_CLEAN_KBIT,
                              met ? "met" : "NOT met");
    }
  if (test_case->outage_seconds > 0)
    {
      double   recovery = bench_member_or_nan (ours, "recovery_ms");
      gboolean met = isfinite (recovery) && recovery < BAR_RECOVERY_MS;

      json_object_set_boolean_member (bars, "recovery_under_1_s", met);
      g_string_append_printf (line, " recovery < %d ms %s;", BAR_RECOVERY_MS,
                              met ? "met" : "NOT met");
    }
  g_print ("%s\n", line->str);
}

static gboolean
wanted (const char *list,
        const char *name)
{
  g_auto (GStrv) names = NULL;

  if (list == NULL || list[0] == '\0')
    return TRUE;
  names = g_strsplit (list, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (g_strstrip (names[i]), name))
      return TRUE;
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char           *output = NULL;
  g_autofree char           *page = NULL;
  g_autofree char           *wrapper = NULL;
  g_autofree char           *why_not = NULL;
  g_autofree char           *chromium_why_not = NULL;
  g_autofree char           *path = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError)         error = NULL;
  g_autoptr (JsonObject)     results = json_object_new ();
  g_autoptr (McTestServer)   server = NULL;
  g_autoptr (BenchNetns)     netns = NULL;
  gboolean                   check = FALSE;
  const GOptionEntry         entries[] = {
            { "page", 'p', 0, G_OPTION_ARG_FILENAME, &page, "Chromium's page", "HTML" },
            { "cli-wrapper", 0, 0, G_OPTION_ARG_FILENAME, &wrapper, "netns-cli.sh", "SCRIPT" },
            { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the JSON here", "FILE" },
            { "check", 0, 0, G_OPTION_ARG_NONE, &check, "Test loss resilience (ours only)", NULL },
            { NULL }
  };
  const char *filter = g_getenv ("MENTORCALL_BENCH_CASE");
  const char *engines = g_getenv ("MENTORCALL_BENCH_ENGINES");
  const char *seconds = g_getenv ("MENTORCALL_BENCH_CASE_SECONDS");
  JsonObject *case_results = json_object_new ();
  Bench       bench = { 0 };
  gboolean    ok = TRUE, with_chromium;
  guint       n_cases = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || page == NULL ||
      wrapper == NULL)
    {
      g_printerr ("bench-network: %s\n",
                  error != NULL ? error->message : "--page and --cli-wrapper are required");
      return 2;
    }
  if (output == NULL)
    output = g_strdup ("bench-network.json");
  /* The children run in directories of their own. */
  path = g_canonicalize_filename (wrapper, NULL);
  g_free (wrapper);
  wrapper = g_steal_pointer (&path);

  why_not = bench_netns_why_not ();
  if (why_not != NULL)
    {
      g_print ("SKIP: %s\n", why_not);
      return EXIT_SKIP;
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    n_cases += wanted (filter, cases[i].name);
  if (n_cases == 0)
    {
      g_printerr ("bench-network: no case named %s\n", filter);
      return 2;
    }

  /* Everything else runs in a child; this process deletes the namespaces
   * after it, however it ended. */
  bench_netns_guard ();
  bench_test_init (&argc, &argv);

  bench.case_seconds = seconds != NULL ? g_ascii_strtod (seconds, NULL) : DEFAULT_CASE_SECONDS;
  if (bench.case_seconds < 5)
    bench.case_seconds = DEFAULT_CASE_SECONDS;
  bench.chromium = g_strdup (g_getenv ("MENTORCALL_CHROMIUM"));
  if (bench.chromium == NULL)
    bench.chromium = g_find_program_in_path ("chromium");
  if (bench.chromium == NULL || !g_file_test (bench.chromium, G_FILE_TEST_IS_EXECUTABLE))
    chromium_why_not = g_strdup ("chromium is not installed (apt-get install chromium)");
  else if (check)
    chromium_why_not = g_strdup ("a check measures ours only");
  else if (!wanted (engines, "chromium"))
    chromium_why_not = g_strdup ("not in MENTORCALL_BENCH_ENGINES");
  with_chromium = chromium_why_not == NULL;

  netns = bench_netns_new (&error);
  if (netns == NULL)
    {
      g_print ("SKIP: cannot make the namespaces: %s\n", error->message);
      return EXIT_SKIP;
    }

  server = mc_test_server_start_new (NULL);
  mc_test_create_pair (server, NULL, NULL);
  bench.server = server;
  bench.netns = netns;
  bench.dir = g_build_filename (mc_test_server_get_dir (server), "network", NULL);
  g_mkdir_with_parents (bench.dir, 0700);
  bench.real_cli = mc_test_cli_get_binary ();
  bench.forwarder = bench_forwarder_start (netns, mc_test_server_get_port (server), page, &error);
  if (bench.forwarder == NULL)
    g_error ("bench-network: %s", error->message);
  /* From now on the helpers start every mentorcall-cli through the
   * wrapper, in its participant's namespace. */
  g_setenv ("MENTORCALL_CLI", wrapper, TRUE);

  bench_note_load (results, "before");
  json_object_set_int_member (results, "n_cpus", g_get_num_processors ());
  json_object_set_double_member (results, "case_seconds", bench.case_seconds);
  json_object_set_string_member (results, "topology",
                                 "two namespaces joined by mc-netem (TUN), signaling unshaped");
  if (!with_chromium)
    {
      g_print ("Chromium: not measured: %s\n", chromium_why_not);
      json_object_set_string_member (results, "chromium_skipped", chromium_why_not);
    }
  json_object_set_object_member (results, "cases", case_results);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BenchCase *test_case = &cases[i];
      JsonObject      *entry, *bars;
      JsonObject      *ours = NULL, *chromium = NULL;

      if (!wanted (filter, test_case->name))
        continue;
      g_print ("\n== %s: %s (mc-netem --both \"%s\"%s), %.0f s from both decoding\n",
               test_case->name, test_case->description, test_case->shape,
               test_case->outage_seconds > 0 ? ", outage by signal" : "",
               window_seconds (&bench, test_case));
      entry = json_object_new ();
      bars = json_object_new ();
      json_object_set_string_member (entry, "description", test_case->description);
      json_object_set_string_member (entry, "shape", test_case->shape);
      json_object_set_object_member (case_results, test_case->name, entry);

      if (wanted (engines, "ours") || check)
        {
          ours = run_ours (&bench, test_case);
          if (check && !check_loss_resilience (ours))
            ok = FALSE;
          json_object_set_object_member (entry, "ours", ours);
          if (g_str_equal (test_case->name, "clean") &&
              json_object_get_double_member (ours, "fps_mean") <= 0)
            {
              g_printerr ("bench-network: our call decoded no video on the clean path\n");
              ok = FALSE;
            }
        }
      if (with_chromium)
        {
          chromium = run_chromium (&bench, test_case);
          json_object_set_object_member (entry, "chromium", chromium);
        }
      if (ours != NULL)
        {
          compare (test_case, ours, chromium, bars);
          json_object_set_object_member (entry, "bars", bars);
        }
      else
        json_object_unref (bars);
    }

  g_print ("\n");
  bench_note_load (results, "after");
  json_object_set_boolean_member (results, "ok", ok);
  if (!bench_write_json (results, output))
    ok = FALSE;

  bench_forwarder_stop (bench.forwarder);
  /* The server's directory stays for a look afterwards; Chromium's
   * profiles are too big to keep. */
  if (ok)
    remove_tree (bench.dir);
  g_free (bench.dir);
  g_free (bench.chromium);
  return ok ? 0 : 1;
}
