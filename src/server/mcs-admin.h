/* mcs-admin.h — account and booking administration shared by the admin
 * API and the admin command line
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mcs-config.h"
#include "mcs-store.h"

G_BEGIN_DECLS

#define MCS_MAX_LESSON_SECONDS (24 * 3600)

char       *mcs_admin_normalize_username (const char   *username,
                                          GError      **error);
gboolean    mcs_admin_check_display_name (const char   *display_name,
                                          GError      **error);
gboolean    mcs_admin_check_password     (const char   *password,
                                          GError      **error);
gboolean    mcs_admin_check_subject      (const char   *subject,
                                          GError      **error);
McsBooking *mcs_admin_create_booking     (McsStore     *store,
                                          const char   *mentor,
                                          const char   *student,
                                          const char   *subject,
                                          gint64        starts_at,
                                          gint64        ends_at,
                                          McBookingStatus status,
                                          const char  **bad_field,
                                          GError      **error);
gboolean    mcs_admin_seed_demo          (McsStore     *store,
                                          McsConfig    *config,
                                          GString      *report,
                                          GError      **error);

G_END_DECLS
