/* heron-mime-sender.h: the real-address rule for showing a sender
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "heron-mime-address.h"

G_BEGIN_DECLS

/* Why a sender is shown with its real address. Any flag makes the sender suspicious. */
typedef enum {
  HERON_MIME_SENDER_OK               = 0,
  HERON_MIME_SENDER_MULTIPLE         = 1 << 0,  /* From holds more than one address */
  HERON_MIME_SENDER_AT_SIGN          = 1 << 1,  /* the name holds "@" (or a look-alike) */
  HERON_MIME_SENDER_DOMAIN_NAME      = 1 << 2,  /* the name holds something like "bank.example" */
  HERON_MIME_SENDER_CONTROL          = 1 << 3,  /* NUL, CR, LF or other controls in the name */
  HERON_MIME_SENDER_INVISIBLE        = 1 << 4,  /* bidi controls, zero-width or format characters */
  HERON_MIME_SENDER_ENCODED_SPECIALS = 1 << 5,  /* an encoded word hid < > @ " ; : */
  HERON_MIME_SENDER_MIXED_SCRIPTS    = 1 << 6,  /* one word mixes scripts (Latin with Cyrillic...) */
  HERON_MIME_SENDER_CONFUSABLE       = 1 << 7,  /* a Cyrillic or Greek word made of Latin look-alikes */
  HERON_MIME_SENDER_BAD_ADDRESS      = 1 << 8,  /* the address is missing, lacks "@" or holds junk */
} HeronMimeSenderFlags;

/* What the rule finds in one mailbox (all flags but MULTIPLE). */
HeronMimeSenderFlags heron_mime_sender_check          (const HeronMimeAddress *address);

/* The string to show for a From list: the display name alone when nothing is wrong (the address
 * when there is no name); "Name <address>" for every mailbox when anything is, joined by ", ".
 * Bidi controls and invisible characters are removed from the names shown. "" for an empty list.
 * out_flags (nullable) receives the reasons. */
char                *heron_mime_sender_display        (GPtrArray              *from,
                                                       HeronMimeSenderFlags   *out_flags);

/* The name without bidi controls, zero-width and other format characters, controls as U+FFFD. */
char                *heron_mime_sender_clean_name     (const char             *name);

/* The dominant scripts of one word, for tests: TRUE if the word mixes scripts in a way names do
 * not (Latin with Cyrillic, Greek with Latin...; Latin with Han/Kana/Hangul is allowed). */
gboolean             heron_mime_sender_word_mixes_scripts (const char *word,
                                                           gssize      len);

G_END_DECLS
