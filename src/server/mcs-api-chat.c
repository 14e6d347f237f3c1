/* mcs-api-chat.c — chat over REST, and the WebSocket handshake's checks
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-api"

#include "mcs-api.h"
#include "mcs-views.h"
#include "mcs-connection.h"
#include "mcs-ws-guard.h"

#define DEFAULT_LIMIT 200
#define MAX_LIMIT     500

static gboolean
query_number (McsRequest *request,
              const char *name,
              gint64      min,
              gint64      max,
              gint64     *value)
{
  const char            *text = mcs_request_get_query (request, name);
  g_autoptr (JsonObject) extra = NULL;
  g_autofree char       *message = NULL;

  if (text == NULL || g_ascii_string_to_signed (text, 10, min, max, value, NULL))
    return TRUE;

  extra = json_object_new ();
  json_object_set_string_member (extra, "field", name);
  message = g_strdup_printf ("“%s” must be a number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, name, min, max);
  {
    g_autoptr (GError) error = g_error_new_literal (MC_ERROR, MC_ERROR_INVALID_FIELD, message);

    mcs_request_reply_error_extra (request, error, extra);
  }
  return FALSE;
}

void
mcs_api_list_messages (McsRequest *request)
{
  McsStore               *store = mcs_server_get_store (mcs_request_get_server (request));
  g_autoptr (McsBooking)  booking = mcs_api_load_own_booking (request);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray)   messages = NULL;
  g_autoptr (GError)      error = NULL;
  gint64                  after = 0, limit = DEFAULT_LIMIT, last_seq = 0;

  if (booking == NULL ||
      !query_number (request, "after", 0, G_MAXINT64, &after) ||
      !query_number (request, "limit", 1, MAX_LIMIT, &limit))
    return;

  messages = mcs_store_list_chat (store, booking->id, after, limit, &last_seq, &error);
  if (messages == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "booking_id");
  json_builder_add_int_value (builder, booking->id);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    mcs_view_add_chat_message (builder, g_ptr_array_index (messages, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "last_seq");
  json_builder_add_int_value (builder, last_seq);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
mcs_api_post_message (McsRequest *request)
{
  static const McJsonRule rules[] = {
    { "client_id", MC_JSON_STRING, TRUE, 1, 64 },
    { "text", MC_JSON_STRING, TRUE, 0, 0 },
  };
  McsServer                 *server = mcs_request_get_server (request);
  g_autoptr (McsBooking)     booking = NULL;
  g_autoptr (McsChatMessage) stored = NULL;
  g_autoptr (JsonBuilder)    builder = json_builder_new ();
  g_autoptr (JsonObject)     body = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *text = NULL;
  gboolean                   duplicate;

  body = mcs_request_parse_body (request, rules, G_N_ELEMENTS (rules));
  if (body == NULL)
    return;

  booking = mcs_api_load_own_booking (request);
  if (booking == NULL)
    return;

  if (booking->status == MC_BOOKING_CANCELLED)
    {
      mcs_request_reply_code (request, MC_ERROR_CONFLICT, "The booking was cancelled");
      return;
    }

  text = mcs_chat_check_text (json_object_get_string_member (body, "text"), &error);
  if (text == NULL)
    {
      g_autoptr (JsonObject) extra = json_object_new ();

      json_object_set_string_member (extra, "field", "text");
      mcs_request_reply_error_extra (request, error, extra);
      return;
    }

  stored = mcs_store_add_chat (mcs_server_get_store (server), booking->id,
                               mcs_request_get_user (request)->id,
                               json_object_get_string_member (body, "client_id"), text,
                               mcs_request_get_now (request), &duplicate, &error);
  if (stored == NULL)
    {
      mcs_request_reply_error (request, error);
      return;
    }

  if (!duplicate)
    mcs_signaling_chat_posted (mcs_server_get_signaling (server), stored, NULL);

  mcs_view_add_chat_message (builder, stored);
  mcs_request_reply_builder (request, duplicate ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, builder);
}

/* A handshake refused after the upgrade: a page cannot read the status
 * of a refused handshake (it sees close 1006), but it can read an error
 * message and a close code. */
typedef struct
{
  McErrorCode code;
  gushort     close_code;
  char       *text;
  char       *reason; /* the error's "reason" member, or NULL */
} Refusal;

static void
refusal_free (Refusal *refusal)
{
  g_free (refusal->text);
  g_free (refusal->reason);
  g_free (refusal);
}

static void
refused_closed_cb (SoupWebsocketConnection *websocket,
                   gpointer                 user_data)
{
  g_object_unref (websocket);
}

static void
send_refusal (SoupWebsocketConnection *websocket,
              const Refusal           *refusal)
{
  g_autoptr (JsonObject) object = json_object_new ();
  g_autofree char       *text = NULL;

  json_object_set_string_member (object, "type", "error");
  json_object_set_string_member (object, "code", mc_error_code_to_string (refusal->code));
  json_object_set_string_member (object, "message", refusal->text);
  if (refusal->reason != NULL)
    json_object_set_string_member (object, "reason", refusal->reason);
  text = mc_json_object_to_string (object);

  /* The connection keeps itself until the close handshake is over. */
  g_signal_connect (websocket, "closed", G_CALLBACK (refused_closed_cb), NULL);
  soup_websocket_connection_send_text (websocket, text);
  soup_websocket_connection_close (websocket, refusal->close_code, refusal->text);
  g_object_ref (websocket);
}

/* Takes the connection over once the 101 answer is out, as libsoup's own
 * WebSocket handler would, but with McsWsGuard between the socket and
 * libsoup: libsoup 3.2 limits frames, not messages, and answers every
 * ping. No extension is negotiated: with permessage-deflate the bytes on
 * the wire would say nothing about the size of a message. */
static void
upgrade_written_cb (SoupServerMessage *message,
                    McsServer         *server)
{
  McsConfig                          *config = mcs_server_get_config (server);
  McsUser                            *user = g_object_get_data (G_OBJECT (message), "mcs-user");
  McsSession                         *session = g_object_get_data (G_OBJECT (message),
                                                                   "mcs-session");
  Refusal                            *refusal = g_object_get_data (G_OBJECT (message),
                                                                   "mcs-refusal");
  SoupMessageHeaders                 *headers = soup_server_message_get_request_headers (message);
  g_autoptr (GIOStream)               stream = NULL;
  g_autoptr (GSocket)                 socket = NULL;
  g_autoptr (McsWsGuard)              guard = NULL;
  g_autoptr (SoupWebsocketConnection) websocket = NULL;

  /* "hold" keeps the message, and the user and session on it, while the
   * connection changes hands, as libsoup's own upgrade does. */
  g_signal_handlers_disconnect_by_func (message, upgrade_written_cb, server);

  /* Without TLS a readable socket is all the guard needs to know that a
   * read will find something (mcs-ws-guard.c says why that matters). */
  socket = config->tls_certificate == NULL ? soup_server_message_get_socket (message) : NULL;
  if (socket != NULL)
    g_object_ref (socket);
  stream = soup_server_message_steal_connection (message);
  if (stream == NULL)
    return;

  guard = mcs_ws_guard_new (stream, socket, config->max_message_size, config->messages_per_second,
                            config->message_burst);
  websocket = soup_websocket_connection_new (G_IO_STREAM (guard),
                                             soup_server_message_get_uri (message),
                                             SOUP_WEBSOCKET_CONNECTION_SERVER,
                                             soup_message_headers_get_one (headers, "Origin"),
                                             NULL, NULL);

  if (refusal != NULL)
    send_refusal (websocket, refusal);
  else
    mcs_signaling_accept (mcs_server_get_signaling (server), websocket, user, session);
}

static gushort
close_code_for_session_error (const GError *error)
{
  if (g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_EXPIRED))
    return MCS_CLOSE_SESSION_EXPIRED;
  if (g_error_matches (error, MC_ERROR, MC_ERROR_FORBIDDEN))
    return MCS_CLOSE_ACCOUNT_DISABLED;
  if (g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_INVALID))
    return MCS_CLOSE_SESSION_ENDED;
  return SOUP_WEBSOCKET_CLOSE_SERVER_ERROR;
}

/* Checks the ticket of a page's handshake; on a refusal fills @refusal. */
static gboolean
redeem_ticket (McsRequest *request,
               const char *ticket,
               Refusal    *refusal)
{
  McsServer         *server = mcs_request_get_server (request);
  g_autoptr (GError) error = NULL;
  McsSession         session;

  switch (mcs_tickets_redeem (mcs_server_get_tickets (server), ticket,
                              mcs_request_get_now (request), &session))
    {
    case MCS_TICKET_OK:
      break;

    case MCS_TICKET_EXPIRED:
      refusal->code = MC_ERROR_UNAUTHORIZED;
      refusal->close_code = MCS_CLOSE_TICKET_REFUSED;
      refusal->reason = g_strdup ("ticket_expired");
      refusal->text = g_strdup ("The ticket has expired; ask for a new one");
      return FALSE;

    case MCS_TICKET_UNKNOWN:
    default:
      refusal->code = MC_ERROR_UNAUTHORIZED;
      refusal->close_code = MCS_CLOSE_TICKET_REFUSED;
      refusal->reason = g_strdup ("ticket_unknown");
      refusal->text = g_strdup ("The ticket is unknown or was used; ask for a new one");
      return FALSE;
    }

  if (!mcs_request_set_session (request, &session, &error))
    {
      refusal->code = error->domain == MC_ERROR ? (McErrorCode) error->code : MC_ERROR_INTERNAL;
      refusal->close_code = close_code_for_session_error (error);
      refusal->text = g_strdup (error->message);
      return FALSE;
    }

  return TRUE;
}

void
mcs_api_create_ws_ticket (McsRequest *request)
{
  McsServer              *server = mcs_request_get_server (request);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char        *ticket = NULL;
  g_autofree char        *expires = NULL;
  gint64                  expires_at;

  ticket = mcs_tickets_issue (mcs_server_get_tickets (server), mcs_request_get_session (request),
                              mcs_request_get_now (request), &expires_at);
  expires = mc_json_format_time (expires_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ticket");
  json_builder_add_string_value (builder, ticket);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_string_value (builder, expires);
  json_builder_end_object (builder);

  mcs_request_reply_builder (request, SOUP_STATUS_CREATED, builder);
}

void
mcs_api_websocket (McsRequest *request)
{
  McsServer         *server = mcs_request_get_server (request);
  McsConfig         *config = mcs_server_get_config (server);
  SoupServerMessage *message = mcs_request_get_message (request);
  const char        *ticket = mcs_request_get_query (request, "ticket");
  Refusal           *refusal = g_new0 (Refusal, 1);
  gboolean           refused = FALSE;
  guint              count;

  g_object_set_data_full (G_OBJECT (message), "mcs-refusal", refusal,
                          (GDestroyNotify) refusal_free);

  if (!soup_websocket_server_check_handshake (message, NULL, NULL, NULL, NULL))
    {
      mcs_request_reply_code (request, MC_ERROR_BAD_REQUEST,
                              "This is the WebSocket endpoint; connect with a WebSocket client");
      return;
    }

  /* From here on, a page (which authenticates with a ticket) hears why it
   * is refused after the upgrade; a native client gets the HTTP answer it
   * always got. An Origin is only sent by browsers. */
  if (!mcs_origin_allowed (server, message))
    {
      refusal->code = MC_ERROR_FORBIDDEN;
      refusal->close_code = MCS_CLOSE_ORIGIN_REFUSED;
      refusal->reason = g_strdup ("origin");
      refusal->text = g_strdup ("Pages from this origin may not use this server");
      refused = TRUE;
    }
  else if (mcs_request_get_user (request) == NULL && !redeem_ticket (request, ticket, refusal))
    refused = TRUE;

  if (!refused)
    {
      count = mcs_signaling_count_connections (mcs_server_get_signaling (server),
                                               mcs_request_get_user (request)->id);
      if (count >= config->max_connections_per_user && ticket == NULL)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                        "Retry-After", "5");
          mcs_request_reply_code (request, MC_ERROR_RATE_LIMITED,
                                  "Too many connections for this user; close another window first");
          return;
        }
      if (count >= config->max_connections_per_user)
        {
          refusal->code = MC_ERROR_RATE_LIMITED;
          refusal->close_code = MCS_CLOSE_TOO_MANY_CONNECTIONS;
          refusal->text = g_strdup ("Too many connections for this user; close another window "
                                    "first");
          refused = TRUE;
        }
    }

  if (!refused)
    g_object_set_data (G_OBJECT (message), "mcs-refusal", NULL);

  /* Answers 101; the connection changes hands when that is written. */
  if (!soup_websocket_server_process_handshake (message, NULL, NULL, NULL, NULL))
    {
      mcs_request_reply_code (request, MC_ERROR_BAD_REQUEST, "Not a valid WebSocket handshake");
      return;
    }

  mcs_request_accept_upgrade (request);
  g_signal_connect_object (message, "wrote-informational", G_CALLBACK (upgrade_written_cb),
                           server, 0);
}
