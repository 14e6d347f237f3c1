/* test-call-window-live.c — the call window in a real call with video, under Xvfb
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real call under Xvfb: the student's call window against a real server,
 * the mentor an McCallController in the same process, both with test
 * sources and ICE on 127.0.0.1.
 *
 * What the window says about the network. A network shaped to a rate cap needs a
 * namespace of its own (the engine's and the CLI's tests and the network
 * benchmark have that); here the engine's test hook holds a side's
 * bandwidth estimate under a cap instead, and the video ladder, the
 * capture branch and the signals all do what a real cap makes them do:
 *
 * - the student's estimate held at 300 kbit/s: the video steps down, and
 *   the window says "Your connection is slow: video quality lowered";
 * - held at the minimum: the video pauses, and the window says so for as
 *   long as it lasts; the cap lifted, the video comes back, and it says so;
 * - the mentor's estimate held at the minimum: the mentor's video pauses,
 *   nothing arrives at the student, and the window says that the mentor's
 *   connection is poor; the cap lifted, their video comes back.
 */

#include "config.h"

#include <string.h>

#include <X11/Xlib.h>
#include <adwaita.h>
#include <gdk/x11/gdkx.h>

#include "mc-call-window-private.h"
#include "mc-test-server.h"
#include "mc-test-ui.h"

#define LOWERED_TOAST "Your connection is slow: video quality lowered"
#define RESUMED_TOAST "Your video is back on: the network recovered"
#define PAUSED_NOTICE "Video paused: the network is too slow"
#define PEER_NOTICE   "maria Tester's connection is poor"

static void
mentor_configure_cb (McCallController *controller,
                     McCallSession    *session,
                     gpointer          user_data)
{
  const char *addresses[] = { "127.0.0.1", NULL };

  mc_call_session_set_test_sources (session, TRUE);
  mc_call_session_set_video_format (session, 640, 360, 30);
  mc_call_session_set_fake_audio_output (session, TRUE);
  mc_call_session_set_ice_addresses (session, addresses);
}

/* Both ends of the call live in this one process (and under sanitizers
 * on two cores): the student's window sends 360p too, which is what the
 * mentor sends, or neither end keeps up and the figures never settle. */
static void
student_configure_cb (McCallController *controller,
                      McCallSession    *session,
                      gpointer          user_data)
{
  mc_call_session_set_video_format (session, 640, 360, 30);
}

static void
mentor_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mc_call_controller_start_finish (MC_CALL_CONTROLLER (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static McCallSession *
window_session (McCallWindow *window)
{
  McCallController *controller = mc_call_window_get_controller (window);

  return controller ? mc_call_controller_get_session (controller) : NULL;
}

static gboolean
remote_video_shown (gpointer data)
{
  McCallSession *session = window_session (data);

  return session != NULL && mc_call_session_get_frames_decoded (session) > 10 &&
         g_strcmp0 (mc_call_window_get_connection_text (data), "Connected") == 0;
}

typedef struct
{
  McCallWindow *window;
  const char   *text;
} Expected;

static gboolean
toast_is (gpointer data)
{
  Expected *expected = data;

  return g_strcmp0 (mc_call_window_get_last_toast (expected->window), expected->text) == 0;
}

static gboolean
notice_is (gpointer data)
{
  Expected        *expected = data;
  g_autofree char *notice = mc_call_window_dup_network_notice (expected->window);

  return g_strcmp0 (notice, expected->text) == 0;
}

static gboolean
quality_detailed (gpointer data)
{
  static char *last;
  const char  *text = mc_call_window_get_quality_text (data);

  /* What it said, for when it never says it all. */
  if (g_strcmp0 (text, last) != 0)
    {
      g_free (last);
      last = g_strdup (text);
      g_test_message ("quality now: %s", text ? text : "(none)");
    }

  return text != NULL && strstr (text, "Receiving ") != NULL && strstr (text, "Sending ") != NULL &&
         strstr (text, "kbit/s") != NULL && strstr (text, "% lost") != NULL &&
         strstr (text, "Round trip ") != NULL;
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

typedef struct
{
  McTestServer     *server;
  McApiClient      *api;
  McApiClient      *mentor_api;
  McCallController *mentor;
  JsonNode         *booking;
  McCallWindow     *window;
} Call;

/* The mentor in the call, then the student's window, with video both ways. */
static void
call_start (Call *call)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char      *token = NULL;
  g_autofree char      *mentor_token = NULL;
  g_autofree char      *path = NULL;
  const char           *addresses[] = { "127.0.0.1", NULL };
  gboolean              mentor_started = FALSE;
  gint64                booking_id;
  guint                 status;

  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);
  g_settings_set_boolean (settings, "join-muted", FALSE);
  g_settings_set_boolean (settings, "join-camera-off", FALSE);

  call->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (call->server, NULL, NULL);
  booking_id = mc_test_create_booking (call->server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");

  mentor_token = mc_test_login (call->server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  call->mentor_api = mc_api_client_new (mc_test_server_get_url (call->server));
  mc_api_client_set_token (call->mentor_api, mentor_token);
  call->mentor = mc_call_controller_new (call->mentor_api, booking_id);
  g_signal_connect (call->mentor, "configure-session", G_CALLBACK (mentor_configure_cb), NULL);
  mc_call_controller_start_async (call->mentor, NULL, mentor_started_cb, &mentor_started);
  mc_test_ui_wait_until (flag_set, &mentor_started, "the mentor to join");

  /* The student joins with the lesson as their list has it. */
  token = mc_test_login (call->server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT, booking_id);
  call->booking = mc_test_request (call->server, "GET", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  call->api = mc_api_client_new (mc_test_server_get_url (call->server));
  mc_api_client_set_token (call->api, token);
  call->window = mc_call_window_new (NULL, call->api, mc_test_object (call->booking));
  gtk_window_set_default_size (GTK_WINDOW (call->window), 960, 600);
  gtk_window_present (GTK_WINDOW (call->window));
  mc_call_window_start (call->window);
  /* The controller asks for its session's settings once it has the call
   * token, after the window's own handler. */
  g_signal_connect_after (mc_call_window_get_controller (call->window), "configure-session",
                          G_CALLBACK (student_configure_cb), NULL);
  mc_test_ui_wait_until (remote_video_shown, call->window, "the mentor's video");
}

static void
call_stop (Call *call)
{
  gtk_window_destroy (GTK_WINDOW (call->window));
  mc_call_controller_leave (call->mentor);
  g_clear_object (&call->mentor);
  mc_test_ui_spin (1000);
  mc_test_server_stop (call->server);
  g_clear_pointer (&call->server, mc_test_server_free);
  g_clear_object (&call->api);
  g_clear_object (&call->mentor_api);
  g_clear_pointer (&call->booking, json_node_unref);
}

static void
test_network (void)
{
  Call           call = { 0 };
  McCallWindow  *window;
  McCallSession *session;
  McCallNetwork *network;
  Expected       expected;
  FramesAfter    after;

  call_start (&call);
  window = call.window;
  session = window_session (window);
  network = mc_call_controller_get_network (mc_call_window_get_controller (window));

  /* The indicator's tooltip gives the figures both ways. */
  mc_test_ui_wait_until (quality_detailed, window, "the quality's figures");
  g_test_message ("quality: %s", mc_call_window_get_quality_text (window));

  /* A call that is still settling (slow under a sanitizer on a loaded
   * machine) may say for a moment that the mentor's connection is poor:
   * on loopback it passes. */
  expected.window = window;
  expected.text = NULL;
  mc_test_ui_wait_until (notice_is, &expected, "no network notice on a clean path");

  /* The student's path carries 300 kbit/s: their video steps down. */
  expected.text = LOWERED_TOAST;
  mc_call_session_debug_limit_bandwidth (session, 300000);
  mc_test_ui_wait_until (toast_is, &expected, "the lowered video's toast");
  g_assert_cmpint (mc_call_network_get_sending (network), ==, MC_CALL_NETWORK_SENDING_LOWERED);
  mc_test_ui_spin (500);
  mc_test_ui_screenshot (GTK_WIDGET (window), "call-network-lowered");

  /* Not even the lowest rung fits: paused, said for as long as it lasts,
   * and the mentor's picture of the student stops. */
  expected.text = PAUSED_NOTICE;
  mc_call_session_debug_limit_bandwidth (session, 1);
  mc_test_ui_wait_until (notice_is, &expected, "the paused video's notice");
  g_assert_true (mc_call_session_get_video_paused (session));
  g_assert_cmpint (mc_call_network_get_quality (network), ==, MC_CALL_QUALITY_POOR);
  mc_test_ui_spin (500);
  mc_test_ui_screenshot (GTK_WIDGET (window), "call-network-paused");

  /* The cap lifted, the video comes back by itself, and the mentor
   * receives it again. */
  expected.text = RESUMED_TOAST;
  mc_call_session_debug_limit_bandwidth (session, 0);
  mc_test_ui_wait_until (toast_is, &expected, "the video to come back");
  g_assert_null (mc_call_window_dup_network_notice (window));
  after.session = mc_call_controller_get_session (call.mentor);
  after.frames = mc_call_session_get_frames_decoded (after.session);
  mc_test_ui_wait_until (more_frames, &after, "the mentor to receive video again");

  /* The mentor's path is too slow for any video: nothing arrives, and the
   * student is told whose connection it is. */
  expected.text = PEER_NOTICE;
  mc_call_session_debug_limit_bandwidth (mc_call_controller_get_session (call.mentor), 1);
  mc_test_ui_wait_until (notice_is, &expected, "the mentor's poor connection");
  g_assert_true (mc_call_network_get_peer_poor (network));
  mc_test_ui_screenshot (GTK_WIDGET (window), "call-network-peer-poor");

  /* The cap lifted, the mentor's video arrives again (small at first: the
   * notice goes once it arrives well, which McCallNetwork's own test
   * follows second by second). */
  mc_call_session_debug_limit_bandwidth (mc_call_controller_get_session (call.mentor), 0);
  after.session = session;
  after.frames = mc_call_session_get_frames_decoded (session);
  mc_test_ui_wait_until (more_frames, &after, "the mentor's video to come back");

  call_stop (&call);
}

/* Hovering: the X pointer moved to the middle of @widget, as a mouse
 * would (the X server sends the motion events GTK reads). */
static void
hover (GtkWidget *widget)
{
  GtkNative       *native = gtk_widget_get_native (widget);
  GdkSurface      *surface = gtk_native_get_surface (native);
  Display         *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));
  graphene_point_t point;
  double           dx, dy;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                                 gtk_widget_get_height (widget) / 2.0),
                                           &point));
  gtk_native_get_surface_transform (native, &dx, &dy);
  XWarpPointer (xdisplay, None, gdk_x11_surface_get_xid (surface), 0, 0, 0, 0,
                (int) (point.x + dx), (int) (point.y + dy));
  XFlush (xdisplay);
}

static const char *
find_label_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = find_label_text (child);

      if (text != NULL && *text != '\0')
        return text;
    }

  return NULL;
}

/* The tooltip on screen over @window: GTK parents its tooltip popup to
 * the toplevel it belongs to. */
static const char *
shown_tooltip (GtkWidget *window)
{
  for (GtkWidget *child = gtk_widget_get_first_child (window); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (G_OBJECT_TYPE_NAME (child), "GtkTooltipWindow") &&
        gtk_widget_get_mapped (child))
      return find_label_text (child);

  return NULL;
}

typedef struct
{
  GtkWidget  *window;
  const char *text;
} Tooltip;

static gboolean
tooltip_shown (gpointer data)
{
  Tooltip *tooltip = data;

  return g_strcmp0 (shown_tooltip (tooltip->window), tooltip->text) == 0;
}

/* Whether the pointer at the middle of @widget would reach it (nothing
 * drawn over it takes the pointer instead). */
static gboolean
reachable (GtkWidget *widget)
{
  GtkWidget       *root = GTK_WIDGET (gtk_widget_get_root (widget));
  graphene_point_t point;
  GtkWidget       *picked;

  g_assert_true (gtk_widget_compute_point (widget, root,
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                                 gtk_widget_get_height (widget) / 2.0),
                                           &point));
  picked = gtk_widget_pick (root, point.x, point.y, GTK_PICK_DEFAULT);

  return picked != NULL && (picked == widget || gtk_widget_is_ancestor (picked, widget));
}

static gboolean
controls_reachable (gpointer data)
{
  GtkWidget *controls = mc_call_window_get_controls (data);

  for (GtkWidget *button = gtk_widget_get_first_child (controls); button != NULL;
       button = gtk_widget_get_next_sibling (button))
    if (GTK_IS_BUTTON (button) && gtk_widget_get_visible (button) && !reachable (button))
      {
        GtkWidget       *root = GTK_WIDGET (gtk_widget_get_root (button));
        graphene_point_t point;
        GtkWidget       *picked;
        static char     *said;
        g_autofree char *now = NULL;

        g_assert_true (gtk_widget_compute_point (button, root,
                                                 &GRAPHENE_POINT_INIT (gtk_widget_get_width (button) / 2.0,
                                                                       gtk_widget_get_height (button) / 2.0),
                                                 &point));
        picked = gtk_widget_pick (root, point.x, point.y, GTK_PICK_DEFAULT);
        now = g_strdup_printf ("\"%s\" is under %s (%s)", gtk_widget_get_tooltip_text (button),
                               picked != NULL ? G_OBJECT_TYPE_NAME (picked) : "nothing",
                               picked != NULL ? gtk_widget_get_css_name (picked) : "-");
        if (g_strcmp0 (now, said) != 0)
          {
            g_test_message ("%s", now);
            g_free (said);
            said = g_steal_pointer (&now);
          }
        return FALSE;
      }

  return TRUE;
}

/* A toast slides in from below, across the controls, and then rests
 * above them: wait for it to rest (slowly, under sanitizers). */
static void
assert_controls_reachable (McCallWindow *window)
{
  mc_test_ui_wait_until (controls_reachable, window, "every control to be reachable");
}

/* Every control's tooltip appears when the pointer rests on it. */
static void
assert_tooltips (McCallWindow *window)
{
  GtkWidget *controls = mc_call_window_get_controls (window);

  for (GtkWidget *button = gtk_widget_get_first_child (controls); button != NULL;
       button = gtk_widget_get_next_sibling (button))
    {
      Tooltip tooltip = { GTK_WIDGET (window), gtk_widget_get_tooltip_text (button) };

      if (!GTK_IS_BUTTON (button) || !gtk_widget_get_visible (button))
        continue;
      g_assert_nonnull (tooltip.text);
      g_assert_true (gtk_widget_get_has_tooltip (button));
      g_assert_true (gtk_widget_get_can_target (button));
      g_assert_true (reachable (button));
      hover (button);
      mc_test_ui_wait_until (tooltip_shown, &tooltip, tooltip.text);
      /* Away, over the video, before the next one. */
      hover (GTK_WIDGET (window));
      mc_test_ui_spin (1000);
    }
}

/* In a call with video running (what redraws the window many times a
 * second), in a large window and a narrow one, muted, with a toast shown:
 * libadwaita shows toasts at the bottom, where they used to cover the
 * controls and take the pointer from them. (With the chat open in a
 * narrow window the chat covers the video and its controls, by design:
 * Ctrl+T or the chat's own close button bring them back.) */
static void
test_tooltips (void)
{
  Call     call = { 0 };
  Expected expected;

  call_start (&call);
  assert_tooltips (call.window);

  /* A toast: the controls stay reachable under it. */
  expected.window = call.window;
  expected.text = LOWERED_TOAST;
  mc_call_session_debug_limit_bandwidth (window_session (call.window), 300000);
  mc_test_ui_wait_until (toast_is, &expected, "a toast");
  mc_test_ui_spin (500);
  assert_controls_reachable (call.window);
  mc_test_ui_screenshot (GTK_WIDGET (call.window), "call-toast-above-controls");
  assert_tooltips (call.window);
  mc_call_session_debug_limit_bandwidth (window_session (call.window), 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call.window), "call.mute", NULL));
  gtk_window_set_default_size (GTK_WINDOW (call.window), 360, 640);
  mc_test_ui_spin (1000);
  assert_tooltips (call.window);

  call_stop (&call);
}

int
main (int   argc,
      char *argv[])
{
  mc_test_ui_init (&argc, &argv);
  gst_init (&argc, &argv);

  mc_test_ui_add_tolerant ("/client/call-window/network", test_network);
  mc_test_ui_add_tolerant ("/client/call-window/tooltips", test_tooltips);

  return g_test_run ();
}
