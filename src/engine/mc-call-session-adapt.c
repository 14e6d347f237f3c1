/* mc-call-session-adapt.c — fitting what is sent to what the path carries
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McCallSession closes the loop once a second, with the
 * statistics (mc-call-session-stats.c hands over webrtcbin's): it turns
 * what the peer's feedback says into an McBandwidthFeedback, feeds the
 * McBandwidthEstimator, and applies its estimate to the media pipeline:
 *
 * - the video budget is the estimate less what audio takes (Opus at 32 kbit/s
 *   with its RTP, SRTP and UDP overhead, about 50 kbit/s) less 5 % for the
 *   video's own packet overhead, less the share of packets lost (which are
 *   sent again): that is vp8enc's target-bitrate;
 * - McVideoLadder turns the budget into a resolution and frame rate, or a
 *   pause, and the media pipeline changes its capsfilter (no renegotiation);
 * - Opus keeps its bitrate, and its in-band FEC follows the loss measured;
 * - video gets no forward error correction of ours. ULPFEC wrapped in RED
 *   (the transceiver's fec-type) was tried and measured: with it
 *   negotiated, even at 0 %, webrtcbin 1.22 carried no transport-wide
 *   feedback and no retransmission requests for video, so under a
 *   500 kbit/s cap the estimate never came down and the first picture came
 *   after 27 s instead of 0.2 s; and at 10 % loss on a short path it
 *   repaired under one packet a second (it repairs only what the jitter
 *   buffer gave up on). Retransmissions within a jitter buffer that waits
 *   long enough for them do the job instead;
 * - on the receiving side, McJitterPolicy sets how long the jitter buffers
 *   wait for a missing packet from what arrived, and the peer pipeline
 *   applies it live.
 *
 * Feedback comes from transport-wide congestion control when the peer sends
 * it: every feedback packet's per-packet send and arrival times, which the
 * RTP session hands upstream as an "RTPTWCCPackets" event (the peer pipeline
 * collects them), summed over the second by
 * mc_bandwidth_feedback_from_packets(). (The session's own twcc-stats,
 * which webrtcbin 1.22 shows as "gst-twcc-stats" in its candidate-pair
 * statistics, covers only the latest feedback packet's dozen packets: far
 * too noisy once a second, and its loss counts packets not reported yet.)
 * Otherwise, from RTCP receiver reports: the fraction of our packets lost
 * and the round trip. The same figures twice (nothing new arrived: the path
 * may be down) feed nothing; the recovery watchdog deals with a dead path.
 *
 * A shared screen has a ladder of its own, which keeps the resolution and
 * gives up frame rate first (mc_call_session_adapt_content()).
 *
 * The estimator and the ladder live as long as the session (the ladder is
 * made again when the content changes between camera and screen): a
 * reconnection is usually the same path, and starting over at the start
 * bitrate would only cost quality.
 */

#define G_LOG_DOMAIN "mc-call"

#include <math.h>

#include "mc-call-session-private.h"

/* Opus at 32 kbit/s in 20 ms packets with RTP, SRTP, UDP and IP headers. */
#define AUDIO_RESERVE  50000
#define VIDEO_OVERHEAD 0.95
#define START_BITRATE  1000000
#define MIN_BITRATE    80000
/* PRODUCT.md's bar for a clean 720p30 call is 2.5 Mbit/s, and libwebrtc's
 * default maximum for 720p is the same. At 2.2 Mbit/s (video 2.04) the
 * moving test pattern, which VP8 cannot make smaller than 2.28 Mbit/s at
 * 720p30 even at its coarsest quantizer, lost a tenth of its frames to the
 * encoder's dropping (27–28 fps on a clean path). */
#define MAX_BITRATE      2500000
#define MIN_VIDEO_TARGET 50000
/* What packets sent again may take of the estimate (mc-retransmission-budget.c):
 * at 10 % loss they need about a tenth, but at the start of a call under a
 * 1 Mbit/s cap, unlimited, they took three quarters of what was sent. */
#define RTX_SHARE       0.25
#define MIN_RTX_BITRATE 50000
/* The most the receive jitter buffers wait for a missing packet. Waiting
 * holds back only the packets behind a missing one; giving up stops the
 * picture until a key frame was asked for and came whole. With 300 ms, 50 ms
 * each way and 5 % loss, only the first request for a packet could bring it
 * back in time (docs/call-engine.md, "Loss resilience"). */
#define MAX_RECEIVE_LATENCY_MS 600
/* A shared screen's best frame rate (the media pipeline's cap). */
#define SCREEN_FRAMERATE 15

/* Helpers */

/* What video may use of @estimate when @loss (0–1) of our packets are
 * lost: every lost packet the peer asks for again is sent twice, and those
 * retransmissions take their share of the path too. */
static guint
video_budget (guint  estimate,
              double loss)
{
  double share = VIDEO_OVERHEAD * (1 - CLAMP (loss, 0, 0.5));

  return estimate > AUDIO_RESERVE ? (guint) ((estimate - AUDIO_RESERVE) * share) : 0;
}

static void
announce (McCallSession      *self,
          McVideoLadderChange change)
{
  guint width, height, framerate;

  mc_video_ladder_get_format (self->ladder, &width, &height, &framerate);
  g_debug ("Video %s: %ux%u at %u frames a second",
           change == MC_VIDEO_LADDER_LOWERED   ? "lowered"
           : change == MC_VIDEO_LADDER_RAISED  ? "raised"
           : change == MC_VIDEO_LADDER_PAUSED  ? "paused"
           : change == MC_VIDEO_LADDER_RESUMED ? "resumed"
                                               : "unchanged",
           width, height, framerate);
  g_signal_emit (self, mc_call_session_signals[SIGNAL_SEND_QUALITY_CHANGED], 0, change, width,
                 height, framerate);
}

/* Applies the estimate to the media pipeline; @announce_changes is FALSE
 * before the call connected (the first choice of a rung is not news). */
static void
apply (McCallSession *self,
       gboolean       announce_changes,
       gint64         now)
{
  guint               budget = video_budget (mc_bandwidth_estimator_get_estimate (self->bwe),
                                             mc_bandwidth_estimator_get_loss (self->bwe));
  McVideoLadderChange change;
  guint               width, height, framerate;
  gboolean            paused;

  change = mc_video_ladder_update (self->ladder, budget, now);
  paused = mc_video_ladder_get_paused (self->ladder);

  mc_video_ladder_get_format (self->ladder, &width, &height, &framerate);
  mc_media_pipeline_set_video_format (self->media, width, height, framerate);
  mc_media_pipeline_set_video_bitrate (self->media, MAX (budget, MIN_VIDEO_TARGET));
  mc_media_pipeline_set_video_paused (self->media, paused);
  mc_call_session_adapt_peer (self);

  /* Paused video sends nothing, so the estimate could never prove that the
   * path has room again: let it grow, without proof, to what the lowest
   * rung needs to come back. */
  mc_bandwidth_estimator_set_probe_bitrate (
    self->bwe,
    paused ? (guint) (2 * mc_video_ladder_get_min_bitrate (self->ladder,
                                                           mc_video_ladder_get_n_rungs (self->ladder) - 1) +
                      AUDIO_RESERVE)
           : 0);

  if (paused != self->video_paused)
    {
      self->video_paused = paused;
      g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_VIDEO_PAUSED]);
    }

  if (change != MC_VIDEO_LADDER_UNCHANGED && announce_changes)
    announce (self, change);
}

/* The receiving side: how long the jitter buffers wait for what is
 * missing. */
static void
adapt_receiver (McCallSession *self,
                double         rtt_ms,
                McCallStats   *stats)
{
  McJitterSample sample = {
    stats->monotonic_time,
    stats->arrival_loss,
    /* Audio conceals a lost packet; a lost video packet stops the picture. */
    (guint) MIN (stats->video_packets_dropped, G_MAXUINT),
    stats->jitter_ms,
    /* RTCP's round trip needs the peer's receiver reports to carry it; a
     * retransmission's is measured here. */
    rtt_ms > 0 ? rtt_ms : stats->rtx_round_trip_ms,
  };
  guint before = mc_jitter_policy_get_latency (self->jitter);
  guint audio_before = mc_jitter_policy_get_audio_latency (self->jitter);
  guint latency = before;
  guint audio_latency;

  /* Only figures of a connection that carries media say anything. */
  if (self->peer != NULL && self->state == MC_CALL_SESSION_STATE_CONNECTED)
    latency = mc_jitter_policy_update (self->jitter, &sample);
  audio_latency = mc_jitter_policy_get_audio_latency (self->jitter);
  if ((latency != before || audio_latency != audio_before) && self->peer != NULL)
    mc_peer_pipeline_set_receive_latency (self->peer, latency, audio_latency);
  if (self->peer != NULL)
    mc_peer_pipeline_set_retry_timeout (self->peer,
                                        mc_jitter_policy_get_retry_timeout (self->jitter));
  stats->receive_latency_ms = latency;
}

/* Public API (private to the session) */

/* Makes the estimator and the ladder, and sets the encoder to the start
 * bitrate's rung, before the first connection. */
void
mc_call_session_adapt_init (McCallSession *self)
{
  g_clear_object (&self->bwe);
  g_clear_object (&self->ladder);
  g_clear_object (&self->jitter);
  self->bwe = mc_bandwidth_estimator_new (START_BITRATE, MIN_BITRATE, MAX_BITRATE);
  self->jitter = mc_jitter_policy_new (self->latency_ms,
                                       MAX (self->latency_ms, MAX_RECEIVE_LATENCY_MS));
  self->ladder = mc_video_ladder_new (self->width, self->height, self->framerate);
  apply (self, FALSE, g_get_monotonic_time ());
}

/* What the current connection may send again: a share of the estimate
 * (each new connection from its start, where an unlimited one did most
 * harm). */
void
mc_call_session_adapt_peer (McCallSession *self)
{
  guint estimate;

  if (self->peer == NULL || self->bwe == NULL)
    return;

  estimate = mc_bandwidth_estimator_get_estimate (self->bwe);
  mc_peer_pipeline_set_retransmission_budget (self->peer,
                                              MAX ((guint) (estimate * RTX_SHARE), MIN_RTX_BITRATE),
                                              self->rr_rtt > 0 ? (guint) self->rr_rtt : 0);
}

/* The screen is shared, or the camera is back: a ladder for that content
 * (mc-video-ladder.c), from its top rung, with the estimate kept. */
void
mc_call_session_adapt_content (McCallSession *self)
{
  guint width = 0, height = 0;

  if (self->bwe == NULL || self->media == NULL)
    return;

  g_clear_object (&self->ladder);
  if (self->screen_share)
    mc_media_pipeline_get_screen_size (self->media, &width, &height);

  if (width > 0 && height > 0)
    self->ladder = mc_video_ladder_new_for_screen (width, height, SCREEN_FRAMERATE);
  else
    self->ladder = mc_video_ladder_new (self->width, self->height, self->framerate);
  apply (self, FALSE, g_get_monotonic_time ());
}

/* One second of statistics: @twcc_packets is what the peer's transport-wide
 * feedback said about our packets in that second (McBandwidthPacket, maybe
 * none); @rr_loss (0–1, or -1) and @rtt_ms (or -1) come from the receiver
 * reports. */
void
mc_call_session_adapt (McCallSession *self,
                       GArray        *twcc_packets,
                       double         rr_loss,
                       double         rtt_ms,
                       McCallStats   *stats)
{
  McBandwidthFeedback feedback;
  gint64              now = stats->monotonic_time;
  gboolean            fed = FALSE;

  if (self->bwe == NULL)
    return;

  adapt_receiver (self, rtt_ms, stats);

  mc_bandwidth_estimator_feedback_init (&feedback, now);
  feedback.rtt_ms = rtt_ms;

  if (twcc_packets != NULL &&
      mc_bandwidth_feedback_from_packets (&feedback, (McBandwidthPacket *) twcc_packets->data,
                                          twcc_packets->len))
    {
      stats->feedback = "twcc";
      fed = TRUE;
    }
  else if (rr_loss >= 0 && (rr_loss != self->rr_loss || rtt_ms != self->rr_rtt))
    {
      /* A receiver report comes every few seconds; the same figures again
       * are not news (and the path may be down). */
      mc_bandwidth_estimator_feedback_init (&feedback, now);
      feedback.rtt_ms = rtt_ms;
      feedback.loss = rr_loss;
      feedback.sent_bitrate = stats->bitrate_out;
      stats->feedback = "rtcp";
      fed = TRUE;
    }
  self->rr_loss = rr_loss;
  self->rr_rtt = rtt_ms;

  if (fed && self->state == MC_CALL_SESSION_STATE_CONNECTED)
    {
      mc_bandwidth_estimator_add_feedback (self->bwe, &feedback);
      if (feedback.loss >= 0)
        mc_media_pipeline_set_audio_loss (self->media, (guint) ceil (feedback.loss * 100));
      apply (self, TRUE, now);
    }
  else
    {
      stats->feedback = NULL;
    }

  stats->estimate = mc_bandwidth_estimator_get_estimate (self->bwe);
  stats->sent_loss = MAX (0, mc_bandwidth_estimator_get_loss (self->bwe));
  stats->video_paused = mc_media_pipeline_get_video_paused (self->media);
  stats->video_target = stats->video_paused ? 0 : mc_media_pipeline_get_video_bitrate (self->media);
  mc_media_pipeline_get_video_format (self->media, &stats->send_width, &stats->send_height,
                                      &stats->send_framerate);
}

/* Public API */

/**
 * mc_call_session_get_video_paused:
 * @self: a session
 *
 * Returns: whether our video is paused because the path is too slow for it
 */
gboolean
mc_call_session_get_video_paused (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->video_paused;
}

/**
 * mc_call_session_get_bandwidth_estimate:
 * @self: a session
 *
 * Returns: what the path to the peer carries, as the bandwidth estimator
 *   says, in bits a second (0 before the session is prepared)
 */
guint
mc_call_session_get_bandwidth_estimate (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), 0);

  return self->bwe != NULL ? mc_bandwidth_estimator_get_estimate (self->bwe) : 0;
}

/**
 * mc_call_session_debug_limit_bandwidth:
 * @self: a session
 * @max_bitrate: what the estimate may reach at most, in bits a second, or 0
 *   for no limit but the usual
 *
 * For tests of what the user is told (a network shaped to this cap needs a
 * namespace of its own; the estimator's reaction to one is tested with
 * recorded feedback): the bandwidth estimate is held under @max_bitrate as
 * if the path carried no more, and applied at once while connected, so that
 * the video ladder steps down (or pauses) through its usual path. Lifting
 * the limit lets the estimate grow again as feedback allows.
 */
void
mc_call_session_debug_limit_bandwidth (McCallSession *self,
                                       guint          max_bitrate)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->bwe == NULL)
    return;

  max_bitrate = max_bitrate > 0 ? MAX (max_bitrate, MIN_BITRATE) : MAX_BITRATE;
  mc_bandwidth_estimator_set_bounds (self->bwe, MIN_BITRATE, max_bitrate);
  if (self->state == MC_CALL_SESSION_STATE_CONNECTED)
    apply (self, TRUE, g_get_monotonic_time ());
}
