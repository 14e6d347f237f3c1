/* fuzz-common.c — what every libFuzzer harness of Mentorcall shares
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GLib critical or warning is a bug the fuzzer found: a g_return_if_fail
 * that input could reach, or a library refusing what we handed it (libsoup
 * drops text that is not UTF-8 with a critical). libFuzzer only sees
 * crashes, so every such message aborts, through the structured log writer
 * (which all of GLib's logging reaches) and through the always-fatal mask
 * for the old g_log() path.
 */

#include <stdlib.h>

#include "fuzz-common.h"

static GLogWriterOutput
abort_on_warning_writer (GLogLevelFlags   level,
                         const GLogField *fields,
                         gsize            n_fields,
                         gpointer         user_data)
{
  /* Debug and info messages are noise at a million runs. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE))
    return G_LOG_WRITER_HANDLED;

  g_log_writer_standard_streams (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();

  return G_LOG_WRITER_HANDLED;
}

void
fuzz_init_logging (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      g_log_set_writer_func (abort_on_warning_writer, NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }
}
