/* heron-mime-charset.c: bytes in any charset to valid UTF-8
 *
 * The rules (docs/mime.md, "Charsets"):
 * - a declared charset that iconv knows is used; bytes it cannot decode become U+FFFD;
 * - no charset, us-ascii, an unknown label: UTF-8 if the bytes are valid UTF-8, else the fallback;
 * - a declared us-ascii, ISO-8859-1, ISO-8859-15 or windows-1252 on bytes that are valid UTF-8 with
 *   at least one multi-byte sequence: UTF-8 (the label is wrong; Latin-1 text almost never forms
 *   valid UTF-8 sequences);
 * - a declared UTF-8 on bytes that are not UTF-8 and hold no valid multi-byte sequence at all:
 *   the fallback (mislabelled Latin-1); otherwise UTF-8 with U+FFFD for the bad bytes;
 * - ISO-8859-1 is read as windows-1252, as browsers do: 0x80-0x9F are the Windows characters;
 * - the fallback is the locale's charset when that is a legacy 8-bit one, else windows-1252.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "heron-mime-private.h"

#define REPLACEMENT "\xef\xbf\xbd"

/* windows-1252 0x80-0x9F; 0 marks the five undefined bytes */
static const gunichar cp1252_high[32] = {
  0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
  0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

const char *
_heron_mime_fallback_charset (void)
{
  static gsize once = 0;
  static const char *fallback = NULL;

  if (g_once_init_enter (&once))
    {
      const char *locale_charset = NULL;
      const char *chosen = "windows-1252";

      /* a UTF-8 locale or plain ASCII (the C locale) says nothing about legacy mail */
      if (!g_get_charset (&locale_charset) && locale_charset != NULL &&
          g_ascii_strcasecmp (locale_charset, "ANSI_X3.4-1968") != 0 &&
          g_ascii_strcasecmp (locale_charset, "ASCII") != 0 &&
          g_ascii_strcasecmp (locale_charset, "US-ASCII") != 0 &&
          g_ascii_strncasecmp (locale_charset, "ISO-8859-1", 11) != 0)
        chosen = g_intern_string (locale_charset);
      fallback = chosen;
      g_once_init_leave (&once, 1);
    }
  return fallback;
}

void
_heron_mime_append_sanitized (GString    *out,
                              const char *data,
                              gsize       len,
                              gboolean   *replaced)
{
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      const char *bad = NULL;
      gsize chunk = end - p;

      if (!g_utf8_validate_len (p, chunk, &bad))
        chunk = bad - p;
      /* valid text up to `chunk`; NULs inside it are valid UTF-8 but not wanted */
      while (chunk > 0)
        {
          const char *nul = memchr (p, '\0', chunk);
          gsize n = nul != NULL ? (gsize) (nul - p) : chunk;

          g_string_append_len (out, p, n);
          p += n;
          chunk -= n;
          if (nul != NULL)
            {
              g_string_append (out, REPLACEMENT);
              p++;
              chunk--;
              if (replaced != NULL)
                *replaced = TRUE;
            }
        }
      if (p < end)
        {
          /* one invalid byte: skip it */
          g_string_append (out, REPLACEMENT);
          p++;
          if (replaced != NULL)
            *replaced = TRUE;
        }
    }
}

static void
append_cp1252 (GString      *out,
               const guchar *data,
               gsize         len,
               gboolean     *replaced)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = data[i];

      if (c == 0)
        {
          g_string_append (out, REPLACEMENT);
          if (replaced != NULL)
            *replaced = TRUE;
        }
      else if (c < 0x80)
        g_string_append_c (out, c);
      else if (c < 0xA0)
        {
          if (cp1252_high[c - 0x80] != 0)
            g_string_append_unichar (out, cp1252_high[c - 0x80]);
          else
            {
              g_string_append (out, REPLACEMENT);
              if (replaced != NULL)
                *replaced = TRUE;
            }
        }
      else
        g_string_append_unichar (out, c);
    }
}

/* Converts with iconv; bytes it rejects become U+FFFD. FALSE if iconv does not know charset. */
static gboolean
append_iconv (GString      *out,
              const guchar *data,
              gsize         len,
              const char   *charset,
              gboolean     *replaced)
{
  g_autoptr(GString) tmp = NULL;
  GIConv cd;
  char *inbuf = (char *) data;
  gsize inleft = len;
  char buf[4096];

  cd = g_iconv_open ("UTF-8", charset);
  if (cd == (GIConv) -1)
    return FALSE;

  tmp = g_string_sized_new (len + len / 2 + 16);
  while (inleft > 0)
    {
      char *outbuf = buf;
      gsize outleft = sizeof buf;
      gsize r = g_iconv (cd, &inbuf, &inleft, &outbuf, &outleft);

      g_string_append_len (tmp, buf, outbuf - buf);
      if (r == (gsize) -1)
        {
          if (errno == E2BIG)
            continue;
          /* EILSEQ: an invalid sequence; EINVAL: an incomplete one at the end */
          g_string_append (tmp, REPLACEMENT);
          if (replaced != NULL)
            *replaced = TRUE;
          if (errno == EINVAL)
            break;
          inbuf++;
          inleft--;
        }
    }
  {
    char *outbuf = buf;
    gsize outleft = sizeof buf;

    /* shift back to the initial state (stateful charsets such as ISO-2022-JP) */
    g_iconv (cd, NULL, NULL, &outbuf, &outleft);
    g_string_append_len (tmp, buf, outbuf - buf);
  }
  g_iconv_close (cd);

  /* iconv's output is UTF-8, but may decode NUL characters */
  _heron_mime_append_sanitized (out, tmp->str, tmp->len, replaced);
  return TRUE;
}

static gboolean
is_ascii (const guchar *data,
          gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* TRUE if data holds at least one valid multi-byte UTF-8 sequence. */
static gboolean
has_utf8_sequence (const guchar *data,
                   gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] < 0xC2 || data[i] > 0xF4)
        continue;
      if (g_utf8_get_char_validated ((const char *) data + i, len - i) < (gunichar) -2)
        return TRUE;
    }
  return FALSE;
}

static void
append_fallback (GString      *out,
                 const guchar *data,
                 gsize         len,
                 gboolean     *replaced)
{
  const char *fallback = _heron_mime_fallback_charset ();

  if (g_ascii_strcasecmp (fallback, "windows-1252") == 0 ||
      !append_iconv (out, data, len, fallback, replaced))
    append_cp1252 (out, data, len, replaced);
}

static gboolean
charset_is (const char *charset,
            const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (charset, names[i]) == 0)
      return TRUE;
  return FALSE;
}

void
_heron_mime_append_converted (GString      *out,
                              const guchar *data,
                              gsize         len,
                              const char   *charset,
                              gboolean     *replaced)
{
  static const char * const utf8_names[] = { "utf-8", "utf8", "x-utf-8", "unicode-1-1-utf-8", NULL };
  static const char * const ascii_names[] = {
    "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "x-unknown", "unknown",
    "unknown-8bit", "x-user-defined", "default", "none", "7bit", "8bit", NULL
  };
  static const char * const latin1_names[] = {
    "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "iso-ir-100", "cp819",
    "windows-1252", "cp1252", "x-cp1252", "iso-8859-15", "iso8859-15", "latin-9", NULL
  };
  g_autofree char *name = NULL;
  gboolean valid_utf8;

  if (len == 0)
    return;

  if (is_ascii (data, len))
    {
      /* ASCII reads the same in every charset that mail uses, except UTF-16/32, UTF-7 and
       * the ISO-2022 family, which must go through iconv */
      if (charset == NULL || !(g_ascii_strncasecmp (charset, "utf-16", 6) == 0 ||
                               g_ascii_strncasecmp (charset, "utf-32", 6) == 0 ||
                               g_ascii_strncasecmp (charset, "ucs", 3) == 0 ||
                               g_ascii_strncasecmp (charset, "utf-7", 5) == 0 ||
                               g_ascii_strncasecmp (charset, "unicode-1-1-utf-7", 17) == 0 ||
                               g_ascii_strncasecmp (charset, "iso-2022", 8) == 0 ||
                               g_ascii_strncasecmp (charset, "hz", 2) == 0))
        {
          _heron_mime_append_sanitized (out, (const char *) data, len, replaced);
          return;
        }
    }

  if (charset != NULL)
    {
      name = g_strstrip (g_strdup (charset));
      if (*name == '\0' || strlen (name) > 64)
        g_clear_pointer (&name, g_free);
    }

  valid_utf8 = g_utf8_validate_len ((const char *) data, len, NULL);

  if (name == NULL || charset_is (name, ascii_names))
    {
      if (valid_utf8)
        _heron_mime_append_sanitized (out, (const char *) data, len, replaced);
      else
        append_fallback (out, data, len, replaced);
      return;
    }

  if (charset_is (name, utf8_names))
    {
      if (valid_utf8 || has_utf8_sequence (data, len))
        _heron_mime_append_sanitized (out, (const char *) data, len, replaced);
      else
        append_fallback (out, data, len, replaced);
      return;
    }

  if (charset_is (name, latin1_names))
    {
      if (valid_utf8 && has_utf8_sequence (data, len))
        _heron_mime_append_sanitized (out, (const char *) data, len, replaced);
      else if (g_ascii_strncasecmp (name, "iso-8859-15", 11) == 0 ||
               g_ascii_strncasecmp (name, "iso8859-15", 10) == 0 ||
               g_ascii_strcasecmp (name, "latin-9") == 0)
        {
          if (!append_iconv (out, data, len, "ISO-8859-15", replaced))
            append_cp1252 (out, data, len, replaced);
        }
      else
        append_cp1252 (out, data, len, replaced);
      return;
    }

  /* Any other label: as GMime spells it for iconv, then as given. */
  {
    const char *iconv_name = g_mime_charset_iconv_name (name);

    if (iconv_name != NULL && append_iconv (out, data, len, iconv_name, replaced))
      return;
    if (append_iconv (out, data, len, name, replaced))
      return;
  }

  /* unknown to iconv */
  if (valid_utf8)
    _heron_mime_append_sanitized (out, (const char *) data, len, replaced);
  else
    append_fallback (out, data, len, replaced);
}

char *
_heron_mime_to_utf8 (const guchar *data,
                     gsize         len,
                     const char   *charset,
                     gboolean     *replaced)
{
  GString *out = g_string_sized_new (len + 1);

  _heron_mime_append_converted (out, data, len, charset, replaced);
  return g_string_free (out, FALSE);
}

gboolean
_heron_mime_truncate_utf8 (GString *str,
                           gsize    max_bytes)
{
  gsize cut;

  if (str->len <= max_bytes)
    return FALSE;
  cut = max_bytes;
  /* back up to the start of a character */
  while (cut > 0 && ((guchar) str->str[cut] & 0xC0) == 0x80)
    cut--;
  g_string_truncate (str, cut);
  return TRUE;
}
