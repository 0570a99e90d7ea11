/* heron-mime-flowed.h: format=flowed (RFC 3676) decoding and encoding
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The line width the encoder wraps at, in characters (RFC 3676 recommends at most 78). */
#define HERON_MIME_FLOWED_WIDTH 72

/* Joins flowed lines into paragraphs: one line per paragraph, quoted paragraphs as ">" per level
 * and a space before the text. Space-stuffing is undone, DelSp=yes deletes the soft-break space,
 * "-- " (the signature separator) is never joined. text has LF line ends. */
char *heron_mime_flowed_decode (const char *text,
                                gboolean    delsp);

/* Wraps plain text (LF line ends) as format=flowed, DelSp=no, at width characters (0 for
 * HERON_MIME_FLOWED_WIDTH): soft breaks after spaces, trailing white space of hard lines removed
 * (except "-- "), lines starting with a space or "From " space-stuffed, quoted lines (">") kept
 * with their level. A word longer than the width stays whole. */
char *heron_mime_flowed_encode (const char *text,
                                guint       width);

G_END_DECLS
