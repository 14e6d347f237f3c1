/* test-api-client.c — McApiClient against a real server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-api-client.h"
#include "mc-protocol.h"
#include "mc-test-server.h"

#define WAIT_TIMEOUT_SECONDS 60

typedef struct
{
  McTestServer *server;
  gint64        mentor_id;
  gint64        student_id;
  gint64        booking_id;
  gint64        other_booking_id;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, &fixture->mentor_id, &fixture->student_id);
  mc_test_create_user (fixture->server, "olga", "student", "olga-pass-1");
  fixture->booking_id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                -300, 3300, "confirmed");
  fixture->other_booking_id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, "olga",
                                                      -300, 3300, "confirmed");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->server, mc_test_server_free);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for an answer");
  return G_SOURCE_REMOVE;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs the main context until an async call has completed. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
  return *slot;
}

static McApiClient *
new_client (Fixture *fixture)
{
  return mc_api_client_new (mc_test_server_get_url (fixture->server));
}

static JsonObject *
login (McApiClient *client,
       const char  *username,
       const char  *password,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mc_api_client_login_async (client, username, password, NULL, store_result_cb, &result);
  return mc_api_client_login_finish (client, wait_result (&result), error);
}

static void
test_login (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(McApiClient) client = new_client (fixture);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GAsyncResult) result3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  answer = login (client, MC_TEST_MENTOR, "wrong-password", &error);
  g_assert_error (error, MC_ERROR, MC_ERROR_INVALID_CREDENTIALS);
  g_assert_null (answer);
  g_assert_null (mc_api_client_get_token (client));
  g_clear_error (&error);

  answer = login (client, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mc_test_get_string (answer, "token"), ==, mc_api_client_get_token (client));
  g_assert_cmpint (mc_test_get_int (answer, "user.id"), ==, fixture->mentor_id);
  token = g_strdup (mc_api_client_get_token (client));

  mc_api_client_me_async (client, NULL, store_result_cb, &result);
  me = mc_api_client_me_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mc_test_get_string (me, "user.username"), ==, MC_TEST_MENTOR);

  mc_api_client_logout_async (client, NULL, store_result_cb, &result2);
  g_assert_true (mc_api_client_logout_finish (client, wait_result (&result2), &error));
  g_assert_no_error (error);
  g_assert_null (mc_api_client_get_token (client));

  /* The old token is revoked on the server. */
  g_clear_pointer (&me, json_object_unref);
  mc_api_client_set_token (client, token);
  mc_api_client_me_async (client, NULL, store_result_cb, &result3);
  me = mc_api_client_me_finish (client, wait_result (&result3), &error);
  g_assert_error (error, MC_ERROR, MC_ERROR_SESSION_INVALID);
  g_assert_null (me);
}

static void
test_bookings (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(McApiClient) client = new_client (fixture);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) booking = NULL;
  g_autoptr(JsonObject) token = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) missing = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(GAsyncResult) r5 = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *bookings;

  answer = login (client, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, &error);
  g_assert_no_error (error);

  mc_api_client_list_bookings_async (client, NULL, store_result_cb, &r1);
  list = mc_api_client_list_bookings_finish (client, wait_result (&r1), &error);
  g_assert_no_error (error);
  bookings = json_node_get_array (mc_test_get_node (list, "bookings"));
  g_assert_cmpuint (json_array_get_length (bookings), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (bookings, 0), "id"),
                   ==, fixture->booking_id);

  mc_api_client_get_booking_async (client, fixture->booking_id, NULL, store_result_cb, &r2);
  booking = mc_api_client_get_booking_finish (client, wait_result (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mc_test_get_string (booking, "role"), ==, "student");

  mc_api_client_request_call_token_async (client, fixture->booking_id, NULL, store_result_cb, &r3);
  token = mc_api_client_request_call_token_finish (client, wait_result (&r3), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (mc_test_get_string (token, "token"), "v1."));
  g_assert_cmpint (mc_test_get_int (token, "booking_id"), ==, fixture->booking_id);

  /* Somebody else's booking: the server's own code and message come through. */
  mc_api_client_request_call_token_async (client, fixture->other_booking_id, NULL,
                                          store_result_cb, &r4);
  refused = mc_api_client_request_call_token_finish (client, wait_result (&r4), &error);
  g_assert_error (error, MC_ERROR, MC_ERROR_NOT_PARTICIPANT);
  g_assert_null (refused);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  mc_api_client_get_booking_async (client, 999999, NULL, store_result_cb, &r5);
  missing = mc_api_client_get_booking_finish (client, wait_result (&r5), &error);
  g_assert_error (error, MC_ERROR, MC_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
test_messages (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(McApiClient) client = new_client (fixture);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) posted = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) attendance = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *messages;

  answer = login (client, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, &error);
  g_assert_no_error (error);

  mc_api_client_post_message_async (client, fixture->booking_id, "rest-1", "Hello over REST",
                                    NULL, store_result_cb, &r1);
  posted = mc_api_client_post_message_finish (client, wait_result (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpint (mc_test_get_int (posted, "seq"), ==, 1);
  g_assert_cmpstr (mc_test_get_string (posted, "text"), ==, "Hello over REST");

  /* The same client_id again is the same message. */
  mc_api_client_post_message_async (client, fixture->booking_id, "rest-1", "Hello over REST",
                                    NULL, store_result_cb, &r2);
  again = mc_api_client_post_message_finish (client, wait_result (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpint (mc_test_get_int (again, "seq"), ==, 1);

  mc_api_client_list_messages_async (client, fixture->booking_id, 0, 10, NULL,
                                     store_result_cb, &r3);
  list = mc_api_client_list_messages_finish (client, wait_result (&r3), &error);
  g_assert_no_error (error);
  messages = json_node_get_array (mc_test_get_node (list, "messages"));
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_cmpint (mc_test_get_int (list, "last_seq"), ==, 1);

  mc_api_client_get_attendance_async (client, fixture->booking_id, NULL, store_result_cb, &r4);
  attendance = mc_api_client_get_attendance_finish (client, wait_result (&r4), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (mc_test_get_node (attendance, "attendance")));
}

static void
test_unreachable (void)
{
  g_autoptr(McApiClient) client = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = mc_api_client_new (url);
  answer = login (client, "maria", "whatever-password", &error);
  g_assert_error (error, MC_ERROR, MC_ERROR_NETWORK);
  g_assert_null (answer);
  g_assert_true (g_str_has_prefix (error->message, "Cannot reach the server at http://127.0.0.1:"));
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(McApiClient) client = new_client (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;

  mc_api_client_login_async (client, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, cancellable,
                             store_result_cb, &result);
  g_cancellable_cancel (cancellable);
  answer = mc_api_client_login_finish (client, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (answer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/engine/api/login", test_login);
  ADD ("/engine/api/bookings", test_bookings);
  ADD ("/engine/api/messages", test_messages);
  ADD ("/engine/api/cancelled", test_cancelled);
  g_test_add_func ("/engine/api/unreachable", test_unreachable);

#undef ADD

  return g_test_run ();
}
