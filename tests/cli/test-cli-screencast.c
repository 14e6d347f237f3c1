/* test-cli-screencast.c — a real compositor's screen shared in a real call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the desktop portal does on GNOME, without a desktop: a headless
 * Mutter (`mutter --headless --virtual-monitor`, Debian 12's 43) on a
 * private D-Bus session and a private PipeWire daemon (mc-test-pipewire.c,
 * whose linking stands in for WirePlumber), asked through Mutter's own
 * ScreenCast API (the one xdg-desktop-portal-gnome uses) to cast its
 * virtual monitor. The PipeWire node it makes is shared by a real
 * mentorcall-cli (`--share-pipewire-node`: the engine's pipewiresrc path,
 * the same as for what the portal grants) in a call through a real server
 * with a second mentorcall-cli process.
 *
 * The far side must say that the peer shares its screen and receive the
 * monitor's picture: its decoded frames take the virtual monitor's 4:3
 * shape, which the 16:9 camera never has. When sharing stops, it is told,
 * and the camera's picture comes back.
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#include "mc-test-cli.h"
#include "mc-test-pipewire.h"

#define MONITOR_WIDTH  1024
#define MONITOR_HEIGHT 768
#define MONITOR_SIZE   "1024x768"
/* Mutter names its screen-cast stream's node after itself. */
#define MUTTER_PORT   "mutter:out_0"
#define SHARE_SECONDS "8"
#define VIDEO_ARGS    "--width", "640", "--height", "360", "--fps", "15"

#define SCREEN_CAST         "org.gnome.Mutter.ScreenCast"
#define SCREEN_CAST_SESSION "org.gnome.Mutter.ScreenCast.Session"
#define SCREEN_CAST_STREAM  "org.gnome.Mutter.ScreenCast.Stream"

typedef struct
{
  char            *dir;
  McTestPipeWire  *pipewire;
  GTestDBus       *bus;
  GDBusConnection *connection;
  GSubprocess     *mutter;
  char            *mutter_log;
  guint32          node_id;
  McTestServer    *server;
  gint64           booking_id;
  McTestCli       *mentor;
  McTestCli       *student;
} Fixture;

static const char * const programs[] = { "mutter", "pipewire", "pw-link", "pw-dump" };

static void
dump_mutter_log (Fixture *fixture)
{
  g_autofree char *log = NULL;

  if (g_file_get_contents (fixture->mutter_log, &log, NULL, NULL))
    g_test_message ("mutter's output:\n%s", log);
}

static gboolean
screen_cast_owned (Fixture *fixture)
{
  g_autoptr (GVariant) reply = NULL;
  gboolean             owned = FALSE;

  reply = g_dbus_connection_call_sync (fixture->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", SCREEN_CAST),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static void
start_mutter (Fixture *fixture)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError)              error = NULL;
  gint64                          deadline;

  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE, fixture->dir, SIGTERM);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR",
                                mc_test_pipewire_get_runtime_dir (fixture->pipewire), TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                g_test_dbus_get_bus_address (fixture->bus), TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  /* Not the tests' fatal warnings: a compositor with no session around it
   * warns about what it cannot reach (locale1, colord, the session
   * manager) and goes on. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "PIPEWIRE_REMOTE");
  g_subprocess_launcher_set_stdout_file_path (launcher, fixture->mutter_log);
  fixture->mutter = g_subprocess_launcher_spawn (launcher, &error, "mutter", "--headless",
                                                 "--virtual-monitor", MONITOR_SIZE, "--no-x11",
                                                 "--wayland-display", "mentorcall-test-0", NULL);
  g_assert_no_error (error);

  /* Until it offers screen casting (it takes well under a second; a
   * sanitized build on a loaded machine, longer). */
  deadline = g_get_monotonic_time () + MC_TEST_CLI_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  while (!screen_cast_owned (fixture))
    {
      if (g_get_monotonic_time () > deadline)
        {
          dump_mutter_log (fixture);
          g_error ("mutter did not offer %s on the test's bus", SCREEN_CAST);
        }
      g_usleep (50 * 1000);
    }
}

static GVariant *
call (Fixture            *fixture,
      const char         *path,
      const char         *interface,
      const char         *method,
      GVariant           *parameters,
      const GVariantType *reply_type)
{
  g_autoptr (GError) error = NULL;
  GVariant          *reply;

  reply = g_dbus_connection_call_sync (fixture->connection, SCREEN_CAST, path, interface, method,
                                       parameters, reply_type, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  if (reply == NULL)
    {
      dump_mutter_log (fixture);
      g_error ("%s.%s: %s", interface, method, error->message);
    }
  return reply;
}

static void
stream_added_cb (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *interface,
                 const char      *signal,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  Fixture *fixture = user_data;

  g_variant_get (parameters, "(u)", &fixture->node_id);
}

/* Casts the virtual monitor, cursor embedded, as the portal asks Mutter
 * to: a session, a stream of the monitor, and its PipeWire node. */
static void
cast_monitor (Fixture *fixture)
{
  g_autoptr (GVariant) reply = NULL;
  g_autofree char     *session = NULL;
  g_autofree char     *stream = NULL;
  GVariantBuilder      properties;
  guint                subscription;
  gint64               deadline;

  reply = call (fixture, "/org/gnome/Mutter/ScreenCast", SCREEN_CAST, "CreateSession",
                g_variant_new ("(a{sv})", NULL), G_VARIANT_TYPE ("(o)"));
  g_variant_get (reply, "(o)", &session);
  g_clear_pointer (&reply, g_variant_unref);

  g_variant_builder_init (&properties, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&properties, "{sv}", "cursor-mode", g_variant_new_uint32 (1));
  /* "": the primary monitor, the only one. */
  reply = call (fixture, session, SCREEN_CAST_SESSION, "RecordMonitor",
                g_variant_new ("(sa{sv})", "", &properties), G_VARIANT_TYPE ("(o)"));
  g_variant_get (reply, "(o)", &stream);
  g_clear_pointer (&reply, g_variant_unref);

  subscription = g_dbus_connection_signal_subscribe (fixture->connection, NULL,
                                                     SCREEN_CAST_STREAM, "PipeWireStreamAdded",
                                                     stream, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     stream_added_cb, fixture, NULL);
  reply = call (fixture, session, SCREEN_CAST_SESSION, "Start", NULL, G_VARIANT_TYPE ("()"));

  deadline = g_get_monotonic_time () + MC_TEST_CLI_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  while (fixture->node_id == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          dump_mutter_log (fixture);
          g_error ("mutter's stream %s made no PipeWire node", stream);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  g_dbus_connection_signal_unsubscribe (fixture->connection, subscription);
  g_test_message ("mutter casts its monitor (%s) as PipeWire node %u", stream, fixture->node_id);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("mentorcall-screencast-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->mutter_log = g_build_filename (fixture->dir, "mutter.log", NULL);

  fixture->pipewire = mc_test_pipewire_start (NULL, &error);
  g_assert_no_error (error);

  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fixture->bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);

  start_mutter (fixture);
  cast_monitor (fixture);
  g_assert_true (mc_test_pipewire_link (fixture->pipewire, MUTTER_PORT, &error));
  g_assert_no_error (error);

  fixture->server = mc_test_server_start_new (NULL);
  fixture->booking_id =
    mc_test_cli_start_lesson (fixture->server, &fixture->mentor, &fixture->student);
  /* The mentor's CLI reaches the node through the test's daemon. */
  mc_test_cli_setenv (fixture->mentor, "PIPEWIRE_REMOTE",
                      mc_test_pipewire_get_socket_path (fixture->pipewire));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_pointer (&fixture->mentor, mc_test_cli_free);
  g_clear_pointer (&fixture->student, mc_test_cli_free);
  g_clear_pointer (&fixture->server, mc_test_server_free);

  if (fixture->mutter != NULL)
    {
      g_subprocess_send_signal (fixture->mutter, SIGTERM);
      g_subprocess_wait (fixture->mutter, NULL, NULL);
      g_clear_object (&fixture->mutter);
    }
  g_clear_object (&fixture->connection);
  if (fixture->bus != NULL)
    g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
  g_clear_pointer (&fixture->pipewire, mc_test_pipewire_free);

  if (fixture->dir != NULL)
    mc_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->mutter_log, g_free);
}

typedef struct
{
  gsize       from; /* a byte offset into the output: later lines only */
  const char *text;
} LineAfter;

/* An #McTestCliCheck: a line after @line->from contains @line->text. */
static gboolean
has_line_after_cb (McTestCli  *cli,
                   const char *output,
                   gpointer    user_data)
{
  LineAfter *line = user_data;

  return strlen (output) > line->from && mc_test_cli_find_line (output + line->from,
                                                                line->text) >= 0;
}

typedef struct
{
  gsize    from; /* a byte offset into the output: later statistics only */
  gboolean screen;
  gint64   width;
  gint64   height;
} Shape;

/* An #McTestCliCheck: a statistics line after @shape->from shows decoded
 * video of the monitor's 4:3 shape (@shape->screen) or of the camera's
 * 16:9 one; the size is kept. */
static gboolean
has_shape_cb (McTestCli  *cli,
              const char *output,
              gpointer    user_data)
{
  Shape                *shape = user_data;
  g_autoptr (GPtrArray) stats = NULL;
  double                expected = shape->screen ? (double) MONITOR_WIDTH / MONITOR_HEIGHT
                                                 : 16.0 / 9.0;

  if (strlen (output) <= shape->from)
    return FALSE;
  stats = mc_test_cli_parse_stats (output + shape->from);
  for (guint i = 0; i < stats->len; i++)
    {
      JsonObject *object = g_ptr_array_index (stats, i);
      gint64      width = json_object_get_int_member_with_default (object, "width", 0);
      gint64      height = json_object_get_int_member_with_default (object, "height", 0);

      if (width <= 0 || height <= 0)
        continue;
      /* Within 2 % of the shape, whatever size the ladder chose. */
      if (fabs ((double) width / height - expected) <= expected / 50)
        {
          shape->width = width;
          shape->height = height;
          return TRUE;
        }
    }
  return FALSE;
}

static gsize
output_length (McTestCli *cli)
{
  g_autofree char *output = mc_test_cli_get_output (cli);

  return strlen (output);
}

static void
test_share_monitor (Fixture      *fixture,
                    gconstpointer data)
{
  g_autofree char *node = g_strdup_printf ("%u", fixture->node_id);
  g_autofree char *student_output = NULL;
  g_autofree char *sharing = g_strdup_printf ("sharing PipeWire node %u", fixture->node_id);
  Shape            shape = { 0 };
  LineAfter        camera = { 0 };

  mc_test_cli_join (fixture->mentor, fixture->booking_id, VIDEO_ARGS, "--test-sources",
                    "--fake-audio-output", "--share-pipewire-node", node, "--share-for",
                    SHARE_SECONDS, NULL);
  mc_test_cli_wait_for (fixture->mentor, "joined", mc_test_cli_has_line, (gpointer) "joined booking");
  mc_test_cli_join (fixture->student, fixture->booking_id, VIDEO_ARGS, "--test-sources",
                    "--fake-audio-output", NULL);

  /* The mentor shares the monitor once the student's video arrives. */
  mc_test_cli_wait_for (fixture->mentor, "the monitor shared", mc_test_cli_has_line, sharing);

  /* The student is told, and receives the monitor's picture. */
  mc_test_cli_wait_for (fixture->student, "the peer sharing its screen", mc_test_cli_has_line,
                        (gpointer) ", sharing the screen");
  shape.from = output_length (fixture->student);
  shape.screen = TRUE;
  mc_test_cli_wait_for (fixture->student, "video of the monitor's shape", has_shape_cb, &shape);
  g_test_message ("the student received the monitor at %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                  shape.width, shape.height);

  /* Sharing stops: the student is told, and the camera comes back (only
   * what the student prints from here on counts; it may be told before
   * the mentor's line is read). */
  camera.from = shape.from = output_length (fixture->student);
  mc_test_cli_wait_for (fixture->mentor, "the camera again", mc_test_cli_has_line,
                        (gpointer) "sending the camera again");
  camera.text = "peer unmuted, camera on";
  mc_test_cli_wait_for (fixture->student, "the peer's camera again", has_line_after_cb, &camera);
  shape.screen = FALSE;
  mc_test_cli_wait_for (fixture->student, "video of the camera's shape", has_shape_cb, &shape);
  g_test_message ("then the camera at %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT, shape.width,
                  shape.height);

  student_output = mc_test_cli_get_output (fixture->student);
  g_assert_null (strstr (student_output, "screen sharing stopped"));

  mc_test_cli_signal (fixture->student, SIGTERM);
  g_assert_cmpint (mc_test_cli_wait_exit (fixture->student), ==, 0);
  mc_test_cli_signal (fixture->mentor, SIGTERM);
  g_assert_cmpint (mc_test_cli_wait_exit (fixture->mentor), ==, 0);
}

static void
skip_test (gconstpointer data)
{
  g_test_skip (data);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *path = g_find_program_in_path (programs[i]);

      if (path == NULL)
        {
          g_test_add_data_func ("/cli/screencast/mutter-monitor",
                                g_strdup_printf ("%s is not installed (install-deps.sh "
                                                 "installs it)",
                                                 programs[i]),
                                skip_test);
          return g_test_run ();
        }
    }

  g_test_add ("/cli/screencast/mutter-monitor", Fixture, NULL, fixture_set_up,
              test_share_monitor, fixture_tear_down);

  return g_test_run ();
}
