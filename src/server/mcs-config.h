/* mcs-config.h — the server's configuration
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MCS_CONFIG_ERROR (mcs_config_error_quark ())

typedef enum
{
  MCS_CONFIG_ERROR_INVALID,
  MCS_CONFIG_ERROR_IO,
} McsConfigError;

typedef enum
{
  MCS_HASH_STRENGTH_INTERACTIVE,
  MCS_HASH_STRENGTH_MODERATE,
  MCS_HASH_STRENGTH_MINIMUM,
} McsHashStrength;

/**
 * McsConfig:
 *
 * Everything the server can be told, from the key file and the command line.
 * Times are in seconds unless a name says otherwise.
 */
typedef struct
{
  /* [server] */
  char    *listen;
  char    *database;
  char    *secret_file;
  char    *node;
  gboolean reuse_port; /* share the listen port with other servers on this machine */
  char    *tls_certificate;
  char    *tls_key;
  char    *public_url;
  gint64   max_body_size;
  guint    request_timeout;
  GStrv    allowed_origins;
  GStrv    trusted_proxies; /* addresses whose X-Forwarded-For is believed */

  /* [auth] */
  char           *admin_api_key;
  gint64          session_lifetime;
  McsHashStrength password_hash_strength;
  guint           max_concurrent_hashes;
  guint           max_queued_logins;
  guint           login_failures_per_account;
  guint           login_attempts_per_address;
  gint64          login_rate_window;

  /* [calls] */
  gint64 join_before;
  gint64 join_after;
  gint64 token_lifetime;
  gint64 end_grace;

  /* [signaling] */
  guint  max_connections_per_user;
  guint  messages_per_second;
  guint  message_burst;
  gint64 max_message_size;
  guint  heartbeat_interval;
  guint  dead_after;

  /* [ice] */
  GStrv  stun_servers;
  GStrv  turn_servers;
  char  *turn_secret;
  gint64 turn_credential_lifetime;
} McsConfig;

GQuark     mcs_config_error_quark (void);
McsConfig *mcs_config_new (void);
void       mcs_config_free (McsConfig *config);
gboolean   mcs_config_load_file (McsConfig  *config,
                                 const char *path,
                                 GError    **error);
gboolean   mcs_config_load_data (McsConfig  *config,
                                 const char *data,
                                 GError    **error);
gboolean   mcs_config_validate (McsConfig *config,
                                GError   **error);
gboolean   mcs_config_parse_listen (const char *listen,
                                    char      **host,
                                    guint16    *port,
                                    GError    **error);
char      *mcs_config_get_plain_http_warning (const McsConfig *config);
char      *mcs_config_default_database (void);
char      *mcs_config_get_secret_file (McsConfig *config);
char      *mcs_config_get_node (McsConfig *config);
gboolean   mcs_config_read_secret_file (const char *path,
                                        char      **value,
                                        GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McsConfig, mcs_config_free)

G_END_DECLS
