/* main.c — mentorcall, the desktop app
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "mc-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(McApplication) application = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gst_init (&argc, &argv);

  application = mc_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
