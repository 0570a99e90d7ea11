/* heron-test-server.h: a real Dovecot and a real Postfix on loopback, in a temporary directory,
 * for integration tests, benchmarks and the demo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * heron_test_server_new() starts, on free 127.0.0.1 ports:
 *   - Dovecot 2.3: IMAP with STARTTLS, IMAP over implicit TLS, LMTP, and a SASL auth listener;
 *     users from a passwd-file, Maildir storage, hierarchy separator "/", the special-use folders
 *     Drafts Sent Trash Junk Archive created and subscribed automatically. It runs as two
 *     instances on the same users and mail: one for IMAP, one for LMTP, SASL and doveadm;
 *   - Postfix: submission with STARTTLS (TLS required before AUTH) and over implicit TLS, SMTP
 *     AUTH through Dovecot, delivery for the domain example.test into Dovecot over LMTP. A
 *     recipient in any other domain is rejected at RCPT ("Relay access denied"); nothing leaves
 *     the machine.
 * Both use a self-signed certificate for CN=localhost, IP:127.0.0.1, DNS:localhost, made at start.
 * Plain-text login is disabled except where Dovecot itself allows it: on a connection whose
 * remote address equals its local address (a client on 127.0.0.1 to the listener on 127.0.0.1).
 *
 * Every function is synchronous and meant for the thread that created the server (normally the
 * main thread of a test). Keep that thread alive while the server runs: the server processes
 * get SIGTERM when the thread that started them exits (PR_SET_PDEATHSIG).
 *
 * Cleanup: heron_test_server_free() stops everything and removes the directory. If the process
 * dies instead (a failed assertion, a signal, kill -9), a guardian process started with the
 * server notices within milliseconds, kills the servers' process groups and removes the
 * directory. Set HERON_TEST_SERVER_KEEP=1 in the environment to keep the directory for a post
 * mortem (the servers are stopped either way).
 *
 * Mailbox names are UTF-8 with "/" as the separator ("Lists/GNOME"). "user" is a full address
 * such as "alice@example.test".
 */

#pragma once

#include <gio/gio.h>

#include "heron-seed.h"

G_BEGIN_DECLS

#define HERON_TEST_SERVER_DOMAIN "example.test"
#define HERON_TEST_SERVER_DEFAULT_USER "alice@" HERON_TEST_SERVER_DOMAIN

#define HERON_TEST_SERVER_ERROR (heron_test_server_error_quark ())

typedef enum {
  HERON_TEST_SERVER_ERROR_FAILED,       /* anything else */
  HERON_TEST_SERVER_ERROR_NOT_INSTALLED,/* dovecot, doveadm, postfix or openssl is missing */
  HERON_TEST_SERVER_ERROR_START,        /* a server did not start; the message has its log */
  HERON_TEST_SERVER_ERROR_COMMAND,      /* doveadm or openssl failed; the message has its stderr */
  HERON_TEST_SERVER_ERROR_NOT_FOUND,    /* no such user, mailbox or UID */
  HERON_TEST_SERVER_ERROR_TIMEOUT,      /* a wait ran out of time */
  HERON_TEST_SERVER_ERROR_REJECTED,     /* LMTP refused the message */
} HeronTestServerError;

typedef enum {
  HERON_TEST_SERVER_FLAGS_NONE    = 0,
  /* Start Dovecot only. Postfix refuses to run unless started by root, so a non-root user
   * needs this; heron_test_server_new() fails for non-root with an error that says so. */
  HERON_TEST_SERVER_FLAGS_NO_SMTP = 1 << 0,
} HeronTestServerFlags;

typedef struct {
  guint   messages;
  guint   unseen;
  guint32 uidvalidity;
  guint32 uidnext;
  guint64 highestmodseq;
} HeronTestMailboxStatus;

typedef struct _HeronTestServer HeronTestServer;

GQuark            heron_test_server_error_quark        (void);

/* Starts Dovecot and Postfix with one user, alice@example.test, with a random password. */
HeronTestServer  *heron_test_server_new                (GError              **error);
HeronTestServer  *heron_test_server_new_full           (HeronTestServerFlags  flags,
                                                        GError              **error);
/* Stops the servers, removes the directory (unless HERON_TEST_SERVER_KEEP=1) and frees. */
void              heron_test_server_free               (HeronTestServer      *server);

/* Where to connect: always "127.0.0.1". */
const char       *heron_test_server_get_host           (HeronTestServer      *server);
guint16           heron_test_server_get_imap_port      (HeronTestServer      *server); /* STARTTLS */
guint16           heron_test_server_get_imaps_port     (HeronTestServer      *server); /* implicit TLS */
guint16           heron_test_server_get_smtp_port      (HeronTestServer      *server); /* STARTTLS submission; 0 without SMTP */
guint16           heron_test_server_get_smtps_port     (HeronTestServer      *server); /* implicit TLS submission; 0 without SMTP */
guint16           heron_test_server_get_lmtp_port      (HeronTestServer      *server); /* plain LMTP into Dovecot */
/* The default user and its password. */
const char       *heron_test_server_get_user           (HeronTestServer      *server);
const char       *heron_test_server_get_password       (HeronTestServer      *server);
/* The password of any user added so far, or NULL. */
const char       *heron_test_server_get_user_password  (HeronTestServer      *server,
                                                        const char           *user);
/* The self-signed certificate (PEM) both servers present; use it as the only trust anchor. */
const char       *heron_test_server_get_ca_file        (HeronTestServer      *server);
GTlsCertificate  *heron_test_server_get_certificate    (HeronTestServer      *server);
/* The temporary directory holding configuration, logs and mail. */
const char       *heron_test_server_get_dir            (HeronTestServer      *server);
/* For running doveadm or doveconf by hand: doveadm -c <this> ... */
const char       *heron_test_server_get_dovecot_config (HeronTestServer      *server);
/* The end (up to max_bytes, 0 for 8 KiB) of Dovecot's and Postfix's logs, for a failure message. */
char             *heron_test_server_dup_logs           (HeronTestServer      *server,
                                                        gsize                 max_bytes);

/* Adds a user such as "bob@example.test"; password NULL makes a random one. The user can log in
 * and receive mail at once, also while the servers run. */
gboolean          heron_test_server_add_user           (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *password,
                                                        GError              **error);

/* OAuth2. Besides passwords, Dovecot takes AUTHENTICATE XOAUTH2 and OAUTHBEARER (IMAP, and SMTP
 * AUTH through Postfix, which asks Dovecot) with an access token, which its oauth2 passdb checks
 * with the harness's token introspection endpoint (RFC 7662, on loopback, answered from a table
 * in this process, on a thread of its own). A token is good for the user it was issued to, until
 * it is revoked; an expired token looks the same to the server (introspection answers
 * "active": false). Nothing is cached: every login asks the endpoint again.
 *
 * Issues a token for an existing user: token (nullable: a random one, "heron-test-token-...")
 * is letters, digits and "-._~+/=". Returns the token (free it), or NULL with error
 * (HERON_TEST_SERVER_ERROR_NOT_FOUND for an unknown user). */
char             *heron_test_server_add_oauth_token    (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *token,
                                                        GError              **error);
/* From now on the server refuses the token (HERON_TEST_SERVER_ERROR_NOT_FOUND if it was never
 * issued). */
gboolean          heron_test_server_revoke_oauth_token (HeronTestServer      *server,
                                                        const char           *token,
                                                        GError              **error);
/* How often the server asked the introspection endpoint about token (NULL: about any token,
 * issued or not). Each OAuth login attempt costs one. */
guint             heron_test_server_get_oauth_introspections (HeronTestServer *server,
                                                              const char      *token);

/* "Server down": stop and start again on the same ports with the same data. Stopping is abrupt
 * (the process group is killed, open connections drop), as a crash would look to a client.
 * IMAP and IMAPS go down together; mail keeps arriving meanwhile (LMTP, SMTP AUTH and the
 * helpers below are served by a second Dovecot instance that stays up). */
gboolean          heron_test_server_stop_imap          (HeronTestServer      *server,
                                                        GError              **error);
gboolean          heron_test_server_start_imap         (HeronTestServer      *server,
                                                        GError              **error);
gboolean          heron_test_server_stop_smtp          (HeronTestServer      *server,
                                                        GError              **error);
gboolean          heron_test_server_start_smtp         (HeronTestServer      *server,
                                                        GError              **error);
gboolean          heron_test_server_is_imap_running    (HeronTestServer      *server);
gboolean          heron_test_server_is_smtp_running    (HeronTestServer      *server);

/* Changing a mailbox behind the client's back, as another device would (through doveadm; a
 * client with the mailbox selected sees the change, in IDLE too). These work while IMAP is
 * stopped. "flags" is a space-separated list: "\\Seen \\Flagged $Label1".
 * A missing mailbox or UID is HERON_TEST_SERVER_ERROR_NOT_FOUND. */
gboolean          heron_test_server_set_flags          (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        guint32               uid,
                                                        const char           *flags,
                                                        GError              **error);
gboolean          heron_test_server_add_flags          (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        guint32               uid,
                                                        const char           *flags,
                                                        GError              **error);
gboolean          heron_test_server_remove_flags       (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        guint32               uid,
                                                        const char           *flags,
                                                        GError              **error);
gboolean          heron_test_server_expunge            (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        guint32               uid,
                                                        GError              **error);
/* Moves one message; out_new_uid (nullable) receives its UID in the destination. */
gboolean          heron_test_server_move               (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        guint32               uid,
                                                        const char           *destination,
                                                        guint32              *out_new_uid,
                                                        GError              **error);
/* Saves a message (raw RFC 5322 bytes) into any mailbox with `flags` (nullable) and returns its
 * UID, or 0 with error set. */
guint32           heron_test_server_deliver            (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        GBytes               *message,
                                                        const char           *flags,
                                                        GError              **error);
/* Delivers a message to the recipient's INBOX over LMTP, as Postfix does. */
gboolean          heron_test_server_deliver_lmtp       (HeronTestServer      *server,
                                                        const char           *recipient,
                                                        GBytes               *message,
                                                        GError              **error);
gboolean          heron_test_server_create_mailbox     (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        GError              **error);
gboolean          heron_test_server_rename_mailbox     (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        const char           *new_name,
                                                        GError              **error);
gboolean          heron_test_server_delete_mailbox     (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        GError              **error);

/* Reading back, for assertions. */
/* The flags of one message, without the session flag \Recent; NULL with error if missing. */
GStrv             heron_test_server_get_flags          (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        guint32               uid,
                                                        GError              **error);
/* The UIDs of a mailbox, ascending, as a GArray of guint32. */
GArray           *heron_test_server_list_uids          (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        GError              **error);
/* Every mailbox of the user, in Dovecot's order. */
GStrv             heron_test_server_list_mailboxes     (HeronTestServer      *server,
                                                        const char           *user,
                                                        GError              **error);
gboolean          heron_test_server_get_status         (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        HeronTestMailboxStatus *out_status,
                                                        GError              **error);
/* The UID of the message whose Message-ID header contains message_id (with or without angle
 * brackets), or 0 (without error) if there is none. */
guint32           heron_test_server_find_message       (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        const char           *message_id,
                                                        GError              **error);
/* The same, waiting up to timeout_ms for the message to arrive (HERON_TEST_SERVER_ERROR_TIMEOUT). */
guint32           heron_test_server_wait_for_message   (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        const char           *message_id,
                                                        guint                 timeout_ms,
                                                        GError              **error);

/* Writes spec->count messages of the seed corpus straight into the mailbox's Maildir (creating
 * the mailbox if needed) and makes Dovecot index them; UIDs follow the messages' dates. Fast
 * enough for 100,000 messages (about half a minute). spec->owner_address NULL means `user`.
 * Seed before a client opens the mailbox: a sync in the middle numbers what it finds first. */
gboolean          heron_test_server_seed               (HeronTestServer      *server,
                                                        const char           *user,
                                                        const char           *mailbox,
                                                        const HeronSeedSpec  *spec,
                                                        GError              **error);

/* Runs "doveadm -c <config> [-f tab] argv..." and returns its stdout; for what the helpers do
 * not cover. */
gboolean          heron_test_server_doveadm            (HeronTestServer      *server,
                                                        const char * const   *argv,
                                                        char                **out_stdout,
                                                        GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronTestServer, heron_test_server_free)

G_END_DECLS
