/* mc-media-devices.h — cameras, microphones and speakers, as they come and go
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * McDeviceRole:
 * @MC_DEVICE_ROLE_CAMERA: a video source
 * @MC_DEVICE_ROLE_MICROPHONE: an audio source
 * @MC_DEVICE_ROLE_SPEAKER: an audio sink
 *
 * What a device is used for in a call.
 */
typedef enum
{
  MC_DEVICE_ROLE_CAMERA,
  MC_DEVICE_ROLE_MICROPHONE,
  MC_DEVICE_ROLE_SPEAKER,
} McDeviceRole;

#define MC_DEVICE_ROLE_LAST (MC_DEVICE_ROLE_SPEAKER + 1)

/**
 * McMediaDeviceInfo:
 * @identity: the device's stable identity (see mc_media_device_get_identity())
 * @display_name: a name to show
 *
 * One device, as a list shows it.
 */
typedef struct
{
  char *identity;
  char *display_name;
} McMediaDeviceInfo;

void mc_media_device_info_free (McMediaDeviceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (McMediaDeviceInfo, mc_media_device_info_free)

#define MC_TYPE_MEDIA_DEVICES (mc_media_devices_get_type ())

G_DECLARE_FINAL_TYPE (McMediaDevices, mc_media_devices, MC, MEDIA_DEVICES, GObject)

char       *mc_media_device_get_identity (GstDevice *device);
const char *mc_device_role_get_classes (McDeviceRole role);

McMediaDevices *mc_media_devices_new (void);
GPtrArray      *mc_media_devices_list (McMediaDevices *self,
                                       McDeviceRole    role);
GstDevice      *mc_media_devices_find (McMediaDevices *self,
                                       McDeviceRole    role,
                                       const char     *identity);
GstElement     *mc_media_devices_create_element (McMediaDevices *self,
                                                 McDeviceRole    role,
                                                 const char     *identity,
                                                 GError        **error);

G_END_DECLS
