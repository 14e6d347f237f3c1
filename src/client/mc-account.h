/* mc-account.h — who is logged in, on which server, and the kept session
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mc-api-client.h"

G_BEGIN_DECLS

/**
 * McAccountError:
 * @MC_ACCOUNT_ERROR_NO_SESSION: no session was kept (nobody logged in
 *   before, the keyring has no token, or a password in the environment asks
 *   for a fresh login)
 * @MC_ACCOUNT_ERROR_NO_KEYRING: the keyring could not be asked; the message
 *   is the keyring's own, for the log
 *
 * Why mc_account_restore_finish () found no session to try.
 */
typedef enum
{
  MC_ACCOUNT_ERROR_NO_SESSION,
  MC_ACCOUNT_ERROR_NO_KEYRING,
} McAccountError;

#define MC_ACCOUNT_ERROR (mc_account_error_quark ())
GQuark mc_account_error_quark (void);

#define MC_TYPE_ACCOUNT (mc_account_get_type ())
G_DECLARE_FINAL_TYPE (McAccount, mc_account, MC, ACCOUNT, GObject)

McAccount   *mc_account_new (void);
McApiClient *mc_account_get_api (McAccount *self);
char        *mc_account_dup_server_url (McAccount *self);
char        *mc_account_dup_username (McAccount *self);
const char  *mc_account_get_environment_password (void);
gboolean     mc_account_can_restore (McAccount *self);
void         mc_account_restore_async (McAccount          *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean     mc_account_restore_finish (McAccount    *self,
                                        GAsyncResult *result,
                                        GError      **error);
void         mc_account_log_in_async (McAccount          *self,
                                      const char         *server,
                                      const char         *username,
                                      const char         *password,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean     mc_account_log_in_finish (McAccount    *self,
                                       GAsyncResult *result,
                                       GError      **error);
void         mc_account_log_out (McAccount *self);
void         mc_account_forget_session (McAccount *self);
gboolean     mc_account_is_session_refused (const GError *error);

G_END_DECLS
