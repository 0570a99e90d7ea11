/* heron-sync-replay.c: the user's flag changes, and the replay of the journal on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs on the account's worker thread, inside a job (heron-account-worker.c).
 * The journal (docs/store.md, "Journal") is replayed strictly in order, one entry at a time:
 * heron_store_journal_start() before the command goes out, heron_store_journal_complete() with
 * the UID mappings the answer gave when the server said OK. An entry found IN_PROGRESS (the
 * worker crashed or lost the connection after sending it) is checked on the server before it
 * is sent again, so nothing is applied twice (docs/sync.md, "The journal"). An entry that
 * depends on a FAILED one (a local message or a folder it made, or the same message) is held:
 * left PENDING and unsent until the failed one is retried or discarded (docs/sync.md, "Held
 * entries"; the rule is heron_store_journal_holds_*()).
 */

#include "config.h"

#include <string.h>

#include "heron-sync-private.h"

/* The user's flag changes */

gboolean
_heron_sync_set_flags (HeronSyncCore  *core,
                       HeronSyncJob   *job,
                       GError        **error)
{
  g_autoptr(HeronStoreFolder) folder = NULL;
  const gint64 *uids = (const gint64 *) job->uids->data;

  folder = heron_store_lookup_folder (core->store, job->folder, NULL);
  if (folder == NULL)
    return g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                        "There is no folder %s", job->folder), FALSE;

  if ((job->add_flags != 0 || (job->add_keywords != NULL && job->add_keywords[0] != NULL)) &&
      heron_store_op_add_flags (core->store, folder->id, uids, job->uids->len, job->add_flags,
                                (const char * const *) job->add_keywords, error) == 0)
    return FALSE;
  if ((job->remove_flags != 0 || (job->remove_keywords != NULL && job->remove_keywords[0] != NULL)) &&
      heron_store_op_remove_flags (core->store, folder->id, uids, job->uids->len, job->remove_flags,
                                   (const char * const *) job->remove_keywords, error) == 0)
    return FALSE;
  return TRUE;
}

void
_heron_sync_queue_replay (HeronSyncCore *core)
{
  HeronSyncJob *job;

  if (!_heron_sync_core_is_online (core))
    return;  /* connecting queues one */
  if (_heron_sync_find_queued (core, HERON_SYNC_JOB_REPLAY, NULL, NULL) != NULL)
    return;  /* it has not started: it sees the new entry */
  job = g_new0 (HeronSyncJob, 1);
  job->kind = HERON_SYNC_JOB_REPLAY;
  _heron_sync_queue_job (core, job);
}

/* Helpers */

static gboolean
connection_lost (HeronSyncCore *core,
                 const GError  *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || core->session == NULL ||
         heron_imap_session_get_state (core->session) == HERON_IMAP_SESSION_CLOSED;
}

/* The command connection, held for one command: a lost connection clears core->session while
 * the command waits, and its answer still belongs to the session that sent it. */
static HeronImapSession *
session_of (HeronSyncCore  *core,
            GError        **error)
{
  if (core->session == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The connection to %s closed", core->host);
      return NULL;
    }
  return g_object_ref (core->session);
}

/* The one rule for mailbox names (docs/sync.md, "Mailbox names"): the cache and the journal name
 * a folder by the server's name as it sent it (HeronStoreFolder.name: modified UTF-7 unless
 * UTF8=ACCEPT is in effect), a key of the cache only; the session takes UTF-8 and encodes for
 * the wire itself. So every name that goes to a session, and every comparison with
 * heron_imap_session_get_selected(), is the folder's UTF-8 path: its display name. A name the
 * cache no longer holds (a journal entry of a folder renamed or deleted since) is decoded the way
 * the server sent it. */
char *
_heron_sync_wire_name (HeronSyncCore *core,
                       const char    *name)
{
  g_autoptr(HeronStoreFolder) folder = NULL;

  if (name == NULL)
    return NULL;
  if (core->store != NULL)
    folder = heron_store_lookup_folder (core->store, name, NULL);
  if (folder != NULL && folder->display_name != NULL)
    return g_strdup (folder->display_name);
  return _heron_sync_folder_display_name (name, _heron_sync_names_utf8 (core));
}

static const char *
selected_mailbox (HeronSyncCore *core)
{
  return core->session != NULL ? heron_imap_session_get_selected (core->session) : NULL;
}

static gboolean
selected_is (HeronSyncCore *core,
             const char    *name)
{
  g_autofree char *wire = _heron_sync_wire_name (core, name);

  return selected_mailbox (core) != NULL && g_strcmp0 (selected_mailbox (core), wire) == 0;
}

static gboolean
is_refusal (const GError *error)
{
  return g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE) ||
         g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BAD_RESPONSE);
}

static gboolean
use_uidplus (HeronSyncCore *core)
{
  return !core->ignore_uidplus && core->session != NULL &&
         (heron_imap_session_has_capability (core->session, "UIDPLUS") ||
          heron_imap_session_is_imap4rev2 (core->session));
}

static gboolean
use_move (HeronSyncCore *core)
{
  return !core->ignore_move && core->session != NULL &&
         (heron_imap_session_has_capability (core->session, "MOVE") ||
          heron_imap_session_is_imap4rev2 (core->session));
}

/* The entry could not be replayed. A lost connection leaves it for the next replay (PENDING);
 * the server's refusal makes it FAILED, and an ERROR event naming its seq tells the person, who
 * retries or discards it. Returns FALSE when the replay must stop (the connection is gone, or
 * the cache failed), with @error set. */
static gboolean
fail_entry (HeronSyncCore       *core,
            HeronStoreOperation *op,
            const char          *folder,
            GError              *failure,
            GError             **error)
{
  g_autoptr(GError) owned = failure;
  HeronSyncEvent *event;

  if (connection_lost (core, owned) || !is_refusal (owned))
    {
      if (!heron_store_journal_fail (core->store, op->seq, owned->message, FALSE, error))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&owned));
      return FALSE;
    }

  g_debug ("%s: the server refused journal entry %" G_GINT64_FORMAT " (%s): %s", core->user,
           op->seq, heron_store_op_kind_to_string (op->kind), owned->message);
  if (!heron_store_journal_fail (core->store, op->seq, owned->message, TRUE, error))
    return FALSE;
  event = heron_sync_event_new (HERON_SYNC_EVENT_ERROR);
  event->folder = g_strdup (folder);
  event->error = g_error_copy (owned);
  event->seq = op->seq;
  _heron_sync_core_post (core, event);
  return TRUE;
}

static gboolean
ensure_selected (HeronSyncCore  *core,
                 const char     *folder,
                 GError        **error)
{
  g_autofree char *wire = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronImapSelectResult) select = NULL;
  HeronSyncWait wait = { 0 };

  wire = _heron_sync_wire_name (core, folder);
  if (g_strcmp0 (selected_mailbox (core), wire) == 0)
    return TRUE;
  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  heron_imap_session_select_async (session, wire, FALSE, NULL, NULL, NULL,
                                   core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  select = heron_imap_session_select_finish (session, result, error);
  return select != NULL;
}

/* Leaves the selected mailbox (before it is deleted or renamed). */
static gboolean
unselect (HeronSyncCore  *core,
          GError        **error)
{
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };

  if (selected_mailbox (core) == NULL)
    return TRUE;
  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  /* Without UNSELECT the mailbox stays selected: CLOSE would expunge what is \Deleted (the
   * server deselects it itself when it goes). */
  if (!(heron_imap_session_has_capability (session, "UNSELECT") ||
        heron_imap_session_is_imap4rev2 (session)))
    return TRUE;
  heron_imap_session_close_mailbox_async (session, FALSE, core->cancellable,
                                          _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  return heron_imap_session_close_mailbox_finish (session, result, error);
}

/* The server UIDs of @uids (gint64, negative for local messages an earlier entry mapped), in
 * order; 0 for a local message that has none (it was dropped). */
static GArray *
resolve_uids (HeronSyncCore  *core,
              GVariant       *uids_v,
              GError        **error)
{
  gsize n;
  const gint64 *values = g_variant_get_fixed_array (uids_v, &n, sizeof (gint64));
  g_autoptr(GArray) resolved = g_array_sized_new (FALSE, TRUE, sizeof (guint32), n);

  for (gsize i = 0; i < n; i++)
    {
      guint32 uid = 0;

      if (values[i] > 0 && values[i] <= G_MAXUINT32)
        uid = (guint32) values[i];
      else if (values[i] < 0 && !heron_store_journal_resolve_uid (core->store, values[i], &uid, error))
        return NULL;
      g_array_append_val (resolved, uid);
    }
  return g_steal_pointer (&resolved);
}

static HeronImapUidSet *
uid_set_of (GArray *uids)
{
  HeronImapUidSet *set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  for (guint i = 0; i < uids->len; i++)
    if (g_array_index (uids, guint32, i) != 0)
      heron_imap_uid_set_add (set, g_array_index (uids, guint32, i));
  return set;
}

/* UID SEARCH in the selected mailbox: [UID lowest:*] [HEADER Message-ID <id>] or UID set. */
static HeronImapUidSet *
search (HeronSyncCore          *core,
        const HeronImapUidSet  *uids,
        guint32                 lowest,
        const char             *message_id,
        gboolean                deleted,
        GError                **error)
{
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
  g_autoptr(GAsyncResult) result = NULL;
  HeronImapUidSet *found;
  HeronSyncWait wait = { 0 };
  gboolean any = FALSE;

  if (uids != NULL)
    {
      heron_imap_command_add_atom (criteria, "UID");
      heron_imap_command_add_uid_set (criteria, uids);
      any = TRUE;
    }
  else if (lowest > 1)
    {
      g_autoptr(HeronImapUidSet) range = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

      heron_imap_uid_set_add_range_to_star (range, lowest);
      heron_imap_command_add_atom (criteria, "UID");
      heron_imap_command_add_uid_set (criteria, range);
      any = TRUE;
    }
  if (message_id != NULL)
    {
      g_autofree char *bracketed = g_strdup_printf ("<%s>", message_id);

      heron_imap_command_add_atom (criteria, "HEADER");
      heron_imap_command_add_astring (criteria, "Message-ID");
      heron_imap_command_add_string (criteria, bracketed);
      any = TRUE;
    }
  if (deleted)
    {
      heron_imap_command_add_atom (criteria, "DELETED");
      any = TRUE;
    }
  if (!any)
    heron_imap_command_add_atom (criteria, "ALL");

  session = session_of (core, error);
  if (session == NULL)
    return NULL;
  heron_imap_session_uid_search_async (session, criteria, core->cancellable,
                                       _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  found = heron_imap_session_uid_search_finish (session, result, NULL, error);
  /* "n:*" also matches the highest UID when it is below n */
  if (found != NULL && uids == NULL && lowest > 1)
    heron_imap_uid_set_remove_range (found, 1, lowest - 1);
  return found;
}

/* The highest UID of @found that is not taken yet (several copies of one message). */
static guint32
take_highest (HeronImapUidSet *found,
              GHashTable      *taken)
{
  HeronImapUidSetIter iter;
  guint32 uid, best = 0;

  heron_imap_uid_set_iter_init (&iter, found);
  while (heron_imap_uid_set_iter_next (&iter, &uid))
    if (uid > best && !g_hash_table_contains (taken, GUINT_TO_POINTER (uid)))
      best = uid;
  if (best != 0)
    g_hash_table_add (taken, GUINT_TO_POINTER (best));
  return best;
}

static guint32
status_uidnext (HeronSyncCore  *core,
                const char     *folder,
                GError        **error)
{
  g_autofree char *wire = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  static const char * const items[] = { "UIDNEXT", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronImapResponse) status = NULL;
  HeronSyncWait wait = { 0 };

  session = session_of (core, error);
  if (session == NULL)
    return 0;
  wire = _heron_sync_wire_name (core, folder);
  heron_imap_session_status_async (session, wire, items, core->cancellable,
                                   _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  status = heron_imap_session_status_finish (session, result, error);
  if (status == NULL)
    return 0;
  return status->mailbox_status.uidnext != 0 ? status->mailbox_status.uidnext : 1;
}

static gboolean
store_flags (HeronSyncCore          *core,
             const HeronImapUidSet  *uids,
             gboolean                add,
             const char * const     *flags,
             GError                **error)
{
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };

  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  heron_imap_session_uid_store_async (session, uids, add ? HERON_IMAP_STORE_ADD : HERON_IMAP_STORE_REMOVE,
                                      flags, TRUE, HERON_IMAP_MODSEQ_NONE, NULL, NULL,
                                      core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  return heron_imap_session_uid_store_finish (session, result, NULL, error);
}

static gboolean
expunge (HeronSyncCore          *core,
         const HeronImapUidSet  *uids,
         GError                **error)
{
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };

  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  heron_imap_session_expunge_async (session, uids, core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  return heron_imap_session_expunge_finish (session, result, error);
}

/* Removes @uids of the selected mailbox for good: \Deleted, then UID EXPUNGE. Without UIDPLUS a
 * plain EXPUNGE would also remove other messages marked \Deleted (by the person elsewhere):
 * those lose their \Deleted for the EXPUNGE and get it back right after. */
static gboolean
remove_for_good (HeronSyncCore          *core,
                 const HeronImapUidSet  *uids,
                 GError                **error)
{
  static const char * const deleted[] = { "\\Deleted", NULL };
  g_autoptr(HeronImapUidSet) others = NULL;

  if (heron_imap_uid_set_is_empty (uids))
    return TRUE;
  if (!store_flags (core, uids, TRUE, deleted, error))
    return FALSE;
  if (use_uidplus (core))
    return expunge (core, uids, error);

  others = search (core, NULL, 1, NULL, TRUE, error);
  if (others == NULL)
    return FALSE;
  {
    HeronImapUidSetIter iter;
    guint32 first, last;

    heron_imap_uid_set_iter_init (&iter, uids);
    while (heron_imap_uid_set_iter_next_range (&iter, &first, &last))
      heron_imap_uid_set_remove_range (others, first, last);
  }
  if (!heron_imap_uid_set_is_empty (others) && !store_flags (core, others, FALSE, deleted, error))
    return FALSE;
  if (!expunge (core, NULL, error))
    return FALSE;
  if (!heron_imap_uid_set_is_empty (others) && !store_flags (core, others, TRUE, deleted, error))
    return FALSE;
  return TRUE;
}

/* Whether an entry may have reached the server already: IN_PROGRESS after a crash, or PENDING
 * again after the connection dropped while it was on the wire (started before). */
static gboolean
maybe_sent (const HeronStoreOperation *op)
{
  return op->state == HERON_STORE_OP_IN_PROGRESS || op->attempts > 0;
}

/* Flags */

static gboolean
replay_flags (HeronSyncCore       *core,
              HeronStoreOperation *op,
              GError             **error)
{
  const char *folder;
  g_autoptr(GVariant) uids_v = NULL;
  g_autoptr(GVariant) keywords_v = NULL;
  g_autofree const char **keywords = NULL;
  g_autoptr(GArray) resolved = NULL;
  g_autoptr(HeronImapUidSet) uids = NULL;
  g_auto(GStrv) flags = NULL;
  GError *local_error = NULL;
  guint32 system;

  g_variant_get (op->args, "(&s@axu@as)", &folder, &uids_v, &system, &keywords_v);
  resolved = resolve_uids (core, uids_v, error);
  if (resolved == NULL)
    return FALSE;
  uids = uid_set_of (resolved);
  keywords = g_variant_get_strv (keywords_v, NULL);
  flags = _heron_sync_flags_to_imap (system, keywords);

  if (heron_imap_uid_set_is_empty (uids) || flags[0] == NULL)
    return heron_store_journal_complete (core->store, op->seq, NULL, 0, error);

  /* Setting flags is idempotent: an IN_PROGRESS entry from before a crash is sent again. */
  if (!ensure_selected (core, folder, &local_error))
    return fail_entry (core, op, folder, local_error, error);
  if (!heron_store_journal_start (core->store, op->seq, error))
    return FALSE;
  if (!store_flags (core, uids, op->kind == HERON_STORE_OP_ADD_FLAGS, (const char * const *) flags, &local_error))
    return fail_entry (core, op, folder, local_error, error);
  return heron_store_journal_complete (core->store, op->seq, NULL, 0, error);
}

/* Expunge */

static gboolean
replay_expunge (HeronSyncCore       *core,
                HeronStoreOperation *op,
                GError             **error)
{
  const char *folder;
  g_autoptr(GVariant) uids_v = NULL;
  g_autoptr(GArray) resolved = NULL;
  g_autoptr(HeronImapUidSet) uids = NULL;
  GError *local_error = NULL;

  g_variant_get (op->args, "(&s@ax)", &folder, &uids_v);
  resolved = resolve_uids (core, uids_v, error);
  if (resolved == NULL)
    return FALSE;
  uids = uid_set_of (resolved);
  if (heron_imap_uid_set_is_empty (uids))
    return heron_store_journal_complete (core->store, op->seq, NULL, 0, error);

  /* \Deleted and UID EXPUNGE again are harmless: an IN_PROGRESS entry is simply sent again. */
  if (!ensure_selected (core, folder, &local_error))
    return fail_entry (core, op, folder, local_error, error);
  if (!heron_store_journal_start (core->store, op->seq, error))
    return FALSE;
  if (!remove_for_good (core, uids, &local_error))
    return fail_entry (core, op, folder, local_error, error);
  return heron_store_journal_complete (core->store, op->seq, NULL, 0, error);
}

/* Move, copy */

typedef struct {
  const char *folder;
  const char *dest;
  GArray     *server;      /* guint32: the source UIDs on the server, 0: none */
  const gint64 *locals;    /* the destination's local UIDs */
  const char **message_ids;
  gsize       n;
  GArray     *mappings;    /* HeronStoreUidMapping */
  GHashTable *taken;       /* destination UIDs mapped already */
} Transfer;

static void
add_mapping (Transfer *transfer,
             gsize     i,
             guint32   uid)
{
  HeronStoreUidMapping mapping = { transfer->locals[i], uid };

  if (uid == 0 || transfer->locals[i] >= 0)
    return;
  g_array_append_val (transfer->mappings, mapping);
  g_hash_table_add (transfer->taken, GUINT_TO_POINTER (uid));
}

typedef struct {
  guint32     lowest;
  GHashTable *wanted;   /* Message-ID -> HeronImapUidSet of the UIDs that carry it */
} MessageIdScan;

static void
on_message_id_fetch (HeronImapResponse *response,
                     gpointer           user_data)
{
  MessageIdScan *scan = user_data;
  g_autofree char *message_id = NULL;
  HeronImapUidSet *uids;

  /* "n:*" also matches the highest UID when it is below n; unasked FETCHes carry no section */
  if (response->fetch.uid < scan->lowest)
    return;
  message_id = _heron_sync_message_id_of (&response->fetch);
  if (message_id == NULL)
    return;
  uids = g_hash_table_lookup (scan->wanted, message_id);
  if (uids != NULL)
    heron_imap_uid_set_add (uids, response->fetch.uid);
}

/* Finds the messages @pending (indices) in the destination by Message-ID, among UIDs from
 * @lowest on, and maps them. One UID FETCH lowest:* of the Message-ID field, matched here
 * (a search per message would cost a round trip, and a scan of the mailbox, each). Which were
 * found goes to @found (indices), when not NULL. */
static gboolean
map_by_message_id (HeronSyncCore  *core,
                   Transfer       *transfer,
                   GArray         *pending,
                   guint32         lowest,
                   GArray         *found,
                   GError        **error)
{
  static const char * const items[] = { "UID", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]", NULL };
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(HeronImapUidSet) range = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) heron_imap_uid_set_free);
  g_autoptr(GAsyncResult) result = NULL;
  MessageIdScan scan = { MAX (lowest, 1), wanted };
  HeronSyncWait wait = { 0 };

  for (guint k = 0; k < pending->len; k++)
    {
      const char *message_id = transfer->message_ids[g_array_index (pending, gsize, k)];

      if (message_id != NULL && message_id[0] != '\0' && !g_hash_table_contains (wanted, message_id))
        g_hash_table_insert (wanted, g_strdup (message_id), heron_imap_uid_set_new (HERON_IMAP_SET_UID));
    }
  if (g_hash_table_size (wanted) == 0)
    return TRUE;

  if (!ensure_selected (core, transfer->dest, error))
    return FALSE;
  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  heron_imap_uid_set_add_range_to_star (range, scan.lowest);
  heron_imap_session_uid_fetch_async (session, range, items, HERON_IMAP_MODSEQ_NONE, FALSE,
                                      on_message_id_fetch, &scan, NULL, NULL,
                                      core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  if (!heron_imap_session_uid_fetch_finish (session, result, NULL, error))
    return FALSE;

  for (guint k = 0; k < pending->len; k++)
    {
      gsize i = g_array_index (pending, gsize, k);
      HeronImapUidSet *hits;
      guint32 uid;

      if (transfer->message_ids[i] == NULL || transfer->message_ids[i][0] == '\0')
        continue;
      hits = g_hash_table_lookup (wanted, transfer->message_ids[i]);
      uid = take_highest (hits, transfer->taken);
      if (uid == 0)
        continue;
      add_mapping (transfer, i, uid);
      if (found != NULL)
        g_array_append_val (found, i);
    }
  return TRUE;
}

static HeronImapCopyResult *
uid_copy (HeronSyncCore          *core,
          const HeronImapUidSet  *set,
          const char             *dest,
          gboolean                move,
          GError                **error)
{
  g_autofree char *wire = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };

  session = session_of (core, error);
  if (session == NULL)
    return NULL;
  wire = _heron_sync_wire_name (core, dest);
  heron_imap_session_uid_copy_async (session, set, wire, move, core->cancellable,
                                     _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  return heron_imap_session_uid_copy_finish (session, result, error);
}

/* UID COPY or UID MOVE. Another client may have expunged some of the messages since this
 * session last heard: the server refuses with [EXPUNGEISSUED]; a NOOP brings the expunges, and
 * the command goes again for what is left. */
static HeronImapCopyResult *
copy_messages (HeronSyncCore          *core,
               const HeronImapUidSet  *set,
               const char             *dest,
               gboolean                move,
               GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *code = NULL;
  HeronImapCopyResult *copied = uid_copy (core, set, dest, move, &local_error);

  if (copied != NULL)
    return copied;
  code = heron_imap_error_dup_response_code (local_error);
  if (g_strcmp0 (code, "EXPUNGEISSUED") == 0)
    {
      g_autoptr(GAsyncResult) result = NULL;
      HeronSyncWait wait = { 0 };

      g_autoptr(HeronImapSession) session = session_of (core, error);

      if (session == NULL)
        return NULL;
      heron_imap_session_noop_async (session, core->cancellable, _heron_sync_wait_cb, &wait);
      result = _heron_sync_await (core, &wait);
      if (!heron_imap_session_noop_finish (session, result, error))
        return NULL;
      return uid_copy (core, set, dest, move, error);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* Sends UID MOVE (or COPY, + \Deleted + expunge for a move without MOVE) of the messages
 * @indices, and maps their copies in the destination. */
static gboolean
send_transfer (HeronSyncCore  *core,
               Transfer       *transfer,
               gboolean        move,
               GArray         *indices,
               GError        **error)
{
  g_autoptr(HeronImapUidSet) set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(HeronImapCopyResult) copied = NULL;
  g_autoptr(GArray) unmapped = g_array_new (FALSE, FALSE, sizeof (gsize));
  gboolean uidplus = use_uidplus (core);
  gboolean native_move = move && use_move (core);
  guint32 uidnext = 0;

  for (guint k = 0; k < indices->len; k++)
    heron_imap_uid_set_add (set, g_array_index (transfer->server, guint32, g_array_index (indices, gsize, k)));
  if (heron_imap_uid_set_is_empty (set))
    return TRUE;

  /* Without COPYUID the copies are found by Message-ID above the destination's old UIDNEXT. */
  if (!uidplus)
    {
      uidnext = status_uidnext (core, transfer->dest, error);
      if (uidnext == 0)
        return FALSE;
    }

  if (!ensure_selected (core, transfer->folder, error))
    return FALSE;
  copied = copy_messages (core, set, transfer->dest, native_move, error);
  if (copied == NULL)
    return FALSE;

  if (move && !native_move && !remove_for_good (core, set, error))
    return FALSE;

  for (guint k = 0; k < indices->len; k++)
    {
      gsize i = g_array_index (indices, gsize, k);
      guint32 uid = 0;

      if (uidplus && copied->uidvalidity != 0)
        uid = heron_imap_copy_result_lookup (copied, g_array_index (transfer->server, guint32, i));
      if (uid != 0)
        add_mapping (transfer, i, uid);
      else
        g_array_append_val (unmapped, i);
    }
  if (unmapped->len > 0)
    return map_by_message_id (core, transfer, unmapped, uidnext, NULL, error);
  return TRUE;
}

static gboolean
replay_transfer (HeronSyncCore       *core,
                 HeronStoreOperation *op,
                 GError             **error)
{
  gboolean move = op->kind == HERON_STORE_OP_MOVE;
  g_autoptr(GVariant) uids_v = NULL;
  g_autoptr(GVariant) locals_v = NULL;
  g_autofree const char **message_ids = NULL;
  g_autoptr(GArray) server = NULL;
  g_autoptr(GArray) mappings = g_array_new (FALSE, FALSE, sizeof (HeronStoreUidMapping));
  g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) to_send = g_array_new (FALSE, FALSE, sizeof (gsize));
  GError *local_error = NULL;
  Transfer transfer = { 0 };
  gsize n_locals, n_ids;
  gboolean any = FALSE;

  g_variant_get (op->args, "(&s@ax&s@ax^a&s)", &transfer.folder, &uids_v, &transfer.dest, &locals_v,
                 &message_ids);
  server = resolve_uids (core, uids_v, error);
  if (server == NULL)
    return FALSE;
  transfer.server = server;
  transfer.locals = g_variant_get_fixed_array (locals_v, &n_locals, sizeof (gint64));
  transfer.message_ids = message_ids;
  n_ids = message_ids != NULL ? g_strv_length ((char **) message_ids) : 0;
  transfer.n = MIN (server->len, MIN (n_locals, n_ids));
  transfer.mappings = mappings;
  transfer.taken = taken;

  for (gsize i = 0; i < transfer.n; i++)
    if (g_array_index (server, guint32, i) != 0)
      any = TRUE;
  if (!any)
    return heron_store_journal_complete (core->store, op->seq, NULL, 0, error);

  if (maybe_sent (op))
    {
      /* It may have reached the server before the crash or the lost connection: what is in the
       * destination already (by Message-ID) is not sent again; for a move, what is still in the
       * source is only removed there. */
      g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autoptr(GArray) arrived = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autoptr(HeronImapUidSet) all = uid_set_of (server);
      g_autoptr(HeronImapUidSet) still = NULL;
      g_autoptr(HeronImapUidSet) leftovers = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
      g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);

      for (gsize i = 0; i < transfer.n; i++)
        if (g_array_index (server, guint32, i) != 0)
          g_array_append_val (candidates, i);

      if (!ensure_selected (core, transfer.folder, &local_error))
        return fail_entry (core, op, transfer.folder, local_error, error);
      still = search (core, all, 0, NULL, FALSE, &local_error);
      if (still == NULL)
        return fail_entry (core, op, transfer.folder, local_error, error);
      if (!map_by_message_id (core, &transfer, candidates, 1, arrived, &local_error))
        return fail_entry (core, op, transfer.dest, local_error, error);

      for (guint k = 0; k < arrived->len; k++)
        g_hash_table_add (done, GSIZE_TO_POINTER (g_array_index (arrived, gsize, k) + 1));
      for (guint k = 0; k < candidates->len; k++)
        {
          gsize i = g_array_index (candidates, gsize, k);
          guint32 uid = g_array_index (server, guint32, i);
          gboolean in_source = heron_imap_uid_set_contains (still, uid);

          if (g_hash_table_contains (done, GSIZE_TO_POINTER (i + 1)))
            {
              if (move && in_source)
                heron_imap_uid_set_add (leftovers, uid);
            }
          else if (in_source)
            g_array_append_val (to_send, i);
          /* else: gone from the source and not in the destination: someone else removed it */
        }

      if (!heron_store_journal_start (core->store, op->seq, error))
        return FALSE;
      if (!heron_imap_uid_set_is_empty (leftovers))
        {
          if (!ensure_selected (core, transfer.folder, &local_error) ||
              !remove_for_good (core, leftovers, &local_error))
            return fail_entry (core, op, transfer.folder, local_error, error);
        }
    }
  else
    {
      for (gsize i = 0; i < transfer.n; i++)
        if (g_array_index (server, guint32, i) != 0)
          g_array_append_val (to_send, i);
      if (!heron_store_journal_start (core->store, op->seq, error))
        return FALSE;
    }

  if (to_send->len > 0 && !send_transfer (core, &transfer, move, to_send, &local_error))
    return fail_entry (core, op, transfer.folder, local_error, error);

  return heron_store_journal_complete (core->store, op->seq, (const HeronStoreUidMapping *) mappings->data,
                                       mappings->len, error);
}

/* Append */

static gboolean
replay_append (HeronSyncCore       *core,
               HeronStoreOperation *op,
               GError             **error)
{
  g_autofree char *wire = NULL;
  const char *folder;
  const char *message_id;
  gint64 local, internal_date;
  guint32 system;
  g_autoptr(GVariant) keywords_v = NULL;
  g_autofree const char **keywords = NULL;
  g_auto(GStrv) flags = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  GError *local_error = NULL;
  HeronSyncWait wait = { 0 };
  HeronStoreUidMapping mapping = { 0 };
  guint32 uidvalidity = 0, uid = 0, uidnext = 0;
  gboolean uidplus = use_uidplus (core);
  gboolean has_id;

  g_variant_get (op->args, "(&sxu@asx&s)", &folder, &local, &system, &keywords_v, &internal_date,
                 &message_id);
  has_id = message_id[0] != '\0';
  mapping.local_uid = local;

  if (maybe_sent (op) && has_id)
    {
      g_autoptr(HeronImapUidSet) hits = NULL;
      g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);

      /* It may be there already (sent before a crash or a lost connection). */
      if (!ensure_selected (core, folder, &local_error))
        return fail_entry (core, op, folder, local_error, error);
      hits = search (core, NULL, 1, message_id, FALSE, &local_error);
      if (hits == NULL)
        return fail_entry (core, op, folder, local_error, error);
      mapping.uid = take_highest (hits, taken);
      if (mapping.uid != 0)
        return heron_store_journal_complete (core->store, op->seq, &mapping, 1, error);
    }

  stream = heron_store_journal_open_source (core->store, op->seq, core->cancellable, error);
  if (stream == NULL)
    return FALSE;
  message = _heron_sync_read_stream (stream, core->cancellable, error);
  if (message == NULL)
    return FALSE;
  keywords = g_variant_get_strv (keywords_v, NULL);
  flags = _heron_sync_flags_to_imap (system, keywords);
  if (internal_date > 0)
    date = g_date_time_new_from_unix_utc (internal_date);

  if (!uidplus && has_id)
    {
      uidnext = status_uidnext (core, folder, &local_error);
      if (uidnext == 0)
        return fail_entry (core, op, folder, local_error, error);
    }

  session = session_of (core, &local_error);
  if (session == NULL)
    return fail_entry (core, op, folder, local_error, error);
  if (!heron_store_journal_start (core->store, op->seq, error))
    return FALSE;
  wire = _heron_sync_wire_name (core, folder);
  heron_imap_session_append_async (session, wire, (const char * const *) flags, date, message,
                                   NULL, 0, core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  if (!heron_imap_session_append_finish (session, result, &uidvalidity, &uid, &local_error))
    return fail_entry (core, op, folder, local_error, error);

  if (uidplus && uidvalidity != 0)
    mapping.uid = uid;
  else if (has_id)
    {
      g_autoptr(HeronImapUidSet) hits = NULL;
      g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);

      if (!ensure_selected (core, folder, &local_error))
        return fail_entry (core, op, folder, local_error, error);
      hits = search (core, NULL, uidnext, message_id, FALSE, &local_error);
      if (hits == NULL)
        return fail_entry (core, op, folder, local_error, error);
      mapping.uid = take_highest (hits, taken);
    }

  /* Without a mapping the local message gives way to the server's copy at the next sync. */
  return heron_store_journal_complete (core->store, op->seq, &mapping, mapping.uid != 0 ? 1 : 0, error);
}

/* Folders */

/* Whether the server lists @name (LIST "" name). */
static gboolean
folder_exists (HeronSyncCore  *core,
               const char     *name,
               gboolean       *out_exists,
               GError        **error)
{
  g_autofree char *wire = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  HeronSyncWait wait = { 0 };

  *out_exists = FALSE;
  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  wire = _heron_sync_wire_name (core, name);
  heron_imap_session_list_async (session, "", wire, FALSE, NULL, core->cancellable,
                                 _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  responses = heron_imap_session_list_finish (session, result, error);
  if (responses == NULL)
    return FALSE;
  for (guint i = 0; i < responses->len; i++)
    {
      const HeronImapResponse *response = g_ptr_array_index (responses, i);

      if (response->kind == HERON_IMAP_RESPONSE_LIST && response->list.mailbox.raw != NULL &&
          strcmp (response->list.mailbox.raw, name) == 0 &&
          !(response->list.attributes & (HERON_IMAP_MAILBOX_NONEXISTENT | HERON_IMAP_MAILBOX_NOSELECT)))
        *out_exists = TRUE;
    }
  return TRUE;
}

static gboolean
mailbox_command (HeronSyncCore              *core,
                 HeronImapMailboxOperation   operation,
                 const char                 *name,
                 const char                 *new_name,
                 GError                    **error)
{
  g_autofree char *wire = NULL;
  g_autofree char *wire_new = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };

  session = session_of (core, error);
  if (session == NULL)
    return FALSE;
  wire = _heron_sync_wire_name (core, name);
  wire_new = _heron_sync_wire_name (core, new_name);
  heron_imap_session_mailbox_async (session, operation, wire, wire_new, core->cancellable,
                                    _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  return heron_imap_session_mailbox_finish (session, result, error);
}

static gboolean
replay_folder (HeronSyncCore       *core,
               HeronStoreOperation *op,
               GError             **error)
{
  const char *name;
  const char *new_name = NULL;
  g_autoptr(GError) refused = NULL;
  GError *local_error = NULL;
  gboolean ok, exists = FALSE, new_exists = FALSE;

  if (op->kind == HERON_STORE_OP_RENAME_FOLDER)
    g_variant_get (op->args, "(&s&s)", &name, &new_name);
  else
    g_variant_get (op->args, "(&s)", &name);

  if (!heron_store_journal_start (core->store, op->seq, error))
    return FALSE;

  switch (op->kind)
    {
    case HERON_STORE_OP_CREATE_FOLDER:
      ok = mailbox_command (core, HERON_IMAP_MAILBOX_CREATE, name, NULL, &refused);
      break;
    case HERON_STORE_OP_RENAME_FOLDER:
      if (selected_is (core, name))
        {
          if (!unselect (core, &local_error))
            return fail_entry (core, op, name, local_error, error);
        }
      ok = mailbox_command (core, HERON_IMAP_MAILBOX_RENAME, name, new_name, &refused);
      break;
    case HERON_STORE_OP_DELETE_FOLDER:
    default:
      if (selected_is (core, name))
        {
          if (!unselect (core, &local_error))
            return fail_entry (core, op, name, local_error, error);
        }
      ok = mailbox_command (core, HERON_IMAP_MAILBOX_DELETE, name, NULL, &refused);
      break;
    }

  if (!ok)
    {
      if (!is_refusal (refused) || connection_lost (core, refused))
        return fail_entry (core, op, name, g_steal_pointer (&refused), error);

      /* Done already (before a crash, or by another client)? That is success. */
      if (!folder_exists (core, name, &exists, &local_error) ||
          (new_name != NULL && !folder_exists (core, new_name, &new_exists, &local_error)))
        return fail_entry (core, op, name, local_error, error);
      switch (op->kind)
        {
        case HERON_STORE_OP_CREATE_FOLDER:
          ok = exists;
          break;
        case HERON_STORE_OP_RENAME_FOLDER:
          ok = !exists && new_exists;
          break;
        case HERON_STORE_OP_DELETE_FOLDER:
        default:
          ok = !exists;
          break;
        }
      if (!ok)
        return fail_entry (core, op, name, g_steal_pointer (&refused), error);
    }

  /* Subscriptions follow (LIST shows subscribed folders); their failure changes nothing. */
  if (op->kind == HERON_STORE_OP_CREATE_FOLDER)
    mailbox_command (core, HERON_IMAP_MAILBOX_SUBSCRIBE, name, NULL, NULL);
  else if (op->kind == HERON_STORE_OP_RENAME_FOLDER)
    {
      mailbox_command (core, HERON_IMAP_MAILBOX_UNSUBSCRIBE, name, NULL, NULL);
      mailbox_command (core, HERON_IMAP_MAILBOX_SUBSCRIBE, new_name, NULL, NULL);
    }
  else
    mailbox_command (core, HERON_IMAP_MAILBOX_UNSUBSCRIBE, name, NULL, NULL);
  if (connection_lost (core, NULL))
    return fail_entry (core, op, name, g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                    "The connection closed"), error);

  return heron_store_journal_complete (core->store, op->seq, NULL, 0, error);
}

gboolean
_heron_sync_replay_journal (HeronSyncCore  *core,
                            GError        **error)
{
  g_autoptr(GPtrArray) ops = heron_store_journal_list (core->store, error);
  g_autoptr(HeronStoreJournalHolds) holds = NULL;

  if (ops == NULL)
    return FALSE;

  /* What depends on a FAILED entry waits for it (docs/sync.md, "Held entries"): it stays
   * PENDING, unsent, until the failed one is retried (then all go in order) or discarded. */
  holds = heron_store_journal_holds_new (core->store, FALSE);
  for (guint i = 0; i < ops->len; i++)
    {
      HeronStoreOperation *op = g_ptr_array_index (ops, i);
      g_autoptr(HeronStoreOperation) after = NULL;
      g_autoptr(GError) lookup_error = NULL;
      gboolean ok;

      if (op->state == HERON_STORE_OP_FAILED)
        {
          heron_store_journal_holds_add (holds, op);
          continue;
        }
      if (heron_store_journal_holds_depends (holds, op))
        {
          g_debug ("%s: journal entry %" G_GINT64_FORMAT " (%s) waits for a failed one", core->user,
                   op->seq, heron_store_op_kind_to_string (op->kind));
          heron_store_journal_holds_add (holds, op);
          continue;
        }
      if (g_atomic_int_get (&core->stopping))
        return g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"), FALSE;
      if (!_heron_sync_core_is_online (core))
        return g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE,
                            "The account %s is not connected", core->user), FALSE;

      switch (op->kind)
        {
        case HERON_STORE_OP_ADD_FLAGS:
        case HERON_STORE_OP_REMOVE_FLAGS:
          ok = replay_flags (core, op, error);
          break;
        case HERON_STORE_OP_MOVE:
        case HERON_STORE_OP_COPY:
          ok = replay_transfer (core, op, error);
          break;
        case HERON_STORE_OP_EXPUNGE:
          ok = replay_expunge (core, op, error);
          break;
        case HERON_STORE_OP_APPEND:
          ok = replay_append (core, op, error);
          break;
        case HERON_STORE_OP_CREATE_FOLDER:
        case HERON_STORE_OP_RENAME_FOLDER:
        case HERON_STORE_OP_DELETE_FOLDER:
          ok = replay_folder (core, op, error);
          break;
        default:
          g_warning ("Journal entry %" G_GINT64_FORMAT " has an unknown kind %d", op->seq, op->kind);
          ok = TRUE;
          break;
        }
      if (!ok)
        return FALSE;

      /* The server refused it: what follows and depends on it waits too. */
      after = heron_store_journal_get (core->store, op->seq, &lookup_error);
      if (after != NULL && after->state == HERON_STORE_OP_FAILED)
        heron_store_journal_holds_add (holds, after);
      else if (after == NULL && !g_error_matches (lookup_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&lookup_error));
          return FALSE;
        }
    }
  return TRUE;
}
