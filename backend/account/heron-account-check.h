/* heron-account-check.h: trying an account's servers before it is saved
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * heron_account_check_async() does what the account will do, once, and says in words a person
 * understands what went wrong: it connects to the IMAP server with the account's security and
 * pinned certificate, logs in, lists the folders and logs out; then it connects to the SMTP
 * server, says EHLO, authenticates and says QUIT (heron_smtp_client_check_async()).
 *
 * There is no certificate decision callback: a certificate that does not verify (or is not the
 * pinned one) fails the check with HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED, whose message
 * holds the reason and the SHA-256 fingerprint. heron_account_check_get_peer_certificate() gives
 * the certificate, so the UI can offer to pin it (heron_account_server_set_pinned_certificate_pem())
 * and check again.
 *
 * Failures are HERON_ACCOUNT_ERROR codes: HOST_NOT_FOUND, CONNECTION_REFUSED,
 * CERTIFICATE_UNTRUSTED, AUTH_FAILED, APP_PASSWORD_REQUIRED, TIMEOUT, INVALID (the settings do
 * not validate) and FAILED for anything else (with the server's or the system's words);
 * G_IO_ERROR_CANCELLED when cancelled. heron_account_check_get_failed_protocol() says which
 * server failed.
 *
 * Threads: the callback comes on the thread-default main context of the caller, which must be
 * iterated while the check runs. Nothing blocks.
 */

#pragma once

#include <gio/gio.h>

#include "heron-account-config.h"
#include "heron-account-types.h"
#include "heron-oauth2-provider.h"

G_BEGIN_DECLS

typedef enum {
  HERON_ACCOUNT_CHECK_NONE      = 0,
  HERON_ACCOUNT_CHECK_SKIP_IMAP = 1 << 0, /* do not try the IMAP server */
  HERON_ACCOUNT_CHECK_SKIP_SMTP = 1 << 1, /* do not try the SMTP server */
} HeronAccountCheckFlags;

/* What a successful check found. */
typedef struct {
  guint n_folders;          /* the mailboxes LIST "" "*" returned (0 when IMAP was skipped) */
  GStrv imap_capabilities;  /* after login, upper-case, in the server's order; NULL when skipped */
  GStrv smtp_extensions;    /* after TLS and AUTH ("PIPELINING", "SIZE 10240000", ...); NULL when
                             * skipped */
} HeronAccountCheckResult;

void heron_account_check_result_free (HeronAccountCheckResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronAccountCheckResult, heron_account_check_result_free)

/* password: for the IMAP and the SMTP login (the account's user names); the servers checked must
 * use HERON_ACCOUNT_AUTH_PASSWORD (else HERON_ACCOUNT_ERROR_INVALID). config is copied: later edits do not change a running check. */
void                     heron_account_check_async    (HeronAccountConfig     *config,
                                                       const char             *password,
                                                       HeronAccountCheckFlags  flags,
                                                       GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
/* The same for an account that signs in with OAuth2 (XOAUTH2 or OAUTHBEARER on every server
 * checked): the tokens come from provider, asked on the caller's thread for account_id
 * (nullable: the provider then goes by the servers' user names) and each server's user; a
 * refused token is asked for again once with force_refresh. Besides the failures above:
 * HERON_ACCOUNT_ERROR_NO_TOKEN when the provider has no token (its reason in the message), and
 * HERON_ACCOUNT_ERROR_AUTH_FAILED when the server refused the token and the fresh one. An IMAP
 * server that lacks the account's mechanism is tried with the other one, as the account's worker
 * does. Finish with heron_account_check_finish(); the getters below work for both. */
void                     heron_account_check_oauth2_async (HeronAccountConfig     *config,
                                                           HeronOAuth2Provider    *provider,
                                                           const char             *account_id,
                                                           HeronAccountCheckFlags  flags,
                                                           GCancellable           *cancellable,
                                                           GAsyncReadyCallback     callback,
                                                           gpointer                user_data);
HeronAccountCheckResult *heron_account_check_finish   (GAsyncResult           *result,
                                                       GError                **error);

/* After the check finished, successfully or not: the certificate the server that failed (or,
 * on success, the IMAP server) presented, and what was wrong with it (0: it verified or was
 * pinned); NULL and 0 before any handshake. Valid as long as result. */
GTlsCertificate         *heron_account_check_get_peer_certificate   (GAsyncResult *result);
GTlsCertificateFlags     heron_account_check_get_certificate_errors (GAsyncResult *result);
/* Which server the failure came from (IMAP when the check succeeded). */
HeronAccountProtocol     heron_account_check_get_failed_protocol    (GAsyncResult *result);

G_END_DECLS
