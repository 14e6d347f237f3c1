/* mc-test-server.c — run a real mentorcall-server for the tests and talk to it
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every server test starts the real `mentorcall-server` binary (its path comes
 * from the environment variable MENTORCALL_SERVER, set by tests/meson.build)
 * in a temporary directory of its own, with a configuration file written here,
 * on 127.0.0.1 and a port the kernel picks. Stopping it checks that it exited
 * with status 0 after SIGTERM, which is how a crash, an abort on a critical
 * warning (the tests run with G_DEBUG=fatal-warnings) or a sanitizer report
 * shows up.
 *
 * The HTTP helpers use a synchronous SoupSession. That is fine here: the
 * server is another process, and a test does one thing at a time.
 */

#define G_LOG_DOMAIN "mc-test"

#include <signal.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mc-protocol.h"
#include "mc-test-database.h"
#include "mc-test-server.h"

/* Generous, because the suite also runs under AddressSanitizer and on busy
 * CI machines. These only bound how long a broken server can hang a test; no
 * test passes or fails because something was quick or slow. */
#define START_TIMEOUT_SECONDS 60
#define STOP_TIMEOUT_SECONDS  60
#define HTTP_TIMEOUT_SECONDS  60
/* Raw requests test answers that must come without the whole body. */
#define RAW_TIMEOUT_SECONDS 30

struct _McTestServer
{
  char      *dir;
  char      *config_path;
  char      *database;
  gboolean   owns_database; /* not a node sharing another's */
  char      *secret_file;   /* NULL: the server's default */
  GPtrArray *extra_args;
  char     **extra_env; /* NAME=VALUE for the next starts */

  GSubprocess  *process;
  GInputStream *stdout_stream;
  char         *stderr_path;
  GString      *output; /* of the last run, once stopped */
  guint         n_starts;
  guint16       fixed_port;

  char        *url;
  guint16      port;
  SoupSession *session;
};

typedef struct
{
  GMainLoop *loop;
  char      *listening_line;
  GString   *other_output;
  gboolean   eof;
  gboolean   exited;
  gboolean   timed_out;
} Wait;

/* Helpers */

static char *
read_stderr (McTestServer *self)
{
  g_autofree char *contents = NULL;

  if (self->stderr_path == NULL || !g_file_get_contents (self->stderr_path, &contents, NULL, NULL))
    return g_strdup ("(no standard error output)");

  if (contents[0] == '\0')
    return g_strdup ("(empty standard error output)");

  return g_steal_pointer (&contents);
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);

  return G_SOURCE_REMOVE;
}

static void
process_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Wait *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  wait->exited = TRUE;
  g_main_loop_quit (wait->loop);
}

/* Waits at most @seconds for the process to exit. */
static gboolean
wait_for_exit (GSubprocess *process,
               guint        seconds)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GMainLoop)    loop = g_main_loop_new (context, FALSE);
  g_autoptr (GSource)      timeout = g_timeout_source_new_seconds (seconds);
  Wait                     wait = { .loop = loop };

  g_main_context_push_thread_default (context);

  g_source_set_callback (timeout, wait_timeout_cb, &wait, NULL);
  g_source_attach (timeout, context);
  g_subprocess_wait_async (process, NULL, process_exited_cb, &wait);

  while (!wait.exited && !wait.timed_out)
    g_main_loop_run (loop);

  g_source_destroy (timeout);

  /* Let a pending wait callback run so that it does not outlive @wait. */
  if (!wait.exited)
    {
      g_subprocess_force_exit (process);
      while (!wait.exited)
        g_main_context_iteration (context, TRUE);
      g_main_context_pop_thread_default (context);
      return FALSE;
    }

  g_main_context_pop_thread_default (context);
  return TRUE;
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GDataInputStream *stream = G_DATA_INPUT_STREAM (object);
  Wait             *wait = user_data;
  g_autofree char  *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, NULL);
  if (line == NULL)
    {
      wait->eof = TRUE;
      g_main_loop_quit (wait->loop);
      return;
    }

  if (g_str_has_prefix (line, "Listening on http://127.0.0.1:"))
    {
      wait->listening_line = g_steal_pointer (&line);
      g_main_loop_quit (wait->loop);
      return;
    }

  g_string_append_printf (wait->other_output, "%s\n", line);
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, line_read_cb, wait);
}

static void
write_config (McTestServer *self,
              const char   *overrides)
{
  g_autoptr (GKeyFile) config = g_key_file_new ();
  g_autoptr (GError)   error = NULL;
  g_autofree char     *data = NULL;

  g_key_file_set_string (config, "server", "listen", "127.0.0.1:0");
  g_key_file_set_string (config, "server", "database", self->database);
  if (self->secret_file != NULL)
    g_key_file_set_string (config, "server", "secret-file", self->secret_file);
  /* Its name among the servers on its database: the same across restarts,
   * different for each test server (they all listen on 127.0.0.1:0). */
  {
    g_autofree char *node = g_path_get_basename (self->dir);

    g_key_file_set_string (config, "server", "node", node);
  }
  g_key_file_set_string (config, "auth", "admin-api-key", MC_TEST_ADMIN_KEY);
  g_key_file_set_string (config, "auth", "password-hash-strength", "minimum");
  /* Every request of a test comes from 127.0.0.1: keep the per-address login
   * limit out of the way unless a test is about it. */
  g_key_file_set_string (config, "auth", "login-attempts-per-address", "100000");

  if (overrides != NULL)
    {
      g_autoptr (GKeyFile) extra = g_key_file_new ();
      g_auto (GStrv)       groups = NULL;

      g_key_file_load_from_data (extra, overrides, -1, G_KEY_FILE_NONE, &error);
      g_assert_no_error (error);

      groups = g_key_file_get_groups (extra, NULL);
      for (guint i = 0; groups[i] != NULL; i++)
        {
          g_auto (GStrv) keys = g_key_file_get_keys (extra, groups[i], NULL, NULL);

          for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
            {
              g_autofree char *value = g_key_file_get_value (extra, groups[i], keys[j], NULL);

              g_key_file_set_value (config, groups[i], keys[j], value);
            }
        }
    }

  data = g_key_file_to_data (config, NULL, NULL);
  g_file_set_contents (self->config_path, data, -1, &error);
  g_assert_no_error (error);
}

/* Runs in the child before exec: the child dies with the test, so an
 * aborted test leaves no process behind. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, GPOINTER_TO_INT (user_data));
}

static GSubprocessLauncher *
make_launcher (McTestServer    *self,
               GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = mc_test_launcher_new (flags, self->dir, SIGTERM);

  /* Keep the server away from the user's files and settings. */
  g_subprocess_launcher_unsetenv (launcher, "MENTORCALL_ADMIN_API_KEY");
  g_subprocess_launcher_setenv (launcher, "HOME", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", self->dir, TRUE);

  return launcher;
}

/* Public API: child processes */

/**
 * mc_test_get_program:
 * @variable: the environment variable that names the program, which
 *   tests/meson.build sets
 * @name: the program's name, for the message when it is not set
 *
 * Returns: the path of a program under test
 */
const char *
mc_test_get_program (const char *variable,
                     const char *name)
{
  const char *binary = g_getenv (variable);

  if (binary == NULL || binary[0] == '\0')
    g_error ("%s is not set: run the tests with “meson test”, or set it to the path of %s",
             variable, name);

  return binary;
}

/**
 * mc_test_free_port:
 * @type: %G_SOCKET_TYPE_STREAM or %G_SOCKET_TYPE_DATAGRAM
 *
 * For helpers that cannot take port 0 (coturn, HAProxy).
 *
 * Returns: a port on 127.0.0.1 that nothing is bound to now
 */
guint16
mc_test_free_port (GSocketType type)
{
  g_autoptr (GSocket)        socket = NULL;
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError)         error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, type, 0, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/**
 * mc_test_tcp_listening:
 * @port: a port on 127.0.0.1
 *
 * Returns: whether something accepts connections there (within 1 s)
 */
gboolean
mc_test_tcp_listening (guint16 port)
{
  g_autoptr (GSocketClient)     client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 1);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

/**
 * mc_test_launcher_new:
 * @flags: the launcher's flags
 * @dir: the directory the child runs in
 * @death_signal: the signal the child gets when the test process dies
 *
 * Every child of a test runs in a directory of its own and dies with the
 * test, so that an aborted test leaves no process behind.
 *
 * Returns: (transfer full): a launcher, to which the caller adds the
 *   child's environment
 */
GSubprocessLauncher *
mc_test_launcher_new (GSubprocessFlags flags,
                      const char      *dir,
                      int              death_signal)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_cwd (launcher, dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (death_signal), NULL);

  return launcher;
}

/**
 * mc_test_describe_exit:
 * @process: a child that has ended
 * @out: where to append how it ended
 */
void
mc_test_describe_exit (GSubprocess *process,
                       GString     *out)
{
  if (g_subprocess_get_if_exited (process))
    g_string_append_printf (out, "exited with status %d", g_subprocess_get_exit_status (process));
  else if (g_subprocess_get_if_signaled (process))
    g_string_append_printf (out, "was killed by signal %d (%s)",
                            g_subprocess_get_term_sig (process),
                            g_strsignal (g_subprocess_get_term_sig (process)));
  else
    g_string_append (out, "ended in an unknown way");
}

/* Public API: the server process */

const char *
mc_test_server_get_binary (void)
{
  return mc_test_get_program ("MENTORCALL_SERVER", "mentorcall-server");
}

/* What every test server has: a directory, a configuration file's path
 * and an HTTP session. */
static McTestServer *
server_alloc (void)
{
  McTestServer              *self = g_new0 (McTestServer, 1);
  g_autoptr (GError)         error = NULL;
  g_autoptr (GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);

  self->dir = g_dir_make_tmp ("mentorcall-test-XXXXXX", &error);
  g_assert_no_error (error);

  self->config_path = g_build_filename (self->dir, "mentorcall-server.conf", NULL);
  self->extra_args = g_ptr_array_new_with_free_func (g_free);

  /* Never go through a proxy from the environment: the tests talk only to
   * 127.0.0.1. */
  self->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS,
                                                 "idle-timeout", HTTP_TIMEOUT_SECONDS,
                                                 "proxy-resolver", no_proxy,
                                                 NULL);

  return self;
}

/**
 * mc_test_server_new:
 * @config_overrides: (nullable): key-file text merged over the default test
 *   configuration, such as `"[auth]\nsession-lifetime=2\n"`; an empty value
 *   unsets a key
 *
 * Makes a temporary directory and a configuration file. The server does not
 * run until mc_test_server_start().
 */
McTestServer *
mc_test_server_new (const char *config_overrides)
{
  McTestServer *self = server_alloc ();

  self->database = mc_test_database_new (self->dir);
  self->owns_database = TRUE;

  /* A PostgreSQL database has no directory to keep the signing secret
   * beside: keep it in the test's, not in the user's data directory. */
  if (mc_test_database_is_postgresql ())
    self->secret_file = g_build_filename (self->dir, "server-secret", NULL);

  write_config (self, config_overrides);

  return self;
}

/**
 * mc_test_server_new_node:
 * @first: a test server that has started once (so its signing secret exists)
 * @config_overrides: (nullable): as for mc_test_server_new()
 *
 * Makes another server ("node") on @first's database, with @first's signing
 * secret, as a platform runs several behind a load balancer. It has its own
 * directory, port and logs; its database outlives it and is dropped with
 * @first's.
 */
McTestServer *
mc_test_server_new_node (McTestServer *first,
                         const char   *config_overrides)
{
  McTestServer *self = server_alloc ();

  self->database = g_strdup (first->database);
  self->secret_file = first->secret_file != NULL
                        ? g_strdup (first->secret_file)
                        : g_build_filename (first->dir, "server-secret", NULL);

  write_config (self, config_overrides);

  return self;
}

/**
 * mc_test_server_add_args:
 * @self: a test server
 * @first_arg: a command-line argument, followed by more and %NULL
 *
 * Adds arguments for the next starts, after `--config FILE`.
 */
void
mc_test_server_add_args (McTestServer *self,
                         const char   *first_arg,
                         ...)
{
  va_list args;

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (self->extra_args, g_strdup (arg));
  va_end (args);
}

/**
 * mc_test_server_setenv:
 * @self: a test server
 * @name: an environment variable
 * @value: its value
 *
 * Sets @name for the server's next starts (and not in the test process,
 * whose threads may read its environment).
 */
void
mc_test_server_setenv (McTestServer *self,
                       const char   *name,
                       const char   *value)
{
  self->extra_env = g_environ_setenv (self->extra_env, name, value, TRUE);
}

/**
 * mc_test_server_start:
 * @self: a test server that is not running
 *
 * Starts the server and waits for its `Listening on` line. Aborts the test,
 * showing the server's standard error, if it exits first or takes too long.
 */
void
mc_test_server_start (McTestServer *self)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  g_autoptr (GError)              error = NULL;
  g_autoptr (GDataInputStream)    lines = NULL;
  g_autoptr (GMainContext)        context = g_main_context_new ();
  g_autoptr (GMainLoop)           loop = g_main_loop_new (context, FALSE);
  g_autoptr (GSource)             timeout = NULL;
  g_autofree char                *name = NULL;
  g_autofree char                *listen = NULL;
  Wait                            wait = { .loop = loop };
  const char                     *port_text;
  guint64                         port;

  g_assert_null (self->process);

  self->n_starts++;
  name = g_strdup_printf ("server-stderr-%u.log", self->n_starts);
  g_free (self->stderr_path);
  self->stderr_path = g_build_filename (self->dir, name, NULL);

  launcher = make_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  for (guint i = 0; self->extra_env != NULL && self->extra_env[i] != NULL; i++)
    {
      g_auto (GStrv) pair = g_strsplit (self->extra_env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  g_subprocess_launcher_set_stderr_file_path (launcher, self->stderr_path);

  g_ptr_array_add (argv, (char *) mc_test_server_get_binary ());
  g_ptr_array_add (argv, (char *) "--config");
  g_ptr_array_add (argv, self->config_path);
  for (guint i = 0; i < self->extra_args->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (self->extra_args, i));
  if (self->fixed_port != 0)
    {
      listen = g_strdup_printf ("127.0.0.1:%u", self->fixed_port);
      g_ptr_array_add (argv, (char *) "--listen");
      g_ptr_array_add (argv, listen);
    }
  g_ptr_array_add (argv, NULL);

  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                &error);
  g_assert_no_error (error);

  self->stdout_stream = g_object_ref (g_subprocess_get_stdout_pipe (self->process));
  lines = g_data_input_stream_new (self->stdout_stream);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  wait.other_output = g_string_new (NULL);

  g_main_context_push_thread_default (context);
  timeout = g_timeout_source_new_seconds (START_TIMEOUT_SECONDS);
  g_source_set_callback (timeout, wait_timeout_cb, &wait, NULL);
  g_source_attach (timeout, context);

  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_read_cb, &wait);
  while (wait.listening_line == NULL && !wait.eof && !wait.timed_out)
    g_main_loop_run (loop);

  g_source_destroy (timeout);
  if (wait.timed_out)
    {
      /* Cancel the pending read by killing the server; wait for it to end. */
      g_subprocess_force_exit (self->process);
      while (!wait.eof && wait.listening_line == NULL)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);

  if (wait.listening_line == NULL)
    {
      g_autoptr (GString) why = g_string_new (NULL);
      g_autofree char    *stderr_text = NULL;

      if (wait.timed_out)
        g_string_append_printf (why, "did not print “Listening on http://127.0.0.1:PORT/” "
                                     "within %d s",
                                START_TIMEOUT_SECONDS);
      else if (wait_for_exit (self->process, STOP_TIMEOUT_SECONDS))
        mc_test_describe_exit (self->process, why);
      else
        g_string_append (why, "closed its standard output without listening");

      stderr_text = read_stderr (self);
      g_error ("mentorcall-server (%s --config %s) %s before listening.\n"
               "Standard output:\n%s\nStandard error:\n%s",
               mc_test_server_get_binary (), self->config_path, why->str,
               wait.other_output->str, stderr_text);
    }

  /* "Listening on http://127.0.0.1:41234/" */
  port_text = wait.listening_line + strlen ("Listening on http://127.0.0.1:");
  {
    g_autofree char *digits = g_strndup (port_text, strcspn (port_text, "/"));

    if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT16, &port, NULL) ||
        !g_str_has_suffix (wait.listening_line, "/"))
      g_error ("mentorcall-server printed a malformed line: “%s”", wait.listening_line);
  }

  self->port = (guint16) port;
  g_free (self->url);
  self->url = g_strdup_printf ("http://127.0.0.1:%u/", self->port);

  g_free (wait.listening_line);
  g_string_free (wait.other_output, TRUE);

  /* A server on PostgreSQL serves once it hears the other servers: a test
   * may count on a change on another server reaching this one. */
  if (mc_test_database_is_postgresql ())
    mc_test_server_wait_health (self, "listening", START_TIMEOUT_SECONDS);
}

/**
 * mc_test_server_get_health:
 * @self: a running test server
 * @other_servers: (out) (optional) (transfer full): its `other_servers`
 *   member (%NULL on SQLite)
 *
 * Returns: the HTTP status of `GET /healthz`
 */
guint
mc_test_server_get_health (McTestServer *self,
                           char        **other_servers)
{
  g_autoptr (JsonNode) body = NULL;
  guint                status;

  body = mc_test_request (self, "GET", "/healthz", NULL, NULL, &status);
  g_assert_nonnull (body);
  if (other_servers != NULL)
    *other_servers = g_strdup (json_object_get_string_member_with_default (
      json_node_get_object (body), "other_servers", NULL));

  return status;
}

/**
 * mc_test_server_wait_health:
 * @self: a running test server
 * @other_servers: what its `GET /healthz` should say of them (ignored on SQLite)
 * @timeout_seconds: how long to wait
 *
 * Waits until the server says it stands so with the other servers,
 * answering 200 when it listens to them and 503 otherwise.
 */
void
mc_test_server_wait_health (McTestServer *self,
                            const char   *other_servers,
                            int           timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + timeout_seconds * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *now = NULL;
      guint            status = mc_test_server_get_health (self, &now);

      if (now == NULL)
        {
          g_assert_cmpuint (status, ==, 200);
          return;
        }
      if (g_str_equal (now, other_servers))
        {
          g_assert_cmpuint (status, ==, g_str_equal (now, "listening") ? 200 : 503);
          return;
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("The server still says it is %s with the other servers after %d s, not %s",
                 now, timeout_seconds, other_servers);
      g_usleep (20 * 1000);
    }
}

/**
 * mc_test_server_stop:
 * @self: a running test server
 *
 * Sends SIGTERM and checks that the server exits with status 0.
 */
void
mc_test_server_stop (McTestServer *self)
{
  g_autoptr (GSubprocess) process = g_steal_pointer (&self->process);
  g_autoptr (GString)     how = g_string_new (NULL);
  gboolean                clean;

  g_assert_nonnull (process);

  /* Drop idle keep-alive connections first, so that the server's exit does
   * not race with a connection the session still holds. */
  soup_session_abort (self->session);

  g_subprocess_send_signal (process, SIGTERM);
  if (!wait_for_exit (process, STOP_TIMEOUT_SECONDS))
    {
      g_autofree char *stderr_text = read_stderr (self);

      g_test_message ("mentorcall-server standard error:\n%s", stderr_text);
      g_test_fail_printf ("mentorcall-server did not exit within %d s of SIGTERM",
                          STOP_TIMEOUT_SECONDS);
      g_clear_object (&self->stdout_stream);
      return;
    }

  /* What it wrote after "Listening" (GLib's debug and info messages go to
   * standard output), then its standard error. The server has exited: the
   * pipe ends. */
  if (self->output != NULL)
    g_string_free (self->output, TRUE);
  self->output = g_string_new (NULL);
  {
    char   buffer[4096];
    gssize length;

    while ((length = g_input_stream_read (self->stdout_stream, buffer, sizeof buffer, NULL,
                                          NULL)) > 0)
      g_string_append_len (self->output, buffer, length);
  }
  {
    g_autofree char *stderr_text = read_stderr (self);

    g_string_append (self->output, stderr_text);
  }

  clean = g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
  if (!clean || g_test_failed ())
    {
      g_autofree char *stderr_text = read_stderr (self);

      g_test_message ("mentorcall-server standard error:\n%s", stderr_text);
    }

  if (!clean)
    {
      mc_test_describe_exit (process, how);
      g_test_fail_printf ("mentorcall-server %s after SIGTERM instead of exiting with status 0 "
                          "(a crash, a fatal warning or a sanitizer report)",
                          how->str);
    }

  g_clear_object (&self->stdout_stream);
}

/**
 * mc_test_server_restart:
 * @self: a running test server
 *
 * Stops the server and starts it again on the same configuration and
 * database. Its port changes.
 */
void
mc_test_server_restart (McTestServer *self)
{
  mc_test_server_stop (self);
  mc_test_server_start (self);
}

/**
 * mc_test_server_kill:
 * @self: a running test server
 *
 * Kills the server with SIGKILL, as a crash or a power cut would, and waits
 * for it to be gone. Its exit status is not checked; its database stays.
 */
void
mc_test_server_kill (McTestServer *self)
{
  g_autoptr (GSubprocess) process = g_steal_pointer (&self->process);

  g_assert_nonnull (process);

  soup_session_abort (self->session);
  g_subprocess_send_signal (process, SIGKILL);
  if (!wait_for_exit (process, STOP_TIMEOUT_SECONDS))
    g_test_fail_printf ("mentorcall-server did not die within %d s of SIGKILL",
                        STOP_TIMEOUT_SECONDS);

  g_clear_object (&self->stdout_stream);
}

/**
 * mc_test_server_send_signal:
 * @self: a running test server
 * @signum: a signal, such as SIGSTOP or SIGCONT
 *
 * Sends @signum to the server process, for example to make it stop
 * answering without closing its connections.
 */
void
mc_test_server_send_signal (McTestServer *self,
                            int           signum)
{
  g_assert_nonnull (self->process);

  g_subprocess_send_signal (self->process, signum);
}

/**
 * mc_test_server_keep_port:
 * @self: a running test server
 *
 * Makes every later start (mc_test_server_start(), mc_test_server_restart())
 * listen on the port the server has now, so that clients can come back to
 * the same address after a restart.
 */
void
mc_test_server_keep_port (McTestServer *self)
{
  g_assert_cmpuint (self->port, !=, 0);

  self->fixed_port = self->port;
}

/**
 * mc_test_remove_tree:
 * @path: a directory a test made
 *
 * Removes it with everything in it (symbolic links are removed, never
 * followed).
 */
void
mc_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            mc_test_remove_tree (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

/**
 * mc_test_server_free:
 * @self: a test server
 *
 * Stops the server if it runs (checking its exit status) and removes its
 * temporary directory. The directory is kept when the test failed, so that
 * its database and logs can be looked at.
 */
void
mc_test_server_free (McTestServer *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    mc_test_server_stop (self);

  g_clear_object (&self->session);

  if (g_test_failed ())
    {
      g_test_message ("Kept the test server's directory %s", self->dir);
    }
  else
    {
      mc_test_remove_tree (self->dir);
      if (self->owns_database)
        mc_test_database_drop (self->database);
    }

  g_ptr_array_unref (self->extra_args);
  g_strfreev (self->extra_env);
  g_free (self->dir);
  g_free (self->config_path);
  g_free (self->database);
  g_free (self->secret_file);
  g_free (self->stderr_path);
  if (self->output != NULL)
    g_string_free (self->output, TRUE);
  g_free (self->url);
  g_free (self);
}

/**
 * mc_test_server_get_output:
 * @self: a test server that was stopped with mc_test_server_stop()
 *
 * Returns: what the server's last run wrote after it started listening:
 *   its standard output (where GLib writes debug and info messages), then
 *   its whole standard error
 */
const char *
mc_test_server_get_output (McTestServer *self)
{
  g_assert_nonnull (self->output);

  return self->output->str;
}

/**
 * mc_test_server_advance_clock:
 * @self: a test server started with `--test-clock`
 * @seconds: how far to move its clock forward
 *
 * Moves the server's clock (expiry, join windows) forward, instead of
 * sleeping until something expires.
 */
void
mc_test_server_advance_clock (McTestServer *self,
                              gint64        seconds)
{
  g_autofree char     *body = g_strdup_printf ("{\"advance\": %" G_GINT64_FORMAT "}", seconds);
  g_autoptr (JsonNode) response = NULL;
  guint                status;

  response = mc_test_admin (self, "POST", "/api/v1/admin/test-clock", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (mc_test_get_int (mc_test_object (response), "offset"), >=, seconds);
}

/**
 * mc_test_server_start_new:
 * @config_overrides: (nullable): see mc_test_server_new()
 *
 * Returns: (transfer full): a running test server
 */
McTestServer *
mc_test_server_start_new (const char *config_overrides)
{
  McTestServer *self = mc_test_server_new (config_overrides);

  mc_test_server_start (self);
  return self;
}

const char *
mc_test_server_get_url (McTestServer *self)
{
  return self->url;
}

guint16
mc_test_server_get_port (McTestServer *self)
{
  return self->port;
}

/**
 * mc_test_server_get_pid:
 * @self: a test server
 *
 * Returns: the running server's process id (for reading /proc), or 0
 */
GPid
mc_test_server_get_pid (McTestServer *self)
{
  const char *identifier = self->process != NULL ? g_subprocess_get_identifier (self->process)
                                                 : NULL;

  return identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
}

const char *
mc_test_server_get_dir (McTestServer *self)
{
  return self->dir;
}

const char *
mc_test_server_get_config_path (McTestServer *self)
{
  return self->config_path;
}

const char *
mc_test_server_get_database (McTestServer *self)
{
  return self->database;
}

/* Public API: HTTP */

static JsonNode *
parse_body (GBytes     *body,
            const char *content_type)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  gsize                  length = 0;
  const char            *data;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &length);
  if (length == 0)
    return NULL;

  if (content_type == NULL || !g_str_has_prefix (content_type, "application/json"))
    {
      g_test_message ("The response is not JSON (Content-Type %s): %.*s",
                      content_type ? content_type : "none", (int) MIN (length, 500), data);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, length, &error))
    {
      g_test_message ("The response is not valid JSON (%s): %.*s",
                      error->message, (int) MIN (length, 500), data);
      g_test_fail ();
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

/**
 * mc_test_request_full:
 * @self: a running test server
 * @method: an HTTP method
 * @path: a path such as `/api/v1/me`, with a query if needed
 * @headers: (nullable) (array zero-terminated=1): `"Name: value"` strings
 * @content_type: (nullable): the body's Content-Type, or %NULL for none
 * @body: (nullable): the body's bytes, sent as they are
 * @status: (out): the HTTP status
 * @response_headers: (out) (optional) (transfer full): the response's headers
 * @response_body: (out) (optional) (transfer full): the response's bytes
 *
 * Returns: (transfer full) (nullable): the response body parsed as JSON, or
 *   %NULL if it was empty or not `application/json`
 */
JsonNode *
mc_test_request_full (McTestServer        *self,
                      const char          *method,
                      const char          *path,
                      const char * const  *headers,
                      const char          *content_type,
                      GBytes              *body,
                      guint               *status,
                      SoupMessageHeaders **response_headers,
                      GBytes             **response_body)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes)      received = NULL;
  g_autoptr (GError)      error = NULL;
  g_autofree char        *uri = NULL;
  SoupMessageHeaders     *request_headers;
  const char             *received_type;

  g_assert_nonnull (self->url);
  g_assert_true (path[0] == '/');

  uri = g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path);
  message = soup_message_new (method, uri);
  g_assert_nonnull (message);

  request_headers = soup_message_get_request_headers (message);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      const char      *colon = strchr (headers[i], ':');
      const char      *value;
      g_autofree char *name = NULL;

      g_assert_nonnull (colon);
      name = g_strndup (headers[i], colon - headers[i]);
      for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
        ;
      soup_message_headers_replace (request_headers, name, value);
    }

  if (body != NULL)
    soup_message_set_request_body_from_bytes (message, content_type, body);
  else if (content_type != NULL)
    soup_message_headers_set_content_type (request_headers, content_type, NULL);

  received = soup_session_send_and_read (self->session, message, NULL, &error);
  g_assert_no_error (error);

  *status = soup_message_get_status (message);
  received_type = soup_message_headers_get_content_type (soup_message_get_response_headers (message),
                                                         NULL);

  if (response_headers != NULL)
    *response_headers = soup_message_headers_ref (soup_message_get_response_headers (message));
  if (response_body != NULL)
    *response_body = g_bytes_ref (received);

  return parse_body (received, received_type);
}

/**
 * mc_test_request:
 * @self: a running test server
 * @method: an HTTP method
 * @path: a path such as `/api/v1/me`
 * @bearer: (nullable): a token for `Authorization: Bearer`
 * @json_body: (nullable): a body, sent as `application/json`
 * @status: (out): the HTTP status
 *
 * Returns: (transfer full) (nullable): the response body parsed as JSON
 */
JsonNode *
mc_test_request (McTestServer *self,
                 const char   *method,
                 const char   *path,
                 const char   *bearer,
                 const char   *json_body,
                 guint        *status)
{
  g_autofree char   *authorization = NULL;
  g_autoptr (GBytes) body = NULL;
  const char        *headers[2] = { NULL, NULL };

  if (bearer != NULL)
    {
      authorization = g_strdup_printf ("Authorization: Bearer %s", bearer);
      headers[0] = authorization;
    }

  if (json_body != NULL)
    body = g_bytes_new (json_body, strlen (json_body));

  return mc_test_request_full (self, method, path, headers,
                               json_body != NULL ? "application/json" : NULL, body,
                               status, NULL, NULL);
}

/**
 * mc_test_attendance:
 * @self: a running test server
 * @booking_id: a booking
 *
 * Returns: (transfer full): the booking's attendance records, as the admin
 *   API lists them; fails the test unless it answers 200
 */
JsonArray *
mc_test_attendance (McTestServer *self,
                    gint64        booking_id)
{
  g_autofree char     *path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT
                                               "/attendance",
                                               booking_id);
  g_autoptr (JsonNode) node = NULL;
  guint                status;

  node = mc_test_admin (self, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  return json_array_ref (json_object_get_array_member (mc_test_object (node), "attendance"));
}

/**
 * mc_test_admin:
 * @self: a running test server
 * @method: an HTTP method
 * @path: a path under `/api/v1/admin`
 * @json_body: (nullable): a body
 * @status: (out): the HTTP status
 *
 * Like mc_test_request() with the test admin API key.
 */
JsonNode *
mc_test_admin (McTestServer *self,
               const char   *method,
               const char   *path,
               const char   *json_body,
               guint        *status)
{
  return mc_test_request (self, method, path, MC_TEST_ADMIN_KEY, json_body, status);
}

static char *
dechunk (const char *data,
         gsize       length)
{
  GString    *out = g_string_new (NULL);
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      const char      *line_end = g_strstr_len (p, end - p, "\r\n");
      guint64          size;
      g_autofree char *size_text = NULL;

      if (line_end == NULL)
        break;

      size_text = g_strndup (p, line_end - p);
      size = g_ascii_strtoull (size_text, NULL, 16);
      p = line_end + 2;
      if (size == 0 || (gsize) (end - p) < size)
        break;

      g_string_append_len (out, p, size);
      p += size + 2;
    }

  return g_string_free (out, FALSE);
}

/**
 * mc_test_raw_http:
 * @self: a running test server
 * @request: the bytes of a whole HTTP request; it should ask for
 *   `Connection: close`
 * @length: their number, or -1 if @request is a string
 * @headers: (out) (optional) (transfer full): the response's header block
 * @body: (out) (optional) (transfer full): the response body as JSON, or %NULL
 *
 * Sends bytes over a plain socket, for requests that a well-behaved HTTP
 * client cannot produce (lying Content-Length, chunked bodies, ...), and
 * reads the answer until the server closes the connection.
 *
 * Returns: the response's HTTP status
 */
guint
mc_test_raw_http (McTestServer *self,
                  const char   *request,
                  gsize         length,
                  char        **headers,
                  JsonNode    **body)
{
  g_autoptr (GSocketClient)     client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GByteArray)        response = g_byte_array_new ();
  g_autoptr (GError)            error = NULL;
  g_autofree char              *header_block = NULL;
  g_autoptr (JsonParser)        parser = NULL;
  g_autofree char              *content = NULL;
  const char                   *text;
  const char                   *split;
  guint64                       status;
  gsize                         content_length;
  guint8                        buffer[4096];
  gssize                        n;

  if (length == (gsize) -1)
    length = strlen (request);

  g_socket_client_set_timeout (client, RAW_TIMEOUT_SECONDS);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->port, NULL, &error);
  g_assert_no_error (error);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, length, NULL, NULL, &error);
  g_assert_no_error (error);

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                   buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (response, buffer, n);
  /* A reset after the answer (the server closing while unread request bytes
   * remain) still leaves the answer readable. */
  if (error != NULL && response->len == 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        g_error ("mentorcall-server sent no answer within %d s to a raw request:\n%.300s",
                 RAW_TIMEOUT_SECONDS, request);
      g_assert_no_error (error);
    }

  g_byte_array_append (response, (const guint8 *) "", 1);
  text = (const char *) response->data;

  split = strstr (text, "\r\n\r\n");
  g_assert_nonnull (split);
  g_assert_true (g_str_has_prefix (text, "HTTP/1."));
  {
    g_autofree char *code = g_strndup (text + 9, 3);

    g_assert_true (g_ascii_string_to_unsigned (code, 10, 100, 599, &status, NULL));
  }

  header_block = g_strndup (text, split - text);
  content_length = response->len - 1 - (split + 4 - text);

  if (g_regex_match_simple ("^transfer-encoding:\\s*chunked", header_block,
                            G_REGEX_CASELESS | G_REGEX_MULTILINE, 0))
    content = dechunk (split + 4, content_length);
  else
    content = g_strndup (split + 4, content_length);

  if (body != NULL)
    {
      *body = NULL;
      if (content[0] != '\0')
        {
          parser = json_parser_new ();
          json_parser_load_from_data (parser, content, -1, &error);
          g_assert_no_error (error);
          *body = json_node_copy (json_parser_get_root (parser));
        }
    }

  if (headers != NULL)
    *headers = g_steal_pointer (&header_block);

  return (guint) status;
}

/**
 * mc_test_raw_send_and_close:
 * @self: a running test server
 * @request: the start of an HTTP request
 *
 * Sends @request and hangs up without reading an answer, like a client that
 * crashed or lost its network in the middle of a request.
 */
void
mc_test_raw_send_and_close (McTestServer *self,
                            const char   *request)
{
  g_autoptr (GSocketClient)     client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError)            error = NULL;

  g_socket_client_set_timeout (client, RAW_TIMEOUT_SECONDS);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->port, NULL, &error);
  g_assert_no_error (error);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

/**
 * mc_test_assert_error_at:
 *
 * See mc_test_assert_error().
 */
JsonObject *
mc_test_assert_error_at (const char *location,
                         JsonNode   *node,
                         guint       status,
                         guint       expected_status,
                         const char *expected_code)
{
  g_autofree char *text = node != NULL ? json_to_string (node, FALSE) : g_strdup ("(no JSON body)");
  JsonObject      *error;
  JsonNode        *member;

  if (status != expected_status)
    g_error ("%s: expected HTTP %u with error “%s”, got HTTP %u: %s",
             location, expected_status, expected_code, status, text);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (member = json_object_get_member (json_node_get_object (node), "error")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (member))
    g_error ("%s: expected {\"error\":{...}} with “%s”, got: %s", location, expected_code, text);

  error = json_node_get_object (member);

  member = json_object_get_member (error, "code");
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING ||
      !g_str_equal (json_node_get_string (member), expected_code))
    g_error ("%s: expected error code “%s”, got: %s", location, expected_code, text);

  member = json_object_get_member (error, "message");
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING ||
      json_node_get_string (member)[0] == '\0')
    g_error ("%s: the error has no human-readable message: %s", location, text);

  return error;
}

/* Public API: fixtures */

gint64
mc_test_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

char *
mc_test_time (gint64 offset)
{
  return mc_json_format_time (mc_test_now () + offset);
}

/**
 * mc_test_create_pair:
 * @self: a running test server
 * @mentor_id: (out) (optional): the mentor's id
 * @student_id: (out) (optional): the student's id
 *
 * Creates the mentor %MC_TEST_MENTOR and the student %MC_TEST_STUDENT.
 */
void
mc_test_create_pair (McTestServer *self,
                     gint64       *mentor_id,
                     gint64       *student_id)
{
  gint64 mentor = mc_test_create_user (self, MC_TEST_MENTOR, "mentor", MC_TEST_MENTOR_PASSWORD);
  gint64 student = mc_test_create_user (self, MC_TEST_STUDENT, "student",
                                        MC_TEST_STUDENT_PASSWORD);

  if (mentor_id != NULL)
    *mentor_id = mentor;
  if (student_id != NULL)
    *student_id = student;
}

/**
 * mc_test_create_user:
 * @self: a running test server
 * @username: a username
 * @role: `mentor` or `student`
 * @password: a password of 8 characters or more
 *
 * Creates a user through the admin API; its display name is @username with
 * " Tester" appended.
 *
 * Returns: the user's id
 */
gint64
mc_test_create_user (McTestServer *self,
                     const char   *username,
                     const char   *role,
                     const char   *password)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    request = NULL;
  g_autoptr (JsonNode)    response = NULL;
  g_autofree char        *display_name = g_strdup_printf ("%s Tester", username);
  g_autofree char        *body = NULL;
  g_autofree char        *text = NULL;
  guint                   status;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, display_name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  body = json_to_string (request, FALSE);

  response = mc_test_admin (self, "POST", "/api/v1/admin/users", body, &status);
  text = response ? json_to_string (response, FALSE) : g_strdup ("(none)");
  if (status != 201)
    g_error ("Creating the user %s: expected 201, got %u: %s", username, status, text);

  return mc_test_get_int (mc_test_object (response), "id");
}

/**
 * mc_test_create_booking:
 * @self: a running test server
 * @mentor: the mentor's username
 * @student: the student's username
 * @start_offset: the start, in seconds from now
 * @end_offset: the end, in seconds from now
 * @status: (nullable): `pending` or `confirmed`, or %NULL for the default
 *
 * Returns: the booking's id
 */
gint64
mc_test_create_booking (McTestServer *self,
                        const char   *mentor,
                        const char   *student,
                        gint64        start_offset,
                        gint64        end_offset,
                        const char   *status)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    request = NULL;
  g_autoptr (JsonNode)    response = NULL;
  g_autofree char        *start = mc_test_time (start_offset);
  g_autofree char        *end = mc_test_time (end_offset);
  g_autofree char        *body = NULL;
  g_autofree char        *text = NULL;
  guint                   http_status;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mentor");
  json_builder_add_string_value (builder, mentor);
  json_builder_set_member_name (builder, "student");
  json_builder_add_string_value (builder, student);
  json_builder_set_member_name (builder, "start");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_string_value (builder, end);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, "Test lesson");
  if (status != NULL)
    {
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, status);
    }
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  body = json_to_string (request, FALSE);

  response = mc_test_admin (self, "POST", "/api/v1/admin/bookings", body, &http_status);
  text = response ? json_to_string (response, FALSE) : g_strdup ("(none)");
  if (http_status != 201)
    g_error ("Creating a booking: expected 201, got %u: %s", http_status, text);

  return mc_test_get_int (mc_test_object (response), "id");
}

/**
 * mc_test_get_booking_admin:
 * @self: a running test server
 * @booking_id: a booking
 *
 * Returns: (transfer full): the booking as the admin API shows it
 */
JsonObject *
mc_test_get_booking_admin (McTestServer *self,
                           gint64        booking_id)
{
  g_autofree char     *path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT, booking_id);
  g_autoptr (JsonNode) response = NULL;
  guint                status;

  response = mc_test_admin (self, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  return json_object_ref (mc_test_object (response));
}

/**
 * mc_test_login:
 * @self: a running test server
 * @username: a username
 * @password: the password
 *
 * Returns: (transfer full): a session token
 */
char *
mc_test_login (McTestServer *self,
               const char   *username,
               const char   *password)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    request = NULL;
  g_autoptr (JsonNode)    response = NULL;
  g_autofree char        *body = NULL;
  g_autofree char        *text = NULL;
  guint                   status;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  body = json_to_string (request, FALSE);

  response = mc_test_request (self, "POST", "/api/v1/auth/login", NULL, body, &status);
  text = response ? json_to_string (response, FALSE) : g_strdup ("(none)");
  if (status != 200)
    g_error ("Logging in as %s: expected 200, got %u: %s", username, status, text);

  return g_strdup (mc_test_get_string (mc_test_object (response), "token"));
}

/* Public API: the admin CLI */

static int
run_command (McTestServer *self,
             gboolean      with_config,
             const char   *stdin_text,
             char        **stdout_text,
             char        **stderr_text,
             const char   *first_arg,
             va_list       args)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  g_autoptr (GError)              error = NULL;
  g_autofree char                *out = NULL;
  g_autofree char                *err = NULL;
  g_autofree char                *command = NULL;

  g_ptr_array_add (argv, (char *) mc_test_server_get_binary ());
  if (with_config)
    {
      g_ptr_array_add (argv, (char *) "--config");
      g_ptr_array_add (argv, self->config_path);
    }
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  command = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("Running %s", command);

  launcher = make_launcher (self, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, stdin_text ? stdin_text : "", NULL, &out, &err, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process))
    {
      g_autoptr (GString) how = g_string_new (NULL);

      mc_test_describe_exit (process, how);
      g_error ("“%s” %s.\nStandard output:\n%s\nStandard error:\n%s",
               command, how->str, out, err);
    }

  g_test_message ("exit status %d, standard output:\n%s\nstandard error:\n%s",
                  g_subprocess_get_exit_status (process), out, err);

  if (stdout_text != NULL)
    *stdout_text = g_steal_pointer (&out);
  if (stderr_text != NULL)
    *stderr_text = g_steal_pointer (&err);

  return g_subprocess_get_exit_status (process);
}

/**
 * mc_test_run_cli:
 * @self: a test server (running or not) whose configuration to use
 * @stdin_text: (nullable): what to write to standard input
 * @stdout_text: (out) (optional): standard output
 * @stderr_text: (out) (optional): standard error
 * @first_arg: the first argument after `--config FILE`, then more and %NULL
 *
 * Runs `mentorcall-server --config FILE ARGS...` and waits for it.
 *
 * Returns: its exit status; a crash fails the test
 */
int
mc_test_run_cli (McTestServer *self,
                 const char   *stdin_text,
                 char        **stdout_text,
                 char        **stderr_text,
                 const char   *first_arg,
                 ...)
{
  va_list args;
  int     status;

  va_start (args, first_arg);
  status = run_command (self, TRUE, stdin_text, stdout_text, stderr_text, first_arg, args);
  va_end (args);

  return status;
}

/**
 * mc_test_run_command:
 *
 * Like mc_test_run_cli() but without the `--config FILE` in front.
 */
int
mc_test_run_command (McTestServer *self,
                     const char   *stdin_text,
                     char        **stdout_text,
                     char        **stderr_text,
                     const char   *first_arg,
                     ...)
{
  va_list args;
  int     status;

  va_start (args, first_arg);
  status = run_command (self, FALSE, stdin_text, stdout_text, stderr_text, first_arg, args);
  va_end (args);

  return status;
}

/* Public API: reading responses */

/**
 * mc_test_object:
 * @node: (nullable): a response body
 *
 * Returns: (transfer none): @node's object; fails the test if it is not one
 */
JsonObject *
mc_test_object (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("(nothing)");

      g_error ("Expected a JSON object, got %s", text);
    }

  return json_node_get_object (node);
}

/**
 * mc_test_get_node:
 * @object: an object
 * @path: member names joined by dots, such as `join_window.opens_at`
 *
 * Returns: (transfer none): the member; fails the test if it is missing
 */
JsonNode *
mc_test_get_node (JsonObject *object,
                  const char *path)
{
  g_auto (GStrv) names = g_strsplit (path, ".", -1);
  JsonNode      *node = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      node = json_object_get_member (object, names[i]);
      if (node == NULL)
        {
          g_autoptr (JsonNode) whole = json_node_init_object (json_node_alloc (), object);
          g_autofree char     *text = json_to_string (whole, FALSE);

          g_error ("Expected a member “%s” (of “%s”) in %s", names[i], path, text);
        }

      if (names[i + 1] != NULL)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            g_error ("Expected “%s” in “%s” to be an object", names[i], path);
          object = json_node_get_object (node);
        }
    }

  return node;
}

const char *
mc_test_get_string (JsonObject *object,
                    const char *path)
{
  JsonNode *node = mc_test_get_node (object, path);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("Expected “%s” to be a string", path);

  return json_node_get_string (node);
}

gint64
mc_test_get_int (JsonObject *object,
                 const char *path)
{
  JsonNode *node = mc_test_get_node (object, path);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    g_error ("Expected “%s” to be an integer", path);

  return json_node_get_int (node);
}
