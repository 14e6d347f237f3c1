/* mc-protocol.h — the shared protocol library
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mc-call-token.h"
#include "mc-error.h"
#include "mc-json.h"
#include "mc-types.h"
