/* test-join-uri.c — mentorcall://join/BOOKING links
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app opens such links from anywhere (a web page, a chat message), so
 * only the exact form is accepted. This is a pure function: no display, no
 * server.
 */

#include <string.h>

#include "mc-application.h"

static void
test_good (void)
{
  static const struct
  {
    const char *uri;
    gint64      booking_id;
  } cases[] = {
    { "mentorcall://join/1", 1 },
    { "mentorcall://join/42", 42 },
    { "MentorCall://JOIN/7", 7 },
    /* The same link as mentorcall://join/12 (RFC 3986, 6.2.2.2). */
    { "mentorcall://join/%312", 12 },
    { "mentorcall://join/9223372036854775807", G_MAXINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64             booking_id = 0;

      g_test_message ("%s", cases[i].uri);
      g_assert_true (mc_application_parse_join_uri (cases[i].uri, &booking_id, &error));
      g_assert_no_error (error);
      g_assert_cmpint (booking_id, ==, cases[i].booking_id);
    }
}

static void
test_bad (void)
{
  g_autofree char *long_uri = NULL;
  static const struct
  {
    const char *uri;
    int         code;
  } cases[] = {
    /* Not ours */
    { "", G_URI_ERROR_BAD_SCHEME },
    { "join/1", G_URI_ERROR_BAD_SCHEME },
    { "https://join/1", G_URI_ERROR_BAD_SCHEME },
    { "mentorcalls://join/1", G_URI_ERROR_BAD_SCHEME },
    { "file:///home/sam/mentorcall://join/1", G_URI_ERROR_BAD_SCHEME },
    { "mentorcall join/1", G_URI_ERROR_BAD_SCHEME },
    /* Not a join link */
    { "mentorcall:join/1", G_URI_ERROR_BAD_HOST },
    { "mentorcall:///join/1", G_URI_ERROR_BAD_HOST },
    { "mentorcall://call/1", G_URI_ERROR_BAD_HOST },
    { "mentorcall://joins/1", G_URI_ERROR_BAD_HOST },
    { "mentorcall://sam@join/1", G_URI_ERROR_BAD_HOST },
    { "mentorcall://join:80/1", G_URI_ERROR_BAD_HOST },
    /* No booking, or not only a booking */
    { "mentorcall://join", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/0", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/007", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/-1", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/+1", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/1.5", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/0x10", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/abc", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/1%00", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/1/", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/1/chat", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join//1", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/ 1", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/9223372036854775808", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/99999999999999999999999", G_URI_ERROR_BAD_PATH },
    { "mentorcall://join/1?password=x", G_URI_ERROR_BAD_QUERY },
    { "mentorcall://join/1?", G_URI_ERROR_BAD_QUERY },
    { "mentorcall://join/1#chat", G_URI_ERROR_BAD_QUERY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64             booking_id = -1;

      g_test_message ("%s", cases[i].uri);
      g_assert_false (mc_application_parse_join_uri (cases[i].uri, &booking_id, &error));
      g_assert_error (error, G_URI_ERROR, cases[i].code);
      g_assert_cmpint (booking_id, ==, -1);
      /* The message names the link, for the person who clicked it. */
      g_assert_nonnull (strstr (error->message, cases[i].uri));
    }

  /* Too long to be ours, and too long to show. */
  long_uri = g_strconcat ("mentorcall://join/1", "?", NULL);
  while (strlen (long_uri) <= 1000)
    {
      char *longer = g_strconcat (long_uri, "aaaaaaaaaa", NULL);

      g_free (long_uri);
      long_uri = longer;
    }
  {
    g_autoptr (GError) error = NULL;
    gint64             booking_id = -1;

    g_assert_false (mc_application_parse_join_uri (long_uri, &booking_id, &error));
    g_assert_error (error, G_URI_ERROR, G_URI_ERROR_FAILED);
    g_assert_null (strstr (error->message, long_uri));
    g_assert_cmpint (booking_id, ==, -1);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/join-uri/good", test_good);
  g_test_add_func ("/client/join-uri/bad", test_bad);

  return g_test_run ();
}
