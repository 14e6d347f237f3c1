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
#include "mc-test-socket.h"

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
  g_autoptr (McTestSocket) anonymous = NULL;
  g_autoptr (McTestSocket) forged = NULL;
  g_autoptr (JsonNode)     plain = NULL;
  guint                    status;

  anonymous = mc_test_socket_open (server, NULL, NULL, NULL);
  g_assert_null (anonymous->connection);
  g_assert_cmpuint (anonymous->status, ==, 401);

  forged = mc_test_socket_open (server, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
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
  g_autoptr (McTestSocket) first = mc_test_socket_open (server, token, NULL, NULL);
  g_autoptr (McTestSocket) second = mc_test_socket_open (server, token, NULL, NULL);
  g_autoptr (McTestSocket) third = NULL;
  g_autoptr (McTestSocket) again = NULL;
  g_autoptr (JsonObject)   welcome = NULL;

  g_assert_nonnull (first->connection);
  g_assert_nonnull (second->connection);

  third = mc_test_socket_open (server, token, NULL, NULL);
  g_assert_null (third->connection);
  g_assert_cmpuint (third->status, ==, 429);

  /* Closing one makes room again. */
  soup_websocket_connection_close (first->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  mc_test_wait_for (&first->closed);
  /* The server notices the close a moment after the client: ask until it
   * lets the third socket in (a bounded number of times, no fixed sleep). */
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_clear_pointer (&again, mc_test_socket_free);
      again = mc_test_socket_open (server, token, NULL, NULL);
      if (again->connection != NULL || again->status != 429)
        break;
    }
  g_assert_nonnull (again->connection);
  welcome = mc_test_socket_wait (again, "welcome");

  mc_test_server_stop (server);
}

static void
test_message_rate (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmessages-per-second=5\n"
                                                  "message-burst=5\n",
                                                  &token);
  g_autoptr (McTestSocket) socket = mc_test_socket_open (server, token, NULL, NULL);
  g_autoptr (JsonObject)   error = NULL;

  g_assert_nonnull (socket->connection);
  for (guint i = 0; i < 20; i++)
    soup_websocket_connection_send_text (socket->connection, "{\"type\":\"ping\"}");

  error = mc_test_socket_wait (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "rate_limited");
  mc_test_wait_for (&socket->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (socket->connection), ==,
                    SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  mc_test_server_stop (server);
}

static void
test_message_size (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmax-message-size=2048\n", &token);
  g_autoptr (McTestSocket) socket = mc_test_socket_open (server, token, NULL, NULL);
  g_autofree char         *padding = g_strnfill (4096, 'x');
  g_autofree char         *text = g_strdup_printf ("{\"type\":\"ping\",\"pad\":\"%s\"}", padding);
  gushort                  code;

  g_assert_nonnull (socket->connection);
  soup_websocket_connection_send_text (socket->connection, text);
  mc_test_wait_for (&socket->closed);

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
  g_autoptr (McTestSocket) socket = mc_test_socket_open (server, token, NULL, NULL);
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
  deep = mc_test_socket_wait (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (deep, "code"), ==, "malformed_json");

  soup_websocket_connection_send_binary (socket->connection, bytes, sizeof bytes);
  binary = mc_test_socket_wait (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (binary, "code"), ==, "malformed_json");

  /* Still usable. */
  soup_websocket_connection_send_text (socket->connection,
                                       "{\"type\":\"ping\",\"request_id\":\"p1\"}");
  pong = mc_test_socket_wait (socket, "pong");
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
