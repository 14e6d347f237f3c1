/* test-window.c — the main window against a real server, under Xvfb
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Logs in with a wrong password, against a server that is not there, and
 * for real; checks the lessons list and its Join buttons over the join
 * window; makes the other participant join and leave a call to bring the
 * rejoin banner up and take it down. With MC_SCREENSHOT_DIR set, saves a
 * picture of each state (the README's screenshots come from here).
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "mc-booking-row-private.h"
#include "mc-protocol.h"
#include "mc-signaling-client.h"
#include "mc-test-server.h"
#include "mc-preferences-window-private.h"
#include "mc-summary-window-private.h"
#include "mc-test-ui.h"
#include "mc-window-private.h"

typedef struct
{
  McTestServer *server;
  gint64        now_booking;
  gint64        later_booking;
  gint64        cancelled_booking;
  McWindow     *window;
  GSettings    *settings;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, NULL, NULL);
  fixture->now_booking = mc_test_create_booking (fixture->server, MC_TEST_MENTOR,
                                                 MC_TEST_STUDENT, -300, 3300, "confirmed");
  fixture->later_booking = mc_test_create_booking (fixture->server, MC_TEST_MENTOR,
                                                   MC_TEST_STUDENT, 7200, 10800, "confirmed");
  fixture->cancelled_booking = mc_test_create_booking (fixture->server, MC_TEST_MENTOR,
                                                       MC_TEST_STUDENT, 3600, 7200, "pending");
  {
    g_autofree char     *path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                                 fixture->cancelled_booking);
    g_autoptr (JsonNode) answer = NULL;
    guint                status;

    answer = mc_test_admin (fixture->server, "PATCH", path, "{\"status\":\"cancelled\"}",
                            &status);
    g_assert_cmpuint (status, ==, 200);
  }

  fixture->settings = g_settings_new (APPLICATION_ID);
  g_settings_set_string (fixture->settings, "server-url", mc_test_server_get_url (fixture->server));
  g_settings_set_string (fixture->settings, "username", "");

  fixture->window = mc_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 720, 600);
  gtk_window_present (GTK_WINDOW (fixture->window));
  mc_window_start (fixture->window);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  gpointer window = fixture->window;

  g_object_add_weak_pointer (G_OBJECT (window), &window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  mc_test_ui_spin (200);

  /* Widget tests check that the window really went away. */
  g_assert_null (window);

  g_clear_object (&fixture->settings);
  mc_test_server_stop (fixture->server);
  mc_test_server_free (fixture->server);
}

static gboolean
login_done (gpointer data)
{
  McWindow *window = data;

  return !mc_login_page_get_busy (mc_window_get_login_page (window));
}

static gboolean
on_bookings_with_rows (gpointer data)
{
  McWindow *window = data;

  return g_strcmp0 (mc_window_get_page (window), "bookings") == 0 &&
         mc_bookings_page_get_n_rows (mc_window_get_bookings_page (window)) > 0;
}

static void
log_in (Fixture    *fixture,
        const char *username,
        const char *password)
{
  McLoginPage *page = mc_window_get_login_page (fixture->window);

  mc_login_page_set_username (page, username);
  mc_login_page_set_password (page, password);
  mc_login_page_submit (page);
  g_assert_true (mc_login_page_get_busy (page));
  mc_test_ui_wait_until (login_done, fixture->window, "the login to finish");
}

static void
test_login_errors (Fixture      *fixture,
                   gconstpointer data)
{
  McLoginPage *page = mc_window_get_login_page (fixture->window);

  g_assert_cmpstr (mc_window_get_page (fixture->window), ==, "login");

  log_in (fixture, MC_TEST_MENTOR, "not the password");
  g_assert_cmpstr (mc_window_get_page (fixture->window), ==, "login");
  g_assert_nonnull (mc_login_page_get_error (page));
  g_assert_nonnull (strstr (mc_login_page_get_error (page), "password is wrong"));
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "login-error");

  /* Nobody listens on port 1. */
  mc_login_page_set_server (page, "http://127.0.0.1:1/");
  log_in (fixture, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  g_assert_cmpstr (mc_window_get_page (fixture->window), ==, "login");
  g_assert_nonnull (strstr (mc_login_page_get_error (page), "cannot be reached"));
}

static gboolean
window_narrow (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) <= 380;
}

static gboolean
window_wide (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) >= 1880;
}

static void
test_bookings (Fixture      *fixture,
               gconstpointer data)
{
  McBookingsPage *page = mc_window_get_bookings_page (fixture->window);
  McBookingRow   *now_row, *later_row, *cancelled_row;

  log_in (fixture, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mc_test_ui_wait_until (on_bookings_with_rows, fixture->window, "the lessons");
  g_assert_null (mc_login_page_get_error (mc_window_get_login_page (fixture->window)));
  g_assert_cmpuint (mc_bookings_page_get_n_rows (page), ==, 3);

  now_row = MC_BOOKING_ROW (mc_bookings_page_find_row (page, fixture->now_booking));
  later_row = MC_BOOKING_ROW (mc_bookings_page_find_row (page, fixture->later_booking));
  cancelled_row = MC_BOOKING_ROW (mc_bookings_page_find_row (page, fixture->cancelled_booking));

  /* Join only inside the join window, and only for confirmed lessons. */
  g_assert_true (mc_booking_row_get_can_join (now_row));
  g_assert_nonnull (strstr (mc_booking_row_get_countdown (now_row), "left"));
  g_assert_false (mc_booking_row_get_can_join (later_row));
  g_assert_nonnull (strstr (mc_booking_row_get_countdown (later_row), "Starts in 2 h"));
  g_assert_false (mc_booking_row_get_can_join (cancelled_row));
  g_assert_cmpstr (mc_booking_row_get_countdown (cancelled_row), ==, "Cancelled");

  /* The same rows, seen from a clock 100 minutes later: the second lesson
   * is then 15 minutes away, and its window open. */
  mc_booking_row_update (later_row, mc_bookings_page_get_now (page) + 6300);
  g_assert_true (mc_booking_row_get_can_join (later_row));
  mc_booking_row_update (later_row, mc_bookings_page_get_now (page) + 6300 - 120);
  g_assert_false (mc_booking_row_get_can_join (later_row));
  mc_booking_row_update (later_row, mc_bookings_page_get_now (page));

  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings");

  /* 360 pixels wide: the time wraps rather than being cut. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 640);
  mc_test_ui_wait_until (window_narrow, fixture->window, "the narrow window");
  mc_test_ui_spin (300);
  g_assert_false (mc_booking_row_get_time_cut (now_row));
  g_assert_false (mc_booking_row_get_time_cut (later_row));
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings-360x640");

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1920, 1080);
  mc_test_ui_wait_until (window_wide, fixture->window, "the wide window");
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings-1920x1080");
}

typedef struct
{
  Fixture *fixture;
  gint64   booking_id;
} RowWait;

static gboolean
row_offers_summary (gpointer data)
{
  RowWait   *wait = data;
  GtkWidget *row = mc_bookings_page_find_row (mc_window_get_bookings_page (wait->fixture->window),
                                              wait->booking_id);

  return row != NULL && mc_booking_row_get_can_show_summary (MC_BOOKING_ROW (row));
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

static gboolean
banner_says_join (gpointer data)
{
  return g_strcmp0 (mc_window_get_banner_button_label (data), "_Join") == 0;
}

static gboolean
banner_says_rejoin (gpointer data)
{
  return g_strcmp0 (mc_window_get_banner_button_label (data), "_Rejoin") == 0;
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

static void
test_rejoin_banner (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (McTestPeer) mentor = NULL;

  log_in (fixture, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mc_test_ui_wait_until (on_bookings_with_rows, fixture->window, "the lessons");
  g_assert_false (mc_window_get_banner_visible (fixture->window));

  /* The mentor starts the lesson; the student's window hears it and offers
   * to join — a call of the student's that runs without the student. */
  mentor = mc_test_peer_join (fixture->server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD,
                              fixture->now_booking);

  mc_test_ui_wait_until (banner_shown, fixture->window, "the rejoin banner");
  g_assert_nonnull (strstr (mc_window_get_banner_text (fixture->window), "is running"));

  /* The student has not been in this call: Join, not Rejoin. */
  mc_test_ui_wait_until (banner_says_join, fixture->window, "the banner to say Join");
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "join-banner");

  /* While the student's call window is open, the row says so and offers
   * to show it. */
  {
    McBookingRow *row = MC_BOOKING_ROW (
      mc_bookings_page_find_row (mc_window_get_bookings_page (fixture->window),
                                 fixture->now_booking));

    mc_window_set_in_call (fixture->window, fixture->now_booking, TRUE);
    g_assert_cmpstr (mc_booking_row_get_join_label (row), ==, "_Show Call");
    g_assert_true (mc_booking_row_get_can_join (row));
    g_assert_cmpstr (mc_booking_row_get_countdown (row), ==,
                     "You are in the call with maria Tester");
    g_assert_false (mc_window_get_banner_visible (fixture->window));
    mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings-in-call");

    /* Joined from elsewhere (the same account, signaling only) and left:
     * now it is Rejoin. */
    {
      g_autoptr (McTestPeer) student = mc_test_peer_join (fixture->server, MC_TEST_STUDENT,
                                                          MC_TEST_STUDENT_PASSWORD,
                                                          fixture->now_booking);

      mc_test_peer_leave (student);
    }
    mc_window_set_in_call (fixture->window, fixture->now_booking, FALSE);
    g_assert_cmpstr (mc_booking_row_get_join_label (row), ==, "_Join");
    g_assert_cmpstr (mc_booking_row_get_countdown (row), ==, "In progress — maria Tester is waiting");
  }
  mc_test_ui_wait_until (banner_shown, fixture->window, "the rejoin banner");
  mc_test_ui_wait_until (banner_says_rejoin, fixture->window, "the banner to say Rejoin");
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "rejoin-banner");

  /* Ending the session takes it away. */
  mc_test_peer_end (mentor);
  mc_test_ui_wait_until (banner_hidden, fixture->window, "the banner to go");

  /* The ended lesson's row offers its summary, instead of Join. */
  {
    RowWait       wait = { fixture, fixture->now_booking };
    McBookingRow *row;
    const char   *text;

    mc_test_ui_wait_until (row_offers_summary, &wait, "the row to offer the summary");
    row = MC_BOOKING_ROW (mc_bookings_page_find_row (mc_window_get_bookings_page (fixture->window),
                                                     fixture->now_booking));
    g_assert_false (mc_booking_row_get_can_join (row));
    mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings-ended");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.summary", NULL));
    mc_test_ui_wait_until (summary_loaded, NULL, "the summary");
    g_assert_cmpstr (mc_summary_window_get_notice (find_summary ()), ==,
                     "Lesson with maria Tester");
    text = mc_summary_window_get_text (find_summary ());
    g_assert_nonnull (strstr (text, "  maria Tester (Mentor): "));
    g_assert_nonnull (strstr (text, "  sam Tester (Student): "));
    g_assert_nonnull (strstr (text, "Nobody wrote in the chat."));
    gtk_window_destroy (GTK_WINDOW (find_summary ()));
  }
}

/* A lesson five minutes away gets a reminder, once; a lesson that runs or
 * is hours away does not. */
static void
test_reminder (Fixture      *fixture,
               gconstpointer data)
{
  gint64 soon = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT, 240,
                                        3840, "confirmed");

  log_in (fixture, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mc_test_ui_wait_until (on_bookings_with_rows, fixture->window, "the lessons");

  g_assert_true (mc_window_get_reminded (fixture->window, soon));
  g_assert_false (mc_window_get_reminded (fixture->window, fixture->now_booking));
  g_assert_false (mc_window_get_reminded (fixture->window, fixture->later_booking));
  g_assert_false (mc_window_get_reminded (fixture->window, fixture->cancelled_booking));
}

static gboolean
bookings_state_is (gpointer data)
{
  const char **expected = data;
  McWindow    *window = (McWindow *) expected[1];

  return g_strcmp0 (mc_window_get_page (window), "bookings") == 0 &&
         g_strcmp0 (mc_bookings_page_get_state (mc_window_get_bookings_page (window)),
                    expected[0]) == 0;
}

static void
wait_for_state (Fixture    *fixture,
                const char *state)
{
  const char *expected[2] = { state, (const char *) fixture->window };

  mc_test_ui_wait_until (bookings_state_is, expected, state);
}

/* A user without lessons sees the empty state; a server that goes away
 * gives the offline state, and the list comes back with the server. */
static void
test_empty_and_offline (Fixture      *fixture,
                        gconstpointer data)
{
  McBookingsPage *page = mc_window_get_bookings_page (fixture->window);

  mc_test_create_user (fixture->server, "giri", "student", "giri-pass-123");
  log_in (fixture, "giri", "giri-pass-123");
  wait_for_state (fixture, "empty");
  g_assert_cmpuint (mc_bookings_page_get_n_rows (page), ==, 0);
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings-empty");

  mc_test_server_keep_port (fixture->server);
  mc_test_server_stop (fixture->server);
  mc_window_refresh (fixture->window);
  wait_for_state (fixture, "offline");
  mc_test_ui_screenshot (GTK_WIDGET (fixture->window), "bookings-offline");

  /* Back: the same login (the session survives the restart). */
  mc_test_server_start (fixture->server);
  mc_window_refresh (fixture->window);
  wait_for_state (fixture, "empty");
}

/* The shortcuts window, as Ctrl+? shows it in the main window and in a call. */
static void
test_shortcuts (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/mentorcall/Mentorcall/gtk/help-overlay.ui");
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  gboolean   in_a_lesson = FALSE;

  g_assert_nonnull (shortcuts);

  /* Every group has a title; the call's is there. */
  {
    GSList *objects = gtk_builder_get_objects (builder);

    for (GSList *l = objects; l != NULL; l = l->next)
      if (GTK_IS_SHORTCUTS_GROUP (l->data))
        {
          g_autofree char *title = NULL;

          g_object_get (l->data, "title", &title, NULL);
          g_assert_nonnull (title);
          in_a_lesson |= g_strcmp0 (title, "In a Lesson") == 0;
        }
    g_slist_free (objects);
  }
  g_assert_true (in_a_lesson);

  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (fixture->window));
  gtk_window_present (shortcuts);
  mc_test_ui_spin (300);
  mc_test_ui_screenshot (GTK_WIDGET (shortcuts), "shortcuts");
  gtk_window_destroy (shortcuts);
}

static McPreferencesWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (MC_IS_PREFERENCES_WINDOW (window))
        return MC_PREFERENCES_WINDOW (window);
    }

  return NULL;
}

/* The settings that only GSettings held have a window, bound both ways. */
static void
test_preferences (Fixture      *fixture,
                  gconstpointer data)
{
  static const char * const keys[] = { "join-muted", "join-camera-off", "test-sources" };
  McPreferencesWindow      *preferences;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.preferences",
                                             NULL));
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) ==
                 GTK_WINDOW (fixture->window));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkSwitch *toggle = mc_preferences_window_get_switch (preferences, keys[i]);

      g_settings_set_boolean (fixture->settings, keys[i], FALSE);
      g_assert_false (gtk_switch_get_active (toggle));
      gtk_switch_set_active (toggle, TRUE);
      g_assert_true (g_settings_get_boolean (fixture->settings, keys[i]));
      g_settings_set_boolean (fixture->settings, keys[i], FALSE);
      g_assert_false (gtk_switch_get_active (toggle));
    }

  /* The screen the portal shared last is kept: Forget makes the next
   * lesson ask again, and has nothing to forget after. */
  {
    GtkWidget       *forget = mc_preferences_window_get_forget_screen_cast_button (preferences);
    g_autofree char *token = NULL;

    g_settings_reset (fixture->settings, "screen-cast-restore-token");
    g_assert_false (gtk_widget_get_sensitive (forget));
    g_settings_set_string (fixture->settings, "screen-cast-restore-token", "a-token");
    g_assert_true (gtk_widget_get_sensitive (forget));
    mc_test_ui_screenshot (GTK_WIDGET (preferences), "preferences");
    g_signal_emit_by_name (forget, "clicked");
    token = g_settings_get_string (fixture->settings, "screen-cast-restore-token");
    g_assert_cmpstr (token, ==, "");
    g_assert_false (gtk_widget_get_sensitive (forget));
  }

  gtk_window_destroy (GTK_WINDOW (preferences));
}

int
main (int   argc,
      char *argv[])
{
  mc_test_ui_init (&argc, &argv);

  g_test_add ("/client/window/shortcuts", Fixture, NULL, fixture_set_up, test_shortcuts,
              fixture_tear_down);
  g_test_add ("/client/window/preferences", Fixture, NULL, fixture_set_up, test_preferences,
              fixture_tear_down);
  g_test_add ("/client/window/reminder", Fixture, NULL, fixture_set_up, test_reminder,
              fixture_tear_down);
  g_test_add ("/client/window/empty-and-offline", Fixture, NULL, fixture_set_up,
              test_empty_and_offline, fixture_tear_down);
  g_test_add ("/client/window/login-errors", Fixture, NULL, fixture_set_up, test_login_errors,
              fixture_tear_down);
  g_test_add ("/client/window/bookings", Fixture, NULL, fixture_set_up, test_bookings,
              fixture_tear_down);
  g_test_add ("/client/window/rejoin-banner", Fixture, NULL, fixture_set_up,
              test_rejoin_banner, fixture_tear_down);

  return g_test_run ();
}
