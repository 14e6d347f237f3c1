/* mc-media-pipeline.h — the long-lived capture, encode and playback pipeline
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>

#include "mc-media-devices.h"

G_BEGIN_DECLS

/**
 * McMediaKind:
 * @MC_MEDIA_KIND_AUDIO: the microphone, or a test tone
 * @MC_MEDIA_KIND_VIDEO: the camera, or a test pattern
 *
 * The two media of a call.
 */
typedef enum
{
  MC_MEDIA_KIND_AUDIO,
  MC_MEDIA_KIND_VIDEO,
} McMediaKind;

#define MC_TYPE_MEDIA_KIND     (mc_media_kind_get_type ())
#define MC_TYPE_MEDIA_PIPELINE (mc_media_pipeline_get_type ())

GType mc_media_kind_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (McMediaPipeline, mc_media_pipeline, MC, MEDIA_PIPELINE, GObject)

/**
 * McMediaConfig:
 * @test_sources: use the test pattern and tone instead of devices
 * @video_device: (nullable): stable identity of the camera to use
 * @audio_device: (nullable): stable identity of the microphone to use
 * @audio_output_device: (nullable): stable identity of the speaker to play
 *   to; the default output (`autoaudiosink`) if %NULL, empty or not found
 * @width: width of the video sent
 * @height: height of the video sent
 * @framerate: frames per second sent
 * @video_bitrate: target video bitrate in bits per second; 0 for a default
 *   that follows the resolution
 * @stamp_frames: draw the capture time into each frame (latency benchmark)
 * @fake_audio_output: play remote audio to a fake sink
 * @echo_cancel: cancel echo and suppress noise when real devices are used
 * @video_sink: (nullable): where remote video goes; a fake sink if %NULL
 * @preview_sink: (nullable): where the local video preview goes, if anywhere
 * @overrides: (nullable): element factory overrides, for tests
 *
 * What a #McMediaPipeline captures and plays; fixed once it has started.
 */
typedef struct
{
  gboolean    test_sources;
  const char *video_device;
  const char *audio_device;
  const char *audio_output_device;
  guint       width;
  guint       height;
  guint       framerate;
  guint       video_bitrate;
  gboolean    stamp_frames;
  gboolean    fake_audio_output;
  gboolean    echo_cancel;
  GstElement *video_sink;
  GstElement *preview_sink;
  GHashTable *overrides;
} McMediaConfig;

McMediaPipeline *mc_media_pipeline_new (const McMediaConfig *config);

void     mc_media_pipeline_start_async (McMediaPipeline    *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mc_media_pipeline_start_finish (McMediaPipeline *self,
                                         GAsyncResult    *result,
                                         GError         **error);
void     mc_media_pipeline_stop (McMediaPipeline *self);

GstClock    *mc_media_pipeline_get_clock (McMediaPipeline *self);
GstClockTime mc_media_pipeline_get_base_time (McMediaPipeline *self);

void   mc_media_pipeline_set_outputs (McMediaPipeline *self,
                                      GstAppSrc       *video,
                                      GstAppSrc       *audio);
void   mc_media_pipeline_clear_outputs (McMediaPipeline *self,
                                        GstAppSrc       *video);
void   mc_media_pipeline_push_remote (McMediaPipeline *self,
                                      McMediaKind      kind,
                                      GstSample       *sample);
void   mc_media_pipeline_force_key_unit (McMediaPipeline *self);
gint64 mc_media_pipeline_get_last_encoded_time (McMediaPipeline *self,
                                                McMediaKind      kind);
void   mc_media_pipeline_ensure_key_unit (McMediaPipeline *self);

void     mc_media_pipeline_set_video_bitrate (McMediaPipeline *self,
                                              guint            bitrate);
guint    mc_media_pipeline_get_video_bitrate (McMediaPipeline *self);
void     mc_media_pipeline_set_video_format (McMediaPipeline *self,
                                             guint            width,
                                             guint            height,
                                             guint            framerate);
void     mc_media_pipeline_get_video_format (McMediaPipeline *self,
                                             guint           *width,
                                             guint           *height,
                                             guint           *framerate);
void     mc_media_pipeline_set_video_paused (McMediaPipeline *self,
                                             gboolean         paused);
gboolean mc_media_pipeline_get_video_paused (McMediaPipeline *self);
void     mc_media_pipeline_set_audio_loss (McMediaPipeline *self,
                                           guint            percent);
guint    mc_media_pipeline_get_audio_loss (McMediaPipeline *self);

void        mc_media_pipeline_set_muted (McMediaPipeline *self,
                                         gboolean         muted);
void        mc_media_pipeline_set_camera_off (McMediaPipeline *self,
                                              gboolean         camera_off);
const char *mc_media_pipeline_get_device_id (McMediaPipeline *self,
                                             McMediaKind      kind);
gboolean    mc_media_pipeline_set_source_device (McMediaPipeline *self,
                                                 McMediaKind      kind,
                                                 const char      *identity,
                                                 GError         **error);
gboolean    mc_media_pipeline_set_speaker (McMediaPipeline *self,
                                           const char      *identity,
                                           GError         **error);
const char *mc_media_pipeline_get_speaker (McMediaPipeline *self);
GPtrArray  *mc_media_pipeline_list_devices (McMediaPipeline *self,
                                            McDeviceRole     role);
gboolean    mc_media_pipeline_get_echo_cancel (McMediaPipeline *self);

gboolean mc_media_pipeline_can_share_screen (GError **error);
gboolean mc_media_pipeline_set_screen_share (McMediaPipeline *self,
                                             gboolean         share,
                                             GError         **error);
gboolean mc_media_pipeline_get_screen_share (McMediaPipeline *self);
gboolean mc_media_pipeline_can_share_pipewire (GError **error);
gboolean mc_media_pipeline_share_pipewire (McMediaPipeline *self,
                                           int              fd,
                                           guint32          node_id,
                                           guint            width,
                                           guint            height,
                                           GError         **error);
void     mc_media_pipeline_get_screen_size (McMediaPipeline *self,
                                            guint           *width,
                                            guint           *height);

G_END_DECLS
