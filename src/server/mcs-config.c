/* mcs-config.c — the server's configuration
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-config"

#include <string.h>

#include <gio/gio.h>

#include "mcs-config.h"
#include "mcs-database.h"

/* clang-format would space out the dashes of the quark's name. */
/* clang-format off */
G_DEFINE_QUARK (mcs-config-error-quark, mcs_config_error)
/* clang-format on */

/* Limits that keep a typo from producing a server that cannot work. */
#define MAX_LIFETIME (G_GINT64_CONSTANT (365) * 24 * 3600)

static gboolean
read_string (GKeyFile   *file,
             const char *group,
             const char *key,
             char      **target,
             GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char   *value = g_key_file_get_string (file, group, key, &local_error);

  if (value == NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
          g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        return TRUE;

      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_strstrip (value);
  g_free (*target);
  *target = value[0] != '\0' ? g_steal_pointer (&value) : NULL;

  return TRUE;
}

static gboolean
read_boolean (GKeyFile   *file,
              const char *group,
              const char *key,
              gboolean   *target,
              GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean           value = g_key_file_get_boolean (file, group, key, &local_error);

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
          g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        return TRUE;

      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                   "[%s] %s must be true or false", group, key);
      return FALSE;
    }

  *target = value;
  return TRUE;
}

static gboolean
read_int (GKeyFile   *file,
          const char *group,
          const char *key,
          gint64      min,
          gint64      max,
          gint64     *target,
          GError    **error)
{
  g_autofree char *text = NULL;
  gint64           value;

  if (!read_string (file, group, key, &text, error))
    return FALSE;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                   "[%s] %s must be a whole number from %" G_GINT64_FORMAT
                   " to %" G_GINT64_FORMAT ", not “%s”",
                   group, key, min, max, text);
      return FALSE;
    }

  *target = value;
  return TRUE;
}

static gboolean
read_uint (GKeyFile   *file,
           const char *group,
           const char *key,
           guint       min,
           guint       max,
           guint      *target,
           GError    **error)
{
  gint64 value = *target;

  if (!read_int (file, group, key, min, max, &value, error))
    return FALSE;

  *target = (guint) value;
  return TRUE;
}

static gboolean
read_list (GKeyFile   *file,
           const char *group,
           const char *key,
           GStrv      *target,
           GError    **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char         *text = NULL;
  g_auto (GStrv)           items = NULL;

  if (!read_string (file, group, key, &text, error))
    return FALSE;

  if (text == NULL)
    return TRUE;

  items = g_strsplit_set (text, ";,", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] != '\0')
        g_strv_builder_add (builder, items[i]);
    }

  g_strfreev (*target);
  *target = g_strv_builder_end (builder);

  return TRUE;
}

static gboolean
read_secret (GKeyFile   *file,
             const char *group,
             const char *key,
             const char *file_key,
             char      **target,
             GError    **error)
{
  g_autofree char *path = NULL;

  if (!read_string (file, group, key, target, error))
    return FALSE;

  if (!read_string (file, group, file_key, &path, error))
    return FALSE;

  if (path != NULL)
    {
      g_free (*target);
      *target = NULL;
      return mcs_config_read_secret_file (path, target, error);
    }

  return TRUE;
}

static gboolean
load_key_file (McsConfig *config,
               GKeyFile  *file,
               GError   **error)
{
  g_autofree char *strength = NULL;
  gint64           minutes;

  if (!read_string (file, "server", "listen", &config->listen, error) ||
      !read_string (file, "server", "database", &config->database, error) ||
      !read_string (file, "server", "secret-file", &config->secret_file, error) ||
      !read_string (file, "server", "node", &config->node, error) ||
      !read_boolean (file, "server", "reuse-port", &config->reuse_port, error) ||
      !read_string (file, "server", "tls-certificate", &config->tls_certificate, error) ||
      !read_string (file, "server", "tls-key", &config->tls_key, error) ||
      !read_string (file, "server", "public-url", &config->public_url, error) ||
      !read_int (file, "server", "max-body-size", 256, 64 * 1024 * 1024,
                 &config->max_body_size, error) ||
      !read_uint (file, "server", "request-timeout", 1, 3600, &config->request_timeout, error) ||
      !read_list (file, "server", "allowed-origins", &config->allowed_origins, error) ||
      !read_list (file, "server", "trusted-proxies", &config->trusted_proxies, error))
    return FALSE;

  for (guint i = 0; config->trusted_proxies[i] != NULL; i++)
    if (!g_hostname_is_ip_address (config->trusted_proxies[i]))
      {
        g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                     "[server] trusted-proxies: “%s” is not an IP address",
                     config->trusted_proxies[i]);
        return FALSE;
      }

  if (!read_secret (file, "auth", "admin-api-key", "admin-api-key-file",
                    &config->admin_api_key, error) ||
      !read_int (file, "auth", "session-lifetime", 1, MAX_LIFETIME,
                 &config->session_lifetime, error) ||
      !read_string (file, "auth", "password-hash-strength", &strength, error) ||
      !read_uint (file, "auth", "max-concurrent-hashes", 1, 64,
                  &config->max_concurrent_hashes, error) ||
      !read_uint (file, "auth", "max-queued-logins", 1, 100000,
                  &config->max_queued_logins, error) ||
      !read_uint (file, "auth", "login-failures-per-account", 1, 100000,
                  &config->login_failures_per_account, error) ||
      !read_uint (file, "auth", "login-attempts-per-address", 1, 1000000,
                  &config->login_attempts_per_address, error) ||
      !read_int (file, "auth", "login-rate-window", 1, 24 * 3600,
                 &config->login_rate_window, error))
    return FALSE;

  if (strength != NULL)
    {
      if (g_str_equal (strength, "interactive"))
        config->password_hash_strength = MCS_HASH_STRENGTH_INTERACTIVE;
      else if (g_str_equal (strength, "moderate"))
        config->password_hash_strength = MCS_HASH_STRENGTH_MODERATE;
      else if (g_str_equal (strength, "minimum"))
        config->password_hash_strength = MCS_HASH_STRENGTH_MINIMUM;
      else
        {
          g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                       "[auth] password-hash-strength must be interactive, moderate or "
                       "minimum, not “%s”",
                       strength);
          return FALSE;
        }
    }

  minutes = config->join_before / 60;
  if (!read_int (file, "calls", "join-before-minutes", 0, 24 * 60, &minutes, error))
    return FALSE;
  config->join_before = minutes * 60;

  minutes = config->join_after / 60;
  if (!read_int (file, "calls", "join-after-minutes", 0, 24 * 60, &minutes, error))
    return FALSE;
  config->join_after = minutes * 60;

  if (!read_int (file, "calls", "token-lifetime", 1, MAX_LIFETIME,
                 &config->token_lifetime, error))
    return FALSE;

  minutes = config->end_grace / 60;
  if (!read_int (file, "calls", "end-grace-minutes", 0, 24 * 60, &minutes, error))
    return FALSE;
  config->end_grace = minutes * 60;

  if (!read_uint (file, "signaling", "max-connections-per-user", 1, 1000,
                  &config->max_connections_per_user, error) ||
      !read_uint (file, "signaling", "messages-per-second", 1, 100000,
                  &config->messages_per_second, error) ||
      !read_uint (file, "signaling", "message-burst", 1, 100000,
                  &config->message_burst, error) ||
      !read_int (file, "signaling", "max-message-size", 1024, 16 * 1024 * 1024,
                 &config->max_message_size, error) ||
      !read_uint (file, "signaling", "heartbeat-interval", 1, 600,
                  &config->heartbeat_interval, error) ||
      !read_uint (file, "signaling", "dead-after", 2, 3600,
                  &config->dead_after, error))
    return FALSE;

  if (!read_list (file, "ice", "stun-servers", &config->stun_servers, error) ||
      !read_list (file, "ice", "turn-servers", &config->turn_servers, error) ||
      !read_secret (file, "ice", "turn-secret", "turn-secret-file", &config->turn_secret, error) ||
      !read_int (file, "ice", "turn-credential-lifetime", 60, MAX_LIFETIME,
                 &config->turn_credential_lifetime, error))
    return FALSE;

  return TRUE;
}

McsConfig *
mcs_config_new (void)
{
  McsConfig *config = g_new0 (McsConfig, 1);

  config->listen = g_strdup ("127.0.0.1:8080");
  config->max_body_size = 64 * 1024;
  config->request_timeout = 30;
  config->allowed_origins = g_new0 (char *, 1);
  config->trusted_proxies = g_new0 (char *, 1);
  config->session_lifetime = 30 * 24 * 3600;
  config->password_hash_strength = MCS_HASH_STRENGTH_INTERACTIVE;
  config->max_concurrent_hashes = 2;
  config->max_queued_logins = 64;
  config->login_failures_per_account = 5;
  config->login_attempts_per_address = 30;
  config->login_rate_window = 300;
  config->join_before = 15 * 60;
  config->join_after = 30 * 60;
  config->token_lifetime = 3600;
  config->end_grace = 30 * 60;
  config->max_connections_per_user = 8;
  config->messages_per_second = 40;
  config->message_burst = 80;
  config->max_message_size = 256 * 1024;
  config->heartbeat_interval = 3;
  config->dead_after = 9;
  config->stun_servers = g_new0 (char *, 1);
  config->turn_servers = g_new0 (char *, 1);
  config->turn_credential_lifetime = 24 * 3600;

  return config;
}

void
mcs_config_free (McsConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->listen);
  g_free (config->database);
  g_free (config->secret_file);
  g_free (config->node);
  g_free (config->tls_certificate);
  g_free (config->tls_key);
  g_free (config->public_url);
  g_strfreev (config->allowed_origins);
  g_strfreev (config->trusted_proxies);
  g_free (config->admin_api_key);
  g_strfreev (config->stun_servers);
  g_strfreev (config->turn_servers);
  g_free (config->turn_secret);
  g_free (config);
}

gboolean
mcs_config_load_file (McsConfig  *config,
                      const char *path,
                      GError    **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError)   local_error = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_IO,
                   "Cannot read the configuration file %s: %s", path, local_error->message);
      return FALSE;
    }

  if (!load_key_file (config, file, &local_error))
    {
      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
mcs_config_load_data (McsConfig  *config,
                      const char *data,
                      GError    **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();

  if (!g_key_file_load_from_data (file, data, -1, G_KEY_FILE_NONE, error))
    return FALSE;

  return load_key_file (config, file, error);
}

/**
 * mcs_config_parse_listen:
 * @listen: `HOST:PORT`, with an IPv6 host in brackets (`[::1]:8080`)
 * @host: (out): the host
 * @port: (out): the port; 0 asks for any free port
 * @error: a #GError
 *
 * Returns: %TRUE if @listen is well formed
 */
gboolean
mcs_config_parse_listen (const char *listen,
                         char      **host,
                         guint16    *port,
                         GError    **error)
{
  g_autofree char *host_part = NULL;
  const char      *colon;
  guint64          value;

  if (listen == NULL || (colon = strrchr (listen, ':')) == NULL || colon == listen)
    goto invalid;

  host_part = g_strndup (listen, colon - listen);
  if (host_part[0] == '[')
    {
      gsize length = strlen (host_part);

      if (length < 3 || host_part[length - 1] != ']')
        goto invalid;

      host_part[length - 1] = '\0';
      memmove (host_part, host_part + 1, length - 1);
    }
  else if (strchr (host_part, ':') != NULL)
    goto invalid;

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &value, NULL))
    goto invalid;

  *host = g_steal_pointer (&host_part);
  *port = (guint16) value;
  return TRUE;

invalid:
  g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
               "The listen address must be HOST:PORT, such as 127.0.0.1:8080 or [::1]:8080, "
               "not “%s”",
               listen ? listen : "");
  return FALSE;
}

/**
 * mcs_config_get_plain_http_warning:
 * @config: a valid configuration
 *
 * Plain HTTP is fine on loopback, behind a TLS proxy on the same machine,
 * and nowhere else: passwords and session tokens would cross the network
 * in clear text. The server says so at start, and `--check-config` too.
 *
 * Returns: (transfer full) (nullable): the warning, or %NULL when the
 *   server serves TLS or listens on a loopback address only
 */
char *
mcs_config_get_plain_http_warning (const McsConfig *config)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autofree char         *host = NULL;
  guint16                  port;

  if (config->tls_certificate != NULL ||
      !mcs_config_parse_listen (config->listen, &host, &port, NULL) ||
      g_str_equal (host, "localhost"))
    return NULL;

  address = g_inet_address_new_from_string (host);
  if (address != NULL && g_inet_address_get_is_loopback (address))
    return NULL;

  return g_strdup_printf ("Serving plain HTTP on %s, which is not a loopback address: passwords "
                          "and session tokens would cross the network unencrypted. Set "
                          "tls-certificate and tls-key, or listen on 127.0.0.1 behind a TLS "
                          "proxy on this machine",
                          config->listen);
}

/**
 * mcs_config_validate:
 * @config: a configuration
 * @error: a #GError
 *
 * Checks what single keys cannot: that they fit together.
 *
 * Returns: %TRUE if the server can run with @config
 */
gboolean
mcs_config_validate (McsConfig *config,
                     GError   **error)
{
  g_autofree char *host = NULL;
  guint16          port;

  if (!mcs_config_parse_listen (config->listen, &host, &port, error))
    return FALSE;

  /* Servers sharing a port share a machine and a listen address: the
   * default name, from those two, would be the same for all of them, and
   * each would close the others' attendance records as its own. */
  if (config->reuse_port && (config->node == NULL || config->node[0] == '\0'))
    {
      g_set_error_literal (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                           "reuse-port needs a node name of this server's own: set [server] "
                           "node (or --node), different for each server on the port");
      return FALSE;
    }

  /* Servers sharing an SQLite file do not relay a lesson between them: the
   * kernel would put its two participants on two of them, who would never
   * meet. */
  if (config->reuse_port && !mcs_database_is_url (config->database))
    {
      g_set_error_literal (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                           "reuse-port needs a PostgreSQL database: servers sharing an SQLite "
                           "file do not relay a lesson between them");
      return FALSE;
    }

  if ((config->tls_certificate == NULL) != (config->tls_key == NULL))
    {
      g_set_error_literal (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                           "TLS needs both a certificate and a key");
      return FALSE;
    }

  if (config->turn_servers[0] != NULL && config->turn_secret == NULL)
    {
      g_set_error_literal (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                           "TURN servers are configured but no TURN secret: set [ice] "
                           "turn-secret or turn-secret-file (coturn's static-auth-secret)");
      return FALSE;
    }

  for (guint i = 0; config->stun_servers[i] != NULL; i++)
    {
      if (!g_str_has_prefix (config->stun_servers[i], "stun:") &&
          !g_str_has_prefix (config->stun_servers[i], "stuns:"))
        {
          g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                       "A STUN server must be a stun: or stuns: URL, not “%s”",
                       config->stun_servers[i]);
          return FALSE;
        }
    }

  for (guint i = 0; config->turn_servers[i] != NULL; i++)
    {
      if (!g_str_has_prefix (config->turn_servers[i], "turn:") &&
          !g_str_has_prefix (config->turn_servers[i], "turns:"))
        {
          g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                       "A TURN server must be a turn: or turns: URL, not “%s”",
                       config->turn_servers[i]);
          return FALSE;
        }
    }

  if (config->dead_after <= config->heartbeat_interval)
    {
      g_set_error_literal (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                           "[signaling] dead-after must be longer than heartbeat-interval");
      return FALSE;
    }

  if (config->admin_api_key != NULL && strlen (config->admin_api_key) < 16)
    {
      g_set_error_literal (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                           "The admin API key must be at least 16 characters long");
      return FALSE;
    }

  if (config->public_url != NULL &&
      !g_str_has_prefix (config->public_url, "http://") &&
      !g_str_has_prefix (config->public_url, "https://"))
    {
      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                   "The public URL must start with http:// or https://, not “%s”",
                   config->public_url);
      return FALSE;
    }

  if (config->public_url != NULL && strpbrk (config->public_url, "?#") != NULL)
    {
      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                   "The public URL must have no query or fragment, not “%s”",
                   config->public_url);
      return FALSE;
    }

  return TRUE;
}

/**
 * mcs_config_default_database:
 *
 * Returns: (transfer full): the database's default path, under the user's
 *   XDG data directory
 */
char *
mcs_config_default_database (void)
{
  return g_build_filename (g_get_user_data_dir (), "mentorcall", "mentorcall.db", NULL);
}

/**
 * mcs_config_get_secret_file:
 * @config: a configuration with a database path
 *
 * Returns: (transfer full): where the signing secret lives: the configured
 *   file, or `server-secret` beside the database (in the user's data
 *   directory for a PostgreSQL database)
 */
char *
mcs_config_get_secret_file (McsConfig *config)
{
  g_autofree char *dir = NULL;

  if (config->secret_file != NULL)
    return g_strdup (config->secret_file);

  /* A PostgreSQL database has no directory: the secret stays in the
   * user's data directory, where the default database would be. Servers
   * that share a database must share this file too (`secret-file`). */
  if (mcs_database_is_url (config->database))
    return g_build_filename (g_get_user_data_dir (), "mentorcall", "server-secret", NULL);

  dir = g_path_get_dirname (config->database);
  return g_build_filename (dir, "server-secret", NULL);
}

/**
 * mcs_config_get_node:
 * @config: a configuration
 *
 * Returns: (transfer full): this server's name among the servers on its
 *   database: the configured `node`, or the host's name and the configured
 *   listen address, which stay the same when it restarts
 */
char *
mcs_config_get_node (McsConfig *config)
{
  if (config->node != NULL && config->node[0] != '\0')
    return g_strdup (config->node);

  return g_strdup_printf ("%s/%s", g_get_host_name (), config->listen);
}

/**
 * mcs_config_read_secret_file:
 * @path: a file holding one secret on its first line
 * @value: (out): the secret
 * @error: a #GError
 *
 * Secrets are read from files so that they stay out of process listings and
 * out of the main configuration file, which is often world-readable.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_config_read_secret_file (const char *path,
                             char      **value,
                             GError    **error)
{
  g_autofree char *contents = NULL;
  char            *newline;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);

  if (contents[0] == '\0')
    {
      g_set_error (error, MCS_CONFIG_ERROR, MCS_CONFIG_ERROR_INVALID,
                   "The secret file %s is empty", path);
      return FALSE;
    }

  *value = g_steal_pointer (&contents);
  return TRUE;
}
