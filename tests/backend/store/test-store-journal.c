/* test-store-journal.c: offline operations: optimistic changes, the journal, its states, and
 * what survives a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/heron-store-private.h"
#include "store-test-util.h"

typedef struct {
  StoreTestDir *dir;
  HeronStore   *store;
  gint64        inbox;
  gint64        archive;
  gint64        trash;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->dir = store_test_dir_new ();
  fixture->store = store_test_open (fixture->dir->path);
  fixture->inbox = store_test_add_folder (fixture->store, "INBOX");
  fixture->archive = store_test_add_folder (fixture->store, "Archive");
  fixture->trash = store_test_add_folder (fixture->store, "Trash");
  store_test_fill (fixture->store, fixture->inbox, 1, 20);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  store_test_assert_consistent (fixture->store);
  g_clear_object (&fixture->store);
  store_test_dir_free (fixture->dir);
}

static GPtrArray *
journal (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *ops = heron_store_journal_list (fixture->store, &error);

  g_assert_no_error (error);
  return ops;
}

static guint
flags_of (Fixture *fixture,
          gint64   folder_id,
          gint64   uid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreMessage) message = heron_store_get_message (fixture->store, folder_id, uid, &error);

  g_assert_no_error (error);
  return message->flags;
}

static void
test_flags (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (HeronStoreMessage) message = NULL;
  const char *keywords[] = { "$label1", NULL };
  gint64 uids[] = { 1, 2, 999 };
  HeronStoreOperation *op;
  StoreTestEvents events;
  const char *folder;
  g_autofree gint64 *arg_uids = NULL;
  guint flags;
  gint64 seq1, seq2;
  guint unread = store_test_unread (fixture->store, fixture->inbox);

  store_test_events_attach (&events, fixture->store);
  seq1 = heron_store_op_add_flags (fixture->store, fixture->inbox, uids, 3,
                                   HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_FLAGGED, keywords, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq1, >, 0);

  /* The cache changed at once */
  g_assert_cmpuint (flags_of (fixture, fixture->inbox, 1), ==, HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_FLAGGED);
  g_assert_cmpuint (store_test_unread (fixture->store, fixture->inbox), ==, unread - 2);
  message = heron_store_get_message (fixture->store, fixture->inbox, 2, &error);
  g_assert_cmpstr (message->keywords, ==, "$label1");
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_JOURNAL, 0));
  g_assert_true (store_test_events_has (&events, HERON_STORE_CHANGE_MESSAGES_CHANGED, fixture->inbox));

  seq2 = heron_store_op_remove_flags (fixture->store, fixture->inbox, uids, 1, HERON_STORE_FLAG_FLAGGED, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq2, >, seq1);
  g_assert_cmpuint (flags_of (fixture, fixture->inbox, 1), ==, HERON_STORE_FLAG_SEEN);

  /* The journal has both, in order, with the server's names and the UIDs that exist */
  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 2);
  op = ops->pdata[0];
  g_assert_cmpint (op->seq, ==, seq1);
  g_assert_cmpint (op->kind, ==, HERON_STORE_OP_ADD_FLAGS);
  g_assert_cmpint (op->state, ==, HERON_STORE_OP_PENDING);
  g_assert_cmpuint (op->attempts, ==, 0);
  g_assert_false (op->has_source);
  g_assert_cmpstr (g_variant_get_type_string (op->args), ==, "(saxuas)");
  {
    g_autoptr (GVariant) uid_variant = NULL;
    g_autofree const char **words = NULL;
    gsize n;

    g_variant_get (op->args, "(&s@axu^a&s)", &folder, &uid_variant, &flags, &words);
    g_assert_cmpstr (folder, ==, "INBOX");
    const gint64 *values = g_variant_get_fixed_array (uid_variant, &n, sizeof (gint64));

    arg_uids = g_memdup2 (values, n * sizeof (gint64));
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpint (arg_uids[0], ==, 1);
    g_assert_cmpint (arg_uids[1], ==, 2);
    g_assert_cmpuint (flags, ==, HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_FLAGGED);
    g_assert_cmpstr (words[0], ==, "$label1");
  }
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[1])->kind, ==, HERON_STORE_OP_REMOVE_FLAGS);

  heron_store_set_changes_func (fixture->store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);
}

static void
test_states (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  HeronStoreOperation *op;
  gint64 uid = 3, seq, seq2, seq3;

  seq = heron_store_op_add_flags (fixture->store, fixture->inbox, &uid, 1, HERON_STORE_FLAG_SEEN, NULL, &error);
  g_assert_no_error (error);
  seq2 = heron_store_op_expunge (fixture->store, fixture->inbox, &uid, 1, &error);
  g_assert_no_error (error);

  heron_store_journal_start (fixture->store, seq, &error);
  g_assert_no_error (error);
  op = heron_store_journal_get (fixture->store, seq, &error);
  g_assert_cmpint (op->state, ==, HERON_STORE_OP_IN_PROGRESS);
  g_assert_cmpuint (op->attempts, ==, 1);
  heron_store_operation_free (op);

  /* The connection dropped: pending again, to be retried */
  heron_store_journal_fail (fixture->store, seq, "Connection lost", FALSE, &error);
  g_assert_no_error (error);
  op = heron_store_journal_get (fixture->store, seq, &error);
  g_assert_cmpint (op->state, ==, HERON_STORE_OP_PENDING);
  g_assert_cmpstr (op->error, ==, "Connection lost");
  heron_store_operation_free (op);

  heron_store_journal_start (fixture->store, seq, &error);
  g_assert_no_error (error);
  heron_store_journal_complete (fixture->store, seq, NULL, 0, &error);
  g_assert_no_error (error);
  op = heron_store_journal_get (fixture->store, seq, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_assert_null (op);
  g_clear_error (&error);

  /* The server refuses: FAILED, not started again until retried */
  heron_store_journal_start (fixture->store, seq2, &error);
  heron_store_journal_fail (fixture->store, seq2, "NO [CANNOT] no", TRUE, &error);
  g_assert_no_error (error);
  op = heron_store_journal_get (fixture->store, seq2, &error);
  g_assert_cmpint (op->state, ==, HERON_STORE_OP_FAILED);
  g_assert_cmpuint (op->attempts, ==, 1);
  heron_store_operation_free (op);
  heron_store_journal_start (fixture->store, seq2, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  heron_store_journal_retry (fixture->store, seq2, &error);
  g_assert_no_error (error);
  heron_store_journal_fail (fixture->store, seq2, "NO again", TRUE, &error);
  heron_store_journal_discard (fixture->store, seq2, &error);
  g_assert_no_error (error);

  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 0);

  /* Seqs keep increasing after the journal emptied */
  seq3 = heron_store_op_add_flags (fixture->store, fixture->inbox, (gint64[]) { 4 }, 1, HERON_STORE_FLAG_SEEN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq3, >, seq2);
}

static void
test_append_args (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 seq;

  /* Wrong argument types are refused */
  seq = heron_store_journal_append (fixture->store, HERON_STORE_OP_MOVE, g_variant_new ("(s)", "INBOX"), NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_assert_cmpint (seq, ==, 0);
  g_clear_error (&error);
  seq = heron_store_journal_append (fixture->store, 999, g_variant_new ("(s)", "INBOX"), NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_clear_error (&error);

  seq = heron_store_journal_append (fixture->store, HERON_STORE_OP_CREATE_FOLDER, g_variant_new ("(s)", "New"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);

  /* Not inside a batch */
  heron_store_begin_batch (fixture->store, &error);
  seq = heron_store_journal_append (fixture->store, HERON_STORE_OP_CREATE_FOLDER, g_variant_new ("(s)", "New2"), NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_clear_error (&error);
  heron_store_rollback_batch (fixture->store);
}

/* The optimistic change and the journal entry are one transaction */
static void
test_atomic (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  StoreTestEvents events;
  gint64 uids[] = { 1, 2 };
  guint before = flags_of (fixture, fixture->inbox, 1);
  gint64 seq;

  store_test_events_attach (&events, fixture->store);

  _heron_store_set_fault (fixture->store, "journal-append");
  seq = heron_store_op_add_flags (fixture->store, fixture->inbox, uids, 2, HERON_STORE_FLAG_FLAGGED, NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO);
  g_assert_cmpint (seq, ==, 0);
  g_clear_error (&error);
  g_assert_cmpuint (flags_of (fixture, fixture->inbox, 1), ==, before);

  _heron_store_set_fault (fixture->store, "journal-append");
  seq = heron_store_op_move (fixture->store, fixture->inbox, uids, 2, fixture->archive, NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 20);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 0);

  _heron_store_set_fault (fixture->store, "journal-append");
  seq = heron_store_op_expunge (fixture->store, fixture->inbox, uids, 2, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 20);

  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 0);
  /* and nothing was reported */
  g_assert_cmpuint (events.batches->len, ==, 0);

  /* Without the fault the same call works */
  seq = heron_store_op_move (fixture->store, fixture->inbox, uids, 2, fixture->archive, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);

  heron_store_set_changes_func (fixture->store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);
}

static void
test_move_and_map (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) locals = NULL;
  g_autoptr (GArray) locals2 = NULL;
  g_autoptr (GArray) added = NULL;
  g_autoptr (GArray) removed = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  StoreTestEvents events;
  gint64 uids[] = { 5, 6, 7 };
  gint64 seq, flag_seq, seq2;
  guint32 resolved;
  HeronStoreUidMapping mappings[2];

  seq = heron_store_op_move (fixture->store, fixture->inbox, uids, 3, fixture->archive, &locals, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (locals->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (g_array_index (locals, gint64, i), <, 0);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 17);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 3);

  /* The moved messages keep their summary, conversation and search entry */
  {
    g_autoptr (HeronStoreMessage) moved = heron_store_get_message (fixture->store, fixture->archive,
                                                                   g_array_index (locals, gint64, 0), &error);
    g_autoptr (GArray) hits = heron_store_search (fixture->store, "\"number 5\"", 0, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (moved->subject, ==, "Message number 5");
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_cmpint (g_array_index (hits, HeronStoreMessageRef, 0).folder_id, ==, fixture->archive);
  }

  /* A later operation names a moved message by its local UID */
  flag_seq = heron_store_op_add_flags (fixture->store, fixture->archive, &g_array_index (locals, gint64, 0), 1,
                                       HERON_STORE_FLAG_FLAGGED, NULL, &error);
  g_assert_no_error (error);
  /* and moves another one on */
  seq2 = heron_store_op_move (fixture->store, fixture->archive, &g_array_index (locals, gint64, 1), 1,
                              fixture->trash, &locals2, &error);
  g_assert_no_error (error);

  /* The server answered the first move with COPYUID for two of three (the third went missing) */
  store_test_events_attach (&events, fixture->store);
  mappings[0].local_uid = g_array_index (locals, gint64, 0);
  mappings[0].uid = 100;
  mappings[1].local_uid = g_array_index (locals, gint64, 1);
  mappings[1].uid = 101;
  heron_store_journal_start (fixture->store, seq, &error);
  heron_store_journal_complete (fixture->store, seq, mappings, 2, &error);
  g_assert_no_error (error);

  /* the first is now UID 100 in Archive; the second moved on to Trash, its UID is remembered;
   * the third, unmapped, left the cache (the next sync of Archive brings it back) */
  g_assert_cmpuint (flags_of (fixture, fixture->archive, 100) & HERON_STORE_FLAG_FLAGGED, ==, HERON_STORE_FLAG_FLAGGED);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 1);
  heron_store_journal_resolve_uid (fixture->store, g_array_index (locals, gint64, 0), &resolved, &error);
  g_assert_cmpuint (resolved, ==, 100);
  heron_store_journal_resolve_uid (fixture->store, g_array_index (locals, gint64, 1), &resolved, &error);
  g_assert_cmpuint (resolved, ==, 101);
  heron_store_journal_resolve_uid (fixture->store, g_array_index (locals, gint64, 2), &resolved, &error);
  g_assert_cmpuint (resolved, ==, 0);
  heron_store_journal_resolve_uid (fixture->store, 42, &resolved, &error);
  g_assert_cmpuint (resolved, ==, 42);

  added = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_ADDED, fixture->archive);
  removed = store_test_events_uids (&events, HERON_STORE_CHANGE_MESSAGES_REMOVED, fixture->archive);
  g_assert_cmpuint (added->len, ==, 1);
  g_assert_cmpint (g_array_index (added, gint64, 0), ==, 100);
  g_assert_cmpuint (removed->len, ==, 2);
  heron_store_set_changes_func (fixture->store, NULL, NULL, NULL);
  g_ptr_array_unref (events.batches);

  /* A mapping for a UID the operation did not create is refused, and changes nothing */
  mappings[0].local_uid = -12345;
  heron_store_journal_complete (fixture->store, seq2, mappings, 1, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID);
  g_clear_error (&error);

  heron_store_journal_complete (fixture->store, flag_seq, NULL, 0, &error);
  g_assert_no_error (error);
  /* A sync fetched the server's copy first: the local one gives way */
  {
    HeronStoreMessage *server_copy = store_test_message (7, "Message number 6", NULL, NULL, NULL, NULL, NULL);

    store_test_upsert (fixture->store, fixture->trash, server_copy);
    heron_store_message_free (server_copy);
  }
  mappings[0].local_uid = g_array_index (locals2, gint64, 0);
  mappings[0].uid = 7;
  heron_store_journal_complete (fixture->store, seq2, mappings, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->trash), ==, 1);

  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 0);
  /* No operation names local UIDs any more: a mapping stays while its message is in the cache
   * (someone may still hold the local UID: the first is UID 100 in Archive, and an operation
   * naming its local UID reaches it), the others are forgotten (the second went on to Trash) */
  heron_store_journal_resolve_uid (fixture->store, g_array_index (locals, gint64, 0), &resolved, &error);
  g_assert_cmpuint (resolved, ==, 100);
  heron_store_journal_resolve_uid (fixture->store, g_array_index (locals, gint64, 1), &resolved, &error);
  g_assert_cmpuint (resolved, ==, 0);
  flag_seq = heron_store_op_remove_flags (fixture->store, fixture->archive, &g_array_index (locals, gint64, 0), 1,
                                          HERON_STORE_FLAG_FLAGGED, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flags_of (fixture, fixture->archive, 100) & HERON_STORE_FLAG_FLAGGED, ==, 0);
  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 1);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[0])->seq, ==, flag_seq);
  g_assert_true (g_variant_is_of_type (((HeronStoreOperation *) ops->pdata[0])->args, G_VARIANT_TYPE ("(saxuas)")));
  {
    g_autoptr (GVariant) uids_v = g_variant_get_child_value (((HeronStoreOperation *) ops->pdata[0])->args, 1);
    gsize n = 0;
    const gint64 *journaled = g_variant_get_fixed_array (uids_v, &n, sizeof (gint64));

    /* journaled with the server's UID */
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpint (journaled[0], ==, 100);
  }
}

static void
test_copy_and_delete (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) locals = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  HeronStoreSourceWriter *writer;
  gint64 uid = 8, seq;

  writer = heron_store_source_writer_new (fixture->store, &error);
  heron_store_source_writer_write (writer, "Subject: eight\r\n\r\nbody\r\n", 24, &error);
  heron_store_source_writer_close (writer, &error);
  heron_store_set_body (fixture->store, fixture->inbox, 8, writer, "body eight", &error);
  g_assert_no_error (error);
  g_object_unref (writer);

  seq = heron_store_op_copy (fixture->store, fixture->inbox, &uid, 1, fixture->archive, &locals, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 20);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 1);
  /* one source, two references */
  {
    g_autoptr (GInputStream) stream = heron_store_open_source (fixture->store, fixture->archive,
                                                               g_array_index (locals, gint64, 0), NULL, &error);
    g_autoptr (HeronStoreMessage) copy = heron_store_get_message (fixture->store, fixture->archive,
                                                                  g_array_index (locals, gint64, 0), &error);

    g_assert_no_error (error);
    g_assert_nonnull (stream);
    g_assert_true (copy->body_local);
    g_assert_cmpstr (copy->snippet, ==, "body eight");
    g_assert_cmpint (copy->conversation_id, ==, store_test_conversation (fixture->store, fixture->inbox, 8));
  }

  /* Delete: to the trash from elsewhere, for good in the trash itself */
  seq = heron_store_op_delete (fixture->store, fixture->inbox, &uid, 1, fixture->trash, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->trash), ==, 1);
  ops = journal (fixture);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[ops->len - 1])->kind, ==, HERON_STORE_OP_MOVE);
  g_clear_pointer (&ops, g_ptr_array_unref);

  seq = heron_store_op_delete (fixture->store, fixture->archive, &g_array_index (locals, gint64, 0), 1, 0, &error);
  g_assert_no_error (error);
  ops = journal (fixture);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[ops->len - 1])->kind, ==, HERON_STORE_OP_EXPUNGE);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 0);

  /* Discarding the copy drops nothing else */
  heron_store_journal_discard (fixture->store, ((HeronStoreOperation *) ops->pdata[0])->seq, &error);
  g_assert_no_error (error);
}

static void
test_append (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreMessage) summary = store_test_message (0, "My draft", "Alice", "alice@example.test",
                                                              "<draft-1@example.test>", NULL, NULL);
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GArray) hits = NULL;
  HeronStoreSourceWriter *writer;
  HeronStoreOperation *op;
  gint64 local, seq;
  char buffer[64];
  gsize read;
  HeronStoreUidMapping mapping;
  const char source[] = "From: alice@example.test\r\nSubject: My draft\r\n\r\nDraft text\r\n";

  writer = heron_store_source_writer_new (fixture->store, &error);
  heron_store_source_writer_write (writer, source, sizeof source - 1, &error);
  heron_store_source_writer_close (writer, &error);
  g_assert_no_error (error);
  summary->flags = HERON_STORE_FLAG_DRAFT | HERON_STORE_FLAG_SEEN;
  summary->keywords = g_strdup ("$MDNSent");

  seq = heron_store_op_append (fixture->store, fixture->archive, summary, writer, "Draft text", &local, &error);
  g_assert_no_error (error);
  g_object_unref (writer);
  g_assert_cmpint (local, <, 0);

  /* The local message is in the folder, with its body and search entry */
  {
    g_autoptr (HeronStoreMessage) message = heron_store_get_message (fixture->store, fixture->archive, local, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (message->subject, ==, "My draft");
    g_assert_true (message->body_local);
  }
  hits = heron_store_search (fixture->store, "draft text", 0, 10, &error);
  g_assert_cmpuint (hits->len, ==, 1);

  ops = journal (fixture);
  op = ops->pdata[0];
  g_assert_cmpint (op->kind, ==, HERON_STORE_OP_APPEND);
  g_assert_true (op->has_source);
  {
    const char *folder, *message_id;
    gint64 arg_local, date;
    guint flags;
    g_autofree const char **keywords = NULL;

    g_variant_get (op->args, "(&sxu^a&sx&s)", &folder, &arg_local, &flags, &keywords, &date, &message_id);
    g_assert_cmpstr (folder, ==, "Archive");
    g_assert_cmpint (arg_local, ==, local);
    g_assert_cmpuint (flags, ==, HERON_STORE_FLAG_DRAFT | HERON_STORE_FLAG_SEEN);
    g_assert_cmpstr (keywords[0], ==, "$MDNSent");
    g_assert_cmpstr (message_id, ==, "draft-1@example.test");
  }
  stream = heron_store_journal_open_source (fixture->store, seq, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (stream, buffer, sizeof buffer, &read, NULL, &error);
  g_assert_cmpuint (read, ==, sizeof source - 1);
  g_assert_true (memcmp (buffer, source, read) == 0);

  /* APPENDUID */
  mapping.local_uid = local;
  mapping.uid = 55;
  heron_store_journal_complete (fixture->store, seq, &mapping, 1, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GInputStream) again = heron_store_open_source (fixture->store, fixture->archive, 55, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (again);
  }

  /* A large message (an attachment) goes to a file, synced before the entry commits */
  {
    g_autofree char *big = g_malloc (300 * 1024);
    g_autofree char *back = g_malloc (300 * 1024 + 1);
    g_autoptr (GInputStream) big_stream = NULL;

    for (guint i = 0; i < 300 * 1024; i++)
      big[i] = (char) ('A' + i % 23);
    writer = heron_store_source_writer_new (fixture->store, &error);
    for (guint i = 0; i < 300; i++)
      heron_store_source_writer_write (writer, big + i * 1024, 1024, &error);
    heron_store_source_writer_close (writer, &error);
    g_assert_no_error (error);
    seq = heron_store_op_append (fixture->store, fixture->archive, summary, writer, NULL, &local, &error);
    g_assert_no_error (error);
    g_object_unref (writer);

    big_stream = heron_store_journal_open_source (fixture->store, seq, NULL, &error);
    g_assert_no_error (error);
    g_input_stream_read_all (big_stream, back, 300 * 1024 + 1, &read, NULL, &error);
    g_assert_cmpuint (read, ==, 300 * 1024);
    g_assert_true (memcmp (big, back, read) == 0);

    /* The server refused it for good and the user gave up: the local message goes */
    heron_store_journal_fail (fixture->store, seq, "NO [OVERQUOTA]", TRUE, &error);
    heron_store_journal_discard (fixture->store, seq, &error);
    g_assert_no_error (error);
    g_clear_pointer (&ops, g_ptr_array_unref);
    ops = journal (fixture);
    g_assert_cmpuint (ops->len, ==, 0);
    g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 1);
  }
}

static void
test_folder_ops (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (HeronStoreFolder) renamed = NULL;
  HeronStoreFolder info = { 0 };
  gint64 id, seq;
  const char *a, *b;

  info.name = (char *) "Projects";
  info.display_name = (char *) "Projects";
  info.delimiter = '/';
  seq = heron_store_op_create_folder (fixture->store, &info, &id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);
  g_assert_cmpint (id, >, 0);

  seq = heron_store_op_create_folder (fixture->store, &info, NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  heron_store_op_rename_folder (fixture->store, id, "Plans", "Plans", &error);
  g_assert_no_error (error);
  renamed = heron_store_get_folder (fixture->store, id, &error);
  g_assert_cmpstr (renamed->name, ==, "Plans");

  heron_store_op_delete_folder (fixture->store, id, &error);
  g_assert_no_error (error);

  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 3);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[0])->kind, ==, HERON_STORE_OP_CREATE_FOLDER);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[1])->kind, ==, HERON_STORE_OP_RENAME_FOLDER);
  g_variant_get (((HeronStoreOperation *) ops->pdata[1])->args, "(&s&s)", &a, &b);
  g_assert_cmpstr (a, ==, "Projects");
  g_assert_cmpstr (b, ==, "Plans");
  g_variant_get (((HeronStoreOperation *) ops->pdata[2])->args, "(&s)", &a);
  g_assert_cmpstr (a, ==, "Plans");
}

/* ---- A crash in the middle ------------------------------------------------------------------------ */

#define CRASH_MESSAGES 400

/* In the child: flag message after message, one operation each, and tell the parent each seq
 * as soon as the call returned. Never returns. */
static void G_GNUC_NORETURN
crash_child (const char *path,
             int         ack_fd)
{
  GError *error = NULL;
  HeronStore *store = heron_store_open (path, &error);
  HeronStoreFolder *folder;

  if (store == NULL)
    _exit (2);
  folder = heron_store_lookup_folder (store, "INBOX", &error);
  if (folder == NULL)
    _exit (3);

  for (gint64 uid = 1; ; uid = uid % CRASH_MESSAGES + 1)
    {
      gint64 seq = heron_store_op_add_flags (store, folder->id, &uid, 1, HERON_STORE_FLAG_FLAGGED, NULL, &error);

      /* moved away in an earlier round */
      if (seq == 0 && g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        {
          g_clear_error (&error);
          continue;
        }
      if (seq == 0 || write (ack_fd, &seq, sizeof seq) != sizeof seq)
        _exit (4);
      /* and a move now and then, which touches two folders and the local UIDs */
      if (uid % 50 == 0)
        {
          gint64 move_seq = heron_store_op_move (store, folder->id, &uid, 1, folder->id + 1, NULL, &error);

          if (move_seq == 0 || write (ack_fd, &move_seq, sizeof move_seq) != sizeof move_seq)
            _exit (5);
        }
    }
}

/* Reopens the cache after a kill: every acknowledged operation is there, and the cache agrees
 * with the journal. */
static void
check_after_crash (const char *path,
                   GArray     *acked,
                   gint64      inbox,
                   gint64      archive)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GHashTable) in_journal = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (HeronStore) store = store_test_open (path);
  guint n_moves = 0;

  store_test_assert_consistent (store);
  ops = heron_store_journal_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, >=, acked->len);
  for (guint i = 0; i < ops->len; i++)
    {
      HeronStoreOperation *op = ops->pdata[i];

      g_hash_table_add (in_journal, &op->seq);
      if (i > 0)
        g_assert_cmpint (op->seq, >, ((HeronStoreOperation *) ops->pdata[i - 1])->seq);
    }
  for (guint i = 0; i < acked->len; i++)
    g_assert_true (g_hash_table_contains (in_journal, &g_array_index (acked, gint64, i)));

  /* Each flag operation left its flag; each move its message in Archive */
  for (guint i = 0; i < ops->len; i++)
    {
      HeronStoreOperation *op = ops->pdata[i];
      g_autoptr (GVariant) uids = g_variant_get_child_value (op->args, 1);
      g_autoptr (HeronStoreMessage) message = NULL;
      gsize n;
      const gint64 *values = g_variant_get_fixed_array (uids, &n, sizeof (gint64));

      g_assert_cmpuint (n, ==, 1);
      if (op->kind == HERON_STORE_OP_MOVE)
        {
          n_moves++;
          continue;
        }
      g_assert_cmpint (op->kind, ==, HERON_STORE_OP_ADD_FLAGS);
      message = heron_store_get_message (store, inbox, values[0], NULL);
      if (message != NULL)
        g_assert_cmpuint (message->flags & HERON_STORE_FLAG_FLAGGED, !=, 0);
      else
        {
          /* moved after being flagged */
          g_autofree char *id = g_strdup_printf ("fill-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "@example.test",
                                                 inbox, values[0]);
          g_autoptr (GArray) where = heron_store_lookup_message_id (store, id, &error);

          g_assert_cmpuint (where->len, ==, 1);
          g_assert_cmpint (g_array_index (where, HeronStoreMessageRef, 0).folder_id, ==, archive);
        }
    }
  g_assert_cmpuint (store_test_count (store, archive), ==, n_moves);
  g_assert_cmpuint (store_test_count (store, inbox), ==, CRASH_MESSAGES - n_moves);
}

static void
test_crash (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GArray) acked = g_array_new (FALSE, FALSE, sizeof (gint64));
  HeronStore *store;
  gint64 inbox, archive;

  store = store_test_open (dir->path);
  inbox = store_test_add_folder (store, "INBOX");
  archive = store_test_add_folder (store, "Archive");
  g_assert_cmpint (archive, ==, inbox + 1);
  store_test_fill (store, inbox, 1, CRASH_MESSAGES);
  g_object_unref (store);

  /* Several rounds: each child goes on where the last one was killed */
  for (guint round = 0; round < 4; round++)
    {
      guint target = acked->len + 150;
      int fds[2], status;
      pid_t pid;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          crash_child (dir->path, fds[1]);
        }
      close (fds[1]);

      /* Let it acknowledge some operations, then kill it wherever it is */
      while (acked->len < target)
        {
          gint64 seq;
          gssize n = read (fds[0], &seq, sizeof seq);

          if (n < 0 && errno == EINTR)
            continue;
          g_assert_cmpint (n, ==, sizeof seq);
          g_array_append_val (acked, seq);
        }
      g_usleep (g_test_rand_int_range (0, 3000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      /* what it acknowledged between our last read and the kill */
      for (;;)
        {
          gint64 seq;

          if (read (fds[0], &seq, sizeof seq) != sizeof seq)
            break;
          g_array_append_val (acked, seq);
        }
      close (fds[0]);
      g_test_message ("round %u: %u operations acknowledged before SIGKILL", round, acked->len);

      check_after_crash (dir->path, acked, inbox, archive);
    }
}

/* Dependencies: what waits behind a FAILED entry, and what goes when it is discarded
 * (docs/sync.md, "Held entries"). */

static void
fail_permanently (Fixture *fixture,
                  gint64   seq)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (heron_store_journal_start (fixture->store, seq, &error));
  g_assert_true (heron_store_journal_fail (fixture->store, seq, "refused", TRUE, &error));
  g_assert_no_error (error);
}

static gint64
last_seq (Fixture *fixture)
{
  g_autoptr (GPtrArray) ops = journal (fixture);

  g_assert_cmpuint (ops->len, >, 0);
  return ((HeronStoreOperation *) g_ptr_array_index (ops, ops->len - 1))->seq;
}

static void
assert_seqs (GArray       *seqs,
             const gint64 *expected,
             guint         n)
{
  g_assert_cmpuint (seqs->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (seqs, gint64, i), ==, expected[i]);
}

static void
test_held (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) held = NULL;
  g_autoptr (GArray) discarded = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) first = NULL;
  g_autoptr (GArray) second = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (HeronStoreFolder) inbox = NULL;
  g_autoptr (HeronStoreMessage) summary = store_test_message (0, "Draft", "Alice", "alice@example.test",
                                                              "draft@heron.test", NULL, NULL);
  HeronStoreSourceWriter *writer;
  HeronStoreFolder info = { 0 };
  const char source[] = "From: alice@example.test\r\nSubject: Draft\r\n\r\nText\r\n";
  const gint64 one[] = { 1 }, two[] = { 2 }, three[] = { 3 };
  gint64 folder_id, create, move1, flag_local, flag_other, move2, append, flag3, flag3_again, local;

  g_assert_true (heron_store_set_folder_sync_state (fixture->store, fixture->inbox, 7, 21, 100, &error));
  g_assert_no_error (error);

  /* a folder made here, a message moved into it and flagged there, moved on to Archive, a draft
   * appended into it; meanwhile a flag change of another message */
  info.name = (char *) "New";
  info.display_name = (char *) "New";
  info.delimiter = '/';
  create = heron_store_op_create_folder (fixture->store, &info, &folder_id, &error);
  g_assert_no_error (error);
  move1 = heron_store_op_move (fixture->store, fixture->inbox, one, 1, folder_id, &first, &error);
  g_assert_no_error (error);
  g_assert_cmpint (heron_store_op_add_flags (fixture->store, folder_id, (gint64 *) first->data, 1,
                                             HERON_STORE_FLAG_FLAGGED, NULL, &error), >, 0);
  flag_local = last_seq (fixture);
  g_assert_cmpint (heron_store_op_add_flags (fixture->store, fixture->inbox, two, 1, HERON_STORE_FLAG_SEEN,
                                             NULL, &error), >, 0);
  flag_other = last_seq (fixture);
  move2 = heron_store_op_move (fixture->store, folder_id, (gint64 *) first->data, 1, fixture->archive, &second,
                               &error);
  g_assert_no_error (error);
  writer = heron_store_source_writer_new (fixture->store, &error);
  heron_store_source_writer_write (writer, source, sizeof source - 1, &error);
  heron_store_source_writer_close (writer, &error);
  g_assert_no_error (error);
  append = heron_store_op_append (fixture->store, folder_id, summary, writer, NULL, &local, &error);
  g_object_unref (writer);
  g_assert_no_error (error);
  /* a refused flag change, and a later one of the same message */
  g_assert_cmpint (heron_store_op_add_flags (fixture->store, fixture->inbox, three, 1, HERON_STORE_FLAG_SEEN,
                                             NULL, &error), >, 0);
  flag3 = last_seq (fixture);
  g_assert_cmpint (heron_store_op_remove_flags (fixture->store, fixture->inbox, three, 1, HERON_STORE_FLAG_SEEN,
                                                NULL, &error), >, 0);
  flag3_again = last_seq (fixture);
  g_assert_no_error (error);

  /* nothing is held while nothing failed */
  held = heron_store_journal_list_held (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (held->len, ==, 0);
  g_clear_pointer (&held, g_array_unref);

  fail_permanently (fixture, create);
  fail_permanently (fixture, flag3);
  held = heron_store_journal_list_held (fixture->store, &error);
  g_assert_no_error (error);
  {
    const gint64 expected[] = { move1, flag_local, move2, append, flag3_again };
    assert_seqs (held, expected, G_N_ELEMENTS (expected));
  }
  g_clear_pointer (&held, g_array_unref);
  (void) flag_other;

  /* discarding the create gives up what was made on it, latest first; the message is back in
   * INBOX under its UID, INBOX will fetch its flags again; the append stays (it fails by itself) */
  g_assert_true (heron_store_journal_discard_with_dependents (fixture->store, create, discarded, &error));
  g_assert_no_error (error);
  {
    const gint64 expected[] = { move2, flag_local, move1, create };
    assert_seqs (discarded, expected, G_N_ELEMENTS (expected));
  }
  g_assert_cmpuint (flags_of (fixture, fixture->inbox, 1) & HERON_STORE_FLAG_FLAGGED, !=, 0);   /* until the sync */
  g_assert_cmpuint (store_test_count (fixture->store, fixture->archive), ==, 0);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 20);
  inbox = heron_store_lookup_folder (fixture->store, "INBOX", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inbox->uidnext, ==, 1);
  g_assert_cmpuint (inbox->highestmodseq, ==, 0);
  g_assert_cmpuint (inbox->uidvalidity, ==, 7);
  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 4);   /* flag_other, append, flag3 (FAILED), flag3_again */
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[1])->seq, ==, append);
  held = heron_store_journal_list_held (fixture->store, &error);
  g_assert_no_error (error);
  {
    const gint64 expected[] = { flag3_again };
    assert_seqs (held, expected, G_N_ELEMENTS (expected));
  }
  g_clear_pointer (&held, g_array_unref);

  /* discarding the flag change releases the later one of the same message, and gives up
   * nothing with it */
  g_array_set_size (discarded, 0);
  g_assert_true (heron_store_journal_discard_with_dependents (fixture->store, flag3, discarded, &error));
  g_assert_no_error (error);
  {
    const gint64 expected[] = { flag3 };
    assert_seqs (discarded, expected, G_N_ELEMENTS (expected));
  }
  held = heron_store_journal_list_held (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (held->len, ==, 0);

  /* an unknown entry */
  g_assert_false (heron_store_journal_discard_with_dependents (fixture->store, 9999, discarded, &error));
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (discarded->len, ==, 0);
}

static gint64
flag_seen (Fixture      *fixture,
           gint64        folder_id,
           const gint64 *uid)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (heron_store_op_add_flags (fixture->store, folder_id, uid, 1, HERON_STORE_FLAG_SEEN, NULL, &error),
                   >, 0);
  g_assert_no_error (error);
  return last_seq (fixture);
}

/* A refused DELETE or RENAME holds only what names exactly the folder it took away (a folder
 * made again under that name), not its children, which stay on the server as here, nor a
 * sibling that merely starts with its name; INBOX, which always exists, holds nothing; what acts
 * in or below a renamed folder's new name waits. Discarding the DELETE gives up nothing else. */
static void
test_held_folders (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) held = NULL;
  g_autoptr (GArray) moved = NULL;
  g_autoptr (GArray) discarded = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) ops = NULL;
  HeronStoreFolder info = { 0 };
  const gint64 one[] = { 1 }, two[] = { 2 }, three[] = { 3 };
  gint64 projects = store_test_add_folder (fixture->store, "Projects");
  gint64 year = store_test_add_folder (fixture->store, "Projects/2024");
  gint64 old = store_test_add_folder (fixture->store, "Projects.old");
  gint64 work = store_test_add_folder (fixture->store, "Work");
  gint64 sub = store_test_add_folder (fixture->store, "Work/Sub");
  gint64 workshop = store_test_add_folder (fixture->store, "Workshop");
  gint64 del, move, flag_year, expunge, flag_old, recreate, ren, flag_sub, recreate_work, flag_workshop;
  gint64 ren_inbox, inbox_again, flag_inbox, flag_renamed_inbox;

  store_test_fill (fixture->store, year, 1, 3);
  store_test_fill (fixture->store, old, 1, 1);
  store_test_fill (fixture->store, sub, 1, 1);
  store_test_fill (fixture->store, workshop, 1, 1);

  /* the server refuses to delete Projects (it has a child); meanwhile, work in its child and in
   * a sibling, and Projects made again */
  del = heron_store_op_delete_folder (fixture->store, projects, &error);
  g_assert_no_error (error);
  fail_permanently (fixture, del);
  move = heron_store_op_move (fixture->store, year, one, 1, fixture->inbox, &moved, &error);
  g_assert_no_error (error);
  flag_year = flag_seen (fixture, year, two);
  expunge = heron_store_op_expunge (fixture->store, year, three, 1, &error);
  g_assert_no_error (error);
  flag_old = flag_seen (fixture, old, one);
  info.name = (char *) "Projects";
  info.display_name = (char *) "Projects";
  info.delimiter = '/';
  recreate = heron_store_op_create_folder (fixture->store, &info, NULL, &error);
  g_assert_no_error (error);

  /* a refused rename of Work to Done (its child goes along here): what acts below the new name
   * waits, as does Work made again; a sibling starting with "Work" does not */
  ren = heron_store_op_rename_folder (fixture->store, work, "Done", "Done", &error);
  g_assert_no_error (error);
  fail_permanently (fixture, ren);
  flag_sub = flag_seen (fixture, sub, one);   /* "Done/Sub" now */
  info.name = (char *) "Work";
  info.display_name = (char *) "Work";
  recreate_work = heron_store_op_create_folder (fixture->store, &info, NULL, &error);
  g_assert_no_error (error);
  flag_workshop = flag_seen (fixture, workshop, one);

  /* a refused rename of INBOX: the server keeps an INBOX (renaming it moves its messages), the
   * next sync brings it back, and what happens in it goes on */
  ren_inbox = heron_store_op_rename_folder (fixture->store, fixture->inbox, "Old Inbox", "Old Inbox", &error);
  g_assert_no_error (error);
  fail_permanently (fixture, ren_inbox);
  inbox_again = store_test_add_folder (fixture->store, "INBOX");
  store_test_fill (fixture->store, inbox_again, 1, 1);
  flag_inbox = flag_seen (fixture, inbox_again, one);
  flag_renamed_inbox = flag_seen (fixture, fixture->inbox, two);   /* "Old Inbox" now */

  held = heron_store_journal_list_held (fixture->store, &error);
  g_assert_no_error (error);
  {
    const gint64 expected[] = { recreate, flag_sub, recreate_work, flag_renamed_inbox };
    assert_seqs (held, expected, G_N_ELEMENTS (expected));
  }
  (void) move, (void) flag_year, (void) expunge, (void) flag_old, (void) flag_workshop, (void) flag_inbox;

  /* discarding the DELETE gives up nothing else: the moved message stays moved, the flag
   * changes and the expunge stay in the journal */
  g_assert_true (heron_store_journal_discard_with_dependents (fixture->store, del, discarded, &error));
  g_assert_no_error (error);
  {
    const gint64 expected[] = { del };
    assert_seqs (discarded, expected, G_N_ELEMENTS (expected));
  }
  g_assert_cmpuint (store_test_count (fixture->store, year), ==, 1);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 21);   /* "Old Inbox" */
  ops = journal (fixture);
  g_assert_cmpuint (ops->len, ==, 12);

  /* discarding the rename of Work gives up what acts below its new name, not Work made again */
  g_array_set_size (discarded, 0);
  g_assert_true (heron_store_journal_discard_with_dependents (fixture->store, ren, discarded, &error));
  g_assert_no_error (error);
  {
    const gint64 expected[] = { flag_sub, ren };
    assert_seqs (discarded, expected, G_N_ELEMENTS (expected));
  }
}

/* A move refused by the server, its source folder renamed since (the rename done), then the
 * move discarded: the messages go back to that folder under its new name, under their UIDs, and
 * its saved state is lowered so that its next sync fetches their flags. */
static void
test_discard_move_after_rename (Fixture      *fixture,
                                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) moved = NULL;
  g_autoptr (HeronStoreFolder) done = NULL;
  g_autoptr (HeronStoreFolder) source = NULL;
  const gint64 some[] = { 3, 4 };
  gint64 work = store_test_add_folder (fixture->store, "Work");
  gint64 move, ren;

  store_test_fill (fixture->store, work, 1, 5);
  g_assert_true (heron_store_set_folder_sync_state (fixture->store, work, 7, 6, 100, &error));
  g_assert_no_error (error);

  move = heron_store_op_move (fixture->store, work, some, 2, fixture->trash, &moved, &error);
  g_assert_no_error (error);
  fail_permanently (fixture, move);
  ren = heron_store_op_rename_folder (fixture->store, work, "Done", "Done", &error);
  g_assert_no_error (error);
  g_assert_true (heron_store_journal_start (fixture->store, ren, &error));
  g_assert_true (heron_store_journal_complete (fixture->store, ren, NULL, 0, &error));
  g_assert_no_error (error);

  source = heron_store_journal_lookup_folder (fixture->store, move, &error);
  g_assert_no_error (error);
  g_assert_cmpint (source->id, ==, work);
  g_assert_cmpstr (source->name, ==, "Done");

  g_assert_true (heron_store_journal_discard (fixture->store, move, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (fixture->store, work), ==, 5);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->trash), ==, 0);
  /* under their UIDs there (heron_store_get_message() finds them) */
  (void) flags_of (fixture, work, 3);
  (void) flags_of (fixture, work, 4);
  done = heron_store_get_folder (fixture->store, work, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (done->highestmodseq, ==, 0);
  g_assert_cmpuint (done->uidnext, ==, 3);
  g_assert_cmpuint (done->uidvalidity, ==, 7);

  /* an entry no longer in the journal */
  g_assert_null (heron_store_journal_lookup_folder (fixture->store, move, &error));
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
}

/* What the server holds as far as the cache knows: messages with server UIDs, and those that
 * waiting moves and expunges took out; not the local ones. */
static void
test_server_count (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) moved = NULL;
  g_autoptr (GArray) back = NULL;
  const gint64 some[] = { 1, 2, 3 }, gone[] = { 4 };
  guint count = 0;

  g_assert_true (heron_store_journal_count_server_messages (fixture->store, fixture->inbox, &count, &error));
  g_assert_cmpuint (count, ==, 20);
  g_assert_cmpint (heron_store_op_move (fixture->store, fixture->inbox, some, 3, fixture->archive, &moved, &error), >, 0);
  g_assert_cmpint (heron_store_op_expunge (fixture->store, fixture->inbox, gone, 1, &error), >, 0);
  /* a local message moved into INBOX: not on the server yet */
  g_assert_cmpint (heron_store_op_move (fixture->store, fixture->archive, (gint64 *) moved->data, 1, fixture->inbox,
                                        &back, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count (fixture->store, fixture->inbox), ==, 17);
  g_assert_true (heron_store_journal_count_server_messages (fixture->store, fixture->inbox, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 20);
  g_assert_true (heron_store_journal_count_server_messages (fixture->store, fixture->archive, &count, &error));
  g_assert_cmpuint (count, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/heron/store/journal/flags", test_flags);
  ADD ("/heron/store/journal/states", test_states);
  ADD ("/heron/store/journal/append-args", test_append_args);
  ADD ("/heron/store/journal/atomic", test_atomic);
  ADD ("/heron/store/journal/move-and-map", test_move_and_map);
  ADD ("/heron/store/journal/copy-and-delete", test_copy_and_delete);
  ADD ("/heron/store/journal/append", test_append);
  ADD ("/heron/store/journal/folder-ops", test_folder_ops);
  ADD ("/heron/store/journal/held-and-discarded", test_held);
  ADD ("/heron/store/journal/server-count", test_server_count);
  ADD ("/heron/store/journal/held-folders", test_held_folders);
  ADD ("/heron/store/journal/discard-move-after-rename", test_discard_move_after_rename);
#undef ADD
  g_test_add_func ("/heron/store/journal/replay-after-crash", test_crash);

  return g_test_run ();
}
