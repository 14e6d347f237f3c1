/* main.c — mentorcall, the desktop app
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "mc-application.h"
#include "mc-call-error.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (McApplication) application = NULL;
  int                       status;
  const char               *localedir = g_getenv ("MENTORCALL_LOCALEDIR");

  /* Before anything prints or parses options: --help is translated too. */
  setlocale (LC_ALL, "");

  /* `meson devenv` points MENTORCALL_LOCALEDIR at the build tree's catalogs,
   * so the uninstalled app speaks the user's language as well. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gst_init (&argc, &argv);

  application = mc_application_new ();

  status = g_application_run (G_APPLICATION (application), argc, argv);

  /* The windows, and with them the calls, are gone: wait for the engine's
   * own threads before exit () tears down the libraries they use. */
  g_clear_object (&application);
  mc_call_engine_shutdown ();

  return status;
}
