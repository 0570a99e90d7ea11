/* heron-sync-watch.c: which folders the worker keeps in sync, and how it learns that they changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs on the account's worker thread.
 *
 * Sync policy: INBOX always; the other folders by the account's folder-sync setting (every
 * selectable one, the subscribed ones, or the listed ones). After each folder-list sync a policy
 * job queues a sync of every such folder whose server state differs from the cache's.
 *
 * Watching: a connection of its own EXAMINEs INBOX and parks in IDLE. When the server offers
 * NOTIFY (RFC 5465) it first says NOTIFY SET STATUS (SELECTED (...)) (MAILBOXES (the other synced
 * folders) (...)): INBOX's changes come as before (EXISTS, FETCH, VANISHED), the others' as STATUS
 * responses. Without NOTIFY (or with it turned off by the options) a STATUS poll of the synced
 * folders on the command connection runs every status_poll_ms. Either way a STATUS whose UIDNEXT,
 * HIGHESTMODSEQ or MESSAGES differ from the cache's state queues an incremental sync of that
 * folder (20 ms later, so that a burst becomes one), and its MESSAGES and UNSEEN are kept as the
 * folder's server counts. MESSAGES is compared with what the cache knows the server holds (its
 * messages with server UIDs and those the journal's unconfirmed moves and expunges took out),
 * not with its own count: a waiting entry must not make every poll sync the folder.
 */

#include "config.h"

#include <string.h>

#include "account/heron-account-types.h"
#include "imap/heron-imap-utf7.h"
#include "heron-sync-private.h"

#define SYNC_DELAY_MS 20

typedef struct {
  guint   items;          /* HeronImapStatusItems known */
  guint32 messages;
  guint32 uidnext;
  guint32 uidvalidity;
  guint32 unseen;
  guint64 highestmodseq;
} FolderStatus;

struct _HeronSyncWatch {
  GHashTable *statuses;   /* server name -> FolderStatus: the last STATUS heard */
  GHashTable *pending;    /* server name -> PendingSync (its source owns it) */
  GStrv       notified;   /* the folders NOTIFY SET named on the watch connection */
  gboolean    notify;     /* NOTIFY is in effect on core->idle_session */
  GSource    *poll;       /* on core->context (g_source_remove() knows only the default one) */
};

static gboolean poll_job   (HeronSyncCore  *core,
                            HeronSyncJob   *job,
                            GError        **error);
static gboolean policy_job (HeronSyncCore  *core,
                            HeronSyncJob   *job,
                            GError        **error);

static HeronSyncWatch *
get_watch (HeronSyncCore *core)
{
  if (core->watch == NULL)
    {
      core->watch = g_new0 (HeronSyncWatch, 1);
      core->watch->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      core->watch->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  return core->watch;
}

/* Policy */

static gboolean
is_inbox (const char *name)
{
  return g_ascii_strcasecmp (name, "INBOX") == 0;
}

gboolean
_heron_sync_policy_includes (HeronSyncCore          *core,
                             const HeronStoreFolder *folder)
{
  if (is_inbox (folder->name))
    return TRUE;
  if (folder->attributes & (HERON_STORE_FOLDER_NOSELECT | HERON_STORE_FOLDER_NONEXISTENT))
    return FALSE;

  switch ((HeronAccountFolderSync) core->folder_sync)
    {
    case HERON_ACCOUNT_FOLDER_SYNC_ALL:
      return TRUE;
    case HERON_ACCOUNT_FOLDER_SYNC_SUBSCRIBED:
      return folder->subscribed;
    case HERON_ACCOUNT_FOLDER_SYNC_LIST:
    default:
      /* the config names folders in UTF-8 (the display name); the server's name matches too */
      for (guint i = 0; core->sync_folders != NULL && core->sync_folders[i] != NULL; i++)
        if (g_strcmp0 (core->sync_folders[i], folder->display_name) == 0 ||
            g_strcmp0 (core->sync_folders[i], folder->name) == 0)
          return TRUE;
      return FALSE;
    }
}

/* The synced folders but INBOX (HeronStoreFolder); NULL with @error when the cache cannot be
 * read. The cache knows them by ->name; the session by ->display_name (_heron_sync_wire_name()). */
static GPtrArray *
policy_folders (HeronSyncCore  *core,
                GError        **error)
{
  g_autoptr(GPtrArray) folders = heron_store_get_folders (core->store, error);
  GPtrArray *synced;

  if (folders == NULL)
    return NULL;
  synced = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_folder_free);
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (!is_inbox (folder->name) && _heron_sync_policy_includes (core, folder))
        g_ptr_array_add (synced, heron_store_folder_copy (folder));
    }
  return synced;
}

/* The cache's names of @folders (HeronStoreFolder), NULL-terminated. */
static GStrv
names_of (GPtrArray *folders)
{
  GStrv names = g_new0 (char *, folders->len + 1);

  for (guint i = 0; i < folders->len; i++)
    names[i] = g_strdup (((HeronStoreFolder *) g_ptr_array_index (folders, i))->name);
  return names;
}

/* Whether the server's MESSAGES differs from what the cache knows of the server: not the
 * cache's own count, which differs while journal entries wait (a message moved away offline is
 * still on the server until the move is replayed; a message appended offline is not there yet),
 * so that a pending or failed entry does not make every poll sync the folder again. An entry
 * naming a message another client expunged counts one too many until a sync found the server
 * unchanged since its saved state and said so (heron_store_journal_confirm_server_messages(),
 * from the STATUS shortcut of heron-folder-sync.c): one sync, not one per poll. */
static gboolean
messages_differ (HeronSyncCore          *core,
                 const HeronStoreFolder *folder,
                 guint32                 messages)
{
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (messages == folder->n_messages)
    return FALSE;   /* the usual case, without looking at the journal */
  if (!heron_store_journal_count_server_messages (core->store, folder->id, &count, &error))
    {
      g_warning ("Could not count the messages of %s: %s", folder->name, error->message);
      return TRUE;
    }
  return messages != count;
}

/* Whether the cache lags behind what the server last said of the folder. */
static gboolean
needs_sync (HeronSyncCore          *core,
            const HeronStoreFolder *folder,
            const FolderStatus     *status,
            const FolderStatus     *previous)
{
  if (folder->uidvalidity == 0)
    return TRUE;   /* never synced */
  if (status == NULL)
    return TRUE;   /* nothing known: an incremental sync finds out (cheap with QRESYNC) */
  if ((status->items & HERON_IMAP_STATUS_UIDVALIDITY) && status->uidvalidity != folder->uidvalidity)
    return TRUE;
  if ((status->items & HERON_IMAP_STATUS_UIDNEXT) && status->uidnext != folder->uidnext)
    return TRUE;
  if ((status->items & HERON_IMAP_STATUS_HIGHESTMODSEQ) && folder->highestmodseq != 0 &&
      status->highestmodseq != folder->highestmodseq)
    return TRUE;
  if ((status->items & HERON_IMAP_STATUS_MESSAGES) && messages_differ (core, folder, status->messages))
    return TRUE;
  /* Without mod-sequences a flag change shows only in UNSEEN. */
  if (!(status->items & HERON_IMAP_STATUS_HIGHESTMODSEQ) || folder->highestmodseq == 0)
    if ((status->items & HERON_IMAP_STATUS_UNSEEN) && previous != NULL &&
        (previous->items & HERON_IMAP_STATUS_UNSEEN) && previous->unseen != status->unseen)
      return TRUE;
  return FALSE;
}

/* Syncing one folder soon */

static gboolean
sync_queued (HeronSyncCore *core,
             const char    *name)
{
  return _heron_sync_find_queued (core, HERON_SYNC_JOB_SYNC_FOLDER, NULL, name) != NULL;
}

static void
queue_sync (HeronSyncCore *core,
            const char    *name)
{
  HeronSyncJob *job;

  if (sync_queued (core, name))
    return;
  job = g_new0 (HeronSyncJob, 1);
  job->kind = HERON_SYNC_JOB_SYNC_FOLDER;
  job->folder = g_strdup (name);
  _heron_sync_queue_job (core, job);
}

typedef struct {
  HeronSyncCore *core;
  char          *name;
  gboolean       check;   /* only if the cache still lags behind the last STATUS */
  GSource       *source;  /* owns this; on core->context until it fires or is destroyed */
} PendingSync;

static void
pending_sync_free (gpointer data)
{
  PendingSync *pending = data;

  g_free (pending->name);
  g_free (pending);
}

/* Whether the cache of @name still lags behind the last STATUS heard of it. */
static gboolean
still_lags (HeronSyncCore *core,
            const char    *name)
{
  HeronSyncWatch *watch = get_watch (core);
  g_autoptr(HeronStoreFolder) folder = heron_store_lookup_folder (core->store, name, NULL);

  return folder != NULL && needs_sync (core, folder, g_hash_table_lookup (watch->statuses, name), NULL);
}

/* A STATUS-prompted sync whose folder still lagged when its pause ended: the job running then
 * may have been that folder's sync, not stored yet (the STATUS came before its SELECT; NOTIFY
 * SET sends every folder's STATUS, for one). Looked at again once the jobs before this one are
 * done, so that sync does not run twice. */
static gboolean
check_sync_job (HeronSyncCore  *core,
                HeronSyncJob   *job,
                GError        **error)
{
  if (_heron_sync_core_is_online (core) && still_lags (core, job->folder))
    queue_sync (core, job->folder);
  return TRUE;
}

static gboolean
on_pending_sync (gpointer user_data)
{
  PendingSync *pending = user_data;
  HeronSyncCore *core = pending->core;

  HeronSyncWatch *watch = get_watch (core);

  g_hash_table_remove (watch->pending, pending->name);
  if (!_heron_sync_core_is_online (core))
    return G_SOURCE_REMOVE;
  if (pending->check)
    {
      HeronSyncJob *job;

      /* a sync that ran meanwhile may have caught up already (NOTIFY sends a folder's STATUS
       * again when IDLE starts, for one) */
      if (!still_lags (core, pending->name) || sync_queued (core, pending->name) ||
          _heron_sync_find_queued (core, HERON_SYNC_JOB_CUSTOM, check_sync_job, pending->name) != NULL)
        return G_SOURCE_REMOVE;
      job = g_new0 (HeronSyncJob, 1);
      job->kind = HERON_SYNC_JOB_CUSTOM;
      job->run = check_sync_job;
      job->folder = g_strdup (pending->name);
      _heron_sync_queue_job (core, job);
      return G_SOURCE_REMOVE;
    }
  queue_sync (core, pending->name);
  return G_SOURCE_REMOVE;
}

static void
schedule_sync (HeronSyncCore *core,
               const char    *name,
               gboolean       check)
{
  HeronSyncWatch *watch = get_watch (core);
  PendingSync *pending;
  GSource *source;

  pending = g_hash_table_lookup (watch->pending, name);
  if (pending != NULL)
    {
      /* one is waiting: a request without the check (NOTIFICATIONOVERFLOW, IDLE) makes it
       * unconditional, or a cache caught up in the meantime would swallow the request */
      if (!check)
        pending->check = FALSE;
      return;
    }
  pending = g_new0 (PendingSync, 1);
  pending->core = core;
  pending->name = g_strdup (name);
  pending->check = check;
  /* a short pause gathers a burst of events into one sync */
  source = g_timeout_source_new (SYNC_DELAY_MS);
  g_source_set_callback (source, on_pending_sync, pending, pending_sync_free);
  g_source_set_static_name (source, "[heron] folder sync");
  g_source_attach (source, core->context);
  pending->source = source;
  g_hash_table_insert (watch->pending, g_strdup (name), pending);
  g_source_unref (source);
}

void
_heron_sync_schedule_folder_sync (HeronSyncCore *core,
                                  const char    *name)
{
  schedule_sync (core, name, FALSE);
}

void
_heron_sync_schedule_inbox_sync (HeronSyncCore *core)
{
  schedule_sync (core, "INBOX", FALSE);
}

/* What the server says of a folder: STATUS, LIST-STATUS, NOTIFY */

void
_heron_sync_note_status (HeronSyncCore                *core,
                         const HeronImapMailboxStatus *status,
                         gboolean                      schedule)
{
  HeronSyncWatch *watch = get_watch (core);
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(GError) error = NULL;
  FolderStatus *known;
  FolderStatus previous = { 0 };
  const char *name = status->mailbox.raw;

  if (name == NULL)
    return;
  folder = heron_store_lookup_folder (core->store, name, NULL);
  if (folder == NULL && status->mailbox.name != NULL && is_inbox (status->mailbox.name))
    folder = heron_store_lookup_folder (core->store, "INBOX", NULL);
  if (folder == NULL && !g_str_is_ascii (name) && g_utf8_validate (name, -1, NULL) &&
      !_heron_sync_names_utf8 (core))
    {
      /* Dovecot 2.3's NOTIFY names a mailbox in its STATUS in UTF-8 where modified UTF-7 is
       * due (imap-notify.c hands its UTF-8 name to imap_status_send()) */
      g_autofree char *encoded = heron_imap_utf7_encode (name);

      if (encoded != NULL)
        folder = heron_store_lookup_folder (core->store, encoded, NULL);
    }
  if (folder == NULL)
    return;   /* not in the cache (yet): the next folder-list sync brings it */

  known = g_hash_table_lookup (watch->statuses, folder->name);
  if (known == NULL)
    {
      known = g_new0 (FolderStatus, 1);
      g_hash_table_insert (watch->statuses, g_strdup (folder->name), known);
    }
  previous = *known;

  /* a NOTIFY STATUS carries only what changed: merge */
  if (status->items & HERON_IMAP_STATUS_MESSAGES)
    known->messages = status->messages;
  if (status->items & HERON_IMAP_STATUS_UIDNEXT)
    known->uidnext = status->uidnext;
  if (status->items & HERON_IMAP_STATUS_UIDVALIDITY)
    known->uidvalidity = status->uidvalidity;
  if (status->items & HERON_IMAP_STATUS_UNSEEN)
    known->unseen = status->unseen;
  if (status->items & HERON_IMAP_STATUS_HIGHESTMODSEQ)
    known->highestmodseq = status->highestmodseq;
  known->items |= status->items;

  if ((status->items & (HERON_IMAP_STATUS_MESSAGES | HERON_IMAP_STATUS_UNSEEN)) &&
      !heron_store_set_folder_status (core->store, folder->id,
                                      (status->items & HERON_IMAP_STATUS_MESSAGES) ? (gint64) status->messages : -1,
                                      (status->items & HERON_IMAP_STATUS_UNSEEN) ? (gint64) status->unseen : -1,
                                      &error))
    g_warning ("Could not keep the counts of %s: %s", folder->name, error->message);

  if (schedule && _heron_sync_policy_includes (core, folder) &&
      needs_sync (core, folder, known, previous.items != 0 ? &previous : NULL))
    {
      g_debug ("%s: %s changed on the server", core->user, folder->name);
      schedule_sync (core, folder->name, TRUE);
    }
}

/* The STATUS poll */

static gboolean
poll_queued (HeronSyncCore *core)
{
  return _heron_sync_find_queued (core, HERON_SYNC_JOB_CUSTOM, poll_job, NULL) != NULL;
}

static void
queue_own_custom (HeronSyncCore    *core,
                  HeronSyncJobFunc  run)
{
  HeronSyncJob *job = g_new0 (HeronSyncJob, 1);

  job->kind = HERON_SYNC_JOB_CUSTOM;
  job->run = run;
  _heron_sync_queue_job (core, job);
}

static gboolean
on_poll (gpointer user_data)
{
  HeronSyncCore *core = user_data;

  if (_heron_sync_core_is_online (core) && !poll_queued (core))
    queue_own_custom (core, poll_job);
  return G_SOURCE_CONTINUE;
}

static void
start_poll (HeronSyncCore *core)
{
  HeronSyncWatch *watch = get_watch (core);
  GSource *source;

  if (watch->poll != NULL)
    return;
  g_debug ("%s: polling the synced folders every %u ms", core->user, core->status_poll_ms);
  source = g_timeout_source_new (core->status_poll_ms);
  g_source_set_callback (source, on_poll, core, NULL);
  g_source_set_static_name (source, "[heron] status poll");
  g_source_attach (source, core->context);
  watch->poll = source;
}

static void
stop_poll (HeronSyncWatch *watch)
{
  if (watch->poll == NULL)
    return;
  g_source_destroy (watch->poll);
  g_clear_pointer (&watch->poll, g_source_unref);
}

static const char * const *
status_items (HeronImapSession *session)
{
  static const char * const with_modseq[] = {
    "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", NULL
  };
  static const char * const without[] = { "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", NULL };

  return heron_imap_session_has_capability (session, "CONDSTORE") ? with_modseq : without;
}

const char * const *
_heron_sync_status_items (HeronImapSession *session)
{
  return status_items (session);
}

/* STATUS of every synced folder, pipelined, on the command connection; INBOX too when no IDLE
 * watches it. */
static gboolean
poll_job (HeronSyncCore  *core,
          HeronSyncJob   *job,
          GError        **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree HeronSyncWait *waits = NULL;
  gboolean ok = TRUE;

  if (!_heron_sync_core_is_online (core))
    return TRUE;
  g_atomic_int_inc (&core->n_status_polls);
  folders = policy_folders (core, error);
  if (folders == NULL)
    return FALSE;
  if (core->idle_session == NULL)
    {
      HeronStoreFolder *inbox = heron_store_lookup_folder (core->store, "INBOX", NULL);

      if (inbox != NULL)
        g_ptr_array_insert (folders, 0, inbox);
    }
  if (folders->len == 0)
    return TRUE;

  /* STATUS of the selected mailbox tells what the session last saw, not what is new (RFC 9051
   * section 6.3.11 advises against it): leave it first */
  if (heron_imap_session_get_selected (core->session) != NULL)
    {
      const char *selected = heron_imap_session_get_selected (core->session);

      if (heron_imap_session_has_capability (core->session, "UNSELECT"))
        {
          g_autoptr(GAsyncResult) result = NULL;
          HeronSyncWait wait = { 0 };

          heron_imap_session_close_mailbox_async (core->session, FALSE, core->cancellable,
                                                  _heron_sync_wait_cb, &wait);
          result = _heron_sync_await (core, &wait);
          if (!heron_imap_session_close_mailbox_finish (core->session, result, error))
            return FALSE;
        }
      else
        {
          /* an incremental sync of it is what finds its changes (the session names it in
           * UTF-8: the folder's display name) */
          for (guint i = 0; i < folders->len; i++)
            {
              HeronStoreFolder *folder = g_ptr_array_index (folders, i);

              if (g_strcmp0 (folder->display_name, selected) == 0)
                {
                  queue_sync (core, folder->name);
                  g_ptr_array_remove_index (folders, i);
                  break;
                }
            }
        }
    }
  if (folders->len == 0)
    return TRUE;

  waits = g_new0 (HeronSyncWait, folders->len);
  for (guint i = 0; i < folders->len; i++)
    {
      g_autofree char *wire = _heron_sync_wire_name (core, ((HeronStoreFolder *) g_ptr_array_index (folders, i))->name);

      heron_imap_session_status_async (core->session, wire, status_items (core->session), core->cancellable,
                                       _heron_sync_wait_cb, &waits[i]);
    }

  /* every answer is awaited, so no callback outlives @waits */
  for (guint i = 0; i < folders->len; i++)
    {
      g_autoptr(GAsyncResult) result = _heron_sync_await (core, &waits[i]);
      g_autoptr(HeronImapResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;

      response = heron_imap_session_status_finish (core->session, result, &local_error);
      if (response != NULL)
        _heron_sync_note_status (core, &response->mailbox_status, TRUE);
      else if (g_error_matches (local_error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE))
        {
          /* gone since the folder list: the next list sync drops it */
          g_debug ("%s: STATUS %s: %s", core->user,
                   ((HeronStoreFolder *) g_ptr_array_index (folders, i))->name, local_error->message);
          _heron_sync_schedule_folders_sync (core);
        }
      else if (ok)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }
  return ok;
}

/* The watch connection */

static void
discard_session (HeronSyncCore     *core,
                 HeronImapSession **session)
{
  g_autoptr(HeronImapSession) dropped = g_steal_pointer (session);

  if (dropped == NULL)
    return;
  /* its ::closed must not take the account offline */
  g_signal_handlers_disconnect_by_data (dropped, core);
  heron_imap_session_close (dropped);
}

static void
drop_watch_session (HeronSyncCore *core)
{
  discard_session (core, &core->idle_session);
}

static gboolean
folders_sync_queued (HeronSyncCore *core)
{
  return _heron_sync_find_queued (core, HERON_SYNC_JOB_SYNC_FOLDERS, NULL, NULL) != NULL;
}

void
_heron_sync_schedule_folders_sync (HeronSyncCore *core)
{
  HeronSyncJob *job;

  if (folders_sync_queued (core))
    return;
  job = g_new0 (HeronSyncJob, 1);
  job->kind = HERON_SYNC_JOB_SYNC_FOLDERS;
  _heron_sync_queue_job (core, job);
}

static void
notify_overflow (HeronSyncCore *core)
{
  HeronSyncWatch *watch = get_watch (core);
  g_autoptr(GPtrArray) folders = policy_folders (core, NULL);

  /* RFC 5465 section 5.8: the server stopped notifying. Poll from now on, and catch up. */
  g_debug ("%s: the server stopped NOTIFY: polling instead", core->user);
  watch->notify = FALSE;
  start_poll (core);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    _heron_sync_schedule_folder_sync (core, ((HeronStoreFolder *) g_ptr_array_index (folders, i))->name);
  _heron_sync_schedule_inbox_sync (core);
}

static void
on_watch_event (HeronImapSession  *session,
                HeronImapResponse *response,
                gpointer           user_data)
{
  HeronSyncCore *core = user_data;

  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_MAILBOX_STATUS:
      _heron_sync_note_status (core, &response->mailbox_status, TRUE);
      return;

    case HERON_IMAP_RESPONSE_STATUS:
      if (response->status.code.kind == HERON_IMAP_CODE_OTHER && response->status.code.name != NULL &&
          g_ascii_strcasecmp (response->status.code.name, "NOTIFICATIONOVERFLOW") == 0)
        {
          notify_overflow (core);
          return;
        }
      break;

    case HERON_IMAP_RESPONSE_LIST:
      /* MailboxName: a folder came, went or was renamed */
      _heron_sync_schedule_folders_sync (core);
      return;

    default:
      break;
    }

  _heron_sync_idle_event (core, response);
}

/* Whether @a holds the names of @folders (HeronStoreFolder), in any order. */
static gboolean
strv_equal_unordered (GStrv      a,
                      GPtrArray *folders)
{
  guint n = a != NULL ? g_strv_length (a) : 0;

  if (n != folders->len)
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    if (!g_strv_contains ((const char * const *) a, ((HeronStoreFolder *) g_ptr_array_index (folders, i))->name))
      return FALSE;
  return TRUE;
}

/* NOTIFY SET STATUS: INBOX (selected) as IDLE reports it, the other synced folders as STATUS,
 * and the folder names. */
static gboolean
set_notify (HeronSyncCore     *core,
            HeronImapSession  *session,
            GPtrArray         *folders,
            GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) wire = g_ptr_array_new_null_terminated (folders->len, g_free, TRUE);
  HeronImapNotifyGroup groups[3];
  HeronSyncWait wait = { 0 };
  guint message_events = HERON_IMAP_NOTIFY_MESSAGE_NEW | HERON_IMAP_NOTIFY_MESSAGE_EXPUNGE |
                         HERON_IMAP_NOTIFY_FLAG_CHANGE;
  gboolean ascii = TRUE;
  guint n = 0;

  for (guint i = 0; i < folders->len; i++)
    {
      char *name = _heron_sync_wire_name (core, ((HeronStoreFolder *) g_ptr_array_index (folders, i))->name);

      ascii = ascii && g_str_is_ascii (name);
      g_ptr_array_add (wire, name);
    }
  groups[n++] = (HeronImapNotifyGroup) { HERON_IMAP_NOTIFY_SELECTED, NULL, message_events, NULL };
  if (ascii)
    {
      if (wire->len > 0)
        groups[n++] = (HeronImapNotifyGroup) { HERON_IMAP_NOTIFY_MAILBOXES,
                                               (const char * const *) wire->pdata, message_events, NULL };
      groups[n++] = (HeronImapNotifyGroup) { HERON_IMAP_NOTIFY_PERSONAL, NULL,
                                             HERON_IMAP_NOTIFY_MAILBOX_NAME, NULL };
    }
  else
    {
      /* Dovecot 2.3 compares the names of a MAILBOXES filter as sent (modified UTF-7) with its
       * own UTF-8 names (cmd-notify.c), so a non-ASCII one never matches: every personal
       * folder's changes then (those of folders not synced only update their counts) */
      groups[n++] = (HeronImapNotifyGroup) { HERON_IMAP_NOTIFY_PERSONAL, NULL,
                                             message_events | HERON_IMAP_NOTIFY_MAILBOX_NAME, NULL };
    }
  heron_imap_session_notify_async (session, TRUE, groups, n, core->cancellable,
                                   _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  return heron_imap_session_notify_finish (session, result, error);
}

static gboolean
watch_start (HeronSyncCore  *core,
             GError        **error)
{
  HeronSyncWatch *watch = get_watch (core);
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(HeronImapSelectResult) select = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) idle_result = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  HeronSyncWait wait = { 0 };
  HeronSyncWait idle_wait = { 0 };
  HeronImapSelectParams params = { 0 };

  if (!core->idle || core->idle_session != NULL || !_heron_sync_core_is_online (core))
    return TRUE;

  session = _heron_sync_open_session (core, error);
  if (session == NULL)
    return FALSE;
  if (!heron_imap_session_has_capability (session, "IDLE"))
    {
      discard_session (core, &session);
      start_poll (core);
      return TRUE;
    }

  /* EXAMINE: the watch never changes anything. CONDSTORE makes flag changes carry MODSEQ; with
   * QRESYNC enabled expunges come as VANISHED with their UIDs. */
  params.condstore = heron_imap_session_is_enabled (session, "CONDSTORE");
  heron_imap_session_select_async (session, "INBOX", TRUE, params.condstore ? &params : NULL,
                                   NULL, NULL, core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  select = heron_imap_session_select_finish (session, result, error);
  if (select == NULL)
    {
      discard_session (core, &session);
      return FALSE;
    }

  g_signal_connect (session, "mailbox-event", G_CALLBACK (on_watch_event), core);

  watch->notify = FALSE;
  g_clear_pointer (&watch->notified, g_strfreev);
  if (core->use_notify && heron_imap_session_has_capability (session, "NOTIFY"))
    {
      g_autoptr(GError) notify_error = NULL;

      folders = policy_folders (core, error);
      if (folders == NULL)
        {
          discard_session (core, &session);
          return FALSE;
        }
      if (set_notify (core, session, folders, &notify_error))
        {
          g_atomic_int_inc (&core->n_notify_sets);
          watch->notify = TRUE;
          watch->notified = names_of (folders);
        }
      else if (heron_imap_session_get_state (session) == HERON_IMAP_SESSION_CLOSED)
        {
          discard_session (core, &session);
          g_propagate_error (error, g_steal_pointer (&notify_error));
          return FALSE;
        }
      else
        g_debug ("%s: NOTIFY refused (%s): polling instead", core->user, notify_error->message);
    }

  heron_imap_session_idle_start_async (session, core->cancellable, _heron_sync_wait_cb, &idle_wait);
  idle_result = _heron_sync_await (core, &idle_wait);
  if (!heron_imap_session_idle_start_finish (session, idle_result, error))
    {
      discard_session (core, &session);
      return FALSE;
    }

  if (watch->notify)
    stop_poll (watch);
  else
    start_poll (core);

  g_debug ("%s: watching INBOX%s", core->user, watch->notify ? " and the synced folders (NOTIFY)" : "");
  core->idle_session = g_steal_pointer (&session);
  return TRUE;
}

gboolean
_heron_sync_watch_start (HeronSyncCore  *core,
                         GError        **error)
{
  if (watch_start (core, error))
    return TRUE;
  /* no watch connection: the poll watches every synced folder, INBOX included */
  if (_heron_sync_core_is_online (core))
    start_poll (core);
  return FALSE;
}

static void
clear_pending (HeronSyncWatch *watch)
{
  GHashTableIter iter;
  gpointer pending;

  /* destroying a source frees its PendingSync */
  g_hash_table_iter_init (&iter, watch->pending);
  while (g_hash_table_iter_next (&iter, NULL, &pending))
    g_source_destroy (((PendingSync *) pending)->source);
  g_hash_table_remove_all (watch->pending);
}

void
_heron_sync_watch_stop (HeronSyncCore *core)
{
  drop_watch_session (core);
  if (core->watch == NULL)
    return;
  core->watch->notify = FALSE;
  g_clear_pointer (&core->watch->notified, g_strfreev);
  stop_poll (core->watch);
  clear_pending (core->watch);
}

void
_heron_sync_watch_free (HeronSyncCore *core)
{
  HeronSyncWatch *watch = g_steal_pointer (&core->watch);

  if (watch == NULL)
    return;
  stop_poll (watch);
  clear_pending (watch);
  g_hash_table_unref (watch->pending);
  g_hash_table_unref (watch->statuses);
  g_strfreev (watch->notified);
  g_free (watch);
}

/* The policy job: after each folder-list sync */

static gboolean
policy_queued (HeronSyncCore *core)
{
  return _heron_sync_find_queued (core, HERON_SYNC_JOB_CUSTOM, policy_job, NULL) != NULL;
}

static gboolean
policy_job (HeronSyncCore  *core,
            HeronSyncJob   *job,
            GError        **error)
{
  HeronSyncWatch *watch = get_watch (core);
  g_autoptr(GPtrArray) folders = NULL;

  if (!_heron_sync_core_is_online (core))
    return TRUE;
  folders = policy_folders (core, error);
  if (folders == NULL)
    return FALSE;

  /* NOTIFY names its folders: a different set needs a new NOTIFY SET (on a new watch) */
  if (watch->notify && core->idle_session != NULL && !strv_equal_unordered (watch->notified, folders))
    {
      HeronSyncJob *restart = g_new0 (HeronSyncJob, 1);

      g_debug ("%s: the synced folders changed: watching them anew", core->user);
      drop_watch_session (core);
      watch->notify = FALSE;
      restart->kind = HERON_SYNC_JOB_START_IDLE;
      _heron_sync_queue_job (core, restart);
    }
  else if (!watch->notify)
    start_poll (core);

  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (needs_sync (core, folder, g_hash_table_lookup (watch->statuses, folder->name), NULL))
        queue_sync (core, folder->name);
    }

  /* INBOX is synced on connecting and by IDLE; but its saved state may have been lowered since
   * (a discarded journal entry gave its messages back: heron_store_journal_discard()), which
   * only a comparison with what the server said shows. */
  {
    g_autoptr(HeronStoreFolder) inbox = heron_store_lookup_folder (core->store, "INBOX", NULL);
    const FolderStatus *status = inbox != NULL ? g_hash_table_lookup (watch->statuses, inbox->name) : NULL;

    if (status != NULL && inbox->uidvalidity != 0 && needs_sync (core, inbox, status, NULL))
      queue_sync (core, inbox->name);
  }
  return TRUE;
}

void
_heron_sync_folders_synced (HeronSyncCore *core)
{
  if (!policy_queued (core))
    queue_own_custom (core, policy_job);
}
