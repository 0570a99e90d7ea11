/* heron-message-list-threads.c: HeronMessageList: one item per conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threaded, each source reads its folder's conversations instead of its messages: the cache
 * keeps one row per conversation of a folder (folder_conversations, docs/store.md) with the key
 * of its newest member (its messages in the folder and in the Sent folders), how many members
 * it has and how many are unread. So a threaded source is a list of rows in (date, uid) order
 * like a flat one: a count, windows read a page at a time, positions counted on an index; the
 * windows, the merged order of several sources and the hunks of heron-message-list.c serve
 * both. What differs is here: reading the rows, preparing a change (the UIDs an event names are
 * turned into the conversations they belong to, before and after, and each conversation that
 * moved is a removal at its old position and an addition at its new one), and the counts of the
 * items, which change in place. The Sent folders whose events are followed are the cache's
 * (folders.sent), the ones the index counts; when they change, the list is read again.
 */

#include "config.h"

#include <string.h>

#include "heron-message-list-private.h"

gboolean
_heron_message_list_source_count (Source           *source,
                                  HeronStoreReader *reader,
                                  guint            *out_count)
{
  if (source->threaded)
    return heron_store_reader_count_folder_conversations (reader, source->folder_id, out_count, NULL);
  return heron_store_reader_count_messages (reader, source->folder_id, out_count, NULL);
}

GPtrArray *
_heron_message_list_threads_read (Source   *source,
                                  guint     start,
                                  guint     size,
                                  GArray  **out_conversations,
                                  GError  **error)
{
  const HeronStoreFolderConversation *after = NULL;
  GPtrArray *rows;

  /* scrolling on from a window: a keyset seek from its last conversation (same snapshot) */
  for (guint i = 0; i < N_WINDOWS && start > 0; i++)
    {
      const Window *w = &source->windows[i];

      if (w->rows != NULL && w->conversations != NULL && w->conversations->len > 0 &&
          w->start + w->conversations->len == start)
        after = &g_array_index (w->conversations, HeronStoreFolderConversation, w->conversations->len - 1);
    }
  rows = heron_store_reader_get_folder_conversations (source->reader, source->folder_id, start, after, size,
                                                      out_conversations, error);

  if (rows != NULL)
    source->rows_read += rows->len;
  return rows;
}

/* The counts of the item just read (source->last_conversation) go to its object. */
void
_heron_message_list_threads_set_counts (Source       *source,
                                        HeronMessage *message)
{
  if (source->threaded && source->last_conversation != NULL)
    _heron_message_set_conversation_counts (message, source->last_conversation->n_messages,
                                            source->last_conversation->n_unread);
}

/* Whether @folder_id is one of the Sent folders of @reader's cache: the folders whose messages
 * the index counts as members of every folder's conversations (folders.sent, which the worker
 * sets from the same configuration as the folders' roles). Not the folder's role: the index and
 * the events followed must agree on one set. */
static gboolean
is_sent_folder (HeronStoreReader *reader,
                gint64            folder_id)
{
  g_autoptr(GArray) sent = NULL;
  g_autoptr(GError) error = NULL;

  sent = heron_store_reader_get_sent_folders (reader, &error);
  if (sent == NULL)
    {
      g_warning ("Could not read the Sent folders of the mail cache: %s", error->message);
      return FALSE;
    }
  for (guint i = 0; i < sent->len; i++)
    if (g_array_index (sent, gint64, i) == folder_id)
      return TRUE;
  return FALSE;
}

/* An event of one of the account's Sent folders: its messages are members of the source's
 * conversations. TRUE when it was taken. */
gboolean
_heron_message_list_threads_take_event (Source         *source,
                                        HeronSyncEvent *event)
{
  HeronFolder *folder;

  if (!source->threaded || event->folder == NULL || source->reader == NULL ||
      (event->kind != HERON_SYNC_EVENT_MESSAGES_ADDED && event->kind != HERON_SYNC_EVENT_MESSAGES_REMOVED &&
       event->kind != HERON_SYNC_EVENT_MESSAGES_CHANGED))
    return FALSE;
  folder = heron_account_lookup_folder (source->account, event->folder);
  if (folder == NULL || _heron_folder_get_id (folder) == source->folder_id ||
      !is_sent_folder (source->reader, _heron_folder_get_id (folder)))
    return FALSE;
  for (guint i = 0; event->uids != NULL && i < event->uids->len; i++)
    {
      gint64 key[2] = { _heron_folder_get_id (folder), g_array_index (event->uids, gint64, i) };

      g_hash_table_add (source->pending_sent, g_memdup2 (key, sizeof key));
    }
  return TRUE;
}

guint
_heron_message_list_pair_hash (gconstpointer data)
{
  const gint64 *key = data;

  return g_int64_hash (&key[0]) * 31 + g_int64_hash (&key[1]);
}

gboolean
_heron_message_list_pair_equal (gconstpointer a,
                                gconstpointer b)
{
  const gint64 *x = a, *y = b;

  return x[0] == y[0] && x[1] == y[1];
}

static void
add_conversation_of (GHashTable       *conversations,
                     HeronStoreReader *reader,
                     gint64            folder_id,
                     gint64            uid)
{
  g_autoptr(HeronStoreMessage) row = heron_store_reader_get_message (reader, folder_id, uid, NULL);

  if (row != NULL && !g_hash_table_contains (conversations, &row->conversation_id))
    g_hash_table_add (conversations, g_memdup2 (&row->conversation_id, sizeof (gint64)));
}

static gboolean
same_key (const HeronStoreFolderConversation *a,
          const HeronStoreFolderConversation *b)
{
  return a->date == b->date && a->uid == b->uid && a->item_folder_id == b->item_folder_id;
}

/* < 0 when @a comes first in the list */
static int
compare_conversations (const HeronStoreFolderConversation *a,
                       const HeronStoreFolderConversation *b)
{
  if (a->date != b->date)
    return a->date > b->date ? -1 : 1;
  if (a->uid != b->uid)
    return a->uid > b->uid ? -1 : 1;
  if (a->item_folder_id != b->item_folder_id)
    return a->item_folder_id > b->item_folder_id ? -1 : 1;
  return 0;
}

static guint
position_of (HeronStoreReader                   *reader,
             const HeronStoreFolderConversation *conversation)
{
  g_autoptr(GError) error = NULL;
  guint position = 0;

  if (!heron_store_reader_find_folder_conversation (reader, conversation, &position, &error))
    g_warning ("Could not place a conversation in the message list: %s", error->message);
  return position;
}

/* Whether the source's snapshot and the spare's have the same Sent folders (an error counts as
 * a change: the list is read again). */
static gboolean
same_sent_folders (Source *source)
{
  g_autoptr(GArray) before = heron_store_reader_get_sent_folders (source->reader, NULL);
  g_autoptr(GArray) after = heron_store_reader_get_sent_folders (source->spare, NULL);

  return before != NULL && after != NULL && before->len == after->len &&
         memcmp (before->data, after->data, before->len * sizeof (gint64)) == 0;
}

/* Threaded: what changed for the pending UIDs, as conversations, into @delta (whose spare
 * snapshot and new count are taken). FALSE when the cache is ahead of the events (the spare's
 * snapshot is dropped then), as for a flat source. */
gboolean
_heron_message_list_threads_prepare (HeronMessageList *self,
                                     Source           *source,
                                     Delta            *delta)
{
  g_autoptr(GHashTable) conversations = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GHashTable *sets[] = { source->pending_members, source->pending_changed };
  GHashTableIter iter;
  gpointer key;
  guint n_old = 0, n_new = 0;
  gboolean big;
  HeronStoreFolderConversation old_first = { 0, }, old_last = { 0, }, new_first = { 0, }, new_last = { 0, };

  /* the conversations the changed messages were in, and are in now */
  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_hash_table_iter_init (&iter, sets[s]);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          add_conversation_of (conversations, source->reader, source->folder_id, *(gint64 *) key);
          add_conversation_of (conversations, source->spare, source->folder_id, *(gint64 *) key);
        }
    }
  g_hash_table_iter_init (&iter, source->pending_sent);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const gint64 *pair = key;

      add_conversation_of (conversations, source->reader, pair[0], pair[1]);
      add_conversation_of (conversations, source->spare, pair[0], pair[1]);
    }

  /* The folders changed (FOLDERS_CHANGED names no message): when the Sent folders are others
   * now (a folder gained or lost \Sent, a Sent folder went, the configuration chose another),
   * the members of every conversation changed with no event of theirs: read the list again. */
  if (source->pending_check && !same_sent_folders (source))
    {
      g_debug ("Threaded message list of %s: the Sent folders changed; reading it again",
               source->folder != NULL ? heron_folder_get_name (source->folder) : "?");
      delta->reset = TRUE;
      return TRUE;
    }

  big = g_hash_table_size (conversations) > SMALL_BATCH;
  delta->big = big;
  delta->conversation_counts = g_array_new (FALSE, FALSE, sizeof (HeronStoreFolderConversation));
  g_hash_table_iter_init (&iter, conversations);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 conversation_id = *(gint64 *) key;
      HeronStoreFolderConversation was = { 0, }, is = { 0, };
      gboolean had = FALSE, has = FALSE;

      if (!heron_store_reader_get_folder_conversation (source->reader, source->folder_id, conversation_id,
                                                       &was, &had, NULL) ||
          !heron_store_reader_get_folder_conversation (source->spare, source->folder_id, conversation_id,
                                                       &is, &has, NULL))
        {
          g_warning ("Could not read the conversations of the mail cache");
          continue;
        }
      if (has)
        g_array_append_val (delta->conversation_counts, is);
      /* the same item at the same place: only its counts may have changed */
      if (had && has && same_key (&was, &is))
        continue;

      if (had)
        {
          n_old++;
          if (big)
            {
              if (!delta->span_have_old || compare_conversations (&was, &old_first) < 0)
                old_first = was;
              if (!delta->span_have_old || compare_conversations (&was, &old_last) > 0)
                old_last = was;
              delta->span_have_old = TRUE;
            }
          else
            {
              g_autoptr(HeronStoreMessage) row = heron_store_reader_get_message (source->reader, was.item_folder_id,
                                                                               was.uid, NULL);
              Op op = { position_of (source->reader, &was), NULL, 0 };

              if (row != NULL)
                op.message = _heron_message_list_make_message (self, source->account, source->folder, row);
              g_array_append_val (delta->removals, op);
            }
        }
      if (has)
        {
          n_new++;
          if (big)
            {
              if (!delta->span_have_new || compare_conversations (&is, &new_first) < 0)
                new_first = is;
              if (!delta->span_have_new || compare_conversations (&is, &new_last) > 0)
                new_last = is;
              delta->span_have_new = TRUE;
            }
          else
            {
              Op op = { position_of (source->spare, &is), NULL, 0 };

              g_array_append_val (delta->additions, op);
              g_array_append_val (delta->added_keys, is.date);
              g_array_append_val (delta->added_keys, is.uid);
            }
        }
    }

  if ((gint64) source->count - n_old + n_new != (gint64) delta->new_count)
    {
      g_debug ("Threaded message list of %s: the cache is ahead of the events (%u - %u + %u != %u); waiting",
               source->folder != NULL ? heron_folder_get_name (source->folder) : "?",
               source->count, n_old, n_new, delta->new_count);
      heron_store_reader_end_snapshot (source->spare);
      return FALSE;
    }
  if (big)
    {
      if (delta->span_have_old)
        {
          delta->span_old_first = position_of (source->reader, &old_first);
          delta->span_old_last = position_of (source->reader, &old_last);
        }
      if (delta->span_have_new)
        {
          delta->span_new_first = position_of (source->spare, &new_first);
          delta->span_new_last = position_of (source->spare, &new_last);
        }
    }
  return TRUE;
}

/* After the new snapshot became the source's: the counts (and, for an item of a Sent folder,
 * the row) of the items alive whose conversation changed, in place. */
void
_heron_message_list_threads_update_live (HeronMessageList *self,
                                         Delta            *delta)
{
  Source *source = delta->source;

  for (guint i = 0; delta->conversation_counts != NULL && i < delta->conversation_counts->len; i++)
    {
      const HeronStoreFolderConversation *c = &g_array_index (delta->conversation_counts, HeronStoreFolderConversation, i);
      HeronMessage *message = _heron_message_list_live_lookup (self, source->account, c->item_folder_id, c->uid);

      if (message == NULL)
        continue;
      if (c->item_folder_id != source->folder_id && source->reader != NULL)
        {
          g_autoptr(HeronStoreMessage) row = heron_store_reader_get_message (source->reader, c->item_folder_id, c->uid, NULL);

          if (row != NULL)
            _heron_message_update (message, row);
        }
      _heron_message_set_conversation_counts (message, c->n_messages, c->n_unread);
    }
}

/* Switches the sources between messages and conversations; the caller emits the reset. */
void
_heron_message_list_threads_set (HeronMessageList *self,
                                 gboolean          threaded)
{
  if (self->kind == KIND_SEARCH)
    return;
  for (guint s = 0; s < self->sources->len; s++)
    {
      Source *source = g_ptr_array_index (self->sources, s);
      guint count = 0;

      source->threaded = threaded;
      _heron_message_list_source_drop_windows (source);
      g_hash_table_remove_all (source->pending_sent);
      if (source->reader != NULL && !_heron_message_list_source_count (source, source->reader, &count))
        count = 0;
      source->count = count;
    }
  if (self->kind == KIND_MERGED)
    _heron_message_list_merged_clear (self);
}

/* The source position of @message's conversation in a threaded source; FALSE when it has none. */
gboolean
_heron_message_list_threads_find (Source       *source,
                                  HeronMessage *message,
                                  guint        *out_position)
{
  HeronStoreFolderConversation c;
  gboolean found = FALSE;

  if (source->reader == NULL ||
      !heron_store_reader_get_folder_conversation (source->reader, source->folder_id,
                                                   heron_message_get_conversation_id (message), &c, &found, NULL) ||
      !found)
    return FALSE;
  return heron_store_reader_find_folder_conversation (source->reader, &c, out_position, NULL);
}

GListModel *
heron_message_list_get_conversation (HeronMessageList *self,
                                     HeronMessage     *message)
{
  HeronAccount *account;
  HeronStoreReader *reader;
  GListStore *store;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 conversation_id;

  g_return_val_if_fail (HERON_IS_MESSAGE_LIST (self), NULL);
  g_return_val_if_fail (HERON_IS_MESSAGE (message), NULL);

  store = g_list_store_new (HERON_TYPE_MESSAGE);
  account = heron_message_get_account (message);
  reader = _heron_account_get_reader (account);
  conversation_id = heron_message_get_conversation_id (message);
  if (reader != NULL && conversation_id != 0)
    rows = heron_store_reader_get_conversation (reader, conversation_id, &error);
  if (rows == NULL || rows->len == 0)
    {
      if (error != NULL)
        g_debug ("Conversation %" G_GINT64_FORMAT ": %s", conversation_id, error->message);
      g_list_store_append (store, message);
      return G_LIST_MODEL (store);
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const HeronStoreMessage *row = g_ptr_array_index (rows, i);
      g_autoptr(HeronMessage) item = NULL;

      if (row->folder_id == _heron_message_get_folder_id (message) && row->uid == heron_message_get_uid (message))
        item = g_object_ref (message);
      else
        item = _heron_message_list_make_message (self, account, NULL, row);
      g_list_store_append (store, item);
    }
  return G_LIST_MODEL (store);
}
