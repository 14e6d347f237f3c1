/* mc-bandwidth-estimator.h — how many bits a second the path to the peer carries
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * McBandwidthUsage:
 * @MC_BANDWIDTH_USAGE_NORMAL: the queue on the path is stable
 * @MC_BANDWIDTH_USAGE_OVERUSE: the queue grows, or the peer receives less than
 *   we send: the path is full
 * @MC_BANDWIDTH_USAGE_UNDERUSE: the queue drains (after a decrease)
 *
 * What the delay-based half of #McBandwidthEstimator concluded from the
 * latest report.
 */
typedef enum
{
  MC_BANDWIDTH_USAGE_NORMAL,
  MC_BANDWIDTH_USAGE_OVERUSE,
  MC_BANDWIDTH_USAGE_UNDERUSE,
} McBandwidthUsage;

/**
 * McBandwidthFeedback:
 * @time_us: when the report was taken, in microseconds of any monotonic
 *   clock (the tests use simulated time)
 * @sent_bitrate: bits a second we sent over the report's window, 0 if unknown
 * @acked_bitrate: bits a second the peer received of it (transport-wide
 *   feedback), 0 if unknown
 * @packets: how many packets @loss is counted over, 0 if unknown
 * @loss: fraction (0–1) of our packets lost, or -1 if unknown
 * @delay_slope: how fast the queueing delay grows, in milliseconds per second
 *   (negative: it drains); NAN if unknown
 * @delay_ms: the mean one-way delay of the report's packets, in milliseconds
 *   plus whatever the two clocks differ by (only its changes mean
 *   something); NAN if unknown
 * @min_delay_ms: the lowest one-way delay among them, likewise
 * @rtt_ms: round-trip time, or -1 if unknown
 *
 * One report about the path, from transport-wide congestion control feedback
 * (all fields) or from RTCP receiver reports (@loss and @rtt_ms only).
 */
typedef struct
{
  gint64  time_us;
  guint64 sent_bitrate;
  guint64 acked_bitrate;
  guint   packets;
  double  loss;
  double  delay_slope;
  double  delay_ms;
  double  min_delay_ms;
  double  rtt_ms;
} McBandwidthFeedback;

/**
 * McBandwidthPacket:
 * @send_time_us: when we sent it, on our clock
 * @arrival_time_us: when the peer received it, on the peer's clock, or -1 if
 *   it was lost
 * @size: its size in bytes
 *
 * What transport-wide congestion control feedback says about one packet.
 */
typedef struct
{
  gint64 send_time_us;
  gint64 arrival_time_us;
  guint  size;
} McBandwidthPacket;

#define MC_TYPE_BANDWIDTH_USAGE     (mc_bandwidth_usage_get_type ())
#define MC_TYPE_BANDWIDTH_ESTIMATOR (mc_bandwidth_estimator_get_type ())

GType mc_bandwidth_usage_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (McBandwidthEstimator, mc_bandwidth_estimator, MC, BANDWIDTH_ESTIMATOR, GObject)

McBandwidthEstimator *mc_bandwidth_estimator_new (guint start_bitrate,
                                                  guint min_bitrate,
                                                  guint max_bitrate);
void                  mc_bandwidth_estimator_feedback_init (McBandwidthFeedback *feedback,
                                                            gint64               time_us);
gboolean              mc_bandwidth_feedback_from_packets (McBandwidthFeedback     *feedback,
                                                          const McBandwidthPacket *packets,
                                                          guint                    n_packets);
void                  mc_bandwidth_estimator_add_feedback (McBandwidthEstimator      *self,
                                                           const McBandwidthFeedback *feedback);
guint                 mc_bandwidth_estimator_get_estimate (McBandwidthEstimator *self);
guint                 mc_bandwidth_estimator_get_min_bitrate (McBandwidthEstimator *self);
guint                 mc_bandwidth_estimator_get_max_bitrate (McBandwidthEstimator *self);
void                  mc_bandwidth_estimator_set_bounds (McBandwidthEstimator *self,
                                                         guint                 min_bitrate,
                                                         guint                 max_bitrate);
void                  mc_bandwidth_estimator_set_probe_bitrate (McBandwidthEstimator *self,
                                                                guint                 bitrate);
McBandwidthUsage      mc_bandwidth_estimator_get_usage (McBandwidthEstimator *self);
double                mc_bandwidth_estimator_get_loss (McBandwidthEstimator *self);
void                  mc_bandwidth_estimator_reset (McBandwidthEstimator *self);

G_END_DECLS
