/* mcs-server.c — the HTTP server and what its handlers share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupServer on the main loop. An early handler looks at each
 * request's headers before its body is read and refuses bodies that are
 * too large or of unknown length, so no client can make the server buffer
 * more than max-body-size. Everything else goes through the route table.
 *
 * libsoup 3.2 has no timeout of its own for reading a request: a client
 * that opens a connection and sends its headers one byte a minute would
 * hold the socket forever. Each request therefore gets request-timeout
 * seconds, from the moment libsoup starts waiting for it (the connection's
 * accept, or the previous response on a kept-alive connection) to its
 * last body byte; then its socket is shut down. Handlers that take long
 * (a password hash) run after that and are not cut.
 */

#define G_LOG_DOMAIN "mcs-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "mcs-clock.h"
#include "mcs-api.h"
#include "mcs-crypto.h"
#include "mcs-server.h"
#include "mcs-tickets.h"
#include "mcs-views.h"

/* Housekeeping: expired sessions and idle rate-limit entries. */
#define HOUSEKEEPING_INTERVAL_SECONDS 600

/* How often idle keep-alive connections are looked at for a client that
 * went away (see idle_sockets below). */
#define IDLE_CHECK_INTERVAL_SECONDS 2
#define STOLEN_KEY                  "mcs-connection-stolen"

/* Browsers remember for a year that this host speaks only HTTPS. */
#define HSTS_HEADER_VALUE "max-age=31536000"

#define REQUEST_TIMER_KEY "mcs-request-timer"

struct _McsServer
{
  GObject parent_instance;

  McsConfig         *config;
  McsStore          *store;
  McsMetrics        *metrics;
  McsPasswordHasher *hasher;
  GBytes            *secret;
  McsRateLimiter    *account_limiter;
  McsRateLimiter    *address_limiter;
  McsSignaling      *signaling;
  McsTickets        *tickets;
  McsWebhooks       *webhooks;
  SoupServer        *soup_server;
  guint              housekeeping_id;

  /* libsoup 3.2 reads the end of a keep-alive connection whose client
   * closed it between two requests, stops watching it, and never closes
   * it: each such connection kept its descriptor (CLOSE-WAIT) for the life
   * of the process, thousands an hour on a busy server, until accept ()
   * ran out of them. So the sockets of finished requests are kept here
   * (GSocket → how many checks in a row found the end), and a timer
   * closes those whose end it found twice in a row: by then libsoup has
   * read the end and no longer polls the descriptor, so closing it cannot
   * pull it from under a source. A socket that starts a new request
   * leaves the table. */
  GHashTable *idle_sockets;
  guint       idle_check_id;
};

G_DEFINE_TYPE (McsServer, mcs_server, G_TYPE_OBJECT)

static const McsRoute routes[] = {
  { "GET", "/healthz", MCS_AUTH_NONE, mcs_api_healthz },
  { "GET", "/metrics", MCS_AUTH_NONE, mcs_api_metrics },

  /* The web client (mcs-web.c). */
  { "GET", "/", MCS_AUTH_NONE, mcs_api_web_root },
  { "GET", "/app/", MCS_AUTH_NONE, mcs_api_web_file },
  { "GET", "/app/app.js", MCS_AUTH_NONE, mcs_api_web_file },
  { "GET", "/app/app.css", MCS_AUTH_NONE, mcs_api_web_file },

  { "POST", "/api/v1/auth/login", MCS_AUTH_NONE, mcs_api_login },
  { "POST", "/api/v1/auth/logout", MCS_AUTH_USER, mcs_api_logout },
  { "GET", "/api/v1/me", MCS_AUTH_USER, mcs_api_me },

  { "GET", "/api/v1/bookings", MCS_AUTH_USER, mcs_api_list_bookings },
  { "GET", "/api/v1/bookings/{id}", MCS_AUTH_USER, mcs_api_get_booking },
  { "POST", "/api/v1/bookings/{id}/call-token", MCS_AUTH_USER, mcs_api_create_call_token },
  { "GET", "/api/v1/bookings/{id}/attendance", MCS_AUTH_USER, mcs_api_get_attendance },
  { "GET", "/api/v1/bookings/{id}/messages", MCS_AUTH_USER, mcs_api_list_messages },
  { "POST", "/api/v1/bookings/{id}/messages", MCS_AUTH_USER, mcs_api_post_message },
  { "POST", "/api/v1/call-tokens/verify", MCS_AUTH_USER, mcs_api_verify_call_token },
  { "POST", "/api/v1/ws-ticket", MCS_AUTH_USER, mcs_api_create_ws_ticket },
  { "GET", "/api/v1/ws", MCS_AUTH_USER_OR_TICKET, mcs_api_websocket },

  { "GET", "/api/v1/admin/users", MCS_AUTH_ADMIN, mcs_api_admin_list_users },
  { "POST", "/api/v1/admin/users", MCS_AUTH_ADMIN, mcs_api_admin_create_user },
  { "GET", "/api/v1/admin/users/{id}", MCS_AUTH_ADMIN, mcs_api_admin_get_user },
  { "PATCH", "/api/v1/admin/users/{id}", MCS_AUTH_ADMIN, mcs_api_admin_update_user },
  { "DELETE", "/api/v1/admin/users/{id}/sessions", MCS_AUTH_ADMIN,
    mcs_api_admin_revoke_sessions },
  { "GET", "/api/v1/admin/bookings", MCS_AUTH_ADMIN, mcs_api_admin_list_bookings },
  { "POST", "/api/v1/admin/bookings", MCS_AUTH_ADMIN, mcs_api_admin_create_booking },
  { "GET", "/api/v1/admin/bookings/{id}", MCS_AUTH_ADMIN, mcs_api_admin_get_booking },
  { "PATCH", "/api/v1/admin/bookings/{id}", MCS_AUTH_ADMIN, mcs_api_admin_update_booking },
  { "GET", "/api/v1/admin/bookings/{id}/attendance", MCS_AUTH_ADMIN,
    mcs_api_admin_get_attendance },
  { "GET", "/api/v1/admin/webhooks", MCS_AUTH_ADMIN, mcs_api_admin_list_webhooks },
  { "POST", "/api/v1/admin/webhooks", MCS_AUTH_ADMIN, mcs_api_admin_create_webhook },
  { "GET", "/api/v1/admin/webhooks/{id}", MCS_AUTH_ADMIN, mcs_api_admin_get_webhook },
  { "PATCH", "/api/v1/admin/webhooks/{id}", MCS_AUTH_ADMIN, mcs_api_admin_update_webhook },
  { "DELETE", "/api/v1/admin/webhooks/{id}", MCS_AUTH_ADMIN, mcs_api_admin_delete_webhook },
  { "POST", "/api/v1/admin/webhooks/{id}/rotate-secret", MCS_AUTH_ADMIN,
    mcs_api_admin_rotate_webhook_secret },
  { "GET", "/api/v1/admin/webhooks/{id}/deliveries", MCS_AUTH_ADMIN,
    mcs_api_admin_list_webhook_deliveries },
  { "POST", "/api/v1/admin/webhook-deliveries/{id}/redeliver", MCS_AUTH_ADMIN,
    mcs_api_admin_redeliver_webhook },
  { "POST", "/api/v1/admin/test-clock", MCS_AUTH_ADMIN, mcs_api_admin_test_clock },
};

const McsRoute *
mcs_api_get_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (routes);
  return routes;
}

/* Whether a load balancer should send users here. A server that shares its
 * database with others reports itself unavailable while it does not hear
 * them (its users would miss what their connections on the others do); it
 * goes on serving what it is asked meanwhile. */
void
mcs_api_healthz (McsRequest *request)
{
  McsSignaling           *signaling = mcs_server_get_signaling (mcs_request_get_server (request));
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gboolean                listening;
  const char             *other_servers;

  other_servers = mcs_signaling_describe_listening (signaling, &listening);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, listening ? "ok" : "unavailable");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  if (other_servers != NULL)
    {
      json_builder_set_member_name (builder, "other_servers");
      json_builder_add_string_value (builder, other_servers);
    }
  json_builder_end_object (builder);

  mcs_request_reply_builder (request,
                             listening ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE,
                             builder);
}

void
mcs_api_metrics (McsRequest *request)
{
  McsServer  *server = mcs_request_get_server (request);
  McsMetrics *metrics = mcs_server_get_metrics (server);

  mcs_webhooks_update_metrics (mcs_server_get_webhooks (server));

  mcs_request_reply_text (request, SOUP_STATUS_OK, "text/plain; version=0.0.4",
                          mcs_metrics_render (metrics));
}

typedef struct
{
  SoupServerMessage *message; /* unowned: the message owns the timer */
  guint              timeout_id;
} RequestTimer;

typedef struct
{
  GIOStream *stream;
  char      *response;
} Rejection;

static void
request_timer_free (gpointer data)
{
  RequestTimer *timer = data;

  g_clear_handle_id (&timer->timeout_id, g_source_remove);
  g_free (timer);
}

static void
stop_request_timer (SoupServerMessage *message)
{
  g_object_set_data (G_OBJECT (message), REQUEST_TIMER_KEY, NULL);
}

static void
rejection_free (Rejection *rejection)
{
  g_clear_object (&rejection->stream);
  g_free (rejection->response);
  g_free (rejection);
}

static void
rejection_written_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Rejection *rejection = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  g_io_stream_close_async (rejection->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  rejection_free (rejection);
}

/* Answers @message and drops the connection without reading the body.
 * libsoup 3.2 reads a body to its end even when an early handler has set
 * a status, so a client could make it buffer gigabytes; taking the
 * connection over, as a WebSocket upgrade does, stops that. */
static void
reject_unread (McsServer         *self,
               SoupServerMessage *message,
               McErrorCode        code,
               const char        *text,
               JsonObject        *extra)
{
  g_autoptr (JsonObject) error = json_object_new ();
  g_autoptr (JsonObject) root = json_object_new ();
  g_autofree char       *body = NULL;
  g_autofree char       *status = NULL;
  guint                  status_code = mc_error_code_http_status (code);
  Rejection             *rejection;

  json_object_set_string_member (error, "code", mc_error_code_to_string (code));
  json_object_set_string_member (error, "message", text);
  mcs_view_merge_members (error, extra, NULL);
  json_object_set_object_member (root, "error", g_steal_pointer (&error));
  body = mc_json_object_to_string (root);

  rejection = g_new0 (Rejection, 1);
  rejection->response = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                         "Content-Type: application/json\r\n"
                                         "Content-Length: %zu\r\n"
                                         "%s"
                                         "Connection: close\r\n"
                                         "\r\n%s",
                                         status_code, soup_status_get_phrase (status_code),
                                         strlen (body),
                                         self->config->tls_certificate != NULL
                                           ? "Strict-Transport-Security: " HSTS_HEADER_VALUE "\r\n"
                                           : "",
                                         body);
  /* The stream is ours now: no timer may shut its socket under the reply. */
  stop_request_timer (message);
  g_object_set_data (G_OBJECT (message), STOLEN_KEY, GINT_TO_POINTER (TRUE));
  rejection->stream = soup_server_message_steal_connection (message);

  status = g_strdup_printf ("%u", status_code);
  mcs_metrics_count (self->metrics, "mentorcall_http_requests_total", "status", status);

  if (rejection->stream == NULL)
    {
      rejection_free (rejection);
      return;
    }

  g_output_stream_write_all_async (g_io_stream_get_output_stream (rejection->stream),
                                   rejection->response, strlen (rejection->response),
                                   G_PRIORITY_DEFAULT, NULL, rejection_written_cb, rejection);
}

/* Reads a Content-Length value: 1*DIGIT (RFC 9110). A number too large
 * for 64 bits is a length like any other, just too large. */
static gboolean
parse_content_length (const char *text,
                      goffset    *length)
{
  g_autoptr (GError) error = NULL;
  guint64            value;

  if (text == NULL || text[0] == '\0')
    return FALSE;

  for (const char *c = text; *c != '\0'; c++)
    {
      if (!g_ascii_isdigit (*c))
        return FALSE;
    }

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, &error))
    value = G_MAXINT64;

  *length = (goffset) value;
  return TRUE;
}

static void
early_handler_cb (SoupServer        *soup_server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  McsServer          *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupEncoding        encoding = soup_message_headers_get_encoding (headers);
  goffset             length;

  if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF)
    {
      reject_unread (self, message, MC_ERROR_LENGTH_REQUIRED,
                     "Send the body with a Content-Length", NULL);
      return;
    }

  if (encoding != SOUP_ENCODING_CONTENT_LENGTH)
    return;

  /* libsoup reads the header with strtoull, which takes "-5" for a huge
   * number that then wraps to a negative length: only digits are a length. */
  if (!parse_content_length (soup_message_headers_get_one (headers, "Content-Length"), &length))
    {
      reject_unread (self, message, MC_ERROR_BAD_REQUEST,
                     "The Content-Length is not a number of bytes", NULL);
      return;
    }

  if (length > self->config->max_body_size)
    {
      g_autoptr (JsonObject) extra = json_object_new ();
      g_autofree char       *text = g_strdup_printf ("The body is larger than the server's limit of "
                                                           "%" G_GINT64_FORMAT " bytes",
                                                     self->config->max_body_size);

      json_object_set_int_member (extra, "limit", self->config->max_body_size);
      reject_unread (self, message, MC_ERROR_PAYLOAD_TOO_LARGE, text, extra);
    }
}

static void
handler_cb (SoupServer        *soup_server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  McsServer *self = user_data;

  mcs_request_dispatch (self, routes, G_N_ELEMENTS (routes), message);
}

static gboolean
request_timed_out_cb (gpointer user_data)
{
  RequestTimer    *timer = user_data;
  GSocket         *socket = soup_server_message_get_socket (timer->message);
  g_autofree char *peer = mcs_request_peer_address (timer->message);

  timer->timeout_id = 0;

  /* Shutting the socket down makes libsoup's pending read fail, and it
   * drops the connection as after any I/O error. */
  g_debug ("A request from %s did not arrive in time; closing its connection",
           peer != NULL ? peer : "a peer gone");
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);

  return G_SOURCE_REMOVE;
}

static void
request_read_cb (SoupServerMessage *message,
                 gpointer           user_data)
{
  stop_request_timer (message);
}

static void
request_started_cb (SoupServer        *soup_server,
                    SoupServerMessage *message,
                    McsServer         *self)
{
  RequestTimer *timer = g_new0 (RequestTimer, 1);
  GSocket      *socket = soup_server_message_get_socket (message);

  if (socket != NULL)
    g_hash_table_remove (self->idle_sockets, socket);

  timer->message = message;
  timer->timeout_id = g_timeout_add_seconds (self->config->request_timeout,
                                             request_timed_out_cb, timer);
  g_object_set_data_full (G_OBJECT (message), REQUEST_TIMER_KEY, timer, request_timer_free);
  g_signal_connect (message, "got-body", G_CALLBACK (request_read_cb), NULL);

  /* Every answer over TLS, errors included, tells browsers to stay on it. */
  if (self->config->tls_certificate != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Strict-Transport-Security", HSTS_HEADER_VALUE);
}

static void
request_finished_cb (SoupServer        *soup_server,
                     SoupServerMessage *message,
                     McsServer         *self)
{
  g_autofree char *status = g_strdup_printf ("%u", soup_server_message_get_status (message));
  GUri            *uri = soup_server_message_get_uri (message);
  const char      *method = soup_server_message_get_method (message);
  GSocket         *socket = soup_server_message_get_socket (message);

  mcs_metrics_count (self->metrics, "mentorcall_http_requests_total", "status", status);

  /* A connection that became a WebSocket, or that an early refusal took
   * over, is not libsoup's any more. */
  if (socket != NULL &&
      soup_server_message_get_status (message) != SOUP_STATUS_SWITCHING_PROTOCOLS &&
      g_object_get_data (G_OBJECT (message), STOLEN_KEY) == NULL &&
      !g_socket_is_closed (socket))
    g_hash_table_insert (self->idle_sockets, g_object_ref (socket), GUINT_TO_POINTER (0));
  /* libsoup answers a request line it cannot parse itself, without a URI
   * (found by fuzz-server). */
  g_debug ("%s %s → %s", method != NULL ? method : "-", uri != NULL ? g_uri_get_path (uri) : "-",
           status);
}

/* Closes the idle keep-alive connections whose client went away (the
 * comment on idle_sockets says why). */
static gboolean
idle_check_cb (gpointer user_data)
{
  McsServer     *self = user_data;
  GHashTableIter iter;
  gpointer       key, value;
  guint          closed = 0;

  g_hash_table_iter_init (&iter, self->idle_sockets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GSocket *socket = key;
      char     byte;
      gssize   n;

      if (g_socket_is_closed (socket))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }

      /* 0: the client closed; > 0: a request is coming; EAGAIN: idle. */
      n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)))
        {
          g_hash_table_iter_replace (&iter, GUINT_TO_POINTER (0));
          continue;
        }

      if (GPOINTER_TO_UINT (value) == 0)
        {
          g_hash_table_iter_replace (&iter, GUINT_TO_POINTER (1));
          continue;
        }

      g_socket_close (socket, NULL);
      g_hash_table_iter_remove (&iter);
      closed++;
    }

  if (closed > 0)
    g_debug ("Closed %u keep-alive connections their clients had left", closed);

  return G_SOURCE_CONTINUE;
}

static gboolean
housekeeping_cb (gpointer user_data)
{
  McsServer *self = user_data;
  gint64     now = mcs_clock_now ();
  guint      purged;

  purged = mcs_store_purge_sessions (self->store, now);
  if (purged > 0)
    g_debug ("Purged %u old sessions", purged);

  mcs_rate_limiter_prune (self->account_limiter, now);
  mcs_rate_limiter_prune (self->address_limiter, now);
  mcs_tickets_prune (self->tickets, now);

  return G_SOURCE_CONTINUE;
}

static void
mcs_server_dispose (GObject *object)
{
  McsServer *self = (McsServer *) object;

  g_clear_handle_id (&self->housekeeping_id, g_source_remove);
  g_clear_handle_id (&self->idle_check_id, g_source_remove);
  g_clear_object (&self->signaling);
  g_clear_object (&self->webhooks);
  if (self->soup_server != NULL)
    soup_server_disconnect (self->soup_server);
  g_clear_object (&self->soup_server);

  G_OBJECT_CLASS (mcs_server_parent_class)->dispose (object);
}

static void
mcs_server_finalize (GObject *object)
{
  McsServer *self = (McsServer *) object;

  g_clear_pointer (&self->idle_sockets, g_hash_table_unref);
  g_clear_object (&self->hasher);
  g_clear_object (&self->store);
  g_clear_pointer (&self->metrics, mcs_metrics_free);
  g_clear_pointer (&self->secret, g_bytes_unref);
  g_clear_pointer (&self->account_limiter, mcs_rate_limiter_free);
  g_clear_pointer (&self->address_limiter, mcs_rate_limiter_free);
  g_clear_pointer (&self->tickets, mcs_tickets_free);
  g_clear_pointer (&self->config, mcs_config_free);

  G_OBJECT_CLASS (mcs_server_parent_class)->finalize (object);
}

static void
mcs_server_class_init (McsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mcs_server_dispose;
  object_class->finalize = mcs_server_finalize;
}

static void
mcs_server_init (McsServer *self)
{
  self->idle_sockets = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref,
                                              NULL);
}

/**
 * mcs_server_new:
 * @config: (transfer full): a validated configuration
 * @error: a #GError
 *
 * Opens the database (upgrading it), loads or makes the signing secret
 * and prepares the HTTP server. Call mcs_server_listen() next.
 *
 * Returns: (transfer full): the server
 */
McsServer *
mcs_server_new (McsConfig *config,
                GError   **error)
{
  g_autoptr (McsServer) self = g_object_new (MCS_TYPE_SERVER, NULL);
  g_autofree char      *secret_file = NULL;

  self->config = config;

  if (self->config->database == NULL)
    self->config->database = mcs_config_default_database ();

  self->store = mcs_store_open (self->config->database, error);
  if (self->store == NULL)
    return NULL;

  secret_file = mcs_config_get_secret_file (self->config);
  self->secret = mcs_secret_load_or_create (secret_file, error);
  if (self->secret == NULL)
    return NULL;

  self->metrics = mcs_metrics_new ();
  self->tickets = mcs_tickets_new ();
  self->hasher = mcs_password_hasher_new (self->config->password_hash_strength,
                                          self->config->max_concurrent_hashes,
                                          self->config->max_queued_logins);
  self->account_limiter = mcs_rate_limiter_new (self->config->login_failures_per_account,
                                                self->config->login_rate_window);
  self->address_limiter = mcs_rate_limiter_new (self->config->login_attempts_per_address,
                                                self->config->login_rate_window);

  if (self->config->tls_certificate != NULL)
    {
      g_autoptr (GTlsCertificate) certificate = NULL;

      certificate = g_tls_certificate_new_from_files (self->config->tls_certificate,
                                                      self->config->tls_key, error);
      if (certificate == NULL)
        {
          g_prefix_error (error, "Cannot load the TLS certificate: ");
          return NULL;
        }

      self->soup_server = soup_server_new ("server-header", "mentorcall-server/" PACKAGE_VERSION,
                                           "tls-certificate", certificate,
                                           NULL);
    }
  else
    {
      self->soup_server = soup_server_new ("server-header", "mentorcall-server/" PACKAGE_VERSION,
                                           NULL);
    }

  /* The WebSocket route's handler makes the upgrade itself (mcs-api-chat.c),
   * so that McsWsGuard can sit under libsoup's WebSocket. */
  soup_server_add_early_handler (self->soup_server, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup_server, NULL, handler_cb, self, NULL);
  self->signaling = mcs_signaling_new (self);
  self->webhooks = mcs_webhooks_new (self->store, self->metrics);
  g_signal_connect (self->soup_server, "request-started",
                    G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup_server, "request-finished",
                    G_CALLBACK (request_finished_cb), self);

  self->housekeeping_id = g_timeout_add_seconds (HOUSEKEEPING_INTERVAL_SECONDS,
                                                 housekeeping_cb, self);
  self->idle_check_id = g_timeout_add_seconds (IDLE_CHECK_INTERVAL_SECONDS, idle_check_cb, self);
  housekeeping_cb (self);

  return g_steal_pointer (&self);
}

/* libsoup listens with GSocket's default backlog of 10 connections. A
 * lesson-start burst opens thousands of connections within seconds, and a
 * full accept queue drops the handshakes the main loop has not taken yet
 * (the client's SYN is retried after 1 s, then 3 s: a join that takes
 * seconds for no reason) or resets them. So the server makes its listening
 * socket itself; the kernel caps the backlog at net.core.somaxconn. */
#define LISTEN_BACKLOG 4096

/* Binds @socket to @address for several servers on one machine to listen
 * on (SO_REUSEPORT): the kernel spreads new connections among them, and the
 * servers on one PostgreSQL database relay a lesson across two of them.
 * g_socket_bind () turns SO_REUSEPORT off on a TCP socket, so the socket is
 * bound here. */
static gboolean
bind_shared (GSocket        *socket,
             GSocketAddress *address,
             GError        **error)
{
  struct sockaddr_storage native;
  gssize                  length = g_socket_address_get_native_size (address);

  if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error) ||
      !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error) ||
      !g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;

  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, (socklen_t) length) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Error binding to a shared port: %s", g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

static gboolean
listen_on (McsServer              *self,
           GSocketAddress         *address,
           SoupServerListenOptions options,
           GError                **error)
{
  g_autoptr (GSocket) socket = NULL;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!(self->config->reuse_port ? bind_shared (socket, address, error)
                                 : g_socket_bind (socket, address, TRUE, error)) ||
      !g_socket_listen (socket, error))
    return FALSE;

  return soup_server_listen_socket (self->soup_server, socket, options, error);
}

/**
 * mcs_server_listen:
 * @self: a server
 * @error: a #GError
 *
 * Starts listening on the configured address.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_server_listen (McsServer *self,
                   GError   **error)
{
  g_autoptr (GInetAddress)   address = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autofree char           *host = NULL;
  SoupServerListenOptions    options = 0;
  guint16                    port;

  if (!mcs_config_parse_listen (self->config->listen, &host, &port, error))
    return FALSE;

  if (self->config->tls_certificate != NULL)
    options |= SOUP_SERVER_LISTEN_HTTPS;

  if (g_str_equal (host, "localhost") && !self->config->reuse_port)
    return soup_server_listen_local (self->soup_server, port, options, error);

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen on “%s”: give an IP address, such as 127.0.0.1, 0.0.0.0 "
                   "or ::",
                   host);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (address, port);
  return listen_on (self, socket_address, options, error);
}

/**
 * mcs_server_get_uris:
 * @self: a listening server
 *
 * Returns: (transfer full) (element-type GUri): where it listens
 */
GSList *
mcs_server_get_uris (McsServer *self)
{
  return soup_server_get_uris (self->soup_server);
}

McsConfig *
mcs_server_get_config (McsServer *self)
{
  return self->config;
}

McsStore *
mcs_server_get_store (McsServer *self)
{
  return self->store;
}

McsMetrics *
mcs_server_get_metrics (McsServer *self)
{
  return self->metrics;
}

McsPasswordHasher *
mcs_server_get_hasher (McsServer *self)
{
  return self->hasher;
}

GBytes *
mcs_server_get_secret (McsServer *self)
{
  return self->secret;
}

McsRateLimiter *
mcs_server_get_account_limiter (McsServer *self)
{
  return self->account_limiter;
}

McsRateLimiter *
mcs_server_get_address_limiter (McsServer *self)
{
  return self->address_limiter;
}

McsTickets *
mcs_server_get_tickets (McsServer *self)
{
  return self->tickets;
}

McsSignaling *
mcs_server_get_signaling (McsServer *self)
{
  return self->signaling;
}

/* For the fuzzers, which hand it connections of their own
 * (soup_server_accept_iostream()). */
SoupServer *
mcs_server_get_soup_server (McsServer *self)
{
  return self->soup_server;
}

/**
 * mcs_server_shutdown:
 * @self: a server
 *
 * Stops accepting requests and says goodbye to every WebSocket. Iterate
 * the main context briefly afterwards to let the close frames out.
 */
void
mcs_server_shutdown (McsServer *self)
{
  if (self->signaling != NULL)
    mcs_signaling_shutdown (self->signaling);
  if (self->webhooks != NULL)
    mcs_webhooks_shutdown (self->webhooks);
  if (self->soup_server != NULL)
    soup_server_disconnect (self->soup_server);
}

McsWebhooks *
mcs_server_get_webhooks (McsServer *self)
{
  return self->webhooks;
}
