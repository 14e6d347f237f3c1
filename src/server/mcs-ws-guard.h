/* mcs-ws-guard.h — limits on a WebSocket's frames that libsoup does not keep
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MCS_TYPE_WS_GUARD (mcs_ws_guard_get_type ())
G_DECLARE_FINAL_TYPE (McsWsGuard, mcs_ws_guard, MCS, WS_GUARD, GIOStream)

McsWsGuard *mcs_ws_guard_new (GIOStream *base,
                              GSocket   *socket,
                              guint64    max_message_size,
                              double     pings_per_second,
                              double     ping_burst);
gboolean    mcs_ws_guard_send_ping (McsWsGuard *self);

G_END_DECLS
