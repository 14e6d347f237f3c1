/* mcs-admin.c — account and booking administration shared by the admin
 * API and the admin command line
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mcs-admin"

#include <string.h>

#include "mcs-clock.h"
#include "mcs-admin.h"
#include "mcs-password.h"
#include "mcs-views.h"

#define DEMO_MENTOR           "maria"
#define DEMO_MENTOR_NAME      "Maria Nguyen"
#define DEMO_MENTOR_PASSWORD  "mentor-demo"
#define DEMO_STUDENT          "sam"
#define DEMO_STUDENT_NAME     "Sam Tran"
#define DEMO_STUDENT_PASSWORD "student-demo"

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        return TRUE;
    }

  return FALSE;
}

/**
 * mcs_admin_normalize_username:
 * @username: a username as typed
 * @error: a #GError
 *
 * Usernames are 1 to 64 of `a-z 0-9 . _ -`, compared without case; they
 * are stored in lower case.
 *
 * Returns: (transfer full): the username in lower case
 */
char *
mcs_admin_normalize_username (const char *username,
                              GError    **error)
{
  g_autofree char *lower = NULL;
  gsize            length;

  if (username == NULL || (length = strlen (username)) == 0 || length > 64)
    goto invalid;

  lower = g_ascii_strdown (username, -1);
  for (gsize i = 0; i < length; i++)
    {
      char c = lower[i];

      if (!g_ascii_islower (c) && !g_ascii_isdigit (c) && c != '.' && c != '_' && c != '-')
        goto invalid;
    }

  return g_steal_pointer (&lower);

invalid:
  g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                       "A username is 1 to 64 letters, digits, dots, underscores or hyphens");
  return NULL;
}

gboolean
mcs_admin_check_display_name (const char *display_name,
                              GError    **error)
{
  glong length;

  if (display_name == NULL || !g_utf8_validate (display_name, -1, NULL) ||
      has_control_characters (display_name))
    goto invalid;

  length = g_utf8_strlen (display_name, -1);
  if (length < 1 || length > 128)
    goto invalid;

  return TRUE;

invalid:
  g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                       "A display name is 1 to 128 characters, without control characters");
  return FALSE;
}

gboolean
mcs_admin_check_password (const char *password,
                          GError    **error)
{
  glong length;

  if (password == NULL || !g_utf8_validate (password, -1, NULL))
    goto invalid;

  length = g_utf8_strlen (password, -1);
  if (length < 8 || length > 1024)
    goto invalid;

  return TRUE;

invalid:
  g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                       "A password is 8 to 1024 characters long");
  return FALSE;
}

gboolean
mcs_admin_check_subject (const char *subject,
                         GError    **error)
{
  if (subject == NULL)
    return TRUE;

  if (!g_utf8_validate (subject, -1, NULL) || has_control_characters (subject) ||
      g_utf8_strlen (subject, -1) > 200)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "A subject is at most 200 characters, without control characters");
      return FALSE;
    }

  return TRUE;
}

static McsUser *
find_participant (McsStore   *store,
                  const char *username,
                  McRole      role,
                  GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char   *normalized = mcs_admin_normalize_username (username, error);
  McsUser           *user;

  if (normalized == NULL)
    return NULL;

  user = mcs_store_find_user (store, normalized, &local_error);
  if (user == NULL)
    {
      if (g_error_matches (local_error, MC_ERROR, MC_ERROR_NOT_FOUND))
        g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                     "There is no user “%s”", normalized);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (user->role != role)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD, "“%s” is not a %s",
                   normalized, mc_role_to_string (role));
      mcs_user_free (user);
      return NULL;
    }

  return user;
}

/**
 * mcs_admin_create_booking:
 * @store: the store
 * @mentor: the mentor's username
 * @student: the student's username
 * @subject: (nullable): what the lesson is about
 * @starts_at: the start
 * @ends_at: the end, after the start and at most a day later
 * @status: %MC_BOOKING_PENDING or %MC_BOOKING_CONFIRMED
 * @bad_field: (out) (optional): the request member that was wrong
 * @error: a #GError
 *
 * Returns: (transfer full): the new booking
 */
McsBooking *
mcs_admin_create_booking (McsStore       *store,
                          const char     *mentor,
                          const char     *student,
                          const char     *subject,
                          gint64          starts_at,
                          gint64          ends_at,
                          McBookingStatus status,
                          const char    **bad_field,
                          GError        **error)
{
  g_autoptr (McsUser) mentor_user = NULL;
  g_autoptr (McsUser) student_user = NULL;
  const char         *field = NULL;

  mentor_user = find_participant (store, mentor, MC_ROLE_MENTOR, error);
  if (mentor_user == NULL)
    {
      field = "mentor";
      goto failed;
    }

  student_user = find_participant (store, student, MC_ROLE_STUDENT, error);
  if (student_user == NULL)
    {
      field = "student";
      goto failed;
    }

  if (!mcs_admin_check_subject (subject, error))
    {
      field = "subject";
      goto failed;
    }

  if (ends_at <= starts_at || ends_at - starts_at > MCS_MAX_LESSON_SECONDS)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "A lesson must end after it starts, and last at most 24 hours");
      field = "end";
      goto failed;
    }

  if (status != MC_BOOKING_PENDING && status != MC_BOOKING_CONFIRMED)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "A new booking is either pending or confirmed");
      field = "status";
      goto failed;
    }

  return mcs_store_add_booking (store, mentor_user->id, student_user->id, subject,
                                starts_at, ends_at, status, error);

failed:
  if (bad_field != NULL)
    *bad_field = field;
  return NULL;
}

static McsUser *
ensure_demo_user (McsStore   *store,
                  McsConfig  *config,
                  const char *username,
                  const char *display_name,
                  McRole      role,
                  const char *password,
                  GString    *report,
                  GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char   *hash = NULL;
  McsUser           *user;

  user = mcs_store_find_user (store, username, &local_error);
  if (user != NULL || !g_error_matches (local_error, MC_ERROR, MC_ERROR_NOT_FOUND))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return user;
    }

  hash = mcs_password_hash (config->password_hash_strength, password, error);
  if (hash == NULL)
    return NULL;

  user = mcs_store_add_user (store, username, display_name, role, hash, error);
  if (user != NULL)
    g_string_append_printf (report, "Created %s %s (%s), password “%s”\n",
                            mc_role_to_string (role), username, display_name, password);

  return user;
}

/**
 * mcs_admin_seed_demo:
 * @store: the store
 * @config: the configuration, for the hash strength and the join window
 * @report: where to describe what there is
 * @error: a #GError
 *
 * Makes sure a demo mentor, a demo student and a confirmed booking between
 * them that can be joined now exist. Safe to run any number of times.
 *
 * Returns: %TRUE on success
 */
gboolean
mcs_admin_seed_demo (McsStore  *store,
                     McsConfig *config,
                     GString   *report,
                     GError   **error)
{
  g_autoptr (McsUser)    mentor = NULL;
  g_autoptr (McsUser)    student = NULL;
  g_autoptr (GPtrArray)  bookings = NULL;
  g_autoptr (McsBooking) booking = NULL;
  g_autofree char       *start = NULL;
  g_autofree char       *end = NULL;
  gint64                 now = mcs_clock_now ();

  mentor = ensure_demo_user (store, config, DEMO_MENTOR, DEMO_MENTOR_NAME, MC_ROLE_MENTOR,
                             DEMO_MENTOR_PASSWORD, report, error);
  if (mentor == NULL)
    return FALSE;

  student = ensure_demo_user (store, config, DEMO_STUDENT, DEMO_STUDENT_NAME, MC_ROLE_STUDENT,
                              DEMO_STUDENT_PASSWORD, report, error);
  if (student == NULL)
    return FALSE;

  bookings = mcs_store_list_user_bookings (store, mentor->id, now, error);
  if (bookings == NULL)
    return FALSE;

  for (guint i = 0; i < bookings->len; i++)
    {
      McsBooking *candidate = g_ptr_array_index (bookings, i);

      /* Keep using a lesson that stays joinable for a while yet. */
      if (candidate->student->id == student->id &&
          mcs_booking_is_joinable (candidate, config, now) &&
          mcs_booking_is_joinable (candidate, config, now + 15 * 60) &&
          (!candidate->has_call || candidate->call_state != MC_CALL_ENDED))
        {
          booking = g_ptr_array_steal_index (bookings, i);
          break;
        }
    }

  if (booking == NULL)
    {
      booking = mcs_store_add_booking (store, mentor->id, student->id, "Demo lesson: algebra",
                                       now - 5 * 60, now + 55 * 60, MC_BOOKING_CONFIRMED, error);
      if (booking == NULL)
        return FALSE;

      g_string_append (report, "Created a demo booking\n");
    }

  start = mc_json_format_time (booking->starts_at);
  end = mc_json_format_time (booking->ends_at);
  g_string_append_printf (report,
                          "Demo accounts: mentor “%s” (password “%s”), student “%s” "
                          "(password “%s”)\n"
                          "Demo booking %" G_GINT64_FORMAT ": %s, %s to %s, joinable now\n",
                          DEMO_MENTOR, DEMO_MENTOR_PASSWORD, DEMO_STUDENT, DEMO_STUDENT_PASSWORD,
                          booking->id, booking->subject, start, end);

  return TRUE;
}
