/* heron-mime-message.c: the display model of one mail message
 *
 * Headers are decoded from their raw bytes by heron-mime-headers.c and heron-mime-address.c (not
 * by GMime), so the rules for charsets, controls and encoded words are ours and tested; GMime
 * parses the MIME structure. The raw message lives in one GByteArray that GMime reads from and
 * that every object holding a part references.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-error.h"
#include "heron-mime-headers.h"
#include "heron-mime-private.h"

struct _HeronMimeMessage {
  GObject               parent_instance;

  GByteArray           *raw;
  gboolean              nested;      /* an attached message inside raw */
  GMimeMessage         *message;
  HeronMimeStructure   *structure;
  HeronMimeMessageFlags flags;

  char                 *subject;
  GPtrArray            *from;
  GPtrArray            *sender;
  GPtrArray            *to;
  GPtrArray            *cc;
  GPtrArray            *bcc;
  GPtrArray            *reply_to;
  GPtrArray            *followup_to;
  GDateTime            *date;
  char                 *message_id;
  char                 *in_reply_to;
  GStrv                 references;
  char                 *list_id;
  char                 *sender_display;
  HeronMimeSenderFlags  sender_flags;
  char                 *text;        /* get_text(), made on first use */
};

G_DEFINE_FINAL_TYPE (HeronMimeMessage, heron_mime_message, G_TYPE_OBJECT)

static void
heron_mime_message_finalize (GObject *object)
{
  HeronMimeMessage *self = HERON_MIME_MESSAGE (object);

  g_clear_pointer (&self->structure, _heron_mime_structure_free);
  g_clear_object (&self->message);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->from, g_ptr_array_unref);
  g_clear_pointer (&self->sender, g_ptr_array_unref);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->bcc, g_ptr_array_unref);
  g_clear_pointer (&self->reply_to, g_ptr_array_unref);
  g_clear_pointer (&self->followup_to, g_ptr_array_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_clear_pointer (&self->message_id, g_free);
  g_clear_pointer (&self->in_reply_to, g_free);
  g_clear_pointer (&self->references, g_strfreev);
  g_clear_pointer (&self->list_id, g_free);
  g_clear_pointer (&self->sender_display, g_free);
  g_clear_pointer (&self->text, g_free);
  /* last: GMime's streams point into these bytes */
  g_clear_pointer (&self->raw, g_byte_array_unref);

  G_OBJECT_CLASS (heron_mime_message_parent_class)->finalize (object);
}

static void
heron_mime_message_class_init (HeronMimeMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = heron_mime_message_finalize;
}

static void
heron_mime_message_init (HeronMimeMessage *self)
{
}

/* Every header named `name`, raw values in order. */
static GPtrArray *
raw_headers (GMimeObject *object,
             const char  *name)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GPtrArray *values = g_ptr_array_new ();
  int n = list != NULL ? g_mime_header_list_get_count (list) : 0;

  for (int i = 0; i < n; i++)
    {
      GMimeHeader *h = g_mime_header_list_get_header_at (list, i);
      const char *hname = g_mime_header_get_name (h);

      if (hname != NULL && g_ascii_strcasecmp (hname, name) == 0)
        {
          const char *raw = g_mime_header_get_raw_value (h);

          g_ptr_array_add (values, (gpointer) (raw != NULL ? raw : ""));
        }
    }
  return values;
}

static const char *
first_raw_header (GMimeObject *object,
                  const char  *name)
{
  g_autoptr(GPtrArray) values = raw_headers (object, name);

  return values->len > 0 ? g_ptr_array_index (values, 0) : NULL;
}

static GPtrArray *
parse_addresses (GMimeObject *object,
                 const char  *name,
                 gboolean     all)
{
  g_autoptr(GPtrArray) values = raw_headers (object, name);
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_address_free);

  for (guint i = 0; i < values->len && (all || i == 0); i++)
    {
      g_autoptr(GPtrArray) one = heron_mime_address_list_parse (g_ptr_array_index (values, i), -1);

      for (guint j = 0; j < one->len && list->len < HERON_MIME_MAX_ADDRESSES; j++)
        g_ptr_array_add (list, heron_mime_address_copy (g_ptr_array_index (one, j)));
    }
  return list;
}

static char *
decoded_header (GMimeObject          *object,
                const char           *name,
                gsize                 max_chars,
                HeronMimeDecodeFlags *flags)
{
  const char *raw = first_raw_header (object, name);

  if (flags != NULL)
    *flags = 0;
  if (raw == NULL)
    return NULL;
  return heron_mime_decode_header (raw, -1, max_chars, flags);
}

static void
read_headers (HeronMimeMessage *self)
{
  GMimeObject *object = GMIME_OBJECT (self->message);
  HeronMimeDecodeFlags flags = 0;
  g_autofree char *date = NULL;
  g_autofree char *msgid = NULL;
  g_autofree char *irt = NULL;
  g_autofree char *list_id = NULL;

  self->subject = decoded_header (object, "Subject", 0, &flags);
  if (self->subject == NULL)
    self->subject = g_strdup ("");
  if (flags & HERON_MIME_DECODE_TRUNCATED)
    self->flags |= HERON_MIME_MESSAGE_HEADERS_TRUNCATED;

  /* every From header: a second one is a spoofing attempt, and both must be seen */
  self->from = parse_addresses (object, "From", TRUE);
  self->sender = parse_addresses (object, "Sender", FALSE);
  self->to = parse_addresses (object, "To", TRUE);
  self->cc = parse_addresses (object, "Cc", TRUE);
  self->bcc = parse_addresses (object, "Bcc", TRUE);
  self->reply_to = parse_addresses (object, "Reply-To", FALSE);
  self->followup_to = parse_addresses (object, "Mail-Followup-To", FALSE);

  date = decoded_header (object, "Date", 200, NULL);
  if (date != NULL && *date != '\0')
    self->date = g_mime_utils_header_decode_date (date);

  msgid = decoded_header (object, "Message-ID", 998, NULL);
  self->message_id = _heron_mime_parse_msgid (msgid);
  irt = decoded_header (object, "In-Reply-To", 998, NULL);
  self->in_reply_to = _heron_mime_parse_msgid (irt);
  {
    const char *raw = first_raw_header (object, "References");
    g_autofree char *unfolded = raw != NULL ?
      _heron_mime_unfold (raw, MIN (strlen (raw), (gsize) HERON_MIME_MAX_HEADER_INPUT), NULL) : NULL;

    self->references = _heron_mime_parse_msgid_list (unfolded, HERON_MIME_MAX_REFERENCES);
  }
  list_id = decoded_header (object, "List-Id", 998, NULL);
  if (list_id != NULL)
    self->list_id = _heron_mime_parse_msgid (list_id);
  if (self->list_id == NULL && list_id != NULL && *list_id != '\0')
    self->list_id = g_strdup (list_id);

  self->sender_display = heron_mime_sender_display (self->from->len > 0 ? self->from : self->sender,
                                                    &self->sender_flags);
}

static HeronMimeMessage *
message_new (GMimeMessage *message,
             GByteArray   *raw,
             gboolean      nested,
             HeronMimeMessageFlags flags)
{
  HeronMimeMessage *self = g_object_new (HERON_TYPE_MIME_MESSAGE, NULL);
  GMimeObject *body;

  self->raw = g_byte_array_ref (raw);
  self->nested = nested;
  self->message = message;
  self->flags = flags;
  read_headers (self);
  body = g_mime_message_get_mime_part (message);
  self->structure = _heron_mime_structure_new (body, raw);
  self->flags |= _heron_mime_structure_get_flags (self->structure);
  return self;
}

/* Takes the bytes. */
static HeronMimeMessage *
parse (GByteArray *raw)
{
  GMimeParserOptions *options = _heron_mime_parser_options ();
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  GMimeMessage *message;
  HeronMimeMessageFlags flags = 0;
  HeronMimeMessage *self;

  _heron_mime_defects_reset ();

  stream = g_mime_stream_mem_new_with_byte_array (raw);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  g_mime_parser_set_persist_stream (parser, TRUE);
  message = g_mime_parser_construct_message (parser, options);

  if (message != NULL && g_mime_header_list_get_count (g_mime_object_get_header_list (GMIME_OBJECT (message))) == 0 &&
      raw->len > 0 && !(raw->data[0] == '\n' || raw->data[0] == '\r'))
    {
      /* no header block at all: the bytes are not a message but must not be lost */
      g_clear_object (&message);
    }
  if (message == NULL)
    {
      GMimePart *part = g_mime_part_new_with_type ("text", "plain");
      GMimeStream *content = g_mime_stream_mem_new_with_byte_array (raw);
      GMimeDataWrapper *wrapper;

      g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (content), FALSE);
      wrapper = g_mime_data_wrapper_new_with_stream (content, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content (part, wrapper);
      message = g_mime_message_new (FALSE);
      g_mime_message_set_mime_part (message, GMIME_OBJECT (part));
      g_object_unref (wrapper);
      g_object_unref (content);
      g_object_unref (part);
      flags |= HERON_MIME_MESSAGE_NO_HEADERS;
    }
  if (_heron_mime_defects_get () > 0)
    flags |= HERON_MIME_MESSAGE_MALFORMED;

  self = message_new (message, raw, FALSE, flags);
  g_byte_array_unref (raw);
  return self;
}

HeronMimeMessage *
_heron_mime_message_new_for_gmime (GMimeMessage *message,
                                   GByteArray   *raw)
{
  g_return_val_if_fail (GMIME_IS_MESSAGE (message), NULL);
  return message_new (g_object_ref (message), raw, TRUE, 0);
}

GMimeMessage *
_heron_mime_message_get_gmime (HeronMimeMessage *self)
{
  return self->message;
}

HeronMimeMessage *
heron_mime_message_new_from_bytes (GBytes  *bytes,
                                   GError **error)
{
  GByteArray *raw;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _heron_mime_ensure_init ();
  if ((gint64) g_bytes_get_size (bytes) > HERON_MIME_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, HERON_MIME_ERROR, HERON_MIME_ERROR_TOO_LARGE,
                   "The message is larger than %" G_GINT64_FORMAT " bytes",
                   HERON_MIME_MAX_MESSAGE_SIZE);
      return NULL;
    }
  raw = g_byte_array_sized_new (g_bytes_get_size (bytes));
  g_byte_array_append (raw, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return parse (raw);
}

HeronMimeMessage *
heron_mime_message_new_from_stream (GInputStream  *stream,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  guint8 buf[64 * 1024];

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _heron_mime_ensure_init ();
  for (;;)
    {
      gssize n = g_input_stream_read (stream, buf, sizeof buf, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if ((gint64) raw->len + n > HERON_MIME_MAX_MESSAGE_SIZE)
        {
          g_set_error (error, HERON_MIME_ERROR, HERON_MIME_ERROR_TOO_LARGE,
                       "The message is larger than %" G_GINT64_FORMAT " bytes",
                       HERON_MIME_MAX_MESSAGE_SIZE);
          return NULL;
        }
      g_byte_array_append (raw, buf, n);
    }
  return parse (g_steal_pointer (&raw));
}

HeronMimeMessage *
heron_mime_message_new_from_file (GFile         *file,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(GFileInputStream) in = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  in = g_file_read (file, cancellable, error);
  if (in == NULL)
    return NULL;
  return heron_mime_message_new_from_stream (G_INPUT_STREAM (in), cancellable, error);
}

GBytes *
heron_mime_message_get_raw (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);

  if (self->nested)
    {
      g_autoptr(GMimeStream) mem = g_mime_stream_mem_new ();
      GByteArray *array;

      g_mime_object_write_to_stream (GMIME_OBJECT (self->message), NULL, mem);
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
      return g_bytes_new (array->data, array->len);
    }
  return g_bytes_new_with_free_func (self->raw->data, self->raw->len,
                                     (GDestroyNotify) g_byte_array_unref,
                                     g_byte_array_ref (self->raw));
}

HeronMimeMessageFlags
heron_mime_message_get_flags (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), 0);
  return self->flags;
}

const char *
heron_mime_message_get_subject (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->subject;
}

GPtrArray *
heron_mime_message_get_from (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->from;
}

GPtrArray *
heron_mime_message_get_sender (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->sender;
}

GPtrArray *
heron_mime_message_get_to (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->to;
}

GPtrArray *
heron_mime_message_get_cc (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->cc;
}

GPtrArray *
heron_mime_message_get_bcc (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->bcc;
}

GPtrArray *
heron_mime_message_get_reply_to (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->reply_to;
}

GPtrArray *
heron_mime_message_get_mail_followup_to (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->followup_to;
}

GDateTime *
heron_mime_message_get_date (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->date;
}

const char *
heron_mime_message_get_message_id (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->message_id;
}

const char *
heron_mime_message_get_in_reply_to (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->in_reply_to;
}

const char * const *
heron_mime_message_get_references (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return (const char * const *) self->references;
}

const char *
heron_mime_message_get_list_id (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return self->list_id;
}

char *
heron_mime_message_dup_header (HeronMimeMessage *self,
                               const char       *name)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return decoded_header (GMIME_OBJECT (self->message), name, 0, NULL);
}

const char *
heron_mime_message_get_sender_display (HeronMimeMessage *self,
                                       gboolean         *out_suspicious)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  if (out_suspicious != NULL)
    *out_suspicious = self->sender_flags != HERON_MIME_SENDER_OK;
  return self->sender_display;
}

HeronMimeSenderFlags
heron_mime_message_get_sender_flags (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), 0);
  return self->sender_flags;
}

HeronMimeBodyKind
heron_mime_message_get_body (HeronMimeMessage *self,
                             gboolean          prefer_html,
                             char            **out_text)
{
  gboolean truncated = FALSE;
  HeronMimeBodyKind kind;

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), HERON_MIME_BODY_NONE);

  kind = _heron_mime_structure_render (self->structure, prefer_html, HERON_MIME_MAX_PART_TEXT,
                                       out_text, &truncated);
  if (truncated)
    self->flags |= HERON_MIME_MESSAGE_TEXT_TRUNCATED;
  return kind;
}

const char *
heron_mime_message_get_text (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);

  if (self->text == NULL)
    {
      gboolean truncated = FALSE;

      _heron_mime_structure_render (self->structure, FALSE, HERON_MIME_MAX_TEXT_LENGTH,
                                    &self->text, &truncated);
      if (truncated)
        self->flags |= HERON_MIME_MESSAGE_TEXT_TRUNCATED;
    }
  return self->text;
}

/* "On Mon, 4 Nov 2024, Alice wrote:", "Am ... schrieb ...:", "Le ... a écrit :": a line that ends
 * in ':' right before quoted lines. */
static gboolean
is_attribution (const char *line,
                const char *next)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (line));
  gsize len = strlen (trimmed);

  return len > 0 && len < 200 && trimmed[len - 1] == ':' && next != NULL && next[0] == '>';
}

char *
heron_mime_message_get_snippet (HeronMimeMessage *self,
                                guint             max_chars)
{
  g_auto(GStrv) lines = NULL;
  GString *out;
  guint chars = 0;
  gboolean cut = FALSE;

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);

  lines = g_strsplit (heron_mime_message_get_text (self), "\n", -1);
  out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL && !cut; i++)
    {
      const char *line = lines[i];

      if (strcmp (line, "-- ") == 0 || strcmp (line, "--") == 0)
        break;
      if (line[0] == '>' || is_attribution (line, lines[i + 1]))
        continue;
      for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (g_unichar_isspace (c) || c == 0xA0)
            {
              if (out->len > 0 && out->str[out->len - 1] != ' ')
                {
                  g_string_append_c (out, ' ');
                  chars++;
                }
              continue;
            }
          if (chars >= max_chars)
            {
              cut = TRUE;
              break;
            }
          g_string_append_unichar (out, c);
          chars++;
        }
      if (out->len > 0 && out->str[out->len - 1] != ' ')
        {
          g_string_append_c (out, ' ');
          chars++;
        }
    }
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (cut)
    {
      /* end on a word when one ends near the cut */
      const char *space = strrchr (out->str, ' ');

      if (space != NULL && out->str + out->len - space < 24)
        g_string_truncate (out, space - out->str);
      g_string_append (out, "\xe2\x80\xa6");
    }
  return g_string_free (out, FALSE);
}

static char *
normalize_cid (const char *cid)
{
  const char *p = cid;
  GString *out;
  gsize len;

  while (g_ascii_isspace (*p))
    p++;
  if (g_ascii_strncasecmp (p, "cid:", 4) == 0)
    p += 4;
  out = g_string_new (NULL);
  /* RFC 2392: the URL form is %-escaped */
  for (; *p != '\0'; p++)
    {
      if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  len = strlen (out->str);
  if (len >= 2 && out->str[0] == '<' && out->str[len - 1] == '>')
    {
      memmove (out->str, out->str + 1, len - 2);
      out->str[len - 2] = '\0';
    }
  g_string_set_size (out, strlen (out->str));
  return g_string_free (out, FALSE);
}

gboolean
heron_mime_message_lookup_cid (HeronMimeMessage *self,
                               const char       *cid,
                               char            **out_content_type,
                               GBytes          **out_content)
{
  g_autofree char *id = NULL;
  GMimeObject *object;
  HeronMimeSource source;
  g_autoptr(GByteArray) content = NULL;
  gboolean too_large;

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), FALSE);
  g_return_val_if_fail (cid != NULL, FALSE);

  id = normalize_cid (cid);
  if (*id == '\0')
    return FALSE;
  object = _heron_mime_structure_lookup_cid (self->structure, id);
  if (object == NULL || !GMIME_IS_PART (object))
    return FALSE;

  content = g_byte_array_new ();
  _heron_mime_source_init (&source, GMIME_PART (object), self->raw);
  too_large = _heron_mime_source_decode (&source, content, HERON_MIME_MAX_CID_SIZE);
  _heron_mime_source_clear (&source);
  if (too_large)
    return FALSE;

  if (out_content_type != NULL)
    *out_content_type = _heron_mime_content_type_string (object);
  if (out_content != NULL)
    *out_content = g_byte_array_free_to_bytes (g_steal_pointer (&content));
  return TRUE;
}

GPtrArray *
heron_mime_message_get_attachments (HeronMimeMessage *self)
{
  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (self), NULL);
  return _heron_mime_structure_get_attachments (self->structure);
}
