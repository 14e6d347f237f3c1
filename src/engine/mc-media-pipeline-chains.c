/* mc-media-pipeline-chains.c — the media pipeline's encoding and playback chains
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McMediaPipeline builds what stays for the whole call (drawn at
 * the top of mc-media-pipeline.c): the video and audio chains from the
 * source bins to the encoders and their appsinks, and playback to the video
 * sink and the speaker. The appsink callbacks and the raw-video probe run on
 * streaming threads; they hand encoded samples to the current peer
 * pipeline's appsrcs and black out or stamp the frames.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/app/app.h>
#include <gst/video/video.h>

#include "mc-frame-stamp.h"
#include "mc-media-devices.h"
#include "mc-media-pipeline-private.h"

/* A speaker being replaced, while the probe that swaps it waits. */
typedef struct
{
  GstElement *pipeline;
  GstElement *old_sink;
  GstElement *new_sink;
  gint        done;
} SpeakerSwap;

/* Helpers */

/* Wraps a device's sink in a bin that handles its state changes
 * asynchronously, like autoaudiosink: it may not preroll before the peer's
 * first audio, and the pipeline must not wait for it. */
static GstElement *
wrap_speaker (GstElement *sink)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (sink, "sink");
  GstElement        *bin;

  if (pad == NULL)
    return NULL;

  bin = gst_bin_new ("remote-audio-sink");
  gst_bin_add (GST_BIN (bin), sink);
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  g_object_set (bin, "async-handling", TRUE, NULL);

  return bin;
}

/* The Audio/Sink device @identity. The pipeline's own device monitor looks
 * for it while it runs: a second GstDeviceMonitor started and stopped beside
 * it would stop GStreamer 1.22's shared device providers for both (they
 * count one start however many monitors start them), and no hot-plug would
 * be seen again. Without it (test sources) a device list of its own does. */
static GstDevice *
find_speaker (McMediaPipeline *self,
              const char      *identity)
{
  g_autoptr (McMediaDevices) devices = NULL;
  g_autolist (GstDevice)     list = NULL;

  if (self->monitor == NULL)
    {
      devices = mc_media_devices_new ();
      return mc_media_devices_find (devices, MC_DEVICE_ROLE_SPEAKER, identity);
    }

  list = gst_device_monitor_get_devices (self->monitor);
  for (GList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *id = NULL;

      if (!gst_device_has_classes (l->data, "Audio/Sink"))
        continue;
      id = mc_media_device_get_identity (l->data);
      if (g_strcmp0 (id, identity) == 0)
        return gst_object_ref (l->data);
    }

  return NULL;
}

/* The speaker @wanted (an identity; %NULL or empty for the default output).
 * Unless @strict, a speaker that is not there or cannot be opened gives the
 * default output, as at the start of a call; with @strict it is an error, as
 * when the user picks it during the call. */
static GstElement *
make_audio_output (McMediaPipeline *self,
                   const char      *wanted,
                   gboolean         strict,
                   GError         **error)
{
  GstElement *sink;

  g_clear_pointer (&self->speaker_name, g_free);
  if (wanted != NULL && *wanted != '\0')
    {
      g_autoptr (GstDevice) device = find_speaker (self, wanted);
      g_autofree char      *display_name = device != NULL ? gst_device_get_display_name (device)
                                                          : NULL;
      GstElement           *bin = NULL;

      sink = device != NULL ? gst_device_create_element (device, NULL) : NULL;
      if (sink != NULL)
        {
          gst_object_ref_sink (sink);
          bin = wrap_speaker (sink);
          gst_object_unref (sink);
        }
      if (bin != NULL)
        {
          g_message ("Playing to the speaker “%s”", display_name);
          self->speaker_name = g_steal_pointer (&display_name);
          return bin;
        }

      if (strict)
        {
          if (device != NULL)
            g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                         /* Translators: %s is a device's name */
                         _ ("The speaker “%s” cannot be opened"), display_name);
          else
            g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                                 _ ("That speaker is not connected"));
          return NULL;
        }

      if (device != NULL)
        g_message ("The speaker “%s” cannot be opened: playing to the default output",
                   display_name);
      else
        g_message ("The speaker “%s” is not there: playing to the default output", wanted);
    }

  sink = mc_media_pipeline_make (self, "autoaudiosink", "remote-audio-sink", error);
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
  g_autoptr (GstAppSrc) output = NULL;

  g_mutex_lock (&self->lock);
  self->last_encoded[kind] = g_get_monotonic_time ();
  g_set_object (&output, self->output[kind]);
  g_mutex_unlock (&self->lock);

  if (output != NULL)
    gst_app_src_push_sample (output, sample);
}

static GstFlowReturn
video_sample_cb (GstAppSink *sink,
                 gpointer    user_data)
{
  McMediaPipeline      *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);

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
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, mc_media_pipeline_start_done_cb,
                                g_object_ref (self), g_object_unref);

  return GST_FLOW_OK;
}

static GstFlowReturn
audio_sample_cb (GstAppSink *sink,
                 gpointer    user_data)
{
  McMediaPipeline      *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);

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
  McMediaPipeline    *self = MC_MEDIA_PIPELINE (user_data);
  gboolean            camera_off = g_atomic_int_get (&self->camera_off);
  GstBuffer          *buffer;
  GstVideoInfo        video_info;
  GstVideoFrame       frame;
  g_autoptr (GstCaps) caps = NULL;

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
          int     stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);
          guint   rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, plane);

          memset (data, plane == 0 ? 16 : 128, (gsize) stride * rows);
        }
    }

  if (self->stamp_frames)
    mc_frame_stamp_write (&frame, g_get_monotonic_time ());

  gst_video_frame_unmap (&frame);

  return GST_PAD_PROBE_OK;
}

static GstElement *
make_appsink (McMediaPipeline *self,
              const char      *name,
              GstFlowReturn (*new_sample) (GstAppSink *, gpointer),
              GError **error)
{
  GstElement         *sink = mc_media_pipeline_make (self, "appsink", name, error);
  GstAppSinkCallbacks callbacks = {
    NULL,
  };

  if (sink == NULL)
    return NULL;

  callbacks.new_sample = new_sample;
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE,
                "max-buffers", 4, "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  return sink;
}

static GstElement *
make_remote_appsrc (McMediaPipeline *self,
                    const char      *name,
                    GError         **error)
{
  GstElement *source = mc_media_pipeline_make (self, "appsrc", name, error);

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
  va_list     args;
  gboolean    ok = TRUE;

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

#define MAKE_OR_FAIL(var, factory, name) \
  G_STMT_START \
  { \
    var = mc_media_pipeline_make (self, factory, name, error); \
    if (var == NULL) \
      return FALSE; \
    gst_bin_add (GST_BIN (self->pipeline), var); \
  } \
  G_STMT_END

static guint
default_bitrate (McMediaPipeline *self)
{
  /* About 1.5 Mbit/s at 720p30 — plenty on a LAN, sensible on Wi-Fi. */
  guint64 pixels_per_second = (guint64) self->width * self->height * self->framerate;

  return (guint) CLAMP (pixels_per_second * 15 / 276, 150000, 4000000);
}

gboolean
mc_media_pipeline_build_video (McMediaPipeline *self,
                               GError         **error)
{
  GstElement         *convert, *scale, *rate, *filter, *queue, *encoder, *sink;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad)  pad = NULL;

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

  /* What the call session chose before the start, else the configuration. */
  if (self->current_bitrate == 0)
    self->current_bitrate = self->video_bitrate != 0 ? self->video_bitrate : default_bitrate (self);
  if (self->current_width == 0)
    {
      self->current_width = self->width;
      self->current_height = self->height;
      self->current_framerate = self->framerate;
    }

  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, (int) self->current_width,
                              "height", G_TYPE_INT, (int) self->current_height,
                              "framerate", GST_TYPE_FRACTION, (int) self->current_framerate, 1,
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
   * key frames only on request (a new peer, a PLI from the receiver). The
   * fastest real-time speed (cpu-used 16): on 2 cores, with the decoder and
   * the desktop beside it, 8 took a third more CPU for little visible gain
   * at a call's bitrate. */
  g_object_set (encoder,
                "deadline", (gint64) 1,
                "cpu-used", 16,
                "lag-in-frames", 0,
                "target-bitrate", (int) self->current_bitrate,
                "keyframe-max-dist", 3000,
                "buffer-initial-size", 100,
                "buffer-optimal-size", 120,
                "buffer-size", 200,
                "min-quantizer", 4,
                /* The whole range, and frames dropped when even that does
                 * not fit: the target follows the bandwidth estimate, and
                 * a path that carries 500 kbit/s loses everything sent
                 * beyond it. With 56 and no dropping, a moving test pattern
                 * came out at 1.4 Mbit/s at 540p whatever the target (3.4
                 * at 720p). libwebrtc drops frames for the same reason. */
                "max-quantizer", 63,
                "dropframe-threshold", 30,
                /* A key frame at most three average frames: uncapped, the
                 * first one of a call at 540p was as large as half a
                 * second of the budget, and on a 1 Mbit/s path it
                 * overflowed the queue in front of the bottleneck (a
                 * quarter of its packets lost, then their retransmissions
                 * and a new key frame asked for on top). The frames after
                 * it sharpen the picture within a few frames. */
                "max-intra-bitrate", 300,
                /* One thread: libvpx's VP8 threads wait for each other by
                 * spinning, which on a busy machine (two calls, or a call
                 * and the desktop, on 2 cores) burnt most of the CPU and
                 * cut the frame rate to a third. */
                "threads", 1,
                NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
  gst_util_set_object_arg (G_OBJECT (encoder), "error-resilient", "default");
  gst_util_set_object_arg (G_OBJECT (encoder), "keyframe-mode", "disabled");

  self->source_entry[MC_MEDIA_KIND_VIDEO] = convert;
  self->encoder_src_pad = gst_element_get_static_pad (encoder, "src");
  self->video_filter = filter;
  self->video_encoder = encoder;

  {
    g_autoptr (GstPad) entry = gst_element_get_static_pad (convert, "sink");

    gst_pad_add_probe (entry, GST_PAD_PROBE_TYPE_BUFFER,
                       mc_media_pipeline_apply_video_format_cb, self, NULL);
  }

  {
    g_autoptr (GstPad) encoder_sink = gst_element_get_static_pad (encoder, "sink");

    gst_pad_add_probe (encoder_sink, GST_PAD_PROBE_TYPE_BUFFER, mc_media_pipeline_paused_video_cb,
                       self, NULL);
  }

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

gboolean
mc_media_pipeline_build_audio (McMediaPipeline *self,
                               GError         **error)
{
  GstElement         *convert, *resample, *filter, *level, *volume, *encoder, *sink;
  GstElement         *dsp = NULL;
  g_autoptr (GstCaps) caps = NULL;

  MAKE_OR_FAIL (convert, "audioconvert", "audio-convert");
  MAKE_OR_FAIL (resample, "audioresample", "audio-resample");
  MAKE_OR_FAIL (filter, "capsfilter", "audio-caps");
  MAKE_OR_FAIL (level, "level", "audio-level");
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
  self->audio_encoder = encoder;
  self->audio_loss = 5;
  gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
  gst_util_set_object_arg (G_OBJECT (encoder), "frame-size", "20");

  /* Metered before the mute, so that the app can say "you are muted" to
   * someone who speaks while muted (McMediaPipeline::input-level). */
  g_object_set (level, "interval", (guint64) 100 * GST_MSECOND, "post-messages", TRUE, NULL);

  self->volume = volume;
  self->source_entry[MC_MEDIA_KIND_AUDIO] = convert;

  if (self->echo_cancel)
    {
      MAKE_OR_FAIL (dsp, "webrtcdsp", "audio-dsp");
      g_object_set (dsp, "probe", self->probe_name, "echo-cancel", TRUE, "noise-suppression", TRUE,
                    NULL);
      return link_many (error, convert, resample, filter, dsp, level, volume, encoder, sink, NULL);
    }

  return link_many (error, convert, resample, filter, level, volume, encoder, sink, NULL);
}

gboolean
mc_media_pipeline_build_playback (McMediaPipeline *self,
                                  GError         **error)
{
  GstElement *video_src, *video_convert, *video_sink;
  GstElement *audio_src, *audio_convert, *audio_resample, *audio_level, *audio_sink;
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
  /* The other side's level as it is played, for a "speaking" indicator
   * (McMediaPipeline::output-level). */
  MAKE_OR_FAIL (audio_level, "level", "remote-audio-level");
  g_object_set (audio_level, "interval", (guint64) 100 * GST_MSECOND, "post-messages", TRUE,
                NULL);

  if (self->fake_audio_output)
    {
      MAKE_OR_FAIL (audio_sink, "fakesink", "remote-audio-sink");
      g_object_set (audio_sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
    }
  else
    {
      audio_sink = make_audio_output (self, self->audio_output_device, FALSE, error);
      if (audio_sink == NULL)
        return FALSE;
      gst_bin_add (GST_BIN (self->pipeline), audio_sink);
      self->speaker_sink = audio_sink;
      g_free (self->speaker_id);
      self->speaker_id = self->speaker_name != NULL ? g_strdup (self->audio_output_device) : NULL;
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
      return link_many (error, audio_src, audio_convert, audio_resample, audio_level, probe,
                        audio_sink, NULL);
    }

  return link_many (error, audio_src, audio_convert, audio_resample, audio_level, audio_sink,
                    NULL);
}

#undef MAKE_OR_FAIL

/* Runs when nothing flows into the speaker (at once, or on the remote
 * audio's streaming thread after the buffer in flight): the old speaker is
 * unlinked and the new one linked in its place. Doing it while a buffer is
 * being played would make the remote appsrc see a flushing sink and stop
 * for good. */
static GstPadProbeReturn
swap_speaker_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  SpeakerSwap       *swap = user_data;
  g_autoptr (GstPad) old_pad = gst_element_get_static_pad (swap->old_sink, "sink");
  g_autoptr (GstPad) new_pad = gst_element_get_static_pad (swap->new_sink, "sink");

  if (g_atomic_int_exchange (&swap->done, TRUE))
    return GST_PAD_PROBE_REMOVE;

  gst_pad_unlink (pad, old_pad);
  gst_element_set_locked_state (swap->old_sink, TRUE);
  gst_element_set_state (swap->old_sink, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (swap->pipeline), swap->old_sink);

  gst_bin_add (GST_BIN (swap->pipeline), swap->new_sink);
  if (gst_pad_link (pad, new_pad) != GST_PAD_LINK_OK)
    g_warning ("Cannot link the new speaker");
  gst_element_sync_state_with_parent (swap->new_sink);

  return GST_PAD_PROBE_REMOVE;
}

static void
speaker_swap_free (gpointer data)
{
  SpeakerSwap *swap = data;

  gst_object_unref (swap->pipeline);
  gst_object_unref (swap->old_sink);
  gst_object_unref (swap->new_sink);
  g_free (swap);
}

/* Puts @sink (started to READY, a reference of ours) in place of the
 * speaker in use. */
static void
replace_speaker (McMediaPipeline *self,
                 GstElement      *sink)
{
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (self->speaker_sink, "sink");
  g_autoptr (GstPad) upstream = gst_pad_get_peer (sink_pad);
  SpeakerSwap       *swap = g_new0 (SpeakerSwap, 1);

  swap->pipeline = gst_object_ref (self->pipeline);
  swap->old_sink = gst_object_ref (self->speaker_sink);
  swap->new_sink = gst_object_ref (sink);
  self->speaker_sink = sink;

  if (upstream == NULL)
    {
      /* Not linked (never in a running call): nothing to wait for. */
      gst_element_set_state (swap->old_sink, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->pipeline), swap->old_sink);
      gst_bin_add (GST_BIN (self->pipeline), sink);
      gst_element_sync_state_with_parent (sink);
      speaker_swap_free (swap);
      return;
    }

  gst_pad_add_probe (upstream, GST_PAD_PROBE_TYPE_IDLE, swap_speaker_cb, swap,
                     speaker_swap_free);
}

/**
 * mc_media_pipeline_set_speaker:
 * @self: a pipeline
 * @identity: (nullable): the stable identity of an Audio/Sink device; %NULL
 *   or empty for the default output
 * @error: return location for why it cannot be used
 *
 * Plays the other side's audio to another speaker while the call runs. The
 * new speaker is opened (made ready) before the one in use is let go of, so
 * one that cannot be opened fails here and the call keeps playing where it
 * did. The swap itself waits for a moment when no buffer is being played.
 * With a fake audio output (no sound), or before the start, the choice is
 * only remembered.
 *
 * Returns: %TRUE if the speaker is used (or will be)
 */
gboolean
mc_media_pipeline_set_speaker (McMediaPipeline *self,
                               const char      *identity,
                               GError         **error)
{
  g_autofree char       *saved_name = NULL;
  g_autoptr (GstElement) sink = NULL;

  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (identity != NULL && *identity == '\0')
    identity = NULL;

  if (self->pipeline == NULL || self->fake_audio_output || self->speaker_sink == NULL)
    {
      g_free (self->audio_output_device);
      self->audio_output_device = g_strdup (identity);
      return TRUE;
    }

  if (g_strcmp0 (identity, self->speaker_id) == 0)
    return TRUE;

  /* The last swap waits for its moment still (a few milliseconds). */
  if (GST_OBJECT_PARENT (self->speaker_sink) == NULL)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                           _ ("The speaker is being switched: try again"));
      return FALSE;
    }

  saved_name = g_steal_pointer (&self->speaker_name);
  sink = make_audio_output (self, identity, TRUE, error);
  if (sink != NULL)
    gst_object_ref_sink (sink);
  if (sink != NULL && gst_element_set_state (sink, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    {
      gst_element_set_state (sink, GST_STATE_NULL);
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                   /* Translators: %s is a device's name */
                   _ ("The speaker “%s” cannot be opened"),
                   self->speaker_name != NULL ? self->speaker_name : "autoaudiosink");
      g_clear_object (&sink);
    }
  if (sink == NULL)
    {
      g_free (self->speaker_name);
      self->speaker_name = g_steal_pointer (&saved_name);
      return FALSE;
    }

  replace_speaker (self, sink);
  g_free (self->audio_output_device);
  self->audio_output_device = g_strdup (identity);
  g_free (self->speaker_id);
  self->speaker_id = g_strdup (identity);
  g_message ("Switched the speaker to %s", self->speaker_name != NULL ? self->speaker_name
                                                                      : "the default output");

  return TRUE;
}

/* The speaker in use went away: the default output takes its place. */
void
mc_media_pipeline_lose_speaker (McMediaPipeline *self)
{
  g_autofree char       *lost_name = g_strdup (self->speaker_name);
  g_autofree char       *message = NULL;
  g_autoptr (GError)     error = NULL;
  g_autoptr (GstElement) sink = NULL;

  /* A swap that is under way replaces the speaker that went away anyway. */
  if (GST_OBJECT_PARENT (self->speaker_sink) == NULL)
    return;

  sink = make_audio_output (self, NULL, FALSE, &error);
  if (sink == NULL)
    {
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, error);
      return;
    }

  gst_object_ref_sink (sink);
  gst_element_set_state (sink, GST_STATE_READY);
  replace_speaker (self, sink);
  g_clear_pointer (&self->speaker_id, g_free);

  /* Translators: %s is a speaker's name */
  message = g_strdup_printf (_ ("The speaker “%s” went away: playing to the default output"),
                             lost_name != NULL ? lost_name : "");
  g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_LOST], 0, MC_DEVICE_ROLE_SPEAKER,
                 message);
}

/**
 * mc_media_pipeline_get_speaker:
 * @self: a pipeline
 *
 * Returns: (nullable): the identity of the speaker played to, or %NULL for
 *   the default output (or no sound)
 */
const char *
mc_media_pipeline_get_speaker (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), NULL);

  return self->speaker_sink != NULL ? self->speaker_id : self->audio_output_device;
}
