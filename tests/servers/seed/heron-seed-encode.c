/* heron-seed-encode.c: transfer encodings and header encodings for the seeding tool.
 *
 * Written from RFC 2045 (base64, quoted-printable), RFC 2047 (encoded words) and RFC 2231
 * (parameter values). They write straight into the growing message buffer; nothing here
 * allocates per call except when the buffer grows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed-private.h"

#include <string.h>

static const char base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char hex_upper[] = "0123456789ABCDEF";

/* Grows `out` by `extra` bytes and returns where they start; the caller fills them and may give
 * back what it did not use with g_string_truncate(). */
static char *
grow (GString *out, gsize extra)
{
  gsize old = out->len;

  g_string_set_size (out, old + extra);
  return out->str + old;
}

void
_heron_seed_base64 (GString *out, const guint8 *data, gsize len)
{
  gsize n_lines = (len + 56) / 57;
  gsize need = ((len + 2) / 3) * 4 + n_lines;
  char *start = grow (out, need);
  char *p = start;

  while (len > 0)
    {
      gsize line = MIN (len, 57);
      gsize full = line / 3;

      for (gsize i = 0; i < full; i++)
        {
          guint32 v = ((guint32) data[0] << 16) | ((guint32) data[1] << 8) | data[2];

          p[0] = base64_alphabet[v >> 18];
          p[1] = base64_alphabet[(v >> 12) & 63];
          p[2] = base64_alphabet[(v >> 6) & 63];
          p[3] = base64_alphabet[v & 63];
          p += 4;
          data += 3;
        }
      switch (line - full * 3)
        {
        case 1:
          p[0] = base64_alphabet[data[0] >> 2];
          p[1] = base64_alphabet[(data[0] & 3) << 4];
          p[2] = '=';
          p[3] = '=';
          p += 4;
          data += 1;
          break;
        case 2:
          p[0] = base64_alphabet[data[0] >> 2];
          p[1] = base64_alphabet[((data[0] & 3) << 4) | (data[1] >> 4)];
          p[2] = base64_alphabet[(data[1] & 15) << 2];
          p[3] = '=';
          p += 4;
          data += 2;
          break;
        default:
          break;
        }
      *p++ = '\n';
      len -= line;
    }

  g_assert ((gsize) (p - start) == need);
}

void
_heron_seed_qp (GString *out, const char *text, gsize len)
{
  /* Worst case: every byte becomes "=XX", plus a soft break every 25 of them. */
  gsize old = out->len;
  char *start = grow (out, len * 3 + len / 20 + 8);
  char *p = start;
  guint col = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];
      gboolean at_eol = (i + 1 == len || text[i + 1] == '\n');
      gboolean literal;

      if (c == '\n')
        {
          *p++ = '\n';
          col = 0;
          continue;
        }

      if (c == ' ' || c == '\t')
        literal = !at_eol;
      else
        literal = (c >= 33 && c <= 126 && c != '=');

      /* Keep every line at 76 characters or less, counting the "=" of a soft break. */
      if (col + (literal ? 1 : 3) > 75 && !(at_eol && col + (literal ? 1 : 3) <= 76))
        {
          *p++ = '=';
          *p++ = '\n';
          col = 0;
        }

      if (literal)
        {
          *p++ = (char) c;
          col += 1;
        }
      else
        {
          *p++ = '=';
          *p++ = hex_upper[c >> 4];
          *p++ = hex_upper[c & 15];
          col += 3;
        }
    }

  g_string_truncate (out, old + (gsize) (p - start));
}

gboolean
_heron_seed_is_ascii (const char *text, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) text[i] >= 0x80)
      return FALSE;
  return TRUE;
}

gboolean
_heron_seed_fits_latin1 (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) > 0xff)
      return FALSE;
  return TRUE;
}

gboolean
_heron_seed_to_latin1 (GString *out, const char *text, gsize len)
{
  gsize old = out->len;
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c > 0xff)
        {
          g_string_truncate (out, old);
          return FALSE;
        }
      g_string_append_c (out, (char) c);
    }
  return TRUE;
}

/* ---- RFC 2047 --------------------------------------------------------------------------- */

/* Characters that may stand for themselves in a Q-encoded word in a phrase (RFC 2047 5.(3)). */
static gboolean
q_literal (guchar c)
{
  return g_ascii_isalnum (c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static gsize
utf8_char_len (guchar c)
{
  if (c < 0x80)
    return 1;
  if (c < 0xe0)
    return 2;
  if (c < 0xf0)
    return 3;
  return 4;
}

/* TRUE when the current line of `out` holds only white space: folding there would make a
 * white-space-only line, which RFC 5322 forbids. */
static gboolean
line_is_blank (GString *out)
{
  for (gsize i = out->len; i > 0; i--)
    {
      char c = out->str[i - 1];

      if (c == '\n')
        return TRUE;
      if (c != ' ' && c != '\t')
        return FALSE;
    }
  return TRUE;
}

/* Separates two encoded words (or an encoded word from what came before) and folds when the
 * next one would pass the line. */
static void
before_word (GString *out, gsize *col, gsize word_len, gboolean first)
{
  if (*col + word_len + 1 > 76 && *col > 1 && !line_is_blank (out))
    {
      g_string_append (out, "\n ");
      *col = 1;
    }
  else if (!first)
    {
      g_string_append_c (out, ' ');
      *col += 1;
    }
}

static void
encode_b (GString *out, gsize *col, const char *text, gsize len)
{
  gsize pos = 0;
  gboolean first = TRUE;

  while (pos < len)
    {
      gsize chunk = 0;
      gsize word_start;
      /* At most 45 bytes (60 characters of base64), fewer when that fills the current line,
       * never splitting a character. */
      gsize room = *col + 1 + 12 + 16 <= 76 ? (76 - *col - 1 - 12) / 4 * 3 : 45;
      gsize max = MIN (room, 45);

      while (pos + chunk < len)
        {
          gsize cl = utf8_char_len ((guchar) text[pos + chunk]);

          if (chunk + cl > max && chunk > 0)
            break;
          chunk += cl;
        }

      before_word (out, col, 12 + ((chunk + 2) / 3) * 4, first);
      word_start = out->len;
      g_string_append (out, "=?UTF-8?B?");
      _heron_seed_base64 (out, (const guint8 *) text + pos, chunk);
      g_string_truncate (out, out->len - 1);    /* the line end the encoder adds */
      g_string_append (out, "?=");
      *col += out->len - word_start;
      pos += chunk;
      first = FALSE;
    }
}

static void
encode_q (GString *out, gsize *col, const char *charset, const char *text, gsize len,
          gboolean utf8)
{
  char word[80];
  gsize prefix_len = strlen (charset) + 5;    /* "=?" charset "?Q?" */
  gsize pos = 0;
  gboolean first = TRUE;

  g_assert (prefix_len < 20);

  while (pos < len)
    {
      gsize n = (gsize) g_snprintf (word, sizeof word, "=?%s?Q?", charset);
      /* At most 75 characters with "?=", fewer when that fills the current line. */
      gsize limit = *col + 1 + prefix_len + 2 + 12 <= 76 ? 76 - *col - 1 : 75;

      g_assert (n == prefix_len);
      limit = MIN (limit, 75);

      /* Whole characters into one word. */
      while (pos < len)
        {
          gsize cl = utf8 ? utf8_char_len ((guchar) text[pos]) : 1;
          gsize need = 0;

          for (gsize k = 0; k < cl && pos + k < len; k++)
            {
              guchar c = (guchar) text[pos + k];

              need += (c == ' ' || q_literal (c)) ? 1 : 3;
            }
          if (n + need + 2 > limit && n > prefix_len)
            break;
          for (gsize k = 0; k < cl && pos < len; k++, pos++)
            {
              guchar c = (guchar) text[pos];

              if (c == ' ')
                word[n++] = '_';
              else if (q_literal (c))
                word[n++] = (char) c;
              else
                {
                  word[n++] = '=';
                  word[n++] = hex_upper[c >> 4];
                  word[n++] = hex_upper[c & 15];
                }
            }
        }
      word[n++] = '?';
      word[n++] = '=';

      before_word (out, col, n, first);
      g_string_append_len (out, word, (gssize) n);
      *col += n;
      first = FALSE;
    }
}

static gboolean
needs_quotes (const char *text)
{
  return strpbrk (text, "()<>[]:;@\\,.\"") != NULL;
}

static void
append_quoted (GString *out, gsize *col, const char *text, gsize len)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '"' || text[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, text[i]);
    }
  g_string_append_c (out, '"');
  *col += len + 2;
}

/* ASCII words, folded at spaces. */
static void
append_folded (GString *out, gsize *col, const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *space = strchr (p, ' ');
      gsize wlen = space != NULL ? (gsize) (space - p) : strlen (p);

      if (p != text)
        {
          if (*col + 1 + wlen > 76 && *col > 1 && !line_is_blank (out))
            {
              g_string_append (out, "\n ");
              *col = 1;
            }
          else
            {
              g_string_append_c (out, ' ');
              *col += 1;
            }
        }
      g_string_append_len (out, p, (gssize) wlen);
      *col += wlen;
      p += wlen;
      if (*p == ' ')
        p++;
    }
}

void
_heron_seed_header_text (GString *out, gsize *col, const char *text, HeronSeedHeaderMode mode,
                         gboolean quote_specials)
{
  gsize len = strlen (text);

  if (_heron_seed_is_ascii (text, len))
    {
      if (quote_specials && needs_quotes (text))
        append_quoted (out, col, text, len);
      else
        append_folded (out, col, text);
      return;
    }

  if ((mode == HERON_SEED_HDR_Q_LATIN1 || mode == HERON_SEED_HDR_RAW_LATIN1) &&
      !_heron_seed_fits_latin1 (text))
    mode = HERON_SEED_HDR_B_UTF8;

  switch (mode)
    {
    case HERON_SEED_HDR_B_UTF8:
      encode_b (out, col, text, len);
      break;

    case HERON_SEED_HDR_Q_UTF8:
      encode_q (out, col, "UTF-8", text, len, TRUE);
      break;

    case HERON_SEED_HDR_Q_LATIN1:
    case HERON_SEED_HDR_RAW_LATIN1:
      {
        g_autoptr(GString) latin1 = g_string_sized_new (len);

        _heron_seed_to_latin1 (latin1, text, len);
        if (mode == HERON_SEED_HDR_Q_LATIN1)
          encode_q (out, col, "ISO-8859-1", latin1->str, latin1->len, FALSE);
        else if (quote_specials && needs_quotes (text))
          append_quoted (out, col, latin1->str, latin1->len);
        else
          {
            g_string_append_len (out, latin1->str, (gssize) latin1->len);
            *col += latin1->len;
          }
      }
      break;

    case HERON_SEED_HDR_RAW_UTF8:
      if (quote_specials && needs_quotes (text))
        append_quoted (out, col, text, len);
      else
        {
          g_string_append_len (out, text, (gssize) len);
          *col += len;
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ---- RFC 2231 --------------------------------------------------------------------------- */

static gboolean
attribute_char (guchar c)
{
  return g_ascii_isalnum (c) || strchr ("!#$&+-.^_`|~", c) != NULL;
}

void
_heron_seed_header_param (GString *out, const char *name, const char *value, gboolean rfc2231)
{
  gsize len = strlen (value);

  if (_heron_seed_is_ascii (value, len))
    {
      gsize col = 0;

      g_string_append_printf (out, ";\n\t%s=", name);
      append_quoted (out, &col, value, len);
      return;
    }

  if (!rfc2231)
    {
      /* RFC 2047 inside a quoted string: wrong by the letter of RFC 2047 (5), yet what the
       * most common mailers send, so readers must cope. */
      gsize col = 8 + strlen (name);

      g_string_append_printf (out, ";\n\t%s=\"", name);
      encode_b (out, &col, value, len);
      g_string_append_c (out, '"');
      return;
    }

  {
    g_autoptr(GString) enc = g_string_sized_new (len * 3);
    gsize name_len = strlen (name);

    for (gsize i = 0; i < len; i++)
      {
        guchar c = (guchar) value[i];

        if (attribute_char (c))
          g_string_append_c (enc, (char) c);
        else
          {
            g_string_append_c (enc, '%');
            g_string_append_c (enc, hex_upper[c >> 4]);
            g_string_append_c (enc, hex_upper[c & 15]);
          }
      }

    if (name_len + 10 + enc->len <= 76)
      {
        g_string_append_printf (out, ";\n\t%s*=UTF-8''%s", name, enc->str);
        return;
      }

    /* Continuations (RFC 2231 3), each segment short enough for its own line, never
     * splitting a %XX. */
    {
      gsize pos = 0;
      guint part = 0;

      while (pos < enc->len)
        {
          gsize seg = MIN (enc->len - pos, 54);

          if (pos + seg < enc->len)
            {
              if (seg >= 1 && enc->str[pos + seg - 1] == '%')
                seg -= 1;
              else if (seg >= 2 && enc->str[pos + seg - 2] == '%')
                seg -= 2;
            }
          g_string_append_printf (out, ";\n\t%s*%u*=%s", name, part,
                                  part == 0 ? "UTF-8''" : "");
          g_string_append_len (out, enc->str + pos, (gssize) seg);
          pos += seg;
          part++;
        }
    }
  }
}

/* ---- CRC-32 (ISO 3309, as PNG uses it) --------------------------------------------------- */

static guint32 crc_table[256];

static void
crc_table_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint32 n = 0; n < 256; n++)
        {
          guint32 c = n;

          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
          crc_table[n] = c;
        }
      g_once_init_leave (&done, 1);
    }
}

guint32
_heron_seed_crc32 (guint32 crc, const guint8 *data, gsize len)
{
  guint32 c = crc ^ 0xffffffffu;

  crc_table_init ();
  for (gsize i = 0; i < len; i++)
    c = crc_table[(c ^ data[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}
