/* heron-account-manager.h: every account of the person, each with its sync worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "account/heron-account-config.h"
#include "client/heron-client-account.h"

G_BEGIN_DECLS

#define HERON_TYPE_ACCOUNT_MANAGER (heron_account_manager_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountManager, heron_account_manager, HERON, ACCOUNT_MANAGER, GObject)

/* Everything here is of the main thread (the one that made the manager): calls, callbacks,
 * signals and notifications.
 *
 * @config_dir: where the account files are (NULL: $XDG_CONFIG_HOME/heron);
 * @data_dir: where the caches are (NULL: $XDG_DATA_HOME/heron). */
HeronAccountManager *heron_account_manager_new            (const char           *config_dir,
                                                           const char           *data_dir);

/* Tests: trust anchors for every account's connections (NULL: the system's). Before load. */
void                 heron_account_manager_set_tls_database (HeronAccountManager *self,
                                                           GTlsDatabase         *database);

/* Reads the account files and starts a worker for each account. A broken file does not stop
 * the others: its error is returned in @out_errors (a GPtrArray of GError, may be NULL). */
gboolean             heron_account_manager_load           (HeronAccountManager  *self,
                                                           GPtrArray           **out_errors,
                                                           GError              **error);
/* Stops every worker (the caches stay consistent; the journal keeps what is pending). */
void                 heron_account_manager_shutdown       (HeronAccountManager  *self);

/* A GListModel of HeronAccount, in the order they were added. */
GListModel          *heron_account_manager_get_accounts   (HeronAccountManager  *self);
HeronAccount        *heron_account_manager_lookup         (HeronAccountManager  *self,
                                                           const char           *account_id);

/* Saves @config (a new account, validated), stores @password in the keyring (NULL: none, an
 * OAuth account), and starts it. The finish returns the new HeronAccount (transfer full). */
void                 heron_account_manager_add_async      (HeronAccountManager  *self,
                                                           HeronAccountConfig   *config,
                                                           const char           *password,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
HeronAccount        *heron_account_manager_add_finish     (HeronAccountManager  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Saves an edited copy of an account's config (heron_account_config_copy()) and restarts its
 * worker when the servers changed. @password: a new password, or NULL to keep the stored one. */
void                 heron_account_manager_update_async   (HeronAccountManager  *self,
                                                           HeronAccount         *account,
                                                           HeronAccountConfig   *config,
                                                           const char           *password,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean             heron_account_manager_update_finish  (HeronAccountManager  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Stops the account, removes its file, its secrets and its cache. */
void                 heron_account_manager_remove_async   (HeronAccountManager  *self,
                                                           HeronAccount         *account,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean             heron_account_manager_remove_finish  (HeronAccountManager  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* The unified inbox: the INBOX of every account, newest first (a HeronMessageList, transfer
 * none). It is made again when an account or an INBOX comes or goes: the "unified-inbox"
 * property is notified then. */
GListModel          *heron_account_manager_get_unified_inbox (HeronAccountManager *self);

G_END_DECLS
