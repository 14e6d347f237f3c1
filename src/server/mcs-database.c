/* mcs-database.c — a thin SQLite wrapper
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection, used only from the main thread. Statements are prepared
 * once and cached by their SQL text. The database runs in WAL mode with
 * foreign keys on; its schema version is SQLite's user_version, and
 * mcs_database_migrate() upgrades an older file in place, one step per
 * transaction.
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
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "mcs-database.h"

struct _McsDatabase
{
  GObject parent_instance;

  sqlite3    *db;
  GHashTable *statements;
};

G_DEFINE_TYPE (McsDatabase, mcs_database, G_TYPE_OBJECT)

/* clang-format would space out the dashes of the quark's name. */
/* clang-format off */
G_DEFINE_QUARK (mcs-database-error-quark, mcs_database_error)
/* clang-format on */

static void
set_error (McsDatabase *self,
           int          rc,
           const char  *what,
           GError     **error)
{
  int code = (rc & 0xff) == SQLITE_CONSTRAINT ? MCS_DATABASE_ERROR_CONSTRAINT
                                              : MCS_DATABASE_ERROR_FAILED;

  g_set_error (error, MCS_DATABASE_ERROR, code, "%s: %s", what,
               self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static void
mcs_database_finalize (GObject *object)
{
  McsDatabase *self = (McsDatabase *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);

  G_OBJECT_CLASS (mcs_database_parent_class)->finalize (object);
}

static void
mcs_database_class_init (McsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mcs_database_finalize;
}

static void
mcs_database_init (McsDatabase *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
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

/**
 * mcs_database_open:
 * @path: a file, created if missing along with its directory, or `:memory:`
 * @error: a #GError
 *
 * Returns: (transfer full): the open database
 */
McsDatabase *
mcs_database_open (const char *path,
                   GError    **error)
{
  g_autoptr (McsDatabase) self = g_object_new (MCS_TYPE_DATABASE, NULL);
  int                     rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_str_equal (path, ":memory:"))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                       "Cannot create the directory %s: %s", dir, g_strerror (saved_errno));
          return NULL;
        }

      if (!make_private (path, error))
        return NULL;
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf ("Cannot open the database %s", path);

      set_error (self, rc, what, error);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* synchronous=NORMAL is safe in WAL mode: a power cut may lose the last
   * transactions but never corrupts the file. */
  if (!mcs_database_exec (self,
                          "PRAGMA journal_mode = WAL;"
                          "PRAGMA synchronous = NORMAL;"
                          "PRAGMA foreign_keys = ON;",
                          error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * mcs_database_statement:
 * @self: a database
 * @sql: one SQL statement
 * @error: a #GError
 *
 * Returns: (transfer none): a prepared statement with nothing bound; release
 *   it with mcs_statement_release() (or g_autoptr) when done
 */
McsStatement *
mcs_database_statement (McsDatabase *self,
                        const char  *sql,
                        GError     **error)
{
  sqlite3_stmt *statement;
  int           rc;

  g_return_val_if_fail (MCS_IS_DATABASE (self), NULL);

  statement = g_hash_table_lookup (self->statements, sql);
  if (statement != NULL)
    return statement;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self, rc, "Cannot prepare a statement", error);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), statement);
  return statement;
}

/**
 * mcs_database_step:
 * @self: a database
 * @statement: a statement
 * @has_row: (out) (optional): whether a row is ready to be read
 * @error: a #GError
 *
 * Returns: %TRUE unless the statement failed
 */
gboolean
mcs_database_step (McsDatabase  *self,
                   McsStatement *statement,
                   gboolean     *has_row,
                   GError      **error)
{
  int rc = sqlite3_step (statement);

  if (has_row != NULL)
    *has_row = rc == SQLITE_ROW;

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;

  set_error (self, rc, "A database statement failed", error);
  return FALSE;
}

void
mcs_statement_release (McsStatement *statement)
{
  if (statement == NULL)
    return;

  sqlite3_reset (statement);
  sqlite3_clear_bindings (statement);
}

gboolean
mcs_database_exec (McsDatabase *self,
                   const char  *sql,
                   GError     **error)
{
  char *message = NULL;
  int   rc;

  g_return_val_if_fail (MCS_IS_DATABASE (self), FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);
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

gboolean
mcs_database_begin (McsDatabase *self,
                    GError     **error)
{
  return mcs_database_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
mcs_database_commit (McsDatabase *self,
                     GError     **error)
{
  return mcs_database_exec (self, "COMMIT", error);
}

void
mcs_database_rollback (McsDatabase *self)
{
  if (!sqlite3_get_autocommit (self->db))
    mcs_database_exec (self, "ROLLBACK", NULL);
}

gint64
mcs_database_last_insert_id (McsDatabase *self)
{
  return sqlite3_last_insert_rowid (self->db);
}

int
mcs_database_changes (McsDatabase *self)
{
  return sqlite3_changes (self->db);
}

/**
 * mcs_database_get_version:
 * @self: a database
 *
 * Returns: the schema version stored in the file; 0 for a new file
 */
int
mcs_database_get_version (McsDatabase *self)
{
  g_autoptr (McsStatement) statement = mcs_database_statement (self, "PRAGMA user_version", NULL);
  gboolean                 has_row = FALSE;

  if (statement == NULL || !mcs_database_step (self, statement, &has_row, NULL) || !has_row)
    return -1;

  return sqlite3_column_int (statement, 0);
}

/**
 * mcs_database_migrate:
 * @self: a database
 * @migrations: (array length=n_migrations): SQL scripts; the one at index i
 *   takes the schema from version i to version i + 1
 * @n_migrations: their number, which is the current schema version
 * @error: a #GError
 *
 * Brings the schema up to date. Each step runs in its own transaction along
 * with the version bump, so a failed step leaves the previous version intact.
 * A file from a newer server is refused rather than misread.
 *
 * Returns: %TRUE if the schema is current
 */
gboolean
mcs_database_migrate (McsDatabase        *self,
                      const char * const *migrations,
                      guint               n_migrations,
                      GError            **error)
{
  int version = mcs_database_get_version (self);

  if (version < 0)
    {
      g_set_error_literal (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                           "Cannot read the database's schema version");
      return FALSE;
    }

  if ((guint) version > n_migrations)
    {
      g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_TOO_NEW,
                   "The database has schema version %d, but this server knows only up to %u; "
                   "it was written by a newer mentorcall-server",
                   version, n_migrations);
      return FALSE;
    }

  for (guint i = version; i < n_migrations; i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %u", i + 1);

      if (!mcs_database_begin (self, error))
        return FALSE;

      if (!mcs_database_exec (self, migrations[i], error) ||
          !mcs_database_exec (self, bump, error) ||
          !mcs_database_commit (self, error))
        {
          mcs_database_rollback (self);
          g_prefix_error (error, "Upgrading the schema to version %u failed: ", i + 1);
          return FALSE;
        }

      if (version > 0)
        g_message ("Upgraded the database schema to version %u", i + 1);
    }

  return TRUE;
}
