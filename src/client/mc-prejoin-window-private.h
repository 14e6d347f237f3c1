/* mc-prejoin-window-private.h — what the tests look at in the pre-join window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-prejoin-window.h"

G_BEGIN_DECLS

gboolean   mc_prejoin_window_get_narrow (McPrejoinWindow *self);
GtkWidget *mc_prejoin_window_get_join_button (McPrejoinWindow *self);

G_END_DECLS
