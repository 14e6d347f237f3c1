/* mcs-store-chat.c — the store: chat messages
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-store"

#include "mcs-store-private.h"

static McsChatMessage *
read_chat (McsStore     *self,
           McsStatement *statement,
           GError      **error)
{
  g_autoptr (McsChatMessage) message = g_new0 (McsChatMessage, 1);

  message->booking_id = mcs_statement_get_int64 (statement, 0);
  message->seq = mcs_statement_get_int64 (statement, 1);
  message->client_id = mcs_store_dup_text (statement, 2);
  message->text = mcs_store_dup_text (statement, 4);
  message->sent_at = mcs_statement_get_int64 (statement, 5);
  message->sender = mcs_store_get_user (self, mcs_statement_get_int64 (statement, 3), error);
  if (message->sender == NULL)
    return NULL;

  return g_steal_pointer (&message);
}

#define CHAT_COLUMNS "booking_id, seq, client_id, sender_id, text, sent_at"

static McsChatMessage *
find_chat (McsStore   *self,
           gint64      booking_id,
           const char *client_id,
           GError    **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT " CHAT_COLUMNS " FROM chat_messages"
                                      " WHERE booking_id = ?1 AND client_id = ?2",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, booking_id);
  mcs_statement_bind_text (statement, 2, client_id);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error), NULL;

  if (!has_row)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_NOT_FOUND, "No such message");
      return NULL;
    }

  return read_chat (self, statement, error);
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
mcs_chat_check_text (const char *text,
                     GError    **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (trimmed[0] == '\0' || g_utf8_strlen (trimmed, -1) > MCS_CHAT_MAX_LENGTH)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "A chat message has 1 to " G_STRINGIFY (MCS_CHAT_MAX_LENGTH) " characters");
      return NULL;
    }

  return g_steal_pointer (&trimmed);
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
mcs_store_add_chat (McsStore   *self,
                    gint64      booking_id,
                    gint64      sender_id,
                    const char *client_id,
                    const char *text,
                    gint64      now,
                    gboolean   *duplicate,
                    GError    **error)
{
  g_autoptr (McsChatMessage) existing = NULL;
  GError                    *local_error = NULL;
  McsChatMessage            *message;

  *duplicate = FALSE;

  /* Servers sharing a PostgreSQL database may store two messages of one
   * booking at once (or the same message, resent to another server): the
   * lock makes them take turns, so sequence numbers have no gaps or
   * clashes and a client_id is looked up before it is inserted. */
  if (!mcs_database_begin (self->database, &local_error) ||
      !mcs_database_lock (self->database, MCS_DATABASE_LOCK_CHAT, booking_id, &local_error))
    goto failed;

  existing = find_chat (self, booking_id, client_id, &local_error);
  if (existing != NULL)
    {
      mcs_store_rollback (self);
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
      mcs_store_rollback (self);
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_clear_error (&local_error);

  if (!mcs_store_run (self,
                      "INSERT INTO chat_messages"
                      "  (booking_id, seq, client_id, sender_id, text, sent_at)"
                      " SELECT ?1, coalesce (max (seq), 0) + 1, ?2, ?3, ?4, ?5"
                      " FROM chat_messages WHERE booking_id = ?1",
                      error, "isisi", booking_id, client_id, sender_id, text, now))
    goto failed;

  message = find_chat (self, booking_id, client_id, error);
  if (message == NULL)
    goto failed;

  if (!mcs_database_commit (self->database, &local_error))
    {
      mcs_chat_message_free (message);
      goto failed;
    }

  return message;

failed:
  mcs_store_rollback (self);
  if (local_error != NULL)
    mcs_store_fail (error, local_error);
  return NULL;
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
mcs_store_list_chat (McsStore *self,
                     gint64    booking_id,
                     gint64    after,
                     guint     limit,
                     gint64   *last_seq,
                     GError  **error)
{
  g_autoptr (GPtrArray)    messages = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_chat_message_free);
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT * FROM (SELECT " CHAT_COLUMNS " FROM chat_messages"
                                      "  WHERE booking_id = ?1 AND seq > ?2"
                                      "  ORDER BY seq DESC LIMIT ?3) AS recent"
                                      " ORDER BY seq",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, booking_id);
  mcs_statement_bind_int64 (statement, 2, after);
  mcs_statement_bind_int64 (statement, 3, limit);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsChatMessage *message = read_chat (self, statement, error);

      if (message == NULL)
        return NULL;
      g_ptr_array_add (messages, message);
    }

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  if (last_seq != NULL)
    {
      g_autoptr (McsStatement) max = NULL;

      max = mcs_database_statement (self->database,
                                    "SELECT coalesce (max (seq), 0) FROM chat_messages"
                                    " WHERE booking_id = ?1",
                                    &local_error);
      if (max == NULL)
        return mcs_store_fail (error, local_error), NULL;

      mcs_statement_bind_int64 (max, 1, booking_id);
      if (!mcs_database_step (self->database, max, &has_row, &local_error))
        return mcs_store_fail (error, local_error), NULL;

      *last_seq = has_row ? mcs_statement_get_int64 (max, 0) : 0;
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
