/* mc-preferences-window.c — the settings that had no window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How to join (muted, camera off) and the test sources were GSettings keys
 * with no place in the app but the pre-join window, or none at all. The
 * switches are bound to the keys, so every window that reads them sees a
 * change at once. The devices stay in the pre-join window, where their
 * preview is. Where the desktop portal shares the screen, the app keeps
 * the screen or window shared last (the portal's restore token) and shares
 * it again without asking: Forget makes the next lesson ask.
 */

#define G_LOG_DOMAIN "mc-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-preferences-window-private.h"

struct _McPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  GtkSwitch    *muted_switch;
  GtkSwitch    *camera_off_switch;
  GtkSwitch    *test_sources_switch;
  AdwActionRow *screen_cast_row;
  GtkWidget    *forget_screen_cast_button;
};

G_DEFINE_FINAL_TYPE (McPreferencesWindow, mc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
update_screen_cast (McPreferencesWindow *self)
{
  g_autofree char *token = g_settings_get_string (self->settings, "screen-cast-restore-token");
  gboolean         kept = *token != '\0';

  adw_action_row_set_subtitle (self->screen_cast_row,
                               kept ? _ ("Shared again without asking, in the next lesson too")
                                    : _ ("Asked each time you share"));
  gtk_widget_set_sensitive (self->forget_screen_cast_button, kept);
}

static void
forget_screen_cast_cb (McPreferencesWindow *self)
{
  g_settings_reset (self->settings, "screen-cast-restore-token");
}

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
  gtk_widget_class_bind_template_child (widget_class, McPreferencesWindow, screen_cast_row);
  gtk_widget_class_bind_template_child (widget_class, McPreferencesWindow,
                                        forget_screen_cast_button);
  gtk_widget_class_bind_template_callback (widget_class, forget_screen_cast_cb);
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
  g_signal_connect_object (self->settings, "changed::screen-cast-restore-token",
                           G_CALLBACK (update_screen_cast), self, G_CONNECT_SWAPPED);
  update_screen_cast (self);
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

/* For the tests: the button that forgets the shared screen. */
GtkWidget *
mc_preferences_window_get_forget_screen_cast_button (McPreferencesWindow *self)
{
  return self->forget_screen_cast_button;
}
