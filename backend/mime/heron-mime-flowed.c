/* heron-mime-flowed.c: format=flowed (RFC 3676)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-flowed.h"

static void
emit_paragraph (GString    *out,
                guint       depth,
                const char *text,
                gsize       len)
{
  for (guint i = 0; i < depth; i++)
    g_string_append_c (out, '>');
  if (depth > 0 && len > 0)
    g_string_append_c (out, ' ');
  g_string_append_len (out, text, len);
  g_string_append_c (out, '\n');
}

char *
heron_mime_flowed_decode (const char *text,
                          gboolean    delsp)
{
  GString *out;
  g_autoptr(GString) para = g_string_new (NULL);
  gboolean open = FALSE;
  guint para_depth = 0;
  const char *p, *end;
  gboolean ends_with_newline;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) + 1);
  end = text + strlen (text);
  ends_with_newline = end > text && end[-1] == '\n';

  for (p = text; p < end; )
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *content = p;
      gsize len;
      guint depth = 0;
      gboolean flowed;

      while (content < line_end && *content == '>')
        {
          depth++;
          content++;
        }
      if (content < line_end && *content == ' ')
        content++;
      len = line_end - content;
      if (len > 0 && content[len - 1] == '\r')
        len--;

      flowed = len > 0 && content[len - 1] == ' ' &&
               !(len == 3 && memcmp (content, "-- ", 3) == 0);

      /* a quote level change ends a paragraph, even after a soft break (RFC 3676 4.5) */
      if (open && depth != para_depth)
        {
          emit_paragraph (out, para_depth, para->str, para->len);
          g_string_truncate (para, 0);
          open = FALSE;
        }
      if (!open)
        {
          open = TRUE;
          para_depth = depth;
        }
      if (flowed && delsp)
        len--;
      g_string_append_len (para, content, len);
      if (!flowed)
        {
          emit_paragraph (out, para_depth, para->str, para->len);
          g_string_truncate (para, 0);
          open = FALSE;
        }
      p = nl != NULL ? nl + 1 : end;
    }
  if (open)
    emit_paragraph (out, para_depth, para->str, para->len);

  if (!ends_with_newline && out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

static gboolean
needs_stuffing (const char *s,
                gsize       len)
{
  return (len > 0 && s[0] == ' ') || (len > 0 && s[0] == '>') ||
         (len >= 5 && memcmp (s, "From ", 5) == 0);
}

static void
emit_line (GString    *out,
           const char *prefix,
           gsize       prefix_len,
           const char *s,
           gsize       len)
{
  g_string_append_len (out, prefix, prefix_len);
  if (prefix_len == 0 && needs_stuffing (s, len))
    g_string_append_c (out, ' ');
  g_string_append_len (out, s, len);
  g_string_append_c (out, '\n');
}

char *
heron_mime_flowed_encode (const char *text,
                          guint       width)
{
  GString *out;
  const char *p, *end;
  gboolean ends_with_newline;

  g_return_val_if_fail (text != NULL, NULL);

  if (width == 0)
    width = HERON_MIME_FLOWED_WIDTH;
  out = g_string_sized_new (strlen (text) + strlen (text) / 32 + 2);
  end = text + strlen (text);
  ends_with_newline = end > text && end[-1] == '\n';

  for (p = text; p < end; )
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *content = p;
      g_autoptr(GString) prefix = g_string_new (NULL);
      gsize len;
      guint depth = 0;

      while (content < line_end && *content == '>')
        {
          depth++;
          content++;
        }
      if (depth > 0)
        {
          /* ">> text" and ">>text" are the same level; written as ">> text" */
          if (content < line_end && *content == ' ')
            content++;
          for (guint i = 0; i < depth; i++)
            g_string_append_c (prefix, '>');
          g_string_append_c (prefix, ' ');
        }
      len = line_end - content;
      if (len > 0 && content[len - 1] == '\r')
        len--;
      /* hard line breaks carry no trailing white space, but "-- " keeps its space */
      if (!(depth == 0 && len == 3 && memcmp (content, "-- ", 3) == 0))
        while (len > 0 && (content[len - 1] == ' ' || content[len - 1] == '\t'))
          len--;
      if (depth > 0 && len == 0)
        g_string_truncate (prefix, prefix->len - 1);

      /* wrap: each soft line ends with the space it broke at */
      {
        guint prefix_chars = prefix->len;  /* ASCII */
        glong total = g_utf8_strlen (content, len);

        while ((guint) total + prefix_chars > width)
          {
            guint budget = width > prefix_chars + 1 ? width - prefix_chars : 1;
            const char *q = content, *cut = NULL;
            guint chars = 0, cut_chars = 0;

            if (prefix_chars == 0 && needs_stuffing (content, len) && budget > 1)
              budget--;
            for (; q < content + len; q = g_utf8_next_char (q))
              {
                if (*q == ' ')
                  {
                    if (chars < budget || cut == NULL)
                      {
                        cut = q + 1;
                        cut_chars = chars + 1;
                      }
                    if (chars >= budget)
                      break;
                  }
                chars++;
              }
            /* no space at all: the word stays whole; a cut at the very end leaves nothing */
            if (cut == NULL || cut >= content + len)
              break;
            emit_line (out, prefix->str, prefix->len, content, cut - content);
            len -= cut - content;
            content = cut;
            total -= cut_chars;
          }
      }
      emit_line (out, prefix->str, prefix->len, content, len);
      p = nl != NULL ? nl + 1 : end;
    }

  if (!ends_with_newline && out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}
