/* test-account.c — McAccount against a real server, without a window
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A wrong password and a server that is not there give the error a person
 * reads; a good login keeps the server and the username, and says that the
 * token could not be kept when there is no keyring (the tests have none:
 * test-keyring runs the same object against a private one, through the
 * window); restoring finds no session or no keyring; logging out ends the
 * session on the server; an account dropped with its login or its keyring
 * request on the way cancels it without a crash (run under the sanitizers
 * too).
 */

#include "config.h"

#include <string.h>

#include "mc-account.h"
#include "mc-format.h"
#include "mc-protocol.h"
#include "mc-test-server.h"

#define WAIT_SECONDS 20

typedef struct
{
  McTestServer *server;
  GSettings    *settings;
  McAccount    *account;
  guint         n_not_kept;
} Fixture;

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Result;

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean   *flag,
          const char *what)
{
  gboolean timed_out = FALSE;
  guint    id = g_timeout_add_seconds (WAIT_SECONDS, timed_out_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out waiting for %s", what);
  g_source_remove (id);
}

static void
spin (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, timed_out_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
session_not_kept_cb (McAccount *account,
                     Fixture   *fixture)
{
  fixture->n_not_kept++;
}

static void
logged_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *answer = user_data;

  answer->ok = mc_account_log_in_finish (MC_ACCOUNT (object), result, &answer->error);
  answer->done = TRUE;
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Result *answer = user_data;

  answer->ok = mc_account_restore_finish (MC_ACCOUNT (object), result, &answer->error);
  answer->done = TRUE;
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, NULL, NULL);

  fixture->settings = g_settings_new (APPLICATION_ID);
  g_settings_set_string (fixture->settings, "server-url", "");
  g_settings_set_string (fixture->settings, "username", "");

  fixture->account = mc_account_new ();
  g_signal_connect (fixture->account, "session-not-kept", G_CALLBACK (session_not_kept_cb),
                    fixture);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  if (fixture->account != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (fixture->account), (gpointer *) &fixture->account);
      g_object_unref (fixture->account);
      g_assert_null (fixture->account);
    }
  spin (100);

  g_clear_object (&fixture->settings);
  mc_test_server_stop (fixture->server);
  mc_test_server_free (fixture->server);
}

static void
log_in (Fixture    *fixture,
        const char *server,
        const char *username,
        const char *password,
        Result     *answer)
{
  mc_account_log_in_async (fixture->account, server, username, password, NULL, logged_in_cb,
                           answer);
  wait_for (&answer->done, "the login");
}

static void
test_wrong_password (Fixture      *fixture,
                     gconstpointer data)
{
  Result           answer = { 0 };
  g_autofree char *message = NULL;
  g_autofree char *username = NULL;

  log_in (fixture, mc_test_server_get_url (fixture->server), MC_TEST_STUDENT, "not the password",
          &answer);
  g_assert_false (answer.ok);
  g_assert_error (answer.error, MC_ERROR, MC_ERROR_INVALID_CREDENTIALS);
  message = mc_describe_error (answer.error);
  g_assert_cmpstr (message, ==, "The username or the password is wrong.");

  /* Nothing kept, no session. */
  username = mc_account_dup_username (fixture->account);
  g_assert_cmpstr (username, ==, "");
  g_assert_null (mc_api_client_get_token (mc_account_get_api (fixture->account)));
  g_assert_false (mc_account_can_restore (fixture->account));
  g_clear_error (&answer.error);
}

static void
test_unreachable (Fixture      *fixture,
                  gconstpointer data)
{
  Result           answer = { 0 };
  g_autofree char *message = NULL;

  /* Nobody listens on port 1. */
  log_in (fixture, "http://127.0.0.1:1/", MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, &answer);
  g_assert_false (answer.ok);
  g_assert_error (answer.error, MC_ERROR, MC_ERROR_NETWORK);
  message = mc_describe_error (answer.error);
  g_assert_nonnull (strstr (message, "cannot be reached"));
  g_clear_error (&answer.error);
}

static gboolean
not_kept (gpointer data)
{
  return ((Fixture *) data)->n_not_kept > 0;
}

/* A good login, with the blanks a person may type around the server and
 * the name; then the server ends the session on logout. */
static void
test_log_in_and_out (Fixture      *fixture,
                     gconstpointer data)
{
  Result               answer = { 0 };
  g_autofree char     *server = g_strdup_printf ("  %s ", mc_test_server_get_url (fixture->server));
  g_autofree char     *kept_server = NULL;
  g_autofree char     *username = NULL;
  g_autofree char     *token = NULL;
  g_autoptr (JsonNode) me = NULL;
  guint                status;

  log_in (fixture, server, " " MC_TEST_STUDENT " ", MC_TEST_STUDENT_PASSWORD, &answer);
  g_assert_no_error (answer.error);
  g_assert_true (answer.ok);

  kept_server = mc_account_dup_server_url (fixture->account);
  g_assert_cmpstr (kept_server, ==, mc_test_server_get_url (fixture->server));
  username = mc_account_dup_username (fixture->account);
  g_assert_cmpstr (username, ==, MC_TEST_STUDENT);
  token = g_strdup (mc_api_client_get_token (mc_account_get_api (fixture->account)));
  g_assert_nonnull (token);
  g_assert_true (mc_account_can_restore (fixture->account));

  /* No keyring in the tests: the account says the token was not kept. */
  while (!not_kept (fixture))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->n_not_kept, ==, 1);

  me = mc_test_request (fixture->server, "GET", "/api/v1/me", token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&me, json_node_unref);

  mc_account_log_out (fixture->account);
  for (guint i = 0; i < 100 && status == 200; i++)
    {
      spin (50);
      g_clear_pointer (&me, json_node_unref);
      me = mc_test_request (fixture->server, "GET", "/api/v1/me", token, NULL, &status);
    }
  g_assert_cmpuint (status, ==, 401);
}

/* A server given without a scheme is taken as https. */
static void
test_scheme (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Result                   answer = { 0 };

  mc_account_log_in_async (fixture->account, "lessons.example.org", "sam", "secret", cancellable,
                           logged_in_cb, &answer);
  g_assert_cmpstr (mc_api_client_get_base_url (mc_account_get_api (fixture->account)), ==,
                   "https://lessons.example.org/");
  /* …and cancelled, before anything is looked up. */
  g_cancellable_cancel (cancellable);
  wait_for (&answer.done, "the cancelled login");
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&answer.error);
}

static void
test_restore (Fixture      *fixture,
              gconstpointer data)
{
  Result answer = { 0 };

  /* Nobody logged in before: nothing to restore. */
  g_assert_false (mc_account_can_restore (fixture->account));
  mc_account_restore_async (fixture->account, NULL, restored_cb, &answer);
  wait_for (&answer.done, "the restore");
  g_assert_false (answer.ok);
  g_assert_error (answer.error, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_SESSION);
  g_clear_error (&answer.error);

  /* Somebody did, but the tests have no keyring to ask. */
  g_settings_set_string (fixture->settings, "server-url", mc_test_server_get_url (fixture->server));
  g_settings_set_string (fixture->settings, "username", MC_TEST_STUDENT);
  g_assert_true (mc_account_can_restore (fixture->account));
  answer = (Result){ 0 };
  mc_account_restore_async (fixture->account, NULL, restored_cb, &answer);
  wait_for (&answer.done, "the restore");
  g_assert_false (answer.ok);
  g_assert_error (answer.error, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_KEYRING);
  g_assert_null (mc_account_get_api (fixture->account));
  g_clear_error (&answer.error);

  /* A password in the environment asks for a fresh login. */
  g_setenv ("MENTORCALL_PASSWORD", "from-the-environment", TRUE);
  g_assert_cmpstr (mc_account_get_environment_password (), ==, "from-the-environment");
  g_assert_false (mc_account_can_restore (fixture->account));
  g_unsetenv ("MENTORCALL_PASSWORD");
  g_assert_null (mc_account_get_environment_password ());
}

/* Dropped with its keyring request on the way (the token being stored
 * after a login): dispose cancels it, no signal reaches the freed account.
 * And a login whose caller cancelled it as its window closed. */
static void
test_dispose (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Result                   answer = { 0 };

  log_in (fixture, mc_test_server_get_url (fixture->server), MC_TEST_STUDENT,
          MC_TEST_STUDENT_PASSWORD, &answer);
  g_assert_true (answer.ok);
  /* Whether the keyring's answer came before this or not, nothing may
   * reach the freed account (AddressSanitizer watches). */
  g_clear_object (&fixture->account);
  spin (300);
  g_assert_cmpuint (fixture->n_not_kept, <=, 1);

  fixture->account = mc_account_new ();
  answer = (Result){ 0 };
  mc_account_log_in_async (fixture->account, mc_test_server_get_url (fixture->server),
                           MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD, cancellable, logged_in_cb,
                           &answer);
  g_cancellable_cancel (cancellable);
  wait_for (&answer.done, "the cancelled login");
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&answer.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/client/account/wrong-password", Fixture, NULL, fixture_set_up,
              test_wrong_password, fixture_tear_down);
  g_test_add ("/client/account/unreachable", Fixture, NULL, fixture_set_up, test_unreachable,
              fixture_tear_down);
  g_test_add ("/client/account/log-in-and-out", Fixture, NULL, fixture_set_up,
              test_log_in_and_out, fixture_tear_down);
  g_test_add ("/client/account/scheme", Fixture, NULL, fixture_set_up, test_scheme,
              fixture_tear_down);
  g_test_add ("/client/account/restore", Fixture, NULL, fixture_set_up, test_restore,
              fixture_tear_down);
  g_test_add ("/client/account/dispose", Fixture, NULL, fixture_set_up, test_dispose,
              fixture_tear_down);

  return g_test_run ();
}
