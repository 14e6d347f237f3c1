/* mc-credentials.h — the session token in the desktop keyring
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     mc_credentials_store_async (const char         *server,
                                     const char         *username,
                                     const char         *token,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean mc_credentials_store_finish (GAsyncResult *result,
                                      GError      **error);
void     mc_credentials_lookup_async (const char         *server,
                                      const char         *username,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
char    *mc_credentials_lookup_finish (GAsyncResult *result,
                                       GError      **error);
void     mc_credentials_clear_async (const char         *server,
                                     const char         *username,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean mc_credentials_clear_finish (GAsyncResult *result,
                                      GError      **error);

G_END_DECLS
