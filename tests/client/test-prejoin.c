/* test-prejoin.c — the pre-join window, under Xvfb
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The student's lesson, as the real server lists it, in the pre-join window:
 * the camera preview shows frames and the microphone meter moves (test
 * sources), "camera off" and "join muted" stop them and are saved, the
 * other participant's presence is told, a machine without devices says so
 * and still lets the user join, and Join Now releases the devices before
 * ::join. With MC_SCREENSHOT_DIR set, saves a picture.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "mc-prejoin-window-private.h"
#include "mc-protocol.h"
#include "mc-signaling-client.h"
#include "mc-test-server.h"
#include "mc-test-ui.h"
#include "mc-video-paintable.h"

typedef struct
{
  McTestServer *server;
  gint64        booking_id;
  char         *student_token;
  GSettings    *settings;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, NULL, NULL);
  fixture->booking_id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                -300, 3300, "confirmed");
  fixture->student_token = mc_test_login (fixture->server, MC_TEST_STUDENT,
                                          MC_TEST_STUDENT_PASSWORD);

  fixture->settings = g_settings_new (APPLICATION_ID);
  g_settings_set_boolean (fixture->settings, "test-sources", TRUE);
  g_settings_set_boolean (fixture->settings, "join-muted", FALSE);
  g_settings_set_boolean (fixture->settings, "join-camera-off", FALSE);
  g_settings_set_string (fixture->settings, "video-device", "");
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->student_token, g_free);
  mc_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, mc_test_server_free);
}

/* The lesson as the student's bookings list has it, from the server. */
static JsonObject *
fetch_booking (Fixture *fixture)
{
  g_autoptr (JsonNode) answer = NULL;
  JsonArray           *bookings;
  guint                status;

  answer = mc_test_request (fixture->server, "GET", "/api/v1/bookings", fixture->student_token,
                            NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  bookings = json_object_get_array_member (mc_test_object (answer), "bookings");
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (json_object_get_int_member (booking, "id") == fixture->booking_id)
        return json_object_ref (booking);
    }

  g_assert_not_reached ();
}

static gboolean
preview_has_image (gpointer data)
{
  McVideoPaintable *paintable = MC_VIDEO_PAINTABLE (mc_prejoin_window_get_paintable (data));

  return mc_video_paintable_get_frames_shown (paintable) > 5;
}

static gboolean
meter_moves (gpointer data)
{
  return mc_prejoin_window_get_level (data) > 0.3;
}

static gboolean
weak_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static char *
row_text (McPrejoinWindow *window,
          McDeviceRole     role)
{
  AdwComboRow   *row = mc_prejoin_window_get_device_row (window, role);
  GtkStringList *model = GTK_STRING_LIST (adw_combo_row_get_model (row));

  return g_strdup (gtk_string_list_get_string (model, adw_combo_row_get_selected (row)));
}

static void
joined_cb (McPrejoinWindow *window,
           gboolean        *joined)
{
  McMediaPreview *preview = mc_prejoin_window_get_preview (window);

  /* The call opens the devices next: the preview has let them go. */
  g_assert_false (mc_media_preview_get_video_running (preview));
  g_assert_false (mc_media_preview_get_audio_running (preview));
  *joined = TRUE;
}

typedef struct
{
  McPrejoinWindow *window;
  int              width;
  gboolean         narrow;
} Layout;

static gboolean
layout_is (gpointer data)
{
  Layout *layout = data;

  /* The window's widget is a little narrower than its default size: the
   * client-side decorations' margins. */
  return ABS (gtk_widget_get_width (GTK_WIDGET (layout->window)) - layout->width) <= 20 &&
         mc_prejoin_window_get_narrow (layout->window) == layout->narrow;
}

/* At @width × @height everything is inside the window, Join Now too. */
static void
assert_layout (McPrejoinWindow *window,
               int              width,
               int              height,
               gboolean         narrow,
               const char      *screenshot)
{
  Layout          layout = { window, width, narrow };
  graphene_rect_t join;

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  mc_test_ui_wait_until (layout_is, &layout, "the window's layout");
  mc_test_ui_spin (300);
  g_assert_true (gtk_widget_compute_bounds (mc_prejoin_window_get_join_button (window),
                                            GTK_WIDGET (window), &join));
  g_test_message ("%dx%d: Join Now at %.0f,%.0f, %.0f wide", width, height, join.origin.x,
                  join.origin.y, join.size.width);
  g_assert_cmpfloat (join.origin.x, >=, 0);
  g_assert_cmpfloat (join.origin.x + join.size.width, <=,
                     gtk_widget_get_width (GTK_WIDGET (window)));
  mc_test_ui_screenshot (GTK_WIDGET (window), screenshot);
}

static void
test_preview (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr (JsonObject) booking = fetch_booking (fixture);
  McPrejoinWindow       *window = mc_prejoin_window_new (NULL, booking);
  McMediaPreview        *preview = mc_prejoin_window_get_preview (window);
  gpointer               window_pointer = window;
  gpointer               paintable_pointer;
  gboolean               joined = FALSE;
  g_autofree char       *camera = NULL;
  g_autofree char       *speaker = NULL;

  g_object_add_weak_pointer (G_OBJECT (window), &window_pointer);
  gtk_window_present (GTK_WINDOW (window));

  /* The test pattern reaches the preview and the tone moves the meter. */
  mc_test_ui_wait_until (preview_has_image, window, "the camera preview");
  mc_test_ui_wait_until (meter_moves, window, "the microphone meter");
  g_assert_null (mc_prejoin_window_get_preview_text (window));
  g_assert_nonnull (strstr (mc_prejoin_window_get_peer_text (window), "has not joined yet"));

  camera = row_text (window, MC_DEVICE_ROLE_CAMERA);
  g_assert_cmpstr (camera, ==, "Test pattern");
  speaker = row_text (window, MC_DEVICE_ROLE_SPEAKER);
  g_assert_cmpstr (speaker, ==, "Default");
  mc_test_ui_screenshot (GTK_WIDGET (window), "prejoin");

  /* Narrow, the preview goes above the settings; wide, beside them. */
  assert_layout (window, 360, 640, TRUE, "prejoin-360x640");
  assert_layout (window, 1920, 1080, FALSE, "prejoin-1920x1080");

  /* Camera off: the preview stops and says so; the choice is saved. */
  g_settings_set_boolean (fixture->settings, "join-camera-off", TRUE);
  g_assert_false (mc_media_preview_get_video_running (preview));
  g_assert_nonnull (strstr (mc_prejoin_window_get_preview_text (window), "camera is off"));
  g_assert_false (mc_video_paintable_get_has_image (MC_VIDEO_PAINTABLE (mc_prejoin_window_get_paintable (window))));
  g_settings_set_boolean (fixture->settings, "join-camera-off", FALSE);
  g_assert_true (mc_media_preview_get_video_running (preview));
  g_assert_null (mc_prejoin_window_get_preview_text (window));

  /* Join muted: the microphone is not even metered. */
  g_settings_set_boolean (fixture->settings, "join-muted", TRUE);
  g_assert_false (mc_media_preview_get_audio_running (preview));
  g_assert_cmpfloat (mc_prejoin_window_get_level (window), ==, 0.0);
  g_settings_set_boolean (fixture->settings, "join-muted", FALSE);
  g_assert_true (mc_media_preview_get_audio_running (preview));

  /* Join Now: devices released, ::join, the window goes — and with it the
   * preview's sinks, which hold the paintable. */
  paintable_pointer = mc_prejoin_window_get_paintable (window);
  g_object_add_weak_pointer (G_OBJECT (paintable_pointer), &paintable_pointer);
  g_signal_connect (window, "join", G_CALLBACK (joined_cb), &joined);
  mc_prejoin_window_join (window);
  g_assert_true (joined);
  mc_test_ui_wait_until (weak_cleared, &window_pointer, "the window to go");
  mc_test_ui_wait_until (weak_cleared, &paintable_pointer, "the preview's paintable to go");
}

/* The mentor in the call: the window says they are waiting. */
static void
test_peer_waiting (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (JsonObject) booking = fetch_booking (fixture);
  g_autoptr (JsonObject) later = NULL;
  g_autoptr (McTestPeer) mentor = NULL;
  McPrejoinWindow       *window;

  window = mc_prejoin_window_new (NULL, booking);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_nonnull (strstr (mc_prejoin_window_get_peer_text (window), "has not joined yet"));

  mentor = mc_test_peer_join (fixture->server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD,
                              fixture->booking_id);
  later = fetch_booking (fixture);
  mc_prejoin_window_set_booking (window, later);
  g_assert_nonnull (strstr (mc_prejoin_window_get_peer_text (window), "waiting for you"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Real devices on a machine that has none (CI, a container): the window
 * says so, the rows cannot be opened, and Join Now still works. */
static void
test_no_devices (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr (JsonObject)     booking = fetch_booking (fixture);
  g_autoptr (McMediaDevices) devices = NULL;
  g_autoptr (GPtrArray)      cameras = NULL;
  McPrejoinWindow           *window;
  gboolean                   joined = FALSE;

  g_settings_set_boolean (fixture->settings, "test-sources", FALSE);
  devices = mc_media_devices_new ();
  cameras = mc_media_devices_list (devices, MC_DEVICE_ROLE_CAMERA);
  if (cameras->len > 0)
    {
      g_test_skip ("This machine has a camera");
      return;
    }

  window = mc_prejoin_window_new (NULL, booking);
  gtk_window_present (GTK_WINDOW (window));
  mc_test_ui_spin (200);

  {
    g_autofree char *camera = row_text (window, MC_DEVICE_ROLE_CAMERA);

    g_assert_cmpstr (camera, ==, "No camera found");
  }
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (mc_prejoin_window_get_device_row (window, MC_DEVICE_ROLE_CAMERA))));
  g_assert_false (mc_media_preview_get_video_running (mc_prejoin_window_get_preview (window)));
  g_assert_nonnull (strstr (mc_prejoin_window_get_preview_text (window), "No camera was found"));
  g_assert_nonnull (strstr (mc_prejoin_window_get_preview_text (window), "test pattern"));
  mc_test_ui_screenshot (GTK_WIDGET (window), "prejoin-no-camera");

  g_signal_connect (window, "join", G_CALLBACK (joined_cb), &joined);
  mc_prejoin_window_join (window);
  g_assert_true (joined);
}

int
main (int   argc,
      char *argv[])
{
  mc_test_ui_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add ("/client/prejoin/preview", Fixture, NULL, fixture_set_up, test_preview,
              fixture_tear_down);
  g_test_add ("/client/prejoin/peer-waiting", Fixture, NULL, fixture_set_up, test_peer_waiting,
              fixture_tear_down);
  g_test_add ("/client/prejoin/no-devices", Fixture, NULL, fixture_set_up, test_no_devices,
              fixture_tear_down);

  return g_test_run ();
}
