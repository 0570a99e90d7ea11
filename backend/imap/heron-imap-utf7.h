/* heron-imap-utf7.h: modified UTF-7 mailbox names (RFC 3501 section 5.1.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Encodes a UTF-8 mailbox name in modified UTF-7, the form IMAP4rev1 servers expect when
 * UTF8=ACCEPT is not enabled. The encoding is the minimal one: printable US-ASCII stands for
 * itself, "&" becomes "&-", and every other run of characters is one modified BASE64 section.
 * Returns NULL if @utf8 is not valid UTF-8. Free with g_free(). */
char *heron_imap_utf7_encode (const char *utf8);

/* Decodes a modified UTF-7 mailbox name into UTF-8. The decoder is strict and fails with
 * HERON_IMAP_ERROR_PARSE on anything the encoder above could not have produced: bytes outside
 * printable US-ASCII, an unterminated "&" section, characters outside the modified BASE64
 * alphabet, leftover or non-zero padding bits, unpaired surrogates, U+0000, printable US-ASCII
 * encoded in BASE64, and the superfluous shift "-&" between two BASE64 sections.
 * Free the result with g_free(). */
char *heron_imap_utf7_decode (const char *mutf7,
                              GError    **error);

/* Same as heron_imap_utf7_decode() for a string of @len bytes that need not be NUL-terminated. */
char *heron_imap_utf7_decode_len (const char *mutf7,
                                  gsize       len,
                                  GError    **error);

G_END_DECLS
