/* heron-message-list-threads.c: HeronMessageList: one item per conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-message-list-private.h"

/* Threads: one item per conversation, the newest message of it */

void
_heron_message_list_threads_build (HeronMessageList *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint n = _heron_message_list_base_n_items (self);

  g_clear_pointer (&self->threads, g_array_unref);
  self->threads = g_array_new (FALSE, FALSE, sizeof (Entry));
  for (guint p = 0; p < n; p++)
    {
      g_autoptr(HeronStoreMessage) owned = NULL;
      const HeronStoreMessage *row;
      Entry entry = { 0, };
      gint64 key;
      guint src;
      guint account_index;

      row = _heron_message_list_base_get_row (self, p, &src, &owned);
      if (row == NULL)
        continue;
      /* conversation ids are per account: tell accounts apart in the low bits */
      g_ptr_array_find (self->accounts, ((Source *) g_ptr_array_index (self->sources, src))->account,
                        &account_index);
      key = row->conversation_id != 0 ? (gint64) ((guint64) row->conversation_id << 8 | account_index)
                                      : -(gint64) p - 1;
      if (g_hash_table_contains (seen, &key))
        continue;
      g_hash_table_add (seen, g_memdup2 (&key, sizeof key));
      entry.src = src;
      entry.base_pos = p;
      entry.folder_id = row->folder_id;
      entry.uid = row->uid;
      entry.date = row->date;
      entry.conversation_id = row->conversation_id;
      g_array_append_val (self->threads, entry);
    }
}

/* Threaded: the conversations again, and one hunk between the first and the last that differ. */
void
_heron_message_list_threads_update (HeronMessageList *self)
{
  g_autoptr(GArray) old = g_steal_pointer (&self->threads);
  g_autoptr(GArray) hunks = _heron_message_list_hunks_new ();
  guint prefix = 0, suffix = 0;
  guint old_len, new_len;
  Hunk hunk = { 0, };

  _heron_message_list_threads_build (self);
  old_len = old != NULL ? old->len : 0;
  new_len = self->threads->len;

#define SAME(a, b) ((a)->src == (b)->src && (a)->folder_id == (b)->folder_id && (a)->uid == (b)->uid)
  while (prefix < old_len && prefix < new_len &&
         SAME (&g_array_index (old, Entry, prefix), &g_array_index (self->threads, Entry, prefix)))
    prefix++;
  while (suffix < old_len - prefix && suffix < new_len - prefix &&
         SAME (&g_array_index (old, Entry, old_len - 1 - suffix),
               &g_array_index (self->threads, Entry, new_len - 1 - suffix)))
    suffix++;
#undef SAME

  hunk.old_pos = hunk.new_pos = prefix;
  hunk.n_removed = old_len - prefix - suffix;
  hunk.n_added = new_len - prefix - suffix;
  if (hunk.n_removed == 0 && hunk.n_added == 0)
    return;
  g_array_append_val (hunks, hunk);
  _heron_message_list_emit_hunks (self, hunks);
}

/* The key of a conversation in the threaded view: conversation ids are per account. */
static gint64
thread_key (HeronMessageList *self,
            guint             src,
            gint64            conversation_id)
{
  guint account_index = 0;

  g_ptr_array_find (self->accounts, ((Source *) g_ptr_array_index (self->sources, src))->account,
                    &account_index);
  return (gint64) ((guint64) conversation_id << 8 | account_index);
}

/* Where old base position @position went through @hunks: FALSE when it was removed. */
static gboolean
map_position (GArray *hunks,
              guint   position,
              guint  *out_position)
{
  gint64 delta = 0;

  for (guint i = 0; i < hunks->len; i++)
    {
      const Hunk *h = &g_array_index (hunks, Hunk, i);

      if (position < h->old_pos)
        break;
      if (position < h->old_pos + h->n_removed)
        return FALSE;
      delta += (gint64) h->n_added - h->n_removed;
    }
  *out_position = (guint) (position + delta);
  return TRUE;
}

/* The newest message of a conversation in the list as it is now, as an entry; FALSE when the
 * list has none of it. */
static gboolean
newest_of_conversation (HeronMessageList *self,
                        guint             src,
                        gint64            conversation_id,
                        Entry            *out_entry)
{
  Source *source = g_ptr_array_index (self->sources, src);
  g_autoptr(GPtrArray) rows = NULL;
  gboolean found = FALSE;

  if (source->reader == NULL)
    return FALSE;
  rows = heron_store_reader_get_conversation (source->reader, conversation_id, NULL);
  /* oldest first: walk from the newest, and stop past the date of the first one found (of
   * messages of equal date, the list's order decides: the smallest position) */
  for (guint i = rows != NULL ? rows->len : 0; i > 0; i--)
    {
      const HeronStoreMessage *row = g_ptr_array_index (rows, i - 1);
      guint s = _heron_message_list_find_source (self, source->account, row->folder_id);
      Source *in;
      gint q = -1;
      guint position;

      if (found && row->date < out_entry->date)
        break;
      if (s == G_MAXUINT)
        continue;
      in = g_ptr_array_index (self->sources, s);
      if (in->reader == NULL ||
          !heron_store_reader_find_position (in->reader, row->folder_id, row->uid, &q, NULL) || q < 0)
        continue;
      if (self->kind == KIND_MERGED)
        {
          while (in->next <= (guint) q)
            if (!_heron_message_list_merged_extend (self, self->order->len))
              return FALSE;
          position = _heron_message_list_merged_position_of (self, s, q);
        }
      else
        position = q;
      if (!found || position < out_entry->base_pos)
        {
          out_entry->src = s;
          out_entry->base_pos = position;
          out_entry->folder_id = row->folder_id;
          out_entry->uid = row->uid;
          out_entry->date = row->date;
          out_entry->conversation_id = row->conversation_id;
          found = TRUE;
        }
    }
  return found;
}

static gint
entry_by_position (gconstpointer a,
                   gconstpointer b)
{
  const Entry *x = a, *y = b;

  return x->base_pos < y->base_pos ? -1 : x->base_pos > y->base_pos;
}

/* Threaded, after the unthreaded list changed by @hunks (exact ones: with their removed items
 * or not, in the list's coordinates): the conversations whose newest message left or came are
 * found again; the others only move. One hunk between the first and the last item that differ. */
void
_heron_message_list_threads_apply (HeronMessageList *self,
                                   GArray           *hunks)
{
  g_autoptr(GArray) old = g_steal_pointer (&self->threads);
  g_autoptr(GArray) threads = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_autoptr(GArray) result = _heron_message_list_hunks_new ();
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) lost = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;
  guint prefix = 0, suffix = 0;
  Hunk hunk = { 0, };

  /* 1. every conversation moves with the list; one whose newest message left is lost */
  for (guint i = 0; old != NULL && i < old->len; i++)
    {
      Entry entry = g_array_index (old, Entry, i);
      guint position;

      if (map_position (hunks, entry.base_pos, &position))
        {
          entry.base_pos = position;
          g_array_append_val (threads, entry);
          if (entry.conversation_id != 0)
            {
              gint64 k = thread_key (self, entry.src, entry.conversation_id);

              g_hash_table_insert (index, g_memdup2 (&k, sizeof k), GUINT_TO_POINTER (threads->len));
            }
        }
      else if (entry.conversation_id != 0)
        {
          gint64 k = thread_key (self, entry.src, entry.conversation_id);

          g_hash_table_insert (lost, g_memdup2 (&k, sizeof k), g_memdup2 (&entry, sizeof entry));
        }
    }

  /* 2. what came: a conversation of its own, or a newer message of one */
  for (guint h = 0; h < hunks->len; h++)
    {
      const Hunk *hk = &g_array_index (hunks, Hunk, h);

      for (guint p = hk->new_pos; p < hk->new_pos + hk->n_added; p++)
        {
          g_autoptr(HeronStoreMessage) owned = NULL;
          const HeronStoreMessage *row;
          Entry entry = { 0, };
          guint src;
          gint64 k;
          guint at;

          row = _heron_message_list_base_get_row (self, p, &src, &owned);
          if (row == NULL)
            continue;
          entry.src = src;
          entry.base_pos = p;
          entry.folder_id = row->folder_id;
          entry.uid = row->uid;
          entry.date = row->date;
          entry.conversation_id = row->conversation_id;
          if (entry.conversation_id == 0)
            {
              g_array_append_val (threads, entry);
              continue;
            }
          k = thread_key (self, src, entry.conversation_id);
          if (g_hash_table_contains (lost, &k))
            {
              /* found again below, with the messages that were there */
              continue;
            }
          at = GPOINTER_TO_UINT (g_hash_table_lookup (index, &k));
          if (at == 0)
            {
              g_array_append_val (threads, entry);
              g_hash_table_insert (index, g_memdup2 (&k, sizeof k), GUINT_TO_POINTER (threads->len));
            }
          else if (p < g_array_index (threads, Entry, at - 1).base_pos)
            g_array_index (threads, Entry, at - 1) = entry;
        }
    }

  /* 3. a conversation whose newest message left: its newest one now, if any */
  g_hash_table_iter_init (&iter, lost);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Entry *gone = value;
      Entry entry = { 0, };

      if (g_hash_table_contains (index, key))
        continue;
      if (newest_of_conversation (self, gone->src, gone->conversation_id, &entry))
        g_array_append_val (threads, entry);
    }

  g_array_sort (threads, entry_by_position);
  self->threads = g_steal_pointer (&threads);

  /* 4. one hunk over what differs */
#define SAME(a, b) ((a)->src == (b)->src && (a)->folder_id == (b)->folder_id && (a)->uid == (b)->uid)
  {
    guint old_len = old != NULL ? old->len : 0;
    guint new_len = self->threads->len;

    while (prefix < old_len && prefix < new_len &&
           SAME (&g_array_index (old, Entry, prefix), &g_array_index (self->threads, Entry, prefix)))
      prefix++;
    while (suffix < old_len - prefix && suffix < new_len - prefix &&
           SAME (&g_array_index (old, Entry, old_len - 1 - suffix),
                 &g_array_index (self->threads, Entry, new_len - 1 - suffix)))
      suffix++;
    hunk.old_pos = hunk.new_pos = prefix;
    hunk.n_removed = old_len - prefix - suffix;
    hunk.n_added = new_len - prefix - suffix;
  }
#undef SAME
  if (hunk.n_removed == 0 && hunk.n_added == 0)
    return;
  g_array_append_val (result, hunk);
  _heron_message_list_emit_hunks (self, result);
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
