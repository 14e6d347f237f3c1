/* mc-signaling-client.c — the WebSocket signaling and chat connection
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One WebSocket to /api/v1/ws per client, authenticated with the session
 * token of an McApiClient. The object hides that the connection comes and
 * goes: once mc_signaling_client_connect() is called it keeps reconnecting
 * (100 ms doubling to 5 s, with jitter) until mc_signaling_client_disconnect(),
 * a takeover or a refused session. The room the caller joined is joined again
 * after every reconnect, with a fresh call token from the REST API when the
 * old one expired or is refused, and with `chat_after` set to the highest
 * chat sequence number seen, so that only missed messages come back.
 *
 * libsoup 3.2 answers the server's pings but does not time out on a silent
 * peer (keepalive-pong-timeout is 3.6). So the client sends its own pings
 * and a watchdog drops the connection when nothing (no message, no pong)
 * arrived for three heartbeat intervals, which is also the server's rule.
 * The drop closes the socket without a close frame: a server that does not
 * answer will not answer a close handshake either.
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

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "mc-protocol.h"

#include "mc-chat-outbox.h"
#include "mc-signaling-client.h"

#define BACKOFF_INITIAL_MS   100
#define BACKOFF_MAX_MS       5000
#define WATCHDOG_PERIOD_MS   500
#define HEARTBEAT_DEFAULT_S  3
/* The server allows 40 messages a second with a burst of 80; stay below. */
#define SEND_RATE_PER_SECOND 30.0
#define SEND_BURST           60.0
#define CHAT_RESERVE         10.0
/* Renew a call token that expires within this many seconds before joining. */
#define TOKEN_MARGIN_S       10
#define MAX_INCOMING_SIZE    (32 * 1024 * 1024)

struct _McSignalingClient
{
  GObject                  parent_instance;

  char                    *instance;       /* our call session, sent with each join */

  McApiClient             *api;
  char                    *url;
  GMainContext            *context;
  GCancellable            *cancellable;

  /* The connection */
  McSignalingState         state;
  gboolean                 wanted;
  SoupMessage             *handshake;
  SoupWebsocketConnection *connection;
  gboolean                 welcomed;
  JsonObject              *user;
  gint64                   dead_after_us;
  gint64                   last_activity;
  GSource                 *watchdog;
  GSource                 *reconnect_source;
  guint                    backoff_ms;
  guint                    request_serial;
  double                   send_tokens;
  gint64                   send_tokens_time;

  /* The room */
  gint64                   booking_id;
  char                    *call_token;
  gboolean                 in_room;
  gboolean                 join_sent;
  gboolean                 fetching_token;
  gboolean                 token_refreshed;
  char                    *join_request_id;
  GSource                 *rejoin_source;
  guint                    rejoin_backoff_ms;
  gint64                   last_seq;
  gboolean                 filling_gap;
  gboolean                 media_state_set;
  gboolean                 muted;
  gboolean                 camera_off;

  McChatOutbox            *outbox;
  GSource                 *pump_source;
};

G_DEFINE_ENUM_TYPE (McSignalingState, mc_signaling_state,
                    G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_RECONNECTING, "reconnecting"))

G_DEFINE_FINAL_TYPE (McSignalingClient, mc_signaling_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API,
  PROP_URL,
  PROP_STATE,
  PROP_USER,
  PROP_BOOKING_ID,
  PROP_IN_ROOM,
  PROP_LAST_SEQ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  JOINED,
  LEFT,
  PEER_JOINED,
  PEER_LEFT,
  OFFER,
  ANSWER,
  ICE_CANDIDATE,
  MEDIA_STATE,
  ENDED,
  CHAT_RECEIVED,
  CHAT_STATE_CHANGED,
  HISTORY,
  PRESENCE,
  BOOKING_CHANGED,
  ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void begin_connect      (McSignalingClient *self);
static void begin_join         (McSignalingClient *self);
static void pump_outbox        (McSignalingClient *self);
static gboolean reconnect_cb   (gpointer           user_data);
static gboolean rejoin_cb      (gpointer           user_data);
static gboolean watchdog_cb    (gpointer           user_data);
static gboolean pump_cb        (gpointer           user_data);

/* Static helpers */

static void
set_state (McSignalingClient *self,
           McSignalingState   state)
{
  if (self->state == state)
    return;

  g_debug ("%p: state %d → %d", self, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_in_room (McSignalingClient *self,
             gboolean           in_room)
{
  if (self->in_room == in_room)
    return;

  self->in_room = in_room;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_ROOM]);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static GSource *
add_timeout (McSignalingClient *self,
             guint              milliseconds,
             GSourceFunc        func)
{
  GSource *source = g_timeout_source_new (milliseconds);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

/* Returns @delay_ms with ±20 % jitter, so that the clients of a restarted
 * server do not all come back in the same millisecond. */
static guint
jitter (guint delay_ms)
{
  return (guint) (delay_ms * g_random_double_range (0.8, 1.2));
}

static char *
next_request_id (McSignalingClient *self,
                 const char        *prefix)
{
  return g_strdup_printf ("%s-%u", prefix, ++self->request_serial);
}

static JsonObject *
new_message (McSignalingClient *self,
             const char        *type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  if (self->booking_id != 0)
    json_object_set_int_member (object, "booking_id", self->booking_id);

  return object;
}

static void
refill_send_tokens (McSignalingClient *self)
{
  gint64 now = g_get_monotonic_time ();
  double earned = (now - self->send_tokens_time) * SEND_RATE_PER_SECOND / G_USEC_PER_SEC;

  self->send_tokens = MIN (SEND_BURST, self->send_tokens + earned);
  self->send_tokens_time = now;
}

static gboolean
send_message (McSignalingClient *self,
              JsonObject        *object)
{
  g_autofree char *text = NULL;

  if (self->connection == NULL ||
      soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  refill_send_tokens (self);
  self->send_tokens -= 1;

  text = mc_json_object_to_string (object);
  g_debug ("%p: → %s", self, text);
  soup_websocket_connection_send_text (self->connection, text);

  return TRUE;
}

static gboolean
send_relay (McSignalingClient *self,
            JsonObject        *object)
{
  if (!self->in_room)
    return FALSE;

  return send_message (self, object);
}

static void
emit_error (McSignalingClient *self,
            const char        *code,
            const char        *message,
            const char        *request_id)
{
  g_debug ("%p: error %s: %s (%s)", self, code, message, request_id ? request_id : "-");
  g_signal_emit (self, signals[ERROR], 0, code, message, request_id);
}

static void
schedule_reconnect (McSignalingClient *self)
{
  guint delay = jitter (self->backoff_ms);

  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
  clear_source (&self->reconnect_source);
  self->reconnect_source = add_timeout (self, delay, reconnect_cb);
  g_debug ("%p: reconnecting in %u ms", self, delay);
}

static void
schedule_rejoin (McSignalingClient *self)
{
  guint delay = jitter (self->rejoin_backoff_ms);

  self->rejoin_backoff_ms = MIN (self->rejoin_backoff_ms * 2, BACKOFF_MAX_MS);
  clear_source (&self->rejoin_source);
  self->rejoin_source = add_timeout (self, delay, rejoin_cb);
}

static void
detach_connection (McSignalingClient *self,
                   gboolean           abruptly)
{
  g_autoptr(SoupWebsocketConnection) connection = g_steal_pointer (&self->connection);

  clear_source (&self->watchdog);
  self->welcomed = FALSE;
  self->join_sent = FALSE;
  self->filling_gap = FALSE;
  mc_chat_outbox_rewind (self->outbox);
  clear_source (&self->pump_source);

  if (connection == NULL)
    return;

  g_signal_handlers_disconnect_by_data (connection, self);

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_CLOSED)
    return;

  if (abruptly)
    {
      /* Disposing closes the stream without a close frame. */
      g_object_run_dispose (G_OBJECT (connection));
    }
  else
    {
      /* Let the close handshake finish; the connection lives until then. */
      g_signal_connect (connection, "closed", G_CALLBACK (g_object_unref), NULL);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_steal_pointer (&connection);
    }
}

/* Drops the connection and, unless the client was told to stop, tries again. */
static void
lose_connection (McSignalingClient *self,
                 gboolean           abruptly)
{
  detach_connection (self, abruptly);
  set_in_room (self, FALSE);

  if (self->wanted)
    {
      set_state (self, MC_SIGNALING_STATE_RECONNECTING);
      schedule_reconnect (self);
    }
  else
    {
      set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
    }
}

static void
fail_outbox (McSignalingClient *self,
             const char        *reason)
{
  McChatMessage *message;

  while ((message = mc_chat_outbox_pop (self->outbox)) != NULL)
    {
      g_autoptr(McChatMessage) owned = message;

      mc_chat_message_mark_failed (owned, reason);
      g_signal_emit (self, signals[CHAT_STATE_CHANGED], 0, owned);
    }
}

/* Forgets the room: after a leave, an end, or a refusal that a new token
 * cannot fix. */
static void
forget_room (McSignalingClient *self,
             const char        *reason)
{
  if (self->booking_id == 0)
    return;

  self->booking_id = 0;
  g_clear_pointer (&self->call_token, g_free);
  g_clear_pointer (&self->join_request_id, g_free);
  self->join_sent = FALSE;
  self->token_refreshed = FALSE;
  self->filling_gap = FALSE;
  self->media_state_set = FALSE;
  clear_source (&self->rejoin_source);
  self->last_seq = 0;
  set_in_room (self, FALSE);
  fail_outbox (self, reason);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOOKING_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
}

static gboolean
token_usable (const char *token)
{
  g_autoptr(McCallTokenClaims) claims = NULL;

  if (token == NULL)
    return FALSE;

  /* A token the client cannot read is left for the server to judge. */
  claims = mc_call_token_peek (token, NULL);
  if (claims == NULL)
    return TRUE;

  return claims->expires_at - g_get_real_time () / G_USEC_PER_SEC > TOKEN_MARGIN_S;
}

static void
set_last_seq (McSignalingClient *self,
              gint64             seq)
{
  if (seq <= self->last_seq)
    return;

  self->last_seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
}

/* The server stored an outgoing message: via its ack, or because it came
 * back in a rejoin's chat list before its ack could arrive. */
static void
acknowledge (McSignalingClient *self,
             const char        *client_id,
             gint64             seq,
             gint64             sent_at)
{
  g_autoptr(McChatMessage) message = NULL;

  set_last_seq (self, seq);

  message = mc_chat_outbox_take (self->outbox, client_id);
  if (message == NULL)
    return;

  mc_chat_message_mark_sent (message, seq, sent_at);
  g_signal_emit (self, signals[CHAT_STATE_CHANGED], 0, message);
}

/* Takes one message of the booking's chat from the server, in sequence
 * order; anything already seen is a repeat and is dropped. */
static void
take_chat_message (McSignalingClient *self,
                   JsonObject        *object)
{
  g_autoptr(McChatMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 my_id = 0;

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
      acknowledge (self, mc_chat_message_get_client_id (message), mc_chat_message_get_seq (message),
                   mc_chat_message_get_sent_at (message));
      return;
    }

  set_last_seq (self, mc_chat_message_get_seq (message));
  g_signal_emit (self, signals[CHAT_RECEIVED], 0, message);
}

static void
request_gap (McSignalingClient *self)
{
  g_autoptr(JsonObject) request = new_message (self, "history");
  g_autofree char *request_id = next_request_id (self, "gap");

  json_object_set_int_member (request, "after", self->last_seq);
  json_object_set_string_member (request, "request_id", request_id);
  self->filling_gap = send_message (self, request);
}

static gboolean
is_relay_for_room (McSignalingClient *self,
                   JsonObject        *object)
{
  return self->booking_id != 0 &&
         json_object_get_int_member_with_default (object, "booking_id", 0) == self->booking_id;
}

/* Handlers of the server's messages, one per type. Each gets a message
 * that is a JSON object with a string "type". */

static gboolean
validate (JsonObject       *object,
          const McJsonRule *rules,
          guint             n_rules)
{
  g_autoptr(GError) error = NULL;
  const char *bad = NULL;

  if (mc_json_validate (object, rules, n_rules, &bad, &error))
    return TRUE;

  g_debug ("ignoring a “%s” message: %s",
           json_object_get_string_member (object, "type"), error->message);
  return FALSE;
}

#define VALIDATE(object, rules) validate ((object), (rules), G_N_ELEMENTS (rules))

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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
  set_state (self, MC_SIGNALING_STATE_CONNECTED);

  begin_join (self);
}

static void
handle_joined (McSignalingClient *self,
               JsonObject        *object)
{
  static const McJsonRule rules[] = {
    { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "chat", MC_JSON_ARRAY, FALSE, 0, 0 },
  };
  gint64 booking_id;
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
  set_in_room (self, TRUE);

  if (self->media_state_set)
    {
      /* The server forgets the media state with the room (a restart, an
       * auto-end); tell it again. */
      g_autoptr(JsonObject) state = new_message (self, "media-state");

      json_object_set_boolean_member (state, "muted", self->muted);
      json_object_set_boolean_member (state, "camera_off", self->camera_off);
      send_message (self, state);
    }

  g_signal_emit (self, signals[JOINED], 0, booking_id, object);
  if (self->booking_id != booking_id || !self->in_room)
    return;

  if (mc_json_has (object, "chat"))
    chat = json_object_get_array_member (object, "chat");

  if (chat != NULL && json_array_get_length (chat) > 0)
    {
      JsonNode *first = json_array_get_element (chat, 0);
      gint64 first_seq = 0;

      if (JSON_NODE_HOLDS_OBJECT (first))
        first_seq = json_object_get_int_member_with_default (json_node_get_object (first),
                                                             "seq", 0);

      if (first_seq > self->last_seq + 1)
        {
          /* More was missed than the join brings: page through the history. */
          request_gap (self);
          return;
        }

      for (guint i = 0; i < json_array_get_length (chat); i++)
        {
          JsonNode *node = json_array_get_element (chat, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            take_chat_message (self, json_node_get_object (node));
        }
    }

  pump_outbox (self);
}

static void
handle_left (McSignalingClient *self,
             JsonObject        *object)
{
  g_signal_emit (self, signals[LEFT], 0, json_object_get_int_member_with_default (object,
                                                                                  "booking_id", 0));
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

  g_signal_emit (self, signals[PEER_JOINED], 0, self->booking_id,
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

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  g_signal_emit (self, signals[PEER_LEFT], 0, self->booking_id,
                 json_object_get_int_member (object, "user_id"),
                 json_object_get_string_member (object, "reason"));
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

  g_signal_emit (self, signals[g_str_equal (type, "offer") ? OFFER : ANSWER], 0,
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

  g_signal_emit (self, signals[ICE_CANDIDATE], 0, self->booking_id,
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
  };

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  g_signal_emit (self, signals[MEDIA_STATE], 0, self->booking_id,
                 json_object_get_int_member (object, "user_id"),
                 json_object_get_boolean_member (object, "muted"),
                 json_object_get_boolean_member (object, "camera_off"));
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
  g_autoptr(JsonObject) call = NULL;
  gint64 booking_id;

  if (!is_relay_for_room (self, object) || !VALIDATE (object, rules))
    return;

  booking_id = self->booking_id;
  if (mc_json_has (object, "call"))
    call = json_object_ref (json_object_get_object_member (object, "call"));

  forget_room (self, _("The call ended"));
  g_signal_emit (self, signals[ENDED], 0, booking_id,
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

  take_chat_message (self, json_object_get_object_member (object, "message"));
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

  acknowledge (self, json_object_get_string_member (object, "client_id"),
               json_object_get_int_member (object, "seq"), sent_at);
  pump_outbox (self);
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
  JsonArray *messages;
  gint64 last_seq;

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
            take_chat_message (self, json_node_get_object (node));
        }

      if (self->last_seq < last_seq && self->last_seq > before)
        {
          request_gap (self);
          return;
        }

      self->filling_gap = FALSE;
      pump_outbox (self);
    }
  else
    {
      g_autoptr(GPtrArray) list = NULL;

      list = g_ptr_array_new_with_free_func ((GDestroyNotify) mc_chat_message_unref);

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode *node = json_array_get_element (messages, i);
          McChatMessage *message = NULL;

          if (JSON_NODE_HOLDS_OBJECT (node))
            message = mc_chat_message_new_from_json (self->booking_id, json_node_get_object (node),
                                                     NULL);
          if (message != NULL)
            g_ptr_array_add (list, message);
        }

      g_signal_emit (self, signals[HISTORY], 0, self->booking_id, list, last_seq);
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

  g_signal_emit (self, signals[PRESENCE], 0, json_object_get_int_member (object, "booking_id"),
                 object);
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

  g_signal_emit (self, signals[BOOKING_CHANGED], 0,
                 json_object_get_object_member (object, "booking"));
}

static void
handle_join_error (McSignalingClient *self,
                   const char        *code,
                   const char        *text)
{
  self->join_sent = FALSE;

  if ((g_str_equal (code, "call_token_expired") || g_str_equal (code, "call_token_invalid")) &&
      !self->token_refreshed)
    {
      /* Tokens expire, and a server with a new secret refuses old ones: ask
       * for a new one, once per join. */
      g_clear_pointer (&self->call_token, g_free);
      begin_join (self);
      return;
    }

  if (g_str_equal (code, "rate_limited") || g_str_equal (code, "internal_error"))
    {
      schedule_rejoin (self);
      return;
    }

  forget_room (self, text);
}

static void
handle_error (McSignalingClient *self,
              JsonObject        *object)
{
  const char *code = json_object_get_string_member_with_default (object, "code", "internal_error");
  const char *text = json_object_get_string_member_with_default (object, "message", code);
  const char *request_id = json_object_get_string_member_with_default (object, "request_id", NULL);

  if (request_id != NULL && self->join_request_id != NULL &&
      g_str_equal (request_id, self->join_request_id))
    {
      handle_join_error (self, code, text);
    }
  else if (request_id != NULL && g_str_has_prefix (request_id, "chat:") &&
           (g_str_equal (code, "invalid_field") || g_str_equal (code, "payload_too_large") ||
            g_str_equal (code, "malformed_json")))
    {
      /* The server will never take this message: drop it from the outbox. */
      g_autoptr(McChatMessage) message = NULL;

      message = mc_chat_outbox_take (self->outbox, request_id + strlen ("chat:"));
      if (message != NULL)
        {
          mc_chat_message_mark_failed (message, text);
          g_signal_emit (self, signals[CHAT_STATE_CHANGED], 0, message);
          pump_outbox (self);
        }
    }
  else if (request_id != NULL && g_str_has_prefix (request_id, "gap-"))
    {
      self->filling_gap = FALSE;
    }
  else if (g_str_equal (code, "taken_over"))
    {
      /* Another connection of the same user took the room: stop here, or the
       * two would take it from each other forever. */
      self->wanted = FALSE;
      forget_room (self, text);
    }

  emit_error (self, code, text, request_id);
}

static const struct
{
  const char *type;
  void      (*handle) (McSignalingClient *self,
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

static void
send_join (McSignalingClient *self)
{
  g_autoptr(JsonObject) join = new_message (self, "join");

  g_free (self->join_request_id);
  self->join_request_id = next_request_id (self, "join");
  json_object_set_string_member (join, "call_token", self->call_token);
  json_object_set_int_member (join, "chat_after", self->last_seq);
  json_object_set_string_member (join, "request_id", self->join_request_id);
  if (self->instance != NULL)
    json_object_set_string_member (join, "instance", self->instance);

  self->join_sent = send_message (self, join);
}

/* Callbacks */

static void
call_token_received_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  McSignalingClient *self;
  const char *token;

  answer = mc_api_client_request_call_token_finish (MC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = MC_SIGNALING_CLIENT (user_data);
  self->fetching_token = FALSE;

  if (self->booking_id == 0)
    return;

  if (answer == NULL)
    {
      if (g_error_matches (error, MC_ERROR, MC_ERROR_NETWORK) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_INTERNAL) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_SERVER_BUSY) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_RATE_LIMITED) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_PROTOCOL))
        {
          schedule_rejoin (self);
          return;
        }

      /* not_participant, booking_not_confirmed, outside_join_window, …: a
       * retry will not help. */
      forget_room (self, error->message);
      emit_error (self, mc_error_code_to_string (error->code), error->message, NULL);
      return;
    }

  token = json_object_get_string_member_with_default (answer, "token", NULL);
  if (token == NULL)
    {
      schedule_rejoin (self);
      return;
    }

  g_free (self->call_token);
  self->call_token = g_strdup (token);
  self->token_refreshed = TRUE;
  begin_join (self);
}

static gboolean
rejoin_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  g_clear_pointer (&self->rejoin_source, g_source_unref);
  begin_join (self);

  return G_SOURCE_REMOVE;
}

static void
message_received_cb (SoupWebsocketConnection *connection,
                     SoupWebsocketDataType    type,
                     GBytes                  *bytes,
                     gpointer                 user_data)
{
  g_autoptr(McSignalingClient) self = g_object_ref (user_data);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  const char *kind;
  gsize length = 0;

  self->last_activity = g_get_monotonic_time ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  data = g_bytes_get_data (bytes, &length);
  object = mc_json_parse_object (data, length, &error);
  if (object == NULL)
    {
      g_debug ("%p: ignoring a message that is not a JSON object: %s", self, error->message);
      return;
    }

  kind = json_object_get_string_member_with_default (object, "type", NULL);
  if (kind == NULL)
    return;

  g_debug ("%p: ← %.*s", self, (int) MIN (length, 300), data);

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

static void
pong_received_cb (SoupWebsocketConnection *connection,
                  GBytes                  *bytes,
                  gpointer                 user_data)
{
  McSignalingClient *self = user_data;

  self->last_activity = g_get_monotonic_time ();
}

static void
connection_closed_cb (SoupWebsocketConnection *connection,
                      gpointer                 user_data)
{
  g_autoptr(McSignalingClient) self = g_object_ref (user_data);
  gushort code = soup_websocket_connection_get_close_code (connection);
  const char *reason = soup_websocket_connection_get_close_data (connection);

  g_debug ("%p: connection closed with %u (%s)", self, code, reason ? reason : "");

  if (code == 4000 || code == 4001)
    {
      self->wanted = FALSE;
      forget_room (self, code == 4000 ? _("Joined from another connection")
                                     : _("Session ended"));
      if (code == 4001)
        emit_error (self, "session_ended", reason != NULL && reason[0] != '\0' ? reason :
                                             "The session expired or was revoked", NULL);
    }

  lose_connection (self, FALSE);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  if (g_get_monotonic_time () - self->last_activity > self->dead_after_us)
    {
      g_debug ("%p: nothing from the server for %" G_GINT64_FORMAT " s: dropping the connection",
               self, self->dead_after_us / G_USEC_PER_SEC);
      lose_connection (self, TRUE);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
websocket_connected_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) handshake = NULL;
  McSignalingClient *self;
  guint status;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = MC_SIGNALING_CLIENT (user_data);
  handshake = g_steal_pointer (&self->handshake);

  if (connection == NULL)
    {
      status = soup_message_get_status (handshake);
      g_debug ("%p: cannot connect (HTTP %u): %s", self, status, error->message);

      if (status == SOUP_STATUS_UNAUTHORIZED)
        {
          /* The session token is not (or no longer) valid: only a new login
           * helps. */
          self->wanted = FALSE;
          emit_error (self, "session_invalid", "The server refused the session; log in again",
                      NULL);
          set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
          return;
        }

      if (self->state == MC_SIGNALING_STATE_CONNECTING && status == 0)
        emit_error (self, "network_error", error->message, NULL);

      set_state (self, MC_SIGNALING_STATE_RECONNECTING);
      schedule_reconnect (self);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_SIZE);
  soup_websocket_connection_set_keepalive_interval (self->connection, HEARTBEAT_DEFAULT_S);
  g_signal_connect (self->connection, "message", G_CALLBACK (message_received_cb), self);
  g_signal_connect (self->connection, "pong", G_CALLBACK (pong_received_cb), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (connection_closed_cb), self);

  self->dead_after_us = 3 * HEARTBEAT_DEFAULT_S * G_USEC_PER_SEC;
  self->last_activity = g_get_monotonic_time ();
  clear_source (&self->watchdog);
  self->watchdog = add_timeout (self, WATCHDOG_PERIOD_MS, watchdog_cb);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  begin_connect (self);

  return G_SOURCE_REMOVE;
}

static gboolean
pump_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  g_clear_pointer (&self->pump_source, g_source_unref);
  pump_outbox (self);

  return G_SOURCE_REMOVE;
}

/* Steps that the callbacks above come back to */

static void
begin_connect (McSignalingClient *self)
{
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  const char *token = mc_api_client_get_token (self->api);

  if (self->connection != NULL || self->handshake != NULL)
    return;

  url = self->url != NULL ? g_strdup (self->url) : mc_api_client_dup_signaling_url (self->api);
  self->handshake = soup_message_new ("GET", url);
  if (self->handshake == NULL)
    {
      self->wanted = FALSE;
      set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
      emit_error (self, "network_error", "The signaling address is not valid", NULL);
      return;
    }

  if (token != NULL)
    {
      authorization = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (self->handshake),
                                    "Authorization", authorization);
    }

  g_debug ("%p: connecting to %s", self, url);
  soup_session_websocket_connect_async (mc_api_client_get_session (self->api), self->handshake,
                                        NULL, NULL, G_PRIORITY_DEFAULT, self->cancellable,
                                        websocket_connected_cb, self);
}

static void
begin_join (McSignalingClient *self)
{
  if (self->booking_id == 0 || !self->welcomed || self->in_room || self->join_sent ||
      self->fetching_token || self->rejoin_source != NULL)
    return;

  if (!token_usable (self->call_token))
    {
      self->fetching_token = TRUE;
      mc_api_client_request_call_token_async (self->api, self->booking_id, self->cancellable,
                                              call_token_received_cb, self);
      return;
    }

  send_join (self);
}

static void
pump_outbox (McSignalingClient *self)
{
  McChatMessage *message;

  if (!self->in_room || self->filling_gap || self->pump_source != NULL)
    return;

  while ((message = mc_chat_outbox_peek_unsent (self->outbox)) != NULL)
    {
      g_autoptr(JsonObject) chat = NULL;
      g_autofree char *request_id = NULL;

      refill_send_tokens (self);
      if (self->send_tokens < 1 + CHAT_RESERVE)
        {
          guint wait_ms = (guint) ((1 + CHAT_RESERVE - self->send_tokens) * 1000 /
                                   SEND_RATE_PER_SECOND) + 1;

          self->pump_source = add_timeout (self, wait_ms, pump_cb);
          return;
        }

      chat = new_message (self, "chat");
      request_id = g_strconcat ("chat:", mc_chat_message_get_client_id (message), NULL);
      json_object_set_string_member (chat, "client_id", mc_chat_message_get_client_id (message));
      json_object_set_string_member (chat, "text", mc_chat_message_get_text (message));
      json_object_set_string_member (chat, "request_id", request_id);
      if (!send_message (self, chat))
        return;

      mc_chat_outbox_mark_in_flight (self->outbox);
    }
}

/* GObject overrides */

static void
mc_signaling_client_dispose (GObject *object)
{
  McSignalingClient *self = MC_SIGNALING_CLIENT (object);

  self->wanted = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->handshake);
  /* Abruptly: nobody is left to wait for a close handshake. */
  detach_connection (self, TRUE);
  clear_source (&self->reconnect_source);
  clear_source (&self->rejoin_source);
  clear_source (&self->pump_source);

  G_OBJECT_CLASS (mc_signaling_client_parent_class)->dispose (object);
}

static void
mc_signaling_client_finalize (GObject *object)
{
  McSignalingClient *self = MC_SIGNALING_CLIENT (object);

  g_clear_object (&self->api);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->call_token, g_free);
  g_clear_pointer (&self->join_request_id, g_free);
  g_clear_pointer (&self->instance, g_free);

  G_OBJECT_CLASS (mc_signaling_client_parent_class)->finalize (object);
}

static void
mc_signaling_client_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  McSignalingClient *self = MC_SIGNALING_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USER:
      g_value_set_boxed (value, self->user);
      break;

    case PROP_BOOKING_ID:
      g_value_set_int64 (value, self->booking_id);
      break;

    case PROP_IN_ROOM:
      g_value_set_boolean (value, self->in_room);
      break;

    case PROP_LAST_SEQ:
      g_value_set_int64 (value, self->last_seq);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_signaling_client_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  McSignalingClient *self = MC_SIGNALING_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API:
      self->api = g_value_dup_object (value);
      break;

    case PROP_URL:
      mc_signaling_client_set_url (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_signaling_client_class_init (McSignalingClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_signaling_client_dispose;
  object_class->finalize = mc_signaling_client_finalize;
  object_class->get_property = mc_signaling_client_get_property;
  object_class->set_property = mc_signaling_client_set_property;

  /**
   * McSignalingClient:api:
   *
   * The REST client whose session token authenticates the connection, and
   * which fetches fresh call tokens.
   */
  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, MC_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:url:
   *
   * The WebSocket address, such as the `signaling_url` of a call token
   * answer; %NULL for `api/v1/ws` below the API client's base address.
   * Takes effect at the next (re)connect.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:state:
   *
   * The state of the connection.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, MC_TYPE_SIGNALING_STATE,
                       MC_SIGNALING_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:user:
   *
   * The user the server greeted, as a #JsonObject; %NULL before the first
   * welcome.
   */
  properties[PROP_USER] =
    g_param_spec_boxed ("user", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:booking-id:
   *
   * The booking whose room the client is in or wants to be in; 0 for none.
   */
  properties[PROP_BOOKING_ID] =
    g_param_spec_int64 ("booking-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:in-room:
   *
   * Whether the client is in the room of #McSignalingClient:booking-id
   * right now. It drops to %FALSE while reconnecting.
   */
  properties[PROP_IN_ROOM] =
    g_param_spec_boolean ("in-room", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:last-seq:
   *
   * The highest chat sequence number received or acknowledged in the room.
   */
  properties[PROP_LAST_SEQ] =
    g_param_spec_int64 ("last-seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McSignalingClient::joined:
   * @self: the client
   * @booking_id: the booking
   * @message: the server's `joined` message: role, participants, call, chat
   *
   * The client is in the room, the first time and after every reconnect.
   * New chat messages of the join follow as #McSignalingClient::chat-received.
   */
  signals[JOINED] =
    g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::left:
   * @self: the client
   * @booking_id: the booking
   *
   * The server confirmed mc_signaling_client_leave().
   */
  signals[LEFT] =
    g_signal_new ("left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * McSignalingClient::peer-joined:
   * @self: the client
   * @booking_id: the booking
   * @user: the other participant
   * @muted: whether they are muted
   * @camera_off: whether their camera is off
   * @instance: (nullable): the peer's call-session id, as it gave it in its
   *   join; the same id as before means only its signaling reconnected
   *
   * The other participant came into the room, or came back on a new
   * connection.
   */
  signals[PEER_JOINED] =
    g_signal_new ("peer-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, G_TYPE_INT64, JSON_TYPE_OBJECT, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN,
                  G_TYPE_STRING);

  /**
   * McSignalingClient::peer-left:
   * @self: the client
   * @booking_id: the booking
   * @user_id: the other participant
   * @reason: `left`, `ended` or `connection_lost`
   */
  signals[PEER_LEFT] =
    g_signal_new ("peer-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING);

  /**
   * McSignalingClient::offer:
   * @self: the client
   * @booking_id: the booking
   * @from: the sender's user id
   * @sdp: the session description
   * @generation: the negotiation generation it belongs to, or 0
   */
  signals[OFFER] =
    g_signal_new ("offer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT64);

  /**
   * McSignalingClient::answer:
   * @self: the client
   * @booking_id: the booking
   * @from: the sender's user id
   * @sdp: the session description
   * @generation: the negotiation generation it belongs to, or 0
   */
  signals[ANSWER] =
    g_signal_new ("answer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT64);

  /**
   * McSignalingClient::ice-candidate:
   * @self: the client
   * @booking_id: the booking
   * @from: the sender's user id
   * @candidate: the candidate line, or "" at the end of candidates
   * @sdp_mline_index: the media line it belongs to
   * @generation: the negotiation generation it belongs to, or 0
   */
  signals[ICE_CANDIDATE] =
    g_signal_new ("ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 5, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_UINT,
                  G_TYPE_INT64);

  /**
   * McSignalingClient::media-state:
   * @self: the client
   * @booking_id: the booking
   * @user_id: the other participant
   * @muted: whether they are muted
   * @camera_off: whether their camera is off
   */
  signals[MEDIA_STATE] =
    g_signal_new ("media-state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);

  /**
   * McSignalingClient::ended:
   * @self: the client
   * @booking_id: the booking
   * @by: who ended it (a user id), or 0 when the server did
   * @call: (nullable): the final call object, with its duration
   *
   * The session ended for both participants; the client has left the room.
   */
  signals[ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::chat-received:
   * @self: the client
   * @message: a message new to this client, in sequence order
   *
   * Each message of the room's chat arrives here once: live, from the
   * history a (re)join brings, or sent by the same user elsewhere.
   */
  signals[CHAT_RECEIVED] =
    g_signal_new ("chat-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MC_TYPE_CHAT_MESSAGE);

  /**
   * McSignalingClient::chat-state-changed:
   * @self: the client
   * @message: an outgoing message
   *
   * An outgoing message was queued (pending), acknowledged by the server
   * (sent, with its sequence number) or given up (failed).
   */
  signals[CHAT_STATE_CHANGED] =
    g_signal_new ("chat-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, MC_TYPE_CHAT_MESSAGE);

  /**
   * McSignalingClient::history:
   * @self: the client
   * @booking_id: the booking
   * @messages: (element-type McChatMessage): the messages, ascending
   * @last_seq: the room's highest sequence number
   *
   * The answer to mc_signaling_client_request_history().
   */
  signals[HISTORY] =
    g_signal_new ("history", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_PTR_ARRAY, G_TYPE_INT64);

  /**
   * McSignalingClient::presence:
   * @self: the client
   * @booking_id: a booking of the user whose room the client is not in
   * @message: the `presence` message: participants and call
   *
   * Somebody joined or left that booking's call, or it ended.
   */
  signals[PRESENCE] =
    g_signal_new ("presence", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::booking-changed:
   * @self: the client
   * @booking: the booking as the user sees it now
   */
  signals[BOOKING_CHANGED] =
    g_signal_new ("booking-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::error:
   * @self: the client
   * @code: the server's error code, such as `not_in_room` or `taken_over`,
   *   or `network_error` / `session_invalid` / `session_ended` from the client
   * @message: a human-readable text
   * @request_id: (nullable): the request it answers
   *
   * The server refused something, or the connection cannot be made. A
   * refused join also clears #McSignalingClient:booking-id.
   */
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
mc_signaling_client_init (McSignalingClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->backoff_ms = BACKOFF_INITIAL_MS;
  self->rejoin_backoff_ms = BACKOFF_INITIAL_MS;
  self->dead_after_us = 3 * HEARTBEAT_DEFAULT_S * G_USEC_PER_SEC;
  self->send_tokens = SEND_BURST;
  self->send_tokens_time = g_get_monotonic_time ();
  self->outbox = mc_chat_outbox_new ();
}

/* Public API */

/**
 * mc_signaling_client_new:
 * @api: the REST client of the logged-in user
 *
 * Creates a client that is not connected yet. Its callbacks run on the
 * thread-default main context of the caller.
 *
 * Returns: (transfer full): a new #McSignalingClient
 */
McSignalingClient *
mc_signaling_client_new (McApiClient *api)
{
  g_return_val_if_fail (MC_IS_API_CLIENT (api), NULL);

  return g_object_new (MC_TYPE_SIGNALING_CLIENT, "api", api, NULL);
}

/**
 * mc_signaling_client_get_api:
 * @self: an #McSignalingClient
 *
 * Returns: (transfer none): the REST client
 */
McApiClient *
mc_signaling_client_get_api (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), NULL);

  return self->api;
}

/**
 * mc_signaling_client_get_url:
 * @self: an #McSignalingClient
 *
 * Returns: (nullable): the WebSocket address set with
 *   mc_signaling_client_set_url()
 */
const char *
mc_signaling_client_get_url (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), NULL);

  return self->url;
}

/**
 * mc_signaling_client_set_url:
 * @self: an #McSignalingClient
 * @url: (nullable): a `ws://` or `wss://` address, such as the
 *   `signaling_url` of a call token answer, or %NULL for the default
 *
 * Sets where to connect from the next (re)connect on.
 */
void
mc_signaling_client_set_url (McSignalingClient *self,
                             const char        *url)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));

  if (g_strcmp0 (self->url, url) == 0)
    return;

  g_free (self->url);
  self->url = g_strdup (url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

McSignalingState
mc_signaling_client_get_state (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), MC_SIGNALING_STATE_DISCONNECTED);

  return self->state;
}

/**
 * mc_signaling_client_get_user:
 * @self: an #McSignalingClient
 *
 * Returns: (transfer none) (nullable): the user the server greeted
 */
JsonObject *
mc_signaling_client_get_user (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), NULL);

  return self->user;
}

gint64
mc_signaling_client_get_booking_id (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), 0);

  return self->booking_id;
}

gboolean
mc_signaling_client_get_in_room (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  return self->in_room;
}

gint64
mc_signaling_client_get_last_seq (McSignalingClient *self)
{
  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), 0);

  return self->last_seq;
}

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
 * mc_signaling_client_connect:
 * @self: an #McSignalingClient
 *
 * Connects to the server and stays connected, reconnecting after every drop,
 * until mc_signaling_client_disconnect(). Follow #McSignalingClient:state;
 * a refused session ends in %MC_SIGNALING_STATE_DISCONNECTED with an
 * #McSignalingClient::error.
 */
void
mc_signaling_client_connect (McSignalingClient *self)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));

  if (self->wanted)
    return;

  self->wanted = TRUE;
  self->backoff_ms = BACKOFF_INITIAL_MS;
  set_state (self, MC_SIGNALING_STATE_CONNECTING);
  begin_connect (self);
}

/**
 * mc_signaling_client_disconnect:
 * @self: an #McSignalingClient
 *
 * Closes the connection normally and stops reconnecting. The room is kept:
 * a later mc_signaling_client_connect() joins it again.
 */
void
mc_signaling_client_disconnect (McSignalingClient *self)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));

  self->wanted = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->handshake);
  self->fetching_token = FALSE;
  clear_source (&self->reconnect_source);
  clear_source (&self->rejoin_source);

  detach_connection (self, FALSE);
  set_in_room (self, FALSE);
  set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
}

/**
 * mc_signaling_client_join:
 * @self: an #McSignalingClient
 * @booking_id: the booking whose call to join
 * @call_token: (nullable): a call token for it, or %NULL to have the client
 *   ask the REST API for one
 *
 * Joins the booking's room, now or as soon as the client is connected, and
 * again after every reconnect until mc_signaling_client_leave(). Connects
 * if needed. Success is #McSignalingClient::joined; a refusal that a new
 * token does not fix is an #McSignalingClient::error and clears
 * #McSignalingClient:booking-id.
 */
void
mc_signaling_client_join (McSignalingClient *self,
                          gint64             booking_id,
                          const char        *call_token)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));
  g_return_if_fail (booking_id > 0);

  if (self->booking_id != booking_id)
    {
      if (self->booking_id != 0)
        mc_signaling_client_leave (self);

      self->booking_id = booking_id;
      self->last_seq = 0;
      self->rejoin_backoff_ms = BACKOFF_INITIAL_MS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOOKING_ID]);
    }

  if (call_token != NULL)
    {
      g_free (self->call_token);
      self->call_token = g_strdup (call_token);
    }
  self->token_refreshed = FALSE;

  if (!self->wanted)
    mc_signaling_client_connect (self);
  else
    begin_join (self);
}

/**
 * mc_signaling_client_leave:
 * @self: an #McSignalingClient
 *
 * Leaves the room (the call goes on for the other participant) and stops
 * rejoining it. Unsent chat messages fail.
 *
 * Returns: %TRUE if a `leave` was sent to the server
 */
gboolean
mc_signaling_client_leave (McSignalingClient *self)
{
  gboolean sent = FALSE;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  if (self->booking_id == 0)
    return FALSE;

  if (self->in_room || self->join_sent)
    {
      g_autoptr(JsonObject) leave = new_message (self, "leave");

      sent = send_message (self, leave);
    }

  forget_room (self, _("Left the call"));
  return sent;
}

/**
 * mc_signaling_client_end:
 * @self: an #McSignalingClient
 *
 * Ends the session for both participants. The server answers with `ended`
 * (#McSignalingClient::ended), which also leaves the room.
 *
 * Returns: %TRUE if an `end` was sent
 */
gboolean
mc_signaling_client_end (McSignalingClient *self)
{
  g_autoptr(JsonObject) end = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  if (!self->in_room)
    return FALSE;

  end = new_message (self, "end");
  return send_message (self, end);
}

/**
 * mc_signaling_client_send_offer:
 * @self: an #McSignalingClient
 * @sdp: an SDP offer
 * @generation: the negotiation generation (see docs/call-engine.md)
 *
 * Returns: %TRUE if it was sent; only possible in the room
 */
gboolean
mc_signaling_client_send_offer (McSignalingClient *self,
                                const char        *sdp,
                                gint64             generation)
{
  g_autoptr(JsonObject) offer = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);

  offer = new_message (self, "offer");
  json_object_set_string_member (offer, "sdp", sdp);
  json_object_set_int_member (offer, "generation", generation);
  return send_relay (self, offer);
}

/**
 * mc_signaling_client_send_answer:
 * @self: an #McSignalingClient
 * @sdp: an SDP answer
 * @generation: the generation of the offer it answers
 *
 * Returns: %TRUE if it was sent; only possible in the room
 */
gboolean
mc_signaling_client_send_answer (McSignalingClient *self,
                                 const char        *sdp,
                                 gint64             generation)
{
  g_autoptr(JsonObject) answer = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);

  answer = new_message (self, "answer");
  json_object_set_string_member (answer, "sdp", sdp);
  json_object_set_int_member (answer, "generation", generation);
  return send_relay (self, answer);
}

/**
 * mc_signaling_client_send_ice_candidate:
 * @self: an #McSignalingClient
 * @candidate: a candidate line, or "" for the end of candidates
 * @sdp_mline_index: the media line it belongs to (0–63)
 * @generation: the negotiation generation it belongs to
 *
 * Returns: %TRUE if it was sent; only possible in the room
 */
gboolean
mc_signaling_client_send_ice_candidate (McSignalingClient *self,
                                        const char        *candidate,
                                        guint              sdp_mline_index,
                                        gint64             generation)
{
  g_autoptr(JsonObject) message = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (candidate != NULL, FALSE);

  message = new_message (self, "ice-candidate");
  json_object_set_string_member (message, "candidate", candidate);
  json_object_set_int_member (message, "sdp_mline_index", sdp_mline_index);
  json_object_set_int_member (message, "generation", generation);
  return send_relay (self, message);
}

/**
 * mc_signaling_client_send_media_state:
 * @self: an #McSignalingClient
 * @muted: whether the microphone is muted
 * @camera_off: whether the camera is off
 *
 * Tells the other participant. The state is remembered and sent again after
 * every rejoin.
 *
 * Returns: %TRUE if it was sent now
 */
gboolean
mc_signaling_client_send_media_state (McSignalingClient *self,
                                      gboolean           muted,
                                      gboolean           camera_off)
{
  g_autoptr(JsonObject) message = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  self->media_state_set = TRUE;
  self->muted = !!muted;
  self->camera_off = !!camera_off;

  message = new_message (self, "media-state");
  json_object_set_boolean_member (message, "muted", self->muted);
  json_object_set_boolean_member (message, "camera_off", self->camera_off);
  return send_relay (self, message);
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
  g_autoptr(McChatMessage) message = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (self->booking_id == 0)
    return NULL;

  message = mc_chat_outbox_push (self->outbox, self->booking_id, text);
  g_signal_emit (self, signals[CHAT_STATE_CHANGED], 0, message);

  pump_outbox (self);

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
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *request_id = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  request = new_message (self, "history");
  request_id = next_request_id (self, "history");
  json_object_set_int_member (request, "after", MAX (after, 0));
  json_object_set_string_member (request, "request_id", request_id);
  return send_relay (self, request);
}

/**
 * mc_signaling_client_debug_drop_connection:
 * @self: an #McSignalingClient
 *
 * For tests: closes the socket at once, without a WebSocket close frame, as
 * a crash or a network failure would. The client then reconnects as after
 * any other drop.
 */
void
mc_signaling_client_debug_drop_connection (McSignalingClient *self)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));

  if (self->connection != NULL)
    lose_connection (self, TRUE);
}

/**
 * mc_signaling_client_set_instance:
 * @self: an #McSignalingClient
 * @instance: (nullable): an id of the caller's call session
 *
 * Sent with every join, so that the peer can tell a signaling reconnect
 * (same id: the media never stopped) from a restarted call (a new id).
 */
void
mc_signaling_client_set_instance (McSignalingClient *self,
                                  const char        *instance)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));

  g_free (self->instance);
  self->instance = g_strdup (instance);
}
