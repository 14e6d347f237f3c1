/* mc-booking-row-private.h — what the tests look at in a lesson's row
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-booking-row.h"

G_BEGIN_DECLS

gboolean    mc_booking_row_get_can_join (McBookingRow *self);
const char *mc_booking_row_get_countdown (McBookingRow *self);
gboolean    mc_booking_row_get_can_show_summary (McBookingRow *self);
const char *mc_booking_row_get_join_label (McBookingRow *self);
gboolean    mc_booking_row_get_time_cut (McBookingRow *self);

G_END_DECLS
