/* bench-chromium.c — the chromium-comparison benchmark
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PRODUCT.md's bar: a 720p30 call takes at most half the CPU and a third of
 * the memory of the same call in Chromium, measured side by side on the same
 * machine. This runs both, one after the other, and measures them the same
 * way:
 *
 *   ours      two `mentorcall-cli` processes, a mentor and a student, through
 *             a real mentorcall-server on 127.0.0.1, 720p30 test sources
 *             (as the `resources` benchmark of bench-call.c)
 *   Chromium  Debian's chromium, headless, in a network namespace of its own
 *             with only loopback up, loading chromium-call.html: both sides
 *             of the call in one tab, two RTCPeerConnections, the fake camera
 *             at 1280x720 30 fps in VP8 and the fake microphone in Opus, each
 *             side playing the other in a <video> element
 *
 * From the moment both sides decode the other's video, for CALL_SECONDS:
 * the CPU time (utime + stime from /proc/PID/stat) of every process of the
 * side's process tree, taken at the start and the end of that window, and
 * the sum of their RSS and PSS (/proc/PID/smaps_rollup: the processes of
 * each side share libraries and memory, which RSS counts once per process)
 * every SAMPLE_MS. The server is not counted: it only relays signaling,
 * which in the Chromium tab is a function call.
 *
 * Usage: bench-chromium --page chromium-call.html [--output FILE]
 *
 * Exits 77 (skipped) when chromium is not installed or the network
 * namespace cannot be made; fails when either call does not work (no
 * frames decoded), never because of a figure.
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-common.h"
#include "mc-test-cli.h"

#define CALL_SECONDS            30 /* as RESOURCES_SECONDS in bench-call.c */
#define SAMPLE_MS               500
#define CONNECT_TIMEOUT_SECONDS 60
#define EXIT_SKIP               77
/* Below this many decoded frames a second a side did not make the 720p30
 * call (the machine was too busy): its figures do not compare. */
#define MIN_FPS 25

#define BAR_CPU_RATIO    0.5
#define BAR_MEMORY_RATIO (1.0 / 3.0)

/* A side's process tree over the measured window. */
typedef struct
{
  GArray     *roots;       /* GPid */
  GHashTable *start_ticks; /* pid → CPU ticks at the start of the window (0: started later) */
  GHashTable *last_ticks;  /* pid → CPU ticks when last seen */
  gint64      start_time;
  gint64      end_time;
  guint       n_samples;
  guint       max_processes;
  double      rss_sum_kib, rss_peak_kib;
  double      pss_sum_kib, pss_peak_kib;
  gboolean    have_pss;
} Usage;

typedef struct
{
  GPid    pid;
  GPid    ppid;
  char    state;
  guint64 ticks;
} ProcStat;

/* Helpers: /proc */

static gboolean
read_stat (GPid      pid,
           ProcStat *stat)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto (GStrv)   fields = NULL;
  const char      *end;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;

  /* "pid (comm) state ppid …": comm may hold spaces and parentheses. */
  end = strrchr (text, ')');
  if (end == NULL)
    return FALSE;
  fields = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return FALSE;

  stat->pid = pid;
  stat->state = fields[0][0];
  stat->ppid = (GPid) g_ascii_strtoll (fields[1], NULL, 10);
  /* Fields 14 and 15 of proc(5), utime and stime, in clock ticks. */
  stat->ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  return TRUE;
}

/* The processes of the trees under @roots, roots included. */
static GArray *
list_tree (GArray *roots)
{
  g_autoptr (GArray)     all = g_array_new (FALSE, FALSE, sizeof (ProcStat));
  g_autoptr (GHashTable) in_tree = g_hash_table_new (NULL, NULL);
  GArray                *tree = g_array_new (FALSE, FALSE, sizeof (ProcStat));
  g_autoptr (GDir)       dir = g_dir_open ("/proc", 0, NULL);
  const char            *name;
  gboolean               grew = TRUE;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      ProcStat stat;

      if (g_ascii_isdigit (name[0]) && read_stat ((GPid) g_ascii_strtoll (name, NULL, 10), &stat))
        g_array_append_val (all, stat);
    }

  for (guint i = 0; i < roots->len; i++)
    g_hash_table_add (in_tree, GINT_TO_POINTER (g_array_index (roots, GPid, i)));

  /* Children may be listed before their parents: repeat until stable. */
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < all->len; i++)
        {
          ProcStat *stat = &g_array_index (all, ProcStat, i);

          if (!g_hash_table_contains (in_tree, GINT_TO_POINTER (stat->pid)) &&
              g_hash_table_contains (in_tree, GINT_TO_POINTER (stat->ppid)))
            {
              g_hash_table_add (in_tree, GINT_TO_POINTER (stat->pid));
              grew = TRUE;
            }
        }
    }

  for (guint i = 0; i < all->len; i++)
    if (g_hash_table_contains (in_tree, GINT_TO_POINTER (g_array_index (all, ProcStat, i).pid)))
      g_array_append_val (tree, g_array_index (all, ProcStat, i));

  return tree;
}

/* RSS and PSS of a process in KiB; PSS stays -1 when smaps_rollup cannot be
 * read. */
static void
read_memory (GPid    pid,
             double *rss_kib,
             double *pss_kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/smaps_rollup", pid);
  g_autofree char *text = NULL;

  *rss_kib = 0;
  *pss_kib = -1;
  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (g_str_has_prefix (lines[i], "Rss:"))
            *rss_kib = g_ascii_strtod (lines[i] + 4, NULL);
          else if (g_str_has_prefix (lines[i], "Pss:"))
            *pss_kib = g_ascii_strtod (lines[i] + 4, NULL);
        }
      return;
    }

  g_clear_pointer (&path, g_free);
  g_clear_pointer (&text, g_free);
  path = g_strdup_printf ("/proc/%d/statm", pid);
  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      g_auto (GStrv) fields = g_strsplit (text, " ", -1);

      if (g_strv_length (fields) >= 2)
        *rss_kib = g_ascii_strtod (fields[1], NULL) * sysconf (_SC_PAGESIZE) / 1024;
    }
}

/* Chromium's profile: directories, files and symbolic links (its
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

/* Helpers: measuring a side */

static void
usage_init (Usage *usage)
{
  memset (usage, 0, sizeof *usage);
  usage->roots = g_array_new (FALSE, FALSE, sizeof (GPid));
  usage->start_ticks = g_hash_table_new (NULL, NULL);
  usage->last_ticks = g_hash_table_new (NULL, NULL);
  usage->have_pss = TRUE;
}

static void
usage_clear (Usage *usage)
{
  g_clear_pointer (&usage->roots, g_array_unref);
  g_clear_pointer (&usage->start_ticks, g_hash_table_unref);
  g_clear_pointer (&usage->last_ticks, g_hash_table_unref);
}

static void
usage_sample (Usage   *usage,
              gboolean start)
{
  g_autoptr (GArray) tree = list_tree (usage->roots);
  double             rss_sum = 0, pss_sum = 0;

  for (guint i = 0; i < tree->len; i++)
    {
      ProcStat *stat = &g_array_index (tree, ProcStat, i);
      gpointer  key = GINT_TO_POINTER (stat->pid);
      double    rss, pss;

      /* A process that appears during the window started during it. */
      if (start)
        g_hash_table_insert (usage->start_ticks, key, GSIZE_TO_POINTER (stat->ticks));
      else if (!g_hash_table_contains (usage->start_ticks, key))
        g_hash_table_insert (usage->start_ticks, key, GSIZE_TO_POINTER (0));
      g_hash_table_insert (usage->last_ticks, key, GSIZE_TO_POINTER (stat->ticks));

      read_memory (stat->pid, &rss, &pss);
      rss_sum += rss;
      if (pss < 0)
        usage->have_pss = FALSE;
      else
        pss_sum += pss;
    }

  usage->n_samples++;
  usage->max_processes = MAX (usage->max_processes, tree->len);
  usage->rss_sum_kib += rss_sum;
  usage->rss_peak_kib = MAX (usage->rss_peak_kib, rss_sum);
  usage->pss_sum_kib += pss_sum;
  usage->pss_peak_kib = MAX (usage->pss_peak_kib, pss_sum);
}

/* Samples the side's processes every SAMPLE_MS for CALL_SECONDS. */
static void
usage_measure (Usage *usage)
{
  gint64 end;

  usage->start_time = g_get_monotonic_time ();
  end = usage->start_time + CALL_SECONDS * G_USEC_PER_SEC;
  usage_sample (usage, TRUE);
  while (g_get_monotonic_time () < end)
    {
      g_usleep (MIN (SAMPLE_MS * 1000, MAX (end - g_get_monotonic_time (), 0)));
      usage_sample (usage, FALSE);
    }
  usage->end_time = g_get_monotonic_time ();
}

static double
usage_cpu_seconds (Usage *usage)
{
  GHashTableIter iter;
  gpointer       key, value;
  guint64        ticks = 0;

  g_hash_table_iter_init (&iter, usage->last_ticks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    ticks += GPOINTER_TO_SIZE (value) -
             GPOINTER_TO_SIZE (g_hash_table_lookup (usage->start_ticks, key));

  return (double) ticks / sysconf (_SC_CLK_TCK);
}

static double
usage_seconds (Usage *usage)
{
  return (usage->end_time - usage->start_time) / (double) G_USEC_PER_SEC;
}

/* The headline memory figure: peak PSS when every process's could be read. */
static double
usage_memory_kib (Usage *usage)
{
  return usage->have_pss ? usage->pss_peak_kib : usage->rss_peak_kib;
}

static JsonObject *
usage_report (Usage      *usage,
              const char *who)
{
  JsonObject *object = json_object_new ();
  double      cpu = usage_cpu_seconds (usage), seconds = usage_seconds (usage);

  json_object_set_double_member (object, "window_s", seconds);
  json_object_set_double_member (object, "cpu_s", cpu);
  json_object_set_double_member (object, "cores", cpu / seconds);
  json_object_set_int_member (object, "processes", usage->max_processes);
  json_object_set_int_member (object, "samples", usage->n_samples);
  json_object_set_double_member (object, "rss_peak_kib", usage->rss_peak_kib);
  json_object_set_double_member (object, "rss_mean_kib", usage->rss_sum_kib / usage->n_samples);
  if (usage->have_pss)
    {
      json_object_set_double_member (object, "pss_peak_kib", usage->pss_peak_kib);
      json_object_set_double_member (object, "pss_mean_kib",
                                     usage->pss_sum_kib / usage->n_samples);
    }

  g_print ("  %-9s CPU %6.2f s in %4.1f s = %4.2f cores; %2u processes; "
           "RSS peak %6.1f mean %6.1f MiB",
           who, cpu, seconds, cpu / seconds, usage->max_processes,
           usage->rss_peak_kib / 1024, usage->rss_sum_kib / usage->n_samples / 1024);
  if (usage->have_pss)
    g_print ("; PSS peak %6.1f mean %6.1f MiB", usage->pss_peak_kib / 1024,
             usage->pss_sum_kib / usage->n_samples / 1024);
  g_print ("\n");

  return object;
}

/* Ours */

static gboolean
first_frame_cb (McTestCli  *cli,
                const char *output,
                gpointer    user_data)
{
  return mc_test_cli_find_line (output, "first remote frame") >= 0 &&
         mc_test_cli_has_media (cli, output, NULL);
}

static JsonObject *
stop_cli (McTestCli *cli)
{
  int status;

  mc_test_cli_signal (cli, SIGTERM);
  status = mc_test_cli_wait_exit (cli);
  if (status != 0)
    {
      mc_test_cli_dump (cli);
      g_printerr ("bench-chromium: %s: join exited with status %d\n", mc_test_cli_get_name (cli),
                  status);
      return NULL;
    }

  return mc_test_cli_read_summary (cli);
}

/* The rate of change of a counter of a `join`'s per-second statistics over
 * the measured window, or the mean of a rate (@counter FALSE). */
static double
in_window (JsonObject *summary,
           const char *member,
           gboolean    counter,
           Usage      *usage)
{
  JsonArray *stats = json_object_get_array_member (summary, "stats");
  double     first = 0, last = 0, sum = 0;
  gint64     first_time = 0, last_time = 0;
  guint      n = 0;

  for (guint i = 0; stats != NULL && i < json_array_get_length (stats); i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);
      gint64      time = json_object_get_int_member_with_default (second, "monotonic_time_us", 0);
      double      value = json_object_get_double_member_with_default (second, member, 0);

      if (time < usage->start_time || time > usage->end_time)
        continue;
      if (n == 0)
        {
          first = value;
          first_time = time;
        }
      last = value;
      last_time = time;
      sum += value;
      n++;
    }

  if (!counter)
    return n > 0 ? sum / n : 0;
  return n > 1 ? (last - first) * G_USEC_PER_SEC / (last_time - first_time) : 0;
}

static gboolean
measure_ours (Usage      *usage,
              JsonObject *result)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McTestCli)    mentor = NULL;
  g_autoptr (McTestCli)    student = NULL;
  g_autoptr (JsonObject)   mentor_summary = NULL;
  g_autoptr (JsonObject)   student_summary = NULL;
  McTestCli               *clis[2];
  JsonObject              *summaries[2];
  const char              *names[] = { "mentor", "student" };
  gint64                   booking_id;

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                       "confirmed");
  mentor = mc_test_cli_new (server, "mentor");
  student = mc_test_cli_new (server, "student");
  mc_test_cli_login (mentor, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mc_test_cli_login (student, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  clis[0] = mentor;
  clis[1] = student;

  for (guint i = 0; i < 2; i++)
    mc_test_cli_join (clis[i], booking_id, "--width", "1280", "--height", "720", "--fps", "30",
                      "--require-media", NULL);
  for (guint i = 0; i < 2; i++)
    {
      GPid pid;

      mc_test_cli_wait_for (clis[i], "first remote frame", first_frame_cb, NULL);
      pid = mc_test_cli_get_pid (clis[i]);
      g_array_append_val (usage->roots, pid);
    }

  usage_measure (usage);

  student_summary = stop_cli (student);
  mentor_summary = stop_cli (mentor);
  if (mentor_summary == NULL || student_summary == NULL)
    return FALSE;

  /* The processes' own figures, start-up included, as `resources` shows. */
  summaries[0] = mentor_summary;
  summaries[1] = student_summary;
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *object = json_object_new ();

      double fps = in_window (summaries[i], "frames_decoded", TRUE, usage);
      double kbps = in_window (summaries[i], "bitrate_in", FALSE, usage) / 1000;

      json_object_set_int_member (object, "frames_decoded",
                                  json_object_get_int_member (summaries[i], "frames_decoded"));
      json_object_set_double_member (object, "decoded_fps", fps);
      json_object_set_double_member (object, "received_kbit_s", kbps);
      json_object_set_double_member (object, "process_cpu_s",
                                     json_object_get_double_member (summaries[i], "cpu_s"));
      json_object_set_int_member (object, "process_max_rss_kib",
                                  json_object_get_int_member (summaries[i], "max_rss_kib"));
      json_object_set_object_member (result, names[i], object);
      g_print ("  ours, the %s decodes %.1f frames a second, receives %.0f kbit/s\n", names[i],
               fps, kbps);
      json_object_set_boolean_member (result, "comparable",
                                      (i == 0 || json_object_get_boolean_member (result,
                                                                                 "comparable")) &&
                                        fps >= MIN_FPS);
    }

  return TRUE;
}

/* Chromium */

/* The JSON of the last console line "MCBENCH WHAT {…}" in Chromium's log,
 * or NULL. */
static JsonObject *
find_report (const char *log,
             const char *what)
{
  g_autofree char       *marker = g_strdup_printf ("\"MCBENCH %s {", what);
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char            *start = NULL, *end;
  g_autofree char       *json = NULL;

  /* [pid:tid:time:INFO:CONSOLE:N] "MCBENCH stats {…}", source: file://… (N) */
  for (const char *p = strstr (log, marker); p != NULL; p = strstr (p + 1, marker))
    start = p;
  if (start == NULL)
    return NULL;
  start += strlen (marker) - 1;
  end = strstr (start, "}\", source: ");
  if (end == NULL)
    return NULL;
  json = g_strndup (start, end + 1 - start);
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
read_log (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* Why Chromium cannot run here, or NULL when it can. */
static char *
check_chromium (const char *chromium)
{
  g_autofree char *unshare = g_find_program_in_path ("unshare");
  g_autofree char *ip = g_find_program_in_path ("ip");
  g_autofree char *errors = NULL;
  int              status = -1;
  const char      *argv[] = { "unshare", "--net", "ip", "link", "set", "lo", "up", NULL };

  if (chromium == NULL || !g_file_test (chromium, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("chromium is not installed: install the chromium package to compare "
                     "(apt-get install chromium)");
  if (unshare == NULL || ip == NULL)
    return g_strdup ("unshare (util-linux) or ip (iproute2) is missing: Chromium must run in a "
                     "network namespace of its own");
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &errors, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return g_strdup_printf ("cannot make a network namespace (unshare --net; run as root): %s",
                            errors != NULL ? g_strstrip (errors) : "");
  return NULL;
}

/* Sums a member of the stats of both sides of the tab. */
static double
sum_sides (JsonObject *stats,
           const char *member)
{
  JsonArray *sides = json_object_get_array_member (stats, "sides");
  double     sum = 0;

  for (guint i = 0; sides != NULL && i < json_array_get_length (sides); i++)
    sum += json_object_get_double_member_with_default (json_array_get_object_element (sides, i),
                                                       member, 0);
  return sum;
}

static void
stop_chromium (GSubprocess *process,
               Usage       *usage)
{
  g_autoptr (GArray) tree = list_tree (usage->roots);
  gint64             deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* The browser ends its other processes; whatever of the tree is left
   * after a while is killed, by its pid. */
  g_subprocess_send_signal (process, SIGTERM);
  while (g_subprocess_get_identifier (process) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);

  /* The others notice that the browser is gone. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (guint i = 0; i < tree->len; i++)
    {
      GPid     pid = g_array_index (tree, ProcStat, i).pid;
      ProcStat stat;

      while (read_stat (pid, &stat) && stat.state != 'Z' && g_get_monotonic_time () < deadline)
        g_usleep (100 * 1000);
      if (read_stat (pid, &stat) && stat.state != 'Z' && kill (pid, SIGKILL) == 0)
        g_printerr ("bench-chromium: killed Chromium's process %d\n", pid);
    }
}

static gboolean
measure_chromium (const char *chromium,
                  const char *page,
                  Usage      *usage,
                  JsonObject *result)
{
  g_autoptr (GError)              error = NULL;
  g_autofree char                *dir = g_dir_make_tmp ("bench-chromium-XXXXXX", &error);
  g_autofree char                *profile = NULL;
  g_autofree char                *log_path = NULL;
  g_autofree char                *uri = NULL;
  g_autofree char                *script = NULL;
  g_autofree char                *log = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (JsonObject)          first = NULL;
  g_autoptr (JsonObject)          last = NULL;
  gint64                          deadline;
  GPid                            pid;
  gboolean                        ok = TRUE;
  double                          frames;

  g_assert_no_error (error);
  profile = g_build_filename (dir, "profile", NULL);
  log_path = g_build_filename (dir, "chromium.log", NULL);
  uri = g_filename_to_uri (page, NULL, &error);
  g_assert_no_error (error);

  /* A namespace with only loopback: the call's host candidates can only be
   * 127.0.0.1, and nothing Chromium might send reaches a network. Chromium
   * leaves loopback out of WebRTC's networks unless told, and must not hide
   * the address behind an mDNS name. The browser is exec'd, so the pid of
   * the process started here is the browser's. */
  script = g_strdup (
    "ip link set lo up || exit 1; exec \"$0\" --headless --no-sandbox --user-data-dir=\"$2\" "
    "--no-first-run --no-default-browser-check --disable-background-networking "
    "--disable-component-update --disable-sync --disable-default-apps --metrics-recording-only "
    "--disable-domain-reliability --disable-breakpad --use-fake-device-for-media-stream=fps=30 "
    "--use-fake-ui-for-media-stream --autoplay-policy=no-user-gesture-required "
    "--allow-loopback-in-peer-connection --disable-features=WebRtcHideLocalIpsWithMdns "
    "--enable-logging=stderr --v=0 \"$1\"");
  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT |
                                     G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                   dir, SIGKILL);
  g_subprocess_launcher_setenv (launcher, "HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", dir, TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  process = g_subprocess_launcher_spawn (launcher, &error, "unshare", "--net", "sh", "-c",
                                         script, chromium, uri, profile, NULL);
  g_assert_no_error (error);
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
  g_array_append_val (usage->roots, pid);

  /* Until both peer connections decode and play the other's video. */
  deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  while (TRUE)
    {
      g_clear_pointer (&log, g_free);
      log = read_log (log_path);
      if (strstr (log, "\"MCBENCH connected {") != NULL)
        break;
      if (strstr (log, "\"MCBENCH error ") != NULL || g_get_monotonic_time () > deadline ||
          g_subprocess_get_identifier (process) == NULL)
        {
          ok = FALSE;
          break;
        }
      g_usleep (100 * 1000);
    }

  if (ok)
    {
      g_usleep (1100 * 1000);
      g_clear_pointer (&log, g_free);
      log = read_log (log_path);
      first = find_report (log, "stats");
      usage_measure (usage);
      g_clear_pointer (&log, g_free);
      log = read_log (log_path);
      last = find_report (log, "stats");
    }
  stop_chromium (process, usage);

  if (!ok || first == NULL || last == NULL)
    {
      g_autofree char *full = read_log (log_path);
      g_auto (GStrv)   lines = g_strsplit (full, "\n", -1);

      /* Its log is long, and mostly about D-Bus: the page's lines and the
       * errors. */
      for (guint i = 0; lines[i] != NULL; i++)
        if (strstr (lines[i], "MCBENCH") != NULL || strstr (lines[i], ":ERROR:") != NULL ||
            strstr (lines[i], ":FATAL:") != NULL)
          g_printerr ("chromium: %s\n", lines[i]);
      g_printerr ("bench-chromium: the call in Chromium did not connect and decode video "
                  "within %d s (log: %s)\n",
                  CONNECT_TIMEOUT_SECONDS, log_path);
      return FALSE;
    }

  frames = sum_sides (last, "framesDecoded") - sum_sides (first, "framesDecoded");
  json_object_set_double_member (result, "frames_decoded_in_window", frames);
  json_object_set_double_member (result, "frames_rendered_in_window",
                                 sum_sides (last, "framesRendered") -
                                   sum_sides (first, "framesRendered"));
  json_object_set_object_member (result, "page_stats_end", json_object_ref (last));
  if (frames <= 0)
    {
      g_printerr ("bench-chromium: Chromium decoded no video during the call (log: %s)\n",
                  log_path);
      return FALSE;
    }

  {
    JsonArray *sides = json_object_get_array_member (last, "sides");
    JsonArray *first_sides = json_object_get_array_member (first, "sides");
    double     seconds = json_object_get_double_member (last, "t") -
                     json_object_get_double_member (first, "t");
    gboolean comparable = TRUE;

    for (guint i = 0; i < json_array_get_length (sides); i++)
      {
        JsonObject *side = json_array_get_object_element (sides, i);
        JsonObject *first_side = json_array_get_object_element (first_sides, i);
        double      fps = (json_object_get_double_member_with_default (side, "framesDecoded", 0) -
                      json_object_get_double_member_with_default (first_side, "framesDecoded",
                                                                       0)) /
                     seconds;
        double kbps = (json_object_get_double_member_with_default (side, "videoBytesReceived",
                                                                   0) -
                       json_object_get_double_member_with_default (first_side,
                                                                   "videoBytesReceived", 0)) *
                      8 / 1000 / seconds;

        json_object_set_double_member (side, "decoded_fps", fps);
        json_object_set_double_member (side, "received_video_kbit_s", kbps);
        comparable = comparable && fps >= MIN_FPS;

        g_print ("  Chromium, side %s decodes %.1f frames a second of %s %" G_GINT64_FORMAT
                 "x%" G_GINT64_FORMAT " (decoder %s), receives %.0f kbit/s of video; sends %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " (encoder %s, limited by %s)\n",
                 json_object_get_string_member_with_default (side, "side", "?"), fps,
                 json_object_get_string_member_with_default (side, "videoCodec", "?"),
                 json_object_get_int_member_with_default (side, "frameWidth", 0),
                 json_object_get_int_member_with_default (side, "frameHeight", 0),
                 json_object_get_string_member_with_default (side, "decoder", "?"), kbps,
                 json_object_get_int_member_with_default (side, "sentWidth", 0),
                 json_object_get_int_member_with_default (side, "sentHeight", 0),
                 json_object_get_string_member_with_default (side, "encoder", "?"),
                 json_object_get_string_member_with_default (side, "qualityLimitation", "?"));
      }
    json_object_set_boolean_member (result, "comparable", comparable);
  }

  remove_tree (dir);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char           *output = NULL;
  g_autofree char           *page = NULL;
  g_autofree char           *chromium = NULL;
  g_autofree char           *why_not = NULL;
  g_autofree char           *load = NULL;
  g_autofree char           *text = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError)         error = NULL;
  g_autoptr (JsonObject)     results = json_object_new ();
  g_autoptr (JsonNode)       node = NULL;
  const GOptionEntry         entries[] = {
            { "page", 'p', 0, G_OPTION_ARG_FILENAME, &page, "The page of the Chromium side", "HTML" },
            { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the JSON here", "FILE" },
            { NULL }
  };
  JsonObject *ours_result = json_object_new ();
  JsonObject *chromium_result = json_object_new ();
  Usage       ours, theirs;
  gboolean    ok, comparable;

  bench_test_init (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || page == NULL)
    {
      g_printerr ("bench-chromium: %s\n", error != NULL ? error->message : "--page is required");
      return 2;
    }
  if (output == NULL)
    output = g_strdup ("bench-chromium.json");

  /* Chromium first: without it there is nothing to compare with. */
  chromium = g_strdup (g_getenv ("MENTORCALL_CHROMIUM"));
  if (chromium == NULL)
    chromium = g_find_program_in_path ("chromium");
  why_not = check_chromium (chromium);
  if (why_not != NULL)
    {
      g_print ("SKIP: %s\n", why_not);
      return EXIT_SKIP;
    }

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    {
      g_strchomp (load);
      g_print ("load average before: %s; %u CPUs\n", load, g_get_num_processors ());
      json_object_set_string_member (results, "load_before", load);
    }
  json_object_set_int_member (results, "n_cpus", g_get_num_processors ());
  json_object_set_int_member (results, "call_seconds", CALL_SECONDS);
  json_object_set_object_member (results, "ours", ours_result);
  json_object_set_object_member (results, "chromium", chromium_result);

  g_print ("\n== CPU and memory of a 720p30 call, both sides: ours, then Chromium (%d s each, "
           "from both sides decoding)\n",
           CALL_SECONDS);
  usage_init (&ours);
  usage_init (&theirs);
  ok = measure_ours (&ours, ours_result);
  if (ok)
    ok = measure_chromium (chromium, page, &theirs, chromium_result);

  if (ok)
    {
      double cpu_ratio = usage_cpu_seconds (&ours) / usage_seconds (&ours) /
                         (usage_cpu_seconds (&theirs) / usage_seconds (&theirs));
      double      memory_ratio = usage_memory_kib (&ours) / usage_memory_kib (&theirs);
      double      rss_ratio = ours.rss_peak_kib / theirs.rss_peak_kib;
      const char *memory = ours.have_pss && theirs.have_pss ? "PSS" : "RSS";
      JsonObject *ratios = json_object_new ();

      json_object_set_object_member (ours_result, "usage", usage_report (&ours, "ours"));
      json_object_set_object_member (chromium_result, "usage", usage_report (&theirs, "Chromium"));

      json_object_set_double_member (ratios, "cpu", cpu_ratio);
      json_object_set_double_member (ratios, "memory", memory_ratio);
      json_object_set_string_member (ratios, "memory_measure", memory);
      json_object_set_double_member (ratios, "rss", rss_ratio);
      json_object_set_double_member (ratios, "bar_cpu", BAR_CPU_RATIO);
      json_object_set_double_member (ratios, "bar_memory", BAR_MEMORY_RATIO);
      json_object_set_object_member (results, "ours_over_chromium", ratios);

      g_print ("  ours / Chromium: CPU %.2f (the bar: at most %.2f, %s); memory (peak %s) %.2f "
               "(the bar: at most %.2f, %s); peak RSS %.2f\n",
               cpu_ratio, BAR_CPU_RATIO, cpu_ratio <= BAR_CPU_RATIO ? "met" : "NOT met",
               memory, memory_ratio, BAR_MEMORY_RATIO,
               memory_ratio <= BAR_MEMORY_RATIO ? "met" : "NOT met", rss_ratio);
      g_print ("  (the server, which only relays signaling, is not counted)\n");
      comparable = json_object_get_boolean_member (ours_result, "comparable") &&
                   json_object_get_boolean_member (chromium_result, "comparable");
      json_object_set_boolean_member (results, "comparable", comparable);
      if (!comparable)
        g_print ("  NOT COMPARABLE: a side decoded fewer than %d frames a second, so it did not "
                 "make the same call; run again on a quiet machine\n",
                 MIN_FPS);
    }
  usage_clear (&ours);
  usage_clear (&theirs);

  g_clear_pointer (&load, g_free);
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    {
      g_strchomp (load);
      g_print ("\nload average after: %s\n", load);
      json_object_set_string_member (results, "load_after", load);
    }

  json_object_set_boolean_member (results, "ok", ok);
  node = json_node_init_object (json_node_alloc (), results);
  text = json_to_string (node, TRUE);
  if (!g_file_set_contents (output, text, -1, &error))
    {
      g_printerr ("bench-chromium: cannot write %s: %s\n", output, error->message);
      ok = FALSE;
    }
  else
    {
      g_autofree char *absolute = g_canonicalize_filename (output, NULL);

      g_print ("Wrote %s\n", absolute);
    }

  return ok ? 0 : 1;
}
