/* mc-test-devices.h — cameras, microphones and speakers made of test elements
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void  mc_test_devices_register (void);
void  mc_test_devices_add (const char *identity,
                           const char *display_name,
                           const char *device_class,
                           const char *description);
void  mc_test_devices_remove (const char *identity);
void  mc_test_devices_clear (void);
guint mc_test_devices_get_buffers (const char *identity);

G_END_DECLS
