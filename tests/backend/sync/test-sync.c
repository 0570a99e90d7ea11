/* test-sync.c: HeronAccountWorker against the real Dovecot of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One Dovecot serves every test; each test has a user of its own, so INBOX (which the worker
 * always syncs and watches) is the test's own. The cache is compared with the server through
 * doveadm (the server's truth) and a HeronStoreReader (the cache's, as the UI reads it).
 */

#include "config.h"

#include <string.h>

#include "sync-test-util.h"

static HeronTestServer *server;
static char *tmpdir;

/* Helpers */

static void
fixture_start (SyncTestFixture *fixture,
               HeronSyncMode    mode,
               gboolean         idle,
               const char      *wrong_password)
{
  g_autoptr(HeronAccountConfig) config = sync_test_fixture_config (fixture);
  HeronAccountWorkerOptions options;

  /* INBOX only: the tests here sync other folders themselves (test-sync-watch.c tests the policy) */
  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  sync_test_options_init (&options, fixture->store_path,
                          wrong_password != NULL ? wrong_password : fixture->password);
  options.mode = mode;
  options.idle = idle;
  options.chunk_size = 500;
  sync_test_fixture_start (fixture, config, &options);
}

/* The messages of these tests carry References (the summaries must too). */
static guint32
deliver (SyncTestFixture *fixture,
         const char      *mailbox,
         const char      *subject)
{
  return sync_test_deliver (fixture, mailbox, subject, "References: <a@heron.test> <b@heron.test>\r\n");
}

static void
seed (SyncTestFixture *fixture,
      const char      *mailbox,
      guint            count)
{
  g_autoptr(GError) error = NULL;
  HeronSeedSpec spec = { .seed = 42, .count = count, .owner_address = fixture->user };

  heron_test_server_seed (server, fixture->user, mailbox, &spec, &error);
  g_assert_no_error (error);
}

static GArray *
server_uids (SyncTestFixture *fixture,
             const char      *mailbox)
{
  g_autoptr(GError) error = NULL;
  GArray *uids = heron_test_server_list_uids (server, fixture->user, mailbox, &error);

  g_assert_no_error (error);
  return uids;
}

/* Tests */

static void
test_folders (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_auto(GStrv) mailboxes = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  gboolean sent_is_sent = FALSE;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "folders");
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Work", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Work/2024", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Gone", &error));
  g_assert_no_error (error);

  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_FOLDERS_CHANGED, NULL, 0, SYNC_TEST_WAIT_MS);

  /* behind the client's back: one folder goes, one comes */
  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Gone", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Lists/GNOME", &error));
  g_assert_no_error (error);
  mark = fixture.events->len;
  sync_test_sync_folders (&fixture);
  g_assert_cmpint (sync_test_find_event (&fixture,
                                         &(SyncTestEventWait) { HERON_SYNC_EVENT_FOLDERS_CHANGED, NULL, mark }),
                   >=, 0);

  mailboxes = heron_test_server_list_mailboxes (server, fixture.user, &error);
  g_assert_no_error (error);
  reader = heron_store_reader_open (fixture.store_path, &error);
  g_assert_no_error (error);
  folders = heron_store_reader_get_folders (reader, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      g_ptr_array_add (names, folder->name);
      if (g_strcmp0 (folder->name, "Sent") == 0)
        sent_is_sent = folder->special_use == HERON_STORE_SPECIAL_USE_SENT && folder->subscribed &&
                       folder->delimiter == '/';
    }
  g_ptr_array_sort (names, sync_test_compare_strings);
  g_ptr_array_add (names, NULL);
  {
    g_autoptr(GPtrArray) expected = g_ptr_array_new ();
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    for (guint i = 0; mailboxes[i] != NULL; i++)
      g_ptr_array_add (expected, mailboxes[i]);
    g_ptr_array_sort (expected, sync_test_compare_strings);
    g_ptr_array_add (expected, NULL);
    a = g_strjoinv (",", (char **) names->pdata);
    b = g_strjoinv (",", (char **) expected->pdata);
    g_assert_cmpstr (a, ==, b);
  }
  g_assert_true (sent_is_sent);

  sync_test_fixture_clear (&fixture);
}

static void
test_first_sync (void)
{
  SyncTestFixture fixture;
  g_autoptr(GArray) uids = NULL;
  guint32 previous_low = G_MAXUINT32;
  guint n_added = 0, n_chunks = 0, n_progress = 0;
  gint64 start;
  double seconds;

  sync_test_fixture_init (&fixture, server, tmpdir, "first");
  seed (&fixture, "Big", 2000);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  start = g_get_monotonic_time ();
  sync_test_sync_folder (&fixture, "Big");
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("first sync of 2,000 messages: %.3f s", seconds);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* newest first: every chunk's UIDs are below the previous chunk's */
  for (guint i = 0; i < fixture.events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture.events, i);

      if (g_strcmp0 (event->folder, "Big") != 0)
        continue;
      if (event->kind == HERON_SYNC_EVENT_PROGRESS)
        n_progress++;
      if (event->kind != HERON_SYNC_EVENT_MESSAGES_ADDED)
        continue;
      g_assert_cmpuint (event->uids->len, >, 0);
      g_assert_cmpint (g_array_index (event->uids, gint64, event->uids->len - 1), <, previous_low);
      previous_low = g_array_index (event->uids, gint64, 0);
      n_added += event->uids->len;
      n_chunks++;
    }
  uids = server_uids (&fixture, "Big");
  g_assert_cmpuint (uids->len, ==, 2000);
  g_assert_cmpuint (n_added, ==, 2000);
  g_assert_cmpuint (n_chunks, ==, 4);
  g_assert_cmpuint (n_progress, ==, 5);
  g_assert_cmpint (previous_low, ==, g_array_index (uids, guint32, 0));

  sync_test_assert_store_equals_server (&fixture, "Big");

  /* the summaries carry what the list and threading need */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HeronStore) store = NULL;
    g_autoptr(HeronStoreMessage) message = NULL;
    g_autoptr(HeronStoreFolder) folder = NULL;
    guint32 uid = deliver (&fixture, "Big", "threaded");

    sync_test_sync_folder (&fixture, "Big");
    sync_test_fixture_stop (&fixture);
    store = heron_store_open (fixture.store_path, &error);
    g_assert_no_error (error);
    folder = heron_store_lookup_folder (store, "Big", &error);
    g_assert_no_error (error);
    message = heron_store_get_message (store, folder->id, uid, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (message->subject, ==, "threaded");
    g_assert_cmpstr (message->from_address, ==, "bob@example.test");
    g_assert_cmpstr (message->references, ==, "<a@heron.test> <b@heron.test>");
    g_assert_nonnull (message->body_structure);
    g_assert_cmpint (message->sent_date, ==, 1731576600);
    g_assert_cmpuint (folder->uidnext, ==, uid + 1);
    g_assert_cmpuint (folder->highestmodseq, >, 0);
    heron_store_close (store);
  }

  sync_test_fixture_clear (&fixture);
}

static void
test_resync (gconstpointer data)
{
  HeronSyncMode mode = GPOINTER_TO_INT (data);
  const char *name = mode == HERON_SYNC_MODE_AUTO ? "qresync" :
                     mode == HERON_SYNC_MODE_CONDSTORE ? "condstore" : "plain";
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = NULL;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, name);
  seed (&fixture, "Changes", 300);
  fixture_start (&fixture, mode, FALSE, NULL);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "Changes");
  sync_test_assert_store_equals_server (&fixture, "Changes");

  /* another device: flags, expunges, new mail */
  uids = server_uids (&fixture, "Changes");
  for (guint i = 0; i < 20; i++)
    g_assert_true (heron_test_server_add_flags (server, fixture.user, "Changes",
                                                g_array_index (uids, guint32, i * 7), "\\Flagged $Work", &error));
  for (guint i = 0; i < 10; i++)
    g_assert_true (heron_test_server_set_flags (server, fixture.user, "Changes",
                                                g_array_index (uids, guint32, i * 11 + 3), "", &error));
  for (guint i = 0; i < 15; i++)
    g_assert_true (heron_test_server_expunge (server, fixture.user, "Changes",
                                              g_array_index (uids, guint32, 100 + i * 5), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    deliver (&fixture, "Changes", "new");

  mark = fixture.events->len;
  sync_test_sync_folder (&fixture, "Changes");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  sync_test_assert_store_equals_server (&fixture, "Changes");
  {
    HeronSyncEvent *removed = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "Changes", mark, 1000);
    HeronSyncEvent *added = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Changes", mark, 1000);
    g_assert_cmpuint (removed->uids->len, ==, 15);
    g_assert_cmpuint (added->uids->len, ==, 5);
    sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Changes", mark, 1000);
  }

  /* nothing changed: still equal */
  sync_test_sync_folder (&fixture, "Changes");
  sync_test_assert_store_equals_server (&fixture, "Changes");

  /* the cache survives a restart, and the next sync is incremental */
  sync_test_fixture_stop (&fixture);
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Changes",
                                              g_array_index (uids, guint32, 1), "\\Answered", &error));
  fixture_start (&fixture, mode, FALSE, NULL);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  mark = fixture.events->len;
  sync_test_sync_folder (&fixture, "Changes");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (sync_test_find_event (&fixture,
                                         &(SyncTestEventWait) { HERON_SYNC_EVENT_MESSAGES_ADDED, "Changes", mark }),
                   <, 0);
  sync_test_assert_store_equals_server (&fixture, "Changes");

  sync_test_fixture_clear (&fixture);
}

static void
test_uidvalidity (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;

  sync_test_fixture_init (&fixture, server, tmpdir, "uidvalidity");
  seed (&fixture, "Valid", 50);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "Valid");
  sync_test_assert_store_equals_server (&fixture, "Valid");

  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Valid", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Valid", &error));
  g_assert_no_error (error);
  deliver (&fixture, "Valid", "one");
  deliver (&fixture, "Valid", "two");
  deliver (&fixture, "Valid", "three");

  sync_test_sync_folder (&fixture, "Valid");
  sync_test_assert_store_equals_server (&fixture, "Valid");
  {
    g_autofree char *state = sync_test_store_state (&fixture, "Valid");
    g_assert_cmpstr (state, ==, "1 \n2 \n3 \n");
  }

  sync_test_fixture_clear (&fixture);
}

/* The watch connection said NOTIFY SET (Dovecot offers NOTIFY), so it watches INBOX. */
static gboolean
check_watching (SyncTestFixture *fixture,
                gconstpointer    data)
{
  guint sets = 0;

  g_object_get (fixture->worker, "n-notify-sets", &sets, NULL);
  return sets > 0;
}

static void
test_idle (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  guint mark;
  gint64 start;

  sync_test_fixture_init (&fixture, server, tmpdir, "idle");
  fixture.poll_ms = 20;   /* the watch is seen by a counter, not an event */
  deliver (&fixture, "INBOX", "before");
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0, SYNC_TEST_WAIT_MS);
  /* the watch starts after the first INBOX sync */
  sync_test_wait_for (check_watching, &fixture, NULL, SYNC_TEST_WAIT_MS, "the watch");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  uid = deliver (&fixture, "INBOX", "during");
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", mark, 2000);
  g_test_message ("delivery reached the cache in %.3f s", (event->time_us - start) / 1e6);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "INBOX", uid, "\\Flagged", &error));
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "INBOX", mark, 2000);
  g_test_message ("a flag change reached the cache in %.3f s", (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  sync_test_assert_store_equals_server (&fixture, "INBOX");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_expunge (server, fixture.user, "INBOX", uid, &error));
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "INBOX", mark, 2000);
  g_test_message ("an expunge reached the cache in %.3f s", (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  sync_test_assert_store_equals_server (&fixture, "INBOX");

  sync_test_fixture_clear (&fixture);
}

static gboolean
check_server_flagged (SyncTestFixture *fixture,
                      gconstpointer    data)
{
  g_auto(GStrv) flags = heron_test_server_get_flags (server, fixture->user, "INBOX",
                                                     GPOINTER_TO_UINT (data), NULL);

  if (flags == NULL || !g_strv_contains ((const char * const *) flags, "\\Flagged"))
    {
      g_usleep (50 * 1000);
      return FALSE;
    }
  return TRUE;
}

static void
test_offline_flags (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  guint32 uid, uid2;
  guint mark;
  g_autofree char *state = NULL;
  g_autofree char *expected = NULL;

  sync_test_fixture_init (&fixture, server, tmpdir, "offline");
  uid = deliver (&fixture, "INBOX", "one");
  uid2 = deliver (&fixture, "INBOX", "two");
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0, SYNC_TEST_WAIT_MS);

  /* online: the change reaches the server */
  sync_test_set_flags (&fixture, "INBOX", uid2, HERON_STORE_FLAG_FLAGGED, 0);
  sync_test_wait_for (check_server_flagged, &fixture, GUINT_TO_POINTER (uid2), 5000, "the flag on the server");

  mark = fixture.events->len;
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_OFFLINE, mark, 10000);

  sync_test_set_flags (&fixture, "INBOX", uid, HERON_STORE_FLAG_FLAGGED | HERON_STORE_FLAG_SEEN, 0);
  state = sync_test_store_state (&fixture, "INBOX");
  expected = g_strdup_printf ("%u \\Flagged \\Seen\n", uid);
  g_assert_nonnull (strstr (state, expected));

  /* a while down, with reconnect attempts backing off */
  g_usleep (1500 * 1000);
  mark = fixture.events->len;
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_ONLINE, mark, 10000);
  sync_test_wait_for (check_server_flagged, &fixture, GUINT_TO_POINTER (uid), 10000, "the flag on the server");
  {
    g_auto(GStrv) flags = heron_test_server_get_flags (server, fixture.user, "INBOX", uid, &error);
    g_assert_true (g_strv_contains ((const char * const *) flags, "\\Seen"));
  }
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "INBOX");

  sync_test_fixture_clear (&fixture);
}

static void
test_auth_failure (void)
{
  SyncTestFixture fixture;
  HeronSyncEvent *event;
  guint n_errors = 0;

  sync_test_fixture_init (&fixture, server, tmpdir, "auth");
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, "not-the-password");
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, SYNC_TEST_WAIT_MS);
  g_assert_error (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_null (strstr (event->error->message, "not-the-password"));

  /* longer than several back-off periods (200 ms, up to 1 s): nobody tries again */
  {
    gboolean timed_out = FALSE;
    guint id = g_timeout_add (3000, sync_test_on_timeout, &timed_out);
    while (!timed_out)
      g_main_context_iteration (NULL, TRUE);
    (void) id;
  }
  for (guint i = 0; i < fixture.events->len; i++)
    if (((HeronSyncEvent *) g_ptr_array_index (fixture.events, i))->kind == HERON_SYNC_EVENT_ERROR)
      n_errors++;
  g_assert_cmpuint (n_errors, ==, 1);
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), ==, 1);
  g_assert_cmpint (heron_account_worker_get_state (fixture.worker), ==, HERON_SYNC_STATE_AUTH_FAILED);

  /* the person gives the right password */
  heron_account_worker_retry_login (fixture.worker, fixture.password);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  sync_test_fixture_clear (&fixture);
}

/* A first sync of more than two chunks stores them on a thread of its own with the search
 * entries left for later (heron-folder-sync.c): the messages are listed when the sync ends, and
 * the worker's text pass makes the entries afterwards, the oldest message's too. */
static void
test_first_sync_search_later (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GArray) hits = NULL;
  gint64 deadline;

  sync_test_fixture_init (&fixture, server, tmpdir, "later");
  heron_test_server_create_mailbox (server, fixture.user, "Big", &error);
  g_assert_no_error (error);
  deliver (&fixture, "Big", "Quokka census");
  seed (&fixture, "Big", 1200);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "Big");
  sync_test_assert_store_equals_server (&fixture, "Big");

  reader = heron_store_reader_open (fixture.store_path, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + SYNC_TEST_WAIT_MS * 1000;
  do
    {
      g_clear_pointer (&hits, g_array_unref);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      hits = heron_store_reader_search (reader, "quokka census", 0, 10, &error);
      g_assert_no_error (error);
      if (hits->len == 0)
        g_usleep (20 * 1000);
    }
  while (hits->len == 0 && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (g_array_index (hits, HeronStoreMessageRef, 0).uid, ==, 1);

  g_clear_object (&reader);
  sync_test_fixture_clear (&fixture);
}

static void
test_stop_mid_sync (void)
{
  SyncTestFixture fixture;
  gint64 start;

  sync_test_fixture_init (&fixture, server, tmpdir, "stop");
  seed (&fixture, "Big", 3000);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, NULL);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  heron_account_worker_sync_folder_async (fixture.worker, "Big", NULL, NULL, NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_PROGRESS, "Big", 0, SYNC_TEST_WAIT_MS);

  start = g_get_monotonic_time ();
  sync_test_fixture_stop (&fixture);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  sync_test_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const users[] = {
    "folders", "first", "qresync", "condstore", "plain", "uidvalidity", "idle", "offline",
    "auth", "stop", "later", NULL
  };

  g_test_init (&argc, &argv, NULL);

  /* every user up front (see sync_test_server_new()) */
  server = sync_test_server_new (HERON_TEST_SERVER_FLAGS_NO_SMTP, users);
  tmpdir = sync_test_tmpdir_new ("heron-test-sync-XXXXXX");

  g_test_add_func ("/heron/sync/folders", test_folders);
  g_test_add_func ("/heron/sync/first-sync", test_first_sync);
  g_test_add_func ("/heron/sync/first-sync/search-later", test_first_sync_search_later);
  g_test_add_data_func ("/heron/sync/resync/qresync", GINT_TO_POINTER (HERON_SYNC_MODE_AUTO), test_resync);
  g_test_add_data_func ("/heron/sync/resync/condstore", GINT_TO_POINTER (HERON_SYNC_MODE_CONDSTORE), test_resync);
  g_test_add_data_func ("/heron/sync/resync/plain", GINT_TO_POINTER (HERON_SYNC_MODE_PLAIN), test_resync);
  g_test_add_func ("/heron/sync/uidvalidity", test_uidvalidity);
  g_test_add_func ("/heron/sync/idle", test_idle);
  g_test_add_func ("/heron/sync/offline-flags", test_offline_flags);
  g_test_add_func ("/heron/sync/auth-failure", test_auth_failure);
  g_test_add_func ("/heron/sync/stop-mid-sync", test_stop_mid_sync);

  return sync_test_run (server, tmpdir);
}
