/* mc-booking-row.h — one lesson in the bookings list
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

/* mc_format_duration() was declared here before it moved: its users keep finding it. */
#include "mc-format.h"

G_BEGIN_DECLS

#define MC_TYPE_BOOKING_ROW (mc_booking_row_get_type ())
G_DECLARE_FINAL_TYPE (McBookingRow, mc_booking_row, MC, BOOKING_ROW, GtkListBoxRow)

GtkWidget  *mc_booking_row_new (JsonObject *booking);
void        mc_booking_row_set_booking (McBookingRow *self,
                                        JsonObject   *booking);
JsonObject *mc_booking_row_get_booking (McBookingRow *self);
gint64      mc_booking_row_get_booking_id (McBookingRow *self);
void        mc_booking_row_update (McBookingRow *self,
                                   gint64        now);
void        mc_booking_row_set_in_call (McBookingRow *self,
                                        gboolean      in_call);

const char *mc_booking_get_peer_in_call (JsonObject *booking);

G_END_DECLS
