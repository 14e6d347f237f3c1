/* mc-media-pipeline-screen.c — the media pipeline's screen sharing
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McMediaPipeline puts the screen in place of the camera's
 * source bin and back, the same swap as for a camera that goes away (see
 * mc-media-pipeline-sources.c): the X11 screen (ximagesrc), or a PipeWire
 * stream that the desktop portal granted (pipewiresrc; the portal itself is
 * McScreenCast's). Nothing is renegotiated with the peer: the encoder starts
 * over at the screen's size, and the peer's decoder follows from the next
 * key frame.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-media-pipeline-private.h"

/* Helpers */

/* The largest size within MC_SCREEN_MAX_WIDTH × MC_SCREEN_MAX_HEIGHT with
 * the shape of a @width × @height screen, in even numbers for I420. */
static void
fit_screen (guint  width,
            guint  height,
            guint *fit_width,
            guint *fit_height)
{
  double scale = 1;

  if (width == 0 || height == 0)
    {
      *fit_width = MC_SCREEN_MAX_WIDTH;
      *fit_height = MC_SCREEN_MAX_HEIGHT;
      return;
    }

  scale = MIN (scale, (double) MC_SCREEN_MAX_WIDTH / width);
  scale = MIN (scale, (double) MC_SCREEN_MAX_HEIGHT / height);
  *fit_width = MAX (2, ((guint) (width * scale)) & ~1u);
  *fit_height = MAX (2, ((guint) (height * scale)) & ~1u);
}

static void
set_size (McMediaPipeline *self,
          GstElement      *size_filter,
          guint            width,
          guint            height)
{
  g_autoptr (GstCaps) caps = NULL;

  fit_screen (width, height, &self->screen_width, &self->screen_height);
  caps = gst_caps_new_simple ("video/x-raw",
                              "width", G_TYPE_INT, (int) self->screen_width,
                              "height", G_TYPE_INT, (int) self->screen_height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  g_object_set (size_filter, "caps", caps, NULL);
}

/* The end of the shared stream (a PipeWire stream whose node went away)
 * must not reach the encoder, which would end the call's video: it ends
 * sharing instead, on the main context. */
static gboolean
stream_ended_cb (gpointer user_data)
{
  g_autoptr (McMediaPipeline) self = user_data;

  if (self->screen_share)
    {
      g_message ("The shared screen's stream ended: back to the camera");
      mc_media_pipeline_stop_screen_share (self, _ ("the shared screen's stream ended"));
    }

  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
screen_event_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  McMediaPipeline *self = MC_MEDIA_PIPELINE (user_data);

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;

  g_main_context_invoke (NULL, stream_ended_cb, g_object_ref (self));
  return GST_PAD_PROBE_DROP;
}

typedef struct
{
  McMediaPipeline *self;
  guint            width;
  guint            height;
} StreamSize;

/* The PipeWire stream's size, once it is known or when it changes (a
 * shared window resized): the screen's filter and the call session's
 * ladder take its shape, so the peer receives the whole of it. */
static gboolean
stream_size_cb (gpointer user_data)
{
  StreamSize            *size = user_data;
  McMediaPipeline       *self = size->self;
  g_autoptr (GstElement) size_filter = NULL;
  guint                  width, height;

  fit_screen (size->width, size->height, &width, &height);
  if (self->screen_share && self->source_bin[MC_MEDIA_KIND_VIDEO] != NULL &&
      (width != self->screen_width || height != self->screen_height))
    size_filter = gst_bin_get_by_name (GST_BIN (self->source_bin[MC_MEDIA_KIND_VIDEO]),
                                       "screen-size");
  if (size_filter != NULL)
    {
      g_debug ("The shared stream is %ux%u", size->width, size->height);
      set_size (self, size_filter, size->width, size->height);
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_SCREEN_SIZE_CHANGED], 0);
    }

  g_object_unref (self);
  g_free (size);
  return G_SOURCE_REMOVE;
}

/* What a compositor's stream says of itself, on its streaming thread.
 *
 * Its size goes to the main context (stream_size_cb()): the portal does
 * not always say it, and a window's changes.
 *
 * Its frame rate is variable (framerate=0/1: Mutter sends a frame when the
 * screen changes, at most max-framerate), and videorate in drop-only mode
 * keeps a variable rate variable, which the fixed rates of the screen's and
 * the main chain's filters refuse ("not-negotiated"). It is declared to run
 * at MC_SCREEN_FRAMERATE: the drop-only videorates behind it go by the
 * timestamps (do-timestamp), so it never sends more than that, and fewer
 * frames when the screen is still. */
static GstPadProbeReturn
stream_caps_cb (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  GstEvent     *event = GST_PAD_PROBE_INFO_EVENT (info);
  StreamSize   *size;
  GstCaps      *caps;
  GstCaps      *fixed;
  GstStructure *structure;
  int           width, height, numerator, denominator;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;

  gst_event_parse_caps (event, &caps);
  structure = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_int (structure, "width", &width) &&
      gst_structure_get_int (structure, "height", &height) && width > 0 && height > 0)
    {
      size = g_new0 (StreamSize, 1);
      size->self = g_object_ref (MC_MEDIA_PIPELINE (user_data));
      size->width = (guint) width;
      size->height = (guint) height;
      g_main_context_invoke (NULL, stream_size_cb, size);
    }

  if (!gst_structure_get_fraction (structure, "framerate", &numerator, &denominator) ||
      numerator != 0)
    return GST_PAD_PROBE_OK;

  fixed = gst_caps_copy (caps);
  structure = gst_caps_get_structure (fixed, 0);
  gst_structure_set (structure, "framerate", GST_TYPE_FRACTION, MC_SCREEN_FRAMERATE, 1, NULL);
  gst_structure_remove_field (structure, "max-framerate");
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (fixed);
  gst_caps_unref (fixed);
  gst_event_unref (event);

  return GST_PAD_PROBE_OK;
}

/* The screen, scaled to fit MC_SCREEN_MAX_WIDTH × MC_SCREEN_MAX_HEIGHT with
 * its shape and sent at most MC_SCREEN_FRAMERATE times a second; the call
 * session's ladder for screens (mc-video-ladder.c) scales it further in the
 * main chain when the path is slow. Scaling comes before the conversion to
 * I420 in the main chain, so that only the smaller picture is converted.
 *
 * ximagesrc grabs at the rate asked of it, whether the screen changed or
 * not. PipeWire sends a frame only when the screen changed, so pipewiresrc
 * sends the last one again every half second: a static screen still
 * reaches a peer that joins late or lost a packet. */
static GstElement *
make_screen_bin (McMediaPipeline *self,
                 GstElement      *source,
                 guint            width,
                 guint            height,
                 GError         **error)
{
  g_autoptr (GstElement) owned_source = source;
  g_autoptr (GstElement) convert = NULL;
  g_autoptr (GstElement) rate = NULL;
  g_autoptr (GstElement) rate_filter = NULL;
  g_autoptr (GstElement) scale = NULL;
  g_autoptr (GstElement) size_filter = NULL;
  g_autoptr (GstCaps)    rate_caps = NULL;
  g_autoptr (GstPad)     pad = NULL;
  GstElement            *bin;

  convert = mc_media_pipeline_make (self, "videoconvert", NULL, error);
  if (convert == NULL)
    return NULL;
  rate = mc_media_pipeline_make (self, "videorate", NULL, error);
  if (rate == NULL)
    return NULL;
  rate_filter = mc_media_pipeline_make (self, "capsfilter", NULL, error);
  if (rate_filter == NULL)
    return NULL;
  scale = mc_media_pipeline_make (self, "videoscale", NULL, error);
  if (scale == NULL)
    return NULL;
  size_filter = mc_media_pipeline_make (self, "capsfilter", "screen-size", error);
  if (size_filter == NULL)
    return NULL;

  /* A rate, not a fixed framerate in the caps: PipeWire offers a variable
   * one. videorate only drops what comes too often. */
  g_object_set (rate, "drop-only", TRUE, "max-rate", MC_SCREEN_FRAMERATE, NULL);
  rate_caps = gst_caps_new_simple ("video/x-raw",
                                   "framerate", GST_TYPE_FRACTION, MC_SCREEN_FRAMERATE, 1,
                                   NULL);
  g_object_set (rate_filter, "caps", rate_caps, NULL);
  g_object_set (scale, "add-borders", TRUE, NULL);
  set_size (self, size_filter, width, height);

  bin = mc_media_pipeline_wrap_in_bin ("screen-source", g_steal_pointer (&owned_source),
                                       g_steal_pointer (&convert), g_steal_pointer (&rate),
                                       g_steal_pointer (&rate_filter), g_steal_pointer (&scale),
                                       g_steal_pointer (&size_filter), NULL);
  pad = gst_element_get_static_pad (bin, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, screen_event_cb, self, NULL);

  return bin;
}

/* The X11 screen's size, once ximagesrc has opened the display. */
static void
query_x11_size (GstElement *bin,
                guint      *width,
                guint      *height)
{
  g_autoptr (GstElement) source = gst_bin_get_by_name (GST_BIN (bin), "x11-screen");
  g_autoptr (GstPad)     pad = source ? gst_element_get_static_pad (source, "src") : NULL;
  g_autoptr (GstCaps)    caps = pad ? gst_pad_query_caps (pad, NULL) : NULL;
  GstStructure          *structure;
  int                    w = 0, h = 0;

  *width = *height = 0;
  if (caps == NULL || gst_caps_is_empty (caps))
    return;

  structure = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_int (structure, "width", &w) &&
      gst_structure_get_int (structure, "height", &h) && w > 0 && h > 0)
    {
      *width = (guint) w;
      *height = (guint) h;
    }
}

/* The camera's size and frame rate again, which sharing had lowered to the
 * screen's 15 frames a second (swap_in_screen()): before the camera is
 * linked, so that its first frame takes them (the call session then picks
 * its rung in the camera's ladder, mc_call_session_adapt_content()). */
static void
restore_camera_format (McMediaPipeline *self)
{
  mc_media_pipeline_set_video_format (self, self->width, self->height, self->framerate);
}

/* Back to the camera (or test pattern) after a screen that could not start;
 * @error already says why sharing failed. */
static void
restore_camera (McMediaPipeline *self)
{
  g_autoptr (GError) local_error = NULL;
  GstElement        *bin;

  self->screen_share = FALSE;
  self->screen_width = self->screen_height = 0;
  g_atomic_int_set (&self->sharing_screen, FALSE);
  restore_camera_format (self);
  bin = mc_media_pipeline_choose_source (self, MC_MEDIA_KIND_VIDEO, NULL, FALSE, &local_error);
  if (bin == NULL || !mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_VIDEO, bin))
    {
      if (local_error == NULL)
        g_set_error (&local_error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                     _ ("Cannot switch back to the camera"));
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_ERROR], 0, local_error);
    }
}

/* Puts @bin, a screen, in place of the camera. */
static gboolean
swap_in_screen (McMediaPipeline *self,
                GstElement      *bin)
{
  self->screen_share = TRUE;
  g_atomic_int_set (&self->sharing_screen, TRUE);
  g_clear_object (&self->device[MC_MEDIA_KIND_VIDEO]);
  g_clear_pointer (&self->device_id[MC_MEDIA_KIND_VIDEO], g_free);

  /* The main chain's videorate only drops frames: it must not ask the
   * screen for more than it sends. The call session then picks the screen's
   * rung (mc_call_session_adapt_content()). */
  mc_media_pipeline_set_video_format (self, self->current_width, self->current_height,
                                      MIN (self->current_framerate, MC_SCREEN_FRAMERATE));

  return mc_media_pipeline_replace_source (self, MC_MEDIA_KIND_VIDEO, bin) &&
         gst_element_get_state (bin, NULL, NULL, 0) != GST_STATE_CHANGE_FAILURE;
}

/* Puts the X11 screen in place of the camera. On failure the camera (or
 * test pattern) is back and @error says why. */
static gboolean
start_screen_share (McMediaPipeline *self,
                    GError         **error)
{
  GstElement *source;
  GstElement *bin;
  guint       width, height;
  gboolean    swapped = FALSE;

  source = mc_media_pipeline_make (self, "ximagesrc", "x11-screen", error);
  if (source == NULL)
    return FALSE;

  /* XDamage would copy only what changed, but the whole screen is scaled
   * anyway, and with a compositing window manager damage is reported
   * unreliably: full grabs are the predictable choice. */
  g_object_set (source, "use-damage", FALSE, "show-pointer", TRUE, NULL);

  bin = make_screen_bin (self, source, 0, 0, error);
  if (bin == NULL)
    return FALSE;

  /* ximagesrc opens the display when it starts, so a display that cannot
   * be opened fails here, synchronously. Started (paused, as a live source
   * it sends nothing yet), it knows the screen's size, which the bin's size
   * is then made of before anything flows. */
  gst_object_ref_sink (bin);
  if (gst_element_set_state (bin, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr (GstElement) size_filter = gst_bin_get_by_name (GST_BIN (bin), "screen-size");

      query_x11_size (bin, &width, &height);
      set_size (self, size_filter, width, height);
      swapped = swap_in_screen (self, bin);
    }
  else
    {
      /* Nothing was swapped: the camera still runs. */
      gst_element_set_state (bin, GST_STATE_NULL);
      gst_object_unref (bin);
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                   /* Translators: %s is an X11 display name such as ":0" */
                   _ ("Cannot capture the screen: the X11 display “%s” cannot be opened"),
                   g_getenv ("DISPLAY"));
      return FALSE;
    }
  gst_object_unref (bin);

  if (swapped)
    {
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED], 0,
                     MC_MEDIA_KIND_VIDEO, NULL, "Sharing the screen");
      mc_media_pipeline_ensure_key_unit (self);
      return TRUE;
    }

  g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
                       _ ("Cannot capture the screen: its picture does not fit the call's video"));
  restore_camera (self);

  return FALSE;
}

/* Puts a PipeWire stream (a screen or window the desktop portal granted)
 * in place of the camera. */
static gboolean
start_pipewire_share (McMediaPipeline *self,
                      int              fd,
                      guint32          node_id,
                      guint            width,
                      guint            height,
                      GError         **error)
{
  g_autofree char   *path = g_strdup_printf ("%u", node_id);
  g_autoptr (GstPad) source_pad = NULL;
  GstElement        *source;
  GstElement        *bin;

  source = mc_media_pipeline_make (self, "pipewiresrc", "pipewire-screen", error);
  if (source == NULL)
    return FALSE;

  /* pipewiresrc duplicates the descriptor: the caller keeps its own. */
  g_object_set (source, "fd", fd, "path", path, "do-timestamp", TRUE, "keepalive-time", 500,
                "client-name", "Mentorcall", NULL);
  source_pad = gst_element_get_static_pad (source, "src");
  gst_pad_add_probe (source_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, stream_caps_cb, self, NULL);

  bin = make_screen_bin (self, source, width, height, error);
  if (bin == NULL)
    return FALSE;

  if (swap_in_screen (self, bin))
    {
      g_signal_emit (self, mc_media_pipeline_signals[SIGNAL_DEVICE_CHANGED], 0,
                     MC_MEDIA_KIND_VIDEO, NULL, "Sharing the screen through PipeWire");
      mc_media_pipeline_ensure_key_unit (self);
      return TRUE;
    }

  g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_DEVICE,
               _ ("Cannot capture the screen: the PipeWire stream cannot be opened"));
  restore_camera (self);

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
  self->screen_width = self->screen_height = 0;
  g_atomic_int_set (&self->sharing_screen, FALSE);
  restore_camera_format (self);

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
 * Whether this session can share its X11 screen: an X11 session with a
 * display and the ximagesrc element, outside the Flatpak. A Wayland session cannot, even with
 * Xwayland, which would show only the X11 windows: its screen is shared
 * through the desktop portal (McScreenCast and
 * mc_media_pipeline_share_pipewire()).
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

  /* The sandbox's own X11 socket, if any, is no way to the screen. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           _ ("In the Flatpak the screen is shared through the desktop portal"));
      return FALSE;
    }

  if (g_strcmp0 (g_getenv ("XDG_SESSION_TYPE"), "wayland") == 0 ||
      (wayland_display != NULL && *wayland_display != '\0'))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_NOT_SUPPORTED,
                           _ ("In a Wayland session the screen is shared through the desktop "
                              "portal, not X11"));
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

/**
 * mc_media_pipeline_can_share_pipewire:
 * @error: return location for why not
 *
 * Returns: %TRUE if the pipewiresrc element is there to capture what the
 *   desktop portal grants; else %FALSE with @error set
 *   (%MC_CALL_ERROR_MISSING_ELEMENT) and a message for the user
 */
gboolean
mc_media_pipeline_can_share_pipewire (GError **error)
{
  g_autoptr (GstElementFactory) factory = gst_element_factory_find ("pipewiresrc");

  if (factory == NULL)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_MISSING_ELEMENT,
                   /* Translators: %s is a Debian package name */
                   _ ("The pipewiresrc element is missing: install the package %s"),
                   mc_call_element_package ("pipewiresrc"));
      return FALSE;
    }

  return TRUE;
}

/**
 * mc_media_pipeline_share_pipewire:
 * @self: a started pipeline
 * @fd: a PipeWire remote (the portal's OpenPipeWireRemote), kept by the caller
 * @node_id: the stream's node on that remote
 * @width: the stream's width, or 0 if not known
 * @height: its height, or 0
 * @error: return location for an error
 *
 * Like mc_media_pipeline_set_screen_share() with %TRUE, but sends a PipeWire
 * stream (a monitor or window shared through the desktop portal) instead
 * of the X11 screen. Sharing stops with mc_media_pipeline_set_screen_share()
 * and %FALSE, or by itself with ::screen-share-stopped when the stream fails
 * or ends. @fd must stay open while the stream is shared.
 *
 * Returns: %TRUE if the stream is now sent; on failure the camera is
 */
gboolean
mc_media_pipeline_share_pipewire (McMediaPipeline *self,
                                  int              fd,
                                  guint32          node_id,
                                  guint            width,
                                  guint            height,
                                  GError         **error)
{
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (self), FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL)
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The media pipeline is not running");
      return FALSE;
    }

  if (!mc_media_pipeline_can_share_pipewire (error))
    return FALSE;

  return start_pipewire_share (self, fd, node_id, width, height, error);
}

/**
 * mc_media_pipeline_get_screen_size:
 * @self: a pipeline
 * @width: (out): the shared screen's width as sent at best, or 0
 * @height: (out): its height, or 0
 *
 * While the screen is shared: its size, scaled down to fit 1920 × 1080.
 */
void
mc_media_pipeline_get_screen_size (McMediaPipeline *self,
                                   guint           *width,
                                   guint           *height)
{
  g_return_if_fail (MC_IS_MEDIA_PIPELINE (self));

  *width = self->screen_share ? self->screen_width : 0;
  *height = self->screen_share ? self->screen_height : 0;
}
