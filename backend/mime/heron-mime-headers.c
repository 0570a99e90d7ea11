/* heron-mime-headers.c: decoding header values (RFC 2047, RFC 6532 raw UTF-8, legacy 8-bit)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-headers.h"
#include "heron-mime-private.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')
#define MAX_WORD_TEXT 1024

char *
_heron_mime_unfold (const char *raw,
                    gsize       len,
                    gboolean   *bare_newline)
{
  GString *out = g_string_sized_new (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      char c = raw[i];

      if (c == '\r' || c == '\n')
        {
          gsize j = i;

          if (c == '\r' && j + 1 < len && raw[j + 1] == '\n')
            j++;
          /* a fold: the line break goes, the white space stays; a break at the end goes too */
          if (j + 1 >= len || IS_WSP (raw[j + 1]))
            {
              i = j;
              continue;
            }
          if (bare_newline != NULL)
            *bare_newline = TRUE;
          g_string_append_c (out, ' ');
          i = j;
          continue;
        }
      g_string_append_c (out, c);
    }
  return g_string_free (out, FALSE);
}

typedef struct {
  GString              *out;
  GByteArray           *ew;           /* bytes of adjacent encoded words in one charset */
  char                  ew_charset[65];
  HeronMimeDecodeFlags  flags;
  gboolean              replaced;
} Decoder;

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int
b64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

static void
decode_b (const char *text,
          gsize       len,
          GByteArray *out)
{
  guint32 acc = 0;
  guint bits = 0;

  for (gsize i = 0; i < len; i++)
    {
      int v = b64_value (text[i]);

      if (text[i] == '=')
        break;
      if (v < 0)
        continue;
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          guint8 byte = (acc >> (bits - 8)) & 0xFF;

          g_byte_array_append (out, &byte, 1);
          bits -= 8;
        }
    }
}

static void
decode_q (const char *text,
          gsize       len,
          GByteArray *out)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = (guint8) text[i];

      if (text[i] == '_')
        byte = ' ';
      else if (text[i] == '=' && i + 2 < len &&
               hex_value (text[i + 1]) >= 0 && hex_value (text[i + 2]) >= 0)
        {
          byte = (guint8) (hex_value (text[i + 1]) * 16 + hex_value (text[i + 2]));
          i += 2;
        }
      g_byte_array_append (out, &byte, 1);
    }
}

/* Parses "=?charset?X?text?=" at p; returns its length or 0. */
static gsize
parse_encoded_word (const char  *p,
                    gsize        len,
                    char        *charset,
                    char        *encoding,
                    const char **text,
                    gsize       *text_len)
{
  gsize i = 2, cs_start = 2, cs_len;

  if (len < 8 || p[0] != '=' || p[1] != '?')
    return 0;
  while (i < len && i < 2 + 65 && p[i] != '?' && !IS_WSP (p[i]) &&
         (guchar) p[i] > 0x20 && (guchar) p[i] < 0x7F)
    i++;
  if (i >= len || p[i] != '?')
    return 0;
  cs_len = i - cs_start;
  if (cs_len == 0 || cs_len > 64)
    return 0;
  memcpy (charset, p + cs_start, cs_len);
  charset[cs_len] = '\0';
  /* RFC 2231 section 5: charset*language */
  {
    char *star = strchr (charset, '*');

    if (star != NULL)
      *star = '\0';
    if (*charset == '\0')
      return 0;
  }
  i++;
  if (i + 1 >= len || p[i + 1] != '?')
    return 0;
  *encoding = g_ascii_toupper (p[i]);
  if (*encoding != 'B' && *encoding != 'Q')
    return 0;
  i += 2;
  *text = p + i;
  /* RFC 2047 allows 75 characters per word; broken mailers write longer ones, but a bound keeps
   * a value full of "=?" without an end linear to scan */
  while (i + 1 < len && !(p[i] == '?' && p[i + 1] == '='))
    {
      if (IS_WSP (p[i]) || p[i] == '\r' || p[i] == '\n' || (gsize) (p + i - *text) > MAX_WORD_TEXT)
        return 0;
      i++;
    }
  if (i + 1 >= len)
    return 0;
  *text_len = (p + i) - *text;
  return i + 2;
}

static gboolean
charset_is_ascii_compatible (const char *charset)
{
  return !(g_ascii_strncasecmp (charset, "utf-16", 6) == 0 ||
           g_ascii_strncasecmp (charset, "utf-32", 6) == 0 ||
           g_ascii_strncasecmp (charset, "ucs", 3) == 0);
}

static void
flush_encoded (Decoder *d)
{
  gsize before = d->out->len;

  if (d->ew->len == 0)
    return;

  if (charset_is_ascii_compatible (d->ew_charset))
    for (guint i = 0; i < d->ew->len; i++)
      if (d->ew->data[i] == 0)
        d->flags |= HERON_MIME_DECODE_CONTROL;

  _heron_mime_append_converted (d->out, d->ew->data, d->ew->len, d->ew_charset, &d->replaced);
  g_byte_array_set_size (d->ew, 0);

  /* what the encoded words produced: specials that could pose as address syntax, controls */
  for (gsize i = before; i < d->out->len; i++)
    {
      guchar c = d->out->str[i];

      if (c == ',')
        d->flags |= HERON_MIME_DECODE_ENCODED_COMMA;
      else if (c != '\0' && strchr (";:<>@\"", c) != NULL)
        d->flags |= HERON_MIME_DECODE_ENCODED_SPECIALS;
      else if ((c < 0x20 && c != '\t') || c == 0x7F)
        d->flags |= HERON_MIME_DECODE_CONTROL;
    }
}

static void
append_raw (Decoder    *d,
            const char *p,
            gsize       len)
{
  flush_encoded (d);
  _heron_mime_append_converted (d->out, (const guchar *) p, len, NULL, &d->replaced);
}

/* Decodes encoded words and raw text of an unfolded value into d->out (not yet cleaned). */
static void
decode_into (Decoder    *d,
             const char *p,
             gsize       len)
{
  gsize i = 0;
  gboolean last_was_word = FALSE;
  gsize pending_ws = 0;  /* white space seen after an encoded word, not yet written */

  while (i < len)
    {
      char charset[65], encoding = 0;
      const char *text = NULL;
      gsize text_len = 0, n;

      if (IS_WSP (p[i]))
        {
          gsize j = i;

          while (j < len && IS_WSP (p[j]))
            j++;
          if (last_was_word)
            pending_ws = j - i;
          else
            g_string_append_c (d->out, ' ');
          i = j;
          continue;
        }

      n = parse_encoded_word (p + i, len - i, charset, &encoding, &text, &text_len);
      if (n > 0)
        {
          /* white space between two encoded words is not part of the text (RFC 2047 6.2) */
          if (g_ascii_strcasecmp (charset, d->ew_charset) != 0)
            flush_encoded (d);
          if (pending_ws > 0 && !last_was_word)
            g_string_append_c (d->out, ' ');
          pending_ws = 0;
          g_strlcpy (d->ew_charset, charset, sizeof d->ew_charset);
          if (encoding == 'B')
            decode_b (text, text_len, d->ew);
          else
            decode_q (text, text_len, d->ew);
          d->flags |= HERON_MIME_DECODE_ENCODED_WORDS;
          last_was_word = TRUE;
          i += n;
          continue;
        }

      /* literal text up to white space or the next "=?" */
      {
        gsize j = i + (p[i] == '=' && i + 1 < len && p[i + 1] == '?' ? 2 : 1);

        while (j < len && !IS_WSP (p[j]) && !(p[j] == '=' && j + 1 < len && p[j + 1] == '?'))
          j++;
        flush_encoded (d);
        if (pending_ws > 0)
          g_string_append_c (d->out, ' ');
        pending_ws = 0;
        append_raw (d, p + i, j - i);
        last_was_word = FALSE;
        i = j;
      }
    }
  flush_encoded (d);
}

/* Controls out, white space collapsed and trimmed, at most max_chars characters. */
static char *
clean_up (GString              *in,
          gsize                 max_chars,
          HeronMimeDecodeFlags *flags)
{
  GString *out = g_string_sized_new (in->len + 1);
  const char *p = in->str;
  const char *end = in->str + in->len;
  gsize chars = 0;
  gboolean space = FALSE;

  while (p < end)
    {
      gunichar c = g_utf8_get_char (p);

      p = g_utf8_next_char (p);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        {
          if (c == '\r' || c == '\n')
            *flags |= HERON_MIME_DECODE_CONTROL;
          space = TRUE;
          continue;
        }
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        {
          *flags |= HERON_MIME_DECODE_CONTROL;
          c = 0xFFFD;
        }
      if (space && out->len > 0)
        {
          g_string_append_c (out, ' ');
          chars++;
        }
      space = FALSE;
      if (chars >= max_chars)
        {
          *flags |= HERON_MIME_DECODE_TRUNCATED;
          /* drop a trailing space before the ellipsis */
          if (out->len > 0 && out->str[out->len - 1] == ' ')
            g_string_truncate (out, out->len - 1);
          g_string_append (out, "\xe2\x80\xa6");
          break;
        }
      g_string_append_unichar (out, c);
      chars++;
    }
  return g_string_free (out, FALSE);
}

char *
heron_mime_decode_header (const char           *raw,
                          gssize                len,
                          gsize                 max_chars,
                          HeronMimeDecodeFlags *out_flags)
{
  g_autofree char *unfolded = NULL;
  g_autoptr(GString) decoded = NULL;
  Decoder d = { 0 };
  gboolean bare_newline = FALSE;
  char *result;

  if (out_flags != NULL)
    *out_flags = HERON_MIME_DECODE_NONE;
  if (raw == NULL)
    return g_strdup ("");
  if (len < 0)
    len = strlen (raw);
  if (max_chars == 0)
    max_chars = HERON_MIME_MAX_HEADER_CHARS;

  if ((gsize) len > HERON_MIME_MAX_HEADER_INPUT)
    {
      len = HERON_MIME_MAX_HEADER_INPUT;
      d.flags |= HERON_MIME_DECODE_TRUNCATED;
    }

  unfolded = _heron_mime_unfold (raw, len, &bare_newline);
  if (bare_newline)
    d.flags |= HERON_MIME_DECODE_CONTROL;

  decoded = g_string_sized_new (len + 1);
  d.out = decoded;
  d.ew = g_byte_array_new ();
  decode_into (&d, unfolded, strlen (unfolded));
  g_byte_array_unref (d.ew);
  if (d.replaced)
    d.flags |= HERON_MIME_DECODE_REPLACED;

  result = clean_up (decoded, max_chars, &d.flags);
  if (out_flags != NULL)
    *out_flags = d.flags;
  return result;
}

char *
_heron_mime_parse_msgid (const char *value)
{
  const char *lt, *gt;
  g_auto(GStrv) tokens = NULL;

  if (value == NULL)
    return NULL;
  lt = strchr (value, '<');
  gt = lt != NULL ? strchr (lt, '>') : NULL;
  if (lt != NULL && gt != NULL)
    {
      GString *id = g_string_new (NULL);

      for (const char *p = lt + 1; p < gt; p++)
        if (!g_ascii_isspace (*p))
          g_string_append_c (id, *p);
      if (id->len > 0)
        return g_string_free (id, FALSE);
      g_string_free (id, TRUE);
      return NULL;
    }
  tokens = g_strsplit_set (value, " \t\r\n", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (strchr (tokens[i], '@') != NULL)
      return g_strdup (tokens[i]);
  return NULL;
}

GStrv
_heron_mime_parse_msgid_list (const char *value,
                              guint       max_ids)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  const char *p = value;

  g_assert (max_ids >= 2);
  if (value == NULL)
    return g_new0 (char *, 1);

  while ((p = strchr (p, '<')) != NULL)
    {
      const char *gt = strchr (p, '>');
      const char *open = NULL;
      GString *id;

      if (gt == NULL)
        break;
      /* "<<id>" or "<a <b>": the last '<' before the '>' opens the id */
      for (const char *q = gt; q >= p; q--)
        if (*q == '<')
          {
            open = q;
            break;
          }
      id = g_string_new (NULL);
      for (const char *q = open + 1; q < gt; q++)
        if (!g_ascii_isspace (*q))
          g_string_append_c (id, *q);
      if (id->len > 0)
        g_ptr_array_add (ids, g_string_free (id, FALSE));
      else
        g_string_free (id, TRUE);
      p = gt + 1;
    }

  if (ids->len == 0)
    {
      g_auto(GStrv) tokens = g_strsplit_set (value, " \t\r\n,", -1);

      for (guint i = 0; tokens[i] != NULL; i++)
        if (strchr (tokens[i], '@') != NULL)
          g_ptr_array_add (ids, g_strdup (tokens[i]));
    }

  /* too many: keep the root and the nearest ancestors */
  if (ids->len > max_ids)
    g_ptr_array_remove_range (ids, 1, ids->len - max_ids);

  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* Raw headers */

/* The length of the header block, up to and including the empty line (or all of it). */
static gsize
header_block_length (const char *data,
                     gsize       len)
{
  if (len > 0 && data[0] == '\n')
    return 1;
  if (len > 1 && data[0] == '\r' && data[1] == '\n')
    return 2;
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        continue;
      if (i + 1 < len && data[i + 1] == '\n')
        return i + 2;
      if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
        return i + 3;
    }
  return len;
}

/* Whether the field that starts @line (of @len bytes) is @name: the name, optional white space
 * (obsolete syntax, RFC 5322 4.5), then the colon. */
static gboolean
field_is (const char *line,
          gsize       len,
          const char *name)
{
  gsize n = strlen (name);
  gsize i = n;

  if (len <= n || g_ascii_strncasecmp (line, name, n) != 0)
    return FALSE;
  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  return i < len && line[i] == ':';
}

GBytes *
heron_mime_remove_header_fields (GBytes             *message,
                                 const char * const *names)
{
  gsize len;
  const char *data;
  gsize end;
  GByteArray *out;
  gboolean dropping = FALSE;
  gsize i = 0;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (names != NULL, NULL);

  data = g_bytes_get_data (message, &len);
  end = header_block_length (data, len);
  out = g_byte_array_sized_new (len);
  while (i < end)
    {
      const char *line = data + i;
      const char *nl = memchr (line, '\n', end - i);
      gsize line_len = nl != NULL ? (gsize) (nl - line) + 1 : end - i;

      if (line[0] != ' ' && line[0] != '\t')
        {
          dropping = FALSE;
          for (guint k = 0; names[k] != NULL && !dropping; k++)
            dropping = field_is (line, line_len, names[k]);
        }
      if (!dropping)
        g_byte_array_append (out, (const guint8 *) line, line_len);
      i += line_len;
    }
  g_byte_array_append (out, (const guint8 *) data + end, len - end);
  return g_byte_array_free_to_bytes (out);
}
