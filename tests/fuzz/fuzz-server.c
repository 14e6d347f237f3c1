/* fuzz-server.c — the server's HTTP API from raw requests
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real McsServer (in-memory database, minimum password-hash cost) gets
 * each input as one HTTP request on a connection of its own: the two ends
 * of a socketpair, the server's end handed to its SoupServer with
 * soup_server_accept_iostream() as if it came from 127.0.0.1. Nothing
 * listens on the network. So the input reaches everything a client
 * reaches: libsoup's request parsing, the early handler's body checks,
 * routing from the raw path (404, 405, ids), authentication, the strict
 * JSON parser and each endpoint's McJsonRule table, and the handlers with
 * the store behind them.
 *
 * The input: the first byte picks the credentials (none, a student's
 * session, the admin key, a bogus token); the rest up to the first newline
 * is the request line's "METHOD PATH"; everything after it is the body,
 * sent with its Content-Length as application/json. The harness checks
 * that every answer is a complete HTTP response whose body, when it has
 * one, is strict JSON (or the metrics text).
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "fuzz-common.h"
#include "mc-protocol.h"
#include "mcs-server.h"

#define ADMIN_KEY "fuzzing-admin-key-0123456789"

static McsServer      *server;
static char           *session_token;
static GSocketAddress *local_address;
static GSocketAddress *remote_address;

typedef struct
{
  GByteArray *response;
  gboolean    done;
} Exchange;

/* Whether @response holds a head and as much body as its Content-Length
 * says: waiting for the server to hang up costs a round through a worker
 * thread per run. */
static gboolean
response_complete (GByteArray *response)
{
  const char      *text = (const char *) response->data;
  const char      *end = g_strstr_len (text, response->len, "\r\n\r\n");
  g_autofree char *head = NULL;
  const char      *length;

  if (end == NULL)
    return FALSE;

  head = g_ascii_strdown (text, end - text);
  length = strstr (head, "\r\ncontent-length:");
  if (length == NULL)
    return FALSE;

  return response->len - (gsize) (end + 4 - text) >=
         g_ascii_strtoull (length + strlen ("\r\ncontent-length:"), NULL, 10);
}

static gboolean
readable_cb (GSocket     *socket,
             GIOCondition condition,
             gpointer     user_data)
{
  Exchange *exchange = user_data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      guint8             buffer[4096];
      gssize             n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);

      if (n > 0)
        {
          g_byte_array_append (exchange->response, buffer, n);
          if (response_complete (exchange->response))
            {
              exchange->done = TRUE;
              return G_SOURCE_REMOVE;
            }
          continue;
        }

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;

      /* The end of the answer: every request says Connection: close. */
      exchange->done = TRUE;
      return G_SOURCE_REMOVE;
    }
}

static gboolean
deadline_cb (gpointer user_data)
{
  /* A server that never answers is a bug too. */
  g_printerr ("fuzz-server: no complete answer within 10 s\n");
  abort ();
  return G_SOURCE_REMOVE;
}

/* Sends @request on a fresh connection and returns the whole response,
 * read until the server closes. */
static GByteArray *
exchange (const char *request,
          gsize       length)
{
  g_autoptr (GSocket)           ours = NULL;
  g_autoptr (GSocket)           theirs = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GSource)           readable = NULL;
  g_autoptr (GSource)           deadline = NULL;
  Exchange                      state = { g_byte_array_new (), FALSE };
  int                           fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    abort ();

  ours = g_socket_new_from_fd (fds[0], NULL);
  theirs = g_socket_new_from_fd (fds[1], NULL);
  if (ours == NULL || theirs == NULL)
    abort ();

  /* The whole request fits in the socket's buffer (inputs are at most
   * 64 KiB), so it is written before the server reads any of it. */
  if (!g_socket_condition_timed_wait (ours, G_IO_OUT, G_USEC_PER_SEC, NULL, NULL))
    abort ();
  for (gsize sent = 0; sent < length;)
    {
      gssize n = g_socket_send (ours, request + sent, length - sent, NULL, NULL);

      if (n <= 0)
        abort ();
      sent += n;
    }
  g_socket_set_blocking (ours, FALSE);

  connection = g_socket_connection_factory_create_connection (theirs);
  if (!soup_server_accept_iostream (mcs_server_get_soup_server (server), G_IO_STREAM (connection),
                                    local_address, remote_address, NULL))
    abort ();

  readable = g_socket_create_source (ours, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (readable, (GSourceFunc) (void (*) (void)) readable_cb, &state, NULL);
  g_source_attach (readable, NULL);
  deadline = g_timeout_source_new_seconds (10);
  g_source_set_callback (deadline, deadline_cb, NULL, NULL);
  g_source_attach (deadline, NULL);

  while (!state.done)
    g_main_context_iteration (NULL, TRUE);

  g_source_destroy (readable);
  g_source_destroy (deadline);
  g_socket_close (ours, NULL);

  /* Let the server see the end of its connection before the next one. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return state.response;
}

static char *
build_request (const char *method_and_path,
               const char *bearer,
               const char *body,
               gsize       body_length,
               gsize      *length)
{
  GString *request = g_string_new (method_and_path);

  g_string_append (request, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
  if (bearer != NULL)
    g_string_append_printf (request, "Authorization: Bearer %s\r\n", bearer);
  if (body != NULL)
    {
      g_string_append_printf (request, "Content-Type: application/json\r\n"
                                       "Content-Length: %" G_GSIZE_FORMAT "\r\n",
                              body_length);
    }
  g_string_append (request, "\r\n");
  if (body != NULL)
    g_string_append_len (request, body, body_length);

  *length = request->len;
  return g_string_free (request, FALSE);
}

/* The status and body of a response; aborts unless it is one. */
static guint
parse_response (GByteArray  *response,
                const char **body,
                gsize       *body_length)
{
  const char *text = (const char *) response->data;
  const char *end = g_strstr_len (text, response->len, "\r\n\r\n");
  guint       status;

  if (response->len < 12 || end == NULL ||
      (strncmp (text, "HTTP/1.1 ", 9) != 0 && strncmp (text, "HTTP/1.0 ", 9) != 0))
    {
      g_printerr ("fuzz-server: not an HTTP response: %.*s\n", (int) response->len, text);
      abort ();
    }

  status = (guint) g_ascii_strtoull (text + 9, NULL, 10);
  *body = end + 4;
  *body_length = response->len - (*body - text);

  return status;
}

static JsonObject *
setup_request (const char *method_and_path,
               const char *bearer,
               const char *body)
{
  gsize                  length;
  g_autofree char       *request = build_request (method_and_path, bearer, body,
                                            body != NULL ? strlen (body) : 0, &length);
  g_autoptr (GByteArray) response = exchange (request, length);
  const char            *answer;
  gsize                  answer_length;
  guint                  status = parse_response (response, &answer, &answer_length);

  if (status >= 300)
    {
      g_printerr ("fuzz-server: set-up request %s failed: %u %.*s\n", method_and_path, status,
                  (int) answer_length, answer);
      abort ();
    }

  return answer_length > 0 ? mc_json_parse_object (answer, answer_length, NULL) : NULL;
}

/* libFuzzer exits from its loop without a word to the harness; let the
 * server finish with the connections still open then, so that what they
 * hold is freed before LeakSanitizer looks. */
static void
drain_at_exit (void)
{
  for (guint i = 0; i < 100 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr (GError)       error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autofree char         *dir = g_dir_make_tmp ("mentorcall-fuzz-XXXXXX", &error);
  g_autoptr (JsonObject)   login = NULL;
  g_autoptr (GDateTime)    now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime)    start = g_date_time_add_minutes (now, -5);
  g_autoptr (GDateTime)    end = g_date_time_add_minutes (now, 55);
  g_autofree char         *start_text = g_date_time_format_iso8601 (start);
  g_autofree char         *end_text = g_date_time_format_iso8601 (end);
  g_autofree char         *booking = NULL;
  McsConfig               *config;

  fuzz_init_logging ();
  atexit (drain_at_exit);

  if (dir == NULL)
    abort ();

  config = mcs_config_new ();
  config->database = g_strdup (":memory:");
  config->secret_file = g_build_filename (dir, "server-secret", NULL);
  config->admin_api_key = g_strdup (ADMIN_KEY);
  config->password_hash_strength = MCS_HASH_STRENGTH_MINIMUM;
  config->login_attempts_per_address = G_MAXUINT;
  config->login_failures_per_account = G_MAXUINT;

  server = mcs_server_new (config, &error);
  if (server == NULL)
    {
      g_printerr ("fuzz-server: %s\n", error->message);
      abort ();
    }

  local_address = g_inet_socket_address_new (loopback, 8080);
  remote_address = g_inet_socket_address_new (loopback, 40000);

  /* A mentor, a student with a session, and a lesson between them that can
   * be joined now, so that the booking endpoints have something to find. */
  g_clear_pointer (&login, json_object_unref);
  login = setup_request ("POST /api/v1/admin/users", ADMIN_KEY,
                         "{\"username\":\"maria\",\"display_name\":\"Maria\",\"role\":\"mentor\","
                         "\"password\":\"mentor-pass-1\"}");
  g_clear_pointer (&login, json_object_unref);
  login = setup_request ("POST /api/v1/admin/users", ADMIN_KEY,
                         "{\"username\":\"sam\",\"display_name\":\"Sam\",\"role\":\"student\","
                         "\"password\":\"student-pass-1\"}");
  g_clear_pointer (&login, json_object_unref);
  booking = g_strdup_printf ("{\"mentor\":\"maria\",\"student\":\"sam\",\"start\":\"%s\","
                             "\"end\":\"%s\",\"status\":\"confirmed\"}",
                             start_text, end_text);
  login = setup_request ("POST /api/v1/admin/bookings", ADMIN_KEY, booking);
  g_clear_pointer (&login, json_object_unref);
  login = setup_request ("POST /api/v1/auth/login", NULL,
                         "{\"username\":\"sam\",\"password\":\"student-pass-1\"}");
  if (login == NULL || !json_object_has_member (login, "token"))
    abort ();
  session_token = g_strdup (json_object_get_string_member (login, "token"));

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char * const bearers[] = { NULL, NULL, ADMIN_KEY, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
  g_autofree char          *request_line = NULL;
  g_autofree char          *request = NULL;
  g_autoptr (GByteArray)    response = NULL;
  const char               *bearer;
  const char               *newline;
  const char               *body = NULL;
  gsize                     body_length = 0;
  const char               *answer;
  gsize                     answer_length;
  gsize                     length;
  guint                     status;

  if (size < 2)
    return 0;

  bearer = data[0] % 4 == 1 ? session_token : bearers[data[0] % 4];
  data++;
  size--;

  newline = memchr (data, '\n', size);
  if (newline != NULL)
    {
      request_line = g_strndup ((const char *) data, newline - (const char *) data);
      body = newline + 1;
      body_length = size - (body - (const char *) data);
    }
  else
    request_line = g_strndup ((const char *) data, size);

  /* A NUL ends the request line where the server would see it end. */
  if (strlen (request_line) == 0)
    return 0;

  request = build_request (request_line, bearer, body, body_length, &length);
  response = exchange (request, length);

  /* libsoup hangs up on some request lines it cannot parse (control
   * characters in the path), without an answer. */
  if (response->len == 0)
    return 0;

  status = parse_response (response, &answer, &answer_length);

  /* libsoup answers some garbage itself, without a body of ours. */
  if (status >= 200 && answer_length > 0 && g_str_has_prefix (request_line, "GET /metrics") == FALSE)
    {
      const char *type = g_strstr_len ((const char *) response->data, answer - (const char *) response->data,
                                       "application/json");

      if (type != NULL && !mc_json_check_text (answer, answer_length, MC_JSON_MAX_DEPTH, NULL, NULL))
        {
          g_printerr ("fuzz-server: the answer is not strict JSON: %.*s\n", (int) answer_length,
                      answer);
          abort ();
        }
    }

  return 0;
}
