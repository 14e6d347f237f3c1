/* mc-chat-message.c — one chat message of a booking, received or outgoing
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small reference-counted boxed type rather than a GObject: a chat pane
 * holds hundreds of these, and the only thing that changes is an outgoing
 * message's state, which McSignalingClient announces with a signal.
 */

#define G_LOG_DOMAIN "mc-chat-message"

#include "mc-protocol.h"

#include "mc-chat-message.h"

struct _McChatMessage
{
  grefcount           ref_count;

  gint64              booking_id;
  gint64              seq;
  char               *client_id;
  char               *text;
  gint64              sender_id;
  char               *sender_name;
  gint64              sent_at;
  McChatMessageState  state;
  char               *error;
};

G_DEFINE_ENUM_TYPE (McChatMessageState, mc_chat_message_state,
                    G_DEFINE_ENUM_VALUE (MC_CHAT_MESSAGE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (MC_CHAT_MESSAGE_SENT, "sent"),
                    G_DEFINE_ENUM_VALUE (MC_CHAT_MESSAGE_FAILED, "failed"))

G_DEFINE_BOXED_TYPE (McChatMessage, mc_chat_message, mc_chat_message_ref, mc_chat_message_unref)

/* Public API */

/**
 * mc_chat_message_new_outgoing:
 * @booking_id: the booking it is for
 * @client_id: its unique id
 * @text: what it says
 *
 * Returns: (transfer full): a pending message of the local user
 */
McChatMessage *
mc_chat_message_new_outgoing (gint64      booking_id,
                              const char *client_id,
                              const char *text)
{
  McChatMessage *self = g_new0 (McChatMessage, 1);

  g_ref_count_init (&self->ref_count);
  self->booking_id = booking_id;
  self->client_id = g_strdup (client_id);
  self->text = g_strdup (text);
  self->state = MC_CHAT_MESSAGE_PENDING;

  return self;
}

/**
 * mc_chat_message_new_from_json:
 * @booking_id: the booking it belongs to
 * @object: a message as the server sends it: `{"seq","client_id","sender",
 *   "text","sent_at"}`
 * @error: return location for an %MC_ERROR_PROTOCOL error
 *
 * Returns: (transfer full) (nullable): a sent message, or %NULL if @object
 *   is not a message
 */
McChatMessage *
mc_chat_message_new_from_json (gint64       booking_id,
                               JsonObject  *object,
                               GError     **error)
{
  static const McJsonRule rules[] = {
    { "seq", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "client_id", MC_JSON_STRING, TRUE, 0, 0 },
    { "text", MC_JSON_STRING, TRUE, 0, 0 },
    { "sent_at", MC_JSON_TIME, TRUE, 0, 0 },
    { "sender", MC_JSON_OBJECT, TRUE, 0, 0 },
  };
  g_autoptr(GError) local_error = NULL;
  McChatMessage *self;
  JsonObject *sender;
  const char *bad_member = NULL;

  if (!mc_json_validate (object, rules, G_N_ELEMENTS (rules), &bad_member, &local_error))
    {
      g_set_error (error, MC_ERROR, MC_ERROR_PROTOCOL, "Not a chat message (%s): %s",
                   bad_member != NULL ? bad_member : "?", local_error->message);
      return NULL;
    }

  self = g_new0 (McChatMessage, 1);
  g_ref_count_init (&self->ref_count);
  self->booking_id = booking_id;
  self->seq = json_object_get_int_member (object, "seq");
  self->client_id = g_strdup (json_object_get_string_member (object, "client_id"));
  self->text = g_strdup (json_object_get_string_member (object, "text"));
  mc_json_parse_time (json_object_get_string_member (object, "sent_at"), &self->sent_at);
  sender = json_object_get_object_member (object, "sender");
  self->sender_id = json_object_get_int_member_with_default (sender, "id", 0);
  self->sender_name = g_strdup (json_object_get_string_member_with_default (sender, "display_name",
                                                                            ""));
  self->state = MC_CHAT_MESSAGE_SENT;

  return self;
}

McChatMessage *
mc_chat_message_ref (McChatMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
mc_chat_message_unref (McChatMessage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;

  g_free (self->client_id);
  g_free (self->text);
  g_free (self->sender_name);
  g_free (self->error);
  g_free (self);
}

gint64
mc_chat_message_get_booking_id (McChatMessage *self)
{
  return self->booking_id;
}

/**
 * mc_chat_message_get_seq:
 * @self: a message
 *
 * Returns: its place in the booking's chat (1, 2, …), or 0 while pending
 */
gint64
mc_chat_message_get_seq (McChatMessage *self)
{
  return self->seq;
}

const char *
mc_chat_message_get_client_id (McChatMessage *self)
{
  return self->client_id;
}

const char *
mc_chat_message_get_text (McChatMessage *self)
{
  return self->text;
}

/**
 * mc_chat_message_get_sender_id:
 * @self: a message
 *
 * Returns: the sender's user id, or 0 for a message of the local user that
 *   came from the outbox
 */
gint64
mc_chat_message_get_sender_id (McChatMessage *self)
{
  return self->sender_id;
}

const char *
mc_chat_message_get_sender_name (McChatMessage *self)
{
  return self->sender_name;
}

/**
 * mc_chat_message_get_sent_at:
 * @self: a message
 *
 * Returns: when the server stored it, in Unix seconds, or 0 while pending
 */
gint64
mc_chat_message_get_sent_at (McChatMessage *self)
{
  return self->sent_at;
}

McChatMessageState
mc_chat_message_get_state (McChatMessage *self)
{
  return self->state;
}

/**
 * mc_chat_message_get_error:
 * @self: a message
 *
 * Returns: (nullable): why a failed message failed
 */
const char *
mc_chat_message_get_error (McChatMessage *self)
{
  return self->error;
}

/**
 * mc_chat_message_mark_sent:
 * @self: a pending message
 * @seq: the sequence number the server gave it
 * @sent_at: when the server stored it, in Unix seconds
 *
 * For the outbox: the server acknowledged the message.
 */
void
mc_chat_message_mark_sent (McChatMessage *self,
                           gint64         seq,
                           gint64         sent_at)
{
  self->seq = seq;
  self->sent_at = sent_at;
  self->state = MC_CHAT_MESSAGE_SENT;
}

/**
 * mc_chat_message_mark_failed:
 * @self: a pending message
 * @reason: why it cannot be delivered
 *
 * For the outbox: the message will not be delivered.
 */
void
mc_chat_message_mark_failed (McChatMessage *self,
                             const char    *reason)
{
  g_free (self->error);
  self->error = g_strdup (reason);
  self->state = MC_CHAT_MESSAGE_FAILED;
}
