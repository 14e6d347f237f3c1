/* mcs-cli.h — the admin command line: users, bookings, webhooks and demo data
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mcs-config.h"
#include "mcs-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *username;
  char *name;
  char *role;
  char *mentor;
  char *student;
  char *start;
  char *end;
  char *subject;
  char *status;
  char *events;
  char *secret;
  char *description;
} McsCliOptions;

gboolean mcs_cli_is_command (const char          *word);
int      mcs_cli_run        (McsConfig           *config,
                             const McsCliOptions *options,
                             char               **args);

/* Shared by the command files. */
int mcs_cli_usage (const char *message);
int mcs_cli_fail (const GError *error);
int mcs_cli_webhook (McsStore            *store,
                     const McsCliOptions *options,
                     char               **args);

G_END_DECLS
