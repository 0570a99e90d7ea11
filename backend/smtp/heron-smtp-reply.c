/* heron-smtp-reply.c: replies and their parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The grammar (RFC 5321 section 4.2, with the enhanced code of RFC 3463 section 2):
 *
 *   reply       = *(code "-" [text] CRLF) code [SP text] CRLF
 *   code        = %x32-35 %x30-35 %x30-39      (the same on every line)
 *   text        = [enhanced SP] *printable
 *   enhanced    = class "." 1*3digit "." 1*3digit   (class: 2, 4 or 5, that of the code)
 *
 * The parser holds at most one line (max_line) and one reply (max_lines lines) at a time.
 */

#include "config.h"

#include <string.h>

#include "heron-smtp-error.h"
#include "heron-smtp-reply.h"

struct _HeronSmtpReply {
  gatomicrefcount ref;
  guint code;
  char *enhanced;
  char **lines;
  char *text;
};

G_DEFINE_BOXED_TYPE (HeronSmtpReply, heron_smtp_reply, heron_smtp_reply_ref, heron_smtp_reply_unref)

static HeronSmtpReply *
reply_new_take (guint   code,
                char   *enhanced,
                char  **lines)
{
  HeronSmtpReply *reply = g_new0 (HeronSmtpReply, 1);

  g_atomic_ref_count_init (&reply->ref);
  reply->code = code;
  reply->enhanced = enhanced;
  reply->lines = lines;
  reply->text = g_strjoinv ("\n", lines);

  return reply;
}

HeronSmtpReply *
heron_smtp_reply_new (guint               code,
                      const char         *enhanced_code,
                      const char * const *lines)
{
  static const char * const empty[] = { "", NULL };

  g_return_val_if_fail (code >= 200 && code <= 599, NULL);

  if (lines == NULL || lines[0] == NULL)
    lines = empty;

  return reply_new_take (code, g_strdup (enhanced_code), g_strdupv ((char **) lines));
}

HeronSmtpReply *
heron_smtp_reply_ref (HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  g_atomic_ref_count_inc (&reply->ref);
  return reply;
}

void
heron_smtp_reply_unref (HeronSmtpReply *reply)
{
  g_return_if_fail (reply != NULL);

  if (!g_atomic_ref_count_dec (&reply->ref))
    return;

  g_free (reply->enhanced);
  g_strfreev (reply->lines);
  g_free (reply->text);
  g_free (reply);
}

guint
heron_smtp_reply_get_code (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, 0);

  return reply->code;
}

const char *
heron_smtp_reply_get_enhanced_code (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  return reply->enhanced;
}

const char *
heron_smtp_reply_get_text (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  return reply->text;
}

const char * const *
heron_smtp_reply_get_lines (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  return (const char * const *) reply->lines;
}

guint
heron_smtp_reply_get_n_lines (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, 0);

  return g_strv_length (reply->lines);
}

gboolean
heron_smtp_reply_is_success (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);

  return reply->code / 100 == 2;
}

gboolean
heron_smtp_reply_is_transient (const HeronSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);

  return reply->code / 100 == 4;
}

char *
heron_smtp_reply_to_string (const HeronSmtpReply *reply)
{
  GString *out;

  g_return_val_if_fail (reply != NULL, NULL);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%u", reply->code);
  if (reply->enhanced != NULL)
    g_string_append_printf (out, " %s", reply->enhanced);
  for (guint i = 0; reply->lines[i] != NULL; i++)
    if (reply->lines[i][0] != '\0')
      g_string_append_printf (out, " %s", reply->lines[i]);

  return g_string_free (out, FALSE);
}

/* The parser */

void
heron_smtp_reply_limits_init (HeronSmtpReplyLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_line = HERON_SMTP_DEFAULT_MAX_LINE;
  limits->max_lines = HERON_SMTP_DEFAULT_MAX_LINES;
}

struct _HeronSmtpReplyParser {
  HeronSmtpReplyLimits limits;
  GByteArray *line;      /* the line being read, without its line end */
  GPtrArray *lines;      /* the text of the reply's lines so far */
  guint code;
  char *enhanced;
  gboolean failed;
};

HeronSmtpReplyParser *
heron_smtp_reply_parser_new (const HeronSmtpReplyLimits *limits)
{
  HeronSmtpReplyParser *parser = g_new0 (HeronSmtpReplyParser, 1);

  heron_smtp_reply_limits_init (&parser->limits);
  if (limits != NULL && limits->max_line > 0)
    parser->limits.max_line = MAX (limits->max_line, 8);
  if (limits != NULL && limits->max_lines > 0)
    parser->limits.max_lines = limits->max_lines;

  parser->line = g_byte_array_new ();
  parser->lines = g_ptr_array_new_with_free_func (g_free);

  return parser;
}

void
heron_smtp_reply_parser_free (HeronSmtpReplyParser *parser)
{
  if (parser == NULL)
    return;

  g_byte_array_unref (parser->line);
  g_ptr_array_unref (parser->lines);
  g_free (parser->enhanced);
  g_free (parser);
}

void
heron_smtp_reply_parser_reset (HeronSmtpReplyParser *parser)
{
  g_return_if_fail (parser != NULL);

  g_byte_array_set_size (parser->line, 0);
  g_ptr_array_set_size (parser->lines, 0);
  g_clear_pointer (&parser->enhanced, g_free);
  parser->code = 0;
  parser->failed = FALSE;
}

gboolean
heron_smtp_reply_parser_is_partial (HeronSmtpReplyParser *parser)
{
  g_return_val_if_fail (parser != NULL, FALSE);

  return parser->line->len > 0 || parser->lines->len > 0;
}

/* Server text for people and logs: control characters become "?", tabs spaces, and invalid
 * UTF-8 is replaced. */
static char *
printable (const guint8 *data,
           gsize         len)
{
  g_autofree char *copy = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (c == '\t')
        c = ' ';
      else if (c < 0x20 || c == 0x7f)
        c = '?';
      copy[i] = (char) c;
    }
  copy[len] = '\0';

  return g_utf8_make_valid (copy, len);
}

/* The length of an enhanced status code of class `klass` at the start of text (followed by a
 * space or the end), or 0. */
static gsize
enhanced_code_length (const char *text,
                      char        klass)
{
  const char *p = text;

  if (klass != '2' && klass != '4' && klass != '5')
    return 0;
  if (*p != klass || p[1] != '.')
    return 0;
  p += 2;
  for (int part = 0; part < 2; part++)
    {
      int digits = 0;

      while (g_ascii_isdigit (*p) && digits < 4)
        {
          p++;
          digits++;
        }
      if (digits == 0 || digits > 3)
        return 0;
      if (part == 0)
        {
          if (*p != '.')
            return 0;
          p++;
        }
    }
  if (*p != '\0' && *p != ' ')
    return 0;

  return p - text;
}

static char *
excerpt (const guint8 *data,
         gsize         len)
{
  g_autofree char *text = printable (data, MIN (len, 80));

  return g_strdup_printf ("“%s%s”", text, len > 80 ? "…" : "");
}

/* One complete line (without its line end). Returns TRUE with *out_reply when it ended a reply. */
static gboolean
parse_line (HeronSmtpReplyParser  *parser,
            const guint8          *data,
            gsize                  len,
            HeronSmtpReply       **out_reply,
            GError               **error)
{
  guint code;
  gboolean last;
  char *text;
  gsize skip;

  if (len < 3 ||
      data[0] < '2' || data[0] > '5' ||
      data[1] < '0' || data[1] > '5' ||
      !g_ascii_isdigit (data[2]) ||
      (len > 3 && data[3] != ' ' && data[3] != '-'))
    {
      g_autofree char *shown = excerpt (data, len);

      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_PROTOCOL,
                   "the line %s is not an SMTP reply", shown);
      return FALSE;
    }

  code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
  last = len == 3 || data[3] == ' ';

  if (parser->lines->len > 0 && code != parser->code)
    {
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_PROTOCOL,
                   "a reply changed its code from %u to %u in the middle", parser->code, code);
      return FALSE;
    }
  if (parser->lines->len >= parser->limits.max_lines)
    {
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_LIMIT,
                   "a reply of more than %u lines", parser->limits.max_lines);
      return FALSE;
    }

  parser->code = code;
  text = printable (len > 4 ? data + 4 : data + len, len > 4 ? len - 4 : 0);

  skip = enhanced_code_length (text, (char) data[0]);
  if (skip > 0)
    {
      if (parser->lines->len == 0)
        parser->enhanced = g_strndup (text, skip);
      while (text[skip] == ' ')
        skip++;
      memmove (text, text + skip, strlen (text + skip) + 1);
    }
  g_ptr_array_add (parser->lines, text);

  if (!last)
    return TRUE;

  g_ptr_array_add (parser->lines, NULL);
  *out_reply = reply_new_take (code, g_steal_pointer (&parser->enhanced),
                               (char **) g_ptr_array_steal (parser->lines, NULL));
  parser->code = 0;
  return TRUE;
}

gsize
heron_smtp_reply_parser_feed (HeronSmtpReplyParser  *parser,
                              const guint8          *data,
                              gsize                  len,
                              HeronSmtpReply       **out_reply,
                              GError               **error)
{
  gsize pos = 0;

  g_return_val_if_fail (parser != NULL, 0);
  g_return_val_if_fail (data != NULL || len == 0, 0);
  g_return_val_if_fail (out_reply != NULL && *out_reply == NULL, 0);
  g_return_val_if_fail (!parser->failed, 0);

  while (pos < len)
    {
      const guint8 *end = memchr (data + pos, '\n', len - pos);
      gsize piece = end != NULL ? (gsize) (end - (data + pos)) : len - pos;
      gsize line_len;

      /* The line with its LF must fit. */
      if (parser->line->len + piece + (end != NULL ? 1 : 0) > parser->limits.max_line)
        {
          parser->failed = TRUE;
          g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_LIMIT,
                       "a reply line longer than %" G_GSIZE_FORMAT " bytes",
                       parser->limits.max_line);
          return pos;
        }

      g_byte_array_append (parser->line, data + pos, piece);
      pos += piece;
      if (end == NULL)
        break;
      pos++; /* the LF */

      line_len = parser->line->len;
      if (line_len > 0 && parser->line->data[line_len - 1] == '\r')
        line_len--;

      if (!parse_line (parser, parser->line->data, line_len, out_reply, error))
        {
          parser->failed = TRUE;
          return pos;
        }
      g_byte_array_set_size (parser->line, 0);

      if (*out_reply != NULL)
        break;
    }

  return pos;
}
