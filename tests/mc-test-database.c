/* mc-test-database.c — the database of a test server: SQLite or PostgreSQL
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server tests run twice: on an SQLite file in the test's temporary
 * directory, and (suite `postgresql`) with MENTORCALL_TEST_STORE=postgresql,
 * on a database of its own in a throwaway PostgreSQL cluster that
 * build-aux/run-tests.sh starts with pg_virtualenv. libpq finds that cluster
 * through the PGHOST, PGPORT, PGUSER and PGPASSWORD that pg_virtualenv sets,
 * in the tests and in the servers they start alike; the database is made
 * here and dropped when the test server is freed.
 *
 * mc_test_database_exec() lets a test change rows behind the server's back
 * (a session that expired, a row an old version wrote) in either database.
 */

#define G_LOG_DOMAIN "mc-test"

#include "config.h"

#if HAVE_POSTGRESQL
#include <libpq-fe.h>
#endif
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "mc-test-database.h"

gboolean
mc_test_database_is_postgresql (void)
{
  return g_strcmp0 (g_getenv ("MENTORCALL_TEST_STORE"), "postgresql") == 0;
}

#if HAVE_POSTGRESQL
static PGconn *
connect_to (const char *dbname)
{
  const char *keywords[] = { "dbname", NULL };
  const char *values[] = { dbname, NULL };
  PGconn     *conn = PQconnectdbParams (keywords, values, FALSE);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Cannot connect to the test PostgreSQL cluster (database %s): %s", dbname,
             PQerrorMessage (conn));

  return conn;
}

static void
pg_exec (PGconn     *conn,
         const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("PostgreSQL: %s: %s", sql, PQresultErrorMessage (result));

  PQclear (result);
}

#endif

/**
 * mc_test_database_get_name:
 * @location: a PostgreSQL database's URL, as mc_test_database_new() made it
 *
 * Returns: the database's name in the test cluster
 */
const char *
mc_test_database_get_name (const char *location)
{
  g_assert_true (g_str_has_prefix (location, "postgresql:///"));
  return location + strlen ("postgresql:///");
}

/**
 * mc_test_database_new:
 * @dir: the test server's temporary directory
 *
 * Returns: (transfer full): where the server keeps its data: a file in
 *   @dir, or the URL of a new, empty PostgreSQL database
 */
char *
mc_test_database_new (const char *dir)
{
  if (!mc_test_database_is_postgresql ())
    return g_build_filename (dir, "mentorcall.db", NULL);

#if HAVE_POSTGRESQL
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  PGconn          *conn;

  name = g_strdup_printf ("mc_test_%d_%08x", (int) getpid (), g_random_int ());
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  conn = connect_to ("postgres");
  pg_exec (conn, sql);
  PQfinish (conn);

  return g_strconcat ("postgresql:///", name, NULL);
#else
  g_error ("MENTORCALL_TEST_STORE=postgresql, but this build has no PostgreSQL");
#endif
}

/**
 * mc_test_database_drop:
 * @location: what mc_test_database_new() returned
 *
 * Drops a PostgreSQL database, closing the connections a killed server may
 * have left. A file goes with the test's directory.
 */
void
mc_test_database_drop (const char *location)
{
  if (location == NULL || !g_str_has_prefix (location, "postgresql:"))
    return;

#if HAVE_POSTGRESQL
  g_autofree char *sql = NULL;
  PGconn          *conn;

  sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", mc_test_database_get_name (location));
  conn = connect_to ("postgres");
  pg_exec (conn, sql);
  PQfinish (conn);
#endif
}

/**
 * mc_test_database_exec:
 * @location: a test server's database
 * @sql: SQL that both SQLite and PostgreSQL understand
 *
 * Runs @sql on the database, failing the test if it fails.
 */
void
mc_test_database_exec (const char *location,
                       const char *sql)
{
#if HAVE_POSTGRESQL
  if (g_str_has_prefix (location, "postgresql:"))
    {
      PGconn *conn = connect_to (mc_test_database_get_name (location));

      pg_exec (conn, sql);
      PQfinish (conn);
      return;
    }
#endif
  {
    sqlite3 *db = NULL;
    char    *message = NULL;

    g_assert_cmpint (sqlite3_open (location, &db), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
      g_error ("SQLite: %s: %s", sql, message);
    sqlite3_close (db);
  }
}

/**
 * mc_test_database_query_int:
 * @location: a test server's database
 * @sql: a query whose first row's first column is an integer
 *
 * Returns: that integer; 0 when there is no row
 */
gint64
mc_test_database_query_int (const char *location,
                            const char *sql)
{
  gint64 value = 0;

#if HAVE_POSTGRESQL
  if (g_str_has_prefix (location, "postgresql:"))
    {
      PGconn   *conn = connect_to (mc_test_database_get_name (location));
      PGresult *result = PQexec (conn, sql);

      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        g_error ("PostgreSQL: %s: %s", sql, PQresultErrorMessage (result));
      if (PQntuples (result) > 0)
        value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);
      PQfinish (conn);
      return value;
    }
#endif

  {
    sqlite3      *db = NULL;
    sqlite3_stmt *statement = NULL;

    g_assert_cmpint (sqlite3_open (location, &db), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
      g_error ("SQLite: %s: %s", sql, sqlite3_errmsg (db));
    if (sqlite3_step (statement) == SQLITE_ROW)
      value = sqlite3_column_int64 (statement, 0);
    sqlite3_finalize (statement);
    sqlite3_close (db);
  }

  return value;
}
