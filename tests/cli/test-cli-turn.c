/* test-cli-turn.c — calls through a real TURN relay (coturn)
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real `turnserver` (Debian's coturn) on 127.0.0.1 with the TURN REST API
 * shared secret, a real mentorcall-server that hands out its short-lived
 * credentials with each call token, and two mentorcall-cli processes that
 * may only use relayed candidates (`--relay-only`: webrtcbin's
 * ice-transport-policy "relay"). Video and audio must arrive on both sides,
 * and coturn's own accounting must show the media bytes it relayed.
 *
 * The second case starts coturn without UDP listeners: the clients reach
 * it over TCP (the `?transport=tcp` URL the server also hands out), as on a
 * network that blocks UDP.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#include "mc-protocol.h"
#include "mc-test-cli.h"

#define VIDEO_ARGS "--width", "320", "--height", "240", "--fps", "15"

/* What coturn must have relayed, at least, for "media went through it":
 * three seconds of 320x240 video and Opus are a few hundred kilobytes, where
 * ICE's own checks are a few kilobytes. */
#define MIN_RELAYED_BYTES (64 * 1024)

typedef struct
{
  GSubprocess  *turnserver;
  char         *dir;
  char         *log_path;
  guint16       port;
  McTestServer *server;
  gint64        booking_id;
  McTestCli    *mentor;
  McTestCli    *student;
} Fixture;

typedef struct
{
  gboolean tcp_only;
} Case;

static char *
read_log (Fixture *fixture)
{
  char *text = NULL;

  g_file_get_contents (fixture->log_path, &text, NULL, NULL);
  return text != NULL ? text : g_strdup ("");
}

static void
start_turnserver (Fixture *fixture,
                  gboolean tcp_only)
{
  g_autofree char                *turnserver = g_find_program_in_path ("turnserver");
  g_autofree char                *listening_port = NULL;
  g_autofree char                *min_port = NULL;
  g_autofree char                *max_port = NULL;
  g_autofree char                *log_file = NULL;
  g_autofree char                *db = NULL;
  g_autofree char                *pid_file = NULL;
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError)              error = NULL;
  guint16                         relay_base;

  g_assert_nonnull (turnserver);

  /* TCP for the listener check, and the same number is free for UDP with
   * all but certainty on a machine that runs tests. */
  fixture->port = mc_test_free_port (G_SOCKET_TYPE_STREAM);
  relay_base = mc_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  relay_base = MAX (relay_base, 20000) & ~0x3f;

  listening_port = g_strdup_printf ("--listening-port=%u", fixture->port);
  min_port = g_strdup_printf ("--min-port=%u", relay_base);
  max_port = g_strdup_printf ("--max-port=%u", relay_base + 63);
  log_file = g_strdup_printf ("--log-file=%s", fixture->log_path);
  db = g_strdup_printf ("--userdb=%s/turndb", fixture->dir);
  pid_file = g_strdup_printf ("--pidfile=%s/turnserver.pid", fixture->dir);

  g_ptr_array_add (argv, turnserver);
  g_ptr_array_add (argv, "-n"); /* no configuration file */
  g_ptr_array_add (argv, "--listening-ip=127.0.0.1");
  g_ptr_array_add (argv, "--relay-ip=127.0.0.1");
  g_ptr_array_add (argv, listening_port);
  g_ptr_array_add (argv, min_port);
  g_ptr_array_add (argv, max_port);
  g_ptr_array_add (argv, "--use-auth-secret");
  g_ptr_array_add (argv, "--static-auth-secret=mentorcall-test-turn-secret");
  g_ptr_array_add (argv, "--realm=mentorcall.test");
  /* Both peers and the relay are on 127.0.0.1 here. */
  g_ptr_array_add (argv, "--allow-loopback-peers");
  g_ptr_array_add (argv, "--no-tls");
  g_ptr_array_add (argv, "--no-dtls");
  g_ptr_array_add (argv, "--no-cli");
  g_ptr_array_add (argv, "--no-multicast-peers");
  g_ptr_array_add (argv, "--fingerprint");
  g_ptr_array_add (argv, "--verbose");
  g_ptr_array_add (argv, "--simple-log");
  g_ptr_array_add (argv, "--no-stdout-log");
  g_ptr_array_add (argv, log_file);
  g_ptr_array_add (argv, db);
  g_ptr_array_add (argv, pid_file);
  if (tcp_only)
    g_ptr_array_add (argv, "--no-udp");
  g_ptr_array_add (argv, NULL);

  /* It dies with the test, also when an assertion aborts it before the
   * fixture's tear-down. */
  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                   fixture->dir, SIGTERM);
  fixture->turnserver = g_subprocess_launcher_spawnv (launcher,
                                                      (const char * const *) argv->pdata,
                                                      &error);
  g_assert_no_error (error);

  /* Until it accepts connections (at most 10 s, asking every 50 ms). */
  for (guint i = 0; i < 200 && !mc_test_tcp_listening (fixture->port); i++)
    g_usleep (50 * 1000);
  if (!mc_test_tcp_listening (fixture->port))
    {
      g_autofree char *log = read_log (fixture);

      g_error ("turnserver did not listen on 127.0.0.1:%u; its log:\n%s", fixture->port, log);
    }
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  const Case        *test_case = data;
  g_autofree char   *config = NULL;
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("mentorcall-turn-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->log_path = g_build_filename (fixture->dir, "turnserver.log", NULL);

  start_turnserver (fixture, test_case->tcp_only);

  /* The server hands out both transports, as a deployment would: a client
   * whose UDP is blocked gets through over TCP. */
  config = g_strdup_printf ("[ice]\n"
                            "turn-servers=turn:127.0.0.1:%u?transport=udp;"
                            "turn:127.0.0.1:%u?transport=tcp\n"
                            "turn-secret=mentorcall-test-turn-secret\n",
                            fixture->port, fixture->port);
  fixture->server = mc_test_server_start_new (config);
  fixture->booking_id =
    mc_test_cli_start_lesson (fixture->server, &fixture->mentor, &fixture->student);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_pointer (&fixture->mentor, mc_test_cli_free);
  g_clear_pointer (&fixture->student, mc_test_cli_free);
  g_clear_pointer (&fixture->server, mc_test_server_free);

  if (fixture->turnserver != NULL)
    {
      g_subprocess_force_exit (fixture->turnserver);
      g_subprocess_wait (fixture->turnserver, NULL, NULL);
      g_clear_object (&fixture->turnserver);
    }

  if (fixture->dir != NULL)
    mc_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->log_path, g_free);
}

/* The largest "rb=N" (bytes received from peers, per allocation) in coturn's
 * usage reports. */
static guint64
relayed_bytes (const char *log,
               guint      *n_reports)
{
  g_autoptr (GRegex)     regex = g_regex_new ("peer usage: .*rb=([0-9]+)", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  guint64                most = 0;

  *n_reports = 0;
  g_regex_match (regex, log, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *number = g_match_info_fetch (match, 1);

      most = MAX (most, g_ascii_strtoull (number, NULL, 10));
      (*n_reports)++;
      g_match_info_next (match, NULL);
    }

  return most;
}

static guint
count_stats_lines (const char *output)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  guint          count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    count += strstr (lines[i], " stats ") != NULL;

  return count;
}

/* user_data: the number of statistics lines to reach. */
static gboolean
has_stats_lines_cb (McTestCli  *cli,
                    const char *output,
                    gpointer    user_data)
{
  return count_stats_lines (output) >= GPOINTER_TO_UINT (user_data);
}

/* The CLI prints a statistics line a second: @more of them from now are
 * @more seconds of the call. */
static void
wait_for_more_stats (McTestCli *cli,
                     guint      more)
{
  g_autofree char *output = mc_test_cli_get_output (cli);

  mc_test_cli_wait_for (cli, "more statistics lines", has_stats_lines_cb,
                        GUINT_TO_POINTER (count_stats_lines (output) + more));
}

static void
test_relay_only (Fixture      *fixture,
                 gconstpointer data)
{
  const Case      *test_case = data;
  g_autofree char *log = NULL;
  guint64          bytes;
  guint            n_reports;

  /* Until both sides receive media (however long a loaded machine or the
   * sanitizers make relay allocation over TCP take), then three more
   * seconds of the call by the sides' own statistics lines. */
  mc_test_cli_join (fixture->mentor, fixture->booking_id, VIDEO_ARGS, "--require-media",
                    "--relay-only", NULL);
  mc_test_cli_wait_for (fixture->mentor, "joined", mc_test_cli_has_line, (gpointer) "joined booking");
  mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, "--require-media",
                    "--relay-only", NULL);
  mc_test_cli_wait_for (fixture->mentor, "remote video and audio", mc_test_cli_has_media,
                        GSIZE_TO_POINTER (0));
  mc_test_cli_wait_for (fixture->student, "remote video and audio", mc_test_cli_has_media,
                        GSIZE_TO_POINTER (0));
  wait_for_more_stats (fixture->mentor, 3);
  wait_for_more_stats (fixture->student, 3);

  mc_test_cli_signal (fixture->student, SIGTERM);
  g_assert_cmpint (mc_test_cli_wait_exit (fixture->student), ==, 0);
  mc_test_cli_signal (fixture->mentor, SIGTERM);
  g_assert_cmpint (mc_test_cli_wait_exit (fixture->mentor), ==, 0);

  /* coturn reports each allocation's usage when it is deleted: stop it, and
   * its log has them all. */
  g_subprocess_send_signal (fixture->turnserver, SIGTERM);
  g_subprocess_wait (fixture->turnserver, NULL, NULL);
  g_clear_object (&fixture->turnserver);

  log = read_log (fixture);
  bytes = relayed_bytes (log, &n_reports);
  g_test_message ("coturn: %u usage reports, at most %" G_GUINT64_FORMAT " bytes from a peer "
                  "on one allocation",
                  n_reports, bytes);
  if (bytes < MIN_RELAYED_BYTES)
    g_error ("coturn relayed at most %" G_GUINT64_FORMAT " bytes on one allocation; expected "
             "the call's media (over %u). Its log:\n%s",
             bytes, MIN_RELAYED_BYTES, log);

  if (test_case->tcp_only)
    {
      /* The clients came in over TCP: coturn had no UDP listener. */
      if (strstr (log, "TCP") == NULL)
        g_error ("no TCP session in coturn's log:\n%s", log);
    }
}

static void
skip_without_turnserver (void)
{
  g_test_skip ("turnserver (Debian's coturn) is not installed");
}

int
main (int   argc,
      char *argv[])
{
  static const Case udp = { FALSE };
  static const Case tcp = { TRUE };
  g_autofree char  *turnserver = NULL;

  g_test_init (&argc, &argv, NULL);

  turnserver = g_find_program_in_path ("turnserver");
  if (turnserver == NULL)
    {
      g_test_add_func ("/cli/turn/relay-only", skip_without_turnserver);
      return g_test_run ();
    }

  g_test_add ("/cli/turn/relay-only/udp", Fixture, &udp, fixture_set_up, test_relay_only,
              fixture_tear_down);
  g_test_add ("/cli/turn/relay-only/tcp", Fixture, &tcp, fixture_set_up, test_relay_only,
              fixture_tear_down);

  return g_test_run ();
}
