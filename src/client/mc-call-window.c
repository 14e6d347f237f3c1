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
 * (get_child_position_cb ()).
 *
 * Screen sharing swaps what the engine sends, camera or screen, while the
 * call runs; the self view shows whichever is sent. Where the desktop
 * session cannot share (Wayland, no display, ximagesrc missing), the button
 * stays insensitive and its tooltip says why.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking-row.h"
#include "mc-call-window-private.h"
#include "mc-format.h"
#include "mc-protocol.h"
#include "mc-summary-window.h"
#include "mc-video-paintable.h"
#include "mc-video-sink.h"

/* Speech while muted: louder than this (30 dB below full scale; a quiet
 * room stays under it) for this many 100 ms level readings in a row, and
 * the self view's mark says "You are muted" until this long after. */
#define SPEAKING_LEVEL        0.4
#define SPEAKING_READINGS     3
#define SPEAKING_HOLD_SECONDS 2

/* The window's own breakpoints, in pixels of window width. */
#define CHAT_BESIDE_WIDTH 760
#define NARROW_WIDTH      560
#define TINY_WIDTH        400

/* The self view: this share of the video's width, within these bounds. */
#define SELF_VIEW_SHARE     0.24
#define SELF_VIEW_MIN_WIDTH 96
#define SELF_VIEW_MAX_WIDTH 224

/* The other side is shown as speaking while their audio is this loud, and
 * for this long after. */
#define PEER_SPEAKING_LEVEL   0.4
#define PEER_SPEAKING_HOLD_MS 800

/* A new message's preview stays this long while the chat is hidden. */
#define PREVIEW_SECONDS 5

struct _McCallWindow
{
  AdwWindow parent_instance;

  McApiClient      *api;
  JsonObject       *booking;
  McCallController *controller;
  GCancellable     *cancellable; /* the start, cancelled when the window goes */
  GSettings        *settings;
  McVideoPaintable *remote_paintable;
  McVideoPaintable *self_paintable;
  guint             clock_id;
  guint             inhibit_cookie;
  guint             unread;
  gint64            last_seq; /* of the chat messages shown */
  gboolean          muted;
  gboolean          camera_off;
  gboolean          screen_sharing;
  gboolean          chat_visible;
  gboolean          leaving;
  guint             loud_readings;
  guint             speaking_id;      /* while "You are muted" is shown */
  guint             preview_id;       /* while a message's preview shows */
  guint             peer_speaking_id; /* while the other side is shown speaking */
  int               layout_width;     /* the width the last allocation had */
  gboolean          chat_beside;      /* the chat's state while it was beside the video */
  gboolean          folding;          /* while apply_layout_cb () changes the flap */
  guint             layout_id;
  char             *notice; /* what the other side did, while it holds */

  AdwToastOverlay *toast_overlay;
  GtkPicture      *remote_picture;
  GtkPicture      *self_picture;
  GtkWidget       *self_camera_off;
  GtkWidget       *self_view;
  GtkWidget       *self_muted_mark;
  GtkLabel        *self_muted_label;
  GtkWidget       *mute_button;
  GtkWidget       *camera_button;
  GtkWidget       *peer_status;
  AdwAvatar       *peer_avatar;
  GtkLabel        *peer_status_label;
  GtkLabel        *peer_label;
  GtkWidget       *peer_bar;
  GtkWidget       *peer_speaking_image;
  GtkImage        *peer_muted_image;
  GtkLabel        *time_label;
  GtkImage        *quality_image;
  GtkLabel        *connection_label;
  GtkWidget       *reconnecting_box;
  GtkRevealer     *preview_revealer;
  GtkLabel        *preview_label;
  GtkLabel        *unread_label;
  GtkWidget       *share_button;
  AdwFlap         *flap;
  GtkWidget       *leave_label;
  GtkWidget       *end_label;
  GtkWidget       *fullscreen_button;
  McChatPane      *chat_pane;
};

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

static const char *
peer_name (McCallWindow *self)
{
  JsonObject *other = json_object_get_object_member (self->booking, "other");

  return other ? json_object_get_string_member (other, "display_name") : _ ("The other participant");
}

static McCallSession *
get_session (McCallWindow *self)
{
  return self->controller ? mc_call_controller_get_session (self->controller) : NULL;
}

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
update_peer_status (McCallWindow *self)
{
  McCallSession     *session = get_session (self);
  McCallSessionState state = session ? mc_call_session_get_state (session)
                                     : MC_CALL_SESSION_STATE_PREPARING;
  gboolean           camera_off = session && mc_call_session_get_remote_camera_off (session);
  gboolean           muted = session && mc_call_session_get_remote_muted (session);
  g_autofree char   *text = NULL;

  if (state == MC_CALL_SESSION_STATE_WAITING && self->notice != NULL)
    text = g_strdup (self->notice);
  else if (state == MC_CALL_SESSION_STATE_WAITING || state == MC_CALL_SESSION_STATE_PREPARING ||
           state == MC_CALL_SESSION_STATE_IDLE)
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("Waiting for %s…"), peer_name (self));
  else if (camera_off)
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("%s's camera is off"), peer_name (self));
  else if (state == MC_CALL_SESSION_STATE_CONNECTING &&
           !mc_video_paintable_get_has_image (self->remote_paintable))
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("Connecting to %s…"), peer_name (self));

  gtk_widget_set_visible (self->peer_status, text != NULL);
  gtk_label_set_label (self->peer_status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->remote_picture),
                          !camera_off && state != MC_CALL_SESSION_STATE_WAITING);
  gtk_widget_set_visible (GTK_WIDGET (self->peer_muted_image), muted);
}

static void
session_state_cb (McCallSession *session,
                  GParamSpec    *pspec,
                  McCallWindow  *self)
{
  McCallSessionState state = mc_call_session_get_state (session);
  const char        *text;

  switch (state)
    {
    case MC_CALL_SESSION_STATE_IDLE:
    case MC_CALL_SESSION_STATE_PREPARING:
      text = _ ("Starting");
      break;
    case MC_CALL_SESSION_STATE_WAITING:
      text = _ ("Waiting");
      break;
    case MC_CALL_SESSION_STATE_CONNECTING:
      text = _ ("Connecting");
      break;
    case MC_CALL_SESSION_STATE_CONNECTED:
      text = _ ("Connected");
      break;
    case MC_CALL_SESSION_STATE_RECONNECTING:
      text = _ ("Reconnecting");
      break;
    case MC_CALL_SESSION_STATE_ENDED:
      text = _ ("Ended");
      break;
    case MC_CALL_SESSION_STATE_FAILED:
    default:
      text = _ ("Failed");
      break;
    }

  gtk_label_set_label (self->connection_label, text);
  gtk_widget_set_visible (self->reconnecting_box, state == MC_CALL_SESSION_STATE_RECONNECTING);

  if (state == MC_CALL_SESSION_STATE_WAITING)
    mc_video_paintable_clear (self->remote_paintable);

  if (state == MC_CALL_SESSION_STATE_FAILED)
    {
      const GError    *error = mc_call_session_get_error (session);
      g_autofree char *message = g_strdup_printf (_ ("The call failed: %s"),
                                                  error ? error->message : _ ("unknown error"));

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }

  update_peer_status (self);
}

static void
set_speaking_while_muted (McCallWindow *self,
                          gboolean      speaking)
{
  gtk_label_set_label (self->self_muted_label, speaking ? _ ("You are muted") : _ ("Muted"));
  if (speaking)
    gtk_widget_add_css_class (self->self_muted_mark, "speaking");
  else
    gtk_widget_remove_css_class (self->self_muted_mark, "speaking");
}

static gboolean
speaking_timeout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;

  self->speaking_id = 0;
  set_speaking_while_muted (self, FALSE);

  return G_SOURCE_REMOVE;
}

/* Someone who talks while muted is told so on their own picture, where
 * they look anyway; the other side hears nothing either way. */
static void
session_input_level_cb (McCallSession *session,
                        double         level,
                        McCallWindow  *self)
{
  if (!self->muted || level < SPEAKING_LEVEL)
    {
      self->loud_readings = 0;
      return;
    }

  if (++self->loud_readings < SPEAKING_READINGS)
    return;

  set_speaking_while_muted (self, TRUE);
  g_clear_handle_id (&self->speaking_id, g_source_remove);
  self->speaking_id = g_timeout_add_seconds (SPEAKING_HOLD_SECONDS, speaking_timeout_cb, self);
}

static void
set_peer_speaking (McCallWindow *self,
                   gboolean      speaking)
{
  gtk_widget_set_visible (self->peer_speaking_image, speaking);
  if (speaking)
    gtk_widget_add_css_class (self->peer_bar, "speaking");
  else
    gtk_widget_remove_css_class (self->peer_bar, "speaking");
}

static gboolean
peer_speaking_timeout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;

  self->peer_speaking_id = 0;
  set_peer_speaking (self, FALSE);

  return G_SOURCE_REMOVE;
}

/* The other side's name lights up while they speak: who is talking is
 * not always clear from a small or frozen picture. */
static void
session_output_level_cb (McCallSession *session,
                         double         level,
                         McCallWindow  *self)
{
  if (level < PEER_SPEAKING_LEVEL)
    return;

  set_peer_speaking (self, TRUE);
  g_clear_handle_id (&self->peer_speaking_id, g_source_remove);
  self->peer_speaking_id = g_timeout_add (PEER_SPEAKING_HOLD_MS, peer_speaking_timeout_cb, self);
}

static void
session_remote_media_cb (McCallSession *session,
                         GParamSpec    *pspec,
                         McCallWindow  *self)
{
  update_peer_status (self);
}

static void set_screen_sharing (McCallWindow *self,
                                gboolean      sharing);

static void
session_screen_share_stopped_cb (McCallSession *session,
                                 const GError  *error,
                                 McCallWindow  *self)
{
  /* Translators: %s says why, such as "the X11 display went away" */
  g_autofree char *message = g_strdup_printf (_ ("Screen sharing stopped: %s"), error->message);

  set_screen_sharing (self, FALSE);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
session_stats_cb (McCallSession     *session,
                  const McCallStats *stats,
                  McCallWindow      *self)
{
  const char *icon, *tooltip;

  switch (stats->quality)
    {
    case MC_CALL_QUALITY_GOOD:
      icon = "network-cellular-signal-excellent-symbolic";
      tooltip = _ ("Network quality: good");
      break;
    case MC_CALL_QUALITY_FAIR:
      icon = "network-cellular-signal-ok-symbolic";
      tooltip = _ ("Network quality: fair");
      break;
    case MC_CALL_QUALITY_POOR:
      icon = "network-cellular-signal-weak-symbolic";
      tooltip = _ ("Network quality: poor");
      break;
    case MC_CALL_QUALITY_UNKNOWN:
    default:
      icon = "network-cellular-signal-none-symbolic";
      tooltip = _ ("Network quality: unknown");
      break;
    }

  /* The figures behind the word, for whoever wants to know why. */
  if (stats->quality != MC_CALL_QUALITY_UNKNOWN)
    {
      g_autofree char *detail = NULL;

      /* Translators: the network quality's tooltip: the quality, such as
       * "Network quality: fair", then packets lost in percent, the round
       * trip in milliseconds and the bitrate received in kbit/s */
      if (stats->round_trip_ms >= 0)
        detail = g_strdup_printf (_ ("%s\n%.1f %% lost, %.0f ms round trip, %.0f kbit/s received"),
                                  tooltip, stats->loss * 100.0, stats->round_trip_ms,
                                  stats->bitrate_in / 1000.0);
      else
        /* Translators: as above, without the round trip (not measured yet) */
        detail = g_strdup_printf (_ ("%s\n%.1f %% lost, %.0f kbit/s received"), tooltip,
                                  stats->loss * 100.0, stats->bitrate_in / 1000.0);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->quality_image), detail);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->quality_image), tooltip);
  gtk_image_set_from_icon_name (self->quality_image, icon);
}

static void
update_unread (McCallWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%u", self->unread);
  g_autofree char *tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "%u unread message",
                                                           "%u unread messages",
                                                           self->unread),
                                              self->unread);

  gtk_label_set_label (self->unread_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unread_label), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), self->unread > 0);
}

/* How far each lesson's chat has been read, for this run of the app: a
 * rejoin replays the history, and what was read before is not unread
 * again. Booking id → the last sequence number seen. */
static GHashTable *
read_seqs (void)
{
  static GHashTable *seqs;

  if (seqs == NULL)
    seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  return seqs;
}

static gint64
get_read_seq (McCallWindow *self)
{
  gint64  booking_id = mc_call_window_get_booking_id (self);
  gint64 *seq = g_hash_table_lookup (read_seqs (), &booking_id);

  return seq != NULL ? *seq : 0;
}

static void
set_read_seq (McCallWindow *self,
              gint64        seq)
{
  gint64 booking_id = mc_call_window_get_booking_id (self);

  if (seq > get_read_seq (self))
    g_hash_table_insert (read_seqs (), g_memdup2 (&booking_id, sizeof booking_id),
                         g_memdup2 (&seq, sizeof seq));
}

static gboolean
preview_timeout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;

  self->preview_id = 0;
  gtk_revealer_set_reveal_child (self->preview_revealer, FALSE);

  return G_SOURCE_REMOVE;
}

/* With the chat hidden, a new message shows for a moment above the
 * controls, so that nobody has to open the chat to see if it matters. */
static void
show_preview (McCallWindow  *self,
              McChatMessage *message)
{
  const char      *sender = mc_chat_message_get_sender_name (message);
  g_autofree char *text = NULL;

  /* Translators: a new chat message's preview: its sender and its text */
  text = g_strdup_printf (_ ("%s: %s"), sender ? sender : "", mc_chat_message_get_text (message));
  gtk_label_set_label (self->preview_label, text);
  gtk_revealer_set_reveal_child (self->preview_revealer, TRUE);
  g_clear_handle_id (&self->preview_id, g_source_remove);
  self->preview_id = g_timeout_add_seconds (PREVIEW_SECONDS, preview_timeout_cb, self);
}

static void
chat_received_cb (McSignalingClient *signaling,
                  McChatMessage     *message,
                  McCallWindow      *self)
{
  gint64      seq = mc_chat_message_get_seq (message);
  JsonObject *me = mc_signaling_client_get_user (signaling);

  mc_chat_pane_show_message (self->chat_pane, message);

  self->last_seq = MAX (self->last_seq, seq);
  /* Our own messages, back from the history, are read. */
  if (self->chat_visible ||
      (me != NULL && mc_chat_message_get_sender_id (message) == json_object_get_int_member (me, "id")))
    set_read_seq (self, seq);
  else if (seq > get_read_seq (self))
    {
      self->unread++;
      update_unread (self);
      show_preview (self, message);
    }
}

static void
chat_state_changed_cb (McSignalingClient *signaling,
                       McChatMessage     *message,
                       McCallWindow      *self)
{
  mc_chat_pane_show_message (self->chat_pane, message);
}

static void
chat_send_cb (McChatPane   *pane,
              const char   *text,
              McCallWindow *self)
{
  McSignalingClient *signaling = self->controller
                                   ? mc_call_controller_get_signaling (self->controller)
                                   : NULL;
  g_autofree char   *client_id = NULL;

  if (signaling != NULL)
    client_id = mc_signaling_client_send_chat (signaling, text);

  if (client_id == NULL)
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_ ("Chat is available once you have joined")));
}

static void
toast (McCallWindow *self,
       const char   *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static gint64
peer_id (McCallWindow *self)
{
  JsonObject *other = json_object_get_object_member (self->booking, "other");

  return other ? json_object_get_int_member (other, "id") : 0;
}

static void
set_notice (McCallWindow *self,
            const char   *notice)
{
  g_free (self->notice);
  self->notice = g_strdup (notice);
  update_peer_status (self);
}

static void
peer_left_cb (McSignalingClient *signaling,
              gint64             booking_id,
              gint64             user_id,
              const char        *reason,
              McCallWindow      *self)
{
  g_autofree char *message = NULL;

  if (booking_id != mc_call_window_get_booking_id (self))
    return;

  if (g_strcmp0 (reason, "left") == 0)
    {
      /* Translators: %s is the other participant, who closed their call window */
      message = g_strdup_printf (_ ("%s left the call — the lesson goes on"), peer_name (self));
      set_notice (self, message);
      /* The middle of the picture says it; a toast would cover the controls. */
      return;
    }
  else if (g_strcmp0 (reason, "connection_lost") == 0)
    /* Translators: %s is the other participant */
    message = g_strdup_printf (_ ("%s lost the connection; they may be back in a moment"),
                               peer_name (self));

  if (message != NULL)
    toast (self, message);
}

static void
peer_joined_cb (McSignalingClient *signaling,
                gint64             booking_id,
                JsonObject        *user,
                gboolean           muted,
                gboolean           camera_off,
                const char        *instance,
                McCallWindow      *self)
{
  g_autofree char *message = NULL;

  if (booking_id != mc_call_window_get_booking_id (self) || self->notice == NULL)
    return;

  /* Translators: %s is the other participant, back after leaving */
  message = g_strdup_printf (_ ("%s is back in the call"), peer_name (self));
  set_notice (self, NULL);
  toast (self, message);
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
  else if (by != 0 && by == peer_id (self))
    /* Translators: %s is the other participant */
    notice = g_strdup_printf (_ ("%s ended the lesson"), peer_name (self));
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

  g_signal_connect (session, "notify::state", G_CALLBACK (session_state_cb), self);
  g_signal_connect (session, "notify::remote-muted", G_CALLBACK (session_remote_media_cb), self);
  g_signal_connect (session, "notify::remote-camera-off",
                    G_CALLBACK (session_remote_media_cb), self);
  g_signal_connect (session, "stats", G_CALLBACK (session_stats_cb), self);
  g_signal_connect (session, "input-level", G_CALLBACK (session_input_level_cb), self);
  g_signal_connect (session, "output-level", G_CALLBACK (session_output_level_cb), self);
  g_signal_connect (session, "screen-share-stopped",
                    G_CALLBACK (session_screen_share_stopped_cb), self);
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

  session = get_session (self);
  if (self->muted)
    mc_call_session_set_muted (session, TRUE);
  if (self->camera_off)
    mc_call_session_set_camera_off (session, TRUE);
  if (self->screen_sharing)
    {
      g_autoptr (GError) share_error = NULL;

      if (!mc_call_session_set_screen_share (session, TRUE, &share_error))
        session_screen_share_stopped_cb (session, share_error, self);
    }

  signaling = mc_call_controller_get_signaling (self->controller);
  if (mc_signaling_client_get_user (signaling) != NULL)
    mc_chat_pane_set_own_user_id (self->chat_pane,
                                  json_object_get_int_member (mc_signaling_client_get_user (
                                                                signaling),
                                                              "id"));
  g_signal_connect (signaling, "chat-received", G_CALLBACK (chat_received_cb), self);
  g_signal_connect (signaling, "chat-state-changed", G_CALLBACK (chat_state_changed_cb), self);
  g_signal_connect (signaling, "peer-left", G_CALLBACK (peer_left_cb), self);
  g_signal_connect (signaling, "peer-joined", G_CALLBACK (peer_joined_cb), self);
}

static gboolean
clock_cb (gpointer user_data)
{
  McCallWindow    *self = user_data;
  gint64           start = 0, end = 0, now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *left = NULL;
  g_autofree char *text = NULL;

  mc_json_parse_time (json_object_get_string_member (self->booking, "start"), &start);
  mc_json_parse_time (json_object_get_string_member (self->booking, "end"), &end);
  /* Early, the time left would count to the end and read as the lesson's
   * length: say when it starts instead. */
  if (start > now)
    {
      left = mc_format_duration (start - now);
      /* Translators: %s is a duration, such as "12 minutes" */
      text = g_strdup_printf (_ ("Starts in %s"), left);
    }
  else if (end > now)
    {
      left = mc_format_duration (end - now);
      /* Translators: %s is a duration, such as "12 minutes" */
      text = g_strdup_printf (_ ("%s left"), left);
    }
  else
    {
      left = mc_format_duration (now - end);
      /* Translators: %s is a duration, such as "3 minutes" */
      text = g_strdup_printf (_ ("%s over time"), left);
    }

  gtk_label_set_label (self->time_label, text);

  return G_SOURCE_CONTINUE;
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
                                  peer_name (self));
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
  if (get_session (self) != NULL)
    mc_call_session_set_muted (get_session (self), muted);
  g_settings_set_boolean (self->settings, "join-muted", muted);
  if (!muted)
    {
      g_clear_handle_id (&self->speaking_id, g_source_remove);
      set_speaking_while_muted (self, FALSE);
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
  if (get_session (self) != NULL)
    mc_call_session_set_camera_off (get_session (self), camera_off);
  g_settings_set_boolean (self->settings, "join-camera-off", camera_off);
  update_own_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_OFF]);
}

static void
set_screen_sharing (McCallWindow *self,
                    gboolean      sharing)
{
  McCallSession *session = get_session (self);

  if (self->screen_sharing == sharing)
    return;

  /* Without a session yet, the wish is applied once the call has started. */
  if (session != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (!mc_call_session_set_screen_share (session, sharing, &error))
        {
          g_autofree char *message = NULL;

          /* Translators: %s says why, such as "The ximagesrc element is missing" */
          message = g_strdup_printf (sharing ? _ ("Cannot share the screen: %s")
                                             : _ ("Cannot stop sharing the screen: %s"),
                                     error->message);
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
          /* The toggle button flipped already: flip it back. */
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARING]);
          return;
        }
    }

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
      set_read_seq (self, self->last_seq);
      self->unread = 0;
      update_unread (self);
      mc_chat_pane_focus_entry (self->chat_pane);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT_VISIBLE]);
}

/* The breakpoints, applied outside of the size allocation that found them
 * crossed: changing what is shown re-measures the window. */
static gboolean
apply_layout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;
  int           width = self->layout_width;
  gboolean      narrow = width < NARROW_WIDTH;

  self->layout_id = 0;
  /* Folding hides the chat, which would cover the video; unfolding brings
   * it back as it was beside the video. */
  if (!adw_flap_get_folded (self->flap))
    self->chat_beside = self->chat_visible;
  self->folding = TRUE;
  adw_flap_set_fold_policy (self->flap, width < CHAT_BESIDE_WIDTH ? ADW_FLAP_FOLD_POLICY_ALWAYS
                                                                  : ADW_FLAP_FOLD_POLICY_NEVER);
  if (!adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, self->chat_beside);
  self->folding = FALSE;
  gtk_widget_set_visible (self->leave_label, !narrow);
  gtk_widget_set_visible (self->end_label, !narrow);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_label), !narrow);
  gtk_widget_set_visible (self->fullscreen_button, !narrow);
  gtk_widget_set_visible (GTK_WIDGET (self->time_label), width >= TINY_WIDTH);

  return G_SOURCE_REMOVE;
}

static int
breakpoints_crossed (int width)
{
  return (width < CHAT_BESIDE_WIDTH) + (width < NARROW_WIDTH) + (width < TINY_WIDTH);
}

static void
mc_call_window_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  McCallWindow *self = MC_CALL_WINDOW (widget);
  gboolean      changed = self->layout_width == 0 ||
                     breakpoints_crossed (self->layout_width) != breakpoints_crossed (width);

  GTK_WIDGET_CLASS (mc_call_window_parent_class)->size_allocate (widget, width, height, baseline);

  self->layout_width = width;
  if (changed && self->layout_id == 0)
    self->layout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_layout_cb, self, NULL);
}

/* The self view takes a share of the video's width, with the picture's
 * shape, above the controls: it never covers most of a small window, and
 * never gets smaller than what it shows needs. */
static gboolean
get_child_position_cb (GtkOverlay   *overlay,
                       GtkWidget    *child,
                       GdkRectangle *allocation,
                       McCallWindow *self)
{
  int    width = gtk_widget_get_width (GTK_WIDGET (overlay));
  int    height = gtk_widget_get_height (GTK_WIDGET (overlay));
  double ratio = gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (self->self_paintable));
  int    margin = width < NARROW_WIDTH ? 8 : 16;
  int    bottom = width < NARROW_WIDTH ? 76 : 84;
  int    min_width, min_height, w, h;

  if (child != self->self_view)
    return FALSE;

  if (ratio <= 0 || gtk_widget_get_opacity (GTK_WIDGET (self->self_picture)) == 0)
    ratio = 4.0 / 3.0;

  w = CLAMP ((int) (width * SELF_VIEW_SHARE), SELF_VIEW_MIN_WIDTH, SELF_VIEW_MAX_WIDTH);
  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  w = MAX (w, min_width);
  h = (int) (w / ratio);
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, w, &min_height, NULL, NULL, NULL);
  h = MAX (h, min_height);

  allocation->width = w;
  allocation->height = h;
  allocation->x = MAX (width - w - margin, 0);
  allocation->y = MAX (height - h - bottom, 0);

  return TRUE;
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
      set_screen_sharing (self, g_value_get_boolean (value));
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
      McCallSession     *session = get_session (self);

      if (signaling != NULL)
        g_signal_handlers_disconnect_by_data (signaling, self);
      if (session != NULL)
        g_signal_handlers_disconnect_by_data (session, self);
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
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->remote_paintable);
  g_clear_object (&self->self_paintable);

  G_OBJECT_CLASS (mc_call_window_parent_class)->finalize (object);
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
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_bar);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_speaking_image);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, peer_muted_image);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, quality_image);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, reconnecting_box);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, preview_revealer);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, unread_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, share_button);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, self_view);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, leave_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, end_label);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, fullscreen_button);
  gtk_widget_class_bind_template_callback (widget_class, get_child_position_cb);
  gtk_widget_class_bind_template_child (widget_class, McCallWindow, chat_pane);
  gtk_widget_class_bind_template_callback (widget_class, chat_send_cb);

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
  g_autoptr (GError) error = NULL;

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
  gtk_picture_set_paintable (self->self_picture, GDK_PAINTABLE (self->self_paintable));

  g_signal_connect_swapped (self, "notify::fullscreened", G_CALLBACK (fullscreened_cb), self);
  g_signal_connect_swapped (self->flap, "notify::reveal-flap", G_CALLBACK (flap_revealed_cb),
                            self);

  if (!mc_call_session_can_share_screen (&error))
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.share-screen", FALSE);
      gtk_widget_set_tooltip_text (self->share_button, error->message);
    }
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
  title = g_strdup_printf (_ ("Lesson with %s"), peer_name (self));
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_label (self->peer_label, peer_name (self));
  adw_avatar_set_text (self->peer_avatar, peer_name (self));

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
  mc_call_controller_start_async (self->controller, self->cancellable, started_cb,
                                  g_object_ref (self));

  if (application != NULL)
    self->inhibit_cookie = gtk_application_inhibit (application, GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_SUSPEND |
                                                      GTK_APPLICATION_INHIBIT_IDLE,
                                                    _ ("In a lesson"));

  clock_cb (self);
  self->clock_id = g_timeout_add_seconds (1, clock_cb, self);
  update_peer_status (self);
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
