/* heron-sync-private.h: what the files of backend/sync share: the worker thread's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "account/heron-account-config.h"
#include "account/heron-oauth2-token-source.h"
#include "imap/heron-imap-session.h"
#include "mime/heron-mime-message.h"
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
typedef struct _HeronSyncWatch HeronSyncWatch;

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
  char             *trash_folder;        /* the config's Trash override, or NULL: special use */
  gboolean          ignore_move;         /* replay MOVE as COPY + STORE + EXPUNGE (tests) */
  gboolean          ignore_uidplus;      /* replay without COPYUID/APPENDUID/UID EXPUNGE (tests) */
  guint             prefetch_days;       /* bodies of messages younger than this are prefetched; 0: all */
  /* OAuth2 (IMAP or SMTP): tokens from the account's provider, asked on the owner's thread; NULL
   * without a provider. imap_oauth2: IMAP logs in with a token (settings.token_provider). */
  HeronOAuth2TokenSource *oauth2_tokens;
  gboolean          imap_oauth2;

  GMainContext     *context;             /* the worker's */
  GMainContext     *main_context;        /* the owner's */
  GCancellable     *cancellable;         /* cancelled by stop */
  gint              stopping;            /* atomic */
  gint              n_login_attempts;    /* atomic */
  /* atomic, for tests and diagnosis: folder syncs run, STATUS polls run, NOTIFY SETs accepted */
  gint              n_folder_syncs;
  gint              n_status_polls;
  gint              n_notify_sets;
  gint              state;               /* atomic HeronSyncState, as the worker sees it */

  /* worker thread only */
  HeronStore       *store;
  HeronImapSession *session;             /* commands */
  HeronImapSession *idle_session;        /* parked in IDLE on INBOX */
  GQueue            jobs;                /* HeronSyncJob */
  guint             reconnect_id;
  guint             checkpoint_id;       /* the checkpoints after the last change */
  guint             checkpoints_left;
  guint             backoff_ms;
  gboolean          auth_failed;
  HeronImapAuthMechanism oauth2_mechanism; /* XOAUTH2 or OAUTHBEARER: the account's, or the one
                                          * the server offers when it lacks that */
  gboolean          untrusted;           /* the server's certificate was not trusted */
  gint64            initial_folder_id;   /* the folder whose first sync runs now, or 0 */
  GHashTable       *folder_names;        /* gint64 id -> char *name */
  /* heron-sync-watch.c: the sync policy and the watch (set before the thread starts), its state */
  guint             folder_sync;         /* HeronAccountFolderSync */
  GStrv             sync_folders;        /* FOLDER_SYNC_LIST: the config's names */
  gboolean          use_notify;          /* NOTIFY when offered (the options may turn it off) */
  guint             status_poll_ms;      /* the STATUS poll's period without NOTIFY */
  HeronSyncWatch   *watch;               /* worker thread only */
  struct _HeronSyncBodies *bodies;       /* heron-sync-bodies.c: on-demand fetches, prefetch */
  struct _HeronSyncOutbox *outbox;       /* heron-sync-outbox.c: SMTP settings (set before the
                                          * thread starts), then the worker's sending state */
  GTlsCertificate  *untrusted_certificate; /* the last connect's, when it was refused */

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
/* The queued job of the worker's own (no caller's task) of @kind, for CUSTOM of @run (NULL: any),
 * of @folder (NULL: any); NULL when there is none. Queue a job only when none is waiting. */
HeronSyncJob  *_heron_sync_find_queued    (HeronSyncCore       *core,
                                           HeronSyncJobKind     kind,
                                           HeronSyncJobFunc     run,
                                           const char          *folder);
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
/* A mailbox event of the IDLE session (INBOX). */
void     _heron_sync_idle_event      (HeronSyncCore     *core,
                                      HeronImapResponse *response);

/* heron-sync-watch.c: the sync policy; watching the synced folders (IDLE on INBOX, NOTIFY for
 * the others, or a STATUS poll) */
/* Whether @folder is synced by the account's policy (INBOX always). */
gboolean _heron_sync_policy_includes      (HeronSyncCore          *core,
                                           const HeronStoreFolder *folder);
/* The folder list was synced: queues the policy job (syncs what changed, rewatches). */
void     _heron_sync_folders_synced       (HeronSyncCore          *core);
/* HERON_SYNC_JOB_START_IDLE: the watch connection (EXAMINE INBOX, NOTIFY, IDLE), or the poll. */
gboolean _heron_sync_watch_start          (HeronSyncCore          *core,
                                           GError                **error);
/* Offline: the watch connection goes, timers stop. */
void     _heron_sync_watch_stop           (HeronSyncCore          *core);
/* The worker stops: frees the watch's state (after _heron_sync_watch_stop). */
void     _heron_sync_watch_free           (HeronSyncCore          *core);
/* What the server said of a folder (STATUS, LIST-STATUS, NOTIFY): its counts go to the cache;
 * with @schedule, a synced folder whose state differs from the cache's is synced soon. */
void     _heron_sync_note_status          (HeronSyncCore                *core,
                                           const HeronImapMailboxStatus *status,
                                           gboolean                      schedule);
/* The STATUS items the worker asks for on @session (HIGHESTMODSEQ with CONDSTORE). */
const char * const *_heron_sync_status_items (HeronImapSession      *session);
/* Asks for an incremental sync of a folder (or INBOX) soon (debounced), and of the list. */
void     _heron_sync_schedule_folder_sync (HeronSyncCore          *core,
                                           const char             *name);
void     _heron_sync_schedule_inbox_sync  (HeronSyncCore          *core);
void     _heron_sync_schedule_folders_sync (HeronSyncCore         *core);
/* heron-account-worker.c: a new logged-in session of the account (its ::closed takes the
 * account offline). */
HeronImapSession *_heron_sync_open_session (HeronSyncCore         *core,
                                            GError               **error);

/* heron-sync-replay.c: the user's flag changes, and the replay of the journal */
gboolean _heron_sync_set_flags       (HeronSyncCore *core,
                                      HeronSyncJob  *job,
                                      GError       **error);
gboolean _heron_sync_replay_journal  (HeronSyncCore *core,
                                      GError       **error);
/* Queues a replay of the journal when online and none is queued yet. */
void     _heron_sync_queue_replay    (HeronSyncCore *core);
/* The one rule for names that go to an IMAP session: the cache's name of a folder (the server's,
 * as sent: a key of the cache only) never goes there; its UTF-8 path does (the folder's display
 * name, or @name decoded when the cache no longer has it), which the session encodes for the
 * wire. Every mailbox argument of a session call and every comparison with
 * heron_imap_session_get_selected() uses this (or HeronStoreFolder.display_name at hand). */
char    *_heron_sync_wire_name       (HeronSyncCore *core,
                                      const char    *name);

/* heron-sync-bodies.c: bodies on demand (a connection of their own) and prefetched */
/* A folder was synced: its bodies inside the prefetch window are fetched when the worker idles. */
void     _heron_sync_bodies_folder_synced (HeronSyncCore *core,
                                           const char    *folder);
/* Search entries were left for later (a large first sync): the text pass makes them. */
void     _heron_sync_bodies_want_text_pass (HeronSyncCore *core);
/* The queue is empty: queues a prefetch job when one is due (TRUE then). */
gboolean _heron_sync_bodies_idle          (HeronSyncCore *core);
/* The account went offline: the on-demand connection goes, its requests fail with OFFLINE. */
void     _heron_sync_bodies_offline       (HeronSyncCore *core);
/* The worker stops (before its connections close and the store closes). */
void     _heron_sync_bodies_stop          (HeronSyncCore *core);

/* heron-sync-outbox.c: the outbox (sending through SMTP), drafts. _new reads the SMTP settings
 * and the Sent and Drafts overrides of @config on the main thread (@password: the tests'; NULL:
 * the keyring's). On the worker thread: _start after the store opened (crash recovery, then
 * sending what waits), _online after each login (what waits for a retry goes now), _stop
 * before the store closes (it cancels an upload, joins the outbox's sender thread and records
 * how the send ended). */
struct _HeronSyncOutbox *_heron_sync_outbox_new    (HeronAccountConfig *config,
                                                    const char         *password,
                                                    GTlsDatabase       *tls_database,
                                                    GError            **error);
void                     _heron_sync_outbox_free   (struct _HeronSyncOutbox *outbox);
void                     _heron_sync_outbox_start  (HeronSyncCore      *core);
void                     _heron_sync_outbox_online (HeronSyncCore      *core);
void                     _heron_sync_outbox_stop   (HeronSyncCore      *core);

/* heron-sync-convert.c */
extern const char * const _heron_sync_summary_items[];
HeronStoreMessage *_heron_sync_message_from_fetch (const HeronImapFetch *fetch);
/* The summary items for @session (PREVIEW when offered: RFC 8970), + MODSEQ with @modseq;
 * NULL-terminated, the strings static. */
GPtrArray         *_heron_sync_summary_items_for  (HeronImapSession     *session,
                                                   gboolean              modseq);
/* Stores a chunk of summaries (one transaction), with the server's PREVIEW as their snippet. */
gboolean           _heron_sync_store_summaries    (HeronStore           *store,
                                                   gint64                folder_id,
                                                   GPtrArray            *messages,
                                                   GError              **error);
/* The Message-ID (without its angle brackets) of a FETCH's HEADER.FIELDS section, or NULL. */
char              *_heron_sync_message_id_of      (const HeronImapFetch *fetch);
guint              _heron_sync_flags_from_imap    (const HeronImapFlags *flags,
                                                   char                **out_keywords);
/* "\\Seen" ... for the bits of @flags, then @keywords; NULL-terminated. */
GStrv              _heron_sync_flags_to_imap      (guint                 flags,
                                                   const char * const   *keywords);
/* The summary the cache shows for a message written here before the server has it (an APPEND,
 * a copy in Sent, a draft): @size its raw size, @flags HeronStoreFlags, @internal_date NULL: now.
 * Empty names and ids are NULL, as _heron_sync_message_from_fetch() gives them. */
HeronStoreMessage *_heron_sync_summary_from_message (HeronMimeMessage     *message,
                                                     gsize                 size,
                                                     guint                 flags,
                                                     GDateTime            *internal_date);
/* The whole of @stream (closed afterwards), e.g. a raw source of the cache. */
GBytes            *_heron_sync_read_stream        (GInputStream         *stream,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* The folder of special use @use, or the config's @override of it (a server name; NULL or "":
 * none). NULL with @error unset when the account has none; NULL with HERON_SYNC_ERROR_NOT_FOUND
 * when @override names a folder the cache lacks (filing elsewhere, or deleting for good, would
 * not be what the person chose), or with the cache's error. */
HeronStoreFolder  *_heron_sync_find_special_folder (HeronSyncCore       *core,
                                                    const char          *override,
                                                    HeronStoreSpecialUse use,
                                                    GError             **error);
/* Whether the server's folder names are UTF-8 (UTF8=ACCEPT or IMAP4rev2 enabled on the command
 * connection; offline: what the last login said, kept in the cache), else modified UTF-7. */
gboolean           _heron_sync_names_utf8         (HeronSyncCore        *core);
/* The server's name of a new folder: @leaf (UTF-8, as the person typed it) encoded as the
 * server's names are (@utf8, else modified UTF-7), under @parent (a server name, nullable)
 * with its @delimiter. G_IO_ERROR_INVALID_ARGUMENT for an empty leaf, one with the delimiter,
 * "*", "%" or a control character; G_IO_ERROR_NOT_SUPPORTED under a parent without delimiter. */
char              *_heron_sync_make_folder_name   (const char           *parent,
                                                   char                  delimiter,
                                                   const char           *leaf,
                                                   gboolean              utf8,
                                                   GError              **error);
/* The display name of a server name (as the folder list makes it). */
char              *_heron_sync_folder_display_name (const char          *name,
                                                    gboolean             utf8);

G_END_DECLS
