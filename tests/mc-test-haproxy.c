/* mc-test-haproxy.c — a real HAProxy in front of test servers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs Debian's haproxy with the example configuration we ship,
 * data/haproxy.cfg (MENTORCALL_HAPROXY_CFG names it), with its bind,
 * maxconn and server lines replaced and its checks five times as often: it
 * listens on 127.0.0.1, checks the servers every 200 ms, and sends to the
 * test servers given. Everything else (the routing by booking, the time-outs) is the
 * example's own, so the tests and benchmarks that use it test the example.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "mc-test-haproxy.h"

struct _McTestHaproxy
{
  GSubprocess *process;
  guint16      port;
  char        *url;
  char        *log_path;
};

/* The example, rewritten for the test. The backend is its last section. */
static char *
make_config (McTestServer * const *servers,
             guint                 n_servers,
             guint16               port,
             guint                 max_connections)
{
  const char        *example = g_getenv ("MENTORCALL_HAPROXY_CFG");
  g_autofree char   *text = NULL;
  g_auto (GStrv)     lines = NULL;
  g_autoptr (GError) error = NULL;
  GString           *config = g_string_new (NULL);

  if (example == NULL)
    g_error ("MENTORCALL_HAPROXY_CFG does not name data/haproxy.cfg");
  g_file_get_contents (example, &text, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *word = line + strspn (line, " ");

      if (g_str_has_prefix (word, "bind "))
        g_string_append_printf (config, "    bind 127.0.0.1:%u\n", port);
      else if (g_str_has_prefix (word, "maxconn "))
        /* HAProxy wants two descriptors a connection: within our limit. */
        g_string_append_printf (config, "    maxconn %u\n", max_connections);
      else if (g_str_has_prefix (word, "default-server "))
        {
          /* The example's, checking five times as often. */
          g_auto (GStrv) parts = g_strsplit (line, " inter 1s ", 2);

          g_assert_cmpuint (g_strv_length (parts), ==, 2);
          g_string_append_printf (config, "%s inter 200ms %s\n", parts[0], parts[1]);
        }
      else if (g_str_has_prefix (word, "server "))
        continue;
      else if (g_str_has_prefix (word, "log stdout"))
        g_string_append (config, "    log stderr format raw local0\n");
      else
        g_string_append_printf (config, "%s\n", line);
    }

  for (guint i = 0; i < n_servers; i++)
    g_string_append_printf (config, "    server node%u 127.0.0.1:%u\n", i + 1,
                            mc_test_server_get_port (servers[i]));

  return g_string_free (config, FALSE);
}

/**
 * mc_test_haproxy_find:
 *
 * Returns: (nullable): the haproxy program (in /usr/sbin, which a user's
 *   PATH may not have), or %NULL if it is not installed
 */
const char *
mc_test_haproxy_find (void)
{
  static char *path;

  if (path == NULL)
    path = g_find_program_in_path ("haproxy");
  if (path == NULL && g_file_test ("/usr/sbin/haproxy", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/sbin/haproxy");

  return path;
}

/**
 * mc_test_haproxy_start:
 * @servers: (array length=n_servers): running test servers
 * @n_servers: how many
 * @port: where it listens on 127.0.0.1, or 0 for a free port
 * @max_connections: its maxconn
 * @dir: where its configuration and log go
 *
 * Starts HAProxy in front of @servers and waits until it listens. It dies
 * with the test.
 *
 * Returns: (transfer full): the running HAProxy
 */
McTestHaproxy *
mc_test_haproxy_start (McTestServer * const *servers,
                       guint                 n_servers,
                       guint16               port,
                       guint                 max_connections,
                       const char           *dir)
{
  McTestHaproxy                  *self = g_new0 (McTestHaproxy, 1);
  const char                     *haproxy = mc_test_haproxy_find ();
  g_autofree char                *config_path = g_build_filename (dir, "haproxy.cfg", NULL);
  g_autofree char                *config = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError)              error = NULL;

  g_assert_nonnull (haproxy);

  self->port = port != 0 ? port : mc_test_free_port (G_SOCKET_TYPE_STREAM);
  config = make_config (servers, n_servers, self->port, max_connections);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  self->log_path = g_build_filename (dir, "haproxy.log", NULL);
  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, dir, SIGKILL);
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log_path);
  /* -db: in the foreground, no daemon. */
  self->process = g_subprocess_launcher_spawn (launcher, &error, haproxy, "-db", "-f",
                                               config_path, NULL);
  g_assert_no_error (error);

  for (guint i = 0; i < 200 && !mc_test_tcp_listening (self->port); i++)
    g_usleep (50 * 1000);
  if (!mc_test_tcp_listening (self->port))
    {
      g_autofree char *log = NULL;

      g_file_get_contents (self->log_path, &log, NULL, NULL);
      g_error ("haproxy did not listen on 127.0.0.1:%u; its log:\n%s", self->port,
               log != NULL ? log : "");
    }

  self->url = g_strdup_printf ("http://127.0.0.1:%u/", self->port);
  return self;
}

/**
 * mc_test_haproxy_free:
 *
 * Stops it (SIGTERM) and waits for it.
 */
void
mc_test_haproxy_free (McTestHaproxy *self)
{
  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait (self->process, NULL, NULL);
      g_clear_object (&self->process);
    }
  g_free (self->url);
  g_free (self->log_path);
  g_free (self);
}

/**
 * mc_test_haproxy_get_url:
 *
 * Returns: `http://127.0.0.1:PORT/`
 */
const char *
mc_test_haproxy_get_url (McTestHaproxy *self)
{
  return self->url;
}

/**
 * mc_test_haproxy_get_pid:
 *
 * Returns: its process id, for its CPU
 */
GPid
mc_test_haproxy_get_pid (McTestHaproxy *self)
{
  const char *id = g_subprocess_get_identifier (self->process);

  return id != NULL ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}
