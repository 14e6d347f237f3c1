/* mcs-cli.h — the admin command line: users, bookings and demo data
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mcs-config.h"

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
} McsCliOptions;

gboolean mcs_cli_is_command (const char          *word);
int      mcs_cli_run        (McsConfig           *config,
                             const McsCliOptions *options,
                             char               **args);

G_END_DECLS
