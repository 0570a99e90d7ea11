/* heron-imap-connection.h: one IMAP connection on GIO (TLS, STARTTLS, COMPRESS, pipelining)
 *
 * A HeronImapConnection is the transport of an IMAP session: it connects (implicit TLS, or
 * STARTTLS that must succeed), reads the greeting, learns the capabilities, and then sends
 * commands and routes what the server answers. It knows nothing of mailboxes or
 * authentication; HeronImapSession (heron-imap-session.h) builds the protocol on it.
 *
 * Threads: a connection belongs to the thread-default GMainContext that was current when it was
 * created. Every function must be called from that context's thread, every callback and signal
 * happens there, and nothing blocks: all I/O is asynchronous GIO on that context.
 *
 * Sending: heron_imap_connection_send_async() queues a command. Commands go out in the order
 * they are sent, pipelined: a command is written without waiting for the replies to the ones
 * before it, unless it or a command still in flight is a barrier (HERON_IMAP_SEND_BARRIER; the
 * connection makes STARTTLS and COMPRESS barriers itself). Literals go as the server allows
 * (LITERAL+, LITERAL-, else synchronizing: the connection really waits for "+").
 *
 * Routing: each command declares which untagged responses it collects (HeronImapHandlers);
 * a response goes to the first command in flight that claims it. ESEARCH is matched by its TAG
 * correlator, FETCH by UID (the claim function), body sections of a FETCH to the body consumer
 * of the command that owns it. Whatever no command claims (EXISTS, EXPUNGE, VANISHED, FETCH
 * flag changes by other clients, FLAGS, untagged OK/NO/BAD, BYE) is emitted as ::unsolicited.
 * Continuation requests go to the command waiting for one.
 *
 * Failure: a malformed reply, a reply past the parser's limits, a tagged reply nobody asked for,
 * a continuation nobody waits for, a stall past the read timeout, a TLS failure or the server
 * closing: the connection fails once, with a clear error, every queued or pending command
 * completes with that error, ::closed is emitted and the socket is closed. Nothing is retried.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-imap-command.h"
#include "heron-imap-error.h"
#include "heron-imap-parser.h"
#include "heron-imap-response.h"
#include "net/heron-tls.h"

G_BEGIN_DECLS

typedef enum {
  HERON_IMAP_SECURITY_TLS,      /* implicit TLS from the first byte (port 993) */
  HERON_IMAP_SECURITY_STARTTLS, /* plain text until STARTTLS, which must succeed (port 143) */
  HERON_IMAP_SECURITY_NONE,     /* no TLS: only with allow_plaintext, only to a loopback address */
} HeronImapSecurity;

/* The certificate rules are those of every Heron connection (net/heron-tls.h); these are their
 * IMAP names. REJECT fails the connection with HERON_IMAP_ERROR_CERTIFICATE; ACCEPT_AND_PIN
 * reports the certificate: heron_imap_connection_get_certificate_to_pin(). */
typedef HeronTlsDecision HeronImapCertificateDecision;
#define HERON_IMAP_CERTIFICATE_REJECT         HERON_TLS_DECISION_REJECT
#define HERON_IMAP_CERTIFICATE_ACCEPT_ONCE    HERON_TLS_DECISION_ACCEPT_ONCE
#define HERON_IMAP_CERTIFICATE_ACCEPT_AND_PIN HERON_TLS_DECISION_ACCEPT_AND_PIN

/* Asked, synchronously during the TLS handshake, about a certificate that does not verify
 * (errors is never 0). host is the name the connection was made to. Not called for a pinned
 * certificate: that is accepted or rejected without asking. */
typedef HeronTlsDecisionFunc HeronImapCertificateFunc;

#define HERON_IMAP_DEFAULT_CONNECT_TIMEOUT_MS  (30 * 1000)
#define HERON_IMAP_DEFAULT_READ_TIMEOUT_MS     (60 * 1000)
#define HERON_IMAP_DEFAULT_KEEPALIVE_MS        (5 * 60 * 1000)

/* What a connection is made with. Initialize with heron_imap_connection_settings_init(), free
 * what it holds with heron_imap_connection_settings_clear(); the connection keeps a copy. */
typedef struct {
  char *host;
  guint16 port;                        /* 0: 993 with TLS, 143 otherwise */
  HeronImapSecurity security;          /* default TLS */
  /* Plain text is allowed when the peer is a loopback address and this is set: with
   * HERON_IMAP_SECURITY_NONE, or with STARTTLS when the server does not offer it or refuses it.
   * It is never allowed to any other address. Default FALSE. */
  gboolean allow_plaintext;
  /* COMPRESS=DEFLATE when the session asks for it (heron_imap_connection_compress_async) and
   * the server offers it. It makes a fast link slower (DESIGN.md): off by default. */
  gboolean compress;
  /* Ignore LITERAL+ and LITERAL-: every literal waits for "+" (for tests and broken servers). */
  gboolean force_sync_literals;
  GTlsDatabase *tls_database;          /* trust anchors; NULL: the system's */
  /* A certificate accepted before (ACCEPT_AND_PIN): the server must present exactly this one
   * (same DER bytes), whether or not it verifies; any other is rejected with "the server's
   * certificate changed". */
  GTlsCertificate *pinned_certificate;
  HeronImapCertificateFunc certificate_func;  /* NULL: an unverified certificate is an error */
  gpointer certificate_data;
  guint connect_timeout_ms;            /* TCP connect, and then the TLS handshake; 0: default */
  /* No data for this long while a command is outstanding fails the connection; 0: default.
   * An IDLE that the server accepted is not outstanding. */
  guint read_timeout_ms;
  /* No traffic for this long with nothing outstanding sends a NOOP; 0: default; G_MAXUINT: never.
   * TCP keepalive is on regardless. */
  guint keepalive_ms;
  HeronImapParserLimits limits;
  /* The first letter of the tags ("A0001"). Default 'A'. */
  char tag_prefix;
} HeronImapConnectionSettings;

void heron_imap_connection_settings_init  (HeronImapConnectionSettings       *settings);
void heron_imap_connection_settings_clear (HeronImapConnectionSettings       *settings);
void heron_imap_connection_settings_copy  (const HeronImapConnectionSettings *src,
                                           HeronImapConnectionSettings       *dest);

typedef enum {
  HERON_IMAP_CONNECTION_DISCONNECTED, /* not yet connected */
  HERON_IMAP_CONNECTION_CONNECTING,   /* TCP, TLS, greeting, STARTTLS, CAPABILITY */
  HERON_IMAP_CONNECTION_CONNECTED,    /* ready for commands */
  HERON_IMAP_CONNECTION_CLOSED,       /* failed or closed; see heron_imap_connection_get_error() */
} HeronImapConnectionState;

typedef struct _HeronImapConnection HeronImapConnection;

/* A bit for each HeronImapResponseKind, for HeronImapHandlers.kinds. */
#define HERON_IMAP_KIND(kind) (1u << (kind))

/* How a command takes part in routing. Everything is optional; pass NULL handlers for a command
 * that collects nothing. The handlers and their user data must stay valid until the command
 * completes (or is cancelled): they are never called after that. */
typedef struct {
  /* The untagged responses this command collects: HERON_IMAP_KIND (HERON_IMAP_RESPONSE_LIST) |
   * ... A STATUS kind claims untagged OK/NO/BAD (SELECT's response codes), never BYE. */
  guint kinds;
  /* Finer choice among those kinds (e.g. the FETCH of a UID in this command's set); NULL claims
   * all of them. Called for FETCH body sections too, with a response of kind FETCH that has
   * only seq and uid set. A body section the server sent before the UID item is not offered to
   * claim: it goes to the oldest FETCH or UID FETCH command in flight (to its body consumer, with
   * uid 0 in HeronImapBodyInfo; match it by seq with the FETCH response that follows). */
  gboolean (*claim)        (const HeronImapResponse *response,
                            gpointer                 user_data);
  /* A claimed response. The response is valid during the call; keep it with
   * heron_imap_response_ref(). Called straight from the parser: no main-loop round trip. */
  void     (*untagged)     (HeronImapResponse       *response,
                            gpointer                 user_data);
  /* Receives the body sections of the FETCH responses this command claims, as they stream in.
   * NULL: they are collected, and the FETCH response holds them in HeronImapBodySection.data.
   * A callback that fails ends only this command, with its error; the connection goes on. If
   * the connection fails in the middle of a section, end() is not called. */
  const HeronImapBodyConsumer *body;
  /* A continuation request ("+ text") for this command beyond those its synchronizing
   * literals wait for: a SASL challenge, IDLE's "+ idling". Answer with
   * heron_imap_connection_send_continuation(). NULL: such a request is a protocol error. */
  void     (*continuation) (HeronImapConnection     *connection,
                            HeronImapCommand        *command,
                            const char              *text,
                            gpointer                 user_data);
} HeronImapHandlers;

typedef enum {
  HERON_IMAP_SEND_NONE    = 0,
  /* Waits until every command before it completed, and holds every command after it until it
   * completes: for commands whose meaning depends on the state the previous ones leave (LOGIN,
   * AUTHENTICATE, SELECT, EXAMINE, CLOSE, UNSELECT, IDLE, LOGOUT, anything with message
   * sequence numbers). */
  HERON_IMAP_SEND_BARRIER = 1 << 0,
} HeronImapSendFlags;

#define HERON_IMAP_TYPE_CONNECTION (heron_imap_connection_get_type ())

G_DECLARE_FINAL_TYPE (HeronImapConnection, heron_imap_connection, HERON_IMAP, CONNECTION, GObject)

HeronImapConnection *heron_imap_connection_new            (const HeronImapConnectionSettings *settings);

const HeronImapConnectionSettings *heron_imap_connection_get_settings (HeronImapConnection *self);

/* Connects: TCP, TLS or STARTTLS (whatever came before the handshake discarded, CAPABILITY
 * asked again after it), the greeting, the capabilities. A greeting of PREAUTH on a connection
 * that must use STARTTLS fails it (HERON_IMAP_ERROR_TLS) before anything is sent. */
void                 heron_imap_connection_connect_async  (HeronImapConnection  *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean             heron_imap_connection_connect_finish (HeronImapConnection  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Queues command (a tag is assigned when it is written). Completes with the tagged response,
 * whatever its condition (OK, NO or BAD: see heron_imap_check_tagged()); with an error only
 * when the command could not be written, the connection failed, or cancellable was cancelled.
 * A command cancelled after it was written still runs on the server: its tagged reply is dropped
 * when it comes, and untagged data it would have collected goes out as ::unsolicited (where the
 * sync engine sees FETCH flags and expunges anyway). */
void                 heron_imap_connection_send_async     (HeronImapConnection     *self,
                                                           HeronImapCommand        *command,
                                                           HeronImapSendFlags       flags,
                                                           const HeronImapHandlers *handlers,
                                                           gpointer                 handler_data,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
HeronImapResponse   *heron_imap_connection_send_finish    (HeronImapConnection     *self,
                                                           GAsyncResult            *result,
                                                           GError                 **error);

/* Sends line (an untagged command: heron_imap_command_new_sasl_response(),
 * heron_imap_command_new_sasl_cancel(), heron_imap_command_new_done()) as the answer of
 * command, which must be in flight, to the continuation request it was given. */
void                 heron_imap_connection_send_continuation (HeronImapConnection  *self,
                                                              HeronImapCommand     *command,
                                                              HeronImapCommand     *line);

/* COMPRESS DEFLATE (RFC 4978), then everything both ways is raw deflate, flushed after each
 * write. Fails with HERON_IMAP_ERROR_UNSUPPORTED when the server does not offer it; a NO (e.g.
 * [COMPRESSIONACTIVE]) is HERON_IMAP_ERROR_NO_RESPONSE.
 * Cancelling gives G_IO_ERROR_CANCELLED at once. Before COMPRESS was written it is never sent;
 * after, the server runs it anyway: it stays a barrier until its reply, and at a tagged OK the
 * connection still switches to deflate (heron_imap_connection_is_compressed() says so), so the
 * streams keep following the server; a NO leaves it uncompressed. Either way the connection stays
 * usable. */
void                 heron_imap_connection_compress_async  (HeronImapConnection  *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             heron_imap_connection_compress_finish (HeronImapConnection  *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Closes at once (no LOGOUT): pending commands complete with G_IO_ERROR_CLOSED. Idempotent. */
void                 heron_imap_connection_close           (HeronImapConnection  *self);

HeronImapConnectionState heron_imap_connection_get_state   (HeronImapConnection  *self);
/* Why the connection closed, or NULL. */
const GError        *heron_imap_connection_get_error       (HeronImapConnection  *self);
/* The greeting (an untagged OK or PREAUTH), once received. */
HeronImapResponse   *heron_imap_connection_get_greeting    (HeronImapConnection  *self);
gboolean             heron_imap_connection_is_preauth      (HeronImapConnection  *self);
gboolean             heron_imap_connection_is_tls          (HeronImapConnection  *self);
gboolean             heron_imap_connection_is_compressed   (HeronImapConnection  *self);
/* Bytes received after STARTTLS's tagged OK and before the handshake, and dropped unread (a
 * pipelined reply injected in the clear). For diagnosis and tests. */
guint64              heron_imap_connection_get_discarded_bytes (HeronImapConnection *self);
/* The mode literals are written in, from the capabilities and the settings. */
HeronImapLiteralMode heron_imap_connection_get_literal_mode (HeronImapConnection *self);

/* The capabilities the server announced last (CAPABILITY response or [CAPABILITY] code).
 * Names are compared case-insensitively; "AUTH=PLAIN" is one capability. */
gboolean             heron_imap_connection_has_capability  (HeronImapConnection  *self,
                                                            const char           *capability);
/* NULL-terminated, in the server's order, upper-cased; NULL before any were announced. */
const char * const  *heron_imap_connection_get_capabilities (HeronImapConnection *self);
/* Forgets them, e.g. after LOGIN when the server did not send new ones. */
void                 heron_imap_connection_clear_capabilities (HeronImapConnection *self);
/* The tagged responses and untagged data a session may want to see the capabilities in go
 * through this automatically; exposed for the session's own CAPABILITY handling. */
void                 heron_imap_connection_set_capabilities (HeronImapConnection *self,
                                                             const HeronImapStrings *capabilities);

/* The parser's flags (UTF-8 mode and IMAP4rev2), for a session that enabled them. */
void                 heron_imap_connection_set_parser_flags (HeronImapConnection  *self,
                                                             HeronImapParserFlags  flags);
void                 heron_imap_connection_get_parser_stats (HeronImapConnection  *self,
                                                             HeronImapParserStats *stats);

/* Certificates. After a connection failed with HERON_IMAP_ERROR_CERTIFICATE, the certificate
 * the server presented and what was wrong with it, so the UI can ask the person and connect
 * again with it pinned. Also set after a successful handshake. */
GTlsCertificate     *heron_imap_connection_get_peer_certificate        (HeronImapConnection *self);
GTlsCertificateFlags heron_imap_connection_get_peer_certificate_errors (HeronImapConnection *self);
/* The certificate the decision callback answered ACCEPT_AND_PIN for, to be stored with the
 * account and passed as pinned_certificate next time; NULL otherwise. Also announced with
 * ::certificate-pinned. */
GTlsCertificate     *heron_imap_connection_get_certificate_to_pin      (HeronImapConnection *self);

/* "SHA-256 AB:CD:...:EF" over the certificate's DER bytes, for people to compare; the same as
 * heron_tls_certificate_dup_fingerprint(). */
char                *heron_imap_certificate_dup_fingerprint (GTlsCertificate      *certificate);
/* The problems in errors as one sentence for people ("it is not signed by a trusted authority,
 * and it has expired"); the same as heron_tls_describe_errors(). */
char                *heron_imap_certificate_describe_errors (GTlsCertificateFlags  errors);

/* OK: TRUE. NO or BAD: FALSE with HERON_IMAP_ERROR_NO_RESPONSE or _BAD_RESPONSE whose message is
 * the server's text, with its response code in front as sent ("[TRYCREATE] No such mailbox"). */
gboolean             heron_imap_check_tagged               (const HeronImapResponse *tagged,
                                                            GError                 **error);
/* The response code atom kept at the front of such an error's message ("TRYCREATE"), or NULL. */
char                *heron_imap_error_dup_response_code    (const GError            *error);

G_END_DECLS
