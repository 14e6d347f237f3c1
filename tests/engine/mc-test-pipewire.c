/* mc-test-pipewire.c — a private PipeWire daemon with a "screen" on it
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a desktop gives an application that the screen-cast portal granted
 * a screen to, without the desktop: a PipeWire daemon of the test's own
 * (tests/engine/pipewire-test.conf, its socket in a temporary
 * XDG_RUNTIME_DIR), a video source node on it that stands for the shared
 * monitor (videotestsrc into pipewiresink, in this process), and the
 * session manager's linking (tests/engine/pw-link-screen.sh).
 * mc_test_pipewire_connect() opens a connection to the daemon, as the
 * portal's OpenPipeWireRemote does, for the engine's pipewiresrc.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "mc-test-pipewire.h"

#define NODE_NAME       "mc-test-screen"
#define WIDTH           640
#define HEIGHT          360
#define START_TIMEOUT_S 10

struct _McTestPipeWire
{
  char        *runtime_dir;
  char        *socket_path;
  GSubprocess *daemon;
  GSubprocess *linker;
  char        *pattern;
  GstElement  *producer;
  int          producer_fd;
  guint32      node_id;
};

/* Runs in the child before exec: the daemon and the linking die with the
 * test, so that an aborted test leaves nothing behind that holds its
 * output open (the engine tests link no test-server library, which has
 * the same). */
static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
make_launcher (McTestPipeWire  *self,
               GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);

  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", self->runtime_dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "PIPEWIRE_REMOTE");
  g_subprocess_launcher_unsetenv (launcher, "PIPEWIRE_RUNTIME_DIR");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  return launcher;
}

static gboolean
wait_until (gboolean (*condition) (McTestPipeWire *self),
            McTestPipeWire *self)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;

  while (!condition (self))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }
  return TRUE;
}

static gboolean
socket_ready (McTestPipeWire *self)
{
  return g_file_test (self->socket_path, G_FILE_TEST_EXISTS);
}

/* The producer's node, from pw-dump's JSON: its id once it is there. */
static gboolean
node_found (McTestPipeWire *self)
{
  g_autoptr (GSubprocessLauncher) launcher = make_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GSubprocess)         dump = NULL;
  g_autoptr (JsonParser)          parser = json_parser_new ();
  g_autofree char                *out = NULL;
  JsonArray                      *objects;

  dump = g_subprocess_launcher_spawn (launcher, NULL, "pw-dump", NULL);
  if (dump == NULL || !g_subprocess_communicate_utf8 (dump, NULL, NULL, &out, NULL, NULL) ||
      out == NULL ||
      /* json-glib 1.6 leaks an object's member when a name comes twice, as
       * pw-dump's output of a daemon at work can have: parse only once the
       * node is there. */
      strstr (out, NODE_NAME) == NULL || !json_parser_load_from_data (parser, out, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return FALSE;

  objects = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      JsonObject *object = json_array_get_object_element (objects, i);
      JsonObject *info, *props;

      if (object == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""),
                     "PipeWire:Interface:Node") != 0 ||
          (info = json_object_get_object_member (object, "info")) == NULL ||
          !json_object_has_member (info, "props") ||
          (props = json_object_get_object_member (info, "props")) == NULL)
        continue;
      if (g_strcmp0 (json_object_get_string_member_with_default (props, "node.name", ""),
                     NODE_NAME) == 0)
        {
          self->node_id = json_object_get_int_member (object, "id");
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
node_gone (McTestPipeWire *self)
{
  return !node_found (self);
}

/**
 * mc_test_pipewire_start_stream:
 * @self: a daemon
 * @error: why not
 *
 * Starts the screen's stream (again): a live picture into a new node that
 * offers it, as a compositor's screen-cast stream does. A compositor makes
 * a node for each screen-cast session; so does this.
 *
 * Returns: %TRUE once the node is on the daemon
 */
gboolean
mc_test_pipewire_start_stream (McTestPipeWire *self,
                               GError        **error)
{
  g_autofree char       *description = NULL;
  g_autoptr (GstElement) sink = NULL;

  /* The last stream's node first goes, so that its id is not taken for
   * the new one's. */
  mc_test_pipewire_stop_stream (self);
  if (!wait_until (node_gone, self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "The screen's last node stayed on the PipeWire daemon");
      return FALSE;
    }

  description = g_strdup_printf ("videotestsrc is-live=true pattern=%s ! "
                                 "video/x-raw,format=BGRx,width=%d,height=%d,framerate=15/1 ! "
                                 "pipewiresink name=sink mode=provide client-name=" NODE_NAME " "
                                 "stream-properties=\"props,media.class=Video/Source,"
                                 "node.name=" NODE_NAME "\"",
                                 self->pattern, WIDTH, HEIGHT);
  self->producer = gst_parse_launch (description, error);
  if (self->producer == NULL)
    {
      if (error != NULL && g_error_matches (*error, GST_PARSE_ERROR, GST_PARSE_ERROR_NO_SUCH_ELEMENT))
        {
          g_clear_error (error);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "pipewiresink is missing (package gstreamer1.0-pipewire)");
        }
      return FALSE;
    }
  gst_object_ref_sink (self->producer);
  self->producer_fd = mc_test_pipewire_connect (self, error);
  if (self->producer_fd < 0)
    return FALSE;
  sink = gst_bin_get_by_name (GST_BIN (self->producer), "sink");
  g_object_set (sink, "fd", self->producer_fd, NULL);

  self->node_id = 0;
  if (gst_element_set_state (self->producer, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The screen's pipewiresink did not start");
      return FALSE;
    }
  if (!wait_until (node_found, self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "The screen's node did not appear on the PipeWire daemon");
      return FALSE;
    }
  return TRUE;
}

/**
 * mc_test_pipewire_start:
 * @pattern: (nullable): the videotestsrc pattern the "screen" shows, such
 *   as "white"; %NULL for no screen of the test's own (a compositor's comes,
 *   see mc_test_pipewire_link())
 * @error: why not
 *
 * Starts the daemon, the screen's node and the linking. Fails with
 * %G_IO_ERROR_NOT_FOUND when the pipewire programs or elements are not
 * installed (the caller may skip), with another error when they do not work.
 *
 * Returns: (transfer full) (nullable): the daemon, or %NULL
 */
McTestPipeWire *
mc_test_pipewire_start (const char *pattern,
                        GError    **error)
{
  g_autoptr (McTestPipeWire)      self = g_new0 (McTestPipeWire, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char                *config = NULL;
  static const char * const       programs[] = { "pipewire", "pw-link", "pw-dump" };

  self->producer_fd = -1;
  self->pattern = g_strdup (pattern);

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *path = g_find_program_in_path (programs[i]);

      if (path == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "%s is missing (package pipewire-bin)", programs[i]);
          return NULL;
        }
    }

  self->runtime_dir = g_dir_make_tmp ("mc-test-pipewire-XXXXXX", error);
  if (self->runtime_dir == NULL)
    return NULL;
  self->socket_path = g_build_filename (self->runtime_dir, "pipewire-0", NULL);

  config = g_test_build_filename (G_TEST_DIST, "engine", "pipewire-test.conf", NULL);
  launcher = make_launcher (self, G_SUBPROCESS_FLAGS_NONE);
  self->daemon = g_subprocess_launcher_spawn (launcher, error, "pipewire", "-c", config, NULL);
  if (self->daemon == NULL)
    return NULL;
  if (!wait_until (socket_ready, self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "PipeWire made no socket at %s",
                   self->socket_path);
      return NULL;
    }

  if (pattern == NULL)
    {
      g_test_message ("PipeWire in %s", self->runtime_dir);
      return g_steal_pointer (&self);
    }

  if (!mc_test_pipewire_start_stream (self, error) ||
      !mc_test_pipewire_link (self, NODE_NAME ":out_0", error))
    return NULL;

  g_test_message ("PipeWire in %s: the screen is node %u", self->runtime_dir, self->node_id);
  return g_steal_pointer (&self);
}

/**
 * mc_test_pipewire_link:
 * @self: a daemon
 * @output_port: a port, as pw-link names it ("NODE:out_0")
 * @error: why not
 *
 * Does the session manager's part (tests/engine/pw-link-screen.sh): links
 * @output_port to every input port that appears, until the daemon stops.
 *
 * Returns: %TRUE if the linking runs
 */
gboolean
mc_test_pipewire_link (McTestPipeWire *self,
                       const char     *output_port,
                       GError        **error)
{
  g_autoptr (GSubprocessLauncher) launcher = make_launcher (self, G_SUBPROCESS_FLAGS_NONE);
  g_autofree char                *linker = NULL;

  g_return_val_if_fail (self->linker == NULL, FALSE);

  linker = g_test_build_filename (G_TEST_DIST, "engine", "pw-link-screen.sh", NULL);
  self->linker = g_subprocess_launcher_spawn (launcher, error, "/bin/sh", linker, output_port,
                                              NULL);
  return self->linker != NULL;
}

/**
 * mc_test_pipewire_get_runtime_dir:
 * @self: a daemon
 *
 * Returns: the XDG_RUNTIME_DIR its socket is in, for a compositor to use
 */
const char *
mc_test_pipewire_get_runtime_dir (McTestPipeWire *self)
{
  return self->runtime_dir;
}

/**
 * mc_test_pipewire_connect:
 * @self: a daemon
 * @error: why not
 *
 * Returns: a new connection to the daemon (the caller closes it), or -1
 */
int
mc_test_pipewire_connect (McTestPipeWire *self,
                          GError        **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int                fd;

  g_strlcpy (address.sun_path, self->socket_path, sizeof address.sun_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot connect to %s: %s", self->socket_path, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

/**
 * mc_test_pipewire_get_socket_path:
 * @self: a daemon
 *
 * Returns: where its socket is, for the mock portal to connect to
 */
const char *
mc_test_pipewire_get_socket_path (McTestPipeWire *self)
{
  return self->socket_path;
}

guint32
mc_test_pipewire_get_node_id (McTestPipeWire *self)
{
  return self->node_id;
}

void
mc_test_pipewire_get_size (McTestPipeWire *self,
                           guint          *width,
                           guint          *height)
{
  *width = WIDTH;
  *height = HEIGHT;
}

/**
 * mc_test_pipewire_stop_stream:
 * @self: a daemon
 *
 * Ends the screen's stream, as a compositor does when the shared window
 * closes: its node goes away.
 */
void
mc_test_pipewire_stop_stream (McTestPipeWire *self)
{
  if (self->producer != NULL)
    {
      gst_element_set_state (self->producer, GST_STATE_NULL);
      gst_clear_object (&self->producer);
    }
  if (self->producer_fd >= 0)
    {
      close (self->producer_fd);
      self->producer_fd = -1;
    }
}

static void
stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

void
mc_test_pipewire_free (McTestPipeWire *self)
{
  mc_test_pipewire_stop_stream (self);
  stop_process (self->linker);
  g_clear_object (&self->linker);
  stop_process (self->daemon);
  g_clear_object (&self->daemon);
  if (self->socket_path != NULL)
    {
      g_autofree char *lock = g_strconcat (self->socket_path, ".lock", NULL);

      g_unlink (self->socket_path);
      g_unlink (lock);
    }
  if (self->runtime_dir != NULL && g_rmdir (self->runtime_dir) != 0)
    g_test_message ("Left %s behind: %s", self->runtime_dir, g_strerror (errno));
  g_free (self->socket_path);
  g_free (self->runtime_dir);
  g_free (self->pattern);
  g_free (self);
}
