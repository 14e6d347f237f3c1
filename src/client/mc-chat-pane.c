/* mc-chat-pane.c — the chat beside the call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Messages in order of their server sequence number, each with its sender
 * and time; a message typed while the connection is down shows as
 * "Sending…" until the server acknowledges it, and the same row then turns
 * into the sent message (rows are found by the message's client id), so a
 * message is never shown twice. Links in messages can be clicked.
 */

#define G_LOG_DOMAIN "mc-chat-pane"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-chat-pane.h"
#include "mc-format.h"

struct _McChatPane
{
  GtkWidget parent_instance;

  GtkScrolledWindow *scroller;
  GtkListBox        *list_box;
  GtkEntry          *entry;
  GHashTable        *rows;   /* client id → GtkListBoxRow (unowned) */
  gint64             own_id; /* our user: our messages say "You" */
};

G_DEFINE_FINAL_TYPE (McChatPane, mc_chat_pane, GTK_TYPE_WIDGET)

enum
{
  SEND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Escapes @text for Pango markup and makes its web addresses links. */
static char *
linkify (const char *text)
{
  static GRegex   *regex;
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("https?://[^\\s<>\"]+", G_REGEX_OPTIMIZE, 0, NULL));

  return g_regex_replace (regex, escaped, -1, 0, "<a href=\"\\0\">\\0</a>", 0, NULL);
}

/* Our own messages say "You", also those that come back from the server's
 * history after a rejoin with our name on them. */
static const char *
sender_name (McChatPane    *self,
             McChatMessage *message)
{
  const char *sender = mc_chat_message_get_sender_name (message);

  if (sender == NULL ||
      (self->own_id != 0 && mc_chat_message_get_sender_id (message) == self->own_id))
    return _ ("You");

  return sender;
}

static char *
describe_state (McChatPane    *self,
                McChatMessage *message)
{
  g_autoptr (GDateTime) time = NULL;

  switch (mc_chat_message_get_state (message))
    {
    case MC_CHAT_MESSAGE_PENDING:
      /* Translators: a chat message being sent; %s is its sender, such as "You" */
      return g_strdup_printf (_ ("%s · Sending…"), sender_name (self, message));
    case MC_CHAT_MESSAGE_FAILED:
      /* Translators: %s is the reason the server gave */
      return g_strdup_printf (_ ("Not sent: %s"), mc_chat_message_get_error (message));
    case MC_CHAT_MESSAGE_SENT:
    default:
      time = g_date_time_new_from_unix_local (mc_chat_message_get_sent_at (message));
      {
        g_autofree char *clock = time ? mc_format_time (time) : g_strdup ("");

        /* Translators: a chat message's sender and time, such as "Sam Tran · 14:05" */
        return g_strdup_printf (_ ("%s · %s"), sender_name (self, message), clock);
      }
    }
}

static void
fill_row (McChatPane    *self,
          GtkListBoxRow *row,
          McChatMessage *message)
{
  GtkWidget       *box = gtk_list_box_row_get_child (row);
  GtkWidget       *meta = gtk_widget_get_first_child (box);
  GtkWidget       *body = gtk_widget_get_next_sibling (meta);
  g_autofree char *markup = linkify (mc_chat_message_get_text (message));
  g_autofree char *state = describe_state (self, message);

  gtk_label_set_label (GTK_LABEL (meta), state);
  gtk_label_set_markup (GTK_LABEL (body), markup);

  if (mc_chat_message_get_state (message) == MC_CHAT_MESSAGE_SENT)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "pending");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "pending");

  g_object_set_data (G_OBJECT (row), "seq",
                     GINT_TO_POINTER ((int) MIN (mc_chat_message_get_seq (message), G_MAXINT)));
}

static GtkListBoxRow *
new_row (void)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *meta = gtk_label_new (NULL);
  GtkWidget *body = gtk_label_new (NULL);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_widget_add_css_class (meta, "caption");
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (body), TRUE);
  gtk_box_append (GTK_BOX (box), meta);
  gtk_box_append (GTK_BOX (box), body);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return GTK_LIST_BOX_ROW (row);
}

/* Sent messages in sequence order; pending ones after them, in the order
 * they were typed (their seq is 0, so they sort as equal and keep order). */
static int
sort_rows (GtkListBoxRow *a,
           GtkListBoxRow *b,
           gpointer       user_data)
{
  int seq_a = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (a), "seq"));
  int seq_b = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (b), "seq"));

  if (seq_a == 0 || seq_b == 0)
    return seq_a == 0 && seq_b == 0 ? 0 : seq_a == 0 ? 1
                                                     : -1;

  return seq_a < seq_b ? -1 : seq_a > seq_b;
}

static gboolean
scroll_to_end_cb (gpointer user_data)
{
  McChatPane    *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));

  return G_SOURCE_REMOVE;
}

static void
send_cb (McChatPane *self)
{
  mc_chat_pane_send (self);
}

static void
mc_chat_pane_dispose (GObject *object)
{
  McChatPane *self = (McChatPane *) object;
  GtkWidget  *child;

  g_clear_pointer (&self->rows, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_CHAT_PANE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mc_chat_pane_parent_class)->dispose (object);
}

static void
mc_chat_pane_class_init (McChatPaneClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_chat_pane_dispose;

  /**
   * McChatPane::send:
   * @self: the pane
   * @text: what the user typed, trimmed and not empty
   */
  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-chat-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, McChatPane, scroller);
  gtk_widget_class_bind_template_child (widget_class, McChatPane, list_box);
  gtk_widget_class_bind_template_child (widget_class, McChatPane, entry);
  gtk_widget_class_bind_template_callback (widget_class, send_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mc_chat_pane_init (McChatPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_set_sort_func (self->list_box, sort_rows, NULL, NULL);
}

GtkWidget *
mc_chat_pane_new (void)
{
  return g_object_new (MC_TYPE_CHAT_PANE, NULL);
}

/**
 * mc_chat_pane_show_message:
 * @self: the pane
 * @message: a message, new or in a new state
 *
 * Adds @message, or updates its row if it is already shown.
 */
void
mc_chat_pane_show_message (McChatPane    *self,
                           McChatMessage *message)
{
  const char    *client_id = mc_chat_message_get_client_id (message);
  GtkListBoxRow *row = g_hash_table_lookup (self->rows, client_id);

  if (row == NULL)
    {
      row = new_row ();
      g_hash_table_insert (self->rows, g_strdup (client_id), row);
      fill_row (self, row, message);
      gtk_list_box_append (self->list_box, GTK_WIDGET (row));
      g_idle_add_full (G_PRIORITY_LOW, scroll_to_end_cb, g_object_ref (self), g_object_unref);
      return;
    }

  fill_row (self, row, message);
  gtk_list_box_row_changed (row);
}

guint
mc_chat_pane_get_n_messages (McChatPane *self)
{
  return g_hash_table_size (self->rows);
}

guint
mc_chat_pane_get_n_pending (McChatPane *self)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (gtk_widget_has_css_class (child, "pending"))
        n++;
    }

  return n;
}

void
mc_chat_pane_focus_entry (McChatPane *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

void
mc_chat_pane_set_entry_text (McChatPane *self,
                             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
}

/**
 * mc_chat_pane_send:
 * @self: the pane
 *
 * Emits ::send with the entry's text, if there is any, and clears it.
 */
void
mc_chat_pane_send (McChatPane *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));

  if (*text == '\0')
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  g_signal_emit (self, signals[SEND], 0, text);
}

/**
 * mc_chat_pane_set_own_user_id:
 * @self: the pane
 * @user_id: our user, whose messages say "You"
 */
void
mc_chat_pane_set_own_user_id (McChatPane *self,
                              gint64      user_id)
{
  self->own_id = user_id;
}

/* For the tests: the sender and time line of the @index-th message. */
const char *
mc_chat_pane_get_meta_text (McChatPane *self,
                            guint       index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, (int) index);

  if (row == NULL)
    return NULL;

  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (gtk_list_box_row_get_child (row))));
}
