/* mcs-database-postgresql.c — McsDatabase on a PostgreSQL server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For a platform that runs several servers on one database. The location
 * is a libpq connection URL (`postgresql://user@host:5432/mentorcall`);
 * libpq's environment (PGPASSWORD, PGSSLMODE…) and ~/.pgpass apply as usual.
 *
 * A statement is prepared on the server the first time it runs, with the
 * types of that run's parameters: integers are sent as int8, so that
 * `INSERT … SELECT ?1, …` puts a number where a number goes, text (NULL
 * too) as text, blobs as bytea, and a parameter left unbound as "unknown",
 * for PostgreSQL to infer from where it stands. Every value travels in text
 * format but blobs, which go as binary; rows come back as text, and a
 * boolean ('t' or 'f') reads as the 1 or 0 SQLite would give. The SQL's ?N
 * parameters become $N.
 *
 * A connection that broke is reset before the next statement, and the
 * statements are prepared again on the new one; the statement that found
 * it broken fails, so no write is ever sent twice.
 *
 * The schema version is the one row of `mentorcall_schema`. Migrations run
 * under a transaction-scoped advisory lock, so servers that start together
 * upgrade the schema once, one after the other.
 */

#define G_LOG_DOMAIN "mcs-database"

#include <libpq-fe.h>

#include "mcs-database-private.h"

#define BYTEAOID 17
#define INT8OID  20
#define TEXTOID  25

/* Any number, the same in every server: the key of the migration lock. */
#define SCHEMA_LOCK_KEY "7248310575261841"

typedef struct
{
  PGconn  *conn;
  guint    generation;     /* counts resets; prepared statements die with one */
  gboolean in_transaction; /* between our BEGIN and COMMIT or ROLLBACK */
  guint    next_name;
  gint64   changes;
} Connection;

typedef struct
{
  McsStatement parent;

  char     *sql; /* with $N */
  char      name[24];
  guint     generation; /* of the connection it was prepared on; 0: never */
  int       n_params;
  char    **values;
  int      *lengths;
  int      *formats;
  Oid      *types;
  PGresult *result;
  int       row;
} PgStatement;

#define CONN(self) ((Connection *) mcs_database_get_handle (self))
#define PG(s)      ((PgStatement *) (s))

static void
set_result_error (PGresult   *result,
                  PGconn     *conn,
                  const char *what,
                  GError    **error)
{
  const char      *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char      *message = result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (conn);
  g_autofree char *trimmed = g_strstrip (g_strdup (message != NULL ? message : ""));

  /* Class 23: integrity constraint violation. */
  g_set_error (error, MCS_DATABASE_ERROR,
               state != NULL && g_str_has_prefix (state, "23") ? MCS_DATABASE_ERROR_CONSTRAINT
                                                               : MCS_DATABASE_ERROR_FAILED,
               "%s: %s", what, trimmed[0] != '\0' ? trimmed : PQerrorMessage (conn));
}

static void
notice_cb (void       *data,
           const char *message)
{
  g_debug ("PostgreSQL: %s", message);
}

/* A connection that broke (the server restarted, a failover) is made anew
 * before the next statement; its prepared statements are gone with it. Not
 * inside a transaction: its first statements died with the old session,
 * and the rest must not go on without them, outside any transaction and its
 * locks. The transaction fails instead, and the next one connects again. */
static gboolean
ensure_connection (Connection *connection,
                   GError    **error)
{
  if (PQstatus (connection->conn) == CONNECTION_OK)
    return TRUE;

  if (connection->in_transaction)
    {
      g_set_error_literal (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                           "The connection to PostgreSQL was lost during a transaction");
      return FALSE;
    }

  g_warning ("The connection to PostgreSQL was lost; connecting again");
  PQreset (connection->conn);
  connection->generation++;
  if (PQstatus (connection->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (connection->conn)));

      g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                   "Cannot connect to the PostgreSQL database again: %s", message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
pg_exec (McsDatabase *self,
         const char  *sql,
         GError     **error)
{
  Connection    *connection = CONN (self);
  PGresult      *result;
  ExecStatusType status;
  gboolean       begin = g_str_has_prefix (sql, "BEGIN");

  /* The transaction ends here whatever happens; a ROLLBACK on a lost
   * connection has nothing left to undo. */
  if (g_str_equal (sql, "COMMIT") || g_str_equal (sql, "ROLLBACK"))
    {
      connection->in_transaction = FALSE;
      if (g_str_equal (sql, "ROLLBACK") && PQstatus (connection->conn) != CONNECTION_OK)
        return TRUE;
    }

  if (!ensure_connection (connection, error))
    return FALSE;

  result = PQexec (connection->conn, sql);
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (result, connection->conn, "Database error", error);
      PQclear (result);
      return FALSE;
    }

  if (begin)
    connection->in_transaction = TRUE;

  PQclear (result);
  return TRUE;
}

static gboolean
pg_open (McsDatabase *self,
         const char  *url,
         GError     **error)
{
  Connection *connection = g_new0 (Connection, 1);

  mcs_database_set_handle (self, connection);

  /* The URL's own settings win over these defaults, which PQreset() uses
   * again: the store writes UTF-8, wants no NOTICEs, and a connection that
   * cannot be made must not hold the main loop for a TCP timeout. */
  const char *keywords[] = { "connect_timeout", "client_encoding", "options", "dbname", NULL };
  const char *values[] = { "5", "UTF8", "-c client_min_messages=warning", url, NULL };

  connection->conn = PQconnectdbParams (keywords, values, TRUE);
  if (PQstatus (connection->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (connection->conn)));

      /* libpq's message names the host and the user, never the password. */
      g_set_error (error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                   "Cannot connect to the PostgreSQL database: %s", message);
      return FALSE;
    }

  connection->generation = 1;
  PQsetNoticeProcessor (connection->conn, notice_cb, NULL);

  return TRUE;
}

static void
pg_close (McsDatabase *self)
{
  Connection *connection = CONN (self);

  PQfinish (connection->conn);
  g_free (connection);
  mcs_database_set_handle (self, NULL);
}

/* ?N -> $N, outside quoted strings and identifiers. Returns the highest N. */
static char *
translate_parameters (const char *sql,
                      int        *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 8);
  char     quote = '\0';

  *n_params = 0;
  for (const char *p = sql; *p != '\0'; p++)
    {
      if (quote != '\0')
        {
          if (*p == quote)
            quote = '\0';
          g_string_append_c (out, *p);
        }
      else if (*p == '\'' || *p == '"')
        {
          quote = *p;
          g_string_append_c (out, *p);
        }
      else if (*p == '?' && g_ascii_isdigit (p[1]))
        {
          char  *end;
          gint64 n = g_ascii_strtoll (p + 1, &end, 10);

          *n_params = MAX (*n_params, (int) n);
          g_string_append_printf (out, "$%d", (int) n);
          p = end - 1;
        }
      else
        {
          g_string_append_c (out, *p);
        }
    }

  return g_string_free (out, FALSE);
}

static McsStatement *
pg_prepare (McsDatabase *self,
            const char  *sql,
            GError     **error)
{
  Connection  *connection = CONN (self);
  PgStatement *statement = g_new0 (PgStatement, 1);

  statement->sql = translate_parameters (sql, &statement->n_params);
  g_snprintf (statement->name, sizeof statement->name, "mc%u", ++connection->next_name);
  statement->values = g_new0 (char *, MAX (statement->n_params, 1));
  statement->lengths = g_new0 (int, MAX (statement->n_params, 1));
  statement->formats = g_new0 (int, MAX (statement->n_params, 1));
  statement->types = g_new0 (Oid, MAX (statement->n_params, 1));
  statement->row = -1;

  return &statement->parent;
}

static void
pg_reset (McsStatement *statement)
{
  PgStatement *self = PG (statement);

  g_clear_pointer (&self->result, PQclear);
  self->row = -1;
  for (int i = 0; i < self->n_params; i++)
    {
      g_clear_pointer (&self->values[i], g_free);
      self->lengths[i] = 0;
      self->formats[i] = 0;
    }
}

static void
pg_free_statement (McsStatement *statement)
{
  PgStatement *self = PG (statement);

  pg_reset (statement);
  g_free (self->sql);
  g_free (self->values);
  g_free (self->lengths);
  g_free (self->formats);
  g_free (self->types);
  g_free (self);
}

static gboolean
execute (PgStatement *self,
         Connection  *connection,
         GError     **error)
{
  ExecStatusType status;

  if (!ensure_connection (connection, error))
    return FALSE;

  if (self->generation != connection->generation)
    {
      PGresult *prepared;

      prepared = PQprepare (connection->conn, self->name, self->sql, self->n_params, self->types);
      if (PQresultStatus (prepared) != PGRES_COMMAND_OK)
        {
          set_result_error (prepared, connection->conn, "Cannot prepare a statement", error);
          PQclear (prepared);
          return FALSE;
        }
      PQclear (prepared);
      self->generation = connection->generation;
    }

  self->result = PQexecPrepared (connection->conn, self->name, self->n_params,
                                 (const char * const *) self->values, self->lengths,
                                 self->formats, 0);
  status = PQresultStatus (self->result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    {
      set_result_error (self->result, connection->conn, "A database statement failed", error);
      g_clear_pointer (&self->result, PQclear);
      return FALSE;
    }

  connection->changes = g_ascii_strtoll (PQcmdTuples (self->result), NULL, 10);
  return TRUE;
}

static gboolean
pg_step (McsStatement *statement,
         gboolean     *has_row,
         GError      **error)
{
  PgStatement *self = PG (statement);

  if (self->result == NULL)
    {
      if (!execute (self, CONN (statement->database), error))
        return FALSE;
      self->row = 0;
    }
  else
    {
      self->row++;
    }

  *has_row = self->row < PQntuples (self->result);
  return TRUE;
}

static gboolean
pg_in_transaction (McsDatabase *self)
{
  return PQtransactionStatus (CONN (self)->conn) != PQTRANS_IDLE;
}

static gint64
pg_changes (McsDatabase *self)
{
  return CONN (self)->changes;
}

static gboolean
pg_lock_schema (McsDatabase *self,
                GError     **error)
{
  return pg_exec (self,
                  "SELECT pg_advisory_xact_lock (" SCHEMA_LOCK_KEY ");"
                  "CREATE TABLE IF NOT EXISTS mentorcall_schema (version INTEGER NOT NULL)",
                  error);
}

static int
pg_get_version (McsDatabase *self)
{
  PGresult *result = PQexec (CONN (self)->conn, "SELECT max (version) FROM mentorcall_schema");
  int       version = -1;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    version = PQgetisnull (result, 0, 0) ? 0 : atoi (PQgetvalue (result, 0, 0));

  PQclear (result);
  return version;
}

static gboolean
pg_set_version (McsDatabase *self,
                int          version,
                GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM mentorcall_schema;"
                                          "INSERT INTO mentorcall_schema VALUES (%d)",
                                          version);

  return pg_exec (self, sql, error);
}

static void
set_value (PgStatement *self,
           int          index,
           char        *value,
           int          length,
           int          format,
           Oid          type)
{
  g_return_if_fail (index >= 1 && index <= self->n_params);

  g_free (self->values[index - 1]);
  self->values[index - 1] = value;
  self->lengths[index - 1] = length;
  self->formats[index - 1] = format;
  self->types[index - 1] = type;
}

static void
pg_bind_int64 (McsStatement *statement,
               int           index,
               gint64        value)
{
  set_value (PG (statement), index, g_strdup_printf ("%" G_GINT64_FORMAT, value), 0, 0, INT8OID);
}

static void
pg_bind_text (McsStatement *statement,
              int           index,
              const char   *text)
{
  set_value (PG (statement), index, g_strdup (text), 0, 0, TEXTOID);
}

static void
pg_bind_blob (McsStatement *statement,
              int           index,
              const guint8 *data,
              gsize         length)
{
  set_value (PG (statement), index, g_memdup2 (data, length), (int) length, 1, BYTEAOID);
}

static gint64
pg_get_int64 (McsStatement *statement,
              int           column)
{
  PgStatement *self = PG (statement);

  const char *value;

  if (PQgetisnull (self->result, self->row, column))
    return 0;

  value = PQgetvalue (self->result, self->row, column);
  if (g_str_equal (value, "t"))
    return 1;
  if (g_str_equal (value, "f"))
    return 0;

  return g_ascii_strtoll (value, NULL, 10);
}

static const char *
pg_get_text (McsStatement *statement,
             int           column)
{
  PgStatement *self = PG (statement);

  if (PQgetisnull (self->result, self->row, column))
    return NULL;

  return PQgetvalue (self->result, self->row, column);
}

static gboolean
pg_is_null (McsStatement *statement,
            int           column)
{
  PgStatement *self = PG (statement);

  return PQgetisnull (self->result, self->row, column);
}

const McsDatabaseBackend mcs_database_postgresql = {
  .kind = MCS_DATABASE_POSTGRESQL,
  .open = pg_open,
  .close = pg_close,
  .prepare = pg_prepare,
  .free_statement = pg_free_statement,
  .step = pg_step,
  .reset = pg_reset,
  .exec = pg_exec,
  /* The per-booking locks serialise writers only if each statement sees
   * what committed before it, whatever the database's default. */
  .begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
  .in_transaction = pg_in_transaction,
  .changes = pg_changes,
  .lock_schema = pg_lock_schema,
  .get_version = pg_get_version,
  .set_version = pg_set_version,
  .bind_int64 = pg_bind_int64,
  .bind_text = pg_bind_text,
  .bind_blob = pg_bind_blob,
  .get_int64 = pg_get_int64,
  .get_text = pg_get_text,
  .is_null = pg_is_null,
};
