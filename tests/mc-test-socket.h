/* mc-test-socket.h — a signaling WebSocket to a test server, as a client
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mc-test-server.h"

G_BEGIN_DECLS

/* How long any wait below may take before the test fails. */
#define MC_TEST_SOCKET_TIMEOUT_SECONDS 20

/**
 * McTestSocket:
 * @connection: the WebSocket, or %NULL when the handshake was refused
 * @error: why it was refused
 * @status: the handshake's HTTP status
 * @messages: (element-type JsonObject): what arrived and was not taken yet
 * @closed: whether the connection has closed
 * @closed_at: when, in monotonic microseconds
 *
 * A client socket in the test's own main context: messages are parsed
 * (strictly, with the protocol library) as they arrive and queued.
 */
typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GError                  *error;
  guint                    status;
  GPtrArray               *messages;
  gboolean                 closed;
  gint64                   closed_at;
  gboolean                 done;
} McTestSocket;

void mc_test_wait_for (gboolean *flag);

McTestSocket *mc_test_socket_open (McTestServer *server,
                                   const char   *token,
                                   const char   *ticket,
                                   const char   *origin);
void          mc_test_socket_free (McTestSocket *socket);
void          mc_test_socket_send (McTestSocket *socket,
                                   const char   *text);
void          mc_test_socket_send_printf (McTestSocket *socket,
                                          const char   *format,
                                          ...) G_GNUC_PRINTF (2, 3);
JsonObject   *mc_test_socket_wait (McTestSocket *socket,
                                   const char   *type);
JsonObject   *mc_test_socket_wait_reply (McTestSocket *socket,
                                         const char   *request_id);
JsonObject   *mc_test_socket_first (McTestSocket *socket,
                                    const char   *type);
gboolean      mc_test_socket_has (McTestSocket *socket,
                                  const char   *type);
void          mc_test_socket_wait_closed (McTestSocket *socket,
                                          guint         seconds,
                                          gushort       code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestSocket, mc_test_socket_free)

G_END_DECLS
