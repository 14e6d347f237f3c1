/* mc-call-window.h — a lesson's call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "mc-api-client.h"

G_BEGIN_DECLS

#define MC_TYPE_CALL_WINDOW (mc_call_window_get_type ())
G_DECLARE_FINAL_TYPE (McCallWindow, mc_call_window, MC, CALL_WINDOW, AdwWindow)

McCallWindow *mc_call_window_new (GtkApplication *application,
                                  McApiClient    *api,
                                  JsonObject     *booking);
void          mc_call_window_start (McCallWindow *self);
gint64        mc_call_window_get_booking_id (McCallWindow *self);

G_END_DECLS
