/* mc-media-pipeline-sources.c — the media pipeline's sources: devices, hot-plug, test sources
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McMediaPipeline chooses what is captured, as a source bin in
 * front of the encoding chains (see the top of mc-media-pipeline.c): the
 * wanted camera or microphone, else any, else a test source; and it swaps
 * the bin when the device in use goes away or fails, or when the wanted one
 * comes back. The device monitor that tells it runs on the main context.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-media-devices.h"
#include "mc-media-pipeline-private.h"

static const char * const device_classes[2] = { "Audio/Source", "Video/Source" };

/* Helpers */

static GstDevice *
find_device (McMediaPipeline *self,
             McMediaKind      kind,
             const char      *identity,
             GstDevice       *except)
{
  g_autolist (GstDevice) devices = NULL;

  if (self->monitor == NULL)
    return NULL;

  devices = gst_device_monitor_get_devices (self->monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      GstDevice       *device = l->data;
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

GstElement *
mc_media_pipeline_wrap_in_bin (const char *name,
                               GstElement *first,
                               ...)
{
  GstElement        *bin = gst_bin_new (name);
  GstElement        *previous = NULL;
  GstElement        *element;
  g_autoptr (GstPad) pad = NULL;
  GstPad            *ghost;
  va_list            args;

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
make_test_video_bin (McMediaPipeline *self,
                     gboolean         off,
                     GError         **error)
{
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GstElement) filter = NULL;
  g_autoptr (GstElement) overlay = NULL;
  g_autoptr (GstCaps)    caps = NULL;

  source = mc_media_pipeline_make (self, "videotestsrc", NULL, error);
  if (source == NULL)
    return NULL;
  filter = mc_media_pipeline_make (self, "capsfilter", NULL, error);
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
    return mc_media_pipeline_wrap_in_bin ("video-source", g_steal_pointer (&source),
                                          g_steal_pointer (&filter), NULL);

  overlay = mc_media_pipeline_make (self, "timeoverlay", NULL, error);
  if (overlay == NULL)
    return NULL;
  g_object_set (overlay, "font-desc", "Sans 28", "shaded-background", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (overlay), "valignment", "bottom");
  gst_util_set_object_arg (G_OBJECT (overlay), "halignment", "right");

  return mc_media_pipeline_wrap_in_bin ("video-source", g_steal_pointer (&source),
                                        g_steal_pointer (&filter), g_steal_pointer (&overlay),
                                        NULL);
}

static GstElement *
make_test_audio_bin (McMediaPipeline *self,
                     gboolean         off,
                     GError         **error)
{
  g_autoptr (GstElement) source = mc_media_pipeline_make (self, "audiotestsrc", NULL, error);

  if (source == NULL)
    return NULL;

  /* 10 ms buffers: the capture side adds no more latency than Opus frames. */
  g_object_set (source, "is-live", TRUE, "samplesperbuffer", 480, "volume", 0.2, "freq", 440.0,
                NULL);
  if (off)
    gst_util_set_object_arg (G_OBJECT (source), "wave", "silence");

  return mc_media_pipeline_wrap_in_bin ("audio-source", g_steal_pointer (&source), NULL);
}

static GstElement *
make_device_bin (McMediaPipeline *self,
                 McMediaKind      kind,
                 GstDevice       *device,
                 GError         **error)
{
  GstElement      *source = gst_device_create_element (device, NULL);
  g_autofree char *display_name = gst_device_get_display_name (device);

  if (source == NULL)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                   /* Translators: %s is a device's name */
                   kind == MC_MEDIA_KIND_VIDEO ? _ ("The camera “%s” cannot be opened")
                                               : _ ("The microphone “%s” cannot be opened"),
                   display_name);
      return NULL;
    }

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (source), "do-timestamp") != NULL)
    g_object_set (source, "do-timestamp", TRUE, NULL);

  return mc_media_pipeline_wrap_in_bin (kind == MC_MEDIA_KIND_VIDEO ? "video-source"
                                                                    : "audio-source",
                                        source, NULL);
}

/* Puts @bin in place of the source bin of @kind, on the main context (see
 * "The swap" in docs/call-engine.md). Setting the old bin to NULL here joins
 * its streaming thread, which returns from the main chain at once since
 * nothing downstream blocks (the queues leak); so the old and the new
 * source are never in the main chain together, and linking the new one
 * sends its sticky events (stream-start, caps, segment) before its first
 * frame. The main chain's format is changed only between frames by the
 * thread that negotiates (mc_media_pipeline_apply_video_format_cb()), so the
 * new source's first negotiation has nothing to race with. */
gboolean
mc_media_pipeline_replace_source (McMediaPipeline *self,
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

  /* No source is linked now: the format the new one is for goes in before
   * it negotiates. */
  if (kind == MC_MEDIA_KIND_VIDEO)
    mc_media_pipeline_apply_video_format (self);

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
GstElement *
mc_media_pipeline_choose_source (McMediaPipeline *self,
                                 McMediaKind      kind,
                                 GstDevice       *except,
                                 gboolean         lost,
                                 GError         **error)
{
  g_autoptr (GstDevice) device = NULL;
  g_autoptr (GError)    local_error = NULL;
  g_autofree char      *message = NULL;
  GstElement           *bin = NULL;

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
          g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED], 0, kind,
                         self->device_id[kind], message);
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
                                 mc_media_pipeline_kind_names[kind]);
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
    g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED], 0, kind, NULL, message);

  return bin;
}

void
mc_media_pipeline_switch_source (McMediaPipeline *self,
                                 McMediaKind      kind)
{
  g_autoptr (GstDevice) lost = self->device[kind] != NULL ? gst_object_ref (self->device[kind]) : NULL;
  g_autoptr (GError)    error = NULL;
  GstElement           *bin;

  bin = mc_media_pipeline_choose_source (self, kind, lost, TRUE, &error);
  if (bin == NULL || !mc_media_pipeline_replace_source (self, kind, bin))
    {
      if (error == NULL)
        g_set_error (&error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, "Cannot switch the %s source",
                     mc_media_pipeline_kind_names[kind]);
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, error);
    }
}

/* Callbacks */

static gboolean
monitor_bus_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  McMediaPipeline      *self = MC_MEDIA_PIPELINE (user_data);
  g_autoptr (GstDevice) device = NULL;
  g_autofree char      *id = NULL;

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
              g_message ("The %s device “%s” went away", mc_media_pipeline_kind_names[kind],
                         id);
              mc_media_pipeline_switch_source (self, kind);
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
            mc_media_pipeline_switch_source (self, kind);
        }
    }

  return G_SOURCE_CONTINUE;
}

/* Starts watching the cameras and microphones (not with test sources). */
void
mc_media_pipeline_watch_devices (McMediaPipeline *self)
{
  g_autoptr (GstBus) bus = NULL;

  self->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (self->monitor, device_classes[MC_MEDIA_KIND_VIDEO], NULL);
  gst_device_monitor_add_filter (self->monitor, device_classes[MC_MEDIA_KIND_AUDIO], NULL);
  if (!gst_device_monitor_start (self->monitor))
    g_message ("Cannot watch for cameras and microphones: using test sources");
  bus = gst_device_monitor_get_bus (self->monitor);
  self->monitor_watch = gst_bus_add_watch (bus, monitor_bus_cb, self);
}

void
mc_media_pipeline_unwatch_devices (McMediaPipeline *self)
{
  if (self->monitor != NULL)
    {
      gst_device_monitor_stop (self->monitor);
      g_clear_handle_id (&self->monitor_watch, g_source_remove);
      g_clear_object (&self->monitor);
    }
}
