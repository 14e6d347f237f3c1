/* mc-window-internal.h — the main window's state, shared by its parts
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * McWindow is written in two files: mc-window.c (login, the lessons, the
 * lobby) and mc-window-banner.c (the rejoin banner and lesson reminders).
 * Nothing outside them includes this header.
 */

#pragma once

#include <adwaita.h>

#include "mc-api-client.h"
#include "mc-bookings-page.h"
#include "mc-login-page.h"
#include "mc-signaling-client.h"
#include "mc-window.h"

G_BEGIN_DECLS

struct _McWindow
{
  AdwApplicationWindow parent_instance;

  GSettings         *settings;
  McApiClient       *api;
  McSignalingClient *lobby;
  GCancellable      *cancellable;
  JsonObject        *bookings;       /* the last answer */
  gint64             banner_booking; /* the lesson the banner offers */
  gint64             dismissed_booking;
  gint64             banner_checked;       /* the lesson whose attendance was asked */
  gboolean           banner_joined_before; /* …and whether we were in its call */
  GCancellable      *banner_cancellable;
  gint64             pending_join;  /* join once the list is there (--join, links) */
  gboolean           pending_check; /* …through the pre-join window */
  GHashTable        *in_call;       /* booking ids with a call window open */
  GHashTable        *reminded;      /* booking ids whose reminder went out */
  guint              poll_id;
  guint              debounce_id;
  guint              banner_tick_id;

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
void mc_window_check_reminders (McWindow *self);

G_END_DECLS
