/* mcs-database.c — one SQL connection, SQLite or PostgreSQL
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store speaks to its database only through this: prepared statements
 * cached by their SQL text, parameters bound by number, columns read as
 * integers or text, transactions, and schema migrations. Two kinds sit
 * behind it: an SQLite file (mcs-database-sqlite.c, the embedded default)
 * and a PostgreSQL server (mcs-database-postgresql.c), chosen by the
 * location: a `postgresql://` or `postgres://` URL is PostgreSQL, anything
 * else a file. The SQL the store writes is the part both understand; each
 * kind has its own migrations, which give both the same tables.
 *
 * One connection, used from one thread at a time.
 */

#define G_LOG_DOMAIN "mcs-database"

#include "config.h"

#include "mcs-database-private.h"

struct _McsDatabase
{
  GObject parent_instance;

  const McsDatabaseBackend *backend;
  gpointer                  handle;
  GHashTable               *statements; /* SQL text -> McsStatement */
};

G_DEFINE_TYPE (McsDatabase, mcs_database, G_TYPE_OBJECT)

/* clang-format would space out the dashes of the quark's name. */
/* clang-format off */
G_DEFINE_QUARK (mcs-database-error-quark, mcs_database_error)
/* clang-format on */

static void
mcs_database_finalize (GObject *object)
{
  McsDatabase *self = (McsDatabase *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->handle != NULL)
    self->backend->close (self);

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
}

gpointer
mcs_database_get_handle (McsDatabase *self)
{
  return self->handle;
}

void
mcs_database_set_handle (McsDatabase *self,
                         gpointer     handle)
{
  self->handle = handle;
}

/**
 * mcs_database_is_url:
 * @location: a database location as configured
 *
 * Returns: whether @location names a PostgreSQL server rather than a file
 */
gboolean
mcs_database_is_url (const char *location)
{
  return location != NULL &&
         (g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://"));
}

/**
 * mcs_database_open:
 * @location: an SQLite file, created if missing along with its directory, or
 *   `:memory:`; or a PostgreSQL connection URL (`postgresql://…`, libpq's
 *   syntax), whose database must exist
 * @error: a #GError
 *
 * Returns: (transfer full): the open database
 */
McsDatabase *
mcs_database_open (const char *location,
                   GError    **error)
{
  g_autoptr (McsDatabase) self = g_object_new (MCS_TYPE_DATABASE, NULL);

  g_return_val_if_fail (location != NULL, NULL);

  self->backend = &mcs_database_sqlite;
  if (mcs_database_is_url (location))
    {
#if HAVE_POSTGRESQL
      self->backend = &mcs_database_postgresql;
#else
      g_set_error_literal (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                           "This mentorcall-server was built without PostgreSQL "
                           "(meson -Dpostgresql=disabled): use an SQLite file");
      return NULL;
#endif
    }
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) self->backend->free_statement);

  if (!self->backend->open (self, location, error))
    return NULL;

  return g_steal_pointer (&self);
}

McsDatabaseKind
mcs_database_get_kind (McsDatabase *self)
{
  g_return_val_if_fail (MCS_IS_DATABASE (self), MCS_DATABASE_SQLITE);

  return self->backend->kind;
}

/**
 * mcs_database_statement:
 * @self: a database
 * @sql: one SQL statement, its parameters written ?1, ?2…
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
  McsStatement *statement;

  g_return_val_if_fail (MCS_IS_DATABASE (self), NULL);

  statement = g_hash_table_lookup (self->statements, sql);
  if (statement != NULL)
    return statement;

  statement = self->backend->prepare (self, sql, error);
  if (statement == NULL)
    return NULL;

  statement->database = self;
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
 * Runs @statement the first time, and moves to its next row after that.
 *
 * Returns: %TRUE unless the statement failed
 */
gboolean
mcs_database_step (McsDatabase  *self,
                   McsStatement *statement,
                   gboolean     *has_row,
                   GError      **error)
{
  gboolean row = FALSE;
  gboolean ok;

  g_return_val_if_fail (MCS_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (statement->database == self, FALSE);

  ok = self->backend->step (statement, &row, error);
  if (has_row != NULL)
    *has_row = ok && row;

  return ok;
}

void
mcs_statement_release (McsStatement *statement)
{
  if (statement == NULL)
    return;

  statement->database->backend->reset (statement);
}

gboolean
mcs_database_exec (McsDatabase *self,
                   const char  *sql,
                   GError     **error)
{
  g_return_val_if_fail (MCS_IS_DATABASE (self), FALSE);

  return self->backend->exec (self, sql, error);
}

gboolean
mcs_database_begin (McsDatabase *self,
                    GError     **error)
{
  return mcs_database_exec (self, self->backend->begin_sql, error);
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
  if (self->backend->in_transaction (self))
    mcs_database_exec (self, "ROLLBACK", NULL);
}

/**
 * mcs_database_lock:
 * @self: a database, in a transaction
 * @lock: what is locked
 * @key: which one, such as a booking's id
 * @error: a #GError
 *
 * Makes other transactions that take the same lock, from this server or
 * another one, wait until this one ends. On PostgreSQL that is a
 * transaction-scoped advisory lock; SQLite needs none, as BEGIN IMMEDIATE
 * already holds the whole database's write lock.
 *
 * Returns: %TRUE once the lock is held
 */
gboolean
mcs_database_lock (McsDatabase    *self,
                   McsDatabaseLock lock,
                   gint64          key,
                   GError        **error)
{
  g_autoptr (McsStatement) statement = NULL;

  g_return_val_if_fail (MCS_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (key >= 0 && key < ((gint64) 1 << 40), FALSE);

  if (self->backend->kind == MCS_DATABASE_SQLITE)
    return TRUE;

  statement = mcs_database_statement (self, "SELECT pg_advisory_xact_lock (?1)", error);
  if (statement == NULL)
    return FALSE;

  mcs_statement_bind_int64 (statement, 1, ((gint64) lock << 40) | key);
  return mcs_database_step (self, statement, NULL, error);
}

/**
 * mcs_database_changes:
 * @self: a database
 *
 * Returns: how many rows the last INSERT, UPDATE or DELETE changed
 */
gint64
mcs_database_changes (McsDatabase *self)
{
  return self->backend->changes (self);
}

/**
 * mcs_database_get_version:
 * @self: a database
 *
 * Returns: the schema version stored in the database; 0 for a new one, -1
 *   if it cannot be read
 */
int
mcs_database_get_version (McsDatabase *self)
{
  return self->backend->get_version (self);
}

/**
 * mcs_database_migrate:
 * @self: a database
 * @migrations: (array length=n_migrations): SQL scripts; the one at index i
 *   takes the schema from version i to version i + 1
 * @n_migrations: their number, which is the current schema version
 * @error: a #GError
 *
 * Brings the schema up to date, in one transaction with the version bump, so
 * a failed step leaves the database as it was. A database written by a newer
 * server is refused rather than misread. On PostgreSQL the transaction holds
 * a lock that makes servers starting together migrate one after the other.
 *
 * Returns: %TRUE if the schema is current
 */
gboolean
mcs_database_migrate (McsDatabase        *self,
                      const char * const *migrations,
                      guint               n_migrations,
                      GError            **error)
{
  int version;

  if (!mcs_database_begin (self, error))
    return FALSE;

  if (!self->backend->lock_schema (self, error))
    goto fail;

  version = mcs_database_get_version (self);
  if (version < 0)
    {
      g_set_error_literal (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                           "Cannot read the database's schema version");
      goto fail;
    }

  if ((guint) version > n_migrations)
    {
      g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_TOO_NEW,
                   "The database has schema version %d, but this server knows only up to %u; "
                   "it was written by a newer mentorcall-server",
                   version, n_migrations);
      goto fail;
    }

  for (guint i = version; i < n_migrations; i++)
    {
      if (!mcs_database_exec (self, migrations[i], error) ||
          !self->backend->set_version (self, i + 1, error))
        {
          g_prefix_error (error, "Upgrading the schema to version %u failed: ", i + 1);
          goto fail;
        }
    }

  if (!mcs_database_commit (self, error))
    goto fail;

  if (version > 0 && (guint) version < n_migrations)
    g_message ("Upgraded the database schema from version %d to %u", version, n_migrations);

  return TRUE;

fail:
  mcs_database_rollback (self);
  return FALSE;
}

void
mcs_statement_bind_int64 (McsStatement *statement,
                          int           index,
                          gint64        value)
{
  statement->database->backend->bind_int64 (statement, index, value);
}

/* NULL binds SQL NULL. */
void
mcs_statement_bind_text (McsStatement *statement,
                         int           index,
                         const char   *text)
{
  statement->database->backend->bind_text (statement, index, text);
}

void
mcs_statement_bind_blob (McsStatement *statement,
                         int           index,
                         const guint8 *data,
                         gsize         length)
{
  statement->database->backend->bind_blob (statement, index, data, length);
}

gint64
mcs_statement_get_int64 (McsStatement *statement,
                         int           column)
{
  return statement->database->backend->get_int64 (statement, column);
}

/* Text columns come back as borrowed UTF-8 (valid or not: see
 * mcs_store_dup_text()), NULL for SQL NULL. */
const char *
mcs_statement_get_text (McsStatement *statement,
                        int           column)
{
  return statement->database->backend->get_text (statement, column);
}

gboolean
mcs_statement_is_null (McsStatement *statement,
                       int           column)
{
  return statement->database->backend->is_null (statement, column);
}
