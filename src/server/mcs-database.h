/* mcs-database.h — a thin SQLite wrapper
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define MCS_DATABASE_ERROR (mcs_database_error_quark ())

typedef enum
{
  MCS_DATABASE_ERROR_FAILED,
  MCS_DATABASE_ERROR_CONSTRAINT,
  MCS_DATABASE_ERROR_TOO_NEW,
} McsDatabaseError;

/* A statement from mcs_database_statement(). It belongs to the database's
 * cache: release it (g_autoptr does) instead of finalizing it. */
typedef sqlite3_stmt McsStatement;

#define MCS_TYPE_DATABASE (mcs_database_get_type ())
G_DECLARE_FINAL_TYPE (McsDatabase, mcs_database, MCS, DATABASE, GObject)

GQuark        mcs_database_error_quark  (void);
McsDatabase  *mcs_database_open         (const char    *path,
                                         GError       **error);
McsStatement *mcs_database_statement    (McsDatabase   *self,
                                         const char    *sql,
                                         GError       **error);
gboolean      mcs_database_step         (McsDatabase   *self,
                                         McsStatement  *statement,
                                         gboolean      *has_row,
                                         GError       **error);
gboolean      mcs_database_exec         (McsDatabase   *self,
                                         const char    *sql,
                                         GError       **error);
gboolean      mcs_database_begin        (McsDatabase   *self,
                                         GError       **error);
gboolean      mcs_database_commit       (McsDatabase   *self,
                                         GError       **error);
void          mcs_database_rollback     (McsDatabase   *self);
gint64        mcs_database_last_insert_id (McsDatabase *self);
int           mcs_database_changes      (McsDatabase   *self);
int           mcs_database_get_version  (McsDatabase   *self);
gboolean      mcs_database_migrate      (McsDatabase   *self,
                                         const char * const *migrations,
                                         guint          n_migrations,
                                         GError       **error);
void          mcs_statement_release     (McsStatement  *statement);

/* Text columns come back as borrowed UTF-8, NULL for SQL NULL. */
#define mcs_statement_get_text(s, i) ((const char *) sqlite3_column_text ((s), (i)))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsStatement, mcs_statement_release)

G_END_DECLS
