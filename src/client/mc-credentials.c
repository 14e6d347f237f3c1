/* mc-credentials.c — the session token in the desktop keyring
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token is a secret: it lives in the Secret Service (GNOME Keyring,
 * KWallet) through libsecret, never in GSettings or a file. Lookups and
 * stores are asynchronous, since the keyring may have to be unlocked.
 */

#define G_LOG_DOMAIN "mc-credentials"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "mc-credentials.h"

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APPLICATION_ID ".Session",
    SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError           *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * mc_credentials_store_async:
 * @server: the server's URL
 * @username: who logged in
 * @token: the session token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 */
void
mc_credentials_store_async (const char         *server,
                            const char         *username,
                            const char         *token,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  /* Translators: the keyring item's label; %s the username, %s the server's address */
  g_autofree char *label = g_strdup_printf (_ ("Mentorcall session of %s on %s"), username, server);

  g_task_set_source_tag (task, mc_credentials_store_async);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, token, cancellable,
                         stored_cb, task,
                         "server", server, "username", username, NULL);
}

gboolean
mc_credentials_store_finish (GAsyncResult *result,
                             GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError           *error = NULL;
  char             *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Out of libsecret's non-pageable memory into an ordinary string. */
  g_task_return_pointer (task, g_strdup (token), g_free);
  secret_password_free (token);
}

/**
 * mc_credentials_lookup_async:
 * @server: the server's URL
 * @username: who logged in
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Finds the stored token; mc_credentials_lookup_finish() returns %NULL
 * without an error when there is none.
 */
void
mc_credentials_lookup_async (const char         *server,
                             const char         *username,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mc_credentials_lookup_async);
  secret_password_lookup (get_schema (), cancellable, looked_up_cb, task,
                          "server", server, "username", username, NULL);
}

char *
mc_credentials_lookup_finish (GAsyncResult *result,
                              GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cleared_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError           *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
mc_credentials_clear_async (const char         *server,
                            const char         *username,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mc_credentials_clear_async);
  secret_password_clear (get_schema (), cancellable, cleared_cb, task,
                         "server", server, "username", username, NULL);
}

gboolean
mc_credentials_clear_finish (GAsyncResult *result,
                             GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
