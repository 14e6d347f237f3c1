/* mcs-clock.h — the server's clock, which tests can move
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gint64   mcs_clock_now (void);
gint64   mcs_clock_get_offset (void);
void     mcs_clock_enable_test_mode (void);
gboolean mcs_clock_is_test_mode (void);
gboolean mcs_clock_advance (gint64 seconds);

G_END_DECLS
