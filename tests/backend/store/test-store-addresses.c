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

/* The migration steps that made the table and added the recipients of sent mail
 * (heron-store-schema.c). */
#define ADDRESSES_STEP 7
#define SENT_STEP      9

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

/* A cache of the step before the table: its messages' senders are in it after the migration. */
static void
test_migrated (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStore *store;
  gint64 inbox;

  store = _heron_store_open_at_version (dir->path, ADDRESSES_STEP - 1, &error);
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

/* Sent mail */

static gint64
add_sent_folder (HeronStore *store)
{
  g_autoptr (GError) error = NULL;
  HeronStoreFolder info = { 0 };
  gint64 id;

  info.name = (char *) "Sent";
  info.display_name = (char *) "Sent";
  info.delimiter = '/';
  info.special_use = HERON_STORE_SPECIAL_USE_SENT;
  id = heron_store_add_folder (store, &info, &error);
  g_assert_no_error (error);
  return id;
}

/* A message the person sent (from Alice) to @to, @cc, @bcc. */
static void
add_sent (HeronStore *store,
          gint64      folder_id,
          guint32     uid,
          const char *to,
          const char *cc,
          const char *bcc)
{
  g_autoptr (HeronStoreMessage) message = store_test_message (uid, "sent", "Alice Example", "alice@example.test",
                                                              NULL, NULL, NULL);

  g_free (message->to);
  message->to = g_strdup (to);
  message->cc = g_strdup (cc);
  message->bcc = g_strdup (bcc);
  store_test_upsert (store, folder_id, message);
}

static gint64
add_outbox (HeronStore         *store,
            const char * const *recipients)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreSourceWriter) writer = heron_store_source_writer_new (store, &error);
  g_autoptr (HeronStoreOutboxEntry) entry = heron_store_outbox_entry_new ();
  static const char text[] = "From: alice@example.test\r\nSubject: out\r\n\r\nHi\r\n";
  gint64 id;

  g_assert_no_error (error);
  g_assert_true (heron_store_source_writer_write (writer, text, strlen (text), &error));
  g_assert_true (heron_store_source_writer_close (writer, &error));
  g_assert_no_error (error);
  entry->message_id = g_strdup ("out@heron.test");
  entry->sender = g_strdup ("alice@example.test");
  entry->recipients = g_strdupv ((char **) recipients);
  entry->subject = g_strdup ("out");
  id = heron_store_outbox_add (store, entry, writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static const HeronStoreAddress *
find_address (GPtrArray  *found,
              const char *address)
{
  for (guint i = 0; i < found->len; i++)
    if (g_ascii_strcasecmp (address_at (found, i)->address, address) == 0)
      return address_at (found, i);
  return NULL;
}

/* The recipients (To, Cc, Bcc) of the messages in the Sent folder and of the outbox are
 * completed, with the names they were written with, and rank high: two messages sent to Carol
 * put her above Bob, who sent three. A name with a comma does not make an address; a message
 * leaving Sent or the outbox no longer counts. */
static void
test_sent (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStore *store = store_test_open (dir->path);
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 sent = add_sent_folder (store);
  gint64 archive = store_test_add_folder (store, "Archive");
  static const char * const to_frank[] = { "frank@example.org", "Carol@example.org", NULL };
  const gint64 first_sent[] = { 11 };
  gint64 outbox_id;

  for (guint32 uid = 1; uid <= 3; uid++)
    {
      g_autoptr (HeronStoreMessage) message = store_test_message (uid, "s", "Bob", "bob@example.org", NULL, NULL, NULL);
      store_test_upsert (store, inbox, message);
    }
  add_sent (store, sent, 11, "Carol Cole <carol@example.org>, dave@example.org", "\"Lima, Ana\" <ana@example.org>",
            "eve@example.org");
  add_sent (store, sent, 12, "carol@EXAMPLE.org", NULL, NULL);
  /* the same message elsewhere counts only as mail received (from Alice) */
  add_sent (store, archive, 13, "zed@example.org", NULL, NULL);

  {
    g_autoptr (GPtrArray) all = complete (dir->path, "");
    g_autoptr (GPtrArray) carol = complete (dir->path, "car");
    g_autoptr (GPtrArray) cole = complete (dir->path, "cole");
    g_autoptr (GPtrArray) lima = complete (dir->path, "lima");
    g_autoptr (GPtrArray) zed = complete (dir->path, "zed");

    /* Carol (2 sent) before Bob (3 received), Alice (3 received: her own Sent and Archive) */
    g_assert_cmpstr (address_at (all, 0)->address, ==, "carol@example.org");
    g_assert_cmpuint (address_at (all, 0)->sent, ==, 2);
    g_assert_cmpuint (address_at (all, 0)->count, ==, 0);
    g_assert_nonnull (find_address (all, "bob@example.org"));
    g_assert_nonnull (find_address (all, "dave@example.org"));
    g_assert_cmpuint (find_address (all, "dave@example.org")->sent, ==, 1);
    g_assert_cmpstr (find_address (all, "dave@example.org")->name, ==, "");
    g_assert_nonnull (find_address (all, "eve@example.org"));   /* Bcc */
    g_assert_cmpuint (find_address (all, "ana@example.org")->sent, ==, 1);
    g_assert_cmpuint (all->len, ==, 6);   /* carol, bob, alice, dave, ana, eve: no "Lima" */
    g_assert_cmpuint (carol->len, ==, 1);
    g_assert_cmpstr (address_at (carol, 0)->name, ==, "Carol Cole");
    g_assert_cmpuint (cole->len, ==, 1);
    /* the name was cut at its comma: "Ana" */
    g_assert_cmpuint (lima->len, ==, 0);
    g_assert_cmpstr (find_address (all, "ana@example.org")->name, ==, "Ana");
    g_assert_cmpuint (zed->len, ==, 0);
  }

  /* the outbox: while a message waits there its recipients count */
  outbox_id = add_outbox (store, to_frank);
  {
    g_autoptr (GPtrArray) frank = complete (dir->path, "fra");
    g_autoptr (GPtrArray) carol = complete (dir->path, "carol");

    g_assert_cmpuint (frank->len, ==, 1);
    g_assert_cmpstr (address_at (frank, 0)->address, ==, "frank@example.org");
    g_assert_cmpuint (address_at (frank, 0)->sent, ==, 1);
    g_assert_cmpuint (address_at (carol, 0)->sent, ==, 3);
  }
  g_assert_true (heron_store_outbox_remove (store, outbox_id, &error));
  g_assert_no_error (error);
  g_assert_true (heron_store_remove_messages (store, sent, first_sent, 1, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GPtrArray) frank = complete (dir->path, "fra");
    g_autoptr (GPtrArray) dave = complete (dir->path, "dave");
    g_autoptr (GPtrArray) carol = complete (dir->path, "carol");

    g_assert_cmpuint (frank->len, ==, 0);
    g_assert_cmpuint (dave->len, ==, 0);
    g_assert_cmpuint (carol->len, ==, 1);
    g_assert_cmpuint (address_at (carol, 0)->sent, ==, 1);
  }

  /* a list that is not valid JSON once escaped (a control character) adds nothing, and fails
   * nothing */
  add_sent (store, sent, 14, "Odd\001Name <odd@example.org>", NULL, NULL);
  {
    g_autoptr (GPtrArray) odd = complete (dir->path, "odd");
    g_assert_cmpuint (odd->len, ==, 0);
  }
  g_assert_cmpuint (store_test_count (store, sent), ==, 2);
  g_object_unref (store);
}

/* A cache of the step before: the recipients of what is in Sent and in the outbox are counted
 * by the migration, and kept from then on. */
static void
test_sent_migrated (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  static const char * const to_frank[] = { "frank@example.org", NULL };
  HeronStore *store;
  gint64 sent;

  store = _heron_store_open_at_version (dir->path, SENT_STEP - 1, &error);
  g_assert_no_error (error);
  sent = add_sent_folder (store);
  add_sent (store, sent, 1, "Carol Cole <carol@example.org>", "dave@example.org", NULL);
  add_sent (store, sent, 2, "Carol <CAROL@example.org>", NULL, NULL);
  add_outbox (store, to_frank);
  g_object_unref (store);

  store = store_test_open (dir->path);
  {
    g_autoptr (GPtrArray) all = complete (dir->path, "");

    g_assert_cmpuint (find_address (all, "carol@example.org")->sent, ==, 2);
    g_assert_cmpuint (find_address (all, "dave@example.org")->sent, ==, 1);
    g_assert_cmpuint (find_address (all, "frank@example.org")->sent, ==, 1);
    g_assert_cmpuint (find_address (all, "alice@example.test")->count, ==, 2);
    /* (one spelling of the group's) */
    g_assert_cmpint (g_ascii_strcasecmp (address_at (all, 0)->address, "carol@example.org"), ==, 0);
  }
  add_sent (store, sent, 3, "dave@example.org", NULL, NULL);
  {
    g_autoptr (GPtrArray) dave = complete (dir->path, "dave");
    g_assert_cmpuint (address_at (dave, 0)->sent, ==, 2);
  }
  g_object_unref (store);
}

static guint
sent_count (const char *path,
            const char *address)
{
  g_autoptr (GPtrArray) all = complete (path, "");
  const HeronStoreAddress *found = find_address (all, address);

  return found != NULL ? found->sent : 0;
}

static gboolean
has_address (const char *path,
             const char *address)
{
  g_autoptr (GPtrArray) all = complete (path, "");

  return find_address (all, address) != NULL;
}

/* The recipients' counts follow what happens to the folders: a message moved out of Sent and
 * back (a discarded move), a folder that gains or loses the \Sent use, and a Sent folder that
 * goes with its messages (the cascade runs once the folder row is gone) or is renamed on the
 * server (the folder-list sync drops it and adds the new name) never leave a count behind or
 * count a message twice. */
static void
test_sent_folders (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStore *store = store_test_open (dir->path);
  gint64 sent = add_sent_folder (store);
  gint64 archive = store_test_add_folder (store, "Archive");
  const gint64 carol_uid[] = { 2 };
  HeronStoreFolder info = { 0 };
  gint64 seq, renamed;

  add_sent (store, sent, 1, "Bob <bob@example.org>", NULL, NULL);
  add_sent (store, sent, 2, "carol@example.org", "bob@example.org", NULL);
  add_sent (store, archive, 3, "dave@example.org", NULL, NULL);
  g_assert_cmpuint (sent_count (dir->path, "bob@example.org"), ==, 2);
  g_assert_cmpuint (sent_count (dir->path, "carol@example.org"), ==, 1);
  g_assert_false (has_address (dir->path, "dave@example.org"));

  /* moved out of Sent, then the move is discarded: back in Sent, counted once */
  seq = heron_store_op_move (store, sent, carol_uid, 1, archive, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (has_address (dir->path, "carol@example.org"));
  g_assert_cmpuint (sent_count (dir->path, "bob@example.org"), ==, 1);
  g_assert_true (heron_store_journal_discard (store, seq, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sent_count (dir->path, "carol@example.org"), ==, 1);
  g_assert_cmpuint (sent_count (dir->path, "bob@example.org"), ==, 2);

  /* Archive becomes a Sent folder (a server that marks it \Sent later), then stops being one */
  info.name = (char *) "Archive";
  info.display_name = (char *) "Archive";
  info.delimiter = '/';
  info.special_use = HERON_STORE_SPECIAL_USE_SENT;
  g_assert_cmpint (heron_store_add_folder (store, &info, &error), ==, archive);
  g_assert_no_error (error);
  g_assert_cmpuint (sent_count (dir->path, "dave@example.org"), ==, 1);
  info.special_use = HERON_STORE_SPECIAL_USE_NONE;
  g_assert_cmpint (heron_store_add_folder (store, &info, &error), ==, archive);
  g_assert_no_error (error);
  g_assert_false (has_address (dir->path, "dave@example.org"));
  g_assert_cmpuint (sent_count (dir->path, "bob@example.org"), ==, 2);

  /* Sent renamed on the server: the folder list drops "Sent" and adds "Sent Items", whose
   * messages its sync brings */
  g_assert_true (heron_store_delete_folder (store, sent, &error));
  g_assert_no_error (error);
  g_assert_false (has_address (dir->path, "bob@example.org"));
  g_assert_false (has_address (dir->path, "carol@example.org"));
  info.name = (char *) "Sent Items";
  info.display_name = (char *) "Sent Items";
  info.special_use = HERON_STORE_SPECIAL_USE_SENT;
  renamed = heron_store_add_folder (store, &info, &error);
  g_assert_no_error (error);
  add_sent (store, renamed, 1, "Bob <bob@example.org>", NULL, NULL);
  add_sent (store, renamed, 2, "carol@example.org", "bob@example.org", NULL);
  g_assert_cmpuint (sent_count (dir->path, "bob@example.org"), ==, 2);
  g_assert_cmpuint (sent_count (dir->path, "carol@example.org"), ==, 1);

  /* and deleted for good: nothing stays, and Alice (the sender of all four) is counted out */
  g_assert_true (heron_store_delete_folder (store, renamed, &error));
  g_assert_no_error (error);
  g_assert_false (has_address (dir->path, "bob@example.org"));
  g_assert_false (has_address (dir->path, "carol@example.org"));
  {
    g_autoptr (GPtrArray) alice = complete (dir->path, "alice");

    g_assert_cmpuint (alice->len, ==, 1);
    g_assert_cmpuint (address_at (alice, 0)->count, ==, 1);   /* the message left in Archive */
    g_assert_cmpuint (address_at (alice, 0)->sent, ==, 0);
  }
  store_test_assert_consistent (store);
  g_object_unref (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/addresses/kept", test_kept);
  g_test_add_func ("/heron/store/addresses/migrated", test_migrated);
  g_test_add_func ("/heron/store/addresses/sent", test_sent);
  g_test_add_func ("/heron/store/addresses/sent-migrated", test_sent_migrated);
  g_test_add_func ("/heron/store/addresses/sent-folders", test_sent_folders);

  return g_test_run ();
}
