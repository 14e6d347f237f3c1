/* mcs-signaling-private.h — what the parts of McsSignaling share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the parts of McsSignaling (mcs-signaling*.c) include this;
 * everything else uses mcs-signaling.h.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "mc-types.h"
#include "mcs-connection.h"
#include "mcs-signaling.h"
#include "mcs-store.h"

G_BEGIN_DECLS

/* A participant's place in a room: their connection here, or the other
 * server that holds it (a lesson's two participants may be on different
 * servers on one PostgreSQL database), or neither while they are away. */
typedef struct
{
  McsConnection *connection; /* NULL unless this participant is here */
  char          *node;       /* the other server they are in the call on, or NULL */
  char          *instance;   /* the client's call-session id, or NULL */
  gint64         record;     /* their attendance record: a later join has a larger id */
  McsMediaFlags  media;      /* what they send */
} Slot;

typedef struct
{
  gint64 booking_id;
  gint64 user_ids[2]; /* mentor, student */
  Slot   slots[2];
} Room;

struct _McsSignaling
{
  GObject parent_instance;

  McsServer  *server;      /* unowned: the server owns us */
  GHashTable *connections; /* user id → GPtrArray of McsConnection */
  GHashTable *rooms;       /* booking id → Room */
  guint       expiry_id;
  guint       session_check_id;
  guint       node_id;                /* the heartbeat of this server among those on the database */
  char       *node_name;              /* this server's, as the store writes it */
  GObject    *listener;               /* McsListener: the other servers (PostgreSQL only), or NULL */
  gboolean    publishing;             /* whether changes are told to the other servers (PostgreSQL) */
  GArray     *closed;                 /* gint64 booking ids whose presence is still to be told */
  guint       closed_id;              /* the idle source telling them */
  gint64      revocations_checked_at; /* Unix time */
};

/* What servers tell each other of a room whose participants are on
 * different servers (mcs_signaling_tell_node ()): one participant joined,
 * left, changed what they send, or sent the other a message; the call
 * ended; a chat message was stored. */
typedef enum
{
  MCS_ROOM_EVENT_JOINED,
  MCS_ROOM_EVENT_LEFT,
  MCS_ROOM_EVENT_MEDIA,
  MCS_ROOM_EVENT_RELAY,
  MCS_ROOM_EVENT_ENDED,
  MCS_ROOM_EVENT_CHAT,
} McsRoomEvent;

/* The hub: mcs-signaling.c */
gint64      mcs_signaling_now (void);
JsonObject *mcs_signaling_new_message (const char *type,
                                       gint64      booking_id,
                                       const char *request_id);
void        mcs_signaling_set_node (JsonObject  *object,
                                    const char  *name,
                                    JsonBuilder *builder);
McsBooking *mcs_signaling_load_booking (McsSignaling *self,
                                        gint64        booking_id,
                                        GError      **error);
void        mcs_signaling_notify_presence (McsSignaling *self,
                                           gint64        booking_id);
GPtrArray  *mcs_signaling_user_connections (McsSignaling *self,
                                            gint64        user_id);

/* Telling users, and this server among the others: mcs-signaling-nodes.c */
void mcs_signaling_nodes_start (McsSignaling *self);
void mcs_signaling_nodes_stop (McsSignaling *self);
void mcs_signaling_nodes_leave (McsSignaling *self);
void mcs_signaling_tell_node (McsSignaling *self,
                              const char   *node,
                              McsRoomEvent  event,
                              gint64        booking_id,
                              JsonObject   *members,
                              const char   *message);

/* The rooms: mcs-signaling-rooms.c */
Room    *mcs_signaling_find_room (McsSignaling *self,
                                  gint64        booking_id);
void     mcs_signaling_room_free (Room *room);
gboolean mcs_signaling_room_is_empty (Room *room);
int      mcs_signaling_slot_index (Room  *room,
                                   gint64 user_id);
void     mcs_signaling_slot_clear (Slot *slot);
gboolean mcs_signaling_slot_is_present (const Slot *slot);
void     mcs_signaling_slot_update_media (Slot       *slot,
                                          JsonObject *message);
void     mcs_signaling_send_peer_joined (McsConnection *connection,
                                         gint64         booking_id,
                                         const McsUser *user,
                                         Slot          *slot);
void     mcs_signaling_send_peer_left (McsConnection *connection,
                                       gint64         booking_id,
                                       gint64         user_id,
                                       McLeaveReason  reason);
void     mcs_signaling_send_media_state (McsConnection *connection,
                                         gint64         booking_id,
                                         gint64         user_id,
                                         Slot          *slot);
void     mcs_signaling_close_taken_over (Slot *slot);
gboolean mcs_signaling_close_ended (McsSignaling *self,
                                    Room         *room,
                                    gint64        ended_by,
                                    GError      **error);
Room    *mcs_signaling_require_room (McsSignaling  *self,
                                     McsConnection *connection,
                                     JsonObject    *message,
                                     const char    *request_id,
                                     int           *index);
void     mcs_signaling_leave_room (McsSignaling  *self,
                                   McsConnection *connection,
                                   McLeaveReason  reason,
                                   gboolean       tell_peer);
gboolean mcs_signaling_end_call (McsSignaling *self,
                                 gint64        booking_id,
                                 gint64        ended_by,
                                 GError      **error);

/* What is sent inside a room: mcs-signaling-messages.c */
void mcs_signaling_deliver_chat (Room                 *room,
                                 const McsChatMessage *message,
                                 McsConnection        *origin);

/* A room across two servers: mcs-signaling-across.c */
void mcs_signaling_join_elsewhere (McsSignaling *self,
                                   Room         *room,
                                   int           index,
                                   gboolean      tell);
void mcs_signaling_chat_elsewhere (McsSignaling         *self,
                                   const McsChatMessage *message);
void mcs_signaling_room_ended (McsSignaling *self,
                               gint64        booking_id,
                               gint64        ended_by);
void mcs_signaling_room_heard (McsSignaling *self,
                               McsRoomEvent  event,
                               const char   *node,
                               JsonObject   *object);
void mcs_signaling_room_check_present (McsSignaling     *self,
                                       const McsBooking *booking);

/* Message handlers, as the hub's dispatch table calls them. */
void mcs_signaling_handle_join (McsSignaling  *self,
                                McsConnection *connection,
                                JsonObject    *message,
                                const char    *request_id);
void mcs_signaling_handle_leave (McsSignaling  *self,
                                 McsConnection *connection,
                                 JsonObject    *message,
                                 const char    *request_id);
void mcs_signaling_handle_end (McsSignaling  *self,
                               McsConnection *connection,
                               JsonObject    *message,
                               const char    *request_id);
void mcs_signaling_handle_relay (McsSignaling  *self,
                                 McsConnection *connection,
                                 JsonObject    *message,
                                 const char    *request_id);
void mcs_signaling_handle_media_state (McsSignaling  *self,
                                       McsConnection *connection,
                                       JsonObject    *message,
                                       const char    *request_id);
void mcs_signaling_handle_chat (McsSignaling  *self,
                                McsConnection *connection,
                                JsonObject    *message,
                                const char    *request_id);
void mcs_signaling_handle_history (McsSignaling  *self,
                                   McsConnection *connection,
                                   JsonObject    *message,
                                   const char    *request_id);

G_END_DECLS
