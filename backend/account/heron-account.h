/* heron-account.h: backend/account in one include (heron-backend.h includes it)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-account-check.h"
#include "heron-account-config.h"
#include "heron-account-config-store.h"
#include "heron-account-error.h"
#include "heron-account-identity.h"
#include "heron-account-server.h"
#include "heron-account-types.h"
#include "heron-autoconfig.h"
#include "heron-autoconfig-result.h"
#include "heron-oauth2-provider.h"
#include "heron-secrets.h"
/* heron-goa-provider.h exists only with GNOME Online Accounts (HERON_HAVE_GOA). */
