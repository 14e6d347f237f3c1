/* mcs-store-webhooks.c — the store: webhook endpoints, the outbox and deliveries
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mcs_store_queue_event() is called inside the transaction of the change
 * that causes the event: the event and its deliveries commit with the
 * change or not at all, so no event is lost and none is sent for a change
 * that was rolled back. After such a commit the store emits
 * "events-queued", which wakes the delivery worker (mcs-webhooks.c).
 */

#define G_LOG_DOMAIN "mcs-store"

#include <sodium.h>

#include "mcs-store-private.h"

#define ENDPOINT_SELECT \
  "SELECT id, url, events, secret, previous_secret, previous_secret_until, description," \
  "       created_at, failing_since, disabled_at, disabled_reason" \
  " FROM webhook_endpoints"

#define DELIVERY_SELECT \
  "SELECT d.id, d.event_id, e.message_id, e.type, e.payload, e.created_at, d.endpoint_id," \
  "       w.url, w.secret, w.previous_secret, w.previous_secret_until, d.state, d.attempts," \
  "       d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at" \
  " FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id" \
  " JOIN webhook_endpoints w ON w.id = d.endpoint_id"

/* Where an endpoint's filter lets @type (?1) through. */
#define WANTS_EVENT "(events = '*' OR instr (events, ',' || ?1 || ',') > 0)"

static const char * const event_types[] = {
  "lesson.call_started",
  "lesson.participant_joined",
  "lesson.participant_left",
  "lesson.ended",
  "booking.changed",
};

const char * const *
mcs_webhook_get_event_types (guint *n_types)
{
  *n_types = G_N_ELEMENTS (event_types);
  return event_types;
}

gboolean
mcs_webhook_is_event_type (const char *type)
{
  for (guint i = 0; type != NULL && i < G_N_ELEMENTS (event_types); i++)
    {
      if (g_str_equal (type, event_types[i]))
        return TRUE;
    }

  return FALSE;
}

/**
 * mcs_store_queue_event:
 * @self: a store, inside a transaction
 * @type: one of the event types
 * @data: (transfer none): the event's data
 * @now: when it happened
 * @error: a #GError
 *
 * Writes the event to the outbox with a delivery for every enabled endpoint
 * that wants it; an event nobody wants is not written at all.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_queue_event (McsStore   *self,
                       const char *type,
                       JsonObject *data,
                       gint64      now,
                       GError    **error)
{
  g_autoptr (McsStatement) statement = NULL;
  g_autoptr (JsonObject)   envelope = json_object_new ();
  g_autofree char         *timestamp = mc_json_format_time (now);
  g_autofree char         *payload = NULL;
  g_autofree char         *message_id = NULL;
  GError                  *local_error = NULL;
  guint8                   random[16];
  char                     hex[sizeof random * 2 + 1];
  gboolean                 has_row;
  gint64                   event_id;

  statement = mcs_database_statement (self->database,
                                      "SELECT count (*) FROM webhook_endpoints"
                                      " WHERE disabled_at IS NULL AND " WANTS_EVENT,
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_text (statement, 1, type);
  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error);

  if (!has_row || mcs_statement_get_int64 (statement, 0) == 0)
    return TRUE;

  randombytes_buf (random, sizeof random);
  sodium_bin2hex (hex, sizeof hex, random, sizeof random);
  message_id = g_strconcat ("msg_", hex, NULL);

  json_object_set_string_member (envelope, "type", type);
  json_object_set_string_member (envelope, "timestamp", timestamp);
  json_object_set_object_member (envelope, "data", json_object_ref (data));
  payload = mc_json_object_to_string (envelope);

  if (!mcs_store_insert (self,
                         "INSERT INTO webhook_events (message_id, type, payload, created_at)"
                         " VALUES (?1, ?2, ?3, ?4) RETURNING id",
                         &event_id, error, "sssi", message_id, type, payload, now))
    return FALSE;

  if (!mcs_store_run (self,
                      "INSERT INTO webhook_deliveries (event_id, endpoint_id, next_attempt_at)"
                      " SELECT ?2, id, ?3 FROM webhook_endpoints"
                      " WHERE disabled_at IS NULL AND " WANTS_EVENT,
                      error, "sii", type, event_id, now))
    return FALSE;

  self->events_queued = TRUE;
  return TRUE;
}

/* After a commit: wakes the delivery worker if the transaction queued an
 * event. */
void
mcs_store_events_committed (McsStore *self)
{
  if (!self->events_queued)
    return;

  self->events_queued = FALSE;
  g_signal_emit_by_name (self, "events-queued");
}

/* Rolls the open transaction back, with the events it queued. */
void
mcs_store_rollback (McsStore *self)
{
  mcs_database_rollback (self->database);
  self->events_queued = FALSE;
}

/* Endpoints */

static McsWebhookEndpoint *
read_endpoint (McsStatement *statement)
{
  McsWebhookEndpoint *endpoint = g_new0 (McsWebhookEndpoint, 1);
  const char         *events = mcs_statement_get_text (statement, 2);

  endpoint->id = mcs_statement_get_int64 (statement, 0);
  endpoint->url = mcs_store_dup_text (statement, 1);
  if (g_strcmp0 (events, "*") == 0)
    endpoint->events = g_new0 (char *, 1);
  else
    {
      g_auto (GStrv)           parts = g_strsplit (events ? events : "", ",", -1);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (parts[i][0] != '\0')
            g_strv_builder_add (builder, parts[i]);
        }
      endpoint->events = g_strv_builder_end (builder);
    }
  endpoint->secret = mcs_store_dup_text (statement, 3);
  endpoint->previous_secret = mcs_store_dup_text (statement, 4);
  endpoint->previous_secret_until = mcs_statement_get_int64 (statement, 5);
  endpoint->description = mcs_store_dup_text (statement, 6);
  endpoint->created_at = mcs_statement_get_int64 (statement, 7);
  endpoint->failing_since = mcs_statement_get_int64 (statement, 8);
  endpoint->disabled_at = mcs_statement_get_int64 (statement, 9);
  endpoint->disabled_reason = mcs_store_dup_text (statement, 10);

  return endpoint;
}

/**
 * mcs_store_add_webhook:
 * @self: a store
 * @url: where to deliver
 * @events: (array zero-terminated=1): the event types it wants; empty for all
 * @secret: its signing secret, `whsec_…`
 * @description: a note for the administrators
 * @error: a #GError
 *
 * Returns: (transfer full): the new endpoint
 */
McsWebhookEndpoint *
mcs_store_add_webhook (McsStore           *self,
                       const char         *url,
                       const char * const *events,
                       const char         *secret,
                       const char         *description,
                       GError            **error)
{
  g_autofree char *filter = NULL;
  gint64           id;

  if (events == NULL || events[0] == NULL)
    filter = g_strdup ("*");
  else
    {
      g_autofree char *joined = g_strjoinv (",", (char **) events);

      filter = g_strconcat (",", joined, ",", NULL);
    }

  if (!mcs_store_insert (self,
                         "INSERT INTO webhook_endpoints (url, events, secret, description,"
                         "  created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                         &id, error, "ssssi", url, filter, secret, description ? description : "",
                         mcs_store_now ()))
    return NULL;

  return mcs_store_get_webhook (self, id, error);
}

McsWebhookEndpoint *
mcs_store_get_webhook (McsStore *self,
                       gint64    id,
                       GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database, ENDPOINT_SELECT " WHERE id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, id);
  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_NOT_FOUND,
                   "There is no webhook endpoint %" G_GINT64_FORMAT, id);
      return NULL;
    }

  return read_endpoint (statement);
}

/**
 * mcs_store_list_webhooks:
 *
 * Returns: (transfer full) (element-type McsWebhookEndpoint): every endpoint
 */
GPtrArray *
mcs_store_list_webhooks (McsStore *self,
                         GError  **error)
{
  g_autoptr (GPtrArray) endpoints = g_ptr_array_new_with_free_func (
    (GDestroyNotify) mcs_webhook_endpoint_free);
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database, ENDPOINT_SELECT " ORDER BY id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    g_ptr_array_add (endpoints, read_endpoint (statement));

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&endpoints);
}

/* Fails with NOT_FOUND when the last statement changed nothing. */
static gboolean
check_changed (McsStore *self,
               gint64    id,
               GError  **error)
{
  if (mcs_database_changes (self->database) > 0)
    return TRUE;

  g_set_error (error, MC_ERROR, MC_ERROR_NOT_FOUND,
               "There is no webhook endpoint %" G_GINT64_FORMAT, id);
  return FALSE;
}

/* Removes the endpoint with its deliveries. */
gboolean
mcs_store_remove_webhook (McsStore *self,
                          gint64    id,
                          GError  **error)
{
  return mcs_store_run (self, "DELETE FROM webhook_endpoints WHERE id = ?1", error, "i", id) &&
         check_changed (self, id, error);
}

/**
 * mcs_store_set_webhook_enabled:
 * @self: a store
 * @id: the endpoint
 * @enabled: whether to deliver to it
 * @reason: why it is disabled (ignored when enabling)
 * @now: when
 * @error: a #GError
 *
 * Enabling forgets its failures: its pending deliveries are tried now.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_set_webhook_enabled (McsStore   *self,
                               gint64      id,
                               gboolean    enabled,
                               const char *reason,
                               gint64      now,
                               GError    **error)
{
  if (!enabled)
    return mcs_store_run (self,
                          "UPDATE webhook_endpoints SET disabled_at = ?2, disabled_reason = ?3"
                          " WHERE id = ?1 AND disabled_at IS NULL",
                          error, "iis", id, now, reason);

  if (!mcs_store_run (self,
                      "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL,"
                      "  failing_since = NULL WHERE id = ?1",
                      error, "i", id) ||
      !check_changed (self, id, error))
    return FALSE;

  if (!mcs_store_run (self,
                      "UPDATE webhook_deliveries SET next_attempt_at = ?2"
                      " WHERE endpoint_id = ?1 AND state = 'pending'",
                      error, "ii", id, now))
    return FALSE;

  self->events_queued = TRUE;
  mcs_store_events_committed (self);
  return TRUE;
}

/* Replaces the secret; the old one still signs until @previous_until. */
gboolean
mcs_store_rotate_webhook_secret (McsStore   *self,
                                 gint64      id,
                                 const char *secret,
                                 gint64      previous_until,
                                 GError    **error)
{
  return mcs_store_run (self,
                        "UPDATE webhook_endpoints SET previous_secret = secret,"
                        "  previous_secret_until = ?3, secret = ?2 WHERE id = ?1",
                        error, "isi", id, secret, previous_until) &&
         check_changed (self, id, error);
}

/* Deliveries */

static McsWebhookDelivery *
read_delivery (McsStatement *statement)
{
  McsWebhookDelivery *delivery = g_new0 (McsWebhookDelivery, 1);

  delivery->id = mcs_statement_get_int64 (statement, 0);
  delivery->event_id = mcs_statement_get_int64 (statement, 1);
  delivery->message_id = mcs_store_dup_text (statement, 2);
  delivery->type = mcs_store_dup_text (statement, 3);
  delivery->payload = mcs_store_dup_text (statement, 4);
  delivery->created_at = mcs_statement_get_int64 (statement, 5);
  delivery->endpoint_id = mcs_statement_get_int64 (statement, 6);
  delivery->url = mcs_store_dup_text (statement, 7);
  delivery->secret = mcs_store_dup_text (statement, 8);
  delivery->previous_secret = mcs_store_dup_text (statement, 9);
  delivery->previous_secret_until = mcs_statement_get_int64 (statement, 10);
  delivery->state = mcs_store_dup_text (statement, 11);
  delivery->attempts = mcs_statement_get_int64 (statement, 12);
  delivery->next_attempt_at = mcs_statement_get_int64 (statement, 13);
  delivery->last_attempt_at = mcs_statement_get_int64 (statement, 14);
  delivery->last_status = mcs_statement_get_int64 (statement, 15);
  delivery->last_error = mcs_store_dup_text (statement, 16);
  delivery->delivered_at = mcs_statement_get_int64 (statement, 17);

  return delivery;
}

static GPtrArray *
collect_deliveries (McsStore     *self,
                    McsStatement *statement,
                    GError      **error)
{
  g_autoptr (GPtrArray) deliveries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) mcs_webhook_delivery_free);
  GError  *local_error = NULL;
  gboolean has_row;

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    g_ptr_array_add (deliveries, read_delivery (statement));

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&deliveries);
}

/**
 * mcs_store_list_due_deliveries:
 * @self: a store
 * @now: the time
 * @limit: the most to return
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type McsWebhookDelivery): pending
 *   deliveries to enabled endpoints whose next attempt is due, oldest first
 */
GPtrArray *
mcs_store_list_due_deliveries (McsStore *self,
                               gint64    now,
                               guint     limit,
                               GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      DELIVERY_SELECT
                                      " WHERE d.state = 'pending' AND d.next_attempt_at <= ?1"
                                      "   AND w.disabled_at IS NULL"
                                      " ORDER BY d.next_attempt_at, d.id LIMIT ?2",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, now);
  mcs_statement_bind_int64 (statement, 2, limit);

  return collect_deliveries (self, statement, error);
}

/**
 * mcs_store_claim_delivery:
 * @self: a store
 * @delivery_id: a due delivery
 * @now: the time
 * @until: when another server may try it, if this one has not recorded an
 *   attempt by then (it died meanwhile)
 *
 * Several servers on one database all see the same due deliveries: the one
 * that claims a delivery sends it, and the others leave it alone until
 * @until. One UPDATE, which only one server's can change.
 *
 * Returns: whether this server may send it now
 */
gboolean
mcs_store_claim_delivery (McsStore *self,
                          gint64    delivery_id,
                          gint64    now,
                          gint64    until)
{
  g_autoptr (GError) error = NULL;

  if (!mcs_store_run (self,
                      "UPDATE webhook_deliveries SET next_attempt_at = ?3"
                      " WHERE id = ?1 AND state = 'pending' AND next_attempt_at <= ?2",
                      &error, "iii", delivery_id, now, until))
    return FALSE;

  return mcs_database_changes (self->database) == 1;
}

/**
 * mcs_store_list_deliveries:
 * @self: a store
 * @endpoint_id: an endpoint, or 0 for all
 * @limit: the most to return
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type McsWebhookDelivery): the delivery
 *   log, newest first
 */
GPtrArray *
mcs_store_list_deliveries (McsStore *self,
                           gint64    endpoint_id,
                           guint     limit,
                           GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      DELIVERY_SELECT " WHERE ?1 = 0 OR d.endpoint_id = ?1"
                                                      " ORDER BY d.id DESC LIMIT ?2",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, endpoint_id);
  mcs_statement_bind_int64 (statement, 2, limit);

  return collect_deliveries (self, statement, error);
}

McsWebhookDelivery *
mcs_store_get_delivery (McsStore *self,
                        gint64    id,
                        GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  g_autoptr (GPtrArray)    found = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database, DELIVERY_SELECT " WHERE d.id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, id);
  found = collect_deliveries (self, statement, error);
  if (found == NULL)
    return NULL;

  if (found->len == 0)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_NOT_FOUND,
                   "There is no webhook delivery %" G_GINT64_FORMAT, id);
      return NULL;
    }

  return g_ptr_array_steal_index (found, 0);
}

/**
 * mcs_store_record_attempt:
 * @self: a store
 * @delivery: the delivery tried
 * @now: when the attempt ended
 * @status: the HTTP status, or 0 if there was none
 * @error_text: (nullable): what went wrong
 * @state: "delivered", "pending" (to retry at @next_attempt_at) or "failed"
 * @next_attempt_at: when to retry
 * @error: a #GError
 *
 * Records the attempt, and the endpoint's health: a delivery clears its
 * failures, anything else starts them if they had not started.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_record_attempt (McsStore                 *self,
                          const McsWebhookDelivery *delivery,
                          gint64                    now,
                          guint                     status,
                          const char               *error_text,
                          const char               *state,
                          gint64                    next_attempt_at,
                          GError                  **error)
{
  gboolean delivered = g_str_equal (state, "delivered");
  GError  *local_error = NULL;

  if (!mcs_database_begin (self->database, &local_error))
    return mcs_store_fail (error, local_error);

  if (!mcs_store_run (self,
                      "UPDATE webhook_deliveries SET attempts = attempts + 1, state = ?2,"
                      "  last_attempt_at = ?3, last_status = nullif (?4, 0), last_error = ?5,"
                      "  next_attempt_at = CASE ?2 WHEN 'pending' THEN ?6 END,"
                      "  delivered_at = CASE ?2 WHEN 'delivered' THEN ?3 END"
                      " WHERE id = ?1 AND state = 'pending'",
                      error, "isiisi", delivery->id, state, now, (gint64) status, error_text,
                      next_attempt_at) ||
      !mcs_store_run (self,
                      delivered ? "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?1"
                                : "UPDATE webhook_endpoints SET"
                                  "  failing_since = coalesce (failing_since, ?2) WHERE id = ?1",
                      error, delivered ? "i" : "ii", delivery->endpoint_id, now) ||
      !mcs_database_commit (self->database, &local_error))
    {
      mcs_database_rollback (self->database);
      return local_error ? mcs_store_fail (error, local_error) : FALSE;
    }

  return TRUE;
}

/**
 * mcs_store_redeliver:
 * @self: a store
 * @id: a delivery
 * @now: when
 * @error: a #GError
 *
 * Queues the delivery again, whatever its state, with the same message id
 * and a fresh retry schedule.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_redeliver (McsStore *self,
                     gint64    id,
                     gint64    now,
                     GError  **error)
{
  if (!mcs_store_run (self,
                      "UPDATE webhook_deliveries SET state = 'pending', attempts = 0,"
                      "  next_attempt_at = ?2, delivered_at = NULL WHERE id = ?1",
                      error, "ii", id, now))
    return FALSE;

  if (mcs_database_changes (self->database) == 0)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_NOT_FOUND,
                   "There is no webhook delivery %" G_GINT64_FORMAT, id);
      return FALSE;
    }

  self->events_queued = TRUE;
  mcs_store_events_committed (self);
  return TRUE;
}

/**
 * mcs_store_get_webhook_queue:
 * @self: a store
 * @now: the time
 * @length: (out): pending deliveries
 * @oldest_age: (out): seconds since the oldest pending event, or 0
 * @next_due: (out): when the next attempt is due, or 0 if none is
 *
 * Only deliveries to enabled endpoints count.
 */
void
mcs_store_get_webhook_queue (McsStore *self,
                             gint64    now,
                             gint64   *length,
                             gint64   *oldest_age,
                             gint64   *next_due)
{
  g_autoptr (McsStatement) statement = NULL;
  gboolean                 has_row = FALSE;

  *length = *oldest_age = *next_due = 0;

  statement = mcs_database_statement (self->database,
                                      "SELECT count (*), min (e.created_at), min (d.next_attempt_at)"
                                      " FROM webhook_deliveries d"
                                      " JOIN webhook_events e ON e.id = d.event_id"
                                      " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
                                      " WHERE d.state = 'pending' AND w.disabled_at IS NULL",
                                      NULL);
  if (statement == NULL || !mcs_database_step (self->database, statement, &has_row, NULL) ||
      !has_row)
    return;

  *length = mcs_statement_get_int64 (statement, 0);
  if (*length > 0)
    {
      *oldest_age = MAX (0, now - mcs_statement_get_int64 (statement, 1));
      *next_due = mcs_statement_get_int64 (statement, 2);
    }
}

/* Forgets events older than @before whose deliveries are all finished. */
guint
mcs_store_purge_webhook_events (McsStore *self,
                                gint64    before)
{
  if (!mcs_store_run (self,
                      "DELETE FROM webhook_events WHERE created_at < ?1 AND NOT EXISTS"
                      " (SELECT 1 FROM webhook_deliveries d"
                      "  WHERE d.event_id = webhook_events.id AND d.state = 'pending')",
                      NULL, "i", before))
    return 0;

  return mcs_database_changes (self->database);
}

void
mcs_webhook_endpoint_free (McsWebhookEndpoint *endpoint)
{
  if (endpoint == NULL)
    return;

  g_free (endpoint->url);
  g_strfreev (endpoint->events);
  g_free (endpoint->secret);
  g_free (endpoint->previous_secret);
  g_free (endpoint->description);
  g_free (endpoint->disabled_reason);
  g_free (endpoint);
}

void
mcs_webhook_delivery_free (McsWebhookDelivery *delivery)
{
  if (delivery == NULL)
    return;

  g_free (delivery->message_id);
  g_free (delivery->type);
  g_free (delivery->payload);
  g_free (delivery->url);
  g_free (delivery->secret);
  g_free (delivery->previous_secret);
  g_free (delivery->state);
  g_free (delivery->last_error);
  g_free (delivery);
}
