/* main.c — mentorcall-server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mentorcall-server"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <glib-unix.h>

#include "mcs-admin.h"
#include "mcs-cli.h"
#include "mcs-clock.h"
#include "mcs-server.h"

typedef struct
{
  char         *config_file;
  char         *listen;
  char         *database;
  char         *tls_certificate;
  char         *tls_key;
  char         *public_url;
  char         *node;
  char         *admin_api_key_file;
  char         *turn_secret_file;
  GStrv         stun;
  GStrv         turn;
  int           join_before;
  int           join_after;
  gint64        token_lifetime;
  gint64        session_lifetime;
  gboolean      demo;
  gboolean      reuse_port;
  gboolean      check_config;
  gboolean      verbose;
  gboolean      test_clock;
  gboolean      version;
  McsCliOptions cli;
} Options;

static void
options_clear (Options *options)
{
  g_free (options->config_file);
  g_free (options->listen);
  g_free (options->database);
  g_free (options->tls_certificate);
  g_free (options->tls_key);
  g_free (options->public_url);
  g_free (options->node);
  g_free (options->admin_api_key_file);
  g_free (options->turn_secret_file);
  g_strfreev (options->stun);
  g_strfreev (options->turn);
  g_free (options->cli.username);
  g_free (options->cli.name);
  g_free (options->cli.role);
  g_free (options->cli.mentor);
  g_free (options->cli.student);
  g_free (options->cli.start);
  g_free (options->cli.end);
  g_free (options->cli.subject);
  g_free (options->cli.status);
  g_free (options->cli.events);
  g_free (options->cli.secret);
  g_free (options->cli.description);
}

static void
replace_string (char      **target,
                const char *value)
{
  if (value == NULL)
    return;

  g_free (*target);
  *target = g_strdup (value);
}

/* Command-line options win over the configuration file. */
static McsConfig *
build_config (const Options *options,
              GError       **error)
{
  g_autoptr (McsConfig) config = mcs_config_new ();
  const char           *env_key = g_getenv ("MENTORCALL_ADMIN_API_KEY");

  if (options->config_file != NULL && !mcs_config_load_file (config, options->config_file, error))
    return NULL;

  replace_string (&config->listen, options->listen);
  replace_string (&config->database, options->database);
  replace_string (&config->tls_certificate, options->tls_certificate);
  replace_string (&config->tls_key, options->tls_key);
  replace_string (&config->public_url, options->public_url);
  replace_string (&config->node, options->node);
  if (options->reuse_port)
    config->reuse_port = TRUE;

  if (env_key != NULL && env_key[0] != '\0')
    replace_string (&config->admin_api_key, env_key);

  if (options->admin_api_key_file != NULL)
    {
      g_clear_pointer (&config->admin_api_key, g_free);
      if (!mcs_config_read_secret_file (options->admin_api_key_file, &config->admin_api_key,
                                        error))
        return NULL;
    }

  if (options->turn_secret_file != NULL)
    {
      g_clear_pointer (&config->turn_secret, g_free);
      if (!mcs_config_read_secret_file (options->turn_secret_file, &config->turn_secret, error))
        return NULL;
    }

  if (options->stun != NULL)
    {
      g_strfreev (config->stun_servers);
      config->stun_servers = g_strdupv (options->stun);
    }

  if (options->turn != NULL)
    {
      g_strfreev (config->turn_servers);
      config->turn_servers = g_strdupv (options->turn);
    }

  if (options->join_before >= 0)
    config->join_before = (gint64) options->join_before * 60;
  if (options->join_after >= 0)
    config->join_after = (gint64) options->join_after * 60;
  if (options->token_lifetime > 0)
    config->token_lifetime = options->token_lifetime;
  if (options->session_lifetime > 0)
    config->session_lifetime = options->session_lifetime;

  if (config->database == NULL)
    config->database = mcs_config_default_database ();

  if (!mcs_config_validate (config, error))
    return NULL;

  return g_steal_pointer (&config);
}

/* The GnuTLS priority glib-networking uses for every TLS connection: the
 * library's defaults and %COMPAT (what glib-networking itself adds), minus
 * TLS 1.0 and 1.1, which have no secure cipher suites left (RFC 8996).
 * glib-networking reads G_TLS_GNUTLS_PRIORITY once, when the first TLS
 * connection is made, and offers no API for a minimum version, so the
 * variable is the way to set it; see docs/protocol.md. */
#define TLS_PRIORITY        "NORMAL:%COMPAT"
#define TLS_PRIORITY_LIMITS ":-VERS-TLS1.1:-VERS-TLS1.0"

static void
set_tls_minimum (void)
{
  const char      *custom = g_getenv ("G_TLS_GNUTLS_PRIORITY");
  g_autofree char *priority = NULL;

  /* An operator's own string is kept, with the old versions still taken
   * out of it: removals can be appended to any priority string. */
  priority = g_strconcat (custom != NULL && custom[0] != '\0' ? custom : TLS_PRIORITY,
                          TLS_PRIORITY_LIMITS, NULL);
  g_setenv ("G_TLS_GNUTLS_PRIORITY", priority, TRUE);
}

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Shutting down");
  g_main_loop_quit (loop);

  /* run_server() removes both signal sources itself. */
  return G_SOURCE_CONTINUE;
}

/* Every WebSocket and every HTTP connection is a descriptor, and the soft
 * limit is often 1024 (systemd's default for services) while the hard one
 * is far higher: take what we may, so that thousands of rooms fit. */
static void
raise_open_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
    return;

  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_debug ("Cannot raise the open-file limit to %lu", (unsigned long) limit.rlim_max);
}

static int
run_server (McsConfig *config,
            gboolean   demo)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (McsServer) server = NULL;
  g_autoptr (GError)    error = NULL;
  g_autofree char      *plain_http = mcs_config_get_plain_http_warning (config);
  GSList               *uris;
  guint                 sigint_id, sigterm_id;

  if (plain_http != NULL)
    g_warning ("%s", plain_http);

  server = mcs_server_new (config, &error);
  if (server == NULL)
    {
      g_printerr ("mentorcall-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (demo)
    {
      g_autoptr (GString) report = g_string_new (NULL);

      if (!mcs_admin_seed_demo (mcs_server_get_store (server), mcs_server_get_config (server),
                                report, &error))
        {
          g_printerr ("mentorcall-server: cannot create the demo data: %s\n", error->message);
          return EXIT_FAILURE;
        }

      g_print ("%s", report->str);
    }

  raise_open_file_limit ();

  if (!mcs_server_listen (server, &error))
    {
      g_printerr ("mentorcall-server: cannot listen on %s: %s\n",
                  mcs_server_get_config (server)->listen, error->message);
      return EXIT_FAILURE;
    }

  /* Before announcing ourselves: a supervisor may stop us right after. */
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);

  uris = mcs_server_get_uris (server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *text = g_uri_to_string (l->data);

      g_print ("Listening on %s\n", text);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  fflush (stdout);

  g_main_loop_run (loop);

  /* Let the WebSocket close frames out, so clients reconnect at once. */
  mcs_server_shutdown (server);
  for (gint64 deadline = g_get_monotonic_time () + 200 * 1000;
       g_get_monotonic_time () < deadline;)
    g_main_context_iteration (NULL, FALSE);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  Options options = {
    .join_before = -1,
    .join_after = -1,
  };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &options.config_file,
      "Read the configuration from FILE", "FILE" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &options.listen,
      "Listen on ADDRESS:PORT (default 127.0.0.1:8080; port 0 picks a free one)", "ADDR:PORT" },
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &options.database,
      "The SQLite database file (default $XDG_DATA_HOME/mentorcall/mentorcall.db), or a "
      "postgresql:// URL",
      "PATH|URL" },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_certificate,
      "Serve HTTPS with this PEM certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_key,
      "The certificate's PEM private key", "FILE" },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &options.public_url,
      "The server's address as clients see it, behind a proxy", "URL" },
    { "node", 0, 0, G_OPTION_ARG_STRING, &options.node,
      "This server's name among those on its database (default: host name and listen address)",
      "NAME" },
    { "reuse-port", 0, 0, G_OPTION_ARG_NONE, &options.reuse_port,
      "Share the listen port with other servers on this machine (SO_REUSEPORT; needs --node and "
      "PostgreSQL)",
      NULL },
    { "join-before", 0, 0, G_OPTION_ARG_INT, &options.join_before,
      "Minutes before a lesson's start that joining opens (default 15)", "MINUTES" },
    { "join-after", 0, 0, G_OPTION_ARG_INT, &options.join_after,
      "Minutes after a lesson's end that joining closes (default 30)", "MINUTES" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT64, &options.token_lifetime,
      "Lifetime of call tokens (default 3600)", "SECONDS" },
    { "session-lifetime", 0, 0, G_OPTION_ARG_INT64, &options.session_lifetime,
      "Lifetime of login sessions (default 2592000, 30 days)", "SECONDS" },
    { "admin-api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &options.admin_api_key_file,
      "Enable the admin API with the key in FILE (or set MENTORCALL_ADMIN_API_KEY)", "FILE" },
    { "stun", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.stun,
      "A STUN server for clients, such as stun:stun.example.org:3478 (repeatable)", "URL" },
    { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.turn,
      "A TURN server for clients, such as turn:turn.example.org:3478 (repeatable)", "URL" },
    { "turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &options.turn_secret_file,
      "coturn's static-auth-secret, for TURN credentials", "FILE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &options.demo,
      "Create demo accounts and a lesson joinable now before serving", NULL },
    { "check-config", 0, 0, G_OPTION_ARG_NONE, &options.check_config,
      "Check the configuration and exit", NULL },
    { "test-clock", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &options.test_clock,
      "For tests: let POST /api/v1/admin/test-clock move the server's clock", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose,
      "Log every request", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options.version,
      "Print the version and exit", NULL },
    { NULL }
  };
  const GOptionEntry admin_entries[] = {
    { "username", 0, 0, G_OPTION_ARG_STRING, &options.cli.username, "user add: the username", "U" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &options.cli.name, "user add: the display name", "NAME" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &options.cli.role, "user add: mentor or student", "ROLE" },
    { "mentor", 0, 0, G_OPTION_ARG_STRING, &options.cli.mentor, "booking add: the mentor", "U" },
    { "student", 0, 0, G_OPTION_ARG_STRING, &options.cli.student, "booking add: the student", "U" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &options.cli.start,
      "booking add: the start, ISO 8601 with a zone", "TIME" },
    { "end", 0, 0, G_OPTION_ARG_STRING, &options.cli.end,
      "booking add: the end, ISO 8601 with a zone", "TIME" },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &options.cli.subject, "booking add: the subject", "S" },
    { "status", 0, 0, G_OPTION_ARG_STRING, &options.cli.status,
      "booking add: pending (default) or confirmed", "STATUS" },
    { "events", 0, 0, G_OPTION_ARG_STRING, &options.cli.events,
      "webhook add: the events to send, separated by commas (default: all)", "E,E" },
    { "secret", 0, 0, G_OPTION_ARG_STRING, &options.cli.secret,
      "webhook add: the signing secret, whsec_… (default: a new one)", "S" },
    { "description", 0, 0, G_OPTION_ARG_STRING, &options.cli.description,
      "webhook add: a note", "TEXT" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (McsConfig)      config = NULL;
  g_autoptr (GError)         error = NULL;
  GOptionGroup              *admin_group;
  int                        status;

  setlocale (LC_ALL, "");

  /* Before anything can make a TLS connection, while no thread runs yet. */
  set_tls_minimum ();

  context = g_option_context_new ("[COMMAND…] — the Mentorcall server");
  g_option_context_set_summary (context,
                                "Without a command, serves the REST API. Commands work on the "
                                "database directly:\n"
                                "  user add --username U --name NAME --role mentor|student\n"
                                "           (the password is read from standard input)\n"
                                "  user list\n"
                                "  booking add --mentor U --student U --start TIME --end TIME\n"
                                "              [--subject S] [--status pending|confirmed]\n"
                                "  booking list\n"
                                "  booking cancel ID\n"
                                "  webhook add URL [--events E,E] [--secret S] [--description TEXT]\n"
                                "  webhook list\n"
                                "  webhook remove ID\n"
                                "  webhook deliveries [ID]\n"
                                "  webhook redeliver DELIVERY_ID\n"
                                "  demo-data");
  g_option_context_add_main_entries (context, entries, NULL);
  admin_group = g_option_group_new ("admin", "Options of the admin commands:",
                                    "Show the admin commands' options", NULL, NULL);
  g_option_group_add_entries (admin_group, admin_entries);
  g_option_context_add_group (context, admin_group);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("mentorcall-server: %s\nTry “mentorcall-server --help”.\n", error->message);
      options_clear (&options);
      return 2;
    }

  if (options.version)
    {
      g_print ("mentorcall-server %s\n", PACKAGE_VERSION);
      options_clear (&options);
      return EXIT_SUCCESS;
    }

  if (options.verbose)
    g_log_set_debug_enabled (TRUE);

  if (options.test_clock)
    {
      g_printerr ("mentorcall-server: --test-clock: the admin API can move this server's clock "
                  "forward; for tests only, never in production\n");
      mcs_clock_enable_test_mode ();
    }

  config = build_config (&options, &error);
  if (config == NULL)
    {
      g_printerr ("mentorcall-server: %s\n", error->message);
      options_clear (&options);
      return EXIT_FAILURE;
    }

  if (options.check_config)
    {
      g_autofree char *plain_http = mcs_config_get_plain_http_warning (config);

      if (plain_http != NULL)
        g_printerr ("mentorcall-server: warning: %s\n", plain_http);
      g_print ("Configuration OK\n");
      options_clear (&options);
      return EXIT_SUCCESS;
    }

  if (argc > 1)
    {
      if (!mcs_cli_is_command (argv[1]))
        {
          g_printerr ("mentorcall-server: unknown command “%s”\n"
                      "Try “mentorcall-server --help”.\n",
                      argv[1]);
          options_clear (&options);
          return 2;
        }

      status = mcs_cli_run (config, &options.cli, argv + 1);
    }
  else
    {
      status = run_server (g_steal_pointer (&config), options.demo);
    }

  options_clear (&options);
  return status;
}
