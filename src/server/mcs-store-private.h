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
};

gboolean mcs_store_fail (GError **error,
                         GError  *local_error);
gint64   mcs_store_now (void);
gboolean mcs_store_run (McsStore   *self,
                        const char *sql,
                        GError    **error,
                        const char *types,
                        ...);
McsUser *mcs_store_read_user (McsStatement *statement,
                              int           first);
char    *mcs_store_dup_text (McsStatement *statement,
                             int           column);

G_END_DECLS
