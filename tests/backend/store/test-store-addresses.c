/* test-store-addresses.c: the addresses table behind completion (heron-store-addresses.c):
 * kept as messages come and go, filled by the migration from the messages already cached
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include "store/heron-store-private.h"
#include "store-test-util.h"

static GPtrArray *
complete (const char *path,
          const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreReader) reader = heron_store_reader_open (path, &error);
  GPtrArray *found;

  g_assert_no_error (error);
  found = heron_store_reader_complete_addresses (reader, prefix, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

static const HeronStoreAddress *
address_at (GPtrArray *found,
            guint      i)
{
  g_assert_cmpuint (i, <, found->len);
  return g_ptr_array_index (found, i);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Senders are counted per address without case, with the name of the newest message that has
 * one; a prefix of the address, the name or a later word of the name finds them; LIKE's
 * wildcards are plain characters; a removed message no longer counts, and an address whose
 * last message went is gone. */
static void
test_kept (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStore *store = store_test_open (dir->path);
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 archive = store_test_add_folder (store, "Archive");
  const gint64 gone[] = { 4 };
  const gint64 bob[] = { 3 };
  struct {
    gint64      folder;
    guint32     uid;
    const char *name;
    const char *address;
  } rows[] = {
    { inbox,   1, "Ana",      "ana@example.org" },
    { inbox,   2, "Ana Lima", "ANA@example.org" },
    { inbox,   3, NULL,       "bob@example.org" },
    { archive, 4, NULL,       "ana@example.org" },  /* newest, without a name */
    { archive, 5, "Ann Other", "ann_other@example.org" },
    { archive, 6, "Ann Other", "ann_other@example.org" },
    { archive, 7, "Nobody",   NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (HeronStoreMessage) message = store_test_message (rows[i].uid, "s", rows[i].name, rows[i].address,
                                                                  NULL, NULL, NULL);
      store_test_upsert (store, rows[i].folder, message);
    }
  /* a message synced again (the same UID) is not one more */
  {
    g_autoptr (HeronStoreMessage) again = store_test_message (1, "s", "Ana", "ana@example.org", NULL, NULL, NULL);
    store_test_upsert (store, inbox, again);
  }

  {
    g_autoptr (GPtrArray) found = complete (dir->path, "ana");

    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (address_at (found, 0)->address, ==, "ana@example.org");
    g_assert_cmpstr (address_at (found, 0)->name, ==, "Ana Lima");
    g_assert_cmpuint (address_at (found, 0)->count, ==, 3);
  }
  {
    g_autoptr (GPtrArray) by_word = complete (dir->path, "LIM");
    g_autoptr (GPtrArray) by_name = complete (dir->path, "ann o");
    g_autoptr (GPtrArray) wildcard = complete (dir->path, "%");
    g_autoptr (GPtrArray) underscore = complete (dir->path, "ann_");
    g_autoptr (GPtrArray) not_inside = complete (dir->path, "example");

    g_assert_cmpuint (by_word->len, ==, 1);
    g_assert_cmpstr (address_at (by_word, 0)->address, ==, "ana@example.org");
    g_assert_cmpuint (by_name->len, ==, 1);
    g_assert_cmpstr (address_at (by_name, 0)->address, ==, "ann_other@example.org");
    g_assert_cmpuint (wildcard->len, ==, 0);
    g_assert_cmpuint (underscore->len, ==, 1);
    g_assert_cmpuint (not_inside->len, ==, 0);
  }
  {
    /* most frequent first */
    g_autoptr (GPtrArray) all = complete (dir->path, "");

    g_assert_cmpuint (all->len, ==, 3);
    g_assert_cmpstr (address_at (all, 0)->address, ==, "ana@example.org");
    g_assert_cmpstr (address_at (all, 1)->address, ==, "ann_other@example.org");
    g_assert_cmpstr (address_at (all, 2)->address, ==, "bob@example.org");
    g_assert_cmpstr (address_at (all, 2)->name, ==, "");
  }

  g_assert_true (heron_store_remove_messages (store, archive, gone, 1, &error));
  g_assert_no_error (error);
  g_assert_true (heron_store_remove_messages (store, inbox, bob, 1, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GPtrArray) found = complete (dir->path, "a");
    g_autoptr (GPtrArray) none = complete (dir->path, "bob");

    g_assert_cmpuint (found->len, ==, 2);
    for (guint i = 0; i < found->len; i++)
      g_assert_cmpuint (address_at (found, i)->count, ==, 2);
    g_assert_cmpuint (none->len, ==, 0);
  }

  /* the triggers kept what a count from scratch gives */
  g_assert_cmpint (query_int (_heron_store_get_handle (store),
                              "SELECT count(*) FROM addresses a"
                              " WHERE a.count != (SELECT count(*) FROM messages m"
                              "                    WHERE m.from_address = a.address COLLATE NOCASE)"), ==, 0);
  g_object_unref (store);
}

/* A cache of the step before: its messages' senders are in the table after the migration. */
static void
test_migrated (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStore *store;
  gint64 inbox;

  store = _heron_store_open_at_version (dir->path, HERON_STORE_SCHEMA_VERSION - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (_heron_store_get_handle (store),
                              "SELECT count(*) FROM sqlite_master WHERE name = 'addresses'"), ==, 0);
  inbox = store_test_add_folder (store, "INBOX");
  for (guint uid = 1; uid <= 4; uid++)
    {
      g_autoptr (HeronStoreMessage) message =
        store_test_message (uid, "s", uid == 3 ? "Ana Lima" : uid == 4 ? NULL : "Ana",
                            uid == 2 ? "Bob@example.org" : uid % 2 ? "ana@example.org" : "ANA@example.org",
                            NULL, NULL, NULL);
      store_test_upsert (store, inbox, message);
    }
  g_object_unref (store);

  store = store_test_open (dir->path);
  g_assert_cmpint (query_int (_heron_store_get_handle (store), "PRAGMA user_version"), ==, HERON_STORE_SCHEMA_VERSION);
  {
    g_autoptr (GPtrArray) all = complete (dir->path, "");

    g_assert_cmpuint (all->len, ==, 2);
    /* one spelling of the group's */
    g_assert_cmpint (g_ascii_strcasecmp (address_at (all, 0)->address, "ana@example.org"), ==, 0);
    g_assert_cmpuint (address_at (all, 0)->count, ==, 3);
    /* the newest name, where the newest message has none */
    g_assert_cmpstr (address_at (all, 0)->name, ==, "Ana Lima");
    g_assert_cmpstr (address_at (all, 1)->address, ==, "Bob@example.org");
    g_assert_cmpuint (address_at (all, 1)->count, ==, 1);
  }
  /* and kept from then on */
  {
    g_autoptr (HeronStoreMessage) message = store_test_message (9, "s", "Bob B", "bob@EXAMPLE.org", NULL, NULL, NULL);
    g_autoptr (GPtrArray) found = NULL;

    store_test_upsert (store, inbox, message);
    found = complete (dir->path, "bob");
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpuint (address_at (found, 0)->count, ==, 2);
    g_assert_cmpstr (address_at (found, 0)->name, ==, "Bob B");
  }
  g_object_unref (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/addresses/kept", test_kept);
  g_test_add_func ("/heron/store/addresses/migrated", test_migrated);

  return g_test_run ();
}
