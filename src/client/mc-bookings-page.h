/* mc-bookings-page.h — upcoming and recent lessons
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MC_TYPE_BOOKINGS_PAGE (mc_bookings_page_get_type ())
G_DECLARE_FINAL_TYPE (McBookingsPage, mc_bookings_page, MC, BOOKINGS_PAGE, GtkWidget)

void        mc_bookings_page_set_loading (McBookingsPage *self);
void        mc_bookings_page_set_bookings (McBookingsPage *self,
                                           JsonObject     *answer);
void        mc_bookings_page_set_offline (McBookingsPage *self,
                                          const char     *message);
gint64      mc_bookings_page_get_now (McBookingsPage *self);
GtkWidget  *mc_bookings_page_find_row (McBookingsPage *self,
                                       gint64          booking_id);
guint       mc_bookings_page_get_n_rows (McBookingsPage *self);
const char *mc_bookings_page_get_state (McBookingsPage *self);

void mc_bookings_page_set_in_call (McBookingsPage *self,
                                   gint64          booking_id,
                                   gboolean        in_call);

G_END_DECLS
