/* mc-call-session-stats.c — a call's statistics, once a second
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McCallSession sums webrtcbin's statistics of the current
 * connection into a #McCallStats every second (::stats), with the rates
 * between two samples of the same connection, the frame latencies measured
 * by the peer pipeline and the counters kept over all connections.
 */

#define G_LOG_DOMAIN "mc-call"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include "mc-call-session-private.h"

#define MAX_LATENCY_HISTORY 100000
/* How long after a negotiation began the receiver reports' round trip is
 * checked against the retransmissions'. */
#define ROUND_TRIP_CHECK_US (30 * G_USEC_PER_SEC)

/* Helpers */

static double
number_field (const GstStructure *structure,
              const char         *field)
{
  const GValue *value = gst_structure_get_value (structure, field);
  GValue        as_double = G_VALUE_INIT;
  double        result = 0;

  if (value == NULL)
    return 0;

  g_value_init (&as_double, G_TYPE_DOUBLE);
  if (g_value_transform (value, &as_double))
    result = g_value_get_double (&as_double);
  g_value_unset (&as_double);

  return result;
}

typedef struct
{
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 packets_in;
  guint64 lost_in;
  guint64 repaired_in;
  guint64 video_lost_in;
  guint64 nacks_sent;
  double  jitter;
  double  round_trip;
  double  remote_loss;
} Totals;

static gboolean
sum_stats_cb (GQuark        field,
              const GValue *value,
              gpointer      user_data)
{
  Totals             *totals = user_data;
  const GstStructure *stats;
  GstWebRTCStatsType  type;
  double              rtt;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;

  stats = gst_value_get_structure (value);
  if (!gst_structure_get_enum (stats, "type", GST_TYPE_WEBRTC_STATS_TYPE, (int *) &type))
    return TRUE;

  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      totals->bytes_in += (guint64) number_field (stats, "bytes-received");
      totals->packets_in += (guint64) number_field (stats, "packets-received");
      /* Loss and repairs come from the jitter buffers themselves
       * (mc_peer_pipeline_get_receive_counters ()). */
      totals->jitter = MAX (totals->jitter, number_field (stats, "jitter"));
      totals->nacks_sent += (guint64) number_field (stats, "nack-count");
      break;

    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      totals->bytes_out += (guint64) number_field (stats, "bytes-sent");
      break;

    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      /* Every stream shares the one path (BUNDLE), so the least is the
       * round trip (but see the check of it below). */
      rtt = number_field (stats, "round-trip-time");
      if (rtt > 0 && (totals->round_trip <= 0 || rtt < totals->round_trip))
        totals->round_trip = rtt;
      totals->remote_loss = MAX (totals->remote_loss, number_field (stats, "fraction-lost"));
      break;

    default:
      break;
    }

  return TRUE;
}

static void
publish_stats (McCallSession      *self,
               const GstStructure *webrtc_stats)
{
  g_autoptr (McCallStats) stats = mc_call_stats_new ();
  g_autoptr (GArray)      samples = NULL;
  Totals                  totals = {
                     0,
  };
  double             seconds, round_trip_ms;
  guint64            frames;
  g_autoptr (GArray) twcc_packets = NULL;

  stats->monotonic_time = g_get_monotonic_time ();
  stats->frames_decoded = mc_call_session_get_frames_decoded (self);
  stats->audio_buffers_received = mc_call_session_get_audio_buffers (self);
  stats->time_to_first_frame_ms = self->time_to_first_frame_ms;
  stats->reconnections = self->reconnections;
  stats->round_trip_ms = -1;
  stats->rtx_round_trip_ms = -1;

  if (self->peer != NULL && webrtc_stats != NULL)
    {
      McReceiveCounters counters;

      gst_structure_foreach (webrtc_stats, sum_stats_cb, &totals);
      mc_peer_pipeline_get_receive_counters (self->peer, &counters);
      /* What FEC rebuilt after the jitter buffer gave up was not lost. */
      totals.lost_in = counters.lost - MIN (counters.lost, counters.recovered);
      totals.repaired_in = counters.repaired + counters.recovered;
      totals.jitter = MAX (totals.jitter, counters.jitter_ms / 1000);
      stats->fec_recovered = counters.recovered;
      stats->retransmissions_refused = mc_peer_pipeline_get_retransmissions_refused (self->peer);
      stats->rtx_round_trip_ms = counters.rtx_rtt_ms > 0 ? counters.rtx_rtt_ms : -1;
      stats->audio_receive_latency_ms = counters.audio_latency_ms;
      totals.video_lost_in = counters.video_lost - MIN (counters.video_lost, counters.recovered);
      mc_peer_pipeline_get_video_size (self->peer, &stats->width, &stats->height);

      /* Rates need two samples of the same connection. */
      if (self->stats_peer == self->peer && stats->monotonic_time > self->stats_time)
        {
          guint64 packets = totals.packets_in - MIN (totals.packets_in, self->stats_packets_in);
          guint64 lost = totals.lost_in - MIN (totals.lost_in, self->stats_lost_in);
          guint64 repaired = totals.repaired_in - MIN (totals.repaired_in, self->stats_repaired_in);

          seconds = (stats->monotonic_time - self->stats_time) / (double) G_USEC_PER_SEC;
          stats->bitrate_in = (guint64) ((totals.bytes_in - MIN (totals.bytes_in, self->stats_bytes_in)) *
                                         8 / seconds);
          stats->bitrate_out = (guint64) ((totals.bytes_out - MIN (totals.bytes_out, self->stats_bytes_out)) *
                                          8 / seconds);
          stats->loss = packets + lost > 0 ? (double) lost / (packets + lost) : 0;
          stats->packets_dropped = lost;
          stats->video_packets_dropped =
            totals.video_lost_in - MIN (totals.video_lost_in, self->stats_video_lost_in);
          stats->packets_repaired = repaired;
          stats->arrival_loss = packets + lost + repaired > 0
                                  ? (double) (lost + repaired) / (packets + lost + repaired)
                                  : 0;
          frames = mc_peer_pipeline_get_frames_decoded (self->peer);
          stats->frame_rate = (frames - MIN (frames, self->stats_frames)) / seconds;
        }

      stats->jitter_ms = totals.jitter * 1000;
      stats->nacks_sent = totals.nacks_sent;
      stats->remote_loss = totals.remote_loss;
      if (totals.round_trip > 0)
        stats->round_trip_ms = totals.round_trip * 1000;

      g_set_object (&self->stats_peer, self->peer);
      self->stats_time = stats->monotonic_time;
      self->stats_bytes_in = totals.bytes_in;
      self->stats_bytes_out = totals.bytes_out;
      self->stats_packets_in = totals.packets_in;
      self->stats_lost_in = totals.lost_in;
      self->stats_repaired_in = totals.repaired_in;
      self->stats_video_lost_in = totals.video_lost_in;
      self->stats_frames = mc_peer_pipeline_get_frames_decoded (self->peer);
      twcc_packets = mc_peer_pipeline_take_twcc_packets (self->peer);

      samples = mc_peer_pipeline_take_latency_samples (self->peer);
    }

  if (samples != NULL && samples->len > 0)
    {
      gint64 sum = 0, max = 0;

      for (guint i = 0; i < samples->len; i++)
        {
          gint64 sample = g_array_index (samples, gint64, i);

          sum += sample;
          max = MAX (max, sample);
        }
      stats->latency_samples = samples->len;
      stats->latency_mean_ms = sum / (double) samples->len / 1000.0;
      stats->latency_max_ms = max / 1000.0;

      if (self->latency_history->len + samples->len <= MAX_LATENCY_HISTORY)
        g_array_append_vals (self->latency_history, samples->data, samples->len);
    }

  /* In a connection's first seconds the receiver reports' round trip may
   * be far off (mc_call_stats_round_trip_is_plausible ()); the adaptation
   * then goes by the retransmissions' (the statistics keep the reports').
   * Later the retransmissions' may be the stale one: it changes only when
   * a retransmission comes, and slowly. */
  round_trip_ms = stats->round_trip_ms;
  if (stats->monotonic_time - self->negotiation_started < ROUND_TRIP_CHECK_US &&
      !mc_call_stats_round_trip_is_plausible (stats))
    {
      g_debug ("Round trip of %.0f ms not believed: retransmissions take %.0f ms",
               stats->round_trip_ms, stats->rtx_round_trip_ms);
      round_trip_ms = stats->rtx_round_trip_ms;
    }

  /* What the peer's feedback says about the path, to the estimator; and
   * the estimate, to the encoders. */
  mc_call_session_adapt (self, twcc_packets,
                         webrtc_stats != NULL && (totals.remote_loss > 0 || totals.round_trip > 0)
                           ? totals.remote_loss
                           : -1,
                         round_trip_ms, stats);

  stats->quality = self->state == MC_CALL_SESSION_STATE_CONNECTED
                     ? mc_call_stats_derive_quality (stats, mc_call_session_get_remote_video (self))
                   : self->state == MC_CALL_SESSION_STATE_RECONNECTING ? MC_CALL_QUALITY_POOR
                                                                       : MC_CALL_QUALITY_UNKNOWN;

  mc_call_stats_free (self->stats);
  self->stats = mc_call_stats_copy (stats);
  g_signal_emit (self, mc_call_session_signals[SIGNAL_STATS], 0, stats);
}

static void
stats_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  McCallSession           *self = user_data;
  g_autoptr (GstStructure) stats = NULL;

  stats = mc_peer_pipeline_get_stats_finish (MC_PEER_PIPELINE (object), result, NULL);
  if (!mc_call_session_is_final (self) && MC_PEER_PIPELINE (object) == self->peer)
    publish_stats (self, stats);

  g_object_unref (self);
}

gboolean
mc_call_session_stats_tick_cb (gpointer user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  if (self->peer != NULL && self->remote_set)
    mc_peer_pipeline_get_stats_async (self->peer, self->peer_cancellable, stats_ready_cb,
                                      g_object_ref (self));
  else
    publish_stats (self, NULL);

  return G_SOURCE_CONTINUE;
}

/* Public API */

/**
 * mc_call_session_get_frames_decoded:
 * @self: a session
 *
 * Returns: remote video frames decoded in this call, over all connections
 */
guint64
mc_call_session_get_frames_decoded (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), 0);

  return self->frames_before +
         (self->peer != NULL ? mc_peer_pipeline_get_frames_decoded (self->peer) : 0);
}

/**
 * mc_call_session_get_audio_buffers:
 * @self: a session
 *
 * Returns: remote audio buffers decoded in this call, over all connections
 */
guint64
mc_call_session_get_audio_buffers (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), 0);

  return self->audio_before +
         (self->peer != NULL ? mc_peer_pipeline_get_audio_buffers (self->peer) : 0);
}

/**
 * mc_call_session_get_time_to_first_frame:
 * @self: a session
 *
 * Returns: milliseconds from the start of the latest negotiation (the peer
 *   joined, or reconnecting began) to the first decoded remote frame, or -1
 */
double
mc_call_session_get_time_to_first_frame (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), -1);

  return self->time_to_first_frame_ms;
}

/**
 * mc_call_session_dup_stats:
 * @self: a session
 *
 * Returns: (transfer full): the latest statistics (empty before the first)
 */
McCallStats *
mc_call_session_dup_stats (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);

  return self->stats != NULL ? mc_call_stats_copy (self->stats) : mc_call_stats_new ();
}

/**
 * mc_call_session_dup_latency_samples:
 * @self: a session
 *
 * Returns: (transfer full) (element-type gint64): every frame-in to
 *   frame-out latency measured so far, in microseconds (needs a peer that
 *   stamps its frames, see mc_call_session_set_stamp_frames())
 */
GArray *
mc_call_session_dup_latency_samples (McCallSession *self)
{
  GArray *copy;

  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->latency_history->len);
  g_array_append_vals (copy, self->latency_history->data, self->latency_history->len);

  return copy;
}
