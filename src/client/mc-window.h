/* mc-window.h — the main window: log in, lessons, rejoin banner
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mc-account.h"
#include "mc-api-client.h"
#include "mc-lobby.h"

G_BEGIN_DECLS

#define MC_TYPE_WINDOW (mc_window_get_type ())
G_DECLARE_FINAL_TYPE (McWindow, mc_window, MC, WINDOW, AdwApplicationWindow)

McWindow    *mc_window_new (AdwApplication *application);
void         mc_window_start (McWindow *self);
McAccount   *mc_window_get_account (McWindow *self);
McLobby     *mc_window_get_lobby (McWindow *self);
McApiClient *mc_window_get_api (McWindow *self);
void         mc_window_refresh (McWindow *self);
void         mc_window_join (McWindow *self,
                             gint64    booking_id);
void         mc_window_rejoin (McWindow *self,
                               gint64    booking_id);
void         mc_window_show_summary (McWindow *self,
                                     gint64    booking_id);
JsonObject  *mc_window_find_booking (McWindow *self,
                                     gint64    booking_id);
void         mc_window_set_pending_join (McWindow *self,
                                         gint64    booking_id,
                                         gboolean  check_devices);
void         mc_window_set_in_call (McWindow *self,
                                    gint64    booking_id,
                                    gboolean  in_call);

G_END_DECLS
