/* mc-media-pipeline-private.h — what the parts of McMediaPipeline share
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the mc-media-pipeline*.c files include this; everything else uses
 * mc-media-pipeline.h.
 */

#pragma once

#include <gio/gio.h>

#include "mc-call-error.h"
#include "mc-media-devices.h"
#include "mc-media-pipeline.h"

G_BEGIN_DECLS

struct _McMediaPipeline
{
  GObject parent_instance;

  /* Configuration, fixed at construction. */
  gboolean    test_sources;
  char       *wanted_device[2];
  guint       width;
  guint       height;
  guint       framerate;
  guint       video_bitrate;
  gboolean    stamp_frames;
  gboolean    fake_audio_output;
  char       *audio_output_device;
  gboolean    echo_cancel_wanted;
  GstElement *video_sink;
  GstElement *preview_sink;
  GHashTable *overrides;

  /* Main context only. */
  GstElement       *pipeline;
  guint             bus_watch;
  GstElement       *source_bin[2];
  GstElement       *source_entry[2];
  GstDevice        *device[2];
  char             *device_id[2];
  GstDeviceMonitor *monitor;
  guint             monitor_watch;
  gboolean          echo_cancel;
  GstElement       *speaker_sink; /* the pipeline's, or NULL without sound */
  char             *speaker_id;   /* its identity, NULL for the default output */
  char             *speaker_name; /* its name, NULL for the default output */
  char             *probe_name;
  GstElement       *volume;
  GstElement       *remote_src[2];
  gboolean          screen_share;
  guint             screen_width; /* the shared screen as sent at best, or 0 */
  guint             screen_height;
  GstElement       *video_filter;
  GstElement       *video_encoder;
  GstElement       *audio_encoder;
  guint             current_width;
  guint             current_height;
  guint             current_framerate;
  guint             current_bitrate;
  guint             audio_loss;
  GTask            *start_task;
  guint             start_timeout;
  GCancellable     *start_cancellable;
  gulong            cancelled_id;

  /* Shared with streaming threads. */
  GMutex     lock;
  GstAppSrc *output[2];
  GstPad    *encoder_src_pad;
  GstCaps   *pending_video_caps; /* the next format, for the capture thread to apply */
  gint64     last_key_unit;
  gboolean   key_unit_pending; /* requested, not yet out of the encoder */
  gint       camera_off;
  gint       sharing_screen; /* the probe's copy of screen_share */
  gint       first_video_sample;
  gint       video_paused;
  gint64     last_encoded[2]; /* monotonic time of the last encoded sample */
};

enum
{
  SIGNAL_DEVICE_CHANGED,
  SIGNAL_DEVICE_LOST,
  SIGNAL_DEVICES_CHANGED,
  SIGNAL_SCREEN_SHARE_STOPPED,
  SIGNAL_SCREEN_SIZE_CHANGED,
  SIGNAL_ERROR,
  SIGNAL_INPUT_LEVEL,
  SIGNAL_OUTPUT_LEVEL,
  N_SIGNALS
};

extern guint              mc_media_pipeline_signals[N_SIGNALS];
extern const char * const mc_media_pipeline_kind_names[2];

/* The object: mc-media-pipeline.c */
GstElement *mc_media_pipeline_make (McMediaPipeline *self,
                                    const char      *factory,
                                    const char      *name,
                                    GError         **error);
gboolean    mc_media_pipeline_start_done_cb (gpointer user_data);

/* The encoding and playback chains: mc-media-pipeline-chains.c */
gboolean mc_media_pipeline_build_video (McMediaPipeline *self,
                                        GError         **error);
gboolean mc_media_pipeline_build_audio (McMediaPipeline *self,
                                        GError         **error);
gboolean mc_media_pipeline_build_playback (McMediaPipeline *self,
                                           GError         **error);
void     mc_media_pipeline_lose_speaker (McMediaPipeline *self);

/* The sources: mc-media-pipeline-sources.c */
GstElement *mc_media_pipeline_wrap_in_bin (const char *name,
                                           GstElement *first,
                                           ...) G_GNUC_NULL_TERMINATED;
gboolean    mc_media_pipeline_replace_source (McMediaPipeline *self,
                                              McMediaKind      kind,
                                              GstElement      *bin);
GstElement *mc_media_pipeline_choose_source (McMediaPipeline *self,
                                             McMediaKind      kind,
                                             GstDevice       *except,
                                             gboolean         lost,
                                             GError         **error);
void        mc_media_pipeline_switch_source (McMediaPipeline *self,
                                             McMediaKind      kind);
void        mc_media_pipeline_watch_devices (McMediaPipeline *self);
void        mc_media_pipeline_unwatch_devices (McMediaPipeline *self);

/* Adaptation to the path: mc-media-pipeline-adapt.c */
GstPadProbeReturn mc_media_pipeline_paused_video_cb (GstPad          *pad,
                                                     GstPadProbeInfo *info,
                                                     gpointer         user_data);
GstPadProbeReturn mc_media_pipeline_apply_video_format_cb (GstPad          *pad,
                                                           GstPadProbeInfo *info,
                                                           gpointer         user_data);
void              mc_media_pipeline_apply_video_format (McMediaPipeline *self);

/* Screen sharing: mc-media-pipeline-screen.c */
gboolean mc_media_pipeline_stop_screen_share (McMediaPipeline *self,
                                              const char      *failure);

/* A shared screen is sent at most this large (scaled down, keeping its
 * shape) and this often. */
#define MC_SCREEN_MAX_WIDTH  1920
#define MC_SCREEN_MAX_HEIGHT 1080
#define MC_SCREEN_FRAMERATE  15

G_END_DECLS
