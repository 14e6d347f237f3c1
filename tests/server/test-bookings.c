/* test-bookings.c — the participant's view of bookings
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

typedef struct
{
  McTestServer *server;
  gint64        mentor_id;
  gint64        student_id;
  gint64        other_id;
  char         *mentor_token;
  char         *student_token;
  char         *other_token;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, &fixture->mentor_id, &fixture->student_id);
  fixture->other_id = mc_test_create_user (fixture->server, "olga", "student", "olga-pass-1");

  fixture->mentor_token = mc_test_login (fixture->server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  fixture->student_token = mc_test_login (fixture->server, MC_TEST_STUDENT,
                                          MC_TEST_STUDENT_PASSWORD);
  fixture->other_token = mc_test_login (fixture->server, "olga", "olga-pass-1");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->server, mc_test_server_free);
  g_free (fixture->mentor_token);
  g_free (fixture->student_token);
  g_free (fixture->other_token);
}

static JsonNode *
get (Fixture    *fixture,
     const char *token,
     guint      *status,
     const char *format,
     ...) G_GNUC_PRINTF (4, 5);

static JsonNode *
get (Fixture    *fixture,
     const char *token,
     guint      *status,
     const char *format,
     ...)
{
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  path = g_strdup_vprintf (format, args);
  va_end (args);

  return mc_test_request (fixture->server, "GET", path, token, NULL, status);
}

static void
assert_time (JsonObject *object,
             const char *path,
             gint64      expected)
{
  const char *text = mc_test_get_string (object, path);
  g_autofree char *expected_text = mc_json_format_time (expected);

  /* Times go out as YYYY-MM-DDTHH:MM:SSZ. */
  g_assert_cmpstr (text, ==, expected_text);
}

static void
assert_short_user (JsonObject *user,
                   gint64      id,
                   const char *username,
                   const char *role)
{
  g_assert_cmpint (mc_test_get_int (user, "id"), ==, id);
  g_assert_cmpstr (mc_test_get_string (user, "username"), ==, username);
  g_assert_cmpstr (mc_test_get_string (user, "role"), ==, role);
  mc_test_get_string (user, "display_name");
  g_assert_false (json_object_has_member (user, "password_hash"));
}

static void
test_get_booking (Fixture       *fixture,
                  gconstpointer  user_data)
{
  gint64 now = mc_test_now ();
  gint64 id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                      -600, 3000, "confirmed");
  g_autoptr(JsonObject) admin_view = mc_test_get_booking_admin (fixture->server, id);
  gint64 starts_at = 0, ends_at = 0;
  guint status;

  g_assert_true (mc_json_parse_time (mc_test_get_string (admin_view, "start"), &starts_at));
  g_assert_true (mc_json_parse_time (mc_test_get_string (admin_view, "end"), &ends_at));
  g_assert_cmpint (ends_at - starts_at, ==, 3600);
  g_assert_cmpint (starts_at, >=, now - 600);

  /* The mentor's view */
  {
    g_autoptr(JsonNode) response = get (fixture, fixture->mentor_token, &status,
                                        "/api/v1/bookings/%" G_GINT64_FORMAT, id);
    JsonObject *booking = mc_test_object (response);
    JsonNode *call;

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (mc_test_get_int (booking, "id"), ==, id);
    g_assert_cmpstr (mc_test_get_string (booking, "subject"), ==, "Test lesson");
    g_assert_cmpstr (mc_test_get_string (booking, "status"), ==, "confirmed");
    assert_time (booking, "start", starts_at);
    assert_time (booking, "end", ends_at);
    assert_short_user (json_object_get_object_member (booking, "mentor"), fixture->mentor_id,
                       MC_TEST_MENTOR, "mentor");
    assert_short_user (json_object_get_object_member (booking, "student"), fixture->student_id,
                       MC_TEST_STUDENT, "student");
    g_assert_cmpstr (mc_test_get_string (booking, "role"), ==, "mentor");
    assert_short_user (json_object_get_object_member (booking, "other"), fixture->student_id,
                       MC_TEST_STUDENT, "student");

    /* The default join window: 15 minutes before to 30 minutes after. */
    assert_time (booking, "join_window.opens_at", starts_at - 15 * 60);
    assert_time (booking, "join_window.closes_at", ends_at + 30 * 60);
    g_assert_true (json_node_get_boolean (mc_test_get_node (booking, "join_window.open")));

    call = mc_test_get_node (booking, "call");
    g_assert_true (JSON_NODE_HOLDS_OBJECT (call));
    g_assert_cmpstr (mc_test_get_string (booking, "call.state"), ==, "idle");
    g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (booking, "call.started_at")));
    g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (booking, "call.ended_at")));
    g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (booking, "call.duration_seconds")));
    g_assert_true (JSON_NODE_HOLDS_ARRAY (mc_test_get_node (booking, "call.participants")));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (
                        mc_test_get_node (booking, "call.participants"))), ==, 0);

    g_assert_true (mc_json_parse_time (mc_test_get_string (booking, "created_at"), &now));
    g_assert_true (mc_json_parse_time (mc_test_get_string (booking, "updated_at"), &now));
  }

  /* The student's view names the mentor as the other one. */
  {
    g_autoptr(JsonNode) response = get (fixture, fixture->student_token, &status,
                                        "/api/v1/bookings/%" G_GINT64_FORMAT, id);
    JsonObject *booking = mc_test_object (response);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (booking, "role"), ==, "student");
    assert_short_user (json_object_get_object_member (booking, "other"), fixture->mentor_id,
                       MC_TEST_MENTOR, "mentor");
  }
}

static void
test_get_booking_pending (Fixture       *fixture,
                          gconstpointer  user_data)
{
  gint64 id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                      7200, 10800, NULL);
  g_autoptr(JsonNode) response = NULL;
  JsonObject *booking;
  guint status;

  response = get (fixture, fixture->student_token, &status,
                  "/api/v1/bookings/%" G_GINT64_FORMAT, id);
  g_assert_cmpuint (status, ==, 200);
  booking = mc_test_object (response);

  /* Pending is the default status, and a booking never confirmed has no
   * call room. */
  g_assert_cmpstr (mc_test_get_string (booking, "status"), ==, "pending");
  g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (booking, "call")));
  g_assert_false (json_node_get_boolean (mc_test_get_node (booking, "join_window.open")));
}

static void
test_get_booking_refused (Fixture       *fixture,
                          gconstpointer  user_data)
{
  static const char * const not_ids[] = {
    "abc", "7abc", "-1", "0", "1.5", "%20", "99999999999999999999999", "0x1", "+1", "1e3",
  };
  gint64 id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                      -600, 3000, "confirmed");
  guint status;

  /* Another user's booking: for every endpoint of a booking. */
  {
    g_autoptr(JsonNode) response = get (fixture, fixture->other_token, &status,
                                        "/api/v1/bookings/%" G_GINT64_FORMAT, id);

    mc_test_assert_error (response, status, 403, "not_participant");
  }
  {
    g_autoptr(JsonNode) response = get (fixture, fixture->other_token, &status,
                                        "/api/v1/bookings/%" G_GINT64_FORMAT "/attendance", id);

    mc_test_assert_error (response, status, 403, "not_participant");
  }
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                             id);
    g_autoptr(JsonNode) response = mc_test_request (fixture->server, "POST", path,
                                                    fixture->other_token, "{}", &status);

    mc_test_assert_error (response, status, 403, "not_participant");
  }

  /* A booking that does not exist. */
  {
    g_autoptr(JsonNode) response = get (fixture, fixture->mentor_token, &status,
                                        "/api/v1/bookings/%" G_GINT64_FORMAT, id + 1000);

    mc_test_assert_error (response, status, 404, "not_found");
  }
  {
    g_autoptr(JsonNode) response = get (fixture, fixture->mentor_token, &status,
                                        "/api/v1/bookings/%" G_GINT64_FORMAT "/attendance",
                                        id + 1000);

    mc_test_assert_error (response, status, 404, "not_found");
  }
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                             id + 1000);
    g_autoptr(JsonNode) response = mc_test_request (fixture->server, "POST", path,
                                                    fixture->mentor_token, "{}", &status);

    mc_test_assert_error (response, status, 404, "not_found");
  }

  /* Ids that are not positive integers match no route. */
  for (guint i = 0; i < G_N_ELEMENTS (not_ids); i++)
    {
      g_autoptr(JsonNode) response = NULL;

      g_test_message ("id %s", not_ids[i]);
      response = get (fixture, fixture->mentor_token, &status, "/api/v1/bookings/%s",
                      not_ids[i]);
      mc_test_assert_error (response, status, 404, "not_found");
    }
}

static void
test_list_bookings (Fixture       *fixture,
                    gconstpointer  user_data)
{
  gint64 later, earlier, yesterday, long_ago, pending, others;
  g_autoptr(JsonNode) response = NULL;
  JsonArray *bookings;
  gint64 server_time = 0;
  guint status;

  /* Created out of order, to check the ordering. */
  later = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                  2 * 86400, 2 * 86400 + 3600, "confirmed");
  earlier = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                    3600, 7200, "confirmed");
  yesterday = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                      -86400, -86400 + 3600, "confirmed");
  /* Ended more than 7 days ago: no longer listed. */
  long_ago = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                     -8 * 86400, -8 * 86400 + 3600, "confirmed");
  pending = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                    86400, 86400 + 3600, "pending");
  /* Someone else's lesson with the same mentor. */
  others = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, "olga",
                                   5400, 9000, "confirmed");

  response = mc_test_request (fixture->server, "GET", "/api/v1/bookings", fixture->student_token,
                              NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (mc_json_parse_time (mc_test_get_string (mc_test_object (response),
                                                         "server_time"), &server_time));
  g_assert_cmpint (ABS (server_time - mc_test_now ()), <, 3600);

  bookings = json_node_get_array (mc_test_get_node (mc_test_object (response), "bookings"));
  g_assert_cmpuint (json_array_get_length (bookings), ==, 4);
  {
    gint64 expected[] = { yesterday, earlier, pending, later };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        JsonObject *booking = json_array_get_object_element (bookings, i);

        g_assert_cmpint (mc_test_get_int (booking, "id"), ==, expected[i]);
        g_assert_cmpstr (mc_test_get_string (booking, "role"), ==, "student");
      }
  }
  g_assert_cmpint (long_ago, !=, 0);

  /* The mentor sees the other student's lesson too, in start order. */
  g_clear_pointer (&response, json_node_unref);
  response = mc_test_request (fixture->server, "GET", "/api/v1/bookings", fixture->mentor_token,
                              NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  bookings = json_node_get_array (mc_test_get_node (mc_test_object (response), "bookings"));
  g_assert_cmpuint (json_array_get_length (bookings), ==, 5);
  g_assert_cmpint (mc_test_get_int (json_array_get_object_element (bookings, 2), "id"), ==,
                   others);

  /* The third student sees only that one. */
  g_clear_pointer (&response, json_node_unref);
  response = mc_test_request (fixture->server, "GET", "/api/v1/bookings", fixture->other_token,
                              NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  bookings = json_node_get_array (mc_test_get_node (mc_test_object (response), "bookings"));
  g_assert_cmpuint (json_array_get_length (bookings), ==, 1);
  g_assert_cmpint (mc_test_get_int (json_array_get_object_element (bookings, 0), "id"), ==,
                   others);
  g_assert_cmpstr (mc_test_get_string (json_array_get_object_element (bookings, 0), "other.username"),
                   ==, MC_TEST_MENTOR);
}

static void
test_list_bookings_empty (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(JsonNode) response = NULL;
  JsonNode *bookings;
  guint status;

  response = mc_test_request (fixture->server, "GET", "/api/v1/bookings", fixture->other_token,
                              NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  bookings = mc_test_get_node (mc_test_object (response), "bookings");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (bookings));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (bookings)), ==, 0);
}

static void
test_attendance (Fixture       *fixture,
                 gconstpointer  user_data)
{
  gint64 id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                      -600, 3000, "confirmed");
  g_autoptr(JsonNode) response = NULL;
  JsonObject *object;
  guint status;

  response = get (fixture, fixture->student_token, &status,
                  "/api/v1/bookings/%" G_GINT64_FORMAT "/attendance", id);
  g_assert_cmpuint (status, ==, 200);
  object = mc_test_object (response);
  g_assert_cmpint (mc_test_get_int (object, "booking_id"), ==, id);
  g_assert_cmpstr (mc_test_get_string (object, "call.state"), ==, "idle");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (mc_test_get_node (object, "attendance")));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (
                      mc_test_get_node (object, "attendance"))), ==, 0);
}

static void
test_times_normalized (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) response = NULL;
  guint status;

  /* A start given in another zone comes back in UTC. */
  created = mc_test_admin (fixture->server, "POST", "/api/v1/admin/bookings",
                           "{\"mentor\":\"maria\",\"student\":\"sam\","
                           "\"start\":\"2030-03-01T16:00:00+02:00\","
                           "\"end\":\"2030-03-01T09:00:00-06:00\","
                           "\"subject\":\"Zones\",\"status\":\"confirmed\"}", &status);
  g_assert_cmpuint (status, ==, 201);

  response = get (fixture, fixture->mentor_token, &status, "/api/v1/bookings/%" G_GINT64_FORMAT,
                  mc_test_get_int (mc_test_object (created), "id"));
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "start"), ==,
                   "2030-03-01T14:00:00Z");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "end"), ==,
                   "2030-03-01T15:00:00Z");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "join_window.opens_at"), ==,
                   "2030-03-01T13:45:00Z");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "join_window.closes_at"), ==,
                   "2030-03-01T15:30:00Z");
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add ("/server/bookings/get", test_get_booking);
  add ("/server/bookings/get-pending", test_get_booking_pending);
  add ("/server/bookings/get-refused", test_get_booking_refused);
  add ("/server/bookings/list", test_list_bookings);
  add ("/server/bookings/list-empty", test_list_bookings_empty);
  add ("/server/bookings/attendance", test_attendance);
  add ("/server/bookings/times-normalized", test_times_normalized);

  return g_test_run ();
}
