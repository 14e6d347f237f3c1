/* mcs-signaling-rooms.c — call rooms: their slots, join, takeover, leave, end
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A room (one per booking) holds at most its two participants, one
 * connection each; see mcs-signaling.c for the whole picture. Here are the
 * room's slots and its life — join, takeover, leave, end — and the
 * messages that tell participants of them. What is sent inside a room is
 * in mcs-signaling-messages.c; a room whose two participants are on two
 * servers, in mcs-signaling-across.c.
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include "mcs-connection.h"
#include "mcs-crypto.h"
#include "mcs-server.h"
#include "mcs-signaling-private.h"
#include "mcs-views.h"

#define JOIN_CHAT_LIMIT 200

int
mcs_signaling_slot_index (Room  *room,
                          gint64 user_id)
{
  if (room->user_ids[0] == user_id)
    return 0;
  if (room->user_ids[1] == user_id)
    return 1;
  return -1;
}

Room *
mcs_signaling_find_room (McsSignaling *self,
                         gint64        booking_id)
{
  return g_hash_table_lookup (self->rooms, &booking_id);
}

void
mcs_signaling_slot_clear (Slot *slot)
{
  g_clear_object (&slot->connection);
  g_clear_pointer (&slot->node, g_free);
  g_clear_pointer (&slot->instance, g_free);
  slot->record = 0;
  slot->media = 0;
}

/* The members of a message that say what a participant sends. */
static const struct
{
  const char   *member;
  McsMediaFlags flag;
} media_members[] = {
  { "muted", MCS_MEDIA_MUTED },
  { "camera_off", MCS_MEDIA_CAMERA_OFF },
  { "screen", MCS_MEDIA_SCREEN }, /* the screen instead of the camera */
};

static void
set_media_members (JsonObject   *object,
                   McsMediaFlags media)
{
  for (guint i = 0; i < G_N_ELEMENTS (media_members); i++)
    json_object_set_boolean_member (object, media_members[i].member,
                                    (media & media_members[i].flag) != 0);
}

/* Sets what @slot's participant sends from the members @message has of
 * those a media-state message may have. */
void
mcs_signaling_slot_update_media (Slot       *slot,
                                 JsonObject *message)
{
  for (guint i = 0; i < G_N_ELEMENTS (media_members); i++)
    {
      if (!mc_json_has (message, media_members[i].member))
        continue;
      if (json_object_get_boolean_member (message, media_members[i].member))
        slot->media |= media_members[i].flag;
      else
        slot->media &= ~media_members[i].flag;
    }
}

/* Whether the participant of @slot is in the call, here or elsewhere. */
gboolean
mcs_signaling_slot_is_present (const Slot *slot)
{
  return slot->connection != NULL || slot->node != NULL;
}

void
mcs_signaling_room_free (Room *room)
{
  for (guint i = 0; i < 2; i++)
    mcs_signaling_slot_clear (&room->slots[i]);
  g_free (room);
}

gboolean
mcs_signaling_room_is_empty (Room *room)
{
  return room->slots[0].connection == NULL && room->slots[1].connection == NULL;
}

static void
add_participant (JsonBuilder   *builder,
                 const McsUser *user,
                 Slot          *slot)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  mcs_view_add_user (builder, user, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (media_members); i++)
    {
      json_builder_set_member_name (builder, media_members[i].member);
      json_builder_add_boolean_value (builder, (slot->media & media_members[i].flag) != 0);
    }
  if (slot->instance != NULL)
    {
      json_builder_set_member_name (builder, "instance");
      json_builder_add_string_value (builder, slot->instance);
    }
  json_builder_end_object (builder);
}

void
mcs_signaling_send_peer_left (McsConnection *connection,
                              gint64         booking_id,
                              gint64         user_id,
                              McLeaveReason  reason)
{
  g_autoptr (JsonObject) message = mcs_signaling_new_message ("peer-left", booking_id, NULL);

  json_object_set_int_member (message, "user_id", user_id);
  json_object_set_string_member (message, "reason", mc_leave_reason_to_string (reason));
  mcs_connection_send (connection, message);
}

void
mcs_signaling_send_peer_joined (McsConnection *connection,
                                gint64         booking_id,
                                const McsUser *user,
                                Slot          *slot)
{
  g_autoptr (JsonObject)  peer_joined = mcs_signaling_new_message ("peer-joined", booking_id, NULL);
  g_autoptr (JsonBuilder) joiner = json_builder_new ();

  mcs_view_add_user (joiner, user, FALSE);
  mcs_signaling_set_node (peer_joined, "user", joiner);
  set_media_members (peer_joined, slot->media);
  if (slot->instance != NULL)
    json_object_set_string_member (peer_joined, "instance", slot->instance);
  mcs_connection_send (connection, peer_joined);
}

void
mcs_signaling_send_media_state (McsConnection *connection,
                                gint64         booking_id,
                                gint64         user_id,
                                Slot          *slot)
{
  g_autoptr (JsonObject) state = mcs_signaling_new_message ("media-state", booking_id, NULL);

  json_object_set_int_member (state, "user_id", user_id);
  set_media_members (state, slot->media);
  mcs_connection_send (connection, state);
}

/* Removes @connection from its room, records why, and tells the peer,
 * here or on its server. */
void
mcs_signaling_leave_room (McsSignaling  *self,
                          McsConnection *connection,
                          McLeaveReason  reason,
                          gboolean       tell_peer)
{
  McsStore          *store = mcs_server_get_store (self->server);
  gint64             booking_id = mcs_connection_get_room (connection);
  gint64             user_id = mcs_connection_get_user (connection)->id;
  g_autoptr (GError) error = NULL;
  Room              *room;
  int                index;

  if (booking_id == 0)
    return;

  mcs_connection_set_room (connection, 0);
  room = mcs_signaling_find_room (self, booking_id);
  if (room == NULL)
    return;

  index = mcs_signaling_slot_index (room, user_id);
  if (index < 0 || room->slots[index].connection != connection)
    return;

  mcs_signaling_slot_clear (&room->slots[index]);

  if (!mcs_store_call_leave (store, booking_id, user_id, mcs_signaling_now (),
                             mc_leave_reason_to_string (reason), &error))
    g_warning ("Cannot record a leave: %s", error->message);

  if (tell_peer)
    {
      Slot *peer = &room->slots[1 - index];

      if (peer->connection != NULL)
        {
          mcs_signaling_send_peer_left (peer->connection, booking_id, user_id, reason);
        }
      else if (peer->node != NULL)
        {
          g_autoptr (JsonObject) members = json_object_new ();

          json_object_set_int_member (members, "user_id", user_id);
          json_object_set_string_member (members, "reason", mc_leave_reason_to_string (reason));
          mcs_signaling_tell_node (self, peer->node, MCS_ROOM_EVENT_LEFT, booking_id, members,
                                   NULL);
        }
    }

  if (mcs_signaling_room_is_empty (room))
    g_hash_table_remove (self->rooms, &booking_id);

  mcs_signaling_notify_presence (self, booking_id);
}

/* Tells @room's participants here that the call ended, with the call as
 * the store has it now, and takes them out of it; does nothing, returning
 * %FALSE, unless the store says it ended. */
gboolean
mcs_signaling_close_ended (McsSignaling *self,
                           Room         *room,
                           gint64        ended_by,
                           GError      **error)
{
  g_autoptr (McsBooking)  booking = NULL;
  g_autoptr (JsonBuilder) call = json_builder_new ();
  g_autoptr (JsonNode)    call_node = NULL;

  booking = mcs_signaling_load_booking (self, room->booking_id, error);
  if (booking == NULL || !booking->has_call || booking->call_state != MC_CALL_ENDED)
    return FALSE;

  mcs_view_add_call (call, booking);
  call_node = json_builder_get_root (call);

  for (guint i = 0; i < 2; i++)
    {
      McsConnection         *connection = room->slots[i].connection;
      g_autoptr (JsonObject) ended = NULL;

      if (connection == NULL)
        continue;

      if (ended_by != 0 && mcs_connection_get_user (connection)->id != ended_by)
        mcs_signaling_send_peer_left (connection, room->booking_id, ended_by, MC_LEAVE_REASON_ENDED);

      ended = mcs_signaling_new_message ("ended", room->booking_id, NULL);
      if (ended_by != 0)
        json_object_set_int_member (ended, "by", ended_by);
      else
        json_object_set_null_member (ended, "by");
      json_object_set_member (ended, "call", json_node_copy (call_node));
      mcs_connection_send (connection, ended);
      mcs_connection_set_room (connection, 0);
    }

  return TRUE;
}

/* Ends the call for both: records it, tells everyone in the room (here,
 * and through the server of a participant elsewhere), and closes the
 * room. @ended_by is 0 when the call timed out. */
gboolean
mcs_signaling_end_call (McsSignaling *self,
                        gint64        booking_id,
                        gint64        ended_by,
                        GError      **error)
{
  McsStore *store = mcs_server_get_store (self->server);
  Room     *room;

  if (!mcs_store_call_end (store, booking_id, ended_by, mcs_signaling_now (), error))
    return FALSE;

  room = mcs_signaling_find_room (self, booking_id);
  if (room != NULL)
    {
      if (!mcs_signaling_close_ended (self, room, ended_by, error) && error != NULL && *error != NULL)
        return FALSE;

      for (guint i = 0; i < 2; i++)
        {
          g_autoptr (JsonObject) members = json_object_new ();

          if (room->slots[i].node == NULL)
            continue;
          json_object_set_int_member (members, "by", ended_by);
          mcs_signaling_tell_node (self, room->slots[i].node, MCS_ROOM_EVENT_ENDED, booking_id,
                                   members, NULL);
        }

      g_hash_table_remove (self->rooms, &booking_id);
    }

  g_message ("The call of booking %" G_GINT64_FORMAT " ended (%s)", booking_id,
             ended_by != 0 ? "ended by a participant" : "timed out");

  mcs_signaling_notify_presence (self, booking_id);
  mcs_signaling_booking_changed (self, booking_id);

  return TRUE;
}

/* Join, step 1: checks that @connection's user may join the booking now,
 * from what the store says at this moment, not only from the call token's
 * claims: a token issued before the booking was cancelled, moved or ended
 * must not open its room. On refusal the error has been sent and %NULL is
 * returned; otherwise the booking, with the user's slot in @index. */
static McsBooking *
check_join (McsSignaling  *self,
            McsConnection *connection,
            JsonObject    *message,
            const char    *request_id,
            int           *index)
{
  McsConfig                    *config = mcs_server_get_config (self->server);
  const McsUser                *user = mcs_connection_get_user (connection);
  gint64                        booking_id = json_object_get_int_member (message, "booking_id");
  gint64                        now = mcs_signaling_now ();
  g_autoptr (McCallTokenClaims) claims = NULL;
  g_autoptr (McsBooking)        booking = NULL;
  g_autoptr (GError)            error = NULL;

  claims = mcs_call_token_verify (mcs_server_get_secret (self->server),
                                  json_object_get_string_member (message, "call_token"), now,
                                  &error);
  if (claims == NULL)
    {
      mcs_connection_send_error (connection, error->code, error->message, request_id, NULL);
      return NULL;
    }

  if (claims->booking_id != booking_id || claims->user_id != user->id)
    {
      mcs_connection_send_error (connection, MC_ERROR_CALL_TOKEN_INVALID,
                                 "This call token is for another booking or another user",
                                 request_id, NULL);
      return NULL;
    }

  booking = mcs_signaling_load_booking (self, booking_id, &error);
  if (booking == NULL)
    {
      mcs_connection_send_error (connection, error->code, error->message, request_id, NULL);
      return NULL;
    }

  *index = booking->mentor->id == user->id ? 0 : booking->student->id == user->id ? 1
                                                                                  : -1;
  if (*index < 0)
    {
      mcs_connection_send_error (connection, MC_ERROR_NOT_PARTICIPANT,
                                 "You are not a participant of this booking", request_id, NULL);
      return NULL;
    }

  if (booking->has_call && booking->call_state == MC_CALL_ENDED)
    {
      mcs_connection_send_error (connection, MC_ERROR_CALL_ENDED,
                                 "This lesson's call has ended", request_id, NULL);
      return NULL;
    }

  if (booking->status != MC_BOOKING_CONFIRMED || !booking->has_call)
    {
      mcs_connection_send_error (connection, MC_ERROR_BOOKING_NOT_CONFIRMED,
                                 "The booking is not confirmed", request_id, NULL);
      return NULL;
    }

  if (!mcs_booking_is_joinable (booking, config, now))
    {
      g_autoptr (JsonObject)  extra = json_object_new ();
      g_autoptr (JsonBuilder) window = json_builder_new ();
      gint64                  opens_at, closes_at;

      mcs_booking_get_join_window (booking, config, &opens_at, &closes_at);
      mcs_view_add_join_window (window, booking, config, now);
      mcs_signaling_set_node (extra, "join_window", window);
      mcs_connection_send_error (connection, MC_ERROR_OUTSIDE_JOIN_WINDOW,
                                 now < opens_at ? "The lesson cannot be joined yet"
                                                : "The lesson can no longer be joined",
                                 request_id, extra);
      return NULL;
    }

  return g_steal_pointer (&booking);
}

/* Join, step 2: the booking's room, made when its first participant comes. */
static Room *
ensure_room (McsSignaling     *self,
             const McsBooking *booking)
{
  Room *room = mcs_signaling_find_room (self, booking->id);

  if (room == NULL)
    {
      room = g_new0 (Room, 1);
      room->booking_id = booking->id;
      room->user_ids[0] = booking->mentor->id;
      room->user_ids[1] = booking->student->id;
      g_hash_table_insert (self->rooms, &room->booking_id, room);
    }

  return room;
}

/* Closes the connection in @slot, which another one of the same user
 * (another window or device, here or through another server) replaces:
 * it is told why and closed with 4000. */
void
mcs_signaling_close_taken_over (Slot *slot)
{
  g_autoptr (McsConnection) old = g_steal_pointer (&slot->connection);

  mcs_signaling_slot_clear (slot);
  mcs_connection_send_error (old, MC_ERROR_TAKEN_OVER,
                             "You joined this lesson from another window or device", NULL, NULL);
  mcs_connection_set_room (old, 0);
  mcs_connection_close (old, MCS_CLOSE_TAKEN_OVER, "taken over");
}

/* Join, step 3: the same user in the same room from another connection
 * here (another window or device) loses the slot to @connection: the newer
 * connection wins. (One on another server is taken over in step 5,
 * mcs_signaling_join_elsewhere ().) */
static void
take_over (McsSignaling  *self,
           Room          *room,
           int            index,
           McsConnection *connection)
{
  McsStore          *store = mcs_server_get_store (self->server);
  gint64             user_id = mcs_connection_get_user (connection)->id;
  Slot              *slot = &room->slots[index];
  g_autoptr (GError) error = NULL;

  if (slot->connection == NULL || slot->connection == connection)
    return;

  mcs_signaling_close_taken_over (slot);
  if (!mcs_store_call_leave (store, room->booking_id, user_id, mcs_signaling_now (), "taken_over",
                             &error))
    g_warning ("Cannot record a takeover: %s", error->message);
}

/* Join, step 4: puts @connection into its free slot, records the join
 * (which makes an idle call active) and tells the peer. Returns %FALSE,
 * with the error sent, if the store failed. A connection already in the
 * slot (a repeated join) changes nothing. */
static gboolean
occupy (McsSignaling  *self,
        Room          *room,
        int            index,
        McsConnection *connection,
        JsonObject    *message,
        const char    *request_id)
{
  McsStore          *store = mcs_server_get_store (self->server);
  const McsUser     *user = mcs_connection_get_user (connection);
  Slot              *slot = &room->slots[index];
  Slot              *peer = &room->slots[1 - index];
  g_autoptr (GError) error = NULL;

  if (slot->connection != NULL)
    return TRUE;

  mcs_signaling_slot_clear (slot);
  slot->connection = g_object_ref (connection);
  slot->instance = mc_json_has (message, "instance")
                     ? g_strdup (json_object_get_string_member (message, "instance"))
                     : NULL;
  mcs_connection_set_room (connection, room->booking_id);

  if (!mcs_store_call_join (store, room->booking_id, user->id, slot->instance,
                            mcs_signaling_now (), &slot->record, &error))
    {
      mcs_signaling_leave_room (self, connection, MC_LEAVE_REASON_LEFT, FALSE);
      mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                                 request_id, NULL);
      return FALSE;
    }

  if (peer->connection != NULL)
    mcs_signaling_send_peer_joined (peer->connection, room->booking_id, user, slot);

  return TRUE;
}

/* Join, step 6: "joined", with who is in the room (here or elsewhere), the
 * call as the store now has it (the join just made it active) and the chat
 * since @chat_after; then presence for the participants' other
 * connections. */
static void
reply_joined (McsSignaling  *self,
              Room          *room,
              int            index,
              McsConnection *connection,
              gint64         chat_after,
              const char    *request_id)
{
  McsStore               *store = mcs_server_get_store (self->server);
  g_autoptr (McsBooking)  booking = NULL;
  g_autoptr (GPtrArray)   chat = NULL;
  g_autoptr (GError)      error = NULL;
  g_autoptr (JsonObject)  joined = NULL;
  g_autoptr (JsonBuilder) participants = json_builder_new ();
  g_autoptr (JsonBuilder) call = json_builder_new ();
  g_autoptr (JsonBuilder) messages = json_builder_new ();
  gint64                  booking_id = room->booking_id;
  gint64                  last_seq = 0;

  booking = mcs_signaling_load_booking (self, booking_id, &error);
  chat = booking ? mcs_store_list_chat (store, booking_id, chat_after, JOIN_CHAT_LIMIT,
                                        &last_seq, &error)
                 : NULL;
  if (chat == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                                 request_id, NULL);
      return;
    }

  joined = mcs_signaling_new_message ("joined", booking_id, request_id);
  json_object_set_string_member (joined, "role", index == 0 ? "mentor" : "student");

  json_builder_begin_array (participants);
  for (guint i = 0; i < 2; i++)
    {
      if (mcs_signaling_slot_is_present (&room->slots[i]))
        add_participant (participants, i == 0 ? booking->mentor : booking->student,
                         &room->slots[i]);
    }
  json_builder_end_array (participants);
  mcs_signaling_set_node (joined, "participants", participants);

  mcs_view_add_call (call, booking);
  mcs_signaling_set_node (joined, "call", call);

  json_builder_begin_array (messages);
  for (guint i = 0; i < chat->len; i++)
    mcs_view_add_chat_message (messages, g_ptr_array_index (chat, i));
  json_builder_end_array (messages);
  mcs_signaling_set_node (joined, "chat", messages);
  json_object_set_int_member (joined, "chat_last_seq", last_seq);

  mcs_connection_send (connection, joined);
  mcs_signaling_notify_presence (self, booking_id);
}

void
mcs_signaling_handle_join (McsSignaling  *self,
                           McsConnection *connection,
                           JsonObject    *message,
                           const char    *request_id)
{
  g_autoptr (McsBooking) booking = NULL;
  gint64                 chat_after = 0;
  gboolean               again;
  Room                  *room;
  int                    index;

  if (mc_json_has (message, "chat_after"))
    chat_after = json_object_get_int_member (message, "chat_after");

  booking = check_join (self, connection, message, request_id, &index);
  if (booking == NULL)
    return;

  /* One room per connection: joining another leaves the current one. */
  if (mcs_connection_get_room (connection) != 0 &&
      mcs_connection_get_room (connection) != booking->id)
    mcs_signaling_leave_room (self, connection, MC_LEAVE_REASON_LEFT, TRUE);

  room = ensure_room (self, booking);
  again = room->slots[index].connection == connection;
  take_over (self, room, index, connection);
  if (!occupy (self, room, index, connection, message, request_id))
    return;

  /* A repeated join on the same connection reads the others again (what
   * it missed, say while this server could not hear them), but tells them
   * nothing new. */
  mcs_signaling_join_elsewhere (self, room, index, !again);
  reply_joined (self, room, index, connection, chat_after, request_id);
}

/* Finds the room @connection is in for @message's booking; answers
 * not_in_room and returns NULL if it is not in it. */
Room *
mcs_signaling_require_room (McsSignaling  *self,
                            McsConnection *connection,
                            JsonObject    *message,
                            const char    *request_id,
                            int           *index)
{
  gint64 booking_id = json_object_get_int_member (message, "booking_id");
  Room  *room;

  if (mcs_connection_get_room (connection) != booking_id ||
      (room = mcs_signaling_find_room (self, booking_id)) == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_NOT_IN_ROOM,
                                 "Join the lesson's room first", request_id, NULL);
      return NULL;
    }

  *index = mcs_signaling_slot_index (room, mcs_connection_get_user (connection)->id);
  return room;
}

void
mcs_signaling_handle_leave (McsSignaling  *self,
                            McsConnection *connection,
                            JsonObject    *message,
                            const char    *request_id)
{
  gint64                 booking_id = json_object_get_int_member (message, "booking_id");
  g_autoptr (JsonObject) left = NULL;
  int                    index;

  if (mcs_signaling_require_room (self, connection, message, request_id, &index) == NULL)
    return;

  mcs_signaling_leave_room (self, connection, MC_LEAVE_REASON_LEFT, TRUE);

  left = mcs_signaling_new_message ("left", booking_id, request_id);
  mcs_connection_send (connection, left);
}

void
mcs_signaling_handle_end (McsSignaling  *self,
                          McsConnection *connection,
                          JsonObject    *message,
                          const char    *request_id)
{
  g_autoptr (GError) error = NULL;
  int                index;

  if (mcs_signaling_require_room (self, connection, message, request_id, &index) == NULL)
    return;

  if (!mcs_signaling_end_call (self, json_object_get_int_member (message, "booking_id"),
                               mcs_connection_get_user (connection)->id, &error))
    mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                               request_id, NULL);
}
