/* mc-frame-stamp.c — a machine-readable time stamp drawn into video frames
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The latency benchmark needs to know, at the receiver, when a decoded frame
 * was captured at the sender. RTP timestamps do not say that (they are
 * rebased per stream), so the sender draws the capture time into the picture
 * itself: 64 blocks, black for 0 and white for 1, in two rows of 32 across
 * the top of the frame, before the encoder. The value is 48 bits of
 * CLOCK_MONOTONIC microseconds (g_get_monotonic_time(), which is system-wide
 * on Linux, so two processes on one machine agree) and a 16-bit check, so a
 * frame without a stamp, or one the encoder smeared, is recognised and
 * ignored. Blocks are at least 10 × 8 pixels: VP8 at any sane bitrate keeps
 * them readable.
 *
 * Only the luma plane of planar YUV frames is touched; the engine feeds the
 * encoder I420 and gets I420 from the decoder.
 */

#define G_LOG_DOMAIN "mc-call"

#include <string.h>

#include "mc-frame-stamp.h"

#define N_BITS 64
#define N_COLUMNS 32
#define N_ROWS (N_BITS / N_COLUMNS)
#define VALUE_BITS 48
#define LUMA_ONE 235
#define LUMA_ZERO 16

static guint16
check_of (guint64 value)
{
  return (guint16) ((value ^ (value >> 16) ^ (value >> 32)) ^ 0xa5c3);
}

static gboolean
block_geometry (GstVideoFrame *frame,
                guint         *block_width,
                guint         *block_height)
{
  guint width = GST_VIDEO_FRAME_WIDTH (frame);
  guint height = GST_VIDEO_FRAME_HEIGHT (frame);

  if (!GST_VIDEO_FORMAT_INFO_IS_YUV (frame->info.finfo) || GST_VIDEO_FRAME_N_PLANES (frame) < 3)
    return FALSE;

  *block_width = width / N_COLUMNS;
  *block_height = MIN (16, height / 16);

  return *block_width >= 4 && *block_height >= 4;
}

/**
 * mc_frame_stamp_write:
 * @frame: a frame mapped for writing, planar YUV
 * @value: the value to draw (only its low 48 bits are kept)
 *
 * Draws @value into the top of @frame.
 */
void
mc_frame_stamp_write (GstVideoFrame *frame,
                      gint64         value)
{
  guint64 bits;
  guint block_width, block_height;
  guint8 *luma;
  int stride;

  if (!block_geometry (frame, &block_width, &block_height))
    return;

  bits = ((guint64) value & G_GUINT64_CONSTANT (0xffffffffffff)) << 16;
  bits |= check_of ((guint64) value & G_GUINT64_CONSTANT (0xffffffffffff));

  luma = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);

  for (guint bit = 0; bit < N_BITS; bit++)
    {
      guint8 level = (bits >> (N_BITS - 1 - bit)) & 1 ? LUMA_ONE : LUMA_ZERO;
      guint x0 = (bit % N_COLUMNS) * block_width;
      guint y0 = (bit / N_COLUMNS) * block_height;

      for (guint y = y0; y < y0 + block_height; y++)
        memset (luma + (gsize) y * stride + x0, level, block_width);
    }

  /* Grey chroma under the blocks, so that colour from the picture does not
   * bleed into them through chroma subsampling. */
  for (guint plane = 1; plane < 3; plane++)
    {
      guint8 *chroma = GST_VIDEO_FRAME_PLANE_DATA (frame, plane);
      int chroma_stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, plane);
      guint rows = GST_VIDEO_FRAME_COMP_HEIGHT (frame, plane) * N_ROWS * block_height /
                   GST_VIDEO_FRAME_HEIGHT (frame);
      guint columns = GST_VIDEO_FRAME_COMP_WIDTH (frame, plane) * N_COLUMNS * block_width /
                      GST_VIDEO_FRAME_WIDTH (frame);

      for (guint y = 0; y < rows; y++)
        memset (chroma + (gsize) y * chroma_stride, 128, columns);
    }
}

/**
 * mc_frame_stamp_read:
 * @frame: a frame mapped for reading, planar YUV
 * @value: (out): where to store the value
 *
 * Reads a value drawn by mc_frame_stamp_write().
 *
 * Returns: %TRUE if @frame carries a valid stamp
 */
gboolean
mc_frame_stamp_read (GstVideoFrame *frame,
                     gint64        *value)
{
  guint64 bits = 0;
  guint block_width, block_height;
  const guint8 *luma;
  int stride;

  if (!block_geometry (frame, &block_width, &block_height))
    return FALSE;

  luma = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);

  for (guint bit = 0; bit < N_BITS; bit++)
    {
      guint x0 = (bit % N_COLUMNS) * block_width + block_width / 4;
      guint y0 = (bit / N_COLUMNS) * block_height + block_height / 4;
      guint sum = 0, n = 0;

      /* The middle half of the block: edges suffer most from compression. */
      for (guint y = y0; y < y0 + block_height / 2; y++)
        for (guint x = x0; x < x0 + block_width / 2; x++, n++)
          sum += luma[(gsize) y * stride + x];

      bits = (bits << 1) | (sum / n > (LUMA_ONE + LUMA_ZERO) / 2 ? 1 : 0);
    }

  if (check_of (bits >> 16) != (bits & 0xffff))
    return FALSE;

  *value = (gint64) (bits >> 16);
  return TRUE;
}
