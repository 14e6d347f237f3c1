/* mc-login-page.c — server, username and password
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page only collects and shows: it emits ::submit and the window does
 * the logging in, then reports back with set_busy() and set_error(), so the
 * error appears where the user is looking.
 */

#define G_LOG_DOMAIN "mc-login-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "mc-login-page.h"

struct _McLoginPage
{
  GtkWidget parent_instance;

  AdwEntryRow *server_row;
  AdwEntryRow *username_row;
  AdwEntryRow *password_row;
  GtkLabel    *error_label;
  GtkButton   *login_button;
  GtkSpinner  *spinner;
  gboolean     busy;
};

G_DEFINE_FINAL_TYPE (McLoginPage, mc_login_page, GTK_TYPE_WIDGET)

enum
{
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_complete (McLoginPage *self)
{
  return *gtk_editable_get_text (GTK_EDITABLE (self->server_row)) != '\0' &&
         *gtk_editable_get_text (GTK_EDITABLE (self->username_row)) != '\0' &&
         *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0';
}

static void
update_button (McLoginPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), !self->busy && is_complete (self));
}

static void
submit (McLoginPage *self)
{
  if (self->busy || !is_complete (self))
    return;

  g_signal_emit (self, signals[SUBMIT], 0);
}

static void
row_changed_cb (McLoginPage *self)
{
  update_button (self);
}

static void
row_activated_cb (McLoginPage *self)
{
  submit (self);
}

static void
login_clicked_cb (McLoginPage *self)
{
  submit (self);
}

static void
mc_login_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), MC_TYPE_LOGIN_PAGE);

  /* The template's top-level child has no id, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mc_login_page_parent_class)->dispose (object);
}

static void
mc_login_page_class_init (McLoginPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_login_page_dispose;

  /**
   * McLoginPage::submit:
   * @self: the page
   *
   * The user asked to log in with what the page holds.
   */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, McLoginPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, McLoginPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, McLoginPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, McLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, McLoginPage, login_button);
  gtk_widget_class_bind_template_child (widget_class, McLoginPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mc_login_page_init (McLoginPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
mc_login_page_set_server (McLoginPage *self,
                          const char  *server)
{
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server ? server : "");
}

void
mc_login_page_set_username (McLoginPage *self,
                            const char  *username)
{
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username ? username : "");
}

void
mc_login_page_set_password (McLoginPage *self,
                            const char  *password)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password ? password : "");
}

const char *
mc_login_page_get_server (McLoginPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->server_row));
}

const char *
mc_login_page_get_username (McLoginPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->username_row));
}

const char *
mc_login_page_get_password (McLoginPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

/**
 * mc_login_page_set_busy:
 * @self: the page
 * @busy: whether a login is under way
 *
 * While busy, the fields and the button are insensitive and a spinner turns.
 */
void
mc_login_page_set_busy (McLoginPage *self,
                        gboolean     busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  if (busy)
    mc_login_page_set_error (self, NULL);
  update_button (self);
}

/**
 * mc_login_page_set_error:
 * @self: the page
 * @message: (nullable): what went wrong, for a person; %NULL hides it
 */
void
mc_login_page_set_error (McLoginPage *self,
                         const char  *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

void
mc_login_page_clear_password (McLoginPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

gboolean
mc_login_page_get_busy (McLoginPage *self)
{
  return self->busy;
}

/**
 * mc_login_page_get_error:
 * @self: the page
 *
 * Returns: (nullable): the error shown, or %NULL
 */
const char *
mc_login_page_get_error (McLoginPage *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_label (self->error_label);
}

/**
 * mc_login_page_submit:
 * @self: the page
 *
 * Does what the Log In button does.
 */
void
mc_login_page_submit (McLoginPage *self)
{
  submit (self);
}
