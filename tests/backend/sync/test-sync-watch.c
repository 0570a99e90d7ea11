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
#include <glib/gstdio.h>

#include "heron-test-server.h"
#include "account/heron-account-config.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

#define WAIT_MS 60000
#define NO_POLL_MS (10 * 60 * 1000)

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

typedef struct {
  HeronAccountFolderSync  policy;
  const char * const     *folders;   /* FOLDER_SYNC_LIST */
  gboolean                notify;
  guint                   poll_ms;
} Setup;

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

typedef gboolean (*CheckFunc) (gconstpointer data);

static void
wait_for (CheckFunc      check,
          gconstpointer  data,
          guint          timeout_ms,
          const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (id);
}

typedef struct {
  Fixture            *fixture;
  HeronSyncEventKind  kind;
  const char         *folder;
  guint               after;
} EventWait;

static gint
find_event (const EventWait *wait)
{
  for (guint i = wait->after; i < wait->fixture->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (wait->fixture->events, i);
      if (event->kind == wait->kind && (wait->folder == NULL || g_strcmp0 (event->folder, wait->folder) == 0))
        return i;
    }
  return -1;
}

static gboolean
check_event (gconstpointer data)
{
  return find_event (data) >= 0;
}

static HeronSyncEvent *
wait_event (Fixture            *fixture,
            HeronSyncEventKind  kind,
            const char         *folder,
            guint               after)
{
  EventWait wait = { fixture, kind, folder, after };
  g_autofree char *what = g_strdup_printf ("%s in %s", heron_sync_event_kind_to_string (kind),
                                           folder != NULL ? folder : "any folder");

  wait_for (check_event, &wait, WAIT_MS, what);
  return g_ptr_array_index (fixture->events, find_event (&wait));
}

static void
fixture_init (Fixture    *fixture,
              const char *name)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  fixture->password = g_strdup (heron_test_server_get_user_password (server, fixture->user));
  fixture->store_path = g_build_filename (tmpdir, name, "cache.db", NULL);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  g_assert_nonnull (fixture->password);
}

static void
fixture_start (Fixture     *fixture,
               const Setup *setup)
{
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;

  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (imap, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (imap, fixture->user);
  heron_account_server_set_pinned_certificate_file (imap, heron_test_server_get_ca_file (server));
  heron_account_config_set_folder_sync (config, setup->policy);
  if (setup->folders != NULL)
    heron_account_config_set_sync_folders (config, setup->folders);

  heron_account_worker_options_init (&options);
  options.store_path = fixture->store_path;
  options.password = fixture->password;
  options.idle = TRUE;
  options.no_notify = !setup->notify;
  options.status_poll_ms = setup->poll_ms;
  options.backoff_initial_ms = 200;
  options.backoff_max_ms = 1000;
  options.read_timeout_ms = 20000;

  fixture->worker = heron_account_worker_new (config, &options, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->worker, "event", G_CALLBACK (on_event), fixture);
  heron_account_worker_start (fixture->worker);
}

static void
fixture_clear (Fixture *fixture)
{
  if (fixture->worker != NULL)
    {
      heron_account_worker_stop (fixture->worker);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_object (&fixture->worker);
    }
  g_free (fixture->user);
  g_free (fixture->password);
  g_free (fixture->store_path);
  g_ptr_array_unref (fixture->events);
}

static guint32
deliver (Fixture    *fixture,
         const char *mailbox,
         const char *subject,
         const char *extra_headers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: Bob <bob@example.test>\r\n"
                                           "To: %s\r\n"
                                           "Subject: %s\r\n"
                                           "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                                           "Message-ID: <%s.%u@heron.test>\r\n"
                                           "%s"
                                           "\r\n"
                                           "Hello.\r\n", fixture->user, subject, subject,
                                           g_random_int (), extra_headers != NULL ? extra_headers : "");
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  guint32 uid = heron_test_server_deliver (server, fixture->user, mailbox, bytes, NULL, &error);

  g_assert_no_error (error);
  return uid;
}

static void
create_mailbox (Fixture    *fixture,
                const char *mailbox)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_test_server_create_mailbox (server, fixture->user, mailbox, &error));
  g_assert_no_error (error);
}

static HeronStoreFolder *
store_folder (Fixture    *fixture,
              const char *name)
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

/* "uid flags" lines of the server (doveadm) and of the cache, normalized alike */
static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

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

static char *
join_sorted (GPtrArray *lines)
{
  GString *text = g_string_new (NULL);

  g_ptr_array_sort (lines, compare_strings);
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
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], "\t", 2);
      g_autofree char *flags = NULL;

      if (cols[0] == NULL || cols[0][0] == '\0')
        continue;
      flags = normalize_flags (cols[1]);
      g_ptr_array_add (result, g_strdup_printf ("%s %s", cols[0], flags));
    }
  return join_sorted (result);
}

static const char *system_flag_names[] = { "\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft" };

static char *
store_state (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  g_autoptr(HeronStoreFolder) folder = store_folder (fixture, name);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);
  guint count = 0;

  g_assert_no_error (error);
  g_assert_true (heron_store_reader_count_messages (reader, folder->id, &count, &error));
  rows = heron_store_reader_get_rows (reader, folder->id, 0, count, &error);
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
  return join_sorted (result);
}

static void
assert_store_equals_server (Fixture    *fixture,
                            const char *folder)
{
  g_autofree char *on_server = server_state (fixture, folder);
  g_autofree char *in_store = store_state (fixture, folder);

  g_assert_cmpstr (in_store, ==, on_server);
}

static void
assert_counts_equal_server (Fixture    *fixture,
                            const char *name)
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
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  guint mark;
  gint64 start;

  fixture_init (&fixture, notify ? "notify" : "poll");
  create_mailbox (&fixture, "Work");
  deliver (&fixture, "Work", "before", NULL);
  fixture_start (&fixture, &setup);
  /* the policy syncs Work after the watch started */
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0);
  assert_store_equals_server (&fixture, "Work");
  while (g_main_context_iteration (NULL, FALSE))
    ;

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  uid = deliver (&fixture, "Work", "during", NULL);
  event = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", mark);
  g_test_message ("%s: a delivery reached the cache in %.3f s", notify ? "NOTIFY" : "poll",
                  (event->time_us - start) / 1e6);
  g_assert_cmpuint (event->uids->len, ==, 1);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  assert_store_equals_server (&fixture, "Work");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", uid, "\\Flagged $Work", &error));
  g_assert_no_error (error);
  event = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_CHANGED, "Work", mark);
  g_test_message ("%s: a flag change reached the cache in %.3f s", notify ? "NOTIFY" : "poll",
                  (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  assert_store_equals_server (&fixture, "Work");

  mark = fixture.events->len;
  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_expunge (server, fixture.user, "Work", uid, &error));
  g_assert_no_error (error);
  event = wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_REMOVED, "Work", mark);
  g_test_message ("%s: an expunge reached the cache in %.3f s", notify ? "NOTIFY" : "poll",
                  (event->time_us - start) / 1e6);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, uid);
  assert_store_equals_server (&fixture, "Work");
  assert_counts_equal_server (&fixture, "Work");

  fixture_clear (&fixture);
}

/* FOLDER_SYNC_LIST: INBOX and the listed folder are synced and watched, the others not. */
static void
test_policy (void)
{
  static const char * const listed[] = { "Lists/GNOME", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, TRUE, NO_POLL_MS };
  Fixture fixture;
  g_autoptr(HeronStoreFolder) work = NULL;
  g_autoptr(HeronStoreFolder) gnome = NULL;
  guint mark;

  fixture_init (&fixture, "policy");
  create_mailbox (&fixture, "Work");
  create_mailbox (&fixture, "Lists/GNOME");
  deliver (&fixture, "Work", "work-1", NULL);
  deliver (&fixture, "Work", "work-2", NULL);
  deliver (&fixture, "Lists/GNOME", "gnome-1", NULL);
  deliver (&fixture, "INBOX", "inbox-1", NULL);
  fixture_start (&fixture, &setup);

  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Lists/GNOME", 0);
  assert_store_equals_server (&fixture, "Lists/GNOME");
  assert_store_equals_server (&fixture, "INBOX");

  /* a change to the listed folder is watched */
  mark = fixture.events->len;
  deliver (&fixture, "Work", "work-3", NULL);
  deliver (&fixture, "Lists/GNOME", "gnome-2", NULL);
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Lists/GNOME", mark);
  assert_store_equals_server (&fixture, "Lists/GNOME");

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

  fixture_clear (&fixture);
}

/* The server's counts of every folder, synced or not, from LIST-STATUS and NOTIFY. */
static void
test_server_counts (void)
{
  static const char * const listed[] = { "Work", NULL };
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, listed, TRUE, NO_POLL_MS };
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreFolder) work = NULL;
  guint32 uid;
  guint mark;

  fixture_init (&fixture, "counts");
  create_mailbox (&fixture, "Work");
  create_mailbox (&fixture, "Other");
  uid = deliver (&fixture, "Work", "work-1", NULL);
  deliver (&fixture, "Work", "work-2", NULL);
  deliver (&fixture, "Other", "other-1", NULL);
  g_assert_true (heron_test_server_add_flags (server, fixture.user, "Work", uid, "\\Seen", &error));
  g_assert_no_error (error);
  fixture_start (&fixture, &setup);
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0);

  assert_counts_equal_server (&fixture, "Work");
  assert_counts_equal_server (&fixture, "Other");     /* not synced: LIST-STATUS */
  assert_counts_equal_server (&fixture, "INBOX");
  work = store_folder (&fixture, "Work");
  g_assert_cmpint (work->server_messages, ==, 2);
  g_assert_cmpint (work->server_unseen, ==, 1);

  /* a delivery: NOTIFY's STATUS updates them, and a FOLDER_CHANGED says so */
  mark = fixture.events->len;
  deliver (&fixture, "Work", "work-3", NULL);
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", mark);
  g_assert_cmpint (find_event (&(EventWait) { &fixture, HERON_SYNC_EVENT_FOLDER_CHANGED, "Work", mark }), >=, 0);
  assert_counts_equal_server (&fixture, "Work");
  g_clear_pointer (&work, heron_store_folder_free);
  work = store_folder (&fixture, "Work");
  g_assert_cmpint (work->server_messages, ==, 3);
  g_assert_cmpint (work->server_unseen, ==, 2);

  fixture_clear (&fixture);
}

/* Two accounts (two users of the same server) synced and watched at once: each cache sees only
 * its own user's changes. */
static void
test_two_accounts (void)
{
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_ALL, NULL, TRUE, NO_POLL_MS };
  Fixture anna, ben;
  HeronSyncEvent *event;
  guint32 anna_uid, ben_uid;
  guint anna_mark, ben_mark;

  fixture_init (&anna, "anna");
  fixture_init (&ben, "ben");
  create_mailbox (&anna, "Work");
  create_mailbox (&ben, "Work");
  deliver (&anna, "Work", "anna-1", NULL);
  deliver (&ben, "Work", "ben-1", NULL);
  deliver (&ben, "Work", "ben-2", NULL);
  fixture_start (&anna, &setup);
  fixture_start (&ben, &setup);
  wait_event (&anna, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0);
  wait_event (&ben, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  anna_mark = anna.events->len;
  ben_mark = ben.events->len;
  anna_uid = deliver (&anna, "Work", "anna-2", NULL);
  event = wait_event (&anna, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", anna_mark);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, anna_uid);

  ben_uid = deliver (&ben, "INBOX", "ben-inbox", NULL);
  event = wait_event (&ben, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", ben_mark);
  g_assert_cmpint (g_array_index (event->uids, gint64, 0), ==, ben_uid);
  ben_uid = deliver (&ben, "Work", "ben-3", NULL);
  event = wait_event (&ben, HERON_SYNC_EVENT_MESSAGES_ADDED, "Work", ben_mark);
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
  assert_store_equals_server (&anna, "Work");
  assert_store_equals_server (&ben, "Work");
  assert_store_equals_server (&anna, "INBOX");
  assert_store_equals_server (&ben, "INBOX");
  {
    g_autoptr(HeronStoreFolder) anna_work = store_folder (&anna, "Work");
    g_autoptr(HeronStoreFolder) ben_work = store_folder (&ben, "Work");
    g_assert_cmpuint (anna_work->n_messages, ==, 2);
    g_assert_cmpuint (ben_work->n_messages, ==, 3);
  }

  fixture_clear (&anna);
  fixture_clear (&ben);
}

/* List-Id comes with the summary (HEADER.FIELDS (REFERENCES LIST-ID)) and is stored as sent. */
static void
test_list_id (void)
{
  const Setup setup = { HERON_ACCOUNT_FOLDER_SYNC_LIST, NULL, TRUE, NO_POLL_MS };
  Fixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) inbox = NULL;
  g_autoptr(HeronStoreMessage) listed = NULL;
  g_autoptr(HeronStoreMessage) plain = NULL;
  guint32 listed_uid, plain_uid;

  fixture_init (&fixture, "listid");
  listed_uid = deliver (&fixture, "INBOX", "listed",
                        "References: <a@heron.test>\r\n"
                        "List-Id: GNOME desktop\r\n <desktop-devel-list.gnome.org>\r\n");
  plain_uid = deliver (&fixture, "INBOX", "plain", NULL);
  fixture_start (&fixture, &setup);
  wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0);

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
  tmpdir = g_dir_make_tmp ("heron-test-sync-watch-XXXXXX", &error);
  g_assert_no_error (error);

  /* every user up front (Dovecot notices a changed passwd-file by its mtime, in seconds) */
  {
    static const char * const users[] = {
      "notify", "poll", "policy", "counts", "anna", "ben", "listid", NULL
    };
    for (guint i = 0; users[i] != NULL; i++)
      {
        g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);
        g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
        g_assert_no_error (error);
      }
  }

  g_test_add_data_func ("/heron/sync/watch/notify", GINT_TO_POINTER (TRUE), test_changes);
  g_test_add_data_func ("/heron/sync/watch/status-poll", GINT_TO_POINTER (FALSE), test_changes);
  g_test_add_func ("/heron/sync/watch/policy", test_policy);
  g_test_add_func ("/heron/sync/watch/server-counts", test_server_counts);
  g_test_add_func ("/heron/sync/watch/two-accounts", test_two_accounts);
  g_test_add_func ("/heron/sync/watch/list-id", test_list_id);

  result = g_test_run ();

  heron_test_server_free (server);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    (void) system (cmd);
  }
  g_free (tmpdir);
  return result;
}
