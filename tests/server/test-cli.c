/* test-cli.c — the admin command line of mentorcall-server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "config.h"
#include "mc-protocol.h"
#include "mc-test-server.h"

/* Returns the line of @text that matches @pattern, or fails the test. */
static char *
find_line (const char *text,
           const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_nonnull (regex);
  if (!g_regex_match (regex, text, 0, &match))
    g_error ("No line matches /%s/ in:\n%s", pattern, text);

  return g_match_info_fetch (match, 0);
}

static gboolean
has_line (const char *text,
          const char *pattern)
{
  return g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0);
}

static gint64
add_user (McTestServer *server,
          const char   *username,
          const char   *name,
          const char   *role,
          const char   *password)
{
  g_autofree char *out = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *pattern = g_strdup_printf ("^Created user ([0-9]+) \\(%s\\)$", username);
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *id = NULL;
  int status;

  status = mc_test_run_cli (server, input, &out, NULL, "user", "add", "--username", username,
                            "--name", name, "--role", role, NULL);
  g_assert_cmpint (status, ==, 0);
  if (!g_regex_match (regex, out, 0, &match))
    g_error ("“user add” printed “%s”, expected “Created user ID (%s)”", out, username);

  id = g_match_info_fetch (match, 1);
  return g_ascii_strtoll (id, NULL, 10);
}

static void
test_user_add (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autoptr(JsonNode) me = NULL;
  g_autofree char *token = NULL;
  g_autofree char *out = NULL;
  gint64 id;
  guint status;

  /* Before the server ever ran: the CLI creates the database. */
  id = add_user (server, "maria", "Maria Nguyen", "mentor", "a-long-password");
  g_assert_cmpint (id, >, 0);
  add_user (server, "sam", "Sam Tran", "student", "another-password");

  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "user", "list", NULL), ==, 0);
  g_free (find_line (out, "^[ ]*[0-9]+[ \t]+maria[ \t]+mentor[ \t]+Maria Nguyen[ \t]*$"));
  g_free (find_line (out, "^[ ]*[0-9]+[ \t]+sam[ \t]+student[ \t]+Sam Tran[ \t]*$"));

  /* The password came from standard input: logging in over HTTP works. */
  mc_test_server_start (server);
  token = mc_test_login (server, "maria", "a-long-password");
  me = mc_test_request (server, "GET", "/api/v1/me", token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (mc_test_get_int (mc_test_object (me), "user.id"), ==, id);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (me), "user.display_name"), ==,
                   "Maria Nguyen");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (me), "user.role"), ==, "mentor");
  mc_test_server_stop (server);

  /* --config may also come after the verb. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_command (server, NULL, &out, NULL, "user", "list", "--config",
                                        mc_test_server_get_config_path (server), NULL), ==, 0);
  g_free (find_line (out, "^[ ]*[0-9]+[ \t]+maria[ \t]+mentor[ \t]+Maria Nguyen[ \t]*$"));

  /* So may --database, instead of the configuration file. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_command (server, NULL, &out, NULL, "--database",
                                        mc_test_server_get_database (server), "user", "list",
                                        NULL), ==, 0);
  g_free (find_line (out, "^[ ]*[0-9]+[ \t]+sam[ \t]+student[ \t]+Sam Tran[ \t]*$"));
}

static void
test_user_add_errors (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  add_user (server, "maria", "Maria Nguyen", "mentor", "a-long-password");

  /* Bad usage: exit status 2 and a message. */
  g_assert_cmpint (mc_test_run_cli (server, "password123\n", NULL, &err, "user", "add",
                                    "--username", "bob", "--name", "Bob", NULL), ==, 2);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "user", "frobnicate", NULL), ==, 2);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "no-such-verb", NULL), ==, 2);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  /* Failures: exit status 1 and a message. */
  g_assert_cmpint (mc_test_run_cli (server, "password123\n", NULL, &err, "user", "add",
                                    "--username", "maria", "--name", "Maria Two",
                                    "--role", "mentor", NULL), ==, 1);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mc_test_run_cli (server, "short\n", NULL, &err, "user", "add",
                                    "--username", "bob", "--name", "Bob",
                                    "--role", "mentor", NULL), ==, 1);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mc_test_run_cli (server, "password123\n", NULL, &err, "user", "add",
                                    "--username", "bad name", "--name", "Bob",
                                    "--role", "mentor", NULL), ==, 1);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mc_test_run_cli (server, "password123\n", NULL, &err, "user", "add",
                                    "--username", "bob", "--name", "Bob",
                                    "--role", "admin", NULL), !=, 0);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);

  /* None of those created anybody. */
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "user", "list", NULL), ==, 0);
  g_assert_false (has_line (out, "bob"));
  g_assert_false (has_line (out, "Maria Two"));
}

static gint64
add_booking (McTestServer *server,
             gint64        start_offset,
             gint64        end_offset,
             const char   *status_name)
{
  g_autofree char *start = mc_test_time (start_offset);
  g_autofree char *end = mc_test_time (end_offset);
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  int status;

  if (status_name != NULL)
    status = mc_test_run_cli (server, NULL, &out, NULL, "booking", "add", "--mentor", "maria",
                              "--student", "sam", "--start", start, "--end", end,
                              "--subject", "Algebra II", "--status", status_name, NULL);
  else
    status = mc_test_run_cli (server, NULL, &out, NULL, "booking", "add", "--mentor", "maria",
                              "--student", "sam", "--start", start, "--end", end, NULL);
  g_assert_cmpint (status, ==, 0);

  line = find_line (out, "^Created booking [0-9]+$");
  return g_ascii_strtoll (line + strlen ("Created booking "), NULL, 10);
}

static void
test_bookings (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *token = NULL;
  g_autofree char *start = NULL;
  gint64 confirmed, pending;

  add_user (server, "maria", "Maria Nguyen", "mentor", "a-long-password");
  add_user (server, "sam", "Sam Tran", "student", "another-password");

  confirmed = add_booking (server, -300, 3300, "confirmed");
  pending = add_booking (server, 86400, 90000, NULL);

  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "booking", "list", NULL), ==, 0);
  pattern = g_strdup_printf ("^[ ]*%" G_GINT64_FORMAT "[ \t]+confirmed[ \t]+\\S+[ \t]+\\S+[ \t]+"
                             "maria[ \t]+sam[ \t]+Algebra II[ \t]*$", confirmed);
  g_free (find_line (out, pattern));
  g_free (pattern);
  pattern = g_strdup_printf ("^[ ]*%" G_GINT64_FORMAT "[ \t]+pending[ \t]+", pending);
  g_free (find_line (out, pattern));

  /* The CLI's bookings are the API's bookings. */
  mc_test_server_start (server);
  {
    g_autoptr(JsonObject) booking = mc_test_get_booking_admin (server, confirmed);
    g_autoptr(JsonObject) other = mc_test_get_booking_admin (server, pending);
    g_autoptr(JsonNode) response = NULL;
    g_autofree char *path = NULL;
    guint status;

    g_assert_cmpstr (mc_test_get_string (booking, "status"), ==, "confirmed");
    g_assert_cmpstr (mc_test_get_string (booking, "subject"), ==, "Algebra II");
    g_assert_cmpstr (mc_test_get_string (booking, "call.state"), ==, "idle");
    g_assert_cmpstr (mc_test_get_string (other, "status"), ==, "pending");

    token = mc_test_login (server, "sam", "another-password");
    path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", confirmed);
    response = mc_test_request (server, "POST", path, token, "{}", &status);
    g_assert_cmpuint (status, ==, 200);
  }
  mc_test_server_stop (server);

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, confirmed);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "booking", "cancel", id_text,
                                    NULL), ==, 0);
  g_free (pattern);
  pattern = g_strdup_printf ("^Cancelled booking %" G_GINT64_FORMAT "$", confirmed);
  g_free (find_line (out, pattern));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "booking", "list", NULL), ==, 0);
  g_free (pattern);
  pattern = g_strdup_printf ("^[ ]*%" G_GINT64_FORMAT "[ \t]+cancelled[ \t]+", confirmed);
  g_free (find_line (out, pattern));

  /* Cancelling again changes nothing (a move to the same status is a no-op). */
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, NULL, "booking", "cancel", id_text,
                                    NULL), ==, 0);

  /* Errors */
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "booking", "cancel", "9999",
                                    NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  start = mc_test_time (3600);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "booking", "add",
                                    "--mentor", "nobody", "--student", "sam",
                                    "--start", start, "--end", start, NULL), ==, 1);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);
  /* A time without a zone: refused (as a failure or as bad usage). */
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "booking", "add",
                                    "--mentor", "maria", "--student", "sam",
                                    "--start", "2030-01-01T10:00:00",
                                    "--end", "2030-01-01T11:00:00Z", NULL), !=, 0);
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "booking", "add",
                                    "--mentor", "maria", "--student", "sam",
                                    "--start", "2030-01-01T10:00:00Z",
                                    "--end", "2030-01-01T09:00:00Z", NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, NULL, &err, "booking", "add",
                                    "--mentor", "maria", NULL), ==, 2);
}

static guint
count_joinable_demo_bookings (McTestServer *server)
{
  g_autoptr(JsonNode) response = NULL;
  JsonArray *bookings;
  guint count = 0;
  guint status;

  response = mc_test_admin (server, "GET", "/api/v1/admin/bookings?status=confirmed", NULL,
                            &status);
  g_assert_cmpuint (status, ==, 200);
  bookings = json_node_get_array (mc_test_get_node (mc_test_object (response), "bookings"));
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (json_node_get_boolean (mc_test_get_node (booking, "join_window.open")) &&
          g_str_equal (mc_test_get_string (booking, "mentor.username"), "maria") &&
          g_str_equal (mc_test_get_string (booking, "student.username"), "sam"))
        count++;
    }

  return count;
}

static void
test_demo_data (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autoptr(JsonNode) users = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) token_response = NULL;
  g_autofree char *out = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  JsonArray *bookings;
  JsonObject *joinable = NULL;
  guint status;

  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "demo-data", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "maria"));
  g_assert_nonnull (strstr (out, "sam"));
  g_clear_pointer (&out, g_free);

  /* Twice changes nothing. */
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "demo-data", NULL), ==, 0);

  mc_test_server_start (server);

  users = mc_test_admin (server, "GET", "/api/v1/admin/users", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (
                      mc_test_get_node (mc_test_object (users), "users"))), ==, 2);
  g_assert_cmpuint (count_joinable_demo_bookings (server), ==, 1);

  token = mc_test_login (server, "maria", "mentor-demo");
  g_free (mc_test_login (server, "sam", "student-demo"));

  list = mc_test_request (server, "GET", "/api/v1/bookings", token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  bookings = json_node_get_array (mc_test_get_node (mc_test_object (list), "bookings"));
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (g_str_equal (mc_test_get_string (booking, "status"), "confirmed") &&
          json_node_get_boolean (mc_test_get_node (booking, "join_window.open")))
        joinable = booking;
    }
  g_assert_nonnull (joinable);
  g_assert_cmpstr (mc_test_get_string (joinable, "mentor.display_name"), ==, "Maria Nguyen");
  g_assert_cmpstr (mc_test_get_string (joinable, "student.display_name"), ==, "Sam Tran");

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                          mc_test_get_int (joinable, "id"));
  token_response = mc_test_request (server, "POST", path, token, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (token_response), "role"), ==, "mentor");

  /* And a third time with the server running on the same database. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mc_test_run_cli (server, NULL, &out, NULL, "demo-data", NULL), ==, 0);
  g_assert_cmpuint (count_joinable_demo_bookings (server), ==, 1);
}

static void
test_demo_option (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autofree char *token = NULL;

  mc_test_server_add_args (server, "--demo", NULL);
  mc_test_server_start (server);
  token = mc_test_login (server, "maria", "mentor-demo");
  g_assert_cmpuint (count_joinable_demo_bookings (server), ==, 1);

  /* Restarted with --demo again: still one demo lesson. */
  mc_test_server_restart (server);
  g_assert_cmpuint (count_joinable_demo_bookings (server), ==, 1);
}

static void
test_version (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autofree char *out = NULL;

  g_assert_cmpint (mc_test_run_command (server, NULL, &out, NULL, "--version", NULL), ==, 0);
  g_assert_nonnull (strstr (out, PACKAGE_VERSION));
}

static void
test_command_line_overrides (void)
{
  g_autoptr(McTestServer) server = mc_test_server_new (NULL);
  g_autoptr(JsonNode) response = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) booking = NULL;
  gint64 id;
  guint status;

  /* The command line wins over the configuration file. */
  mc_test_server_add_args (server, "--join-before", "180", "--token-lifetime", "60", NULL);
  mc_test_server_start (server);
  mc_test_create_pair (server, NULL, NULL);
  id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 7200, 10800, "confirmed");
  booking = mc_test_get_booking_admin (server, id);
  token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", id);
  response = mc_test_request (server, "POST", path, token, "{}", &status);
  g_assert_cmpuint (status, ==, 200);

  {
    gint64 start = 0, opens = 0, issued = 0, expires = 0;
    g_autoptr(McCallTokenClaims) claims = NULL;

    g_assert_true (mc_json_parse_time (mc_test_get_string (booking, "start"), &start));
    g_assert_true (mc_json_parse_time (mc_test_get_string (mc_test_object (response),
                                                           "join_window.opens_at"), &opens));
    g_assert_cmpint (opens, ==, start - 180 * 60);

    claims = mc_call_token_peek (mc_test_get_string (mc_test_object (response), "token"), NULL);
    g_assert_nonnull (claims);
    issued = claims->issued_at;
    expires = claims->expires_at;
    g_assert_cmpint (expires - issued, ==, 60);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/cli/user-add", test_user_add);
  g_test_add_func ("/server/cli/user-add-errors", test_user_add_errors);
  g_test_add_func ("/server/cli/bookings", test_bookings);
  g_test_add_func ("/server/cli/demo-data", test_demo_data);
  g_test_add_func ("/server/cli/demo-option", test_demo_option);
  g_test_add_func ("/server/cli/version", test_version);
  g_test_add_func ("/server/cli/command-line-overrides", test_command_line_overrides);

  return g_test_run ();
}
