/* test-sync-oauth.c: an account that logs in with OAuth2 (XOAUTH2) to the real Dovecot and
 * Postfix of tests/servers, whose oauth2 passdb checks tokens with the harness's introspection
 * endpoint; the tokens come from a HeronOAuth2Provider made here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "account/heron-account-error.h"
#include "account/heron-oauth2-token-source.h"
#include "heron-script-server.h"
#include "heron-test-oauth2-provider.h"
#include "imap/heron-imap-sasl.h"
#include "smtp/heron-smtp-error.h"
#include "sync-test-util.h"

static HeronTestServer *server;
static char *tmpdir;

static char *
issue_token (const char *user)
{
  g_autoptr(GError) error = NULL;
  char *token = heron_test_server_add_oauth_token (server, user, NULL, &error);

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

/* An account whose IMAP (and SMTP, with Postfix) logs in with XOAUTH2, no password anywhere. */
static void
fixture_start (SyncTestFixture         *fixture,
               HeronTestOAuth2Provider *provider,
               gboolean                 idle)
{
  g_autoptr(HeronAccountConfig) config = sync_test_fixture_config (fixture);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);
  HeronAccountWorkerOptions options;

  heron_account_server_set_auth (heron_account_config_get_imap (config), HERON_ACCOUNT_AUTH_XOAUTH2);
  sync_test_set_server (smtp, heron_test_server_get_host (server),
                        heron_test_server_get_smtp_port (server),
                        heron_test_server_get_ca_file (server), fixture->user);
  heron_account_server_set_auth (smtp, HERON_ACCOUNT_AUTH_XOAUTH2);

  sync_test_options_init (&options, fixture->store_path, NULL);
  options.oauth2_provider = HERON_OAUTH2_PROVIDER (provider);
  options.idle = idle;
  sync_test_fixture_start (fixture, config, &options);
}

static guint
count_errors (SyncTestFixture *fixture)
{
  guint n = 0;

  for (guint i = 0; i < fixture->events->len; i++)
    n += ((HeronSyncEvent *) g_ptr_array_index (fixture->events, i))->kind == HERON_SYNC_EVENT_ERROR;
  return n;
}

/* Longer than several back-off periods (200 ms, up to 1 s): shows that nobody tries again. */
static void
let_time_pass (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, sync_test_on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

/* A good token: the account logs in (the command and the IDLE connection), syncs, and its
 * provider is only asked on the thread that made the worker. */
static void
test_token (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autofree char *token = NULL;
  SyncTestFixture fixture;

  sync_test_fixture_init (&fixture, server, tmpdir, "good");
  token = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, token);
  sync_test_deliver (&fixture, "INBOX", "Before the first login", NULL);

  fixture_start (&fixture, provider, TRUE);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "INBOX");

  /* IDLE's connection logs in with a token too: a new message arrives by itself. */
  sync_test_deliver (&fixture, "INBOX", "While idling", NULL);
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_MESSAGES_ADDED, "INBOX", 0, SYNC_TEST_WAIT_MS);

  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), >=, 2);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 0);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);
  g_assert_cmpstr (heron_test_oauth2_provider_get_last_user (provider), ==, fixture.user);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==,
                    heron_test_oauth2_provider_get_n_requests (provider));
  g_assert_cmpuint (count_errors (&fixture), ==, 0);

  sync_test_fixture_clear (&fixture);
}

/* The token is revoked on the server while the account is online; the connections drop. The
 * next login is refused, the worker asks the provider again with force_refresh, gets a new token,
 * and the sync goes on. */
static void
test_refresh (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  SyncTestFixture fixture;
  guint attempts, mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "refresh");
  first = issue_token (fixture.user);
  second = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, first);

  fixture_start (&fixture, provider, FALSE);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "INBOX");
  attempts = heron_account_worker_get_n_login_attempts (fixture.worker);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 0);

  revoke_token (first);
  heron_test_oauth2_provider_set_refreshed_token (provider, second);
  mark = fixture.events->len;
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_OFFLINE, mark, SYNC_TEST_WAIT_MS);
  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
  mark = fixture.events->len;
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_ONLINE, mark, SYNC_TEST_WAIT_MS);

  /* One refresh, within one login: the refused token, then the new one, on one connection. */
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, second), >=, 1);
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), >, attempts);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);

  /* The sync continues. */
  sync_test_deliver (&fixture, "INBOX", "After the refresh", NULL);
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_assert_store_equals_server (&fixture, "INBOX");
  g_assert_cmpint (heron_account_worker_get_state (fixture.worker), ==, HERON_SYNC_STATE_ONLINE);
  for (guint i = 0; i < fixture.events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture.events, i);
      g_assert_false (event->kind == HERON_SYNC_EVENT_ERROR &&
                      g_error_matches (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH));
    }

  sync_test_fixture_clear (&fixture);
}

/* The server refuses the token and the refreshed one: AUTH_FAILED after one login attempt with
 * two tokens, one error event, and no retry loop. */
static void
test_refused (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autofree char *token = NULL;
  SyncTestFixture fixture;
  HeronSyncEvent *event;

  sync_test_fixture_init (&fixture, server, tmpdir, "refused");
  token = issue_token (fixture.user);
  revoke_token (token);
  heron_test_oauth2_provider_set_token (provider, token);

  fixture_start (&fixture, provider, TRUE);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, SYNC_TEST_WAIT_MS);
  g_assert_error (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (event->error->message, "refused the OAuth2 access token"));
  g_assert_null (strstr (event->error->message, token));

  let_time_pass (3000);
  g_assert_cmpint (heron_account_worker_get_state (fixture.worker), ==, HERON_SYNC_STATE_AUTH_FAILED);
  g_assert_cmpuint (count_errors (&fixture), ==, 1);
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 2);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 2);

  /* "Try again" once the person fixed it (here: the provider has a good token now). */
  {
    g_autofree char *good = issue_token (fixture.user);

    heron_test_oauth2_provider_set_token (provider, good);
    heron_account_worker_retry_login (fixture.worker, NULL);
    sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online after retry");
  }

  sync_test_fixture_clear (&fixture);
}

/* The provider has no token: AUTH_FAILED at once, with the provider's reason, one attempt, and
 * the server never asked. */
static void
test_no_token (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  SyncTestFixture fixture;
  HeronSyncEvent *event;
  guint introspections = heron_test_server_get_oauth_introspections (server, NULL);

  sync_test_fixture_init (&fixture, server, tmpdir, "notoken");
  fixture_start (&fixture, provider, TRUE);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, SYNC_TEST_WAIT_MS);
  g_assert_error (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (event->error->message, "No OAuth2 access token for notoken@example.test"));
  g_assert_nonnull (strstr (event->error->message, "The test provider has no token"));

  let_time_pass (3000);
  g_assert_cmpint (heron_account_worker_get_state (fixture.worker), ==, HERON_SYNC_STATE_AUTH_FAILED);
  g_assert_cmpuint (count_errors (&fixture), ==, 1);
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, NULL), ==, introspections);

  sync_test_fixture_clear (&fixture);
}

/* An OAuth2 account without a provider at all (GNOME Online Accounts missing): AUTH_FAILED with
 * a reason, no connection made. */
static void
test_no_provider (void)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  HeronAccountWorkerOptions options;
  SyncTestFixture fixture;
  HeronSyncEvent *event;

  sync_test_fixture_init (&fixture, server, tmpdir, "noprovider");
  config = sync_test_fixture_config (&fixture);
  heron_account_server_set_auth (heron_account_config_get_imap (config), HERON_ACCOUNT_AUTH_OAUTHBEARER);
  sync_test_options_init (&options, fixture.store_path, NULL);
  sync_test_fixture_start (&fixture, config, &options);

  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, SYNC_TEST_WAIT_MS);
  g_assert_error (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (event->error->message, "no OAuth2 provider"));
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_AUTH_FAILED, SYNC_TEST_WAIT_MS, "auth failed");
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), ==, 0);

  sync_test_fixture_clear (&fixture);
}


/* The provider cannot be reached (GNOME Online Accounts failing to refresh right after a
 * resume, the network not up yet): no authentication failure, but a transient one. The worker
 * goes offline, tries again with its back-off, and logs in once the provider answers; nobody
 * has to press "try again". */
static void
test_provider_unreachable (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(GError) unreachable = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                                                       "Network is unreachable");
  g_autofree char *token = NULL;
  SyncTestFixture fixture;
  HeronSyncEvent *event;

  sync_test_fixture_init (&fixture, server, tmpdir, "unreachable");
  token = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, token);
  heron_test_oauth2_provider_fail_next (provider, 2, unreachable);

  fixture_start (&fixture, provider, FALSE);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, SYNC_TEST_WAIT_MS);
  g_assert_error (event->error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
  g_assert_nonnull (strstr (event->error->message, "Could not get an OAuth2 access token for unreachable@"));
  g_assert_nonnull (strstr (event->error->message, "Network is unreachable"));

  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online after the provider answered");
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), >=, 3);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 0);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);
  for (guint i = 0; i < fixture.events->len; i++)
    {
      HeronSyncEvent *other = g_ptr_array_index (fixture.events, i);

      g_assert_false (other->kind == HERON_SYNC_EVENT_STATE &&
                      other->state == HERON_SYNC_STATE_AUTH_FAILED);
      g_assert_false (other->kind == HERON_SYNC_EVENT_ERROR &&
                      g_error_matches (other->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH));
    }
  sync_test_sync_folder (&fixture, "INBOX");

  sync_test_fixture_clear (&fixture);
}

/* A worker for fixture->user on a scripted IMAP server over implicit TLS (tests/servers/script):
 * the harness's Dovecot offers both OAuth2 mechanisms, a server offering one or none has to be
 * played. */
static void
fixture_start_script (SyncTestFixture         *fixture,
                      HeronScriptServer       *imap,
                      HeronTestOAuth2Provider *provider,
                      HeronAccountAuth         auth)
{
  g_autoptr(HeronAccountConfig) config = sync_test_config_new (heron_script_server_get_host (imap),
                                                               heron_script_server_get_port (imap),
                                                               heron_script_server_get_certificate_file (imap),
                                                               fixture->user);
  HeronAccountServer *account_server = heron_account_config_get_imap (config);
  HeronAccountWorkerOptions options;

  heron_account_server_set_security (account_server, HERON_ACCOUNT_SECURITY_TLS);
  /* (a new security drops the pin, which belongs to the old one) */
  heron_account_server_set_pinned_certificate_file (account_server,
                                                    heron_script_server_get_certificate_file (imap));
  heron_account_server_set_auth (account_server, auth);
  sync_test_options_init (&options, fixture->store_path, NULL);
  options.oauth2_provider = HERON_OAUTH2_PROVIDER (provider);
  options.idle = FALSE;
  sync_test_fixture_start (fixture, config, &options);
}

/* A connection that offers only OAUTHBEARER and takes it; it drops at the first command after
 * the login (the worker is online by then). */
static void
script_oauthbearer_login (HeronScriptServer *imap)
{
  heron_script_server_implicit_tls (imap);
  heron_script_server_send (imap, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready\r\n");
  heron_script_server_expect (imap, "* AUTHENTICATE OAUTHBEARER *");
  heron_script_server_send (imap, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  heron_script_server_expect (imap, "*");
  heron_script_server_drop (imap);
}

/* An XOAUTH2 account on a server that offers only OAUTHBEARER: the first connection sees it
 * (nothing sent), the second logs in with OAUTHBEARER, and the next connections use it at once. */
static void
test_fallback (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronScriptServer) imap = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  SyncTestFixture fixture;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "fallback");
  imap = heron_script_server_new (&error);
  g_assert_no_error (error);
  heron_script_server_implicit_tls (imap);
  heron_script_server_send (imap, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready\r\n");
  heron_script_server_expect_close (imap);
  heron_script_server_next_connection (imap);
  script_oauthbearer_login (imap);
  heron_script_server_next_connection (imap);
  script_oauthbearer_login (imap);

  heron_test_oauth2_provider_set_token (provider, "fallback-token");
  fixture_start_script (&fixture, imap, provider, HERON_ACCOUNT_AUTH_XOAUTH2);
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_ONLINE, 0, SYNC_TEST_WAIT_MS);
  mark = fixture.events->len;
  /* the server drops it; the worker comes back, with OAUTHBEARER straight away */
  sync_test_wait_state_event (&fixture, HERON_SYNC_STATE_ONLINE, mark, SYNC_TEST_WAIT_MS);
  g_assert_true (heron_script_server_wait (imap, SYNC_TEST_WAIT_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (imap), ==, 3);
  transcript = heron_script_server_get_transcript (imap);
  g_assert_null (strstr (transcript, "XOAUTH2 "));
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 2);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);
  for (guint i = 0; i < fixture.events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture.events, i);

      g_assert_false (event->kind == HERON_SYNC_EVENT_STATE &&
                      event->state == HERON_SYNC_STATE_AUTH_FAILED);
    }

  sync_test_fixture_clear (&fixture);
}

/* A server that offers neither mechanism: AUTH_FAILED, saying so, after one connection; no token
 * asked for. */
static void
test_neither_mechanism (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(HeronScriptServer) imap = NULL;
  g_autoptr(GError) error = NULL;
  SyncTestFixture fixture;
  HeronSyncEvent *event;

  sync_test_fixture_init (&fixture, server, tmpdir, "neither");
  imap = heron_script_server_new (&error);
  g_assert_no_error (error);
  heron_script_server_implicit_tls (imap);
  heron_script_server_send (imap, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
  heron_script_server_expect_close (imap);

  heron_test_oauth2_provider_set_token (provider, "unused-token");
  fixture_start_script (&fixture, imap, provider, HERON_ACCOUNT_AUTH_XOAUTH2);
  event = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, 0, SYNC_TEST_WAIT_MS);
  g_assert_error (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (event->error->message, "offers neither XOAUTH2 nor OAUTHBEARER"));
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_AUTH_FAILED, SYNC_TEST_WAIT_MS, "auth failed");
  g_assert_true (heron_script_server_wait (imap, SYNC_TEST_WAIT_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (imap), ==, 1);
  g_assert_cmpuint (heron_account_worker_get_n_login_attempts (fixture.worker), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 0);

  sync_test_fixture_clear (&fixture);
}

typedef struct {
  HeronOAuth2TokenSource *source;
  GMutex                  lock;
  GCond                   cond;
  gboolean                asked;    /* under lock */
  gint                    answered; /* atomic */
  char                   *token;
  GError                 *error;
} ThreadCase;

static void
on_thread_token (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ThreadCase *tc = user_data;

  tc->token = heron_imap_token_provider_get_token_finish (HERON_IMAP_TOKEN_PROVIDER (source),
                                                          result, &tc->error);
  g_atomic_int_set (&tc->answered, TRUE);
}

/* Another thread asks the source. It has no context of its own: the answer comes on the global
 * default context, which the main thread runs. */
static gpointer
asking_thread (gpointer data)
{
  ThreadCase *tc = data;

  heron_imap_token_provider_get_token_async (HERON_IMAP_TOKEN_PROVIDER (tc->source), "user@example.test",
                                             FALSE, NULL, on_thread_token, tc);
  g_mutex_lock (&tc->lock);
  tc->asked = TRUE;
  g_cond_signal (&tc->cond);
  g_mutex_unlock (&tc->lock);
  return NULL;
}

static gpointer
unref_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static void
provider_gone (gpointer  data,
               GObject  *where)
{
  *(GThread **) data = g_thread_self ();
}

/* The provider belongs to the main thread. Another thread's request, and the source's last
 * reference dropped there, reach the provider on the main thread only, even while the main
 * context is between two iterations (nobody owns it: g_main_context_invoke() from a thread
 * whose thread-default context it is would have run them on that thread). */
static void
test_provider_thread (void)
{
  HeronTestOAuth2Provider *provider = heron_test_oauth2_provider_new ();
  GThread *gone_on = NULL;
  ThreadCase tc = { 0 };
  GThread *thread;

  heron_test_oauth2_provider_set_token (provider, "thread-token");
  tc.source = heron_oauth2_token_source_new (HERON_OAUTH2_PROVIDER (provider), "acct", NULL);
  g_object_weak_ref (G_OBJECT (provider), provider_gone, &gone_on);
  g_object_unref (provider);   /* the source has the only reference */
  g_mutex_init (&tc.lock);
  g_cond_init (&tc.cond);

  /* The main thread does not iterate while the other thread asks */
  thread = g_thread_new ("asking", asking_thread, &tc);
  g_mutex_lock (&tc.lock);
  while (!tc.asked)
    g_cond_wait (&tc.cond, &tc.lock);
  g_mutex_unlock (&tc.lock);
  g_thread_join (thread);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 0);

  /* It is asked when the main context runs */
  while (!g_atomic_int_get (&tc.answered))
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (tc.error);
  g_assert_cmpstr (tc.token, ==, "thread-token");
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_requests (provider), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);

  /* The last reference to the source goes on another thread: the provider's goes here */
  g_thread_join (g_thread_new ("unref", unref_thread, tc.source));
  g_assert_null (gone_on);
  while (gone_on == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gone_on == g_thread_self ());

  g_free (tc.token);
  g_mutex_clear (&tc.lock);
  g_cond_clear (&tc.cond);
}

typedef struct {
  gboolean  done;
  char     *token;
  GError   *error;
} ScopeWait;

static void
on_scope_token (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ScopeWait *wait = user_data;

  wait->token = heron_imap_token_provider_get_token_finish (HERON_IMAP_TOKEN_PROVIDER (source),
                                                            result, &wait->error);
  wait->done = TRUE;
}

static void
ask_scope (HeronOAuth2TokenSource *scope,
           ScopeWait              *wait)
{
  heron_imap_token_provider_get_token_async (HERON_IMAP_TOKEN_PROVIDER (scope), "user@example.test",
                                             FALSE, NULL, on_scope_token, wait);
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
}

/* Each connection asks through its own scope: the error one connection's request got is not
 * the explanation of another's failure, and a later success elsewhere does not erase it. */
static void
test_scope_errors (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(GError) unreachable = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "No reply");
  g_autoptr(HeronOAuth2TokenSource) source = heron_oauth2_token_source_new (HERON_OAUTH2_PROVIDER (provider), "acct", NULL);
  g_autoptr(HeronOAuth2TokenSource) imap = heron_oauth2_token_source_new_scope (source);
  g_autoptr(HeronOAuth2TokenSource) smtp = heron_oauth2_token_source_new_scope (source);
  g_autoptr(GError) imap_error = NULL;
  g_autoptr(GError) smtp_error = NULL;
  ScopeWait first = { 0 }, second = { 0 };

  g_assert_true (heron_oauth2_token_source_get_provider (imap) == HERON_OAUTH2_PROVIDER (provider));
  heron_test_oauth2_provider_set_token (provider, "scope-token");
  heron_test_oauth2_provider_fail_next (provider, 1, unreachable);
  ask_scope (imap, &first);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  ask_scope (smtp, &second);
  g_assert_no_error (second.error);
  g_assert_cmpstr (second.token, ==, "scope-token");

  imap_error = heron_oauth2_token_source_dup_error (imap);
  g_assert_error (imap_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (heron_oauth2_token_source_error_is_transient (imap_error));
  smtp_error = heron_oauth2_token_source_dup_error (smtp);
  g_assert_no_error (smtp_error);

  {
    g_autoptr(GError) no_token = g_error_new_literal (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN, "none");
    g_autoptr(GError) no_reply = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY, "no reply");

    g_assert_false (heron_oauth2_token_source_error_is_transient (NULL));
    g_assert_false (heron_oauth2_token_source_error_is_transient (no_token));
    g_assert_true (heron_oauth2_token_source_error_is_transient (no_reply));
  }

  g_clear_error (&first.error);
  g_free (second.token);
}

/* The outbox */

static GBytes *
make_message (const char *from,
              const char *message_id)
{
  g_autofree char *text = g_strdup_printf ("From: <%s>\r\nTo: <%s>\r\nSubject: Sent with OAuth2\r\n"
                                           "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
                                           "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n",
                                           from, from, message_id);

  return g_bytes_new (text, strlen (text));
}

static void
send_message (SyncTestFixture *fixture,
              GBytes          *message)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_send_async (fixture->worker, message, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "send_async");
  g_assert_true (heron_account_worker_send_finish (fixture->worker, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

/* How many messages with this Message-ID the mailbox has. */
static guint
count_messages (const char *user,
                const char *mailbox,
                const char *message_id)
{
  g_autofree char *header = g_strdup_printf ("<%s>", message_id);
  const char *argv[] = { "search", "-u", user, "mailbox", mailbox, "header", "Message-ID", header, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (heron_test_server_find_message (server, user, mailbox, message_id, &error) == 0)
    {
      g_assert_no_error (error);
      return 0;
    }
  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += lines[i][0] != '\0';
  return n;
}

/* Sends and checks: the SENT event, exactly one delivery, and the copy in Sent. */
static void
send_and_check (SyncTestFixture *fixture,
                const char      *message_id)
{
  g_autoptr(GBytes) message = make_message (fixture->user, message_id);
  g_autoptr(GError) error = NULL;
  SyncTestEventWait sent = { HERON_SYNC_EVENT_SENT, NULL, fixture->events->len, message_id };
  HeronSyncEvent *event;

  send_message (fixture, message);
  event = sync_test_wait_event_full (fixture, &sent, SYNC_TEST_WAIT_MS);
  g_assert_no_error (event->error);
  g_assert_cmpuint (heron_test_server_wait_for_message (server, fixture->user, "INBOX", message_id,
                                                        SYNC_TEST_WAIT_MS, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (heron_test_server_wait_for_message (server, fixture->user, "Sent", message_id,
                                                        SYNC_TEST_WAIT_MS, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture->user, "INBOX", message_id), ==, 1);
  g_assert_cmpuint (count_messages (fixture->user, "Sent", message_id), ==, 1);
  for (guint i = 0; i < fixture->events->len; i++)
    {
      HeronSyncEvent *failed = g_ptr_array_index (fixture->events, i);
      g_assert_false (failed->kind == HERON_SYNC_EVENT_SEND_FAILED);
    }
}

/* A message goes out through the real Postfix with XOAUTH2 (Postfix asks Dovecot, which asks the
 * introspection endpoint): one delivery, one copy in Sent. */
static void
test_outbox_send (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autofree char *token = NULL;
  SyncTestFixture fixture;
  guint before;

  sync_test_fixture_init (&fixture, server, tmpdir, "outbox");
  token = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, token);
  fixture_start (&fixture, provider, FALSE);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folders (&fixture);
  before = heron_test_server_get_oauth_introspections (server, token);

  send_and_check (&fixture, "oauth-outbox-1@example.test");
  /* The SMTP login used the token (and only it: no refresh). */
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), >, before);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 0);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);

  sync_test_fixture_clear (&fixture);
}

/* The SMTP server refuses the token (revoked since the IMAP login): the outbox asks once more
 * with force_refresh, gets a new token, and the message goes out once. */
static void
test_outbox_refresh (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  SyncTestFixture fixture;

  sync_test_fixture_init (&fixture, server, tmpdir, "outboxrefresh");
  first = issue_token (fixture.user);
  second = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, first);
  fixture_start (&fixture, provider, FALSE);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folders (&fixture);

  revoke_token (first);
  heron_test_oauth2_provider_set_refreshed_token (provider, second);
  send_and_check (&fixture, "oauth-outbox-refresh@example.test");

  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, second), >=, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);

  sync_test_fixture_clear (&fixture);
}

/* Refused twice (the provider cannot get a good token): the entry fails for good with the
 * server's refusal, nothing is delivered, and the outbox does not try again by itself. */
static void
test_outbox_refused (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autofree char *imap_token = NULL;
  g_autoptr(GBytes) message = NULL;
  SyncTestFixture fixture;
  HeronSyncEvent *event;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "outboxrefused");
  imap_token = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, imap_token);
  fixture_start (&fixture, provider, FALSE);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  revoke_token (imap_token);
  mark = fixture.events->len;
  message = make_message (fixture.user, "oauth-outbox-refused@example.test");
  send_message (&fixture, message);
  {
    SyncTestEventWait failed = { HERON_SYNC_EVENT_SEND_FAILED, NULL, mark, "oauth-outbox-refused@example.test" };
    event = sync_test_wait_event_full (&fixture, &failed, SYNC_TEST_WAIT_MS);
  }
  g_assert_error (event->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
  g_assert_null (strstr (event->error->message, imap_token));
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_refreshes (provider), ==, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, imap_token), ==, 3);

  let_time_pass (2000);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, imap_token), ==, 3);
  g_assert_cmpuint (count_messages (fixture.user, "INBOX", "oauth-outbox-refused@example.test"), ==, 0);

  sync_test_fixture_clear (&fixture);
}

/* The provider cannot be reached when the outbox logs in to SMTP: not a failure for good. The
 * entry stays queued, and goes out by itself once the provider answers. */
static void
test_outbox_provider_unreachable (void)
{
  g_autoptr(HeronTestOAuth2Provider) provider = heron_test_oauth2_provider_new ();
  g_autoptr(GError) unreachable = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
                                                       "No route to host");
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  SyncTestFixture fixture;
  HeronSyncEvent *event;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "outboxunreachable");
  token = issue_token (fixture.user);
  heron_test_oauth2_provider_set_token (provider, token);
  fixture_start (&fixture, provider, FALSE);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folders (&fixture);

  heron_test_oauth2_provider_fail_next (provider, 1, unreachable);
  mark = fixture.events->len;
  message = make_message (fixture.user, "oauth-outbox-unreachable@example.test");
  send_message (&fixture, message);
  {
    SyncTestEventWait failed = { HERON_SYNC_EVENT_SEND_FAILED, NULL, mark, "oauth-outbox-unreachable@example.test" };
    event = sync_test_wait_event_full (&fixture, &failed, SYNC_TEST_WAIT_MS);
  }
  g_assert_error (event->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
  g_assert_nonnull (strstr (event->error->message, "No route to host"));

  {
    SyncTestEventWait sent = { HERON_SYNC_EVENT_SENT, NULL, mark, "oauth-outbox-unreachable@example.test" };
    event = sync_test_wait_event_full (&fixture, &sent, SYNC_TEST_WAIT_MS);
  }
  g_assert_no_error (event->error);
  g_assert_cmpuint (heron_test_server_wait_for_message (server, fixture.user, "INBOX",
                                                        "oauth-outbox-unreachable@example.test",
                                                        SYNC_TEST_WAIT_MS, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture.user, "INBOX", "oauth-outbox-unreachable@example.test"), ==, 1);
  g_assert_cmpuint (heron_test_oauth2_provider_get_n_wrong_thread (provider), ==, 0);

  sync_test_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const users[] = {
    "good", "refresh", "refused", "notoken", "noprovider", "outbox", "outboxrefresh",
    "outboxrefused", "unreachable", "outboxunreachable", "fallback", "neither", NULL
  };

  g_test_init (&argc, &argv, NULL);

  /* every user up front (see sync_test_server_new()) */
  server = sync_test_server_new (HERON_TEST_SERVER_FLAGS_NONE, users);
  tmpdir = sync_test_tmpdir_new ("heron-test-sync-oauth-XXXXXX");

  g_test_add_func ("/heron/sync/oauth/token", test_token);
  g_test_add_func ("/heron/sync/oauth/refresh", test_refresh);
  g_test_add_func ("/heron/sync/oauth/refused", test_refused);
  g_test_add_func ("/heron/sync/oauth/no-token", test_no_token);
  g_test_add_func ("/heron/sync/oauth/no-provider", test_no_provider);
  g_test_add_func ("/heron/sync/oauth/provider-unreachable", test_provider_unreachable);
  g_test_add_func ("/heron/sync/oauth/provider-thread", test_provider_thread);
  g_test_add_func ("/heron/sync/oauth/fallback", test_fallback);
  g_test_add_func ("/heron/sync/oauth/neither-mechanism", test_neither_mechanism);
  g_test_add_func ("/heron/sync/oauth/scope-errors", test_scope_errors);
  g_test_add_func ("/heron/sync/oauth/outbox-send", test_outbox_send);
  g_test_add_func ("/heron/sync/oauth/outbox-refresh", test_outbox_refresh);
  g_test_add_func ("/heron/sync/oauth/outbox-refused", test_outbox_refused);
  g_test_add_func ("/heron/sync/oauth/outbox-provider-unreachable", test_outbox_provider_unreachable);

  return sync_test_run (server, tmpdir);
}
