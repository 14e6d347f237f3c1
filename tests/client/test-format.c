/* test-format.c — durations, times and errors as the app writes them
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs in the C locale with TZ=UTC, and once in Vietnamese with the
 * catalog built in the build tree (MENTORCALL_LOCALEDIR), which checks that
 * the plural forms and the translations really reach the user.
 */

#include "config.h"

#include <locale.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "mc-format.h"
#include "mc-protocol.h"

static const struct
{
  gint64      seconds;
  const char *text;
} durations[] = {
  { -5, "0 seconds" },
  { 0, "0 seconds" },
  { 1, "1 second" },
  { 45, "45 seconds" },
  { 60, "1 minute" },
  { 61, "2 minutes" },
  { 12 * 60, "12 minutes" },
  { 59 * 60 + 1, "1 hour" },
  { 60 * 60, "1 hour" },
  { 61 * 60, "1 hour 1 minute" },
  { 65 * 60, "1 hour 5 minutes" },
  { 2 * 3600, "2 hours" },
  { 2 * 3600 + 30 * 60, "2 hours 30 minutes" },
  { 47 * 3600, "47 hours" },
  { 48 * 3600, "2 days" },
  { 10 * 24 * 3600, "10 days" },
};

static void
test_duration (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      g_autofree char *text = mc_format_duration (durations[i].seconds);

      g_assert_cmpstr (text, ==, durations[i].text);
    }
}

static void
test_clock (void)
{
  g_autoptr (GDateTime) afternoon = g_date_time_new_utc (2026, 11, 25, 14, 5, 0);
  g_autoptr (GDateTime) morning = g_date_time_new_utc (2026, 11, 25, 9, 30, 0);
  g_autoptr (GDateTime) midnight = g_date_time_new_utc (2026, 11, 25, 0, 0, 0);
  struct
  {
    GDateTime    *time;
    McClockFormat clock_format;
    const char   *text;
  } cases[] = {
    { afternoon, MC_CLOCK_FORMAT_24H, "14:05" },
    { afternoon, MC_CLOCK_FORMAT_12H, "2:05 PM" },
    { morning, MC_CLOCK_FORMAT_24H, "09:30" },
    { morning, MC_CLOCK_FORMAT_12H, "9:30 AM" },
    { midnight, MC_CLOCK_FORMAT_24H, "00:00" },
    { midnight, MC_CLOCK_FORMAT_12H, "12:00 AM" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = mc_format_clock (cases[i].time, cases[i].clock_format);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* The desktop's setting wins when its schema is installed; without it the
 * C locale writes a 24-hour clock. */
static void
test_clock_format_setting (void)
{
  GSettingsSchemaSource      *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettings)       settings = NULL;
  g_autoptr (GDateTime)       afternoon = g_date_time_new_utc (2026, 11, 25, 14, 5, 0);
  g_autofree char            *text = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);

  if (schema == NULL || !g_settings_schema_has_key (schema, "clock-format"))
    {
      g_assert_cmpint (mc_get_clock_format (), ==, MC_CLOCK_FORMAT_24H);
      g_test_skip ("org.gnome.desktop.interface is not installed");
      return;
    }

  settings = g_settings_new_full (schema, NULL, NULL);

  g_settings_set_string (settings, "clock-format", "24h");
  g_assert_cmpint (mc_get_clock_format (), ==, MC_CLOCK_FORMAT_24H);

  g_settings_set_string (settings, "clock-format", "12h");
  g_assert_cmpint (mc_get_clock_format (), ==, MC_CLOCK_FORMAT_12H);
  text = mc_format_time (afternoon);
  g_assert_cmpstr (text, ==, "2:05 PM");

  g_settings_reset (settings, "clock-format");
  g_assert_cmpint (mc_get_clock_format (), ==, MC_CLOCK_FORMAT_24H);
}

static void
test_day (void)
{
  /* Wednesday, 25 November 2026. */
  g_autoptr (GDateTime) now = g_date_time_new_local (2026, 11, 25, 10, 0, 0);
  struct
  {
    int         days;
    const char *text;
  } cases[] = {
    { 0, "Today" },
    { 1, "Tomorrow" },
    { -1, "Yesterday" },
    { 2, "Friday" },
    { 6, "Tuesday" },
    { 7, "Wed 12/02/26" },
    { -2, "Mon 11/23/26" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GDateTime) time = g_date_time_add_days (now, cases[i].days);
      g_autofree char      *text = mc_format_day (time, now);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_lesson_time (void)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2026, 11, 25, 14, 0, 0);
  g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 11, 25, 10, 0, 0);
  gint64                start_unix = g_date_time_to_unix (start);
  gint64                now_unix = g_date_time_to_unix (now);
  g_autofree char      *today = mc_format_lesson_time (start_unix, start_unix + 3600, now_unix);
  g_autofree char      *tomorrow = mc_format_lesson_time (start_unix + 86400,
                                                          start_unix + 86400 + 5400, now_unix);

  /* TZ=UTC in the test environment. */
  g_assert_cmpstr (today, ==, "Today, 14:00–15:00");
  g_assert_cmpstr (tomorrow, ==, "Tomorrow, 14:00–15:30");
}

static void
test_describe_error (void)
{
  struct
  {
    GQuark      domain;
    int         code;
    const char *message;
    const char *text;
  } cases[] = {
    { MC_ERROR, MC_ERROR_INVALID_CREDENTIALS, "invalid credentials",
      "The username or the password is wrong." },
    { MC_ERROR, MC_ERROR_OUTSIDE_JOIN_WINDOW, "The join window opens at 13:45",
      "The lesson cannot be joined at this time." },
    { MC_ERROR, MC_ERROR_NOT_PARTICIPANT, "not yours",
      "You are not a participant of this lesson." },
    { MC_ERROR, MC_ERROR_NETWORK, "Connection refused",
      "The server cannot be reached. Check the address and your connection. "
      "(Connection refused)" },
    /* Codes without words of their own keep the message. */
    { MC_ERROR, MC_ERROR_INVALID_FIELD, "subject is too long", "subject is too long" },
    { G_IO_ERROR, G_IO_ERROR_FAILED, "Something else", "Something else" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = g_error_new_literal (cases[i].domain, cases[i].code,
                                                      cases[i].message);
      g_autofree char   *text = mc_describe_error (error);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* The Vietnamese catalog from the build tree: one plural form, and the
 * translations reach the formatting functions. */
static void
test_vietnamese (void)
{
  const char           *localedir = g_getenv ("MENTORCALL_LOCALEDIR");
  g_autofree char      *catalog = NULL;
  g_autofree char      *minutes = NULL;
  g_autofree char      *one_minute = NULL;
  g_autofree char      *mixed = NULL;
  g_autofree char      *today = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_local (2026, 11, 25, 10, 0, 0);
  g_autoptr (GError)    error = g_error_new_literal (MC_ERROR, MC_ERROR_INVALID_CREDENTIALS, "x");
  g_autofree char      *described = NULL;

  if (localedir == NULL)
    {
      g_test_skip ("MENTORCALL_LOCALEDIR is not set");
      return;
    }

  catalog = g_build_filename (localedir, "vi", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_test (catalog, G_FILE_TEST_IS_REGULAR));

  /* LANGUAGE is ignored in the plain C locale, not in C.UTF-8. */
  g_setenv ("LANGUAGE", "vi", TRUE);
  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    {
      g_unsetenv ("LANGUAGE");
      g_test_skip ("no C.UTF-8 locale");
      return;
    }

  minutes = mc_format_duration (12 * 60);
  one_minute = mc_format_duration (60);
  mixed = mc_format_duration (65 * 60);
  today = mc_format_day (now, now);
  described = mc_describe_error (error);

  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C");

  g_assert_cmpstr (minutes, ==, "12 phút");
  g_assert_cmpstr (one_minute, ==, "1 phút");
  g_assert_cmpstr (mixed, ==, "1 giờ 5 phút");
  g_assert_cmpstr (today, ==, "Hôm nay");
  g_assert_cmpstr (described, ==, "Tên đăng nhập hoặc mật khẩu không đúng.");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("MENTORCALL_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/format/duration", test_duration);
  g_test_add_func ("/client/format/clock", test_clock);
  g_test_add_func ("/client/format/clock-format-setting", test_clock_format_setting);
  g_test_add_func ("/client/format/day", test_day);
  g_test_add_func ("/client/format/lesson-time", test_lesson_time);
  g_test_add_func ("/client/format/describe-error", test_describe_error);
  g_test_add_func ("/client/format/vietnamese", test_vietnamese);

  return g_test_run ();
}
