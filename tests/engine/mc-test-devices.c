/* mc-test-devices.c — cameras, microphones and speakers made of test elements
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GstDeviceProvider of the tests' own, registered in the process as a
 * static plugin, so that the engine's GstDeviceMonitors (the call's and the
 * app's McMediaDevices) find "devices" on a machine that has none: each one
 * is a class ("Video/Source", "Audio/Source", "Audio/Sink"), a stable
 * identity (its "device.path", which mc_media_device_get_identity() reads)
 * and a gst-launch description of the element it makes, such as
 * "videotestsrc is-live=true pattern=white". A description that cannot
 * start ("filesrc location=/nonexistent") is a device that fails to open.
 * Devices can be plugged in and out during a test (hot-plug), and every
 * other device provider is ranked out, so no real device is ever used.
 */

#include "mc-test-devices.h"

#define MC_TEST_TYPE_DEVICE (mc_test_device_get_type ())
G_DECLARE_FINAL_TYPE (McTestDevice, mc_test_device, MC_TEST, DEVICE, GstDevice)

struct _McTestDevice
{
  GstDevice parent_instance;

  char *identity;
  char *description;
  gint  buffers; /* that reached a sink made of it */
};

G_DEFINE_FINAL_TYPE (McTestDevice, mc_test_device, GST_TYPE_DEVICE)

#define MC_TEST_TYPE_DEVICE_PROVIDER (mc_test_device_provider_get_type ())
G_DECLARE_FINAL_TYPE (McTestDeviceProvider, mc_test_device_provider, MC_TEST, DEVICE_PROVIDER, GstDeviceProvider)

struct _McTestDeviceProvider
{
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (McTestDeviceProvider, mc_test_device_provider, GST_TYPE_DEVICE_PROVIDER)

#define PROVIDER_NAME "mctestdeviceprovider"

/* The devices plugged in, in order; only the main thread changes it. */
static GList *plugged;

static void
handoff_cb (GstElement *sink,
            GstBuffer  *buffer,
            GstPad     *pad,
            gpointer    user_data)
{
  g_atomic_int_inc (&MC_TEST_DEVICE (user_data)->buffers);
}

static GstElement *
mc_test_device_create_element (GstDevice  *device,
                               const char *name)
{
  McTestDevice      *self = MC_TEST_DEVICE (device);
  g_autoptr (GError) error = NULL;
  GstElement        *element = gst_parse_launch (self->description, &error);

  g_assert_no_error (error);
  /* A speaker counts what it plays. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), "signal-handoffs") != NULL)
    {
      g_object_set (element, "signal-handoffs", TRUE, NULL);
      g_signal_connect_object (element, "handoff", G_CALLBACK (handoff_cb), self, 0);
    }
  if (name != NULL)
    gst_object_set_name (GST_OBJECT (element), name);

  return element;
}

static void
mc_test_device_finalize (GObject *object)
{
  McTestDevice *self = MC_TEST_DEVICE (object);

  g_free (self->identity);
  g_free (self->description);

  G_OBJECT_CLASS (mc_test_device_parent_class)->finalize (object);
}

static void
mc_test_device_class_init (McTestDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mc_test_device_finalize;
  GST_DEVICE_CLASS (klass)->create_element = mc_test_device_create_element;
}

static void
mc_test_device_init (McTestDevice *self)
{
}

static GList *
provider_probe (GstDeviceProvider *provider)
{
  return g_list_copy_deep (plugged, (GCopyFunc) (void (*) (void)) gst_object_ref, NULL);
}

static gboolean
provider_start (GstDeviceProvider *provider)
{
  for (GList *l = plugged; l != NULL; l = l->next)
    {
      GstObject *parent = gst_object_get_parent (l->data);

      /* Not floating: the provider takes a reference of its own. */
      if (parent == NULL)
        gst_device_provider_device_add (provider, l->data);
      else
        gst_object_unref (parent);
    }

  return TRUE;
}

static gboolean
is_child_of (gpointer           device,
             GstDeviceProvider *provider)
{
  g_autoptr (GstObject) parent = gst_object_get_parent (device);

  return parent == GST_OBJECT (provider);
}

/* Unparents them, so that the next start can add them again. */
static void
provider_stop (GstDeviceProvider *provider)
{
  for (GList *l = plugged; l != NULL; l = l->next)
    {
      if (is_child_of (l->data, provider))
        gst_device_provider_device_remove (provider, l->data);
    }
}

static void
mc_test_device_provider_class_init (McTestDeviceProviderClass *klass)
{
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS (klass);

  provider_class->probe = provider_probe;
  provider_class->start = provider_start;
  provider_class->stop = provider_stop;
  gst_device_provider_class_set_static_metadata (provider_class, "Mentorcall test devices",
                                                 "Source/Sink/Audio/Video",
                                                 "Test elements as devices",
                                                 "The Mentorcall authors");
}

static void
mc_test_device_provider_init (McTestDeviceProvider *self)
{
}

static gboolean
plugin_init (GstPlugin *plugin)
{
  return gst_device_provider_register (plugin, PROVIDER_NAME, GST_RANK_PRIMARY,
                                       MC_TEST_TYPE_DEVICE_PROVIDER);
}

static GstDeviceProvider *
get_provider (void)
{
  return gst_device_provider_factory_get_by_name (PROVIDER_NAME);
}

/* Registers the provider (once per process) and ranks every other one out,
 * so that only the test devices are seen. gst_init() first. */
void
mc_test_devices_register (void)
{
  static gboolean registered;
  GList          *factories;

  if (!registered)
    {
      g_assert_true (gst_plugin_register_static (GST_VERSION_MAJOR, GST_VERSION_MINOR,
                                                 "mctestdevices", "Mentorcall test devices",
                                                 plugin_init, "1.0", "GPL", "mentorcall",
                                                 "mentorcall", "https://example.invalid"));
      registered = TRUE;
    }

  factories = gst_device_provider_factory_list_get_device_providers (GST_RANK_NONE);
  for (GList *l = factories; l != NULL; l = l->next)
    {
      if (g_strcmp0 (gst_plugin_feature_get_name (l->data), PROVIDER_NAME) != 0)
        gst_plugin_feature_set_rank (l->data, GST_RANK_NONE);
    }
  gst_plugin_feature_list_free (factories);
}

/* Plugs a device in. */
void
mc_test_devices_add (const char *identity,
                     const char *display_name,
                     const char *device_class,
                     const char *description)
{
  g_autoptr (GstDeviceProvider) provider = get_provider ();
  g_autoptr (GstStructure)      properties = gst_structure_new ("mc-test-device", "device.path",
                                                                G_TYPE_STRING, identity, NULL);
  g_autoptr (GstCaps)           caps = gst_caps_new_any ();
  McTestDevice                 *device;

  g_assert_nonnull (provider);
  /* The monitor matches its filters' caps against the device's. */
  device = g_object_new (MC_TEST_TYPE_DEVICE, "display-name", display_name, "device-class",
                         device_class, "properties", properties, "caps", caps, NULL);
  device->identity = g_strdup (identity);
  device->description = g_strdup (description);
  gst_object_ref_sink (device);
  plugged = g_list_append (plugged, device);

  if (gst_device_provider_is_started (provider))
    gst_device_provider_device_add (provider, GST_DEVICE (device));
}

/* Unplugs a device. */
void
mc_test_devices_remove (const char *identity)
{
  g_autoptr (GstDeviceProvider) provider = get_provider ();

  for (GList *l = plugged; l != NULL; l = l->next)
    {
      McTestDevice *device = l->data;

      if (g_strcmp0 (device->identity, identity) != 0)
        continue;

      plugged = g_list_delete_link (plugged, l);
      if (is_child_of (device, provider))
        gst_device_provider_device_remove (provider, GST_DEVICE (device));
      gst_object_unref (device);
      return;
    }

  g_assert_not_reached ();
}

/* Unplugs them all. */
void
mc_test_devices_clear (void)
{
  while (plugged != NULL)
    mc_test_devices_remove (MC_TEST_DEVICE (plugged->data)->identity);
}

/* How many buffers the sinks made of a speaker played. */
guint
mc_test_devices_get_buffers (const char *identity)
{
  for (GList *l = plugged; l != NULL; l = l->next)
    {
      McTestDevice *device = l->data;

      if (g_strcmp0 (device->identity, identity) == 0)
        return (guint) g_atomic_int_get (&device->buffers);
    }

  g_assert_not_reached ();
}
