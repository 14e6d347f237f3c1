/* mc-jitter-policy.h — how long the receive jitter buffer waits for a packet
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * McJitterSample:
 * @time_us: when it was taken, g_get_monotonic_time()
 * @loss: fraction (0–1) of the packets sent to us that did not arrive in
 *   the last second at first (retransmissions recover some of them)
 * @dropped: video packets the jitter buffer gave up on in the last second (not
 *   recovered in time)
 * @jitter_ms: interarrival jitter of the incoming streams
 * @rtt_ms: round trip to the peer, or -1 if unknown
 *
 * One second of what the receiving side saw, for mc_jitter_policy_update().
 */
typedef struct
{
  gint64 time_us;
  double loss;
  guint  dropped;
  double jitter_ms;
  double rtt_ms;
} McJitterSample;

#define MC_TYPE_JITTER_POLICY (mc_jitter_policy_get_type ())

G_DECLARE_FINAL_TYPE (McJitterPolicy, mc_jitter_policy, MC, JITTER_POLICY, GObject)

McJitterPolicy *mc_jitter_policy_new (guint base_ms,
                                      guint max_ms);
void            mc_jitter_policy_begin (McJitterPolicy *self,
                                        gint64          now_us);
guint           mc_jitter_policy_update (McJitterPolicy       *self,
                                         const McJitterSample *sample);
guint           mc_jitter_policy_get_latency (McJitterPolicy *self);
guint           mc_jitter_policy_get_audio_latency (McJitterPolicy *self);
gint            mc_jitter_policy_get_retry_timeout (McJitterPolicy *self);

G_END_DECLS
