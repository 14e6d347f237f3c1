/* mcs-signaling-rooms.c — call rooms: join, leave, end, relay and chat
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A room (one per booking) holds at most its two participants, one
 * connection each; see mcs-signaling.c for the whole picture. Here are the
 * room's life — join, takeover, leave, end — and what is sent inside it:
 * relayed offers, answers and ICE candidates, media state, and chat, which
 * is stored before it is acknowledged and delivered.
 *
 * On a PostgreSQL database shared by several servers, a lesson's two
 * participants may be on different servers. Each server's room holds its
 * own participant's connection, and in the other slot the server that
 * holds the other participant (Slot.node), as the store's open attendance
 * records tell it at join (mcs_store_call_list_elsewhere (), with the
 * client's instance and media state). What one participant's server must
 * tell the other's goes on that server's channel (McsRoomEvent,
 * mcs_signaling_tell_node ()) and is acted on in mcs_signaling_room_heard ():
 * the same messages reach the same clients as when both are here.
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include <string.h>

#include "mcs-connection.h"
#include "mcs-crypto.h"
#include "mcs-server.h"
#include "mcs-signaling-private.h"
#include "mcs-views.h"

#define JOIN_CHAT_LIMIT 200
#define HISTORY_LIMIT   500

static int
slot_index (Room  *room,
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

static void
slot_clear (Slot *slot)
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

/* Whether the participant of @slot is in the call, here or elsewhere. */
static gboolean
slot_is_present (const Slot *slot)
{
  return slot->connection != NULL || slot->node != NULL;
}

void
mcs_signaling_room_free (Room *room)
{
  for (guint i = 0; i < 2; i++)
    slot_clear (&room->slots[i]);
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

static void
send_peer_left (McsConnection *connection,
                gint64         booking_id,
                gint64         user_id,
                McLeaveReason  reason)
{
  g_autoptr (JsonObject) message = mcs_signaling_new_message ("peer-left", booking_id, NULL);

  json_object_set_int_member (message, "user_id", user_id);
  json_object_set_string_member (message, "reason", mc_leave_reason_to_string (reason));
  mcs_connection_send (connection, message);
}

static void
send_peer_joined (McsConnection *connection,
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

static void
send_media_state (McsConnection *connection,
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

  index = slot_index (room, user_id);
  if (index < 0 || room->slots[index].connection != connection)
    return;

  slot_clear (&room->slots[index]);

  if (!mcs_store_call_leave (store, booking_id, user_id, mcs_signaling_now (),
                             mc_leave_reason_to_string (reason), &error))
    g_warning ("Cannot record a leave: %s", error->message);

  if (tell_peer)
    {
      Slot *peer = &room->slots[1 - index];

      if (peer->connection != NULL)
        {
          send_peer_left (peer->connection, booking_id, user_id, reason);
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
static gboolean
close_ended (McsSignaling *self,
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
        send_peer_left (connection, room->booking_id, ended_by, MC_LEAVE_REASON_ENDED);

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
      if (!close_ended (self, room, ended_by, error) && error != NULL && *error != NULL)
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

/* Whether @attendees (from mcs_store_call_list_elsewhere ()) has @user_id. */
static McsAttendee *
find_attendee (GPtrArray *attendees,
               gint64     user_id)
{
  McsAttendee *found = NULL;

  /* Oldest first: the newest record wins. */
  for (guint i = 0; attendees != NULL && i < attendees->len; i++)
    {
      McsAttendee *attendee = g_ptr_array_index (attendees, i);

      if (attendee->user_id == user_id)
        found = attendee;
    }

  return found;
}

/* Closes the connection in @slot, which another one of the same user
 * (another window or device, here or through another server) replaces:
 * it is told why and closed with 4000. */
static void
close_taken_over (Slot *slot)
{
  g_autoptr (McsConnection) old = g_steal_pointer (&slot->connection);

  slot_clear (slot);
  mcs_connection_send_error (old, MC_ERROR_TAKEN_OVER,
                             "You joined this lesson from another window or device", NULL, NULL);
  mcs_connection_set_room (old, 0);
  mcs_connection_close (old, MCS_CLOSE_TAKEN_OVER, "taken over");
}

/* Join, step 3: the same user in the same room from another connection
 * here (another window or device) loses the slot to @connection: the newer
 * connection wins. (One on another server is taken over in step 5.) */
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

  close_taken_over (slot);
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

  slot_clear (slot);
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
    send_peer_joined (peer->connection, room->booking_id, user, slot);

  return TRUE;
}

/* Join, step 5: on a database shared with other servers, who is in the
 * call through them, read once this server's own record is in (so that of
 * two participants joining on two servers at once, the second sees the
 * first, and tells it). The joining user's own records there close as
 * `taken_over` (their servers close the connections when they hear of the
 * join, tell_elsewhere ()); the other participant's fills their slot, if
 * they are not here. Returns the participants elsewhere, or %NULL. */
static GPtrArray *
find_elsewhere (McsSignaling *self,
                Room         *room,
                int           index)
{
  McsStore             *store = mcs_server_get_store (self->server);
  Slot                 *peer = &room->slots[1 - index];
  g_autoptr (GPtrArray) elsewhere = NULL;
  g_autoptr (GError)    error = NULL;
  McsAttendee          *attendee;

  if (!self->publishing)
    return NULL;

  elsewhere = mcs_store_call_list_elsewhere (store, room->booking_id, &error);
  if (elsewhere == NULL)
    {
      g_message ("Cannot read who is in booking %" G_GINT64_FORMAT " on other servers: %s",
                 room->booking_id, error->message);
      return NULL;
    }

  /* Only older records (the store's cutoff): of two joins by one user on
   * two servers at once, the later one wins on both (heard_joined ()). */
  if (find_attendee (elsewhere, room->user_ids[index]) != NULL &&
      !mcs_store_call_take_over (store, room->booking_id, room->user_ids[index],
                                 room->slots[index].record, mcs_signaling_now (), &error))
    g_warning ("Cannot record a takeover: %s", error->message);

  if (peer->connection == NULL)
    {
      slot_clear (peer);
      attendee = find_attendee (elsewhere, room->user_ids[1 - index]);
      if (attendee != NULL)
        {
          peer->node = g_strdup (attendee->node);
          peer->instance = g_strdup (attendee->instance);
          peer->record = attendee->record;
          peer->media = attendee->media;
        }
    }

  return g_steal_pointer (&elsewhere);
}

/* Tells each server of @attendees (from mcs_store_call_list_elsewhere ())
 * of @event in @booking_id once, however many of them it holds. */
static void
tell_servers (McsSignaling *self,
              GPtrArray    *attendees,
              McsRoomEvent  event,
              gint64        booking_id,
              JsonObject   *members)
{
  g_autoptr (GHashTable) told = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; attendees != NULL && i < attendees->len; i++)
    {
      McsAttendee *attendee = g_ptr_array_index (attendees, i);

      if (g_hash_table_add (told, attendee->node))
        mcs_signaling_tell_node (self, attendee->node, event, booking_id, members, NULL);
    }
}

/* Join, step 6: the servers in @elsewhere hear that the participant of
 * slot @index joined here: the other participant's tells them, an
 * earlier connection of the same one's closes it. */
static void
tell_elsewhere (McsSignaling *self,
                Room         *room,
                int           index,
                GPtrArray    *elsewhere)
{
  Slot                  *slot = &room->slots[index];
  g_autoptr (JsonObject) members = json_object_new ();

  json_object_set_int_member (members, "user_id", room->user_ids[index]);
  json_object_set_int_member (members, "record", slot->record);
  if (slot->instance != NULL)
    json_object_set_string_member (members, "instance", slot->instance);
  tell_servers (self, elsewhere, MCS_ROOM_EVENT_JOINED, room->booking_id, members);
}

/* Join, step 7: "joined", with who is in the room (here or elsewhere), the
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
      if (slot_is_present (&room->slots[i]))
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
  g_autoptr (GPtrArray)  elsewhere = NULL;
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
  elsewhere = find_elsewhere (self, room, index);
  if (!again)
    tell_elsewhere (self, room, index, elsewhere);
  reply_joined (self, room, index, connection, chat_after, request_id);
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
  Room  *room;

  if (mcs_connection_get_room (connection) != booking_id ||
      (room = mcs_signaling_find_room (self, booking_id)) == NULL)
    {
      mcs_connection_send_error (connection, MC_ERROR_NOT_IN_ROOM,
                                 "Join the lesson's room first", request_id, NULL);
      return NULL;
    }

  *index = slot_index (room, mcs_connection_get_user (connection)->id);
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

  if (require_room (self, connection, message, request_id, &index) == NULL)
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

  if (require_room (self, connection, message, request_id, &index) == NULL)
    return;

  if (!mcs_signaling_end_call (self, json_object_get_int_member (message, "booking_id"),
                               mcs_connection_get_user (connection)->id, &error))
    mcs_connection_send_error (connection, MC_ERROR_INTERNAL, "The server failed; try again",
                               request_id, NULL);
}

/* @message as the peer gets it: verbatim, minus our own bookkeeping
 * member, plus who sent it. Most messages have neither a request id nor a
 * "from" of their own: then the text itself is relayed with "from" put in
 * front, without building and writing a copy. The text passed the strict
 * scanner, so the result is strict JSON too. */
static char *
relayed_text (McsConnection *connection,
              JsonObject    *message)
{
  gint64                 from = mcs_connection_get_user (connection)->id;
  g_autoptr (JsonObject) copy = NULL;
  g_autoptr (JsonNode)   root = NULL;
  const char            *text;
  gsize                  length = 0;

  text = mcs_connection_get_message_text (connection, &length);
  if (text != NULL && !mc_json_has (message, "request_id") && !mc_json_has (message, "from"))
    {
      GString    *relayed = g_string_sized_new (length + 32);
      const char *brace = memchr (text, '{', length);

      /* The text is an object: a '{' after optional white space. */
      g_assert (brace != NULL);
      g_string_append_printf (relayed, "{\"from\":%" G_GINT64_FORMAT ",", from);
      g_string_append_len (relayed, brace + 1, length - (brace + 1 - text));
      return g_string_free (relayed, FALSE);
    }

  copy = json_object_new ();
  mcs_view_merge_members (copy, message, "request_id");
  json_object_set_int_member (copy, "from", from);
  root = json_node_init_object (json_node_alloc (), copy);
  return json_to_string (root, FALSE);
}

void
mcs_signaling_handle_relay (McsSignaling  *self,
                            McsConnection *connection,
                            JsonObject    *message,
                            const char    *request_id)
{
  g_autofree char *relayed = NULL;
  Room            *room;
  Slot            *peer;
  int              index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  peer = &room->slots[1 - index];
  if (!slot_is_present (peer))
    {
      mcs_connection_send_error (connection, MC_ERROR_NO_PEER,
                                 "The other participant is not in the room", request_id, NULL);
      return;
    }

  relayed = relayed_text (connection, message);
  if (peer->connection != NULL)
    {
      mcs_connection_send_text (peer->connection, relayed);
    }
  else
    {
      g_autoptr (JsonObject) members = json_object_new ();

      json_object_set_int_member (members, "user_id", mcs_connection_get_user (connection)->id);
      mcs_signaling_tell_node (self, peer->node, MCS_ROOM_EVENT_RELAY, room->booking_id, members,
                               relayed);
    }
}

void
mcs_signaling_handle_media_state (McsSignaling  *self,
                                  McsConnection *connection,
                                  JsonObject    *message,
                                  const char    *request_id)
{
  gint64             user_id = mcs_connection_get_user (connection)->id;
  g_autoptr (GError) error = NULL;
  Room              *room;
  Slot              *slot;
  Slot              *peer;
  int                index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  slot = &room->slots[index];
  for (guint i = 0; i < G_N_ELEMENTS (media_members); i++)
    {
      if (!mc_json_has (message, media_members[i].member))
        continue;
      if (json_object_get_boolean_member (message, media_members[i].member))
        slot->media |= media_members[i].flag;
      else
        slot->media &= ~media_members[i].flag;
    }

  /* For a server that puts the other participant in the call later. */
  if (self->publishing && !mcs_store_call_set_media (mcs_server_get_store (self->server),
                                                     room->booking_id, user_id,
                                                     slot->media, &error))
    g_message ("Cannot record media state: %s", error->message);

  peer = &room->slots[1 - index];
  if (peer->connection != NULL)
    {
      send_media_state (peer->connection, room->booking_id, user_id, slot);
    }
  else if (peer->node != NULL)
    {
      g_autoptr (JsonObject) members = json_object_new ();

      json_object_set_int_member (members, "user_id", user_id);
      json_object_set_int_member (members, "media", slot->media);
      mcs_signaling_tell_node (self, peer->node, MCS_ROOM_EVENT_MEDIA, room->booking_id, members,
                               NULL);
    }
}

static void
send_chat_ack (McsConnection        *connection,
               const McsChatMessage *stored,
               const char           *request_id)
{
  g_autoptr (JsonObject) ack = NULL;
  g_autofree char       *sent_at = mc_json_format_time (stored->sent_at);

  ack = mcs_signaling_new_message ("chat-ack", stored->booking_id, request_id);

  json_object_set_string_member (ack, "client_id", stored->client_id);
  json_object_set_int_member (ack, "seq", stored->seq);
  json_object_set_string_member (ack, "sent_at", sent_at);
  mcs_connection_send (connection, ack);
}

void
mcs_signaling_handle_chat (McsSignaling  *self,
                           McsConnection *connection,
                           JsonObject    *message,
                           const char    *request_id)
{
  McsStore                  *store = mcs_server_get_store (self->server);
  g_autoptr (McsChatMessage) stored = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *text = NULL;
  gboolean                   duplicate;
  Room                      *room;
  int                        index;

  room = require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  text = mcs_chat_check_text (json_object_get_string_member (message, "text"), &error);
  if (text == NULL)
    {
      g_autoptr (JsonObject) extra = json_object_new ();

      json_object_set_string_member (extra, "field", "text");
      mcs_connection_send_error (connection, error->code, error->message, request_id, extra);
      return;
    }

  stored = mcs_store_add_chat (store, room->booking_id, mcs_connection_get_user (connection)->id,
                               json_object_get_string_member (message, "client_id"), text,
                               mcs_signaling_now (), &duplicate, &error);
  if (stored == NULL)
    {
      mcs_connection_send_error (connection, error->domain == MC_ERROR ? error->code : MC_ERROR_INTERNAL,
                                 error->message, request_id, NULL);
      return;
    }

  send_chat_ack (connection, stored, request_id);

  if (!duplicate)
    mcs_signaling_chat_posted (self, stored, connection);
}

void
mcs_signaling_handle_history (McsSignaling  *self,
                              McsConnection *connection,
                              JsonObject    *message,
                              const char    *request_id)
{
  McsStore               *store = mcs_server_get_store (self->server);
  g_autoptr (JsonObject)  reply = NULL;
  g_autoptr (JsonBuilder) messages = json_builder_new ();
  g_autoptr (GPtrArray)   chat = NULL;
  g_autoptr (GError)      error = NULL;
  gint64                  after = 0, last_seq = 0;
  Room                   *room;
  int                     index;

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

  reply = mcs_signaling_new_message ("history", room->booking_id, request_id);
  json_builder_begin_array (messages);
  for (guint i = 0; i < chat->len; i++)
    mcs_view_add_chat_message (messages, g_ptr_array_index (chat, i));
  json_builder_end_array (messages);
  mcs_signaling_set_node (reply, "messages", messages);
  json_object_set_int_member (reply, "last_seq", last_seq);
  mcs_connection_send (connection, reply);
}

/* Delivers @message to every connection in @room but @origin. */
static void
deliver_chat (Room                 *room,
              const McsChatMessage *message,
              McsConnection        *origin)
{
  g_autoptr (JsonObject)  chat = mcs_signaling_new_message ("chat", message->booking_id, NULL);
  g_autoptr (JsonBuilder) body = json_builder_new ();

  mcs_view_add_chat_message (body, message);
  mcs_signaling_set_node (chat, "message", body);

  for (guint i = 0; i < 2; i++)
    {
      McsConnection *connection = room->slots[i].connection;

      if (connection != NULL && connection != origin)
        mcs_connection_send (connection, chat);
    }
}

/**
 * mcs_signaling_chat_posted:
 * @self: the hub
 * @message: a newly stored message
 * @origin: (nullable): the connection that sent it, which has its ack
 *   already; %NULL when it came over HTTP
 *
 * Delivers @message to every connection in the room but @origin: the other
 * participant, and the sender's own connection too when the message came
 * from another of their clients (over HTTP, from a phone or a browser tab
 * outside the call), here and through the other servers the participants
 * are in the call on. Its seq and client_id let each client show it once.
 */
void
mcs_signaling_chat_posted (McsSignaling         *self,
                           const McsChatMessage *message,
                           McsConnection        *origin)
{
  Room                  *room = mcs_signaling_find_room (self, message->booking_id);
  g_autoptr (GPtrArray)  elsewhere = NULL;
  g_autoptr (JsonObject) members = NULL;
  g_autoptr (GError)     error = NULL;

  if (room != NULL)
    deliver_chat (room, message, origin);

  if (!self->publishing)
    return;

  /* A message posted over HTTP may reach a server with no room for it:
   * the store says where the participants are. */
  elsewhere = mcs_store_call_list_elsewhere (mcs_server_get_store (self->server),
                                             message->booking_id, &error);
  if (elsewhere == NULL)
    {
      g_message ("Cannot tell the other servers of a chat message: %s", error->message);
      return;
    }

  members = json_object_new ();
  json_object_set_int_member (members, "seq", message->seq);
  tell_servers (self, elsewhere, MCS_ROOM_EVENT_CHAT, message->booking_id, members);
}

/* Rooms across servers */

/* What each room event holds besides "node", "event" and "booking_id". */
static const McJsonRule user_rules[] = {
  { "user_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "record", MC_JSON_INT, FALSE, 1, G_MAXINT64 },
  { "instance", MC_JSON_STRING, FALSE, 1, 200 },
  { "reason", MC_JSON_STRING, FALSE, 1, 64 },
  { "media", MC_JSON_INT, FALSE, 0, MCS_MEDIA_MUTED | MCS_MEDIA_CAMERA_OFF | MCS_MEDIA_SCREEN },
  { "message", MC_JSON_OBJECT, FALSE, 0, 0 },
};
static const McJsonRule ended_rules[] = {
  { "by", MC_JSON_INT, TRUE, 0, G_MAXINT64 },
};
static const McJsonRule chat_rules[] = {
  { "seq", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
};

/* The participant of slot @index joined on @node, with the record the
 * store must have open: an earlier connection of theirs here is taken over
 * (not a later one: of two joins at once, the later record wins); the
 * other participant, if here, hears of it, and @node hears what they send
 * now (they may have changed it while the join was on its way). */
static void
heard_joined (McsSignaling *self,
              Room         *room,
              int           index,
              const char   *node,
              JsonObject   *object)
{
  McsStore              *store = mcs_server_get_store (self->server);
  Slot                  *slot = &room->slots[index];
  Slot                  *peer = &room->slots[1 - index];
  gint64                 record = json_object_get_int_member_with_default (object, "record", 0);
  g_autoptr (McsBooking) booking = NULL;
  g_autoptr (JsonObject) media = NULL;

  if (record <= slot->record ||
      !mcs_store_call_is_open (store, record, room->booking_id, room->user_ids[index], node))
    {
      /* That join is over already, but it took this connection's record
       * over first: the connection goes too. */
      if (slot->connection != NULL &&
          !mcs_store_call_is_open (store, slot->record, room->booking_id, room->user_ids[index],
                                   self->node_name))
        close_taken_over (slot);
      return;
    }

  if (slot->connection != NULL)
    close_taken_over (slot);

  slot_clear (slot);
  slot->node = g_strdup (node);
  slot->instance = g_strdup (json_object_get_string_member_with_default (object, "instance", NULL));
  slot->record = record;

  if (peer->connection == NULL)
    return;

  booking = mcs_signaling_load_booking (self, room->booking_id, NULL);
  if (booking != NULL)
    send_peer_joined (peer->connection, room->booking_id,
                      index == 0 ? booking->mentor : booking->student, slot);

  media = json_object_new ();
  json_object_set_int_member (media, "user_id", room->user_ids[1 - index]);
  json_object_set_int_member (media, "media", peer->media);
  mcs_signaling_tell_node (self, node, MCS_ROOM_EVENT_MEDIA, room->booking_id, media, NULL);
}

/* The participant of slot @index left on @node. */
static void
heard_left (Room       *room,
            int         index,
            const char *node,
            JsonObject *object)
{
  Slot         *slot = &room->slots[index];
  Slot         *peer = &room->slots[1 - index];
  McLeaveReason reason;

  if (g_strcmp0 (slot->node, node) != 0)
    return;

  slot_clear (slot);
  if (!mc_leave_reason_from_string (json_object_get_string_member_with_default (object, "reason", ""),
                                    &reason))
    reason = MC_LEAVE_REASON_CONNECTION_LOST;
  if (peer->connection != NULL)
    send_peer_left (peer->connection, room->booking_id, room->user_ids[index], reason);
}

/**
 * mcs_signaling_room_ended:
 * @self: the hub
 * @booking_id: a booking whose call the store says ended
 * @ended_by: who ended it, or 0 (it timed out, or it is not known here)
 *
 * Closes the booking's room here, if it is open, telling its participants:
 * the server that ended the call told this one (or could not: its
 * participant joined while it ended, and this server sees the booking
 * completed).
 */
void
mcs_signaling_room_ended (McsSignaling *self,
                          gint64        booking_id,
                          gint64        ended_by)
{
  Room *room = mcs_signaling_find_room (self, booking_id);

  if (room != NULL && close_ended (self, room, ended_by, NULL))
    g_hash_table_remove (self->rooms, &booking_id);
}

/**
 * mcs_signaling_room_heard:
 * @self: the hub
 * @event: what happened in a room
 * @node: the server that tells, which holds one of its participants
 * @object: the event, with "booking_id" checked
 *
 * Acts on what another server says of a room whose other participant is
 * here; a room not open here is none of this server's business.
 */
void
mcs_signaling_room_heard (McsSignaling *self,
                          McsRoomEvent  event,
                          const char   *node,
                          JsonObject   *object)
{
  gint64 booking_id = json_object_get_int_member (object, "booking_id");
  Room  *room = mcs_signaling_find_room (self, booking_id);
  Slot  *peer;
  int    index = -1;

  if (room == NULL)
    return;

  if (event == MCS_ROOM_EVENT_ENDED)
    {
      if (mc_json_validate (object, ended_rules, G_N_ELEMENTS (ended_rules), NULL, NULL))
        mcs_signaling_room_ended (self, booking_id, json_object_get_int_member (object, "by"));
      return;
    }

  if (event == MCS_ROOM_EVENT_CHAT)
    {
      McsStore             *store = mcs_server_get_store (self->server);
      gint64                seq, last_seq;
      g_autoptr (GPtrArray) chat = NULL;

      if (!mc_json_validate (object, chat_rules, G_N_ELEMENTS (chat_rules), NULL, NULL))
        return;
      seq = json_object_get_int_member (object, "seq");
      chat = mcs_store_list_chat (store, booking_id, seq - 1, 1, &last_seq, NULL);
      if (chat != NULL && chat->len == 1 &&
          ((McsChatMessage *) g_ptr_array_index (chat, 0))->seq == seq)
        deliver_chat (room, g_ptr_array_index (chat, 0), NULL);
      return;
    }

  if (!mc_json_validate (object, user_rules, G_N_ELEMENTS (user_rules), NULL, NULL) ||
      (index = slot_index (room, json_object_get_int_member (object, "user_id"))) < 0)
    return;

  peer = &room->slots[1 - index];
  switch (event)
    {
    case MCS_ROOM_EVENT_JOINED:
      heard_joined (self, room, index, node, object);
      break;

    case MCS_ROOM_EVENT_LEFT:
      heard_left (room, index, node, object);
      break;

    case MCS_ROOM_EVENT_MEDIA:
      if (g_strcmp0 (room->slots[index].node, node) != 0)
        break;
      room->slots[index].media = json_object_get_int_member_with_default (object, "media", 0);
      if (peer->connection != NULL)
        send_media_state (peer->connection, booking_id, room->user_ids[index], &room->slots[index]);
      break;

    case MCS_ROOM_EVENT_RELAY:
      if (g_strcmp0 (room->slots[index].node, node) == 0 && peer->connection != NULL &&
          mc_json_has (object, "message"))
        mcs_connection_send (peer->connection, json_object_get_object_member (object, "message"));
      break;

    case MCS_ROOM_EVENT_ENDED:
    case MCS_ROOM_EVENT_CHAT:
    default:
      break;
    }

  if (mcs_signaling_room_is_empty (room))
    g_hash_table_remove (self->rooms, &booking_id);
}

/**
 * mcs_signaling_room_check_present:
 * @self: the hub
 * @booking: a booking, with who is in its call now as the store says
 *
 * A participant in the call through another server who is no longer in it
 * (that server stopped, or was found gone and their record closed) leaves
 * this server's room: the other participant hears that their connection
 * was lost, and the media watchdog tells whether their media stopped too.
 */
void
mcs_signaling_room_check_present (McsSignaling     *self,
                                  const McsBooking *booking)
{
  Room *room = mcs_signaling_find_room (self, booking->id);

  for (guint i = 0; room != NULL && i < 2; i++)
    {
      Slot    *slot = &room->slots[i];
      gboolean present = FALSE;

      if (slot->node == NULL)
        continue;

      for (guint p = 0; booking->present != NULL && p < booking->present->len; p++)
        present |= ((McsUser *) g_ptr_array_index (booking->present, p))->id == room->user_ids[i];
      if (present)
        continue;

      slot_clear (slot);
      if (room->slots[1 - i].connection != NULL)
        send_peer_left (room->slots[1 - i].connection, booking->id, room->user_ids[i],
                        MC_LEAVE_REASON_CONNECTION_LOST);
    }
}
