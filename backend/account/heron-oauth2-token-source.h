/* heron-oauth2-token-source.h: an account's OAuth2 provider as the token provider of the IMAP and
 * SMTP engines
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engines ask a HeronImapTokenProvider for a user's token on the thread they run on (an
 * account's worker, or whoever checks an account). A HeronOAuth2Provider wants the account id as
 * well, and belongs to the thread that made it (GNOME Online Accounts' proxies: the main
 * thread). A HeronOAuth2TokenSource bridges the two: it implements HeronImapTokenProvider, hands
 * each request to the provider's GMainContext, asks the provider there (force_refresh when the
 * engine asks again after the server refused a token), and completes the request on the asking
 * thread's thread-default context.
 *
 * Cancelling a request completes it at once with G_IO_ERROR_CANCELLED; the provider's late
 * answer is wiped and dropped. So a worker that is being stopped never waits for the provider's
 * thread, which may be the very thread waiting for the worker to end.
 *
 * The provider's errors are passed on unchanged (HERON_ACCOUNT_ERROR_NO_TOKEN when it has no
 * token). The engines wrap them into their own authentication errors; to tell "no token" from
 * "the server refused the token" afterwards, heron_oauth2_token_source_dup_error() keeps the
 * provider's error of the last request that failed. One source serves many connections (the
 * IMAP sessions, the SMTP sender): each connection asks through its own scope
 * (heron_oauth2_token_source_new_scope()), whose error is its own requests' only.
 * heron_oauth2_token_source_error_is_transient() tells a provider that could not be reached
 * (try again later) from one that has no token to give.
 *
 * Tokens are secrets: never logged, wiped when dropped.
 */

#pragma once

#include <gio/gio.h>

#include "heron-oauth2-provider.h"

G_BEGIN_DECLS

#define HERON_TYPE_OAUTH2_TOKEN_SOURCE (heron_oauth2_token_source_get_type ())

G_DECLARE_FINAL_TYPE (HeronOAuth2TokenSource, heron_oauth2_token_source, HERON, OAUTH2_TOKEN_SOURCE, GObject)

/* provider_context: the context the provider is called on (NULL: the caller's thread-default
 * context). The last reference to the provider is dropped there too. */
HeronOAuth2TokenSource *heron_oauth2_token_source_new        (HeronOAuth2Provider    *provider,
                                                              const char             *account_id,
                                                              GMainContext           *provider_context);

/* A source asking the same provider on the same context, keeping the error of its own requests
 * only: one per connection (any thread). */
HeronOAuth2TokenSource *heron_oauth2_token_source_new_scope  (HeronOAuth2TokenSource *self);

HeronOAuth2Provider    *heron_oauth2_token_source_get_provider (HeronOAuth2TokenSource *self);

/* Any thread: the provider's error of the last request that failed, or NULL when the last
 * request got a token (or none was made). */
GError                 *heron_oauth2_token_source_dup_error  (HeronOAuth2TokenSource *self);

/* Whether a provider's error says it could not be reached or answer now (the network, a
 * timeout, D-Bus giving no reply): asking again later may work. FALSE for NULL and for "no
 * token" (HERON_ACCOUNT_ERROR_NO_TOKEN, GOA's "sign in again"). */
gboolean                heron_oauth2_token_source_error_is_transient (const GError *error);

G_END_DECLS
