/* mc-account.c — who is logged in, on which server, and the kept session
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session side of the main window, without the window (as GNOME Text
 * Editor's EditorSession is to its window): the server's URL and the
 * username in GSettings, the REST client of the session, logging in with a
 * password, logging in silently with the token kept in the desktop keyring
 * (mc-credentials.c), logging out. A token the server refuses is taken out
 * of the keyring, as logging out does, since it never works again.
 *
 * It is in the app rather than the engine because the kept session is the
 * app's: its GSettings schema and the keyring through libsecret, neither of
 * which the engine or the CLI (which keeps its own session file) depend
 * on. It has no GTK and no strings for people: the window turns its errors
 * into sentences.
 *
 * Its own work that outlives a call — storing the token after a login — is
 * cancelled in dispose and holds no reference; the login and restore
 * operations are GTasks with the caller's cancellable.
 */

#define G_LOG_DOMAIN "mc-account"

#include "config.h"

#include "mc-account.h"
#include "mc-credentials.h"
#include "mc-protocol.h"

struct _McAccount
{
  GObject parent_instance;

  GSettings    *settings;
  McApiClient  *api;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (McAccount, mc_account, G_TYPE_OBJECT)

G_DEFINE_QUARK (mc - account - error - quark, mc_account_error)

enum
{
  PROP_0,
  PROP_API,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SESSION_NOT_KEPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static void
set_api (McAccount   *self,
         McApiClient *api)
{
  if (g_set_object (&self->api, api))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API]);
}

/* Callbacks */

static void
credentials_cleared_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!mc_credentials_clear_finish (result, &error))
    g_debug ("Cannot clear the session from the keyring: %s", error->message);
}

static void
credentials_stored_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (mc_credentials_store_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The keyring's own words are English and technical ("Object does not
   * exist at path…"): the log has them, the window says a sentence. */
  g_message ("Cannot store the session in the keyring: %s", error->message);
  g_signal_emit (MC_ACCOUNT (user_data), signals[SIGNAL_SESSION_NOT_KEPT], 0);
}

static void
logged_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask)      task = user_data;
  McAccount             *self = g_task_get_source_object (task);
  const char            *username = g_task_get_task_data (task);
  const char            *server = mc_api_client_get_base_url (MC_API_CLIENT (object));
  g_autoptr (JsonObject) answer = NULL;
  GError                *error = NULL;

  answer = mc_api_client_login_finish (MC_API_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_settings_set_string (self->settings, "server-url", server);
  g_settings_set_string (self->settings, "username", username);

  /* A password from the environment logs in again next time by itself; only
   * a password typed by a person makes a session worth keeping. */
  if (mc_account_get_environment_password () == NULL)
    mc_credentials_store_async (server, username, mc_api_client_get_token (MC_API_CLIENT (object)),
                                self->cancellable, credentials_stored_cb, self);

  g_task_return_boolean (task, TRUE);
}

static void
me_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr (GTask)      task = user_data;
  McAccount             *self = g_task_get_source_object (task);
  g_autoptr (JsonObject) answer = NULL;
  GError                *error = NULL;

  answer = mc_api_client_me_finish (MC_API_CLIENT (object), result, &error);
  if (answer != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The server refused the kept token (revoked, expired): do not try it at
   * the next start. A server that cannot be reached keeps the session: it
   * may be back soon. */
  if (mc_account_is_session_refused (error))
    mc_account_forget_session (self);

  g_task_return_error (task, error);
}

static void
token_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask)       task = user_data;
  McAccount              *self = g_task_get_source_object (task);
  g_autoptr (GError)      error = NULL;
  g_autofree char        *token = mc_credentials_lookup_finish (result, &error);
  g_autofree char        *server = NULL;
  g_autoptr (McApiClient) api = NULL;
  GCancellable           *cancellable;

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_message ("No keyring: %s", error->message);
      g_task_return_new_error (task, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_KEYRING, "%s",
                               error->message);
      return;
    }

  if (token == NULL)
    {
      g_task_return_new_error (task, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_SESSION,
                               "No session in the keyring");
      return;
    }

  server = mc_account_dup_server_url (self);
  api = mc_api_client_new (server);
  mc_api_client_set_token (api, token);
  set_api (self, api);
  cancellable = g_task_get_cancellable (task);
  mc_api_client_me_async (api, cancellable, me_cb, g_steal_pointer (&task));
}

/* GObject */

static void
mc_account_dispose (GObject *object)
{
  McAccount *self = (McAccount *) object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (mc_account_parent_class)->dispose (object);
}

static void
mc_account_finalize (GObject *object)
{
  McAccount *self = (McAccount *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->api);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mc_account_parent_class)->finalize (object);
}

static void
mc_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  McAccount *self = MC_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_account_class_init (McAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_account_dispose;
  object_class->finalize = mc_account_finalize;
  object_class->get_property = mc_account_get_property;

  /**
   * McAccount:api:
   *
   * The REST client of the current session: made by a login or a restore,
   * %NULL before.
   */
  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, MC_TYPE_API_CLIENT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McAccount::session-not-kept:
   * @self: the account
   *
   * A login went well but the keyring could not keep its token: the next
   * start asks for the password again.
   */
  signals[SIGNAL_SESSION_NOT_KEPT] =
    g_signal_new ("session-not-kept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
mc_account_init (McAccount *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * mc_account_new:
 *
 * Returns: (transfer full): the account of the app's settings, not logged in
 */
McAccount *
mc_account_new (void)
{
  return g_object_new (MC_TYPE_ACCOUNT, NULL);
}

/**
 * mc_account_get_api:
 * @self: the account
 *
 * Returns: (transfer none) (nullable): the REST client of the session
 */
McApiClient *
mc_account_get_api (McAccount *self)
{
  g_return_val_if_fail (MC_IS_ACCOUNT (self), NULL);

  return self->api;
}

/**
 * mc_account_dup_server_url:
 * @self: the account
 *
 * Returns: (transfer full): the server of the last login
 */
char *
mc_account_dup_server_url (McAccount *self)
{
  g_return_val_if_fail (MC_IS_ACCOUNT (self), NULL);

  return g_settings_get_string (self->settings, "server-url");
}

/**
 * mc_account_dup_username:
 * @self: the account
 *
 * Returns: (transfer full): the username of the last login, or ""
 */
char *
mc_account_dup_username (McAccount *self)
{
  g_return_val_if_fail (MC_IS_ACCOUNT (self), NULL);

  return g_settings_get_string (self->settings, "username");
}

/**
 * mc_account_get_environment_password:
 *
 * For kiosks, demos and automation: `MENTORCALL_PASSWORD`.
 *
 * Returns: (nullable): the password the environment gives, if any
 */
const char *
mc_account_get_environment_password (void)
{
  const char *password = g_getenv ("MENTORCALL_PASSWORD");

  return password != NULL && *password != '\0' ? password : NULL;
}

/**
 * mc_account_can_restore:
 * @self: the account
 *
 * Returns: whether to look for a kept session: somebody logged in before,
 *   and the environment gives no password to log in with instead
 */
gboolean
mc_account_can_restore (McAccount *self)
{
  g_autofree char *username = NULL;

  g_return_val_if_fail (MC_IS_ACCOUNT (self), FALSE);

  username = mc_account_dup_username (self);

  return *username != '\0' && mc_account_get_environment_password () == NULL;
}

/**
 * mc_account_restore_async:
 * @self: the account
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Logs in silently with the token the keyring kept for the last login, and
 * asks the server whether it still takes it.
 */
void
mc_account_restore_async (McAccount          *self,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char  *server = NULL;
  g_autofree char  *username = NULL;

  g_return_if_fail (MC_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_account_restore_async);

  if (!mc_account_can_restore (self))
    {
      g_task_return_new_error (task, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_SESSION,
                               "No session to restore");
      return;
    }

  server = mc_account_dup_server_url (self);
  username = mc_account_dup_username (self);
  mc_credentials_lookup_async (server, username, cancellable, token_looked_up_cb,
                               g_steal_pointer (&task));
}

/**
 * mc_account_restore_finish:
 * @self: the account
 * @result: the result
 * @error: (nullable): where to put an error
 *
 * %FALSE with an error in the %MC_ACCOUNT_ERROR domain when there was no
 * session to try; in the %MC_ERROR domain when the server refused it (it is
 * forgotten then) or could not be reached (%MC_ERROR_NETWORK: the session is
 * kept, and mc_account_get_api () has it).
 *
 * Returns: whether the server took the kept session
 */
gboolean
mc_account_restore_finish (McAccount    *self,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_account_log_in_async:
 * @self: the account
 * @server: the server's address, with or without `https://`
 * @username: who logs in
 * @password: their password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Logs in with a password. On success the server and username are kept in
 * the settings and the session's token in the keyring (unless the password
 * came from the environment); #McAccount::session-not-kept says when the
 * keyring could not keep it.
 */
void
mc_account_log_in_async (McAccount          *self,
                         const char         *server,
                         const char         *username,
                         const char         *password,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask)       task = NULL;
  g_autoptr (McApiClient) api = NULL;
  g_autofree char        *url = g_strstrip (g_strdup (server));
  char                   *name = g_strstrip (g_strdup (username));

  g_return_if_fail (MC_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_account_log_in_async);
  g_task_set_task_data (task, name, g_free);

  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      char *with_scheme = g_strconcat ("https://", url, NULL);

      g_free (url);
      url = with_scheme;
    }

  api = mc_api_client_new (url);
  set_api (self, api);
  mc_api_client_login_async (api, name, password, cancellable, logged_in_cb,
                             g_steal_pointer (&task));
}

/**
 * mc_account_log_in_finish:
 * @self: the account
 * @result: the result
 * @error: (nullable): where to put an error, in the %MC_ERROR domain (a
 *   wrong password, a server that cannot be reached…)
 *
 * Returns: whether the server took the password
 */
gboolean
mc_account_log_in_finish (McAccount    *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
logged_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  /* Nothing to tell: the session is forgotten here whatever the server
   * says. */
  mc_api_client_logout_finish (MC_API_CLIENT (object), result, NULL);
}

/**
 * mc_account_log_out:
 * @self: the account
 *
 * Ends the session on the server and takes it out of the keyring.
 */
void
mc_account_log_out (McAccount *self)
{
  g_return_if_fail (MC_IS_ACCOUNT (self));

  if (self->api != NULL)
    mc_api_client_logout_async (self->api, NULL, logged_out_cb, NULL);
  mc_account_forget_session (self);
}

/**
 * mc_account_forget_session:
 * @self: the account
 *
 * Takes the kept session of the configured user out of the keyring. Not
 * cancelled with the account: a token that has been given up must go even
 * when the app closes right after.
 */
void
mc_account_forget_session (McAccount *self)
{
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;

  g_return_if_fail (MC_IS_ACCOUNT (self));

  server = mc_account_dup_server_url (self);
  username = mc_account_dup_username (self);
  mc_credentials_clear_async (server, username, NULL, credentials_cleared_cb, NULL);
}

/**
 * mc_account_is_session_refused:
 * @error: an error from the server
 *
 * Whether the server says the session token itself is no good (as opposed
 * to the server or the network having trouble): such a token never works
 * again, so it must not be kept for the next start either.
 *
 * Returns: whether @error refuses the session
 */
gboolean
mc_account_is_session_refused (const GError *error)
{
  return g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_EXPIRED) ||
         g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_INVALID) ||
         g_error_matches (error, MC_ERROR, MC_ERROR_UNAUTHORIZED);
}
