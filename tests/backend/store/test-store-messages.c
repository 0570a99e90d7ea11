/* test-store-messages.c: batched upserts, flags, removals, counts, events, and the reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "store-test-util.h"

static guint
count_unread_expected (guint32 first,
                       guint32 last)
{
  guint n = 0;

  for (guint32 uid = first; uid <= last; uid++)
    if (uid % 3 != 0)
      n++;
  return n;
}

static void
test_batch_upsert (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = NULL;
  g_autoptr (GArray) added = NULL;
  g_autoptr (GArray) changed = NULL;
  g_autoptr (GArray) removed = NULL;
  g_autoptr (HeronStoreMessage) message = NULL;
  g_autofree HeronStoreFlagUpdate *updates = NULL;
  StoreTestEvents events;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 other = store_test_add_folder (store, "Archive");
  gint64 gone[] = { 5, 6, 7, 123456 };
  HeronStoreUidRange ranges[] = { { 9000, 9499 }, { 9990, G_MAXUINT32 } };
  const char *add_keywords[] = { "$label1", "$Forwarded", NULL };
  const char *remove_keywords[] = { "$LABEL1", NULL };
  guint32 highest;
  gint64 timer;

  store_test_events_attach (&events, store);

  timer = g_get_monotonic_time ();
  store_test_fill (store, inbox, 1, 10000);
  g_test_message ("10,000 messages in %.0f ms", (g_get_monotonic_time () - timer) / 1000.0);
  store_test_fill (store, other, 1, 100);

  g_assert_cmpuint (store_test_count (store, inbox), ==, 10000);
  g_assert_cmpuint (store_test_unread (store, inbox), ==, count_unread_expected (1, 10000));
  g_assert_cmpuint (store_test_count (store, other), ==, 100);
  added = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_ADDED, inbox);
  g_assert_cmpuint (added->len, ==, 10000);
  g_assert_cmpint (g_array_index (added, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (added, gint64, 9999), ==, 10000);

  uids = heron_store_get_uids (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 10000);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, 1);
  g_assert_cmpuint (g_array_index (uids, guint32, 9999), ==, 10000);
  heron_store_get_highest_uid (store, inbox, &highest, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (highest, ==, 10000);

  /* The same summaries again: nothing changes, nothing is reported */
  store_test_events_clear (&events);
  store_test_fill (store, inbox, 1, 1000);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 10000);
  g_clear_pointer (&changed, g_array_unref);
  changed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_CHANGED, inbox);
  g_assert_cmpuint (changed->len, ==, 0);

  /* The server says the first 1,000 are read now */
  store_test_events_clear (&events);
  updates = g_new0 (HeronStoreFlagUpdate, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      updates[i].uid = i + 1;
      updates[i].flags = HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_ANSWERED;
      updates[i].modseq = 5000 + i;
    }
  heron_store_update_flags (store, inbox, updates, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_unread (store, inbox), ==, count_unread_expected (1001, 10000));
  g_clear_pointer (&changed, g_array_unref);
  changed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_CHANGED, inbox);
  g_assert_cmpuint (changed->len, ==, 1000);
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_FOLDER, inbox));

  message = heron_store_get_message (store, inbox, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->flags, ==, HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_ANSWERED);
  g_assert_cmpuint (message->modseq, ==, 5009);
  g_assert_cmpstr (message->subject, ==, "Message number 10");
  g_assert_cmpstr (message->message_id, ==, "fill-1-10@example.test");
  g_clear_pointer (&message, heron_store_message_free);

  /* Flags and keywords by UID set: \Deleted makes a message not count as unread */
  {
    gint64 set[] = { 2000, 2001, 2002 };

    heron_store_change_flags (store, inbox, set, 3, HERON_STORE_FLAG_DELETED, 0, add_keywords, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (store_test_unread (store, inbox), ==, count_unread_expected (1001, 10000) - 2);
    message = heron_store_get_message (store, inbox, 2001, &error);
    g_assert_cmpstr (message->keywords, ==, "$label1 $Forwarded");
    g_clear_pointer (&message, heron_store_message_free);

    /* keyword names compare without case */
    heron_store_change_flags (store, inbox, set, 3, 0, HERON_STORE_FLAG_DELETED, NULL, remove_keywords, &error);
    g_assert_no_error (error);
    message = heron_store_get_message (store, inbox, 2001, &error);
    g_assert_cmpstr (message->keywords, ==, "$Forwarded");
    g_assert_cmpuint (store_test_unread (store, inbox), ==, count_unread_expected (1001, 10000));
    g_clear_pointer (&message, heron_store_message_free);
  }

  /* EXPUNGE and VANISHED */
  store_test_events_clear (&events);
  heron_store_remove_messages (store, inbox, gone, G_N_ELEMENTS (gone), &error);
  g_assert_no_error (error);
  heron_store_remove_uid_ranges (store, inbox, ranges, G_N_ELEMENTS (ranges), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 10000 - 3 - 500 - 11);
  removed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_REMOVED, inbox);
  g_assert_cmpuint (removed->len, ==, 3 + 500 + 11);
  heron_store_get_highest_uid (store, inbox, &highest, &error);
  g_assert_cmpuint (highest, ==, 9989);
  message = heron_store_get_message (store, inbox, 6, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_assert_null (message);
  g_clear_error (&error);
  store_test_assert_consistent (store);

  /* UIDVALIDITY changed: the folder empties, the other folder keeps its messages */
  heron_store_reset_folder (store, inbox, 77, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 0);
  g_assert_cmpuint (store_test_unread (store, inbox), ==, 0);
  g_assert_cmpuint (store_test_count (store, other), ==, 100);
  store_test_assert_consistent (store);

  heron_store_set_changes_func (store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);
}

static void
test_events_compose (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) added = NULL;
  g_autoptr (GArray) changed = NULL;
  g_autoptr (GArray) removed = NULL;
  StoreTestEvents events;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 one = 1, two = 2;

  store_test_fill (store, inbox, 1, 2);
  store_test_events_attach (&events, store);

  /* In one batch: 3 added then removed is nothing; 1 removed then added again is a change;
   * 2 changed. Nothing is reported before the commit. */
  heron_store_begin_batch (store, &error);
  g_assert_no_error (error);
  store_test_fill (store, inbox, 3, 3);
  heron_store_remove_uid_ranges (store, inbox, &(HeronStoreUidRange) { 3, 3 }, 1, &error);
  heron_store_remove_messages (store, inbox, &one, 1, &error);
  store_test_fill (store, inbox, 1, 1);
  heron_store_change_flags (store, inbox, &two, 1, HERON_STORE_FLAG_FLAGGED, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events.batches->len, ==, 0);
  heron_store_commit_batch (store, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (events.batches->len, ==, 1);
  added = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_ADDED, inbox);
  changed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_CHANGED, inbox);
  removed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_REMOVED, inbox);
  g_assert_cmpuint (added->len, ==, 0);
  g_assert_cmpuint (removed->len, ==, 0);
  g_assert_cmpuint (changed->len, ==, 2);
  g_assert_cmpint (g_array_index (changed, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (changed, gint64, 1), ==, 2);

  /* A rolled back batch reports nothing and leaves nothing */
  store_test_events_clear (&events);
  heron_store_begin_batch (store, &error);
  store_test_fill (store, inbox, 10, 20);
  heron_store_rollback_batch (store);
  g_assert_cmpuint (events.batches->len, ==, 0);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 2);

  /* A failed write inside a batch fails the whole batch */
  heron_store_begin_batch (store, &error);
  store_test_fill (store, inbox, 10, 10);
  {
    HeronStoreMessage *bad = store_test_message (11, "x", NULL, NULL, NULL, NULL, NULL);

    g_assert_false (heron_store_upsert_messages (store, 999, &bad, 1, &error));
    g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    heron_store_message_free (bad);
  }
  {
    /* later writes in it fail as well */
    g_assert_false (heron_store_remove_messages (store, inbox, &two, 1, &error));
    g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_FAILED);
    g_clear_error (&error);
  }
  g_assert_false (heron_store_commit_batch (store, &error));
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (events.batches->len, ==, 0);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 2);

  /* and the next one starts clean */
  heron_store_begin_batch (store, &error);
  store_test_fill (store, inbox, 10, 10);
  heron_store_commit_batch (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 3);
  store_test_assert_consistent (store);

  heron_store_set_changes_func (store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);
}

static void
test_lookups (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) refs = NULL;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 archive = store_test_add_folder (store, "Archive");
  HeronStoreMessage *message;

  message = store_test_message (7, "Hello", "Ana", "ana@example.test", " <same@example.test> ", NULL, NULL);
  message->body_structure = g_bytes_new_static ("(\"text\" \"plain\")", 17);
  message->has_attachment = TRUE;
  message->keywords = g_strdup ("$Junk");
  store_test_upsert (store, inbox, message);
  heron_store_message_free (message);
  message = store_test_message (3, "Hello", "Ana", "ana@example.test", "same@example.test", NULL, NULL);
  store_test_upsert (store, archive, message);
  heron_store_message_free (message);

  refs = heron_store_lookup_message_id (store, "<same@example.test>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refs->len, ==, 2);
  g_assert_cmpint (g_array_index (refs, HeronStoreMessageRef, 0).folder_id, ==, inbox);
  g_assert_cmpint (g_array_index (refs, HeronStoreMessageRef, 0).uid, ==, 7);
  g_assert_cmpint (g_array_index (refs, HeronStoreMessageRef, 1).folder_id, ==, archive);
  g_clear_pointer (&refs, g_array_unref);
  refs = heron_store_lookup_message_id (store, "other@example.test", &error);
  g_assert_cmpuint (refs->len, ==, 0);

  message = heron_store_get_message (store, inbox, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->message_id, ==, "same@example.test");
  g_assert_cmpuint (g_bytes_get_size (message->body_structure), ==, 17);
  g_assert_true (message->has_attachment);
  g_assert_false (message->body_local);
  g_assert_cmpstr (message->keywords, ==, "$Junk");
  g_assert_cmpstr (message->to, ==, "Alice Example <alice@example.test>");
  g_assert_cmpint (message->date, ==, message->sent_date);
  heron_store_message_free (message);
}

static void
test_sort_date (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  HeronStoreMessage *message;

  /* A Date header far in the future sorts by arrival; none at all too */
  message = store_test_message (1, "From the future", NULL, NULL, NULL, NULL, NULL);
  message->sent_date = message->internal_date + 30 * 86400;
  store_test_upsert (store, inbox, message);
  heron_store_message_free (message);
  message = store_test_message (2, "No date", NULL, NULL, NULL, NULL, NULL);
  message->sent_date = 0;
  store_test_upsert (store, inbox, message);
  heron_store_message_free (message);

  message = heron_store_get_message (store, inbox, 1, &error);
  g_assert_cmpint (message->date, ==, message->internal_date);
  heron_store_message_free (message);
  message = heron_store_get_message (store, inbox, 2, &error);
  g_assert_cmpint (message->date, ==, message->internal_date);
  heron_store_message_free (message);
}

/* ---- The reader ----------------------------------------------------------------------------------- */

/* The UIDs of the folder in list order, as the writer sees them. */
static GArray *
expected_order (HeronStore *store,
                gint64      folder_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) uids = heron_store_get_uids (store, folder_id, &error);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) dates = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < uids->len; i++)
    {
      HeronStoreMessage *message = heron_store_get_message (store, folder_id, g_array_index (uids, guint32, i), &error);
      gint64 uid = message->uid;
      guint at = 0;

      while (at < order->len &&
             (g_array_index (dates, gint64, at) > message->date ||
              (g_array_index (dates, gint64, at) == message->date && g_array_index (order, gint64, at) > uid)))
        at++;
      g_array_insert_val (order, at, uid);
      g_array_insert_val (dates, at, message->date);
      heron_store_message_free (message);
    }
  return order;
}

static void
assert_window (HeronStoreReader *reader,
               gint64            folder_id,
               GArray           *order,
               guint             position,
               guint             n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = heron_store_reader_get_rows (reader, folder_id, position, n, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, MIN (n, order->len - MIN (position, order->len)));
  for (guint i = 0; i < rows->len; i++)
    {
      HeronStoreMessage *row = rows->pdata[i];

      g_assert_cmpint (row->uid, ==, g_array_index (order, gint64, position + i));
      g_assert_cmpint (row->folder_id, ==, folder_id);
      g_assert_nonnull (row->subject);
    }
}

static void
test_reader_rows (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (HeronStoreReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) order = NULL;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 other = store_test_add_folder (store, "Other");
  guint count;
  gint position;

  /* Dates not in UID order, and ties */
  for (guint32 uid = 1; uid <= 1000; uid++)
    {
      HeronStoreMessage *message = store_test_message (uid, "Row", NULL, NULL, NULL, NULL, NULL);

      message->internal_date = 1700000000 + (uid * 7919) % 1000 * 60;
      message->sent_date = (uid % 10 == 0) ? 1700000000 : message->internal_date;
      store_test_upsert (store, inbox, message);
      heron_store_message_free (message);
    }
  store_test_fill (store, other, 1, 10);

  reader = heron_store_reader_open (dir->path, &error);
  g_assert_no_error (error);
  heron_store_reader_count_messages (reader, inbox, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1000);

  order = expected_order (store, inbox);
  assert_window (reader, inbox, order, 0, 50);
  /* continuing windows (the remembered end) */
  assert_window (reader, inbox, order, 50, 50);
  assert_window (reader, inbox, order, 100, 50);
  /* jumps */
  assert_window (reader, inbox, order, 500, 50);
  assert_window (reader, inbox, order, 990, 50);
  assert_window (reader, inbox, order, 2000, 50);
  assert_window (reader, inbox, order, 37, 1);

  for (guint i = 0; i < order->len; i += 97)
    {
      heron_store_reader_find_position (reader, inbox, g_array_index (order, gint64, i), &position, &error);
      g_assert_no_error (error);
      g_assert_cmpint (position, ==, i);
    }
  heron_store_reader_find_position (reader, inbox, 5000, &position, &error);
  g_assert_no_error (error);
  g_assert_cmpint (position, ==, -1);

  /* The writer adds the newest message: a continuing window must not use the old end */
  assert_window (reader, inbox, order, 0, 50);
  {
    HeronStoreMessage *message = store_test_message (1001, "Newest", NULL, NULL, NULL, NULL, NULL);

    message->internal_date = message->sent_date = 1800000000;
    store_test_upsert (store, inbox, message);
    heron_store_message_free (message);
  }
  g_clear_pointer (&order, g_array_unref);
  order = expected_order (store, inbox);
  g_assert_cmpint (g_array_index (order, gint64, 0), ==, 1001);
  assert_window (reader, inbox, order, 50, 50);
}

/* A reader on its own thread, driven by commands */
typedef enum {
  READER_OPEN,
  READER_COUNT,
  READER_BEGIN,
  READER_END,
  READER_QUIT,
} ReaderCommand;

typedef struct {
  const char  *path;
  GAsyncQueue *commands;
  GAsyncQueue *answers;
} ReaderThread;

static gpointer
reader_thread (gpointer data)
{
  ReaderThread *thread = data;
  g_autoptr (HeronStoreReader) reader = NULL;

  for (;;)
    {
      ReaderCommand command = GPOINTER_TO_INT (g_async_queue_pop (thread->commands)) - 1;
      g_autoptr (GError) error = NULL;
      guint count = 0;

      switch (command)
        {
        case READER_OPEN:
          reader = heron_store_reader_open (thread->path, &error);
          g_assert_no_error (error);
          break;
        case READER_COUNT:
          {
            g_autoptr (GPtrArray) rows = NULL;

            heron_store_reader_count_messages (reader, 1, &count, &error);
            g_assert_no_error (error);
            /* the rows agree with the count */
            rows = heron_store_reader_get_rows (reader, 1, 0, 100000, &error);
            g_assert_no_error (error);
            g_assert_cmpuint (rows->len, ==, count);
          }
          break;
        case READER_BEGIN:
          heron_store_reader_begin_snapshot (reader, &error);
          g_assert_no_error (error);
          break;
        case READER_END:
          heron_store_reader_end_snapshot (reader);
          break;
        case READER_QUIT:
          g_clear_object (&reader);
          g_async_queue_push (thread->answers, GUINT_TO_POINTER (1));
          return NULL;
        }
      g_async_queue_push (thread->answers, GUINT_TO_POINTER (count + 1));
    }
}

static guint
ask (ReaderThread *thread,
     ReaderCommand command)
{
  g_async_queue_push (thread->commands, GINT_TO_POINTER (command + 1));
  return GPOINTER_TO_UINT (g_async_queue_pop (thread->answers)) - 1;
}

static void
test_reader_snapshot_thread (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  ReaderThread thread = { dir->path, g_async_queue_new (), g_async_queue_new () };
  GThread *handle;
  gint64 inbox = store_test_add_folder (store, "INBOX");

  g_assert_cmpint (inbox, ==, 1);
  store_test_fill (store, inbox, 1, 100);

  handle = g_thread_new ("reader", reader_thread, &thread);
  ask (&thread, READER_OPEN);
  g_assert_cmpuint (ask (&thread, READER_COUNT), ==, 100);

  /* Uncommitted writes are invisible, and the reader does not wait for them */
  heron_store_begin_batch (store, &error);
  g_assert_no_error (error);
  store_test_fill (store, inbox, 101, 150);
  g_assert_cmpuint (store_test_count (store, inbox), ==, 150);
  g_assert_cmpuint (ask (&thread, READER_COUNT), ==, 100);

  /* A snapshot taken now keeps seeing 100 after the commit */
  ask (&thread, READER_BEGIN);
  heron_store_commit_batch (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ask (&thread, READER_COUNT), ==, 100);

  /* and the writer goes on while the snapshot is held */
  store_test_fill (store, inbox, 151, 200);
  g_assert_cmpuint (ask (&thread, READER_COUNT), ==, 100);

  ask (&thread, READER_END);
  g_assert_cmpuint (ask (&thread, READER_COUNT), ==, 200);

  ask (&thread, READER_QUIT);
  g_thread_join (handle);
  g_async_queue_unref (thread.commands);
  g_async_queue_unref (thread.answers);
}

/* The reader opens a cache whose writer is closed (the WAL is kept for it). */
static void
test_reader_without_writer (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreReader) reader = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  HeronStore *store = store_test_open (dir->path);
  gint64 inbox = store_test_add_folder (store, "INBOX");
  guint count;

  store_test_fill (store, inbox, 1, 10);
  g_object_unref (store);

  reader = heron_store_reader_open (dir->path, &error);
  g_assert_no_error (error);
  folders = heron_store_reader_get_folders (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  heron_store_reader_count_messages (reader, inbox, &count, &error);
  g_assert_cmpuint (count, ==, 10);
}

/* Closing the writer empties the write-ahead log into the database (the next start does not
 * read it again), also after a reader held a snapshot while the writer wrote. */
static void
test_close_empties_log (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreReader) reader = NULL;
  g_autofree char *wal = g_strconcat (dir->path, "-wal", NULL);
  HeronStore *store = store_test_open (dir->path);
  gint64 inbox = store_test_add_folder (store, "INBOX");
  GStatBuf st;
  guint count = 0;

  reader = heron_store_reader_open (dir->path, &error);
  g_assert_no_error (error);
  store_test_fill (store, inbox, 1, 2000);
  heron_store_reader_count_messages (reader, inbox, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2000);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);

  heron_store_close (store);
  g_object_unref (store);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);

  /* nothing lost */
  heron_store_reader_count_messages (reader, inbox, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2000);
}

static void
test_reader_missing (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  HeronStoreReader *reader = heron_store_reader_open (dir->path, &error);

  g_assert_null (reader);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/messages/batch-upsert", test_batch_upsert);
  g_test_add_func ("/heron/store/messages/events-compose", test_events_compose);
  g_test_add_func ("/heron/store/messages/lookups", test_lookups);
  g_test_add_func ("/heron/store/messages/sort-date", test_sort_date);
  g_test_add_func ("/heron/store/reader/rows", test_reader_rows);
  g_test_add_func ("/heron/store/reader/snapshot-thread", test_reader_snapshot_thread);
  g_test_add_func ("/heron/store/reader/without-writer", test_reader_without_writer);
  g_test_add_func ("/heron/store/reader/missing", test_reader_missing);
  g_test_add_func ("/heron/store/messages/close-empties-log", test_close_empties_log);

  return g_test_run ();
}
