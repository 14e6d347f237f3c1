/* mcs-signaling.c — rooms, relay, chat and notifications over WebSocket
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
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include <string.h>

#include "mcs-connection.h"
#include "mcs-crypto.h"
#include "mcs-server.h"
#include "mcs-signaling.h"
#include "mcs-views.h"

#define EXPIRY_INTERVAL_SECONDS 30
#define JOIN_CHAT_LIMIT 200
#define HISTORY_LIMIT 500

typedef struct
{
  McsConnection *connection;   /* NULL while this participant is away */
  char          *instance;     /* the client's call-session id, or NULL */
  gboolean       muted;
  gboolean       camera_off;
} Slot;

typedef struct
{
  gint64 booking_id;
  gint64 user_ids[2];          /* mentor, student */
  Slot   slots[2];
} Room;

struct _McsSignaling
{
  GObject     parent_instance;

  McsServer  *server;          /* unowned: the server owns us */
  GHashTable *connections;     /* user id → GPtrArray of McsConnection */
  GHashTable *rooms;           /* booking id → Room */
  guint       expiry_id;
};

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
} Handler;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static JsonObject *
new_message (const char *type,
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

static void
set_node (JsonObject  *object,
          const char  *name,
          JsonBuilder *builder)
{
  json_object_set_member (object, name, json_builder_get_root (builder));
}

static int
slot_index (Room   *room,
            gint64  user_id)
{
  if (room->user_ids[0] == user_id)
    return 0;
  if (room->user_ids[1] == user_id)
    return 1;
  return -1;
}

static Room *
find_room (McsSignaling *self,
           gint64        booking_id)
{
  return g_hash_table_lookup (self->rooms, &booking_id);
}

static void
room_free (Room *room)
{
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&room->slots[i].connection);
      g_free (room->slots[i].instance);
    }
  g_free (room);
}

static gboolean
room_is_empty (Room *room)
{
  return room->slots[0].connection == NULL && room->slots[1].connection == NULL;
}

static GPtrArray *
user_connections (McsSignaling *self,
                  gint64        user_id)
{
  return g_hash_table_lookup (self->connections, &user_id);
}

static void
add_participant (JsonBuilder *builder,
                 Slot        *slot)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  mcs_view_add_user (builder, mcs_connection_get_user (slot->connection), FALSE);
  json_builder_set_member_name (builder, "muted");
  json_builder_add_boolean_value (builder, slot->muted);
  json_builder_set_member_name (builder, "camera_off");
  json_builder_add_boolean_value (builder, slot->camera_off);
  if (slot->instance != NULL)
    {
      json_builder_set_member_name (builder, "instance");
      json_builder_add_string_value (builder, slot->instance);
    }
  json_builder_end_object (builder);
}

static McsBooking *
load_booking (McsSignaling  *self,
              gint64         booking_id,
              GError       **error)
{
  return mcs_store_get_booking (mcs_server_get_store (self->server), booking_id, error);
}

/* Tells every connection of both participants that is not in the room who
 * is in it now, so that the app can say "your mentor started the lesson"
 * and offer to join or rejoin. */
static void
notify_presence (McsSignaling *self,
                 gint64        booking_id)
{
  g_autoptr(McsBooking) booking = load_booking (self, booking_id, NULL);
  gint64 user_ids[2];

  if (booking == NULL)
    return;

  user_ids[0] = booking->mentor->id;
  user_ids[1] = booking->student->id;

  for (guint u = 0; u < 2; u++)
    {
      GPtrArray *connections = user_connections (self, user_ids[u]);

      for (guint i = 0; connections != NULL && i < connections->len; i++)
        {
          McsConnection *connection = g_ptr_array_index (connections, i);
          g_autoptr(JsonObject) message = NULL;
          g_autoptr(JsonBuilder) participants = json_builder_new ();
          g_autoptr(JsonBuilder) call = json_builder_new ();

          if (mcs_connection_get_room (connection) == booking_id)
            continue;

          message = new_message ("presence", booking_id, NULL);
          json_builder_begin_array (participants);
          for (guint p = 0; booking->present != NULL && p < booking->present->len; p++)
            mcs_view_add_user (participants, g_ptr_array_index (booking->present, p), FALSE);
          json_builder_end_array (participants);
          set_node (message, "participants", participants);
          mcs_view_add_call (call, booking);
          set_node (message, "call", call);
          mcs_connection_send (connection, message);
        }
    }
}

/* Removes @connection from its room, records why, and tells the peer. */
static void
leave_room (McsSignaling  *self,
            McsConnection *connection,
            const char    *reason,
            gboolean       tell_peer)
{
  McsStore *store = mcs_server_get_store (self->server);
  gint64 booking_id = mcs_connection_get_room (connection);
  gint64 user_id = mcs_connection_get_user (connection)->id;
  g_autoptr(GError) error = NULL;
  Room *room;
  int index;

  if (booking_id == 0)
    return;

  mcs_connection_set_room (connection, 0);
  room = find_room (self, booking_id);
  if (room == NULL)
    return;

  index = slot_index (room, user_id);
  if (index < 0 || room->slots[index].connection != connection)
    return;

  g_clear_object (&room->slots[index].connection);
  g_clear_pointer (&room->slots[index].instance, g_free);
  room->slots[index].muted = FALSE;
  room->slots[index].camera_off = FALSE;

  if (!mcs_store_call_leave (store, booking_id, user_id, now_seconds (), reason, &error))
    g_warning ("Cannot record a leave: %s", error->message);

  if (tell_peer && room->slots[1 - index].connection != NULL)
    {
      g_autoptr(JsonObject) message = new_message ("peer-left", booking_id, NULL);

      json_object_set_int_member (message, "user_id", user_id);
      json_object_set_string_member (message, "reason", reason);
      mcs_connection_send (room->slots[1 - index].connection, message);
    }

  if (room_is_empty (room))
    g_hash_table_remove (self->rooms, &booking_id);

  notify_presence (self, booking_id);
}

/* Ends the call for both: records it, tells everyone in the room, and
 * closes the room. @ended_by is 0 when the call timed out. */
static gboolean
end_call (McsSignaling  *self,
          gint64         booking_id,
          gint64         ended_by,
          GError       **error)
{
  McsStore *store = mcs_server_get_store (self->server);
  g_autoptr(McsBooking) booking = NULL;
  g_autoptr(JsonBuilder) call = json_builder_new ();
  g_autoptr(JsonNode) call_node = NULL;
  Room *room;

  if (!mcs_store_call_end (store, booking_id, ended_by, now_seconds (), error))
    return FALSE;

  booking = load_booking (self, booking_id, error);
  if (booking == NULL)
    return FALSE;

  mcs_view_add_call (call, booking);
  call_node = json_builder_get_root (call);

  room = find_room (self, booking_id);
  for (guint i = 0; room != NULL && i < 2; i++)
    {
      McsConnection *connection = room->slots[i].connection;
      g_autoptr(JsonObject) ended = NULL;

      if (connection == NULL)
        continue;

      if (ended_by != 0 && mcs_connection_get_user (connection)->id != ended_by)
        {
          g_autoptr(JsonObject) left = new_message ("peer-left", booking_id, NULL);

          json_object_set_int_member (left, "user_id", ended_by);
          json_object_set_string_member (left, "reason", "ended");
          mcs_connection_send (connection, left);
        }

      ended = new_message ("ended", booking_id, NULL);
      if (ended_by != 0)
        json_object_set_int_member (ended, "by", ended_by);
      else
        json_object_set_null_member (ended, "by");
      json_object_set_member (ended, "call", json_node_copy (call_node));
      mcs_connection_send (connection, ended);
      mcs_connection_set_room (connection, 0);
    }

  g_hash_table_remove (self->rooms, &booking_id);
  g_message ("The call of booking %" G_GINT64_FORMAT " ended (%s)", booking_id,
             ended_by != 0 ? "ended by a participant" : "timed out");

  notify_presence (self, booking_id);
  mcs_signaling_booking_changed (self, booking_id);

  return TRUE;
}

static void
handle_join (McsSignaling  *self,
             McsConnection *connection,
             JsonObject    *message,
             const char    *request_id)
{
  McsStore *store = mcs_server_get_store (self->server);
  const McsUser *user = mcs_connection_get_user (connection);
  gint64 booking_id = json_object_get_int_member (message, "booking_id");
  gint64 chat_after = 0;
  g_autoptr(McCallTokenClaims) claims = NULL;
  g_autoptr(McsBooking) booking = NULL;
  g_autoptr(GPtrArray) chat = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonBuilder) participants = json_builder_new ();
  g_autoptr(JsonBuilder) call = json_builder_new ();
  g_autoptr(JsonBuilder) messages = json_builder_new ();
  gint64 last_seq = 0;
  Room *room;
  int index;

  if (mc_json_has (message, "chat_after"))
    chat_after = json_object_get_int_member (message, "chat_after");

  claims = mcs_call_token_verify (mcs_server_get_secret (self->server),
                                  json_object_get_string_member (message, "call_token"),
                                  now_seconds (), &error);
  if (claims == NULL)
    {
      mcs_connection_send_error (connection, error->code, error->message, request_id, NULL);
      return;
    }

  if (claims->booking_id != booking_id || claims->user_id != user->id)
    {
      mcs_connection_send_error (connection, MC_ERROR_CALL_TOKEN_INVALID,
                                 "This call token is for another booking or another user",
                                 request_id, NULL);
      return;
    }

  booking = load_booking (self, booking_id, &error);
  if (booking == NULL)
    {
      mcs_connection_send_error (connection, error->code, error->message, request_id, NULL);
      return;
    }

  index = booking->mentor->id == user->id ? 0 : booking->student->id == user->id ? 1 : -1;
  if (index < 0)
    {
      mcs_connection_send_error (connection, MC_ERROR_NOT_PARTICIPANT,
                                 "You are not a participant of this booking", request_id, NULL);
      return;
    }

  if (booking->has_call && booking->call_state == MC_CALL_ENDED)
    {
      mcs_connection_send_error (connection, MC_ERROR_CALL_ENDED,
                                 "This lesson's call has ended", request_id, NULL);
      return;
    }

  if (booking->status != MC_BOOKING_CONFIRMED || !booking->has_call)
    {
      mcs_connection_send_error (connection, MC_ERROR_BOOKING_NOT_CONFIRMED,
                                 "The booking is not confirmed", request_id, NULL);
      return;
    }

  /* One room per connection: joining another leaves the current one. */
  if (mcs_connection_get_room (connection) != 0 &&
      mcs_connection_get_room (connection) != booking_id)
    leave_room (self, connection, "left", TRUE);

  room = find_room (self, booking_id);
  if (room == NULL)
    {
      room = g_new0 (Room, 1);
      room->booking_id = booking_id;
      room->user_ids[0] = booking->mentor->id;
      room->user_ids[1] = booking->student->id;
      g_hash_table_insert (self->rooms, &room->booking_id, room);
    }

  if (room->slots[index].connection != NULL && room->slots[index].connection != connection)
    {
      /* The same user from somewhere else: the newer connection wins. */
      g_autoptr(McsConnection) old = g_object_ref (room->slots[index].connection);

      mcs_connection_send_error (old, MC_ERROR_TAKEN_OVER,
                                 "You joined this lesson from another window or device",
                                 NULL, NULL);
      mcs_connection_set_room (old, 0);
      g_clear_object (&room->slots[index].connection);
      g_clear_pointer (&room->slots[index].instance, g_free);
      if (!mcs_store_call_leave (store, booking_id, user->id, now_seconds (), "taken_over",
                                 &error))
        {
          g_warning ("Cannot record a takeover: %s", error->message);
          g_clear_error (&error);
        }
      mcs_connection_close (old, MCS_CLOSE_TAKEN_OVER, "taken over");
    }

  if (room->slots[index].connection == NULL)
    {
      room->slots[index].connection = g_object_ref (connection);
      room->slots[index].instance = mc_json_has (message, "instance")
                                      ? g_strdup (json_object_get_string_member (message, "instance"))
                                      : NULL;
      room->slots[index].muted = FALSE;
      room->slots[index].camera_off = FALSE;
      mcs_connection_set_room (connection, booking_id);

      if (!mcs_store_call_join (store, booking_id, user->id, now_seconds (), &error))
        {
          leave_room (self, connection, "left", FALSE);
          mcs_connection_send_error (connection, MC_ERROR_INTERNAL,
                                     "The server failed; try again", request_id, NULL);
          return;
        }

      if (room->slots[1 - index].connection != NULL)
        {
          g_autoptr(JsonObject) peer_joined = new_message ("peer-joined", booking_id, NULL);
          g_autoptr(JsonBuilder) joiner = json_builder_new ();

          mcs_view_add_user (joiner, user, FALSE);
          set_node (peer_joined, "user", joiner);
          json_object_set_boolean_member (peer_joined, "muted", FALSE);
          json_object_set_boolean_member (peer_joined, "camera_off", FALSE);
          if (room->slots[index].instance != NULL)
            json_object_set_string_member (peer_joined, "instance", room->slots[index].instance);
          mcs_connection_send (room->slots[1 - index].connection, peer_joined);
        }
    }

  /* Read back what the store now says: the call just became active. */
  mcs_booking_free (g_steal_pointer (&booking));
  booking = load_booking (self, booking_id, &error);
  chat = booking ? mcs_store_list_chat (store, booking_id, chat_after, JOIN_CHAT_LIMIT,
                                        &last_seq, &error)
                 : NULL;
  if (chat == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                                 request_id, NULL);
      return;
    }

  joined = new_message ("joined", booking_id, request_id);
  json_object_set_string_member (joined, "role", index == 0 ? "mentor" : "student");

  json_builder_begin_array (participants);
  for (guint i = 0; i < 2; i++)
    {
      if (room->slots[i].connection != NULL)
        add_participant (participants, &room->slots[i]);
    }
  json_builder_end_array (participants);
  set_node (joined, "participants", participants);

  mcs_view_add_call (call, booking);
  set_node (joined, "call", call);

  json_builder_begin_array (messages);
  for (guint i = 0; i < chat->len; i++)
    mcs_view_add_chat_message (messages, g_ptr_array_index (chat, i));
  json_builder_end_array (messages);
  set_node (joined, "chat", messages);
  json_object_set_int_member (joined, "chat_last_seq", last_seq);

  mcs_connection_send (connection, joined);
  notify_presence (self, booking_id);
}

/* Finds the room @connection is in for @message's booking; answers
 * not_in_room and returns NULL if it is not in it. */
static Room *
require_room (McsSignaling  *self,
              McsConnection *connection,
              JsonObject    *message,
              const char    *request_id,
              int           *index)
{
  gint64 booking_id = json_object_get_int_member (message, "booking_id");
  Room *room;

  if (mcs_connection_get_room (connection) != booking_id ||
      (room = find_room (self, booking_id)) == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_NOT_IN_ROOM,
                                 "Join the lesson's room first", request_id, NULL);
      return NULL;
    }

  *index = slot_index (room, mcs_connection_get_user (connection)->id);
  return room;
}

static void
handle_leave (McsSignaling  *self,
              McsConnection *connection,
              JsonObject    *message,
              const char    *request_id)
{
  gint64 booking_id = json_object_get_int_member (message, "booking_id");
  g_autoptr(JsonObject) left = NULL;
  int index;

  if (require_room (self, connection, message, request_id, &index) == NULL)
    return;

  leave_room (self, connection, "left", TRUE);

  left = new_message ("left", booking_id, request_id);
  mcs_connection_send (connection, left);
}

static void
handle_end (McsSignaling  *self,
            McsConnection *connection,
            JsonObject    *message,
            const char    *request_id)
{
  g_autoptr(GError) error = NULL;
  int index;

  if (require_room (self, connection, message, request_id, &index) == NULL)
    return;

  if (!end_call (self, json_object_get_int_member (message, "booking_id"),
                 mcs_connection_get_user (connection)->id, &error))
    mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                               request_id, NULL);
}

static void
handle_relay (McsSignaling  *self,
              McsConnection *connection,
              JsonObject    *message,
              const char    *request_id)
{
  g_autoptr(JsonObject) copy = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  Room *room;
  int index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  if (room->slots[1 - index].connection == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_NO_PEER,
                                 "The other participant is not in the room", request_id, NULL);
      return;
    }

  /* Verbatim, minus our own bookkeeping member, plus who sent it. */
  copy = json_object_new ();
  json_object_iter_init (&iter, message);
  while (json_object_iter_next (&iter, &name, &node))
    {
      if (!g_str_equal (name, "request_id"))
        json_object_set_member (copy, name, json_node_copy (node));
    }
  json_object_set_int_member (copy, "from", mcs_connection_get_user (connection)->id);

  mcs_connection_send (room->slots[1 - index].connection, copy);
}

static void
handle_media_state (McsSignaling  *self,
                    McsConnection *connection,
                    JsonObject    *message,
                    const char    *request_id)
{
  g_autoptr(JsonObject) state = NULL;
  Room *room;
  Slot *slot;
  int index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  slot = &room->slots[index];
  if (mc_json_has (message, "muted"))
    slot->muted = json_object_get_boolean_member (message, "muted");
  if (mc_json_has (message, "camera_off"))
    slot->camera_off = json_object_get_boolean_member (message, "camera_off");

  if (room->slots[1 - index].connection == NULL)
    return;

  state = new_message ("media-state", room->booking_id, NULL);
  json_object_set_int_member (state, "user_id", mcs_connection_get_user (connection)->id);
  json_object_set_boolean_member (state, "muted", slot->muted);
  json_object_set_boolean_member (state, "camera_off", slot->camera_off);
  mcs_connection_send (room->slots[1 - index].connection, state);
}

static void
send_chat_ack (McsConnection        *connection,
               const McsChatMessage *stored,
               const char           *request_id)
{
  g_autoptr(JsonObject) ack = new_message ("chat-ack", stored->booking_id, request_id);
  g_autofree char *sent_at = mc_json_format_time (stored->sent_at);

  json_object_set_string_member (ack, "client_id", stored->client_id);
  json_object_set_int_member (ack, "seq", stored->seq);
  json_object_set_string_member (ack, "sent_at", sent_at);
  mcs_connection_send (connection, ack);
}

static void
handle_chat (McsSignaling  *self,
             McsConnection *connection,
             JsonObject    *message,
             const char    *request_id)
{
  McsStore *store = mcs_server_get_store (self->server);
  g_autoptr(McsChatMessage) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean duplicate;
  Room *room;
  int index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  text = mcs_chat_check_text (json_object_get_string_member (message, "text"), &error);
  if (text == NULL)
    {
      g_autoptr(JsonObject) extra = json_object_new ();

      json_object_set_string_member (extra, "field", "text");
      mcs_connection_send_error (connection, error->code, error->message, request_id, extra);
      return;
    }

  stored = mcs_store_add_chat (store, room->booking_id, mcs_connection_get_user (connection)->id,
                               json_object_get_string_member (message, "client_id"), text,
                               now_seconds (), &duplicate, &error);
  if (stored == NULL)
    {
      mcs_connection_send_error (connection, error->domain == MC_ERROR ? error->code
                                                                      : MC_ERROR_INTERNAL,
                                 error->message, request_id, NULL);
      return;
    }

  send_chat_ack (connection, stored, request_id);

  if (!duplicate)
    mcs_signaling_chat_posted (self, stored);
}

static void
handle_history (McsSignaling  *self,
                McsConnection *connection,
                JsonObject    *message,
                const char    *request_id)
{
  McsStore *store = mcs_server_get_store (self->server);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonBuilder) messages = json_builder_new ();
  g_autoptr(GPtrArray) chat = NULL;
  g_autoptr(GError) error = NULL;
  gint64 after = 0, last_seq = 0;
  Room *room;
  int index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  if (mc_json_has (message, "after"))
    after = json_object_get_int_member (message, "after");

  chat = mcs_store_list_chat (store, room->booking_id, after, HISTORY_LIMIT, &last_seq, &error);
  if (chat == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                                 request_id, NULL);
      return;
    }

  reply = new_message ("history", room->booking_id, request_id);
  json_builder_begin_array (messages);
  for (guint i = 0; i < chat->len; i++)
    mcs_view_add_chat_message (messages, g_ptr_array_index (chat, i));
  json_builder_end_array (messages);
  set_node (reply, "messages", messages);
  json_object_set_int_member (reply, "last_seq", last_seq);
  mcs_connection_send (connection, reply);
}

static void
handle_ping (McsSignaling  *self,
             McsConnection *connection,
             JsonObject    *message,
             const char    *request_id)
{
  g_autoptr(JsonObject) pong = new_message ("pong", 0, request_id);

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

static const Handler handlers[] = {
  { "join", handle_join, join_rules, G_N_ELEMENTS (join_rules) },
  { "leave", handle_leave, booking_rules, G_N_ELEMENTS (booking_rules) },
  { "end", handle_end, booking_rules, G_N_ELEMENTS (booking_rules) },
  { "offer", handle_relay, sdp_rules, G_N_ELEMENTS (sdp_rules) },
  { "answer", handle_relay, sdp_rules, G_N_ELEMENTS (sdp_rules) },
  { "ice-candidate", handle_relay, candidate_rules, G_N_ELEMENTS (candidate_rules) },
  { "media-state", handle_media_state, media_state_rules, G_N_ELEMENTS (media_state_rules) },
  { "chat", handle_chat, chat_rules, G_N_ELEMENTS (chat_rules) },
  { "history", handle_history, history_rules, G_N_ELEMENTS (history_rules) },
  { "ping", handle_ping, NULL, 0 },
};

static void
connection_message_cb (McsConnection *connection,
                       JsonObject    *message,
                       McsSignaling  *self)
{
  static const McJsonRule envelope_rules[] = {
    { "type", MC_JSON_STRING, TRUE, 1, 64 },
    { "request_id", MC_JSON_STRING, FALSE, 1, 64 },
  };
  static const McJsonRule request_id_rule[] = {
    { "request_id", MC_JSON_STRING, FALSE, 1, 64 },
  };
  g_autoptr(GError) error = NULL;
  const char *request_id = NULL;
  const char *bad_member = NULL;
  const char *type;

  /* Find the request id first, so that even an error about the envelope
   * can be matched to its request. */
  if (mc_json_has (message, "request_id") &&
      mc_json_validate (message, request_id_rule, 1, NULL, NULL))
    request_id = json_object_get_string_member (message, "request_id");

  if (!mc_json_validate (message, envelope_rules, G_N_ELEMENTS (envelope_rules),
                         &bad_member, &error))
    {
      g_autoptr(JsonObject) extra = json_object_new ();

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
          g_autoptr(JsonObject) extra = json_object_new ();

          json_object_set_string_member (extra, "field", bad_member);
          mcs_connection_send_error (connection, MC_ERROR_INVALID_FIELD, error->message,
                                     request_id, extra);
          return;
        }

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
  gint64 user_id = mcs_connection_get_user (connection)->id;
  GPtrArray *connections;

  g_object_ref (connection);

  leave_room (self, connection, lost ? "connection_lost" : "left", TRUE);

  g_signal_handlers_disconnect_by_data (connection, self);
  connections = user_connections (self, user_id);
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
  McsSignaling *self = user_data;
  McsConfig *config = mcs_server_get_config (self->server);
  g_autoptr(GArray) expired = NULL;
  g_autoptr(GError) error = NULL;

  expired = mcs_store_list_expired_calls (mcs_server_get_store (self->server),
                                          now_seconds () - config->end_grace, &error);
  if (expired == NULL)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < expired->len; i++)
    {
      gint64 booking_id = g_array_index (expired, gint64, i);
      Room *room = find_room (self, booking_id);

      /* Never cut off a lesson that runs over while people are in it. */
      if (room != NULL && !room_is_empty (room))
        continue;

      if (!end_call (self, booking_id, 0, &error))
        {
          g_warning ("Cannot end the call of booking %" G_GINT64_FORMAT ": %s",
                     booking_id, error->message);
          g_clear_error (&error);
        }
    }

  return G_SOURCE_CONTINUE;
}

static void
mcs_signaling_dispose (GObject *object)
{
  McsSignaling *self = (McsSignaling *) object;

  g_clear_handle_id (&self->expiry_id, g_source_remove);
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
  self->rooms = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) room_free);
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
  guint closed;

  self->server = server;

  /* Nobody can be in a call before we serve: close what the last run left. */
  closed = mcs_store_close_attendance (mcs_server_get_store (server), now_seconds (),
                                       "server_restart");
  if (closed > 0)
    g_message ("Closed %u attendance records left open by the last run", closed);

  self->expiry_id = g_timeout_add_seconds (EXPIRY_INTERVAL_SECONDS, expiry_cb, self);

  return self;
}

/**
 * mcs_signaling_accept:
 * @self: the hub
 * @websocket: a freshly upgraded WebSocket
 * @user: who it authenticated as
 * @session_id: with which session
 *
 * Takes the connection in and greets it.
 */
void
mcs_signaling_accept (McsSignaling            *self,
                      SoupWebsocketConnection *websocket,
                      const McsUser           *user,
                      gint64                   session_id)
{
  McsConfig *config = mcs_server_get_config (self->server);
  McsConnection *connection = mcs_connection_new (websocket, user, session_id, config);
  g_autoptr(JsonObject) welcome = new_message ("welcome", 0, NULL);
  g_autoptr(JsonBuilder) user_builder = json_builder_new ();
  g_autofree char *server_time = mc_json_format_time (now_seconds ());
  GPtrArray *connections = user_connections (self, user->id);

  if (connections == NULL)
    {
      connections = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->connections, g_memdup2 (&user->id, sizeof user->id),
                           connections);
    }
  g_ptr_array_add (connections, connection);

  g_signal_connect (connection, "message", G_CALLBACK (connection_message_cb), self);
  g_signal_connect (connection, "gone", G_CALLBACK (connection_gone_cb), self);

  mcs_view_add_user (user_builder, user, FALSE);
  set_node (welcome, "user", user_builder);
  json_object_set_string_member (welcome, "server_time", server_time);
  json_object_set_int_member (welcome, "heartbeat_interval", config->heartbeat_interval);
  mcs_connection_send (connection, welcome);
}

guint
mcs_signaling_count_connections (McsSignaling *self,
                                 gint64        user_id)
{
  GPtrArray *connections = user_connections (self, user_id);

  return connections != NULL ? connections->len : 0;
}

/**
 * mcs_signaling_booking_changed:
 * @self: the hub
 * @booking_id: a booking that changed
 *
 * Tells both participants' connections, each with its own view; a
 * cancelled booking's running call ends.
 */
void
mcs_signaling_booking_changed (McsSignaling *self,
                               gint64        booking_id)
{
  McsConfig *config = mcs_server_get_config (self->server);
  g_autoptr(McsBooking) booking = load_booking (self, booking_id, NULL);
  const McsUser *users[2];
  Room *room;

  if (booking == NULL)
    return;

  room = find_room (self, booking_id);
  if (room != NULL && booking->status == MC_BOOKING_CANCELLED)
    {
      end_call (self, booking_id, 0, NULL);
      return;
    }

  users[0] = booking->mentor;
  users[1] = booking->student;

  for (guint u = 0; u < 2; u++)
    {
      GPtrArray *connections = user_connections (self, users[u]->id);

      for (guint i = 0; connections != NULL && i < connections->len; i++)
        {
          g_autoptr(JsonObject) message = new_message ("booking-changed", 0, NULL);
          g_autoptr(JsonBuilder) view = json_builder_new ();

          mcs_view_add_booking (view, booking, config, users[u], now_seconds ());
          set_node (message, "booking", view);
          mcs_connection_send (g_ptr_array_index (connections, i), message);
        }
    }
}

/**
 * mcs_signaling_chat_posted:
 * @self: the hub
 * @message: a newly stored message
 *
 * Delivers @message to the participants in the room other than its sender.
 */
void
mcs_signaling_chat_posted (McsSignaling         *self,
                           const McsChatMessage *message)
{
  Room *room = find_room (self, message->booking_id);
  g_autoptr(JsonObject) chat = NULL;
  g_autoptr(JsonBuilder) body = json_builder_new ();

  if (room == NULL)
    return;

  chat = new_message ("chat", message->booking_id, NULL);
  mcs_view_add_chat_message (body, message);
  set_node (chat, "message", body);

  for (guint i = 0; i < 2; i++)
    {
      McsConnection *connection = room->slots[i].connection;

      if (connection != NULL && mcs_connection_get_user (connection)->id != message->sender->id)
        mcs_connection_send (connection, chat);
    }
}

/**
 * mcs_signaling_session_ended:
 * @self: the hub
 * @session_id: a session that was revoked
 *
 * Closes the connections that authenticated with it.
 */
void
mcs_signaling_session_ended (McsSignaling *self,
                             gint64        session_id)
{
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  GPtrArray *connections;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &connections))
    {
      for (guint i = 0; i < connections->len; i++)
        {
          McsConnection *connection = g_ptr_array_index (connections, i);

          if (mcs_connection_get_session_id (connection) == session_id)
            g_ptr_array_add (doomed, g_object_ref (connection));
        }
    }

  for (guint i = 0; i < doomed->len; i++)
    mcs_connection_close (g_ptr_array_index (doomed, i), MCS_CLOSE_SESSION_ENDED,
                          "session ended");
}

/**
 * mcs_signaling_shutdown:
 * @self: the hub
 *
 * Says goodbye to every connection (1001), without recording leaves: the
 * next start closes the attendance records, and clients come back.
 */
void
mcs_signaling_shutdown (McsSignaling *self)
{
  GHashTableIter iter;
  GPtrArray *connections;

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
}
