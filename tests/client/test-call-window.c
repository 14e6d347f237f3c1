/* test-call-window.c — the call window in a real call, under Xvfb
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The student's call window and the main window against a real server; the
 * mentor is an McCallController in the same process. Both use test sources
 * and ICE on 127.0.0.1. The remote video reaches the window's paintable,
 * chat goes both ways with an unread count while the pane is hidden, the
 * student shares the (virtual) screen and stops through the window's
 * action, and Leave closes the call window while the call goes on — the main
 * window's rejoin banner appears — until the mentor ends the session.
 *
 * The other cases use a participant that is only in the room (signaling, no
 * media), which is all that leaving and ending need: the shortcuts for Leave
 * and End Lesson, End Lesson's confirmation with its Leave answer, and what
 * the window says when the other side leaves or ends the lesson.
 *
 * The portal case shares the screen the Wayland way, through the desktop
 * portal: tests/engine/mock-portal.py on a private session bus stands in
 * for xdg-desktop-portal, and the window's Share Screen goes through
 * libportal to it: the grant, the restore token kept and passed back, the
 * desktop's "stop sharing", the user cancelling the dialog, and Forget in
 * the preferences. Its window does not start the call: the mock's PipeWire
 * remote is not a PipeWire daemon, and pipewiresrc would wait on it for
 * ever.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "mc-call-window-private.h"
#include "mc-preferences-window-private.h"
#include "mc-protocol.h"
#include "mc-test-devices.h"
#include "mc-test-luma.h"
#include "mc-test-pipewire.h"
#include "mc-test-portal.h"
#include "mc-test-server.h"
#include "mc-summary-window-private.h"
#include "mc-test-ui.h"
#include "mc-video-paintable.h"
#include "mc-window-private.h"

static gboolean
window_has_bookings (gpointer data)
{
  return g_strcmp0 (mc_window_get_page (data), "bookings") == 0 &&
         mc_bookings_page_get_n_rows (mc_window_get_bookings_page (data)) > 0;
}

static gboolean
login_done (gpointer data)
{
  return !mc_login_page_get_busy (mc_window_get_login_page (data));
}

typedef struct
{
  McCallController *controller;
  gboolean          started;
  gboolean          ended;
} Mentor;

static void
mentor_configure_cb (McCallController *controller,
                     McCallSession    *session,
                     Mentor           *mentor)
{
  const char *addresses[] = { "127.0.0.1", NULL };

  mc_call_session_set_test_sources (session, TRUE);
  mc_call_session_set_video_format (session, 320, 240, 15);
  mc_call_session_set_fake_audio_output (session, TRUE);
  mc_call_session_set_ice_addresses (session, addresses);
}

static void
mentor_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Mentor            *mentor = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (mc_call_controller_start_finish (MC_CALL_CONTROLLER (object), result, &error));
  g_assert_no_error (error);
  mentor->started = TRUE;
}

static void
mentor_ended_cb (McCallController *controller,
                 gint64            by,
                 Mentor           *mentor)
{
  mentor->ended = TRUE;
}

static gboolean
mentor_started (gpointer data)
{
  return ((Mentor *) data)->started;
}

static gboolean
mentor_ended (gpointer data)
{
  return ((Mentor *) data)->ended;
}

static gboolean
remote_video_shown (gpointer data)
{
  McCallWindow     *window = data;
  McCallController *controller = mc_call_window_get_controller (window);
  McCallSession    *session = controller ? mc_call_controller_get_session (controller) : NULL;

  return session != NULL && mc_call_session_get_frames_decoded (session) > 10 &&
         g_strcmp0 (mc_call_window_get_connection_text (window), "Connected") == 0;
}

typedef struct
{
  McCallSession *session;
  guint64        frames;
} FramesAfter;

static gboolean
more_frames (gpointer data)
{
  FramesAfter *after = data;

  return mc_call_session_get_frames_decoded (after->session) > after->frames + 10;
}

static void
assert_share_screen (McCallWindow     *call_window,
                     McCallController *mentor)
{
  McCallSession *session = mc_call_controller_get_session (mc_call_window_get_controller (call_window));
  FramesAfter    after = { mc_call_controller_get_session (mentor), 0 };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  g_assert_true (mc_call_window_get_screen_sharing (call_window));
  g_assert_true (mc_call_session_get_screen_share (session));

  /* The mentor still receives video: the screen now. */
  after.frames = mc_call_session_get_frames_decoded (after.session);
  mc_test_ui_wait_until (more_frames, &after, "the mentor to receive the screen");
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-screen-share");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  g_assert_false (mc_call_window_get_screen_sharing (call_window));
  g_assert_false (mc_call_session_get_screen_share (session));
  after.frames = mc_call_session_get_frames_decoded (after.session);
  mc_test_ui_wait_until (more_frames, &after, "the mentor to receive the camera again");
}

static gboolean
quality_detailed (gpointer data)
{
  const char *text = mc_call_window_get_quality_text (data);

  return text != NULL && strstr (text, "% lost") != NULL && strstr (text, "kbit/s") != NULL;
}

static gboolean
has_unread (gpointer data)
{
  return mc_call_window_get_unread (data) > 0;
}

static gboolean
chat_has_two (gpointer data)
{
  McChatPane *pane = mc_call_window_get_chat_pane (data);

  return mc_chat_pane_get_n_messages (pane) >= 2 && mc_chat_pane_get_n_pending (pane) == 0;
}

static gboolean
banner_shown (gpointer data)
{
  return mc_window_get_banner_visible (data);
}

static gboolean
banner_hidden (gpointer data)
{
  return !mc_window_get_banner_visible (data);
}

typedef struct
{
  McCallWindow *window;
  int           width;
  gboolean      narrow;
  gboolean      folded;
} Layout;

static gboolean
layout_is (gpointer data)
{
  Layout *layout = data;

  /* The window's widget is a little narrower than its default size: the
   * client-side decorations' margins. */
  return ABS (gtk_widget_get_width (GTK_WIDGET (layout->window)) - layout->width) <= 20 &&
         mc_call_window_get_narrow (layout->window) == layout->narrow &&
         mc_call_window_get_chat_settled (layout->window) &&
         mc_call_window_get_chat_folded (layout->window) == layout->folded;
}

/* At @width × @height, with the chat open: the controls fit inside the
 * video, the self view takes a share of it above the controls, and the
 * chat is beside the video or over it. */
static void
assert_layout (McCallWindow *window,
               int           width,
               int           height,
               gboolean      narrow,
               gboolean      folded,
               const char   *screenshot)
{
  Layout          layout = { window, width, narrow, folded };
  graphene_rect_t controls, self_view;
  int             video_width;

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  mc_test_ui_wait_until (layout_is, &layout, "the window's layout");
  mc_test_ui_spin (300);
  video_width = gtk_widget_get_width (GTK_WIDGET (window)) - (folded ? 0 : 300);

  g_assert_true (gtk_widget_compute_bounds (mc_call_window_get_controls (window),
                                            GTK_WIDGET (window), &controls));
  g_assert_true (gtk_widget_compute_bounds (mc_call_window_get_self_view (window),
                                            GTK_WIDGET (window), &self_view));
  g_test_message ("%dx%d: controls %.0f+%.0f wide, self view %.0fx%.0f at %.0f,%.0f", width,
                  height, controls.origin.x, controls.size.width, self_view.size.width,
                  self_view.size.height, self_view.origin.x, self_view.origin.y);
  g_assert_cmpfloat (controls.origin.x, >=, 0);
  g_assert_cmpfloat (controls.origin.x + controls.size.width, <=, video_width);
  g_assert_cmpfloat (self_view.size.width, <=, MAX (video_width * 0.3, 130));
  g_assert_cmpfloat (self_view.origin.x + self_view.size.width, <=, video_width);
  g_assert_cmpfloat (self_view.origin.y + self_view.size.height, <=, controls.origin.y);
  g_assert_true (mc_call_window_get_chat_folded (window) == folded);

  mc_test_ui_screenshot (GTK_WIDGET (window), screenshot);

  /* Folded, the chat opens over the video. */
  if (folded)
    {
      g_autofree char *name = g_strconcat (screenshot, "-chat", NULL);

      g_object_set (window, "chat-visible", TRUE, NULL);
      mc_test_ui_spin (400);
      g_assert_true (mc_call_window_get_chat_folded (window));
      mc_test_ui_screenshot (GTK_WIDGET (window), name);
      g_object_set (window, "chat-visible", FALSE, NULL);
    }
}

static gboolean
weak_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
screen_notice_shown (gpointer data)
{
  return mc_call_window_get_screen_notice (data) != NULL;
}

static gboolean
screen_notice_hidden (gpointer data)
{
  return mc_call_window_get_screen_notice (data) == NULL;
}

/* The mentor shares its (virtual X11) screen: the student's window says so
 * and shows the picture whole; when the mentor stops, the camera is shown as
 * before. */
static void
assert_peer_shares_screen (McCallWindow     *call_window,
                           McCallController *mentor)
{
  McCallSession     *session = mc_call_controller_get_session (mentor);
  GtkContentFit      camera_fit = mc_call_window_get_remote_fit (call_window);
  g_autoptr (GError) error = NULL;

  if (!mc_call_session_can_share_screen (&error))
    {
      g_test_message ("The mentor cannot share its screen: %s", error->message);
      return;
    }

  g_assert_null (mc_call_window_get_screen_notice (call_window));
  g_assert_true (mc_call_session_set_screen_share (session, TRUE, &error));
  g_assert_no_error (error);
  mc_test_ui_wait_until (screen_notice_shown, call_window, "the notice of the shared screen");
  g_assert_cmpstr (mc_call_window_get_screen_notice (call_window), ==,
                   "maria Tester is sharing their screen");
  g_assert_cmpint (mc_call_window_get_remote_fit (call_window), ==, GTK_CONTENT_FIT_CONTAIN);
  g_assert_null (mc_call_window_get_status_text (call_window));
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-peer-shares-screen");

  /* Full screen from the notice's button, and back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.fullscreen", NULL));
  g_object_set (call_window, "fullscreen", FALSE, NULL);

  g_assert_true (mc_call_session_set_screen_share (session, FALSE, &error));
  g_assert_no_error (error);
  mc_test_ui_wait_until (screen_notice_hidden, call_window, "the notice to go");
  g_assert_cmpint (mc_call_window_get_remote_fit (call_window), ==, camera_fit);
}

static void
test_call (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  g_autoptr (McApiClient)  mentor_api = NULL;
  g_autofree char         *mentor_token = NULL;
  g_autofree char         *path = NULL;
  g_autoptr (JsonNode)     history = NULL;
  const char              *addresses[] = { "127.0.0.1", NULL };
  Mentor                   mentor = { 0 };
  McCallWindow            *call_window;
  gpointer                 call_window_pointer;
  McWindow                *window;
  gint64                   booking_id;
  JsonObject              *booking;
  guint                    status;

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");

  g_settings_set_string (settings, "server-url", mc_test_server_get_url (server));
  g_settings_set_string (settings, "username", "");
  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);
  g_settings_set_boolean (settings, "join-muted", FALSE);
  g_settings_set_boolean (settings, "join-camera-off", FALSE);

  /* The student logs in and sees the lesson. */
  window = mc_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  mc_window_start (window);
  mc_login_page_set_username (mc_window_get_login_page (window), MC_TEST_STUDENT);
  mc_login_page_set_password (mc_window_get_login_page (window), MC_TEST_STUDENT_PASSWORD);
  mc_login_page_submit (mc_window_get_login_page (window));
  mc_test_ui_wait_until (login_done, window, "the login");
  mc_test_ui_wait_until (window_has_bookings, window, "the lessons");

  /* The mentor is in the call first. */
  mentor_token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mentor_api = mc_api_client_new (mc_test_server_get_url (server));
  mc_api_client_set_token (mentor_api, mentor_token);
  mentor.controller = mc_call_controller_new (mentor_api, booking_id);
  g_signal_connect (mentor.controller, "configure-session", G_CALLBACK (mentor_configure_cb),
                    &mentor);
  g_signal_connect (mentor.controller, "ended", G_CALLBACK (mentor_ended_cb), &mentor);
  mc_call_controller_start_async (mentor.controller, NULL, mentor_started_cb, &mentor);
  mc_test_ui_wait_until (mentor_started, &mentor, "the mentor to join");

  /* The student joins from the list. */
  booking = mc_window_find_booking (window, booking_id);
  g_assert_nonnull (booking);
  call_window = mc_call_window_new (NULL, mc_window_get_api (window), booking);
  mc_window_set_in_call (window, booking_id, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (call_window), 960, 600);
  gtk_window_present (GTK_WINDOW (call_window));
  mc_call_window_start (call_window);
  mc_test_ui_wait_until (remote_video_shown, call_window, "the mentor's video");

  /* The mentor's test tone is speech for the speaking indicator. */
  mc_test_ui_wait_until ((McTestCondition) mc_call_window_get_peer_speaking, call_window,
                         "the mentor to be shown speaking");

  /* The quality indicator gives its figures. */
  mc_test_ui_wait_until (quality_detailed, call_window, "the quality's figures");
  g_test_message ("quality: %s", mc_call_window_get_quality_text (call_window));

  /* Chat: the mentor writes while the pane is closed. */
  g_free (mc_signaling_client_send_chat (mc_call_controller_get_signaling (mentor.controller),
                                         "Welcome! Today: https://example.org/algebra"));
  mc_test_ui_wait_until (has_unread, call_window, "an unread message");
  g_assert_cmpuint (mc_call_window_get_unread (call_window), ==, 1);

  /* …and it shows for a moment above the controls. */
  g_assert_cmpstr (mc_call_window_get_preview_text (call_window), ==,
                   "maria Tester: Welcome! Today: https://example.org/algebra");
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-chat-preview");

  g_object_set (call_window, "chat-visible", TRUE, NULL);
  g_assert_cmpuint (mc_call_window_get_unread (call_window), ==, 0);
  g_assert_null (mc_call_window_get_preview_text (call_window));
  mc_chat_pane_set_entry_text (mc_call_window_get_chat_pane (call_window), "Hello, I am ready");
  mc_chat_pane_send (mc_call_window_get_chat_pane (call_window));
  mc_test_ui_wait_until (chat_has_two, call_window, "the chat to be acknowledged");
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call");

  /* Small and large windows, the chat open: it folds over the video when
   * narrow, and the controls always fit. */
  assert_layout (call_window, 360, 640, TRUE, TRUE, "call-360x640");
  assert_layout (call_window, 480, 360, TRUE, TRUE, "call-480x360");
  assert_layout (call_window, 800, 600, FALSE, FALSE, "call-800x600");
  /* Back beside the video, the chat is open again as it was. */
  assert_layout (call_window, 1920, 1080, FALSE, FALSE, "call-1920x1080");
  g_assert_true (mc_call_window_get_chat_visible (call_window));
  gtk_window_set_default_size (GTK_WINDOW (call_window), 960, 600);

  /* Under Xvfb the screen can be shared. */
  assert_share_screen (call_window, mentor.controller);
  assert_peer_shares_screen (call_window, mentor.controller);

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages", booking_id);
  history = mc_test_request (server, "GET", path, mentor_token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (mc_test_get_int (mc_test_object (history), "last_seq"), ==, 2);

  /* Leave closes the window and the call goes on for the mentor; the main
   * window offers to rejoin. */
  call_window_pointer = call_window;
  g_object_add_weak_pointer (G_OBJECT (call_window), &call_window_pointer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.leave", NULL));
  mc_window_set_in_call (window, booking_id, FALSE);
  mc_test_ui_wait_until (weak_cleared, &call_window_pointer, "the call window to go");
  mc_test_ui_wait_until (banner_shown, window, "the rejoin banner");
  g_assert_false (mentor.ended);
  g_assert_false (mc_call_controller_get_ended (mentor.controller));
  mc_test_ui_screenshot (GTK_WIDGET (window), "rejoin-after-close");

  /* Rejoined, the window has the size it had, and the chat history it
   * brings back was read already. */
  {
    int width, height;

    /* The list was refreshed since: the lesson as it is now. */
    booking = mc_window_find_booking (window, booking_id);
    call_window = mc_call_window_new (NULL, mc_window_get_api (window), booking);
    gtk_window_get_default_size (GTK_WINDOW (call_window), &width, &height);
    g_assert_cmpint (width, ==, 960);
    g_assert_cmpint (height, ==, 600);
    mc_window_set_in_call (window, booking_id, TRUE);
    gtk_window_present (GTK_WINDOW (call_window));
    mc_call_window_start (call_window);
    mc_test_ui_wait_until (chat_has_two, call_window, "the chat history");
    mc_test_ui_spin (300);
    g_assert_cmpuint (mc_call_window_get_unread (call_window), ==, 0);
    call_window_pointer = call_window;
    g_object_add_weak_pointer (G_OBJECT (call_window), &call_window_pointer);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.leave", NULL));
    mc_window_set_in_call (window, booking_id, FALSE);
    mc_test_ui_wait_until (weak_cleared, &call_window_pointer, "the call window to go");
  }

  /* The mentor ends the session: the banner goes. */
  g_assert_true (mc_call_controller_end (mentor.controller));
  mc_test_ui_wait_until (mentor_ended, &mentor, "the end");
  mc_test_ui_wait_until (banner_hidden, window, "the banner to go");

  g_clear_object (&mentor.controller);
  gtk_window_destroy (GTK_WINDOW (window));
  /* Let the calls' pipelines wind down before the process ends. */
  mc_test_ui_spin (1000);
  mc_test_server_stop (server);
}

/* The lesson as the student's list has it, and the student's client. */
static JsonObject *
student_booking (McTestServer *server,
                 gint64        booking_id,
                 McApiClient **api_out)
{
  g_autofree char     *token = mc_test_login (server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  g_autofree char     *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT, booking_id);
  g_autoptr (JsonNode) node = NULL;
  guint                status;

  node = mc_test_request (server, "GET", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  *api_out = mc_api_client_new (mc_test_server_get_url (server));
  mc_api_client_set_token (*api_out, token);

  return json_object_ref (mc_test_object (node));
}

static McCallWindow *
open_call_window (McApiClient *api,
                  JsonObject  *booking)
{
  McCallWindow *call_window = mc_call_window_new (NULL, api, booking);

  gtk_window_set_default_size (GTK_WINDOW (call_window), 960, 600);
  gtk_window_present (GTK_WINDOW (call_window));
  mc_call_window_start (call_window);

  return call_window;
}

static gboolean
call_joined (gpointer data)
{
  McCallController  *controller = mc_call_window_get_controller (data);
  McSignalingClient *signaling = controller ? mc_call_controller_get_signaling (controller) : NULL;

  return signaling != NULL && mc_signaling_client_get_in_room (signaling);
}

/* The confirmation End Lesson opens over the call window. */
static AdwMessageDialog *
find_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_window_get_transient_for (window) == parent &&
          gtk_widget_get_mapped (GTK_WIDGET (window)) &&
          gtk_widget_get_width (GTK_WIDGET (window)) > 0)
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

static McSummaryWindow *
find_summary (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (MC_IS_SUMMARY_WINDOW (window))
        return MC_SUMMARY_WINDOW (window);
    }

  return NULL;
}

static gboolean
summary_loaded (gpointer data)
{
  McSummaryWindow *summary = find_summary ();

  return summary != NULL && mc_summary_window_get_loaded (summary) &&
         gtk_widget_get_mapped (GTK_WIDGET (summary));
}

typedef struct
{
  const char   *expected;
  McCallWindow *window;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;

  return g_strcmp0 (mc_call_window_get_status_text (wait->window), wait->expected) == 0;
}

static gboolean
status_is_not (gpointer data)
{
  StatusWait *wait = data;

  return g_strcmp0 (mc_call_window_get_status_text (wait->window), wait->expected) != 0;
}

static gboolean
chat_acknowledged (gpointer data)
{
  McChatPane *pane = mc_call_window_get_chat_pane (data);

  return mc_chat_pane_get_n_messages (pane) >= 1 && mc_chat_pane_get_n_pending (pane) == 0;
}

static void
clipboard_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char             **text = user_data;
  g_autoptr (GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The action a key combination of the window's class runs, if any. */
static const char *
shortcut_action (GtkWidget      *widget,
                 guint           keyval,
                 GdkModifierType modifiers)
{
  g_autoptr (GListModel)         controllers = gtk_widget_observe_controllers (widget);
  g_autoptr (GtkShortcutTrigger) wanted = gtk_keyval_trigger_new (keyval, modifiers);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction      *action = gtk_shortcut_get_action (shortcut);

          if (GTK_IS_NAMED_ACTION (action) &&
              gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            return gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
        }
    }

  return NULL;
}

static void
test_shortcuts (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  g_autoptr (GBytes)       overlay = NULL;
  McCallWindow            *call_window;
  gint64                   booking_id;

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);
  call_window = mc_call_window_new (NULL, api, booking);

  g_assert_cmpstr (shortcut_action (GTK_WIDGET (call_window), GDK_KEY_w, GDK_CONTROL_MASK), ==,
                   "call.leave");
  g_assert_cmpstr (shortcut_action (GTK_WIDGET (call_window), GDK_KEY_e,
                                    GDK_CONTROL_MASK | GDK_SHIFT_MASK),
                   ==, "call.end");
  g_assert_cmpstr (shortcut_action (GTK_WIDGET (call_window), GDK_KEY_e, GDK_CONTROL_MASK), ==,
                   "call.camera-off");

  /* The shortcuts window lists both. */
  overlay = g_resources_lookup_data ("/io/github/mentorcall/Mentorcall/gtk/help-overlay.ui", 0,
                                     NULL);
  g_assert_nonnull (overlay);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (overlay, NULL), -1, "&lt;Control&gt;w"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (overlay, NULL), -1,
                                  "&lt;Control&gt;&lt;Shift&gt;e"));

  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_test_server_stop (server);
}

/* End Lesson asks first; its Leave answer leaves, and the lesson goes on. */
static void
test_end_confirmation (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  g_autoptr (McTestPeer)   mentor = NULL;
  const char              *addresses[] = { "127.0.0.1", NULL };
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  AdwMessageDialog        *dialog;
  McCallWindow            *call_window;
  gpointer                 call_window_pointer;
  gint64                   booking_id;

  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);
  mentor = mc_test_peer_join (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, booking_id);

  call_window = open_call_window (api, booking);
  call_window_pointer = call_window;
  g_object_add_weak_pointer (G_OBJECT (call_window), &call_window_pointer);
  mc_test_ui_wait_until (call_joined, call_window, "the student to join");

  mc_chat_pane_set_entry_text (mc_call_window_get_chat_pane (call_window), "Back in a minute");
  mc_chat_pane_send (mc_call_window_get_chat_pane (call_window));
  mc_test_ui_wait_until (chat_acknowledged, call_window, "the chat to be acknowledged");

  /* Asked, and cancelled: nothing happens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.end", NULL));
  mc_test_ui_wait_until (dialog_shown, call_window, "the confirmation");
  dialog = find_dialog (GTK_WINDOW (call_window));
  g_assert_true (adw_message_dialog_has_response (dialog, "leave"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "end"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  mc_test_ui_screenshot (GTK_WIDGET (dialog), "end-lesson-confirmation");
  adw_message_dialog_response (dialog, "cancel");
  mc_test_ui_spin (200);
  g_assert_nonnull (call_window_pointer);
  g_assert_false (mc_test_peer_get_ended (mentor));

  /* Asked, and answered Leave: the window goes, the lesson does not. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.end", NULL));
  mc_test_ui_wait_until (dialog_shown, call_window, "the confirmation");
  adw_message_dialog_response (find_dialog (GTK_WINDOW (call_window)), "leave");
  mc_test_ui_wait_until (weak_cleared, &call_window_pointer, "the call window to go");
  mc_test_ui_spin (300);
  g_assert_false (mc_test_peer_get_ended (mentor));

  /* Back in, and answered End Lesson: ended for both. */
  call_window = open_call_window (api, booking);
  call_window_pointer = call_window;
  g_object_add_weak_pointer (G_OBJECT (call_window), &call_window_pointer);
  mc_test_ui_wait_until (call_joined, call_window, "the student to rejoin");

  /* The history brings our earlier message back, still as ours. */
  mc_test_ui_wait_until (chat_acknowledged, call_window, "the chat history");
  g_assert_true (g_str_has_prefix (mc_chat_pane_get_meta_text (mc_call_window_get_chat_pane (call_window), 0),
                                   "You · "));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.end", NULL));
  mc_test_ui_wait_until (dialog_shown, call_window, "the confirmation");
  adw_message_dialog_response (find_dialog (GTK_WINDOW (call_window)), "end");
  mc_test_ui_wait_until ((McTestCondition) mc_test_peer_get_ended, mentor, "the lesson to end");
  mc_test_ui_wait_until (weak_cleared, &call_window_pointer, "the call window to go");

  /* The summary says who ended it. */
  mc_test_ui_wait_until (summary_loaded, NULL, "the summary");
  g_assert_cmpstr (mc_summary_window_get_notice (find_summary ()), ==, "You ended the lesson");
  gtk_window_destroy (GTK_WINDOW (find_summary ()));

  mc_test_ui_spin (500);
  mc_test_server_stop (server);
}

/* Muted and camera off read as off: crossed icons, and a mark on the self
 * view; the other side is told. */
static void
test_own_state (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  g_autoptr (McTestPeer)   mentor = NULL;
  const char              *addresses[] = { "127.0.0.1", NULL };
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  McCallWindow            *call_window;
  gint64                   booking_id;

  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);
  g_settings_set_boolean (settings, "join-muted", FALSE);
  g_settings_set_boolean (settings, "join-camera-off", FALSE);

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);
  mentor = mc_test_peer_join (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, booking_id);

  call_window = open_call_window (api, booking);
  mc_test_ui_wait_until (call_joined, call_window, "the student to join");
  g_assert_cmpstr (mc_call_window_get_mute_icon (call_window), ==,
                   "audio-input-microphone-symbolic");
  g_assert_cmpstr (mc_call_window_get_camera_icon (call_window), ==, "camera-web-symbolic");
  g_assert_false (mc_call_window_get_self_muted_shown (call_window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.mute", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.camera-off", NULL));
  g_assert_cmpstr (mc_call_window_get_mute_icon (call_window), ==, "microphone-disabled-symbolic");
  g_assert_cmpstr (mc_call_window_get_camera_icon (call_window), ==, "camera-disabled-symbolic");
  g_assert_true (mc_call_window_get_self_muted_shown (call_window));
  g_assert_true (mc_call_session_get_muted (
    mc_call_controller_get_session (mc_call_window_get_controller (call_window))));

  /* The test source is a steady tone: speech, for the meter. */
  mc_test_ui_wait_until ((McTestCondition) mc_call_window_get_speaking_while_muted, call_window,
                         "\"You are muted\"");
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-muted-camera-off");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.mute", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.camera-off", NULL));
  g_assert_cmpstr (mc_call_window_get_mute_icon (call_window), ==,
                   "audio-input-microphone-symbolic");
  g_assert_false (mc_call_window_get_self_muted_shown (call_window));
  g_assert_false (mc_call_window_get_speaking_while_muted (call_window));

  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_test_ui_spin (500);
  mc_test_server_stop (server);
}

/* Joined before the start, the window counts down to the start, not to
 * the end. */
static void
test_early (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  const char              *addresses[] = { "127.0.0.1", NULL };
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  McCallWindow            *call_window;
  gint64                   booking_id;

  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, 600, 4200,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);

  /* Closed while still joining: the start is cancelled, and the window
   * goes away for good. */
  {
    gpointer pointer;

    call_window = open_call_window (api, booking);
    pointer = call_window;
    g_object_add_weak_pointer (G_OBJECT (call_window), &pointer);
    gtk_window_destroy (GTK_WINDOW (call_window));
    mc_test_ui_wait_until (weak_cleared, &pointer, "the window to be finalized");
  }

  call_window = open_call_window (api, booking);
  mc_test_ui_wait_until (call_joined, call_window, "the student to join");
  g_assert_true (g_str_has_prefix (mc_call_window_get_time_text (call_window), "Starts in "));
  g_assert_nonnull (strstr (mc_call_window_get_time_text (call_window), "minutes"));

  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_test_ui_spin (500);
  mc_test_server_stop (server);
}

/* What the window says when the other side leaves, comes back and ends
 * the lesson, and the summary that follows. */
static void
test_notices (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  g_autoptr (McTestPeer)   mentor = NULL;
  g_autofree char         *copied = NULL;
  const char              *addresses[] = { "127.0.0.1", NULL };
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  StatusWait               wait = { "maria Tester left the call — the lesson goes on", NULL };
  McSummaryWindow         *summary;
  const char              *text;
  gpointer                 call_window_pointer;
  gint64                   booking_id;

  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);
  mentor = mc_test_peer_join (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, booking_id);

  wait.window = open_call_window (api, booking);
  call_window_pointer = wait.window;
  g_object_add_weak_pointer (G_OBJECT (wait.window), &call_window_pointer);
  mc_test_ui_wait_until (call_joined, wait.window, "the student to join");
  mc_chat_pane_set_entry_text (mc_call_window_get_chat_pane (wait.window), "Ready when you are");
  mc_chat_pane_send (mc_call_window_get_chat_pane (wait.window));
  mc_test_ui_wait_until (chat_acknowledged, wait.window, "the chat to be acknowledged");

  /* The mentor leaves: said, and the lesson goes on. */
  mc_test_peer_leave (mentor);
  mc_test_ui_wait_until (status_is, &wait, "the notice that the mentor left");
  mc_test_ui_screenshot (GTK_WIDGET (wait.window), "call-peer-left");

  /* …and comes back. */
  mc_test_peer_rejoin (mentor);
  mc_test_ui_wait_until (status_is_not, &wait, "the notice to go");

  /* The mentor ends the lesson: the summary replaces the call window and
   * says who ended it. */
  mc_test_peer_end (mentor);
  mc_test_ui_wait_until (weak_cleared, &call_window_pointer, "the call window to go");
  mc_test_ui_wait_until (summary_loaded, NULL, "the summary");
  summary = find_summary ();
  g_assert_cmpstr (mc_summary_window_get_notice (summary), ==, "maria Tester ended the lesson");
  text = mc_summary_window_get_text (summary);
  g_test_message ("Summary:\n%s", text);
  g_assert_nonnull (strstr (text, "maria Tester ended the lesson\n"));
  g_assert_nonnull (strstr (text, "Duration: "));
  g_assert_nonnull (strstr (text, "  maria Tester (Mentor): "));
  g_assert_nonnull (strstr (text, "  sam Tester (Student): "));
  g_assert_nonnull (strstr (text, "] sam Tester: Ready when you are\n"));
  mc_test_ui_screenshot (GTK_WIDGET (summary), "lesson-summary");

  /* Copy puts all of it on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (summary), "summary.copy", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (summary)), NULL,
                                 clipboard_read_cb, &copied);
  mc_test_ui_wait_until (pointer_set, &copied, "the clipboard");
  g_assert_cmpstr (copied, ==, text);

  gtk_window_destroy (GTK_WINDOW (summary));
  mc_test_ui_spin (500);
  mc_test_server_stop (server);
}

/* The restore token the app passed to the portal the last time, or NULL. */
static char *
portal_last_token (void)
{
  g_autoptr (GVariant) reply = mc_test_portal_control ("LastOptions", NULL, "(a{sv})");
  g_autoptr (GVariant) options = g_variant_get_child_value (reply, 0);
  const char          *token;

  return g_variant_lookup (options, "restore_token", "&s", &token) ? g_strdup (token) : NULL;
}

static gboolean
share_enabled (gpointer data)
{
  return gtk_widget_is_sensitive (mc_call_window_get_share_button (data));
}

static gboolean
sharing (gpointer data)
{
  return mc_call_window_get_screen_sharing (data);
}

static gboolean
not_sharing (gpointer data)
{
  return !mc_call_window_get_screen_sharing (data);
}

typedef struct
{
  McCallWindow *window;
  const char   *toast;
} ToastWait;

static gboolean
toast_is (gpointer data)
{
  ToastWait *wait = data;

  return g_strcmp0 (mc_call_window_get_last_toast (wait->window), wait->toast) == 0;
}

/* The self view's mean brightness (0–255), drawn small by the window's own
 * renderer; -1 before any frame. */
static double
self_view_brightness (McCallWindow *window)
{
  GdkPaintable             *paintable = mc_call_window_get_self_paintable (window);
  const int                 width = 32, height = 24;
  GtkSnapshot              *snapshot;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture)    texture = NULL;
  g_autofree guchar        *data = NULL;
  double                    sum = 0;

  if (!mc_video_paintable_get_has_image (MC_VIDEO_PAINTABLE (paintable)))
    return -1;

  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return -1;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, width * 4);
  for (int i = 0; i < width * height; i++)
    sum += (data[i * 4] + data[i * 4 + 1] + data[i * 4 + 2]) / 3.0;

  return sum / (width * height);
}

static gboolean
self_view_white (gpointer data)
{
  return self_view_brightness (data) > 200;
}

static gboolean
self_view_pattern (gpointer data)
{
  double brightness = self_view_brightness (data);

  return brightness > 40 && brightness < 180;
}

/* The items of the device menu's section @index, as "label=target" lines. */
static char *
describe_section (GMenuModel *menu,
                  int         index)
{
  g_autoptr (GMenuModel) section = g_menu_model_get_item_link (menu, index, G_MENU_LINK_SECTION);
  GString               *text = g_string_new (NULL);

  for (int i = 0; i < g_menu_model_get_n_items (section); i++)
    {
      g_autofree char     *label = NULL;
      g_autoptr (GVariant) target = g_menu_model_get_item_attribute_value (
        section, i, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);

      g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
      g_string_append_printf (text, "%s=%s\n", label, g_variant_get_string (target, NULL));
    }

  return g_string_free (text, FALSE);
}

typedef struct
{
  McCallWindow *window;
  guint64       frames;
} SelfViewFrames;

static gboolean
self_view_frames_or_timeout (gpointer data)
{
  SelfViewFrames *wait = data;
  GdkPaintable   *paintable = mc_call_window_get_self_paintable (wait->window);

  return mc_video_paintable_get_frames_shown (MC_VIDEO_PAINTABLE (paintable)) > wait->frames + 5;
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Whether the self view shows new frames within a few seconds. Under
 * AddressSanitizer with the cairo renderer it was seen stopping at its
 * first frame, before any switch; its brightness then says nothing. */
static gboolean
self_view_live (McCallWindow *window)
{
  SelfViewFrames wait = {
    window,
    mc_video_paintable_get_frames_shown (
      MC_VIDEO_PAINTABLE (mc_call_window_get_self_paintable (window))),
  };
  gboolean timed_out = FALSE;
  guint    id = g_timeout_add_seconds (5, flag_cb, &timed_out);

  while (!self_view_frames_or_timeout (&wait) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return !timed_out;
}

static gboolean
menu_lists_new_camera (gpointer data)
{
  g_autofree char *cameras = describe_section (data, 0);

  return strstr (cameras, "New Camera=mc-test:camera-new") != NULL;
}

static gboolean
menu_lacks_white_camera (gpointer data)
{
  g_autofree char *cameras = describe_section (data, 0);

  return strstr (cameras, "White Camera") == NULL;
}

static gboolean
toast_contains (gpointer data)
{
  ToastWait  *wait = data;
  const char *toast = mc_call_window_get_last_toast (wait->window);

  return toast != NULL && strstr (toast, wait->toast) != NULL;
}

/* A screenshot of @window with @popover open over it, as on the screen:
 * the popover is a surface of its own, which the window's snapshot leaves
 * out. Only with MC_SCREENSHOT_DIR, like mc_test_ui_screenshot (). */
static void
screenshot_with_popover (GtkWidget  *window,
                         GtkWidget  *popover,
                         const char *name)
{
  const char               *dir = g_getenv ("MC_SCREENSHOT_DIR");
  g_autoptr (GdkPaintable)  window_paintable = NULL;
  g_autoptr (GdkPaintable)  popover_paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture)    texture = NULL;
  g_autofree char          *path = NULL;
  GtkSnapshot              *snapshot;
  GdkSurface               *surface = gtk_native_get_surface (GTK_NATIVE (popover));
  double                    window_x, window_y, popover_x, popover_y;
  int                       width = gtk_widget_get_width (window);
  int                       height = gtk_widget_get_height (window);

  if (dir == NULL)
    return;

  mc_test_ui_spin (800);
  g_assert_true (gtk_widget_get_mapped (popover));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &window_x, &window_y);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &popover_x, &popover_y);

  window_paintable = gtk_widget_paintable_new (window);
  popover_paintable = gtk_widget_paintable_new (popover);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (window_paintable, snapshot, width, height);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (gdk_popup_get_position_x (GDK_POPUP (surface)) +
                                                  popover_x - window_x,
                                                gdk_popup_get_position_y (GDK_POPUP (surface)) +
                                                  popover_y - window_y));
  gdk_paintable_snapshot (popover_paintable, snapshot, gtk_widget_get_width (popover),
                          gtk_widget_get_height (popover));
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}

/* The device menu in a call: the call's cameras, microphones and speakers
 * (the tests' own devices, tests/engine/mc-test-devices.c), the one in use
 * checked; picking the white camera changes the self view and is kept for
 * the next lesson; a camera that cannot be opened is said and the call
 * keeps its camera; and the controls, menu button included, fit in 360
 * pixels. */
static void
test_devices (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  g_autoptr (McTestPeer)   mentor = NULL;
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  g_autofree char         *cameras = NULL;
  g_autofree char         *speakers = NULL;
  g_autofree char         *saved = NULL;
  const char              *addresses[] = { "127.0.0.1", NULL };
  GtkWidget               *button;
  GMenuModel              *menu;
  McCallWindow            *call_window;
  McCallSession           *session;
  gboolean                 live;
  ToastWait                wait;
  gint64                   booking_id;
  graphene_rect_t          bounds;

  mc_test_devices_add ("mc-test:camera-pattern", "Pattern Camera", "Video/Source",
                       "videotestsrc is-live=true");
  mc_test_devices_add ("mc-test:camera-white", "White Camera", "Video/Source",
                       "videotestsrc is-live=true pattern=white");
  mc_test_devices_add ("mc-test:camera-broken", "Broken Camera", "Video/Source",
                       "filesrc location=/nonexistent/mc-test-camera");
  mc_test_devices_add ("mc-test:microphone", "Test Microphone", "Audio/Source",
                       "audiotestsrc is-live=true samplesperbuffer=480 volume=0.2");
  mc_test_devices_add ("mc-test:speaker", "Test Speaker", "Audio/Sink",
                       "fakesink sync=false async=false");

  g_settings_set_boolean (settings, "test-sources", FALSE);
  g_settings_set_string (settings, "video-device", "mc-test:camera-pattern");
  g_settings_set_string (settings, "audio-device", "mc-test:microphone");
  g_settings_set_string (settings, "speaker-device", "mc-test:speaker");
  g_settings_set_strv (settings, "ice-addresses", addresses);
  g_settings_set_boolean (settings, "join-muted", FALSE);
  g_settings_set_boolean (settings, "join-camera-off", FALSE);

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);
  mentor = mc_test_peer_join (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD, booking_id);

  call_window = open_call_window (api, booking);
  mc_test_ui_wait_until (call_joined, call_window, "the student to join");
  mc_test_ui_wait_until (self_view_pattern, call_window, "the pattern camera in the self view");
  session = mc_call_controller_get_session (mc_call_window_get_controller (call_window));
  live = self_view_live (call_window);
  if (!live)
    g_test_message ("The self view shows no new frames here: its brightness is not checked");

  /* The menu: the call's devices, in three sections. */
  menu = mc_call_window_get_devices_menu (call_window);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 3);
  cameras = describe_section (menu, 0);
  g_assert_cmpstr (cameras, ==,
                   "Pattern Camera=mc-test:camera-pattern\n"
                   "White Camera=mc-test:camera-white\n"
                   "Broken Camera=mc-test:camera-broken\n");
  speakers = describe_section (menu, 2);
  g_assert_cmpstr (speakers, ==, "Default=\nTest Speaker=mc-test:speaker\n");
  button = mc_call_window_get_devices_button (call_window);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Camera, Microphone and Speaker");

  /* Opened, as the user sees it. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  screenshot_with_popover (GTK_WIDGET (call_window),
                           GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))),
                           "call-device-menu");

  /* The white camera, picked from the menu (its item's action and target). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "device.camera", "s",
                                             "mc-test:camera-white"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  if (live)
    mc_test_ui_wait_until (self_view_white, call_window, "the white camera in the self view");
  g_assert_cmpstr (mc_call_session_get_device (session, MC_DEVICE_ROLE_CAMERA), ==,
                   "mc-test:camera-white");
  saved = g_settings_get_string (settings, "video-device");
  g_assert_cmpstr (saved, ==, "mc-test:camera-white");
  g_clear_pointer (&saved, g_free);

  /* A camera that cannot be opened: said, and the white one stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "device.camera", "s",
                                             "mc-test:camera-broken"));
  wait = (ToastWait){ call_window, "Broken Camera" };
  mc_test_ui_wait_until (toast_contains, &wait, "the toast that the camera cannot be used");
  g_test_message ("%s", mc_call_window_get_last_toast (call_window));
  g_assert_cmpstr (mc_call_session_get_device (session, MC_DEVICE_ROLE_CAMERA), ==,
                   "mc-test:camera-white");
  saved = g_settings_get_string (settings, "video-device");
  g_assert_cmpstr (saved, ==, "mc-test:camera-white");
  mc_test_ui_spin (500);
  g_assert_true (!live || self_view_white (call_window));

  /* Hot-plug: a camera plugged in appears in the menu; the one in use
   * unplugged is replaced by another, and a toast says so. */
  mc_test_devices_add ("mc-test:camera-new", "New Camera", "Video/Source",
                       "videotestsrc is-live=true pattern=black");
  mc_test_ui_wait_until (menu_lists_new_camera, menu, "the new camera in the menu");
  mc_test_devices_remove ("mc-test:camera-white");
  wait = (ToastWait){ call_window, "White Camera" };
  mc_test_ui_wait_until (toast_contains, &wait, "the toast that the camera went away");
  g_test_message ("%s", mc_call_window_get_last_toast (call_window));
  if (live)
    mc_test_ui_wait_until (self_view_pattern, call_window, "the pattern camera again");
  g_assert_cmpstr (mc_call_session_get_device (session, MC_DEVICE_ROLE_CAMERA), ==,
                   "mc-test:camera-pattern");
  /* The menu follows the device monitor, which may tell of the unplugged
   * camera after the call has already replaced it. */
  mc_test_ui_wait_until (menu_lacks_white_camera, menu, "the unplugged camera out of the menu");

  /* Narrow: the menu button is there, and the controls fit. */
  gtk_window_set_default_size (GTK_WINDOW (call_window), 360, 640);
  mc_test_ui_wait_until ((McTestCondition) mc_call_window_get_narrow, call_window,
                         "the narrow layout");
  mc_test_ui_spin (500);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_compute_bounds (mc_call_window_get_controls (call_window),
                                            GTK_WIDGET (call_window), &bounds));
  g_test_message ("controls at 360 px: x %.0f, width %.0f", bounds.origin.x, bounds.size.width);
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, 360);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  screenshot_with_popover (GTK_WIDGET (call_window),
                           GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))),
                           "call-device-menu-360x640");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));

  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_test_ui_spin (500);
  mc_test_server_stop (server);
  mc_test_devices_clear ();
  g_settings_reset (settings, "test-sources");
  g_settings_reset (settings, "video-device");
  g_settings_reset (settings, "audio-device");
  g_settings_reset (settings, "speaker-device");
}


static void
assert_token (GSettings  *settings,
              const char *expected)
{
  g_autofree char *token = g_settings_get_string (settings, "screen-cast-restore-token");

  g_assert_cmpstr (token, ==, expected);
}

static void
test_portal_flow (void)
{
  g_autoptr (McTestServer) server = mc_test_server_start_new (NULL);
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonObject)   booking = NULL;
  g_autoptr (GSettings)    settings = g_settings_new (APPLICATION_ID);
  McPreferencesWindow     *preferences;
  McCallWindow            *call_window;
  ToastWait                wait;
  char                    *token;
  gint64                   booking_id;

  mc_test_portal_start ();
  g_settings_reset (settings, "screen-cast-restore-token");

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                       "confirmed");
  booking = student_booking (server, booking_id, &api);

  /* As on Wayland: the portal is the way, and the button works once the
   * portal is found on the bus. */
  g_setenv ("MENTORCALL_SCREEN_SHARE", "portal", TRUE);
  call_window = mc_call_window_new (NULL, api, booking);
  g_unsetenv ("MENTORCALL_SCREEN_SHARE");
  gtk_window_set_default_size (GTK_WINDOW (call_window), 960, 600);
  gtk_window_present (GTK_WINDOW (call_window));
  mc_test_ui_wait_until (share_enabled, call_window, "the portal to be found");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (mc_call_window_get_share_button (call_window)),
                   ==, "Share Screen (Ctrl+Shift+S)");

  /* Share: the dialog (the mock grants), then sharing; the portal's
   * restore token is kept. Nothing was passed the first time. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  g_assert_false (mc_call_window_get_screen_sharing (call_window));
  mc_test_ui_wait_until (sharing, call_window, "the portal's grant");
  g_assert_null (portal_last_token ());
  assert_token (settings, "token-1");

  /* The desktop's own "stop sharing": back to the camera, and said. */
  g_variant_unref (mc_test_portal_control ("CloseSessions", NULL, NULL));
  mc_test_ui_wait_until (not_sharing, call_window, "sharing to stop");
  wait = (ToastWait){ call_window, "Screen sharing stopped from the desktop" };
  mc_test_ui_wait_until (toast_is, &wait, "the toast that the desktop stopped sharing");
  mc_test_ui_spin (300);
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-portal-stopped-by-desktop");

  /* The next share passes the token back (no dialog on a real desktop),
   * and keeps the new one; stopping from the window closes the session. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  mc_test_ui_wait_until (sharing, call_window, "the second grant");
  token = portal_last_token ();
  g_assert_cmpstr (token, ==, "token-1");
  g_free (token);
  assert_token (settings, "token-2");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  g_assert_false (mc_call_window_get_screen_sharing (call_window));

  /* The user cancels the dialog: nothing shared, and said. */
  g_variant_unref (mc_test_portal_control ("SetAnswer", g_variant_new ("(s)", "cancel"), NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  wait = (ToastWait){ call_window, "Nothing is shared: the choice of screen was cancelled" };
  mc_test_ui_wait_until (toast_is, &wait, "the toast that sharing was cancelled");
  g_assert_false (mc_call_window_get_screen_sharing (call_window));
  assert_token (settings, "token-2");

  /* Forget, in the preferences: the next share asks afresh. */
  preferences = mc_preferences_window_new (GTK_WINDOW (call_window));
  gtk_window_present (GTK_WINDOW (preferences));
  g_signal_emit_by_name (mc_preferences_window_get_forget_screen_cast_button (preferences),
                         "clicked");
  gtk_window_destroy (GTK_WINDOW (preferences));
  assert_token (settings, "");
  g_variant_unref (mc_test_portal_control ("SetAnswer", g_variant_new ("(s)", "grant"), NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  mc_test_ui_wait_until (sharing, call_window, "the grant after forgetting");
  g_assert_null (portal_last_token ());

  /* The window going ends the portal's session with it. */
  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_test_ui_spin (200);
  g_settings_reset (settings, "screen-cast-restore-token");
  mc_test_portal_stop ();
  mc_test_server_stop (server);
}

/* The test pattern's mean luma is about 115; the test's white screen,
 * with the frame stamp, about 224. */
#define WHITE_LUMA  200.0
#define LUMA_WAIT_S 30

static McTestLuma mentor_view;

static void
mentor_view_configure_cb (McCallController *controller,
                          McCallSession    *session,
                          Mentor           *mentor)
{
  mentor_configure_cb (controller, session, mentor);
  mc_call_session_set_video_sink (session, mentor_view.sink);
}

/* The whole way on Wayland: Share Screen in the student's window, the
 * portal's grant (the mock's, but with a real PipeWire stream: a white
 * "screen" on a private daemon), the engine's capture, and the mentor, in
 * a real call, receiving the white screen; then the desktop's "stop
 * sharing", and the mentor receives the camera (test pattern) again. */
static void
test_portal_capture_flow (void)
{
  g_autoptr (McTestPipeWire) pipewire = NULL;
  g_autoptr (McTestServer)   server = NULL;
  g_autoptr (McApiClient)    api = NULL;
  g_autoptr (McApiClient)    mentor_api = NULL;
  g_autoptr (JsonObject)     booking = NULL;
  g_autoptr (GSettings)      settings = g_settings_new (APPLICATION_ID);
  g_autoptr (GError)         error = NULL;
  g_autofree char           *mentor_token = NULL;
  const char                *addresses[] = { "127.0.0.1", NULL };
  Mentor                     mentor = { NULL };
  McCallWindow              *call_window;
  ToastWait                  wait;
  guint                      width, height;
  gint64                     booking_id;

  pipewire = mc_test_pipewire_start ("white", &error);
  if (pipewire == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);
  mc_test_pipewire_get_size (pipewire, &width, &height);

  mc_test_portal_start ();
  g_variant_unref (mc_test_portal_control ("SetRemote",
                                           g_variant_new ("(suii)",
                                                          mc_test_pipewire_get_socket_path (pipewire),
                                                          mc_test_pipewire_get_node_id (pipewire),
                                                          (int) width, (int) height),
                                           NULL));
  g_settings_reset (settings, "screen-cast-restore-token");
  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);
  g_settings_set_boolean (settings, "join-camera-off", FALSE);

  server = mc_test_server_start_new (NULL);
  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                       "confirmed");

  /* The mentor, in this process, sees what arrives. */
  mc_test_luma_init (&mentor_view, "mentor-remote-view");
  mentor_token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mentor_api = mc_api_client_new (mc_test_server_get_url (server));
  mc_api_client_set_token (mentor_api, mentor_token);
  mentor.controller = mc_call_controller_new (mentor_api, booking_id);
  g_signal_connect (mentor.controller, "configure-session", G_CALLBACK (mentor_view_configure_cb),
                    &mentor);
  mc_call_controller_start_async (mentor.controller, NULL, mentor_started_cb, &mentor);
  mc_test_ui_wait_until (mentor_started, &mentor, "the mentor to join");

  /* The student, as on Wayland. */
  booking = student_booking (server, booking_id, &api);
  g_setenv ("MENTORCALL_SCREEN_SHARE", "portal", TRUE);
  call_window = open_call_window (api, booking);
  g_unsetenv ("MENTORCALL_SCREEN_SHARE");
  mc_test_ui_wait_until (remote_video_shown, call_window, "the mentor's video");
  mc_test_luma_assert_between (&mentor_view, 50, WHITE_LUMA, LUMA_WAIT_S,
                               "the student's test pattern at the mentor");

  /* Share Screen: the portal grants the PipeWire stream, and the mentor
   * receives the white screen. */
  mc_test_ui_wait_until (share_enabled, call_window, "the portal to be found");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_window), "call.share-screen", NULL));
  mc_test_ui_wait_until (sharing, call_window, "the portal's grant");
  g_assert_true (mc_call_session_get_screen_share (
    mc_call_controller_get_session (mc_call_window_get_controller (call_window))));
  mc_test_luma_assert_between (&mentor_view, WHITE_LUMA, 256, LUMA_WAIT_S,
                               "the student's shared screen at the mentor");
  mc_test_ui_spin (500);
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-portal-sharing");

  /* The desktop's "stop sharing": the camera again, and said. */
  g_variant_unref (mc_test_portal_control ("CloseSessions", NULL, NULL));
  mc_test_ui_wait_until (not_sharing, call_window, "sharing to stop");
  wait = (ToastWait){ call_window, "Screen sharing stopped from the desktop" };
  mc_test_ui_wait_until (toast_is, &wait, "the toast that the desktop stopped sharing");
  mc_test_luma_assert_between (&mentor_view, 50, WHITE_LUMA, LUMA_WAIT_S,
                               "the student's test pattern at the mentor again");

  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_call_controller_leave (mentor.controller);
  g_clear_object (&mentor.controller);
  mc_test_ui_spin (1000);
  mc_test_luma_clear (&mentor_view);
  g_settings_reset (settings, "screen-cast-restore-token");
  mc_test_server_stop (server);
  mc_test_portal_stop ();
}

/* Each portal case in a process of its own: the session bus it starts (and
 * the shared connection to it, which libportal keeps) would outlive the
 * case, and the other cases must have none. */
static void
test_portal (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      mc_test_ui_run_tolerant ((McTestFunc) data);
      return;
    }

  g_test_trap_subprocess (NULL, 240 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  /* Xvfb's display, even inside a Wayland session: screen sharing is X11
   * only, and must be possible here. */
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("XDG_SESSION_TYPE");

  mc_test_ui_init (&argc, &argv);
  gst_init (&argc, &argv);

  /* Only the tests' own devices: never a real camera, microphone or speaker. */
  mc_test_devices_register ();

  g_test_add_data_func ("/client/call-window/portal", (gconstpointer) test_portal_flow,
                        test_portal);
  g_test_add_data_func ("/client/call-window/portal-capture",
                        (gconstpointer) test_portal_capture_flow, test_portal);
  mc_test_ui_add_tolerant ("/client/call-window/call", test_call);
  mc_test_ui_add_tolerant ("/client/call-window/shortcuts", test_shortcuts);
  mc_test_ui_add_tolerant ("/client/call-window/end-confirmation", test_end_confirmation);
  mc_test_ui_add_tolerant ("/client/call-window/notices", test_notices);
  mc_test_ui_add_tolerant ("/client/call-window/own-state", test_own_state);
  mc_test_ui_add_tolerant ("/client/call-window/early", test_early);
  mc_test_ui_add_tolerant ("/client/call-window/devices", test_devices);

  return g_test_run ();
}
