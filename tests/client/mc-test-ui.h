/* mc-test-ui.h — waiting and screenshots for the app's widget tests
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mc-signaling-client.h"
#include "mc-test-server.h"

G_BEGIN_DECLS

typedef gboolean (*McTestCondition) (gpointer data);

void mc_test_ui_init (int    *argc,
                      char ***argv);
void mc_test_ui_wait_until (McTestCondition condition,
                            gpointer        data,
                            const char     *what);
void mc_test_ui_spin (guint milliseconds);
void mc_test_ui_screenshot (GtkWidget  *widget,
                            const char *name);

/* Test cases with real calls, which tolerate GStreamer 1.22's one known
 * critical on its own threads (see mc-test-ui.c). */
typedef void (*McTestFunc) (void);

void mc_test_ui_add_tolerant (const char *path,
                              McTestFunc  func);
void mc_test_ui_run_tolerant (McTestFunc func);
void mc_test_ui_tolerate_gstreamer_criticals (void);

/* The other participant, in the lesson's room over the real signaling
 * (no media): what makes the app see a call of its own run without it. */
typedef struct _McTestPeer McTestPeer;

McTestPeer *mc_test_peer_join (McTestServer *server,
                               const char   *username,
                               const char   *password,
                               gint64        booking_id);
void        mc_test_peer_leave (McTestPeer *peer);
void        mc_test_peer_rejoin (McTestPeer *peer);
void        mc_test_peer_end (McTestPeer *peer);
gboolean    mc_test_peer_get_ended (McTestPeer *peer);
void        mc_test_peer_free (McTestPeer *peer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestPeer, mc_test_peer_free)

G_END_DECLS
