/* mc-test-cli.c — run mentorcall-cli processes against a test server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One McTestCli is one simulated user: a directory of its own (its
 * XDG_CONFIG_HOME, where the CLI keeps the session token) under the test
 * server's temporary directory, and at most one `join` running at a time.
 * The binary comes from MENTORCALL_CLI, set by tests/meson.build.
 *
 * A running `join` writes its standard output and error to files in that
 * directory (`join-N.out`, `join-N.err`, `join-N.json` for the N-th run); the
 * CLI flushes every line, so the tests poll those files for the states and
 * statistics they wait for. Every child gets PR_SET_PDEATHSIG, so none
 * outlives an aborted test.
 */

#define G_LOG_DOMAIN "mc-test-cli"

#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mc-test-cli.h"

#define POLL_INTERVAL_MS 50

struct _McTestCli
{
  McTestServer *server;
  char         *url; /* where it logs in, if not the server's own */
  char         *name;
  char         *dir;
  GHashTable   *env; /* extra environment of the next runs; NULL value unsets */

  GSubprocess *process;
  gboolean     exit_expected; /* signalled, or awaited with wait_exit() */
  guint        n_joins;
  gint64       spawn_time;
  char        *stdout_path;
  char        *stderr_path;
  char        *json_path;
};

/* Every McTestCli alive, so that a failure shows the output of all of
 * them, and a wait notices when another one died. */
static GPtrArray *all_clis;

/* Helpers */

static GSubprocessLauncher *
make_launcher (McTestCli       *cli,
               GSubprocessFlags flags)
{
  /* SIGKILL, not SIGTERM: a peer of an aborted test must not try to leave
   * the call gracefully through a server that is going away too. */
  GSubprocessLauncher *launcher = mc_test_launcher_new (flags, cli->dir, SIGKILL);
  GHashTableIter       iter;
  gpointer             key, value;

  /* Each simulated user has its own configuration (the session token). The
   * GStreamer registry cache stays where it is, so that every process does
   * not rebuild it. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", cli->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "MENTORCALL_PASSWORD");
  g_subprocess_launcher_unsetenv (launcher, "MENTORCALL_FAULT_BLOCK_MEDIA");
  /* Only ever 127.0.0.1, even if a test forgets --ice-address. */
  g_subprocess_launcher_setenv (launcher, "MENTORCALL_ICE_ADDRESSES", "127.0.0.1", TRUE);
  /* No sound server, display or session bus is needed, nor used by accident. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  /* A UTF-8 locale, as users have: in the C locale g_print() writes chat
   * text outside ASCII as question marks. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "no_proxy", "*", TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_PROXY", "*", TRUE);

  g_hash_table_iter_init (&iter, cli->env);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (value != NULL)
        g_subprocess_launcher_setenv (launcher, key, value, TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, key);
    }

  return launcher;
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}

/* GSubprocess notices the exit on GLib's worker thread; the identifier
 * becomes NULL then, without iterating any main context here. */
static gboolean
wait_until_exited (GSubprocess *process,
                   guint        seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (g_subprocess_get_identifier (process) != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (POLL_INTERVAL_MS * 1000);
    }

  g_subprocess_wait (process, NULL, NULL);
  return TRUE;
}

static G_GNUC_NORETURN void
fail (McTestCli  *cli,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (McTestCli  *cli,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  for (guint i = 0; all_clis != NULL && i < all_clis->len; i++)
    if (g_ptr_array_index (all_clis, i) != cli)
      mc_test_cli_dump (g_ptr_array_index (all_clis, i));
  mc_test_cli_dump (cli);
  g_error ("%s: %s", cli->name, message);
}

/* Public API */

const char *
mc_test_cli_get_binary (void)
{
  return mc_test_get_program ("MENTORCALL_CLI", "mentorcall-cli");
}

/**
 * mc_test_cli_start_lesson:
 * @server: a running test server
 * @mentor: (out): the mentor's CLI, logged in
 * @student: (out): the student's CLI, logged in
 *
 * The usual two participants and a confirmed lesson between them that can
 * be joined now (it started a minute ago and lasts an hour).
 *
 * Returns: the lesson's booking id
 */
gint64
mc_test_cli_start_lesson (McTestServer *server,
                          McTestCli   **mentor,
                          McTestCli   **student)
{
  gint64 booking_id;

  mc_test_create_pair (server, NULL, NULL);
  booking_id = mc_test_create_booking (server, MC_TEST_MENTOR, MC_TEST_STUDENT, -60, 3600,
                                       "confirmed");
  *mentor = mc_test_cli_new (server, "mentor");
  *student = mc_test_cli_new (server, "student");
  mc_test_cli_login (*mentor, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mc_test_cli_login (*student, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);

  return booking_id;
}

/**
 * mc_test_cli_new:
 * @server: the test server the CLI talks to
 * @name: a short name, such as "mentor"; also the name of its directory
 *
 * Returns: (transfer full): a simulated user with its own configuration
 */
McTestCli *
mc_test_cli_new (McTestServer *server,
                 const char   *name)
{
  McTestCli *cli = g_new0 (McTestCli, 1);

  cli->server = server;
  cli->name = g_strdup (name);
  cli->dir = g_build_filename (mc_test_server_get_dir (server), name, NULL);
  cli->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_assert_cmpint (g_mkdir_with_parents (cli->dir, 0700), ==, 0);

  if (all_clis == NULL)
    all_clis = g_ptr_array_new ();
  g_ptr_array_add (all_clis, cli);

  return cli;
}

/**
 * mc_test_cli_set_url:
 * @cli: a CLI
 * @url: the address it logs in at (and then talks to), such as a load
 *   balancer's in front of several servers
 */
void
mc_test_cli_set_url (McTestCli  *cli,
                     const char *url)
{
  g_free (cli->url);
  cli->url = g_strdup (url);
}

/**
 * mc_test_cli_free:
 *
 * Kills a `join` that still runs; the tests stop theirs before, and check
 * how they ended.
 */
void
mc_test_cli_free (McTestCli *cli)
{
  if (cli->process != NULL)
    {
      g_subprocess_force_exit (cli->process);
      wait_until_exited (cli->process, MC_TEST_CLI_TIMEOUT_SECONDS);
      g_clear_object (&cli->process);
    }

  g_ptr_array_remove (all_clis, cli);
  g_hash_table_unref (cli->env);
  g_free (cli->stdout_path);
  g_free (cli->stderr_path);
  g_free (cli->json_path);
  g_free (cli->url);
  g_free (cli->dir);
  g_free (cli->name);
  g_free (cli);
}

const char *
mc_test_cli_get_name (McTestCli *cli)
{
  return cli->name;
}

/**
 * mc_test_cli_setenv:
 * @value: (nullable): the value, or %NULL to unset @variable
 *
 * Sets an environment variable for the processes started from now on.
 */
void
mc_test_cli_setenv (McTestCli  *cli,
                    const char *variable,
                    const char *value)
{
  g_hash_table_replace (cli->env, g_strdup (variable), g_strdup (value));
}

/**
 * mc_test_cli_run:
 * @stdin_text: (nullable): standard input
 * @stdout_text: (out) (optional): standard output
 * @stderr_text: (out) (optional): standard error
 * @first_arg: the first argument after the binary, then more and %NULL
 *
 * Runs `mentorcall-cli ARGS…` to its end. A crash or a hang fails the test.
 *
 * Returns: the exit status
 */
int
mc_test_cli_run (McTestCli  *cli,
                 const char *stdin_text,
                 char      **stdout_text,
                 char      **stderr_text,
                 const char *first_arg,
                 ...)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  g_autoptr (GError)              error = NULL;
  g_autoptr (GString)             how = g_string_new (NULL);
  g_autofree char                *command = NULL;
  g_autofree char                *out_path = g_build_filename (cli->dir, "run.out", NULL);
  g_autofree char                *err_path = g_build_filename (cli->dir, "run.err", NULL);
  g_autofree char                *in_path = g_build_filename (cli->dir, "run.in", NULL);
  g_autofree char                *out = NULL;
  g_autofree char                *err = NULL;
  va_list                         args;

  g_ptr_array_add (argv, (char *) mc_test_cli_get_binary ());
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  command = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("%s: running %s", cli->name, command);

  /* Files rather than pipes: the wait below needs no main loop, and a
   * child that hangs cannot block on a full pipe. */
  g_file_set_contents (in_path, stdin_text != NULL ? stdin_text : "", -1, &error);
  g_assert_no_error (error);
  /* GSubprocessLauncher does not truncate them. */
  g_unlink (out_path);
  g_unlink (err_path);
  launcher = make_launcher (cli, G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdin_file_path (launcher, in_path);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  if (!wait_until_exited (process, MC_TEST_CLI_TIMEOUT_SECONDS))
    {
      g_subprocess_force_exit (process);
      wait_until_exited (process, MC_TEST_CLI_TIMEOUT_SECONDS);
      g_string_append_printf (how, "did not end within %d s", MC_TEST_CLI_TIMEOUT_SECONDS);
    }
  else
    {
      mc_test_describe_exit (process, how);
    }

  out = read_file (out_path);
  err = read_file (err_path);
  g_test_message ("%s %s; standard output:\n%s\nstandard error:\n%s", command, how->str, out,
                  err);

  if (!g_subprocess_get_if_exited (process))
    g_error ("“%s” %s.\nStandard output:\n%s\nStandard error:\n%s", command, how->str, out, err);

  if (stdout_text != NULL)
    *stdout_text = g_steal_pointer (&out);
  if (stderr_text != NULL)
    *stderr_text = g_steal_pointer (&err);

  return g_subprocess_get_exit_status (process);
}

/**
 * mc_test_cli_login:
 *
 * Logs in with `--server URL login USERNAME`, the password in
 * MENTORCALL_PASSWORD; fails the test unless that works.
 */
void
mc_test_cli_login (McTestCli  *cli,
                   const char *username,
                   const char *password)
{
  g_autofree char *err = NULL;
  int              status;

  mc_test_cli_setenv (cli, "MENTORCALL_PASSWORD", password);
  status = mc_test_cli_run (cli, NULL, NULL, &err, "--server",
                            cli->url != NULL ? cli->url : mc_test_server_get_url (cli->server),
                            "login", username, NULL);
  mc_test_cli_setenv (cli, "MENTORCALL_PASSWORD", NULL);

  if (status != 0)
    g_error ("%s: logging in as %s failed with status %d: %s", cli->name, username, status, err);
}

/**
 * mc_test_cli_join:
 * @booking_id: the booking
 * @first_arg: (nullable): more arguments of `join`, then %NULL
 *
 * Starts `join BOOKING --test-sources --ice-address 127.0.0.1
 * --fake-audio-output --stats-json FILE ARGS…` in the background.
 */
void
mc_test_cli_join (McTestCli  *cli,
                  gint64      booking_id,
                  const char *first_arg,
                  ...)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray)           argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError)              error = NULL;
  g_autofree char                *command = NULL;
  g_autofree char                *base = NULL;
  va_list                         args;

  g_assert_null (cli->process);

  cli->n_joins++;
  base = g_strdup_printf ("join-%u", cli->n_joins);
  g_free (cli->stdout_path);
  g_free (cli->stderr_path);
  g_free (cli->json_path);
  cli->stdout_path = g_strdup_printf ("%s/%s.out", cli->dir, base);
  cli->stderr_path = g_strdup_printf ("%s/%s.err", cli->dir, base);
  cli->json_path = g_strdup_printf ("%s/%s.json", cli->dir, base);

  g_ptr_array_add (argv, g_strdup (mc_test_cli_get_binary ()));
  g_ptr_array_add (argv, g_strdup ("join"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, booking_id));
  g_ptr_array_add (argv, g_strdup ("--test-sources"));
  g_ptr_array_add (argv, g_strdup ("--ice-address"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--fake-audio-output"));
  g_ptr_array_add (argv, g_strdup ("--stats-json"));
  g_ptr_array_add (argv, g_strdup (cli->json_path));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  command = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("%s: starting %s", cli->name, command);

  launcher = make_launcher (cli, G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_stdout_file_path (launcher, cli->stdout_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->stderr_path);
  /* Warnings and criticals are not fatal in a call (GStreamer 1.22 raises
   * one of its own now and then, see check_log ()); check_log () fails the
   * test on any other once the process has ended. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  cli->exit_expected = FALSE;
  cli->spawn_time = g_get_monotonic_time ();
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                               &error);
  g_assert_no_error (error);
}

/**
 * mc_test_cli_get_spawn_time:
 *
 * Returns: g_get_monotonic_time() just before the last `join` started
 */
gint64
mc_test_cli_get_spawn_time (McTestCli *cli)
{
  return cli->spawn_time;
}

/**
 * mc_test_cli_get_pid:
 *
 * Returns: the process id of the running `join`, or 0 when none runs
 */
GPid
mc_test_cli_get_pid (McTestCli *cli)
{
  const char *identifier;

  if (cli->process == NULL)
    return 0;
  identifier = g_subprocess_get_identifier (cli->process);
  return identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
}

gboolean
mc_test_cli_is_running (McTestCli *cli)
{
  return cli->process != NULL && g_subprocess_get_identifier (cli->process) != NULL;
}

void
mc_test_cli_signal (McTestCli *cli,
                    int        signum)
{
  g_assert_nonnull (cli->process);
  g_test_message ("%s: sending signal %d (%s)", cli->name, signum, g_strsignal (signum));
  cli->exit_expected = TRUE;
  g_subprocess_send_signal (cli->process, signum);
}

/**
 * mc_test_cli_wait_for:
 * @what: what is awaited, for the failure message
 * @check: called with the output so far until it returns %TRUE
 *
 * Waits for the running `join`'s output to pass @check. Fails the test,
 * showing the output, if the process ends first or after
 * %MC_TEST_CLI_TIMEOUT_SECONDS.
 */
void
mc_test_cli_wait_for (McTestCli     *cli,
                      const char    *what,
                      McTestCliCheck check,
                      gpointer       user_data)
{
  gint64 deadline = g_get_monotonic_time () + MC_TEST_CLI_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  g_assert_nonnull (cli->process);

  for (;;)
    {
      g_autofree char *output = read_file (cli->stdout_path);
      gboolean         running = mc_test_cli_is_running (cli);

      if (check (cli, output, user_data))
        {
          g_test_message ("%s: %s", cli->name, what);
          return;
        }

      /* One more look at the output after the exit, which may have
       * flushed the awaited line. */
      if (!running)
        {
          g_autofree char    *final = read_file (cli->stdout_path);
          g_autoptr (GString) how = g_string_new (NULL);

          if (check (cli, final, user_data))
            return;

          g_subprocess_wait (cli->process, NULL, NULL);
          mc_test_describe_exit (cli->process, how);
          fail (cli, "the process %s while waiting for: %s", how->str, what);
        }

      if (g_get_monotonic_time () > deadline)
        fail (cli, "no %s within %d s", what, MC_TEST_CLI_TIMEOUT_SECONDS);

      /* Another participant that died is as good as a failure here. */
      for (guint i = 0; i < all_clis->len; i++)
        {
          McTestCli *other = g_ptr_array_index (all_clis, i);

          if (other != cli && other->process != NULL && !other->exit_expected &&
              !mc_test_cli_is_running (other))
            {
              g_autoptr (GString) how = g_string_new (NULL);

              g_subprocess_wait (other->process, NULL, NULL);
              mc_test_describe_exit (other->process, how);
              fail (cli, "while waiting for %s, the %s's process %s", what, other->name,
                    how->str);
            }
        }

      g_usleep (POLL_INTERVAL_MS * 1000);
    }
}

/* GLib and GStreamer's warnings and criticals in a `join`'s standard error
 * fail the test, as G_DEBUG=fatal-warnings would — except one: with
 * GStreamer 1.22, tearing a webrtcbin down while a new one starts now and
 * then raises "g_hash_table_foreach: assertion 'version ==
 * hash_table->version' failed" on one of its threads (a table of its own
 * changed under an iteration; not in our code, no backtrace yet). */
static void
check_log (McTestCli *cli)
{
  static const char * const known[] = {
    "g_hash_table_foreach: assertion 'version == hash_table->version' failed",
  };
  g_autofree char *err = read_file (cli->stderr_path);
  g_auto (GStrv)   lines = g_strsplit (err != NULL ? err : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean tolerated = FALSE;

      if (strstr (lines[i], "-CRITICAL **") == NULL && strstr (lines[i], "-WARNING **") == NULL)
        continue;

      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        tolerated |= strstr (lines[i], known[k]) != NULL;

      if (tolerated)
        g_test_message ("%s: tolerated: %s", cli->name, lines[i]);
      else
        fail (cli, "the process logged: %s", lines[i]);
    }
}

/**
 * mc_test_cli_wait_exit:
 *
 * Waits for the running `join` to end (a crash, a sanitizer abort or a hang
 * fails the test).
 *
 * Returns: its exit status
 */
int
mc_test_cli_wait_exit (McTestCli *cli)
{
  g_autoptr (GString) how = g_string_new (NULL);
  int                 status;

  g_assert_nonnull (cli->process);
  cli->exit_expected = TRUE;

  if (!wait_until_exited (cli->process, MC_TEST_CLI_TIMEOUT_SECONDS))
    fail (cli, "the process did not end within %d s", MC_TEST_CLI_TIMEOUT_SECONDS);

  mc_test_describe_exit (cli->process, how);
  g_test_message ("%s: join %s", cli->name, how->str);
  if (!g_subprocess_get_if_exited (cli->process))
    fail (cli, "the process %s", how->str);

  status = g_subprocess_get_exit_status (cli->process);
  g_clear_object (&cli->process);
  check_log (cli);

  return status;
}

/**
 * mc_test_cli_wait_killed:
 *
 * Sends SIGKILL to the running `join` and waits for it to be gone.
 */
void
mc_test_cli_wait_killed (McTestCli *cli)
{
  mc_test_cli_signal (cli, SIGKILL);
  if (!wait_until_exited (cli->process, MC_TEST_CLI_TIMEOUT_SECONDS))
    fail (cli, "the process survived SIGKILL");
  g_clear_object (&cli->process);
  check_log (cli);
}

/**
 * mc_test_cli_get_output:
 *
 * Returns: (transfer full): the standard output of the last `join`
 */
char *
mc_test_cli_get_output (McTestCli *cli)
{
  return read_file (cli->stdout_path);
}

/**
 * mc_test_cli_get_errors:
 *
 * Returns: (transfer full): the standard error of the last `join`
 */
char *
mc_test_cli_get_errors (McTestCli *cli)
{
  return read_file (cli->stderr_path);
}

/**
 * mc_test_cli_dump:
 *
 * Shows the last `join`'s standard output and error on standard error,
 * for a failing test.
 */
void
mc_test_cli_dump (McTestCli *cli)
{
  g_autofree char *out = read_file (cli->stdout_path);
  g_autofree char *err = read_file (cli->stderr_path);

  g_printerr ("==== %s: standard output of join %u (%s):\n%s\n"
              "==== %s: standard error:\n%s\n====\n",
              cli->name, cli->n_joins, cli->stdout_path ? cli->stdout_path : "-", out,
              cli->name, err);
}

/**
 * mc_test_cli_read_summary:
 *
 * Returns: (transfer full): the JSON summary (`--stats-json`) of the last
 *   `join`, which must have ended
 */
JsonObject *
mc_test_cli_read_summary (McTestCli *cli)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  g_assert_null (cli->process);

  if (!json_parser_load_from_file (parser, cli->json_path, &error))
    fail (cli, "cannot read %s: %s", cli->json_path, error->message);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    fail (cli, "%s is not a JSON object", cli->json_path);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Public API: reading a `join`'s output. Its lines are "SECONDS WHAT…",
 * SECONDS counted from the start of the join. */

/**
 * mc_test_cli_count_lines:
 * @suffix: what comes after the time, such as "state connected"
 *
 * Returns: how many lines of @output are exactly "SECONDS @suffix"
 */
guint
mc_test_cli_count_lines (const char *output,
                         const char *suffix)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  guint          count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');

      if (space != NULL && g_str_equal (space + 1, suffix))
        count++;
    }

  return count;
}

/**
 * mc_test_cli_find_line:
 * @contains: what the line contains after the time
 *
 * Returns: the time of the first line of @output containing @contains, or
 *   -1 if there is none
 */
double
mc_test_cli_find_line (const char *output,
                       const char *contains)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');

      if (space != NULL && strstr (space + 1, contains) != NULL)
        return g_ascii_strtod (lines[i], NULL);
    }

  return -1;
}

/**
 * mc_test_cli_parse_stats:
 *
 * Returns: (transfer container) (element-type JsonObject): the statistics
 *   lines of @output, complete ones only, in order
 */
GPtrArray *
mc_test_cli_parse_stats (const char *output)
{
  g_autoptr (GPtrArray) stats = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto (GStrv)        lines = g_strsplit (output, "\n", -1);

  /* The last element is after the last newline: possibly half written. */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      const char            *json = strstr (lines[i], " stats {");

      if (json == NULL || !json_parser_load_from_data (parser, json + 7, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;

      g_ptr_array_add (stats, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return g_steal_pointer (&stats);
}

/**
 * mc_test_cli_has_line:
 * @user_data: the text a line must contain
 *
 * An #McTestCliCheck: a line of the output contains the text.
 */
gboolean
mc_test_cli_has_line (McTestCli  *cli,
                      const char *output,
                      gpointer    user_data)
{
  return mc_test_cli_find_line (output, user_data) >= 0;
}

/**
 * mc_test_cli_has_lines:
 * @user_data: "N TEXT", such as "2 state connected"
 *
 * An #McTestCliCheck: at least N lines read TEXT after their time.
 */
gboolean
mc_test_cli_has_lines (McTestCli  *cli,
                       const char *output,
                       gpointer    user_data)
{
  const char *spec = user_data;
  guint       wanted = g_ascii_strtoull (spec, NULL, 10);

  return mc_test_cli_count_lines (output, strchr (spec, ' ') + 1) >= wanted;
}

/**
 * mc_test_cli_has_media:
 * @user_data: a byte offset into the output, with GSIZE_TO_POINTER()
 *
 * An #McTestCliCheck: a statistics line after the offset shows more video
 * frames and more audio buffers decoded than the last one before it (than
 * none at all for offset 0). That is, media arrives after that point.
 */
gboolean
mc_test_cli_has_media (McTestCli  *cli,
                       const char *output,
                       gpointer    user_data)
{
  gsize                 offset = GPOINTER_TO_SIZE (user_data);
  g_autofree char      *before_text = g_strndup (output, MIN (offset, strlen (output)));
  g_autoptr (GPtrArray) before = mc_test_cli_parse_stats (before_text);
  g_autoptr (GPtrArray) all = mc_test_cli_parse_stats (output);
  gint64                frames = 0, audio = 0;

  if (before->len > 0)
    {
      JsonObject *last = g_ptr_array_index (before, before->len - 1);

      frames = json_object_get_int_member (last, "frames_decoded");
      audio = json_object_get_int_member (last, "audio_buffers_received");
    }

  for (guint i = before->len; i < all->len; i++)
    {
      JsonObject *stats = g_ptr_array_index (all, i);

      if (json_object_get_int_member (stats, "frames_decoded") > frames &&
          json_object_get_int_member (stats, "audio_buffers_received") > audio)
        return TRUE;
    }

  return FALSE;
}
