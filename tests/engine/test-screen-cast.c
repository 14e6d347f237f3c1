/* test-screen-cast.c — McScreenCast against a mock desktop portal
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private session bus (GTestDBus) with tests/engine/mock-portal.py on it,
 * which owns org.freedesktop.portal.Desktop and answers ScreenCast the way
 * xdg-desktop-portal does (requests answered with Response signals). The
 * engine's real McScreenCast, through the real libportal, asks for a
 * screen: the grant (node, size, a PipeWire fd, the restore token), the
 * desktop closing the session, a second start with the restore token, and
 * the user cancelling the dialog.
 */

#include "config.h"

#include <gst/gst.h>

#include "mc-screen-cast.h"
#include "mc-test-portal.h"

#define TIMEOUT_S 10

typedef struct
{
  GAsyncResult *result;
  gboolean      closed;
} Wait;

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out");
  return G_SOURCE_REMOVE;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static void
closed_cb (McScreenCast *cast,
           Wait         *wait)
{
  wait->closed = TRUE;
}

static void
iterate_until (gboolean *flag)
{
  guint id = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
wait_result (Wait *wait)
{
  guint id = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, NULL);

  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static gboolean
start (McScreenCast *cast,
       const char   *token,
       GError      **error)
{
  Wait     wait = { 0 };
  gboolean ok;

  mc_screen_cast_start_async (cast, NULL, token, NULL, done_cb, &wait);
  wait_result (&wait);
  ok = mc_screen_cast_start_finish (cast, wait.result, error);
  g_object_unref (wait.result);
  return ok;
}

static void
test_flow (void)
{
  g_autoptr (McScreenCast) cast = mc_screen_cast_new ();
  g_autoptr (GError)       error = NULL;
  g_autoptr (GVariant)     options = NULL;
  Wait                     wait = { 0 };
  guint                    width, height;
  guint32                  value;
  const char              *token;

  /* The portal is there (and pipewiresrc is installed). */
  mc_screen_cast_check_async (NULL, done_cb, &wait);
  wait_result (&wait);
  g_assert_true (mc_screen_cast_check_finish (wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  /* Granted: the stream, a PipeWire remote, and a restore token. */
  g_signal_connect (cast, "closed", G_CALLBACK (closed_cb), &wait);
  g_assert_true (start (cast, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (mc_screen_cast_get_active (cast));
  g_assert_cmpint (mc_screen_cast_get_fd (cast), >=, 0);
  g_assert_cmpuint (mc_screen_cast_get_node_id (cast), ==, 42);
  mc_screen_cast_get_size (cast, &width, &height);
  g_assert_cmpuint (width, ==, 1280);
  g_assert_cmpuint (height, ==, 720);
  g_assert_cmpstr (mc_screen_cast_get_restore_token (cast), ==, "token-1");

  /* What was asked: monitors and windows, the cursor in the picture,
   * persistent, and no token the first time. */
  options = mc_test_portal_control ("LastOptions", NULL, "(a{sv})");
  {
    g_autoptr (GVariant) dict = g_variant_get_child_value (options, 0);

    g_assert_true (g_variant_lookup (dict, "types", "u", &value));
    g_assert_cmpuint (value, ==, 3);
    g_assert_true (g_variant_lookup (dict, "cursor_mode", "u", &value));
    g_assert_cmpuint (value, ==, 2);
    g_assert_true (g_variant_lookup (dict, "persist_mode", "u", &value));
    g_assert_cmpuint (value, ==, 2);
    g_assert_false (g_variant_lookup (dict, "restore_token", "&s", &token));
  }
  g_clear_pointer (&options, g_variant_unref);

  /* The desktop's "stop sharing": ::closed, and the stream is gone. */
  g_variant_unref (mc_test_portal_control ("CloseSessions", NULL, NULL));
  iterate_until (&wait.closed);
  g_assert_false (mc_screen_cast_get_active (cast));
  g_assert_cmpint (mc_screen_cast_get_fd (cast), ==, -1);

  /* The next lesson passes the token back, and gets a new one. */
  g_assert_true (start (cast, "token-1", &error));
  g_assert_no_error (error);
  options = mc_test_portal_control ("LastOptions", NULL, "(a{sv})");
  {
    g_autoptr (GVariant) dict = g_variant_get_child_value (options, 0);

    g_assert_true (g_variant_lookup (dict, "restore_token", "&s", &token));
    g_assert_cmpstr (token, ==, "token-1");
  }
  g_assert_cmpstr (mc_screen_cast_get_restore_token (cast), ==, "token-2");
  mc_screen_cast_stop (cast);
  g_assert_false (mc_screen_cast_get_active (cast));

  /* The user cancels the dialog. */
  g_variant_unref (mc_test_portal_control ("SetAnswer", g_variant_new ("(s)", "cancel"), NULL));
  g_assert_false (start (cast, "token-2", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (mc_screen_cast_get_active (cast));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  mc_test_portal_start ();
  g_test_add_func ("/engine/screen-cast/flow", test_flow);
  status = g_test_run ();
  mc_test_portal_stop ();

  return status;
}
