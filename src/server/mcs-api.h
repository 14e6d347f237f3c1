/* mcs-api.h — the REST API's handlers and route table
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mcs-request.h"

G_BEGIN_DECLS

/* How far back the participant's bookings list reaches. */
#define MCS_RECENT_SECONDS (7 * 24 * 3600)

const McsRoute *mcs_api_get_routes (guint *n_routes);
McsBooking     *mcs_api_load_own_booking (McsRequest *request);

void mcs_api_healthz (McsRequest *request);
void mcs_api_metrics (McsRequest *request);

void mcs_api_login (McsRequest *request);
void mcs_api_logout (McsRequest *request);
void mcs_api_me (McsRequest *request);

void mcs_api_list_bookings (McsRequest *request);
void mcs_api_get_booking (McsRequest *request);
void mcs_api_create_call_token (McsRequest *request);
void mcs_api_verify_call_token (McsRequest *request);
void mcs_api_get_attendance (McsRequest *request);
void mcs_api_list_messages (McsRequest *request);
void mcs_api_post_message (McsRequest *request);
void mcs_api_websocket (McsRequest *request);
void mcs_api_create_ws_ticket (McsRequest *request);
void mcs_api_web_root (McsRequest *request);
void mcs_api_web_file (McsRequest *request);

void mcs_api_admin_list_users (McsRequest *request);
void mcs_api_admin_create_user (McsRequest *request);
void mcs_api_admin_get_user (McsRequest *request);
void mcs_api_admin_update_user (McsRequest *request);
void mcs_api_admin_revoke_sessions (McsRequest *request);
void mcs_api_admin_list_bookings (McsRequest *request);
void mcs_api_admin_create_booking (McsRequest *request);
void mcs_api_admin_get_booking (McsRequest *request);
void mcs_api_admin_update_booking (McsRequest *request);
void mcs_api_admin_get_attendance (McsRequest *request);
void mcs_api_admin_test_clock (McsRequest *request);
void mcs_api_admin_list_webhooks (McsRequest *request);
void mcs_api_admin_create_webhook (McsRequest *request);
void mcs_api_admin_get_webhook (McsRequest *request);
void mcs_api_admin_update_webhook (McsRequest *request);
void mcs_api_admin_delete_webhook (McsRequest *request);
void mcs_api_admin_rotate_webhook_secret (McsRequest *request);
void mcs_api_admin_list_webhook_deliveries (McsRequest *request);
void mcs_api_admin_redeliver_webhook (McsRequest *request);

G_END_DECLS
