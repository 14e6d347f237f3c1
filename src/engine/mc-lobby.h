/* mc-lobby.h — a logged-in user's lessons, kept current from the server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mc-api-client.h"

G_BEGIN_DECLS

#define MC_TYPE_LOBBY (mc_lobby_get_type ())
G_DECLARE_FINAL_TYPE (McLobby, mc_lobby, MC, LOBBY, GObject)

McLobby     *mc_lobby_new (void);
void         mc_lobby_start (McLobby     *self,
                             McApiClient *api);
void         mc_lobby_stop (McLobby *self);
void         mc_lobby_refresh (McLobby *self);
McApiClient *mc_lobby_get_api (McLobby *self);
JsonObject  *mc_lobby_get_bookings (McLobby *self);
JsonObject  *mc_lobby_find_booking (McLobby *self,
                                    gint64   booking_id);
gint64       mc_lobby_get_now (McLobby *self);
void         mc_lobby_set_in_call (McLobby *self,
                                   gint64   booking_id,
                                   gboolean in_call);
JsonObject  *mc_lobby_get_running_call (McLobby *self);
gboolean     mc_lobby_get_joined_before (McLobby *self);
void         mc_lobby_dismiss_running_call (McLobby *self);

G_END_DECLS
