/* mc-test-haproxy.h — a real HAProxy in front of test servers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-test-server.h"

G_BEGIN_DECLS

typedef struct _McTestHaproxy McTestHaproxy;

const char    *mc_test_haproxy_find (void);
McTestHaproxy *mc_test_haproxy_start (McTestServer * const *servers,
                                      guint                 n_servers,
                                      guint16               port,
                                      guint                 max_connections,
                                      const char           *dir);
void           mc_test_haproxy_free (McTestHaproxy *self);
const char    *mc_test_haproxy_get_url (McTestHaproxy *self);
GPid           mc_test_haproxy_get_pid (McTestHaproxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestHaproxy, mc_test_haproxy_free)

G_END_DECLS
