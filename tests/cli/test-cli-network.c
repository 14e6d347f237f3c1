/* test-cli-network.c — a real call over a rate-capped link
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two network namespaces made by the test, joined by a veth pair whose both
 * ends have a `tc tbf` rate cap (the kernels we run on have no netem, but a
 * token bucket works). The server and the mentor's mentorcall-cli run in one
 * namespace, the student's in the other; ICE is restricted to the veth
 * addresses, so the media path is the capped link. Before issue 12 the
 * engine sent 3.7 Mbit/s whatever the path carried and no video got through
 * a cap of 2 Mbit/s or less; now the bandwidth estimator must bring the
 * video down to what fits, and the peer must decode it.
 *
 * What is checked is what happened, never how fast: both sides decode
 * video, both say they lowered its quality, and over the last seconds of
 * the call each sends less than the cap. Skipped (with the reason) when not
 * root, without `ip` or `tc`, or when the kernel refuses namespaces, veth
 * or tbf. Nothing leaves the namespaces; they are removed at the end, also
 * when the test fails.
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mc-test-server.h"

#define CAP_KBIT      500
#define CALL_SECONDS  "120"
#define BOUND_SECONDS 60
#define ADDRESS_A     "10.97.42.1"
#define ADDRESS_B     "10.97.42.2"

typedef struct
{
  char *ns[2];
  char *veth[2];
  char *dir;
  char *ip;
  char *tc;
} Net;

/* The one network of this process. */
static Net *net;

/* Runs a command to completion; FALSE (with what it said) if it failed. */
static gboolean
run (char      **error_text,
     const char *first,
     ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char      *err = NULL;
  int                   status = 0;
  va_list               args;
  const char           *arg;

  g_ptr_array_add (argv, (char *) first);
  va_start (args, first);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      if (error_text != NULL)
        *error_text = g_strdup_printf ("%s %s: %s", first, (char *) argv->pdata[1],
                                       err != NULL ? g_strstrip (err) : "failed");
      return FALSE;
    }

  return TRUE;
}

static void
net_free (Net *self)
{
  for (guint i = 0; i < 2; i++)
    {
      /* Removing a namespace removes its end of the veth pair, and so the
       * pair. */
      if (self->ns[i] != NULL)
        run (NULL, self->ip, "netns", "del", self->ns[i], NULL);
      g_free (self->ns[i]);
      g_free (self->veth[i]);
    }
  if (self->dir != NULL)
    {
      g_autofree char *rm = g_find_program_in_path ("rm");

      if (rm != NULL)
        run (NULL, rm, "-rf", self->dir, NULL);
    }
  g_free (self->dir);
  g_free (self->ip);
  g_free (self->tc);
  g_free (self);
}

/* In the subprocess: what the parent made, not to be removed here. */
static Net *
net_from_environment (void)
{
  const char    *description = g_getenv ("MC_TEST_NETWORK");
  g_auto (GStrv) parts = NULL;
  Net           *self = g_new0 (Net, 1);

  g_assert_nonnull (description);
  parts = g_strsplit (description, "\n", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 7);
  self->ns[0] = g_strdup (parts[0]);
  self->ns[1] = g_strdup (parts[1]);
  self->veth[0] = g_strdup (parts[2]);
  self->veth[1] = g_strdup (parts[3]);
  self->dir = g_strdup (parts[4]);
  self->ip = g_strdup (parts[5]);
  self->tc = g_strdup (parts[6]);

  return self;
}

/* Makes the two namespaces and the capped link; NULL with the reason to
 * skip. */
static Net *
net_new (char **reason)
{
  g_autoptr (GError) error = NULL;
  Net               *self;
  g_autofree char   *rate = g_strdup_printf ("%ukbit", CAP_KBIT);
  static const char *addresses[] = { ADDRESS_A "/24", ADDRESS_B "/24" };

  if (geteuid () != 0)
    {
      *reason = g_strdup ("not root: cannot make network namespaces");
      return NULL;
    }

  self = g_new0 (Net, 1);
  self->ip = g_find_program_in_path ("ip");
  if (self->ip == NULL)
    self->ip = g_strdup ("/usr/sbin/ip");
  self->tc = g_find_program_in_path ("tc");
  if (self->tc == NULL)
    self->tc = g_strdup ("/usr/sbin/tc");
  if (!g_file_test (self->ip, G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test (self->tc, G_FILE_TEST_IS_EXECUTABLE))
    {
      *reason = g_strdup ("no ip or tc (package iproute2)");
      net_free (self);
      return NULL;
    }

  self->dir = g_dir_make_tmp ("mc-test-network-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("mcnet%c%d", 'a' + i, (int) getpid ());

      if (!run (reason, self->ip, "netns", "add", name, NULL))
        {
          net_free (self);
          return NULL;
        }
      self->ns[i] = g_steal_pointer (&name);
      self->veth[i] = g_strdup_printf ("mcv%c%d", 'a' + i, (int) getpid ());
    }

  if (!run (reason, self->ip, "link", "add", self->veth[0], "netns", self->ns[0], "type", "veth",
            "peer", "name", self->veth[1], "netns", self->ns[1], NULL))
    {
      net_free (self);
      return NULL;
    }

  for (guint i = 0; i < 2; i++)
    {
      if (!run (reason, self->ip, "-n", self->ns[i], "addr", "add", addresses[i], "dev",
                self->veth[i], NULL) ||
          !run (reason, self->ip, "-n", self->ns[i], "link", "set", self->veth[i], "up", NULL) ||
          !run (reason, self->ip, "-n", self->ns[i], "link", "set", "lo", "up", NULL) ||
          /* The cap, on what each side sends: a token bucket with a queue
           * of 100 ms, as a slow uplink has. */
          !run (reason, self->ip, "netns", "exec", self->ns[i], self->tc, "qdisc", "add", "dev",
                self->veth[i], "root", "tbf", "rate", rate, "burst", "15kb", "latency", "100ms",
                NULL))
        {
          net_free (self);
          return NULL;
        }
    }

  return self;
}

/* A launcher for a program inside namespace @index. */
static GSubprocess *
spawn_in (guint               index,
          const char         *config_home,
          const char         *stdout_path,
          GError            **error,
          const char * const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray)           full = g_ptr_array_new ();

  launcher = g_subprocess_launcher_new (stdout_path != NULL ? G_SUBPROCESS_FLAGS_STDERR_MERGE
                                                            : G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                G_SUBPROCESS_FLAGS_STDERR_MERGE);
  if (stdout_path != NULL)
    g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  if (config_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  /* The CLI processes warn about GStreamer's one known critical at
   * teardown (see HACKING.md); they are not made to abort on it. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");

  g_ptr_array_add (full, net->ip);
  g_ptr_array_add (full, (char *) "netns");
  g_ptr_array_add (full, (char *) "exec");
  g_ptr_array_add (full, net->ns[index]);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (char *) argv[i]);
  g_ptr_array_add (full, NULL);

  return g_subprocess_launcher_spawnv (launcher, (const char * const *) full->pdata, error);
}

/* Waits for @process to exit, at most BOUND_SECONDS (a broken build must not
 * hang the suite); kills it if it does not. GSubprocess forgets the
 * process's identifier once the process has ended. */
static void
wait_bounded (GSubprocess *process,
              const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + BOUND_SECONDS * G_USEC_PER_SEC;

  while (g_subprocess_get_identifier (process) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 10);

  if (g_subprocess_get_identifier (process) != NULL)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      g_error ("%s did not end within %d s", what, BOUND_SECONDS);
    }
  g_subprocess_wait (process, NULL, NULL);
}

static char *
start_server (GSubprocess **server,
              gint64       *booking)
{
  const char                  *binary = mc_test_server_get_binary ();
  g_autofree char             *database = g_build_filename (net->dir, "mentorcall.db", NULL);
  g_autofree char             *listen = g_strdup_printf ("%s:0", ADDRESS_A);
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GSubprocess)      demo = NULL;
  g_autofree char             *demo_output = NULL;
  const char                  *demo_argv[] = { binary, "--database", database, "demo-data", NULL };
  const char                  *argv[] = { binary, "--database", database, "--listen", listen, NULL };
  char                        *line;

  /* The demo data: maria (mentor), sam (student), a lesson joinable now. */
  demo = spawn_in (0, NULL, NULL, &error, demo_argv);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (demo, NULL, NULL, &demo_output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (demo));
  g_assert_nonnull (strstr (demo_output, "Demo booking "));
  *booking = g_ascii_strtoll (strstr (demo_output, "Demo booking ") + strlen ("Demo booking "), NULL,
                              10);

  *server = spawn_in (0, NULL, NULL, &error, argv);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*server));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_autofree char *owned = line;
      const char      *prefix = "Listening on ";

      if (g_str_has_prefix (owned, prefix))
        {
          g_autofree char *url = g_strdup (owned + strlen (prefix));

          /* "http://10.97.42.1:PORT/" */
          return g_strstrip (g_steal_pointer (&url));
        }
    }

  g_error ("The server did not start: %s", error != NULL ? error->message : "no Listening line");
  return NULL;
}

static void
login (guint       index,
       const char *url,
       const char *config_home,
       const char *user,
       const char *password)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GError)              error = NULL;
  g_autofree char                *output = NULL;
  const char                     *cli = mc_test_get_program ("MENTORCALL_CLI", "mentorcall-cli");
  const char                     *argv[] = { net->ip, "netns", "exec", net->ns[index], cli,
                                             "--server", url, "login", user, NULL };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "MENTORCALL_PASSWORD", password, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s could not log in: %s", user, output);
}

/* How far one side's call got, from its output so far. */
typedef struct
{
  gboolean lowered;
  gint64   frames_at_lowered; /* remote frames decoded when it lowered, or -1 */
  gint64   frames;            /* remote frames decoded now */
  guint    seconds_after;     /* stats lines since it lowered */
} Progress;

static void
read_progress (const char *path,
               Progress   *progress)
{
  g_autofree char *output = NULL;
  g_auto (GStrv)   lines = NULL;

  memset (progress, 0, sizeof *progress);
  progress->frames_at_lowered = -1;
  if (!g_file_get_contents (path, &output, NULL, NULL))
    return;

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char            *json = strstr (lines[i], " stats {");
      g_autoptr (JsonParser) parser = NULL;

      if (strstr (lines[i], "video quality lowered") != NULL)
        progress->lowered = TRUE;
      if (json == NULL)
        continue;

      parser = json_parser_new ();
      /* The last line may be half written. */
      if (!json_parser_load_from_data (parser, json + strlen (" stats "), -1, NULL))
        continue;
      progress->frames = json_object_get_int_member (
        json_node_get_object (json_parser_get_root (parser)), "frames_decoded");
      if (progress->lowered)
        {
          if (progress->frames_at_lowered < 0)
            progress->frames_at_lowered = progress->frames;
          progress->seconds_after++;
        }
    }
}

/* Both sides lowered their video, and went on decoding the other's (60
 * frames, 20 s of statistics) after that. */
static gboolean
both_adapted (char *paths[2][3])
{
  for (guint i = 0; i < 2; i++)
    {
      Progress progress;

      read_progress (paths[i][1], &progress);
      if (!progress.lowered || progress.seconds_after < 20 ||
          progress.frames - progress.frames_at_lowered < 60)
        return FALSE;
    }

  return TRUE;
}

/* What one side's summary and output say; returns the retransmission
 * requests it sent. */
static gint64
check_side (const char *who,
            const char *output_path,
            const char *summary_path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  g_autofree char       *output = NULL;
  JsonObject            *summary;
  JsonArray             *stats;
  guint                  n, counted = 0;
  double                 sent = 0;
  gint64                 nacks = 0, video_lost = 0;
  guint                  audio_apart = 0;

  /* In the subprocess, g_test_message () would print nothing: what
   * happened goes to the standard error, which the parent passes on. */
  g_assert_true (g_file_get_contents (output_path, &output, NULL, &error));
  {
    g_auto (GStrv) lines = g_strsplit (output, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], " stats {") == NULL && *lines[i] != '\0')
        g_printerr ("# %s: %s\n", who, lines[i]);
  }

  json_parser_load_from_file (parser, summary_path, &error);
  g_assert_no_error (error);
  summary = json_node_get_object (json_parser_get_root (parser));
  stats = json_object_get_array_member (summary, "stats");
  n = json_array_get_length (stats);

  /* Video got through the cap, and was lowered to do so. */
  g_assert_cmpint (json_object_get_int_member (summary, "frames_decoded"), >=, 60);
  g_assert_nonnull (strstr (output, "video quality lowered"));

  /* The last 8 s sent fit under the cap (RTP bytes: the cap counts IP
   * packets, which are larger still); the last two seconds are the end of
   * the call. */
  for (guint i = n > 10 ? n - 10 : 0; i + 2 < n; i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);

      sent += json_object_get_int_member (second, "bitrate_out");
      counted++;
    }
  g_assert_cmpuint (counted, >=, 5);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);

      nacks = MAX (nacks, json_object_get_int_member (second, "nacks_sent"));
      video_lost += json_object_get_int_member (second, "packets_repaired") +
                    json_object_get_int_member (second, "video_packets_dropped");
    }
  /* Video packets the cap's queue dropped (at the start, or when the
   * estimate probed above the cap) are asked for again: NACK is really on
   * (see "NACK with BUNDLE" in PRODUCT.md). A side that lost no video has
   * nothing to ask for (audio is never sent again): the start holds video
   * below the estimate so that little is lost. */
  if (video_lost > 0)
    g_assert_cmpint (nacks, >, 0);
  else
    g_printerr ("# %s lost no video packet: no retransmission request to check\n", who);
  /* Audio is never sent again: its jitter buffers wait for late packets
   * only, the video's for retransmissions too. Once loss is seen the
   * video's wait grows at once, the audio's only with the jitter (which RTP
   * smooths over many packets), so some seconds show them apart; with
   * enough jitter (a loaded machine) both may reach the ceiling later. */
  for (guint i = 0; i < n; i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);
      gint64      video = json_object_get_int_member (second, "receive_latency_ms");
      gint64      audio = json_object_get_int_member (second, "audio_receive_latency_ms");

      g_printerr ("# %s: second %u: jitter buffers wait %" G_GINT64_FORMAT " ms for video, %" G_GINT64_FORMAT
                  " ms for audio\n",
                  who, i, video, audio);
      if (audio > 0 && audio < video)
        audio_apart++;
    }
  g_printerr ("# %s: audio waited less than video in %u seconds\n", who, audio_apart);
  g_assert_cmpuint (audio_apart, >, 0);
  g_printerr ("# %s sent %" G_GINT64_FORMAT " retransmission requests\n", who, nacks);
  g_printerr ("# %s sent %.0f kbit/s on average at the end, under a cap of %d kbit/s\n", who,
              sent / counted / 1000, CAP_KBIT);
  g_assert_cmpfloat (sent / counted, <, CAP_KBIT * 1000.0);

  return nacks;
}

/* The call, in a subprocess of the test (see test_rate_cap ()). */
static void
test_rate_cap_call (void)
{
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GSubprocess) mentor = NULL;
  g_autoptr (GSubprocess) student = NULL;
  g_autoptr (GError)      error = NULL;
  g_autofree char        *url = NULL;
  g_autofree char        *booking = NULL;
  gint64                  booking_id;
  gint64                  nacks;
  char                   *paths[2][3] = { { NULL } }; /* freed at the end */
  const char             *who[2] = { "maria", "sam" };
  const char             *passwords[2] = { "mentor-demo", "student-demo" };
  const char             *addresses[2] = { ADDRESS_A, ADDRESS_B };
  const char             *cli = mc_test_get_program ("MENTORCALL_CLI", "mentorcall-cli");
  GSubprocess            *joins[2];

  if (!g_test_subprocess ())
    {
      g_test_skip ("runs inside /cli/network/rate-cap");
      return;
    }
  net = net_from_environment ();

  url = start_server (&server, &booking_id);
  booking = g_strdup_printf ("%" G_GINT64_FORMAT, booking_id);

  for (guint i = 0; i < 2; i++)
    {
      paths[i][0] = g_build_filename (net->dir, who[i], NULL);
      paths[i][1] = g_strdup_printf ("%s/%s.out", net->dir, who[i]);
      paths[i][2] = g_strdup_printf ("%s/%s.json", net->dir, who[i]);
      login (i, url, paths[i][0], who[i], passwords[i]);
    }

  /* Test sources at 720p30: what needs the most and so must come down the
   * furthest. */
  for (guint i = 0; i < 2; i++)
    {
      const char *argv[] = { cli, "join", booking, "--test-sources", "--fake-audio-output",
                             "--ice-address", addresses[i], "--duration", CALL_SECONDS,
                             "--stats-json", paths[i][2], NULL };

      joins[i] = spawn_in (i, paths[i][0], paths[i][1], &error, argv);
      g_assert_no_error (error);
    }
  mentor = joins[0];
  student = joins[1];

  /* Wait for what is checked, not for a time: a loaded machine only makes
   * it take longer. The calls' --duration bounds this. */
  while (!both_adapted (paths))
    {
      if (g_subprocess_get_identifier (mentor) == NULL ||
          g_subprocess_get_identifier (student) == NULL)
        break;
      g_usleep (G_USEC_PER_SEC / 2);
    }
  g_subprocess_send_signal (mentor, SIGTERM);
  g_subprocess_send_signal (student, SIGTERM);
  wait_bounded (mentor, "The mentor's call");
  wait_bounded (student, "The student's call");
  if (!both_adapted (paths))
    {
      for (guint i = 0; i < 2; i++)
        {
          g_autofree char *output = NULL;

          g_file_get_contents (paths[i][1], &output, NULL, NULL);
          g_printerr ("# %s:\n%s\n", who[i], output);
        }
      g_error ("The calls ended before both sides lowered their video and went on decoding");
    }
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);

  nacks = check_side (who[0], paths[0][1], paths[0][2]);
  nacks += check_side (who[1], paths[1][1], paths[1][2]);
  g_printerr ("# %" G_GINT64_FORMAT " retransmission requests in all\n", nacks);

  /* g_autofree on an array would free its first element only. */
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 3; j++)
      g_free (paths[i][j]);
}

/* The namespaces are made here and removed here, whatever happens to the
 * call: it runs in a subprocess, whose failed assertion aborts it, not us. */
static void
test_rate_cap (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *description = NULL;

  net = net_new (&reason);
  if (net == NULL)
    {
      g_test_skip (reason);
      return;
    }

  description = g_strjoin ("\n", net->ns[0], net->ns[1], net->veth[0], net->veth[1], net->dir,
                           net->ip, net->tc, NULL);
  g_setenv ("MC_TEST_NETWORK", description, TRUE);
  g_test_trap_subprocess ("/cli/network/rate-cap-call", (guint64) 400 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("MC_TEST_NETWORK");
  g_clear_pointer (&net, net_free);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/network/rate-cap", test_rate_cap);
  g_test_add_func ("/cli/network/rate-cap-call", test_rate_cap_call);

  return g_test_run ();
}
