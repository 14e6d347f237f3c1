/* mc-test-socket.c — a signaling WebSocket to a test server, as a client
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server tests that speak the signaling protocol (limits, session life,
 * browser tickets) open their sockets here: one way to connect, to queue
 * what arrives, and to wait for a message or a close, with one timeout.
 */

#include "config.h"

#include "mc-protocol.h"
#include "mc-test-socket.h"

static void
message_cb (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *bytes,
            McTestSocket            *socket)
{
  gsize       length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonObject *object = mc_json_parse_object (data, length, NULL);

  g_assert_nonnull (object);
  g_ptr_array_add (socket->messages, object);
}

static void
closed_cb (SoupWebsocketConnection *connection,
           McTestSocket            *socket)
{
  socket->closed = TRUE;
  socket->closed_at = g_get_monotonic_time ();
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  McTestSocket *socket = user_data;

  socket->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                              &socket->error);
  if (socket->connection != NULL)
    {
      g_signal_connect (socket->connection, "message", G_CALLBACK (message_cb), socket);
      g_signal_connect (socket->connection, "closed", G_CALLBACK (closed_cb), socket);
    }
  socket->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Nothing happened within %d s", MC_TEST_SOCKET_TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

/**
 * mc_test_wait_for:
 * @flag: what to wait for
 *
 * Iterates the main context until *@flag is set; fails the test after
 * %MC_TEST_SOCKET_TIMEOUT_SECONDS.
 */
void
mc_test_wait_for (gboolean *flag)
{
  guint timeout_id = g_timeout_add_seconds (MC_TEST_SOCKET_TIMEOUT_SECONDS, timeout_cb, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
}

/**
 * mc_test_socket_open:
 * @server: the server
 * @token: (nullable): a session token, sent in Authorization as a native
 *   client does
 * @ticket: (nullable): a WebSocket ticket, put in the URL as a page does
 * @origin: (nullable): the Origin header, as a browser sends it
 *
 * Opens the signaling WebSocket and waits for the handshake. A refused
 * handshake leaves @connection %NULL and @status the HTTP status; the
 * caller checks what it expects.
 *
 * Returns: (transfer full): the socket
 */
McTestSocket *
mc_test_socket_open (McTestServer *server,
                     const char   *token,
                     const char   *ticket,
                     const char   *origin)
{
  McTestSocket           *socket = g_new0 (McTestSocket, 1);
  g_autofree char        *url = NULL;
  g_autoptr (SoupMessage) message = NULL;

  if (ticket != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (ticket, NULL, FALSE);

      url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws?ticket=%s",
                             mc_test_server_get_port (server), escaped);
    }
  else
    {
      url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws", mc_test_server_get_port (server));
    }

  message = soup_message_new ("GET", url);
  socket->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  socket->session = soup_session_new ();

  if (token != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                    authorization);
    }

  soup_session_websocket_connect_async (socket->session, message, origin, NULL,
                                        G_PRIORITY_DEFAULT, NULL, connected_cb, socket);
  mc_test_wait_for (&socket->done);
  socket->status = soup_message_get_status (message);

  return socket;
}

/**
 * mc_test_socket_free:
 * @socket: the socket
 *
 * Closes the socket normally if it is still open, and frees it.
 */
void
mc_test_socket_free (McTestSocket *socket)
{
  if (socket->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (socket->connection, socket);
      if (soup_websocket_connection_get_state (socket->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (socket->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&socket->connection);
    }
  g_clear_object (&socket->session);
  g_clear_error (&socket->error);
  g_ptr_array_unref (socket->messages);
  g_free (socket);
}

void
mc_test_socket_send (McTestSocket *socket,
                     const char   *text)
{
  soup_websocket_connection_send_text (socket->connection, text);
}

/**
 * mc_test_socket_send_printf:
 * @socket: the socket
 * @format: a printf() format for the message's text
 *
 * Sends the text made from @format and what follows.
 */
void
mc_test_socket_send_printf (McTestSocket *socket,
                            const char   *format,
                            ...)
{
  g_autofree char *text = NULL;
  va_list          args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  mc_test_socket_send (socket, text);
}

/* Waits for the first queued message whose @member is @value, takes it and
 * everything before it off the queue, and returns it. */
static JsonObject *
wait_member (McTestSocket *socket,
             const char   *member,
             const char   *value)
{
  guint timeout_id = g_timeout_add_seconds (MC_TEST_SOCKET_TIMEOUT_SECONDS, timeout_cb, NULL);

  for (;;)
    {
      for (guint i = 0; i < socket->messages->len; i++)
        {
          JsonObject *object = g_ptr_array_index (socket->messages, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (object, member, ""),
                         value) == 0)
            {
              JsonObject *found = json_object_ref (object);

              g_ptr_array_remove_range (socket->messages, 0, i + 1);
              g_source_remove (timeout_id);
              return found;
            }
        }

      if (socket->closed)
        g_error ("The socket closed (%u) while waiting for a message with %s “%s”",
                 soup_websocket_connection_get_close_code (socket->connection), member, value);
      g_main_context_iteration (NULL, TRUE);
    }
}

/**
 * mc_test_socket_wait:
 * @socket: the socket
 * @type: a message type
 *
 * Waits for a message of @type, dropping those before it; fails if the
 * socket closes first.
 *
 * Returns: (transfer full): the message
 */
JsonObject *
mc_test_socket_wait (McTestSocket *socket,
                     const char   *type)
{
  return wait_member (socket, "type", type);
}

/**
 * mc_test_socket_wait_reply:
 * @socket: the socket
 * @request_id: a request's id
 *
 * Waits for the answer to @request_id, whatever its type.
 *
 * Returns: (transfer full): the message
 */
JsonObject *
mc_test_socket_wait_reply (McTestSocket *socket,
                           const char   *request_id)
{
  return wait_member (socket, "request_id", request_id);
}

/**
 * mc_test_socket_first:
 * @socket: the socket
 * @type: the type the first message must have
 *
 * Waits for the first message (leaving it queued) and checks its type.
 *
 * Returns: (transfer full): the message
 */
JsonObject *
mc_test_socket_first (McTestSocket *socket,
                      const char   *type)
{
  guint       timeout_id = g_timeout_add_seconds (MC_TEST_SOCKET_TIMEOUT_SECONDS, timeout_cb, NULL);
  JsonObject *first;

  while (socket->messages->len == 0)
    {
      g_assert_false (socket->closed);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (timeout_id);

  first = json_object_ref (g_ptr_array_index (socket->messages, 0));
  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, type);
  return first;
}

/**
 * mc_test_socket_has:
 * @socket: the socket
 * @type: a message type
 *
 * Returns: whether a message of @type has arrived and not been taken yet
 */
gboolean
mc_test_socket_has (McTestSocket *socket,
                    const char   *type)
{
  for (guint i = 0; i < socket->messages->len; i++)
    {
      JsonObject *object = g_ptr_array_index (socket->messages, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), type) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * mc_test_socket_wait_closed:
 * @socket: the socket
 * @seconds: how long the server may take
 * @code: the close code it must give
 *
 * Waits until the server closes @socket, at most @seconds from now, and
 * checks the close code.
 */
void
mc_test_socket_wait_closed (McTestSocket *socket,
                            guint         seconds,
                            gushort       code)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  /* Wake up now and then to look at the clock. */
  guint tick_id = g_timeout_add (100, tick_cb, NULL);

  while (!socket->closed && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  if (!socket->closed)
    g_error ("The server did not close the socket within %u s (expected close code %u)",
             seconds, code);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (socket->connection), ==, code);
}
