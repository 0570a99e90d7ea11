/* heron-imap-utf7.c: modified UTF-7 mailbox names (RFC 3501 section 5.1.3)
 *
 * In modified UTF-7, printable US-ASCII (0x20-0x7e) stands for itself except "&", which is
 * written "&-". Everything else is UTF-16, written in BASE64 with "," instead of "/", without
 * padding, between "&" and "-".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-imap-utf7.h"
#include "heron-imap-error.h"

static const char b64_chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_value (guchar c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == ',')
    return 63;
  return -1;
}

static void
push_units (GString  *out,
            guint32  *bits,
            guint    *n_bits,
            gunichar  c)
{
  guint16 units[2];
  guint n_units = 0;

  if (c >= 0x10000)
    {
      c -= 0x10000;
      units[n_units++] = 0xd800 + (c >> 10);
      units[n_units++] = 0xdc00 + (c & 0x3ff);
    }
  else
    units[n_units++] = c;

  for (guint i = 0; i < n_units; i++)
    {
      *bits = (*bits << 16) | units[i];
      *n_bits += 16;
      while (*n_bits >= 6)
        {
          *n_bits -= 6;
          g_string_append_c (out, b64_chars[(*bits >> *n_bits) & 0x3f]);
        }
      *bits &= (1u << *n_bits) - 1;
    }
}

char *
heron_imap_utf7_encode (const char *utf8)
{
  GString *out;
  gboolean in_b64 = FALSE;
  guint32 bits = 0;
  guint n_bits = 0;

  g_return_val_if_fail (utf8 != NULL, NULL);

  if (!g_utf8_validate (utf8, -1, NULL))
    return NULL;

  out = g_string_sized_new (strlen (utf8) + 8);

  for (const char *p = utf8; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x20 && c <= 0x7e)
        {
          if (in_b64)
            {
              if (n_bits > 0)
                g_string_append_c (out, b64_chars[(bits << (6 - n_bits)) & 0x3f]);
              g_string_append_c (out, '-');
              in_b64 = FALSE;
              bits = 0;
              n_bits = 0;
            }
          if (c == '&')
            g_string_append (out, "&-");
          else
            g_string_append_c (out, (char) c);
        }
      else
        {
          if (!in_b64)
            {
              g_string_append_c (out, '&');
              in_b64 = TRUE;
            }
          push_units (out, &bits, &n_bits, c);
        }
    }

  if (in_b64)
    {
      if (n_bits > 0)
        g_string_append_c (out, b64_chars[(bits << (6 - n_bits)) & 0x3f]);
      g_string_append_c (out, '-');
    }

  return g_string_free (out, FALSE);
}

static gboolean
fail (GError    **error,
      gsize       offset,
      const char *what)
{
  g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE,
               "invalid modified UTF-7 mailbox name at offset %" G_GSIZE_FORMAT ": %s",
               offset, what);
  return FALSE;
}

char *
heron_imap_utf7_decode_len (const char *mutf7,
                            gsize       len,
                            GError    **error)
{
  g_autoptr(GString) out = NULL;
  gsize i = 0;

  g_return_val_if_fail (mutf7 != NULL || len == 0, NULL);

  out = g_string_sized_new (len + 1);

  while (i < len)
    {
      guchar c = mutf7[i];
      guint32 bits = 0;
      guint n_bits = 0;
      guint32 high = 0;
      gsize start;

      if (c < 0x20 || c > 0x7e)
        {
          fail (error, i, c >= 0x80 ? "8-bit byte" : "control character");
          return NULL;
        }
      if (c != '&')
        {
          g_string_append_c (out, c);
          i++;
          continue;
        }

      i++;
      if (i < len && mutf7[i] == '-')
        {
          g_string_append_c (out, '&');
          i++;
          continue;
        }

      start = i;
      for (;;)
        {
          int v;

          if (i >= len)
            {
              fail (error, start - 1, "\"&\" without a closing \"-\"");
              return NULL;
            }
          c = mutf7[i];
          if (c == '-')
            break;
          v = b64_value (c);
          if (v < 0)
            {
              fail (error, i, "character outside the modified BASE64 alphabet");
              return NULL;
            }
          bits = (bits << 6) | (guint32) v;
          n_bits += 6;
          if (n_bits >= 16)
            {
              guint32 unit;

              n_bits -= 16;
              unit = (bits >> n_bits) & 0xffff;
              bits &= (1u << n_bits) - 1;

              if (high != 0)
                {
                  if (unit < 0xdc00 || unit > 0xdfff)
                    {
                      fail (error, i, "unpaired high surrogate");
                      return NULL;
                    }
                  g_string_append_unichar (out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
                  high = 0;
                }
              else if (unit >= 0xd800 && unit <= 0xdbff)
                high = unit;
              else if (unit >= 0xdc00 && unit <= 0xdfff)
                {
                  fail (error, i, "unpaired low surrogate");
                  return NULL;
                }
              else if (unit == 0)
                {
                  fail (error, i, "encoded U+0000");
                  return NULL;
                }
              else if (unit >= 0x20 && unit <= 0x7e)
                {
                  fail (error, i, "printable US-ASCII encoded in BASE64 (not minimal)");
                  return NULL;
                }
              else
                g_string_append_unichar (out, unit);
            }
          i++;
        }

      /* at the closing "-" */
      if (high != 0)
        {
          fail (error, i, "unpaired high surrogate");
          return NULL;
        }
      if (n_bits >= 6)
        {
          fail (error, i, "BASE64 section ends in the middle of a character");
          return NULL;
        }
      if (bits != 0)
        {
          fail (error, i, "non-zero padding bits");
          return NULL;
        }
      i++;
      if (i < len && mutf7[i] == '&' && !(i + 1 < len && mutf7[i + 1] == '-'))
        {
          fail (error, i, "superfluous shift \"-&\" between BASE64 sections");
          return NULL;
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
heron_imap_utf7_decode (const char *mutf7,
                        GError    **error)
{
  g_return_val_if_fail (mutf7 != NULL, NULL);

  return heron_imap_utf7_decode_len (mutf7, strlen (mutf7), error);
}
