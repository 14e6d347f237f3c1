/* mcs-store-calls.c — the store: calls, attendance and their webhook events
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change here queues its webhook events (mcs-store-webhooks.c) in
 * its own transaction: a join that is recorded is announced, and one that
 * is rolled back is not.
 */

#define G_LOG_DOMAIN "mcs-store"

#include "mcs-store-private.h"

typedef struct
{
  gint64 id;
  gint64 booking_id;
  gint64 user_id;
  gint64 joined_at;
} OpenAttendance;

static void
set_time (JsonObject *object,
          const char *member,
          gint64      unix_time)
{
  g_autofree char *text = NULL;

  if (unix_time == 0)
    {
      json_object_set_null_member (object, member);
      return;
    }

  text = mc_json_format_time (unix_time);
  json_object_set_string_member (object, member, text);
}

/* Reads one row of a query that returns one row; FALSE if it failed or
 * found nothing (with @error set only for a failure). */
static gboolean
select_row (McsStore     *self,
            McsStatement *statement,
            GError      **error)
{
  GError  *local_error = NULL;
  gboolean has_row;

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error);

  return has_row;
}

/* "mentor" or "student": @user_id's part in @booking_id. */
static const char *
participant_role (McsStore *self,
                  gint64    booking_id,
                  gint64    user_id)
{
  g_autoptr (McsStatement) statement = NULL;

  statement = mcs_database_statement (self->database,
                                      "SELECT mentor_id = ?2 FROM bookings WHERE id = ?1", NULL);
  if (statement == NULL)
    return "student";

  mcs_statement_bind_int64 (statement, 1, booking_id);
  mcs_statement_bind_int64 (statement, 2, user_id);
  if (select_row (self, statement, NULL) && mcs_statement_get_int64 (statement, 0) != 0)
    return "mentor";

  return "student";
}

static JsonObject *
participant_event (McsStore *self,
                   gint64    booking_id,
                   gint64    user_id)
{
  JsonObject *data = json_object_new ();

  json_object_set_int_member (data, "booking_id", booking_id);
  json_object_set_int_member (data, "user_id", user_id);
  json_object_set_string_member (data, "role", participant_role (self, booking_id, user_id));
  return data;
}

/**
 * mcs_store_queue_booking_changed:
 * @self: a store, inside a transaction
 * @booking_id: the booking
 * @change: "created", "updated" or "completed"
 * @now: when
 * @error: a #GError
 *
 * Queues `booking.changed` with the booking as it is now.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_queue_booking_changed (McsStore   *self,
                                 gint64      booking_id,
                                 const char *change,
                                 gint64      now,
                                 GError    **error)
{
  g_autoptr (McsStatement) statement = NULL;
  g_autoptr (JsonObject)   data = json_object_new ();
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "SELECT mentor_id, student_id, status, starts_at, ends_at"
                                      " FROM bookings WHERE id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, booking_id);
  if (!select_row (self, statement, error))
    return FALSE;

  json_object_set_int_member (data, "booking_id", booking_id);
  json_object_set_string_member (data, "change", change);
  json_object_set_string_member (data, "status", mcs_statement_get_text (statement, 2));
  json_object_set_int_member (data, "mentor_id", mcs_statement_get_int64 (statement, 0));
  json_object_set_int_member (data, "student_id", mcs_statement_get_int64 (statement, 1));
  set_time (data, "start", mcs_statement_get_int64 (statement, 3));
  set_time (data, "end", mcs_statement_get_int64 (statement, 4));
  mcs_statement_release (g_steal_pointer (&statement));

  return mcs_store_queue_event (self, "booking.changed", data, now, error);
}

/**
 * mcs_store_call_join:
 * @self: a store
 * @booking_id: the call's booking
 * @user_id: who joined
 * @instance: (nullable): their client's call-session id
 * @now: when
 * @record: (out) (optional): the new attendance record's id
 * @error: a #GError
 *
 * Records a join: the first one makes the call active and queues
 * `lesson.call_started`; every one queues `lesson.participant_joined`.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_join (McsStore   *self,
                     gint64      booking_id,
                     gint64      user_id,
                     const char *instance,
                     gint64      now,
                     gint64     *record,
                     GError    **error)
{
  gint64                 id = 0;
  g_autoptr (JsonObject) joined = NULL;
  GError                *local_error = NULL;
  GError                *select_error = NULL;
  gboolean               first = FALSE;

  /* Several servers on one PostgreSQL database: one change to a call at a
   * time, so that only one join starts it and only one end ends it. */
  if (!mcs_database_begin (self->database, &local_error))
    return mcs_store_fail (error, local_error);
  if (!mcs_database_lock (self->database, MCS_DATABASE_LOCK_CALL, booking_id, &local_error))
    {
      mcs_store_rollback (self);
      return mcs_store_fail (error, local_error);
    }

  {
    g_autoptr (McsStatement) statement = NULL;

    statement = mcs_database_statement (self->database,
                                        "SELECT started_at IS NULL AND state != 'ended' FROM calls"
                                        " WHERE booking_id = ?1",
                                        &local_error);
    if (statement == NULL)
      goto failed;

    mcs_statement_bind_int64 (statement, 1, booking_id);
    first = select_row (self, statement, &select_error) && mcs_statement_get_int64 (statement, 0) != 0;
    if (select_error != NULL)
      {
        g_propagate_error (error, select_error);
        goto failed;
      }
  }

  if (!mcs_store_run (self,
                      "UPDATE calls SET state = 'active', started_at = coalesce (started_at, ?2)"
                      " WHERE booking_id = ?1 AND state != 'ended'",
                      error, "ii", booking_id, now) ||
      !mcs_store_insert (self,
                         "INSERT INTO attendance (booking_id, user_id, joined_at, node, instance)"
                         " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                         &id, error, "iiiss", booking_id, user_id, now, self->node, instance))
    goto failed;

  if (first)
    {
      g_autoptr (JsonObject) started = participant_event (self, booking_id, user_id);

      set_time (started, "started_at", now);
      if (!mcs_store_queue_event (self, "lesson.call_started", started, now, error))
        goto failed;
    }

  joined = participant_event (self, booking_id, user_id);
  set_time (joined, "joined_at", now);
  if (!mcs_store_queue_event (self, "lesson.participant_joined", joined, now, error) ||
      !mcs_database_commit (self->database, &local_error))
    goto failed;

  mcs_store_events_committed (self);
  if (record != NULL)
    *record = id;
  return TRUE;

failed:
  mcs_store_rollback (self);
  return local_error ? mcs_store_fail (error, local_error) : FALSE;
}

/* Whose open attendance records close_open() closes. */
typedef enum
{
  NODES_ANY,         /* every server's */
  NODES_OWN_OR_NONE, /* this server's, and those from before there were nodes */
  NODES_DEAD,        /* those of servers not seen since the cutoff */
  NODES_OTHERS,      /* those of other servers (and from before there were nodes) older than the cutoff record */
} NodeFilter;

/* Appends @booking_id to @bookings (if not %NULL) unless it is there. */
static void
append_booking (GArray *bookings,
                gint64  booking_id)
{
  if (bookings == NULL)
    return;
  for (guint i = 0; i < bookings->len; i++)
    if (g_array_index (bookings, gint64, i) == booking_id)
      return;
  g_array_append_val (bookings, booking_id);
}

/* Closes the open attendance records of @booking_id (0: every booking) and
 * of @user_id (0: everyone) that @nodes selects, queueing
 * `lesson.participant_left` for each, and appends the bookings of those it
 * closed to @bookings (if not %NULL), each once. Inside a transaction. */
static gboolean
close_open (McsStore   *self,
            gint64      booking_id,
            gint64      user_id,
            NodeFilter  nodes,
            gint64      cutoff,
            gint64      now,
            const char *reason,
            guint      *n_closed,
            GArray     *bookings,
            GError    **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (OpenAttendance));
  GError            *local_error = NULL;
  gboolean           has_row;
  guint              closed = 0;

  {
    g_autoptr (McsStatement) statement = NULL;

    statement = mcs_database_statement (self->database,
                                        "SELECT id, booking_id, user_id, joined_at FROM attendance"
                                        " WHERE left_at IS NULL"
                                        "   AND (?1 = 0 OR booking_id = ?1)"
                                        "   AND (?2 = 0 OR user_id = ?2)"
                                        "   AND (?3 = 0"
                                        "        OR (?3 = 1 AND (node = ?4 OR node IS NULL))"
                                        "        OR (?3 = 2 AND node IN (SELECT name FROM nodes"
                                        "                                WHERE seen_at < ?5"
                                        "                                  AND name != ?4))"
                                        "        OR (?3 = 3 AND (node != ?4 OR node IS NULL) AND id < ?5))"
                                        " ORDER BY id",
                                        &local_error);
    if (statement == NULL)
      return mcs_store_fail (error, local_error);

    mcs_statement_bind_int64 (statement, 1, booking_id);
    mcs_statement_bind_int64 (statement, 2, user_id);
    mcs_statement_bind_int64 (statement, 3, nodes);
    mcs_statement_bind_text (statement, 4, self->node);
    mcs_statement_bind_int64 (statement, 5, cutoff);
    while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
      {
        OpenAttendance row = {
          mcs_statement_get_int64 (statement, 0),
          mcs_statement_get_int64 (statement, 1),
          mcs_statement_get_int64 (statement, 2),
          mcs_statement_get_int64 (statement, 3),
        };

        g_array_append_val (rows, row);
      }

    if (local_error != NULL)
      return mcs_store_fail (error, local_error);
  }

  for (guint i = 0; i < rows->len; i++)
    {
      OpenAttendance        *row = &g_array_index (rows, OpenAttendance, i);
      g_autoptr (JsonObject) left = NULL;

      /* Another server may have closed it since it was read (a heartbeat
       * closing a dead server's records, an end): close it, and tell of
       * it, once. */
      if (!mcs_store_run (self,
                          "UPDATE attendance SET left_at = ?2, leave_reason = ?3"
                          " WHERE id = ?1 AND left_at IS NULL",
                          error, "iis", row->id, now, reason))
        return FALSE;
      if (mcs_database_changes (self->database) == 0)
        continue;
      closed++;
      append_booking (bookings, row->booking_id);

      left = participant_event (self, row->booking_id, row->user_id);
      json_object_set_string_member (left, "reason", reason);
      set_time (left, "joined_at", row->joined_at);
      set_time (left, "left_at", now);
      json_object_set_int_member (left, "attended_seconds", MAX (0, now - row->joined_at));
      if (!mcs_store_queue_event (self, "lesson.participant_left", left, now, error))
        return FALSE;
    }

  if (n_closed != NULL)
    *n_closed = closed;
  return TRUE;
}

/* Closes @user_id's open records in @booking_id that @nodes selects, in a
 * transaction of its own, as @reason. */
static gboolean
close_user (McsStore   *self,
            gint64      booking_id,
            gint64      user_id,
            NodeFilter  nodes,
            gint64      cutoff,
            gint64      now,
            const char *reason,
            GError    **error)
{
  GError *local_error = NULL;

  if (!mcs_database_begin (self->database, &local_error))
    return mcs_store_fail (error, local_error);
  if (!mcs_database_lock (self->database, MCS_DATABASE_LOCK_CALL, booking_id, &local_error))
    {
      mcs_store_rollback (self);
      return mcs_store_fail (error, local_error);
    }

  if (!close_open (self, booking_id, user_id, nodes, cutoff, now, reason, NULL, NULL, error) ||
      !mcs_database_commit (self->database, &local_error))
    {
      mcs_store_rollback (self);
      return local_error ? mcs_store_fail (error, local_error) : FALSE;
    }

  mcs_store_events_committed (self);
  return TRUE;
}

/**
 * mcs_store_call_leave:
 * @self: a store
 * @booking_id: the call's booking
 * @user_id: who left
 * @now: when
 * @reason: why (an #McLeaveReason's string)
 * @error: a #GError
 *
 * Records that @user_id's connection on this server left the call. Their
 * records on other servers stay open: the participant may have joined
 * there since.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_leave (McsStore   *self,
                      gint64      booking_id,
                      gint64      user_id,
                      gint64      now,
                      const char *reason,
                      GError    **error)
{
  return close_user (self, booking_id, user_id, NODES_OWN_OR_NONE, 0, now, reason, error);
}

/**
 * mcs_store_call_take_over:
 * @self: a store
 * @booking_id: the call's booking
 * @user_id: who joins again
 * @record: their new record's id (mcs_store_call_join ())
 * @now: when
 * @error: a #GError
 *
 * Closes @user_id's open records in the call on the other servers that are
 * older than @record as `taken_over`: the participant joined again here
 * (their record here is open already), from another window or device, or
 * after their connection moved. A newer one, of a join elsewhere at the
 * same moment, stays: that one wins.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_take_over (McsStore *self,
                          gint64    booking_id,
                          gint64    user_id,
                          gint64    record,
                          gint64    now,
                          GError  **error)
{
  return close_user (self, booking_id, user_id, NODES_OTHERS, record, now, "taken_over", error);
}

/**
 * mcs_store_call_is_open:
 * @self: a store
 * @record: an attendance record's id
 * @booking_id: the call it should be of
 * @user_id: whose it should be
 * @node: the server it should name
 *
 * Returns: whether @record is all that and still open (what another
 *   server says of a join is checked against it)
 */
gboolean
mcs_store_call_is_open (McsStore   *self,
                        gint64      record,
                        gint64      booking_id,
                        gint64      user_id,
                        const char *node)
{
  g_autoptr (McsStatement) statement = NULL;

  statement = mcs_database_statement (self->database,
                                      "SELECT 1 FROM attendance"
                                      " WHERE id = ?1 AND booking_id = ?2 AND user_id = ?3"
                                      "   AND node = ?4 AND left_at IS NULL",
                                      NULL);
  if (statement == NULL)
    return FALSE;

  mcs_statement_bind_int64 (statement, 1, record);
  mcs_statement_bind_int64 (statement, 2, booking_id);
  mcs_statement_bind_int64 (statement, 3, user_id);
  mcs_statement_bind_text (statement, 4, node);
  return select_row (self, statement, NULL);
}

/**
 * mcs_store_call_set_media:
 * @self: a store
 * @booking_id: the call's booking
 * @user_id: a participant whose connection is on this server
 * @media: what they send now
 * @error: a #GError
 *
 * Keeps @user_id's open record up to date, for a server that puts the
 * other participant in the call (mcs_store_call_list_elsewhere ()).
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_set_media (McsStore     *self,
                          gint64        booking_id,
                          gint64        user_id,
                          McsMediaFlags media,
                          GError      **error)
{
  return mcs_store_run (self,
                        "UPDATE attendance SET media = ?3"
                        " WHERE booking_id = ?1 AND user_id = ?2 AND left_at IS NULL"
                        "   AND (node = ?4 OR node IS NULL)",
                        error, "iiis", booking_id, user_id, (gint64) media, self->node);
}

/**
 * mcs_store_call_list_elsewhere:
 * @self: a store
 * @booking_id: a call's booking
 * @error: a #GError
 *
 * Who is in the call through other live servers on the database, oldest
 * join first.
 *
 * Returns: (transfer full) (element-type McsAttendee): the participants,
 *   or %NULL on error
 */
GPtrArray *
mcs_store_call_list_elsewhere (McsStore *self,
                               gint64    booking_id,
                               GError  **error)
{
  g_autoptr (GPtrArray)    attendees = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_attendee_free);
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT id, user_id, node, instance, media FROM attendance"
                                      " WHERE booking_id = ?1 AND left_at IS NULL"
                                      "   AND node != ?2 AND node IN (SELECT name FROM nodes)"
                                      " ORDER BY id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, booking_id);
  mcs_statement_bind_text (statement, 2, self->node != NULL ? self->node : "");
  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsAttendee *attendee = g_new0 (McsAttendee, 1);

      attendee->record = mcs_statement_get_int64 (statement, 0);
      attendee->user_id = mcs_statement_get_int64 (statement, 1);
      attendee->node = g_strdup (mcs_statement_get_text (statement, 2));
      attendee->instance = g_strdup (mcs_statement_get_text (statement, 3));
      attendee->media = mcs_statement_get_int64 (statement, 4);
      g_ptr_array_add (attendees, attendee);
    }

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&attendees);
}

void
mcs_attendee_free (McsAttendee *attendee)
{
  if (attendee == NULL)
    return;

  g_free (attendee->node);
  g_free (attendee->instance);
  g_free (attendee);
}

/* Adds `participants` to @data: the mentor and the student, each with the
 * seconds they spent in the call and how many times they joined. */
static gboolean
add_participants (McsStore   *self,
                  gint64      booking_id,
                  gint64      mentor_id,
                  gint64      student_id,
                  JsonObject *data,
                  GError    **error)
{
  g_autoptr (JsonArray) participants = json_array_new ();
  const gint64          ids[] = { mentor_id, student_id };
  const char           *roles[] = { "mentor", "student" };
  GError               *local_error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr (McsStatement) statement = NULL;
      JsonObject              *participant = json_object_new ();

      statement = mcs_database_statement (self->database,
                                          "SELECT count (*), coalesce (sum (left_at - joined_at), 0)"
                                          " FROM attendance WHERE booking_id = ?1 AND user_id = ?2",
                                          &local_error);
      if (statement == NULL)
        {
          json_object_unref (participant);
          return mcs_store_fail (error, local_error);
        }

      mcs_statement_bind_int64 (statement, 1, booking_id);
      mcs_statement_bind_int64 (statement, 2, ids[i]);
      if (!select_row (self, statement, error))
        {
          json_object_unref (participant);
          return FALSE;
        }

      json_object_set_int_member (participant, "user_id", ids[i]);
      json_object_set_string_member (participant, "role", roles[i]);
      json_object_set_int_member (participant, "joins", mcs_statement_get_int64 (statement, 0));
      json_object_set_int_member (participant, "attended_seconds",
                                  mcs_statement_get_int64 (statement, 1));
      json_array_add_object_element (participants, participant);
    }

  json_object_set_array_member (data, "participants", g_steal_pointer (&participants));
  return TRUE;
}

/* Queues `lesson.ended` for a call that has just been ended. */
static gboolean
queue_ended (McsStore *self,
             gint64    booking_id,
             gint64    ended_by,
             gint64    now,
             GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  g_autoptr (JsonObject)   data = json_object_new ();
  g_autoptr (JsonObject)   scheduled = json_object_new ();
  GError                  *local_error = NULL;
  gint64                   mentor_id, student_id, starts_at, ends_at;

  statement = mcs_database_statement (self->database,
                                      "SELECT b.mentor_id, b.student_id, b.starts_at, b.ends_at,"
                                      "       b.status, c.started_at, c.ended_at,"
                                      "       c.duration_seconds"
                                      " FROM bookings b JOIN calls c ON c.booking_id = b.id"
                                      " WHERE b.id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, booking_id);
  if (!select_row (self, statement, error))
    return FALSE;

  mentor_id = mcs_statement_get_int64 (statement, 0);
  student_id = mcs_statement_get_int64 (statement, 1);
  starts_at = mcs_statement_get_int64 (statement, 2);
  ends_at = mcs_statement_get_int64 (statement, 3);

  json_object_set_int_member (data, "booking_id", booking_id);
  if (ended_by != 0)
    {
      json_object_set_int_member (data, "ended_by", ended_by);
      json_object_set_string_member (data, "ended_by_role",
                                     ended_by == mentor_id ? "mentor" : "student");
    }
  else
    {
      json_object_set_null_member (data, "ended_by");
      json_object_set_string_member (data, "ended_by_role", "server");
    }
  set_time (data, "started_at", mcs_statement_get_int64 (statement, 5));
  set_time (data, "ended_at", mcs_statement_get_int64 (statement, 6));
  json_object_set_int_member (data, "duration_seconds", mcs_statement_get_int64 (statement, 7));
  json_object_set_string_member (data, "booking_status", mcs_statement_get_text (statement, 4));
  json_object_set_boolean_member (data, "booking_completed",
                                  g_strcmp0 (mcs_statement_get_text (statement, 4), "completed") == 0);
  mcs_statement_release (g_steal_pointer (&statement));

  set_time (scheduled, "start", starts_at);
  set_time (scheduled, "end", ends_at);
  json_object_set_int_member (scheduled, "duration_seconds", ends_at - starts_at);
  json_object_set_object_member (data, "scheduled", g_steal_pointer (&scheduled));

  if (!add_participants (self, booking_id, mentor_id, student_id, data, error))
    return FALSE;

  return mcs_store_queue_event (self, "lesson.ended", data, now, error);
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
 * Queues `lesson.participant_left` for whoever was still in the call,
 * then `lesson.ended` and `booking.changed` if the booking was completed.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_store_call_end (McsStore *self,
                    gint64    booking_id,
                    gint64    ended_by,
                    gint64    now,
                    GError  **error)
{
  GError  *local_error = NULL;
  gboolean ended, completed;

  if (!mcs_database_begin (self->database, &local_error))
    return mcs_store_fail (error, local_error);
  if (!mcs_database_lock (self->database, MCS_DATABASE_LOCK_CALL, booking_id, &local_error))
    {
      mcs_store_rollback (self);
      return mcs_store_fail (error, local_error);
    }

  if (!close_open (self, booking_id, 0, NODES_ANY, 0, now, "ended", NULL, NULL, error) ||
      !mcs_store_run (self,
                      "UPDATE calls SET state = 'ended', ended_at = ?2, ended_by = nullif (?3, 0),"
                      "  started_at = coalesce (started_at, ?2),"
                      "  duration_seconds = ?2 - coalesce (started_at, ?2)"
                      " WHERE booking_id = ?1 AND state != 'ended'",
                      error, "iii", booking_id, now, ended_by))
    goto failed;

  ended = mcs_database_changes (self->database) > 0;

  if (!mcs_store_run (self,
                      "UPDATE bookings SET status = 'completed', updated_at = ?2"
                      " WHERE id = ?1 AND status = 'confirmed'",
                      error, "ii", booking_id, now))
    goto failed;

  completed = mcs_database_changes (self->database) > 0;

  if ((ended && !queue_ended (self, booking_id, ended_by, now, error)) ||
      (completed && !mcs_store_queue_booking_changed (self, booking_id, "completed", now, error)) ||
      !mcs_database_commit (self->database, &local_error))
    goto failed;

  mcs_store_events_committed (self);
  return TRUE;

failed:
  mcs_store_rollback (self);
  return local_error ? mcs_store_fail (error, local_error) : FALSE;
}

/**
 * mcs_store_set_node:
 * @self: a store
 * @node: this server's name, unique among the servers on the database and
 *   the same across its restarts
 *
 * Attendance records this store opens name @node.
 */
void
mcs_store_set_node (McsStore   *self,
                    const char *node)
{
  g_return_if_fail (MCS_IS_STORE (self));

  g_free (self->node);
  self->node = g_strdup (node);
}

/* Commits the node registry's transaction if @ok, or rolls it back, logs
 * why and empties @bookings. Takes @local_error. */
static guint
finish_nodes (McsStore *self,
              gboolean  ok,
              GError   *local_error,
              guint     n_closed,
              GArray   *bookings)
{
  if (ok && mcs_database_commit (self->database, &local_error))
    {
      mcs_store_events_committed (self);
      return n_closed;
    }

  mcs_store_rollback (self);
  if (bookings != NULL)
    g_array_set_size (bookings, 0);
  g_warning ("Cannot update the servers' attendance records: %s",
             local_error ? local_error->message : "unknown error");
  g_clear_error (&local_error);
  return 0;
}

/**
 * mcs_store_node_started:
 * @self: a store, its node set
 * @now: when
 * @bookings: (nullable): an array of #gint64 to append the bookings of the
 *   closed records to, each once
 *
 * Says this server is alive, and closes the attendance records its last run
 * left open (and those written before servers had names): at start-up, nobody
 * can be in a call on this server yet. Other servers' records stay open.
 * Each closed record queues `lesson.participant_left` with the reason
 * `server_restart`.
 *
 * Returns: how many records were closed
 */
guint
mcs_store_node_started (McsStore *self,
                        gint64    now,
                        GArray   *bookings)
{
  GError  *local_error = NULL;
  guint    n_closed = 0;
  gboolean ok;

  ok = mcs_database_begin (self->database, &local_error) &&
       mcs_database_lock (self->database, MCS_DATABASE_LOCK_NODES, 0, &local_error);
  ok = ok &&
       (self->node == NULL ||
        mcs_store_run (self,
                       "INSERT INTO nodes (name, started_at, seen_at) VALUES (?1, ?2, ?2)"
                       " ON CONFLICT (name) DO UPDATE SET started_at = ?2, seen_at = ?2",
                       &local_error, "si", self->node, now)) &&
       close_open (self, 0, 0, NODES_OWN_OR_NONE, 0, now, "server_restart", &n_closed,
                   bookings, &local_error);

  return finish_nodes (self, ok, local_error, n_closed, bookings);
}

/**
 * mcs_store_node_stopped:
 * @self: a store, its node set
 * @now: when
 * @bookings: (nullable): an array of #gint64 to append the bookings of the
 *   closed records to, each once
 *
 * Says this server is stopping, once it has said goodbye to its
 * connections: it closes its open attendance records (its participants come
 * back on another server, or on this one once it restarted) with the reason
 * `server_restart`, and leaves the list of live servers, so that no other
 * server waits for its heartbeat to run out.
 *
 * Returns: how many records were closed
 */
guint
mcs_store_node_stopped (McsStore *self,
                        gint64    now,
                        GArray   *bookings)
{
  GError  *local_error = NULL;
  guint    n_closed = 0;
  gboolean ok;

  ok = mcs_database_begin (self->database, &local_error) &&
       mcs_database_lock (self->database, MCS_DATABASE_LOCK_NODES, 0, &local_error) &&
       close_open (self, 0, 0, NODES_OWN_OR_NONE, 0, now, "server_restart", &n_closed,
                   bookings, &local_error) &&
       (self->node == NULL ||
        mcs_store_run (self, "DELETE FROM nodes WHERE name = ?1", &local_error, "s", self->node));

  return finish_nodes (self, ok, local_error, n_closed, bookings);
}

/**
 * mcs_store_node_heartbeat:
 * @self: a store, its node set
 * @now: when
 * @dead_after: a server not seen for this many seconds is gone
 * @bookings: (nullable): an array of #gint64 to append the bookings of the
 *   closed records to, each once
 *
 * Says this server is still alive, and closes the attendance records of
 * servers that are gone (killed, or stopped for good), with the reason
 * `server_lost`, so that their participants' lessons can end.
 *
 * Returns: how many records were closed
 */
guint
mcs_store_node_heartbeat (McsStore *self,
                          gint64    now,
                          gint64    dead_after,
                          GArray   *bookings)
{
  GError  *local_error = NULL;
  guint    n_closed = 0;
  gboolean ok;

  g_return_val_if_fail (self->node != NULL, 0);

  ok = mcs_database_begin (self->database, &local_error) &&
       mcs_database_lock (self->database, MCS_DATABASE_LOCK_NODES, 0, &local_error) &&
       mcs_store_run (self,
                      "INSERT INTO nodes (name, started_at, seen_at) VALUES (?1, ?2, ?2)"
                      " ON CONFLICT (name) DO UPDATE SET seen_at = ?2",
                      &local_error, "si", self->node, now) &&
       close_open (self, 0, 0, NODES_DEAD, now - dead_after, now, "server_lost", &n_closed,
                   bookings, &local_error) &&
       mcs_store_run (self, "DELETE FROM nodes WHERE seen_at < ?2 AND name != ?1", &local_error,
                      "si", self->node, now - dead_after);

  return finish_nodes (self, ok, local_error, n_closed, bookings);
}

/**
 * mcs_store_call_has_attendance:
 * @self: a store
 * @booking_id: a booking
 *
 * This server knows its own rooms; this tells of the others'.
 *
 * Returns: whether someone is in the booking's call on another server
 */
gboolean
mcs_store_call_has_attendance (McsStore *self,
                               gint64    booking_id)
{
  g_autoptr (McsStatement) statement = NULL;
  gboolean                 has_row = FALSE;

  statement = mcs_database_statement (self->database,
                                      "SELECT 1 FROM attendance"
                                      " WHERE booking_id = ?1 AND left_at IS NULL"
                                      "   AND node IS NOT NULL AND node != ?2 LIMIT 1",
                                      NULL);
  if (statement == NULL)
    return TRUE; /* when in doubt, never cut a lesson off */

  mcs_statement_bind_int64 (statement, 1, booking_id);
  mcs_statement_bind_text (statement, 2, self->node != NULL ? self->node : "");
  if (!mcs_database_step (self->database, statement, &has_row, NULL))
    return TRUE;

  return has_row;
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
mcs_store_list_expired_calls (McsStore *self,
                              gint64    ended_before,
                              GError  **error)
{
  g_autoptr (GArray)       ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT c.booking_id FROM calls c"
                                      " JOIN bookings b ON b.id = c.booking_id"
                                      " WHERE c.state = 'active' AND b.ends_at < ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, ended_before);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      gint64 id = mcs_statement_get_int64 (statement, 0);

      g_array_append_val (ids, id);
    }

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&ids);
}
