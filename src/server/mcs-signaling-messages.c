/* mcs-signaling-messages.c — what is sent inside a call room
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Relayed offers, answers and ICE candidates, media state, and chat, which
 * is stored before it is acknowledged and delivered: to the other
 * participant here, or through their server (mcs-signaling-across.c).
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include <string.h>

#include "mcs-connection.h"
#include "mcs-server.h"
#include "mcs-signaling-private.h"
#include "mcs-views.h"

#define HISTORY_LIMIT 500

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

  room = mcs_signaling_require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  peer = &room->slots[1 - index];
  if (!mcs_signaling_slot_is_present (peer))
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

  room = mcs_signaling_require_room (self, connection, message, request_id, &index);
  if (room == NULL)
    return;

  slot = &room->slots[index];
  mcs_signaling_slot_update_media (slot, message);

  /* For a server that puts the other participant in the call later. */
  if (self->publishing && !mcs_store_call_set_media (mcs_server_get_store (self->server),
                                                     room->booking_id, user_id,
                                                     slot->media, &error))
    g_message ("Cannot record media state: %s", error->message);

  peer = &room->slots[1 - index];
  if (peer->connection != NULL)
    {
      mcs_signaling_send_media_state (peer->connection, room->booking_id, user_id, slot);
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

  room = mcs_signaling_require_room (self, connection, message, request_id, &index);
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

  room = mcs_signaling_require_room (self, connection, message, request_id, &index);
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
void
mcs_signaling_deliver_chat (Room                 *room,
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
  Room *room = mcs_signaling_find_room (self, message->booking_id);

  if (room != NULL)
    mcs_signaling_deliver_chat (room, message, origin);

  mcs_signaling_chat_elsewhere (self, message);
}
