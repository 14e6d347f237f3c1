/* mc-window-banner.c — the main window's rejoin banner and lesson reminders
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both are McLobby's decisions, shown here (see mc-lobby.c): the banner
 * offers the lesson whose call runs without this window in it, saying Join
 * or Rejoin as the server's attendance records tell; a reminder is a
 * notification, once per lesson, shortly before it starts.
 */

#define G_LOG_DOMAIN "mc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking.h"
#include "mc-format.h"
#include "mc-protocol.h"
#include "mc-window-internal.h"

/* Helpers */

static void
update_banner_button (McWindow *self,
                      gboolean  joined_before)
{
  gtk_button_set_label (self->banner_rejoin,
                        joined_before ? _ ("_Rejoin") : _ ("_Join"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_rejoin),
                               joined_before
                                 ? _ ("Go back into the call")
                                 : _ ("Check your camera and microphone, then join"));
}

/* Internal API (mc-window-internal.h) */

void
mc_window_update_banner (McWindow *self)
{
  JsonObject      *booking = mc_lobby_get_running_call (self->lobby);
  JsonObject      *call;
  JsonArray       *participants;
  JsonObject      *other;
  g_autofree char *running = NULL;
  g_autofree char *text = NULL;
  gint64           started = 0;
  guint            n;

  update_banner_button (self, mc_lobby_get_joined_before (self->lobby));
  if (booking == NULL)
    {
      gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
      return;
    }

  call = mc_booking_get_call (booking);
  participants = json_object_get_array_member (call, "participants");
  n = participants != NULL ? json_array_get_length (participants) : 0;
  other = json_object_get_object_member (booking, "other");
  if (mc_json_has (call, "started_at"))
    mc_json_parse_time (json_object_get_string_member (call, "started_at"), &started);
  running = mc_format_duration (mc_lobby_get_now (self->lobby) - started);

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

/* A lesson about to start: a notification, with Join. */
void
mc_window_send_reminder (McWindow   *self,
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
