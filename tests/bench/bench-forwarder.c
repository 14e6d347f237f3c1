/* bench-forwarder.c — the network benchmark's unshaped paths
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The call's namespaces reach nothing but each other through mc-netem.
 * Signaling must not be shaped, so a thread of the benchmark listens on
 * 127.0.0.1 inside each namespace, at the server's port, and forwards
 * every connection to the same port on 127.0.0.1 of the benchmark's own
 * namespace, where the real server listens: a socket belongs to the
 * namespace it was made in, whichever thread uses it afterwards. The same
 * thread serves Chromium's page and a relay, /box/KEY, where one end
 * POSTs its description and the other GETs it (404 until it is there),
 * on a port of its own, forwarded the same way.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "bench-network.h"

/* The thread that forwards the namespaces' 127.0.0.1 to ours and serves
 * Chromium's page and relay. */
struct _BenchForwarder
{
  BenchNetns     *netns;
  guint16         ports[2]; /* the server's, the relay's */
  char           *page;
  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
  GSocketService *service;
  GSocketClient  *client;
  SoupServer     *relay;
  GHashTable     *boxes;
  GMutex          lock;
  GCond           cond;
  gboolean        ready;
  char           *error;
};

/* Helpers and callbacks */

static void
spliced_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
upstream_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GSocketConnection) downstream = user_data;
  g_autoptr (GSocketConnection) upstream = NULL;

  upstream = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, NULL);
  if (upstream == NULL)
    return;
  g_io_stream_splice_async (G_IO_STREAM (downstream), G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2 |
                              G_IO_STREAM_SPLICE_WAIT_FOR_BOTH,
                            G_PRIORITY_DEFAULT, NULL, spliced_cb, NULL);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             BenchForwarder    *self)
{
  g_autoptr (GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  guint16                    port;

  if (local == NULL)
    return FALSE;
  /* Same port, our own 127.0.0.1. */
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_socket_client_connect_to_host_async (self->client, "127.0.0.1", port, NULL, upstream_cb,
                                         g_object_ref (connection));
  return TRUE;
}

static void
relay_cb (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  BenchForwarder *self = user_data;
  const char     *method = soup_server_message_get_method (message);

  if (g_str_equal (path, "/chromium-network.html"))
    {
      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_COPY, self->page,
                                        strlen (self->page));
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
    }
  else if (g_str_has_prefix (path, "/box/") && g_str_equal (method, "POST"))
    {
      g_autoptr (GBytes) body = soup_message_body_flatten (
        soup_server_message_get_request_body (message));

      g_hash_table_replace (self->boxes, g_strdup (path + 5),
                            g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)));
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
    }
  else if (g_str_has_prefix (path, "/box/") && g_hash_table_contains (self->boxes, path + 5))
    {
      const char *text = g_hash_table_lookup (self->boxes, path + 5);

      soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY, text,
                                        strlen (text));
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
    }
  else
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

static gboolean
forwarder_setup (BenchForwarder *self,
                 GError        **error)
{
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  GSList                    *uris;

  self->relay = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (self->relay, NULL, relay_cb, self, NULL);
  if (!soup_server_listen (self->relay, any_port, 0, error))
    return FALSE;
  uris = soup_server_get_uris (self->relay);
  self->ports[1] = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->client = g_socket_client_new ();
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  for (guint side = 0; side < 2; side++)
    for (guint p = 0; p < 2; p++)
      {
        g_autoptr (GSocket)        socket = bench_netns_socket (self->netns, side,
                                                                G_SOCKET_TYPE_STREAM, error);
        g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback,
                                                                        self->ports[p]);

        if (socket == NULL || !g_socket_bind (socket, address, TRUE, error) ||
            !g_socket_listen (socket, error) ||
            !g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL,
                                           error))
          return FALSE;
      }
  g_socket_service_start (self->service);
  return TRUE;
}

static gpointer
forwarder_thread (gpointer user_data)
{
  BenchForwarder    *self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean           ok;

  g_main_context_push_thread_default (self->context);
  ok = forwarder_setup (self, &error);

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  if (!ok)
    self->error = g_strdup (error->message);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_main_loop_run (self->loop);

  if (self->service != NULL)
    g_socket_service_stop (self->service);
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  if (self->relay != NULL)
    soup_server_disconnect (self->relay);
  g_clear_object (&self->relay);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* Public API */

/**
 * bench_forwarder_start:
 * @server_port: the port of the server on our 127.0.0.1
 * @page_path: Chromium's page
 *
 * Returns: (transfer full): the running thread, or %NULL with @error set
 */
BenchForwarder *
bench_forwarder_start (BenchNetns *netns,
                       guint16     server_port,
                       const char *page_path,
                       GError    **error)
{
  BenchForwarder *self = g_new0 (BenchForwarder, 1);

  self->netns = netns;
  self->ports[0] = server_port;
  if (page_path != NULL && !g_file_get_contents (page_path, &self->page, NULL, error))
    return NULL;
  if (self->page == NULL)
    self->page = g_strdup ("");
  self->boxes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("forwarder", forwarder_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->error != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot forward: %s", self->error);
      return NULL;
    }
  return self;
}

void
bench_forwarder_stop (BenchForwarder *self)
{
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->boxes);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->page);
  g_free (self->error);
  g_free (self);
}

/**
 * bench_forwarder_get_relay_port:
 *
 * Returns: the port of Chromium's page and relay, on 127.0.0.1 in the
 *   benchmark's namespace and in both of the call's
 */
guint16
bench_forwarder_get_relay_port (BenchForwarder *self)
{
  return self->ports[1];
}
