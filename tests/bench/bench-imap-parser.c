/* bench-imap-parser.c: throughput of the IMAP response parser
 *
 * Parses a stream of FETCH responses in 64 KiB chunks, as the connection hands them over, and
 * prints MB/s and responses/s (min / median / max over the runs). The stream is either generated
 * in memory in the shape Dovecot 2.3 answers
 *   UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)
 * (plain, alternative, mixed with attachments, nested message/rfc822 and related parts; encoded
 * words and raw 8-bit subjects sent as literals), or read from a recorded file.
 *
 *   bench-imap-parser [--messages N] [--runs N] [--chunk BYTES] [--write FILE] [RECORDED-FILE]
 *
 * Build with buildtype=debugoptimized or release. Not a test: it prints figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/heron-imap-parser.h"

static const char * const first_names[] = {
  "Alice", "Bob", "Chlo\xc3\xa9", "Dmitri", "Eve", "Fran\xc3\xa7ois", "Grace", "Hiro", "Ines",
  "J\xc3\xbcrgen", "Kwame", "Lena", "Mateo", "Noor", "Olga", "Priya",
};
static const char * const last_names[] = {
  "Smith", "Nguyen", "Garcia", "M\xc3\xbcller", "Okafor", "Rossi", "Tanaka", "Dubois",
};
static const char * const domains[] = {
  "example.com", "mail.example.org", "lists.freedesktop.org", "gnome.org", "corp.example.net",
};
static const char * const words[] = {
  "meeting", "notes", "review", "patch", "release", "build", "failure", "weekly", "report",
  "invoice", "travel", "plans", "question", "about", "the", "new", "design", "update",
  "GTK", "libadwaita", "schedule", "draft", "budget", "feedback", "lunch", "tomorrow",
};
static const char * const flag_sets[] = {
  "(\\Seen)", "(\\Seen)", "(\\Seen)", "()", "(\\Seen \\Answered)", "(\\Seen $Forwarded)",
  "(\\Flagged \\Seen)", "($Junk)", "(\\Seen \\Answered $label1)", "(\\Deleted \\Seen)",
};
static const char * const months[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static guint32
pick (GRand *rand,
      guint  n)
{
  return g_rand_int_range (rand, 0, n);
}

/* A quoted string as Dovecot sends it, or a literal for 8-bit text. */
static void
append_string (GString    *out,
               const char *s)
{
  gboolean eightbit = FALSE;

  for (const char *p = s; *p; p++)
    if ((guchar) *p >= 0x80)
      eightbit = TRUE;
  if (eightbit)
    {
      g_string_append_printf (out, "{%zu}\r\n%s", strlen (s), s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
encoded_word (const char *utf8)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) utf8, strlen (utf8));
  return g_strdup_printf ("=?UTF-8?B?%s?=", b64);
}

static void
append_address (GString *out,
                GRand   *rand)
{
  const char *first = first_names[pick (rand, G_N_ELEMENTS (first_names))];
  const char *last = last_names[pick (rand, G_N_ELEMENTS (last_names))];
  g_autofree char *full = g_strdup_printf ("%s %s", first, last);
  g_autofree char *local = g_ascii_strdown (first, 1);
  g_autofree char *name = NULL;

  /* Dovecot sends the display name as in the header: encoded words stay encoded */
  if (pick (rand, 5) == 0)
    name = NULL;
  else if (!g_utf8_validate (full, -1, NULL) || strchr (full, '\xc3') != NULL)
    name = encoded_word (full);
  else
    name = g_strdup (full);

  g_string_append_c (out, '(');
  if (name != NULL)
    append_string (out, name);
  else
    g_string_append (out, "NIL");
  g_string_append_printf (out, " NIL \"%s.%c%u\" \"%s\")", local, g_ascii_tolower (last[0]),
                          pick (rand, 100), domains[pick (rand, G_N_ELEMENTS (domains))]);
}

static void
append_address_list (GString *out,
                     GRand   *rand,
                     guint    n)
{
  g_string_append_c (out, '(');
  for (guint i = 0; i < n; i++)
    append_address (out, rand);
  g_string_append_c (out, ')');
}

static char *
make_subject (GRand *rand)
{
  g_autoptr(GString) s = g_string_new (NULL);
  guint n = 3 + pick (rand, 7);

  if (pick (rand, 3) == 0)
    g_string_append (s, "Re: ");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? " " : "", words[pick (rand, G_N_ELEMENTS (words))]);

  switch (pick (rand, 10))
    {
    case 0:
    case 1:
      {
        /* an encoded word, as most non-ASCII subjects arrive */
        g_autofree char *enc = encoded_word ("R\xc3\xa9sum\xc3\xa9 \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac");
        g_string_append_printf (s, " %s", enc);
      }
      break;
    case 2:
      g_string_append (s, " =?iso-8859-1?Q?caf=E9_cr=E8me?=");
      break;
    case 3:
      /* raw 8-bit: Dovecot sends it as a literal */
      g_string_append (s, " \xc3\xbc" "ber \xe2\x82\xac 100");
      break;
    case 4:
      g_string_append (s, " \"quoted\" \\ text");
      break;
    default:
      break;
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
append_envelope (GString *out,
                 GRand   *rand,
                 guint    uid)
{
  g_autofree char *subject = make_subject (rand);
  guint to = 1 + (pick (rand, 4) == 0 ? pick (rand, 6) : 0);
  GString *from = g_string_new (NULL);

  g_string_append_printf (out, "(\"%s, %u %s 2023 %02u:%02u:%02u +0100\" ",
                          "Tue", 1 + pick (rand, 28), months[pick (rand, 12)], pick (rand, 24),
                          pick (rand, 60), pick (rand, 60));
  append_string (out, subject);
  g_string_append_c (out, ' ');
  append_address_list (from, rand, 1);
  /* sender and reply-to default to from */
  g_string_append_printf (out, "%s %s %s ", from->str, from->str, from->str);
  g_string_free (from, TRUE);
  append_address_list (out, rand, to);
  g_string_append_c (out, ' ');
  if (pick (rand, 3) == 0)
    append_address_list (out, rand, 1 + pick (rand, 3));
  else
    g_string_append (out, "NIL");
  g_string_append (out, " NIL ");
  if (pick (rand, 3) == 0)
    g_string_append_printf (out, "\"<%u.reply@%s>\"", uid - 1,
                            domains[pick (rand, G_N_ELEMENTS (domains))]);
  else
    g_string_append (out, "NIL");
  g_string_append_printf (out, " \"<%08x.%u@%s>\")", g_rand_int (rand), uid,
                          domains[pick (rand, G_N_ELEMENTS (domains))]);
}

static void
append_text_part (GString    *out,
                  GRand      *rand,
                  const char *subtype)
{
  static const char * const encodings[] = { "7bit", "quoted-printable", "8bit", "base64" };

  g_string_append_printf (out, "(\"text\" \"%s\" (\"charset\" \"%s\") NIL NIL \"%s\" %u %u "
                          "NIL NIL NIL NIL)", subtype, pick (rand, 4) ? "utf-8" : "us-ascii",
                          encodings[pick (rand, 4)], 200 + pick (rand, 20000), 5 + pick (rand, 400));
}

static void
append_attachment (GString *out,
                   GRand   *rand)
{
  static const char * const types[][3] = {
    { "application", "pdf", "report.pdf" },
    { "image", "jpeg", "IMG_2041.jpg" },
    { "application", "vnd.openxmlformats-officedocument.wordprocessingml.document", "notes.docx" },
    { "image", "png", "screenshot.png" },
    { "application", "zip", "logs.zip" },
  };
  guint k = pick (rand, G_N_ELEMENTS (types));

  g_string_append_printf (out, "(\"%s\" \"%s\" (\"name\" \"%s\") NIL NIL \"base64\" %u NIL "
                          "(\"attachment\" (\"filename\" \"%s\" \"size\" \"%u\")) NIL NIL)",
                          types[k][0], types[k][1], types[k][2], 10000 + pick (rand, 900000),
                          types[k][2], 7000 + pick (rand, 600000));
}

static void
append_alternative (GString *out,
                    GRand   *rand)
{
  g_string_append_c (out, '(');
  append_text_part (out, rand, "plain");
  if (pick (rand, 4) == 0)
    {
      /* html with inline images */
      g_string_append_c (out, '(');
      append_text_part (out, rand, "html");
      g_string_append_printf (out, "(\"image\" \"png\" (\"name\" \"logo.png\") \"<logo%u@x>\" NIL "
                              "\"base64\" %u NIL (\"inline\" (\"filename\" \"logo.png\")) NIL NIL)",
                              pick (rand, 1000), 3000 + pick (rand, 9000));
      g_string_append_printf (out, " \"related\" (\"boundary\" \"rel_%08x\" \"type\" \"text/html\") "
                              "NIL NIL NIL)", g_rand_int (rand));
    }
  else
    append_text_part (out, rand, "html");
  g_string_append_printf (out, " \"alternative\" (\"boundary\" \"alt_%08x\") NIL NIL NIL)",
                          g_rand_int (rand));
}

static void
append_bodystructure (GString *out,
                      GRand   *rand,
                      guint    uid)
{
  guint kind = pick (rand, 10);

  if (kind < 4)
    append_text_part (out, rand, "plain");
  else if (kind < 7)
    append_alternative (out, rand);
  else if (kind < 9)
    {
      guint n = 1 + pick (rand, 2);

      g_string_append_c (out, '(');
      append_alternative (out, rand);
      for (guint i = 0; i < n; i++)
        append_attachment (out, rand);
      g_string_append_printf (out, " \"mixed\" (\"boundary\" \"mix_%08x\") NIL NIL NIL)",
                              g_rand_int (rand));
    }
  else
    {
      /* a forwarded message */
      g_string_append_c (out, '(');
      append_text_part (out, rand, "plain");
      g_string_append_printf (out, "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" %u ",
                              5000 + pick (rand, 50000));
      append_envelope (out, rand, uid);
      g_string_append_c (out, ' ');
      append_alternative (out, rand);
      g_string_append_printf (out, " %u NIL NIL NIL NIL)", 100 + pick (rand, 900));
      g_string_append_printf (out, " \"mixed\" (\"boundary\" \"fwd_%08x\") NIL NIL NIL)",
                              g_rand_int (rand));
    }
}

static GString *
generate (guint n_messages)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  GString *out = g_string_sized_new ((gsize) n_messages * 900);

  for (guint seq = 1; seq <= n_messages; seq++)
    {
      guint uid = seq * 2 + 1000;

      g_string_append_printf (out, "* %u FETCH (UID %u FLAGS %s INTERNALDATE \"%02u-%s-2023 "
                              "%02u:%02u:%02u +0000\" RFC822.SIZE %u ENVELOPE ", seq, uid,
                              flag_sets[pick (rand, G_N_ELEMENTS (flag_sets))], 1 + pick (rand, 28),
                              months[pick (rand, 12)], pick (rand, 24), pick (rand, 60),
                              pick (rand, 60), 2000 + pick (rand, 60000));
      append_envelope (out, rand, uid);
      g_string_append (out, " BODYSTRUCTURE ");
      append_bodystructure (out, rand, uid);
      g_string_append (out, ")\r\n");
    }
  g_string_append (out, "A0005 OK Fetch completed (0.512 + 0.000 + 0.511 secs).\r\n");
  return out;
}

typedef struct {
  guint64 responses;
  guint64 uid_sum;
} Counter;

static gboolean
on_response (HeronImapParser   *parser,
             HeronImapResponse *response,
             gpointer           user_data,
             GError           **error)
{
  Counter *c = user_data;

  c->responses++;
  if (response->kind == HERON_IMAP_RESPONSE_FETCH)
    c->uid_sum += response->fetch.uid;
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  gint n_messages = 100000;
  gint runs = 7;
  gint chunk = 64 * 1024;
  g_autofree char *write_to = NULL;
  g_auto(GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "messages", 'm', 0, G_OPTION_ARG_INT, &n_messages, "FETCH responses to generate", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Times to parse the stream", "N" },
    { "chunk", 'c', 0, G_OPTION_ARG_INT, &chunk, "Bytes per feed", "BYTES" },
    { "write", 'w', 0, G_OPTION_ARG_FILENAME, &write_to, "Save the generated stream", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "[RECORDED-FILE]" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) stream = NULL;
  g_autofree double *mbps = NULL;
  g_autofree double *rps = NULL;
  guint64 responses = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  runs = MAX (runs, 1);
  chunk = MAX (chunk, 1);

  if (files != NULL && files[0] != NULL)
    {
      char *data;
      gsize len;

      if (!g_file_get_contents (files[0], &data, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      stream = g_string_new_len (data, len);
      g_free (data);
      g_print ("recorded stream %s: %.1f MB\n", files[0], stream->len / 1e6);
    }
  else
    {
      stream = generate (n_messages);
      g_print ("generated %d FETCH responses (Dovecot 2.3 shape): %.1f MB, %.0f bytes each\n",
               n_messages, stream->len / 1e6, (double) stream->len / n_messages);
    }
  if (write_to != NULL && !g_file_set_contents (write_to, stream->str, stream->len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  mbps = g_new (double, runs);
  rps = g_new (double, runs);
  for (int run = 0; run < runs; run++)
    {
      Counter counter = { 0 };
      g_autoptr(HeronImapParser) parser = heron_imap_parser_new (NULL, on_response, &counter, NULL);
      gint64 start = g_get_monotonic_time ();
      double seconds;

      for (gsize pos = 0; pos < stream->len; pos += chunk)
        {
          gsize n = MIN ((gsize) chunk, stream->len - pos);

          if (!heron_imap_parser_feed (parser, (const guint8 *) stream->str + pos, n, &error))
            {
              g_printerr ("parse error: %s\n", error->message);
              return 1;
            }
        }
      if (!heron_imap_parser_finish (parser, &error))
        {
          g_printerr ("parse error: %s\n", error->message);
          return 1;
        }
      seconds = (g_get_monotonic_time () - start) / 1e6;
      mbps[run] = stream->len / 1e6 / seconds;
      rps[run] = counter.responses / seconds;
      responses = counter.responses;
    }

  qsort (mbps, runs, sizeof (double), compare_doubles);
  qsort (rps, runs, sizeof (double), compare_doubles);
  g_print ("%" G_GUINT64_FORMAT " responses, %d runs, %d-byte chunks\n", responses, runs, chunk);
  g_print ("MB/s:        min %7.1f  median %7.1f  max %7.1f\n",
           mbps[0], mbps[runs / 2], mbps[runs - 1]);
  g_print ("responses/s: min %7.0f  median %7.0f  max %7.0f\n",
           rps[0], rps[runs / 2], rps[runs - 1]);
  return 0;
}
