/* mcs-connection.c — one client's WebSocket
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wraps a SoupWebsocketConnection with what the protocol needs around it:
 * JSON in and out, a token bucket that limits messages per second, and a
 * liveness check. libsoup 3.2 has no pong timeout, so the connection
 * tracks the last sign of life (a pong or any message) itself, and the
 * hub, which walks all connections every second anyway, drops those silent
 * for dead-after seconds (mcs_connection_is_silent ()) and has the others
 * ping every heartbeat-interval seconds (mcs_connection_keep_alive (),
 * through the McsWsGuard: libsoup's own keepalive is a timer per
 * connection). One timer for all connections, not two each: every source
 * costs every main-loop iteration a little, and a server holds thousands
 * of connections.
 * The limits libsoup cannot keep (a message's size over its fragments, the
 * number of pings) are kept by the McsWsGuard under the WebSocket, which
 * reports a violation here to be closed with its code.
 *
 * Signals:
 *   message (JsonObject *object, const char *raw_type): a valid JSON object
 *   gone (gboolean lost): the connection is over; @lost is TRUE when it
 *     died without a clean close (a crash, a network cut, a timeout).
 * "gone" is emitted exactly once.
 */

#define G_LOG_DOMAIN "mcs-connection"

#include <string.h>

#include "mcs-connection.h"
#include "mcs-views.h"
#include "mcs-ws-guard.h"

struct _McsConnection
{
  GObject parent_instance;

  SoupWebsocketConnection *websocket;
  McsWsGuard              *guard; /* under the WebSocket, or NULL */
  McsUser                 *user;
  GBytes                  *text; /* the message being handled, during "message" */
  gint64                   session_id;
  gint64                   room;               /* booking id, or 0 */
  gint64                   session_expires_at; /* Unix time, or 0 for never */

  /* Limits */
  double tokens;
  double rate;
  double burst;
  gint64 last_refill; /* monotonic µs */
  gint64 last_seen;   /* monotonic µs */
  gint64 dead_after;  /* µs */
  gint64 heartbeat;   /* µs between our pings */
  gint64 last_ping;   /* monotonic µs */

  guint gone : 1;
  guint closing : 1;
};

G_DEFINE_TYPE (McsConnection, mcs_connection, G_TYPE_OBJECT)

enum
{
  MESSAGE,
  GONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
become_gone (McsConnection *self,
             gboolean       lost)
{
  if (self->gone)
    return;

  self->gone = TRUE;

  g_object_ref (self);
  g_signal_emit (self, signals[GONE], 0, lost);
  g_object_unref (self);
}

static gboolean
take_token (McsConnection *self)
{
  gint64 now = g_get_monotonic_time ();

  self->tokens = MIN (self->burst,
                      self->tokens + (now - self->last_refill) * self->rate / G_USEC_PER_SEC);
  self->last_refill = now;

  if (self->tokens < 1.0)
    return FALSE;

  self->tokens -= 1.0;
  return TRUE;
}

static void
websocket_message_cb (SoupWebsocketConnection *websocket,
                      SoupWebsocketDataType    type,
                      GBytes                  *bytes,
                      McsConnection           *self)
{
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *bad_member = NULL;
  const char            *data;
  gsize                  length;

  if (self->gone || self->closing)
    return;

  self->last_seen = g_get_monotonic_time ();

  if (!take_token (self))
    {
      mcs_connection_send_error (self, MC_ERROR_RATE_LIMITED,
                                 "Too many messages; the connection is closed", NULL, NULL);
      mcs_connection_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "rate limited");
      return;
    }

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      mcs_connection_send_error (self, MC_ERROR_MALFORMED_JSON,
                                 "Send JSON objects in text frames", NULL, NULL);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  object = mc_json_parse_object_full (data, length, &bad_member, &error);
  if (object == NULL)
    {
      g_autoptr (JsonObject) extra = NULL;

      /* A string that is not text (NUL, an unpaired surrogate) in a
       * well-formed message is invalid_field, naming the member. */
      if (bad_member != NULL)
        {
          extra = json_object_new ();
          json_object_set_string_member (extra, "field", bad_member);
        }
      mcs_connection_send_error (self, error->code, error->message, NULL, extra);
      return;
    }

  /* The text itself stays at hand for the handlers, which may relay it
   * as it is (mcs_connection_get_message_text ()). */
  self->text = bytes;
  g_signal_emit (self, signals[MESSAGE], 0, object);
  self->text = NULL;
}

/* The client broke a limit that McsWsGuard keeps under libsoup: a message
 * over max-message-size across its fragments (1009), or a flood of pings
 * (1008). The guard passes nothing but close frames from now on. */
static void
guard_violation_cb (McsWsGuard    *guard,
                    guint          code,
                    const char    *reason,
                    McsConnection *self)
{
  g_message ("Closing the WebSocket of %s: %s", self->user->username, reason);
  if (code == SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION)
    mcs_connection_send_error (self, MC_ERROR_RATE_LIMITED,
                               "Too many pings; the connection is closed", NULL, NULL);
  mcs_connection_close (self, code, reason);
}

static void
websocket_pong_cb (SoupWebsocketConnection *websocket,
                   GBytes                  *message,
                   McsConnection           *self)
{
  self->last_seen = g_get_monotonic_time ();
}

static void
websocket_closed_cb (SoupWebsocketConnection *websocket,
                     McsConnection           *self)
{
  gushort code = soup_websocket_connection_get_close_code (websocket);

  /* A client that says goodbye (1000 or 1001) left; anything else, including
   * no close frame at all (1006), lost its connection. A close we started
   * is never "lost": we already know why it happened. */
  become_gone (self, !self->closing &&
                       code != SOUP_WEBSOCKET_CLOSE_NORMAL &&
                       code != SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static void
websocket_error_cb (SoupWebsocketConnection *websocket,
                    GError                  *error,
                    McsConnection           *self)
{
  g_debug ("WebSocket of %s: %s", self->user->username, error->message);
}

static void
mcs_connection_dispose (GObject *object)
{
  McsConnection *self = (McsConnection *) object;

  if (self->guard != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->guard, self);
      g_clear_object (&self->guard);
    }
  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&self->websocket);
    }

  G_OBJECT_CLASS (mcs_connection_parent_class)->dispose (object);
}

static void
mcs_connection_finalize (GObject *object)
{
  McsConnection *self = (McsConnection *) object;

  g_clear_pointer (&self->user, mcs_user_free);

  G_OBJECT_CLASS (mcs_connection_parent_class)->finalize (object);
}

static void
mcs_connection_class_init (McsConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mcs_connection_dispose;
  object_class->finalize = mcs_connection_finalize;

  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[GONE] = g_signal_new ("gone", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
mcs_connection_init (McsConnection *self)
{
}

/**
 * mcs_connection_new:
 * @websocket: an open WebSocket
 * @user: the authenticated user
 * @session_id: the session it authenticated with
 * @config: the limits
 *
 * Returns: (transfer full): the connection
 */
McsConnection *
mcs_connection_new (SoupWebsocketConnection *websocket,
                    const McsUser           *user,
                    gint64                   session_id,
                    const McsConfig         *config)
{
  McsConnection *self = g_object_new (MCS_TYPE_CONNECTION, NULL);
  GIOStream     *stream;

  self->websocket = g_object_ref (websocket);
  self->user = mcs_user_copy (user);
  self->session_id = session_id;
  self->rate = config->messages_per_second;
  self->burst = config->message_burst;
  self->tokens = self->burst;
  self->last_refill = self->last_seen = g_get_monotonic_time ();
  self->dead_after = (gint64) config->dead_after * G_USEC_PER_SEC;
  self->heartbeat = (gint64) config->heartbeat_interval * G_USEC_PER_SEC;
  self->last_ping = self->last_seen;

  g_signal_connect (websocket, "message", G_CALLBACK (websocket_message_cb), self);
  g_signal_connect (websocket, "pong", G_CALLBACK (websocket_pong_cb), self);
  g_signal_connect (websocket, "closed", G_CALLBACK (websocket_closed_cb), self);
  g_signal_connect (websocket, "error", G_CALLBACK (websocket_error_cb), self);

  stream = soup_websocket_connection_get_io_stream (websocket);
  if (MCS_IS_WS_GUARD (stream))
    {
      self->guard = g_object_ref (MCS_WS_GUARD (stream));
      g_signal_connect (self->guard, "violation", G_CALLBACK (guard_violation_cb), self);
    }

  /* The guard pings when the hub says so; without one, libsoup's timer. */
  g_object_set (websocket,
                "keepalive-interval", self->guard != NULL ? 0 : config->heartbeat_interval,
                "max-incoming-payload-size", (guint64) config->max_message_size,
                NULL);

  return self;
}

const McsUser *
mcs_connection_get_user (McsConnection *self)
{
  return self->user;
}

gint64
mcs_connection_get_session_id (McsConnection *self)
{
  return self->session_id;
}

/**
 * mcs_connection_get_room:
 * @self: a connection
 *
 * Returns: the booking whose room the connection is in, or 0
 */
gint64
mcs_connection_get_room (McsConnection *self)
{
  return self->room;
}

void
mcs_connection_set_room (McsConnection *self,
                         gint64         booking_id)
{
  self->room = booking_id;
}

gboolean
mcs_connection_is_open (McsConnection *self)
{
  return !self->gone && !self->closing &&
         soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN;
}

/**
 * mcs_connection_send:
 * @self: a connection
 * @message: a protocol message
 *
 * Sends @message if the connection is still open; otherwise drops it.
 */
void
mcs_connection_send (McsConnection *self,
                     JsonObject    *message)
{
  g_autofree char *text = NULL;

  if (!mcs_connection_is_open (self))
    return;

  text = mc_json_object_to_string (message);

  /* libsoup refuses (with a critical) and drops text that is not UTF-8.
   * The store hands out only valid text and clients can send no other, so
   * this is the last line: a message with a bad byte arrives, with U+FFFD
   * in its place, rather than not at all. */
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);

      g_debug ("An outgoing message was not valid UTF-8");
      g_free (text);
      text = g_steal_pointer (&valid);
    }

  soup_websocket_connection_send_text (self->websocket, text);
}

/**
 * mcs_connection_get_message_text:
 * @self: a connection
 * @length: (out): its length in bytes
 *
 * The text of the message being handled, while its "message" signal runs:
 * strict JSON and valid UTF-8, as the checks before the signal made sure.
 *
 * Returns: (nullable): the text, or %NULL outside the signal
 */
const char *
mcs_connection_get_message_text (McsConnection *self,
                                 gsize         *length)
{
  if (self->text == NULL)
    return NULL;

  return g_bytes_get_data (self->text, length);
}

/**
 * mcs_connection_send_text:
 * @self: a connection
 * @text: a protocol message as JSON text, valid UTF-8
 *
 * Sends @text if the connection is still open; otherwise drops it.
 */
void
mcs_connection_send_text (McsConnection *self,
                          const char    *text)
{
  if (!mcs_connection_is_open (self))
    return;

  soup_websocket_connection_send_text (self->websocket, text);
}

static void
send_error (McsConnection *self,
            const char    *code,
            const char    *message,
            const char    *request_id,
            JsonObject    *extra)
{
  g_autoptr (JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "type", "error");
  json_object_set_string_member (object, "code", code);
  json_object_set_string_member (object, "message", message);
  if (request_id != NULL)
    json_object_set_string_member (object, "request_id", request_id);

  mcs_view_merge_members (object, extra, NULL);

  mcs_connection_send (self, object);
}

void
mcs_connection_send_error (McsConnection *self,
                           McErrorCode    code,
                           const char    *message,
                           const char    *request_id,
                           JsonObject    *extra)
{
  send_error (self, mc_error_code_to_string (code), message, request_id, extra);
}

/**
 * mcs_connection_close:
 * @self: a connection
 * @code: a close code
 * @reason: (nullable): a short reason
 *
 * Closes the WebSocket; "gone" follows with lost = %FALSE.
 */
void
mcs_connection_close (McsConnection *self,
                      gushort        code,
                      const char    *reason)
{
  if (self->closing || self->gone)
    return;

  self->closing = TRUE;
  if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->websocket, code, reason);
  else
    become_gone (self, FALSE);
}

/**
 * mcs_connection_set_session_expiry:
 * @self: a connection
 * @expires_at: when the session it authenticated with expires (Unix
 *   time), or 0 for never
 *
 * The hub closes the connection when that time has come: a session
 * checked once at the handshake must not outlive its expiry on a socket.
 */
void
mcs_connection_set_session_expiry (McsConnection *self,
                                   gint64         expires_at)
{
  self->session_expires_at = expires_at;
}

gint64
mcs_connection_get_session_expiry (McsConnection *self)
{
  return self->session_expires_at;
}

/**
 * mcs_connection_is_silent:
 * @self: a connection
 * @now: the monotonic time
 *
 * Returns: whether the peer has given no sign of life (a message or a
 *   pong) for dead-after seconds, and the connection is not gone yet
 */
gboolean
mcs_connection_is_silent (McsConnection *self,
                          gint64         now)
{
  return !self->gone && now - self->last_seen >= self->dead_after;
}

/**
 * mcs_connection_drop_silent:
 * @self: a connection mcs_connection_is_silent () said is silent
 *
 * Reports it gone (lost), then closes it as having timed out.
 */
void
mcs_connection_drop_silent (McsConnection *self)
{
  g_message ("Connection of %s went silent; dropping it", self->user->username);

  /* Report first: the close below may take a while on a dead link. Whoever
   * handles "gone" may drop its reference, and dispose lets go of the
   * WebSocket, so hold on to ourselves and check. */
  g_object_ref (self);
  become_gone (self, TRUE);
  if (self->websocket != NULL &&
      soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "timeout");
  g_object_unref (self);
}

/**
 * mcs_connection_keep_alive:
 * @self: a connection
 * @now: the monotonic time
 *
 * Pings the client if heartbeat-interval has passed since the last ping;
 * the hub calls this for every connection once a second.
 */
void
mcs_connection_keep_alive (McsConnection *self,
                           gint64         now)
{
  if (self->guard == NULL || now - self->last_ping < self->heartbeat ||
      !mcs_connection_is_open (self))
    return;

  /* A ping that must wait (a frame half written, a full socket) is tried
   * again at the next walk. */
  if (mcs_ws_guard_send_ping (self->guard))
    self->last_ping = now;
}
