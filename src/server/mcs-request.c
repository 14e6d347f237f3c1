/* mcs-request.c — one HTTP request on its way through the router
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The router matches the path, then the method, then checks who is
 * calling, and only then runs the handler. Every refusal on the way is a
 * JSON error in the protocol's shape. A handler that must wait (a password
 * hash) pauses the request and replies later; the request keeps the message
 * alive and notices when the client went away meanwhile.
 */

#define G_LOG_DOMAIN "mcs-request"

#include <string.h>

#include "mcs-clock.h"
#include "mcs-crypto.h"
#include "mcs-request.h"
#include "mcs-views.h"

#define MAX_PATH_SEGMENTS 16

struct _McsRequest
{
  gatomicrefcount    ref_count;
  McsServer         *server;
  SoupServerMessage *message;
  gint64             id;
  gint64             now;
  McsUser           *user;
  McsSession        *session;
  GHashTable        *query;
  char              *client_address;
  gulong             disconnected_id;
  guint              paused : 1;
  guint              replied : 1;
  guint              disconnected : 1;
};

static void
message_disconnected_cb (SoupServerMessage *message,
                         McsRequest        *self)
{
  self->disconnected = TRUE;
}

/* The client's address: the peer's, or behind a proxy that the
 * configuration trusts (`[server] trusted-proxies`), the last address of
 * X-Forwarded-For, which that proxy added (HAProxy's `option forwardfor`).
 * Anyone else's X-Forwarded-For is ignored: a client could say anything
 * there, and dodge the login rate limit by address. */
static char *
client_address (McsServer         *server,
                SoupServerMessage *message)
{
  g_autofree char *peer = mcs_request_peer_address (message);
  McsConfig       *config = mcs_server_get_config (server);
  const char      *forwarded;
  const char      *last;

  if (peer == NULL || !g_strv_contains ((const char * const *) config->trusted_proxies, peer))
    return g_steal_pointer (&peer);

  forwarded = soup_message_headers_get_list (soup_server_message_get_request_headers (message),
                                             "X-Forwarded-For");
  if (forwarded == NULL)
    return g_steal_pointer (&peer);

  last = strrchr (forwarded, ',');
  last = last != NULL ? last + 1 : forwarded;
  while (*last == ' ' || *last == '\t')
    last++;

  return g_hostname_is_ip_address (last) ? g_strdup (last) : g_steal_pointer (&peer);
}

/**
 * mcs_request_peer_address:
 * @message: a message being served
 *
 * The address of the peer, read from the socket. Not
 * soup_server_message_get_remote_host (): libsoup reads the address on
 * first use and logs a warning when the peer is gone by then, and a client
 * that sends a request and resets its connection at once makes it so, as
 * often as it likes (and a test server, whose warnings are fatal, abort).
 *
 * Returns: (transfer full) (nullable): the peer's IP address, or %NULL if
 *   the peer is gone
 */
char *
mcs_request_peer_address (SoupServerMessage *message)
{
  GSocket                   *socket = soup_server_message_get_socket (message);
  g_autoptr (GSocketAddress) address = NULL;

  if (socket != NULL)
    address = g_socket_get_remote_address (socket, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static McsRequest *
request_new (McsServer         *server,
             SoupServerMessage *message)
{
  McsRequest *self = g_new0 (McsRequest, 1);
  GUri       *uri = soup_server_message_get_uri (message);
  const char *query = g_uri_get_query (uri);

  g_atomic_ref_count_init (&self->ref_count);
  self->server = g_object_ref (server);
  self->message = g_object_ref (message);
  self->now = mcs_clock_now ();
  /* Read it now: once the client is gone, libsoup can no longer tell. */
  self->client_address = client_address (server, message);
  self->disconnected_id = g_signal_connect (message, "disconnected",
                                            G_CALLBACK (message_disconnected_cb), self);

  if (query != NULL)
    self->query = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);

  return self;
}

McsRequest *
mcs_request_ref (McsRequest *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
mcs_request_unref (McsRequest *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* A handler must always answer; a forgotten reply would hang a client. */
  if (!self->replied && !self->disconnected)
    {
      g_critical ("A request to %s was never answered",
                  g_uri_get_path (soup_server_message_get_uri (self->message)));
      mcs_reply_error_to_message (self->message, MC_ERROR_INTERNAL, "No reply", NULL);
      if (self->paused)
        soup_server_message_unpause (self->message);
    }

  g_clear_signal_handler (&self->disconnected_id, self->message);
  g_clear_object (&self->message);
  g_clear_object (&self->server);
  g_clear_pointer (&self->user, mcs_user_free);
  g_clear_pointer (&self->session, g_free);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_free (self->client_address);
  g_free (self);
}

/* Matches @path against @pattern; a `{id}` segment takes a positive
 * integer, stored in @id. */
static gboolean
match_pattern (const char *pattern,
               char      **segments,
               gint64     *id)
{
  g_auto (GStrv) parts = g_strsplit (pattern, "/", -1);
  guint          i;

  for (i = 0; parts[i] != NULL && segments[i] != NULL; i++)
    {
      if (g_str_equal (parts[i], "{id}"))
        {
          guint64 value;

          if (!g_ascii_string_to_unsigned (segments[i], 10, 1, G_MAXINT64, &value, NULL))
            return FALSE;
          *id = (gint64) value;
        }
      else if (!g_str_equal (parts[i], segments[i]))
        return FALSE;
    }

  return parts[i] == NULL && segments[i] == NULL;
}

static gboolean
authenticate_user (McsRequest *self,
                   const char *token)
{
  McsStore          *store = mcs_server_get_store (self->server);
  g_autoptr (GError) error = NULL;
  guint8             hash[MCS_TOKEN_HASH_LENGTH];

  mcs_session_token_hash (token, hash);
  self->session = mcs_store_find_session (store, hash, &error);
  if (self->session == NULL)
    {
      mcs_request_reply_error (self, error);
      return FALSE;
    }

  if (self->session->revoked_at != 0)
    {
      mcs_request_reply_code (self, MC_ERROR_SESSION_INVALID,
                              "The session was ended; log in again");
      return FALSE;
    }

  if (self->session->expires_at <= self->now)
    {
      mcs_request_reply_code (self, MC_ERROR_SESSION_EXPIRED,
                              "The session has expired; log in again");
      return FALSE;
    }

  self->user = mcs_store_get_user (store, self->session->user_id, &error);
  if (self->user == NULL)
    {
      mcs_request_reply_error (self, error);
      return FALSE;
    }

  if (self->user->disabled)
    {
      mcs_request_reply_code (self, MC_ERROR_SESSION_INVALID, "The account is disabled");
      return FALSE;
    }

  return TRUE;
}

static gboolean
authenticate (McsRequest *self,
              McsAuth     auth)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (self->message);
  const char         *header = soup_message_headers_get_one (headers, "Authorization");
  McsConfig          *config = mcs_server_get_config (self->server);
  const char         *token;

  if (auth == MCS_AUTH_NONE)
    return TRUE;

  /* A browser cannot set Authorization on a WebSocket handshake; its
   * ticket is the handler's to check, after the upgrade. */
  if (auth == MCS_AUTH_USER_OR_TICKET && header == NULL &&
      mcs_request_get_query (self, "ticket") != NULL)
    return TRUE;

  if (auth == MCS_AUTH_ADMIN && config->admin_api_key == NULL)
    {
      mcs_request_reply_code (self, MC_ERROR_ADMIN_DISABLED,
                              "The admin API is disabled: the server has no admin API key");
      return FALSE;
    }

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (self->message),
                                    "WWW-Authenticate", "Bearer realm=\"mentorcall\"");
      mcs_request_reply_code (self, MC_ERROR_UNAUTHORIZED,
                              auth == MCS_AUTH_ADMIN
                                ? "Send the admin API key as “Authorization: Bearer KEY”"
                                : "Log in and send the session token as “Authorization: Bearer TOKEN”");
      return FALSE;
    }

  token = header + 7;
  while (*token == ' ')
    token++;

  if (auth == MCS_AUTH_ADMIN)
    {
      if (!mcs_secret_equal (token, config->admin_api_key))
        {
          mcs_request_reply_code (self, MC_ERROR_FORBIDDEN, "The admin API key is wrong");
          return FALSE;
        }
      return TRUE;
    }

  /* Session tokens are 43 characters; anything far longer is garbage. */
  if (strlen (token) > 256)
    {
      mcs_request_reply_code (self, MC_ERROR_SESSION_INVALID,
                              "The session is not valid; log in again");
      return FALSE;
    }

  return authenticate_user (self, token);
}

/* The origin of this server's own pages, as a browser names it: the
 * scheme it was reached with (or the public URL's, behind a proxy that
 * ends TLS) and the Host it asked for. */
static gboolean
is_own_origin (McsServer         *server,
               SoupServerMessage *message,
               const char        *origin)
{
  McsConfig  *config = mcs_server_get_config (server);
  const char *host = soup_message_headers_get_one (
    soup_server_message_get_request_headers (message), "Host");
  g_autofree char *direct = NULL;

  if (host == NULL)
    return FALSE;

  direct = g_strdup_printf ("%s://%s", config->tls_certificate != NULL ? "https" : "http", host);
  if (g_ascii_strcasecmp (origin, direct) == 0)
    return TRUE;

  if (config->public_url != NULL)
    {
      g_autoptr (GUri) uri = g_uri_parse (config->public_url, G_URI_FLAGS_NONE, NULL);
      g_autofree char *proxied = NULL;

      if (uri == NULL || g_uri_get_host (uri) == NULL)
        return FALSE;
      proxied = g_uri_get_port (uri) > 0
                  ? g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                                     g_uri_get_port (uri))
                  : g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), g_uri_get_host (uri));
      return g_ascii_strcasecmp (origin, proxied) == 0;
    }

  return FALSE;
}

/**
 * mcs_origin_allowed:
 * @server: the server
 * @message: a request
 *
 * Whether a page may use the server from the origin @message names:
 * requests without Origin (native clients) may, and so may the server's
 * own page and the origins in `[server] allowed-origins`.
 *
 * Returns: %TRUE if it may
 */
gboolean
mcs_origin_allowed (McsServer         *server,
                    SoupServerMessage *message)
{
  McsConfig  *config = mcs_server_get_config (server);
  const char *origin = soup_message_headers_get_one (
    soup_server_message_get_request_headers (message), "Origin");

  if (origin == NULL)
    return TRUE;

  if (is_own_origin (server, message, origin))
    return TRUE;

  for (guint i = 0; config->allowed_origins != NULL && config->allowed_origins[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (origin, config->allowed_origins[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

/* CORS: an allowed origin is named back, never "*", and without
 * Access-Control-Allow-Credentials: the API authenticates with a bearer
 * token, not cookies. A refused origin gets no header, so its page cannot
 * read the answer. */
static void
add_cors_headers (McsRequest *self)
{
  SoupMessageHeaders *response = soup_server_message_get_response_headers (self->message);
  const char         *origin = soup_message_headers_get_one (
            soup_server_message_get_request_headers (self->message), "Origin");

  if (origin == NULL)
    return;

  soup_message_headers_append (response, "Vary", "Origin");
  if (!mcs_origin_allowed (self->server, self->message))
    return;

  soup_message_headers_replace (response, "Access-Control-Allow-Origin", origin);
  soup_message_headers_replace (response, "Access-Control-Expose-Headers", "Retry-After");
}

static void
answer_preflight (McsRequest *self,
                  const char *methods)
{
  SoupMessageHeaders *response = soup_server_message_get_response_headers (self->message);

  if (!mcs_origin_allowed (self->server, self->message))
    {
      mcs_request_reply_code (self, MC_ERROR_FORBIDDEN,
                              "This origin may not use the server; see allowed-origins");
      return;
    }

  soup_message_headers_replace (response, "Allow", methods);
  soup_message_headers_replace (response, "Access-Control-Allow-Methods", methods);
  soup_message_headers_replace (response, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type");
  soup_message_headers_replace (response, "Access-Control-Max-Age", "600");
  mcs_request_reply_empty (self, SOUP_STATUS_NO_CONTENT);
}

/**
 * mcs_request_set_session:
 * @self: a request whose route checks its own credentials
 * @session: a session a ticket stood for
 * @error: a #GError
 *
 * Checks the session again (it may have ended since the ticket was
 * issued) and makes it and its user the request's.
 *
 * Returns: %TRUE if the session is still good
 */
gboolean
mcs_request_set_session (McsRequest       *self,
                         const McsSession *session,
                         GError          **error)
{
  McsStore *store = mcs_server_get_store (self->server);

  if (!mcs_store_check_session (store, session->id, self->now, error))
    return FALSE;

  self->user = mcs_store_get_user (store, session->user_id, error);
  if (self->user == NULL)
    return FALSE;

  self->session = g_memdup2 (session, sizeof *session);
  return TRUE;
}

/**
 * mcs_request_dispatch:
 * @server: the server
 * @routes: (array length=n_routes): the route table
 * @n_routes: its length
 * @message: an incoming message
 *
 * Finds the route for @message, checks its caller and runs its handler.
 */
void
mcs_request_dispatch (McsServer         *server,
                      const McsRoute    *routes,
                      guint              n_routes,
                      SoupServerMessage *message)
{
  g_autoptr (McsRequest) self = request_new (server, message);
  const char            *path = g_uri_get_path (soup_server_message_get_uri (message));
  const char            *method = soup_server_message_get_method (message);
  g_autoptr (GString)    allowed = g_string_new (NULL);
  g_auto (GStrv)         segments = NULL;
  const McsRoute        *route = NULL;

  add_cors_headers (self);
  segments = g_strsplit (path, "/", MAX_PATH_SEGMENTS);

  for (guint i = 0; i < n_routes; i++)
    {
      gint64 id = 0;

      if (!match_pattern (routes[i].pattern, segments, &id))
        continue;

      if (!g_str_equal (routes[i].method, method))
        {
          if (strstr (allowed->str, routes[i].method) == NULL)
            g_string_append_printf (allowed, "%s%s", allowed->len ? ", " : "", routes[i].method);
          continue;
        }

      route = &routes[i];
      self->id = id;
      break;
    }

  /* A preflight carries no credentials: it is answered before them. */
  if (route == NULL && allowed->len > 0 && g_str_equal (method, "OPTIONS"))
    {
      answer_preflight (self, allowed->str);
      return;
    }

  if (route == NULL && allowed->len > 0)
    {
      g_autoptr (JsonObject) extra = json_object_new ();
      g_autoptr (JsonArray)  methods = json_array_new ();
      g_auto (GStrv)         names = g_strsplit (allowed->str, ", ", -1);

      for (guint i = 0; names[i] != NULL; i++)
        json_array_add_string_element (methods, names[i]);
      json_object_set_array_member (extra, "allowed", g_steal_pointer (&methods));

      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Allow", allowed->str);
      mcs_reply_error_to_message (message, MC_ERROR_METHOD_NOT_ALLOWED,
                                  "This resource does not support this method", extra);
      self->replied = TRUE;
      return;
    }

  if (route == NULL)
    {
      mcs_request_reply_code (self, MC_ERROR_NOT_FOUND, "There is no such resource");
      return;
    }

  if (!authenticate (self, route->auth))
    return;
  route->handler (self);
}

McsServer *
mcs_request_get_server (McsRequest *self)
{
  return self->server;
}

SoupServerMessage *
mcs_request_get_message (McsRequest *self)
{
  return self->message;
}

/**
 * mcs_request_get_id:
 * @self: a request
 *
 * Returns: the value of the route's `{id}` segment
 */
gint64
mcs_request_get_id (McsRequest *self)
{
  return self->id;
}

/**
 * mcs_request_get_user:
 * @self: a request
 *
 * Returns: (nullable): the authenticated user of an %MCS_AUTH_USER route
 */
const McsUser *
mcs_request_get_user (McsRequest *self)
{
  return self->user;
}

const McsSession *
mcs_request_get_session (McsRequest *self)
{
  return self->session;
}

const char *
mcs_request_get_client_address (McsRequest *self)
{
  return self->client_address != NULL ? self->client_address : "unknown";
}

const char *
mcs_request_get_query (McsRequest *self,
                       const char *name)
{
  return self->query != NULL ? g_hash_table_lookup (self->query, name) : NULL;
}

/**
 * mcs_request_get_now:
 * @self: a request
 *
 * Returns: the time the request arrived, in Unix seconds; every decision
 *   about one request uses this one time
 */
gint64
mcs_request_get_now (McsRequest *self)
{
  return self->now;
}

/**
 * mcs_request_parse_body:
 * @self: a request
 * @rules: (array length=n_rules): what the body must hold
 * @n_rules: the number of rules
 *
 * Parses and validates the JSON body. An empty body counts as `{}` when no
 * member is required, so that routes whose members are all optional
 * accept none. On failure the
 * request has been answered with the error and %NULL is returned.
 *
 * Returns: (transfer full) (nullable): the body
 */
JsonObject *
mcs_request_parse_body (McsRequest       *self,
                        const McJsonRule *rules,
                        guint             n_rules)
{
  SoupMessageHeaders    *headers = soup_server_message_get_request_headers (self->message);
  SoupMessageBody       *body = soup_server_message_get_request_body (self->message);
  g_autoptr (GBytes)     bytes = soup_message_body_flatten (body);
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (GError)     error = NULL;
  const char            *content_type = soup_message_headers_get_content_type (headers, NULL);
  const char            *bad_member = NULL;
  g_autofree char       *bad_text_member = NULL;
  gsize                  length;
  const char            *data = g_bytes_get_data (bytes, &length);

  if (length > 0 && content_type != NULL &&
      g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      mcs_request_reply_code (self, MC_ERROR_UNSUPPORTED_MEDIA_TYPE,
                              "The body must be application/json");
      return NULL;
    }

  if (length == 0)
    {
      gboolean required = FALSE;

      for (guint i = 0; i < n_rules; i++)
        required |= rules[i].required;

      if (required)
        {
          mcs_request_reply_code (self, MC_ERROR_MALFORMED_JSON,
                                  "The body is empty; a JSON object was expected");
          return NULL;
        }

      object = json_object_new ();
    }
  else
    object = mc_json_parse_object_full (data, length, &bad_text_member, &error);

  if (object == NULL && bad_text_member != NULL)
    {
      g_autoptr (JsonObject) extra = json_object_new ();

      json_object_set_string_member (extra, "field", bad_text_member);
      mcs_request_reply_error_extra (self, error, extra);
      return NULL;
    }

  if (object == NULL)
    {
      mcs_request_reply_error (self, error);
      return NULL;
    }

  if (!mc_json_validate (object, rules, n_rules, &bad_member, &error))
    {
      g_autoptr (JsonObject) extra = json_object_new ();

      json_object_set_string_member (extra, "field", bad_member);
      mcs_request_reply_error_extra (self, error, extra);
      return NULL;
    }

  return g_steal_pointer (&object);
}

/**
 * mcs_request_accept_upgrade:
 * @self: a request for an %MCS_AUTH_USER route
 *
 * Lets a WebSocket handshake go on to the upgrade without an answer of
 * ours. The authenticated user and session are attached to the message as
 * "mcs-user" and "mcs-session" (an #McsSession) for the WebSocket handler.
 */
void
mcs_request_accept_upgrade (McsRequest *self)
{
  g_return_if_fail (!self->replied);

  /* A refused handshake (mcs-api-chat.c) is upgraded without a user, to
   * say why on the WebSocket itself. */
  if (self->user != NULL)
    {
      g_object_set_data_full (G_OBJECT (self->message), "mcs-user", mcs_user_copy (self->user),
                              (GDestroyNotify) mcs_user_free);
      g_object_set_data_full (G_OBJECT (self->message), "mcs-session",
                              g_memdup2 (self->session, sizeof (McsSession)), g_free);
    }
  self->replied = TRUE;
}

/**
 * mcs_request_pause:
 * @self: a request
 *
 * Holds the answer back until a reply function is called later. Take a
 * reference on @self to keep it for that.
 */
void
mcs_request_pause (McsRequest *self)
{
  g_return_if_fail (!self->replied && !self->paused);

  self->paused = TRUE;
  soup_server_message_pause (self->message);
}

static void
finish_reply (McsRequest *self)
{
  self->replied = TRUE;

  if (self->paused)
    {
      self->paused = FALSE;
      if (!self->disconnected)
        soup_server_message_unpause (self->message);
    }
}

void
mcs_request_reply_json (McsRequest *self,
                        guint       status,
                        JsonNode   *node)
{
  g_autofree char *text = NULL;
  gsize            length;

  g_return_if_fail (!self->replied);

  text = json_to_string (node, FALSE);
  length = strlen (text);
  soup_server_message_set_status (self->message, status, NULL);
  soup_server_message_set_response (self->message, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), length);
  finish_reply (self);
}

void
mcs_request_reply_builder (McsRequest  *self,
                           guint        status,
                           JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  mcs_request_reply_json (self, status, root);
}

void
mcs_request_reply_empty (McsRequest *self,
                         guint       status)
{
  g_return_if_fail (!self->replied);

  soup_server_message_set_status (self->message, status, NULL);
  finish_reply (self);
}

/**
 * mcs_request_reply_text:
 * @self: a request
 * @status: the HTTP status
 * @content_type: the body's type
 * @text: (transfer full): the body
 */
void
mcs_request_reply_text (McsRequest *self,
                        guint       status,
                        const char *content_type,
                        char       *text)
{
  g_return_if_fail (!self->replied);

  soup_server_message_set_status (self->message, status, NULL);
  soup_server_message_set_response (self->message, content_type, SOUP_MEMORY_TAKE,
                                    text, strlen (text));
  finish_reply (self);
}

/**
 * mcs_reply_error_to_message:
 * @message: a message
 * @code: the error
 * @text: a message for a person
 * @extra: (nullable): more members for the error object
 *
 * Answers @message with `{"error": {"code", "message", …}}` and the code's
 * HTTP status. Used directly by the early handler, before any request
 * exists.
 */
void
mcs_reply_error_to_message (SoupServerMessage *message,
                            McErrorCode        code,
                            const char        *text,
                            JsonObject        *extra)
{
  g_autoptr (JsonObject) error = json_object_new ();
  g_autoptr (JsonObject) root = json_object_new ();
  g_autofree char       *body = NULL;
  guint                  status = mc_error_code_http_status (code);
  gsize                  length;

  json_object_set_string_member (error, "code", mc_error_code_to_string (code));
  json_object_set_string_member (error, "message", text);

  mcs_view_merge_members (error, extra, NULL);

  json_object_set_object_member (root, "error", g_steal_pointer (&error));
  body = mc_json_object_to_string (root);
  length = strlen (body);

  soup_server_message_set_status (message, status ? status : 500, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
}

/**
 * mcs_request_reply_error_extra:
 * @self: a request
 * @error: what went wrong; errors outside %MC_ERROR are logged and
 *   answered as %MC_ERROR_INTERNAL, so that no internal detail leaks
 * @extra: (nullable): more members for the error object
 */
void
mcs_request_reply_error_extra (McsRequest   *self,
                               const GError *error,
                               JsonObject   *extra)
{
  McErrorCode code = MC_ERROR_INTERNAL;
  const char *text = "The server failed; try again later";

  g_return_if_fail (!self->replied);

  if (error != NULL && error->domain == MC_ERROR)
    {
      code = error->code;
      text = error->message;
    }
  else
    {
      g_warning ("Internal error answering %s: %s",
                 g_uri_get_path (soup_server_message_get_uri (self->message)),
                 error ? error->message : "unknown");
    }

  if (code == MC_ERROR_INTERNAL)
    text = "The server failed; try again later";

  mcs_reply_error_to_message (self->message, code, text, extra);
  finish_reply (self);
}

void
mcs_request_reply_error (McsRequest   *self,
                         const GError *error)
{
  mcs_request_reply_error_extra (self, error, NULL);
}

void
mcs_request_reply_code (McsRequest *self,
                        McErrorCode code,
                        const char *message)
{
  g_autoptr (GError) error = g_error_new_literal (MC_ERROR, code, message);

  mcs_request_reply_error (self, error);
}
