/* mc-media-pipeline-adapt.c — what the bandwidth estimate changes while the call runs
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McMediaPipeline lets the call session fit what is sent to
 * what the path carries (mc-call-session-adapt.c decides): the VP8 encoder's
 * target bitrate, the size and frame rate of the raw video in front of it
 * (the capture branch's capsfilter: videoscale and videorate before it
 * follow, the encoder starts over at the new size, and the receiver's
 * decoder takes the new size from the next key frame, so nothing is
 * renegotiated), pausing video altogether, and Opus's in-band FEC for the
 * loss measured. All of it lives here, in the pipeline that outlives every
 * connection, so a reconnection keeps what was learnt.
 *
 * Called on the main context; the pause flag is read by a probe on the
 * encoder's streaming thread, and a new format is handed to the capture
 * thread, which puts it into the capsfilter between two frames.
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-media-pipeline-private.h"

/* Callbacks */

/* Raw frames in front of the encoder, while video is paused: none of them
 * is encoded (which also saves the CPU), the self view before it goes on. */
GstPadProbeReturn
mc_media_pipeline_paused_video_cb (GstPad          *pad,
                                   GstPadProbeInfo *info,
                                   gpointer         user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);

  return g_atomic_int_get (&self->video_paused) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* Runs on the capture thread for every raw frame, where it enters the main
 * chain (the video source bin's peer). A new format goes into the main
 * chain's capsfilter here, between two frames, never from the main context.
 * Set from there, it raced with the first negotiation of a source that had
 * just been swapped in (the screen, or the camera back after it, which is
 * exactly when the call session changes the format): videoscale and
 * videorate could fix their output for the old caps while the capsfilter
 * already held the new ones, and the new source stopped for good with
 * "streaming stopped, reason not-negotiated" a fraction of a millisecond
 * after it started. Here the format only changes in the thread that
 * negotiates, before a frame: that frame renegotiates the chain for it. */
GstPadProbeReturn
mc_media_pipeline_apply_video_format_cb (GstPad          *pad,
                                         GstPadProbeInfo *info,
                                         gpointer         user_data)
{
  mc_media_pipeline_apply_video_format (MC_MEDIA_PIPELINE (user_data));

  return GST_PAD_PROBE_OK;
}

/* Puts the format asked for last into the capsfilter. Only where no
 * negotiation can run beside it: on the capture thread between two frames,
 * or in a swap of the video source while no source is linked (the new one,
 * a PipeWire stream, then negotiates its formats against it while it
 * starts). */
void
mc_media_pipeline_apply_video_format (McMediaPipeline *self)
{
  g_autoptr (GstCaps) caps = NULL;

  g_mutex_lock (&self->lock);
  caps = g_steal_pointer (&self->pending_video_caps);
  g_mutex_unlock (&self->lock);

  if (caps != NULL && self->video_filter != NULL)
    g_object_set (self->video_filter, "caps", caps, NULL);
}

/* Public API */

/**
 * mc_media_pipeline_set_video_bitrate:
 * @self: a pipeline
 * @bitrate: the VP8 encoder's target, in bits a second
 *
 * Changes the encoder's target at once; libvpx applies it from the next
 * frame.
 */
void
mc_media_pipeline_set_video_bitrate (McMediaPipeline *self,
                                     guint            bitrate)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  if (bitrate == self->current_bitrate)
    return;

  /* Before the chains are built, this is what they start with. */
  self->current_bitrate = bitrate;
  if (self->video_encoder != NULL)
    g_object_set (self->video_encoder, "target-bitrate", (int) MIN (bitrate, G_MAXINT), NULL);
}

/**
 * mc_media_pipeline_get_video_bitrate:
 * @self: a pipeline
 *
 * Returns: the VP8 encoder's target, in bits a second
 */
guint
mc_media_pipeline_get_video_bitrate (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), 0);

  return self->current_bitrate;
}

/**
 * mc_media_pipeline_set_video_format:
 * @self: a pipeline
 * @width: the width to encode at, at most the configured one
 * @height: its height
 * @framerate: frames a second, at most the configured rate
 *
 * Changes what is encoded without stopping anything: the raw video is
 * scaled and thinned out in front of the encoder, which starts over with a
 * key frame; the peer's decoder follows from it.
 */
void
mc_media_pipeline_set_video_format (McMediaPipeline *self,
                                    guint            width,
                                    guint            height,
                                    guint            framerate)
{
  g_autoptr (GstCaps) caps = NULL;

  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  /* A shared screen has its own size and rate (mc-media-pipeline-screen.c). */
  if (self->screen_share && self->screen_width > 0)
    {
      width = MIN (width, self->screen_width);
      height = MIN (height, self->screen_height);
      framerate = MIN (framerate, MC_SCREEN_FRAMERATE);
    }
  else
    {
      width = MIN (width, self->width);
      height = MIN (height, self->height);
      framerate = MIN (framerate, self->framerate);
    }

  if (width == self->current_width && height == self->current_height &&
      framerate == self->current_framerate)
    return;

  g_debug ("Sending video at %ux%u, %u frames a second", width, height, framerate);
  self->current_width = width;
  self->current_height = height;
  self->current_framerate = framerate;

  /* Before the chains are built, this is what they start with. */
  if (self->video_filter == NULL)
    return;

  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, (int) width,
                              "height", G_TYPE_INT, (int) height,
                              "framerate", GST_TYPE_FRACTION, (int) framerate, 1,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);

  /* Not set here, on the main context, but by the capture thread between
   * two frames (mc_media_pipeline_apply_video_format_cb()): see there. */
  g_mutex_lock (&self->lock);
  gst_caps_replace (&self->pending_video_caps, caps);
  g_mutex_unlock (&self->lock);

  /* The encoder makes a key frame when it starts over at a new size; asking
   * covers a change of frame rate alone, which does not restart it. */
  mc_media_pipeline_force_key_unit (self);
}

/**
 * mc_media_pipeline_get_video_format:
 * @self: a pipeline
 * @width: (out) (optional): the width encoded at
 * @height: (out) (optional): its height
 * @framerate: (out) (optional): its frames a second
 */
void
mc_media_pipeline_get_video_format (McMediaPipeline *self,
                                    guint           *width,
                                    guint           *height,
                                    guint           *framerate)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  if (width != NULL)
    *width = self->current_width;
  if (height != NULL)
    *height = self->current_height;
  if (framerate != NULL)
    *framerate = self->current_framerate;
}

/**
 * mc_media_pipeline_set_video_paused:
 * @self: a pipeline
 * @paused: whether to stop sending video
 *
 * Stops encoding (and so sending) video while the path is too slow for it;
 * audio goes on. Going on again starts with a key frame.
 */
void
mc_media_pipeline_set_video_paused (McMediaPipeline *self,
                                    gboolean         paused)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  paused = !!paused;
  if (g_atomic_int_get (&self->video_paused) == paused)
    return;

  g_atomic_int_set (&self->video_paused, paused);
  if (!paused)
    mc_media_pipeline_ensure_key_unit (self);
}

/**
 * mc_media_pipeline_get_video_paused:
 * @self: a pipeline
 *
 * Returns: whether video is paused
 */
gboolean
mc_media_pipeline_get_video_paused (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);

  return g_atomic_int_get (&self->video_paused);
}

/**
 * mc_media_pipeline_set_audio_loss:
 * @self: a pipeline
 * @percent: how many of our packets the network loses, in percent
 *
 * Opus keeps its bitrate whatever the estimate (a call is speech first),
 * but spends part of it on in-band forward error correction as the loss
 * measured says: each packet then carries a coarse copy of the one before,
 * which the peer's decoder uses when that one is lost.
 */
void
mc_media_pipeline_set_audio_loss (McMediaPipeline *self,
                                  guint            percent)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  percent = MIN (percent, 30);
  if (self->audio_encoder == NULL || percent == self->audio_loss)
    return;

  self->audio_loss = percent;
  g_object_set (self->audio_encoder, "inband-fec", percent > 0, "packet-loss-percentage",
                (int) percent, NULL);
}

/**
 * mc_media_pipeline_get_audio_loss:
 * @self: a pipeline
 *
 * Returns: the loss Opus protects against, in percent
 */
guint
mc_media_pipeline_get_audio_loss (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), 0);

  return self->audio_loss;
}
