/* mc-chat-message.h — one chat message of a booking, received or outgoing
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * McChatMessageState:
 * @MC_CHAT_MESSAGE_PENDING: queued in the outbox; not yet acknowledged by the server
 * @MC_CHAT_MESSAGE_SENT: stored by the server, which gave it its sequence number
 * @MC_CHAT_MESSAGE_FAILED: refused by the server, or dropped because the room was left
 *
 * Where a message is on its way. Received messages are always
 * %MC_CHAT_MESSAGE_SENT.
 */
typedef enum
{
  MC_CHAT_MESSAGE_PENDING,
  MC_CHAT_MESSAGE_SENT,
  MC_CHAT_MESSAGE_FAILED,
} McChatMessageState;

#define MC_TYPE_CHAT_MESSAGE_STATE (mc_chat_message_state_get_type ())
#define MC_TYPE_CHAT_MESSAGE (mc_chat_message_get_type ())

typedef struct _McChatMessage McChatMessage;

GType               mc_chat_message_state_get_type  (void) G_GNUC_CONST;
GType               mc_chat_message_get_type        (void) G_GNUC_CONST;

McChatMessage      *mc_chat_message_new_outgoing    (gint64         booking_id,
                                                     const char    *client_id,
                                                     const char    *text);
McChatMessage      *mc_chat_message_new_from_json   (gint64         booking_id,
                                                     JsonObject    *object,
                                                     GError       **error);
McChatMessage      *mc_chat_message_ref             (McChatMessage *self);
void                mc_chat_message_unref           (McChatMessage *self);

gint64              mc_chat_message_get_booking_id  (McChatMessage *self);
gint64              mc_chat_message_get_seq         (McChatMessage *self);
const char         *mc_chat_message_get_client_id   (McChatMessage *self);
const char         *mc_chat_message_get_text        (McChatMessage *self);
gint64              mc_chat_message_get_sender_id   (McChatMessage *self);
const char         *mc_chat_message_get_sender_name (McChatMessage *self);
gint64              mc_chat_message_get_sent_at     (McChatMessage *self);
McChatMessageState  mc_chat_message_get_state       (McChatMessage *self);
const char         *mc_chat_message_get_error       (McChatMessage *self);

void                mc_chat_message_mark_sent       (McChatMessage *self,
                                                     gint64         seq,
                                                     gint64         sent_at);
void                mc_chat_message_mark_failed     (McChatMessage *self,
                                                     const char    *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McChatMessage, mc_chat_message_unref)

G_END_DECLS
