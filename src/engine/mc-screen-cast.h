/* mc-screen-cast.h — a screen or window shared through the desktop portal
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MC_TYPE_SCREEN_CAST (mc_screen_cast_get_type ())

G_DECLARE_FINAL_TYPE (McScreenCast, mc_screen_cast, MC, SCREEN_CAST, GObject)

void     mc_screen_cast_check_async (GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean mc_screen_cast_check_finish (GAsyncResult *result,
                                      GError      **error);

McScreenCast *mc_screen_cast_new (void);
void          mc_screen_cast_start_async (McScreenCast       *self,
                                          gpointer            parent,
                                          const char         *restore_token,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean      mc_screen_cast_start_finish (McScreenCast *self,
                                           GAsyncResult *result,
                                           GError      **error);
void          mc_screen_cast_stop (McScreenCast *self);

gboolean    mc_screen_cast_get_active (McScreenCast *self);
int         mc_screen_cast_get_fd (McScreenCast *self);
guint32     mc_screen_cast_get_node_id (McScreenCast *self);
void        mc_screen_cast_get_size (McScreenCast *self,
                                     guint        *width,
                                     guint        *height);
const char *mc_screen_cast_get_restore_token (McScreenCast *self);

G_END_DECLS
