/* mcs-database-sqlite.c — McsDatabase on an SQLite file
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The embedded default. The file runs in WAL mode with foreign keys on; its
 * schema version is SQLite's user_version. Several processes on one machine
 * may open the same file; they take turns to write.
 *
 * The file holds password and session hashes, so it is private to the
 * server's user (0600) whatever the umask: it is created with that mode
 * before SQLite opens it, and SQLite gives its -wal and -shm files the
 * mode of the database. A file left readable by an older version is
 * tightened at start.
 */

#define G_LOG_DOMAIN "mcs-database"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "mcs-database-private.h"

typedef struct
{
  McsStatement  parent;
  sqlite3_stmt *stmt;
} SqliteStatement;

#define DB(self) ((sqlite3 *) mcs_database_get_handle (self))
#define STMT(s)  (((SqliteStatement *) (s))->stmt)

static void
set_error (sqlite3    *db,
           int         rc,
           const char *what,
           GError    **error)
{
  int code = (rc & 0xff) == SQLITE_CONSTRAINT ? MCS_DATABASE_ERROR_CONSTRAINT
                                              : MCS_DATABASE_ERROR_FAILED;

  g_set_error (error, MCS_DATABASE_ERROR, code, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

/* Makes @path (and its -wal and -shm files, when they exist) readable
 * and writable by its owner only, creating @path if it is missing. */
static gboolean
make_private (const char *path,
              GError    **error)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  int         fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                   "Cannot open the database %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  g_close (fd, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf         info;

      if (g_stat (file, &info) != 0 || (info.st_mode & 0077) == 0)
        continue;

      if (g_chmod (file, 0600) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                       "Cannot make %s private (mode 0600): %s", file, g_strerror (saved_errno));
          return FALSE;
        }
      g_message ("Made %s private (mode 0600); it was %04o", file, info.st_mode & 0777);
    }

  return TRUE;
}

static gboolean
sqlite_exec (McsDatabase *self,
             const char  *sql,
             GError     **error)
{
  char *message = NULL;
  int   rc;

  rc = sqlite3_exec (DB (self), sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, MCS_DATABASE_ERROR,
                   (rc & 0xff) == SQLITE_CONSTRAINT ? MCS_DATABASE_ERROR_CONSTRAINT
                                                    : MCS_DATABASE_ERROR_FAILED,
                   "Database error: %s", message ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
sqlite_open (McsDatabase *self,
             const char  *path,
             GError     **error)
{
  sqlite3 *db = NULL;
  int      rc;

  if (!g_str_equal (path, ":memory:"))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                       "Cannot create the directory %s: %s", dir, g_strerror (saved_errno));
          return FALSE;
        }

      if (!make_private (path, error))
        return FALSE;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  mcs_database_set_handle (self, db);
  if (rc != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf ("Cannot open the database %s", path);

      set_error (db, rc, what, error);
      return FALSE;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);

  /* synchronous=NORMAL is safe in WAL mode: a power cut may lose the last
   * transactions but never corrupts the file. */
  return sqlite_exec (self,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = NORMAL;"
                      "PRAGMA foreign_keys = ON;",
                      error);
}

static void
sqlite_close (McsDatabase *self)
{
  sqlite3_close (DB (self));
  mcs_database_set_handle (self, NULL);
}

static McsStatement *
sqlite_prepare (McsDatabase *self,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int           rc;

  rc = sqlite3_prepare_v3 (DB (self), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (DB (self), rc, "Cannot prepare a statement", error);
      return NULL;
    }

  SqliteStatement *statement = g_new0 (SqliteStatement, 1);

  statement->stmt = stmt;
  return &statement->parent;
}

static void
sqlite_free_statement (McsStatement *statement)
{
  sqlite3_finalize (STMT (statement));
  g_free (statement);
}

static gboolean
sqlite_step (McsStatement *statement,
             gboolean     *has_row,
             GError      **error)
{
  int rc = sqlite3_step (STMT (statement));

  *has_row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;

  set_error (DB (statement->database), rc, "A database statement failed", error);
  return FALSE;
}

static void
sqlite_reset (McsStatement *statement)
{
  sqlite3_reset (STMT (statement));
  sqlite3_clear_bindings (STMT (statement));
}

static gboolean
sqlite_in_transaction (McsDatabase *self)
{
  return !sqlite3_get_autocommit (DB (self));
}

static gint64
sqlite_changes (McsDatabase *self)
{
  return sqlite3_changes64 (DB (self));
}

static gboolean
sqlite_lock_schema (McsDatabase *self,
                    GError     **error)
{
  return TRUE; /* BEGIN IMMEDIATE took the write lock */
}

static int
sqlite_get_version (McsDatabase *self)
{
  g_autoptr (McsStatement) statement = mcs_database_statement (self, "PRAGMA user_version", NULL);
  gboolean                 has_row = FALSE;

  if (statement == NULL || !mcs_database_step (self, statement, &has_row, NULL) || !has_row)
    return -1;

  return sqlite3_column_int (STMT (statement), 0);
}

static gboolean
sqlite_set_version (McsDatabase *self,
                    int          version,
                    GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", version);

  return sqlite_exec (self, sql, error);
}

static void
sqlite_bind_int64 (McsStatement *statement,
                   int           index,
                   gint64        value)
{
  sqlite3_bind_int64 (STMT (statement), index, value);
}

static void
sqlite_bind_text (McsStatement *statement,
                  int           index,
                  const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (STMT (statement), index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (STMT (statement), index);
}

static void
sqlite_bind_blob (McsStatement *statement,
                  int           index,
                  const guint8 *data,
                  gsize         length)
{
  sqlite3_bind_blob64 (STMT (statement), index, data, length, SQLITE_TRANSIENT);
}

static gint64
sqlite_get_int64 (McsStatement *statement,
                  int           column)
{
  return sqlite3_column_int64 (STMT (statement), column);
}

static const char *
sqlite_get_text (McsStatement *statement,
                 int           column)
{
  return (const char *) sqlite3_column_text (STMT (statement), column);
}

static gboolean
sqlite_is_null (McsStatement *statement,
                int           column)
{
  return sqlite3_column_type (STMT (statement), column) == SQLITE_NULL;
}

const McsDatabaseBackend mcs_database_sqlite = {
  .kind = MCS_DATABASE_SQLITE,
  .open = sqlite_open,
  .close = sqlite_close,
  .prepare = sqlite_prepare,
  .free_statement = sqlite_free_statement,
  .step = sqlite_step,
  .reset = sqlite_reset,
  .exec = sqlite_exec,
  .begin_sql = "BEGIN IMMEDIATE",
  .in_transaction = sqlite_in_transaction,
  .changes = sqlite_changes,
  .lock_schema = sqlite_lock_schema,
  .get_version = sqlite_get_version,
  .set_version = sqlite_set_version,
  .bind_int64 = sqlite_bind_int64,
  .bind_text = sqlite_bind_text,
  .bind_blob = sqlite_bind_blob,
  .get_int64 = sqlite_get_int64,
  .get_text = sqlite_get_text,
  .is_null = sqlite_is_null,
};
