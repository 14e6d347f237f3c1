/* mc-error.h — error codes shared by the server and its clients
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MC_ERROR (mc_error_quark ())

/**
 * McErrorCode:
 * @MC_ERROR_BAD_REQUEST: the request is wrong in a way no other code names
 * @MC_ERROR_MALFORMED_JSON: the body is not JSON, or not a JSON object
 * @MC_ERROR_INVALID_FIELD: a member is missing, of the wrong type or out of range
 * @MC_ERROR_UNAUTHORIZED: no credentials were sent
 * @MC_ERROR_INVALID_CREDENTIALS: wrong username or password
 * @MC_ERROR_SESSION_INVALID: the session token is unknown or was revoked
 * @MC_ERROR_SESSION_EXPIRED: the session token has expired
 * @MC_ERROR_CALL_TOKEN_INVALID: a call token is malformed, forged or tampered with
 * @MC_ERROR_CALL_TOKEN_EXPIRED: a call token has expired
 * @MC_ERROR_FORBIDDEN: the caller may not do this
 * @MC_ERROR_NOT_PARTICIPANT: the caller is not a participant of the booking
 * @MC_ERROR_OUTSIDE_JOIN_WINDOW: the booking's join window is not open
 * @MC_ERROR_ADMIN_DISABLED: no admin API key is configured
 * @MC_ERROR_NOT_FOUND: no such resource or route
 * @MC_ERROR_METHOD_NOT_ALLOWED: the route exists but not for this method
 * @MC_ERROR_BOOKING_NOT_CONFIRMED: the booking is not confirmed
 * @MC_ERROR_CONFLICT: the request conflicts with existing data
 * @MC_ERROR_INVALID_TRANSITION: a booking cannot move to the requested status
 * @MC_ERROR_LENGTH_REQUIRED: a body was sent without a Content-Length
 * @MC_ERROR_PAYLOAD_TOO_LARGE: the body is over the server's limit
 * @MC_ERROR_UNSUPPORTED_MEDIA_TYPE: the body is not `application/json`
 * @MC_ERROR_RATE_LIMITED: too many requests; retry later
 * @MC_ERROR_INTERNAL: the server failed; the request may be retried
 * @MC_ERROR_SERVER_BUSY: the server is overloaded; retry later
 * @MC_ERROR_NETWORK: (client side) the server could not be reached
 * @MC_ERROR_PROTOCOL: (client side) the server's answer made no sense
 * @MC_ERROR_UNKNOWN_TYPE: (WebSocket) the message type is not part of the protocol
 * @MC_ERROR_NOT_IN_ROOM: (WebSocket) the message needs the sender to be in the room
 * @MC_ERROR_CALL_ENDED: (WebSocket) the booking's call has ended
 * @MC_ERROR_NO_PEER: (WebSocket) the other participant is not in the room
 * @MC_ERROR_TAKEN_OVER: (WebSocket) the same user joined from another connection
 *
 * The error codes of the Mentorcall protocol. On the wire each is a string
 * (see mc_error_code_to_string()); each that the REST API can answer with
 * has one HTTP status, and the WebSocket-only ones have none.
 */
typedef enum
{
  MC_ERROR_BAD_REQUEST,
  MC_ERROR_MALFORMED_JSON,
  MC_ERROR_INVALID_FIELD,
  MC_ERROR_UNAUTHORIZED,
  MC_ERROR_INVALID_CREDENTIALS,
  MC_ERROR_SESSION_INVALID,
  MC_ERROR_SESSION_EXPIRED,
  MC_ERROR_CALL_TOKEN_INVALID,
  MC_ERROR_CALL_TOKEN_EXPIRED,
  MC_ERROR_FORBIDDEN,
  MC_ERROR_NOT_PARTICIPANT,
  MC_ERROR_OUTSIDE_JOIN_WINDOW,
  MC_ERROR_ADMIN_DISABLED,
  MC_ERROR_NOT_FOUND,
  MC_ERROR_METHOD_NOT_ALLOWED,
  MC_ERROR_BOOKING_NOT_CONFIRMED,
  MC_ERROR_CONFLICT,
  MC_ERROR_INVALID_TRANSITION,
  MC_ERROR_LENGTH_REQUIRED,
  MC_ERROR_PAYLOAD_TOO_LARGE,
  MC_ERROR_UNSUPPORTED_MEDIA_TYPE,
  MC_ERROR_RATE_LIMITED,
  MC_ERROR_INTERNAL,
  MC_ERROR_SERVER_BUSY,
  MC_ERROR_NETWORK,
  MC_ERROR_PROTOCOL,
  MC_ERROR_UNKNOWN_TYPE,
  MC_ERROR_NOT_IN_ROOM,
  MC_ERROR_CALL_ENDED,
  MC_ERROR_NO_PEER,
  MC_ERROR_TAKEN_OVER,
} McErrorCode;

GQuark       mc_error_quark             (void);
const char  *mc_error_code_to_string    (McErrorCode  code);
gboolean     mc_error_code_from_string  (const char  *string,
                                         McErrorCode *code);
guint        mc_error_code_http_status  (McErrorCode  code);

G_END_DECLS
