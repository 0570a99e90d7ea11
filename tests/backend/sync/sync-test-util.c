/* sync-test-util.c: helpers shared by the tests of backend/sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sync-test-util.h"

/* The program */

HeronTestServer *
sync_test_server_new (HeronTestServerFlags  flags,
                      const char * const   *users)
{
  g_autoptr(GError) error = NULL;
  HeronTestServer *server = heron_test_server_new_full (flags, &error);

  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    sync_test_add_user (server, users[i]);
  return server;
}

void
sync_test_add_user (HeronTestServer *server,
                    const char      *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);

  g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
  g_assert_no_error (error);
}

char *
sync_test_tmpdir_new (const char *template)
{
  g_autoptr(GError) error = NULL;
  char *tmpdir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return tmpdir;
}

int
sync_test_run (HeronTestServer *server,
               char            *tmpdir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
  int result = g_test_run ();

  heron_test_server_free (server);
  if (system (cmd) != 0)
    g_warning ("could not remove %s", tmpdir);
  g_free (tmpdir);
  return result;
}

/* The fixture */

static void
on_event (HeronAccountWorker *worker,
          HeronSyncEvent     *event,
          gpointer            user_data)
{
  SyncTestFixture *fixture = user_data;

  g_ptr_array_add (fixture->events, heron_sync_event_copy (event));
}

void
sync_test_fixture_init (SyncTestFixture *fixture,
                        HeronTestServer *server,
                        const char      *tmpdir,
                        const char      *name)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->server = server;
  fixture->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  fixture->password = g_strdup (heron_test_server_get_user_password (server, fixture->user));
  fixture->store_path = g_build_filename (tmpdir, name, "cache.db", NULL);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  g_assert_nonnull (fixture->password);
}

void
sync_test_fixture_start_worker (SyncTestFixture    *fixture,
                                HeronAccountWorker *worker)
{
  fixture->worker = worker;
  g_signal_connect (fixture->worker, "event", G_CALLBACK (on_event), fixture);
  heron_account_worker_start (fixture->worker);
}

void
sync_test_fixture_start (SyncTestFixture                 *fixture,
                         HeronAccountConfig              *config,
                         const HeronAccountWorkerOptions *options)
{
  g_autoptr(GError) error = NULL;
  HeronAccountWorker *worker = heron_account_worker_new (config, options, &error);

  g_assert_no_error (error);
  sync_test_fixture_start_worker (fixture, worker);
}

void
sync_test_fixture_stop (SyncTestFixture *fixture)
{
  if (fixture->worker == NULL)
    return;
  heron_account_worker_stop (fixture->worker);
  /* the last events are on their way */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fixture->worker);
}

void
sync_test_fixture_clear (SyncTestFixture *fixture)
{
  sync_test_fixture_stop (fixture);
  g_free (fixture->user);
  g_free (fixture->password);
  g_free (fixture->store_path);
  g_ptr_array_unref (fixture->events);
}

/* The account */

void
sync_test_set_server (HeronAccountServer *account_server,
                      const char         *host,
                      guint16             port,
                      const char         *ca_file,
                      const char         *user)
{
  heron_account_server_set_host (account_server, host);
  heron_account_server_set_port (account_server, port);
  heron_account_server_set_security (account_server, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (account_server, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (account_server, user);
  heron_account_server_set_pinned_certificate_file (account_server, ca_file);
}

HeronAccountConfig *
sync_test_config_new (const char *host,
                      guint16     imap_port,
                      const char *ca_file,
                      const char *user)
{
  HeronAccountConfig *config = heron_account_config_new ();

  sync_test_set_server (heron_account_config_get_imap (config), host, imap_port, ca_file, user);
  return config;
}

HeronAccountConfig *
sync_test_fixture_config (SyncTestFixture *fixture)
{
  return sync_test_config_new (heron_test_server_get_host (fixture->server),
                               heron_test_server_get_imap_port (fixture->server),
                               heron_test_server_get_ca_file (fixture->server), fixture->user);
}

void
sync_test_options_init (HeronAccountWorkerOptions *options,
                        const char                *store_path,
                        const char                *password)
{
  heron_account_worker_options_init (options);
  options->store_path = store_path;
  options->password = password;
  options->backoff_initial_ms = 200;
  options->backoff_max_ms = 1000;
  options->read_timeout_ms = 20000;
}

/* Waiting */

gboolean
sync_test_on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
sync_test_wait_for (SyncTestCheck    check,
                    SyncTestFixture *fixture,
                    gconstpointer    data,
                    guint            timeout_ms,
                    const char      *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, sync_test_on_timeout, &timed_out);
  guint tick = fixture->poll_ms != 0 ? g_timeout_add (fixture->poll_ms, on_tick, NULL) : 0;

  while (!check (fixture, data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (id);
  g_clear_handle_id (&tick, g_source_remove);
}

static gboolean
check_state (SyncTestFixture *fixture,
             gconstpointer    data)
{
  return (int) heron_account_worker_get_state (fixture->worker) == GPOINTER_TO_INT (data);
}

void
sync_test_wait_state (SyncTestFixture *fixture,
                      HeronSyncState   state,
                      guint            timeout_ms,
                      const char      *what)
{
  sync_test_wait_for (check_state, fixture, GINT_TO_POINTER (state), timeout_ms, what);
}

/* Events */

gint
sync_test_find_event (SyncTestFixture         *fixture,
                      const SyncTestEventWait *wait)
{
  for (guint i = wait->after; i < fixture->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture->events, i);

      if (event->kind == wait->kind &&
          (wait->folder == NULL || g_strcmp0 (event->folder, wait->folder) == 0) &&
          (wait->message_id == NULL || g_strcmp0 (event->message_id, wait->message_id) == 0) &&
          (wait->kind != HERON_SYNC_EVENT_STATE || event->state == wait->state))
        return i;
    }
  return -1;
}

static gboolean
check_event (SyncTestFixture *fixture,
             gconstpointer    data)
{
  return sync_test_find_event (fixture, data) >= 0;
}

HeronSyncEvent *
sync_test_wait_event_full (SyncTestFixture         *fixture,
                           const SyncTestEventWait *wait,
                           guint                    timeout_ms)
{
  g_autofree char *what = NULL;

  if (wait->kind == HERON_SYNC_EVENT_STATE)
    what = g_strdup_printf ("the state %s", heron_sync_state_to_string (wait->state));
  else
    what = g_strdup_printf ("%s in %s%s%s", heron_sync_event_kind_to_string (wait->kind),
                            wait->folder != NULL ? wait->folder : "any folder",
                            wait->message_id != NULL ? " for " : "",
                            wait->message_id != NULL ? wait->message_id : "");

  sync_test_wait_for (check_event, fixture, wait, timeout_ms, what);
  return g_ptr_array_index (fixture->events, sync_test_find_event (fixture, wait));
}

HeronSyncEvent *
sync_test_wait_event (SyncTestFixture    *fixture,
                      HeronSyncEventKind  kind,
                      const char         *folder,
                      guint               after,
                      guint               timeout_ms)
{
  SyncTestEventWait wait = { kind, folder, after, NULL };

  return sync_test_wait_event_full (fixture, &wait, timeout_ms);
}

HeronSyncEvent *
sync_test_wait_state_event (SyncTestFixture *fixture,
                            HeronSyncState   state,
                            guint            after,
                            guint            timeout_ms)
{
  SyncTestEventWait wait = { HERON_SYNC_EVENT_STATE, NULL, after, NULL, state };

  return sync_test_wait_event_full (fixture, &wait, timeout_ms);
}

/* The worker's calls */

void
sync_test_on_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SyncTestWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
  wait->when = g_get_monotonic_time ();
}

static gboolean
check_wait (SyncTestFixture *fixture,
            gconstpointer    data)
{
  return ((const SyncTestWait *) data)->done;
}

void
sync_test_await (SyncTestFixture *fixture,
                 SyncTestWait    *wait,
                 const char      *what)
{
  sync_test_wait_for (check_wait, fixture, wait, SYNC_TEST_WAIT_MS, what);
}

void
sync_test_sync_folder (SyncTestFixture *fixture,
                       const char      *folder)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_sync_folder_async (fixture->worker, folder, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "a folder sync");
  heron_account_worker_sync_folder_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

void
sync_test_sync_folders (SyncTestFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_sync_folders_async (fixture->worker, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "the folder list");
  heron_account_worker_sync_folders_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

void
sync_test_set_flags (SyncTestFixture *fixture,
                     const char      *folder,
                     gint64           uid,
                     guint            add,
                     guint            remove)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_set_flags_async (fixture->worker, folder, &uid, 1, add, remove, NULL, NULL,
                                        NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "set_flags");
  heron_account_worker_set_flags_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

/* The server */

guint32
sync_test_deliver (SyncTestFixture *fixture,
                   const char      *mailbox,
                   const char      *subject,
                   const char      *extra_headers)
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
  guint32 uid = heron_test_server_deliver (fixture->server, fixture->user, mailbox, bytes, NULL, &error);

  g_assert_no_error (error);
  return uid;
}

/* The states compared */

gint
sync_test_compare_strings (gconstpointer a,
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
  g_ptr_array_sort (kept, sync_test_compare_strings);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" ", (char **) kept->pdata);
}

/* by UID; local UIDs (of messages the server has not numbered yet) are negative */
static gint
compare_uid_lines (gconstpointer a,
                   gconstpointer b)
{
  gint64 ua = g_ascii_strtoll (*(const char * const *) a, NULL, 10);
  gint64 ub = g_ascii_strtoll (*(const char * const *) b, NULL, 10);
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

char *
sync_test_server_state (SyncTestFixture *fixture,
                        const char      *mailbox)
{
  const char *argv[] = { "-f", "tab", "fetch", "-u", fixture->user,
                         fixture->with_subjects ? "uid flags hdr.subject" : "uid flags",
                         "mailbox", mailbox, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (heron_test_server_doveadm (fixture->server, argv, &out, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)   /* line 0 is the header */
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], "\t", fixture->with_subjects ? 3 : 2);
      g_autofree char *flags = NULL;

      if (cols[0] == NULL || cols[0][0] == '\0')
        continue;
      if (!fixture->with_subjects)
        {
          flags = normalize_flags (cols[1]);
          g_ptr_array_add (result, g_strdup_printf ("%s %s", cols[0], flags));
          continue;
        }
      if (cols[1] == NULL)
        continue;
      flags = normalize_flags (cols[1]);
      g_ptr_array_add (result, g_strdup_printf ("%s %s | %s", cols[0], flags,
                                                cols[2] != NULL ? g_strstrip (cols[2]) : ""));
    }
  return join_lines (result);
}

gint64
sync_test_store_folder_id (HeronStoreReader *reader,
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

GPtrArray *
sync_test_store_rows (SyncTestFixture *fixture,
                      const char      *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStoreReader) reader = heron_store_reader_open (fixture->store_path, &error);
  GPtrArray *rows;
  gint64 id;
  guint count = 0;

  g_assert_no_error (error);
  id = sync_test_store_folder_id (reader, folder);
  g_assert_cmpint (id, !=, 0);
  g_assert_true (heron_store_reader_count_messages (reader, id, &count, &error));
  rows = heron_store_reader_get_rows (reader, id, 0, count, &error);
  g_assert_no_error (error);
  return rows;
}

static const char *system_flag_names[] = { "\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft" };

char *
sync_test_store_state (SyncTestFixture *fixture,
                       const char      *folder)
{
  g_autoptr(GPtrArray) rows = sync_test_store_rows (fixture, folder);
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);

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
      if (fixture->with_subjects)
        g_ptr_array_add (result, g_strdup_printf ("%" G_GINT64_FORMAT " %s | %s", message->uid, normal,
                                                  message->subject != NULL ? message->subject : ""));
      else
        g_ptr_array_add (result, g_strdup_printf ("%" G_GINT64_FORMAT " %s", message->uid, normal));
    }
  return join_lines (result);
}

void
sync_test_assert_store_equals_server (SyncTestFixture *fixture,
                                      const char      *folder)
{
  g_autofree char *on_server = sync_test_server_state (fixture, folder);
  g_autofree char *in_store = sync_test_store_state (fixture, folder);

  g_assert_cmpstr (in_store, ==, on_server);
}
