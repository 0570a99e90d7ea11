/* heron-account-config-store.h: the accounts of this user, one file each
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-account-config.h"

G_BEGIN_DECLS

#define HERON_TYPE_ACCOUNT_CONFIG_STORE (heron_account_config_store_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountConfigStore, heron_account_config_store, HERON, ACCOUNT_CONFIG_STORE, GObject)

/* The accounts in <config-dir>/accounts/<id>.conf (by default $XDG_CONFIG_HOME/heron), as a
 * GListModel of HeronAccountConfig sorted by id. Each account's cache lives in <data-dir>/<id>/
 * (by default $XDG_DATA_HOME/heron/<id>/).
 *
 * The store belongs to the thread that made it (the main thread): call it only there. Its
 * "changed" and "items-changed" signals are emitted there only.
 *
 * Signals:
 *   changed (HeronAccountConfig *config, HeronAccountChange change): after an account was added,
 *   saved or removed through the store. (load() reports through items-changed only.) */

HeronAccountConfigStore *heron_account_config_store_new            (void);
/* With explicit directories; NULL for the default. */
HeronAccountConfigStore *heron_account_config_store_new_for_dirs   (const char *config_dir,
                                                                    const char *data_dir);

const char              *heron_account_config_store_get_config_dir (HeronAccountConfigStore *self);
const char              *heron_account_config_store_get_data_dir   (HeronAccountConfigStore *self);

/* (Re)reads every account file. A file that cannot be read or is not valid costs only its own
 * account: its error (naming the file, and the line when there is one) is added to *out_errors
 * (nullable; a GPtrArray of GError that frees them) and the others load. Returns FALSE only when
 * the accounts directory itself cannot be read; a missing directory means no accounts. */
gboolean                 heron_account_config_store_load           (HeronAccountConfigStore  *self,
                                                                    GPtrArray               **out_errors,
                                                                    GError                  **error);

/* The account with this id, or NULL (borrowed from the store). */
HeronAccountConfig      *heron_account_config_store_lookup         (HeronAccountConfigStore *self,
                                                                    const char              *id);

/* Adds a new account: validates it, gives it an id derived from its first address that no
 * account file and no cache directory uses ("alice-example-test", "alice-example-test-2", ...),
 * writes its file and emits changed (ADDED). The store takes a reference. */
gboolean                 heron_account_config_store_add            (HeronAccountConfigStore  *self,
                                                                    HeronAccountConfig       *config,
                                                                    GError                  **error);

/* Writes an account of the store again after it was edited, and emits changed (UPDATED).
 * @config may also be an edited copy (heron_account_config_copy()) of a stored account: it then
 * takes the stored one's place. Nothing is written unless it validates. */
gboolean                 heron_account_config_store_save           (HeronAccountConfigStore  *self,
                                                                    HeronAccountConfig       *config,
                                                                    GError                  **error);

/* Removes an account: its file (then changed (REMOVED) is emitted), every secret of it in the
 * keyring and its cache directory. If the file is gone but a secret or the cache could not be
 * removed, the error says what is left. */
void                     heron_account_config_store_remove_async   (HeronAccountConfigStore  *self,
                                                                    HeronAccountConfig       *config,
                                                                    GCancellable             *cancellable,
                                                                    GAsyncReadyCallback       callback,
                                                                    gpointer                  user_data);
gboolean                 heron_account_config_store_remove_finish  (HeronAccountConfigStore  *self,
                                                                    GAsyncResult             *result,
                                                                    GError                  **error);

/* Where the account's file and cache are (whether or not they exist). */
char                    *heron_account_config_store_dup_path       (HeronAccountConfigStore *self,
                                                                    const char              *id);
char                    *heron_account_config_store_dup_cache_dir  (HeronAccountConfigStore *self,
                                                                    const char              *id);

/* Letters, digits, "-" and "_", 1 to 64 of them: what an id may be. */
gboolean                 heron_account_id_is_valid                 (const char *id);

G_END_DECLS
