/* heron-mime-error.c: the error domain of backend/mime
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heron-mime-error.h"

G_DEFINE_QUARK (heron-mime-error-quark, heron_mime_error)
