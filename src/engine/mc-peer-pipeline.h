/* mc-peer-pipeline.h — one webrtcbin peer connection, thrown away on reconnect
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>

#include "mc-bandwidth-estimator.h"
#include "mc-media-pipeline.h"

G_BEGIN_DECLS

#define MC_TYPE_PEER_PIPELINE (mc_peer_pipeline_get_type ())

G_DECLARE_FINAL_TYPE (McPeerPipeline, mc_peer_pipeline, MC, PEER_PIPELINE, GObject)

/**
 * McPeerConfig:
 * @media: the running media pipeline to send from and play to
 * @generation: the negotiation generation this peer belongs to
 * @latency_ms: jitter-buffer latency
 * @audio_latency_ms: the audio jitter buffers' (they wait for no
 *   retransmission), at most @latency_ms
 * @ice_addresses: (nullable): restrict ICE to these local addresses
 * @stun_server: (nullable): a `stun://host:port` URL
 * @turn_servers: (nullable): `turn(s)://user:pass@host:port` URLs
 * @relay_only: gather only relay candidates (media through TURN only)
 * @overrides: (nullable): element factory overrides, for tests
 * @media_blocked: start with the media-blocking fault set
 * @answerer: this connection will answer the peer's offer (rather than
 *   make one): its header extension ids come from the offer, and it sends
 *   no media before its answer is made
 *
 * How to build a #McPeerPipeline.
 */
typedef struct
{
  McMediaPipeline    *media;
  gint64              generation;
  guint               latency_ms;
  guint               audio_latency_ms;
  const char * const *ice_addresses;
  const char         *stun_server;
  const char * const *turn_servers;
  gboolean            relay_only;
  GHashTable         *overrides;
  gboolean            media_blocked;
  gboolean            answerer;
} McPeerConfig;

void     mc_peer_pipeline_warm_up_async (GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
void     mc_peer_pipeline_warm_up_wait (void);
gboolean mc_peer_pipeline_warm_up_finish (GAsyncResult *result,
                                          GError      **error);

/**
 * McReceiveCounters:
 * @pushed: packets the jitter buffers handed on
 * @lost: packets they gave up on (not there when their wait ended)
 * @repaired: packets a retransmission brought in time
 * @requested: retransmissions asked for
 * @recovered: packets forward error correction rebuilt (after the jitter
 *   buffer gave up on them)
 * @jitter_ms: the largest interarrival jitter the jitter buffers measured
 * @video_lost: of @lost, the video packets
 * @rtx_rtt_ms: the largest mean time a retransmission took to come after
 *   it was asked for (a round trip), or 0 before any came
 * @audio_latency_ms: how long the audio jitter buffers wait for a missing
 *   packet now, or 0 before the audio stream is known
 *
 * What the receiving side of a connection counted since it started.
 */
typedef struct
{
  guint64 pushed;
  guint64 lost;
  guint64 repaired;
  guint64 requested;
  guint64 recovered;
  double  jitter_ms;
  guint64 video_lost;
  double  rtx_rtt_ms;
  guint   audio_latency_ms;
} McReceiveCounters;

McPeerPipeline *mc_peer_pipeline_new (const McPeerConfig *config,
                                      GError            **error);
gint64          mc_peer_pipeline_get_generation (McPeerPipeline *self);
void            mc_peer_pipeline_set_generation (McPeerPipeline *self,
                                                 gint64          generation);
void            mc_peer_pipeline_stop (McPeerPipeline *self);

void          mc_peer_pipeline_create_offer_async (McPeerPipeline     *self,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
void          mc_peer_pipeline_create_answer_async (McPeerPipeline     *self,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
char         *mc_peer_pipeline_create_finish (McPeerPipeline *self,
                                              GAsyncResult   *result,
                                              GError        **error);
void          mc_peer_pipeline_set_remote_async (McPeerPipeline     *self,
                                                 GstWebRTCSDPType    type,
                                                 const char         *sdp,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
gboolean      mc_peer_pipeline_set_remote_finish (McPeerPipeline *self,
                                                  GAsyncResult   *result,
                                                  GError        **error);
void          mc_peer_pipeline_add_ice_candidate (McPeerPipeline *self,
                                                  guint           mline_index,
                                                  const char     *candidate);
void          mc_peer_pipeline_get_stats_async (McPeerPipeline     *self,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
GstStructure *mc_peer_pipeline_get_stats_finish (McPeerPipeline *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

void     mc_peer_pipeline_set_media_blocked (McPeerPipeline *self,
                                             gboolean        blocked);
gboolean mc_peer_pipeline_get_dtls_connected (McPeerPipeline *self);
gint64   mc_peer_pipeline_get_last_media_time (McPeerPipeline *self);
guint64  mc_peer_pipeline_get_frames_decoded (McPeerPipeline *self);
guint64  mc_peer_pipeline_get_audio_buffers (McPeerPipeline *self);
void     mc_peer_pipeline_get_video_size (McPeerPipeline *self,
                                          guint          *width,
                                          guint          *height);
GArray  *mc_peer_pipeline_take_latency_samples (McPeerPipeline *self);
GArray  *mc_peer_pipeline_take_twcc_packets (McPeerPipeline *self);
void     mc_peer_pipeline_set_receive_latency (McPeerPipeline *self,
                                               guint           latency_ms,
                                               guint           audio_latency_ms);
guint    mc_peer_pipeline_get_receive_latency (McPeerPipeline *self);
void     mc_peer_pipeline_set_retransmission_budget (McPeerPipeline *self,
                                                     guint           bitrate,
                                                     guint           round_trip_ms);
guint    mc_peer_pipeline_get_retransmissions_refused (McPeerPipeline *self);
void     mc_peer_pipeline_set_retry_timeout (McPeerPipeline *self,
                                             gint            timeout_ms);
void     mc_peer_pipeline_get_receive_counters (McPeerPipeline    *self,
                                                McReceiveCounters *counters);

G_END_DECLS
