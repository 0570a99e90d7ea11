/* bench-sync.c: the sync worker against the test Dovecot with a 100,000-message folder
 *
 * Seeds N messages (default 100,000) into the folder "Big" of the harness's Dovecot, then prints,
 * each as min / median / max over several runs:
 *
 *   - raw:     UID FETCH 1:* of the worker's summary items on one HeronImapSession (STARTTLS, as
 *              the worker connects), the callback only counting: what the wire and the parser cost;
 *   - first:   the worker's first sync of Big into a new cache (SELECT, UID SEARCH, chunked UID
 *              FETCH newest first, conversion, store transactions with the search index), and
 *              its ratio to raw (target <= 1.5);
 *   - resync:  an incremental sync of Big with nothing changed (a STATUS when mod-sequences
 *              are in use, else a QRESYNC SELECT; target < 50 ms);
 *   - latency: a change made with doveadm (a flag set or cleared) until the worker's event on the
 *              main thread, in a watched folder other than INBOX (NOTIFY) and in INBOX (IDLE);
 *              doveadm's own run time is included (target < 1 s);
 *   - search:  the local full-text search of the cache over the N messages, for a few words taken
 *              from the messages (target < 100 ms).
 *
 * A warm-up fetch comes first: Dovecot caches the fields it is first asked for (DESIGN.md).
 *
 *   bench-sync [--messages N] [--runs N]
 *
 * Build with buildtype=debugoptimized or release. Not a test: it prints figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "heron-test-server.h"
#include "account/heron-account-config.h"
#include "imap/heron-imap-session.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

static guint n_messages = 100000;
static guint n_runs = 3;

static const GOptionEntry options[] = {
  { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages in the folder (100000)", "N" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Runs of the first sync and of the raw fetch (3)", "N" },
  { NULL }
};

static HeronTestServer *server;
static char *tmpdir;

/* Figures */

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
print_figures (const char *what,
               GArray     *values,
               const char *unit,
               double      scale)
{
  double median;

  g_array_sort (values, compare_double);
  median = g_array_index (values, double, values->len / 2);
  g_print ("%-44s min %9.3f  median %9.3f  max %9.3f %s  (%u runs)\n", what,
           g_array_index (values, double, 0) * scale, median * scale,
           g_array_index (values, double, values->len - 1) * scale, unit, values->len);
  return median;
}

/* CPU time of this process (every thread), user + system, in seconds: on a busy 2-core machine
 * the wall times swing with the load, this does much less. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* CPU time (user + system, seconds) of each live thread of this process, by "tid name". */
static GHashTable *
thread_cpu (void)
{
  GHashTable *threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  double ticks = (double) sysconf (_SC_CLK_TCK);

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
      g_autofree char *stat = NULL;
      g_auto(GStrv) fields = NULL;
      const char *open, *close;
      double *seconds;

      if (!g_file_get_contents (path, &stat, NULL, NULL) ||
          (open = strchr (stat, '(')) == NULL || (close = strrchr (stat, ')')) == NULL)
        continue;
      /* after the name: state, then utime and stime are the 12th and 13th fields */
      fields = g_strsplit (close + 2, " ", 14);
      if (g_strv_length (fields) < 13)
        continue;
      seconds = g_new (double, 1);
      *seconds = (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / ticks;
      g_hash_table_insert (threads, g_strdup_printf ("%s %.*s", tid, (int) (close - open - 1), open + 1),
                           seconds);
    }
  return threads;
}

/* "name 1.23 s, ..." for the threads that used at least 5 % of @total between @before and now;
 * what threads that ended meanwhile used (the first sync's cache writer) is the rest. */
static char *
thread_cpu_summary (GHashTable *before,
                    double      total)
{
  g_autoptr(GHashTable) after = thread_cpu ();
  g_autoptr(GString) out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  double live = 0;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double *then = g_hash_table_lookup (before, key);
      double used = *(double *) value - (then != NULL ? *then : 0);

      live += used;
      if (used >= total * 0.05)
        g_string_append_printf (out, "%s%s %.2f s", out->len > 0 ? ", " : "", strchr (key, ' ') + 1, used);
    }
  g_string_append_printf (out, "%sthreads that ended %.2f s", out->len > 0 ? ", " : "", MAX (total - live, 0));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Waiting on the main context */

typedef struct {
  gboolean      done;
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

static GAsyncResult *
await (Wait *wait)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

/* The raw fetch */

static void
count_fetch (HeronImapResponse *fetch,
             gpointer           user_data)
{
  (*(guint *) user_data)++;
}

/* The worker's items (heron-sync-convert.c): the summary, MODSEQ with CONDSTORE, PREVIEW when
 * offered. */
static GPtrArray *
summary_items (HeronImapSession *session)
{
  GPtrArray *items = g_ptr_array_new ();

  g_ptr_array_add (items, (gpointer) "UID");
  g_ptr_array_add (items, (gpointer) "FLAGS");
  g_ptr_array_add (items, (gpointer) "INTERNALDATE");
  g_ptr_array_add (items, (gpointer) "RFC822.SIZE");
  g_ptr_array_add (items, (gpointer) "ENVELOPE");
  g_ptr_array_add (items, (gpointer) "BODYSTRUCTURE");
  g_ptr_array_add (items, (gpointer) "BODY.PEEK[HEADER.FIELDS (REFERENCES LIST-ID)]");
  if (heron_imap_session_has_capability (session, "CONDSTORE"))
    g_ptr_array_add (items, (gpointer) "MODSEQ");
  if (heron_imap_session_has_capability (session, "PREVIEW"))
    g_ptr_array_add (items, (gpointer) "PREVIEW");
  g_ptr_array_add (items, NULL);
  return items;
}

static double
raw_fetch (const char *mailbox,
           guint      *out_count)
{
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronImapUidSet) all = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(HeronImapSelectResult) select = NULL;
  g_autoptr(GPtrArray) items = NULL;
  Wait connected = { 0 }, selected = { 0 }, fetched = { 0 };
  gint64 start;
  double seconds;

  heron_imap_session_settings_init (&settings);
  settings.connection.host = g_strdup (heron_test_server_get_host (server));
  settings.connection.port = heron_test_server_get_imap_port (server);
  settings.connection.security = HERON_IMAP_SECURITY_STARTTLS;
  settings.connection.tls_database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  settings.connection.read_timeout_ms = 300000;
  settings.user = g_strdup (heron_test_server_get_user (server));
  settings.password = g_strdup (heron_test_server_get_password (server));
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_imap_session_connect_async (session, NULL, on_done, &connected);
  if (!heron_imap_session_connect_finish (session, await (&connected), &error))
    g_error ("connect: %s", error->message);
  g_object_unref (connected.result);
  heron_imap_session_select_async (session, mailbox, TRUE, NULL, NULL, NULL, NULL, on_done, &selected);
  select = heron_imap_session_select_finish (session, await (&selected), &error);
  g_assert_no_error (error);
  g_object_unref (selected.result);

  items = summary_items (session);
  heron_imap_uid_set_add_range_to_star (all, 1);
  *out_count = 0;
  start = g_get_monotonic_time ();
  heron_imap_session_uid_fetch_async (session, all, (const char * const *) items->pdata,
                                      HERON_IMAP_MODSEQ_NONE, FALSE, count_fetch, out_count,
                                      NULL, NULL, NULL, on_done, &fetched);
  if (!heron_imap_session_uid_fetch_finish (session, await (&fetched), NULL, &error))
    g_error ("fetch: %s", error->message);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_object_unref (fetched.result);
  heron_imap_session_close (session);
  return seconds;
}

/* The worker */

typedef struct {
  HeronAccountWorker *worker;
  char               *store_path;
  GPtrArray          *events;
  gint64              last_event_us;
} Account;

static void
on_event (HeronAccountWorker *worker,
          HeronSyncEvent     *event,
          gpointer            user_data)
{
  Account *account = user_data;

  account->last_event_us = g_get_monotonic_time ();
  g_ptr_array_add (account->events, heron_sync_event_copy (event));
}

static void
account_start (Account            *account,
               const char         *name,
               const char * const *folders,
               gboolean            idle)
{
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;

  memset (account, 0, sizeof *account);
  account->store_path = g_build_filename (tmpdir, name, "cache.db", NULL);
  account->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);

  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (imap, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (imap, heron_test_server_get_user (server));
  heron_account_server_set_pinned_certificate_file (imap, heron_test_server_get_ca_file (server));
  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  heron_account_config_set_sync_folders (config, folders);
  /* the seed's messages are from 2024: no body prefetch runs behind the figures */
  heron_account_config_set_prefetch_days (config, 1);

  heron_account_worker_options_init (&options);
  options.store_path = account->store_path;
  options.password = heron_test_server_get_password (server);
  options.idle = idle;
  options.read_timeout_ms = 300000;
  account->worker = heron_account_worker_new (config, &options, &error);
  g_assert_no_error (error);
  g_signal_connect (account->worker, "event", G_CALLBACK (on_event), account);
  heron_account_worker_start (account->worker);
  while (heron_account_worker_get_state (account->worker) != HERON_SYNC_STATE_ONLINE)
    g_main_context_iteration (NULL, TRUE);
}

static void
account_stop (Account *account)
{
  heron_account_worker_stop (account->worker);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&account->worker);
  g_ptr_array_unref (account->events);
  g_free (account->store_path);
}

static double
sync_folder (Account    *account,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  gint64 start = g_get_monotonic_time ();
  double seconds;

  heron_account_worker_sync_folder_async (account->worker, folder, NULL, on_done, &wait);
  if (!heron_account_worker_sync_folder_finish (account->worker, await (&wait), &error))
    g_error ("sync %s: %s", folder, error->message);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_object_unref (wait.result);
  return seconds;
}

/* Latency: from before the doveadm change to the worker's event about it */

static gboolean
has_event (Account            *account,
           HeronSyncEventKind  kind,
           const char         *folder,
           guint               after)
{
  for (guint i = after; i < account->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (account->events, i);
      if (event->kind == kind && g_strcmp0 (event->folder, folder) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
measure_latency (Account    *account,
                 const char *folder,
                 guint32     uid,
                 guint       runs,
                 GArray     *latencies,
                 GArray     *doveadm_times)
{
  const char *user = heron_test_server_get_user (server);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      guint mark = account->events->len;
      gint64 start = g_get_monotonic_time ();
      gint64 arrived;
      double seconds;
      gboolean ok;

      ok = i % 2 == 0 ? heron_test_server_add_flags (server, user, folder, uid, "\\Flagged", &error)
                      : heron_test_server_remove_flags (server, user, folder, uid, "\\Flagged", &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      seconds = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (doveadm_times, seconds);
      while (!has_event (account, HERON_SYNC_EVENT_MESSAGES_CHANGED, folder, mark))
        g_main_context_iteration (NULL, TRUE);
      arrived = account->last_event_us;
      seconds = (arrived - start) / 1e6;
      g_array_append_val (latencies, seconds);
      /* let the worker settle between runs */
      g_usleep (100 * 1000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

/* Search words: the longest word of the subjects of a few messages */

static GPtrArray *
search_words (HeronStoreReader *reader,
              gint64            folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = heron_store_reader_get_rows (reader, folder_id, 0, 2000, &error);
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len && words->len < 6; i += 397)
    {
      HeronStoreMessage *message = g_ptr_array_index (rows, i);
      g_auto(GStrv) parts = g_strsplit_set (message->subject != NULL ? message->subject : "", " ,.:;!?()[]\"'", -1);
      const char *best = NULL;

      for (guint j = 0; parts[j] != NULL; j++)
        if (g_utf8_strlen (parts[j], -1) >= 5 && (best == NULL || strlen (parts[j]) > strlen (best)))
          best = parts[j];
      if (best != NULL)
        g_ptr_array_add (words, g_strdup (best));
    }
  if (rows->len > 0 && ((HeronStoreMessage *) g_ptr_array_index (rows, 0))->from_name != NULL)
    g_ptr_array_add (words, g_strdup (((HeronStoreMessage *) g_ptr_array_index (rows, 0))->from_name));
  g_ptr_array_add (words, g_strdup ("zzzznotthere"));
  return words;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- the sync worker with a big folder");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) resync = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) notify_latency = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) idle_latency = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) doveadm_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *kept_store = NULL;
  HeronSeedSpec spec = { .seed = 1, .count = 0 };
  const char *user;
  double raw_median, first_median;
  guint count = 0;
  gint64 start;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  n_runs = MAX (n_runs, 1);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);
  user = heron_test_server_get_user (server);
  tmpdir = g_dir_make_tmp ("heron-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  spec.count = n_messages;
  spec.owner_address = user;
  if (!heron_test_server_seed (server, user, "Big", &spec, &error))
    g_error ("seed: %s", error->message);
  g_print ("seeded %u messages in %.1f s\n", n_messages, (g_get_monotonic_time () - start) / 1e6);

  /* a small watched folder and a message in INBOX for the latency */
  g_assert_true (heron_test_server_create_mailbox (server, user, "Watch", &error));
  g_assert_no_error (error);
  {
    static const char text[] = "From: Bob <bob@example.test>\r\nSubject: watch me\r\n"
                               "Message-ID: <watch@heron.test>\r\n\r\nHello.\r\n";
    g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);

    g_assert_cmpuint (heron_test_server_deliver (server, user, "Watch", bytes, NULL, &error), ==, 1);
    g_assert_cmpuint (heron_test_server_deliver (server, user, "INBOX", bytes, NULL, &error), ==, 1);
    g_assert_no_error (error);
  }

  g_print ("warm-up fetch: %.3f s\n", raw_fetch ("Big", &count));
  g_assert_cmpuint (count, ==, n_messages);

  /* raw and first sync, alternated so that both see the same machine */
  for (guint run = 0; run < n_runs; run++)
    {
      static const char * const none[] = { NULL };
      g_autofree char *name = g_strdup_printf ("first-%u", run);
      double cpu = cpu_seconds ();
      double seconds = raw_fetch ("Big", &count);
      double raw_cpu = cpu_seconds () - cpu;
      double worker_cpu;
      g_autoptr(GHashTable) threads_before = NULL;
      g_autofree char *by_thread = NULL;
      Account account;

      g_assert_cmpuint (count, ==, n_messages);
      g_array_append_val (raw, seconds);

      account_start (&account, name, none, FALSE);
      threads_before = thread_cpu ();
      cpu = cpu_seconds ();
      seconds = sync_folder (&account, "Big");
      worker_cpu = cpu_seconds () - cpu;
      by_thread = thread_cpu_summary (threads_before, worker_cpu);
      g_array_append_val (first, seconds);
      g_array_append_val (first_cpu, worker_cpu);
      g_print ("  run %u: raw %.3f s (CPU here %.3f s), worker %.3f s (CPU %.3f s, %.1f µs per message) "
               "(%.2fx)\n", run + 1, g_array_index (raw, double, run), raw_cpu, seconds, worker_cpu,
               worker_cpu * 1e6 / n_messages, seconds / g_array_index (raw, double, run));
      g_print ("    CPU by thread: %s\n", by_thread);

      if (run == n_runs - 1)
        {
          /* nothing changed */
          sync_folder (&account, "Big");
          for (guint i = 0; i < 10; i++)
            {
              double resync_seconds = sync_folder (&account, "Big");
              g_array_append_val (resync, resync_seconds);
            }
          kept_store = g_strdup (account.store_path);
        }
      account_stop (&account);
    }

  g_print ("\n%u messages\n", n_messages);
  raw_median = print_figures ("raw UID FETCH 1:* (one session)", raw, "s", 1);
  first_median = print_figures ("worker first sync", first, "s", 1);
  print_figures ("  its CPU time (all threads of this process)", first_cpu, "s", 1);
  g_print ("%-44s %.2fx raw (target <= 1.5x)\n", "worker / raw (medians)", first_median / raw_median);
  print_figures ("no-change resync (target < 50 ms)", resync, "ms", 1000);

  /* latency: Watch by NOTIFY, INBOX by IDLE */
  {
    static const char * const watched[] = { "Watch", NULL };
    Account account;
    guint runs = MAX (n_runs, 5);

    account_start (&account, "latency", watched, TRUE);
    while (!has_event (&account, HERON_SYNC_EVENT_MESSAGES_ADDED, "Watch", 0))
      g_main_context_iteration (NULL, TRUE);
    g_usleep (200 * 1000);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    measure_latency (&account, "Watch", 1, runs, notify_latency, doveadm_times);
    measure_latency (&account, "INBOX", 1, runs, idle_latency, doveadm_times);
    account_stop (&account);

    print_figures ("change -> event, Watch (NOTIFY; < 1 s)", notify_latency, "ms", 1000);
    print_figures ("change -> event, INBOX (IDLE; < 1 s)", idle_latency, "ms", 1000);
    print_figures ("  of which doveadm itself", doveadm_times, "ms", 1000);
  }

  /* local search over the cache of the last first sync */
  {
    g_autoptr(HeronStoreReader) reader = heron_store_reader_open (kept_store, &error);
    g_autoptr(GPtrArray) folders = NULL;
    g_autoptr(GPtrArray) words = NULL;
    g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
    gint64 big = 0;

    g_assert_no_error (error);
    folders = heron_store_reader_get_folders (reader, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < folders->len; i++)
      if (g_strcmp0 (((HeronStoreFolder *) g_ptr_array_index (folders, i))->name, "Big") == 0)
        big = ((HeronStoreFolder *) g_ptr_array_index (folders, i))->id;
    words = search_words (reader, big);
    for (guint i = 0; i < words->len; i++)
      {
        const char *word = g_ptr_array_index (words, i);
        g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
        g_autofree char *label = NULL;
        guint hits = 0;

        for (guint run = 0; run < 10; run++)
          {
            gint64 t0 = g_get_monotonic_time ();
            g_autoptr(GArray) found = heron_store_reader_search (reader, word, 0, 200, &error);
            double seconds = (g_get_monotonic_time () - t0) / 1e6;

            g_assert_no_error (error);
            hits = found->len;
            g_array_append_val (times, seconds);
            g_array_append_val (all, seconds);
          }
        label = g_strdup_printf ("search \"%s\" (%u hits, limit 200)", word, hits);
        print_figures (label, times, "ms", 1000);
      }
    print_figures ("search, every query (target < 100 ms)", all, "ms", 1000);
  }

  heron_test_server_free (server);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    (void) system (cmd);
  }
  g_free (tmpdir);
  return 0;
}
