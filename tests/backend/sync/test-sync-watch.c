/* test-sync-watch.c: the sync policy and the watch of every synced folder (NOTIFY, STATUS poll),
 * the server's counts, List-Id, and two accounts at once, against the real Dovecot of
 * tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test has users of its own. Changes are made with doveadm, as another device would. The
 * worker's first jobs are: journal, folder list, INBOX, the watch (EXAMINE INBOX, NOTIFY, IDLE),
 * then the policy's folder syncs; so once a folder's first sync is in the cache, the watch is
 * up. The NOTIFY tests set the STATUS poll to ten minutes, so only NOTIFY can bring a change in
 * the wait; the poll tests turn NOTIFY off.
 */

#include "config.h"

#include <string.h>

#include "imap/heron-imap-utf7.h"
#include "sync-test-util.h"

#define NO_POLL_MS (10 * 60 * 1000)

static HeronTestServer *server;
static char *tmpdir;

/* Helpers */

typedef struct {
  HeronAccountFolderSync  policy;
  const char * const     *folders;   /* FOLDER_SYNC_LIST */
  gboolean                notify;
  guint                   poll_ms;
} Setup;

static void
fixture_start (SyncTestFixture *fixture,
               const Setup     *setup)
{
  g_autoptr(HeronAccountConfig) config = sync_test_fixture_config (fixture);
  HeronAccountWorkerOptions options;

  heron_account_config_set_folder_sync (config, setup->policy);
  if (setup->folders != NULL)
    heron_account_config_set_sync_folders (config, setup->folders);

  sync_test_options_init (&options, fixture->store_path, fixture->password);
  options.idle = TRUE;
  options.no_notify = !setup->notify;
  options.status_poll_ms = setup->poll_ms;
  sync_test_fixture_start (fixture, config, &options);
}

static void
create_mailbox (SyncTestFixture *fixture,
                const char      *mailbox)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_test_server_create_mailbox (server, fixture->user, mailbox, &error));
  g_assert_no_error (error);
}

static HeronStoreFolder *
store_folder (SyncTestFixture *fixture,
              const char      *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  g_autoptr(GPtrArray) folders = NULL;

  g_assert_no_error (error);
  folders = heron_store_reader_get_folders (reader, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      if (g_strcmp0 (folder->name, name) == 0)
        return heron_store_folder_copy (folder);
    }
  g_error ("No folder %s in the cache", name);
  return NULL;
}

static void
assert_counts_equal_server (SyncTestFixture *fixture,
                            const char      *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreFolder) folder = store_folder (fixture, name);
  HeronTestMailboxStatus status;

  g_assert_true (heron_test_server_get_status (server, fixture->user, name, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (folder->server_messages, ==, status.messages);
  g_assert_cmpint (folder->server_unseen, ==, status.unseen);
}

/* Tests */

/* A delivery, a flag change and an expunge in a folder other than INBOX reach the cache and an
 * event, by NOTIFY or by the STATUS poll. */
static void
test_changes (gconstpointer data)
{
  gboolean notify = GPOINTER_TO_INT (data);
  const Setup setup = {
    HERON_ACCOUNT_FOLDER_SYNC_ALL, NULL, notify, notify ? NO_POLL_MS : 300
  };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  guint mark;
  gint64 start;

  sync_test_fixture_init (&fixture, server, tmpdir, notify ? "notify" : "poll");
  create_mailbox (&fixture, "Work");
  sync_test_deliver (&fixture, "Work", "before", NULL);
  fixture_start (&fixture, &setup);
  /* the policy syncs Work after the watch started */
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);
  sync_test_assert_store_equals_server (&fixture, "Work");
  while (g_main_context_iteration (NULL, FALSE))
    ;

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  uid = sync_test_deliver (&fixture, "Work", "during", NULL);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", mark, SYNC_TEST_WAIT_MS);
  g_test_message ("%s: a delivery reached the cache in %.3f s", notify ? "NOTIFY" : "poll",
                  (event->time_us - start) / 1e6);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  sync_test_assert_store_equals_server (&fixture, "Work");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", uid, "\\Flagged $Work", &error));
  g_assert_no_error (error);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Work", mark, SYNC_TEST_WAIT_MS);
  g_test_message ("%s: a flag change reached the cache in %.3f s", notify ? "NOTIFY" : "poll",
                  (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  sync_test_assert_store_equals_server (&fixture, "Work");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_expunge (server, fixture.user, "Work", uid, &error));
  g_assert_no_error (error);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "Work", mark, SYNC_TEST_WAIT_MS);
  g_test_message ("%s: an expunge reached the cache in %.3f s", notify ? "NOTIFY" : "poll",
                  (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  sync_test_assert_store_equals_server (&fixture, "Work");
  assert_counts_equal_server (&fixture, "Work");

  sync_test_fixture_clear (&fixture);
}

/* FOLDER_SYNC_LIST: INBOX and the listed folder are synced and watched, the others not. */
static void
test_policy (void)
{
  static const char * const listed[] = { "Lists/GNOME", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, TRUE, NO_POLL_MS };
  SyncTestFixture fixture;
  g_autoptr(HeronStoreFolder) work = NULL;
  g_autoptr(HeronStoreFolder) gnome = NULL;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "policy");
  create_mailbox (&fixture, "Work");
  create_mailbox (&fixture, "Lists/GNOME");
  sync_test_deliver (&fixture, "Work", "work-1", NULL);
  sync_test_deliver (&fixture, "Work", "work-2", NULL);
  sync_test_deliver (&fixture, "Lists/GNOME", "gnome-1", NULL);
  sync_test_deliver (&fixture, "INBOX", "inbox-1", NULL);
  fixture_start (&fixture, &setup);

  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Lists/GNOME", 0, SYNC_TEST_WAIT_MS);
  sync_test_assert_store_equals_server (&fixture, "Lists/GNOME");
  sync_test_assert_store_equals_server (&fixture, "INBOX");

  /* a change to the listed folder is watched */
  mark = fixture.events->len;
  sync_test_deliver (&fixture, "Work", "work-3", NULL);
  sync_test_deliver (&fixture, "Lists/GNOME", "gnome-2", NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Lists/GNOME", mark, SYNC_TEST_WAIT_MS);
  sync_test_assert_store_equals_server (&fixture, "Lists/GNOME");

  /* Work was never synced: known from the list (with the server's counts), no messages */
  work = store_folder (&fixture, "Work");
  g_assert_cmpuint (work->uidvalidity, ==, 0);
  g_assert_cmpuint (work->n_messages, ==, 0);
  g_assert_cmpint (work->server_messages, >=, 2);
  gnome = store_folder (&fixture, "Lists/GNOME");
  g_assert_cmpuint (gnome->n_messages, ==, 2);
  for (guint i = 0; i < fixture.events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture.events, i);
      g_assert_false (event->kind == HERON_SYNC_EVENT_MESSAGES_ADDED && g_strcmp0 (event->folder, "Work") == 0);
    }

  sync_test_fixture_clear (&fixture);
}

/* The server's counts of every folder, synced or not, from LIST-STATUS and NOTIFY. */
static void
test_server_counts (void)
{
  static const char * const listed[] = { "Work", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, TRUE, NO_POLL_MS };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreFolder) work = NULL;
  guint32 uid;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "counts");
  create_mailbox (&fixture, "Work");
  create_mailbox (&fixture, "Other");
  uid = sync_test_deliver (&fixture, "Work", "work-1", NULL);
  sync_test_deliver (&fixture, "Work", "work-2", NULL);
  sync_test_deliver (&fixture, "Other", "other-1", NULL);
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", uid, "\\Seen", &error));
  g_assert_no_error (error);
  fixture_start (&fixture, &setup);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);

  assert_counts_equal_server (&fixture, "Work");
  assert_counts_equal_server (&fixture, "Other");     /* not synced: LIST-STATUS */
  assert_counts_equal_server (&fixture, "INBOX");
  work = store_folder (&fixture, "Work");
  g_assert_cmpint (work->server_messages, ==, 2);
  g_assert_cmpint (work->server_unseen, ==, 1);

  /* a delivery: NOTIFY's STATUS updates them, and a FOLDER_CHANGED says so */
  mark = fixture.events->len;
  sync_test_deliver (&fixture, "Work", "work-3", NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (sync_test_find_event (&fixture,
                                         &(SyncTestEventWait) { HERON_SYNC_EVENT_FOLDER_CHANGED, "Work", mark }),
                   >=, 0);
  assert_counts_equal_server (&fixture, "Work");
  g_clear_pointer (&work, heron_store_folder_free);
  work = store_folder (&fixture, "Work");
  g_assert_cmpint (work->server_messages, ==, 3);
  g_assert_cmpint (work->server_unseen, ==, 2);

  sync_test_fixture_clear (&fixture);
}

/* Every message in the fixture's cache (INBOX and Work) has a subject of its own user's. */
static void
assert_only_own_subjects (SyncTestFixture *fixture,
                          const char      *prefix)
{
  static const char * const folders[] = { "INBOX", "Work" };

  for (guint f = 0; f < G_N_ELEMENTS (folders); f++)
    {
      g_autoptr(GPtrArray) rows = sync_test_store_rows (fixture, folders[f]);

      for (guint i = 0; i < rows->len; i++)
        {
          HeronStoreMessage *message = g_ptr_array_index (rows, i);

          g_assert_nonnull (message->subject);
          if (!g_str_has_prefix (message->subject, prefix))
            g_error ("%s's %s holds “%s”", fixture->user, folders[f], message->subject);
        }
    }
}

/* Two accounts (two users of the same server) synced and watched at once: each cache sees only
 * its own user's changes. */
static void
test_two_accounts (void)
{
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_ALL, NULL, TRUE, NO_POLL_MS };
  SyncTestFixture anna, ben;
  HeronSyncEvent *event;
  guint32 anna_uid, ben_uid;
  guint anna_mark, ben_mark;

  sync_test_fixture_init (&anna, server, tmpdir, "anna");
  sync_test_fixture_init (&ben, server, tmpdir, "ben");
  /* the states compared carry the subjects: UIDs alone are alike across users */
  anna.with_subjects = TRUE;
  ben.with_subjects = TRUE;
  create_mailbox (&anna, "Work");
  create_mailbox (&ben, "Work");
  sync_test_deliver (&anna, "Work", "anna-1", NULL);
  sync_test_deliver (&ben, "Work", "ben-1", NULL);
  sync_test_deliver (&ben, "Work", "ben-2", NULL);
  fixture_start (&anna, &setup);
  fixture_start (&ben, &setup);
  sync_test_wait_event (&anna, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);
  sync_test_wait_event (&ben, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  anna_mark = anna.events->len;
  ben_mark = ben.events->len;
  anna_uid = sync_test_deliver (&anna, "Work", "anna-2", NULL);
  event = sync_test_wait_event (&anna, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", anna_mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, anna_uid);

  ben_uid = sync_test_deliver (&ben, "INBOX", "ben-inbox", NULL);
  event = sync_test_wait_event (&ben, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", ben_mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, ben_uid);
  ben_uid = sync_test_deliver (&ben, "Work", "ben-3", NULL);
  event = sync_test_wait_event (&ben, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", ben_mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, ben_uid);

  /* each saw its own changes only */
  for (guint i = ben_mark; i < ben.events->len; i++)
    {
      HeronSyncEvent *e = g_ptr_array_index (ben.events, i);
      g_assert_false (e->kind == HERON_SYNC_EVENT_MESSAGES_ADDED && g_strcmp0 (e->folder, "Work") == 0 &&
                      e->uids != NULL && e->uids->len > 0 && g_array_index (e->uids, gint64, 0) == anna_uid &&
                      anna_uid != ben_uid);
    }
  for (guint i = anna_mark; i < anna.events->len; i++)
    {
      HeronSyncEvent *e = g_ptr_array_index (anna.events, i);
      g_assert_false (e->kind == HERON_SYNC_EVENT_MESSAGES_ADDED && g_strcmp0 (e->folder, "INBOX") == 0);
    }
  sync_test_assert_store_equals_server (&anna, "Work");
  sync_test_assert_store_equals_server (&ben, "Work");
  sync_test_assert_store_equals_server (&anna, "INBOX");
  sync_test_assert_store_equals_server (&ben, "INBOX");
  assert_only_own_subjects (&anna, "anna-");
  assert_only_own_subjects (&ben, "ben-");
  {
    g_autoptr(HeronStoreFolder) anna_work = store_folder (&anna, "Work");
    g_autoptr(HeronStoreFolder) ben_work = store_folder (&ben, "Work");
    g_assert_cmpuint (anna_work->n_messages, ==, 2);
    g_assert_cmpuint (ben_work->n_messages, ==, 3);
  }

  sync_test_fixture_clear (&anna);
  sync_test_fixture_clear (&ben);
}

/* A folder with a non-ASCII name ("Entwürfe Café"): the cache keeps the server's name (modified
 * UTF-7 without UTF8=ACCEPT), the session takes UTF-8. A delivery reaches the cache by NOTIFY or
 * by the STATUS poll, and a resync (STATUS first, then SELECT) brings a flag change. */
static gboolean
has_folder (SyncTestFixture *fixture,
            gconstpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);

  return reader != NULL && sync_test_store_folder_id (reader, data) != 0;
}

static void
assert_non_ascii_equals_server (SyncTestFixture *fixture,
                                const char      *name,
                                const char      *cached_name)
{
  g_autofree char *on_server = sync_test_server_state (fixture, name);
  g_autofree char *in_store = sync_test_store_state (fixture, cached_name);

  g_assert_cmpstr (in_store, ==, on_server);
}

static void
test_non_ascii (gconstpointer data)
{
  static const char name[] = "Entw\u00fcrfe Caf\u00e9";
  gboolean notify = GPOINTER_TO_INT (data);
  const Setup setup = {
    HERON_ACCOUNT_FOLDER_SYNC_ALL, NULL, notify, notify ? NO_POLL_MS : 300
  };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = heron_imap_utf7_encode (name);
  const char *cached_name;
  HeronSyncEvent *event;
  guint32 uid;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, notify ? "umlautnotify" : "umlautpoll");
  fixture.with_subjects = TRUE;
  create_mailbox (&fixture, name);
  sync_test_deliver (&fixture, name, "before", NULL);
  fixture_start (&fixture, &setup);

  /* the policy syncs it after the watch started, under the server's name */
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folders (&fixture);
  cached_name = has_folder (&fixture, encoded) ? encoded : name;
  g_assert_true (has_folder (&fixture, cached_name));
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, cached_name, 0, SYNC_TEST_WAIT_MS);
  assert_non_ascii_equals_server (&fixture, name, cached_name);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* watched */
  mark = fixture.events->len;
  uid = sync_test_deliver (&fixture, name, "during", NULL);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, cached_name, mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  assert_non_ascii_equals_server (&fixture, name, cached_name);

  /* resynced */
  g_assert_true (heron_test_server_add_flags (server, fixture.user, name, uid, "\\Flagged", &error));
  g_assert_no_error (error);
  sync_test_sync_folder (&fixture, cached_name);
  assert_non_ascii_equals_server (&fixture, name, cached_name);
  {
    g_autoptr(HeronStoreFolder) folder = store_folder (&fixture, cached_name);
    HeronTestMailboxStatus status;

    g_assert_true (heron_test_server_get_status (server, fixture.user, name, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpint (folder->server_messages, ==, status.messages);
    g_assert_cmpint (folder->server_unseen, ==, status.unseen);
  }
  /* and nothing it did was refused */
  g_assert_cmpint (sync_test_find_event (&fixture, &(SyncTestEventWait) { HERON_SYNC_EVENT_ERROR, NULL, 0 }), ==, -1);

  sync_test_fixture_clear (&fixture);
}

/* List-Id comes with the summary (HEADER.FIELDS (REFERENCES LIST-ID)) and is stored as sent. */
static void
test_list_id (void)
{
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, NULL, TRUE, NO_POLL_MS };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) inbox = NULL;
  g_autoptr(HeronStoreMessage) listed = NULL;
  g_autoptr(HeronStoreMessage) plain = NULL;
  guint32 listed_uid, plain_uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "listid");
  listed_uid = sync_test_deliver (&fixture, "INBOX", "listed",
                        "References: <a@heron.test>\r\n"
                        "List-Id: GNOME desktop\r\n <desktop-devel-list.gnome.org>\r\n");
  plain_uid = sync_test_deliver (&fixture, "INBOX", "plain", NULL);
  fixture_start (&fixture, &setup);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0, SYNC_TEST_WAIT_MS);

  reader = heron_store_reader_open (fixture.store_path, &error);
  g_assert_no_error (error);
  inbox = store_folder (&fixture, "INBOX");
  listed = heron_store_reader_get_message (reader, inbox->id, listed_uid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (listed->list_id, ==, "GNOME desktop <desktop-devel-list.gnome.org>");
  g_assert_cmpstr (listed->references, ==, "<a@heron.test>");
  plain = heron_store_reader_get_message (reader, inbox->id, plain_uid, &error);
  g_assert_no_error (error);
  g_assert_null (plain->list_id);

  sync_test_fixture_clear (&fixture);
}

/* Counters of the worker (properties for tests and diagnosis). */
static guint
worker_count (SyncTestFixture *fixture,
              const char      *name)
{
  guint n = 0;

  g_object_get (fixture->worker, name, &n, NULL);
  return n;
}

typedef struct {
  const char *name;
  guint       at_least;
} CountWait;

static gboolean
check_count (SyncTestFixture *fixture,
             gconstpointer    data)
{
  const CountWait *wait = data;
  return worker_count (fixture, wait->name) >= wait->at_least;
}

/* Until the counter has grown by @n. */
static void
wait_count (SyncTestFixture *fixture,
            const char      *name,
            guint            n,
            const char      *what)
{
  CountWait wait = { name, worker_count (fixture, name) + n };

  sync_test_wait_for (check_count, fixture, &wait, SYNC_TEST_WAIT_MS, what);
}

static char *
create_folder (SyncTestFixture *fixture,
               const char      *leaf,
               GError         **error)
{
  SyncTestWait wait = { 0 };
  char *name;

  heron_account_worker_create_folder_async (fixture->worker, NULL, leaf, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "create");
  name = heron_account_worker_create_folder_finish (fixture->worker, wait.result, error);
  g_object_unref (wait.result);
  return name;
}

/* A journal entry waiting (held behind a refused one) makes the cache hold fewer messages of a
 * folder than the server: the STATUS poll compares like with like (what the cache knows the
 * server has), so it does not sync the folder at every period; a real change still syncs it,
 * once. */
static void
test_pending_no_resync (void)
{
  static const char * const listed[] = { "Work", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, FALSE, 100 };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreFolder) work = NULL;
  g_autofree char *held = NULL;
  g_autoptr(GArray) locals = NULL;
  SyncTestWait wait = { 0 };
  HeronSyncEvent *event;
  guint32 uid, flagged;
  gint64 uid64;
  guint mark, syncs;

  sync_test_fixture_init (&fixture, server, tmpdir, "pendingpoll");
  fixture.poll_ms = 20;   /* the counters are looked at, not only events */
  create_mailbox (&fixture, "Work");
  uid = sync_test_deliver (&fixture, "Work", "work-1", NULL);
  flagged = sync_test_deliver (&fixture, "Work", "work-2", NULL);
  sync_test_deliver (&fixture, "Work", "work-3", NULL);
  fixture_start (&fixture, &setup);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);

  /* a folder the server refuses ("~" starts no Dovecot name), and a move into it: held */
  mark = fixture.events->len;
  held = create_folder (&fixture, "~Held", &error);
  g_assert_no_error (error);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpstr (event->folder, ==, "~Held");
  uid64 = uid;
  heron_account_worker_move_async (fixture.worker, "Work", &uid64, 1, held, NULL, sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "move");
  locals = heron_account_worker_move_finish (fixture.worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  work = store_folder (&fixture, "Work");
  g_assert_cmpuint (work->n_messages, ==, 2);   /* the server has 3 */

  /* several poll periods: no sync of Work */
  wait_count (&fixture, "n-status-polls", 2, "two polls");
  syncs = worker_count (&fixture, "n-folder-syncs");
  wait_count (&fixture, "n-status-polls", 6, "six polls");
  g_assert_cmpuint (worker_count (&fixture, "n-folder-syncs"), ==, syncs);
  {
    HeronTestMailboxStatus status;

    g_assert_true (heron_test_server_get_status (server, fixture.user, "Work", &status, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (status.messages, ==, 3);   /* the move was not sent */
  }

  /* a change made elsewhere: one sync */
  mark = fixture.events->len;
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", flagged, "\\Flagged", &error));
  g_assert_no_error (error);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Work", mark, SYNC_TEST_WAIT_MS);
  wait_count (&fixture, "n-status-polls", 6, "six more polls");
  g_assert_cmpuint (worker_count (&fixture, "n-folder-syncs"), ==, syncs + 1);

  sync_test_fixture_clear (&fixture);
}

/* A waiting entry that names a message another client expunged: the cache's idea of what the
 * server holds is one too many (two messages moved offline, held; the server expunges one of
 * them). The expunge is synced (HIGHESTMODSEQ moved); the sync that follows finds the server
 * unchanged since, MESSAGES still differing, and from then on the polls sync nothing while the
 * entry waits; a real change still syncs once. */
static void
test_expunged_no_resync (void)
{
  static const char * const listed[] = { "Work", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, FALSE, 100 };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *held = NULL;
  g_autoptr(GArray) locals = NULL;
  SyncTestWait wait = { 0 };
  HeronSyncEvent *event;
  HeronTestMailboxStatus status;
  gint64 uids[2];
  guint32 flagged;
  guint mark, syncs, settled;

  sync_test_fixture_init (&fixture, server, tmpdir, "expungedpoll");
  fixture.poll_ms = 20;   /* the counters are looked at, not only events */
  create_mailbox (&fixture, "Work");
  uids[0] = sync_test_deliver (&fixture, "Work", "work-1", NULL);
  uids[1] = sync_test_deliver (&fixture, "Work", "work-2", NULL);
  flagged = sync_test_deliver (&fixture, "Work", "work-3", NULL);
  fixture_start (&fixture, &setup);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);

  /* a folder the server refuses, and a move of two messages into it: held */
  mark = fixture.events->len;
  held = create_folder (&fixture, "~Held", &error);
  g_assert_no_error (error);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpstr (event->folder, ==, "~Held");
  heron_account_worker_move_async (fixture.worker, "Work", uids, 2, held, NULL, sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "move");
  locals = heron_account_worker_move_finish (fixture.worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  wait_count (&fixture, "n-status-polls", 2, "two polls");
  syncs = worker_count (&fixture, "n-folder-syncs");

  /* another client expunges one of them: the cache has 1 message of Work, the server 2, the
   * journal names 2 more */
  g_assert_true (heron_test_server_expunge (server, fixture.user, "Work", (guint32) uids[0], &error));
  g_assert_no_error (error);
  wait_count (&fixture, "n-status-polls", 6, "six polls");
  settled = worker_count (&fixture, "n-folder-syncs");
  g_assert_cmpuint (settled, >=, syncs + 1);   /* the expunge */
  g_assert_cmpuint (settled, <=, syncs + 2);   /* and the one that found the server unchanged */
  wait_count (&fixture, "n-status-polls", 6, "six more polls");
  g_assert_cmpuint (worker_count (&fixture, "n-folder-syncs"), ==, settled);
  g_assert_true (heron_test_server_get_status (server, fixture.user, "Work", &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status.messages, ==, 2);   /* the move was not sent */

  /* a change made elsewhere: one sync */
  mark = fixture.events->len;
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", flagged, "\\Flagged", &error));
  g_assert_no_error (error);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Work", mark, SYNC_TEST_WAIT_MS);
  wait_count (&fixture, "n-status-polls", 6, "six more polls");
  g_assert_cmpuint (worker_count (&fixture, "n-folder-syncs"), ==, settled + 1);

  sync_test_fixture_clear (&fixture);
}

/* NOTIFY after a reconnect: the new watch connection says NOTIFY SET again, and a change in a
 * folder other than INBOX reaches the cache by it (the poll is ten minutes away and never ran). */
static void
test_notify_reconnect (void)
{
  static const char * const listed[] = { "Work", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, TRUE, NO_POLL_MS };
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  guint mark, sets;

  sync_test_fixture_init (&fixture, server, tmpdir, "renotify");
  fixture.poll_ms = 20;
  create_mailbox (&fixture, "Work");
  sync_test_deliver (&fixture, "Work", "before", NULL);
  fixture_start (&fixture, &setup);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);
  {
    CountWait first = { "n-notify-sets", 1 };
    sync_test_wait_for (check_count, &fixture, &first, SYNC_TEST_WAIT_MS, "a NOTIFY SET");
  }
  sets = worker_count (&fixture, "n-notify-sets");

  /* the server goes down and comes back: every connection dropped */
  mark = fixture.events->len;
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_OFFLINE, mark, SYNC_TEST_WAIT_MS);
  mark = fixture.events->len;
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_ONLINE, mark, SYNC_TEST_WAIT_MS);
  {
    CountWait again = { "n-notify-sets", sets + 1 };
    sync_test_wait_for (check_count, &fixture, &again, SYNC_TEST_WAIT_MS, "NOTIFY SET again");
  }
  while (g_main_context_iteration (NULL, FALSE))
    ;

  mark = fixture.events->len;
  uid = sync_test_deliver (&fixture, "Work", "after", NULL);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  mark = fixture.events->len;
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", uid, "\\Flagged", &error));
  g_assert_no_error (error);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Work", mark, SYNC_TEST_WAIT_MS);
  sync_test_assert_store_equals_server (&fixture, "Work");
  g_assert_cmpuint (worker_count (&fixture, "n-status-polls"), ==, 0);
  g_assert_cmpuint (worker_count (&fixture, "n-notify-sets"), ==, sets + 1);
  sync_test_fixture_clear (&fixture);
}

/* NOTIFICATIONOVERFLOW. Dovecot sends it only when a client stops reading its notifications,
 * which the worker never does, so it cannot be had from Dovecot on demand. Rather than the
 * scripted server (which would have to play the worker's whole conversation), the worker talks
 * to the real Dovecot through this loopback proxy (plain IMAP: Dovecot takes a login in clear
 * text from loopback), which puts "* OK [NOTIFICATIONOVERFLOW]" into the connection that said
 * NOTIFY SET, between two lines while it idles. */

typedef struct {
  GSocket      *listener;
  guint16       port;
  guint16       target_port;
  GCancellable *cancellable;
  GThread      *thread;
  GMutex        lock;
  GPtrArray    *pipes;       /* GThread, under lock */
  gint          stopping;    /* atomic */
  gint          inject;      /* atomic: put the overflow into the next idling NOTIFY connection */
  gint          injected;    /* atomic */
} Proxy;

typedef struct {
  Proxy   *proxy;
  GSocket *client;
} Pipe;

static gboolean
send_all (GSocket    *socket,
          const char *data,
          gssize      len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, NULL, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gpointer
pipe_thread (gpointer data)
{
  Pipe *pipe = data;
  Proxy *proxy = pipe->proxy;
  g_autoptr(GSocket) client = pipe->client;
  g_autoptr(GSocket) upstream = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, proxy->target_port);
  g_autoptr(GString) last_line = g_string_new (NULL);   /* the server's line being read */
  gboolean notify = FALSE, idling = FALSE, line_end = TRUE;
  char buffer[16384];

  g_free (pipe);
  upstream = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  if (upstream == NULL || !g_socket_connect (upstream, address, NULL, NULL))
    return NULL;

  while (!g_atomic_int_get (&proxy->stopping))
    {
      GPollFD fds[2] = {
        { g_socket_get_fd (client), G_IO_IN | G_IO_HUP | G_IO_ERR, 0 },
        { g_socket_get_fd (upstream), G_IO_IN | G_IO_HUP | G_IO_ERR, 0 },
      };

      if (g_poll (fds, 2, 20) < 0)
        break;
      if (fds[0].revents != 0)
        {
          gssize n = g_socket_receive (client, buffer, sizeof buffer - 1, NULL, NULL);

          if (n <= 0 || !send_all (upstream, buffer, n))
            break;
          buffer[n] = '\0';
          if (g_strstr_len (buffer, n, " NOTIFY SET ") != NULL)
            notify = TRUE;
          idling = FALSE;   /* DONE, or a command */
        }
      if (fds[1].revents != 0)
        {
          gssize n = g_socket_receive (upstream, buffer, sizeof buffer, NULL, NULL);

          if (n <= 0 || !send_all (client, buffer, n))
            break;
          for (gssize i = 0; i < n; i++)
            {
              if (buffer[i] == '\n')
                {
                  if (g_str_has_prefix (last_line->str, "+ "))
                    idling = TRUE;
                  g_string_truncate (last_line, 0);
                }
              else
                g_string_append_c (last_line, buffer[i]);
            }
          line_end = last_line->len == 0;
        }
      if (notify && idling && line_end && g_atomic_int_compare_and_exchange (&proxy->inject, 1, 0))
        {
          static const char overflow[] = "* OK [NOTIFICATIONOVERFLOW] The test proxy overflowed\r\n";

          if (!send_all (client, overflow, sizeof overflow - 1))
            break;
          g_atomic_int_inc (&proxy->injected);
        }
    }
  g_socket_close (upstream, NULL);
  g_socket_close (client, NULL);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  Proxy *proxy = data;

  for (;;)
    {
      GSocket *client = g_socket_accept (proxy->listener, proxy->cancellable, NULL);
      Pipe *pipe;

      if (client == NULL)
        return NULL;
      pipe = g_new0 (Pipe, 1);
      pipe->proxy = proxy;
      pipe->client = client;
      g_mutex_lock (&proxy->lock);
      g_ptr_array_add (proxy->pipes, g_thread_new ("proxy-pipe", pipe_thread, pipe));
      g_mutex_unlock (&proxy->lock);
    }
}

static Proxy *
proxy_new (guint16 target_port)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  proxy->target_port = target_port;
  proxy->cancellable = g_cancellable_new ();
  proxy->pipes = g_ptr_array_new ();
  g_mutex_init (&proxy->lock);
  proxy->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (proxy->listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (proxy->listener, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (proxy->listener, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->thread = g_thread_new ("proxy-accept", accept_thread, proxy);
  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  g_atomic_int_set (&proxy->stopping, 1);
  g_cancellable_cancel (proxy->cancellable);
  g_thread_join (proxy->thread);
  for (guint i = 0; i < proxy->pipes->len; i++)
    g_thread_join (g_ptr_array_index (proxy->pipes, i));
  g_ptr_array_unref (proxy->pipes);
  g_socket_close (proxy->listener, NULL);
  g_object_unref (proxy->listener);
  g_object_unref (proxy->cancellable);
  g_mutex_clear (&proxy->lock);
  g_free (proxy);
}

static gboolean
check_injected (SyncTestFixture *fixture,
                gconstpointer    data)
{
  const Proxy *proxy = data;
  return g_atomic_int_get ((gint *) &proxy->injected) > 0;
}

/* RFC 5465 section 5.8: after NOTIFICATIONOVERFLOW the server sends no more notifications, so
 * the worker syncs every watched folder (INBOX and Work here) and polls from then on. */
static void
test_notify_overflow (void)
{
  static const char * const listed[] = { "Work", NULL };
  SyncTestFixture fixture;
  g_autoptr(HeronAccountConfig) config = NULL;
  HeronAccountWorkerOptions options;
  Proxy *proxy = proxy_new (heron_test_server_get_imap_port (server));
  HeronAccountServer *imap;
  guint syncs, polls;

  sync_test_fixture_init (&fixture, server, tmpdir, "overflow");
  fixture.poll_ms = 20;
  create_mailbox (&fixture, "Work");
  sync_test_deliver (&fixture, "Work", "before", NULL);

  config = sync_test_fixture_config (&fixture);
  imap = heron_account_config_get_imap (config);
  heron_account_server_set_port (imap, proxy->port);
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_NONE);
  heron_account_server_set_allow_plaintext_on_loopback (imap, TRUE);
  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  heron_account_config_set_sync_folders (config, listed);
  sync_test_options_init (&options, fixture.store_path, fixture.password);
  options.idle = TRUE;
  options.status_poll_ms = 200;   /* after the overflow */
  sync_test_fixture_start (&fixture, config, &options);

  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0, SYNC_TEST_WAIT_MS);
  {
    CountWait first = { "n-notify-sets", 1 };
    sync_test_wait_for (check_count, &fixture, &first, SYNC_TEST_WAIT_MS, "a NOTIFY SET");
  }
  /* the policy's sync of Work is done (its first sync's event came): nothing else is due */
  syncs = worker_count (&fixture, "n-folder-syncs");
  polls = worker_count (&fixture, "n-status-polls");
  g_assert_cmpuint (polls, ==, 0);

  g_atomic_int_set (&proxy->inject, 1);
  sync_test_wait_for (check_injected, &fixture, proxy, SYNC_TEST_WAIT_MS, "the overflow injected");
  {
    CountWait resynced = { "n-folder-syncs", syncs + 2 };
    CountWait polling = { "n-status-polls", 3 };

    sync_test_wait_for (check_count, &fixture, &resynced, SYNC_TEST_WAIT_MS, "INBOX and Work synced");
    sync_test_wait_for (check_count, &fixture, &polling, SYNC_TEST_WAIT_MS, "the poll running");
  }
  /* exactly those two: the polls that followed found nothing new */
  g_assert_cmpuint (worker_count (&fixture, "n-folder-syncs"), ==, syncs + 2);

  /* and a change is seen by the poll */
  {
    guint mark = fixture.events->len;

    sync_test_deliver (&fixture, "Work", "polled", NULL);
    sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", mark, SYNC_TEST_WAIT_MS);
    sync_test_assert_store_equals_server (&fixture, "Work");
  }
  sync_test_fixture_clear (&fixture);
  proxy_free (proxy);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const users[] = {
    "notify", "poll", "policy", "counts", "anna", "ben", "listid", "umlautnotify", "umlautpoll", "pendingpoll",
    "renotify", "overflow", "expungedpoll", NULL
  };

  g_test_init (&argc, &argv, NULL);

  /* every user up front (see sync_test_server_new()) */
  server = sync_test_server_new (HERON_TEST_SERVER_FLAGS_NO_SMTP, users);
  tmpdir = sync_test_tmpdir_new ("heron-test-sync-watch-XXXXXX");

  g_test_add_data_func ("/heron/sync/watch/notify", GINT_TO_POINTER (TRUE), test_changes);
  g_test_add_data_func ("/heron/sync/watch/status-poll", GINT_TO_POINTER (FALSE), test_changes);
  g_test_add_func ("/heron/sync/watch/policy", test_policy);
  g_test_add_func ("/heron/sync/watch/server-counts", test_server_counts);
  g_test_add_func ("/heron/sync/watch/two-accounts", test_two_accounts);
  g_test_add_func ("/heron/sync/watch/list-id", test_list_id);
  g_test_add_func ("/heron/sync/watch/pending-entry-no-resync", test_pending_no_resync);
  g_test_add_func ("/heron/sync/watch/expunged-entry-no-resync", test_expunged_no_resync);
  g_test_add_func ("/heron/sync/watch/notify-after-reconnect", test_notify_reconnect);
  g_test_add_func ("/heron/sync/watch/notify-overflow", test_notify_overflow);
  g_test_add_data_func ("/heron/sync/watch/non-ascii-notify", GINT_TO_POINTER (TRUE), test_non_ascii);
  g_test_add_data_func ("/heron/sync/watch/non-ascii-status-poll", GINT_TO_POINTER (FALSE), test_non_ascii);

  return sync_test_run (server, tmpdir);
}
