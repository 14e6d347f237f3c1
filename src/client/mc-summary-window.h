/* mc-summary-window.h — what happened in a lesson
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "mc-api-client.h"

G_BEGIN_DECLS

#define MC_TYPE_SUMMARY_WINDOW (mc_summary_window_get_type ())
G_DECLARE_FINAL_TYPE (McSummaryWindow, mc_summary_window, MC, SUMMARY_WINDOW, AdwWindow)

McSummaryWindow *mc_summary_window_new (GtkApplication *application,
                                        McApiClient    *api,
                                        JsonObject     *booking,
                                        const char     *notice);

G_END_DECLS
