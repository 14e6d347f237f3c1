/* mc-video-sink.c — a GStreamer video sink that feeds a McVideoPaintable
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian 12 does not package gtk4paintablesink, and GTK's own GStreamer sink
 * lives inside its media module, out of reach. This is ours, in the same
 * spirit and smaller: system-memory RGB video only (no GL), one
 * GdkMemoryTexture per frame, handed to a McVideoPaintable that shows it on
 * the main context.
 *
 * No copy: the texture's bytes point into the mapped GstVideoFrame, and the
 * frame (with its buffer) is unmapped and released when GTK drops the
 * texture. The sink asks upstream for a few spare buffers in its allocation
 * answer, because up to three frames are held at once: the one on screen, the
 * one queued for the next paint and the one being mapped.
 *
 * show_frame() runs on the streaming thread and never touches GTK beyond
 * creating an immutable memory texture, which GDK allows from any thread;
 * the paintable does the hop to the main context.
 */

#define G_LOG_DOMAIN "mc-video"

#include <string.h>

#include "mc-video-sink.h"

struct _McVideoSink
{
  GstVideoSink parent_instance;

  /* Set at construction, never changed. */
  McVideoPaintable *paintable;

  /* Streaming thread only: caps and buffers arrive serialised on it. */
  GstVideoInfo    info;
  GdkMemoryFormat memory_format;
  double          pixel_aspect_ratio;
};

GST_DEBUG_CATEGORY_STATIC (mc_video_sink_debug);
#define GST_CAT_DEFAULT mc_video_sink_debug

G_DEFINE_FINAL_TYPE_WITH_CODE (McVideoSink, mc_video_sink, GST_TYPE_VIDEO_SINK, GST_DEBUG_CATEGORY_INIT (mc_video_sink_debug, "mcvideosink", 0, "Mentorcall video sink"))

enum
{
  PROP_0,
  PROP_PAINTABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GstStaticPadTemplate sink_template =
  GST_STATIC_PAD_TEMPLATE ("sink",
                           GST_PAD_SINK,
                           GST_PAD_ALWAYS,
                           GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (MC_VIDEO_SINK_FORMATS)));

/* Each of MC_VIDEO_SINK_FORMATS names the bytes in memory order, as
 * GdkMemoryFormat does. GStreamer's alpha is straight, not premultiplied. */
static gboolean
memory_format_from_video (GstVideoFormat   video_format,
                          GdkMemoryFormat *memory_format)
{
  switch (video_format)
    {
    case GST_VIDEO_FORMAT_RGB:
      *memory_format = GDK_MEMORY_R8G8B8;
      return TRUE;
    case GST_VIDEO_FORMAT_BGR:
      *memory_format = GDK_MEMORY_B8G8R8;
      return TRUE;
    case GST_VIDEO_FORMAT_BGRA:
      *memory_format = GDK_MEMORY_B8G8R8A8;
      return TRUE;
    case GST_VIDEO_FORMAT_RGBA:
      *memory_format = GDK_MEMORY_R8G8B8A8;
      return TRUE;
    case GST_VIDEO_FORMAT_ARGB:
      *memory_format = GDK_MEMORY_A8R8G8B8;
      return TRUE;
    case GST_VIDEO_FORMAT_ABGR:
      *memory_format = GDK_MEMORY_A8B8G8R8;
      return TRUE;
    default:
      return FALSE;
    }
}

static void
video_frame_free (gpointer data)
{
  GstVideoFrame *frame = data;

  gst_video_frame_unmap (frame);
  g_free (frame);
}

/* Takes ownership of @frame, mapped for reading. */
static GdkTexture *
texture_from_frame (McVideoSink   *self,
                    GstVideoFrame *frame)
{
  g_autoptr (GBytes) bytes = NULL;
  int                width = GST_VIDEO_FRAME_WIDTH (frame);
  int                height = GST_VIDEO_FRAME_HEIGHT (frame);
  int                stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  gsize              row_size = (gsize) width * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  const guint8      *data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);

  if (stride > 0 && (gsize) stride >= row_size)
    {
      /* The last row may end right after its pixels, without the padding
       * of the others: the bytes end there too. */
      bytes = g_bytes_new_with_free_func (data,
                                          (gsize) stride * (height - 1) + row_size,
                                          video_frame_free,
                                          frame);
    }
  else
    {
      /* A bottom-up layout (negative stride), which video meta allows:
       * copy into a top-down one. */
      guint8 *copy = g_malloc ((gsize) height * row_size);

      for (int y = 0; y < height; y++)
        memcpy (copy + y * row_size, data + (gssize) y * stride, row_size);

      video_frame_free (frame);
      bytes = g_bytes_new_take (copy, (gsize) height * row_size);
      stride = (int) row_size;
    }

  return gdk_memory_texture_new (width, height, self->memory_format, bytes, stride);
}

static gboolean
mc_video_sink_set_info (GstVideoSink       *video_sink,
                        GstCaps            *caps,
                        const GstVideoInfo *info)
{
  McVideoSink    *self = MC_VIDEO_SINK (video_sink);
  GdkMemoryFormat memory_format;

  GST_DEBUG_OBJECT (self, "caps %" GST_PTR_FORMAT, caps);

  if (!memory_format_from_video (GST_VIDEO_INFO_FORMAT (info), &memory_format))
    return FALSE;

  if (GST_VIDEO_INFO_WIDTH (info) <= 0 || GST_VIDEO_INFO_HEIGHT (info) <= 0)
    return FALSE;

  self->info = *info;
  self->memory_format = memory_format;

  if (GST_VIDEO_INFO_PAR_N (info) > 0 && GST_VIDEO_INFO_PAR_D (info) > 0)
    self->pixel_aspect_ratio = (double) GST_VIDEO_INFO_PAR_N (info) / GST_VIDEO_INFO_PAR_D (info);
  else
    self->pixel_aspect_ratio = 1.0;

  return TRUE;
}

static GstFlowReturn
mc_video_sink_show_frame (GstVideoSink *video_sink,
                          GstBuffer    *buffer)
{
  McVideoSink           *self = MC_VIDEO_SINK (video_sink);
  g_autoptr (GdkTexture) texture = NULL;
  GstVideoFrame         *frame;

  /* A gap has no picture: keep showing the last one. */
  if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_GAP) && gst_buffer_get_size (buffer) == 0)
    return GST_FLOW_OK;

  frame = g_new0 (GstVideoFrame, 1);
  if (!gst_video_frame_map (frame, &self->info, buffer, GST_MAP_READ))
    {
      g_free (frame);
      GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Could not read a video frame."),
                         ("failed to map buffer %" GST_PTR_FORMAT, buffer));
      return GST_FLOW_ERROR;
    }

  texture = texture_from_frame (self, frame);
  mc_video_paintable_queue_texture (self->paintable, texture, self->pixel_aspect_ratio);

  return GST_FLOW_OK;
}

static gboolean
mc_video_sink_propose_allocation (GstBaseSink *base_sink,
                                  GstQuery    *query)
{
  GstCaps     *caps;
  GstVideoInfo info;

  gst_query_parse_allocation (query, &caps, NULL);
  if (caps == NULL || !gst_video_info_from_caps (&info, caps))
    return FALSE;

  /* No pool of our own (system memory is what upstream makes anyway), but
   * enough buffers that holding three of them never stalls it. */
  gst_query_add_allocation_pool (query, NULL, (guint) GST_VIDEO_INFO_SIZE (&info), 3, 0);

  /* GstVideoFrame follows the strides and offsets of video meta. */
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);

  return TRUE;
}

static void
mc_video_sink_constructed (GObject *object)
{
  McVideoSink *self = MC_VIDEO_SINK (object);

  G_OBJECT_CLASS (mc_video_sink_parent_class)->constructed (object);

  if (self->paintable == NULL)
    self->paintable = mc_video_paintable_new ();
}

static void
mc_video_sink_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  McVideoSink *self = MC_VIDEO_SINK (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_video_sink_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  McVideoSink *self = MC_VIDEO_SINK (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      self->paintable = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_video_sink_finalize (GObject *object)
{
  McVideoSink *self = MC_VIDEO_SINK (object);

  /* The paintable is the widget's too: this is rarely its last reference.
   * When it is, the sink should be released on the main context (where the
   * application drops its pipeline anyway), as the shown texture goes with
   * the paintable. */
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (mc_video_sink_parent_class)->finalize (object);
}

static void
mc_video_sink_class_init (McVideoSinkClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GstElementClass   *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass  *base_sink_class = GST_BASE_SINK_CLASS (klass);
  GstVideoSinkClass *video_sink_class = GST_VIDEO_SINK_CLASS (klass);

  object_class->constructed = mc_video_sink_constructed;
  object_class->get_property = mc_video_sink_get_property;
  object_class->set_property = mc_video_sink_set_property;
  object_class->finalize = mc_video_sink_finalize;

  base_sink_class->propose_allocation = mc_video_sink_propose_allocation;

  video_sink_class->set_info = mc_video_sink_set_info;
  video_sink_class->show_frame = mc_video_sink_show_frame;

  /**
   * McVideoSink:paintable:
   *
   * The paintable that shows the frames. A new one when none is given.
   */
  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL,
                         MC_TYPE_VIDEO_PAINTABLE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (element_class,
                                         "Mentorcall video sink",
                                         "Sink/Video",
                                         "Shows video in a GdkPaintable",
                                         "The Mentorcall authors");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
}

static void
mc_video_sink_init (McVideoSink *self)
{
  gst_video_info_init (&self->info);
  self->pixel_aspect_ratio = 1.0;
}

/**
 * mc_video_sink_new:
 *
 * Creates a sink with a new #McVideoPaintable, to be found with
 * mc_video_sink_get_paintable(). Create it on the main context.
 *
 * Returns: (transfer floating): a new #McVideoSink
 */
GstElement *
mc_video_sink_new (void)
{
  return g_object_new (MC_TYPE_VIDEO_SINK, NULL);
}

/**
 * mc_video_sink_new_for_paintable:
 * @paintable: the paintable to feed
 *
 * Creates a sink that feeds @paintable, for instance when a pipeline is
 * rebuilt while the widget keeps showing the same paintable.
 *
 * Returns: (transfer floating): a new #McVideoSink
 */
GstElement *
mc_video_sink_new_for_paintable (McVideoPaintable *paintable)
{
  g_return_val_if_fail (MC_IS_VIDEO_PAINTABLE (paintable), NULL);

  return g_object_new (MC_TYPE_VIDEO_SINK, "paintable", paintable, NULL);
}

/**
 * mc_video_sink_get_paintable:
 * @self: a #McVideoSink
 *
 * Returns: (transfer none): the paintable @self feeds
 */
McVideoPaintable *
mc_video_sink_get_paintable (McVideoSink *self)
{
  g_return_val_if_fail (MC_IS_VIDEO_SINK (self), NULL);

  return self->paintable;
}
