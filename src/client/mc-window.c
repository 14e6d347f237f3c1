/* mc-window.c — the main window: log in, lessons, rejoin banner
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * At start the window looks in the keyring for the last session and logs
 * in silently with it; otherwise, or when the server refuses it, it shows
 * the login page and says why (a refused token is taken out of the keyring,
 * as logging out does). Once logged in it lists the lessons and
 * keeps a WebSocket to the server open outside any call ("the lobby"),
 * which tells it when the other participant joins a lesson or a booking
 * changes, so the list and the rejoin banner follow the server by
 * themselves; a slow poll covers what the lobby cannot see.
 *
 * The rejoin banner comes from the server's call state: a lesson whose call
 * is active while this window has no call of it open. So it is there after
 * closing the call window, after a crash and after a restart alike, and it
 * goes away when the session is ended. Its button says Join to someone who
 * has not been in that call yet (the attendance records tell), and opens
 * the pre-join check for them; Rejoin goes straight back in. The banner
 * and the lesson reminders are in mc-window-banner.c.
 */

#define G_LOG_DOMAIN "mc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking-row.h"
#include "mc-booking.h"
#include "mc-credentials.h"
#include "mc-format.h"
#include "mc-preferences-window.h"
#include "mc-protocol.h"
#include "mc-signaling-client.h"
#include "mc-summary-window.h"
#include "mc-window-internal.h"
#include "mc-window-private.h"

#define POLL_SECONDS      30
#define LOBBY_DEBOUNCE_MS 300


enum
{
  SIGNAL_BOOKINGS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McWindow, mc_window, ADW_TYPE_APPLICATION_WINDOW)

static void show_login (McWindow *self, const char *message);
static void show_bookings (McWindow *self);

static void
toast (McWindow   *self,
       const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static gboolean
has_environment_password (void)
{
  const char *password = g_getenv ("MENTORCALL_PASSWORD");

  return password != NULL && *password != '\0';
}

/* Whether the server says the session token itself is no good (as opposed to
 * the server or the network having trouble): such a token never works
 * again, so it must not be kept for the next start either. */
static gboolean
is_session_refused (const GError *error)
{
  return g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_EXPIRED) ||
         g_error_matches (error, MC_ERROR, MC_ERROR_SESSION_INVALID) ||
         g_error_matches (error, MC_ERROR, MC_ERROR_UNAUTHORIZED);
}

static void
credentials_cleared_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!mc_credentials_clear_finish (result, &error))
    g_debug ("Cannot clear the session from the keyring: %s", error->message);
}

/* Takes the kept session of the configured user out of the keyring. Not
 * cancelled with the window: a token that has been given up must go even
 * when the window closes right after. */
static void
forget_session (McWindow *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");
  g_autofree char *username = g_settings_get_string (self->settings, "username");

  mc_credentials_clear_async (server, username, NULL, credentials_cleared_cb, NULL);
}

static void
set_page (McWindow   *self,
          const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.logout",
                                 g_str_equal (name, "bookings"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh",
                                 g_str_equal (name, "bookings"));
}

static gboolean
banner_tick_cb (gpointer user_data)
{
  mc_window_update_banner (MC_WINDOW (user_data));
  mc_window_check_reminders (MC_WINDOW (user_data));

  return G_SOURCE_CONTINUE;
}

static void
bookings_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (McWindow)   self = user_data;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;

  answer = mc_api_client_list_bookings_finish (MC_API_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (is_session_refused (error))
        {
          message = mc_describe_error (error);
          forget_session (self);
          show_login (self, message);
          return;
        }

      message = mc_describe_error (error);
      mc_bookings_page_set_offline (self->bookings_page, message);
      return;
    }

  g_clear_pointer (&self->bookings, json_object_unref);
  self->bookings = json_object_ref (answer);
  mc_bookings_page_set_bookings (self->bookings_page, answer);
  /* Someone offered Join may have joined from elsewhere since. */
  if (!self->banner_joined_before)
    self->banner_checked = 0;
  mc_window_update_banner (self);
  mc_window_check_reminders (self);
  g_signal_emit (self, signals[SIGNAL_BOOKINGS_CHANGED], 0);

  if (self->pending_join != 0 && mc_window_find_booking (self, self->pending_join) != NULL)
    {
      gint64 booking_id = self->pending_join;

      self->pending_join = 0;
      if (self->pending_check)
        mc_window_join (self, booking_id);
      else
        mc_window_rejoin (self, booking_id);
    }
}

/**
 * mc_window_refresh:
 * @self: the window
 *
 * Asks the server for the lessons again.
 */
void
mc_window_refresh (McWindow *self)
{
  if (self->api == NULL || mc_api_client_get_token (self->api) == NULL)
    return;

  mc_api_client_list_bookings_async (self->api, self->cancellable, bookings_listed_cb,
                                     g_object_ref (self));
}

static gboolean
poll_cb (gpointer user_data)
{
  mc_window_refresh (MC_WINDOW (user_data));

  return G_SOURCE_CONTINUE;
}

static gboolean
debounced_refresh_cb (gpointer user_data)
{
  McWindow *self = user_data;

  self->debounce_id = 0;
  mc_window_refresh (self);

  return G_SOURCE_REMOVE;
}

/* Several lobby events often come together; one refresh covers them. */
static void
lobby_event_cb (McWindow *self)
{
  if (self->debounce_id == 0)
    self->debounce_id = g_timeout_add (LOBBY_DEBOUNCE_MS, debounced_refresh_cb, self);
}

static void
lobby_presence_cb (McSignalingClient *lobby,
                   gint64             booking_id,
                   JsonObject        *message,
                   McWindow          *self)
{
  GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  JsonArray    *participants = json_object_get_array_member (message, "participants");
  JsonObject   *me = mc_signaling_client_get_user (lobby);
  gint64        my_id = me != NULL ? json_object_get_int_member (me, "id") : 0;

  lobby_event_cb (self);

  /* The other participant is in a lesson we are not in: say so, with Join. */
  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonObject               *user = json_array_get_object_element (participants, i);
      g_autoptr (GNotification) notification = NULL;
      g_autofree char          *title = NULL;
      g_autofree char          *id = NULL;

      if (json_object_get_int_member (user, "id") == my_id || application == NULL)
        continue;

      /* Translators: a notification; %s is the other participant */
      title = g_strdup_printf (_ ("%s joined your lesson"), json_object_get_string_member (user, "display_name"));
      notification = g_notification_new (title);
      g_notification_set_body (notification, _ ("They are waiting for you in the call."));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_notification_add_button_with_target (notification, _ ("Join"), "app.join", "x",
                                             booking_id);
      g_notification_set_default_action_and_target (notification, "app.join", "x", booking_id);
      id = g_strdup_printf ("peer-joined-%" G_GINT64_FORMAT, booking_id);
      g_application_send_notification (application, id, notification);
      break;
    }
}

static void
start_lobby (McWindow *self)
{
  g_clear_object (&self->lobby);

  self->lobby = mc_signaling_client_new (self->api);
  g_signal_connect_swapped (self->lobby, "booking-changed", G_CALLBACK (lobby_event_cb), self);
  g_signal_connect (self->lobby, "presence", G_CALLBACK (lobby_presence_cb), self);
  mc_signaling_client_connect (self->lobby);
}

static void
stop_session (McWindow *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->banner_tick_id, g_source_remove);
  if (self->lobby != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->lobby, self);
      mc_signaling_client_disconnect (self->lobby);
      g_clear_object (&self->lobby);
    }
  g_clear_pointer (&self->bookings, json_object_unref);
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

static void
show_login (McWindow   *self,
            const char *message)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");
  g_autofree char *username = g_settings_get_string (self->settings, "username");

  stop_session (self);
  mc_login_page_set_server (self->login_page, server);
  mc_login_page_set_username (self->login_page, username);
  mc_login_page_clear_password (self->login_page);
  mc_login_page_set_busy (self->login_page, FALSE);
  mc_login_page_set_error (self->login_page, message);
  adw_window_title_set_subtitle (self->window_title, NULL);
  set_page (self, "login");
}

static void
show_bookings (McWindow *self)
{
  g_autofree char *username = g_settings_get_string (self->settings, "username");

  adw_window_title_set_subtitle (self->window_title, username);
  mc_bookings_page_set_loading (self->bookings_page);
  set_page (self, "bookings");

  mc_window_refresh (self);
  start_lobby (self);

  if (self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (POLL_SECONDS, poll_cb, self);
  if (self->banner_tick_id == 0)
    self->banner_tick_id = g_timeout_add_seconds (1, banner_tick_cb, self);
}

static void
credentials_stored_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (McWindow) self = user_data;
  g_autoptr (GError)   error = NULL;

  if (!mc_credentials_store_finish (result, &error))
    {
      g_autofree char *message = NULL;

      /* The keyring's own words are English and technical ("Object does
       * not exist at path…"): the log has them, the person gets a sentence. */
      g_message ("Cannot store the session in the keyring: %s", error->message);
      message = g_strdup (_ ("No keyring to keep the session in; you will be asked to log in "
                             "again next time"));
      toast (self, message);
    }
}

static void
logged_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (McWindow)   self = user_data;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;
  const char            *server = mc_api_client_get_base_url (MC_API_CLIENT (object));
  const char            *username = mc_login_page_get_username (self->login_page);

  answer = mc_api_client_login_finish (MC_API_CLIENT (object), result, &error);
  mc_login_page_set_busy (self->login_page, FALSE);

  if (answer == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      message = mc_describe_error (error);
      mc_login_page_set_error (self->login_page, message);
      return;
    }

  g_settings_set_string (self->settings, "server-url", server);
  g_settings_set_string (self->settings, "username", username);

  /* A password from the environment logs in again next time by itself; only
   * a password typed by a person makes a session worth keeping. */
  if (!has_environment_password ())
    mc_credentials_store_async (server, username, mc_api_client_get_token (self->api),
                                self->cancellable, credentials_stored_cb, g_object_ref (self));
  mc_login_page_clear_password (self->login_page);
  show_bookings (self);
}

static void
login_page_submit_cb (McLoginPage *page,
                      McWindow    *self)
{
  g_autofree char *server = g_strstrip (g_strdup (mc_login_page_get_server (page)));

  if (!g_str_has_prefix (server, "http://") && !g_str_has_prefix (server, "https://"))
    {
      char *with_scheme = g_strconcat ("https://", server, NULL);

      g_free (server);
      server = with_scheme;
    }

  g_clear_object (&self->api);
  self->api = mc_api_client_new (server);

  mc_login_page_set_busy (page, TRUE);
  mc_api_client_login_async (self->api, g_strstrip ((char *) mc_login_page_get_username (page)),
                             mc_login_page_get_password (page), self->cancellable,
                             logged_in_cb, g_object_ref (self));
}

/* For kiosks, demos and automation: with the username in the settings and
 * MENTORCALL_PASSWORD in the environment, log in without asking. */
static void
auto_login (McWindow *self)
{
  if (!has_environment_password () || *mc_login_page_get_username (self->login_page) == '\0')
    return;

  mc_login_page_set_password (self->login_page, g_getenv ("MENTORCALL_PASSWORD"));
  mc_login_page_submit (self->login_page);
}

static void
bookings_page_join_cb (McBookingsPage *page,
                       gint64          booking_id,
                       McWindow       *self)
{
  mc_window_join (self, booking_id);
}

static void
bookings_page_show_summary_cb (McBookingsPage *page,
                               gint64          booking_id,
                               McWindow       *self)
{
  mc_window_show_summary (self, booking_id);
}

static void
me_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr (McWindow)   self = user_data;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;

  answer = mc_api_client_me_finish (MC_API_CLIENT (object), result, &error);
  if (answer != NULL)
    {
      show_bookings (self);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, MC_ERROR, MC_ERROR_NETWORK))
    {
      g_autofree char *message = mc_describe_error (error);

      /* Keep the session: the server may be back soon. */
      show_bookings (self);
      mc_bookings_page_set_offline (self->bookings_page, message);
      return;
    }

  /* The server refused the kept token (revoked, expired): ask again, and
   * do not try that token at the next start. */
  if (is_session_refused (error))
    forget_session (self);

  {
    g_autofree char *message = mc_describe_error (error);

    show_login (self, message);
  }
}

static void
token_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (McWindow) self = user_data;
  g_autoptr (GError)   error = NULL;
  g_autofree char     *token = mc_credentials_lookup_finish (result, &error);
  g_autofree char     *server = g_settings_get_string (self->settings, "server-url");

  if (error != NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("No keyring: %s", error->message);
      message = g_strdup (_ ("The keyring is not available, so the session could not be kept; "
                             "log in again."));
      show_login (self, message);
      auto_login (self);
      return;
    }

  if (token == NULL)
    {
      show_login (self, NULL);
      auto_login (self);
      return;
    }

  g_clear_object (&self->api);
  self->api = mc_api_client_new (server);
  mc_api_client_set_token (self->api, token);
  mc_api_client_me_async (self->api, self->cancellable, me_cb, g_object_ref (self));
}

static void
logged_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  /* Nothing to tell: the session is forgotten here whatever the server
   * says. */
  mc_api_client_logout_finish (MC_API_CLIENT (object), result, NULL);
}

static void
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  McWindow *self = MC_WINDOW (widget);

  if (self->api != NULL)
    mc_api_client_logout_async (self->api, NULL, logged_out_cb, NULL);
  forget_session (self);

  show_login (self, NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  mc_window_refresh (MC_WINDOW (widget));
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  gtk_window_present (GTK_WINDOW (mc_preferences_window_new (GTK_WINDOW (widget))));
}

static void
dismiss_banner_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  McWindow *self = MC_WINDOW (widget);

  self->dismissed_booking = self->banner_booking;
  mc_window_update_banner (self);
}

static void
rejoin_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  McWindow *self = MC_WINDOW (widget);

  if (self->banner_booking == 0)
    return;

  if (self->banner_joined_before)
    mc_window_rejoin (self, self->banner_booking);
  else
    mc_window_join (self, self->banner_booking);
}

static void
mc_window_dispose (GObject *object)
{
  McWindow *self = (McWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->banner_cancellable);
  stop_session (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_WINDOW);

  G_OBJECT_CLASS (mc_window_parent_class)->dispose (object);
}

static void
mc_window_finalize (GObject *object)
{
  McWindow *self = (McWindow *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->banner_cancellable);
  g_clear_object (&self->api);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->in_call, g_hash_table_unref);
  g_clear_pointer (&self->reminded, g_hash_table_unref);

  G_OBJECT_CLASS (mc_window_parent_class)->finalize (object);
}

static void
mc_window_class_init (McWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_window_dispose;
  object_class->finalize = mc_window_finalize;

  /**
   * McWindow::bookings-changed:
   *
   * A new list of lessons arrived from the server.
   */
  signals[SIGNAL_BOOKINGS_CHANGED] = g_signal_new ("bookings-changed", G_TYPE_FROM_CLASS (klass),
                                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                   G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, McWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, McWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, McWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, McWindow, login_page);
  gtk_widget_class_bind_template_child (widget_class, McWindow, bookings_page);
  gtk_widget_class_bind_template_child (widget_class, McWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, McWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, McWindow, banner_rejoin);
  gtk_widget_class_bind_template_callback (widget_class, login_page_submit_cb);
  gtk_widget_class_bind_template_callback (widget_class, bookings_page_join_cb);
  gtk_widget_class_bind_template_callback (widget_class, bookings_page_show_summary_cb);

  gtk_widget_class_install_action (widget_class, "win.logout", NULL, logout_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-banner", NULL,
                                   dismiss_banner_action);
  gtk_widget_class_install_action (widget_class, "win.rejoin", NULL, rejoin_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK,
                                       "win.preferences", NULL);
}

static void
mc_window_init (McWindow *self)
{
  /* The types the template instantiates. */
  g_type_ensure (MC_TYPE_LOGIN_PAGE);
  g_type_ensure (MC_TYPE_BOOKINGS_PAGE);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APPLICATION_ID);
  self->in_call = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->reminded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  set_page (self, "loading");
}

McWindow *
mc_window_new (AdwApplication *application)
{
  return g_object_new (MC_TYPE_WINDOW, "application", application, NULL);
}

/**
 * mc_window_start:
 * @self: the window
 *
 * Logs in with the kept session, or shows the login page.
 */
void
mc_window_start (McWindow *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");
  g_autofree char *username = g_settings_get_string (self->settings, "username");

  if (*username == '\0' || has_environment_password ())
    {
      show_login (self, NULL);
      auto_login (self);
      return;
    }

  set_page (self, "loading");
  mc_credentials_lookup_async (server, username, self->cancellable, token_looked_up_cb,
                               g_object_ref (self));
}

/**
 * mc_window_join:
 * @self: the window
 * @booking_id: a lesson
 *
 * Opens the lesson's pre-join window (app.join), or its call window if the
 * call is open already.
 */
void
mc_window_join (McWindow *self,
                gint64    booking_id)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (application), "join",
                                    g_variant_new_int64 (booking_id));
}

/**
 * mc_window_rejoin:
 * @self: the window
 * @booking_id: a lesson
 *
 * Goes straight into the lesson's call with the saved devices (app.rejoin).
 */
void
mc_window_rejoin (McWindow *self,
                  gint64    booking_id)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (application), "rejoin",
                                    g_variant_new_int64 (booking_id));
}

/**
 * mc_window_show_summary:
 * @self: the window
 * @booking_id: an ended lesson
 *
 * Opens the lesson's summary: duration, attendance and chat.
 */
void
mc_window_show_summary (McWindow *self,
                        gint64    booking_id)
{
  JsonObject      *booking = mc_window_find_booking (self, booking_id);
  McSummaryWindow *summary;

  if (booking == NULL || self->api == NULL)
    return;

  summary = mc_summary_window_new (gtk_window_get_application (GTK_WINDOW (self)), self->api,
                                   booking, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (summary), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (summary));
}

McApiClient *
mc_window_get_api (McWindow *self)
{
  return self->api;
}

McLoginPage *
mc_window_get_login_page (McWindow *self)
{
  return self->login_page;
}

McBookingsPage *
mc_window_get_bookings_page (McWindow *self)
{
  return self->bookings_page;
}

const char *
mc_window_get_page (McWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
mc_window_get_banner_visible (McWindow *self)
{
  return gtk_revealer_get_reveal_child (self->banner_revealer);
}

const char *
mc_window_get_banner_text (McWindow *self)
{
  return gtk_label_get_label (self->banner_label);
}

/**
 * mc_window_find_booking:
 * @self: the window
 * @booking_id: a lesson
 *
 * Returns: (transfer none) (nullable): the lesson as last listed
 */
JsonObject *
mc_window_find_booking (McWindow *self,
                        gint64    booking_id)
{
  JsonArray *bookings = self->bookings ? json_object_get_array_member (self->bookings, "bookings")
                                       : NULL;

  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (json_object_get_int_member (booking, "id") == booking_id)
        return booking;
    }

  return NULL;
}

/**
 * mc_window_set_pending_join:
 * @self: the window
 * @booking_id: a lesson to join as soon as it is listed
 * @check_devices: whether to open the pre-join window first (app.join)
 *   rather than go straight into the call (app.rejoin)
 */
void
mc_window_set_pending_join (McWindow *self,
                            gint64    booking_id,
                            gboolean  check_devices)
{
  self->pending_join = booking_id;
  self->pending_check = check_devices;

  if (self->bookings != NULL && mc_window_find_booking (self, booking_id) != NULL)
    {
      self->pending_join = 0;
      if (check_devices)
        mc_window_join (self, booking_id);
      else
        mc_window_rejoin (self, booking_id);
    }
}

/**
 * mc_window_set_in_call:
 * @self: the window
 * @booking_id: a lesson
 * @in_call: whether its call window is open
 *
 * The rejoin banner is for calls that run without us; while a lesson's call
 * window is open, it is not offered.
 */
void
mc_window_set_in_call (McWindow *self,
                       gint64    booking_id,
                       gboolean  in_call)
{
  if (in_call)
    g_hash_table_add (self->in_call, g_memdup2 (&booking_id, sizeof booking_id));
  else
    g_hash_table_remove (self->in_call, &booking_id);

  if (!in_call && booking_id == self->dismissed_booking)
    self->dismissed_booking = 0;

  /* Having been in the call, it is Rejoin from now on. */
  if (in_call && booking_id == self->banner_checked)
    self->banner_checked = 0;
  mc_bookings_page_set_in_call (self->bookings_page, booking_id, in_call);

  mc_window_update_banner (self);
  mc_window_refresh (self);
}

/**
 * mc_window_get_reminded:
 * @self: the window
 * @booking_id: a lesson
 *
 * Returns: whether the lesson's reminder went out
 */
gboolean
mc_window_get_reminded (McWindow *self,
                        gint64    booking_id)
{
  return g_hash_table_contains (self->reminded, &booking_id);
}

const char *
mc_window_get_banner_button_label (McWindow *self)
{
  return gtk_button_get_label (self->banner_rejoin);
}
