/* heron-message-list-search.c: HeronMessageList: search results, local then the servers'
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-message-list-private.h"

/* Search lists: a removed hit leaves, a changed one is updated */

void
_heron_message_list_search_take_event (HeronMessageList *self,
                                       HeronAccount     *account,
                                       HeronSyncEvent   *event)
{
  HeronFolder *folder;
  gint64 folder_id;
  guint src = _heron_message_list_find_source (self, account, 0);

  if (src == G_MAXUINT || event->folder == NULL || event->uids == NULL)
    return;
  folder = heron_account_lookup_folder (account, event->folder);
  if (folder == NULL)
    return;
  folder_id = _heron_folder_get_id (folder);

  for (guint u = 0; u < event->uids->len; u++)
    {
      gint64 uid = g_array_index (event->uids, gint64, u);

      if (event->kind == HERON_SYNC_EVENT_MESSAGES_REMOVED)
        {
          for (guint i = 0; i < self->entries->len; i++)
            {
              const Entry *entry = &g_array_index (self->entries, Entry, i);

              if (entry->src == src && entry->folder_id == folder_id && entry->uid == uid)
                {
                  g_array_remove_index (self->entries, i);
                  {
                    g_autoptr(GArray) hunks = _heron_message_list_hunks_new ();
                    Hunk hunk = { i, 1, i, 0, NULL };

                    g_array_append_val (hunks, hunk);
                    _heron_message_list_emit_hunks (self, hunks);
                  }
                  break;
                }
            }
        }
      else
        {
          HeronMessage *message = _heron_message_list_live_lookup (self, account, folder_id, uid);
          g_autoptr(HeronStoreMessage) row = NULL;

          if (message == NULL)
            continue;
          row = heron_store_reader_get_message (_heron_account_get_reader (account), folder_id, uid, NULL);
          if (row != NULL)
            _heron_message_update (message, row);
        }
    }
}

/* Search */

typedef struct {
  GWeakRef list;
  guint    src;
  gint64   folder_id;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_weak_ref_clear (&data->list);
  g_free (data);
}

static gint
entry_compare (gconstpointer a,
               gconstpointer b)
{
  const Entry *x = a, *y = b;

  return _heron_message_list_compare_keys (x->date, x->uid, x->src, y->date, y->uid, y->src);
}

static void
search_finished_one (HeronMessageList *self,
                     GError           *error)
{
  if (error != NULL && self->search_error == NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->search_error = g_error_copy (error);
  g_assert (self->n_searches > 0);
  if (--self->n_searches == 0)
    _heron_message_list_emit_search_done (self);
}

static void
on_server_search (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SearchData *data = user_data;
  g_autoptr(HeronMessageList) self = g_weak_ref_get (&data->list);
  g_autoptr(GArray) uids = NULL;
  g_autoptr(GError) error = NULL;
  Source *source;
  HeronStoreReader *reader;

  uids = heron_account_worker_search_finish (HERON_ACCOUNT_WORKER (source_object), result, &error);
  if (self == NULL || self->sources == NULL)
    {
      search_data_free (data);
      return;
    }
  if (uids == NULL)
    {
      search_finished_one (self, error);
      search_data_free (data);
      return;
    }

  source = g_ptr_array_index (self->sources, data->src);
  reader = _heron_account_get_reader (source->account);
  for (guint u = 0; u < uids->len && reader != NULL; u++)
    {
      gint64 uid = g_array_index (uids, gint64, u);
      g_autoptr(HeronStoreMessage) row = NULL;
      Entry entry = { data->src, 0, data->folder_id, uid, 0, 0 };
      gboolean known = FALSE;
      guint lo = 0, hi = self->entries->len;

      for (guint i = 0; i < self->entries->len && !known; i++)
        {
          const Entry *e = &g_array_index (self->entries, Entry, i);

          known = e->src == entry.src && e->folder_id == entry.folder_id && e->uid == uid;
        }
      if (known)
        continue;
      row = heron_store_reader_get_message (reader, data->folder_id, uid, NULL);
      if (row == NULL)
        continue;
      entry.date = row->date;
      entry.conversation_id = row->conversation_id;
      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;

          if (entry_compare (&g_array_index (self->entries, Entry, mid), &entry) < 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      g_array_insert_val (self->entries, lo, entry);
      {
        g_autoptr(GArray) hunks = _heron_message_list_hunks_new ();
        Hunk hunk = { lo, 0, lo, 1, NULL };

        g_array_append_val (hunks, hunk);
        _heron_message_list_emit_hunks (self, hunks);
      }
    }

  search_finished_one (self, NULL);
  search_data_free (data);
}

static gboolean
search_done_idle (gpointer user_data)
{
  g_autoptr(HeronMessageList) self = user_data;

  if (self->n_searches == 0 && self->sources != NULL)
    _heron_message_list_emit_search_done (self);
  return G_SOURCE_REMOVE;
}

static void
search_account (HeronMessageList *self,
                HeronAccount     *account,
                HeronFolder      *folder)
{
  HeronStoreReader *reader = _heron_account_get_reader (account);
  HeronAccountWorker *worker = _heron_account_get_worker (account);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GArray) refs = NULL;
  g_autoptr(GError) error = NULL;
  guint src = self->sources->len;
  HeronSyncState state;

  g_ptr_array_add (self->sources, _heron_message_list_source_new (account, NULL));
  _heron_message_list_follow_account (self, account);

  /* the local index, at once */
  if (reader != NULL)
    refs = heron_store_reader_search (reader, self->query, folder != NULL ? _heron_folder_get_id (folder) : 0,
                                      SEARCH_LIMIT, &error);
  if (refs == NULL && error != NULL)
    g_debug ("Local search in %s: %s", heron_account_get_id (account), error->message);
  for (guint i = 0; refs != NULL && i < refs->len; i++)
    {
      const HeronStoreMessageRef *ref = &g_array_index (refs, HeronStoreMessageRef, i);
      g_autoptr(HeronStoreMessage) row = heron_store_reader_get_message (reader, ref->folder_id, ref->uid, NULL);
      Entry entry = { src, 0, ref->folder_id, ref->uid, 0, 0 };

      if (row == NULL)
        continue;
      entry.date = row->date;
      entry.conversation_id = row->conversation_id;
      g_array_append_val (self->entries, entry);
    }

  /* then the server's, folder by folder, when the account is connected */
  state = heron_account_get_state (account);
  if (worker == NULL || (state != HERON_SYNC_STATE_ONLINE && state != HERON_SYNC_STATE_CONNECTING))
    {
      if (self->search_error == NULL)
        self->search_error = g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE,
                                          _("“%s” is offline: only the messages on this computer were searched"),
                                          heron_account_get_display_name (account));
      return;
    }
  if (folder != NULL)
    {
      folders = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (folders, g_object_ref (folder));
    }
  else
    folders = _heron_account_list_folders (account);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      HeronFolder *f = g_ptr_array_index (folders, i);
      SearchData *data;

      if (!heron_folder_get_selectable (f))
        continue;
      data = g_new0 (SearchData, 1);
      g_weak_ref_init (&data->list, self);
      data->src = src;
      data->folder_id = _heron_folder_get_id (f);
      self->n_searches++;
      heron_account_worker_search_async (worker, heron_folder_get_name (f), self->query, self->cancellable,
                                         on_server_search, data);
    }
}

HeronMessageList *
heron_message_list_new_search (gpointer     manager,
                               HeronFolder *folder,
                               const char  *query)
{
  HeronMessageList *self;

  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (manager), NULL);
  g_return_val_if_fail (folder == NULL || HERON_IS_FOLDER (folder), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (HERON_TYPE_MESSAGE_LIST, NULL);
  self->kind = KIND_SEARCH;
  self->query = g_strdup (query);
  self->cancellable = g_cancellable_new ();

  if (folder != NULL)
    {
      if (heron_folder_get_account (folder) != NULL)
        search_account (self, heron_folder_get_account (folder), folder);
    }
  else
    {
      GListModel *accounts = heron_account_manager_get_accounts (manager);

      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);

          search_account (self, account, NULL);
        }
    }
  g_array_sort (self->entries, entry_compare);
  self->n_items = self->entries->len;
  if (self->n_searches == 0)
    g_idle_add (search_done_idle, g_object_ref (self));
  return self;
}
