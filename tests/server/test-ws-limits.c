/* test-ws-limits.c — the WebSocket endpoint's handshake checks and limits
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain libsoup WebSockets against the real server, with the limits set
 * low in its configuration: connections per user, message rate, message
 * size, JSON nesting, binary frames, and handshakes that are not allowed.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

#define TIMEOUT_SECONDS 20

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GError                  *error;
  guint                    status;
  GPtrArray               *messages; /* JsonObject */
  gboolean                 closed;
  gboolean                 done;
} Socket;

static void
socket_message_cb (SoupWebsocketConnection *connection,
                   SoupWebsocketDataType    type,
                   GBytes                  *bytes,
                   Socket                  *socket)
{
  gsize       length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonObject *object = mc_json_parse_object (data, length, NULL);

  g_assert_nonnull (object);
  g_ptr_array_add (socket->messages, object);
}

static void
socket_closed_cb (SoupWebsocketConnection *connection,
                  Socket                  *socket)
{
  socket->closed = TRUE;
}

static void
socket_connected_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Socket *socket = user_data;

  socket->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                              &socket->error);
  if (socket->connection != NULL)
    {
      g_signal_connect (socket->connection, "message", G_CALLBACK (socket_message_cb), socket);
      g_signal_connect (socket->connection, "closed", G_CALLBACK (socket_closed_cb), socket);
    }
  socket->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Nothing happened within %d s", TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@flag is set. */
static void
wait_for (gboolean *flag)
{
  guint timeout_id = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
}

/* Opens a WebSocket with @token (or none); on a refused handshake the
 * socket has no connection and @status holds the HTTP status. */
static Socket *
socket_open (McTestServer *server,
             const char   *token)
{
  Socket                 *socket = g_new0 (Socket, 1);
  g_autofree char        *url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws",
                                                 mc_test_server_get_port (server));
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);

  socket->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  socket->session = soup_session_new ();

  if (token != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }

  soup_session_websocket_connect_async (socket->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, socket_connected_cb, socket);
  wait_for (&socket->done);
  socket->status = soup_message_get_status (message);

  return socket;
}

static void
socket_free (Socket *socket)
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Socket, socket_free)

/* Waits for a message of @type and returns it. */
static JsonObject *
socket_wait (Socket     *socket,
             const char *type)
{
  guint timeout_id = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, NULL);

  for (;;)
    {
      for (guint i = 0; i < socket->messages->len; i++)
        {
          JsonObject *object = g_ptr_array_index (socket->messages, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""),
                         type) == 0)
            {
              JsonObject *found = json_object_ref (object);

              g_ptr_array_remove_range (socket->messages, 0, i + 1);
              g_source_remove (timeout_id);
              return found;
            }
        }

      g_assert_false (socket->closed);
      g_main_context_iteration (NULL, TRUE);
    }
}

static McTestServer *
start_server (const char *overrides,
              char      **token)
{
  McTestServer *server = mc_test_server_start_new (overrides);

  mc_test_create_pair (server, NULL, NULL);
  *token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  return server;
}

static void
test_handshake_refusals (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autoptr (Socket)       anonymous = NULL;
  g_autoptr (Socket)       forged = NULL;
  g_autoptr (JsonNode)     plain = NULL;
  guint                    status;

  anonymous = socket_open (server, NULL);
  g_assert_null (anonymous->connection);
  g_assert_cmpuint (anonymous->status, ==, 401);

  forged = socket_open (server, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  g_assert_null (forged->connection);
  g_assert_cmpuint (forged->status, ==, 401);

  /* An ordinary GET of the WebSocket path is not a handshake. */
  plain = mc_test_request (server, "GET", "/api/v1/ws", token, NULL, &status);
  mc_test_assert_error (plain, status, 400, "bad_request");

  mc_test_server_stop (server);
}

static void
test_connections_per_user (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmax-connections-per-user=2\n",
                                                  &token);
  g_autoptr (Socket)       first = socket_open (server, token);
  g_autoptr (Socket)       second = socket_open (server, token);
  g_autoptr (Socket)       third = NULL;
  g_autoptr (Socket)       again = NULL;
  g_autoptr (JsonObject)   welcome = NULL;

  g_assert_nonnull (first->connection);
  g_assert_nonnull (second->connection);

  third = socket_open (server, token);
  g_assert_null (third->connection);
  g_assert_cmpuint (third->status, ==, 429);

  /* Closing one makes room again. */
  soup_websocket_connection_close (first->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  wait_for (&first->closed);
  /* The server notices the close a moment after the client: ask until it
   * lets the third socket in (a bounded number of times, no fixed sleep). */
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_clear_pointer (&again, socket_free);
      again = socket_open (server, token);
      if (again->connection != NULL || again->status != 429)
        break;
    }
  g_assert_nonnull (again->connection);
  welcome = socket_wait (again, "welcome");

  mc_test_server_stop (server);
}

static void
test_message_rate (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmessages-per-second=5\n"
                                                  "message-burst=5\n",
                                                  &token);
  g_autoptr (Socket)       socket = socket_open (server, token);
  g_autoptr (JsonObject)   error = NULL;

  g_assert_nonnull (socket->connection);
  for (guint i = 0; i < 20; i++)
    soup_websocket_connection_send_text (socket->connection, "{\"type\":\"ping\"}");

  error = socket_wait (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "rate_limited");
  wait_for (&socket->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (socket->connection), ==,
                    SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  mc_test_server_stop (server);
}

static void
test_message_size (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmax-message-size=2048\n", &token);
  g_autoptr (Socket)       socket = socket_open (server, token);
  g_autofree char         *padding = g_strnfill (4096, 'x');
  g_autofree char         *text = g_strdup_printf ("{\"type\":\"ping\",\"pad\":\"%s\"}", padding);
  gushort                  code;

  g_assert_nonnull (socket->connection);
  soup_websocket_connection_send_text (socket->connection, text);
  wait_for (&socket->closed);

  /* libsoup sends 1009 and drops the connection at once, without reading
   * the rest of the frame; the kernel may then reset the connection before
   * the close frame is read, which the client sees as an abnormal close. */
  code = soup_websocket_connection_get_close_code (socket->connection);
  g_assert_true (code == SOUP_WEBSOCKET_CLOSE_TOO_BIG || code == 0 ||
                 code == SOUP_WEBSOCKET_CLOSE_ABNORMAL);

  mc_test_server_stop (server);
}

static void
test_hostile_frames (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autoptr (Socket)       socket = socket_open (server, token);
  g_autoptr (JsonObject)   deep = NULL;
  g_autoptr (JsonObject)   binary = NULL;
  g_autoptr (JsonObject)   pong = NULL;
  g_autoptr (GString)      nested = g_string_new ("{\"type\":\"ping\",\"x\":");
  static const guint8      bytes[] = { 0x00, 0xff, 0x7b, 0x7d };

  g_assert_nonnull (socket->connection);

  /* 100 000 levels would exhaust a recursive parser's stack. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (nested, '[');
  soup_websocket_connection_send_text (socket->connection, nested->str);
  deep = socket_wait (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (deep, "code"), ==, "malformed_json");

  soup_websocket_connection_send_binary (socket->connection, bytes, sizeof bytes);
  binary = socket_wait (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (binary, "code"), ==, "malformed_json");

  /* Still usable. */
  soup_websocket_connection_send_text (socket->connection,
                                       "{\"type\":\"ping\",\"request_id\":\"p1\"}");
  pong = socket_wait (socket, "pong");
  g_assert_cmpstr (json_object_get_string_member (pong, "request_id"), ==, "p1");

  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/ws/handshake-refusals", test_handshake_refusals);
  g_test_add_func ("/server/ws/connections-per-user", test_connections_per_user);
  g_test_add_func ("/server/ws/message-rate", test_message_rate);
  g_test_add_func ("/server/ws/message-size", test_message_size);
  g_test_add_func ("/server/ws/hostile-frames", test_hostile_frames);

  return g_test_run ();
}
