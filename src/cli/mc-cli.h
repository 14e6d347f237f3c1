/* mc-cli.h — mentorcall-cli, the headless client
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "mc-api-client.h"

G_BEGIN_DECLS

/**
 * McCliJoinOptions:
 *
 * The options of `mentorcall-cli join`.
 */
typedef struct
{
  gboolean test_sources;
  GStrv    ice_addresses;
  double   duration; /* seconds; 0: until interrupted or ended */
  char    *stats_json;
  int      width;
  int      height;
  int      framerate;
  gboolean fake_audio;
  gboolean stamp_frames;
  gboolean muted;
  gboolean camera_off;
  gboolean end_at_exit;
  gboolean require_media;
  gboolean relay_only;
  int      latency;
  gint64   share_node; /* a PipeWire node to share as the screen; -1: none */
  double   share_for;  /* seconds; 0: until the call ends */
} McCliJoinOptions;

int mc_cli_main (int    argc,
                 char **argv);
int mc_cli_join (McApiClient            *api,
                 gint64                  booking_id,
                 const McCliJoinOptions *options);
int mc_cli_end (McApiClient *api,
                gint64       booking_id);
int mc_cli_check (void);

char *mc_cli_escape_text (const char *text);

/* Runs the default main context until @result is set by mc_cli_wait_cb(). */
GAsyncResult *mc_cli_wait (GAsyncResult **result);
void          mc_cli_wait_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data);

G_END_DECLS
