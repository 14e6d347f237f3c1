/* mc-call-token.c — the claims and wire format of call tokens
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-call-token.h"
#include "mc-error.h"
#include "mc-json.h"

#define TOKEN_PREFIX "v1."
/* Far above any real token, so that a hostile one costs nothing to refuse. */
#define MAX_TOKEN_LENGTH 2048

void
mc_call_token_claims_free (McCallTokenClaims *claims)
{
  if (claims == NULL)
    return;

  g_free (claims->nonce);
  g_free (claims);
}

/**
 * mc_base64url_encode:
 * @data: (array length=length): bytes
 * @length: their number
 *
 * Returns: (transfer full): @data in unpadded base64url (RFC 4648 §5)
 */
char *
mc_base64url_encode (const guint8 *data,
                     gsize         length)
{
  char *text = g_base64_encode (data, length);
  gsize end = strlen (text);

  while (end > 0 && text[end - 1] == '=')
    text[--end] = '\0';

  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }

  return text;
}

/**
 * mc_base64url_decode:
 * @text: unpadded base64url
 * @length: (out): the number of decoded bytes
 *
 * Unlike g_base64_decode() this refuses anything that is not strictly
 * unpadded base64url, so that no two texts decode to the same bytes.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL if @text is invalid
 */
guint8 *
mc_base64url_decode (const char *text,
                     gsize      *length)
{
  g_autofree char *standard = NULL;
  gsize text_length = strlen (text);
  gsize padded_length;
  g_autofree guint8 *data = NULL;
  g_autofree char *check = NULL;

  if (text_length == 0 || text_length % 4 == 1)
    return NULL;

  for (gsize i = 0; i < text_length; i++)
    {
      char c = text[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '_')
        return NULL;
    }

  padded_length = (text_length + 3) / 4 * 4;
  standard = g_malloc0 (padded_length + 1);
  for (gsize i = 0; i < padded_length; i++)
    {
      char c = i < text_length ? text[i] : '=';

      standard[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }

  data = g_base64_decode (standard, length);

  /* Refuse non-canonical encodings (stray bits in the last character). */
  check = mc_base64url_encode (data, *length);
  if (!g_str_equal (check, text))
    return NULL;

  return g_steal_pointer (&data);
}

/**
 * mc_call_token_encode_claims:
 * @claims: the claims
 *
 * Returns: (transfer full): `v1.PAYLOAD`, the part of a token that is signed
 */
char *
mc_call_token_encode_claims (const McCallTokenClaims *claims)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *payload = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bid");
  json_builder_add_int_value (builder, claims->booking_id);
  json_builder_set_member_name (builder, "uid");
  json_builder_add_int_value (builder, claims->user_id);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, mc_role_to_string (claims->role));
  json_builder_set_member_name (builder, "iat");
  json_builder_add_int_value (builder, claims->issued_at);
  json_builder_set_member_name (builder, "exp");
  json_builder_add_int_value (builder, claims->expires_at);
  json_builder_set_member_name (builder, "nonce");
  json_builder_add_string_value (builder, claims->nonce ? claims->nonce : "");
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  payload = mc_base64url_encode ((const guint8 *) json, strlen (json));

  return g_strconcat (TOKEN_PREFIX, payload, NULL);
}

static McCallTokenClaims *
decode_claims (const char  *payload,
               GError     **error)
{
  static const McJsonRule rules[] = {
    { "bid", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "uid", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
    { "role", MC_JSON_STRING, TRUE, 0, 0 },
    { "iat", MC_JSON_INT, TRUE, 0, G_MAXINT64 },
    { "exp", MC_JSON_INT, TRUE, 0, G_MAXINT64 },
    { "nonce", MC_JSON_STRING, TRUE, 0, 0 },
  };
  g_autoptr(McCallTokenClaims) claims = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree guint8 *json = NULL;
  gsize json_length;

  json = mc_base64url_decode (payload, &json_length);
  if (json == NULL)
    goto invalid;

  object = mc_json_parse_object ((const char *) json, json_length, NULL);
  if (object == NULL || !mc_json_validate (object, rules, G_N_ELEMENTS (rules), NULL, NULL))
    goto invalid;

  claims = g_new0 (McCallTokenClaims, 1);
  if (!mc_role_from_string (json_object_get_string_member (object, "role"), &claims->role))
    goto invalid;

  claims->booking_id = json_object_get_int_member (object, "bid");
  claims->user_id = json_object_get_int_member (object, "uid");
  claims->issued_at = json_object_get_int_member (object, "iat");
  claims->expires_at = json_object_get_int_member (object, "exp");
  claims->nonce = g_strdup (json_object_get_string_member (object, "nonce"));

  return g_steal_pointer (&claims);

invalid:
  g_set_error_literal (error, MC_ERROR, MC_ERROR_CALL_TOKEN_INVALID,
                       "The call token is malformed");
  return NULL;
}

/**
 * mc_call_token_split:
 * @token: a call token
 * @signed_part: (out) (optional) (transfer full): `v1.PAYLOAD`
 * @claims: (out) (optional) (transfer full): the decoded claims
 * @mac: (out) (optional) (transfer full): the signature's bytes
 * @error: a #GError, set to %MC_ERROR_CALL_TOKEN_INVALID on failure
 *
 * Takes a token apart without checking its signature or its expiry.
 *
 * Returns: %TRUE if @token is well formed
 */
gboolean
mc_call_token_split (const char         *token,
                     char              **signed_part,
                     McCallTokenClaims **claims,
                     GBytes            **mac,
                     GError            **error)
{
  g_autoptr(McCallTokenClaims) decoded = NULL;
  g_autofree guint8 *mac_data = NULL;
  g_autofree char *payload = NULL;
  const char *dot;
  gsize mac_length = 0;

  if (token == NULL || strlen (token) > MAX_TOKEN_LENGTH || !g_str_has_prefix (token, TOKEN_PREFIX))
    goto invalid;

  dot = strchr (token + strlen (TOKEN_PREFIX), '.');
  if (dot == NULL || strchr (dot + 1, '.') != NULL)
    goto invalid;

  mac_data = mc_base64url_decode (dot + 1, &mac_length);
  if (mac_data == NULL || mac_length != MC_CALL_TOKEN_MAC_LENGTH)
    goto invalid;

  payload = g_strndup (token + strlen (TOKEN_PREFIX), dot - token - strlen (TOKEN_PREFIX));
  decoded = decode_claims (payload, error);
  if (decoded == NULL)
    return FALSE;

  if (signed_part != NULL)
    *signed_part = g_strndup (token, dot - token);
  if (claims != NULL)
    *claims = g_steal_pointer (&decoded);
  if (mac != NULL)
    *mac = g_bytes_new_take (g_steal_pointer (&mac_data), mac_length);

  return TRUE;

invalid:
  g_set_error_literal (error, MC_ERROR, MC_ERROR_CALL_TOKEN_INVALID,
                       "The call token is malformed");
  return FALSE;
}

/**
 * mc_call_token_peek:
 * @token: a call token
 * @error: a #GError
 *
 * Reads a token's claims without verifying it: for clients, which cannot
 * verify, to learn when to renew it. Never trust what this returns.
 *
 * Returns: (transfer full) (nullable): the claims
 */
McCallTokenClaims *
mc_call_token_peek (const char  *token,
                    GError     **error)
{
  McCallTokenClaims *claims = NULL;

  if (!mc_call_token_split (token, NULL, &claims, NULL, error))
    return NULL;

  return claims;
}
