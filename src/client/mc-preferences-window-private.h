/* mc-preferences-window-private.h — what the tests look at
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-preferences-window.h"

G_BEGIN_DECLS

GtkSwitch *mc_preferences_window_get_switch (McPreferencesWindow *self,
                                             const char          *key);
GtkWidget *mc_preferences_window_get_forget_screen_cast_button (McPreferencesWindow *self);

G_END_DECLS
