/* mcs-tickets.h — short-lived, single-use tickets for the WebSocket handshake
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mcs-store.h"

G_BEGIN_DECLS

/* Seconds a ticket stays valid: long enough to open a WebSocket right
 * after asking, short enough that one seen in a log or history is dead. */
#define MCS_TICKET_LIFETIME 30

typedef struct _McsTickets McsTickets;

typedef enum
{
  MCS_TICKET_OK,
  MCS_TICKET_UNKNOWN, /* never issued, or already used */
  MCS_TICKET_EXPIRED,
} McsTicketResult;

McsTickets     *mcs_tickets_new (void);
void            mcs_tickets_free (McsTickets *self);
char           *mcs_tickets_issue (McsTickets       *self,
                                   const McsSession *session,
                                   gint64            now,
                                   gint64           *expires_at);
McsTicketResult mcs_tickets_redeem (McsTickets *self,
                                    const char *ticket,
                                    gint64      now,
                                    McsSession *session);
void            mcs_tickets_prune (McsTickets *self,
                                   gint64      now);
guint           mcs_tickets_count (McsTickets *self);

G_END_DECLS
