/* mc-format.h — times, durations and errors in the user's language
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * McClockFormat:
 * @MC_CLOCK_FORMAT_24H: 14:05
 * @MC_CLOCK_FORMAT_12H: 2:05 PM
 *
 * How the user reads the time of day.
 */
typedef enum
{
  MC_CLOCK_FORMAT_24H,
  MC_CLOCK_FORMAT_12H,
} McClockFormat;

McClockFormat mc_get_clock_format (void);

char *mc_format_duration (gint64 seconds);
char *mc_format_clock (GDateTime    *time,
                       McClockFormat clock_format);
char *mc_format_time (GDateTime *time);
char *mc_format_day (GDateTime *time,
                     GDateTime *now);
char *mc_format_lesson_time (gint64 start,
                             gint64 end,
                             gint64 now);
char *mc_describe_error (const GError *error);

G_END_DECLS
