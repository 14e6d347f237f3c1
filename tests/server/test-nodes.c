/* test-nodes.c — two servers on one database
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A platform runs several mentorcall-server processes ("nodes") on one
 * database; a user's requests may reach any of them. Here two real servers
 * share the test's database (an SQLite file in suite `server`, a PostgreSQL
 * database in suite `postgresql`) and signing secret:
 *
 * - a session made on one node works on the other, a call token issued by
 *   one is accepted by the other, and logging out on one ends the session on
 *   both;
 * - a node killed with SIGKILL while a participant is in a call leaves an
 *   open attendance record; another node that restarts keeps it open (it
 *   closes only its own), and closes it as `server_lost` once the killed
 *   node has not been seen for long enough, so the lesson can end;
 * - a webhook delivery is sent by one node only, though every node's worker
 *   sees it due (on a test clock they look every second);
 * - the two participants post chat to the same booking on different nodes
 *   at the same time: every message is stored once, the sequence numbers
 *   run 1…N with no gap or clash, and each sender's messages keep their
 *   order; a message resent to the other node is recognised by its
 *   client_id and keeps its number;
 * - a participant's records closed because their node is gone (killed, or
 *   stopped) reach the other participant's lobby as presence.
 */

#include <string.h>

#include "mc-protocol.h"
#include "mc-test-receiver.h"
#include "mc-test-database.h"
#include "mc-test-server.h"
#include "mc-test-socket.h"

#define N_MESSAGES 40

typedef struct
{
  McTestServer *server;
  const char   *token;
  const char   *prefix;
  gint64        booking_id;
} Poster;

static gpointer
post_messages (gpointer data)
{
  Poster          *poster = data;
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages",
                                           poster->booking_id);

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char     *body = g_strdup_printf ("{\"client_id\":\"%s-%u\",\"text\":\"%s %u\"}",
                                                   poster->prefix, i, poster->prefix, i);
      g_autoptr (JsonNode) node = NULL;
      guint                status;

      node = mc_test_request (poster->server, "POST", path, poster->token, body, &status);
      if (status != 201)
        g_error ("Posting %s-%u: HTTP %u", poster->prefix, i, status);
    }

  return NULL;
}

static void
test_chat_concurrent (void)
{
  g_autoptr (McTestServer) first = mc_test_server_start_new (NULL);
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (JsonNode)     listed = NULL;
  g_autoptr (JsonNode)     resent = NULL;
  g_autofree char         *student = NULL;
  g_autofree char         *mentor = NULL;
  g_autofree char         *path = NULL;
  GThread                 *threads[2];
  Poster                   posters[2];
  JsonArray               *messages;
  gint64                   booking_id;
  gint64                   last[2] = { -1, -1 };
  gint64                   resent_seq = 0;
  guint                    status;

  second = mc_test_server_new_node (first, NULL);
  mc_test_server_start (second);

  mc_test_create_pair (first, NULL, NULL);
  booking_id = mc_test_create_booking (first, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                                       "confirmed");
  student = mc_test_login (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mentor = mc_test_login (second, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  /* Each participant on their own node, both at once. */
  posters[0] = (Poster){ first, student, "student", booking_id };
  posters[1] = (Poster){ second, mentor, "mentor", booking_id };
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new (posters[i].prefix, post_messages, &posters[i]);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages?limit=500", booking_id);
  listed = mc_test_request (second, "GET", path, student, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  messages = json_object_get_array_member (mc_test_object (listed), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2 * N_MESSAGES);
  g_assert_cmpint (mc_test_get_int (mc_test_object (listed), "last_seq"), ==, 2 * N_MESSAGES);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *client_id = mc_test_get_string (message, "client_id");
      guint       who = g_str_has_prefix (client_id, "student-") ? 0 : 1;
      gint64      number = g_ascii_strtoll (strchr (client_id, '-') + 1, NULL, 10);

      g_assert_cmpint (mc_test_get_int (message, "seq"), ==, i + 1);
      /* Each sender's own messages in the order they were sent. */
      g_assert_cmpint (number, ==, last[who] + 1);
      last[who] = number;
      if (g_str_equal (client_id, "student-7"))
        resent_seq = i + 1;
    }
  g_assert_cmpint (last[0], ==, N_MESSAGES - 1);
  g_assert_cmpint (last[1], ==, N_MESSAGES - 1);

  /* The student's client resends a message, and this time reaches the
   * other node: it is the same message, with the same number. */
  {
    g_autofree char *post = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages",
                                             booking_id);

    resent = mc_test_request (second, "POST", post, student,
                              "{\"client_id\":\"student-7\",\"text\":\"student 7\"}", &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (mc_test_get_int (mc_test_object (resent), "seq"), ==, resent_seq);
  }
}

static void
test_sessions_shared (void)
{
  g_autoptr (McTestServer) first = mc_test_server_start_new (NULL);
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (JsonNode)     node = NULL;
  g_autofree char         *student = NULL;
  g_autofree char         *path = NULL;
  g_autofree char         *body = NULL;
  gint64                   booking_id;
  guint                    status;

  second = mc_test_server_new_node (first, NULL);
  mc_test_server_start (second);

  mc_test_create_pair (first, NULL, NULL);
  booking_id = mc_test_create_booking (second, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                                       "confirmed");
  student = mc_test_login (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  node = mc_test_request (second, "GET", "/api/v1/me", student, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);

  /* A call token from one node, checked by the other: one signing secret. */
  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", booking_id);
  node = mc_test_request (first, "POST", path, student, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  body = g_strdup_printf ("{\"token\":\"%s\"}", mc_test_get_string (mc_test_object (node), "token"));
  g_clear_pointer (&node, json_node_unref);
  node = mc_test_request (second, "POST", "/api/v1/call-tokens/verify", student, body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);

  /* Logging out on one node ends the session on both. */
  node = mc_test_request (second, "POST", "/api/v1/auth/logout", student, NULL, &status);
  g_assert_cmpuint (status, ==, 204);
  g_clear_pointer (&node, json_node_unref);
  node = mc_test_request (first, "GET", "/api/v1/me", student, NULL, &status);
  mc_test_assert_error (node, status, 401, "session_invalid");
}

/* Joins @booking_id on @server as the owner of @token, with a call-session
 * id @instance (or none); returns the "joined" in @joined, if not %NULL. */
static McTestSocket *
join_lesson_as (McTestServer *server,
                const char   *token,
                gint64        booking_id,
                const char   *instance,
                JsonObject  **joined_out)
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
                          ",\"call_token\":\"%s\",\"request_id\":\"j\"%s%s%s}",
                          booking_id, mc_test_get_string (mc_test_object (node), "token"),
                          instance ? ",\"instance\":\"" : "", instance ? instance : "",
                          instance ? "\"" : "");
  mc_test_socket_send (socket, join);
  joined = mc_test_socket_wait (socket, "joined");
  if (joined_out != NULL)
    *joined_out = g_steal_pointer (&joined);

  return socket;
}

static McTestSocket *
join_lesson (McTestServer *server,
             const char   *token,
             gint64        booking_id)
{
  return join_lesson_as (server, token, booking_id, NULL, NULL);
}

/* Two servers on one database, and a lesson running across them: the
 * mentor on the first, the student on the second. */
typedef struct
{
  McTestServer *first;
  McTestServer *second;
  McTestSocket *mentor_socket;
  McTestSocket *student_socket;
  gint64        booking_id;
} SplitLesson;

/* Starts @first (made, not started, by the caller) and a second server on
 * its database, and both participants in a lesson. */
static void
split_lesson_start (SplitLesson  *lesson,
                    McTestServer *first)
{
  g_autofree char *mentor = NULL;
  g_autofree char *student = NULL;

  lesson->first = first;
  mc_test_server_start (first);
  lesson->second = mc_test_server_new_node (first, NULL);
  mc_test_server_start (lesson->second);

  mc_test_create_pair (first, NULL, NULL);
  lesson->booking_id = mc_test_create_booking (first, MC_TEST_MENTOR, MC_TEST_STUDENT, -600,
                                               3000, "confirmed");
  mentor = mc_test_login (first, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  student = mc_test_login (lesson->second, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  lesson->mentor_socket = join_lesson (first, mentor, lesson->booking_id);
  lesson->student_socket = join_lesson (lesson->second, student, lesson->booking_id);
}

static void
split_lesson_clear (SplitLesson *lesson)
{
  g_clear_pointer (&lesson->mentor_socket, mc_test_socket_free);
  g_clear_pointer (&lesson->student_socket, mc_test_socket_free);
  /* The first made the database, which the second uses: it goes last. */
  g_clear_pointer (&lesson->second, mc_test_server_free);
  g_clear_pointer (&lesson->first, mc_test_server_free);
}

/* The reason the participant's last attendance record was closed with;
 * "open" while it is not. */
static char *
last_leave (McTestServer *server,
            gint64        booking_id,
            const char   *username)
{
  g_autoptr (JsonArray) records = mc_test_attendance (server, booking_id);
  char                 *reason = NULL;

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonObject *user = json_object_get_object_member (record, "user");

      if (!g_str_equal (json_object_get_string_member (user, "username"), username))
        continue;
      g_free (reason);
      reason = g_strdup (json_object_get_null_member (record, "reason")
                           ? "open"
                           : json_object_get_string_member (record, "reason"));
    }

  g_assert_nonnull (reason);
  return reason;
}

static void
test_node_killed (void)
{
  SplitLesson      lesson = { 0 };
  McTestServer    *first = mc_test_server_new (NULL);
  g_autofree char *reason = NULL;
  gint64           booking_id, deadline;

  mc_test_server_add_args (first, "--test-clock", NULL);
  split_lesson_start (&lesson, first);
  booking_id = lesson.booking_id;

  /* The student's server dies without a word. */
  mc_test_server_kill (lesson.second);
  g_clear_pointer (&lesson.student_socket, mc_test_socket_free);
  reason = last_leave (first, booking_id, MC_TEST_STUDENT);
  g_assert_cmpstr (reason, ==, "open");
  g_clear_pointer (&reason, g_free);

  /* The mentor's server restarts (saying goodbye, 1001, to the mentor's
   * connection): it closes its own record only. */
  mc_test_server_restart (first);
  reason = last_leave (first, booking_id, MC_TEST_MENTOR);
  g_assert_cmpstr (reason, ==, "server_restart");
  g_clear_pointer (&reason, g_free);
  reason = last_leave (first, booking_id, MC_TEST_STUDENT);
  g_assert_cmpstr (reason, ==, "open");
  g_clear_pointer (&reason, g_free);

  /* Once the killed server has been silent long enough (its clock moved
   * on by a minute here), the live one closes its record. */
  mc_test_server_advance_clock (first, 60);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while ((reason = last_leave (first, booking_id, MC_TEST_STUDENT)) != NULL &&
         g_str_equal (reason, "open") && g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&reason, g_free);
      g_usleep (G_USEC_PER_SEC / 2);
    }
  g_assert_cmpstr (reason, ==, "server_lost");
  split_lesson_clear (&lesson);
}

/* A server stopped with SIGTERM (a rolling upgrade, a scale-down) says
 * goodbye to its connections with 1001, closes their records at once and
 * leaves the list of live servers: the other one does not wait 30 s to
 * count it gone. */
static void
test_node_drained (void)
{
  SplitLesson      lesson = { 0 };
  McTestServer    *first = mc_test_server_new (NULL);
  g_autofree char *student = NULL;
  g_autofree char *reason = NULL;
  gint64           booking_id;

  split_lesson_start (&lesson, first);
  booking_id = lesson.booking_id;

  g_assert_cmpint (mc_test_database_query_int (mc_test_server_get_database (first),
                                               "SELECT count(*) FROM nodes"),
                   ==, 2);
  mc_test_server_stop (lesson.second);
  mc_test_socket_wait_closed (lesson.student_socket, 10, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpint (mc_test_database_query_int (mc_test_server_get_database (first),
                                               "SELECT count(*) FROM nodes"),
                   ==, 1);

  /* At once: the first server's clock did not move. */
  reason = last_leave (first, booking_id, MC_TEST_STUDENT);
  g_assert_cmpstr (reason, ==, "server_restart");
  g_clear_pointer (&reason, g_free);
  reason = last_leave (first, booking_id, MC_TEST_MENTOR);
  g_assert_cmpstr (reason, ==, "open");
  g_clear_pointer (&reason, g_free);

  /* The student comes back through the live server, into the same lesson. */
  student = mc_test_login (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  g_clear_pointer (&lesson.student_socket, mc_test_socket_free);
  lesson.student_socket = join_lesson (first, student, booking_id);
  reason = last_leave (first, booking_id, MC_TEST_STUDENT);
  g_assert_cmpstr (reason, ==, "open");
  split_lesson_clear (&lesson);
}

/* Logs @username in on @server and opens a connection there that is in
 * no room (the app's lobby), once welcomed. */
static McTestSocket *
open_lobby (McTestServer *server,
            const char   *username,
            const char   *password)
{
  g_autofree char       *token = mc_test_login (server, username, password);
  McTestSocket          *socket = mc_test_socket_open (server, token, NULL, NULL);
  g_autoptr (JsonObject) welcome = mc_test_socket_wait (socket, "welcome");

  return socket;
}

/* A lesson of the test's pair that runs now. */
static gint64
create_lesson (McTestServer *server)
{
  mc_test_create_pair (server, NULL, NULL);
  return mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                                 "confirmed");
}

/* Waits for the presence of @booking_id with @n_participants in it. */
static void
wait_presence (McTestSocket *socket,
               gint64        booking_id,
               guint         n_participants)
{
  for (;;)
    {
      g_autoptr (JsonObject) presence = mc_test_socket_wait (socket, "presence");

      if (json_object_get_int_member (presence, "booking_id") == booking_id &&
          json_array_get_length (json_object_get_array_member (presence, "participants")) ==
            n_participants)
        return;
    }
}

/* The mentor is in the lesson on a server that is killed; the student waits
 * in the lobby on the other one. Once the killed server counts as gone, the
 * live one closes the mentor's record and tells the student: the lobby no
 * longer says the mentor is in the lesson. */
static void
test_presence_after_loss (void)
{
  g_autoptr (McTestServer) first = mc_test_server_new (NULL);
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (McTestSocket) lobby = NULL;
  g_autoptr (McTestSocket) mentor_socket = NULL;
  g_autofree char         *mentor = NULL;
  gint64                   booking_id;

  mc_test_server_add_args (first, "--test-clock", NULL);
  mc_test_server_start (first);
  second = mc_test_server_new_node (first, NULL);
  mc_test_server_start (second);

  booking_id = create_lesson (first);
  lobby = open_lobby (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mentor = mc_test_login (second, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mentor_socket = join_lesson (second, mentor, booking_id);
  /* Servers sharing an SQLite file do not tell each other of the join. */
  if (mc_test_database_is_postgresql ())
    wait_presence (lobby, booking_id, 1);

  mc_test_server_kill (second);
  g_clear_pointer (&mentor_socket, mc_test_socket_free);
  mc_test_server_advance_clock (first, 60);
  wait_presence (lobby, booking_id, 0);
  g_assert_cmpint (mc_test_database_query_int (mc_test_server_get_database (first),
                                               "SELECT count(*) FROM attendance"
                                               " WHERE left_at IS NULL"),
                   ==, 0);
}

/* A server that loses its connection to the other servers says so to the
 * load balancer (503 from /healthz), goes on serving meanwhile, tries again
 * by itself, and hears them again once it can: the lobby on one server hears
 * of a join on the other. */
static void
test_listener_reconnects (void)
{
  g_autoptr (McTestServer) first = NULL;
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (McTestSocket) lobby = NULL;
  g_autoptr (McTestSocket) mentor_socket = NULL;
  g_autofree char         *mentor = NULL;
  g_autofree char         *student = NULL;
  g_autofree char         *other_servers = NULL;
  g_autofree char         *refuse = NULL;
  g_autofree char         *allow = NULL;
  g_autofree char         *end_listening = NULL;
  const char              *name;
  gint64                   booking_id;

  first = mc_test_server_start_new (NULL);
  if (!mc_test_database_is_postgresql ())
    {
      /* On SQLite, no other server to hear: /healthz does not speak of them. */
      g_assert_cmpuint (mc_test_server_get_health (first, &other_servers), ==, 200);
      g_assert_null (other_servers);
      g_test_skip ("only servers on PostgreSQL listen to each other");
      return;
    }

  second = mc_test_server_new_node (first, NULL);
  mc_test_server_start (second);
  g_assert_cmpuint (mc_test_server_get_health (first, &other_servers), ==, 200);
  g_assert_cmpstr (other_servers, ==, "listening");

  booking_id = create_lesson (first);
  lobby = open_lobby (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  /* The database takes no new connection (the servers' own stay), and ends
   * both servers' listening sessions: they try again at once, in vain. */
  name = mc_test_database_get_name (mc_test_server_get_database (first));
  refuse = g_strdup_printf ("ALTER DATABASE %s ALLOW_CONNECTIONS false", name);
  allow = g_strdup_printf ("ALTER DATABASE %s ALLOW_CONNECTIONS true", name);
  end_listening = g_strdup_printf ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                   " WHERE datname = '%s' AND query LIKE 'LISTEN mentorcall%%'",
                                   name);
  mc_test_database_exec ("postgresql:///postgres", refuse);
  g_assert_cmpint (mc_test_database_query_int ("postgresql:///postgres", end_listening), ==, 2);
  mc_test_server_wait_health (first, "lost", 10);
  mc_test_server_wait_health (second, "lost", 10);
  g_assert_cmpuint (mc_test_server_get_health (first, NULL), ==, 503);

  /* What needs no other server is served meanwhile, on both. */
  student = mc_test_login (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mentor = mc_test_login (second, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  /* Within 5 s of the database taking connections again, they listen. */
  mc_test_database_exec ("postgresql:///postgres", allow);
  mc_test_server_wait_health (first, "listening", 20);
  mc_test_server_wait_health (second, "listening", 20);

  mentor_socket = join_lesson (second, mentor, booking_id);
  wait_presence (lobby, booking_id, 1);
}

/* Starts two servers on one database into @first and @second; on SQLite,
 * whose servers do not hear each other, skips the test instead and
 * returns %FALSE. */
static gboolean
start_listening_pair (McTestServer **first,
                      McTestServer **second)
{
  if (!mc_test_database_is_postgresql ())
    {
      g_test_skip ("only servers on PostgreSQL hear each other");
      return FALSE;
    }
  *first = mc_test_server_start_new (NULL);
  *second = mc_test_server_new_node (*first, NULL);
  mc_test_server_start (*second);
  return TRUE;
}

/* What a user's other connections hear reaches them on whichever server
 * they are connected to: on PostgreSQL the servers tell each other
 * (LISTEN/NOTIFY). */
static void
test_notifications_across (void)
{
  g_autoptr (McTestServer) first = NULL;
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (McTestSocket) lobby = NULL;
  g_autoptr (McTestSocket) mentor_lobby = NULL;
  g_autoptr (McTestSocket) mentor_socket = NULL;
  g_autoptr (JsonObject)   mentor_changed = NULL;
  g_autoptr (JsonObject)   changed = NULL;
  g_autoptr (JsonObject)   presence = NULL;
  g_autoptr (JsonNode)     patched = NULL;
  g_autofree char         *mentor = NULL;
  g_autofree char         *path = NULL;
  gint64                   booking_id;
  guint                    status;

  if (!start_listening_pair (&first, &second))
    return;

  booking_id = create_lesson (first);
  lobby = open_lobby (second, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  /* The mentor's lobby is on the first server, which hears its own NOTIFY too. */
  mentor_lobby = open_lobby (first, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mentor = mc_test_login (first, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  /* Anyone who can connect to the database can NOTIFY on the channel:
   * payloads that are not ours are ignored, and nobody crashes. */
  {
    const char *hostile[] = {
      "SELECT pg_notify('mentorcall', 'not json')",
      "SELECT pg_notify('mentorcall', '[1,2]')",
      "SELECT pg_notify('mentorcall', '{\"node\":\"x\",\"event\":1,\"booking_id\":1}')",
      "SELECT pg_notify('mentorcall', '{\"node\":2,\"event\":\"presence\",\"booking_id\":1}')",
      "SELECT pg_notify('mentorcall', '{\"node\":\"x\",\"event\":\"presence\",\"booking_id\":{}}')",
      "SELECT pg_notify('mentorcall', '{\"node\":\"x\",\"event\":\"presence\",\"booking_id\":\"1\"}')",
      "SELECT pg_notify('mentorcall', '{\"node\":\"x\",\"event\":\"other\",\"booking_id\":1}')",
      "SELECT pg_notify('mentorcall', '{\"node\":\"x\",\"event\":\"presence\",\"booking_id\":99999}')",
    };

    for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
      mc_test_database_exec (mc_test_server_get_database (first), hostile[i]);
  }

  /* An operator changes the booking through the first server. */
  path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT, booking_id);
  patched = mc_test_admin (first, "PATCH", path, "{\"subject\":\"Fractions\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  changed = mc_test_socket_wait (lobby, "booking-changed");
  g_assert_cmpstr (mc_test_get_string (changed, "booking.subject"), ==, "Fractions");
  mentor_changed = mc_test_socket_wait (mentor_lobby, "booking-changed");

  /* A change is read only where one of its participants is connected: one
   * that names two other users is not, though its booking is the student's
   * (read, it would tell the lobby that nobody is in the lesson, and the
   * presence checked below would be that one). */
  {
    g_autofree char *other_users = NULL;

    other_users = g_strdup_printf ("SELECT pg_notify('mentorcall', '{\"node\":\"x\","
                                   "\"event\":\"presence\",\"booking_id\":%" G_GINT64_FORMAT
                                   ",\"users\":[99998,99999]}')",
                                   booking_id);
    mc_test_database_exec (mc_test_server_get_database (first), other_users);
  }

  /* The mentor starts the lesson on the first server. */
  mentor_socket = join_lesson (first, mentor, booking_id);
  presence = mc_test_socket_wait (lobby, "presence");
  g_assert_cmpint (json_object_get_int_member (presence, "booking_id"), ==, booking_id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (presence,
                                                                         "participants")),
                    ==, 1);
  /* The first server told its own connection once: its own NOTIFY came
   * back to it long ago and was ignored. */
  g_assert_false (mc_test_socket_has (mentor_lobby, "booking-changed"));


  /* The first server is stopped (SIGTERM): it closes the mentor's record
   * and tells the other servers, so the student's lobby hears at once that
   * nobody is in the lesson. */
  mc_test_server_stop (first);
  wait_presence (lobby, booking_id, 0);
}

/* The participant in @joined's "participants" who is not @user_id. */
static JsonObject *
other_participant (JsonObject *joined,
                   gint64      user_id)
{
  JsonArray *participants = json_object_get_array_member (joined, "participants");

  g_assert_cmpuint (json_array_get_length (participants), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *participant = json_array_get_object_element (participants, i);

      if (json_object_get_int_member (json_object_get_object_member (participant, "user"), "id") !=
          user_id)
        return participant;
    }
  g_assert_not_reached ();
}

/* Sends an offer of @sdp on @from and sees @to get it unchanged, from
 * @sender (unless 0). */
static void
relay_across (McTestSocket *from,
              McTestSocket *to,
              gint64        booking_id,
              gint64        sender,
              const char   *sdp)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  g_autoptr (JsonObject)  offer = NULL;
  g_autofree char        *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "offer");
  json_builder_set_member_name (builder, "booking_id");
  json_builder_add_int_value (builder, booking_id);
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  mc_test_socket_send (from, text);

  offer = mc_test_socket_wait (to, "offer");
  if (sender != 0)
    g_assert_cmpint (json_object_get_int_member (offer, "from"), ==, sender);
  g_assert_cmpstr (json_object_get_string_member (offer, "sdp"), ==, sdp);
}

/* A lesson's two participants on different servers are in one call, as if
 * they were on one: each hears of the other's join with their call-session
 * id and media state, offers (longer than one NOTIFY carries, in a
 * script that takes two bytes a character), candidates and media state
 * cross, chat from either side (over the WebSocket or over HTTP) reaches
 * both once, a participant who joins again through the other server takes
 * over their earlier connection there, and leaving and ending reach the
 * other side. Only servers on PostgreSQL hear each other. */
static void
test_room_across (void)
{
  g_autoptr (McTestServer) first = NULL;
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (McTestSocket) mentor_socket = NULL;
  g_autoptr (McTestSocket) student_socket = NULL;
  g_autoptr (McTestSocket) old_socket = NULL;
  g_autoptr (JsonObject)   joined = NULL;
  g_autoptr (JsonObject)   peer_joined = NULL;
  g_autoptr (JsonObject)   pong = NULL;
  g_autoptr (JsonObject)   message = NULL;
  g_autoptr (GString)      sdp = g_string_new ("v=0\r\n");
  g_autofree char         *mentor = NULL;
  g_autofree char         *student = NULL;
  g_autofree char         *path = NULL;
  g_autoptr (JsonNode)     node = NULL;
  JsonObject              *peer;
  gint64                   booking_id, mentor_id, student_id;
  guint                    status;

  if (!start_listening_pair (&first, &second))
    return;

  booking_id = create_lesson (first);
  mentor = mc_test_login (first, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  student = mc_test_login (second, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  /* The mentor joins on the first server and mutes; the student joins on
   * the second and sees the mentor there, muted, with their instance. */
  mentor_socket = join_lesson_as (first, mentor, booking_id, "mentor-1", &joined);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (joined, "participants")),
                    ==, 1);
  g_clear_pointer (&joined, json_object_unref);
  mc_test_socket_send_printf (mentor_socket, "{\"type\":\"media-state\",\"booking_id\":%" G_GINT64_FORMAT ",\"muted\":true}",
                              booking_id);
  /* Messages are handled in order: once the ping is answered, the mute is
   * on the mentor's record. */
  mc_test_socket_send (mentor_socket, "{\"type\":\"ping\",\"request_id\":\"muted\"}");
  pong = mc_test_socket_wait_reply (mentor_socket, "muted");

  student_socket = join_lesson_as (second, student, booking_id, "student-1", &joined);
  mentor_id = json_object_get_int_member (json_object_get_object_member (
                                            other_participant (joined, 0), "user"),
                                          "id");
  peer_joined = mc_test_socket_wait (mentor_socket, "peer-joined");
  student_id = json_object_get_int_member (json_object_get_object_member (peer_joined, "user"),
                                           "id");
  peer = other_participant (joined, student_id);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (peer, "user"), "id"),
                   ==, mentor_id);
  g_assert_cmpstr (json_object_get_string_member (peer, "instance"), ==, "mentor-1");
  g_assert_true (json_object_get_boolean_member (peer, "muted"));
  g_assert_false (json_object_get_boolean_member (peer, "camera_off"));
  g_assert_cmpstr (json_object_get_string_member (peer_joined, "instance"), ==, "student-1");
  g_clear_pointer (&joined, json_object_unref);
  g_clear_pointer (&peer_joined, json_object_unref);

  /* Offers both ways: one far longer than a NOTIFY's 8000 bytes. */
  for (guint i = 0; i < 1500; i++)
    g_string_append_printf (sdp, "a=x-ligne-%u:élève\r\n", i);
  relay_across (student_socket, mentor_socket, booking_id, student_id, sdp->str);
  relay_across (mentor_socket, student_socket, booking_id, mentor_id, "v=0\r\n");
  /* Every part of this one starts with a "+", as a cut in SDP's base64 may. */
  g_string_truncate (sdp, 0);
  for (guint i = 0; i < 20000; i++)
    g_string_append_c (sdp, '+');
  relay_across (mentor_socket, student_socket, booking_id, mentor_id, sdp->str);

  mc_test_socket_send_printf (mentor_socket, "{\"type\":\"ice-candidate\",\"booking_id\":%" G_GINT64_FORMAT ",\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 5000 typ host\","
                                             "\"sdp_mline_index\":1}",
                              booking_id);
  message = mc_test_socket_wait (student_socket, "ice-candidate");
  g_assert_cmpint (json_object_get_int_member (message, "from"), ==, mentor_id);
  g_assert_cmpint (json_object_get_int_member (message, "sdp_mline_index"), ==, 1);
  g_clear_pointer (&message, json_object_unref);

  mc_test_socket_send_printf (student_socket, "{\"type\":\"media-state\",\"booking_id\":%" G_GINT64_FORMAT ",\"camera_off\":true}",
                              booking_id);
  message = mc_test_socket_wait (mentor_socket, "media-state");
  g_assert_cmpint (json_object_get_int_member (message, "user_id"), ==, student_id);
  g_assert_true (json_object_get_boolean_member (message, "camera_off"));
  g_assert_false (json_object_get_boolean_member (message, "muted"));
  g_clear_pointer (&message, json_object_unref);

  /* Chat: over the student's WebSocket, then over HTTP on the student's
   * server from the mentor's phone, say: each reaches whoever did not send
   * it on the WebSocket. */
  mc_test_socket_send_printf (student_socket, "{\"type\":\"chat\",\"booking_id\":%" G_GINT64_FORMAT ",\"client_id\":\"c1\",\"text\":\"Bonjour\",\"request_id\":\"c\"}",
                              booking_id);
  message = mc_test_socket_wait (student_socket, "chat-ack");
  g_clear_pointer (&message, json_object_unref);
  message = mc_test_socket_wait (mentor_socket, "chat");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "message"),
                                                  "text"),
                   ==, "Bonjour");
  g_clear_pointer (&message, json_object_unref);

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages", booking_id);
  node = mc_test_request (second, "POST", path, mentor, "{\"client_id\":\"c2\",\"text\":\"Salut\"}",
                          &status);
  g_assert_cmpuint (status, ==, 201);
  for (guint i = 0; i < 2; i++)
    {
      message = mc_test_socket_wait (i == 0 ? mentor_socket : student_socket, "chat");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (message, "message"),
                                                   "seq"),
                       ==, 2);
      g_clear_pointer (&message, json_object_unref);
    }
  g_assert_false (mc_test_socket_has (mentor_socket, "chat"));
  g_assert_false (mc_test_socket_has (student_socket, "chat"));

  /* The mentor's connection moves to the second server: the one on the
   * first is taken over, and the student hears of the new instance. */
  old_socket = g_steal_pointer (&mentor_socket);
  mentor_socket = join_lesson_as (second, mentor, booking_id, "mentor-2", &joined);
  g_assert_cmpstr (json_object_get_string_member (other_participant (joined, mentor_id), "instance"),
                   ==, "student-1");
  g_clear_pointer (&joined, json_object_unref);
  message = mc_test_socket_wait (old_socket, "error");
  g_assert_cmpstr (json_object_get_string_member (message, "code"), ==, "taken_over");
  g_clear_pointer (&message, json_object_unref);
  mc_test_socket_wait_closed (old_socket, 10, 4000);
  peer_joined = mc_test_socket_wait (student_socket, "peer-joined");
  g_assert_cmpstr (json_object_get_string_member (peer_joined, "instance"), ==, "mentor-2");
  g_clear_pointer (&old_socket, mc_test_socket_free);

  /* And the student's to the first: now they are apart again. */
  old_socket = g_steal_pointer (&student_socket);
  student_socket = join_lesson_as (first, student, booking_id, "student-2", NULL);
  mc_test_socket_wait_closed (old_socket, 10, 4000);
  g_clear_pointer (&peer_joined, json_object_unref);
  peer_joined = mc_test_socket_wait (mentor_socket, "peer-joined");
  g_assert_cmpstr (json_object_get_string_member (peer_joined, "instance"), ==, "student-2");
  g_assert_cmpint (mc_test_database_query_int (mc_test_server_get_database (first),
                                               "SELECT count(*) FROM attendance"
                                               " WHERE left_at IS NULL"),
                   ==, 2);

  /* The mentor leaves; joins again; the student ends the lesson. */
  mc_test_socket_send_printf (mentor_socket, "{\"type\":\"leave\",\"booking_id\":%" G_GINT64_FORMAT "}", booking_id);
  message = mc_test_socket_wait (student_socket, "peer-left");
  g_assert_cmpint (json_object_get_int_member (message, "user_id"), ==, mentor_id);
  g_assert_cmpstr (json_object_get_string_member (message, "reason"), ==, "left");
  g_clear_pointer (&message, json_object_unref);
  mc_test_socket_send_printf (student_socket, "{\"type\":\"offer\",\"booking_id\":%" G_GINT64_FORMAT ",\"sdp\":\"v=0\",\"request_id\":\"o\"}",
                              booking_id);
  message = mc_test_socket_wait_reply (student_socket, "o");
  g_assert_cmpstr (json_object_get_string_member (message, "code"), ==, "no_peer");
  g_clear_pointer (&message, json_object_unref);

  g_clear_pointer (&mentor_socket, mc_test_socket_free);
  mentor_socket = join_lesson_as (second, mentor, booking_id, "mentor-2", NULL);
  g_clear_pointer (&peer_joined, json_object_unref);
  peer_joined = mc_test_socket_wait (student_socket, "peer-joined");
  mc_test_socket_send_printf (student_socket, "{\"type\":\"end\",\"booking_id\":%" G_GINT64_FORMAT "}", booking_id);
  message = mc_test_socket_wait (mentor_socket, "peer-left");
  g_assert_cmpstr (json_object_get_string_member (message, "reason"), ==, "ended");
  g_clear_pointer (&message, json_object_unref);
  message = mc_test_socket_wait (mentor_socket, "ended");
  g_assert_cmpint (json_object_get_int_member (message, "by"), ==, student_id);
  g_clear_pointer (&message, json_object_unref);
  message = mc_test_socket_wait (student_socket, "ended");
  g_assert_cmpint (mc_test_database_query_int (mc_test_server_get_database (first),
                                               "SELECT count(*) FROM attendance"
                                               " WHERE left_at IS NULL"),
                   ==, 0);
}

/* Opens a connection of @username's on @server, welcomed, and returns it
 * with the join message for @booking_id in @join. */
static McTestSocket *
ready_to_join (McTestServer *server,
               const char   *username,
               const char   *password,
               gint64        booking_id,
               char        **join)
{
  g_autofree char       *token = mc_test_login (server, username, password);
  McTestSocket          *socket = mc_test_socket_open (server, token, NULL, NULL);
  g_autofree char       *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                                 booking_id);
  g_autoptr (JsonObject) welcome = mc_test_socket_wait (socket, "welcome");
  g_autoptr (JsonNode)   node = NULL;
  guint                  status;

  node = mc_test_request (server, "POST", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  *join = g_strdup_printf ("{\"type\":\"join\",\"booking_id\":%" G_GINT64_FORMAT
                           ",\"call_token\":\"%s\",\"instance\":\"%s\"}",
                           booking_id, mc_test_get_string (mc_test_object (node), "token"),
                           username);
  return socket;
}

#define N_TOGETHER 8

/* Lessons whose mentor joins on one server and student on the other at
 * the same moment: each side hears of the other (the second of the two
 * joins reads the first's record, and tells its server), so offers cross
 * in every one of them. */
static void
test_room_across_together (void)
{
  g_autoptr (McTestServer) first = NULL;
  g_autoptr (McTestServer) second = NULL;
  McTestSocket            *sockets[2 * N_TOGETHER];
  char                    *joins[2 * N_TOGETHER];
  gint64                   booking_ids[N_TOGETHER];

  if (!start_listening_pair (&first, &second))
    return;

  for (guint i = 0; i < N_TOGETHER; i++)
    {
      g_autofree char *mentor = g_strdup_printf ("mentor%u", i);
      g_autofree char *student = g_strdup_printf ("student%u", i);

      mc_test_create_user (first, mentor, "mentor", "password-together");
      mc_test_create_user (first, student, "student", "password-together");
      booking_ids[i] = mc_test_create_booking (first, mentor, student, -600, 3000, "confirmed");
      sockets[2 * i] = ready_to_join (first, mentor, "password-together", booking_ids[i],
                                      &joins[2 * i]);
      sockets[2 * i + 1] = ready_to_join (second, student, "password-together", booking_ids[i],
                                          &joins[2 * i + 1]);
    }

  for (guint i = 0; i < 2 * N_TOGETHER; i++)
    mc_test_socket_send (sockets[i], joins[i]);
  for (guint i = 0; i < 2 * N_TOGETHER; i++)
    {
      g_autoptr (JsonObject) joined = mc_test_socket_wait (sockets[i], "joined");
    }

  for (guint i = 0; i < N_TOGETHER; i++)
    {
      g_autofree char *sdp = g_strdup_printf ("v=0 %u", i);

      relay_across (sockets[2 * i + 1], sockets[2 * i], booking_ids[i], 0, sdp);
      g_assert_false (mc_test_socket_has (sockets[2 * i + 1], "error"));
    }

  for (guint i = 0; i < 2 * N_TOGETHER; i++)
    {
      mc_test_socket_free (sockets[i]);
      g_free (joins[i]);
    }
}

/* The server that holds @username's open record in @booking_id, or NULL. */
static char *
open_record_node (McTestServer *server,
                  gint64        booking_id,
                  const char   *username)
{
  g_autoptr (JsonArray) records = mc_test_attendance (server, booking_id);

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonObject *user = json_object_get_object_member (record, "user");

      if (g_str_equal (json_object_get_string_member (user, "username"), username) &&
          json_object_get_null_member (record, "reason"))
        return g_strdup (json_object_get_string_member (record, "node"));
    }

  return NULL;
}

/* Runs --check-config --reuse-port with the arguments that follow (ending
 * in %NULL), sees it refused, and returns what it said. */
static char *
check_config_refused (const char *first_argument,
                      ...)
{
  g_autoptr (GPtrArray)   argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) check = NULL;
  g_autoptr (GError)      error = NULL;
  char                   *err = NULL;
  va_list                 args;

  g_ptr_array_add (argv, (char *) mc_test_server_get_binary ());
  g_ptr_array_add (argv, "--check-config");
  g_ptr_array_add (argv, "--reuse-port");
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:8080");
  va_start (args, first_argument);
  for (const char *argument = first_argument; argument != NULL;
       argument = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) argument);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  check = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (check, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (check), !=, 0);

  return err;
}

/* Two servers listen on one port (reuse-port): the kernel spreads the
 * connections between them, and a lesson is one call wherever its
 * participants landed. Without a name of its own, or on SQLite (whose
 * servers do not relay to each other), a server refuses to share its
 * port. */
static void
test_reuse_port (void)
{
  g_autoptr (McTestServer) first = NULL;
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (McTestSocket) mentor_socket = NULL;
  g_autoptr (McTestSocket) student_socket = NULL;
  g_autoptr (GHashTable)   nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GUri)         uri = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *overrides = NULL;
  g_autofree char         *mentor = NULL;
  g_autofree char         *student = NULL;
  g_autofree char         *err = NULL;
  gint64                   booking_id;

  err = check_config_refused ("--database", "postgresql:///mentorcall", NULL);
  g_assert_nonnull (strstr (err, "reuse-port needs a node name"));
  g_clear_pointer (&err, g_free);
  err = check_config_refused ("--node", "a", "--database", "/nonexistent/mentorcall.db", NULL);
  g_assert_nonnull (strstr (err, "reuse-port needs a PostgreSQL database"));
  if (!mc_test_database_is_postgresql ())
    {
      g_test_skip ("servers on SQLite may not share a port (they do not relay to each other)");
      return;
    }

  first = mc_test_server_start_new ("[server]\nreuse-port=true\n");
  uri = g_uri_parse (mc_test_server_get_url (first), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  overrides = g_strdup_printf ("[server]\nreuse-port=true\nlisten=127.0.0.1:%d\n",
                               g_uri_get_port (uri));
  second = mc_test_server_new_node (first, overrides);
  mc_test_server_start (second);
  g_assert_cmpstr (mc_test_server_get_url (second), ==, mc_test_server_get_url (first));

  booking_id = create_lesson (first);
  mentor = mc_test_login (first, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  student = mc_test_login (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  /* The mentor joins again and again (each connection takes the last one
   * over) until both servers have held one of them. */
  for (guint i = 0; i < 40 && g_hash_table_size (nodes) < 2; i++)
    {
      g_clear_pointer (&mentor_socket, mc_test_socket_free);
      mentor_socket = join_lesson (first, mentor, booking_id);
      g_hash_table_add (nodes, open_record_node (first, booking_id, MC_TEST_MENTOR));
    }
  g_assert_cmpuint (g_hash_table_size (nodes), ==, 2);

  student_socket = join_lesson (first, student, booking_id);
  relay_across (student_socket, mentor_socket, booking_id, 0, "v=0");
}

/* Iterates the test's main context for @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

#define N_ROUNDS 10

/* One user joins one lesson on two servers at the same moment (two
 * windows, or a connection that moved and came back), again and again:
 * each time exactly one connection is left (the later join wins on both
 * servers; the earlier one and the last round's are taken over), and the
 * other participant's offers reach it. */
static void
test_same_user_together (void)
{
  g_autoptr (McTestServer) first = NULL;
  g_autoptr (McTestServer) second = NULL;
  g_autoptr (McTestSocket) mentor_socket = NULL;
  g_autoptr (McTestSocket) survivor = NULL;
  g_autofree char         *mentor = NULL;
  gint64                   booking_id;

  if (!start_listening_pair (&first, &second))
    return;

  booking_id = create_lesson (first);
  mentor = mc_test_login (first, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mentor_socket = join_lesson (first, mentor, booking_id);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      McTestSocket *sockets[2];
      char         *joins[2];
      gint64        deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      guint         open = 2;

      sockets[0] = ready_to_join (first, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, booking_id,
                                  &joins[0]);
      sockets[1] = ready_to_join (second, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, booking_id,
                                  &joins[1]);
      mc_test_socket_send (sockets[0], joins[0]);
      mc_test_socket_send (sockets[1], joins[1]);

      /* One of the two is taken over (and the last round's one); a moment
       * later the other is still there. */
      while ((!sockets[0]->closed && !sockets[1]->closed) ||
             (survivor != NULL && !survivor->closed))
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, FALSE);
        }
      spin (300);
      g_clear_pointer (&survivor, mc_test_socket_free);
      for (guint i = 0; i < 2; i++)
        {
          if (sockets[i]->closed)
            {
              open--;
              mc_test_socket_free (sockets[i]);
            }
          else
            survivor = sockets[i];
          g_free (joins[i]);
        }
      g_assert_cmpuint (open, ==, 1);
    }

  g_assert_cmpint (mc_test_database_query_int (mc_test_server_get_database (first),
                                               "SELECT count(*) FROM attendance"
                                               " WHERE left_at IS NULL"),
                   ==, 2);
  relay_across (mentor_socket, survivor, booking_id, 0, "v=0");
}

/* Sends each of @payloads, in order, on the channel of @server's own, as
 * anyone who may connect to the database can: in one transaction, so that
 * the test's main context (and its sockets' answers to pings) does not
 * wait long. */
static void
notify_server_all (McTestServer       *server,
                   const char * const *payloads)
{
  g_autofree char    *node = g_path_get_basename (mc_test_server_get_dir (server));
  g_autofree char    *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, node, -1);
  g_autoptr (GString) sql = g_string_new (NULL);

  for (guint i = 0; payloads[i] != NULL; i++)
    g_string_append_printf (sql, "SELECT pg_notify('mentorcall_%.16s', '%s');", digest,
                            payloads[i]);
  mc_test_database_exec (mc_test_server_get_database (server), sql->str);
}

/* notify_server_all () of one payload, made from @format. */
static void G_GNUC_PRINTF (2, 3)
  notify_server (McTestServer *server,
                 const char   *format,
                 ...)
{
  g_autofree char *payload = NULL;
  const char      *payloads[] = { NULL, NULL };
  va_list          args;

  va_start (args, format);
  payload = g_strdup_vprintf (format, args);
  va_end (args);
  payloads[0] = payload;
  notify_server_all (server, payloads);
}

/* Room events that are not what a server sends (not JSON, members of the
 * wrong type or too long, a user not in the room, a server the slot does
 * not name, a payload in parts past the listener's bound) change nothing:
 * the server goes on, and its room still relays what the other server
 * really sends. */
static void
test_room_events_hostile (void)
{
  SplitLesson            lesson = { 0 };
  g_autofree char       *long_instance = NULL;
  g_autoptr (JsonObject) peer_joined = NULL;
  char                  *parts[142] = { NULL };
  gint64                 booking_id, student_id;

  if (!mc_test_database_is_postgresql ())
    {
      g_test_skip ("only servers on PostgreSQL hear each other");
      return;
    }

  split_lesson_start (&lesson, mc_test_server_new (NULL));
  booking_id = lesson.booking_id;
  /* The mentor, on the first server, hears of the student's join. */
  peer_joined = mc_test_socket_wait (lesson.mentor_socket, "peer-joined");
  student_id = json_object_get_int_member (json_object_get_object_member (peer_joined, "user"), "id");

  notify_server (lesson.first, "garbage");
  notify_server (lesson.first, "{}");
  notify_server (lesson.first, "{\"node\":\"x\",\"event\":\"room-relay\",\"booking_id\":%" G_GINT64_FORMAT ",\"user_id\":%" G_GINT64_FORMAT ",\"message\":\"not an object\"}",
                 booking_id, student_id);
  notify_server (lesson.first, "{\"node\":\"x\",\"event\":\"room-relay\",\"booking_id\":%" G_GINT64_FORMAT ",\"user_id\":999999,\"message\":{\"type\":\"offer\"}}",
                 booking_id);
  notify_server (lesson.first,
                 "{\"node\":\"x\",\"event\":\"room-relay\",\"booking_id\":%" G_GINT64_FORMAT
                 ",\"user_id\":%" G_GINT64_FORMAT ",\"message\":null}",
                 booking_id, student_id);
  /* A join of a record that is not open. */
  notify_server (lesson.first,
                 "{\"node\":\"x\",\"event\":\"room-joined\",\"booking_id\":%" G_GINT64_FORMAT
                 ",\"user_id\":%" G_GINT64_FORMAT ",\"record\":999999,\"instance\":\"forged\"}",
                 booking_id, student_id);
  /* From a server that is not the student's. */
  notify_server (lesson.first, "{\"node\":\"x\",\"event\":\"room-relay\",\"booking_id\":%" G_GINT64_FORMAT ",\"user_id\":%" G_GINT64_FORMAT ",\"message\":{\"type\":\"offer\"}}",
                 booking_id, student_id);
  notify_server (lesson.first, "{\"node\":\"x\",\"event\":\"room-media\",\"booking_id\":%" G_GINT64_FORMAT ",\"user_id\":%" G_GINT64_FORMAT ",\"media\":1}",
                 booking_id, student_id);
  long_instance = g_strnfill (1000, 'i');
  notify_server (lesson.first, "{\"node\":\"x\",\"event\":\"room-joined\",\"booking_id\":%" G_GINT64_FORMAT ",\"user_id\":%" G_GINT64_FORMAT ",\"instance\":\"%s\"}",
                 booking_id, student_id,
                 long_instance);
  notify_server (lesson.first, "{\"node\":\"x\",\"event\":\"room-ended\",\"booking_id\":%" G_GINT64_FORMAT ",\"by\":\"me\"}",
                 booking_id);

  /* Parts that never end, past the 1 MiB a payload may have. */
  /* (Each different: PostgreSQL delivers a payload sent twice in one
   * transaction once.) */
  for (guint i = 0; i < 140; i++)
    {
      parts[i] = g_strnfill (7900, 'x');
      parts[i][0] = '+';
      g_snprintf (parts[i] + 1, 8, "%05u", i);
      parts[i][6] = 'x';
    }
  parts[140] = g_strdup ("=}");
  notify_server_all (lesson.first, (const char * const *) parts);
  for (guint i = 0; i < 141; i++)
    g_free (parts[i]);

  /* The first server is alive, and its room relays the student's offer. */
  g_assert_cmpuint (mc_test_server_get_health (lesson.first, NULL), ==, 200);
  relay_across (lesson.student_socket, lesson.mentor_socket, booking_id, student_id, "v=0");
  g_assert_false (mc_test_socket_has (lesson.mentor_socket, "media-state"));
  g_assert_false (mc_test_socket_has (lesson.mentor_socket, "peer-joined"));
  g_assert_false (mc_test_socket_has (lesson.mentor_socket, "ended"));
  g_assert_false (mc_test_socket_has (lesson.mentor_socket, "error"));
  split_lesson_clear (&lesson);
}

static void
test_webhook_once (void)
{
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 0);
  g_autoptr (McTestServer)   first = mc_test_server_new (NULL);
  g_autoptr (McTestServer)   second = NULL;
  g_autoptr (JsonNode)       node = NULL;
  g_autofree char           *body = NULL;
  McTestReceived            *received;
  guint                      status;

  /* On a test clock the delivery workers look at the queue every second. */
  mc_test_server_add_args (first, "--test-clock", NULL);
  mc_test_server_start (first);
  second = mc_test_server_new_node (first, NULL);
  mc_test_server_add_args (second, "--test-clock", NULL);
  mc_test_server_start (second);

  body = g_strdup_printf ("{\"url\":\"%s\",\"events\":[\"booking.changed\"]}", receiver->url);
  node = mc_test_admin (second, "POST", "/api/v1/admin/webhooks", body, &status);
  g_assert_cmpuint (status, ==, 201);

  /* The receiver holds the first node's request: the delivery stays
   * pending, and due, while the second node looks at the queue. */
  mc_test_create_pair (first, NULL, NULL);
  mc_test_create_booking (first, MC_TEST_MENTOR, MC_TEST_STUDENT, 600, 3600, "confirmed");
  received = mc_test_receiver_wait (receiver, 1);
  g_assert_cmpstr (received->type, ==, "booking.changed");
  g_usleep (4 * G_USEC_PER_SEC);
  g_assert_cmpuint (mc_test_receiver_count (receiver), ==, 1);
  mc_test_receiver_release (receiver, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/nodes/chat-concurrent", test_chat_concurrent);
  g_test_add_func ("/server/nodes/sessions-shared", test_sessions_shared);
  g_test_add_func ("/server/nodes/node-killed", test_node_killed);
  g_test_add_func ("/server/nodes/node-drained", test_node_drained);
  g_test_add_func ("/server/nodes/presence-after-loss", test_presence_after_loss);
  g_test_add_func ("/server/nodes/notifications-across", test_notifications_across);
  g_test_add_func ("/server/nodes/listener-reconnects", test_listener_reconnects);
  g_test_add_func ("/server/nodes/room-across", test_room_across);
  g_test_add_func ("/server/nodes/room-across-together", test_room_across_together);
  g_test_add_func ("/server/nodes/same-user-together", test_same_user_together);
  g_test_add_func ("/server/nodes/room-events-hostile", test_room_events_hostile);
  g_test_add_func ("/server/nodes/reuse-port", test_reuse_port);
  g_test_add_func ("/server/nodes/webhook-once", test_webhook_once);

  return g_test_run ();
}
