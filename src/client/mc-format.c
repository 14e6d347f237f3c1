/* mc-format.c — times, durations and errors in the user's language
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the app says about time goes through here, so that it follows
 * the user's language and habits in one place: durations are whole words
 * with plural forms ("1 hour 5 minutes"), days are "Today" or a weekday
 * when that is clearer than a date, dates come from the locale, and the
 * time of day follows the desktop's 12/24-hour setting
 * (org.gnome.desktop.interface clock-format), or the locale's own time
 * format where that schema is not installed.
 *
 * Errors from the server arrive with an English message written for
 * operators; the app shows its own translated words for the codes a user
 * can meet, and the message only for the rest.
 */

#define G_LOG_DOMAIN "mc-format"

#include "config.h"

#include <langinfo.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "mc-format.h"
#include "mc-protocol.h"

#define INTERFACE_SCHEMA "org.gnome.desktop.interface"

/* The desktop's interface settings, or NULL when its schema is not
 * installed (a server, a minimal container): looked up once, kept for the
 * life of the process, since the clock format is read every second. */
static GSettings *
get_interface_settings (void)
{
  static GSettings *settings;
  static gsize      looked_up;

  if (g_once_init_enter (&looked_up))
    {
      GSettingsSchemaSource      *source = g_settings_schema_source_get_default ();
      g_autoptr (GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, INTERFACE_SCHEMA, TRUE);
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        settings = g_settings_new_full (schema, NULL, NULL);

      g_once_init_leave (&looked_up, 1);
    }

  return settings;
}

/* Whether the locale writes the time of day with AM and PM. */
static gboolean
locale_uses_12h (void)
{
  const char *format = nl_langinfo (T_FMT);

  return format != NULL && (strstr (format, "%p") != NULL || strstr (format, "%r") != NULL ||
                            strstr (format, "%I") != NULL || strstr (format, "%l") != NULL);
}

static int
days_between (GDateTime *from,
              GDateTime *to)
{
  int   year, month, day;
  GDate a, b;

  g_date_time_get_ymd (from, &year, &month, &day);
  g_date_clear (&a, 1);
  g_date_set_dmy (&a, day, month, year);
  g_date_time_get_ymd (to, &year, &month, &day);
  g_date_clear (&b, 1);
  g_date_set_dmy (&b, day, month, year);

  return g_date_days_between (&a, &b);
}

/**
 * mc_get_clock_format:
 *
 * Returns: the desktop's clock format, or the locale's where the desktop
 *   has none
 */
McClockFormat
mc_get_clock_format (void)
{
  GSettings *settings = get_interface_settings ();

  if (settings != NULL)
    {
      g_autofree char *format = g_settings_get_string (settings, "clock-format");

      return g_str_equal (format, "12h") ? MC_CLOCK_FORMAT_12H : MC_CLOCK_FORMAT_24H;
    }

  return locale_uses_12h () ? MC_CLOCK_FORMAT_12H : MC_CLOCK_FORMAT_24H;
}

/**
 * mc_format_duration:
 * @seconds: a duration
 *
 * Returns: (transfer full): @seconds for a person: "45 seconds",
 *   "12 minutes", "1 hour 5 minutes", "3 days"; minutes are rounded up, so a
 *   countdown never says "0 minutes" before its time
 */
char *
mc_format_duration (gint64 seconds)
{
  gint64           minutes;
  int              hours, rest;
  g_autofree char *hours_text = NULL;
  g_autofree char *minutes_text = NULL;

  seconds = MAX (seconds, 0);
  minutes = (seconds + 59) / 60;

  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds", seconds),
                            (int) seconds);
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", minutes),
                            (int) minutes);
  if (minutes >= 48 * 60)
    {
      gint64 days = minutes / (24 * 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days),
                              (int) MIN (days, G_MAXINT));
    }

  hours = (int) (minutes / 60);
  rest = (int) (minutes % 60);
  hours_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", hours),
                                hours);
  if (rest == 0)
    return g_steal_pointer (&hours_text);

  minutes_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", rest),
                                  rest);

  /* Translators: a duration of hours and minutes, such as "1 hour 5 minutes":
   * the first %s is the hours, the second the minutes */
  return g_strdup_printf (C_ ("duration", "%s %s"), hours_text, minutes_text);
}

/**
 * mc_format_clock:
 * @time: a time
 * @clock_format: how to write it
 *
 * Returns: (transfer full): the time of day of @time, such as "14:05" or
 *   "2:05 PM"
 */
char *
mc_format_clock (GDateTime    *time,
                 McClockFormat clock_format)
{
  const char *format;
  char       *text;

  g_return_val_if_fail (time != NULL, NULL);

  if (clock_format == MC_CLOCK_FORMAT_12H)
    /* Translators: the time of day on a 12-hour clock, such as "2:05 PM";
     * see the format of g_date_time_format() */
    /* xgettext:no-c-format */
    format = C_ ("time of day", "%-l:%M %p");
  else
    /* Translators: the time of day on a 24-hour clock, such as "14:05";
     * see the format of g_date_time_format() */
    /* xgettext:no-c-format */
    format = C_ ("time of day", "%H:%M");

  text = g_date_time_format (time, format);

  return text != NULL ? text : g_strdup ("");
}

/**
 * mc_format_time:
 * @time: a time
 *
 * Returns: (transfer full): the time of day of @time, on the user's clock
 */
char *
mc_format_time (GDateTime *time)
{
  return mc_format_clock (time, mc_get_clock_format ());
}

/**
 * mc_format_day:
 * @time: a time
 * @now: the current time, in the same time zone
 *
 * Returns: (transfer full): the day of @time as seen from @now: "Today",
 *   "Tomorrow", "Yesterday", a weekday in the coming week, else a date
 */
char *
mc_format_day (GDateTime *time,
               GDateTime *now)
{
  int   days = days_between (now, time);
  char *text;

  if (days == 0)
    return g_strdup (_ ("Today"));
  if (days == 1)
    return g_strdup (_ ("Tomorrow"));
  if (days == -1)
    return g_strdup (_ ("Yesterday"));

  if (days > 1 && days < 7)
    /* Translators: the day of a lesson in the coming week, such as "Friday";
     * see the format of g_date_time_format() */
    /* xgettext:no-c-format */
    text = g_date_time_format (time, C_ ("day of a lesson", "%A"));
  else
    /* Translators: the day of a lesson further away, such as "Wed 11/25/2026";
     * %x is the date as the language writes it. See the format of
     * g_date_time_format() */
    /* xgettext:no-c-format */
    text = g_date_time_format (time, C_ ("day of a lesson", "%a %x"));

  return text != NULL ? text : g_strdup ("");
}

/**
 * mc_format_lesson_time:
 * @start: the start, in Unix seconds
 * @end: the end, in Unix seconds
 * @now: the current time, in Unix seconds
 *
 * Returns: (transfer full): when a lesson is, in local time, such as
 *   "Today, 14:00–15:00"
 */
char *
mc_format_lesson_time (gint64 start,
                       gint64 end,
                       gint64 now)
{
  g_autoptr (GDateTime) start_time = g_date_time_new_from_unix_local (start);
  g_autoptr (GDateTime) end_time = g_date_time_new_from_unix_local (end);
  g_autoptr (GDateTime) now_time = g_date_time_new_from_unix_local (now);
  McClockFormat         clock_format = mc_get_clock_format ();
  g_autofree char      *day = NULL;
  g_autofree char      *from = NULL;
  g_autofree char      *to = NULL;

  if (start_time == NULL || end_time == NULL || now_time == NULL)
    return g_strdup ("");

  day = mc_format_day (start_time, now_time);
  from = mc_format_clock (start_time, clock_format);
  to = mc_format_clock (end_time, clock_format);

  /* Translators: a lesson's day and times, such as "Today, 14:00–15:00" */
  return g_strdup_printf (_ ("%s, %s–%s"), day, from, to);
}

/**
 * mc_describe_error:
 * @error: an error from the server, the network or the call engine
 *
 * Returns: (transfer full): a person's words for @error, in their language
 */
char *
mc_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == MC_ERROR)
    {
      switch ((McErrorCode) error->code)
        {
        case MC_ERROR_INVALID_CREDENTIALS:
          return g_strdup (_ ("The username or the password is wrong."));
        case MC_ERROR_RATE_LIMITED:
          return g_strdup (_ ("Too many attempts. Wait a few minutes, then try again."));
        case MC_ERROR_SESSION_EXPIRED:
        case MC_ERROR_SESSION_INVALID:
        case MC_ERROR_UNAUTHORIZED:
          return g_strdup (_ ("Your session has ended. Log in again."));
        case MC_ERROR_FORBIDDEN:
          return g_strdup (_ ("Your account is not allowed to do this. If this is unexpected, "
                              "contact your platform's support."));
        case MC_ERROR_NOT_PARTICIPANT:
          return g_strdup (_ ("You are not a participant of this lesson."));
        case MC_ERROR_OUTSIDE_JOIN_WINDOW:
          return g_strdup (_ ("The lesson cannot be joined at this time."));
        case MC_ERROR_BOOKING_NOT_CONFIRMED:
          return g_strdup (_ ("Only confirmed lessons can be joined."));
        case MC_ERROR_CALL_ENDED:
          return g_strdup (_ ("The lesson's session has ended."));
        case MC_ERROR_CALL_TOKEN_INVALID:
        case MC_ERROR_CALL_TOKEN_EXPIRED:
          return g_strdup (_ ("The permission to join has expired. Join again."));
        case MC_ERROR_TAKEN_OVER:
          return g_strdup (_ ("You joined this lesson from another window or device."));
        case MC_ERROR_NOT_FOUND:
          return g_strdup (_ ("The lesson was not found on the server; it may have been "
                              "removed."));
        case MC_ERROR_SERVER_BUSY:
        case MC_ERROR_INTERNAL:
          return g_strdup (_ ("The server cannot answer right now. Try again in a moment."));
        case MC_ERROR_NETWORK:
          return g_strdup_printf (_ ("The server cannot be reached. Check the address and your "
                                     "connection. (%s)"),
                                  error->message);
        default:
          return g_strdup (error->message);
        }
    }

  if (error->domain == G_TLS_ERROR)
    return g_strdup_printf (_ ("The server's certificate cannot be trusted: %s"), error->message);

  return g_strdup (error->message);
}
