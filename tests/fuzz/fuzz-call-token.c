/* fuzz-call-token.c — call-token parsing and verification
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A call token comes from the client in a join message and in
 * POST /api/v1/call-tokens/verify. The input goes through the protocol
 * library's parser (mc_call_token_split, mc_call_token_peek) and the
 * server's verification under a fixed secret, with and without a valid
 * MAC: the first bytes pick whether the harness signs the input's claims
 * itself, so that the code after the MAC check is reached too.
 */

#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "mc-protocol.h"
#include "mcs-crypto.h"

static GBytes *secret;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  static const guint8 key[MCS_SECRET_LENGTH] = "mentorcall fuzzing secret 32 by";

  fuzz_init_logging ();
  secret = g_bytes_new_static (key, sizeof key);
  return 0;
}

static void
check (const char *token,
       gint64      now)
{
  g_autoptr (GError)            error = NULL;
  g_autoptr (McCallTokenClaims) claims = NULL;
  g_autoptr (McCallTokenClaims) peeked = NULL;
  g_autoptr (McCallTokenClaims) split_claims = NULL;
  g_autoptr (GBytes)            mac = NULL;
  g_autofree char              *signed_part = NULL;

  if (mc_call_token_split (token, &signed_part, &split_claims, &mac, NULL))
    {
      if (signed_part == NULL || split_claims == NULL || mac == NULL)
        abort ();
    }
  peeked = mc_call_token_peek (token, NULL);

  claims = mcs_call_token_verify (secret, token, now, &error);
  if (claims == NULL)
    {
      if (error == NULL || error->domain != MC_ERROR ||
          (error->code != MC_ERROR_CALL_TOKEN_INVALID && error->code != MC_ERROR_CALL_TOKEN_EXPIRED))
        abort ();
    }
  else
    {
      /* A token that verifies was well formed. */
      if (peeked == NULL || claims->booking_id != peeked->booking_id ||
          claims->user_id != peeked->user_id || claims->expires_at < now)
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *token = NULL;
  gint64           now = 1795615200;

  if (size < 1)
    return 0;

  token = g_strndup ((const char *) data + 1, size - 1);

  if (data[0] & 1)
    {
      /* Sign the token's claims, if it has any, so that verification gets
       * past the MAC. */
      g_autoptr (McCallTokenClaims) claims = mc_call_token_peek (token, NULL);

      if (claims != NULL)
        {
          g_autofree char *signed_token = mcs_call_token_sign (secret, claims);

          check (signed_token, now);
          check (signed_token, claims->expires_at + 1);
          return 0;
        }
    }

  check (token, now);
  return 0;
}
