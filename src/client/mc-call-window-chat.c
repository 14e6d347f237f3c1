/* mc-call-window-chat.c — the call window's chat: unread count, read marks, preview
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-call-window.c for the window. The chat pane shows the lesson's
 * messages; here the window counts what arrived while it was hidden, keeps
 * how far each lesson's chat was read for this run of the app, and shows a
 * new message for a moment above the video while the chat is hidden.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-call-window-internal.h"
#include "mc-protocol.h"

void
mc_call_window_update_unread (McCallWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%u", self->unread);
  g_autofree char *tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "%u unread message",
                                                           "%u unread messages",
                                                           self->unread),
                                              self->unread);

  gtk_label_set_label (self->unread_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unread_label), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), self->unread > 0);
}

/* How far each lesson's chat has been read, for this run of the app: a
 * rejoin replays the history, and what was read before is not unread
 * again. Booking id → the last sequence number seen. */
static GHashTable *
read_seqs (void)
{
  static GHashTable *seqs;

  if (seqs == NULL)
    seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  return seqs;
}

static gint64
get_read_seq (McCallWindow *self)
{
  gint64  booking_id = mc_call_window_get_booking_id (self);
  gint64 *seq = g_hash_table_lookup (read_seqs (), &booking_id);

  return seq != NULL ? *seq : 0;
}

void
mc_call_window_set_read_seq (McCallWindow *self,
                             gint64        seq)
{
  gint64 booking_id = mc_call_window_get_booking_id (self);

  if (seq > get_read_seq (self))
    g_hash_table_insert (read_seqs (), g_memdup2 (&booking_id, sizeof booking_id),
                         g_memdup2 (&seq, sizeof seq));
}

static gboolean
preview_timeout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;

  self->preview_id = 0;
  gtk_revealer_set_reveal_child (self->preview_revealer, FALSE);

  return G_SOURCE_REMOVE;
}

/* With the chat hidden, a new message shows for a moment above the
 * controls, so that nobody has to open the chat to see if it matters. */
static void
show_preview (McCallWindow  *self,
              McChatMessage *message)
{
  const char      *sender = mc_chat_message_get_sender_name (message);
  g_autofree char *text = NULL;

  /* Translators: a new chat message's preview: its sender and its text */
  text = g_strdup_printf (_ ("%s: %s"), sender ? sender : "", mc_chat_message_get_text (message));
  gtk_label_set_label (self->preview_label, text);
  gtk_revealer_set_reveal_child (self->preview_revealer, TRUE);
  g_clear_handle_id (&self->preview_id, g_source_remove);
  self->preview_id = g_timeout_add_seconds (PREVIEW_SECONDS, preview_timeout_cb, self);
}

void
mc_call_window_chat_received_cb (McSignalingClient *signaling,
                                 McChatMessage     *message,
                                 McCallWindow      *self)
{
  gint64      seq = mc_chat_message_get_seq (message);
  JsonObject *me = mc_signaling_client_get_user (signaling);

  mc_chat_pane_show_message (self->chat_pane, message);

  self->last_seq = MAX (self->last_seq, seq);
  /* Our own messages, back from the history, are read. */
  if (self->chat_visible ||
      (me != NULL && mc_chat_message_get_sender_id (message) == json_object_get_int_member (me, "id")))
    mc_call_window_set_read_seq (self, seq);
  else if (seq > get_read_seq (self))
    {
      self->unread++;
      mc_call_window_update_unread (self);
      show_preview (self, message);
    }
}

void
mc_call_window_chat_state_changed_cb (McSignalingClient *signaling,
                                      McChatMessage     *message,
                                      McCallWindow      *self)
{
  mc_chat_pane_show_message (self->chat_pane, message);
}

void
mc_call_window_chat_send_cb (McChatPane   *pane,
                             const char   *text,
                             McCallWindow *self)
{
  McSignalingClient *signaling = self->controller
                                   ? mc_call_controller_get_signaling (self->controller)
                                   : NULL;
  g_autofree char   *client_id = NULL;

  if (signaling != NULL)
    client_id = mc_signaling_client_send_chat (signaling, text);

  if (client_id == NULL)
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_ ("Chat is available once you have joined")));
}
