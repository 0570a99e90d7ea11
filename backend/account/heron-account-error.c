/* heron-account-error.c: the error domain of backend/account
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-account-error.h"

G_DEFINE_QUARK (heron-account-error-quark, heron_account_error)
