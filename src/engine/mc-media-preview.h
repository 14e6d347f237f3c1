/* mc-media-preview.h — the camera and microphone before a call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "mc-media-devices.h"

G_BEGIN_DECLS

#define MC_TYPE_MEDIA_PREVIEW (mc_media_preview_get_type ())

G_DECLARE_FINAL_TYPE (McMediaPreview, mc_media_preview, MC, MEDIA_PREVIEW, GObject)

McMediaPreview *mc_media_preview_new (McMediaDevices *devices);
void            mc_media_preview_set_test_sources (McMediaPreview *self,
                                                   gboolean        test_sources);
gboolean        mc_media_preview_start_video (McMediaPreview *self,
                                              const char     *identity,
                                              GstElement     *sink,
                                              GError        **error);
void            mc_media_preview_stop_video (McMediaPreview *self);
gboolean        mc_media_preview_start_audio (McMediaPreview *self,
                                              const char     *identity,
                                              GError        **error);
void            mc_media_preview_stop_audio (McMediaPreview *self);
gboolean        mc_media_preview_play_sound (McMediaPreview *self,
                                             const char     *speaker_identity,
                                             GError        **error);
double          mc_media_preview_get_level (McMediaPreview *self);
gboolean        mc_media_preview_get_video_running (McMediaPreview *self);
gboolean        mc_media_preview_get_audio_running (McMediaPreview *self);

G_END_DECLS
