/* mc-peer-pipeline-elements.c — the peer's senders and receivers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-peer-pipeline.c for the whole picture. Here the appsrc → payloader
 * → webrtcbin senders and the depayloader → decoder → appsink receivers
 * are built, webrtcbin's new streams are linked to the receivers, and what
 * the receivers decode is handed to the media pipeline and counted.
 *
 * The receiving appsinks hand each decoded buffer over at once (the jitter
 * buffer has ordered them already); the frame stamp of the latency benchmark
 * is read at that moment.
 */

#define G_LOG_DOMAIN "mc-call"

#include <string.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

#include "mc-call-error.h"
#include "mc-frame-stamp.h"
#include "mc-peer-pipeline-private.h"

#define VIDEO_PAYLOAD       96
#define AUDIO_PAYLOAD       111
#define MAX_LATENCY_SAMPLES 1000
#define MAX_TWCC_PACKETS    20000
/* A frame stamp further than this from now is a misread, not a latency. */
#define MAX_PLAUSIBLE_LATENCY_US (10 * G_USEC_PER_SEC)

/* Helpers */

GstElement *
mc_peer_pipeline_make (McPeerPipeline *self,
                       const char     *factory,
                       const char     *name,
                       GError        **error)
{
  GstElement *element = mc_call_make_element_full (self->overrides, factory, name, error);

  if (element != NULL)
    gst_bin_add (GST_BIN (self->pipeline), element);

  return element;
}

/* The codec preferences of a transceiver, which make the offer's m-line
 * and, through webrtcbin's caps query, the payloader's output caps. With a
 * transport-wide congestion control extension id, the payloader adds the
 * extension to every packet (its automatic header extensions) and the RTP
 * session numbers them and reads the peer's feedback (twcc-stats). */
static GstCaps *
rtp_caps (McMediaKind kind,
          guint       twcc_id)
{
  GstCaps *caps;

  if (kind == MC_MEDIA_KIND_VIDEO)
    caps = gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "video",
                                "encoding-name", G_TYPE_STRING, "VP8",
                                "payload", G_TYPE_INT, VIDEO_PAYLOAD,
                                "clock-rate", G_TYPE_INT, 90000,
                                "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE,
                                "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                                "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE,
                                NULL);
  else
    caps = gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "audio",
                                "encoding-name", G_TYPE_STRING, "OPUS",
                                "payload", G_TYPE_INT, AUDIO_PAYLOAD,
                                "clock-rate", G_TYPE_INT, 48000,
                                "encoding-params", G_TYPE_STRING, "2",
                                "minptime", G_TYPE_STRING, "10",
                                "useinbandfec", G_TYPE_STRING, "1",
                                NULL);

  if (twcc_id > 0)
    {
      g_autofree char *field = g_strdup_printf ("extmap-%u", twcc_id);

      gst_caps_set_simple (caps,
                           "rtcp-fb-transport-cc", G_TYPE_BOOLEAN, TRUE,
                           field, G_TYPE_STRING, MC_PEER_TWCC_URI,
                           NULL);
    }

  return caps;
}

/* Callbacks */

/* The payloader asks for a key frame when the peer sends a PLI or FIR; the
 * encoder is in the other pipeline. */
static GstPadProbeReturn
key_unit_request_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  GstEvent       *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_video_event_is_force_key_unit (event))
    {
      mc_media_pipeline_force_key_unit (self->media);
      return GST_PAD_PROBE_HANDLED;
    }

  return GST_PAD_PROBE_OK;
}

/* The RTP session hands each transport-wide feedback upstream, as a custom
 * event with one entry per packet (what rtpgccbwe reads, where it exists):
 * when we sent it, when the peer received it, or that it was lost. The
 * packets are kept until the call session takes them, once a second. */
static GstPadProbeReturn
twcc_feedback_cb (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  McPeerPipeline     *self = MC_PEER_PIPELINE (user_data);
  GstEvent           *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *structure;
  const GValue       *packets;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_UPSTREAM)
    return GST_PAD_PROBE_OK;

  structure = gst_event_get_structure (event);
  if (structure == NULL || !gst_structure_has_name (structure, "RTPTWCCPackets"))
    return GST_PAD_PROBE_OK;

  packets = gst_structure_get_value (structure, "packets");
  if (packets == NULL)
    return GST_PAD_PROBE_OK;

  /* GStreamer 1.22 hands a GValueArray, deprecated in GLib but the type
   * the event has. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GValueArray *array = G_VALUE_HOLDS (packets, g_value_array_get_type ())
                           ? g_value_get_boxed (packets)
                           : NULL;

    g_mutex_lock (&self->lock);
    for (guint i = 0; array != NULL && i < array->n_values; i++)
      {
        const GValue       *item = g_value_array_get_nth (array, i);
        const GstStructure *entry;
        McBandwidthPacket   packet;
        guint64             local_ts = GST_CLOCK_TIME_NONE, remote_ts = GST_CLOCK_TIME_NONE;
        guint               size = 0;
        gboolean            lost = FALSE;

        if (!GST_VALUE_HOLDS_STRUCTURE (item))
          continue;
        entry = gst_value_get_structure (item);
        gst_structure_get_uint64 (entry, "local-ts", &local_ts);
        gst_structure_get_uint64 (entry, "remote-ts", &remote_ts);
        gst_structure_get_uint (entry, "size", &size);
        gst_structure_get_boolean (entry, "lost", &lost);
        if (!GST_CLOCK_TIME_IS_VALID (local_ts))
          continue;

        packet.send_time_us = (gint64) (local_ts / GST_USECOND);
        packet.arrival_time_us = lost || !GST_CLOCK_TIME_IS_VALID (remote_ts)
                                   ? -1
                                   : (gint64) (remote_ts / GST_USECOND);
        packet.size = size;
        /* A bounded backlog: nobody took them (no call session), or the
         * feedback is extraordinarily dense. */
        if (self->twcc_packets->len < MAX_TWCC_PACKETS)
          g_array_append_val (self->twcc_packets, packet);
      }
    g_mutex_unlock (&self->lock);
  }
  G_GNUC_END_IGNORE_DEPRECATIONS

  return GST_PAD_PROBE_OK;
}

void
mc_peer_pipeline_pad_added_cb (GstElement *webrtc,
                               GstPad     *pad,
                               gpointer    user_data)
{
  McPeerPipeline     *self = MC_PEER_PIPELINE (user_data);
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad)  sink_pad = NULL;
  const GstStructure *structure;
  const char         *media;
  GstElement         *depay;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  structure = gst_caps_get_structure (caps, 0);
  media = structure != NULL ? gst_structure_get_string (structure, "media") : NULL;
  depay = g_strcmp0 (media, "video") == 0   ? self->video_depay
          : g_strcmp0 (media, "audio") == 0 ? self->audio_depay
                                            : NULL;

  if (depay != NULL)
    {
      sink_pad = gst_element_get_static_pad (depay, "sink");
      if (!gst_pad_is_linked (sink_pad) && gst_pad_link (pad, sink_pad) == GST_PAD_LINK_OK)
        return;
    }

  /* An unexpected stream, or a second one of a kind: swallow it. */
  {
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);

    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (self->pipeline), sink);
    gst_element_sync_state_with_parent (sink);
    g_clear_object (&sink_pad);
    sink_pad = gst_element_get_static_pad (sink, "sink");
    gst_pad_link (pad, sink_pad);
  }
}

static GstFlowReturn
video_frame_cb (GstAppSink *sink,
                gpointer    user_data)
{
  McPeerPipeline       *self = MC_PEER_PIPELINE (user_data);
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstVideoInfo          info;
  GstVideoFrame         frame;
  gint64                now = g_get_monotonic_time ();

  if (sample == NULL)
    return GST_FLOW_EOS;

  if (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    {
      gint64 stamp;

      g_atomic_int_set (&self->width, GST_VIDEO_INFO_WIDTH (&info));
      g_atomic_int_set (&self->height, GST_VIDEO_INFO_HEIGHT (&info));

      if (gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
        {
          if (mc_frame_stamp_read (&frame, &stamp) && ABS (now - stamp) < MAX_PLAUSIBLE_LATENCY_US)
            {
              g_mutex_lock (&self->lock);
              if (self->latency_samples->len < MAX_LATENCY_SAMPLES)
                {
                  gint64 latency = now - stamp;

                  g_array_append_val (self->latency_samples, latency);
                }
              g_mutex_unlock (&self->lock);
            }
          gst_video_frame_unmap (&frame);
        }
    }

  mc_media_pipeline_push_remote (self->media, MC_MEDIA_KIND_VIDEO, sample);

  g_mutex_lock (&self->lock);
  if (self->frames_decoded++ == 0)
    {
      g_mutex_unlock (&self->lock);
      mc_peer_pipeline_emit_on_main (self, SIGNAL_FIRST_FRAME, 0, now, NULL);
    }
  else
    {
      g_mutex_unlock (&self->lock);
    }

  return GST_FLOW_OK;
}

static GstFlowReturn
audio_buffer_cb (GstAppSink *sink,
                 gpointer    user_data)
{
  McPeerPipeline       *self = MC_PEER_PIPELINE (user_data);
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  mc_media_pipeline_push_remote (self->media, MC_MEDIA_KIND_AUDIO, sample);

  g_mutex_lock (&self->lock);
  self->audio_buffers++;
  g_mutex_unlock (&self->lock);

  return GST_FLOW_OK;
}

/* Building */

static GstElement *
make_receiver_sink (McPeerPipeline *self,
                    const char     *name,
                    GstFlowReturn (*new_sample) (GstAppSink *, gpointer),
                    GError **error)
{
  GstElement         *sink = mc_peer_pipeline_make (self, "appsink", name, error);
  GstAppSinkCallbacks callbacks = {
    NULL,
  };

  if (sink == NULL)
    return NULL;

  /* No clock sync: the jitter buffer already puts packets in order and
   * waits (up to its latency) only for missing ones, so a decoded buffer is
   * handed to the media pipeline as soon as it exists. Syncing here would add
   * the whole pipeline latency, which the audio path inflates to ~180 ms,
   * to every video frame. */
  callbacks.new_sample = new_sample;
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE,
                "max-buffers", 4, "drop", TRUE, "qos", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  return sink;
}

static GstAppSrc *
make_sender_src (McPeerPipeline *self,
                 const char     *name,
                 const char     *caps_string,
                 GError        **error)
{
  GstElement         *source = mc_peer_pipeline_make (self, "appsrc", name, error);
  g_autoptr (GstCaps) caps = NULL;

  if (source == NULL)
    return NULL;

  caps = gst_caps_from_string (caps_string);
  g_object_set (source, "is-live", TRUE, "do-timestamp", FALSE, "format", GST_FORMAT_TIME,
                "caps", caps, "max-buffers", (guint64) 8, "block", FALSE, NULL);
  /* Until the connection is up webrtcbin may not consume: drop old media
   * rather than making the encoder wait. */
  gst_util_set_object_arg (G_OBJECT (source), "leaky-type", "downstream");

  return GST_APP_SRC (source);
}

gboolean
mc_peer_pipeline_build_sender (McPeerPipeline *self,
                               McMediaKind     kind,
                               GError        **error)
{
  GstElement                         *payloader;
  GstAppSrc                          *source;
  g_autoptr (GstPad)                  src_pad = NULL;
  g_autoptr (GstPad)                  sink_pad = NULL;
  g_autoptr (GstPad)                  app_pad = NULL;
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr (GstCaps)                 caps = rtp_caps (kind, self->twcc_id);

  if (kind == MC_MEDIA_KIND_VIDEO)
    {
      source = make_sender_src (self, "video-in", "video/x-vp8", error);
      if (source == NULL)
        return FALSE;
      payloader = mc_peer_pipeline_make (self, "rtpvp8pay", "video-pay", error);
      if (payloader == NULL)
        return FALSE;
      gst_util_set_object_arg (G_OBJECT (payloader), "picture-id-mode", "15-bit");
      self->video_src = source;

      app_pad = gst_element_get_static_pad (GST_ELEMENT (source), "src");
      gst_pad_add_probe (app_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, key_unit_request_cb, self,
                         NULL);
    }
  else
    {
      source = make_sender_src (self, "audio-in", "audio/x-opus", error);
      if (source == NULL)
        return FALSE;
      payloader = mc_peer_pipeline_make (self, "rtpopuspay", "audio-pay", error);
      if (payloader == NULL)
        return FALSE;
      self->audio_src = source;
    }

  g_object_set (payloader, "pt", kind == MC_MEDIA_KIND_VIDEO ? VIDEO_PAYLOAD : AUDIO_PAYLOAD,
                "mtu", 1200, NULL);

  /* With BUNDLE one RTP session carries both, and its feedback event
   * reaches both payloaders: listen on one. */
  if (kind == MC_MEDIA_KIND_VIDEO)
    {
      g_autoptr (GstPad) pay_pad = gst_element_get_static_pad (payloader, "src");

      gst_pad_add_probe (pay_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, twcc_feedback_cb, self, NULL);
    }

  if (!gst_element_link (GST_ELEMENT (source), payloader))
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE, "Cannot link %s to %s",
                   GST_OBJECT_NAME (source), GST_OBJECT_NAME (payloader));
      return FALSE;
    }

  sink_pad = gst_element_request_pad_simple (self->webrtc, "sink_%u");
  src_pad = gst_element_get_static_pad (payloader, "src");
  if (sink_pad == NULL || gst_pad_link (src_pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                   "Cannot link the %s payloader to webrtcbin",
                   kind == MC_MEDIA_KIND_VIDEO ? "video" : "audio");
      return FALSE;
    }

  /* Explicit codec preferences: the offer must not depend on whether the
   * first encoded buffer has reached the payloader yet. */
  g_object_get (sink_pad, "transceiver", &transceiver, NULL);
  g_object_set (transceiver, "codec-preferences", caps,
                "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV, NULL);
  /* NACK (and with it RTX) on every transceiver, audio too: with BUNDLE,
   * webrtcbin 1.22 applies each transceiver's do-nack to every new jitter
   * buffer in turn, so an audio transceiver without it switches
   * retransmission requests off for video streams as well, and one lost
   * packet then freezes the picture until the next key frame. */
  g_object_set (transceiver, "do-nack", TRUE, NULL);
  /* No forward error correction of ours (fec-type): with RED and ULPFEC
   * negotiated, webrtcbin 1.22 loses the video's transport-wide feedback
   * and retransmission requests (see mc-call-session-adapt.c). */
  self->transceivers[kind] = g_object_ref (transceiver);
  self->payloaders[kind] = payloader;

  return TRUE;
}

/* Finds the id the peer's offer gives the transport-wide congestion control
 * extension: 0 if it has none. With BUNDLE every m-line must use the same. */
static guint
find_twcc_id (const GstSDPMessage *sdp)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);

      for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++)
        {
          const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, a);
          guint64                id;
          char                  *end;

          if (g_strcmp0 (attribute->key, "extmap") != 0 || attribute->value == NULL ||
              strstr (attribute->value, MC_PEER_TWCC_URI) == NULL)
            continue;

          /* "ID[/direction] URI" */
          id = g_ascii_strtoull (attribute->value, &end, 10);
          if (end != attribute->value && id >= 1 && id <= 14)
            return (guint) id;
        }
    }

  return 0;
}

/* Holds the sender's first buffer, and the caps before it, at the app
 * source. */
static GstPadProbeReturn
hold_sender_cb (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  return GST_PAD_PROBE_OK;
}

/* The source pad of the app source that feeds the @kind payloader. */
static GstPad *
sender_pad (McPeerPipeline *self,
            McMediaKind     kind)
{
  GstAppSrc *source = kind == MC_MEDIA_KIND_VIDEO ? self->video_src : self->audio_src;

  return gst_element_get_static_pad (GST_ELEMENT (source), "src");
}

/* An answerer's payloaders must number the header extensions as the offer
 * does, which another implementation (a browser) may do differently from
 * us. They must not negotiate their caps before the offer is there:
 * webrtcbin 1.22 makes the answer from the codec preferences merged with
 * the caps its sink pads received, and until the answer is set it blocks
 * the payloaders' threads in its sink pads, so they could not negotiate
 * again in time; the answer then carried both ids (measured: three answers
 * in five). So the senders are held at their app sources, which drop the
 * oldest frames meanwhile, until the answer is made
 * (mc_peer_pipeline_release_senders ()). */
void
mc_peer_pipeline_hold_senders (McPeerPipeline *self)
{
  for (guint kind = 0; kind < G_N_ELEMENTS (self->sender_holds); kind++)
    {
      g_autoptr (GstPad) pad = sender_pad (self, kind);

      self->sender_holds[kind] = gst_pad_add_probe (pad,
                                                    GST_PAD_PROBE_TYPE_BLOCK |
                                                      GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
                                                    hold_sender_cb, NULL, NULL);
    }
}

/* The SSRC an m-line of our answer gives its media: the first of its
 * retransmission group, or its first "ssrc" line; 0 if none. */
static guint32
answer_ssrc (const GstSDPMedia *media)
{
  const char *value;
  guint64     ssrc = 0;

  if ((value = gst_sdp_media_get_attribute_val (media, "ssrc-group")) != NULL &&
      g_str_has_prefix (value, "FID "))
    ssrc = g_ascii_strtoull (value + strlen ("FID "), NULL, 10);
  else if ((value = gst_sdp_media_get_attribute_val (media, "ssrc")) != NULL)
    ssrc = g_ascii_strtoull (value, NULL, 10);

  return ssrc <= G_MAXUINT32 ? (guint32) ssrc : 0;
}

/* Lets an answerer's senders go once @answer is made: their payloaders
 * negotiate for the first time, with the offer's extension ids, and send
 * with the SSRCs the answer announces (webrtcbin picked them, for want of
 * caps from the payloaders, and its statistics and retransmissions go by
 * them). On a webrtcbin thread. */
void
mc_peer_pipeline_release_senders (McPeerPipeline      *self,
                                  const GstSDPMessage *answer)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (answer); m++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (answer, m);
      const char        *type = gst_sdp_media_get_media (media);
      guint32            ssrc = answer_ssrc (media);
      int                kind = g_strcmp0 (type, "video") == 0   ? MC_MEDIA_KIND_VIDEO
                                : g_strcmp0 (type, "audio") == 0 ? MC_MEDIA_KIND_AUDIO
                                                                 : -1;

      if (kind >= 0 && ssrc != 0 && self->sender_holds[kind] != 0)
        g_object_set (self->payloaders[kind], "ssrc", ssrc, NULL);
    }

  for (guint kind = 0; kind < G_N_ELEMENTS (self->sender_holds); kind++)
    {
      g_autoptr (GstPad) pad = NULL;
      gulong             hold = self->sender_holds[kind];

      if (hold == 0)
        continue;

      self->sender_holds[kind] = 0;
      pad = sender_pad (self, kind);
      gst_pad_remove_probe (pad, hold);
    }
}

/* The answerer takes the extension ids of the offer: the codec preferences
 * (from which the answer is made) and the payloaders follow it. */
void
mc_peer_pipeline_follow_offer (McPeerPipeline      *self,
                               const GstSDPMessage *offer)
{
  guint twcc_id = find_twcc_id (offer);

  if (twcc_id != self->twcc_id)
    {
      g_debug ("The offer numbers transport-wide congestion control %u (we had %u)", twcc_id,
               self->twcc_id);
      self->twcc_id = twcc_id;

      for (guint kind = 0; kind < G_N_ELEMENTS (self->transceivers); kind++)
        {
          g_autoptr (GstCaps) caps = rtp_caps (kind, twcc_id);
          g_autoptr (GstPad)  pad = NULL;

          if (self->transceivers[kind] == NULL)
            continue;

          g_object_set (self->transceivers[kind], "codec-preferences", caps, NULL);
          /* A payloader that already negotiated (a later offer) takes the
           * extension (or drops it) when it negotiates its caps again. */
          g_signal_emit_by_name (self->payloaders[kind], "clear-extensions");
          pad = gst_element_get_static_pad (self->payloaders[kind], "src");
          gst_pad_mark_reconfigure (pad);
        }
    }
}

gboolean
mc_peer_pipeline_build_receiver (McPeerPipeline *self,
                                 McMediaKind     kind,
                                 GError        **error)
{
  GstElement *depay, *decoder, *sink;
  gboolean    ok;

  if (kind == MC_MEDIA_KIND_VIDEO)
    {
      if ((depay = mc_peer_pipeline_make (self, "rtpvp8depay", "video-depay", error)) == NULL ||
          (decoder = mc_peer_pipeline_make (self, "vp8dec", "video-decoder", error)) == NULL ||
          (sink = make_receiver_sink (self, "video-sink", video_frame_cb, error)) == NULL)
        return FALSE;

      /* Ask the sender for a key frame (PLI) after loss, and show nothing
       * broken until one arrives. */
      g_object_set (depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);
      /* One thread, as for the encoder: VP8's row threads spin-wait. */
      g_object_set (decoder, "threads", 1, NULL);
      self->video_depay = depay;
    }
  else
    {
      if ((depay = mc_peer_pipeline_make (self, "rtpopusdepay", "audio-depay", error)) == NULL ||
          (decoder = mc_peer_pipeline_make (self, "opusdec", "audio-decoder", error)) == NULL ||
          (sink = make_receiver_sink (self, "audio-sink", audio_buffer_cb, error)) == NULL)
        return FALSE;

      g_object_set (decoder, "plc", TRUE, "use-inband-fec", TRUE, NULL);
      self->audio_depay = depay;
    }

  ok = gst_element_link_many (depay, decoder, sink, NULL);
  if (!ok)
    g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE, "Cannot link the %s decoder",
                 kind == MC_MEDIA_KIND_VIDEO ? "video" : "audio");

  return ok;
}

/* Public API */

/**
 * mc_peer_pipeline_get_frames_decoded:
 * @self: a peer
 *
 * Returns: remote video frames decoded by this peer
 */
guint64
mc_peer_pipeline_get_frames_decoded (McPeerPipeline *self)
{
  guint64 n;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->frames_decoded;
  g_mutex_unlock (&self->lock);

  return n;
}

/**
 * mc_peer_pipeline_get_audio_buffers:
 * @self: a peer
 *
 * Returns: remote audio buffers decoded by this peer
 */
guint64
mc_peer_pipeline_get_audio_buffers (McPeerPipeline *self)
{
  guint64 n;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->audio_buffers;
  g_mutex_unlock (&self->lock);

  return n;
}

/**
 * mc_peer_pipeline_get_video_size:
 * @self: a peer
 * @width: (out): width of the last remote frame, or 0
 * @height: (out): its height, or 0
 */
void
mc_peer_pipeline_get_video_size (McPeerPipeline *self,
                                 guint          *width,
                                 guint          *height)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  *width = g_atomic_int_get (&self->width);
  *height = g_atomic_int_get (&self->height);
}

/**
 * mc_peer_pipeline_take_latency_samples:
 * @self: a peer
 *
 * Returns: (transfer full) (element-type gint64): the frame-in to frame-out
 *   latencies in microseconds measured since the last call
 */
GArray *
mc_peer_pipeline_take_latency_samples (McPeerPipeline *self)
{
  GArray *samples;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), NULL);

  g_mutex_lock (&self->lock);
  samples = g_steal_pointer (&self->latency_samples);
  self->latency_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_unlock (&self->lock);

  return samples;
}

/**
 * mc_peer_pipeline_take_twcc_packets:
 * @self: a peer
 *
 * Returns: (transfer full) (element-type McBandwidthPacket): what the peer's
 *   transport-wide congestion control feedback said about each of our
 *   packets since the last call, in the order it said it
 */
GArray *
mc_peer_pipeline_take_twcc_packets (McPeerPipeline *self)
{
  GArray *packets;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), NULL);

  g_mutex_lock (&self->lock);
  packets = g_steal_pointer (&self->twcc_packets);
  self->twcc_packets = g_array_new (FALSE, FALSE, sizeof (McBandwidthPacket));
  g_mutex_unlock (&self->lock);

  return packets;
}
