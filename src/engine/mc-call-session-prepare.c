/* mc-call-session-prepare.c — McCallSession: starting capture and encoding
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mc_call_session_prepare_async() builds the session's McMediaPipeline,
 * follows its signals (devices, levels, a screen share that ends, errors)
 * for the life of the call, and warms up DTLS meanwhile; once both are done
 * the session waits for the peer or negotiates (mc-call-session.c holds the
 * object and its state, mc-call-session-negotiation.c the offers).
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-session-private.h"

/* How often the watchdog looks at the media path. */
#define WATCHDOG_INTERVAL_MS 100

static void
media_device_changed_cb (McMediaPipeline *media,
                         McMediaKind      kind,
                         const char      *device_id,
                         const char      *message,
                         gpointer         user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  g_message ("%s", message);
  g_signal_emit (self, mc_call_session_signals[SIGNAL_DEVICE_CHANGED], 0, kind, device_id, message);
}

/* The shared stream's size is known (or changed): the ladder takes its
 * shape. */
static void
media_screen_size_changed_cb (McMediaPipeline *media,
                              gpointer         user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  if (self->screen_share)
    mc_call_session_adapt_content (self);
}

static void
media_device_lost_cb (McMediaPipeline *media,
                      int              role,
                      const char      *message,
                      gpointer         user_data)
{
  g_signal_emit (MC_CALL_SESSION (user_data), mc_call_session_signals[SIGNAL_DEVICE_LOST], 0, role,
                 message);
}

static void
media_devices_changed_cb (McMediaPipeline *media,
                          gpointer         user_data)
{
  g_signal_emit (MC_CALL_SESSION (user_data), mc_call_session_signals[SIGNAL_DEVICES_CHANGED], 0);
}

static void
media_input_level_cb (McMediaPipeline *media,
                      double           level,
                      gpointer         user_data)
{
  g_signal_emit (MC_CALL_SESSION (user_data), mc_call_session_signals[SIGNAL_INPUT_LEVEL], 0,
                 level);
}

static void
media_output_level_cb (McMediaPipeline *media,
                       double           level,
                       gpointer         user_data)
{
  g_signal_emit (MC_CALL_SESSION (user_data), mc_call_session_signals[SIGNAL_OUTPUT_LEVEL], 0,
                 level);
}

static void
media_screen_share_stopped_cb (McMediaPipeline *media,
                               const GError    *error,
                               gpointer         user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  mc_call_session_set_screen_sharing (self, FALSE);
  g_signal_emit (self, mc_call_session_signals[SIGNAL_SCREEN_SHARE_STOPPED], 0, error);
}

static void
media_error_cb (McMediaPipeline *media,
                const GError    *error,
                gpointer         user_data)
{
  mc_call_session_fail (MC_CALL_SESSION (user_data), g_error_copy (error));
}

/* Capture, encoding and the warm-up are done: the session is ready. */
static void
prepared (McCallSession *self,
          GTask         *task)
{
  if (mc_call_session_is_final (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The call was hung up");
      return;
    }

  mc_media_pipeline_set_muted (self->media, self->muted);
  mc_media_pipeline_set_camera_off (self->media, self->camera_off);
  if (self->screen_share)
    {
      g_autoptr (GError) error = NULL;
      gboolean           shared;

      if (self->pipewire_fd >= 0)
        shared = mc_media_pipeline_share_pipewire (self->media, self->pipewire_fd,
                                                   self->pipewire_node, self->pipewire_width,
                                                   self->pipewire_height, &error);
      else
        shared = mc_media_pipeline_set_screen_share (self->media, TRUE, &error);
      self->pipewire_fd = -1;

      if (!shared)
        {
          g_message ("Cannot share the screen: %s", error->message);
          mc_call_session_set_screen_sharing (self, FALSE);
          g_signal_emit (self, mc_call_session_signals[SIGNAL_SCREEN_SHARE_STOPPED], 0, error);
        }
      else
        {
          mc_call_session_adapt_content (self);
        }
    }

  self->watchdog_id = g_timeout_add (WATCHDOG_INTERVAL_MS, mc_call_session_watchdog_cb, self);
  self->stats_id = g_timeout_add_seconds (1, mc_call_session_stats_tick_cb, self);

  if (self->peer_present)
    {
      mc_call_session_set_state (self, MC_CALL_SESSION_STATE_CONNECTING);
      mc_call_session_start_negotiation (self);
    }
  else
    {
      mc_call_session_set_state (self, MC_CALL_SESSION_STATE_WAITING);
      /* Prepare the connection now; joining then costs only the network. */
      if (self->initiator)
        mc_call_session_offer_new_generation (self);
      else
        mc_call_session_await_offer (self);
    }

  if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else if (mc_call_session_is_final (self))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The call was hung up");
  else
    g_task_return_boolean (task, TRUE);
}

static void
media_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  McCallSession     *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (!mc_media_pipeline_start_finish (MC_MEDIA_PIPELINE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mc_call_session_fail (self, g_error_copy (error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The DTLS certificate is still being made: wait for it rather than let
   * the first offer or answer wait for it (see warmed_up_cb). */
  if (self->warming_up)
    {
      self->prepare_task = g_steal_pointer (&task);
      return;
    }

  prepared (self, task);
}

/* The one-time DTLS certificate of the process exists (see
 * mc_peer_pipeline_warm_up_async()). Preparing waits for it, so that it is
 * paid before joining, in parallel with starting capture and encoding,
 * instead of between the peer's arrival and the first frame, where it cost
 * 0.3–1.5 s and was the main reason time to first frame varied so much. */
static void
warmed_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (McCallSession) self = user_data;
  g_autoptr (GTask)         task = g_steal_pointer (&self->prepare_task);

  mc_peer_pipeline_warm_up_finish (result, NULL);
  self->warming_up = FALSE;
  if (task != NULL)
    prepared (self, task);
}

/* GObject */

/**
 * mc_call_session_prepare_async:
 * @self: an idle session
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when capture and encoding run
 * @user_data: data for @callback
 *
 * Starts capture and encoding (and the preview), and prepares the first
 * connection, so that joining costs only the network. The state goes to
 * PREPARING, then WAITING (or CONNECTING if the peer is already there).
 */
void
mc_call_session_prepare_async (McCallSession      *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  McMediaConfig     config = {
        0,
  };

  g_return_if_fail (MC_IS_CALL_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_call_session_prepare_async);

  if (self->state != MC_CALL_SESSION_STATE_IDLE)
    {
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                               "The call was already prepared");
      return;
    }

  config.test_sources = self->test_sources;
  config.video_device = self->video_device;
  config.audio_device = self->audio_device;
  config.audio_output_device = self->audio_output_device;
  config.width = self->width;
  config.height = self->height;
  config.framerate = self->framerate;
  config.stamp_frames = self->stamp_frames;
  config.fake_audio_output = self->fake_audio_output;
  config.echo_cancel = self->echo_cancel;
  config.video_sink = self->video_sink;
  config.preview_sink = self->preview_sink;
  config.overrides = self->overrides;

  self->media = mc_media_pipeline_new (&config);
  mc_call_session_adapt_init (self);
  g_signal_connect (self->media, "device-changed", G_CALLBACK (media_device_changed_cb), self);
  g_signal_connect (self->media, "device-lost", G_CALLBACK (media_device_lost_cb), self);
  g_signal_connect (self->media, "devices-changed", G_CALLBACK (media_devices_changed_cb), self);
  g_signal_connect (self->media, "screen-share-stopped",
                    G_CALLBACK (media_screen_share_stopped_cb), self);
  g_signal_connect (self->media, "screen-size-changed",
                    G_CALLBACK (media_screen_size_changed_cb), self);
  g_signal_connect (self->media, "input-level", G_CALLBACK (media_input_level_cb), self);
  g_signal_connect (self->media, "output-level", G_CALLBACK (media_output_level_cb), self);
  g_signal_connect (self->media, "error", G_CALLBACK (media_error_cb), self);

  mc_call_session_set_state (self, MC_CALL_SESSION_STATE_PREPARING);
  self->warming_up = TRUE;
  mc_peer_pipeline_warm_up_async (NULL, warmed_up_cb, g_object_ref (self));
  mc_media_pipeline_start_async (self->media, cancellable, media_started_cb,
                                 g_steal_pointer (&task));
}

/**
 * mc_call_session_prepare_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if the session is ready for the peer
 */
gboolean
mc_call_session_prepare_finish (McCallSession *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
