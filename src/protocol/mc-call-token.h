/* mc-call-token.h — the claims and wire format of call tokens
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mc-types.h"

G_BEGIN_DECLS

/**
 * MC_CALL_TOKEN_MAC_LENGTH:
 *
 * The length of a call token's signature: an HMAC-SHA256.
 */
#define MC_CALL_TOKEN_MAC_LENGTH 32

/**
 * McCallTokenClaims:
 * @booking_id: the booking whose call the token admits to
 * @user_id: the user it was issued to
 * @role: that user's role in the booking
 * @issued_at: when it was issued, in Unix seconds
 * @expires_at: when it stops being valid, in Unix seconds
 * @nonce: a random string that makes every token unique
 *
 * What a call token says. A token is `v1.PAYLOAD.MAC`, where PAYLOAD is the
 * claims as a JSON object in unpadded base64url, and MAC is the unpadded
 * base64url HMAC-SHA256 of `v1.PAYLOAD` under the server's secret. Only the
 * server can sign and verify; clients may read the claims to know when to
 * renew.
 */
typedef struct
{
  gint64  booking_id;
  gint64  user_id;
  McRole  role;
  gint64  issued_at;
  gint64  expires_at;
  char   *nonce;
} McCallTokenClaims;

void               mc_call_token_claims_free   (McCallTokenClaims  *claims);
char              *mc_call_token_encode_claims (const McCallTokenClaims *claims);
gboolean           mc_call_token_split         (const char         *token,
                                                char              **signed_part,
                                                McCallTokenClaims **claims,
                                                GBytes            **mac,
                                                GError            **error);
McCallTokenClaims *mc_call_token_peek          (const char         *token,
                                                GError            **error);

char              *mc_base64url_encode         (const guint8       *data,
                                                gsize               length);
guint8            *mc_base64url_decode         (const char         *text,
                                                gsize              *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McCallTokenClaims, mc_call_token_claims_free)

G_END_DECLS
