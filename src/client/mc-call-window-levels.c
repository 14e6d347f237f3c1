/* mc-call-window-levels.c — who is speaking in a call window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-call-window.c for the window. The engine's audio levels light up
 * the other side's name while they speak, and tell someone who speaks while
 * muted that they are muted.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-call-window-internal.h"

void
mc_call_window_set_speaking_while_muted (McCallWindow *self,
                                         gboolean      speaking)
{
  gtk_label_set_label (self->self_muted_label, speaking ? _ ("You are muted") : _ ("Muted"));
  if (speaking)
    gtk_widget_add_css_class (self->self_muted_mark, "speaking");
  else
    gtk_widget_remove_css_class (self->self_muted_mark, "speaking");
}

static gboolean
speaking_timeout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;

  self->speaking_id = 0;
  mc_call_window_set_speaking_while_muted (self, FALSE);

  return G_SOURCE_REMOVE;
}

/* Someone who talks while muted is told so on their own picture, where
 * they look anyway; the other side hears nothing either way. */
void
mc_call_window_input_level_cb (McCallSession *session,
                               double         level,
                               McCallWindow  *self)
{
  if (!self->muted || level < SPEAKING_LEVEL)
    {
      self->loud_readings = 0;
      return;
    }

  if (++self->loud_readings < SPEAKING_READINGS)
    return;

  mc_call_window_set_speaking_while_muted (self, TRUE);
  g_clear_handle_id (&self->speaking_id, g_source_remove);
  self->speaking_id = g_timeout_add_seconds (SPEAKING_HOLD_SECONDS, speaking_timeout_cb, self);
}

static void
set_peer_speaking (McCallWindow *self,
                   gboolean      speaking)
{
  gtk_widget_set_visible (self->peer_speaking_image, speaking);
  if (speaking)
    gtk_widget_add_css_class (self->peer_bar, "speaking");
  else
    gtk_widget_remove_css_class (self->peer_bar, "speaking");
}

static gboolean
peer_speaking_timeout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;

  self->peer_speaking_id = 0;
  set_peer_speaking (self, FALSE);

  return G_SOURCE_REMOVE;
}

/* The other side's name lights up while they speak: who is talking is
 * not always clear from a small or frozen picture. */
void
mc_call_window_output_level_cb (McCallSession *session,
                                double         level,
                                McCallWindow  *self)
{
  if (level < PEER_SPEAKING_LEVEL)
    return;

  set_peer_speaking (self, TRUE);
  g_clear_handle_id (&self->peer_speaking_id, g_source_remove);
  self->peer_speaking_id = g_timeout_add (PEER_SPEAKING_HOLD_MS, peer_speaking_timeout_cb, self);
}
