/* heron-imap-error.h: the error domain of the IMAP protocol engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERON_IMAP_ERROR (heron_imap_error_quark ())

/* Errors of the IMAP engine. Plain I/O failures keep their G_IO_ERROR codes. */
typedef enum {
  HERON_IMAP_ERROR_PARSE,        /* the server sent something that is not valid IMAP */
  HERON_IMAP_ERROR_LIMIT,        /* a reply went past a configured bound (line, literal, depth, items) */
  HERON_IMAP_ERROR_PROTOCOL,     /* well-formed, but not allowed here (e.g. a tag nobody sent) */
  HERON_IMAP_ERROR_BAD_RESPONSE, /* the server answered BAD */
  HERON_IMAP_ERROR_NO_RESPONSE,  /* the server answered NO */
  HERON_IMAP_ERROR_BYE,          /* the server said BYE and closes the connection */
  HERON_IMAP_ERROR_TLS,          /* TLS could not be set up or was refused */
  HERON_IMAP_ERROR_AUTH,         /* authentication failed */
  HERON_IMAP_ERROR_UNSUPPORTED,  /* the server lacks a capability the operation needs */
  HERON_IMAP_ERROR_CLOSED,       /* the connection closed, possibly in the middle of a response */
  HERON_IMAP_ERROR_INVALID,      /* a value cannot be expressed in IMAP (e.g. a NUL in a string) */
  HERON_IMAP_ERROR_FAILED,       /* anything else */
  HERON_IMAP_ERROR_CERTIFICATE,  /* the server's TLS certificate is not trusted, or differs from the
                                  * pinned one; see heron_imap_connection_get_peer_certificate() */
} HeronImapError;

GQuark heron_imap_error_quark (void);

G_END_DECLS
