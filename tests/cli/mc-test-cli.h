/* mc-test-cli.h — run mentorcall-cli processes against a test server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-test-server.h"

G_BEGIN_DECLS

/* Bounds how long a broken build can hang a test; nothing passes or fails
 * because something was quick or slow. The CLI tests also run under
 * AddressSanitizer on two cores. */
#define MC_TEST_CLI_TIMEOUT_SECONDS 120

typedef struct _McTestCli McTestCli;

/* Checks the standard output of a running `join` (all of it so far). */
typedef gboolean (*McTestCliCheck) (McTestCli  *cli,
                                    const char *output,
                                    gpointer    user_data);

gint64      mc_test_cli_start_lesson (McTestServer *server,
                                      McTestCli   **mentor,
                                      McTestCli   **student);
McTestCli  *mc_test_cli_new (McTestServer *server,
                             const char   *name);
void        mc_test_cli_free (McTestCli *cli);
void        mc_test_cli_set_url (McTestCli  *cli,
                                 const char *url);
const char *mc_test_cli_get_name (McTestCli *cli);
const char *mc_test_cli_get_binary (void);
void        mc_test_cli_setenv (McTestCli  *cli,
                                const char *variable,
                                const char *value);

int  mc_test_cli_run (McTestCli  *cli,
                      const char *stdin_text,
                      char      **stdout_text,
                      char      **stderr_text,
                      const char *first_arg,
                      ...) G_GNUC_NULL_TERMINATED;
void mc_test_cli_login (McTestCli  *cli,
                        const char *username,
                        const char *password);

void        mc_test_cli_join (McTestCli  *cli,
                              gint64      booking_id,
                              const char *first_arg,
                              ...) G_GNUC_NULL_TERMINATED;
gint64      mc_test_cli_get_spawn_time (McTestCli *cli);
GPid        mc_test_cli_get_pid (McTestCli *cli);
gboolean    mc_test_cli_is_running (McTestCli *cli);
void        mc_test_cli_signal (McTestCli *cli,
                                int        signum);
void        mc_test_cli_wait_for (McTestCli     *cli,
                                  const char    *what,
                                  McTestCliCheck check,
                                  gpointer       user_data);
int         mc_test_cli_wait_exit (McTestCli *cli);
void        mc_test_cli_wait_killed (McTestCli *cli);
char       *mc_test_cli_get_output (McTestCli *cli);
char       *mc_test_cli_get_errors (McTestCli *cli);
void        mc_test_cli_dump (McTestCli *cli);
JsonObject *mc_test_cli_read_summary (McTestCli *cli);

/* Reading a `join`'s output */
guint      mc_test_cli_count_lines (const char *output,
                                    const char *suffix);
GPtrArray *mc_test_cli_parse_stats (const char *output);
double     mc_test_cli_find_line (const char *output,
                                  const char *contains);

/* Common checks */
gboolean mc_test_cli_has_line (McTestCli  *cli,
                               const char *output,
                               gpointer    user_data);
gboolean mc_test_cli_has_lines (McTestCli  *cli,
                                const char *output,
                                gpointer    user_data);
gboolean mc_test_cli_has_media (McTestCli  *cli,
                                const char *output,
                                gpointer    user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestCli, mc_test_cli_free)

G_END_DECLS
