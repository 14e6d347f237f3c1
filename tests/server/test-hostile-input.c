/* test-hostile-input.c — what an attacker sends, against the real server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case sends the real server on 127.0.0.1 something a well-behaved
 * client never would, checks the documented answer, and then checks that
 * the server is still healthy. The WebSocket cases speak RFC 6455 by hand
 * over a plain GSocketConnection, because libsoup's client will not send
 * a message in fragments, a flood of pings or text that is not UTF-8.
 * Everything here is issue 11: lenient JSON that hid brackets from the
 * depth check, fragmented messages without a limit, ping floods, and text
 * that is not text (lone surrogates, NUL) in any string.
 */

#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <sqlite3.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

#define SOCKET_TIMEOUT_SECONDS 20
#define CLOSE_ABNORMAL         1006

/* Helpers */

static void
assert_healthy (McTestServer *server)
{
  g_autoptr (JsonNode) response = NULL;
  guint                status = 0;

  response = mc_test_request (server, "GET", "/healthz", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "status"), ==, "ok");
}

/* A body sent as it is, with a Content-Length and the JSON content type. */
static JsonObject *
post_raw (McTestServer *server,
          const char   *method,
          const char   *path,
          const char   *bearer,
          const char   *data,
          gsize         length,
          guint        *status)
{
  g_autofree char     *authorization = bearer != NULL ? g_strdup_printf ("Authorization: Bearer %s",
                                                                         bearer)
                                                      : NULL;
  const char          *headers[] = { authorization, NULL };
  g_autoptr (GBytes)   body = g_bytes_new (data, length);
  g_autoptr (JsonNode) response = NULL;

  response = mc_test_request_full (server, method, path, headers, "application/json", body,
                                   status, NULL, NULL);
  g_assert_nonnull (response);

  return json_object_ref (mc_test_object (response));
}

static void
assert_error (JsonObject *response,
              guint       status,
              guint       expected_status,
              const char *code,
              const char *field)
{
  g_assert_cmpuint (status, ==, expected_status);
  g_assert_cmpstr (mc_test_get_string (response, "error.code"), ==, code);
  if (field != NULL)
    g_assert_cmpstr (mc_test_get_string (response, "error.field"), ==, field);
}

/* The server's resident memory in KiB, from /proc. */
static guint64
server_rss_kib (McTestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) mc_test_server_get_pid (server));
  g_autofree char *status = NULL;
  const char      *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);

  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* A raw WebSocket client */

typedef struct
{
  GSocketClient     *client;
  GSocketConnection *connection;
  GInputStream      *in;
  GOutputStream     *out;
} RawSocket;

static void
raw_socket_free (RawSocket *socket)
{
  if (socket->connection != NULL)
    g_io_stream_close (G_IO_STREAM (socket->connection), NULL, NULL);
  g_clear_object (&socket->connection);
  g_clear_object (&socket->client);
  g_free (socket);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawSocket, raw_socket_free)

static gboolean
read_exactly (RawSocket *socket,
              guint8    *buffer,
              gsize      length)
{
  gsize done = 0;

  return g_input_stream_read_all (socket->in, buffer, length, &done, NULL, NULL) &&
         done == length;
}

/* Writes a masked frame, as a client must. Returns FALSE once the server
 * has dropped the connection. */
static gboolean
send_frame (RawSocket    *socket,
            gboolean      fin,
            guint8        opcode,
            const guint8 *payload,
            gsize         length)
{
  g_autoptr (GByteArray) frame = g_byte_array_sized_new (length + 14);
  guint8                 header[14];
  gsize                  header_length = 2;
  guint32                random = g_random_int ();
  guint8                 mask[4];

  memcpy (mask, &random, 4);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126)
    header[1] = 0x80 | length;
  else if (length < 65536)
    {
      header[1] = 0x80 | 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      header_length = 4;
    }
  else
    {
      header[1] = 0x80 | 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = ((guint64) length >> (56 - 8 * i)) & 0xff;
      header_length = 10;
    }
  memcpy (header + header_length, mask, 4);
  header_length += 4;

  g_byte_array_append (frame, header, header_length);
  g_byte_array_append (frame, payload, length);
  for (gsize i = 0; i < length; i++)
    frame->data[header_length + i] ^= mask[i & 3];

  return g_output_stream_write_all (socket->out, frame->data, frame->len, NULL, NULL, NULL);
}

static gboolean
send_text (RawSocket  *socket,
           const char *text)
{
  return send_frame (socket, TRUE, 0x1, (const guint8 *) text, strlen (text));
}

/* Reads one frame from the server (never masked). Returns FALSE at the
 * end of the connection. */
static gboolean
read_frame (RawSocket   *socket,
            guint8      *opcode,
            GByteArray **payload)
{
  guint8  header[2];
  guint64 length;

  if (!read_exactly (socket, header, 2))
    return FALSE;

  *opcode = header[0] & 0x0f;
  length = header[1] & 0x7f;
  if (length == 126 || length == 127)
    {
      guint8 extended[8];
      guint  size = length == 126 ? 2 : 8;

      if (!read_exactly (socket, extended, size))
        return FALSE;
      length = 0;
      for (guint i = 0; i < size; i++)
        length = (length << 8) | extended[i];
    }

  g_assert_cmpuint (length, <=, 1024 * 1024);
  *payload = g_byte_array_sized_new (length + 1);
  g_byte_array_set_size (*payload, length);
  if (!read_exactly (socket, (*payload)->data, length))
    {
      g_clear_pointer (payload, g_byte_array_unref);
      return FALSE;
    }

  return TRUE;
}

/* Reads frames until a text message of @type; returns it. */
static JsonObject *
wait_message (RawSocket  *socket,
              const char *type)
{
  for (;;)
    {
      g_autoptr (GByteArray) payload = NULL;
      g_autoptr (JsonObject) object = NULL;
      guint8                 opcode;

      g_assert_true (read_frame (socket, &opcode, &payload));
      g_assert_cmpuint (opcode, !=, 0x8);
      if (opcode != 0x1)
        continue;

      /* The server only ever sends valid UTF-8 and strict JSON. */
      object = mc_json_parse_object ((const char *) payload->data, payload->len, NULL);
      g_assert_nonnull (object);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), type) == 0)
        return g_steal_pointer (&object);
    }
}

/* Reads until the server's close frame and returns its code, or 1006 when
 * the connection ends without one. Counts the pongs seen on the way. */
static guint
wait_close (RawSocket *socket,
            guint     *pongs)
{
  for (;;)
    {
      g_autoptr (GByteArray) payload = NULL;
      guint8                 opcode;

      if (!read_frame (socket, &opcode, &payload))
        return CLOSE_ABNORMAL;

      if (opcode == 0xa && pongs != NULL)
        (*pongs)++;

      if (opcode == 0x8)
        {
          guint               code = payload->len >= 2 ? (payload->data[0] << 8) | payload->data[1] : 1005;
          static const guint8 reply[] = { 0x03, 0xe8 };

          /* Answer the close, as RFC 6455 asks; the server may be gone. */
          send_frame (socket, TRUE, 0x8, reply, sizeof reply);
          return code;
        }
    }
}

static RawSocket *
raw_socket_open_full (McTestServer *server,
                      const char   *token,
                      const char   *extra_headers,
                      char        **head)
{
  g_autoptr (RawSocket)  socket = g_new0 (RawSocket, 1);
  g_autoptr (GError)     error = NULL;
  g_autoptr (GString)    answer = g_string_new (NULL);
  g_autofree char       *request = NULL;
  g_autoptr (JsonObject) welcome = NULL;

  socket->client = g_socket_client_new ();
  g_socket_client_set_timeout (socket->client, SOCKET_TIMEOUT_SECONDS);
  socket->connection = g_socket_client_connect_to_host (socket->client, "127.0.0.1",
                                                        mc_test_server_get_port (server),
                                                        NULL, &error);
  g_assert_no_error (error);
  socket->in = g_io_stream_get_input_stream (G_IO_STREAM (socket->connection));
  socket->out = g_io_stream_get_output_stream (G_IO_STREAM (socket->connection));

  request = g_strdup_printf ("GET /api/v1/ws HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "%s"
                             "Authorization: Bearer %s\r\n"
                             "\r\n",
                             extra_headers, token);
  g_assert_true (g_output_stream_write_all (socket->out, request, strlen (request), NULL, NULL,
                                            &error));
  g_assert_no_error (error);

  /* The answer's head, byte by byte: the frames follow right after it. */
  while (!g_str_has_suffix (answer->str, "\r\n\r\n"))
    {
      guint8 c;

      g_assert_true (read_exactly (socket, &c, 1));
      g_string_append_c (answer, c);
    }
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 101"));

  welcome = wait_message (socket, "welcome");

  if (head != NULL)
    *head = g_strdup (answer->str);

  return g_steal_pointer (&socket);
}

static RawSocket *
raw_socket_open (McTestServer *server,
                 const char   *token)
{
  return raw_socket_open_full (server, token, "", NULL);
}

static McTestServer *
start_server (const char *overrides,
              char      **token)
{
  McTestServer *server = mc_test_server_start_new (overrides);

  mc_test_create_pair (server, NULL, NULL);
  if (token != NULL)
    *token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  return server;
}

/* Brackets that a scan for brackets outside double quotes cannot see end,
 * followed by @depth brackets: json-glib 1.6 would have parsed them (it
 * takes comments and single quotes) and recursed once per level. */
static char *
hidden_brackets (const char *prefix,
                 const char *opener,
                 guint       depth,
                 gsize      *length)
{
  GString *text = g_string_new (prefix);

  g_string_append (text, opener);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');

  *length = text->len;
  return g_string_free (text, FALSE);
}

/* JSON */

static void
test_json_deep_nesting_rest (void)
{
  /* A max-body-size above the default is where the unauthenticated login
   * became a kill switch. */
  g_autoptr (McTestServer)  server = start_server ("[server]\nmax-body-size=1048576\n", NULL);
  static const char * const openers[] = {
    "/*\"*/",      /* a quote inside a comment */
    "'\"',\"x\":", /* a quote inside single quotes */
    "// \"\n",     /* a quote inside a line comment */
    "",            /* no trick at all */
  };

  for (guint i = 0; i < G_N_ELEMENTS (openers); i++)
    {
      g_autoptr (JsonObject) response = NULL;
      g_autofree char       *body = NULL;
      gsize                  length;
      guint                  status;

      g_test_message ("opener %u", i);
      body = hidden_brackets ("{\"username\":", openers[i], 200000, &length);
      response = post_raw (server, "POST", "/api/v1/auth/login", NULL, body, length, &status);
      assert_error (response, status, 400, "malformed_json", NULL);
      assert_healthy (server);
    }

  mc_test_server_stop (server);
}

/* Every body the REST API reads goes through the same strict parser. */
static void
test_json_lenient_syntax_rest (void)
{
  g_autofree char          *token = NULL;
  g_autoptr (McTestServer)  server = start_server (NULL, &token);
  gint64                    booking = 0;
  g_autofree char          *messages = NULL;
  g_autofree char          *call_token = NULL;
  g_autofree char          *admin_booking = NULL;
  g_autofree char          *admin_user = NULL;
  static const char * const bodies[] = {
    "{\"username\":\"sam\" /* c */,\"password\":\"x\"}",
    "{\"username\":\"sam\",\"password\":\"x\"} // c",
    "{'username':'sam','password':'x'}",
    "{\"username\":\"sam\",\"n\":0x10}",
    "{\"username\":\"\\x73am\"}",
    "{\"a\":1}{\"b\":2}",
    "{\"a\":1} x",
    "{\"a\":1,}",
    "{\"a\":[1,]}",
    "{\"a\":01}",
    "{\"a\":NaN}",
    "{\"a\":\"line\nbreak\"}",
    "\xef\xbb\xbf{\"a\":1}",
  };
  struct
  {
    const char *method;
    const char *path;
    const char *bearer;
  } endpoints[] = {
    { "POST", "/api/v1/auth/login", NULL },
    { "POST", NULL, NULL }, /* the booking's messages */
    { "POST", NULL, NULL }, /* the booking's call token */
    { "POST", "/api/v1/call-tokens/verify", NULL },
    { "POST", "/api/v1/admin/users", MC_TEST_ADMIN_KEY },
    { "PATCH", NULL, MC_TEST_ADMIN_KEY }, /* a user */
    { "POST", "/api/v1/admin/bookings", MC_TEST_ADMIN_KEY },
    { "PATCH", NULL, MC_TEST_ADMIN_KEY }, /* a booking */
  };

  booking = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                    "confirmed");
  messages = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages", booking);
  call_token = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", booking);
  admin_booking = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT, booking);
  admin_user = g_strdup ("/api/v1/admin/users/1");
  endpoints[1].path = messages;
  endpoints[1].bearer = token;
  endpoints[2].path = call_token;
  endpoints[2].bearer = token;
  endpoints[3].bearer = token;
  endpoints[5].path = admin_user;
  endpoints[7].path = admin_booking;

  for (guint e = 0; e < G_N_ELEMENTS (endpoints); e++)
    for (guint b = 0; b < G_N_ELEMENTS (bodies); b++)
      {
        g_autoptr (JsonObject) response = NULL;
        guint                  status;

        g_test_message ("%s %s: body %u", endpoints[e].method, endpoints[e].path, b);
        response = post_raw (server, endpoints[e].method, endpoints[e].path, endpoints[e].bearer,
                             bodies[b], strlen (bodies[b]), &status);
        assert_error (response, status, 400, "malformed_json", NULL);
      }

  assert_healthy (server);
  mc_test_server_stop (server);
}

static void
test_json_deep_nesting_ws (void)
{
  g_autofree char          *token = NULL;
  g_autoptr (McTestServer)  server = start_server (NULL, &token);
  g_autoptr (RawSocket)     socket = raw_socket_open (server, token);
  static const char * const openers[] = { "/*\"*/", "'\"',\"x\":", "" };

  for (guint i = 0; i < G_N_ELEMENTS (openers); i++)
    {
      g_autoptr (JsonObject) error = NULL;
      g_autofree char       *text = NULL;
      gsize                  length;

      /* Under the 256 KiB message limit, so it reaches the parser. */
      text = hidden_brackets ("{\"type\":\"ping\",\"x\":", openers[i], 200000, &length);
      g_assert_true (send_frame (socket, TRUE, 0x1, (const guint8 *) text, length));
      error = wait_message (socket, "error");
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "malformed_json");
    }

  /* The connection is still usable, and the server healthy. */
  {
    g_autoptr (JsonObject) pong = NULL;

    g_assert_true (send_text (socket, "{\"type\":\"ping\",\"request_id\":\"p1\"}"));
    pong = wait_message (socket, "pong");
    g_assert_cmpstr (json_object_get_string_member (pong, "request_id"), ==, "p1");
  }
  assert_healthy (server);

  mc_test_server_stop (server);
}

/* WebSocket frames */

/* No extension is negotiated: with permessage-deflate the size of a frame
 * on the wire says nothing about the size of the message in it. */
static void
test_ws_no_deflate (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autofree char         *head = NULL;
  g_autoptr (RawSocket)    socket = raw_socket_open_full (server, token,
                                                          "Sec-WebSocket-Extensions: "
                                                             "permessage-deflate\r\n",
                                                          &head);

  g_assert_null (strstr (head, "permessage-deflate"));

  mc_test_server_stop (server);
}

/* A message in several frames under the limit is delivered whole. */
static void
test_ws_fragments_within_limit (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  g_autoptr (JsonObject)   pong = NULL;
  g_autofree char         *padding = g_strnfill (100 * 1024, 'x');
  g_autofree char         *first = g_strdup_printf ("{\"type\":\"ping\",\"pad\":\"%s", padding);
  static const guint8      ping[] = "hello";

  g_assert_true (send_frame (socket, FALSE, 0x1, (const guint8 *) first, strlen (first)));
  /* A control frame may come between the fragments. */
  g_assert_true (send_frame (socket, TRUE, 0x9, ping, 5));
  g_assert_true (send_frame (socket, FALSE, 0x0, (const guint8 *) padding, strlen (padding)));
  g_assert_true (send_frame (socket, TRUE, 0x0, (const guint8 *) "\",\"request_id\":\"f\"}", 19));

  pong = wait_message (socket, "pong");
  g_assert_cmpstr (json_object_get_string_member (pong, "request_id"), ==, "f");

  mc_test_server_stop (server);
}

/* A message over the limit in many small frames is closed with 1009, not
 * buffered: before, 64 MiB of continuation frames were all kept. */
static void
test_ws_fragments_over_limit (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  g_autoptr (RawSocket)    again = NULL;
  g_autofree char         *chunk = g_strnfill (16 * 1024, 'x');
  guint64                  rss_before = server_rss_kib (server);
  guint64                  rss_after;
  gsize                    sent = 0;
  guint                    code;

  /* 256 KiB is the limit; stop at 32 MiB or when the server hangs up. */
  if (send_frame (socket, FALSE, 0x1, (const guint8 *) "{\"type\":\"ping\",\"pad\":\"", 22))
    while (sent < 32 * 1024 * 1024 &&
           send_frame (socket, FALSE, 0x0, (const guint8 *) chunk, strlen (chunk)))
      sent += strlen (chunk);

  code = wait_close (socket, NULL);
  g_assert_cmpuint (code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  assert_healthy (server);

  /* The server kept about the limit of it at most, not what was sent. */
  rss_after = server_rss_kib (server);
  g_test_message ("sent %" G_GSIZE_FORMAT " bytes; the server's RSS went from %" G_GUINT64_FORMAT
                  " to %" G_GUINT64_FORMAT " KiB",
                  sent, rss_before, rss_after);
  g_assert_cmpuint (rss_after, <, rss_before + 8 * 1024);

  /* The user can connect again at once. */
  again = raw_socket_open (server, token);

  mc_test_server_stop (server);
}

/* One frame over the limit is closed with 1009 too, cleanly now. */
static void
test_ws_frame_over_limit (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server ("[signaling]\nmax-message-size=2048\n", &token);
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  g_autofree char         *padding = g_strnfill (4096, 'x');
  g_autofree char         *text = g_strdup_printf ("{\"type\":\"ping\",\"pad\":\"%s\"}", padding);

  send_text (socket, text);
  g_assert_cmpuint (wait_close (socket, NULL), ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  assert_healthy (server);

  mc_test_server_stop (server);
}

/* 20 000 pings were all answered; now the client is stopped with 1008
 * after the message burst. */
static void
test_ws_ping_flood (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  static const guint8      payload[] = "flood";
  guint                    pongs = 0;
  guint                    code;

  for (guint i = 0; i < 20000; i++)
    if (!send_frame (socket, TRUE, 0x9, payload, 5))
      break;

  code = wait_close (socket, &pongs);
  g_assert_cmpuint (code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (pongs, <=, 200);
  assert_healthy (server);

  mc_test_server_stop (server);
}

/* Clients that send a whole request and reset their connection at once
 * (SO_LINGER 0): the server answers to nobody, and logs no warning (libsoup
 * warned when asked for a vanished peer's address; test servers abort on
 * warnings), and goes on serving. */
static void
test_http_reset_after_request (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  static const char        request[] = "POST /api/v1/auth/login HTTP/1.1\r\n"
                                       "Host: 127.0.0.1\r\n"
                                       "Content-Type: application/json\r\n"
                                       "Content-Length: 2\r\n"
                                       "\r\n"
                                       "{}";

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (GError)         error = NULL;
      g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback,
                                                                      mc_test_server_get_port (server));
      g_autoptr (GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                        G_SOCKET_PROTOCOL_TCP, &error);
      struct linger              reset = { 1, 0 };

      g_assert_no_error (error);
      g_assert_true (g_socket_connect (socket, address, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_socket_send (socket, request, sizeof request - 1, NULL, &error), ==,
                       sizeof request - 1);
      g_assert_no_error (error);
      g_assert_cmpint (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &reset,
                                   sizeof reset),
                       ==, 0);
      g_socket_close (socket, NULL);
    }

  assert_healthy (server);
  mc_test_server_stop (server);
}

/* A client that sends its first message right behind the handshake, in
 * the same packet: libsoup reads it with the request's head, and the
 * server must still see it (its read source watches only the socket). */
static void
test_ws_message_with_handshake (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  g_autoptr (RawSocket)    socket = g_new0 (RawSocket, 1);
  g_autoptr (GError)       error = NULL;
  g_autoptr (GString)      answer = g_string_new (NULL);
  g_autoptr (JsonObject)   pong = NULL;
  g_autofree char         *request = NULL;
  g_autoptr (GByteArray)   both = g_byte_array_new ();
  static const char        ping[] = "{\"type\":\"ping\",\"request_id\":\"early\"}";
  guint8                   frame[6 + sizeof ping];
  const guint8             mask[4] = { 1, 2, 3, 4 };

  socket->client = g_socket_client_new ();
  g_socket_client_set_timeout (socket->client, SOCKET_TIMEOUT_SECONDS);
  socket->connection = g_socket_client_connect_to_host (socket->client, "127.0.0.1",
                                                        mc_test_server_get_port (server),
                                                        NULL, &error);
  g_assert_no_error (error);
  socket->in = g_io_stream_get_input_stream (G_IO_STREAM (socket->connection));
  socket->out = g_io_stream_get_output_stream (G_IO_STREAM (socket->connection));

  request = g_strdup_printf ("GET /api/v1/ws HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Authorization: Bearer %s\r\n"
                             "\r\n",
                             token);
  frame[0] = 0x81;
  frame[1] = 0x80 | (sizeof ping - 1);
  memcpy (frame + 2, mask, 4);
  for (gsize i = 0; i < sizeof ping - 1; i++)
    frame[6 + i] = ping[i] ^ mask[i & 3];
  g_byte_array_append (both, (const guint8 *) request, strlen (request));
  g_byte_array_append (both, frame, 6 + sizeof ping - 1);
  g_assert_true (g_output_stream_write_all (socket->out, both->data, both->len, NULL, NULL,
                                            &error));

  while (!g_str_has_suffix (answer->str, "\r\n\r\n"))
    {
      guint8 c;

      g_assert_true (read_exactly (socket, &c, 1));
      g_string_append_c (answer, c);
    }
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 101"));

  pong = wait_message (socket, "pong");
  g_assert_cmpstr (mc_test_get_string (pong, "request_id"), ==, "early");

  mc_test_server_stop (server);
}

/* Keepalive: the server pings every heartbeat-interval seconds from its
 * one walk over all connections a second (no libsoup timer per
 * connection), and drops a client silent for dead-after seconds. */

#define KEEPALIVE_OVERRIDES "[signaling]\nheartbeat-interval=1\ndead-after=3\n"

/* A client that never answers: pinged, then dropped with 1001 after
 * dead-after seconds, not before. */
static void
test_ws_silent_client (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (KEEPALIVE_OVERRIDES, &token);
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  gint64                   start = g_get_monotonic_time ();
  guint                    pings = 0;
  guint                    code = 0;
  double                   seconds;

  for (;;)
    {
      g_autoptr (GByteArray) payload = NULL;
      guint8                 opcode;

      if (!read_frame (socket, &opcode, &payload))
        {
          code = CLOSE_ABNORMAL;
          break;
        }
      if (opcode == 0x9)
        pings++;
      if (opcode == 0x8)
        {
          code = payload->len >= 2 ? (payload->data[0] << 8) | payload->data[1] : 1005;
          break;
        }
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  g_assert_cmpuint (code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (pings, >=, 1);
  /* Dropped at the first walk after 3 s of silence (the socket opened a
   * moment before @start); generous above, for a loaded machine. */
  g_assert_cmpfloat (seconds, >=, 2.5);
  g_assert_cmpfloat (seconds, <, 15);
  assert_healthy (server);

  mc_test_server_stop (server);
}

/* A client that answers the pings (and nothing else) stays, well past
 * dead-after, and is pinged again and again. */
static void
test_ws_answering_client (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (KEEPALIVE_OVERRIDES, &token);
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  g_autoptr (JsonObject)   pong = NULL;
  gint64                   end = g_get_monotonic_time () + 6 * G_USEC_PER_SEC;
  guint                    pings = 0;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr (GByteArray) payload = NULL;
      guint8                 opcode;

      g_assert_true (read_frame (socket, &opcode, &payload));
      g_assert_cmpuint (opcode, !=, 0x8);
      if (opcode == 0x9)
        {
          pings++;
          g_assert_true (send_frame (socket, TRUE, 0xa, payload->data, payload->len));
        }
    }

  g_assert_cmpuint (pings, >=, 3);
  g_assert_true (send_text (socket, "{\"type\":\"ping\",\"request_id\":\"k\"}"));
  pong = wait_message (socket, "pong");
  g_assert_cmpstr (mc_test_get_string (pong, "request_id"), ==, "k");

  mc_test_server_stop (server);
}

/* Text that is not text */

static void
test_text_rest (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  gint64                   booking = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                                             "confirmed");
  g_autofree char         *messages = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages",
                                                       booking);
  static const struct
  {
    const char *body;
    const char *field;
  } chats[] = {
    { "{\"client_id\":\"c1\",\"text\":\"x\\ud800y\"}", "text" },
    { "{\"client_id\":\"c1\",\"text\":\"x\\udc00y\"}", "text" },
    { "{\"client_id\":\"c1\",\"text\":\"x\\u0000y\"}", "text" },
    { "{\"client_id\":\"c1\",\"text\":\"x\xff y\"}", "text" },
    { "{\"client_id\":\"c\\u0000\",\"text\":\"hello\"}", "client_id" },
    { "{\"client_id\":\"c1\",\"text\":\"hello\",\"extra\":[\"\\ud800\"]}", "extra" },
  };
  static const struct
  {
    const char *body;
    const char *field;
  } users[] = {
    { "{\"username\":\"eve\",\"display_name\":\"E\\ud800\",\"role\":\"student\","
      "\"password\":\"password-1\"}",
      "display_name" },
    { "{\"username\":\"eve\\u0000x\",\"display_name\":\"Eve\",\"role\":\"student\","
      "\"password\":\"password-1\"}",
      "username" },
    { "{\"username\":\"eve\",\"display_name\":\"Eve\",\"role\":\"student\","
      "\"password\":\"password-1\\u0000\"}",
      "password" },
  };
  g_autoptr (JsonObject) login = NULL;
  g_autoptr (JsonNode)   history = NULL;
  guint                  status;

  for (guint i = 0; i < G_N_ELEMENTS (chats); i++)
    {
      g_autoptr (JsonObject) response = NULL;

      g_test_message ("chat %u", i);
      response = post_raw (server, "POST", messages, token, chats[i].body, strlen (chats[i].body),
                           &status);
      assert_error (response, status, 400, "invalid_field", chats[i].field);
    }

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autoptr (JsonObject) response = NULL;

      g_test_message ("user %u", i);
      response = post_raw (server, "POST", "/api/v1/admin/users", MC_TEST_ADMIN_KEY,
                           users[i].body, strlen (users[i].body), &status);
      assert_error (response, status, 400, "invalid_field", users[i].field);
    }

  /* A NUL no longer cuts a username short: "sam\u0000junk" is not sam. */
  {
    static const char body[] = "{\"username\":\"sam\\u0000junk\",\"password\":\"student-pass-1\"}";

    login = post_raw (server, "POST", "/api/v1/auth/login", NULL, body, strlen (body), &status);
    assert_error (login, status, 400, "invalid_field", "username");
  }

  /* Nothing was stored. */
  history = mc_test_request (server, "GET", messages, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (mc_test_object (history),
                                                                         "messages")),
                    ==, 0);

  assert_healthy (server);
  mc_test_server_stop (server);
}

static char *
get_call_token (McTestServer *server,
                const char   *session,
                gint64        booking)
{
  g_autofree char     *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                               booking);
  g_autoptr (JsonNode) response = NULL;
  guint                status;

  response = mc_test_request (server, "POST", path, session, "{}", &status);
  g_assert_cmpuint (status, ==, 200);

  return g_strdup (mc_test_get_string (mc_test_object (response), "token"));
}

static JsonObject *
join (RawSocket    *socket,
      McTestServer *server,
      const char   *session,
      gint64        booking)
{
  g_autofree char *call_token = get_call_token (server, session, booking);
  g_autofree char *text = g_strdup_printf ("{\"type\":\"join\",\"booking_id\":%" G_GINT64_FORMAT
                                           ",\"call_token\":\"%s\",\"request_id\":\"j\"}",
                                           booking, call_token);

  g_assert_true (send_text (socket, text));
  return wait_message (socket, "joined");
}

/* Offers, answers and candidates reach the peer as they were sent, with
 * "from" set by the server: a "from" of the sender's own never survives,
 * and our request_id never goes along. Most are relayed as text with
 * "from" put in front, the others rebuilt; both must be strict JSON. */
static void
test_ws_relay_from (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  gint64                   mentor_id, student_id, booking;
  g_autofree char         *mentor_token = NULL;
  g_autofree char         *student_token = NULL;
  g_autoptr (RawSocket)    mentor = NULL;
  g_autoptr (RawSocket)    student = NULL;
  g_autoptr (JsonObject)   mentor_joined = NULL;
  g_autoptr (JsonObject)   student_joined = NULL;
  static const struct
  {
    const char *text; /* BOOKING stands for the booking id */
    const char *type;
  } cases[] = {
    { "{\"type\":\"ice-candidate\",\"booking_id\":BOOKING,\"candidate\":\"c1\",\"sdp_mline_index\":0}",
      "ice-candidate" },
    { " \t\r\n{ \"type\" : \"offer\", \"booking_id\" : BOOKING, \"sdp\" : \"v=0\\r\\n\\u00e9\" } ",
      "offer" },
    { "{\"type\":\"answer\",\"from\":1234,\"booking_id\":BOOKING,\"sdp\":\"v=0\"}",
      "answer" },
    { "{\"type\":\"ice-candidate\",\"request_id\":\"r1\",\"booking_id\":BOOKING,\"candidate\":\"c2\",\"sdp_mline_index\":1,\"from\":\"me\"}",
      "ice-candidate" },
  };

  mc_test_create_pair (server, &mentor_id, &student_id);
  booking = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                    "confirmed");
  mentor_token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  student_token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mentor = raw_socket_open (server, mentor_token);
  student = raw_socket_open (server, student_token);
  mentor_joined = join (mentor, server, mentor_token, booking);
  student_joined = join (student, server, student_token, booking);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString)    text = g_string_new (cases[i].text);
      g_autofree char       *id = g_strdup_printf ("%" G_GINT64_FORMAT, booking);
      g_autoptr (JsonObject) relayed = NULL;

      g_string_replace (text, "BOOKING", id, 0);
      g_assert_true (send_text (student, text->str));
      relayed = wait_message (mentor, cases[i].type);
      g_assert_cmpint (mc_test_get_int (relayed, "from"), ==, student_id);
      g_assert_cmpint (mc_test_get_int (relayed, "booking_id"), ==, booking);
      g_assert_false (json_object_has_member (relayed, "request_id"));
    }

  /* And the other way. */
  {
    g_autofree char       *text = g_strdup_printf ("{\"type\":\"ice-candidate\",\"booking_id\":%" G_GINT64_FORMAT
                                                   ",\"candidate\":\"m1\",\"sdp_mline_index\":0}",
                                                   booking);
    g_autoptr (JsonObject) relayed = NULL;

    g_assert_true (send_text (mentor, text));
    relayed = wait_message (student, "ice-candidate");
    g_assert_cmpint (mc_test_get_int (relayed, "from"), ==, mentor_id);
    g_assert_cmpstr (mc_test_get_string (relayed, "candidate"), ==, "m1");
  }

  mc_test_server_stop (server);
}

static void
test_text_ws (void)
{
  g_autofree char         *token = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &token);
  gint64                   booking = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                                             "confirmed");
  g_autoptr (RawSocket)    socket = raw_socket_open (server, token);
  g_autoptr (JsonObject)   joined = join (socket, server, token, booking);
  static const struct
  {
    const char *client_id; /* as JSON */
    const char *text;      /* as JSON */
    const char *field;
  } cases[] = {
    { "\"c1\"", "\"x\\ud800y\"", "text" },
    { "\"c1\"", "\"x\\u0000y\"", "text" },
    { "\"\\udfff\"", "\"hi\"", "client_id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char       *text = g_strdup_printf ("{\"type\":\"chat\",\"booking_id\":%" G_GINT64_FORMAT
                                                     ",\"client_id\":%s,\"text\":%s}",
                                                     booking, cases[i].client_id, cases[i].text);
      g_autoptr (JsonObject) error = NULL;

      g_assert_true (send_text (socket, text));
      error = wait_message (socket, "error");
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "invalid_field");
      g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, cases[i].field);
    }

  /* A text frame that is not UTF-8 at all is libsoup's to refuse (1007). */
  {
    static const guint8 bad[] = "{\"type\":\"ping\",\"x\":\"\xff\"}";

    g_assert_true (send_frame (socket, TRUE, 0x1, bad, sizeof bad - 1));
    g_assert_cmpuint (wait_close (socket, NULL), ==, SOUP_WEBSOCKET_CLOSE_BAD_DATA);
  }

  assert_healthy (server);
  mc_test_server_stop (server);
}

/* Rows written before the server checked text must not stop a booking's
 * room: they used to make libsoup drop every "joined" and "history". */
static void text_bad_stored_rows (void);

static void
test_text_bad_stored_rows (void)
{
  if (mc_test_database_is_postgresql ())
    {
      g_test_skip ("PostgreSQL keeps no text that is not UTF-8: such rows exist only in SQLite");
      return;
    }

  text_bad_stored_rows ();
}

static void
text_bad_stored_rows (void)
{
  g_autofree char         *student = NULL;
  g_autoptr (McTestServer) server = start_server (NULL, &student);
  g_autofree char         *mentor = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  gint64                   booking = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                                             "confirmed");
  g_autofree char         *messages = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages",
                                                       booking);
  g_autoptr (JsonNode)     posted = NULL;
  g_autoptr (JsonNode)     listed = NULL;
  g_autoptr (RawSocket)    first = NULL;
  g_autoptr (RawSocket)    second = NULL;
  g_autoptr (JsonObject)   joined = NULL;
  g_autoptr (JsonObject)   peer = NULL;
  g_autoptr (JsonObject)   history = NULL;
  g_autofree char         *history_request = NULL;
  sqlite3                 *db = NULL;
  char                    *sql_error = NULL;
  JsonArray               *chat;
  guint                    status;

  posted = mc_test_request (server, "POST", messages, student,
                            "{\"client_id\":\"c1\",\"text\":\"hello\"}", &status);
  g_assert_cmpuint (status, ==, 201);

  /* What the old server stored for "x\ud800y", and a display name and a
   * subject with bytes that are not UTF-8. */
  g_assert_cmpint (sqlite3_open (mc_test_server_get_database (server), &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE chat_messages SET text = CAST (X'78EDA08079' AS TEXT);"
                                 "UPDATE users SET display_name = CAST (X'5361FF6D' AS TEXT)"
                                 " WHERE username = 'sam';"
                                 "UPDATE bookings SET subject = CAST (X'C3' AS TEXT);",
                                 NULL, NULL, &sql_error),
                   ==, SQLITE_OK);
  g_assert_null (sql_error);
  sqlite3_close (db);

  /* Both participants can still join and see each other, and the chat. */
  first = raw_socket_open (server, mentor);
  joined = join (first, server, mentor, booking);
  chat = json_object_get_array_member (joined, "chat");
  g_assert_cmpuint (json_array_get_length (chat), ==, 1);
  g_assert_true (g_utf8_validate (mc_test_get_string (json_array_get_object_element (chat, 0),
                                                      "text"),
                                  -1, NULL));
  g_clear_pointer (&joined, json_object_unref);

  second = raw_socket_open (server, student);
  joined = join (second, server, student, booking);
  peer = wait_message (first, "peer-joined");

  history_request = g_strdup_printf ("{\"type\":\"history\",\"booking_id\":%" G_GINT64_FORMAT
                                     ",\"after\":0}",
                                     booking);
  g_assert_true (send_text (second, history_request));
  history = wait_message (second, "history");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (history, "messages")),
                    ==, 1);

  /* And over REST, as valid UTF-8. */
  listed = mc_test_request (server, "GET", messages, student, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  assert_healthy (server);
  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/hostile/json/deep-nesting-rest", test_json_deep_nesting_rest);
  g_test_add_func ("/server/hostile/json/lenient-syntax-rest", test_json_lenient_syntax_rest);
  g_test_add_func ("/server/hostile/json/deep-nesting-ws", test_json_deep_nesting_ws);
  g_test_add_func ("/server/hostile/http/reset-after-request", test_http_reset_after_request);
  g_test_add_func ("/server/hostile/ws/no-deflate", test_ws_no_deflate);
  g_test_add_func ("/server/hostile/ws/fragments-within-limit", test_ws_fragments_within_limit);
  g_test_add_func ("/server/hostile/ws/fragments-over-limit", test_ws_fragments_over_limit);
  g_test_add_func ("/server/hostile/ws/frame-over-limit", test_ws_frame_over_limit);
  g_test_add_func ("/server/hostile/ws/ping-flood", test_ws_ping_flood);
  g_test_add_func ("/server/hostile/ws/message-with-handshake", test_ws_message_with_handshake);
  g_test_add_func ("/server/hostile/ws/silent-client", test_ws_silent_client);
  g_test_add_func ("/server/hostile/ws/answering-client", test_ws_answering_client);
  g_test_add_func ("/server/hostile/text/rest", test_text_rest);
  g_test_add_func ("/server/hostile/text/ws", test_text_ws);
  g_test_add_func ("/server/hostile/ws/relay-from", test_ws_relay_from);
  g_test_add_func ("/server/hostile/text/bad-stored-rows", test_text_bad_stored_rows);

  return g_test_run ();
}
