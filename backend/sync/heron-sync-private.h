/* heron-sync-private.h: what the files of backend/sync share: the worker thread's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "imap/heron-imap-session.h"
#include "store/heron-store.h"
#include "sync/heron-sync-types.h"

G_BEGIN_DECLS

typedef enum {
  HERON_SYNC_JOB_CONNECT,
  HERON_SYNC_JOB_SYNC_FOLDERS,
  HERON_SYNC_JOB_SYNC_FOLDER,
  HERON_SYNC_JOB_SET_FLAGS,
  HERON_SYNC_JOB_REPLAY,
  HERON_SYNC_JOB_START_IDLE,
  HERON_SYNC_JOB_CUSTOM,  /* runs job->run (the files beside the worker add jobs this way) */
} HeronSyncJobKind;

typedef struct _HeronSyncJob HeronSyncJob;
typedef struct _HeronSyncCore HeronSyncCore;

/* A job's work on the worker thread. Returns FALSE with @error set on failure. A result for the
 * caller's task goes to job->result (with job->result_free), else the task returns TRUE. */
typedef gboolean (*HeronSyncJobFunc) (HeronSyncCore  *core,
                                      HeronSyncJob   *job,
                                      GError        **error);

struct _HeronSyncJob {
  HeronSyncJobKind kind;
  char   *folder;
  GArray *uids;           /* gint64 */
  guint   add_flags;
  guint   remove_flags;
  GStrv   add_keywords;
  GStrv   remove_keywords;
  GTask  *task;           /* of the caller's context; NULL for the worker's own jobs */

  /* HERON_SYNC_JOB_CUSTOM */
  HeronSyncJobFunc run;
  gboolean         needs_online;  /* fails with HERON_SYNC_ERROR_OFFLINE (or _AUTH) when not */
  gboolean         urgent;        /* goes to the head of the queue (a body the person opened) */
  gpointer         data;          /* the job's arguments */
  GDestroyNotify   data_free;
  gpointer         result;        /* for g_task_return_pointer() */
  GDestroyNotify   result_free;
};

/* The state of one account's worker. Fields above "worker thread only" are set before the thread
 * starts and read-only afterwards; the event queue is under @lock. Reference counted (atomic): the
 * object, the thread and pending invocations on the main context each hold one. */
struct _HeronSyncCore {
  gint              ref_count;

  HeronImapSessionSettings settings;    /* without the password */
  char             *account_id;
  char             *host;
  char             *user;
  char             *password;            /* NULL: the keyring's */
  char             *store_path;
  HeronSyncMode     mode;
  guint             chunk_size;
  guint             backoff_initial_ms;
  guint             backoff_max_ms;
  gboolean          idle;

  GMainContext     *context;             /* the worker's */
  GMainContext     *main_context;        /* the owner's */
  GCancellable     *cancellable;         /* cancelled by stop */
  gint              stopping;            /* atomic */
  gint              n_login_attempts;    /* atomic */
  gint              state;               /* atomic HeronSyncState, as the worker sees it */

  /* worker thread only */
  HeronStore       *store;
  HeronImapSession *session;             /* commands */
  HeronImapSession *idle_session;        /* parked in IDLE on INBOX */
  GQueue            jobs;                /* HeronSyncJob */
  guint             reconnect_id;
  guint             backoff_ms;
  guint             inbox_sync_id;
  gboolean          auth_failed;
  GHashTable       *folder_names;        /* gint64 id -> char *name */

  /* the events waiting for the main context, under @lock */
  GMutex            lock;
  GPtrArray        *events;              /* HeronSyncEvent */
  gboolean          flush_pending;
  GWeakRef          owner;               /* HeronAccountWorker */
};

HeronSyncCore *_heron_sync_core_ref   (HeronSyncCore *core);
/* The worker's core (main thread: only to hand jobs over). */
HeronSyncCore *_heron_account_worker_get_core (gpointer worker);

/* Custom jobs. On the caller's thread: a job with a task for @worker (a HeronAccountWorker),
 * then hand it over to the worker thread (it completes the task, also when the worker stopped).
 * On the worker thread: queue a job of the worker's own (no task). */
HeronSyncJob  *_heron_sync_job_new_custom (gpointer             worker,
                                           HeronSyncJobFunc     run,
                                           gboolean             needs_online,
                                           gpointer             source_tag,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void           _heron_sync_hand_over      (gpointer             worker,
                                           HeronSyncJob        *job);
void           _heron_sync_queue_job      (HeronSyncCore       *core,
                                           HeronSyncJob        *job);
/* Whether the command connection is logged in. */
gboolean       _heron_sync_core_is_online (HeronSyncCore       *core);
void           _heron_sync_core_unref (HeronSyncCore *core);

/* Waiting for an asynchronous call on the worker thread: iterates the worker's context (other
 * sources run meanwhile: IDLE events, requests being queued) until the callback ran. */
typedef struct {
  gboolean      done;
  GAsyncResult *result;
} HeronSyncWait;

void          _heron_sync_wait_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data);
GAsyncResult *_heron_sync_await   (HeronSyncCore *core,
                                   HeronSyncWait *wait);

/* Events (worker thread): queued and posted to the main context in order. */
void _heron_sync_core_post        (HeronSyncCore  *core,
                                   HeronSyncEvent *event);
void _heron_sync_core_post_progress (HeronSyncCore *core,
                                     const char    *folder,
                                     guint          done,
                                     guint          total);
void _heron_sync_core_post_error  (HeronSyncCore  *core,
                                   const char     *folder,
                                   const GError   *error);
/* The store's changes, as events. */
void _heron_sync_core_store_changes (HeronStore *store,
                                     GPtrArray  *changes,
                                     gpointer    user_data);
void _heron_sync_core_remember_folder (HeronSyncCore *core,
                                       gint64         folder_id,
                                       const char    *name);

/* heron-folder-sync.c */
gboolean _heron_sync_folders         (HeronSyncCore *core,
                                      GError       **error);
gboolean _heron_sync_folder          (HeronSyncCore *core,
                                      const char    *name,
                                      GError       **error);
gboolean _heron_sync_set_flags       (HeronSyncCore *core,
                                      HeronSyncJob  *job,
                                      GError       **error);
gboolean _heron_sync_replay_journal  (HeronSyncCore *core,
                                      GError       **error);
/* A mailbox event of the IDLE session (INBOX). */
void     _heron_sync_idle_event      (HeronSyncCore     *core,
                                      HeronImapResponse *response);
/* Asks for an incremental sync of INBOX soon (debounced). */
void     _heron_sync_schedule_inbox_sync (HeronSyncCore *core);

/* heron-sync-convert.c */
extern const char * const _heron_sync_summary_items[];
HeronStoreMessage *_heron_sync_message_from_fetch (const HeronImapFetch *fetch);
guint              _heron_sync_flags_from_imap    (const HeronImapFlags *flags,
                                                   char                **out_keywords);
/* "\\Seen" ... for the bits of @flags, then @keywords; NULL-terminated. */
GStrv              _heron_sync_flags_to_imap      (guint                 flags,
                                                   const char * const   *keywords);

G_END_DECLS
