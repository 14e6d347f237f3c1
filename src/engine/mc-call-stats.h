/* mc-call-stats.h — one second of a call's statistics
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * McCallQuality:
 * @MC_CALL_QUALITY_UNKNOWN: not enough data yet (no media has arrived)
 * @MC_CALL_QUALITY_GOOD: round trip under 150 ms, loss under 2 %, smooth video
 * @MC_CALL_QUALITY_FAIR: round trip under 400 ms, loss under 10 %, video of at
 *   least 10 frames per second
 * @MC_CALL_QUALITY_POOR: anything worse, or no media in the last second
 *
 * The network-quality indicator of a call, derived from #McCallStats.
 */
typedef enum
{
  MC_CALL_QUALITY_UNKNOWN,
  MC_CALL_QUALITY_GOOD,
  MC_CALL_QUALITY_FAIR,
  MC_CALL_QUALITY_POOR,
} McCallQuality;

#define MC_TYPE_CALL_QUALITY (mc_call_quality_get_type ())
#define MC_TYPE_CALL_STATS   (mc_call_stats_get_type ())

GType mc_call_quality_get_type (void) G_GNUC_CONST;
GType mc_call_stats_get_type (void) G_GNUC_CONST;

/**
 * McCallStats:
 * @monotonic_time: when these were taken, g_get_monotonic_time()
 * @round_trip_ms: round-trip time from RTCP (the receiver reports), or -1 if unknown
 * @loss: fraction (0–1) of the packets sent to us lost in the last second
 *   for good (not repaired by a retransmission in time)
 * @remote_loss: fraction (0–1) of our packets the peer reports lost
 * @jitter_ms: interarrival jitter of the incoming streams
 * @bitrate_in: incoming bits per second (all streams, with RTP overhead)
 * @bitrate_out: outgoing bits per second
 * @frame_rate: remote video frames decoded in the last second
 * @width: width of the remote video, 0 before the first frame
 * @height: height of the remote video
 * @quality: the quality level derived from the above
 * @frames_decoded: remote video frames decoded in this call
 * @audio_buffers_received: remote audio buffers decoded in this call
 * @time_to_first_frame_ms: from the start of negotiation with the peer
 *   (the peer joined, or the call reconnected) to the first decoded remote
 *   frame; -1 before it
 * @latency_samples: frames whose capture stamp was read in the last second
 * @latency_mean_ms: their mean frame-in to frame-out latency, or -1
 * @latency_max_ms: the largest of them, or -1
 * @reconnections: how often the media path was rebuilt in this call
 * @estimate: what the bandwidth estimator says the path to the peer carries,
 *   in bits a second (everything sent), or 0 before it says anything
 * @video_target: the video encoder's target bitrate, 0 while video is paused
 * @sent_loss: fraction (0–1) of our packets lost, as the latest feedback said
 * @feedback: what the estimate came from in the last second: "twcc"
 *   (transport-wide congestion control feedback), "rtcp" (receiver reports)
 *   or %NULL (nothing new)
 * @send_width: width of the video we send (the ladder's rung), 0 if unknown
 * @send_height: its height
 * @send_framerate: its frames a second
 * @video_paused: our video is paused because the path is too slow for it
 * @nacks_sent: retransmission requests (RTCP NACK) we sent on the current
 *   connection
 * @arrival_loss: fraction (0–1) of the packets sent to us that did not
 *   arrive at first in the last second (repaired or not)
 * @packets_repaired: packets sent to us that a retransmission brought in
 *   time, in the last second
 * @packets_dropped: packets sent to us that the jitter buffer gave up on in
 *   the last second
 * @video_packets_dropped: of @packets_dropped, the video packets (each
 *   stops the picture until the next key frame)
 * @rtx_round_trip_ms: how long retransmissions took to come after they
 *   were asked for (a round trip, measured where RTCP's may be missing),
 *   or -1 before any came
 * @fec_recovered: packets the peer's forward error correction rebuilt on
 *   the current connection (a browser may send ULPFEC; we send none)
 * @retransmissions_refused: the peer's retransmission requests we left
 *   unanswered on the current connection, for want of budget or because
 *   the packet had just been sent again (#McRetransmissionBudget)
 * @receive_latency_ms: how long the jitter buffers wait for a missing
 *   packet now (#McJitterPolicy)
 * @audio_receive_latency_ms: how long the audio ones do, as read from
 *   them (audio is never sent again, so they wait for late packets only),
 *   or 0 before the audio stream is known
 *
 * A snapshot of a call's statistics, taken every second.
 */
typedef struct
{
  gint64        monotonic_time;
  double        round_trip_ms;
  double        loss;
  double        remote_loss;
  double        jitter_ms;
  guint64       bitrate_in;
  guint64       bitrate_out;
  double        frame_rate;
  guint         width;
  guint         height;
  McCallQuality quality;
  guint64       frames_decoded;
  guint64       audio_buffers_received;
  double        time_to_first_frame_ms;
  guint         latency_samples;
  double        latency_mean_ms;
  double        latency_max_ms;
  guint         reconnections;
  guint64       estimate;
  guint64       video_target;
  double        sent_loss;
  const char   *feedback;
  guint         send_width;
  guint         send_height;
  guint         send_framerate;
  gboolean      video_paused;
  guint64       nacks_sent;
  double        arrival_loss;
  guint64       packets_repaired;
  guint64       packets_dropped;
  guint64       video_packets_dropped;
  guint         receive_latency_ms;
  guint         audio_receive_latency_ms;
  double        rtx_round_trip_ms;
  guint64       fec_recovered;
  guint64       retransmissions_refused;
} McCallStats;

/**
 * McCallVideoKind:
 * @MC_CALL_VIDEO_NONE: no video is expected (the peer's camera is off)
 * @MC_CALL_VIDEO_CAMERA: a camera picture
 * @MC_CALL_VIDEO_SCREEN: a shared screen, which is sent at 5 to 15 frames a
 *   second on purpose (mc-video-ladder.c)
 *
 * What video the peer sends, for the quality rating.
 */
typedef enum
{
  MC_CALL_VIDEO_NONE,
  MC_CALL_VIDEO_CAMERA,
  MC_CALL_VIDEO_SCREEN,
} McCallVideoKind;

McCallStats  *mc_call_stats_new (void);
McCallStats  *mc_call_stats_copy (const McCallStats *stats);
void          mc_call_stats_free (McCallStats *stats);
gboolean      mc_call_stats_round_trip_is_plausible (const McCallStats *stats);
McCallQuality mc_call_stats_derive_quality (const McCallStats *stats,
                                            McCallVideoKind    expected);
JsonObject   *mc_call_stats_to_json (const McCallStats *stats);
const char   *mc_call_quality_to_string (McCallQuality quality);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McCallStats, mc_call_stats_free)

G_END_DECLS
