/* mc-call-window-status.c — what the call window says about the call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-call-window.c for the window. Here: the other side's name and
 * status in the middle of the picture, the notices when they leave or come
 * back, the connection's state in the top bar, and the lesson's clock
 * (the network's quality: mc-call-window-network.c).
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-call-window-internal.h"
#include "mc-format.h"
#include "mc-protocol.h"

const char *
mc_call_window_peer_name (McCallWindow *self)
{
  JsonObject *other = json_object_get_object_member (self->booking, "other");

  return other ? json_object_get_string_member (other, "display_name") : _ ("The other participant");
}

McCallSession *
mc_call_window_get_session (McCallWindow *self)
{
  return self->controller ? mc_call_controller_get_session (self->controller) : NULL;
}

void
mc_call_window_update_peer_status (McCallWindow *self)
{
  McCallSession     *session = mc_call_window_get_session (self);
  McCallSessionState state = session ? mc_call_session_get_state (session)
                                     : MC_CALL_SESSION_STATE_PREPARING;
  gboolean           camera_off = session && mc_call_session_get_remote_camera_off (session);
  gboolean           muted = session && mc_call_session_get_remote_muted (session);
  gboolean           screen = session && mc_call_session_get_remote_screen_sharing (session);
  gboolean           picture = !camera_off && state != MC_CALL_SESSION_STATE_WAITING;
  g_autofree char   *text = NULL;

  if (state == MC_CALL_SESSION_STATE_WAITING && self->notice != NULL)
    text = g_strdup (self->notice);
  else if (state == MC_CALL_SESSION_STATE_WAITING || state == MC_CALL_SESSION_STATE_PREPARING ||
           state == MC_CALL_SESSION_STATE_IDLE)
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("Waiting for %s…"), mc_call_window_peer_name (self));
  else if (camera_off)
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("%s's camera is off"), mc_call_window_peer_name (self));
  else if (state == MC_CALL_SESSION_STATE_CONNECTING &&
           !mc_video_paintable_get_has_image (self->remote_paintable))
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("Connecting to %s…"), mc_call_window_peer_name (self));

  gtk_widget_set_visible (self->peer_status, text != NULL);
  gtk_label_set_label (self->peer_status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->remote_picture), picture);
  gtk_widget_set_visible (GTK_WIDGET (self->peer_muted_image), muted);

  /* A shared screen is shown whole, letterboxed, whatever the window's
   * shape and whatever the camera's picture does: text cut off at the edges
   * would be lost. */
  gtk_picture_set_content_fit (self->remote_picture,
                               screen ? GTK_CONTENT_FIT_CONTAIN : self->camera_fit);
  gtk_widget_set_visible (self->screen_notice, screen && picture);
  if (screen)
    {
      g_autofree char *notice = NULL;

      /* Translators: %s is the other participant */
      notice = g_strdup_printf (_ ("%s is sharing their screen"), mc_call_window_peer_name (self));
      gtk_label_set_label (self->screen_notice_label, notice);
    }
}

void
mc_call_window_session_state_cb (McCallSession *session,
                                 GParamSpec    *pspec,
                                 McCallWindow  *self)
{
  McCallSessionState state = mc_call_session_get_state (session);
  const char        *text;

  switch (state)
    {
    case MC_CALL_SESSION_STATE_IDLE:
    case MC_CALL_SESSION_STATE_PREPARING:
      text = _ ("Starting");
      break;
    case MC_CALL_SESSION_STATE_WAITING:
      text = _ ("Waiting");
      break;
    case MC_CALL_SESSION_STATE_CONNECTING:
      text = _ ("Connecting");
      break;
    case MC_CALL_SESSION_STATE_CONNECTED:
      text = _ ("Connected");
      break;
    case MC_CALL_SESSION_STATE_RECONNECTING:
      text = _ ("Reconnecting");
      break;
    case MC_CALL_SESSION_STATE_ENDED:
      text = _ ("Ended");
      break;
    case MC_CALL_SESSION_STATE_FAILED:
    default:
      text = _ ("Failed");
      break;
    }

  gtk_label_set_label (self->connection_label, text);
  gtk_widget_set_visible (self->reconnecting_box, state == MC_CALL_SESSION_STATE_RECONNECTING);

  if (state == MC_CALL_SESSION_STATE_WAITING)
    mc_video_paintable_clear (self->remote_paintable);

  if (state == MC_CALL_SESSION_STATE_FAILED)
    {
      const GError    *error = mc_call_session_get_error (session);
      g_autofree char *message = g_strdup_printf (_ ("The call failed: %s"),
                                                  error ? error->message : _ ("unknown error"));

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }

  mc_call_window_update_peer_status (self);
}

void
mc_call_window_session_remote_media_cb (McCallSession *session,
                                        GParamSpec    *pspec,
                                        McCallWindow  *self)
{
  mc_call_window_update_peer_status (self);
}

void
mc_call_window_toast (McCallWindow *self,
                      const char   *message)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

gint64
mc_call_window_peer_id (McCallWindow *self)
{
  JsonObject *other = json_object_get_object_member (self->booking, "other");

  return other ? json_object_get_int_member (other, "id") : 0;
}

static void
set_notice (McCallWindow *self,
            const char   *notice)
{
  g_free (self->notice);
  self->notice = g_strdup (notice);
  mc_call_window_update_peer_status (self);
}

void
mc_call_window_peer_left_cb (McSignalingClient *signaling,
                             gint64             booking_id,
                             gint64             user_id,
                             McLeaveReason      reason,
                             McCallWindow      *self)
{
  g_autofree char *message = NULL;

  if (booking_id != mc_call_window_get_booking_id (self))
    return;

  if (reason == MC_LEAVE_REASON_LEFT)
    {
      /* Translators: %s is the other participant, who closed their call window */
      message = g_strdup_printf (_ ("%s left the call — the lesson goes on"), mc_call_window_peer_name (self));
      set_notice (self, message);
      /* The middle of the picture says it; a toast would cover the controls. */
      return;
    }
  else if (reason == MC_LEAVE_REASON_CONNECTION_LOST)
    /* Translators: %s is the other participant */
    message = g_strdup_printf (_ ("%s lost the connection; they may be back in a moment"),
                               mc_call_window_peer_name (self));

  if (message != NULL)
    mc_call_window_toast (self, message);
}

void
mc_call_window_peer_joined_cb (McSignalingClient *signaling,
                               gint64             booking_id,
                               JsonObject        *user,
                               gboolean           muted,
                               gboolean           camera_off,
                               const char        *instance,
                               McCallWindow      *self)
{
  g_autofree char *message = NULL;

  if (booking_id != mc_call_window_get_booking_id (self) || self->notice == NULL)
    return;

  /* Translators: %s is the other participant, back after leaving */
  message = g_strdup_printf (_ ("%s is back in the call"), mc_call_window_peer_name (self));
  set_notice (self, NULL);
  mc_call_window_toast (self, message);
}

gboolean
mc_call_window_clock_cb (gpointer user_data)
{
  McCallWindow    *self = user_data;
  gint64           start = 0, end = 0, now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *left = NULL;
  g_autofree char *text = NULL;

  mc_json_parse_time (json_object_get_string_member (self->booking, "start"), &start);
  mc_json_parse_time (json_object_get_string_member (self->booking, "end"), &end);
  /* Early, the time left would count to the end and read as the lesson's
   * length: say when it starts instead. */
  if (start > now)
    {
      left = mc_format_duration (start - now);
      /* Translators: %s is a duration, such as "12 minutes" */
      text = g_strdup_printf (_ ("Starts in %s"), left);
    }
  else if (end > now)
    {
      left = mc_format_duration (end - now);
      /* Translators: %s is a duration, such as "12 minutes" */
      text = g_strdup_printf (_ ("%s left"), left);
    }
  else
    {
      left = mc_format_duration (now - end);
      /* Translators: %s is a duration, such as "3 minutes" */
      text = g_strdup_printf (_ ("%s over time"), left);
    }

  gtk_label_set_label (self->time_label, text);

  return G_SOURCE_CONTINUE;
}
