/* fuzz-join-uri.c — the app's mentorcall://join/BOOKING link parser
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Links reach the app from anywhere (a web page, another program), so
 * mc_application_parse_join_uri() gets every byte string. What it accepts
 * must be a positive booking number that prints back to the same link.
 */

#include <stdlib.h>

#include "fuzz-common.h"
#include "mc-application.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char   *uri = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  gint64             booking_id = 0;

  if (mc_application_parse_join_uri (uri, &booking_id, &error))
    {
      g_autofree char *again = g_strdup_printf ("mentorcall://join/%" G_GINT64_FORMAT, booking_id);
      gint64           same = 0;

      if (error != NULL || booking_id <= 0 || !mc_application_parse_join_uri (again, &same, NULL) ||
          same != booking_id)
        abort ();
    }
  else if (error == NULL || error->domain != G_URI_ERROR || error->message == NULL)
    abort ();

  return 0;
}
