/* mc-video-paintable.h — a GdkPaintable showing the latest frame of a video stream
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MC_TYPE_VIDEO_PAINTABLE (mc_video_paintable_get_type ())

G_DECLARE_FINAL_TYPE (McVideoPaintable, mc_video_paintable, MC, VIDEO_PAINTABLE, GObject)

McVideoPaintable *mc_video_paintable_new (void);

/* Main context only. */
void        mc_video_paintable_clear (McVideoPaintable *self);
gboolean    mc_video_paintable_get_has_image (McVideoPaintable *self);
GdkTexture *mc_video_paintable_get_texture (McVideoPaintable *self);
double      mc_video_paintable_get_pixel_aspect_ratio (McVideoPaintable *self);
guint64     mc_video_paintable_get_frames_shown (McVideoPaintable *self);

/* Any thread. */
void    mc_video_paintable_queue_texture (McVideoPaintable *self,
                                          GdkTexture       *texture,
                                          double            pixel_aspect_ratio);
guint64 mc_video_paintable_get_frames_dropped (McVideoPaintable *self);

G_END_DECLS
