/* mcs-rate-limiter.h — fixed-window counters per key
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _McsRateLimiter McsRateLimiter;

McsRateLimiter *mcs_rate_limiter_new     (guint           limit,
                                          gint64          window);
void            mcs_rate_limiter_free    (McsRateLimiter *self);
gboolean        mcs_rate_limiter_allow   (McsRateLimiter *self,
                                          const char     *key,
                                          gint64          now,
                                          gint64         *retry_after);
void            mcs_rate_limiter_hit     (McsRateLimiter *self,
                                          const char     *key,
                                          gint64          now);
void            mcs_rate_limiter_reset   (McsRateLimiter *self,
                                          const char     *key);
void            mcs_rate_limiter_prune   (McsRateLimiter *self,
                                          gint64          now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsRateLimiter, mcs_rate_limiter_free)

G_END_DECLS
