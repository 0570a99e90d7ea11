/* fuzz-imap-parser.c: libFuzzer target for the IMAP response parser
 *
 * Each input is parsed several ways: whole, byte by byte (small inputs), and in splits chosen
 * from the input, with and without a body consumer, with default and with tight limits, in
 * IMAP4rev1 and UTF-8 mode. Every response is turned into text (which reads every field), and
 * the different splits must deliver the same responses and agree on success: a disagreement is a
 * bug and aborts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/heron-imap-parser.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  GString *dumps;
  guint64 body_bytes;
  gboolean in_section;
} Outcome;

static gboolean
on_response (HeronImapParser   *parser,
             HeronImapResponse *response,
             gpointer           user_data,
             GError           **error)
{
  Outcome *o = user_data;
  g_autofree char *text = heron_imap_response_to_string (response);

  if (response->kind == HERON_IMAP_RESPONSE_FETCH)
    {
      g_autoptr(GDateTime) date = heron_imap_fetch_get_internaldate (&response->fetch);

      if (date != NULL)
        g_assert (g_date_time_get_year (date) > 0);
      for (guint i = 0; i < response->fetch.n_sections; i++)
        if (response->fetch.sections[i].data != NULL)
          g_assert (g_bytes_get_size (response->fetch.sections[i].data) ==
                    response->fetch.sections[i].size);
    }
  g_string_append (o->dumps, text);
  g_string_append_c (o->dumps, '\n');
  return TRUE;
}

static gboolean
on_begin (const HeronImapBodyInfo *info,
          gpointer                 user_data,
          GError                 **error)
{
  Outcome *o = user_data;

  g_assert (!o->in_section);
  g_assert (info->section != NULL);
  o->in_section = TRUE;
  o->body_bytes = 0;
  return TRUE;
}

static gboolean
on_chunk (const guint8 *data,
          gsize         len,
          gpointer      user_data,
          GError      **error)
{
  Outcome *o = user_data;

  g_assert (o->in_section);
  g_assert (len > 0);
  o->body_bytes += len;
  return TRUE;
}

static gboolean
on_end (gpointer  user_data,
        GError  **error)
{
  Outcome *o = user_data;

  g_assert (o->in_section);
  o->in_section = FALSE;
  return TRUE;
}

static const HeronImapBodyConsumer consumer = { on_begin, on_chunk, on_end };

/* Returns TRUE when the whole input parsed; the responses go to o->dumps. */
static gboolean
parse (const uint8_t               *data,
       size_t                       size,
       const HeronImapParserLimits *limits,
       HeronImapParserFlags         flags,
       gboolean                     with_consumer,
       size_t                       step,
       Outcome                     *o)
{
  g_autoptr(HeronImapParser) parser = heron_imap_parser_new (limits, on_response, o, NULL);
  gboolean ok = TRUE;
  size_t pos = 0;

  heron_imap_parser_set_flags (parser, flags);
  if (with_consumer)
    heron_imap_parser_set_body_consumer (parser, &consumer, o);

  while (ok && pos < size)
    {
      size_t n = step == 0 ? size - pos : MIN (step, size - pos);

      ok = heron_imap_parser_feed (parser, data + pos, n, NULL);
      pos += n;
      /* a varying step: 1, 2, 3... up to the given one */
      if (step > 1)
        step = step % 97 + 1;
    }
  if (ok)
    ok = heron_imap_parser_finish (parser, NULL);
  return ok;
}

static void
compare (const uint8_t               *data,
         size_t                       size,
         const HeronImapParserLimits *limits,
         HeronImapParserFlags         flags)
{
  Outcome whole = { g_string_new (NULL), 0, FALSE };
  Outcome split = { g_string_new (NULL), 0, FALSE };
  gboolean ok_whole, ok_split;
  size_t step = size > 0 ? data[0] % 61 + 2 : 1;

  ok_whole = parse (data, size, limits, flags, FALSE, 0, &whole);
  ok_split = parse (data, size, limits, flags, TRUE, size <= 4096 ? 1 : step, &split);

  /* The same responses, in the same order, must come out of any split of the input. Error
   * messages may differ (a line that is both too long and holds a NUL can trip either check
   * first), but not whether the input parsed. */
  if (ok_whole != ok_split || !g_string_equal (whole.dumps, split.dumps))
    abort ();

  g_string_free (whole.dumps, TRUE);
  g_string_free (split.dumps, TRUE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  HeronImapParserLimits tight;

  compare (data, size, NULL, 0);
  compare (data, size, NULL, HERON_IMAP_PARSER_FLAGS_UTF8);

  heron_imap_parser_limits_init (&tight);
  tight.max_line_length = 2048;
  tight.max_response_size = 8192;
  tight.max_literal_size = 1024;
  tight.max_body_size = 4096;
  tight.max_depth = 12;
  tight.max_items = 300;
  compare (data, size, &tight, 0);

  return 0;
}
