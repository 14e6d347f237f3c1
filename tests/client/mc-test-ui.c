/* mc-test-ui.c — waiting and screenshots for the app's widget tests
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>

#include "mc-test-ui.h"

#define TIMEOUT_SECONDS 30

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
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_test_init (argc, argv, NULL);
  adw_init ();

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
mc_test_ui_wait_until (McTestCondition  condition,
                       gpointer         data,
                       const char      *what)
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
  const char *dir = g_getenv ("MC_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;

  mc_test_ui_spin (800);

  paintable = gtk_widget_paintable_new (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s", path);
}
