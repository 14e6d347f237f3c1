/* mcs-signaling-nodes.c — what users hear of their bookings, here and on the other servers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McsSignaling tells a user's connections about their
 * bookings: who is in a lesson now (presence), a booking that changed. And
 * it keeps this server's life among the others on the database: its name
 * on the attendance records, a heartbeat, and at the end its leaving.
 *
 * Servers sharing a PostgreSQL database tell each other what their users'
 * other connections must hear. Each such change is published on the
 * database (mcs_store_publish (), PostgreSQL's NOTIFY) as `{"node": …,
 * "event": "booking-changed" or "presence", "booking_id": …, "users": [mentor,
 * student]}`; every other server hears it (McsListener) and, if it has a
 * connection of either (or the room), tells its own connections of both
 * participants, from the store, as the server that made the change told its
 * own.
 *
 * A lesson's two participants may be on different servers. What one's
 * server must tell the other's about the room (McsRoomEvent) goes on that
 * server's own channel (mcs_signaling_tell_node ()) as `{"node": …, "event":
 * "room-…", "booking_id": …, …}`, and mcs-signaling-across.c acts on it.
 * On SQLite nothing is published.
 */

#define G_LOG_DOMAIN "mcs-signaling"

#include "config.h"

#include <string.h>

#include "mc-json.h"

#include "mcs-clock.h"
#include "mcs-connection.h"
#if HAVE_POSTGRESQL
#include "mcs-listener.h"
#endif
#include "mcs-server.h"
#include "mcs-signaling-private.h"
#include "mcs-views.h"

/* Servers on one database say they are alive this often, and one not seen
 * for six of those is gone (mcs_store_node_heartbeat ()). */
#define NODE_HEARTBEAT_SECONDS  5
#define NODE_DEAD_AFTER_SECONDS 30
/* How many lessons' presence tell_closed_cb () tells in one go. */
#define TELL_CLOSED_AT_ONCE 8

/* Telling users */

/* Tells the other servers on the database of @event about @booking, with
 * its participants: a server with no connection of either need not read
 * the booking. */
static void
publish (McsSignaling     *self,
         const char       *event,
         const McsBooking *booking)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  g_autofree char        *payload = NULL;
  g_autoptr (GError)      error = NULL;

  if (!self->publishing)
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "node");
  json_builder_add_string_value (builder, self->node_name);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "booking_id");
  json_builder_add_int_value (builder, booking->id);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, booking->mentor->id);
  json_builder_add_int_value (builder, booking->student->id);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  payload = json_to_string (root, FALSE);

  if (!mcs_store_publish (mcs_server_get_store (self->server), NULL, payload, &error))
    g_message ("Cannot tell the other servers of %s in booking %" G_GINT64_FORMAT ": %s", event,
               booking->id, error->message);
}

static const char * const room_event_names[] = {
  [MCS_ROOM_EVENT_JOINED] = "room-joined",
  [MCS_ROOM_EVENT_LEFT] = "room-left",
  [MCS_ROOM_EVENT_MEDIA] = "room-media",
  [MCS_ROOM_EVENT_RELAY] = "room-relay",
  [MCS_ROOM_EVENT_ENDED] = "room-ended",
  [MCS_ROOM_EVENT_CHAT] = "room-chat",
};

/**
 * mcs_signaling_tell_node:
 * @self: the hub
 * @node: the other server, which holds a participant of @booking_id
 * @event: what happened in the room
 * @booking_id: the room's booking
 * @members: (nullable): what the event says, to which "node", "event" and
 *   "booking_id" are added
 * @message: (nullable): a message for the participant there, a JSON
 *   object's text, sent as the member "message" as it is
 *
 * Tells the server @node, on its own channel, of @event in a room one of
 * whose participants is there. Nothing on SQLite.
 */
void
mcs_signaling_tell_node (McsSignaling *self,
                         const char   *node,
                         McsRoomEvent  event,
                         gint64        booking_id,
                         JsonObject   *members,
                         const char   *message)
{
  g_autoptr (JsonObject) object = members ? json_object_ref (members) : json_object_new ();
  g_autoptr (JsonNode)   root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (GString)    payload = NULL;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *text = NULL;
  g_autofree char       *channel = NULL;

  if (!self->publishing)
    return;

  json_object_set_string_member (object, "node", self->node_name);
  json_object_set_string_member (object, "event", room_event_names[event]);
  json_object_set_int_member (object, "booking_id", booking_id);
  json_node_set_object (root, object);
  text = json_to_string (root, FALSE);
  payload = g_string_new (text);

  /* The message is strict JSON already (it passed the scanner, or we wrote
   * it): it goes in as it is, without being parsed and written again. */
  if (message != NULL)
    {
      g_string_truncate (payload, payload->len - 1);
      g_string_append (payload, ",\"message\":");
      g_string_append (payload, message);
      g_string_append_c (payload, '}');
    }

  channel = mcs_store_node_channel (node);
  if (!mcs_store_publish (mcs_server_get_store (self->server), channel, payload->str, &error))
    g_message ("Cannot tell server %s of %s in booking %" G_GINT64_FORMAT ": %s", node,
               room_event_names[event], booking_id, error->message);
}

/* Tells every connection here of both participants that is not in the room
 * who is in it now. */
static void
presence_here (McsSignaling     *self,
               const McsBooking *booking)
{
  gint64 booking_id = booking->id;
  gint64 user_ids[2];

  user_ids[0] = booking->mentor->id;
  user_ids[1] = booking->student->id;

  for (guint u = 0; u < 2; u++)
    {
      GPtrArray *connections = mcs_signaling_user_connections (self, user_ids[u]);

      for (guint i = 0; connections != NULL && i < connections->len; i++)
        {
          McsConnection          *connection = g_ptr_array_index (connections, i);
          g_autoptr (JsonObject)  message = NULL;
          g_autoptr (JsonBuilder) participants = json_builder_new ();
          g_autoptr (JsonBuilder) call = json_builder_new ();

          if (mcs_connection_get_room (connection) == booking_id)
            continue;

          message = mcs_signaling_new_message ("presence", booking_id, NULL);
          json_builder_begin_array (participants);
          for (guint p = 0; booking->present != NULL && p < booking->present->len; p++)
            mcs_view_add_user (participants, g_ptr_array_index (booking->present, p), FALSE);
          json_builder_end_array (participants);
          mcs_signaling_set_node (message, "participants", participants);
          mcs_view_add_call (call, booking);
          mcs_signaling_set_node (message, "call", call);
          mcs_connection_send (connection, message);
        }
    }

  mcs_signaling_room_check_present (self, booking);
}

/* Tells every connection of both participants that is not in the room who
 * is in it now, so that the app can say "your mentor started the lesson"
 * and offer to join or rejoin: here, and on the other servers. */
void
mcs_signaling_notify_presence (McsSignaling *self,
                               gint64        booking_id)
{
  g_autoptr (McsBooking) booking = mcs_signaling_load_booking (self, booking_id, NULL);

  if (booking == NULL)
    return;

  presence_here (self, booking);
  publish (self, "presence", booking);
}

/* Tells both participants' connections here, each with its own view; a
 * cancelled booking's running call ends, if it runs here, and an ended
 * call's room here closes. */
static void
booking_changed_here (McsSignaling     *self,
                      const McsBooking *booking)
{
  McsConfig     *config = mcs_server_get_config (self->server);
  const McsUser *users[2];
  Room          *room;

  room = mcs_signaling_find_room (self, booking->id);
  if (room != NULL && booking->status == MC_BOOKING_CANCELLED)
    {
      mcs_signaling_end_call (self, booking->id, 0, NULL);
      return;
    }

  /* The call ended on another server, which did not know this one had
   * its other participant (the join and the end crossed). */
  if (room != NULL && booking->has_call && booking->call_state == MC_CALL_ENDED)
    mcs_signaling_room_ended (self, booking->id, 0);

  users[0] = booking->mentor;
  users[1] = booking->student;

  for (guint u = 0; u < 2; u++)
    {
      GPtrArray *connections = mcs_signaling_user_connections (self, users[u]->id);

      for (guint i = 0; connections != NULL && i < connections->len; i++)
        {
          g_autoptr (JsonObject)  message = mcs_signaling_new_message ("booking-changed", 0, NULL);
          g_autoptr (JsonBuilder) view = json_builder_new ();

          mcs_view_add_booking (view, booking, config, users[u], mcs_signaling_now ());
          mcs_signaling_set_node (message, "booking", view);
          mcs_connection_send (g_ptr_array_index (connections, i), message);
        }
    }
}

/**
 * mcs_signaling_booking_changed:
 * @self: the hub
 * @booking_id: a booking that changed
 *
 * Tells both participants' connections, each with its own view, here and on
 * the other servers; a cancelled booking's running call ends, wherever it
 * runs.
 */
void
mcs_signaling_booking_changed (McsSignaling *self,
                               gint64        booking_id)
{
  g_autoptr (McsBooking) booking = mcs_signaling_load_booking (self, booking_id, NULL);

  if (booking == NULL)
    return;

  booking_changed_here (self, booking);
  publish (self, "booking-changed", booking);
}


#if HAVE_POSTGRESQL
/* What a payload may hold: "node" and "event" strings, a "booking_id" and
 * (from servers that name them) the participants' ids in "users". */
static const McJsonRule payload_rules[] = {
  { "node", MC_JSON_STRING, TRUE, 0, 0 },
  { "event", MC_JSON_STRING, TRUE, 0, 0 },
  { "booking_id", MC_JSON_INT, TRUE, 1, G_MAXINT64 },
  { "users", MC_JSON_ARRAY, FALSE, 0, 0 },
};

typedef enum
{
  EVENT_OTHER,
  EVENT_BOOKING_CHANGED,
  EVENT_PRESENCE,
  EVENT_ROOM, /* one of room_event_names */
} Event;

static Event
parse_event (const char   *event,
             McsRoomEvent *room_event)
{
  for (guint i = 0; i < G_N_ELEMENTS (room_event_names); i++)
    {
      if (g_str_equal (event, room_event_names[i]))
        {
          *room_event = i;
          return EVENT_ROOM;
        }
    }

  return g_str_equal (event, "booking-changed") ? EVENT_BOOKING_CHANGED
         : g_str_equal (event, "presence")      ? EVENT_PRESENCE
                                                : EVENT_OTHER;
}

/* Whether a change to @booking_id, published with @object's "users", has
 * anyone to tell here: a connection of one of them, or the booking's room
 * (a cancellation ends it). A payload without users (a server of an
 * earlier version) concerns every server. */
static gboolean
concerns_here (McsSignaling *self,
               JsonObject   *object,
               gint64        booking_id)
{
  JsonNode  *member = json_object_get_member (object, "users");
  JsonArray *users;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return TRUE;
  if (mcs_signaling_find_room (self, booking_id) != NULL)
    return TRUE;

  users = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonNode  *user = json_array_get_element (users, i);
      GPtrArray *connections;

      if (!JSON_NODE_HOLDS_VALUE (user) || json_node_get_value_type (user) != G_TYPE_INT64)
        continue;
      connections = mcs_signaling_user_connections (self, json_node_get_int (user));
      if (connections != NULL && connections->len > 0)
        return TRUE;
    }

  return FALSE;
}

/* Another server (or this one: NOTIFY reaches every listener) published a
 * change, or told this one of a room. Anyone who may connect to the
 * database may NOTIFY: a published change is trusted for nothing but a
 * booking id to tell about, and one that is not ours is ignored. A room
 * event is trusted as what a server on the database says of its own
 * participant (whoever can NOTIFY can change the database as well), and
 * acts only on a room that is open here. */
static void
notification_cb (McsListener *listener,
                 const char  *payload,
                 gpointer     user_data)
{
  McsSignaling          *self = user_data;
  g_autoptr (JsonObject) object = mc_json_parse_object (payload, strlen (payload), NULL);
  g_autoptr (McsBooking) booking = NULL;
  McsRoomEvent           room_event = 0;
  const char            *node;
  Event                  event;
  gint64                 booking_id;

  if (object == NULL ||
      !mc_json_validate (object, payload_rules, G_N_ELEMENTS (payload_rules), NULL, NULL))
    return;

  node = json_object_get_string_member (object, "node");
  if (g_str_equal (node, self->node_name))
    return;

  event = parse_event (json_object_get_string_member (object, "event"), &room_event);
  if (event == EVENT_ROOM)
    {
      mcs_signaling_room_heard (self, room_event, node, object);
      return;
    }

  booking_id = json_object_get_int_member (object, "booking_id");
  if (event == EVENT_OTHER || !concerns_here (self, object, booking_id))
    return;

  booking = mcs_signaling_load_booking (self, booking_id, NULL);
  if (booking == NULL)
    return;

  if (event == EVENT_BOOKING_CHANGED)
    booking_changed_here (self, booking);
  else
    presence_here (self, booking);
}
#endif

/* Attendance records closed for a server (this one starting or stopping,
 * another one gone) change who is in those lessons: their participants'
 * other connections hear it, here and on the other servers, as when
 * someone leaves. Each booking costs a read and a NOTIFY on the main loop,
 * so those of a server gone (hundreds of lessons, maybe) are told a few
 * at a time from an idle source, between what connections need
 * (tell_closed_cb ()). */
static void
tell_closed (McsSignaling *self,
             GArray       *bookings)
{
  for (guint i = 0; i < bookings->len; i++)
    mcs_signaling_notify_presence (self, g_array_index (bookings, gint64, i));
}

static gboolean
tell_closed_cb (gpointer user_data)
{
  McsSignaling *self = user_data;
  guint         n = MIN (self->closed->len, TELL_CLOSED_AT_ONCE);

  for (guint i = 0; i < n; i++)
    mcs_signaling_notify_presence (self, g_array_index (self->closed, gint64, i));
  g_array_remove_range (self->closed, 0, n);
  if (self->closed->len > 0)
    return G_SOURCE_CONTINUE;

  self->closed_id = 0;
  return G_SOURCE_REMOVE;
}

static void
tell_closed_later (McsSignaling *self,
                   GArray       *bookings)
{
  if (bookings->len == 0)
    return;

  g_array_append_vals (self->closed, bookings->data, bookings->len);
  if (self->closed_id == 0)
    self->closed_id = g_idle_add (tell_closed_cb, self);
}

/* Tells now what is still to be told (this server is stopping). */
static void
tell_closed_now (McsSignaling *self)
{
  g_clear_handle_id (&self->closed_id, g_source_remove);
  tell_closed (self, self->closed);
  g_array_set_size (self->closed, 0);
}

/* Tells the other servers on the database that this one is alive, and
 * closes the attendance of those that are gone. */
static gboolean
node_heartbeat_cb (gpointer user_data)
{
  McsSignaling      *self = user_data;
  g_autoptr (GArray) bookings = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint              closed;

  closed = mcs_store_node_heartbeat (mcs_server_get_store (self->server), mcs_signaling_now (),
                                     NODE_DEAD_AFTER_SECONDS, bookings);
  if (closed > 0)
    g_message ("Closed %u attendance records of servers that are gone", closed);
  tell_closed_later (self, bookings);

  return G_SOURCE_CONTINUE;
}

/* This server among the others */

/* Names this server on the store, closes what its last run left open (nobody
 * can be in a call on it before it serves; other servers keep theirs),
 * starts its heartbeat and, on PostgreSQL, listens to the other servers. */
void
mcs_signaling_nodes_start (McsSignaling *self)
{
  McsServer         *server = self->server;
  McsStore          *store = mcs_server_get_store (server);
  g_autoptr (GArray) bookings = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint              closed;

  self->node_name = mcs_config_get_node (mcs_server_get_config (server));
  mcs_store_set_node (store, self->node_name);
#if HAVE_POSTGRESQL
  if (mcs_database_is_url (mcs_server_get_config (server)->database))
    {
      g_autofree char *channel = mcs_store_node_channel (self->node_name);

      self->publishing = TRUE;
      self->listener = G_OBJECT (mcs_listener_new (mcs_server_get_config (server)->database,
                                                   channel));
      g_signal_connect (self->listener, "notification", G_CALLBACK (notification_cb), self);
    }
#endif
  closed = mcs_store_node_started (store, mcs_signaling_now (), bookings);
  if (closed > 0)
    g_message ("Closed %u attendance records left open by the last run", closed);
  tell_closed (self, bookings);
  self->node_id = g_timeout_add_seconds (NODE_HEARTBEAT_SECONDS, node_heartbeat_cb, self);
}

/* Stops the heartbeat and the listening. */
void
mcs_signaling_nodes_stop (McsSignaling *self)
{
  g_clear_handle_id (&self->node_id, g_source_remove);
  g_clear_handle_id (&self->closed_id, g_source_remove);
  g_clear_object (&self->listener);
}

/**
 * mcs_signaling_describe_listening:
 * @self: the hub
 * @listening: (out): whether this server hears the others (always, with no others to hear)
 *
 * Returns: (nullable): how this server's listening to the other servers
 *   stands (mcs_listener_describe ()), or %NULL on a store no other server
 *   can share (SQLite)
 */
const char *
mcs_signaling_describe_listening (McsSignaling *self,
                                  gboolean     *listening)
{
#if HAVE_POSTGRESQL
  if (self->listener != NULL)
    {
      *listening = mcs_listener_is_listening (MCS_LISTENER (self->listener));
      return mcs_listener_describe (MCS_LISTENER (self->listener));
    }
#endif
  *listening = TRUE;
  return NULL;
}

/* Closes this server's attendance records as `server_restart` and takes it
 * off the list of live servers, once its connections are gone: the others
 * need not wait for its heartbeat to run out, and hear at once who left. */
void
mcs_signaling_nodes_leave (McsSignaling *self)
{
  g_autoptr (GArray) bookings = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint              closed;

  tell_closed_now (self);
  closed = mcs_store_node_stopped (mcs_server_get_store (self->server), mcs_signaling_now (),
                                   bookings);
  if (closed > 0)
    g_message ("Closed %u attendance records on stopping", closed);
  tell_closed (self, bookings);
}
