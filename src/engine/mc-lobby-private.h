/* mc-lobby-private.h — what the tests look at in McLobby
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-lobby.h"
#include "mc-signaling-client.h"

G_BEGIN_DECLS

gboolean           mc_lobby_get_reminded (McLobby *self,
                                          gint64   booking_id);
McSignalingClient *mc_lobby_get_signaling (McLobby *self);

G_END_DECLS
