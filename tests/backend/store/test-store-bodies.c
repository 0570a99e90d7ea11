/* test-store-bodies.c: raw sources streamed to disk, deduplicated, removed with their messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "store/heron-store-private.h"
#include "store-test-util.h"

#define CHUNK (64 * 1024)

static guint
count_source_files (HeronStore *store)
{
  g_autoptr (GDir) top = g_dir_open (heron_store_get_sources_dir (store), 0, NULL);
  const char *sub;
  guint n = 0;

  g_assert_nonnull (top);
  while ((sub = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *path = g_build_filename (heron_store_get_sources_dir (store), sub, NULL);
      g_autoptr (GDir) dir = NULL;

      if (strcmp (sub, "tmp") == 0)
        continue;
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && g_dir_read_name (dir) != NULL)
        n++;
    }
  return n;
}

static gint64
count_rows (HeronStore *store,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

  return store_test_query_int (store, sql);
}

/* A deterministic chunk: a header, then lines of text that differ per chunk */
static void
fill_chunk (guint8 *chunk,
            guint   index,
            guint   seed)
{
  for (guint i = 0; i < CHUNK; i++)
    chunk[i] = (i % 78 == 77) ? '\n' : (guint8) ('a' + (i * 31 + index * 7 + seed) % 26);
}

static HeronStoreSourceWriter *
write_source (HeronStore *store,
              guint       n_chunks,
              guint       seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *chunk = g_malloc (CHUNK);
  HeronStoreSourceWriter *writer = heron_store_source_writer_new (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n_chunks; i++)
    {
      fill_chunk (chunk, i, seed);
      heron_store_source_writer_write (writer, chunk, CHUNK, &error);
      g_assert_no_error (error);
    }
  heron_store_source_writer_close (writer, &error);
  g_assert_no_error (error);
  return writer;
}

/* Reads the whole stream back in chunks and compares it. */
static void
assert_source (GInputStream *stream,
               guint         n_chunks,
               guint         seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *expected = g_malloc (CHUNK);
  g_autofree guint8 *got = g_malloc (CHUNK);
  gsize read;

  for (guint i = 0; i < n_chunks; i++)
    {
      fill_chunk (expected, i, seed);
      g_input_stream_read_all (stream, got, CHUNK, &read, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (read, ==, CHUNK);
      g_assert_true (memcmp (expected, got, CHUNK) == 0);
    }
  g_input_stream_read_all (stream, got, CHUNK, &read, NULL, &error);
  g_assert_cmpuint (read, ==, 0);
}

static void
test_large_streamed (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreSourceWriter) writer = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (HeronStoreMessage) message = NULL;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  guint n_chunks = 50 * 1024 * 1024 / CHUNK;
  guint64 before, after;

  store_test_fill (store, inbox, 1, 1);

  /* 50 MB in 64 KiB chunks, as they come off the wire */
  before = store_test_rss_kib ();
  writer = write_source (store, n_chunks, 1);
  heron_store_set_body (store, inbox, 1, writer, "The body text", &error);
  g_assert_no_error (error);
  after = store_test_rss_kib ();
  g_test_message ("RSS %" G_GUINT64_FORMAT " KiB -> %" G_GUINT64_FORMAT " KiB", before, after);
  g_assert_cmpuint (after, <, before + 16 * 1024);
  g_assert_cmpuint (heron_store_source_writer_get_size (writer), ==, (guint64) n_chunks * CHUNK);
  g_assert_cmpuint (strlen (heron_store_source_writer_get_hash (writer)), ==, 64);

  message = heron_store_get_message (store, inbox, 1, &error);
  g_assert_true (message->body_local);
  g_assert_cmpstr (message->snippet, ==, "The body text");

  before = store_test_rss_kib ();
  stream = heron_store_open_source (store, inbox, 1, NULL, &error);
  g_assert_no_error (error);
  assert_source (stream, n_chunks, 1);
  after = store_test_rss_kib ();
  g_assert_cmpuint (after, <, before + 16 * 1024);
  store_test_assert_consistent (store);
}

/* Sources of up to 128 KiB (2 chunks) live in the database, larger ones in files */
static void
test_dedup_and_release (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  HeronStoreSourceWriter *writer;
  GInputStream *stream;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  gint64 archive = store_test_add_folder (store, "Archive");
  gint64 uid = 1;

  store_test_fill (store, inbox, 1, 2);
  store_test_fill (store, archive, 1, 2);

  /* The same message fetched in two folders is stored once: a large one as one file ... */
  for (guint i = 0; i < 2; i++)
    {
      writer = write_source (store, 16, 7);
      heron_store_set_body (store, i == 0 ? inbox : archive, 1, writer, NULL, &error);
      g_assert_no_error (error);
      g_object_unref (writer);
    }
  g_assert_cmpuint (count_source_files (store), ==, 1);
  g_assert_cmpint (count_rows (store, "sources"), ==, 1);
  g_assert_cmpint (count_rows (store, "source_data"), ==, 0);

  /* ... a small one as one blob */
  for (guint i = 0; i < 2; i++)
    {
      writer = write_source (store, 2, 8);
      heron_store_set_body (store, i == 0 ? inbox : archive, 2, writer, NULL, &error);
      g_assert_no_error (error);
      g_object_unref (writer);
    }
  g_assert_cmpuint (count_source_files (store), ==, 1);
  g_assert_cmpint (count_rows (store, "sources"), ==, 2);
  g_assert_cmpint (count_rows (store, "source_data"), ==, 1);
  store_test_assert_consistent (store);

  stream = heron_store_open_source (store, archive, 2, NULL, &error);
  g_assert_no_error (error);
  assert_source (stream, 2, 8);
  g_object_unref (stream);

  /* One reference goes: the file stays */
  heron_store_remove_messages (store, inbox, &uid, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_source_files (store), ==, 1);
  stream = heron_store_open_source (store, archive, 1, NULL, &error);
  g_assert_no_error (error);
  assert_source (stream, 16, 7);
  g_object_unref (stream);

  /* The last one goes (with its folder): the file goes; the blob is still used by INBOX */
  heron_store_delete_folder (store, archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_source_files (store), ==, 0);
  g_assert_cmpint (count_rows (store, "sources"), ==, 1);
  g_assert_cmpint (count_rows (store, "source_data"), ==, 1);

  /* A replaced source is released */
  writer = write_source (store, 3, 9);
  heron_store_set_body (store, inbox, 2, writer, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (writer);
  g_assert_cmpuint (count_source_files (store), ==, 1);
  g_assert_cmpint (count_rows (store, "sources"), ==, 1);
  g_assert_cmpint (count_rows (store, "source_data"), ==, 0);
  stream = heron_store_open_source (store, inbox, 2, NULL, &error);
  g_assert_no_error (error);
  assert_source (stream, 3, 9);
  g_object_unref (stream);

  /* Writers dropped before they were handed over leave nothing */
  writer = write_source (store, 1, 10);
  g_object_unref (writer);
  writer = write_source (store, 5, 10);
  g_object_unref (writer);
  writer = heron_store_source_writer_new (store, &error);
  heron_store_source_writer_write (writer, "unfinished", 10, &error);
  g_object_unref (writer);
  store_test_fill (store, inbox, 3, 3);
  g_assert_cmpuint (count_source_files (store), ==, 1);
  g_assert_cmpint (count_rows (store, "sources"), ==, 1);
  store_test_assert_consistent (store);
}

static void
test_not_local (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (HeronStoreReader) reader = NULL;
  HeronStoreSourceWriter *writer;
  GInputStream *stream;
  gint64 inbox = store_test_add_folder (store, "INBOX");
  g_autofree char *path = NULL;

  store_test_fill (store, inbox, 1, 2);
  stream = heron_store_open_source (store, inbox, 1, NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_assert_null (stream);
  g_clear_error (&error);

  /* A body for a message the cache does not have is refused */
  writer = write_source (store, 3, 1);
  heron_store_set_body (store, inbox, 99, writer, NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  heron_store_set_body (store, inbox, 2, writer, NULL, &error);
  g_assert_no_error (error);

  /* A file cut short (a power loss) reads as missing, from the reader too */
  path = g_build_filename (heron_store_get_sources_dir (store), (char[]) { heron_store_source_writer_get_hash (writer)[0],
                                                                          heron_store_source_writer_get_hash (writer)[1], 0 },
                           heron_store_source_writer_get_hash (writer) + 2, NULL);
  g_object_unref (writer);
  g_file_set_contents (path, "short", 5, &error);
  g_assert_no_error (error);
  reader = heron_store_reader_open (heron_store_get_path (store), &error);
  g_assert_no_error (error);
  stream = heron_store_reader_open_source (reader, inbox, 2, NULL, &error);
  g_assert_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  g_assert_null (stream);
  g_clear_error (&error);

  /* Fetched again: the same content replaces the damaged file */
  writer = write_source (store, 3, 1);
  heron_store_set_body (store, inbox, 2, writer, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (writer);
  stream = heron_store_reader_open_source (reader, inbox, 2, NULL, &error);
  g_assert_no_error (error);
  assert_source (stream, 3, 1);
  g_object_unref (stream);
}

static void
test_orphans (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *orphan_dir = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *tmp = NULL;
  HeronStore *store = store_test_open (dir->path);
  HeronStoreSourceWriter *writer;
  gint64 inbox = store_test_add_folder (store, "INBOX");

  store_test_fill (store, inbox, 1, 1);
  writer = write_source (store, 3, 3);
  heron_store_set_body (store, inbox, 1, writer, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (writer);

  /* What a crash can leave: a file nothing refers to, and a half-written temporary file */
  orphan_dir = g_build_filename (heron_store_get_sources_dir (store), "ab", NULL);
  g_assert_cmpint (g_mkdir_with_parents (orphan_dir, 0700), ==, 0);
  orphan = g_build_filename (orphan_dir, "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", NULL);
  g_file_set_contents (orphan, "orphan", -1, &error);
  tmp = g_build_filename (heron_store_get_sources_dir (store), "tmp", "source-ABCDEF", NULL);
  g_file_set_contents (tmp, "half", -1, &error);
  g_assert_no_error (error);
  g_object_unref (store);

  /* Opening removes temporary files; garbage collection removes orphans */
  store = store_test_open (dir->path);
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (orphan, G_FILE_TEST_EXISTS));
  heron_store_collect_garbage (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_source_files (store), ==, 1);
  store_test_assert_consistent (store);
  g_object_unref (store);
}

/* heron_store_add_bodies() on a second writer, on its own thread, with sources the first
 * writer's thread received (the sync's prefetch): what is gone or local already is skipped,
 * the first store's garbage collection leaves the pinned files alone until the writers go, and
 * what was stored reads back through the first store. */
typedef struct {
  const char              *path;
  gint64                   folder_id;
  const gint64            *uids;
  HeronStoreSourceWriter **sources;
  guint                    n;
  GArray                  *stored;
  StoreTestEvents          events;
  GError                  *error;
} SecondWriter;

static gpointer
second_writer_thread (gpointer data)
{
  SecondWriter *second = data;
  g_autoptr (HeronStore) extra = heron_store_open_extra_writer (second->path, &second->error);

  if (extra == NULL)
    return NULL;
  store_test_events_attach (&second->events, extra);
  heron_store_add_bodies (extra, second->folder_id, second->uids, second->sources, second->n,
                          second->stored, &second->error);
  heron_store_set_changes_func (extra, NULL, NULL, NULL);
  return NULL;
}

static void
test_second_writer (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) changed = NULL;
  static const gint64 uids[] = { 1, 2, 3, 99 };
  HeronStoreSourceWriter *sources[4];
  HeronStoreSourceWriter *earlier;
  SecondWriter second = { 0 };
  gint64 inbox = store_test_add_folder (store, "INBOX");

  store_test_fill (store, inbox, 1, 3);
  /* UID 3 is local already (an on-demand fetch was first) */
  earlier = write_source (store, 1, 7);
  heron_store_set_body (store, inbox, 3, earlier, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (earlier);

  /* received on this thread: a large source (a file), a small one, one for the local message
   * (large, so its file must go again) and one for a message the cache does not have */
  sources[0] = write_source (store, 3, 1);
  sources[1] = write_source (store, 1, 2);
  sources[2] = write_source (store, 4, 3);
  sources[3] = write_source (store, 1, 4);
  g_assert_cmpuint (count_source_files (store), ==, 2);

  /* the first writer collects while they wait: their files stay */
  heron_store_collect_garbage (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_source_files (store), ==, 2);

  second.path = dir->path;
  second.folder_id = inbox;
  second.uids = uids;
  second.sources = sources;
  second.n = G_N_ELEMENTS (uids);
  second.stored = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_thread_join (g_thread_new ("second-writer", second_writer_thread, &second));
  g_assert_no_error (second.error);
  g_assert_cmpuint (second.stored->len, ==, 2);
  g_assert_cmpint (g_array_index (second.stored, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (second.stored, gint64, 1), ==, 2);
  changed = store_test_events_uids (&second.events, HERON_STORE_CHANGE_MESSAGES_CHANGED, inbox);
  g_assert_cmpuint (changed->len, ==, 2);
  g_ptr_array_unref (second.events.batches);
  g_array_unref (second.stored);

  /* committed: the first store's collection keeps them; freeing the writers (on the first
   * writer's thread) unpins them, and the file nothing took goes with its writer */
  heron_store_collect_garbage (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_object_unref (sources[i]);
  g_assert_cmpuint (count_source_files (store), ==, 1);
  g_assert_cmpint (count_rows (store, "sources"), ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      static const guint chunks[] = { 3, 1, 1 };
      static const guint seeds[] = { 1, 2, 7 };
      g_autoptr (GInputStream) stream = heron_store_open_source (store, inbox, i + 1, NULL, &error);
      g_autoptr (HeronStoreMessage) message = heron_store_get_message (store, inbox, i + 1, &error);

      g_assert_no_error (error);
      g_assert_true (message->body_local);
      assert_source (stream, chunks[i], seeds[i]);
    }
  store_test_assert_consistent (store);
}

static void
test_body_text (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) needing = NULL;
  g_autoptr (GString) long_text = g_string_new (NULL);
  HeronStoreMessage *message;
  HeronStoreSourceWriter *writer;
  gint64 inbox = store_test_add_folder (store, "INBOX");

  store_test_fill (store, inbox, 1, 3);

  heron_store_set_body_text (store, inbox, 1,
                             "Hi Ana,\n\n  the   plans are\tattached.\n\n> On Monday you wrote:\n> quoted\n"
                             "Thanks\n-- \nBea\nSignature line", &error);
  g_assert_no_error (error);
  message = heron_store_get_message (store, inbox, 1, &error);
  g_assert_cmpstr (message->snippet, ==, "Hi Ana, the plans are attached. Thanks");
  g_assert_false (message->body_local);
  heron_store_message_free (message);

  /* A snippet is bounded, and invalid UTF-8 does not get in */
  for (guint i = 0; i < 1000; i++)
    g_string_append (long_text, "Wörter ");
  g_string_append (long_text, "\xff\xfe end");
  heron_store_set_body_text (store, inbox, 2, long_text->str, &error);
  g_assert_no_error (error);
  message = heron_store_get_message (store, inbox, 2, &error);
  g_assert_cmpint (g_utf8_strlen (message->snippet, -1), <=, 200);
  g_assert_true (g_utf8_validate (message->snippet, -1, NULL));
  heron_store_message_free (message);

  /* A source without text waits for its text */
  writer = write_source (store, 1, 4);
  heron_store_set_body (store, inbox, 3, writer, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (writer);
  needing = heron_store_get_messages_needing_text (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (needing->len, ==, 1);
  g_assert_cmpint (g_array_index (needing, HeronStoreMessageRef, 0).uid, ==, 3);
  heron_store_set_body_text (store, inbox, 3, "text", &error);
  g_clear_pointer (&needing, g_array_unref);
  needing = heron_store_get_messages_needing_text (store, 10, &error);
  g_assert_cmpuint (needing->len, ==, 0);
  store_test_assert_consistent (store);
}

/* The sync's prefetch stores sources without text, and its text pass adds the text later: the
 * messages waiting for it come newest first; a body without text ("") counts as indexed and
 * keeps the server's snippet; the source's name is its SHA-256. */
static void
test_text_later (void)
{
  g_autoptr (StoreTestDir) dir = store_test_dir_new ();
  g_autoptr (HeronStore) store = store_test_open (dir->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) needing = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *chunk = g_malloc (CHUNK);
  HeronStoreMessage *preview = store_test_message (4, NULL, NULL, NULL, NULL, NULL, NULL);
  HeronStoreMessage *message;
  gint64 inbox = store_test_add_folder (store, "INBOX");

  store_test_fill (store, inbox, 1, 4);
  preview->snippet = g_strdup ("The server's preview");
  heron_store_set_snippets (store, inbox, &preview, 1, &error);
  g_assert_no_error (error);
  heron_store_message_free (preview);

  heron_store_begin_batch (store, &error);
  g_assert_no_error (error);
  for (guint uid = 2; uid <= 4; uid++)
    {
      g_autoptr (HeronStoreSourceWriter) writer = write_source (store, 1, uid);

      g_checksum_reset (checksum);
      fill_chunk (chunk, 0, uid);
      g_checksum_update (checksum, chunk, CHUNK);
      g_assert_cmpstr (heron_store_source_writer_get_hash (writer), ==, g_checksum_get_string (checksum));
      heron_store_set_body (store, inbox, uid, writer, NULL, &error);
      g_assert_no_error (error);
    }
  heron_store_commit_batch (store, &error);
  g_assert_no_error (error);

  needing = heron_store_get_messages_needing_text (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (needing->len, ==, 3);
  g_assert_cmpint (g_array_index (needing, HeronStoreMessageRef, 0).uid, ==, 4);
  g_assert_cmpint (g_array_index (needing, HeronStoreMessageRef, 1).uid, ==, 3);
  g_assert_cmpint (g_array_index (needing, HeronStoreMessageRef, 2).uid, ==, 2);
  g_clear_pointer (&needing, g_array_unref);

  /* no text: indexed, and the preview stays */
  heron_store_set_body_text (store, inbox, 4, "", &error);
  g_assert_no_error (error);
  message = heron_store_get_message (store, inbox, 4, &error);
  g_assert_cmpstr (message->snippet, ==, "The server's preview");
  g_assert_true (message->body_local);
  heron_store_message_free (message);

  /* text: its own snippet, and searchable */
  heron_store_set_body_text (store, inbox, 3, "Numbat sighting near the river", &error);
  g_assert_no_error (error);
  message = heron_store_get_message (store, inbox, 3, &error);
  g_assert_cmpstr (message->snippet, ==, "Numbat sighting near the river");
  heron_store_message_free (message);
  {
    g_autoptr (GArray) hits = heron_store_search (store, "numbat", inbox, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, 1);
  }

  needing = heron_store_get_messages_needing_text (store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (needing->len, ==, 1);
  g_assert_cmpint (g_array_index (needing, HeronStoreMessageRef, 0).uid, ==, 2);
  store_test_assert_consistent (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/store/bodies/large-streamed", test_large_streamed);
  g_test_add_func ("/heron/store/bodies/dedup-and-release", test_dedup_and_release);
  g_test_add_func ("/heron/store/bodies/not-local", test_not_local);
  g_test_add_func ("/heron/store/bodies/orphans", test_orphans);
  g_test_add_func ("/heron/store/bodies/second-writer", test_second_writer);
  g_test_add_func ("/heron/store/bodies/text", test_body_text);
  g_test_add_func ("/heron/store/bodies/text-later", test_text_later);

  return g_test_run ();
}
