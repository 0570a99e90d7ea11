/* heron-mime-part.c: decoding the content of a part, text in its charset, file names
 *
 * Content is read from the bytes of the message itself: GMime keeps each part's content as a
 * slice of the stream it parsed, and the message keeps those bytes in a GByteArray that every
 * holder references. A slice of immutable bytes can be decoded on any thread.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-headers.h"
#include "heron-mime-private.h"

#define CHUNK (64 * 1024)

gboolean
_heron_mime_source_init (HeronMimeSource *source,
                         GMimePart       *part,
                         GByteArray      *raw)
{
  GMimeDataWrapper *wrapper;
  GMimeStream *stream;

  memset (source, 0, sizeof *source);
  wrapper = g_mime_part_get_content (part);
  if (wrapper == NULL || (stream = g_mime_data_wrapper_get_stream (wrapper)) == NULL)
    {
      source->array = g_byte_array_new ();
      source->encoding = GMIME_CONTENT_ENCODING_DEFAULT;
      return TRUE;
    }
  source->encoding = g_mime_data_wrapper_get_encoding (wrapper);

  if (raw != NULL && GMIME_IS_STREAM_MEM (stream) &&
      g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream)) == raw)
    {
      gint64 start = stream->bound_start;
      gint64 end = stream->bound_end < 0 ? (gint64) raw->len : stream->bound_end;

      source->array = g_byte_array_ref (raw);
      source->start = (gsize) CLAMP (start, 0, (gint64) raw->len);
      source->end = (gsize) CLAMP (end, (gint64) source->start, (gint64) raw->len);
      return TRUE;
    }

  /* content that is not a slice of the message (a message built in memory): copy it */
  {
    GMimeStream *mem = g_mime_stream_mem_new ();
    GByteArray *array;

    g_mime_stream_reset (stream);
    g_mime_stream_write_to_stream (stream, mem);
    g_mime_stream_reset (stream);
    array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
    source->array = g_byte_array_new ();
    g_byte_array_append (source->array, array->data, array->len);
    g_object_unref (mem);
    source->start = 0;
    source->end = source->array->len;
  }
  return TRUE;
}

void
_heron_mime_source_clear (HeronMimeSource *source)
{
  g_clear_pointer (&source->array, g_byte_array_unref);
}

gboolean
_heron_mime_source_process (const HeronMimeSource *source,
                            HeronMimeChunkFunc     func,
                            gpointer               user_data,
                            GCancellable          *cancellable,
                            GError               **error)
{
  GMimeEncoding state;
  gboolean decode;
  g_autofree guint8 *buf = NULL;
  gsize pos = source->start;

  /* uuencoded content (a "begin" line first) is passed through as it is */
  decode = source->encoding == GMIME_CONTENT_ENCODING_BASE64 ||
           source->encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
  if (decode)
    {
      g_mime_encoding_init_decode (&state, source->encoding);
      buf = g_malloc (g_mime_encoding_outlen (&state, CHUNK) + 16);
    }

  while (pos < source->end)
    {
      gsize n = MIN (CHUNK, source->end - pos);
      const guint8 *in = source->array->data + pos;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (decode)
        {
          gsize out = g_mime_encoding_step (&state, (const char *) in, n, (char *) buf);

          if (out > 0 && !func (buf, out, user_data, error))
            return FALSE;
        }
      else if (!func (in, n, user_data, error))
        return FALSE;
      pos += n;
    }
  if (decode)
    {
      gsize out = g_mime_encoding_flush (&state, "", 0, (char *) buf);

      if (out > 0 && !func (buf, out, user_data, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  GByteArray *out;
  gsize       max;
  gboolean    full;
} Collect;

static gboolean
collect_chunk (const guint8 *data,
               gsize         len,
               gpointer      user_data,
               GError      **error)
{
  Collect *c = user_data;
  gsize room = c->max - MIN (c->max, c->out->len);

  if (len > room)
    {
      g_byte_array_append (c->out, data, room);
      c->full = TRUE;
      /* stop: an error without a GError ends the walk */
      return FALSE;
    }
  g_byte_array_append (c->out, data, len);
  return TRUE;
}

gboolean
_heron_mime_source_decode (const HeronMimeSource *source,
                           GByteArray            *out,
                           gsize                  max)
{
  Collect c = { out, max, FALSE };

  _heron_mime_source_process (source, collect_chunk, &c, NULL, NULL);
  return c.full;
}

static gboolean
count_chunk (const guint8 *data,
             gsize         len,
             gpointer      user_data,
             GError      **error)
{
  *(goffset *) user_data += len;
  return TRUE;
}

goffset
_heron_mime_source_decoded_size (const HeronMimeSource *source)
{
  goffset size = 0;

  _heron_mime_source_process (source, count_chunk, &size, NULL, NULL);
  return size;
}

/* <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x"> near the
 * start of an HTML part without a charset parameter. */
static char *
sniff_html_charset (const guint8 *data,
                    gsize         len)
{
  g_autofree char *head = NULL;
  const char *p;

  if (data == NULL || len == 0)
    return NULL;
  head = g_ascii_strdown ((const char *) data, MIN (len, 2048));
  p = head;

  while ((p = strstr (p, "charset")) != NULL)
    {
      const char *q = p + 7;
      GString *name;

      while (*q == ' ' || *q == '\t')
        q++;
      if (*q != '=')
        {
          p = q;
          continue;
        }
      q++;
      while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\'')
        q++;
      name = g_string_new (NULL);
      while (*q != '\0' && (g_ascii_isalnum (*q) || *q == '-' || *q == '_' || *q == '.' ||
                            *q == ':') && name->len < 40)
        g_string_append_c (name, *q++);
      if (name->len > 0)
        return g_string_free (name, FALSE);
      g_string_free (name, TRUE);
      p = q;
    }
  return NULL;
}

char *
_heron_mime_part_get_text (GMimePart  *part,
                           GByteArray *raw,
                           gsize       max,
                           gboolean    is_html,
                           gboolean   *truncated)
{
  HeronMimeSource source;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *sniffed = NULL;
  const char *charset;
  GString *text;
  GString *out;

  _heron_mime_source_init (&source, part, raw);
  if (_heron_mime_source_decode (&source, bytes, max) && truncated != NULL)
    *truncated = TRUE;
  _heron_mime_source_clear (&source);

  charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  if ((charset == NULL || *charset == '\0') && is_html)
    charset = sniffed = sniff_html_charset (bytes->data, bytes->len);

  text = g_string_sized_new (bytes->len + 1);
  _heron_mime_append_converted (text, bytes->data, bytes->len, charset, NULL);

  /* LF line ends */
  out = g_string_sized_new (text->len + 1);
  for (gsize i = 0; i < text->len; i++)
    {
      char c = text->str[i];

      if (c == '\r')
        {
          if (i + 1 < text->len && text->str[i + 1] == '\n')
            continue;
          c = '\n';
        }
      g_string_append_c (out, c);
    }
  g_string_free (text, TRUE);
  return g_string_free (out, FALSE);
}

char *
_heron_mime_content_type_string (GMimeObject *object)
{
  GMimeContentType *ct = g_mime_object_get_content_type (object);
  g_autofree char *type = NULL;

  if (ct == NULL)
    return g_strdup ("application/octet-stream");
  type = g_mime_content_type_get_mime_type (ct);
  if (type == NULL || strchr (type, '/') == NULL)
    return g_strdup ("application/octet-stream");
  return g_ascii_strdown (type, -1);
}

static gboolean
is_unsafe_in_filename (gunichar c)
{
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '/' || c == '\\' ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x061C || c == 0xFEFF ||
         g_unichar_type (c) == G_UNICODE_FORMAT;
}

char *
_heron_mime_safe_filename (const char *name)
{
  GString *out;
  const char *p;

  if (name == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_unsafe_in_filename (c))
        g_string_append_c (out, c == '/' || c == '\\' ? '_' : ' ');
      else
        g_string_append_unichar (out, c);
    }
  g_strstrip (out->str);
  g_string_set_size (out, strlen (out->str));
  /* no hidden files, no "..": leading dots go */
  while (out->len > 0 && out->str[0] == '.')
    g_string_erase (out, 0, 1);
  /* 255 bytes, the common file-system limit, keeping the extension */
  if (out->len > 255)
    {
      const char *dot = strrchr (out->str, '.');
      gsize ext = dot != NULL && out->str + out->len - dot <= 16 ? (gsize) (out->str + out->len - dot) : 0;
      g_autofree char *extension = g_strdup (out->str + out->len - ext);
      GString *cut = g_string_new_len (out->str, out->len - ext);

      /* cut on a character boundary */
      _heron_mime_truncate_utf8 (cut, 255 - ext);
      g_string_append (cut, extension);
      g_string_free (out, TRUE);
      out = cut;
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

char *
_heron_mime_object_filename (GMimeObject *object)
{
  const char *name;
  g_autofree char *valid = NULL;

  name = g_mime_object_get_content_disposition_parameter (object, "filename");
  if (name == NULL || *name == '\0')
    name = g_mime_object_get_content_type_parameter (object, "name");
  if (name == NULL || *name == '\0')
    return NULL;

  /* GMime decodes RFC 2231 and RFC 2047 in parameters; what comes out may still be raw bytes */
  valid = _heron_mime_to_utf8 ((const guchar *) name, strlen (name), NULL, NULL);
  if (strstr (valid, "=?") != NULL)
    {
      char *decoded = heron_mime_decode_header (valid, -1, 1024, NULL);

      g_free (valid);
      valid = decoded;
    }
  return _heron_mime_safe_filename (valid);
}
