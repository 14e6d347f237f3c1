/* mc-chat-outbox.c — the queue of chat messages not yet stored by the server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox is what makes chat exactly-once and ordered. Each message gets
 * a random `client_id` when it is queued; messages are sent strictly in
 * queue order, a window of a few at a time, and stay queued until the
 * server confirms that it stored them. When the connection is lost, the
 * window is rewound and the unconfirmed messages are sent again: the server
 * recognises a repeated `client_id` and confirms the original instead of
 * storing a copy.
 *
 * The outbox knows nothing of the connection. McSignalingClient asks it for
 * the next message to send, tells it what went out, what the server
 * confirmed or refused, and when the connection was lost; it paces the
 * sending and announces every change of a message's state itself.
 */

#define G_LOG_DOMAIN "mc-chat-outbox"

#include "mc-chat-outbox.h"

/* How many messages may await their confirmation at once. */
#define WINDOW 8

struct _McChatOutbox
{
  GObject parent_instance;

  /* McChatMessage, oldest first; the first n_in_flight were sent on the
   * current connection and await their confirmation. */
  GQueue queue;
  guint  n_in_flight;
};

G_DEFINE_FINAL_TYPE (McChatOutbox, mc_chat_outbox, G_TYPE_OBJECT)

static GList *
find_link (McChatOutbox *self,
           const char   *client_id,
           guint        *position)
{
  guint i = 0;

  for (GList *l = self->queue.head; l != NULL; l = l->next, i++)
    {
      if (g_str_equal (mc_chat_message_get_client_id (l->data), client_id))
        {
          *position = i;
          return l;
        }
    }

  return NULL;
}

static McChatMessage *
remove_link (McChatOutbox *self,
             GList        *link,
             guint         position)
{
  McChatMessage *message = link->data;

  g_queue_delete_link (&self->queue, link);
  if (position < self->n_in_flight)
    self->n_in_flight--;

  return message;
}

static void
mc_chat_outbox_finalize (GObject *object)
{
  McChatOutbox *self = MC_CHAT_OUTBOX (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) mc_chat_message_unref);

  G_OBJECT_CLASS (mc_chat_outbox_parent_class)->finalize (object);
}

static void
mc_chat_outbox_class_init (McChatOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mc_chat_outbox_finalize;
}

static void
mc_chat_outbox_init (McChatOutbox *self)
{
  g_queue_init (&self->queue);
}

/* Public API */

/**
 * mc_chat_outbox_new:
 *
 * Returns: (transfer full): an empty outbox
 */
McChatOutbox *
mc_chat_outbox_new (void)
{
  return g_object_new (MC_TYPE_CHAT_OUTBOX, NULL);
}

/**
 * mc_chat_outbox_push:
 * @self: an #McChatOutbox
 * @booking_id: the booking whose chat the message is for
 * @text: what it says
 *
 * Queues a new pending message with a fresh random client id.
 *
 * Returns: (transfer full): the message
 */
McChatMessage *
mc_chat_outbox_push (McChatOutbox *self,
                     gint64        booking_id,
                     const char   *text)
{
  g_autofree char *client_id = NULL;
  McChatMessage   *message;

  g_return_val_if_fail (MC_IS_CHAT_OUTBOX (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  client_id = g_uuid_string_random ();
  message = mc_chat_message_new_outgoing (booking_id, client_id, text);
  g_queue_push_tail (&self->queue, mc_chat_message_ref (message));

  return message;
}

/**
 * mc_chat_outbox_peek_unsent:
 * @self: an #McChatOutbox
 *
 * Returns: (transfer none) (nullable): the oldest message not sent on the
 *   current connection, or %NULL if there is none or the window is full
 */
McChatMessage *
mc_chat_outbox_peek_unsent (McChatOutbox *self)
{
  g_return_val_if_fail (MC_IS_CHAT_OUTBOX (self), NULL);

  if (self->n_in_flight >= WINDOW)
    return NULL;

  return g_queue_peek_nth (&self->queue, self->n_in_flight);
}

/**
 * mc_chat_outbox_mark_in_flight:
 * @self: an #McChatOutbox
 *
 * Records that the message mc_chat_outbox_peek_unsent() returned was sent.
 */
void
mc_chat_outbox_mark_in_flight (McChatOutbox *self)
{
  g_return_if_fail (MC_IS_CHAT_OUTBOX (self));
  g_return_if_fail (self->n_in_flight < self->queue.length);

  self->n_in_flight++;
}

/**
 * mc_chat_outbox_rewind:
 * @self: an #McChatOutbox
 *
 * Forgets what was sent: after the connection was lost, or the room joined
 * again, every queued message goes out once more.
 */
void
mc_chat_outbox_rewind (McChatOutbox *self)
{
  g_return_if_fail (MC_IS_CHAT_OUTBOX (self));

  self->n_in_flight = 0;
}

/**
 * mc_chat_outbox_contains:
 * @self: an #McChatOutbox
 * @client_id: a message's client id
 *
 * Returns: whether that message is still queued
 */
gboolean
mc_chat_outbox_contains (McChatOutbox *self,
                         const char   *client_id)
{
  guint position;

  g_return_val_if_fail (MC_IS_CHAT_OUTBOX (self), FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);

  return find_link (self, client_id, &position) != NULL;
}

/**
 * mc_chat_outbox_take:
 * @self: an #McChatOutbox
 * @client_id: a message's client id
 *
 * Removes a message that the server stored or refused for good; the caller
 * marks it sent or failed.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if it is not
 *   queued
 */
McChatMessage *
mc_chat_outbox_take (McChatOutbox *self,
                     const char   *client_id)
{
  guint  position = 0;
  GList *link;

  g_return_val_if_fail (MC_IS_CHAT_OUTBOX (self), NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  link = find_link (self, client_id, &position);
  if (link == NULL)
    return NULL;

  return remove_link (self, link, position);
}

/**
 * mc_chat_outbox_pop:
 * @self: an #McChatOutbox
 *
 * Removes the oldest message, to give it up.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if the outbox
 *   is empty
 */
McChatMessage *
mc_chat_outbox_pop (McChatOutbox *self)
{
  g_return_val_if_fail (MC_IS_CHAT_OUTBOX (self), NULL);

  if (self->queue.head == NULL)
    return NULL;

  return remove_link (self, self->queue.head, 0);
}

/**
 * mc_chat_outbox_get_length:
 * @self: an #McChatOutbox
 *
 * Returns: how many messages are queued
 */
guint
mc_chat_outbox_get_length (McChatOutbox *self)
{
  g_return_val_if_fail (MC_IS_CHAT_OUTBOX (self), 0);

  return self->queue.length;
}
