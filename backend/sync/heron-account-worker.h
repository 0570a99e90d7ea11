/* heron-account-worker.h: one account's sync worker: a thread with its own GMainContext that owns
 * the account's cache writer and IMAP sessions (docs/sync.md)
 *
 * The object belongs to the thread that created it (the main thread): every function is called
 * there, every callback and signal runs there. Requests are handed to the worker thread; their
 * results come back as GTasks completed on the caller's context. Changes come back as ::event,
 * batched, emitted on the creating thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "account/heron-account-config.h"
#include "account/heron-oauth2-provider.h"
#include "sync/heron-sync-types.h"

G_BEGIN_DECLS

typedef struct {
  /* The path of the cache; NULL: heron_store_dup_default_path (account id). */
  const char    *store_path;
  /* The password; NULL: looked up in the keyring (heron_secrets_lookup_async()) when needed.
   * Tests pass it here. */
  const char    *password;
  /* The SMTP server's password when it differs from the IMAP one (a GNOME Online Accounts
   * account keeps both); NULL: @password, else the keyring's SMTP secret. */
  const char    *smtp_password;
  /* Tokens for an account whose IMAP or SMTP authentication is OAuth2 (XOAUTH2/OAUTHBEARER);
   * the worker keeps a reference and calls it on the thread that created the worker (the
   * provider is an object of that thread). NULL for password accounts. */
  HeronOAuth2Provider *oauth2_provider;
  /* Trust anchors; NULL: the system's (a pinned certificate of the account is honoured anyway). */
  GTlsDatabase  *tls_database;
  HeronSyncMode  mode;                 /* default AUTO; others ignore capabilities (tests) */
  guint          chunk_size;           /* messages per UID FETCH and store transaction; 0: 1000 */
  guint          backoff_initial_ms;   /* first reconnect delay; 0: 1 s */
  guint          backoff_max_ms;       /* longest reconnect delay; 0: 5 min */
  gboolean       idle;                 /* watch INBOX with IDLE on its own connection; default TRUE */
  guint          read_timeout_ms;      /* 0: the session's default */
  /* Other folders are watched with NOTIFY when the server offers it, else by a STATUS poll
   * every status_poll_ms (0: 60 s). Tests turn NOTIFY off to run the poll. */
  gboolean       no_notify;
  guint          status_poll_ms;
  /* Tests: replay as if the server lacked MOVE (COPY + STORE \Deleted + UID EXPUNGE) or
   * UIDPLUS (no COPYUID/APPENDUID: new UIDs found by Message-ID; EXPUNGE instead of UID
   * EXPUNGE), so the fallbacks run against a server that has both. */
  gboolean       ignore_move;
  gboolean       ignore_uidplus;
} HeronAccountWorkerOptions;

void heron_account_worker_options_init (HeronAccountWorkerOptions *options);

#define HERON_TYPE_ACCOUNT_WORKER (heron_account_worker_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountWorker, heron_account_worker, HERON, ACCOUNT_WORKER, GObject)

/* Reads what it needs of @config now (a config is an object of the main thread). The worker
 * thread starts with heron_account_worker_start(). */
HeronAccountWorker *heron_account_worker_new           (HeronAccountConfig              *config,
                                                        const HeronAccountWorkerOptions *options,
                                                        GError                         **error);

/* Starts the thread: open the cache, connect, replay the journal, sync the folder list and
 * INBOX, watch INBOX with IDLE and the other synced folders (the account's folder-sync) with
 * NOTIFY or a STATUS poll, sync those. Reconnects by itself after a lost connection. */
void                heron_account_worker_start         (HeronAccountWorker *self);
/* Stops the thread and waits for it (also in the middle of a sync). Idempotent; dispose calls it. */
void                heron_account_worker_stop          (HeronAccountWorker *self);

HeronSyncState      heron_account_worker_get_state     (HeronAccountWorker *self);
const char         *heron_account_worker_get_store_path (HeronAccountWorker *self);
/* How often the worker tried to log in (tests and diagnosis). */
guint               heron_account_worker_get_n_login_attempts (HeronAccountWorker *self);

/* After AUTH_FAILED: try again, with @password (nullable: the keyring's). */
void                heron_account_worker_retry_login   (HeronAccountWorker *self,
                                                        const char         *password);

/* LIST into the cache. */
void     heron_account_worker_sync_folders_async  (HeronAccountWorker  *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_sync_folders_finish (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Brings one folder (the server's name) up to date: a first sync newest first, or an
 * incremental one. */
void     heron_account_worker_sync_folder_async   (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_sync_folder_finish  (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Adds and removes flags (HeronStoreFlags) and keywords on messages of @folder: applied to the
 * cache and journaled at once (the task completes then, online or not), replayed to the server in
 * order when connected, and dropped from the journal when the server confirmed it. */
void     heron_account_worker_set_flags_async     (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const gint64        *uids,
                                                   guint                n_uids,
                                                   guint                add_flags,
                                                   guint                remove_flags,
                                                   const char * const  *add_keywords,
                                                   const char * const  *remove_keywords,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_set_flags_finish    (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Operations on messages and folders. Each is applied to the cache and journaled at once (the
 * task completes then, online or not: nothing waits for the server), replayed to the server in
 * order when connected, and dropped from the journal when the server confirmed it (docs/sync.md,
 * "The journal"). Folders are named by the server's names; messages by their UIDs in @folder
 * (negative for local messages the server has not numbered yet). */

/* The finish returns the messages' new UIDs in @dest (gint64, local until the server numbered
 * them, in the order of @uids; for undo). */
void     heron_account_worker_move_async          (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const gint64        *uids,
                                                   guint                n_uids,
                                                   const char          *dest,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GArray  *heron_account_worker_move_finish         (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void     heron_account_worker_copy_async          (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const gint64        *uids,
                                                   guint                n_uids,
                                                   const char          *dest,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GArray  *heron_account_worker_copy_finish         (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* "Delete": to the account's Trash (special use, or the config's override); removed for good
 * when there is no Trash or the messages are in it. The finish returns their UIDs in Trash as
 * move does, or an empty array when they were removed for good. */
void     heron_account_worker_delete_async        (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const gint64        *uids,
                                                   guint                n_uids,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GArray  *heron_account_worker_delete_finish       (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Removes for good (\Deleted + UID EXPUNGE, or EXPUNGE without UIDPLUS). */
void     heron_account_worker_expunge_async       (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const gint64        *uids,
                                                   guint                n_uids,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_expunge_finish      (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Adds a message (@source: its raw RFC 5322 bytes) to @folder with @flags (HeronStoreFlags);
 * @date is the internal date (NULL: now). The finish returns its local UID (< 0). */
void     heron_account_worker_append_async        (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   GBytes              *source,
                                                   guint                flags,
                                                   GDateTime           *date,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gint64   heron_account_worker_append_finish       (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Makes a folder named @name (UTF-8, what the person typed: no delimiter, "*" or "%") inside
 * the folder @parent (its server name; NULL: the top level). The worker writes the server's
 * name: @parent, its delimiter, then @name in UTF-8 when the server's names are (UTF8=ACCEPT or
 * IMAP4rev2 enabled; offline: as at the last login), else in modified UTF-7. The finish returns
 * that server name (free with g_free()); G_IO_ERROR_EXISTS when it is taken,
 * G_IO_ERROR_INVALID_ARGUMENT for a name the server cannot take, HERON_SYNC_ERROR_NOT_FOUND
 * for an unknown @parent. */
void     heron_account_worker_create_folder_async (HeronAccountWorker  *self,
                                                   const char          *parent,
                                                   const char          *name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char    *heron_account_worker_create_folder_finish (HeronAccountWorker *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Renames @folder (a server name) and its children to @name (as for create) inside @parent
 * (NULL: the top level): a rename and a move in one. The finish returns the new server name. */
void     heron_account_worker_rename_folder_async (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const char          *parent,
                                                   const char          *name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char    *heron_account_worker_rename_folder_finish (HeronAccountWorker *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void     heron_account_worker_delete_folder_async (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_delete_folder_finish (HeronAccountWorker *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* A journal entry the server refused (an ERROR event names its seq in the message): try it again,
 * or give it up (its optimistic change is undone by a sync of the folders it touched). */
void     heron_account_worker_retry_operation     (HeronAccountWorker  *self,
                                                   gint64               seq);
void     heron_account_worker_discard_operation   (HeronAccountWorker  *self,
                                                   gint64               seq);

/* Bodies. Fetches the whole raw source of one message into the cache (with its body text for
 * search and snippets) ahead of any background work, on a connection of its own; completes at
 * once when it is local already. Read it afterwards with heron_store_reader_open_source(). */
void     heron_account_worker_fetch_body_async    (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   gint64               uid,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_fetch_body_finish   (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Fetches every body of @folder inside the prefetch window (HeronAccountConfig's) now, with
 * progress events (heron-cli sync --bodies). The worker also does this by itself when idle. */
void     heron_account_worker_prefetch_bodies_async (HeronAccountWorker *self,
                                                   const char          *folder,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_prefetch_bodies_finish (HeronAccountWorker *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* UID SEARCH TEXT on the server in @folder; messages the cache lacks are fetched into it first.
 * The finish returns the UIDs (gint64, ascending). HERON_SYNC_ERROR_OFFLINE when offline. */
void     heron_account_worker_search_async        (HeronAccountWorker  *self,
                                                   const char          *folder,
                                                   const char          *text,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GArray  *heron_account_worker_search_finish       (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* The outbox. @message is a whole RFC 5322 message (Bcc included: it is used for the envelope
 * and removed before sending). It is kept durably in the cache and the task completes then; the
 * worker sends it through the account's SMTP server when it can, with retries, never twice,
 * then files a copy in Sent (unless the server does that itself). SENT and SEND_FAILED events
 * report the outcome. */
void     heron_account_worker_send_async          (HeronAccountWorker  *self,
                                                   GBytes              *message,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean heron_account_worker_send_finish         (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Saves a draft to the Drafts folder (\Draft \Seen), replacing @replaces_uid there (0: none).
 * The finish returns the draft's new local UID. */
void     heron_account_worker_save_draft_async    (HeronAccountWorker  *self,
                                                   GBytes              *message,
                                                   gint64               replaces_uid,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gint64   heron_account_worker_save_draft_finish   (HeronAccountWorker  *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* An outbox message that failed for good, or that "may have been sent" (SEND_FAILED with
 * HERON_SMTP_ERROR_UNCONFIRMED: the person checked it did not arrive): send it again now. Or
 * give it up (it leaves the outbox). @message_id as in the events; unknown ones are ignored. */
void     heron_account_worker_retry_send          (HeronAccountWorker  *self,
                                                   const char          *message_id);
void     heron_account_worker_discard_send        (HeronAccountWorker  *self,
                                                   const char          *message_id);

G_END_DECLS
