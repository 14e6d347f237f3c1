/* mcs-metrics.h — counters exported in the Prometheus text format
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _McsMetrics McsMetrics;

McsMetrics *mcs_metrics_new        (void);
void        mcs_metrics_free       (McsMetrics  *self);
void        mcs_metrics_count      (McsMetrics  *self,
                                    const char  *name,
                                    const char  *label,
                                    const char  *value);
void        mcs_metrics_set_gauge  (McsMetrics  *self,
                                    const char  *name,
                                    gint64       value);
char       *mcs_metrics_render     (McsMetrics  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsMetrics, mcs_metrics_free)

G_END_DECLS
