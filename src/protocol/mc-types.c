/* mc-types.c — the enumerations of the Mentorcall protocol
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "mc-types.h"

static const char * const role_names[] = { "mentor", "student" };
static const char * const booking_status_names[] = { "pending", "confirmed", "cancelled", "completed" };
static const char * const call_state_names[] = { "idle", "active", "ended" };
static const char * const leave_reason_names[] = { "left", "ended", "connection_lost" };

static gboolean
lookup (const char * const *names,
        guint               n_names,
        const char         *string,
        guint              *value)
{
  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (names[i], string))
        {
          *value = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
mc_role_to_string (McRole role)
{
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), NULL);
  return role_names[role];
}

gboolean
mc_role_from_string (const char *string,
                     McRole     *role)
{
  guint value;

  if (!lookup (role_names, G_N_ELEMENTS (role_names), string, &value))
    return FALSE;

  *role = value;
  return TRUE;
}

const char *
mc_booking_status_to_string (McBookingStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (booking_status_names), NULL);
  return booking_status_names[status];
}

gboolean
mc_booking_status_from_string (const char      *string,
                               McBookingStatus *status)
{
  guint value;

  if (!lookup (booking_status_names, G_N_ELEMENTS (booking_status_names), string, &value))
    return FALSE;

  *status = value;
  return TRUE;
}

/**
 * mc_booking_status_can_move:
 * @from: the current status
 * @to: the requested status
 *
 * Returns: %TRUE if a booking may move from @from to @to. Setting the status
 *   a booking already has is allowed and changes nothing.
 */
gboolean
mc_booking_status_can_move (McBookingStatus from,
                            McBookingStatus to)
{
  if (from == to)
    return TRUE;

  switch (from)
    {
    case MC_BOOKING_PENDING:
      return to == MC_BOOKING_CONFIRMED || to == MC_BOOKING_CANCELLED;
    case MC_BOOKING_CONFIRMED:
      return to == MC_BOOKING_CANCELLED || to == MC_BOOKING_COMPLETED;
    case MC_BOOKING_CANCELLED:
    case MC_BOOKING_COMPLETED:
    default:
      return FALSE;
    }
}

const char *
mc_call_state_to_string (McCallState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (call_state_names), NULL);
  return call_state_names[state];
}

gboolean
mc_call_state_from_string (const char  *string,
                           McCallState *state)
{
  guint value;

  if (!lookup (call_state_names, G_N_ELEMENTS (call_state_names), string, &value))
    return FALSE;

  *state = value;
  return TRUE;
}

const char *
mc_leave_reason_to_string (McLeaveReason reason)
{
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (leave_reason_names), NULL);
  return leave_reason_names[reason];
}

gboolean
mc_leave_reason_from_string (const char    *string,
                             McLeaveReason *reason)
{
  guint value;

  if (!lookup (leave_reason_names, G_N_ELEMENTS (leave_reason_names), string, &value))
    return FALSE;

  *reason = value;
  return TRUE;
}
