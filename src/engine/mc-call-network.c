/* mc-call-network.c — what the network does to a call, for the people in it
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * McCallSession measures and adapts; this object turns that into what a
 * person in the call needs to know, so that a window (or a test) only has
 * to show it. It is fed by McCallController: every second's #McCallStats
 * and every #McCallSession::send-quality-changed.
 *
 * Our side: the video we send is "lowered" while it is below the best
 * resolution and frame rate it had in this call (not below the configured
 * one: a call starts at about 1 Mbit/s and climbs, and that climb is not
 * news), and "paused" while the ladder has it paused.
 *
 * The other side: we cannot see their network, only what arrives from it.
 * A second counts against their connection when we lose more than
 * %MC_CALL_NETWORK_PEER_POOR_LOSS of their packets, or their camera is on
 * and fewer than %MC_CALL_NETWORK_PEER_POOR_FRAME_RATE frames arrive (their
 * video paused by their own ladder arrives as none), or their picture is
 * less than %MC_CALL_NETWORK_PEER_POOR_PIXELS of the largest they sent in
 * this connection: their engine lowered it, which is their own report that
 * their path to us is slow. (Our own download is on that path too; it is
 * the rarer culprit, since downloads are usually the larger direction, and
 * our own sending says separately how our side does.)
 * %MC_CALL_NETWORK_PEER_POOR_SECONDS such seconds in a row make it "poor",
 * %MC_CALL_NETWORK_PEER_GOOD_SECONDS good ones in a row make it good again,
 * so that one bad second says nothing. Seconds in which nothing arrived at
 * all count neither way: that is the reconnection's business.
 *
 * The quality indicator is the session's (mc_call_stats_derive_quality(),
 * from what we receive) made worse by what we know more: poor while our
 * video is paused or theirs arrives poorly, at best fair while ours is
 * lowered.
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-network.h"

struct _McCallNetwork
{
  GObject parent_instance;

  McCallStats         *stats;
  McCallQuality        quality;
  McCallNetworkSending sending;
  guint64              send_current; /* pixels times frames a second */
  guint64              send_best;
  gboolean             peer_poor;
  guint64              receive_best; /* pixels */
  McCallVideoKind      receive_kind; /* of what receive_best was measured on */
  guint                poor_seconds;
  guint                good_seconds;
};

G_DEFINE_FINAL_TYPE (McCallNetwork, mc_call_network, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (McCallNetworkSending, mc_call_network_sending, G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_SENDING_FULL, "full"), G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_SENDING_LOWERED, "lowered"), G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_SENDING_PAUSED, "paused"))

G_DEFINE_ENUM_TYPE (McCallNetworkNotice, mc_call_network_notice, G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_NOTICE_LOWERED, "lowered"), G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_NOTICE_PAUSED, "paused"), G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_NOTICE_RESUMED, "resumed"), G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_NOTICE_PEER_POOR, "peer-poor"), G_DEFINE_ENUM_VALUE (MC_CALL_NETWORK_NOTICE_PEER_RECOVERED, "peer-recovered"))

enum
{
  PROP_0,
  PROP_SENDING,
  PROP_PEER_POOR,
  PROP_QUALITY,
  PROP_STATS,
  N_PROPS
};

enum
{
  SIGNAL_NOTICE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

/* Helpers */

static void
set_sending (McCallNetwork       *self,
             McCallNetworkSending sending)
{
  if (self->sending == sending)
    return;
  self->sending = sending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDING]);
}

static void
set_peer_poor (McCallNetwork *self,
               gboolean       poor,
               gboolean       tell)
{
  if (self->peer_poor == poor)
    return;
  self->peer_poor = poor;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_POOR]);
  if (tell)
    g_signal_emit (self, signals[SIGNAL_NOTICE], 0,
                   poor ? MC_CALL_NETWORK_NOTICE_PEER_POOR : MC_CALL_NETWORK_NOTICE_PEER_RECOVERED);
}

static void
update_quality (McCallNetwork *self)
{
  McCallQuality quality = self->stats != NULL ? self->stats->quality : MC_CALL_QUALITY_UNKNOWN;

  if (quality != MC_CALL_QUALITY_UNKNOWN)
    {
      if (self->sending == MC_CALL_NETWORK_SENDING_PAUSED || self->peer_poor)
        quality = MC_CALL_QUALITY_POOR;
      else if (self->sending == MC_CALL_NETWORK_SENDING_LOWERED)
        quality = MAX (quality, MC_CALL_QUALITY_FAIR);
    }

  if (quality == self->quality)
    return;
  self->quality = quality;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY]);
}

/* Our video's format now: lowered while below the best it had. */
static void
update_sending (McCallNetwork *self,
                gboolean       paused,
                guint64        format)
{
  if (paused)
    {
      set_sending (self, MC_CALL_NETWORK_SENDING_PAUSED);
      return;
    }
  if (format == 0)
    return;

  self->send_current = format;
  self->send_best = MAX (self->send_best, format);
  set_sending (self, format < self->send_best ? MC_CALL_NETWORK_SENDING_LOWERED
                                              : MC_CALL_NETWORK_SENDING_FULL);
}

static gboolean
peer_second_poor (McCallNetwork     *self,
                  const McCallStats *stats,
                  McCallVideoKind    expected)
{
  guint64 pixels = (guint64) stats->width * stats->height;

  if (stats->loss >= MC_CALL_NETWORK_PEER_POOR_LOSS)
    return TRUE;
  if (expected == MC_CALL_VIDEO_NONE)
    return FALSE;
  if (stats->frame_rate < (expected == MC_CALL_VIDEO_SCREEN
                             ? MC_CALL_NETWORK_PEER_POOR_SCREEN_FRAME_RATE
                             : MC_CALL_NETWORK_PEER_POOR_FRAME_RATE))
    return TRUE;

  return pixels > 0 && pixels < MC_CALL_NETWORK_PEER_POOR_PIXELS * self->receive_best;
}

/* GObject overrides */

static void
mc_call_network_finalize (GObject *object)
{
  McCallNetwork *self = MC_CALL_NETWORK (object);

  g_clear_pointer (&self->stats, mc_call_stats_free);

  G_OBJECT_CLASS (mc_call_network_parent_class)->finalize (object);
}

static void
mc_call_network_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  McCallNetwork *self = MC_CALL_NETWORK (object);

  switch (prop_id)
    {
    case PROP_SENDING:
      g_value_set_enum (value, self->sending);
      break;
    case PROP_PEER_POOR:
      g_value_set_boolean (value, self->peer_poor);
      break;
    case PROP_QUALITY:
      g_value_set_enum (value, self->quality);
      break;
    case PROP_STATS:
      g_value_set_boxed (value, self->stats);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_call_network_class_init (McCallNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mc_call_network_finalize;
  object_class->get_property = mc_call_network_get_property;

  /**
   * McCallNetwork:sending:
   *
   * What the network lets us send: our video as well as it was at its best,
   * lowered, or paused.
   */
  properties[PROP_SENDING] =
    g_param_spec_enum ("sending", NULL, NULL, MC_TYPE_CALL_NETWORK_SENDING,
                       MC_CALL_NETWORK_SENDING_FULL,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallNetwork:peer-poor:
   *
   * Whether what the other side sends arrives poorly: their connection is
   * poor (see the top of mc-call-network.c for how it is told).
   */
  properties[PROP_PEER_POOR] =
    g_param_spec_boolean ("peer-poor", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallNetwork:quality:
   *
   * The call's quality indicator, from all of the above.
   */
  properties[PROP_QUALITY] =
    g_param_spec_enum ("quality", NULL, NULL, MC_TYPE_CALL_QUALITY, MC_CALL_QUALITY_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallNetwork:stats:
   *
   * The last second's statistics, the figures behind the indicator;
   * notified every second.
   */
  properties[PROP_STATS] =
    g_param_spec_boxed ("stats", NULL, NULL, MC_TYPE_CALL_STATS,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McCallNetwork::notice:
   * @self: the network
   * @notice: the #McCallNetworkNotice
   *
   * Something the user should be told about as it happens.
   */
  signals[SIGNAL_NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MC_TYPE_CALL_NETWORK_NOTICE);
}

static void
mc_call_network_init (McCallNetwork *self)
{
}

/* Public API */

/**
 * mc_call_network_new:
 *
 * Returns: (transfer full): a network view with nothing known yet
 */
McCallNetwork *
mc_call_network_new (void)
{
  return g_object_new (MC_TYPE_CALL_NETWORK, NULL);
}

/**
 * mc_call_network_add_stats:
 * @self: a network view
 * @stats: a second's statistics
 * @expected: what video the other side sends (none while its camera is
 *   off)
 *
 * Takes the next second's figures.
 */
void
mc_call_network_add_stats (McCallNetwork     *self,
                           const McCallStats *stats,
                           McCallVideoKind    expected)
{
  g_return_if_fail (MC_IS_CALL_NETWORK (self));
  g_return_if_fail (stats != NULL);

  g_clear_pointer (&self->stats, mc_call_stats_free);
  self->stats = mc_call_stats_copy (stats);

  update_sending (self, stats->video_paused,
                  (guint64) stats->send_width * stats->send_height * stats->send_framerate);

  /* A screen is larger than a camera picture: compare like with like. */
  if (expected != MC_CALL_VIDEO_NONE && expected != self->receive_kind)
    {
      self->receive_kind = expected;
      self->receive_best = 0;
    }

  if (stats->bitrate_in > 0)
    {
      if (peer_second_poor (self, stats, expected))
        {
          self->good_seconds = 0;
          if (++self->poor_seconds >= MC_CALL_NETWORK_PEER_POOR_SECONDS)
            set_peer_poor (self, TRUE, TRUE);
        }
      else
        {
          self->poor_seconds = 0;
          if (++self->good_seconds >= MC_CALL_NETWORK_PEER_GOOD_SECONDS)
            set_peer_poor (self, FALSE, TRUE);
        }
      if (expected != MC_CALL_VIDEO_NONE)
        self->receive_best = MAX (self->receive_best, (guint64) stats->width * stats->height);
    }

  update_quality (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS]);
}

/**
 * mc_call_network_send_quality_changed:
 * @self: a network view
 * @change: what #McCallSession::send-quality-changed said
 * @width: the width of the video we send now
 * @height: its height
 * @framerate: its frames a second
 *
 * Takes a change of the video we send, and tells of it.
 */
void
mc_call_network_send_quality_changed (McCallNetwork      *self,
                                      McVideoLadderChange change,
                                      guint               width,
                                      guint               height,
                                      guint               framerate)
{
  guint64 format = (guint64) width * height * framerate;

  g_return_if_fail (MC_IS_CALL_NETWORK (self));

  switch (change)
    {
    case MC_VIDEO_LADDER_LOWERED:
      /* What we sent until now is at least the best. */
      self->send_best = MAX (self->send_best, self->send_current);
      update_sending (self, FALSE, format);
      g_signal_emit (self, signals[SIGNAL_NOTICE], 0, MC_CALL_NETWORK_NOTICE_LOWERED);
      break;
    case MC_VIDEO_LADDER_PAUSED:
      self->send_best = MAX (self->send_best, self->send_current);
      update_sending (self, TRUE, 0);
      g_signal_emit (self, signals[SIGNAL_NOTICE], 0, MC_CALL_NETWORK_NOTICE_PAUSED);
      break;
    case MC_VIDEO_LADDER_RESUMED:
      update_sending (self, FALSE, format);
      g_signal_emit (self, signals[SIGNAL_NOTICE], 0, MC_CALL_NETWORK_NOTICE_RESUMED);
      break;
    case MC_VIDEO_LADDER_RAISED:
      update_sending (self, FALSE, format);
      break;
    case MC_VIDEO_LADDER_UNCHANGED:
    default:
      return;
    }

  update_quality (self);
}

/**
 * mc_call_network_reset:
 * @self: a network view
 *
 * A new connection to the other side (they left, or the media path was
 * rebuilt): what arrived from them before says nothing any more. What we
 * send is the session's business and stays.
 */
void
mc_call_network_reset (McCallNetwork *self)
{
  g_return_if_fail (MC_IS_CALL_NETWORK (self));

  self->receive_best = 0;
  self->poor_seconds = 0;
  self->good_seconds = 0;
  set_peer_poor (self, FALSE, FALSE);
  update_quality (self);
}

/**
 * mc_call_network_get_sending:
 * @self: a network view
 *
 * Returns: what the network lets us send
 */
McCallNetworkSending
mc_call_network_get_sending (McCallNetwork *self)
{
  g_return_val_if_fail (MC_IS_CALL_NETWORK (self), MC_CALL_NETWORK_SENDING_FULL);

  return self->sending;
}

/**
 * mc_call_network_get_peer_poor:
 * @self: a network view
 *
 * Returns: whether the other side's connection is poor
 */
gboolean
mc_call_network_get_peer_poor (McCallNetwork *self)
{
  g_return_val_if_fail (MC_IS_CALL_NETWORK (self), FALSE);

  return self->peer_poor;
}

/**
 * mc_call_network_get_quality:
 * @self: a network view
 *
 * Returns: the call's quality indicator
 */
McCallQuality
mc_call_network_get_quality (McCallNetwork *self)
{
  g_return_val_if_fail (MC_IS_CALL_NETWORK (self), MC_CALL_QUALITY_UNKNOWN);

  return self->quality;
}

/**
 * mc_call_network_get_stats:
 * @self: a network view
 *
 * Returns: (nullable): the last second's statistics, %NULL before any
 */
const McCallStats *
mc_call_network_get_stats (McCallNetwork *self)
{
  g_return_val_if_fail (MC_IS_CALL_NETWORK (self), NULL);

  return self->stats;
}
