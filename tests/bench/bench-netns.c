/* bench-netns.c — two network namespaces joined by mc-netem
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The topology of the network benchmark and of the impairment's test: two
 * namespaces, "a" and "b", named after this process (`ip netns add`), each
 * with only `lo` and a TUN device mcnet0 addressed point to point to the
 * other (10.77.0.1 in a, 10.77.0.2 in b). No route leads anywhere else, so
 * nothing sent in them can leave: the addresses exist only inside them. An
 * mc-netem process attaches to both devices and carries, and impairs,
 * every packet between them.
 *
 * A benchmark that aborts halfway must not leave namespaces behind:
 * bench_netns_guard () forks at the start of main (), and the parent,
 * which does nothing but wait, deletes them whatever way the child ended.
 */

/* setns () */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-netns.h"

#define READY_TIMEOUT_SECONDS 10

static const char * const addresses[] = { "10.77.0.1", "10.77.0.2" };

struct _BenchNetns
{
  char    *names[2];
  gboolean made[2];
};

struct _BenchNetem
{
  GSubprocess *process;
  char        *stdout_path;
  char        *stderr_path;
};

/* The namespaces' names start with this; the guard sets it before the
 * fork, so parent and child agree. */
static char prefix[32];
static GPid guarded_child;

/* Helpers */

static const char *
get_prefix (void)
{
  if (prefix[0] == '\0')
    g_snprintf (prefix, sizeof prefix, "mcnet%d", (int) getpid ());
  return prefix;
}

static gboolean
run_ip (GError **error,
        ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char      *errors = NULL;
  int                   status;
  va_list               args;

  g_ptr_array_add (argv, "ip");
  va_start (args, error);
  for (const char *arg = va_arg (args, const char *); arg != NULL;
       arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &errors,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv->pdata);

      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "“%s” failed: %s", command,
                   g_strstrip (errors));
      return FALSE;
    }
  return TRUE;
}

static void
delete_namespaces (const char *name_prefix)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%c", name_prefix, 'a' + i);
      g_autofree char *path = g_build_filename ("/run/netns", name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        run_ip (NULL, "netns", "delete", name, NULL);
    }
}

static void
forward_signal (int signum)
{
  if (guarded_child > 0)
    kill (guarded_child, signum);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static gboolean
wait_for_line (BenchNetem *self,
               const char *line,
               GError    **error)
{
  g_autofree char *wanted = g_strdup_printf ("\n%s\n", line);
  gint64           deadline = g_get_monotonic_time () + READY_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *text = read_text (self->stdout_path);
      g_autofree char *framed = g_strconcat ("\n", text, NULL);

      if (strstr (framed, wanted) != NULL)
        return TRUE;
      if (g_subprocess_get_identifier (self->process) == NULL ||
          g_get_monotonic_time () > deadline)
        {
          g_autofree char *errors = read_text (self->stderr_path);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mc-netem did not say “%s”: %s",
                       line, errors);
          return FALSE;
        }
      g_usleep (10 * 1000);
    }
}

/* Public API: the namespaces */

/**
 * bench_netns_why_not:
 *
 * Returns: (transfer full) (nullable): why namespaces with TUN devices
 *   cannot be made here, or %NULL when they can
 */
char *
bench_netns_why_not (void)
{
  g_autofree char *ip = g_find_program_in_path ("ip");
  int              fd;

  if (geteuid () != 0)
    return g_strdup ("needs root, to make network namespaces and TUN devices");
  if (ip == NULL)
    return g_strdup ("ip (iproute2) is missing");
  fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return g_strdup_printf ("cannot open /dev/net/tun: %s", g_strerror (errno));
  close (fd);
  return NULL;
}

/**
 * bench_netns_guard:
 *
 * Forks: the child returns and runs the program; the parent waits for it,
 * deletes the namespaces it may have left, and exits with its status (or
 * aborts as it did). Call it first in main (), before any thread exists.
 */
void
bench_netns_guard (void)
{
  struct sigaction action = { 0 };
  int              status;

  get_prefix ();
  guarded_child = fork ();
  if (guarded_child < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (guarded_child == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      return;
    }

  /* A timeout's SIGTERM reaches the child; the parent stays to clean up. */
  action.sa_handler = forward_signal;
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGINT, &action, NULL);
  while (waitpid (guarded_child, &status, 0) < 0 && errno == EINTR)
    ;
  delete_namespaces (prefix);

  if (WIFSIGNALED (status))
    {
      signal (WTERMSIG (status), SIG_DFL);
      raise (WTERMSIG (status));
    }
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 1);
}

/**
 * bench_netns_new:
 *
 * Makes the two namespaces, with `lo` up and a TUN device mcnet0 in each,
 * addressed point to point, up, but with no carrier until mc-netem
 * attaches.
 *
 * Returns: (transfer full): the namespaces, or %NULL with @error set
 */
BenchNetns *
bench_netns_new (GError **error)
{
  g_autoptr (BenchNetns) self = g_new0 (BenchNetns, 1);

  /* Leftovers of a run that was killed outright. */
  delete_namespaces (get_prefix ());

  for (guint i = 0; i < 2; i++)
    {
      const char *name;

      self->names[i] = g_strdup_printf ("%s-%c", get_prefix (), 'a' + i);
      name = self->names[i];
      if (!run_ip (error, "netns", "add", name, NULL))
        return NULL;
      self->made[i] = TRUE;
      if (!run_ip (error, "-n", name, "link", "set", "lo", "up", NULL) ||
          !run_ip (error, "-n", name, "tuntap", "add", "dev", "mcnet0", "mode", "tun", NULL) ||
          !run_ip (error, "-n", name, "addr", "add", addresses[i], "peer", addresses[1 - i],
                   "dev", "mcnet0", NULL) ||
          !run_ip (error, "-n", name, "link", "set", "mcnet0", "up", NULL))
        return NULL;
    }

  return g_steal_pointer (&self);
}

void
bench_netns_free (BenchNetns *self)
{
  for (guint i = 0; i < 2; i++)
    {
      if (self->made[i])
        run_ip (NULL, "netns", "delete", self->names[i], NULL);
      g_free (self->names[i]);
    }
  g_free (self);
}

/**
 * bench_netns_get_name:
 * @side: 0 for a, 1 for b
 *
 * Returns: the namespace's name, for `ip netns exec`
 */
const char *
bench_netns_get_name (BenchNetns *self,
                      guint       side)
{
  g_return_val_if_fail (side < 2, NULL);
  return self->names[side];
}

/**
 * bench_netns_get_address:
 * @side: 0 for a, 1 for b
 *
 * Returns: the address of the side's end of the shaped link
 */
const char *
bench_netns_get_address (BenchNetns *self,
                         guint       side)
{
  g_return_val_if_fail (side < 2, NULL);
  return addresses[side];
}

/**
 * bench_netns_socket:
 * @side: 0 for a, 1 for b
 *
 * A socket belongs to the namespace it was made in, whichever thread uses
 * it afterwards: this makes one in the side's namespace (setns () on the
 * calling thread only, and back).
 *
 * Returns: (transfer full): an IPv4 socket in that namespace
 */
GSocket *
bench_netns_socket (BenchNetns *self,
                    guint       side,
                    GSocketType type,
                    GError    **error)
{
  g_autofree char *path = g_build_filename ("/run/netns", self->names[side], NULL);
  int              own = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int              other = open (path, O_RDONLY | O_CLOEXEC);
  GSocket         *socket = NULL;

  if (own < 0 || other < 0 || setns (other, CLONE_NEWNET) != 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot enter %s: %s", path,
                 g_strerror (errno));
  else
    {
      socket = g_socket_new (G_SOCKET_FAMILY_IPV4, type, G_SOCKET_PROTOCOL_DEFAULT, error);
      if (setns (own, CLONE_NEWNET) != 0)
        g_error ("cannot go back to the own network namespace: %s", g_strerror (errno));
    }

  if (own >= 0)
    close (own);
  if (other >= 0)
    close (other);
  return socket;
}

/* Public API: the impairment */

/**
 * bench_netem_get_program:
 *
 * Returns: mc-netem, from MENTORCALL_NETEM (set by the Meson files)
 */
const char *
bench_netem_get_program (void)
{
  const char *program = g_getenv ("MENTORCALL_NETEM");

  return program != NULL && program[0] != '\0' ? program : "mc-netem";
}

/**
 * bench_netem_start:
 * @program: mc-netem
 * @dir: where its output goes
 * @args: (nullable): its shaping options, %NULL-terminated
 *
 * Starts mc-netem between the two namespaces and waits until it carries
 * packets. It dies with this process.
 *
 * Returns: (transfer full): the running impairment, or %NULL with @error set
 */
BenchNetem *
bench_netem_start (BenchNetns         *netns,
                   const char         *program,
                   const char         *dir,
                   const char * const *args,
                   GError            **error)
{
  g_autoptr (BenchNetem)          self = g_new0 (BenchNetem, 1);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  static guint                    n_started;

  n_started++;
  self->stdout_path = g_strdup_printf ("%s/netem-%u.out", dir, n_started);
  self->stderr_path = g_strdup_printf ("%s/netem-%u.err", dir, n_started);
  g_ptr_array_add (argv, (char *) program);
  g_ptr_array_add (argv, "--netns-a");
  g_ptr_array_add (argv, netns->names[0]);
  g_ptr_array_add (argv, "--netns-b");
  g_ptr_array_add (argv, netns->names[1]);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, self->stdout_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, self->stderr_path);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                error);
  if (self->process == NULL || !wait_for_line (self, "ready", error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * bench_netem_set_outage:
 * @on: whether nothing passes from now on
 *
 * Returns: whether mc-netem acknowledged the change
 */
gboolean
bench_netem_set_outage (BenchNetem *self,
                        gboolean    on,
                        GError    **error)
{
  g_autofree char *before = read_text (self->stdout_path);
  g_autofree char *wanted = NULL;
  guint            count = 0;
  gint64           deadline = g_get_monotonic_time () + READY_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  const char      *line = on ? "outage on\n" : "outage off\n";

  /* The acknowledgement is one more such line than before. */
  for (const char *p = strstr (before, line); p != NULL; p = strstr (p + 1, line))
    count++;
  g_subprocess_send_signal (self->process, on ? SIGUSR1 : SIGUSR2);

  while (g_get_monotonic_time () < deadline && g_subprocess_get_identifier (self->process) != NULL)
    {
      g_autofree char *text = read_text (self->stdout_path);
      guint            now = 0;

      for (const char *p = strstr (text, line); p != NULL; p = strstr (p + 1, line))
        now++;
      if (now > count)
        return TRUE;
      g_usleep (2 * 1000);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "mc-netem did not acknowledge %s",
               line);
  return FALSE;
}

/**
 * bench_netem_stop:
 *
 * Ends mc-netem and reads its counters.
 *
 * Returns: (transfer full) (nullable): `{"a_to_b": {…}, "b_to_a": {…}}`,
 *   or %NULL when it printed none
 */
JsonObject *
bench_netem_stop (BenchNetem *self)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char       *text = NULL;
  const char            *stats;

  if (self->process == NULL)
    return NULL;
  g_subprocess_send_signal (self->process, SIGTERM);
  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->process);

  text = read_text (self->stdout_path);
  stats = strstr (text, "stats {");
  if (stats == NULL || !json_parser_load_from_data (parser, stats + 6, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

void
bench_netem_free (BenchNetem *self)
{
  if (self->process != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
      g_clear_object (&self->process);
    }
  g_free (self->stdout_path);
  g_free (self->stderr_path);
  g_free (self);
}
