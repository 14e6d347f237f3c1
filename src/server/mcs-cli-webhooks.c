/* mcs-cli-webhooks.c — the admin command line: webhook endpoints and deliveries
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `mentorcall-server webhook add|list|remove|deliveries|redeliver`, on the
 * database directly with the admin API's checks. A running server notices
 * a delivery queued from here within a minute (its worker looks at the
 * queue at least that often).
 */

#define G_LOG_DOMAIN "mcs-cli"

#include "mcs-cli.h"
#include "mcs-clock.h"
#include "mcs-webhooks.h"

/* How many deliveries `webhook deliveries` shows. */
#define DELIVERIES_SHOWN 50

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

static int
webhook_add (McsStore            *store,
             const McsCliOptions *options,
             const char          *url)
{
  g_autoptr (McsWebhookEndpoint) endpoint = NULL;
  g_autoptr (GStrvBuilder)       builder = g_strv_builder_new ();
  g_autoptr (GError)             error = NULL;
  g_auto (GStrv)                 events = NULL;
  g_autofree char               *secret = NULL;

  if (!mcs_webhook_check_url (url, &error))
    return mcs_cli_fail (error);

  if (options->events != NULL)
    {
      g_auto (GStrv) names = g_strsplit (options->events, ",", -1);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *name = g_strstrip (names[i]);

          if (!mcs_webhook_is_event_type (name))
            {
              guint            n_types;
              g_autofree char *known = g_strjoinv (
                ", ", (char **) mcs_webhook_get_event_types (&n_types));
              g_autofree char *text = g_strdup_printf ("Unknown event “%s”; the events are: %s",
                                                       name, known);

              return mcs_cli_usage (text);
            }
          g_strv_builder_add (builder, name);
        }
    }
  events = g_strv_builder_end (builder);

  if (options->secret != NULL)
    {
      if (!mcs_webhook_check_secret (options->secret, &error))
        return mcs_cli_fail (error);
      secret = g_strdup (options->secret);
    }
  else
    {
      secret = mcs_webhook_new_secret ();
    }

  endpoint = mcs_store_add_webhook (store, url, (const char * const *) events, secret,
                                    options->description, &error);
  if (endpoint == NULL)
    return mcs_cli_fail (error);

  g_print ("Created webhook endpoint %" G_GINT64_FORMAT "\nSecret: %s\n", endpoint->id,
           endpoint->secret);
  return EXIT_SUCCESS;
}

static int
webhook_list (McsStore *store)
{
  g_autoptr (GPtrArray) endpoints = NULL;
  g_autoptr (GError)    error = NULL;

  endpoints = mcs_store_list_webhooks (store, &error);
  if (endpoints == NULL)
    return mcs_cli_fail (error);

  for (guint i = 0; i < endpoints->len; i++)
    {
      McsWebhookEndpoint *endpoint = g_ptr_array_index (endpoints, i);
      g_autofree char    *events = g_strjoinv (",", endpoint->events);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s%s%s\n", endpoint->id,
               endpoint->disabled_at == 0 ? "enabled" : "disabled", endpoint->url,
               events[0] != '\0' ? events : "*", endpoint->description,
               endpoint->disabled_reason != NULL ? "\t" : "",
               endpoint->disabled_reason != NULL ? endpoint->disabled_reason : "");
    }

  return EXIT_SUCCESS;
}

static int
webhook_deliveries (McsStore *store,
                    gint64    endpoint_id)
{
  g_autoptr (GPtrArray) deliveries = NULL;
  g_autoptr (GError)    error = NULL;

  deliveries = mcs_store_list_deliveries (store, endpoint_id, DELIVERIES_SHOWN, &error);
  if (deliveries == NULL)
    return mcs_cli_fail (error);

  for (guint i = 0; i < deliveries->len; i++)
    {
      McsWebhookDelivery *delivery = g_ptr_array_index (deliveries, i);
      g_autofree char    *created = mc_json_format_time (delivery->created_at);
      g_autofree char    *next = delivery->next_attempt_at != 0
                                   ? mc_json_format_time (delivery->next_attempt_at)
                                   : g_strdup ("-");
      g_autofree char    *status = delivery->last_status != 0
                                     ? g_strdup_printf ("%d", delivery->last_status)
                                     : g_strdup ("-");

      g_print ("%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\tattempts %d\t"
               "last %s\tnext %s%s%s\n",
               delivery->id, delivery->endpoint_id, delivery->message_id, delivery->type,
               created, delivery->state, delivery->attempts, status, next,
               delivery->last_error != NULL ? "\t" : "",
               delivery->last_error != NULL ? delivery->last_error : "");
    }

  return EXIT_SUCCESS;
}

/**
 * mcs_cli_webhook:
 * @store: the store
 * @options: the command's options
 * @args: the words after `webhook`
 *
 * Returns: the process's exit status
 */
int
mcs_cli_webhook (McsStore            *store,
                 const McsCliOptions *options,
                 char               **args)
{
  g_autoptr (GError) error = NULL;
  guint              n_args = g_strv_length (args);
  const char        *verb = n_args > 0 ? args[0] : "";
  gint64             id = 0;

  if (g_str_equal (verb, "add"))
    {
      if (n_args != 2)
        return mcs_cli_usage ("webhook add needs a URL");
      return webhook_add (store, options, args[1]);
    }

  if (g_str_equal (verb, "list") && n_args == 1)
    return webhook_list (store);

  if (g_str_equal (verb, "remove"))
    {
      if (n_args != 2 || !parse_id (args[1], &id))
        return mcs_cli_usage ("webhook remove needs an endpoint ID");
      if (!mcs_store_remove_webhook (store, id, &error))
        return mcs_cli_fail (error);
      g_print ("Removed webhook endpoint %" G_GINT64_FORMAT "\n", id);
      return EXIT_SUCCESS;
    }

  if (g_str_equal (verb, "deliveries"))
    {
      if (n_args > 2 || (n_args == 2 && !parse_id (args[1], &id)))
        return mcs_cli_usage ("webhook deliveries takes an endpoint ID or nothing");
      if (id != 0)
        {
          g_autoptr (McsWebhookEndpoint) endpoint = mcs_store_get_webhook (store, id, &error);

          if (endpoint == NULL)
            return mcs_cli_fail (error);
        }
      return webhook_deliveries (store, id);
    }

  if (g_str_equal (verb, "redeliver"))
    {
      if (n_args != 2 || !parse_id (args[1], &id))
        return mcs_cli_usage ("webhook redeliver needs a delivery ID");
      if (!mcs_store_redeliver (store, id, mcs_clock_now (), &error))
        return mcs_cli_fail (error);
      g_print ("Queued delivery %" G_GINT64_FORMAT " again\n", id);
      return EXIT_SUCCESS;
    }

  return mcs_cli_usage ("unknown command");
}
