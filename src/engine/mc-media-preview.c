/* mc-media-preview.c — the camera and microphone before a call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the pre-join screen shows: the chosen camera into a video sink of the
 * caller's, the chosen microphone's level (GStreamer's level element, read
 * off the bus), and a short tone on the chosen speaker. Three small
 * pipelines, so that a camera that cannot be opened does not silence the
 * microphone's meter. Each is torn down when its device is changed, turned
 * off, or the screen goes. Failures after the start arrive as ::error.
 */

#define G_LOG_DOMAIN "mc-media-preview"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "mc-call-error.h"
#include "mc-media-preview.h"

/* The level meter shows 50 dB of range, refreshed 20 times a second. */
#define LEVEL_FLOOR_DB    (-50.0)
#define LEVEL_INTERVAL_NS (50 * GST_MSECOND)
#define SOUND_SECONDS     1

typedef struct
{
  GstElement *pipeline;
  guint       bus_watch;
} Part;

struct _McMediaPreview
{
  GObject parent_instance;

  McMediaDevices *devices;
  gboolean        test_sources;
  Part            parts[MC_DEVICE_ROLE_LAST];
  double          level;
};

enum
{
  PROP_0,
  PROP_LEVEL,
  PROP_VIDEO_RUNNING,
  PROP_AUDIO_RUNNING,
  N_PROPS
};

enum
{
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McMediaPreview, mc_media_preview, G_TYPE_OBJECT)

static void
set_level (McMediaPreview *self,
           double          level)
{
  if (self->level == level)
    return;

  self->level = level;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL]);
}

static void
notify_running (McMediaPreview *self,
                McDeviceRole    role)
{
  if (role == MC_DEVICE_ROLE_CAMERA)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIDEO_RUNNING]);
  else if (role == MC_DEVICE_ROLE_MICROPHONE)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUDIO_RUNNING]);
}

static void
stop_part (McMediaPreview *self,
           McDeviceRole    role)
{
  Part *part = &self->parts[role];

  if (part->pipeline == NULL)
    return;

  g_clear_handle_id (&part->bus_watch, g_source_remove);
  gst_element_set_state (part->pipeline, GST_STATE_NULL);
  g_clear_object (&part->pipeline);

  if (role == MC_DEVICE_ROLE_MICROPHONE)
    set_level (self, 0.0);
  notify_running (self, role);
}

/* The loudest channel's peak, from 0 (at or below the floor) to 1 (0 dBFS). */
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

  return CLAMP ((loudest - LEVEL_FLOOR_DB) / -LEVEL_FLOOR_DB, 0.0, 1.0);
}

static GError *
error_from_message (McDeviceRole role,
                    GstMessage  *message)
{
  static const char * const what[MC_DEVICE_ROLE_LAST] = {
    N_ ("The camera cannot be used"),
    N_ ("The microphone cannot be used"),
    N_ ("The speaker cannot be used"),
  };
  g_autoptr (GError) gst_error = NULL;
  g_autofree char   *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("%s: %s (%s)", what[role], gst_error->message, debug ? debug : "");

  /* Translators: %s is "The camera cannot be used" or the like, then GStreamer's reason */
  return g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, _ ("%s: %s"), _ (what[role]),
                      gst_error->message);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  McMediaPreview *self = MC_MEDIA_PREVIEW (user_data);
  McDeviceRole    role;

  for (role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    if (self->parts[role].pipeline != NULL &&
        GST_MESSAGE_SRC (message) != NULL &&
        (GST_MESSAGE_SRC (message) == GST_OBJECT (self->parts[role].pipeline) ||
         gst_object_has_as_ancestor (GST_MESSAGE_SRC (message),
                                     GST_OBJECT (self->parts[role].pipeline))))
      break;
  if (role == MC_DEVICE_ROLE_LAST)
    return G_SOURCE_CONTINUE;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (message, "level"))
        set_level (self, level_from_message (gst_message_get_structure (message)));
      break;

    case GST_MESSAGE_EOS:
      /* Only the test sound ends by itself. */
      self->parts[role].bus_watch = 0;
      stop_part (self, role);
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) error = error_from_message (role, message);

        self->parts[role].bus_watch = 0;
        stop_part (self, role);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, (int) role, error);
        return G_SOURCE_REMOVE;
      }

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* Elements made for a part that could not be built. */
static void
drop_elements (GstElement **elements,
               guint        n_elements)
{
  for (guint i = 0; i < n_elements; i++)
    if (elements[i] != NULL)
      gst_object_unref (gst_object_ref_sink (elements[i]));
}

/* Links the elements in a new pipeline and starts it; on failure, the
 * error GStreamer posted (a device that is busy, say) is the one told. */
static gboolean
start_part (McMediaPreview *self,
            McDeviceRole    role,
            GstElement    **elements,
            guint           n_elements,
            GError        **error)
{
  static const char * const names[MC_DEVICE_ROLE_LAST] = {
    "mc-preview-video",
    "mc-preview-audio",
    "mc-preview-sound",
  };
  static const char * const what_failed[MC_DEVICE_ROLE_LAST] = {
    N_ ("The camera cannot be started"),
    N_ ("The microphone cannot be started"),
    N_ ("The speaker cannot be started"),
  };
  g_autoptr (GstElement) pipeline = gst_pipeline_new (names[role]);
  g_autoptr (GstBus)     bus = gst_element_get_bus (pipeline);
  Part                  *part = &self->parts[role];

  for (guint i = 0; i < n_elements; i++)
    gst_bin_add (GST_BIN (pipeline), elements[i]);

  for (guint i = 0; i + 1 < n_elements; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      {
        g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE, "Cannot link %s to %s",
                     GST_ELEMENT_NAME (elements[i]), GST_ELEMENT_NAME (elements[i + 1]));
        gst_element_set_state (pipeline, GST_STATE_NULL);
        return FALSE;
      }

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr (GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

      if (message != NULL)
        g_propagate_error (error, error_from_message (role, message));
      else
        g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, _ (what_failed[role]));
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return FALSE;
    }

  part->pipeline = g_steal_pointer (&pipeline);
  part->bus_watch = gst_bus_add_watch (bus, bus_cb, self);
  notify_running (self, role);

  return TRUE;
}

static void
mc_media_preview_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  McMediaPreview *self = MC_MEDIA_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      g_value_set_double (value, self->level);
      break;

    case PROP_VIDEO_RUNNING:
      g_value_set_boolean (value, mc_media_preview_get_video_running (self));
      break;

    case PROP_AUDIO_RUNNING:
      g_value_set_boolean (value, mc_media_preview_get_audio_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_media_preview_dispose (GObject *object)
{
  McMediaPreview *self = MC_MEDIA_PREVIEW (object);

  for (McDeviceRole role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    {
      g_clear_handle_id (&self->parts[role].bus_watch, g_source_remove);
      if (self->parts[role].pipeline != NULL)
        gst_element_set_state (self->parts[role].pipeline, GST_STATE_NULL);
      g_clear_object (&self->parts[role].pipeline);
    }
  g_clear_object (&self->devices);

  G_OBJECT_CLASS (mc_media_preview_parent_class)->dispose (object);
}

static void
mc_media_preview_class_init (McMediaPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mc_media_preview_get_property;
  object_class->dispose = mc_media_preview_dispose;

  /**
   * McMediaPreview:level:
   *
   * The microphone's peak level, from 0 (silence) to 1 (full scale).
   */
  properties[PROP_LEVEL] =
    g_param_spec_double ("level", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_VIDEO_RUNNING] =
    g_param_spec_boolean ("video-running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_AUDIO_RUNNING] =
    g_param_spec_boolean ("audio-running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McMediaPreview::error:
   * @role: the device's #McDeviceRole
   * @error: what went wrong
   *
   * A running part of the preview failed and was stopped.
   */
  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        G_TYPE_INT, G_TYPE_ERROR);
}

static void
mc_media_preview_init (McMediaPreview *self)
{
}

/**
 * mc_media_preview_new:
 * @devices: the devices to preview
 *
 * Returns: (transfer full): a preview with nothing running
 */
McMediaPreview *
mc_media_preview_new (McMediaDevices *devices)
{
  McMediaPreview *self;

  g_return_val_if_fail (MC_IS_MEDIA_DEVICES (devices), NULL);

  self = g_object_new (MC_TYPE_MEDIA_PREVIEW, NULL);
  self->devices = g_object_ref (devices);

  return self;
}

/**
 * mc_media_preview_set_test_sources:
 * @self: a preview
 * @test_sources: whether to show a test pattern and meter a tone, as a call
 *   with test sources sends them
 *
 * Takes effect at the next start.
 */
void
mc_media_preview_set_test_sources (McMediaPreview *self,
                                   gboolean        test_sources)
{
  g_return_if_fail (MC_IS_MEDIA_PREVIEW (self));

  self->test_sources = !!test_sources;
}

/**
 * mc_media_preview_start_video:
 * @self: a preview
 * @identity: (nullable): the camera; %NULL or empty for the first one
 * @sink: (transfer floating): where the frames go (any raw video format)
 * @error: why it cannot start
 *
 * Starts the camera, replacing what ran before.
 *
 * Returns: %TRUE if the camera runs
 */
gboolean
mc_media_preview_start_video (McMediaPreview *self,
                              const char     *identity,
                              GstElement     *sink,
                              GError        **error)
{
  g_autoptr (GstElement) owned_sink = NULL;
  GstElement            *elements[5] = { NULL };
  guint                  n = 0;

  g_return_val_if_fail (MC_IS_MEDIA_PREVIEW (self), FALSE);
  g_return_val_if_fail (GST_IS_ELEMENT (sink), FALSE);

  owned_sink = gst_object_ref_sink (sink);
  stop_part (self, MC_DEVICE_ROLE_CAMERA);

  if (self->test_sources)
    {
      elements[n] = mc_call_make_element ("videotestsrc", NULL, error);
      if (elements[n] != NULL)
        g_object_set (elements[n], "is-live", TRUE, "horizontal-speed", 4, NULL);
    }
  else
    elements[n] = mc_media_devices_create_element (self->devices, MC_DEVICE_ROLE_CAMERA, identity,
                                                   error);
  if (elements[n++] == NULL)
    goto fail;

  /* Whatever the camera gives, a 16:9 picture of a size a preview needs. */
  if ((elements[n++] = mc_call_make_element ("videoconvert", NULL, error)) == NULL ||
      (elements[n++] = mc_call_make_element ("videoscale", NULL, error)) == NULL ||
      (elements[n++] = mc_call_make_element ("capsfilter", NULL, error)) == NULL)
    goto fail;
  {
    g_autoptr (GstCaps) caps = gst_caps_new_simple ("video/x-raw",
                                                    "width", G_TYPE_INT, 640,
                                                    "height", G_TYPE_INT, 360,
                                                    "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                                    NULL);
    g_object_set (elements[n - 1], "caps", caps, NULL);
  }
  /* Not floating any more: the bin takes a reference of its own, and ours
   * goes when we return. */
  elements[n++] = owned_sink;

  return start_part (self, MC_DEVICE_ROLE_CAMERA, elements, n, error);

fail:
  drop_elements (elements, n);
  return FALSE;
}

/**
 * mc_media_preview_stop_video:
 * @self: a preview
 */
void
mc_media_preview_stop_video (McMediaPreview *self)
{
  g_return_if_fail (MC_IS_MEDIA_PREVIEW (self));

  stop_part (self, MC_DEVICE_ROLE_CAMERA);
}

/**
 * mc_media_preview_start_audio:
 * @self: a preview
 * @identity: (nullable): the microphone; %NULL or empty for the first one
 * @error: why it cannot start
 *
 * Starts metering the microphone (see #McMediaPreview:level), replacing
 * what ran before.
 *
 * Returns: %TRUE if the microphone runs
 */
gboolean
mc_media_preview_start_audio (McMediaPreview *self,
                              const char     *identity,
                              GError        **error)
{
  GstElement *elements[4] = { NULL };
  guint       n = 0;

  g_return_val_if_fail (MC_IS_MEDIA_PREVIEW (self), FALSE);

  stop_part (self, MC_DEVICE_ROLE_MICROPHONE);

  if (self->test_sources)
    {
      elements[n] = mc_call_make_element ("audiotestsrc", NULL, error);
      if (elements[n] != NULL)
        g_object_set (elements[n], "is-live", TRUE, "volume", 0.2, "freq", 440.0, NULL);
    }
  else
    elements[n] = mc_media_devices_create_element (self->devices, MC_DEVICE_ROLE_MICROPHONE,
                                                   identity, error);
  if (elements[n++] == NULL)
    goto fail;

  if ((elements[n++] = mc_call_make_element ("audioconvert", NULL, error)) == NULL ||
      (elements[n++] = mc_call_make_element ("level", NULL, error)) == NULL ||
      (elements[n++] = mc_call_make_element ("fakesink", NULL, error)) == NULL)
    goto fail;

  g_object_set (elements[2], "interval", (guint64) LEVEL_INTERVAL_NS, "post-messages", TRUE, NULL);
  g_object_set (elements[3], "sync", FALSE, NULL);

  return start_part (self, MC_DEVICE_ROLE_MICROPHONE, elements, n, error);

fail:
  drop_elements (elements, n);
  return FALSE;
}

/**
 * mc_media_preview_stop_audio:
 * @self: a preview
 */
void
mc_media_preview_stop_audio (McMediaPreview *self)
{
  g_return_if_fail (MC_IS_MEDIA_PREVIEW (self));

  stop_part (self, MC_DEVICE_ROLE_MICROPHONE);
}

/**
 * mc_media_preview_play_sound:
 * @self: a preview
 * @speaker_identity: (nullable): the speaker; %NULL or empty for the default
 * @error: why it cannot play
 *
 * Plays a short tone on the speaker, so that the user hears where the call
 * will sound. Playing again restarts it.
 *
 * Returns: %TRUE if the tone plays
 */
gboolean
mc_media_preview_play_sound (McMediaPreview *self,
                             const char     *speaker_identity,
                             GError        **error)
{
  GstElement *elements[4] = { NULL };
  guint       n = 0;

  g_return_val_if_fail (MC_IS_MEDIA_PREVIEW (self), FALSE);

  stop_part (self, MC_DEVICE_ROLE_SPEAKER);

  if ((elements[n++] = mc_call_make_element ("audiotestsrc", NULL, error)) == NULL ||
      (elements[n++] = mc_call_make_element ("audioconvert", NULL, error)) == NULL ||
      (elements[n++] = mc_call_make_element ("audioresample", NULL, error)) == NULL)
    goto fail;

  /* 48 kHz in 10 ms buffers: one second. */
  g_object_set (elements[0], "freq", 660.0, "volume", 0.3, "samplesperbuffer", 480,
                "num-buffers", 100 * SOUND_SECONDS, NULL);

  elements[n] = mc_media_devices_create_element (self->devices, MC_DEVICE_ROLE_SPEAKER,
                                                 speaker_identity, error);
  if (elements[n++] == NULL)
    goto fail;

  return start_part (self, MC_DEVICE_ROLE_SPEAKER, elements, n, error);

fail:
  drop_elements (elements, n);
  return FALSE;
}

/**
 * mc_media_preview_get_level:
 * @self: a preview
 *
 * Returns: the microphone's level, from 0 to 1
 */
double
mc_media_preview_get_level (McMediaPreview *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PREVIEW (self), 0.0);

  return self->level;
}

/**
 * mc_media_preview_get_video_running:
 * @self: a preview
 *
 * Returns: whether the camera (or the test pattern) runs
 */
gboolean
mc_media_preview_get_video_running (McMediaPreview *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PREVIEW (self), FALSE);

  return self->parts[MC_DEVICE_ROLE_CAMERA].pipeline != NULL;
}

/**
 * mc_media_preview_get_audio_running:
 * @self: a preview
 *
 * Returns: whether the microphone (or the test tone) is metered
 */
gboolean
mc_media_preview_get_audio_running (McMediaPreview *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PREVIEW (self), FALSE);

  return self->parts[MC_DEVICE_ROLE_MICROPHONE].pipeline != NULL;
}
