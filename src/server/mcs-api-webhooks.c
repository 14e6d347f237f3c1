/* mcs-api-webhooks.c — the admin API: webhook endpoints and their deliveries
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The router has already checked the admin API key. A secret is shown
 * when it is made (creation, rotation) and never again.
 */

#define G_LOG_DOMAIN "mcs-api"

#include "mcs-api.h"
#include "mcs-clock.h"
#include "mcs-views.h"
#include "mcs-webhooks.h"

/* The most deliveries one listing returns. */
#define MAX_DELIVERIES 500

static void
reply_field_error (McsRequest   *request,
                   const GError *error,
                   const char   *field)
{
  g_autoptr (JsonObject) extra = json_object_new ();

  if (error->domain == MC_ERROR && error->code == MC_ERROR_INVALID_FIELD && field != NULL)
    json_object_set_string_member (extra, "field", field);

  mcs_request_reply_error_extra (request, error, extra);
}

/* Reads the "events" array: known event names, at least one unless @array
 * is empty (which means every event). */
static GStrv
read_events (JsonArray *array,
             GError   **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GPtrArray)    seen = g_ptr_array_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode   *node = json_array_get_element (array, i);
      const char *name = JSON_NODE_HOLDS_VALUE (node) &&
                             json_node_get_value_type (node) == G_TYPE_STRING
                           ? json_node_get_string (node)
                           : NULL;

      if (!mcs_webhook_is_event_type (name))
        {
          g_autofree char *known = NULL;
          guint            n_types;

          known = g_strjoinv (", ", (char **) mcs_webhook_get_event_types (&n_types));
          g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                       "“events” must list event names from: %s", known);
          return NULL;
        }

      if (g_ptr_array_find_with_equal_func (seen, name, g_str_equal, NULL))
        continue;

      g_ptr_array_add (seen, (gpointer) name);
      g_strv_builder_add (builder, name);
    }

  return g_strv_builder_end (builder);
}

static void
reply_endpoint (McsRequest               *request,
                guint                     status,
                const McsWebhookEndpoint *endpoint,
                gboolean                  with_secret)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  mcs_view_add_webhook (builder, endpoint, with_secret);
  mcs_request_reply_builder (request, status, builder);
}

void
mcs_api_admin_list_webhooks (McsRequest *request)
{
  McsStore               *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray)   endpoints = NULL;
  g_autoptr (GError)      error = NULL;

  endpoints = mcs_store_list_webhooks (store, &error);
  if (endpoints == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "webhooks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < endpoints->len; i++)
    mcs_view_add_webhook (builder, g_ptr_array_index (endpoints, i), FALSE);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_admin_create_webhook (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "url", MC_JSON_STRING, TRUE, 1, MCS_WEBHOOK_MAX_URL_LENGTH },
    { "events", MC_JSON_ARRAY, FALSE, 0, 16 },
    { "secret", MC_JSON_STRING, FALSE, 1, 200 },
    { "description", MC_JSON_STRING, FALSE, 0, 200 },
  };
  McsStore                      *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonObject)         body = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (McsWebhookEndpoint) endpoint = NULL;
  g_auto (GStrv)                 events = NULL;
  g_autofree char               *secret = NULL;
  const char                    *url;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  url = json_object_get_string_member (body, "url");
  if (!mcs_webhook_check_url (url, &error))
    {
      reply_field_error (request, error, "url");
      return;
    }

  events = read_events (mc_json_has (body, "events") ? json_object_get_array_member (body, "events")
                                                     : NULL,
                        &error);
  if (events == NULL)
    {
      reply_field_error (request, error, "events");
      return;
    }

  if (mc_json_has (body, "secret"))
    {
      secret = g_strdup (json_object_get_string_member (body, "secret"));
      if (!mcs_webhook_check_secret (secret, &error))
        {
          reply_field_error (request, error, "secret");
          return;
        }
    }
  else
    {
      secret = mcs_webhook_new_secret ();
    }

  endpoint = mcs_store_add_webhook (store, url, (const char * const *) events, secret,
                                    mc_json_has (body, "description")
                                      ? json_object_get_string_member (body, "description")
                                      : NULL,
                                    &error);
  if (endpoint == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  g_message ("Added webhook endpoint %" G_GINT64_FORMAT, endpoint->id);
  reply_endpoint (request, SOUP_STATUS_CREATED, endpoint, TRUE);
}

static McsWebhookEndpoint *
load_endpoint (McsRequest *request)
{
  McsStore           *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (GError)  error = NULL;
  McsWebhookEndpoint *endpoint;

  endpoint = mcs_store_get_webhook (store, mcs_request_get_id (request), &error);
  if (endpoint == NULL)
    mcs_request_reply_error (request, error);

  return endpoint;
}

void
mcs_api_admin_get_webhook (McsRequest *request)
{
  g_autoptr (McsWebhookEndpoint) endpoint = load_endpoint (request);

  if (endpoint != NULL)
    reply_endpoint (request, SOUP_STATUS_OK, endpoint, FALSE);
}

/* PATCH: {"enabled": true} enables it again (its waiting deliveries are
 * tried at once); false disables it. */
void
mcs_api_admin_update_webhook (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "enabled", MC_JSON_BOOLEAN, TRUE, 0, 0 },
  };
  McsStore                      *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonObject)         body = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (McsWebhookEndpoint) endpoint = NULL;
  gboolean                       enabled;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  enabled = json_object_get_boolean_member (body, "enabled");
  endpoint = load_endpoint (request);
  if (endpoint == NULL)
    return;

  if (!mcs_store_set_webhook_enabled (store, endpoint->id, enabled, "Disabled by an administrator",
                                      mcs_clock_now (), &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  g_clear_pointer (&endpoint, mcs_webhook_endpoint_free);
  endpoint = load_endpoint (request);
  if (endpoint != NULL)
    reply_endpoint (request, SOUP_STATUS_OK, endpoint, FALSE);
}

void
mcs_api_admin_delete_webhook (McsRequest *request)
{
  McsStore          *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (GError) error = NULL;

  if (!mcs_store_remove_webhook (store, mcs_request_get_id (request), &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  g_message ("Removed webhook endpoint %" G_GINT64_FORMAT, mcs_request_get_id (request));
  mcs_request_reply_empty (request, SOUP_STATUS_NO_CONTENT);
}

/* POST .../rotate-secret: a new secret (given or made); the old one keeps
 * signing beside it for a day, so that receivers can switch. */
void
mcs_api_admin_rotate_webhook_secret (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "secret", MC_JSON_STRING, FALSE, 1, 200 },
  };
  McsStore                      *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonObject)         body = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (McsWebhookEndpoint) endpoint = NULL;
  g_autofree char               *secret = NULL;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  if (mc_json_has (body, "secret"))
    {
      secret = g_strdup (json_object_get_string_member (body, "secret"));
      if (!mcs_webhook_check_secret (secret, &error))
        {
          reply_field_error (request, error, "secret");
          return;
        }
    }
  else
    {
      secret = mcs_webhook_new_secret ();
    }

  if (!mcs_store_rotate_webhook_secret (store, mcs_request_get_id (request), secret,
                                        mcs_clock_now () + MCS_WEBHOOK_ROTATION_SECONDS, &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  endpoint = load_endpoint (request);
  if (endpoint != NULL)
    reply_endpoint (request, SOUP_STATUS_OK, endpoint, TRUE);
}

void
mcs_api_admin_list_webhook_deliveries (McsRequest *request)
{
  McsStore                      *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonBuilder)        builder = json_builder_new ();
  g_autoptr (McsWebhookEndpoint) endpoint = NULL;
  g_autoptr (GPtrArray)          deliveries = NULL;
  g_autoptr (GError)             error = NULL;
  const char                    *limit_text = mcs_request_get_query (request, "limit");
  guint64                        limit = 100;

  if (limit_text != NULL &&
      !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_DELIVERIES, &limit, NULL))
    {
      g_autoptr (JsonObject) extra = json_object_new ();
      g_autofree char       *text = g_strdup_printf ("“limit” must be from 1 to %d",
                                                     MAX_DELIVERIES);

      json_object_set_string_member (extra, "field", "limit");
      g_set_error_literal (&error, MC_ERROR, MC_ERROR_INVALID_FIELD, text);
      mcs_request_reply_error_extra (request, error, extra);
      return;
    }

  endpoint = load_endpoint (request);
  if (endpoint == NULL)
    return;

  deliveries = mcs_store_list_deliveries (store, endpoint->id, limit, &error);
  if (deliveries == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "deliveries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < deliveries->len; i++)
    mcs_view_add_webhook_delivery (builder, g_ptr_array_index (deliveries, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

/* POST /api/v1/admin/webhook-deliveries/{id}/redeliver: queues it again now,
 * with the same webhook-id. */
void
mcs_api_admin_redeliver_webhook (McsRequest *request)
{
  McsStore                      *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonBuilder)        builder = json_builder_new ();
  g_autoptr (McsWebhookDelivery) delivery = NULL;
  g_autoptr (GError)             error = NULL;

  if (!mcs_store_redeliver (store, mcs_request_get_id (request), mcs_clock_now (), &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  delivery = mcs_store_get_delivery (store, mcs_request_get_id (request), &error);
  if (delivery == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  mcs_view_add_webhook_delivery (builder, delivery);
  mcs_request_reply_builder (request, SOUP_STATUS_ACCEPTED, builder);
}
