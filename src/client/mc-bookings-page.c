/* mc-bookings-page.c — upcoming and recent lessons
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A list of McBookingRow, with loading, empty and offline states. A timer
 * ticks once a second while the page is mapped to keep every countdown and
 * Join button current. Times are compared with the server's clock: the
 * offset between the server's `server_time` and ours is applied, so a
 * laptop whose clock is a few minutes off still joins on time.
 */

#define G_LOG_DOMAIN "mc-bookings-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "mc-booking-row.h"
#include "mc-bookings-page.h"
#include "mc-protocol.h"

struct _McBookingsPage
{
  GtkWidget parent_instance;

  GtkStack      *stack;
  GtkListBox    *list_box;
  AdwStatusPage *offline_page;

  gint64      clock_offset; /* server time minus local time, seconds */
  guint       tick_id;
  GHashTable *in_call; /* booking ids whose call window is open */
};

G_DEFINE_FINAL_TYPE (McBookingsPage, mc_bookings_page, GTK_TYPE_WIDGET)

enum
{
  JOIN,
  SHOW_SUMMARY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_rows (McBookingsPage *self)
{
  gint64 now = mc_bookings_page_get_now (self);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (MC_IS_BOOKING_ROW (child))
        {
          gint64 id = mc_booking_row_get_booking_id (MC_BOOKING_ROW (child));

          mc_booking_row_set_in_call (MC_BOOKING_ROW (child),
                                      g_hash_table_contains (self->in_call, &id));
          mc_booking_row_update (MC_BOOKING_ROW (child), now);
        }
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  update_rows (MC_BOOKINGS_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

static void
row_join_cb (McBookingRow   *row,
             gint64          booking_id,
             McBookingsPage *self)
{
  g_signal_emit (self, signals[JOIN], 0, booking_id);
}

static void
row_show_summary_cb (McBookingRow   *row,
                     gint64          booking_id,
                     McBookingsPage *self)
{
  g_signal_emit (self, signals[SHOW_SUMMARY], 0, booking_id);
}

static void
mc_bookings_page_map (GtkWidget *widget)
{
  McBookingsPage *self = MC_BOOKINGS_PAGE (widget);

  GTK_WIDGET_CLASS (mc_bookings_page_parent_class)->map (widget);

  update_rows (self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

static void
mc_bookings_page_unmap (GtkWidget *widget)
{
  McBookingsPage *self = MC_BOOKINGS_PAGE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  GTK_WIDGET_CLASS (mc_bookings_page_parent_class)->unmap (widget);
}

static void
mc_bookings_page_dispose (GObject *object)
{
  McBookingsPage *self = (McBookingsPage *) object;
  GtkWidget      *child;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->in_call, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_BOOKINGS_PAGE);

  /* The template's top-level child has no id, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mc_bookings_page_parent_class)->dispose (object);
}

static void
mc_bookings_page_class_init (McBookingsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_bookings_page_dispose;
  widget_class->map = mc_bookings_page_map;
  widget_class->unmap = mc_bookings_page_unmap;

  /**
   * McBookingsPage::join:
   * @self: the page
   * @booking_id: the lesson to join
   */
  signals[JOIN] = g_signal_new ("join", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * McBookingsPage::show-summary:
   * @self: the page
   * @booking_id: an ended lesson
   */
  signals[SHOW_SUMMARY] = g_signal_new ("show-summary", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-bookings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, McBookingsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, McBookingsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, McBookingsPage, offline_page);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mc_bookings_page_init (McBookingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->in_call = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

void
mc_bookings_page_set_loading (McBookingsPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "loading");
}

/**
 * mc_bookings_page_set_bookings:
 * @self: the page
 * @answer: the server's answer to `GET /api/v1/bookings`
 *
 * Replaces the list. Rows keep their place when their booking is still
 * there, so a refresh does not move the keyboard focus.
 */
void
mc_bookings_page_set_bookings (McBookingsPage *self,
                               JsonObject     *answer)
{
  JsonArray *bookings = json_object_get_array_member (answer, "bookings");
  guint      n = bookings != NULL ? json_array_get_length (bookings) : 0;
  gint64     server_time = 0;
  GtkWidget *child;
  guint      i = 0;

  if (mc_json_has (answer, "server_time") &&
      mc_json_parse_time (json_object_get_string_member (answer, "server_time"), &server_time))
    self->clock_offset = server_time - g_get_real_time () / G_USEC_PER_SEC;

  /* Update rows in place while the ids line up, then add or remove. */
  child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
  for (; i < n; i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);
      gint64      id = json_object_get_int_member (booking, "id");

      if (child != NULL && MC_IS_BOOKING_ROW (child) &&
          mc_booking_row_get_booking_id (MC_BOOKING_ROW (child)) == id)
        {
          mc_booking_row_set_booking (MC_BOOKING_ROW (child), booking);
          child = gtk_widget_get_next_sibling (child);
          continue;
        }

      break;
    }

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_list_box_remove (self->list_box, child);
      child = next;
    }

  for (; i < n; i++)
    {
      GtkWidget *row = mc_booking_row_new (json_array_get_object_element (bookings, i));

      g_signal_connect (row, "join", G_CALLBACK (row_join_cb), self);
      g_signal_connect (row, "show-summary", G_CALLBACK (row_show_summary_cb), self);
      gtk_list_box_append (self->list_box, row);
    }

  update_rows (self);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

/**
 * mc_bookings_page_set_offline:
 * @self: the page
 * @message: why the list cannot be had
 *
 * Keeps showing the last list when there is one, since the lessons did not
 * change because the network went away; otherwise shows the offline state.
 */
void
mc_bookings_page_set_offline (McBookingsPage *self,
                              const char     *message)
{
  adw_status_page_set_description (self->offline_page, message);

  if (gtk_widget_get_first_child (GTK_WIDGET (self->list_box)) == NULL)
    gtk_stack_set_visible_child_name (self->stack, "offline");
}

/**
 * mc_bookings_page_get_now:
 * @self: the page
 *
 * Returns: the current time by the server's clock, in Unix seconds
 */
gint64
mc_bookings_page_get_now (McBookingsPage *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

/**
 * mc_bookings_page_find_row:
 * @self: the page
 * @booking_id: a booking
 *
 * Returns: (transfer none) (nullable): its row
 */
GtkWidget *
mc_bookings_page_find_row (McBookingsPage *self,
                           gint64          booking_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (MC_IS_BOOKING_ROW (child) &&
          mc_booking_row_get_booking_id (MC_BOOKING_ROW (child)) == booking_id)
        return child;
    }

  return NULL;
}

guint
mc_bookings_page_get_n_rows (McBookingsPage *self)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

/**
 * mc_bookings_page_get_state:
 * @self: the page
 *
 * Returns: what the page shows: "loading", "list", "empty" or "offline"
 */
const char *
mc_bookings_page_get_state (McBookingsPage *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * mc_bookings_page_set_in_call:
 * @self: the page
 * @booking_id: a lesson
 * @in_call: whether its call window is open
 *
 * A lesson whose call this app is in says so, and offers to show the call
 * rather than to join it.
 */
void
mc_bookings_page_set_in_call (McBookingsPage *self,
                              gint64          booking_id,
                              gboolean        in_call)
{
  if (in_call)
    g_hash_table_add (self->in_call, g_memdup2 (&booking_id, sizeof booking_id));
  else
    g_hash_table_remove (self->in_call, &booking_id);

  update_rows (self);
}
