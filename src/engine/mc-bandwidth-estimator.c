/* mc-bandwidth-estimator.c — how many bits a second the path to the peer carries
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GStreamer 1.22's webrtcbin negotiates transport-wide congestion control
 * feedback but adapts nothing, and Debian 12 has no rtpgccbwe, so the engine
 * estimates the path itself. This object is the controller alone: it is fed
 * reports (McBandwidthFeedback) and answers with a target bitrate. It knows
 * nothing of GStreamer, so the tests drive it with simulated time and a
 * simulated bottleneck.
 *
 * It follows the shape of Google Congestion Control (draft-ietf-rmcat-gcc):
 * two controllers, and the target is the smaller of their rates.
 *
 * - The delay-based one watches the queue at the bottleneck. A queue that
 *   grows (the queueing-delay slope from the feedback's delay trend, the
 *   peer receiving our packets spread out over more time than we sent them,
 *   or, with receiver reports only, the round trip rising far above its
 *   minimum) is *overuse*: the rate goes to 85 % of what the peer received,
 *   but never down by more than a third in one report.
 *   A draining queue holds the rate. Otherwise the rate grows by 8 % a second,
 *   or by about half a packet per round trip once it is near the rate at
 *   which the path last filled, so that it probes the known capacity gently.
 * - The loss-based one backs off by half the loss when more than 10 % of our
 *   packets are lost, holds between 2 % and 10 % (losses a link makes
 *   without being full), and grows by 8 % a second below 2 %.
 * - At first (a new estimator, or one reset) nothing is known of the path.
 *   Until the first sign that it is full (overuse, or loss of 2 % or more),
 *   88 % of the maximum, or 10 s of reports, both rates grow by half a second
 *   instead of 8 % (libwebrtc probes at several times its start rate in the
 *   first second for the same reason): at 8 % a second the first overshoot
 *   of a 2 Mbit/s path came after 11 s, and a clean path reached 720p only
 *   after 12 s. A step of half again overshoots a path by up to half, so
 *   the last stretch to the maximum is careful again (with 2.5 Mbit/s and
 *   no such stop a 2 Mbit/s cap was overshot by 15 % for a second and its
 *   losses froze the picture). The 10 s end it where the sender never uses
 *   what it may (the rate is held to 1.5 times what arrives, so it never
 *   nears the maximum): a limit met minutes later is met carefully.
 *
 * The reports come about once a second (see mc-call-session-stats.c), which
 * is slower than libwebrtc's per-feedback updates, so every threshold here is
 * per report, and a single report of overuse is enough to back off.
 */

#define G_LOG_DOMAIN "mc-call"

#include <math.h>
#include <string.h>

#include "mc-bandwidth-estimator.h"

/* Per second, when far from the last known capacity. */
#define RAMP_UP_FACTOR 1.08
/* Per second, before the path has shown any limit, for at most this long. */
#define START_RAMP_UP_FACTOR 1.5
#define START_PHASE_US       (10 * G_USEC_PER_SEC)
/* ... and below this share of the maximum. */
#define START_PHASE_SHARE 0.88
/* The queue grows this much faster than it drains: overuse. */
#define OVERUSE_SLOPE_MS 10.0
/* The peer received our packets spread over this much more time than we sent them. */
#define OVERUSE_SPREAD 0.10
/* Round trip above its minimum, with receiver reports only. */
#define OVERUSE_QUEUE_MS  150.0
#define UNDERUSE_QUEUE_MS 50.0
#define STANDING_QUEUE_MS 25.0
#define LONG_QUEUE_MS     100.0
#define DECREASE_FACTOR   0.85
#define MAX_DECREASE      0.67
#define LOSS_HIGH         0.10
#define LOSS_LOW          0.02
#define PACKET_BITS       (1200 * 8)
#define MIN_LOSS_PACKETS  10

struct _McBandwidthEstimator
{
  GObject parent_instance;

  guint start_bitrate;
  guint min_bitrate;
  guint max_bitrate;
  guint probe_bitrate;

  double           delay_rate;
  double           loss_rate;
  guint            estimate;
  McBandwidthUsage usage;
  double           loss;

  gint64   last_time;
  double   last_slope;
  gboolean have_slope;
  double   min_rtt;
  double   min_delay; /* the lowest one-way delay seen, or NAN */
  double   last_rtt;
  double   capacity_mean; /* bits a second at the last overuses, or -1 */
  double   capacity_var;  /* its variance, relative to the mean */
  gboolean starting;      /* no limit of the path seen yet */
  gint64   first_time;    /* the first report's time, or -1 */
};

G_DEFINE_FINAL_TYPE (McBandwidthEstimator, mc_bandwidth_estimator, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (McBandwidthUsage, mc_bandwidth_usage, G_DEFINE_ENUM_VALUE (MC_BANDWIDTH_USAGE_NORMAL, "normal"), G_DEFINE_ENUM_VALUE (MC_BANDWIDTH_USAGE_OVERUSE, "overuse"), G_DEFINE_ENUM_VALUE (MC_BANDWIDTH_USAGE_UNDERUSE, "underuse"))

enum
{
  PROP_0,
  PROP_ESTIMATE,
  PROP_USAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers */

static McBandwidthUsage
detect_usage (McBandwidthEstimator      *self,
              const McBandwidthFeedback *feedback)
{
  McBandwidthUsage usage = MC_BANDWIDTH_USAGE_NORMAL;
  gboolean         have_delay = FALSE;

  if (!isnan (feedback->delay_slope))
    {
      double slope = feedback->delay_slope;
      double last = self->have_slope ? self->last_slope : 0;

      /* A queue that grows a little is one when it does so in two reports
       * running: one late burst of packets is not a queue. A sharp rise is
       * overuse at once. A queue that clearly drains (after a decrease) is
       * left to drain. */
      if ((slope > OVERUSE_SLOPE_MS && last > OVERUSE_SLOPE_MS) || slope > 2 * OVERUSE_SLOPE_MS)
        usage = MC_BANDWIDTH_USAGE_OVERUSE;
      else if ((slope < -OVERUSE_SLOPE_MS && last < -OVERUSE_SLOPE_MS) ||
               slope < -2 * OVERUSE_SLOPE_MS)
        usage = MC_BANDWIDTH_USAGE_UNDERUSE;

      self->last_slope = slope;
      self->have_slope = TRUE;
      have_delay = TRUE;
    }

  /* A standing queue: the one-way delay well above the lowest seen, and
   * losses (a full drop-tail queue: the delay no longer grows, what does
   * not fit is dropped, and the loss alone would be in the range that
   * holds), or a queue of more than 100 ms even without loss. Random loss
   * on a link without a queue does not raise the delay. */
  if (!isnan (feedback->delay_ms))
    {
      double lowest = isnan (feedback->min_delay_ms) ? feedback->delay_ms : feedback->min_delay_ms;
      double queue_ms;

      /* The lowest delay seen is the path without a queue; it is let go
       * slowly, so that a route change upwards is learnt eventually. */
      if (isnan (self->min_delay) || lowest < self->min_delay)
        self->min_delay = lowest;
      else
        self->min_delay += 0.01 * (lowest - self->min_delay);
      queue_ms = feedback->delay_ms - self->min_delay;
      have_delay = TRUE;

      if ((queue_ms > STANDING_QUEUE_MS && feedback->loss > LOSS_LOW) ||
          queue_ms > LONG_QUEUE_MS)
        usage = MC_BANDWIDTH_USAGE_OVERUSE;
    }

  /* The peer received what we sent over a longer time than we took to send
   * it: packets waited in a queue. Lost packets are neither sent nor
   * received in this comparison, so random loss is not mistaken for a queue. */
  if (feedback->sent_bitrate > 0 && feedback->acked_bitrate > 0)
    {
      double delivered = (double) feedback->sent_bitrate * (1 - MAX (0, feedback->loss));

      have_delay = TRUE;
      if (feedback->acked_bitrate < delivered * (1 - OVERUSE_SPREAD))
        usage = MC_BANDWIDTH_USAGE_OVERUSE;
    }

  if (feedback->rtt_ms > 0)
    {
      double queue_ms;

      /* The smallest round trip seen is the path without a queue; it is let
       * go slowly so that a route change upwards is learnt eventually. */
      if (self->min_rtt <= 0 || feedback->rtt_ms < self->min_rtt)
        self->min_rtt = feedback->rtt_ms;
      else
        self->min_rtt += 0.01 * (feedback->rtt_ms - self->min_rtt);
      queue_ms = feedback->rtt_ms - self->min_rtt;

      /* Only when nothing better is there: a receiver report's round trip is
       * a coarse measure of the queue. */
      if (!have_delay)
        {
          if (queue_ms > OVERUSE_QUEUE_MS && feedback->rtt_ms >= self->last_rtt)
            usage = MC_BANDWIDTH_USAGE_OVERUSE;
          else if (queue_ms > UNDERUSE_QUEUE_MS && feedback->rtt_ms < self->last_rtt)
            usage = MC_BANDWIDTH_USAGE_UNDERUSE;
        }
      self->last_rtt = feedback->rtt_ms;
    }

  return usage;
}

/* Whether @feedback says anything about loss: reports over fewer than
 * MIN_LOSS_PACKETS packets do not. */
static gboolean
knows_loss (const McBandwidthFeedback *feedback)
{
  return feedback->loss >= 0 && (feedback->packets == 0 || feedback->packets >= MIN_LOSS_PACKETS);
}

/* @rate grown by @seconds of ramping up: fast at the start, but then not
 * beyond START_PHASE_SHARE of the maximum. */
static double
ramp_up (McBandwidthEstimator *self,
         double                rate,
         double                seconds)
{
  if (!self->starting)
    return rate * pow (RAMP_UP_FACTOR, seconds);

  return MAX (rate, MIN (rate * pow (START_RAMP_UP_FACTOR, seconds),
                         START_PHASE_SHARE * self->max_bitrate));
}

static void
learn_capacity (McBandwidthEstimator *self,
                double                rate)
{
  double error;

  if (self->capacity_mean < 0)
    {
      self->capacity_mean = rate;
      self->capacity_var = 0.1;
      return;
    }

  error = (rate - self->capacity_mean) / self->capacity_mean;
  self->capacity_mean = 0.7 * self->capacity_mean + 0.3 * rate;
  self->capacity_var = CLAMP (0.7 * self->capacity_var + 0.3 * error * error, 0.0004, 0.25);
}

static void
update_delay_rate (McBandwidthEstimator      *self,
                   const McBandwidthFeedback *feedback,
                   double                     seconds)
{
  double base;

  switch (self->usage)
    {
    case MC_BANDWIDTH_USAGE_OVERUSE:
      /* What got through is what the path carries now. */
      base = feedback->acked_bitrate > 0  ? (double) feedback->acked_bitrate
             : feedback->sent_bitrate > 0 ? MIN ((double) feedback->sent_bitrate, self->estimate)
                                          : self->estimate;
      /* At most a third less per report: a process that was not scheduled
       * for a few hundred milliseconds (a loaded machine) looks like a
       * queue, and the rate received over that time like a very slow path.
       * A real bottleneck is reached in a few reports anyway, and loss
       * cuts further. Only a plausible decrease teaches the capacity. */
      if (DECREASE_FACTOR * base >= MAX_DECREASE * self->estimate)
        learn_capacity (self, base);
      self->delay_rate = MIN (self->delay_rate,
                              MAX (DECREASE_FACTOR * base, MAX_DECREASE * self->estimate));
      break;

    case MC_BANDWIDTH_USAGE_UNDERUSE:
      /* The queue drains: let it, at the rate we have. */
      break;

    case MC_BANDWIDTH_USAGE_NORMAL:
      {
        double deviation = self->capacity_mean > 0 ? 3 * sqrt (self->capacity_var) * self->capacity_mean
                                                   : 0;
        double rtt = feedback->rtt_ms > 0 ? feedback->rtt_ms : 100;

        /* Well above what filled the path last time: that is old news. */
        if (self->capacity_mean > 0 && self->delay_rate > self->capacity_mean + deviation)
          self->capacity_mean = -1;

        if (self->capacity_mean > 0 && self->delay_rate > self->capacity_mean - deviation)
          self->delay_rate += seconds * MAX (8000, 0.5 * PACKET_BITS * 1000 / (rtt + 100));
        else
          self->delay_rate = ramp_up (self, self->delay_rate, seconds);

        /* Growing far beyond what the peer receives proves nothing about the
         * path: the first scene change would then burst far above it. The
         * caller lets it grow without proof up to the probe bitrate (when
         * paused video needs that much to come back). */
        if (feedback->acked_bitrate > 0)
          self->delay_rate = MIN (self->delay_rate,
                                  MAX (MAX (1.5 * feedback->acked_bitrate + 10000, self->estimate),
                                       self->probe_bitrate));
        break;
      }
    }
}

static void
update_loss_rate (McBandwidthEstimator      *self,
                  const McBandwidthFeedback *feedback,
                  double                     seconds)
{
  if (!knows_loss (feedback))
    {
      /* Nothing to say about loss: it does not hold the delay-based rate back. */
      self->loss_rate = MAX (self->loss_rate, self->delay_rate);
      return;
    }

  self->loss = feedback->loss;

  if (feedback->loss > LOSS_HIGH)
    self->loss_rate = MIN (self->loss_rate, self->estimate * (1 - 0.5 * feedback->loss));
  else if (feedback->loss < LOSS_LOW)
    self->loss_rate = ramp_up (self, self->loss_rate, seconds);
}

/* GObject */

static void
mc_bandwidth_estimator_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  McBandwidthEstimator *self = MC_BANDWIDTH_ESTIMATOR (object);

  switch (prop_id)
    {
    case PROP_ESTIMATE:
      g_value_set_uint (value, self->estimate);
      break;
    case PROP_USAGE:
      g_value_set_enum (value, self->usage);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_bandwidth_estimator_class_init (McBandwidthEstimatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mc_bandwidth_estimator_get_property;

  /**
   * McBandwidthEstimator:estimate:
   *
   * The target bitrate in bits a second, for everything sent (video,
   * audio and RTP overhead).
   */
  properties[PROP_ESTIMATE] =
    g_param_spec_uint ("estimate", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McBandwidthEstimator:usage:
   *
   * What the latest report said about the queue on the path.
   */
  properties[PROP_USAGE] =
    g_param_spec_enum ("usage", NULL, NULL, MC_TYPE_BANDWIDTH_USAGE, MC_BANDWIDTH_USAGE_NORMAL,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mc_bandwidth_estimator_init (McBandwidthEstimator *self)
{
}

/* Public API */

/**
 * mc_bandwidth_estimator_new:
 * @start_bitrate: the estimate before any report, in bits a second
 * @min_bitrate: the estimate never goes below this
 * @max_bitrate: nor above this
 *
 * Returns: (transfer full): a new estimator
 */
McBandwidthEstimator *
mc_bandwidth_estimator_new (guint start_bitrate,
                            guint min_bitrate,
                            guint max_bitrate)
{
  McBandwidthEstimator *self;

  g_return_val_if_fail (min_bitrate <= max_bitrate, NULL);

  self = g_object_new (MC_TYPE_BANDWIDTH_ESTIMATOR, NULL);
  self->start_bitrate = start_bitrate;
  self->min_bitrate = min_bitrate;
  self->max_bitrate = max_bitrate;
  mc_bandwidth_estimator_reset (self);

  return self;
}

/**
 * mc_bandwidth_estimator_reset:
 * @self: an estimator
 *
 * Forgets everything learnt and goes back to the start bitrate: the path of
 * a new connection may be another one.
 */
void
mc_bandwidth_estimator_reset (McBandwidthEstimator *self)
{
  g_return_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self));

  self->delay_rate = CLAMP (self->start_bitrate, self->min_bitrate, self->max_bitrate);
  self->loss_rate = self->delay_rate;
  self->estimate = (guint) self->delay_rate;
  self->usage = MC_BANDWIDTH_USAGE_NORMAL;
  self->loss = 0;
  self->last_time = -1;
  self->last_slope = 0;
  self->have_slope = FALSE;
  self->min_rtt = -1;
  self->min_delay = NAN;
  self->last_rtt = -1;
  self->capacity_mean = -1;
  self->capacity_var = 0;
  self->starting = TRUE;
  self->first_time = -1;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ESTIMATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USAGE]);
}

/**
 * mc_bandwidth_estimator_feedback_init:
 * @feedback: a report to fill in
 * @time_us: when it was taken
 *
 * Sets every field of @feedback to "unknown".
 */
void
mc_bandwidth_estimator_feedback_init (McBandwidthFeedback *feedback,
                                      gint64               time_us)
{
  g_return_if_fail (feedback != NULL);

  memset (feedback, 0, sizeof *feedback);
  feedback->time_us = time_us;
  feedback->loss = -1;
  feedback->delay_slope = NAN;
  feedback->delay_ms = NAN;
  feedback->min_delay_ms = NAN;
  feedback->rtt_ms = -1;
}

/**
 * mc_bandwidth_feedback_from_packets:
 * @feedback: (out caller-allocates): the report to fill in (its time is
 *   left as it is)
 * @packets: (array length=n_packets): what transport-wide feedback said
 *   about each packet sent in the report's period, in sending order
 * @n_packets: how many
 *
 * Sums per-packet feedback into a report: the bitrates sent (over the time
 * it took to send the packets) and received (over the time it took them to
 * arrive), the share lost, and how fast the one-way delay grew, as the slope
 * of a least-squares line through the packets' delays against their send
 * times (the trendline of libwebrtc's delay-based estimator: a queue that
 * grows is a rising line, whatever the jitter around it). The two clocks
 * need not agree: only differences of delays count.
 *
 * Returns: %TRUE if there was enough to say anything (two packets received
 *   at least 10 ms apart, or every packet lost)
 */
gboolean
mc_bandwidth_feedback_from_packets (McBandwidthFeedback     *feedback,
                                    const McBandwidthPacket *packets,
                                    guint                    n_packets)
{
  guint64 bytes_sent = 0, bytes_received = 0;
  gint64  first_send = G_MAXINT64, last_send = G_MININT64;
  gint64  first_arrival = G_MAXINT64, last_arrival = G_MININT64;
  gint64  base_delay = 0;
  double  delay_sum = 0;
  gint64  min_delay = G_MAXINT64;
  double  sx = 0, sy = 0, sxx = 0, sxy = 0;
  guint   received = 0;

  g_return_val_if_fail (feedback != NULL, FALSE);
  g_return_val_if_fail (packets != NULL || n_packets == 0, FALSE);

  if (n_packets < 2)
    return FALSE;

  for (guint i = 0; i < n_packets; i++)
    {
      const McBandwidthPacket *packet = &packets[i];
      double                   x, y;

      bytes_sent += packet->size;
      first_send = MIN (first_send, packet->send_time_us);
      last_send = MAX (last_send, packet->send_time_us);

      if (packet->arrival_time_us < 0)
        continue;

      if (received++ == 0)
        base_delay = packet->arrival_time_us - packet->send_time_us;
      delay_sum += packet->arrival_time_us - packet->send_time_us - base_delay;
      min_delay = MIN (min_delay, packet->arrival_time_us - packet->send_time_us);
      bytes_received += packet->size;
      first_arrival = MIN (first_arrival, packet->arrival_time_us);
      last_arrival = MAX (last_arrival, packet->arrival_time_us);

      /* Seconds from the first packet, and milliseconds of delay more than
       * the first received packet had: small numbers, no precision lost. */
      x = (packet->send_time_us - packets[0].send_time_us) / 1e6;
      y = (packet->arrival_time_us - packet->send_time_us - base_delay) / 1e3;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }

  feedback->packets = n_packets;
  feedback->loss = (double) (n_packets - received) / n_packets;

  if (received == 0)
    return TRUE;

  if (last_send - first_send < 10000 || last_arrival - first_arrival < 10000)
    return FALSE;

  feedback->sent_bitrate = bytes_sent * 8 * G_USEC_PER_SEC / (guint64) (last_send - first_send);
  feedback->acked_bitrate = bytes_received * 8 * G_USEC_PER_SEC /
                            (guint64) (last_arrival - first_arrival);

  feedback->delay_ms = (base_delay + delay_sum / received) / 1e3;
  feedback->min_delay_ms = min_delay / 1e3;
  if (received >= 3 && received * sxx - sx * sx > 1e-9)
    feedback->delay_slope = (received * sxy - sx * sy) / (received * sxx - sx * sx);

  return TRUE;
}

/**
 * mc_bandwidth_estimator_add_feedback:
 * @self: an estimator
 * @feedback: a report about the path, newer than the previous one
 *
 * Updates the estimate from @feedback.
 */
void
mc_bandwidth_estimator_add_feedback (McBandwidthEstimator      *self,
                                     const McBandwidthFeedback *feedback)
{
  McBandwidthUsage usage;
  double           seconds;
  guint            estimate;

  g_return_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self));
  g_return_if_fail (feedback != NULL);

  if (self->last_time >= 0 && feedback->time_us <= self->last_time)
    return;

  /* Growth is per second of the reports' time; a long gap (the link was
   * down, the process was stopped) is not a licence to grow by much. */
  seconds = self->last_time >= 0 ? (feedback->time_us - self->last_time) / (double) G_USEC_PER_SEC
                                 : 0;
  seconds = MIN (seconds, 2.0);
  self->last_time = feedback->time_us;
  if (self->first_time < 0)
    self->first_time = feedback->time_us;

  usage = detect_usage (self, feedback);
  if (usage != self->usage)
    {
      self->usage = usage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USAGE]);
    }

  /* The path has shown a limit, or the start is long past: from now on
   * the ramp is careful. */
  if (feedback->time_us - self->first_time > START_PHASE_US || usage == MC_BANDWIDTH_USAGE_OVERUSE ||
      (knows_loss (feedback) && feedback->loss >= LOSS_LOW))
    self->starting = FALSE;

  update_delay_rate (self, feedback, seconds);
  update_loss_rate (self, feedback, seconds);

  self->delay_rate = CLAMP (self->delay_rate, self->min_bitrate, self->max_bitrate);
  self->loss_rate = CLAMP (self->loss_rate, self->min_bitrate, self->max_bitrate);
  estimate = (guint) MIN (self->delay_rate, self->loss_rate);
  if (estimate >= START_PHASE_SHARE * self->max_bitrate)
    self->starting = FALSE;

  g_debug ("Bandwidth: sent %" G_GUINT64_FORMAT " acked %" G_GUINT64_FORMAT
           " loss %.3f slope %.1f ms/s queue %.1f ms rtt %.0f ms: %s, delay %.0f loss %.0f"
           " -> %u bit/s",
           feedback->sent_bitrate, feedback->acked_bitrate, feedback->loss,
           feedback->delay_slope, feedback->delay_ms - self->min_delay, feedback->rtt_ms,
           usage == MC_BANDWIDTH_USAGE_OVERUSE    ? "overuse"
           : usage == MC_BANDWIDTH_USAGE_UNDERUSE ? "underuse"
                                                  : "normal",
           self->delay_rate, self->loss_rate, estimate);

  if (estimate != self->estimate)
    {
      self->estimate = estimate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ESTIMATE]);
    }
}

/**
 * mc_bandwidth_estimator_get_estimate:
 * @self: an estimator
 *
 * Returns: the target bitrate for everything sent, in bits a second
 */
guint
mc_bandwidth_estimator_get_estimate (McBandwidthEstimator *self)
{
  g_return_val_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self), 0);

  return self->estimate;
}

/**
 * mc_bandwidth_estimator_get_min_bitrate:
 * @self: an estimator
 *
 * Returns: the lowest estimate it gives
 */
guint
mc_bandwidth_estimator_get_min_bitrate (McBandwidthEstimator *self)
{
  g_return_val_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self), 0);

  return self->min_bitrate;
}

/**
 * mc_bandwidth_estimator_get_max_bitrate:
 * @self: an estimator
 *
 * Returns: the highest estimate it gives
 */
guint
mc_bandwidth_estimator_get_max_bitrate (McBandwidthEstimator *self)
{
  g_return_val_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self), 0);

  return self->max_bitrate;
}

/**
 * mc_bandwidth_estimator_set_bounds:
 * @self: an estimator
 * @min_bitrate: the estimate never goes below this
 * @max_bitrate: nor above this
 *
 * Changes the bounds; the estimate moves inside them at once.
 */
void
mc_bandwidth_estimator_set_bounds (McBandwidthEstimator *self,
                                   guint                 min_bitrate,
                                   guint                 max_bitrate)
{
  guint estimate;

  g_return_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self));
  g_return_if_fail (min_bitrate <= max_bitrate);

  self->min_bitrate = min_bitrate;
  self->max_bitrate = max_bitrate;
  self->delay_rate = CLAMP (self->delay_rate, min_bitrate, max_bitrate);
  self->loss_rate = CLAMP (self->loss_rate, min_bitrate, max_bitrate);
  estimate = (guint) MIN (self->delay_rate, self->loss_rate);
  if (estimate != self->estimate)
    {
      self->estimate = estimate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ESTIMATE]);
    }
}

/**
 * mc_bandwidth_estimator_get_usage:
 * @self: an estimator
 *
 * Returns: what the latest report said about the queue on the path
 */
McBandwidthUsage
mc_bandwidth_estimator_get_usage (McBandwidthEstimator *self)
{
  g_return_val_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self), MC_BANDWIDTH_USAGE_NORMAL);

  return self->usage;
}

/**
 * mc_bandwidth_estimator_get_loss:
 * @self: an estimator
 *
 * Returns: the fraction (0–1) of our packets lost in the latest report that
 *   said
 */
double
mc_bandwidth_estimator_get_loss (McBandwidthEstimator *self)
{
  g_return_val_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self), 0);

  return self->loss;
}

/**
 * mc_bandwidth_estimator_set_probe_bitrate:
 * @self: an estimator
 * @bitrate: bits a second, or 0
 *
 * The estimate does not grow much beyond what the peer received, since that
 * proves nothing about the path, except up to @bitrate: paused video sends
 * nothing, so it would never come back otherwise.
 */
void
mc_bandwidth_estimator_set_probe_bitrate (McBandwidthEstimator *self,
                                          guint                 bitrate)
{
  g_return_if_fail (MC_IS_BANDWIDTH_ESTIMATOR (self));

  self->probe_bitrate = bitrate;
}
