/* mcs-request.h — one HTTP request on its way through the router
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mc-protocol.h"
#include "mcs-server.h"

G_BEGIN_DECLS

typedef struct _McsRequest McsRequest;

/**
 * McsAuth:
 * @MCS_AUTH_NONE: anyone
 * @MCS_AUTH_USER: a valid session token (`Authorization: Bearer …`)
 * @MCS_AUTH_ADMIN: the admin API key (`Authorization: Bearer …`)
 * @MCS_AUTH_USER_OR_TICKET: as %MCS_AUTH_USER, or a `ticket` query
 *   parameter that the handler checks itself (the WebSocket, whose refusals
 *   of a ticket go out after the upgrade, where a page can read them)
 *
 * Who may call a route. The router checks it before the handler runs.
 */
typedef enum
{
  MCS_AUTH_NONE,
  MCS_AUTH_USER,
  MCS_AUTH_ADMIN,
  MCS_AUTH_USER_OR_TICKET,
} McsAuth;

typedef void (*McsHandlerFunc) (McsRequest *request);

/**
 * McsRoute:
 * @method: an HTTP method
 * @pattern: a path; a segment `{id}` matches a positive integer
 * @auth: who may call it
 * @handler: what answers it
 */
typedef struct
{
  const char    *method;
  const char    *pattern;
  McsAuth        auth;
  McsHandlerFunc handler;
} McsRoute;

void mcs_request_dispatch (McsServer         *server,
                           const McsRoute    *routes,
                           guint              n_routes,
                           SoupServerMessage *message);

McsRequest        *mcs_request_ref (McsRequest *self);
void               mcs_request_unref (McsRequest *self);
McsServer         *mcs_request_get_server (McsRequest *self);
SoupServerMessage *mcs_request_get_message (McsRequest *self);
gint64             mcs_request_get_id (McsRequest *self);
const McsUser     *mcs_request_get_user (McsRequest *self);
const McsSession  *mcs_request_get_session (McsRequest *self);
char              *mcs_request_peer_address (SoupServerMessage *message);
const char        *mcs_request_get_client_address (McsRequest *self);
const char        *mcs_request_get_query (McsRequest *self,
                                          const char *name);
gint64             mcs_request_get_now (McsRequest *self);
gboolean           mcs_request_set_session (McsRequest       *self,
                                            const McsSession *session,
                                            GError          **error);
gboolean           mcs_origin_allowed (McsServer         *server,
                                       SoupServerMessage *message);
JsonObject        *mcs_request_parse_body (McsRequest       *self,
                                           const McJsonRule *rules,
                                           guint             n_rules);
void               mcs_request_accept_upgrade (McsRequest *self);
void               mcs_request_pause (McsRequest *self);

void mcs_request_reply_json (McsRequest *self,
                             guint       status,
                             JsonNode   *node);
void mcs_request_reply_builder (McsRequest  *self,
                                guint        status,
                                JsonBuilder *builder);
void mcs_request_reply_empty (McsRequest *self,
                              guint       status);
void mcs_request_reply_text (McsRequest *self,
                             guint       status,
                             const char *content_type,
                             char       *text);
void mcs_request_reply_error (McsRequest   *self,
                              const GError *error);
void mcs_request_reply_error_extra (McsRequest   *self,
                                    const GError *error,
                                    JsonObject   *extra);
void mcs_request_reply_code (McsRequest *self,
                             McErrorCode code,
                             const char *message);

void mcs_reply_error_to_message (SoupServerMessage *message,
                                 McErrorCode        code,
                                 const char        *text,
                                 JsonObject        *extra);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsRequest, mcs_request_unref)

G_END_DECLS
