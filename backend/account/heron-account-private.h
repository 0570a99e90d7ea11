/* heron-account-private.h: what only backend/account uses
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-account-config.h"
#include "heron-account-server.h"

G_BEGIN_DECLS

/* heron_account_server_validate() without the "IMAP server:" prefix; *out_key (nullable) names
 * the key of the account file the error is about ("Host", "Security", ...). */
gboolean            _heron_account_server_check        (HeronAccountServer  *self,
                                                        const char         **out_key,
                                                        GError             **error);

void                _heron_account_config_set_id       (HeronAccountConfig *self,
                                                        const char         *id);
/* The key file the config was read from, kept so that saving keeps comments and keys this
 * version does not know; NULL for a config that was never read or written. */
GKeyFile           *_heron_account_config_get_key_file (HeronAccountConfig *self);
void                _heron_account_config_set_key_file (HeronAccountConfig *self,
                                                        GKeyFile           *key_file);

/* heron-account-keyfile.c. Reads one account file; errors name the file and, whenever the
 * problem is on one line, the line ("/…/accounts/work.conf line 12: …"). */
HeronAccountConfig *_heron_account_config_load_file    (const char  *path,
                                                        const char  *id,
                                                        GError     **error);
/* The file's text for a valid config (updating its kept key file). */
char               *_heron_account_config_to_data      (HeronAccountConfig *self,
                                                        gsize              *out_length);

G_END_DECLS
