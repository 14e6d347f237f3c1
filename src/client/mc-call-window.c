/* mc-call-window.c — a lesson's call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The other person's video large, ours small, their name and the time left
 * above, the controls below and the chat beside. The call itself is an
 * McCallController; this window shows its state and turns the controls
 * into its calls. Leave (or closing the window) leaves the call without
 * ending it — the main window then offers to rejoin — and only End Lesson,
 * after a confirmation, ends it for both. The two are side by side with
 * words on them, since the icons alone do not tell them apart. While the window is open the session
 * inhibits suspend and idle, as a call should.
 *
 * Video reaches the window through McVideoSink, which hands frames to a
 * GdkPaintable; the paintables belong to the window and survive the call
 * engine's reconnections, which rebuild the sinks.
 *
 * What the other side does is said in words: when they leave (the lesson
 * goes on) the middle of the picture says so until they are back, and a
 * toast tells when they lose their connection or come back. When the lesson
 * ends, whoever ended it, the window gives way to the lesson's summary,
 * whose heading says who ended it.
 *
 * Small windows: libadwaita 1.2 has no breakpoints, so the window keeps
 * its own (apply_layout_cb ()): below CHAT_BESIDE_WIDTH the chat folds
 * over the video instead of beside it, below NARROW_WIDTH Leave and End
 * Lesson lose their words (not their tooltips) so that the controls fit in
 * 360 pixels, and the self view is always a share of the video's width
 * (mc_call_window_get_child_position_cb ()).
 *
 * The devices button opens a menu of cameras, microphones and speakers that
 * switches them while the call runs (mc-call-window-devices.c).
 *
 * Screen sharing swaps what the engine sends, camera or screen, while the
 * call runs; the self view shows whichever is sent. The screen comes from
 * X11 or, on Wayland and in the Flatpak, from the desktop portal
 * (mc-call-window-screen.c); where neither works the button stays
 * insensitive and its tooltip says why.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking-row.h"
#include "mc-call-window-internal.h"
#include "mc-call-window-private.h"
#include "mc-summary-window.h"
#include "mc-video-paintable.h"
#include "mc-video-sink.h"


G_DEFINE_FINAL_TYPE (McCallWindow, mc_call_window, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_MUTED,
  PROP_CAMERA_OFF,
  PROP_SCREEN_SHARING,
  PROP_CHAT_VISIBLE,
  PROP_FULLSCREEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The sink the call engine renders into. The engine puts a videoconvert in
 * front of it, which picks one of the RGB formats a GdkMemoryTexture takes. */
static GstElement *
make_sink (McVideoPaintable *paintable,
           const char       *name)
{
  GstElement *sink = mc_video_sink_new_for_paintable (paintable);

  gst_object_set_name (GST_OBJECT (sink), name);

  /* Show each frame when it arrives: the jitter buffer has already paced
   * them, and waiting for the clock would only add latency. */
  g_object_set (sink, "sync", FALSE, "qos", FALSE, NULL);

  return sink;
}

static void
session_screen_share_stopped_cb (McCallSession *session,
                                 const GError  *error,
                                 McCallWindow  *self)
{
  /* Translators: %s says why, such as "the X11 display went away" */
  g_autofree char *message = g_strdup_printf (_ ("Screen sharing stopped: %s"), error->message);

  mc_call_window_set_screen_sharing (self, FALSE);
  mc_call_window_toast (self, message);
}

/* The lesson is over: its summary takes the window's place, and says who
 * ended it. */
static void
controller_ended_cb (McCallController *controller,
                     gint64            by,
                     McCallWindow     *self)
{
  McSignalingClient *signaling = mc_call_controller_get_signaling (controller);
  JsonObject        *me = signaling != NULL ? mc_signaling_client_get_user (signaling) : NULL;
  GtkApplication    *application = gtk_window_get_application (GTK_WINDOW (self));
  McSummaryWindow   *summary;
  g_autofree char   *notice = NULL;

  if (me != NULL && by == json_object_get_int_member (me, "id"))
    notice = g_strdup (_ ("You ended the lesson"));
  else if (by != 0 && by == mc_call_window_peer_id (self))
    /* Translators: %s is the other participant */
    notice = g_strdup_printf (_ ("%s ended the lesson"), mc_call_window_peer_name (self));
  else
    notice = g_strdup (_ ("The lesson has ended"));

  summary = mc_summary_window_new (application, self->api, self->booking, notice);
  gtk_window_present (GTK_WINDOW (summary));

  self->leaving = TRUE;
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
configure_session_cb (McCallController *controller,
                      McCallSession    *session,
                      McCallWindow     *self)
{
  g_auto (GStrv)         addresses = g_settings_get_strv (self->settings, "ice-addresses");
  g_autofree char       *video_device = g_settings_get_string (self->settings, "video-device");
  g_autofree char       *audio_device = g_settings_get_string (self->settings, "audio-device");
  g_autofree char       *speaker_device = g_settings_get_string (self->settings, "speaker-device");
  g_autoptr (GstElement) remote_sink = NULL;
  g_autoptr (GstElement) preview_sink = NULL;

  mc_call_session_set_test_sources (session, g_settings_get_boolean (self->settings,
                                                                     "test-sources"));
  if (*video_device != '\0' || *audio_device != '\0')
    mc_call_session_set_devices (session, *video_device ? video_device : NULL,
                                 *audio_device ? audio_device : NULL);
  if (*speaker_device != '\0')
    mc_call_session_set_speaker_device (session, speaker_device);
  if (addresses[0] != NULL && g_getenv ("MENTORCALL_ICE_ADDRESSES") == NULL)
    mc_call_session_set_ice_addresses (session, (const char * const *) addresses);

  remote_sink = gst_object_ref_sink (make_sink (self->remote_paintable, "mc-remote-view"));
  preview_sink = gst_object_ref_sink (make_sink (self->self_paintable, "mc-self-view"));
  mc_call_session_set_video_sink (session, remote_sink);
  mc_call_session_set_preview_sink (session, preview_sink);

  g_signal_connect (session, "notify::state", G_CALLBACK (mc_call_window_session_state_cb), self);
  g_signal_connect (session, "notify::remote-muted", G_CALLBACK (mc_call_window_session_remote_media_cb), self);
  g_signal_connect (session, "notify::remote-camera-off",
                    G_CALLBACK (mc_call_window_session_remote_media_cb), self);
  g_signal_connect (session, "notify::remote-screen-sharing",
                    G_CALLBACK (mc_call_window_session_remote_media_cb), self);
  g_signal_connect (session, "input-level", G_CALLBACK (mc_call_window_input_level_cb), self);
  g_signal_connect (session, "output-level", G_CALLBACK (mc_call_window_output_level_cb), self);
  g_signal_connect (session, "screen-share-stopped",
                    G_CALLBACK (session_screen_share_stopped_cb), self);
  mc_call_window_watch_devices (self, session);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (McCallWindow) self = user_data;
  g_autoptr (GError)       error = NULL;
  McSignalingClient       *signaling;
  McCallSession           *session;

  if (!mc_call_controller_start_finish (MC_CALL_CONTROLLER (object), result, &error))
    {
      g_autofree char *message = NULL;
      g_autofree char *reason = NULL;

      if (self->leaving || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      reason = mc_describe_error (error);
      /* Translators: %s says why, such as "The lesson cannot be joined at this time." */
      message = g_strdup_printf (_ ("Cannot join the lesson: %s"), reason);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      gtk_label_set_label (self->connection_label, _ ("Failed"));
      gtk_label_set_label (self->peer_status_label, message);
      return;
    }

  session = mc_call_window_get_session (self);
  self->devices_ready = TRUE;
  mc_call_window_update_devices (self);
  if (self->muted)
    mc_call_session_set_muted (session, TRUE);
  if (self->camera_off)
    mc_call_session_set_camera_off (session, TRUE);
  if (self->screen_sharing)
    {
      g_autoptr (GError) share_error = NULL;

      if (!mc_call_window_apply_screen_share (self, session, TRUE, &share_error))
        session_screen_share_stopped_cb (session, share_error, self);
    }

  signaling = mc_call_controller_get_signaling (self->controller);
  if (mc_signaling_client_get_user (signaling) != NULL)
    mc_chat_pane_set_own_user_id (self->chat_pane,
                                  json_object_get_int_member (mc_signaling_client_get_user (
                                                                signaling),
                                                              "id"));
  g_signal_connect (signaling, "chat-received", G_CALLBACK (mc_call_window_chat_received_cb), self);
  g_signal_connect (signaling, "chat-state-changed", G_CALLBACK (mc_call_window_chat_state_changed_cb), self);
  g_signal_connect (signaling, "peer-left", G_CALLBACK (mc_call_window_peer_left_cb), self);
  g_signal_connect (signaling, "peer-joined", G_CALLBACK (mc_call_window_peer_joined_cb), self);
}

static gboolean
mc_call_window_close_request (GtkWindow *window)
{
  McCallWindow *self = MC_CALL_WINDOW (window);

  int width, height;

  /* A rejoined call comes back at the size this one had. */
  if (!gtk_window_is_maximized (window) && !gtk_window_is_fullscreen (window))
    {
      gtk_window_get_default_size (window, &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "call-window-width", width);
          g_settings_set_int (self->settings, "call-window-height", height);
        }
    }

  /* Closing is leaving, not ending: the other side stays, and the main
   * window offers to come back. */
  self->leaving = TRUE;
  if (self->controller != NULL)
    mc_call_controller_leave (self->controller);

  return GTK_WINDOW_CLASS (mc_call_window_parent_class)->close_request (window);
}

static gboolean
close_idle_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));

  return G_SOURCE_REMOVE;
}

static void
end_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 McCallWindow     *self)
{
  /* Not at once: the dialog is still transient for this window while it
   * emits its response, and goes only afterwards. */
  if (g_strcmp0 (response, "leave") == 0)
    {
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_idle_cb, g_object_ref (self),
                       g_object_unref);
      return;
    }

  if (g_strcmp0 (response, "end") != 0 || self->controller == NULL)
    return;

  if (!mc_call_controller_end (self->controller))
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_ ("Cannot end the lesson while disconnected; "
                                                   "try again in a moment")));
}

/* End Lesson asks first, and offers Leave in the same breath: someone who
 * only wants to step out should not have to find the other button. */
static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  McCallWindow *self = MC_CALL_WINDOW (widget);
  GtkWidget    *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("End the Lesson for Both?"),
                                   NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is the other participant */
                                  _ ("The call ends for you and %s, and the lesson cannot be "
                                     "joined again. To step out for a moment, leave instead: "
                                     "the lesson goes on and you can rejoin."),
                                  mc_call_window_peer_name (self));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "leave", C_ ("call", "_Leave"),
                                    "end", _ ("_End Lesson"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "end",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (end_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Leaving is closing the window: the call goes on for the other side, and
 * the main window offers to rejoin. */
static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
leave_fullscreen_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (widget)))
    gtk_window_unfullscreen (GTK_WINDOW (widget));
}

/* The app's shortcuts window (its "In a Lesson" group lists this window's). */
static void
show_shortcuts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_autoptr (GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/mentorcall/Mentorcall/gtk/help-overlay.ui");
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (widget));
  gtk_window_present (shortcuts);
}

/* The self view shows what is sent: the screen even with the camera off,
 * and all of it rather than a cropped middle. With nothing sent it stays
 * in place and says so, so that the muted mark has somewhere to be. The
 * buttons show what is off with a crossed icon and a red background, the
 * way a muted microphone reads in any call app, and their tooltips say
 * what pressing does now. */
static void
update_own_state (McCallWindow *self)
{
  gboolean sending_video = !self->camera_off || self->screen_sharing;

  gtk_widget_set_opacity (GTK_WIDGET (self->self_picture), sending_video ? 1.0 : 0.0);
  gtk_widget_set_visible (self->self_camera_off, !sending_video);
  gtk_picture_set_content_fit (self->self_picture, self->screen_sharing ? GTK_CONTENT_FIT_CONTAIN
                                                                        : GTK_CONTENT_FIT_COVER);
  gtk_widget_set_visible (self->self_muted_mark, self->muted);

  gtk_button_set_icon_name (GTK_BUTTON (self->mute_button),
                            self->muted ? "microphone-disabled-symbolic"
                                        : "audio-input-microphone-symbolic");
  gtk_widget_set_tooltip_text (self->mute_button,
                               self->muted ? _ ("Unmute (Ctrl+D)") : _ ("Mute (Ctrl+D)"));
  gtk_button_set_icon_name (GTK_BUTTON (self->camera_button),
                            self->camera_off ? "camera-disabled-symbolic" : "camera-web-symbolic");
  gtk_widget_set_tooltip_text (self->camera_button, self->camera_off
                                                      ? _ ("Turn Camera On (Ctrl+E)")
                                                      : _ ("Turn Camera Off (Ctrl+E)"));
}

static void
set_muted (McCallWindow *self,
           gboolean      muted)
{
  if (self->muted == muted)
    return;

  self->muted = muted;
  if (mc_call_window_get_session (self) != NULL)
    mc_call_session_set_muted (mc_call_window_get_session (self), muted);
  g_settings_set_boolean (self->settings, "join-muted", muted);
  if (!muted)
    {
      g_clear_handle_id (&self->speaking_id, g_source_remove);
      mc_call_window_set_speaking_while_muted (self, FALSE);
    }
  update_own_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

static void
set_camera_off (McCallWindow *self,
                gboolean      camera_off)
{
  if (self->camera_off == camera_off)
    return;

  self->camera_off = camera_off;
  if (mc_call_window_get_session (self) != NULL)
    mc_call_session_set_camera_off (mc_call_window_get_session (self), camera_off);
  g_settings_set_boolean (self->settings, "join-camera-off", camera_off);
  update_own_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_OFF]);
}

void
mc_call_window_set_screen_sharing (McCallWindow *self,
                                   gboolean      sharing)
{
  McCallSession *session = mc_call_window_get_session (self);

  if (self->screen_sharing == sharing)
    return;

  /* Through the portal its dialog comes first, and sharing starts when
   * the user has chosen: until then the toggle button flips back. */
  if (sharing && mc_call_window_ask_portal (self))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARING]);
      return;
    }

  /* Without a session yet, the wish is applied once the call has started. */
  if (session != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (!mc_call_window_apply_screen_share (self, session, sharing, &error))
        {
          g_autofree char *message = NULL;

          /* Translators: %s says why, such as "The ximagesrc element is missing" */
          message = g_strdup_printf (sharing ? _ ("Cannot share the screen: %s")
                                             : _ ("Cannot stop sharing the screen: %s"),
                                     error->message);
          mc_call_window_toast (self, message);
          if (sharing)
            mc_call_window_release_screen_cast (self);
          /* The toggle button flipped already: flip it back. */
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARING]);
          return;
        }
    }

  if (!sharing)
    mc_call_window_release_screen_cast (self);
  self->screen_sharing = sharing;
  update_own_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARING]);
}

static void
set_chat_visible (McCallWindow *self,
                  gboolean      visible)
{
  if (self->chat_visible == visible)
    return;

  self->chat_visible = visible;
  adw_flap_set_reveal_flap (self->flap, visible);
  if (visible)
    {
      g_clear_handle_id (&self->preview_id, g_source_remove);
      gtk_revealer_set_reveal_child (self->preview_revealer, FALSE);
      mc_call_window_set_read_seq (self, self->last_seq);
      self->unread = 0;
      mc_call_window_update_unread (self);
      mc_chat_pane_focus_entry (self->chat_pane);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT_VISIBLE]);
}

static void
flap_revealed_cb (McCallWindow *self)
{
  /* Folded over the video, the chat closes by a click beside it. */
  if (!self->folding && !adw_flap_get_folded (self->flap))
    self->chat_beside = adw_flap_get_reveal_flap (self->flap);
  set_chat_visible (self, adw_flap_get_reveal_flap (self->flap));
}

static void
fullscreened_cb (McCallWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FULLSCREEN]);
}

static void
mc_call_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  McCallWindow *self = MC_CALL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_CAMERA_OFF:
      g_value_set_boolean (value, self->camera_off);
      break;
    case PROP_SCREEN_SHARING:
      g_value_set_boolean (value, self->screen_sharing);
      break;
    case PROP_CHAT_VISIBLE:
      g_value_set_boolean (value, self->chat_visible);
      break;
    case PROP_FULLSCREEN:
      g_value_set_boolean (value, gtk_window_is_fullscreen (GTK_WINDOW (self)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_call_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  McCallWindow *self = MC_CALL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MUTED:
      set_muted (self, g_value_get_boolean (value));
      break;
    case PROP_CAMERA_OFF:
      set_camera_off (self, g_value_get_boolean (value));
      break;
    case PROP_SCREEN_SHARING:
      mc_call_window_set_screen_sharing (self, g_value_get_boolean (value));
      break;
    case PROP_CHAT_VISIBLE:
      set_chat_visible (self, g_value_get_boolean (value));
      break;
    case PROP_FULLSCREEN:
      if (g_value_get_boolean (value))
        gtk_window_fullscreen (GTK_WINDOW (self));
      else
        gtk_window_unfullscreen (GTK_WINDOW (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_call_window_dispose (GObject *object)
{
  McCallWindow   *self = (McCallWindow *) object;
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  g_cancellable_cancel (self->cancellable);
  mc_call_window_dispose_screen_share (self);
  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_handle_id (&self->layout_id, g_source_remove);
  g_clear_handle_id (&self->preview_id, g_source_remove);
  g_clear_handle_id (&self->peer_speaking_id, g_source_remove);
  g_clear_handle_id (&self->speaking_id, g_source_remove);
  if (self->inhibit_cookie != 0 && application != NULL)
    gtk_application_uninhibit (application, self->inhibit_cookie);
  self->inhibit_cookie = 0;

  if (self->controller != NULL)
    {
      McSignalingClient *signaling = mc_call_controller_get_signaling (self->controller);
      McCallSession     *session = mc_call_window_get_session (self);

      if (signaling != NULL)
        g_signal_handlers_disconnect_by_data (signaling, self);
      if (session != NULL)
        g_signal_handlers_disconnect_by_data (session, self);
      mc_call_window_unwatch_network (self);
      g_signal_handlers_disconnect_by_data (self->controller, self);
      g_clear_object (&self->controller);
    }

  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_CALL_WINDOW);

  G_OBJECT_CLASS (mc_call_window_parent_class)->dispose (object);
}

static void
mc_call_window_finalize (GObject *object)
{
  McCallWindow *self = (McCallWindow *) object;

  g_clear_object (&self->api);
  g_clear_pointer (&self->booking, json_object_unref);
  g_clear_pointer (&self->notice, g_free);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->remote_paintable);
  g_clear_object (&self->self_paintable);
  g_clear_object (&self->device_actions);
  g_clear_object (&self->devices_menu);

  G_OBJECT_CLASS (mc_call_window_parent_class)->finalize (object);
}

static void
mc_call_window_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  GTK_WIDGET_CLASS (mc_call_window_parent_class)->size_allocate (widget, width, height, baseline);
  mc_call_window_relayout (MC_CALL_WINDOW (widget), width);
}

static void
mc_call_window_class_init (McCallWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = mc_call_window_dispose;
  object_class->finalize = mc_call_window_finalize;
  object_class->get_property = mc_call_window_get_property;
  object_class->set_property = mc_call_window_set_property;
  window_class->close_request = mc_call_window_close_request;
  widget_class->size_allocate = mc_call_window_size_allocate;

  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAMERA_OFF] =
    g_param_spec_boolean ("camera-off", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCREEN_SHARING] =
    g_param_spec_boolean ("screen-sharing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAT_VISIBLE] =
    g_param_spec_boolean ("chat-visible", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FULLSCREEN] =
    g_param_spec_boolean ("fullscreen", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-call-window.ui");
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, remote_picture);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, self_picture);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, self_camera_off);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, self_muted_mark);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, self_muted_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, mute_button);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, camera_button);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_status);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_avatar);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_status_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, screen_notice);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, screen_notice_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_bar);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_speaking_image);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_muted_image);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, quality_image);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, reconnecting_box);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, network_box);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, send_notice_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_notice_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, preview_revealer);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, unread_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, share_button);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, devices_button);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, self_view);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, leave_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, end_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, fullscreen_button);
  gtk_widget_class_bind_template_callback_full (widget_class, "get_child_position_cb",
                                                G_CALLBACK (mc_call_window_get_child_position_cb));
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, chat_pane);
  gtk_widget_class_bind_template_callback_full (widget_class, "chat_send_cb",
                                                G_CALLBACK (mc_call_window_chat_send_cb));

  gtk_widget_class_install_property_action (widget_class, "call.mute", "muted");
  gtk_widget_class_install_property_action (widget_class, "call.camera-off", "camera-off");
  gtk_widget_class_install_property_action (widget_class, "call.share-screen", "screen-sharing");
  gtk_widget_class_install_property_action (widget_class, "call.chat", "chat-visible");
  gtk_widget_class_install_property_action (widget_class, "call.fullscreen", "fullscreen");
  gtk_widget_class_install_action (widget_class, "call.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "call.leave", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "call.leave-fullscreen", NULL,
                                   leave_fullscreen_action);
  gtk_widget_class_install_action (widget_class, "call.show-shortcuts", NULL,
                                   show_shortcuts_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "call.mute", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "call.camera-off", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "call.share-screen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "call.chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "call.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "call.leave",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "call.end", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "call.leave-fullscreen",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK,
                                       "call.show-shortcuts", NULL);
}

static void
mc_call_window_init (McCallWindow *self)
{
  g_type_ensure (MC_TYPE_CHAT_PANE);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "call-window-width"),
                               g_settings_get_int (self->settings, "call-window-height"));
  self->remote_paintable = mc_video_paintable_new ();
  self->self_paintable = mc_video_paintable_new ();
  gtk_picture_set_paintable (self->remote_picture, GDK_PAINTABLE (self->remote_paintable));
  self->camera_fit = gtk_picture_get_content_fit (self->remote_picture);
  gtk_picture_set_paintable (self->self_picture, GDK_PAINTABLE (self->self_paintable));

  g_signal_connect_swapped (self, "notify::fullscreened", G_CALLBACK (fullscreened_cb), self);
  g_signal_connect_swapped (self->flap, "notify::reveal-flap", G_CALLBACK (flap_revealed_cb),
                            self);

  mc_call_window_init_screen_share (self);
  self->device_actions = G_ACTION_MAP (g_simple_action_group_new ());
  self->devices_menu = g_menu_new ();
  mc_call_window_init_devices (self);
}

/**
 * mc_call_window_new:
 * @application: (nullable): the application, for inhibiting suspend
 * @api: a logged-in client
 * @booking: the lesson, as the bookings list has it
 *
 * Returns: (transfer full): the window; show it and call
 *   mc_call_window_start()
 */
McCallWindow *
mc_call_window_new (GtkApplication *application,
                    McApiClient    *api,
                    JsonObject     *booking)
{
  McCallWindow    *self = g_object_new (MC_TYPE_CALL_WINDOW, "application", application, NULL);
  g_autofree char *title = NULL;

  self->api = g_object_ref (api);
  self->booking = json_object_ref (booking);

  /* Translators: the call window's title; %s is the other participant */
  title = g_strdup_printf (_ ("Lesson with %s"), mc_call_window_peer_name (self));
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_label (self->peer_label, mc_call_window_peer_name (self));
  adw_avatar_set_text (self->peer_avatar, mc_call_window_peer_name (self));

  return self;
}

/**
 * mc_call_window_start:
 * @self: a call window
 *
 * Joins the call, with the microphone and camera as the user last left them.
 */
void
mc_call_window_start (McCallWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  g_return_if_fail (self->controller == NULL);

  set_muted (self, g_settings_get_boolean (self->settings, "join-muted"));
  set_camera_off (self, g_settings_get_boolean (self->settings, "join-camera-off"));
  update_own_state (self);

  self->controller = mc_call_controller_new (self->api, mc_call_window_get_booking_id (self));
  g_signal_connect (self->controller, "configure-session", G_CALLBACK (configure_session_cb),
                    self);
  g_signal_connect (self->controller, "ended", G_CALLBACK (controller_ended_cb), self);
  mc_call_window_watch_network (self);
  mc_call_controller_start_async (self->controller, self->cancellable, started_cb,
                                  g_object_ref (self));

  if (application != NULL)
    self->inhibit_cookie = gtk_application_inhibit (application, GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_SUSPEND |
                                                      GTK_APPLICATION_INHIBIT_IDLE,
                                                    _ ("In a lesson"));

  mc_call_window_clock_cb (self);
  self->clock_id = g_timeout_add_seconds (1, mc_call_window_clock_cb, self);
  mc_call_window_update_peer_status (self);
}

gint64
mc_call_window_get_booking_id (McCallWindow *self)
{
  return json_object_get_int_member (self->booking, "id");
}

McCallController *
mc_call_window_get_controller (McCallWindow *self)
{
  return self->controller;
}

McChatPane *
mc_call_window_get_chat_pane (McCallWindow *self)
{
  return self->chat_pane;
}

const char *
mc_call_window_get_connection_text (McCallWindow *self)
{
  return gtk_label_get_label (self->connection_label);
}

/* The window's layout, for the tests: whether the chat folds over the
 * video, whether the controls are narrow, and where the self view is. */
gboolean
mc_call_window_get_chat_folded (McCallWindow *self)
{
  return adw_flap_get_folded (self->flap);
}

gboolean
mc_call_window_get_peer_speaking (McCallWindow *self)
{
  return gtk_widget_get_visible (self->peer_speaking_image);
}

const char *
mc_call_window_get_preview_text (McCallWindow *self)
{
  return gtk_revealer_get_reveal_child (self->preview_revealer)
           ? gtk_label_get_label (self->preview_label)
           : NULL;
}

const char *
mc_call_window_get_time_text (McCallWindow *self)
{
  return gtk_label_get_label (self->time_label);
}

const char *
mc_call_window_get_quality_text (McCallWindow *self)
{
  return gtk_widget_get_tooltip_text (GTK_WIDGET (self->quality_image));
}

gboolean
mc_call_window_get_chat_visible (McCallWindow *self)
{
  return self->chat_visible;
}

/* Whether the chat has finished sliding in or out. */
gboolean
mc_call_window_get_chat_settled (McCallWindow *self)
{
  return adw_flap_get_reveal_progress (self->flap) == (self->chat_visible ? 1.0 : 0.0);
}

gboolean
mc_call_window_get_narrow (McCallWindow *self)
{
  return !gtk_widget_get_visible (self->leave_label);
}

GtkWidget *
mc_call_window_get_self_view (McCallWindow *self)
{
  return self->self_view;
}

GtkWidget *
mc_call_window_get_controls (McCallWindow *self)
{
  return gtk_widget_get_parent (self->fullscreen_button);
}

gboolean
mc_call_window_get_speaking_while_muted (McCallWindow *self)
{
  return self->speaking_id != 0;
}

gboolean
mc_call_window_get_self_muted_shown (McCallWindow *self)
{
  return gtk_widget_get_visible (self->self_muted_mark);
}

const char *
mc_call_window_get_mute_icon (McCallWindow *self)
{
  return gtk_button_get_icon_name (GTK_BUTTON (self->mute_button));
}

const char *
mc_call_window_get_camera_icon (McCallWindow *self)
{
  return gtk_button_get_icon_name (GTK_BUTTON (self->camera_button));
}

gboolean
mc_call_window_get_screen_sharing (McCallWindow *self)
{
  return self->screen_sharing;
}

guint
mc_call_window_get_unread (McCallWindow *self)
{
  return self->unread;
}

const char *
mc_call_window_get_status_text (McCallWindow *self)
{
  return gtk_widget_get_visible (self->peer_status) ? gtk_label_get_label (self->peer_status_label)
                                                    : NULL;
}

const char *
mc_call_window_get_screen_notice (McCallWindow *self)
{
  return gtk_widget_get_visible (self->screen_notice)
           ? gtk_label_get_label (self->screen_notice_label)
           : NULL;
}

GtkContentFit
mc_call_window_get_remote_fit (McCallWindow *self)
{
  return gtk_picture_get_content_fit (self->remote_picture);
}

GtkWidget *
mc_call_window_get_share_button (McCallWindow *self)
{
  return self->share_button;
}

GdkPaintable *
mc_call_window_get_self_paintable (McCallWindow *self)
{
  return GDK_PAINTABLE (self->self_paintable);
}
