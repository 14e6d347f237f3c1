/* test-auth.c — logging in and out, sessions, login rate limits
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

static JsonNode *
login (McTestServer *server,
       const char   *username,
       const char   *password,
       guint        *status)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                           username, password);

  return mc_test_request (server, "POST", "/api/v1/auth/login", NULL, body, status);
}

static void
assert_user_object (JsonObject *user,
                    gint64      id,
                    const char *username,
                    const char *role)
{
  g_assert_cmpint (mc_test_get_int (user, "id"), ==, id);
  g_assert_cmpstr (mc_test_get_string (user, "username"), ==, username);
  g_assert_cmpstr (mc_test_get_string (user, "role"), ==, role);
  g_assert_cmpstr (mc_test_get_string (user, "display_name"), !=, "");

  /* Nothing secret ever leaves the server. */
  g_assert_false (json_object_has_member (user, "password"));
  g_assert_false (json_object_has_member (user, "password_hash"));
}

static void
test_login_success (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     first = NULL;
  g_autoptr (JsonNode)     second = NULL;
  g_autofree guint8       *raw = NULL;
  const char              *token;
  gint64                   mentor_id, expires_at = 0;
  gsize                    raw_length = 0;
  guint                    status;

  mc_test_create_pair (server, &mentor_id, NULL);

  first = login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);

  /* An opaque token: base64url of 32 random bytes. */
  token = mc_test_get_string (mc_test_object (first), "token");
  raw = mc_base64url_decode (token, &raw_length);
  g_assert_nonnull (raw);
  g_assert_cmpuint (raw_length, ==, 32);

  g_assert_true (mc_json_parse_time (mc_test_get_string (mc_test_object (first), "expires_at"),
                                     &expires_at));
  g_assert_true (g_str_has_suffix (mc_test_get_string (mc_test_object (first), "expires_at"), "Z"));
  /* The default session lifetime is 30 days. */
  g_assert_cmpint (expires_at, >, mc_test_now () + 29 * 24 * 3600);
  g_assert_cmpint (expires_at, <=, mc_test_now () + 30 * 24 * 3600 + 1);

  assert_user_object (json_object_get_object_member (mc_test_object (first), "user"),
                      mentor_id, MC_TEST_MENTOR, "mentor");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (first), "user.display_name"), ==,
                   "maria Tester");

  /* Every login is a new session with its own token. */
  second = login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (second), "token"), !=, token);
}

static void
test_login_refused (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     wrong_password = NULL;
  g_autoptr (JsonNode)     unknown_user = NULL;
  g_autoptr (JsonNode)     other_role_password = NULL;
  JsonObject              *error_a, *error_b;
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  wrong_password = login (server, MC_TEST_MENTOR, "not-the-password", &status);
  error_a = mc_test_assert_error (wrong_password, status, 401, "invalid_credentials");

  /* An unknown user gets the very same answer, so that usernames cannot be
   * probed. */
  unknown_user = login (server, "nobody", "not-the-password", &status);
  error_b = mc_test_assert_error (unknown_user, status, 401, "invalid_credentials");
  g_assert_cmpstr (mc_test_get_string (error_a, "message"), ==,
                   mc_test_get_string (error_b, "message"));

  /* Another user's password is no better. */
  other_role_password = login (server, MC_TEST_MENTOR, MC_TEST_STUDENT_PASSWORD, &status);
  mc_test_assert_error (other_role_password, status, 401, "invalid_credentials");
}

static void
test_login_malformed (void)
{
  static const struct
  {
    const char *body;
    gssize      length; /* -1: strlen */
    const char *code;
    const char *field; /* for invalid_field */
  } cases[] = {
    { "not json", -1, "malformed_json", NULL },
    { "[\"maria\",\"pw\"]", -1, "malformed_json", NULL },
    { "\"maria\"", -1, "malformed_json", NULL },
    { "null", -1, "malformed_json", NULL },
    { "{\"username\":\"maria\",\"password\":\"mentor-pa", -1, "malformed_json", NULL },
    /* Strings that are not text name their member. */
    { "{\"username\":\"\xff\xfe\",\"password\":\"mentor-pass-1\"}", -1, "invalid_field", "username" },
    { "{\"username\":\"maria\",\"password\":\"\xc3\"}", -1, "invalid_field", "password" },
    { "{\"username\":\"maria\\u0000junk\",\"password\":\"mentor-pass-1\"}", -1, "invalid_field",
      "username" },
    { "{\"username\":\"maria\"}", -1, "invalid_field", "password" },
    { "{\"password\":\"mentor-pass-1\"}", -1, "invalid_field", "username" },
    { "{}", -1, "invalid_field", "username" },
    { "{\"username\":5,\"password\":\"mentor-pass-1\"}", -1, "invalid_field", "username" },
    { "{\"username\":\"maria\",\"password\":true}", -1, "invalid_field", "password" },
    { "{\"username\":[\"maria\"],\"password\":\"x\"}", -1, "invalid_field", "username" },
    { "{\"username\":null,\"password\":\"mentor-pass-1\"}", -1, "invalid_field", "username" },
    { "{\"username\":\"maria\",\"password\":{\"a\":1}}", -1, "invalid_field", "password" },
  };
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);

  mc_test_create_pair (server, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize                length = cases[i].length < 0 ? strlen (cases[i].body) : (gsize) cases[i].length;
      g_autoptr (GBytes)   body = g_bytes_new (cases[i].body, length);
      g_autoptr (JsonNode) response = NULL;
      JsonObject          *error;
      guint                status;

      {
        g_autofree char *escaped = g_strescape (cases[i].body, NULL);

        g_test_message ("case %u: %s", i, escaped);
      }
      response = mc_test_request_full (server, "POST", "/api/v1/auth/login", NULL,
                                       "application/json", body, &status, NULL, NULL);
      error = mc_test_assert_error (response, status, 400, cases[i].code);
      if (cases[i].field != NULL)
        g_assert_cmpstr (mc_test_get_string (error, "field"), ==, cases[i].field);
    }
}

static void
test_login_empty_body (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     response = NULL;
  g_autoptr (JsonNode)     no_body = NULL;
  guint                    status;

  /* An empty body where one is required is malformed JSON. */
  response = mc_test_request (server, "POST", "/api/v1/auth/login", NULL, "", &status);
  mc_test_assert_error (response, status, 400, "malformed_json");

  no_body = mc_test_request (server, "POST", "/api/v1/auth/login", NULL, NULL, &status);
  mc_test_assert_error (no_body, status, 400, "malformed_json");
}

static void
test_me (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     login_response = NULL;
  g_autoptr (JsonNode)     me = NULL;
  gint64                   student_id;
  const char              *token;
  guint                    status;

  mc_test_create_pair (server, NULL, &student_id);

  login_response = login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);
  token = mc_test_get_string (mc_test_object (login_response), "token");

  me = mc_test_request (server, "GET", "/api/v1/me", token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  assert_user_object (json_object_get_object_member (mc_test_object (me), "user"),
                      student_id, MC_TEST_STUDENT, "student");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (me), "session.expires_at"), ==,
                   mc_test_get_string (mc_test_object (login_response), "expires_at"));
}

static void
test_logout (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autofree char         *token = NULL;
  g_autofree char         *other_token = NULL;
  g_autoptr (GBytes)       body = NULL;
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);
  token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  other_token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  {
    const char          *headers[] = { NULL, NULL };
    g_autofree char     *authorization = g_strdup_printf ("Authorization: Bearer %s", token);
    g_autoptr (JsonNode) response = NULL;

    headers[0] = authorization;
    response = mc_test_request_full (server, "POST", "/api/v1/auth/logout", headers, NULL, NULL,
                                     &status, NULL, &body);
    g_assert_cmpuint (status, ==, 204);
    g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  }

  /* The token is revoked: it no longer works anywhere. */
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/me", token, NULL,
                                                     &status);

    mc_test_assert_error (response, status, 401, "session_invalid");
  }
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/bookings", token,
                                                     NULL, &status);

    mc_test_assert_error (response, status, 401, "session_invalid");
  }
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "POST", "/api/v1/auth/logout", token,
                                                     NULL, &status);

    mc_test_assert_error (response, status, 401, "session_invalid");
  }

  /* The user's other session is untouched. */
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/me", other_token,
                                                     NULL, &status);

    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_missing_authorization (void)
{
  static const char * const paths[][2] = {
    { "GET", "/api/v1/me" },
    { "GET", "/api/v1/bookings" },
    { "GET", "/api/v1/bookings/1" },
    { "POST", "/api/v1/bookings/1/call-token" },
    { "GET", "/api/v1/bookings/1/attendance" },
    { "POST", "/api/v1/call-tokens/verify" },
    { "POST", "/api/v1/auth/logout" },
  };
  static const char * const garbage[] = {
    "Authorization: Basic bWFyaWE6bWVudG9yLXBhc3MtMQ==",
    "Authorization: Token abc",
    "Authorization: Bearer",
    "Authorization: bearer-but-not-really",
  };
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);

  mc_test_create_pair (server, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (SoupMessageHeaders) headers = NULL;
      g_autoptr (JsonNode)           response = NULL;
      const char                    *challenge;
      guint                          status;

      g_test_message ("%s %s without Authorization", paths[i][0], paths[i][1]);
      response = mc_test_request_full (server, paths[i][0], paths[i][1], NULL, NULL, NULL,
                                       &status, &headers, NULL);
      mc_test_assert_error (response, status, 401, "unauthorized");
      challenge = soup_message_headers_get_one (headers, "WWW-Authenticate");
      g_assert_nonnull (challenge);
      g_assert_true (g_ascii_strncasecmp (challenge, "Bearer", 6) == 0);

      for (guint j = 0; j < G_N_ELEMENTS (garbage); j++)
        {
          const char          *request_headers[] = { garbage[j], NULL };
          g_autoptr (JsonNode) garbage_response = NULL;

          g_test_message ("%s %s with %s", paths[i][0], paths[i][1], garbage[j]);
          garbage_response = mc_test_request_full (server, paths[i][0], paths[i][1],
                                                   request_headers, NULL, NULL, &status,
                                                   NULL, NULL);
          mc_test_assert_error (garbage_response, status, 401, "unauthorized");
        }

      /* A bearer token the server never issued. */
      {
        g_autoptr (JsonNode) unknown = NULL;

        unknown = mc_test_request (server, paths[i][0], paths[i][1],
                                   "Q0Xs5hQGbWZQ8bCwqLkFkzZ9HY4cR9cmrzeo6m7ZRzc", NULL, &status);
        mc_test_assert_error (unknown, status, 401, "session_invalid");
        g_clear_pointer (&unknown, json_node_unref);

        unknown = mc_test_request (server, paths[i][0], paths[i][1], "not a token at all!",
                                   NULL, &status);
        mc_test_assert_error (unknown, status, 401, "session_invalid");
      }
    }
}

static void
test_session_expired (void)
{
  g_autoptr (McTestServer) server = mc_test_server_new ("[auth]\nsession-lifetime=60\n");
  g_autofree char         *token = NULL;
  guint                    status;

  mc_test_server_add_args (server, "--test-clock", NULL);
  mc_test_server_start (server);
  mc_test_create_pair (server, NULL, NULL);
  token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/me", token, NULL,
                                                     &status);

    g_assert_cmpuint (status, ==, 200);
  }

  /* Half-way through it still works (real time passes too, seconds of it
   * on a loaded machine); after the end it does not. */
  mc_test_server_advance_clock (server, 30);
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/me", token, NULL,
                                                     &status);

    g_assert_cmpuint (status, ==, 200);
  }

  mc_test_server_advance_clock (server, 31);

  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/me", token, NULL,
                                                     &status);

    mc_test_assert_error (response, status, 401, "session_expired");
  }
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/api/v1/bookings", token,
                                                     NULL, &status);

    mc_test_assert_error (response, status, 401, "session_expired");
  }
}

/* Without --test-clock, the clock cannot be moved: the path does not exist. */
static void
test_clock_fixed (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     response = NULL;
  guint                    status;

  response = mc_test_admin (server, "POST", "/api/v1/admin/test-clock", "{\"advance\": 10}",
                            &status);
  mc_test_assert_error (response, status, 404, "not_found");
}

static void
test_disabled_account (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     patched = NULL;
  g_autofree char         *path = NULL;
  gint64                   mentor_id;
  guint                    status;

  mc_test_create_pair (server, &mentor_id, NULL);
  path = g_strdup_printf ("/api/v1/admin/users/%" G_GINT64_FORMAT, mentor_id);
  patched = mc_test_admin (server, "PATCH", path, "{\"disabled\":true}", &status);
  g_assert_cmpuint (status, ==, 200);

  /* Only the right password learns that the account is disabled. */
  {
    g_autoptr (JsonNode) response = login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD,
                                           &status);

    mc_test_assert_error (response, status, 403, "forbidden");
  }
  {
    g_autoptr (JsonNode) response = login (server, MC_TEST_MENTOR, "wrong-password", &status);

    mc_test_assert_error (response, status, 401, "invalid_credentials");
  }

  /* Enabled again, the account works. */
  g_clear_pointer (&patched, json_node_unref);
  patched = mc_test_admin (server, "PATCH", path, "{\"disabled\":false}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD));
}

static void
assert_rate_limited (JsonNode           *response,
                     guint               status,
                     SoupMessageHeaders *headers,
                     gint64              window)
{
  JsonObject *error = mc_test_assert_error (response, status, 429, "rate_limited");
  const char *retry_after_header = soup_message_headers_get_one (headers, "Retry-After");
  gint64      retry_after = mc_test_get_int (error, "retry_after");
  guint64     header_value;

  g_assert_nonnull (retry_after_header);
  g_assert_true (g_ascii_string_to_unsigned (retry_after_header, 10, 1, window, &header_value,
                                             NULL));
  g_assert_cmpint (retry_after, >=, 1);
  g_assert_cmpint (retry_after, <=, window);
}

static JsonNode *
login_with_headers (McTestServer        *server,
                    const char          *username,
                    const char          *password,
                    guint               *status,
                    SoupMessageHeaders **headers)
{
  g_autofree char   *text = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                             username, password);
  g_autoptr (GBytes) body = g_bytes_new (text, strlen (text));

  return mc_test_request_full (server, "POST", "/api/v1/auth/login", NULL, "application/json",
                               body, status, headers, NULL);
}

static void
test_rate_limit_account (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[auth]\n"
                                                              "login-failures-per-account=3\n"
                                                              "login-rate-window=300\n");
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) response = login (server, MC_TEST_MENTOR, "wrong-password", &status);

      mc_test_assert_error (response, status, 401, "invalid_credentials");
    }

  /* Locked for the window, even with the right password. */
  {
    g_autoptr (SoupMessageHeaders) headers = NULL;
    g_autoptr (JsonNode)           response = login_with_headers (server, MC_TEST_MENTOR, "wrong-password",
                                                                  &status, &headers);

    assert_rate_limited (response, status, headers, 300);
  }
  {
    g_autoptr (SoupMessageHeaders) headers = NULL;
    g_autoptr (JsonNode)           response = login_with_headers (server, MC_TEST_MENTOR,
                                                                  MC_TEST_MENTOR_PASSWORD, &status,
                                                                  &headers);

    assert_rate_limited (response, status, headers, 300);
  }

  /* The limit is per account: the student is not locked out. */
  g_free (mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD));
}

static void
test_rate_limit_success_clears (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[auth]\n"
                                                              "login-failures-per-account=3\n");
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) response = login (server, MC_TEST_MENTOR, "wrong-password", &status);

      mc_test_assert_error (response, status, 401, "invalid_credentials");
    }

  g_free (mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD));

  /* The count starts again: three more failures are answered normally. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) response = login (server, MC_TEST_MENTOR, "wrong-password", &status);

      mc_test_assert_error (response, status, 401, "invalid_credentials");
    }

  {
    g_autoptr (JsonNode) response = login (server, MC_TEST_MENTOR, "wrong-password", &status);

    mc_test_assert_error (response, status, 429, "rate_limited");
  }
}

static void
test_rate_limit_address (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[auth]\n"
                                                              "login-attempts-per-address=5\n"
                                                              "login-failures-per-account=100\n");
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  /* Five attempts, each on another account, so that only the address limit
   * can apply. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char     *username = g_strdup_printf ("nobody%u", i);
      g_autoptr (JsonNode) response = login (server, username, "wrong-password", &status);

      mc_test_assert_error (response, status, 401, "invalid_credentials");
    }

  {
    g_autoptr (SoupMessageHeaders) headers = NULL;
    g_autoptr (JsonNode)           response = login_with_headers (server, MC_TEST_MENTOR,
                                                                  MC_TEST_MENTOR_PASSWORD, &status,
                                                                  &headers);

    assert_rate_limited (response, status, headers, 300);
  }

  /* Other endpoints are not limited by failed logins. */
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/healthz", NULL, NULL,
                                                     &status);

    g_assert_cmpuint (status, ==, 200);
  }
}

static guint
login_forwarded_for (McTestServer *server,
                     const char   *username,
                     const char   *forwarded_for)
{
  g_autofree char     *text = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"wrong\"}",
                                               username);
  g_autoptr (GBytes)   body = g_bytes_new (text, strlen (text));
  g_autofree char     *header = g_strdup_printf ("X-Forwarded-For: %s", forwarded_for);
  const char          *headers[] = { header, NULL };
  g_autoptr (JsonNode) response = NULL;
  guint                status;

  response = mc_test_request_full (server, "POST", "/api/v1/auth/login", headers,
                                   "application/json", body, &status, NULL, NULL);
  return status;
}

/* Behind a load balancer every login comes from its address: the limit by
 * address must apply to the client's, which only a proxy the configuration
 * trusts may tell (X-Forwarded-For, its last address). */
static void
test_rate_limit_forwarded (void)
{
  g_autoptr (McTestServer) trusting = mc_test_server_start_new ("[server]\n"
                                                                "trusted-proxies=127.0.0.1\n"
                                                                "[auth]\n"
                                                                "login-attempts-per-address=2\n"
                                                                "login-failures-per-account=100\n");
  g_autoptr (McTestServer) wary = mc_test_server_start_new ("[auth]\n"
                                                            "login-attempts-per-address=2\n"
                                                            "login-failures-per-account=100\n");

  /* Two clients behind the proxy: each has its own two attempts. A client's
   * own X-Forwarded-For before the proxy's address does not count. */
  g_assert_cmpuint (login_forwarded_for (trusting, "a", "198.51.100.7"), ==, 401);
  g_assert_cmpuint (login_forwarded_for (trusting, "b", "198.51.100.7"), ==, 401);
  g_assert_cmpuint (login_forwarded_for (trusting, "c", "198.51.100.7"), ==, 429);
  g_assert_cmpuint (login_forwarded_for (trusting, "d", "203.0.113.9, 198.51.100.8"), ==, 401);
  g_assert_cmpuint (login_forwarded_for (trusting, "e", "198.51.100.7, 198.51.100.8"), ==, 401);
  g_assert_cmpuint (login_forwarded_for (trusting, "f", "198.51.100.8"), ==, 429);
  /* Not an address: the proxy's own counts. */
  g_assert_cmpuint (login_forwarded_for (trusting, "g", "unknown"), ==, 401);

  /* A server that trusts no proxy ignores the header: every attempt comes
   * from 127.0.0.1, whatever it says. */
  g_assert_cmpuint (login_forwarded_for (wary, "a", "198.51.100.1"), ==, 401);
  g_assert_cmpuint (login_forwarded_for (wary, "b", "198.51.100.2"), ==, 401);
  g_assert_cmpuint (login_forwarded_for (wary, "c", "198.51.100.3"), ==, 429);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/auth/login/success", test_login_success);
  g_test_add_func ("/server/auth/login/refused", test_login_refused);
  g_test_add_func ("/server/auth/login/malformed", test_login_malformed);
  g_test_add_func ("/server/auth/login/empty-body", test_login_empty_body);
  g_test_add_func ("/server/auth/me", test_me);
  g_test_add_func ("/server/auth/logout", test_logout);
  g_test_add_func ("/server/auth/missing-authorization", test_missing_authorization);
  g_test_add_func ("/server/auth/session-expired", test_session_expired);
  g_test_add_func ("/server/auth/clock-fixed", test_clock_fixed);
  g_test_add_func ("/server/auth/disabled-account", test_disabled_account);
  g_test_add_func ("/server/auth/rate-limit/account", test_rate_limit_account);
  g_test_add_func ("/server/auth/rate-limit/success-clears", test_rate_limit_success_clears);
  g_test_add_func ("/server/auth/rate-limit/address", test_rate_limit_address);
  g_test_add_func ("/server/auth/rate-limit/forwarded", test_rate_limit_forwarded);

  return g_test_run ();
}
