/* mc-test-server.h — run a real mentorcall-server for the tests and talk to it
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mc-test-database.h"

G_BEGIN_DECLS

/* The admin API key every test server is given unless a test overrides it. */
#define MC_TEST_ADMIN_KEY "test-admin-key-0123456789abcdef"

typedef struct _McTestServer McTestServer;

/* Child processes: the server, mentorcall-cli */
const char          *mc_test_get_program (const char *variable,
                                          const char *name);
GSubprocessLauncher *mc_test_launcher_new (GSubprocessFlags flags,
                                           const char      *dir,
                                           int              death_signal);
void                 mc_test_remove_tree (const char *path);
guint16              mc_test_free_port (GSocketType type);
gboolean             mc_test_tcp_listening (guint16 port);
void                 mc_test_describe_exit (GSubprocess *process,
                                            GString     *out);

McTestServer *mc_test_server_new (const char *config_overrides);
McTestServer *mc_test_server_new_node (McTestServer *first,
                                       const char   *config_overrides);
void          mc_test_server_add_args (McTestServer *self,
                                       const char   *first_arg,
                                       ...) G_GNUC_NULL_TERMINATED;
void          mc_test_server_setenv (McTestServer *self,
                                     const char   *name,
                                     const char   *value);
void          mc_test_server_start (McTestServer *self);
void          mc_test_server_stop (McTestServer *self);
void          mc_test_server_restart (McTestServer *self);
void          mc_test_server_kill (McTestServer *self);
void          mc_test_server_send_signal (McTestServer *self,
                                          int           signum);
void          mc_test_server_keep_port (McTestServer *self);
void          mc_test_server_free (McTestServer *self);
McTestServer *mc_test_server_start_new (const char *config_overrides);

const char *mc_test_server_get_url (McTestServer *self);
guint16     mc_test_server_get_port (McTestServer *self);
const char *mc_test_server_get_output (McTestServer *self);
GPid        mc_test_server_get_pid (McTestServer *self);
const char *mc_test_server_get_dir (McTestServer *self);
const char *mc_test_server_get_config_path (McTestServer *self);
const char *mc_test_server_get_database (McTestServer *self);
const char *mc_test_server_get_binary (void);

/* HTTP */
guint      mc_test_server_get_health (McTestServer *self,
                                      char        **other_servers);
void       mc_test_server_wait_health (McTestServer *self,
                                       const char   *other_servers,
                                       int           timeout_seconds);
JsonNode  *mc_test_request (McTestServer *self,
                            const char   *method,
                            const char   *path,
                            const char   *bearer,
                            const char   *json_body,
                            guint        *status);
JsonNode  *mc_test_request_full (McTestServer        *self,
                                 const char          *method,
                                 const char          *path,
                                 const char  *const  *headers,
                                 const char          *content_type,
                                 GBytes              *body,
                                 guint               *status,
                                 SoupMessageHeaders **response_headers,
                                 GBytes             **response_body);
void       mc_test_server_advance_clock (McTestServer *self,
                                         gint64        seconds);
JsonNode  *mc_test_admin (McTestServer *self,
                          const char   *method,
                          const char   *path,
                          const char   *json_body,
                          guint        *status);
JsonArray *mc_test_attendance (McTestServer *self,
                               gint64        booking_id);
guint      mc_test_raw_http (McTestServer *self,
                             const char   *request,
                             gsize         length,
                             char        **headers,
                             JsonNode    **body);

void mc_test_raw_send_and_close (McTestServer *self,
                                 const char   *request);

JsonObject *mc_test_assert_error_at (const char *location,
                                     JsonNode   *node,
                                     guint       status,
                                     guint       expected_status,
                                     const char *expected_code);

/**
 * mc_test_assert_error:
 * @node: a response body
 * @status: the response's HTTP status
 * @expected_status: the status it must have
 * @code: the error code it must carry
 *
 * Checks that a response is `{"error":{"code","message",...}}` with @code.
 *
 * Returns: (transfer none): the `error` object, for checking extra members
 */
#define mc_test_assert_error(node, status, expected_status, code) \
  mc_test_assert_error_at (G_STRLOC, (node), (status), (expected_status), (code))

/* Fixtures made through the admin API and the public API. */
gint64      mc_test_create_user (McTestServer *self,
                                 const char   *username,
                                 const char   *role,
                                 const char   *password);
gint64      mc_test_create_booking (McTestServer *self,
                                    const char   *mentor,
                                    const char   *student,
                                    gint64        start_offset,
                                    gint64        end_offset,
                                    const char   *status);
JsonObject *mc_test_get_booking_admin (McTestServer *self,
                                       gint64        booking_id);
char       *mc_test_login (McTestServer *self,
                           const char   *username,
                           const char   *password);
char       *mc_test_time (gint64 offset);
gint64      mc_test_now (void);
void        mc_test_create_pair (McTestServer *self,
                                 gint64       *mentor_id,
                                 gint64       *student_id);

/* The usernames and passwords mc_test_create_pair() makes. */
#define MC_TEST_MENTOR           "maria"
#define MC_TEST_MENTOR_PASSWORD  "mentor-pass-1"
#define MC_TEST_STUDENT          "sam"
#define MC_TEST_STUDENT_PASSWORD "student-pass-1"

/* The admin CLI */
int mc_test_run_cli (McTestServer *self,
                     const char   *stdin_text,
                     char        **stdout_text,
                     char        **stderr_text,
                     const char   *first_arg,
                     ...) G_GNUC_NULL_TERMINATED;
int mc_test_run_command (McTestServer *self,
                         const char   *stdin_text,
                         char        **stdout_text,
                         char        **stderr_text,
                         const char   *first_arg,
                         ...) G_GNUC_NULL_TERMINATED;

/* Reading responses */
JsonObject *mc_test_object (JsonNode *node);
const char *mc_test_get_string (JsonObject *object,
                                const char *path);
gint64      mc_test_get_int (JsonObject *object,
                             const char *path);
JsonNode   *mc_test_get_node (JsonObject *object,
                              const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestServer, mc_test_server_free)

G_END_DECLS
