/* mcs-store.h — users, sessions, bookings, calls, attendance and chat
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "mc-protocol.h"
#include "mcs-database.h"

G_BEGIN_DECLS

/* The PostgreSQL channel that servers on one database talk on
 * (mcs_store_publish (), McsListener); each also listens on a channel of
 * its own (mcs_store_node_channel ()). */
#define MCS_STORE_CHANNEL "mentorcall"

/* The most bytes of a payload one NOTIFY carries (PostgreSQL allows fewer
 * than 8000): mcs_store_publish () sends a longer one in parts, each but
 * the last marked with a leading MCS_STORE_PART_MARK and the last with
 * MCS_STORE_LAST_PART_MARK (a JSON text starts with neither), and
 * McsListener puts them together again. */
#define MCS_STORE_PART_BYTES     7900
#define MCS_STORE_PART_MARK      '+'
#define MCS_STORE_LAST_PART_MARK '='

/* The current schema version; see the migrations in mcs-store.c. */
#define MCS_SCHEMA_VERSION 7

/* The most characters a chat message may have, after trimming. */
#define MCS_CHAT_MAX_LENGTH 4000

/* The length of a stored session-token hash (SHA-256). */
#define MCS_TOKEN_HASH_LENGTH 32

typedef struct
{
  gint64   id;
  char    *username;
  char    *display_name;
  McRole   role;
  char    *password_hash;
  gboolean disabled;
  gint64   created_at;
} McsUser;

typedef struct
{
  gint64          id;
  McsUser        *mentor;
  McsUser        *student;
  char           *subject;
  gint64          starts_at;
  gint64          ends_at;
  McBookingStatus status;
  gint64          created_at;
  gint64          updated_at;

  /* The call room, which exists once the booking was confirmed. */
  gboolean    has_call;
  char       *room_id;
  McCallState call_state;
  gint64      call_started_at; /* 0 if not started */
  gint64      call_ended_at;   /* 0 if not ended */
  gint64      call_duration;   /* -1 if not ended */
  GPtrArray  *present;         /* McsUser: who is in the call now */
} McsBooking;

typedef struct
{
  McsUser *user;
  gint64   joined_at;
  gint64   left_at; /* 0 while still in the call */
  char    *reason;  /* why they left, or NULL */
  char    *node;    /* the server that held their connection, or NULL */
} McsAttendance;

/* What a participant in a call sends, as an attendance record keeps it. */
typedef enum
{
  MCS_MEDIA_MUTED = 1 << 0,
  MCS_MEDIA_CAMERA_OFF = 1 << 1,
  MCS_MEDIA_SCREEN = 1 << 2, /* the screen instead of the camera */
} McsMediaFlags;

/* A participant in a lesson's call through another server. */
typedef struct
{
  gint64        record; /* their attendance record's id: a later join has a larger one */
  gint64        user_id;
  char         *node;     /* the server that holds their connection */
  char         *instance; /* their client's call-session id, or NULL */
  McsMediaFlags media;
} McsAttendee;

typedef struct
{
  gint64 id;
  gint64 user_id;
  gint64 expires_at;
  gint64 revoked_at; /* 0 unless revoked */
} McsSession;

/* A session revoked lately, for closing the WebSockets it opened. */
typedef struct
{
  gint64   session_id;
  gint64   user_id;
  gboolean disabled; /* revoked because its account was disabled */
} McsRevokedSession;

typedef struct
{
  gint64   booking_id;
  gint64   seq;
  char    *client_id;
  McsUser *sender;
  char    *text;
  gint64   sent_at;
} McsChatMessage;

/* A webhook endpoint. */
typedef struct
{
  gint64 id;
  char  *url;
  char **events; /* the event types it wants; empty for all */
  char  *secret; /* whsec_… */
  char  *previous_secret;
  gint64 previous_secret_until;
  char  *description;
  gint64 created_at;
  gint64 failing_since; /* 0 unless its last attempt failed */
  gint64 disabled_at;   /* 0 unless disabled */
  char  *disabled_reason;
} McsWebhookEndpoint;

/* One event for one endpoint, with what the worker needs to send it. */
typedef struct
{
  gint64 id;
  gint64 event_id;
  char  *message_id; /* the webhook-id: the same for every attempt */
  char  *type;
  char  *payload;
  gint64 created_at;
  gint64 endpoint_id;
  char  *url;
  char  *secret;
  char  *previous_secret;
  gint64 previous_secret_until;
  char  *state; /* pending, delivered or failed */
  int    attempts;
  gint64 next_attempt_at; /* 0 unless pending */
  gint64 last_attempt_at;
  int    last_status; /* 0 if none */
  char  *last_error;
  gint64 delivered_at;
} McsWebhookDelivery;

/* Fields of a booking to change; a NULL or negative member changes nothing. */
typedef struct
{
  const char *subject;
  gint64      starts_at;
  gint64      ends_at;
  int         status; /* McBookingStatus or -1 */
} McsBookingChanges;

#define MCS_TYPE_STORE (mcs_store_get_type ())
G_DECLARE_FINAL_TYPE (McsStore, mcs_store, MCS, STORE, GObject)

McsStore           *mcs_store_open (const char *path,
                                    GError    **error);
McsDatabase        *mcs_store_get_database (McsStore *self);
const char * const *mcs_store_get_migrations (guint *n_migrations);

/* Users */
McsUser   *mcs_store_add_user (McsStore   *self,
                               const char *username,
                               const char *display_name,
                               McRole      role,
                               const char *password_hash,
                               GError    **error);
McsUser   *mcs_store_get_user (McsStore *self,
                               gint64    id,
                               GError  **error);
McsUser   *mcs_store_find_user (McsStore   *self,
                                const char *username,
                                GError    **error);
GPtrArray *mcs_store_list_users (McsStore *self,
                                 GError  **error);
gboolean   mcs_store_update_user (McsStore   *self,
                                  gint64      id,
                                  const char *display_name,
                                  const char *password_hash,
                                  int         disabled,
                                  GError    **error);

/* Sessions */
gboolean    mcs_store_add_session (McsStore     *self,
                                   const guint8 *token_hash,
                                   gint64        user_id,
                                   gint64        created_at,
                                   gint64        expires_at,
                                   GError      **error);
McsSession *mcs_store_find_session (McsStore     *self,
                                    const guint8 *token_hash,
                                    GError      **error);
gboolean    mcs_store_revoke_session (McsStore *self,
                                      gint64    session_id,
                                      gint64    now,
                                      GError  **error);
guint       mcs_store_purge_sessions (McsStore *self,
                                      gint64    now);
gboolean    mcs_store_check_session (McsStore *self,
                                     gint64    session_id,
                                     gint64    now,
                                     GError  **error);
gboolean    mcs_store_revoke_user_sessions (McsStore *self,
                                            gint64    user_id,
                                            gint64    now,
                                            guint    *n_revoked,
                                            GError  **error);
GArray     *mcs_store_list_revoked_sessions (McsStore *self,
                                             gint64    since,
                                             GError  **error);

/* Bookings */
McsBooking *mcs_store_add_booking (McsStore       *self,
                                   gint64          mentor_id,
                                   gint64          student_id,
                                   const char     *subject,
                                   gint64          starts_at,
                                   gint64          ends_at,
                                   McBookingStatus status,
                                   GError        **error);
McsBooking *mcs_store_get_booking (McsStore *self,
                                   gint64    id,
                                   GError  **error);
GPtrArray  *mcs_store_list_user_bookings (McsStore *self,
                                          gint64    user_id,
                                          gint64    ends_after,
                                          GError  **error);
GPtrArray  *mcs_store_list_bookings (McsStore *self,
                                     int       status,
                                     GError  **error);
McsBooking *mcs_store_update_booking (McsStore                *self,
                                      gint64                   id,
                                      const McsBookingChanges *changes,
                                      GError                 **error);
GPtrArray  *mcs_store_list_attendance (McsStore *self,
                                       gint64    booking_id,
                                       GError  **error);

/* Calls and chat */
gboolean        mcs_store_call_join (McsStore   *self,
                                     gint64      booking_id,
                                     gint64      user_id,
                                     const char *instance,
                                     gint64      now,
                                     gint64     *record,
                                     GError    **error);
gboolean        mcs_store_call_leave (McsStore   *self,
                                      gint64      booking_id,
                                      gint64      user_id,
                                      gint64      now,
                                      const char *reason,
                                      GError    **error);
gboolean        mcs_store_call_take_over (McsStore *self,
                                          gint64    booking_id,
                                          gint64    user_id,
                                          gint64    record,
                                          gint64    now,
                                          GError  **error);
gboolean        mcs_store_call_is_open (McsStore   *self,
                                        gint64      record,
                                        gint64      booking_id,
                                        gint64      user_id,
                                        const char *node);
gboolean        mcs_store_call_set_media (McsStore     *self,
                                          gint64        booking_id,
                                          gint64        user_id,
                                          McsMediaFlags media,
                                          GError      **error);
GPtrArray      *mcs_store_call_list_elsewhere (McsStore *self,
                                               gint64    booking_id,
                                               GError  **error);
gboolean        mcs_store_call_end (McsStore *self,
                                    gint64    booking_id,
                                    gint64    ended_by,
                                    gint64    now,
                                    GError  **error);
void            mcs_store_set_node (McsStore   *self,
                                    const char *node);
char           *mcs_store_node_channel (const char *node);
gboolean        mcs_store_publish (McsStore   *self,
                                   const char *channel,
                                   const char *payload,
                                   GError    **error);
guint           mcs_store_node_started (McsStore *self,
                                        gint64    now,
                                        GArray   *bookings);
guint           mcs_store_node_stopped (McsStore *self,
                                        gint64    now,
                                        GArray   *bookings);
guint           mcs_store_node_heartbeat (McsStore *self,
                                          gint64    now,
                                          gint64    dead_after,
                                          GArray   *bookings);
gboolean        mcs_store_call_has_attendance (McsStore *self,
                                               gint64    booking_id);
GArray         *mcs_store_list_expired_calls (McsStore *self,
                                              gint64    ended_before,
                                              GError  **error);
McsChatMessage *mcs_store_add_chat (McsStore   *self,
                                    gint64      booking_id,
                                    gint64      sender_id,
                                    const char *client_id,
                                    const char *text,
                                    gint64      now,
                                    gboolean   *duplicate,
                                    GError    **error);
GPtrArray      *mcs_store_list_chat (McsStore *self,
                                     gint64    booking_id,
                                     gint64    after,
                                     guint     limit,
                                     gint64   *last_seq,
                                     GError  **error);

/* Webhooks */
McsWebhookEndpoint *mcs_store_add_webhook (McsStore           *self,
                                           const char         *url,
                                           const char * const *events,
                                           const char         *secret,
                                           const char         *description,
                                           GError            **error);
McsWebhookEndpoint *mcs_store_get_webhook (McsStore *self,
                                           gint64    id,
                                           GError  **error);
GPtrArray          *mcs_store_list_webhooks (McsStore *self,
                                             GError  **error);
gboolean            mcs_store_remove_webhook (McsStore *self,
                                              gint64    id,
                                              GError  **error);
gboolean            mcs_store_set_webhook_enabled (McsStore   *self,
                                                   gint64      id,
                                                   gboolean    enabled,
                                                   const char *reason,
                                                   gint64      now,
                                                   GError    **error);
gboolean            mcs_store_rotate_webhook_secret (McsStore   *self,
                                                     gint64      id,
                                                     const char *secret,
                                                     gint64      previous_until,
                                                     GError    **error);
gboolean            mcs_store_claim_delivery (McsStore *self,
                                              gint64    delivery_id,
                                              gint64    now,
                                              gint64    until);
GPtrArray          *mcs_store_list_due_deliveries (McsStore *self,
                                                   gint64    now,
                                                   guint     limit,
                                                   GError  **error);
GPtrArray          *mcs_store_list_deliveries (McsStore *self,
                                               gint64    endpoint_id,
                                               guint     limit,
                                               GError  **error);
McsWebhookDelivery *mcs_store_get_delivery (McsStore *self,
                                            gint64    id,
                                            GError  **error);
gboolean            mcs_store_record_attempt (McsStore                 *self,
                                              const McsWebhookDelivery *delivery,
                                              gint64                    now,
                                              guint                     status,
                                              const char               *error_text,
                                              const char               *state,
                                              gint64                    next_attempt_at,
                                              GError                  **error);
gboolean            mcs_store_redeliver (McsStore *self,
                                         gint64    id,
                                         gint64    now,
                                         GError  **error);
void                mcs_store_get_webhook_queue (McsStore *self,
                                                 gint64    now,
                                                 gint64   *length,
                                                 gint64   *oldest_age,
                                                 gint64   *next_due);
guint               mcs_store_purge_webhook_events (McsStore *self,
                                                    gint64    before);

const char * const *mcs_webhook_get_event_types (guint *n_types);
gboolean            mcs_webhook_is_event_type (const char *type);
void                mcs_webhook_endpoint_free (McsWebhookEndpoint *endpoint);
void                mcs_webhook_delivery_free (McsWebhookDelivery *delivery);

char *mcs_chat_check_text (const char *text,
                           GError    **error);

void     mcs_chat_message_free (McsChatMessage *message);
void     mcs_user_free (McsUser *user);
McsUser *mcs_user_copy (const McsUser *user);
void     mcs_booking_free (McsBooking *booking);
gboolean mcs_booking_has_participant (const McsBooking *booking,
                                      gint64            user_id);
void     mcs_attendance_free (McsAttendance *attendance);
void     mcs_attendee_free (McsAttendee *attendee);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsUser, mcs_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsBooking, mcs_booking_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsSession, g_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsChatMessage, mcs_chat_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsWebhookEndpoint, mcs_webhook_endpoint_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsWebhookDelivery, mcs_webhook_delivery_free)

G_END_DECLS
