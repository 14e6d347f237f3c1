/* mc-video-sink.h — a GStreamer video sink that feeds a McVideoPaintable
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/video/video.h>

#include "mc-video-paintable.h"

G_BEGIN_DECLS

/**
 * MC_VIDEO_SINK_FORMATS:
 *
 * The raw video formats a #McVideoSink accepts, in system memory: those a
 * #GdkMemoryTexture of GTK 4.8 holds without conversion. Put `videoconvert`
 * in front of the sink for anything else (I420 from a decoder, BGRx from a
 * camera).
 */
#define MC_VIDEO_SINK_FORMATS "{ RGB, BGR, BGRA, RGBA, ARGB, ABGR }"

#define MC_TYPE_VIDEO_SINK (mc_video_sink_get_type ())

G_DECLARE_FINAL_TYPE (McVideoSink, mc_video_sink, MC, VIDEO_SINK, GstVideoSink)

GstElement       *mc_video_sink_new (void);
GstElement       *mc_video_sink_new_for_paintable (McVideoPaintable *paintable);
McVideoPaintable *mc_video_sink_get_paintable (McVideoSink *self);

G_END_DECLS
