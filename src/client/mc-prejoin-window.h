/* mc-prejoin-window.h — camera, microphone and speaker before a lesson
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "mc-media-preview.h"

G_BEGIN_DECLS

#define MC_TYPE_PREJOIN_WINDOW (mc_prejoin_window_get_type ())

G_DECLARE_FINAL_TYPE (McPrejoinWindow, mc_prejoin_window, MC, PREJOIN_WINDOW, AdwWindow)

McPrejoinWindow *mc_prejoin_window_new (GtkApplication *application,
                                        JsonObject     *booking);
gint64           mc_prejoin_window_get_booking_id (McPrejoinWindow *self);
JsonObject      *mc_prejoin_window_get_booking (McPrejoinWindow *self);
void             mc_prejoin_window_set_booking (McPrejoinWindow *self,
                                                JsonObject      *booking);
McMediaPreview  *mc_prejoin_window_get_preview (McPrejoinWindow *self);
GdkPaintable    *mc_prejoin_window_get_paintable (McPrejoinWindow *self);
AdwComboRow     *mc_prejoin_window_get_device_row (McPrejoinWindow *self,
                                                   McDeviceRole     role);
const char      *mc_prejoin_window_get_preview_text (McPrejoinWindow *self);
const char      *mc_prejoin_window_get_peer_text (McPrejoinWindow *self);
double           mc_prejoin_window_get_level (McPrejoinWindow *self);
void             mc_prejoin_window_join (McPrejoinWindow *self);

G_END_DECLS
