/* test-account-check-oauth.c: checking an account that signs in with OAuth2
 * (heron_account_check_oauth2_async())
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real Dovecot and Postfix of tests/servers, whose oauth2 passdb checks tokens with
 * the harness's introspection endpoint; the tokens come from a HeronOAuth2Provider made here.
 */

#include "config.h"

#include <string.h>

#include "account/heron-account.h"
#include "account/heron-account-check.h"
#include "heron-script-server.h"
#include "heron-test-oauth2-provider.h"
#include "heron-test-server.h"

#define ACCOUNT_ID "work-oauth"

static HeronTestServer *server;

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HeronAccountCheckResult *
check_oauth2 (HeronAccountConfig       *config,
              HeronTestOAuth2Provider  *provider,
              HeronAccountCheckFlags    flags,
              GAsyncResult            **out_result,
              GError                  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  HeronAccountCheckResult *found;

  heron_account_check_oauth2_async (config, HERON_OAUTH2_PROVIDER (provider), ACCOUNT_ID, flags,
                                    NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = heron_account_check_finish (result, error);
  if (error != NULL && *error != NULL)
    g_test_message ("check failed: %s", (*error)->message);
  if (out_result != NULL)
    *out_result = g_steal_pointer (&result);
  return found;
}

static void
set_server (HeronAccountServer *account_server,
            guint16             port,
            HeronAccountAuth    auth)
{
  heron_account_server_set_host (account_server, heron_test_server_get_host (server));
  heron_account_server_set_port (account_server, port);
  heron_account_server_set_security (account_server, HERON_ACCOUNT_SECURITY_TLS);
  heron_account_server_set_user (account_server, heron_test_server_get_user (server));
  heron_account_server_set_pinned_certificate_file (account_server, heron_test_server_get_ca_file (server));
  heron_account_server_set_auth (account_server, auth);
}

/* The harness's servers over implicit TLS, both with auth. */
static HeronAccountConfig *
oauth_config (HeronAccountAuth auth)
{
  HeronAccountConfig *config = heron_account_config_new ();

  set_server (heron_account_config_get_imap (config), heron_test_server_get_imaps_port (server), auth);
  set_server (heron_account_config_get_smtp (config), heron_test_server_get_smtps_port (server), auth);
  return config;
}

static char *
issue_token (void)
{
  g_autoptr(GError) error = NULL;
  char *token = heron_test_server_add_oauth_token (server, heron_test_server_get_user (server), NULL, &error);

  g_assert_no_error (error);
  return token;
}

static void
revoke_token (const char *token)
{
  g_autoptr(GError) error = NULL;

  heron_test_server_revoke_oauth_token (server, token, &error);
  g_assert_no_error (error);
}

/* A good token: IMAP logs in and lists, SMTP authenticates; the provider is asked for the
 * account's id and user on this thread. */
static void
test_success (gconstpointer data)
{
  HeronAccountAuth auth = GPOINTER_TO_INT (data);
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronAccountConfig) config = oauth_config (auth);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = issue_token ();

  heron_test_oauth2_provider_set_token (provider, token);
  found = check_oauth2 (config, provider, HERON_ACCOUNT_CHECK_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpuint (found->n_folders, >=, 6);
  g_assert_true (g_strv_contains ((const char * const *) found->imap_capabilities, "IMAP4REV1"));
  g_assert_nonnull (found->smtp_extensions);

  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 2);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 0);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);
  g_assert_cmpstr (heron_test_oauth2_provider_get_last_account_id (provider), ==, ACCOUNT_ID);
  g_assert_cmpstr (heron_test_oauth2_provider_get_last_user (provider), ==, heron_test_server_get_user (server));
  /* IMAP and SMTP both showed the token to the server. */
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 2);
}

/* The token was revoked; the provider's fresh one is good: the check passes with one refresh. */
static void
test_refresh (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronAccountConfig) config = oauth_config (HERON_ACCOUNT_AUTH_XOAUTH2);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old = issue_token ();
  g_autofree char *fresh = issue_token ();

  revoke_token (old);
  heron_test_oauth2_provider_set_token (provider, old);
  heron_test_oauth2_provider_set_refreshed_token (provider, fresh);
  found = check_oauth2 (config, provider, HERON_ACCOUNT_CHECK_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, old), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, fresh), ==, 2);
}

/* No token: NO_TOKEN with the provider's reason, nothing shown to the server. */
static void
test_no_token (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronAccountConfig) config = oauth_config (HERON_ACCOUNT_AUTH_XOAUTH2);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint introspections = heron_test_server_get_oauth_introspections (server, NULL);

  found = check_oauth2 (config, provider, HERON_ACCOUNT_CHECK_NONE, &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
  g_assert_nonnull (strstr (error->message, "No OAuth2 access token for alice@example.test"));
  g_assert_nonnull (strstr (error->message, "The test provider has no token"));
  g_assert_cmpint (heron_account_check_get_failed_protocol (result), ==, HERON_ACCOUNT_PROTOCOL_IMAP);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, NULL), ==, introspections);
}

/* The server refuses the token and the refreshed one: AUTH_FAILED, named as a token refusal,
 * for the server that refused it (IMAP; SMTP when IMAP is skipped). */
static void
test_token_refused (gconstpointer data)
{
  HeronAccountProtocol protocol = GPOINTER_TO_INT (data);
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronAccountConfig) config = oauth_config (HERON_ACCOUNT_AUTH_XOAUTH2);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = issue_token ();

  revoke_token (token);
  heron_test_oauth2_provider_set_token (provider, token);
  found = check_oauth2 (config, provider,
                        protocol == HERON_ACCOUNT_PROTOCOL_SMTP ? HERON_ACCOUNT_CHECK_SKIP_IMAP
                                                                : HERON_ACCOUNT_CHECK_NONE,
                        &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "did not accept the OAuth2 access token for alice@example.test"));
  g_assert_null (strstr (error->message, token));
  g_assert_cmpint (heron_account_check_get_failed_protocol (result), ==, protocol);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 2);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 2);
}

/* Each variant for its own kind of account: a clear INVALID otherwise, before any connection. */
static void
test_wrong_variant (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronAccountConfig) oauth = oauth_config (HERON_ACCOUNT_AUTH_XOAUTH2);
  g_autoptr(HeronAccountConfig) password = oauth_config (HERON_ACCOUNT_AUTH_PASSWORD);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountCheckResult *found;

  heron_account_check_async (oauth, "a password", HERON_ACCOUNT_CHECK_NONE, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = heron_account_check_finish (result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "OAuth2"));
  g_clear_error (&error);

  found = check_oauth2 (password, provider, HERON_ACCOUNT_CHECK_NONE, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 0);
}

/* IMAP over implicit TLS to a scripted server (tests/servers/script): the harness's Dovecot
 * offers both OAuth2 mechanisms, a server offering one or none has to be played. */
static HeronAccountConfig *
script_config (HeronScriptServer *imap,
               HeronAccountAuth   auth)
{
  HeronAccountConfig *config = heron_account_config_new ();
  HeronAccountServer *account_server = heron_account_config_get_imap (config);

  heron_account_server_set_host (account_server, heron_script_server_get_host (imap));
  heron_account_server_set_port (account_server, heron_script_server_get_port (imap));
  heron_account_server_set_security (account_server, HERON_ACCOUNT_SECURITY_TLS);
  heron_account_server_set_user (account_server, "alice@example.test");
  heron_account_server_set_pinned_certificate_file (account_server,
                                                    heron_script_server_get_certificate_file (imap));
  heron_account_server_set_auth (account_server, auth);
  return config;
}

/* An account whose mechanism the server lacks, while it offers the other one: the check signs in
 * with the other one on a second connection (XOAUTH2 -> OAUTHBEARER and the reverse). */
static void
test_fallback (gconstpointer data)
{
  HeronAccountAuth auth = GPOINTER_TO_INT (data);
  const char *other = auth == HERON_ACCOUNT_AUTH_XOAUTH2 ? "OAUTHBEARER" : "XOAUTH2";
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronScriptServer) imap = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *authenticate = NULL;
  g_autofree char *transcript = NULL;

  imap = heron_script_server_new (&error);
  g_assert_no_error (error);
  greeting = g_strdup_printf ("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=%s] ready\r\n", other);
  authenticate = g_strdup_printf ("* AUTHENTICATE %s *", other);
  /* the account's mechanism is missing: the client gives up this connection */
  heron_script_server_implicit_tls (imap);
  heron_script_server_send (imap, greeting);
  heron_script_server_expect_close (imap);
  heron_script_server_next_connection (imap);
  heron_script_server_implicit_tls (imap);
  heron_script_server_send (imap, greeting);
  heron_script_server_expect (imap, authenticate);
  heron_script_server_send (imap, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  heron_script_server_expect (imap, "* LIST *");
  heron_script_server_send (imap, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n$TAG OK List done\r\n");
  heron_script_server_expect (imap, "* LOGOUT");
  heron_script_server_send (imap, "* BYE Bye\r\n$TAG OK Logout done\r\n");
  heron_script_server_close (imap);

  config = script_config (imap, auth);
  heron_test_oauth2_provider_set_token (provider, "fallback-token");
  found = check_oauth2 (config, provider, HERON_ACCOUNT_CHECK_SKIP_SMTP, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpuint (found->n_folders, ==, 1);
  g_assert_true (heron_script_server_wait (imap, 10000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (imap), ==, 2);
  transcript = heron_script_server_get_transcript (imap);
  g_free (authenticate);
  authenticate = g_strdup_printf ("AUTHENTICATE %s ", other);
  g_assert_nonnull (strstr (transcript, authenticate));
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);
}

/* A server that offers neither mechanism: a clear error after one connection, no token asked. */
static void
test_neither_mechanism (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronScriptServer) imap = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  imap = heron_script_server_new (&error);
  g_assert_no_error (error);
  heron_script_server_implicit_tls (imap);
  heron_script_server_send (imap, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
  heron_script_server_expect_close (imap);

  config = script_config (imap, HERON_ACCOUNT_AUTH_XOAUTH2);
  heron_test_oauth2_provider_set_token (provider, "unused-token");
  found = check_oauth2 (config, provider, HERON_ACCOUNT_CHECK_SKIP_SMTP, &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "offers neither XOAUTH2 nor OAUTHBEARER"));
  g_assert_cmpint (heron_account_check_get_failed_protocol (result), ==, HERON_ACCOUNT_PROTOCOL_IMAP);
  g_clear_error (&error);
  g_assert_true (heron_script_server_wait (imap, 10000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (imap), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = heron_test_server_new (&error);
  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);

  g_test_add_data_func ("/heron/account/check-oauth/xoauth2", GINT_TO_POINTER (HERON_ACCOUNT_AUTH_XOAUTH2), test_success);
  g_test_add_data_func ("/heron/account/check-oauth/oauthbearer", GINT_TO_POINTER (HERON_ACCOUNT_AUTH_OAUTHBEARER), test_success);
  g_test_add_func ("/heron/account/check-oauth/refresh", test_refresh);
  g_test_add_func ("/heron/account/check-oauth/no-token", test_no_token);
  g_test_add_data_func ("/heron/account/check-oauth/token-refused-imap", GINT_TO_POINTER (HERON_ACCOUNT_PROTOCOL_IMAP), test_token_refused);
  g_test_add_data_func ("/heron/account/check-oauth/token-refused-smtp", GINT_TO_POINTER (HERON_ACCOUNT_PROTOCOL_SMTP), test_token_refused);
  g_test_add_func ("/heron/account/check-oauth/wrong-variant", test_wrong_variant);
  g_test_add_data_func ("/heron/account/check-oauth/fallback-to-oauthbearer", GINT_TO_POINTER (HERON_ACCOUNT_AUTH_XOAUTH2), test_fallback);
  g_test_add_data_func ("/heron/account/check-oauth/fallback-to-xoauth2", GINT_TO_POINTER (HERON_ACCOUNT_AUTH_OAUTHBEARER), test_fallback);
  g_test_add_func ("/heron/account/check-oauth/neither-mechanism", test_neither_mechanism);

  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
