/* mcs-store-users.c — the store: users and sessions
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-store"

#include <string.h>

#include <sodium.h>

#include "mcs-store-private.h"

#define USER_COLUMNS "id, username, display_name, role, password_hash, disabled, created_at"

/* Reads a user from the current row of a statement that selects
 * USER_COLUMNS, starting at column @first. */
McsUser *
mcs_store_read_user (McsStatement *statement,
                     int           first)
{
  McsUser *user = g_new0 (McsUser, 1);

  user->id = mcs_statement_get_int64 (statement, first + 0);
  user->username = mcs_store_dup_text (statement, first + 1);
  user->display_name = mcs_store_dup_text (statement, first + 2);
  if (!mc_role_from_string (mcs_statement_get_text (statement, first + 3), &user->role))
    user->role = MC_ROLE_STUDENT;
  user->password_hash = g_strdup (mcs_statement_get_text (statement, first + 4));
  user->disabled = mcs_statement_get_int64 (statement, first + 5) != 0;
  user->created_at = mcs_statement_get_int64 (statement, first + 6);

  return user;
}

McsUser *
mcs_store_add_user (McsStore   *self,
                    const char *username,
                    const char *display_name,
                    McRole      role,
                    const char *password_hash,
                    GError    **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row = FALSE;
  gint64                   id;

  statement = mcs_database_statement (self->database,
                                      "INSERT INTO users (username, display_name, role,"
                                      "                   password_hash, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_text (statement, 1, username);
  mcs_statement_bind_text (statement, 2, display_name);
  mcs_statement_bind_text (statement, 3, mc_role_to_string (role));
  mcs_statement_bind_text (statement, 4, password_hash);
  mcs_statement_bind_int64 (statement, 5, mcs_store_now ());

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    {
      if (g_error_matches (local_error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_CONSTRAINT))
        {
          g_clear_error (&local_error);
          g_set_error (error, MC_ERROR, MC_ERROR_CONFLICT,
                       "The username “%s” is taken", username);
          return NULL;
        }

      return mcs_store_fail (error, local_error), NULL;
    }

  if (!has_row)
    {
      g_set_error_literal (&local_error, MCS_DATABASE_ERROR, MCS_DATABASE_ERROR_FAILED,
                           "An INSERT returned no id");
      return mcs_store_fail (error, local_error), NULL;
    }
  id = mcs_statement_get_int64 (statement, 0);
  g_clear_pointer (&statement, mcs_statement_release);

  return mcs_store_get_user (self, id, error);
}

static McsUser *
get_user_where (McsStore   *self,
                const char *sql,
                gint64      id,
                const char *username,
                GError    **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database, sql, &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  if (username != NULL)
    mcs_statement_bind_text (statement, 1, username);
  else
    mcs_statement_bind_int64 (statement, 1, id);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_NOT_FOUND, "No such user");
      return NULL;
    }

  return mcs_store_read_user (statement, 0);
}

McsUser *
mcs_store_get_user (McsStore *self,
                    gint64    id,
                    GError  **error)
{
  return get_user_where (self, "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
                         id, NULL, error);
}

McsUser *
mcs_store_find_user (McsStore   *self,
                     const char *username,
                     GError    **error)
{
  g_return_val_if_fail (username != NULL, NULL);

  return get_user_where (self, "SELECT " USER_COLUMNS " FROM users WHERE username = ?1",
                         0, username, error);
}

GPtrArray *
mcs_store_list_users (McsStore *self,
                      GError  **error)
{
  g_autoptr (GPtrArray)    users = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_user_free);
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT " USER_COLUMNS " FROM users ORDER BY id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    g_ptr_array_add (users, mcs_store_read_user (statement, 0));

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

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
mcs_store_update_user (McsStore   *self,
                       gint64      id,
                       const char *display_name,
                       const char *password_hash,
                       int         disabled,
                       GError    **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "UPDATE users SET"
                                      "  display_name = coalesce (?2, display_name),"
                                      "  password_hash = coalesce (?3, password_hash),"
                                      "  disabled = coalesce (?4, disabled)"
                                      " WHERE id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, id);
  if (display_name != NULL)
    mcs_statement_bind_text (statement, 2, display_name);
  if (password_hash != NULL)
    mcs_statement_bind_text (statement, 3, password_hash);
  if (disabled >= 0)
    mcs_statement_bind_int64 (statement, 4, disabled ? 1 : 0);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return mcs_store_fail (error, local_error);

  if (mcs_database_changes (self->database) == 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_NOT_FOUND, "No such user");
      return FALSE;
    }

  if (disabled == 1)
    {
      g_autoptr (McsStatement) revoke = NULL;

      revoke = mcs_database_statement (self->database,
                                       "UPDATE sessions SET revoked_at = ?2"
                                       " WHERE user_id = ?1 AND revoked_at IS NULL",
                                       &local_error);
      if (revoke == NULL)
        return mcs_store_fail (error, local_error);

      mcs_statement_bind_int64 (revoke, 1, id);
      mcs_statement_bind_int64 (revoke, 2, mcs_store_now ());
      if (!mcs_database_step (self->database, revoke, NULL, &local_error))
        return mcs_store_fail (error, local_error);
    }

  return TRUE;
}

gboolean
mcs_store_add_session (McsStore     *self,
                       const guint8 *token_hash,
                       gint64        user_id,
                       gint64        created_at,
                       gint64        expires_at,
                       GError      **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "INSERT INTO sessions (token_hash, user_id, created_at,"
                                      "                      expires_at)"
                                      " VALUES (?1, ?2, ?3, ?4)",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_blob (statement, 1, token_hash, MCS_TOKEN_HASH_LENGTH);
  mcs_statement_bind_int64 (statement, 2, user_id);
  mcs_statement_bind_int64 (statement, 3, created_at);
  mcs_statement_bind_int64 (statement, 4, expires_at);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return mcs_store_fail (error, local_error);

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
mcs_store_find_session (McsStore     *self,
                        const guint8 *token_hash,
                        GError      **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  McsSession              *session;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT id, user_id, expires_at, revoked_at FROM sessions"
                                      " WHERE token_hash = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_blob (statement, 1, token_hash, MCS_TOKEN_HASH_LENGTH);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_SESSION_INVALID,
                           "The session is not valid; log in again");
      return NULL;
    }

  session = g_new0 (McsSession, 1);
  session->id = mcs_statement_get_int64 (statement, 0);
  session->user_id = mcs_statement_get_int64 (statement, 1);
  session->expires_at = mcs_statement_get_int64 (statement, 2);
  session->revoked_at = mcs_statement_get_int64 (statement, 3);

  return session;
}

gboolean
mcs_store_revoke_session (McsStore *self,
                          gint64    session_id,
                          gint64    now,
                          GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "UPDATE sessions SET revoked_at = ?2"
                                      " WHERE id = ?1 AND revoked_at IS NULL",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, session_id);
  mcs_statement_bind_int64 (statement, 2, now);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return mcs_store_fail (error, local_error);

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
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "DELETE FROM sessions WHERE expires_at < ?1"
                                      " OR (revoked_at IS NOT NULL AND revoked_at < ?1)",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (NULL, local_error), 0;

  mcs_statement_bind_int64 (statement, 1, now - 24 * 3600);

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return mcs_store_fail (NULL, local_error), 0;

  return mcs_database_changes (self->database);
}

/**
 * mcs_store_check_session:
 * @self: a store
 * @session_id: a session that was valid when a WebSocket opened with it
 * @now: the current time
 * @error: a #GError
 *
 * Checks that the session is still good: not revoked, not expired, and its
 * account not disabled. The WebSocket hub asks before the messages that
 * matter (join, chat), so that a change made by another process (the
 * admin command line on the same database) counts at once.
 *
 * Returns: %TRUE if it is; else %FALSE with %MC_ERROR_SESSION_INVALID
 *   (revoked or gone), %MC_ERROR_SESSION_EXPIRED or %MC_ERROR_FORBIDDEN
 *   (the account is disabled)
 */
gboolean
mcs_store_check_session (McsStore *self,
                         gint64    session_id,
                         gint64    now,
                         GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT s.expires_at, s.revoked_at, u.disabled"
                                      " FROM sessions s JOIN users u ON u.id = s.user_id"
                                      " WHERE s.id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, session_id);
  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error);

  /* Disabling an account revokes its sessions too: say the stronger thing. */
  if (has_row && mcs_statement_get_int64 (statement, 2) != 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_FORBIDDEN, "The account is disabled");
      return FALSE;
    }

  if (!has_row || !mcs_statement_is_null (statement, 1))
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_SESSION_INVALID,
                           "The session was ended; log in again");
      return FALSE;
    }

  if (mcs_statement_get_int64 (statement, 0) <= now)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_SESSION_EXPIRED,
                           "The session has expired; log in again");
      return FALSE;
    }

  return TRUE;
}

/**
 * mcs_store_revoke_user_sessions:
 * @self: a store
 * @user_id: a user
 * @now: the current time
 * @n_revoked: (out) (optional): how many sessions were revoked
 * @error: a #GError
 *
 * Ends every session of @user_id that is still open, as the admin API
 * does for a stolen device.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_revoke_user_sessions (McsStore *self,
                                gint64    user_id,
                                gint64    now,
                                guint    *n_revoked,
                                GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "UPDATE sessions SET revoked_at = ?2"
                                      " WHERE user_id = ?1 AND revoked_at IS NULL",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, user_id);
  mcs_statement_bind_int64 (statement, 2, now);
  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return mcs_store_fail (error, local_error);

  if (n_revoked != NULL)
    *n_revoked = mcs_database_changes (self->database);

  return TRUE;
}

/**
 * mcs_store_list_revoked_sessions:
 * @self: a store
 * @since: a time
 * @error: a #GError
 *
 * Lists the sessions revoked at @since or later, whoever revoked them:
 * this server, the admin command line, or another node on the same
 * database.
 *
 * Returns: (transfer full) (element-type McsRevokedSession): the sessions
 */
GArray *
mcs_store_list_revoked_sessions (McsStore *self,
                                 gint64    since,
                                 GError  **error)
{
  g_autoptr (GArray)       revoked = g_array_new (FALSE, FALSE, sizeof (McsRevokedSession));
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT s.id, s.user_id, u.disabled"
                                      " FROM sessions s JOIN users u ON u.id = s.user_id"
                                      " WHERE s.revoked_at >= ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, since);
  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsRevokedSession session = {
        .session_id = mcs_statement_get_int64 (statement, 0),
        .user_id = mcs_statement_get_int64 (statement, 1),
        .disabled = mcs_statement_get_int64 (statement, 2) != 0,
      };

      g_array_append_val (revoked, session);
    }

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&revoked);
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
