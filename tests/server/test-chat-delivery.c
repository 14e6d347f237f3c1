/* test-chat-delivery.c — chat reaches every connection in the room
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A message the student posts from another of their clients (over HTTP:
 * a phone, a browser tab outside the call) reaches the student's own
 * connection in the room as well as the mentor's; posted again with the
 * same client_id it is stored and delivered once; a message sent over the
 * room's WebSocket is acknowledged to its sender and not echoed to it.
 * Against the real mentorcall-server on 127.0.0.1.
 */

#include <string.h>

#include "mc-protocol.h"
#include "mc-test-server.h"
#include "mc-test-socket.h"

static McTestSocket *
join_lesson (McTestServer *server,
             const char   *token,
             gint64        booking_id)
{
  McTestSocket          *socket = mc_test_socket_open (server, token, NULL, NULL);
  g_autofree char       *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                                 booking_id);
  g_autoptr (JsonNode)   node = NULL;
  g_autoptr (JsonObject) welcome = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autofree char       *join = NULL;
  guint                  status;

  g_assert_nonnull (socket->connection);
  welcome = mc_test_socket_wait (socket, "welcome");
  node = mc_test_request (server, "POST", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  join = g_strdup_printf ("{\"type\":\"join\",\"booking_id\":%" G_GINT64_FORMAT
                          ",\"call_token\":\"%s\",\"request_id\":\"j\"}",
                          booking_id, mc_test_get_string (mc_test_object (node), "token"));
  mc_test_socket_send (socket, join);
  joined = mc_test_socket_wait (socket, "joined");

  return socket;
}

static const char *
chat_client_id (JsonObject *chat)
{
  return json_object_get_string_member (json_object_get_object_member (chat, "message"),
                                        "client_id");
}

static gint64
chat_sender (JsonObject *chat)
{
  JsonObject *message = json_object_get_object_member (chat, "message");

  return json_object_get_int_member (json_object_get_object_member (message, "sender"), "id");
}

static void
test_same_account (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McTestSocket) mentor = NULL;
  g_autoptr (McTestSocket) student = NULL;
  g_autoptr (JsonObject)   chat = NULL;
  g_autoptr (JsonObject)   ack = NULL;
  g_autoptr (JsonNode)     node = NULL;
  g_autofree char         *mentor_token = NULL;
  g_autofree char         *student_token = NULL;
  g_autofree char         *path = NULL;
  gint64                   mentor_id, student_id, booking_id;
  guint                    status;

  mc_test_create_pair (server, &mentor_id, &student_id);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                                       "confirmed");
  mentor_token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  student_token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mentor = join_lesson (server, mentor_token, booking_id);
  student = join_lesson (server, student_token, booking_id);

  /* From the student's phone, over HTTP, with a session of its own. */
  {
    g_autofree char *phone_token = mc_test_login (server, MC_TEST_STUDENT,
                                                  MC_TEST_STUDENT_PASSWORD);

    path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages", booking_id);
    node = mc_test_request (server, "POST", path, phone_token,
                            "{\"client_id\":\"phone-1\",\"text\":\"From my phone\"}", &status);
    g_assert_cmpuint (status, ==, 201);
    g_clear_pointer (&node, json_node_unref);

    /* Both connections in the room have it, the student's own too. */
    chat = mc_test_socket_wait (student, "chat");
    g_assert_cmpstr (chat_client_id (chat), ==, "phone-1");
    g_assert_cmpint (chat_sender (chat), ==, student_id);
    g_clear_pointer (&chat, json_object_unref);
    chat = mc_test_socket_wait (mentor, "chat");
    g_assert_cmpstr (chat_client_id (chat), ==, "phone-1");
    g_clear_pointer (&chat, json_object_unref);

    /* Posted again (the phone retried): stored and delivered once. */
    node = mc_test_request (server, "POST", path, phone_token,
                            "{\"client_id\":\"phone-1\",\"text\":\"From my phone\"}", &status);
    g_assert_cmpuint (status, ==, 200);
  }

  /* Over the room's WebSocket: acked to the sender, not echoed to it. The
   * ack comes after anything sent to that socket before it, so nothing
   * queued before it means no second delivery of phone-1 either. */
  {
    g_autofree char *text = g_strdup_printf ("{\"type\":\"chat\",\"booking_id\":%" G_GINT64_FORMAT
                                             ",\"client_id\":\"app-1\",\"text\":\"And from the app\","
                                             "\"request_id\":\"c1\"}",
                                             booking_id);

    mc_test_socket_send (student, text);
  }
  ack = mc_test_socket_wait_reply (student, "c1");
  g_assert_cmpstr (json_object_get_string_member (ack, "type"), ==, "chat-ack");
  g_assert_false (mc_test_socket_has (student, "chat"));
  chat = mc_test_socket_wait (mentor, "chat");
  g_assert_cmpstr (chat_client_id (chat), ==, "app-1");
  g_assert_false (mc_test_socket_has (mentor, "chat"));

  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/chat/same-account", test_same_account);

  return g_test_run ();
}
