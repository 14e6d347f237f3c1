/* mcs-views.h — the JSON shapes of users, bookings and calls
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "mcs-config.h"
#include "mcs-store.h"

G_BEGIN_DECLS

void     mcs_booking_get_join_window (const McsBooking *booking,
                                      const McsConfig  *config,
                                      gint64           *opens_at,
                                      gint64           *closes_at);
gboolean mcs_booking_is_joinable (const McsBooking *booking,
                                  const McsConfig  *config,
                                  gint64            now);

void mcs_view_add_time (JsonBuilder *builder,
                        const char  *name,
                        gint64       unix_time);
void mcs_view_add_user (JsonBuilder   *builder,
                        const McsUser *user,
                        gboolean       admin);
void mcs_view_add_join_window (JsonBuilder      *builder,
                               const McsBooking *booking,
                               const McsConfig  *config,
                               gint64            now);
void mcs_view_add_call (JsonBuilder      *builder,
                        const McsBooking *booking);
void mcs_view_add_booking (JsonBuilder      *builder,
                           const McsBooking *booking,
                           const McsConfig  *config,
                           const McsUser    *viewer,
                           gint64            now);
void mcs_view_add_attendance (JsonBuilder      *builder,
                              const McsBooking *booking,
                              GPtrArray        *attendance);
void mcs_view_add_chat_message (JsonBuilder          *builder,
                                const McsChatMessage *message);

void mcs_view_merge_members (JsonObject *into,
                             JsonObject *from,
                             const char *except);

void mcs_view_add_webhook (JsonBuilder              *builder,
                           const McsWebhookEndpoint *endpoint,
                           gboolean                  with_secret);
void mcs_view_add_webhook_delivery (JsonBuilder              *builder,
                                    const McsWebhookDelivery *delivery);

G_END_DECLS
