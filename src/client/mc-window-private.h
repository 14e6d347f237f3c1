/* mc-window-private.h — what the tests look at in the main window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-window.h"

G_BEGIN_DECLS

const char *mc_window_get_banner_button_label (McWindow *self);

G_END_DECLS
