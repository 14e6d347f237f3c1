/* mcs-api-auth.c — logging in and out, and who am I
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A login passes two rate limits before any hashing: one per client
 * address, one per account. Both count attempts, not just failures, so
 * that a burst of parallel guesses is cut off before its results are in;
 * a successful login clears its account's count. An unknown username is
 * checked against a throwaway hash and answered exactly like a wrong
 * password, so the answer and its timing do not tell which usernames exist.
 */

#define G_LOG_DOMAIN "mcs-api"

#include "mcs-clock.h"
#include "mcs-admin.h"
#include "mcs-api.h"
#include "mcs-crypto.h"
#include "mcs-views.h"

typedef struct
{
  McsRequest *request;
  McsUser    *user;
} LoginData;

static void
login_data_free (LoginData *data)
{
  mcs_request_unref (data->request);
  g_clear_pointer (&data->user, mcs_user_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoginData, login_data_free)

static void
reply_rate_limited (McsRequest *request,
                    gint64      retry_after,
                    const char *message)
{
  SoupServerMessage     *msg = mcs_request_get_message (request);
  g_autoptr (JsonObject) extra = json_object_new ();
  g_autoptr (GError)     error = g_error_new_literal (MC_ERROR, MC_ERROR_RATE_LIMITED, message);
  g_autofree char       *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, retry_after);

  mcs_metrics_count (mcs_server_get_metrics (mcs_request_get_server (request)),
                     "mentorcall_logins_total", "result", "rate_limited");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", seconds);
  json_object_set_int_member (extra, "retry_after", retry_after);
  mcs_request_reply_error_extra (request, error, extra);
}

static void
login_verified_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (LoginData)   data = user_data;
  McsRequest             *request = data->request;
  McsServer              *server = mcs_request_get_server (request);
  McsConfig              *config = mcs_server_get_config (server);
  McsStore               *store = mcs_server_get_store (server);
  McsMetrics             *metrics = mcs_server_get_metrics (server);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GError)      error = NULL;
  g_autofree char        *new_hash = NULL;
  g_autofree char        *token = NULL;
  guint8                  token_hash[MCS_TOKEN_HASH_LENGTH];
  gint64                  now = mcs_clock_now ();
  gint64                  expires_at = now + config->session_lifetime;
  gboolean                matches;

  matches = mcs_password_hasher_verify_finish (MCS_PASSWORD_HASHER (object), result,
                                               &new_hash, &error);
  if (error != NULL)
    {
      g_autoptr (JsonObject) extra = json_object_new ();

      json_object_set_int_member (extra, "retry_after", 1);
      soup_message_headers_replace (
        soup_server_message_get_response_headers (mcs_request_get_message (request)),
        "Retry-After", "1");
      mcs_request_reply_error_extra (request, error, extra);
      return;
    }

  if (!matches || data->user == NULL)
    {
      mcs_metrics_count (metrics, "mentorcall_logins_total", "result", "failure");
      g_message ("Failed login for “%s” from %s",
                 data->user ? data->user->username : "(unknown user)",
                 mcs_request_get_client_address (request));
      mcs_request_reply_code (request, MC_ERROR_INVALID_CREDENTIALS,
                              "The username or the password is wrong");
      return;
    }

  if (data->user->disabled)
    {
      mcs_metrics_count (metrics, "mentorcall_logins_total", "result", "failure");
      mcs_request_reply_code (request, MC_ERROR_FORBIDDEN,
                              "This account is disabled; ask the platform's support");
      return;
    }

  mcs_rate_limiter_reset (mcs_server_get_account_limiter (server), data->user->username);

  if (new_hash != NULL &&
      !mcs_store_update_user (store, data->user->id, NULL, new_hash, -1, &error))
    {
      /* The old hash still works; try again next time. */
      g_message ("Could not store a rehashed password: %s", error->message);
      g_clear_error (&error);
    }

  token = mcs_session_token_new (token_hash);
  if (!mcs_store_add_session (store, token_hash, data->user->id, now, expires_at, &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  mcs_metrics_count (metrics, "mentorcall_logins_total", "result", "success");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  mcs_view_add_time (builder, "expires_at", expires_at);
  json_builder_set_member_name (builder, "user");
  mcs_view_add_user (builder, data->user, FALSE);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_login (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "username", MC_JSON_STRING, TRUE, 1, 256 },
    { "password", MC_JSON_STRING, TRUE, 1, 4096 },
  };
  McsServer             *server = mcs_request_get_server (request);
  McsRateLimiter        *address_limiter = mcs_server_get_address_limiter (server);
  McsRateLimiter        *account_limiter = mcs_server_get_account_limiter (server);
  const char            *address = mcs_request_get_client_address (request);
  gint64                 now = mcs_request_get_now (request);
  g_autoptr (JsonObject) body = NULL;
  g_autofree char       *username = NULL;
  LoginData             *data;
  gint64                 retry_after = 0;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  if (!mcs_rate_limiter_allow (address_limiter, address, now, &retry_after))
    {
      reply_rate_limited (request, retry_after,
                          "Too many login attempts from this address; try again later");
      return;
    }
  mcs_rate_limiter_hit (address_limiter, address, now);

  /* A malformed username cannot exist; it still costs a hash. */
  username = mcs_admin_normalize_username (json_object_get_string_member (body, "username"),
                                           NULL);

  data = g_new0 (LoginData, 1);
  data->request = mcs_request_ref (request);

  if (username != NULL)
    {
      if (!mcs_rate_limiter_allow (account_limiter, username, now, &retry_after))
        {
          login_data_free (data);
          reply_rate_limited (request, retry_after,
                              "Too many login attempts for this account; try again later");
          return;
        }
      mcs_rate_limiter_hit (account_limiter, username, now);

      data->user = mcs_store_find_user (mcs_server_get_store (server), username, NULL);
    }

  mcs_request_pause (request);
  mcs_password_hasher_verify_async (mcs_server_get_hasher (server),
                                    json_object_get_string_member (body, "password"),
                                    data->user ? data->user->password_hash : NULL,
                                    NULL, login_verified_cb, data);
}

void
mcs_api_logout (McsRequest *request)
{
  McsStore          *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (GError) error = NULL;

  if (!mcs_store_revoke_session (store, mcs_request_get_session (request)->id,
                                 mcs_request_get_now (request), &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  mcs_signaling_session_ended (mcs_server_get_signaling (mcs_request_get_server (request)),
                               mcs_request_get_session (request)->id);
  mcs_request_reply_empty (request, SOUP_STATUS_NO_CONTENT);
}

void
mcs_api_me (McsRequest *request)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  mcs_view_add_user (builder, mcs_request_get_user (request), FALSE);
  json_builder_set_member_name (builder, "session");
  json_builder_begin_object (builder);
  mcs_view_add_time (builder, "expires_at", mcs_request_get_session (request)->expires_at);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
