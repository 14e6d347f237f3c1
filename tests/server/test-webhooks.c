/* test-webhooks.c — signed webhooks, delivered at least once
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real receiver (mc-test-receiver.c) on 127.0.0.1 checks every
 * signature with its own code and answers as the test tells it. Tests
 * that walk the retry schedule run the server with --test-clock and move
 * its clock instead of waiting.
 */

#include <signal.h>
#include <string.h>

#include "mc-protocol.h"
#include "mc-test-receiver.h"
#include "mc-test-server.h"
#include "mc-test-socket.h"

#define WAIT_SECONDS MC_TEST_RECEIVER_WAIT_SECONDS

/* The server's test clock is the real clock plus the offset the test
 * moved it by, so a slow run (sanitizers, a loaded machine) may see a
 * second or two more than the test advanced. */
#define CLOCK_SLACK_SECONDS 5

#define assert_seconds(actual, expected) \
  G_STMT_START \
  { \
    gint64 actual__ = (actual); \
    gint64 expected__ = (expected); \
    g_assert_cmpint (actual__, >=, expected__); \
    g_assert_cmpint (actual__, <=, expected__ + CLOCK_SLACK_SECONDS); \
  } \
  G_STMT_END

/* Adds an endpoint for @receiver through the admin API; returns its id and
 * sets the receiver's secret to the one the server made, unless the
 * receiver already has one. */
static gint64
add_endpoint (McTestServer   *server,
              McTestReceiver *receiver,
              const char     *events_json)
{
  g_autofree char     *body = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint                status;

  body = g_strdup_printf ("{\"url\":\"%s\",\"events\":%s,\"description\":\"test\"}", receiver->url,
                          events_json ? events_json : "[]");
  node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks", body, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_true (g_str_has_prefix (mc_test_get_string (mc_test_object (node), "secret"), "whsec_"));

  g_mutex_lock (&receiver->mutex);
  if (receiver->secret == NULL)
    receiver->secret = g_strdup (mc_test_get_string (mc_test_object (node), "secret"));
  g_mutex_unlock (&receiver->mutex);

  return mc_test_get_int (mc_test_object (node), "id");
}

/* The endpoint's delivery log, newest first. */
static JsonNode *
list_deliveries (McTestServer *server,
                 gint64        endpoint_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/admin/webhooks/%" G_GINT64_FORMAT
                                           "/deliveries",
                                           endpoint_id);
  JsonNode        *node;
  guint            status;

  node = mc_test_admin (server, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  return node;
}

static JsonObject *
delivery_at (JsonNode *list,
             guint     index)
{
  JsonArray *array = json_object_get_array_member (mc_test_object (list), "deliveries");

  return json_array_get_object_element (array, index);
}

/* Waits until the server has recorded @attempts attempts of the newest
 * delivery. */
static JsonNode *
wait_recorded (McTestServer *server,
               gint64        endpoint_id,
               gint64        attempts)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (JsonNode) list = list_deliveries (server, endpoint_id);

      if (json_array_get_length (
            json_object_get_array_member (mc_test_object (list), "deliveries")) > 0 &&
          json_object_get_int_member (delivery_at (list, 0), "attempts") >= attempts)
        return g_steal_pointer (&list);

      if (g_get_monotonic_time () > deadline)
        g_error ("The server did not record attempt %" G_GINT64_FORMAT, attempts);
      g_usleep (20 * 1000);
    }
}

static gint64
parse_time (JsonObject *object,
            const char *member)
{
  gint64 value = 0;

  g_assert_true (mc_json_parse_time (json_object_get_string_member (object, member), &value));
  return value;
}

static JsonObject *
received_data (McTestReceived *received)
{
  g_autoptr (JsonNode) node = json_from_string (received->body, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_object_get_object_member (json_node_get_object (node), "data"));
}

/* Reads one sample of /metrics; -1 if it is not there. */
static double
metric_value (McTestServer *server,
              const char   *sample)
{
  g_autoptr (GBytes)   body = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_auto (GStrv)       lines = NULL;
  g_autofree char     *text = NULL;
  guint                status;

  node = mc_test_request_full (server, "GET", "/metrics", NULL, NULL, NULL, &status, NULL, &body);
  g_assert_cmpuint (status, ==, 200);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], sample) && lines[i][strlen (sample)] == ' ')
        return g_ascii_strtod (lines[i] + strlen (sample) + 1, NULL);
    }

  return -1;
}

/* Lessons over signaling */

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
lesson_start (Lesson       *lesson,
              McTestServer *server)
{
  lesson->server = server;
  mc_test_create_pair (server, &lesson->mentor_id, &lesson->student_id);
  lesson->booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -600,
                                               3000, "confirmed");
  lesson->mentor_token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  lesson->student_token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
}

static void
lesson_clear (Lesson *lesson)
{
  g_free (lesson->mentor_token);
  g_free (lesson->student_token);
}

static McTestSocket *
join (Lesson     *lesson,
      const char *token)
{
  g_autofree char       *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT
                                                 "/call-token",
                                                 lesson->booking_id);
  g_autoptr (JsonNode)   issued = NULL;
  g_autofree char       *text = NULL;
  g_autoptr (JsonObject) welcome = NULL;
  g_autoptr (JsonObject) joined = NULL;
  McTestSocket          *socket;
  guint                  status;

  issued = mc_test_request (lesson->server, "POST", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  socket = mc_test_socket_open (lesson->server, token, NULL, NULL);
  g_assert_no_error (socket->error);
  welcome = mc_test_socket_wait (socket, "welcome");
  text = g_strdup_printf ("{\"type\":\"join\",\"booking_id\":%" G_GINT64_FORMAT
                          ",\"call_token\":\"%s\",\"request_id\":\"j\"}",
                          lesson->booking_id, mc_test_get_string (mc_test_object (issued), "token"));
  mc_test_socket_send (socket, text);
  joined = mc_test_socket_wait (socket, "joined");

  return socket;
}

static void
send_and_wait (Lesson       *lesson,
               McTestSocket *socket,
               const char   *type,
               const char   *reply)
{
  g_autofree char       *text = g_strdup_printf ("{\"type\":\"%s\",\"booking_id\":%" G_GINT64_FORMAT
                                                 "}",
                                                 type, lesson->booking_id);
  g_autoptr (JsonObject) answer = NULL;

  mc_test_socket_send (socket, text);
  answer = mc_test_socket_wait (socket, reply);
}

static McTestServer *
start_server (gboolean test_clock)
{
  McTestServer *server = mc_test_server_new (NULL);

  if (test_clock)
    mc_test_server_add_args (server, "--test-clock", NULL);
  mc_test_server_start (server);

  return server;
}

/* Join, leave, rejoin, end: every event, signed, with the right times. */
static void
test_lesson (void)
{
  g_autoptr (McTestServer)   server = start_server (TRUE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 200);
  g_autoptr (McTestSocket)   mentor = NULL;
  g_autoptr (McTestSocket)   student = NULL;
  g_autoptr (McTestSocket)   student_again = NULL;
  g_autoptr (JsonNode)       log = NULL;
  g_autoptr (GHashTable)     by_id = g_hash_table_new (g_str_hash, g_str_equal);
  Lesson                     lesson = { 0 };
  gint64                     endpoint_id;
  gint64                     t0;
  JsonArray                 *deliveries;
  const char                *expected[] = {
                   "booking.changed",           /* created */
                   "lesson.call_started",       /* the mentor's join */
                   "lesson.participant_joined", /* the mentor */
                   "lesson.participant_joined", /* the student */
                   "lesson.participant_left",   /* the student: left */
                   "lesson.participant_joined", /* the student again */
                   "lesson.participant_left",   /* the mentor: ended */
                   "lesson.participant_left",   /* the student: ended */
                   "lesson.ended",
                   "booking.changed", /* completed */
  };

  endpoint_id = add_endpoint (server, receiver, NULL);
  lesson_start (&lesson, server);

  mentor = join (&lesson, lesson.mentor_token);
  mc_test_server_advance_clock (server, 60);
  student = join (&lesson, lesson.student_token);
  mc_test_server_advance_clock (server, 120);
  send_and_wait (&lesson, student, "leave", "left");
  mc_test_server_advance_clock (server, 30);
  student_again = join (&lesson, lesson.student_token);
  mc_test_server_advance_clock (server, 600);
  send_and_wait (&lesson, mentor, "end", "ended");

  mc_test_receiver_wait (receiver, G_N_ELEMENTS (expected));

  /* The outbox's order is the order of the changes; the log lists it
   * newest first. Deliveries run in parallel, so arrival order may differ. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      McTestReceived *received = mc_test_receiver_get (receiver, i);

      g_assert_true (received->verified);
      g_assert_cmpuint (received->answered, ==, 200);
      g_assert_nonnull (received->id);
      g_assert_false (g_hash_table_contains (by_id, received->id));
      g_hash_table_insert (by_id, received->id, received);
    }

  log = wait_recorded (server, endpoint_id, 1);
  deliveries = json_object_get_array_member (mc_test_object (log), "deliveries");
  g_assert_cmpuint (json_array_get_length (deliveries), ==, G_N_ELEMENTS (expected));

  {
    McTestReceived *events[G_N_ELEMENTS (expected)];
    JsonObject     *d;
    JsonArray      *participants;

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        JsonObject *row = json_array_get_object_element (deliveries,
                                                         G_N_ELEMENTS (expected) - 1 - i);

        g_assert_cmpstr (json_object_get_string_member (row, "type"), ==, expected[i]);
        events[i] = g_hash_table_lookup (by_id, json_object_get_string_member (row, "webhook_id"));
        g_assert_nonnull (events[i]);
        g_assert_cmpstr (events[i]->type, ==, expected[i]);
      }

    d = received_data (events[1]);
    t0 = parse_time (d, "started_at");
    g_assert_cmpint (json_object_get_int_member (d, "user_id"), ==, lesson.mentor_id);
    json_object_unref (d);

    d = received_data (events[3]);
    assert_seconds (parse_time (d, "joined_at") - t0, 60);
    g_assert_cmpstr (json_object_get_string_member (d, "role"), ==, "student");
    json_object_unref (d);

    d = received_data (events[4]);
    g_assert_cmpstr (json_object_get_string_member (d, "reason"), ==, "left");
    assert_seconds (json_object_get_int_member (d, "attended_seconds"), 120);
    json_object_unref (d);

    d = received_data (events[7]);
    g_assert_cmpstr (json_object_get_string_member (d, "reason"), ==, "ended");
    assert_seconds (json_object_get_int_member (d, "attended_seconds"), 600);
    json_object_unref (d);

    d = received_data (events[8]);
    g_assert_cmpint (json_object_get_int_member (d, "booking_id"), ==, lesson.booking_id);
    g_assert_cmpint (json_object_get_int_member (d, "ended_by"), ==, lesson.mentor_id);
    assert_seconds (json_object_get_int_member (d, "duration_seconds"), 810);
    assert_seconds (parse_time (d, "ended_at") - parse_time (d, "started_at"), 810);
    g_assert_true (json_object_get_boolean_member (d, "booking_completed"));
    participants = json_object_get_array_member (d, "participants");
    assert_seconds (json_object_get_int_member (json_array_get_object_element (participants, 0),
                                                "attended_seconds"),
                    810);
    assert_seconds (json_object_get_int_member (json_array_get_object_element (participants, 1),
                                                "attended_seconds"),
                    720);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (d, "scheduled"),
                                                 "duration_seconds"),
                     ==, 3600);
    json_object_unref (d);

    d = received_data (events[9]);
    g_assert_cmpstr (json_object_get_string_member (d, "status"), ==, "completed");
    json_object_unref (d);
  }

  lesson_clear (&lesson);
}

/* 500 three times, then 200: the fourth try, same id, on the schedule. */
static void
test_retries (void)
{
  g_autoptr (McTestServer)   server = start_server (TRUE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 200);
  const gint64               advance[] = { 10, 400, 2100 };
  const gint64               min_delay[] = { 4, 270, 1620 };
  gint64                     endpoint_id;

  for (guint i = 0; i < 3; i++)
    g_queue_push_tail (&receiver->statuses, GUINT_TO_POINTER (500));

  endpoint_id = add_endpoint (server, receiver, "[\"booking.changed\"]");
  mc_test_create_pair (server, NULL, NULL);
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200, "pending");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) log = NULL;
      JsonObject          *row;
      gint64               delay;

      mc_test_receiver_wait (receiver, i + 1);
      log = wait_recorded (server, endpoint_id, i + 1);
      row = delivery_at (log, 0);
      g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "pending");
      g_assert_cmpint (json_object_get_int_member (row, "last_status"), ==, 500);
      delay = parse_time (row, "next_attempt_at") - parse_time (row, "last_attempt_at");
      g_assert_cmpint (delay, >=, min_delay[i]);
      g_assert_cmpint (delay, <, advance[i]);

      /* Nothing more until the clock reaches the next attempt. */
      g_assert_cmpuint (mc_test_receiver_count (receiver), ==, i + 1);
      g_assert_cmpfloat (metric_value (server, "mentorcall_webhook_queue_length"), ==, 1);
      if (i > 0)
        g_assert_cmpfloat (metric_value (server, "mentorcall_webhook_oldest_pending_seconds"), >=,
                           advance[i - 1]);
      mc_test_server_advance_clock (server, advance[i]);
    }

  mc_test_receiver_wait (receiver, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (mc_test_receiver_get (receiver, i)->verified);
      g_assert_cmpstr (mc_test_receiver_get (receiver, i)->id, ==, mc_test_receiver_get (receiver, 0)->id);
      g_assert_cmpstr (mc_test_receiver_get (receiver, i)->body, ==, mc_test_receiver_get (receiver, 0)->body);
    }
  g_assert_cmpuint (mc_test_receiver_get (receiver, 3)->answered, ==, 200);

  {
    g_autoptr (JsonNode) log = wait_recorded (server, endpoint_id, 4);
    JsonObject          *row = delivery_at (log, 0);

    g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "delivered");
    g_assert_cmpint (json_object_get_int_member (row, "attempts"), ==, 4);
    g_assert_true (json_object_get_null_member (row, "next_attempt_at"));
  }

  /* The metrics count each attempt; the queue is empty. */
  g_assert_cmpfloat (metric_value (server, "mentorcall_webhook_deliveries_total{result=\"retried\"}"),
                     ==, 3);
  g_assert_cmpfloat (
    metric_value (server, "mentorcall_webhook_deliveries_total{result=\"delivered\"}"), ==, 1);
  g_assert_cmpfloat (metric_value (server, "mentorcall_webhook_queue_length"), ==, 0);
  g_assert_cmpfloat (metric_value (server, "mentorcall_webhook_oldest_pending_seconds"), ==, 0);
}

/* A receiver that does not answer within 15 s: the attempt is cut and
 * retried on the schedule. */
static void
test_timeout (void)
{
  g_autoptr (McTestServer)   server = start_server (TRUE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 200);
  g_autoptr (JsonNode)       log = NULL;
  McTestReceived            *again;
  JsonObject                *row;
  gint64                     endpoint_id;

  /* Hold the first request, answer the next. */
  g_queue_push_tail (&receiver->statuses, GUINT_TO_POINTER (0));
  endpoint_id = add_endpoint (server, receiver, "[\"booking.changed\"]");
  mc_test_create_pair (server, NULL, NULL);
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200, "pending");

  mc_test_receiver_wait (receiver, 1);
  log = wait_recorded (server, endpoint_id, 1);
  row = delivery_at (log, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "pending");
  g_assert_true (json_object_get_null_member (row, "last_status"));
  g_assert_cmpstr (json_object_get_string_member (row, "last_error"), ==,
                   "The endpoint did not answer in time");

  mc_test_server_advance_clock (server, 10);
  again = mc_test_receiver_wait (receiver, 2);
  g_assert_cmpstr (again->id, ==, mc_test_receiver_get (receiver, 0)->id);
  g_assert_true (again->verified);
  g_clear_pointer (&log, json_node_unref);
  log = wait_recorded (server, endpoint_id, 2);
  g_assert_cmpstr (json_object_get_string_member (delivery_at (log, 0), "state"), ==,
                   "delivered");
}

/* A Retry-After longer than the schedule's delay is honoured. */
static void
test_retry_after (void)
{
  g_autoptr (McTestServer)   server = start_server (FALSE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 503);
  g_autoptr (JsonNode)       log = NULL;
  JsonObject                *row;
  gint64                     endpoint_id;

  receiver->retry_after = "7200";
  endpoint_id = add_endpoint (server, receiver, "[\"booking.changed\"]");
  mc_test_create_pair (server, NULL, NULL);
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200, "pending");

  mc_test_receiver_wait (receiver, 1);
  log = wait_recorded (server, endpoint_id, 1);
  row = delivery_at (log, 0);
  g_assert_cmpint (json_object_get_int_member (row, "last_status"), ==, 503);
  g_assert_cmpint (parse_time (row, "next_attempt_at") - parse_time (row, "last_attempt_at"), ==,
                   7200);
}

/* 410 Gone disables the endpoint; enabling it again resumes deliveries. */
static void
test_gone (void)
{
  g_autoptr (McTestServer)   server = start_server (FALSE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 410);
  g_autoptr (JsonNode)       log = NULL;
  g_autoptr (JsonNode)       endpoint = NULL;
  g_autofree char           *path = NULL;
  gint64                     endpoint_id;
  guint                      status;

  endpoint_id = add_endpoint (server, receiver, "[\"booking.changed\"]");
  path = g_strdup_printf ("/api/v1/admin/webhooks/%" G_GINT64_FORMAT, endpoint_id);
  mc_test_create_pair (server, NULL, NULL);
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200, "pending");

  mc_test_receiver_wait (receiver, 1);
  log = wait_recorded (server, endpoint_id, 1);
  g_assert_cmpstr (json_object_get_string_member (delivery_at (log, 0), "state"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (delivery_at (log, 0), "last_status"), ==, 410);

  endpoint = mc_test_admin (server, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_false (json_object_get_boolean_member (mc_test_object (endpoint), "enabled"));
  g_assert_nonnull (mc_test_get_string (mc_test_object (endpoint), "disabled_reason"));
  g_assert_false (json_object_has_member (mc_test_object (endpoint), "secret"));
  g_assert_cmpfloat (metric_value (server, "mentorcall_webhook_deliveries_total{result=\"failed\"}"),
                     ==, 1);

  /* A disabled endpoint is sent nothing. */
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 7200, 9000, "pending");
  g_clear_pointer (&log, json_node_unref);
  log = list_deliveries (server, endpoint_id);
  g_assert_cmpuint (
    json_array_get_length (json_object_get_array_member (mc_test_object (log), "deliveries")), ==,
    1);

  /* Enabled again, it gets the next event. */
  g_mutex_lock (&receiver->mutex);
  receiver->answer = 204;
  g_mutex_unlock (&receiver->mutex);
  g_clear_pointer (&endpoint, json_node_unref);
  endpoint = mc_test_admin (server, "PATCH", path, "{\"enabled\":true}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_object_get_boolean_member (mc_test_object (endpoint), "enabled"));
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 9000, 9600, "pending");
  g_assert_cmpuint (mc_test_receiver_wait (receiver, 2)->answered, ==, 204);
  g_assert_true (mc_test_receiver_get (receiver, 1)->verified);
}

/* A takeover, then a lesson that the server ends when it is long over. */
static void
test_takeover_and_timeout (void)
{
  g_autoptr (McTestServer)   server = start_server (TRUE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 200);
  g_autoptr (McTestSocket)   first = NULL;
  g_autoptr (McTestSocket)   second = NULL;
  g_autoptr (JsonObject)     left = NULL;
  g_autoptr (JsonObject)     taken = NULL;
  g_autoptr (JsonObject)     ended = NULL;
  Lesson                     lesson = { 0 };
  JsonArray                 *participants;

  add_endpoint (server, receiver, "[\"lesson.participant_left\", \"lesson.ended\"]");
  lesson_start (&lesson, server);

  first = join (&lesson, lesson.mentor_token);
  mc_test_server_advance_clock (server, 100);
  second = join (&lesson, lesson.mentor_token);
  taken = received_data (mc_test_receiver_wait (receiver, 1));
  g_assert_cmpstr (json_object_get_string_member (taken, "reason"), ==, "taken_over");
  g_assert_cmpint (json_object_get_int_member (taken, "user_id"), ==, lesson.mentor_id);
  assert_seconds (json_object_get_int_member (taken, "attended_seconds"), 100);

  mc_test_server_advance_clock (server, 50);
  send_and_wait (&lesson, second, "leave", "left");
  left = received_data (mc_test_receiver_wait (receiver, 2));
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "left");
  assert_seconds (json_object_get_int_member (left, "attended_seconds"), 50);

  /* The lesson ended 3000 s after its creation; 30 min later with
   * nobody in the room, the server ends the call. */
  mc_test_server_advance_clock (server, 3000 + 1800 + 60);
  ended = received_data (mc_test_receiver_wait (receiver, 3));
  g_assert_true (json_object_get_null_member (ended, "ended_by"));
  g_assert_cmpstr (json_object_get_string_member (ended, "ended_by_role"), ==, "server");
  g_assert_cmpint (json_object_get_int_member (ended, "duration_seconds"), ==,
                   parse_time (ended, "ended_at") - parse_time (ended, "started_at"));
  g_assert_cmpint (json_object_get_int_member (ended, "duration_seconds"), >=, 150 + 4860);
  participants = json_object_get_array_member (ended, "participants");
  assert_seconds (json_object_get_int_member (json_array_get_object_element (participants, 0),
                                              "attended_seconds"),
                  150);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (participants, 0),
                                               "joins"),
                   ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (participants, 1),
                                               "joins"),
                   ==, 0);
  for (guint i = 0; i < 3; i++)
    g_assert_true (mc_test_receiver_get (receiver, i)->verified);

  lesson_clear (&lesson);
}

/* At most 8 deliveries in flight: the receiver holds the first 8 of 10
 * events, and the other 2 come only when it answers. */
static void
test_in_flight (void)
{
  g_autoptr (McTestServer)   server = start_server (FALSE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 0);
  g_autoptr (GHashTable)     ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (JsonNode)       log = NULL;
  JsonArray                 *deliveries;
  gint64                     endpoint_id;

  endpoint_id = add_endpoint (server, receiver, "[\"booking.changed\"]");
  mc_test_create_pair (server, NULL, NULL);
  for (gint64 i = 0; i < 10; i++)
    mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600 * (i + 1),
                            3600 * (i + 1) + 1800, "pending");

  mc_test_receiver_wait (receiver, 8);
  /* The worker had every event at once; a ninth would be here by now. */
  g_usleep (G_USEC_PER_SEC);
  g_assert_cmpuint (mc_test_receiver_count (receiver), ==, 8);

  mc_test_receiver_release (receiver, 200);
  mc_test_receiver_wait (receiver, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (mc_test_receiver_get (receiver, i)->verified);
      g_hash_table_add (ids, mc_test_receiver_get (receiver, i)->id);
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 10);

  /* All delivered, each at its first attempt. */
  for (gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;;)
    {
      guint delivered = 0;

      g_clear_pointer (&log, json_node_unref);
      log = list_deliveries (server, endpoint_id);
      deliveries = json_object_get_array_member (mc_test_object (log), "deliveries");
      for (guint i = 0; i < json_array_get_length (deliveries); i++)
        {
          JsonObject *row = json_array_get_object_element (deliveries, i);

          if (g_str_equal (json_object_get_string_member (row, "state"), "delivered"))
            {
              g_assert_cmpint (json_object_get_int_member (row, "attempts"), ==, 1);
              delivered++;
            }
        }
      if (delivered == 10)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* Killed while the receiver holds the lesson's end: sent again after the
 * restart, with the same id and body. */
static void
test_crash (void)
{
  g_autoptr (McTestServer)   server = start_server (TRUE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 0);
  g_autoptr (McTestSocket)   mentor = NULL;
  g_autoptr (JsonNode)       log = NULL;
  Lesson                     lesson = { 0 };
  McTestReceived            *first, *again;
  gint64                     endpoint_id;

  endpoint_id = add_endpoint (server, receiver, "[\"lesson.ended\"]");
  lesson_start (&lesson, server);
  mentor = join (&lesson, lesson.mentor_token);
  send_and_wait (&lesson, mentor, "end", "ended");

  first = mc_test_receiver_wait (receiver, 1);
  g_assert_cmpstr (first->type, ==, "lesson.ended");
  g_assert_cmpuint (first->answered, ==, 0);
  g_clear_pointer (&mentor, mc_test_socket_free);
  mc_test_server_kill (server);

  g_mutex_lock (&receiver->mutex);
  receiver->answer = 200;
  g_mutex_unlock (&receiver->mutex);
  mc_test_server_start (server);
  /* The dead server's claim on the delivery runs out after twice the
   * attempt timeout (2 × 15 s); the restarted one waits for that. */
  mc_test_server_advance_clock (server, 2 * 15 + 1);

  again = mc_test_receiver_wait (receiver, 2);
  g_assert_true (again->verified);
  g_assert_cmpstr (again->id, ==, first->id);
  g_assert_cmpstr (again->body, ==, first->body);
  g_assert_cmpuint (again->answered, ==, 200);

  log = wait_recorded (server, endpoint_id, 1);
  g_assert_cmpstr (json_object_get_string_member (delivery_at (log, 0), "state"), ==,
                   "delivered");
  lesson_clear (&lesson);
}

/* The signature is real: a wrong secret or a changed body fails it, and
 * during a rotation both secrets sign. */
static void
test_signature (void)
{
  const char                *secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const char                *other = "whsec_Ej1UQHhqIzoxb0ThhRJTxQ+6KqADhZxS";
  g_autoptr (McTestServer)   server = start_server (FALSE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (other, 200);
  g_autoptr (JsonNode)       node = NULL;
  g_autofree char           *body = NULL;
  g_autofree char           *path = NULL;
  g_autofree char           *tampered = NULL;
  g_autofree char           *rotated = NULL;
  McTestReceived            *received;
  guint                      status;

  body = g_strdup_printf ("{\"url\":\"%s\",\"events\":[\"booking.changed\"],\"secret\":\"%s\"}",
                          receiver->url, secret);
  node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks", body, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (node), "secret"), ==, secret);
  path = g_strdup_printf ("/api/v1/admin/webhooks/%" G_GINT64_FORMAT "/rotate-secret",
                          mc_test_get_int (mc_test_object (node), "id"));

  mc_test_create_pair (server, NULL, NULL);
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200, "pending");
  received = mc_test_receiver_wait (receiver, 1);

  /* The receiver's secret is wrong: verification fails. */
  g_assert_false (received->verified);
  g_assert_true (g_str_has_prefix (received->signature, "v1,"));
  /* With the right one it holds, for this body only. */
  g_assert_true (mc_test_verify_signature (secret, received->id, received->timestamp, received->body,
                                           received->signature));
  tampered = g_strdup (received->body);
  tampered[strlen (tampered) - 2] = tampered[strlen (tampered) - 2] == '1' ? '2' : '1';
  g_assert_false (mc_test_verify_signature (secret, received->id, received->timestamp, tampered,
                                            received->signature));
  g_assert_false (mc_test_verify_signature (secret, "msg_other", received->timestamp, received->body,
                                            received->signature));
  g_assert_cmpint (ABS (g_ascii_strtoll (received->timestamp, NULL, 10) -
                        g_get_real_time () / G_USEC_PER_SEC),
                   <, 300);

  /* Rotation: the new secret and the old one both sign for a while. */
  g_clear_pointer (&node, json_node_unref);
  node = mc_test_admin (server, "POST", path, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  rotated = g_strdup (mc_test_get_string (mc_test_object (node), "secret"));
  g_assert_cmpstr (rotated, !=, secret);
  g_assert_nonnull (mc_test_get_string (mc_test_object (node), "previous_secret_valid_until"));

  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 7200, 9000, "pending");
  received = mc_test_receiver_wait (receiver, 2);
  g_assert_nonnull (strchr (received->signature, ' '));
  g_assert_true (mc_test_verify_signature (secret, received->id, received->timestamp, received->body,
                                           received->signature));
  g_assert_true (mc_test_verify_signature (rotated, received->id, received->timestamp, received->body,
                                           received->signature));
  g_assert_false (mc_test_verify_signature (other, received->id, received->timestamp, received->body,
                                            received->signature));
}

/* Bad admin input: structured errors, and the server lives on. */
static void
test_bad_input (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[server]\nmax-body-size=4096\n");
  g_autofree char         *long_url = NULL;
  g_autofree char         *body = NULL;
  const struct
  {
    const char *body;
    const char *field;
  } cases[] = {
    { "{\"url\":\"not a url\"}", "url" },
    { "{\"url\":\"ftp://127.0.0.1/hook\"}", "url" },
    { "{\"url\":\"http://user:pw@127.0.0.1/hook\"}", "url" },
    { "{\"url\":\"http:///hook\"}", "url" },
    { "{\"url\":5}", "url" },
    { "{}", "url" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"events\":[\"lesson.exploded\"]}", "events" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"events\":[5]}", "events" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"events\":\"lesson.ended\"}", "events" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"secret\":\"hunter2\"}", "secret" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"secret\":\"whsec_!!!!\"}", "secret" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"secret\":\"whsec_c2hvcnQ=\"}", "secret" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"events\":[null]}", "events" },
    { "{\"url\":\"http://127.0.0.1/hook\",\"events\":[[\"lesson.ended\"]]}", "events" },
    { "{\"url\":\"http://127.0.0.1/a b\"}", "url" },
    { "{\"url\":\"http://127.0.0.1/\\n\"}", "url" },
    { "{\"url\":\"http://127.0.0.1/hook#top\"}", "url" },
  };
  guint status;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks",
                                                 cases[i].body, &status);
      JsonObject          *error = mc_test_assert_error (node, status, 400, "invalid_field");

      g_test_message ("%s", cases[i].body);
      g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, cases[i].field);
    }

  /* Too long a URL. */
  long_url = g_strnfill (3000, 'a');
  body = g_strdup_printf ("{\"url\":\"http://127.0.0.1/%s\"}", long_url);
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks", body,
                                               &status);

    mc_test_assert_error (node, status, 400, "invalid_field");
  }

  /* Too long a description, too large a body. */
  g_free (body);
  body = g_strdup_printf ("{\"url\":\"http://127.0.0.1/hook\",\"description\":\"%.201s\"}",
                          long_url);
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks", body,
                                               &status);
    JsonObject          *error = mc_test_assert_error (node, status, 400, "invalid_field");

    g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "description");
  }
  g_free (body);
  g_free (long_url);
  long_url = g_strnfill (5000, 'a');
  body = g_strdup_printf ("{\"url\":\"http://127.0.0.1/hook\",\"description\":\"%s\"}",
                          long_url);
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks", body,
                                               &status);

    mc_test_assert_error (node, status, 413, "payload_too_large");
  }

  /* Not JSON; unknown endpoints and deliveries. */
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "POST", "/api/v1/admin/webhooks", "{url",
                                               &status);

    mc_test_assert_error (node, status, 400, "malformed_json");
  }
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "DELETE", "/api/v1/admin/webhooks/999",
                                               NULL, &status);

    mc_test_assert_error (node, status, 404, "not_found");
  }
  {
    g_autoptr (JsonNode) node = mc_test_admin (
      server, "POST", "/api/v1/admin/webhook-deliveries/999/redeliver", "{}", &status);

    mc_test_assert_error (node, status, 404, "not_found");
  }
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "PATCH", "/api/v1/admin/webhooks/1",
                                               "{\"enabled\":\"yes\"}", &status);

    mc_test_assert_error (node, status, 400, "invalid_field");
  }
  {
    g_autoptr (JsonNode) node = mc_test_request (server, "GET", "/api/v1/admin/webhooks", NULL,
                                                 NULL, &status);

    g_assert_cmpuint (status, ==, 401);
  }

  /* Nothing was added. */
  {
    g_autoptr (JsonNode) node = mc_test_admin (server, "GET", "/api/v1/admin/webhooks", NULL,
                                               &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (mc_test_object (node), "webhooks")), ==,
      0);
  }
}

/* mentorcall-server webhook add|list|deliveries|redeliver|remove. */
static void
test_cli (void)
{
  g_autoptr (McTestServer)   server = start_server (TRUE);
  g_autoptr (McTestReceiver) receiver = mc_test_receiver_new (NULL, 200);
  g_autofree char           *out = NULL;
  g_autofree char           *err = NULL;
  g_autofree char           *line = NULL;
  g_autofree char           *delivery_id = NULL;
  const char                *secret;
  McTestReceived            *first, *again;

  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "webhook", "add", receiver->url,
                                    "--events", "booking.changed, lesson.ended", "--description",
                                    "from the CLI", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "Created webhook endpoint 1\nSecret: whsec_"));
  secret = strstr (out, "whsec_");
  g_mutex_lock (&receiver->mutex);
  receiver->secret = g_strndup (secret, strcspn (secret, "\n"));
  g_mutex_unlock (&receiver->mutex);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "webhook", "list", NULL), ==, 0);
  line = g_strdup_printf ("1\tenabled\t%s\tbooking.changed,lesson.ended\tfrom the CLI\n",
                          receiver->url);
  g_assert_cmpstr (out, ==, line);

  /* Bad input: a message and a non-zero status, nothing added. */
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "webhook", "add",
                                    "ftp://127.0.0.1/hook", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "http or https"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "webhook", "add", receiver->url,
                                    "--events", "lesson.exploded", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "Unknown event"));
  g_assert_nonnull (strstr (err, "lesson.exploded"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "webhook", "add", receiver->url,
                                    "--secret", "hunter2", NULL),
                   ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "webhook", "remove", "one", NULL),
                   ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "webhook", "remove", "99", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "There is no webhook endpoint 99"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "webhook", "frobnicate", NULL), ==,
                   2);

  /* The server delivers to the endpoint the CLI added. */
  mc_test_create_pair (server, NULL, NULL);
  mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200, "pending");
  first = mc_test_receiver_wait (receiver, 1);
  g_assert_true (first->verified);
  json_node_unref (wait_recorded (server, 1, 1));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "webhook", "deliveries", "1", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, first->id));
  g_assert_nonnull (strstr (out, "\tbooking.changed\t"));
  g_assert_nonnull (strstr (out, "\tdelivered\tattempts 1\tlast 200\tnext -"));
  delivery_id = g_strndup (out, strcspn (out, "\t"));

  /* Redelivered: the running server sends it again, same id. */
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, NULL, "webhook", "redeliver", delivery_id,
                                    NULL),
                   ==, 0);
  again = mc_test_receiver_wait (receiver, 2);
  g_assert_cmpstr (again->id, ==, first->id);
  g_assert_true (again->verified);

  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, NULL, "webhook", "redeliver", "999", NULL),
                   ==, 1);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, NULL, "webhook", "remove", "1", NULL), ==,
                   0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "webhook", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/webhooks/lesson", test_lesson);
  g_test_add_func ("/server/webhooks/retries", test_retries);
  g_test_add_func ("/server/webhooks/retry-after", test_retry_after);
  g_test_add_func ("/server/webhooks/timeout", test_timeout);
  g_test_add_func ("/server/webhooks/gone", test_gone);
  g_test_add_func ("/server/webhooks/takeover-and-timeout", test_takeover_and_timeout);
  g_test_add_func ("/server/webhooks/in-flight", test_in_flight);
  g_test_add_func ("/server/webhooks/crash", test_crash);
  g_test_add_func ("/server/webhooks/signature", test_signature);
  g_test_add_func ("/server/webhooks/bad-input", test_bad_input);
  g_test_add_func ("/server/webhooks/cli", test_cli);

  return g_test_run ();
}
