/* mcs-store-bookings.c — the store: bookings and their attendance log
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-store"

#include <sodium.h>

#include "mcs-store-private.h"

#define MAX_LESSON_SECONDS (24 * 3600)

#define BOOKING_SELECT \
  "SELECT b.id, b.mentor_id, b.student_id, b.subject, b.starts_at, b.ends_at, b.status," \
  "       b.created_at, b.updated_at, c.room_id, c.state, c.started_at, c.ended_at," \
  "       c.duration_seconds" \
  " FROM bookings b LEFT JOIN calls c ON c.booking_id = b.id"

static char *
new_room_id (void)
{
  guint8 bytes[32];
  char   hex[sizeof bytes * 2 + 1];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2hex (hex, sizeof hex, bytes, sizeof bytes);

  return g_strdup (hex);
}

static gboolean
ensure_call (McsStore *self,
             gint64    booking_id,
             GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  g_autofree char         *room_id = new_room_id ();
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      "INSERT INTO calls (booking_id, room_id, created_at)"
                                      " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error);

  mcs_statement_bind_int64 (statement, 1, booking_id);
  mcs_statement_bind_text (statement, 2, room_id);
  mcs_statement_bind_int64 (statement, 3, mcs_store_now ());

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    return mcs_store_fail (error, local_error);

  return TRUE;
}

static GPtrArray *
list_present (McsStore *self,
              gint64    booking_id,
              GError  **error)
{
  g_autoptr (GPtrArray)    users = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_user_free);
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT u.id, u.username, u.display_name, u.role,"
                                      "       u.password_hash, u.disabled, u.created_at"
                                      " FROM attendance a JOIN users u ON u.id = a.user_id"
                                      " WHERE a.booking_id = ?1 AND a.left_at IS NULL"
                                      " GROUP BY u.id ORDER BY min (a.joined_at), min (a.id)",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, booking_id);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    g_ptr_array_add (users, mcs_store_read_user (statement, 0));

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&users);
}

/* Reads the booking in the current row of a BOOKING_SELECT statement. The
 * participants come from separate lookups, which SQLite answers from its
 * page cache. */
static McsBooking *
read_booking (McsStore     *self,
              McsStatement *statement,
              GError      **error)
{
  g_autoptr (McsBooking) booking = g_new0 (McsBooking, 1);
  gint64                 mentor_id, student_id;

  booking->id = mcs_statement_get_int64 (statement, 0);
  mentor_id = mcs_statement_get_int64 (statement, 1);
  student_id = mcs_statement_get_int64 (statement, 2);
  booking->subject = mcs_store_dup_text (statement, 3);
  booking->starts_at = mcs_statement_get_int64 (statement, 4);
  booking->ends_at = mcs_statement_get_int64 (statement, 5);
  if (!mc_booking_status_from_string (mcs_statement_get_text (statement, 6), &booking->status))
    booking->status = MC_BOOKING_PENDING;
  booking->created_at = mcs_statement_get_int64 (statement, 7);
  booking->updated_at = mcs_statement_get_int64 (statement, 8);
  booking->call_duration = -1;

  if (!mcs_statement_is_null (statement, 9))
    {
      booking->has_call = TRUE;
      booking->room_id = mcs_store_dup_text (statement, 9);
      if (!mc_call_state_from_string (mcs_statement_get_text (statement, 10), &booking->call_state))
        booking->call_state = MC_CALL_IDLE;
      booking->call_started_at = mcs_statement_get_int64 (statement, 11);
      booking->call_ended_at = mcs_statement_get_int64 (statement, 12);
      if (!mcs_statement_is_null (statement, 13))
        booking->call_duration = mcs_statement_get_int64 (statement, 13);
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
collect_bookings (McsStore     *self,
                  McsStatement *statement,
                  GError      **error)
{
  g_autoptr (GPtrArray) bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_booking_free);
  GError               *local_error = NULL;
  gboolean              has_row;

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsBooking *booking = read_booking (self, statement, error);

      if (booking == NULL)
        return NULL;

      g_ptr_array_add (bookings, booking);
    }

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&bookings);
}

McsBooking *
mcs_store_add_booking (McsStore       *self,
                       gint64          mentor_id,
                       gint64          student_id,
                       const char     *subject,
                       gint64          starts_at,
                       gint64          ends_at,
                       McBookingStatus status,
                       GError        **error)
{
  GError *local_error = NULL;
  gint64  now = mcs_store_now ();
  gint64  id;

  if (!mcs_database_begin (self->database, &local_error))
    return mcs_store_fail (error, local_error), NULL;

  if (!mcs_store_insert (self,
                         "INSERT INTO bookings (mentor_id, student_id, subject,"
                         "  starts_at, ends_at, status, created_at, updated_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
                         &id, error, "iisiisi", mentor_id, student_id, subject ? subject : "",
                         starts_at, ends_at, mc_booking_status_to_string (status), now))
    goto failed;

  /* The room is created with the confirmation, as the in-house app did. */
  if (status == MC_BOOKING_CONFIRMED && !ensure_call (self, id, &local_error))
    goto failed;

  if (!mcs_store_queue_booking_changed (self, id, "created", now, error) ||
      !mcs_database_commit (self->database, &local_error))
    goto failed;

  mcs_store_events_committed (self);
  return mcs_store_get_booking (self, id, error);

failed:
  mcs_store_rollback (self);
  if (local_error == NULL)
    return NULL;
  return mcs_store_fail (error, local_error), NULL;
}

McsBooking *
mcs_store_get_booking (McsStore *self,
                       gint64    id,
                       GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database, BOOKING_SELECT " WHERE b.id = ?1",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, id);

  if (!mcs_database_step (self->database, statement, &has_row, &local_error))
    return mcs_store_fail (error, local_error), NULL;

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
mcs_store_list_user_bookings (McsStore *self,
                              gint64    user_id,
                              gint64    ends_after,
                              GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      BOOKING_SELECT
                                      " WHERE (b.mentor_id = ?1 OR b.student_id = ?1)"
                                      "   AND b.ends_at >= ?2"
                                      " ORDER BY b.starts_at, b.id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, user_id);
  mcs_statement_bind_int64 (statement, 2, ends_after);

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
mcs_store_list_bookings (McsStore *self,
                         int       status,
                         GError  **error)
{
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;

  statement = mcs_database_statement (self->database,
                                      BOOKING_SELECT
                                      " WHERE ?1 IS NULL OR b.status = ?1"
                                      " ORDER BY b.starts_at, b.id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  /* NULL too, so that PostgreSQL knows ?1 is text. */
  mcs_statement_bind_text (statement, 1, status >= 0 ? mc_booking_status_to_string (status) : NULL);

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
mcs_store_update_booking (McsStore                *self,
                          gint64                   id,
                          const McsBookingChanges *changes,
                          GError                 **error)
{
  g_autoptr (McsBooking)   booking = NULL;
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gint64                   starts_at, ends_at;

  /* Another server may end the booking's call (completing it) meanwhile:
   * check the status move against what is current. */
  if (!mcs_database_begin (self->database, &local_error))
    return mcs_store_fail (error, local_error), NULL;
  if (!mcs_database_lock (self->database, MCS_DATABASE_LOCK_CALL, id, &local_error))
    {
      mcs_store_rollback (self);
      return mcs_store_fail (error, local_error), NULL;
    }

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

  mcs_statement_bind_int64 (statement, 1, id);
  if (changes->subject != NULL)
    mcs_statement_bind_text (statement, 2, changes->subject);
  mcs_statement_bind_int64 (statement, 3, starts_at);
  mcs_statement_bind_int64 (statement, 4, ends_at);
  if (changes->status >= 0)
    mcs_statement_bind_text (statement, 5, mc_booking_status_to_string (changes->status));
  mcs_statement_bind_int64 (statement, 6, mcs_store_now ());

  if (!mcs_database_step (self->database, statement, NULL, &local_error))
    goto failed;

  if (changes->status == MC_BOOKING_CONFIRMED && !ensure_call (self, id, &local_error))
    goto failed;

  if (!mcs_store_queue_booking_changed (self, id, "updated", mcs_store_now (), error) ||
      !mcs_database_commit (self->database, &local_error))
    goto failed;

  mcs_store_events_committed (self);
  return mcs_store_get_booking (self, id, error);

failed:
  mcs_store_rollback (self);
  if (local_error == NULL)
    return NULL;
  return mcs_store_fail (error, local_error), NULL;
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
mcs_store_list_attendance (McsStore *self,
                           gint64    booking_id,
                           GError  **error)
{
  g_autoptr (GPtrArray)    rows = g_ptr_array_new_with_free_func ((GDestroyNotify) mcs_attendance_free);
  g_autoptr (McsStatement) statement = NULL;
  GError                  *local_error = NULL;
  gboolean                 has_row;

  statement = mcs_database_statement (self->database,
                                      "SELECT u.id, u.username, u.display_name, u.role,"
                                      "       u.password_hash, u.disabled, u.created_at,"
                                      "       a.joined_at, a.left_at, a.leave_reason, a.node"
                                      " FROM attendance a JOIN users u ON u.id = a.user_id"
                                      " WHERE a.booking_id = ?1 ORDER BY a.joined_at, a.id",
                                      &local_error);
  if (statement == NULL)
    return mcs_store_fail (error, local_error), NULL;

  mcs_statement_bind_int64 (statement, 1, booking_id);

  while (mcs_database_step (self->database, statement, &has_row, &local_error) && has_row)
    {
      McsAttendance *row = g_new0 (McsAttendance, 1);

      row->user = mcs_store_read_user (statement, 0);
      row->joined_at = mcs_statement_get_int64 (statement, 7);
      row->left_at = mcs_statement_get_int64 (statement, 8);
      row->reason = mcs_store_dup_text (statement, 9);
      row->node = mcs_store_dup_text (statement, 10);
      g_ptr_array_add (rows, row);
    }

  if (local_error != NULL)
    return mcs_store_fail (error, local_error), NULL;

  return g_steal_pointer (&rows);
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
  g_free (attendance->node);
  g_free (attendance);
}
