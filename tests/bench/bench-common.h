/* bench-common.h — what the benchmarks share: figures, clocks, JSON output
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

int         bench_compare_double (gconstpointer a,
                                  gconstpointer b);
JsonObject *bench_summarize (GArray     *values,
                             const char *label);
double      bench_percentile (GArray *sorted,
                              double  percent);
gboolean    bench_process_origin (const char *output,
                                  double     *origin_us);
void        bench_note_load (JsonObject *results,
                             const char *when);
gboolean    bench_write_json (JsonObject *results,
                              const char *output);
void        bench_test_init (int    *argc,
                             char ***argv);
gboolean    bench_parse_args (int        *argc,
                              char     ***argv,
                              const char *program,
                              const char *names_usage,
                              char      **output,
                              char     ***names);

G_END_DECLS
