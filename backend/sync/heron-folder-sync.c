/* heron-folder-sync.c: the folder list, one folder's sync (first, QRESYNC, CONDSTORE, plain),
 * and what IDLE reports (the journal's replay is in heron-sync-replay.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs on the account's worker thread, inside a job (heron-account-worker.c).
 */

#include "config.h"

#include <time.h>

#include "heron-sync-private.h"

/* Folder list */

static const struct {
  guint imap;
  guint store;
} folder_attributes[] = {
  { HERON_IMAP_MAILBOX_NOSELECT, HERON_STORE_FOLDER_NOSELECT },
  { HERON_IMAP_MAILBOX_NOINFERIORS, HERON_STORE_FOLDER_NOINFERIORS },
  { HERON_IMAP_MAILBOX_NONEXISTENT, HERON_STORE_FOLDER_NONEXISTENT },
  { HERON_IMAP_MAILBOX_HAS_CHILDREN, HERON_STORE_FOLDER_HAS_CHILDREN },
  { HERON_IMAP_MAILBOX_HAS_NO_CHILDREN, HERON_STORE_FOLDER_HAS_NO_CHILDREN },
  { HERON_IMAP_MAILBOX_MARKED, HERON_STORE_FOLDER_MARKED },
  { HERON_IMAP_MAILBOX_UNMARKED, HERON_STORE_FOLDER_UNMARKED },
  { HERON_IMAP_MAILBOX_REMOTE, HERON_STORE_FOLDER_REMOTE },
};

static const struct {
  guint imap;
  HeronStoreSpecialUse store;
} special_uses[] = {
  { HERON_IMAP_MAILBOX_ALL, HERON_STORE_SPECIAL_USE_ALL },
  { HERON_IMAP_MAILBOX_ARCHIVE, HERON_STORE_SPECIAL_USE_ARCHIVE },
  { HERON_IMAP_MAILBOX_DRAFTS, HERON_STORE_SPECIAL_USE_DRAFTS },
  { HERON_IMAP_MAILBOX_FLAGGED, HERON_STORE_SPECIAL_USE_FLAGGED },
  { HERON_IMAP_MAILBOX_JUNK, HERON_STORE_SPECIAL_USE_JUNK },
  { HERON_IMAP_MAILBOX_SENT, HERON_STORE_SPECIAL_USE_SENT },
  { HERON_IMAP_MAILBOX_TRASH, HERON_STORE_SPECIAL_USE_TRASH },
};

gboolean
_heron_sync_folders (HeronSyncCore  *core,
                     GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GHashTable) seen = NULL;
  HeronSyncWait wait = { 0 };
  gboolean list_status = heron_imap_session_has_capability (core->session, "LIST-STATUS");

  /* SPECIAL-USE and SUBSCRIBED come as return options when offered (the session asks for them);
   * STATUS too, with LIST-STATUS, so one round trip brings every folder's counts. */
  heron_imap_session_list_async (core->session, "", "*", FALSE,
                                 list_status ? _heron_sync_status_items (core->session) : NULL,
                                 core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  responses = heron_imap_session_list_finish (core->session, result, error);
  if (responses == NULL)
    return FALSE;

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  if (!heron_store_begin_batch (core->store, error))
    return FALSE;

  for (guint i = 0; i < responses->len; i++)
    {
      const HeronImapResponse *response = g_ptr_array_index (responses, i);
      const HeronImapList *list = &response->list;
      g_autoptr(HeronStoreFolder) info = NULL;
      gint64 id;

      if (response->kind == HERON_IMAP_RESPONSE_MAILBOX_STATUS)
        {
          /* the server's counts, and what the sync policy compares (heron-sync-watch.c) */
          _heron_sync_note_status (core, &response->mailbox_status, FALSE);
          continue;
        }
      /* A \NonExistent parent (Lists for Lists/GNOME) is kept with its attribute: the tree
       * needs it, as it needs \Noselect ones. */
      if (response->kind != HERON_IMAP_RESPONSE_LIST || list->mailbox.raw == NULL)
        continue;

      info = heron_store_folder_new ();
      info->name = g_strdup (list->mailbox.raw);
      info->display_name = g_strdup (list->mailbox.name != NULL ? list->mailbox.name : list->mailbox.raw);
      info->delimiter = list->delimiter != NULL ? list->delimiter[0] : '\0';
      for (guint j = 0; j < G_N_ELEMENTS (folder_attributes); j++)
        if (list->attributes & folder_attributes[j].imap)
          info->attributes |= folder_attributes[j].store;
      for (guint j = 0; j < G_N_ELEMENTS (special_uses); j++)
        if (list->attributes & special_uses[j].imap)
          info->special_use = special_uses[j].store;
      info->subscribed = (list->attributes & HERON_IMAP_MAILBOX_SUBSCRIBED) != 0;

      id = heron_store_add_folder (core->store, info, error);
      if (id == 0)
        goto fail;
      _heron_sync_core_remember_folder (core, id, info->name);
      g_hash_table_add (seen, (gpointer) list->mailbox.raw);
    }

  /* What the server no longer lists is gone (renamed folders come back under the new name). */
  folders = heron_store_get_folders (core->store, error);
  if (folders == NULL)
    goto fail;
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (g_hash_table_contains (seen, folder->name))
        continue;
      g_debug ("%s: folder %s is gone", core->user, folder->name);
      if (!heron_store_delete_folder (core->store, folder->id, error))
        goto fail;
    }

  return heron_store_commit_batch (core->store, error);

fail:
  heron_store_rollback_batch (core->store);
  return FALSE;
}

/* One folder */

typedef struct {
  GArray    *updates;   /* HeronStoreFlagUpdate */
  GPtrArray *keywords;  /* owns the updates' keywords */
} FlagUpdates;

static void
flag_updates_init (FlagUpdates *updates)
{
  updates->updates = g_array_new (FALSE, FALSE, sizeof (HeronStoreFlagUpdate));
  updates->keywords = g_ptr_array_new_with_free_func (g_free);
}

static void
flag_updates_clear (FlagUpdates *updates)
{
  g_clear_pointer (&updates->updates, g_array_unref);
  g_clear_pointer (&updates->keywords, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FlagUpdates, flag_updates_clear)

static void
flag_updates_add (FlagUpdates          *updates,
                  const HeronImapFetch *fetch)
{
  HeronStoreFlagUpdate update = { 0 };
  char *keywords = NULL;

  if (fetch->uid == 0 || !(fetch->fields & HERON_IMAP_FETCH_FLAGS))
    return;
  update.uid = fetch->uid;
  update.flags = _heron_sync_flags_from_imap (&fetch->flags, &keywords);
  update.keywords = keywords;
  update.modseq = fetch->modseq;
  if (keywords != NULL)
    g_ptr_array_add (updates->keywords, keywords);
  g_array_append_val (updates->updates, update);
}

static void
on_flags_fetch (HeronImapResponse *fetch,
                gpointer           user_data)
{
  flag_updates_add (user_data, &fetch->fetch);
}

static gboolean
apply_flag_updates (HeronSyncCore *core,
                    gint64         folder_id,
                    FlagUpdates   *updates,
                    GError       **error)
{
  if (updates->updates->len == 0)
    return TRUE;
  return heron_store_update_flags (core->store, folder_id,
                                   (const HeronStoreFlagUpdate *) updates->updates->data,
                                   updates->updates->len, error);
}

static HeronImapUidSet *
search_uids (HeronSyncCore  *core,
             guint32         lowest,
             GError        **error)
{
  g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
  g_autoptr(HeronImapUidSet) range = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(GAsyncResult) result = NULL;
  HeronImapUidSet *found;
  HeronSyncWait wait = { 0 };

  heron_imap_uid_set_add_range_to_star (range, MAX (lowest, 1));
  heron_imap_command_add_atom (criteria, "UID");
  heron_imap_command_add_uid_set (criteria, range);
  heron_imap_session_uid_search_async (core->session, criteria, core->cancellable,
                                       _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  found = heron_imap_session_uid_search_finish (core->session, result, NULL, error);
  /* "n:*" also matches the highest UID when it is below n */
  if (found != NULL && lowest > 1)
    heron_imap_uid_set_remove_range (found, 1, lowest - 1);
  return found;
}

typedef struct {
  GPtrArray *messages;  /* HeronStoreMessage */
} Chunk;

static void
on_summary_fetch (HeronImapResponse *fetch,
                  gpointer           user_data)
{
  Chunk *chunk = user_data;

  if (fetch->fetch.uid == 0)
    return;
  g_ptr_array_add (chunk->messages, _heron_sync_message_from_fetch (&fetch->fetch));
}

/* The next chunk below *top (exclusive): at most n UIDs of @all, highest first. */
static HeronImapUidSet *
take_chunk (GArray  *ranges,
            guint   *range_index,
            guint32 *top,
            guint    n)
{
  HeronImapUidSet *chunk = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  while (n > 0 && *range_index > 0)
    {
      const HeronImapRange *range = &g_array_index (ranges, HeronImapRange, *range_index - 1);
      guint32 last = MIN (range->last, *top - 1);
      guint32 first;

      if (last < range->first || *top == range->first)
        {
          (*range_index)--;
          continue;
        }
      first = (last - range->first + 1 > n) ? last - n + 1 : range->first;
      heron_imap_uid_set_add_range (chunk, first, last);
      n -= last - first + 1;
      *top = first;
      if (first == range->first)
        (*range_index)--;
    }
  return chunk;
}

/* One chunk's UID FETCH in flight; its callbacks point into it. */
typedef struct {
  HeronImapSession *session;
  HeronImapUidSet *uids;
  GPtrArray       *messages;  /* HeronStoreMessage */
  Chunk            chunk;
  HeronSyncWait    wait;
} FetchChunk;

static void
fetch_chunk_free (FetchChunk *fetch)
{
  g_object_unref (fetch->session);
  heron_imap_uid_set_free (fetch->uids);
  g_ptr_array_unref (fetch->messages);
  g_clear_object (&fetch->wait.result);
  g_free (fetch);
}

/* Sends the FETCH of @uids (taken), or returns NULL when it is empty. */
static FetchChunk *
fetch_chunk_start (HeronSyncCore      *core,
                   HeronImapUidSet    *uids,
                   const char * const *items)
{
  FetchChunk *fetch;

  if (heron_imap_uid_set_is_empty (uids))
    {
      heron_imap_uid_set_free (uids);
      return NULL;
    }
  fetch = g_new0 (FetchChunk, 1);
  fetch->session = g_object_ref (core->session);
  fetch->uids = uids;
  fetch->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  fetch->chunk.messages = fetch->messages;
  heron_imap_session_uid_fetch_async (fetch->session, fetch->uids, items, HERON_IMAP_MODSEQ_NONE, FALSE,
                                      on_summary_fetch, &fetch->chunk, NULL, NULL,
                                      core->cancellable, _heron_sync_wait_cb, &fetch->wait);
  return fetch;
}

static gboolean
fetch_chunk_finish (HeronSyncCore  *core,
                    FetchChunk     *fetch,
                    GError        **error)
{
  _heron_sync_await (core, &fetch->wait);
  return heron_imap_session_uid_fetch_finish (fetch->session, fetch->wait.result, NULL, error);
}

/* The first sync's cache writer: a thread with its own connection to the cache
 * (heron_store_open_extra_writer()) stores the chunks in order while the worker reads the next
 * ones, so the server keeps producing while the cache writes (DESIGN.md: the cost of a first
 * sync is the cache's inserts). The worker hands over at most WRITER_QUEUE chunks ahead, so at
 * most that many chunks of summaries are in memory. The store's changes go back to the worker,
 * which turns them into events as its own; progress is posted from the thread (posting is
 * thread-safe). Used for folders of more than two chunks. Its rows get their search
 * entries afterwards, from the text pass (heron_store_set_search_deferred()): a third of the
 * cost of an insert, and nothing a person needs in the first seconds of a new account; their
 * sender addresses and conversation rows are made once per chunk (heron_store_set_bulk_insert()),
 * another third. */

#define WRITER_QUEUE 3

typedef struct {
  HeronSyncCore *core;
  gint64         folder_id;
  char          *name;
  guint          total;
  GThread       *thread;
  GAsyncQueue   *queue;     /* GPtrArray of HeronStoreMessage; an empty one ends the thread */
  GMutex         lock;
  GCond          cond;
  guint          pending;   /* chunks handed over, not stored yet */
  guint          done;      /* messages stored */
  GError        *error;     /* the first failure; later chunks are dropped */
  GPtrArray     *changes;   /* the store's changes (GPtrArray of HeronStoreChange), for the worker */
} ChunkWriter;

/* The extra writer's changes, on its thread: kept for the worker, which turns them into events
 * (chunk_writer_deliver()) after each chunk it hands over and before the sync's task completes,
 * so that every event of the sync comes before its completion, as without the writer. */
static void
forward_changes (HeronStore *store,
                 GPtrArray  *changes,
                 gpointer    user_data)
{
  ChunkWriter *writer = user_data;

  g_mutex_lock (&writer->lock);
  g_ptr_array_add (writer->changes, g_ptr_array_ref (changes));
  g_mutex_unlock (&writer->lock);
}

/* Worker thread: the changes the writer made so far, as events. */
static void
chunk_writer_deliver (ChunkWriter *writer)
{
  g_autoptr(GPtrArray) changes = NULL;

  g_mutex_lock (&writer->lock);
  changes = g_steal_pointer (&writer->changes);
  writer->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_mutex_unlock (&writer->lock);
  for (guint i = 0; i < changes->len; i++)
    _heron_sync_core_store_changes (writer->core->store, g_ptr_array_index (changes, i), writer->core);
}

static gpointer
chunk_writer_thread (gpointer data)
{
  ChunkWriter *writer = data;
  g_autoptr(HeronStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = heron_store_open_extra_writer (writer->core->store_path, &error);
  if (store != NULL)
    {
      heron_store_set_changes_func (store, forward_changes, writer, NULL);
      /* the search entries follow in the text pass (heron-sync-bodies.c) */
      heron_store_set_search_deferred (store, TRUE);
      /* addresses and the conversation index once per chunk */
      heron_store_set_bulk_insert (store, TRUE);
    }

  for (;;)
    {
      g_autoptr(GPtrArray) messages = g_async_queue_pop (writer->queue);
      gboolean ok = TRUE;

      if (messages->len == 0)
        break;
      if (store == NULL || g_atomic_int_get (&writer->core->stopping))
        ok = FALSE;
      else
        {
          g_mutex_lock (&writer->lock);
          ok = writer->error == NULL;
          g_mutex_unlock (&writer->lock);
          if (ok)
            ok = _heron_sync_store_summaries (store, writer->folder_id, messages, &error);
        }

      g_mutex_lock (&writer->lock);
      if (!ok && writer->error == NULL)
        writer->error = error != NULL ? g_steal_pointer (&error) :
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
      if (ok)
        writer->done += messages->len;
      writer->pending--;
      g_cond_signal (&writer->cond);
      g_mutex_unlock (&writer->lock);
      if (ok)
        _heron_sync_core_post_progress (writer->core, writer->name, MIN (writer->done, writer->total),
                                        writer->total);
    }
  if (store != NULL)
    heron_store_set_changes_func (store, NULL, NULL, NULL);
  {
    struct timespec cpu;

    if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
      g_debug ("The cache writer of %s stored %u messages with %.2f s of CPU time", writer->name,
               writer->done, cpu.tv_sec + cpu.tv_nsec / 1e9);
  }
  return NULL;
}

static ChunkWriter *
chunk_writer_new (HeronSyncCore *core,
                  gint64         folder_id,
                  const char    *name,
                  guint          total)
{
  ChunkWriter *writer = g_new0 (ChunkWriter, 1);

  writer->core = core;
  writer->folder_id = folder_id;
  writer->name = g_strdup (name);
  writer->total = total;
  writer->queue = g_async_queue_new ();
  writer->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_mutex_init (&writer->lock);
  g_cond_init (&writer->cond);
  writer->thread = g_thread_new ("heron-sync-writer", chunk_writer_thread, writer);
  return writer;
}

/* Hands @messages over (taken); waits while WRITER_QUEUE chunks are ahead. FALSE with @error
 * when an earlier chunk failed. */
static gboolean
chunk_writer_push (ChunkWriter  *writer,
                   GPtrArray    *messages,
                   GError      **error)
{
  gboolean ok;

  g_mutex_lock (&writer->lock);
  while (writer->pending >= WRITER_QUEUE && writer->error == NULL)
    g_cond_wait (&writer->cond, &writer->lock);
  ok = writer->error == NULL;
  if (ok)
    writer->pending++;
  else
    g_propagate_error (error, g_error_copy (writer->error));
  g_mutex_unlock (&writer->lock);

  if (ok)
    g_async_queue_push (writer->queue, messages);
  else
    g_ptr_array_unref (messages);
  chunk_writer_deliver (writer);
  return ok;
}

/* Waits until every chunk handed over is stored (or dropped after a failure), ends the thread
 * and frees @writer. FALSE with @error when a chunk failed. */
static gboolean
chunk_writer_finish (ChunkWriter  *writer,
                     GError      **error)
{
  gboolean ok;

  g_async_queue_push (writer->queue, g_ptr_array_new ());
  g_thread_join (writer->thread);
  chunk_writer_deliver (writer);
  g_ptr_array_unref (writer->changes);
  ok = writer->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&writer->error));
  g_async_queue_unref (writer->queue);
  g_mutex_clear (&writer->lock);
  g_cond_clear (&writer->cond);
  g_free (writer->name);
  g_free (writer);
  return ok;
}

/* Fetches the summaries of every message from UID @lowest up, newest first, in chunks of
 * chunk_size, each stored in a transaction of its own; a progress event after each. The next
 * chunk's FETCH is on the wire while the previous one is stored. */
static gboolean
fetch_newest_first (HeronSyncCore  *core,
                    gint64          folder_id,
                    const char     *name,
                    guint32         lowest,
                    gboolean        modseq,
                    GError        **error)
{
  g_autoptr(HeronImapUidSet) all = NULL;
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(GPtrArray) items = NULL;
  HeronImapUidSetIter iter;
  guint32 first, last, top;
  guint range_index;
  guint total, done = 0;
  FetchChunk *current = NULL;
  FetchChunk *next = NULL;
  ChunkWriter *writer = NULL;
  gboolean threaded;
  gint64 waiting_us = 0, storing_us = 0, t;

  all = search_uids (core, lowest, error);
  if (all == NULL)
    return FALSE;
  total = heron_imap_uid_set_count (all);
  if (total == 0)
    return TRUE;

  ranges = g_array_new (FALSE, FALSE, sizeof (HeronImapRange));
  heron_imap_uid_set_iter_init (&iter, all);
  while (heron_imap_uid_set_iter_next_range (&iter, &first, &last))
    {
      HeronImapRange range = { first, last };
      g_array_append_val (ranges, range);
    }
  range_index = ranges->len;
  top = G_MAXUINT32;
  if (g_array_index (ranges, HeronImapRange, ranges->len - 1).last == G_MAXUINT32)
    return TRUE;  /* not a UID a server can use */

  items = _heron_sync_summary_items_for (core->session, modseq);

  _heron_sync_core_post_progress (core, name, 0, total);
  if (total > 2 * core->chunk_size && core->store_path != NULL)
    writer = chunk_writer_new (core, folder_id, name, total);

  /* Two chunks in flight: the next one's FETCH goes out before this one is stored, so the
   * server produces it (into the socket's buffers) while the worker writes to the cache. */
  current = fetch_chunk_start (core, take_chunk (ranges, &range_index, &top, core->chunk_size),
                               (const char * const *) items->pdata);
  while (current != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean ok;

      t = g_get_monotonic_time ();
      ok = fetch_chunk_finish (core, current, &local_error);
      waiting_us += g_get_monotonic_time () - t;
      if (ok && g_atomic_int_get (&core->stopping))
        ok = (g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"), FALSE);
      if (ok && !_heron_sync_core_is_online (core))
        ok = (g_set_error (&local_error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE,
                           "The connection to the server was lost"), FALSE);
      if (ok)
        next = fetch_chunk_start (core, take_chunk (ranges, &range_index, &top, core->chunk_size),
                                  (const char * const *) items->pdata);
      t = g_get_monotonic_time ();
      if (ok && writer != NULL)
        ok = chunk_writer_push (writer, g_ptr_array_ref (current->messages), &local_error);
      else if (ok)
        ok = _heron_sync_store_summaries (core->store, folder_id, current->messages, &local_error);
      storing_us += g_get_monotonic_time () - t;
      if (!ok)
        {
          /* its callbacks point into it: the next chunk's FETCH ends before it is freed */
          if (next != NULL)
            {
              fetch_chunk_finish (core, next, NULL);
              fetch_chunk_free (next);
            }
          fetch_chunk_free (current);
          if (writer != NULL)
            chunk_writer_finish (writer, NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      done += heron_imap_uid_set_count (current->uids);
      if (writer == NULL)
        _heron_sync_core_post_progress (core, name, MIN (done, total), total);
      fetch_chunk_free (current);
      current = g_steal_pointer (&next);
    }

  threaded = writer != NULL;
  t = g_get_monotonic_time ();
  if (writer != NULL && !chunk_writer_finish (g_steal_pointer (&writer), error))
    return FALSE;
  if (threaded)
    _heron_sync_bodies_want_text_pass (core);
  storing_us += g_get_monotonic_time () - t;
  g_debug ("%s: %s: %u summaries: %.3f s waiting for the server, %.3f s %s", core->user, name,
           total, waiting_us / 1e6, storing_us / 1e6,
           threaded ? "waiting for the cache writer" : "storing");
  return TRUE;
}

static HeronImapUidSet *
uid_set_from_array (GArray *uids)
{
  HeronImapUidSet *set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  for (guint i = 0; i < uids->len; i++)
    heron_imap_uid_set_add (set, g_array_index (uids, guint32, i));
  return set;
}

/* Without QRESYNC: the flags (of what changed since @modseq, or of everything) and the expunges
 * by comparing the server's UIDs with the cache's. */
static gboolean
resync_without_qresync (HeronSyncCore  *core,
                        gint64          folder_id,
                        guint32         old_uidnext,
                        guint64         modseq,
                        GError        **error)
{
  g_autoptr(GArray) known = NULL;
  g_autoptr(HeronImapUidSet) known_set = NULL;
  g_autoptr(HeronImapUidSet) on_server = NULL;
  g_autoptr(GArray) gone = NULL;
  g_auto(FlagUpdates) updates = { 0 };
  static const char * const items[] = { "UID", "FLAGS", NULL };
  static const char * const items_modseq[] = { "UID", "FLAGS", "MODSEQ", NULL };
  guint32 highest;

  known = heron_store_get_uids (core->store, folder_id, error);
  if (known == NULL)
    return FALSE;
  if (known->len == 0)
    return TRUE;
  highest = g_array_index (known, guint32, known->len - 1);
  if (old_uidnext > highest + 1)
    highest = old_uidnext - 1;

  known_set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  heron_imap_uid_set_add_range (known_set, 1, highest);

  flag_updates_init (&updates);
  {
    g_autoptr(GAsyncResult) result = NULL;
    HeronSyncWait wait = { 0 };

    heron_imap_session_uid_fetch_async (core->session, known_set,
                                        modseq > 0 ? items_modseq : items,
                                        modseq > 0 ? modseq : HERON_IMAP_MODSEQ_NONE,
                                        FALSE, on_flags_fetch, &updates, NULL, NULL,
                                        core->cancellable, _heron_sync_wait_cb, &wait);
    result = _heron_sync_await (core, &wait);
    if (!heron_imap_session_uid_fetch_finish (core->session, result, NULL, error))
      return FALSE;
  }

  on_server = search_uids (core, 1, error);
  if (on_server == NULL)
    return FALSE;

  gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < known->len; i++)
    {
      guint32 uid = g_array_index (known, guint32, i);
      if (!heron_imap_uid_set_contains (on_server, uid))
        {
          gint64 uid64 = uid;
          g_array_append_val (gone, uid64);
        }
    }

  if (!heron_store_begin_batch (core->store, error))
    return FALSE;
  if (!apply_flag_updates (core, folder_id, &updates, error) ||
      (gone->len > 0 &&
       !heron_store_remove_messages (core->store, folder_id, (const gint64 *) gone->data, gone->len, error)))
    {
      heron_store_rollback_batch (core->store);
      return FALSE;
    }
  return heron_store_commit_batch (core->store, error);
}

/* STATUS of @folder: *out_unchanged when the server's state is the cache's. A NO leaves it FALSE
 * (the SELECT that follows reports it); a lost connection fails. */
static gboolean
status_unchanged (HeronSyncCore          *core,
                  const HeronStoreFolder *folder,
                  gboolean               *out_unchanged,
                  GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronImapResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  const HeronImapMailboxStatus *status;
  HeronSyncWait wait = { 0 };
  guint server_count = 0;
  guint needed = HERON_IMAP_STATUS_UIDVALIDITY | HERON_IMAP_STATUS_UIDNEXT |
                 HERON_IMAP_STATUS_HIGHESTMODSEQ | HERON_IMAP_STATUS_MESSAGES;

  *out_unchanged = FALSE;
  /* the session takes the folder's UTF-8 path (_heron_sync_wire_name()) */
  heron_imap_session_status_async (core->session, folder->display_name, _heron_sync_status_items (core->session),
                                   core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  response = heron_imap_session_status_finish (core->session, result, &local_error);
  if (response == NULL)
    {
      if (g_error_matches (local_error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  status = &response->mailbox_status;
  _heron_sync_note_status (core, status, FALSE);
  if ((status->items & needed) != needed || status->uidvalidity != folder->uidvalidity ||
      status->uidnext != folder->uidnext || status->highestmodseq != folder->highestmodseq)
    return TRUE;
  /* like with like: while a journal entry waits the cache's own count differs from the
   * server's (docs/sync.md) */
  if (!heron_store_journal_count_server_messages (core->store, folder->id, &server_count, error))
    return FALSE;
  *out_unchanged = status->messages == server_count;
  /* Nothing changed on the server since the saved state, yet MESSAGES differs: the difference is
   * the journal's (an entry names a message another client expunged), which no sync makes up.
   * This sync goes on once; from now on the count is the server's, so that polls and NOTIFY
   * stop syncing the folder again while the entry waits (docs/sync.md, "Like with like"). */
  if (!*out_unchanged &&
      !heron_store_journal_confirm_server_messages (core->store, folder->id, status->messages, error))
    return FALSE;
  return TRUE;
}

gboolean
_heron_sync_folder (HeronSyncCore  *core,
                    const char     *name,
                    GError        **error)
{
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronImapUidSet) known = NULL;
  g_autoptr(HeronImapSelectResult) select = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(FlagUpdates) changed = { 0 };
  HeronImapSelectParams params = { 0 };
  HeronSyncWait wait = { 0 };
  gboolean use_qresync, use_condstore, have_state, qresync = FALSE;
  guint64 modseq;
  gint64 start = g_get_monotonic_time ();

  folder = heron_store_lookup_folder (core->store, name, NULL);
  if (folder == NULL)
    {
      /* a folder the cache has not seen yet: the list first */
      if (!_heron_sync_folders (core, error))
        return FALSE;
      folder = heron_store_lookup_folder (core->store, name, NULL);
      if (folder == NULL)
        return g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                            "There is no folder %s", name), FALSE;
    }
  _heron_sync_core_remember_folder (core, folder->id, folder->name);

  use_qresync = core->mode == HERON_SYNC_MODE_AUTO &&
                heron_imap_session_is_enabled (core->session, "QRESYNC");
  use_condstore = core->mode != HERON_SYNC_MODE_PLAIN &&
                  (heron_imap_session_is_enabled (core->session, "CONDSTORE") ||
                   heron_imap_session_has_capability (core->session, "CONDSTORE"));
  have_state = folder->uidvalidity != 0;

  /* With mod-sequences, equal UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ mean nothing changed: one
   * STATUS answers that, where a QRESYNC SELECT of a big folder costs the server much more.
   * Not for the mailbox selected here: its STATUS is what this session last saw. */
  if (have_state && use_condstore && folder->highestmodseq > 0 &&
      g_strcmp0 (heron_imap_session_get_selected (core->session), folder->display_name) != 0)
    {
      gboolean unchanged = FALSE;

      if (!status_unchanged (core, folder, &unchanged, error))
        return FALSE;
      if (unchanged)
        {
          g_debug ("%s: %s unchanged (STATUS) in %.3f s", core->user, name,
                   (g_get_monotonic_time () - start) / 1e6);
          return TRUE;
        }
    }

  if (have_state && use_qresync && folder->highestmodseq > 0)
    {
      g_autoptr(GArray) uids = heron_store_get_uids (core->store, folder->id, error);

      if (uids == NULL)
        return FALSE;
      known = uid_set_from_array (uids);
      params.qresync_uidvalidity = folder->uidvalidity;
      params.qresync_modseq = folder->highestmodseq;
      params.qresync_known_uids = heron_imap_uid_set_is_empty (known) ? NULL : known;
      qresync = TRUE;
    }
  else if (use_condstore)
    params.condstore = TRUE;

  flag_updates_init (&changed);
  heron_imap_session_select_async (core->session, folder->display_name, FALSE,
                                   qresync || params.condstore ? &params : NULL,
                                   on_flags_fetch, &changed, core->cancellable,
                                   _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  select = heron_imap_session_select_finish (core->session, result, error);
  if (select == NULL)
    return FALSE;

  modseq = use_condstore && !select->nomodseq ? select->highestmodseq : 0;

  if (have_state && select->uidvalidity != folder->uidvalidity)
    {
      g_debug ("%s: UIDVALIDITY of %s changed (%u -> %u): fetching it again", core->user, name,
               folder->uidvalidity, select->uidvalidity);
      if (!heron_store_reset_folder (core->store, folder->id, select->uidvalidity, error))
        return FALSE;
      have_state = FALSE;
      qresync = FALSE;
    }

  if (!have_state)
    {
      gboolean fetched;

      /* what this finds was there before: its events say so (not new mail) */
      core->initial_folder_id = folder->id;
      fetched = fetch_newest_first (core, folder->id, name, 1, modseq > 0, error);
      core->initial_folder_id = 0;
      if (!fetched)
        return FALSE;
    }
  else
    {
      guint32 lowest_new = folder->uidnext;

      if (qresync)
        {
          if (!heron_store_begin_batch (core->store, error))
            return FALSE;
          if (select->vanished != NULL && !heron_imap_uid_set_is_empty (select->vanished))
            {
              g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (HeronStoreUidRange));
              HeronImapUidSetIter iter;
              guint32 first, last;

              heron_imap_uid_set_iter_init (&iter, select->vanished);
              while (heron_imap_uid_set_iter_next_range (&iter, &first, &last))
                {
                  HeronStoreUidRange range = { first, last };
                  g_array_append_val (ranges, range);
                }
              if (!heron_store_remove_uid_ranges (core->store, folder->id,
                                                  (const HeronStoreUidRange *) ranges->data,
                                                  ranges->len, error))
                {
                  heron_store_rollback_batch (core->store);
                  return FALSE;
                }
            }
          if (!apply_flag_updates (core, folder->id, &changed, error))
            {
              heron_store_rollback_batch (core->store);
              return FALSE;
            }
          if (!heron_store_commit_batch (core->store, error))
            return FALSE;
        }
      else if (!resync_without_qresync (core, folder->id, folder->uidnext,
                                        use_condstore ? folder->highestmodseq : 0, error))
        return FALSE;

      if (lowest_new == 0)
        {
          if (!heron_store_get_highest_uid (core->store, folder->id, &lowest_new, error))
            return FALSE;
          lowest_new++;
        }
      if (select->uidnext == 0 || select->uidnext > lowest_new)
        if (!fetch_newest_first (core, folder->id, name, lowest_new, modseq > 0, error))
          return FALSE;
    }

  if (!heron_store_set_folder_sync_state (core->store, folder->id, select->uidvalidity,
                                          select->uidnext, modseq, error))
    return FALSE;

  g_debug ("%s: %s synced (%s) in %.3f s", core->user, name,
           !have_state ? "first" : qresync ? "QRESYNC" : use_condstore ? "CONDSTORE" : "plain",
           (g_get_monotonic_time () - start) / 1e6);
  return TRUE;
}

/* IDLE */

void
_heron_sync_idle_event (HeronSyncCore     *core,
                        HeronImapResponse *response)
{
  g_autoptr(HeronStoreFolder) inbox = NULL;
  g_autoptr(GError) error = NULL;

  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_VANISHED:
      inbox = heron_store_lookup_folder (core->store, "INBOX", NULL);
      if (inbox != NULL && response->vanished.uids.n_ranges > 0)
        {
          g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (HeronStoreUidRange));

          for (guint i = 0; i < response->vanished.uids.n_ranges; i++)
            {
              HeronStoreUidRange range = { response->vanished.uids.ranges[i].first,
                                           response->vanished.uids.ranges[i].last };
              g_array_append_val (ranges, range);
            }
          if (!heron_store_remove_uid_ranges (core->store, inbox->id,
                                              (const HeronStoreUidRange *) ranges->data,
                                              ranges->len, &error))
            g_warning ("Could not remove expunged messages: %s", error->message);
        }
      break;

    case HERON_IMAP_RESPONSE_FETCH:
      inbox = heron_store_lookup_folder (core->store, "INBOX", NULL);
      if (inbox != NULL && response->fetch.uid != 0 && (response->fetch.fields & HERON_IMAP_FETCH_FLAGS))
        {
          g_auto(FlagUpdates) updates = { 0 };

          flag_updates_init (&updates);
          flag_updates_add (&updates, &response->fetch);
          if (!apply_flag_updates (core, inbox->id, &updates, &error))
            g_warning ("Could not store changed flags: %s", error->message);
        }
      else
        _heron_sync_schedule_inbox_sync (core);
      break;

    case HERON_IMAP_RESPONSE_EXISTS:
    case HERON_IMAP_RESPONSE_EXPUNGE:
      /* new messages, or an expunge named by sequence number only: a (cheap) incremental sync */
      _heron_sync_schedule_inbox_sync (core);
      break;

    default:
      break;
    }
}
