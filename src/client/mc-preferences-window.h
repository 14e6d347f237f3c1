/* mc-preferences-window.h — the settings that had no window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MC_TYPE_PREFERENCES_WINDOW (mc_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (McPreferencesWindow, mc_preferences_window, MC, PREFERENCES_WINDOW, AdwPreferencesWindow)

McPreferencesWindow *mc_preferences_window_new (GtkWindow *parent);

G_END_DECLS
