/* mc-call-stats.c — one second of a call's statistics
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain boxed struct: it is copied into a signal every second and into the
 * CLI's JSON, and nothing in it changes after it is made. Its only pointer,
 * @feedback, points to a static string, so a plain copy is a deep one.
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-stats.h"

G_DEFINE_ENUM_TYPE (McCallQuality, mc_call_quality, G_DEFINE_ENUM_VALUE (MC_CALL_QUALITY_UNKNOWN, "unknown"), G_DEFINE_ENUM_VALUE (MC_CALL_QUALITY_GOOD, "good"), G_DEFINE_ENUM_VALUE (MC_CALL_QUALITY_FAIR, "fair"), G_DEFINE_ENUM_VALUE (MC_CALL_QUALITY_POOR, "poor"))

G_DEFINE_BOXED_TYPE (McCallStats, mc_call_stats, mc_call_stats_copy, mc_call_stats_free)

/**
 * mc_call_stats_new:
 *
 * Returns: (transfer full): empty statistics, with unknowns set to -1
 */
McCallStats *
mc_call_stats_new (void)
{
  McCallStats *stats = g_new0 (McCallStats, 1);

  stats->monotonic_time = g_get_monotonic_time ();
  stats->round_trip_ms = -1;
  stats->time_to_first_frame_ms = -1;
  stats->latency_mean_ms = -1;
  stats->latency_max_ms = -1;
  stats->rtx_round_trip_ms = -1;

  return stats;
}

/**
 * mc_call_stats_copy:
 * @stats: statistics
 *
 * Returns: (transfer full): a copy of @stats
 */
McCallStats *
mc_call_stats_copy (const McCallStats *stats)
{
  g_return_val_if_fail (stats != NULL, NULL);

  return g_memdup2 (stats, sizeof *stats);
}

/**
 * mc_call_stats_free:
 * @stats: (nullable): statistics
 */
void
mc_call_stats_free (McCallStats *stats)
{
  g_free (stats);
}

/* A receiver report's round trip above twice the retransmissions' and this
 * is not believed. */
#define IMPLAUSIBLE_RTT_MARGIN_MS 100

/**
 * mc_call_stats_round_trip_is_plausible:
 * @stats: statistics with the receiver reports' round trip and the
 *   retransmissions' (either -1 if unknown)
 *
 * The receiver reports' round trip can be far off for a while: 2 s for the
 * first 6–12 s of some calls on a 1–3 ms path, every stream alike, so that
 * the retransmission budget held back each repeated request ("its answer
 * may still be on the way") and the jitter buffers asked only once.
 * Retransmissions cross the same path: when theirs is known and the
 * reports' is far above it, the reports' is not to be believed.
 *
 * Returns: %FALSE if the reports' round trip is known and not to be believed
 */
gboolean
mc_call_stats_round_trip_is_plausible (const McCallStats *stats)
{
  g_return_val_if_fail (stats != NULL, TRUE);

  return stats->round_trip_ms <= 0 || stats->rtx_round_trip_ms <= 0 ||
         stats->round_trip_ms <= 2 * stats->rtx_round_trip_ms + IMPLAUSIBLE_RTT_MARGIN_MS;
}

/**
 * mc_call_stats_derive_quality:
 * @stats: statistics
 * @expected: what video the peer sends
 *
 * The quality level of @stats. Thresholds follow the usual guidance for
 * interactive video (ITU-T G.114 for delay; a few percent loss is what
 * NACK and Opus concealment hide well). A camera picture is fair below 20
 * frames a second and poor below 10; a shared screen, which is sent at 5
 * to 15 on purpose, only below 4 and 2.
 *
 * Returns: the quality level
 */
McCallQuality
mc_call_stats_derive_quality (const McCallStats *stats,
                              McCallVideoKind    expected)
{
  double loss;
  double poor_fps = expected == MC_CALL_VIDEO_CAMERA   ? 10
                    : expected == MC_CALL_VIDEO_SCREEN ? 2
                                                       : 0;
  double fair_fps = expected == MC_CALL_VIDEO_CAMERA   ? 20
                    : expected == MC_CALL_VIDEO_SCREEN ? 4
                                                       : 0;

  g_return_val_if_fail (stats != NULL, MC_CALL_QUALITY_UNKNOWN);

  if (stats->bitrate_in == 0)
    return stats->frames_decoded + stats->audio_buffers_received > 0 ? MC_CALL_QUALITY_POOR
                                                                     : MC_CALL_QUALITY_UNKNOWN;

  loss = MAX (stats->loss, stats->remote_loss);

  if (stats->round_trip_ms > 400 || loss > 0.10 || stats->jitter_ms > 100 ||
      stats->frame_rate < poor_fps)
    return MC_CALL_QUALITY_POOR;

  if (stats->round_trip_ms > 150 || loss > 0.02 || stats->jitter_ms > 30 ||
      stats->frame_rate < fair_fps)
    return MC_CALL_QUALITY_FAIR;

  return MC_CALL_QUALITY_GOOD;
}

/**
 * mc_call_quality_to_string:
 * @quality: a quality level
 *
 * Returns: its nick: "unknown", "good", "fair" or "poor"
 */
const char *
mc_call_quality_to_string (McCallQuality quality)
{
  switch (quality)
    {
    case MC_CALL_QUALITY_GOOD:
      return "good";
    case MC_CALL_QUALITY_FAIR:
      return "fair";
    case MC_CALL_QUALITY_POOR:
      return "poor";
    case MC_CALL_QUALITY_UNKNOWN:
    default:
      return "unknown";
    }
}

/**
 * mc_call_stats_to_json:
 * @stats: statistics
 *
 * The form the CLI prints: member names are the field names with dashes
 * replaced by underscores; unknown values are null.
 *
 * Returns: (transfer full): a new JSON object
 */
JsonObject *
mc_call_stats_to_json (const McCallStats *stats)
{
  JsonObject *object;

  g_return_val_if_fail (stats != NULL, NULL);

  object = json_object_new ();

#define SET_DOUBLE_OR_NULL(name, value) \
  G_STMT_START \
  { \
    if ((value) < 0) \
      json_object_set_null_member (object, name); \
    else \
      json_object_set_double_member (object, name, value); \
  } \
  G_STMT_END

  json_object_set_int_member (object, "monotonic_time_us", stats->monotonic_time);
  SET_DOUBLE_OR_NULL ("round_trip_ms", stats->round_trip_ms);
  json_object_set_double_member (object, "loss", stats->loss);
  json_object_set_double_member (object, "remote_loss", stats->remote_loss);
  json_object_set_double_member (object, "jitter_ms", stats->jitter_ms);
  json_object_set_int_member (object, "bitrate_in", (gint64) stats->bitrate_in);
  json_object_set_int_member (object, "bitrate_out", (gint64) stats->bitrate_out);
  json_object_set_double_member (object, "frame_rate", stats->frame_rate);
  json_object_set_int_member (object, "width", stats->width);
  json_object_set_int_member (object, "height", stats->height);
  json_object_set_string_member (object, "quality", mc_call_quality_to_string (stats->quality));
  json_object_set_int_member (object, "frames_decoded", (gint64) stats->frames_decoded);
  json_object_set_int_member (object, "audio_buffers_received",
                              (gint64) stats->audio_buffers_received);
  SET_DOUBLE_OR_NULL ("time_to_first_frame_ms", stats->time_to_first_frame_ms);
  json_object_set_int_member (object, "latency_samples", stats->latency_samples);
  SET_DOUBLE_OR_NULL ("latency_mean_ms", stats->latency_mean_ms);
  SET_DOUBLE_OR_NULL ("latency_max_ms", stats->latency_max_ms);
  json_object_set_int_member (object, "reconnections", stats->reconnections);
  json_object_set_int_member (object, "estimate", (gint64) stats->estimate);
  json_object_set_int_member (object, "video_target", (gint64) stats->video_target);
  json_object_set_double_member (object, "sent_loss", stats->sent_loss);
  if (stats->feedback != NULL)
    json_object_set_string_member (object, "feedback", stats->feedback);
  else
    json_object_set_null_member (object, "feedback");
  json_object_set_int_member (object, "send_width", stats->send_width);
  json_object_set_int_member (object, "send_height", stats->send_height);
  json_object_set_int_member (object, "send_framerate", stats->send_framerate);
  json_object_set_boolean_member (object, "video_paused", stats->video_paused);
  json_object_set_int_member (object, "nacks_sent", (gint64) stats->nacks_sent);
  json_object_set_double_member (object, "arrival_loss", stats->arrival_loss);
  json_object_set_int_member (object, "packets_repaired", (gint64) stats->packets_repaired);
  json_object_set_int_member (object, "packets_dropped", (gint64) stats->packets_dropped);
  json_object_set_int_member (object, "video_packets_dropped",
                              (gint64) stats->video_packets_dropped);
  json_object_set_int_member (object, "receive_latency_ms", stats->receive_latency_ms);
  json_object_set_int_member (object, "audio_receive_latency_ms", stats->audio_receive_latency_ms);
  SET_DOUBLE_OR_NULL ("rtx_round_trip_ms", stats->rtx_round_trip_ms);
  json_object_set_int_member (object, "fec_recovered", (gint64) stats->fec_recovered);
  json_object_set_int_member (object, "retransmissions_refused",
                              (gint64) stats->retransmissions_refused);

#undef SET_DOUBLE_OR_NULL

  return object;
}
