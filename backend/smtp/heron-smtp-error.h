/* heron-smtp-error.h: the error domain of SMTP submission
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Messages are sentences for people, with the server's own reply where there is one ("The
 * server refused the sender alice@example.test: 553 5.7.1 Sender address rejected"). Plain I/O
 * failures (connection refused, reset, a timeout) keep their G_IO_ERROR codes, with the host
 * and what was going on in the message.
 *
 * The domain is an extended one (G_DEFINE_EXTENDED_ERROR): an error may carry the reply that
 * caused it, the per-recipient outcome, or the certificate that was refused, for the UI to show
 * and for an outbox to decide whether to try again.
 */

#pragma once

#include <gio/gio.h>

#include "heron-smtp-reply.h"
#include "heron-smtp-result.h"

G_BEGIN_DECLS

#define HERON_SMTP_ERROR (heron_smtp_error_quark ())

typedef enum {
  HERON_SMTP_ERROR_FAILED,              /* anything else */
  HERON_SMTP_ERROR_PROTOCOL,            /* the server sent something that is not SMTP, or not here */
  HERON_SMTP_ERROR_LIMIT,               /* a reply past the bounds (line length, lines) */
  HERON_SMTP_ERROR_CLOSED,              /* the server closed the connection */
  HERON_SMTP_ERROR_SERVICE_UNAVAILABLE, /* 421 at any time, or a greeting that is not 220 */
  HERON_SMTP_ERROR_TLS,                 /* TLS could not be set up: STARTTLS missing or refused, a
                                         * failed handshake, the server requires TLS */
  HERON_SMTP_ERROR_CERTIFICATE,         /* the certificate is not trusted, was rejected, or is not
                                         * the pinned one (heron_smtp_error_get_peer_certificate()) */
  HERON_SMTP_ERROR_AUTH,                /* authentication failed or is required (the server's text) */
  HERON_SMTP_ERROR_UNSUPPORTED,         /* the server lacks what the settings or the message need:
                                         * AUTH or a mechanism, 8BITMIME, SMTPUTF8 */
  HERON_SMTP_ERROR_REFUSED,             /* the server refused EHLO or another setup command */
  HERON_SMTP_ERROR_MESSAGE_TOO_LARGE,   /* above the server's SIZE, or refused as too large */
  HERON_SMTP_ERROR_SENDER_REJECTED,     /* MAIL FROM was refused */
  HERON_SMTP_ERROR_RECIPIENTS_REJECTED, /* no recipient was accepted (heron_smtp_error_get_result()) */
  HERON_SMTP_ERROR_MESSAGE_REJECTED,    /* DATA or the message itself was refused */
  HERON_SMTP_ERROR_UNCONFIRMED,         /* the whole message was sent, then the connection failed
                                         * before the server confirmed it: it may have been
                                         * accepted. Sending again may deliver it twice. */
  HERON_SMTP_ERROR_INVALID,             /* an address SMTP cannot carry (control characters, no
                                         * "@", not UTF-8), or no recipients */
} HeronSmtpError;

GQuark               heron_smtp_error_quark                  (void);

/* The server's reply that caused error, or NULL (not an SMTP error, or no reply involved). */
HeronSmtpReply      *heron_smtp_error_get_reply              (const GError *error);
/* For HERON_SMTP_ERROR_RECIPIENTS_REJECTED (and later failures of a transaction): what each
 * recipient was answered; NULL otherwise. */
HeronSmtpSendResult *heron_smtp_error_get_result             (const GError *error);
/* For HERON_SMTP_ERROR_CERTIFICATE: the certificate the server presented and what is wrong
 * with it, so the UI can ask the person (heron_tls_certificate_dup_fingerprint()) and send again
 * with it pinned. */
GTlsCertificate     *heron_smtp_error_get_peer_certificate   (const GError *error);
GTlsCertificateFlags heron_smtp_error_get_certificate_errors (const GError *error);

/* TRUE when sending the same message again later may work: a network failure or timeout
 * before the message was complete, a closed connection, 421, or a 4xx reply (for
 * RECIPIENTS_REJECTED: every recipient got a 4xx). FALSE for cancellation, for
 * HERON_SMTP_ERROR_UNCONFIRMED (it may have been delivered) and for anything that needs a
 * person (certificates, 5xx replies, settings). */
gboolean             heron_smtp_error_is_transient           (const GError *error);

G_END_DECLS
