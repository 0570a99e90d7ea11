/* heron-mime-composer.h: compositions (new, reply, reply all, forward, drafts) and MIME output
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "account/heron-account-identity.h"
#include "heron-mime-address.h"
#include "heron-mime-message.h"

G_BEGIN_DECLS

/* References written in a reply: the first and the last HERON_MIME_COMPOSE_MAX_REFERENCES - 1. */
#define HERON_MIME_COMPOSE_MAX_REFERENCES 20
/* The header that marks a message built as a draft; its value is the composition kind. */
#define HERON_MIME_DRAFT_HEADER "X-Heron-Draft"

typedef enum {
  HERON_MIME_COMPOSE_NEW,
  HERON_MIME_COMPOSE_REPLY,
  HERON_MIME_COMPOSE_REPLY_ALL,
  HERON_MIME_COMPOSE_FORWARD_INLINE,
  HERON_MIME_COMPOSE_FORWARD_ATTACHMENT,
} HeronMimeComposeKind;

typedef struct {
  GFile    *file;          /* read when the message is built; or NULL */
  GBytes   *data;          /* the content when there is no file */
  char     *filename;      /* NULL: the file's display name */
  char     *content_type;  /* NULL: from GIO (the file's type, or guessed from name and data) */
  gboolean  is_message;    /* message/rfc822: data is a whole message (forward as attachment) */
} HeronMimeComposeAttachment;

HeronMimeComposeAttachment *heron_mime_compose_attachment_new_for_file (GFile      *file);
HeronMimeComposeAttachment *heron_mime_compose_attachment_new_for_data (GBytes     *data,
                                                                        const char *filename,
                                                                        const char *content_type);
HeronMimeComposeAttachment *heron_mime_compose_attachment_copy (const HeronMimeComposeAttachment *self);
void                        heron_mime_compose_attachment_free (HeronMimeComposeAttachment *self);

/* Everything a new message is made of. The fields are public; the arrays are never NULL. */
typedef struct {
  HeronMimeComposeKind  kind;
  HeronAccountIdentity *identity;     /* From and Reply-To; the signature is already in body */
  GPtrArray            *to;           /* HeronMimeAddress */
  GPtrArray            *cc;
  GPtrArray            *bcc;          /* envelope only, never written into a sent message */
  char                 *subject;
  char                 *body;         /* plain text, UTF-8, LF line ends */
  GPtrArray            *attachments;  /* HeronMimeComposeAttachment */
  char                 *in_reply_to;  /* Message-ID without brackets, or NULL */
  GPtrArray            *references;   /* Message-IDs (char *), oldest first */
  gboolean              flowed;       /* write the body as format=flowed (default TRUE) */
} HeronMimeComposition;

HeronMimeComposition *heron_mime_composition_new  (HeronAccountIdentity       *identity);
HeronMimeComposition *heron_mime_composition_copy (const HeronMimeComposition *self);
void                  heron_mime_composition_free (HeronMimeComposition       *self);
void                  heron_mime_composition_add_recipient (GPtrArray  *list,
                                                            const char *name,
                                                            const char *address);

typedef enum {
  HERON_MIME_BUILD_DEFAULT = 0,
  /* a draft: keeps Bcc, carries HERON_MIME_DRAFT_HEADER, may have no recipients */
  HERON_MIME_BUILD_DRAFT   = 1 << 0,
} HeronMimeBuildFlags;

/* A built message and its envelope. */
typedef struct {
  GBytes *message;        /* CRLF line ends, ready for SMTP DATA (before dot-stuffing) or APPEND */
  char   *message_id;     /* without brackets */
  char   *envelope_from;  /* the identity's address */
  GStrv   recipients;     /* To, Cc and Bcc addresses, each once */
} HeronMimeOutgoing;

void               heron_mime_outgoing_free          (HeronMimeOutgoing *self);

/* Builds the message: From/Reply-To from the identity, To/Cc, Subject (RFC 2047 where needed),
 * Date (now, local offset), Message-ID (random, the identity's domain), In-Reply-To, References,
 * the body as text/plain UTF-8 (format=flowed when asked), attachments in multipart/mixed with
 * RFC 2231 file names and content types from GIO, each part in 7bit, quoted-printable or base64
 * as its content needs. Reads attachment files: call it off the main thread, or use the async
 * variant. Errors: HERON_MIME_ERROR_INVALID (no identity address, no recipient for a message to
 * send), G_IO_ERROR from reading attachments. */
HeronMimeOutgoing *heron_mime_composition_build        (const HeronMimeComposition *self,
                                                        HeronMimeBuildFlags         flags,
                                                        GCancellable               *cancellable,
                                                        GError                    **error);
/* The same in a worker thread on a copy of the composition. */
void               heron_mime_composition_build_async  (const HeronMimeComposition *self,
                                                        HeronMimeBuildFlags         flags,
                                                        GCancellable               *cancellable,
                                                        GAsyncReadyCallback         callback,
                                                        gpointer                    user_data);
HeronMimeOutgoing *heron_mime_composition_build_finish (GAsyncResult               *result,
                                                        GError                    **error);

/* Signatures. A composition carries its identity's signature as a block at the end of the body:
 * "-- \n" (the separator, RFC 3676 4.3; left out when the signature starts with it), the
 * signature, a line end. heron_mime_signature_block() returns that block, NULL for an identity
 * (nullable) without a signature. */
char                 *heron_mime_signature_block           (HeronAccountIdentity *identity);
/* A new message from @identity (nullable): two empty lines to write in, then the signature
 * block; an empty body without a signature. */
HeronMimeComposition *heron_mime_composition_new_message   (HeronAccountIdentity *identity);
/* @body after its sender changed from @old_identity to @new_identity (both nullable): the old
 * signature block at its end replaced by the new one (removed when the new identity has none,
 * added when the old one had none). NULL when the body does not end with the old block exactly
 * as it was written (the person changed it or wrote after it): the body stays as it is then. */
char                 *heron_mime_replace_signature         (const char           *body,
                                                            HeronAccountIdentity *old_identity,
                                                            HeronAccountIdentity *new_identity);

/* Replies, forwards and drafts. identities: the account's HeronAccountIdentity objects, the
 * default first; the reply is sent from the identity the original was addressed to, and reply
 * all leaves out every identity's address. */
HeronMimeComposition *heron_mime_composition_new_reply     (HeronMimeMessage *original,
                                                            GPtrArray        *identities,
                                                            gboolean          reply_all);
HeronMimeComposition *heron_mime_composition_new_forward   (HeronMimeMessage *original,
                                                            GPtrArray        *identities,
                                                            gboolean          as_attachment);
/* A draft built with HERON_MIME_BUILD_DRAFT (or any message) back into a composition. */
HeronMimeComposition *heron_mime_composition_new_from_draft (HeronMimeMessage *draft,
                                                             GPtrArray        *identities);

/* "Re: x" from "x", "Re: x", "RE: AW: x", "Re[2]: x"...; never "Re: Re:". */
char *heron_mime_subject_for_reply   (const char *subject);
/* "Fwd: x" from "x", "Fwd: x", "Fw: WG: x"...; a reply prefix after it stays ("Fwd: Re: x"). */
char *heron_mime_subject_for_forward (const char *subject);
/* The subject without leading reply and forward prefixes (for threading and sorting). */
char *heron_mime_subject_strip       (const char *subject);
/* Each line prefixed with "> " (">" before a line already quoted or empty). */
char *heron_mime_quote_text          (const char *text);
/* "On <date>, <name> wrote:", translated. */
char *heron_mime_attribution         (HeronMimeMessage *original);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronMimeComposition, heron_mime_composition_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronMimeComposeAttachment, heron_mime_compose_attachment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronMimeOutgoing, heron_mime_outgoing_free)

G_END_DECLS
