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
  g_autofree char      *lost_name = lost != NULL ? gst_device_get_display_name (lost) : NULL;
  g_autofree char      *message = NULL;
  GstElement           *bin;

  bin = mc_media_pipeline_choose_source (self, kind, lost, TRUE, &error);
  if (bin == NULL || !mc_media_pipeline_replace_source (self, kind, bin))
    {
      if (error == NULL)
        g_set_error (&error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, "Cannot switch the %s source",
                     mc_media_pipeline_kind_names[kind]);
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, error);
      return;
    }
  mc_media_pipeline_ensure_key_unit (self);

  if (lost_name == NULL)
    return;

  /* The sentence for the user (the log has its own, above). */
  if (self->device[kind] != NULL)
    {
      g_autofree char *name = gst_device_get_display_name (self->device[kind]);

      message = kind == MC_MEDIA_KIND_VIDEO
                  /* Translators: both are cameras' names, e.g. "The camera “Integrated
                   * Camera” went away: using “USB Webcam”" */
                  ? g_strdup_printf (_ ("The camera “%s” went away: using “%s”"), lost_name, name)
                  /* Translators: both are microphones' names */
                  : g_strdup_printf (_ ("The microphone “%s” went away: using “%s”"), lost_name,
                                     name);
    }
  else
    {
      message = kind == MC_MEDIA_KIND_VIDEO
                  /* Translators: %s is a camera's name */
                  ? g_strdup_printf (_ ("The camera “%s” went away and no other camera is there"),
                                     lost_name)
                  /* Translators: %s is a microphone's name */
                  : g_strdup_printf (_ ("The microphone “%s” went away and no other microphone is "
                                        "there"),
                                     lost_name);
    }
  g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_LOST], 0,
                 kind == MC_MEDIA_KIND_VIDEO ? MC_DEVICE_ROLE_CAMERA : MC_DEVICE_ROLE_MICROPHONE,
                 message);
}

/* Starts @bin on its own, before it replaces anything: a device that
 * cannot be opened fails here, synchronously, and the source in use stays.
 * Live sources only pause (they send nothing yet), as the screen does.
 * (Going back to READY before linking, against a failure seen under
 * AddressSanitizer, made the call window's device test hang: not done.) */
static gboolean
try_start (GstElement *bin)
{
  if (gst_element_set_state (bin, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE)
    return TRUE;

  gst_element_set_state (bin, GST_STATE_NULL);
  return FALSE;
}

/**
 * mc_media_pipeline_set_source_device:
 * @self: a pipeline
 * @kind: the camera or the microphone
 * @identity: (nullable): the stable identity of the device to capture from
 *   (see mc_media_device_get_identity()); %NULL or empty for the first one
 * @error: return location for why it cannot be used
 *
 * Captures from another camera or microphone while the call runs: the
 * source bin in front of the encoding chain is replaced, as when a device
 * is unplugged, and nothing is renegotiated with the peer. The new device
 * is opened before the one in use is let go of, so a device that cannot be
 * opened fails here and the call keeps the device it had. The choice is
 * also remembered as the wanted one: hot-plug brings it back after it went
 * away. While the screen is shared the camera is only remembered, and used
 * when sharing stops. Before the start, it is what the start chooses.
 *
 * Returns: %TRUE if the device is used (or will be)
 */
gboolean
mc_media_pipeline_set_source_device (McMediaPipeline *self,
                                     McMediaKind      kind,
                                     const char      *identity,
                                     GError         **error)
{
  g_autoptr (GstDevice) device = NULL;
  g_autofree char      *display_name = NULL;
  g_autofree char      *message = NULL;
  GstElement           *bin;

  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (identity != NULL && *identity == '\0')
    identity = NULL;

  if (self->pipeline == NULL)
    {
      g_free (self->wanted_device[kind]);
      self->wanted_device[kind] = g_strdup (identity);
      return TRUE;
    }

  if (self->test_sources)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           kind == MC_MEDIA_KIND_VIDEO
                             ? _ ("The test pattern is sent instead of a camera")
                             : _ ("The test tone is sent instead of a microphone"));
      return FALSE;
    }

  device = find_device (self, kind, identity, NULL);
  if (device == NULL)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                           kind == MC_MEDIA_KIND_VIDEO ? _ ("That camera is not connected")
                                                       : _ ("That microphone is not connected"));
      return FALSE;
    }

  g_free (self->wanted_device[kind]);
  self->wanted_device[kind] = mc_media_device_get_identity (device);

  if (kind == MC_MEDIA_KIND_VIDEO && self->screen_share)
    return TRUE;
  if (self->device[kind] != NULL && g_strcmp0 (self->device_id[kind],
                                               self->wanted_device[kind]) == 0)
    return TRUE;

  display_name = gst_device_get_display_name (device);
  bin = make_device_bin (self, kind, device, error);
  if (bin == NULL)
    return FALSE;

  gst_object_ref_sink (bin);
  if (!try_start (bin))
    {
      gst_object_unref (bin);
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                   /* Translators: %s is a device's name */
                   kind == MC_MEDIA_KIND_VIDEO ? _ ("The camera “%s” cannot be started")
                                               : _ ("The microphone “%s” cannot be started"),
                   display_name);
      /* The one in use stays the wanted one. */
      g_free (self->wanted_device[kind]);
      self->wanted_device[kind] = g_strdup (self->device_id[kind]);
      return FALSE;
    }

  if (!mc_media_pipeline_replace_source (self, kind, bin))
    {
      gst_object_unref (bin);
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                   /* Translators: %s is a device's name */
                   kind == MC_MEDIA_KIND_VIDEO ? _ ("The camera “%s” cannot be used")
                                               : _ ("The microphone “%s” cannot be used"),
                   display_name);
      /* The old bin is gone: whatever else there is takes its place. */
      mc_media_pipeline_switch_source (self, kind);
      return FALSE;
    }
  gst_object_unref (bin);

  g_set_object (&self->device[kind], device);
  g_free (self->device_id[kind]);
  self->device_id[kind] = g_strdup (self->wanted_device[kind]);
  mc_media_pipeline_ensure_key_unit (self);

  message = g_strdup_printf ("Switched to the %s “%s”",
                             kind == MC_MEDIA_KIND_VIDEO ? "camera" : "microphone", display_name);
  g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED], 0, kind,
                 self->device_id[kind], message);

  return TRUE;
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

      if (self->speaker_id != NULL && self->speaker_sink != NULL &&
          gst_device_has_classes (device, "Audio/Sink") && g_strcmp0 (id, self->speaker_id) == 0)
        {
          g_message ("The speaker “%s” went away", id);
          mc_media_pipeline_lose_speaker (self);
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

  else if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_DEVICE_CHANGED)
    {
      return G_SOURCE_CONTINUE;
    }

  /* After the call's own sources followed the change. */
  g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICES_CHANGED], 0);

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
  /* The speaker played to, so that one unplugged is replaced. */
  gst_device_monitor_add_filter (self->monitor, "Audio/Sink", NULL);
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

/**
 * mc_media_pipeline_list_devices:
 * @self: a started pipeline
 * @role: which devices
 *
 * The devices the call's own device monitor sees (none with test sources),
 * for a menu that switches them: a second GstDeviceMonitor beside it would
 * stop it from seeing devices come and go (see find_speaker()).
 * ::devices-changed says when to read the list again.
 *
 * Returns: (transfer full) (element-type McMediaDeviceInfo): the devices
 *   of @role, in the monitor's order, without two of the same identity
 */
GPtrArray *
mc_media_pipeline_list_devices (McMediaPipeline *self,
                                McDeviceRole     role)
{
  g_autolist (GstDevice) devices = NULL;
  GPtrArray             *list;

  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) mc_media_device_info_free);
  if (self->monitor == NULL)
    return list;

  devices = gst_device_monitor_get_devices (self->monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      McMediaDeviceInfo *info;
      g_autofree char   *identity = NULL;
      gboolean           seen = FALSE;

      if (!gst_device_has_classes (l->data, mc_device_role_get_classes (role)))
        continue;

      identity = mc_media_device_get_identity (l->data);
      for (guint i = 0; i < list->len && !seen; i++)
        seen = g_strcmp0 (((McMediaDeviceInfo *) list->pdata[i])->identity, identity) == 0;
      if (seen)
        continue;

      info = g_new0 (McMediaDeviceInfo, 1);
      info->identity = g_steal_pointer (&identity);
      info->display_name = gst_device_get_display_name (l->data);
      g_ptr_array_add (list, info);
    }

  return list;
}
