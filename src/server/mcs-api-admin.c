/* mcs-api-admin.c — the platform's admin API: users and bookings
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The router has already checked the admin API key. Validation is shared
 * with the admin command line through mcs-admin.c.
 */

#define G_LOG_DOMAIN "mcs-api"

#include "mcs-admin.h"
#include "mcs-api.h"
#include "mcs-clock.h"
#include "mcs-views.h"

typedef struct
{
  McsRequest *request;
  JsonObject *body;
} AdminData;

static void
admin_data_free (AdminData *data)
{
  mcs_request_unref (data->request);
  json_object_unref (data->body);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdminData, admin_data_free)

static void
reply_field_error (McsRequest   *request,
                   const GError *error,
                   const char   *field)
{
  g_autoptr (JsonObject) extra = json_object_new ();

  if (error->domain == MC_ERROR && error->code == MC_ERROR_INVALID_FIELD && field != NULL)
    json_object_set_string_member (extra, "field", field);

  mcs_request_reply_error_extra (request, error, extra);
}

static void
reply_user (McsRequest    *request,
            guint          status,
            const McsUser *user)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  mcs_view_add_user (builder, user, TRUE);
  mcs_request_reply_builder (request, status, builder);
}

static void
reply_booking (McsRequest       *request,
               guint             status,
               const McsBooking *booking)
{
  McsConfig              *config = mcs_server_get_config (mcs_request_get_server (request));
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  mcs_view_add_booking (builder, booking, config, NULL, mcs_request_get_now (request));
  mcs_request_reply_builder (request, status, builder);
}

/* Hashes @password off the main thread, then calls @callback with @data. */
static void
hash_then (McsRequest         *request,
           JsonObject         *body,
           const char         *password,
           GAsyncReadyCallback callback)
{
  McsServer *server = mcs_request_get_server (request);
  AdminData *data = g_new0 (AdminData, 1);

  data->request = mcs_request_ref (request);
  data->body = json_object_ref (body);

  mcs_request_pause (request);
  mcs_password_hasher_hash_async (mcs_server_get_hasher (server), password, NULL,
                                  callback, data);
}

void
mcs_api_admin_list_users (McsRequest *request)
{
  McsStore               *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray)   users = NULL;
  g_autoptr (GError)      error = NULL;

  users = mcs_store_list_users (store, &error);
  if (users == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    mcs_view_add_user (builder, g_ptr_array_index (users, i), TRUE);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

static void
create_user_hashed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (AdminData) data = user_data;
  McsStore             *store = mcs_server_get_store (mcs_request_get_server (data->request));
  g_autoptr (GError)    error = NULL;
  g_autoptr (McsUser)   user = NULL;
  g_autofree char      *hash = NULL;
  g_autofree char      *username = NULL;
  McRole                role;

  hash = mcs_password_hasher_hash_finish (MCS_PASSWORD_HASHER (object), result, &error);
  if (hash == NULL)
    {
      mcs_request_reply_error (data->request, error);
      return;
    }

  username = mcs_admin_normalize_username (json_object_get_string_member (data->body, "username"),
                                           NULL);
  mc_role_from_string (json_object_get_string_member (data->body, "role"), &role);

  user = mcs_store_add_user (store, username,
                             json_object_get_string_member (data->body, "display_name"),
                             role, hash, &error);
  if (user == NULL)
    {
      mcs_request_reply_error (data->request, error);
      return;
    }

  g_message ("Created %s “%s” (id %" G_GINT64_FORMAT ")", mc_role_to_string (role),
             user->username, user->id);
  reply_user (data->request, SOUP_STATUS_CREATED, user);
}

void
mcs_api_admin_create_user (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "username", MC_JSON_STRING, TRUE, 0, 0 },
    { "display_name", MC_JSON_STRING, TRUE, 0, 0 },
    { "role", MC_JSON_STRING, TRUE, 0, 0 },
    { "password", MC_JSON_STRING, TRUE, 0, 0 },
  };
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *username = NULL;
  McRole                 role;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  username = mcs_admin_normalize_username (json_object_get_string_member (body, "username"),
                                           &error);
  if (username == NULL)
    {
      reply_field_error (request, error, "username");
      return;
    }

  if (!mcs_admin_check_display_name (json_object_get_string_member (body, "display_name"),
                                     &error))
    {
      reply_field_error (request, error, "display_name");
      return;
    }

  if (!mc_role_from_string (json_object_get_string_member (body, "role"), &role))
    {
      g_set_error_literal (&error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "“role” must be mentor or student");
      reply_field_error (request, error, "role");
      return;
    }

  if (!mcs_admin_check_password (json_object_get_string_member (body, "password"), &error))
    {
      reply_field_error (request, error, "password");
      return;
    }

  hash_then (request, body, json_object_get_string_member (body, "password"),
             create_user_hashed_cb);
}

static McsUser *
load_user (McsRequest *request)
{
  McsStore          *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (GError) error = NULL;
  McsUser           *user;

  user = mcs_store_get_user (store, mcs_request_get_id (request), &error);
  if (user == NULL)
    mcs_request_reply_error (request, error);

  return user;
}

void
mcs_api_admin_get_user (McsRequest *request)
{
  g_autoptr (McsUser) user = load_user (request);

  if (user != NULL)
    reply_user (request, SOUP_STATUS_OK, user);
}

static void
update_user (McsRequest *request,
             JsonObject *body,
             const char *password_hash)
{
  McsStore           *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (GError)  error = NULL;
  g_autoptr (McsUser) user = NULL;
  int                 disabled = -1;

  if (mc_json_has (body, "disabled"))
    disabled = json_object_get_boolean_member (body, "disabled") ? 1 : 0;

  if (!mcs_store_update_user (store, mcs_request_get_id (request),
                              mc_json_has (body, "display_name")
                                ? json_object_get_string_member (body, "display_name")
                                : NULL,
                              password_hash, disabled, &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  /* The store revoked the account's sessions; their open sockets go too. */
  if (disabled == 1)
    mcs_signaling_user_disabled (mcs_server_get_signaling (mcs_request_get_server (request)),
                                 mcs_request_get_id (request));

  user = load_user (request);
  if (user != NULL)
    reply_user (request, SOUP_STATUS_OK, user);
}

static void
update_user_hashed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (AdminData) data = user_data;
  g_autoptr (GError)    error = NULL;
  g_autofree char      *hash = NULL;

  hash = mcs_password_hasher_hash_finish (MCS_PASSWORD_HASHER (object), result, &error);
  if (hash == NULL)
    {
      mcs_request_reply_error (data->request, error);
      return;
    }

  update_user (data->request, data->body, hash);
}

void
mcs_api_admin_update_user (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "display_name", MC_JSON_STRING, FALSE, 0, 0 },
    { "password", MC_JSON_STRING, FALSE, 0, 0 },
    { "disabled", MC_JSON_BOOLEAN, FALSE, 0, 0 },
  };
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError)     error = NULL;
  g_autoptr (McsUser)    user = NULL;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  if (mc_json_has (body, "display_name") &&
      !mcs_admin_check_display_name (json_object_get_string_member (body, "display_name"),
                                     &error))
    {
      reply_field_error (request, error, "display_name");
      return;
    }

  if (mc_json_has (body, "password") &&
      !mcs_admin_check_password (json_object_get_string_member (body, "password"), &error))
    {
      reply_field_error (request, error, "password");
      return;
    }

  /* Answer 404 before spending a hash on a user that does not exist. */
  user = load_user (request);
  if (user == NULL)
    return;

  if (mc_json_has (body, "password"))
    hash_then (request, body, json_object_get_string_member (body, "password"),
               update_user_hashed_cb);
  else
    update_user (request, body, NULL);
}

/* Ends every session of a user, for a lost or stolen device: the user must
 * log in again everywhere, and every open WebSocket of theirs is closed. */
void
mcs_api_admin_revoke_sessions (McsRequest *request)
{
  McsServer              *server = mcs_request_get_server (request);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (McsUser)     user = NULL;
  g_autoptr (GError)      error = NULL;
  guint                   revoked = 0;

  user = load_user (request);
  if (user == NULL)
    return;

  if (!mcs_store_revoke_user_sessions (mcs_server_get_store (server), user->id,
                                       mcs_request_get_now (request), &revoked, &error))
    {
      mcs_request_reply_error (request, error);
      return;
    }

  mcs_signaling_user_sessions_revoked (mcs_server_get_signaling (server), user->id);
  g_message ("Revoked %u sessions of “%s”", revoked, user->username);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "revoked");
  json_builder_add_int_value (builder, revoked);
  json_builder_end_object (builder);
  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_admin_list_bookings (McsRequest *request)
{
  McsServer              *server = mcs_request_get_server (request);
  const char             *status_text = mcs_request_get_query (request, "status");
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray)   bookings = NULL;
  g_autoptr (GError)      error = NULL;
  McBookingStatus         status;

  if (status_text != NULL && !mc_booking_status_from_string (status_text, &status))
    {
      g_set_error_literal (&error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "“status” must be pending, confirmed, cancelled or completed");
      reply_field_error (request, error, "status");
      return;
    }

  bookings = mcs_store_list_bookings (mcs_server_get_store (server),
                                      status_text != NULL ? (int) status : -1, &error);
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
                          mcs_server_get_config (server), NULL, mcs_request_get_now (request));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

static gboolean
read_status (McsRequest      *request,
             JsonObject      *body,
             McBookingStatus *status)
{
  g_autoptr (GError) error = NULL;

  if (!mc_json_has (body, "status"))
    return TRUE;

  if (mc_booking_status_from_string (json_object_get_string_member (body, "status"), status))
    return TRUE;

  g_set_error_literal (&error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                       "“status” must be pending, confirmed, cancelled or completed");
  reply_field_error (request, error, "status");
  return FALSE;
}

void
mcs_api_admin_create_booking (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "mentor", MC_JSON_STRING, TRUE, 0, 0 },
    { "student", MC_JSON_STRING, TRUE, 0, 0 },
    { "start", MC_JSON_TIME, TRUE, 0, 0 },
    { "end", MC_JSON_TIME, TRUE, 0, 0 },
    { "subject", MC_JSON_STRING, FALSE, 0, 0 },
    { "status", MC_JSON_STRING, FALSE, 0, 0 },
  };
  McsStore              *store = mcs_server_get_store (mcs_request_get_server (request));
  McBookingStatus        status = MC_BOOKING_PENDING;
  g_autoptr (McsBooking) booking = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError)     error = NULL;
  const char            *bad_field = NULL;
  gint64                 starts_at = 0, ends_at = 0;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL || !read_status (request, body, &status))
    return;

  mc_json_parse_time (json_object_get_string_member (body, "start"), &starts_at);
  mc_json_parse_time (json_object_get_string_member (body, "end"), &ends_at);

  booking = mcs_admin_create_booking (store,
                                      json_object_get_string_member (body, "mentor"),
                                      json_object_get_string_member (body, "student"),
                                      mc_json_has (body, "subject")
                                        ? json_object_get_string_member (body, "subject")
                                        : NULL,
                                      starts_at, ends_at, status, &bad_field, &error);
  if (booking == NULL)
    {
      reply_field_error (request, error, bad_field);
      return;
    }

  mcs_signaling_booking_changed (mcs_server_get_signaling (mcs_request_get_server (request)),
                                 booking->id);
  g_message ("Created booking %" G_GINT64_FORMAT " (%s with %s, %s)", booking->id,
             booking->mentor->username, booking->student->username,
             mc_booking_status_to_string (booking->status));
  reply_booking (request, SOUP_STATUS_CREATED, booking);
}

void
mcs_api_admin_get_booking (McsRequest *request)
{
  McsStore              *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (McsBooking) booking = NULL;
  g_autoptr (GError)     error = NULL;

  booking = mcs_store_get_booking (store, mcs_request_get_id (request), &error);
  if (booking == NULL)
    mcs_request_reply_error (request, error);
  else
    reply_booking (request, SOUP_STATUS_OK, booking);
}

void
mcs_api_admin_update_booking (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "subject", MC_JSON_STRING, FALSE, 0, 0 },
    { "start", MC_JSON_TIME, FALSE, 0, 0 },
    { "end", MC_JSON_TIME, FALSE, 0, 0 },
    { "status", MC_JSON_STRING, FALSE, 0, 0 },
  };
  McsStore              *store = mcs_server_get_store (mcs_request_get_server (request));
  McsBookingChanges      changes = { NULL, -1, -1, -1 };
  g_autoptr (McsBooking) booking = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError)     error = NULL;
  McBookingStatus        status;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  if (mc_json_has (body, "status"))
    {
      if (!read_status (request, body, &status))
        return;
      changes.status = status;
    }

  if (mc_json_has (body, "subject"))
    {
      changes.subject = json_object_get_string_member (body, "subject");
      if (!mcs_admin_check_subject (changes.subject, &error))
        {
          reply_field_error (request, error, "subject");
          return;
        }
    }

  if (mc_json_has (body, "start"))
    mc_json_parse_time (json_object_get_string_member (body, "start"), &changes.starts_at);
  if (mc_json_has (body, "end"))
    mc_json_parse_time (json_object_get_string_member (body, "end"), &changes.ends_at);

  booking = mcs_store_update_booking (store, mcs_request_get_id (request), &changes, &error);
  if (booking == NULL)
    {
      reply_field_error (request, error, "end");
      return;
    }

  mcs_signaling_booking_changed (mcs_server_get_signaling (mcs_request_get_server (request)),
                                 booking->id);

  reply_booking (request, SOUP_STATUS_OK, booking);
}

void
mcs_api_admin_get_attendance (McsRequest *request)
{
  McsStore               *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (McsBooking)  booking = NULL;
  g_autoptr (GPtrArray)   attendance = NULL;
  g_autoptr (GError)      error = NULL;

  booking = mcs_store_get_booking (store, mcs_request_get_id (request), &error);
  if (booking == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  attendance = mcs_store_list_attendance (store, booking->id, &error);
  if (attendance == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  mcs_view_add_attendance (builder, booking, attendance);
  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

/* POST /api/v1/admin/test-clock: moves the server's clock forward, so that
 * tests of expiry need not sleep. Only a server started with --test-clock
 * has it; any other answers as if the path did not exist. */
void
mcs_api_admin_test_clock (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "advance", MC_JSON_INT, TRUE, 0, 366 * 24 * 3600 },
  };
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonObject)  body = NULL;

  if (!mcs_clock_is_test_mode ())
    {
      mcs_request_reply_code (request, MC_ERROR_NOT_FOUND, "No such resource");
      return;
    }

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  mcs_clock_advance (json_object_get_int_member (body, "advance"));
  g_message ("Test clock moved forward by %" G_GINT64_FORMAT " s (now %" G_GINT64_FORMAT
             " s ahead)",
             json_object_get_int_member (body, "advance"), mcs_clock_get_offset ());

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "now");
  json_builder_add_int_value (builder, mcs_clock_now ());
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, mcs_clock_get_offset ());
  json_builder_end_object (builder);
  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
