/* bench-common.c — what the benchmarks share: figures, clocks, JSON output
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "bench-common.h"

int
bench_compare_double (gconstpointer a,
                      gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/**
 * bench_percentile:
 * @sorted: doubles, sorted
 * @percent: 0 to 100
 *
 * Returns: the nearest-rank percentile, or -1 for no values
 */
double
bench_percentile (GArray *sorted,
                  double  percent)
{
  guint rank;

  if (sorted->len == 0)
    return -1;

  rank = (guint) MIN (sorted->len - 1.0, MAX (0.0, percent / 100.0 * sorted->len - 1e-9));
  return g_array_index (sorted, double, rank);
}

/**
 * bench_summarize:
 * @values: doubles; sorted here
 * @label: what they are, for the printed line
 *
 * Prints min, median and max and returns them with all values as JSON.
 *
 * Returns: (transfer full): `{"values", "min", "median", "max"}`
 */
JsonObject *
bench_summarize (GArray     *values,
                 const char *label)
{
  JsonObject *object = json_object_new ();
  JsonArray  *all = json_array_new ();
  double      median;

  g_array_sort (values, bench_compare_double);
  for (guint i = 0; i < values->len; i++)
    json_array_add_double_element (all, g_array_index (values, double, i));

  json_object_set_array_member (object, "values", all);
  if (values->len == 0)
    {
      g_print ("  %-44s no values\n", label);
      return object;
    }

  median = values->len % 2 ? g_array_index (values, double, values->len / 2)
                           : (g_array_index (values, double, values->len / 2 - 1) +
                              g_array_index (values, double, values->len / 2)) /
                               2;
  json_object_set_double_member (object, "min", g_array_index (values, double, 0));
  json_object_set_double_member (object, "median", median);
  json_object_set_double_member (object, "max", g_array_index (values, double, values->len - 1));
  g_print ("  %-44s min %7.1f  median %7.1f  max %7.1f\n", label,
           g_array_index (values, double, 0), median,
           g_array_index (values, double, values->len - 1));

  return object;
}

/**
 * bench_process_origin:
 * @output: the standard output of a `mentorcall-cli join`
 * @origin_us: (out): CLOCK_MONOTONIC µs of that process's time 0
 *
 * Every `join` prints lines "SECONDS WHAT" timed from its own start, and
 * each of its per-second statistics carries g_get_monotonic_time(), the
 * same clock in every process of the machine. The difference maps the
 * process's times onto the common clock.
 *
 * Returns: whether there were statistics lines to do it with
 */
gboolean
bench_process_origin (const char *output,
                      double     *origin_us)
{
  g_autoptr (GArray) origins = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto (GStrv)     lines = g_strsplit (output, "\n", -1);

  /* Each statistics line: "T stats {…"monotonic_time_us":M…}"; M − T is
   * the origin, give or take the moments between taking and printing. The
   * smallest is the closest. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char            *json = strstr (lines[i], " stats {");
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject            *object;
      double                 origin;

      if (json == NULL || !json_parser_load_from_data (parser, json + 7, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      object = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (object, "monotonic_time_us"))
        continue;

      origin = json_object_get_int_member (object, "monotonic_time_us") -
               g_ascii_strtod (lines[i], NULL) * G_USEC_PER_SEC;
      g_array_append_val (origins, origin);
    }

  if (origins->len == 0)
    return FALSE;

  g_array_sort (origins, bench_compare_double);
  *origin_us = g_array_index (origins, double, 0);
  return TRUE;
}

/**
 * bench_note_load:
 * @when: "before" or "after"
 *
 * The machine's load is part of every figure: prints it and keeps it as
 * `load_@when`.
 */
void
bench_note_load (JsonObject *results,
                 const char *when)
{
  g_autofree char *load = NULL;
  g_autofree char *key = g_strdup_printf ("load_%s", when);

  if (!g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    return;

  g_strchomp (load);
  g_print ("load average %s: %s; %u CPUs\n", when, load, g_get_num_processors ());
  json_object_set_string_member (results, key, load);
}

/**
 * bench_write_json:
 * @output: the file
 *
 * Returns: whether @results could be written to @output
 */
gboolean
bench_write_json (JsonObject *results,
                  const char *output)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), results);
  g_autofree char     *text = json_to_string (node, TRUE);
  g_autofree char     *absolute = g_canonicalize_filename (output, NULL);
  g_autoptr (GError)   error = NULL;

  if (!g_file_set_contents (output, text, -1, &error))
    {
      g_printerr ("cannot write %s: %s\n", output, error->message);
      return FALSE;
    }

  g_print ("Wrote %s\n", absolute);
  return TRUE;
}

/**
 * bench_test_init:
 * @argc: the program's argument count
 * @argv: its arguments
 *
 * g_test_init () for a benchmark: its log handler prints every debug
 * message as a TAP comment, and libsoup and GIO tell each frame and
 * connection in one; printing them costs the benchmark's own process more
 * than what it measures (77 000 lines in a 25 s server-rooms run). They are
 * dropped here; warnings and errors still show.
 */
static GLogFunc test_log_handler;

static void
drop_debug_cb (const char    *domain,
               GLogLevelFlags level,
               const char    *message,
               gpointer       user_data)
{
  if ((level & G_LOG_LEVEL_DEBUG) == 0)
    test_log_handler (domain, level, message, user_data);
}

void
bench_test_init (int    *argc,
                 char ***argv)
{
  g_test_init (argc, argv, NULL);
  test_log_handler = g_log_set_default_handler (drop_debug_cb, NULL);
}

/**
 * bench_parse_args:
 * @program: the benchmark's name, for messages and the default output
 * @names_usage: the parts it can run, for --help
 * @output: (out): where the JSON goes (PROGRAM.json by default)
 * @names: (out): the parts named, %NULL for all
 *
 * Sets up the test harness (its messages; a failed run keeps the server's
 * directory) and reads the options every call benchmark takes.
 *
 * Returns: %FALSE, with the reason printed, when the arguments are wrong
 */
gboolean
bench_parse_args (int        *argc,
                  char     ***argv,
                  const char *program,
                  const char *names_usage,
                  char      **output,
                  char     ***names)
{
  g_autoptr (GOptionContext) context = g_option_context_new (names_usage);
  g_autoptr (GError)         error = NULL;
  const GOptionEntry         entries[] = {
            { "output", 'o', 0, G_OPTION_ARG_FILENAME, output, "Write the JSON here", "FILE" },
            { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, names, NULL, NULL },
            { NULL }
  };

  *output = NULL;
  *names = NULL;
  bench_test_init (argc, argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s: %s\n", program, error->message);
      return FALSE;
    }
  if (*output == NULL)
    *output = g_strdup_printf ("%s.json", program);

  return TRUE;
}
