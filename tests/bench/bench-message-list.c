/* bench-message-list.c: HeronMessageList over a cache of 100,000 messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a cache with the seed corpus of tests/servers/seed (every message in INBOX, parsed
 * with GMime for its envelope, with body text so that rows carry snippets), then measures what
 * the message list costs the UI thread: opening a folder's list and its n-items, the first
 * screen (50 items and the properties a row shows), scrolling through every item in order
 * (holding a screen of 50 as a view does), random jumps, the same for the threaded view of a
 * fresh list (switching, first screen, scrolling through every conversation, jumps), and the
 * peak RSS of all that. Each figure is min / median / max of --runs fresh lists.
 *
 *   ninja -C BUILDDIR bench-message-list
 *   bench-message-list-bin --messages 100000 --runs 5 [--dir DIR --keep]
 *
 * With --dir pointing at a cache it made before (--keep), the fill is skipped.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "heron-seed.h"
#include "account/heron-account-config-store.h"
#include "client/heron-client-private.h"

#define BATCH    1000
#define SCREEN   50
#define MAX_TEXT 4096

static guint n_messages = 100000;
static guint n_runs = 5;
static guint n_jumps = 1000;
static char *dir_option = NULL;
static gboolean keep = FALSE;

static const GOptionEntry options[] = {
  { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages in INBOX (100000)", "N" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Fresh lists per figure (5)", "N" },
  { "jumps", 'j', 0, G_OPTION_ARG_INT, &n_jumps, "Random jumps per run (1000)", "N" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir_option, "Where the cache is or goes (a new temporary directory)", "DIR" },
  { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the cache afterwards", NULL },
  { NULL }
};

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of this thread: the test machine is shared, which wall time shows and this does not */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
print_stats (const char *label,
             GArray     *samples,
             const char *unit)
{
  g_array_sort (samples, compare_double);
  printf ("  %-46s %10.3f %10.3f %10.3f %s\n", label,
          g_array_index (samples, double, 0),
          g_array_index (samples, double, samples->len / 2),
          g_array_index (samples, double, samples->len - 1), unit);
}

static void
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "bench-message-list: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

/* The peak resident set since the last reset (VmHWM), and the reset (clear_refs 5) */
static long
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? atol (line + 6) : -1;
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? atol (line + 6) : -1;
}

static void
reset_peak_rss (void)
{
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

/* Filling */

static char *
address_list (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  return internet_address_list_to_string (list, NULL, FALSE);
}

static void
find_text (GMimeObject *parent,
           GMimeObject *part,
           gpointer     user_data)
{
  char **text = user_data;
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);

  if (*text == NULL && GMIME_IS_TEXT_PART (part) &&
      (disposition == NULL || !g_mime_content_disposition_is_attachment (disposition)) &&
      g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "plain"))
    {
      *text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
      if (*text != NULL && strlen (*text) > MAX_TEXT)
        (*text)[MAX_TEXT] = '\0';
    }
}

static HeronStoreMessage *
parse (GBytes  *bytes,
       gint64   date,
       char   **out_text)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer ((const char *) data, length);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  HeronStoreMessage *summary = heron_store_message_new ();
  InternetAddressList *from;
  GDateTime *sent;

  g_assert (message != NULL);
  summary->internal_date = date;
  sent = g_mime_message_get_date (message);
  summary->sent_date = sent != NULL ? g_date_time_to_unix (sent) : 0;
  summary->size = length;
  summary->subject = g_strdup (g_mime_message_get_subject (message));
  from = g_mime_message_get_from (message);
  if (from != NULL && internet_address_list_length (from) > 0)
    {
      InternetAddress *address = internet_address_list_get_address (from, 0);

      summary->from_name = g_strdup (internet_address_get_name (address));
      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        summary->from_address = g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
    }
  summary->to = address_list (g_mime_message_get_to (message));
  summary->cc = address_list (g_mime_message_get_cc (message));
  summary->message_id = g_strdup (g_mime_message_get_message_id (message));
  summary->in_reply_to = g_strdup (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  summary->references = g_strdup (g_mime_object_get_header (GMIME_OBJECT (message), "References"));
  summary->body_structure = g_bytes_new_take (g_strnfill (180, 'b'), 180);
  *out_text = NULL;
  g_mime_message_foreach (message, find_text, out_text);
  g_object_unref (message);
  g_object_unref (parser);
  g_object_unref (stream);
  return summary;
}

static void
fill (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronStore) store = heron_store_open (path, &error);
  HeronSeedSpec spec = { 1, 0, 0, 0, HERON_SEED_DEFAULT_OWNER };
  HeronStoreFolder info = { 0 };
  gint64 inbox;
  double t = now_ms ();

  if (store == NULL)
    die ("open", error);
  info.name = (char *) "INBOX";
  info.display_name = (char *) "INBOX";
  info.delimiter = '/';
  inbox = heron_store_add_folder (store, &info, &error);
  if (inbox == 0)
    die ("folder", error);

  spec.count = n_messages;
  for (guint first = 0; first < n_messages; first += BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      guint end = MIN (first + BATCH, n_messages);

      for (guint index = first; index < end; index++)
        {
          g_autofree char *flags = NULL;
          gint64 date;
          g_autoptr(GBytes) bytes = heron_seed_generate (&spec, index, &date, &flags);
          char *text = NULL;
          HeronStoreMessage *summary = parse (bytes, date, &text);

          summary->uid = index + 1;
          if (flags != NULL && strchr (flags, 'S') != NULL)
            summary->flags |= HERON_STORE_FLAG_SEEN;
          if (flags != NULL && strchr (flags, 'F') != NULL)
            summary->flags |= HERON_STORE_FLAG_FLAGGED;
          g_ptr_array_add (batch, summary);
          g_ptr_array_add (texts, text);
        }
      if (!heron_store_begin_batch (store, &error) ||
          !heron_store_upsert_messages (store, inbox, (HeronStoreMessage **) batch->pdata, batch->len, &error))
        die ("upsert", error);
      for (guint i = 0; i < batch->len; i++)
        if (texts->pdata[i] != NULL &&
            !heron_store_set_body_text (store, inbox, ((HeronStoreMessage *) batch->pdata[i])->uid, texts->pdata[i], &error))
          die ("text", error);
      if (!heron_store_commit_batch (store, &error))
        die ("commit", error);
      if (first % 20000 == 0)
        {
          printf ("\r  filling: %u / %u", first, n_messages);
          fflush (stdout);
        }
    }
  heron_store_close (store);
  printf ("\r  filled %u messages in %.1f s (generate, parse, insert, index)\n", n_messages, (now_ms () - t) / 1000);
}

/* Measuring */

typedef struct {
  HeronAccountConfig *config;
  const char         *store_path;
} Bench;

static HeronAccount *
make_account (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;
  HeronAccount *account;

  heron_account_worker_options_init (&options);
  options.store_path = bench->store_path;
  account = _heron_account_new (NULL, bench->config, &options, &error);
  if (account == NULL)
    die ("account", error);
  return account;
}

static void
touch_row (HeronMessage *message)
{
  /* what a row widget reads */
  volatile const char *s;

  s = heron_message_get_subject (message);
  s = heron_message_get_sender_display (message);
  s = heron_message_get_snippet (message);
  (void) heron_message_get_date (message);
  (void) heron_message_get_flags (message);
  (void) s;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- benchmark of the message list model");
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronAccountConfigStore) config_store = NULL;
  g_autoptr(GArray) open_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) screen_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scroll_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scroll_total = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) jump_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scroll_cpu_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) jump_cpu_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) open_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) screen_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) find_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_screen_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_screen_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_scroll_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_scroll_cpu_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) threaded_jump_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *config_dir = NULL;
  HeronAccountIdentity *identity;
  HeronAccountServer *server;
  Bench bench = { 0 };
  GRand *rand = g_rand_new_with_seed (7);
  long rss_before, peak_lists;
  guint n_conversations = 0;

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("options", error);
  g_mime_init ();

  dir = dir_option != NULL ? g_strdup (dir_option) : g_dir_make_tmp ("heron-bench-list-XXXXXX", &error);
  if (dir == NULL)
    die ("temporary directory", error);
  g_mkdir_with_parents (dir, 0700);
  path = g_build_filename (dir, "cache.db", NULL);
  printf ("Cache: %s\n", path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    fill (path);
  else
    printf ("  using the cache that is there\n");

  /* an account that is never started: the list reads the cache alone */
  config_dir = g_build_filename (dir, "config", NULL);
  config_store = heron_account_config_store_new_for_dirs (config_dir, dir);
  bench.config = heron_account_config_new ();
  identity = heron_account_identity_new ("Bench", "alice@example.test");
  heron_account_config_add_identity (bench.config, identity);
  g_object_unref (identity);
  server = heron_account_config_get_imap (bench.config);
  heron_account_server_set_host (server, "127.0.0.1");
  heron_account_server_set_port (server, 1);
  heron_account_server_set_user (server, "alice@example.test");
  server = heron_account_config_get_smtp (bench.config);
  heron_account_server_set_host (server, "127.0.0.1");
  heron_account_server_set_port (server, 1);
  heron_account_server_set_user (server, "alice@example.test");
  if (!heron_account_config_store_add (config_store, bench.config, &error))
    die ("config", error);
  bench.store_path = path;

  rss_before = rss_kb ();
  reset_peak_rss ();

  for (guint run = 0; run < n_runs; run++)
    {
      g_autoptr(HeronAccount) account = make_account (&bench);
      g_autoptr(GListModel) list = NULL;
      g_autoptr(GPtrArray) screen = g_ptr_array_new_with_free_func (g_object_unref);
      HeronFolder *inbox;
      double t, c;
      guint n;

      /* open: the account's reader and folder tree are the account's cost, not the list's */
      if (_heron_account_get_reader (account) == NULL)
        die ("reader", NULL);
      inbox = heron_account_lookup_folder (account, "INBOX");
      if (inbox == NULL)
        die ("INBOX", NULL);

      t = now_ms ();
      c = cpu_ms ();
      list = heron_folder_get_messages (inbox);
      n = g_list_model_get_n_items (list);
      t = now_ms () - t;
      c = cpu_ms () - c;
      g_array_append_val (open_ms, t);
      g_array_append_val (open_cpu_ms, c);
      if (n != n_messages)
        die ("n-items", NULL);

      t = now_ms ();
      c = cpu_ms ();
      for (guint i = 0; i < SCREEN; i++)
        {
          HeronMessage *item = g_list_model_get_item (list, i);

          touch_row (item);
          g_ptr_array_add (screen, item);
        }
      t = now_ms () - t;
      c = cpu_ms () - c;
      g_array_append_val (screen_ms, t);
      g_array_append_val (screen_cpu_ms, c);

      /* scrolling to the end, a screen of 50 held as a view holds it */
      t = now_ms ();
      c = cpu_ms ();
      for (guint i = SCREEN; i < n; i++)
        {
          HeronMessage *item = g_list_model_get_item (list, i);

          touch_row (item);
          g_ptr_array_remove_index (screen, 0);
          g_ptr_array_add (screen, item);
        }
      t = now_ms () - t;
      c = (cpu_ms () - c) * 1000 / (n - SCREEN);
      g_array_append_val (scroll_total, t);
      t = t * 1000 / (n - SCREEN);
      g_array_append_val (scroll_us, t);
      g_array_append_val (scroll_cpu_us, c);

      /* random jumps: a screen anywhere */
      t = now_ms ();
      c = cpu_ms ();
      for (guint j = 0; j < n_jumps; j++)
        {
          guint position = g_rand_int_range (rand, 0, n);
          g_autoptr(HeronMessage) item = g_list_model_get_item (list, position);

          touch_row (item);
        }
      t = (now_ms () - t) * 1000 / n_jumps;
      c = (cpu_ms () - c) * 1000 / n_jumps;
      g_array_append_val (jump_us, t);
      g_array_append_val (jump_cpu_us, c);

      /* finding a message (selection kept across a change) */
      {
        g_autoptr(HeronMessage) item = g_list_model_get_item (list, n / 2);

        t = now_ms ();
        if (heron_message_list_find (HERON_MESSAGE_LIST (list), item) != (gint) (n / 2))
          die ("find", NULL);
        t = now_ms () - t;
        g_array_append_val (find_ms, t);
      }

      g_ptr_array_set_size (screen, 0);
      g_clear_object (&list);

      /* the threaded view of a fresh list: switching and n-items (the folder's conversation
       * count), the first screen, scrolling through every conversation */
      list = heron_folder_get_messages (inbox);
      t = now_ms ();
      c = cpu_ms ();
      heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), TRUE);
      n_conversations = g_list_model_get_n_items (list);
      t = now_ms () - t;
      c = cpu_ms () - c;
      g_array_append_val (threaded_ms, t);
      g_array_append_val (threaded_cpu_ms, c);
      t = now_ms ();
      c = cpu_ms ();
      for (guint i = 0; i < SCREEN && i < n_conversations; i++)
        {
          HeronMessage *item = g_list_model_get_item (list, i);

          touch_row (item);
          heron_message_get_conversation_size (item);
          g_ptr_array_add (screen, item);
        }
      t = now_ms () - t;
      c = cpu_ms () - c;
      g_array_append_val (threaded_screen_ms, t);
      g_array_append_val (threaded_screen_cpu_ms, c);
      t = now_ms ();
      c = cpu_ms ();
      for (guint i = SCREEN; i < n_conversations; i++)
        {
          HeronMessage *item = g_list_model_get_item (list, i);

          touch_row (item);
          heron_message_get_conversation_size (item);
          g_ptr_array_remove_index (screen, 0);
          g_ptr_array_add (screen, item);
        }
      if (n_conversations > SCREEN)
        {
          t = (now_ms () - t) * 1000 / (n_conversations - SCREEN);
          c = (cpu_ms () - c) * 1000 / (n_conversations - SCREEN);
          g_array_append_val (threaded_scroll_us, t);
          g_array_append_val (threaded_scroll_cpu_us, c);
        }
      /* a jump anywhere */
      t = now_ms ();
      for (guint j = 0; j < n_jumps && n_conversations > 0; j++)
        {
          g_autoptr(HeronMessage) item = g_list_model_get_item (list, g_rand_int_range (rand, 0, n_conversations));

          touch_row (item);
        }
      if (n_conversations > 0)
        {
          t = (now_ms () - t) * 1000 / n_jumps;
          g_array_append_val (threaded_jump_us, t);
        }

      g_ptr_array_set_size (screen, 0);
      g_clear_object (&list);
      _heron_account_stop (account);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  peak_lists = peak_rss_kb ();

  printf ("\nHeronMessageList over INBOX, %u messages, %u runs (min / median / max)\n", n_messages, n_runs);
  printf ("wall time\n");
  print_stats ("open the list and get n-items", open_ms, "ms");
  print_stats ("first screen (50 items, row properties)", screen_ms, "ms");
  print_stats ("scroll through every item, per item", scroll_us, "us");
  print_stats ("scroll through every item, total", scroll_total, "ms");
  print_stats ("random jump (one item anywhere)", jump_us, "us");
  print_stats ("find() in the middle", find_ms, "ms");
  print_stats ("threaded: switch and get n-items", threaded_ms, "ms");
  print_stats ("threaded: first screen (50 conversations)", threaded_screen_ms, "ms");
  print_stats ("threaded: scroll through all, per item", threaded_scroll_us, "us");
  print_stats ("threaded: random jump (one item anywhere)", threaded_jump_us, "us");
  printf ("CPU time of the thread\n");
  print_stats ("open the list and get n-items", open_cpu_ms, "ms");
  print_stats ("first screen (50 items, row properties)", screen_cpu_ms, "ms");
  print_stats ("scroll through every item, per item", scroll_cpu_us, "us");
  print_stats ("random jump (one item anywhere)", jump_cpu_us, "us");
  print_stats ("threaded: switch and get n-items", threaded_cpu_ms, "ms");
  print_stats ("threaded: first screen (50 conversations)", threaded_screen_cpu_ms, "ms");
  print_stats ("threaded: scroll through all, per item", threaded_scroll_cpu_us, "us");
  printf ("  conversations: %u\n", n_conversations);
  printf ("  RSS before the lists %ld KiB; peak while they ran %ld KiB (+%ld KiB)\n",
          rss_before, peak_lists, peak_lists - rss_before);

  g_rand_free (rand);
  g_clear_object (&bench.config);
  if (!keep && dir_option == NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
      (void) g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }
  return 0;
}
