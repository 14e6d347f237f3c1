/* mc-frame-stamp.h — a machine-readable time stamp drawn into video frames
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

void     mc_frame_stamp_write (GstVideoFrame *frame,
                               gint64         value);
gboolean mc_frame_stamp_read  (GstVideoFrame *frame,
                               gint64        *value);

G_END_DECLS
