/* mc-window-banner.c — the main window's rejoin banner and lesson reminders
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both follow the lesson list McWindow keeps (see mc-window.c): the banner
 * offers a lesson whose call runs without this window in it, and asks the
 * server's attendance records whether to say Join or Rejoin; a reminder
 * goes out once per lesson shortly before it starts.
 */

#define G_LOG_DOMAIN "mc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking.h"
#include "mc-format.h"
#include "mc-protocol.h"
#include "mc-window-internal.h"

/* A reminder goes out this long before a lesson starts. */
#define REMINDER_LEAD_SECONDS (5 * 60)

/* Helpers */

/* The lesson whose call is running without us, if any. */
static JsonObject *
find_running_call (McWindow    *self,
                   JsonObject **call_out)
{
  JsonArray *bookings = self->bookings ? json_object_get_array_member (self->bookings, "bookings")
                                       : NULL;

  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);
      JsonObject *call = mc_booking_get_call (booking);
      McCallState state;

      if (!mc_booking_get_call_state (booking, &state) || state != MC_CALL_ACTIVE)
        continue;

      if (json_object_get_int_member (booking, "id") == self->dismissed_booking)
        continue;

      {
        gint64 id = json_object_get_int_member (booking, "id");

        if (g_hash_table_contains (self->in_call, &id))
          continue;
      }

      *call_out = call;
      return booking;
    }

  return NULL;
}

static void
update_banner_button (McWindow *self)
{
  gtk_button_set_label (self->banner_rejoin,
                        self->banner_joined_before ? _ ("_Rejoin") : _ ("_Join"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_rejoin),
                               self->banner_joined_before
                                 ? _ ("Go back into the call")
                                 : _ ("Check your camera and microphone, then join"));
}

static void
banner_attendance_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (McWindow)   self = user_data;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;
  JsonObject            *me = self->lobby ? mc_signaling_client_get_user (self->lobby) : NULL;
  JsonArray             *records;

  answer = mc_api_client_get_attendance_finish (MC_API_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No attendance for the banner: %s", error->message);
      return;
    }

  records = json_object_get_array_member (answer, "attendance");
  self->banner_joined_before = FALSE;
  for (guint i = 0; me != NULL && records != NULL && i < json_array_get_length (records); i++)
    {
      JsonObject *user = json_object_get_object_member (json_array_get_object_element (records,
                                                                                       i),
                                                        "user");

      if (user != NULL &&
          json_object_get_int_member (user, "id") == json_object_get_int_member (me, "id"))
        self->banner_joined_before = TRUE;
    }
  update_banner_button (self);
}

/* Whether we were in the call before decides between Join and Rejoin;
 * the attendance records know, also after a restart. */
static void
check_banner_attendance (McWindow *self)
{
  if (self->banner_booking == self->banner_checked || self->api == NULL)
    return;

  self->banner_checked = self->banner_booking;
  self->banner_joined_before = FALSE;
  update_banner_button (self);

  g_cancellable_cancel (self->banner_cancellable);
  g_clear_object (&self->banner_cancellable);
  if (self->banner_booking == 0)
    return;

  self->banner_cancellable = g_cancellable_new ();
  mc_api_client_get_attendance_async (self->api, self->banner_booking, self->banner_cancellable,
                                      banner_attendance_cb, g_object_ref (self));
}

/* A lesson about to start: a notification, once, with Join. */
static void
send_reminder (McWindow   *self,
               JsonObject *booking,
               gint64      seconds_left)
{
  GApplication             *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  JsonObject               *other = json_object_get_object_member (booking, "other");
  const char               *name = other ? json_object_get_string_member (other, "display_name") : "";
  const char               *subject = json_object_get_string_member_with_default (booking, "subject", "");
  gint64                    booking_id = json_object_get_int_member (booking, "id");
  guint                     minutes = (guint) MAX (1, (seconds_left + 59) / 60);
  g_autoptr (GNotification) notification = NULL;
  g_autofree char          *title = NULL;
  g_autofree char          *id = NULL;

  if (application == NULL)
    return;

  /* Translators: a reminder; %s is the other participant, %u a number of minutes */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Lesson with %s in %u minute",
                                        "Lesson with %s in %u minutes", minutes),
                           name, minutes);
  notification = g_notification_new (title);
  if (*subject != '\0')
    g_notification_set_body (notification, subject);
  g_notification_add_button_with_target (notification, _ ("Join"), "app.join", "x", booking_id);
  g_notification_set_default_action_and_target (notification, "app.join", "x", booking_id);
  id = g_strdup_printf ("reminder-%" G_GINT64_FORMAT, booking_id);
  g_application_send_notification (application, id, notification);
}

/* Internal API (mc-window-internal.h) */

void
mc_window_update_banner (McWindow *self)
{
  JsonObject      *call = NULL;
  JsonObject      *booking = find_running_call (self, &call);
  JsonArray       *participants;
  JsonObject      *other;
  g_autofree char *running = NULL;
  g_autofree char *text = NULL;
  gint64           started = 0;
  guint            n;

  if (booking == NULL)
    {
      self->banner_booking = 0;
      check_banner_attendance (self);
      gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
      return;
    }

  self->banner_booking = json_object_get_int_member (booking, "id");
  check_banner_attendance (self);
  participants = json_object_get_array_member (call, "participants");
  n = participants != NULL ? json_array_get_length (participants) : 0;
  other = json_object_get_object_member (booking, "other");
  if (mc_json_has (call, "started_at"))
    mc_json_parse_time (json_object_get_string_member (call, "started_at"), &started);
  running = mc_format_duration (mc_bookings_page_get_now (self->bookings_page) - started);

  if (n > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* Translators: the rejoin banner; %s the other
                                          * person, %s how long the call has been running,
                                          * such as "12 minutes", %u how many are in it */
                                         "Your lesson with %s is running (%s, %u participant in the call).",
                                         "Your lesson with %s is running (%s, %u participants in the call).",
                                         n),
                            json_object_get_string_member (other, "display_name"), running, n);
  else
    /* Translators: the rejoin banner; %s the other person, %s a duration */
    text = g_strdup_printf (_ ("Your lesson with %s is running (%s); nobody is in the call."),
                            json_object_get_string_member (other, "display_name"), running);

  gtk_label_set_label (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

void
mc_window_check_reminders (McWindow *self)
{
  JsonArray *bookings = self->bookings ? json_object_get_array_member (self->bookings, "bookings")
                                       : NULL;
  gint64     now = mc_bookings_page_get_now (self->bookings_page);

  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject     *booking = json_array_get_object_element (bookings, i);
      gint64          booking_id = json_object_get_int_member (booking, "id");
      McBookingStatus status;
      gint64          start = 0;

      if (!mc_booking_get_status (booking, &status) || status != MC_BOOKING_CONFIRMED ||
          !mc_json_parse_time (json_object_get_string_member_with_default (booking, "start", ""),
                               &start) ||
          start <= now || start - now > REMINDER_LEAD_SECONDS ||
          g_hash_table_contains (self->reminded, &booking_id) ||
          g_hash_table_contains (self->in_call, &booking_id))
        continue;

      g_hash_table_add (self->reminded, g_memdup2 (&booking_id, sizeof booking_id));
      send_reminder (self, booking, start - now);
    }
}
