/* mc-signaling-client-private.h — what the parts of McSignalingClient share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the mc-signaling-client*.c files include this; everything else uses
 * mc-signaling-client.h.
 */

#pragma once

#include <libsoup/soup.h>

#include "mc-chat-outbox.h"
#include "mc-signaling-client.h"

G_BEGIN_DECLS

#define BACKOFF_INITIAL_MS  100
#define BACKOFF_MAX_MS      5000
#define HEARTBEAT_DEFAULT_S 3
/* The server allows 40 messages a second with a burst of 80; stay below. */
#define SEND_RATE_PER_SECOND 30.0
#define SEND_BURST           60.0

struct _McSignalingClient
{
  GObject parent_instance;

  char *instance; /* our call session, sent with each join */

  McApiClient  *api;
  char         *url;
  GMainContext *context;
  GCancellable *cancellable;

  /* The connection */
  McSignalingState         state;
  gboolean                 wanted;
  SoupMessage             *handshake;
  SoupWebsocketConnection *connection;
  gboolean                 welcomed;
  JsonObject              *user;
  gint64                   dead_after_us;
  gint64                   last_activity;
  GSource                 *watchdog;
  GSource                 *reconnect_source;
  guint                    backoff_ms;
  guint                    request_serial;
  double                   send_tokens;
  gint64                   send_tokens_time;

  /* The room */
  gint64   booking_id;
  char    *call_token;
  gboolean in_room;
  gboolean join_sent;
  gboolean fetching_token;
  gboolean token_refreshed;
  char    *join_request_id;
  GSource *rejoin_source;
  guint    rejoin_backoff_ms;
  gint64   last_seq;
  gboolean filling_gap;
  gboolean media_state_set;
  gboolean muted;
  gboolean camera_off;
  gboolean screen;

  McChatOutbox *outbox;
  GSource      *pump_source;
};

enum
{
  PROP_0,
  PROP_API,
  PROP_URL,
  PROP_STATE,
  PROP_USER,
  PROP_BOOKING_ID,
  PROP_IN_ROOM,
  PROP_LAST_SEQ,
  N_PROPS
};

extern GParamSpec *mc_signaling_client_properties[N_PROPS];

enum
{
  JOINED,
  LEFT,
  PEER_JOINED,
  PEER_LEFT,
  OFFER,
  ANSWER,
  ICE_CANDIDATE,
  MEDIA_STATE,
  ENDED,
  CHAT_RECEIVED,
  CHAT_STATE_CHANGED,
  HISTORY,
  PRESENCE,
  BOOKING_CHANGED,
  ERROR,
  N_SIGNALS
};

extern guint mc_signaling_client_signals[N_SIGNALS];

/* The object and the helpers every part uses: mc-signaling-client.c */
void        mc_signaling_client_set_state (McSignalingClient *self,
                                           McSignalingState   state);
void        mc_signaling_client_set_in_room (McSignalingClient *self,
                                             gboolean           in_room);
void        mc_signaling_client_clear_source (GSource **source);
GSource    *mc_signaling_client_add_timeout (McSignalingClient *self,
                                             guint              milliseconds,
                                             GSourceFunc        func);
guint       mc_signaling_client_jitter (guint delay_ms);
char       *mc_signaling_client_next_request_id (McSignalingClient *self,
                                                 const char        *prefix);
JsonObject *mc_signaling_client_new_message (McSignalingClient *self,
                                             const char        *type);
void        mc_signaling_client_emit_error (McSignalingClient *self,
                                            McErrorCode        code,
                                            const char        *message,
                                            const char        *request_id);

/* The connection: mc-signaling-client-connection.c */
void     mc_signaling_client_refill_send_tokens (McSignalingClient *self);
gboolean mc_signaling_client_send_message (McSignalingClient *self,
                                           JsonObject        *object);
gboolean mc_signaling_client_send_relay (McSignalingClient *self,
                                         JsonObject        *object);
void     mc_signaling_client_detach_connection (McSignalingClient *self,
                                                gboolean           abruptly);

/* The room: mc-signaling-client-room.c */
void mc_signaling_client_schedule_rejoin (McSignalingClient *self);
void mc_signaling_client_forget_room (McSignalingClient *self,
                                      const char        *reason);
void mc_signaling_client_begin_join (McSignalingClient *self);

/* Chat: mc-signaling-client-chat.c */
void mc_signaling_client_fail_outbox (McSignalingClient *self,
                                      const char        *reason);
void mc_signaling_client_acknowledge (McSignalingClient *self,
                                      const char        *client_id,
                                      gint64             seq,
                                      gint64             sent_at);
void mc_signaling_client_take_chat_message (McSignalingClient *self,
                                            JsonObject        *object);
void mc_signaling_client_request_gap (McSignalingClient *self);
void mc_signaling_client_pump_outbox (McSignalingClient *self);

/* The server's messages: mc-signaling-client-messages.c */
void mc_signaling_client_dispatch (McSignalingClient *self,
                                   const char        *kind,
                                   JsonObject        *object);

G_END_DECLS
