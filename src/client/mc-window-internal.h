/* mc-window-internal.h — the main window's state, shared by its parts
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * McWindow is written in two files: mc-window.c (the login page, the
 * lessons, the lobby's notifications) and mc-window-banner.c (the rejoin
 * banner and lesson reminders, shown from McLobby's state). The session is
 * McAccount's and the lessons McLobby's; the window shows them. Nothing
 * outside these files includes this header.
 */

#pragma once

#include <adwaita.h>

#include "mc-account.h"
#include "mc-api-client.h"
#include "mc-bookings-page.h"
#include "mc-login-page.h"
#include "mc-lobby.h"
#include "mc-window.h"

G_BEGIN_DECLS

struct _McWindow
{
  AdwApplicationWindow parent_instance;

  GSettings    *settings;
  McAccount    *account; /* the session: server, login, keyring */
  McLobby      *lobby;   /* the lessons, live: list, banner state, reminders */
  GCancellable *cancellable;
  gint64        pending_join;  /* join once the list is there (--join, links) */
  gboolean      pending_check; /* …through the pre-join window */

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkStack        *stack;
  McLoginPage     *login_page;
  McBookingsPage  *bookings_page;
  GtkRevealer     *banner_revealer;
  GtkLabel        *banner_label;
  GtkButton       *banner_rejoin;
};

void mc_window_update_banner (McWindow *self);
void mc_window_send_reminder (McWindow   *self,
                              JsonObject *booking,
                              gint64      seconds_left);

G_END_DECLS
