/* mcs-server.h — the HTTP server and what its handlers share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "mcs-config.h"
#include "mcs-metrics.h"
#include "mcs-password.h"
#include "mcs-rate-limiter.h"
#include "mcs-signaling.h"
#include "mcs-store.h"
#include "mcs-tickets.h"
#include "mcs-webhooks.h"

G_BEGIN_DECLS

#define MCS_TYPE_SERVER (mcs_server_get_type ())
G_DECLARE_FINAL_TYPE (McsServer, mcs_server, MCS, SERVER, GObject)

McsServer         *mcs_server_new (McsConfig *config,
                                   GError   **error);
gboolean           mcs_server_listen (McsServer *self,
                                      GError   **error);
GSList            *mcs_server_get_uris (McsServer *self);
McsConfig         *mcs_server_get_config (McsServer *self);
McsStore          *mcs_server_get_store (McsServer *self);
McsMetrics        *mcs_server_get_metrics (McsServer *self);
McsPasswordHasher *mcs_server_get_hasher (McsServer *self);
GBytes            *mcs_server_get_secret (McsServer *self);
McsRateLimiter    *mcs_server_get_account_limiter (McsServer *self);
McsRateLimiter    *mcs_server_get_address_limiter (McsServer *self);
McsSignaling      *mcs_server_get_signaling (McsServer *self);
McsTickets        *mcs_server_get_tickets (McsServer *self);
SoupServer        *mcs_server_get_soup_server (McsServer *self);
McsWebhooks       *mcs_server_get_webhooks (McsServer *self);
void               mcs_server_shutdown (McsServer *self);

G_END_DECLS
