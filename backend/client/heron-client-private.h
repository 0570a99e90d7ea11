/* heron-client-private.h: what the files of backend/client share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "account/heron-account-config-store.h"
#include "client/heron-account-manager.h"
#include "client/heron-client-account.h"
#include "client/heron-folder.h"
#include "client/heron-message.h"
#include "client/heron-message-list.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

G_BEGIN_DECLS

/* heron-account-manager.c */
/* The config store the manager loaded the accounts from (saves go through it). */
HeronAccountConfigStore *_heron_account_manager_get_config_store (HeronAccountManager *self);
/* An account's INBOX came or went: the unified inbox is made again. */
void                _heron_account_manager_inbox_changed (HeronAccountManager *self);
/* A GNOME Online Accounts account asks to log in again (heron_account_retry_login() without a
 * password): GOA's passwords are read again and the account restarts with them. FALSE when the
 * account is not one of GOA's (or Heron is built without GOA): the caller retries as usual. */
gboolean            _heron_account_manager_retry_goa_login (HeronAccountManager *self,
                                                            HeronAccount        *account);

/* heron-client-account.c */
/* An account for @config with its worker (not started). @options: how to make the worker
 * (copied; a password given there is kept for every worker of the account, else the keyring's
 * is used; the OAuth2 provider is referenced). */
HeronAccount       *_heron_account_new                 (HeronAccountManager             *manager,
                                                        HeronAccountConfig              *config,
                                                        const HeronAccountWorkerOptions *options,
                                                        GError                         **error);
void                _heron_account_start               (HeronAccount *self);
/* Stops the worker and closes the cache: nothing of the account has its files open after. */
void                _heron_account_stop                (HeronAccount *self);
/* Shutting down: ::closing (message lists let their snapshots go), then _heron_account_stop(). */
void                _heron_account_close               (HeronAccount *self);
/* The config was saved (an edit, a pinned certificate): takes it in and, when @restart, stops
 * the worker and starts a new one with it. */
gboolean            _heron_account_set_config          (HeronAccount        *self,
                                                        HeronAccountConfig  *config,
                                                        gboolean             restart,
                                                        GError             **error);
/* Replaces the passwords the account keeps for its workers (GOA's, read again): the next
 * worker logs in with them; the running one keeps its own. */
void                _heron_account_set_passwords       (HeronAccount *self,
                                                        const char   *password,
                                                        const char   *smtp_password);
/* The account's INBOX folder, or NULL. */
HeronFolder        *_heron_account_get_inbox           (HeronAccount *self);
/* Takes the cache in now (folder tree, n-pending): after an operation, whose task may complete
 * before the worker's events arrive. */
void                _heron_account_refresh             (HeronAccount *self);
/* The account's read-only cache connection (main thread) and its worker. */
HeronStoreReader   *_heron_account_get_reader          (HeronAccount *self);
HeronAccountWorker *_heron_account_get_worker          (HeronAccount *self);
HeronAccountManager *_heron_account_get_manager        (HeronAccount *self);
/* The folder with this cache id, or NULL. */
HeronFolder        *_heron_account_lookup_folder_by_id (HeronAccount *self,
                                                        gint64        folder_id);
/* Every folder of the account, flat (a GPtrArray of HeronFolder, transfer container). */
GPtrArray          *_heron_account_list_folders        (HeronAccount *self);

/* heron-folder.c */
gint64              _heron_folder_get_id               (HeronFolder  *self);
/* A folder of @account for a row of the cache; its place in the tree is set by the account. */
HeronFolder        *_heron_folder_new                  (HeronAccount           *account,
                                                        const HeronStoreFolder *info,
                                                        HeronFolderRole         role);
/* Takes in a newer row of the same folder (a rename, counts, attributes) and its role; notifies
 * what changed. */
void                _heron_folder_update               (HeronFolder            *self,
                                                        const HeronStoreFolder *info,
                                                        HeronFolderRole         role);
/* The parent is a weak pointer; the children are the list heron_folder_get_children() gives,
 * kept sorted by name (the parent's list holds the references). */
void                _heron_folder_set_parent           (HeronFolder            *self,
                                                        HeronFolder            *parent);
void                _heron_folder_add_child            (HeronFolder            *self,
                                                        HeronFolder            *child);
void                _heron_folder_remove_child         (HeronFolder            *self,
                                                        HeronFolder            *child);
/* The account is going: the folder leaves it (get_account returns NULL afterwards). */
void                _heron_folder_detach               (HeronFolder            *self);
/* Compares two folders the way folder lists are sorted (INBOX, then roles, then names). */
int                 _heron_folder_compare              (gconstpointer           a,
                                                        gconstpointer           b,
                                                        gpointer                user_data);

/* heron-message.c */
/* A message object for a row of the cache (list rows lack some fields: the reader's
 * heron_store_reader_get_message() fills them on demand). */
HeronMessage       *_heron_message_new                 (HeronAccount            *account,
                                                        HeronFolder             *folder,
                                                        const HeronStoreMessage *row);
/* Refreshes the properties from a newer row of the same message (notifies what changed). */
void                _heron_message_update              (HeronMessage            *self,
                                                        const HeronStoreMessage *row);
/* The counts of the conversation a threaded list's item stands for (0, 0: not an item of one). */
void                _heron_message_set_conversation_counts (HeronMessage *self,
                                                            guint         size,
                                                            guint         unread);
/* The cache id of the message's folder (also when the folder left the account). */
gint64              _heron_message_get_folder_id       (HeronMessage            *self);

/* heron-message-list.c */
/* The list of one folder (what heron_folder_get_messages() returns; the folder keeps a weak
 * reference to it). It follows the account's ::event signal. */
HeronMessageList   *_heron_message_list_new_for_folder (HeronFolder *folder);

G_END_DECLS
