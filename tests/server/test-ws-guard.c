/* test-ws-guard.c — the server's own keepalive pings, between libsoup's frames
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A unit test: it links the server's library and puts an McsWsGuard on one
 * end of a socket pair, with a small send buffer, so that a large frame
 * leaves the socket half written. The server sends its keepalive pings
 * through the guard (one walk over all connections a second instead of a
 * libsoup timer per connection); a ping written inside a frame would break
 * the connection, so the guard must refuse then and send it once the frame
 * is out. The real server's pings and its dropping of silent clients are
 * checked over the network in test-hostile-input.
 */

#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "mcs-ws-guard.h"

#define BIG_PAYLOAD (256 * 1024)

static GSocketConnection *
connection_from_fd (int fd)
{
  g_autoptr (GError)  error = NULL;
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  return g_socket_connection_factory_create_connection (socket);
}

/* A final unmasked text frame, as a server writes it. */
static GByteArray *
server_frame (gsize length,
              char  fill)
{
  GByteArray *frame = g_byte_array_new ();
  guint8      header[10] = { 0x81 };
  guint       header_length = 2;

  if (length < 126)
    header[1] = length;
  else if (length < 65536)
    {
      header[1] = 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      header_length = 4;
    }
  else
    {
      header[1] = 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = ((guint64) length >> (56 - 8 * i)) & 0xff;
      header_length = 10;
    }

  g_byte_array_append (frame, header, header_length);
  g_byte_array_set_size (frame, header_length + length);
  memset (frame->data + header_length, fill, length);

  return frame;
}

/* Reads what the peer has received so far, without waiting. */
static void
drain (GSocket    *peer,
       GByteArray *received)
{
  guint8 buffer[16384];
  gssize n;

  while ((n = g_socket_receive (peer, (char *) buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (received, buffer, n);
}

static void
test_ping_between_frames (void)
{
  g_autoptr (GSocketConnection) server = NULL;
  g_autoptr (GSocketConnection) client = NULL;
  g_autoptr (McsWsGuard)        guard = NULL;
  g_autoptr (GByteArray)        big = server_frame (BIG_PAYLOAD, 'a');
  g_autoptr (GByteArray)        small = server_frame (2, 'b');
  g_autoptr (GByteArray)        received = g_byte_array_new ();
  g_autoptr (GError)            error = NULL;
  GPollableOutputStream        *out;
  GSocket                      *peer;
  gsize                         sent = 0;
  int                           fds[2];
  int                           size = 4096;
  gssize                        n;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  g_assert_cmpint (setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size), ==, 0);
  g_assert_cmpint (setsockopt (fds[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof size), ==, 0);
  server = connection_from_fd (fds[0]);
  client = connection_from_fd (fds[1]);
  peer = g_socket_connection_get_socket (client);

  guard = mcs_ws_guard_new (G_IO_STREAM (server), g_socket_connection_get_socket (server),
                            1024 * 1024, 10, 10);
  out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (guard)));
  g_assert_true (g_pollable_output_stream_can_poll (out));

  /* Between frames, before anything was written: the ping goes out. */
  g_assert_true (mcs_ws_guard_send_ping (guard));

  /* The big frame fills the socket long before its end. */
  n = g_pollable_output_stream_write_nonblocking (out, big->data, big->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (n, <, big->len);
  sent = n;

  /* In the middle of it, no ping, however often asked, even with room in
   * the socket again. */
  for (guint i = 0; i < 3; i++)
    {
      drain (peer, received);
      g_assert_false (mcs_ws_guard_send_ping (guard));
    }

  /* The client reads while the rest goes out; still no ping in between. */
  while (sent < big->len)
    {
      drain (peer, received);
      n = g_pollable_output_stream_write_nonblocking (out, big->data + sent, big->len - sent,
                                                      NULL, &error);
      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          g_clear_error (&error);
          continue;
        }
      sent += n;
      if (sent < big->len)
        g_assert_false (mcs_ws_guard_send_ping (guard));
    }

  /* The frame is out: now the ping, then the next frame. */
  while (!mcs_ws_guard_send_ping (guard))
    drain (peer, received);
  while ((n = g_pollable_output_stream_write_nonblocking (out, small->data, small->len, NULL,
                                                          &error)) < 0)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      g_clear_error (&error);
      drain (peer, received);
    }
  g_assert_cmpint (n, ==, small->len);

  while (received->len < 2 + big->len + 2 + small->len)
    drain (peer, received);

  /* A ping, the big frame whole, a ping, the small frame. */
  g_assert_cmpuint (received->len, ==, 2 + big->len + 2 + small->len);
  g_assert_cmpuint (received->data[0], ==, 0x89);
  g_assert_cmpuint (received->data[1], ==, 0x00);
  g_assert_cmpmem (received->data + 2, big->len, big->data, big->len);
  g_assert_cmpuint (received->data[2 + big->len], ==, 0x89);
  g_assert_cmpuint (received->data[2 + big->len + 1], ==, 0x00);
  g_assert_cmpmem (received->data + 2 + big->len + 2, small->len, small->data, small->len);

  g_assert_true (g_io_stream_close (G_IO_STREAM (guard), NULL, NULL));
  g_assert_false (mcs_ws_guard_send_ping (guard));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/ws-guard/ping-between-frames", test_ping_between_frames);

  return g_test_run ();
}
