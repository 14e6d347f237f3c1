/* mc-retransmission-budget.h — how much a sender may send again
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MC_TYPE_RETRANSMISSION_BUDGET (mc_retransmission_budget_get_type ())

G_DECLARE_FINAL_TYPE (McRetransmissionBudget, mc_retransmission_budget, MC, RETRANSMISSION_BUDGET, GObject)

McRetransmissionBudget *mc_retransmission_budget_new (void);
void                    mc_retransmission_budget_set_rate (McRetransmissionBudget *self,
                                                           guint                   bitrate,
                                                           guint                   round_trip_ms);
gboolean                mc_retransmission_budget_allow (McRetransmissionBudget *self,
                                                        guint32                 ssrc,
                                                        guint                   seqnum,
                                                        gint64                  now_us);
guint                   mc_retransmission_budget_get_refused (McRetransmissionBudget *self);
gboolean                mc_retransmission_budget_knows_stream (McRetransmissionBudget *self,
                                                               guint32                 ssrc);
void                    mc_retransmission_budget_add_stream (McRetransmissionBudget *self,
                                                             guint32                 ssrc,
                                                             gboolean                sent_again);

G_END_DECLS
