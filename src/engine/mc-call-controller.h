/* mc-call-controller.h — one participant's call: token, signaling and media
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mc-api-client.h"
#include "mc-call-network.h"
#include "mc-call-session.h"
#include "mc-signaling-client.h"

G_BEGIN_DECLS

#define MC_TYPE_CALL_CONTROLLER (mc_call_controller_get_type ())
G_DECLARE_FINAL_TYPE (McCallController, mc_call_controller, MC, CALL_CONTROLLER, GObject)

McCallController  *mc_call_controller_new           (McApiClient        *api,
                                                     gint64              booking_id);
void               mc_call_controller_start_async   (McCallController   *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
gboolean           mc_call_controller_start_finish  (McCallController   *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
void               mc_call_controller_leave         (McCallController   *self);
gboolean           mc_call_controller_end           (McCallController   *self);

gint64             mc_call_controller_get_booking_id (McCallController  *self);
const char        *mc_call_controller_get_role      (McCallController   *self);
McCallSession     *mc_call_controller_get_session   (McCallController   *self);
McSignalingClient *mc_call_controller_get_signaling (McCallController   *self);
JsonObject        *mc_call_controller_get_peer      (McCallController   *self);
gboolean           mc_call_controller_get_ended     (McCallController   *self);
McCallNetwork     *mc_call_controller_get_network   (McCallController   *self);

G_END_DECLS
