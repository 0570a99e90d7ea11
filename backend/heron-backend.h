/* heron-backend.h: the one header the front end includes.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "account/heron-account.h"
#include "client/heron-client-types.h"
#include "client/heron-client-account.h"
#include "client/heron-account-manager.h"
#include "client/heron-folder.h"
#include "client/heron-message.h"
#include "client/heron-message-list.h"
#include "mime/heron-mime.h"
#include "sync/heron-sync-types.h"

G_BEGIN_DECLS

const char *heron_backend_get_version      (void);
gboolean    heron_backend_check_libraries  (GError **error);

G_END_DECLS
