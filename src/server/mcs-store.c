/* mcs-store.c — the store: opening, schema migrations, shared helpers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is the only code that knows the schema. Every function reports
 * failures in the MC_ERROR domain, so request handlers can pass them on as
 * they are: a missing row is MC_ERROR_NOT_FOUND, a uniqueness clash is
 * MC_ERROR_CONFLICT and anything else is logged here and surfaces as
 * MC_ERROR_INTERNAL, so that no SQL detail reaches a client.
 *
 * One McsStore, its functions split by concern: users and sessions in
 * mcs-store-users.c, bookings in mcs-store-bookings.c, calls and
 * attendance in mcs-store-calls.c, chat in mcs-store-chat.c, webhook endpoints and
 * their outbox in mcs-store-webhooks.c. What they share is in
 * mcs-store-private.h.
 */

#define G_LOG_DOMAIN "mcs-store"

#include <string.h>

#include <sodium.h>

#include "mcs-clock.h"
#include "mcs-store-private.h"

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

  /* 4: the WebSocket hub asks every few seconds for the sessions revoked
   * lately, to close their sockets; without an index that is a scan of
   * every session. Partial: only revoked rows, which are kept a day. */
  "CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;",

  /* 5: webhooks. An event is written to the outbox (webhook_events) in the
   * transaction of the change that caused it, with one delivery row per
   * endpoint that wants it; the delivery worker works through the
   * deliveries. events is ",type,type," or "*". */
  "CREATE TABLE webhook_endpoints ("
  "  id INTEGER PRIMARY KEY,"
  "  url TEXT NOT NULL,"
  "  events TEXT NOT NULL,"
  "  secret TEXT NOT NULL,"
  "  previous_secret TEXT,"
  "  previous_secret_until INTEGER,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  created_at INTEGER NOT NULL,"
  "  failing_since INTEGER,"
  "  disabled_at INTEGER,"
  "  disabled_reason TEXT"
  ");"
  "CREATE TABLE webhook_events ("
  "  id INTEGER PRIMARY KEY,"
  "  message_id TEXT NOT NULL UNIQUE,"
  "  type TEXT NOT NULL,"
  "  payload TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE webhook_deliveries ("
  "  id INTEGER PRIMARY KEY,"
  "  event_id INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,"
  "  endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,"
  "  state TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (state IN ('pending', 'delivered', 'failed')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER,"
  "  last_attempt_at INTEGER,"
  "  last_status INTEGER,"
  "  last_error TEXT,"
  "  delivered_at INTEGER,"
  "  UNIQUE (event_id, endpoint_id)"
  ");"
  "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)"
  "  WHERE state = 'pending';"
  "CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);",

  /* 6: several servers on one database. Each says it is alive in nodes;
   * an attendance record names the server that holds the participant's
   * connection, so that one that starts again, or dies, closes only its
   * own. Records from before have no node. */
  "CREATE TABLE nodes ("
  "  name TEXT PRIMARY KEY,"
  "  started_at INTEGER NOT NULL,"
  "  seen_at INTEGER NOT NULL"
  ");"
  "ALTER TABLE attendance ADD COLUMN node TEXT;"
  "CREATE INDEX attendance_open ON attendance (booking_id) WHERE left_at IS NULL;",

  /* 7: a lesson's participants on different servers. An open record says
   * what the other participant's server must know of this one to put
   * them in the same call: the client's call-session id and its media
   * state (MCS_MEDIA_* bits). */
  "ALTER TABLE attendance ADD COLUMN instance TEXT;"
  "ALTER TABLE attendance ADD COLUMN media INTEGER NOT NULL DEFAULT 0;",
};

/* The same schema on PostgreSQL, step for step: the same tables, columns,
 * constraints and indexes, in its types (BIGINT for SQLite's INTEGER, an
 * identity column for INTEGER PRIMARY KEY, BYTEA for BLOB). Step 5 also
 * gives PostgreSQL SQLite's instr(), which the webhook queries use. Never
 * edit a step that has shipped, here either. */
static const char * const pg_migrations[MCS_SCHEMA_VERSION] = {
  /* 1 */
  "CREATE TABLE users ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('mentor', 'student')),"
  "  password_hash TEXT NOT NULL,"
  "  disabled BIGINT NOT NULL DEFAULT 0,"
  "  created_at BIGINT NOT NULL"
  ");"
  "CREATE TABLE sessions ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  token_hash BYTEA NOT NULL UNIQUE,"
  "  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  created_at BIGINT NOT NULL,"
  "  expires_at BIGINT NOT NULL,"
  "  revoked_at BIGINT"
  ");"
  "CREATE INDEX sessions_by_user ON sessions (user_id);"
  "CREATE TABLE bookings ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  mentor_id BIGINT NOT NULL REFERENCES users (id),"
  "  student_id BIGINT NOT NULL REFERENCES users (id),"
  "  subject TEXT NOT NULL DEFAULT '',"
  "  starts_at BIGINT NOT NULL,"
  "  ends_at BIGINT NOT NULL,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('pending', 'confirmed', 'cancelled', 'completed')),"
  "  created_at BIGINT NOT NULL,"
  "  updated_at BIGINT NOT NULL,"
  "  CHECK (ends_at > starts_at)"
  ");"
  "CREATE INDEX bookings_by_mentor ON bookings (mentor_id, ends_at);"
  "CREATE INDEX bookings_by_student ON bookings (student_id, ends_at);",

  /* 2 */
  "CREATE TABLE calls ("
  "  booking_id BIGINT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,"
  "  room_id TEXT NOT NULL UNIQUE,"
  "  state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'active', 'ended')),"
  "  created_at BIGINT NOT NULL,"
  "  started_at BIGINT,"
  "  ended_at BIGINT,"
  "  ended_by BIGINT REFERENCES users (id),"
  "  duration_seconds BIGINT"
  ");"
  "CREATE TABLE attendance ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  booking_id BIGINT NOT NULL REFERENCES calls (booking_id) ON DELETE CASCADE,"
  "  user_id BIGINT NOT NULL REFERENCES users (id),"
  "  joined_at BIGINT NOT NULL,"
  "  left_at BIGINT,"
  "  leave_reason TEXT"
  ");"
  "CREATE INDEX attendance_by_booking ON attendance (booking_id, joined_at);"
  "INSERT INTO calls (booking_id, room_id, state, created_at)"
  "  SELECT id, replace (gen_random_uuid ()::text || gen_random_uuid ()::text, '-', ''),"
  "         CASE status WHEN 'completed' THEN 'ended' ELSE 'idle' END,"
  "         CAST (extract (epoch FROM now ()) AS BIGINT)"
  "  FROM bookings WHERE status IN ('confirmed', 'completed');",

  /* 3 */
  "CREATE TABLE chat_messages ("
  "  booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,"
  "  seq BIGINT NOT NULL,"
  "  client_id TEXT NOT NULL,"
  "  sender_id BIGINT NOT NULL REFERENCES users (id),"
  "  text TEXT NOT NULL,"
  "  sent_at BIGINT NOT NULL,"
  "  PRIMARY KEY (booking_id, seq),"
  "  UNIQUE (booking_id, client_id)"
  ");",

  /* 4 */
  "CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;",

  /* 5 */
  "CREATE FUNCTION instr (haystack TEXT, needle TEXT) RETURNS INTEGER"
  "  LANGUAGE SQL IMMUTABLE STRICT AS 'SELECT strpos (haystack, needle)';"
  "CREATE TABLE webhook_endpoints ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  url TEXT NOT NULL,"
  "  events TEXT NOT NULL,"
  "  secret TEXT NOT NULL,"
  "  previous_secret TEXT,"
  "  previous_secret_until BIGINT,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  created_at BIGINT NOT NULL,"
  "  failing_since BIGINT,"
  "  disabled_at BIGINT,"
  "  disabled_reason TEXT"
  ");"
  "CREATE TABLE webhook_events ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  message_id TEXT NOT NULL UNIQUE,"
  "  type TEXT NOT NULL,"
  "  payload TEXT NOT NULL,"
  "  created_at BIGINT NOT NULL"
  ");"
  "CREATE TABLE webhook_deliveries ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  event_id BIGINT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,"
  "  endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,"
  "  state TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (state IN ('pending', 'delivered', 'failed')),"
  "  attempts BIGINT NOT NULL DEFAULT 0,"
  "  next_attempt_at BIGINT,"
  "  last_attempt_at BIGINT,"
  "  last_status BIGINT,"
  "  last_error TEXT,"
  "  delivered_at BIGINT,"
  "  UNIQUE (event_id, endpoint_id)"
  ");"
  "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)"
  "  WHERE state = 'pending';"
  "CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);",

  /* 6 */
  "CREATE TABLE nodes ("
  "  name TEXT PRIMARY KEY,"
  "  started_at BIGINT NOT NULL,"
  "  seen_at BIGINT NOT NULL"
  ");"
  "ALTER TABLE attendance ADD COLUMN node TEXT;"
  "CREATE INDEX attendance_open ON attendance (booking_id) WHERE left_at IS NULL;",

  /* 7 */
  "ALTER TABLE attendance ADD COLUMN instance TEXT;"
  "ALTER TABLE attendance ADD COLUMN media INTEGER NOT NULL DEFAULT 0;",
};

/* Turns a database failure into the MC_ERROR a client may see, logging what
 * it hides, and frees @local_error. Always returns %FALSE, so that callers
 * can `return mcs_store_fail (error, local_error), NULL;`. */
gboolean
mcs_store_fail (GError **error,
                GError  *local_error)
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

/* Copies a text column as valid UTF-8. Rows written before the server
 * refused text that is not text (issue 11) can hold bytes that are not
 * UTF-8; libsoup drops a WebSocket message that carries them, which once
 * kept a booking's "joined" from ever arriving. Such bytes become U+FFFD
 * on the way out, and the row stays as it is. */
char *
mcs_store_dup_text (McsStatement *statement,
                    int           column)
{
  const char *text = mcs_statement_get_text (statement, column);

  if (text == NULL || g_utf8_validate (text, -1, NULL))
    return g_strdup (text);

  g_debug ("A stored text is not valid UTF-8; replacing the bad bytes");
  return g_utf8_make_valid (text, -1);
}

gint64
mcs_store_now (void)
{
  return mcs_clock_now ();
}

static gboolean
run_valist (McsStore   *self,
            const char *sql,
            gint64     *id,
            GError    **error,
            const char *types,
            va_list     args)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row = FALSE;

  statement = mcs_database_statement (self->database, sql, &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  for (int i = 0; types[i] != '\0'; i++)
    {
      if (types[i] == 'i')
        mcs_statement_bind_int64 (statement, i + 1, va_arg (args, gint64));
      else
        mcs_statement_bind_text (statement, i + 1, va_arg (args, const char *));
    }

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error);

  if (id != NULL)
    {
      if (!has_row)
        {
          g_set_error_literal (&local_error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                               "An INSERT returned no id");
          return mcs_store_fail (error, local_error);
        }
      *id = mcs_statement_get_int64 (statement, 0);
    }

  return TRUE;
}

/* Runs one parameterised statement that returns no rows. Parameters are
 * bound in order: 'i' an integer (gint64), 's' a string (NULL binds NULL). */
gboolean
mcs_store_run (McsStore   *self,
               const char *sql,
               GError    **error,
               const char *types,
               ...)
{
  va_list  args;
  gboolean ok;

  va_start (args, types);
  ok = run_valist (self, sql, NULL, error, types, args);
  va_end (args);

  return ok;
}

/**
 * mcs_store_node_channel:
 * @node: a server's name (mcs_store_set_node ())
 *
 * The channel @node listens on for what concerns it alone: part of the
 * SHA-256 of its name, which may be longer than PostgreSQL's channel names
 * and hold any character.
 *
 * Returns: (transfer full): the channel's name, a lower-case identifier
 */
char *
mcs_store_node_channel (const char *node)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, node, -1);

  return g_strdup_printf (MCS_STORE_CHANNEL "_%.16s", digest);
}

/**
 * mcs_store_publish:
 * @self: a store
 * @channel: (nullable): where to tell it: %NULL for every server
 *   (%MCS_STORE_CHANNEL), or one server's mcs_store_node_channel ()
 * @payload: what to tell, a JSON text
 * @error: a #GError
 *
 * Tells the servers listening on @channel (mcs-listener.c), this one
 * included, @payload: at once, or when the transaction open now commits.
 * A payload longer than one NOTIFY carries goes in parts, which arrive in
 * order and together (one connection sends them, one after the other).
 * Nothing on SQLite, where servers sharing a file do not hear each other.
 *
 * Returns: whether it was sent
 */
gboolean
mcs_store_publish (McsStore   *self,
                   const char *channel,
                   const char *payload,
                   GError    **error)
{
  const char *end;

  g_return_val_if_fail (MCS_IS_STORE (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (mcs_database_get_kind (self->database) != MCS_DATABASE_POSTGRESQL)
    return TRUE;

  if (channel == NULL)
    channel = MCS_STORE_CHANNEL;

  end = payload + strlen (payload);
  if ((gsize) (end - payload) <= MCS_STORE_PART_BYTES)
    return mcs_store_run (self, "SELECT pg_notify(?1, ?2)", error, "ss", channel, payload);

  while (payload < end)
    {
      /* Cut between two characters: each part must be valid text. */
      const char      *cut = (gsize) (end - payload) <= MCS_STORE_PART_BYTES
                               ? end
                               : g_utf8_find_prev_char (payload, payload + MCS_STORE_PART_BYTES);
      g_autofree char *part = g_strdup_printf ("%c%.*s",
                                               cut == end ? MCS_STORE_LAST_PART_MARK
                                                          : MCS_STORE_PART_MARK,
                                               (int) (cut - payload), payload);

      if (!mcs_store_run (self, "SELECT pg_notify(?1, ?2)", error, "ss", channel, part))
        return FALSE;
      payload = cut;
    }

  return TRUE;
}

/* Runs an INSERT that ends in `RETURNING id`, which both SQLite and
 * PostgreSQL understand, and gives the new row's id. Parameters as for
 * mcs_store_run(). */
gboolean
mcs_store_insert (McsStore   *self,
                  const char *sql,
                  gint64     *id,
                  GError    **error,
                  const char *types,
                  ...)
{
  va_list  args;
  gboolean ok;

  va_start (args, types);
  ok = run_valist (self, sql, id, error, types, args);
  va_end (args);

  return ok;
}

static void
mcs_store_finalize (GObject *object)
{
  McsStore *self = (McsStore *) object;

  g_clear_object (&self->database);
  g_free (self->node);

  G_OBJECT_CLASS (mcs_store_parent_class)->finalize (object);
}

static void
mcs_store_class_init (McsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mcs_store_finalize;

  /**
   * McsStore::events-queued:
   *
   * A committed change queued webhook deliveries, or a delivery was queued
   * again: the delivery worker should look.
   */
  g_signal_new ("events-queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 0);
}

static void
mcs_store_init (McsStore *self)
{
}

/**
 * mcs_store_open:
 * @location: the database: an SQLite file, `:memory:`, or a PostgreSQL
 *   connection URL (see mcs_database_open())
 * @error: a #GError
 *
 * Opens the database and brings its schema up to date.
 *
 * Returns: (transfer full): the store
 */
McsStore *
mcs_store_open (const char *location,
                GError    **error)
{
  g_autoptr (McsStore) self = g_object_new (MCS_TYPE_STORE, NULL);

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INTERNAL, "libsodium failed to initialize");
      return NULL;
    }

  self->database = mcs_database_open (location, error);
  if (self->database == NULL)
    return NULL;

  if (!mcs_database_migrate (self->database,
                             mcs_database_get_kind (self->database) == MCS_DATABASE_POSTGRESQL
                               ? pg_migrations
                               : migrations,
                             G_N_ELEMENTS (migrations), error))
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
