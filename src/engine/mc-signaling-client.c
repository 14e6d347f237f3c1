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
 * The client is split by concern, and mc-signaling-client-private.h
 * declares what the parts share. This file holds the object, its properties
 * and signals, and the helpers every part uses;
 * mc-signaling-client-connection.c the WebSocket, reconnecting and the
 * liveness watchdog; mc-signaling-client-room.c joining, rejoining, leaving
 * and ending the room and what is relayed in it; mc-signaling-client-chat.c
 * the outbox and incoming chat; mc-signaling-client-messages.c the handlers
 * of the server's messages.
 */

#define G_LOG_DOMAIN "mc-signaling"

#include "config.h"

#include "mc-protocol.h"

#include "mc-signaling-client-private.h"

G_DEFINE_ENUM_TYPE (McSignalingState, mc_signaling_state, G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_DISCONNECTED, "disconnected"), G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_CONNECTING, "connecting"), G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_CONNECTED, "connected"), G_DEFINE_ENUM_VALUE (MC_SIGNALING_STATE_RECONNECTING, "reconnecting"))

G_DEFINE_FINAL_TYPE (McSignalingClient, mc_signaling_client, G_TYPE_OBJECT)

GParamSpec *mc_signaling_client_properties[N_PROPS];
guint       mc_signaling_client_signals[N_SIGNALS];

/* Helpers every part uses */

void
mc_signaling_client_set_state (McSignalingClient *self,
                               McSignalingState   state)
{
  if (self->state == state)
    return;

  g_debug ("%p: state %d → %d", self, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_STATE]);
}

void
mc_signaling_client_set_in_room (McSignalingClient *self,
                                 gboolean           in_room)
{
  if (self->in_room == in_room)
    return;

  self->in_room = in_room;
  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_IN_ROOM]);
}

void
mc_signaling_client_clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

GSource *
mc_signaling_client_add_timeout (McSignalingClient *self,
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
guint
mc_signaling_client_jitter (guint delay_ms)
{
  return (guint) (delay_ms * g_random_double_range (0.8, 1.2));
}

char *
mc_signaling_client_next_request_id (McSignalingClient *self,
                                     const char        *prefix)
{
  return g_strdup_printf ("%s-%u", prefix, ++self->request_serial);
}

JsonObject *
mc_signaling_client_new_message (McSignalingClient *self,
                                 const char        *type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  if (self->booking_id != 0)
    json_object_set_int_member (object, "booking_id", self->booking_id);

  return object;
}

void
mc_signaling_client_emit_error (McSignalingClient *self,
                                McErrorCode        code,
                                const char        *message,
                                const char        *request_id)
{
  g_debug ("%p: error %s: %s (%s)", self, mc_error_code_to_string (code), message,
           request_id ? request_id : "-");
  g_signal_emit (self, mc_signaling_client_signals[ERROR], 0, (int) code, message, request_id);
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
  mc_signaling_client_detach_connection (self, TRUE);
  mc_signaling_client_clear_source (&self->reconnect_source);
  mc_signaling_client_clear_source (&self->rejoin_source);
  mc_signaling_client_clear_source (&self->pump_source);

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
  mc_signaling_client_properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, MC_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:url:
   *
   * The WebSocket address, such as the `signaling_url` of a call token
   * answer; %NULL for `api/v1/ws` below the API client's base address.
   * Takes effect at the next (re)connect.
   */
  mc_signaling_client_properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:state:
   *
   * The state of the connection.
   */
  mc_signaling_client_properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, MC_TYPE_SIGNALING_STATE,
                       MC_SIGNALING_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:user:
   *
   * The user the server greeted, as a #JsonObject; %NULL before the first
   * welcome.
   */
  mc_signaling_client_properties[PROP_USER] =
    g_param_spec_boxed ("user", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:booking-id:
   *
   * The booking whose room the client is in or wants to be in; 0 for none.
   */
  mc_signaling_client_properties[PROP_BOOKING_ID] =
    g_param_spec_int64 ("booking-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:in-room:
   *
   * Whether the client is in the room of #McSignalingClient:booking-id
   * right now. It drops to %FALSE while reconnecting.
   */
  mc_signaling_client_properties[PROP_IN_ROOM] =
    g_param_spec_boolean ("in-room", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McSignalingClient:last-seq:
   *
   * The highest chat sequence number received or acknowledged in the room.
   */
  mc_signaling_client_properties[PROP_LAST_SEQ] =
    g_param_spec_int64 ("last-seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, mc_signaling_client_properties);

  /**
   * McSignalingClient::joined:
   * @self: the client
   * @booking_id: the booking
   * @message: the server's `joined` message: role, participants, call, chat
   *
   * The client is in the room, the first time and after every reconnect.
   * New chat messages of the join follow as #McSignalingClient::chat-received.
   */
  mc_signaling_client_signals[JOINED] =
    g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::left:
   * @self: the client
   * @booking_id: the booking
   *
   * The server confirmed mc_signaling_client_leave().
   */
  mc_signaling_client_signals[LEFT] =
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
  mc_signaling_client_signals[PEER_JOINED] =
    g_signal_new ("peer-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, G_TYPE_INT64, JSON_TYPE_OBJECT, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN,
                  G_TYPE_STRING);

  /**
   * McSignalingClient::peer-left:
   * @self: the client
   * @booking_id: the booking
   * @user_id: the other participant
   * @reason: why, as a #McLeaveReason (a reason this client does not know
   *   arrives as %MC_LEAVE_REASON_LEFT: the peer is gone either way)
   */
  mc_signaling_client_signals[PEER_LEFT] =
    g_signal_new ("peer-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT);

  /**
   * McSignalingClient::offer:
   * @self: the client
   * @booking_id: the booking
   * @from: the sender's user id
   * @sdp: the session description
   * @generation: the negotiation generation it belongs to, or 0
   */
  mc_signaling_client_signals[OFFER] =
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
  mc_signaling_client_signals[ANSWER] =
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
  mc_signaling_client_signals[ICE_CANDIDATE] =
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
   * @screen: whether they send their screen instead of the camera
   */
  mc_signaling_client_signals[MEDIA_STATE] =
    g_signal_new ("media-state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN,
                  G_TYPE_BOOLEAN);

  /**
   * McSignalingClient::ended:
   * @self: the client
   * @booking_id: the booking
   * @by: who ended it (a user id), or 0 when the server did
   * @call: (nullable): the final call object, with its duration
   *
   * The session ended for both participants; the client has left the room.
   */
  mc_signaling_client_signals[ENDED] =
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
  mc_signaling_client_signals[CHAT_RECEIVED] =
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
  mc_signaling_client_signals[CHAT_STATE_CHANGED] =
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
  mc_signaling_client_signals[HISTORY] =
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
  mc_signaling_client_signals[PRESENCE] =
    g_signal_new ("presence", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::booking-changed:
   * @self: the client
   * @booking: the booking as the user sees it now
   */
  mc_signaling_client_signals[BOOKING_CHANGED] =
    g_signal_new ("booking-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  /**
   * McSignalingClient::error:
   * @self: the client
   * @code: the #McErrorCode: the server's (%MC_ERROR_NOT_IN_ROOM,
   *   %MC_ERROR_TAKEN_OVER, …; one this client does not know arrives as
   *   %MC_ERROR_PROTOCOL), or the client's own: %MC_ERROR_NETWORK when the
   *   server cannot be reached, %MC_ERROR_SESSION_INVALID when it refused
   *   the session or revoked it, %MC_ERROR_SESSION_EXPIRED when it expired
   * @message: a human-readable text
   * @request_id: (nullable): the request it answers
   *
   * The server refused something, or the connection cannot be made. A
   * refused join also clears #McSignalingClient:booking-id.
   */
  mc_signaling_client_signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING);
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
  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_URL]);
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
