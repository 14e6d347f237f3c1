/* mcs-crypto.h — secrets, session tokens, call tokens and TURN credentials
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mc-protocol.h"

G_BEGIN_DECLS

#define MCS_SECRET_LENGTH 32

GBytes            *mcs_secret_load_or_create  (const char         *path,
                                               GError            **error);
char              *mcs_session_token_new      (guint8              hash[32]);
void               mcs_session_token_hash     (const char         *token,
                                               guint8              hash[32]);
char              *mcs_call_token_sign        (GBytes             *secret,
                                               const McCallTokenClaims *claims);
McCallTokenClaims *mcs_call_token_verify      (GBytes             *secret,
                                               const char         *token,
                                               gint64              now,
                                               GError            **error);
void               mcs_turn_credentials       (const char         *turn_secret,
                                               gint64              user_id,
                                               gint64              expires_at,
                                               char              **username,
                                               char              **credential);
gboolean           mcs_secret_equal           (const char         *a,
                                               const char         *b);

G_END_DECLS
