/* mcs-rate-limiter.c — fixed-window counters per key
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A key (an account or a client address) may be hit @limit times within
 * @window seconds of its first hit; after that it is refused until the
 * window has passed. Entries are pruned when their window is over, and the
 * table is pruned whenever it grows large, so a flood of distinct keys
 * costs bounded memory.
 */

#define G_LOG_DOMAIN "mcs-rate-limiter"

#include "mcs-rate-limiter.h"

#define PRUNE_THRESHOLD 4096

typedef struct
{
  gint64 window_start;
  guint  count;
} Entry;

struct _McsRateLimiter
{
  GHashTable *entries;
  guint       limit;
  gint64      window;
};

McsRateLimiter *
mcs_rate_limiter_new (guint  limit,
                      gint64 window)
{
  McsRateLimiter *self = g_new0 (McsRateLimiter, 1);

  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->limit = MAX (limit, 1);
  self->window = MAX (window, 1);

  return self;
}

void
mcs_rate_limiter_free (McsRateLimiter *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->entries);
  g_free (self);
}

/**
 * mcs_rate_limiter_allow:
 * @self: a limiter
 * @key: what is limited
 * @now: the current time in seconds
 * @retry_after: (out) (optional): seconds until @key is allowed again
 *
 * Returns: %TRUE if @key may act now
 */
gboolean
mcs_rate_limiter_allow (McsRateLimiter *self,
                        const char     *key,
                        gint64          now,
                        gint64         *retry_after)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL || now >= entry->window_start + self->window || entry->count < self->limit)
    return TRUE;

  if (retry_after != NULL)
    *retry_after = MAX (entry->window_start + self->window - now, 1);

  return FALSE;
}

void
mcs_rate_limiter_hit (McsRateLimiter *self,
                      const char     *key,
                      gint64          now)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    {
      if (g_hash_table_size (self->entries) >= PRUNE_THRESHOLD)
        mcs_rate_limiter_prune (self, now);

      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_strdup (key), entry);
    }

  if (entry->count == 0 || now >= entry->window_start + self->window)
    {
      entry->window_start = now;
      entry->count = 0;
    }

  entry->count++;
}

void
mcs_rate_limiter_reset (McsRateLimiter *self,
                        const char     *key)
{
  g_hash_table_remove (self->entries, key);
}

void
mcs_rate_limiter_prune (McsRateLimiter *self,
                        gint64          now)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (now >= entry->window_start + self->window)
        g_hash_table_iter_remove (&iter);
    }
}
