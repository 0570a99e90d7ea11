/* heron-mime-composer.c: a composition into a MIME message
 *
 * Transfer encodings (docs/mime.md, "Composition"): text with only ASCII and lines of at most
 * 998 bytes is 7bit; text that is mostly ASCII (at most one byte in six above 0x7F) is
 * quoted-printable; other text, text with NUL or bare CR, and every non-text attachment is
 * base64. An attached message is written as it is (7bit or 8bit, as RFC 2046 requires).
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "heron-mime-composer.h"
#include "heron-mime-error.h"
#include "heron-mime-flowed.h"
#include "heron-mime-private.h"

#define SCAN_CHUNK (64 * 1024)

typedef struct {
  gboolean has_8bit;
  gboolean has_nul;
  gboolean bare_cr;
  gsize    count_8bit;
  gsize    length;
  gsize    max_line;
  gsize    line;
  gboolean cr;
  gboolean valid_utf8;
  GString *utf8_tail;    /* an incomplete UTF-8 sequence at a chunk's end */
} Scan;

static void
scan_init (Scan *s)
{
  memset (s, 0, sizeof *s);
  s->valid_utf8 = TRUE;
  s->utf8_tail = g_string_new (NULL);
}

static void
scan_step (Scan         *s,
           const guint8 *data,
           gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (s->cr && c != '\n')
        s->bare_cr = TRUE;
      s->cr = c == '\r';
      if (c == '\n')
        {
          s->max_line = MAX (s->max_line, s->line);
          s->line = 0;
          continue;
        }
      if (c != '\r')
        s->line++;
      if (c == 0)
        s->has_nul = TRUE;
      if (c >= 0x80)
        {
          s->has_8bit = TRUE;
          s->count_8bit++;
        }
    }
  s->length += len;
  s->max_line = MAX (s->max_line, s->line);

  if (s->valid_utf8)
    {
      const char *end = NULL;

      g_string_append_len (s->utf8_tail, (const char *) data, len);
      if (!g_utf8_validate_len (s->utf8_tail->str, s->utf8_tail->len, &end))
        {
          gsize rest = s->utf8_tail->str + s->utf8_tail->len - end;

          /* a sequence cut by the chunk boundary is fine; anything else is not UTF-8 */
          if (rest >= 4 || g_utf8_get_char_validated (end, rest) != (gunichar) -2)
            s->valid_utf8 = FALSE;
          g_string_erase (s->utf8_tail, 0, end - s->utf8_tail->str);
        }
      else
        g_string_truncate (s->utf8_tail, 0);
    }
}

static void
scan_finish (Scan *s)
{
  if (s->utf8_tail->len > 0)
    s->valid_utf8 = FALSE;
  if (s->cr)
    s->bare_cr = TRUE;
  g_string_free (s->utf8_tail, TRUE);
  s->utf8_tail = NULL;
}

static GMimeContentEncoding
choose_encoding (const Scan *s,
                 gboolean    is_text)
{
  if (!is_text || s->has_nul || s->bare_cr)
    return GMIME_CONTENT_ENCODING_BASE64;
  if (!s->has_8bit && s->max_line <= 998)
    return GMIME_CONTENT_ENCODING_7BIT;
  if (s->count_8bit * 6 <= s->length)
    return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
  return GMIME_CONTENT_ENCODING_BASE64;
}

/* LF to CRLF: MIME text is in canonical form before its transfer encoding (RFC 2049). */
static GByteArray *
canonical_text (const char *text)
{
  GByteArray *out = g_byte_array_sized_new (strlen (text) + strlen (text) / 40 + 2);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        continue;
      if (*p == '\n')
        g_byte_array_append (out, (const guint8 *) "\r\n", 2);
      else
        g_byte_array_append (out, (const guint8 *) p, 1);
    }
  return out;
}

static GMimeDataWrapper *
wrapper_for_array (GByteArray *array)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_byte_array (array);
  GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

  /* the stream owns the array now */
  g_object_unref (stream);
  return wrapper;
}

static GMimePart *
body_part (const HeronMimeComposition *self)
{
  g_autofree char *text = NULL;
  GByteArray *canonical;
  GMimePart *part;
  Scan scan;

  text = self->flowed ? heron_mime_flowed_encode (self->body, 0) : g_strdup (self->body);
  /* the body must be valid UTF-8 whatever the caller gave */
  if (!g_utf8_validate (text, -1, NULL))
    {
      char *valid = _heron_mime_to_utf8 ((const guchar *) text, strlen (text), "utf-8", NULL);

      g_free (text);
      text = valid;
    }
  canonical = canonical_text (text);

  scan_init (&scan);
  scan_step (&scan, canonical->data, canonical->len);
  scan_finish (&scan);

  part = g_mime_part_new_with_type ("text", "plain");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "charset",
                                            scan.has_8bit ? "utf-8" : "us-ascii");
  if (self->flowed)
    g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "format", "flowed");
  {
    GMimeDataWrapper *wrapper = wrapper_for_array (canonical);

    g_mime_part_set_content (part, wrapper);
    g_object_unref (wrapper);
  }
  /* a flowed body must keep its trailing spaces: never 7bit-with-long-lines, QP encodes them */
  g_mime_part_set_content_encoding (part, choose_encoding (&scan, TRUE));
  return part;
}

static gboolean
is_text_type (const char *content_type)
{
  return g_ascii_strncasecmp (content_type, "text/", 5) == 0;
}

static char *
mime_type_for (const char *gio_type)
{
  g_autofree char *mime = gio_type != NULL ? g_content_type_get_mime_type (gio_type) : NULL;

  if (mime == NULL || strchr (mime, '/') == NULL || g_str_has_prefix (mime, "inode/"))
    return g_strdup ("application/octet-stream");
  return g_ascii_strdown (mime, -1);
}

static GMimeObject *
attachment_part (const HeronMimeComposeAttachment *att,
                 GCancellable                     *cancellable,
                 GError                          **error)
{
  g_autofree char *filename = g_strdup (att->filename);
  g_autofree char *content_type = g_strdup (att->content_type);
  g_autofree char *safe = NULL;
  gboolean is_message;
  GMimePart *part;
  Scan scan;

  if (att->file == NULL && att->data == NULL)
    {
      g_set_error_literal (error, HERON_MIME_ERROR, HERON_MIME_ERROR_INVALID,
                           "An attachment has neither a file nor data");
      return NULL;
    }

  if (att->file != NULL)
    {
      g_autoptr(GFileInfo) info = g_file_query_info (att->file,
                                                     G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                                                     G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                                                     G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                     G_FILE_QUERY_INFO_NONE, cancellable, error);

      if (info == NULL)
        return NULL;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                       "“%s” is a folder", g_file_info_get_display_name (info));
          return NULL;
        }
      if (filename == NULL)
        filename = g_strdup (g_file_info_get_display_name (info));
      if (content_type == NULL)
        content_type = mime_type_for (g_file_info_get_content_type (info));
    }
  else if (content_type == NULL)
    {
      gsize size = 0;
      const guchar *data = g_bytes_get_data (att->data, &size);
      g_autofree char *guess = g_content_type_guess (filename, data, size, NULL);

      content_type = mime_type_for (guess);
    }
  /* an attached message (also a .eml file GIO calls message/rfc822) is written as a message
   * part: RFC 2046 allows no base64 for message/rfc822 */
  is_message = att->is_message || g_ascii_strcasecmp (content_type, "message/rfc822") == 0;
  if (is_message)
    {
      g_free (content_type);
      content_type = g_strdup ("message/rfc822");
    }

  safe = _heron_mime_safe_filename (filename);
  if (safe == NULL)
    safe = g_strdup (is_message ? "message.eml" : "attachment");

  if (is_message)
    {
      g_autoptr(GBytes) bytes = att->data != NULL ? g_bytes_ref (att->data) : NULL;
      g_autoptr(GMimeStream) stream = NULL;
      g_autoptr(GMimeParser) parser = NULL;
      g_autoptr(GMimeMessage) message = NULL;

      if (bytes == NULL)
        {
          char *contents = NULL;
          gsize length = 0;

          if (!g_file_load_contents (att->file, cancellable, &contents, &length, NULL, error))
            return NULL;
          bytes = g_bytes_new_take (contents, length);
        }
      stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      parser = g_mime_parser_new_with_stream (stream);
      message = g_mime_parser_construct_message (parser, _heron_mime_parser_options ());

      if (message != NULL)
        {
          GMimeMessagePart *mpart = g_mime_message_part_new_with_message ("rfc822", message);
          GMimeContentDisposition *disp = g_mime_content_disposition_new ();

          g_mime_content_disposition_set_disposition (disp, GMIME_DISPOSITION_ATTACHMENT);
          g_mime_content_disposition_set_parameter (disp, "filename", safe);
          g_mime_object_set_content_disposition (GMIME_OBJECT (mpart), disp);
          g_object_unref (disp);
          return GMIME_OBJECT (mpart);
        }
      /* not a message after all: attach the bytes as a file */
      g_free (content_type);
      content_type = g_strdup ("application/octet-stream");
    }

  scan_init (&scan);
  part = NULL;
  {
    g_auto(GStrv) type = g_strsplit (content_type, "/", 2);

    part = g_mime_part_new_with_type (type[0], type[1] != NULL ? type[1] : "octet-stream");
  }

  if (att->file != NULL)
    {
      /* read once to choose the encoding; GMime reads the file again when it writes */
      g_autoptr(GFileInputStream) in = g_file_read (att->file, cancellable, error);
      guint8 *buf;
      GMimeStream *stream;
      GMimeDataWrapper *wrapper;

      if (in == NULL)
        {
          scan_finish (&scan);
          g_object_unref (part);
          return NULL;
        }
      buf = g_malloc (SCAN_CHUNK);
      for (;;)
        {
          gssize n = g_input_stream_read (G_INPUT_STREAM (in), buf, SCAN_CHUNK, cancellable, error);

          if (n < 0)
            {
              g_free (buf);
              scan_finish (&scan);
              g_object_unref (part);
              return NULL;
            }
          if (n == 0)
            break;
          scan_step (&scan, buf, n);
        }
      g_free (buf);
      /* the stream owns the GFile reference it is given */
      stream = g_mime_stream_gio_new (g_object_ref (att->file));
      wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content (part, wrapper);
      g_object_unref (wrapper);
      g_object_unref (stream);
    }
  else
    {
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (att->data, &size);
      GByteArray *copy = g_byte_array_sized_new (size);
      GMimeDataWrapper *wrapper;

      g_byte_array_append (copy, data, size);
      scan_step (&scan, data, size);
      wrapper = wrapper_for_array (copy);
      g_mime_part_set_content (part, wrapper);
      g_object_unref (wrapper);
    }
  scan_finish (&scan);

  if (is_text_type (content_type) && scan.has_8bit && scan.valid_utf8 &&
      g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset") == NULL)
    g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "charset", "utf-8");
  g_mime_part_set_content_encoding (part, choose_encoding (&scan, is_text_type (content_type)));
  g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);
  g_mime_part_set_filename (part, safe);
  return GMIME_OBJECT (part);
}

static char *
identity_domain (const char *address)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;
  g_autofree char *ascii = NULL;

  if (at == NULL || at[1] == '\0')
    return g_strdup ("heron.invalid");
  ascii = g_hostname_to_ascii (at + 1);
  return g_strdup (ascii != NULL ? ascii : "heron.invalid");
}

static char *
new_message_id (const char *address)
{
  guint8 random[16];
  g_autofree char *domain = identity_domain (address);
  GString *id = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (getrandom (random, sizeof random, 0) != (ssize_t) sizeof random)
    for (guint i = 0; i < sizeof random; i++)
      random[i] = (guint8) g_random_int ();
  g_string_append_printf (id, "%" G_GINT64_FORMAT ".", g_date_time_to_unix (now));
  for (guint i = 0; i < sizeof random; i++)
    g_string_append_printf (id, "%02x", random[i]);
  g_string_append_printf (id, "@%s", domain);
  return g_string_free (id, FALSE);
}

static void
add_addresses (GMimeMessage     *message,
               GMimeAddressType  type,
               GPtrArray        *list)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const HeronMimeAddress *a = g_ptr_array_index (list, i);

      if (a->address == NULL || a->address[0] == '\0')
        continue;
      g_mime_message_add_mailbox (message, type, a->name != NULL && a->name[0] != '\0' ? a->name : NULL,
                                  a->address);
    }
}

static void
add_recipients (GPtrArray *out,
                GPtrArray *list)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const HeronMimeAddress *a = g_ptr_array_index (list, i);
      gboolean seen = FALSE;

      if (a->address == NULL || a->address[0] == '\0')
        continue;
      for (guint j = 0; j < out->len && !seen; j++)
        seen = heron_mime_address_equal_addr (g_ptr_array_index (out, j), a->address);
      if (!seen)
        g_ptr_array_add (out, g_strdup (a->address));
    }
}

HeronMimeOutgoing *
heron_mime_composition_build (const HeronMimeComposition *self,
                              HeronMimeBuildFlags         flags,
                              GCancellable               *cancellable,
                              GError                    **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GMimeFormatOptions) format = NULL;
  g_autoptr(GMimeStream) mem = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *message_id = NULL;
  GMimePart *body;
  const char *address;
  HeronMimeOutgoing *out;
  gboolean draft = (flags & HERON_MIME_BUILD_DRAFT) != 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _heron_mime_ensure_init ();

  address = self->identity != NULL ? heron_account_identity_get_address (self->identity) : NULL;
  if (address == NULL || *address == '\0')
    {
      g_set_error_literal (error, HERON_MIME_ERROR, HERON_MIME_ERROR_INVALID,
                           "The message has no sender address");
      return NULL;
    }
  recipients = g_ptr_array_new_with_free_func (g_free);
  add_recipients (recipients, self->to);
  add_recipients (recipients, self->cc);
  add_recipients (recipients, self->bcc);
  if (recipients->len == 0 && !draft)
    {
      g_set_error_literal (error, HERON_MIME_ERROR, HERON_MIME_ERROR_INVALID,
                           "The message has no recipients");
      return NULL;
    }

  message = g_mime_message_new (TRUE);
  {
    const char *name = heron_account_identity_get_name (self->identity);
    const char *reply_to = heron_account_identity_get_reply_to (self->identity);

    g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM,
                                name != NULL && *name != '\0' ? name : NULL, address);
    if (reply_to != NULL && *reply_to != '\0')
      g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, reply_to);
  }
  add_addresses (message, GMIME_ADDRESS_TYPE_TO, self->to);
  add_addresses (message, GMIME_ADDRESS_TYPE_CC, self->cc);
  if (draft)
    add_addresses (message, GMIME_ADDRESS_TYPE_BCC, self->bcc);
  g_mime_message_set_subject (message, self->subject != NULL ? self->subject : "", "utf-8");
  now = g_date_time_new_now_local ();
  g_mime_message_set_date (message, now);
  message_id = new_message_id (address);
  g_mime_message_set_message_id (message, message_id);

  if (self->in_reply_to != NULL && *self->in_reply_to != '\0')
    {
      g_autofree char *irt = g_strdup_printf ("<%s>", self->in_reply_to);

      g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", irt, NULL);
    }
  if (self->references != NULL && self->references->len > 0)
    {
      GString *refs = g_string_new (NULL);

      for (guint i = 0; i < self->references->len; i++)
        g_string_append_printf (refs, "%s<%s>", i > 0 ? " " : "",
                                (const char *) g_ptr_array_index (self->references, i));
      g_mime_object_set_header (GMIME_OBJECT (message), "References", refs->str, NULL);
      g_string_free (refs, TRUE);
    }
  if (draft)
    g_mime_object_set_header (GMIME_OBJECT (message), HERON_MIME_DRAFT_HEADER,
                              _heron_mime_compose_kind_to_string (self->kind), NULL);

  body = body_part (self);
  if (self->attachments == NULL || self->attachments->len == 0)
    g_mime_message_set_mime_part (message, GMIME_OBJECT (body));
  else
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, GMIME_OBJECT (body));
      for (guint i = 0; i < self->attachments->len; i++)
        {
          GMimeObject *part = attachment_part (g_ptr_array_index (self->attachments, i),
                                               cancellable, error);

          if (part == NULL)
            {
              g_object_unref (mixed);
              g_object_unref (body);
              return NULL;
            }
          g_mime_multipart_add (mixed, part);
          g_object_unref (part);
        }
      g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
      g_object_unref (mixed);
    }
  g_object_unref (body);

  format = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method (format, GMIME_PARAM_ENCODING_METHOD_RFC2231);
  mem = g_mime_stream_mem_new ();
  if (g_mime_object_write_to_stream (GMIME_OBJECT (message), format, mem) < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "An attachment could not be read while the message was written");
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  out = g_new0 (HeronMimeOutgoing, 1);
  {
    GByteArray *array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));

    out->message = g_bytes_new (array->data, array->len);
  }
  out->message_id = g_steal_pointer (&message_id);
  out->envelope_from = g_strdup (address);
  g_ptr_array_add (recipients, NULL);
  out->recipients = (GStrv) g_ptr_array_free (g_steal_pointer (&recipients), FALSE);
  return out;
}

static void
build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  HeronMimeComposition *composition = task_data;
  HeronMimeBuildFlags flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "heron-build-flags"));
  GError *error = NULL;
  HeronMimeOutgoing *out = heron_mime_composition_build (composition, flags, cancellable, &error);

  if (out == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, out, (GDestroyNotify) heron_mime_outgoing_free);
}

void
heron_mime_composition_build_async (const HeronMimeComposition *self,
                                    HeronMimeBuildFlags         flags,
                                    GCancellable               *cancellable,
                                    GAsyncReadyCallback         callback,
                                    gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);

  _heron_mime_ensure_init ();
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_mime_composition_build_async);
  g_task_set_task_data (task, heron_mime_composition_copy (self),
                        (GDestroyNotify) heron_mime_composition_free);
  g_object_set_data (G_OBJECT (task), "heron-build-flags", GUINT_TO_POINTER (flags));
  g_task_run_in_thread (task, build_thread);
}

HeronMimeOutgoing *
heron_mime_composition_build_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
