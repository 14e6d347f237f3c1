/* test-tls.c — the server over HTTPS
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Makes a throwaway self-signed certificate with openssl, serves HTTPS with
 * it on 127.0.0.1, and checks that the API answers over TLS (with HSTS),
 * that plain HTTP gets nowhere, that TLS 1.0 and 1.1 handshakes are refused
 * (with openssl s_client, when it can still speak them), that a broken
 * certificate stops the server at start with a clear message, and that
 * plain HTTP on an address other than loopback is warned about.
 */

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "mc-test-server.h"

typedef struct
{
  char *dir;
  char *certificate;
  char *key;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *subject = g_strdup ("/CN=127.0.0.1");
  int                status = 0;

  fixture->dir = g_dir_make_tmp ("mentorcall-tls-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->certificate = g_build_filename (fixture->dir, "cert.pem", NULL);
  fixture->key = g_build_filename (fixture->dir, "key.pem", NULL);

  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "1", "-subj", subject,
      "-keyout", fixture->key, "-out", fixture->certificate, NULL
    };

    g_spawn_sync (NULL, (char **) argv, NULL,
                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);

  g_free (fixture->dir);
  g_free (fixture->certificate);
  g_free (fixture->key);
}

static GSubprocess *
spawn_server (Fixture    *fixture,
              const char *certificate,
              GError    **error)
{
  g_autofree char                *database = g_build_filename (fixture->dir, "mc.db", NULL);
  g_autoptr (GSubprocessLauncher) launcher = NULL;

  /* The server dies with the test, also when an assertion aborts it. */
  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   fixture->dir, SIGKILL);

  return g_subprocess_launcher_spawn (launcher, error,
                                      mc_test_server_get_binary (), "--listen", "127.0.0.1:0",
                                      "--database", database,
                                      "--tls-certificate", certificate,
                                      "--tls-key", fixture->key,
                                      NULL);
}

static gboolean
accept_certificate_cb (SoupMessage         *message,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  /* Self-signed, made by this test a moment ago. */
  return TRUE;
}

static void
test_https (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GError)           error = NULL;
  g_autoptr (GSubprocess)      process = spawn_server (fixture, fixture->certificate, &error);
  g_autoptr (GDataInputStream) output = NULL;
  g_autoptr (SoupSession)      session = soup_session_new ();
  g_autoptr (SoupMessage)      message = NULL;
  g_autoptr (SoupMessage)      plain = NULL;
  g_autoptr (GBytes)           body = NULL;
  g_autoptr (GBytes)           plain_body = NULL;
  g_autofree char             *line = NULL;
  g_autofree char             *url = NULL;
  g_autofree char             *plain_url = NULL;

  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on https://127.0.0.1:"));

  url = g_strconcat (line + strlen ("Listening on "), "healthz", NULL);
  message = soup_message_new ("GET", url);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_certificate_cb), NULL);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (body, NULL), "\"ok\""));
  g_assert_nonnull (soup_message_get_tls_peer_certificate (message));
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                 "Strict-Transport-Security"),
                   ==, "max-age=31536000");

  /* The same port does not speak plain HTTP. */
  plain_url = g_strconcat ("http://", line + strlen ("Listening on https://"), "healthz", NULL);
  plain = soup_message_new ("GET", plain_url);
  plain_body = soup_session_send_and_read (session, plain, NULL, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      char  buffer[8192] = "";
      gsize length = 0;

      g_input_stream_read_all (g_subprocess_get_stderr_pipe (process), buffer,
                               sizeof buffer - 1, &length, NULL, NULL);
      buffer[length] = '\0';
      g_printerr ("The server's output:\n%s\n", buffer);
    }

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* Starts the server and returns its port. */
static guint16
start_https (Fixture      *fixture,
             GSubprocess **process)
{
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDataInputStream) output = NULL;
  g_autofree char             *line = NULL;
  const char                  *port;

  *process = spawn_server (fixture, fixture->certificate, &error);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*process));
  line = g_data_input_stream_read_line (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on https://127.0.0.1:"));

  port = line + strlen ("Listening on https://127.0.0.1:");
  return (guint16) g_ascii_strtoull (port, NULL, 10);
}

/* Whether openssl s_client completes a handshake with @version (an
 * s_client option such as "-tls1_1"). Security level 0 lets OpenSSL 3
 * offer the old versions at all. */
static gboolean
handshake_succeeds (guint16     port,
                    const char *version)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  const char      *argv[] = {
         "openssl",
         "s_client",
         "-connect",
         address,
         version,
         "-cipher",
         "DEFAULT:@SECLEVEL=0",
         NULL,
  };
  g_autoptr (GError)      error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char        *out = NULL;

  process = g_subprocess_newv (argv,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, "", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("openssl s_client %s: exit %d", version, g_subprocess_get_exit_status (process));

  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

static gboolean
openssl_knows (const char *version)
{
  const char      *argv[] = { "openssl", "s_client", "-help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *word = g_strconcat (version, " ", NULL);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &out, NULL, NULL);
  return out != NULL && strstr (out, word) != NULL;
}

static void
test_minimum_version (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError)      error = NULL;
  guint16                 port;

  if (!openssl_knows ("-tls1_1") || !openssl_knows ("-tls1"))
    {
      g_test_skip ("this openssl cannot speak TLS 1.0 or 1.1");
      return;
    }

  port = start_https (fixture, &process);

  /* TLS 1.2 works: the refusals below are not a broken setup. */
  g_assert_true (handshake_succeeds (port, "-tls1_2"));
  if (openssl_knows ("-tls1_3"))
    g_assert_true (handshake_succeeds (port, "-tls1_3"));

  g_assert_false (handshake_succeeds (port, "-tls1_1"));
  g_assert_false (handshake_succeeds (port, "-tls1"));

  /* Still healthy after the refusals. */
  g_assert_true (handshake_succeeds (port, "-tls1_2"));

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* Runs --check-config with @listen, and TLS if @tls; returns its standard
 * error. Nothing listens: the warning comes from the configuration. */
static char *
check_config (Fixture    *fixture,
              const char *listen,
              gboolean    tls)
{
  g_autofree char        *database = g_build_filename (fixture->dir, "mc.db", NULL);
  g_autoptr (GError)      error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char        *out = NULL;
  char                   *err = NULL;

  if (tls)
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error, mc_test_server_get_binary (), "--check-config",
                                "--listen", listen, "--database", database,
                                "--tls-certificate", fixture->certificate,
                                "--tls-key", fixture->key, NULL);
  else
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error, mc_test_server_get_binary (), "--check-config",
                                "--listen", listen, "--database", database, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (out, "Configuration OK"));

  return err;
}

static void
test_plain_http_warning (Fixture      *fixture,
                         gconstpointer data)
{
  g_autofree char *everywhere = check_config (fixture, "0.0.0.0:8080", FALSE);
  g_autofree char *everywhere6 = check_config (fixture, "[::]:8080", FALSE);
  g_autofree char *loopback = check_config (fixture, "127.0.0.1:8080", FALSE);
  g_autofree char *loopback6 = check_config (fixture, "[::1]:8080", FALSE);
  g_autofree char *local = check_config (fixture, "localhost:8080", FALSE);
  g_autofree char *tls = check_config (fixture, "0.0.0.0:8443", TRUE);

  g_assert_nonnull (strstr (everywhere, "warning: Serving plain HTTP on 0.0.0.0:8080"));
  g_assert_nonnull (strstr (everywhere6, "warning: Serving plain HTTP on [::]:8080"));
  g_assert_null (strstr (loopback, "plain HTTP"));
  g_assert_null (strstr (loopback6, "plain HTTP"));
  g_assert_null (strstr (local, "plain HTTP"));
  g_assert_null (strstr (tls, "plain HTTP"));
}

/* The same warning at start, from a server listening on 0.0.0.0 inside a
 * network namespace of its own (made with unshare, which needs root or
 * user namespaces): nothing outside the namespace can reach it. */
static void
test_plain_http_warning_at_start (Fixture      *fixture,
                                  gconstpointer data)
{
  g_autofree char                *database = g_build_filename (fixture->dir, "mc.db", NULL);
  g_autofree char                *unshare = g_find_program_in_path ("unshare");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess)         probe = NULL;
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GDataInputStream)    output = NULL;
  g_autoptr (GError)              error = NULL;
  g_autofree char                *line = NULL;
  g_autofree char                *err = NULL;

  if (unshare == NULL)
    {
      g_test_skip ("unshare is not installed");
      return;
    }

  probe = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, unshare, "--net", "true",
                            NULL);
  g_assert_no_error (error);
  g_subprocess_wait (probe, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (probe))
    {
      g_test_skip ("cannot make a network namespace here (needs root or user namespaces)");
      return;
    }

  launcher = mc_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   fixture->dir, SIGKILL);
  /* The warning is a real g_warning (), which the tests' fatal-warnings
   * would turn into an abort. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  process = g_subprocess_launcher_spawn (launcher, &error, unshare, "--net",
                                         mc_test_server_get_binary (), "--listen", "0.0.0.0:0",
                                         "--database", database, NULL);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://"));

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_test_message ("The server's standard error:\n%s", err);
  g_assert_nonnull (strstr (err, "WARNING **"));
  g_assert_nonnull (strstr (err, "Serving plain HTTP on 0.0.0.0:0, which is not a loopback"));
}

static void
test_bad_certificate (Fixture      *fixture,
                      gconstpointer data)
{
  g_autofree char        *bogus = g_build_filename (fixture->dir, "bogus.pem", NULL);
  g_autoptr (GError)      error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char        *out = NULL;
  g_autofree char        *err = NULL;

  g_file_set_contents (bogus, "not a certificate\n", -1, &error);
  g_assert_no_error (error);

  process = spawn_server (fixture, bogus, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "TLS certificate"));
  g_assert_null (strstr (out, "Listening on"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* LeakSanitizer's exit-time scan crashes ("Tracer caught signal 11") on
   * the threads GnuTLS leaves running, in this process and in the server.
   * That is a limit of the sanitizer runtime, not a fault of ours; the
   * plain build runs these tests, and every other server test runs under
   * the sanitizers. */
#ifdef __SANITIZE_ADDRESS__
  g_test_skip ("TLS cannot run under LeakSanitizer (GnuTLS threads crash its scan)");
  return g_test_run ();
#endif

  if (g_find_program_in_path ("openssl") == NULL)
    {
      g_test_skip ("openssl is not installed");
      return g_test_run ();
    }

  g_test_add ("/server/tls/https", Fixture, NULL, fixture_set_up, test_https,
              fixture_tear_down);
  g_test_add ("/server/tls/bad-certificate", Fixture, NULL, fixture_set_up,
              test_bad_certificate, fixture_tear_down);
  g_test_add ("/server/tls/minimum-version", Fixture, NULL, fixture_set_up,
              test_minimum_version, fixture_tear_down);
  g_test_add ("/server/tls/plain-http-warning", Fixture, NULL, fixture_set_up,
              test_plain_http_warning, fixture_tear_down);
  g_test_add ("/server/tls/plain-http-warning-at-start", Fixture, NULL, fixture_set_up,
              test_plain_http_warning_at_start, fixture_tear_down);

  return g_test_run ();
}
