/* mc-summary-window.c — what happened in a lesson
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shown when a lesson ends (saying who ended it) and from an ended
 * lesson's row: how long the call ran, who was in it and for how long, and
 * the chat. Everything comes from the server — the attendance records and
 * the chat history — so both participants see the same summary, whoever
 * was still in the call at the end. The whole summary can be copied as
 * plain text, for a report or a message to a parent.
 */

#define G_LOG_DOMAIN "mc-summary-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-format.h"
#include "mc-protocol.h"
#include "mc-summary-window-private.h"

/* The server gives at most this many messages at once; a lesson's chat is
 * far shorter. */
#define MAX_MESSAGES 500

struct _McSummaryWindow
{
  AdwWindow parent_instance;

  McApiClient  *api;
  JsonObject   *booking;
  char         *notice;
  GCancellable *cancellable;
  JsonObject   *attendance;
  JsonObject   *messages;
  guint         pending;
  gboolean      loaded;
  char         *text; /* the summary as plain text, for the clipboard */

  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkStack            *stack;
  AdwStatusPage       *error_page;
  GtkLabel            *notice_label;
  GtkLabel            *when_label;
  AdwPreferencesGroup *lesson_group;
  AdwPreferencesGroup *attendance_group;
  GtkLabel            *transcript_label;
};

G_DEFINE_FINAL_TYPE (McSummaryWindow, mc_summary_window, ADW_TYPE_WINDOW)

typedef struct
{
  gint64   user_id;
  char    *name;
  McRole   role;
  gboolean has_role; /* the server named a role we know */
  gint64   seconds;
  GString *spans; /* "14:02–14:30, 14:35–14:50" */
} Attendee;

static void
attendee_free (gpointer data)
{
  Attendee *attendee = data;

  g_free (attendee->name);
  g_string_free (attendee->spans, TRUE);
  g_free (attendee);
}

static gint64
member_time (JsonObject *object,
             const char *member)
{
  gint64 value = 0;

  if (object != NULL && mc_json_has (object, member))
    mc_json_parse_time (json_object_get_string_member (object, member), &value);

  return value;
}

static char *
format_clock (gint64 seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (seconds);

  return mc_format_time (time);
}

static const char *
peer_name (McSummaryWindow *self)
{
  JsonObject *other = json_object_get_object_member (self->booking, "other");

  return other ? json_object_get_string_member (other, "display_name") : "";
}

static const char *
role_name (Attendee *attendee)
{
  if (!attendee->has_role)
    return "";

  return attendee->role == MC_ROLE_MENTOR ? _ ("Mentor") : _ ("Student");
}

static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (value != NULL)
    {
      GtkWidget *label = gtk_label_new (value);

      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  adw_preferences_group_add (group, row);
}

/* Sums each participant's records: one may join and leave many times. A
 * record still open (a crash the server has not noticed yet) counts until
 * the call's end. */
static GPtrArray *
collect_attendees (JsonArray *records,
                   gint64     until)
{
  GPtrArray *attendees = g_ptr_array_new_with_free_func (attendee_free);

  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    {
      JsonObject      *record = json_array_get_object_element (records, i);
      JsonObject      *user = json_object_get_object_member (record, "user");
      gint64           joined = member_time (record, "joined_at");
      gint64           left = member_time (record, "left_at");
      gint64           user_id;
      Attendee        *attendee = NULL;
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;

      if (user == NULL)
        continue;

      user_id = json_object_get_int_member (user, "id");
      for (guint j = 0; j < attendees->len && attendee == NULL; j++)
        if (((Attendee *) g_ptr_array_index (attendees, j))->user_id == user_id)
          attendee = g_ptr_array_index (attendees, j);

      if (attendee == NULL)
        {
          attendee = g_new0 (Attendee, 1);
          attendee->user_id = user_id;
          attendee->name = g_strdup (json_object_get_string_member_with_default (user,
                                                                                 "display_name",
                                                                                 ""));
          attendee->has_role =
            mc_role_from_string (json_object_get_string_member_with_default (user, "role", ""),
                                 &attendee->role);
          attendee->spans = g_string_new (NULL);
          g_ptr_array_add (attendees, attendee);
        }

      if (left == 0)
        left = MAX (until, joined);
      attendee->seconds += MAX (left - joined, 0);

      from = format_clock (joined);
      to = format_clock (left);
      if (attendee->spans->len > 0)
        g_string_append (attendee->spans, ", ");
      /* Translators: a time someone was in the call, such as "14:02–14:30" */
      g_string_append_printf (attendee->spans, _ ("%s–%s"), from, to);
    }

  return attendees;
}

static void
show_summary (McSummaryWindow *self)
{
  JsonNode             *call_node = json_object_get_member (self->attendance, "call");
  JsonObject           *call = call_node != NULL && JSON_NODE_HOLDS_OBJECT (call_node)
                                 ? json_node_get_object (call_node)
                                 : NULL;
  JsonArray            *messages = json_object_get_array_member (self->messages, "messages");
  gint64                started = member_time (call, "started_at");
  gint64                ended = member_time (call, "ended_at");
  gint64                now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (GPtrArray) attendees = NULL;
  g_autoptr (GString)   text = g_string_new (NULL);
  g_autoptr (GString)   transcript = g_string_new (NULL);
  g_autofree char      *title = NULL;
  g_autofree char      *when = NULL;
  g_autofree char      *duration = NULL;
  const char           *subject = json_object_get_string_member_with_default (self->booking,
                                                                              "subject", "");

  /* Translators: the summary's heading; %s is the other participant */
  title = g_strdup_printf (_ ("Lesson with %s"), peer_name (self));
  when = mc_format_lesson_time (member_time (self->booking, "start"),
                                member_time (self->booking, "end"), now);
  if (*subject != '\0')
    {
      char *with_subject = g_strdup_printf (_ ("%s · %s"), subject, when);

      g_free (when);
      when = with_subject;
    }

  adw_window_title_set_subtitle (self->window_title, peer_name (self));
  gtk_label_set_label (self->notice_label, self->notice != NULL ? self->notice : title);
  gtk_label_set_label (self->when_label, when);
  g_string_append_printf (text, "%s\n%s\n", title, when);
  if (self->notice != NULL)
    g_string_append_printf (text, "%s\n", self->notice);
  g_string_append_c (text, '\n');

  /* The call as a whole. */
  if (started == 0)
    {
      add_row (self->lesson_group, _ ("The call never started"), NULL, NULL);
      g_string_append_printf (text, "%s\n", _ ("The call never started"));
    }
  else
    {
      g_autofree char *from = format_clock (started);
      g_autofree char *to = ended != 0 ? format_clock (ended) : NULL;
      g_autofree char *span = NULL;

      if (call != NULL && mc_json_has (call, "duration_seconds"))
        duration = mc_format_duration (json_object_get_int_member (call, "duration_seconds"));
      else
        duration = mc_format_duration ((ended != 0 ? ended : now) - started);

      span = to != NULL ? g_strdup_printf (_ ("%s–%s"), from, to)
                        /* Translators: a call still running; %s is when it started */
                        : g_strdup_printf (_ ("since %s"), from);
      add_row (self->lesson_group, _ ("Duration"), span, duration);
      /* Translators: a line of the copied summary; %s is a duration, %s a time span */
      g_string_append_printf (text, _ ("Duration: %s (%s)\n"), duration, span);
    }

  /* Who was there, and how long. */
  attendees = collect_attendees (json_object_get_array_member (self->attendance, "attendance"),
                                 ended != 0 ? ended : now);
  g_string_append_printf (text, "\n%s\n", _ ("Attendance:"));
  if (attendees->len == 0)
    {
      add_row (self->attendance_group, _ ("Nobody joined the call"), NULL, NULL);
      g_string_append_printf (text, "  %s\n", _ ("Nobody joined the call"));
    }
  for (guint i = 0; i < attendees->len; i++)
    {
      Attendee        *attendee = g_ptr_array_index (attendees, i);
      g_autofree char *time = mc_format_duration (attendee->seconds);
      g_autofree char *subtitle = NULL;

      /* Translators: a participant's role and when they were in the call,
       * such as "Mentor · 14:02–14:30, 14:35–14:50" */
      subtitle = g_strdup_printf (_ ("%s · %s"), role_name (attendee),
                                  attendee->spans->str);
      add_row (self->attendance_group, attendee->name, subtitle, time);
      /* Translators: a line of the copied summary: a participant, their
       * role, how long they were in the call and when, such as
       * "Sam Tran (Student): 40 minutes (14:05–14:45)" */
      g_string_append_printf (text, _ ("  %s (%s): %s (%s)\n"), attendee->name,
                              role_name (attendee), time, attendee->spans->str);
    }

  /* The chat, as a transcript. */
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonObject      *message = json_array_get_object_element (messages, i);
      JsonObject      *sender = json_object_get_object_member (message, "sender");
      g_autofree char *clock = format_clock (member_time (message, "sent_at"));

      /* Translators: a line of the chat transcript: time, sender, text, such
       * as "[14:05] Sam Tran: Hello!" */
      g_string_append_printf (transcript, _ ("[%s] %s: %s\n"), clock,
                              sender ? json_object_get_string_member_with_default (sender,
                                                                                   "display_name",
                                                                                   "")
                                     : "",
                              json_object_get_string_member_with_default (message, "text", ""));
    }
  g_string_append_printf (text, "\n%s\n", _ ("Chat:"));
  if (transcript->len == 0)
    {
      gtk_label_set_label (self->transcript_label, _ ("Nobody wrote in the chat."));
      g_string_append_printf (text, "%s\n", _ ("Nobody wrote in the chat."));
    }
  else
    {
      g_string_truncate (transcript, transcript->len - 1);
      gtk_label_set_label (self->transcript_label, transcript->str);
      g_string_append_printf (text, "%s\n", transcript->str);
    }

  g_free (self->text);
  self->text = g_string_free (g_steal_pointer (&text), FALSE);
  self->loaded = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "summary.copy", TRUE);
  gtk_stack_set_visible_child_name (self->stack, "summary");
}

static void
show_error (McSummaryWindow *self,
            const GError    *error)
{
  g_autofree char *message = mc_describe_error (error);

  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
part_loaded (McSummaryWindow *self,
             JsonObject     **slot,
             JsonObject      *answer,
             GError          *error)
{
  self->pending--;

  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_cancellable_cancel (self->cancellable);
          show_error (self, error);
        }
      return;
    }

  *slot = json_object_ref (answer);
  if (self->pending == 0 && self->attendance != NULL && self->messages != NULL)
    show_summary (self);
}

static void
attendance_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (McSummaryWindow) self = user_data;
  g_autoptr (GError)          error = NULL;
  g_autoptr (JsonObject)      answer = NULL;

  answer = mc_api_client_get_attendance_finish (MC_API_CLIENT (object), result, &error);
  part_loaded (self, &self->attendance, answer, error);
}

static void
messages_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (McSummaryWindow) self = user_data;
  g_autoptr (GError)          error = NULL;
  g_autoptr (JsonObject)      answer = NULL;

  answer = mc_api_client_list_messages_finish (MC_API_CLIENT (object), result, &error);
  part_loaded (self, &self->messages, answer, error);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  McSummaryWindow *self = MC_SUMMARY_WINDOW (widget);

  if (self->text == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_ ("Summary copied")));
}

static void
mc_summary_window_dispose (GObject *object)
{
  McSummaryWindow *self = (McSummaryWindow *) object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_SUMMARY_WINDOW);

  G_OBJECT_CLASS (mc_summary_window_parent_class)->dispose (object);
}

static void
mc_summary_window_finalize (GObject *object)
{
  McSummaryWindow *self = (McSummaryWindow *) object;

  g_clear_object (&self->api);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->booking, json_object_unref);
  g_clear_pointer (&self->attendance, json_object_unref);
  g_clear_pointer (&self->messages, json_object_unref);
  g_clear_pointer (&self->notice, g_free);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (mc_summary_window_parent_class)->finalize (object);
}

static void
mc_summary_window_class_init (McSummaryWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_summary_window_dispose;
  object_class->finalize = mc_summary_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-summary-window.ui");
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, when_label);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, lesson_group);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, attendance_group);
  gtk_widget_class_bind_template_child (widget_class, McSummaryWindow, transcript_label);

  gtk_widget_class_install_action (widget_class, "summary.copy", NULL, copy_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "summary.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mc_summary_window_init (McSummaryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "summary.copy", FALSE);
}

/**
 * mc_summary_window_new:
 * @application: (nullable): the application
 * @api: a logged-in client
 * @booking: the lesson, as the bookings list has it
 * @notice: (nullable): what just happened, such as "Maria ended the
 *   lesson", shown as the heading
 *
 * Returns: (transfer full): the window, which loads the summary by itself
 */
McSummaryWindow *
mc_summary_window_new (GtkApplication *application,
                       McApiClient    *api,
                       JsonObject     *booking,
                       const char     *notice)
{
  McSummaryWindow *self = g_object_new (MC_TYPE_SUMMARY_WINDOW, "application", application, NULL);
  gint64           booking_id = json_object_get_int_member (booking, "id");

  self->api = g_object_ref (api);
  self->booking = json_object_ref (booking);
  self->notice = g_strdup (notice);

  self->pending = 2;
  mc_api_client_get_attendance_async (api, booking_id, self->cancellable, attendance_cb,
                                      g_object_ref (self));
  mc_api_client_list_messages_async (api, booking_id, 0, MAX_MESSAGES, self->cancellable,
                                     messages_cb, g_object_ref (self));

  return self;
}

gboolean
mc_summary_window_get_loaded (McSummaryWindow *self)
{
  return self->loaded;
}

const char *
mc_summary_window_get_notice (McSummaryWindow *self)
{
  return gtk_label_get_label (self->notice_label);
}

const char *
mc_summary_window_get_text (McSummaryWindow *self)
{
  return self->text;
}
