/* mc-signaling-client-chat.c — the room's chat: outbox, acks, gaps, history
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-signaling-client.c for the whole picture.
 *
 * The chat outbox (McChatOutbox) delivers every message exactly once and in
 * order; its confirmation is the `chat-ack`. After a reconnect the
 * unacknowledged messages are sent again. A message whose ack was lost with
 * the connection usually comes back in the rejoin's `chat` list first, which
 * counts as its ack. The client paces the outbox below the server's
 * per-connection rate limit and keeps a reserve for offers and ICE
 * candidates, which must not wait behind a long chat.
 */

#define G_LOG_DOMAIN "mc-signaling"

#include "config.h"

#include "mc-protocol.h"

#include "mc-signaling-client-private.h"

#define CHAT_RESERVE 10.0

static gboolean pump_cb (gpointer user_data);

/* Helpers */

void
mc_signaling_client_fail_outbox (McSignalingClient *self,
                                 const char        *reason)
{
  McChatMessage *message;

  while ((message = mc_chat_outbox_pop (self->outbox)) != NULL)
    {
      g_autoptr (McChatMessage) owned = message;

      mc_chat_message_mark_failed (owned, reason);
      g_signal_emit (self, mc_signaling_client_signals[CHAT_STATE_CHANGED], 0, owned);
    }
}

static void
set_last_seq (McSignalingClient *self,
              gint64             seq)
{
  if (seq <= self->last_seq)
    return;

  self->last_seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_LAST_SEQ]);
}

/* The server stored an outgoing message: via its ack, or because it came
 * back in a rejoin's chat list before its ack could arrive. */
void
mc_signaling_client_acknowledge (McSignalingClient *self,
                                 const char        *client_id,
                                 gint64             seq,
                                 gint64             sent_at)
{
  g_autoptr (McChatMessage) message = NULL;

  set_last_seq (self, seq);

  message = mc_chat_outbox_take (self->outbox, client_id);
  if (message == NULL)
    return;

  mc_chat_message_mark_sent (message, seq, sent_at);
  g_signal_emit (self, mc_signaling_client_signals[CHAT_STATE_CHANGED], 0, message);
}

/* Takes one message of the booking's chat from the server, in sequence
 * order; anything already seen is a repeat and is dropped. */
void
mc_signaling_client_take_chat_message (McSignalingClient *self,
                                       JsonObject        *object)
{
  g_autoptr (McChatMessage) message = NULL;
  g_autoptr (GError)        error = NULL;
  gint64                    my_id = 0;

  message = mc_chat_message_new_from_json (self->booking_id, object, &error);
  if (message == NULL)
    {
      g_debug ("%p: ignoring a chat message: %s", self, error->message);
      return;
    }

  if (mc_chat_message_get_seq (message) <= self->last_seq)
    return;

  if (self->user != NULL)
    my_id = json_object_get_int_member_with_default (self->user, "id", 0);

  if (mc_chat_message_get_sender_id (message) == my_id &&
      mc_chat_outbox_contains (self->outbox, mc_chat_message_get_client_id (message)))
    {
      mc_signaling_client_acknowledge (self, mc_chat_message_get_client_id (message),
                                       mc_chat_message_get_seq (message),
                                       mc_chat_message_get_sent_at (message));
      return;
    }

  set_last_seq (self, mc_chat_message_get_seq (message));
  g_signal_emit (self, mc_signaling_client_signals[CHAT_RECEIVED], 0, message);
}

void
mc_signaling_client_request_gap (McSignalingClient *self)
{
  g_autoptr (JsonObject) request = mc_signaling_client_new_message (self, "history");
  g_autofree char       *request_id = mc_signaling_client_next_request_id (self, "gap");

  json_object_set_int_member (request, "after", self->last_seq);
  json_object_set_string_member (request, "request_id", request_id);
  self->filling_gap = mc_signaling_client_send_message (self, request);
}

/* Callbacks */

static gboolean
pump_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  g_clear_pointer (&self->pump_source, g_source_unref);
  mc_signaling_client_pump_outbox (self);

  return G_SOURCE_REMOVE;
}

/* Steps that the callbacks above come back to */

void
mc_signaling_client_pump_outbox (McSignalingClient *self)
{
  McChatMessage *message;

  if (!self->in_room || self->filling_gap || self->pump_source != NULL)
    return;

  while ((message = mc_chat_outbox_peek_unsent (self->outbox)) != NULL)
    {
      g_autoptr (JsonObject) chat = NULL;
      g_autofree char       *request_id = NULL;

      mc_signaling_client_refill_send_tokens (self);
      if (self->send_tokens < 1 + CHAT_RESERVE)
        {
          guint wait_ms = (guint) ((1 + CHAT_RESERVE - self->send_tokens) * 1000 /
                                   SEND_RATE_PER_SECOND) +
                          1;

          self->pump_source = mc_signaling_client_add_timeout (self, wait_ms, pump_cb);
          return;
        }

      chat = mc_signaling_client_new_message (self, "chat");
      request_id = g_strconcat ("chat:", mc_chat_message_get_client_id (message), NULL);
      json_object_set_string_member (chat, "client_id", mc_chat_message_get_client_id (message));
      json_object_set_string_member (chat, "text", mc_chat_message_get_text (message));
      json_object_set_string_member (chat, "request_id", request_id);
      if (!mc_signaling_client_send_message (self, chat))
        return;

      mc_chat_outbox_mark_in_flight (self->outbox);
    }
}

/* Public API */

/**
 * mc_signaling_client_get_n_pending:
 * @self: an #McSignalingClient
 *
 * Returns: how many chat messages wait in the outbox for their ack
 */
guint
mc_signaling_client_get_n_pending (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), 0);

  return mc_chat_outbox_get_length (self->outbox);
}

/**
 * mc_signaling_client_send_chat:
 * @self: an #McSignalingClient with a room (#McSignalingClient:booking-id)
 * @text: the message
 *
 * Queues a chat message for the room. It is announced at once as pending
 * (#McSignalingClient::chat-state-changed) and delivered exactly once, in
 * order, whenever the client is in the room, across reconnects and server
 * restarts.
 *
 * Returns: (transfer full) (nullable): the message's client id, or %NULL
 *   without a room
 */
char *
mc_signaling_client_send_chat (McSignalingClient *self,
                               const char        *text)
{
  g_autoptr (McChatMessage) message = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (self->booking_id == 0)
    return NULL;

  message = mc_chat_outbox_push (self->outbox, self->booking_id, text);
  g_signal_emit (self, mc_signaling_client_signals[CHAT_STATE_CHANGED], 0, message);

  mc_signaling_client_pump_outbox (self);

  return g_strdup (mc_chat_message_get_client_id (message));
}

/**
 * mc_signaling_client_request_history:
 * @self: an #McSignalingClient in a room
 * @after: only messages with a sequence number above this one
 *
 * Asks for the room's chat; the answer is #McSignalingClient::history.
 *
 * Returns: %TRUE if the request was sent
 */
gboolean
mc_signaling_client_request_history (McSignalingClient *self,
                                     gint64             after)
{
  g_autoptr (JsonObject) request = NULL;
  g_autofree char       *request_id = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  request = mc_signaling_client_new_message (self, "history");
  request_id = mc_signaling_client_next_request_id (self, "history");
  json_object_set_int_member (request, "after", MAX (after, 0));
  json_object_set_string_member (request, "request_id", request_id);
  return mc_signaling_client_send_relay (self, request);
}
