/* test-storage.c — what survives a restart, and upgrading an old database
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

static void
test_restart (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (JsonNode)     issued = NULL;
  g_autofree char         *session = NULL;
  g_autofree char         *call_token = NULL;
  g_autofree char         *path = NULL;
  g_autofree char         *secret_path = NULL;
  g_autofree char         *verify_body = NULL;
  GStatBuf                 info;
  gint64                   mentor_id, booking_id;
  guint                    status;

  mc_test_create_pair (server, &mentor_id, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                                       "confirmed");
  session = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token", booking_id);
  issued = mc_test_request (server, "POST", path, session, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  call_token = g_strdup (mc_test_get_string (mc_test_object (issued), "token"));

  /* The signing secret lives beside the database, readable by its owner only. */
  secret_path = g_build_filename (mc_test_server_get_dir (server), "server-secret", NULL);
  g_assert_cmpint (g_stat (secret_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  mc_test_server_restart (server);

  /* The session is still good. */
  {
    g_autoptr (JsonNode) me = mc_test_request (server, "GET", "/api/v1/me", session, NULL,
                                               &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (mc_test_get_int (mc_test_object (me), "user.id"), ==, mentor_id);
  }

  /* So are the users and the booking, with its call room. */
  g_free (mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD));
  {
    g_autoptr (JsonNode) list = mc_test_request (server, "GET", "/api/v1/bookings", session, NULL,
                                                 &status);
    JsonArray           *bookings;

    g_assert_cmpuint (status, ==, 200);
    bookings = json_node_get_array (mc_test_get_node (mc_test_object (list), "bookings"));
    g_assert_cmpuint (json_array_get_length (bookings), ==, 1);
    g_assert_cmpint (mc_test_get_int (json_array_get_object_element (bookings, 0), "id"), ==,
                     booking_id);
    g_assert_cmpstr (mc_test_get_string (json_array_get_object_element (bookings, 0),
                                         "call.state"),
                     ==, "idle");
  }

  /* A call token from before the restart still verifies: the secret was kept. */
  verify_body = g_strdup_printf ("{\"token\":\"%s\"}", call_token);
  {
    g_autoptr (JsonNode) verified = mc_test_request (server, "POST", "/api/v1/call-tokens/verify",
                                                     session, verify_body, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_true (json_node_get_boolean (mc_test_get_node (mc_test_object (verified), "valid")));
  }

  /* A revoked session stays revoked. */
  {
    g_autoptr (JsonNode) out = mc_test_request (server, "POST", "/api/v1/auth/logout", session,
                                                NULL, &status);

    g_assert_cmpuint (status, ==, 204);
  }
  mc_test_server_restart (server);
  {
    g_autoptr (JsonNode) me = mc_test_request (server, "GET", "/api/v1/me", session, NULL,
                                               &status);

    mc_test_assert_error (me, status, 401, "session_invalid");
  }
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("SQL failed: %s\n%s", message, sql);
}

static int
read_user_version (const char *path)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *statement = NULL;
  int           version;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &statement, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  version = sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_close (db);

  return version;
}

/* The schema of version 1, as it shipped. It must never change: it stands
 * for the files that servers of that version wrote. */
static const char schema_v1[] =
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('mentor', 'student')),"
  "  password_hash TEXT NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE sessions ("
  "  id INTEGER PRIMARY KEY,"
  "  token_hash BLOB NOT NULL UNIQUE,"
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  revoked_at INTEGER"
  ");"
  "CREATE INDEX sessions_by_user ON sessions (user_id);"
  "CREATE TABLE bookings ("
  "  id INTEGER PRIMARY KEY,"
  "  mentor_id INTEGER NOT NULL REFERENCES users (id),"
  "  student_id INTEGER NOT NULL REFERENCES users (id),"
  "  subject TEXT NOT NULL DEFAULT '',"
  "  starts_at INTEGER NOT NULL,"
  "  ends_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('pending', 'confirmed', 'cancelled', 'completed')),"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  CHECK (ends_at > starts_at)"
  ");"
  "CREATE INDEX bookings_by_mentor ON bookings (mentor_id, ends_at);"
  "CREATE INDEX bookings_by_student ON bookings (student_id, ends_at);";

static char *
hash_password (const char *password)
{
  char hash[crypto_pwhash_STRBYTES];

  g_assert_cmpint (sodium_init (), >=, 0);
  g_assert_cmpint (crypto_pwhash_str_alg (hash, password, strlen (password),
                                          crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                                          crypto_pwhash_ALG_ARGON2ID13),
                   ==, 0);
  return g_strdup (hash);
}

static void migration_from_v1 (void);

static void
test_migration_from_v1 (void)
{
  if (mc_test_database_is_postgresql ())
    {
      g_test_skip ("An SQLite file from version 1: PostgreSQL support came with schema version 5");
      return;
    }

  migration_from_v1 ();
}

static void
migration_from_v1 (void)
{
  g_autoptr (McTestServer) server = mc_test_server_new (NULL);
  g_autofree char         *mentor_hash = hash_password ("mentor-v1-password");
  g_autofree char         *student_hash = hash_password ("student-v1-password");
  g_autofree char         *session_token = NULL;
  g_autofree char         *session_hash_hex = NULL;
  g_autofree char         *sql = NULL;
  g_autofree char         *token = NULL;
  g_autoptr (GChecksum)    checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gint64                   now = mc_test_now ();
  guint8                   raw[32];
  sqlite3                 *db = NULL;
  guint                    status;

  /* A session token as version 1 stored it: the SHA-256 of the token text. */
  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) g_random_int ();
  session_token = mc_base64url_encode (raw, sizeof raw);
  g_checksum_update (checksum, (const guchar *) session_token, strlen (session_token));
  session_hash_hex = g_strdup (g_checksum_get_string (checksum));

  g_assert_cmpint (sqlite3_open (mc_test_server_get_database (server), &db), ==, SQLITE_OK);
  exec_sql (db, "BEGIN");
  exec_sql (db, schema_v1);
  sql = g_strdup_printf ("INSERT INTO users (id, username, display_name, role, password_hash,"
                         " disabled, created_at) VALUES"
                         " (1, 'vera', 'Vera Old', 'mentor', '%s', 0, %" G_GINT64_FORMAT "),"
                         " (2, 'otto', 'Otto Old', 'student', '%s', 0, %" G_GINT64_FORMAT ");"
                         "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
                         " VALUES (x'%s', 2, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ");"
                         "INSERT INTO bookings (id, mentor_id, student_id, subject, starts_at,"
                         " ends_at, status, created_at, updated_at) VALUES"
                         " (5, 1, 2, 'Old lesson', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ","
                         "  'confirmed', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "),"
                         " (6, 1, 2, 'Old pending', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ","
                         "  'pending', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ");",
                         mentor_hash, now - 86400, student_hash, now - 86400,
                         session_hash_hex, now - 60, now + 86400,
                         now - 300, now + 3300, now - 3600, now - 3600,
                         now + 86400, now + 90000, now - 3600, now - 3600);
  exec_sql (db, sql);
  exec_sql (db, "PRAGMA user_version = 1");
  exec_sql (db, "COMMIT");
  sqlite3_close (db);
  g_assert_cmpint (read_user_version (mc_test_server_get_database (server)), ==, 1);

  mc_test_server_start (server);

  /* The users are there, and their passwords work. */
  token = mc_test_login (server, "vera", "mentor-v1-password");

  /* The session made under version 1 still works. */
  {
    g_autoptr (JsonNode) me = mc_test_request (server, "GET", "/api/v1/me", session_token, NULL,
                                               &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (me), "user.username"), ==, "otto");
  }

  /* The confirmed booking got its call room; the pending one did not. */
  {
    g_autoptr (JsonNode) booking = mc_test_request (server, "GET", "/api/v1/bookings/5", token,
                                                    NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (booking), "subject"), ==, "Old lesson");
    g_assert_cmpstr (mc_test_get_string (mc_test_object (booking), "status"), ==, "confirmed");
    g_assert_cmpstr (mc_test_get_string (mc_test_object (booking), "call.state"), ==, "idle");
    g_assert_cmpstr (mc_test_get_string (mc_test_object (booking), "other.username"), ==, "otto");
  }
  {
    g_autoptr (JsonNode) booking = mc_test_request (server, "GET", "/api/v1/bookings/6", token,
                                                    NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_true (JSON_NODE_HOLDS_NULL (mc_test_get_node (mc_test_object (booking), "call")));
  }

  /* It is joinable. */
  {
    g_autoptr (JsonNode) issued = mc_test_request (server, "POST", "/api/v1/bookings/5/call-token",
                                                   session_token, "{}", &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (issued), "role"), ==, "student");
  }

  /* Confirming the pending one now makes its room the version 2 way. */
  {
    g_autoptr (JsonNode) patched = mc_test_admin (server, "PATCH", "/api/v1/admin/bookings/6",
                                                  "{\"status\":\"confirmed\"}", &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (patched), "call.state"), ==, "idle");
  }

  mc_test_server_stop (server);

  /* Upgraded to the version that a new server creates (2 or later). */
  {
    g_autoptr (McTestServer) fresh = mc_test_server_start_new (NULL);
    int                      current;

    mc_test_server_stop (fresh);
    current = read_user_version (mc_test_server_get_database (fresh));
    g_assert_cmpint (current, >=, 2);
    g_assert_cmpint (read_user_version (mc_test_server_get_database (server)), ==, current);
  }

  /* The sessions revoked lately are found through an index (version 4),
   * not by reading every session: the server asks every few seconds. */
  {
    sqlite3      *upgraded = NULL;
    sqlite3_stmt *plan = NULL;
    gboolean      indexed = FALSE;

    g_assert_cmpint (sqlite3_open (mc_test_server_get_database (server), &upgraded), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (upgraded,
                                         "EXPLAIN QUERY PLAN"
                                         " SELECT s.id, s.user_id, u.disabled"
                                         " FROM sessions s JOIN users u ON u.id = s.user_id"
                                         " WHERE s.revoked_at >= ?1",
                                         -1, &plan, NULL),
                     ==, SQLITE_OK);
    while (sqlite3_step (plan) == SQLITE_ROW)
      {
        const char *detail = (const char *) sqlite3_column_text (plan, 3);

        g_test_message ("plan: %s", detail);
        indexed |= strstr (detail, "INDEX sessions_revoked") != NULL;
      }
    sqlite3_finalize (plan);
    sqlite3_close (upgraded);
    g_assert_true (indexed);
  }

  /* Starting again on the upgraded file changes nothing. */
  mc_test_server_start (server);
  g_free (mc_test_login (server, "otto", "student-v1-password"));
}

/* Checks that the database and, while the server runs, its -wal and -shm
 * files are readable and writable by their owner only. */
static void
assert_private_files (McTestServer *server,
                      gboolean      running)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (mc_test_server_get_database (server), suffixes[i],
                                           NULL);
      GStatBuf         info;

      if (g_stat (path, &info) != 0)
        {
          /* SQLite removes -wal and -shm when the last connection closes. */
          if (!running && i > 0)
            continue;
          g_error ("%s is missing", path);
        }

      g_test_message ("%s: %04o", path, info.st_mode & 0777);
      g_assert_cmpint (info.st_mode & 0777, ==, 0600);
    }
}

static void file_modes (void);

static void
test_file_modes (void)
{
  if (mc_test_database_is_postgresql ())
    {
      g_test_skip ("File modes are the SQLite file's");
      return;
    }

  file_modes ();
}

static void
file_modes (void)
{
  g_autoptr (McTestServer) server = NULL;
  mode_t                   old_umask;

  /* The usual umask, which would make files 0644; the server inherits it. */
  old_umask = umask (022);
  server = mc_test_server_start_new (NULL);
  umask (old_umask);

  /* A write, so that the WAL exists. */
  mc_test_create_pair (server, NULL, NULL);
  assert_private_files (server, TRUE);

  /* A database an older version left readable by everyone is tightened. */
  mc_test_server_stop (server);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (mc_test_server_get_database (server), suffixes[i],
                                             NULL);

        if (g_file_test (path, G_FILE_TEST_EXISTS))
          g_assert_cmpint (g_chmod (path, 0644), ==, 0);
      }
  }
  mc_test_server_start (server);
  g_free (mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD));
  assert_private_files (server, TRUE);

  mc_test_server_stop (server);
  assert_private_files (server, FALSE);
}

/* The database's connection breaks under a running server (PostgreSQL
 * restarted, a failover, an administrator ending sessions): the request
 * that finds it broken fails with a clean 500 and nothing sent twice, and
 * the server connects again for the next one. SQLite has no connection to
 * lose: there the server simply goes on. */
static void
test_connection_lost (void)
{
  g_autoptr (McTestServer) server = mc_test_server_new (NULL);
  g_autofree char         *token = NULL;
  guint                    status = 0;

  /* The server warns about the lost connection: not fatal here. */
  mc_test_server_setenv (server, "G_DEBUG", "gc-friendly");
  mc_test_server_start (server);
  mc_test_create_pair (server, NULL, NULL);
  token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  if (mc_test_database_is_postgresql ())
    mc_test_database_exec (mc_test_server_get_database (server),
                           "SELECT pg_terminate_backend (pid) FROM pg_stat_activity"
                           " WHERE datname = current_database () AND pid != pg_backend_pid ()");

  for (guint attempt = 0; attempt < 3 && status != 200; attempt++)
    {
      g_autoptr (JsonNode) node = mc_test_request (server, "GET", "/api/v1/me", token, NULL,
                                                   &status);

      if (status != 200)
        {
          g_assert_true (mc_test_database_is_postgresql ());
          mc_test_assert_error (node, status, 500, "internal_error");
        }
    }
  g_assert_cmpuint (status, ==, 200);

  /* Writes work again too. */
  {
    g_autoptr (JsonNode) node = NULL;
    gint64               booking_id;

    booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 3600, 7200,
                                         "confirmed");
    g_assert_cmpint (booking_id, >, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/storage/restart", test_restart);
  g_test_add_func ("/server/storage/migration-from-v1", test_migration_from_v1);
  g_test_add_func ("/server/storage/file-modes", test_file_modes);
  g_test_add_func ("/server/storage/connection-lost", test_connection_lost);

  return g_test_run ();
}
