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
 * The audio sink is the chosen speaker (an Audio/Sink device, found with
 * McMediaDevices), else autoaudiosink, or a fake sink without sound.
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
 *
 * The pipeline is split by concern, around mc-media-pipeline-private.h:
 * this file holds the object, starting and stopping, the bus, the outputs
 * and key frames; mc-media-pipeline-chains.c builds the encoding and
 * playback chains, with their streaming-thread callbacks;
 * mc-media-pipeline-sources.c chooses and swaps the sources (devices,
 * hot-plug, test sources); mc-media-pipeline-screen.c shares the screen.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <math.h>

#include <gst/video/video.h>
#include <glib/gi18n-lib.h>

#include "mc-media-pipeline-private.h"

#define START_TIMEOUT_SECONDS    10
#define MIN_KEY_UNIT_INTERVAL_US (100 * 1000)
/* A requested key frame that has not come out of the encoder after this long
 * is taken as lost (an event dropped while a source was swapped, say). */
#define KEY_UNIT_PENDING_US (500 * 1000)

guint mc_media_pipeline_signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (McMediaKind, mc_media_kind, G_DEFINE_ENUM_VALUE (MC_MEDIA_KIND_AUDIO, "audio"), G_DEFINE_ENUM_VALUE (MC_MEDIA_KIND_VIDEO, "video"))

G_DEFINE_FINAL_TYPE (McMediaPipeline, mc_media_pipeline, G_TYPE_OBJECT)

const char * const mc_media_pipeline_kind_names[2] = { "audio", "video" };

/* Helpers */

GstElement *
mc_media_pipeline_make (McMediaPipeline *self,
                        const char      *factory,
                        const char      *name,
                        GError         **error)
{
  return mc_call_make_element_full (self->overrides, factory, name, error);
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

gboolean
mc_media_pipeline_start_done_cb (gpointer user_data)
{
  McMediaPipeline  *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr (GTask) task = finish_start (self, g_steal_pointer (&self->start_task));

  if (task != NULL)
    g_task_return_boolean (task, TRUE);

  return G_SOURCE_REMOVE;
}

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

/* The microphone's loudest channel, from 0 (50 dB below full scale or
 * quieter) to 1 (full scale), as the pre-join meter shows it. */
static double
level_from_message (const GstStructure *structure)
{
  const GValue *peaks = gst_structure_get_value (structure, "peak");
  double        loudest = -INFINITY;

  /* A GValueArray in GStreamer 1.22 (the type name avoids its deprecated macro). */
  if (peaks == NULL || g_strcmp0 (G_VALUE_TYPE_NAME (peaks), "GValueArray") != 0)
    return 0.0;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GValueArray *array = g_value_get_boxed (peaks);

    for (guint i = 0; array != NULL && i < array->n_values; i++)
      loudest = MAX (loudest, g_value_get_double (g_value_array_get_nth (array, i)));
  }
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (!isfinite (loudest))
    return 0.0;

  return CLAMP ((loudest + 50.0) / 50.0, 0.0, 1.0);
}

/* Callbacks */

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
        g_autoptr (GError) gst_error = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char   *debug = NULL;

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
            g_message ("The screen capture failed in %s (%s; %s): back to the camera",
                       GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message,
                       debug ? debug : "");
            mc_media_pipeline_stop_screen_share (self, gst_error->message);
            return G_SOURCE_CONTINUE;
          }

        /* A device that fails is replaced, not fatal. */
        for (McMediaKind kind = MC_MEDIA_KIND_AUDIO; kind <= MC_MEDIA_KIND_VIDEO; kind++)
          {
            if (!self->test_sources && self->source_bin[kind] != NULL &&
                is_inside (GST_MESSAGE_SRC (message), self->source_bin[kind]))
              {
                g_message ("The %s source failed (%s): switching",
                           mc_media_pipeline_kind_names[kind], gst_error->message);
                mc_media_pipeline_switch_source (self, kind);
                return G_SOURCE_CONTINUE;
              }
          }

        g_debug ("Media pipeline error: %s (%s)", gst_error->message, debug);
        error = g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                             /* Translators: %s is an element's name, then GStreamer's error */
                             _ ("The media pipeline failed in %s: %s"),
                             GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message);

        if (self->start_task != NULL)
          {
            g_autoptr (GTask) task = finish_start (self, g_steal_pointer (&self->start_task));

            g_task_return_error (task, g_steal_pointer (&error));
          }
        else
          {
            g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, error);
          }
        break;
      }

    case GST_MESSAGE_WARNING:
      {
        g_autoptr (GError) warning = NULL;

        gst_message_parse_warning (message, &warning, NULL);
        g_debug ("Media pipeline warning from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                 warning->message);
        break;
      }

    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency (GST_BIN (self->pipeline));
      break;

    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (message, "level") &&
          g_strcmp0 (GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), "audio-level") == 0)
        g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_INPUT_LEVEL], 0,
                       level_from_message (gst_message_get_structure (message)));
      else if (gst_message_has_name (message, "level") &&
               g_strcmp0 (GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), "remote-audio-level") == 0)
        g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_OUTPUT_LEVEL], 0,
                       level_from_message (gst_message_get_structure (message)));
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  McMediaPipeline  *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr (GTask) task = NULL;

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
  McMediaPipeline  *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr (GTask) task = finish_start (self, g_steal_pointer (&self->start_task));

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
  g_free (self->speaker_id);
  g_free (self->speaker_name);
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
  mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED] =
    g_signal_new ("device-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, MC_TYPE_MEDIA_KIND, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * McMediaPipeline::device-lost:
   * @self: the pipeline
   * @role: the #McDeviceRole of the device that went away (or failed)
   * @message: a translated sentence for the user, saying what is used now
   *
   * The device in use went away while the call ran, and another one, the
   * default output, or for a camera or microphone a black picture or
   * silence, took its place (see ::device-changed for which).
   */
  mc_media_pipeline_signals[SIGNAL_DEVICE_LOST] =
    g_signal_new ("device-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);

  /**
   * McMediaPipeline::devices-changed:
   * @self: the pipeline
   *
   * A camera, microphone or speaker was plugged in or out: see
   * mc_media_pipeline_list_devices().
   */
  mc_media_pipeline_signals[SIGNAL_DEVICES_CHANGED] =
    g_signal_new ("devices-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  /**
   * McMediaPipeline::screen-share-stopped:
   * @self: the pipeline
   * @error: why
   *
   * Screen sharing stopped without being asked to (the screen capture
   * failed); the camera, or the test pattern, is sent again.
   */
  mc_media_pipeline_signals[SIGNAL_SCREEN_SHARE_STOPPED] =
    g_signal_new ("screen-share-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * McMediaPipeline::screen-size-changed:
   * @self: the pipeline
   *
   * The shared stream's size became known or changed (see
   * mc_media_pipeline_get_screen_size()).
   */
  mc_media_pipeline_signals[SIGNAL_SCREEN_SIZE_CHANGED] =
    g_signal_new ("screen-size-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);

  /**
   * McMediaPipeline::error:
   * @self: the pipeline
   * @error: what failed
   *
   * The pipeline failed after it had started.
   */
  mc_media_pipeline_signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * McMediaPipeline::input-level:
   * @self: the pipeline
   * @level: the microphone's peak over the last 100 ms, from 0 to 1,
   *   measured before the mute
   */
  mc_media_pipeline_signals[SIGNAL_INPUT_LEVEL] =
    g_signal_new ("input-level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  /**
   * McMediaPipeline::output-level:
   * @self: the pipeline
   * @level: the other side's audio as it is played, its peak over the last
   *   100 ms, from 0 to 1
   */
  mc_media_pipeline_signals[SIGNAL_OUTPUT_LEVEL] =
    g_signal_new ("output-level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
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
mc_media_pipeline_start_async (McMediaPipeline    *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  GstElement        *bin;

  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));
  g_return_if_fail (self->pipeline == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_media_pipeline_start_async);

  if (!self->test_sources)
    mc_media_pipeline_watch_devices (self);

  self->pipeline = gst_pipeline_new ("media");
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);

  if (!mc_media_pipeline_build_video (self, &error))
    goto fail;

  bin = mc_media_pipeline_choose_source (self, MC_MEDIA_KIND_AUDIO, NULL, FALSE, &error);
  if (bin == NULL)
    goto fail;
  /* Echo cancellation is for real microphones and speakers; test sources
   * have no echo, and webrtcdsp would only cost CPU and latency. */
  self->echo_cancel = self->echo_cancel_wanted && self->device[MC_MEDIA_KIND_AUDIO] != NULL;

  if (!mc_media_pipeline_build_audio (self, &error) ||
      !mc_media_pipeline_build_playback (self, &error))
    {
      gst_object_unref (gst_object_ref_sink (bin));
      goto fail;
    }
  mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_AUDIO, bin);

  bin = mc_media_pipeline_choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &error);
  if (bin == NULL)
    goto fail;
  mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_VIDEO, bin);

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
mc_media_pipeline_start_finish (McMediaPipeline *self,
                                GAsyncResult    *result,
                                GError         **error)
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
  gst_clear_caps (&self->pending_video_caps);
  g_mutex_unlock (&self->lock);

  if (self->start_task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->start_task);

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
  self->speaker_sink = NULL;
  self->screen_share = FALSE;
  g_atomic_int_set (&self->sharing_screen, FALSE);

  mc_media_pipeline_unwatch_devices (self);
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
  g_autoptr (GstElement) source = NULL;

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
  g_autoptr (GstPad) pad = NULL;
  gint64             now = g_get_monotonic_time ();
  gboolean           pending;

  g_mutex_lock (&self->lock);
  /* A key frame that is being encoded right now comes out after this request
   * anyway: asking again would only mc_media_pipeline_make the next frame a key frame too. */
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
 * mc_media_pipeline_get_last_encoded_time:
 * @self: a pipeline
 * @kind: audio or video
 *
 * Returns: the monotonic time at which the encoder last gave a sample of
 * @kind, or 0 if it never did. A value that stops moving while the call is
 * on means the capture and encoding chain itself stalled, which no new peer
 * connection can repair.
 */
gint64
mc_media_pipeline_get_last_encoded_time (McMediaPipeline *self,
                                         McMediaKind      kind)
{
  gint64 last;

  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), 0);

  g_mutex_lock (&self->lock);
  last = self->last_encoded[kind];
  g_mutex_unlock (&self->lock);

  return last;
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
