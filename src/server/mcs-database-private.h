/* mcs-database-private.h — what McsDatabase's two kinds implement
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only mcs-database*.c include this.
 */

#pragma once

#include "mcs-database.h"

G_BEGIN_DECLS

struct _McsStatement
{
  McsDatabase *database; /* unowned: the database owns its statements */
};

typedef struct
{
  McsDatabaseKind kind;

  gboolean      (*open)           (McsDatabase  *self,
                                   const char   *location,
                                   GError      **error);
  void          (*close)          (McsDatabase  *self);
  McsStatement *(*prepare)        (McsDatabase  *self,
                                   const char   *sql,
                                   GError      **error);
  void          (*free_statement) (McsStatement *statement);
  gboolean      (*step)           (McsStatement *statement,
                                   gboolean     *has_row,
                                   GError      **error);
  void          (*reset)          (McsStatement *statement);
  gboolean      (*exec)           (McsDatabase  *self,
                                   const char   *sql,
                                   GError      **error);
  const char   *begin_sql;
  gboolean      (*in_transaction) (McsDatabase  *self);
  gint64        (*changes)        (McsDatabase  *self);
  /* Called inside the migration's transaction. */
  gboolean      (*lock_schema)    (McsDatabase  *self,
                                   GError      **error);
  int           (*get_version)    (McsDatabase  *self);
  gboolean      (*set_version)    (McsDatabase  *self,
                                   int           version,
                                   GError      **error);

  void          (*bind_int64)     (McsStatement *statement,
                                   int           index,
                                   gint64        value);
  void          (*bind_text)      (McsStatement *statement,
                                   int           index,
                                   const char   *text);
  void          (*bind_blob)      (McsStatement *statement,
                                   int           index,
                                   const guint8 *data,
                                   gsize         length);
  gint64        (*get_int64)      (McsStatement *statement,
                                   int           column);
  const char   *(*get_text)       (McsStatement *statement,
                                   int           column);
  gboolean      (*is_null)        (McsStatement *statement,
                                   int           column);
} McsDatabaseBackend;

extern const McsDatabaseBackend mcs_database_sqlite;
extern const McsDatabaseBackend mcs_database_postgresql;

/* The connection of the backend: sqlite3 or PGconn. */
gpointer mcs_database_get_handle (McsDatabase *self);
void     mcs_database_set_handle (McsDatabase *self,
                                  gpointer     handle);

G_END_DECLS
