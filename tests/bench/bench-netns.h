/* bench-netns.h — two network namespaces joined by mc-netem
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _BenchNetns BenchNetns;
typedef struct _BenchNetem BenchNetem;

char       *bench_netns_why_not (void);
void        bench_netns_guard (void);
BenchNetns *bench_netns_new (GError **error);
void        bench_netns_free (BenchNetns *self);
const char *bench_netns_get_name (BenchNetns *self,
                                  guint       side);
const char *bench_netns_get_address (BenchNetns *self,
                                     guint       side);
GSocket    *bench_netns_socket (BenchNetns *self,
                                guint       side,
                                GSocketType type,
                                GError    **error);

BenchNetem *bench_netem_start (BenchNetns         *netns,
                               const char         *program,
                               const char         *dir,
                               const char * const *args,
                               GError            **error);
gboolean    bench_netem_set_outage (BenchNetem *self,
                                    gboolean    on,
                                    GError    **error);
JsonObject *bench_netem_stop (BenchNetem *self);
void        bench_netem_free (BenchNetem *self);
const char *bench_netem_get_program (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchNetns, bench_netns_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchNetem, bench_netem_free)

G_END_DECLS
