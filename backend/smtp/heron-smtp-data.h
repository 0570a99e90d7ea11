/* heron-smtp-data.h: a message as SMTP DATA, encoded while it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What DATA needs (RFC 5321 sections 2.3.8, 4.1.1.4 and 4.5.2):
 *   - every line ends with CRLF: a bare LF or a bare CR becomes CRLF, CRLF stays;
 *   - a line that starts with "." gets another "." in front (dot-stuffing), so no line of the
 *     message can end it early;
 *   - the end is CRLF "." CRLF: a message whose last line has no line end gets one.
 * The encoder keeps only two flags between pieces, so a message of any size goes through in
 * pieces of the caller's choosing and is never held whole. It also notes whether any byte is
 * 8-bit (RFC 6152: such a message needs BODY=8BITMIME).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  /*< private >*/
  gboolean line_start;  /* the next byte starts a line */
  gboolean pending_cr;  /* a CR was seen, its LF (or not) comes with the next byte */
  gboolean saw_8bit;
  guint64 in_bytes;
  guint64 out_bytes;
} HeronSmtpDataEncoder;

/* An encoded piece is at most this many times as long as its input, plus this many bytes. */
#define HERON_SMTP_DATA_EXPANSION 2
#define HERON_SMTP_DATA_SLACK 8

void     heron_smtp_data_encoder_init       (HeronSmtpDataEncoder *encoder);
/* Appends the encoding of data to out. */
void     heron_smtp_data_encoder_feed       (HeronSmtpDataEncoder *encoder,
                                             const guint8         *data,
                                             gsize                 len,
                                             GByteArray           *out);
/* Appends the end: a CRLF if the message did not end with a line end, then ".\r\n". */
void     heron_smtp_data_encoder_finish     (HeronSmtpDataEncoder *encoder,
                                             GByteArray           *out);
/* Whether any byte fed so far had its high bit set. */
gboolean heron_smtp_data_encoder_saw_8bit   (const HeronSmtpDataEncoder *encoder);
guint64  heron_smtp_data_encoder_get_in     (const HeronSmtpDataEncoder *encoder);
guint64  heron_smtp_data_encoder_get_out    (const HeronSmtpDataEncoder *encoder);

/* For a message in memory: whether it has 8-bit bytes, and its size with every line end made
 * CRLF (the SIZE= of RFC 1870, which does not count dot-stuffing). */
void     heron_smtp_data_measure            (const guint8         *data,
                                             gsize                 len,
                                             gboolean             *out_8bit,
                                             guint64              *out_size);

G_END_DECLS
