/* bench-network.h — what the network benchmark's files share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "bench-netns.h"

G_BEGIN_DECLS

/* A gap of more than this between two decoded frames is a freeze. */
#define BENCH_FREEZE_SECONDS 0.5

typedef struct
{
  const char *name;
  const char *description;
  const char *shape;    /* mc-netem --both */
  double      cap_kbit; /* 0: none */
  double      outage_seconds;
} BenchCase;

/* One second of what an end received and sent; t in seconds from the
 * window's start (negative before it). */
typedef struct
{
  double t;
  double frames;   /* decoded so far */
  double sent_bps; /* over the second before t; < 0: unknown */
  int    width, height;
} BenchSample;

typedef struct
{
  double start, end; /* window seconds; end INFINITY while frozen */
} BenchFreeze;

typedef struct
{
  GArray     *samples;
  GArray     *freezes;
  gboolean    decoded;
  JsonObject *extra; /* engine-specific figures */
} BenchEndpoint;

typedef struct _BenchForwarder BenchForwarder;

void        bench_endpoint_init (BenchEndpoint *endpoint);
void        bench_endpoint_clear (BenchEndpoint *endpoint);
void        bench_endpoint_add_freeze (BenchEndpoint *endpoint,
                                       double         start,
                                       double         end);
double      bench_member_or_nan (JsonObject *object,
                                 const char *member);
JsonObject *bench_summarize_engine (BenchEndpoint   *ends,
                                    const char      *engine,
                                    const BenchCase *test_case,
                                    double           window,
                                    double           outage_end);
void        bench_collect_extra (JsonArray  *stats,
                                 gint64      window_start,
                                 double      window,
                                 JsonObject *extra);

BenchForwarder *bench_forwarder_start (BenchNetns *netns,
                                       guint16     server_port,
                                       const char *page_path,
                                       GError    **error);
guint16         bench_forwarder_get_relay_port (BenchForwarder *self);
void            bench_forwarder_stop (BenchForwarder *self);

G_END_DECLS
