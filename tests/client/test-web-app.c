/* test-web-app.c — the desktop app and the web page in one call, under Xvfb
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's call window is the mentor, the server's web page in headless
 * Chromium is the student (its test mode: #test=USER:PASSWORD:BOOKING:CHAT
 * logs in, joins, sends CHAT once connected, mutes 3 s later and reports
 * what it sees on the console as "MC-REPORT {json}"). Video and audio both
 * ways (the app's decoded frames, the page's getStats), chat both ways, the
 * page's mute seen by the app. Run by meson in a network namespace of its
 * own with only lo (tests/web/in-netns.sh): Chromium's candidates stay on
 * loopback. Skipped without chromium.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "mc-call-window-private.h"
#include "mc-protocol.h"
#include "mc-test-server.h"
#include "mc-test-ui.h"

#define PAGE_CHAT "hello from the page"
#define APP_CHAT  "hello from the app"

typedef struct
{
  char       *log_path;
  JsonObject *report; /* the latest */
} Page;

/* Reads the page's latest report from Chromium's log. */
static void
page_update (Page *page)
{
  g_autofree char     *log = NULL;
  const char          *line;
  g_autofree char     *json = NULL;
  g_autoptr (JsonNode) node = NULL;
  char                *end;

  if (!g_file_get_contents (page->log_path, &log, NULL, NULL) ||
      (line = g_strrstr (log, "MC-REPORT ")) == NULL)
    return;

  /* [...:INFO:CONSOLE:…] "MC-REPORT {…}", source: http://… */
  line += strlen ("MC-REPORT ");
  end = strstr (line, "\", source: ");
  if (end == NULL)
    return;
  json = g_strndup (line, end - line);
  node = json_from_string (json, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&page->report, json_object_unref);
      page->report = json_object_ref (json_node_get_object (node));
    }
}

static gint64
page_inbound (Page       *page,
              const char *kind,
              const char *what)
{
  JsonObject *inbound, *stats;

  if (page->report == NULL ||
      (inbound = json_object_get_object_member (page->report, "inbound")) == NULL ||
      !json_object_has_member (inbound, kind) ||
      (stats = json_object_get_object_member (inbound, kind)) == NULL ||
      !json_object_has_member (stats, what))
    return 0;

  return json_object_get_int_member (stats, what);
}

static gboolean
page_got_media (gpointer data)
{
  Page *page = data;

  page_update (page);
  return page_inbound (page, "video", "frames") > 10 && page_inbound (page, "audio", "packets") > 10;
}

static gboolean
page_got_chat (gpointer data)
{
  Page      *page = data;
  JsonArray *received;

  page_update (page);
  if (page->report == NULL ||
      (received = json_object_get_array_member (page->report, "chatReceived")) == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (received); i++)
    {
      JsonNode *element = json_array_get_element (received, i);

      /* Entries are the texts, or objects with one. */
      if (JSON_NODE_HOLDS_VALUE (element) &&
          g_strcmp0 (json_node_get_string (element), APP_CHAT) == 0)
        return TRUE;
      if (JSON_NODE_HOLDS_OBJECT (element) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (element),
                                                                 "text", NULL),
                     APP_CHAT) == 0)
        return TRUE;
    }

  return FALSE;
}

static McCallSession *
window_session (McCallWindow *window)
{
  McCallController *controller = mc_call_window_get_controller (window);

  return controller != NULL ? mc_call_controller_get_session (controller) : NULL;
}

static gboolean
app_got_video (gpointer data)
{
  McCallSession *session = window_session (data);

  return session != NULL && mc_call_session_get_frames_decoded (session) > 10 &&
         g_strcmp0 (mc_call_window_get_connection_text (data), "Connected") == 0;
}

/* The page speaks (Chromium's fake microphone beeps) before it mutes. */
static gboolean
app_heard_page (gpointer data)
{
  return mc_call_window_get_peer_speaking (data);
}

static gboolean
app_got_chat (gpointer data)
{
  McChatPane *pane = mc_call_window_get_chat_pane (data);

  return mc_chat_pane_get_n_messages (pane) >= 1;
}

static gboolean
app_sees_mute (gpointer data)
{
  McCallSession *session = window_session (data);

  return session != NULL && mc_call_session_get_remote_muted (session);
}

static void
test_web_app (void)
{
  g_autofree char         *chromium = g_find_program_in_path ("chromium");
  g_autoptr (McTestServer) server = NULL;
  g_autoptr (GSettings)    settings = NULL;
  g_autoptr (McApiClient)  api = NULL;
  g_autoptr (JsonNode)     node = NULL;
  g_autoptr (GSubprocess)  browser = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *token = NULL;
  g_autofree char         *path = NULL;
  g_autofree char         *url = NULL;
  g_autofree char         *profile = NULL;
  GSubprocessLauncher     *launcher;
  const char              *addresses[] = { "127.0.0.1", NULL };
  Page                     page = { 0 };
  McCallWindow            *call_window;
  gint64                   booking_id;
  guint                    status;

  if (chromium == NULL)
    {
      g_test_skip ("chromium is not installed (apt install chromium)");
      return;
    }

  server = mc_test_server_start_new (NULL);
  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                                       "confirmed");

  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_string (settings, "server-url", mc_test_server_get_url (server));
  g_settings_set_boolean (settings, "test-sources", TRUE);
  g_settings_set_strv (settings, "ice-addresses", addresses);
  g_settings_set_boolean (settings, "join-muted", FALSE);
  g_settings_set_boolean (settings, "join-camera-off", FALSE);

  /* The app, as the mentor, is in the call first: it makes the offer. */
  token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT, booking_id);
  node = mc_test_request (server, "GET", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  api = mc_api_client_new (mc_test_server_get_url (server));
  mc_api_client_set_token (api, token);
  call_window = mc_call_window_new (NULL, api, mc_test_object (node));
  gtk_window_set_default_size (GTK_WINDOW (call_window), 960, 600);
  g_object_set (call_window, "chat-visible", TRUE, NULL);
  gtk_window_present (GTK_WINDOW (call_window));
  mc_call_window_start (call_window);

  /* The page, as the student. */
  page.log_path = g_build_filename (mc_test_server_get_dir (server), "chromium.log", NULL);
  profile = g_build_filename (mc_test_server_get_dir (server), "chromium-profile", NULL);
  url = g_strdup_printf ("%sapp/#test=%s:%s:%" G_GINT64_FORMAT ":%s", mc_test_server_get_url (server),
                         MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, booking_id,
                         "hello%20from%20the%20page");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, page.log_path);
  {
    g_autofree char *data_dir = g_strdup_printf ("--user-data-dir=%s", profile);

    browser = g_subprocess_launcher_spawn (
      launcher, &error, chromium, "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      data_dir, "--enable-logging=stderr", "--window-size=1100,700",
      "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
      url, NULL);
  }
  g_object_unref (launcher);
  g_assert_no_error (error);

  /* Media both ways. */
  mc_test_ui_wait_until (app_got_video, call_window, "the page's video in the app");
  mc_test_ui_wait_until (app_heard_page, call_window, "the page's audio in the app");
  mc_test_ui_wait_until (page_got_media, &page, "the app's video and audio on the page");

  /* Chat both ways. */
  mc_test_ui_wait_until (app_got_chat, call_window, "the page's chat in the app");
  mc_chat_pane_set_entry_text (mc_call_window_get_chat_pane (call_window), APP_CHAT);
  mc_chat_pane_send (mc_call_window_get_chat_pane (call_window));
  mc_test_ui_wait_until (page_got_chat, &page, "the app's chat on the page");

  /* The page mutes (3 s after its chat): the app is told. */
  mc_test_ui_wait_until (app_sees_mute, call_window, "the page's mute in the app");
  mc_test_ui_screenshot (GTK_WIDGET (call_window), "call-with-web-page");

  g_test_message ("page: frames %" G_GINT64_FORMAT ", audio packets %" G_GINT64_FORMAT,
                  page_inbound (&page, "video", "frames"),
                  page_inbound (&page, "audio", "packets"));

  g_subprocess_force_exit (browser);
  g_subprocess_wait (browser, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (call_window));
  mc_test_ui_spin (1000);
  g_clear_pointer (&page.report, json_object_unref);
  g_free (page.log_path);
  mc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  mc_test_ui_init (&argc, &argv);
  gst_init (&argc, &argv);

  mc_test_ui_add_tolerant ("/client/web-app/call", test_web_app);

  return g_test_run ();
}
