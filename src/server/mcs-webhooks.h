/* mcs-webhooks.h — signing and delivering webhook events
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "mcs-metrics.h"
#include "mcs-store.h"

G_BEGIN_DECLS

/* The most deliveries in flight at once. */
#define MCS_WEBHOOK_MAX_IN_FLIGHT 8

/* Each attempt gets this long, connection to status line. */
#define MCS_WEBHOOK_TIMEOUT_SECONDS 15

/* An endpoint whose every attempt failed for this long is disabled. */
#define MCS_WEBHOOK_DISABLE_AFTER_SECONDS (5 * 24 * 3600)

/* After a rotation the old secret keeps signing for this long. */
#define MCS_WEBHOOK_ROTATION_SECONDS (24 * 3600)

/* The longest URL an endpoint may have. */
#define MCS_WEBHOOK_MAX_URL_LENGTH 2048

#define MCS_TYPE_WEBHOOKS (mcs_webhooks_get_type ())
G_DECLARE_FINAL_TYPE (McsWebhooks, mcs_webhooks, MCS, WEBHOOKS, GObject)

McsWebhooks *mcs_webhooks_new (McsStore   *store,
                               McsMetrics *metrics);
void         mcs_webhooks_update_metrics (McsWebhooks *self);
void         mcs_webhooks_shutdown (McsWebhooks *self);

gint64   mcs_webhook_retry_delay (guint attempts);
char    *mcs_webhook_new_secret (void);
gboolean mcs_webhook_check_secret (const char *secret,
                                   GError    **error);
gboolean mcs_webhook_check_url (const char *url,
                                GError    **error);
char    *mcs_webhook_sign (const char *secret,
                           const char *message_id,
                           gint64      timestamp,
                           const char *body,
                           gsize       body_length);

G_END_DECLS
