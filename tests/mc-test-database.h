/* mc-test-database.h — the database of a test server: SQLite or PostgreSQL
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean    mc_test_database_is_postgresql (void);
char       *mc_test_database_new (const char *dir);
const char *mc_test_database_get_name (const char *location);
void        mc_test_database_drop (const char *location);
void        mc_test_database_exec (const char *location,
                                   const char *sql);
gint64      mc_test_database_query_int (const char *location,
                                        const char *sql);

G_END_DECLS
