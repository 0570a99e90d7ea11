/* test-sync-ops.c: the worker's operations on messages and folders and their journal replay,
 * against the real Dovecot of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test has a user of its own. An operation must show in the cache at once (online or not);
 * after the replay the server (read with doveadm) equals the cache, local UIDs carry the server's
 * UIDs, and the journal is empty. The crash tests prepare journal entries by hand (an entry left
 * IN_PROGRESS whose effect the server already has) or SIGKILL a child process (this program run
 * with --child) in the middle of a replay.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "sync-test-util.h"

static HeronTestServer *server;
static char *tmpdir;

/* Helpers */

static HeronAccountWorker *
new_worker (const char *host,
            guint16     port,
            const char *ca_file,
            const char *user,
            const char *password,
            const char *store_path,
            gboolean    ignore_move,
            gboolean    ignore_uidplus)
{
  g_autoptr(HeronAccountConfig) config = sync_test_config_new (host, port, ca_file, user);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;
  HeronAccountWorker *worker;

  sync_test_options_init (&options, store_path, password);
  options.idle = FALSE;
  options.ignore_move = ignore_move;
  options.ignore_uidplus = ignore_uidplus;
  worker = heron_account_worker_new (config, &options, &error);
  g_assert_no_error (error);
  return worker;
}

static void
fixture_start_full (SyncTestFixture *fixture,
                    gboolean         ignore_move,
                    gboolean         ignore_uidplus)
{
  HeronAccountWorker *worker = new_worker (heron_test_server_get_host (server),
                                           heron_test_server_get_imap_port (server),
                                           heron_test_server_get_ca_file (server), fixture->user, fixture->password,
                                           fixture->store_path, ignore_move, ignore_uidplus);

  sync_test_fixture_start_worker (fixture, worker);
  sync_test_wait_state (fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
}

static void
fixture_start (SyncTestFixture *fixture)
{
  fixture_start_full (fixture, FALSE, FALSE);
}

/* The states compared carry the subjects; every wait also looks again every 20 ms (the journal
 * in the cache and the server are polled). */
static void
fixture_init (SyncTestFixture *fixture,
              const char      *name)
{
  sync_test_fixture_init (fixture, server, tmpdir, name);
  fixture->with_subjects = TRUE;
  fixture->poll_ms = 20;
}

/* The operations, waiting for their tasks (which complete before the server is involved). */

static GArray *
do_move (SyncTestFixture *fixture,
         const char      *folder,
         const gint64    *uids,
         guint            n_uids,
         const char      *dest,
         gboolean         copy)
{
  g_autoptr(GError) error = NULL;
  GArray *locals;
  SyncTestWait wait = { 0 };

  if (copy)
    heron_account_worker_copy_async (fixture->worker, folder, uids, n_uids, dest, NULL, sync_test_on_done, &wait);
  else
    heron_account_worker_move_async (fixture->worker, folder, uids, n_uids, dest, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, copy ? "copy" : "move");
  locals = copy ? heron_account_worker_copy_finish (fixture->worker, wait.result, &error) :
                  heron_account_worker_move_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  g_assert_nonnull (locals);
  return locals;
}

static GArray *
do_delete (SyncTestFixture *fixture,
           const char      *folder,
           const gint64    *uids,
           guint            n_uids)
{
  g_autoptr(GError) error = NULL;
  GArray *locals;
  SyncTestWait wait = { 0 };

  heron_account_worker_delete_async (fixture->worker, folder, uids, n_uids, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "delete");
  locals = heron_account_worker_delete_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return locals;
}

static void
do_expunge (SyncTestFixture *fixture,
            const char      *folder,
            const gint64    *uids,
            guint            n_uids)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_expunge_async (fixture->worker, folder, uids, n_uids, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "expunge");
  g_assert_true (heron_account_worker_expunge_finish (fixture->worker, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static char *
make_message (const char *user,
              const char *id)
{
  return g_strdup_printf ("From: Bob <bob@example.test>\r\n"
                          "To: %s\r\n"
                          "Subject: Message %s\r\n"
                          "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                          "Message-ID: <%s@heron.test>\r\n"
                          "\r\n"
                          "Hello from %s.\r\n", user, id, id, id);
}

static gint64
do_append (SyncTestFixture *fixture,
           const char      *folder,
           const char      *id,
           guint            flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = make_message (fixture->user, id);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  SyncTestWait wait = { 0 };
  gint64 uid;

  heron_account_worker_append_async (fixture->worker, folder, bytes, flags, NULL, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "append");
  uid = heron_account_worker_append_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  g_assert_cmpint (uid, <, 0);
  return uid;
}

/* A new folder @leaf (UTF-8) in @parent (a server name, nullable): its server name, or NULL
 * with @error. */
static char *
try_create_folder (SyncTestFixture  *fixture,
                   const char       *parent,
                   const char       *leaf,
                   GError          **error)
{
  SyncTestWait wait = { 0 };
  char *name;

  heron_account_worker_create_folder_async (fixture->worker, parent, leaf, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "create");
  name = heron_account_worker_create_folder_finish (fixture->worker, wait.result, error);
  g_object_unref (wait.result);
  return name;
}

static char *
try_rename_folder (SyncTestFixture  *fixture,
                   const char       *folder,
                   const char       *parent,
                   const char       *leaf,
                   GError          **error)
{
  SyncTestWait wait = { 0 };
  char *name;

  heron_account_worker_rename_folder_async (fixture->worker, folder, parent, leaf, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "rename");
  name = heron_account_worker_rename_folder_finish (fixture->worker, wait.result, error);
  g_object_unref (wait.result);
  return name;
}

typedef enum { CREATE, RENAME, DELETE } FolderOp;

/* CREATE and RENAME: @parent (nullable) and @leaf name the new folder. */
static void
do_folder (SyncTestFixture *fixture,
           FolderOp         op,
           const char      *name,
           const char      *parent,
           const char      *leaf)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *made = NULL;
  SyncTestWait wait = { 0 };

  switch (op)
    {
    case CREATE:
      made = try_create_folder (fixture, parent, leaf, &error);
      g_assert_nonnull (made);
      break;
    case RENAME:
      made = try_rename_folder (fixture, name, parent, leaf, &error);
      g_assert_nonnull (made);
      break;
    case DELETE:
    default:
      heron_account_worker_delete_folder_async (fixture->worker, name, NULL, sync_test_on_done, &wait);
      sync_test_await (fixture, &wait, "delete folder");
      heron_account_worker_delete_folder_finish (fixture->worker, wait.result, &error);
      g_object_unref (wait.result);
      break;
    }
  g_assert_no_error (error);
}

/* Reading the server and the cache */

static guint32
deliver (SyncTestFixture *fixture,
         const char      *mailbox,
         const char      *id,
         const char      *flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = make_message (fixture->user, id);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  guint32 uid = heron_test_server_deliver (server, fixture->user, mailbox, bytes, flags, &error);

  g_assert_no_error (error);
  return uid;
}

static guint
count_on_server (SyncTestFixture *fixture,
                 const char      *mailbox,
                 const char      *id)
{
  g_autofree char *message_id = g_strdup_printf ("<%s@heron.test>", id);
  const char *argv[] = { "-f", "tab", "fetch", "-u", fixture->user, "uid", "mailbox", mailbox, "header",
                         "Message-ID", message_id, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)   /* line 0 is the header */
    if (lines[i][0] != '\0')
      n++;
  return n;
}

static gboolean
store_has_uid (SyncTestFixture *fixture,
               const char      *folder,
               gint64           uid)
{
  g_autoptr(GPtrArray) rows = sync_test_store_rows (fixture, folder);
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  gint64 server_uid = 0;

  for (guint i = 0; i < rows->len; i++)
    if (((HeronStoreMessage *) g_ptr_array_index (rows, i))->uid == uid)
      return TRUE;
  if (uid > 0 || rows->len == 0)
    return FALSE;

  /* a local UID also counts once the replay mapped it to the server's: online, the worker may
   * replay the operation before the test looks (it did under ASan) */
  reader = heron_store_reader_open (fixture->store_path, &error);
  g_assert_no_error (error);
  if (!heron_store_reader_resolve_uid (reader, ((HeronStoreMessage *) g_ptr_array_index (rows, 0))->folder_id,
                                       uid, &server_uid, &error))
    {
      g_clear_error (&error);
      return FALSE;
    }
  for (guint i = 0; i < rows->len && server_uid > 0; i++)
    if (((HeronStoreMessage *) g_ptr_array_index (rows, i))->uid == server_uid)
      return TRUE;
  return FALSE;
}

static guint
pending_operations (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_true (heron_store_reader_count_pending_operations (reader, &n, &error));
  g_assert_no_error (error);
  return n;
}

static gboolean
check_journal_empty (SyncTestFixture *fixture,
                     gconstpointer    data)
{
  return pending_operations (fixture) == 0;
}

static void
wait_replayed (SyncTestFixture *fixture)
{
  sync_test_wait_for (check_journal_empty, fixture, NULL, SYNC_TEST_WAIT_MS, "an empty journal");
}

static void
go_offline (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  guint mark = fixture->events->len;

  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (fixture, HERON_SYNC_STATE_OFFLINE, mark, SYNC_TEST_WAIT_MS);
}

static void
go_online (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  guint mark = fixture->events->len;

  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (fixture, HERON_SYNC_STATE_ONLINE, mark, SYNC_TEST_WAIT_MS);
}

static char *
server_folders (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) mailboxes = heron_test_server_list_mailboxes (server, fixture->user, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_assert_no_error (error);
  for (guint i = 0; mailboxes[i] != NULL; i++)
    g_ptr_array_add (names, mailboxes[i]);
  g_ptr_array_sort (names, sync_test_compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static char *
store_folders (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_assert_no_error (error);
  folders = heron_store_reader_get_folders (reader, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      if (!(folder->attributes & HERON_STORE_FOLDER_NONEXISTENT))
        g_ptr_array_add (names, folder->name);
    }
  g_ptr_array_sort (names, sync_test_compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

/* Tests: every operation, online and offline */

typedef enum {
  OP_MOVE,
  OP_COPY,
  OP_DELETE,
  OP_EXPUNGE,
  OP_APPEND,
  OP_FOLDERS,
} OpKind;

typedef struct {
  const char *user;
  OpKind      op;
  gboolean    offline;
  gboolean    ignore_move;
  gboolean    ignore_uidplus;
} Scenario;

static void
test_operation (gconstpointer data)
{
  const Scenario *scenario = data;
  SyncTestFixture fixture;
  guint32 uids[3];
  gint64 wanted[2];
  g_autofree char *state = NULL;
  g_autofree char *id1 = g_strdup_printf ("%s.1", scenario->user);
  g_autofree char *id2 = g_strdup_printf ("%s.2", scenario->user);
  g_autofree char *id3 = g_strdup_printf ("%s.3", scenario->user);
  guint32 marked = 0;

  fixture_init (&fixture, scenario->user);
  uids[0] = deliver (&fixture, "INBOX", id1, NULL);
  uids[1] = deliver (&fixture, "INBOX", id2, "\\Seen");
  uids[2] = deliver (&fixture, "INBOX", id3, NULL);
  if (scenario->ignore_uidplus)
    {
      /* The person marked another message \Deleted elsewhere: the fallback for UID EXPUNGE
       * must leave it alone. */
      g_autofree char *other = g_strdup_printf ("%s.other", scenario->user);
      marked = deliver (&fixture, "INBOX", other, "\\Deleted");
    }
  wanted[0] = uids[0];
  wanted[1] = uids[1];

  fixture_start_full (&fixture, scenario->ignore_move, scenario->ignore_uidplus);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");
  sync_test_sync_folder (&fixture, "Trash");
  sync_test_sync_folder (&fixture, "Drafts");
  if (scenario->offline)
    go_offline (&fixture);

  switch (scenario->op)
    {
    case OP_MOVE:
    case OP_COPY:
      {
        g_autoptr(GArray) locals = do_move (&fixture, "INBOX", wanted, 2, "Archive", scenario->op == OP_COPY);

        /* in the cache at once */
        g_assert_cmpuint (locals->len, ==, 2);
        g_assert_cmpint (g_array_index (locals, gint64, 0), <, 0);
        g_assert_true (store_has_uid (&fixture, "Archive", g_array_index (locals, gint64, 1)));
        g_assert_true (store_has_uid (&fixture, "INBOX", uids[0]) == (scenario->op == OP_COPY));
        g_assert_true (store_has_uid (&fixture, "INBOX", uids[2]));
      }
      break;
    case OP_DELETE:
      {
        g_autoptr(GArray) locals = do_delete (&fixture, "INBOX", wanted, 2);
        g_autoptr(GArray) none = NULL;
        gint64 in_trash;

        g_assert_cmpuint (locals->len, ==, 2);
        g_assert_false (store_has_uid (&fixture, "INBOX", uids[0]));
        g_assert_true (store_has_uid (&fixture, "Trash", g_array_index (locals, gint64, 0)));
        /* in the Trash, delete removes for good: offline a local message named by its local
         * UID (the replay resolves it), online the server's UID once the move is replayed */
        in_trash = g_array_index (locals, gint64, 1);
        if (!scenario->offline)
          {
            g_autoptr(GPtrArray) rows = NULL;

            wait_replayed (&fixture);
            rows = sync_test_store_rows (&fixture, "Trash");
            for (guint i = 0; i < rows->len; i++)
              {
                HeronStoreMessage *message = g_ptr_array_index (rows, i);
                if (g_str_has_suffix (message->subject, ".2"))
                  in_trash = message->uid;
              }
            g_assert_cmpint (in_trash, >, 0);
          }
        none = do_delete (&fixture, "Trash", &in_trash, 1);
        g_assert_cmpuint (none->len, ==, 0);
        g_assert_false (store_has_uid (&fixture, "Trash", in_trash));
      }
      break;
    case OP_EXPUNGE:
      do_expunge (&fixture, "INBOX", wanted, 2);
      g_assert_false (store_has_uid (&fixture, "INBOX", uids[0]));
      g_assert_false (store_has_uid (&fixture, "INBOX", uids[1]));
      break;
    case OP_APPEND:
      {
        g_autofree char *id = g_strdup_printf ("%s.draft", scenario->user);
        gint64 local = do_append (&fixture, "Drafts", id, HERON_STORE_FLAG_DRAFT | HERON_STORE_FLAG_SEEN);
        g_autoptr(GPtrArray) rows = NULL;

        g_assert_true (store_has_uid (&fixture, "Drafts", local));
        rows = sync_test_store_rows (&fixture, "Drafts");
        g_assert_cmpuint (rows->len, ==, 1);
        {
          g_autofree char *subject = g_strdup_printf ("Message %s", id);
          g_assert_cmpstr (((HeronStoreMessage *) g_ptr_array_index (rows, 0))->subject, ==, subject);
        }
        g_assert_true (((HeronStoreMessage *) g_ptr_array_index (rows, 0))->body_local);
      }
      break;
    case OP_FOLDERS:
    default:
      do_folder (&fixture, CREATE, NULL, NULL, "Projects");
      do_folder (&fixture, CREATE, NULL, "Projects", "Heron");
      do_folder (&fixture, CREATE, NULL, NULL, "Doomed");
      do_folder (&fixture, RENAME, "Projects", NULL, "Work");
      do_folder (&fixture, DELETE, "Doomed", NULL, NULL);
      state = store_folders (&fixture);
      g_assert_nonnull (strstr (state, "Work,Work/Heron"));
      g_assert_null (strstr (state, "Projects"));
      g_assert_null (strstr (state, "Doomed"));
      g_clear_pointer (&state, g_free);
      break;
    }

  if (scenario->offline)
    {
      g_assert_cmpuint (pending_operations (&fixture), >, 0);
      go_online (&fixture);
    }
  wait_replayed (&fixture);

  /* Without a sync: the server equals the cache, local UIDs now the server's */
  switch (scenario->op)
    {
    case OP_MOVE:
      sync_test_assert_store_equals_server (&fixture, "INBOX");
      sync_test_assert_store_equals_server (&fixture, "Archive");
      g_assert_cmpuint (count_on_server (&fixture, "INBOX", id1), ==, 0);
      g_assert_cmpuint (count_on_server (&fixture, "Archive", id1), ==, 1);
      g_assert_cmpuint (count_on_server (&fixture, "Archive", id2), ==, 1);
      break;
    case OP_COPY:
      sync_test_assert_store_equals_server (&fixture, "INBOX");
      sync_test_assert_store_equals_server (&fixture, "Archive");
      g_assert_cmpuint (count_on_server (&fixture, "INBOX", id1), ==, 1);
      g_assert_cmpuint (count_on_server (&fixture, "Archive", id1), ==, 1);
      break;
    case OP_DELETE:
      sync_test_assert_store_equals_server (&fixture, "INBOX");
      sync_test_assert_store_equals_server (&fixture, "Trash");
      g_assert_cmpuint (count_on_server (&fixture, "Trash", id1), ==, 1);
      g_assert_cmpuint (count_on_server (&fixture, "Trash", id2), ==, 0);
      g_assert_cmpuint (count_on_server (&fixture, "INBOX", id2), ==, 0);
      break;
    case OP_EXPUNGE:
      sync_test_assert_store_equals_server (&fixture, "INBOX");
      g_assert_cmpuint (count_on_server (&fixture, "INBOX", id1), ==, 0);
      g_assert_cmpuint (count_on_server (&fixture, "INBOX", id3), ==, 1);
      break;
    case OP_APPEND:
      {
        g_autofree char *id = g_strdup_printf ("%s.draft", scenario->user);

        sync_test_assert_store_equals_server (&fixture, "Drafts");
        g_assert_cmpuint (count_on_server (&fixture, "Drafts", id), ==, 1);
      }
      break;
    case OP_FOLDERS:
    default:
      {
        g_autofree char *on_server = server_folders (&fixture);
        g_autofree char *in_store = store_folders (&fixture);

        g_assert_cmpstr (in_store, ==, on_server);
        g_assert_nonnull (strstr (on_server, "Work,Work/Heron"));
        /* and the folder list sync agrees */
        sync_test_sync_folders (&fixture);
        g_free (in_store);
        in_store = store_folders (&fixture);
        g_assert_cmpstr (in_store, ==, on_server);
      }
      break;
    }

  if (marked != 0)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) flags = heron_test_server_get_flags (server, fixture.user, "INBOX", marked, &error);

      g_assert_no_error (error);
      g_assert_true (g_strv_contains ((const char * const *) flags, "\\Deleted"));
    }

  /* a sync changes nothing any more */
  if (scenario->op != OP_FOLDERS)
    {
      g_autofree char *before = sync_test_store_state (&fixture, "INBOX");
      g_autofree char *after = NULL;

      sync_test_sync_folder (&fixture, "INBOX");
      after = sync_test_store_state (&fixture, "INBOX");
      g_assert_cmpstr (after, ==, before);
    }
  sync_test_fixture_clear (&fixture);
}

/* New folder names: the worker writes the server's form (the parent's delimiter; modified UTF-7
 * on Dovecot 2.3, which has no UTF8=ACCEPT), refuses what the server cannot take, and offline
 * keeps the form the last login found. */

static gboolean
check_server_has_mailbox (SyncTestFixture *fixture,
                          gconstpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) mailboxes = heron_test_server_list_mailboxes (server, fixture->user, &error);

  g_assert_no_error (error);
  return g_strv_contains ((const char * const *) mailboxes, data);
}

static char *
store_display_name (SyncTestFixture *fixture,
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
        return g_strdup (folder->display_name);
    }
  return NULL;
}

static void
test_folder_names (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *uber = NULL;
  g_autofree char *child = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *display = NULL;
  g_autofree char *offline = NULL;

  fixture_init (&fixture, "names");
  fixture_start (&fixture);
  sync_test_sync_folders (&fixture);

  /* every cached name is ASCII: still the server's form, not a guess from the names */
  uber = try_create_folder (&fixture, NULL, "Über", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uber, ==, "&ANw-ber");
  display = store_display_name (&fixture, uber);
  g_assert_cmpstr (display, ==, "Über");
  child = try_create_folder (&fixture, uber, "Ärger & Co", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (child, ==, "&ANw-ber/&AMQ-rger &- Co");
  g_clear_pointer (&display, g_free);
  display = store_display_name (&fixture, child);
  g_assert_cmpstr (display, ==, "Über/Ärger & Co");
  wait_replayed (&fixture);
  sync_test_wait_for (check_server_has_mailbox, &fixture, "Über/Ärger & Co", SYNC_TEST_WAIT_MS,
                      "Über/Ärger & Co on the server");

  /* what the server cannot take, or what is not there */
  g_assert_null (try_create_folder (&fixture, NULL, "a/b", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (try_create_folder (&fixture, uber, "50%", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (try_create_folder (&fixture, NULL, "", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (try_create_folder (&fixture, "Nowhere", "x", &error));
  g_assert_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (try_create_folder (&fixture, NULL, "Über", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (try_rename_folder (&fixture, uber, child, "Loop", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* a rename and a move in one, into the server's form */
  renamed = try_rename_folder (&fixture, child, NULL, "Fröhlich", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (renamed, ==, "Fr&APY-hlich");
  wait_replayed (&fixture);
  sync_test_wait_for (check_server_has_mailbox, &fixture, "Fröhlich", SYNC_TEST_WAIT_MS, "Fröhlich on the server");

  /* offline, the form the last login found (kept in the cache): UTF-8 here */
  sync_test_fixture_stop (&fixture);
  {
    g_autoptr(HeronStore) store = heron_store_open (fixture.store_path, &error);

    g_assert_no_error (error);
    g_assert_false (heron_store_get_utf8_names (store));
    g_assert_true (heron_store_set_utf8_names (store, TRUE, &error));
    g_assert_no_error (error);
    g_assert_true (heron_store_get_utf8_names (store));
  }
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  sync_test_fixture_start_worker (&fixture, new_worker (heron_test_server_get_host (server),
                                                        heron_test_server_get_imap_port (server),
                                                        heron_test_server_get_ca_file (server), fixture.user,
                                                        fixture.password, fixture.store_path, FALSE, FALSE));
  offline = try_create_folder (&fixture, NULL, "Ça", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (offline, ==, "Ça");
  g_clear_pointer (&display, g_free);
  display = store_display_name (&fixture, offline);
  g_assert_cmpstr (display, ==, "Ça");
  sync_test_fixture_clear (&fixture);
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
}

/* A NO from the server: FAILED, an ERROR event with the entry's seq; discard undoes it. */

static gboolean
check_server_has_no_mailbox (SyncTestFixture *fixture,
                             gconstpointer    data)
{
  g_autofree char *folders = server_folders (fixture);
  return strstr (folders, data) == NULL;
}

static void
test_refused (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) locals = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  gint64 uid64;
  gint64 seq;
  guint mark;

  fixture_init (&fixture, "refused");
  uid = deliver (&fixture, "INBOX", "refused.1", "\\Flagged");
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Gone", &error));
  g_assert_no_error (error);
  fixture_start (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folders (&fixture);

  /* behind the client's back */
  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Gone", &error));
  g_assert_no_error (error);
  sync_test_wait_for (check_server_has_no_mailbox, &fixture, "Gone", SYNC_TEST_WAIT_MS, "Gone deleted");

  mark = fixture.events->len;
  uid64 = uid;
  locals = do_move (&fixture, "INBOX", &uid64, 1, "Gone", FALSE);
  g_assert_false (store_has_uid (&fixture, "INBOX", uid));
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (event->seq, >, 0);
  g_assert_cmpstr (event->folder, ==, "INBOX");
  seq = event->seq;
  g_assert_cmpuint (pending_operations (&fixture), ==, 0);  /* FAILED waits for the person */

  /* retrying fails the same way, with a new event */
  mark = fixture.events->len;
  heron_account_worker_retry_operation (fixture.worker, seq);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (event->seq, ==, seq);

  /* giving up: the message is back in INBOX after the sync the worker starts */
  mark = fixture.events->len;
  heron_account_worker_discard_operation (fixture.worker, seq);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, NULL, mark, SYNC_TEST_WAIT_MS);
  sync_test_sync_folder (&fixture, "INBOX");
  g_assert_true (store_has_uid (&fixture, "INBOX", uid));
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  {
    g_autoptr(HeronStore) store = NULL;
    g_autoptr(GPtrArray) ops = NULL;

    sync_test_fixture_stop (&fixture);
    store = heron_store_open (fixture.store_path, &error);
    g_assert_no_error (error);
    ops = heron_store_journal_list (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ops->len, ==, 0);
  }
  sync_test_fixture_clear (&fixture);
}

/* A move refused (its destination was deleted behind the client's back), then its source folder
 * renamed (the rename goes through), then the move discarded: the message is back in the folder
 * under its new name, with its flag, after the sync the discard starts there (an incremental
 * sync alone would never bring it back: the server did not change it). */
static void
test_discard_after_rename (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) locals = NULL;
  g_autofree char *renamed = NULL;
  HeronSyncEvent *event;
  guint32 uid;
  gint64 uid64, seq;
  guint mark;

  fixture_init (&fixture, "renamediscard");
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Work", &error));
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Gone", &error));
  g_assert_no_error (error);
  uid = deliver (&fixture, "Work", "renamediscard.1", "\\Flagged");
  deliver (&fixture, "Work", "renamediscard.2", NULL);
  fixture_start (&fixture);
  sync_test_sync_folders (&fixture);
  sync_test_sync_folder (&fixture, "Work");
  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Gone", &error));
  g_assert_no_error (error);
  sync_test_wait_for (check_server_has_no_mailbox, &fixture, "Gone", SYNC_TEST_WAIT_MS, "Gone deleted");

  mark = fixture.events->len;
  uid64 = uid;
  locals = do_move (&fixture, "Work", &uid64, 1, "Gone", FALSE);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  seq = event->seq;
  g_assert_cmpint (seq, >, 0);

  /* the refused move does not hold the rename of its source folder */
  renamed = try_rename_folder (&fixture, "Work", NULL, "Done", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (renamed, ==, "Done");
  wait_replayed (&fixture);
  g_assert_true (check_server_has_no_mailbox (&fixture, "Work"));
  g_assert_false (store_has_uid (&fixture, "Done", uid));

  mark = fixture.events->len;
  heron_account_worker_discard_operation (fixture.worker, seq);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "Done", mark, SYNC_TEST_WAIT_MS);
  sync_test_sync_folder (&fixture, "Done");
  g_assert_true (store_has_uid (&fixture, "Done", uid));
  sync_test_assert_store_equals_server (&fixture, "Done");
  {
    g_autoptr(HeronStore) store = NULL;
    g_autoptr(GPtrArray) ops = NULL;

    sync_test_fixture_stop (&fixture);
    store = heron_store_open (fixture.store_path, &error);
    g_assert_no_error (error);
    ops = heron_store_journal_list (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ops->len, ==, 0);
  }
  sync_test_fixture_clear (&fixture);
}

/* Entries that depend on a FAILED one are held (docs/sync.md, "Held entries"). */

typedef struct {
  const char *mailbox;
  guint32     uid;
  const char *flag;
} ServerFlag;

/* The server's message @uid in @mailbox carries @flag. */
static gboolean
check_server_flag (SyncTestFixture *fixture,
                   gconstpointer    data)
{
  const ServerFlag *wanted = data;
  g_autofree char *state = sync_test_server_state (fixture, wanted->mailbox);
  g_autofree char *prefix = g_strdup_printf ("%u ", wanted->uid);
  g_auto(GStrv) lines = g_strsplit (state, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_autofree char *flags = g_strndup (lines[i], strcspn (lines[i], "|"));
        return strstr (flags, wanted->flag) != NULL;
      }
  return FALSE;
}

static gboolean
check_store_has_uid (SyncTestFixture *fixture,
                     gconstpointer    data)
{
  const ServerFlag *wanted = data;
  return store_has_uid (fixture, wanted->mailbox, wanted->uid);
}

/* The seqs of the journal's entries, and which of them are held (the worker stopped). */
static void
journal_entries (SyncTestFixture *fixture,
                 GPtrArray      **out_ops,
                 GArray         **out_held)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStore) store = heron_store_open (fixture->store_path, &error);

  g_assert_no_error (error);
  *out_ops = heron_store_journal_list (store, &error);
  g_assert_no_error (error);
  *out_held = heron_store_journal_list_held (store, &error);
  g_assert_no_error (error);
  heron_store_close (store);
}

static gboolean
check_pending_is (SyncTestFixture *fixture,
                  gconstpointer    data)
{
  return pending_operations (fixture) == GPOINTER_TO_UINT (data);
}

/* A folder made offline that the server refuses ("~" starts no Dovecot name), a message moved
 * into it and flagged there, and a flag change elsewhere: the create fails, the move and the
 * flag change wait behind it (never sent), the independent flag change goes through. Discarding
 * the create gives up what was made on it: the message is back in INBOX, nothing is lost on
 * the server, the journal is empty. */
static void
test_held_discarded (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) locals = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GArray) held = NULL;
  g_autofree char *made = NULL;
  g_autofree char *folders = NULL;
  HeronSyncEvent *event;
  ServerFlag seen;
  guint32 uid_a, uid_b;
  gint64 uid64, seq_create;
  guint mark;

  fixture_init (&fixture, "helddiscard");
  uid_a = deliver (&fixture, "INBOX", "held.a", NULL);
  uid_b = deliver (&fixture, "INBOX", "held.b", NULL);
  fixture_start (&fixture);
  sync_test_sync_folders (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");

  go_offline (&fixture);
  made = try_create_folder (&fixture, NULL, "~Held", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (made, ==, "~Held");
  uid64 = uid_a;
  locals = do_move (&fixture, "INBOX", &uid64, 1, made, FALSE);
  g_assert_cmpuint (locals->len, ==, 1);
  sync_test_set_flags (&fixture, made, g_array_index (locals, gint64, 0), HERON_STORE_FLAG_FLAGGED, 0);
  sync_test_set_flags (&fixture, "INBOX", uid_b, HERON_STORE_FLAG_SEEN, 0);
  g_assert_cmpuint (pending_operations (&fixture), ==, 4);

  mark = fixture.events->len;
  go_online (&fixture);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  g_assert_cmpint (event->seq, >, 0);
  g_assert_cmpstr (event->folder, ==, "~Held");
  seq_create = event->seq;
  /* the independent change reached the server; it came after the held ones in the journal */
  seen = (ServerFlag) { "INBOX", uid_b, "\\Seen" };
  sync_test_wait_for (check_server_flag, &fixture, &seen, SYNC_TEST_WAIT_MS, "B \\Seen on the server");
  sync_test_wait_for (check_pending_is, &fixture, GUINT_TO_POINTER (2), SYNC_TEST_WAIT_MS,
                      "two entries pending");
  /* the move was not sent: A is still in INBOX, once, and no other error came */
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "held.a"), ==, 1);
  for (guint i = mark; i < fixture.events->len; i++)
    {
      HeronSyncEvent *other = g_ptr_array_index (fixture.events, i);
      g_assert_true (other->kind != HERON_SYNC_EVENT_ERROR || other->seq == seq_create);
    }
  folders = server_folders (&fixture);
  g_assert_null (strstr (folders, "Held"));

  /* still held after another replay (a new operation queues one) */
  sync_test_set_flags (&fixture, "INBOX", uid_b, HERON_STORE_FLAG_ANSWERED, 0);
  seen = (ServerFlag) { "INBOX", uid_b, "\\Answered" };
  sync_test_wait_for (check_server_flag, &fixture, &seen, SYNC_TEST_WAIT_MS, "B \\Answered on the server");
  sync_test_wait_for (check_pending_is, &fixture, GUINT_TO_POINTER (2), SYNC_TEST_WAIT_MS,
                      "two entries pending");
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "held.a"), ==, 1);

  sync_test_fixture_stop (&fixture);
  journal_entries (&fixture, &ops, &held);
  g_assert_cmpuint (ops->len, ==, 3);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[0])->seq, ==, seq_create);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[0])->state, ==, HERON_STORE_OP_FAILED);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[1])->kind, ==, HERON_STORE_OP_MOVE);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[1])->state, ==, HERON_STORE_OP_PENDING);
  g_assert_cmpuint (((HeronStoreOperation *) ops->pdata[1])->attempts, ==, 0);
  g_assert_cmpint (((HeronStoreOperation *) ops->pdata[2])->kind, ==, HERON_STORE_OP_ADD_FLAGS);
  g_assert_cmpuint (((HeronStoreOperation *) ops->pdata[2])->attempts, ==, 0);
  g_assert_cmpuint (held->len, ==, 2);
  g_assert_cmpint (g_array_index (held, gint64, 0), ==, ((HeronStoreOperation *) ops->pdata[1])->seq);
  g_assert_cmpint (g_array_index (held, gint64, 1), ==, ((HeronStoreOperation *) ops->pdata[2])->seq);

  /* giving the create up gives up the move and the flag change made on it: A is back in INBOX
   * under its UID at once, the journal is empty, the folder goes with the next list */
  fixture_start (&fixture);
  mark = fixture.events->len;
  heron_account_worker_discard_operation (fixture.worker, seq_create);
  sync_test_wait_for (check_pending_is, &fixture, GUINT_TO_POINTER (0), SYNC_TEST_WAIT_MS, "an empty journal");
  /* (the folder list sync after reconnecting dropped the refused folder with the local row in
   * it: the message comes back from the server, with the sync the discard starts) */
  sync_test_wait_for (check_store_has_uid, &fixture, &(ServerFlag) { "INBOX", uid_a, NULL },
                      SYNC_TEST_WAIT_MS, "A back in INBOX");
  sync_test_sync_folders (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "held.a"), ==, 1);
  g_clear_pointer (&folders, g_free);
  folders = store_folders (&fixture);
  g_assert_null (strstr (folders, "Held"));
  for (guint i = mark; i < fixture.events->len; i++)
    g_assert_true (((HeronSyncEvent *) g_ptr_array_index (fixture.events, i))->kind != HERON_SYNC_EVENT_ERROR);

  sync_test_fixture_stop (&fixture);
  g_clear_pointer (&ops, g_ptr_array_unref);
  g_clear_pointer (&held, g_array_unref);
  journal_entries (&fixture, &ops, &held);
  g_assert_cmpuint (ops->len, ==, 0);
  sync_test_fixture_clear (&fixture);
}

/* A move refused (its folder was deleted behind the client's back) and a flag change of the
 * moved message: the flag change waits; once the folder is back, retrying the move replays
 * both, in order: the message is in the folder with the flag. */
static void
test_held_retried (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) locals = NULL;
  HeronSyncEvent *event;
  ServerFlag flagged;
  guint32 uid, uid_other, moved;
  gint64 uid64, seq;
  guint mark;

  fixture_init (&fixture, "heldretry");
  uid = deliver (&fixture, "INBOX", "retry.a", NULL);
  uid_other = deliver (&fixture, "INBOX", "retry.b", NULL);
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Later", &error));
  g_assert_no_error (error);
  fixture_start (&fixture);
  sync_test_sync_folders (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  g_assert_true (heron_test_server_delete_mailbox (server, fixture.user, "Later", &error));
  g_assert_no_error (error);
  sync_test_wait_for (check_server_has_no_mailbox, &fixture, "Later", SYNC_TEST_WAIT_MS, "Later deleted");

  go_offline (&fixture);
  uid64 = uid;
  locals = do_move (&fixture, "INBOX", &uid64, 1, "Later", FALSE);
  sync_test_set_flags (&fixture, "Later", g_array_index (locals, gint64, 0), HERON_STORE_FLAG_FLAGGED, 0);
  sync_test_set_flags (&fixture, "INBOX", uid_other, HERON_STORE_FLAG_FLAGGED, 0);

  mark = fixture.events->len;
  go_online (&fixture);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  seq = event->seq;
  g_assert_cmpint (seq, >, 0);
  flagged = (ServerFlag) { "INBOX", uid_other, "\\Flagged" };
  sync_test_wait_for (check_server_flag, &fixture, &flagged, SYNC_TEST_WAIT_MS, "the other message flagged");
  sync_test_wait_for (check_pending_is, &fixture, GUINT_TO_POINTER (1), SYNC_TEST_WAIT_MS, "one entry pending");
  /* the held flag change was not sent to the message where it still is */
  flagged = (ServerFlag) { "INBOX", uid, "\\Flagged" };
  g_assert_false (check_server_flag (&fixture, &flagged));

  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Later", &error));
  g_assert_no_error (error);
  mark = fixture.events->len;
  heron_account_worker_retry_operation (fixture.worker, seq);
  wait_replayed (&fixture);
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "retry.a"), ==, 0);
  g_assert_cmpuint (count_on_server (&fixture, "Later", "retry.a"), ==, 1);
  moved = heron_test_server_find_message (server, fixture.user, "Later", "<retry.a@heron.test>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (moved, >, 0);
  flagged = (ServerFlag) { "Later", moved, "\\Flagged" };
  g_assert_true (check_server_flag (&fixture, &flagged));
  for (guint i = mark; i < fixture.events->len; i++)
    g_assert_true (((HeronSyncEvent *) g_ptr_array_index (fixture.events, i))->kind != HERON_SYNC_EVENT_ERROR);
  sync_test_sync_folder (&fixture, "Later");
  sync_test_assert_store_equals_server (&fixture, "Later");
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  sync_test_fixture_clear (&fixture);
}

/* Address completion knows whom the person wrote to: a message sent through the outbox (the
 * harness's Postfix) and filed in Sent gives its recipient, with the name it was written with,
 * to completion from the cache. */

static gboolean
check_completes (SyncTestFixture *fixture,
                 gconstpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  g_autoptr(GPtrArray) found = NULL;

  g_assert_no_error (error);
  found = heron_store_reader_complete_addresses (reader, data, 0, &error);
  g_assert_no_error (error);
  return found->len > 0;
}

static gboolean
check_sent_copy (SyncTestFixture *fixture,
                 gconstpointer    data)
{
  return count_on_server (fixture, "Sent", data) > 0;
}

static void
test_sent_recipients_complete (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *text = NULL;
  HeronAccountWorkerOptions options;
  SyncTestWait wait = { 0 };
  const HeronStoreAddress *address;

  fixture_init (&fixture, "writer");
  config = sync_test_config_new (heron_test_server_get_host (server), heron_test_server_get_imap_port (server),
                                 heron_test_server_get_ca_file (server), fixture.user);
  sync_test_set_server (heron_account_config_get_smtp (config), heron_test_server_get_host (server),
                        heron_test_server_get_smtp_port (server), heron_test_server_get_ca_file (server),
                        fixture.user);
  sync_test_options_init (&options, fixture.store_path, fixture.password);
  options.idle = FALSE;
  sync_test_fixture_start (&fixture, config, &options);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folders (&fixture);
  g_assert_false (check_completes (&fixture, "quentin"));

  text = g_strdup_printf ("From: Writer <%s>\r\n"
                          "To: Quentin Reader <reader@" HERON_TEST_SERVER_DOMAIN ">\r\n"
                          "Subject: Completion\r\n"
                          "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
                          "Message-ID: <complete-1@heron.test>\r\n"
                          "\r\n"
                          "Hello.\r\n", fixture.user);
  message = g_bytes_new (text, strlen (text));
  heron_account_worker_send_async (fixture.worker, message, NULL, sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "send");
  g_assert_true (heron_account_worker_send_finish (fixture.worker, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);

  {
    SyncTestEventWait sent = { HERON_SYNC_EVENT_SENT, NULL, 0, "complete-1@heron.test" };
    HeronSyncEvent *event = sync_test_wait_event_full (&fixture, &sent, SYNC_TEST_WAIT_MS);

    g_assert_null (event->error);
  }
  /* the copy in Sent: SENT comes before the next outbox run journals it, so an empty journal
   * alone says nothing yet */
  sync_test_wait_for (check_sent_copy, &fixture, "complete-1", SYNC_TEST_WAIT_MS, "the copy in Sent");
  wait_replayed (&fixture);
  g_assert_cmpuint (count_on_server (&fixture, "Sent", "complete-1"), ==, 1);
  sync_test_sync_folder (&fixture, "Sent");

  reader = heron_store_reader_open (fixture.store_path, &error);
  g_assert_no_error (error);
  found = heron_store_reader_complete_addresses (reader, "quen", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  address = g_ptr_array_index (found, 0);
  g_assert_cmpstr (address->address, ==, "reader@" HERON_TEST_SERVER_DOMAIN);
  g_assert_cmpstr (address->name, ==, "Quentin Reader");
  g_assert_cmpuint (address->sent, ==, 1);   /* the outbox entry left; the copy in Sent stays */
  g_clear_pointer (&found, g_ptr_array_unref);
  found = heron_store_reader_complete_addresses (reader, "reader@", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  sync_test_fixture_clear (&fixture);
}

/* A discarded flag change: the server's flags come back. */
static void
test_pending_flags_survive_sync (void)
{
  SyncTestFixture fixture;
  guint32 uid;
  g_autofree char *state = NULL;
  g_autofree char *expected = NULL;

  fixture_init (&fixture, "pending");
  uid = deliver (&fixture, "INBOX", "pending.1", NULL);
  fixture_start (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");

  /* offline: the flag waits in the journal; a change from elsewhere arrives meanwhile */
  go_offline (&fixture);
  sync_test_set_flags (&fixture, "INBOX", uid, HERON_STORE_FLAG_FLAGGED, 0);
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (heron_test_server_add_flags (server, fixture.user, "INBOX", uid, "\\Seen $Work", &error));
    g_assert_no_error (error);
  }
  sync_test_fixture_stop (&fixture);

  /* a worker that syncs before it replays (the journal is replayed first on connect, so the
   * cache's writer is asked directly, as a sync would) */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HeronStore) store = heron_store_open (fixture.store_path, &error);
    g_autoptr(HeronStoreFolder) inbox = NULL;
    HeronStoreFlagUpdate update = { uid, HERON_STORE_FLAG_SEEN, "$Work", 0 };

    g_assert_no_error (error);
    inbox = heron_store_lookup_folder (store, "INBOX", &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_update_flags (store, inbox->id, &update, 1, &error));
    g_assert_no_error (error);
    heron_store_close (store);
  }
  state = sync_test_store_state (&fixture, "INBOX");
  expected = g_strdup_printf ("%u $Work \\Flagged \\Seen | Message pending.1\n", uid);
  g_assert_cmpstr (state, ==, expected);

  {
    g_autoptr(GError) error = NULL;
    g_assert_true (heron_test_server_start_imap (server, &error));
    g_assert_no_error (error);
  }
  fixture_start (&fixture);
  wait_replayed (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  g_free (state);
  state = sync_test_store_state (&fixture, "INBOX");
  g_assert_cmpstr (state, ==, expected);
  sync_test_fixture_clear (&fixture);
}

/* Crash replay: entries left IN_PROGRESS whose effect the server already has (wholly or in
 * part) are not applied twice. */
static void
test_crash_replay (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  guint32 uid1, uid2, uid3;

  fixture_init (&fixture, "crash");
  uid1 = deliver (&fixture, "INBOX", "crash.1", NULL);
  uid2 = deliver (&fixture, "INBOX", "crash.2", NULL);
  uid3 = deliver (&fixture, "INBOX", "crash.3", NULL);
  fixture_start (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");
  sync_test_sync_folder (&fixture, "Drafts");
  sync_test_fixture_stop (&fixture);

  /* The journal as a crash right after sending each command leaves it */
  {
    g_autoptr(HeronStore) store = heron_store_open (fixture.store_path, &error);
    g_autoptr(HeronStoreFolder) inbox = NULL;
    g_autoptr(HeronStoreFolder) archive = NULL;
    g_autoptr(HeronStoreFolder) drafts = NULL;
    g_autoptr(HeronStoreSourceWriter) writer = NULL;
    g_autoptr(HeronStoreMessage) summary = heron_store_message_new ();
    g_autofree char *text = make_message (fixture.user, "crash.draft");
    gint64 uid, seq;

    g_assert_no_error (error);
    inbox = heron_store_lookup_folder (store, "INBOX", &error);
    archive = heron_store_lookup_folder (store, "Archive", &error);
    drafts = heron_store_lookup_folder (store, "Drafts", &error);
    g_assert_no_error (error);

    /* a move that reached the server */
    uid = uid1;
    seq = heron_store_op_move (store, inbox->id, &uid, 1, archive->id, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_journal_start (store, seq, &error));
    /* a move by COPY + STORE + EXPUNGE cut after the COPY */
    uid = uid2;
    seq = heron_store_op_move (store, inbox->id, &uid, 1, archive->id, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_journal_start (store, seq, &error));
    /* a copy that did not reach it */
    uid = uid3;
    seq = heron_store_op_copy (store, inbox->id, &uid, 1, archive->id, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_journal_start (store, seq, &error));
    /* an append that reached it */
    writer = heron_store_source_writer_new (store, &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_source_writer_write (writer, text, strlen (text), &error));
    g_assert_true (heron_store_source_writer_close (writer, &error));
    summary->subject = g_strdup ("Message crash.draft");
    summary->message_id = g_strdup ("crash.draft@heron.test");
    summary->flags = HERON_STORE_FLAG_SEEN | HERON_STORE_FLAG_DRAFT;
    seq = heron_store_op_append (store, drafts->id, summary, writer, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (heron_store_journal_start (store, seq, &error));
    heron_store_close (store);
  }
  g_assert_true (heron_test_server_move (server, fixture.user, "INBOX", uid1, "Archive", NULL, &error));
  g_assert_no_error (error);
  deliver (&fixture, "Archive", "crash.2", NULL);
  deliver (&fixture, "Drafts", "crash.draft", "\\Seen \\Draft");

  fixture_start (&fixture);
  wait_replayed (&fixture);

  g_assert_cmpuint (count_on_server (&fixture, "Archive", "crash.1"), ==, 1);
  g_assert_cmpuint (count_on_server (&fixture, "Archive", "crash.2"), ==, 1);
  g_assert_cmpuint (count_on_server (&fixture, "Archive", "crash.3"), ==, 1);
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "crash.1"), ==, 0);
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "crash.2"), ==, 0);
  g_assert_cmpuint (count_on_server (&fixture, "INBOX", "crash.3"), ==, 1);
  g_assert_cmpuint (count_on_server (&fixture, "Drafts", "crash.draft"), ==, 1);
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "Archive");
  sync_test_assert_store_equals_server (&fixture, "Drafts");
  sync_test_fixture_clear (&fixture);
}

/* Two clients: the worker's operations while another client changes the same folders. */
static void
test_two_clients (void)
{
  SyncTestFixture fixture;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  g_autoptr(GError) error = NULL;
  guint n_delivered = 0;

  fixture_init (&fixture, "two");
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *id = g_strdup_printf ("two.%u", n_delivered++);
      deliver (&fixture, "INBOX", id, NULL);
    }
  fixture_start (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");
  sync_test_sync_folder (&fixture, "Trash");

  for (guint round = 0; round < 40; round++)
    {
      g_autoptr(GPtrArray) rows = sync_test_store_rows (&fixture, "INBOX");
      g_autoptr(GArray) on_server = heron_test_server_list_uids (server, fixture.user, "INBOX", &error);
      gint64 uid = 0;

      g_assert_no_error (error);
      for (guint tries = 0; rows->len > 0 && tries < 10 && uid <= 0; tries++)
        uid = ((HeronStoreMessage *) g_ptr_array_index (rows, g_rand_int_range (rand, 0, rows->len)))->uid;

      /* the worker */
      if (uid > 0)
        switch (g_rand_int_range (rand, 0, 6))
          {
          case 0:
            sync_test_set_flags (&fixture, "INBOX", uid, HERON_STORE_FLAG_FLAGGED | HERON_STORE_FLAG_SEEN, 0);
            break;
          case 1:
            sync_test_set_flags (&fixture, "INBOX", uid, 0, HERON_STORE_FLAG_SEEN);
            break;
          case 2:
            g_array_unref (do_move (&fixture, "INBOX", &uid, 1, "Archive", FALSE));
            break;
          case 3:
            g_array_unref (do_move (&fixture, "INBOX", &uid, 1, "Archive", TRUE));
            break;
          case 4:
            g_array_unref (do_delete (&fixture, "INBOX", &uid, 1));
            break;
          default:
            do_expunge (&fixture, "INBOX", &uid, 1);
            break;
          }

      /* the other client */
      if (on_server->len > 0)
        {
          guint32 theirs = g_array_index (on_server, guint32, g_rand_int_range (rand, 0, on_server->len));
          g_autoptr(GError) ignored = NULL;

          /* the message may be gone already: any failure is that */
          switch (g_rand_int_range (rand, 0, 5))
            {
            case 0:
              heron_test_server_add_flags (server, fixture.user, "INBOX", theirs, "\\Answered $Other", &ignored);
              break;
            case 1:
              heron_test_server_remove_flags (server, fixture.user, "INBOX", theirs, "\\Seen", &ignored);
              break;
            case 2:
              heron_test_server_expunge (server, fixture.user, "INBOX", theirs, &ignored);
              break;
            case 3:
              heron_test_server_move (server, fixture.user, "INBOX", theirs, "Archive", NULL, &ignored);
              break;
            default:
              {
                g_autofree char *id = g_strdup_printf ("two.%u", n_delivered++);
                deliver (&fixture, "INBOX", id, NULL);
              }
              break;
            }
        }
    }

  wait_replayed (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");
  sync_test_sync_folder (&fixture, "Trash");
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "Archive");
  sync_test_assert_store_equals_server (&fixture, "Trash");
  sync_test_fixture_clear (&fixture);
}

/* kill -9 in the middle of a replay */

#define KILL_MOVES 25
#define KILL_COPIES 10
#define KILL_APPENDS 15

static void
on_child_event (HeronAccountWorker *worker,
                HeronSyncEvent     *event,
                gpointer            user_data)
{
  if (event->kind == HERON_SYNC_EVENT_MESSAGES_ADDED || event->kind == HERON_SYNC_EVENT_MESSAGES_CHANGED ||
      event->kind == HERON_SYNC_EVENT_MESSAGES_REMOVED)
    {
      printf ("%s %s\n", heron_sync_event_kind_to_string (event->kind), event->folder);
      fflush (stdout);
    }
}

static int
child_main (int    argc,
            char **argv)
{
  /* --child host port ca-file user password store-path */
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  if (argc != 8)
    return 2;
  worker = new_worker (argv[2], (guint16) atoi (argv[3]), argv[4], argv[5], argv[6], argv[7], FALSE, FALSE);
  g_signal_connect (worker, "event", G_CALLBACK (on_child_event), NULL);
  heron_account_worker_start (worker);
  g_main_loop_run (loop);  /* until killed */
  return 0;
}

static void
test_kill9 (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port = NULL;
  guint pending_after_kill;

  fixture_init (&fixture, "killnine");
  for (guint i = 0; i < KILL_MOVES + KILL_COPIES; i++)
    {
      g_autofree char *id = g_strdup_printf ("kill.%u", i);
      deliver (&fixture, "INBOX", id, NULL);
    }
  fixture_start (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");
  sync_test_sync_folder (&fixture, "Drafts");

  /* offline, a queue of operations, one entry each */
  go_offline (&fixture);
  {
    g_autoptr(GPtrArray) rows = sync_test_store_rows (&fixture, "INBOX");

    g_assert_cmpuint (rows->len, ==, KILL_MOVES + KILL_COPIES);
    for (guint i = 0; i < rows->len; i++)
      {
        HeronStoreMessage *message = g_ptr_array_index (rows, i);
        guint n = (guint) g_ascii_strtoull (message->subject + strlen ("Message kill."), NULL, 10);

        g_autoptr(GArray) locals = do_move (&fixture, "INBOX", &message->uid, 1, "Archive", n >= KILL_MOVES);

        /* a moved message is named by its local UID until the replay numbers it */
        if (n >= KILL_MOVES)
          sync_test_set_flags (&fixture, "INBOX", message->uid, HERON_STORE_FLAG_FLAGGED, 0);
        else
          sync_test_set_flags (&fixture, "Archive", g_array_index (locals, gint64, 0), HERON_STORE_FLAG_FLAGGED, 0);
      }
  }
  for (guint i = 0; i < KILL_APPENDS; i++)
    {
      g_autofree char *id = g_strdup_printf ("kill.draft.%u", i);
      do_append (&fixture, "Drafts", id, HERON_STORE_FLAG_SEEN);
    }
  sync_test_fixture_stop (&fixture);
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);

  /* the child replays; it is killed at its first replayed change */
  port = g_strdup_printf ("%u", heron_test_server_get_imap_port (server));
  {
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
    const char *argv[] = { self, "--child",
                           heron_test_server_get_host (server), port, heron_test_server_get_ca_file (server),
                           fixture.user, fixture.password, fixture.store_path, NULL };
    child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  kill (atoi (g_subprocess_get_identifier (child)), SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  pending_after_kill = pending_operations (&fixture);
  g_test_message ("%u of %u entries left after kill -9", pending_after_kill,
                  2 * (KILL_MOVES + KILL_COPIES) + KILL_APPENDS);
  g_assert_cmpuint (pending_after_kill, >, 0);  /* it was killed in the middle */

  /* a new worker on the same cache finishes the work */
  fixture_start (&fixture);
  wait_replayed (&fixture);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");
  sync_test_sync_folder (&fixture, "Drafts");
  for (guint i = 0; i < KILL_MOVES + KILL_COPIES; i++)
    {
      g_autofree char *id = g_strdup_printf ("kill.%u", i);

      g_assert_cmpuint (count_on_server (&fixture, "INBOX", id), ==, i >= KILL_MOVES ? 1 : 0);
      g_assert_cmpuint (count_on_server (&fixture, "Archive", id), ==, 1);
    }
  for (guint i = 0; i < KILL_APPENDS; i++)
    {
      g_autofree char *id = g_strdup_printf ("kill.draft.%u", i);
      g_assert_cmpuint (count_on_server (&fixture, "Drafts", id), ==, 1);
    }
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "Archive");
  sync_test_assert_store_equals_server (&fixture, "Drafts");
  sync_test_fixture_clear (&fixture);
}

/* Renaming and deleting the folder the command connection has selected: it is left first
 * (UNSELECT), then renamed or deleted; no error, the server and the cache agree. */

static HeronAccountWorker *
quiet_worker (SyncTestFixture *fixture,
              gboolean         ignore_uidplus)
{
  g_autoptr(HeronAccountConfig) config = sync_test_config_new (heron_test_server_get_host (server),
                                                               heron_test_server_get_imap_port (server),
                                                               heron_test_server_get_ca_file (server),
                                                               fixture->user);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;
  HeronAccountWorker *worker;

  /* only what the test asks for is synced, and no STATUS poll leaves the selected folder */
  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  sync_test_options_init (&options, fixture->store_path, fixture->password);
  options.idle = FALSE;
  options.status_poll_ms = 60 * 60 * 1000;
  options.ignore_move = ignore_uidplus;
  options.ignore_uidplus = ignore_uidplus;
  worker = heron_account_worker_new (config, &options, &error);
  g_assert_no_error (error);
  return worker;
}

static void
assert_no_error_event (SyncTestFixture *fixture,
                       guint            mark)
{
  g_assert_cmpint (sync_test_find_event (fixture, &(SyncTestEventWait) { HERON_SYNC_EVENT_ERROR, NULL, mark }),
                   ==, -1);
}

static void
test_folder_selected (void)
{
  SyncTestFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *folders = NULL;
  g_autofree char *renamed = NULL;
  SyncTestWait wait = { 0 };
  guint mark;

  fixture_init (&fixture, "selected");
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Chosen", &error));
  g_assert_no_error (error);
  g_assert_true (heron_test_server_create_mailbox (server, fixture.user, "Doomed", &error));
  g_assert_no_error (error);
  deliver (&fixture, "Chosen", "selected.1", NULL);
  deliver (&fixture, "Doomed", "selected.2", NULL);
  sync_test_fixture_start_worker (&fixture, quiet_worker (&fixture, FALSE));
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folders (&fixture);

  /* the sync leaves Chosen selected on the command connection */
  sync_test_sync_folder (&fixture, "Chosen");
  mark = fixture.events->len;
  heron_account_worker_rename_folder_async (fixture.worker, "Chosen", NULL, "Renamed", NULL,
                                            sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "rename");
  renamed = heron_account_worker_rename_folder_finish (fixture.worker, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpstr (renamed, ==, "Renamed");
  wait_replayed (&fixture);
  assert_no_error_event (&fixture, mark);
  folders = server_folders (&fixture);
  g_assert_nonnull (strstr (folders, "Renamed"));
  g_assert_null (strstr (folders, "Chosen"));
  g_assert_cmpuint (count_on_server (&fixture, "Renamed", "selected.1"), ==, 1);
  sync_test_sync_folder (&fixture, "Renamed");
  sync_test_assert_store_equals_server (&fixture, "Renamed");

  /* the same for a delete */
  sync_test_sync_folder (&fixture, "Doomed");
  mark = fixture.events->len;
  wait = (SyncTestWait) { 0 };
  heron_account_worker_delete_folder_async (fixture.worker, "Doomed", NULL, sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "delete folder");
  g_assert_true (heron_account_worker_delete_folder_finish (fixture.worker, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  wait_replayed (&fixture);
  assert_no_error_event (&fixture, mark);
  g_free (folders);
  folders = server_folders (&fixture);
  g_assert_null (strstr (folders, "Doomed"));

  /* and the connection goes on */
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Renamed");
  sync_test_assert_store_equals_server (&fixture, "Renamed");
  g_free (folders);
  {
    g_autofree char *in_store = store_folders (&fixture);
    folders = server_folders (&fixture);
    g_assert_cmpstr (in_store, ==, folders);
  }
  sync_test_fixture_clear (&fixture);
}

/* A move without UIDPLUS of many messages (two of them with one Message-ID): the copies are
 * found by Message-ID above the destination's old UIDNEXT, every one mapped to its own UID. */
#define MANY_MESSAGES 40

static void
test_move_many_without_uidplus (void)
{
  SyncTestFixture fixture;
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) locals = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) server_uids = g_hash_table_new (NULL, NULL);

  fixture_init (&fixture, "movemany");
  for (guint i = 0; i < MANY_MESSAGES; i++)
    {
      /* the last two are one message delivered twice */
      g_autofree char *id = g_strdup_printf ("movemany.%u", MIN (i, MANY_MESSAGES - 2));
      gint64 uid = deliver (&fixture, "INBOX", id, NULL);

      g_array_append_val (uids, uid);
    }
  sync_test_fixture_start_worker (&fixture, quiet_worker (&fixture, TRUE));
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_sync_folder (&fixture, "Archive");

  locals = do_move (&fixture, "INBOX", (const gint64 *) uids->data, uids->len, "Archive", FALSE);
  g_assert_cmpuint (locals->len, ==, MANY_MESSAGES);
  wait_replayed (&fixture);

  /* without a sync: every local UID became one of the server's, each a different one */
  rows = sync_test_store_rows (&fixture, "Archive");
  g_assert_cmpuint (rows->len, ==, MANY_MESSAGES);
  for (guint i = 0; i < rows->len; i++)
    {
      HeronStoreMessage *message = g_ptr_array_index (rows, i);

      g_assert_cmpint (message->uid, >, 0);
      g_assert_false (g_hash_table_contains (server_uids, GINT_TO_POINTER ((gint) message->uid)));
      g_hash_table_add (server_uids, GINT_TO_POINTER ((gint) message->uid));
    }
  sync_test_assert_store_equals_server (&fixture, "Archive");
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  g_assert_cmpuint (count_on_server (&fixture, "Archive", "movemany.0"), ==, 1);
  g_assert_cmpuint (count_on_server (&fixture, "Archive", "movemany.38"), ==, 2);
  sync_test_fixture_clear (&fixture);
}

static const Scenario scenarios[] = {
  { "move-online", OP_MOVE, FALSE },
  { "move-offline", OP_MOVE, TRUE },
  { "copy-online", OP_COPY, FALSE },
  { "copy-offline", OP_COPY, TRUE },
  { "delete-online", OP_DELETE, FALSE },
  { "delete-offline", OP_DELETE, TRUE },
  { "expunge-online", OP_EXPUNGE, FALSE },
  { "expunge-offline", OP_EXPUNGE, TRUE },
  { "append-online", OP_APPEND, FALSE },
  { "append-offline", OP_APPEND, TRUE },
  { "folders-online", OP_FOLDERS, FALSE },
  { "folders-offline", OP_FOLDERS, TRUE },
  { "move-without-move", OP_MOVE, FALSE, TRUE, FALSE },
  { "move-without-uidplus", OP_MOVE, FALSE, TRUE, TRUE },
  { "copy-without-uidplus", OP_COPY, FALSE, FALSE, TRUE },
  { "expunge-without-uidplus", OP_EXPUNGE, FALSE, FALSE, TRUE },
  { "append-without-uidplus", OP_APPEND, TRUE, FALSE, TRUE },
};

int
main (int   argc,
      char *argv[])
{
  static const char * const users[] = { "refused", "pending", "crash", "two", "killnine", "names",
                                        "selected", "movemany", "helddiscard", "heldretry", "writer",
                                        "reader", "renamediscard", NULL };

  if (argc > 1 && strcmp (argv[1], "--child") == 0)
    return child_main (argc, argv);

  g_test_init (&argc, &argv, NULL);

  /* every user up front (see sync_test_server_new()) */
  /* with Postfix: sent-recipients-complete sends through the outbox */
  server = sync_test_server_new (HERON_TEST_SERVER_FLAGS_NONE, users);
  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    sync_test_add_user (server, scenarios[i].user);
  tmpdir = sync_test_tmpdir_new ("heron-test-sync-ops-XXXXXX");

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autofree char *path = g_strdup_printf ("/heron/sync/ops/%s", scenarios[i].user);
      g_test_add_data_func (path, &scenarios[i], test_operation);
    }
  g_test_add_func ("/heron/sync/ops/folder-names", test_folder_names);
  g_test_add_func ("/heron/sync/ops/refused-then-discarded", test_refused);
  g_test_add_func ("/heron/sync/ops/held-then-discarded", test_held_discarded);
  g_test_add_func ("/heron/sync/ops/discarded-after-rename", test_discard_after_rename);
  g_test_add_func ("/heron/sync/ops/held-then-retried", test_held_retried);
  g_test_add_func ("/heron/sync/ops/sent-recipients-complete", test_sent_recipients_complete);
  g_test_add_func ("/heron/sync/ops/pending-flags-survive-sync", test_pending_flags_survive_sync);
  g_test_add_func ("/heron/sync/ops/crash-replay", test_crash_replay);
  g_test_add_func ("/heron/sync/ops/two-clients", test_two_clients);
  g_test_add_func ("/heron/sync/ops/kill-9", test_kill9);
  g_test_add_func ("/heron/sync/ops/rename-delete-selected", test_folder_selected);
  g_test_add_func ("/heron/sync/ops/move-many-without-uidplus", test_move_many_without_uidplus);

  return sync_test_run (server, tmpdir);
}
