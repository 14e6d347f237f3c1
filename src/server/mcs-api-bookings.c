/* mcs-api-bookings.c — a participant's bookings, call tokens and attendance
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-api"

#include <string.h>

#include <sodium.h>

#include "mcs-api.h"
#include "mcs-crypto.h"
#include "mcs-views.h"

/**
 * mcs_api_load_own_booking:
 * @request: a request on a `{id}` route of a participant
 *
 * Loads the route's booking if the caller takes part in it; otherwise
 * answers 404 or 403 and returns %NULL.
 *
 * Returns: (transfer full) (nullable): the booking
 */
McsBooking *
mcs_api_load_own_booking (McsRequest *request)
{
  McsStore              *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (McsBooking) booking = NULL;
  g_autoptr (GError)     error = NULL;

  booking = mcs_store_get_booking (store, mcs_request_get_id (request), &error);
  if (booking == NULL)
    {
      mcs_request_reply_error (request, error);
      return NULL;
    }

  if (!mcs_booking_has_participant (booking, mcs_request_get_user (request)->id))
    {
      mcs_request_reply_code (request, MC_ERROR_NOT_PARTICIPANT,
                              "You are not a participant of this booking");
      return NULL;
    }

  return g_steal_pointer (&booking);
}

static void
refuse_token (McsRequest *request,
              McErrorCode code,
              const char *message,
              JsonObject *extra)
{
  McsMetrics        *metrics = mcs_server_get_metrics (mcs_request_get_server (request));
  g_autoptr (GError) error = g_error_new_literal (MC_ERROR, code, message);

  mcs_metrics_count (metrics, "mentorcall_call_token_refusals_total", "code",
                     mc_error_code_to_string (code));
  mcs_request_reply_error_extra (request, error, extra);
}

/* The WebSocket address, derived from the configured public URL or else
 * from the address the client used to reach us. It names the booking
 * (`?booking=`, which the server itself ignores: the join message says it)
 * so that a load balancer in front of several servers can send both
 * participants of a lesson to the same one (HAProxy's `balance url_param
 * booking`: data/haproxy.cfg). */
static char *
signaling_url (McsRequest *request,
               gint64      booking_id)
{
  McsConfig       *config = mcs_server_get_config (mcs_request_get_server (request));
  GUri            *uri = soup_server_message_get_uri (mcs_request_get_message (request));
  g_autofree char *query = g_strdup_printf ("booking=%" G_GINT64_FORMAT, booking_id);

  /* public-url, with its path prefix if it has one (a server behind a
   * proxy under /calls/ has its WebSocket at /calls/api/v1/ws). */
  if (config->public_url != NULL)
    {
      gboolean         https = g_str_has_prefix (config->public_url, "https://");
      g_autofree char *trimmed = g_strdup (config->public_url + (https ? 8 : 7));
      gsize            length = strlen (trimmed);

      while (length > 0 && trimmed[length - 1] == '/')
        trimmed[--length] = '\0';

      return g_strdup_printf ("%s://%s/api/v1/ws?%s", https ? "wss" : "ws", trimmed, query);
    }

  /* The address the client used: g_uri_join() puts an IPv6 host in
   * brackets. */
  return g_uri_join (G_URI_FLAGS_NONE,
                     g_str_equal (g_uri_get_scheme (uri), "https") ? "wss" : "ws", NULL,
                     g_uri_get_host (uri), g_uri_get_port (uri), "/api/v1/ws", query, NULL);
}

static void
add_ice_servers (JsonBuilder *builder,
                 McsConfig   *config,
                 gint64       user_id,
                 gint64       now)
{
  json_builder_begin_array (builder);

  if (config->stun_servers[0] != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "urls");
      json_builder_begin_array (builder);
      for (guint i = 0; config->stun_servers[i] != NULL; i++)
        json_builder_add_string_value (builder, config->stun_servers[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }

  if (config->turn_servers[0] != NULL && config->turn_secret != NULL)
    {
      g_autofree char *username = NULL;
      g_autofree char *credential = NULL;

      mcs_turn_credentials (config->turn_secret, user_id,
                            now + config->turn_credential_lifetime, &username, &credential);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "urls");
      json_builder_begin_array (builder);
      for (guint i = 0; config->turn_servers[i] != NULL; i++)
        json_builder_add_string_value (builder, config->turn_servers[i]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, username);
      json_builder_set_member_name (builder, "credential");
      json_builder_add_string_value (builder, credential);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
}

void
mcs_api_list_bookings (McsRequest *request)
{
  McsServer              *server = mcs_request_get_server (request);
  const McsUser          *user = mcs_request_get_user (request);
  gint64                  now = mcs_request_get_now (request);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray)   bookings = NULL;
  g_autoptr (GError)      error = NULL;

  bookings = mcs_store_list_user_bookings (mcs_server_get_store (server), user->id,
                                           now - MCS_RECENT_SECONDS, &error);
  if (bookings == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bookings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bookings->len; i++)
    mcs_view_add_booking (builder, g_ptr_array_index (bookings, i),
                          mcs_server_get_config (server), user, now);
  json_builder_end_array (builder);
  mcs_view_add_time (builder, "server_time", now);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_get_booking (McsRequest *request)
{
  McsConfig              *config = mcs_server_get_config (mcs_request_get_server (request));
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (McsBooking)  booking = mcs_api_load_own_booking (request);

  if (booking == NULL)
    return;

  mcs_view_add_booking (builder, booking, config, mcs_request_get_user (request),
                        mcs_request_get_now (request));
  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_create_call_token (McsRequest *request)
{
  McsServer              *server = mcs_request_get_server (request);
  McsConfig              *config = mcs_server_get_config (server);
  const McsUser          *user = mcs_request_get_user (request);
  gint64                  now = mcs_request_get_now (request);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (McsBooking)  booking = NULL;
  g_autoptr (JsonObject)  body = NULL;
  g_autofree char        *token = NULL;
  g_autofree char        *url = NULL;
  McCallTokenClaims       claims = { 0 };
  guint8                  nonce[12];
  gint64                  opens_at, closes_at;

  /* No member is defined yet, but a body that is there must be JSON. */
  body = mcs_request_parse_body (request, NULL, 0);
  if (body == NULL)
    return;

  booking = mcs_store_get_booking (mcs_server_get_store (server),
                                   mcs_request_get_id (request), NULL);
  if (booking == NULL)
    {
      refuse_token (request, MC_ERROR_NOT_FOUND, "There is no such booking", NULL);
      return;
    }

  if (!mcs_booking_has_participant (booking, user->id))
    {
      refuse_token (request, MC_ERROR_NOT_PARTICIPANT,
                    "You are not a participant of this booking", NULL);
      return;
    }

  if (booking->status != MC_BOOKING_CONFIRMED)
    {
      g_autoptr (JsonObject) extra = json_object_new ();
      g_autofree char       *message = g_strdup_printf ("The booking is %s, not confirmed",
                                                        mc_booking_status_to_string (booking->status));

      json_object_set_string_member (extra, "status",
                                     mc_booking_status_to_string (booking->status));
      refuse_token (request, MC_ERROR_BOOKING_NOT_CONFIRMED, message, extra);
      return;
    }

  mcs_booking_get_join_window (booking, config, &opens_at, &closes_at);
  if (now < opens_at || now >= closes_at)
    {
      g_autoptr (JsonObject) extra = json_object_new ();
      g_autoptr (JsonObject) window = json_object_new ();
      g_autofree char       *opens_text = mc_json_format_time (opens_at);
      g_autofree char       *closes_text = mc_json_format_time (closes_at);

      json_object_set_string_member (window, "opens_at", opens_text);
      json_object_set_string_member (window, "closes_at", closes_text);
      json_object_set_boolean_member (window, "open", FALSE);
      json_object_set_object_member (extra, "join_window", g_steal_pointer (&window));
      refuse_token (request, MC_ERROR_OUTSIDE_JOIN_WINDOW,
                    now < opens_at ? "The lesson cannot be joined yet"
                                   : "The lesson can no longer be joined",
                    extra);
      return;
    }

  randombytes_buf (nonce, sizeof nonce);
  claims.booking_id = booking->id;
  claims.user_id = user->id;
  claims.role = booking->mentor->id == user->id ? MC_ROLE_MENTOR : MC_ROLE_STUDENT;
  claims.issued_at = now;
  claims.expires_at = MIN (now + config->token_lifetime, closes_at);
  claims.nonce = mc_base64url_encode (nonce, sizeof nonce);
  token = mcs_call_token_sign (mcs_server_get_secret (server), &claims);
  g_free (claims.nonce);

  mcs_metrics_count (mcs_server_get_metrics (server), "mentorcall_call_tokens_issued_total",
                     NULL, NULL);

  url = signaling_url (request, booking->id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  mcs_view_add_time (builder, "expires_at", claims.expires_at);
  json_builder_set_member_name (builder, "booking_id");
  json_builder_add_int_value (builder, booking->id);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_int_value (builder, user->id);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, mc_role_to_string (claims.role));
  json_builder_set_member_name (builder, "ice_servers");
  add_ice_servers (builder, config, user->id, now);
  json_builder_set_member_name (builder, "signaling_url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "join_window");
  mcs_view_add_join_window (builder, booking, config, now);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_verify_call_token (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "token", MC_JSON_STRING, TRUE, 1, 4096 },
  };
  McsServer                    *server = mcs_request_get_server (request);
  g_autoptr (McCallTokenClaims) claims = NULL;
  g_autoptr (JsonBuilder)       builder = json_builder_new ();
  g_autoptr (JsonObject)        body = NULL;
  g_autoptr (GError)            error = NULL;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  claims = mcs_call_token_verify (mcs_server_get_secret (server),
                                  json_object_get_string_member (body, "token"),
                                  mcs_request_get_now (request), &error);
  if (claims == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  if (claims->user_id != mcs_request_get_user (request)->id)
    {
      mcs_request_reply_code (request, MC_ERROR_FORBIDDEN,
                              "This call token was issued to someone else");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "booking_id");
  json_builder_add_int_value (builder, claims->booking_id);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_int_value (builder, claims->user_id);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, mc_role_to_string (claims->role));
  mcs_view_add_time (builder, "issued_at", claims->issued_at);
  mcs_view_add_time (builder, "expires_at", claims->expires_at);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_get_attendance (McsRequest *request)
{
  McsStore               *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (McsBooking)  booking = mcs_api_load_own_booking (request);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray)   attendance = NULL;
  g_autoptr (GError)      error = NULL;

  if (booking == NULL)
    return;

  attendance = mcs_store_list_attendance (store, booking->id, &error);
  if (attendance == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  mcs_view_add_attendance (builder, booking, attendance);
  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
