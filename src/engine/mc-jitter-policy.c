/* mc-jitter-policy.c — how long the receive jitter buffer waits for a packet
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * webrtcbin's jitter buffers hand packets on as soon as they are in order;
 * their latency is how long they wait for a missing one (a retransmission
 * the NACK asked for, or a packet that took a longer way) before they give
 * up on it. A packet given up on breaks the VP8 frame it belongs to and
 * every frame after it: the picture stands still until the next key frame,
 * which on a lossy path may itself lose a packet. So the wait must leave
 * room for a few retransmissions: on a clean path it costs nothing (nothing
 * is missing) and today's 40 ms stays, but on a path that loses packets or
 * reorders them it has to grow.
 *
 * Once a second this object takes what the receiving side saw and answers
 * the latency to use:
 *
 * - with loss, room for five retransmissions above the base: the buffer
 *   asks about 20 ms after a packet was due (twice the jitter, or half a
 *   video frame's spacing), and asks again when the answer has not come
 *   after a round trip plus twice the jitter (at least 10 ms: the peer
 *   pipeline sets that floor, where the jitter buffer's own is a video
 *   frame's spacing), and 20 ms of margin;
 * - with jitter, four times the jitter above the base (packets that arrive
 *   out of order are waited for, not given up on);
 * - packets given up on in spite of that: a quarter more than now;
 *
 * at most @max_ms. It grows at once to what is needed and shrinks only
 * after 10 s without need, by a tenth a second, in steps of 10 ms so that
 * the jitter buffers are not retuned for every millisecond.
 *
 * Audio has a latency of its own: the jitter part alone. Its packets are
 * never sent again (no RTX for audio), so waiting for a retransmission
 * would only stop the sound: every packet lost would hold back the ones
 * behind it for the whole latency (at 5 % loss and 300 ms, measured: the
 * sound stood still for 4.3 s in 10), where Opus conceals a lost 20 ms.
 *
 * The same round trip tells the jitter buffers when to ask again
 * (mc_jitter_policy_get_retry_timeout()). Left to themselves they wait for
 * the average round trip of the retransmissions they saw, which moves an
 * eighth of the way to each new one: after a queue on the path (the first
 * seconds under a rate cap) it stayed at 300–450 ms for seconds and fell
 * to the real 100 ms only after 20 s, so that within a 300 ms latency a
 * lost retransmission was never asked for again, and at 5 % loss one lost
 * packet in twenty stopped the picture.
 *
 * A new connection starts at the ceiling (mc_jitter_policy_begin()), as
 * for loss on a path whose round trip is not known yet, and shrinks from
 * there after 10 s without need: its first seconds are the most fragile
 * (the first key frame and the encoder's start on a path not measured yet;
 * under a 1 Mbit/s cap with 5 % loss the jitter buffers, still at 40 ms in
 * the first second, gave up on a dozen packets and the picture stood still
 * for a second). Waiting costs nothing while packets come in order.
 *
 * It knows nothing of GStreamer: McCallSession applies the latency to the
 * peer pipeline (mc-call-session-adapt.c).
 */

#define G_LOG_DOMAIN "mc-call"

#include <math.h>

#include "mc-jitter-policy.h"

#define RETRANSMISSIONS  5
#define FIRST_REQUEST_MS 20
#define RETRY_FLOOR_MS   10
#define LOSS_MARGIN_MS   20
#define JITTER_FACTOR    4
#define DROP_GROWTH      1.25
#define SHRINK_AFTER_US  (10 * G_USEC_PER_SEC)
#define SHRINK_FACTOR    0.9
#define STEP_MS          10
#define DEFAULT_RTT_MS   100
/* Less than this is a rounding error of the statistics, not a loss. */
#define MIN_LOSS 0.002

struct _McJitterPolicy
{
  GObject parent_instance;

  guint  base_ms;
  guint  max_ms;
  guint  latency_ms;
  guint  audio_latency_ms;
  double rtt_ms;             /* the latest known, or -1 */
  double jitter_ms;          /* the latest */
  gint64 last_need_us;       /* when the latency was last needed as it is */
  gint64 last_audio_need_us; /* the same for audio */
};

G_DEFINE_FINAL_TYPE (McJitterPolicy, mc_jitter_policy, G_TYPE_OBJECT)

static void
mc_jitter_policy_class_init (McJitterPolicyClass *klass)
{
}

static void
mc_jitter_policy_init (McJitterPolicy *self)
{
  self->rtt_ms = -1;
}

/* Helpers */

static guint
round_up (double ms)
{
  return (guint) (ceil (ms / STEP_MS) * STEP_MS);
}

/* Packets that arrive out of order are waited for, not given up on. */
static guint
needed_for_jitter (McJitterPolicy       *self,
                   const McJitterSample *sample)
{
  return MIN (round_up (self->base_ms + JITTER_FACTOR * MAX (0, sample->jitter_ms)), self->max_ms);
}

/* When a jitter buffer asks again for a retransmission that has not come. */
static double
retry_ms (double rtt_ms,
          double jitter_ms)
{
  return MAX (rtt_ms + 2 * jitter_ms, RETRY_FLOOR_MS);
}

static guint
needed_latency (McJitterPolicy       *self,
                const McJitterSample *sample)
{
  double jitter = MAX (0, sample->jitter_ms);
  double need = needed_for_jitter (self, sample);

  if (sample->loss >= MIN_LOSS || sample->dropped > 0)
    {
      double rtt = self->rtt_ms >= 0 ? self->rtt_ms : DEFAULT_RTT_MS;

      need = MAX (need, self->base_ms + FIRST_REQUEST_MS +
                          RETRANSMISSIONS * retry_ms (rtt, jitter) + LOSS_MARGIN_MS);
    }


  /* Packets were given up on at this latency: it was not enough. */
  if (sample->dropped > 0)
    need = MAX (need, self->latency_ms * DROP_GROWTH);

  return MIN (round_up (need), self->max_ms);
}

/* Grows *@latency_ms at once to @need, or shrinks it towards @need after
 * 10 s without need. Returns whether it grew. */
static gboolean
follow (McJitterPolicy *self,
        guint          *latency_ms,
        gint64         *last_need_us,
        guint           need,
        gint64          now)
{
  guint lower;

  if (need >= *latency_ms)
    {
      gboolean grew = need > *latency_ms;

      *latency_ms = need;
      *last_need_us = now;
      return grew;
    }

  if (now - *last_need_us < SHRINK_AFTER_US)
    return FALSE;

  lower = MAX (need, round_up (*latency_ms * SHRINK_FACTOR));
  /* Rounding up may not go down at all near the base. */
  if (lower >= *latency_ms)
    lower = MAX (need, *latency_ms - MIN (*latency_ms, STEP_MS));
  *latency_ms = MAX (lower, self->base_ms);

  return FALSE;
}

/* Public API */

/**
 * mc_jitter_policy_new:
 * @base_ms: the latency on a clean path
 * @max_ms: the most it may grow to
 *
 * Returns: (transfer full): a policy at @base_ms
 */
McJitterPolicy *
mc_jitter_policy_new (guint base_ms,
                      guint max_ms)
{
  McJitterPolicy *self = g_object_new (MC_TYPE_JITTER_POLICY, NULL);

  self->base_ms = base_ms;
  self->max_ms = MAX (base_ms, max_ms);
  self->latency_ms = base_ms;
  self->audio_latency_ms = base_ms;

  return self;
}

/**
 * mc_jitter_policy_begin:
 * @self: a policy
 * @now_us: the monotonic time
 *
 * A new connection: the latency goes up to the ceiling, for its first
 * seconds (a configured base above the ceiling is the ceiling, see
 * mc_jitter_policy_new ()).
 */
void
mc_jitter_policy_begin (McJitterPolicy *self,
                        gint64          now_us)
{
  g_return_if_fail (MC_IS_JITTER_POLICY (self));

  self->latency_ms = self->max_ms;
  self->last_need_us = now_us;
}

/**
 * mc_jitter_policy_update:
 * @self: a policy
 * @sample: the last second
 *
 * Returns: the latency to use from now, in milliseconds
 */
guint
mc_jitter_policy_update (McJitterPolicy       *self,
                         const McJitterSample *sample)
{
  guint need;

  g_return_val_if_fail (MC_IS_JITTER_POLICY (self), 0);
  g_return_val_if_fail (sample != NULL, self->latency_ms);

  if (sample->rtt_ms > 0)
    self->rtt_ms = sample->rtt_ms;
  self->jitter_ms = MAX (0, sample->jitter_ms);

  need = needed_latency (self, sample);
  if (follow (self, &self->latency_ms, &self->last_need_us, need, sample->time_us))
    g_debug ("Receive latency %u ms (loss %.1f %%, %u dropped, jitter %.0f ms, rtt %.0f ms)",
             self->latency_ms, sample->loss * 100, sample->dropped, sample->jitter_ms,
             self->rtt_ms);
  follow (self, &self->audio_latency_ms, &self->last_audio_need_us,
          needed_for_jitter (self, sample), sample->time_us);

  return self->latency_ms;
}

/**
 * mc_jitter_policy_get_latency:
 * @self: a policy
 *
 * Returns: the latency now, in milliseconds
 */
guint
mc_jitter_policy_get_latency (McJitterPolicy *self)
{
  g_return_val_if_fail (MC_IS_JITTER_POLICY (self), 0);

  return self->latency_ms;
}

/**
 * mc_jitter_policy_get_audio_latency:
 * @self: a policy
 *
 * Returns: how long audio's jitter buffers wait for a missing packet now,
 *   in milliseconds: room for jitter only, at most the latency
 */
guint
mc_jitter_policy_get_audio_latency (McJitterPolicy *self)
{
  g_return_val_if_fail (MC_IS_JITTER_POLICY (self), 0);

  return MIN (self->audio_latency_ms, self->latency_ms);
}

/**
 * mc_jitter_policy_get_retry_timeout:
 * @self: a policy
 *
 * Returns: how long the jitter buffers should wait for a retransmission
 *   before they ask again, in milliseconds: the latest round trip plus
 *   twice the jitter, rounded up to 10 ms; or -1 while no round trip is
 *   known (they then go by the retransmissions they saw)
 */
gint
mc_jitter_policy_get_retry_timeout (McJitterPolicy *self)
{
  g_return_val_if_fail (MC_IS_JITTER_POLICY (self), -1);

  if (self->rtt_ms <= 0)
    return -1;

  return (gint) round_up (retry_ms (self->rtt_ms, self->jitter_ms));
}
