/* mc-video-ladder.h — which resolution and frame rate a video bitrate affords
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * McVideoLadderChange:
 * @MC_VIDEO_LADDER_UNCHANGED: the same rung as before
 * @MC_VIDEO_LADDER_LOWERED: a lower resolution or frame rate
 * @MC_VIDEO_LADDER_RAISED: a higher one
 * @MC_VIDEO_LADDER_PAUSED: too little for any rung: video pauses
 * @MC_VIDEO_LADDER_RESUMED: video comes back (at the lowest rung)
 *
 * What mc_video_ladder_update() did.
 */
typedef enum
{
  MC_VIDEO_LADDER_UNCHANGED,
  MC_VIDEO_LADDER_LOWERED,
  MC_VIDEO_LADDER_RAISED,
  MC_VIDEO_LADDER_PAUSED,
  MC_VIDEO_LADDER_RESUMED,
} McVideoLadderChange;

#define MC_TYPE_VIDEO_LADDER        (mc_video_ladder_get_type ())
#define MC_TYPE_VIDEO_LADDER_CHANGE (mc_video_ladder_change_get_type ())

GType mc_video_ladder_change_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (McVideoLadder, mc_video_ladder, MC, VIDEO_LADDER, GObject)

McVideoLadder      *mc_video_ladder_new (guint width,
                                         guint height,
                                         guint framerate);
McVideoLadder      *mc_video_ladder_new_for_screen (guint width,
                                                    guint height,
                                                    guint framerate);
gboolean            mc_video_ladder_get_screen (McVideoLadder *self);
McVideoLadderChange mc_video_ladder_update (McVideoLadder *self,
                                            guint          video_bitrate,
                                            gint64         time_us);
void                mc_video_ladder_reset (McVideoLadder *self);
guint               mc_video_ladder_get_n_rungs (McVideoLadder *self);
guint               mc_video_ladder_get_rung (McVideoLadder *self);
gboolean            mc_video_ladder_get_paused (McVideoLadder *self);
void                mc_video_ladder_get_format (McVideoLadder *self,
                                                guint         *width,
                                                guint         *height,
                                                guint         *framerate);
guint               mc_video_ladder_get_min_bitrate (McVideoLadder *self,
                                                     guint          rung);

G_END_DECLS
