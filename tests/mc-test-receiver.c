/* mc-test-receiver.c — a webhook receiver for the tests, on 127.0.0.1
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer in its own thread, with its own main context, so that it
 * answers while the test waits in synchronous requests. It checks every
 * signature with its own code (GLib's HMAC, where the server uses
 * libsodium's), records what it got and answers as the test tells it:
 * the statuses queued in `statuses` first, then `answer` (0: hold the
 * request and never answer). Lock `mutex` to change them.
 */

#include <string.h>

#include <json-glib/json-glib.h>

#include "mc-test-receiver.h"

static void
mc_test_received_free (McTestReceived *received)
{
  g_free (received->id);
  g_free (received->timestamp);
  g_free (received->signature);
  g_free (received->body);
  g_free (received->type);
  g_free (received);
}

/* Checks a Standard Webhooks signature: any "v1,<base64>" in @header that
 * is the HMAC-SHA256 of "id.timestamp.body" under the key @secret encodes. */
gboolean
mc_test_verify_signature (const char *secret,
                          const char *id,
                          const char *timestamp,
                          const char *body,
                          const char *header)
{
  g_autofree guchar *key = NULL;
  g_autoptr (GHmac)  hmac = NULL;
  g_autofree char   *expected = NULL;
  g_autofree char   *encoded = NULL;
  g_auto (GStrv)     parts = NULL;
  guint8             digest[32];
  gsize              key_length = 0, digest_length = sizeof digest;

  if (secret == NULL || id == NULL || timestamp == NULL || body == NULL || header == NULL ||
      !g_str_has_prefix (secret, "whsec_"))
    return FALSE;

  key = g_base64_decode (secret + strlen ("whsec_"), &key_length);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_length);
  g_hmac_update (hmac, (const guchar *) id, -1);
  g_hmac_update (hmac, (const guchar *) ".", 1);
  g_hmac_update (hmac, (const guchar *) timestamp, -1);
  g_hmac_update (hmac, (const guchar *) ".", 1);
  g_hmac_update (hmac, (const guchar *) body, -1);
  g_hmac_get_digest (hmac, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);
  expected = g_strconcat ("v1,", encoded, NULL);

  parts = g_strsplit (header, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (g_str_equal (parts[i], expected))
        return TRUE;
    }

  return FALSE;
}

static void
receiver_handler_cb (SoupServer        *server,
                     SoupServerMessage *message,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  McTestReceiver      *receiver = user_data;
  SoupMessageHeaders  *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody     *body = soup_server_message_get_request_body (message);
  g_autoptr (GBytes)   bytes = soup_message_body_flatten (body);
  g_autoptr (JsonNode) node = NULL;
  McTestReceived      *received = g_new0 (McTestReceived, 1);
  guint                status;

  received->id = g_strdup (soup_message_headers_get_one (headers, "webhook-id"));
  received->timestamp = g_strdup (soup_message_headers_get_one (headers, "webhook-timestamp"));
  received->signature = g_strdup (soup_message_headers_get_one (headers, "webhook-signature"));
  received->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  node = json_from_string (received->body, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    received->type = g_strdup (json_object_get_string_member_with_default (
      json_node_get_object (node), "type", NULL));

  g_mutex_lock (&receiver->mutex);
  received->verified = mc_test_verify_signature (receiver->secret, received->id, received->timestamp,
                                                 received->body, received->signature);
  status = g_queue_is_empty (&receiver->statuses)
             ? receiver->answer
             : GPOINTER_TO_UINT (g_queue_pop_head (&receiver->statuses));
  received->answered = status;
  g_ptr_array_add (receiver->received, received);

  if (status == 0)
    {
      soup_server_message_pause (message);
      g_ptr_array_add (receiver->held, g_object_ref (message));
    }
  else
    {
      soup_server_message_set_status (message, status, NULL);
      if (receiver->retry_after != NULL)
        soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                      "Retry-After", receiver->retry_after);
    }
  g_mutex_unlock (&receiver->mutex);
}

static gpointer
receiver_thread (gpointer user_data)
{
  McTestReceiver *receiver = user_data;

  g_main_context_push_thread_default (receiver->context);
  g_main_loop_run (receiver->loop);
  g_main_context_pop_thread_default (receiver->context);

  return NULL;
}

McTestReceiver *
mc_test_receiver_new (const char *secret,
                      guint       answer)
{
  McTestReceiver            *receiver = g_new0 (McTestReceiver, 1);
  g_autoptr (GError)         error = NULL;
  g_autoptr (GInetAddress)   address = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr (GSocketAddress) socket_address = g_inet_socket_address_new (address, 0);
  GSList                    *uris;

  g_mutex_init (&receiver->mutex);
  g_queue_init (&receiver->statuses);
  receiver->secret = g_strdup (secret);
  receiver->answer = answer;
  receiver->received = g_ptr_array_new_with_free_func ((GDestroyNotify) mc_test_received_free);
  receiver->held = g_ptr_array_new_with_free_func (g_object_unref);
  receiver->context = g_main_context_new ();
  receiver->loop = g_main_loop_new (receiver->context, FALSE);

  g_main_context_push_thread_default (receiver->context);
  receiver->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (receiver->server, "/hook", receiver_handler_cb, receiver, NULL);
  soup_server_listen (receiver->server, socket_address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (receiver->server);
  receiver->url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_context_pop_thread_default (receiver->context);

  receiver->thread = g_thread_new ("receiver", receiver_thread, receiver);
  return receiver;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
release_cb (gpointer user_data)
{
  McTestReceiver *receiver = user_data;

  g_mutex_lock (&receiver->mutex);
  for (guint i = 0; i < receiver->held->len; i++)
    {
      SoupServerMessage *message = g_ptr_array_index (receiver->held, i);

      soup_server_message_set_status (message, receiver->answer, NULL);
      soup_server_message_unpause (message);
    }
  g_ptr_array_set_size (receiver->held, 0);
  g_mutex_unlock (&receiver->mutex);

  return G_SOURCE_REMOVE;
}

/**
 * mc_test_receiver_release:
 * @receiver: a receiver
 * @status: the answer, now and from now on
 *
 * Answers the requests the receiver holds with @status, and every later one.
 */
void
mc_test_receiver_release (McTestReceiver *receiver,
                          guint           status)
{
  g_mutex_lock (&receiver->mutex);
  receiver->answer = status;
  g_mutex_unlock (&receiver->mutex);

  g_main_context_invoke (receiver->context, release_cb, receiver);
}

void
mc_test_receiver_free (McTestReceiver *receiver)
{
  g_main_context_invoke (receiver->context, quit_cb, receiver->loop);
  g_thread_join (receiver->thread);

  g_main_context_push_thread_default (receiver->context);
  g_ptr_array_unref (receiver->held);
  soup_server_disconnect (receiver->server);
  g_object_unref (receiver->server);
  g_main_context_pop_thread_default (receiver->context);

  g_main_loop_unref (receiver->loop);
  g_main_context_unref (receiver->context);
  g_ptr_array_unref (receiver->received);
  g_queue_clear (&receiver->statuses);
  g_free (receiver->secret);
  g_free (receiver->url);
  g_mutex_clear (&receiver->mutex);
  g_free (receiver);
}


guint
mc_test_receiver_count (McTestReceiver *receiver)
{
  guint n;

  g_mutex_lock (&receiver->mutex);
  n = receiver->received->len;
  g_mutex_unlock (&receiver->mutex);

  return n;
}

/* Waits until the receiver has got @n requests; the test fails after
 * MC_TEST_RECEIVER_WAIT_SECONDS. Returns the @n-th (transfer none; it stays in the list). */
McTestReceived *
mc_test_receiver_wait (McTestReceiver *receiver,
                       guint           n)
{
  gint64          deadline = g_get_monotonic_time () + MC_TEST_RECEIVER_WAIT_SECONDS * G_USEC_PER_SEC;
  McTestReceived *received;

  while (mc_test_receiver_count (receiver) < n)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The receiver got %u requests in %d s; expected %u", mc_test_receiver_count (receiver),
                 MC_TEST_RECEIVER_WAIT_SECONDS, n);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  g_mutex_lock (&receiver->mutex);
  received = g_ptr_array_index (receiver->received, n - 1);
  g_mutex_unlock (&receiver->mutex);

  return received;
}

McTestReceived *
mc_test_receiver_get (McTestReceiver *receiver,
                      guint           index)
{
  McTestReceived *received;

  g_mutex_lock (&receiver->mutex);
  received = g_ptr_array_index (receiver->received, index);
  g_mutex_unlock (&receiver->mutex);

  return received;
}
