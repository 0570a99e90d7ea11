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
#include <glib/gstdio.h>

#include "heron-test-server.h"
#include "account/heron-account-config.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

#define WAIT_MS 60000

static HeronTestServer *server;
static char *tmpdir;

/* Helpers */

typedef struct {
  HeronAccountWorker *worker;
  char               *user;
  char               *password;
  char               *store_path;
  GPtrArray          *events;   /* HeronSyncEvent */
} Fixture;

static void
on_event (HeronAccountWorker *worker,
          HeronSyncEvent     *event,
          gpointer            user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->events, heron_sync_event_copy (event));
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until check() holds, or fails after timeout_ms. */
static void
wait_for (gboolean (*check) (Fixture *, gconstpointer),
          Fixture       *fixture,
          gconstpointer  data,
          guint          timeout_ms,
          const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!check (fixture, data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (id);
}

static gboolean
check_state (Fixture       *fixture,
             gconstpointer  data)
{
  return (int) heron_account_worker_get_state (fixture->worker) == GPOINTER_TO_INT (data);
}

/* an event of this kind arrived after position *(guint *) data */
typedef struct {
  HeronSyncEventKind kind;
  const char *folder;
  guint after;
} EventWait;

static gint
find_event (Fixture         *fixture,
            const EventWait *wait)
{
  for (guint i = wait->after; i < fixture->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture->events, i);
      if (event->kind == wait->kind && (wait->folder == NULL || g_strcmp0 (event->folder, wait->folder) == 0))
        return i;
    }
  return -1;
}

static gboolean
check_event (Fixture       *fixture,
             gconstpointer  data)
{
  return find_event (fixture, data) >= 0;
}

static HeronSyncEvent *
wait_event (Fixture            *fixture,
            HeronSyncEventKind  kind,
            const char         *folder,
            guint               after,
            guint               timeout_ms)
{
  EventWait wait = { kind, folder, after };

  wait_for (check_event, fixture, &wait, timeout_ms, heron_sync_event_kind_to_string (kind));
  return g_ptr_array_index (fixture->events, find_event (fixture, &wait));
}

static HeronAccountConfig *
make_config (const char *user)
{
  HeronAccountConfig *config = heron_account_config_new ();
  HeronAccountServer *imap = heron_account_config_get_imap (config);

  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (imap, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (imap, user);
  /* the harness's self-signed certificate, pinned as a person would accept it */
  heron_account_server_set_pinned_certificate_file (imap, heron_test_server_get_ca_file (server));
  /* INBOX only: the tests here sync other folders themselves (test-sync-watch.c tests the policy) */
  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  return config;
}

static void
fixture_start (Fixture       *fixture,
               HeronSyncMode  mode,
               gboolean       idle,
               const char    *wrong_password)
{
  g_autoptr(HeronAccountConfig) config = make_config (fixture->user);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;

  heron_account_worker_options_init (&options);
  options.store_path = fixture->store_path;
  options.password = wrong_password != NULL ? wrong_password : fixture->password;
  options.mode = mode;
  options.idle = idle;
  options.chunk_size = 500;
  options.backoff_initial_ms = 200;
  options.backoff_max_ms = 1000;
  options.read_timeout_ms = 20000;

  fixture->worker = heron_account_worker_new (config, &options, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->worker, "event", G_CALLBACK (on_event), fixture);
  heron_account_worker_start (fixture->worker);
}

static void
fixture_init (Fixture       *fixture,
              const char    *name,
              HeronSyncMode  mode,
              gboolean       idle)
{
  g_autoptr(GError) error = NULL;

  memset (fixture, 0, sizeof *fixture);
  fixture->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  fixture->password = g_strdup (heron_test_server_get_user_password (server, fixture->user));
  fixture->store_path = g_build_filename (tmpdir, name, "cache.db", NULL);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  g_assert_nonnull (fixture->password);
  if (mode != (HeronSyncMode) -1)
    fixture_start (fixture, mode, idle, NULL);
}

static void
fixture_stop (Fixture *fixture)
{
  if (fixture->worker == NULL)
    return;
  heron_account_worker_stop (fixture->worker);
  /* the last events are on their way */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fixture->worker);
}

static void
fixture_clear (Fixture *fixture)
{
  fixture_stop (fixture);
  g_free (fixture->user);
  g_free (fixture->password);
  g_free (fixture->store_path);
  g_ptr_array_unref (fixture->events);
}

typedef struct {
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
check_wait (Fixture       *fixture,
            gconstpointer  data)
{
  return ((const Wait *) data)->done;
}

static void
sync_folder (Fixture    *fixture,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_account_worker_sync_folder_async (fixture->worker, folder, NULL, on_done, &wait);
  wait_for (check_wait, fixture, &wait, WAIT_MS, "a folder sync");
  heron_account_worker_sync_folder_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static void
set_flags (Fixture      *fixture,
           const char   *folder,
           gint64        uid,
           guint         add,
           guint         remove)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_account_worker_set_flags_async (fixture->worker, folder, &uid, 1, add, remove, NULL, NULL,
                                        NULL, on_done, &wait);
  wait_for (check_wait, fixture, &wait, WAIT_MS, "set_flags");
  heron_account_worker_set_flags_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* "uid flags" lines, sorted, flags sorted, without \Recent: the same text for equal states. */
static char *
normalize_flags (const char *flags)
{
  g_auto(GStrv) words = g_strsplit (flags != NULL ? flags : "", " ", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && g_ascii_strcasecmp (words[i], "\\Recent") != 0)
      g_ptr_array_add (kept, words[i]);
  g_ptr_array_sort (kept, compare_strings);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" ", (char **) kept->pdata);
}

static gint
compare_uid_lines (gconstpointer a,
                   gconstpointer b)
{
  guint64 ua = g_ascii_strtoull (*(const char * const *) a, NULL, 10);
  guint64 ub = g_ascii_strtoull (*(const char * const *) b, NULL, 10);
  return ua < ub ? -1 : ua > ub;
}

static char *
join_lines (GPtrArray *lines)
{
  GString *text = g_string_new (NULL);

  g_ptr_array_sort (lines, compare_uid_lines);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "%s\n", (char *) g_ptr_array_index (lines, i));
  return g_string_free (text, FALSE);
}

static char *
server_state (Fixture    *fixture,
              const char *mailbox)
{
  const char *argv[] = { "-f", "tab", "fetch", "-u", fixture->user, "uid flags", "mailbox", mailbox, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)   /* line 0 is the header */
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], "\t", 2);
      g_autofree char *flags = NULL;

      if (cols[0] == NULL || cols[0][0] == '\0')
        continue;
      flags = normalize_flags (cols[1]);
      g_ptr_array_add (result, g_strdup_printf ("%s %s", cols[0], flags));
    }
  return join_lines (result);
}

static gint64
store_folder_id (HeronStoreReader *reader,
                 const char       *name)
{
  g_autoptr(GPtrArray) folders = heron_store_reader_get_folders (reader, NULL);

  g_assert_nonnull (folders);
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      if (g_strcmp0 (folder->name, name) == 0)
        return folder->id;
    }
  return 0;
}

static const char *system_flag_names[] = { "\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft" };

static char *
store_state (Fixture    *fixture,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);
  gint64 id;
  guint count = 0;

  g_assert_no_error (error);
  id = store_folder_id (reader, folder);
  g_assert_cmpint (id, !=, 0);
  g_assert_true (heron_store_reader_count_messages (reader, id, &count, &error));
  rows = heron_store_reader_get_rows (reader, id, 0, count, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      HeronStoreMessage *message = g_ptr_array_index (rows, i);
      GString *flags = g_string_new (message->keywords);
      g_autofree char *normal = NULL;

      for (guint j = 0; j < G_N_ELEMENTS (system_flag_names); j++)
        if (message->flags & (1u << j))
          g_string_append_printf (flags, " %s", system_flag_names[j]);
      normal = normalize_flags (flags->str);
      g_string_free (flags, TRUE);
      g_ptr_array_add (result, g_strdup_printf ("%" G_GINT64_FORMAT " %s", message->uid, normal));
    }
  return join_lines (result);
}

static void
assert_store_equals_server (Fixture    *fixture,
                            const char *folder)
{
  g_autofree char *on_server = server_state (fixture, folder);
  g_autofree char *in_store = store_state (fixture, folder);

  g_assert_cmpstr (in_store, ==, on_server);
}

static guint32
deliver (Fixture    *fixture,
         const char *mailbox,
         const char *subject)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: Bob <bob@example.test>\r\n"
                                           "To: %s\r\n"
                                           "Subject: %s\r\n"
                                           "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                                           "Message-ID: <%s.%u@heron.test>\r\n"
                                           "References: <a@heron.test> <b@heron.test>\r\n"
                                           "\r\n"
                                           "Hello.\r\n", fixture->user, subject, subject, g_random_int ());
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  guint32 uid = heron_test_server_deliver (server, fixture->user, mailbox, bytes, NULL, &error);

  g_assert_no_error (error);
  return uid;
}

static void
seed (Fixture    *fixture,
      const char *mailbox,
      guint       count)
{
  g_autoptr(GError) error = NULL;
  HeronSeedSpec spec = { .seed = 42, .count = count, .owner_address = fixture->user };

  heron_test_server_seed (server, fixture->user, mailbox, &spec, &error);
  g_assert_no_error (error);
}

static GArray *
server_uids (Fixture    *fixture,
             const char *mailbox)
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
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_auto(GStrv) mailboxes = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  gboolean sent_is_sent = FALSE;
  guint mark;

  fixture_init (&fixture, "folders", (HeronSyncMode) -1, FALSE);
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Work", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Work/2024", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Gone", &error));
  g_assert_no_error (error);

  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  wait_event (&fixture, HERON_SYNC_EVENT_FOLDERS_CHANGED, NULL, 0, WAIT_MS);

  /* behind the client's back: one folder goes, one comes */
  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Gone", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Lists/GNOME", &error));
  g_assert_no_error (error);
  mark = fixture.events->len;
  {
    Wait wait = { 0 };
    heron_account_worker_sync_folders_async (fixture.worker, NULL, on_done, &wait);
    wait_for (check_wait, &fixture, &wait, WAIT_MS, "sync_folders");
    heron_account_worker_sync_folders_finish (fixture.worker, wait.result, &error);
    g_assert_no_error (error);
    g_object_unref (wait.result);
  }
  g_assert_cmpint (find_event (&fixture, &(EventWait) { HERON_SYNC_EVENT_FOLDERS_CHANGED, NULL, mark }), >=, 0);

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
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  {
    g_autoptr(GPtrArray) expected = g_ptr_array_new ();
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    for (guint i = 0; mailboxes[i] != NULL; i++)
      g_ptr_array_add (expected, mailboxes[i]);
    g_ptr_array_sort (expected, compare_strings);
    g_ptr_array_add (expected, NULL);
    a = g_strjoinv (",", (char **) names->pdata);
    b = g_strjoinv (",", (char **) expected->pdata);
    g_assert_cmpstr (a, ==, b);
  }
  g_assert_true (sent_is_sent);

  fixture_clear (&fixture);
}

static void
test_first_sync (void)
{
  Fixture fixture;
  g_autoptr(GArray) uids = NULL;
  guint32 previous_low = G_MAXUINT32;
  guint n_added = 0, n_chunks = 0, n_progress = 0;
  gint64 start;
  double seconds;

  fixture_init (&fixture, "first", (HeronSyncMode) -1, FALSE);
  seed (&fixture, "Big", 2000);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  wait_for (check_state, &fixture, GINT_TO_POINTER (HERON_SYNC_STATE_ONLINE), WAIT_MS, "online");

  start = g_get_monotonic_time ();
  sync_folder (&fixture, "Big");
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

  assert_store_equals_server (&fixture, "Big");

  /* the summaries carry what the list and threading need */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HeronStore) store = NULL;
    g_autoptr(HeronStoreMessage) message = NULL;
    g_autoptr(HeronStoreFolder) folder = NULL;
    guint32 uid = deliver (&fixture, "Big", "threaded");

    sync_folder (&fixture, "Big");
    fixture_stop (&fixture);
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

  fixture_clear (&fixture);
}

static void
test_resync (gconstpointer data)
{
  HeronSyncMode mode = GPOINTER_TO_INT (data);
  const char *name = mode == HERON_SYNC_MODE_AUTO ? "qresync" :
                     mode == HERON_SYNC_MODE_CONDSTORE ? "condstore" : "plain";
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = NULL;
  guint mark;

  fixture_init (&fixture, name, (HeronSyncMode) -1, FALSE);
  seed (&fixture, "Changes", 300);
  fixture_start (&fixture, mode, FALSE, NULL);
  wait_for (check_state, &fixture, GINT_TO_POINTER (HERON_SYNC_STATE_ONLINE), WAIT_MS, "online");
  sync_folder (&fixture, "Changes");
  assert_store_equals_server (&fixture, "Changes");

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
  sync_folder (&fixture, "Changes");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_store_equals_server (&fixture, "Changes");
  {
    HeronSyncEvent *removed = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "Changes", mark, 1000);
    HeronSyncEvent *added = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Changes", mark, 1000);
    g_assert_cmpuint (removed->uids->len, ==, 15);
    g_assert_cmpuint (added->uids->len, ==, 5);
    wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Changes", mark, 1000);
  }

  /* nothing changed: still equal */
  sync_folder (&fixture, "Changes");
  assert_store_equals_server (&fixture, "Changes");

  /* the cache survives a restart, and the next sync is incremental */
  fixture_stop (&fixture);
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Changes",
                                              g_array_index (uids, guint32, 1), "\\Answered", &error));
  fixture_start (&fixture, mode, FALSE, NULL);
  wait_for (check_state, &fixture, GINT_TO_POINTER (HERON_SYNC_STATE_ONLINE), WAIT_MS, "online");
  mark = fixture.events->len;
  sync_folder (&fixture, "Changes");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (find_event (&fixture, &(EventWait) { HERON_SYNC_EVENT_MESSAGES_ADDED, "Changes", mark }), <, 0);
  assert_store_equals_server (&fixture, "Changes");

  fixture_clear (&fixture);
}

static void
test_uidvalidity (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;

  fixture_init (&fixture, "uidvalidity", (HeronSyncMode) -1, FALSE);
  seed (&fixture, "Valid", 50);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, FALSE, NULL);
  wait_for (check_state, &fixture, GINT_TO_POINTER (HERON_SYNC_STATE_ONLINE), WAIT_MS, "online");
  sync_folder (&fixture, "Valid");
  assert_store_equals_server (&fixture, "Valid");

  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Valid", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Valid", &error));
  g_assert_no_error (error);
  deliver (&fixture, "Valid", "one");
  deliver (&fixture, "Valid", "two");
  deliver (&fixture, "Valid", "three");

  sync_folder (&fixture, "Valid");
  assert_store_equals_server (&fixture, "Valid");
  {
    g_autofree char *state = store_state (&fixture, "Valid");
    g_assert_cmpstr (state, ==, "1 \n2 \n3 \n");
  }

  fixture_clear (&fixture);
}

static void
test_idle (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  guint mark;
  gint64 start;

  fixture_init (&fixture, "idle", (HeronSyncMode) -1, FALSE);
  deliver (&fixture, "INBOX", "before");
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, NULL);
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0, WAIT_MS);
  /* the watch starts after the first INBOX sync */
  g_usleep (300 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  uid = deliver (&fixture, "INBOX", "during");
  event = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", mark, 2000);
  g_test_message ("delivery reached the cache in %.3f s", (event->time_us - start) / 1e6);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "INBOX", uid, "\\Flagged", &error));
  event = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "INBOX", mark, 2000);
  g_test_message ("a flag change reached the cache in %.3f s", (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  assert_store_equals_server (&fixture, "INBOX");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_expunge (server, fixture.user, "INBOX", uid, &error));
  event = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "INBOX", mark, 2000);
  g_test_message ("an expunge reached the cache in %.3f s", (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  assert_store_equals_server (&fixture, "INBOX");

  fixture_clear (&fixture);
}

static gboolean
check_server_flagged (Fixture       *fixture,
                      gconstpointer  data)
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

typedef struct {
  HeronSyncState state;
  guint after;
} StateWait;

/* a state event after a mark: states can pass quickly (OFFLINE, CONNECTING, OFFLINE ...) */
static gboolean
check_state_event (Fixture       *fixture,
                   gconstpointer  data)
{
  const StateWait *wait = data;

  for (guint i = wait->after; i < fixture->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture->events, i);
      if (event->kind == HERON_SYNC_EVENT_STATE && event->state == wait->state)
        return TRUE;
    }
  return FALSE;
}

static void
test_offline_flags (void)
{
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  guint32 uid, uid2;
  guint mark;
  g_autofree char *state = NULL;
  g_autofree char *expected = NULL;

  fixture_init (&fixture, "offline", (HeronSyncMode) -1, FALSE);
  uid = deliver (&fixture, "INBOX", "one");
  uid2 = deliver (&fixture, "INBOX", "two");
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, NULL);
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0, WAIT_MS);

  /* online: the change reaches the server */
  set_flags (&fixture, "INBOX", uid2, HERON_STORE_FLAG_FLAGGED, 0);
  wait_for (check_server_flagged, &fixture, GUINT_TO_POINTER (uid2), 5000, "the flag on the server");

  mark = fixture.events->len;
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  wait_for (check_state_event, &fixture, &(StateWait) { HERON_SYNC_STATE_OFFLINE, mark }, 10000, "offline");

  set_flags (&fixture, "INBOX", uid, HERON_STORE_FLAG_FLAGGED | HERON_STORE_FLAG_SEEN, 0);
  state = store_state (&fixture, "INBOX");
  expected = g_strdup_printf ("%u \\Flagged \\Seen\n", uid);
  g_assert_nonnull (strstr (state, expected));

  /* a while down, with reconnect attempts backing off */
  g_usleep (1500 * 1000);
  mark = fixture.events->len;
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  wait_for (check_state_event, &fixture, &(StateWait) { HERON_SYNC_STATE_ONLINE, mark }, 10000, "online again");
  wait_for (check_server_flagged, &fixture, GUINT_TO_POINTER (uid), 10000, "the flag on the server");
  {
    g_auto(GStrv) flags = heron_test_server_get_flags (server, fixture.user, "INBOX", uid, &error);
    g_assert_true (g_strv_contains ((const char * const *) flags, "\\Seen"));
  }
  sync_folder (&fixture, "INBOX");
  assert_store_equals_server (&fixture, "INBOX");

  fixture_clear (&fixture);
}

static void
test_auth_failure (void)
{
  Fixture fixture;
  HeronSyncEvent *event;
  guint n_errors = 0;

  fixture_init (&fixture, "auth", (HeronSyncMode) -1, FALSE);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, "not-the-password");
  event = wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, WAIT_MS);
  g_assert_error (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_null (strstr (event->error->message, "not-the-password"));

  /* longer than several back-off periods (200 ms, up to 1 s): nobody tries again */
  {
    gboolean timed_out = FALSE;
    guint id = g_timeout_add (3000, on_timeout, &timed_out);
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
  wait_for (check_state, &fixture, GINT_TO_POINTER (HERON_SYNC_STATE_ONLINE), WAIT_MS, "online");

  fixture_clear (&fixture);
}

static void
test_stop_mid_sync (void)
{
  Fixture fixture;
  gint64 start;

  fixture_init (&fixture, "stop", (HeronSyncMode) -1, FALSE);
  seed (&fixture, "Big", 3000);
  fixture_start (&fixture, HERON_SYNC_MODE_AUTO, TRUE, NULL);
  wait_for (check_state, &fixture, GINT_TO_POINTER (HERON_SYNC_STATE_ONLINE), WAIT_MS, "online");
  heron_account_worker_sync_folder_async (fixture.worker, "Big", NULL, NULL, NULL);
  wait_event (&fixture, HERON_SYNC_EVENT_PROGRESS, "Big", 0, WAIT_MS);

  start = g_get_monotonic_time ();
  fixture_stop (&fixture);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);
  tmpdir = g_dir_make_tmp ("heron-test-sync-XXXXXX", &error);
  g_assert_no_error (error);

  /* Every user up front: Dovecot notices a changed passwd-file by its mtime, which has a
   * resolution of a second, so users added one by one between logins would go unseen. */
  {
    static const char * const users[] = {
      "folders", "first", "qresync", "condstore", "plain", "uidvalidity", "idle", "offline",
      "auth", "stop", NULL
    };
    for (guint i = 0; users[i] != NULL; i++)
      {
        g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);
        g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
        g_assert_no_error (error);
      }
  }

  g_test_add_func ("/heron/sync/folders", test_folders);
  g_test_add_func ("/heron/sync/first-sync", test_first_sync);
  g_test_add_data_func ("/heron/sync/resync/qresync", GINT_TO_POINTER (HERON_SYNC_MODE_AUTO), test_resync);
  g_test_add_data_func ("/heron/sync/resync/condstore", GINT_TO_POINTER (HERON_SYNC_MODE_CONDSTORE), test_resync);
  g_test_add_data_func ("/heron/sync/resync/plain", GINT_TO_POINTER (HERON_SYNC_MODE_PLAIN), test_resync);
  g_test_add_func ("/heron/sync/uidvalidity", test_uidvalidity);
  g_test_add_func ("/heron/sync/idle", test_idle);
  g_test_add_func ("/heron/sync/offline-flags", test_offline_flags);
  g_test_add_func ("/heron/sync/auth-failure", test_auth_failure);
  g_test_add_func ("/heron/sync/stop-mid-sync", test_stop_mid_sync);

  result = g_test_run ();

  heron_test_server_free (server);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    (void) system (cmd);
  }
  g_free (tmpdir);
  return result;
}
