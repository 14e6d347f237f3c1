/* mc-video-ladder.c — which resolution and frame rate a video bitrate affords
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VP8 squeezed into a bitrate far below what its resolution needs gives a
 * blocky, smeared picture, and the encoder overshoots its target on every
 * scene change. Sending fewer pixels is better: this object turns the video
 * bitrate the bandwidth estimator allows into a rung of a ladder, from the
 * configured size (720p30 by default) down through 3/4, 1/2 and 1/4 of its
 * height, then the smallest at 15 frames a second, then no video at all.
 *
 * A rung needs 50 kbit/s plus 0.05 bits per pixel (720p30: 1430 kbit/s,
 * 540p: 830, 360p: 395, 180p: 135, 180p15: 95): below four fifths of that it
 * is left at once, for the highest rung that fits; just below it, only after
 * 3 s without a break. Every change of size costs a key frame, and under
 * random loss the budget (which leaves room for the retransmissions) swings
 * around a rung's need from one second to the next: measured at 5 % loss,
 * leaving at once made the picture jump between 540p and 360p every few
 * seconds, where the encoder can well spend a little less on the same size
 * (it follows the budget in any case). That is generous for a camera
 * picture; VP8 at its fastest setting needs it for a moving test pattern,
 * and a lower resolution at the full frame rate looks better than a
 * higher one whose encoder drops frames to stay within its budget. Going up
 * asks for a quarter more than a higher rung needs, for 4 s without a break,
 * so that the estimate's probing above and back below a path's capacity does
 * not make the picture jump; it goes to the highest rung so afforded, several
 * at once if the budget grew that fast (a new connection's does). Paused
 * video comes back at the lowest rung once one and a half times its need is
 * there, at the earliest 3 s after it paused; a pause that follows soon
 * after the last one waits twice as long, up to 30 s, so that a path that
 * cannot carry even the lowest rung is not probed every few
 * seconds at the cost of the audio.
 *
 * A shared screen is another ladder (mc_video_ladder_new_for_screen()):
 * text must stay legible and a screen mostly stands still, so sharpness
 * matters and motion does not. Its rungs keep the screen's full size while
 * the frame rate goes down from 15 through 10 to 5 frames a second, and
 * only then lower the resolution (3/4, 1/2). Mostly static content costs
 * VP8 far fewer bits than a face, so a rung needs 50 kbit/s plus 0.02 bits
 * per pixel (1080p15: 670 kbit/s, 1080p5: 260, 540p5: 100).
 *
 * It knows nothing of GStreamer; McCallSession applies the rung to the
 * capture branch's capsfilter (mc-call-session-adapt.c).
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-video-ladder.h"

#define MAX_RUNGS             6
#define BASE_BITRATE          50000
#define BITS_PER_PIXEL        0.05
#define SCREEN_BITS_PER_PIXEL 0.02
#define UP_MARGIN             1.25
#define UP_HOLD_US            (4 * G_USEC_PER_SEC)
#define DOWN_MARGIN           0.8
#define DOWN_HOLD_US          (3 * G_USEC_PER_SEC)
#define RESUME_MARGIN         1.5
#define PAUSE_BACKOFF_US      (3 * G_USEC_PER_SEC)
#define MAX_BACKOFF_US        (30 * G_USEC_PER_SEC)
/* Video that ran this long since it resumed forgets earlier pauses. */
#define STABLE_US (60 * G_USEC_PER_SEC)

typedef struct
{
  guint width;
  guint height;
  guint framerate;
  guint min_bitrate;
} Rung;

struct _McVideoLadder
{
  GObject parent_instance;

  Rung     rungs[MAX_RUNGS];
  guint    n_rungs;
  gboolean screen;

  guint    rung;
  gboolean paused;
  gint64   above_since[MAX_RUNGS]; /* per rung above: afforded without a break since, or -1 */
  gint64   below_since;            /* the budget has been just short of this rung since, or -1 */
  gint64   paused_at;
  gint64   resumed_at;
  gint64   backoff;
};

G_DEFINE_FINAL_TYPE (McVideoLadder, mc_video_ladder, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (McVideoLadderChange, mc_video_ladder_change, G_DEFINE_ENUM_VALUE (MC_VIDEO_LADDER_UNCHANGED, "unchanged"), G_DEFINE_ENUM_VALUE (MC_VIDEO_LADDER_LOWERED, "lowered"), G_DEFINE_ENUM_VALUE (MC_VIDEO_LADDER_RAISED, "raised"), G_DEFINE_ENUM_VALUE (MC_VIDEO_LADDER_PAUSED, "paused"), G_DEFINE_ENUM_VALUE (MC_VIDEO_LADDER_RESUMED, "resumed"))

/* Helpers */

static guint
even (double value)
{
  return MAX (2, ((guint) value) & ~1u);
}

static void
add_rung (McVideoLadder *self,
          guint          width,
          guint          height,
          guint          framerate)
{
  Rung *rung = &self->rungs[self->n_rungs++];

  rung->width = width;
  rung->height = height;
  rung->framerate = framerate;
  rung->min_bitrate = (guint) (BASE_BITRATE + (self->screen ? SCREEN_BITS_PER_PIXEL
                                                            : BITS_PER_PIXEL) *
                                                width * height * framerate);
}

/* The highest rung @bitrate affords, or n_rungs if none. */
static guint
rung_for (McVideoLadder *self,
          guint          bitrate)
{
  for (guint i = 0; i < self->n_rungs; i++)
    if (bitrate >= self->rungs[i].min_bitrate)
      return i;

  return self->n_rungs;
}

/* GObject */

static void
mc_video_ladder_class_init (McVideoLadderClass *klass)
{
}

static void
mc_video_ladder_init (McVideoLadder *self)
{
}

/* Public API */

/**
 * mc_video_ladder_new:
 * @width: the width video is captured and sent at, at best
 * @height: its height
 * @framerate: its frames a second
 *
 * Returns: (transfer full): a ladder whose top rung is the given format
 */
McVideoLadder *
mc_video_ladder_new (guint width,
                     guint height,
                     guint framerate)
{
  McVideoLadder     *self;
  static const guint quarters[] = { 4, 3, 2, 1 };

  g_return_val_if_fail (width > 0 && height > 0 && framerate > 0, NULL);

  self = g_object_new (MC_TYPE_VIDEO_LADDER, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (quarters); i++)
    {
      guint h = i == 0 ? height : even (height * quarters[i] / 4.0);
      guint w = i == 0 ? width : even (width * quarters[i] / 4.0);

      /* Below about 90 lines a face is not recognisable any more. */
      if (i > 0 && h < 90)
        break;
      add_rung (self, w, h, framerate);
    }

  if (framerate > 15)
    {
      Rung last = self->rungs[self->n_rungs - 1];

      add_rung (self, last.width, last.height, 15);
    }

  mc_video_ladder_reset (self);

  return self;
}

/**
 * mc_video_ladder_new_for_screen:
 * @width: the shared screen's width as sent at best
 * @height: its height
 * @framerate: its frames a second at best (at most 15 is sensible)
 *
 * A ladder for screen content: the full size at @framerate, 10 and 5
 * frames a second, then 3/4 and 1/2 of the size at 5 (see the top of this
 * file).
 *
 * Returns: (transfer full): a ladder whose top rung is the given format
 */
McVideoLadder *
mc_video_ladder_new_for_screen (guint width,
                                guint height,
                                guint framerate)
{
  McVideoLadder     *self;
  static const guint rates[] = { 15, 10, 5 };

  g_return_val_if_fail (width > 0 && height > 0 && framerate > 0, NULL);

  self = g_object_new (MC_TYPE_VIDEO_LADDER, NULL);
  self->screen = TRUE;

  add_rung (self, width, height, framerate);
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    if (rates[i] < framerate)
      add_rung (self, width, height, rates[i]);
  add_rung (self, even (width * 3 / 4.0), even (height * 3 / 4.0), MIN (framerate, 5));
  add_rung (self, even (width / 2.0), even (height / 2.0), MIN (framerate, 5));

  mc_video_ladder_reset (self);

  return self;
}

/**
 * mc_video_ladder_get_screen:
 * @self: a ladder
 *
 * Returns: whether it is a ladder for screen content
 */
gboolean
mc_video_ladder_get_screen (McVideoLadder *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_LADDER (self), FALSE);

  return self->screen;
}

static void
forget_above (McVideoLadder *self)
{
  for (guint i = 0; i < MAX_RUNGS; i++)
    self->above_since[i] = -1;
}

/**
 * mc_video_ladder_reset:
 * @self: a ladder
 *
 * Back to the top rung, video on, nothing remembered.
 */
void
mc_video_ladder_reset (McVideoLadder *self)
{
  g_return_if_fail (MC_IS_VIDEO_LADDER (self));

  self->rung = 0;
  self->paused = FALSE;
  forget_above (self);
  self->below_since = -1;
  self->paused_at = -1;
  self->resumed_at = -1;
  self->backoff = PAUSE_BACKOFF_US;
}

/**
 * mc_video_ladder_update:
 * @self: a ladder
 * @video_bitrate: what video may use now, in bits a second
 * @time_us: now, on any monotonic clock (never going back)
 *
 * Moves to the rung @video_bitrate affords, with the hysteresis described
 * at the top of this file.
 *
 * Returns: what changed
 */
McVideoLadderChange
mc_video_ladder_update (McVideoLadder *self,
                        guint          video_bitrate,
                        gint64         time_us)
{
  guint fits;

  g_return_val_if_fail (MC_IS_VIDEO_LADDER (self), MC_VIDEO_LADDER_UNCHANGED);

  fits = rung_for (self, video_bitrate);

  if (self->paused)
    {
      const Rung *lowest = &self->rungs[self->n_rungs - 1];

      if (video_bitrate >= RESUME_MARGIN * lowest->min_bitrate &&
          time_us - self->paused_at >= self->backoff)
        {
          self->paused = FALSE;
          self->rung = self->n_rungs - 1;
          self->resumed_at = time_us;
          forget_above (self);
          self->below_since = -1;
          return MC_VIDEO_LADDER_RESUMED;
        }
      return MC_VIDEO_LADDER_UNCHANGED;
    }

  if (fits >= self->n_rungs)
    {
      /* A pause soon after the last one: the path is that bad, wait longer. */
      if (self->resumed_at >= 0 && time_us - self->resumed_at < STABLE_US)
        self->backoff = MIN (2 * self->backoff, MAX_BACKOFF_US);
      else
        self->backoff = PAUSE_BACKOFF_US;
      self->paused = TRUE;
      self->paused_at = time_us;
      forget_above (self);
      self->below_since = -1;
      return MC_VIDEO_LADDER_PAUSED;
    }

  if (fits > self->rung)
    {
      /* Just short of this rung's need: wait and see whether it lasts.
       * Not a time to go up: the rungs above start their wait over. */
      forget_above (self);
      if (video_bitrate >= DOWN_MARGIN * self->rungs[self->rung].min_bitrate)
        {
          if (self->below_since < 0)
            self->below_since = time_us;
          if (time_us - self->below_since < DOWN_HOLD_US)
            return MC_VIDEO_LADDER_UNCHANGED;
        }
      self->rung = fits;
      forget_above (self);
      self->below_since = -1;
      return MC_VIDEO_LADDER_LOWERED;
    }

  self->below_since = -1;

  /* Up to the highest rung the budget has afforded for the whole hold:
   * an estimate that grows fast (a new connection's) goes from 360p to 720p
   * in one step, not in two of 4 s each. */
  {
    guint raise_to = self->rung;

    for (guint i = 0; i < self->rung; i++)
      {
        if (video_bitrate < UP_MARGIN * self->rungs[i].min_bitrate)
          {
            self->above_since[i] = -1;
            continue;
          }
        if (self->above_since[i] < 0)
          self->above_since[i] = time_us;
        if (raise_to == self->rung && time_us - self->above_since[i] >= UP_HOLD_US)
          raise_to = i;
      }

    /* The rungs above the new one keep their time: the budget has
     * afforded them all along. So two raises can come 2 s apart (two key
     * frames): only while the budget grows fast, at a connection's start,
     * where a few seconds at a lower size than the path carries cost more. */
    if (raise_to < self->rung)
      {
        self->rung = raise_to;
        return MC_VIDEO_LADDER_RAISED;
      }
  }

  return MC_VIDEO_LADDER_UNCHANGED;
}

/**
 * mc_video_ladder_get_n_rungs:
 * @self: a ladder
 *
 * Returns: how many rungs it has
 */
guint
mc_video_ladder_get_n_rungs (McVideoLadder *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_LADDER (self), 0);

  return self->n_rungs;
}

/**
 * mc_video_ladder_get_rung:
 * @self: a ladder
 *
 * Returns: the current rung, 0 at the top (the lowest while paused)
 */
guint
mc_video_ladder_get_rung (McVideoLadder *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_LADDER (self), 0);

  return self->paused ? self->n_rungs - 1 : self->rung;
}

/**
 * mc_video_ladder_get_paused:
 * @self: a ladder
 *
 * Returns: whether video is paused because the bitrate affords no rung
 */
gboolean
mc_video_ladder_get_paused (McVideoLadder *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_LADDER (self), FALSE);

  return self->paused;
}

/**
 * mc_video_ladder_get_format:
 * @self: a ladder
 * @width: (out) (optional): the current rung's width
 * @height: (out) (optional): its height
 * @framerate: (out) (optional): its frames a second
 */
void
mc_video_ladder_get_format (McVideoLadder *self,
                            guint         *width,
                            guint         *height,
                            guint         *framerate)
{
  const Rung *rung;

  g_return_if_fail (MC_IS_VIDEO_LADDER (self));

  rung = &self->rungs[mc_video_ladder_get_rung (self)];
  if (width != NULL)
    *width = rung->width;
  if (height != NULL)
    *height = rung->height;
  if (framerate != NULL)
    *framerate = rung->framerate;
}

/**
 * mc_video_ladder_get_min_bitrate:
 * @self: a ladder
 * @rung: a rung
 *
 * Returns: the video bitrate @rung needs, in bits a second
 */
guint
mc_video_ladder_get_min_bitrate (McVideoLadder *self,
                                 guint          rung)
{
  g_return_val_if_fail (MC_IS_VIDEO_LADDER (self), 0);
  g_return_val_if_fail (rung < self->n_rungs, 0);

  return self->rungs[rung].min_bitrate;
}
