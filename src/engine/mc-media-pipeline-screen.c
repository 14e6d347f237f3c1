/* mc-media-pipeline-screen.c — the media pipeline's screen sharing
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McMediaPipeline puts the X11 screen (ximagesrc) in place of
 * the camera's source bin and back, the same swap as for a camera that goes
 * away (see mc-media-pipeline-sources.c): scaled to the size and rate the
 * encoder already has, so that nothing downstream renegotiates.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-media-pipeline-private.h"

/* Helpers */

/* The X11 screen, scaled to the size and rate of the camera picture so that
 * the encoder and the peer see the same caps as before. Scaling comes
 * before the conversion to I420 in the main chain, so that only the small
 * picture is converted. The borders keep the screen's shape; the rate is
 * asked of ximagesrc itself, which then grabs no more often than is sent. */
static GstElement *
make_screen_bin (McMediaPipeline *self,
                 GError         **error)
{
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GstElement) rate_filter = NULL;
  g_autoptr (GstElement) scale = NULL;
  g_autoptr (GstElement) size_filter = NULL;
  g_autoptr (GstCaps)    rate_caps = NULL;
  g_autoptr (GstCaps)    size_caps = NULL;

  source = mc_media_pipeline_make (self, "ximagesrc", NULL, error);
  if (source == NULL)
    return NULL;
  rate_filter = mc_media_pipeline_make (self, "capsfilter", NULL, error);
  if (rate_filter == NULL)
    return NULL;
  scale = mc_media_pipeline_make (self, "videoscale", NULL, error);
  if (scale == NULL)
    return NULL;
  size_filter = mc_media_pipeline_make (self, "capsfilter", NULL, error);
  if (size_filter == NULL)
    return NULL;

  /* XDamage would copy only what changed, but the whole screen is scaled
   * anyway, and with a compositing window manager damage is reported
   * unreliably: full grabs are the predictable choice. */
  g_object_set (source, "use-damage", FALSE, "show-pointer", TRUE, NULL);

  rate_caps = gst_caps_new_simple ("video/x-raw",
                                   "framerate", GST_TYPE_FRACTION, (int) self->framerate, 1,
                                   NULL);
  g_object_set (rate_filter, "caps", rate_caps, NULL);
  g_object_set (scale, "add-borders", TRUE, NULL);
  size_caps = gst_caps_new_simple ("video/x-raw",
                                   "width", G_TYPE_INT, (int) self->width,
                                   "height", G_TYPE_INT, (int) self->height,
                                   "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                   NULL);
  g_object_set (size_filter, "caps", size_caps, NULL);

  return mc_media_pipeline_wrap_in_bin ("screen-source", g_steal_pointer (&source),
                                        g_steal_pointer (&rate_filter), g_steal_pointer (&scale),
                                        g_steal_pointer (&size_filter), NULL);
}

/* Puts the screen in place of the camera. On failure the camera (or test
 * pattern) is back and @error says why. */
static gboolean
start_screen_share (McMediaPipeline *self,
                    GError         **error)
{
  g_autoptr (GError) local_error = NULL;
  GstElement        *bin;

  bin = make_screen_bin (self, error);
  if (bin == NULL)
    return FALSE;

  self->screen_share = TRUE;
  g_atomic_int_set (&self->sharing_screen, TRUE);
  g_clear_object (&self->device[MC_MEDIA_KIND_VIDEO]);
  g_clear_pointer (&self->device_id[MC_MEDIA_KIND_VIDEO], g_free);

  /* ximagesrc opens the display when it starts, so a display that cannot
   * be opened fails here, synchronously; its error message on the bus is
   * then ignored, as the element is gone by the time it is read. */
  if (mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_VIDEO, bin) &&
      gst_element_get_state (bin, NULL, NULL, 0) != GST_STATE_CHANGE_FAILURE)
    {
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED], 0,
                     MC_MEDIA_KIND_VIDEO, NULL, "Sharing the screen");
      mc_media_pipeline_ensure_key_unit (self);
      return TRUE;
    }

  g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
               /* Translators: %s is an X11 display name such as ":0" */
               _ ("Cannot capture the screen: the X11 display “%s” cannot be opened"),
               g_getenv ("DISPLAY"));
  self->screen_share = FALSE;
  g_atomic_int_set (&self->sharing_screen, FALSE);
  bin = mc_media_pipeline_choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &local_error);
  if (bin == NULL || !mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_VIDEO, bin))
    {
      if (local_error == NULL)
        g_set_error (&local_error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _ ("Cannot switch back to the camera"));
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, local_error);
    }

  return FALSE;
}

/* Puts the camera (the one wanted, or any, or the test pattern) back in
 * place of the screen. @failure says why sharing stopped if it was not
 * asked to, and is then reported with ::screen-share-stopped. */
gboolean
mc_media_pipeline_stop_screen_share (McMediaPipeline *self,
                                     const char      *failure)
{
  g_autoptr (GError) error = NULL;
  GstElement        *bin;

  self->screen_share = FALSE;
  g_atomic_int_set (&self->sharing_screen, FALSE);

  bin = mc_media_pipeline_choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &error);
  if (bin == NULL || !mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_VIDEO, bin))
    {
      if (error == NULL)
        g_set_error (&error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _ ("Cannot switch back to the camera"));
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, error);
      return FALSE;
    }
  mc_media_pipeline_ensure_key_unit (self);

  if (failure != NULL)
    {
      error = g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_DEVICE, "Screen sharing stopped: %s",
                           failure);
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_SCREEN_SHARE_STOPPED], 0, error);
    }

  return TRUE;
}

/* Public API */

/**
 * mc_media_pipeline_can_share_screen:
 * @error: return location for why not
 *
 * Whether this session can share its screen: an X11 session with a display
 * and the ximagesrc element. A Wayland session cannot (its screen is shared
 * through the desktop portal, which is not supported yet), even with
 * Xwayland, which would show only the X11 windows.
 *
 * Returns: %TRUE if mc_media_pipeline_set_screen_share() can work; else
 *   %FALSE with @error set (%MC_CALL_ERROR_NOT_SUPPORTED or
 *   %MC_CALL_ERROR_MISSING_ELEMENT) and a message for the user
 */
gboolean
mc_media_pipeline_can_share_screen (GError **error)
{
  const char                   *display = g_getenv ("DISPLAY");
  const char                   *wayland_display = g_getenv ("WAYLAND_DISPLAY");
  g_autoptr (GstElementFactory) factory = NULL;

  if (g_strcmp0 (g_getenv ("XDG_SESSION_TYPE"), "wayland") == 0 ||
      (wayland_display != NULL && *wayland_display != '\0'))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           _ ("Screen sharing in a Wayland session needs the desktop portal, "
                              "which this version does not support yet"));
      return FALSE;
    }

  if (display == NULL || *display == '\0')
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           _ ("Screen sharing needs an X11 display, and this session has none "
                              "(DISPLAY is not set)"));
      return FALSE;
    }

  factory = gst_element_factory_find ("ximagesrc");
  if (factory == NULL)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_MISSING_ELEMENT,
                   /* Translators: %s is a Debian package name */
                   _ ("The ximagesrc element is missing: install the package %s"),
                   mc_call_element_package ("ximagesrc"));
      return FALSE;
    }

  return TRUE;
}

/**
 * mc_media_pipeline_set_screen_share:
 * @self: a started pipeline
 * @share: %TRUE to send the screen, %FALSE to send the camera again
 * @error: return location for an error
 *
 * Swaps the video source while everything else runs: no renegotiation, the
 * same size and rate (the screen is scaled, with borders), and the preview
 * shows what is sent. The camera is let go of while the screen is shared,
 * and chosen again afterwards as at the start. The screen is sent even
 * with the camera off.
 *
 * Returns: %TRUE if the screen (or, for @share %FALSE, the camera) is now
 *   sent; on failure the camera still is
 */
gboolean
mc_media_pipeline_set_screen_share (McMediaPipeline *self,
                                    gboolean         share,
                                    GError         **error)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The media pipeline is not running");
      return FALSE;
    }

  if (self->screen_share == !!share)
    return TRUE;

  if (!share)
    {
      if (!mc_media_pipeline_stop_screen_share (self, NULL))
        {
          g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                               _ ("Cannot switch back to the camera"));
          return FALSE;
        }
      return TRUE;
    }

  if (!mc_media_pipeline_can_share_screen (error))
    return FALSE;

  return start_screen_share (self, error);
}

/**
 * mc_media_pipeline_get_screen_share:
 * @self: a pipeline
 *
 * Returns: whether the screen is sent instead of the camera
 */
gboolean
mc_media_pipeline_get_screen_share (McMediaPipeline *self)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);

  return self->screen_share;
}
