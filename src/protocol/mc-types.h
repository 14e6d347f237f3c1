/* mc-types.h — the enumerations of the Mentorcall protocol
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * McRole:
 * @MC_ROLE_MENTOR: teaches the lesson
 * @MC_ROLE_STUDENT: attends the lesson
 *
 * A user's role, which is also their role in every booking they take part in.
 */
typedef enum
{
  MC_ROLE_MENTOR,
  MC_ROLE_STUDENT,
} McRole;

/**
 * McBookingStatus:
 * @MC_BOOKING_PENDING: booked but not yet confirmed; no call possible
 * @MC_BOOKING_CONFIRMED: confirmed; its call room exists
 * @MC_BOOKING_CANCELLED: cancelled; final
 * @MC_BOOKING_COMPLETED: the lesson took place and its call ended; final
 *
 * The status of a booking. The allowed moves are pending → confirmed,
 * pending → cancelled, confirmed → cancelled and confirmed → completed.
 */
typedef enum
{
  MC_BOOKING_PENDING,
  MC_BOOKING_CONFIRMED,
  MC_BOOKING_CANCELLED,
  MC_BOOKING_COMPLETED,
} McBookingStatus;

/**
 * McCallState:
 * @MC_CALL_IDLE: the room exists and nobody has joined yet
 * @MC_CALL_ACTIVE: somebody joined; the call runs until it is ended
 * @MC_CALL_ENDED: a participant ended the session, or it timed out
 *
 * The server-side state of a booking's call. Closing a call window does not
 * end a call; only ending the session (or the lesson's end plus a grace
 * period with nobody in the room) does.
 */
typedef enum
{
  MC_CALL_IDLE,
  MC_CALL_ACTIVE,
  MC_CALL_ENDED,
} McCallState;

/**
 * McLeaveReason:
 * @MC_LEAVE_REASON_LEFT: the participant closed their call; the lesson goes on
 * @MC_LEAVE_REASON_ENDED: the participant ended the lesson for both
 * @MC_LEAVE_REASON_CONNECTION_LOST: their connection dropped; they may be back
 *
 * Why a participant is no longer in the call (`peer-left`'s `reason`).
 */
typedef enum
{
  MC_LEAVE_REASON_LEFT,
  MC_LEAVE_REASON_ENDED,
  MC_LEAVE_REASON_CONNECTION_LOST,
} McLeaveReason;

const char *mc_role_to_string             (McRole           role);
gboolean    mc_role_from_string           (const char      *string,
                                           McRole          *role);
const char *mc_booking_status_to_string   (McBookingStatus  status);
gboolean    mc_booking_status_from_string (const char      *string,
                                           McBookingStatus *status);
gboolean    mc_booking_status_can_move    (McBookingStatus  from,
                                           McBookingStatus  to);
const char *mc_call_state_to_string       (McCallState      state);
gboolean    mc_call_state_from_string     (const char      *string,
                                           McCallState     *state);
const char *mc_leave_reason_to_string     (McLeaveReason    reason);
gboolean    mc_leave_reason_from_string   (const char      *string,
                                           McLeaveReason   *reason);

G_END_DECLS
