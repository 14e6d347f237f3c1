/* mc-summary-window-private.h — what the tests look at
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-summary-window.h"

G_BEGIN_DECLS

gboolean    mc_summary_window_get_loaded (McSummaryWindow *self);
const char *mc_summary_window_get_notice (McSummaryWindow *self);
const char *mc_summary_window_get_text (McSummaryWindow *self);

G_END_DECLS
