/* mc-error.c — error codes shared by the server and its clients
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "mc-error.h"

/* One row per McErrorCode, in the enum's order, so that the code is the
 * index. The test suite checks that every code round-trips. */
static const struct
{
  McErrorCode code;
  const char *string;
  guint       http_status;
} error_table[] = {
  { MC_ERROR_BAD_REQUEST, "bad_request", 400 },
  { MC_ERROR_MALFORMED_JSON, "malformed_json", 400 },
  { MC_ERROR_INVALID_FIELD, "invalid_field", 400 },
  { MC_ERROR_UNAUTHORIZED, "unauthorized", 401 },
  { MC_ERROR_INVALID_CREDENTIALS, "invalid_credentials", 401 },
  { MC_ERROR_SESSION_INVALID, "session_invalid", 401 },
  { MC_ERROR_SESSION_EXPIRED, "session_expired", 401 },
  { MC_ERROR_CALL_TOKEN_INVALID, "call_token_invalid", 401 },
  { MC_ERROR_CALL_TOKEN_EXPIRED, "call_token_expired", 401 },
  { MC_ERROR_FORBIDDEN, "forbidden", 403 },
  { MC_ERROR_NOT_PARTICIPANT, "not_participant", 403 },
  { MC_ERROR_OUTSIDE_JOIN_WINDOW, "outside_join_window", 403 },
  { MC_ERROR_ADMIN_DISABLED, "admin_disabled", 403 },
  { MC_ERROR_NOT_FOUND, "not_found", 404 },
  { MC_ERROR_METHOD_NOT_ALLOWED, "method_not_allowed", 405 },
  { MC_ERROR_BOOKING_NOT_CONFIRMED, "booking_not_confirmed", 409 },
  { MC_ERROR_CONFLICT, "conflict", 409 },
  { MC_ERROR_INVALID_TRANSITION, "invalid_transition", 409 },
  { MC_ERROR_LENGTH_REQUIRED, "length_required", 411 },
  { MC_ERROR_PAYLOAD_TOO_LARGE, "payload_too_large", 413 },
  { MC_ERROR_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", 415 },
  { MC_ERROR_RATE_LIMITED, "rate_limited", 429 },
  { MC_ERROR_INTERNAL, "internal_error", 500 },
  { MC_ERROR_SERVER_BUSY, "server_busy", 503 },
  { MC_ERROR_NETWORK, "network_error", 0 },
  { MC_ERROR_PROTOCOL, "protocol_error", 0 },
  { MC_ERROR_UNKNOWN_TYPE, "unknown_type", 0 },
  { MC_ERROR_NOT_IN_ROOM, "not_in_room", 0 },
  { MC_ERROR_CALL_ENDED, "call_ended", 0 },
  { MC_ERROR_NO_PEER, "no_peer", 0 },
  { MC_ERROR_TAKEN_OVER, "taken_over", 0 },
};

G_DEFINE_QUARK (mc-error-quark, mc_error)

/**
 * mc_error_code_to_string:
 * @code: an #McErrorCode
 *
 * Returns: (transfer none): the code's name on the wire, such as `"not_found"`
 */
const char *
mc_error_code_to_string (McErrorCode code)
{
  if ((guint) code >= G_N_ELEMENTS (error_table))
    return "internal_error";

  return error_table[code].string;
}

/**
 * mc_error_code_from_string:
 * @string: a code as sent on the wire
 * @code: (out): where to store the code
 *
 * Returns: %TRUE if @string names a known code
 */
gboolean
mc_error_code_from_string (const char  *string,
                           McErrorCode *code)
{
  g_return_val_if_fail (code != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    {
      if (g_str_equal (error_table[i].string, string))
        {
          *code = error_table[i].code;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * mc_error_code_http_status:
 * @code: an #McErrorCode
 *
 * Returns: the HTTP status the server answers with for @code, or 0 for the
 *   codes that only a client produces or that only the WebSocket sends
 */
guint
mc_error_code_http_status (McErrorCode code)
{
  if ((guint) code >= G_N_ELEMENTS (error_table))
    return 500;

  return error_table[code].http_status;
}
