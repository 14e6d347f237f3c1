/* mcs-connection.h — one client's WebSocket
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mc-protocol.h"
#include "mcs-config.h"
#include "mcs-store.h"

G_BEGIN_DECLS

/* Close codes of our own, in the range RFC 6455 leaves to applications.
 * A session that ends while its WebSocket is open closes it with the
 * reason, so that a client knows whether to log in again or give up. */
#define MCS_CLOSE_TAKEN_OVER       4000
#define MCS_CLOSE_SESSION_ENDED    4001 /* logged out, or revoked */
#define MCS_CLOSE_SESSION_EXPIRED  4002
#define MCS_CLOSE_ACCOUNT_DISABLED 4003

/* Handshakes refused after the upgrade, so that a page can read why. */
#define MCS_CLOSE_TICKET_REFUSED       4004 /* unknown, used or expired ticket */
#define MCS_CLOSE_ORIGIN_REFUSED       4005
#define MCS_CLOSE_TOO_MANY_CONNECTIONS 4006

#define MCS_TYPE_CONNECTION (mcs_connection_get_type ())
G_DECLARE_FINAL_TYPE (McsConnection, mcs_connection, MCS, CONNECTION, GObject)

McsConnection *mcs_connection_new (SoupWebsocketConnection *websocket,
                                   const McsUser           *user,
                                   gint64                   session_id,
                                   const McsConfig         *config);
const McsUser *mcs_connection_get_user (McsConnection *self);
gint64         mcs_connection_get_session_id (McsConnection *self);
gint64         mcs_connection_get_room (McsConnection *self);
void           mcs_connection_set_room (McsConnection *self,
                                        gint64         booking_id);
gboolean       mcs_connection_is_open (McsConnection *self);
void           mcs_connection_send (McsConnection *self,
                                    JsonObject    *message);
void           mcs_connection_send_error (McsConnection *self,
                                          McErrorCode    code,
                                          const char    *message,
                                          const char    *request_id,
                                          JsonObject    *extra);
void           mcs_connection_close (McsConnection *self,
                                     gushort        code,
                                     const char    *reason);
void           mcs_connection_set_session_expiry (McsConnection *self,
                                                  gint64         expires_at);
gint64         mcs_connection_get_session_expiry (McsConnection *self);

gboolean mcs_connection_is_silent (McsConnection *self,
                                   gint64         now);
void     mcs_connection_drop_silent (McsConnection *self);

void mcs_connection_keep_alive (McsConnection *self,
                                gint64         now);

const char *mcs_connection_get_message_text (McsConnection *self,
                                             gsize         *length);
void        mcs_connection_send_text (McsConnection *self,
                                      const char    *text);

G_END_DECLS
