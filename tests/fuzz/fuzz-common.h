/* fuzz-common.h — what every libFuzzer harness of Mentorcall shares
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void fuzz_init_logging (void);

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);
int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);

G_END_DECLS
