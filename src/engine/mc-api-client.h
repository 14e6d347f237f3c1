/* mc-api-client.h — the Mentorcall REST API, asynchronously
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define MC_TYPE_API_CLIENT (mc_api_client_get_type ())

G_DECLARE_FINAL_TYPE (McApiClient, mc_api_client, MC, API_CLIENT, GObject)

McApiClient *mc_api_client_new                      (const char           *base_url);

const char  *mc_api_client_get_base_url             (McApiClient          *self);
const char  *mc_api_client_get_token                (McApiClient          *self);
void         mc_api_client_set_token                (McApiClient          *self,
                                                     const char           *token);
SoupSession *mc_api_client_get_session              (McApiClient          *self);
char        *mc_api_client_dup_signaling_url        (McApiClient          *self);

void         mc_api_client_login_async              (McApiClient          *self,
                                                     const char           *username,
                                                     const char           *password,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_login_finish             (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_logout_async             (McApiClient          *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean     mc_api_client_logout_finish            (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_me_async                 (McApiClient          *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_me_finish                (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_list_bookings_async      (McApiClient          *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_list_bookings_finish     (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_get_booking_async        (McApiClient          *self,
                                                     gint64                booking_id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_get_booking_finish       (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_request_call_token_async (McApiClient          *self,
                                                     gint64                booking_id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_request_call_token_finish (McApiClient         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void         mc_api_client_list_messages_async      (McApiClient          *self,
                                                     gint64                booking_id,
                                                     gint64                after,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_list_messages_finish     (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_post_message_async       (McApiClient          *self,
                                                     gint64                booking_id,
                                                     const char           *client_id,
                                                     const char           *text,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_post_message_finish      (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void         mc_api_client_get_attendance_async     (McApiClient          *self,
                                                     gint64                booking_id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
JsonObject  *mc_api_client_get_attendance_finish    (McApiClient          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
