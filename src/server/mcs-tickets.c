/* mcs-tickets.c — short-lived, single-use tickets for the WebSocket handshake
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A browser cannot set Authorization on a WebSocket handshake, so a page
 * first trades its session token for a ticket (POST /api/v1/ws-ticket)
 * and puts the ticket in the WebSocket's URL. A URL ends up in places a
 * header does not (proxy logs, a browser's history), so a ticket is
 * worth little: it opens one WebSocket, once, within MCS_TICKET_LIFETIME
 * seconds, for the session that asked for it. Only its SHA-256 is kept,
 * in memory: a ticket does not survive a restart, and a page simply asks
 * for a new one when it reconnects.
 */

#define G_LOG_DOMAIN "mcs-tickets"

#include <string.h>

#include "mcs-crypto.h"
#include "mcs-tickets.h"

/* More outstanding tickets than this means someone is hoarding them. */
#define MAX_TICKETS 100000

struct _McsTickets
{
  GHashTable *tickets; /* hex SHA-256 → Ticket */
};

typedef struct
{
  McsSession session;
  gint64     expires_at;
} Ticket;

static char *
ticket_key (const char *ticket)
{
  guint8 hash[32];

  mcs_session_token_hash (ticket, hash);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, hash, sizeof hash);
}

McsTickets *
mcs_tickets_new (void)
{
  McsTickets *self = g_new0 (McsTickets, 1);

  self->tickets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
mcs_tickets_free (McsTickets *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->tickets);
  g_free (self);
}

/**
 * mcs_tickets_issue:
 * @self: the tickets
 * @session: the session the ticket stands for
 * @now: the current time
 * @expires_at: (out): when the ticket expires
 *
 * Returns: (transfer full): a new ticket, 43 URL-safe characters
 */
char *
mcs_tickets_issue (McsTickets       *self,
                   const McsSession *session,
                   gint64            now,
                   gint64           *expires_at)
{
  guint8  hash[32];
  char   *ticket = mcs_session_token_new (hash);
  Ticket *entry = g_new0 (Ticket, 1);

  if (g_hash_table_size (self->tickets) >= MAX_TICKETS)
    mcs_tickets_prune (self, now);

  entry->session = *session;
  entry->expires_at = now + MCS_TICKET_LIFETIME;
  *expires_at = entry->expires_at;
  g_hash_table_replace (self->tickets, ticket_key (ticket), entry);

  return ticket;
}

/**
 * mcs_tickets_redeem:
 * @self: the tickets
 * @ticket: a ticket from a WebSocket URL
 * @now: the current time
 * @session: (out caller-allocates): its session as it was when the
 *   ticket was issued, on %MCS_TICKET_OK; check it again
 *
 * Uses the ticket up, whatever the answer: a ticket is tried once.
 *
 * Returns: whether it is good
 */
McsTicketResult
mcs_tickets_redeem (McsTickets *self,
                    const char *ticket,
                    gint64      now,
                    McsSession *session)
{
  g_autofree char   *key = NULL;
  gpointer           stolen_key = NULL, value = NULL;
  g_autofree Ticket *entry = NULL;

  if (strlen (ticket) > 256)
    return MCS_TICKET_UNKNOWN;

  key = ticket_key (ticket);
  if (!g_hash_table_steal_extended (self->tickets, key, &stolen_key, &value))
    return MCS_TICKET_UNKNOWN;

  g_free (stolen_key);
  entry = value;
  if (entry->expires_at <= now)
    return MCS_TICKET_EXPIRED;

  *session = entry->session;
  return MCS_TICKET_OK;
}

static gboolean
ticket_expired_cb (gpointer key,
                   gpointer value,
                   gpointer user_data)
{
  const Ticket *entry = value;

  return entry->expires_at <= *(const gint64 *) user_data;
}

/* Forgets expired tickets. A few minutes' grace keeps an expired ticket
 * "expired" rather than "unknown" for a page that was slow. */
void
mcs_tickets_prune (McsTickets *self,
                   gint64      now)
{
  gint64 before = now - 300;

  g_hash_table_foreach_remove (self->tickets, ticket_expired_cb, &before);
  if (g_hash_table_size (self->tickets) >= MAX_TICKETS)
    g_hash_table_foreach_remove (self->tickets, ticket_expired_cb, &now);
}

guint
mcs_tickets_count (McsTickets *self)
{
  return g_hash_table_size (self->tickets);
}
