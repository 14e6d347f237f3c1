/* mcs-cli.c — the admin command line: users, bookings, webhooks and demo data
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These commands work on the database directly, with the same validation
 * as the admin API (mcs-admin.c). SQLite's locking lets them run while the
 * server is up. The webhook commands are in mcs-cli-webhooks.c.
 */

#define G_LOG_DOMAIN "mcs-cli"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "mcs-admin.h"
#include "mcs-cli.h"
#include "mcs-password.h"
#include "mcs-store.h"

#define EXIT_USAGE 2

static const char * const commands[] = { "user", "booking", "webhook", "demo-data", NULL };

int
mcs_cli_usage (const char *message)
{
  g_printerr ("mentorcall-server: %s\n"
              "Commands:\n"
              "  user add --username U --name NAME --role mentor|student  (password on stdin)\n"
              "  user list\n"
              "  booking add --mentor U --student U --start TIME --end TIME"
              " [--subject S] [--status pending|confirmed]\n"
              "  booking list\n"
              "  booking cancel ID\n"
              "  webhook add URL [--events E,E] [--secret S] [--description TEXT]\n"
              "  webhook list\n"
              "  webhook remove ID\n"
              "  webhook deliveries [ID]\n"
              "  webhook redeliver DELIVERY_ID\n"
              "  demo-data\n",
              message);
  return EXIT_USAGE;
}

int
mcs_cli_fail (const GError *error)
{
  g_printerr ("mentorcall-server: %s\n", error->message);
  return EXIT_FAILURE;
}

/* Reads one line from standard input without echoing it on a terminal. */
static char *
read_password (GError **error)
{
  char buffer[2048];
  struct termios saved, quiet;
  gboolean terminal = isatty (STDIN_FILENO);
  char *line;

  if (terminal)
    {
      g_print ("Password: ");
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  line = fgets (buffer, sizeof buffer, stdin);

  if (terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_print ("\n");
    }

  if (line == NULL)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "Give the password on standard input");
      return NULL;
    }

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  sodium_memzero (buffer, sizeof buffer);

  return line;
}

static int
user_add (McsStore            *store,
          McsConfig           *config,
          const McsCliOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(McsUser) user = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  McRole role;

  if (options->username == NULL || options->name == NULL || options->role == NULL)
    return mcs_cli_usage ("user add needs --username, --name and --role");

  if (!mc_role_from_string (options->role, &role))
    return mcs_cli_usage ("--role must be mentor or student");

  username = mcs_admin_normalize_username (options->username, &error);
  if (username == NULL || !mcs_admin_check_display_name (options->name, &error))
    return mcs_cli_fail (error);

  password = read_password (&error);
  if (password == NULL || !mcs_admin_check_password (password, &error))
    return mcs_cli_fail (error);

  hash = mcs_password_hash (config->password_hash_strength, password, &error);
  if (hash == NULL)
    return mcs_cli_fail (error);

  user = mcs_store_add_user (store, username, options->name, role, hash, &error);
  if (user == NULL)
    return mcs_cli_fail (error);

  g_print ("Created user %" G_GINT64_FORMAT " (%s)\n", user->id, user->username);
  return EXIT_SUCCESS;
}

static int
user_list (McsStore *store)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  users = mcs_store_list_users (store, &error);
  if (users == NULL)
    return mcs_cli_fail (error);

  for (guint i = 0; i < users->len; i++)
    {
      McsUser *user = g_ptr_array_index (users, i);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s%s\n", user->id, user->username,
               mc_role_to_string (user->role), user->display_name,
               user->disabled ? "\t(disabled)" : "");
    }

  return EXIT_SUCCESS;
}

static int
booking_add (McsStore            *store,
             const McsCliOptions *options)
{
  g_autoptr(McsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  McBookingStatus status = MC_BOOKING_PENDING;
  gint64 starts_at, ends_at;

  if (options->mentor == NULL || options->student == NULL ||
      options->start == NULL || options->end == NULL)
    return mcs_cli_usage ("booking add needs --mentor, --student, --start and --end");

  if (!mc_json_parse_time (options->start, &starts_at))
    return mcs_cli_usage ("--start must be an ISO 8601 time with a time zone, "
                  "such as 2026-11-25T14:00:00Z");

  if (!mc_json_parse_time (options->end, &ends_at))
    return mcs_cli_usage ("--end must be an ISO 8601 time with a time zone, "
                  "such as 2026-11-25T15:00:00+01:00");

  if (options->status != NULL && !mc_booking_status_from_string (options->status, &status))
    return mcs_cli_usage ("--status must be pending or confirmed");

  booking = mcs_admin_create_booking (store, options->mentor, options->student,
                                      options->subject, starts_at, ends_at, status, NULL,
                                      &error);
  if (booking == NULL)
    return mcs_cli_fail (error);

  g_print ("Created booking %" G_GINT64_FORMAT "\n", booking->id);
  return EXIT_SUCCESS;
}

static int
booking_list (McsStore *store)
{
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;

  bookings = mcs_store_list_bookings (store, -1, &error);
  if (bookings == NULL)
    return mcs_cli_fail (error);

  for (guint i = 0; i < bookings->len; i++)
    {
      McsBooking *booking = g_ptr_array_index (bookings, i);
      g_autofree char *start = mc_json_format_time (booking->starts_at);
      g_autofree char *end = mc_json_format_time (booking->ends_at);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s\n", booking->id,
               mc_booking_status_to_string (booking->status), start, end,
               booking->mentor->username, booking->student->username, booking->subject);
    }

  return EXIT_SUCCESS;
}

static int
booking_cancel (McsStore   *store,
                const char *id_text)
{
  McsBookingChanges changes = { NULL, -1, -1, MC_BOOKING_CANCELLED };
  g_autoptr(McsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  guint64 id;

  if (id_text == NULL || !g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &id, NULL))
    return mcs_cli_usage ("booking cancel needs a booking ID");

  booking = mcs_store_update_booking (store, (gint64) id, &changes, &error);
  if (booking == NULL)
    return mcs_cli_fail (error);

  g_print ("Cancelled booking %" G_GINT64_FORMAT "\n", booking->id);
  return EXIT_SUCCESS;
}

gboolean
mcs_cli_is_command (const char *word)
{
  return g_strv_contains ((const char * const *) commands, word);
}

/**
 * mcs_cli_run:
 * @config: the configuration, with the database path set
 * @options: the command's options
 * @args: the command's words, such as `{"booking", "cancel", "7", NULL}`
 *
 * Returns: the process's exit status
 */
int
mcs_cli_run (McsConfig           *config,
             const McsCliOptions *options,
             char               **args)
{
  g_autoptr(McsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint n_args = g_strv_length (args);
  const char *verb = n_args > 1 ? args[1] : NULL;

  store = mcs_store_open (config->database, &error);
  if (store == NULL)
    return mcs_cli_fail (error);

  if (g_str_equal (args[0], "demo-data") && n_args == 1)
    {
      g_autoptr(GString) report = g_string_new (NULL);

      if (!mcs_admin_seed_demo (store, config, report, &error))
        return mcs_cli_fail (error);

      g_print ("%s", report->str);
      return EXIT_SUCCESS;
    }

  if (g_str_equal (args[0], "user") && n_args == 2)
    {
      if (g_str_equal (verb, "add"))
        return user_add (store, config, options);
      if (g_str_equal (verb, "list"))
        return user_list (store);
    }

  if (g_str_equal (args[0], "booking"))
    {
      if (n_args == 2 && g_str_equal (verb, "add"))
        return booking_add (store, options);
      if (n_args == 2 && g_str_equal (verb, "list"))
        return booking_list (store);
      if (n_args == 3 && g_str_equal (verb, "cancel"))
        return booking_cancel (store, args[2]);
    }

  if (g_str_equal (args[0], "webhook"))
    return mcs_cli_webhook (store, options, args + 1);

  return mcs_cli_usage ("unknown command");
}
