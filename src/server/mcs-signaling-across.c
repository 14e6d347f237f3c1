/* mcs-signaling-across.c — a call room whose participants are on two servers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a PostgreSQL database shared by several servers, a lesson's two
 * participants may be on different servers. Each server's room holds its
 * own participant's connection, and in the other slot the server that
 * holds the other participant (Slot.node), as the store's open attendance
 * records tell it at join (mcs_store_call_list_elsewhere (), with the
 * client's instance, media state and record id). What one participant's
 * server must tell the other's goes on that server's channel (McsRoomEvent,
 * mcs_signaling_tell_node ()) and is acted on here, in
 * mcs_signaling_room_heard (): the same messages reach the same clients as
 * when both are on one server.
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include "mcs-connection.h"
#include "mcs-server.h"
#include "mcs-signaling-private.h"

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

/* Who is in @room's call through the other servers, read once this
 * server's own record is in (so that of two participants joining on two
 * servers at once, the second sees the first, and tells it). The joining
 * user's own records there close as `taken_over` (their servers close the
 * connections when they hear of the join, tell_elsewhere ()); the other
 * participant's fills their slot, if they are not here. Returns the
 * participants elsewhere, or %NULL. */
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
      mcs_signaling_slot_clear (peer);
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

/* The servers in @elsewhere hear that the participant of slot @index
 * joined here: the other participant's tells them, an earlier connection
 * of the same one's closes it. */
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

/**
 * mcs_signaling_join_elsewhere:
 * @self: the hub
 * @room: the room a participant just joined here (their record is in)
 * @index: their slot
 * @tell: whether the other servers are to hear of it (not for a join
 *   repeated on the same connection)
 *
 * On a database shared with other servers: reads who is in the call
 * through them (the other participant's slot is filled from it, the
 * joining user's older records there are taken over) and tells their
 * servers. Nothing on SQLite.
 */
void
mcs_signaling_join_elsewhere (McsSignaling *self,
                              Room         *room,
                              int           index,
                              gboolean      tell)
{
  g_autoptr (GPtrArray) elsewhere = find_elsewhere (self, room, index);

  if (tell)
    tell_elsewhere (self, room, index, elsewhere);
}

/**
 * mcs_signaling_chat_elsewhere:
 * @self: the hub
 * @message: a newly stored chat message
 *
 * Tells the servers the participants are in the call on of @message, for
 * their connections. A message posted over HTTP may reach a server with
 * no room for it: the store says where the participants are.
 */
void
mcs_signaling_chat_elsewhere (McsSignaling         *self,
                              const McsChatMessage *message)
{
  g_autoptr (GPtrArray)  elsewhere = NULL;
  g_autoptr (JsonObject) members = NULL;
  g_autoptr (GError)     error = NULL;
  Room                  *room;

  /* With both participants here, no other server holds a connection of
   * theirs in the room: the store need not be asked. */
  room = mcs_signaling_find_room (self, message->booking_id);
  if (!self->publishing ||
      (room != NULL && room->slots[0].connection != NULL && room->slots[1].connection != NULL))
    return;

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
        mcs_signaling_close_taken_over (slot);
      return;
    }

  if (slot->connection != NULL)
    mcs_signaling_close_taken_over (slot);

  mcs_signaling_slot_clear (slot);
  slot->node = g_strdup (node);
  slot->instance = g_strdup (json_object_get_string_member_with_default (object, "instance", NULL));
  slot->record = record;

  if (peer->connection == NULL)
    return;

  booking = mcs_signaling_load_booking (self, room->booking_id, NULL);
  if (booking != NULL)
    mcs_signaling_send_peer_joined (peer->connection, room->booking_id,
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

  mcs_signaling_slot_clear (slot);
  if (!mc_leave_reason_from_string (json_object_get_string_member_with_default (object, "reason", ""),
                                    &reason))
    reason = MC_LEAVE_REASON_CONNECTION_LOST;
  if (peer->connection != NULL)
    mcs_signaling_send_peer_left (peer->connection, room->booking_id, room->user_ids[index], reason);
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

  if (room != NULL && mcs_signaling_close_ended (self, room, ended_by, NULL))
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
        mcs_signaling_deliver_chat (room, g_ptr_array_index (chat, 0), NULL);
      return;
    }

  if (!mc_json_validate (object, user_rules, G_N_ELEMENTS (user_rules), NULL, NULL) ||
      (index = mcs_signaling_slot_index (room, json_object_get_int_member (object, "user_id"))) < 0)
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
        mcs_signaling_send_media_state (peer->connection, booking_id, room->user_ids[index], &room->slots[index]);
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

      mcs_signaling_slot_clear (slot);
      if (room->slots[1 - i].connection != NULL)
        mcs_signaling_send_peer_left (room->slots[1 - i].connection, booking->id, room->user_ids[i],
                                      MC_LEAVE_REASON_CONNECTION_LOST);
    }
}
