/* mcs-database.h — one SQL connection, SQLite or PostgreSQL
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MCS_DATABASE_ERROR (mcs_database_error_quark ())

typedef enum
{
  MCS_DATABASE_ERROR_FAILED,
  MCS_DATABASE_ERROR_CONSTRAINT,
  MCS_DATABASE_ERROR_TOO_NEW,
} McsDatabaseError;

typedef enum
{
  MCS_DATABASE_SQLITE,
  MCS_DATABASE_POSTGRESQL,
} McsDatabaseKind;

/* What mcs_database_lock() serialises. */
typedef enum
{
  MCS_DATABASE_LOCK_CHAT = 1, /* a booking's chat: its sequence numbers */
  MCS_DATABASE_LOCK_CALL,     /* a booking's call and attendance */
  MCS_DATABASE_LOCK_NODES,    /* the registry of servers, and their dead's attendance */
} McsDatabaseLock;

/* A statement from mcs_database_statement(). It belongs to the database's
 * cache: release it (g_autoptr does) instead of freeing it. Parameters are
 * written ?1, ?2… in the SQL, the same for both kinds of database. */
typedef struct _McsStatement McsStatement;

#define MCS_TYPE_DATABASE (mcs_database_get_type ())
G_DECLARE_FINAL_TYPE (McsDatabase, mcs_database, MCS, DATABASE, GObject)

GQuark          mcs_database_error_quark  (void);
gboolean        mcs_database_is_url       (const char    *location);
McsDatabase    *mcs_database_open         (const char    *location,
                                           GError       **error);
McsDatabaseKind mcs_database_get_kind     (McsDatabase   *self);
McsStatement   *mcs_database_statement    (McsDatabase   *self,
                                           const char    *sql,
                                           GError       **error);
gboolean        mcs_database_step         (McsDatabase   *self,
                                           McsStatement  *statement,
                                           gboolean      *has_row,
                                           GError       **error);
gboolean        mcs_database_exec         (McsDatabase   *self,
                                           const char    *sql,
                                           GError       **error);
gboolean        mcs_database_begin        (McsDatabase   *self,
                                           GError       **error);
gboolean        mcs_database_commit       (McsDatabase   *self,
                                           GError       **error);
void            mcs_database_rollback     (McsDatabase   *self);
gboolean        mcs_database_lock         (McsDatabase   *self,
                                           McsDatabaseLock lock,
                                           gint64         key,
                                           GError       **error);
gint64          mcs_database_changes      (McsDatabase   *self);
int             mcs_database_get_version  (McsDatabase   *self);
gboolean        mcs_database_migrate      (McsDatabase   *self,
                                           const char * const *migrations,
                                           guint          n_migrations,
                                           GError       **error);

void        mcs_statement_bind_int64 (McsStatement *statement,
                                      int           index,
                                      gint64        value);
void        mcs_statement_bind_text  (McsStatement *statement,
                                      int           index,
                                      const char   *text);
void        mcs_statement_bind_blob  (McsStatement *statement,
                                      int           index,
                                      const guint8 *data,
                                      gsize         length);
gint64      mcs_statement_get_int64  (McsStatement *statement,
                                      int           column);
const char *mcs_statement_get_text   (McsStatement *statement,
                                      int           column);
gboolean    mcs_statement_is_null    (McsStatement *statement,
                                      int           column);
void        mcs_statement_release    (McsStatement *statement);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsStatement, mcs_statement_release)

G_END_DECLS
