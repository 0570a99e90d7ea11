/* heron-smtp-client.h: message submission (RFC 6409) on GIO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A HeronSmtpClient holds an account's submission settings and sends messages: for each send it
 * connects (implicit TLS, port 465, or STARTTLS that must succeed, port 587), says EHLO,
 * authenticates (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER), gives the envelope (MAIL FROM, RCPT TO
 * for each recipient, pipelined when the server offers PIPELINING), streams the message as DATA,
 * and says QUIT. docs/smtp.md has the whole story.
 *
 * Certificates follow the rules of every Heron connection (net/heron-tls.h): verified, or asked
 * about through the decision callback, or pinned; a changed certificate is always refused.
 * Plain text only to a loopback address, and only with allow_plaintext.
 *
 * Threads: a client belongs to the thread-default GMainContext that was current when it was
 * created (an account's worker). Call it from that thread; callbacks and signals come there, and
 * nothing blocks. Several sends may run at once, each on its own connection.
 *
 * Signals: ::certificate-pinned (GTlsCertificate *certificate) when the decision callback
 * answered ACCEPT_AND_PIN and the handshake succeeded: store it with the account, and pass it as
 * pinned_certificate from then on.
 *
 * Results: heron_smtp_client_send_finish() returns what each recipient was answered and the
 * server's final reply with its queue id. It fails as a whole (HeronSmtpError, with the
 * server's words) when the server refused the connection, the login, the sender, every
 * recipient, or the message.
 */

#pragma once

#include <gio/gio.h>

#include "heron-smtp-error.h"
#include "heron-smtp-reply.h"
#include "heron-smtp-result.h"
#include "imap/heron-imap-sasl.h"
#include "net/heron-tls.h"

G_BEGIN_DECLS

typedef enum {
  HERON_SMTP_SECURITY_TLS,      /* implicit TLS from the first byte (port 465, RFC 8314) */
  HERON_SMTP_SECURITY_STARTTLS, /* plain text until STARTTLS, which must succeed (port 587) */
  HERON_SMTP_SECURITY_NONE,     /* no TLS: only with allow_plaintext, only to a loopback address */
} HeronSmtpSecurity;

typedef enum {
  HERON_SMTP_AUTH_AUTO,        /* with a token provider OAUTHBEARER, else XOAUTH2; with a password
                                * PLAIN, else LOGIN; as the server offers them */
  HERON_SMTP_AUTH_NONE,        /* no AUTH even when a user is set (a relay that knows the host) */
  HERON_SMTP_AUTH_PLAIN,       /* RFC 4616 */
  HERON_SMTP_AUTH_LOGIN,       /* the old "Username:" / "Password:" exchange */
  HERON_SMTP_AUTH_XOAUTH2,     /* Google's and Microsoft's */
  HERON_SMTP_AUTH_OAUTHBEARER, /* RFC 7628 */
} HeronSmtpAuthMechanism;

/* RFC 5321 section 4.5.3.2 gives the server minutes at each step (5 for the greeting, MAIL and
 * RCPT, 2 for DATA, 3 for each block of data, 10 after the end of the message): a busy server
 * may check a recipient or scan a message that long, and giving up after the message was sent
 * risks sending it twice. The defaults follow it except for the greeting and the commands
 * before the envelope, where a desktop client should not keep a person waiting that long. */
#define HERON_SMTP_DEFAULT_CONNECT_TIMEOUT_MS  (30 * 1000)
#define HERON_SMTP_DEFAULT_COMMAND_TIMEOUT_MS  (2 * 60 * 1000)
#define HERON_SMTP_DEFAULT_ENVELOPE_TIMEOUT_MS (5 * 60 * 1000)
#define HERON_SMTP_DEFAULT_DATA_TIMEOUT_MS     (3 * 60 * 1000)
#define HERON_SMTP_DEFAULT_FINAL_TIMEOUT_MS    (10 * 60 * 1000)

/* What a client is made with. Initialize with heron_smtp_client_settings_init(), free what it
 * holds with heron_smtp_client_settings_clear() (which wipes the password); the client keeps a
 * copy. */
typedef struct {
  char *host;
  guint16 port;                        /* 0: 465 with TLS, 587 otherwise */
  HeronSmtpSecurity security;          /* default TLS */
  /* Plain text is allowed when the peer is a loopback address and this is set: with
   * HERON_SMTP_SECURITY_NONE, or with STARTTLS when the server does not offer it or refuses it.
   * Never to any other address. Default FALSE. */
  gboolean allow_plaintext;
  GTlsDatabase *tls_database;          /* trust anchors; NULL: the system's */
  /* A certificate accepted before (ACCEPT_AND_PIN): the server must present exactly this one,
   * whether or not it verifies; any other is refused with "The server's certificate changed". */
  GTlsCertificate *pinned_certificate;
  HeronTlsDecisionFunc certificate_func;  /* NULL: an unverified certificate is an error */
  gpointer certificate_data;           /* must live as long as the client */

  char *user;                          /* NULL: no AUTH */
  char *password;                      /* PLAIN, LOGIN */
  HeronImapTokenProvider *token_provider; /* XOAUTH2, OAUTHBEARER */
  HeronSmtpAuthMechanism auth_mechanism;  /* default AUTO */

  /* The name said in EHLO. NULL: the local address as a literal ("[192.0.2.7]"), which tells
   * the server nothing it does not know; some servers want a real host name here. */
  char *ehlo_name;

  guint connect_timeout_ms;            /* TCP connect, then the TLS handshake (each) */
  guint command_timeout_ms;            /* greeting, EHLO, STARTTLS, AUTH, QUIT */
  guint envelope_timeout_ms;           /* MAIL, RCPT, DATA */
  guint data_timeout_ms;               /* each block of the message that does not go out */
  guint final_timeout_ms;              /* the reply after the end of the message */
  HeronSmtpReplyLimits limits;
} HeronSmtpClientSettings;

void heron_smtp_client_settings_init  (HeronSmtpClientSettings       *settings);
void heron_smtp_client_settings_clear (HeronSmtpClientSettings       *settings);
void heron_smtp_client_settings_copy  (const HeronSmtpClientSettings *src,
                                       HeronSmtpClientSettings       *dest);

/* Whether the message may carry 8-bit bytes (RFC 6152). */
typedef enum {
  /* For a message in memory: find out. For a stream: say BODY=8BITMIME when the server offers
   * it (harmless for 7-bit data); otherwise send it as 7-bit and stop, without ending the
   * message, should an 8-bit byte come. */
  HERON_SMTP_BODY_DETECT,
  HERON_SMTP_BODY_7BIT,     /* the caller knows it is 7-bit (an 8-bit byte stops the send) */
  HERON_SMTP_BODY_8BITMIME, /* it has 8-bit bytes: fails before MAIL without 8BITMIME */
} HeronSmtpBody;

/* Called by a send once the whole message but its end (the final "." line) was written, right
 * before the end is: past this point the server may take the message even if the connection
 * then fails. An outbox records it durably here (docs/smtp.md, "Outbox"). Returning FALSE with
 * error set abandons the send with that error: the end is never written, so the server drops
 * the message. */
typedef gboolean (*HeronSmtpBeforeEndFunc) (gpointer   user_data,
                                            GError   **error);

#define HERON_SMTP_TYPE_CLIENT (heron_smtp_client_get_type ())

G_DECLARE_FINAL_TYPE (HeronSmtpClient, heron_smtp_client, HERON_SMTP, CLIENT, GObject)

HeronSmtpClient     *heron_smtp_client_new            (const HeronSmtpClientSettings *settings);

const HeronSmtpClientSettings *heron_smtp_client_get_settings (HeronSmtpClient *self);

/* Sends message (a whole RFC 5322 message: headers, blank line, body; line ends LF or CRLF)
 * from `from` (the envelope sender, MAIL FROM; "" for the null sender) to recipients (the
 * envelope recipients, RCPT TO; at least one; each an address, without angle brackets).
 * The message is read once, in pieces, as it is sent: a message of any size costs a few
 * hundred KiB. size is its length in bytes if known (for SIZE=, and to refuse early a message
 * larger than the server takes), else -1. Addresses whose local part is not ASCII need the
 * server's SMTPUTF8; a non-ASCII domain alone is sent as its A-label (IDNA). */
void                 heron_smtp_client_send_async      (HeronSmtpClient      *self,
                                                        const char           *from,
                                                        const char * const   *recipients,
                                                        GInputStream         *message,
                                                        goffset               size,
                                                        HeronSmtpBody         body,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
/* The same for a message in memory (8-bit data and the size are found out). */
void                 heron_smtp_client_send_bytes_async (HeronSmtpClient     *self,
                                                        const char           *from,
                                                        const char * const   *recipients,
                                                        GBytes               *message,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
/* The same with before_end (nullable), called on the client's context before the end of the
 * message is written. */
void                 heron_smtp_client_send_bytes_full_async (HeronSmtpClient  *self,
                                                        const char           *from,
                                                        const char * const   *recipients,
                                                        GBytes               *message,
                                                        HeronSmtpBeforeEndFunc before_end,
                                                        gpointer              before_end_data,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
/* The per-recipient outcome and the final reply; at least one recipient was accepted and the
 * server took the message. NULL with error otherwise (heron-smtp-error.h). Cancelling before
 * the end of the message was sent never sends it; cancelling while waiting for the final reply
 * may leave it sent. */
HeronSmtpSendResult *heron_smtp_client_send_finish     (HeronSmtpClient      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Connects, says EHLO, authenticates and says QUIT: checks the settings (account setup). On
 * success, the extensions the server announced after TLS and login ("PIPELINING",
 * "SIZE 10240000", "AUTH PLAIN LOGIN", ...), NULL-terminated. */
void                 heron_smtp_client_check_async     (HeronSmtpClient      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GStrv                heron_smtp_client_check_finish    (HeronSmtpClient      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
