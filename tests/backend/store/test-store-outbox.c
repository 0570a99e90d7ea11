/* test-store-outbox.c: the outbox table: entries with their raw sources, states, removal and
 * garbage collection, reading from another connection, bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "store/heron-store-private.h"
#include "store-test-util.h"

static const char message_text[] =
  "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nBcc: carol@example.test\r\n"
  "Subject: Outbox\r\nMessage-ID: <outbox-1@example.test>\r\n\r\nHello.\r\n";

static HeronStoreSourceWriter *
source (HeronStore *store,
        const char *text,
        gsize       len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreSourceWriter) writer = heron_store_source_writer_new (store, &error);

  g_assert_no_error (error);
  g_assert_true (heron_store_source_writer_write (writer, text, len, &error));
  g_assert_true (heron_store_source_writer_close (writer, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&writer);
}

static gint64
add_entry (HeronStore *store,
           const char *message_id,
           const char *text,
           gsize       len)
{
  const char * const recipients[] = { "bob@example.test", "carol@example.test", NULL };
  g_autoptr (HeronStoreOutboxEntry) entry = heron_store_outbox_entry_new ();
  g_autoptr (HeronStoreSourceWriter) writer = source (store, text, len);
  g_autoptr (GError) error = NULL;
  gint64 id;

  entry->message_id = g_strdup (message_id);
  entry->sender = g_strdup ("alice@example.test");
  entry->recipients = g_strdupv ((char **) recipients);
  entry->subject = g_strdup ("Outbox");
  id = heron_store_outbox_add (store, entry, writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
count_sources (HeronStore *store)
{
  return _heron_store_db_query_int (&store->db, "SELECT count(*) FROM sources", -1, NULL);
}

/* Added, listed with its envelope, moved through the states (attempts counted), read back by
 * another connection, removed with its source. */
static void
test_states (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (HeronStoreOutboxEntry) entry = NULL;
  g_autoptr (GInputStream) in = NULL;
  char buffer[512] = { 0 };
  gsize n = 0;
  gint64 id;

  id = add_entry (store, "outbox-1@example.test", message_text, strlen (message_text));
  g_assert_cmpint (count_sources (store), ==, 1);

  entries = heron_store_outbox_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = heron_store_outbox_entry_copy (g_ptr_array_index (entries, 0));
  g_assert_cmpint (entry->id, ==, id);
  g_assert_cmpstr (entry->message_id, ==, "outbox-1@example.test");
  g_assert_cmpstr (entry->sender, ==, "alice@example.test");
  g_assert_cmpuint (g_strv_length (entry->recipients), ==, 2);
  g_assert_cmpstr (entry->recipients[1], ==, "carol@example.test");
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (entry->attempts, ==, 0);
  g_assert_null (entry->error);
  g_assert_cmpuint (entry->size, ==, strlen (message_text));
  g_clear_pointer (&entry, heron_store_outbox_entry_free);

  in = heron_store_outbox_open_source (store, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (in, buffer, sizeof buffer - 1, &n, NULL, &error));
  g_assert_cmpstr (buffer, ==, message_text);

  g_assert_true (heron_store_outbox_set_state (store, id, HERON_STORE_OUTBOX_QUEUED, "Connection refused",
                                               123456789, TRUE, &error));
  g_assert_true (heron_store_outbox_set_state (store, id, HERON_STORE_OUTBOX_SENDING, NULL, 0, TRUE, &error));
  g_assert_no_error (error);
  entry = heron_store_outbox_get (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_SENDING);
  g_assert_cmpuint (entry->attempts, ==, 2);
  g_assert_null (entry->error);
  g_clear_pointer (&entry, heron_store_outbox_entry_free);

  g_assert_true (heron_store_outbox_set_state (store, id, HERON_STORE_OUTBOX_UNCERTAIN, "may have been sent",
                                               0, FALSE, &error));
  /* another connection (heron-cli outbox) sees the committed state */
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = heron_store_outbox_read (dir->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_UNCERTAIN);
  g_assert_cmpstr (entry->error, ==, "may have been sent");
  g_assert_cmpstr (heron_store_outbox_state_to_string (entry->state), ==, "may-have-been-sent");
  entry = NULL;

  store_test_assert_consistent (store);
  g_clear_object (&in);
  g_assert_true (heron_store_outbox_remove (store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_sources (store), ==, 0);
  g_assert_true (heron_store_outbox_remove (store, id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = heron_store_outbox_list (store, &error);
  g_assert_cmpuint (entries->len, ==, 0);
  store_test_assert_consistent (store);
}

/* A large source (a file, not a blob) survives reopening; a message in a folder with the same
 * source keeps it when the entry goes. */
static void
test_large_and_shared (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) big = g_string_new (message_text);
  g_autoptr (HeronStoreOutboxEntry) entry = NULL;
  g_autoptr (HeronStoreSourceWriter) copy = NULL;
  g_autoptr (HeronStoreMessage) summary = NULL;
  gint64 id, sent, local = 0;

  while (big->len < 400 * 1024)
    g_string_append (big, "A line of the body, long enough to take some room.\r\n");
  id = add_entry (store, "big@example.test", big->str, big->len);

  g_clear_object (&store);
  store = store_test_open (dir->path);
  entry = heron_store_outbox_get (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entry->size, ==, big->len);

  /* filed in Sent with the same bytes: one source, two references */
  sent = store_test_add_folder (store, "Sent");
  copy = source (store, big->str, big->len);
  summary = store_test_message (1, "Outbox", NULL, "alice@example.test", "big@example.test", NULL, NULL);
  g_assert_cmpint (heron_store_op_append (store, sent, summary, copy, NULL, &local, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (count_sources (store), ==, 1);
  g_assert_true (heron_store_outbox_remove (store, id, &error));
  g_assert_cmpint (count_sources (store), ==, 1);
  store_test_assert_consistent (store);
}

/* Bad input and missing entries give clear errors and write nothing. */
static void
test_errors (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (HeronStoreOutboxEntry) entry = heron_store_outbox_entry_new ();
  g_autoptr (HeronStoreSourceWriter) writer = source (store, message_text, strlen (message_text));
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  const char * const bad[] = { "bob@example.test\r\nRCPT TO:<eve@example.test>", NULL };
  const char * const none[] = { NULL };

  entry->message_id = g_strdup ("bad@example.test");
  entry->sender = g_strdup ("alice@example.test");
  entry->recipients = g_strdupv ((char **) none);
  g_assert_cmpint (heron_store_outbox_add (store, entry, writer, &error), ==, 0);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_strfreev (entry->recipients);
  entry->recipients = g_strdupv ((char **) bad);
  g_assert_cmpint (heron_store_outbox_add (store, entry, writer, &error), ==, 0);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (heron_store_outbox_get (store, 42, &error));
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (heron_store_outbox_set_state (store, 42, HERON_STORE_OUTBOX_SENT, NULL, 0, FALSE, &error));
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  entries = heron_store_outbox_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_clear_object (&writer);
  store_test_assert_consistent (store);

  /* not a cache at all */
  {
    g_autofree char *junk = g_build_filename (dir->dir, "junk.db", NULL);

    g_assert_true (g_file_set_contents (junk, "this is not a database, not at all", -1, NULL));
    g_assert_null (heron_store_outbox_read (junk, &error));
    g_assert_nonnull (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/outbox/states", test_states);
  g_test_add_func ("/heron/store/outbox/large-and-shared", test_large_and_shared);
  g_test_add_func ("/heron/store/outbox/errors", test_errors);

  return g_test_run ();
}
