/* heron-mime-headers.h: decoding header values (RFC 2047 encoded words, raw 8-bit text)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How much of one raw header value is decoded; the rest is dropped (HERON_MIME_DECODE_TRUNCATED). */
#define HERON_MIME_MAX_HEADER_INPUT   (64 * 1024)
/* How many characters of a decoded header value are displayed (subject, names); longer values
 * are cut and end in "…". */
#define HERON_MIME_MAX_HEADER_CHARS   1000

/* What decoding found; the decoded text never holds what a flag reports, it is replaced. */
typedef enum {
  HERON_MIME_DECODE_NONE             = 0,
  /* bytes that no charset could decode became U+FFFD */
  HERON_MIME_DECODE_REPLACED         = 1 << 0,
  /* NUL, CR, LF (other than folding) or another control character: NUL and controls became
   * U+FFFD, CR/LF/TAB a space */
  HERON_MIME_DECODE_CONTROL          = 1 << 1,
  /* an encoded word decoded to a character with a meaning in address syntax: ; : < > @ " */
  HERON_MIME_DECODE_ENCODED_SPECIALS = 1 << 2,
  /* the value was longer than the limits and was cut */
  HERON_MIME_DECODE_TRUNCATED        = 1 << 3,
  /* the value held at least one RFC 2047 encoded word */
  HERON_MIME_DECODE_ENCODED_WORDS    = 1 << 4,
  /* an encoded word decoded to a comma: "Müller, Wolfgang" is everyday mail, so this alone is
   * not suspicious (the address parser reads structure before decoding, so the comma cannot
   * split the list); a comma that hides an address shows up as "@" or a domain in the name */
  HERON_MIME_DECODE_ENCODED_COMMA    = 1 << 5,
} HeronMimeDecodeFlags;

/* Decodes an unstructured header value (Subject, Comments, a display name): unfolds it, decodes
 * RFC 2047 encoded words (B and Q, any charset iconv knows, RFC 2231 language suffixes, words
 * split inside a multi-byte character), reads raw 8-bit text as UTF-8 (RFC 6532) when valid and
 * else in the fallback charset, collapses white space and trims it. At most max_chars characters
 * come out (0: HERON_MIME_MAX_HEADER_CHARS); a longer value ends in "…". Never NULL. */
char *heron_mime_decode_header (const char           *raw,
                                gssize                len,
                                gsize                 max_chars,
                                HeronMimeDecodeFlags *out_flags);

/* Raw headers, edited as bytes so that everything else (the body, the other fields, their
 * folding and line ends) stays exactly as given. */

/* @message (a whole RFC 5322 message) without the header fields named in @names (matched
 * without regard to case; "Bcc" is not "Resent-Bcc"), each with its continuation lines. Only the
 * header block (up to the first empty line, LF or CRLF) is looked at; the body is copied as is. */
GBytes *heron_mime_remove_header_fields (GBytes             *message,
                                         const char * const *names);

/* The fields only the envelope may carry: what a message loses before it goes out by SMTP. */
#define HERON_MIME_BCC_FIELDS ((const char * const []) { "Bcc", "Resent-Bcc", NULL })

G_END_DECLS
