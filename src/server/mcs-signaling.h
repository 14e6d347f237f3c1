/* mcs-signaling.h — rooms, relay, chat and notifications over WebSocket
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "mcs-connection.h"
#include "mcs-store.h"

G_BEGIN_DECLS

typedef struct _McsServer McsServer;

#define MCS_TYPE_SIGNALING (mcs_signaling_get_type ())
G_DECLARE_FINAL_TYPE (McsSignaling, mcs_signaling, MCS, SIGNALING, GObject)

McsSignaling *mcs_signaling_new (McsServer *server);
void          mcs_signaling_accept (McsSignaling            *self,
                                    SoupWebsocketConnection *websocket,
                                    const McsUser           *user,
                                    const McsSession        *session);
const char   *mcs_signaling_describe_listening (McsSignaling *self,
                                                gboolean     *listening);
guint         mcs_signaling_count_connections (McsSignaling *self,
                                               gint64        user_id);
void          mcs_signaling_booking_changed (McsSignaling *self,
                                             gint64        booking_id);
void          mcs_signaling_chat_posted (McsSignaling         *self,
                                         const McsChatMessage *message,
                                         McsConnection        *origin);
void          mcs_signaling_session_ended (McsSignaling *self,
                                           gint64        session_id);
void          mcs_signaling_user_sessions_revoked (McsSignaling *self,
                                                   gint64        user_id);
void          mcs_signaling_user_disabled (McsSignaling *self,
                                           gint64        user_id);
void          mcs_signaling_shutdown (McsSignaling *self);

const McJsonRule *mcs_signaling_get_message_rules (guint        index,
                                                   const char **type,
                                                   guint       *n_rules);

G_END_DECLS
