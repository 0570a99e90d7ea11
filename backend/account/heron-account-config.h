/* heron-account-config.h: everything Heron knows about one account, except its secrets
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-account-identity.h"
#include "heron-account-server.h"
#include "heron-account-types.h"

G_BEGIN_DECLS

#define HERON_TYPE_ACCOUNT_CONFIG (heron_account_config_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountConfig, heron_account_config, HERON, ACCOUNT_CONFIG, GObject)

/* One account: its id (the name of its file, set by HeronAccountConfigStore), display name,
 * identities, IMAP and SMTP servers, what to sync and which folders play which role.
 * docs/accounts.md describes the file it is kept in.
 *
 * A config is a plain object of the thread that made it (the main thread for the store's). It
 * may be incomplete while a person edits it; heron_account_config_validate() says what is
 * missing, and the store refuses to save what does not validate. */

#define HERON_ACCOUNT_MAX_PREFETCH_DAYS 36500

HeronAccountConfig    *heron_account_config_new                  (void);
/* A deep copy (identities and servers too), with the same id. */
HeronAccountConfig    *heron_account_config_copy                 (HeronAccountConfig *self);

/* NULL until the store assigns one (heron_account_config_store_add()). */
const char            *heron_account_config_get_id               (HeronAccountConfig *self);

const char            *heron_account_config_get_display_name     (HeronAccountConfig *self);
void                   heron_account_config_set_display_name     (HeronAccountConfig *self,
                                                                  const char         *display_name);

/* Identities: a list model of HeronAccountIdentity; the first is the default sender. */
GListModel            *heron_account_config_get_identities       (HeronAccountConfig *self);
HeronAccountIdentity  *heron_account_config_get_primary_identity (HeronAccountConfig *self);
void                   heron_account_config_add_identity         (HeronAccountConfig   *self,
                                                                  HeronAccountIdentity *identity);
void                   heron_account_config_remove_identity      (HeronAccountConfig   *self,
                                                                  HeronAccountIdentity *identity);

/* The two servers exist for the life of the config; edit them in place. */
HeronAccountServer    *heron_account_config_get_imap             (HeronAccountConfig *self);
HeronAccountServer    *heron_account_config_get_smtp             (HeronAccountConfig *self);

/* Sync policy. With FOLDER_SYNC_LIST, sync-folders names the mailboxes (UTF-8, the server's
 * separator, e.g. "Lists/GNOME"); INBOX is synced in every case. prefetch-days: bodies of
 * messages younger than this are downloaded ahead of reading; 0 downloads every body. */
HeronAccountFolderSync heron_account_config_get_folder_sync      (HeronAccountConfig    *self);
void                   heron_account_config_set_folder_sync      (HeronAccountConfig    *self,
                                                                  HeronAccountFolderSync folder_sync);
const char * const    *heron_account_config_get_sync_folders     (HeronAccountConfig *self);
void                   heron_account_config_set_sync_folders     (HeronAccountConfig *self,
                                                                  const char * const *folders);
guint                  heron_account_config_get_prefetch_days    (HeronAccountConfig *self);
void                   heron_account_config_set_prefetch_days    (HeronAccountConfig *self,
                                                                  guint               days);

/* Overrides of the special folders (the mailbox name), NULL to follow the server's
 * SPECIAL-USE attributes. Also properties: drafts-folder, sent-folder, trash-folder,
 * junk-folder, archive-folder. */
const char            *heron_account_config_get_special_folder   (HeronAccountConfig        *self,
                                                                  HeronAccountSpecialFolder  folder);
void                   heron_account_config_set_special_folder   (HeronAccountConfig        *self,
                                                                  HeronAccountSpecialFolder  folder,
                                                                  const char                *mailbox);

/* The GNOME Online Accounts account this one was made from, or NULL. */
const char            *heron_account_config_get_goa_account_id   (HeronAccountConfig *self);
void                   heron_account_config_set_goa_account_id   (HeronAccountConfig *self,
                                                                  const char         *goa_account_id);

/* Checks that the account can be saved and used: at least one identity with a valid address,
 * both servers valid (heron_account_server_validate()). */
gboolean               heron_account_config_validate             (HeronAccountConfig  *self,
                                                                  GError             **error);

G_END_DECLS
