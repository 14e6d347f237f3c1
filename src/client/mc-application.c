/* mc-application.c — the Mentorcall application
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One instance per user: a second launch raises the first (GApplication's
 * uniqueness on the session bus). Its actions are what notifications and
 * the menu reach: app.join(booking) opens the pre-join window, where the
 * camera, microphone and speaker are checked; app.rejoin(booking) goes
 * straight into the call with the saved choices (the rejoin banner, and
 * --join on the command line); app.about, app.quit.
 *
 * It also opens mentorcall://join/BOOKING links (the desktop file declares
 * the x-scheme-handler/mentorcall type): such a link does what --join does.
 * A link comes from outside, from a web page or a chat message, so it is
 * checked strictly and anything else gets a message, never an action.
 */

#define G_LOG_DOMAIN "mc-application"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "mc-application.h"
#include "mc-call-window.h"
#include "mc-prejoin-window.h"
#include "mc-window.h"

struct _McApplication
{
  AdwApplication parent_instance;

  McWindow   *window;
  GHashTable *calls;    /* booking id → McCallWindow (unowned) */
  GHashTable *prejoins; /* booking id → McPrejoinWindow (unowned) */
};

G_DEFINE_FINAL_TYPE (McApplication, mc_application, ADW_TYPE_APPLICATION)

/* The pre-join windows follow the list: "waiting for you" when the other
 * participant arrives. */
static void
bookings_changed_cb (McWindow      *window,
                     McApplication *self)
{
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, self->prejoins);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      McPrejoinWindow *prejoin = value;
      JsonObject      *booking = mc_window_find_booking (window,
                                                         mc_prejoin_window_get_booking_id (prejoin));

      if (booking != NULL)
        mc_prejoin_window_set_booking (prejoin, booking);
    }
}

#define JOIN_URI_SCHEME "mentorcall"
#define JOIN_URI_HOST   "join"
/* Longer is not a link of ours, and too long to show in a message. */
#define JOIN_URI_MAX_LENGTH 256
/* G_MAXINT64 has 19 digits. */
#define BOOKING_ID_MAX_DIGITS 19

static McWindow *
ensure_window (McApplication *self)
{
  if (self->window == NULL)
    {
      self->window = mc_window_new (ADW_APPLICATION (self));
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      g_signal_connect (self->window, "bookings-changed", G_CALLBACK (bookings_changed_cb), self);
      mc_window_start (self->window);
    }

  return self->window;
}

static void
call_window_destroyed_cb (McCallWindow  *call_window,
                          McApplication *self)
{
  gint64 booking_id = mc_call_window_get_booking_id (call_window);

  g_hash_table_remove (self->calls, &booking_id);
  if (self->window != NULL)
    mc_window_set_in_call (self->window, booking_id, FALSE);
}

static void
prejoin_window_destroyed_cb (McPrejoinWindow *prejoin,
                             McApplication   *self)
{
  gint64 booking_id = mc_prejoin_window_get_booking_id (prejoin);

  if (g_hash_table_lookup (self->prejoins, &booking_id) == prejoin)
    g_hash_table_remove (self->prejoins, &booking_id);
}

/* Opens the lesson's call window and joins; raises it if it is open. */
static void
start_call (McApplication *self,
            gint64         booking_id)
{
  McWindow     *window = ensure_window (self);
  McCallWindow *call_window = g_hash_table_lookup (self->calls, &booking_id);
  JsonObject   *booking;

  /* One window per lesson: joining again raises it. */
  if (call_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (call_window));
      return;
    }

  booking = mc_window_find_booking (window, booking_id);
  if (booking == NULL || mc_window_get_api (window) == NULL)
    {
      /* From a notification before the list arrived: show the lessons. */
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  call_window = mc_call_window_new (GTK_APPLICATION (self), mc_window_get_api (window), booking);
  g_hash_table_insert (self->calls, g_memdup2 (&booking_id, sizeof booking_id), call_window);
  g_signal_connect (call_window, "destroy", G_CALLBACK (call_window_destroyed_cb), self);
  mc_window_set_in_call (window, booking_id, TRUE);

  gtk_window_present (GTK_WINDOW (call_window));
  mc_call_window_start (call_window);
}

static void
prejoin_join_cb (McPrejoinWindow *prejoin,
                 McApplication   *self)
{
  start_call (self, mc_prejoin_window_get_booking_id (prejoin));
}

static void
join_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  McApplication   *self = MC_APPLICATION (user_data);
  McWindow        *window = ensure_window (self);
  gint64           booking_id = g_variant_get_int64 (parameter);
  McPrejoinWindow *prejoin;
  JsonObject      *booking;

  /* In the call already, or checking the devices for it: raise that. */
  if (g_hash_table_contains (self->calls, &booking_id))
    {
      start_call (self, booking_id);
      return;
    }
  prejoin = g_hash_table_lookup (self->prejoins, &booking_id);
  if (prejoin != NULL)
    {
      gtk_window_present (GTK_WINDOW (prejoin));
      return;
    }

  booking = mc_window_find_booking (window, booking_id);
  if (booking == NULL || mc_window_get_api (window) == NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  prejoin = mc_prejoin_window_new (GTK_APPLICATION (self), booking);
  g_hash_table_insert (self->prejoins, g_memdup2 (&booking_id, sizeof booking_id), prejoin);
  g_signal_connect (prejoin, "join", G_CALLBACK (prejoin_join_cb), self);
  g_signal_connect (prejoin, "destroy", G_CALLBACK (prejoin_window_destroyed_cb), self);
  gtk_window_present (GTK_WINDOW (prejoin));
}

static void
rejoin_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  start_call (MC_APPLICATION (user_data), g_variant_get_int64 (parameter));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  McApplication *self = MC_APPLICATION (user_data);
  const char    *developers[] = { _ ("The Mentorcall authors"), NULL };
  GtkWidget     *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", self->window,
                        "application-name", _ ("Mentorcall"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _ ("Video lessons for tutoring and mentoring platforms"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
mc_application_activate (GApplication *application)
{
  McApplication *self = MC_APPLICATION (application);
  McWindow      *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
}

/* --join, in the running instance: the lessons, then the call once the
 * lesson is listed (after logging in, if that is still to come). */
static void
join_listed_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  McApplication *self = MC_APPLICATION (user_data);
  McWindow      *window = ensure_window (self);
  gint64         booking_id = g_variant_get_int64 (parameter);

  mc_window_set_pending_join (window, booking_id, FALSE);

  /* Not joined yet (not logged in, or not listed): show the lessons. */
  if (!g_hash_table_contains (self->calls, &booking_id))
    gtk_window_present (GTK_WINDOW (window));
}

/* A link that is not ours: say so over the lessons, which is where the
 * person who clicked it expected to land. */
static void
show_bad_link (McApplication *self,
               const GError  *error)
{
  McWindow  *window = ensure_window (self);
  GtkWidget *dialog;

  g_message ("Not opening a link: %s", error->message);

  gtk_window_present (GTK_WINDOW (window));
  dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("Cannot Open Link"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
mc_application_open (GApplication *application,
                     GFile       **files,
                     int           n_files,
                     const char   *hint)
{
  McApplication *self = MC_APPLICATION (application);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char   *uri = g_file_get_uri (files[i]);
      g_autoptr (GError) error = NULL;
      gint64             booking_id;

      if (!mc_application_parse_join_uri (uri, &booking_id, &error))
        {
          show_bad_link (self, error);
          continue;
        }

      /* The lessons, then the pre-join window once the lesson is listed
       * (after logging in, if that is still to come): someone who clicked
       * a link on a web page has not checked their camera yet. */
      mc_window_set_pending_join (ensure_window (self), booking_id, TRUE);
      g_application_activate (application);
    }
}

static int
mc_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  g_autoptr (GError) error = NULL;
  gint64             join = 0;

  if (!g_variant_dict_lookup (options, "join", "x", &join))
    return -1;

  if (join <= 0)
    {
      g_printerr (_ ("--join needs a booking number above 0\n"));
      return EXIT_FAILURE;
    }

  /* Registered now, so that the action reaches the instance that already
   * runs, if there is one, rather than being lost in this process. */
  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  g_action_group_activate_action (G_ACTION_GROUP (application), "join-listed",
                                  g_variant_new_int64 (join));

  /* The running instance shows what it should; raising its main window
   * too would cover the call. */
  if (g_application_get_is_remote (application))
    return EXIT_SUCCESS;

  return -1;
}

static void
mc_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "join", join_action, "x" },
    { "rejoin", rejoin_action, "x" },
    { "join-listed", join_listed_action, "x" },
    { "about", about_action },
    { "quit", quit_action },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (mc_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

static void
mc_application_finalize (GObject *object)
{
  McApplication *self = (McApplication *) object;

  g_clear_pointer (&self->calls, g_hash_table_unref);
  g_clear_pointer (&self->prejoins, g_hash_table_unref);

  G_OBJECT_CLASS (mc_application_parent_class)->finalize (object);
}

static void
mc_application_class_init (McApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = mc_application_finalize;

  application_class->activate = mc_application_activate;
  application_class->open = mc_application_open;
  application_class->handle_local_options = mc_application_handle_local_options;
  application_class->startup = mc_application_startup;
}

static void
mc_application_init (McApplication *self)
{
  const GOptionEntry entries[] = {
    { "join", 'j', 0, G_OPTION_ARG_INT64, NULL,
      N_ ("Join this lesson's call as soon as it is listed, with the saved devices"),
      /* Translators: the value of --join in --help, a booking's number */
      N_ ("BOOKING") },
    { NULL }
  };

  self->calls = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->prejoins = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     "[mentorcall://join/BOOKING…]");
}

McApplication *
mc_application_new (void)
{
  return g_object_new (MC_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/mentorcall/Mentorcall",
                       NULL);
}

/**
 * mc_application_parse_join_uri:
 * @uri: a link, such as `mentorcall://join/42`
 * @booking_id: (out): the booking it names
 * @error: a #GError in the %G_URI_ERROR domain, with a message for people
 *
 * Accepts exactly `mentorcall://join/` followed by a booking number: no user,
 * port, further path, query or fragment, no sign or leading zero in the
 * number. As RFC 3986 defines, scheme and host are compared without regard
 * to case and an escaped digit is the digit (GLib normalizes it); any other
 * escape is refused, never decoded.
 *
 * Returns: %TRUE if @uri is such a link
 */
gboolean
mc_application_parse_join_uri (const char *uri,
                               gint64     *booking_id,
                               GError    **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *userinfo = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *fragment = NULL;
  const char      *digits;
  guint64          value;
  int              port = -1;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (strlen (uri) > JOIN_URI_MAX_LENGTH)
    {
      g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
                           _ ("The link is too long to be a Mentorcall link."));
      return FALSE;
    }

  /* Encoded: an escaped character other than a digit stays escaped, and the
   * number check below refuses it. */
  if (!g_uri_split (uri, G_URI_FLAGS_ENCODED, &scheme, &userinfo, &host, &port, &path, &query,
                    &fragment, NULL) ||
      scheme == NULL || g_ascii_strcasecmp (scheme, JOIN_URI_SCHEME) != 0)
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                   /* Translators: %s is the link */
                   _ ("“%s” is not a Mentorcall link."), uri);
      return FALSE;
    }

  if (host == NULL || g_ascii_strcasecmp (host, JOIN_URI_HOST) != 0 ||
      userinfo != NULL || port != -1)
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST,
                   /* Translators: %s is the link */
                   _ ("“%s” is not a link to join a lesson."), uri);
      return FALSE;
    }

  if (query != NULL || fragment != NULL)
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_QUERY,
                   /* Translators: %s is the link */
                   _ ("“%s” has more in it than a lesson’s number."), uri);
      return FALSE;
    }

  digits = path + 1;
  if (path[0] != '/' || digits[0] == '\0' || digits[0] == '0' || strlen (digits) > BOOKING_ID_MAX_DIGITS ||
      strspn (digits, "0123456789") != strlen (digits) ||
      !g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_PATH,
                   /* Translators: %s is the link */
                   _ ("“%s” does not name a lesson: it must end in the lesson’s number."), uri);
      return FALSE;
    }

  *booking_id = (gint64) value;
  return TRUE;
}
