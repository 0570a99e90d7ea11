/* heron-mime-attachment.h: one attachment of a HeronMimeMessage
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  HERON_MIME_ATTACHMENT_FILE,       /* any content */
  HERON_MIME_ATTACHMENT_MESSAGE,    /* message/rfc822 (or message/global): an attached message */
  HERON_MIME_ATTACHMENT_ENCRYPTED,  /* the encrypted payload of an encrypted message */
} HeronMimeAttachmentKind;

#define HERON_TYPE_MIME_ATTACHMENT (heron_mime_attachment_get_type ())

G_DECLARE_FINAL_TYPE (HeronMimeAttachment, heron_mime_attachment, HERON, MIME_ATTACHMENT, GObject)

typedef struct _HeronMimeMessage HeronMimeMessage;

HeronMimeAttachmentKind heron_mime_attachment_get_kind         (HeronMimeAttachment *self);
/* Decoded (RFC 2231 and RFC 2047), safe as a file name: no '/', '\\', controls or bidi
 * controls, no leading dot; a name made up from the type when the part has none. */
const char  *heron_mime_attachment_get_filename     (HeronMimeAttachment *self);
/* "type/subtype" in lower case. */
const char  *heron_mime_attachment_get_content_type (HeronMimeAttachment *self);
/* Decoded size in bytes (counted on first call, without keeping the content). */
goffset      heron_mime_attachment_get_size         (HeronMimeAttachment *self);
/* Content-ID without brackets, or NULL. */
const char  *heron_mime_attachment_get_content_id   (HeronMimeAttachment *self);
/* TRUE for parts meant to be shown in the message (Content-Disposition: inline, cid: images of
 * multipart/related); the list still holds them so that nothing is hidden. */
gboolean     heron_mime_attachment_is_inline        (HeronMimeAttachment *self);
gboolean     heron_mime_attachment_is_message       (HeronMimeAttachment *self);

/* For an attached message: its decoded subject and sender display (real-address rule). */
const char  *heron_mime_attachment_get_message_subject (HeronMimeAttachment *self);
const char  *heron_mime_attachment_get_message_sender  (HeronMimeAttachment *self);
/* An attached message as a display model of its own; HERON_MIME_ERROR_NOT_A_MESSAGE otherwise. */
HeronMimeMessage *heron_mime_attachment_open_message (HeronMimeAttachment *self,
                                                      GError             **error);

/* The decoded content in memory, for small parts; at most max_bytes (else G_IO_ERROR_NO_SPACE). */
GBytes      *heron_mime_attachment_get_content      (HeronMimeAttachment *self,
                                                     gsize                max_bytes,
                                                     GError             **error);

/* Writes the decoded content to file (replacing it), streaming in a worker thread: the content
 * is decoded chunk by chunk and never held whole. */
void         heron_mime_attachment_save_async       (HeronMimeAttachment *self,
                                                     GFile               *file,
                                                     int                  io_priority,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean     heron_mime_attachment_save_finish      (HeronMimeAttachment *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
