/* mc-video-paintable.c — a GdkPaintable showing the latest frame of a video stream
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A McVideoPaintable is what a GtkPicture shows for a video: the latest frame
 * as a GdkTexture, drawn at the size the pixel aspect ratio calls for. Frames
 * come from a McVideoSink on a GStreamer streaming thread through
 * mc_video_paintable_queue_texture(); they are shown on the main context
 * (GTK's, the global default one), where everything else in this file runs.
 *
 * Latest frame wins: a streaming thread puts its texture into a one-frame
 * slot and, if none is pending yet, attaches one idle source to the main
 * context. A frame that arrives before the idle ran replaces the one in the
 * slot (it is counted as dropped), so a busy UI never builds a queue of
 * frames, and the video keeps its latency however slow the drawing is.
 *
 * The paintable outlives the sinks that feed it: the call engine rebuilds its
 * pipelines on reconnection while the widget keeps showing the same
 * paintable, with the last frame on screen until the next one arrives.
 * Clearing it (camera off, the peer left) shows nothing, and the next frame
 * after that is a "first frame" again.
 */

#define G_LOG_DOMAIN "mc-video"

#include "mc-video-paintable.h"

struct _McVideoPaintable
{
  GObject parent_instance;

  /* Main context only. */
  GdkTexture *texture;
  double      pixel_aspect_ratio;
  guint64     frames_shown;
  gboolean    first_frame_pending;
  /* A frozen copy made by get_current_image(): static, never fed. */
  gboolean is_static;

  /* Shared with the streaming threads, under @lock. */
  GMutex      lock;
  GdkTexture *pending_texture;
  double      pending_pixel_aspect_ratio;
  gboolean    idle_queued;
  guint64     frames_dropped;
};

static void mc_video_paintable_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (McVideoPaintable, mc_video_paintable, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, mc_video_paintable_paintable_init))

enum
{
  PROP_0,
  PROP_HAS_IMAGE,
  N_PROPS
};

enum
{
  FIRST_FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static int
intrinsic_width_of (GdkTexture *texture,
                    double      pixel_aspect_ratio)
{
  if (texture == NULL)
    return 0;

  return (int) (gdk_texture_get_width (texture) * pixel_aspect_ratio + 0.5);
}

static int
intrinsic_height_of (GdkTexture *texture)
{
  return texture != NULL ? gdk_texture_get_height (texture) : 0;
}

/* Takes ownership of @texture; NULL clears. */
static void
show_texture (McVideoPaintable *self,
              GdkTexture       *texture,
              double            pixel_aspect_ratio)
{
  gboolean had_image = self->texture != NULL;
  gboolean size_changed;

  size_changed =
    intrinsic_width_of (self->texture, self->pixel_aspect_ratio) !=
      intrinsic_width_of (texture, pixel_aspect_ratio) ||
    intrinsic_height_of (self->texture) != intrinsic_height_of (texture) ||
    (had_image && texture != NULL && self->pixel_aspect_ratio != pixel_aspect_ratio);

  /* The old texture may have been drawn, and then owns renderer state: it
   * must die here, on the main context, never on a streaming thread. */
  g_clear_object (&self->texture);
  self->texture = texture;
  self->pixel_aspect_ratio = texture != NULL ? pixel_aspect_ratio : 1.0;

  if (texture != NULL)
    self->frames_shown++;

  g_object_ref (self);

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));

  if (had_image != (texture != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_IMAGE]);

  if (texture == NULL)
    {
      self->first_frame_pending = TRUE;
    }
  else if (self->first_frame_pending)
    {
      self->first_frame_pending = FALSE;
      g_signal_emit (self, signals[FIRST_FRAME], 0);
    }

  g_object_unref (self);
}

static gboolean
show_pending_cb (gpointer user_data)
{
  McVideoPaintable *self = user_data;
  GdkTexture       *texture;
  double            pixel_aspect_ratio;

  g_mutex_lock (&self->lock);
  texture = g_steal_pointer (&self->pending_texture);
  pixel_aspect_ratio = self->pending_pixel_aspect_ratio;
  self->idle_queued = FALSE;
  g_mutex_unlock (&self->lock);

  /* Nothing when mc_video_paintable_clear() took the frame meanwhile. */
  if (texture != NULL)
    show_texture (self, texture, pixel_aspect_ratio);

  return G_SOURCE_REMOVE;
}

static void
drop_pending (McVideoPaintable *self)
{
  GdkTexture *texture;

  g_mutex_lock (&self->lock);
  texture = g_steal_pointer (&self->pending_texture);
  g_mutex_unlock (&self->lock);

  g_clear_object (&texture);
}

static void
mc_video_paintable_snapshot (GdkPaintable *paintable,
                             GdkSnapshot  *snapshot,
                             double        width,
                             double        height)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (paintable);

  /* The texture scales to the size asked for: that is where the pixel
   * aspect ratio is applied. */
  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
}

static GdkPaintable *
mc_video_paintable_get_current_image (GdkPaintable *paintable)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (paintable);
  McVideoPaintable *copy;

  if (self->texture == NULL)
    return gdk_paintable_new_empty (0, 0);

  if (self->is_static || self->pixel_aspect_ratio == 1.0)
    return GDK_PAINTABLE (g_object_ref (self->texture));

  /* The texture alone would have the wrong intrinsic size: freeze a copy
   * that keeps the pixel aspect ratio. */
  copy = g_object_new (MC_TYPE_VIDEO_PAINTABLE, NULL);
  copy->is_static = TRUE;
  copy->first_frame_pending = FALSE;
  copy->texture = g_object_ref (self->texture);
  copy->pixel_aspect_ratio = self->pixel_aspect_ratio;

  return GDK_PAINTABLE (copy);
}

static GdkPaintableFlags
mc_video_paintable_get_flags (GdkPaintable *paintable)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (paintable);

  if (self->is_static)
    return GDK_PAINTABLE_STATIC_SIZE | GDK_PAINTABLE_STATIC_CONTENTS;

  return 0;
}

static int
mc_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (paintable);

  return intrinsic_width_of (self->texture, self->pixel_aspect_ratio);
}

static int
mc_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (paintable);

  return intrinsic_height_of (self->texture);
}

static double
mc_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (paintable);

  if (self->texture == NULL)
    return 0.0;

  return (double) gdk_texture_get_width (self->texture) * self->pixel_aspect_ratio /
         (double) gdk_texture_get_height (self->texture);
}

static void
mc_video_paintable_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = mc_video_paintable_snapshot;
  iface->get_current_image = mc_video_paintable_get_current_image;
  iface->get_flags = mc_video_paintable_get_flags;
  iface->get_intrinsic_width = mc_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = mc_video_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = mc_video_paintable_get_intrinsic_aspect_ratio;
}

static void
mc_video_paintable_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_HAS_IMAGE:
      g_value_set_boolean (value, mc_video_paintable_get_has_image (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_video_paintable_dispose (GObject *object)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (object);

  drop_pending (self);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (mc_video_paintable_parent_class)->dispose (object);
}

static void
mc_video_paintable_finalize (GObject *object)
{
  McVideoPaintable *self = MC_VIDEO_PAINTABLE (object);

  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mc_video_paintable_parent_class)->finalize (object);
}

static void
mc_video_paintable_class_init (McVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mc_video_paintable_get_property;
  object_class->dispose = mc_video_paintable_dispose;
  object_class->finalize = mc_video_paintable_finalize;

  /**
   * McVideoPaintable:has-image:
   *
   * Whether a frame is shown. FALSE before the first frame and after
   * mc_video_paintable_clear(): the UI shows a placeholder then.
   */
  properties[PROP_HAS_IMAGE] =
    g_param_spec_boolean ("has-image", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McVideoPaintable::first-frame:
   * @self: the paintable
   *
   * Emitted on the main context when a frame is shown and none was before:
   * the first frame ever, and the first one after each
   * mc_video_paintable_clear(). Rebuilding the sink that feeds the paintable
   * does not count: the old frame stays on screen until the new one replaces
   * it. "Video arrives."
   */
  signals[FIRST_FRAME] =
    g_signal_new ("first-frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
mc_video_paintable_init (McVideoPaintable *self)
{
  g_mutex_init (&self->lock);
  self->pixel_aspect_ratio = 1.0;
  self->pending_pixel_aspect_ratio = 1.0;
  self->first_frame_pending = TRUE;
}

/**
 * mc_video_paintable_new:
 *
 * Creates a paintable that shows nothing until a frame is queued.
 *
 * Returns: (transfer full): a new #McVideoPaintable
 */
McVideoPaintable *
mc_video_paintable_new (void)
{
  return g_object_new (MC_TYPE_VIDEO_PAINTABLE, NULL);
}

/**
 * mc_video_paintable_queue_texture:
 * @self: a #McVideoPaintable
 * @texture: the next frame
 * @pixel_aspect_ratio: the width of a pixel of @texture divided by its height
 *
 * Queues @texture to be shown on the main context. Callable from any thread;
 * the texture must be immutable (a #GdkMemoryTexture is). If the previous
 * queued frame has not been shown yet, @texture replaces it.
 */
void
mc_video_paintable_queue_texture (McVideoPaintable *self,
                                  GdkTexture       *texture,
                                  double            pixel_aspect_ratio)
{
  GdkTexture *dropped;
  gboolean    attach_idle;

  g_return_if_fail (MC_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (GDK_IS_TEXTURE (texture));
  g_return_if_fail (pixel_aspect_ratio > 0.0);
  g_return_if_fail (!self->is_static);

  g_mutex_lock (&self->lock);
  dropped = g_steal_pointer (&self->pending_texture);
  if (dropped != NULL)
    self->frames_dropped++;
  self->pending_texture = g_object_ref (texture);
  self->pending_pixel_aspect_ratio = pixel_aspect_ratio;
  attach_idle = !self->idle_queued;
  self->idle_queued = TRUE;
  g_mutex_unlock (&self->lock);

  /* A frame that was never shown was never drawn either: it holds no
   * renderer state and may be released on this thread. */
  g_clear_object (&dropped);

  if (attach_idle)
    {
      GSource *source;

      /* An idle source rather than g_main_context_invoke(): that would run
       * GTK code right here whenever this thread can acquire the context,
       * for instance before the main loop runs. The priority is above
       * GDK's redraw, so the frame queued now is in the next paint. */
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, show_pending_cb, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[mentorcall] McVideoPaintable frame");
      g_source_attach (source, NULL);
      g_source_unref (source);
    }
}

/**
 * mc_video_paintable_clear:
 * @self: a #McVideoPaintable
 *
 * Shows nothing, also drops a frame that is queued and not shown yet. The
 * next frame emits #McVideoPaintable::first-frame again.
 */
void
mc_video_paintable_clear (McVideoPaintable *self)
{
  g_return_if_fail (MC_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (!self->is_static);

  drop_pending (self);

  if (self->texture != NULL)
    show_texture (self, NULL, 1.0);
}

/**
 * mc_video_paintable_get_has_image:
 * @self: a #McVideoPaintable
 *
 * Returns: whether a frame is shown
 */
gboolean
mc_video_paintable_get_has_image (McVideoPaintable *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_PAINTABLE (self), FALSE);

  return self->texture != NULL;
}

/**
 * mc_video_paintable_get_texture:
 * @self: a #McVideoPaintable
 *
 * Returns: (transfer none) (nullable): the frame shown, in its own pixels
 *   (see mc_video_paintable_get_pixel_aspect_ratio())
 */
GdkTexture *
mc_video_paintable_get_texture (McVideoPaintable *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_PAINTABLE (self), NULL);

  return self->texture;
}

/**
 * mc_video_paintable_get_pixel_aspect_ratio:
 * @self: a #McVideoPaintable
 *
 * Returns: the pixel aspect ratio of the frame shown; 1.0 when none is
 */
double
mc_video_paintable_get_pixel_aspect_ratio (McVideoPaintable *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_PAINTABLE (self), 1.0);

  return self->pixel_aspect_ratio;
}

/**
 * mc_video_paintable_get_frames_shown:
 * @self: a #McVideoPaintable
 *
 * Returns: how many frames became the shown one since @self was made,
 *   across sinks and clears
 */
guint64
mc_video_paintable_get_frames_shown (McVideoPaintable *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_PAINTABLE (self), 0);

  return self->frames_shown;
}

/**
 * mc_video_paintable_get_frames_dropped:
 * @self: a #McVideoPaintable
 *
 * Callable from any thread.
 *
 * Returns: how many queued frames were replaced by a newer one before the
 *   main context could show them
 */
guint64
mc_video_paintable_get_frames_dropped (McVideoPaintable *self)
{
  guint64 frames_dropped;

  g_return_val_if_fail (MC_IS_VIDEO_PAINTABLE (self), 0);

  g_mutex_lock (&self->lock);
  frames_dropped = self->frames_dropped;
  g_mutex_unlock (&self->lock);

  return frames_dropped;
}
