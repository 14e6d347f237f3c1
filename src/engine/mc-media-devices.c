/* mc-media-devices.c — cameras, microphones and speakers, as they come and go
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GstDeviceMonitor for the three kinds of device a call uses, with the
 * stable identity the settings keep for each device and a "changed" signal
 * when one is plugged in or out. The pre-join screen lists the devices with
 * it and makes its preview's elements with it. A machine without any device
 * provider (a container, CI) simply has empty lists.
 */

#define G_LOG_DOMAIN "mc-media-devices"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-call-error.h"
#include "mc-media-devices.h"

struct _McMediaDevices
{
  GObject parent_instance;

  GstDeviceMonitor *monitor;
  guint             bus_watch;
  gboolean          started;
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McMediaDevices, mc_media_devices, G_TYPE_OBJECT)

static const char * const role_classes[MC_DEVICE_ROLE_LAST] = {
  "Video/Source",
  "Audio/Source",
  "Audio/Sink",
};

static const char * const role_names[MC_DEVICE_ROLE_LAST] = {
  "camera",
  "microphone",
  "speaker",
};

/**
 * mc_media_device_info_free:
 * @info: (transfer full) (nullable): a device's description
 */
void
mc_media_device_info_free (McMediaDeviceInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->identity);
  g_free (info->display_name);
  g_free (info);
}

/**
 * mc_device_role_get_classes:
 * @role: a role
 *
 * Returns: the GStreamer device classes of @role, e.g. "Video/Source"
 */
const char *
mc_device_role_get_classes (McDeviceRole role)
{
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  return role_classes[role];
}

/**
 * mc_media_device_get_identity:
 * @device: a device
 *
 * A device's stable identity: what stays the same when it is unplugged and
 * plugged in again, or when another device appears. The display name does
 * not (two identical webcams); the device path, the PipeWire node name and
 * PulseAudio's internal name do.
 *
 * Returns: (transfer full): the identity
 */
char *
mc_media_device_get_identity (GstDevice *device)
{
  static const char * const keys[] = { "node.name", "api.v4l2.path", "device.path", "object.path" };
  g_autoptr (GstStructure)  properties = NULL;

  g_return_val_if_fail (GST_IS_DEVICE (device), NULL);

  properties = gst_device_get_properties (device);
  for (guint i = 0; properties != NULL && i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = gst_structure_get_string (properties, keys[i]);

      if (value != NULL && *value != '\0')
        return g_strdup (value);
    }

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (device), "internal-name") != NULL)
    {
      g_autofree char *name = NULL;

      g_object_get (device, "internal-name", &name, NULL);
      if (name != NULL && *name != '\0')
        return g_steal_pointer (&name);
    }

  return gst_device_get_display_name (device);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  McMediaDevices *self = MC_MEDIA_DEVICES (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_DEVICE_ADDED:
    case GST_MESSAGE_DEVICE_REMOVED:
    case GST_MESSAGE_DEVICE_CHANGED:
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static void
mc_media_devices_dispose (GObject *object)
{
  McMediaDevices *self = MC_MEDIA_DEVICES (object);

  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->monitor != NULL && self->started)
    gst_device_monitor_stop (self->monitor);
  self->started = FALSE;
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (mc_media_devices_parent_class)->dispose (object);
}

static void
mc_media_devices_class_init (McMediaDevicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_media_devices_dispose;

  /**
   * McMediaDevices::changed:
   *
   * A device was plugged in, unplugged or changed: lists should be read again.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
mc_media_devices_init (McMediaDevices *self)
{
  g_autoptr (GstBus) bus = NULL;

  self->monitor = gst_device_monitor_new ();
  for (guint i = 0; i < MC_DEVICE_ROLE_LAST; i++)
    gst_device_monitor_add_filter (self->monitor, role_classes[i], NULL);

  bus = gst_device_monitor_get_bus (self->monitor);
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);

  /* No provider at all (no PipeWire, no PulseAudio, no V4L2) is not an
   * error: there are no devices, and the call sends test sources. */
  self->started = gst_device_monitor_start (self->monitor);
  if (!self->started)
    g_debug ("No device provider could start: no devices");
}

/**
 * mc_media_devices_new:
 *
 * Starts watching the devices. gst_init() must have been called.
 *
 * Returns: (transfer full): the device list
 */
McMediaDevices *
mc_media_devices_new (void)
{
  return g_object_new (MC_TYPE_MEDIA_DEVICES, NULL);
}

/**
 * mc_media_devices_list:
 * @self: the devices
 * @role: which ones
 *
 * Returns: (transfer full) (element-type McMediaDeviceInfo): the devices of
 *   @role, in the monitor's order, without two of the same identity
 */
GPtrArray *
mc_media_devices_list (McMediaDevices *self,
                       McDeviceRole    role)
{
  g_autolist (GstDevice) devices = NULL;
  GPtrArray             *list;

  g_return_val_if_fail (MC_IS_MEDIA_DEVICES (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) mc_media_device_info_free);
  if (!self->started)
    return list;

  devices = gst_device_monitor_get_devices (self->monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      McMediaDeviceInfo *info;
      g_autofree char   *identity = NULL;
      gboolean           seen = FALSE;

      if (!gst_device_has_classes (l->data, role_classes[role]))
        continue;

      /* PipeWire and PulseAudio may both list the same microphone. */
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

/**
 * mc_media_devices_find:
 * @self: the devices
 * @role: which kind
 * @identity: (nullable): a device's identity; %NULL or empty for the first
 *
 * Returns: (transfer full) (nullable): the device, if it is there
 */
GstDevice *
mc_media_devices_find (McMediaDevices *self,
                       McDeviceRole    role,
                       const char     *identity)
{
  g_autolist (GstDevice) devices = NULL;

  g_return_val_if_fail (MC_IS_MEDIA_DEVICES (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  if (!self->started)
    return NULL;

  if (identity != NULL && *identity == '\0')
    identity = NULL;

  devices = gst_device_monitor_get_devices (self->monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autofree char *id = NULL;

      if (!gst_device_has_classes (l->data, role_classes[role]))
        continue;

      id = mc_media_device_get_identity (l->data);
      if (identity == NULL || g_strcmp0 (id, identity) == 0)
        return gst_object_ref (l->data);
    }

  return NULL;
}

/**
 * mc_media_devices_create_element:
 * @self: the devices
 * @role: which kind
 * @identity: (nullable): the chosen device; %NULL or empty for the default
 * @error: where a missing device is told
 *
 * Makes the element that captures from, or plays to, the chosen device. A
 * chosen device that is gone falls back to the default, as a call does. The
 * default camera and microphone are the first ones listed; the default
 * speaker is the sound server's own default (autoaudiosink).
 *
 * Returns: (transfer floating) (nullable): the element, or %NULL with
 *   @error set when there is no such device at all
 */
GstElement *
mc_media_devices_create_element (McMediaDevices *self,
                                 McDeviceRole    role,
                                 const char     *identity,
                                 GError        **error)
{
  g_autoptr (GstDevice) device = NULL;
  g_autofree char      *display_name = NULL;
  GstElement           *element;

  g_return_val_if_fail (MC_IS_MEDIA_DEVICES (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  if (identity != NULL && *identity != '\0')
    {
      device = mc_media_devices_find (self, role, identity);
      if (device == NULL)
        g_message ("The chosen %s is not there: using the default one", role_names[role]);
    }

  if (device == NULL && role == MC_DEVICE_ROLE_SPEAKER)
    return mc_call_make_element ("autoaudiosink", NULL, error);

  if (device == NULL)
    device = mc_media_devices_find (self, role, NULL);
  if (device == NULL)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                           role == MC_DEVICE_ROLE_CAMERA ? _ ("No camera was found")
                                                         : _ ("No microphone was found"));
      return NULL;
    }

  element = gst_device_create_element (device, NULL);
  if (element == NULL)
    {
      display_name = gst_device_get_display_name (device);
      if (role == MC_DEVICE_ROLE_CAMERA)
        /* Translators: %s is a device's name */
        g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _ ("The camera “%s” cannot be opened"), display_name);
      else if (role == MC_DEVICE_ROLE_MICROPHONE)
        /* Translators: %s is a device's name */
        g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _ ("The microphone “%s” cannot be opened"), display_name);
      else
        /* Translators: %s is a device's name */
        g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _ ("The speaker “%s” cannot be opened"), display_name);
      return NULL;
    }

  if (role != MC_DEVICE_ROLE_SPEAKER &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (element), "do-timestamp") != NULL)
    g_object_set (element, "do-timestamp", TRUE, NULL);

  return element;
}
