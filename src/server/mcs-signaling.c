/* mcs-signaling.c — the WebSocket hub: connections, dispatch, notifications
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every connection belongs to a user; a connection may be in at most one
 * room, and a room (one per booking) holds at most its two participants,
 * one connection each. The room itself lives only in memory; what must
 * outlive a restart — the call's state, attendance, chat — is written to
 * the store as it happens, so a restarted server loses nothing but the
 * connections, which clients re-establish by themselves.
 *
 * Offers, answers and ICE candidates are relayed verbatim to the other
 * participant: the server checks their type and size and never parses them.
 *
 * This file is the hub: it keeps every user's connections, dispatches
 * their messages by type, and tells users about their bookings (presence,
 * booking changes) and ends calls whose lesson is over. The rooms and the
 * messages sent inside them — join, leave, end, relay, media state and
 * chat — are in mcs-signaling-rooms.c; mcs-signaling-private.h is what the
 * two share.
 *
 * A session is checked at the handshake, but a socket may stay open for
 * hours, so the hub keeps checking. Logging out, disabling an account and
 * revoking sessions through this server close the sockets at once (the
 * code paths call in here). A timer closes sockets whose session expired,
 * from memory, and every few seconds asks the store for sessions revoked
 * by someone else (the admin command line, another node). The messages
 * that change what is stored — join, end, chat, history — check the
 * session in the store before they run, so nothing slips through between
 * two ticks. Relayed messages touch no store and are not checked one by
 * one: a socket is closed within seconds of its session ending.
 *
 * What users hear of their bookings (presence, booking changes), here and
 * on the other servers on the database, and this server's life among them,
 * are in mcs-signaling-nodes.c.
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include "config.h"

#include "mcs-clock.h"
#include "mcs-connection.h"
#include "mcs-server.h"
#include "mcs-signaling-private.h"
#include "mcs-views.h"

/* How often calls long over are looked for: every 30 s, every second on a
 * test clock (which jumps, and a test should not wait for the sweep). */
#define EXPIRY_INTERVAL_SECONDS      30
#define TEST_EXPIRY_INTERVAL_SECONDS 1

/* How often open sockets are checked for expired sessions (in memory),
 * and how often the store is asked for sessions revoked elsewhere. */
#define SESSION_CHECK_INTERVAL_SECONDS    1
#define REVOCATION_CHECK_INTERVAL_SECONDS 5

G_DEFINE_TYPE (McsSignaling, mcs_signaling, G_TYPE_OBJECT)


typedef void (*HandlerFunc) (McsSignaling  *self,
                             McsConnection *connection,
                             JsonObject    *message,
                             const char    *request_id);

typedef struct
{
  const char       *type;
  HandlerFunc       handler;
  const McJsonRule *rules;
  guint             n_rules;
  gboolean          check_session; /* ask the store whether the session still holds */
} Handler;

/* Decides whether to close @connection: a close code, or 0 to keep it. */
typedef gushort (*CloseFunc) (McsConnection *connection,
                              gconstpointer  data);

GPtrArray *
mcs_signaling_user_connections (McsSignaling *self,
                                gint64        user_id)
{
  return g_hash_table_lookup (self->connections, &user_id);
}

gint64
mcs_signaling_now (void)
{
  return mcs_clock_now ();
}

JsonObject *
mcs_signaling_new_message (const char *type,
                           gint64      booking_id,
                           const char *request_id)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  if (booking_id != 0)
    json_object_set_int_member (object, "booking_id", booking_id);
  if (request_id != NULL)
    json_object_set_string_member (object, "request_id", request_id);

  return object;
}

void
mcs_signaling_set_node (JsonObject  *object,
                        const char  *name,
                        JsonBuilder *builder)
{
  json_object_set_member (object, name, json_builder_get_root (builder));
}

McsBooking *
mcs_signaling_load_booking (McsSignaling *self,
                            gint64        booking_id,
                            GError      **error)
{
  return mcs_store_get_booking (mcs_server_get_store (self->server), booking_id, error);
}

static void
handle_ping (McsSignaling  *self,
             McsConnection *connection,
             JsonObject    *message,
             const char    *request_id)
{
  g_autoptr (JsonObject) pong = mcs_signaling_new_message ("pong", 0, request_id);

  mcs_connection_send (connection, pong);
}

static const McJsonRule join_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "call_token", MC_JSON_STRING, TRUE, 1, 4096 },
  { "chat_after", MC_JSON_INT, FALSE, 0, G_MAXINT64 },
  { "instance", MC_JSON_STRING, FALSE, 1, 64 },
};
static const McJsonRule booking_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
};
static const McJsonRule sdp_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "sdp", MC_JSON_STRING, TRUE, 1, 65536 },
};
static const McJsonRule candidate_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "candidate", MC_JSON_STRING, TRUE, 0, 4096 },
  { "sdp_mline_index", MC_JSON_INT, TRUE, 0, 63 },
};
static const McJsonRule media_state_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "muted", MC_JSON_BOOLEAN, FALSE, 0, 0 },
  { "camera_off", MC_JSON_BOOLEAN, FALSE, 0, 0 },
  { "screen", MC_JSON_BOOLEAN, FALSE, 0, 0 },
};
static const McJsonRule chat_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "client_id", MC_JSON_STRING, TRUE, 1, 64 },
  { "text", MC_JSON_STRING, TRUE, 0, 0 },
};
static const McJsonRule history_rules[] = {
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "after", MC_JSON_INT, FALSE, 0, G_MAXINT64 },
};

static const McJsonRule envelope_rules[] = {
  { "type", MC_JSON_STRING, TRUE, 1, 64 },
  { "request_id", MC_JSON_STRING, FALSE, 1, 64 },
};

static const Handler handlers[] = {
  { "join", mcs_signaling_handle_join, join_rules, G_N_ELEMENTS (join_rules), TRUE },
  { "leave", mcs_signaling_handle_leave, booking_rules, G_N_ELEMENTS (booking_rules), FALSE },
  { "end", mcs_signaling_handle_end, booking_rules, G_N_ELEMENTS (booking_rules), TRUE },
  { "offer", mcs_signaling_handle_relay, sdp_rules, G_N_ELEMENTS (sdp_rules), FALSE },
  { "answer", mcs_signaling_handle_relay, sdp_rules, G_N_ELEMENTS (sdp_rules), FALSE },
  { "ice-candidate", mcs_signaling_handle_relay, candidate_rules, G_N_ELEMENTS (candidate_rules),
    FALSE },
  { "media-state", mcs_signaling_handle_media_state, media_state_rules,
    G_N_ELEMENTS (media_state_rules), FALSE },
  { "chat", mcs_signaling_handle_chat, chat_rules, G_N_ELEMENTS (chat_rules), TRUE },
  { "history", mcs_signaling_handle_history, history_rules, G_N_ELEMENTS (history_rules),
    TRUE },
  { "ping", handle_ping, NULL, 0, FALSE },
};

static const char *
close_reason (gushort code)
{
  switch (code)
    {
    case MCS_CLOSE_SESSION_EXPIRED:
      return "session expired";
    case MCS_CLOSE_ACCOUNT_DISABLED:
      return "account disabled";
    default:
      return "session ended";
    }
}

/* Closes every connection for which @func gives a close code. The
 * connections are collected first: closing one may change the tables. */
static void
close_where (McsSignaling *self,
             CloseFunc     func,
             gconstpointer data)
{
  g_autoptr (GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray)    codes = g_array_new (FALSE, FALSE, sizeof (gushort));
  GHashTableIter        iter;
  GPtrArray            *connections;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &connections))
    {
      for (guint i = 0; i < connections->len; i++)
        {
          McsConnection *connection = g_ptr_array_index (connections, i);
          gushort        code;

          /* One that is closing already waits for the peer's close frame. */
          if (!mcs_connection_is_open (connection))
            continue;

          code = func (connection, data);
          if (code != 0)
            {
              g_ptr_array_add (doomed, g_object_ref (connection));
              g_array_append_val (codes, code);
            }
        }
    }

  for (guint i = 0; i < doomed->len; i++)
    {
      McsConnection *connection = g_ptr_array_index (doomed, i);
      gushort        code = g_array_index (codes, gushort, i);

      g_message ("Closing a connection of %s: %s", mcs_connection_get_user (connection)->username,
                 close_reason (code));
      mcs_connection_close (connection, code, close_reason (code));
    }
}

static gushort
session_is_cb (McsConnection *connection,
               gconstpointer  data)
{
  return mcs_connection_get_session_id (connection) == *(const gint64 *) data
           ? MCS_CLOSE_SESSION_ENDED
           : 0;
}

static gushort
user_sessions_revoked_cb (McsConnection *connection,
                          gconstpointer  data)
{
  return mcs_connection_get_user (connection)->id == *(const gint64 *) data
           ? MCS_CLOSE_SESSION_ENDED
           : 0;
}

static gushort
user_disabled_cb (McsConnection *connection,
                  gconstpointer  data)
{
  return mcs_connection_get_user (connection)->id == *(const gint64 *) data
           ? MCS_CLOSE_ACCOUNT_DISABLED
           : 0;
}

static gushort
session_expired_cb (McsConnection *connection,
                    gconstpointer  data)
{
  gint64 expires_at = mcs_connection_get_session_expiry (connection);

  return expires_at != 0 && expires_at <= *(const gint64 *) data ? MCS_CLOSE_SESSION_EXPIRED : 0;
}

static gushort
session_revoked_cb (McsConnection *connection,
                    gconstpointer  data)
{
  GHashTable *revoked = (GHashTable *) data;
  gint64      session_id = mcs_connection_get_session_id (connection);

  return GPOINTER_TO_UINT (g_hash_table_lookup (revoked, &session_id));
}

/* Whether @connection may still send anything: its session has not
 * expired. Checked in memory for every message. */
static gboolean
session_alive (McsConnection *connection)
{
  gint64 expires_at = mcs_connection_get_session_expiry (connection);

  if (expires_at == 0 || expires_at > mcs_signaling_now ())
    return TRUE;

  mcs_connection_close (connection, MCS_CLOSE_SESSION_EXPIRED,
                        close_reason (MCS_CLOSE_SESSION_EXPIRED));
  return FALSE;
}

/* Asks the store whether @connection's session still holds, and closes
 * the connection with the reason when it does not. */
static gboolean
session_still_valid (McsSignaling  *self,
                     McsConnection *connection,
                     const char    *request_id)
{
  g_autoptr (GError) error = NULL;
  gushort            code;

  if (mcs_store_check_session (mcs_server_get_store (self->server),
                               mcs_connection_get_session_id (connection), mcs_signaling_now (),
                               &error))
    return TRUE;

  if (g_error_matches (error, MC_ERROR, MC_ERROR_FORBIDDEN))
    code = MCS_CLOSE_ACCOUNT_DISABLED;
  else if (g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_EXPIRED))
    code = MCS_CLOSE_SESSION_EXPIRED;
  else if (g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_INVALID))
    code = MCS_CLOSE_SESSION_ENDED;
  else
    {
      /* The store failed: refuse this message, but keep the connection. */
      mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                                 request_id, NULL);
      return FALSE;
    }

  g_message ("Closing a connection of %s: %s", mcs_connection_get_user (connection)->username,
             close_reason (code));
  mcs_connection_close (connection, code, close_reason (code));
  return FALSE;
}

static void
connection_message_cb (McsConnection *connection,
                       JsonObject    *message,
                       McsSignaling  *self)
{
  static const McJsonRule request_id_rule[] = {
    { "request_id", MC_JSON_STRING, FALSE, 1, 64 },
  };
  g_autoptr (GError) error = NULL;
  const char        *request_id = NULL;
  const char        *bad_member = NULL;
  const char        *type;

  /* An expired session sends nothing more, whatever the timer's phase. */
  if (!session_alive (connection))
    return;

  /* Find the request id first, so that even an error about the envelope
   * can be matched to its request. */
  if (mc_json_has (message, "request_id") &&
      mc_json_validate (message, request_id_rule, 1, NULL, NULL))
    request_id = json_object_get_string_member (message, "request_id");

  if (!mc_json_validate (message, envelope_rules, G_N_ELEMENTS (envelope_rules),
                         &bad_member, &error))
    {
      g_autoptr (JsonObject) extra = json_object_new ();

      json_object_set_string_member (extra, "field", bad_member);
      mcs_connection_send_error (connection, MC_ERROR_INVALID_FIELD, error->message,
                                 request_id, extra);
      return;
    }

  type = json_object_get_string_member (message, "type");

  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      if (!g_str_equal (handlers[i].type, type))
        continue;

      if (!mc_json_validate (message, handlers[i].rules, handlers[i].n_rules, &bad_member,
                             &error))
        {
          g_autoptr (JsonObject) extra = json_object_new ();

          json_object_set_string_member (extra, "field", bad_member);
          mcs_connection_send_error (connection, MC_ERROR_INVALID_FIELD, error->message,
                                     request_id, extra);
          return;
        }

      if (handlers[i].check_session && !session_still_valid (self, connection, request_id))
        return;

      /* The handler may drop the last reference to the connection. */
      g_object_ref (connection);
      handlers[i].handler (self, connection, message, request_id);
      g_object_unref (connection);
      return;
    }

  mcs_connection_send_error (connection, MC_ERROR_UNKNOWN_TYPE,
                             "This message type is not part of the protocol", request_id, NULL);
}

static void
connection_gone_cb (McsConnection *connection,
                    gboolean       lost,
                    McsSignaling  *self)
{
  gint64     user_id = mcs_connection_get_user (connection)->id;
  GPtrArray *connections;

  g_object_ref (connection);

  mcs_signaling_leave_room (self, connection,
                            lost ? MC_LEAVE_REASON_CONNECTION_LOST : MC_LEAVE_REASON_LEFT, TRUE);

  g_signal_handlers_disconnect_by_data (connection, self);
  connections = mcs_signaling_user_connections (self, user_id);
  if (connections != NULL)
    {
      g_ptr_array_remove (connections, connection);
      if (connections->len == 0)
        g_hash_table_remove (self->connections, &user_id);
    }

  g_object_unref (connection);
}

static gboolean
expiry_cb (gpointer user_data)
{
  McsSignaling      *self = user_data;
  McsConfig         *config = mcs_server_get_config (self->server);
  g_autoptr (GArray) expired = NULL;
  g_autoptr (GError) error = NULL;

  expired = mcs_store_list_expired_calls (mcs_server_get_store (self->server),
                                          mcs_signaling_now () - config->end_grace, &error);
  if (expired == NULL)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < expired->len; i++)
    {
      gint64 booking_id = g_array_index (expired, gint64, i);
      Room  *room = mcs_signaling_find_room (self, booking_id);

      /* Never cut off a lesson that runs over while people are in it, on
       * this server or another one on the database. */
      if ((room != NULL && !mcs_signaling_room_is_empty (room)) ||
          mcs_store_call_has_attendance (mcs_server_get_store (self->server), booking_id))
        continue;

      if (!mcs_signaling_end_call (self, booking_id, 0, &error))
        {
          g_warning ("Cannot end the call of booking %" G_GINT64_FORMAT ": %s",
                     booking_id, error->message);
          g_clear_error (&error);
        }
    }

  return G_SOURCE_CONTINUE;
}

/* Drops the connections whose peers went silent, and pings the others
 * that are due (mcs-connection.c says why the hub keeps the one timer).
 * Closing ones too: a dead peer never answers the close. */
static void
keep_alive_or_drop (McsSignaling *self)
{
  g_autoptr (GPtrArray) silent = NULL;
  gint64                now = g_get_monotonic_time ();
  GHashTableIter        iter;
  GPtrArray            *connections;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &connections))
    {
      for (guint i = 0; i < connections->len; i++)
        {
          McsConnection *connection = g_ptr_array_index (connections, i);

          if (!mcs_connection_is_silent (connection, now))
            {
              mcs_connection_keep_alive (connection, now);
              continue;
            }
          if (silent == NULL)
            silent = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (silent, g_object_ref (connection));
        }
    }

  for (guint i = 0; silent != NULL && i < silent->len; i++)
    mcs_connection_drop_silent (g_ptr_array_index (silent, i));
}

static gboolean
session_check_cb (gpointer user_data)
{
  McsSignaling          *self = user_data;
  gint64                 now = mcs_signaling_now ();
  g_autoptr (GArray)     revoked = NULL;
  g_autoptr (GHashTable) codes = NULL;
  g_autoptr (GError)     error = NULL;

  keep_alive_or_drop (self);
  close_where (self, session_expired_cb, &now);

  if (now - self->revocations_checked_at < REVOCATION_CHECK_INTERVAL_SECONDS)
    return G_SOURCE_CONTINUE;

  /* Nobody to close: spare the store the question. */
  if (g_hash_table_size (self->connections) == 0)
    {
      self->revocations_checked_at = now;
      return G_SOURCE_CONTINUE;
    }

  /* Revocation times have a resolution of one second: look one second
   * back so that one made in the second of the last check is not missed.
   * Closing is idempotent, so seeing a session twice does no harm. */
  revoked = mcs_store_list_revoked_sessions (mcs_server_get_store (self->server),
                                             self->revocations_checked_at - 1, &error);
  if (revoked == NULL)
    return G_SOURCE_CONTINUE;
  self->revocations_checked_at = now;

  if (revoked->len == 0)
    return G_SOURCE_CONTINUE;

  codes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < revoked->len; i++)
    {
      McsRevokedSession *session = &g_array_index (revoked, McsRevokedSession, i);
      gushort            code = session->disabled ? MCS_CLOSE_ACCOUNT_DISABLED
                                                  : MCS_CLOSE_SESSION_ENDED;

      g_hash_table_insert (codes, g_memdup2 (&session->session_id, sizeof (gint64)),
                           GUINT_TO_POINTER (code));
    }
  close_where (self, session_revoked_cb, codes);

  return G_SOURCE_CONTINUE;
}

static void
mcs_signaling_dispose (GObject *object)
{
  McsSignaling *self = (McsSignaling *) object;

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  g_clear_handle_id (&self->session_check_id, g_source_remove);
  mcs_signaling_nodes_stop (self);
  g_clear_pointer (&self->closed, g_array_unref);
  g_clear_pointer (&self->node_name, g_free);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);

  G_OBJECT_CLASS (mcs_signaling_parent_class)->dispose (object);
}

static void
mcs_signaling_class_init (McsSignalingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mcs_signaling_dispose;
}

static void
mcs_signaling_init (McsSignaling *self)
{
  self->closed = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->rooms = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) mcs_signaling_room_free);
  self->connections = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
}

/**
 * mcs_signaling_new:
 * @server: the server, which must outlive the result
 *
 * Returns: (transfer full): the signaling hub
 */
McsSignaling *
mcs_signaling_new (McsServer *server)
{
  McsSignaling *self = g_object_new (MCS_TYPE_SIGNALING, NULL);

  self->server = server;
  mcs_signaling_nodes_start (self);

  self->expiry_id = g_timeout_add_seconds (mcs_clock_is_test_mode () ? TEST_EXPIRY_INTERVAL_SECONDS
                                                                     : EXPIRY_INTERVAL_SECONDS,
                                           expiry_cb, self);
  self->revocations_checked_at = mcs_signaling_now ();
  self->session_check_id = g_timeout_add_seconds (SESSION_CHECK_INTERVAL_SECONDS,
                                                  session_check_cb, self);

  return self;
}

/**
 * mcs_signaling_accept:
 * @self: the hub
 * @websocket: a freshly upgraded WebSocket
 * @user: who it authenticated as
 * @session: with which session
 *
 * Takes the connection in and greets it.
 */
void
mcs_signaling_accept (McsSignaling            *self,
                      SoupWebsocketConnection *websocket,
                      const McsUser           *user,
                      const McsSession        *session)
{
  McsConfig              *config = mcs_server_get_config (self->server);
  McsConnection          *connection = mcs_connection_new (websocket, user, session->id, config);
  g_autoptr (JsonObject)  welcome = mcs_signaling_new_message ("welcome", 0, NULL);
  g_autoptr (JsonBuilder) user_builder = json_builder_new ();
  g_autofree char        *server_time = mc_json_format_time (mcs_signaling_now ());
  GPtrArray              *connections = mcs_signaling_user_connections (self, user->id);

  if (connections == NULL)
    {
      connections = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->connections, g_memdup2 (&user->id, sizeof user->id),
                           connections);
    }
  g_ptr_array_add (connections, connection);
  mcs_connection_set_session_expiry (connection, session->expires_at);

  g_signal_connect (connection, "message", G_CALLBACK (connection_message_cb), self);
  g_signal_connect (connection, "gone", G_CALLBACK (connection_gone_cb), self);

  mcs_view_add_user (user_builder, user, FALSE);
  mcs_signaling_set_node (welcome, "user", user_builder);
  json_object_set_string_member (welcome, "server_time", server_time);
  json_object_set_int_member (welcome, "heartbeat_interval", config->heartbeat_interval);
  mcs_connection_send (connection, welcome);
}

guint
mcs_signaling_count_connections (McsSignaling *self,
                                 gint64        user_id)
{
  GPtrArray *connections = mcs_signaling_user_connections (self, user_id);

  return connections != NULL ? connections->len : 0;
}

/**
 * mcs_signaling_session_ended:
 * @self: the hub
 * @session_id: a session that was revoked
 *
 * Closes the connections that authenticated with it (4001).
 */
void
mcs_signaling_session_ended (McsSignaling *self,
                             gint64        session_id)
{
  close_where (self, session_is_cb, &session_id);
}

/**
 * mcs_signaling_user_sessions_revoked:
 * @self: the hub
 * @user_id: a user whose sessions were all revoked
 *
 * Closes all of the user's connections (4001).
 */
void
mcs_signaling_user_sessions_revoked (McsSignaling *self,
                                     gint64        user_id)
{
  close_where (self, user_sessions_revoked_cb, &user_id);
}

/**
 * mcs_signaling_user_disabled:
 * @self: the hub
 * @user_id: a user whose account was disabled
 *
 * Closes all of the user's connections (4003).
 */
void
mcs_signaling_user_disabled (McsSignaling *self,
                             gint64        user_id)
{
  close_where (self, user_disabled_cb, &user_id);
}

/**
 * mcs_signaling_shutdown:
 * @self: the hub
 *
 * Says goodbye to every connection (1001), so that clients come back at once
 * (on another server, or on this one once it restarted), then closes this
 * server's attendance records as `server_restart` and takes it off the list
 * of live servers: the others need not wait for its heartbeat to run out.
 */
void
mcs_signaling_shutdown (McsSignaling *self)
{
  GHashTableIter iter;
  GPtrArray     *connections;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &connections))
    {
      for (guint i = 0; i < connections->len; i++)
        {
          McsConnection *connection = g_ptr_array_index (connections, i);

          g_signal_handlers_disconnect_by_data (connection, self);
          mcs_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server restart");
        }
    }

  g_hash_table_remove_all (self->rooms);
  g_hash_table_remove_all (self->connections);

  mcs_signaling_nodes_stop (self);
  mcs_signaling_nodes_leave (self);
}

/**
 * mcs_signaling_get_message_rules:
 * @index: which message type, from 0
 * @type: (out): its name
 * @n_rules: (out): how many rules its table has
 *
 * The validation table of each client message type, in the order of the
 * handler table, for the fuzzers. Index 0 is the envelope every message
 * must have, with the type "" .
 *
 * Returns: (nullable): the rules, or %NULL past the last type (a type with
 *   no members of its own has rules but @n_rules 0)
 */
const McJsonRule *
mcs_signaling_get_message_rules (guint        index,
                                 const char **type,
                                 guint       *n_rules)
{
  static const McJsonRule no_rules[1] = { { NULL } };

  if (index == 0)
    {
      *type = "";
      *n_rules = G_N_ELEMENTS (envelope_rules);
      return envelope_rules;
    }

  if (index - 1 >= G_N_ELEMENTS (handlers))
    return NULL;

  *type = handlers[index - 1].type;
  *n_rules = handlers[index - 1].n_rules;
  return handlers[index - 1].rules != NULL ? handlers[index - 1].rules : no_rules;
}
