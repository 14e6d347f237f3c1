/* mc-booking.h — a booking's states, parsed once from the server's JSON
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "mc-protocol.h"

G_BEGIN_DECLS

JsonObject *mc_booking_get_call (JsonObject *booking);
gboolean    mc_booking_get_status (JsonObject      *booking,
                                   McBookingStatus *status);
gboolean    mc_booking_get_call_state (JsonObject  *booking,
                                       McCallState *state);

G_END_DECLS
