/* heron-mime-address.h: a decoded mailbox (display name and address) and address lists
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "heron-mime-headers.h"

G_BEGIN_DECLS

/* At most this many addresses are read from one header; the rest are dropped. */
#define HERON_MIME_MAX_ADDRESSES 1000

#define HERON_TYPE_MIME_ADDRESS (heron_mime_address_get_type ())

typedef struct {
  char                 *name;     /* decoded display name, UTF-8, "" for none */
  char                 *address;  /* the addr-spec as written (not decoded), UTF-8, may be "" */
  HeronMimeDecodeFlags  flags;    /* what decoding the name found */
} HeronMimeAddress;

GType             heron_mime_address_get_type (void) G_GNUC_CONST;
HeronMimeAddress *heron_mime_address_new      (const char             *name,
                                               const char             *address);
HeronMimeAddress *heron_mime_address_copy     (const HeronMimeAddress *self);
void              heron_mime_address_free     (HeronMimeAddress       *self);
/* "Name <address>", or the address alone when there is no name; for display, not for headers. */
char             *heron_mime_address_to_string (const HeronMimeAddress *self);
/* TRUE if both addresses are the same mailbox: local parts compared exactly, domains without case. */
gboolean          heron_mime_address_equal_addr (const char *a,
                                                 const char *b);

/* Parses an address-list header value (From, To, Cc, Reply-To, ...) leniently: groups are
 * flattened into their members, "addr (Name)" takes the comment as the name, a missing "@" or a
 * broken bracket still yields an entry. Display names are decoded like heron_mime_decode_header().
 * Returns a new array of HeronMimeAddress (free function set), possibly empty. */
GPtrArray        *heron_mime_address_list_parse (const char *raw,
                                                 gssize      len);

/* One part of an address list as a person types it: bytes [start, end) of the text, without the
 * comma, white space not trimmed. */
typedef struct {
  gsize start;
  gsize end;
} HeronMimeAddressSpan;

/* Splits @text at the commas that separate addresses: not those inside a quoted string ("…"), a
 * comment ("(…)", nested) or angle brackets ("<…>"); in a quoted string or a comment a backslash
 * escapes the next character (RFC 5322 quoted-pair), elsewhere it is an ordinary character.
 * Returns a new array of HeronMimeAddressSpan, in order, with empty parts kept; never empty (""
 * is one empty part), and the last part runs to the end of the text (the one being typed). */
GArray           *heron_mime_address_list_split (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronMimeAddress, heron_mime_address_free)

G_END_DECLS
