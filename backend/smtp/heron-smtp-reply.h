/* heron-smtp-reply.h: SMTP replies, and the bounded parser that reads them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A reply (RFC 5321 section 4.2) is one or more lines with the same three-digit code, every
 * line but the last with "-" after the code:
 *
 *   250-mail.example.test
 *   250-PIPELINING
 *   250 SIZE 10240000
 *
 * With enhanced status codes (RFC 3463, RFC 2034) the text of each line starts with
 * "class.subject.detail" ("5.1.1"); the parser takes it out of the text and keeps it apart.
 * Text is made printable: control characters become "?", invalid UTF-8 is replaced, so server
 * text can be shown to people and put in logs as it is.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Immutable and reference counted. */
typedef struct _HeronSmtpReply HeronSmtpReply;

#define HERON_SMTP_TYPE_REPLY (heron_smtp_reply_get_type ())

GType               heron_smtp_reply_get_type          (void) G_GNUC_CONST;

/* code: 200..599; enhanced_code: "x.y.z" or NULL; lines: the text of each line (without code and
 * enhanced code), at least one. For tests and for errors made without a server. */
HeronSmtpReply     *heron_smtp_reply_new               (guint               code,
                                                        const char         *enhanced_code,
                                                        const char * const *lines);
HeronSmtpReply     *heron_smtp_reply_ref               (HeronSmtpReply     *reply);
void                heron_smtp_reply_unref             (HeronSmtpReply     *reply);

guint               heron_smtp_reply_get_code          (const HeronSmtpReply *reply);
/* "2.0.0", or NULL when the server sent none. */
const char         *heron_smtp_reply_get_enhanced_code (const HeronSmtpReply *reply);
/* The text of every line, without codes, joined with "\n" (may be empty). */
const char         *heron_smtp_reply_get_text          (const HeronSmtpReply *reply);
/* The text of each line, NULL-terminated. */
const char * const *heron_smtp_reply_get_lines         (const HeronSmtpReply *reply);
guint               heron_smtp_reply_get_n_lines       (const HeronSmtpReply *reply);

/* 2xx */
gboolean            heron_smtp_reply_is_success        (const HeronSmtpReply *reply);
/* 4xx: trying again later may work */
gboolean            heron_smtp_reply_is_transient      (const HeronSmtpReply *reply);

/* The reply as one line for people and logs: "550 5.1.1 User unknown" (lines joined with
 * " "). */
char               *heron_smtp_reply_to_string         (const HeronSmtpReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronSmtpReply, heron_smtp_reply_unref)

/* Bounds on what a server may send as one reply. RFC 5321 allows 512 octets per line; servers
 * send longer text, so the defaults are generous, but a reply is never unbounded. */
typedef struct {
  gsize max_line;  /* octets, with CRLF; default 8 KiB */
  guint max_lines; /* lines per reply; default 256 */
} HeronSmtpReplyLimits;

#define HERON_SMTP_DEFAULT_MAX_LINE  (8 * 1024)
#define HERON_SMTP_DEFAULT_MAX_LINES 256

void                heron_smtp_reply_limits_init       (HeronSmtpReplyLimits *limits);

typedef struct _HeronSmtpReplyParser HeronSmtpReplyParser;

/* limits NULL: the defaults; zero fields: their default. */
HeronSmtpReplyParser *heron_smtp_reply_parser_new      (const HeronSmtpReplyLimits *limits);
void                heron_smtp_reply_parser_free       (HeronSmtpReplyParser *parser);

/* Reads data up to the end of the first complete reply and returns how many bytes it consumed;
 * *out_reply is then the reply (else NULL: all of data was consumed, the reply is not complete
 * yet). It never reads past the end of a reply, so the caller decides what happens to the rest
 * (after STARTTLS's 220 it is thrown away). Lines end with CRLF; a bare LF is accepted.
 * Fails with HERON_SMTP_ERROR_PROTOCOL for a line that is not a reply line (no code, a code
 * out of range, a different code in the middle of a reply) and HERON_SMTP_ERROR_LIMIT past
 * the limits; the parser is then unusable until reset. */
gsize               heron_smtp_reply_parser_feed       (HeronSmtpReplyParser *parser,
                                                        const guint8         *data,
                                                        gsize                 len,
                                                        HeronSmtpReply      **out_reply,
                                                        GError              **error);
/* Forgets any partial reply. */
void                heron_smtp_reply_parser_reset      (HeronSmtpReplyParser *parser);
/* TRUE when part of a reply has been read. */
gboolean            heron_smtp_reply_parser_is_partial (HeronSmtpReplyParser *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronSmtpReplyParser, heron_smtp_reply_parser_free)

G_END_DECLS
