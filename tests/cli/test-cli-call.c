/* test-cli-call.c — real calls between two mentorcall-cli processes
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real mentorcall-server on 127.0.0.1 and two `mentorcall-cli` processes,
 * a mentor and a student, each with its own configuration directory, joining
 * one booking with test sources (small, to keep CI fast), ICE restricted to
 * 127.0.0.1 and no sound output. The tests never stop a call after a fixed
 * time: they wait (with a generous bound) for what the CLI prints — its
 * states and its per-second statistics — then stop it with SIGTERM, which
 * leaves the call and writes the JSON summary, and check that.
 *
 * The cases are those of issue 4: media both ways, mute and camera-off seen
 * by the peer, leaving and rejoining in every order, kill -9 and restart, a
 * media path cut for 5 s, a missing GStreamer plugin; and the simple
 * commands: login, bookings, chat, history, end, logout.
 */

#include <signal.h>
#include <unistd.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mc-protocol.h"
#include "mc-test-cli.h"

/* Small test sources: the suite also runs under AddressSanitizer on two
 * cores. */
#define VIDEO_ARGS "--width", "320", "--height", "240", "--fps", "15"

typedef struct
{
  McTestServer *server;
  gint64        booking_id;
  McTestCli    *mentor;
  McTestCli    *student;
} Fixture;

/* Fixture */

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->server = mc_test_server_start_new (NULL);
  fixture->booking_id =
    mc_test_cli_start_lesson (fixture->server, &fixture->mentor, &fixture->student);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_pointer (&fixture->mentor, mc_test_cli_free);
  g_clear_pointer (&fixture->student, mc_test_cli_free);
  /* Stopping checks that the server exits cleanly. */
  g_clear_pointer (&fixture->server, mc_test_server_free);
}

/* Helpers */

static void
join (Fixture    *fixture,
      McTestCli  *cli,
      const char *extra_arg)
{
  mc_test_cli_join (cli, fixture->booking_id, VIDEO_ARGS, "--require-media", extra_arg, NULL);
}

static void
wait_for_media (McTestCli *cli,
                gsize      after)
{
  mc_test_cli_wait_for (cli, after == 0 ? "remote video and audio" : "remote video and audio after the event",
                        mc_test_cli_has_media, GSIZE_TO_POINTER (after));
}

static void
wait_for_states (McTestCli  *cli,
                 guint       count,
                 const char *state)
{
  g_autofree char *spec = g_strdup_printf ("%u state %s", count, state);
  g_autofree char *what = g_strdup_printf ("%u x state %s", count, state);

  mc_test_cli_wait_for (cli, what, mc_test_cli_has_lines, spec);
}

static gsize
output_length (McTestCli *cli)
{
  g_autofree char *output = mc_test_cli_get_output (cli);

  return strlen (output);
}

/* The states of a summary, joined by spaces: "preparing waiting …". */
static char *
summary_states (JsonObject *summary)
{
  JsonArray          *states = json_object_get_array_member (summary, "states");
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (states); i++)
    {
      JsonObject *entry = json_array_get_object_element (states, i);

      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, json_object_get_string_member (entry, "state"));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Stops a `join` with SIGTERM (it leaves the call), checks that it exited
 * with status 0, and returns its JSON summary. */
static JsonObject *
leave (McTestCli *cli)
{
  g_autofree char *states = NULL;
  JsonObject      *summary;
  int              status;

  mc_test_cli_signal (cli, SIGTERM);
  status = mc_test_cli_wait_exit (cli);
  if (status != 0)
    {
      mc_test_cli_dump (cli);
      g_error ("%s: join exited with status %d", mc_test_cli_get_name (cli), status);
    }

  summary = mc_test_cli_read_summary (cli);
  states = summary_states (summary);
  g_test_message ("%s: states %s; %" G_GINT64_FORMAT " frames, %" G_GINT64_FORMAT
                  " audio buffers",
                  mc_test_cli_get_name (cli), states,
                  json_object_get_int_member (summary, "frames_decoded"),
                  json_object_get_int_member (summary, "audio_buffers_received"));

  return summary;
}

/* The time of the @n-th (from 1) state @state in a summary, or -1. */
static double
state_time (JsonObject *summary,
            const char *state,
            guint       n)
{
  JsonArray *states = json_object_get_array_member (summary, "states");

  for (guint i = 0; i < json_array_get_length (states); i++)
    {
      JsonObject *entry = json_array_get_object_element (states, i);

      if (g_str_equal (json_object_get_string_member (entry, "state"), state) && --n == 0)
        return json_object_get_double_member (entry, "t");
    }

  return -1;
}

static void
assert_media (JsonObject *summary,
              const char *role)
{
  g_assert_cmpstr (json_object_get_string_member (summary, "role"), ==, role);
  g_assert_cmpstr (json_object_get_string_member (summary, "result"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (summary, "frames_decoded"), >, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "audio_buffers_received"), >, 0);
}

/* Whether @states (space-separated) contains @sequence as a subsequence. */
static gboolean
has_subsequence (const char *states,
                 const char *sequence)
{
  g_auto (GStrv) have = g_strsplit (states, " ", -1);
  g_auto (GStrv) want = g_strsplit (sequence, " ", -1);
  guint          j = 0;

  for (guint i = 0; have[i] != NULL && want[j] != NULL; i++)
    if (g_str_equal (have[i], want[j]))
      j++;

  return want[j] == NULL;
}

#define assert_states(summary, sequence) \
  G_STMT_START \
  { \
    g_autofree char *_states = summary_states (summary); \
    if (!has_subsequence (_states, sequence)) \
      g_error ("%s: expected the states to go through “%s”, got “%s”", G_STRLOC, sequence, \
               _states); \
  } \
  G_STMT_END

/* Tests: calls */

static void
test_media (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (JsonObject) mentor = NULL;
  g_autoptr (JsonObject) student = NULL;

  join (fixture, fixture->mentor, NULL);
  join (fixture, fixture->student, NULL);
  wait_for_media (fixture->mentor, 0);
  wait_for_media (fixture->student, 0);

  student = leave (fixture->student);
  mentor = leave (fixture->mentor);

  assert_media (mentor, "mentor");
  assert_media (student, "student");
  /* Only one negotiation: its time to the first frame is known. (After a
   * later negotiation that brought no frame yet it is null.) */
  g_assert_false (json_object_get_null_member (mentor, "time_to_first_frame_ms"));
  g_assert_false (json_object_get_null_member (student, "time_to_first_frame_ms"));
  assert_states (mentor, "preparing waiting connecting connected");
  assert_states (student, "preparing connecting connected ended");
  g_assert_false (json_object_get_boolean_member (mentor, "remote_muted_seen"));
  g_assert_false (json_object_get_boolean_member (mentor, "remote_camera_off_seen"));
  g_assert_false (json_object_get_boolean_member (student, "remote_muted_seen"));
  g_assert_false (json_object_get_boolean_member (student, "remote_camera_off_seen"));
}

static void
test_mute_camera_off (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (JsonObject) mentor = NULL;
  g_autoptr (JsonObject) student = NULL;

  /* The mentor is muted from the start, before the student is there; the
   * student turns the camera off once in the call. Each must be seen by the
   * other side, and only that. */
  mc_test_cli_join (fixture->mentor, fixture->booking_id, VIDEO_ARGS, "--mute", NULL);
  mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, "--camera-off", NULL);

  mc_test_cli_wait_for (fixture->student, "the peer muted", mc_test_cli_has_line,
                        (gpointer) "peer muted");
  mc_test_cli_wait_for (fixture->mentor, "the peer's camera off", mc_test_cli_has_line,
                        (gpointer) "camera off");
  /* Audio of a muted side and video of a camera that is off may or may not
   * flow (silence, black frames); only the call itself must be up. */
  wait_for_states (fixture->mentor, 1, "connected");
  wait_for_states (fixture->student, 1, "connected");

  student = leave (fixture->student);
  mentor = leave (fixture->mentor);

  g_assert_true (json_object_get_boolean_member (student, "remote_muted_seen"));
  g_assert_false (json_object_get_boolean_member (student, "remote_camera_off_seen"));
  g_assert_true (json_object_get_boolean_member (mentor, "remote_camera_off_seen"));
  g_assert_false (json_object_get_boolean_member (mentor, "remote_muted_seen"));
}

/* One participant stays the whole time; the other joins three times, gets
 * video and audio each time, and leaves. */
static void
stay_while_other_rejoins (Fixture   *fixture,
                          McTestCli *stayer,
                          McTestCli *rejoiner)
{
  g_autoptr (JsonObject) summary = NULL;
  g_autofree char       *output = NULL;

  join (fixture, stayer, NULL);

  for (guint i = 1; i <= 3; i++)
    {
      g_autoptr (JsonObject) run = NULL;
      gsize                  mark = output_length (stayer);

      g_test_message ("%s joins for the %u. time", mc_test_cli_get_name (rejoiner), i);
      join (fixture, rejoiner, NULL);
      wait_for_media (rejoiner, 0);
      wait_for_media (stayer, mark);
      wait_for_states (stayer, i, "connected");

      run = leave (rejoiner);
      assert_media (run, rejoiner == fixture->mentor ? "mentor" : "student");
      assert_states (run, "connecting connected ended");

      /* The one who stays learns that the other left. */
      wait_for_states (stayer, i + 1, "waiting");
    }

  summary = leave (stayer);
  assert_media (summary, stayer == fixture->mentor ? "mentor" : "student");
  assert_states (summary, "connected waiting connected waiting connected waiting");

  output = mc_test_cli_get_output (stayer);
  g_assert_cmpuint (mc_test_cli_count_lines (output, "state failed"), ==, 0);
}

static void
test_rejoin_mentor_stays (Fixture      *fixture,
                          gconstpointer data)
{
  stay_while_other_rejoins (fixture, fixture->mentor, fixture->student);
}

static void
test_rejoin_student_stays (Fixture      *fixture,
                           gconstpointer data)
{
  stay_while_other_rejoins (fixture, fixture->student, fixture->mentor);
}

/* The student leaves the moment the mentor sees it, while the mentor is
 * making and sending its offer, three times; then a fourth join must still
 * bring media both ways. */
static void
test_rejoin_quick_leave (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (JsonObject) summary = NULL;
  g_autoptr (JsonObject) last = NULL;
  gsize                  mark;

  join (fixture, fixture->mentor, NULL);
  mc_test_cli_wait_for (fixture->mentor, "joined", mc_test_cli_has_line, (gpointer) "joined booking");

  for (guint i = 1; i <= 3; i++)
    {
      int status;

      mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, NULL);
      wait_for_states (fixture->mentor, i, "connecting");
      mc_test_cli_signal (fixture->student, SIGTERM);
      status = mc_test_cli_wait_exit (fixture->student);
      /* A join stopped before it completed may report that. */
      g_test_message ("quick leave %u: status %d", i, status);
      wait_for_states (fixture->mentor, i + 1, "waiting");
    }

  mark = output_length (fixture->mentor);
  join (fixture, fixture->student, NULL);
  wait_for_media (fixture->student, 0);
  wait_for_media (fixture->mentor, mark);

  last = leave (fixture->student);
  summary = leave (fixture->mentor);
  assert_media (last, "student");
  assert_media (summary, "mentor");
}

/* Both leave and come back alternately, so that each join order and each
 * leave order happens: M+S, S leaves, S alone after M leaves… */
static void
test_rejoin_alternating (Fixture      *fixture,
                         gconstpointer data)
{
  McTestCli *first = fixture->mentor;
  McTestCli *second = fixture->student;

  join (fixture, first, NULL);
  join (fixture, second, NULL);
  wait_for_media (first, 0);
  wait_for_media (second, 0);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonObject) summary = NULL;
      McTestCli             *swap;
      gsize                  mark;

      /* The one who joined first leaves first and comes back. */
      g_test_message ("round %u: %s leaves and rejoins while %s stays", i + 1,
                      mc_test_cli_get_name (first), mc_test_cli_get_name (second));
      summary = leave (first);
      assert_media (summary, first == fixture->mentor ? "mentor" : "student");

      mark = output_length (second);
      join (fixture, first, NULL);
      wait_for_media (first, 0);
      wait_for_media (second, mark);

      swap = first;
      first = second;
      second = swap;
    }

  json_object_unref (leave (first));
  json_object_unref (leave (second));
}

static void
kill_and_restart (Fixture   *fixture,
                  McTestCli *survivor,
                  McTestCli *victim)
{
  g_autoptr (JsonObject) restarted = NULL;
  g_autoptr (JsonObject) summary = NULL;
  guint                  connected;
  gsize                  mark;

  join (fixture, survivor, NULL);
  join (fixture, victim, NULL);
  wait_for_media (survivor, 0);
  wait_for_media (victim, 0);

  {
    g_autofree char *output = mc_test_cli_get_output (survivor);

    connected = mc_test_cli_count_lines (output, "state connected");
  }

  mark = output_length (survivor);
  mc_test_cli_wait_killed (victim);

  join (fixture, victim, NULL);
  wait_for_media (victim, 0);
  /* The survivor is connected again and receives media again. */
  wait_for_states (survivor, connected + 1, "connected");
  wait_for_media (survivor, mark);

  restarted = leave (victim);
  summary = leave (survivor);
  assert_media (restarted, victim == fixture->mentor ? "mentor" : "student");
  assert_media (summary, survivor == fixture->mentor ? "mentor" : "student");
  assert_states (summary, "connected connected");
}

static void
test_kill_student (Fixture      *fixture,
                   gconstpointer data)
{
  kill_and_restart (fixture, fixture->mentor, fixture->student);
}

static void
test_kill_mentor (Fixture      *fixture,
                  gconstpointer data)
{
  kill_and_restart (fixture, fixture->student, fixture->mentor);
}

/* The server restarts during a call (SIGTERM: an upgrade, or a server of
 * several drained): both sides' signaling comes back by itself and rejoins
 * the room, and the call's peer-to-peer media goes on over the same
 * connection (no second "connected"). */
static void
test_server_restart (Fixture      *fixture,
                     gconstpointer data)
{
  McTestCli *both[] = { fixture->mentor, fixture->student };
  gsize      marks[G_N_ELEMENTS (both)];

  join (fixture, fixture->mentor, NULL);
  join (fixture, fixture->student, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    wait_for_media (both[i], 0);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    marks[i] = output_length (both[i]);
  mc_test_server_keep_port (fixture->server);
  mc_test_server_restart (fixture->server);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      /* The join prints the signaling's changes after its first
       * connection: this is the one after the restart. */
      mc_test_cli_wait_for (both[i], "signaling back", mc_test_cli_has_lines,
                            (gpointer) "1 signaling connected");
      wait_for_media (both[i], marks[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      g_autoptr (JsonObject) summary = leave (both[i]);
      g_autofree char       *output = mc_test_cli_get_output (both[i]);

      assert_media (summary, both[i] == fixture->mentor ? "mentor" : "student");
      g_assert_cmpuint (mc_test_cli_count_lines (output, "state connected"), ==, 1);
      g_assert_cmpuint (mc_test_cli_count_lines (output, "signaling reconnecting"), >=, 1);
    }
}

/* MENTORCALL_FAULT_BLOCK_MEDIA drops every RTP and RTCP packet of @faulty in
 * both directions from 2 s after the call first connected, for 5 s. */
static void
media_cut (Fixture   *fixture,
           McTestCli *faulty,
           McTestCli *other)
{
  g_autoptr (JsonObject) faulty_summary = NULL;
  g_autoptr (JsonObject) other_summary = NULL;
  McTestCli             *both[] = { faulty, other };

  mc_test_cli_setenv (faulty, "MENTORCALL_FAULT_BLOCK_MEDIA", "2:5");
  join (fixture, fixture->mentor, NULL);
  join (fixture, fixture->student, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      gsize mark;

      wait_for_media (both[i], 0);
      wait_for_states (both[i], 1, "reconnecting");
      /* Media again after the reconnection. */
      mark = output_length (both[i]);
      wait_for_states (both[i], 2, "connected");
      wait_for_media (both[i], mark);
    }

  faulty_summary = leave (faulty);
  other_summary = leave (other);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      JsonObject *summary = both[i] == faulty ? faulty_summary : other_summary;
      JsonArray  *stats = json_object_get_array_member (summary, "stats");
      JsonObject *last = json_array_get_object_element (stats, json_array_get_length (stats) - 1);

      assert_states (summary, "connected reconnecting connected");
      g_assert_cmpint (json_object_get_int_member (last, "reconnections"), >=, 1);

      /* For the record, not checked: the cut lasts from 2 s to 7 s after
       * the faulty side first connected. */
      g_test_message ("%s: connected at %.2f s, reconnecting at %.2f s, connected again at "
                      "%.2f s",
                      mc_test_cli_get_name (both[i]),
                      state_time (summary, "connected", 1), state_time (summary, "reconnecting", 1),
                      state_time (summary, "connected", 2));
    }
}

static void
test_media_cut_student (Fixture      *fixture,
                        gconstpointer data)
{
  media_cut (fixture, fixture->student, fixture->mentor);
}

static void
test_media_cut_mentor (Fixture      *fixture,
                       gconstpointer data)
{
  media_cut (fixture, fixture->mentor, fixture->student);
}

/* The packets a side's jitter buffers gave up on over a whole call. */
static gint64
packets_dropped (JsonObject *summary)
{
  JsonArray *stats = json_object_get_array_member (summary, "stats");
  gint64     dropped = 0;

  for (guint i = 0; i < json_array_get_length (stats); i++)
    dropped += json_object_get_int_member (json_array_get_object_element (stats, i),
                                           "packets_dropped");

  return dropped;
}

/* The student's process stands still for a second (SIGSTOP: a machine
 * too loaded to schedule it, a debugger), and goes on. Nothing was lost on
 * the way, so the mentor must give up on no packet of the student's. Its
 * jitter buffers once asked for the packet they expected next from the
 * stream's pace, gave up on it after their latency, and dropped it as too
 * late when it came, so the picture stood still until the next key frame
 * (2 and 4 packets given up on in two runs). The student itself, whose
 * clock jumped a second, is not held to that (3 or 4). */
static void
test_sender_pause (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (JsonObject) mentor_summary = NULL;
  g_autoptr (JsonObject) student_summary = NULL;
  gsize                  mark;

  join (fixture, fixture->mentor, NULL);
  join (fixture, fixture->student, NULL);
  wait_for_media (fixture->mentor, 0);
  wait_for_media (fixture->student, 0);

  /* Nothing of this process's main context has to run meanwhile (an
   * iteration would block until one of its sources fired). */
  mc_test_cli_signal (fixture->student, SIGSTOP);
  g_usleep (G_USEC_PER_SEC);
  mc_test_cli_signal (fixture->student, SIGCONT);

  /* Media again at the mentor, a few statistics lines after the pause. */
  mark = output_length (fixture->mentor);
  wait_for_media (fixture->mentor, mark);
  mark = output_length (fixture->mentor);
  wait_for_media (fixture->mentor, mark);

  mentor_summary = leave (fixture->mentor);
  student_summary = leave (fixture->student);
  assert_media (mentor_summary, "mentor");
  assert_media (student_summary, "student");
  g_test_message ("packets given up on: mentor %" G_GINT64_FORMAT ", student %" G_GINT64_FORMAT,
                  packets_dropped (mentor_summary), packets_dropped (student_summary));
  g_assert_cmpint (packets_dropped (mentor_summary), ==, 0);
}

/* Whether a line of @errors is "mentorcall-cli: …@needle…". */
static gboolean
has_reason_line (const char *errors,
                 const char *needle)
{
  g_auto (GStrv) lines = g_strsplit (errors, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "mentorcall-cli: ") && strstr (lines[i], needle) != NULL)
      return TRUE;

  return FALSE;
}

/* No GStreamer plugin at all: the join fails, and says which Debian
 * package to install. */
static void
test_missing_plugin (Fixture      *fixture,
                     gconstpointer data)
{
  g_autofree char *empty = g_build_filename (mc_test_server_get_dir (fixture->server),
                                             "no-plugins", NULL);
  g_autofree char *registry = g_build_filename (mc_test_server_get_dir (fixture->server),
                                                "gst-registry.bin", NULL);
  g_autofree char *errors = NULL;
  g_autofree char *output = NULL;
  int              status;

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  mc_test_cli_setenv (fixture->student, "GST_PLUGIN_SYSTEM_PATH_1_0", empty);
  mc_test_cli_setenv (fixture->student, "GST_PLUGIN_SYSTEM_PATH", empty);
  mc_test_cli_setenv (fixture->student, "GST_PLUGIN_PATH_1_0", NULL);
  mc_test_cli_setenv (fixture->student, "GST_PLUGIN_PATH", NULL);
  mc_test_cli_setenv (fixture->student, "GST_REGISTRY_1_0", registry);
  mc_test_cli_setenv (fixture->student, "GST_REGISTRY", registry);

  /* The mentor is there, so that nothing waits for a peer. (It must have
   * joined before it is stopped: a join interrupted while it starts exits
   * with status 1, “cannot join: Stopped”.) */
  mc_test_cli_join (fixture->mentor, fixture->booking_id, VIDEO_ARGS, NULL);
  mc_test_cli_wait_for (fixture->mentor, "joined", mc_test_cli_has_line, (gpointer) "joined booking");
  mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, NULL);
  status = mc_test_cli_wait_exit (fixture->student);
  errors = mc_test_cli_get_errors (fixture->student);
  output = mc_test_cli_get_output (fixture->student);
  g_test_message ("missing plugins: status %d, standard error:\n%s", status, errors);

  g_assert_cmpint (status, !=, 0);
  if (!has_reason_line (errors, "gstreamer1.0-"))
    g_error ("expected a line “mentorcall-cli: …” naming a Debian package (gstreamer1.0-…) on "
             "standard error, got:\n%s",
             errors);
  /* No crash or critical warning on the way. */
  g_assert_null (strstr (errors, "CRITICAL"));
  g_assert_null (strstr (errors, "ERROR:"));

  /* The mentor is not disturbed by a peer that never made it. */
  mc_test_cli_signal (fixture->mentor, SIGTERM);
  status = mc_test_cli_wait_exit (fixture->mentor);
  if (status != 0)
    {
      mc_test_cli_dump (fixture->mentor);
      g_error ("the mentor's join exited with status %d", status);
    }
}

/* Only the plugin with the test pattern's clock overlay is missing, as on a
 * fresh Debian 12 machine without gstreamer1.0-x: the join fails within
 * milliseconds while the DTLS warm-up thread is still inside OpenSSL making
 * the process's certificate. The process must wait for that thread and exit
 * with status 1 (it crashed in exit () before), and name the right package. */
static void
test_missing_overlay (Fixture      *fixture,
                      gconstpointer data)
{
  const char        *system_dir = g_getenv ("MC_GST_PLUGINS_DIR");
  g_autofree char   *plugins = g_build_filename (mc_test_server_get_dir (fixture->server),
                                                 "plugins-without-pango", NULL);
  g_autofree char   *registry = g_build_filename (mc_test_server_get_dir (fixture->server),
                                                  "gst-registry-without-pango.bin", NULL);
  g_autoptr (GDir)   dir = NULL;
  g_autoptr (GError) error = NULL;
  const char        *name;

  if (system_dir == NULL || !g_file_test (system_dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("MC_GST_PLUGINS_DIR does not name the GStreamer plugin directory");
      return;
    }

  /* The system's plugins, all but the one with timeoverlay. */
  g_assert_cmpint (g_mkdir_with_parents (plugins, 0700), ==, 0);
  dir = g_dir_open (system_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *target = g_build_filename (system_dir, name, NULL);
      g_autofree char *link = g_build_filename (plugins, name, NULL);

      if (g_str_equal (name, "libgstpango.so") || !g_str_has_suffix (name, ".so"))
        continue;
      g_assert_cmpint (symlink (target, link), ==, 0);
    }

  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_autofree char *errors = NULL;
      int              status;

      mc_test_cli_setenv (fixture->student, "GST_PLUGIN_SYSTEM_PATH_1_0", plugins);
      mc_test_cli_setenv (fixture->student, "GST_PLUGIN_SYSTEM_PATH", plugins);
      mc_test_cli_setenv (fixture->student, "GST_PLUGIN_PATH_1_0", NULL);
      mc_test_cli_setenv (fixture->student, "GST_PLUGIN_PATH", NULL);
      mc_test_cli_setenv (fixture->student, "GST_REGISTRY_1_0", registry);
      mc_test_cli_setenv (fixture->student, "GST_REGISTRY", registry);

      /* A crash or a signal fails inside mc_test_cli_wait_exit (). */
      mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, NULL);
      status = mc_test_cli_wait_exit (fixture->student);
      errors = mc_test_cli_get_errors (fixture->student);
      g_test_message ("without timeoverlay: status %d, standard error:\n%s", status, errors);

      g_assert_cmpint (status, ==, 1);
      if (strstr (errors, "“timeoverlay” is missing: install the package gstreamer1.0-x") == NULL)
        g_error ("expected the missing timeoverlay to name gstreamer1.0-x, got:\n%s", errors);
      g_assert_null (strstr (errors, "CRITICAL"));
    }
}

/* Tests: simple commands */

static void
test_login_wrong_password (Fixture      *fixture,
                           gconstpointer data)
{
  g_autoptr (McTestCli) cli = mc_test_cli_new (fixture->server, "wrong");
  g_autofree char      *err = NULL;
  g_autofree char      *unreachable_err = NULL;
  int                   status;

  mc_test_cli_setenv (cli, "MENTORCALL_PASSWORD", "not-the-password");
  status = mc_test_cli_run (cli, NULL, NULL, &err, "--server", mc_test_server_get_url (fixture->server),
                            "login", MC_TEST_STUDENT, NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_true (g_str_has_prefix (err, "mentorcall-cli: "));
  g_assert_nonnull (strstr (err, "password"));
  g_assert_null (strstr (err, "CRITICAL"));

  /* Nothing was saved: the next command says to log in. */
  g_clear_pointer (&err, g_free);
  status = mc_test_cli_run (cli, NULL, NULL, &err, "bookings", NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "not logged in"));

  /* The password from standard input works too. */
  mc_test_cli_setenv (cli, "MENTORCALL_PASSWORD", NULL);
  status = mc_test_cli_run (cli, MC_TEST_STUDENT_PASSWORD "\n", NULL, NULL, "--server",
                            mc_test_server_get_url (fixture->server), "login", MC_TEST_STUDENT,
                            NULL);
  g_assert_cmpint (status, ==, 0);

  /* A server that is not there: a message, not a hang. Port 1 on
   * 127.0.0.1 refuses connections. */
  mc_test_cli_setenv (cli, "MENTORCALL_PASSWORD", "whatever-password");
  status = mc_test_cli_run (cli, NULL, NULL, &unreachable_err, "--server", "http://127.0.0.1:1/",
                            "login", MC_TEST_STUDENT, NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_true (g_str_has_prefix (unreachable_err, "mentorcall-cli: "));
}

static void
test_bookings (Fixture      *fixture,
               gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT " ", fixture->booking_id);
  int              status;

  status = mc_test_cli_run (fixture->student, NULL, &out, NULL, "bookings", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\n"));
  g_assert_nonnull (strstr (out, id));
  g_assert_nonnull (strstr (out, "confirmed"));
  g_assert_nonnull (strstr (out, MC_TEST_MENTOR " Tester"));
  g_assert_nonnull (strstr (out, "open"));

  g_clear_pointer (&out, g_free);
  status = mc_test_cli_run (fixture->mentor, NULL, &out, NULL, "bookings", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, MC_TEST_STUDENT " Tester"));
}

static void
test_chat_history (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *booking = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->booking_id);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char      *first, *second;
  int              status;

  status = mc_test_cli_run (fixture->student, NULL, NULL, NULL, "chat", booking,
                            "Hello from Sam — ünïcödé", NULL);
  g_assert_cmpint (status, ==, 0);
  status = mc_test_cli_run (fixture->mentor, NULL, NULL, NULL, "chat", booking,
                            "Hi Sam, welcome", NULL);
  g_assert_cmpint (status, ==, 0);

  status = mc_test_cli_run (fixture->mentor, NULL, &out, NULL, "history", booking, NULL);
  g_assert_cmpint (status, ==, 0);
  first = strstr (out, "Hello from Sam — ünïcödé");
  second = strstr (out, "Hi Sam, welcome");
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_true (first < second);
  g_assert_nonnull (strstr (out, MC_TEST_STUDENT " Tester"));

  /* Not a participant: refused with a reason. */
  {
    g_autoptr (McTestCli) other = mc_test_cli_new (fixture->server, "other");

    mc_test_create_user (fixture->server, "olga", "student", "olga-pass-1");
    mc_test_cli_login (other, "olga", "olga-pass-1");
    status = mc_test_cli_run (other, NULL, NULL, &err, "history", booking, NULL);
    g_assert_cmpint (status, !=, 0);
    g_assert_true (g_str_has_prefix (err, "mentorcall-cli: "));
  }
}

static void
test_chat_escapes (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char       *booking = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->booking_id);
  g_autofree char       *out = NULL;
  g_autofree char       *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages",
                                                 fixture->booking_id);
  g_autoptr (JsonObject) stored = NULL;
  g_autoptr (JsonNode)   list = NULL;
  g_autofree char       *token = NULL;
  JsonArray             *messages;
  guint                  status;
  int                    exit_status;

  /* Terminal escapes, a bell, a one-character CSI, a line break, a
   * right-to-left override: sent as they are, and kept as they are. */
  exit_status = mc_test_cli_run (fixture->student, NULL, NULL, NULL, "chat", booking,
                                 "\033[2J\033]0;pwned\007red\033[31m!\302\233A\nnext\tline "
                                 "\342\200\256abc ünïcödé",
                                 NULL);
  g_assert_cmpint (exit_status, ==, 0);

  exit_status = mc_test_cli_run (fixture->mentor, NULL, &out, NULL, "history", booking, NULL);
  g_assert_cmpint (exit_status, ==, 0);
  g_test_message ("history: %s", out);

  /* Nothing that drives a terminal reaches it... */
  for (const char *p = out; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\t')
        continue;
      g_assert_cmpint ((guchar) *p, >=, 0x20);
      g_assert_cmpint ((guchar) *p, !=, 0x7f);
    }
  g_assert_null (strstr (out, "\302\233"));
  g_assert_null (strstr (out, "\342\200\256"));

  /* ...and all of the text is there to read, escaped. */
  g_assert_nonnull (strstr (out, "\\x1B[2J\\x1B]0;pwned\\x07red\\x1B[31m!\\u009BA\\nnext\\tline "
                                 "\\u202Eabc ünïcödé"));

  /* The server keeps the text as it was sent. */
  token = mc_test_login (fixture->server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  list = mc_test_request (fixture->server, "GET", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  messages = json_object_get_array_member (mc_test_object (list), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  stored = json_object_ref (json_array_get_object_element (messages, 0));
  g_assert_cmpstr (json_object_get_string_member (stored, "text"), ==,
                   "\033[2J\033]0;pwned\007red\033[31m!\302\233A\nnext\tline "
                   "\342\200\256abc ünïcödé");
}

static void
test_end (Fixture      *fixture,
          gconstpointer data)
{
  g_autofree char       *booking = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->booking_id);
  g_autoptr (JsonObject) admin = NULL;
  g_autofree char       *errors = NULL;
  int                    status;

  status = mc_test_cli_run (fixture->mentor, NULL, NULL, NULL, "end", booking, NULL);
  g_assert_cmpint (status, ==, 0);

  admin = mc_test_get_booking_admin (fixture->server, fixture->booking_id);
  g_assert_cmpstr (mc_test_get_string (admin, "status"), ==, "completed");

  /* Joining an ended lesson is refused, with a reason. */
  mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, NULL);
  status = mc_test_cli_wait_exit (fixture->student);
  errors = mc_test_cli_get_errors (fixture->student);
  g_test_message ("join after the end: status %d, standard error:\n%s", status, errors);
  g_assert_cmpint (status, !=, 0);
  g_assert_true (g_str_has_prefix (errors, "mentorcall-cli: cannot join: "));

  /* Ending it again is refused too. */
  status = mc_test_cli_run (fixture->student, NULL, NULL, NULL, "end", booking, NULL);
  g_assert_cmpint (status, !=, 0);
}

static void
test_logout (Fixture      *fixture,
             gconstpointer data)
{
  g_autofree char     *ini = g_build_filename (mc_test_server_get_dir (fixture->server), "student",
                                               "mentorcall", "cli.ini", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) response = NULL;
  g_autofree char     *token = NULL;
  g_autofree char     *err = NULL;
  GStatBuf             info;
  guint                http_status;
  int                  status;

  /* The token is kept readable by its owner only. */
  g_assert_cmpint (g_stat (ini, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0077, ==, 0);
  g_key_file_load_from_file (file, ini, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  token = g_key_file_get_string (file, "session", "token", &error);
  g_assert_no_error (error);

  status = mc_test_cli_run (fixture->student, NULL, NULL, NULL, "logout", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_false (g_file_test (ini, G_FILE_TEST_EXISTS));

  /* The session is gone on the server too. */
  response = mc_test_request (fixture->server, "GET", "/api/v1/bookings", token, NULL,
                              &http_status);
  g_assert_cmpuint (http_status, ==, 401);

  status = mc_test_cli_run (fixture->student, NULL, NULL, &err, "bookings", NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "not logged in"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD ("/cli/commands/login-wrong-password", test_login_wrong_password);
  ADD ("/cli/commands/bookings", test_bookings);
  ADD ("/cli/commands/chat-history", test_chat_history);
  ADD ("/cli/commands/chat-escapes", test_chat_escapes);
  ADD ("/cli/commands/end", test_end);
  ADD ("/cli/commands/logout", test_logout);
  ADD ("/cli/call/media", test_media);
  ADD ("/cli/call/mute-camera-off", test_mute_camera_off);
  ADD ("/cli/call/rejoin/mentor-stays", test_rejoin_mentor_stays);
  ADD ("/cli/call/rejoin/student-stays", test_rejoin_student_stays);
  ADD ("/cli/call/rejoin/alternating", test_rejoin_alternating);
  ADD ("/cli/call/rejoin/quick-leave", test_rejoin_quick_leave);
  ADD ("/cli/call/kill/student", test_kill_student);
  ADD ("/cli/call/kill/mentor", test_kill_mentor);
  ADD ("/cli/call/server-restart", test_server_restart);
  ADD ("/cli/call/media-cut/student", test_media_cut_student);
  ADD ("/cli/call/media-cut/mentor", test_media_cut_mentor);
  ADD ("/cli/call/sender-pause", test_sender_pause);
  ADD ("/cli/call/missing-plugin", test_missing_plugin);
  ADD ("/cli/call/missing-overlay", test_missing_overlay);

#undef ADD

  return g_test_run ();
}
