/* mc-call-window-screen.c — how a call window shares the screen
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two ways, chosen once when the window is made:
 *
 * - X11: the session's X11 screen, read by the engine (ximagesrc). Pressing
 *   Share Screen shares it at once.
 * - The desktop portal (org.freedesktop.portal.ScreenCast): on Wayland and
 *   in the Flatpak, where an application cannot read the screen. Pressing
 *   Share Screen opens the desktop's dialog (parented to this window);
 *   sharing starts when the user picks a monitor or a window, and the
 *   engine captures the PipeWire stream the portal granted. The portal's
 *   restore token is kept in GSettings (screen-cast-restore-token), so
 *   that the next lesson shares the same thing without the dialog;
 *   Preferences can forget it.
 *
 * The button is sensitive wherever either way works, checked without
 * blocking: X11 first, then the portal on the session bus. The environment
 * variable MENTORCALL_SCREEN_SHARE=portal or =x11 forces one (the tests
 * use it under Xvfb, and a user can when both work and one misbehaves).
 *
 * Whichever way, sharing goes back to the camera with a message when the
 * user cancels the dialog, when the desktop's own "stop sharing" closes
 * the portal's session, and when the stream ends.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#if HAVE_LIBPORTAL
#include <libportal-gtk4/portal-gtk4.h>
#endif

#include "mc-call-window-internal.h"

#define RESTORE_TOKEN_KEY "screen-cast-restore-token"

typedef struct
{
  McCallWindow *self;
  gpointer      parent; /* XdpParent, for the dialog */
} Start;

static void
start_free (Start *start)
{
#if HAVE_LIBPORTAL
  g_clear_pointer (&start->parent, xdp_parent_free);
#endif
  g_object_unref (start->self);
  g_free (start);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Start, start_free)

/* The desktop's own "stop sharing" (GNOME's top bar) closed the session. */
static void
screen_cast_closed_cb (McScreenCast *cast,
                       McCallWindow *self)
{
  if (!self->screen_sharing)
    return;

  mc_call_window_set_screen_sharing (self, FALSE);
  mc_call_window_toast (self, _ ("Screen sharing stopped from the desktop"));
}

static void
screen_cast_started_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr (Start)  start = user_data;
  McCallWindow      *self = start->self;
  McScreenCast      *cast = MC_SCREEN_CAST (object);
  g_autoptr (GError) error = NULL;
  const char        *token;

  self->screen_cast_starting = FALSE;

  if (!mc_screen_cast_start_finish (cast, result, &error))
    {
      g_autofree char *message = NULL;

      /* The window went while the dialog was up: nothing to say. */
      if (g_cancellable_is_cancelled (self->cancellable))
        return;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = g_strdup (_ ("Nothing is shared: the choice of screen was cancelled"));
      else
        /* Translators: %s says why, such as "The desktop portal granted no screen or window" */
        message = g_strdup_printf (_ ("Cannot share the screen: %s"), error->message);
      mc_call_window_toast (self, message);
      return;
    }

  /* Shared again without asking in the next lesson, until forgotten. */
  token = mc_screen_cast_get_restore_token (cast);
  if (token != NULL)
    g_settings_set_string (self->settings, RESTORE_TOKEN_KEY, token);

  mc_call_window_set_screen_sharing (self, TRUE);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (McCallWindow) self = user_data;
  g_autoptr (GError)       error = NULL;

  if (!mc_screen_cast_check_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("No screen sharing through the desktop portal: %s", error->message);
      /* Where X11 cannot work at all, why the portal cannot either is what
       * the user can act on. */
      if (self->screen_x11_unsupported)
        gtk_widget_set_tooltip_text (self->share_button, error->message);
      return;
    }

  self->screen_mode = MC_SCREEN_SHARE_PORTAL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.share-screen", TRUE);
  gtk_widget_set_tooltip_text (self->share_button, _ ("Share Screen (Ctrl+Shift+S)"));
}

/**
 * mc_call_window_init_screen_share:
 * @self: a call window being made
 *
 * Chooses how the window shares the screen, and leaves the button
 * insensitive, its tooltip saying why, until one way is known to work.
 */
void
mc_call_window_init_screen_share (McCallWindow *self)
{
  const char        *forced = g_getenv ("MENTORCALL_SCREEN_SHARE");
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (forced, "portal") != 0 && mc_call_session_can_share_screen (&error))
    {
      self->screen_mode = MC_SCREEN_SHARE_X11;
      return;
    }

  self->screen_mode = MC_SCREEN_SHARE_NONE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.share-screen", FALSE);
  if (error != NULL)
    {
      self->screen_x11_unsupported = g_error_matches (error, MC_CALL_ERROR,
                                                      MC_CALL_ERROR_NOT_SUPPORTED);
      gtk_widget_set_tooltip_text (self->share_button, error->message);
    }
  else
    self->screen_x11_unsupported = TRUE;

  if (g_strcmp0 (forced, "x11") != 0)
    mc_screen_cast_check_async (self->cancellable, check_cb, g_object_ref (self));
}

/**
 * mc_call_window_ask_portal:
 * @self: a call window
 *
 * Where the portal shares the screen and nothing is granted yet, opens its
 * dialog; sharing starts when the user has chosen
 * (mc_call_window_set_screen_sharing() again).
 *
 * Returns: %TRUE if the dialog is (or already was) open: sharing has not
 *   started yet
 */
gboolean
mc_call_window_ask_portal (McCallWindow *self)
{
  g_autofree char *token = NULL;
  Start           *start;

  if (self->screen_mode != MC_SCREEN_SHARE_PORTAL)
    return FALSE;
  if (self->screen_cast != NULL && mc_screen_cast_get_active (self->screen_cast))
    return FALSE;
  if (self->screen_cast_starting)
    return TRUE;

  if (self->screen_cast == NULL)
    {
      self->screen_cast = mc_screen_cast_new ();
      g_signal_connect (self->screen_cast, "closed", G_CALLBACK (screen_cast_closed_cb), self);
    }

  start = g_new0 (Start, 1);
  start->self = g_object_ref (self);
#if HAVE_LIBPORTAL
  start->parent = xdp_parent_new_gtk (GTK_WINDOW (self));
#endif
  token = g_settings_get_string (self->settings, RESTORE_TOKEN_KEY);
  self->screen_cast_starting = TRUE;
  mc_screen_cast_start_async (self->screen_cast, start->parent, token, self->cancellable,
                              screen_cast_started_cb, start);
  return TRUE;
}

/**
 * mc_call_window_apply_screen_share:
 * @self: a call window
 * @session: its call's session
 * @sharing: whether to send the screen
 * @error: return location for why not
 *
 * Tells the session to send the screen (the portal's stream when one is
 * granted, else the X11 screen) or the camera again.
 *
 * Returns: %TRUE on success
 */
gboolean
mc_call_window_apply_screen_share (McCallWindow  *self,
                                   McCallSession *session,
                                   gboolean       sharing,
                                   GError       **error)
{
  if (sharing && self->screen_cast != NULL && mc_screen_cast_get_active (self->screen_cast))
    {
      guint width, height;

      mc_screen_cast_get_size (self->screen_cast, &width, &height);
      return mc_call_session_share_pipewire (session, mc_screen_cast_get_fd (self->screen_cast),
                                             mc_screen_cast_get_node_id (self->screen_cast),
                                             width, height, error);
    }

  return mc_call_session_set_screen_share (session, sharing, error);
}

/**
 * mc_call_window_release_screen_cast:
 * @self: a call window
 *
 * Closes the portal's session, if one is open (the engine has stopped
 * capturing it). The restore token stays.
 */
void
mc_call_window_release_screen_cast (McCallWindow *self)
{
  if (self->screen_cast != NULL)
    mc_screen_cast_stop (self->screen_cast);
}

/**
 * mc_call_window_dispose_screen_share:
 * @self: a call window going away
 */
void
mc_call_window_dispose_screen_share (McCallWindow *self)
{
  if (self->screen_cast == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->screen_cast, self);
  mc_call_window_release_screen_cast (self);
  g_clear_object (&self->screen_cast);
}
