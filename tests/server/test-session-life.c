/* test-session-life.c — sessions and rights for the life of a connection
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session is checked at the WebSocket handshake, but the socket may stay
 * open for hours: these tests end sessions while sockets are open —
 * disabling the account, letting the session expire, revoking it through
 * the admin API and behind the server's back in its database, as another
 * process would — and check that the sockets are closed with the
 * documented code within seconds and cannot join or chat meanwhile. Then
 * the checks `join` makes against the booking as it is now, and the HTTP
 * requests a hostile client can make: a negative Content-Length, headers
 * that never end. After each, the server must still be healthy.
 *
 * Everything runs against the real mentorcall-server on 127.0.0.1; raw
 * sockets where libsoup's client would refuse to send the bad thing.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "mc-protocol.h"
#include "mc-test-server.h"
#include "mc-test-socket.h"

/* The documented close codes (docs/protocol.md, "Close codes"). */
#define CLOSE_SESSION_ENDED    4001
#define CLOSE_SESSION_EXPIRED  4002
#define CLOSE_ACCOUNT_DISABLED 4003

/* How long a socket may outlive its session: the server checks revocations
 * made elsewhere every 5 s, expiry every second. */
#define CLOSE_WITHIN_SECONDS 8

/* Opens a socket the server must accept. */
static McTestSocket *
socket_open (McTestServer *server,
             const char   *token)
{
  McTestSocket *socket = mc_test_socket_open (server, token, NULL, NULL);

  g_assert_no_error (socket->error);
  g_assert_nonnull (socket->connection);

  return socket;
}

static void
assert_healthy (McTestServer *server)
{
  g_autoptr (JsonNode) node = NULL;
  guint                status;

  node = mc_test_request (server, "GET", "/healthz", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (node), "status"), ==, "ok");
}

static char *
call_token (McTestServer *server,
            const char   *token,
            gint64        booking_id)
{
  g_autofree char     *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                               booking_id);
  g_autoptr (JsonNode) node = NULL;
  guint                status;

  node = mc_test_request (server, "POST", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  return g_strdup (mc_test_get_string (mc_test_object (node), "token"));
}

static char *
join_text (gint64      booking_id,
           const char *call_token)
{
  return g_strdup_printf ("{\"type\":\"join\",\"booking_id\":%" G_GINT64_FORMAT
                          ",\"call_token\":\"%s\",\"request_id\":\"j\"}",
                          booking_id, call_token);
}

static char *
chat_text (gint64      booking_id,
           const char *client_id)
{
  return g_strdup_printf ("{\"type\":\"chat\",\"booking_id\":%" G_GINT64_FORMAT
                          ",\"client_id\":\"%s\",\"text\":\"hello\",\"request_id\":\"c\"}",
                          booking_id, client_id);
}

/* Both participants in a confirmed booking that is on now. */
typedef struct
{
  McTestServer *server;
  gint64        mentor_id;
  gint64        student_id;
  gint64        booking_id;
  char         *mentor_token;
  char         *student_token;
} Lesson;

static void
lesson_set_up_full (Lesson     *lesson,
                    const char *overrides,
                    gboolean    test_clock)
{
  lesson->server = mc_test_server_new (overrides);
  if (test_clock)
    mc_test_server_add_args (lesson->server, "--test-clock", NULL);
  mc_test_server_start (lesson->server);
  mc_test_create_pair (lesson->server, &lesson->mentor_id, &lesson->student_id);
  lesson->booking_id = mc_test_create_booking (lesson->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                               -600, 3000, "confirmed");
  lesson->mentor_token = mc_test_login (lesson->server, MC_TEST_MENTOR,
                                        MC_TEST_MENTOR_PASSWORD);
  lesson->student_token = mc_test_login (lesson->server, MC_TEST_STUDENT,
                                         MC_TEST_STUDENT_PASSWORD);
}

static void
lesson_set_up (Lesson     *lesson,
               const char *overrides)
{
  lesson_set_up_full (lesson, overrides, FALSE);
}

static void
lesson_tear_down (Lesson *lesson)
{
  mc_test_server_stop (lesson->server);
  g_clear_pointer (&lesson->server, mc_test_server_free);
  g_free (lesson->mentor_token);
  g_free (lesson->student_token);
}

/* Opens a socket for @token and joins the lesson's room with it. */
static McTestSocket *
join_lesson (Lesson     *lesson,
             const char *token)
{
  McTestSocket          *socket = socket_open (lesson->server, token);
  g_autofree char       *call = call_token (lesson->server, token, lesson->booking_id);
  g_autofree char       *join = join_text (lesson->booking_id, call);
  g_autoptr (JsonObject) welcome = mc_test_socket_wait (socket, "welcome");
  g_autoptr (JsonObject) joined = NULL;

  mc_test_socket_send (socket, join);
  joined = mc_test_socket_wait (socket, "joined");
  return socket;
}

static void
test_disabled (void)
{
  Lesson                   lesson = { 0 };
  g_autoptr (McTestSocket) student = NULL;
  g_autoptr (McTestSocket) student_lobby = NULL;
  g_autoptr (McTestSocket) mentor = NULL;
  g_autoptr (JsonObject)   left = NULL;
  g_autoptr (JsonNode)     node = NULL;
  g_autofree char         *path = NULL;
  guint                    status;

  lesson_set_up (&lesson, NULL);
  mentor = join_lesson (&lesson, lesson.mentor_token);
  student = join_lesson (&lesson, lesson.student_token);
  student_lobby = socket_open (lesson.server, lesson.student_token);

  path = g_strdup_printf ("/api/v1/admin/users/%" G_GINT64_FORMAT, lesson.student_id);
  node = mc_test_admin (lesson.server, "PATCH", path, "{\"disabled\": true}", &status);
  g_assert_cmpuint (status, ==, 200);

  /* Both of the student's sockets go, in the room and outside it. */
  mc_test_socket_wait_closed (student, CLOSE_WITHIN_SECONDS, CLOSE_ACCOUNT_DISABLED);
  mc_test_socket_wait_closed (student_lobby, CLOSE_WITHIN_SECONDS, CLOSE_ACCOUNT_DISABLED);

  /* The mentor stays, and is told the student left. */
  left = mc_test_socket_wait (mentor, "peer-left");
  g_assert_cmpint (json_object_get_int_member (left, "user_id"), ==, lesson.student_id);
  g_assert_false (mentor->closed);
  mc_test_socket_send (mentor, "{\"type\":\"ping\",\"request_id\":\"p\"}");
  json_object_unref (mc_test_socket_wait (mentor, "pong"));

  assert_healthy (lesson.server);
  lesson_tear_down (&lesson);
}

static void
test_expired (void)
{
  Lesson                   lesson = { 0 };
  g_autoptr (McTestSocket) student = NULL;
  g_autoptr (McTestSocket) mentor = NULL;
  g_autoptr (JsonObject)   welcome = NULL;
  g_autoptr (JsonNode)     node = NULL;
  guint                    status;

  /* Sessions of an hour, and a clock the test moves past their end (the
   * server's --test-clock): nothing waits for the lifetime. */
  lesson_set_up_full (&lesson, "[auth]\nsession-lifetime=3600\n", TRUE);
  student = join_lesson (&lesson, lesson.student_token);
  mentor = socket_open (lesson.server, lesson.mentor_token);
  welcome = mc_test_socket_wait (mentor, "welcome");

  /* Half-way through nothing happens (the socket answers a ping after the
   * next expiry check; real time passes too, so not "a second before the
   * end"); after the end both sockets close. */
  mc_test_server_advance_clock (lesson.server, 1800);
  mc_test_socket_send (mentor, "{\"type\":\"ping\",\"request_id\":\"p\"}");
  json_object_unref (mc_test_socket_wait (mentor, "pong"));
  g_assert_false (mentor->closed);
  g_assert_false (student->closed);

  mc_test_server_advance_clock (lesson.server, 1801);
  mc_test_socket_wait_closed (student, CLOSE_WITHIN_SECONDS, CLOSE_SESSION_EXPIRED);
  mc_test_socket_wait_closed (mentor, CLOSE_WITHIN_SECONDS, CLOSE_SESSION_EXPIRED);

  /* And the session is refused over HTTP as before. */
  node = mc_test_request (lesson.server, "GET", "/api/v1/me", lesson.student_token, NULL,
                          &status);
  mc_test_assert_error (node, status, 401, "session_expired");

  assert_healthy (lesson.server);
  lesson_tear_down (&lesson);
}

static void
test_revoked_by_admin (void)
{
  Lesson                   lesson = { 0 };
  g_autoptr (McTestSocket) first = NULL;
  g_autoptr (McTestSocket) second = NULL;
  g_autoptr (McTestSocket) mentor = NULL;
  g_autoptr (JsonObject)   welcome = NULL;
  g_autoptr (JsonNode)     node = NULL;
  g_autoptr (JsonNode)     me = NULL;
  g_autoptr (JsonNode)     unknown = NULL;
  g_autofree char         *second_token = NULL;
  g_autofree char         *path = NULL;
  guint                    status;

  lesson_set_up (&lesson, NULL);
  second_token = mc_test_login (lesson.server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mentor = join_lesson (&lesson, lesson.mentor_token);
  first = join_lesson (&lesson, lesson.student_token);
  second = socket_open (lesson.server, second_token);
  welcome = mc_test_socket_wait (second, "welcome");

  path = g_strdup_printf ("/api/v1/admin/users/%" G_GINT64_FORMAT "/sessions",
                          lesson.student_id);
  node = mc_test_admin (lesson.server, "DELETE", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (mc_test_get_int (mc_test_object (node), "revoked"), ==, 2);

  mc_test_socket_wait_closed (first, CLOSE_WITHIN_SECONDS, CLOSE_SESSION_ENDED);
  mc_test_socket_wait_closed (second, CLOSE_WITHIN_SECONDS, CLOSE_SESSION_ENDED);
  g_assert_false (mentor->closed);

  me = mc_test_request (lesson.server, "GET", "/api/v1/me", second_token, NULL, &status);
  mc_test_assert_error (me, status, 401, "session_invalid");

  /* The mentor's sessions were not touched. */
  g_clear_pointer (&me, json_node_unref);
  me = mc_test_request (lesson.server, "GET", "/api/v1/me", lesson.mentor_token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  unknown = mc_test_admin (lesson.server, "DELETE", "/api/v1/admin/users/9999/sessions", NULL,
                           &status);
  mc_test_assert_error (unknown, status, 404, "not_found");

  assert_healthy (lesson.server);
  lesson_tear_down (&lesson);
}

/* Revokes every session of @user_id in the database itself, as the admin
 * command line or another server node on the same database would. */
static void
revoke_in_database (McTestServer *server,
                    gint64        user_id,
                    gboolean      disable)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("UPDATE sessions SET revoked_at = %" G_GINT64_FORMAT
                         " WHERE user_id = %" G_GINT64_FORMAT " AND revoked_at IS NULL;"
                         "UPDATE users SET disabled = %d WHERE id = %" G_GINT64_FORMAT ";",
                         mc_test_now (), user_id, disable ? 1 : 0, user_id);
  mc_test_database_exec (mc_test_server_get_database (server), sql);
}

static void
test_revoked_elsewhere (void)
{
  Lesson                   lesson = { 0 };
  g_autoptr (McTestSocket) student = NULL;
  g_autoptr (McTestSocket) idle = NULL;
  g_autoptr (McTestSocket) mentor = NULL;
  g_autoptr (McTestSocket) mentor_lobby = NULL;
  g_autoptr (JsonObject)   welcome = NULL;
  g_autofree char         *call = NULL;
  g_autofree char         *join = NULL;
  g_autofree char         *chat = NULL;

  lesson_set_up (&lesson, NULL);
  mentor = join_lesson (&lesson, lesson.mentor_token);
  student = join_lesson (&lesson, lesson.student_token);
  idle = socket_open (lesson.server, lesson.student_token);
  welcome = mc_test_socket_wait (idle, "welcome");
  mentor_lobby = socket_open (lesson.server, lesson.mentor_token);
  g_clear_pointer (&welcome, json_object_unref);
  welcome = mc_test_socket_wait (mentor_lobby, "welcome");

  /* A call token fetched while the session was good. */
  call = call_token (lesson.server, lesson.mentor_token, lesson.booking_id);
  join = join_text (lesson.booking_id, call);

  revoke_in_database (lesson.server, lesson.student_id, FALSE);
  revoke_in_database (lesson.server, lesson.mentor_id, TRUE);

  /* At once, before any timer: no chat stored, no join. */
  chat = chat_text (lesson.booking_id, "after-revocation");
  mc_test_socket_send (student, chat);
  mc_test_socket_wait_closed (student, CLOSE_WITHIN_SECONDS, CLOSE_SESSION_ENDED);
  g_assert_false (mc_test_socket_has (student, "chat-ack"));

  mc_test_socket_send (mentor_lobby, join);
  mc_test_socket_wait_closed (mentor_lobby, CLOSE_WITHIN_SECONDS, CLOSE_ACCOUNT_DISABLED);
  g_assert_false (mc_test_socket_has (mentor_lobby, "joined"));

  /* And the sockets that say nothing are closed too, within seconds. */
  mc_test_socket_wait_closed (idle, CLOSE_WITHIN_SECONDS, CLOSE_SESSION_ENDED);
  mc_test_socket_wait_closed (mentor, CLOSE_WITHIN_SECONDS, CLOSE_ACCOUNT_DISABLED);

  /* Nothing was stored by the chat that was refused. */
  {
    g_autofree char     *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT
                                                 "/messages",
                                                 lesson.booking_id);
    g_autofree char     *token = NULL;
    g_autoptr (JsonNode) node = NULL;
    guint                status;

    revoke_in_database (lesson.server, lesson.mentor_id, FALSE);
    token = mc_test_login (lesson.server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
    node = mc_test_request (lesson.server, "GET", path, token, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (mc_test_get_int (mc_test_object (node), "last_seq"), ==, 0);
  }

  assert_healthy (lesson.server);
  lesson_tear_down (&lesson);
}

static void
test_join_window (void)
{
  Lesson                   lesson = { 0 };
  g_autoptr (McTestSocket) student = NULL;
  g_autoptr (JsonObject)   welcome = NULL;
  g_autoptr (JsonObject)   error = NULL;
  g_autoptr (JsonObject)   pong = NULL;
  g_autoptr (JsonNode)     node = NULL;
  g_autofree char         *call = NULL;
  g_autofree char         *join = NULL;
  g_autofree char         *path = NULL;
  g_autofree char         *body = NULL;
  g_autofree char         *start = mc_test_time (2 * 86400);
  g_autofree char         *end = mc_test_time (2 * 86400 + 3600);
  JsonObject              *window;
  guint                    status;

  lesson_set_up (&lesson, NULL);
  student = socket_open (lesson.server, lesson.student_token);
  welcome = mc_test_socket_wait (student, "welcome");

  /* A call token issued while the window was open... */
  call = call_token (lesson.server, lesson.student_token, lesson.booking_id);
  join = join_text (lesson.booking_id, call);

  /* ...and then the lesson moves to the day after tomorrow. */
  path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT, lesson.booking_id);
  body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}", start, end);
  node = mc_test_admin (lesson.server, "PATCH", path, body, &status);
  g_assert_cmpuint (status, ==, 200);

  mc_test_socket_send (student, join);
  error = mc_test_socket_wait_reply (student, "j");
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "outside_join_window");
  window = json_object_get_object_member (error, "join_window");
  g_assert_nonnull (window);
  g_assert_false (json_object_get_boolean_member (window, "open"));
  g_assert_true (json_object_has_member (window, "opens_at"));
  g_assert_false (mc_test_socket_has (student, "joined"));

  /* The connection is still usable; the booking's call is still idle. */
  mc_test_socket_send (student, "{\"type\":\"ping\",\"request_id\":\"p\"}");
  pong = mc_test_socket_wait (student, "pong");
  {
    g_autoptr (JsonObject) booking = mc_test_get_booking_admin (lesson.server,
                                                                lesson.booking_id);

    g_assert_cmpstr (mc_test_get_string (booking, "call.state"), ==, "idle");
  }

  /* A token issued before the booking was cancelled opens nothing either. */
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&error, json_object_unref);
  {
    g_autofree char *now_start = mc_test_time (-600);
    g_autofree char *now_end = mc_test_time (3000);
    g_autofree char *back = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}", now_start,
                                             now_end);
    g_autofree char *fresh = NULL;
    g_autofree char *join_again = NULL;

    node = mc_test_admin (lesson.server, "PATCH", path, back, &status);
    g_assert_cmpuint (status, ==, 200);
    fresh = call_token (lesson.server, lesson.student_token, lesson.booking_id);
    join_again = join_text (lesson.booking_id, fresh);

    g_clear_pointer (&node, json_node_unref);
    node = mc_test_admin (lesson.server, "PATCH", path, "{\"status\": \"cancelled\"}", &status);
    g_assert_cmpuint (status, ==, 200);

    mc_test_socket_send (student, join_again);
    error = mc_test_socket_wait_reply (student, "j");
    g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "error");
    g_assert_cmpstr (json_object_get_string_member (error, "code"), ==,
                     "booking_not_confirmed");
    g_assert_false (mc_test_socket_has (student, "joined"));
  }

  assert_healthy (lesson.server);
  lesson_tear_down (&lesson);
}

static void
test_negative_content_length (void)
{
  static const char * const lengths[] = {
    "-5",
    "-1",
    "+5",
    "18446744073709551615",
    "99999999999999999999999",
#ifndef __SANITIZE_ADDRESS__
    /* libsoup 3.2 refuses these itself, and leaks the request's path
     * when it does (fixed upstream in 3.5.2, commit 450d43c4 "Fix memory
     * leak in error path"): LeakSanitizer would report libsoup, not us. */
    "5x",
    "0x10",
    "",
#endif
  };
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char     *request = NULL;
      g_autofree char     *headers = NULL;
      g_autoptr (JsonNode) body = NULL;
      guint                status;

      g_test_message ("Content-Length: %s", lengths[i]);
      request = g_strdup_printf ("POST /api/v1/auth/login HTTP/1.1\r\n"
                                 "Host: 127.0.0.1\r\n"
                                 "Content-Type: application/json\r\n"
                                 "Content-Length: %s\r\n"
                                 "\r\n"
                                 "{}",
                                 lengths[i]);
      status = mc_test_raw_http (server, request, -1, &headers, &body);

      /* A length too large to be real is over the body limit; anything
       * that is not a length at all is a bad request. libsoup refuses some
       * of those itself, with an empty 400 of its own. */
      if (strlen (lengths[i]) > 15)
        mc_test_assert_error (body, status, 413, "payload_too_large");
      else if (body != NULL)
        mc_test_assert_error (body, status, 400, "bad_request");
      else
        g_assert_cmpuint (status, ==, 400);

      assert_healthy (server);
    }

  mc_test_server_stop (server);
}

/* Connects and sends @text; returns the connection for reading. */
static GSocketConnection *
raw_connect (McTestServer *server,
             const char   *text)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError)        error = NULL;
  GSocketConnection        *connection;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                mc_test_server_get_port (server), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), text,
                             strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);

  return connection;
}

/* Reads from @connection until the server closes it; fails if that takes
 * more than @seconds. Returns what was read. */
static char *
read_until_closed (GSocketConnection *connection,
                   guint              seconds)
{
  GSocket            *socket = g_socket_connection_get_socket (connection);
  g_autoptr (GString) text = g_string_new (NULL);
  gint64              deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  char                buffer[1024];

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gint64             left = deadline - g_get_monotonic_time ();
      gssize             n;

      if (left <= 0)
        g_error ("The server kept a connection open for %u s without a whole request", seconds);

      g_socket_set_timeout (socket, (guint) MAX (1, left / G_USEC_PER_SEC));
      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
      if (n > 0)
        {
          g_string_append_len (text, buffer, n);
          continue;
        }
      if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        break;
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_request_timeout (void)
{
  g_autoptr (McTestServer)      server = mc_test_server_start_new ("[server]\nrequest-timeout=2\n");
  g_autoptr (GSocketConnection) nothing = NULL;
  g_autoptr (GSocketConnection) slow_headers = NULL;
  g_autoptr (GSocketConnection) slow_body = NULL;
  g_autofree char              *a = NULL;
  g_autofree char              *b = NULL;
  g_autofree char              *c = NULL;

  /* A connection that never says anything, one whose headers never end,
   * and one whose body never comes: all closed after the timeout. */
  nothing = raw_connect (server, "");
  slow_headers = raw_connect (server, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  slow_body = raw_connect (server, "POST /api/v1/auth/login HTTP/1.1\r\n"
                                   "Host: 127.0.0.1\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Content-Length: 100\r\n"
                                   "\r\n"
                                   "{\"username\":");

  a = read_until_closed (nothing, 10);
  b = read_until_closed (slow_headers, 10);
  c = read_until_closed (slow_body, 10);
  g_test_message ("answers: “%s” “%s” “%s”", a, b, c);

  /* A client that is quick enough is served as always, also on a
   * connection kept alive for a second request. */
  assert_healthy (server);
  assert_healthy (server);

  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/session-life/disabled", test_disabled);
  g_test_add_func ("/server/session-life/expired", test_expired);
  g_test_add_func ("/server/session-life/revoked-by-admin", test_revoked_by_admin);
  g_test_add_func ("/server/session-life/revoked-elsewhere", test_revoked_elsewhere);
  g_test_add_func ("/server/session-life/join-window", test_join_window);
  g_test_add_func ("/server/session-life/negative-content-length",
                   test_negative_content_length);
  g_test_add_func ("/server/session-life/request-timeout", test_request_timeout);

  return g_test_run ();
}
