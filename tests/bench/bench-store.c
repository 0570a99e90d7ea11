/* bench-store.c: the local cache with a 100,000-message account
 *
 * Generates the corpus of tests/servers/seed (heron_seed_generate), parses each message with
 * GMime for its envelope, threading headers and the text of its first text/plain part, and puts
 * the messages in a cache: the owner's own messages in Sent, the rest in INBOX, as a first sync
 * would. Then prints
 *
 *   - the insert rate of summaries (search index and conversations on), in batches of 500,
 *   - the rate of adding body text to the index, and of storing raw sources,
 *   - the time to open the cache, count a folder, and read list windows (the first 50, one in
 *     the middle, the one after it) and a message's position,
 *   - search latency for a handful of queries (min / median / max over the runs),
 *   - the size of the database and of the raw sources,
 *   - the conversation index under one long conversation (--conversations: 2,000 and 4,000
 *     messages in one conversation, then as many in conversations of one message each): the
 *     cost of an insert per message, of marking them all read, of expunging them all; with
 *     --conversations-only nothing else runs.
 *
 * Generating and parsing the corpus is not counted in the rates (it is printed apart).
 *
 *   bench-store [--messages N] [--sources N] [--runs N] [--dir DIR] [--keep]
 *               [--conversations N,N,...] [--conversations-only]
 *
 * Build with buildtype=debugoptimized or release. Not a test: it prints figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "heron-seed.h"
#include "store/heron-store.h"

#define BATCH 500
#define MAX_TEXT (16 * 1024)

static guint n_messages = 100000;
static guint n_sources = 10000;
static guint n_runs = 20;
static char *dir_option = NULL;
static gboolean keep = FALSE;
static char *conversation_sizes = NULL;
static gboolean conversations_only = FALSE;

static const GOptionEntry options[] = {
  { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages in the account (100000)", "N" },
  { "sources", 's', 0, G_OPTION_ARG_INT, &n_sources, "Raw sources to store (10000)", "N" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Repetitions of each read (20)", "N" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir_option, "Where to put the cache (a new temporary directory)", "DIR" },
  { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the cache afterwards", NULL },
  { "conversations", 'c', 0, G_OPTION_ARG_STRING, &conversation_sizes,
    "Sizes of the long conversation runs (2000,4000; 0 for none)", "N,N" },
  { "conversations-only", 'C', 0, G_OPTION_ARG_NONE, &conversations_only, "Run only the conversation runs", NULL },
  { NULL }
};

/* One parsed message of the corpus */
typedef struct {
  HeronStoreMessage *summary;
  gboolean           sent;
  char              *text;
} Parsed;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of this thread: the machine may be busy with other work, which wall time shows and
 * this does not */
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
             GArray     *samples)
{
  g_array_sort (samples, compare_double);
  printf ("  %-44s %8.3f %8.3f %8.3f ms\n", label,
          g_array_index (samples, double, 0),
          g_array_index (samples, double, samples->len / 2),
          g_array_index (samples, double, samples->len - 1));
}

static char *
address_list (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  return internet_address_list_to_string (list, NULL, FALSE);
}

static guint
maildir_flags (const char *letters)
{
  guint flags = 0;

  for (const char *p = letters; p != NULL && *p != '\0'; p++)
    switch (*p)
      {
      case 'S': flags |= HERON_STORE_FLAG_SEEN; break;
      case 'R': flags |= HERON_STORE_FLAG_ANSWERED; break;
      case 'F': flags |= HERON_STORE_FLAG_FLAGGED; break;
      case 'T': flags |= HERON_STORE_FLAG_DELETED; break;
      case 'D': flags |= HERON_STORE_FLAG_DRAFT; break;
      default: break;
      }
  return flags;
}

typedef struct {
  char     *text;
  gboolean  attachment;
} Walk;

static void
walk_part (GMimeObject *parent,
           GMimeObject *part,
           gpointer     user_data)
{
  Walk *walk = user_data;
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);

  if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
    walk->attachment = TRUE;
  else if (walk->text == NULL && GMIME_IS_TEXT_PART (part) &&
           g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "plain"))
    {
      char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));

      if (text != NULL && strlen (text) > MAX_TEXT)
        text[MAX_TEXT] = '\0';
      walk->text = text;
    }
}

static Parsed
parse (GBytes     *bytes,
       gint64      date,
       const char *flags,
       const char *owner)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  /* GMime 3.2 has no autoptr cleanups */
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer ((const char *) data, length);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  HeronStoreMessage *summary = heron_store_message_new ();
  InternetAddressList *from;
  GDateTime *sent;
  Walk walk = { NULL, FALSE };
  Parsed parsed = { summary, FALSE, NULL };

  g_assert (message != NULL);
  summary->flags = maildir_flags (flags);
  if (flags != NULL && strchr (flags, 'P') != NULL)
    summary->keywords = g_strdup ("$Forwarded");
  summary->internal_date = date;
  sent = g_mime_message_get_date (message);
  summary->sent_date = sent != NULL ? g_date_time_to_unix (sent) : 0;
  summary->size = g_bytes_get_size (bytes);
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
  summary->reply_to = address_list (g_mime_message_get_reply_to (message));
  summary->message_id = g_strdup (g_mime_message_get_message_id (message));
  summary->in_reply_to = g_strdup (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  summary->references = g_strdup (g_mime_object_get_header (GMIME_OBJECT (message), "References"));
  /* an opaque stand-in of a serialized BODYSTRUCTURE's size */
  summary->body_structure = g_bytes_new_take (g_strnfill (180, 'b'), 180);

  g_mime_message_foreach (message, walk_part, &walk);
  summary->has_attachment = walk.attachment;
  parsed.text = walk.text;
  parsed.sent = g_strcmp0 (summary->from_address, owner) == 0;
  g_object_unref (message);
  g_object_unref (parser);
  g_object_unref (stream);
  return parsed;
}

static guint64
tree_size (const char *path)
{
  GStatBuf st;
  guint64 total = 0;

  if (g_lstat (path, &st) != 0)
    return 0;
  if (!S_ISDIR (st.st_mode))
    return st.st_size;
  {
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        total += tree_size (child);
      }
  }
  return total;
}

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "bench-store: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

/* One run of the conversation index: @n messages in INBOX, all in one conversation (@one) or
 * each in its own, a tenth of them replies in Sent; inserted in batches of BATCH (the time per
 * message), then all marked read and all expunged, each one call as a sync applies them. */
static void
conversation_run (const char *dir,
                  guint       n,
                  gboolean    one)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, one ? "long.db" : "short.db", NULL);
  g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  HeronStoreFolder info = { 0 };
  HeronStore *store;
  gint64 inbox, sent;
  double insert_ms = 0, flags_ms, expunge_ms, t;
  /* CPU time of this thread (the machine may be busy with other work) */

  heron_store_delete_files (path, NULL);
  store = heron_store_open (path, &error);
  if (store == NULL)
    die ("open", error);
  info.name = (char *) "INBOX";
  info.delimiter = '/';
  inbox = heron_store_add_folder (store, &info, &error);
  info.name = (char *) "Sent";
  info.special_use = HERON_STORE_SPECIAL_USE_SENT;
  sent = heron_store_add_folder (store, &info, &error);
  if (inbox == 0 || sent == 0)
    die ("folders", error);

  for (guint first = 1; first <= n; first += BATCH)
    {
      g_autoptr (GPtrArray) to_inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
      g_autoptr (GPtrArray) to_sent = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);

      for (guint uid = first; uid < first + BATCH && uid <= n; uid++)
        {
          HeronStoreMessage *m = heron_store_message_new ();

          m->uid = uid;
          m->internal_date = 1700000000 + (gint64) uid * 60;
          m->sent_date = m->internal_date;
          m->size = 2000;
          m->subject = g_strdup ("Build status");
          m->from_name = g_strdup ("Build bot");
          m->from_address = g_strdup ("bot@example.org");
          m->message_id = g_strdup_printf ("m%u@example.org", uid);
          m->references = one ? g_strdup ("<root@example.org>") : NULL;
          if (uid % 10 == 0)
            g_ptr_array_add (to_sent, m);
          else
            {
              gint64 u = uid;

              g_ptr_array_add (to_inbox, m);
              g_array_append_val (uids, u);
            }
        }
      t = cpu_ms ();
      if (!heron_store_upsert_messages (store, inbox, (HeronStoreMessage **) to_inbox->pdata, to_inbox->len, &error) ||
          !heron_store_upsert_messages (store, sent, (HeronStoreMessage **) to_sent->pdata, to_sent->len, &error))
        die ("upsert", error);
      insert_ms += cpu_ms () - t;
    }

  t = cpu_ms ();
  if (!heron_store_change_flags (store, inbox, (const gint64 *) uids->data, uids->len, HERON_STORE_FLAG_SEEN, 0,
                                 NULL, NULL, &error))
    die ("flags", error);
  flags_ms = cpu_ms () - t;

  t = cpu_ms ();
  if (!heron_store_remove_messages (store, inbox, (const gint64 *) uids->data, uids->len, &error))
    die ("expunge", error);
  expunge_ms = cpu_ms () - t;

  printf ("  %5u messages, %-22s %8.1f µs %10.1f ms %10.1f ms\n", n,
          one ? "one conversation" : "one conversation each", insert_ms * 1000 / n, flags_ms, expunge_ms);
  heron_store_close (store);
  g_object_unref (store);
  if (!keep)
    heron_store_delete_files (path, NULL);
}

static void
conversation_runs (const char *dir)
{
  g_auto (GStrv) sizes = g_strsplit (conversation_sizes != NULL ? conversation_sizes : "2000,4000", ",", 0);

  if (g_strcmp0 (sizes[0], "0") == 0)
    return;
  printf ("\nConversation index (INBOX, a tenth in Sent; batches of %d; CPU time)\n", BATCH);
  printf ("  %-37s %11s %13s %13s\n", "", "insert/msg", "mark all read", "expunge all");
  for (guint i = 0; sizes[i] != NULL; i++)
    {
      guint n = (guint) g_ascii_strtoull (sizes[i], NULL, 10);

      if (n == 0)
        continue;
      conversation_run (dir, n, TRUE);
      conversation_run (dir, n, FALSE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- benchmark of the local mail cache");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) text_folder = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) text_uid = g_array_new (FALSE, FALSE, sizeof (gint64));
  HeronSeedSpec spec = { 1, 0, 0, 0, HERON_SEED_DEFAULT_OWNER };
  HeronStore *store;
  HeronStoreFolder info = { 0 };
  gint64 inbox, sent;
  guint32 next_uid[2] = { 1, 1 };
  double parse_ms = 0, insert_ms = 0, text_ms = 0, source_ms = 0, t, c;
  double insert_cpu = 0, text_cpu = 0, source_cpu = 0;
  guint64 source_bytes = 0;
  guint n_inbox = 0;
  char *sender_name = NULL;

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("options", error);
  g_mime_init ();

  dir = dir_option != NULL ? g_strdup (dir_option) : g_dir_make_tmp ("heron-bench-store-XXXXXX", &error);
  if (dir == NULL)
    die ("temporary directory", error);
  path = g_build_filename (dir, "cache.db", NULL);
  heron_store_delete_files (path, NULL);

  if (conversations_only)
    {
      conversation_runs (dir);
      if (!keep && dir_option == NULL)
        remove_tree (dir);
      g_free (dir_option);
      return 0;
    }

  printf ("Cache: %s\nMessages: %u of the seed corpus (seed 1), raw sources for %u\n\n", path, n_messages, n_sources);

  store = heron_store_open (path, &error);
  if (store == NULL)
    die ("open", error);
  info.name = (char *) "INBOX";
  info.delimiter = '/';
  inbox = heron_store_add_folder (store, &info, &error);
  info.name = (char *) "Sent";
  info.special_use = HERON_STORE_SPECIAL_USE_SENT;
  sent = heron_store_add_folder (store, &info, &error);
  if (inbox == 0 || sent == 0)
    die ("folders", error);

  /* Summaries, batch by batch; only the store calls are timed */
  spec.count = n_messages;
  for (guint first = 0; first < n_messages; first += BATCH)
    {
      g_autoptr (GPtrArray) to_inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
      g_autoptr (GPtrArray) to_sent = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
      GPtrArray *batch[2] = { to_inbox, to_sent };
      guint end = MIN (first + BATCH, n_messages);

      t = now_ms ();
      for (guint index = first; index < end; index++)
        {
          g_autofree char *flags = NULL;
          gint64 date;
          g_autoptr (GBytes) bytes = heron_seed_generate (&spec, index, &date, &flags);
          Parsed parsed = parse (bytes, date, flags, HERON_SEED_DEFAULT_OWNER);
          int which = parsed.sent ? 1 : 0;
          gint64 folder = parsed.sent ? sent : inbox;
          gint64 uid = next_uid[which]++;

          parsed.summary->uid = uid;
          g_ptr_array_add (batch[which], parsed.summary);
          if (parsed.text != NULL)
            {
              g_ptr_array_add (texts, parsed.text);
              g_array_append_val (text_folder, folder);
              g_array_append_val (text_uid, uid);
            }
          if (sender_name == NULL && !parsed.sent && parsed.summary->from_name != NULL &&
              strchr (parsed.summary->from_name, ' ') != NULL)
            sender_name = g_strdup (parsed.summary->from_name);
        }
      parse_ms += now_ms () - t;

      t = now_ms ();
      c = cpu_ms ();
      if (!heron_store_upsert_messages (store, inbox, (HeronStoreMessage **) batch[0]->pdata, batch[0]->len, &error) ||
          !heron_store_upsert_messages (store, sent, (HeronStoreMessage **) batch[1]->pdata, batch[1]->len, &error))
        die ("upsert", error);
      insert_ms += now_ms () - t;
      insert_cpu += cpu_ms () - c;
      n_inbox += batch[0]->len;
    }

  printf ("Writing (the writer, one transaction per batch of %d)\n", BATCH);
  printf ("  generate + parse with GMime (not counted)    %8.0f ms  (%.0f messages/s)\n", parse_ms, n_messages / parse_ms * 1000);
  printf ("  %-44s %8s %12s %12s\n", "", "wall", "rows/s", "rows/s (CPU)");
  printf ("  insert summaries (index + conversations)     %6.0f ms %12.0f %12.0f\n", insert_ms,
          n_messages / insert_ms * 1000, n_messages / insert_cpu * 1000);

  /* Body text for the index, as a body prefetch would add it */
  t = now_ms ();
  c = cpu_ms ();
  for (guint i = 0; i < texts->len; i++)
    {
      if (i % BATCH == 0 && !heron_store_begin_batch (store, &error))
        die ("batch", error);
      if (!heron_store_set_body_text (store, g_array_index (text_folder, gint64, i), g_array_index (text_uid, gint64, i),
                                      texts->pdata[i], &error))
        die ("body text", error);
      if ((i % BATCH == BATCH - 1 || i == texts->len - 1) && !heron_store_commit_batch (store, &error))
        die ("commit", error);
    }
  text_ms = now_ms () - t;
  text_cpu = cpu_ms () - c;
  {
    guint64 text_bytes = 0;

    for (guint i = 0; i < texts->len; i++)
      text_bytes += strlen (texts->pdata[i]);
    printf ("  add body text to the index (%.1f MB)        %6.0f ms %12.0f %12.0f\n", text_bytes / 1e6, text_ms,
            texts->len / text_ms * 1000, texts->len / text_cpu * 1000);
  }

  /* Raw sources: generated outside the timing, written in 64 KiB chunks */
  for (guint index = 0, stored = 0; index < n_messages && stored < MIN (n_sources, n_messages); index++)
    {
      g_autoptr (GBytes) bytes = heron_seed_generate (&spec, index, NULL, NULL);
      g_autoptr (HeronStoreSourceWriter) writer = NULL;
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);

      /* the inbox's first messages, by UID: index order within the inbox */
      if (stored % BATCH == 0 && !heron_store_begin_batch (store, &error))
        die ("batch", error);
      t = now_ms ();
      c = cpu_ms ();
      writer = heron_store_source_writer_new (store, &error);
      for (gsize offset = 0; writer != NULL && offset < size; offset += 65536)
        if (!heron_store_source_writer_write (writer, data + offset, MIN (65536, size - offset), &error))
          die ("source", error);
      if (writer == NULL || !heron_store_source_writer_close (writer, &error))
        die ("source", error);
      /* attach to the UID this index got; the text phase recorded (folder, uid) in index order
       * only for messages with text, so look it up by Message-ID */
      {
        g_autofree char *id = heron_seed_message_id (&spec, index);
        g_autoptr (GArray) where = heron_store_lookup_message_id (store, id, &error);

        if (where == NULL || where->len == 0)
          die ("lookup", error);
        if (!heron_store_set_body (store, g_array_index (where, HeronStoreMessageRef, 0).folder_id,
                                   g_array_index (where, HeronStoreMessageRef, 0).uid, writer, NULL, &error))
          die ("set body", error);
      }
      stored++;
      if ((stored % BATCH == 0 || stored == MIN (n_sources, n_messages)) && !heron_store_commit_batch (store, &error))
        die ("commit", error);
      source_ms += now_ms () - t;
      source_cpu += cpu_ms () - c;
      source_bytes += size;
    }
  if (n_sources > 0)
    printf ("  store raw sources (%.0f MB, in 64 KiB writes)  %6.0f ms %12.0f %12.0f   (%.0f MB/s)\n", source_bytes / 1e6,
            source_ms, MIN (n_sources, n_messages) / source_ms * 1000, MIN (n_sources, n_messages) / source_cpu * 1000,
            source_bytes / source_ms / 1000);

  heron_store_close (store);
  g_object_unref (store);

  /* ---- Reading ---- */
  printf ("\nReading (a reader on the cache just written; %u runs: min / median / max)\n", n_runs);
  {
    g_autoptr (GArray) open_writer = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) open_count = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) middle = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) next = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) position = g_array_new (FALSE, FALSE, sizeof (double));
    HeronStoreReader *reader = NULL;
    guint count = 0;
    gint64 middle_uid = 0;

    for (guint run = 0; run < n_runs; run++)
      {
        g_autoptr (GPtrArray) rows = NULL;
        gint pos;

        t = now_ms ();
        store = heron_store_open (path, &error);
        if (store == NULL)
          die ("open", error);
        g_array_append_val (open_writer, (double) { now_ms () - t });
        g_object_unref (store);

        t = now_ms ();
        reader = heron_store_reader_open (path, &error);
        if (reader == NULL || !heron_store_reader_count_messages (reader, inbox, &count, &error))
          die ("reader", error);
        g_array_append_val (open_count, (double) { now_ms () - t });

        t = now_ms ();
        rows = heron_store_reader_get_rows (reader, inbox, 0, 50, &error);
        g_array_append_val (first, (double) { now_ms () - t });
        if (rows == NULL || rows->len != 50)
          die ("rows", error);
        g_clear_pointer (&rows, g_ptr_array_unref);

        t = now_ms ();
        rows = heron_store_reader_get_rows (reader, inbox, count / 2, 50, &error);
        g_array_append_val (middle, (double) { now_ms () - t });
        if (rows == NULL || rows->len != 50)
          die ("rows", error);
        middle_uid = ((HeronStoreMessage *) rows->pdata[25])->uid;
        g_clear_pointer (&rows, g_ptr_array_unref);

        t = now_ms ();
        rows = heron_store_reader_get_rows (reader, inbox, count / 2 + 50, 50, &error);
        g_array_append_val (next, (double) { now_ms () - t });
        if (rows == NULL || rows->len != 50)
          die ("rows", error);

        t = now_ms ();
        if (!heron_store_reader_find_position (reader, inbox, middle_uid, &pos, &error) || pos != (gint) (count / 2 + 25))
          die ("position", error);
        g_array_append_val (position, (double) { now_ms () - t });

        if (run + 1 < n_runs)
          g_clear_object (&reader);
      }

    printf ("  INBOX: %u messages, Sent: %u\n", count, n_messages - n_inbox);
    print_stats ("open the writer (migrations checked)", open_writer);
    print_stats ("open a reader and count INBOX", open_count);
    print_stats ("rows [0, 50)", first);
    print_stats ("rows [n/2, n/2 + 50) (a jump)", middle);
    print_stats ("rows [n/2 + 50, n/2 + 100) (continuing)", next);
    print_stats ("position of a message in the middle", position);

    /* ---- Search ---- */
    {
      g_autofree char *sender_query = g_strdup (sender_name != NULL ? sender_name : "Müller");
      const char *queries[][2] = {
        { "sender name", sender_query },
        { "address", "example.com" },
        { "subject word", "meeting" },
        { "body word", "tomorrow" },
        { "prefix", "conf" },
        { "two words", "project update" },
        { "phrase", "\"let me know\"" },
        { "non-ASCII, folded", "muller" },
        { "rare word", "zyzzyva" },
        { "common word", "the" },
      };

      printf ("\nSearch (all folders, 50 newest hits; %u runs: min / median / max)\n", n_runs);
      for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
        {
          g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
          g_autofree char *label = NULL;
          guint hits = 0;

          for (guint run = 0; run < n_runs; run++)
            {
              g_autoptr (GArray) result = NULL;

              t = now_ms ();
              result = heron_store_reader_search (reader, queries[q][1], 0, 50, &error);
              g_array_append_val (samples, (double) { now_ms () - t });
              if (result == NULL)
                die ("search", error);
              hits = result->len;
            }
          label = g_strdup_printf ("%s: %s (%u)", queries[q][0], queries[q][1], hits);
          print_stats (label, samples);
        }
      {
        g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

        for (guint run = 0; run < n_runs; run++)
          {
            g_autoptr (GArray) result = NULL;

            t = now_ms ();
            result = heron_store_reader_search (reader, "the", inbox, 50, &error);
            g_array_append_val (samples, (double) { now_ms () - t });
            if (result == NULL)
              die ("search", error);
          }
        print_stats ("common word, INBOX only: the", samples);
      }
    }
    g_clear_object (&reader);
  }

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *sources = g_strconcat (path, "-sources", NULL);

    printf ("\nSize\n");
    printf ("  database %.1f MB (+ WAL %.1f MB), %.0f bytes per message\n", tree_size (path) / 1e6, tree_size (wal) / 1e6,
            (double) tree_size (path) / n_messages);
    printf ("  raw sources %.1f MB for %u messages\n", tree_size (sources) / 1e6, MIN (n_sources, n_messages));
  }

  conversation_runs (dir);

  if (!keep && dir_option == NULL)
    remove_tree (dir);
  g_free (sender_name);
  g_free (dir_option);
  return 0;
}
