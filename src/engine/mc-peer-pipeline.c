/* mc-peer-pipeline.c — one webrtcbin peer connection, thrown away on reconnect
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * webrtcbin in GStreamer 1.22 cannot restart ICE, so a connection whose
 * network path died cannot be revived: it has to be replaced by a new
 * webrtcbin and a new offer/answer. Capture and encoding must not stop
 * meanwhile, so they live in McMediaPipeline and this object holds only what
 * belongs to one connection, in a pipeline of its own:
 *
 *   appsrc (VP8 from the media pipeline) ! rtpvp8pay ! webrtcbin
 *   appsrc (Opus)                        ! rtpopuspay ! webrtcbin
 *   webrtcbin ! rtpvp8depay ! vp8dec ! appsink   → media pipeline's video sink
 *   webrtcbin ! rtpopusdepay ! opusdec ! appsink → media pipeline's audio sink
 *
 * A separate pipeline rather than relinking inside one: tearing webrtcbin
 * (with its nicesrc, DTLS and rtpbin threads) out of a running pipeline with
 * blocking probes is fragile, while setting a whole pipeline to NULL is not.
 * The price is one appsink → appsrc hop each way, which costs a buffer ref and
 * a queue push. The pipeline uses the media pipeline's clock and base time, so
 * the running times of the buffers handed over mean the same on both sides.
 *
 * The receiving appsinks hand each decoded buffer over at once (the jitter
 * buffer has ordered them already); the frame stamp of the latency benchmark
 * is read at that moment.
 *
 * The fault hook drops RTP and RTCP (first byte 128–191, RFC 7983) at the
 * transport edge, in probes on nicesrc and nicesink, while STUN (inside
 * libnice) and DTLS pass: that is a media path that is dead while ICE still
 * looks fine, the hardest case for detection, and it lets a rebuilt
 * connection complete its handshakes during the fault so that media flows
 * the moment the fault ends.
 *
 * Threads: webrtcbin's signals, the promise callbacks, pad-added and the
 * probes run on streaming threads. They touch only GStreamer objects and
 * atomics, and hop to the main context (the one current when this object was
 * made) to emit signals.
 */

#define G_LOG_DOMAIN "mc-call"

#include <gst/app/app.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

#include "mc-call-error.h"
#include "mc-frame-stamp.h"
#include "mc-peer-pipeline.h"

#define VIDEO_PAYLOAD 96
#define AUDIO_PAYLOAD 111
#define MAX_LATENCY_SAMPLES 1000
#define ICE_PACING_MS 5
/* A frame stamp further than this from now is a misread, not a latency. */
#define MAX_PLAUSIBLE_LATENCY_US (10 * G_USEC_PER_SEC)

struct _McPeerPipeline
{
  GObject          parent_instance;

  McMediaPipeline *media;
  gint64           generation;
  GMainContext    *context;
  GHashTable      *overrides;

  GstElement      *pipeline;
  GstElement      *webrtc;
  GstElement      *video_depay;
  GstElement      *audio_depay;
  GstAppSrc       *video_src;
  GstAppSrc       *audio_src;
  guint            bus_watch;
  gboolean         stopped;

  /* Shared with streaming threads. */
  gint             media_blocked;
  gint             ice_connected;
  gint             dtls_connected;
  gint64           last_media_time;
  guint64          frames_decoded;
  guint64          audio_buffers;
  gint             width;
  gint             height;
  GMutex           lock;
  GArray          *latency_samples;
};

enum
{
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_ICE_STATE_CHANGED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McPeerPipeline, mc_peer_pipeline, G_TYPE_OBJECT)

/* Helpers */

typedef struct
{
  McPeerPipeline *self;
  guint           signal_id;
  guint           number;
  gint64          time;
  char           *text;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->self);
  g_free (emission->text);
  g_free (emission);
}

static gboolean
emit_on_main_cb (gpointer data)
{
  Emission *emission = data;
  McPeerPipeline *self = emission->self;

  if (self->stopped)
    return G_SOURCE_REMOVE;

  switch (emission->signal_id)
    {
    case SIGNAL_ICE_CANDIDATE:
      g_signal_emit (self, signals[SIGNAL_ICE_CANDIDATE], 0, emission->number, emission->text);
      break;
    case SIGNAL_ICE_STATE_CHANGED:
      g_signal_emit (self, signals[SIGNAL_ICE_STATE_CHANGED], 0, emission->number);
      break;
    case SIGNAL_FIRST_FRAME:
      g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0, emission->time);
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* From any thread: emit a signal on the main context. */
static void
emit_on_main (McPeerPipeline *self,
              guint           signal_id,
              guint           number,
              gint64          time,
              const char     *text)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->self = g_object_ref (self);
  emission->signal_id = signal_id;
  emission->number = number;
  emission->time = time;
  emission->text = g_strdup (text);

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_on_main_cb, emission,
                              emission_free);
}

static GstElement *
make (McPeerPipeline  *self,
      const char      *factory,
      const char      *name,
      GError         **error)
{
  GstElement *element = mc_call_make_element_full (self->overrides, factory, name, error);

  if (element != NULL)
    gst_bin_add (GST_BIN (self->pipeline), element);

  return element;
}

static gboolean
is_rtp_or_rtcp (GstBuffer *buffer)
{
  guint8 first;

  return gst_buffer_extract (buffer, 0, &first, 1) == 1 && first >= 128 && first <= 191;
}

static gboolean
list_has_media_cb (GstBuffer **buffer,
                   guint       index,
                   gpointer    user_data)
{
  gboolean *has_media = user_data;

  if (is_rtp_or_rtcp (*buffer))
    {
      *has_media = TRUE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
carries_media (GstPadProbeInfo *info)
{
  gboolean has_media = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return is_rtp_or_rtcp (GST_PAD_PROBE_INFO_BUFFER (info));

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), list_has_media_cb, &has_media);

  return has_media;
}

static GstCaps *
rtp_caps (McMediaKind kind)
{
  if (kind == MC_MEDIA_KIND_VIDEO)
    return gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "video",
                                "encoding-name", G_TYPE_STRING, "VP8",
                                "payload", G_TYPE_INT, VIDEO_PAYLOAD,
                                "clock-rate", G_TYPE_INT, 90000,
                                "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE,
                                "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                                "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE,
                                NULL);

  return gst_caps_new_simple ("application/x-rtp",
                              "media", G_TYPE_STRING, "audio",
                              "encoding-name", G_TYPE_STRING, "OPUS",
                              "payload", G_TYPE_INT, AUDIO_PAYLOAD,
                              "clock-rate", G_TYPE_INT, 48000,
                              "encoding-params", G_TYPE_STRING, "2",
                              "minptime", G_TYPE_STRING, "10",
                              "useinbandfec", G_TYPE_STRING, "1",
                              NULL);
}

/* Callbacks */

static GstPadProbeReturn
incoming_cb (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);

  if (!carries_media (info))
    return GST_PAD_PROBE_OK;

  if (g_atomic_int_get (&self->media_blocked))
    return GST_PAD_PROBE_DROP;

  g_mutex_lock (&self->lock);
  self->last_media_time = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);

  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
outgoing_cb (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);

  if (g_atomic_int_get (&self->media_blocked) && carries_media (info))
    return GST_PAD_PROBE_DROP;

  return GST_PAD_PROBE_OK;
}

static void
deep_element_added_cb (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory != NULL ? GST_OBJECT_NAME (factory) : "";
  g_autoptr(GstPad) pad = NULL;

  if (g_str_equal (name, "nicesrc"))
    {
      pad = gst_element_get_static_pad (element, "src");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         incoming_cb, self, NULL);
    }
  else if (g_str_equal (name, "nicesink"))
    {
      pad = gst_element_get_static_pad (element, "sink");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         outgoing_cb, self, NULL);
    }
}

static void
on_ice_candidate_cb (GstElement *webrtc,
                     guint       mline_index,
                     const char *candidate,
                     gpointer    user_data)
{
  emit_on_main (MC_PEER_PIPELINE (user_data), SIGNAL_ICE_CANDIDATE, mline_index, 0, candidate);
}

static void
ice_connection_state_cb (GObject    *webrtc,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);

  /* ICE is through; DTLS follows in one or two round trips (10–30 ms on a
   * LAN), while a 720p key frame takes about as long to come out of the
   * encoder. Asking for it now overlaps the two instead of adding them up:
   * the key frame usually comes out just after DTLS is done. If it comes out
   * earlier, it is lost (SRTP has no key yet) and connection_state_cb() asks
   * again. */
  if ((state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
       state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) &&
      g_atomic_int_compare_and_exchange (&self->ice_connected, FALSE, TRUE))
    mc_media_pipeline_ensure_key_unit (self->media);

  emit_on_main (self, SIGNAL_ICE_STATE_CHANGED, state, 0, NULL);
}

/* DTLS is through: the first frames the peer can decrypt must include a key
 * frame, or it shows nothing until its PLI comes back. Not rate-limited: the
 * key frame made a few milliseconds ago may have gone out before SRTP had a
 * key; but if one is still being encoded, it comes out after this and is
 * enough (see mc_media_pipeline_ensure_key_unit()). */
static void
connection_state_cb (GObject    *webrtc,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    {
      g_atomic_int_set (&self->dtls_connected, TRUE);
      mc_media_pipeline_ensure_key_unit (self->media);
    }
}

/* The payloader asks for a key frame when the peer sends a PLI or FIR; the
 * encoder is in the other pipeline. */
static GstPadProbeReturn
key_unit_request_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_video_event_is_force_key_unit (event))
    {
      mc_media_pipeline_force_key_unit (self->media);
      return GST_PAD_PROBE_HANDLED;
    }

  return GST_PAD_PROBE_OK;
}

static void
pad_added_cb (GstElement *webrtc,
              GstPad     *pad,
              gpointer    user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  const GstStructure *structure;
  const char *media;
  GstElement *depay;

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
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstVideoInfo info;
  GstVideoFrame frame;
  gint64 now = g_get_monotonic_time ();

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
      emit_on_main (self, SIGNAL_FIRST_FRAME, 0, now, NULL);
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
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  mc_media_pipeline_push_remote (self->media, MC_MEDIA_KIND_AUDIO, sample);

  g_mutex_lock (&self->lock);
  self->audio_buffers++;
  g_mutex_unlock (&self->lock);

  return GST_FLOW_OK;
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("Peer pipeline error: %s (%s)", gst_error->message, debug);
        error = g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                             "The connection to the peer failed in %s: %s",
                             GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
        break;
      }

    case GST_MESSAGE_LATENCY:
      {
        g_autoptr(GstQuery) query = gst_query_new_latency ();

        gst_bin_recalculate_latency (GST_BIN (self->pipeline));
        if (gst_element_query (self->pipeline, query))
          {
            GstClockTime min_latency, max_latency;
            gboolean live;

            gst_query_parse_latency (query, &live, &min_latency, &max_latency);
            g_debug ("Peer pipeline latency: %" GST_TIME_FORMAT " (from %s)",
                     GST_TIME_ARGS (min_latency), GST_OBJECT_NAME (GST_MESSAGE_SRC (message)));
          }
        break;
      }

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* Building */

static GstElement *
make_receiver_sink (McPeerPipeline  *self,
                    const char      *name,
                    GstFlowReturn  (*new_sample) (GstAppSink *, gpointer),
                    GError         **error)
{
  GstElement *sink = make (self, "appsink", name, error);
  GstAppSinkCallbacks callbacks = { NULL, };

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
make_sender_src (McPeerPipeline  *self,
                 const char      *name,
                 const char      *caps_string,
                 GError         **error)
{
  GstElement *source = make (self, "appsrc", name, error);
  g_autoptr(GstCaps) caps = NULL;

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

static gboolean
build_sender (McPeerPipeline  *self,
              McMediaKind      kind,
              GError         **error)
{
  GstElement *payloader;
  GstAppSrc *source;
  g_autoptr(GstPad) src_pad = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GstPad) app_pad = NULL;
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr(GstCaps) caps = rtp_caps (kind);

  if (kind == MC_MEDIA_KIND_VIDEO)
    {
      source = make_sender_src (self, "video-in", "video/x-vp8", error);
      if (source == NULL)
        return FALSE;
      payloader = make (self, "rtpvp8pay", "video-pay", error);
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
      payloader = make (self, "rtpopuspay", "audio-pay", error);
      if (payloader == NULL)
        return FALSE;
      self->audio_src = source;
    }

  g_object_set (payloader, "pt", kind == MC_MEDIA_KIND_VIDEO ? VIDEO_PAYLOAD : AUDIO_PAYLOAD,
                "mtu", 1200, NULL);

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
  if (kind == MC_MEDIA_KIND_VIDEO)
    g_object_set (transceiver, "do-nack", TRUE, NULL);

  return TRUE;
}

static gboolean
build_receiver (McPeerPipeline  *self,
                McMediaKind      kind,
                GError         **error)
{
  GstElement *depay, *decoder, *sink;
  gboolean ok;

  if (kind == MC_MEDIA_KIND_VIDEO)
    {
      if ((depay = make (self, "rtpvp8depay", "video-depay", error)) == NULL ||
          (decoder = make (self, "vp8dec", "video-decoder", error)) == NULL ||
          (sink = make_receiver_sink (self, "video-sink", video_frame_cb, error)) == NULL)
        return FALSE;

      /* Ask the sender for a key frame (PLI) after loss, and show nothing
       * broken until one arrives. */
      g_object_set (depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);
      g_object_set (decoder, "threads", CLAMP ((int) g_get_num_processors (), 1, 4), NULL);
      self->video_depay = depay;
    }
  else
    {
      if ((depay = make (self, "rtpopusdepay", "audio-depay", error)) == NULL ||
          (decoder = make (self, "opusdec", "audio-decoder", error)) == NULL ||
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

static void
configure_ice (McPeerPipeline     *self,
               const McPeerConfig *config)
{
  g_autoptr(GstWebRTCICE) ice = NULL;

  if (config->stun_server != NULL)
    g_object_set (self->webrtc, "stun-server", config->stun_server, NULL);

  for (guint i = 0; config->turn_servers != NULL && config->turn_servers[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (self->webrtc, "add-turn-server", config->turn_servers[i], &added);
      if (!added)
        g_message ("webrtcbin refused a TURN server URL");
    }

  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;

  /* TCP candidates are of no use peer to peer here and slow gathering. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp") != NULL)
    g_object_set (ice, "ice-tcp", FALSE, NULL);

  /* webrtcbin makes its libnice agent with regular nomination: the
   * controlling side nominates the first working pair with a second check,
   * one pacing tick after the first one succeeded, and each check waits for
   * the next tick. With libnice's default pacing (Ta = 20 ms) that made ICE
   * take 60–65 ms even over loopback. A call has a handful of candidate pairs,
   * so 5 ms pacing (the lowest RFC 8445 allows) is no burden on the network
   * and brings ICE down to a few milliseconds plus the round trips. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    {
      g_autoptr(GObject) agent = NULL;

      g_object_get (ice, "agent", &agent, NULL);
      if (agent != NULL &&
          g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "stun-pacing-timer") != NULL)
        g_object_set (agent, "stun-pacing-timer", (guint) ICE_PACING_MS, NULL);

      /* No UPnP IGD port mappings (browsers do not use them either; STUN and
       * TURN are what makes a call through NATs here): libnice would start a
       * gupnp-igd client with its own thread and SSDP search for every
       * connection, hold "gathering complete" back by its 200 ms timeout,
       * and its warnings ("Unable to listen on 127.0.0.1:…") turned up in
       * test runs. Set before the first stream exists, which is when libnice
       * reads it. */
      if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
        g_object_set (agent, "upnp", FALSE, NULL);
    }

  /* libnice gathers on all non-loopback interfaces unless told otherwise;
   * given addresses, it gathers only on those (and loopback only this way). */
  for (guint i = 0; config->ice_addresses != NULL && config->ice_addresses[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (ice, "add-local-ip-address", config->ice_addresses[i], &added);
      if (!added)
        g_message ("ICE refused the local address %s", config->ice_addresses[i]);
    }
}

/* Promises */

static void
promise_return_error (GTask      *task,
                      GstPromise *promise,
                      const char *what)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  g_autoptr(GError) error = NULL;

  if (reply != NULL && gst_structure_has_field_typed (reply, "error", G_TYPE_ERROR))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);

  g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NEGOTIATION, "webrtcbin could not %s%s%s",
                           what, error != NULL ? ": " : "", error != NULL ? error->message : "");
}

/* On a webrtcbin thread: the offer or answer is there; make it the local
 * description and return its text. */
static void
description_created_cb (GstPromise *promise,
                        gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  McPeerPipeline *self = g_task_get_source_object (task);
  GstWebRTCSessionDescription *description = NULL;
  const char *field = g_task_get_task_data (task);
  const GstStructure *reply;
  char *text;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      (reply = gst_promise_get_reply (promise)) == NULL ||
      !gst_structure_has_field_typed (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION))
    {
      promise_return_error (task, promise, g_str_equal (field, "offer") ? "create an offer"
                                                                         : "create an answer");
      gst_promise_unref (promise);
      return;
    }

  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
  gst_promise_unref (promise);

  /* No promise: one of ours can be dropped unanswered when the connection
   * is torn down meanwhile, which GStreamer warns about. webrtcbin 1.22 then
   * leaks the error reply it built for a NULL promise (see lsan.supp). */
  g_signal_emit_by_name (self->webrtc, "set-local-description", description, NULL);
  text = gst_sdp_message_as_text (description->sdp);
  gst_webrtc_session_description_free (description);

  g_task_return_pointer (task, text, g_free);
}

static void
remote_set_cb (GstPromise *promise,
               gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  const GstStructure *reply;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      ((reply = gst_promise_get_reply (promise)) != NULL &&
       gst_structure_has_field (reply, "error")))
    promise_return_error (task, promise, "apply the peer's description");
  else
    g_task_return_boolean (task, TRUE);

  gst_promise_unref (promise);
}

static void
stats_cb (GstPromise *promise,
          gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  const GstStructure *reply;

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED &&
      (reply = gst_promise_get_reply (promise)) != NULL)
    g_task_return_pointer (task, gst_structure_copy (reply), (GDestroyNotify) gst_structure_free);
  else
    g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                             "webrtcbin gave no statistics");

  gst_promise_unref (promise);
}

/* GObject */

static void
mc_peer_pipeline_dispose (GObject *object)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (object);

  mc_peer_pipeline_stop (self);
  g_clear_object (&self->media);

  G_OBJECT_CLASS (mc_peer_pipeline_parent_class)->dispose (object);
}

static void
mc_peer_pipeline_finalize (GObject *object)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->overrides, g_hash_table_unref);
  g_clear_pointer (&self->latency_samples, g_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mc_peer_pipeline_parent_class)->finalize (object);
}

static void
mc_peer_pipeline_class_init (McPeerPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_peer_pipeline_dispose;
  object_class->finalize = mc_peer_pipeline_finalize;

  /**
   * McPeerPipeline::ice-candidate:
   * @self: the peer
   * @mline_index: the media line the candidate belongs to
   * @candidate: the candidate line, without "a="
   *
   * A local ICE candidate to send to the peer.
   */
  signals[SIGNAL_ICE_CANDIDATE] =
    g_signal_new ("ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * McPeerPipeline::ice-state-changed:
   * @self: the peer
   * @state: the #GstWebRTCICEConnectionState
   */
  signals[SIGNAL_ICE_STATE_CHANGED] =
    g_signal_new ("ice-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * McPeerPipeline::first-frame:
   * @self: the peer
   * @monotonic_time: when the first remote frame was decoded
   */
  signals[SIGNAL_FIRST_FRAME] =
    g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * McPeerPipeline::error:
   * @self: the peer
   * @error: what failed
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
mc_peer_pipeline_init (McPeerPipeline *self)
{
  g_mutex_init (&self->lock);
  self->latency_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->context = g_main_context_ref_thread_default ();
}

/* Public API */

/* On a worker thread. */
static void
warm_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  /* The elements webrtcbin puts on each transport: making them is the
   * point. A missing plugin is reported by webrtcbin itself. */
  static const char *const factories[] = { "dtlssrtpdec", "dtlssrtpenc" };

  for (guint i = 0; i < G_N_ELEMENTS (factories); i++)
    {
      GstElement *element = gst_element_factory_make (factories[i], NULL);

      if (element != NULL)
        gst_object_unref (gst_object_ref_sink (element));
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * mc_peer_pipeline_warm_up_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Does, off the main thread, the one-time work that the first connection of
 * the process would otherwise do in the middle of joining:
 *
 *  - GStreamer's DTLS elements share one self-signed certificate per
 *    process, and the first `dtlsdec` made generates it (an RSA 2048 key in
 *    GStreamer 1.22: 0.2–0.9 s on an idle machine, seconds on a busy one,
 *    and random, since it is a search for primes);
 *  - the first `srtpenc` initialises libsrtp, which runs its crypto self
 *    tests (20–35 ms).
 *
 * webrtcbin makes these inside create-offer (initiator) or
 * set-remote-description (answerer), so on the answerer that cost landed
 * right between "the peer is there" and the answer. Later elements reuse
 * both; only the first call of a process does the work.
 */
void
mc_peer_pipeline_warm_up_async (GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  static gint started;
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mc_peer_pipeline_warm_up_async);

  /* Once per process is the point; and making DTLS elements on a worker
   * while other calls of the process set theirs up raced inside GStreamer
   * under AddressSanitizer's timing. Later calls find the work done, or
   * under way on the first call's worker, which they need not wait for. */
  if (!g_atomic_int_compare_and_exchange (&started, 0, 1))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_run_in_thread (task, warm_up_thread);
}

gboolean
mc_peer_pipeline_warm_up_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_peer_pipeline_new:
 * @config: how to build it
 * @error: return location for an error
 *
 * Builds a peer connection and starts it: it is ready to create an offer or
 * to take the peer's offer. Encoded media flows into it once the caller
 * points the media pipeline's outputs at it (see
 * mc_media_pipeline_set_outputs()); this constructor does that.
 *
 * Returns: (transfer full) (nullable): the peer, or %NULL with @error set
 */
McPeerPipeline *
mc_peer_pipeline_new (const McPeerConfig  *config,
                      GError             **error)
{
  g_autoptr(McPeerPipeline) self = NULL;
  g_autoptr(GstClock) clock = NULL;
  g_autoptr(GstBus) bus = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (config->media), NULL);

  self = g_object_new (MC_TYPE_PEER_PIPELINE, NULL);
  self->media = g_object_ref (config->media);
  self->generation = config->generation;
  self->media_blocked = config->media_blocked;
  if (config->overrides != NULL)
    self->overrides = g_hash_table_ref (config->overrides);

  self->pipeline = gst_pipeline_new ("peer");
  g_signal_connect_object (self->pipeline, "deep-element-added",
                           G_CALLBACK (deep_element_added_cb), self, 0);

  self->webrtc = make (self, "webrtcbin", "webrtc", error);
  if (self->webrtc == NULL)
    return NULL;

  gst_util_set_object_arg (G_OBJECT (self->webrtc), "bundle-policy", "max-bundle");
  g_object_set (self->webrtc, "latency", config->latency_ms, NULL);
  configure_ice (self, config);

  if (!build_sender (self, MC_MEDIA_KIND_VIDEO, error) ||
      !build_sender (self, MC_MEDIA_KIND_AUDIO, error) ||
      !build_receiver (self, MC_MEDIA_KIND_VIDEO, error) ||
      !build_receiver (self, MC_MEDIA_KIND_AUDIO, error))
    return NULL;

  g_signal_connect_object (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate_cb),
                           self, 0);
  g_signal_connect_object (self->webrtc, "notify::ice-connection-state",
                           G_CALLBACK (ice_connection_state_cb), self, 0);
  g_signal_connect_object (self->webrtc, "notify::connection-state",
                           G_CALLBACK (connection_state_cb), self, 0);
  g_signal_connect_object (self->webrtc, "pad-added", G_CALLBACK (pad_added_cb), self, 0);

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);

  /* One clock and one base time with the media pipeline: the buffers handed
   * over keep their running times. */
  clock = mc_media_pipeline_get_clock (self->media);
  if (clock != NULL)
    {
      gst_pipeline_use_clock (GST_PIPELINE (self->pipeline), clock);
      gst_element_set_base_time (self->pipeline, mc_media_pipeline_get_base_time (self->media));
      gst_element_set_start_time (self->pipeline, GST_CLOCK_TIME_NONE);
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                   "The connection pipeline (webrtcbin) refused to start; run with "
                   "GST_DEBUG=webrtcbin:5 for details");
      return NULL;
    }

  mc_media_pipeline_set_outputs (self->media, self->video_src, self->audio_src);

  return g_steal_pointer (&self);
}

/**
 * mc_peer_pipeline_get_generation:
 * @self: a peer
 *
 * Returns: the negotiation generation this peer belongs to
 */
gint64
mc_peer_pipeline_get_generation (McPeerPipeline *self)
{
  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  return self->generation;
}

/**
 * mc_peer_pipeline_set_generation:
 * @self: a peer made with generation 0, before its remote description
 * @generation: the generation of the offer it is about to take
 *
 * A connection the answerer prepared before the offer came adopts the
 * offer's generation.
 */
void
mc_peer_pipeline_set_generation (McPeerPipeline *self,
                                 gint64          generation)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  self->generation = generation;
}

/**
 * mc_peer_pipeline_stop:
 * @self: a peer
 *
 * Detaches from the media pipeline and tears the connection down. No signal
 * is emitted after this. Safe to call more than once.
 */
void
mc_peer_pipeline_stop (McPeerPipeline *self)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  if (self->stopped)
    return;
  self->stopped = TRUE;

  /* Only stop feeding if we are still the media pipeline's output: a newer
   * peer may already have taken over. */
  if (self->media != NULL && self->video_src != NULL)
    mc_media_pipeline_clear_outputs (self->media, self->video_src);

  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_handle_id (&self->bus_watch, g_source_remove);
      g_clear_object (&self->pipeline);
    }
}

static void
start_description (McPeerPipeline      *self,
                   const char          *signal_name,
                   const char          *field,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mc_peer_pipeline_create_finish);
  g_task_set_task_data (task, (gpointer) field, NULL);

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The peer is gone");
      g_object_unref (task);
      return;
    }

  g_signal_emit_by_name (self->webrtc, signal_name, NULL,
                         gst_promise_new_with_change_func (description_created_cb, task, NULL));
}

/**
 * mc_peer_pipeline_create_offer_async:
 * @self: a peer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the offer
 * @user_data: data for @callback
 *
 * Creates an offer and makes it the local description; ICE gathering starts.
 */
void
mc_peer_pipeline_create_offer_async (McPeerPipeline      *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  start_description (self, "create-offer", "offer", cancellable, callback, user_data);
}

/**
 * mc_peer_pipeline_create_answer_async:
 * @self: a peer whose remote description is an offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Creates an answer and makes it the local description.
 */
void
mc_peer_pipeline_create_answer_async (McPeerPipeline      *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  start_description (self, "create-answer", "answer", cancellable, callback, user_data);
}

/**
 * mc_peer_pipeline_create_finish:
 * @self: a peer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the SDP text of the offer or answer
 */
char *
mc_peer_pipeline_create_finish (McPeerPipeline  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * mc_peer_pipeline_set_remote_async:
 * @self: a peer
 * @type: %GST_WEBRTC_SDP_TYPE_OFFER or %GST_WEBRTC_SDP_TYPE_ANSWER
 * @sdp: the peer's SDP text
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it has been applied
 * @user_data: data for @callback
 */
void
mc_peer_pipeline_set_remote_async (McPeerPipeline      *self,
                                   GstWebRTCSDPType     type,
                                   const char          *sdp,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  GstSDPMessage *message = NULL;
  GstWebRTCSessionDescription *description;

  g_return_if_fail (MC_IS_PEER_PIPELINE (self));
  g_return_if_fail (sdp != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_peer_pipeline_set_remote_async);

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The peer is gone");
      g_object_unref (task);
      return;
    }

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK || message == NULL)
    {
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NEGOTIATION,
                               "The peer sent an SDP that cannot be parsed");
      g_object_unref (task);
      return;
    }

  description = gst_webrtc_session_description_new (type, message);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", description,
                         gst_promise_new_with_change_func (remote_set_cb, task, NULL));
  gst_webrtc_session_description_free (description);
}

/**
 * mc_peer_pipeline_set_remote_finish:
 * @self: a peer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if the peer's description was applied
 */
gboolean
mc_peer_pipeline_set_remote_finish (McPeerPipeline  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_peer_pipeline_add_ice_candidate:
 * @self: a peer with a remote description
 * @mline_index: the media line
 * @candidate: the candidate line; empty for the end of candidates
 */
void
mc_peer_pipeline_add_ice_candidate (McPeerPipeline *self,
                                    guint           mline_index,
                                    const char     *candidate)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  if (self->stopped || candidate == NULL || *candidate == '\0')
    return;

  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline_index, candidate);
}

/**
 * mc_peer_pipeline_get_stats_async:
 * @self: a peer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with webrtcbin's statistics
 * @user_data: data for @callback
 */
void
mc_peer_pipeline_get_stats_async (McPeerPipeline      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_peer_pipeline_get_stats_async);

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The peer is gone");
      g_object_unref (task);
      return;
    }

  g_signal_emit_by_name (self->webrtc, "get-stats", NULL,
                         gst_promise_new_with_change_func (stats_cb, task, NULL));
}

/**
 * mc_peer_pipeline_get_stats_finish:
 * @self: a peer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): webrtcbin's statistics structure
 */
GstStructure *
mc_peer_pipeline_get_stats_finish (McPeerPipeline  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * mc_peer_pipeline_set_media_blocked:
 * @self: a peer
 * @blocked: whether to drop all RTP and RTCP in both directions
 *
 * The fault hook for tests. Thread-safe.
 */
void
mc_peer_pipeline_set_media_blocked (McPeerPipeline *self,
                                    gboolean        blocked)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  g_atomic_int_set (&self->media_blocked, blocked);
}

/**
 * mc_peer_pipeline_get_last_media_time:
 * @self: a peer
 *
 * Returns: the monotonic time of the last RTP or RTCP packet received, or 0
 */
gint64
mc_peer_pipeline_get_last_media_time (McPeerPipeline *self)
{
  gint64 time;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  g_mutex_lock (&self->lock);
  time = self->last_media_time;
  g_mutex_unlock (&self->lock);

  return time;
}

/**
 * mc_peer_pipeline_get_dtls_connected:
 * @self: a peer
 *
 * Returns: whether DTLS is through, so that media sent now can be decrypted
 *   by the peer. Thread-safe.
 */
gboolean
mc_peer_pipeline_get_dtls_connected (McPeerPipeline *self)
{
  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), FALSE);

  return g_atomic_int_get (&self->dtls_connected);
}

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
