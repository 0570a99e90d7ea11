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
#include "sync/heron-sync-types.h"

G_BEGIN_DECLS

typedef struct {
  /* The path of the cache; NULL: heron_store_dup_default_path (account id). */
  const char    *store_path;
  /* The password; NULL: looked up in the keyring (heron_secrets_lookup_async()) when needed.
   * Tests pass it here. */
  const char    *password;
  /* Trust anchors; NULL: the system's (a pinned certificate of the account is honoured anyway). */
  GTlsDatabase  *tls_database;
  HeronSyncMode  mode;                 /* default AUTO; others ignore capabilities (tests) */
  guint          chunk_size;           /* messages per UID FETCH and store transaction; 0: 1000 */
  guint          backoff_initial_ms;   /* first reconnect delay; 0: 1 s */
  guint          backoff_max_ms;       /* longest reconnect delay; 0: 5 min */
  gboolean       idle;                 /* watch INBOX with IDLE on its own connection; default TRUE */
  guint          read_timeout_ms;      /* 0: the session's default */
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
 * INBOX, watch INBOX with IDLE. Reconnects by itself after a lost connection. */
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

G_END_DECLS
