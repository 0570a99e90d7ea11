/* heron-script-server.h: a scripted loopback server that plays exact byte sequences, for the
 * faults and hostile servers a real Dovecot or Postfix will not produce: dropped connections,
 * garbage, STARTTLS response injection, refused STARTTLS, PREAUTH where TLS is required, bad
 * certificates, stalls, huge literals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model
 *
 *   heron_script_server_new() listens on 127.0.0.1 on a free port and starts the server's own
 *   thread (with its own GMainContext pushed as thread-default; nothing ever runs on the test's
 *   contexts). The test appends steps; the thread runs them in order with blocking GIO calls,
 *   each cancellable by heron_script_server_free(). A test's client can therefore run
 *   asynchronously on the test's main context, or synchronously on the test thread itself.
 *
 *   The first step that needs a connection accepts one. heron_script_server_next_connection()
 *   closes the current connection (if a step has not already) and makes the following steps
 *   apply to the next connection accepted. Connections that arrive while another is being served
 *   wait in the listen backlog.
 *
 *   Steps may be appended before the client connects or while it runs. When the thread has run
 *   every step so far it waits for more: the script stays open (and the connection with it, like
 *   a silent server) until heron_script_server_wait(), heron_script_server_wait_async() or
 *   heron_script_server_end() ends it. Once the script has ended and its last step has run, the
 *   server closes the connection gracefully if no step did, closes the listening socket (later
 *   connections are refused) and the thread exits. So if the client should see the server close
 *   before the test calls wait(), end the script with heron_script_server_close() (or drop()).
 *
 *   A step that fails (a line that does not match, the client closing too early, an I/O error)
 *   fails the whole script: the server records the failure, closes the connection (the client
 *   sees end of file) and runs no further step. wait() then returns FALSE with an error naming
 *   the step, what it expected and what it got, followed by the last lines of the transcript.
 *
 * A typical test
 *
 *   g_autoptr(HeronScriptServer) server = heron_script_server_new (&error);
 *   heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
 *   heron_script_server_expect (server, "* STARTTLS");
 *   heron_script_server_send (server, "$TAG OK Begin TLS\r\n* OK injected\r\n");
 *   heron_script_server_start_tls (server);
 *   heron_script_server_expect (server, "* CAPABILITY");
 *   ...
 *   start the client on the test's main context (port: heron_script_server_get_port ()),
 *   run the main loop until the client is done, then:
 *   g_assert_true (heron_script_server_wait (server, 5000, &error));
 *
 * Text and tags
 *
 *   Nothing is added to what a send step sends: write the "\r\n" yourself. In send() (not in
 *   send_bytes()) "$TAG" is replaced by the tag of the last command line read by expect(),
 *   "$TAG1" by the one before it, up to "$TAG9" ("$TAG0" is "$TAG"). The tag is the line's first
 *   space-separated word. expect_data() reads a line that is not a command (IMAP's DONE, a SASL
 *   response, SMTP message data, the rest of a line after a literal) and leaves the tags alone.
 *   A "$TAG" that has no line to refer to fails the step.
 *
 *   expect() and expect_data() read one line the client terminated with CRLF (a bare LF fails the
 *   step, and so does a line over 1 MiB) and match it, without its CRLF and with its tag, against
 *   a g_pattern_match_simple() pattern: "*" matches any run of characters (the tag too), "?" one
 *   character; there is no escape, but "*" and "?" also match themselves. So
 *   expect (server, "* LOGIN alice *") accepts "a1 LOGIN alice secret".
 *
 * TLS
 *
 *   The server makes a self-signed certificate (RSA 2048, CN=localhost, SAN DNS:localhost and
 *   IP:127.0.0.1, valid from a day ago until two days from now) with the openssl command when it
 *   is created. Pass heron_script_server_get_certificate_file() to g_tls_file_database_new() as
 *   the only trust anchor and it verifies for "localhost" and "127.0.0.1".
 *
 *   start_tls() makes the server side of a TLS handshake on the connection, as a server does
 *   after its STARTTLS reply. Bytes the client sent after its STARTTLS line that the server has
 *   already read are discarded, as a careful real server does, never processed as if they had
 *   come through TLS: the transcript shows them as "C# " lines, and
 *   heron_script_server_get_discarded_bytes() counts them. Bytes the server has not read yet
 *   reach the TLS layer and break the handshake, as they would anywhere.
 *
 * The transcript
 *
 *   heron_script_server_get_transcript() returns what happened, in order, one line each:
 *     "C> " bytes received from the client and consumed by a step,
 *     "C# " bytes received from the client and discarded (never processed),
 *     "S> " bytes sent to the client (written to the socket, or to TLS once it is up),
 *     "-- " events: connection accepted, TLS handshake, close, drop, ...
 *     "!! " the failure, if any.
 *   The bytes are split after each LF and escaped: "\r", "\n", "\t", "\\", and "\xNN" for every
 *   other byte outside printable ASCII, so "S> * OK ready\r\n" is a complete line and a chunk
 *   without "\r\n" at its end was a partial line. Of a long chunk (a literal) only the first
 *   KiB is shown, then a "-- (N more bytes)" line; a generated send is one line saying so.
 *
 * Threads
 *
 *   Every function is for the thread that created the server (the test's main thread), except
 *   heron_script_server_get_transcript(), which may be called from any thread. The steps run on
 *   the server's thread. wait_async()'s callback runs on the thread-default main context of the
 *   thread that called it.
 *
 * Pitfalls
 *
 *   - A drop() (or close()) right after the connection is accepted can reach the client before
 *     its connect() has returned, and then fails the connect itself (ECONNRESET). To test a drop
 *     in the middle of something, let the client send a command first and expect() it.
 *   - GSocketClient asks the proxy resolver even for 127.0.0.1; libproxy (C++) aborts under ASan
 *     in a C program. Turn the proxy off for loopback (g_socket_client_set_enable_proxy()) or run
 *     with GIO_USE_PROXY_RESOLVER=dummy.
 *   - Under ASan, LeakSanitizer crashes at exit after TLS (gnutls has dynamic TLS variables;
 *     sanitizer runtimes up to LLVM 16 misread them on glibc >= 2.25): run with
 *     ASAN_OPTIONS=...:intercept_tls_get_addr=0.
 *   - ThreadSanitizer cannot check this code against an uninstrumented GLib: GMutex is a futex
 *     it does not see, so every access under the lock is reported.
 *
 * Teardown
 *
 *   heron_script_server_free() (or g_autoptr) cancels whatever the thread is blocked in (accept,
 *   a read, a write to a client that does not read, a handshake, a sleep), waits for the thread,
 *   closes the sockets and removes the temporary directory of the certificates. It does not hang
 *   when the client is still connected. A pending wait_async() completes with
 *   G_IO_ERROR_CANCELLED; its callback may run after the server is gone (that is why
 *   heron_script_server_wait_finish() takes no server).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HERON_SCRIPT_SERVER_HOST "127.0.0.1"

#define HERON_SCRIPT_SERVER_ERROR (heron_script_server_error_quark ())

/* I/O failures of a step keep their G_IO_ERROR / G_TLS_ERROR codes; these are the rest. */
typedef enum {
  HERON_SCRIPT_SERVER_ERROR_FAILED,        /* setup: no openssl, openssl failed, no socket */
  HERON_SCRIPT_SERVER_ERROR_MISMATCH,      /* a line or literal differs from what a step expects */
  HERON_SCRIPT_SERVER_ERROR_CLOSED,        /* the client closed when a step expected data */
  HERON_SCRIPT_SERVER_ERROR_PROTOCOL,      /* bare LF, line too long, data where a close was
                                            * expected, a refused TLS handshake that succeeded,
                                            * a "$TAG" with no line, a step after the close */
  HERON_SCRIPT_SERVER_ERROR_TIMEOUT,       /* heron_script_server_wait() ran out of time */
} HeronScriptServerError;

typedef struct _HeronScriptServer HeronScriptServer;

GQuark             heron_script_server_error_quark          (void);

/* Listens on 127.0.0.1:<free port>, makes the certificate, starts the thread. */
HeronScriptServer *heron_script_server_new                  (GError            **error);
void               heron_script_server_free                 (HeronScriptServer  *server);

/* Where to connect: HERON_SCRIPT_SERVER_HOST ("127.0.0.1") and the port. */
const char        *heron_script_server_get_host             (HeronScriptServer  *server);
guint16            heron_script_server_get_port             (HeronScriptServer  *server);

/* The certificate (with its private key) that TLS steps present, and a PEM file of the
 * certificate alone, for g_tls_file_database_new(). Both stay valid until the next
 * set_certificate() or free(). */
GTlsCertificate   *heron_script_server_get_certificate      (HeronScriptServer  *server);
const char        *heron_script_server_get_certificate_file (HeronScriptServer  *server);
/* Presents `certificate` (which must hold its private key) in TLS steps that start from now on
 * (also while the script runs, e.g. between two connections). */
gboolean           heron_script_server_set_certificate      (HeronScriptServer  *server,
                                                             GTlsCertificate    *certificate,
                                                             GError            **error);

/* A new self-signed certificate with its private key (RSA 2048, made with openssl): subject
 * CN=`cn`; `san` (nullable) in openssl's syntax, e.g. "DNS:wrong.example,IP:10.0.0.1", NULL for
 * none; valid from a day before now until `days_valid` days after now. A `days_valid` of zero
 * or less gives a certificate that expired that many days ago (0: an hour ago), valid for the
 * thirty days before. `cn` must not contain '/'. */
GTlsCertificate   *heron_script_server_make_certificate     (const char         *cn,
                                                             const char         *san,
                                                             int                 days_valid,
                                                             GError            **error);

/* Steps. Each is appended to the script and runs after the ones before it. */

/* Sends `text` with "$TAG", "$TAG1" ... "$TAG9" replaced (see above). */
void               heron_script_server_send                 (HeronScriptServer  *server,
                                                             const char         *text);
/* Sends exactly these bytes. */
void               heron_script_server_send_bytes           (HeronScriptServer  *server,
                                                             GBytes             *bytes);
/* Sends `size` bytes: `pattern` (a non-empty NUL-terminated string) repeated and cut at
 * `size`, written in 64 KiB chunks generated on the fly, so even 100 MB costs no memory. */
void               heron_script_server_send_generated       (HeronScriptServer  *server,
                                                             guint64             size,
                                                             const char         *pattern);
/* The same bytes, to a client expected to give up on them: the client closing the connection
 * while they go, or after they all went, ends the step as expect_close does (only
 * next_connection may follow); bytes from the client fail it (when it closed mid-way, those
 * still readable: a reset may discard them). Whether the client closes before
 * or after the last byte depends on socket buffers, so a test of a client's limit uses this
 * rather than send_generated + expect_close. */
void               heron_script_server_send_generated_until_close (HeronScriptServer *server,
                                                                   guint64            size,
                                                                   const char        *pattern);
/* Reads a command line, matches it against `pattern` and remembers its tag. */
void               heron_script_server_expect               (HeronScriptServer  *server,
                                                             const char         *pattern);
/* Reads a line that is not a command and matches it; the tags stay as they are. */
void               heron_script_server_expect_data          (HeronScriptServer  *server,
                                                             const char         *pattern);
/* Reads exactly `size` bytes (a literal; not a line). `expected` (nullable) is compared with
 * them as they stream in; NULL accepts any bytes. Nothing is held in memory. */
void               heron_script_server_expect_literal       (HeronScriptServer  *server,
                                                             guint64             size,
                                                             GBytes             *expected);
/* The server side of a TLS handshake on this connection, after a STARTTLS reply (see TLS). */
void               heron_script_server_start_tls            (HeronScriptServer  *server);
/* The same at the start of a connection (IMAPS, SMTPS): must be the connection's first step. */
void               heron_script_server_implicit_tls         (HeronScriptServer  *server);
/* A TLS handshake (as start_tls, or implicit if it is the connection's first step) that the
 * client must abort, e.g. because it rejects the certificate. The step fails if the handshake
 * succeeds. The connection is closed after it. */
void               heron_script_server_expect_tls_refused   (HeronScriptServer  *server);
/* Stalls for `ms` milliseconds: sends nothing, reads nothing. */
void               heron_script_server_sleep                (HeronScriptServer  *server,
                                                             guint               ms);
/* Closes gracefully: TLS close_notify if TLS is up, then FIN; bytes sent before arrive. */
void               heron_script_server_close                (HeronScriptServer  *server);
/* Closes abruptly, as a crashed server or a middlebox does: SO_LINGER 0, then close, so the
 * client gets a TCP RST (ECONNRESET, or end of file). No close_notify. Bytes still queued on
 * the server side may be lost, as in a real crash. */
void               heron_script_server_drop                 (HeronScriptServer  *server);
/* Shuts down the sending direction (TLS close_notify first if TLS is up, then FIN) and keeps
 * reading: the client sees end of file but may still send. */
void               heron_script_server_half_close           (HeronScriptServer  *server);
/* Waits until the client closes (end of file or a reset). Data instead fails the step. */
void               heron_script_server_expect_close         (HeronScriptServer  *server);
/* Closes the current connection (gracefully, unless a step already closed it); the following
 * steps run on the next connection accepted. */
void               heron_script_server_next_connection      (HeronScriptServer  *server);

/* Ends the script: no step can be appended after this. wait() and wait_async() call it. */
void               heron_script_server_end                  (HeronScriptServer  *server);

/* Ends the script and blocks the calling thread (without iterating any main context) until the
 * script has run to its end (TRUE) or failed (FALSE, error set, the transcript's last lines in
 * the message), or until `timeout_ms` has passed (0: no limit; FALSE with
 * HERON_SCRIPT_SERVER_ERROR_TIMEOUT naming the step the server is at). Can be called again. */
gboolean           heron_script_server_wait                 (HeronScriptServer  *server,
                                                             guint               timeout_ms,
                                                             GError            **error);
/* The same without blocking, for a test that runs its main loop until both the client and the
 * server are done. No time limit: bound the main loop yourself. */
void               heron_script_server_wait_async           (HeronScriptServer  *server,
                                                             GAsyncReadyCallback callback,
                                                             gpointer            user_data);
gboolean           heron_script_server_wait_finish          (GAsyncResult       *result,
                                                             GError            **error);

/* Everything so far (see The transcript); free with g_free(). Any thread. */
char              *heron_script_server_get_transcript       (HeronScriptServer  *server);
/* How many bytes start_tls() discarded, over all connections so far. */
guint64            heron_script_server_get_discarded_bytes  (HeronScriptServer  *server);
/* How many connections the server has accepted so far. */
guint              heron_script_server_get_connections      (HeronScriptServer  *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronScriptServer, heron_script_server_free)

G_END_DECLS
