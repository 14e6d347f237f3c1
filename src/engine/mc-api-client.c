/* mc-api-client.c — the Mentorcall REST API, asynchronously
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession per client, talking to one server. Every call is a GTask
 * around soup_session_send_and_read_async(): the whole answer is small JSON,
 * so it is read into memory and parsed on the main context. Failures are
 * turned into MC_ERROR errors here, once, so that callers see the server's
 * own code and message (`not_participant`, `outside_join_window`, …), a
 * readable MC_ERROR_NETWORK when the server cannot be reached, and
 * MC_ERROR_PROTOCOL when what came back is not the API's JSON. Cancellation
 * stays G_IO_ERROR_CANCELLED, as everywhere in GIO.
 */

#define G_LOG_DOMAIN "mc-api-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mc-protocol.h"

#include "mc-api-client.h"

/* Bounds how long one request may stall on a silent server. */
#define REQUEST_TIMEOUT_SECONDS 30

struct _McApiClient
{
  GObject parent_instance;

  char        *base_url;
  GUri        *base_uri;
  char        *token;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (McApiClient, mc_api_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Called with a successful answer before the task returns it; may refuse it. */
typedef gboolean (*AnswerHandler) (McApiClient *self,
                                   JsonObject  *answer,
                                   GError     **error);

typedef struct
{
  SoupMessage  *message;
  AnswerHandler handler;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->message);
  g_free (request);
}

/* Static helpers */

static char *
normalize_base_url (const char *base_url)
{
  /* Paths are resolved relative to the base, so it must end in a slash for
   * a server that lives below a path prefix (https://example.org/mc/). */
  if (g_str_has_suffix (base_url, "/"))
    return g_strdup (base_url);

  return g_strconcat (base_url, "/", NULL);
}

static GError *
error_from_answer (McApiClient *self,
                   SoupMessage *message,
                   GBytes      *body)
{
  g_autoptr (JsonObject) answer = NULL;
  guint                  status = soup_message_get_status (message);
  JsonObject            *error_object = NULL;
  const char            *code_text = NULL;
  const char            *text = NULL;
  McErrorCode            code;
  gsize                  length = 0;
  const char            *data = NULL;

  if (body != NULL)
    data = g_bytes_get_data (body, &length);

  if (data != NULL && length > 0)
    answer = mc_json_parse_object (data, length, NULL);

  if (answer != NULL && json_object_has_member (answer, "error") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (answer, "error")))
    error_object = json_object_get_object_member (answer, "error");

  if (error_object != NULL)
    {
      code_text = json_object_get_string_member_with_default (error_object, "code", NULL);
      text = json_object_get_string_member_with_default (error_object, "message", NULL);
    }

  if (code_text != NULL && mc_error_code_from_string (code_text, &code))
    return g_error_new (MC_ERROR, code, "%s", text != NULL ? text : code_text);

  return g_error_new (MC_ERROR, MC_ERROR_PROTOCOL,
                      _ ("The server at %s answered %u %s without a Mentorcall error"),
                      self->base_url, status,
                      soup_message_get_reason_phrase (message) != NULL ? soup_message_get_reason_phrase (message) : "");
}

static void request_sent_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

static void
send_request (McApiClient        *self,
              const char         *method,
              const char         *path,
              JsonNode           *body,
              AnswerHandler       handler,
              gpointer            source_tag,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  g_autoptr (GTask)   task = NULL;
  g_autoptr (GUri)    uri = NULL;
  g_autoptr (GError)  error = NULL;
  SoupMessageHeaders *headers;
  Request            *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  uri = g_uri_parse_relative (self->base_uri, path, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, MC_ERROR, MC_ERROR_NETWORK,
                               _ ("Cannot reach the server at %s: %s"), self->base_url,
                               error->message);
      return;
    }

  request = g_new0 (Request, 1);
  request->message = soup_message_new_from_uri (method, uri);
  request->handler = handler;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->token != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }

  if (body != NULL)
    {
      g_autofree char   *text = mc_json_to_string (body);
      gsize              length = strlen (text);
      g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), length);

      soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
    }

  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    cancellable, request_sent_cb, g_steal_pointer (&task));
}

static gpointer
finish_request (McApiClient  *self,
                GAsyncResult *result,
                gpointer      source_tag,
                GError      **error)
{
  g_return_val_if_fail (MC_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The path of a booking's resource below the API: `api/v1/bookings/{id}`
 * followed by @suffix, such as "/messages" or "". */
static char *
booking_path (gint64      booking_id,
              const char *suffix)
{
  return g_strdup_printf ("api/v1/bookings/%" G_GINT64_FORMAT "%s", booking_id, suffix);
}

static JsonNode *
build_object (const char *first_member,
              ...) G_GNUC_NULL_TERMINATED;

/* Builds a JSON object from name, string-value pairs. */
static JsonNode *
build_object (const char *first_member,
              ...)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  va_list                 args;

  json_builder_begin_object (builder);
  va_start (args, first_member);
  for (const char *name = first_member; name != NULL; name = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
handle_login (McApiClient *self,
              JsonObject  *answer,
              GError     **error)
{
  const char *token = json_object_get_string_member_with_default (answer, "token", NULL);

  if (token == NULL || token[0] == '\0')
    {
      g_set_error (error, MC_ERROR, MC_ERROR_PROTOCOL,
                   _ ("The server at %s accepted the login but sent no session token"),
                   self->base_url);
      return FALSE;
    }

  mc_api_client_set_token (self, token);
  return TRUE;
}

static gboolean
handle_logout (McApiClient *self,
               JsonObject  *answer,
               GError     **error)
{
  mc_api_client_set_token (self, NULL);
  return TRUE;
}

/* Callbacks */

static void
request_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask)      task = user_data;
  McApiClient           *self = g_task_get_source_object (task);
  Request               *request = g_task_get_task_data (task);
  g_autoptr (GBytes)     body = NULL;
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) answer = NULL;
  guint                  status;
  const char            *data;
  gsize                  length = 0;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, MC_ERROR, MC_ERROR_NETWORK,
                                 _ ("Cannot reach the server at %s: %s"),
                                 self->base_url, error->message);
      return;
    }

  status = soup_message_get_status (request->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, error_from_answer (self, request->message, body));
      return;
    }

  data = g_bytes_get_data (body, &length);
  if (status != SOUP_STATUS_NO_CONTENT && length > 0)
    {
      answer = mc_json_parse_object (data, length, &error);
      if (answer == NULL)
        {
          g_task_return_new_error (task, MC_ERROR, MC_ERROR_PROTOCOL,
                                   _ ("The server at %s sent an answer that is not understood: %s"),
                                   self->base_url, error->message);
          return;
        }
    }
  else
    {
      /* 204: give callers an empty object rather than a special case. */
      answer = json_object_new ();
    }

  if (request->handler != NULL && !request->handler (self, answer, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&answer), (GDestroyNotify) json_object_unref);
}

/* GObject overrides */

static void
mc_api_client_finalize (GObject *object)
{
  McApiClient *self = MC_API_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_uri, g_uri_unref);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (mc_api_client_parent_class)->finalize (object);
}

static void
mc_api_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  McApiClient *self = MC_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_api_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  McApiClient *self = MC_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        g_autoptr (GError) error = NULL;

        self->base_url = normalize_base_url (g_value_get_string (value));
        self->base_uri = g_uri_parse (self->base_url, SOUP_HTTP_URI_FLAGS, &error);
        if (self->base_uri == NULL)
          g_critical ("“%s” is not a server address: %s", self->base_url, error->message);
      }
      break;

    case PROP_TOKEN:
      mc_api_client_set_token (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_api_client_class_init (McApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mc_api_client_finalize;
  object_class->get_property = mc_api_client_get_property;
  object_class->set_property = mc_api_client_set_property;

  /**
   * McApiClient:base-url:
   *
   * The server's address, such as `https://lessons.example.org/`.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, "http://127.0.0.1:8080/",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * McApiClient:token:
   *
   * The session token sent as `Authorization: Bearer`, set by a successful
   * login and cleared by a logout; %NULL when logged out.
   */
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mc_api_client_init (McApiClient *self)
{
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                 "user-agent", "Mentorcall/" PACKAGE_VERSION " ",
                                                 NULL);
}

/* Public API */

/**
 * mc_api_client_new:
 * @base_url: the server's address, such as `https://lessons.example.org/`
 *
 * Returns: (transfer full): a client for the server at @base_url, logged out
 */
McApiClient *
mc_api_client_new (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (MC_TYPE_API_CLIENT, "base-url", base_url, NULL);
}

/**
 * mc_api_client_get_base_url:
 * @self: an #McApiClient
 *
 * Returns: the server's address, always ending in `/`
 */
const char *
mc_api_client_get_base_url (McApiClient *self)
{
  g_return_val_if_fail (MC_IS_API_CLIENT (self), NULL);

  return self->base_url;
}

/**
 * mc_api_client_get_token:
 * @self: an #McApiClient
 *
 * Returns: (nullable): the session token, or %NULL when logged out
 */
const char *
mc_api_client_get_token (McApiClient *self)
{
  g_return_val_if_fail (MC_IS_API_CLIENT (self), NULL);

  return self->token;
}

/**
 * mc_api_client_set_token:
 * @self: an #McApiClient
 * @token: (nullable): a session token, for example one kept in the keyring
 *
 * Uses @token for the following requests, without logging in.
 */
void
mc_api_client_set_token (McApiClient *self,
                         const char  *token)
{
  g_return_if_fail (MC_IS_API_CLIENT (self));

  if (g_strcmp0 (self->token, token) == 0)
    return;

  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/**
 * mc_api_client_get_session:
 * @self: an #McApiClient
 *
 * The session is shared with the signaling client, so that both use the
 * same TLS and proxy settings.
 *
 * Returns: (transfer none): the client's #SoupSession
 */
SoupSession *
mc_api_client_get_session (McApiClient *self)
{
  g_return_val_if_fail (MC_IS_API_CLIENT (self), NULL);

  return self->session;
}

/**
 * mc_api_client_dup_signaling_url:
 * @self: an #McApiClient
 *
 * Returns: (transfer full): the WebSocket address below the base address:
 *   `ws://…/api/v1/ws`, or `wss://` for an `https://` server
 */
char *
mc_api_client_dup_signaling_url (McApiClient *self)
{
  g_autoptr (GUri) uri = NULL;
  const char      *scheme;

  g_return_val_if_fail (MC_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (self->base_uri != NULL, NULL);

  uri = g_uri_parse_relative (self->base_uri, "api/v1/ws", SOUP_HTTP_URI_FLAGS, NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  scheme = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? "wss" : "ws";
  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri), g_uri_get_port (uri),
                     g_uri_get_path (uri), NULL, NULL);
}

/**
 * mc_api_client_login_async:
 * @self: an #McApiClient
 * @username: the username
 * @password: the password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Logs in with `POST /api/v1/auth/login`. On success the client keeps the
 * session token (#McApiClient:token) for all later requests.
 */
void
mc_api_client_login_async (McApiClient        *self,
                           const char         *username,
                           const char         *password,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (JsonNode) body = NULL;

  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  body = build_object ("username", username, "password", password, NULL);
  send_request (self, "POST", "api/v1/auth/login", body, handle_login,
                mc_api_client_login_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_login_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error, such as
 *   %MC_ERROR_INVALID_CREDENTIALS or %MC_ERROR_NETWORK
 *
 * Returns: (transfer full): `{"token","expires_at","user"}`, or %NULL
 */
JsonObject *
mc_api_client_login_finish (McApiClient  *self,
                            GAsyncResult *result,
                            GError      **error)
{
  return finish_request (self, result, mc_api_client_login_async, error);
}

/**
 * mc_api_client_logout_async:
 * @self: an #McApiClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Revokes the session token on the server and forgets it.
 */
void
mc_api_client_logout_async (McApiClient        *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  send_request (self, "POST", "api/v1/auth/logout", NULL, handle_logout,
                mc_api_client_logout_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_logout_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: %TRUE if the server revoked the token
 */
gboolean
mc_api_client_logout_finish (McApiClient  *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_autoptr (JsonObject) answer = finish_request (self, result, mc_api_client_logout_async, error);

  return answer != NULL;
}

/**
 * mc_api_client_me_async:
 * @self: an #McApiClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Asks who the session token belongs to (`GET /api/v1/me`); also the way to
 * check that a stored token still works.
 */
void
mc_api_client_me_async (McApiClient        *self,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  send_request (self, "GET", "api/v1/me", NULL, NULL,
                mc_api_client_me_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_me_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: (transfer full): `{"user","session"}`, or %NULL
 */
JsonObject *
mc_api_client_me_finish (McApiClient  *self,
                         GAsyncResult *result,
                         GError      **error)
{
  return finish_request (self, result, mc_api_client_me_async, error);
}

/**
 * mc_api_client_list_bookings_async:
 * @self: an #McApiClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Lists the user's upcoming and recent bookings (`GET /api/v1/bookings`).
 */
void
mc_api_client_list_bookings_async (McApiClient        *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  send_request (self, "GET", "api/v1/bookings", NULL, NULL,
                mc_api_client_list_bookings_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_list_bookings_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: (transfer full): `{"bookings":[…],"server_time"}`, or %NULL
 */
JsonObject *
mc_api_client_list_bookings_finish (McApiClient  *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  return finish_request (self, result, mc_api_client_list_bookings_async, error);
}

/**
 * mc_api_client_get_booking_async:
 * @self: an #McApiClient
 * @booking_id: a booking
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches one booking (`GET /api/v1/bookings/{id}`).
 */
void
mc_api_client_get_booking_async (McApiClient        *self,
                                 gint64              booking_id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  path = booking_path (booking_id, "");
  send_request (self, "GET", path, NULL, NULL,
                mc_api_client_get_booking_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_get_booking_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: (transfer full): the booking as the user sees it, or %NULL
 */
JsonObject *
mc_api_client_get_booking_finish (McApiClient  *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  return finish_request (self, result, mc_api_client_get_booking_async, error);
}

/**
 * mc_api_client_request_call_token_async:
 * @self: an #McApiClient
 * @booking_id: a booking
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Asks for a call token for @booking_id
 * (`POST /api/v1/bookings/{id}/call-token`). Asking again renews it.
 */
void
mc_api_client_request_call_token_async (McApiClient        *self,
                                        gint64              booking_id,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  g_autofree char       *path = NULL;
  g_autoptr (JsonObject) empty = json_object_new ();
  g_autoptr (JsonNode)   body = NULL;

  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  path = booking_path (booking_id, "/call-token");
  body = json_node_init_object (json_node_alloc (), empty);
  send_request (self, "POST", path, body, NULL,
                mc_api_client_request_call_token_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_request_call_token_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error, such as
 *   %MC_ERROR_OUTSIDE_JOIN_WINDOW or %MC_ERROR_BOOKING_NOT_CONFIRMED
 *
 * Returns: (transfer full): `{"token","expires_at","ice_servers",
 *   "signaling_url",…}`, or %NULL
 */
JsonObject *
mc_api_client_request_call_token_finish (McApiClient  *self,
                                         GAsyncResult *result,
                                         GError      **error)
{
  return finish_request (self, result, mc_api_client_request_call_token_async, error);
}

/**
 * mc_api_client_list_messages_async:
 * @self: an #McApiClient
 * @booking_id: a booking
 * @after: only messages with a sequence number above this one
 * @limit: at most this many (the server allows up to 500), or 0 for the
 *   server's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches a booking's chat (`GET /api/v1/bookings/{id}/messages`).
 */
void
mc_api_client_list_messages_async (McApiClient        *self,
                                   gint64              booking_id,
                                   gint64              after,
                                   guint               limit,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (limit > 0)
    query = g_strdup_printf ("/messages?after=%" G_GINT64_FORMAT "&limit=%u", MAX (after, 0), limit);
  else
    query = g_strdup_printf ("/messages?after=%" G_GINT64_FORMAT, MAX (after, 0));
  path = booking_path (booking_id, query);

  send_request (self, "GET", path, NULL, NULL,
                mc_api_client_list_messages_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_list_messages_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: (transfer full): `{"booking_id","messages":[…],"last_seq"}`, or %NULL
 */
JsonObject *
mc_api_client_list_messages_finish (McApiClient  *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  return finish_request (self, result, mc_api_client_list_messages_async, error);
}

/**
 * mc_api_client_post_message_async:
 * @self: an #McApiClient
 * @booking_id: a booking
 * @client_id: a unique id for the message, such as g_uuid_string_random();
 *   sending the same id again does not store the message twice
 * @text: the message
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Posts a chat message without a signaling connection
 * (`POST /api/v1/bookings/{id}/messages`).
 */
void
mc_api_client_post_message_async (McApiClient        *self,
                                  gint64              booking_id,
                                  const char         *client_id,
                                  const char         *text,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autofree char     *path = NULL;
  g_autoptr (JsonNode) body = NULL;

  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (text != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  path = booking_path (booking_id, "/messages");
  body = build_object ("client_id", client_id, "text", text, NULL);
  send_request (self, "POST", path, body, NULL,
                mc_api_client_post_message_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_post_message_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: (transfer full): the stored message `{"seq","client_id","sender",
 *   "text","sent_at"}`, or %NULL
 */
JsonObject *
mc_api_client_post_message_finish (McApiClient  *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  return finish_request (self, result, mc_api_client_post_message_async, error);
}

/**
 * mc_api_client_get_attendance_async:
 * @self: an #McApiClient
 * @booking_id: a booking
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches who joined and left a booking's call, and when
 * (`GET /api/v1/bookings/{id}/attendance`).
 */
void
mc_api_client_get_attendance_async (McApiClient        *self,
                                    gint64              booking_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (MC_IS_API_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  path = booking_path (booking_id, "/attendance");
  send_request (self, "GET", path, NULL, NULL,
                mc_api_client_get_attendance_async, cancellable, callback, user_data);
}

/**
 * mc_api_client_get_attendance_finish:
 * @self: an #McApiClient
 * @result: the result passed to the callback
 * @error: return location for an %MC_ERROR error
 *
 * Returns: (transfer full): `{"booking_id","call","attendance":[…]}`, or %NULL
 */
JsonObject *
mc_api_client_get_attendance_finish (McApiClient  *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return finish_request (self, result, mc_api_client_get_attendance_async, error);
}
