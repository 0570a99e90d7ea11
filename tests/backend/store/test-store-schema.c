/* test-store-schema.c: opening the cache, its migrations, newer and damaged files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "store/heron-store-private.h"
#include "store-test-util.h"

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
test_create (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = NULL;
  g_autofree char *sources = NULL;
  sqlite3 *db;

  /* The directory of the cache does not exist yet */
  store = store_test_open (dir->path);
  db = _heron_store_get_handle (store);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, HERON_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA auto_vacuum"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name IN"
                                  " ('folders', 'messages', 'sources', 'message_fts', 'journal', 'thread_ids')"), ==, 6);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'messages_by_date'"), ==, 1);

  sources = g_strconcat (dir->path, "-sources", NULL);
  g_assert_true (g_file_test (sources, G_FILE_TEST_IS_DIR));
  g_assert_cmpstr (heron_store_get_sources_dir (store), ==, sources);
  store_test_assert_consistent (store);

  /* Opening again is a no-op */
  g_clear_object (&store);
  store = store_test_open (dir->path);
  g_assert_cmpint (query_int (_heron_store_get_handle (store), "PRAGMA user_version"), ==, HERON_STORE_SCHEMA_VERSION);
}

static void
test_journal_mode (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_prepare_v2 (_heron_store_get_handle (store), "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
}

static void
test_default_path (void)
{
  g_autofree char *path = heron_store_dup_default_path ("alice-example-test");
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "heron", "alice-example-test", "cache.db", NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* Version 1 as it was released, written by hand: the migrations must carry its data forward. */
static const char version_1[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
  "INSERT INTO meta (key, value) VALUES ('created', 1700000000);"
  "CREATE TABLE folders (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL, delimiter TEXT, attributes INTEGER NOT NULL DEFAULT 0,"
  "  special_use INTEGER NOT NULL DEFAULT 0, subscribed INTEGER NOT NULL DEFAULT 0,"
  "  uidvalidity INTEGER NOT NULL DEFAULT 0, uidnext INTEGER NOT NULL DEFAULT 0,"
  "  highestmodseq INTEGER NOT NULL DEFAULT 0, n_messages INTEGER NOT NULL DEFAULT 0,"
  "  n_unread INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE sources (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
  "  refs INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX sources_unreferenced ON sources (id) WHERE refs <= 0;"
  "CREATE TABLE source_data (source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,"
  "  data BLOB NOT NULL);"
  "CREATE TABLE messages (id INTEGER PRIMARY KEY,"
  "  folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE, uid INTEGER NOT NULL,"
  "  flags INTEGER NOT NULL DEFAULT 0, keywords TEXT, modseq INTEGER NOT NULL DEFAULT 0,"
  "  internal_date INTEGER NOT NULL DEFAULT 0, sent_date INTEGER NOT NULL DEFAULT 0,"
  "  date INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0, subject TEXT, from_name TEXT,"
  "  from_address TEXT, sender TEXT, reply_to TEXT, to_list TEXT, cc_list TEXT, bcc_list TEXT,"
  "  message_id TEXT, in_reply_to TEXT, references_list TEXT, body_structure BLOB,"
  "  has_attachment INTEGER NOT NULL DEFAULT 0, body_local INTEGER NOT NULL DEFAULT 0, snippet TEXT,"
  "  source_id INTEGER REFERENCES sources (id), UNIQUE (folder_id, uid));"
  "CREATE INDEX messages_by_date ON messages (folder_id, date DESC, uid DESC);"
  "CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id IS NOT NULL;"
  "CREATE INDEX messages_by_source ON messages (source_id) WHERE source_id IS NOT NULL;"
  "CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN"
  "  UPDATE folders SET n_messages = n_messages + 1, n_unread = n_unread + ((new.flags & 9) = 0)"
  "   WHERE id = new.folder_id; END;"
  "CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN"
  "  UPDATE folders SET n_messages = n_messages - 1, n_unread = n_unread - ((old.flags & 9) = 0)"
  "   WHERE id = old.folder_id; END;"
  "CREATE TRIGGER messages_count_update AFTER UPDATE OF folder_id, flags ON messages"
  "  WHEN old.folder_id IS NOT new.folder_id OR ((old.flags & 9) = 0) IS NOT ((new.flags & 9) = 0) BEGIN"
  "  UPDATE folders SET n_messages = n_messages - 1, n_unread = n_unread - ((old.flags & 9) = 0)"
  "   WHERE id = old.folder_id;"
  "  UPDATE folders SET n_messages = n_messages + 1, n_unread = n_unread + ((new.flags & 9) = 0)"
  "   WHERE id = new.folder_id; END;"
  "CREATE TRIGGER messages_source_insert AFTER INSERT ON messages WHEN new.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id; END;"
  "CREATE TRIGGER messages_source_delete AFTER DELETE ON messages WHEN old.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id; END;"
  "CREATE TRIGGER messages_source_update AFTER UPDATE OF source_id ON messages"
  "  WHEN old.source_id IS NOT new.source_id BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id; END;"
  "PRAGMA user_version = 1;";

/* Three messages of one thread, the reply before its parent, and one other, as version 1
 * (and every later version before the index) stored them. */
static const char old_rows[] =
  "INSERT INTO folders (id, name, display_name, delimiter, uidvalidity, uidnext) VALUES (1, 'INBOX', 'INBOX', '/', 42, 5);"
  "INSERT INTO messages (folder_id, uid, flags, date, subject, from_name, from_address, message_id, in_reply_to, references_list)"
  " VALUES (1, 1, 0, 100, 'Reply about the harbour', 'Bea', 'bea@example.test', 'c@x', '<b@x>', '<a@x> <b@x>');"
  "INSERT INTO messages (folder_id, uid, flags, date, subject, from_name, from_address, message_id)"
  " VALUES (1, 2, 1, 90, 'The harbour plan', 'Ana', 'ana@example.test', 'a@x');"
  "INSERT INTO messages (folder_id, uid, flags, date, subject, from_name, from_address, message_id)"
  " VALUES (1, 3, 0, 95, 'Lunch', 'Carl', 'carl@example.test', 'other@x');";

static void
check_migrated (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStore) store = store_test_open (path);
  g_autoptr (GArray) hits = NULL;
  g_autoptr (GArray) local = NULL;
  HeronStoreFolder info = { 0 };
  gint64 seq, trash;
  gint64 one = 1;

  g_assert_cmpint (query_int (_heron_store_get_handle (store), "PRAGMA user_version"), ==, HERON_STORE_SCHEMA_VERSION);

  /* The data came along, the counts are right */
  g_assert_cmpuint (store_test_count (store, 1), ==, 3);
  g_assert_cmpuint (store_test_unread (store, 1), ==, 2);

  /* Conversations were computed: the reply joined its parent, the other is alone */
  g_assert_cmpint (store_test_conversation (store, 1, 1), ==, store_test_conversation (store, 1, 2));
  g_assert_cmpint (store_test_conversation (store, 1, 3), !=, store_test_conversation (store, 1, 1));

  /* The index covers the old rows */
  hits = heron_store_search (store, "harbour", 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 2);
  /* newest first */
  g_assert_cmpint (g_array_index (hits, HeronStoreMessageRef, 0).uid, ==, 1);

  /* And the journal works */
  info.name = (char *) "Trash";
  trash = heron_store_add_folder (store, &info, &error);
  g_assert_no_error (error);
  seq = heron_store_op_move (store, 1, &one, 1, trash, &local, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);
  g_assert_cmpint (g_array_index (local, gint64, 0), <, 0);
  store_test_assert_consistent (store);
}

static void
test_migrate_from_1 (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autofree char *parent = g_path_get_dirname (dir->path);
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (dir->path, &db), ==, SQLITE_OK);
  exec_sql (db, "PRAGMA journal_mode = WAL");
  exec_sql (db, version_1);
  exec_sql (db, old_rows);
  sqlite3_close (db);

  check_migrated (dir->path);
}

/* Every later older version: stop the migrations there, store the same rows, migrate the rest. */
static void
test_migrate_from_each (void)
{
  for (int version = 1; version < HERON_STORE_SCHEMA_VERSION; version++)
    {
      g_autoptr (StoreTestDir) dir = store_test_dir_new ();
      g_autoptr (GError) error = NULL;
      HeronStore *store;

      g_test_message ("from schema %d", version);
      store = _heron_store_open_at_version (dir->path, version, &error);
      g_assert_no_error (error);
      g_assert_cmpint (query_int (_heron_store_get_handle (store), "PRAGMA user_version"), ==, version);
      exec_sql (_heron_store_get_handle (store), old_rows);
      /* What that version's code did on insert besides the row */
      if (version >= 2)
        {
          heron_store_begin_batch (store, &error);
          g_assert_no_error (error);
          _heron_store_thread_message (store, 1, "c@x", "<b@x>", "<a@x> <b@x>", &error);
          g_assert_no_error (error);
          _heron_store_thread_message (store, 2, "a@x", NULL, NULL, &error);
          g_assert_no_error (error);
          _heron_store_thread_message (store, 3, "other@x", NULL, NULL, &error);
          g_assert_no_error (error);
          heron_store_commit_batch (store, &error);
          g_assert_no_error (error);
        }
      if (version >= 3)
        exec_sql (_heron_store_get_handle (store),
                  "UPDATE messages SET id = (date << 21) | id;"
                  "INSERT INTO message_fts (rowid, sender, recipients, subject)"
                  " SELECT id, from_name || ' ' || from_address, '', subject FROM messages");
      g_object_unref (store);

      check_migrated (dir->path);
    }
}

static void
test_too_new (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStore *store = store_test_open (dir->path);
  HeronStoreReader *reader;

  exec_sql (_heron_store_get_handle (store), "PRAGMA user_version = 99");
  g_object_unref (store);

  store = heron_store_open (dir->path, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_TOO_NEW);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "newer version"));
  g_clear_error (&error);

  reader = heron_store_reader_open (dir->path, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_TOO_NEW);
  g_assert_null (reader);
}

static void
test_corrupt (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) garbage = g_string_new (NULL);
  g_autofree char *parent = g_path_get_dirname (dir->path);
  HeronStore *store;

  for (guint i = 0; i < 2000; i++)
    g_string_append (garbage, "This is not a database. ");
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (dir->path, garbage->str, garbage->len, &error);
  g_assert_no_error (error);

  store = heron_store_open (dir->path, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, dir->path));
  g_clear_error (&error);

  /* The caller deletes it and starts again */
  heron_store_delete_files (dir->path, &error);
  g_assert_no_error (error);
  store = store_test_open (dir->path);
  g_object_unref (store);
}

/* A database whose pages were overwritten: opening or the first reads report CORRUPT. */
static void
test_corrupt_pages (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  HeronStore *store;
  gsize length;
  gint64 folder;

  store = store_test_open (dir->path);
  folder = store_test_add_folder (store, "INBOX");
  store_test_fill (store, folder, 1, 2000);
  /* Everything into the main file: no WAL to recover from */
  exec_sql (_heron_store_get_handle (store), "PRAGMA wal_checkpoint (TRUNCATE)");
  g_object_unref (store);

  g_file_get_contents (dir->path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 64 * 4096);
  /* Keep the header page, scramble everything after it */
  for (gsize i = 4096; i < length; i++)
    contents[i] = (char) (i * 7 + 13);
  g_file_set_contents (dir->path, contents, length, &error);
  g_assert_no_error (error);

  store = heron_store_open (dir->path, &error);
  if (store != NULL)
    {
      g_assert_no_error (error);
      folders = heron_store_get_folders (store, &error);
      if (error == NULL)
        heron_store_check (store, &error);
      g_object_unref (store);
    }
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_CORRUPT);
}

static void
test_delete_files (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *wal = g_strconcat (dir->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (dir->path, "-shm", NULL);
  g_autofree char *sources = g_strconcat (dir->path, "-sources", NULL);
  g_autoptr (HeronStoreSourceWriter) writer = NULL;
  HeronStore *store = store_test_open (dir->path);
  gint64 folder = store_test_add_folder (store, "INBOX");

  store_test_fill (store, folder, 1, 3);
  writer = heron_store_source_writer_new (store, &error);
  g_assert_no_error (error);
  heron_store_source_writer_write (writer, "Subject: x\r\n\r\nbody\r\n", 20, &error);
  g_assert_no_error (error);
  heron_store_source_writer_close (writer, &error);
  g_assert_no_error (error);
  heron_store_set_body (store, folder, 1, writer, "body", &error);
  g_assert_no_error (error);
  g_clear_object (&writer);
  g_object_unref (store);

  /* The WAL is kept for readers */
  g_assert_true (g_file_test (dir->path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sources, G_FILE_TEST_IS_DIR));

  heron_store_delete_files (dir->path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir->path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (sources, G_FILE_TEST_EXISTS));

  /* Nothing there is not an error */
  heron_store_delete_files (dir->path, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/schema/create", test_create);
  g_test_add_func ("/heron/store/schema/wal", test_journal_mode);
  g_test_add_func ("/heron/store/schema/default-path", test_default_path);
  g_test_add_func ("/heron/store/schema/migrate-from-1", test_migrate_from_1);
  g_test_add_func ("/heron/store/schema/migrate-from-each", test_migrate_from_each);
  g_test_add_func ("/heron/store/schema/too-new", test_too_new);
  g_test_add_func ("/heron/store/schema/corrupt", test_corrupt);
  g_test_add_func ("/heron/store/schema/corrupt-pages", test_corrupt_pages);
  g_test_add_func ("/heron/store/schema/delete-files", test_delete_files);

  return g_test_run ();
}
