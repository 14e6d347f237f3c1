/* mc-test-luma.c — how bright the frames that reach a sink are
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/app/app.h>
#include <gst/video/video.h>

#include "mc-test-luma.h"

static GstFlowReturn
luma_sample_cb (GstAppSink *sink,
                gpointer    user_data)
{
  McTestLuma           *luma = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstVideoInfo          info;
  GstVideoFrame         frame;
  guint64               sum = 0;

  if (sample == NULL)
    return GST_FLOW_EOS;

  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    return GST_FLOW_OK;

  for (int y = 0; y < GST_VIDEO_FRAME_HEIGHT (&frame); y++)
    {
      const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
                          y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

      for (int x = 0; x < GST_VIDEO_FRAME_WIDTH (&frame); x++)
        sum += row[x];
    }

  g_mutex_lock (&luma->lock);
  luma->frames++;
  luma->luma = sum / (double) (GST_VIDEO_FRAME_WIDTH (&frame) * GST_VIDEO_FRAME_HEIGHT (&frame));
  g_mutex_unlock (&luma->lock);

  gst_video_frame_unmap (&frame);

  return GST_FLOW_OK;
}

/**
 * mc_test_luma_init:
 * @luma: where to count
 * @name: the sink's name
 *
 * Makes @luma->sink, an appsink that takes I420 and measures each frame.
 */
void
mc_test_luma_init (McTestLuma *luma,
                   const char *name)
{
  GstAppSinkCallbacks callbacks = {
    NULL,
  };
  g_autoptr (GstCaps) caps = gst_caps_from_string ("video/x-raw,format=I420");

  g_mutex_init (&luma->lock);
  luma->frames = 0;
  luma->luma = 0;
  luma->sink = gst_object_ref_sink (gst_element_factory_make ("appsink", name));
  g_object_set (luma->sink, "sync", FALSE, "async", FALSE, "caps", caps, "max-buffers", 2,
                "drop", TRUE, NULL);
  callbacks.new_sample = luma_sample_cb;
  gst_app_sink_set_callbacks (GST_APP_SINK (luma->sink), &callbacks, luma, NULL);
}

void
mc_test_luma_get (McTestLuma *luma,
                  guint64    *frames,
                  double     *value)
{
  g_mutex_lock (&luma->lock);
  *frames = luma->frames;
  *value = luma->luma;
  g_mutex_unlock (&luma->lock);
}


/**
 * mc_test_luma_clear:
 * @luma: a luma whose sink nobody else holds any more
 */
void
mc_test_luma_clear (McTestLuma *luma)
{
  gst_clear_object (&luma->sink);
  g_mutex_clear (&luma->lock);
}

typedef struct
{
  McTestLuma *luma;
  guint64     after; /* frames seen before the wait */
  double      min, max;
  gboolean    timed_out;
} Wait;

static gboolean
reached (Wait *wait)
{
  guint64 frames;
  double  value;

  mc_test_luma_get (wait->luma, &frames, &value);

  return frames > wait->after + 3 && value >= wait->min && value < wait->max;
}

static gboolean
timed_out_cb (gpointer data)
{
  ((Wait *) data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * mc_test_luma_assert_between:
 * @luma: a luma whose sink is in a running pipeline
 * @min: the lowest mean luma expected
 * @max: just above the highest
 * @seconds: how long to wait, iterating the default main context
 * @what: the picture expected, for the messages
 *
 * Waits for a few new frames whose mean luma is in [@min, @max), and
 * fails the test if they do not come.
 */
void
mc_test_luma_assert_between (McTestLuma *luma,
                             double      min,
                             double      max,
                             guint       seconds,
                             const char *what)
{
  Wait    wait = { luma, 0, min, max, FALSE };
  guint64 frames;
  double  value;
  guint   id;

  mc_test_luma_get (luma, &wait.after, &value);
  id = g_timeout_add_seconds (seconds, timed_out_cb, &wait);
  while (!reached (&wait) && !wait.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.timed_out)
    g_source_remove (id);

  mc_test_luma_get (luma, &frames, &value);
  if (wait.timed_out)
    g_error ("%s: expected a mean luma in [%.0f, %.0f), %.1f after %" G_GUINT64_FORMAT
             " frames",
             what, min, max, value, frames);
  g_test_message ("%s: mean luma %.1f", what, value);
}
