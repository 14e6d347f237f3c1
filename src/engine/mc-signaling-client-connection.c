/* mc-signaling-client-connection.c — the WebSocket: connecting, reconnecting, liveness
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-signaling-client.c for the whole picture. Here are the
 * connection's life — connect, back off and reconnect, drop — the pacing of
 * what is sent, and the frames that arrive.
 *
 * libsoup 3.2 answers the server's pings but does not time out on a silent
 * peer (keepalive-pong-timeout is 3.6). So the client sends its own pings
 * and a watchdog drops the connection when nothing (no message, no pong)
 * arrived for three heartbeat intervals, which is also the server's rule.
 * The drop closes the socket without a close frame: a server that does not
 * answer will not answer a close handshake either.
 */

#define G_LOG_DOMAIN "mc-signaling"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-protocol.h"

#include "mc-signaling-client-private.h"

#define WATCHDOG_PERIOD_MS 500
#define MAX_INCOMING_SIZE  (32 * 1024 * 1024)

static void     begin_connect (McSignalingClient *self);
static gboolean reconnect_cb (gpointer user_data);
static gboolean watchdog_cb (gpointer user_data);

/* Helpers */

void
mc_signaling_client_refill_send_tokens (McSignalingClient *self)
{
  gint64 now = g_get_monotonic_time ();
  double earned = (now - self->send_tokens_time) * SEND_RATE_PER_SECOND / G_USEC_PER_SEC;

  self->send_tokens = MIN (SEND_BURST, self->send_tokens + earned);
  self->send_tokens_time = now;
}

gboolean
mc_signaling_client_send_message (McSignalingClient *self,
                                  JsonObject        *object)
{
  g_autofree char *text = NULL;

  if (self->connection == NULL ||
      soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  mc_signaling_client_refill_send_tokens (self);
  self->send_tokens -= 1;

  text = mc_json_object_to_string (object);
  g_debug ("%p: → %s", self, text);
  soup_websocket_connection_send_text (self->connection, text);

  return TRUE;
}

gboolean
mc_signaling_client_send_relay (McSignalingClient *self,
                                JsonObject        *object)
{
  if (!self->in_room)
    return FALSE;

  return mc_signaling_client_send_message (self, object);
}

static void
schedule_reconnect (McSignalingClient *self)
{
  guint delay = mc_signaling_client_jitter (self->backoff_ms);

  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
  mc_signaling_client_clear_source (&self->reconnect_source);
  self->reconnect_source = mc_signaling_client_add_timeout (self, delay, reconnect_cb);
  g_debug ("%p: reconnecting in %u ms", self, delay);
}

void
mc_signaling_client_detach_connection (McSignalingClient *self,
                                       gboolean           abruptly)
{
  g_autoptr (SoupWebsocketConnection) connection = g_steal_pointer (&self->connection);

  mc_signaling_client_clear_source (&self->watchdog);
  self->welcomed = FALSE;
  self->join_sent = FALSE;
  self->filling_gap = FALSE;
  mc_chat_outbox_rewind (self->outbox);
  mc_signaling_client_clear_source (&self->pump_source);

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
  mc_signaling_client_detach_connection (self, abruptly);
  mc_signaling_client_set_in_room (self, FALSE);

  if (self->wanted)
    {
      mc_signaling_client_set_state (self, MC_SIGNALING_STATE_RECONNECTING);
      schedule_reconnect (self);
    }
  else
    {
      mc_signaling_client_set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
    }
}

/* Callbacks */

static void
message_received_cb (SoupWebsocketConnection *connection,
                     SoupWebsocketDataType    type,
                     GBytes                  *bytes,
                     gpointer                 user_data)
{
  g_autoptr (McSignalingClient) self = g_object_ref (user_data);
  g_autoptr (JsonObject)        object = NULL;
  g_autoptr (GError)            error = NULL;
  const char                   *data;
  const char                   *kind;
  gsize                         length = 0;

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

  mc_signaling_client_dispatch (self, kind, object);
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
  g_autoptr (McSignalingClient) self = g_object_ref (user_data);
  gushort                       code = soup_websocket_connection_get_close_code (connection);
  const char                   *reason = soup_websocket_connection_get_close_data (connection);

  g_debug ("%p: connection closed with %u (%s)", self, code, reason ? reason : "");

  /* 4000: taken over by another connection; 4001 to 4003: the session was
   * logged out or revoked, expired, or its account disabled. Reconnecting
   * would only be refused, so stop and say why. */
  if (code >= 4000 && code <= 4003)
    {
      self->wanted = FALSE;
      mc_signaling_client_forget_room (self, code == 4000 ? _ ("Joined from another connection")
                                                          : _ ("Session ended"));
      if (code != 4000)
        mc_signaling_client_emit_error (self,
                                        code == 4002 ? MC_ERROR_SESSION_EXPIRED
                                                     : MC_ERROR_SESSION_INVALID,
                                        reason != NULL && reason[0] != '\0' ? reason : "The session expired or was revoked", NULL);
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
  g_autoptr (SoupWebsocketConnection) connection = NULL;
  g_autoptr (GError)                  error = NULL;
  g_autoptr (SoupMessage)             handshake = NULL;
  McSignalingClient                  *self;
  guint                               status;

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
          mc_signaling_client_emit_error (self, MC_ERROR_SESSION_INVALID,
                                          "The server refused the session; log in again", NULL);
          mc_signaling_client_set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
          return;
        }

      if (self->state == MC_SIGNALING_STATE_CONNECTING && status == 0)
        mc_signaling_client_emit_error (self, MC_ERROR_NETWORK, error->message, NULL);

      mc_signaling_client_set_state (self, MC_SIGNALING_STATE_RECONNECTING);
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
  mc_signaling_client_clear_source (&self->watchdog);
  self->watchdog = mc_signaling_client_add_timeout (self, WATCHDOG_PERIOD_MS, watchdog_cb);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  begin_connect (self);

  return G_SOURCE_REMOVE;
}

/* Steps that the callbacks above come back to */

static void
begin_connect (McSignalingClient *self)
{
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  const char      *token = mc_api_client_get_token (self->api);

  if (self->connection != NULL || self->handshake != NULL)
    return;

  url = self->url != NULL ? g_strdup (self->url) : mc_api_client_dup_signaling_url (self->api);
  self->handshake = soup_message_new ("GET", url);
  if (self->handshake == NULL)
    {
      self->wanted = FALSE;
      mc_signaling_client_set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
      mc_signaling_client_emit_error (self, MC_ERROR_NETWORK, "The signaling address is not valid",
                                      NULL);
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

/* Public API */

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
  mc_signaling_client_set_state (self, MC_SIGNALING_STATE_CONNECTING);
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
  mc_signaling_client_clear_source (&self->reconnect_source);
  mc_signaling_client_clear_source (&self->rejoin_source);

  mc_signaling_client_detach_connection (self, FALSE);
  mc_signaling_client_set_in_room (self, FALSE);
  mc_signaling_client_set_state (self, MC_SIGNALING_STATE_DISCONNECTED);
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
