/* test-sync-bodies.c: message bodies on demand and prefetched, snippets and the server's search,
 * against the real Dovecot of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One Dovecot serves every test; each test has a user of its own. The cache is read as the UI
 * reads it, through a HeronStoreReader.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "imap/heron-imap-utf7.h"
#include "sync-test-util.h"

static HeronTestServer *server;
static char *tmpdir;

/* Bodies of the last 30 days are prefetched. */
static void
fixture_start (SyncTestFixture *fixture,
               gboolean         idle,
               guint            chunk_size)
{
  g_autoptr(HeronAccountConfig) config = sync_test_fixture_config (fixture);
  HeronAccountWorkerOptions options;

  heron_account_config_set_prefetch_days (config, 30);
  sync_test_options_init (&options, fixture->store_path, fixture->password);
  options.idle = idle;
  options.chunk_size = chunk_size;
  sync_test_fixture_start (fixture, config, &options);
}

static void
fixture_online (SyncTestFixture *fixture,
                gboolean         idle,
                guint            chunk_size)
{
  fixture_start (fixture, idle, chunk_size);
  sync_test_wait_state (fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
}

/* fetch_body; returns the error (NULL on success) */
static GError *
fetch_body (SyncTestFixture *fixture,
            const char      *folder,
            gint64           uid)
{
  GError *error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_fetch_body_async (fixture->worker, folder, uid, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "fetch_body");
  heron_account_worker_fetch_body_finish (fixture->worker, wait.result, &error);
  g_object_unref (wait.result);
  return error;
}

static GBytes *
make_message (const char *subject,
              const char *date,
              const char *body)
{
  g_autofree char *text = g_strdup_printf ("From: Bob <bob@example.test>\r\n"
                                           "To: someone@example.test\r\n"
                                           "Subject: %s\r\n"
                                           "Date: %s\r\n"
                                           "Message-ID: <%s.%u@heron.test>\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "\r\n"
                                           "%s\r\n", subject, date, subject, g_random_int (), body);

  return g_bytes_new (text, strlen (text));
}

static guint32
deliver_bytes (SyncTestFixture *fixture,
               const char      *mailbox,
               GBytes          *message)
{
  g_autoptr(GError) error = NULL;
  guint32 uid = heron_test_server_deliver (server, fixture->user, mailbox, message, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  return uid;
}

static guint32
deliver (SyncTestFixture *fixture,
         const char      *mailbox,
         const char      *subject,
         const char      *body)
{
  g_autoptr(GBytes) message = make_message (subject, "Thu, 14 Nov 2024 09:30:00 +0000", body);

  return deliver_bytes (fixture, mailbox, message);
}

static char *
rfc2822_days_ago (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -days);

  return g_date_time_format (then, "%a, %d %b %Y %H:%M:%S +0000");
}

static HeronStoreReader *
open_reader (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  HeronStoreReader *reader = heron_store_reader_open (fixture->store_path, &error);

  g_assert_no_error (error);
  return reader;
}

static gint64
folder_id (HeronStoreReader *reader,
           const char       *name)
{
  gint64 id = sync_test_store_folder_id (reader, name);

  if (id == 0)
    g_error ("No folder %s in the cache", name);
  return id;
}

static HeronStoreMessage *
cached_message (SyncTestFixture *fixture,
                const char      *folder,
                gint64           uid)
{
  g_autoptr(HeronStoreReader) reader = open_reader (fixture);
  g_autoptr(GError) error = NULL;
  HeronStoreMessage *message = heron_store_reader_get_message (reader, folder_id (reader, folder), uid, &error);

  g_assert_no_error (error);
  return message;
}

static GBytes *
cached_source (SyncTestFixture *fixture,
               const char      *folder,
               gint64           uid)
{
  g_autoptr(HeronStoreReader) reader = open_reader (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = heron_store_reader_open_source (reader, folder_id (reader, folder), uid, NULL, &error);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_no_error (error);
  g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
assert_bytes_equal (GBytes *a,
                    GBytes *b)
{
  g_assert_cmpuint (g_bytes_get_size (a), ==, g_bytes_get_size (b));
  g_assert_true (g_bytes_equal (a, b));
}

/* Tests */

static void
test_on_demand (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) sent = make_message ("on demand", "Thu, 14 Nov 2024 09:30:00 +0000",
                                         "Dear Alice,\r\n\r\nthe quarterly figures are attached.\r\n"
                                         "> quoted text stays out of the snippet\r\n");
  g_autoptr(GBytes) cached = NULL;
  g_autoptr(HeronStoreMessage) before = NULL;
  g_autoptr(HeronStoreMessage) after = NULL;
  HeronSyncEvent *event;
  GError *error;
  guint32 uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "ondemand");
  uid = deliver_bytes (&fixture, "INBOX", sent);
  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "INBOX");

  before = cached_message (&fixture, "INBOX", uid);
  g_assert_false (before->body_local);

  error = fetch_body (&fixture, "INBOX", uid);
  g_assert_no_error (error);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_BODY_FETCHED, "INBOX", 0, SYNC_TEST_WAIT_MS);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);

  /* the server's bytes, as the UI reads them */
  cached = cached_source (&fixture, "INBOX", uid);
  assert_bytes_equal (cached, sent);
  after = cached_message (&fixture, "INBOX", uid);
  g_assert_true (after->body_local);
  g_assert_nonnull (after->snippet);
  g_assert_nonnull (strstr (after->snippet, "quarterly figures"));
  g_assert_null (strstr (after->snippet, "quoted"));

  /* local now: completes at once, also offline */
  error = fetch_body (&fixture, "INBOX", uid);
  g_assert_no_error (error);

  /* an unknown message */
  error = fetch_body (&fixture, "INBOX", uid + 1000);
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  sync_test_fixture_clear (&fixture);
}

static void
test_large (void)
{
  SyncTestFixture fixture;
  GString *text = g_string_new (NULL);
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(GBytes) cached = NULL;
  g_autoptr(HeronStoreMessage) message = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  char prefix[3];
  GStatBuf st;
  GError *error;
  guint32 uid;
  guint8 line[57];

  sync_test_fixture_init (&fixture, server, tmpdir, "large");
  g_string_append (text, "From: Bob <bob@example.test>\r\n"
                         "To: large@example.test\r\n"
                         "Subject: a large attachment\r\n"
                         "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                         "Message-ID: <large@heron.test>\r\n"
                         "MIME-Version: 1.0\r\n"
                         "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
                         "\r\n"
                         "--b\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "\r\n"
                         "The scanned contracts are attached, all twenty megabytes.\r\n"
                         "--b\r\n"
                         "Content-Type: application/octet-stream; name=\"scan.bin\"\r\n"
                         "Content-Disposition: attachment; filename=\"scan.bin\"\r\n"
                         "Content-Transfer-Encoding: base64\r\n"
                         "\r\n");
  /* 20 MB of base64 lines */
  while (text->len < 20 * 1000 * 1000)
    {
      g_autofree char *encoded = NULL;

      for (guint i = 0; i < sizeof line; i++)
        line[i] = g_random_int_range (0, 256);
      encoded = g_base64_encode (line, sizeof line);
      g_string_append (text, encoded);
      g_string_append (text, "\r\n");
    }
  g_string_append (text, "--b--\r\n");
  sent = g_string_free_to_bytes (text);

  uid = deliver_bytes (&fixture, "INBOX", sent);
  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "INBOX");

  error = fetch_body (&fixture, "INBOX", uid);
  g_assert_no_error (error);

  /* it went to a file named by its hash (the writer spilled to disk as it arrived: the 128 KiB
   * buffer is all it ever held in memory) */
  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, sent);
  prefix[0] = hash[0];
  prefix[1] = hash[1];
  prefix[2] = '\0';
  {
    g_autofree char *dir = g_strconcat (fixture.store_path, "-sources", NULL);
    path = g_build_filename (dir, prefix, hash + 2, NULL);
  }
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, g_bytes_get_size (sent));

  cached = cached_source (&fixture, "INBOX", uid);
  assert_bytes_equal (cached, sent);
  message = cached_message (&fixture, "INBOX", uid);
  g_assert_true (message->body_local);
  g_assert_nonnull (message->snippet);
  g_assert_nonnull (strstr (message->snippet, "scanned contracts"));

  sync_test_fixture_clear (&fixture);
}

static void
test_during_sync (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  HeronSeedSpec spec = { .seed = 7, .count = 3000 };
  SyncTestWait sync_wait = { 0 };
  SyncTestWait fetch_wait = { 0 };
  guint32 uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "during");
  spec.owner_address = fixture.user;
  g_assert_true (heron_test_server_seed (server, fixture.user, "Big", &spec, &error));
  g_assert_no_error (error);
  uid = deliver (&fixture, "INBOX", "read me now", "Please read this while the sync runs.");

  /* small chunks: a first sync of many round trips */
  fixture_online (&fixture, FALSE, 100);
  sync_test_sync_folder (&fixture, "INBOX");

  heron_account_worker_sync_folder_async (fixture.worker, "Big", NULL, sync_test_on_done, &sync_wait);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_PROGRESS, "Big", 0, SYNC_TEST_WAIT_MS);
  heron_account_worker_fetch_body_async (fixture.worker, "INBOX", uid, NULL, sync_test_on_done, &fetch_wait);

  sync_test_await (&fixture, &fetch_wait, "fetch_body");
  g_assert_true (heron_account_worker_fetch_body_finish (fixture.worker, fetch_wait.result, &error));
  g_assert_no_error (error);
  /* the person's message came first: the sync was still running */
  g_assert_false (sync_wait.done);

  sync_test_await (&fixture, &sync_wait, "the sync of Big");
  g_assert_true (heron_account_worker_sync_folder_finish (fixture.worker, sync_wait.result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fetch_wait.when, <, sync_wait.when);
  {
    g_autoptr(HeronStoreMessage) message = cached_message (&fixture, "INBOX", uid);
    g_assert_true (message->body_local);
  }
  g_object_unref (sync_wait.result);
  g_object_unref (fetch_wait.result);
  sync_test_fixture_clear (&fixture);
}

static void
test_prefetch (void)
{
  SyncTestFixture fixture;
  g_autofree char *old_date = rfc2822_days_ago (100);
  g_autofree char *new_date = rfc2822_days_ago (2);
  guint32 old_inbox[3], new_inbox[3], old_other[2], new_other[2];
  GBytes *sent_inbox[3], *sent_other[2];
  guint after;

  sync_test_fixture_init (&fixture, server, tmpdir, "prefetch");
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Other", &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) old_message = make_message ("old", old_date, "An old message.");
      g_autoptr(GBytes) new_message = make_message ("new", new_date, "A new message.");

      old_inbox[i] = deliver_bytes (&fixture, "INBOX", old_message);
      new_inbox[i] = deliver_bytes (&fixture, "INBOX", new_message);
      sent_inbox[i] = g_bytes_ref (new_message);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) old_message = make_message ("old", old_date, "An old message.");
      g_autoptr(GBytes) new_message = make_message ("new", new_date, "A new message.");

      old_other[i] = deliver_bytes (&fixture, "Other", old_message);
      new_other[i] = deliver_bytes (&fixture, "Other", new_message);
      sent_other[i] = g_bytes_ref (new_message);
    }

  /* by itself, after INBOX's sync: the three new ones */
  fixture_online (&fixture, FALSE, 500);
  {
    HeronSyncEvent *event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_BODY_FETCHED, "INBOX", 0,
                                                  SYNC_TEST_WAIT_MS);

    g_assert_cmpuint (event->uids->len, ==, 3);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpint (g_array_index (event->uids, gint64, i), ==, new_inbox[i]);
  }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(HeronStoreMessage) old_message = cached_message (&fixture, "INBOX", old_inbox[i]);
      g_autoptr(HeronStoreMessage) new_message = cached_message (&fixture, "INBOX", new_inbox[i]);

      g_autoptr(GBytes) cached = NULL;

      g_assert_false (old_message->body_local);
      g_assert_true (new_message->body_local);
      g_assert_nonnull (strstr (new_message->snippet, "A new message"));
      /* the server's bytes, each its own */
      cached = cached_source (&fixture, "INBOX", new_inbox[i]);
      assert_bytes_equal (cached, sent_inbox[i]);
      g_bytes_unref (sent_inbox[i]);
    }

  /* on request, with progress (the worker may have begun by itself after the sync: either way,
   * when the request completes the bodies are there) */
  sync_test_sync_folder (&fixture, "Other");
  after = 0;
  {
    g_autoptr(GError) error = NULL;
    SyncTestWait wait = { 0 };

    heron_account_worker_prefetch_bodies_async (fixture.worker, "Other", NULL, sync_test_on_done, &wait);
    sync_test_await (&fixture, &wait, "prefetch_bodies");
    g_assert_true (heron_account_worker_prefetch_bodies_finish (fixture.worker, wait.result, &error));
    g_assert_no_error (error);
    g_object_unref (wait.result);
  }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  {
    gboolean two_of_two = FALSE;

    /* the sync's progress counts 4 messages; the prefetch's, the 2 inside the window */
    for (guint i = after; i < fixture.events->len; i++)
      {
        HeronSyncEvent *event = g_ptr_array_index (fixture.events, i);

        if (event->kind == HERON_SYNC_EVENT_PROGRESS && g_strcmp0 (event->folder, "Other") == 0 &&
            event->total == 2 && event->done == 2)
          two_of_two = TRUE;
      }
    g_assert_true (two_of_two);
  }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HeronStoreMessage) old_message = cached_message (&fixture, "Other", old_other[i]);
      g_autoptr(HeronStoreMessage) new_message = cached_message (&fixture, "Other", new_other[i]);

      g_autoptr(GBytes) cached = NULL;

      g_assert_false (old_message->body_local);
      g_assert_true (new_message->body_local);
      cached = cached_source (&fixture, "Other", new_other[i]);
      assert_bytes_equal (cached, sent_other[i]);
      g_bytes_unref (sent_other[i]);
    }

  sync_test_fixture_clear (&fixture);
}

static void
test_snippets (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronStoreMessage) before = NULL;
  g_autoptr(HeronStoreMessage) after = NULL;
  GString *body = g_string_new ("Unmistakable opening words of this message.\r\n\r\n");
  GError *error;
  guint32 uid;

  /* a word far beyond any preview's length */
  for (guint i = 0; i < 60; i++)
    g_string_append (body, "Filler text that pushes the last word far away.\r\n");
  g_string_append (body, "Farawayword.\r\n");

  sync_test_fixture_init (&fixture, server, tmpdir, "snippets");
  uid = deliver (&fixture, "INBOX", "snippets", body->str);
  g_string_free (body, TRUE);
  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "INBOX");

  /* the server's PREVIEW, while the body is not local */
  before = cached_message (&fixture, "INBOX", uid);
  g_assert_false (before->body_local);
  g_assert_nonnull (before->snippet);
  g_assert_true (g_str_has_prefix (before->snippet, "Unmistakable opening words"));
  {
    g_autoptr(HeronStoreReader) reader = open_reader (&fixture);
    g_autoptr(GArray) hits = heron_store_reader_search (reader, "Farawayword", 0, 10, NULL);
    g_assert_nonnull (hits);
    g_assert_cmpuint (hits->len, ==, 0);
  }

  /* then the body's own */
  error = fetch_body (&fixture, "INBOX", uid);
  g_assert_no_error (error);
  after = cached_message (&fixture, "INBOX", uid);
  g_assert_true (after->body_local);
  g_assert_true (g_str_has_prefix (after->snippet, "Unmistakable opening words"));
  {
    g_autoptr(HeronStoreReader) reader = open_reader (&fixture);
    g_autoptr(GArray) hits = heron_store_reader_search (reader, "Farawayword", 0, 10, NULL);
    g_assert_nonnull (hits);
    g_assert_cmpuint (hits->len, ==, 1);
  }

  sync_test_fixture_clear (&fixture);
}

static void
test_offline (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) server_error = NULL;
  GError *error;
  guint32 local_uid, remote_uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "offline");
  local_uid = deliver (&fixture, "INBOX", "local", "Fetched before the server went away.");
  remote_uid = deliver (&fixture, "INBOX", "remote", "Never fetched.");
  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "INBOX");
  error = fetch_body (&fixture, "INBOX", local_uid);
  g_assert_no_error (error);

  /* every folder synced once (the worker may sync them all by itself after connecting): what
   * is tested is a fetch while offline, not a sync cut short */
  {
    g_auto(GStrv) mailboxes = heron_test_server_list_mailboxes (server, fixture.user, &server_error);

    g_assert_no_error (server_error);
    for (guint i = 0; mailboxes[i] != NULL; i++)
      sync_test_sync_folder (&fixture, mailboxes[i]);
  }
  g_assert_true (heron_test_server_stop_imap (server, &server_error));
  g_assert_no_error (server_error);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_OFFLINE, SYNC_TEST_WAIT_MS, "offline");

  error = fetch_body (&fixture, "INBOX", remote_uid);
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE);
  g_clear_error (&error);
  /* what is local stays readable */
  error = fetch_body (&fixture, "INBOX", local_uid);
  g_assert_no_error (error);

  g_assert_true (heron_test_server_start_imap (server, &server_error));
  g_assert_no_error (server_error);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online again");
  error = fetch_body (&fixture, "INBOX", remote_uid);
  g_assert_no_error (error);

  sync_test_fixture_clear (&fixture);
}

static void
test_expunged (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreMessage) message = NULL;
  g_autoptr(GError) read_error = NULL;
  HeronSyncEvent *event;
  GError *error;
  guint32 uid, kept;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "expunged");
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Other", &server_error));
  g_assert_no_error (server_error);
  uid = deliver (&fixture, "Other", "doomed", "This one goes.");
  kept = deliver (&fixture, "Other", "kept", "This one stays.");
  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "Other");
  /* the on-demand connection has Other open already */
  error = fetch_body (&fixture, "Other", kept);
  g_assert_no_error (error);

  /* behind our back, with nothing to tell the worker */
  g_assert_true (heron_test_server_expunge (server, fixture.user, "Other", uid, &server_error));
  g_assert_no_error (server_error);

  mark = fixture.events->len;
  error = fetch_body (&fixture, "Other", uid);
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* the sync the worker started dropped it from the cache, and said so */
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "Other", mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  reader = open_reader (&fixture);
  message = heron_store_reader_get_message (reader, folder_id (reader, "Other"), uid, &read_error);
  g_assert_null (message);
  g_assert_error (read_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND);
  sync_test_assert_store_equals_server (&fixture, "Other");

  sync_test_fixture_clear (&fixture);
}

/* A message that arrived after the on-demand connection's EXAMINE (the command connection
 * synced it): its body comes, and the cache keeps it. */
static void
test_arrived_after_examine (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GBytes) later = make_message ("later", "Thu, 14 Nov 2024 09:30:00 +0000", "Arrived later.");
  g_autoptr(GBytes) cached = NULL;
  g_autoptr(HeronStoreMessage) message = NULL;
  GError *error;
  guint32 first, uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "later");
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Other", &server_error));
  g_assert_no_error (server_error);
  first = deliver (&fixture, "Other", "first", "Opened first.");
  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "Other");
  /* the on-demand connection EXAMINEs Other */
  error = fetch_body (&fixture, "Other", first);
  g_assert_no_error (error);

  uid = deliver_bytes (&fixture, "Other", later);
  sync_test_sync_folder (&fixture, "Other");
  message = cached_message (&fixture, "Other", uid);
  g_assert_false (message->body_local);

  error = fetch_body (&fixture, "Other", uid);
  g_assert_no_error (error);
  cached = cached_source (&fixture, "Other", uid);
  assert_bytes_equal (cached, later);
  g_clear_pointer (&message, heron_store_message_free);
  message = cached_message (&fixture, "Other", uid);
  g_assert_true (message->body_local);
  sync_test_assert_store_equals_server (&fixture, "Other");

  sync_test_fixture_clear (&fixture);
}

static void
test_search (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) found = NULL;
  HeronSeedSpec spec = { .seed = 3, .count = 50 };
  SyncTestWait wait = { 0 };
  guint32 first, late;

  sync_test_fixture_init (&fixture, server, tmpdir, "search");
  spec.owner_address = fixture.user;
  g_assert_true (heron_test_server_seed (server, fixture.user, "Archive", &spec, &error));
  g_assert_no_error (error);
  first = deliver (&fixture, "Archive", "seeded", "The password is zanzibarquokka, keep it safe.");

  fixture_online (&fixture, FALSE, 500);
  sync_test_sync_folder (&fixture, "Archive");
  /* arrives after the sync: the cache does not have it */
  late = deliver (&fixture, "Archive", "late", "Another zanzibarquokka sighting.");

  heron_account_worker_search_async (fixture.worker, "Archive", "zanzibarquokka", NULL, sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "search");
  found = heron_account_worker_search_finish (fixture.worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpint (g_array_index (found, gint64, 0), ==, first);
  g_assert_cmpint (g_array_index (found, gint64, 1), ==, late);

  /* the hit the cache lacked is there now, for the list to show */
  {
    g_autoptr(HeronStoreMessage) message = cached_message (&fixture, "Archive", late);
    g_assert_cmpstr (message->subject, ==, "late");
  }

  /* two words: both must be there */
  {
    g_autoptr(GArray) none = NULL;
    SyncTestWait wait2 = { 0 };

    heron_account_worker_search_async (fixture.worker, "Archive", "zanzibarquokka sighting", NULL,
                                       sync_test_on_done, &wait2);
    sync_test_await (&fixture, &wait2, "search");
    none = heron_account_worker_search_finish (fixture.worker, wait2.result, &error);
    g_assert_no_error (error);
    g_object_unref (wait2.result);
    g_assert_cmpuint (none->len, ==, 1);
    g_assert_cmpint (g_array_index (none, gint64, 0), ==, late);
  }

  /* a folder that does not exist */
  {
    g_autoptr(GArray) none = NULL;
    SyncTestWait wait3 = { 0 };

    heron_account_worker_search_async (fixture.worker, "Nowhere", "x", NULL, sync_test_on_done, &wait3);
    sync_test_await (&fixture, &wait3, "search");
    none = heron_account_worker_search_finish (fixture.worker, wait3.result, &error);
    g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_object_unref (wait3.result);
  }

  sync_test_fixture_clear (&fixture);
}

static guint
search_hits (SyncTestFixture *fixture,
             const char      *query)
{
  g_autoptr(HeronStoreReader) reader = open_reader (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) hits = heron_store_reader_search (reader, query, 0, 100, &error);

  g_assert_no_error (error);
  return hits->len;
}

typedef struct {
  const char *query;
  guint       hits;
} SearchWait;

static gboolean
check_search (SyncTestFixture *fixture,
              gconstpointer    data)
{
  const SearchWait *wait = data;

  return search_hits (fixture, wait->query) == wait->hits;
}

static void
prefetch_bodies (SyncTestFixture *fixture,
                 const char      *folder)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_prefetch_bodies_async (fixture->worker, folder, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "prefetch_bodies");
  g_assert_true (heron_account_worker_prefetch_bodies_finish (fixture->worker, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

/* A prefetch stores the sources only; the text pass indexes them afterwards, by itself. An
 * on-demand fetch and a requested prefetch have the text at once. */
static void
test_text_pass (void)
{
  SyncTestFixture fixture;
  g_autofree char *new_date = rfc2822_days_ago (2);
  g_autofree char *old_date = rfc2822_days_ago (100);
  GString *body = g_string_new ("Opening words of a prefetched message.\r\n\r\n");
  guint32 uids[4], old_uid, other_uid;
  SearchWait search = { "Quokkafaraway", 4 };

  /* a word far beyond any preview's length: only the body's text can find it */
  for (guint i = 0; i < 60; i++)
    g_string_append (body, "Filler text that pushes the last word far away.\r\n");
  g_string_append (body, "Quokkafaraway.\r\n");

  sync_test_fixture_init (&fixture, server, tmpdir, "textpass");
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Other", &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (uids); i++)
    {
      g_autoptr(GBytes) message = make_message ("prefetched", new_date, body->str);
      uids[i] = deliver_bytes (&fixture, "INBOX", message);
    }
  {
    g_autoptr(GBytes) old_message = make_message ("old", old_date, "Outside the window: Wombatfaraway.");
    g_autoptr(GBytes) other_message = make_message ("other", new_date, "Requested: Numbatfaraway.");

    old_uid = deliver_bytes (&fixture, "INBOX", old_message);
    other_uid = deliver_bytes (&fixture, "Other", other_message);
  }
  g_string_free (body, TRUE);

  /* the prefetch after INBOX's sync brings the four bodies; the index catches up by itself */
  fixture_online (&fixture, FALSE, 500);
  {
    HeronSyncEvent *event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_BODY_FETCHED, "INBOX", 0,
                                                  SYNC_TEST_WAIT_MS);
    g_assert_cmpuint (event->uids->len, ==, G_N_ELEMENTS (uids));
  }
  sync_test_wait_for (check_search, &fixture, &search, SYNC_TEST_WAIT_MS,
                      "the text pass to index the prefetched bodies");
  for (guint i = 0; i < G_N_ELEMENTS (uids); i++)
    {
      g_autoptr(HeronStoreMessage) message = cached_message (&fixture, "INBOX", uids[i]);

      g_assert_true (message->body_local);
      g_assert_nonnull (message->snippet);
      g_assert_true (g_str_has_prefix (message->snippet, "Opening words of a prefetched message"));
    }

  /* on demand: indexed when the fetch completes */
  g_assert_cmpuint (search_hits (&fixture, "Wombatfaraway"), ==, 0);
  {
    GError *error = fetch_body (&fixture, "INBOX", old_uid);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (search_hits (&fixture, "Wombatfaraway"), ==, 1);

  /* a requested prefetch completes with the text indexed */
  sync_test_sync_folder (&fixture, "Other");
  prefetch_bodies (&fixture, "Other");
  {
    g_autoptr(HeronStoreMessage) message = cached_message (&fixture, "Other", other_uid);
    g_assert_true (message->body_local);
  }
  g_assert_cmpuint (search_hits (&fixture, "Numbatfaraway"), ==, 1);

  sync_test_fixture_clear (&fixture);
}

/* A folder whose name is not ASCII: the cache keeps the server's modified UTF-7 name, the
 * session encodes again, so every command must decode it first (_heron_sync_wire_name()). */
static gboolean
check_folder (SyncTestFixture *fixture,
              gconstpointer    data)
{
  g_autoptr(HeronStoreReader) reader = open_reader (fixture);
  g_autoptr(GPtrArray) folders = heron_store_reader_get_folders (reader, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    if (g_strcmp0 (((HeronStoreFolder *) g_ptr_array_index (folders, i))->name, data) == 0)
      return TRUE;
  return FALSE;
}

static void
test_non_ascii_folder (void)
{
  static const char name[] = "Entw\u00fcrfe Caf\u00e9";
  SyncTestFixture fixture;
  g_autofree char *new_date = rfc2822_days_ago (2);
  g_autofree char *encoded = heron_imap_utf7_encode (name);
  const char *cached_name;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  guint32 first_uid, second_uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "nonascii");
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (heron_test_server_create_mailbox (server, fixture.user, name, &error));
    g_assert_no_error (error);
  }
  first = make_message ("first", "Thu, 14 Nov 2024 09:30:00 +0000", "Read on demand: Bilbyword.");
  second = make_message ("second", new_date, "Prefetched: Dunnartword.");
  first_uid = deliver_bytes (&fixture, name, first);
  second_uid = deliver_bytes (&fixture, name, second);

  fixture_online (&fixture, FALSE, 500);
  /* the server's name as the folder list gave it (modified UTF-7 without UTF8=ACCEPT) */
  {
    gboolean timed_out = FALSE;
    guint id = g_timeout_add (SYNC_TEST_WAIT_MS, sync_test_on_timeout, &timed_out);

    while (!check_folder (&fixture, encoded) && !check_folder (&fixture, name) && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (timed_out);
    g_source_remove (id);
  }
  cached_name = check_folder (&fixture, encoded) ? encoded : name;
  sync_test_sync_folder (&fixture, cached_name);

  /* on demand, on the body connection */
  {
    GError *error = fetch_body (&fixture, cached_name, first_uid);
    g_autoptr(GBytes) cached = NULL;

    g_assert_no_error (error);
    cached = cached_source (&fixture, cached_name, first_uid);
    assert_bytes_equal (cached, first);
  }

  /* prefetched, on the command connection */
  prefetch_bodies (&fixture, cached_name);
  {
    g_autoptr(GBytes) cached = cached_source (&fixture, cached_name, second_uid);
    assert_bytes_equal (cached, second);
  }
  g_assert_cmpuint (search_hits (&fixture, "Dunnartword"), ==, 1);

  /* the server's search */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) found = NULL;
    SyncTestWait wait = { 0 };

    heron_account_worker_search_async (fixture.worker, cached_name, "Bilbyword", NULL, sync_test_on_done, &wait);
    sync_test_await (&fixture, &wait, "search");
    found = heron_account_worker_search_finish (fixture.worker, wait.result, &error);
    g_assert_no_error (error);
    g_object_unref (wait.result);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpint (g_array_index (found, gint64, 0), ==, first_uid);
  }

  sync_test_fixture_clear (&fixture);
}

/* kill -9 in the middle of a prefetch: a child process (this program with --child-prefetch)
 * prefetches a seeded folder and prints each BODY_FETCHED; it is killed after the second. What
 * it reported is local and whole (a committed body is never lost); the next open drops the
 * temporary files; a new worker finishes the prefetch, and its housekeeping removes files that
 * nothing refers to (a crash between a large source getting its name and its commit leaves
 * one: planted here too, as the kill may or may not hit that moment). */

#define KILLED_MESSAGES 400

static void
on_child_prefetch_event (HeronAccountWorker *worker,
                         HeronSyncEvent     *event,
                         gpointer            user_data)
{
  if (event->kind == HERON_SYNC_EVENT_BODY_FETCHED)
    {
      printf ("%u\n", event->uids->len);
      fflush (stdout);
    }
}

static void
on_child_prefetched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  heron_account_worker_prefetch_bodies_finish (HERON_ACCOUNT_WORKER (source), result, NULL);
  printf ("done\n");
  fflush (stdout);
}

static void
on_child_synced (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HeronAccountWorker *worker = HERON_ACCOUNT_WORKER (source);

  heron_account_worker_sync_folder_finish (worker, result, NULL);
  heron_account_worker_prefetch_bodies_async (worker, "Bulk", NULL, on_child_prefetched, NULL);
}

static int
child_prefetch_main (int    argc,
                     char **argv)
{
  /* --child-prefetch host port ca-file user password store-path */
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;

  if (argc != 8)
    return 2;
  config = sync_test_config_new (argv[2], (guint16) atoi (argv[3]), argv[4], argv[5]);
  heron_account_config_set_prefetch_days (config, 0);
  sync_test_options_init (&options, argv[7], argv[6]);
  options.idle = FALSE;
  worker = heron_account_worker_new (config, &options, &error);
  if (worker == NULL)
    return 3;
  g_signal_connect (worker, "event", G_CALLBACK (on_child_prefetch_event), NULL);
  heron_account_worker_start (worker);
  heron_account_worker_sync_folder_async (worker, "Bulk", NULL, on_child_synced, NULL);
  g_main_loop_run (loop);  /* until killed */
  return 0;
}

static guint
count_files_in (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n++;
  return n;
}

/* Source files (not temporary ones) under the cache's sources directory */
static guint
count_source_files (const char *sources_dir)
{
  g_autoptr(GDir) top = g_dir_open (sources_dir, 0, NULL);
  const char *sub;
  guint n = 0;

  while (top != NULL && (sub = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *path = g_build_filename (sources_dir, sub, NULL);

      if (strcmp (sub, "tmp") != 0 && g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_files_in (path);
    }
  return n;
}

/* Every local body of Bulk reads back whole (as long as the server said); the number of local
 * bodies, and of those kept as files (over 128 KiB) */
static guint
check_local_bodies (SyncTestFixture *fixture,
                    guint           *out_large)
{
  g_autoptr(GPtrArray) rows = sync_test_store_rows (fixture, "Bulk");
  guint n = 0;

  *out_large = 0;
  g_assert_cmpuint (rows->len, ==, KILLED_MESSAGES);
  for (guint i = 0; i < rows->len; i++)
    {
      HeronStoreMessage *message = g_ptr_array_index (rows, i);
      g_autoptr(GBytes) source = NULL;

      if (!message->body_local)
        continue;
      source = cached_source (fixture, "Bulk", message->uid);
      g_assert_cmpuint (g_bytes_get_size (source), ==, message->size);
      n++;
      if (message->size > 128 * 1024)
        (*out_large)++;
    }
  return n;
}

static void
test_prefetch_killed (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *port = NULL;
  g_autofree char *sources_dir = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *orphan_dir = NULL;
  g_autofree char *orphan = NULL;
  HeronSeedSpec spec = { .seed = 5, .count = KILLED_MESSAGES };
  guint reported = 0, events = 0, local, large;

  sync_test_fixture_init (&fixture, server, tmpdir, "killed");
  spec.newest_date = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_true (heron_test_server_seed (server, fixture.user, "Bulk", &spec, &error));
  g_assert_no_error (error);
  sources_dir = g_strconcat (fixture.store_path, "-sources", NULL);
  tmp_dir = g_build_filename (sources_dir, "tmp", NULL);

  /* the child syncs and prefetches; killed after its second batch of bodies committed */
  port = g_strdup_printf ("%u", heron_test_server_get_imap_port (server));
  {
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
    const char *argv[] = { self, "--child-prefetch",
                           heron_test_server_get_host (server), port, heron_test_server_get_ca_file (server),
                           fixture.user, fixture.password, fixture.store_path, NULL };

    child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  while (events < 2)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_assert_cmpstr (line, !=, "done");  /* killed in the middle */
      reported += (guint) atoi (line);
      events++;
    }
  kill (atoi (g_subprocess_get_identifier (child)), SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  g_test_message ("killed after %u bodies reported; %u temporary files left", reported,
                  count_files_in (tmp_dir));

  /* what was reported is local and whole */
  local = check_local_bodies (&fixture, &large);
  g_test_message ("%u of %u bodies local after kill -9", local, KILLED_MESSAGES);
  g_assert_cmpuint (local, >=, reported);
  g_assert_cmpuint (local, <, KILLED_MESSAGES);

  /* a file nothing refers to, as the crash may have left */
  orphan_dir = g_build_filename (sources_dir, "ab", NULL);
  g_assert_cmpint (g_mkdir_with_parents (orphan_dir, 0700), ==, 0);
  orphan = g_build_filename (orphan_dir, "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", NULL);
  g_file_set_contents (orphan, "orphan", -1, &error);
  g_assert_no_error (error);

  /* a new worker: the temporary files go when it opens the cache; it fetches the rest, and
   * its housekeeping (after the text pass, which the request waits for) drops the orphan */
  {
    g_autoptr(HeronAccountConfig) config = sync_test_fixture_config (&fixture);
    HeronAccountWorkerOptions options;
    SyncTestWait wait = { 0 };

    heron_account_config_set_prefetch_days (config, 0);
    sync_test_options_init (&options, fixture.store_path, fixture.password);
    options.idle = FALSE;
    sync_test_fixture_start (&fixture, config, &options);
    sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
    heron_account_worker_prefetch_bodies_async (fixture.worker, "Bulk", NULL, sync_test_on_done, &wait);
    sync_test_await (&fixture, &wait, "prefetch_bodies");
    heron_account_worker_prefetch_bodies_finish (fixture.worker, wait.result, &error);
    g_assert_no_error (error);
    g_object_unref (wait.result);
  }
  g_assert_cmpuint (count_files_in (tmp_dir), ==, 0);
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  local = check_local_bodies (&fixture, &large);
  g_assert_cmpuint (local, ==, KILLED_MESSAGES);
  /* every file is a large source of a message (the seeded messages differ) */
  g_test_message ("%u sources kept as files", large);
  g_assert_cmpuint (large, >, 0);
  g_assert_cmpuint (count_source_files (sources_dir), ==, large);

  sync_test_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const users[] = {
    "ondemand", "large", "during", "prefetch", "snippets", "offline", "expunged", "search",
    "textpass", "nonascii", "later", "killed", NULL
  };

  if (argc > 1 && strcmp (argv[1], "--child-prefetch") == 0)
    return child_prefetch_main (argc, argv);

  g_test_init (&argc, &argv, NULL);

  /* every user up front (see sync_test_server_new()) */
  server = sync_test_server_new (HERON_TEST_SERVER_FLAGS_NO_SMTP, users);
  tmpdir = sync_test_tmpdir_new ("heron-test-sync-bodies-XXXXXX");

  g_test_add_func ("/heron/sync/bodies/on-demand", test_on_demand);
  g_test_add_func ("/heron/sync/bodies/large", test_large);
  g_test_add_func ("/heron/sync/bodies/during-sync", test_during_sync);
  g_test_add_func ("/heron/sync/bodies/prefetch", test_prefetch);
  g_test_add_func ("/heron/sync/bodies/snippets", test_snippets);
  g_test_add_func ("/heron/sync/bodies/offline", test_offline);
  g_test_add_func ("/heron/sync/bodies/expunged", test_expunged);
  g_test_add_func ("/heron/sync/bodies/arrived-after-examine", test_arrived_after_examine);
  g_test_add_func ("/heron/sync/bodies/search", test_search);
  g_test_add_func ("/heron/sync/bodies/text-pass", test_text_pass);
  g_test_add_func ("/heron/sync/bodies/non-ascii-folder", test_non_ascii_folder);
  g_test_add_func ("/heron/sync/bodies/prefetch-killed", test_prefetch_killed);

  return sync_test_run (server, tmpdir);
}
