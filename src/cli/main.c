/* main.c — mentorcall-cli
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include <gst/gst.h>

#include "mc-call-error.h"
#include "mc-cli.h"

static gboolean
has_gst_options (int    argc,
                 char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--gst-"))
        return TRUE;
    }

  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");

  /* Only `join` needs GStreamer, and it initialises it (mc_cli_join ()):
   * the other commands do not pay for loading the plugin registry.
   * GStreamer's own options (--gst-debug and the like) still work: they
   * initialise it here, which also takes them out of argv. */
  if (has_gst_options (argc, argv))
    gst_init (&argc, &argv);

  status = mc_cli_main (argc, argv);

  /* Every way out passes here: no engine thread may outlive main (). */
  mc_call_engine_shutdown ();

  return status;
}
