/* test-admin.c — the admin HTTP API
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

static JsonNode *
admin_printf (McTestServer *server,
              const char   *method,
              const char   *body,
              guint        *status,
              const char   *format,
              ...) G_GNUC_PRINTF (5, 6);

static JsonNode *
admin_printf (McTestServer *server,
              const char   *method,
              const char   *body,
              guint        *status,
              const char   *format,
              ...)
{
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  path = g_strdup_vprintf (format, args);
  va_end (args);

  return mc_test_admin (server, method, path, body, status);
}

static void
test_admin_auth (void)
{
  static const char * const routes[][2] = {
    { "GET", "/api/v1/admin/users" },
    { "POST", "/api/v1/admin/users" },
    { "GET", "/api/v1/admin/users/1" },
    { "PATCH", "/api/v1/admin/users/1" },
    { "GET", "/api/v1/admin/bookings" },
    { "POST", "/api/v1/admin/bookings" },
    { "GET", "/api/v1/admin/bookings/1" },
    { "PATCH", "/api/v1/admin/bookings/1" },
    { "GET", "/api/v1/admin/bookings/1/attendance" },
  };
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  g_autofree char *session = NULL;

  mc_test_create_pair (server, NULL, NULL);
  session = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const char *method = routes[i][0];
      const char *path = routes[i][1];
      g_autoptr(SoupMessageHeaders) headers = NULL;
      g_autoptr(JsonNode) response = NULL;
      const char *body;
      guint status;

      g_test_message ("%s %s", method, path);

      response = mc_test_request_full (server, method, path, NULL, NULL, NULL, &status,
                                       &headers, NULL);
      mc_test_assert_error (response, status, 401, "unauthorized");
      g_assert_nonnull (soup_message_headers_get_one (headers, "WWW-Authenticate"));
      g_clear_pointer (&response, json_node_unref);

      body = g_str_equal (method, "GET") ? NULL : "{}";
      response = mc_test_request (server, method, path, "wrong-admin-key-0123456789", body,
                                  &status);
      mc_test_assert_error (response, status, 403, "forbidden");
      g_clear_pointer (&response, json_node_unref);

      /* A user's session is not the admin key. */
      response = mc_test_request (server, method, path, session, body, &status);
      mc_test_assert_error (response, status, 403, "forbidden");
      g_clear_pointer (&response, json_node_unref);

      /* Nor is a prefix of the key. */
      response = mc_test_request (server, method, path, "test-admin-key", body, &status);
      mc_test_assert_error (response, status, 403, "forbidden");
    }
}

static void
test_admin_disabled (void)
{
  /* An empty value unsets the key that test servers get by default. */
  g_autoptr(McTestServer) server = mc_test_server_start_new ("[auth]\nadmin-api-key=\n");
  g_autoptr(JsonNode) response = NULL;
  guint status;

  response = mc_test_admin (server, "GET", "/api/v1/admin/users", NULL, &status);
  mc_test_assert_error (response, status, 403, "admin_disabled");
  g_clear_pointer (&response, json_node_unref);

  response = mc_test_request (server, "GET", "/api/v1/admin/users", "", NULL, &status);
  mc_test_assert_error (response, status, 403, "admin_disabled");
  g_clear_pointer (&response, json_node_unref);

  response = mc_test_admin (server, "POST", "/api/v1/admin/users",
                            "{\"username\":\"eve\",\"display_name\":\"Eve\","
                            "\"role\":\"mentor\",\"password\":\"eve-password\"}", &status);
  mc_test_assert_error (response, status, 403, "admin_disabled");
}

static void
assert_admin_user (JsonObject *user,
                   const char *username,
                   const char *display_name,
                   const char *role,
                   gboolean    disabled)
{
  gint64 created_at = 0;

  g_assert_cmpint (mc_test_get_int (user, "id"), >, 0);
  g_assert_cmpstr (mc_test_get_string (user, "username"), ==, username);
  g_assert_cmpstr (mc_test_get_string (user, "display_name"), ==, display_name);
  g_assert_cmpstr (mc_test_get_string (user, "role"), ==, role);
  g_assert_cmpint (json_node_get_boolean (mc_test_get_node (user, "disabled")), ==, disabled);
  g_assert_true (mc_json_parse_time (mc_test_get_string (user, "created_at"), &created_at));
  g_assert_false (json_object_has_member (user, "password"));
  g_assert_false (json_object_has_member (user, "password_hash"));
}

static void
test_users (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) one = NULL;
  JsonArray *users;
  gint64 id;
  guint status;

  /* Usernames are stored in lower case. */
  created = mc_test_admin (server, "POST", "/api/v1/admin/users",
                           "{\"username\":\"Lara.K_9-x\",\"display_name\":\"Lara K\xc3\xb6nig\","
                           "\"role\":\"mentor\",\"password\":\"lara-password\"}", &status);
  g_assert_cmpuint (status, ==, 201);
  assert_admin_user (mc_test_object (created), "lara.k_9-x", "Lara K\xc3\xb6nig", "mentor", FALSE);
  id = mc_test_get_int (mc_test_object (created), "id");

  mc_test_create_user (server, "sam", "student", "sam-password");

  list = mc_test_admin (server, "GET", "/api/v1/admin/users", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  users = json_node_get_array (mc_test_get_node (mc_test_object (list), "users"));
  g_assert_cmpuint (json_array_get_length (users), ==, 2);
  assert_admin_user (json_array_get_object_element (users, 0), "lara.k_9-x",
                     "Lara K\xc3\xb6nig", "mentor", FALSE);
  assert_admin_user (json_array_get_object_element (users, 1), "sam", "sam Tester", "student",
                     FALSE);

  one = admin_printf (server, "GET", NULL, &status, "/api/v1/admin/users/%" G_GINT64_FORMAT, id);
  g_assert_cmpuint (status, ==, 200);
  assert_admin_user (mc_test_object (one), "lara.k_9-x", "Lara K\xc3\xb6nig", "mentor", FALSE);
  g_assert_cmpint (mc_test_get_int (mc_test_object (one), "id"), ==, id);

  /* The new user can log in, with the username in the stored case. */
  g_free (mc_test_login (server, "lara.k_9-x", "lara-password"));

  {
    g_autoptr(JsonNode) missing = admin_printf (server, "GET", NULL, &status,
                                                "/api/v1/admin/users/%" G_GINT64_FORMAT,
                                                id + 1000);

    mc_test_assert_error (missing, status, 404, "not_found");
  }
  {
    g_autoptr(JsonNode) missing = mc_test_admin (server, "GET", "/api/v1/admin/users/lara",
                                                 NULL, &status);

    mc_test_assert_error (missing, status, 404, "not_found");
  }
}

static void
test_users_conflict (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  static const char * const bodies[] = {
    "{\"username\":\"maria\",\"display_name\":\"Another Maria\",\"role\":\"student\","
    "\"password\":\"other-password\"}",
    "{\"username\":\"MARIA\",\"display_name\":\"Loud Maria\",\"role\":\"mentor\","
    "\"password\":\"other-password\"}",
  };

  mc_test_create_user (server, "maria", "mentor", "maria-password");

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(JsonNode) response = NULL;
      guint status;

      response = mc_test_admin (server, "POST", "/api/v1/admin/users", bodies[i], &status);
      mc_test_assert_error (response, status, 409, "conflict");
    }

  /* The original is untouched. */
  g_free (mc_test_login (server, "maria", "maria-password"));
}

static void
test_users_invalid (void)
{
  static const struct
  {
    const char *body;
    const char *field;
  } cases[] = {
    { "{\"username\":\"bad name\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"username\":\"bad!\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"username\":\"b\xc3\xa4r\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"username\":\"\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"username\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"username\":7,\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"password1\"}", "username" },
    { "{\"username\":\"bob\",\"display_name\":\"\",\"role\":\"mentor\",\"password\":\"password1\"}", "display_name" },
    { "{\"username\":\"bob\",\"role\":\"mentor\",\"password\":\"password1\"}", "display_name" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"role\":\"admin\",\"password\":\"password1\"}", "role" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"role\":\"Mentor\",\"password\":\"password1\"}", "role" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"password\":\"password1\"}", "role" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"short\"}", "password" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":\"1234567\"}", "password" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"role\":\"mentor\"}", "password" },
    { "{\"username\":\"bob\",\"display_name\":\"B\",\"role\":\"mentor\",\"password\":12345678}", "password" },
  };
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr(JsonNode) list = NULL;
  guint status;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) response = NULL;
      JsonObject *error;

      g_test_message ("case %u: %s", i, cases[i].body);
      response = mc_test_admin (server, "POST", "/api/v1/admin/users", cases[i].body, &status);
      error = mc_test_assert_error (response, status, 400, "invalid_field");
      g_assert_cmpstr (mc_test_get_string (error, "field"), ==, cases[i].field);
    }

  /* Long values: 129 characters of display name, 1025 of password. */
  {
    g_autofree char *long_name = g_strnfill (129, 'n');
    g_autofree char *long_password = g_strnfill (1025, 'p');
    g_autofree char *body_a = g_strdup_printf ("{\"username\":\"bob\",\"display_name\":\"%s\","
                                               "\"role\":\"mentor\",\"password\":\"password1\"}",
                                               long_name);
    g_autofree char *body_b = g_strdup_printf ("{\"username\":\"bob\",\"display_name\":\"B\","
                                               "\"role\":\"mentor\",\"password\":\"%s\"}",
                                               long_password);
    g_autoptr(JsonNode) a = mc_test_admin (server, "POST", "/api/v1/admin/users", body_a, &status);
    JsonObject *error = mc_test_assert_error (a, status, 400, "invalid_field");
    g_autoptr(JsonNode) b = NULL;

    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "display_name");
    b = mc_test_admin (server, "POST", "/api/v1/admin/users", body_b, &status);
    error = mc_test_assert_error (b, status, 400, "invalid_field");
    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "password");
  }

  /* The longest allowed values are fine: 64, 128 and 1024 characters. */
  {
    g_autofree char *username = g_strnfill (64, 'u');
    g_autofree char *name = g_strnfill (128, 'n');
    g_autofree char *password = g_strnfill (1024, 'p');
    g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"display_name\":\"%s\","
                                             "\"role\":\"student\",\"password\":\"%s\"}",
                                             username, name, password);
    g_autoptr(JsonNode) response = mc_test_admin (server, "POST", "/api/v1/admin/users", body,
                                                  &status);

    g_assert_cmpuint (status, ==, 201);
  }

  /* Nothing else was created. */
  list = mc_test_admin (server, "GET", "/api/v1/admin/users", NULL, &status);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (
                      mc_test_get_node (mc_test_object (list), "users"))), ==, 1);
}

static void
test_users_patch (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  gint64 id = mc_test_create_user (server, "maria", "mentor", "first-password");
  guint status;

  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH",
                                                 "{\"display_name\":\"Maria Nguyen\"}", &status,
                                                 "/api/v1/admin/users/%" G_GINT64_FORMAT, id);

    g_assert_cmpuint (status, ==, 200);
    assert_admin_user (mc_test_object (response), "maria", "Maria Nguyen", "mentor", FALSE);
  }

  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH",
                                                 "{\"password\":\"second-password\"}", &status,
                                                 "/api/v1/admin/users/%" G_GINT64_FORMAT, id);
    g_autoptr(JsonNode) old_login = NULL;

    g_assert_cmpuint (status, ==, 200);
    assert_admin_user (mc_test_object (response), "maria", "Maria Nguyen", "mentor", FALSE);

    old_login = mc_test_request (server, "POST", "/api/v1/auth/login", NULL,
                                 "{\"username\":\"maria\",\"password\":\"first-password\"}",
                                 &status);
    mc_test_assert_error (old_login, status, 401, "invalid_credentials");
    g_free (mc_test_login (server, "maria", "second-password"));
  }

  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{\"disabled\":true}", &status,
                                                 "/api/v1/admin/users/%" G_GINT64_FORMAT, id);

    g_assert_cmpuint (status, ==, 200);
    assert_admin_user (mc_test_object (response), "maria", "Maria Nguyen", "mentor", TRUE);
  }

  /* An empty patch changes nothing. */
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{}", &status,
                                                 "/api/v1/admin/users/%" G_GINT64_FORMAT, id);

    g_assert_cmpuint (status, ==, 200);
    assert_admin_user (mc_test_object (response), "maria", "Maria Nguyen", "mentor", TRUE);
  }

  /* Bad values */
  {
    static const struct { const char *body; const char *field; } cases[] = {
      { "{\"disabled\":\"yes\"}", "disabled" },
      { "{\"disabled\":1}", "disabled" },
      { "{\"display_name\":\"\"}", "display_name" },
      { "{\"display_name\":5}", "display_name" },
      { "{\"password\":\"short\"}", "password" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(JsonNode) response = NULL;
        JsonObject *error;

        g_test_message ("case %u: %s", i, cases[i].body);
        response = admin_printf (server, "PATCH", cases[i].body, &status,
                                 "/api/v1/admin/users/%" G_GINT64_FORMAT, id);
        error = mc_test_assert_error (response, status, 400, "invalid_field");
        g_assert_cmpstr (mc_test_get_string (error, "field"), ==, cases[i].field);
      }
  }
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "not json", &status,
                                                 "/api/v1/admin/users/%" G_GINT64_FORMAT, id);

    mc_test_assert_error (response, status, 400, "malformed_json");
  }
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{\"display_name\":\"X\"}",
                                                 &status, "/api/v1/admin/users/%" G_GINT64_FORMAT,
                                                 id + 1000);

    mc_test_assert_error (response, status, 404, "not_found");
  }
}

static JsonNode *
create_booking (McTestServer *server,
                const char   *mentor,
                const char   *student,
                gint64        start_offset,
                gint64        end_offset,
                const char   *status_name,
                guint        *status)
{
  g_autofree char *start = mc_test_time (start_offset);
  g_autofree char *end = mc_test_time (end_offset);
  g_autofree char *status_member = status_name ? g_strdup_printf (",\"status\":\"%s\"", status_name)
                                               : g_strdup ("");
  g_autofree char *body = g_strdup_printf ("{\"mentor\":\"%s\",\"student\":\"%s\","
                                           "\"start\":\"%s\",\"end\":\"%s\","
                                           "\"subject\":\"Algebra\"%s}",
                                           mentor, student, start, end, status_member);

  return mc_test_admin (server, "POST", "/api/v1/admin/bookings", body, status);
}

static void
test_bookings_create (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  gint64 mentor_id, student_id;
  guint status;

  mc_test_create_pair (server, &mentor_id, &student_id);

  {
    g_autoptr(JsonNode) response = create_booking (server, "maria", "sam", 3600, 7200, NULL,
                                                   &status);
    JsonObject *booking = mc_test_object (response);

    g_assert_cmpuint (status, ==, 201);
    g_assert_cmpint (mc_test_get_int (booking, "id"), >, 0);
    g_assert_cmpstr (mc_test_get_string (booking, "status"), ==, "pending");
    g_assert_cmpstr (mc_test_get_string (booking, "subject"), ==, "Algebra");
    g_assert_cmpint (mc_test_get_int (booking, "mentor.id"), ==, mentor_id);
    g_assert_cmpint (mc_test_get_int (booking, "student.id"), ==, student_id);
    g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (booking, "call")));
    mc_test_get_string (booking, "join_window.opens_at");
    /* The admin view has no caller's role and no "other". */
    g_assert_false (json_object_has_member (booking, "role"));
    g_assert_false (json_object_has_member (booking, "other"));
  }

  {
    g_autoptr(JsonNode) response = create_booking (server, "maria", "sam", 3600, 7200,
                                                   "confirmed", &status);
    JsonObject *booking = mc_test_object (response);

    g_assert_cmpuint (status, ==, 201);
    g_assert_cmpstr (mc_test_get_string (booking, "status"), ==, "confirmed");
    g_assert_cmpstr (mc_test_get_string (booking, "call.state"), ==, "idle");
  }

  /* Exactly 24 hours is allowed. */
  {
    g_autoptr(JsonNode) response = create_booking (server, "maria", "sam", 3600, 3600 + 86400,
                                                   NULL, &status);

    g_assert_cmpuint (status, ==, 201);
  }

  /* A subject is optional. */
  {
    g_autofree char *start = mc_test_time (3600);
    g_autofree char *end = mc_test_time (7200);
    g_autofree char *body = g_strdup_printf ("{\"mentor\":\"maria\",\"student\":\"sam\","
                                             "\"start\":\"%s\",\"end\":\"%s\"}", start, end);
    g_autoptr(JsonNode) response = mc_test_admin (server, "POST", "/api/v1/admin/bookings", body,
                                                  &status);

    g_assert_cmpuint (status, ==, 201);
  }
}

static void
test_bookings_create_invalid (void)
{
  static const struct
  {
    const char *mentor;
    const char *student;
    gint64      start;
    gint64      end;
    const char *status;
    const char *field;
  } cases[] = {
    { "nobody", "sam", 3600, 7200, NULL, "mentor" },
    { "maria", "nobody", 3600, 7200, NULL, "student" },
    { "sam", "sam", 3600, 7200, NULL, "mentor" },          /* a student as the mentor */
    { "maria", "maria", 3600, 7200, NULL, "student" },     /* a mentor as the student */
    /* The spec does not say which of the two times is named. */
    { "maria", "sam", 7200, 3600, NULL, "start|end" },     /* ends before it starts */
    { "maria", "sam", 3600, 3600, NULL, "start|end" },     /* ends when it starts */
    { "maria", "sam", 3600, 3600 + 86401, NULL, "start|end" },  /* longer than 24 hours */
    { "maria", "sam", 3600, 7200, "cancelled", "status" },
    { "maria", "sam", 3600, 7200, "completed", "status" },
    { "maria", "sam", 3600, 7200, "maybe", "status" },
  };
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr(JsonNode) list = NULL;
  guint status;

  mc_test_create_pair (server, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) response = NULL;
      JsonObject *error;

      g_test_message ("case %u: %s/%s %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " %s",
                      i, cases[i].mentor, cases[i].student, cases[i].start, cases[i].end,
                      cases[i].status ? cases[i].status : "(default)");
      response = create_booking (server, cases[i].mentor, cases[i].student, cases[i].start,
                                 cases[i].end, cases[i].status, &status);
      error = mc_test_assert_error (response, status, 400, "invalid_field");
      if (strchr (cases[i].field, '|') != NULL)
        {
          g_auto(GStrv) fields = g_strsplit (cases[i].field, "|", -1);

          g_assert_true (g_strv_contains ((const char * const *) fields,
                                          mc_test_get_string (error, "field")));
        }
      else
        {
          g_assert_cmpstr (mc_test_get_string (error, "field"), ==, cases[i].field);
        }
    }

  /* Members of the wrong kind */
  {
    static const struct { const char *body; const char *field; } bodies[] = {
      { "{\"mentor\":\"maria\",\"student\":\"sam\",\"start\":\"2030-01-01T10:00:00\","
        "\"end\":\"2030-01-01T11:00:00Z\"}", "start" },
      { "{\"mentor\":\"maria\",\"student\":\"sam\",\"start\":\"2030-01-01T10:00:00Z\","
        "\"end\":\"2030-01-01 11:00\"}", "end" },
      { "{\"mentor\":\"maria\",\"student\":\"sam\",\"start\":1893492000,"
        "\"end\":\"2030-01-01T11:00:00Z\"}", "start" },
      { "{\"student\":\"sam\",\"start\":\"2030-01-01T10:00:00Z\","
        "\"end\":\"2030-01-01T11:00:00Z\"}", "mentor" },
      { "{\"mentor\":\"maria\",\"start\":\"2030-01-01T10:00:00Z\","
        "\"end\":\"2030-01-01T11:00:00Z\"}", "student" },
      { "{\"mentor\":\"maria\",\"student\":\"sam\",\"end\":\"2030-01-01T11:00:00Z\"}", "start" },
      { "{\"mentor\":\"maria\",\"student\":\"sam\",\"start\":\"2030-01-01T10:00:00Z\"}", "end" },
      { "{\"mentor\":\"maria\",\"student\":\"sam\",\"start\":\"2030-01-01T10:00:00Z\","
        "\"end\":\"2030-01-01T11:00:00Z\",\"subject\":[]}", "subject" },
      { "{\"mentor\":1,\"student\":\"sam\",\"start\":\"2030-01-01T10:00:00Z\","
        "\"end\":\"2030-01-01T11:00:00Z\"}", "mentor" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(JsonNode) response = NULL;
        JsonObject *error;

        g_test_message ("body %u: %s", i, bodies[i].body);
        response = mc_test_admin (server, "POST", "/api/v1/admin/bookings", bodies[i].body,
                                  &status);
        error = mc_test_assert_error (response, status, 400, "invalid_field");
        g_assert_cmpstr (mc_test_get_string (error, "field"), ==, bodies[i].field);
      }
  }

  list = mc_test_admin (server, "GET", "/api/v1/admin/bookings", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (
                      mc_test_get_node (mc_test_object (list), "bookings"))), ==, 0);
}

static void
test_bookings_list (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  gint64 pending, confirmed, cancelled;
  guint status;

  mc_test_create_pair (server, NULL, NULL);
  pending = mc_test_create_booking (server, "maria", "sam", 3600, 7200, "pending");
  confirmed = mc_test_create_booking (server, "maria", "sam", 7200, 10800, "confirmed");
  cancelled = mc_test_create_booking (server, "maria", "sam", 10800, 14400, "pending");
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{\"status\":\"cancelled\"}",
                                                 &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                                 cancelled);

    g_assert_cmpuint (status, ==, 200);
  }

  {
    g_autoptr(JsonNode) response = mc_test_admin (server, "GET", "/api/v1/admin/bookings", NULL,
                                                  &status);
    JsonArray *bookings;

    g_assert_cmpuint (status, ==, 200);
    bookings = json_node_get_array (mc_test_get_node (mc_test_object (response), "bookings"));
    g_assert_cmpuint (json_array_get_length (bookings), ==, 3);
  }

  {
    static const char * const filters[] = { "confirmed", "pending", "cancelled", "completed" };

    for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
      {
        g_autoptr(JsonNode) response = admin_printf (server, "GET", NULL, &status,
                                                     "/api/v1/admin/bookings?status=%s",
                                                     filters[i]);
        JsonArray *bookings;
        gint64 expected = i == 0 ? confirmed : i == 1 ? pending : i == 2 ? cancelled : 0;

        g_assert_cmpuint (status, ==, 200);
        bookings = json_node_get_array (mc_test_get_node (mc_test_object (response),
                                                          "bookings"));
        g_assert_cmpuint (json_array_get_length (bookings), ==, expected != 0 ? 1 : 0);
        if (expected != 0)
          {
            JsonObject *booking = json_array_get_object_element (bookings, 0);

            g_assert_cmpint (mc_test_get_int (booking, "id"), ==, expected);
            g_assert_cmpstr (mc_test_get_string (booking, "status"), ==, filters[i]);
          }
      }
  }

  {
    g_autoptr(JsonNode) response = mc_test_admin (server, "GET",
                                                  "/api/v1/admin/bookings?status=bogus", NULL,
                                                  &status);

    mc_test_assert_error (response, status, 400, "invalid_field");
  }

  {
    g_autoptr(JsonNode) response = admin_printf (server, "GET", NULL, &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                                 confirmed);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (mc_test_get_int (mc_test_object (response), "id"), ==, confirmed);
  }
  {
    g_autoptr(JsonNode) response = admin_printf (server, "GET", NULL, &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                                 confirmed + 1000);

    mc_test_assert_error (response, status, 404, "not_found");
  }
}

static void
test_bookings_transitions (void)
{
  static const char * const statuses[] = { "pending", "confirmed", "cancelled", "completed" };
  /* allowed[from][to]; a no-op is not a move and is not tested here. */
  static const gboolean allowed[4][4] = {
    { FALSE, TRUE,  TRUE,  FALSE },
    { FALSE, FALSE, TRUE,  TRUE  },
    { FALSE, FALSE, FALSE, FALSE },
    { FALSE, FALSE, FALSE, FALSE },
  };
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  guint status;

  mc_test_create_pair (server, NULL, NULL);

  for (guint from = 0; from < 4; from++)
    for (guint to = 0; to < 4; to++)
      {
        g_autoptr(JsonNode) response = NULL;
        g_autofree char *body = NULL;
        gint64 id;

        if (from == to)
          continue;

        g_test_message ("%s -> %s", statuses[from], statuses[to]);

        /* Bring a new booking to @from by allowed moves. */
        id = mc_test_create_booking (server, "maria", "sam", 3600, 7200,
                                     from == 0 ? "pending" : "confirmed");
        if (from >= 2)
          {
            g_autofree char *to_from = g_strdup_printf ("{\"status\":\"%s\"}", statuses[from]);
            g_autoptr(JsonNode) moved = admin_printf (server, "PATCH", to_from, &status,
                                                      "/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                                      id);

            g_assert_cmpuint (status, ==, 200);
          }

        body = g_strdup_printf ("{\"status\":\"%s\"}", statuses[to]);
        response = admin_printf (server, "PATCH", body, &status,
                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);
        if (allowed[from][to])
          {
            g_assert_cmpuint (status, ==, 200);
            g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "status"), ==,
                             statuses[to]);
          }
        else
          {
            g_autoptr(JsonObject) unchanged = NULL;

            mc_test_assert_error (response, status, 409, "invalid_transition");
            unchanged = mc_test_get_booking_admin (server, id);
            g_assert_cmpstr (mc_test_get_string (unchanged, "status"), ==, statuses[from]);
          }
      }
}

static void
test_bookings_confirm_creates_call (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonNode) response = NULL;
  JsonObject *after;
  gint64 id;
  guint status;

  mc_test_create_pair (server, NULL, NULL);
  id = mc_test_create_booking (server, "maria", "sam", 3600, 7200, "pending");
  before = mc_test_get_booking_admin (server, id);
  g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (before, "call")));

  response = admin_printf (server, "PATCH", "{\"status\":\"confirmed\"}", &status,
                           "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);
  g_assert_cmpuint (status, ==, 200);
  after = mc_test_object (response);
  g_assert_cmpstr (mc_test_get_string (after, "status"), ==, "confirmed");
  g_assert_cmpstr (mc_test_get_string (after, "call.state"), ==, "idle");
  g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (after, "call.started_at")));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (
                      mc_test_get_node (after, "call.participants"))), ==, 0);

  /* The admin attendance endpoint shows the room. */
  {
    g_autoptr(JsonNode) attendance = admin_printf (server, "GET", NULL, &status,
                                                   "/api/v1/admin/bookings/%" G_GINT64_FORMAT
                                                   "/attendance", id);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (mc_test_get_int (mc_test_object (attendance), "booking_id"), ==, id);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (attendance), "call.state"), ==, "idle");
    g_assert_cmpuint (json_array_get_length (json_node_get_array (
                        mc_test_get_node (mc_test_object (attendance), "attendance"))), ==, 0);
  }
  {
    g_autoptr(JsonNode) attendance = admin_printf (server, "GET", NULL, &status,
                                                   "/api/v1/admin/bookings/%" G_GINT64_FORMAT
                                                   "/attendance", id + 1000);

    mc_test_assert_error (attendance, status, 404, "not_found");
  }
}

static void
test_bookings_patch (void)
{
  g_autoptr(McTestServer) server = mc_test_server_start_new (NULL);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *body = NULL;
  gint64 id;
  guint status;

  mc_test_create_pair (server, NULL, NULL);
  id = mc_test_create_booking (server, "maria", "sam", 3600, 7200, "confirmed");

  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{\"subject\":\"Geometry\"}",
                                                 &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "subject"), ==, "Geometry");
    g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "status"), ==, "confirmed");
  }

  /* Rescheduled. */
  start = mc_test_time (86400);
  end = mc_test_time (86400 + 5400);
  body = g_strdup_printf ("{\"start\":\"%s\",\"end\":\"%s\"}", start, end);
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", body, &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "start"), ==, start);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "end"), ==, end);
  }

  /* An end before the start, alone or with a new start. */
  {
    g_autofree char *early_end = mc_test_time (3600);
    g_autofree char *bad = g_strdup_printf ("{\"end\":\"%s\"}", early_end);
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", bad, &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);

    mc_test_assert_error (response, status, 400, "invalid_field");
  }
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH",
                                                 "{\"start\":\"2030-01-01T10:00:00Z\","
                                                 "\"end\":\"2030-01-01T09:00:00Z\"}", &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);

    mc_test_assert_error (response, status, 400, "invalid_field");
  }
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH",
                                                 "{\"start\":\"2030-01-01T10:00:00\"}", &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);
    JsonObject *error = mc_test_assert_error (response, status, 400, "invalid_field");

    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "start");
  }
  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{\"status\":7}", &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT, id);
    JsonObject *error = mc_test_assert_error (response, status, 400, "invalid_field");

    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "status");
  }

  /* The booking kept its last good state. */
  {
    g_autoptr(JsonObject) booking = mc_test_get_booking_admin (server, id);

    g_assert_cmpstr (mc_test_get_string (booking, "start"), ==, start);
    g_assert_cmpstr (mc_test_get_string (booking, "end"), ==, end);
    g_assert_cmpstr (mc_test_get_string (booking, "subject"), ==, "Geometry");
  }

  {
    g_autoptr(JsonNode) response = admin_printf (server, "PATCH", "{\"subject\":\"X\"}", &status,
                                                 "/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                                 id + 1000);

    mc_test_assert_error (response, status, 404, "not_found");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/admin/auth", test_admin_auth);
  g_test_add_func ("/server/admin/disabled", test_admin_disabled);
  g_test_add_func ("/server/admin/users", test_users);
  g_test_add_func ("/server/admin/users-conflict", test_users_conflict);
  g_test_add_func ("/server/admin/users-invalid", test_users_invalid);
  g_test_add_func ("/server/admin/users-patch", test_users_patch);
  g_test_add_func ("/server/admin/bookings-create", test_bookings_create);
  g_test_add_func ("/server/admin/bookings-create-invalid", test_bookings_create_invalid);
  g_test_add_func ("/server/admin/bookings-list", test_bookings_list);
  g_test_add_func ("/server/admin/bookings-transitions", test_bookings_transitions);
  g_test_add_func ("/server/admin/bookings-confirm-creates-call",
                   test_bookings_confirm_creates_call);
  g_test_add_func ("/server/admin/bookings-patch", test_bookings_patch);

  return g_test_run ();
}
