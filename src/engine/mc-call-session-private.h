/* mc-call-session-private.h — what the parts of McCallSession share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the mc-call-session*.c files include this; everything else uses
 * mc-call-session.h.
 */

#pragma once

#include "mc-bandwidth-estimator.h"
#include "mc-call-session.h"
#include "mc-peer-pipeline.h"
#include "mc-jitter-policy.h"
#include "mc-video-ladder.h"

G_BEGIN_DECLS

struct _McCallSession
{
  GObject parent_instance;

  gboolean           initiator;
  McCallSessionState state;
  GError            *error;

  /* Configuration. */
  gboolean    test_sources;
  char       *video_device;
  char       *audio_device;
  char       *audio_output_device;
  guint       width;
  guint       height;
  guint       framerate;
  guint       latency_ms;
  gboolean    fake_audio_output;
  gboolean    echo_cancel;
  gboolean    stamp_frames;
  GstElement *video_sink;
  GstElement *preview_sink;
  GStrv       ice_addresses;
  char       *stun_server;
  GStrv       turn_servers;
  gboolean    relay_only;
  GHashTable *overrides;

  /* The call. */
  McMediaPipeline *media;
  McPeerPipeline  *peer;
  GCancellable    *peer_cancellable;
  gint64           next_generation;
  gboolean         peer_present;
  gboolean         remote_set;
  gboolean         offer_sent;
  char            *pending_offer;
  GPtrArray       *pending_local;
  GPtrArray       *pending_remote;
  gint64           attempt_started;
  gint64           negotiation_started;
  guint            ice_state;
  gint64           last_key_unit;
  gboolean         muted;
  gboolean         camera_off;
  gboolean         screen_share;
  int              pipewire_fd; /* a stream to share given before capture ran, or -1 */
  guint32          pipewire_node;
  guint            pipewire_width;
  guint            pipewire_height;
  gboolean         remote_muted;
  gboolean         remote_camera_off;
  gboolean         remote_screen;
  gboolean         media_blocked;
  gboolean         warming_up;
  GTask           *prepare_task; /* prepared, waiting for the warm-up */
  guint            watchdog_id;
  guint            stats_id;
  guint            fault_ids[2];

  /* Statistics. */
  guint64         frames_before;
  guint64         audio_before;
  double          time_to_first_frame_ms;
  guint           reconnections;
  McCallStats    *stats;
  McPeerPipeline *stats_peer;
  gint64          stats_time;
  guint64         stats_bytes_in;
  guint64         stats_bytes_out;
  guint64         stats_packets_in;
  guint64         stats_lost_in;
  guint64         stats_repaired_in;
  guint64         stats_video_lost_in;
  guint64         stats_frames;
  GArray         *latency_history;

  /* Adaptation to the path. */
  McBandwidthEstimator *bwe;
  McVideoLadder        *ladder;
  McJitterPolicy       *jitter;
  gboolean              video_paused;
  double                rr_loss; /* the last receiver report's, to tell new ones */
  double                rr_rtt;
};

enum
{
  PROP_0,
  PROP_INITIATOR,
  PROP_STATE,
  PROP_MUTED,
  PROP_CAMERA_OFF,
  PROP_SCREEN_SHARING,
  PROP_REMOTE_MUTED,
  PROP_REMOTE_CAMERA_OFF,
  PROP_REMOTE_SCREEN_SHARING,
  PROP_VIDEO_PAUSED,
  N_PROPS
};

enum
{
  SIGNAL_SEND_OFFER,
  SIGNAL_SEND_ANSWER,
  SIGNAL_SEND_ICE_CANDIDATE,
  SIGNAL_SEND_MEDIA_STATE,
  SIGNAL_STATS,
  SIGNAL_DEVICE_CHANGED,
  SIGNAL_DEVICE_LOST,
  SIGNAL_DEVICES_CHANGED,
  SIGNAL_SCREEN_SHARE_STOPPED,
  SIGNAL_FIRST_REMOTE_FRAME,
  SIGNAL_SEND_QUALITY_CHANGED,
  SIGNAL_INPUT_LEVEL,
  SIGNAL_OUTPUT_LEVEL,
  N_SIGNALS
};

extern GParamSpec *mc_call_session_properties[N_PROPS];
extern guint       mc_call_session_signals[N_SIGNALS];

/* The session: mc-call-session.c */
gboolean mc_call_session_is_final (McCallSession *self);
void     mc_call_session_set_state (McCallSession     *self,
                                    McCallSessionState state);
void     mc_call_session_fail (McCallSession *self,
                               GError        *error);

/* Negotiation and recovery: mc-call-session-negotiation.c */
void     mc_call_session_candidate_free (gpointer data);
void     mc_call_session_drop_peer (McCallSession *self);
void     mc_call_session_offer_new_generation (McCallSession *self);
void     mc_call_session_await_offer (McCallSession *self);
void     mc_call_session_start_negotiation (McCallSession *self);
gboolean mc_call_session_watchdog_cb (gpointer user_data);

/* Statistics: mc-call-session-stats.c */
gboolean mc_call_session_stats_tick_cb (gpointer user_data);

/* Adaptation: mc-call-session-adapt.c */
void mc_call_session_adapt_init (McCallSession *self);
void mc_call_session_adapt_peer (McCallSession *self);
void mc_call_session_adapt (McCallSession *self,
                            GArray        *twcc_packets,
                            double         rr_loss,
                            double         rtt_ms,
                            McCallStats   *stats);

/* Media state: mc-call-session-media.c */
void mc_call_session_emit_media_state (McCallSession *self);
void mc_call_session_adapt_content (McCallSession *self);
void mc_call_session_set_screen_sharing (McCallSession *self,
                                         gboolean       share);

G_END_DECLS
