/* test-browser.c — what a web page needs from the server: WebSocket
 * tickets, CORS and the Origin check
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A browser cannot set Authorization on a WebSocket handshake and cannot
 * read the status of a refused one. These tests play the browser with
 * plain libsoup against the real server: a ticket from
 * POST /api/v1/ws-ticket in the URL, an Origin header, and refusals that
 * must arrive as an error message and a close code after the upgrade.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "mc-protocol.h"
#include "mc-test-server.h"
#include "mc-test-socket.h"

#define ALLOWED_ORIGIN "https://lessons.example.org"
#define OTHER_ORIGIN   "https://evil.example.net"

/* Checks that the socket was upgraded, then refused with an error of
 * @code and closed with @close_code: what a page can read. */
static void
assert_refused (McTestSocket *socket,
                const char   *code,
                const char   *reason,
                gushort       close_code)
{
  g_autoptr (JsonObject) error = NULL;

  g_assert_no_error (socket->error);
  g_assert_nonnull (socket->connection);
  error = mc_test_socket_first (socket, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member_with_default (error, "reason", NULL), ==,
                   reason);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  mc_test_wait_for (&socket->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (socket->connection), ==,
                    close_code);
}

static char *
issue_ticket (McTestServer *server,
              const char   *token)
{
  g_autoptr (JsonNode) response = NULL;
  JsonObject          *object;
  guint                status;

  response = mc_test_request (server, "POST", "/api/v1/ws-ticket", token, NULL, &status);
  g_assert_cmpuint (status, ==, 201);
  object = mc_test_object (response);
  g_assert_cmpuint (strlen (mc_test_get_string (object, "ticket")), >=, 32);
  g_assert_nonnull (mc_test_get_string (object, "expires_at"));

  return g_strdup (mc_test_get_string (object, "ticket"));
}

static McTestServer *
start_server (const char *overrides,
              gboolean    test_clock,
              char      **token)
{
  McTestServer *server = mc_test_server_new (overrides);

  if (test_clock)
    mc_test_server_add_args (server, "--test-clock", NULL);
  mc_test_server_start (server);
  mc_test_create_pair (server, NULL, NULL);
  *token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  return server;
}

static void
test_ticket_use (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, FALSE, &token);
  g_autofree char         *ticket = issue_ticket (server, token);
  g_autoptr (McTestSocket) page = NULL;
  g_autoptr (McTestSocket) again = NULL;
  g_autoptr (McTestSocket) forged = NULL;
  g_autoptr (JsonObject)   welcome = NULL;
  g_autoptr (JsonNode)     anonymous = NULL;
  guint                    status;

  /* Only a logged-in user gets a ticket. */
  anonymous = mc_test_request (server, "POST", "/api/v1/ws-ticket", NULL, NULL, &status);
  mc_test_assert_error (anonymous, status, 401, "unauthorized");

  page = mc_test_socket_open (server, NULL, ticket, NULL);
  g_assert_no_error (page->error);
  welcome = mc_test_socket_first (page, "welcome");
  g_assert_cmpstr (mc_test_get_string (welcome, "user.username"), ==, MC_TEST_STUDENT);

  /* Single use. */
  again = mc_test_socket_open (server, NULL, ticket, NULL);
  assert_refused (again, "unauthorized", "ticket_unknown", 4004);

  forged = mc_test_socket_open (server, NULL, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
  assert_refused (forged, "unauthorized", "ticket_unknown", 4004);

  mc_test_server_stop (server);
}

/* Tickets and session tokens never reach the server's logs, not even with
 * every debug message on: the request log names paths without their query. */
static void
test_ticket_not_logged (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = NULL;
  g_autofree char         *ticket = NULL;
  g_autofree char         *refused = NULL;
  g_autoptr (McTestSocket) page = NULL;
  g_autoptr (McTestSocket) again = NULL;
  g_autoptr (McTestSocket) late = NULL;
  g_autoptr (JsonObject)   welcome = NULL;
  const char              *output;

  server = mc_test_server_new (NULL);
  mc_test_server_add_args (server, "--test-clock", NULL);
  mc_test_server_setenv (server, "G_MESSAGES_DEBUG", "all");
  mc_test_server_start (server);
  mc_test_create_pair (server, NULL, NULL);
  token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  ticket = issue_ticket (server, token);
  page = mc_test_socket_open (server, NULL, ticket, NULL);
  welcome = mc_test_socket_first (page, "welcome");
  again = mc_test_socket_open (server, NULL, ticket, NULL);
  assert_refused (again, "unauthorized", "ticket_unknown", 4004);
  refused = issue_ticket (server, token);
  mc_test_server_advance_clock (server, 31);
  late = mc_test_socket_open (server, NULL, refused, NULL);
  assert_refused (late, "unauthorized", "ticket_expired", 4004);
  mc_test_server_stop (server);

  output = mc_test_server_get_output (server);
  /* The log is there: the requests, with debug messages. */
  g_assert_nonnull (strstr (output, "POST /api/v1/ws-ticket"));
  g_assert_nonnull (strstr (output, "POST /api/v1/auth/login"));
  g_assert_nonnull (strstr (output, "-DEBUG"));
  g_assert_null (strstr (output, ticket));
  g_assert_null (strstr (output, refused));
  g_assert_null (strstr (output, token));
  g_assert_null (strstr (output, "ticket="));
}

static void
test_ticket_expiry (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, TRUE, &token);
  g_autofree char         *ticket = issue_ticket (server, token);
  g_autofree char         *fresh = NULL;
  g_autoptr (McTestSocket) late = NULL;
  g_autoptr (McTestSocket) in_time = NULL;
  g_autoptr (JsonObject)   welcome = NULL;

  mc_test_server_advance_clock (server, 31);
  late = mc_test_socket_open (server, NULL, ticket, NULL);
  assert_refused (late, "unauthorized", "ticket_expired", 4004);

  fresh = issue_ticket (server, token);
  mc_test_server_advance_clock (server, 15);
  in_time = mc_test_socket_open (server, NULL, fresh, NULL);
  welcome = mc_test_socket_first (in_time, "welcome");

  mc_test_server_stop (server);
}

/* A ticket stands for its session: once the session ends, the ticket is
 * worth nothing, and the page learns to log in again. */
static void
test_ticket_session_ended (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, FALSE, &token);
  g_autofree char         *ticket = issue_ticket (server, token);
  g_autoptr (JsonNode)     response = NULL;
  g_autoptr (McTestSocket) page = NULL;
  guint                    status;

  response = mc_test_request (server, "POST", "/api/v1/auth/logout", token, NULL, &status);
  g_assert_cmpuint (status, ==, 204);

  page = mc_test_socket_open (server, NULL, ticket, NULL);
  assert_refused (page, "session_invalid", NULL, 4001);

  mc_test_server_stop (server);
}

static void
test_ticket_too_many_connections (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmax-connections-per-user=1\n",
                                                  FALSE, &token);
  g_autofree char         *first_ticket = issue_ticket (server, token);
  g_autofree char         *second_ticket = issue_ticket (server, token);
  g_autoptr (McTestSocket) first = mc_test_socket_open (server, NULL, first_ticket, NULL);
  g_autoptr (McTestSocket) second = NULL;
  g_autoptr (JsonObject)   welcome = mc_test_socket_first (first, "welcome");

  second = mc_test_socket_open (server, NULL, second_ticket, NULL);
  assert_refused (second, "rate_limited", NULL, 4006);

  mc_test_server_stop (server);
}

static void
test_websocket_origin (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[server]\nallowed-origins=" ALLOWED_ORIGIN
                                                  "; http://localhost:3000\n",
                                                  FALSE, &token);
  g_autofree char         *own_origin = g_strdup_printf ("http://127.0.0.1:%u",
                                                         mc_test_server_get_port (server));
  struct
  {
    const char *origin;
    gboolean    with_ticket;
    gboolean    allowed;
  } cases[] = {
    { ALLOWED_ORIGIN, TRUE, TRUE },
    { "http://localhost:3000", TRUE, TRUE },
    { own_origin, TRUE, TRUE },
    { NULL, FALSE, TRUE }, /* a native client */
    { OTHER_ORIGIN, TRUE, FALSE },
    { OTHER_ORIGIN, FALSE, FALSE },
    { "null", TRUE, FALSE },
    { ALLOWED_ORIGIN ".evil.example.net", TRUE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char         *ticket = cases[i].with_ticket ? issue_ticket (server, token) : NULL;
      g_autoptr (McTestSocket) socket = mc_test_socket_open (server, cases[i].with_ticket ? NULL : token,
                                                             ticket, cases[i].origin);

      g_test_message ("origin %s, %s", cases[i].origin,
                      cases[i].with_ticket ? "ticket" : "header");
      if (cases[i].allowed)
        {
          g_autoptr (JsonObject) welcome = mc_test_socket_first (socket, "welcome");
        }
      else
        {
          assert_refused (socket, "forbidden", "origin", 4005);
        }
    }

  mc_test_server_stop (server);
}

static guint
request_with_origin (McTestServer        *server,
                     const char          *method,
                     const char          *path,
                     const char          *origin,
                     const char          *request_method,
                     SoupMessageHeaders **response_headers)
{
  g_autoptr (GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonNode)  body = NULL;
  guint                 status;

  if (origin != NULL)
    {
      g_ptr_array_add (headers, g_strdup_printf ("Origin: %s", origin));
    }
  if (request_method != NULL)
    {
      g_ptr_array_add (headers,
                       g_strdup_printf ("Access-Control-Request-Method: %s", request_method));
      g_ptr_array_add (headers,
                       g_strdup ("Access-Control-Request-Headers: authorization, content-type"));
    }
  g_ptr_array_add (headers, NULL);

  body = mc_test_request_full (server, method, path, (const char * const *) headers->pdata, NULL,
                               NULL, &status, response_headers, NULL);
  return status;
}

static void
test_cors (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[server]\nallowed-origins=" ALLOWED_ORIGIN
                                                  "\n",
                                                  FALSE, &token);
  SoupMessageHeaders      *headers = NULL;
  const char              *value;
  guint                    status;

  /* Preflight from an allowed origin: named back, never "*", no cookies. */
  status = request_with_origin (server, "OPTIONS", "/api/v1/bookings", ALLOWED_ORIGIN, "GET",
                                &headers);
  g_assert_cmpuint (status, ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   ALLOWED_ORIGIN);
  value = soup_message_headers_get_one (headers, "Access-Control-Allow-Methods");
  g_assert_nonnull (strstr (value, "GET"));
  value = soup_message_headers_get_one (headers, "Access-Control-Allow-Headers");
  g_assert_nonnull (strstr (value, "Authorization"));
  g_assert_nonnull (strstr (value, "Content-Type"));
  g_assert_null (soup_message_headers_get_one (headers, "Access-Control-Allow-Credentials"));
  g_assert_nonnull (strstr (soup_message_headers_get_list (headers, "Vary"), "Origin"));
  g_clear_pointer (&headers, soup_message_headers_unref);

  status = request_with_origin (server, "OPTIONS", "/api/v1/auth/login", ALLOWED_ORIGIN, "POST",
                                &headers);
  g_assert_cmpuint (status, ==, 204);
  g_assert_nonnull (strstr (soup_message_headers_get_one (headers,
                                                          "Access-Control-Allow-Methods"),
                            "POST"));
  g_clear_pointer (&headers, soup_message_headers_unref);

  /* Preflight from another origin: refused, with nothing a page could use. */
  status = request_with_origin (server, "OPTIONS", "/api/v1/bookings", OTHER_ORIGIN, "GET",
                                &headers);
  g_assert_cmpuint (status, ==, 403);
  g_assert_null (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"));
  g_assert_null (soup_message_headers_get_one (headers, "Access-Control-Allow-Methods"));
  g_clear_pointer (&headers, soup_message_headers_unref);

  /* A path that does not exist stays a 404. */
  status = request_with_origin (server, "OPTIONS", "/api/v1/nothing", ALLOWED_ORIGIN, "GET",
                                &headers);
  g_assert_cmpuint (status, ==, 404);
  g_clear_pointer (&headers, soup_message_headers_unref);

  /* Actual requests: the allowed origin can read, the other cannot. */
  status = request_with_origin (server, "GET", "/healthz", ALLOWED_ORIGIN, NULL, &headers);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   ALLOWED_ORIGIN);
  g_clear_pointer (&headers, soup_message_headers_unref);

  status = request_with_origin (server, "GET", "/healthz", OTHER_ORIGIN, NULL, &headers);
  g_assert_cmpuint (status, ==, 200);
  g_assert_null (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"));
  g_clear_pointer (&headers, soup_message_headers_unref);

  /* Errors are readable too: a page must see why it was refused. */
  status = request_with_origin (server, "GET", "/api/v1/bookings", ALLOWED_ORIGIN, NULL,
                                &headers);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   ALLOWED_ORIGIN);
  g_clear_pointer (&headers, soup_message_headers_unref);

  /* No Origin, no CORS headers: native clients see no change. */
  status = request_with_origin (server, "GET", "/healthz", NULL, NULL, &headers);
  g_assert_cmpuint (status, ==, 200);
  g_assert_null (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"));
  g_clear_pointer (&headers, soup_message_headers_unref);

  mc_test_server_stop (server);
}

/* Nothing configured: no other origin is allowed. */
static void
test_cors_default (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, FALSE, &token);
  SoupMessageHeaders      *headers = NULL;
  guint                    status;

  status = request_with_origin (server, "OPTIONS", "/api/v1/bookings", ALLOWED_ORIGIN, "GET",
                                &headers);
  g_assert_cmpuint (status, ==, 403);
  g_assert_null (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"));
  g_clear_pointer (&headers, soup_message_headers_unref);

  mc_test_server_stop (server);
}

/* The web client: served from the binary, with its security headers. */
static void
test_web_page (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  static const struct
  {
    const char *path;
    const char *type;
    const char *contains;
  } cases[] = {
    { "/app/", "text/html", "<script src=\"/app/app.js\"" },
    { "/app/app.js", "text/javascript", "/api/v1/ws-ticket" },
    { "/app/app.css", "text/css", "#remote" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SoupMessageHeaders) headers = NULL;
      g_autoptr (GBytes)             body = NULL;
      g_autoptr (JsonNode)           node = NULL;
      g_autofree char               *text = NULL;
      const char                    *policy;
      guint                          status;

      node = mc_test_request_full (server, "GET", cases[i].path, NULL, NULL, NULL, &status,
                                   &headers, &body);
      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, cases[i].type);
      text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_assert_nonnull (strstr (text, cases[i].contains));

      policy = soup_message_headers_get_one (headers, "Content-Security-Policy");
      g_assert_nonnull (policy);
      g_assert_nonnull (strstr (policy, "script-src 'self'"));
      g_assert_null (strstr (policy, "unsafe-inline"));
      g_assert_null (strstr (policy, "unsafe-eval"));
      g_assert_nonnull (strstr (policy, "frame-ancestors 'none'"));
      g_assert_cmpstr (soup_message_headers_get_one (headers, "X-Content-Type-Options"), ==,
                       "nosniff");
      g_assert_cmpstr (soup_message_headers_get_one (headers, "Referrer-Policy"), ==,
                       "no-referrer");
    }

  mc_test_server_stop (server);
}

/* Behind a public URL, the page's policy lets it reach the signaling URL the
 * call token names (and where a wrong origin is refused with close 4005). */
static void
test_web_page_public_url (void)
{
  g_autoptr (McTestServer)       server = mc_test_server_start_new (
    "[server]\npublic-url=https://calls.example.org:8443/mentorcall\n");
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (JsonNode)           node = NULL;
  const char                    *policy;
  guint                          status;

  node = mc_test_request_full (server, "GET", "/app/", NULL, NULL, NULL, &status, &headers, NULL);
  g_assert_cmpuint (status, ==, 200);
  policy = soup_message_headers_get_one (headers, "Content-Security-Policy");
  g_assert_nonnull (policy);
  g_assert_nonnull (strstr (policy, "connect-src 'self' ws://127.0.0.1:"));
  g_assert_nonnull (strstr (policy, " wss://calls.example.org:8443;"));

  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/browser/ticket-use", test_ticket_use);
  g_test_add_func ("/server/browser/ticket-expiry", test_ticket_expiry);
  g_test_add_func ("/server/browser/ticket-not-logged", test_ticket_not_logged);
  g_test_add_func ("/server/browser/ticket-session-ended", test_ticket_session_ended);
  g_test_add_func ("/server/browser/ticket-too-many-connections",
                   test_ticket_too_many_connections);
  g_test_add_func ("/server/browser/websocket-origin", test_websocket_origin);
  g_test_add_func ("/server/browser/cors", test_cors);
  g_test_add_func ("/server/browser/cors-default", test_cors_default);
  g_test_add_func ("/server/browser/web-page", test_web_page);
  g_test_add_func ("/server/browser/web-page-public-url", test_web_page_public_url);

  return g_test_run ();
}
