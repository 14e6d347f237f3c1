/* mc-call-session-media.c — a call's media state: mute, camera, screen sharing
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McCallSession turns the user's mute, camera and screen
 * sharing into the media pipeline's settings and the ::send-media-state the
 * peer gets, keeps what the peer says of its own, and holds the fault hook
 * that blocks media. None of it needs a renegotiation.
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-session-private.h"

/* Helpers */

void
mc_call_session_emit_media_state (McCallSession *self)
{
  /* "camera off" tells the peer that black frames come, and it then shows
   * a placeholder instead of the picture; a shared screen is sent even
   * with the camera off, so the peer must show it. */
  g_signal_emit (self, mc_call_session_signals[SIGNAL_SEND_MEDIA_STATE], 0, self->muted,
                 self->camera_off && !self->screen_share, self->screen_share);
}

void
mc_call_session_set_screen_sharing (McCallSession *self,
                                    gboolean       share)
{
  if (self->screen_share == !!share)
    return;

  self->screen_share = !!share;
  mc_call_session_adapt_content (self);
  g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_SCREEN_SHARING]);
  if (self->peer_present)
    mc_call_session_emit_media_state (self);
}

/* Public API */

/**
 * mc_call_session_receive_media_state:
 * @self: a session
 * @muted: whether the peer is muted
 * @camera_off: whether the peer's camera is off
 * @screen: whether the peer sends its screen instead of its camera
 */
void
mc_call_session_receive_media_state (McCallSession *self,
                                     gboolean       muted,
                                     gboolean       camera_off,
                                     gboolean       screen)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->remote_muted != !!muted)
    {
      self->remote_muted = !!muted;
      g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_REMOTE_MUTED]);
    }

  if (self->remote_camera_off != !!camera_off)
    {
      self->remote_camera_off = !!camera_off;
      g_object_notify_by_pspec (G_OBJECT (self),
                                mc_call_session_properties[PROP_REMOTE_CAMERA_OFF]);
    }

  if (self->remote_screen != !!screen)
    {
      self->remote_screen = !!screen;
      g_object_notify_by_pspec (G_OBJECT (self),
                                mc_call_session_properties[PROP_REMOTE_SCREEN_SHARING]);
    }
}

/**
 * mc_call_session_set_muted:
 * @self: a session
 * @muted: whether to send silence
 *
 * Needs no renegotiation; the peer is told through ::send-media-state.
 */
void
mc_call_session_set_muted (McCallSession *self,
                           gboolean       muted)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->muted == !!muted)
    return;

  self->muted = !!muted;
  if (self->media != NULL)
    mc_media_pipeline_set_muted (self->media, self->muted);
  g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_MUTED]);
  if (self->peer_present)
    mc_call_session_emit_media_state (self);
}

/**
 * mc_call_session_set_camera_off:
 * @self: a session
 * @camera_off: whether to send black frames
 *
 * Needs no renegotiation; the peer is told through ::send-media-state.
 */
void
mc_call_session_set_camera_off (McCallSession *self,
                                gboolean       camera_off)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->camera_off == !!camera_off)
    return;

  self->camera_off = !!camera_off;
  if (self->media != NULL)
    mc_media_pipeline_set_camera_off (self->media, self->camera_off);
  g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_CAMERA_OFF]);
  if (self->peer_present)
    mc_call_session_emit_media_state (self);
}

/**
 * mc_call_session_can_share_screen:
 * @error: return location for why not
 *
 * See mc_media_pipeline_can_share_screen(): whether this desktop session
 * can share its screen at all, and if not, a sentence for the user.
 *
 * Returns: %TRUE if screen sharing can work
 */
gboolean
mc_call_session_can_share_screen (GError **error)
{
  return mc_media_pipeline_can_share_screen (error);
}

/**
 * mc_call_session_set_screen_share:
 * @self: a session
 * @share: %TRUE to send the screen instead of the camera
 * @error: return location for an error
 *
 * Swaps the video source of the running call, with no renegotiation (see
 * mc_media_pipeline_set_screen_share()). Before the session is prepared,
 * only checks that sharing is possible and remembers it; it then starts
 * with the capture, and ::screen-share-stopped says if it could not.
 *
 * The peer is told through ::send-media-state (its @screen), and "camera
 * off" is sent as %FALSE while sharing, so that a peer that does not know
 * of screen sharing still shows the shared screen.
 *
 * Returns: %TRUE if :screen-sharing is now @share
 */
gboolean
mc_call_session_set_screen_share (McCallSession *self,
                                  gboolean       share,
                                  GError       **error)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mc_call_session_is_final (self))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The call is over");
      return FALSE;
    }

  if (!share)
    self->pipewire_fd = -1;
  if (self->screen_share == !!share)
    return TRUE;

  /* Before capture runs the wish is applied in prepared(). */
  if (self->media == NULL || self->prepare_task != NULL ||
      self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    {
      if (share && !mc_media_pipeline_can_share_screen (error))
        return FALSE;
    }
  else if (!mc_media_pipeline_set_screen_share (self->media, share, error))
    {
      return FALSE;
    }

  mc_call_session_set_screen_sharing (self, share);

  return TRUE;
}

/**
 * mc_call_session_share_pipewire:
 * @self: a session
 * @fd: a PipeWire remote (the desktop portal's), kept open by the caller
 *   while the stream is shared
 * @node_id: the stream's node on that remote
 * @width: the stream's width, or 0 if not known
 * @height: its height, or 0
 * @error: return location for an error
 *
 * Sends a PipeWire stream (a monitor or window the desktop portal granted,
 * see McScreenCast) instead of the camera, like
 * mc_call_session_set_screen_share() does with the X11 screen, and tells
 * the peer. mc_call_session_set_screen_share() with %FALSE stops it;
 * ::screen-share-stopped says when it stopped by itself (the stream ended
 * or failed). Before the session is prepared it remembers the stream and
 * starts with it, as mc_call_session_set_screen_share() does.
 *
 * Returns: %TRUE if the stream is now sent (or will be)
 */
gboolean
mc_call_session_share_pipewire (McCallSession *self,
                                int            fd,
                                guint32        node_id,
                                guint          width,
                                guint          height,
                                GError       **error)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mc_call_session_is_final (self))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The call is over");
      return FALSE;
    }

  /* Before capture runs the stream is shared in prepared(). */
  if (self->media == NULL || self->prepare_task != NULL ||
      self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    {
      if (!mc_media_pipeline_can_share_pipewire (error))
        return FALSE;
      self->pipewire_fd = fd;
      self->pipewire_node = node_id;
      self->pipewire_width = width;
      self->pipewire_height = height;
      mc_call_session_set_screen_sharing (self, TRUE);
      return TRUE;
    }

  if (!mc_media_pipeline_share_pipewire (self->media, fd, node_id, width, height, error))
    {
      mc_call_session_set_screen_sharing (self, FALSE);
      return FALSE;
    }

  if (self->screen_share)
    mc_call_session_adapt_content (self);
  mc_call_session_set_screen_sharing (self, TRUE);

  return TRUE;
}

/**
 * mc_call_session_set_media_blocked:
 * @self: a session
 * @blocked: whether to drop all RTP and RTCP, both ways
 *
 * The fault hook for tests: a dead media path while ICE and DTLS still
 * pass. Also driven by `MENTORCALL_FAULT_BLOCK_MEDIA=START:DURATION`
 * (seconds after the call first connected).
 */
void
mc_call_session_set_media_blocked (McCallSession *self,
                                   gboolean       blocked)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->media_blocked = !!blocked;
  if (self->peer != NULL)
    mc_peer_pipeline_set_media_blocked (self->peer, self->media_blocked);
}

/**
 * mc_call_session_set_device:
 * @self: a session
 * @role: the camera, the microphone or the speaker
 * @identity: (nullable): the device's stable identity (see
 *   mc_media_device_get_identity() and mc_media_devices_list()); %NULL or
 *   empty for the default one
 * @error: return location for why it cannot be used
 *
 * Switches a device of the running call, with no renegotiation: the peer
 * keeps the call and receives the new camera's picture or microphone's
 * sound from the next frames (see mc_media_pipeline_set_source_device() and
 * mc_media_pipeline_set_speaker()). A device that cannot be opened fails
 * here with %MC_CALL_ERROR_DEVICE and the call keeps the device it had.
 * Before the session is prepared it is the device the call starts with,
 * as mc_call_session_set_devices() and mc_call_session_set_speaker_device()
 * say. With test sources a camera or microphone cannot be chosen
 * (%MC_CALL_ERROR_NOT_SUPPORTED). While the screen is shared a camera is
 * only remembered, and sent when sharing stops.
 *
 * Returns: %TRUE if the device is used (or will be)
 */
gboolean
mc_call_session_set_device (McCallSession *self,
                            McDeviceRole   role,
                            const char    *identity,
                            GError       **error)
{
  char **setting;

  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mc_call_session_is_final (self))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The call is over");
      return FALSE;
    }

  if (identity != NULL && *identity == '\0')
    identity = NULL;

  if (self->media != NULL)
    {
      gboolean switched = role == MC_DEVICE_ROLE_SPEAKER
                            ? mc_media_pipeline_set_speaker (self->media, identity, error)
                            : mc_media_pipeline_set_source_device (self->media,
                                                                   role == MC_DEVICE_ROLE_CAMERA
                                                                     ? MC_MEDIA_KIND_VIDEO
                                                                     : MC_MEDIA_KIND_AUDIO,
                                                                   identity, error);

      if (!switched)
        return FALSE;
    }

  setting = role == MC_DEVICE_ROLE_CAMERA       ? &self->video_device
            : role == MC_DEVICE_ROLE_MICROPHONE ? &self->audio_device
                                                : &self->audio_output_device;
  g_free (*setting);
  *setting = g_strdup (identity);

  return TRUE;
}

/**
 * mc_call_session_get_device:
 * @self: a session
 * @role: the camera, the microphone or the speaker
 *
 * Returns: (nullable): the stable identity of the device in use; %NULL for
 *   a test source, a camera or microphone that is off because its device
 *   went away, the shared screen, or the default speaker. Before the
 *   session is prepared, the device it was told to start with.
 */
const char *
mc_call_session_get_device (McCallSession *self,
                            McDeviceRole   role)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  if (self->media == NULL)
    return role == MC_DEVICE_ROLE_CAMERA       ? self->video_device
           : role == MC_DEVICE_ROLE_MICROPHONE ? self->audio_device
                                               : self->audio_output_device;

  if (role == MC_DEVICE_ROLE_SPEAKER)
    return mc_media_pipeline_get_speaker (self->media);

  return mc_media_pipeline_get_device_id (self->media, role == MC_DEVICE_ROLE_CAMERA
                                                         ? MC_MEDIA_KIND_VIDEO
                                                         : MC_MEDIA_KIND_AUDIO);
}

/**
 * mc_call_session_list_devices:
 * @self: a session
 * @role: which devices
 *
 * The devices a call can switch to with mc_call_session_set_device(), as
 * the call's own device monitor sees them (see
 * mc_media_pipeline_list_devices()): none before the session is prepared
 * or with test sources. ::devices-changed says when to read it again.
 *
 * Returns: (transfer full) (element-type McMediaDeviceInfo): the devices
 */
GPtrArray *
mc_call_session_list_devices (McCallSession *self,
                              McDeviceRole   role)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  if (self->media == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) mc_media_device_info_free);

  return mc_media_pipeline_list_devices (self->media, role);
}

/**
 * mc_call_session_get_muted:
 * @self: a session
 *
 * Returns: whether we are muted
 */
gboolean
mc_call_session_get_muted (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->muted;
}

/**
 * mc_call_session_get_camera_off:
 * @self: a session
 *
 * Returns: whether our camera is off
 */
gboolean
mc_call_session_get_camera_off (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->camera_off;
}

/**
 * mc_call_session_get_remote_muted:
 * @self: a session
 *
 * Returns: whether the peer said it is muted
 */
gboolean
mc_call_session_get_remote_muted (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->remote_muted;
}

/**
 * mc_call_session_get_screen_share:
 * @self: a session
 *
 * Returns: whether the screen is sent instead of the camera
 */
gboolean
mc_call_session_get_screen_share (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->screen_share;
}

/**
 * mc_call_session_get_remote_camera_off:
 * @self: a session
 *
 * Returns: whether the peer said its camera is off
 */
gboolean
mc_call_session_get_remote_camera_off (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->remote_camera_off;
}

/**
 * mc_call_session_get_remote_screen_sharing:
 * @self: a session
 *
 * Returns: whether the peer said it sends its screen instead of its camera
 */
gboolean
mc_call_session_get_remote_screen_sharing (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->remote_screen;
}

/**
 * mc_call_session_get_remote_video:
 * @self: a session
 *
 * Returns: what video the peer says it sends: its screen (whether its
 *   camera is on or off), its camera, or none
 */
McCallVideoKind
mc_call_session_get_remote_video (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), MC_CALL_VIDEO_NONE);

  return self->remote_screen       ? MC_CALL_VIDEO_SCREEN
         : self->remote_camera_off ? MC_CALL_VIDEO_NONE
                                   : MC_CALL_VIDEO_CAMERA;
}
