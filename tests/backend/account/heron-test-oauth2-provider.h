/* heron-test-oauth2-provider.h: a HeronOAuth2Provider for tests, handing out the tokens the test
 * issued with the harness (heron_test_server_add_oauth_token())
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It belongs to the thread that made it: every call is expected there (the contract of
 * HeronOAuth2Provider); calls from other threads are counted, for the tests to assert none. It
 * answers asynchronously, from an idle source of the caller's context, as a real provider would.
 */

#pragma once

#include "account/heron-oauth2-provider.h"

G_BEGIN_DECLS

#define HERON_TEST_TYPE_OAUTH2_PROVIDER (heron_test_oauth2_provider_get_type ())

G_DECLARE_FINAL_TYPE (HeronTestOAuth2Provider, heron_test_oauth2_provider, HERON_TEST, OAUTH2_PROVIDER, GObject)

/* Without a token: every request fails with HERON_ACCOUNT_ERROR_NO_TOKEN. */
HeronTestOAuth2Provider *heron_test_oauth2_provider_new                (void);

/* The token it gives (NULL: none). */
void                     heron_test_oauth2_provider_set_token          (HeronTestOAuth2Provider *self,
                                                                        const char              *token);
/* What a request with force_refresh gets from then on (it becomes the token); NULL: a refresh
 * gives the same token again, as a provider whose grant was revoked would. */
void                     heron_test_oauth2_provider_set_refreshed_token (HeronTestOAuth2Provider *self,
                                                                         const char              *token);
/* The next n requests fail with error (a copy), whatever the token; 0 ends that. */
void                     heron_test_oauth2_provider_fail_next          (HeronTestOAuth2Provider *self,
                                                                        guint                    n,
                                                                        const GError            *error);

guint                    heron_test_oauth2_provider_get_n_requests     (HeronTestOAuth2Provider *self);
guint                    heron_test_oauth2_provider_get_n_refreshes    (HeronTestOAuth2Provider *self);
/* Requests made from a thread other than the one that created the provider. */
guint                    heron_test_oauth2_provider_get_n_wrong_thread (HeronTestOAuth2Provider *self);
const char              *heron_test_oauth2_provider_get_last_account_id (HeronTestOAuth2Provider *self);
const char              *heron_test_oauth2_provider_get_last_user      (HeronTestOAuth2Provider *self);

G_END_DECLS
