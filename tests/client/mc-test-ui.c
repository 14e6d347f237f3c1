/* mc-test-ui.c — waiting and screenshots for the app's widget tests
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <adwaita.h>

#include "mc-test-ui.h"

#define TIMEOUT_SECONDS 30

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
/* GTK loads icon themes and icons, and GStreamer posts its last messages,
 * on worker threads that can still be running when a test process exits:
 * LeakSanitizer then reports what they hold at that moment ("Running
 * thread … was not suspended. False leaks are possible"; CI's sanitized
 * runs saw it in one case after another). Every UI test process, each
 * case's subprocess included, lets them finish before it exits. */
static void
settle_at_exit (void)
{
  mc_test_ui_spin (1000);
}
#endif

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/**
 * mc_test_ui_init:
 * @argc: the test's argument count
 * @argv: the test's arguments
 *
 * Sets up GTK for tests and libadwaita, and loads the app's style sheet as
 * the application would, so that windows made without an application look
 * (and are pictured) as they do in the app.
 */
void
mc_test_ui_init (int    *argc,
                 char ***argv)
{
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_test_init (argc, argv, NULL);
  adw_init ();
#ifdef UNDER_ASAN
  atexit (settle_at_exit);
#endif

  gtk_css_provider_load_from_resource (provider, "/io/github/mentorcall/Mentorcall/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/**
 * mc_test_ui_wait_until:
 * @condition: what to wait for
 * @data: for @condition
 * @what: its description, for the failure message
 *
 * Iterates the main context until @condition holds; fails the test after
 * a generous timeout.
 */
void
mc_test_ui_wait_until (McTestCondition condition,
                       gpointer        data,
                       const char     *what)
{
  guint id = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, (gpointer) what);

  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
}

/**
 * mc_test_ui_spin:
 * @milliseconds: how long
 *
 * Lets the main context run for a while: for layout and transitions to
 * settle before a screenshot, and for disposal to finish.
 */
void
mc_test_ui_spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/**
 * mc_test_ui_screenshot:
 * @widget: a widget on screen
 * @name: the picture's name
 *
 * With MC_SCREENSHOT_DIR set, renders @widget as it is on screen, with its
 * own renderer, into DIR/NAME.png (the README's screenshots come from
 * here); otherwise does nothing.
 */
void
mc_test_ui_screenshot (GtkWidget  *widget,
                       const char *name)
{
  const char               *dir = g_getenv ("MC_SCREENSHOT_DIR");
  g_autoptr (GdkPaintable)  paintable = NULL;
  g_autoptr (GtkSnapshot)   snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture)    texture = NULL;
  g_autofree char          *path = NULL;
  int                       width = 0, height = 0;

  if (dir == NULL)
    return;

  mc_test_ui_spin (800);

  /* A window that was just resized may have nothing drawn yet on a busy
   * machine: ask again a bounded number of times. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      if (attempt > 0)
        mc_test_ui_spin (250);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}

struct _McTestPeer
{
  McApiClient       *api;
  McSignalingClient *client;
  gint64             booking_id;
  char              *call_token;
  gboolean           joined;
  gboolean           left;
  gboolean           ended;
};

static void
peer_left_cb (McSignalingClient *client,
              gint64             booking_id,
              McTestPeer        *peer)
{
  peer->left = TRUE;
}

static gboolean
peer_has_left (gpointer data)
{
  return ((McTestPeer *) data)->left;
}

static void
peer_joined_cb (McSignalingClient *client,
                gint64             booking_id,
                JsonObject        *message,
                McTestPeer        *peer)
{
  peer->joined = TRUE;
}

static void
peer_ended_cb (McSignalingClient *client,
               gint64             booking_id,
               gint64             by,
               JsonObject        *call,
               McTestPeer        *peer)
{
  peer->ended = TRUE;
}

static gboolean
peer_has_joined (gpointer data)
{
  return ((McTestPeer *) data)->joined;
}

static gboolean
peer_has_ended (gpointer data)
{
  return ((McTestPeer *) data)->ended;
}

/**
 * mc_test_peer_join:
 * @server: the test server
 * @username: the other participant
 * @password: their password
 * @booking_id: the lesson
 *
 * Logs in, takes a call token and joins the lesson's room; returns once
 * the server said so.
 *
 * Returns: (transfer full): the participant; free with mc_test_peer_free()
 */
McTestPeer *
mc_test_peer_join (McTestServer *server,
                   const char   *username,
                   const char   *password,
                   gint64        booking_id)
{
  McTestPeer          *peer = g_new0 (McTestPeer, 1);
  g_autofree char     *token = mc_test_login (server, username, password);
  g_autofree char     *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                               booking_id);
  g_autoptr (JsonNode) call_token = NULL;
  guint                status;

  call_token = mc_test_request (server, "POST", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  peer->api = mc_api_client_new (mc_test_server_get_url (server));
  mc_api_client_set_token (peer->api, token);
  peer->client = mc_signaling_client_new (peer->api);
  g_signal_connect (peer->client, "joined", G_CALLBACK (peer_joined_cb), peer);
  g_signal_connect (peer->client, "ended", G_CALLBACK (peer_ended_cb), peer);
  g_signal_connect (peer->client, "left", G_CALLBACK (peer_left_cb), peer);
  peer->booking_id = booking_id;
  peer->call_token = g_strdup (mc_test_get_string (mc_test_object (call_token), "token"));
  mc_signaling_client_join (peer->client, booking_id, peer->call_token);
  mc_test_ui_wait_until (peer_has_joined, peer, "the other participant to join");

  return peer;
}

/**
 * mc_test_peer_leave:
 * @peer: a participant in the room
 *
 * Leaves the room the way closing a call window does (the lesson goes on);
 * returns once the server said so.
 */
void
mc_test_peer_leave (McTestPeer *peer)
{
  peer->left = FALSE;
  g_assert_true (mc_signaling_client_leave (peer->client));
  mc_test_ui_wait_until (peer_has_left, peer, "the other participant to leave");
}

/**
 * mc_test_peer_rejoin:
 * @peer: a participant that left
 *
 * Comes back into the room; returns once the server said so.
 */
void
mc_test_peer_rejoin (McTestPeer *peer)
{
  peer->joined = FALSE;
  mc_signaling_client_join (peer->client, peer->booking_id, peer->call_token);
  mc_test_ui_wait_until (peer_has_joined, peer, "the other participant to rejoin");
}

gboolean
mc_test_peer_get_ended (McTestPeer *peer)
{
  return peer->ended;
}

/**
 * mc_test_peer_end:
 * @peer: a participant in the room
 *
 * Ends the session for both; returns once the server said so.
 */
void
mc_test_peer_end (McTestPeer *peer)
{
  mc_signaling_client_end (peer->client);
  mc_test_ui_wait_until (peer_has_ended, peer, "the end of the session");
}

void
mc_test_peer_free (McTestPeer *peer)
{
  if (peer == NULL)
    return;

  g_signal_handlers_disconnect_by_data (peer->client, peer);
  mc_signaling_client_disconnect (peer->client);
  g_clear_object (&peer->client);
  g_clear_object (&peer->api);
  g_free (peer->call_token);
  g_free (peer);
}

/* Under AddressSanitizer's timing GStreamer 1.22 sometimes trips GLib's
 * check against a hash table changed during g_hash_table_foreach () on one
 * of its own threads, as in test-call-session (not in our code, which never
 * calls g_hash_table_foreach ()). That one message is let through. */
static gboolean
fatal_log_cb (const char    *log_domain,
              GLogLevelFlags log_level,
              const char    *message,
              gpointer       user_data)
{
  return !(g_strcmp0 (log_domain, "GLib") == 0 && message != NULL &&
           strstr (message, "g_hash_table_foreach: assertion 'version == hash_table->version'"));
}

/* g_test_log_set_fatal_handler () is reset at the start of every test case,
 * so each case sets it again through this wrapper (setting it once in main ()
 * did nothing). */
static void
run_tolerant (gconstpointer data)
{
  mc_test_ui_tolerate_gstreamer_criticals ();
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
  ((McTestFunc) data) ();
}

/* The default handler would print even a tolerated critical as TAP's "Bail
 * out!", which fails the test all the same: the known one is only noted. */
static void
glib_log_cb (const char    *log_domain,
             GLogLevelFlags log_level,
             const char    *message,
             gpointer       user_data)
{
  if (!fatal_log_cb (log_domain, log_level, message, NULL))
    g_test_message ("tolerated: %s-CRITICAL: %s", log_domain, message);
  else
    g_log_default_handler (log_domain, log_level, message, NULL);
}

/**
 * mc_test_ui_run_tolerant:
 * @func: a test case
 *
 * Runs @func now as mc_test_ui_add_tolerant () would (for a case that runs
 * itself in a subprocess).
 */
void
mc_test_ui_run_tolerant (McTestFunc func)
{
  run_tolerant ((gconstpointer) func);
}

/**
 * mc_test_ui_add_tolerant:
 * @path: the test case's path
 * @func: the test case
 *
 * Adds a test case (with real calls) that tolerates the one known critical
 * of GStreamer 1.22 described above. The case notes it as a TAP comment
 * (mc_test_ui_tolerate_gstreamer_criticals ()) from then on, also after it
 * returned: the critical comes from GStreamer's threads, which may still be
 * winding down (test-call-window-live once printed it as "Bail out!" after
 * both its cases had passed, for want of that call in its main ()).
 */
void
mc_test_ui_add_tolerant (const char *path,
                         McTestFunc  func)
{
  g_test_add_data_func (path, (gconstpointer) func, run_tolerant);
}

/**
 * mc_test_ui_tolerate_gstreamer_criticals:
 *
 * Notes that known critical as a TAP comment instead of "Bail out!"
 * (once per process; the tolerant cases call it themselves).
 */
void
mc_test_ui_tolerate_gstreamer_criticals (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      g_log_set_handler ("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL, glib_log_cb, NULL);
      g_once_init_leave (&installed, 1);
    }
}
