/* mc-call-network.h — what the network does to a call, for the people in it
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "mc-call-stats.h"
#include "mc-video-ladder.h"

G_BEGIN_DECLS

/**
 * McCallNetworkSending:
 * @MC_CALL_NETWORK_SENDING_FULL: our video goes out as well as it did at its
 *   best in this call
 * @MC_CALL_NETWORK_SENDING_LOWERED: at a lower resolution or frame rate:
 *   our connection is slow
 * @MC_CALL_NETWORK_SENDING_PAUSED: not at all: the network is too slow even
 *   for the lowest rung (audio goes on)
 *
 * What the bandwidth estimate did to the video we send.
 */
typedef enum
{
  MC_CALL_NETWORK_SENDING_FULL,
  MC_CALL_NETWORK_SENDING_LOWERED,
  MC_CALL_NETWORK_SENDING_PAUSED,
} McCallNetworkSending;

/**
 * McCallNetworkNotice:
 * @MC_CALL_NETWORK_NOTICE_LOWERED: our video was lowered
 * @MC_CALL_NETWORK_NOTICE_PAUSED: our video paused
 * @MC_CALL_NETWORK_NOTICE_RESUMED: our video is sent again after a pause
 * @MC_CALL_NETWORK_NOTICE_PEER_POOR: what the other side sends us arrives
 *   badly: their connection is poor
 * @MC_CALL_NETWORK_NOTICE_PEER_RECOVERED: it arrives well again
 *
 * Moments worth telling the user about.
 */
typedef enum
{
  MC_CALL_NETWORK_NOTICE_LOWERED,
  MC_CALL_NETWORK_NOTICE_PAUSED,
  MC_CALL_NETWORK_NOTICE_RESUMED,
  MC_CALL_NETWORK_NOTICE_PEER_POOR,
  MC_CALL_NETWORK_NOTICE_PEER_RECOVERED,
} McCallNetworkNotice;

/* A second counts against the other side's connection with this much of
 * their packets lost, or fewer frames than this while their camera is on
 * (a shared screen is sent at 5 to 15 frames a second on purpose: fewer
 * than the second), or a picture of less than this share of the largest
 * they sent of the same kind (camera or screen). */
#define MC_CALL_NETWORK_PEER_POOR_LOSS              0.08
#define MC_CALL_NETWORK_PEER_POOR_FRAME_RATE        8.0
#define MC_CALL_NETWORK_PEER_POOR_SCREEN_FRAME_RATE 2.0
#define MC_CALL_NETWORK_PEER_POOR_PIXELS            0.3
/* So many poor seconds in a row make it poor, so many good ones good again. */
#define MC_CALL_NETWORK_PEER_POOR_SECONDS 3
#define MC_CALL_NETWORK_PEER_GOOD_SECONDS 5

#define MC_TYPE_CALL_NETWORK_SENDING (mc_call_network_sending_get_type ())
#define MC_TYPE_CALL_NETWORK_NOTICE  (mc_call_network_notice_get_type ())
#define MC_TYPE_CALL_NETWORK         (mc_call_network_get_type ())

GType mc_call_network_sending_get_type (void) G_GNUC_CONST;
GType mc_call_network_notice_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (McCallNetwork, mc_call_network, MC, CALL_NETWORK, GObject)

McCallNetwork       *mc_call_network_new (void);
void                 mc_call_network_add_stats (McCallNetwork     *self,
                                                const McCallStats *stats,
                                                McCallVideoKind    expected);
void                 mc_call_network_send_quality_changed (McCallNetwork      *self,
                                                           McVideoLadderChange change,
                                                           guint               width,
                                                           guint               height,
                                                           guint               framerate);
void                 mc_call_network_reset (McCallNetwork *self);
McCallNetworkSending mc_call_network_get_sending (McCallNetwork *self);
gboolean             mc_call_network_get_peer_poor (McCallNetwork *self);
McCallQuality        mc_call_network_get_quality (McCallNetwork *self);
const McCallStats   *mc_call_network_get_stats (McCallNetwork *self);

G_END_DECLS
