/* heron-tls.h: the certificate rules every Heron connection follows (IMAP, SMTP)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md: a certificate that does not verify stops the connection and asks the person; an
 * accepted one is pinned to that account. This module is that rule, once, for every protocol:
 *
 *   - A certificate that verifies against the trust anchors (the settings' GTlsDatabase, or the
 *     system's) is accepted without asking.
 *   - One that does not verify goes to the decision callback, synchronously during the handshake,
 *     with the certificate, its GTlsCertificateFlags and the host: REJECT, ACCEPT_ONCE (this
 *     connection only) or ACCEPT_AND_PIN (and the caller stores it with the account). Without a
 *     callback it is refused.
 *   - A pinned certificate is accepted only if the server presents exactly it (same DER bytes),
 *     whether or not it verifies, and without asking. Any other certificate, even one that
 *     verifies, is refused: "The server's certificate changed".
 *
 * A HeronTlsPolicy is made per connection. heron_tls_policy_wrap() makes the TLS client side on
 * the plain stream and installs the rule (GTlsConnection::accept-certificate); after the
 * handshake, heron_tls_policy_check_handshake() turns its outcome into go or a clear error, in
 * the error domain of the protocol that asked (HERON_IMAP_ERROR_CERTIFICATE,
 * HERON_SMTP_ERROR_CERTIFICATE): a protocol keeps one error domain, and the words are the same
 * everywhere. The peer certificate and what was wrong with it stay on the policy for the dialog
 * that asks the person (heron_tls_certificate_dup_fingerprint(), heron_tls_describe_errors()).
 *
 * Threads: a policy belongs to the context its connection runs on. glib-networking emits
 * accept-certificate on the context the handshake was started on, so the decision callback runs
 * there too.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  HERON_TLS_DECISION_REJECT,         /* refuse: the connection fails with a certificate error */
  HERON_TLS_DECISION_ACCEPT_ONCE,    /* this connection only */
  HERON_TLS_DECISION_ACCEPT_AND_PIN, /* and report it (heron_tls_policy_get_certificate_to_pin()) */
} HeronTlsDecision;

/* Asked, synchronously during the TLS handshake, about a certificate that does not verify
 * (errors is never 0). host is the name the connection was made to. Not called for a pinned
 * certificate: that is accepted or refused without asking. */
typedef HeronTlsDecision (*HeronTlsDecisionFunc) (GTlsCertificate      *certificate,
                                                  GTlsCertificateFlags  errors,
                                                  const char           *host,
                                                  gpointer              user_data);

/* What the policy concluded about the server's certificate. */
typedef enum {
  HERON_TLS_VERDICT_NONE,      /* nothing to decide (yet): no handshake, or it verified */
  HERON_TLS_VERDICT_ACCEPTED,  /* the pinned one was presented, or the callback accepted it */
  HERON_TLS_VERDICT_UNTRUSTED, /* it does not verify and there is no callback to ask */
  HERON_TLS_VERDICT_REJECTED,  /* the callback said REJECT */
  HERON_TLS_VERDICT_CHANGED,   /* a certificate is pinned and the server presented another */
} HeronTlsVerdict;

/* "SHA-256 AB:CD:...:EF" over the certificate's DER bytes, for people to compare. */
char                 *heron_tls_certificate_dup_fingerprint (GTlsCertificate      *certificate);
/* The problems in errors as one sentence for people ("it is not signed by a trusted authority,
 * and it has expired"). */
char                 *heron_tls_describe_errors             (GTlsCertificateFlags  errors);

typedef struct _HeronTlsPolicy HeronTlsPolicy;

/* host: the server's name as configured (checked against the certificate, sent as SNI, passed to
 * the callback, named in errors). pinned (nullable): the certificate accepted before. func
 * (nullable) and its user_data: asked about a certificate that does not verify; user_data must
 * live as long as the policy. */
HeronTlsPolicy       *heron_tls_policy_new                  (const char           *host,
                                                             GTlsCertificate      *pinned,
                                                             HeronTlsDecisionFunc  func,
                                                             gpointer              user_data);
/* Disconnects from the TLS connection it was installed on. */
void                  heron_tls_policy_free                 (HeronTlsPolicy       *policy);

/* Makes the client side of TLS over base (a connected plain stream), with the server identity
 * host:port and the trust anchors database (NULL: the system's), and installs the policy on it.
 * Once per policy. NULL with error (G_IO_ERROR / G_TLS_ERROR, from GIO) when TLS is not
 * available. */
GTlsClientConnection *heron_tls_policy_wrap                 (HeronTlsPolicy       *policy,
                                                             GIOStream            *base,
                                                             guint16               port,
                                                             GTlsDatabase         *database,
                                                             GError              **error);

/* Called with the outcome of g_tls_connection_handshake_finish() on the wrapped connection
 * (handshake_error: its error when handshake_ok is FALSE). TRUE: the connection may be used.
 * FALSE with error in `domain`: certificate_code when the certificate was refused (untrusted,
 * rejected, or not the pinned one, also after a handshake that verified), tls_code for any other
 * handshake failure. The peer certificate and its errors are kept either way. */
gboolean              heron_tls_policy_check_handshake      (HeronTlsPolicy       *policy,
                                                             gboolean              handshake_ok,
                                                             const GError         *handshake_error,
                                                             GQuark                domain,
                                                             gint                  tls_code,
                                                             gint                  certificate_code,
                                                             GError              **error);

HeronTlsVerdict       heron_tls_policy_get_verdict          (HeronTlsPolicy       *policy);
/* The certificate the server presented (after the handshake, or after it was refused), or NULL. */
GTlsCertificate      *heron_tls_policy_get_peer_certificate (HeronTlsPolicy       *policy);
/* What was wrong with it: 0 when it verified. */
GTlsCertificateFlags  heron_tls_policy_get_peer_errors      (HeronTlsPolicy       *policy);
/* The certificate the callback answered ACCEPT_AND_PIN for, or NULL. */
GTlsCertificate      *heron_tls_policy_get_certificate_to_pin (HeronTlsPolicy     *policy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronTlsPolicy, heron_tls_policy_free)

G_END_DECLS
