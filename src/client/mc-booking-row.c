/* mc-booking-row.c — one lesson in the bookings list
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the other person, the subject, the time, the status and a live
 * countdown, and a Join button that is enabled only for a confirmed lesson
 * inside its join window — with the reason in its tooltip when it is not.
 * An ended lesson offers its summary instead.
 * The window's times come from the server; the page passes the current
 * time corrected by the server's clock, so a wrong local clock does not
 * move the window.
 */

#define G_LOG_DOMAIN "mc-booking-row"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "mc-booking-row-private.h"
#include "mc-booking.h"
#include "mc-format.h"
#include "mc-protocol.h"

struct _McBookingRow
{
  GtkListBoxRow parent_instance;

  JsonObject *booking;
  gboolean    can_join;
  gboolean    ended;
  gboolean    in_call; /* this app has the lesson's call window open */

  AdwAvatar *avatar;
  GtkLabel  *title_label;
  GtkLabel  *subtitle_label;
  GtkLabel  *countdown_label;
  GtkButton *join_button;
  GtkButton *summary_button;
};

G_DEFINE_FINAL_TYPE (McBookingRow, mc_booking_row, GTK_TYPE_LIST_BOX_ROW)

enum
{
  JOIN,
  SHOW_SUMMARY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
member_time (JsonObject *object,
             const char *member)
{
  gint64 value = 0;

  if (object != NULL && mc_json_has (object, member))
    mc_json_parse_time (json_object_get_string_member (object, member), &value);

  return value;
}

static void
join_clicked_cb (McBookingRow *self)
{
  g_signal_emit (self, signals[JOIN], 0, mc_booking_row_get_booking_id (self));
}

static void
summary_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  McBookingRow *self = MC_BOOKING_ROW (widget);

  g_signal_emit (self, signals[SHOW_SUMMARY], 0, mc_booking_row_get_booking_id (self));
}

static void
mc_booking_row_dispose (GObject *object)
{
  McBookingRow *self = (McBookingRow *) object;

  g_clear_pointer (&self->booking, json_object_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_BOOKING_ROW);

  G_OBJECT_CLASS (mc_booking_row_parent_class)->dispose (object);
}

static void
mc_booking_row_class_init (McBookingRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_booking_row_dispose;

  /**
   * McBookingRow::join:
   * @self: the row
   * @booking_id: its booking
   */
  signals[JOIN] = g_signal_new ("join", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * McBookingRow::show-summary:
   * @self: the row
   * @booking_id: its booking, an ended lesson
   */
  signals[SHOW_SUMMARY] = g_signal_new ("show-summary", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-booking-row.ui");
  gtk_widget_class_bind_template_child (widget_class, McBookingRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, McBookingRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, McBookingRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, McBookingRow, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, McBookingRow, join_button);
  gtk_widget_class_bind_template_child (widget_class, McBookingRow, summary_button);
  gtk_widget_class_install_action (widget_class, "row.summary", NULL, summary_action);
  gtk_widget_class_bind_template_callback (widget_class, join_clicked_cb);
}

static void
mc_booking_row_init (McBookingRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
mc_booking_row_new (JsonObject *booking)
{
  McBookingRow *self = g_object_new (MC_TYPE_BOOKING_ROW, NULL);

  mc_booking_row_set_booking (self, booking);

  return GTK_WIDGET (self);
}

/**
 * mc_booking_row_set_booking:
 * @self: a row
 * @booking: the booking as the server sent it
 *
 * Shows @booking; call mc_booking_row_update() for the time-dependent parts.
 */
void
mc_booking_row_set_booking (McBookingRow *self,
                            JsonObject   *booking)
{
  JsonObject      *other = json_object_get_object_member (booking, "other");
  const char      *name = other ? json_object_get_string_member (other, "display_name") : "";
  const char      *subject = json_object_get_string_member_with_default (booking, "subject", "");
  g_autofree char *when = mc_format_lesson_time (member_time (booking, "start"),
                                                 member_time (booking, "end"),
                                                 g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *subtitle = NULL;

  g_clear_pointer (&self->booking, json_object_unref);
  self->booking = json_object_ref (booking);

  adw_avatar_set_text (self->avatar, name);
  gtk_label_set_label (self->title_label, name);

  if (*subject != '\0')
    /* Translators: a lesson's subject and its date and time */
    subtitle = g_strdup_printf (_ ("%s · %s"), subject, when);
  else
    subtitle = g_strdup (when);
  gtk_label_set_label (self->subtitle_label, subtitle);
}

JsonObject *
mc_booking_row_get_booking (McBookingRow *self)
{
  return self->booking;
}

gint64
mc_booking_row_get_booking_id (McBookingRow *self)
{
  return json_object_get_int_member (self->booking, "id");
}

/**
 * mc_booking_get_peer_in_call:
 * @booking: a booking, as the server sends it
 *
 * Returns: (nullable): the name of the other participant if they are in the
 *   lesson's running call
 */
const char *
mc_booking_get_peer_in_call (JsonObject *booking)
{
  JsonObject *other = json_object_get_object_member (booking, "other");
  JsonNode   *call_node = json_object_get_member (booking, "call");
  JsonObject *call = call_node != NULL && JSON_NODE_HOLDS_OBJECT (call_node)
                       ? json_node_get_object (call_node)
                       : NULL;
  JsonArray  *participants = call ? json_object_get_array_member (call, "participants") : NULL;
  gint64      other_id = other ? json_object_get_int_member (other, "id") : 0;

  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonObject *user = json_array_get_object_element (participants, i);

      if (json_object_get_int_member (user, "id") == other_id)
        return json_object_get_string_member (user, "display_name");
    }

  return NULL;
}

/**
 * mc_booking_row_update:
 * @self: a row
 * @now: the current time by the server's clock
 *
 * Refreshes the countdown and the Join button.
 */
void
mc_booking_row_update (McBookingRow *self,
                       gint64        now)
{
  JsonObject     *window = json_object_get_object_member (self->booking, "join_window");
  JsonObject     *call = mc_booking_get_call (self->booking);
  McBookingStatus status;
  McCallState     call_state;
  gboolean        known = mc_booking_get_status (self->booking, &status);
  gboolean        call_ended = mc_booking_get_call_state (self->booking, &call_state) &&
                        call_state == MC_CALL_ENDED;
  gint64           start = member_time (self->booking, "start");
  gint64           end = member_time (self->booking, "end");
  gint64           opens = member_time (window, "opens_at");
  gint64           closes = member_time (window, "closes_at");
  g_autofree char *countdown = NULL;
  g_autofree char *reason = NULL;
  const char      *waiting = mc_booking_get_peer_in_call (self->booking);
  gboolean         confirmed = known && status == MC_BOOKING_CONFIRMED;
  gboolean         pending = known && status == MC_BOOKING_PENDING;

  if (known && status == MC_BOOKING_CANCELLED)
    countdown = g_strdup (_ ("Cancelled"));
  else if ((known && status == MC_BOOKING_COMPLETED) || call_ended)
    countdown = g_strdup (_ ("Ended"));
  else if (pending)
    countdown = g_strdup (_ ("Waiting for confirmation"));
  else if (self->in_call && waiting != NULL)
    /* Translators: %s is the other participant, in the call with you */
    countdown = g_strdup_printf (_ ("You are in the call with %s"), waiting);
  else if (self->in_call)
    countdown = g_strdup (_ ("You are in the call"));
  else if (waiting != NULL)
    /* Translators: %s is the other participant, who is in the call now */
    countdown = g_strdup_printf (_ ("In progress — %s is waiting"), waiting);
  else if (now < start)
    {
      g_autofree char *left = mc_format_duration (start - now);

      /* Translators: %s is a duration, such as "12 minutes" */
      countdown = g_strdup_printf (_ ("Starts in %s"), left);
    }
  else if (now < end)
    {
      g_autofree char *left = mc_format_duration (end - now);

      /* Translators: %s is a duration, such as "12 minutes" */
      countdown = g_strdup_printf (_ ("In progress — %s left"), left);
    }
  else
    countdown = g_strdup (_ ("Ended"));

  self->can_join = confirmed && now >= opens && now < closes && !call_ended;
  /* Only a call that ran has something to summarize. */
  self->ended = call != NULL && (call_ended || (known && status == MC_BOOKING_COMPLETED &&
                                                mc_json_has (call, "started_at")));

  if (!self->can_join)
    {
      if (!confirmed)
        reason = g_strdup (_ ("Only confirmed lessons can be joined"));
      else if (call_ended)
        reason = g_strdup (_ ("This lesson's session has ended"));
      else if (now < opens)
        {
          g_autofree char *left = mc_format_duration (opens - now);

          /* Translators: %s is a duration, such as "12 minutes" */
          reason = g_strdup_printf (_ ("You can join in %s"), left);
        }
      else
        reason = g_strdup (_ ("The time to join this lesson is over"));
    }

  /* In the call already: the button brings its window back. */
  if (self->in_call)
    self->can_join = TRUE;

  gtk_label_set_label (self->countdown_label, countdown);
  gtk_button_set_label (self->join_button, self->in_call ? _ ("_Show Call") : _ ("_Join"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->join_button), self->can_join);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->join_button),
                               self->in_call    ? _ ("Bring the call window to the front")
                               : self->can_join ? _ ("Join the lesson")
                                                : reason);
  gtk_widget_set_visible (GTK_WIDGET (self->join_button),
                          !self->ended && (confirmed || pending));
  gtk_widget_set_visible (GTK_WIDGET (self->summary_button), self->ended);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.summary", self->ended);
}

/**
 * mc_booking_row_set_in_call:
 * @self: a row
 * @in_call: whether this app has the lesson's call window open
 *
 * Takes effect at the next mc_booking_row_update().
 */
void
mc_booking_row_set_in_call (McBookingRow *self,
                            gboolean      in_call)
{
  self->in_call = in_call;
}

gboolean
mc_booking_row_get_can_show_summary (McBookingRow *self)
{
  return self->ended;
}

gboolean
mc_booking_row_get_can_join (McBookingRow *self)
{
  return self->can_join;
}

const char *
mc_booking_row_get_countdown (McBookingRow *self)
{
  return gtk_label_get_label (self->countdown_label);
}

const char *
mc_booking_row_get_join_label (McBookingRow *self)
{
  return gtk_button_get_label (self->join_button);
}

/* Whether the subtitle, with the lesson's time, is cut short. */
gboolean
mc_booking_row_get_time_cut (McBookingRow *self)
{
  PangoLayout *layout = gtk_label_get_layout (self->subtitle_label);
  int          width;

  pango_layout_get_pixel_size (layout, &width, NULL);

  return pango_layout_is_ellipsized (layout) ||
         width > gtk_widget_get_width (GTK_WIDGET (self->subtitle_label));
}
