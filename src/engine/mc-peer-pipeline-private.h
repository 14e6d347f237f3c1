/* mc-peer-pipeline-private.h — what the parts of McPeerPipeline share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the mc-peer-pipeline*.c files include this; everything else uses
 * mc-peer-pipeline.h.
 */

#pragma once

#include <gst/app/app.h>
#include <gst/sdp/sdp.h>

#include "mc-peer-pipeline.h"
#include "mc-retransmission-budget.h"

G_BEGIN_DECLS

/* Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01),
 * and the extension id we offer. */
#define MC_PEER_TWCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define MC_PEER_TWCC_ID  3

/* The least time between two retransmission requests for the same packet. */
#define MC_PEER_RTX_MIN_RETRY_MS 10
/* How many times a request is repeated: five in all. At 10 % loss each
 * way a request and its answer fail together about one time in five, so
 * three let about one video packet a second through unrepaired (a freeze
 * until the next key frame), five one in a minute. More would, on a
 * congested path, send more the more is lost; there the latency's ceiling
 * leaves room for one or two anyway. */
#define MC_PEER_RTX_MAX_RETRIES 4

/* How often our RTP session tells the peer which of its packets arrived
 * (transport-wide congestion control feedback). GStreamer 1.22 otherwise
 * answers at each packet with the marker bit, which is every video frame
 * but almost never an audio packet: with our video paused the peer's
 * estimate then heard nothing for seconds and the video came back late.
 * Chromium answers every 100 ms too. */
#define MC_PEER_TWCC_FEEDBACK_INTERVAL_MS 100

/* The RTCP bandwidth of our RTP session, for the reports of senders and of
 * receivers each, in bits a second. A retransmission request travels in
 * RTCP, and GStreamer 1.22 follows RFC 4585: after one early feedback packet
 * the next may go only once a regular report interval has passed. That
 * interval comes from the RTCP bandwidth, by default 5 % of what the session
 * sends, shared by every sender of the bundle, with our transport-wide
 * feedback making the average report large: about 300 ms at 1 Mbit/s, so
 * that at 5 % loss most requests waited for it and the retransmission came
 * after the jitter buffer had given up on the packet (a frozen picture until
 * the next key frame). At 50 kbit/s each the interval is tens of
 * milliseconds, and what we send of it about 12 kbit/s: measured at 5 %
 * loss, the round trip of a retransmission went from 16–77 ms (300 ms in the
 * first seconds) to 2–12 ms, and the frozen time from 1.6–2.1 s to
 * 0.3–0.6 s in 20 s. */
#define MC_PEER_RTCP_BANDWIDTH 50000

struct _McPeerPipeline
{
  GObject parent_instance;

  McMediaPipeline *media;
  gint64           generation;
  GMainContext    *context;
  GHashTable      *overrides;

  GstElement              *pipeline;
  GstElement              *webrtc;
  GstElement              *video_depay;
  GstElement              *audio_depay;
  GstAppSrc               *video_src;
  GstAppSrc               *audio_src;
  GstElement              *payloaders[2];    /* by McMediaKind */
  GstWebRTCRTPTransceiver *transceivers[2];  /* by McMediaKind */
  guint                    twcc_id;          /* 0: none negotiated */
  guint                    audio_latency_ms; /* the audio jitter buffers' */
  gint                     retry_timeout_ms; /* the video ones' rtx-retry-timeout */
  gulong                   sender_holds[2];  /* by McMediaKind: an answerer's, until its answer */
  guint                    bus_watch;
  gboolean                 stopped;
  gboolean                 uses_turn; /* TURN allocations to release when stopping */
  GPtrArray               *requests;  /* McPeerRequest: webrtcbin's unanswered promises */

  /* Shared with streaming threads. */
  gint                    media_blocked;
  gint                    ice_connected;
  gint                    dtls_connected;
  gint64                  last_media_time;
  guint64                 frames_decoded;
  guint64                 audio_buffers;
  gint                    width;
  gint                    height;
  GMutex                  lock;
  GArray                 *latency_samples;
  GArray                 *twcc_packets;  /* McBandwidthPacket */
  GPtrArray              *jitterbuffers; /* rtpjitterbuffer, as rtpbin makes them */
  GPtrArray              *fec_decoders;  /* rtpulpfecdec */
  McRetransmissionBudget *rtx_budget;    /* what rtprtxsend may send again */
};

void mc_peer_pipeline_configure_jitterbuffer (McPeerPipeline *self,
                                              GstElement     *element);
void mc_peer_pipeline_watch_retransmission_requests (McPeerPipeline *self,
                                                     GstElement     *rtxsend);
void mc_peer_pipeline_release_turn (GstElement *webrtc,
                                    GstElement *pipeline);
void mc_peer_pipeline_wait_for_turn_releases (void);

enum
{
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_ICE_STATE_CHANGED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_ERROR,
  N_SIGNALS
};

/* The object: mc-peer-pipeline.c */
void mc_peer_pipeline_emit_on_main (McPeerPipeline *self,
                                    guint           signal_id,
                                    guint           number,
                                    gint64          time,
                                    const char     *text);

/* The elements: mc-peer-pipeline-elements.c. The callbacks (*_cb) here and below are
 * connected by mc_peer_pipeline_new () and run on streaming threads. */
GstElement *mc_peer_pipeline_make (McPeerPipeline *self,
                                   const char     *factory,
                                   const char     *name,
                                   GError        **error);
gboolean    mc_peer_pipeline_build_sender (McPeerPipeline *self,
                                           McMediaKind     kind,
                                           GError        **error);
gboolean    mc_peer_pipeline_build_receiver (McPeerPipeline *self,
                                             McMediaKind     kind,
                                             GError        **error);
void        mc_peer_pipeline_hold_senders (McPeerPipeline *self);
void        mc_peer_pipeline_release_senders (McPeerPipeline      *self,
                                              const GstSDPMessage *answer);
void        mc_peer_pipeline_follow_offer (McPeerPipeline      *self,
                                           const GstSDPMessage *offer);
void        mc_peer_pipeline_pad_added_cb (GstElement *webrtc,
                                           GstPad     *pad,
                                           gpointer    user_data);

/* Negotiation: mc-peer-pipeline-negotiation.c */
void mc_peer_pipeline_cancel_requests (McPeerPipeline *self);

/* ICE: mc-peer-pipeline-ice.c */
void mc_peer_pipeline_configure_ice (McPeerPipeline     *self,
                                     const McPeerConfig *config);
void mc_peer_pipeline_watch_retransmission (McPeerPipeline *self);
void mc_peer_pipeline_deep_element_added_cb (GstBin     *bin,
                                             GstBin     *sub_bin,
                                             GstElement *element,
                                             gpointer    user_data);
void mc_peer_pipeline_on_ice_candidate_cb (GstElement *webrtc,
                                           guint       mline_index,
                                           const char *candidate,
                                           gpointer    user_data);
void mc_peer_pipeline_ice_connection_state_cb (GObject    *webrtc,
                                               GParamSpec *pspec,
                                               gpointer    user_data);
void mc_peer_pipeline_connection_state_cb (GObject    *webrtc,
                                           GParamSpec *pspec,
                                           gpointer    user_data);

G_END_DECLS
