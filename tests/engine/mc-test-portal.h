/* mc-test-portal.h — the mock desktop portal on a private session bus
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      mc_test_portal_start (void);
GVariant *mc_test_portal_control (const char *method,
                                  GVariant   *parameters,
                                  const char *reply_type);
void      mc_test_portal_stop (void);

G_END_DECLS
