/* mcs-store.c — users, sessions, bookings, calls and attendance
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is the only code that knows the schema. Every function reports
 * failures in the MC_ERROR domain, so request handlers can pass them on as
 * they are: a missing row is MC_ERROR_NOT_FOUND, a uniqueness clash is
 * MC_ERROR_CONFLICT and anything else is logged here and surfaces as
 * MC_ERROR_INTERNAL, so that no SQL detail reaches a client.
 */

#define G_LOG_DOMAIN "mcs-store"

#include <string.h>

#include <sodium.h>

#include "mcs-store.h"

struct _McsStore
{
  GObject      parent_instance;

  McsDatabase *database;
};

G_DEFINE_TYPE (McsStore, mcs_store, G_TYPE_OBJECT)

/* Index i upgrades the schema from version i to i + 1. Never edit a step
 * that has shipped: add a new one and bump MCS_SCHEMA_VERSION. */
static const char * const migrations[MCS_SCHEMA_VERSION] = {
  /* 1: accounts, sessions and bookings */
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
  "CREATE INDEX bookings_by_student ON bookings (student_id, ends_at);",

  /* 2: call rooms and attendance. Bookings confirmed under version 1 get
   * their room here, as if they had been confirmed now. */
  "CREATE TABLE calls ("
  "  booking_id INTEGER PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,"
  "  room_id TEXT NOT NULL UNIQUE,"
  "  state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'active', 'ended')),"
  "  created_at INTEGER NOT NULL,"
  "  started_at INTEGER,"
  "  ended_at INTEGER,"
  "  ended_by INTEGER REFERENCES users (id),"
  "  duration_seconds INTEGER"
  ");"
  "CREATE TABLE attendance ("
  "  id INTEGER PRIMARY KEY,"
  "  booking_id INTEGER NOT NULL REFERENCES calls (booking_id) ON DELETE CASCADE,"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  joined_at INTEGER NOT NULL,"
  "  left_at INTEGER,"
  "  leave_reason TEXT"
  ");"
  "CREATE INDEX attendance_by_booking ON attendance (booking_id, joined_at);"
  "INSERT INTO calls (booking_id, room_id, state, created_at)"
  "  SELECT id, lower (hex (randomblob (32))),"
  "         CASE status WHEN 'completed' THEN 'ended' ELSE 'idle' END,"
  "         CAST (strftime ('%s', 'now') AS INTEGER)"
  "  FROM bookings WHERE status IN ('confirmed', 'completed');",

  /* 3: chat, kept with the booking. client_id makes sending idempotent. */
  "CREATE TABLE chat_messages ("
  "  booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,"
  "  seq INTEGER NOT NULL,"
  "  client_id TEXT NOT NULL,"
  "  sender_id INTEGER NOT NULL REFERENCES users (id),"
  "  text TEXT NOT NULL,"
  "  sent_at INTEGER NOT NULL,"
  "  PRIMARY KEY (booking_id, seq),"
  "  UNIQUE (booking_id, client_id)"
  ");",
};

#define MAX_LESSON_SECONDS (24 * 3600)

#define USER_COLUMNS "id, username, display_name, role, password_hash, disabled, created_at"

#define BOOKING_SELECT \
  "SELECT b.id, b.mentor_id, b.student_id, b.subject, b.starts_at, b.ends_at, b.status," \
  "       b.created_at, b.updated_at, c.room_id, c.state, c.started_at, c.ended_at," \
  "       c.duration_seconds" \
  " FROM bookings b LEFT JOIN calls c ON c.booking_id = b.id"

static gboolean
fail (GError  **error,
      GError   *local_error)
{
  if (g_error_matches (local_error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_CONSTRAINT))
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_CONFLICT,
                           "The change conflicts with existing data");
    }
  else
    {
      g_warning ("Database failure: %s", local_error ? local_error->message : "unknown");
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INTERNAL,
                           "The server's database failed; try again later");
    }

  g_clear_error (&local_error);
  return FALSE;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static McsUser *
read_user (McsStatement *statement,
           int           first)
{
  McsUser *user = g_new0 (McsUser, 1);

  user->id = sqlite3_column_int64 (statement, first + 0);
  user->username = g_strdup (mcs_statement_get_text (statement, first + 1));
  user->display_name = g_strdup (mcs_statement_get_text (statement, first + 2));
  if (!mc_role_from_string (mcs_statement_get_text (statement, first + 3), &user->role))
    user->role = MC_ROLE_STUDENT;
  user->password_hash = g_strdup (mcs_statement_get_text (statement, first + 4));
  user->disabled = sqlite3_column_int (statement, first + 5) != 0;
  user->created_at = sqlite3_column_int64 (statement, first + 6);

  return user;
}

static char *
new_room_id (void)
{
  guint8 bytes[32];
  char hex[sizeof bytes * 2 + 1];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2hex (hex, sizeof hex, bytes, sizeof bytes);

  return g_strdup (hex);
}

static gboolean
ensure_call (McsStore  *self,
             gint64     booking_id,
             GError   **error)
{
  g_autoptr(McsStatement) statement = NULL;
  g_autofree char *room_id = new_room_id ();
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "INSERT OR IGNORE INTO calls (booking_id, room_id, created_at)"
                                      " VALUES (?1, ?2, ?3)",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error);

  sqlite3_bind_int64 (statement, 1, booking_id);
  sqlite3_bind_text (statement, 2, room_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 3, now_seconds ());

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return fail (error, local_error);

  return TRUE;
}

static GPtrArray *
list_present (McsStore  *self,
              gint64     booking_id,
              GError   **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_user_free);
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT DISTINCT u.id, u.username, u.display_name, u.role,"
                                      "       u.password_hash, u.disabled, u.created_at"
                                      " FROM attendance a JOIN users u ON u.id = a.user_id"
                                      " WHERE a.booking_id = ?1 AND a.left_at IS NULL"
                                      " ORDER BY a.joined_at",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, booking_id);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    g_ptr_array_add (users, read_user (statement, 0));

  if (local_error != NULL)
    return fail (error, local_error), NULL;

  return g_steal_pointer (&users);
}

/* Reads the booking in the current row of a BOOKING_SELECT statement. The
 * participants come from separate lookups, which SQLite answers from its
 * page cache. */
static McsBooking *
read_booking (McsStore      *self,
              McsStatement  *statement,
              GError       **error)
{
  g_autoptr(McsBooking) booking = g_new0 (McsBooking, 1);
  gint64 mentor_id, student_id;

  booking->id = sqlite3_column_int64 (statement, 0);
  mentor_id = sqlite3_column_int64 (statement, 1);
  student_id = sqlite3_column_int64 (statement, 2);
  booking->subject = g_strdup (mcs_statement_get_text (statement, 3));
  booking->starts_at = sqlite3_column_int64 (statement, 4);
  booking->ends_at = sqlite3_column_int64 (statement, 5);
  if (!mc_booking_status_from_string (mcs_statement_get_text (statement, 6), &booking->status))
    booking->status = MC_BOOKING_PENDING;
  booking->created_at = sqlite3_column_int64 (statement, 7);
  booking->updated_at = sqlite3_column_int64 (statement, 8);
  booking->call_duration = -1;

  if (sqlite3_column_type (statement, 9) != SQLITE_NULL)
    {
      booking->has_call = TRUE;
      booking->room_id = g_strdup (mcs_statement_get_text (statement, 9));
      if (!mc_call_state_from_string (mcs_statement_get_text (statement, 10), &booking->call_state))
        booking->call_state = MC_CALL_IDLE;
      booking->call_started_at = sqlite3_column_int64 (statement, 11);
      booking->call_ended_at = sqlite3_column_int64 (statement, 12);
      if (sqlite3_column_type (statement, 13) != SQLITE_NULL)
        booking->call_duration = sqlite3_column_int64 (statement, 13);
    }

  /* Lookups below reuse other cached statements, never this one. */
  booking->mentor = mcs_store_get_user (self, mentor_id, error);
  if (booking->mentor == NULL)
    return NULL;

  booking->student = mcs_store_get_user (self, student_id, error);
  if (booking->student == NULL)
    return NULL;

  if (booking->has_call)
    {
      booking->present = list_present (self, booking->id, error);
      if (booking->present == NULL)
        return NULL;
    }

  return g_steal_pointer (&booking);
}

static GPtrArray *
collect_bookings (McsStore      *self,
                  McsStatement  *statement,
                  GError       **error)
{
  g_autoptr(GPtrArray) bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_booking_free);
  GError *local_error = NULL;
  gboolean has_row;

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsBooking *booking = read_booking (self, statement, error);

      if (booking == NULL)
        return NULL;

      g_ptr_array_add (bookings, booking);
    }

  if (local_error != NULL)
    return fail (error, local_error), NULL;

  return g_steal_pointer (&bookings);
}

static void
mcs_store_finalize (GObject *object)
{
  McsStore *self = (McsStore *) object;

  g_clear_object (&self->database);

  G_OBJECT_CLASS (mcs_store_parent_class)->finalize (object);
}

static void
mcs_store_class_init (McsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mcs_store_finalize;
}

static void
mcs_store_init (McsStore *self)
{
}

/**
 * mcs_store_open:
 * @path: the database file, or `:memory:`
 * @error: a #GError
 *
 * Opens the database and brings its schema up to date.
 *
 * Returns: (transfer full): the store
 */
McsStore *
mcs_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(McsStore) self = g_object_new (MCS_TYPE_STORE, NULL);

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INTERNAL, "libsodium failed to initialize");
      return NULL;
    }

  self->database = mcs_database_open (path, error);
  if (self->database == NULL)
    return NULL;

  if (!mcs_database_migrate (self->database, migrations, G_N_ELEMENTS (migrations), error))
    return NULL;

  return g_steal_pointer (&self);
}

McsDatabase *
mcs_store_get_database (McsStore *self)
{
  g_return_val_if_fail (MCS_IS_STORE (self), NULL);

  return self->database;
}

/**
 * mcs_store_get_migrations:
 * @n_migrations: (out): their number
 *
 * Returns: (transfer none): the schema's migration steps
 */
const char * const *
mcs_store_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

McsUser *
mcs_store_add_user (McsStore    *self,
                    const char  *username,
                    const char  *display_name,
                    McRole       role,
                    const char  *password_hash,
                    GError     **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "INSERT INTO users (username, display_name, role,"
                                      "                   password_hash, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5)",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_text (statement, 1, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, display_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, mc_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 5, now_seconds ());

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    {
      if (g_error_matches (local_error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_CONSTRAINT))
        {
          g_clear_error (&local_error);
          g_set_error (error, MC_ERROR, MC_ERROR_CONFLICT,
                       "The username “%s” is taken", username);
          return NULL;
        }

      return fail (error, local_error), NULL;
    }

  return mcs_store_get_user (self, mcs_database_last_insert_id (self->database), error);
}

static McsUser *
get_user_where (McsStore    *self,
                const char  *sql,
                gint64       id,
                const char  *username,
                GError     **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database, sql, &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  if (username != NULL)
    sqlite3_bind_text (statement, 1, username, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (statement, 1, id);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_NOT_FOUND, "No such user");
      return NULL;
    }

  return read_user (statement, 0);
}

McsUser *
mcs_store_get_user (McsStore  *self,
                    gint64     id,
                    GError   **error)
{
  return get_user_where (self, "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
                         id, NULL, error);
}

McsUser *
mcs_store_find_user (McsStore    *self,
                     const char  *username,
                     GError     **error)
{
  g_return_val_if_fail (username != NULL, NULL);

  return get_user_where (self, "SELECT " USER_COLUMNS " FROM users WHERE username = ?1",
                         0, username, error);
}

GPtrArray *
mcs_store_list_users (McsStore  *self,
                      GError   **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_user_free);
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT " USER_COLUMNS " FROM users ORDER BY id",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    g_ptr_array_add (users, read_user (statement, 0));

  if (local_error != NULL)
    return fail (error, local_error), NULL;

  return g_steal_pointer (&users);
}

/**
 * mcs_store_update_user:
 * @self: a store
 * @id: the user
 * @display_name: (nullable): a new display name
 * @password_hash: (nullable): a new password hash
 * @disabled: 1 to disable the account, 0 to enable it, -1 to leave it
 * @error: a #GError
 *
 * Disabling an account also revokes its sessions.
 *
 * Returns: %TRUE on success; %MC_ERROR_NOT_FOUND for an unknown user
 */
gboolean
mcs_store_update_user (McsStore    *self,
                       gint64       id,
                       const char  *display_name,
                       const char  *password_hash,
                       int          disabled,
                       GError     **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "UPDATE users SET"
                                      "  display_name = coalesce (?2, display_name),"
                                      "  password_hash = coalesce (?3, password_hash),"
                                      "  disabled = coalesce (?4, disabled)"
                                      " WHERE id = ?1",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error);

  sqlite3_bind_int64 (statement, 1, id);
  if (display_name != NULL)
    sqlite3_bind_text (statement, 2, display_name, -1, SQLITE_TRANSIENT);
  if (password_hash != NULL)
    sqlite3_bind_text (statement, 3, password_hash, -1, SQLITE_TRANSIENT);
  if (disabled >= 0)
    sqlite3_bind_int (statement, 4, disabled ? 1 : 0);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return fail (error, local_error);

  if (mcs_database_changes (self->database) == 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_NOT_FOUND, "No such user");
      return FALSE;
    }

  if (disabled == 1)
    {
      g_autoptr(McsStatement) revoke = NULL;

      revoke = mcs_database_statement (self->database,
                                       "UPDATE sessions SET revoked_at = ?2"
                                       " WHERE user_id = ?1 AND revoked_at IS NULL",
                                       &local_error);
      if (revoke == NULL)
        return fail (error, local_error);

      sqlite3_bind_int64 (revoke, 1, id);
      sqlite3_bind_int64 (revoke, 2, now_seconds ());
      if (!mcs_database_step (self->database, revoke, NULL, &local_error))
        return fail (error, local_error);
    }

  return TRUE;
}

gboolean
mcs_store_add_session (McsStore      *self,
                       const guint8  *token_hash,
                       gint64         user_id,
                       gint64         created_at,
                       gint64         expires_at,
                       GError       **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "INSERT INTO sessions (token_hash, user_id, created_at,"
                                      "                      expires_at)"
                                      " VALUES (?1, ?2, ?3, ?4)",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error);

  sqlite3_bind_blob (statement, 1, token_hash, MCS_TOKEN_HASH_LENGTH, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 2, user_id);
  sqlite3_bind_int64 (statement, 3, created_at);
  sqlite3_bind_int64 (statement, 4, expires_at);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return fail (error, local_error);

  return TRUE;
}

/**
 * mcs_store_find_session:
 * @self: a store
 * @token_hash: (array fixed-size=32): the SHA-256 of a session token
 * @error: a #GError
 *
 * Returns: (transfer full): the session, expired and revoked ones included;
 *   %MC_ERROR_SESSION_INVALID if there is none
 */
McsSession *
mcs_store_find_session (McsStore      *self,
                        const guint8  *token_hash,
                        GError       **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  McsSession *session;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT id, user_id, expires_at, revoked_at FROM sessions"
                                      " WHERE token_hash = ?1",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_blob (statement, 1, token_hash, MCS_TOKEN_HASH_LENGTH, SQLITE_TRANSIENT);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_SESSION_INVALID,
                           "The session is not valid; log in again");
      return NULL;
    }

  session = g_new0 (McsSession, 1);
  session->id = sqlite3_column_int64 (statement, 0);
  session->user_id = sqlite3_column_int64 (statement, 1);
  session->expires_at = sqlite3_column_int64 (statement, 2);
  session->revoked_at = sqlite3_column_int64 (statement, 3);

  return session;
}

gboolean
mcs_store_revoke_session (McsStore  *self,
                          gint64     session_id,
                          gint64     now,
                          GError   **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "UPDATE sessions SET revoked_at = ?2"
                                      " WHERE id = ?1 AND revoked_at IS NULL",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error);

  sqlite3_bind_int64 (statement, 1, session_id);
  sqlite3_bind_int64 (statement, 2, now);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return fail (error, local_error);

  return TRUE;
}

/**
 * mcs_store_purge_sessions:
 * @self: a store
 * @now: the current time
 *
 * Deletes sessions that expired or were revoked more than a day ago. The
 * day of grace lets a client be told "expired" rather than "unknown".
 *
 * Returns: how many were deleted
 */
guint
mcs_store_purge_sessions (McsStore *self,
                          gint64    now)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "DELETE FROM sessions WHERE expires_at < ?1"
                                      " OR (revoked_at IS NOT NULL AND revoked_at < ?1)",
                                      &local_error);
  if (statement == NULL)
    return fail (NULL, local_error), 0;

  sqlite3_bind_int64 (statement, 1, now - 24 * 3600);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return fail (NULL, local_error), 0;

  return mcs_database_changes (self->database);
}

McsBooking *
mcs_store_add_booking (McsStore         *self,
                       gint64            mentor_id,
                       gint64            student_id,
                       const char       *subject,
                       gint64            starts_at,
                       gint64            ends_at,
                       McBookingStatus   status,
                       GError          **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gint64 now = now_seconds ();
  gint64 id;

  if (!mcs_database_begin (self->database, &local_error))
    return fail (error, local_error), NULL;

  statement = mcs_database_statement (self->database,
                                      "INSERT INTO bookings (mentor_id, student_id, subject,"
                                      "  starts_at, ends_at, status, created_at, updated_at)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                                      &local_error);
  if (statement == NULL)
    goto failed;

  sqlite3_bind_int64 (statement, 1, mentor_id);
  sqlite3_bind_int64 (statement, 2, student_id);
  sqlite3_bind_text (statement, 3, subject ? subject : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 4, starts_at);
  sqlite3_bind_int64 (statement, 5, ends_at);
  sqlite3_bind_text (statement, 6, mc_booking_status_to_string (status), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 7, now);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    goto failed;

  id = mcs_database_last_insert_id (self->database);

  /* The room is created with the confirmation, as the in-house app did. */
  if (status == MC_BOOKING_CONFIRMED && !ensure_call (self, id, &local_error))
    goto failed;

  if (!mcs_database_commit (self->database, &local_error))
    goto failed;

  return mcs_store_get_booking (self, id, error);

failed:
  mcs_database_rollback (self->database);
  if (local_error == NULL)
    return NULL;
  return fail (error, local_error), NULL;
}

McsBooking *
mcs_store_get_booking (McsStore  *self,
                       gint64     id,
                       GError   **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database, BOOKING_SELECT " WHERE b.id = ?1",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, id);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_NOT_FOUND,
                   "There is no booking %" G_GINT64_FORMAT, id);
      return NULL;
    }

  return read_booking (self, statement, error);
}

/**
 * mcs_store_list_user_bookings:
 * @self: a store
 * @user_id: a participant
 * @ends_after: leave out bookings that ended before this time
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type McsBooking): the user's bookings,
 *   earliest start first
 */
GPtrArray *
mcs_store_list_user_bookings (McsStore  *self,
                              gint64     user_id,
                              gint64     ends_after,
                              GError   **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      BOOKING_SELECT
                                      " WHERE (b.mentor_id = ?1 OR b.student_id = ?1)"
                                      "   AND b.ends_at >= ?2"
                                      " ORDER BY b.starts_at, b.id",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, user_id);
  sqlite3_bind_int64 (statement, 2, ends_after);

  return collect_bookings (self, statement, error);
}

/**
 * mcs_store_list_bookings:
 * @self: a store
 * @status: an #McBookingStatus to filter by, or -1 for all
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type McsBooking): bookings, earliest
 *   start first
 */
GPtrArray *
mcs_store_list_bookings (McsStore  *self,
                         int        status,
                         GError   **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      BOOKING_SELECT
                                      " WHERE ?1 IS NULL OR b.status = ?1"
                                      " ORDER BY b.starts_at, b.id",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  if (status >= 0)
    sqlite3_bind_text (statement, 1, mc_booking_status_to_string (status), -1, SQLITE_STATIC);

  return collect_bookings (self, statement, error);
}

/**
 * mcs_store_update_booking:
 * @self: a store
 * @id: the booking
 * @changes: what to change
 * @error: a #GError
 *
 * Applies @changes in one transaction. A status move that
 * mc_booking_status_can_move() refuses fails with
 * %MC_ERROR_INVALID_TRANSITION; confirming creates the call room.
 *
 * Returns: (transfer full): the booking as it is now
 */
McsBooking *
mcs_store_update_booking (McsStore                 *self,
                          gint64                    id,
                          const McsBookingChanges  *changes,
                          GError                  **error)
{
  g_autoptr(McsBooking) booking = NULL;
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gint64 starts_at, ends_at;

  if (!mcs_database_begin (self->database, &local_error))
    return fail (error, local_error), NULL;

  booking = mcs_store_get_booking (self, id, error);
  if (booking == NULL)
    goto failed;

  if (changes->status >= 0 && !mc_booking_status_can_move (booking->status, changes->status))
    {
      g_set_error (error, MC_ERROR, MC_ERROR_INVALID_TRANSITION,
                   "A %s booking cannot become %s",
                   mc_booking_status_to_string (booking->status),
                   mc_booking_status_to_string (changes->status));
      goto failed;
    }

  starts_at = changes->starts_at >= 0 ? changes->starts_at : booking->starts_at;
  ends_at = changes->ends_at >= 0 ? changes->ends_at : booking->ends_at;
  if (ends_at <= starts_at || ends_at - starts_at > MAX_LESSON_SECONDS)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "A lesson must end after it starts, and last at most 24 hours");
      goto failed;
    }

  statement = mcs_database_statement (self->database,
                                      "UPDATE bookings SET"
                                      "  subject = coalesce (?2, subject),"
                                      "  starts_at = ?3, ends_at = ?4,"
                                      "  status = coalesce (?5, status),"
                                      "  updated_at = ?6"
                                      " WHERE id = ?1",
                                      &local_error);
  if (statement == NULL)
    goto failed;

  sqlite3_bind_int64 (statement, 1, id);
  if (changes->subject != NULL)
    sqlite3_bind_text (statement, 2, changes->subject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 3, starts_at);
  sqlite3_bind_int64 (statement, 4, ends_at);
  if (changes->status >= 0)
    sqlite3_bind_text (statement, 5, mc_booking_status_to_string (changes->status), -1,
                       SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 6, now_seconds ());

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    goto failed;

  if (changes->status == MC_BOOKING_CONFIRMED && !ensure_call (self, id, &local_error))
    goto failed;

  if (!mcs_database_commit (self->database, &local_error))
    goto failed;

  return mcs_store_get_booking (self, id, error);

failed:
  mcs_database_rollback (self->database);
  if (local_error == NULL)
    return NULL;
  return fail (error, local_error), NULL;
}

/**
 * mcs_store_list_attendance:
 * @self: a store
 * @booking_id: a booking
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type McsAttendance): every join and
 *   leave of the booking's call, in order
 */
GPtrArray *
mcs_store_list_attendance (McsStore  *self,
                           gint64     booking_id,
                           GError   **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_attendance_free);
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT u.id, u.username, u.display_name, u.role,"
                                      "       u.password_hash, u.disabled, u.created_at,"
                                      "       a.joined_at, a.left_at, a.leave_reason"
                                      " FROM attendance a JOIN users u ON u.id = a.user_id"
                                      " WHERE a.booking_id = ?1 ORDER BY a.joined_at, a.id",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, booking_id);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsAttendance *row = g_new0 (McsAttendance, 1);

      row->user = read_user (statement, 0);
      row->joined_at = sqlite3_column_int64 (statement, 7);
      row->left_at = sqlite3_column_int64 (statement, 8);
      row->reason = g_strdup (mcs_statement_get_text (statement, 9));
      g_ptr_array_add (rows, row);
    }

  if (local_error != NULL)
    return fail (error, local_error), NULL;

  return g_steal_pointer (&rows);
}

void
mcs_user_free (McsUser *user)
{
  if (user == NULL)
    return;

  g_free (user->username);
  g_free (user->display_name);
  if (user->password_hash != NULL)
    sodium_memzero (user->password_hash, strlen (user->password_hash));
  g_free (user->password_hash);
  g_free (user);
}

McsUser *
mcs_user_copy (const McsUser *user)
{
  McsUser *copy = g_memdup2 (user, sizeof *user);

  copy->username = g_strdup (user->username);
  copy->display_name = g_strdup (user->display_name);
  copy->password_hash = g_strdup (user->password_hash);

  return copy;
}

void
mcs_booking_free (McsBooking *booking)
{
  if (booking == NULL)
    return;

  mcs_user_free (booking->mentor);
  mcs_user_free (booking->student);
  g_free (booking->subject);
  g_free (booking->room_id);
  g_clear_pointer (&booking->present, g_ptr_array_unref);
  g_free (booking);
}

gboolean
mcs_booking_has_participant (const McsBooking *booking,
                             gint64            user_id)
{
  return booking->mentor->id == user_id || booking->student->id == user_id;
}

void
mcs_attendance_free (McsAttendance *attendance)
{
  if (attendance == NULL)
    return;

  mcs_user_free (attendance->user);
  g_free (attendance->reason);
  g_free (attendance);
}

/* Runs one parameterised statement that returns no rows. Parameters are
 * bound in order: 'i' an integer (gint64), 's' a string (NULL binds NULL). */
static gboolean
run (McsStore    *self,
     const char  *sql,
     GError     **error,
     const char  *types,
     ...)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  va_list args;

  statement = mcs_database_statement (self->database, sql, &local_error);
  if (statement == NULL)
    return fail (error, local_error);

  va_start (args, types);
  for (int i = 0; types[i] != '\0'; i++)
    {
      if (types[i] == 'i')
        {
          sqlite3_bind_int64 (statement, i + 1, va_arg (args, gint64));
        }
      else
        {
          const char *text = va_arg (args, const char *);

          if (text != NULL)
            sqlite3_bind_text (statement, i + 1, text, -1, SQLITE_TRANSIENT);
        }
    }
  va_end (args);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return fail (error, local_error);

  return TRUE;
}

/**
 * mcs_store_call_join:
 * @self: a store
 * @booking_id: the call's booking
 * @user_id: who joined
 * @now: when
 * @error: a #GError
 *
 * Records a join: the first one makes the call active.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_join (McsStore  *self,
                     gint64     booking_id,
                     gint64     user_id,
                     gint64     now,
                     GError   **error)
{
  GError *local_error = NULL;

  if (!mcs_database_begin (self->database, &local_error))
    return fail (error, local_error);

  if (!run (self,
            "UPDATE calls SET state = 'active', started_at = coalesce (started_at, ?2)"
            " WHERE booking_id = ?1 AND state != 'ended'",
            error, "ii", booking_id, now) ||
      !run (self,
            "INSERT INTO attendance (booking_id, user_id, joined_at) VALUES (?1, ?2, ?3)",
            error, "iii", booking_id, user_id, now) ||
      !mcs_database_commit (self->database, &local_error))
    {
      mcs_database_rollback (self->database);
      return local_error ? fail (error, local_error) : FALSE;
    }

  return TRUE;
}

gboolean
mcs_store_call_leave (McsStore    *self,
                      gint64       booking_id,
                      gint64       user_id,
                      gint64       now,
                      const char  *reason,
                      GError     **error)
{
  return run (self,
              "UPDATE attendance SET left_at = ?3, leave_reason = ?4"
              " WHERE booking_id = ?1 AND user_id = ?2 AND left_at IS NULL",
              error, "iiis", booking_id, user_id, now, reason);
}

/**
 * mcs_store_call_end:
 * @self: a store
 * @booking_id: the call's booking
 * @ended_by: the user who ended it, or 0 when it timed out
 * @now: when
 * @error: a #GError
 *
 * Ends the call: closes every open attendance record, stores the end and
 * the duration (from the first join), and completes a confirmed booking.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_end (McsStore  *self,
                    gint64     booking_id,
                    gint64     ended_by,
                    gint64     now,
                    GError   **error)
{
  GError *local_error = NULL;

  if (!mcs_database_begin (self->database, &local_error))
    return fail (error, local_error);

  if (!run (self,
            "UPDATE attendance SET left_at = ?2, leave_reason = 'ended'"
            " WHERE booking_id = ?1 AND left_at IS NULL",
            error, "ii", booking_id, now) ||
      !run (self,
            "UPDATE calls SET state = 'ended', ended_at = ?2, ended_by = nullif (?3, 0),"
            "  started_at = coalesce (started_at, ?2),"
            "  duration_seconds = ?2 - coalesce (started_at, ?2)"
            " WHERE booking_id = ?1 AND state != 'ended'",
            error, "iii", booking_id, now, ended_by) ||
      !run (self,
            "UPDATE bookings SET status = 'completed', updated_at = ?2"
            " WHERE id = ?1 AND status = 'confirmed'",
            error, "ii", booking_id, now) ||
      !mcs_database_commit (self->database, &local_error))
    {
      mcs_database_rollback (self->database);
      return local_error ? fail (error, local_error) : FALSE;
    }

  return TRUE;
}

/**
 * mcs_store_close_attendance:
 * @self: a store
 * @now: when
 * @reason: why
 *
 * Closes every open attendance record: at start-up, nobody can be in a
 * call yet, whatever the last run left behind.
 *
 * Returns: how many records were closed
 */
guint
mcs_store_close_attendance (McsStore   *self,
                            gint64      now,
                            const char *reason)
{
  if (!run (self,
            "UPDATE attendance SET left_at = ?1, leave_reason = ?2 WHERE left_at IS NULL",
            NULL, "is", now, reason))
    return 0;

  return mcs_database_changes (self->database);
}

/**
 * mcs_store_list_expired_calls:
 * @self: a store
 * @ended_before: lessons that ended before this time count as over
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type gint64): the bookings whose call
 *   is active although their lesson is over
 */
GArray *
mcs_store_list_expired_calls (McsStore  *self,
                              gint64     ended_before,
                              GError   **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT c.booking_id FROM calls c"
                                      " JOIN bookings b ON b.id = c.booking_id"
                                      " WHERE c.state = 'active' AND b.ends_at < ?1",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, ended_before);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      gint64 id = sqlite3_column_int64 (statement, 0);

      g_array_append_val (ids, id);
    }

  if (local_error != NULL)
    return fail (error, local_error), NULL;

  return g_steal_pointer (&ids);
}

/**
 * mcs_chat_check_text:
 * @text: a chat message as a client sent it
 * @error: a #GError; %MC_ERROR_INVALID_FIELD if the message breaks the rule
 *
 * Applies the chat text rule, the same over REST and WebSocket: surrounding
 * white space is trimmed and what remains has 1 to %MCS_CHAT_MAX_LENGTH
 * characters.
 *
 * Returns: (transfer full): the trimmed text, or %NULL
 */
char *
mcs_chat_check_text (const char  *text,
                     GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (trimmed[0] == '\0' || g_utf8_strlen (trimmed, -1) > MCS_CHAT_MAX_LENGTH)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "A chat message has 1 to " G_STRINGIFY (MCS_CHAT_MAX_LENGTH)
                           " characters");
      return NULL;
    }

  return g_steal_pointer (&trimmed);
}

static McsChatMessage *
read_chat (McsStore      *self,
           McsStatement  *statement,
           GError       **error)
{
  g_autoptr(McsChatMessage) message = g_new0 (McsChatMessage, 1);

  message->booking_id = sqlite3_column_int64 (statement, 0);
  message->seq = sqlite3_column_int64 (statement, 1);
  message->client_id = g_strdup (mcs_statement_get_text (statement, 2));
  message->text = g_strdup (mcs_statement_get_text (statement, 4));
  message->sent_at = sqlite3_column_int64 (statement, 5);
  message->sender = mcs_store_get_user (self, sqlite3_column_int64 (statement, 3), error);
  if (message->sender == NULL)
    return NULL;

  return g_steal_pointer (&message);
}

#define CHAT_COLUMNS "booking_id, seq, client_id, sender_id, text, sent_at"

static McsChatMessage *
find_chat (McsStore    *self,
           gint64       booking_id,
           const char  *client_id,
           GError     **error)
{
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT " CHAT_COLUMNS " FROM chat_messages"
                                      " WHERE booking_id = ?1 AND client_id = ?2",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, booking_id);
  sqlite3_bind_text (statement, 2, client_id, -1, SQLITE_TRANSIENT);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_NOT_FOUND, "No such message");
      return NULL;
    }

  return read_chat (self, statement, error);
}

/**
 * mcs_store_add_chat:
 * @self: a store
 * @booking_id: the booking the chat belongs to
 * @sender_id: who wrote it
 * @client_id: the id the sender's client gave it
 * @text: what it says
 * @now: when it arrived
 * @duplicate: (out): whether @client_id was already stored, in which case
 *   the stored message is returned and nothing is added
 * @error: a #GError; %MC_ERROR_CONFLICT if another user used @client_id
 *
 * Returns: (transfer full): the stored message, with its sequence number
 */
McsChatMessage *
mcs_store_add_chat (McsStore    *self,
                    gint64       booking_id,
                    gint64       sender_id,
                    const char  *client_id,
                    const char  *text,
                    gint64       now,
                    gboolean    *duplicate,
                    GError     **error)
{
  g_autoptr(McsChatMessage) existing = NULL;
  GError *local_error = NULL;

  *duplicate = FALSE;

  existing = find_chat (self, booking_id, client_id, &local_error);
  if (existing != NULL)
    {
      if (existing->sender->id != sender_id)
        {
          g_set_error_literal (error, MC_ERROR, MC_ERROR_CONFLICT,
                               "Another participant's message has this client_id");
          return NULL;
        }

      *duplicate = TRUE;
      return g_steal_pointer (&existing);
    }

  if (!g_error_matches (local_error, MC_ERROR, MC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_clear_error (&local_error);

  if (!run (self,
            "INSERT INTO chat_messages (booking_id, seq, client_id, sender_id, text, sent_at)"
            " SELECT ?1, coalesce (max (seq), 0) + 1, ?2, ?3, ?4, ?5"
            " FROM chat_messages WHERE booking_id = ?1",
            error, "isisi", booking_id, client_id, sender_id, text, now))
    return NULL;

  return find_chat (self, booking_id, client_id, error);
}

/**
 * mcs_store_list_chat:
 * @self: a store
 * @booking_id: a booking
 * @after: only messages with a greater sequence number
 * @limit: at most this many, the most recent ones when there are more
 * @last_seq: (out) (optional): the booking's highest sequence number
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type McsChatMessage): messages in order
 */
GPtrArray *
mcs_store_list_chat (McsStore  *self,
                     gint64     booking_id,
                     gint64     after,
                     guint      limit,
                     gint64    *last_seq,
                     GError   **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_chat_message_free);
  g_autoptr(McsStatement) statement = NULL;
  GError *local_error = NULL;
  gboolean has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT * FROM (SELECT " CHAT_COLUMNS " FROM chat_messages"
                                      "  WHERE booking_id = ?1 AND seq > ?2"
                                      "  ORDER BY seq DESC LIMIT ?3)"
                                      " ORDER BY seq",
                                      &local_error);
  if (statement == NULL)
    return fail (error, local_error), NULL;

  sqlite3_bind_int64 (statement, 1, booking_id);
  sqlite3_bind_int64 (statement, 2, after);
  sqlite3_bind_int64 (statement, 3, limit);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsChatMessage *message = read_chat (self, statement, error);

      if (message == NULL)
        return NULL;
      g_ptr_array_add (messages, message);
    }

  if (local_error != NULL)
    return fail (error, local_error), NULL;

  if (last_seq != NULL)
    {
      g_autoptr(McsStatement) max = NULL;

      max = mcs_database_statement (self->database,
                                    "SELECT coalesce (max (seq), 0) FROM chat_messages"
                                    " WHERE booking_id = ?1",
                                    &local_error);
      if (max == NULL)
        return fail (error, local_error), NULL;

      sqlite3_bind_int64 (max, 1, booking_id);
      if (!mcs_database_step (self->database, max, &has_row, &local_error))
        return fail (error, local_error), NULL;

      *last_seq = has_row ? sqlite3_column_int64 (max, 0) : 0;
    }

  return g_steal_pointer (&messages);
}

void
mcs_chat_message_free (McsChatMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->client_id);
  mcs_user_free (message->sender);
  g_free (message->text);
  g_free (message);
}
