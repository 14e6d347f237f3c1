/* mc-test-ui.h — waiting and screenshots for the app's widget tests
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*McTestCondition) (gpointer data);

void mc_test_ui_init       (int             *argc,
                            char          ***argv);
void mc_test_ui_wait_until (McTestCondition  condition,
                            gpointer         data,
                            const char      *what);
void mc_test_ui_spin       (guint            milliseconds);
void mc_test_ui_screenshot (GtkWidget       *widget,
                            const char      *name);

G_END_DECLS
