/* mc-media-pipeline.c — the long-lived capture, encode and playback pipeline
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This pipeline lives for the whole call, from the preview before joining to
 * hanging up. It captures and encodes (so that joining costs no encoder
 * start-up and the first key frame is one force-key-unit away), and it plays
 * what the peer sends (so that the app's video sink, the audio device and the
 * echo canceller's probe survive reconnections):
 *
 *   [video source bin] ! videoconvert ! videoscale ! videorate ! I420 WxH@fps
 *       (probe: camera-off blackout, capture stamp) ! [tee ! preview]
 *       ! queue leaky ! vp8enc ! appsink          → current McPeerPipeline
 *   [audio source bin] ! audioconvert ! audioresample ! S16 48 kHz mono
 *       ! [webrtcdsp] ! volume ! opusenc ! appsink → current McPeerPipeline
 *   appsrc (remote video) ! videoconvert ! video sink
 *   appsrc (remote audio) ! audioconvert ! audioresample ! [webrtcechoprobe] ! audio sink
 *
 * The audio sink is the chosen speaker (an Audio/Sink device of the device
 * monitor), else autoaudiosink, or a fake sink without sound.
 *
 * The peer pipeline (webrtcbin and the decoders) is thrown away and rebuilt
 * on every renegotiation; it shares this pipeline's clock and base time, so
 * the timestamps of the encoded buffers mean the same running time on both
 * sides of the appsink → appsrc hop.
 *
 * Sources are bins of their own so that a camera or microphone that
 * disappears can be swapped for another one, or for a black picture or
 * silence, while the rest keeps running. Screen sharing uses the same swap:
 * the video source bin becomes ximagesrc, scaled (with borders) to the size
 * and rate the encoder already has, so nothing downstream renegotiates and
 * the peer sees the new picture on the next frame.
 *
 * Threads: the appsink callbacks and the pad probes run on streaming threads
 * and touch only the lock-protected outputs and atomics; the bus watch and
 * the device monitor run on the main context.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <gst/app/app.h>
#include <gst/video/video.h>
#include <glib/gi18n-lib.h>

#include "mc-call-error.h"
#include "mc-frame-stamp.h"
#include "mc-media-devices.h"
#include "mc-media-pipeline.h"

#define START_TIMEOUT_SECONDS 10
#define MIN_KEY_UNIT_INTERVAL_US (100 * 1000)
/* A requested key frame that has not come out of the encoder after this long
 * is taken as lost (an event dropped while a source was swapped, say). */
#define KEY_UNIT_PENDING_US (500 * 1000)

struct _McMediaPipeline
{
  GObject           parent_instance;

  /* Configuration, fixed at construction. */
  gboolean          test_sources;
  char             *wanted_device[2];
  guint             width;
  guint             height;
  guint             framerate;
  guint             video_bitrate;
  gboolean          stamp_frames;
  gboolean          fake_audio_output;
  char             *audio_output_device;
  gboolean          echo_cancel_wanted;
  GstElement       *video_sink;
  GstElement       *preview_sink;
  GHashTable       *overrides;

  /* Main context only. */
  GstElement       *pipeline;
  guint             bus_watch;
  GstElement       *source_bin[2];
  GstElement       *source_entry[2];
  GstDevice        *device[2];
  char             *device_id[2];
  GstDeviceMonitor *monitor;
  guint             monitor_watch;
  gboolean          echo_cancel;
  char             *probe_name;
  GstElement       *volume;
  GstElement       *remote_src[2];
  gboolean          screen_share;
  GTask            *start_task;
  guint             start_timeout;
  GCancellable     *start_cancellable;
  gulong            cancelled_id;

  /* Shared with streaming threads. */
  GMutex            lock;
  GstAppSrc        *output[2];
  GstPad           *encoder_src_pad;
  gint64            last_key_unit;
  gboolean          key_unit_pending;   /* requested, not yet out of the encoder */
  gint              camera_off;
  gint              sharing_screen;     /* the probe's copy of screen_share */
  gint              first_video_sample;
};

enum
{
  SIGNAL_DEVICE_CHANGED,
  SIGNAL_SCREEN_SHARE_STOPPED,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (McMediaKind, mc_media_kind,
                    G_DEFINE_ENUM_VALUE (MC_MEDIA_KIND_AUDIO, "audio"),
                    G_DEFINE_ENUM_VALUE (MC_MEDIA_KIND_VIDEO, "video"))

G_DEFINE_FINAL_TYPE (McMediaPipeline, mc_media_pipeline, G_TYPE_OBJECT)

static const char *const device_classes[2] = { "Audio/Source", "Video/Source" };
static const char *const kind_names[2] = { "audio", "video" };

/* Helpers */

static GstElement *
make (McMediaPipeline  *self,
      const char       *factory,
      const char       *name,
      GError          **error)
{
  return mc_call_make_element_full (self->overrides, factory, name, error);
}

static GstDevice *
find_device (McMediaPipeline *self,
             McMediaKind      kind,
             const char      *identity,
             GstDevice       *except)
{
  g_autolist(GstDevice) devices = NULL;

  if (self->monitor == NULL)
    return NULL;

  devices = gst_device_monitor_get_devices (self->monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      GstDevice *device = l->data;
      g_autofree char *id = NULL;

      if (device == except || !gst_device_has_classes (device, device_classes[kind]))
        continue;

      id = mc_media_device_get_identity (device);
      if (except != NULL)
        {
          g_autofree char *except_id = mc_media_device_get_identity (except);

          if (g_strcmp0 (id, except_id) == 0)
            continue;
        }

      if (identity == NULL || g_strcmp0 (id, identity) == 0)
        return gst_object_ref (device);
    }

  return NULL;
}

static GstPadProbeReturn
drop_eos_cb (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  /* A source that dies sends EOS; the encoder and the appsink must never see
   * it, or they would stop for good. The source is swapped instead. */
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    return GST_PAD_PROBE_DROP;

  return GST_PAD_PROBE_OK;
}

static GstElement *
wrap_in_bin (const char  *name,
             GstElement  *first,
             ...)
{
  GstElement *bin = gst_bin_new (name);
  GstElement *previous = NULL;
  GstElement *element;
  g_autoptr(GstPad) pad = NULL;
  GstPad *ghost;
  va_list args;

  va_start (args, first);
  for (element = first; element != NULL; element = va_arg (args, GstElement *))
    {
      gst_bin_add (GST_BIN (bin), element);
      if (previous != NULL)
        gst_element_link (previous, element);
      previous = element;
    }
  va_end (args);

  pad = gst_element_get_static_pad (previous, "src");
  ghost = gst_ghost_pad_new ("src", pad);
  gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, drop_eos_cb, NULL, NULL);
  gst_element_add_pad (bin, ghost);

  return bin;
}

/* The test pattern: moving, with the running time drawn on it, so that a
 * frozen picture is obvious. @off gives a black picture instead (the camera
 * went away and no other one is there). */
static GstElement *
make_test_video_bin (McMediaPipeline  *self,
                     gboolean          off,
                     GError          **error)
{
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) filter = NULL;
  g_autoptr(GstElement) overlay = NULL;
  g_autoptr(GstCaps) caps = NULL;

  source = make (self, "videotestsrc", NULL, error);
  if (source == NULL)
    return NULL;
  filter = make (self, "capsfilter", NULL, error);
  if (filter == NULL)
    return NULL;

  g_object_set (source, "is-live", TRUE, NULL);
  if (off)
    gst_util_set_object_arg (G_OBJECT (source), "pattern", "black");
  else
    g_object_set (source, "horizontal-speed", 4, NULL);

  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, (int) self->width,
                              "height", G_TYPE_INT, (int) self->height,
                              "framerate", GST_TYPE_FRACTION, (int) self->framerate, 1,
                              NULL);
  g_object_set (filter, "caps", caps, NULL);

  if (off)
    return wrap_in_bin ("video-source", g_steal_pointer (&source), g_steal_pointer (&filter), NULL);

  overlay = make (self, "timeoverlay", NULL, error);
  if (overlay == NULL)
    return NULL;
  g_object_set (overlay, "font-desc", "Sans 28", "shaded-background", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (overlay), "valignment", "bottom");
  gst_util_set_object_arg (G_OBJECT (overlay), "halignment", "right");

  return wrap_in_bin ("video-source", g_steal_pointer (&source), g_steal_pointer (&filter),
                      g_steal_pointer (&overlay), NULL);
}

static GstElement *
make_test_audio_bin (McMediaPipeline  *self,
                     gboolean          off,
                     GError          **error)
{
  g_autoptr(GstElement) source = make (self, "audiotestsrc", NULL, error);

  if (source == NULL)
    return NULL;

  /* 10 ms buffers: the capture side adds no more latency than Opus frames. */
  g_object_set (source, "is-live", TRUE, "samplesperbuffer", 480, "volume", 0.2, "freq", 440.0,
                NULL);
  if (off)
    gst_util_set_object_arg (G_OBJECT (source), "wave", "silence");

  return wrap_in_bin ("audio-source", g_steal_pointer (&source), NULL);
}

static GstElement *
make_device_bin (McMediaPipeline  *self,
                 McMediaKind       kind,
                 GstDevice        *device,
                 GError          **error)
{
  GstElement *source = gst_device_create_element (device, NULL);
  g_autofree char *display_name = gst_device_get_display_name (device);

  if (source == NULL)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                   /* Translators: %s is a device's name */
                   kind == MC_MEDIA_KIND_VIDEO ? _("The camera “%s” cannot be opened")
                                               : _("The microphone “%s” cannot be opened"),
                   display_name);
      return NULL;
    }

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (source), "do-timestamp") != NULL)
    g_object_set (source, "do-timestamp", TRUE, NULL);

  return wrap_in_bin (kind == MC_MEDIA_KIND_VIDEO ? "video-source" : "audio-source", source, NULL);
}

/* The X11 screen, scaled to the size and rate of the camera picture so that
 * the encoder and the peer see the same caps as before. Scaling comes
 * before the conversion to I420 in the main chain, so that only the small
 * picture is converted. The borders keep the screen's shape; the rate is
 * asked of ximagesrc itself, which then grabs no more often than is sent. */
static GstElement *
make_screen_bin (McMediaPipeline  *self,
                 GError          **error)
{
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) rate_filter = NULL;
  g_autoptr(GstElement) scale = NULL;
  g_autoptr(GstElement) size_filter = NULL;
  g_autoptr(GstCaps) rate_caps = NULL;
  g_autoptr(GstCaps) size_caps = NULL;

  source = make (self, "ximagesrc", NULL, error);
  if (source == NULL)
    return NULL;
  rate_filter = make (self, "capsfilter", NULL, error);
  if (rate_filter == NULL)
    return NULL;
  scale = make (self, "videoscale", NULL, error);
  if (scale == NULL)
    return NULL;
  size_filter = make (self, "capsfilter", NULL, error);
  if (size_filter == NULL)
    return NULL;

  /* XDamage would copy only what changed, but the whole screen is scaled
   * anyway, and with a compositing window manager damage is reported
   * unreliably: full grabs are the predictable choice. */
  g_object_set (source, "use-damage", FALSE, "show-pointer", TRUE, NULL);

  rate_caps = gst_caps_new_simple ("video/x-raw",
                                   "framerate", GST_TYPE_FRACTION, (int) self->framerate, 1,
                                   NULL);
  g_object_set (rate_filter, "caps", rate_caps, NULL);
  g_object_set (scale, "add-borders", TRUE, NULL);
  size_caps = gst_caps_new_simple ("video/x-raw",
                                   "width", G_TYPE_INT, (int) self->width,
                                   "height", G_TYPE_INT, (int) self->height,
                                   "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                   NULL);
  g_object_set (size_filter, "caps", size_caps, NULL);

  return wrap_in_bin ("screen-source", g_steal_pointer (&source), g_steal_pointer (&rate_filter),
                      g_steal_pointer (&scale), g_steal_pointer (&size_filter), NULL);
}

/* The chosen speaker, else the default output. Either way it is a bin that
 * handles its state changes asynchronously, like autoaudiosink: it may not
 * preroll before the peer's first audio, and the pipeline must not wait for
 * it. */
static GstElement *
make_audio_output (McMediaPipeline  *self,
                   GError          **error)
{
  const char *wanted = self->audio_output_device;
  g_autoptr(GstPad) pad = NULL;
  GstElement *sink;

  if (wanted != NULL && *wanted != '\0')
    {
      /* The capture monitor watches sources only (and does not run with
       * test sources), so a device list of its own looks for the speaker. */
      g_autoptr(McMediaDevices) devices = mc_media_devices_new ();
      g_autoptr(GstDevice) device = mc_media_devices_find (devices, MC_DEVICE_ROLE_SPEAKER, wanted);
      g_autofree char *display_name = device != NULL ? gst_device_get_display_name (device)
                                                     : NULL;

      sink = device != NULL ? gst_device_create_element (device, NULL) : NULL;
      if (sink != NULL)
        gst_object_ref_sink (sink);
      pad = sink != NULL ? gst_element_get_static_pad (sink, "sink") : NULL;
      if (pad != NULL)
        {
          GstElement *bin = gst_bin_new ("remote-audio-sink");

          gst_bin_add (GST_BIN (bin), g_steal_pointer (&sink));
          gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
          g_object_set (bin, "async-handling", TRUE, NULL);
          g_message ("Playing to the speaker “%s”", display_name);
          return bin;
        }

      g_clear_object (&sink);
      if (device != NULL)
        g_message ("The speaker “%s” cannot be opened: playing to the default output",
                   display_name);
      else
        g_message ("The speaker “%s” is not there: playing to the default output", wanted);
    }

  sink = make (self, "autoaudiosink", "remote-audio-sink", error);
  if (sink != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (sink),
                                                    "async-handling") != NULL)
    g_object_set (sink, "async-handling", TRUE, NULL);

  return sink;
}

static void
forward_sample (McMediaPipeline *self,
                McMediaKind      kind,
                GstSample       *sample)
{
  g_autoptr(GstAppSrc) output = NULL;

  g_mutex_lock (&self->lock);
  g_set_object (&output, self->output[kind]);
  g_mutex_unlock (&self->lock);

  if (output != NULL)
    gst_app_src_push_sample (output, sample);
}

/* Ends the start task's timeout and cancellation watch; returns the task. */
static GTask *
finish_start (McMediaPipeline *self,
              GTask           *task)
{
  g_clear_handle_id (&self->start_timeout, g_source_remove);
  if (self->cancelled_id != 0)
    {
      g_cancellable_disconnect (self->start_cancellable, self->cancelled_id);
      self->cancelled_id = 0;
    }
  g_clear_object (&self->start_cancellable);

  return task;
}

static gboolean
start_done_cb (gpointer user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr(GTask) task = finish_start (self, g_steal_pointer (&self->start_task));

  if (task != NULL)
    g_task_return_boolean (task, TRUE);

  return G_SOURCE_REMOVE;
}

static GstFlowReturn
video_sample_cb (GstAppSink *sink,
                 gpointer    user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  if (!GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (sample), GST_BUFFER_FLAG_DELTA_UNIT))
    {
      g_mutex_lock (&self->lock);
      self->key_unit_pending = FALSE;
      g_mutex_unlock (&self->lock);
    }

  forward_sample (self, MC_MEDIA_KIND_VIDEO, sample);

  if (g_atomic_int_compare_and_exchange (&self->first_video_sample, FALSE, TRUE))
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, start_done_cb, g_object_ref (self),
                                g_object_unref);

  return GST_FLOW_OK;
}

static GstFlowReturn
audio_sample_cb (GstAppSink *sink,
                 gpointer    user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_EOS;

  forward_sample (self, MC_MEDIA_KIND_AUDIO, sample);

  return GST_FLOW_OK;
}

/* Runs on the capture thread for every raw frame, before the encoder. */
static GstPadProbeReturn
raw_video_cb (GstPad          *pad,
              GstPadProbeInfo *info,
              gpointer         user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  gboolean camera_off = g_atomic_int_get (&self->camera_off);
  GstBuffer *buffer;
  GstVideoInfo video_info;
  GstVideoFrame frame;
  g_autoptr(GstCaps) caps = NULL;

  /* A shared screen is sent even with the camera off: sharing is asking
   * for it to be seen. */
  if (g_atomic_int_get (&self->sharing_screen))
    camera_off = FALSE;

  if (!camera_off && !self->stamp_frames)
    return GST_PAD_PROBE_OK;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL || !gst_video_info_from_caps (&video_info, caps))
    return GST_PAD_PROBE_OK;

  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;

  if (!gst_video_frame_map (&frame, &video_info, buffer, GST_MAP_READWRITE))
    return GST_PAD_PROBE_OK;

  /* Camera off sends black frames rather than nothing: the peer's picture
   * goes black at once instead of freezing, and RTP keeps flowing, so the
   * dead-path detection is not fooled. Black compresses to almost nothing. */
  if (camera_off)
    {
      for (guint plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++)
        {
          guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, plane);
          int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);
          guint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, plane);

          memset (data, plane == 0 ? 16 : 128, (gsize) stride * rows);
        }
    }

  if (self->stamp_frames)
    mc_frame_stamp_write (&frame, g_get_monotonic_time ());

  gst_video_frame_unmap (&frame);

  return GST_PAD_PROBE_OK;
}

static GstElement *
make_appsink (McMediaPipeline  *self,
              const char       *name,
              GstFlowReturn   (*new_sample) (GstAppSink *, gpointer),
              GError          **error)
{
  GstElement *sink = make (self, "appsink", name, error);
  GstAppSinkCallbacks callbacks = { NULL, };

  if (sink == NULL)
    return NULL;

  callbacks.new_sample = new_sample;
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE,
                "max-buffers", 4, "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  return sink;
}

static GstElement *
make_remote_appsrc (McMediaPipeline  *self,
                    const char       *name,
                    GError          **error)
{
  GstElement *source = make (self, "appsrc", name, error);

  if (source == NULL)
    return NULL;

  /* The peer pipeline has already waited for each buffer's presentation
   * time; here it is only handed to the sink, stamped with "now". */
  g_object_set (source, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                "max-buffers", (guint64) 3, "block", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (source), "leaky-type", "downstream");

  return source;
}

static gboolean
link_many (GError    **error,
           GstElement *first,
           ...)
{
  GstElement *previous = first;
  GstElement *element;
  va_list args;
  gboolean ok = TRUE;

  va_start (args, first);
  while (ok && (element = va_arg (args, GstElement *)) != NULL)
    {
      if (!gst_element_link (previous, element))
        {
          g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                       "Cannot link %s to %s", GST_OBJECT_NAME (previous),
                       GST_OBJECT_NAME (element));
          ok = FALSE;
        }
      previous = element;
    }
  va_end (args);

  return ok;
}

#define MAKE_OR_FAIL(var, factory, name)                  \
  G_STMT_START                                            \
  {                                                       \
    var = make (self, factory, name, error);              \
    if (var == NULL)                                      \
      return FALSE;                                       \
    gst_bin_add (GST_BIN (self->pipeline), var);          \
  }                                                       \
  G_STMT_END

static guint
default_bitrate (McMediaPipeline *self)
{
  /* About 1.5 Mbit/s at 720p30 — plenty on a LAN, sensible on Wi-Fi. */
  guint64 pixels_per_second = (guint64) self->width * self->height * self->framerate;

  return (guint) CLAMP (pixels_per_second * 15 / 276, 150000, 4000000);
}

static gboolean
build_video (McMediaPipeline  *self,
             GError          **error)
{
  GstElement *convert, *scale, *rate, *filter, *queue, *encoder, *sink;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstPad) pad = NULL;

  MAKE_OR_FAIL (convert, "videoconvert", "video-convert");
  MAKE_OR_FAIL (scale, "videoscale", "video-scale");
  MAKE_OR_FAIL (rate, "videorate", "video-rate");
  MAKE_OR_FAIL (filter, "capsfilter", "video-caps");
  MAKE_OR_FAIL (queue, "queue", "video-encode-queue");
  MAKE_OR_FAIL (encoder, "vp8enc", "video-encoder");
  sink = make_appsink (self, "video-out", video_sample_cb, error);
  if (sink == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (self->pipeline), sink);

  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, (int) self->width,
                              "height", G_TYPE_INT, (int) self->height,
                              "framerate", GST_TYPE_FRACTION, (int) self->framerate, 1,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (rate, "drop-only", TRUE, NULL);

  /* Never queue frames in front of a slow encoder: drop the oldest. */
  g_object_set (queue, "max-size-buffers", 1, "max-size-bytes", 0, "max-size-time",
                (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");

  /* Real-time VP8: no look-ahead, constant bitrate with a small buffer,
   * error-resilient so that a lost packet does not break later frames, and
   * key frames only on request (a new peer, a PLI from the receiver). */
  g_object_set (encoder,
                "deadline", (gint64) 1,
                "cpu-used", 8,
                "lag-in-frames", 0,
                "target-bitrate", (int) (self->video_bitrate != 0 ? self->video_bitrate
                                                                  : default_bitrate (self)),
                "keyframe-max-dist", 3000,
                "buffer-initial-size", 100,
                "buffer-optimal-size", 120,
                "buffer-size", 200,
                "min-quantizer", 4,
                "max-quantizer", 56,
                "threads", CLAMP ((int) g_get_num_processors (), 1, 4),
                NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
  gst_util_set_object_arg (G_OBJECT (encoder), "error-resilient", "default");
  gst_util_set_object_arg (G_OBJECT (encoder), "keyframe-mode", "disabled");

  self->source_entry[MC_MEDIA_KIND_VIDEO] = convert;
  self->encoder_src_pad = gst_element_get_static_pad (encoder, "src");

  pad = gst_element_get_static_pad (filter, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, raw_video_cb, self, NULL);

  if (!link_many (error, convert, scale, rate, filter, NULL))
    return FALSE;

  if (self->preview_sink != NULL)
    {
      GstElement *tee, *preview_queue, *preview_convert;

      MAKE_OR_FAIL (tee, "tee", "video-tee");
      MAKE_OR_FAIL (preview_queue, "queue", "preview-queue");
      MAKE_OR_FAIL (preview_convert, "videoconvert", "preview-convert");
      gst_util_set_object_arg (G_OBJECT (preview_queue), "leaky", "downstream");
      g_object_set (preview_queue, "max-size-buffers", 2, NULL);
      /* Not floating (we keep a reference): the bin takes one of its own. */
      gst_bin_add (GST_BIN (self->pipeline), self->preview_sink);

      if (!link_many (error, filter, tee, queue, NULL) ||
          !link_many (error, tee, preview_queue, preview_convert, self->preview_sink, NULL))
        return FALSE;
    }
  else if (!link_many (error, filter, queue, NULL))
    {
      return FALSE;
    }

  return link_many (error, queue, encoder, sink, NULL);
}

static gboolean
build_audio (McMediaPipeline  *self,
             GError          **error)
{
  GstElement *convert, *resample, *filter, *volume, *encoder, *sink;
  GstElement *dsp = NULL;
  g_autoptr(GstCaps) caps = NULL;

  MAKE_OR_FAIL (convert, "audioconvert", "audio-convert");
  MAKE_OR_FAIL (resample, "audioresample", "audio-resample");
  MAKE_OR_FAIL (filter, "capsfilter", "audio-caps");
  MAKE_OR_FAIL (volume, "volume", "audio-volume");
  MAKE_OR_FAIL (encoder, "opusenc", "audio-encoder");
  sink = make_appsink (self, "audio-out", audio_sample_cb, error);
  if (sink == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (self->pipeline), sink);

  caps = gst_caps_new_simple ("audio/x-raw",
                              "format", G_TYPE_STRING, "S16LE",
                              "rate", G_TYPE_INT, 48000,
                              "channels", G_TYPE_INT, 1,
                              "layout", G_TYPE_STRING, "interleaved",
                              NULL);
  g_object_set (filter, "caps", caps, NULL);

  /* Voice at 20 ms frames with in-band FEC; DTX stays off so that RTP
   * keeps flowing while muted, which the dead-path detection relies on. */
  g_object_set (encoder, "bitrate", 32000, "inband-fec", TRUE, "packet-loss-percentage", 5,
                "dtx", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
  gst_util_set_object_arg (G_OBJECT (encoder), "frame-size", "20");

  self->volume = volume;
  self->source_entry[MC_MEDIA_KIND_AUDIO] = convert;

  if (self->echo_cancel)
    {
      MAKE_OR_FAIL (dsp, "webrtcdsp", "audio-dsp");
      g_object_set (dsp, "probe", self->probe_name, "echo-cancel", TRUE, "noise-suppression", TRUE,
                    NULL);
      return link_many (error, convert, resample, filter, dsp, volume, encoder, sink, NULL);
    }

  return link_many (error, convert, resample, filter, volume, encoder, sink, NULL);
}

static gboolean
build_playback (McMediaPipeline  *self,
                GError          **error)
{
  GstElement *video_src, *video_convert, *video_sink;
  GstElement *audio_src, *audio_convert, *audio_resample, *audio_sink;
  GstElement *probe = NULL;

  video_src = make_remote_appsrc (self, "remote-video", error);
  if (video_src == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (self->pipeline), video_src);
  MAKE_OR_FAIL (video_convert, "videoconvert", "remote-video-convert");

  if (self->video_sink != NULL)
    {
      /* Not floating (we keep a reference): the bin takes one of its own. */
      video_sink = self->video_sink;
      gst_bin_add (GST_BIN (self->pipeline), video_sink);
    }
  else
    {
      /* Headless: the peer pipeline counts decoded frames already. */
      MAKE_OR_FAIL (video_sink, "fakesink", "remote-video-sink");
      g_object_set (video_sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
    }

  audio_src = make_remote_appsrc (self, "remote-audio", error);
  if (audio_src == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (self->pipeline), audio_src);
  MAKE_OR_FAIL (audio_convert, "audioconvert", "remote-audio-convert");
  MAKE_OR_FAIL (audio_resample, "audioresample", "remote-audio-resample");

  if (self->fake_audio_output)
    {
      MAKE_OR_FAIL (audio_sink, "fakesink", "remote-audio-sink");
      g_object_set (audio_sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
    }
  else
    {
      audio_sink = make_audio_output (self, error);
      if (audio_sink == NULL)
        return FALSE;
      gst_bin_add (GST_BIN (self->pipeline), audio_sink);
    }

  g_mutex_lock (&self->lock);
  self->remote_src[MC_MEDIA_KIND_VIDEO] = gst_object_ref (video_src);
  self->remote_src[MC_MEDIA_KIND_AUDIO] = gst_object_ref (audio_src);
  g_mutex_unlock (&self->lock);

  if (!link_many (error, video_src, video_convert, video_sink, NULL))
    return FALSE;

  if (self->echo_cancel)
    {
      /* The probe must exist before webrtcdsp starts: it registers itself
       * by name when it is made. */
      MAKE_OR_FAIL (probe, "webrtcechoprobe", self->probe_name);
      return link_many (error, audio_src, audio_convert, audio_resample, probe, audio_sink, NULL);
    }

  return link_many (error, audio_src, audio_convert, audio_resample, audio_sink, NULL);
}

#undef MAKE_OR_FAIL

static gboolean
is_inside (GstObject  *object,
           GstElement *bin)
{
  for (GstObject *o = object; o != NULL; o = GST_OBJECT_PARENT (o))
    {
      if (o == GST_OBJECT (bin))
        return TRUE;
    }

  return FALSE;
}

static gboolean
replace_source (McMediaPipeline *self,
                McMediaKind      kind,
                GstElement      *bin)
{
  GstElement *old = self->source_bin[kind];

  if (old != NULL)
    {
      gst_element_set_locked_state (old, TRUE);
      gst_element_set_state (old, GST_STATE_NULL);
      gst_element_unlink (old, self->source_entry[kind]);
      gst_bin_remove (GST_BIN (self->pipeline), old);
    }

  self->source_bin[kind] = bin;
  gst_bin_add (GST_BIN (self->pipeline), bin);
  if (!gst_element_link (bin, self->source_entry[kind]))
    return FALSE;

  if (old != NULL)
    gst_element_sync_state_with_parent (bin);

  return TRUE;
}

/* Picks the source for @kind: the wanted device, else any device of the
 * class, else a test source (or, when @lost is set because the device in use
 * went away, a black picture or silence so that the call goes on without it).
 * Reports the outcome with ::device-changed. */
static GstElement *
choose_source (McMediaPipeline  *self,
               McMediaKind       kind,
               GstDevice        *except,
               gboolean          lost,
               GError          **error)
{
  g_autoptr(GstDevice) device = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  GstElement *bin = NULL;

  if (self->test_sources)
    return kind == MC_MEDIA_KIND_VIDEO ? make_test_video_bin (self, FALSE, error)
                                       : make_test_audio_bin (self, FALSE, error);

  if (self->wanted_device[kind] != NULL)
    device = find_device (self, kind, self->wanted_device[kind], except);
  if (device == NULL)
    device = find_device (self, kind, NULL, except);

  if (device != NULL)
    {
      bin = make_device_bin (self, kind, device, &local_error);
      if (bin != NULL)
        {
          g_autofree char *display_name = gst_device_get_display_name (device);

          g_set_object (&self->device[kind], device);
          g_free (self->device_id[kind]);
          self->device_id[kind] = mc_media_device_get_identity (device);
          message = g_strdup_printf ("Using the %s “%s”",
                                     kind == MC_MEDIA_KIND_VIDEO ? "camera" : "microphone",
                                     display_name);
          g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, kind, self->device_id[kind],
                         message);
          return bin;
        }
      g_message ("%s", local_error->message);
    }

  g_clear_object (&self->device[kind]);
  g_clear_pointer (&self->device_id[kind], g_free);

  if (lost)
    {
      bin = kind == MC_MEDIA_KIND_VIDEO ? make_test_video_bin (self, TRUE, error)
                                        : make_test_audio_bin (self, TRUE, error);
      message = g_strdup_printf ("The %s went away and no other one is there: %s is off",
                                 kind == MC_MEDIA_KIND_VIDEO ? "camera" : "microphone",
                                 kind_names[kind]);
    }
  else
    {
      bin = kind == MC_MEDIA_KIND_VIDEO ? make_test_video_bin (self, FALSE, error)
                                        : make_test_audio_bin (self, FALSE, error);
      message = g_strdup_printf ("No %s found: sending a test %s instead",
                                 kind == MC_MEDIA_KIND_VIDEO ? "camera" : "microphone",
                                 kind == MC_MEDIA_KIND_VIDEO ? "pattern" : "tone");
    }

  if (bin != NULL)
    g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, kind, NULL, message);

  return bin;
}

static void
switch_source (McMediaPipeline *self,
               McMediaKind      kind)
{
  g_autoptr(GstDevice) lost = self->device[kind] != NULL ? gst_object_ref (self->device[kind]) : NULL;
  g_autoptr(GError) error = NULL;
  GstElement *bin;

  bin = choose_source (self, kind, lost, TRUE, &error);
  if (bin == NULL || !replace_source (self, kind, bin))
    {
      if (error == NULL)
        g_set_error (&error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, "Cannot switch the %s source",
                     kind_names[kind]);
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
    }
}

/* Puts the screen in place of the camera. On failure the camera (or test
 * pattern) is back and @error says why. */
static gboolean
start_screen_share (McMediaPipeline  *self,
                    GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  GstElement *bin;

  bin = make_screen_bin (self, error);
  if (bin == NULL)
    return FALSE;

  self->screen_share = TRUE;
  g_atomic_int_set (&self->sharing_screen, TRUE);
  g_clear_object (&self->device[MC_MEDIA_KIND_VIDEO]);
  g_clear_pointer (&self->device_id[MC_MEDIA_KIND_VIDEO], g_free);

  /* ximagesrc opens the display when it starts, so a display that cannot
   * be opened fails here, synchronously; its error message on the bus is
   * then ignored, as the element is gone by the time it is read. */
  if (replace_source (self, MC_MEDIA_KIND_VIDEO, bin) &&
      gst_element_get_state (bin, NULL, NULL, 0) != GST_STATE_CHANGE_FAILURE)
    {
      g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, MC_MEDIA_KIND_VIDEO, NULL,
                     "Sharing the screen");
      mc_media_pipeline_ensure_key_unit (self);
      return TRUE;
    }

  g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
               /* Translators: %s is an X11 display name such as ":0" */
               _("Cannot capture the screen: the X11 display “%s” cannot be opened"),
               g_getenv ("DISPLAY"));
  self->screen_share = FALSE;
  g_atomic_int_set (&self->sharing_screen, FALSE);
  bin = choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &local_error);
  if (bin == NULL || !replace_source (self, MC_MEDIA_KIND_VIDEO, bin))
    {
      if (local_error == NULL)
        g_set_error (&local_error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _("Cannot switch back to the camera"));
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, local_error);
    }

  return FALSE;
}

/* Puts the camera (the one wanted, or any, or the test pattern) back in
 * place of the screen. @failure says why sharing stopped if it was not
 * asked to, and is then reported with ::screen-share-stopped. */
static gboolean
stop_screen_share (McMediaPipeline  *self,
                   const char       *failure)
{
  g_autoptr(GError) error = NULL;
  GstElement *bin;

  self->screen_share = FALSE;
  g_atomic_int_set (&self->sharing_screen, FALSE);

  bin = choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &error);
  if (bin == NULL || !replace_source (self, MC_MEDIA_KIND_VIDEO, bin))
    {
      if (error == NULL)
        g_set_error (&error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _("Cannot switch back to the camera"));
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      return FALSE;
    }
  mc_media_pipeline_ensure_key_unit (self);

  if (failure != NULL)
    {
      error = g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, "Screen sharing stopped: %s",
                           failure);
      g_signal_emit (self, signals[SIGNAL_SCREEN_SHARE_STOPPED], 0, error);
    }

  return TRUE;
}

/* Callbacks */

static gboolean
monitor_bus_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr(GstDevice) device = NULL;
  g_autofree char *id = NULL;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_DEVICE_REMOVED)
    {
      gst_message_parse_device_removed (message, &device);
      id = mc_media_device_get_identity (device);

      for (McMediaKind kind = MC_MEDIA_KIND_AUDIO; kind <= MC_MEDIA_KIND_VIDEO; kind++)
        {
          if (kind == MC_MEDIA_KIND_VIDEO && self->screen_share)
            continue;
          if (self->device_id[kind] != NULL && g_strcmp0 (id, self->device_id[kind]) == 0)
            {
              g_message ("The %s device “%s” went away", kind_names[kind], id);
              switch_source (self, kind);
            }
        }
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_DEVICE_ADDED)
    {
      gst_message_parse_device_added (message, &device);
      id = mc_media_device_get_identity (device);

      /* The wanted device came back, or a device appeared for a medium that
       * has none: take it. */
      for (McMediaKind kind = MC_MEDIA_KIND_AUDIO; kind <= MC_MEDIA_KIND_VIDEO; kind++)
        {
          /* While the screen is shared the camera is chosen again when
           * sharing stops. */
          if (!gst_device_has_classes (device, device_classes[kind]) ||
              (kind == MC_MEDIA_KIND_VIDEO && self->screen_share))
            continue;
          if (self->device[kind] == NULL ||
              (self->wanted_device[kind] != NULL && g_strcmp0 (id, self->wanted_device[kind]) == 0 &&
               g_strcmp0 (id, self->device_id[kind]) != 0))
            switch_source (self, kind);
        }
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &gst_error, &debug);

        /* A source swapped out since (a camera that failed, a screen grab
         * that could not start) is no longer of any concern. */
        if (!is_inside (GST_MESSAGE_SRC (message), self->pipeline))
          {
            g_debug ("Ignoring an error of a removed element: %s", gst_error->message);
            break;
          }

        /* A screen grab that fails ends sharing; the camera comes back. */
        if (self->screen_share && is_inside (GST_MESSAGE_SRC (message),
                                             self->source_bin[MC_MEDIA_KIND_VIDEO]))
          {
            g_message ("The screen capture failed (%s): back to the camera", gst_error->message);
            stop_screen_share (self, gst_error->message);
            return G_SOURCE_CONTINUE;
          }

        /* A device that fails is replaced, not fatal. */
        for (McMediaKind kind = MC_MEDIA_KIND_AUDIO; kind <= MC_MEDIA_KIND_VIDEO; kind++)
          {
            if (!self->test_sources && self->source_bin[kind] != NULL &&
                is_inside (GST_MESSAGE_SRC (message), self->source_bin[kind]))
              {
                g_message ("The %s source failed (%s): switching", kind_names[kind],
                           gst_error->message);
                switch_source (self, kind);
                return G_SOURCE_CONTINUE;
              }
          }

        g_debug ("Media pipeline error: %s (%s)", gst_error->message, debug);
        error = g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                             /* Translators: %s is an element's name, then GStreamer's error */
                             _("The media pipeline failed in %s: %s"),
                             GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message);

        if (self->start_task != NULL)
          {
            g_autoptr(GTask) task = finish_start (self, g_steal_pointer (&self->start_task));

            g_task_return_error (task, g_steal_pointer (&error));
          }
        else
          {
            g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
          }
        break;
      }

    case GST_MESSAGE_WARNING:
      {
        g_autoptr(GError) warning = NULL;

        gst_message_parse_warning (message, &warning, NULL);
        g_debug ("Media pipeline warning from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                 warning->message);
        break;
      }

    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency (GST_BIN (self->pipeline));
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr(GTask) task = NULL;

  self->start_timeout = 0;
  task = finish_start (self, g_steal_pointer (&self->start_task));
  if (task != NULL)
    g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "The camera produced no picture within %d second",
                                          "The camera produced no picture within %d seconds",
                                          START_TIMEOUT_SECONDS),
                             START_TIMEOUT_SECONDS);

  return G_SOURCE_REMOVE;
}

static gboolean
start_cancelled_idle_cb (gpointer user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr(GTask) task = finish_start (self, g_steal_pointer (&self->start_task));

  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");

  return G_SOURCE_REMOVE;
}

static void
start_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  /* Possibly on another thread, and g_cancellable_disconnect() must not be
   * called from inside the handler: finish on the main context. */
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, start_cancelled_idle_cb,
                              g_object_ref (user_data), g_object_unref);
}

/* GObject */

static void
mc_media_pipeline_dispose (GObject *object)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (object);

  mc_media_pipeline_stop (self);

  g_clear_object (&self->video_sink);
  g_clear_object (&self->preview_sink);
  g_clear_object (&self->device[0]);
  g_clear_object (&self->device[1]);

  G_OBJECT_CLASS (mc_media_pipeline_parent_class)->dispose (object);
}

static void
mc_media_pipeline_finalize (GObject *object)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (object);

  for (guint i = 0; i < 2; i++)
    {
      g_free (self->wanted_device[i]);
      g_free (self->device_id[i]);
    }
  g_free (self->audio_output_device);
  g_free (self->probe_name);
  g_clear_pointer (&self->overrides, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mc_media_pipeline_parent_class)->finalize (object);
}

static void
mc_media_pipeline_class_init (McMediaPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_media_pipeline_dispose;
  object_class->finalize = mc_media_pipeline_finalize;

  /**
   * McMediaPipeline::device-changed:
   * @self: the pipeline
   * @kind: the #McMediaKind that changed
   * @device_id: (nullable): the stable identity of the device now in use, or
   *   %NULL for a test source, the shared screen or, after a device was lost,
   *   for "off"
   * @message: a sentence for the user
   *
   * A source was chosen or replaced.
   */
  signals[SIGNAL_DEVICE_CHANGED] =
    g_signal_new ("device-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, MC_TYPE_MEDIA_KIND, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * McMediaPipeline::screen-share-stopped:
   * @self: the pipeline
   * @error: why
   *
   * Screen sharing stopped without being asked to (the screen capture
   * failed); the camera, or the test pattern, is sent again.
   */
  signals[SIGNAL_SCREEN_SHARE_STOPPED] =
    g_signal_new ("screen-share-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * McMediaPipeline::error:
   * @self: the pipeline
   * @error: what failed
   *
   * The pipeline failed after it had started.
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
mc_media_pipeline_init (McMediaPipeline *self)
{
  g_mutex_init (&self->lock);
}

/* Public API */

/**
 * mc_media_pipeline_new:
 * @config: what to capture and where to play
 *
 * Returns: (transfer full): a new, stopped pipeline
 */
McMediaPipeline *
mc_media_pipeline_new (const McMediaConfig *config)
{
  McMediaPipeline *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (MC_TYPE_MEDIA_PIPELINE, NULL);
  self->test_sources = config->test_sources;
  self->wanted_device[MC_MEDIA_KIND_VIDEO] = g_strdup (config->video_device);
  self->wanted_device[MC_MEDIA_KIND_AUDIO] = g_strdup (config->audio_device);
  self->audio_output_device = g_strdup (config->audio_output_device);
  self->width = config->width != 0 ? config->width : 1280;
  self->height = config->height != 0 ? config->height : 720;
  self->framerate = config->framerate != 0 ? config->framerate : 30;
  self->video_bitrate = config->video_bitrate;
  self->stamp_frames = config->stamp_frames;
  self->fake_audio_output = config->fake_audio_output;
  self->echo_cancel_wanted = config->echo_cancel;
  g_set_object (&self->video_sink, config->video_sink);
  g_set_object (&self->preview_sink, config->preview_sink);
  if (config->overrides != NULL)
    self->overrides = g_hash_table_ref (config->overrides);
  self->probe_name = g_strdup_printf ("mc-echo-probe-%p", (void *) self);

  return self;
}

/**
 * mc_media_pipeline_start_async:
 * @self: a stopped pipeline
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the first frame has been encoded, or on failure
 * @user_data: data for @callback
 *
 * Chooses the sources, builds the pipeline and starts capturing and
 * encoding. The encoded media goes nowhere until
 * mc_media_pipeline_set_outputs() is called.
 */
void
mc_media_pipeline_start_async (McMediaPipeline     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *bin;

  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));
  g_return_if_fail (self->pipeline == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_media_pipeline_start_async);

  if (!self->test_sources)
    {
      self->monitor = gst_device_monitor_new ();
      gst_device_monitor_add_filter (self->monitor, device_classes[MC_MEDIA_KIND_VIDEO], NULL);
      gst_device_monitor_add_filter (self->monitor, device_classes[MC_MEDIA_KIND_AUDIO], NULL);
      if (!gst_device_monitor_start (self->monitor))
        g_message ("Cannot watch for cameras and microphones: using test sources");
      bus = gst_device_monitor_get_bus (self->monitor);
      self->monitor_watch = gst_bus_add_watch (bus, monitor_bus_cb, self);
      g_clear_object (&bus);
    }

  self->pipeline = gst_pipeline_new ("media");
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);

  if (!build_video (self, &error))
    goto fail;

  bin = choose_source (self, MC_MEDIA_KIND_AUDIO, NULL, FALSE, &error);
  if (bin == NULL)
    goto fail;
  /* Echo cancellation is for real microphones and speakers; test sources
   * have no echo, and webrtcdsp would only cost CPU and latency. */
  self->echo_cancel = self->echo_cancel_wanted && self->device[MC_MEDIA_KIND_AUDIO] != NULL;

  if (!build_audio (self, &error) || !build_playback (self, &error))
    {
      gst_object_unref (gst_object_ref_sink (bin));
      goto fail;
    }
  replace_source (self, MC_MEDIA_KIND_AUDIO, bin);

  bin = choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &error);
  if (bin == NULL)
    goto fail;
  replace_source (self, MC_MEDIA_KIND_VIDEO, bin);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      /* The bus has the reason; let the bus watch report it. */
      g_debug ("The media pipeline refused to start");
    }

  self->start_task = g_steal_pointer (&task);
  self->start_timeout = g_timeout_add_seconds (START_TIMEOUT_SECONDS, start_timeout_cb, self);
  if (cancellable != NULL)
    {
      self->start_cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (start_cancelled_cb),
                                                  self, NULL);
    }
  return;

fail:
  mc_media_pipeline_stop (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * mc_media_pipeline_start_finish:
 * @self: a pipeline
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if capture and encoding run
 */
gboolean
mc_media_pipeline_start_finish (McMediaPipeline  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_media_pipeline_stop:
 * @self: a pipeline
 *
 * Stops everything; safe to call more than once.
 */
void
mc_media_pipeline_stop (McMediaPipeline *self)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  mc_media_pipeline_set_outputs (self, NULL, NULL);

  g_mutex_lock (&self->lock);
  g_clear_object (&self->remote_src[0]);
  g_clear_object (&self->remote_src[1]);
  g_clear_object (&self->encoder_src_pad);
  g_mutex_unlock (&self->lock);

  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

      finish_start (self, NULL);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
    }

  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_handle_id (&self->bus_watch, g_source_remove);
      g_clear_object (&self->pipeline);
    }
  self->source_bin[0] = self->source_bin[1] = NULL;
  self->screen_share = FALSE;
  g_atomic_int_set (&self->sharing_screen, FALSE);

  if (self->monitor != NULL)
    {
      gst_device_monitor_stop (self->monitor);
      g_clear_handle_id (&self->monitor_watch, g_source_remove);
      g_clear_object (&self->monitor);
    }
}

/**
 * mc_media_pipeline_get_clock:
 * @self: a started pipeline
 *
 * Returns: (transfer full) (nullable): the clock the peer pipeline must use
 */
GstClock *
mc_media_pipeline_get_clock (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), NULL);

  if (self->pipeline == NULL)
    return NULL;

  return gst_pipeline_get_clock (GST_PIPELINE (self->pipeline));
}

/**
 * mc_media_pipeline_get_base_time:
 * @self: a started pipeline
 *
 * Returns: the base time the peer pipeline must use
 */
GstClockTime
mc_media_pipeline_get_base_time (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), GST_CLOCK_TIME_NONE);

  if (self->pipeline == NULL)
    return GST_CLOCK_TIME_NONE;

  return gst_element_get_base_time (self->pipeline);
}

/**
 * mc_media_pipeline_set_outputs:
 * @self: a pipeline
 * @video: (nullable): where encoded video goes from now on
 * @audio: (nullable): where encoded audio goes from now on
 *
 * Thread-safe.
 */
void
mc_media_pipeline_set_outputs (McMediaPipeline *self,
                               GstAppSrc       *video,
                               GstAppSrc       *audio)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  g_mutex_lock (&self->lock);
  g_set_object (&self->output[MC_MEDIA_KIND_VIDEO], video);
  g_set_object (&self->output[MC_MEDIA_KIND_AUDIO], audio);
  g_mutex_unlock (&self->lock);
}

/**
 * mc_media_pipeline_clear_outputs:
 * @self: a pipeline
 * @video: the video output set with mc_media_pipeline_set_outputs()
 *
 * Stops sending encoded media, but only if @video is still the output: a
 * peer that goes away must not cut off the one that replaced it.
 * Thread-safe.
 */
void
mc_media_pipeline_clear_outputs (McMediaPipeline *self,
                                 GstAppSrc       *video)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  g_mutex_lock (&self->lock);
  if (self->output[MC_MEDIA_KIND_VIDEO] == video)
    {
      g_clear_object (&self->output[MC_MEDIA_KIND_VIDEO]);
      g_clear_object (&self->output[MC_MEDIA_KIND_AUDIO]);
    }
  g_mutex_unlock (&self->lock);
}

/**
 * mc_media_pipeline_push_remote:
 * @self: a pipeline
 * @kind: which medium
 * @sample: a decoded sample from the peer, due now
 *
 * Plays @sample. Thread-safe: called from the peer pipeline's sinks.
 */
void
mc_media_pipeline_push_remote (McMediaPipeline *self,
                               McMediaKind      kind,
                               GstSample       *sample)
{
  g_autoptr(GstElement) source = NULL;

  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  g_mutex_lock (&self->lock);
  g_set_object (&source, self->remote_src[kind]);
  g_mutex_unlock (&self->lock);

  if (source != NULL)
    gst_app_src_push_sample (GST_APP_SRC (source), sample);
}

static void
request_key_unit (McMediaPipeline *self,
                  gboolean         throttled)
{
  g_autoptr(GstPad) pad = NULL;
  gint64 now = g_get_monotonic_time ();
  gboolean pending;

  g_mutex_lock (&self->lock);
  /* A key frame that is being encoded right now comes out after this request
   * anyway: asking again would only make the next frame a key frame too. */
  pending = self->key_unit_pending && now - self->last_key_unit < KEY_UNIT_PENDING_US;
  if (!pending && (!throttled || now - self->last_key_unit >= MIN_KEY_UNIT_INTERVAL_US))
    {
      self->last_key_unit = now;
      self->key_unit_pending = TRUE;
      g_set_object (&pad, self->encoder_src_pad);
    }
  g_mutex_unlock (&self->lock);

  if (pad != NULL)
    gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                          TRUE, 0));
}

/**
 * mc_media_pipeline_force_key_unit:
 * @self: a pipeline
 *
 * Asks the video encoder for a key frame (rate-limited, so that a burst of
 * PLIs costs one; and not while one is being encoded). Thread-safe.
 */
void
mc_media_pipeline_force_key_unit (McMediaPipeline *self)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  request_key_unit (self, TRUE);
}

/**
 * mc_media_pipeline_ensure_key_unit:
 * @self: a pipeline
 *
 * Makes sure that a key frame comes out of the encoder after now: asks for
 * one unless one is being encoded already, without the rate limit of
 * mc_media_pipeline_force_key_unit(). For the moments when a new connection
 * becomes able to carry media, where a key frame held back by the rate limit
 * (because one was made a few milliseconds before, while it could not be
 * sent) costs the peer a PLI round trip or a whole watchdog period.
 * Thread-safe.
 */
void
mc_media_pipeline_ensure_key_unit (McMediaPipeline *self)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  request_key_unit (self, FALSE);
}

/**
 * mc_media_pipeline_set_muted:
 * @self: a pipeline
 * @muted: whether to send silence
 *
 * Silence is still sent, so that the peer's jitter buffer and our dead-path
 * detection see a steady stream.
 */
void
mc_media_pipeline_set_muted (McMediaPipeline *self,
                             gboolean         muted)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  if (self->volume != NULL)
    g_object_set (self->volume, "mute", muted, NULL);
}

/**
 * mc_media_pipeline_set_camera_off:
 * @self: a pipeline
 * @camera_off: whether to send black frames
 */
void
mc_media_pipeline_set_camera_off (McMediaPipeline *self,
                                  gboolean         camera_off)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  g_atomic_int_set (&self->camera_off, camera_off);
}

/**
 * mc_media_pipeline_get_device_id:
 * @self: a pipeline
 * @kind: which medium
 *
 * Returns: (nullable): the stable identity of the device in use, or %NULL
 *   for a test source or when the medium is off
 */
const char *
mc_media_pipeline_get_device_id (McMediaPipeline *self,
                                 McMediaKind      kind)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), NULL);

  return self->device_id[kind];
}

/**
 * mc_media_pipeline_get_echo_cancel:
 * @self: a started pipeline
 *
 * Returns: whether echo cancellation and noise suppression run
 */
gboolean
mc_media_pipeline_get_echo_cancel (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);

  return self->echo_cancel;
}

/**
 * mc_media_pipeline_can_share_screen:
 * @error: return location for why not
 *
 * Whether this session can share its screen: an X11 session with a display
 * and the ximagesrc element. A Wayland session cannot (its screen is shared
 * through the desktop portal, which is not supported yet), even with
 * Xwayland, which would show only the X11 windows.
 *
 * Returns: %TRUE if mc_media_pipeline_set_screen_share() can work; else
 *   %FALSE with @error set (%MC_CALL_ERROR_NOT_SUPPORTED or
 *   %MC_CALL_ERROR_MISSING_ELEMENT) and a message for the user
 */
gboolean
mc_media_pipeline_can_share_screen (GError **error)
{
  const char *display = g_getenv ("DISPLAY");
  const char *wayland_display = g_getenv ("WAYLAND_DISPLAY");
  g_autoptr(GstElementFactory) factory = NULL;

  if (g_strcmp0 (g_getenv ("XDG_SESSION_TYPE"), "wayland") == 0 ||
      (wayland_display != NULL && *wayland_display != '\0'))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           _("Screen sharing in a Wayland session needs the desktop portal, "
                             "which this version does not support yet"));
      return FALSE;
    }

  if (display == NULL || *display == '\0')
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           _("Screen sharing needs an X11 display, and this session has none "
                             "(DISPLAY is not set)"));
      return FALSE;
    }

  factory = gst_element_factory_find ("ximagesrc");
  if (factory == NULL)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_MISSING_ELEMENT,
                   /* Translators: %s is a Debian package name */
                   _("The ximagesrc element is missing: install the package %s"),
                   mc_call_element_package ("ximagesrc"));
      return FALSE;
    }

  return TRUE;
}

/**
 * mc_media_pipeline_set_screen_share:
 * @self: a started pipeline
 * @share: %TRUE to send the screen, %FALSE to send the camera again
 * @error: return location for an error
 *
 * Swaps the video source while everything else runs: no renegotiation, the
 * same size and rate (the screen is scaled, with borders), and the preview
 * shows what is sent. The camera is let go of while the screen is shared,
 * and chosen again afterwards as at the start. The screen is sent even
 * with the camera off.
 *
 * Returns: %TRUE if the screen (or, for @share %FALSE, the camera) is now
 *   sent; on failure the camera still is
 */
gboolean
mc_media_pipeline_set_screen_share (McMediaPipeline  *self,
                                    gboolean          share,
                                    GError          **error)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The media pipeline is not running");
      return FALSE;
    }

  if (self->screen_share == !!share)
    return TRUE;

  if (!share)
    {
      if (!stop_screen_share (self, NULL))
        {
          g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                               _("Cannot switch back to the camera"));
          return FALSE;
        }
      return TRUE;
    }

  if (!mc_media_pipeline_can_share_screen (error))
    return FALSE;

  return start_screen_share (self, error);
}

/**
 * mc_media_pipeline_get_screen_share:
 * @self: a pipeline
 *
 * Returns: whether the screen is sent instead of the camera
 */
gboolean
mc_media_pipeline_get_screen_share (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);

  return self->screen_share;
}
