/* test-keyring.c — the session in a real keyring, against a real server, under Xvfb
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside tests/client/run-with-keyring.sh: a private D-Bus session with
 * a real gnome-keyring-daemon whose login keyring is unlocked. Stores, looks
 * up and clears a token through McCredentials; logs in with a password and
 * finds the token in the keyring; starts a second window that logs in with it
 * alone; revokes the token on the server and sees the next start ask again
 * and take the token out of the keyring; logs out from the window and sees
 * the token go. Every check reads the keyring itself.
 *
 * No test waits a fixed time for the keyring: the Secret Service announces
 * every item created, changed or deleted in a collection (ItemCreated,
 * ItemChanged, ItemDeleted), and the test looks again after each.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <libsecret/secret.h>

#include "mc-credentials.h"
#include "mc-protocol.h"
#include "mc-test-server.h"
#include "mc-test-ui.h"
#include "mc-window-private.h"

typedef struct
{
  McTestServer    *server;
  GSettings       *settings;
  McWindow        *window;
  GDBusConnection *bus;
  guint            keyring_subscription;
  guint            keyring_changes; /* items created, changed or deleted so far */
  guint            seen_changes;
  char            *complaint; /* what the window logged about the keyring */
  guint            log_handler;
} Fixture;

static void
keyring_changed_cb (GDBusConnection *bus,
                    const char      *sender,
                    const char      *path,
                    const char      *interface,
                    const char      *signal,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  Fixture *fixture = user_data;

  g_test_message ("keyring: %s %s", signal, path);
  fixture->keyring_changes++;
}

/* The window's account (McAccount, log domain mc-account) says so with a
 * message when it cannot use the keyring (and the window shows a toast for
 * the person); a test that expects the keyring to work fails on
 * it at once instead of waiting for a token that will not come. */
static void
window_logged_cb (const char    *domain,
                  GLogLevelFlags level,
                  const char    *message,
                  gpointer       user_data)
{
  Fixture *fixture = user_data;

  g_test_message ("%s: %s", domain, message);
  if (strstr (message, "keyring") != NULL && fixture->complaint == NULL)
    fixture->complaint = g_strdup (message);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, NULL, NULL);
  mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT, -300, 3300,
                          "confirmed");

  fixture->settings = g_settings_new (APPLICATION_ID);
  g_settings_set_string (fixture->settings, "server-url", mc_test_server_get_url (fixture->server));
  g_settings_set_string (fixture->settings, "username", "");

  /* The private session bus of run-with-keyring.sh, which libsecret uses too. */
  fixture->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  fixture->keyring_subscription =
    g_dbus_connection_signal_subscribe (fixture->bus, "org.freedesktop.secrets",
                                        "org.freedesktop.Secret.Collection", NULL, NULL, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, keyring_changed_cb, fixture,
                                        NULL);

  fixture->log_handler = g_log_set_handler ("mc-account", G_LOG_LEVEL_MESSAGE, window_logged_cb,
                                            fixture);
}

static void
close_window (Fixture *fixture)
{
  gpointer window = fixture->window;

  if (window == NULL)
    return;

  g_object_add_weak_pointer (G_OBJECT (window), &window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  mc_test_ui_spin (200);

  /* Widget tests check that the window really went away. */
  g_assert_null (window);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  close_window (fixture);

  g_log_remove_handler ("mc-account", fixture->log_handler);
  g_dbus_connection_signal_unsubscribe (fixture->bus, fixture->keyring_subscription);
  g_clear_object (&fixture->bus);
  g_clear_pointer (&fixture->complaint, g_free);
  g_clear_object (&fixture->settings);
  mc_test_server_stop (fixture->server);
  mc_test_server_free (fixture->server);
}

/* The keyring, directly. */

typedef struct
{
  GAsyncResult *result;
} Call;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->result = g_object_ref (result);
}

static gboolean
call_done (gpointer data)
{
  return ((Call *) data)->result != NULL;
}

static void
keyring_store (const char *server,
               const char *username,
               const char *token)
{
  Call               call = { NULL };
  g_autoptr (GError) error = NULL;
  gboolean           ok;

  mc_credentials_store_async (server, username, token, NULL, call_done_cb, &call);
  mc_test_ui_wait_until (call_done, &call, "a keyring store");
  ok = mc_credentials_store_finish (call.result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_object_unref (call.result);
}

static char *
keyring_lookup (const char *server,
                const char *username)
{
  Call               call = { NULL };
  g_autoptr (GError) error = NULL;
  char              *token;

  mc_credentials_lookup_async (server, username, NULL, call_done_cb, &call);
  mc_test_ui_wait_until (call_done, &call, "a keyring lookup");
  token = mc_credentials_lookup_finish (call.result, &error);
  g_assert_no_error (error);
  g_object_unref (call.result);

  return token;
}

static void
keyring_clear (const char *server,
               const char *username)
{
  Call               call = { NULL };
  g_autoptr (GError) error = NULL;
  gboolean           ok;

  mc_credentials_clear_async (server, username, NULL, call_done_cb, &call);
  mc_test_ui_wait_until (call_done, &call, "a keyring clear");
  ok = mc_credentials_clear_finish (call.result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_object_unref (call.result);
}

/* How many items the keyring holds for @server and @username, whatever their
 * schema: a new token must replace the old one, not sit beside it. */
static guint
keyring_count (const char *server,
               const char *username)
{
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError)     error = NULL;
  Call                   call = { NULL };
  GList                 *items;
  guint                  n;

  g_hash_table_insert (attributes, "server", (gpointer) server);
  g_hash_table_insert (attributes, "username", (gpointer) username);
  secret_service_search (NULL, NULL, attributes, SECRET_SEARCH_ALL, NULL, call_done_cb, &call);
  mc_test_ui_wait_until (call_done, &call, "a keyring search");
  items = secret_service_search_finish (NULL, call.result, &error);
  g_assert_no_error (error);
  g_object_unref (call.result);

  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  return n;
}

static gboolean
keyring_changed (gpointer data)
{
  Fixture *fixture = data;

  return fixture->keyring_changes != fixture->seen_changes || fixture->complaint != NULL;
}

/* Waits until the keyring holds @expected (a token, or %NULL for none) for
 * @username on the server the app logged in to, looking again after each
 * change the keyring announces. */
static void
wait_for_keyring (Fixture    *fixture,
                  const char *username,
                  const char *expected,
                  const char *what)
{
  g_autofree char *server = g_settings_get_string (fixture->settings, "server-url");

  for (;;)
    {
      g_autofree char *token = NULL;

      /* Counted before looking, so that a change during the lookup is not missed. */
      fixture->seen_changes = fixture->keyring_changes;
      token = keyring_lookup (server, username);

      if (fixture->complaint != NULL)
        g_error ("Waiting for %s, the window said: %s", what, fixture->complaint);
      if (g_strcmp0 (token, expected) == 0)
        return;

      mc_test_ui_wait_until (keyring_changed, fixture, what);
    }
}

/* The window. */

static void
open_window (Fixture *fixture)
{
  g_assert_null (fixture->window);

  fixture->window = mc_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 720, 600);
  gtk_window_present (GTK_WINDOW (fixture->window));
  mc_window_start (fixture->window);
}

static gboolean
login_done (gpointer data)
{
  return !mc_login_page_get_busy (mc_window_get_login_page (data));
}

static gboolean
on_login_page (gpointer data)
{
  return g_strcmp0 (mc_window_get_page (data), "login") == 0;
}

static gboolean
on_bookings_with_rows (gpointer data)
{
  McWindow *window = data;

  return g_strcmp0 (mc_window_get_page (window), "bookings") == 0 &&
         mc_bookings_page_get_n_rows (mc_window_get_bookings_page (window)) > 0;
}

/* Opens a window, logs in with the password as a person would, and waits
 * for the session to land in the keyring. Returns the token. */
static char *
log_in (Fixture    *fixture,
        const char *username,
        const char *password)
{
  McLoginPage *page;
  const char  *token;

  open_window (fixture);
  mc_test_ui_wait_until (on_login_page, fixture->window, "the login page");

  page = mc_window_get_login_page (fixture->window);
  mc_login_page_set_username (page, username);
  mc_login_page_set_password (page, password);
  mc_login_page_submit (page);
  g_assert_true (mc_login_page_get_busy (page));
  mc_test_ui_wait_until (login_done, fixture->window, "the login to finish");
  g_assert_null (mc_login_page_get_error (page));
  mc_test_ui_wait_until (on_bookings_with_rows, fixture->window, "the lessons");

  token = mc_api_client_get_token (mc_window_get_api (fixture->window));
  g_assert_nonnull (token);
  wait_for_keyring (fixture, username, token, "the session in the keyring");

  return g_strdup (token);
}

/* McCredentials alone: store, look up, replace, clear. */
static void
test_credentials (Fixture      *fixture,
                  gconstpointer data)
{
  const char      *server = mc_test_server_get_url (fixture->server);
  g_autofree char *token = NULL;
  g_autofree char *other = NULL;

  token = keyring_lookup (server, MC_TEST_STUDENT);
  g_assert_null (token);

  keyring_store (server, MC_TEST_STUDENT, "first-token");
  token = keyring_lookup (server, MC_TEST_STUDENT);
  g_assert_cmpstr (token, ==, "first-token");
  g_clear_pointer (&token, g_free);

  /* The items are per server and user. */
  other = keyring_lookup (server, MC_TEST_MENTOR);
  g_assert_null (other);
  other = keyring_lookup ("http://127.0.0.1:1/", MC_TEST_STUDENT);
  g_assert_null (other);

  /* A new login replaces the token rather than adding a second item. */
  keyring_store (server, MC_TEST_STUDENT, "second-token");
  token = keyring_lookup (server, MC_TEST_STUDENT);
  g_assert_cmpstr (token, ==, "second-token");
  g_clear_pointer (&token, g_free);
  g_assert_cmpuint (keyring_count (server, MC_TEST_STUDENT), ==, 1);

  keyring_clear (server, MC_TEST_STUDENT);
  token = keyring_lookup (server, MC_TEST_STUDENT);
  g_assert_null (token);
  g_assert_cmpuint (keyring_count (server, MC_TEST_STUDENT), ==, 0);

  /* Clearing what is not there is no error. */
  keyring_clear (server, MC_TEST_STUDENT);
}

/* A login with the password keeps the session; the next start uses it. */
static void
test_silent_login (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *token = log_in (fixture, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  McLoginPage     *page;

  /* The app again, a new window with the same settings: no password. */
  close_window (fixture);
  open_window (fixture);
  g_assert_cmpstr (mc_window_get_page (fixture->window), ==, "loading");
  mc_test_ui_wait_until (on_bookings_with_rows, fixture->window, "a silent login");

  g_assert_cmpstr (mc_api_client_get_token (mc_window_get_api (fixture->window)), ==, token);
  page = mc_window_get_login_page (fixture->window);
  g_assert_cmpstr (mc_login_page_get_password (page), ==, "");
  g_assert_null (mc_login_page_get_error (page));
  g_assert_null (fixture->complaint);

  /* Still there for the start after this one, and only once. */
  wait_for_keyring (fixture, MC_TEST_STUDENT, token, "the session to stay");
  {
    g_autofree char *server = g_settings_get_string (fixture->settings, "server-url");

    g_assert_cmpuint (keyring_count (server, MC_TEST_STUDENT), ==, 1);
  }
}

/* A token the server no longer takes: the next start asks for the password,
 * says why, and forgets the token. */
static void
test_refused_token (Fixture      *fixture,
                    gconstpointer data)
{
  g_autofree char     *token = log_in (fixture, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  g_autoptr (JsonNode) answer = NULL;
  McLoginPage         *page;
  guint                status;

  close_window (fixture);

  /* Revoked behind the app's back, as logging out elsewhere would. */
  answer = mc_test_request (fixture->server, "POST", "/api/v1/auth/logout", token, NULL, &status);
  g_assert_cmpuint (status, ==, 204);

  open_window (fixture);
  mc_test_ui_wait_until (on_login_page, fixture->window, "the login page");
  page = mc_window_get_login_page (fixture->window);
  g_assert_nonnull (mc_login_page_get_error (page));
  g_assert_nonnull (strstr (mc_login_page_get_error (page), "Your session has ended"));
  g_assert_cmpstr (mc_login_page_get_username (page), ==, MC_TEST_STUDENT);

  wait_for_keyring (fixture, MC_TEST_STUDENT, NULL, "the refused token to be cleared");

  /* And a new login keeps the new session. */
  close_window (fixture);
  g_clear_pointer (&token, g_free);
  token = log_in (fixture, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
}

/* Logging out (win.logout) takes the session out of the keyring. */
static void
test_logout (Fixture      *fixture,
             gconstpointer data)
{
  g_autofree char *token = log_in (fixture, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.logout", NULL));
  g_assert_cmpstr (mc_window_get_page (fixture->window), ==, "login");

  wait_for_keyring (fixture, MC_TEST_MENTOR, NULL, "the session to leave the keyring");

  /* The next start asks, without a complaint. */
  close_window (fixture);
  open_window (fixture);
  mc_test_ui_wait_until (on_login_page, fixture->window, "the login page");
  g_assert_null (mc_login_page_get_error (mc_window_get_login_page (fixture->window)));
}

static void
test_not_private (void)
{
  g_test_skip ("not inside tests/client/run-with-keyring.sh: this test would use the "
               "keyring of the user who runs it");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  mc_test_ui_init (&argc, &argv);

  /* Never the real keyring of whoever runs the program by hand. */
  if (g_getenv ("MC_TEST_PRIVATE_KEYRING") == NULL)
    {
      g_test_add_func ("/client/keyring/private-session", test_not_private);
      return g_test_run ();
    }

  g_test_add ("/client/keyring/credentials", Fixture, NULL, fixture_set_up, test_credentials,
              fixture_tear_down);
  g_test_add ("/client/keyring/silent-login", Fixture, NULL, fixture_set_up, test_silent_login,
              fixture_tear_down);
  g_test_add ("/client/keyring/refused-token", Fixture, NULL, fixture_set_up,
              test_refused_token, fixture_tear_down);
  g_test_add ("/client/keyring/logout", Fixture, NULL, fixture_set_up, test_logout,
              fixture_tear_down);

  status = g_test_run ();

  /* The keyring's last signals, queued for this thread, are handled (and
   * freed) before the session bus goes. */
  mc_test_ui_spin (300);
  {
    g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

    if (bus != NULL)
      g_dbus_connection_flush_sync (bus, NULL, NULL);
  }
  mc_test_ui_spin (100);

  return status;
}
