/* test-store-conversations.c: the conversations of each folder (folder_conversations) stay what
 * a GROUP BY over the messages gives, through every way messages change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "store-test-util.h"
#include "store/heron-store-private.h"

/* The migration step that made folder_conversations (heron-store-schema.c). */
#define CONVERSATIONS_STEP 8

/* The expected index, computed here from the messages (not with the triggers' SQL): for each
 * folder with a message of a conversation, the members are that conversation's messages in the
 * folder and in the Sent folders; the newest is the one with the largest row id. */
typedef struct {
  gint64 n, unread, newest_id, date, uid, item_folder;
} Expected;

static char *
key_of (gint64 folder_id,
        gint64 conversation_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, folder_id, conversation_id);
}

static void
assert_index_is_group_by (HeronStore *store)
{
  sqlite3 *db = _heron_store_get_handle (store);
  g_autoptr (GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 6);
  sqlite3_stmt *stmt;
  guint n_rows = 0;

  /* the Sent folders: the one the setting names (by name or display name), else those with
   * special use 6; never INBOX. The index's own idea of them (folders.sent) must be the same. */
  {
    g_autofree char *setting = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'sent-folder'", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    setting = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, name, display_name, special_use, sent FROM folders",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        const char *name = (const char *) sqlite3_column_text (stmt, 1);
        const char *display_name = (const char *) sqlite3_column_text (stmt, 2);
        gboolean is_sent;

        if (g_ascii_strcasecmp (name, "INBOX") == 0)
          is_sent = FALSE;
        else if (setting != NULL)
          is_sent = g_strcmp0 (name, setting) == 0 || g_strcmp0 (display_name, setting) == 0;
        else
          is_sent = sqlite3_column_int (stmt, 3) == HERON_STORE_SPECIAL_USE_SENT;
        g_assert_cmpint (sqlite3_column_int (stmt, 4), ==, is_sent);
        if (is_sent)
          g_hash_table_add (sent, g_memdup2 (&id, sizeof id));
      }
    sqlite3_finalize (stmt);
  }

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT folder_id, conversation_id, id, date, uid, flags FROM messages",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 row[6];

      for (int i = 0; i < 6; i++)
        row[i] = sqlite3_column_int64 (stmt, i);
      g_array_append_vals (rows, row, 1);
    }
  sqlite3_finalize (stmt);

  /* the (folder, conversation) pairs that have rows */
  for (guint i = 0; i < rows->len; i++)
    {
      const gint64 *m = (const gint64 *) (rows->data + i * sizeof (gint64) * 6);
      g_autofree char *key = key_of (m[0], m[1]);

      if (!g_hash_table_contains (expected, key))
        g_hash_table_insert (expected, g_steal_pointer (&key), g_new0 (Expected, 1));
    }
  /* their members */
  for (guint i = 0; i < rows->len; i++)
    {
      const gint64 *m = (const gint64 *) (rows->data + i * sizeof (gint64) * 6);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, expected);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          Expected *e = value;
          gint64 folder_id, conversation_id;

          g_assert_cmpint (sscanf (key, "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, &folder_id, &conversation_id), ==, 2);
          if (conversation_id != m[1] || (folder_id != m[0] && !g_hash_table_contains (sent, &m[0])))
            continue;
          e->n++;
          e->unread += (m[5] & 9) == 0;
          if (e->newest_id == 0 || m[2] > e->newest_id)
            {
              e->newest_id = m[2];
              e->date = m[3];
              e->uid = m[4];
              e->item_folder = m[0];
            }
        }
    }

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT folder_id, conversation_id, n_messages, n_unread, date, uid, item_folder"
                                       " FROM folder_conversations", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *key = key_of (sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
      Expected *e = g_hash_table_lookup (expected, key);

      g_assert_nonnull (e);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, e->n);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, e->unread);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 4), ==, e->date);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 5), ==, e->uid);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 6), ==, e->item_folder);
      n_rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_rows, ==, g_hash_table_size (expected));

  /* each folder's count is its number of rows */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT f.n_conversations, (SELECT count(*) FROM folder_conversations c"
                                       "                            WHERE c.folder_id = f.id) FROM folders f",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, sqlite3_column_int64 (stmt, 1));
  sqlite3_finalize (stmt);
}

static gint64
add_folder_with (HeronStore          *store,
                 const char          *name,
                 const char          *display_name,
                 HeronStoreSpecialUse special_use)
{
  g_autoptr (HeronStoreFolder) info = heron_store_folder_new ();
  g_autoptr (GError) error = NULL;
  gint64 id;

  info->name = g_strdup (name);
  info->display_name = g_strdup (display_name);
  info->delimiter = '/';
  info->special_use = special_use;
  id = heron_store_add_folder (store, info, &error);
  g_assert_no_error (error);
  return id;
}

static gint64
add_sent_folder (HeronStore *store)
{
  return add_folder_with (store, "Sent", "Sent", HERON_STORE_SPECIAL_USE_SENT);
}

/* store_test_upsert() of a message made for it, then freed */
static void
upsert_taken (HeronStore        *store,
              gint64             folder_id,
              HeronStoreMessage *message)
{
  store_test_upsert (store, folder_id, message);
  heron_store_message_free (message);
}

/* uid u of thread t: message id "t<t>.<u>@x", referring to the thread's root */
static void
add_threaded (HeronStore *store,
              gint64      folder_id,
              guint32     uid,
              guint       thread)
{
  g_autofree char *id = g_strdup_printf ("t%u.%u.%" G_GINT64_FORMAT "@x", thread, uid, folder_id);
  g_autofree char *root = g_strdup_printf ("<root%u@x>", thread);

  upsert_taken (store, folder_id, store_test_message (uid, "Subject", "Ana", "ana@example.org", id, NULL, root));
}

static void
test_maintained (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) local = NULL;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 archive = store_test_add_folder (store, "Archive");
  gint64 sent = add_sent_folder (store);
  g_autoptr (HeronStoreReader) reader = NULL;
  guint count = 0;

  /* add: 40 messages in 7 threads, a reply in Sent */
  g_assert_true (heron_store_begin_batch (store, &error));
  for (guint32 uid = 1; uid <= 40; uid++)
    add_threaded (store, inbox, uid, uid % 7);
  g_assert_true (heron_store_commit_batch (store, &error));
  assert_index_is_group_by (store);
  add_threaded (store, sent, 100, 3);
  assert_index_is_group_by (store);
  {
    HeronStoreFolderConversation c;
    gboolean found = FALSE;
    guint position = 99;

    reader = heron_store_reader_open (dir->path, &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_reader_count_folder_conversations (reader, inbox, &count, &error));
    g_assert_cmpuint (count, ==, 7);
    /* the reply (the newest message of all) stands for thread 3 in INBOX: its first item */
    g_assert_true (heron_store_reader_get_folder_conversation (reader, inbox, store_test_conversation (store, inbox, 3),
                                                               &c, &found, &error));
    g_assert_true (found);
    g_assert_cmpint (c.item_folder_id, ==, sent);
    g_assert_cmpint (c.uid, ==, 100);
    g_assert_cmpuint (c.n_messages, ==, 7);   /* 3, 10, 17, 24, 31, 38 and the reply */
    g_assert_true (heron_store_reader_find_folder_conversation (reader, &c, &position, &error));
    g_assert_cmpuint (position, ==, 0);
    {
      g_autoptr (GArray) conversations = NULL;
      g_autoptr (GPtrArray) rows = heron_store_reader_get_folder_conversations (reader, inbox, 0, NULL, 3, &conversations, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 3);
      g_assert_cmpint (((HeronStoreMessage *) g_ptr_array_index (rows, 0))->uid, ==, 100);
      g_assert_cmpint (((HeronStoreMessage *) g_ptr_array_index (rows, 1))->uid, ==, 40);
      g_assert_cmpint (((HeronStoreMessage *) g_ptr_array_index (rows, 2))->uid, ==, 39);
      g_assert_cmpuint (g_array_index (conversations, HeronStoreFolderConversation, 1).n_messages, ==, 6);
      /* the next window from the last one's key is the window at its position */
      {
        g_autoptr (GArray) by_key = NULL;
        g_autoptr (GArray) by_offset = NULL;
        g_autoptr (GPtrArray) next = heron_store_reader_get_folder_conversations (reader, inbox, 3,
                                                                                   &g_array_index (conversations, HeronStoreFolderConversation, 2),
                                                                                   3, &by_key, &error);
        g_autoptr (GPtrArray) same = heron_store_reader_get_folder_conversations (reader, inbox, 3, NULL, 3, &by_offset, &error);

        g_assert_cmpuint (next->len, ==, 3);
        g_assert_cmpuint (same->len, ==, 3);
        for (guint i = 0; i < 3; i++)
          g_assert_cmpint (g_array_index (by_key, HeronStoreFolderConversation, i).conversation_id, ==,
                           g_array_index (by_offset, HeronStoreFolderConversation, i).conversation_id);
      }
    }
    g_clear_object (&reader);
  }

  /* flags: read and unread again */
  {
    const gint64 uids[] = { 1, 8, 15, 22 };

    g_assert_true (heron_store_change_flags (store, inbox, uids, 4, HERON_STORE_FLAG_SEEN, 0, NULL, NULL, &error));
    assert_index_is_group_by (store);
    g_assert_true (heron_store_change_flags (store, inbox, uids, 2, 0, HERON_STORE_FLAG_SEEN, NULL, NULL, &error));
    assert_index_is_group_by (store);
    g_assert_true (heron_store_change_flags (store, sent, (const gint64[]) { 100 }, 1, HERON_STORE_FLAG_SEEN, 0, NULL, NULL, &error));
    assert_index_is_group_by (store);
  }

  /* expunge: the newest of a thread, and every message of another */
  {
    const gint64 uids[] = { 40, 6, 13, 20, 27, 34 };

    g_assert_true (heron_store_remove_messages (store, inbox, uids, G_N_ELEMENTS (uids), &error));
    assert_index_is_group_by (store);
  }

  /* move: some of a thread to Archive (they leave INBOX's members, make Archive's) */
  {
    const gint64 uids[] = { 39, 32 };

    g_assert_cmpint (heron_store_op_move (store, inbox, uids, 2, archive, &local, &error), >, 0);
    g_assert_no_error (error);
    assert_index_is_group_by (store);
  }

  /* a conversation merge: a message naming two threads joins them */
  upsert_taken (store, inbox, store_test_message (200, "Both", "Ana", "ana@example.org", "both@x", NULL,
                                                       "<root1@x> <root2@x>"));
  assert_index_is_group_by (store);

  /* the Sent folder stops being one, and becomes one again */
  g_assert_cmpint (sqlite3_exec (_heron_store_get_handle (store), "UPDATE folders SET special_use = 0 WHERE name = 'Sent'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  assert_index_is_group_by (store);
  g_assert_cmpint (sqlite3_exec (_heron_store_get_handle (store), "UPDATE folders SET special_use = 6 WHERE name = 'Sent'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  assert_index_is_group_by (store);

  /* UIDVALIDITY reset: INBOX's server messages go */
  g_assert_true (heron_store_set_folder_sync_state (store, inbox, 7, 300, 0, &error));
  g_assert_true (heron_store_reset_folder (store, inbox, 8, &error));
  g_assert_no_error (error);
  assert_index_is_group_by (store);
  reader = heron_store_reader_open (dir->path, &error);
  g_assert_true (heron_store_reader_count_folder_conversations (reader, inbox, &count, &error));
  g_assert_cmpuint (count, ==, 0);
  g_assert_false (heron_store_reader_count_folder_conversations (reader, 12345, &count, &error));
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
}

static void
assert_sent_folders (HeronStore   *store,
                     const char   *path,
                     const gint64 *expected,
                     guint         n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreReader) reader = heron_store_reader_open (path, &error);
  g_autoptr (GArray) ids = NULL;

  g_assert_no_error (error);
  ids = heron_store_reader_get_sent_folders (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, expected[i]);
  assert_index_is_group_by (store);
}

/* The Sent folders are the configuration's or the server's; the index follows every change of
 * them (the setting, a folder's special use or name, a Sent folder deleted), and so do moves into
 * Sent, a local message getting its server UID and a folder deleted */
static void
test_sent_folders (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) local = NULL;
  StoreTestEvents events = { NULL };
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 archive = store_test_add_folder (store, "Archive");
  gint64 sent = add_sent_folder (store);
  gint64 gesendet = add_folder_with (store, "Gesendet", "Sent items", HERON_STORE_SPECIAL_USE_NONE);

  /* 60 messages in 5 threads over INBOX and Archive, replies in both Sent folders */
  g_assert_true (heron_store_begin_batch (store, &error));
  for (guint32 uid = 1; uid <= 60; uid++)
    add_threaded (store, uid % 3 == 0 ? archive : inbox, uid, uid % 5);
  for (guint32 uid = 1; uid <= 6; uid++)
    add_threaded (store, uid % 2 == 0 ? sent : gesendet, 100 + uid, uid % 5);
  g_assert_true (heron_store_commit_batch (store, &error));
  assert_sent_folders (store, dir->path, (gint64[]) { sent }, 1);

  /* the configuration names Gesendet: the server's \Sent no longer counts */
  store_test_events_attach (&events, store);
  g_assert_true (heron_store_set_sent_folder (store, "Gesendet", &error));
  g_assert_no_error (error);
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER_LIST, 0));
  assert_sent_folders (store, dir->path, (gint64[]) { gesendet }, 1);
  /* the same folder by its display name, or the same setting again: nothing changes */
  store_test_events_clear (&events);
  g_assert_true (heron_store_set_sent_folder (store, "Sent items", &error));
  g_assert_true (heron_store_set_sent_folder (store, "Sent items", &error));
  g_assert_no_error (error);
  g_assert_false (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER_LIST, 0));
  assert_sent_folders (store, dir->path, (gint64[]) { gesendet }, 1);
  /* INBOX is never Sent; a name no folder has yet leaves no Sent folder */
  g_assert_true (heron_store_set_sent_folder (store, "INBOX", &error));
  assert_sent_folders (store, dir->path, NULL, 0);
  g_assert_true (heron_store_set_sent_folder (store, "Outgoing", &error));
  assert_sent_folders (store, dir->path, NULL, 0);
  /* ... until a folder is renamed to it */
  g_assert_true (heron_store_rename_folder (store, archive, "Outgoing", "Outgoing", &error));
  g_assert_no_error (error);
  assert_sent_folders (store, dir->path, (gint64[]) { archive }, 1);
  g_assert_true (heron_store_rename_folder (store, archive, "Archive", "Archive", &error));
  assert_sent_folders (store, dir->path, NULL, 0);
  /* back to the server's: the Sent folder, and a folder that gains \Sent */
  store_test_events_clear (&events);
  g_assert_true (heron_store_set_sent_folder (store, NULL, &error));
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER_LIST, 0));
  assert_sent_folders (store, dir->path, (gint64[]) { sent }, 1);
  g_assert_cmpint (sqlite3_exec (_heron_store_get_handle (store), "UPDATE folders SET special_use = 6 WHERE name = 'Gesendet'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  assert_sent_folders (store, dir->path, (gint64[]) { sent, gesendet }, 2);

  /* moved into Sent (they become members of every row of their conversations), out again */
  {
    const gint64 uids[] = { 60, 59, 58, 7 };
    g_autoptr (GArray) back = NULL;

    g_assert_cmpint (heron_store_op_move (store, inbox, uids, G_N_ELEMENTS (uids), sent, &local, &error), >, 0);
    g_assert_no_error (error);
    assert_index_is_group_by (store);
    /* a local message gets its server UID (the row's key changes, not its members) */
    g_assert_cmpint (sqlite3_exec (_heron_store_get_handle (store),
                                   "UPDATE messages SET uid = 5000 - uid WHERE uid < 0", NULL, NULL, NULL), ==, SQLITE_OK);
    assert_index_is_group_by (store);
    g_assert_cmpint (heron_store_op_move (store, sent, (const gint64[]) { 5000 - g_array_index (local, gint64, 0) }, 1,
                                          archive, &back, &error), >, 0);
    g_assert_no_error (error);
    assert_index_is_group_by (store);
  }

  /* a Sent folder deleted: its replies leave the other folders' conversations */
  g_assert_true (heron_store_delete_folder (store, gesendet, &error));
  g_assert_no_error (error);
  assert_sent_folders (store, dir->path, (gint64[]) { sent }, 1);
  /* and a plain folder */
  g_assert_true (heron_store_delete_folder (store, archive, &error));
  g_assert_no_error (error);
  assert_index_is_group_by (store);
  g_assert_true (heron_store_delete_folder (store, sent, &error));
  assert_sent_folders (store, dir->path, NULL, 0);
  g_ptr_array_unref (events.batches);
}

/* One long conversation: its newest members leave one by one (each time its rows look for the
 * next newest), some messages move to another conversation (a merge of two long ones) */
static void
test_long_conversation (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 lists = store_test_add_folder (store, "Lists");
  gint64 sent = add_sent_folder (store);

  g_assert_true (heron_store_begin_batch (store, &error));
  for (guint32 uid = 1; uid <= 300; uid++)
    add_threaded (store, uid % 10 == 0 ? sent : uid % 4 == 0 ? lists : inbox, uid, uid <= 150 ? 1 : 2);
  g_assert_true (heron_store_commit_batch (store, &error));
  assert_index_is_group_by (store);

  /* the newest of thread 2 first, from each folder in turn */
  for (guint32 uid = 300; uid > 270; uid--)
    {
      gint64 folder = uid % 10 == 0 ? sent : uid % 4 == 0 ? lists : inbox;

      g_assert_true (heron_store_remove_messages (store, folder, (const gint64[]) { uid }, 1, &error));
      g_assert_no_error (error);
      assert_index_is_group_by (store);
    }
  /* read and unread by the dozen */
  {
    g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (gint64 uid = 1; uid <= 270; uid++)
      if (uid % 10 != 0 && uid % 4 != 0)
        g_array_append_val (uids, uid);
    g_assert_true (heron_store_change_flags (store, inbox, (const gint64 *) uids->data, uids->len,
                                             HERON_STORE_FLAG_SEEN, 0, NULL, NULL, &error));
    assert_index_is_group_by (store);
    g_assert_true (heron_store_change_flags (store, inbox, (const gint64 *) uids->data, 12, 0,
                                             HERON_STORE_FLAG_SEEN, NULL, NULL, &error));
    assert_index_is_group_by (store);
  }
  /* a message naming both roots joins the threads (the smaller side is rewritten) */
  upsert_taken (store, lists, store_test_message (400, "Both", "Ana", "ana@example.org", "both@x", NULL,
                                                       "<root1@x> <root2@x>"));
  assert_index_is_group_by (store);
  g_assert_cmpint (store_test_conversation (store, inbox, 1), ==, store_test_conversation (store, inbox, 151));
}

/* A cache of the step before gets its index from the messages it has */
static void
test_migration (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  gint64 inbox, sent;

  {
    g_autoptr (HeronStore) old = _heron_store_open_at_version (dir->path, CONVERSATIONS_STEP - 1, &error);

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_exec (_heron_store_get_handle (old), "SELECT * FROM folder_conversations",
                                   NULL, NULL, NULL), ==, SQLITE_ERROR);
    inbox = store_test_add_folder (old, "INBOX");
    sent = add_sent_folder (old);
    /* rows as that version's code wrote them (today's insert writes later columns too): 300
     * messages in 31 conversations, every fifth in Sent, some read */
    {
      GString *sql = g_string_new ("BEGIN;");

      for (guint32 uid = 1; uid <= 300; uid++)
        g_string_append_printf (sql,
                                "INSERT INTO messages (id, folder_id, uid, flags, date, conversation_id)"
                                " VALUES (%u, %" G_GINT64_FORMAT ", %u, %u, %u, %u);",
                                uid * 1000, uid % 5 == 0 ? sent : inbox, uid, uid % 7 == 0 ? 1 : 0,
                                1700000000 + uid, 1 + uid % 31);
      g_string_append (sql, "COMMIT;");
      g_assert_cmpint (sqlite3_exec (_heron_store_get_handle (old), sql->str, NULL, NULL, NULL), ==, SQLITE_OK);
      g_string_free (sql, TRUE);
    }
    heron_store_close (old);
  }
  {
    g_autoptr (HeronStore) store = store_test_open (dir->path);
    g_autoptr (HeronStoreReader) reader = heron_store_reader_open (dir->path, &error);
    guint count = 0;

    g_assert_no_error (error);
    assert_index_is_group_by (store);
    g_assert_true (heron_store_reader_count_folder_conversations (reader, inbox, &count, &error));
    g_assert_cmpuint (count, ==, 31);
    g_assert_true (heron_store_reader_count_folder_conversations (reader, sent, &count, &error));
    g_assert_cmpuint (count, ==, 31);
    heron_store_close (store);
  }
}

/* The rows of @sql as text, one line each, for comparing two caches. */
static char *
dump (HeronStore *store,
      const char *sql)
{
  sqlite3 *db = _heron_store_get_handle (store);
  g_autoptr (GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s%s", i > 0 ? " | " : "", (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* One batch of @n messages from uid @first on, in the same store call: threads by uid % @threads
 * (+ @thread_base), senders with and without names, in other letter cases, dates out of order. */
static void
upsert_batch (HeronStore *store,
              gint64      folder_id,
              guint32     first,
              guint       n,
              guint       threads,
              guint       thread_base)
{
  static const char * const names[] = { "Ana", NULL, "Bea", "", "Ana Lopez", "Cy" };
  static const char * const addresses[] = { "ana@example.org", "ANA@example.org", "bea@example.org",
                                            "cy@example.org", "Ana@Example.org", "" };
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  g_autoptr (GError) error = NULL;

  for (guint32 uid = first; uid < first + n; uid++)
    {
      guint thread = thread_base + uid % threads;
      g_autofree char *id = g_strdup_printf ("b%u.%u.%" G_GINT64_FORMAT "@x", thread, uid, folder_id);
      /* every ninth names the next thread's root too: conversations merge within a batch */
      g_autofree char *root = uid % 9 == 0 ? g_strdup_printf ("<root%u@x> <root%u@x>", thread, thread + 1)
                                           : g_strdup_printf ("<root%u@x>", thread);
      HeronStoreMessage *message = store_test_message (uid, "Subject", names[uid % G_N_ELEMENTS (names)],
                                                       addresses[(uid / 2) % G_N_ELEMENTS (addresses)],
                                                       id, NULL, root);

      /* dates not in UID order, some equal (the sort date is the internal date when there is
       * no sent date) */
      message->internal_date = 1700000000 + (gint64) ((uid * 7919) % 50) * 60;
      message->sent_date = 0;
      if (uid % 3 == 0)
        message->flags = HERON_STORE_FLAG_SEEN;
      g_ptr_array_add (batch, message);
    }
  g_assert_true (heron_store_upsert_messages (store, folder_id, (HeronStoreMessage * const *) batch->pdata,
                                              batch->len, &error));
  g_assert_no_error (error);
}

/* One batch of messages from one sender, in this order: (name, minutes) pairs */
static void
upsert_sender_batch (HeronStore        *store,
                     gint64             folder_id,
                     guint32            first,
                     const char        *address,
                     const char * const names[],
                     const guint        minutes[],
                     guint              n)
{
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u.%" G_GINT64_FORMAT "@x", first + i, folder_id);
      HeronStoreMessage *message = store_test_message (first + i, "Names", names[i], address, id, NULL, NULL);

      message->internal_date = 1600000000 + (gint64) minutes[i] * 60;
      message->sent_date = 0;
      g_ptr_array_add (batch, message);
    }
  g_assert_true (heron_store_upsert_messages (store, folder_id, (HeronStoreMessage * const *) batch->pdata,
                                              batch->len, &error));
  g_assert_no_error (error);
}

/* Inserts in bulk (a first sync's writer) leave the same addresses, conversation rows and counts
 * as inserts one message at a time: the same batches into two caches, one of each kind. */
static void
test_bulk_insert (void)
{
  g_autoptr (StoreTestDir) dir_row = store_test_dir_new ();
  g_autoptr (StoreTestDir) dir_bulk = store_test_dir_new ();
  HeronStore *stores[2] = { store_test_open (dir_row->path), store_test_open (dir_bulk->path) };
  static const char * const tables[] = {
    "SELECT f.name, c.conversation_id, c.n_messages, c.n_unread, c.date, c.uid, i.name,"
    "       (SELECT m.uid FROM messages m WHERE m.id = c.item_id)"
    "  FROM folder_conversations c JOIN folders f ON f.id = c.folder_id JOIN folders i ON i.id = c.item_folder"
    " ORDER BY f.name, c.conversation_id",
    "SELECT address, name, count, last_date, sent FROM addresses ORDER BY address",
    "SELECT name, n_messages, n_unread, n_conversations FROM folders ORDER BY name",
  };

  heron_store_set_bulk_insert (stores[1], TRUE);
  for (guint k = 0; k < 2; k++)
    {
      HeronStore *store = stores[k];
      gint64 inbox = store_test_add_folder (store, "INBOX");
      gint64 archive = store_test_add_folder (store, "Archive");
      gint64 sent = add_sent_folder (store);

      upsert_batch (store, inbox, 1, 40, 7, 0);          /* new conversations */
      upsert_batch (store, sent, 100, 5, 5, 2);          /* Sent: rows of INBOX's conversations */
      upsert_batch (store, inbox, 41, 30, 11, 3);        /* joins known ones, makes new ones */
      upsert_batch (store, archive, 1, 12, 4, 5);        /* another folder of the same ones */
      upsert_batch (store, inbox, 20, 30, 7, 0);         /* partly there already (flags only) */
      upsert_batch (store, inbox, 200, 1, 1, 40);        /* a batch of one */
      upsert_batch (store, archive, 300, 45, 13, 0);     /* newer and older than what is there */
      /* a name, a newer message without one, an older name: the first name stays; equal dates:
       * the last name; then an older name than the address's date, and a newer one */
      upsert_sender_batch (store, inbox, 400, "zed@example.org",
                           (const char * const[]) { "Alpha", NULL, "Beta" }, (const guint[]) { 100, 300, 200 }, 3);
      upsert_sender_batch (store, inbox, 410, "Yan@example.org",
                           (const char * const[]) { "B", "C", NULL }, (const guint[]) { 50, 50, 50 }, 3);
      upsert_sender_batch (store, inbox, 420, "ZED@example.org",
                           (const char * const[]) { "Old", "", "New" }, (const guint[]) { 250, 10, 400 }, 3);
      assert_index_is_group_by (store);
    }

  /* the bulk path ran: the bulk cache's INBOX rows are marked, its Sent rows are not */
  g_assert_cmpint (store_test_query_int (stores[1], "SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id"
                                                    " WHERE f.name = 'INBOX' AND m.bulk"), ==, 79);
  g_assert_cmpint (store_test_query_int (stores[1], "SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id"
                                                    " WHERE f.name = 'Sent' AND m.bulk"), ==, 0);
  g_assert_cmpint (store_test_query_int (stores[0], "SELECT count(*) FROM messages WHERE bulk"), ==, 0);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *by_row = dump (stores[0], tables[t]);
      g_autofree char *in_bulk = dump (stores[1], tables[t]);

      g_assert_cmpuint (strlen (by_row), >, 0);
      g_assert_cmpstr (in_bulk, ==, by_row);
    }
  for (guint k = 0; k < 2; k++)
    g_object_unref (stores[k]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/conversations/maintained", test_maintained);
  g_test_add_func ("/heron/store/conversations/sent-folders", test_sent_folders);
  g_test_add_func ("/heron/store/conversations/long-conversation", test_long_conversation);
  g_test_add_func ("/heron/store/conversations/migration", test_migration);
  g_test_add_func ("/heron/store/conversations/bulk-insert", test_bulk_insert);

  return g_test_run ();
}
