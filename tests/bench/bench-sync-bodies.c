/* bench-sync-bodies.c: downloading message bodies through the sync worker against a raw fetch
 *
 * Seeds N messages (default 10,000) of the corpus into the folder "Bodies" of the harness's
 * Dovecot, dated inside the prefetch window, then prints
 *
 *   - raw:    UID FETCH 1:* (BODY.PEEK[]) on one HeronImapSession (STARTTLS, as the worker
 *             connects), the bodies streamed to a consumer that only counts bytes: what the wire,
 *             TLS and the parser cost;
 *   - worker: every body of the folder fetched by the worker into a new cache after its first
 *             sync (heron_account_worker_prefetch_bodies_async(): batches of UID FETCH streamed
 *             into source writers on the worker's thread, stored by the prefetch's writer
 *             thread, one transaction per slice of 50): the time until the last BODY_FETCHED
 *             event (every body local and committed), then until the request completes (the
 *             text pass done: every body's text extracted with the MIME layer and indexed);
 *   - the ratio worker / raw (target <= 1.3) for the bodies, wall and CPU time, and the CPU time
 *     per message of both (getrusage(): every thread of this process; the machine may be shared,
 *     so CPU time is the steadier figure).
 *
 * A warm-up fetch comes first (Dovecot caches what it is first asked for, DESIGN.md); the raw
 * fetch runs --runs times and its median is used.
 *
 *   bench-sync-bodies [--messages N] [--runs N]
 *
 * Build with buildtype=debugoptimized or release. Not a test: it prints figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "heron-test-server.h"
#include "account/heron-account-config.h"
#include "imap/heron-imap-session.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

static guint n_messages = 10000;
static guint n_runs = 3;

static const GOptionEntry options[] = {
  { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages in the folder (10000)", "N" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Runs of the raw fetch (3)", "N" },
  { NULL }
};

static HeronTestServer *server;

/* CPU time of this process (every thread), seconds: steadier than wall time on a busy machine */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Files under @dir (the large sources, kept as files), and their bytes */
static guint
count_files (const char *dir,
             guint64    *bytes)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_files (path, bytes);
      else if (g_stat (path, &st) == 0)
        {
          *bytes += st.st_size;
          n++;
        }
    }
  return n;
}

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

typedef struct {
  guint64 bytes;
  guint   bodies;
} Counts;

static gboolean
count_begin (const HeronImapBodyInfo *info,
             gpointer                 user_data,
             GError                 **error)
{
  ((Counts *) user_data)->bodies++;
  return TRUE;
}

static gboolean
count_chunk (const guint8 *data,
             gsize         len,
             gpointer      user_data,
             GError      **error)
{
  ((Counts *) user_data)->bytes += len;
  return TRUE;
}

static gboolean
count_end (gpointer  user_data,
           GError  **error)
{
  return TRUE;
}

static const HeronImapBodyConsumer counter = { count_begin, count_chunk, count_end };

static double
raw_fetch (Counts *counts,
           double *out_cpu)
{
  static const char * const items[] = { "UID", "BODY.PEEK[]", NULL };
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronImapUidSet) all = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(HeronImapSelectResult) select = NULL;
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
  heron_imap_session_select_async (session, "Bodies", TRUE, NULL, NULL, NULL, NULL, on_done, &selected);
  select = heron_imap_session_select_finish (session, await (&selected), &error);
  g_assert_no_error (error);
  g_object_unref (selected.result);

  memset (counts, 0, sizeof *counts);
  heron_imap_uid_set_add_range_to_star (all, 1);
  *out_cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  heron_imap_session_uid_fetch_async (session, all, items, HERON_IMAP_MODSEQ_NONE, FALSE, NULL, NULL,
                                      &counter, counts, NULL, on_done, &fetched);
  if (!heron_imap_session_uid_fetch_finish (session, await (&fetched), NULL, &error))
    g_error ("fetch: %s", error->message);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  *out_cpu = cpu_seconds () - *out_cpu;
  g_object_unref (fetched.result);
  heron_imap_session_close (session);
  return seconds;
}

/* The worker */

typedef struct {
  guint  fetched;
  gint64 last_time;   /* of the last BODY_FETCHED event */
  double last_cpu;
} Bodies;

static void
on_event (HeronAccountWorker *worker,
          HeronSyncEvent     *event,
          gpointer            user_data)
{
  Bodies *bodies = user_data;

  if (event->kind == HERON_SYNC_EVENT_BODY_FETCHED)
    {
      bodies->fetched += event->uids->len;
      bodies->last_time = g_get_monotonic_time ();
      bodies->last_cpu = cpu_seconds ();
    }
}

static double
worker_fetch (const char *dir,
              guint      *out_fetched,
              double     *out_sync,
              double     *out_cpu,
              double     *out_bodies,
              double     *out_bodies_cpu)
{
  Bodies bodies = { 0 };
  double cpu_start;
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = g_build_filename (dir, "cache.db", NULL);
  HeronAccountWorkerOptions worker_options;
  Wait synced = { 0 }, fetched = { 0 };
  gint64 start;
  double seconds;

  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (imap, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (imap, heron_test_server_get_user (server));
  heron_account_server_set_pinned_certificate_file (imap, heron_test_server_get_ca_file (server));
  heron_account_config_set_folder_sync (config, HERON_ACCOUNT_FOLDER_SYNC_LIST);
  heron_account_config_set_prefetch_days (config, 0);

  heron_account_worker_options_init (&worker_options);
  worker_options.store_path = store_path;
  worker_options.password = heron_test_server_get_password (server);
  worker_options.idle = FALSE;
  worker_options.read_timeout_ms = 300000;
  worker = heron_account_worker_new (config, &worker_options, &error);
  g_assert_no_error (error);
  g_signal_connect (worker, "event", G_CALLBACK (on_event), &bodies);
  heron_account_worker_start (worker);
  while (heron_account_worker_get_state (worker) != HERON_SYNC_STATE_ONLINE)
    g_main_context_iteration (NULL, TRUE);

  start = g_get_monotonic_time ();
  heron_account_worker_sync_folder_async (worker, "Bodies", NULL, on_done, &synced);
  if (!heron_account_worker_sync_folder_finish (worker, await (&synced), &error))
    g_error ("sync: %s", error->message);
  g_object_unref (synced.result);
  *out_sync = (g_get_monotonic_time () - start) / 1e6;

  /* (the worker may begin by itself as soon as the sync is over: either way this measures until
   * every body is in) */
  cpu_start = cpu_seconds ();
  start = g_get_monotonic_time ();
  heron_account_worker_prefetch_bodies_async (worker, "Bodies", NULL, on_done, &fetched);
  if (!heron_account_worker_prefetch_bodies_finish (worker, await (&fetched), &error))
    g_error ("prefetch: %s", error->message);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  *out_cpu = cpu_seconds () - cpu_start;
  g_object_unref (fetched.result);
  *out_fetched = bodies.fetched;
  *out_bodies = (bodies.last_time - start) / 1e6;
  *out_bodies_cpu = bodies.last_cpu - cpu_start;
  while (g_main_context_iteration (NULL, FALSE))
    ;
  heron_account_worker_stop (worker);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return seconds;
}

static const char *
load_average (void)
{
  static char text[128];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "unknown\n";
  g_strlcpy (text, contents, sizeof text);
  return text;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— body download: the worker against a raw fetch");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL;
  g_autofree char *sources = NULL;
  HeronSeedSpec spec = { .seed = 11 };
  Counts counts;
  double median, worker_seconds, sync_seconds, raw_cpu = 0, worker_cpu = 0, bodies_seconds, bodies_cpu;
  guint fetched, n_files;
  guint64 file_bytes = 0;

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
  spec.count = n_messages;
  spec.newest_date = g_get_real_time () / G_USEC_PER_SEC;
  g_print ("seeding %u messages... load average %s", n_messages, load_average ());
  if (!heron_test_server_seed (server, heron_test_server_get_user (server), "Bodies", &spec, &error))
    g_error ("seed: %s", error->message);

  raw_fetch (&counts, &raw_cpu);  /* warm-up */
  for (guint i = 0; i < n_runs; i++)
    {
      double cpu;
      double seconds = raw_fetch (&counts, &cpu);

      g_array_append_val (raw, seconds);
      raw_cpu = i == 0 ? cpu : MIN (raw_cpu, cpu);
    }
  g_array_sort (raw, compare_double);
  median = g_array_index (raw, double, raw->len / 2);
  g_print ("raw UID FETCH 1:* BODY.PEEK[]:  %u bodies, %.1f MB, min %.3f s, median %.3f s, max %.3f s (%u runs); CPU %.3f s\n",
           counts.bodies, counts.bytes / 1e6, g_array_index (raw, double, 0), median,
           g_array_index (raw, double, raw->len - 1), raw->len, raw_cpu);

  dir = g_dir_make_tmp ("heron-bench-bodies-XXXXXX", &error);
  g_assert_no_error (error);
  worker_seconds = worker_fetch (dir, &fetched, &sync_seconds, &worker_cpu, &bodies_seconds, &bodies_cpu);
  sources = g_build_filename (dir, "cache.db-sources", NULL);
  g_print ("worker first sync (summaries):  %.3f s\n", sync_seconds);
  g_print ("worker bodies into the cache:   %u bodies, %.3f s (%.0f bodies/s, %.1f MB/s); CPU %.3f s\n",
           fetched, bodies_seconds, fetched / bodies_seconds, counts.bytes / 1e6 / bodies_seconds, bodies_cpu);
  n_files = count_files (sources, &file_bytes);
  g_print ("... and their text indexed:     %.3f s; CPU %.3f s; %u sources kept as files (%.1f MB)\n",
           worker_seconds, worker_cpu, n_files, file_bytes / 1e6);
  g_print ("CPU per message (bodies):       raw %.0f us, worker %.0f us\n", raw_cpu * 1e6 / MAX (counts.bodies, 1),
           bodies_cpu * 1e6 / MAX (fetched, 1));
  g_print ("ratio worker / raw (bodies):    %.2f wall (target <= 1.3), %.2f CPU\n", bodies_seconds / median,
           bodies_cpu / raw_cpu);
  g_print ("load average at the end:        %s", load_average ());

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    (void) system (cmd);
  }
  heron_test_server_free (server);
  return 0;
}
