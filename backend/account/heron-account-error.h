/* heron-account-error.h: the error domain of backend/account
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERON_ACCOUNT_ERROR (heron_account_error_quark ())

/* Plain I/O failures (a file that cannot be written, a network error) keep their G_IO_ERROR,
 * G_FILE_ERROR, G_RESOLVER_ERROR or G_TLS_ERROR codes; these are the account's own. Every message
 * can be shown to a person as it is; none holds a password or token. */
typedef enum {
  HERON_ACCOUNT_ERROR_FAILED,            /* anything else */
  HERON_ACCOUNT_ERROR_SYNTAX,            /* an account file is not a key file (names file and line) */
  HERON_ACCOUNT_ERROR_INVALID,           /* a value is wrong or missing (names file and line when read) */
  HERON_ACCOUNT_ERROR_INSECURE,          /* plain text to a host that is not loopback, or not allowed */
  HERON_ACCOUNT_ERROR_NOT_FOUND,         /* no such account */
  HERON_ACCOUNT_ERROR_BAD_ADDRESS,       /* not an e-mail address autoconfiguration can use */
  HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED, /* an autoconfig document is not valid */
  HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND, /* no method found the servers */
  HERON_ACCOUNT_ERROR_NO_TOKEN,          /* an OAuth2 provider has no token for this account */
  /* heron_account_check_async() (heron-account-check.h): */
  HERON_ACCOUNT_ERROR_HOST_NOT_FOUND,    /* the server's name does not resolve */
  HERON_ACCOUNT_ERROR_CONNECTION_REFUSED, /* nothing listens on that port */
  HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED, /* not trusted, or not the pinned one (with its fingerprint) */
  HERON_ACCOUNT_ERROR_AUTH_FAILED,       /* the user name or the password was refused */
  HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED, /* the provider wants an app password or OAuth */
  HERON_ACCOUNT_ERROR_TIMEOUT,           /* the server did not answer in time */
} HeronAccountError;

GQuark heron_account_error_quark (void);

G_END_DECLS
