/* mcs-webhooks.c — signing and delivering webhook events
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events wait in the store's outbox (mcs-store-webhooks.c), one delivery
 * row per endpoint. The worker here takes the deliveries that are due and
 * POSTs them with libsoup's asynchronous API, at most
 * MCS_WEBHOOK_MAX_IN_FLIGHT at once, each cut after
 * MCS_WEBHOOK_TIMEOUT_SECONDS; the main loop never waits for a receiver.
 * A delivery is marked delivered only after a 2xx answer, so a crash at
 * any moment leaves it pending and it is sent again after the restart,
 * with the same webhook-id: delivery is at least once.
 *
 * Signing follows the Standard Webhooks specification: webhook-signature
 * is "v1,<base64 HMAC-SHA256 of id.timestamp.body>" with the key that the
 * secret's "whsec_<base64>" encodes, one such value per secret that is
 * valid (two during a rotation), separated by spaces.
 *
 * Scheduling uses the server's clock (mcs-clock.c), so that tests started
 * with --test-clock can move through the retry schedule without waiting.
 */

#define G_LOG_DOMAIN "mcs-webhooks"

#include "config.h"

#include <libsoup/soup.h>
#include <sodium.h>

#include "mcs-clock.h"
#include "mcs-webhooks.h"

/* The delay before each attempt: the first at once, the last a day after
 * the one before; then the delivery has failed. */
static const gint64 retry_delays[] = { 0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600,
                                       24 * 3600 };

/* A receiver's Retry-After is honoured up to this long. */
#define MAX_RETRY_AFTER_SECONDS (24 * 3600)

/* Secrets: this many random bytes, and what a given secret may have. */
#define SECRET_BYTES     24
#define SECRET_MIN_BYTES 16
#define SECRET_MAX_BYTES 64

/* Delivered and failed events are kept this long for the delivery log. */
#define KEEP_EVENTS_SECONDS (30 * 24 * 3600)

struct _McsWebhooks
{
  GObject parent_instance;

  McsStore    *store;
  McsMetrics  *metrics;
  SoupSession *session;
  GHashTable  *in_flight; /* delivery id → Attempt */
  guint        run_id;
  guint        timer_id;
  gulong       queued_handler;
  gint64       purged_at;
  gboolean     shut_down;
};

G_DEFINE_TYPE (McsWebhooks, mcs_webhooks, G_TYPE_OBJECT)

typedef struct
{
  McsWebhooks        *self;
  McsWebhookDelivery *delivery;
  SoupMessage        *message;
  GCancellable       *cancellable;
  guint               timeout_id;
  gboolean            timed_out;
} Attempt;

static void schedule_run (McsWebhooks *self);

static void
attempt_free (Attempt *attempt)
{
  g_clear_handle_id (&attempt->timeout_id, g_source_remove);
  mcs_webhook_delivery_free (attempt->delivery);
  g_clear_object (&attempt->message);
  g_clear_object (&attempt->cancellable);
  g_object_unref (attempt->self);
  g_free (attempt);
}

/**
 * mcs_webhook_retry_delay:
 * @attempts: how many attempts were made
 *
 * Returns: the seconds to wait before the next attempt, with ±10 % jitter,
 *   or -1 if there is to be none
 */
gint64
mcs_webhook_retry_delay (guint attempts)
{
  gint64 delay;

  if (attempts >= G_N_ELEMENTS (retry_delays))
    return -1;

  delay = retry_delays[attempts];
  return delay + (gint64) (delay * g_random_double_range (-0.1, 0.1));
}

char *
mcs_webhook_new_secret (void)
{
  guint8           key[SECRET_BYTES];
  g_autofree char *encoded = NULL;

  randombytes_buf (key, sizeof key);
  encoded = g_base64_encode (key, sizeof key);
  sodium_memzero (key, sizeof key);

  return g_strconcat ("whsec_", encoded, NULL);
}

/* Decodes a whsec_ secret's key, or returns NULL if it is not one. */
static guint8 *
decode_secret (const char *secret,
               gsize      *length)
{
  const char *text;
  gsize       text_length;

  if (secret == NULL || !g_str_has_prefix (secret, "whsec_"))
    return NULL;

  text = secret + strlen ("whsec_");
  text_length = strlen (text);
  if (text_length == 0 || text_length % 4 != 0)
    return NULL;

  for (gsize i = 0; i < text_length; i++)
    {
      gboolean padding = text[i] == '=' && i >= text_length - 2;

      if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && !padding)
        return NULL;
      if (i > 0 && text[i - 1] == '=' && text[i] != '=')
        return NULL;
    }

  return g_base64_decode (text, length);
}

gboolean
mcs_webhook_check_secret (const char *secret,
                          GError    **error)
{
  g_autofree guint8 *key = NULL;
  gsize              length = 0;

  key = decode_secret (secret, &length);
  if (key == NULL || length < SECRET_MIN_BYTES || length > SECRET_MAX_BYTES)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                   "A webhook secret is “whsec_” and %d to %d bytes in base64", SECRET_MIN_BYTES,
                   SECRET_MAX_BYTES);
      if (key != NULL)
        sodium_memzero (key, length);
      return FALSE;
    }

  sodium_memzero (key, length);
  return TRUE;
}

gboolean
mcs_webhook_check_url (const char *url,
                       GError    **error)
{
  g_autoptr (GUri) uri = NULL;
  const char      *scheme;

  /* GUri takes spaces and control characters in a path: a URL here is
   * printable ASCII only (an international domain name in its xn-- form). */
  for (const char *c = url; c != NULL && *c != '\0'; c++)
    {
      if (*c <= ' ' || *c > '~')
        {
          url = NULL;
          break;
        }
    }

  if (url != NULL && strlen (url) <= MCS_WEBHOOK_MAX_URL_LENGTH)
    uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                   "A webhook URL is an http or https URL with a host, no user name and no "
                   "fragment, of at most %d printable ASCII characters",
                   MCS_WEBHOOK_MAX_URL_LENGTH);
      return FALSE;
    }

  return TRUE;
}

/**
 * mcs_webhook_sign:
 * @secret: a `whsec_…` secret
 * @message_id: the webhook-id
 * @timestamp: the webhook-timestamp
 * @body: the body
 * @body_length: its length
 *
 * Returns: (transfer full) (nullable): "v1,<base64 signature>", or %NULL if
 *   @secret is not a secret
 */
char *
mcs_webhook_sign (const char *secret,
                  const char *message_id,
                  gint64      timestamp,
                  const char *body,
                  gsize       body_length)
{
  crypto_auth_hmacsha256_state state;
  guint8                       mac[crypto_auth_hmacsha256_BYTES];
  g_autofree guint8           *key = NULL;
  g_autofree char             *prefix = NULL;
  g_autofree char             *encoded = NULL;
  gsize                        key_length = 0;

  key = decode_secret (secret, &key_length);
  if (key == NULL || key_length == 0)
    return NULL;

  prefix = g_strdup_printf ("%s.%" G_GINT64_FORMAT ".", message_id, timestamp);
  crypto_auth_hmacsha256_init (&state, key, key_length);
  crypto_auth_hmacsha256_update (&state, (const guint8 *) prefix, strlen (prefix));
  crypto_auth_hmacsha256_update (&state, (const guint8 *) body, body_length);
  crypto_auth_hmacsha256_final (&state, mac);
  sodium_memzero (key, key_length);

  encoded = g_base64_encode (mac, sizeof mac);
  return g_strconcat ("v1,", encoded, NULL);
}

/* Reads Retry-After: seconds, or an HTTP date. Returns -1 if absent. */
static gint64
read_retry_after (SoupMessage *message)
{
  const char *value;
  guint64     seconds;

  value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                        "Retry-After");
  if (value == NULL)
    return -1;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT32, &seconds, NULL))
    return (gint64) seconds;

  {
    g_autoptr (GDateTime) date = soup_date_time_new_from_http_string (value);

    if (date == NULL)
      return -1;

    return MAX (0, g_date_time_to_unix (date) - g_get_real_time () / G_USEC_PER_SEC);
  }
}

static void
finish_attempt (Attempt    *attempt,
                guint       status,
                const char *error_text)
{
  McsWebhooks        *self = attempt->self;
  McsWebhookDelivery *delivery = attempt->delivery;
  g_autoptr (GError)  error = NULL;
  gint64              now = mcs_clock_now ();
  const char         *state;
  gint64              next_attempt_at = 0;
  const char         *disable = NULL;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      state = "delivered";
    }
  else if (status == SOUP_STATUS_GONE)
    {
      state = "failed";
      disable = "The endpoint answered 410 Gone";
    }
  else
    {
      gint64 delay = mcs_webhook_retry_delay (delivery->attempts + 1);
      gint64 retry_after = attempt->message ? read_retry_after (attempt->message) : -1;

      if (delay >= 0 && retry_after > delay)
        delay = MIN (retry_after, MAX_RETRY_AFTER_SECONDS);

      state = delay >= 0 ? "pending" : "failed";
      next_attempt_at = now + MAX (delay, 0);
    }

  if (!mcs_store_record_attempt (self->store, delivery, now, status, error_text, state,
                                 next_attempt_at, &error))
    g_warning ("Cannot record a webhook attempt: %s", error->message);

  mcs_metrics_count (self->metrics, "mentorcall_webhook_deliveries_total", "result",
                     g_str_equal (state, "pending") ? "retried" : state);

  if (g_str_equal (state, "delivered"))
    {
      g_debug ("Delivered %s (%s) to endpoint %" G_GINT64_FORMAT, delivery->message_id,
               delivery->type, delivery->endpoint_id);
    }
  else
    {
      g_autoptr (McsWebhookEndpoint) endpoint = NULL;

      g_message ("Webhook %s (%s) to endpoint %" G_GINT64_FORMAT " failed (%s); %s",
                 delivery->message_id, delivery->type, delivery->endpoint_id,
                 error_text ? error_text : soup_status_get_phrase (status),
                 g_str_equal (state, "pending") ? "will try again" : "giving up");

      endpoint = mcs_store_get_webhook (self->store, delivery->endpoint_id, NULL);
      if (disable == NULL && endpoint != NULL && endpoint->failing_since != 0 &&
          now - endpoint->failing_since >= MCS_WEBHOOK_DISABLE_AFTER_SECONDS)
        disable = "Every delivery failed for 5 days";
    }

  if (disable != NULL)
    {
      g_clear_error (&error);
      g_message ("Disabling webhook endpoint %" G_GINT64_FORMAT ": %s", delivery->endpoint_id,
                 disable);
      if (!mcs_store_set_webhook_enabled (self->store, delivery->endpoint_id, FALSE, disable, now,
                                          &error))
        g_warning ("Cannot disable a webhook endpoint: %s", error->message);
    }
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Attempt                 *attempt = user_data;
  g_autoptr (McsWebhooks)  self = g_object_ref (attempt->self);
  g_autoptr (GError)       error = NULL;
  g_autoptr (GInputStream) stream = NULL;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  /* At shutdown the delivery stays pending, to be sent after the restart. */
  if (!self->shut_down)
    {
      if (stream != NULL)
        finish_attempt (attempt, soup_message_get_status (attempt->message), NULL);
      else
        finish_attempt (attempt, 0,
                        attempt->timed_out ? "The endpoint did not answer in time"
                                           : error->message);
    }

  /* Only the status matters: the body is not read. */
  if (stream != NULL)
    g_input_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  /* Frees @attempt. */
  g_hash_table_remove (self->in_flight, &attempt->delivery->id);
  if (!self->shut_down)
    schedule_run (self);
}

static gboolean
attempt_timed_out_cb (gpointer user_data)
{
  Attempt *attempt = user_data;

  attempt->timeout_id = 0;
  attempt->timed_out = TRUE;
  g_cancellable_cancel (attempt->cancellable);

  return G_SOURCE_REMOVE;
}

static void
start_attempt (McsWebhooks        *self,
               McsWebhookDelivery *delivery)
{
  Attempt            *attempt = g_new0 (Attempt, 1);
  SoupMessageHeaders *headers;
  g_autoptr (GBytes)  body = NULL;
  g_autofree char    *signature = NULL;
  g_autofree char    *timestamp_text = NULL;
  gint64              timestamp = g_get_real_time () / G_USEC_PER_SEC;
  gsize               body_length = strlen (delivery->payload);

  attempt->self = g_object_ref (self);
  attempt->delivery = delivery;
  g_hash_table_insert (self->in_flight, &delivery->id, attempt);

  attempt->message = soup_message_new ("POST", delivery->url);
  signature = mcs_webhook_sign (delivery->secret, delivery->message_id, timestamp,
                                delivery->payload, body_length);
  if (attempt->message == NULL || signature == NULL)
    {
      finish_attempt (attempt, 0,
                      attempt->message == NULL ? "The URL is not valid" : "The secret is not valid");
      g_hash_table_remove (self->in_flight, &delivery->id);
      return;
    }

  /* The old secret signs too while a rotation lasts. */
  if (delivery->previous_secret != NULL && delivery->previous_secret_until > mcs_clock_now ())
    {
      g_autofree char *previous = mcs_webhook_sign (delivery->previous_secret,
                                                    delivery->message_id, timestamp,
                                                    delivery->payload, body_length);

      if (previous != NULL)
        {
          char *both = g_strconcat (signature, " ", previous, NULL);

          g_free (signature);
          signature = both;
        }
    }

  timestamp_text = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  headers = soup_message_get_request_headers (attempt->message);
  soup_message_headers_replace (headers, "webhook-id", delivery->message_id);
  soup_message_headers_replace (headers, "webhook-timestamp", timestamp_text);
  soup_message_headers_replace (headers, "webhook-signature", signature);

  body = g_bytes_new (delivery->payload, body_length);
  soup_message_set_request_body_from_bytes (attempt->message, "application/json", body);
  /* A redirect is a failure: the endpoint's URL is what was configured. */
  soup_message_add_flags (attempt->message, SOUP_MESSAGE_NO_REDIRECT);

  attempt->cancellable = g_cancellable_new ();
  attempt->timeout_id = g_timeout_add_seconds (MCS_WEBHOOK_TIMEOUT_SECONDS, attempt_timed_out_cb,
                                               attempt);

  g_debug ("Sending %s (%s, attempt %d) to %s", delivery->message_id, delivery->type,
           delivery->attempts + 1, delivery->url);
  soup_session_send_async (self->session, attempt->message, G_PRIORITY_DEFAULT,
                           attempt->cancellable, sent_cb, attempt);
}

static gboolean
timer_cb (gpointer user_data)
{
  McsWebhooks *self = user_data;

  self->timer_id = 0;
  schedule_run (self);

  return G_SOURCE_REMOVE;
}

static gboolean
run_cb (gpointer user_data)
{
  McsWebhooks          *self = user_data;
  g_autoptr (GPtrArray) due = NULL;
  g_autoptr (GError)    error = NULL;
  gint64                now = mcs_clock_now ();
  gint64                length, oldest_age, next_due, wait, longest;
  guint                 free_slots;

  self->run_id = 0;
  g_clear_handle_id (&self->timer_id, g_source_remove);

  if (now - self->purged_at >= 3600)
    {
      guint purged = mcs_store_purge_webhook_events (self->store, now - KEEP_EVENTS_SECONDS);

      self->purged_at = now;
      if (purged > 0)
        g_debug ("Forgot %u old webhook events", purged);
    }

  free_slots = MCS_WEBHOOK_MAX_IN_FLIGHT - g_hash_table_size (self->in_flight);
  if (free_slots > 0)
    {
      /* Those in flight are due too: ask for enough to fill the free slots. */
      due = mcs_store_list_due_deliveries (self->store, now, MCS_WEBHOOK_MAX_IN_FLIGHT * 2, &error);
      if (due == NULL)
        g_warning ("Cannot read the webhook queue: %s", error->message);

      for (guint i = 0; due != NULL && i < due->len && free_slots > 0; i++)
        {
          McsWebhookDelivery *delivery = g_ptr_array_index (due, i);

          if (g_hash_table_contains (self->in_flight, &delivery->id))
            continue;

          /* Another server on the database may have taken it. The claim
           * outlasts an attempt; if this server dies during one, another
           * tries again once it runs out. */
          if (!mcs_store_claim_delivery (self->store, delivery->id, now,
                                         now + 2 * MCS_WEBHOOK_TIMEOUT_SECONDS))
            continue;

          due->pdata[i] = NULL;
          start_attempt (self, delivery);
          free_slots--;
        }
    }

  /* Then sleep until the next attempt is due, but look again at least
   * every minute (every second on a test clock, which may jump): the admin
   * command line queues deliveries from another process. */
  mcs_store_get_webhook_queue (self->store, now, &length, &oldest_age, &next_due);
  mcs_metrics_set_gauge (self->metrics, "mentorcall_webhook_queue_length", length);
  mcs_metrics_set_gauge (self->metrics, "mentorcall_webhook_oldest_pending_seconds", oldest_age);
  longest = mcs_clock_is_test_mode () ? 1 : 60;
  wait = length > (gint64) g_hash_table_size (self->in_flight) ? CLAMP (next_due - now, 1, longest)
                                                               : longest;
  self->timer_id = g_timeout_add_seconds (wait, timer_cb, self);

  return G_SOURCE_REMOVE;
}

static void
schedule_run (McsWebhooks *self)
{
  if (self->run_id == 0 && !self->shut_down)
    self->run_id = g_idle_add (run_cb, self);
}

static void
events_queued_cb (McsStore    *store,
                  McsWebhooks *self)
{
  schedule_run (self);
}

static void
mcs_webhooks_dispose (GObject *object)
{
  McsWebhooks *self = (McsWebhooks *) object;

  mcs_webhooks_shutdown (self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (mcs_webhooks_parent_class)->dispose (object);
}

static void
mcs_webhooks_finalize (GObject *object)
{
  McsWebhooks *self = (McsWebhooks *) object;

  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (mcs_webhooks_parent_class)->finalize (object);
}

static void
mcs_webhooks_class_init (McsWebhooksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mcs_webhooks_dispose;
  object_class->finalize = mcs_webhooks_finalize;
}

static void
mcs_webhooks_init (McsWebhooks *self)
{
  self->in_flight = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                           (GDestroyNotify) attempt_free);
}

/**
 * mcs_webhooks_new:
 * @store: the store whose outbox to deliver
 * @metrics: where to count deliveries
 *
 * Starts delivering: what was pending when the server stopped is due now.
 *
 * Returns: (transfer full): the worker
 */
McsWebhooks *
mcs_webhooks_new (McsStore   *store,
                  McsMetrics *metrics)
{
  McsWebhooks *self = g_object_new (MCS_TYPE_WEBHOOKS, NULL);

  self->store = g_object_ref (store);
  self->metrics = metrics;
  /* Each attempt has its own cut-off (attempt_timed_out_cb); the
   * session's I/O timeout is only a backstop behind it. */
  self->session = soup_session_new_with_options ("user-agent",
                                                 "mentorcall-webhooks/" PACKAGE_VERSION,
                                                 "timeout", 2 * MCS_WEBHOOK_TIMEOUT_SECONDS,
                                                 "max-conns", MCS_WEBHOOK_MAX_IN_FLIGHT,
                                                 "max-conns-per-host", MCS_WEBHOOK_MAX_IN_FLIGHT,
                                                 NULL);
  /* Receivers are configured by the administrators; never a proxy. */
  soup_session_set_proxy_resolver (self->session, NULL);
  self->queued_handler = g_signal_connect (store, "events-queued",
                                           G_CALLBACK (events_queued_cb), self);
  schedule_run (self);

  return self;
}

/* Sets the queue's gauges from the store, for /metrics. */
void
mcs_webhooks_update_metrics (McsWebhooks *self)
{
  gint64 length, oldest_age, next_due;

  mcs_store_get_webhook_queue (self->store, mcs_clock_now (), &length, &oldest_age, &next_due);
  mcs_metrics_set_gauge (self->metrics, "mentorcall_webhook_queue_length", length);
  mcs_metrics_set_gauge (self->metrics, "mentorcall_webhook_oldest_pending_seconds", oldest_age);
}

/**
 * mcs_webhooks_shutdown:
 * @self: the worker
 *
 * Stops delivering: attempts in flight are cancelled and stay pending.
 */
void
mcs_webhooks_shutdown (McsWebhooks *self)
{
  GHashTableIter iter;
  gpointer       value;

  if (self->shut_down)
    return;

  self->shut_down = TRUE;
  g_clear_signal_handler (&self->queued_handler, self->store);
  g_clear_handle_id (&self->run_id, g_source_remove);
  g_clear_handle_id (&self->timer_id, g_source_remove);

  g_hash_table_iter_init (&iter, self->in_flight);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_cancellable_cancel (((Attempt *) value)->cancellable);
}
