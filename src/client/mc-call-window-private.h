/* mc-call-window-private.h — what the tests look at in a call window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-call-controller.h"
#include "mc-call-window.h"
#include "mc-chat-pane.h"

G_BEGIN_DECLS

McCallController *mc_call_window_get_controller (McCallWindow *self);
McChatPane       *mc_call_window_get_chat_pane (McCallWindow *self);
const char       *mc_call_window_get_connection_text (McCallWindow *self);
guint             mc_call_window_get_unread (McCallWindow *self);
gboolean          mc_call_window_get_screen_sharing (McCallWindow *self);
const char       *mc_call_window_get_status_text (McCallWindow *self);
const char       *mc_call_window_get_screen_notice (McCallWindow *self);
GtkContentFit     mc_call_window_get_remote_fit (McCallWindow *self);
gboolean          mc_call_window_get_self_muted_shown (McCallWindow *self);
gboolean          mc_call_window_get_speaking_while_muted (McCallWindow *self);
gboolean          mc_call_window_get_chat_folded (McCallWindow *self);
gboolean          mc_call_window_get_narrow (McCallWindow *self);
gboolean          mc_call_window_get_chat_settled (McCallWindow *self);
gboolean          mc_call_window_get_chat_visible (McCallWindow *self);
const char       *mc_call_window_get_time_text (McCallWindow *self);
const char       *mc_call_window_get_preview_text (McCallWindow *self);
gboolean          mc_call_window_get_peer_speaking (McCallWindow *self);
const char       *mc_call_window_get_quality_text (McCallWindow *self);
GtkWidget        *mc_call_window_get_self_view (McCallWindow *self);
GtkWidget        *mc_call_window_get_controls (McCallWindow *self);
const char       *mc_call_window_get_mute_icon (McCallWindow *self);
const char       *mc_call_window_get_camera_icon (McCallWindow *self);
char             *mc_call_window_dup_network_notice (McCallWindow *self);
const char       *mc_call_window_get_last_toast (McCallWindow *self);
GtkWidget        *mc_call_window_get_share_button (McCallWindow *self);
GtkWidget        *mc_call_window_get_devices_button (McCallWindow *self);
GMenuModel       *mc_call_window_get_devices_menu (McCallWindow *self);
GdkPaintable     *mc_call_window_get_self_paintable (McCallWindow *self);

G_END_DECLS
