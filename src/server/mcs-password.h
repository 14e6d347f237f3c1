/* mcs-password.h — Argon2id password hashing on a bounded worker pool
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mcs-config.h"

G_BEGIN_DECLS

#define MCS_TYPE_PASSWORD_HASHER (mcs_password_hasher_get_type ())
G_DECLARE_FINAL_TYPE (McsPasswordHasher, mcs_password_hasher, MCS, PASSWORD_HASHER, GObject)

McsPasswordHasher *mcs_password_hasher_new          (McsHashStrength     strength,
                                                     guint               max_concurrent,
                                                     guint               max_queued);
void               mcs_password_hasher_verify_async (McsPasswordHasher  *self,
                                                     const char         *password,
                                                     const char         *hash,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
gboolean           mcs_password_hasher_verify_finish (McsPasswordHasher *self,
                                                     GAsyncResult       *result,
                                                     char              **new_hash,
                                                     GError            **error);
void               mcs_password_hasher_hash_async   (McsPasswordHasher  *self,
                                                     const char         *password,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
char              *mcs_password_hasher_hash_finish  (McsPasswordHasher  *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);
char              *mcs_password_hash                (McsHashStrength     strength,
                                                     const char         *password,
                                                     GError            **error);

G_END_DECLS
