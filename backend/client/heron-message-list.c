/* heron-message-list.c: HeronMessageList, a folder's messages as a GListModel over the cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How it reads (docs/client.md, "Messages and lists"):
 *
 * - A list has one or more sources, each one folder of one account with two read-only
 *   connections of its own. The current one holds a snapshot (a read transaction): the list's
 *   items are that committed state, whatever the worker writes meanwhile. Rows are read in
 *   windows around the positions asked for (WINDOW_SIZE when scrolling on, JUMP_WINDOW at a
 *   jump); a few windows are kept, nothing per row of the folder. n-items is the folder row's
 *   count.
 * - The objects it hands out are kept in a table of weak references (so that an item the view
 *   holds is the one that gets updates) and a ring of the RING_SIZE last ones asked for (so that
 *   asking twice does not make two objects). Nothing else keeps them.
 * - Changes: the account's ::event names the UIDs added, removed and changed in a folder. They
 *   are collected and applied in an idle: the positions of the removed UIDs are counted in the
 *   old snapshot, then the spare connection takes a new snapshot and the added UIDs are counted
 *   there. When the new count is not the old one minus the removed plus the added, the cache is
 *   ahead of the events (a commit whose event is still on its way): the new snapshot is dropped
 *   and the list waits for that event. Otherwise the connections swap and items-changed is
 *   emitted as minimal hunks, top to bottom; while it is emitted, get_item() answers for the
 *   state between two hunks. Flag changes do not emit items-changed: the objects alive are
 *   updated in place and notify (a row widget updates without being rebuilt or losing focus).
 * - Merged lists (the unified inbox) merge their sources by (date, uid) lazily: a byte per
 *   position says which source the item comes from, built up to the last position asked for
 *   (heron-message-list-merged.c).
 * - Search lists hold their hits (at most SEARCH_LIMIT per account from the local index, and the
 *   servers') as an ordered array of references (heron-message-list-search.c).
 * - Threaded: one item per conversation, its newest message; the sources read their folders'
 *   conversations from the cache's index of them instead of their messages, a page at a time
 *   like the flat list (heron-message-list-threads.c).
 */

#include "config.h"

#include <string.h>

#include "heron-message-list-private.h"

typedef struct {
  HeronAccount *account;
  gint64        folder_id;
  gint64        uid;
} LiveKey;

typedef struct {
  LiveKey           key;
  HeronMessage     *message;
  HeronMessageList *list;
} Live;

static void heron_message_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeronMessageList, heron_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, heron_message_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_THREADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SEARCH_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Keys: newest first, then the higher UID, then the lower source */

int
_heron_message_list_compare_keys (gint64 date_a, gint64 uid_a, guint src_a,
                                  gint64 date_b, gint64 uid_b, guint src_b)
{
  /* < 0: a comes first */
  if (date_a != date_b)
    return date_a > date_b ? -1 : 1;
  if (uid_a != uid_b)
    return uid_a > uid_b ? -1 : 1;
  if (src_a != src_b)
    return src_a < src_b ? -1 : 1;
  return 0;
}

/* Live objects */

static guint
live_key_hash (gconstpointer data)
{
  const LiveKey *key = data;

  return g_direct_hash (key->account) ^ (guint) (key->folder_id * 7919) ^ (guint) key->uid ^
         (guint) (key->uid >> 32);
}

static gboolean
live_key_equal (gconstpointer a,
                gconstpointer b)
{
  const LiveKey *x = a, *y = b;

  return x->account == y->account && x->folder_id == y->folder_id && x->uid == y->uid;
}

static void
live_gone (gpointer  data,
           GObject  *where_the_object_was)
{
  Live *live = data;

  g_hash_table_remove (live->list->live, &live->key);
}

HeronMessage *
_heron_message_list_live_lookup (HeronMessageList *self,
                                 HeronAccount     *account,
                                 gint64            folder_id,
                                 gint64            uid)
{
  LiveKey key = { account, folder_id, uid };
  Live *live = g_hash_table_lookup (self->live, &key);

  return live != NULL ? live->message : NULL;
}

static void
remember (HeronMessageList *self,
          HeronMessage     *message)
{
  g_set_object (&self->ring[self->ring_next], message);
  self->ring_next = (self->ring_next + 1) % RING_SIZE;
}

/* The object for a row: the one alive (brought up to date), or a new one. Full reference. */
HeronMessage *
_heron_message_list_make_message (HeronMessageList        *self,
                                  HeronAccount            *account,
                                  HeronFolder             *folder,
                                  const HeronStoreMessage *row)
{
  HeronMessage *message = _heron_message_list_live_lookup (self, account, row->folder_id, row->uid);
  Live *live;

  if (message != NULL)
    return g_object_ref (message);

  if (folder == NULL || _heron_folder_get_id (folder) != row->folder_id)
    folder = _heron_account_lookup_folder_by_id (account, row->folder_id);
  message = _heron_message_new (account, folder, row);
  live = g_new0 (Live, 1);
  live->key.account = account;
  live->key.folder_id = row->folder_id;
  live->key.uid = row->uid;
  live->message = message;
  live->list = self;
  g_object_weak_ref (G_OBJECT (message), live_gone, live);
  g_hash_table_insert (self->live, &live->key, live);
  return message;
}

/* Sources */

static void
source_drop_windows (Source *source)
{
  for (guint i = 0; i < N_WINDOWS; i++)
    {
      g_clear_pointer (&source->windows[i].rows, g_ptr_array_unref);
      g_clear_pointer (&source->windows[i].conversations, g_array_unref);
    }
  source->last_conversation = NULL;
}

void
_heron_message_list_source_drop_windows (Source *source)
{
  source_drop_windows (source);
}

static void
source_free (Source *source)
{
  source_drop_windows (source);
  if (source->reader != NULL)
    heron_store_reader_end_snapshot (source->reader);
  g_clear_object (&source->reader);
  g_clear_object (&source->spare);
  g_clear_object (&source->account);
  g_clear_object (&source->folder);
  g_clear_pointer (&source->pending_members, g_hash_table_unref);
  g_clear_pointer (&source->pending_changed, g_hash_table_unref);
  g_clear_pointer (&source->pending_sent, g_hash_table_unref);
  g_free (source);
}

/* Opens the two connections and takes the first snapshot. A cache the worker has not created
 * yet leaves the source empty; the next event tries again. */
static gboolean
source_open (Source  *source,
             GError **error)
{
  const char *path = heron_account_get_store_path (source->account);
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreReader) spare = NULL;
  guint count = 0;

  if (source->reader != NULL)
    return TRUE;
  if (path == NULL)
    return g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                        "The account has no mail cache yet"), FALSE;
  reader = heron_store_reader_open (path, error);
  if (reader == NULL)
    return FALSE;
  spare = heron_store_reader_open (path, error);
  if (spare == NULL)
    return FALSE;
  if (!heron_store_reader_begin_snapshot (reader, error))
    return FALSE;
  if (source->folder_id != 0 &&
      !_heron_message_list_source_count (source, reader, &count))
    count = 0;
  source->reader = g_steal_pointer (&reader);
  source->spare = g_steal_pointer (&spare);
  source->count = count;
  return TRUE;
}

Source *
_heron_message_list_source_new (HeronAccount *account,
                                HeronFolder  *folder)
{
  Source *source = g_new0 (Source, 1);
  g_autoptr(GError) error = NULL;

  source->account = g_object_ref (account);
  if (folder != NULL)
    {
      source->folder = g_object_ref (folder);
      source->folder_id = _heron_folder_get_id (folder);
    }
  source->pending_members = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  source->pending_changed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  source->pending_sent = g_hash_table_new_full (_heron_message_list_pair_hash, _heron_message_list_pair_equal,
                                                g_free, NULL);
  if (folder != NULL && !source_open (source, &error))
    g_debug ("Message list of %s: %s", heron_folder_get_name (folder), error->message);
  return source;
}

/* The list row at @position of the snapshot (borrowed: valid until the next read of this
 * source), or NULL on a read error. */
const HeronStoreMessage *
_heron_message_list_source_get_row (Source *source,
                                    guint   position)
{
  Window *window = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows;
  GArray *conversations = NULL;
  guint start, size;

  if (position >= source->count || source->reader == NULL)
    return NULL;

  for (guint i = 0; i < N_WINDOWS; i++)
    {
      Window *w = &source->windows[i];

      if (w->rows != NULL && position >= w->start && position < w->start + w->rows->len)
        {
          w->used = ++source->clock;
          source->last_conversation = w->conversations != NULL
            ? &g_array_index (w->conversations, HeronStoreFolderConversation, position - w->start) : NULL;
          return g_ptr_array_index (w->rows, position - w->start);
        }
      if (window == NULL || w->rows == NULL || (window->rows != NULL && w->used < window->used))
        window = w;
    }

  /* Scrolling on from a window reads the next one from where that one ended (the reader's
   * fast path); back from one, the one before it; a jump only what a screen needs. */
  start = position - position % JUMP_WINDOW;
  size = JUMP_WINDOW;
  for (guint i = 0; i < N_WINDOWS; i++)
    {
      Window *w = &source->windows[i];

      if (w->rows == NULL)
        continue;
      if (w->start + w->rows->len == position)
        {
          start = position;
          size = WINDOW_SIZE;
          break;
        }
      if (w->start == position + 1)
        {
          start = position + 1 > WINDOW_SIZE ? position + 1 - WINDOW_SIZE : 0;
          size = w->start - start;
          break;
        }
    }
  if (source->threaded)
    rows = _heron_message_list_threads_read (source, start, size, &conversations, &error);
  else
    rows = heron_store_reader_get_rows (source->reader, source->folder_id, start, size, &error);
  if (rows == NULL)
    {
      g_warning ("Could not read the message list of %s: %s",
                 source->folder != NULL ? heron_folder_get_name (source->folder) : "?", error->message);
      return NULL;
    }
  g_clear_pointer (&window->rows, g_ptr_array_unref);
  g_clear_pointer (&window->conversations, g_array_unref);
  window->rows = rows;
  window->conversations = conversations;
  window->start = start;
  window->used = ++source->clock;
  source->last_conversation = NULL;
  if (position - start >= rows->len)
    return NULL;
  if (conversations != NULL)
    source->last_conversation = &g_array_index (conversations, HeronStoreFolderConversation, position - start);
  return g_ptr_array_index (rows, position - start);
}

guint
_heron_message_list_find_source (HeronMessageList *self,
                                 HeronAccount     *account,
                                 gint64            folder_id)
{
  for (guint i = 0; i < self->sources->len; i++)
    {
      Source *source = g_ptr_array_index (self->sources, i);

      if (source->account == account && (source->folder_id == folder_id || source->folder == NULL))
        return i;
    }
  return G_MAXUINT;
}

/* The unthreaded list ("base") */

guint
_heron_message_list_base_n_items (HeronMessageList *self)
{
  guint n = 0;

  if (self->kind == KIND_SEARCH)
    return self->entries->len;
  for (guint s = 0; s < self->sources->len; s++)
    n += ((Source *) g_ptr_array_index (self->sources, s))->count;
  return n;
}

/* The row at @position (borrowed, or owned through @owned for search hits) and its source. */
const HeronStoreMessage *
_heron_message_list_base_get_row (HeronMessageList   *self,
                                  guint               position,
                                  guint              *out_src,
                                  HeronStoreMessage **owned)
{
  *owned = NULL;
  switch (self->kind)
    {
    case KIND_FOLDER:
      *out_src = 0;
      return _heron_message_list_source_get_row (g_ptr_array_index (self->sources, 0), position);

    case KIND_MERGED:
      if (position >= _heron_message_list_base_n_items (self) || !_heron_message_list_merged_extend (self, position))
        return NULL;
      *out_src = self->order->data[position];
      return _heron_message_list_source_get_row (g_ptr_array_index (self->sources, *out_src),
                             _heron_message_list_merged_source_position (self, position));

    case KIND_SEARCH:
      {
        const Entry *entry;
        Source *source;
        g_autoptr(GError) error = NULL;

        if (position >= self->entries->len)
          return NULL;
        entry = &g_array_index (self->entries, Entry, position);
        source = g_ptr_array_index (self->sources, entry->src);
        *out_src = entry->src;
        *owned = heron_store_reader_get_message (_heron_account_get_reader (source->account),
                                                 entry->folder_id, entry->uid, &error);
        if (*owned == NULL)
          g_debug ("Search hit %" G_GINT64_FORMAT " gone: %s", entry->uid, error->message);
        return *owned;
      }

    default:
      g_assert_not_reached ();
      return NULL;
    }
}

static HeronMessage *
base_get_item (HeronMessageList *self,
               guint             position)
{
  g_autoptr(HeronStoreMessage) owned = NULL;
  const HeronStoreMessage *row;
  HeronMessage *message;
  Source *source;
  guint src = 0;

  row = _heron_message_list_base_get_row (self, position, &src, &owned);
  if (row == NULL)
    return NULL;
  source = g_ptr_array_index (self->sources, src);
  message = _heron_message_list_make_message (self, source->account, source->folder, row);
  _heron_message_list_threads_set_counts (source, message);
  return message;
}

/* GListModel */

static guint
list_n_items (HeronMessageList *self)
{
  return _heron_message_list_base_n_items (self);
}

/* The item at @position of the current (new) state. */
static HeronMessage *
real_get_item (HeronMessageList *self,
               guint             position)
{
  if (position >= _heron_message_list_base_n_items (self))
    return NULL;
  return base_get_item (self, position);
}

static GType
heron_message_list_get_item_type (GListModel *model)
{
  return HERON_TYPE_MESSAGE;
}

static guint
heron_message_list_get_n_items (GListModel *model)
{
  return HERON_MESSAGE_LIST (model)->n_items;
}

static gpointer
heron_message_list_get_item (GListModel *model,
                             guint       position)
{
  HeronMessageList *self = HERON_MESSAGE_LIST (model);
  HeronMessage *message = NULL;

  if (position >= self->n_items)
    return NULL;

  /* Between two hunks of one change: above the hunk emitted last the items are the new ones;
   * below it, the old ones, found through the hunks still to come. */
  if (self->emit_hunks != NULL && self->emit_index + 1 < self->emit_hunks->len)
    {
      const Hunk *h = &g_array_index (self->emit_hunks, Hunk, self->emit_index);
      guint end_new = h->new_pos + h->n_added;
      guint end_old = h->old_pos + h->n_removed;

      if (position >= end_new)
        {
          guint j = position - end_new + end_old;
          gint64 delta = (gint64) end_new - end_old;

          for (guint m = self->emit_index + 1; m < self->emit_hunks->len; m++)
            {
              const Hunk *later = &g_array_index (self->emit_hunks, Hunk, m);

              if (j < later->old_pos)
                break;
              if (j < later->old_pos + later->n_removed)
                {
                  if (later->removed != NULL)
                    message = g_object_ref (g_ptr_array_index (later->removed, j - later->old_pos));
                  break;
                }
              delta += (gint64) later->n_added - later->n_removed;
            }
          if (message == NULL)
            message = real_get_item (self, (guint) (j + delta));
          if (message != NULL)
            remember (self, message);
          return message;
        }
    }

  message = real_get_item (self, position);
  if (message != NULL)
    remember (self, message);
  return message;
}

static void
heron_message_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = heron_message_list_get_item_type;
  iface->get_n_items = heron_message_list_get_n_items;
  iface->get_item = heron_message_list_get_item;
}

/* Emitting changes */

static void
hunk_clear (gpointer data)
{
  Hunk *hunk = data;

  g_clear_pointer (&hunk->removed, g_ptr_array_unref);
}

GArray *
_heron_message_list_hunks_new (void)
{
  GArray *hunks = g_array_new (FALSE, TRUE, sizeof (Hunk));

  g_array_set_clear_func (hunks, hunk_clear);
  return hunks;
}

void
_heron_message_list_emit_hunks (HeronMessageList *self,
                                GArray           *hunks)
{
  guint old_n = self->n_items;

  if (hunks->len == 0)
    return;
  self->emit_hunks = hunks;
  for (guint k = 0; k < hunks->len; k++)
    {
      const Hunk *h = &g_array_index (hunks, Hunk, k);

      self->emit_index = k;
      self->n_items = self->n_items - h->n_removed + h->n_added;
      g_list_model_items_changed (G_LIST_MODEL (self), h->new_pos, h->n_removed, h->n_added);
    }
  self->emit_hunks = NULL;
  if (G_UNLIKELY (self->n_items != list_n_items (self)))
    {
      /* a bug: say so, and let the views read everything again rather than show wrong rows */
      guint told = self->n_items;

      g_critical ("Message list: %u items announced, %u there", told, list_n_items (self));
      self->n_items = list_n_items (self);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, told, self->n_items);
    }
  if (self->n_items != old_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Everything read again: one hunk over the whole list. */
static void
emit_reset (HeronMessageList *self)
{
  g_autoptr(GArray) hunks = _heron_message_list_hunks_new ();
  Hunk hunk = { 0, self->n_items, 0, list_n_items (self), NULL };

  if (hunk.n_removed == 0 && hunk.n_added == 0)
    return;
  g_array_append_val (hunks, hunk);
  _heron_message_list_emit_hunks (self, hunks);
}

void
_heron_message_list_op_clear (gpointer data)
{
  g_clear_object (&((Op *) data)->message);
}

gint
_heron_message_list_op_compare (gconstpointer a,
                                gconstpointer b)
{
  const Op *x = a, *y = b;

  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The minimal hunks, top to bottom, for removals at old positions and additions at new ones. */
GArray *
_heron_message_list_hunks_from_ops (GArray *removals,
                                    GArray *additions)
{
  GArray *hunks = _heron_message_list_hunks_new ();
  Hunk cur = { 0, };
  gboolean have_cur = FALSE;
  gint64 delta = 0;
  guint i = 0, j = 0;

  g_array_sort (removals, _heron_message_list_op_compare);
  g_array_sort (additions, _heron_message_list_op_compare);
  while (i < removals->len || j < additions->len)
    {
      gboolean remove;
      guint p;

      if (i < removals->len &&
          (j >= additions->len ||
           (gint64) g_array_index (removals, Op, i).pos + delta <= (gint64) g_array_index (additions, Op, j).pos))
        {
          remove = TRUE;
          p = (guint) (g_array_index (removals, Op, i).pos + delta);
        }
      else
        {
          remove = FALSE;
          p = g_array_index (additions, Op, j).pos;
        }

      if (!have_cur || p != cur.new_pos + cur.n_added)
        {
          if (have_cur)
            g_array_append_val (hunks, cur);
          memset (&cur, 0, sizeof cur);
          cur.new_pos = p;
          cur.old_pos = (guint) (p - delta);
          cur.removed = g_ptr_array_new_with_free_func (g_object_unref);
          have_cur = TRUE;
        }
      if (remove)
        {
          HeronMessage *message = g_array_index (removals, Op, i).message;

          cur.n_removed++;
          if (cur.removed != NULL && message != NULL)
            g_ptr_array_add (cur.removed, g_object_ref (message));
          else
            g_clear_pointer (&cur.removed, g_ptr_array_unref);
          delta--;
          i++;
        }
      else
        {
          cur.n_added++;
          delta++;
          j++;
        }
    }
  if (have_cur)
    g_array_append_val (hunks, cur);
  return hunks;
}

/* Applying a source's changes */

static void
delta_clear (Delta *delta)
{
  g_clear_pointer (&delta->removals, g_array_unref);
  g_clear_pointer (&delta->additions, g_array_unref);
  g_clear_pointer (&delta->added_keys, g_array_unref);
  g_clear_pointer (&delta->conversation_counts, g_array_unref);
}

/* The extremes (by list order) of @uids present in @reader's snapshot, as positions. */
static void
find_span (HeronStoreReader *reader,
           gint64            folder_id,
           GArray           *uids,
           gboolean         *out_have,
           guint            *out_first,
           guint            *out_last)
{
  gint64 first_uid = 0, last_uid = 0, first_date = 0, last_date = 0;
  gboolean have = FALSE;
  gint pos;

  for (guint i = 0; i < uids->len; i++)
    {
      gint64 uid = g_array_index (uids, gint64, i);
      g_autoptr(HeronStoreMessage) row = heron_store_reader_get_message (reader, folder_id, uid, NULL);

      if (row == NULL)
        continue;
      if (!have || _heron_message_list_compare_keys (row->date, row->uid, 0, first_date, first_uid, 0) < 0)
        first_date = row->date, first_uid = row->uid;
      if (!have || _heron_message_list_compare_keys (row->date, row->uid, 0, last_date, last_uid, 0) > 0)
        last_date = row->date, last_uid = row->uid;
      have = TRUE;
    }
  *out_have = have;
  if (!have)
    return;
  heron_store_reader_find_position (reader, folder_id, first_uid, &pos, NULL);
  *out_first = MAX (pos, 0);
  heron_store_reader_find_position (reader, folder_id, last_uid, &pos, NULL);
  *out_last = MAX (pos, 0);
}

/* Takes a new snapshot on the spare connection and works out what changed for the pending
 * UIDs. FALSE when the new state holds changes whose events have not arrived (the spare's
 * snapshot is dropped then). */
static gboolean
source_prepare (HeronMessageList *self,
                Source           *source,
                Delta            *delta)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;
  guint new_count = 0;
  guint n_old = 0, n_new = 0;

  memset (delta, 0, sizeof *delta);
  delta->source = source;
  delta->removals = g_array_new (FALSE, TRUE, sizeof (Op));
  g_array_set_clear_func (delta->removals, _heron_message_list_op_clear);
  delta->additions = g_array_new (FALSE, TRUE, sizeof (Op));
  g_array_set_clear_func (delta->additions, _heron_message_list_op_clear);
  delta->added_keys = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (source->reader == NULL)
    {
      if (!source_open (source, &error))
        {
          g_debug ("Message list: %s", error->message);
          return TRUE;   /* still nothing: no change */
        }
      /* the cache appeared: everything is new */
      delta->reset = TRUE;
      delta->new_count = source->count;
      source->count = 0;
      /* the snapshot is current already: nothing to swap */
      return TRUE;
    }

  if (!heron_store_reader_begin_snapshot (source->spare, &error))
    {
      g_warning ("Could not read the mail cache: %s", error->message);
      return FALSE;
    }
  if (!_heron_message_list_source_count (source, source->spare, &new_count))
    {
      /* the folder went */
      delta->reset = TRUE;
      delta->swap = TRUE;
      delta->new_count = 0;
      return TRUE;
    }
  delta->swap = TRUE;
  delta->new_count = new_count;
  if (source->threaded)
    return _heron_message_list_threads_prepare (self, source, delta);

  g_hash_table_iter_init (&iter, source->pending_members);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (uids, *(gint64 *) key);

  if (uids->len > SMALL_BATCH)
    {
      delta->big = TRUE;
      for (guint i = 0; i < uids->len; i++)
        {
          gint64 uid = g_array_index (uids, gint64, i);
          g_autoptr(HeronStoreMessage) old_row = heron_store_reader_get_message (source->reader, source->folder_id, uid, NULL);
          g_autoptr(HeronStoreMessage) new_row = heron_store_reader_get_message (source->spare, source->folder_id, uid, NULL);

          /* in both states at the same place: the list had it already */
          if (old_row != NULL && new_row != NULL && old_row->date == new_row->date)
            {
              g_array_remove_index_fast (uids, i--);
              continue;
            }
          n_old += old_row != NULL;
          n_new += new_row != NULL;
        }
      find_span (source->reader, source->folder_id, uids, &delta->span_have_old,
                 &delta->span_old_first, &delta->span_old_last);
      find_span (source->spare, source->folder_id, uids, &delta->span_have_new,
                 &delta->span_new_first, &delta->span_new_last);
    }
  else
    {
      for (guint i = 0; i < uids->len; i++)
        {
          gint64 uid = g_array_index (uids, gint64, i);
          gint old_pos = -1, new_pos = -1;

          g_autoptr(HeronStoreMessage) old_row = heron_store_reader_get_message (source->reader, source->folder_id, uid, NULL);
          g_autoptr(HeronStoreMessage) new_row = heron_store_reader_get_message (source->spare, source->folder_id, uid, NULL);

          /* in both states at the same place: the list had it already (an event that was on
           * its way when the list was made, or a change reported as removed then added) */
          if (old_row != NULL && new_row != NULL && old_row->date == new_row->date)
            {
              g_hash_table_add (source->pending_changed, g_memdup2 (&uid, sizeof uid));
              continue;
            }
          if (old_row != NULL)
            heron_store_reader_find_position (source->reader, source->folder_id, uid, &old_pos, NULL);
          if (new_row != NULL)
            heron_store_reader_find_position (source->spare, source->folder_id, uid, &new_pos, NULL);
          if (old_pos >= 0)
            {
              Op op = { (guint) old_pos, NULL, 0 };

              op.message = _heron_message_list_make_message (self, source->account, source->folder, old_row);
              g_array_append_val (delta->removals, op);
              n_old++;
            }
          if (new_pos >= 0)
            {
              Op op = { (guint) new_pos, NULL, 0 };

              g_array_append_val (delta->additions, op);
              g_array_append_val (delta->added_keys, new_row->date);
              g_array_append_val (delta->added_keys, uid);
              n_new++;
            }
        }
    }

  if ((gint64) source->count - n_old + n_new != (gint64) new_count)
    {
      g_debug ("Message list of %s: the cache is ahead of the events (%u - %u + %u != %u); waiting",
               source->folder != NULL ? heron_folder_get_name (source->folder) : "?",
               source->count, n_old, n_new, new_count);
      heron_store_reader_end_snapshot (source->spare);
      delta_clear (delta);
      return FALSE;
    }
  return TRUE;
}

/* The spare's snapshot becomes the list's state. */
void
_heron_message_list_source_commit (Source *source,
                                   Delta  *delta)
{
  source_drop_windows (source);
  if (delta->swap)
    {
      HeronStoreReader *reader = source->reader;

      heron_store_reader_end_snapshot (reader);
      source->reader = source->spare;
      source->spare = reader;
    }
  source->count = delta->new_count;
}

/* Brings the objects alive up to date with the rows of the new snapshots. */
static void
update_live (HeronMessageList *self,
             Source           *source,
             GHashTable       *uids)
{
  GHashTableIter iter;
  gpointer key;

  if (source->reader == NULL)
    return;
  g_hash_table_iter_init (&iter, uids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      HeronMessage *message = _heron_message_list_live_lookup (self, source->account, source->folder_id, *(gint64 *) key);
      g_autoptr(HeronStoreMessage) row = NULL;

      if (message == NULL)
        continue;
      row = heron_store_reader_get_message (source->reader, source->folder_id, *(gint64 *) key, NULL);
      if (row != NULL)
        _heron_message_update (message, row);
    }
}

static void
clear_pending (Source *source)
{
  g_hash_table_remove_all (source->pending_members);
  g_hash_table_remove_all (source->pending_changed);
  g_hash_table_remove_all (source->pending_sent);
  source->pending_check = FALSE;
}

static gboolean
on_fallback (gpointer user_data);

/* The hunks of a folder list's change (old positions of the removals, new of the additions). */
static GArray *
folder_hunks (Delta *delta,
              guint  old_n)
{
  GArray *hunks;

  if (delta->big)
    {
      guint new_n = delta->new_count;
      gint64 first = G_MAXINT64;
      gint64 rmax = -1, amax = -1;
      gint64 tail;
      Hunk hunk = { 0, };

      if (delta->span_have_old)
        {
          first = MIN (first, delta->span_old_first);
          rmax = delta->span_old_last;
        }
      if (delta->span_have_new)
        {
          first = MIN (first, delta->span_new_first);
          amax = delta->span_new_last;
        }
      hunks = _heron_message_list_hunks_new ();
      if (first == G_MAXINT64)
        return hunks;
      tail = MIN ((gint64) old_n - (rmax + 1), (gint64) new_n - (amax + 1));
      tail = MIN (tail, (gint64) old_n - first);
      tail = MIN (tail, (gint64) new_n - first);
      hunk.old_pos = hunk.new_pos = (guint) first;
      hunk.n_removed = (guint) (old_n - tail - first);
      hunk.n_added = (guint) (new_n - tail - first);
      if (hunk.n_removed > 0 || hunk.n_added > 0)
        g_array_append_val (hunks, hunk);
      return hunks;
    }
  return _heron_message_list_hunks_from_ops (delta->removals, delta->additions);
}

static void
schedule_process (HeronMessageList *self);

/* Applies what the events reported (see the top of the file). */
static void
process_changes (HeronMessageList *self)
{
  g_autofree Delta *deltas = g_new0 (Delta, self->sources->len);
  guint n_deltas = 0;
  guint old_total = _heron_message_list_base_n_items (self);
  gboolean ahead = FALSE;
  gboolean renewal = self->renewal_wanted;
  gboolean structural = FALSE;
  gboolean reset = FALSE;
  gboolean big = FALSE;

  self->renewal_wanted = FALSE;
  for (guint s = 0; s < self->sources->len && !ahead; s++)
    {
      Source *source = g_ptr_array_index (self->sources, s);

      if (!renewal && !source->pending_check && source->reader != NULL &&
          g_hash_table_size (source->pending_members) == 0 &&
          g_hash_table_size (source->pending_changed) == 0 &&
          g_hash_table_size (source->pending_sent) == 0)
        continue;
      if (!source_prepare (self, source, &deltas[n_deltas]))
        ahead = TRUE;
      n_deltas++;
    }

  if (ahead)
    {
      /* the events of what the cache holds are on their way: wait for them */
      for (guint d = 0; d + 1 < n_deltas; d++)
        if (deltas[d].swap)
          heron_store_reader_end_snapshot (deltas[d].source->spare);
      for (guint d = 0; d < n_deltas; d++)
        delta_clear (&deltas[d]);
      if (self->fallback_id == 0)
        self->fallback_id = g_timeout_add (FALLBACK_MS, on_fallback, self);
      return;
    }
  g_clear_handle_id (&self->fallback_id, g_source_remove);
  self->last_renewal = g_get_monotonic_time ();

  for (guint d = 0; d < n_deltas; d++)
    {
      Delta *delta = &deltas[d];

      reset |= delta->reset;
      big |= delta->big;
      structural |= delta->reset || delta->big || delta->removals->len > 0 || delta->additions->len > 0;
    }

  /* the new snapshots become the list's state (a merged list's order is still the old one:
   * the hunks below translate it) */
  for (guint d = 0; d < n_deltas; d++)
    _heron_message_list_source_commit (deltas[d].source, &deltas[d]);
  if (self->kind == KIND_MERGED && structural && reset)
    _heron_message_list_merged_clear (self);

  /* the objects alive first, so that rows made during items-changed find them current */
  for (guint d = 0; d < n_deltas; d++)
    {
      update_live (self, deltas[d].source, deltas[d].source->pending_changed);
      update_live (self, deltas[d].source, deltas[d].source->pending_members);
      _heron_message_list_threads_update_live (self, &deltas[d]);
      clear_pending (deltas[d].source);
    }

  if (reset)
    emit_reset (self);
  else if (structural)
    {
      g_autoptr(GArray) hunks = NULL;

      if (self->kind == KIND_FOLDER)
        hunks = folder_hunks (&deltas[0], old_total);
      else if (big)
        hunks = _heron_message_list_merged_span (self, deltas, n_deltas, old_total);
      else
        hunks = _heron_message_list_merged_hunks (self, deltas, n_deltas, old_total);
      _heron_message_list_emit_hunks (self, hunks);
    }

  for (guint d = 0; d < n_deltas; d++)
    delta_clear (&deltas[d]);
}

static gboolean
on_process (gpointer user_data)
{
  HeronMessageList *self = user_data;

  self->process_id = 0;
  process_changes (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_process (HeronMessageList *self)
{
  if (self->process_id == 0)
    self->process_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_process, self, NULL);
}

/* An event never came for what the cache holds: read everything again. */
static gboolean
on_fallback (gpointer user_data)
{
  HeronMessageList *self = user_data;

  self->fallback_id = 0;
  g_debug ("Message list: no event for the cache's changes; reading the list again");
  for (guint s = 0; s < self->sources->len; s++)
    {
      Source *source = g_ptr_array_index (self->sources, s);
      g_autoptr(GError) error = NULL;
      guint count = 0;
      GHashTableIter iter;
      Live *live;

      clear_pending (source);
      source_drop_windows (source);
      if (source->reader == NULL)
        continue;
      heron_store_reader_end_snapshot (source->reader);
      if (!heron_store_reader_begin_snapshot (source->reader, &error))
        {
          g_warning ("Could not read the mail cache: %s", error->message);
          g_clear_object (&source->reader);
          g_clear_object (&source->spare);
          source->count = 0;
          continue;
        }
      if (!_heron_message_list_source_count (source, source->reader, &count))
        count = 0;
      source->count = count;

      g_hash_table_iter_init (&iter, self->live);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &live))
        if (live->key.account == source->account && live->key.folder_id == source->folder_id)
          {
            g_autoptr(HeronStoreMessage) row = heron_store_reader_get_message (source->reader, source->folder_id,
                                                                             live->key.uid, NULL);
            if (row != NULL)
              _heron_message_update (live->message, row);
          }
    }
  if (self->kind == KIND_MERGED)
    _heron_message_list_merged_clear (self);
  emit_reset (self);
  return G_SOURCE_REMOVE;
}

void
_heron_message_list_emit_search_done (HeronMessageList *self)
{
  g_signal_emit (self, signals[SIGNAL_SEARCH_DONE], 0, self->search_error);
}

/* Events */

static void
on_account_event (HeronAccount   *account,
                  HeronSyncEvent *event,
                  gpointer        user_data)
{
  HeronMessageList *self = user_data;
  gboolean mine = FALSE;

  /* The writes paused and the worker copied the write-ahead log into the database: a snapshot
   * taken now (a renewal: the same state when nothing changed) reads the database alone once
   * the copy is whole, and lets the log start over (heron-account-worker.c, "checkpoint").
   * Searches hold no snapshot. */
  if (event->kind == HERON_SYNC_EVENT_CACHE_SETTLED)
    {
      if (self->kind != KIND_SEARCH)
        {
          self->renewal_wanted = TRUE;
          schedule_process (self);
        }
      return;
    }

  if (self->kind == KIND_SEARCH)
    {
      if (event->kind == HERON_SYNC_EVENT_MESSAGES_REMOVED || event->kind == HERON_SYNC_EVENT_MESSAGES_CHANGED ||
          event->kind == HERON_SYNC_EVENT_BODY_FETCHED)
        _heron_message_list_search_take_event (self, account, event);
      return;
    }

  for (guint s = 0; s < self->sources->len; s++)
    {
      Source *source = g_ptr_array_index (self->sources, s);
      GHashTable *set = NULL;

      if (source->account != account)
        continue;
      if (event->kind == HERON_SYNC_EVENT_FOLDERS_CHANGED)
        {
          source->pending_check = TRUE;
          mine = TRUE;
          continue;
        }
      /* threaded: a Sent folder's messages are members of the folder's conversations */
      if (_heron_message_list_threads_take_event (source, event))
        {
          mine = TRUE;
          continue;
        }
      if (source->folder == NULL || g_strcmp0 (heron_folder_get_name (source->folder), event->folder) != 0)
        continue;

      switch (event->kind)
        {
        case HERON_SYNC_EVENT_MESSAGES_ADDED:
        case HERON_SYNC_EVENT_MESSAGES_REMOVED:
          set = source->pending_members;
          break;
        case HERON_SYNC_EVENT_MESSAGES_CHANGED:
        case HERON_SYNC_EVENT_BODY_FETCHED:
          set = source->pending_changed;
          break;
        case HERON_SYNC_EVENT_FOLDER_CHANGED:
          /* a count changed: the events of the messages come with it */
          continue;
        default:
          continue;
        }
      mine = TRUE;
      if (event->uids != NULL)
        for (guint i = 0; i < event->uids->len; i++)
          g_hash_table_add (set, g_memdup2 (&g_array_index (event->uids, gint64, i), sizeof (gint64)));
    }

  /* Another folder's writes: move the snapshot on now and then, so that an old read
   * transaction does not keep the cache's write-ahead log from being checkpointed. */
  if (!mine && g_get_monotonic_time () - self->last_renewal > RENEW_US)
    {
      self->renewal_wanted = TRUE;
      mine = TRUE;
    }
  if (mine)
    schedule_process (self);
}

/* The sources of @account let their readers (and snapshots) go; its items leave the list. */
static void
close_sources_of (HeronMessageList *self,
                  HeronAccount     *account)
{
  gboolean closed = FALSE;

  if (self->kind == KIND_SEARCH)
    return;
  for (guint s = 0; s < self->sources->len; s++)
    {
      Source *source = g_ptr_array_index (self->sources, s);

      if (source->account != account || source->reader == NULL)
        continue;
      clear_pending (source);
      source_drop_windows (source);
      heron_store_reader_end_snapshot (source->reader);
      g_clear_object (&source->reader);
      g_clear_object (&source->spare);
      source->count = 0;
      closed = TRUE;
    }
  if (!closed)
    return;
  g_clear_handle_id (&self->fallback_id, g_source_remove);
  if (self->kind == KIND_MERGED)
    _heron_message_list_merged_clear (self);
  emit_reset (self);
}

/* An account that stopped (shut down, removed, or about to restart with a new config) closed
 * its cache: so do its sources, and their items leave. The next event of a new worker opens
 * them again. */
static void
on_account_state (HeronAccount *account,
                  GParamSpec   *pspec,
                  gpointer      user_data)
{
  if (heron_account_get_state (account) != HERON_SYNC_STATE_STOPPED ||
      _heron_account_get_worker (account) != NULL)
    return;
  close_sources_of (user_data, account);
}

/* The application shuts the account down: the snapshots go before its worker's writer closes. */
static void
on_account_closing (HeronAccount *account,
                    gpointer      user_data)
{
  close_sources_of (user_data, account);
}

void
_heron_message_list_follow_account (HeronMessageList *self,
                                    HeronAccount     *account)
{
  if (g_ptr_array_find (self->accounts, account, NULL))
    return;
  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_signal_connect_object (account, "event", G_CALLBACK (on_account_event), self, 0);
  g_signal_connect_object (account, "notify::state", G_CALLBACK (on_account_state), self, 0);
  g_signal_connect_object (account, "closing", G_CALLBACK (on_account_closing), self, 0);
}

/* GObject */

static void
heron_message_list_dispose (GObject *object)
{
  HeronMessageList *self = HERON_MESSAGE_LIST (object);
  GHashTableIter iter;
  Live *live;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->process_id, g_source_remove);
  g_clear_handle_id (&self->fallback_id, g_source_remove);

  for (guint i = 0; i < RING_SIZE; i++)
    g_clear_object (&self->ring[i]);
  if (self->live != NULL)
    {
      g_hash_table_iter_init (&iter, self->live);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &live))
        {
          g_object_weak_unref (G_OBJECT (live->message), live_gone, live);
          g_hash_table_iter_remove (&iter);
        }
    }

  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->accounts, i), self);
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);

  G_OBJECT_CLASS (heron_message_list_parent_class)->dispose (object);
}

static void
heron_message_list_finalize (GObject *object)
{
  HeronMessageList *self = HERON_MESSAGE_LIST (object);

  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->order, g_byte_array_unref);
  g_clear_pointer (&self->checkpoints, g_array_unref);
  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_error (&self->search_error);
  g_clear_object (&self->cancellable);
  g_free (self->query);

  G_OBJECT_CLASS (heron_message_list_parent_class)->finalize (object);
}

static void
heron_message_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HeronMessageList *self = HERON_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_THREADED:
      g_value_set_boolean (value, self->threaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_message_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HeronMessageList *self = HERON_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_THREADED:
      heron_message_list_set_threaded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_message_list_class_init (HeronMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heron_message_list_dispose;
  object_class->finalize = heron_message_list_finalize;
  object_class->get_property = heron_message_list_get_property;
  object_class->set_property = heron_message_list_set_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THREADED] =
    g_param_spec_boolean ("threaded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::search-done (const GError *error_or_null): the servers answered, or could not */
  signals[SIGNAL_SEARCH_DONE] =
    g_signal_new ("search-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
heron_message_list_init (HeronMessageList *self)
{
  self->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) source_free);
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->live = g_hash_table_new_full (live_key_hash, live_key_equal, NULL, g_free);
  self->order = g_byte_array_new ();
  self->checkpoints = g_array_new (FALSE, TRUE, sizeof (guint));
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  self->last_renewal = g_get_monotonic_time ();
}

/* Constructors */

HeronMessageList *
_heron_message_list_new_for_folder (HeronFolder *folder)
{
  HeronMessageList *self;
  HeronAccount *account;

  g_return_val_if_fail (HERON_IS_FOLDER (folder), NULL);
  account = heron_folder_get_account (folder);
  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (HERON_TYPE_MESSAGE_LIST, NULL);
  self->kind = KIND_FOLDER;
  g_ptr_array_add (self->sources, _heron_message_list_source_new (account, folder));
  _heron_message_list_follow_account (self, account);
  self->n_items = _heron_message_list_base_n_items (self);
  return self;
}

HeronMessageList *
heron_message_list_new_merged (HeronFolder * const *folders,
                               guint                n_folders)
{
  HeronMessageList *self;

  g_return_val_if_fail (folders != NULL || n_folders == 0, NULL);
  g_return_val_if_fail (n_folders <= G_MAXUINT8 + 1, NULL);

  self = g_object_new (HERON_TYPE_MESSAGE_LIST, NULL);
  self->kind = n_folders == 1 ? KIND_FOLDER : KIND_MERGED;
  for (guint i = 0; i < n_folders; i++)
    {
      HeronAccount *account;

      g_return_val_if_fail (HERON_IS_FOLDER (folders[i]), self);
      account = heron_folder_get_account (folders[i]);
      g_return_val_if_fail (account != NULL, self);
      g_ptr_array_add (self->sources, _heron_message_list_source_new (account, folders[i]));
      _heron_message_list_follow_account (self, account);
    }
  _heron_message_list_merged_clear (self);
  self->n_items = _heron_message_list_base_n_items (self);
  return self;
}

/* Finding, threads, conversations */

gint
heron_message_list_find (HeronMessageList *self,
                         HeronMessage     *message)
{
  HeronAccount *account;
  gint64 folder_id, uid;
  guint src;
  gint q = -1;
  guint base_pos = G_MAXUINT;

  g_return_val_if_fail (HERON_IS_MESSAGE_LIST (self), -1);
  g_return_val_if_fail (HERON_IS_MESSAGE (message), -1);

  account = heron_message_get_account (message);
  folder_id = _heron_message_get_folder_id (message);
  uid = heron_message_get_uid (message);

  if (self->kind == KIND_SEARCH)
    {
      src = _heron_message_list_find_source (self, account, 0);
      for (guint i = 0; i < self->entries->len && src != G_MAXUINT; i++)
        {
          const Entry *entry = &g_array_index (self->entries, Entry, i);

          if (entry->src == src && entry->folder_id == folder_id && entry->uid == uid)
            {
              base_pos = i;
              break;
            }
        }
    }
  else if (self->threaded)
    {
      /* the item of its conversation (it may be a message of a Sent folder, and the
       * conversation in several folders of a merged list: the first item of it) */
      for (guint s = 0; s < self->sources->len; s++)
        {
          Source *source = g_ptr_array_index (self->sources, s);
          guint p, position;

          if (source->account != account || !_heron_message_list_threads_find (source, message, &p))
            continue;
          if (self->kind == KIND_FOLDER)
            position = p;
          else
            {
              while (source->next <= p)
                if (!_heron_message_list_merged_extend (self, self->order->len))
                  return -1;
              position = _heron_message_list_merged_position_of (self, s, p);
            }
          base_pos = MIN (base_pos, position);
        }
    }
  else
    {
      Source *source;

      src = _heron_message_list_find_source (self, account, folder_id);
      if (src == G_MAXUINT)
        return -1;
      source = g_ptr_array_index (self->sources, src);
      if (source->reader == NULL ||
          !heron_store_reader_find_position (source->reader, folder_id, uid, &q, NULL) || q < 0)
        return -1;
      if (self->kind == KIND_FOLDER)
        base_pos = q;
      else
        {
          while (source->next <= (guint) q)
            if (!_heron_message_list_merged_extend (self, self->order->len))
              return -1;
          base_pos = _heron_message_list_merged_position_of (self, src, q);
        }
    }
  if (base_pos == G_MAXUINT)
    return -1;
  return base_pos;
}

void
heron_message_list_set_threaded (HeronMessageList *self,
                                 gboolean          threaded)
{
  g_return_if_fail (HERON_IS_MESSAGE_LIST (self));

  threaded = !!threaded;
  if (self->threaded == threaded)
    return;
  self->threaded = threaded;
  _heron_message_list_threads_set (self, threaded);
  if (!threaded)
    {
      GHashTableIter iter;
      Live *live;

      /* the objects alive are no items of conversations any more */
      g_hash_table_iter_init (&iter, self->live);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &live))
        _heron_message_set_conversation_counts (live->message, 0, 0);
    }
  emit_reset (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREADED]);
}

gboolean
heron_message_list_get_threaded (HeronMessageList *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_LIST (self), FALSE);

  return self->threaded;
}