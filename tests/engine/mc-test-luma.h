/* mc-test-luma.h — how bright the frames that reach a sink are
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The mean luma of the frames that reach an appsink: what a picture looks
 * like, roughly. Written on the streaming thread. */
typedef struct
{
  GstElement *sink;
  GMutex      lock;
  guint64     frames;
  double      luma;
} McTestLuma;

void mc_test_luma_init (McTestLuma *luma,
                        const char *name);
void mc_test_luma_get (McTestLuma *luma,
                       guint64    *frames,
                       double     *value);
void mc_test_luma_assert_between (McTestLuma *luma,
                                  double      min,
                                  double      max,
                                  guint       seconds,
                                  const char *what);
void mc_test_luma_clear (McTestLuma *luma);

G_END_DECLS
