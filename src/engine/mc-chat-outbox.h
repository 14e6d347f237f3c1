/* mc-chat-outbox.h — the queue of chat messages not yet stored by the server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "mc-chat-message.h"

G_BEGIN_DECLS

#define MC_TYPE_CHAT_OUTBOX (mc_chat_outbox_get_type ())

G_DECLARE_FINAL_TYPE (McChatOutbox, mc_chat_outbox, MC, CHAT_OUTBOX, GObject)

McChatOutbox *mc_chat_outbox_new (void);

McChatMessage *mc_chat_outbox_push (McChatOutbox *self,
                                    gint64        booking_id,
                                    const char   *text);
McChatMessage *mc_chat_outbox_peek_unsent (McChatOutbox *self);
void           mc_chat_outbox_mark_in_flight (McChatOutbox *self);
void           mc_chat_outbox_rewind (McChatOutbox *self);
gboolean       mc_chat_outbox_contains (McChatOutbox *self,
                                        const char   *client_id);
McChatMessage *mc_chat_outbox_take (McChatOutbox *self,
                                    const char   *client_id);
McChatMessage *mc_chat_outbox_pop (McChatOutbox *self);
guint          mc_chat_outbox_get_length (McChatOutbox *self);

G_END_DECLS
