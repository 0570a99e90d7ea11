/* heron-mime-message.h: the display model of one mail message
 *
 * A HeronMimeMessage is built once from the raw message (GMime 3 parses it) and then answers
 * everything the message view, the preview, quoting and the search index need: decoded headers,
 * the sender under the real-address rule, the body as plain text or HTML, the attachments, cid:
 * parts and whether parts were signed or encrypted. Every limit is in this header and in
 * docs/mime.md. Not thread-safe: use one object from one thread at a time (it may be created on
 * a worker and handed over).
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-mime-address.h"
#include "heron-mime-sender.h"

G_BEGIN_DECLS

/* Limits of the display model (docs/mime.md, "Limits"). */
#define HERON_MIME_MAX_MESSAGE_SIZE   (G_GINT64_CONSTANT (512) * 1024 * 1024)
#define HERON_MIME_MAX_DEPTH          32        /* MIME levels rendered; the root part is level 1 */
#define HERON_MIME_MAX_PARTS          4096      /* parts visited per message */
#define HERON_MIME_MAX_PART_TEXT      (16 * 1024 * 1024)  /* decoded bytes of one text part */
#define HERON_MIME_MAX_TEXT_LENGTH    (1024 * 1024)       /* bytes of get_text() */
#define HERON_MIME_MAX_REFERENCES     64        /* References kept: the first and the last 63 */
#define HERON_MIME_MAX_CID_SIZE       (32 * 1024 * 1024)  /* decoded bytes of a cid: part */

typedef enum {
  HERON_MIME_BODY_NONE,   /* nothing to show as text (only attachments, or encrypted) */
  HERON_MIME_BODY_PLAIN,
  HERON_MIME_BODY_HTML,
} HeronMimeBodyKind;

typedef enum {
  HERON_MIME_MESSAGE_FLAGS_NONE   = 0,
  HERON_MIME_MESSAGE_SIGNED       = 1 << 0,  /* multipart/signed, S/MIME signed-data, inline PGP signature */
  HERON_MIME_MESSAGE_ENCRYPTED    = 1 << 1,  /* multipart/encrypted, S/MIME enveloped, inline PGP message */
  HERON_MIME_MESSAGE_TOO_DEEP     = 1 << 2,  /* parts below HERON_MIME_MAX_DEPTH were not shown */
  HERON_MIME_MESSAGE_TOO_MANY_PARTS = 1 << 3,  /* parts past HERON_MIME_MAX_PARTS were not shown */
  HERON_MIME_MESSAGE_TEXT_TRUNCATED = 1 << 4,  /* a text part or the text was cut at its limit */
  HERON_MIME_MESSAGE_MALFORMED    = 1 << 5,  /* the parser reported defects (missing boundaries...) */
  HERON_MIME_MESSAGE_HEADERS_TRUNCATED = 1 << 6,  /* a header value was cut for display */
  HERON_MIME_MESSAGE_NO_HEADERS   = 1 << 7,  /* the input had no header block: all of it is the body */
} HeronMimeMessageFlags;

#define HERON_TYPE_MIME_MESSAGE (heron_mime_message_get_type ())

G_DECLARE_FINAL_TYPE (HeronMimeMessage, heron_mime_message, HERON, MIME_MESSAGE, GObject)

/* Reads the whole stream (at most HERON_MIME_MAX_MESSAGE_SIZE bytes, else HERON_MIME_ERROR_TOO_LARGE)
 * and parses it. Any byte sequence parses: errors come only from reading and the size limit. */
HeronMimeMessage *heron_mime_message_new_from_stream (GInputStream  *stream,
                                                      GCancellable  *cancellable,
                                                      GError       **error);
HeronMimeMessage *heron_mime_message_new_from_bytes  (GBytes        *bytes,
                                                      GError       **error);
HeronMimeMessage *heron_mime_message_new_from_file   (GFile         *file,
                                                      GCancellable  *cancellable,
                                                      GError       **error);

/* The message as parsed (for forwarding as an attachment, saving as .eml). */
GBytes           *heron_mime_message_get_raw         (HeronMimeMessage *self);
HeronMimeMessageFlags heron_mime_message_get_flags   (HeronMimeMessage *self);

/* Headers, decoded, at most HERON_MIME_MAX_HEADER_CHARS characters; "" when missing. */
const char       *heron_mime_message_get_subject     (HeronMimeMessage *self);
/* Arrays of HeronMimeAddress, never NULL (transfer none). From merges repeated From headers. */
GPtrArray        *heron_mime_message_get_from        (HeronMimeMessage *self);
GPtrArray        *heron_mime_message_get_sender      (HeronMimeMessage *self);
GPtrArray        *heron_mime_message_get_to          (HeronMimeMessage *self);
GPtrArray        *heron_mime_message_get_cc          (HeronMimeMessage *self);
GPtrArray        *heron_mime_message_get_bcc         (HeronMimeMessage *self);
GPtrArray        *heron_mime_message_get_reply_to    (HeronMimeMessage *self);
GPtrArray        *heron_mime_message_get_mail_followup_to (HeronMimeMessage *self);
/* NULL when missing or unreadable (transfer none). */
GDateTime        *heron_mime_message_get_date        (HeronMimeMessage *self);
/* Message-IDs without angle brackets; NULL when missing. */
const char       *heron_mime_message_get_message_id  (HeronMimeMessage *self);
const char       *heron_mime_message_get_in_reply_to (HeronMimeMessage *self);
/* Oldest first, NULL-terminated, never NULL; at most HERON_MIME_MAX_REFERENCES. */
const char * const *heron_mime_message_get_references (HeronMimeMessage *self);
/* The list identifier of List-Id without brackets ("dev.lists.example"); NULL when missing. */
const char       *heron_mime_message_get_list_id     (HeronMimeMessage *self);
/* Any header, decoded as unstructured text; NULL when missing. */
char             *heron_mime_message_dup_header      (HeronMimeMessage *self,
                                                      const char       *name);

/* The sender as it must be shown (see heron-mime-sender.h); *out_suspicious is TRUE when the
 * real address had to be added. Falls back to Sender when From is empty. */
const char       *heron_mime_message_get_sender_display (HeronMimeMessage *self,
                                                         gboolean         *out_suspicious);
HeronMimeSenderFlags heron_mime_message_get_sender_flags (HeronMimeMessage *self);

/* The body to show. With prefer_html, HTML when the message has it (as HTML, UTF-8, for the web
 * view: load it as UTF-8, remote content blocked); else plain text (HTML-only messages
 * converted). *out_text (nullable) receives the text, "" for NONE. */
HeronMimeBodyKind heron_mime_message_get_body        (HeronMimeMessage *self,
                                                      gboolean          prefer_html,
                                                      char            **out_text);
/* Plain text of the body for quoting, previews and the search index (HTML converted), at most
 * HERON_MIME_MAX_TEXT_LENGTH bytes. */
const char       *heron_mime_message_get_text        (HeronMimeMessage *self);
/* One line: white space collapsed, quoted lines, attribution lines and the signature left out,
 * at most max_chars characters (an ellipsis marks a cut). */
char             *heron_mime_message_get_snippet     (HeronMimeMessage *self,
                                                      guint             max_chars);

/* The part with Content-ID cid ("cid:" URL or bare, brackets and %-escapes allowed): its
 * content type ("image/png") and decoded content. FALSE if there is none or it is larger than
 * HERON_MIME_MAX_CID_SIZE. */
gboolean          heron_mime_message_lookup_cid      (HeronMimeMessage *self,
                                                      const char       *cid,
                                                      char            **out_content_type,
                                                      GBytes          **out_content);

/* HeronMimeAttachment objects in message order (transfer none), never NULL. */
GPtrArray        *heron_mime_message_get_attachments (HeronMimeMessage *self);

/* Setup of GMime and libxml2; the constructors call it. heron_mime_shutdown() is for the end of
 * a test or fuzzing process, after every object is gone. */
void              heron_mime_init                    (void);
void              heron_mime_shutdown                (void);

G_END_DECLS
