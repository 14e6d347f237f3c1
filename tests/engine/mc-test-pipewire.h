/* mc-test-pipewire.h — a private PipeWire daemon with a "screen" on it
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _McTestPipeWire McTestPipeWire;

McTestPipeWire *mc_test_pipewire_start (const char *pattern,
                                        GError    **error);
int             mc_test_pipewire_connect (McTestPipeWire *self,
                                          GError        **error);
gboolean        mc_test_pipewire_link (McTestPipeWire *self,
                                       const char     *output_port,
                                       GError        **error);
const char     *mc_test_pipewire_get_runtime_dir (McTestPipeWire *self);
const char     *mc_test_pipewire_get_socket_path (McTestPipeWire *self);
guint32         mc_test_pipewire_get_node_id (McTestPipeWire *self);
void            mc_test_pipewire_get_size (McTestPipeWire *self,
                                           guint          *width,
                                           guint          *height);
gboolean        mc_test_pipewire_start_stream (McTestPipeWire *self,
                                               GError        **error);
void            mc_test_pipewire_stop_stream (McTestPipeWire *self);
void            mc_test_pipewire_free (McTestPipeWire *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestPipeWire, mc_test_pipewire_free)

G_END_DECLS
