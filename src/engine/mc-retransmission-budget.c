/* mc-retransmission-budget.c — how much a sender may send again
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A retransmission request (NACK) makes the sender's rtprtxsend send the
 * packet again at once, on top of what the encoder sends: GStreamer 1.22
 * neither limits nor paces that. On a path that is full, packets are lost
 * because it is full; each one asked for again adds to it, and a request
 * repeated before the first answer could come sends the same packet twice.
 * Measured at the start of a call under a 1 Mbit/s cap with 5 % loss: the
 * encoder sent 220 kbit/s and the retransmissions brought what went out to
 * 2.1 Mbit/s, half of it lost.
 *
 * So, as libwebrtc does, a sender grants requests from a budget: a token
 * bucket at a share of the bandwidth estimate (refilled continuously, half
 * a second deep), each packet counted at a full one's size (a request does
 * not say how large the packet is), and a packet is not sent again within a
 * round trip of the last time (the answer to the first request may still
 * be on its way; while no round trip is known, a packet may go again at
 * any time: on a short path the receiver asks again after 10 ms, and a
 * guess of 100 ms refused those retries for the first seconds of a call).
 * Requests beyond the budget are dropped: the receiver asks again later,
 * or, past its latency, asks for a key frame.
 *
 * Only requests for a stream that is sent again are counted: the peer
 * pipeline tells the budget which of the streams it sends have RTX
 * (mc_retransmission_budget_add_stream ()). Our audio jitter buffers ask
 * for lost audio packets until they know their media (up to a second),
 * rtprtxsend ignores those requests, and at 10 % loss they took the budget
 * of a call's first second, so that lost video packets were refused.
 *
 * No GStreamer: the peer pipeline asks it from rtprtxsend's pad, on a
 * streaming thread, and the call session sets the rate on the main thread,
 * so everything is behind one lock.
 */

#define G_LOG_DOMAIN "mc-call"

#include <string.h>

#include "mc-retransmission-budget.h"

/* A request counts as a full packet. */
#define PACKET_BYTES 1200
/* How deep the bucket is, in seconds of the rate. */
#define DEPTH_S 0.5
/* At least this many packets may always go at once. */
#define MIN_DEPTH_PACKETS 4
/* The packets remembered, by sequence number. */
#define HISTORY 1024
/* The streams told of: audio and video, and room for new SSRCs. */
#define MAX_STREAMS 8

typedef struct
{
  guint32 ssrc;
  guint   seqnum;
  gint64  sent_us; /* 0: never */
} Sent;

struct _McRetransmissionBudget
{
  GObject parent_instance;

  GMutex lock;
  double bytes_per_us;
  double depth;          /* bytes */
  double tokens;         /* bytes */
  gint64 last_refill_us; /* 0: not yet */
  gint64 round_trip_us;  /* 0: not known */
  guint  refused;
  Sent   history[HISTORY];
  struct
  {
    guint32  ssrc;
    gboolean sent_again;
  } streams[MAX_STREAMS];
  guint n_streams;
};

G_DEFINE_FINAL_TYPE (McRetransmissionBudget, mc_retransmission_budget, G_TYPE_OBJECT)

static void
mc_retransmission_budget_finalize (GObject *object)
{
  McRetransmissionBudget *self = MC_RETRANSMISSION_BUDGET (object);

  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mc_retransmission_budget_parent_class)->finalize (object);
}

static void
mc_retransmission_budget_class_init (McRetransmissionBudgetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mc_retransmission_budget_finalize;
}

static void
mc_retransmission_budget_init (McRetransmissionBudget *self)
{
  g_mutex_init (&self->lock);
  /* No limit until a rate is set. */
  self->bytes_per_us = -1;
}

/* Public API */

/**
 * mc_retransmission_budget_new:
 *
 * Returns: (transfer full): a budget that grants every request until
 *   mc_retransmission_budget_set_rate() is called
 */
McRetransmissionBudget *
mc_retransmission_budget_new (void)
{
  return g_object_new (MC_TYPE_RETRANSMISSION_BUDGET, NULL);
}

/**
 * mc_retransmission_budget_set_rate:
 * @self: a budget
 * @bitrate: what retransmissions may take, in bits a second
 * @round_trip_ms: the latest round trip, or 0 if unknown
 */
void
mc_retransmission_budget_set_rate (McRetransmissionBudget *self,
                                   guint                   bitrate,
                                   guint                   round_trip_ms)
{
  g_return_if_fail (MC_IS_RETRANSMISSION_BUDGET (self));

  g_mutex_lock (&self->lock);
  self->bytes_per_us = bitrate / 8.0 / G_USEC_PER_SEC;
  self->depth = MAX (self->bytes_per_us * DEPTH_S * G_USEC_PER_SEC,
                     (double) MIN_DEPTH_PACKETS * PACKET_BYTES);
  self->tokens = MIN (self->tokens, self->depth);
  if (round_trip_ms > 0)
    self->round_trip_us = round_trip_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_unlock (&self->lock);
}

/**
 * mc_retransmission_budget_allow:
 * @self: a budget
 * @ssrc: the stream of the packet asked for
 * @seqnum: its sequence number
 * @now_us: the monotonic time
 *
 * Returns: whether the packet may be sent again now (it is then counted)
 */
gboolean
mc_retransmission_budget_allow (McRetransmissionBudget *self,
                                guint32                 ssrc,
                                guint                   seqnum,
                                gint64                  now_us)
{
  Sent    *sent;
  gboolean allow;

  g_return_val_if_fail (MC_IS_RETRANSMISSION_BUDGET (self), TRUE);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_streams; i++)
    {
      if (self->streams[i].ssrc == ssrc && !self->streams[i].sent_again)
        {
          /* rtprtxsend will let it go; it costs nothing. */
          g_mutex_unlock (&self->lock);
          return TRUE;
        }
    }

  sent = &self->history[seqnum % HISTORY];
  if (sent->sent_us != 0 && sent->ssrc == ssrc && sent->seqnum == seqnum &&
      now_us - sent->sent_us < self->round_trip_us)
    {
      /* Its answer may still be on the way. */
      allow = FALSE;
    }
  else if (self->bytes_per_us < 0)
    {
      allow = TRUE;
    }
  else
    {
      if (self->last_refill_us == 0)
        self->tokens = self->depth;
      else if (now_us > self->last_refill_us)
        self->tokens = MIN (self->depth,
                            self->tokens + (now_us - self->last_refill_us) * self->bytes_per_us);
      /* Two streaming threads may ask out of order. */
      self->last_refill_us = MAX (self->last_refill_us, now_us);
      allow = self->tokens >= PACKET_BYTES;
      if (allow)
        self->tokens -= PACKET_BYTES;
    }

  if (allow)
    {
      sent->ssrc = ssrc;
      sent->seqnum = seqnum;
      sent->sent_us = now_us;
    }
  else
    {
      self->refused++;
    }
  g_mutex_unlock (&self->lock);

  return allow;
}

/**
 * mc_retransmission_budget_get_refused:
 * @self: a budget
 *
 * Returns: how many requests were refused so far
 */
guint
mc_retransmission_budget_get_refused (McRetransmissionBudget *self)
{
  guint refused;

  g_return_val_if_fail (MC_IS_RETRANSMISSION_BUDGET (self), 0);

  g_mutex_lock (&self->lock);
  refused = self->refused;
  g_mutex_unlock (&self->lock);

  return refused;
}

/**
 * mc_retransmission_budget_knows_stream:
 * @self: a budget
 * @ssrc: a stream we send
 *
 * Returns: whether mc_retransmission_budget_add_stream() told of it
 */
gboolean
mc_retransmission_budget_knows_stream (McRetransmissionBudget *self,
                                       guint32                 ssrc)
{
  gboolean known = FALSE;

  g_return_val_if_fail (MC_IS_RETRANSMISSION_BUDGET (self), FALSE);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_streams && !known; i++)
    known = self->streams[i].ssrc == ssrc;
  g_mutex_unlock (&self->lock);

  return known;
}

/**
 * mc_retransmission_budget_add_stream:
 * @self: a budget
 * @ssrc: a stream we send
 * @sent_again: whether its packets are sent again when asked for (it has
 *   RTX); requests for one that is not are granted and not counted
 *
 * The oldest stream told of makes room for a new one past eight.
 */
void
mc_retransmission_budget_add_stream (McRetransmissionBudget *self,
                                     guint32                 ssrc,
                                     gboolean                sent_again)
{
  g_return_if_fail (MC_IS_RETRANSMISSION_BUDGET (self));

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_streams; i++)
    {
      if (self->streams[i].ssrc == ssrc)
        {
          self->streams[i].sent_again = sent_again;
          g_mutex_unlock (&self->lock);
          return;
        }
    }
  if (self->n_streams == MAX_STREAMS)
    {
      memmove (&self->streams[0], &self->streams[1], sizeof self->streams[0] * (MAX_STREAMS - 1));
      self->n_streams--;
    }
  self->streams[self->n_streams].ssrc = ssrc;
  self->streams[self->n_streams].sent_again = sent_again;
  self->n_streams++;
  g_mutex_unlock (&self->lock);
}
