/* mcs-metrics.c — counters exported in the Prometheus text format
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every metric the server can export is declared in the table below with
 * its help text, so that /metrics always lists all of them, at zero before
 * their first event, and a typo in a metric name fails loudly in tests.
 */

#define G_LOG_DOMAIN "mcs-metrics"

#include <stdlib.h>

#include "mcs-metrics.h"

static const struct
{
  const char *name;
  const char *type;
  const char *help;
} known_metrics[] = {
  { "mentorcall_http_requests_total", "counter", "HTTP requests answered, by status" },
  { "mentorcall_logins_total", "counter", "Login attempts, by result" },
  { "mentorcall_call_tokens_issued_total", "counter", "Call tokens issued" },
  { "mentorcall_call_token_refusals_total", "counter", "Call token requests refused, by code" },
  { "mentorcall_uptime_seconds", "gauge", "Seconds since the server started" },
  { "mentorcall_webhook_deliveries_total", "counter",
    "Webhook delivery attempts, by result: delivered, retried (failed, tried again later) "
    "or failed (given up)" },
  { "mentorcall_webhook_queue_length", "gauge", "Webhook deliveries waiting to be delivered" },
  { "mentorcall_webhook_oldest_pending_seconds", "gauge",
    "Age of the oldest webhook event not yet delivered, in seconds; 0 if none" },
};

struct _McsMetrics
{
  /* name → (series labels → count) */
  GHashTable *series;
  gint64      started;
};

McsMetrics *
mcs_metrics_new (void)
{
  McsMetrics *self = g_new0 (McsMetrics, 1);

  self->series = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) g_hash_table_unref);
  for (guint i = 0; i < G_N_ELEMENTS (known_metrics); i++)
    g_hash_table_insert (self->series, (gpointer) known_metrics[i].name,
                         g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free));
  self->started = g_get_monotonic_time ();

  return self;
}

void
mcs_metrics_free (McsMetrics *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->series);
  g_free (self);
}

static gint64 *
lookup (McsMetrics *self,
        const char *name,
        const char *label,
        const char *value)
{
  GHashTable *series = g_hash_table_lookup (self->series, name);
  g_autofree char *key = NULL;
  gint64 *count;

  g_return_val_if_fail (series != NULL, NULL);

  key = label != NULL ? g_strdup_printf ("%s=\"%s\"", label, value) : g_strdup ("");
  count = g_hash_table_lookup (series, key);
  if (count == NULL)
    {
      count = g_new0 (gint64, 1);
      g_hash_table_insert (series, g_steal_pointer (&key), count);
    }

  return count;
}

/**
 * mcs_metrics_count:
 * @self: the metrics
 * @name: a declared counter
 * @label: (nullable): a label name; label values must be from a small,
 *   fixed set (status codes, result names), never from user input
 * @value: (nullable): the label's value
 *
 * Adds one to a counter.
 */
void
mcs_metrics_count (McsMetrics *self,
                   const char *name,
                   const char *label,
                   const char *value)
{
  gint64 *count = lookup (self, name, label, value);

  if (count != NULL)
    (*count)++;
}

void
mcs_metrics_set_gauge (McsMetrics *self,
                       const char *name,
                       gint64      value)
{
  gint64 *gauge = lookup (self, name, NULL, NULL);

  if (gauge != NULL)
    *gauge = value;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * mcs_metrics_render:
 * @self: the metrics
 *
 * Returns: (transfer full): every metric in the Prometheus text format 0.0.4
 */
char *
mcs_metrics_render (McsMetrics *self)
{
  GString *text = g_string_new (NULL);

  mcs_metrics_set_gauge (self, "mentorcall_uptime_seconds",
                         (g_get_monotonic_time () - self->started) / G_USEC_PER_SEC);

  for (guint i = 0; i < G_N_ELEMENTS (known_metrics); i++)
    {
      GHashTable *series = g_hash_table_lookup (self->series, known_metrics[i].name);
      g_autofree gpointer *keys = NULL;
      guint n_keys;

      g_string_append_printf (text, "# HELP %s %s\n# TYPE %s %s\n",
                              known_metrics[i].name, known_metrics[i].help,
                              known_metrics[i].name, known_metrics[i].type);

      if (g_hash_table_size (series) == 0)
        {
          g_string_append_printf (text, "%s 0\n", known_metrics[i].name);
          continue;
        }

      keys = g_hash_table_get_keys_as_array (series, &n_keys);
      qsort (keys, n_keys, sizeof (gpointer), compare_strings);

      for (guint k = 0; k < n_keys; k++)
        {
          const char *labels = keys[k];
          gint64     *count = g_hash_table_lookup (series, labels);

          if (labels[0] != '\0')
            g_string_append_printf (text, "%s{%s} %" G_GINT64_FORMAT "\n",
                                    known_metrics[i].name, labels, *count);
          else
            g_string_append_printf (text, "%s %" G_GINT64_FORMAT "\n",
                                    known_metrics[i].name, *count);
        }
    }

  return g_string_free (text, FALSE);
}
