/* mc-booking.c — a booking's states, parsed once from the server's JSON
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server sends a booking's status, its call's state and the roles as
 * strings. The engine turns them into the protocol library's enums here,
 * with the protocol's own parsers, so that McLobby and the app's widgets
 * compare enums rather than strings and an unknown value (a newer server) is
 * seen as unknown rather than as "not confirmed" by accident. It is in the
 * engine, not the app, because McLobby (no GTK) reads them too.
 */

#define G_LOG_DOMAIN "mc-booking"

#include "config.h"

#include "mc-booking.h"

/**
 * mc_booking_get_call:
 * @booking: a booking, as the server sends it
 *
 * Returns: (transfer none) (nullable): its call, if it has one
 */
JsonObject *
mc_booking_get_call (JsonObject *booking)
{
  JsonNode *node = json_object_get_member (booking, "call");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/**
 * mc_booking_get_status:
 * @booking: a booking, as the server sends it
 * @status: (out): its status
 *
 * Returns: whether the status is there and known
 */
gboolean
mc_booking_get_status (JsonObject      *booking,
                       McBookingStatus *status)
{
  return mc_booking_status_from_string (json_object_get_string_member_with_default (booking,
                                                                                    "status",
                                                                                    ""),
                                        status);
}

/**
 * mc_booking_get_call_state:
 * @booking: a booking, as the server sends it
 * @state: (out): its call's state
 *
 * Returns: whether the booking has a call, in a known state
 */
gboolean
mc_booking_get_call_state (JsonObject  *booking,
                           McCallState *state)
{
  JsonObject *call = mc_booking_get_call (booking);

  return call != NULL &&
         mc_call_state_from_string (json_object_get_string_member_with_default (call, "state", ""),
                                    state);
}
