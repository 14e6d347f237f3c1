/* main.c — mentorcall-cli
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include <gst/gst.h>

#include "mc-cli.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  gst_init (&argc, &argv);

  return mc_cli_main (argc, argv);
}
