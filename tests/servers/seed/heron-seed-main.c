/* heron-seed-main.c: command line front end of the seeding tool.
 *
 *   heron-seed --maildir DIR --count N [--seed S] [--first I] [--owner ADDR] [--newest UNIXTIME]
 *              [--jobs J]
 *   heron-seed --print INDEX [--seed S] [--first I] [--count N] [--owner ADDR] [--newest T]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed.h"

#include <locale.h>
#include <stdio.h>

typedef struct {
  const char          *maildir;
  const HeronSeedSpec *spec;
  guint                first;
  guint                count;
  guint64              bytes;
  GError              *error;
} Chunk;

static gpointer
write_chunk (gpointer data)
{
  Chunk *chunk = data;

  heron_seed_write_maildir_range (chunk->maildir, chunk->spec, chunk->first, chunk->count,
                                  &chunk->bytes, &chunk->error);
  return NULL;
}

static gboolean
parse_u64 (const char *option, const char *text, guint64 max, guint64 *out)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, out, &error))
    {
      g_printerr ("heron-seed: %s: %s\n", option, error->message);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *maildir = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *newest_text = NULL;
  g_autofree char *print_text = NULL;
  g_autofree char *jobs_text = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "maildir", 'm', 0, G_OPTION_ARG_FILENAME, &maildir, "Maildir folder to write into", "DIR" },
    { "count", 'n', 0, G_OPTION_ARG_STRING, &count_text, "Number of messages", "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text, "Seed of the corpus (default 1)", "S" },
    { "first", 'f', 0, G_OPTION_ARG_STRING, &first_text, "Index of the first message (default 0)",
      "I" },
    { "owner", 'o', 0, G_OPTION_ARG_STRING, &owner,
      "Address of the mailbox owner (default " HERON_SEED_DEFAULT_OWNER ")", "ADDR" },
    { "newest", 0, 0, G_OPTION_ARG_STRING, &newest_text,
      "Unix time of the newest message (default 2024-11-14 09:30 UTC)", "UNIXTIME" },
    { "print", 'p', 0, G_OPTION_ARG_STRING, &print_text, "Print message INDEX to standard output",
      "INDEX" },
    { "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_text,
      "Threads writing in parallel (default: one per processor)", "J" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not print the summary", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  HeronSeedSpec spec = { 1, 0, 0, 0, NULL };
  guint64 value;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- write a deterministic corpus of mail messages");
  g_option_context_set_summary (context,
    "Writes realistic test messages into a Maildir folder (--maildir DIR --count N), or prints\n"
    "one of them (--print INDEX). The same seed and index always give the same bytes.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("heron-seed: %s\n", error->message);
      return 1;
    }
  if (argc > 1)
    {
      g_printerr ("heron-seed: unexpected argument “%s”\n", argv[1]);
      return 1;
    }

  value = 1;
  if (!parse_u64 ("--seed", seed_text, G_MAXUINT64, &value))
    return 1;
  spec.seed = value;
  value = 0;
  if (!parse_u64 ("--first", first_text, G_MAXUINT, &value))
    return 1;
  spec.first_index = (guint) value;
  value = 0;
  if (!parse_u64 ("--count", count_text, G_MAXUINT - spec.first_index, &value))
    return 1;
  spec.count = (guint) value;
  value = 0;
  if (!parse_u64 ("--newest", newest_text, G_MAXINT64, &value))
    return 1;
  spec.newest_date = (gint64) value;
  spec.owner_address = owner;

  if (print_text != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;
      gsize size;
      const char *data;

      if (!parse_u64 ("--print", print_text, G_MAXUINT, &value))
        return 1;
      if (maildir != NULL)
        {
          g_printerr ("heron-seed: --print and --maildir exclude each other\n");
          return 1;
        }
      /* Without a range, the printed message is the newest of the corpus 0 .. INDEX. */
      if (count_text == NULL)
        spec.count = (guint) (value + 1 - MIN (value, spec.first_index));
      bytes = heron_seed_generate (&spec, (guint) value, NULL, NULL);
      data = g_bytes_get_data (bytes, &size);
      if (fwrite (data, 1, size, stdout) != size || fflush (stdout) != 0)
        {
          g_printerr ("heron-seed: cannot write to standard output\n");
          return 1;
        }
      return 0;
    }

  if (maildir == NULL || count_text == NULL)
    {
      g_printerr ("heron-seed: give --maildir DIR and --count N, or --print INDEX "
                  "(see --help)\n");
      return 1;
    }

  {
    guint64 jobs = g_get_num_processors ();
    gint64 start = g_get_monotonic_time ();
    g_autofree Chunk *chunks = NULL;
    g_autofree GThread **threads = NULL;
    guint64 bytes = 0;
    gboolean ok = TRUE;
    double seconds;

    if (!parse_u64 ("--jobs", jobs_text, 256, &jobs))
      return 1;
    jobs = CLAMP (jobs, 1, MAX (spec.count, 1));

    /* Creates the folders, so the threads do not race for them. */
    if (!heron_seed_write_maildir_range (maildir, &spec, spec.first_index, 0, NULL, &error))
      {
        g_printerr ("heron-seed: %s\n", error->message);
        return 1;
      }

    chunks = g_new0 (Chunk, jobs);
    threads = g_new0 (GThread *, jobs);
    for (guint64 j = 0; j < jobs; j++)
      {
        guint begin = (guint) (spec.count * j / jobs);
        guint end = (guint) (spec.count * (j + 1) / jobs);

        chunks[j].maildir = maildir;
        chunks[j].spec = &spec;
        chunks[j].first = spec.first_index + begin;
        chunks[j].count = end - begin;
        if (jobs == 1)
          write_chunk (&chunks[j]);
        else
          threads[j] = g_thread_new ("heron-seed", write_chunk, &chunks[j]);
      }
    for (guint64 j = 0; j < jobs; j++)
      {
        if (threads[j] != NULL)
          g_thread_join (threads[j]);
        bytes += chunks[j].bytes;
        if (chunks[j].error != NULL)
          {
            if (ok)
              g_printerr ("heron-seed: %s\n", chunks[j].error->message);
            ok = FALSE;
            g_clear_error (&chunks[j].error);
          }
      }
    if (!ok)
      return 1;

    seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
    if (!quiet)
      g_printerr ("heron-seed: wrote %u messages, %.1f MB, in %.2f s with %u thread%s "
                  "(%.0f messages/s, %.0f MB/s)\n",
                  spec.count, (double) bytes / 1e6, seconds, (guint) jobs, jobs == 1 ? "" : "s",
                  spec.count / MAX (seconds, 1e-6), (double) bytes / 1e6 / MAX (seconds, 1e-6));
  }
  return 0;
}
