/* mc-signaling-client-messages.c — the handlers of the server's messages
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-signaling-client.c for the whole picture. Each message type has
 * its handler, which checks the message against a table of rules, ignores
 * what does not belong to the client's room, and turns the rest into a
 * change of state or a signal.
 */

#define G_LOG_DOMAIN "mc-signaling"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mc-protocol.h"

#include "mc-signaling-client-private.h"

/* Handlers of the server's messages, one per type. Each gets a message
 * that is a JSON object with a string "type". */

static gboolean
validate (JsonObject       *object,
          const McJsonRule *rules,
          guint             n_rules)
{
  g_autoptr (GError) error = NULL;
  const char        *bad = NULL;

  if (mc_json_validate (object, rules, n_rules, &bad, &error))
    return TRUE;

  g_debug ("ignoring a “%s” message: %s",
           json_object_get_string_member (object, "type"), error->message);
  return FALSE;
}

#define VALIDATE(object, rules) validate ((object), (rules), G_N_ELEMENTS (rules))

static gboolean
is_relay_for_room (McSignalingClient *self,
                   JsonObject        *object)
{
  return self->booking_id != 0 &&
         json_object_get_int_member_with_default (object, "booking_id", 0) == self->booking_id;
}

static void
handle_welcome (McSignalingClient *self,
                JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "user", MC_JSON_OBJECT, TRUE, 0, 0 },
    { "heartbeat_interval", MC_JSON_INT, FALSE, 1, 3600 },
  };
  gint64 heartbeat;

  if (!VALIDATE (object, rules))
    return;

  g_clear_pointer (&self->user, json_object_unref);
  self->user = json_object_ref (json_object_get_object_member (object, "user"));
  heartbeat = json_object_get_int_member_with_default (object, "heartbeat_interval",
                                                       HEARTBEAT_DEFAULT_S);
  self->dead_after_us = 3 * heartbeat * G_USEC_PER_SEC;
  soup_websocket_connection_set_keepalive_interval (self->connection, heartbeat);

  self->welcomed = TRUE;
  self->backoff_ms = BACKOFF_INITIAL_MS;
  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_USER]);
  mc_signaling_client_set_state (self, MC_SIGNALING_STATE_CONNECTED);

  mc_signaling_client_begin_join (self);
}

static void
handle_joined (McSignalingClient *self,
               JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "chat", MC_JSON_ARRAY, FALSE, 0, 0 },
  };
  gint64     booking_id;
  JsonArray *chat = NULL;

  if (!VALIDATE (object, rules))
    return;

  booking_id = json_object_get_int_member (object, "booking_id");
  if (booking_id != self->booking_id)
    return;

  self->join_sent = FALSE;
  self->token_refreshed = FALSE;
  self->rejoin_backoff_ms = BACKOFF_INITIAL_MS;
  mc_chat_outbox_rewind (self->outbox);
  mc_signaling_client_set_in_room (self, TRUE);

  if (self->media_state_set)
    {
      /* The server forgets the media state with the room (a restart, an
       * auto-end); tell it again. */
      g_autoptr (JsonObject) state = mc_signaling_client_new_message (self, "media-state");

      json_object_set_boolean_member (state, "muted", self->muted);
      json_object_set_boolean_member (state, "camera_off", self->camera_off);
      json_object_set_boolean_member (state, "screen", self->screen);
      mc_signaling_client_send_message (self, state);
    }

  g_signal_emit (self, mc_signaling_client_signals[JOINED], 0, booking_id, object);
  if (self->booking_id != booking_id || !self->in_room)
    return;

  if (mc_json_has (object, "chat"))
    chat = json_object_get_array_member (object, "chat");

  if (chat != NULL && json_array_get_length (chat) > 0)
    {
      JsonNode *first = json_array_get_element (chat, 0);
      gint64    first_seq = 0;

      if (JSON_NODE_HOLDS_OBJECT (first))
        first_seq = json_object_get_int_member_with_default (json_node_get_object (first),
                                                             "seq", 0);

      if (first_seq > self->last_seq + 1)
        {
          /* More was missed than the join brings: page through the history. */
          mc_signaling_client_request_gap (self);
          return;
        }

      for (guint i = 0; i < json_array_get_length (chat); i++)
        {
          JsonNode *node = json_array_get_element (chat, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            mc_signaling_client_take_chat_message (self, json_node_get_object (node));
        }
    }

  mc_signaling_client_pump_outbox (self);
}

static void
handle_left (McSignalingClient *self,
             JsonObject        *object)
{
  g_signal_emit (self, mc_signaling_client_signals[LEFT], 0,
                 json_object_get_int_member_with_default (object, "booking_id", 0));
}

static void
handle_peer_joined (McSignalingClient *self,
                    JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "user", MC_JSON_OBJECT, TRUE, 0, 0 },
    { "muted", MC_JSON_BOOLEAN, FALSE, 0, 0 },
    { "camera_off", MC_JSON_BOOLEAN, FALSE, 0, 0 },
  };

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  g_signal_emit (self, mc_signaling_client_signals[PEER_JOINED], 0, self->booking_id,
                 json_object_get_object_member (object, "user"),
                 json_object_get_boolean_member_with_default (object, "muted", FALSE),
                 json_object_get_boolean_member_with_default (object, "camera_off", FALSE),
                 json_object_get_string_member_with_default (object, "instance", NULL));
}

static void
handle_peer_left (McSignalingClient *self,
                  JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "user_id", MC_JSON_INT, TRUE, 0, 0 },
    { "reason", MC_JSON_STRING, TRUE, 0, 0 },
  };

  const char   *name;
  McLeaveReason reason;

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  name = json_object_get_string_member (object, "reason");
  if (!mc_leave_reason_from_string (name, &reason))
    {
      g_debug ("%p: peer-left with an unknown reason “%s”: taken as left", self, name);
      reason = MC_LEAVE_REASON_LEFT;
    }

  g_signal_emit (self, mc_signaling_client_signals[PEER_LEFT], 0, self->booking_id,
                 json_object_get_int_member (object, "user_id"), (int) reason);
}

/* The negotiation generation travels as an extra member that the server
 * relays untouched (see docs/call-engine.md); 0 when the sender set none. */
static gint64
read_generation (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "generation");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return json_node_get_int (node);
}

static void
handle_description (McSignalingClient *self,
                    JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "from", MC_JSON_INT, TRUE, 0, 0 },
    { "sdp", MC_JSON_STRING, TRUE, 0, 0 },
  };
  const char *type = json_object_get_string_member (object, "type");

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  g_signal_emit (self, mc_signaling_client_signals[g_str_equal (type, "offer") ? OFFER : ANSWER], 0,
                 self->booking_id, json_object_get_int_member (object, "from"),
                 json_object_get_string_member (object, "sdp"), read_generation (object));
}

static void
handle_ice_candidate (McSignalingClient *self,
                      JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "from", MC_JSON_INT, TRUE, 0, 0 },
    { "candidate", MC_JSON_STRING, TRUE, 0, 0 },
    { "sdp_mline_index", MC_JSON_INT, TRUE, 0, 63 },
  };

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  g_signal_emit (self, mc_signaling_client_signals[ICE_CANDIDATE], 0, self->booking_id,
                 json_object_get_int_member (object, "from"),
                 json_object_get_string_member (object, "candidate"),
                 (guint) json_object_get_int_member (object, "sdp_mline_index"),
                 read_generation (object));
}

static void
handle_media_state (McSignalingClient *self,
                    JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "user_id", MC_JSON_INT, TRUE, 0, 0 },
    { "muted", MC_JSON_BOOLEAN, TRUE, 0, 0 },
    { "camera_off", MC_JSON_BOOLEAN, TRUE, 0, 0 },
    { "screen", MC_JSON_BOOLEAN, FALSE, 0, 0 },
  };

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  g_signal_emit (self, mc_signaling_client_signals[MEDIA_STATE], 0, self->booking_id,
                 json_object_get_int_member (object, "user_id"),
                 json_object_get_boolean_member (object, "muted"),
                 json_object_get_boolean_member (object, "camera_off"),
                 /* Servers before screen sharing was told leave it out. */
                 json_object_get_boolean_member_with_default (object, "screen", FALSE));
}

static void
handle_ended (McSignalingClient *self,
              JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "by", MC_JSON_INT, FALSE, 0, 0 },
    { "call", MC_JSON_OBJECT, FALSE, 0, 0 },
  };
  g_autoptr (JsonObject) call = NULL;
  gint64                 booking_id;

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  booking_id = self->booking_id;
  if (mc_json_has (object, "call"))
    call = json_object_ref (json_object_get_object_member (object, "call"));

  mc_signaling_client_forget_room (self, _ ("The call ended"));
  g_signal_emit (self, mc_signaling_client_signals[ENDED], 0, booking_id,
                 json_object_get_int_member_with_default (object, "by", 0), call);
}

static void
handle_chat (McSignalingClient *self,
             JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "message", MC_JSON_OBJECT, TRUE, 0, 0 },
  };

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  /* While paging through a gap, the history pages bring these too, in order. */
  if (self->filling_gap)
    return;

  mc_signaling_client_take_chat_message (self, json_object_get_object_member (object, "message"));
}

static void
handle_chat_ack (McSignalingClient *self,
                 JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "client_id", MC_JSON_STRING, TRUE, 1, 64 },
    { "seq", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "sent_at", MC_JSON_TIME, FALSE, 0, 0 },
  };
  gint64 sent_at = 0;

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  if (mc_json_has (object, "sent_at"))
    mc_json_parse_time (json_object_get_string_member (object, "sent_at"), &sent_at);

  mc_signaling_client_acknowledge (self, json_object_get_string_member (object, "client_id"),
                                   json_object_get_int_member (object, "seq"), sent_at);
  mc_signaling_client_pump_outbox (self);
}

static void
handle_history (McSignalingClient *self,
                JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "messages", MC_JSON_ARRAY, TRUE, 0, 0 },
    { "last_seq", MC_JSON_INT, TRUE, 0, G_MAXINT64 },
  };
  const char *request_id;
  JsonArray  *messages;
  gint64      last_seq;

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  request_id = json_object_get_string_member_with_default (object, "request_id", "");
  messages = json_object_get_array_member (object, "messages");
  last_seq = json_object_get_int_member (object, "last_seq");

  if (g_str_has_prefix (request_id, "gap-") && self->filling_gap)
    {
      gint64 before = self->last_seq;

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode *node = json_array_get_element (messages, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            mc_signaling_client_take_chat_message (self, json_node_get_object (node));
        }

      if (self->last_seq < last_seq && self->last_seq > before)
        {
          mc_signaling_client_request_gap (self);
          return;
        }

      self->filling_gap = FALSE;
      mc_signaling_client_pump_outbox (self);
    }
  else
    {
      g_autoptr (GPtrArray) list = NULL;

      list = g_ptr_array_new_with_free_func ((GDestroyNotify) mc_chat_message_unref);

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode      *node = json_array_get_element (messages, i);
          McChatMessage *message = NULL;

          if (JSON_NODE_HOLDS_OBJECT (node))
            message = mc_chat_message_new_from_json (self->booking_id, json_node_get_object (node),
                                                     NULL);
          if (message != NULL)
            g_ptr_array_add (list, message);
        }

      g_signal_emit (self, mc_signaling_client_signals[HISTORY], 0, self->booking_id, list,
                     last_seq);
    }
}

static void
handle_presence (McSignalingClient *self,
                 JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  };

  if (!VALIDATE (object, rules))
    return;

  g_signal_emit (self, mc_signaling_client_signals[PRESENCE], 0,
                 json_object_get_int_member (object, "booking_id"), object);
}

static void
handle_booking_changed (McSignalingClient *self,
                        JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "booking", MC_JSON_OBJECT, TRUE, 0, 0 },
  };

  if (!VALIDATE (object, rules))
    return;

  g_signal_emit (self, mc_signaling_client_signals[BOOKING_CHANGED], 0,
                 json_object_get_object_member (object, "booking"));
}

static void
handle_join_error (McSignalingClient *self,
                   McErrorCode        code,
                   const char        *text)
{
  self->join_sent = FALSE;

  if ((code == MC_ERROR_CALL_TOKEN_EXPIRED || code == MC_ERROR_CALL_TOKEN_INVALID) &&
      !self->token_refreshed)
    {
      /* Tokens expire, and a server with a new secret refuses old ones: ask
       * for a new one, once per join. */
      g_clear_pointer (&self->call_token, g_free);
      mc_signaling_client_begin_join (self);
      return;
    }

  if (code == MC_ERROR_RATE_LIMITED || code == MC_ERROR_INTERNAL)
    {
      mc_signaling_client_schedule_rejoin (self);
      return;
    }

  mc_signaling_client_forget_room (self, text);
}

static void
handle_error (McSignalingClient *self,
              JsonObject        *object)
{
  const char *name = json_object_get_string_member_with_default (object, "code", "internal_error");
  const char *text = json_object_get_string_member_with_default (object, "message", name);
  const char *request_id = json_object_get_string_member_with_default (object, "request_id", NULL);
  McErrorCode code;

  /* Parsed here, once; a code this client does not know is the server
   * speaking a newer protocol. */
  if (!mc_error_code_from_string (name, &code))
    {
      g_debug ("%p: unknown error code “%s”", self, name);
      code = MC_ERROR_PROTOCOL;
    }

  if (request_id != NULL && self->join_request_id != NULL &&
      g_str_equal (request_id, self->join_request_id))
    {
      handle_join_error (self, code, text);
    }
  else if (request_id != NULL && g_str_has_prefix (request_id, "chat:") &&
           (code == MC_ERROR_INVALID_FIELD || code == MC_ERROR_PAYLOAD_TOO_LARGE ||
            code == MC_ERROR_MALFORMED_JSON))
    {
      /* The server will never take this message: drop it from the outbox. */
      g_autoptr (McChatMessage) message = NULL;

      message = mc_chat_outbox_take (self->outbox, request_id + strlen ("chat:"));
      if (message != NULL)
        {
          mc_chat_message_mark_failed (message, text);
          g_signal_emit (self, mc_signaling_client_signals[CHAT_STATE_CHANGED], 0, message);
          mc_signaling_client_pump_outbox (self);
        }
    }
  else if (request_id != NULL && g_str_has_prefix (request_id, "gap-"))
    {
      self->filling_gap = FALSE;
    }
  else if (code == MC_ERROR_TAKEN_OVER)
    {
      /* Another connection of the same user took the room: stop here, or the
       * two would take it from each other forever. */
      self->wanted = FALSE;
      mc_signaling_client_forget_room (self, text);
    }

  mc_signaling_client_emit_error (self, code, text, request_id);
}

static const struct
{
  const char *type;
  void (*handle) (McSignalingClient *self,
                  JsonObject        *object);
} handlers[] = {
  { "welcome", handle_welcome },
  { "joined", handle_joined },
  { "left", handle_left },
  { "peer-joined", handle_peer_joined },
  { "peer-left", handle_peer_left },
  { "offer", handle_description },
  { "answer", handle_description },
  { "ice-candidate", handle_ice_candidate },
  { "media-state", handle_media_state },
  { "ended", handle_ended },
  { "chat", handle_chat },
  { "chat-ack", handle_chat_ack },
  { "history", handle_history },
  { "presence", handle_presence },
  { "booking-changed", handle_booking_changed },
  { "error", handle_error },
};

/* Hands a message to the handler of its type. */
void
mc_signaling_client_dispatch (McSignalingClient *self,
                              const char        *kind,
                              JsonObject        *object)
{
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      if (g_str_equal (handlers[i].type, kind))
        {
          handlers[i].handle (self, object);
          return;
        }
    }

  g_debug ("%p: ignoring a message of unknown type “%s”", self, kind);
}
