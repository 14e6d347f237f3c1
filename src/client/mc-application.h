/* mc-application.h — the Mentorcall application
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MC_TYPE_APPLICATION (mc_application_get_type ())
G_DECLARE_FINAL_TYPE (McApplication, mc_application, MC, APPLICATION, AdwApplication)

McApplication *mc_application_new (void);
gboolean       mc_application_parse_join_uri (const char *uri,
                                              gint64     *booking_id,
                                              GError    **error);

G_END_DECLS
