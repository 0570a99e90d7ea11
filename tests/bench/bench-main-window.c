/* bench-main-window.c: the main window on a folder of 100,000 messages.
 *
 * Prints the time from the application's start to the first message rows painted from the
 * cache, and the process's resident memory with that folder open, then while and after the
 * list is scrolled from end to end (the list model reads only the rows asked for, so memory
 * must not grow with the folder). A program that prints figures, not a timed test.
 *
 * Run inside tests/harness/heron-test-session --display (a keyring and Xvfb), with the build's
 * compiled settings schema:
 *   GSETTINGS_SCHEMA_DIR=BUILDDIR/data heron-test-session --display -- \
 *     BUILDDIR/tests/bench/bench-main-window-bin [--count N] [--runs R] [--no-scroll]
 * The folder is seeded and synced once; the measured start is then made R times, each a process
 * of its own. HERON_BENCH_WRAPPER (a command line, e.g. "perf record -g -o perf.data") runs the
 * measured processes under that command.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <malloc.h>
#include <time.h>

#include "heron-application.h"
#include "heron-test-server.h"
#include "heron-window.h"

static HeronTestServer *server;
static const char *user;
static char *account_id;
static guint count = 100000;
static gboolean measure_only;
static gboolean flat;
static gboolean no_scroll;
static guint runs = 1;

/* Resident memory of this process in KiB (VmRSS of /proc/self/status). */
static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

/* Resident memory in KiB of the mappings of the GL driver's code (Mesa's llvmpipe under Xvfb
 * compiles its shaders with LLVM), from /proc/self/smaps: the machine's, not Heron's. */
static guint64
gl_driver_rss_kib (void)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean driver = FALSE;
  guint64 total = 0;

  if (!g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return 0;
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL && strchr (line, ' ') != NULL)
        driver = strstr (line, "/libLLVM") != NULL || strstr (line, "_dri.so") != NULL ||
                 strstr (line, "/libgallium") != NULL;
      else if (driver && g_str_has_prefix (line, "Rss:"))
        total += g_ascii_strtoull (line + 4, NULL, 10);
    }
  return total;
}

/* CPU time of the calling thread in ms (the main thread here, since the process started): on a
 * machine shared with other work it is steadier than the wall time. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1000000.0;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_until (Condition   condition,
            gpointer    data,
            guint       limit_s,
            const char *what)
{
  gint64 end = g_get_monotonic_time () + (gint64) limit_s * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("Gave up waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      if (!condition (data))
        g_usleep (1000);
    }
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
store_secret_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!heron_secrets_store_finish (result, &error))
    g_error ("Cannot store the password: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
setup_account (void)
{
  g_autoptr(HeronAccountConfigStore) store = heron_account_config_store_new ();
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("Alice", user);
  g_autoptr(GError) error = NULL;
  HeronAccountServer *servers[2];
  gboolean stored = FALSE;

  heron_account_config_add_identity (config, identity);
  servers[0] = heron_account_config_get_imap (config);
  servers[1] = heron_account_config_get_smtp (config);
  for (guint i = 0; i < 2; i++)
    {
      heron_account_server_set_host (servers[i], heron_test_server_get_host (server));
      heron_account_server_set_port (servers[i], i == 0 ? heron_test_server_get_imap_port (server) : 587);
      heron_account_server_set_security (servers[i], HERON_ACCOUNT_SECURITY_STARTTLS);
      heron_account_server_set_auth (servers[i], HERON_ACCOUNT_AUTH_PASSWORD);
      heron_account_server_set_user (servers[i], user);
      heron_account_server_set_pinned_certificate_file (servers[i], heron_test_server_get_ca_file (server));
    }
  if (!heron_account_config_store_load (store, NULL, &error) ||
      !heron_account_config_store_add (store, config, &error))
    g_error ("Cannot add the account: %s", error->message);
  account_id = g_strdup (heron_account_config_get_id (config));
  heron_secrets_store_async (account_id, heron_account_server_get_protocol (servers[0]),
                             heron_account_server_get_host (servers[0]), user,
                             heron_test_server_get_password (server), NULL, store_secret_done, &stored);
  wait_until (flag_is_set, &stored, 30, "the keyring");
}

static HeronAccount *
get_account (HeronApplication *app)
{
  /* The manager starts with the application. */
  return heron_account_manager_lookup (heron_application_get_account_manager (app), account_id);
}

static gboolean
inbox_synced (gpointer data)
{
  static HeronMessageList *cached;
  HeronAccount *account = get_account (HERON_APPLICATION (data));
  HeronFolder *inbox = account != NULL ? heron_account_lookup_folder (account, "INBOX") : NULL;

  if (inbox == NULL)
    return FALSE;
  /* The messages in the cache: a list of its own, not threaded (the window's may be, and the
   * folder's total count is the server's until the folder was synced). */
  if (cached == NULL)
    cached = heron_message_list_new_merged (&inbox, 1);
  return g_list_model_get_n_items (G_LIST_MODEL (cached)) >= count &&
         heron_account_get_state (account) == HERON_SYNC_STATE_ONLINE &&
         !heron_account_get_busy (account);
}

/* First run: the first sync fills the cache. */
static void
on_activate_sync (GApplication *app,
                  gpointer      user_data)
{
  gint64 start = g_get_monotonic_time ();

  wait_until (inbox_synced, app, 1800, "the first sync of INBOX");
  g_print ("first sync of %u messages: %.1f s\n", count,
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static gint64 run_start;

static gboolean
inbox_known (gpointer data)
{
  HeronAccount *account = get_account (HERON_APPLICATION (data));

  return account != NULL && heron_account_lookup_folder (account, "INBOX") != NULL;
}

typedef struct {
  GtkWidget *window;
  gboolean   drawn;
} FrameWait;

static void
on_after_paint (GdkFrameClock *clock,
                FrameWait     *wait)
{
  wait->drawn = TRUE;
}

static gboolean
frame_drawn (gpointer data)
{
  return ((FrameWait *) data)->drawn;
}

/* Second run: from the cache. */
static void
on_activate_measure (GApplication *app,
                     gpointer      user_data)
{
  HeronWindow *window = HERON_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  HeronMessageListView *list = heron_window_get_message_list_view (window);
  GtkScrolledWindow *scrolled = heron_message_list_view_get_scrolled_window (list);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  GdkFrameClock *clock;
  FrameWait frame = { GTK_WIDGET (window), FALSE };
  guint64 rss_open, rss_peak = 0, rss_end;
  gint64 painted, scroll_start;
  double upper;
  gulong id;
  guint steps = 0;

  g_print ("start to window shown: %.0f ms\n", (g_get_monotonic_time () - run_start) / 1000.0);
  wait_until (inbox_known, app, 60, "INBOX");
  g_print ("start to INBOX known: %.0f ms\n", (g_get_monotonic_time () - run_start) / 1000.0);
  heron_window_show_folder (window, heron_account_lookup_folder (get_account (HERON_APPLICATION (app)), "INBOX"));
  g_print ("start to INBOX shown: %.0f ms\n", (g_get_monotonic_time () - run_start) / 1000.0);
  g_assert (g_list_model_get_n_items (heron_message_list_view_get_model (list)) > 0);

  /* The first frame after the list got its rows. */
  gtk_widget_realize (GTK_WIDGET (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &frame);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  wait_until (frame_drawn, &frame, 60, "the first frame");
  g_signal_handler_disconnect (clock, id);
  painted = g_get_monotonic_time ();
  g_print ("start to first rows painted: %.0f ms, main thread CPU %.0f ms (%u messages in the list)\n",
           (painted - run_start) / 1000.0, thread_cpu_ms (),
           g_list_model_get_n_items (heron_message_list_view_get_model (list)));

  rss_open = rss_kib ();
  g_print ("resident memory with the folder open: %.1f MB (of which the GL driver's code: %.1f MB)\n",
           rss_open / 1024.0, gl_driver_rss_kib () / 1024.0);
  if (no_scroll)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
      return;
    }

  /* Scroll from the top to the end, a page at a time, letting each frame draw. */
  scroll_start = g_get_monotonic_time ();
  upper = gtk_adjustment_get_upper (adjustment);
  while (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) < gtk_adjustment_get_upper (adjustment) - 1)
    {
      double value = gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) * 10;

      gtk_adjustment_set_value (adjustment, value);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      steps++;
      if (steps % 200 == 0)
        rss_peak = MAX (rss_peak, rss_kib ());
    }
  rss_end = rss_kib ();
  rss_peak = MAX (rss_peak, rss_end);
  g_print ("scrolled end to end (%.0f px, %u steps) in %.1f s\n", upper, steps,
           (g_get_monotonic_time () - scroll_start) / (double) G_USEC_PER_SEC);
  g_print ("resident memory while scrolling (peak): %.1f MB; at the end: %.1f MB (growth %.1f MB)\n",
           rss_peak / 1024.0, rss_end / 1024.0, ((double) rss_end - (double) rss_open) / 1024.0);
  /* What of the growth is memory the allocator holds free (a diagnosis, after the figures) */
  malloc_trim (0);
  g_print ("  after malloc_trim(): %.1f MB\n", rss_kib () / 1024.0);

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— the main window on a large folder");
  g_autoptr(HeronApplication) measured_app = NULL;
  const GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Messages in INBOX (default 100000)", "N" },
    { "flat", 0, 0, G_OPTION_ARG_NONE, &flat, "Without the conversation view", NULL },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Measured starts (default 1)", "R" },
    { "no-scroll", 0, 0, G_OPTION_ARG_NONE, &no_scroll, "Only the start, no scrolling", NULL },
    { "measure", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &measure_only, "Only measure (the child process)", NULL },
    { "account", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &account_id, "The account (with --measure)", "ID" },
    { NULL }
  };
  HeronSeedSpec spec = { .seed = 1, .first_index = 0, .count = 0, .newest_date = 0 };
  char *app_argv[] = { (char *) "bench-main-window", NULL };
  g_autofree char *self_path = NULL;
  gint64 start_time = g_get_monotonic_time ();
  gint64 start;
  guint failed = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  /* Made before GTK starts, as main() does: it chooses the renderer (no GPU, no GL). */
  if (measure_only)
    measured_app = heron_application_new ();
  gtk_init ();
  adw_init ();
  /* No notification server in the session. */
  g_settings_set_boolean (g_settings_new (HERON_APP_ID), "notify-new-mail", FALSE);
  g_settings_set_boolean (g_settings_new (HERON_APP_ID), "conversation-view", !flat);

  if (measure_only)
    {
      g_autoptr(HeronApplication) app = g_steal_pointer (&measured_app);

      /* Started by the first process, which keeps the server running. */
      g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_measure), NULL);
      run_start = start_time;
      g_application_run (G_APPLICATION (app), 1, app_argv);
      return 0;
    }

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    g_error ("%s", error->message);
  user = heron_test_server_get_user (server);
  spec.count = count;
  spec.owner_address = user;
  start = g_get_monotonic_time ();
  if (!heron_test_server_seed (server, user, "INBOX", &spec, &error))
    g_error ("%s", error->message);
  g_print ("seeded %u messages in %.1f s\n", count, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  setup_account ();

  {
    g_autoptr(HeronApplication) app = heron_application_new ();

    g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_sync), NULL);
    g_application_run (G_APPLICATION (app), 1, app_argv);
  }

  /* The measured start is a process of its own, as a person starts Heron: nothing of the first
   * run is in its memory. */
  for (guint run = 0; run < MAX (runs, 1); run++)
    {
      g_autofree char *count_arg = g_strdup_printf ("--count=%u", count);
      g_autofree char *account_arg = g_strdup_printf ("--account=%s", account_id);
      g_auto(GStrv) wrapper = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) child_argv = NULL;
      const char *wrapper_line = g_getenv ("HERON_BENCH_WRAPPER");
      int wait_status;

      if (wrapper_line != NULL && *wrapper_line != '\0' &&
          !g_shell_parse_argv (wrapper_line, NULL, &wrapper, &error))
        g_error ("HERON_BENCH_WRAPPER: %s", error->message);
      if (wrapper != NULL)
        g_strv_builder_addv (builder, (const char **) wrapper);
      g_strv_builder_add_many (builder, self_path, "--measure", count_arg, account_arg, NULL);
      if (flat)
        g_strv_builder_add (builder, "--flat");
      if (no_scroll)
        g_strv_builder_add (builder, "--no-scroll");
      child_argv = g_strv_builder_end (builder);

      if (runs > 1)
        g_print ("run %u of %u\n", run + 1, runs);
      /* A run that fails (a crash while scrolling) is reported and the others still run. */
      if (!g_spawn_sync (NULL, child_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                         &wait_status, &error) ||
          !g_spawn_check_wait_status (wait_status, &error))
        {
          g_printerr ("The measuring run %u failed: %s\n", run + 1, error->message);
          g_clear_error (&error);
          failed++;
        }
    }

  heron_test_server_free (server);
  return failed > 0 ? 1 : 0;
}
