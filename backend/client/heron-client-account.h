/* heron-client-account.h: HeronAccount, one mail account as the front end sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "account/heron-account-config.h"
#include "client/heron-client-types.h"
#include "sync/heron-sync-types.h"

G_BEGIN_DECLS

typedef struct _HeronFolder HeronFolder;
typedef struct _HeronMessage HeronMessage;

#define HERON_TYPE_ACCOUNT (heron_account_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccount, heron_account, HERON, ACCOUNT, GObject)

/* An account: its config, its sync worker, its folder tree and its operations. Made by the
 * HeronAccountManager. Of the main thread.
 *
 * Properties (read-only, notified on the main thread): id, display-name, email, state
 * (HeronSyncState), error (the last GError the worker reported: boxed G_TYPE_ERROR, NULL once
 * it is online again), busy (a long piece of work is running), progress (0..1 of it, or -1),
 * n-pending (journal entries waiting for the server).
 *
 * Signals:
 *   ::event (HeronSyncEvent *event): every event of the worker, after the account, its folders
 *     and its message lists took it in.
 *   ::message-sent (const char *message_id), ::send-failed (const char *message_id, GError *)
 *   ::new-mail (HeronFolder *folder, GArray *uids): messages arrived in INBOX while online
 *     (not the first sync), for notifications. */

const char          *heron_account_get_id            (HeronAccount *self);
const char          *heron_account_get_display_name  (HeronAccount *self);
const char          *heron_account_get_email         (HeronAccount *self);
/* The config as saved (do not edit: heron_account_manager_update_async() takes a copy). */
HeronAccountConfig  *heron_account_get_config        (HeronAccount *self);
HeronSyncState       heron_account_get_state         (HeronAccount *self);
const GError        *heron_account_get_error         (HeronAccount *self);
gboolean             heron_account_get_busy          (HeronAccount *self);
double               heron_account_get_progress      (HeronAccount *self);
guint                heron_account_get_n_pending     (HeronAccount *self);
/* The path of the account's cache (tests, diagnosis). */
const char          *heron_account_get_store_path    (HeronAccount *self);

/* The top-level folders (GListModel of HeronFolder: INBOX first, then the special folders in
 * role order, then the others by name); heron_folder_get_children() gives the tree below. */
GListModel          *heron_account_get_folders       (HeronAccount *self);
/* By the server's name, or NULL. */
HeronFolder         *heron_account_lookup_folder     (HeronAccount *self,
                                                      const char   *name);
/* The folder of @role (the config's override first), or NULL. */
HeronFolder         *heron_account_get_folder_for_role (HeronAccount   *self,
                                                        HeronFolderRole role);

/* After an AUTH error: try again with @password (saved in the keyring when @remember, except for
 * a GNOME Online Accounts account: its password is GOA's). */
void                 heron_account_retry_login       (HeronAccount *self,
                                                      const char   *password,
                                                      gboolean      remember);
/* The certificate the server presented when the last error was an untrusted certificate (PEM),
 * and its SHA-256 fingerprint; NULL otherwise. */
const char          *heron_account_get_untrusted_certificate (HeronAccount *self,
                                                              const char  **out_fingerprint);
/* The person accepted it: pins it in the config, saves, reconnects. */
void                 heron_account_trust_certificate (HeronAccount *self,
                                                      const char   *pem);

/* Brings the folder list and @folder (NULL: INBOX) up to date now. */
void                 heron_account_sync_async        (HeronAccount        *self,
                                                      HeronFolder         *folder,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean             heron_account_sync_finish       (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Messages. @messages: a GListModel or an array of HeronMessage of this account, all in one
 * folder. Every operation works offline (docs/sync.md): the cache changes at once and the task
 * completes; the server follows when connected. */
void                 heron_account_set_flags_async   (HeronAccount        *self,
                                                      HeronMessage       **messages,
                                                      guint                n_messages,
                                                      HeronMessageFlags    add,
                                                      HeronMessageFlags    remove,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean             heron_account_set_flags_finish  (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* Move to @dest (a folder of this account). The finish returns the moved messages in @dest (a
 * GPtrArray of HeronMessage, for undo: move them back). Archive, Junk and Delete are moves to
 * the role's folder; delete without a Trash (or inside it) removes for good and returns an empty
 * array. */
void                 heron_account_move_async        (HeronAccount        *self,
                                                      HeronMessage       **messages,
                                                      guint                n_messages,
                                                      HeronFolder         *dest,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray           *heron_account_move_finish       (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void                 heron_account_copy_async        (HeronAccount        *self,
                                                      HeronMessage       **messages,
                                                      guint                n_messages,
                                                      HeronFolder         *dest,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray           *heron_account_copy_finish       (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void                 heron_account_delete_async      (HeronAccount        *self,
                                                      HeronMessage       **messages,
                                                      guint                n_messages,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray           *heron_account_delete_finish     (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Folders. @parent NULL: top level. @name is what the person typed (UTF-8). */
void                 heron_account_create_folder_async (HeronAccount        *self,
                                                        HeronFolder         *parent,
                                                        const char          *name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
HeronFolder         *heron_account_create_folder_finish (HeronAccount       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* Renames @folder to @name under @new_parent (NULL: top level): rename and move in one. */
void                 heron_account_rename_folder_async (HeronAccount        *self,
                                                        HeronFolder         *folder,
                                                        HeronFolder         *new_parent,
                                                        const char          *name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean             heron_account_rename_folder_finish (HeronAccount       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                 heron_account_delete_folder_async (HeronAccount        *self,
                                                        HeronFolder         *folder,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean             heron_account_delete_folder_finish (HeronAccount       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* Sending: @message is the whole RFC 5322 message (heron_mime_composition_to_bytes() or
 * similar); it goes to the outbox at once (the task completes then) and is sent when
 * possible: ::message-sent / ::send-failed follow. */
void                 heron_account_send_async        (HeronAccount        *self,
                                                      GBytes              *message,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean             heron_account_send_finish       (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* Saves a draft in Drafts replacing @previous (NULL: a new draft). The finish returns the saved
 * draft (transfer full), to pass as @previous next time. */
void                 heron_account_save_draft_async  (HeronAccount        *self,
                                                      GBytes              *message,
                                                      HeronMessage        *previous,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
HeronMessage        *heron_account_save_draft_finish (HeronAccount        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Addresses seen in the cache starting with @prefix (name or address), most used first: a
 * GPtrArray of "Name <address>" strings, for the composer's completion. */
GPtrArray           *heron_account_complete_address  (HeronAccount        *self,
                                                      const char          *prefix,
                                                      guint                limit);

G_END_DECLS
