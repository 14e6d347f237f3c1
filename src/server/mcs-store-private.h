/* mcs-store-private.h — what the parts of McsStore share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the mcs-store*.c files include this; everything else uses
 * mcs-store.h.
 */

#pragma once

#include "mcs-store.h"

G_BEGIN_DECLS

struct _McsStore
{
  GObject parent_instance;

  McsDatabase *database;
  gboolean     events_queued; /* the open transaction queued a webhook event */
  char        *node;          /* this server's name among those on the database */
};

gboolean mcs_store_fail (GError **error,
                         GError  *local_error);
gint64   mcs_store_now (void);
gboolean mcs_store_run (McsStore   *self,
                        const char *sql,
                        GError    **error,
                        const char *types,
                        ...);
gboolean mcs_store_insert (McsStore   *self,
                           const char *sql,
                           gint64     *id,
                           GError    **error,
                           const char *types,
                           ...);
McsUser *mcs_store_read_user (McsStatement *statement,
                              int           first);
char    *mcs_store_dup_text (McsStatement *statement,
                             int           column);
gboolean mcs_store_queue_event (McsStore   *self,
                                const char *type,
                                JsonObject *data,
                                gint64      now,
                                GError    **error);
void     mcs_store_events_committed (McsStore *self);
void     mcs_store_rollback (McsStore *self);
gboolean mcs_store_queue_booking_changed (McsStore   *self,
                                          gint64      booking_id,
                                          const char *change,
                                          gint64      now,
                                          GError    **error);

G_END_DECLS
