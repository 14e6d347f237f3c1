/* mc-screen-cast.c — a screen or window shared through the desktop portal
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On Wayland, and in the Flatpak everywhere, an application cannot read the
 * screen: it asks the desktop portal (org.freedesktop.portal.ScreenCast),
 * whose dialog lets the user pick a monitor or a window, and gets a PipeWire
 * remote (a file descriptor) with the granted stream's node on it. This
 * object does that with libportal: a session offering monitors and windows
 * with the cursor embedded in the picture, started with the call window as
 * the dialog's parent, and persistent, so that the portal returns a restore
 * token with which the next lesson can share the same thing without the
 * dialog (the client keeps it in GSettings). The stream itself is captured
 * by the media pipeline (mc_media_pipeline_share_pipewire()).
 *
 * The session ends when the user stops sharing (mc_screen_cast_stop()), or
 * when the desktop closes it (GNOME's "stop sharing" in the top bar):
 * ::closed then says so. Built without libportal, every start fails with
 * %MC_CALL_ERROR_NOT_SUPPORTED.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#if HAVE_LIBPORTAL
#include <libportal/portal.h>
#endif

#include "mc-call-error.h"
#include "mc-media-pipeline.h"
#include "mc-screen-cast.h"

#define PORTAL_BUS_NAME    "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define SCREEN_CAST_IFACE  "org.freedesktop.portal.ScreenCast"

struct _McScreenCast
{
  GObject parent_instance;

#if HAVE_LIBPORTAL
  XdpPortal  *portal;
  XdpSession *session;
#endif
  gboolean starting;
  int      fd;
  guint32  node_id;
  guint    width;
  guint    height;
  char    *restore_token;
};

G_DEFINE_FINAL_TYPE (McScreenCast, mc_screen_cast, G_TYPE_OBJECT)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static void
clear_session (McScreenCast *self)
{
#if HAVE_LIBPORTAL
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      if (xdp_session_get_session_state (self->session) == XDP_SESSION_ACTIVE)
        xdp_session_close (self->session);
      g_clear_object (&self->session);
    }
#endif
  if (self->fd >= 0)
    {
      g_close (self->fd, NULL);
      self->fd = -1;
    }
  self->node_id = 0;
  self->width = self->height = 0;
}

#if HAVE_LIBPORTAL

/* The first stream of the session's "streams" (a(ua{sv})): its node and,
 * if the portal says, its size. */
static gboolean
read_stream (McScreenCast *self,
             GError      **error)
{
  g_autoptr (GVariant) streams = xdp_session_get_streams (self->session);
  g_autoptr (GVariant) properties = NULL;
  guint32              node_id;
  int                  width, height;

  if (streams == NULL || !g_variant_is_of_type (streams, G_VARIANT_TYPE ("a(ua{sv})")) ||
      g_variant_n_children (streams) == 0)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                           _ ("The desktop portal granted no screen or window"));
      return FALSE;
    }

  g_variant_get_child (streams, 0, "(u@a{sv})", &node_id, &properties);
  self->node_id = node_id;
  if (g_variant_lookup (properties, "size", "(ii)", &width, &height) && width > 0 && height > 0)
    {
      self->width = (guint) width;
      self->height = (guint) height;
    }

  return TRUE;
}

/* Callbacks */

static void
session_closed_cb (XdpSession   *session,
                   McScreenCast *self)
{
  g_message ("The desktop closed the screen cast session");
  clear_session (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
session_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  McScreenCast      *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autofree char   *token = NULL;

  self->starting = FALSE;
  if (!xdp_session_start_finish (XDP_SESSION (object), result, &error))
    {
      clear_session (self);
      /* The user cancelled the dialog: libportal says G_IO_ERROR_CANCELLED. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!read_stream (self, &error))
    {
      clear_session (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->fd = xdp_session_open_pipewire_remote (self->session);
  if (self->fd < 0)
    {
      clear_session (self);
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, "%s",
                               _ ("The desktop portal gave no PipeWire connection"));
      return;
    }

  token = xdp_session_get_restore_token (self->session);
  if (token != NULL)
    {
      g_free (self->restore_token);
      self->restore_token = g_steal_pointer (&token);
    }

  g_signal_connect (self->session, "closed", G_CALLBACK (session_closed_cb), self);
  g_debug ("Screen cast: node %u, %ux%u, fd %d", self->node_id, self->width, self->height,
           self->fd);
  g_task_return_boolean (task, TRUE);
}

static void
session_created_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  McScreenCast      *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  self->session = xdp_portal_create_screencast_session_finish (XDP_PORTAL (object), result,
                                                               &error);
  if (self->session == NULL)
    {
      self->starting = FALSE;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  xdp_session_start (self->session, g_task_get_task_data (task), g_task_get_cancellable (task),
                     session_started_cb, g_object_ref (task));
}

#endif /* HAVE_LIBPORTAL */

static void
proxy_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask)      task = user_data;
  g_autoptr (GError)     error = NULL;
  g_autoptr (GDBusProxy) proxy = g_dbus_proxy_new_for_bus_finish (result, &error);
  g_autoptr (GVariant)   version = NULL;

  if (proxy != NULL)
    version = g_dbus_proxy_get_cached_property (proxy, "version");

  if (version == NULL)
    {
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED, "%s",
                               _ ("The desktop has no screen sharing portal (xdg-desktop-portal "
                                  "with a ScreenCast backend)"));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/* GObject */

static void
mc_screen_cast_dispose (GObject *object)
{
  McScreenCast *self = MC_SCREEN_CAST (object);

  clear_session (self);
#if HAVE_LIBPORTAL
  g_clear_object (&self->portal);
#endif

  G_OBJECT_CLASS (mc_screen_cast_parent_class)->dispose (object);
}

static void
mc_screen_cast_finalize (GObject *object)
{
  McScreenCast *self = MC_SCREEN_CAST (object);

  g_free (self->restore_token);

  G_OBJECT_CLASS (mc_screen_cast_parent_class)->finalize (object);
}

static void
mc_screen_cast_class_init (McScreenCastClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_screen_cast_dispose;
  object_class->finalize = mc_screen_cast_finalize;

  /**
   * McScreenCast::closed:
   * @self: the screen cast
   *
   * The desktop closed the session (the user stopped sharing from the
   * desktop's own control, or the portal went away): the stream stops.
   */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mc_screen_cast_init (McScreenCast *self)
{
  self->fd = -1;
}

/* Public API */

/**
 * mc_screen_cast_check_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when known
 * @user_data: for @callback
 *
 * Finds out whether screen sharing through the portal can work here: built
 * with libportal, the pipewiresrc element installed, and a desktop portal
 * with the ScreenCast interface on the session bus (which starts it if it
 * is activatable).
 */
void
mc_screen_cast_check_async (GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask)  task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, mc_screen_cast_check_async);

#if !HAVE_LIBPORTAL
  g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED, "%s",
                           _ ("This build cannot share the screen through the desktop portal "
                              "(it was built without libportal)"));
  return;
#endif

  if (!mc_media_pipeline_can_share_pipewire (&error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_dbus_proxy_new_for_bus (G_BUS_TYPE_SESSION, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, NULL,
                            PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, SCREEN_CAST_IFACE, cancellable,
                            proxy_ready_cb, g_steal_pointer (&task));
}

/**
 * mc_screen_cast_check_finish:
 * @result: the result
 * @error: return location for why not, a sentence for the user
 *
 * Returns: %TRUE if mc_screen_cast_start_async() can work
 */
gboolean
mc_screen_cast_check_finish (GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_screen_cast_new:
 *
 * Returns: (transfer full): a screen cast, not started
 */
McScreenCast *
mc_screen_cast_new (void)
{
  return g_object_new (MC_TYPE_SCREEN_CAST, NULL);
}

/**
 * mc_screen_cast_start_async:
 * @self: a screen cast, not started
 * @parent: (nullable): the dialog's parent, an XdpParent (libportal-gtk4's
 *   xdp_parent_new_gtk()), kept until the start is over
 * @restore_token: (nullable): a token an earlier start returned, to share
 *   the same screen or window again without the dialog
 * @cancellable: (nullable): a cancellable
 * @callback: called when the user chose, or cancelled
 * @user_data: for @callback
 *
 * Asks the portal for a monitor or a window, cursor embedded. The user
 * cancelling the dialog fails with %G_IO_ERROR_CANCELLED.
 */
void
mc_screen_cast_start_async (McScreenCast       *self,
                            gpointer            parent,
                            const char         *restore_token,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (MC_IS_SCREEN_CAST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_screen_cast_start_async);

#if HAVE_LIBPORTAL
  if (self->starting || self->session != NULL)
    {
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                               "The screen cast is started already");
      return;
    }

  if (self->portal == NULL)
    self->portal = xdp_portal_new ();
  self->starting = TRUE;
  g_task_set_task_data (task, parent, NULL);
  xdp_portal_create_screencast_session (self->portal, XDP_OUTPUT_MONITOR | XDP_OUTPUT_WINDOW,
                                        XDP_SCREENCAST_FLAG_NONE, XDP_CURSOR_MODE_EMBEDDED,
                                        XDP_PERSIST_MODE_PERSISTENT,
                                        restore_token != NULL && *restore_token != '\0'
                                          ? restore_token
                                          : NULL,
                                        cancellable, session_created_cb, g_steal_pointer (&task));
#else
  g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED, "%s",
                           _ ("This build cannot share the screen through the desktop portal "
                              "(it was built without libportal)"));
#endif
}

/**
 * mc_screen_cast_start_finish:
 * @self: a screen cast
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if a stream was granted: its fd, node and size are there
 */
gboolean
mc_screen_cast_start_finish (McScreenCast *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_screen_cast_stop:
 * @self: a screen cast
 *
 * Closes the portal's session and the PipeWire connection (stop the
 * pipeline's capture first). The restore token stays.
 */
void
mc_screen_cast_stop (McScreenCast *self)
{
  g_return_if_fail (MC_IS_SCREEN_CAST (self));

  clear_session (self);
}

/**
 * mc_screen_cast_get_active:
 * @self: a screen cast
 *
 * Returns: whether a stream is granted and its session open
 */
gboolean
mc_screen_cast_get_active (McScreenCast *self)
{
  g_return_val_if_fail (MC_IS_SCREEN_CAST (self), FALSE);

  return self->fd >= 0;
}

/**
 * mc_screen_cast_get_fd:
 * @self: a started screen cast
 *
 * Returns: the PipeWire remote, owned by @self, or -1
 */
int
mc_screen_cast_get_fd (McScreenCast *self)
{
  g_return_val_if_fail (MC_IS_SCREEN_CAST (self), -1);

  return self->fd;
}

/**
 * mc_screen_cast_get_node_id:
 * @self: a started screen cast
 *
 * Returns: the granted stream's PipeWire node
 */
guint32
mc_screen_cast_get_node_id (McScreenCast *self)
{
  g_return_val_if_fail (MC_IS_SCREEN_CAST (self), 0);

  return self->node_id;
}

/**
 * mc_screen_cast_get_size:
 * @self: a started screen cast
 * @width: (out): the stream's width, or 0 if the portal did not say
 * @height: (out): its height, or 0
 */
void
mc_screen_cast_get_size (McScreenCast *self,
                         guint        *width,
                         guint        *height)
{
  g_return_if_fail (MC_IS_SCREEN_CAST (self));

  *width = self->width;
  *height = self->height;
}

/**
 * mc_screen_cast_get_restore_token:
 * @self: a screen cast
 *
 * Returns: (nullable): the token the portal gave with the last grant, to
 *   pass to the next start
 */
const char *
mc_screen_cast_get_restore_token (McScreenCast *self)
{
  g_return_val_if_fail (MC_IS_SCREEN_CAST (self), NULL);

  return self->restore_token;
}
