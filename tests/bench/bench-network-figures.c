/* bench-network-figures.c — the network benchmark's figures
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What each end of a call received and sent, second by second, and its
 * freezes, whichever engine made the call (bench-network.c reads ours from
 * `mentorcall-cli join`, Chromium's from its page), turned into the same
 * figures over the same window: frame rate, freezes, sent bitrate and the
 * time to fit under a cap, resolution, recovery after an outage.
 */

#include <math.h>

#include "bench-network.h"

/* Helpers */

static void
set_double_or_null (JsonObject *object,
                    const char *member,
                    double      value)
{
  if (isfinite (value) && value >= 0)
    json_object_set_double_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

/* The figures of one receiving (and sending) end over [0, window]. */
static JsonObject *
analyze_endpoint (BenchEndpoint *endpoint,
                  double         window,
                  double         cap_kbit,
                  double         outage_end)
{
  JsonObject  *result = json_object_new ();
  BenchSample *first = NULL, *last = NULL;
  double       worst = INFINITY, frozen = 0, sent_sum = 0, media_start = NAN, last_over = NAN;
  double       recovery = NAN, min_height = INFINITY;
  guint        n_freezes = 0, n_sent = 0;
  int          width = 0, height = 0;
  BenchSample *previous = NULL;

  for (guint i = 0; i < endpoint->samples->len; i++)
    {
      BenchSample *sample = &g_array_index (endpoint->samples, BenchSample, i);

      if (sample->sent_bps > 0 && isnan (media_start))
        media_start = sample->t;
      if (sample->t > window + 0.5)
        continue;
      /* Before the window too: the cap is there from the start. */
      if (cap_kbit > 0 && sample->sent_bps > cap_kbit * 1000)
        last_over = sample->t;
      if (sample->t < 0)
        continue;

      if (first == NULL)
        first = sample;
      else if (previous != NULL && sample->t > previous->t)
        worst = MIN (worst, (sample->frames - previous->frames) / (sample->t - previous->t));
      previous = last = sample;
      if (sample->sent_bps >= 0)
        {
          sent_sum += sample->sent_bps;
          n_sent++;
        }
      if (sample->height > 0)
        {
          min_height = MIN (min_height, sample->height);
          width = sample->width;
          height = sample->height;
        }
    }

  if (!endpoint->decoded)
    bench_endpoint_add_freeze (endpoint, 0, INFINITY);
  for (guint i = 0; i < endpoint->freezes->len; i++)
    {
      BenchFreeze *freeze = &g_array_index (endpoint->freezes, BenchFreeze, i);
      double       start = MAX (freeze->start, 0), end = MIN (freeze->end, window);

      if (freeze->end - freeze->start > BENCH_FREEZE_SECONDS && end > start)
        {
          n_freezes++;
          frozen += end - start;
        }
      if (outage_end > 0 && freeze->start <= outage_end && freeze->end >= outage_end)
        recovery = freeze->end - outage_end;
    }
  if (outage_end > 0 && isnan (recovery))
    recovery = endpoint->decoded ? 0 : INFINITY;

  json_object_set_double_member (result, "fps_mean",
                                 first != NULL && last != first && last->t > first->t
                                   ? (last->frames - first->frames) / (last->t - first->t)
                                   : 0);
  json_object_set_double_member (result, "fps_worst_second", isfinite (worst) ? worst : 0);
  json_object_set_int_member (result, "freezes", n_freezes);
  json_object_set_double_member (result, "frozen_s", frozen);
  set_double_or_null (result, "sent_kbit_s", n_sent > 0 ? sent_sum / n_sent / 1000 : NAN);
  /* The last resolution known: a second may report none while it changes. */
  json_object_set_int_member (result, "width", width);
  json_object_set_int_member (result, "height", height);
  set_double_or_null (result, "min_height", min_height);
  if (cap_kbit > 0)
    {
      /* From media's start until the sent bitrate stays under the cap; null
       * when it was over it at the end. */
      double fit = isnan (last_over) ? 0 : last_over - media_start;

      /* The samples after the window are left out: they cover the leaving. */
      if (last != NULL && !isnan (last_over) && last_over >= last->t)
        fit = NAN;
      set_double_or_null (result, "fit_under_cap_s", fit);
    }
  if (outage_end > 0)
    set_double_or_null (result, "recovery_ms", recovery * 1000);
  json_object_set_object_member (result, "extra", json_object_ref (endpoint->extra));

  return result;
}

/* The per-second members of our --stats-json this file does not read: new
 * ones (the bandwidth estimate, its target, what is sent, the resolution
 * sent) are reported by name, without this file knowing them: numbers (and
 * booleans, as 0 or 1) as their mean over the window and their last value,
 * strings as their last value, members of an object as "object.member". */
static void
add_field (GHashTable *sums,
           JsonObject *strings,
           const char *name,
           JsonNode   *node,
           guint       depth)
{
  double *sum;
  double  value;

  if (JSON_NODE_HOLDS_OBJECT (node) && depth == 0)
    {
      JsonObject       *object = json_node_get_object (node);
      g_autoptr (GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", name, (const char *) l->data);

          add_field (sums, strings, child, json_object_get_member (object, l->data), depth + 1);
        }
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      json_object_set_string_member (strings, name, json_node_get_string (node));
      return;
    }

  value = json_node_get_value_type (node) == G_TYPE_BOOLEAN ? json_node_get_boolean (node)
                                                            : json_node_get_double (node);
  sum = g_hash_table_lookup (sums, name);
  if (sum == NULL)
    {
      sum = g_new0 (double, 3);
      g_hash_table_insert (sums, g_strdup (name), sum);
    }
  sum[0] += value;
  sum[1]++;
  sum[2] = value;
}

/* The larger, or NaN (never, unknown) when either is. */
static double
max_or_nan (double a,
            double b)
{
  return isnan (a) || isnan (b) ? NAN : MAX (a, b);
}

/* Public API */

void
bench_endpoint_init (BenchEndpoint *endpoint)
{
  endpoint->samples = g_array_new (FALSE, FALSE, sizeof (BenchSample));
  endpoint->freezes = g_array_new (FALSE, FALSE, sizeof (BenchFreeze));
  endpoint->decoded = FALSE;
  endpoint->extra = json_object_new ();
}

void
bench_endpoint_clear (BenchEndpoint *endpoint)
{
  g_clear_pointer (&endpoint->samples, g_array_unref);
  g_clear_pointer (&endpoint->freezes, g_array_unref);
  g_clear_pointer (&endpoint->extra, json_object_unref);
}

void
bench_endpoint_add_freeze (BenchEndpoint *endpoint,
                           double         start,
                           double         end)
{
  BenchFreeze freeze = { start, end };

  g_array_append_val (endpoint->freezes, freeze);
}

double
bench_member_or_nan (JsonObject *object,
                     const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : NAN;
}

/* Both ends of an engine's call: each direction's figures and the summary
 * the case line prints (means of the two, the worst second of either, the
 * freezes of both directions and the mean time one direction was frozen,
 * the slower fit and recovery). */
JsonObject *
bench_summarize_engine (BenchEndpoint   *ends,
                        const char      *engine,
                        const BenchCase *test_case,
                        double           window,
                        double           outage_end)
{
  JsonObject         *result = json_object_new ();
  JsonObject         *by_end = json_object_new ();
  JsonObject         *sides[2];
  const char         *names[] = { "mentor", "student" };
  double              fps = 0, worst = INFINITY, frozen = 0, sent = 0, fit = 0, recovery = 0;
  gint64              n_freezes = 0;
  g_autoptr (GString) line = g_string_new (NULL);

  for (guint i = 0; i < 2; i++)
    {
      sides[i] = analyze_endpoint (&ends[i], window, test_case->cap_kbit, outage_end);
      json_object_set_object_member (by_end, names[i], sides[i]);
    }
  /* A sender whose video never reached the other end did not fit under the
   * cap, even if it went under it by sending nothing. */
  for (guint i = 0; i < 2 && test_case->cap_kbit > 0; i++)
    if (json_object_get_double_member (sides[1 - i], "fps_mean") < 1)
      json_object_set_null_member (sides[i], "fit_under_cap_s");

  for (guint i = 0; i < 2; i++)
    {
      fps += json_object_get_double_member (sides[i], "fps_mean") / 2;
      worst = MIN (worst, json_object_get_double_member (sides[i], "fps_worst_second"));
      n_freezes += json_object_get_int_member (sides[i], "freezes");
      frozen += json_object_get_double_member (sides[i], "frozen_s") / 2;
      sent += bench_member_or_nan (sides[i], "sent_kbit_s") / 2;
      if (test_case->cap_kbit > 0)
        fit = max_or_nan (fit, bench_member_or_nan (sides[i], "fit_under_cap_s"));
      if (outage_end > 0)
        recovery = max_or_nan (recovery, bench_member_or_nan (sides[i], "recovery_ms"));
    }

  json_object_set_double_member (result, "window_s", window);
  json_object_set_double_member (result, "fps_mean", fps);
  json_object_set_double_member (result, "fps_worst_second", worst);
  json_object_set_int_member (result, "freezes", n_freezes);
  json_object_set_double_member (result, "frozen_s_per_direction", frozen);
  set_double_or_null (result, "sent_kbit_s", sent);
  if (test_case->cap_kbit > 0)
    set_double_or_null (result, "fit_under_cap_s", fit);
  if (outage_end > 0)
    set_double_or_null (result, "recovery_ms", recovery);
  json_object_set_object_member (result, "ends", by_end);

  g_string_append_printf (line,
                          "  %-9s %5.1f fps (worst second %4.1f), %2" G_GINT64_FORMAT
                          " freezes (frozen %4.1f s), sends %5.0f kbit/s, receives "
                          "%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                          engine, fps, worst, n_freezes, frozen, sent,
                          json_object_get_int_member (sides[1], "width"),
                          json_object_get_int_member (sides[1], "height"));
  {
    JsonObject *extra = json_object_get_object_member (sides[1], "extra");

    if (json_object_has_member (extra, "latency_ms"))
      g_string_append_printf (line, ", latency %.0f ms", bench_member_or_nan (extra, "latency_ms"));
    else if (json_object_has_member (extra, "latency_estimate_ms"))
      g_string_append_printf (line, ", latency ~%.0f ms (estimate)",
                              bench_member_or_nan (extra, "latency_estimate_ms"));
  }
  if (test_case->cap_kbit > 0)
    {
      if (isnan (fit))
        g_string_append (line, ", never under the cap");
      else
        g_string_append_printf (line, ", under the cap after %.0f s", fit);
    }
  if (outage_end > 0)
    {
      if (isnan (recovery) || isinf (recovery))
        g_string_append (line, ", did NOT recover");
      else
        g_string_append_printf (line, ", video back %.0f ms after the network", recovery);
    }
  g_print ("%s\n", line->str);

  /* What the engine's newer statistics say (the sending end's estimate,
   * target and sent bitrate, its resolution…), whatever their names. */
  for (guint i = 0; i < 2; i++)
    {
      JsonObject         *extra = json_object_get_object_member (sides[i], "extra");
      JsonObject         *fields = json_object_has_member (extra, "stats_fields")
                                     ? json_object_get_object_member (extra, "stats_fields")
                                     : NULL;
      g_autoptr (GList)   names_list = fields != NULL ? json_object_get_members (fields) : NULL;
      g_autoptr (GString) more = g_string_new (NULL);

      for (GList *l = names_list; l != NULL; l = l->next)
        {
          JsonObject *field = json_object_get_object_member (fields, l->data);

          g_string_append_printf (more, " %s %.6g,", (const char *) l->data,
                                  bench_member_or_nan (field, "mean"));
        }
      if (more->len > 0)
        {
          g_string_truncate (more, more->len - 1);
          g_print ("  %-9s %s's statistics, means:%s\n", "", names[i], more->str);
        }
    }

  return result;
}

void
bench_collect_extra (JsonArray  *stats,
                     gint64      window_start,
                     double      window,
                     JsonObject *extra)
{
  static const char * const known[] = {
    "monotonic_time_us",
    "round_trip_ms",
    "loss",
    "remote_loss",
    "jitter_ms",
    "bitrate_in",
    "bitrate_out",
    "frame_rate",
    "width",
    "height",
    "quality",
    "frames_decoded",
    "audio_buffers_received",
    "time_to_first_frame_ms",
    "latency_samples",
    "latency_mean_ms",
    "latency_max_ms",
    "reconnections",
    "t",
  };
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject            *fields = json_object_new ();
  JsonObject            *strings = json_object_new ();
  GHashTableIter         iter;
  gpointer               key, value;

  for (guint i = 0; i < json_array_get_length (stats); i++)
    {
      JsonObject *second = json_array_get_object_element (stats, i);
      double      t = (json_object_get_int_member_with_default (second, "monotonic_time_us", 0) -
                  window_start) /
                 (double) G_USEC_PER_SEC;
      g_autoptr (GList) members = json_object_get_members (second);

      if (t < 0 || t > window + 0.5)
        continue;
      for (GList *l = members; l != NULL; l = l->next)
        {
          gboolean is_known = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (known); k++)
            is_known |= g_str_equal (known[k], l->data);
          if (!is_known)
            add_field (sums, strings, l->data, json_object_get_member (second, l->data), 0);
        }
    }

  g_hash_table_iter_init (&iter, sums);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double     *sum = value;
      JsonObject *field = json_object_new ();

      json_object_set_double_member (field, "mean", sum[0] / sum[1]);
      json_object_set_double_member (field, "last", sum[2]);
      json_object_set_object_member (fields, key, field);
    }
  json_object_set_object_member (extra, "stats_fields", fields);
  json_object_set_object_member (extra, "stats_strings", strings);
}
