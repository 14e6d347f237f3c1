/* mcs-signaling-private.h — what the hub and the rooms of McsSignaling share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only mcs-signaling.c and mcs-signaling-rooms.c include this; everything
 * else uses mcs-signaling.h.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "mc-types.h"
#include "mcs-connection.h"
#include "mcs-signaling.h"

G_BEGIN_DECLS

typedef struct
{
  McsConnection *connection; /* NULL while this participant is away */
  char          *instance;   /* the client's call-session id, or NULL */
  gboolean       muted;
  gboolean       camera_off;
  gboolean       screen; /* sharing the screen instead of the camera */
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

/* The rooms: mcs-signaling-rooms.c */
Room    *mcs_signaling_find_room (McsSignaling *self,
                                  gint64        booking_id);
void     mcs_signaling_room_free (Room *room);
gboolean mcs_signaling_room_is_empty (Room *room);
void     mcs_signaling_leave_room (McsSignaling  *self,
                                   McsConnection *connection,
                                   McLeaveReason  reason,
                                   gboolean       tell_peer);
gboolean mcs_signaling_end_call (McsSignaling *self,
                                 gint64        booking_id,
                                 gint64        ended_by,
                                 GError      **error);

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
