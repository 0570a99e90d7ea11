/* heron-application-private.h: what only app/ uses.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heron-application.h"

G_BEGIN_DECLS

void _heron_application_install_actions (HeronApplication *self);

G_END_DECLS
