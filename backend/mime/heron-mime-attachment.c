/* heron-mime-attachment.c: one attachment of a HeronMimeMessage
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-error.h"
#include "heron-mime-private.h"

struct _HeronMimeAttachment {
  GObject                 parent_instance;

  GMimeObject            *object;
  GByteArray             *raw;
  HeronMimeAttachmentKind kind;
  gboolean                is_inline;
  char                   *filename;
  char                   *content_type;
  char                   *content_id;
  goffset                 size;      /* -1 until counted */
  HeronMimeMessage       *nested;    /* for MESSAGE, made on first use */
};

G_DEFINE_FINAL_TYPE (HeronMimeAttachment, heron_mime_attachment, G_TYPE_OBJECT)

static void
heron_mime_attachment_finalize (GObject *object)
{
  HeronMimeAttachment *self = HERON_MIME_ATTACHMENT (object);

  g_clear_object (&self->nested);
  g_clear_object (&self->object);
  g_clear_pointer (&self->filename, g_free);
  g_clear_pointer (&self->content_type, g_free);
  g_clear_pointer (&self->content_id, g_free);
  g_clear_pointer (&self->raw, g_byte_array_unref);

  G_OBJECT_CLASS (heron_mime_attachment_parent_class)->finalize (object);
}

static void
heron_mime_attachment_class_init (HeronMimeAttachmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = heron_mime_attachment_finalize;
}

static void
heron_mime_attachment_init (HeronMimeAttachment *self)
{
  self->size = -1;
}

static const struct {
  const char *type;
  const char *name;
} default_names[] = {
  { "application/ms-tnef", "winmail.dat" },
  { "application/vnd.ms-tnef", "winmail.dat" },
  { "application/pgp-encrypted", "encrypted.asc" },
  { "application/pgp-signature", "signature.asc" },
  { "application/pkcs7-mime", "smime.p7m" },
  { "application/x-pkcs7-mime", "smime.p7m" },
  { "application/pkcs7-signature", "smime.p7s" },
  { "application/x-pkcs7-signature", "smime.p7s" },
  { "application/pdf", "attachment.pdf" },
  { "application/zip", "attachment.zip" },
  { "text/calendar", "invite.ics" },
  { "text/x-vcalendar", "invite.vcs" },
  { "text/vcard", "contact.vcf" },
  { "text/x-vcard", "contact.vcf" },
  { "text/plain", "attachment.txt" },
  { "text/html", "attachment.html" },
  { "text/csv", "attachment.csv" },
  { "text/rfc822-headers", "headers.txt" },
  { "message/delivery-status", "delivery-status.txt" },
  { "message/disposition-notification", "notification.txt" },
  { "image/png", "image.png" },
  { "image/jpeg", "image.jpg" },
  { "image/gif", "image.gif" },
  { "image/webp", "image.webp" },
  { "image/svg+xml", "image.svg" },
};

static char *
default_filename (HeronMimeAttachment *self)
{
  if (self->kind == HERON_MIME_ATTACHMENT_ENCRYPTED &&
      g_str_equal (self->content_type, "application/octet-stream"))
    return g_strdup ("encrypted.asc");
  if (self->kind == HERON_MIME_ATTACHMENT_MESSAGE)
    {
      GMimeMessage *message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (self->object));
      GMimeHeader *header = message != NULL ?
        g_mime_header_list_get_header (g_mime_object_get_header_list (GMIME_OBJECT (message)), "Subject") : NULL;
      const char *raw = header != NULL ? g_mime_header_get_raw_value (header) : NULL;

      if (raw != NULL)
        {
          g_autofree char *subject = heron_mime_decode_header (raw, -1, 100, NULL);
          g_autofree char *safe = _heron_mime_safe_filename (subject);

          if (safe != NULL)
            return g_strconcat (safe, ".eml", NULL);
        }
      return g_strdup ("message.eml");
    }
  for (guint i = 0; i < G_N_ELEMENTS (default_names); i++)
    if (g_str_equal (self->content_type, default_names[i].type))
      {
        /* an inline OpenPGP block is text/plain, but not text to read */
        if (self->kind == HERON_MIME_ATTACHMENT_ENCRYPTED && g_str_has_prefix (self->content_type, "text/"))
          return g_strdup ("encrypted.asc");
        return g_strdup (default_names[i].name);
      }
  return g_strdup (self->kind == HERON_MIME_ATTACHMENT_ENCRYPTED ? "encrypted.asc" : "attachment");
}

HeronMimeAttachment *
_heron_mime_attachment_new (GMimeObject            *object,
                            GByteArray             *raw,
                            HeronMimeAttachmentKind kind,
                            gboolean                is_inline)
{
  HeronMimeAttachment *self = g_object_new (HERON_TYPE_MIME_ATTACHMENT, NULL);
  const char *cid;

  self->object = g_object_ref (object);
  self->raw = g_byte_array_ref (raw);
  self->kind = kind;
  self->is_inline = is_inline;
  self->content_type = _heron_mime_content_type_string (object);
  cid = g_mime_object_get_content_id (object);
  self->content_id = cid != NULL && *cid != '\0' ?
    _heron_mime_to_utf8 ((const guchar *) cid, strlen (cid), NULL, NULL) : NULL;
  self->filename = _heron_mime_object_filename (object);
  if (self->filename == NULL)
    self->filename = default_filename (self);
  return self;
}

GMimeObject *
_heron_mime_attachment_get_object (HeronMimeAttachment *self)
{
  return self->object;
}

HeronMimeAttachmentKind
heron_mime_attachment_get_kind (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), HERON_MIME_ATTACHMENT_FILE);
  return self->kind;
}

const char *
heron_mime_attachment_get_filename (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);
  return self->filename;
}

const char *
heron_mime_attachment_get_content_type (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);
  return self->content_type;
}

const char *
heron_mime_attachment_get_content_id (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);
  return self->content_id;
}

gboolean
heron_mime_attachment_is_inline (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), FALSE);
  return self->is_inline;
}

gboolean
heron_mime_attachment_is_message (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), FALSE);
  return self->kind == HERON_MIME_ATTACHMENT_MESSAGE;
}

/* The serialized attached message (GMime writes back the bytes it parsed). */
static GByteArray *
message_bytes (HeronMimeAttachment *self)
{
  GMimeMessage *message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (self->object));
  GMimeStream *mem = g_mime_stream_mem_new ();
  GByteArray *array = g_byte_array_new ();
  GByteArray *written;

  if (message != NULL)
    g_mime_object_write_to_stream (GMIME_OBJECT (message), NULL, mem);
  written = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  g_byte_array_append (array, written->data, written->len);
  g_object_unref (mem);
  return array;
}

goffset
heron_mime_attachment_get_size (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), -1);

  if (self->size >= 0)
    return self->size;
  if (GMIME_IS_PART (self->object))
    {
      HeronMimeSource source;

      _heron_mime_source_init (&source, GMIME_PART (self->object), self->raw);
      self->size = _heron_mime_source_decoded_size (&source);
      _heron_mime_source_clear (&source);
    }
  else if (self->kind == HERON_MIME_ATTACHMENT_MESSAGE)
    {
      GByteArray *bytes = message_bytes (self);

      self->size = bytes->len;
      g_byte_array_unref (bytes);
    }
  else
    {
      GMimeStream *null = g_mime_stream_null_new ();

      g_mime_object_write_content_to_stream (self->object, NULL, null);
      self->size = g_mime_stream_length (null);
      g_object_unref (null);
    }
  return self->size;
}

HeronMimeMessage *
heron_mime_attachment_open_message (HeronMimeAttachment *self,
                                    GError             **error)
{
  GMimeMessage *message;

  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);

  if (self->kind != HERON_MIME_ATTACHMENT_MESSAGE ||
      (message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (self->object))) == NULL)
    {
      g_set_error (error, HERON_MIME_ERROR, HERON_MIME_ERROR_NOT_A_MESSAGE,
                   "The attachment “%s” is not a message", self->filename);
      return NULL;
    }
  return _heron_mime_message_new_for_gmime (message, self->raw);
}

static HeronMimeMessage *
nested (HeronMimeAttachment *self)
{
  if (self->nested == NULL && self->kind == HERON_MIME_ATTACHMENT_MESSAGE)
    self->nested = heron_mime_attachment_open_message (self, NULL);
  return self->nested;
}

const char *
heron_mime_attachment_get_message_subject (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);
  return nested (self) != NULL ? heron_mime_message_get_subject (self->nested) : NULL;
}

const char *
heron_mime_attachment_get_message_sender (HeronMimeAttachment *self)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);
  return nested (self) != NULL ? heron_mime_message_get_sender_display (self->nested, NULL) : NULL;
}

/* The content as a source that any thread may read. */
static void
make_source (HeronMimeAttachment *self,
             HeronMimeSource     *source)
{
  if (GMIME_IS_PART (self->object))
    {
      _heron_mime_source_init (source, GMIME_PART (self->object), self->raw);
      return;
    }
  memset (source, 0, sizeof *source);
  source->encoding = GMIME_CONTENT_ENCODING_DEFAULT;
  if (self->kind == HERON_MIME_ATTACHMENT_MESSAGE)
    source->array = message_bytes (self);
  else
    {
      GMimeStream *mem = g_mime_stream_mem_new ();
      GByteArray *written;

      g_mime_object_write_content_to_stream (self->object, NULL, mem);
      written = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
      source->array = g_byte_array_new ();
      g_byte_array_append (source->array, written->data, written->len);
      g_object_unref (mem);
    }
  source->start = 0;
  source->end = source->array->len;
}

GBytes *
heron_mime_attachment_get_content (HeronMimeAttachment *self,
                                   gsize                max_bytes,
                                   GError             **error)
{
  HeronMimeSource source;
  GByteArray *content = g_byte_array_new ();
  gboolean full;

  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), NULL);

  make_source (self, &source);
  full = _heron_mime_source_decode (&source, content, max_bytes);
  _heron_mime_source_clear (&source);
  if (full)
    {
      g_byte_array_unref (content);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "The attachment is larger than %" G_GSIZE_FORMAT " bytes", max_bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (content);
}

typedef struct {
  HeronMimeSource source;
  GFile          *file;
} SaveData;

static void
save_data_free (SaveData *data)
{
  _heron_mime_source_clear (&data->source);
  g_clear_object (&data->file);
  g_free (data);
}

typedef struct {
  GOutputStream *out;
  GCancellable  *cancellable;
} WriteTarget;

static gboolean
write_chunk (const guint8 *data,
             gsize         len,
             gpointer      user_data,
             GError      **error)
{
  WriteTarget *target = user_data;

  return g_output_stream_write_all (target->out, data, len, NULL, target->cancellable, error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  g_autoptr(GFileOutputStream) out = NULL;
  GError *error = NULL;
  WriteTarget target;

  out = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                        cancellable, &error);
  if (out == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  target.out = G_OUTPUT_STREAM (out);
  target.cancellable = cancellable;
  if (!_heron_mime_source_process (&data->source, write_chunk, &target, cancellable, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    {
      /* no half-written file is left behind */
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      g_file_delete (data->file, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
heron_mime_attachment_save_async (HeronMimeAttachment *self,
                                  GFile               *file,
                                  int                  io_priority,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (HERON_IS_MIME_ATTACHMENT (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_mime_attachment_save_async);
  g_task_set_priority (task, io_priority);
  data = g_new0 (SaveData, 1);
  /* taken here, on the caller's thread: the worker reads only immutable bytes */
  make_source (self, &data->source);
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
heron_mime_attachment_save_finish (HeronMimeAttachment *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (HERON_IS_MIME_ATTACHMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
