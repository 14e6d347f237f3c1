/* mc-preferences-window.c — the settings that had no window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How to join (muted, camera off) and the test sources were GSettings keys
 * with no place in the app but the pre-join window, or none at all. The
 * switches are bound to the keys, so every window that reads them sees a
 * change at once. The devices stay in the pre-join window, where their
 * preview is.
 */

#define G_LOG_DOMAIN "mc-preferences-window"

#include "config.h"

#include "mc-preferences-window-private.h"

struct _McPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  GtkSwitch *muted_switch;
  GtkSwitch *camera_off_switch;
  GtkSwitch *test_sources_switch;
};

G_DEFINE_FINAL_TYPE (McPreferencesWindow, mc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
mc_preferences_window_dispose (GObject *object)
{
  McPreferencesWindow *self = MC_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), MC_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (mc_preferences_window_parent_class)->dispose (object);
}

static void
mc_preferences_window_class_init (McPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, McPreferencesWindow, muted_switch);
  gtk_widget_class_bind_template_child (widget_class, McPreferencesWindow, camera_off_switch);
  gtk_widget_class_bind_template_child (widget_class, McPreferencesWindow, test_sources_switch);
}

static void
mc_preferences_window_init (McPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "join-muted", self->muted_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "join-camera-off", self->camera_off_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "test-sources", self->test_sources_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

/**
 * mc_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer full): the window; present it
 */
McPreferencesWindow *
mc_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (MC_TYPE_PREFERENCES_WINDOW, "transient-for", parent, "modal", TRUE, NULL);
}

/* For the tests: the switch bound to @key. */
GtkSwitch *
mc_preferences_window_get_switch (McPreferencesWindow *self,
                                  const char          *key)
{
  if (g_str_equal (key, "join-muted"))
    return self->muted_switch;
  if (g_str_equal (key, "join-camera-off"))
    return self->camera_off_switch;
  if (g_str_equal (key, "test-sources"))
    return self->test_sources_switch;

  return NULL;
}
