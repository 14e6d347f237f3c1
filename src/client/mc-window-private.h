/* mc-window-private.h — what the tests look at in the main window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-bookings-page.h"
#include "mc-login-page.h"
#include "mc-window.h"

G_BEGIN_DECLS

McLoginPage    *mc_window_get_login_page (McWindow *self);
McBookingsPage *mc_window_get_bookings_page (McWindow *self);
const char     *mc_window_get_page (McWindow *self);
gboolean        mc_window_get_banner_visible (McWindow *self);
const char     *mc_window_get_banner_text (McWindow *self);
const char     *mc_window_get_banner_button_label (McWindow *self);
gboolean        mc_window_get_reminded (McWindow *self,
                                        gint64    booking_id);

G_END_DECLS
