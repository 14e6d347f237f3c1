/* mc-chat-pane.h — the chat beside the call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mc-chat-message.h"

G_BEGIN_DECLS

#define MC_TYPE_CHAT_PANE (mc_chat_pane_get_type ())
G_DECLARE_FINAL_TYPE (McChatPane, mc_chat_pane, MC, CHAT_PANE, GtkWidget)

GtkWidget  *mc_chat_pane_new (void);
void        mc_chat_pane_show_message (McChatPane    *self,
                                       McChatMessage *message);
guint       mc_chat_pane_get_n_messages (McChatPane *self);
guint       mc_chat_pane_get_n_pending (McChatPane *self);
void        mc_chat_pane_focus_entry (McChatPane *self);
void        mc_chat_pane_set_entry_text (McChatPane *self,
                                         const char *text);
void        mc_chat_pane_send (McChatPane *self);
void        mc_chat_pane_set_own_user_id (McChatPane *self,
                                          gint64      user_id);
const char *mc_chat_pane_get_meta_text (McChatPane *self,
                                        guint       index);

G_END_DECLS
