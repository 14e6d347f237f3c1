/* mcs-listener.h — what other servers on the database tell this one
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MCS_TYPE_LISTENER (mcs_listener_get_type ())
G_DECLARE_FINAL_TYPE (McsListener, mcs_listener, MCS, LISTENER, GObject)

McsListener *mcs_listener_new (const char *url,
                               const char *channel);
gboolean     mcs_listener_is_listening (McsListener *self);
const char  *mcs_listener_describe (McsListener *self);

G_END_DECLS
