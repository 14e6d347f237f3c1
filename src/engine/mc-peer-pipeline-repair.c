/* mc-peer-pipeline-repair.c — what the peer pipeline does about lost packets
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-peer-pipeline.c for the whole picture. Here the receiving side's
 * jitter buffers get the latency and the retry timeout the call session
 * chose (McJitterPolicy), audio's their own, and their counters are read;
 * and the sending side's rtprtxsend answers the peer's retransmission
 * requests within a budget (McRetransmissionBudget).
 */

#define G_LOG_DOMAIN "mc-call"

#include <string.h>

#include <gst/rtp/rtp.h>

#include "mc-peer-pipeline-private.h"

/* A retransmission request on its way from the RTP session to rtprtxsend:
 * granted from the budget (mc-retransmission-budget.c), or dropped. One for
 * a stream that is not sent again goes by, uncounted. */
static GstPadProbeReturn
retransmission_request_cb (GstPad          *pad,
                           GstPadProbeInfo *info,
                           gpointer         user_data)
{
  McRetransmissionBudget *budget = MC_RETRANSMISSION_BUDGET (user_data);
  GstEvent               *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure     *structure = gst_event_get_structure (event);
  guint                   seqnum = 0, ssrc = 0;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_UPSTREAM || structure == NULL ||
      !gst_structure_has_name (structure, "GstRTPRetransmissionRequest") ||
      !gst_structure_get_uint (structure, "seqnum", &seqnum) ||
      !gst_structure_get_uint (structure, "ssrc", &ssrc))
    return GST_PAD_PROBE_OK;

  if (mc_retransmission_budget_allow (budget, ssrc, seqnum, g_get_monotonic_time ()))
    return GST_PAD_PROBE_OK;

  g_debug ("Not sending packet %u of %08x again now", seqnum, ssrc);
  return GST_PAD_PROBE_DROP;
}

/* Tells the budget whether the stream of @buffer, an RTP packet on its way
 * into rtprtxsend, is one it sends again: its payload type is in the
 * element's payload-type map (webrtcbin maps those that negotiated RTX).
 * Looked up once a stream. */
static void
tell_stream (McRetransmissionBudget *budget,
             GstPad                 *pad,
             GstBuffer              *buffer)
{
  GstRTPBuffer             rtp = GST_RTP_BUFFER_INIT;
  g_autoptr (GstStructure) map = NULL;
  guint32                  ssrc;
  char                     payload_type[4];
  gboolean                 sent_again;

  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  g_snprintf (payload_type, sizeof payload_type, "%u", gst_rtp_buffer_get_payload_type (&rtp));
  gst_rtp_buffer_unmap (&rtp);

  if (mc_retransmission_budget_knows_stream (budget, ssrc))
    return;

  /* webrtcbin sets the map when a description is applied, before media
   * flows. Without one (no RTX negotiated) every stream counts, as it did
   * before there were streams, and the map is not read again. */
  g_object_get (GST_PAD_PARENT (pad), "payload-type-map", &map, NULL);
  sent_again = map == NULL || gst_structure_n_fields (map) == 0 ||
               gst_structure_has_field (map, payload_type);
  g_debug ("Stream %08x (payload type %s) is%s sent again when asked for", ssrc, payload_type,
           sent_again ? "" : " not");
  mc_retransmission_budget_add_stream (budget, ssrc, sent_again);
}

static GstPadProbeReturn
outgoing_stream_cb (GstPad          *pad,
                    GstPadProbeInfo *info,
                    gpointer         user_data)
{
  McRetransmissionBudget *budget = MC_RETRANSMISSION_BUDGET (user_data);

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      tell_stream (budget, pad, GST_PAD_PROBE_INFO_BUFFER (info));
    }
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

      for (guint i = 0; i < gst_buffer_list_length (list); i++)
        tell_stream (budget, pad, gst_buffer_list_get (list, i));
    }

  return GST_PAD_PROBE_OK;
}

/**
 * mc_peer_pipeline_watch_retransmission_requests:
 * @self: a peer pipeline
 * @rtxsend: an rtprtxsend webrtcbin made
 *
 * Grants the requests that go up its source pad from the RTP session from
 * the pipeline's budget, and tells the budget which streams going in at
 * its sink pad it sends again.
 */
void
mc_peer_pipeline_watch_retransmission_requests (McPeerPipeline *self,
                                                GstElement     *rtxsend)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (rtxsend, "src");
  g_autoptr (GstPad) sink = gst_element_get_static_pad (rtxsend, "sink");

  if (src != NULL)
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, retransmission_request_cb,
                       g_object_ref (self->rtx_budget), g_object_unref);
  if (sink != NULL)
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                       outgoing_stream_cb, g_object_ref (self->rtx_budget), g_object_unref);
}

/**
 * mc_peer_pipeline_configure_jitterbuffer:
 * @self: a peer pipeline
 * @element: a jitter buffer rtpbin just made
 *
 * Sets how it asks for retransmissions and starts, and keeps it for the
 * settings and counters below.
 */
void
mc_peer_pipeline_configure_jitterbuffer (McPeerPipeline *self,
                                         GstElement     *element)
{
  /* The jitter buffer asks again for a retransmission that has not come
   * after a round trip plus twice the jitter, but never sooner than the
   * packets' spacing, which for video is a frame's (33 ms at 30 fps):
   * on a short path it would then ask only once or twice before it gives
   * up. McJitterPolicy counts on this floor. Past the fifth request,
   * though, it stops asking: the latency the policy grows under loss
   * would otherwise mean a request every round trip for 600 ms. */
  g_object_set (element, "rtx-min-retry-timeout", MC_PEER_RTX_MIN_RETRY_MS, "rtx-max-retries",
                MC_PEER_RTX_MAX_RETRIES, NULL);
  /* It asks only for packets that a later one proves missing (a gap in
   * the sequence numbers), as browsers do, not for the packet it
   * expects next from the stream's pace: a sender that pauses (a
   * loaded machine, a still screen, a burst waiting in a queue on the
   * path) would otherwise have its next packet asked for before it was
   * sent, then given up on, and dropped as too late when it came: the
   * picture then stood still until the next key frame. */
  g_object_set (element, "rtx-next-seqnum", FALSE, NULL);
  /* It starts handing packets on after two in a row, not after its
   * whole latency: a new connection starts at the latency ceiling
   * (McJitterPolicy), and the first picture came 600 ms late. */
  g_object_set (element, "faststart-min-packets", 2, NULL);
  /* And it asks at all: see mc_peer_pipeline_watch_retransmission(). */
  g_object_set (element, "do-retransmission", TRUE, NULL);
  g_mutex_lock (&self->lock);
  if (!self->stopped)
    g_ptr_array_add (self->jitterbuffers, gst_object_ref (element));
  g_mutex_unlock (&self->lock);
}

/* The media of @jitterbuffer's stream: "video", "audio", or %NULL while it
 * is not known. Its own caps say only "application/x-rtp": rtpbin learns
 * the payload's media from the payload-type map, after the jitter buffer,
 * so ask the payload demuxer that follows it. */
static const char *
jitterbuffer_media (GstElement *jitterbuffer)
{
  g_autoptr (GstPad)     src = gst_element_get_static_pad (jitterbuffer, "src");
  g_autoptr (GstPad)     peer = src != NULL ? gst_pad_get_peer (src) : NULL;
  g_autoptr (GstElement) demux = peer != NULL ? gst_pad_get_parent_element (peer) : NULL;
  const char            *media = NULL;

  if (demux == NULL)
    return NULL;

  GST_OBJECT_LOCK (demux);
  for (GList *l = demux->srcpads; l != NULL && media == NULL; l = l->next)
    {
      g_autoptr (GstCaps) caps = gst_pad_get_current_caps (l->data);
      const char         *name = caps != NULL && gst_caps_get_size (caps) > 0
                                   ? gst_structure_get_string (gst_caps_get_structure (caps, 0),
                                                               "media")
                                   : NULL;

      media = g_strcmp0 (name, "video") == 0   ? "video"
              : g_strcmp0 (name, "audio") == 0 ? "audio"
                                               : NULL;
    }
  GST_OBJECT_UNLOCK (demux);

  return media;
}

/* An audio jitter buffer waits only as long as jitter needs (see
 * mc-jitter-policy.c), and asks for no retransmission: audio has no RTX
 * stream. A video one asks again after the retry timeout the session set
 * (-1: its own). webrtcbin sets its one latency on every jitter buffer, and
 * a stream's media (@media, from jitterbuffer_media()) is known only once
 * its first packets went through, so this runs whenever the latency or the
 * timeout changes and once a second. */
static void
apply_jitterbuffer_settings (McPeerPipeline *self,
                             GstElement     *jitterbuffer,
                             const char     *media)
{
  guint    latency_ms = 0;
  gint     retry_timeout_ms = -1;
  gboolean retransmission = FALSE;

  if (g_strcmp0 (media, "video") == 0)
    {
      g_object_get (jitterbuffer, "rtx-retry-timeout", &retry_timeout_ms, NULL);
      if (retry_timeout_ms != self->retry_timeout_ms)
        g_object_set (jitterbuffer, "rtx-retry-timeout", self->retry_timeout_ms, NULL);
      return;
    }
  if (g_strcmp0 (media, "audio") != 0)
    return;

  g_object_get (jitterbuffer, "latency", &latency_ms, "do-retransmission", &retransmission, NULL);
  if (latency_ms != self->audio_latency_ms)
    g_object_set (jitterbuffer, "latency", self->audio_latency_ms, NULL);
  if (retransmission)
    g_object_set (jitterbuffer, "do-retransmission", FALSE, NULL);
}

static GPtrArray *
dup_jitterbuffers (McPeerPipeline *self)
{
  GPtrArray *jitterbuffers = g_ptr_array_new_with_free_func (gst_object_unref);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->jitterbuffers->len; i++)
    g_ptr_array_add (jitterbuffers, gst_object_ref (g_ptr_array_index (self->jitterbuffers, i)));
  g_mutex_unlock (&self->lock);

  return jitterbuffers;
}

/* Each jitter buffer's settings again, after one of them changed. */
static void
apply_to_jitterbuffers (McPeerPipeline *self)
{
  g_autoptr (GPtrArray) jitterbuffers = dup_jitterbuffers (self);

  for (guint i = 0; i < jitterbuffers->len; i++)
    {
      GstElement *jitterbuffer = g_ptr_array_index (jitterbuffers, i);

      apply_jitterbuffer_settings (self, jitterbuffer, jitterbuffer_media (jitterbuffer));
    }
}

/**
 * mc_peer_pipeline_set_receive_latency:
 * @self: a peer pipeline
 * @latency_ms: how long the jitter buffers wait for a missing packet
 * @audio_latency_ms: how long the audio ones do, at most @latency_ms
 *
 * Changes them while the pipeline runs: webrtcbin hands @latency_ms to
 * rtpbin, which sets it on every jitter buffer, and to the storage that FEC
 * recovers packets from; then the audio jitter buffers get theirs. Packets
 * that arrive in order are not held back by either.
 */
void
mc_peer_pipeline_set_receive_latency (McPeerPipeline *self,
                                      guint           latency_ms,
                                      guint           audio_latency_ms)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  if (self->stopped)
    return;

  g_debug ("Receive latency now %u ms, %u ms for audio", latency_ms, audio_latency_ms);
  self->audio_latency_ms = MIN (audio_latency_ms, latency_ms);
  g_object_set (self->webrtc, "latency", latency_ms, NULL);
  apply_to_jitterbuffers (self);
}

/**
 * mc_peer_pipeline_set_retry_timeout:
 * @self: a peer pipeline
 * @timeout_ms: how long the video jitter buffers wait for a retransmission
 *   before they ask for it again, or -1 for their own measure
 *
 * Changes it while the pipeline runs (on jitter buffers added later too).
 */
void
mc_peer_pipeline_set_retry_timeout (McPeerPipeline *self,
                                    gint            timeout_ms)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));
  g_return_if_fail (timeout_ms >= -1);

  if (self->stopped || self->retry_timeout_ms == timeout_ms)
    return;

  g_debug ("Retransmissions asked for again after %d ms", timeout_ms);
  self->retry_timeout_ms = timeout_ms;
  apply_to_jitterbuffers (self);
}

/**
 * mc_peer_pipeline_set_retransmission_budget:
 * @self: a peer pipeline
 * @bitrate: what packets sent again may take, in bits a second
 * @round_trip_ms: the latest round trip, or 0 if unknown
 *
 * Limits the retransmissions the peer's requests bring
 * (mc-retransmission-budget.c).
 */
void
mc_peer_pipeline_set_retransmission_budget (McPeerPipeline *self,
                                            guint           bitrate,
                                            guint           round_trip_ms)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  mc_retransmission_budget_set_rate (self->rtx_budget, bitrate, round_trip_ms);
}

/**
 * mc_peer_pipeline_get_retransmissions_refused:
 * @self: a peer pipeline
 *
 * Returns: how many of the peer's retransmission requests went unanswered
 *   so far, for want of budget or because the packet had just been sent
 *   again
 */
guint
mc_peer_pipeline_get_retransmissions_refused (McPeerPipeline *self)
{
  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  return mc_retransmission_budget_get_refused (self->rtx_budget);
}

/**
 * mc_peer_pipeline_get_receive_latency:
 * @self: a peer pipeline
 *
 * Returns: how long the jitter buffers wait for a missing packet, in ms
 */
guint
mc_peer_pipeline_get_receive_latency (McPeerPipeline *self)
{
  guint latency_ms = 0;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  g_object_get (self->webrtc, "latency", &latency_ms, NULL);
  return latency_ms;
}

/**
 * mc_peer_pipeline_get_receive_counters:
 * @self: a peer pipeline
 * @counters: (out caller-allocates): what the receiving side counted
 *
 * Read from the jitter buffers and FEC decoders themselves: webrtcbin
 * 1.22's statistics give them only for streams it has matched to a
 * transceiver, which with BUNDLE it often has not. Also gives the audio
 * jitter buffers that became known their latency.
 */
void
mc_peer_pipeline_get_receive_counters (McPeerPipeline    *self,
                                       McReceiveCounters *counters)
{
  g_autoptr (GPtrArray) jitterbuffers = NULL;
  g_autoptr (GPtrArray) decoders = g_ptr_array_new_with_free_func (gst_object_unref);

  g_return_if_fail (MC_IS_PEER_PIPELINE (self));
  g_return_if_fail (counters != NULL);

  memset (counters, 0, sizeof *counters);

  jitterbuffers = dup_jitterbuffers (self);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->fec_decoders->len; i++)
    g_ptr_array_add (decoders, gst_object_ref (g_ptr_array_index (self->fec_decoders, i)));
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < jitterbuffers->len; i++)
    {
      g_autoptr (GstStructure) stats = NULL;
      guint64                  pushed = 0, lost = 0, repaired = 0, requested = 0, jitter = 0;
      guint64                  rtx_rtt = 0;

      GstElement *jitterbuffer = g_ptr_array_index (jitterbuffers, i);
      const char *media = jitterbuffer_media (jitterbuffer);
      guint       latency_ms = 0;

      if (!self->stopped)
        apply_jitterbuffer_settings (self, jitterbuffer, media);
      g_object_get (jitterbuffer, "stats", &stats, "latency", &latency_ms, NULL);
      if (g_strcmp0 (media, "audio") == 0)
        counters->audio_latency_ms = MAX (counters->audio_latency_ms, latency_ms);
      if (stats == NULL)
        continue;
      gst_structure_get (stats, "num-pushed", G_TYPE_UINT64, &pushed, "num-lost", G_TYPE_UINT64,
                         &lost, "rtx-success-count", G_TYPE_UINT64, &repaired, "rtx-count",
                         G_TYPE_UINT64, &requested, "avg-jitter", G_TYPE_UINT64, &jitter, "rtx-rtt", G_TYPE_UINT64, &rtx_rtt, NULL);
      counters->pushed += pushed;
      counters->lost += lost;
      if (g_strcmp0 (media, "video") == 0)
        counters->video_lost += lost;
      counters->repaired += repaired;
      counters->requested += requested;
      counters->jitter_ms = MAX (counters->jitter_ms, jitter / (double) GST_MSECOND);
      counters->rtx_rtt_ms = MAX (counters->rtx_rtt_ms, rtx_rtt / (double) GST_MSECOND);
    }

  for (guint i = 0; i < decoders->len; i++)
    {
      guint recovered = 0;

      g_object_get (g_ptr_array_index (decoders, i), "recovered", &recovered, NULL);
      counters->recovered += recovered;
    }
}
