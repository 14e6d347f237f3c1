/* mc-signaling-client.h — the WebSocket signaling and chat connection
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mc-api-client.h"
#include "mc-chat-message.h"

G_BEGIN_DECLS

/**
 * McSignalingState:
 * @MC_SIGNALING_STATE_DISCONNECTED: not connected and not trying to be
 * @MC_SIGNALING_STATE_CONNECTING: connecting for the first time
 * @MC_SIGNALING_STATE_CONNECTED: connected and greeted by the server
 * @MC_SIGNALING_STATE_RECONNECTING: the connection was lost; trying again
 *
 * The state of the connection to the server. Being in a call's room is
 * separate: see #McSignalingClient:in-room.
 */
typedef enum
{
  MC_SIGNALING_STATE_DISCONNECTED,
  MC_SIGNALING_STATE_CONNECTING,
  MC_SIGNALING_STATE_CONNECTED,
  MC_SIGNALING_STATE_RECONNECTING,
} McSignalingState;

#define MC_TYPE_SIGNALING_STATE (mc_signaling_state_get_type ())
#define MC_TYPE_SIGNALING_CLIENT (mc_signaling_client_get_type ())

GType mc_signaling_state_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (McSignalingClient, mc_signaling_client, MC, SIGNALING_CLIENT, GObject)

McSignalingClient *mc_signaling_client_new                (McApiClient       *api);

McApiClient       *mc_signaling_client_get_api            (McSignalingClient *self);
const char        *mc_signaling_client_get_url            (McSignalingClient *self);
void               mc_signaling_client_set_url            (McSignalingClient *self,
                                                           const char        *url);
McSignalingState   mc_signaling_client_get_state          (McSignalingClient *self);
JsonObject        *mc_signaling_client_get_user           (McSignalingClient *self);
gint64             mc_signaling_client_get_booking_id     (McSignalingClient *self);
gboolean           mc_signaling_client_get_in_room        (McSignalingClient *self);
gint64             mc_signaling_client_get_last_seq       (McSignalingClient *self);
guint              mc_signaling_client_get_n_pending      (McSignalingClient *self);

void               mc_signaling_client_set_instance       (McSignalingClient *self,
                                                           const char        *instance);
void               mc_signaling_client_connect            (McSignalingClient *self);
void               mc_signaling_client_disconnect         (McSignalingClient *self);

void               mc_signaling_client_join               (McSignalingClient *self,
                                                           gint64             booking_id,
                                                           const char        *call_token);
gboolean           mc_signaling_client_leave              (McSignalingClient *self);
gboolean           mc_signaling_client_end                (McSignalingClient *self);

gboolean           mc_signaling_client_send_offer         (McSignalingClient *self,
                                                           const char        *sdp,
                                                           gint64             generation);
gboolean           mc_signaling_client_send_answer        (McSignalingClient *self,
                                                           const char        *sdp,
                                                           gint64             generation);
gboolean           mc_signaling_client_send_ice_candidate (McSignalingClient *self,
                                                           const char        *candidate,
                                                           guint              sdp_mline_index,
                                                           gint64             generation);
gboolean           mc_signaling_client_send_media_state   (McSignalingClient *self,
                                                           gboolean           muted,
                                                           gboolean           camera_off,
                                                           gboolean           screen);

char              *mc_signaling_client_send_chat          (McSignalingClient *self,
                                                           const char        *text);
gboolean           mc_signaling_client_request_history    (McSignalingClient *self,
                                                           gint64             after);

void               mc_signaling_client_debug_drop_connection (McSignalingClient *self);

G_END_DECLS
