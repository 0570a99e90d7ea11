/* heron-client-private.h: what the files of backend/client share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "client/heron-account-manager.h"
#include "client/heron-client-account.h"
#include "client/heron-folder.h"
#include "client/heron-message.h"
#include "client/heron-message-list.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

G_BEGIN_DECLS

/* heron-client-account.c */
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

/* heron-message.c */
/* A message object for a row of the cache (list rows lack some fields: the reader's
 * heron_store_reader_get_message() fills them on demand). */
HeronMessage       *_heron_message_new                 (HeronAccount            *account,
                                                        HeronFolder             *folder,
                                                        const HeronStoreMessage *row);
/* Refreshes the properties from a newer row of the same message (notifies what changed). */
void                _heron_message_update              (HeronMessage            *self,
                                                        const HeronStoreMessage *row);

/* heron-message-list.c */
/* The list of one folder (what heron_folder_get_messages() returns; the folder keeps a weak
 * reference to it). It follows the account's ::event signal. */
HeronMessageList   *_heron_message_list_new_for_folder (HeronFolder *folder);

G_END_DECLS
