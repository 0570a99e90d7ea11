/* imap-parser-harness.c: feeding the IMAP response parser in tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "imap-parser-harness.h"

gboolean
run_on_response (HeronImapParser   *parser,
                 HeronImapResponse *response,
                 gpointer           user_data,
                 GError           **error)
{
  Run *run = user_data;

  g_ptr_array_add (run->dumps, heron_imap_response_to_string (response));
  g_ptr_array_add (run->responses, heron_imap_response_ref (response));
  if (run->stop_after_first)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped by the test");
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_begin (const HeronImapBodyInfo *info,
          gpointer                 user_data,
          GError                 **error)
{
  Run *run = user_data;

  g_string_append_printf (run->events, "begin seq=%u uid=%u kind=%d section=[%s] origin=%"
                          G_GINT64_FORMAT " size=%" G_GUINT64_FORMAT "%s;",
                          info->seq, info->uid, info->kind, info->section, info->origin,
                          info->size, info->literal8 ? " literal8" : "");
  return TRUE;
}

static gboolean
on_chunk (const guint8 *data,
          gsize         len,
          gpointer      user_data,
          GError      **error)
{
  Run *run = user_data;

  g_assert_cmpuint (len, >, 0);
  g_checksum_update (run->body_sum, data, len);
  run->body_bytes += len;
  if (run->consumer_fails)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_end (gpointer  user_data,
        GError  **error)
{
  Run *run = user_data;

  g_string_append_printf (run->events, "end %" G_GUINT64_FORMAT ";", run->body_bytes);
  return TRUE;
}

const HeronImapBodyConsumer test_consumer = { on_begin, on_chunk, on_end };

void
run_init (Run *run)
{
  memset (run, 0, sizeof *run);
  run->dumps = g_ptr_array_new_with_free_func (g_free);
  run->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  run->events = g_string_new (NULL);
  run->body_sum = g_checksum_new (G_CHECKSUM_SHA256);
}

void
run_clear (Run *run)
{
  g_ptr_array_unref (run->dumps);
  g_ptr_array_unref (run->responses);
  g_string_free (run->events, TRUE);
  g_checksum_free (run->body_sum);
}

gboolean
feed_wire (Run                         *run,
           const HeronImapParserLimits *limits,
           HeronImapParserFlags         flags,
           const char                  *wire,
           gsize                        len,
           SplitMode                    mode,
           guint32                      seed,
           GError                     **error)
{
  g_autoptr(HeronImapParser) parser = heron_imap_parser_new (limits, run_on_response, run, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize pos = 0;

  heron_imap_parser_set_flags (parser, flags);
  if (run->use_consumer)
    heron_imap_parser_set_body_consumer (parser, &test_consumer, run);

  while (pos < len)
    {
      gsize n;

      switch (mode)
        {
        case SPLIT_WHOLE:
          n = len - pos;
          break;
        case SPLIT_BYTES:
          n = 1;
          break;
        case SPLIT_RANDOM:
        default:
          n = g_rand_int_range (rand, 0, 4) == 0 ? 1 : (gsize) g_rand_int_range (rand, 1, 97);
          n = MIN (n, len - pos);
          break;
        }
      if (!heron_imap_parser_feed (parser, (const guint8 *) wire + pos, n, error))
        return FALSE;
      pos += n;
    }
  return heron_imap_parser_finish (parser, error);
}

char *
parse_all_ways (const HeronImapParserLimits *limits,
                HeronImapParserFlags         flags,
                const char                  *wire,
                gssize                       len)
{
  g_autofree char *first = NULL;

  if (len < 0)
    len = strlen (wire);

  for (guint attempt = 0; attempt < 12; attempt++)
    {
      SplitMode mode = attempt == 0 ? SPLIT_WHOLE : attempt == 1 ? SPLIT_BYTES : SPLIT_RANDOM;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) out = g_string_new (NULL);
      Run run;

      run_init (&run);
      feed_wire (&run, limits, flags, wire, len, mode, attempt * 7919, &error);
      for (guint i = 0; i < run.dumps->len; i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "\n" : "", (char *) run.dumps->pdata[i]);
      if (error != NULL)
        g_string_append_printf (out, "%sERROR %s", out->len > 0 ? "\n" : "", error->message);
      run_clear (&run);

      if (first == NULL)
        first = g_strdup (out->str);
      else
        g_assert_cmpstr (out->str, ==, first);
    }
  return g_steal_pointer (&first);
}

char *
parse1 (const char *wire)
{
  return parse_all_ways (NULL, 0, wire, -1);
}

HeronImapResponse *
parse_one_flags (const char           *wire,
                 HeronImapParserFlags  flags)
{
  g_autoptr(GError) error = NULL;
  HeronImapResponse *response;
  Run run;

  /* every split must agree before the response itself is looked at */
  g_free (parse_all_ways (NULL, flags, wire, -1));

  run_init (&run);
  feed_wire (&run, NULL, flags, wire, strlen (wire), SPLIT_WHOLE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (run.responses->len, ==, 1);
  response = heron_imap_response_ref (run.responses->pdata[0]);
  run_clear (&run);
  return response;
}

HeronImapResponse *
parse_one (const char *wire)
{
  return parse_one_flags (wire, 0);
}

GError *
parse_error_limits (const HeronImapParserLimits *limits,
                    const char                  *wire,
                    gssize                       len)
{
  GError *error = NULL;
  Run run;

  if (len < 0)
    len = strlen (wire);
  run_init (&run);
  feed_wire (&run, limits, 0, wire, len, SPLIT_WHOLE, 0, &error);
  run_clear (&run);
  g_assert_nonnull (error);
  g_assert_true (error->domain == HERON_IMAP_ERROR);
  return error;
}

GError *
parse_error (const char *wire)
{
  return parse_error_limits (NULL, wire, -1);
}


