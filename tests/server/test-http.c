/* test-http.c — routing, body limits, bad requests, health and metrics
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "config.h"
#include "mc-protocol.h"
#include "mc-test-server.h"

static void
test_healthz (void)
{
  g_autoptr (McTestServer)       server = mc_test_server_start_new (NULL);
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (JsonNode)           response = NULL;
  guint                          status;

  response = mc_test_request_full (server, "GET", "/healthz", NULL, NULL, NULL, &status,
                                   &headers, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "application/json");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "status"), ==, "ok");
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "version"), ==,
                   PACKAGE_VERSION);
}

/* Returns the value of the sample `name{labels}` (exactly as written), or 0
 * if the sample is absent: a counter that never moved may not be listed. */
static double
metric_value (const char *text,
              const char *sample)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], sample) && lines[i][strlen (sample)] == ' ')
        return g_ascii_strtod (lines[i] + strlen (sample) + 1, NULL);
    }

  return 0;
}

static char *
get_metrics (McTestServer *server)
{
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (GBytes)             body = NULL;
  g_autoptr (JsonNode)           response = NULL;
  g_autoptr (GRegex)             sample = NULL;
  g_autoptr (GRegex)             comment = NULL;
  g_auto (GStrv)                 lines = NULL;
  const char                    *content_type;
  char                          *text;
  gsize                          length;
  guint                          status;

  response = mc_test_request_full (server, "GET", "/metrics", NULL, NULL, NULL, &status,
                                   &headers, &body);
  g_assert_cmpuint (status, ==, 200);
  g_assert_null (response);

  content_type = soup_message_headers_get_one (headers, "Content-Type");
  g_assert_nonnull (content_type);
  g_assert_true (g_str_has_prefix (content_type, "text/plain"));
  g_assert_nonnull (strstr (content_type, "version=0.0.4"));

  text = g_strndup (g_bytes_get_data (body, &length), g_bytes_get_size (body));
  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_suffix (text, "\n"));

  /* The Prometheus text exposition format, version 0.0.4. */
  sample = g_regex_new ("^[a-zA-Z_:][a-zA-Z0-9_:]*"
                        "(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                        "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\")*,?)?\\})?"
                        " (-?[0-9.]+([eE][-+]?[0-9]+)?|[-+]?Inf|NaN)( -?[0-9]+)?$",
                        0, 0, NULL);
  comment = g_regex_new ("^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|"
                         "TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$",
                         0, 0, NULL);
  g_assert_nonnull (sample);
  g_assert_nonnull (comment);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] == '\0')
        continue;

      if (line[0] == '#')
        {
          if (!g_str_has_prefix (line, "# HELP ") && !g_str_has_prefix (line, "# TYPE "))
            continue; /* other comments are allowed */
          if (!g_regex_match (comment, line, 0, NULL))
            g_error ("Not a valid metrics comment line: “%s”", line);
        }
      else if (!g_regex_match (sample, line, 0, NULL))
        {
          g_error ("Not a valid metrics sample line: “%s”", line);
        }
    }

  /* The documented metrics are there. */
  g_assert_nonnull (strstr (text, "mentorcall_http_requests_total"));
  g_assert_nonnull (strstr (text, "mentorcall_logins_total"));
  g_assert_nonnull (strstr (text, "mentorcall_call_tokens_issued_total"));
  g_assert_nonnull (strstr (text, "mentorcall_call_token_refusals_total"));
  g_assert_nonnull (strstr (text, "\nmentorcall_uptime_seconds "));
  g_assert_nonnull (strstr (text, "# TYPE mentorcall_http_requests_total counter"));
  g_assert_nonnull (strstr (text, "# TYPE mentorcall_logins_total counter"));
  g_assert_nonnull (strstr (text, "# TYPE mentorcall_call_tokens_issued_total counter"));

  return text;
}

static void
test_metrics (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[auth]\n"
                                                              "login-failures-per-account=1\n");
  g_autofree char         *before = NULL;
  g_autofree char         *after = NULL;
  g_autofree char         *token = NULL;
  g_autofree char         *path = NULL;
  gint64                   booking, early;
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);
  booking = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                                    "confirmed");
  early = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 7200, 10800,
                                  "confirmed");

  before = get_metrics (server);

  /* One success, one failure, one refused by the rate limit. */
  token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) response = NULL;

      response = mc_test_request (server, "POST", "/api/v1/auth/login", NULL,
                                  "{\"username\":\"sam\",\"password\":\"wrong-password\"}",
                                  &status);
      g_assert_cmpuint (status, ==, i == 0 ? 401 : 429);
    }

  /* Two tokens issued, one refused. */
  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", booking);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) response = mc_test_request (server, "POST", path, token, "{}", &status);

      g_assert_cmpuint (status, ==, 200);
    }
  g_free (path);
  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", early);
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "POST", path, token, "{}", &status);

    g_assert_cmpuint (status, ==, 403);
  }

  after = get_metrics (server);

#define DELTA(sample) (metric_value (after, sample) - metric_value (before, sample))
  g_assert_cmpfloat (DELTA ("mentorcall_logins_total{result=\"success\"}"), ==, 1);
  g_assert_cmpfloat (DELTA ("mentorcall_logins_total{result=\"failure\"}"), ==, 1);
  g_assert_cmpfloat (DELTA ("mentorcall_logins_total{result=\"rate_limited\"}"), ==, 1);
  g_assert_cmpfloat (DELTA ("mentorcall_call_tokens_issued_total"), ==, 2);
  g_assert_cmpfloat (DELTA ("mentorcall_call_token_refusals_total{code=\"outside_join_window\"}"),
                     ==, 1);
  /* At least the two /metrics requests, both logins and both tokens. */
  g_assert_cmpfloat (DELTA ("mentorcall_http_requests_total{status=\"200\"}"), >=, 4);
  g_assert_cmpfloat (DELTA ("mentorcall_http_requests_total{status=\"429\"}"), ==, 1);
  g_assert_cmpfloat (metric_value (after, "mentorcall_uptime_seconds"), >=, 0);
#undef DELTA
}

static void
test_unknown_route (void)
{
  static const char * const paths[] = {
    "/nope",
    "/app/nope",
    "/api",
    "/api/v1",
    "/api/v1/",
    "/api/v2/me",
    "/api/v1/nope",
    "/api/v1/bookings/1/nope",
    "/api/v1/admin",
    "/api/v1/admin/nope",
    "/healthz/extra",
    "/API/V1/ME",
    "/api/v1/../../etc/passwd",
  };
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autofree char         *token = NULL;

  mc_test_create_pair (server, NULL, NULL);
  token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (JsonNode) response = NULL;
      guint                status;

      g_test_message ("GET %s", paths[i]);
      response = mc_test_request (server, "GET", paths[i], token, NULL, &status);
      mc_test_assert_error (response, status, 404, "not_found");
    }
}

static void
test_wrong_method (void)
{
  static const struct
  {
    const char *method;
    const char *path;
    const char *allowed;
  } cases[] = {
    { "POST", "/healthz", "GET" },
    { "DELETE", "/api/v1/me", "GET" },
    { "GET", "/api/v1/auth/login", "POST" },
    { "PUT", "/api/v1/auth/login", "POST" },
    { "GET", "/api/v1/auth/logout", "POST" },
    { "POST", "/api/v1/bookings", "GET" },
    { "DELETE", "/api/v1/bookings/1", "GET" },
    { "GET", "/api/v1/bookings/1/call-token", "POST" },
    { "GET", "/api/v1/call-tokens/verify", "POST" },
    { "DELETE", "/api/v1/admin/users", "GET,POST" },
    { "DELETE", "/api/v1/admin/users/1", "GET,PATCH" },
    { "PUT", "/api/v1/admin/bookings/1", "GET,PATCH" },
    { "PATCH", "/api/v1/admin/bookings", "GET,POST" },
  };
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SoupMessageHeaders) headers = NULL;
      g_autoptr (JsonNode)           response = NULL;
      g_auto (GStrv)                 expected = g_strsplit (cases[i].allowed, ",", -1);
      g_auto (GStrv)                 allow = NULL;
      const char                    *allow_header;
      JsonObject                    *error;
      JsonArray                     *listed;
      guint                          status;

      g_test_message ("%s %s", cases[i].method, cases[i].path);
      response = mc_test_request_full (server, cases[i].method, cases[i].path, NULL, NULL, NULL,
                                       &status, &headers, NULL);
      error = mc_test_assert_error (response, status, 405, "method_not_allowed");

      allow_header = soup_message_headers_get_list (headers, "Allow");
      g_assert_nonnull (allow_header);
      allow = g_strsplit (allow_header, ",", -1);
      for (guint j = 0; allow[j] != NULL; j++)
        g_strstrip (allow[j]);

      listed = json_node_get_array (mc_test_get_node (error, "allowed"));
      for (guint j = 0; expected[j] != NULL; j++)
        {
          gboolean in_list = FALSE;

          g_assert_true (g_strv_contains ((const char * const *) allow, expected[j]));
          for (guint k = 0; k < json_array_get_length (listed); k++)
            in_list |= g_str_equal (json_array_get_string_element (listed, k), expected[j]);
          g_assert_true (in_list);
        }
      g_assert_false (g_strv_contains ((const char * const *) allow, cases[i].method));
    }
}

static void
test_unsupported_media_type (void)
{
  g_autoptr (McTestServer)  server = mc_test_server_start_new (NULL);
  static const char * const types[] = {
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
  };
  const char *json = "{\"username\":\"maria\",\"password\":\"mentor-pass-1\"}";

  mc_test_create_pair (server, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr (GBytes)   body = g_bytes_new (json, strlen (json));
      g_autoptr (JsonNode) response = NULL;
      guint                status;

      g_test_message ("Content-Type: %s", types[i]);
      response = mc_test_request_full (server, "POST", "/api/v1/auth/login", NULL, types[i],
                                       body, &status, NULL, NULL);
      mc_test_assert_error (response, status, 415, "unsupported_media_type");
    }

  /* With a charset parameter it is still JSON. */
  {
    g_autoptr (GBytes)   body = g_bytes_new (json, strlen (json));
    g_autoptr (JsonNode) response = NULL;
    guint                status;

    response = mc_test_request_full (server, "POST", "/api/v1/auth/login", NULL,
                                     "application/json; charset=utf-8", body, &status,
                                     NULL, NULL);
    g_assert_cmpuint (status, ==, 200);
  }

  /* Without a Content-Type the body is taken as JSON. */
  {
    g_autoptr (GBytes)   body = g_bytes_new (json, strlen (json));
    g_autoptr (JsonNode) response = NULL;
    guint                status;

    response = mc_test_request_full (server, "POST", "/api/v1/auth/login", NULL, NULL,
                                     body, &status, NULL, NULL);
    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_payload_too_large (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[server]\nmax-body-size=1024\n");
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  /* A real body over the limit */
  {
    g_autofree char     *padding = g_strnfill (2000, 'x');
    g_autofree char     *json = g_strdup_printf ("{\"username\":\"maria\",\"password\":\"%s\"}",
                                                 padding);
    g_autoptr (GBytes)   body = g_bytes_new (json, strlen (json));
    g_autoptr (JsonNode) response = NULL;

    response = mc_test_request_full (server, "POST", "/api/v1/auth/login", NULL,
                                     "application/json", body, &status, NULL, NULL);
    mc_test_assert_error (response, status, 413, "payload_too_large");
  }

  /* Admin routes have the same limit. */
  {
    g_autofree char     *padding = g_strnfill (2000, 'x');
    g_autofree char     *json = g_strdup_printf ("{\"username\":\"big\",\"display_name\":\"%s\","
                                                     "\"role\":\"mentor\",\"password\":\"password1\"}",
                                                 padding);
    g_autoptr (JsonNode) response = mc_test_admin (server, "POST", "/api/v1/admin/users", json,
                                                   &status);

    mc_test_assert_error (response, status, 413, "payload_too_large");
  }

  /* Just under the limit is read and judged on its content. */
  {
    g_autofree char     *padding = g_strnfill (900, 'x');
    g_autofree char     *json = g_strdup_printf ("{\"username\":\"maria\",\"password\":\"%s\"}",
                                                 padding);
    g_autoptr (JsonNode) response = mc_test_request (server, "POST", "/api/v1/auth/login", NULL,
                                                     json, &status);

    mc_test_assert_error (response, status, 401, "invalid_credentials");
  }

  /* And the server still works. */
  g_free (mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD));
}

static void
test_payload_too_large_declared (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[server]\nmax-body-size=1024\n");
  guint                    status;

  /* Only a Content-Length that promises too much: the server must answer
   * from the headers, without waiting for a body that never comes. */
  {
    g_autoptr (JsonNode) body = NULL;
    g_autofree char     *headers = NULL;

    status = mc_test_raw_http (server,
                               "POST /api/v1/auth/login HTTP/1.1\r\n"
                               "Host: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 100000000\r\n"
                               "Connection: close\r\n"
                               "\r\n"
                               "{\"username\":",
                               -1, &headers, &body);
    mc_test_assert_error (body, status, 413, "payload_too_large");
  }

  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/healthz", NULL, NULL,
                                                     &status);

    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_client_hangs_up (void)
{
  static const char * const requests[] = {
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 100\r\n\r\n{\"username\":",
    "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 47\r\n\r\n{\"username\":\"maria\",\"password\":\"mentor-pass-1\"}",
    "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 100000000\r\n\r\n{",
  };
  g_autoptr (McTestServer) server = mc_test_server_start_new ("[server]\nmax-body-size=1024\n");
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  /* Clients that disappear in the middle of a request: the server carries
   * on, and exits cleanly at the end (mc_test_server_free() checks). */
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
      mc_test_raw_send_and_close (server, requests[i]);

  g_free (mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD));
  {
    g_autoptr (JsonNode) response = mc_test_request (server, "GET", "/healthz", NULL, NULL,
                                                     &status);

    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_length_required (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     body = NULL;
  g_autofree char         *headers = NULL;
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);

  /* A chunked body has no Content-Length. */
  status = mc_test_raw_http (server,
                             "POST /api/v1/auth/login HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n"
                             "Content-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n"
                             "Connection: close\r\n"
                             "\r\n"
                             "2f\r\n"
                             "{\"username\":\"maria\",\"password\":\"mentor-pass-1\"}\r\n"
                             "0\r\n"
                             "\r\n",
                             -1, &headers, &body);
  mc_test_assert_error (body, status, 411, "length_required");

  g_free (mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD));
}

static void
test_raw_garbage (void)
{
  static const char * const requests[] = {
    /* A well-formed request over a raw socket, as a baseline. */
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    /* Bodies that claim more or less than they have */
    "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 5\r\nConnection: close\r\n\r\n{\"username\":\"maria\"}",
    /* NUL bytes and control characters in the body */
    "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 4\r\nConnection: close\r\n\r\n{\x01\x02}",
  };
  static const guint       expected[] = { 200, 400, 400 };
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr (JsonNode) body = NULL;
      guint                status;

      g_test_message ("request %u", i);
      status = mc_test_raw_http (server, requests[i], -1, NULL, &body);
      g_assert_cmpuint (status, ==, expected[i]);
      if (expected[i] == 400)
        mc_test_assert_error (body, status, 400, "malformed_json");
    }

  /* Deep nesting, a huge number, many members: refused or not, never a crash. */
  {
    g_autoptr (GString)  deep = g_string_new (NULL);
    g_autoptr (JsonNode) response = NULL;
    guint                status;

    for (guint i = 0; i < 5000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 5000; i++)
      g_string_append_c (deep, ']');

    response = mc_test_request (server, "POST", "/api/v1/auth/login", NULL, deep->str, &status);
    mc_test_assert_error (response, status, 400, "malformed_json");
  }
  {
    g_autoptr (JsonNode) response = NULL;
    guint                status;

    response = mc_test_request (server, "POST", "/api/v1/auth/login", NULL,
                                "{\"username\":1e999999,\"password\":123456789012345678901234567890}",
                                &status);
    g_assert_cmpuint (status, ==, 400);
  }

  /* Still alive. */
  {
    g_autoptr (JsonNode) response = NULL;
    guint                status;

    response = mc_test_request (server, "GET", "/healthz", NULL, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
  }
}

static guint
count_descriptors (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint            count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

/* One keep-alive request, answered, on @connection or a new one, which
 * stays open. */
static GSocketConnection *
keep_alive_request (McTestServer      *server,
                    GSocketConnection *connection)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError)        error = NULL;
  g_autoptr (GString)       answer = g_string_new (NULL);
  static const char         request[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const char               *end;

  g_socket_client_set_timeout (client, 20);
  if (connection == NULL)
    connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                  mc_test_server_get_port (server), NULL, &error);
  else
    g_object_ref (connection);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request, strlen (request), NULL, NULL, &error));

  /* The head, then the body's Content-Length bytes. */
  while ((end = strstr (answer->str, "\r\n\r\n")) == NULL ||
         answer->len < (gsize) (end + 4 - answer->str) +
                         g_ascii_strtoull (strstr (answer->str, "Content-Length: ") + 16, NULL,
                                           10))
    {
      char   buffer[1024];
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                      buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (answer, buffer, n);
    }
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 200"));

  return connection;
}

/* libsoup 3.2 never closes a keep-alive connection whose client left
 * between two requests; the server does, within seconds, so that
 * descriptors do not pile up until accept () fails. */
static void
test_keep_alive_closed (void)
{
  g_autoptr (McTestServer)      server = mc_test_server_start_new (NULL);
  GPid                          pid = mc_test_server_get_pid (server);
  g_autoptr (GPtrArray)         connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GSocketConnection) stays = NULL;
  guint                         before, open, count = 0;

  /* One answered request first: whatever the server opens once is open. */
  g_object_unref (keep_alive_request (server, NULL));
  before = count_descriptors (pid);

  stays = keep_alive_request (server, NULL);
  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (connections, keep_alive_request (server, NULL));
  g_assert_cmpuint (count_descriptors (pid), >=, before + 20);

  for (guint i = 0; i < connections->len; i++)
    g_io_stream_close (g_ptr_array_index (connections, i), NULL, NULL);

  /* The check runs every 2 s and closes what it found ended twice. */
  while ((open = count_descriptors (pid)) > before + 1 && count++ < 150)
    g_usleep (100 * 1000);
  g_assert_cmpuint (open, <=, before + 1);

  /* The connection whose client stayed is still served. */
  g_object_unref (keep_alive_request (server, stays));
  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/http/healthz", test_healthz);
  g_test_add_func ("/server/http/metrics", test_metrics);
  g_test_add_func ("/server/http/unknown-route", test_unknown_route);
  g_test_add_func ("/server/http/wrong-method", test_wrong_method);
  g_test_add_func ("/server/http/unsupported-media-type", test_unsupported_media_type);
  g_test_add_func ("/server/http/payload-too-large", test_payload_too_large);
  g_test_add_func ("/server/http/payload-too-large-declared", test_payload_too_large_declared);
  g_test_add_func ("/server/http/client-hangs-up", test_client_hangs_up);
  g_test_add_func ("/server/http/length-required", test_length_required);
  g_test_add_func ("/server/http/raw-garbage", test_raw_garbage);
  g_test_add_func ("/server/http/keep-alive-closed", test_keep_alive_closed);

  return g_test_run ();
}
