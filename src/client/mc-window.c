/* mc-window.c — the main window: log in, lessons, rejoin banner
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view, as GNOME Text Editor's window is of its EditorSession: the state
 * is in two objects without widgets that the window owns and the tests use
 * on their own. McAccount (mc-account.c) holds the session: at start the
 * window asks it to log in silently with the token the keyring kept, and
 * shows the login page, saying why, when there is none or the server
 * refuses it. McLobby (src/engine/mc-lobby.c) holds the lessons once logged
 * in: the list, the lobby WebSocket and the poll that keep it current, which
 * call runs without us (the rejoin banner) and when a reminder is due. The
 * window turns what they say into pages, toasts and notifications, and
 * tells the lobby which lessons have a call window open.
 *
 * The banner's button says Join to someone who has not been in that call
 * yet, and opens the pre-join check for them; Rejoin goes straight back in.
 * The banner and the reminders are shown by mc-window-banner.c.
 */

#define G_LOG_DOMAIN "mc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking-row.h"
#include "mc-format.h"
#include "mc-lobby-private.h"
#include "mc-preferences-window.h"
#include "mc-protocol.h"
#include "mc-summary-window.h"
#include "mc-window-internal.h"
#include "mc-window-private.h"


enum
{
  SIGNAL_BOOKINGS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McWindow, mc_window, ADW_TYPE_APPLICATION_WINDOW)

static void show_login (McWindow *self, const char *message);

static void
toast (McWindow   *self,
       const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
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

static void
join_pending (McWindow *self)
{
  gint64 booking_id = self->pending_join;

  self->pending_join = 0;
  if (self->pending_check)
    mc_window_join (self, booking_id);
  else
    mc_window_rejoin (self, booking_id);
}

static void
lobby_bookings_changed_cb (McLobby  *lobby,
                           McWindow *self)
{
  mc_bookings_page_set_bookings (self->bookings_page, mc_lobby_get_bookings (lobby));
  g_signal_emit (self, signals[SIGNAL_BOOKINGS_CHANGED], 0);

  if (self->pending_join != 0 && mc_lobby_find_booking (lobby, self->pending_join) != NULL)
    join_pending (self);
}

static void
lobby_refresh_failed_cb (McLobby      *lobby,
                         const GError *error,
                         McWindow     *self)
{
  g_autofree char *message = mc_describe_error (error);

  if (mc_account_is_session_refused (error))
    {
      mc_account_forget_session (self->account);
      show_login (self, message);
      return;
    }

  mc_bookings_page_set_offline (self->bookings_page, message);
}

static void
lobby_running_call_changed_cb (McLobby  *lobby,
                               McWindow *self)
{
  mc_window_update_banner (self);
}

static void
lobby_reminder_cb (McLobby    *lobby,
                   JsonObject *booking,
                   gint64      seconds_left,
                   McWindow   *self)
{
  mc_window_send_reminder (self, booking, seconds_left);
}

/* The other participant is in a lesson we are not in: say so, with Join. */
static void
lobby_peer_joined_cb (McLobby    *lobby,
                      gint64      booking_id,
                      JsonObject *user,
                      McWindow   *self)
{
  GApplication             *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GNotification) notification = NULL;
  g_autofree char          *title = NULL;
  g_autofree char          *id = NULL;

  if (application == NULL)
    return;

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
  mc_lobby_refresh (self->lobby);
}

static void
show_login (McWindow   *self,
            const char *message)
{
  g_autofree char *server = mc_account_dup_server_url (self->account);
  g_autofree char *username = mc_account_dup_username (self->account);

  mc_lobby_stop (self->lobby);
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
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
  g_autofree char *username = mc_account_dup_username (self->account);

  adw_window_title_set_subtitle (self->window_title, username);
  mc_bookings_page_set_loading (self->bookings_page);
  set_page (self, "bookings");

  mc_lobby_start (self->lobby, mc_account_get_api (self->account));
}

static void
session_not_kept_cb (McAccount *account,
                     McWindow  *self)
{
  toast (self, _ ("No keyring to keep the session in; you will be asked to log in "
                  "again next time"));
}

static void
logged_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (McWindow) self = user_data;
  g_autoptr (GError)   error = NULL;

  if (!mc_account_log_in_finish (MC_ACCOUNT (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      mc_login_page_set_busy (self->login_page, FALSE);
      message = mc_describe_error (error);
      mc_login_page_set_error (self->login_page, message);
      return;
    }

  mc_login_page_set_busy (self->login_page, FALSE);
  mc_login_page_clear_password (self->login_page);
  show_bookings (self);
}

static void
login_page_submit_cb (McLoginPage *page,
                      McWindow    *self)
{
  mc_login_page_set_busy (page, TRUE);
  mc_account_log_in_async (self->account, mc_login_page_get_server (page),
                           mc_login_page_get_username (page), mc_login_page_get_password (page),
                           self->cancellable, logged_in_cb, g_object_ref (self));
}

/* For kiosks, demos and automation: with the username in the settings and
 * MENTORCALL_PASSWORD in the environment, log in without asking. */
static void
auto_login (McWindow *self)
{
  const char *password = mc_account_get_environment_password ();

  if (password == NULL || *mc_login_page_get_username (self->login_page) == '\0')
    return;

  mc_login_page_set_password (self->login_page, password);
  mc_login_page_submit (self->login_page);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (McWindow) self = user_data;
  g_autoptr (GError)   error = NULL;
  g_autofree char     *message = NULL;

  if (mc_account_restore_finish (MC_ACCOUNT (object), result, &error))
    {
      show_bookings (self);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_SESSION))
    {
      show_login (self, NULL);
      auto_login (self);
      return;
    }

  if (g_error_matches (error, MC_ACCOUNT_ERROR, MC_ACCOUNT_ERROR_NO_KEYRING))
    {
      show_login (self, _ ("The keyring is not available, so the session could not be kept; "
                           "log in again."));
      auto_login (self);
      return;
    }

  message = mc_describe_error (error);
  if (g_error_matches (error, MC_ERROR, MC_ERROR_NETWORK))
    {
      /* Keep the session: the server may be back soon. */
      show_bookings (self);
      mc_bookings_page_set_offline (self->bookings_page, message);
      return;
    }

  /* The server refused the kept token (the account forgot it), or failed:
   * ask again. */
  show_login (self, message);
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
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  McWindow *self = MC_WINDOW (widget);

  mc_account_log_out (self->account);
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

  mc_lobby_dismiss_running_call (self->lobby);
}

static void
rejoin_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  McWindow   *self = MC_WINDOW (widget);
  JsonObject *booking = mc_lobby_get_running_call (self->lobby);
  gint64      booking_id;

  if (booking == NULL)
    return;

  booking_id = json_object_get_int_member (booking, "id");
  if (mc_lobby_get_joined_before (self->lobby))
    mc_window_rejoin (self, booking_id);
  else
    mc_window_join (self, booking_id);
}

static void
mc_window_dispose (GObject *object)
{
  McWindow *self = (McWindow *) object;

  /* The account and the lobby stay until finalize, stopped and no longer
   * heard, so that the application's calls that may still come (a call
   * window closing) find an empty lobby rather than none. */
  g_cancellable_cancel (self->cancellable);
  g_signal_handlers_disconnect_by_data (self->lobby, self);
  mc_lobby_stop (self->lobby);
  g_signal_handlers_disconnect_by_data (self->account, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_WINDOW);

  G_OBJECT_CLASS (mc_window_parent_class)->dispose (object);
}

static void
mc_window_finalize (GObject *object)
{
  McWindow *self = (McWindow *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->lobby);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);

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

  self->account = mc_account_new ();
  g_signal_connect (self->account, "session-not-kept", G_CALLBACK (session_not_kept_cb), self);

  self->lobby = mc_lobby_new ();
  g_signal_connect (self->lobby, "bookings-changed", G_CALLBACK (lobby_bookings_changed_cb),
                    self);
  g_signal_connect (self->lobby, "refresh-failed", G_CALLBACK (lobby_refresh_failed_cb), self);
  g_signal_connect (self->lobby, "running-call-changed",
                    G_CALLBACK (lobby_running_call_changed_cb), self);
  g_signal_connect (self->lobby, "reminder", G_CALLBACK (lobby_reminder_cb), self);
  g_signal_connect (self->lobby, "peer-joined", G_CALLBACK (lobby_peer_joined_cb), self);

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
  if (!mc_account_can_restore (self->account))
    {
      show_login (self, NULL);
      auto_login (self);
      return;
    }

  set_page (self, "loading");
  mc_account_restore_async (self->account, self->cancellable, restored_cb, g_object_ref (self));
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

  if (booking == NULL || mc_window_get_api (self) == NULL)
    return;

  summary = mc_summary_window_new (gtk_window_get_application (GTK_WINDOW (self)),
                                   mc_window_get_api (self),
                                   booking, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (summary), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (summary));
}

/**
 * mc_window_get_api:
 * @self: the window
 *
 * Returns: (transfer none) (nullable): the REST client of the session
 */
McApiClient *
mc_window_get_api (McWindow *self)
{
  return mc_account_get_api (self->account);
}

/**
 * mc_window_get_account:
 * @self: the window
 *
 * Returns: (transfer none): who is logged in
 */
McAccount *
mc_window_get_account (McWindow *self)
{
  return self->account;
}

/**
 * mc_window_get_lobby:
 * @self: the window
 *
 * Returns: (transfer none): the lessons
 */
McLobby *
mc_window_get_lobby (McWindow *self)
{
  return self->lobby;
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
  return mc_lobby_find_booking (self->lobby, booking_id);
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

  if (mc_lobby_find_booking (self->lobby, booking_id) != NULL)
    join_pending (self);
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
  /* A call window may close after this window was disposed. */
  if (self->bookings_page != NULL)
    mc_bookings_page_set_in_call (self->bookings_page, booking_id, in_call);
  mc_lobby_set_in_call (self->lobby, booking_id, in_call);
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
  return mc_lobby_get_reminded (self->lobby, booking_id);
}

const char *
mc_window_get_banner_button_label (McWindow *self)
{
  return gtk_button_get_label (self->banner_rejoin);
}
