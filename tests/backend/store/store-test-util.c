/* store-test-util.c: helpers shared by the tests of backend/store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "store-test-util.h"
#include "store/heron-store-private.h"

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

StoreTestDir *
store_test_dir_new (void)
{
  g_autoptr (GError) error = NULL;
  StoreTestDir *dir = g_new0 (StoreTestDir, 1);

  dir->dir = g_dir_make_tmp ("heron-store-test-XXXXXX", &error);
  g_assert_no_error (error);
  dir->path = g_build_filename (dir->dir, "account", "cache.db", NULL);
  return dir;
}

void
store_test_dir_free (StoreTestDir *dir)
{
  remove_tree (dir->dir);
  g_free (dir->dir);
  g_free (dir->path);
  g_free (dir);
}

HeronStore *
store_test_open (const char *path)
{
  g_autoptr (GError) error = NULL;
  HeronStore *store = heron_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

gint64
store_test_add_folder (HeronStore *store,
                       const char *name)
{
  g_autoptr (GError) error = NULL;
  HeronStoreFolder info = { 0 };
  gint64 id;

  info.name = (char *) name;
  info.display_name = (char *) name;
  info.delimiter = '/';
  id = heron_store_add_folder (store, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

HeronStoreMessage *
store_test_message (guint32     uid,
                    const char *subject,
                    const char *from_name,
                    const char *from_address,
                    const char *message_id,
                    const char *in_reply_to,
                    const char *references)
{
  HeronStoreMessage *message = heron_store_message_new ();

  message->uid = uid;
  message->internal_date = 1700000000 + (gint64) uid * 60;
  message->sent_date = message->internal_date - 5;
  message->size = 1000 + uid;
  message->subject = g_strdup (subject);
  message->from_name = g_strdup (from_name);
  message->from_address = g_strdup (from_address);
  message->to = g_strdup ("Alice Example <alice@example.test>");
  message->message_id = g_strdup (message_id);
  message->in_reply_to = g_strdup (in_reply_to);
  message->references = g_strdup (references);
  return message;
}

void
store_test_upsert (HeronStore        *store,
                   gint64             folder_id,
                   HeronStoreMessage *message)
{
  g_autoptr (GError) error = NULL;

  heron_store_upsert_messages (store, folder_id, &message, 1, &error);
  g_assert_no_error (error);
}

void
store_test_fill (HeronStore *store,
                 gint64      folder_id,
                 guint32     first,
                 guint32     last)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);

  for (guint32 uid = first; uid <= last; uid++)
    {
      g_autofree char *subject = g_strdup_printf ("Message number %u", uid);
      g_autofree char *id = g_strdup_printf ("fill-%" G_GINT64_FORMAT "-%u@example.test", folder_id, uid);
      HeronStoreMessage *message = store_test_message (uid, subject, "Filler", "filler@example.test", id, NULL, NULL);

      /* every third message is read */
      if (uid % 3 == 0)
        message->flags = HERON_STORE_FLAG_SEEN;
      g_ptr_array_add (batch, message);
      if (batch->len == 500 || uid == last)
        {
          heron_store_upsert_messages (store, folder_id, (HeronStoreMessage **) batch->pdata, batch->len, &error);
          g_assert_no_error (error);
          g_ptr_array_set_size (batch, 0);
        }
    }
}

void
store_test_assert_consistent (HeronStore *store)
{
  g_autoptr (GError) error = NULL;

  heron_store_check (store, &error);
  g_assert_no_error (error);
}

guint
store_test_count (HeronStore *store,
                  gint64      folder_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreFolder) folder = heron_store_get_folder (store, folder_id, &error);

  g_assert_no_error (error);
  return folder->n_messages;
}

guint
store_test_unread (HeronStore *store,
                   gint64      folder_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreFolder) folder = heron_store_get_folder (store, folder_id, &error);

  g_assert_no_error (error);
  return folder->n_unread;
}

gint64
store_test_conversation (HeronStore *store,
                         gint64      folder_id,
                         gint64      uid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreMessage) message = heron_store_get_message (store, folder_id, uid, &error);

  g_assert_no_error (error);
  g_assert_cmpint (message->conversation_id, >, 0);
  return message->conversation_id;
}

static void
on_changes (HeronStore *store,
            GPtrArray  *changes,
            gpointer    user_data)
{
  StoreTestEvents *events = user_data;

  g_ptr_array_add (events->batches, g_ptr_array_ref (changes));
}

void
store_test_events_attach (StoreTestEvents *events,
                          HeronStore      *store)
{
  events->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  heron_store_set_changes_func (store, on_changes, events, NULL);
}

void
store_test_events_clear (StoreTestEvents *events)
{
  g_ptr_array_set_size (events->batches, 0);
}

GArray *
store_test_events_uids (StoreTestEvents     *events,
                        HeronStoreChangeKind kind,
                        gint64               folder_id)
{
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < events->batches->len; i++)
    {
      GPtrArray *changes = events->batches->pdata[i];

      for (guint j = 0; j < changes->len; j++)
        {
          HeronStoreChange *change = changes->pdata[j];

          if (change->kind == kind && change->folder_id == folder_id && change->uids != NULL)
            g_array_append_vals (uids, change->uids->data, change->uids->len);
        }
    }
  return uids;
}

gboolean
store_test_events_has (StoreTestEvents     *events,
                       HeronStoreChangeKind kind,
                       gint64               folder_id)
{
  for (guint i = 0; i < events->batches->len; i++)
    {
      GPtrArray *changes = events->batches->pdata[i];

      for (guint j = 0; j < changes->len; j++)
        {
          HeronStoreChange *change = changes->pdata[j];

          if (change->kind == kind && change->folder_id == folder_id)
            return TRUE;
        }
    }
  return FALSE;
}

guint64
store_test_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

gint64
store_test_query_int (HeronStore *store,
                      const char *sql)
{
  sqlite3_stmt *stmt;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (_heron_store_get_handle (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}
