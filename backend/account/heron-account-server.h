/* heron-account-server.h: how to reach one server (IMAP or SMTP) of an account
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-account-types.h"

G_BEGIN_DECLS

#define HERON_TYPE_ACCOUNT_SERVER (heron_account_server_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountServer, heron_account_server, HERON, ACCOUNT_SERVER, GObject)

/* Host, port, security, authentication and user name of the IMAP or the SMTP server, and the
 * certificate pinned for it. Nothing secret: the password is in the keyring (heron-secrets.h).
 *
 * Port 0 means the standard port for the protocol and security (993/143, 465/587).
 *
 * The pinned certificate is either a PEM file (pinned-certificate-file, an absolute path) or
 * the PEM text itself (pinned-certificate-pem); Heron writes the PEM text when a person accepts
 * a certificate, so the pin lives and dies with the account file. With a pin the server must
 * present exactly that certificate (or one it signed, when the pinned one is a CA, as the demo's
 * self-signed test certificate is).
 *
 * A pin belongs to the host, port and security it was accepted for: setting another host (not
 * merely another case of the same name), another effective port or another security drops the
 * pinned certificate, file or PEM, in the setters themselves. Set the pin after them.
 *
 * allow-plaintext-on-loopback must be TRUE for security NONE, and NONE is refused for any host
 * that is not loopback (127.0.0.0/8, ::1, localhost): plain text is a decision of the account,
 * never a fallback. */

HeronAccountServer   *heron_account_server_new                        (HeronAccountProtocol protocol);
HeronAccountServer   *heron_account_server_copy                       (HeronAccountServer  *self);

HeronAccountProtocol  heron_account_server_get_protocol               (HeronAccountServer  *self);

const char           *heron_account_server_get_host                   (HeronAccountServer  *self);
void                  heron_account_server_set_host                   (HeronAccountServer  *self,
                                                                       const char          *host);
guint                 heron_account_server_get_port                   (HeronAccountServer  *self);
void                  heron_account_server_set_port                   (HeronAccountServer  *self,
                                                                       guint                port);
/* The port to connect to: the configured one, or the standard one when it is 0. */
guint16               heron_account_server_get_effective_port         (HeronAccountServer  *self);
HeronAccountSecurity  heron_account_server_get_security               (HeronAccountServer  *self);
void                  heron_account_server_set_security               (HeronAccountServer  *self,
                                                                       HeronAccountSecurity security);
HeronAccountAuth      heron_account_server_get_auth                   (HeronAccountServer  *self);
void                  heron_account_server_set_auth                   (HeronAccountServer  *self,
                                                                       HeronAccountAuth     auth);
const char           *heron_account_server_get_user                   (HeronAccountServer  *self);
void                  heron_account_server_set_user                   (HeronAccountServer  *self,
                                                                       const char          *user);
const char           *heron_account_server_get_pinned_certificate_file (HeronAccountServer *self);
void                  heron_account_server_set_pinned_certificate_file (HeronAccountServer *self,
                                                                        const char         *path);
const char           *heron_account_server_get_pinned_certificate_pem (HeronAccountServer  *self);
void                  heron_account_server_set_pinned_certificate_pem (HeronAccountServer  *self,
                                                                       const char          *pem);
gboolean              heron_account_server_get_allow_plaintext_on_loopback (HeronAccountServer *self);
void                  heron_account_server_set_allow_plaintext_on_loopback (HeronAccountServer *self,
                                                                            gboolean            allow);

/* The pinned certificate (from the file or the PEM text), NULL without an error when none is
 * pinned, NULL with an error when it cannot be read. */
GTlsCertificate      *heron_account_server_dup_pinned_certificate     (HeronAccountServer  *self,
                                                                       GError             **error);

/* Checks every rule above; the error (HERON_ACCOUNT_ERROR_INVALID or _INSECURE) says what is
 * wrong in words a person understands, starting with "IMAP server:" or "SMTP server:". */
gboolean              heron_account_server_validate                   (HeronAccountServer  *self,
                                                                       GError             **error);

/* 993, 143, 465 or 587 (143 and 587 for NONE). */
guint16               heron_account_server_get_default_port           (HeronAccountProtocol protocol,
                                                                       HeronAccountSecurity security);

/* A host name (ASCII or IDN) or an IP address literal, without port or brackets. */
gboolean              heron_account_host_is_valid                     (const char          *host);
/* localhost, an address in 127.0.0.0/8, or ::1. Names are not resolved: "localhost" is trusted
 * by name, any other name is not loopback whatever it resolves to. */
gboolean              heron_account_host_is_loopback                  (const char          *host);

G_END_DECLS
