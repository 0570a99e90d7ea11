/* test-account-goa.c: HeronGoaProvider against a stand-in GNOME Online Accounts daemon
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside tests/harness/heron-test-session (a private session bus). The real goa-daemon
 * runs in test-account-goa-daemon.c, with "IMAP and SMTP" accounts (listing, mail switched off,
 * removal, GOA's passwords). What only this stand-in can show is kept here: OAuth2 accounts
 * (Google, Microsoft 365), whose real daemon needs a web sign-in with the real provider (no
 * network): their access tokens, EnsureCredentials before a token on force_refresh, an account
 * that needs a new sign-in, and the binding of a Heron account to a GOA account. This test owns
 * org.gnome.OnlineAccounts on the private bus and exports accounts with libgoa's own generated
 * D-Bus skeletons, over a second bus connection, so the client side is the real one: libgoa's
 * GoaClient and proxies, D-Bus, and HeronGoaProvider. What it cannot show: that a real daemon's
 * Google or Microsoft accounts carry the values set here, and that its tokens are accepted by a
 * real server.
 */

#include "config.h"

#include <string.h>

#include "account/heron-account.h"
#include "account/heron-goa-provider.h"

#define GOA_NAME "org.gnome.OnlineAccounts"
#define GOA_PATH "/org/gnome/OnlineAccounts"

static struct {
  GDBusConnection *connection;
  GDBusObjectManagerServer *manager;
  guint owner_id;
  gboolean owned;
  guint token_calls;
  guint ensure_calls;
  HeronGoaProvider *provider;
} daemon_;

static void
wait_for (gpointer *slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
handle_get_access_token (GoaOAuth2Based        *oauth2,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  g_autofree char *token = g_strdup_printf ("token-%s-%u", (const char *) user_data, ++daemon_.token_calls);

  goa_oauth2_based_complete_get_access_token (oauth2, invocation, token, 3600);
  return TRUE;
}

static gboolean
handle_ensure_credentials (GoaAccount            *account,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  daemon_.ensure_calls++;
  goa_account_complete_ensure_credentials (account, invocation, 3600);
  return TRUE;
}

static void
export_account (const char *id,
                const char *provider_type,
                gboolean    oauth2,
                gboolean    attention_needed,
                gboolean    mail_disabled,
                const char *address,
                const char *imap_host,
                gboolean    imap_ssl,
                gboolean    imap_tls,
                const char *smtp_host,
                gboolean    smtp_ssl,
                gboolean    smtp_tls)
{
  g_autofree char *path = g_strdup_printf (GOA_PATH "/Accounts/%s", id);
  g_autoptr(GoaObjectSkeleton) object = goa_object_skeleton_new (path);
  g_autoptr(GoaAccount) account = goa_account_skeleton_new ();
  g_autoptr(GoaMail) mail = goa_mail_skeleton_new ();

  g_object_set (account,
                "id", id,
                "provider-type", provider_type,
                "provider-name", provider_type,
                "identity", address,
                "presentation-identity", address,
                "attention-needed", attention_needed,
                "mail-disabled", mail_disabled,
                NULL);
  g_signal_connect (account, "handle-ensure-credentials", G_CALLBACK (handle_ensure_credentials), NULL);
  goa_object_skeleton_set_account (object, account);

  g_object_set (mail,
                "email-address", address,
                "name", "Test Person",
                "imap-supported", imap_host != NULL,
                "imap-host", imap_host,
                "imap-user-name", address,
                "imap-use-ssl", imap_ssl,
                "imap-use-tls", imap_tls,
                "smtp-supported", smtp_host != NULL,
                "smtp-host", smtp_host,
                "smtp-user-name", address,
                "smtp-use-auth", TRUE,
                "smtp-auth-xoauth2", oauth2,
                "smtp-auth-plain", !oauth2,
                "smtp-use-ssl", smtp_ssl,
                "smtp-use-tls", smtp_tls,
                NULL);
  goa_object_skeleton_set_mail (object, mail);

  if (oauth2)
    {
      g_autoptr(GoaOAuth2Based) oauth2_based = goa_oauth2_based_skeleton_new ();

      g_signal_connect_data (oauth2_based, "handle-get-access-token",
                             G_CALLBACK (handle_get_access_token), g_strdup (id),
                             (GClosureNotify) g_free, 0);
      goa_object_skeleton_set_oauth2_based (object, oauth2_based);
    }
  else
    {
      g_autoptr(GoaPasswordBased) password_based = goa_password_based_skeleton_new ();

      goa_object_skeleton_set_password_based (object, password_based);
    }

  g_dbus_object_manager_server_export (daemon_.manager, G_DBUS_OBJECT_SKELETON (object));
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  daemon_.owned = TRUE;
}

static void
start_daemon (void)
{
  g_autoptr(GError) error = NULL;

  daemon_.connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                               | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                               NULL, NULL, &error);
  g_assert_no_error (error);
  daemon_.manager = g_dbus_object_manager_server_new (GOA_PATH);

  export_account ("account_google", "google", TRUE, FALSE, FALSE, "alice@gmail.test",
                  "imap.gmail.test", TRUE, FALSE, "smtp.gmail.test", FALSE, TRUE);
  export_account ("account_imap", "imap_smtp", FALSE, FALSE, FALSE, "bob@example.test",
                  "mail.example.test:1143", FALSE, TRUE, "mail.example.test", TRUE, FALSE);
  export_account ("account_nomail", "google", TRUE, FALSE, TRUE, "carol@gmail.test",
                  "imap.gmail.test", TRUE, FALSE, "smtp.gmail.test", FALSE, TRUE);
  export_account ("account_expired", "ms_graph", TRUE, TRUE, FALSE, "dave@outlook.test",
                  "outlook.office365.test", TRUE, FALSE, "smtp.office365.test", FALSE, TRUE);

  g_dbus_object_manager_server_set_connection (daemon_.manager, daemon_.connection);
  daemon_.owner_id = g_bus_own_name_on_connection (daemon_.connection, GOA_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_NONE,
                                                   name_acquired_cb, NULL, NULL, NULL);
  while (!daemon_.owned)
    g_main_context_iteration (NULL, TRUE);
}

static void
stop_daemon (void)
{
  g_bus_unown_name (daemon_.owner_id);
  g_dbus_object_manager_server_set_connection (daemon_.manager, NULL);
  g_clear_object (&daemon_.manager);
  g_dbus_connection_close_sync (daemon_.connection, NULL, NULL);
  g_clear_object (&daemon_.connection);
}

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HeronGoaProvider *
new_provider (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_goa_provider_new_async (NULL, result_cb, &result);
  wait_for ((gpointer *) &result);
  return heron_goa_provider_new_finish (result, error);
}

/* The stand-in daemon and a provider, made for the first test that needs them. */
static void
ensure_daemon (void)
{
  g_autoptr(GError) error = NULL;

  if (daemon_.provider != NULL)
    return;
  start_daemon ();
  daemon_.provider = new_provider (&error);
  g_assert_no_error (error);
  g_assert_nonnull (daemon_.provider);
}

static char *
get_token (const char  *account_id,
           const char  *user,
           gboolean     force_refresh,
           gint64      *out_expires_at,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  HeronOAuth2Provider *provider = HERON_OAUTH2_PROVIDER (daemon_.provider);

  heron_oauth2_provider_get_access_token_async (provider, account_id, user, force_refresh, NULL,
                                                result_cb, &result);
  wait_for ((gpointer *) &result);
  return heron_oauth2_provider_get_access_token_finish (provider, result, out_expires_at, error);
}

static HeronAccountConfig *
find_proposal (GPtrArray  *proposals,
               const char *goa_id)
{
  for (guint i = 0; i < proposals->len; i++)
    if (g_strcmp0 (heron_account_config_get_goa_account_id (g_ptr_array_index (proposals, i)), goa_id) == 0)
      return g_ptr_array_index (proposals, i);
  return NULL;
}

static void
test_list_mail_accounts (void)
{
  g_autoptr(GPtrArray) proposals = NULL;
  HeronAccountConfig *google;
  HeronAccountConfig *imap;
  HeronAccountServer *server;

  ensure_daemon ();
  proposals = heron_goa_provider_list_mail_accounts (daemon_.provider);

  /* Mail disabled in Settings: not proposed. */
  g_assert_cmpuint (proposals->len, ==, 3);
  g_assert_null (find_proposal (proposals, "account_nomail"));

  google = find_proposal (proposals, "account_google");
  g_assert_nonnull (google);
  g_assert_null (heron_account_config_get_id (google));
  g_assert_cmpstr (heron_account_config_get_display_name (google), ==, "alice@gmail.test");
  g_assert_cmpstr (heron_account_identity_get_name (heron_account_config_get_primary_identity (google)), ==,
                   "Test Person");
  server = heron_account_config_get_imap (google);
  g_assert_cmpstr (heron_account_server_get_host (server), ==, "imap.gmail.test");
  g_assert_cmpuint (heron_account_server_get_effective_port (server), ==, 993);
  g_assert_cmpint (heron_account_server_get_security (server), ==, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_account_server_get_auth (server), ==, HERON_ACCOUNT_AUTH_XOAUTH2);
  g_assert_cmpstr (heron_account_server_get_user (server), ==, "alice@gmail.test");
  server = heron_account_config_get_smtp (google);
  g_assert_cmpstr (heron_account_server_get_host (server), ==, "smtp.gmail.test");
  g_assert_cmpuint (heron_account_server_get_effective_port (server), ==, 587);
  g_assert_cmpint (heron_account_server_get_security (server), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (heron_account_server_get_auth (server), ==, HERON_ACCOUNT_AUTH_XOAUTH2);
  g_assert_true (heron_account_config_validate (google, NULL));

  imap = find_proposal (proposals, "account_imap");
  g_assert_nonnull (imap);
  server = heron_account_config_get_imap (imap);
  g_assert_cmpstr (heron_account_server_get_host (server), ==, "mail.example.test");
  g_assert_cmpuint (heron_account_server_get_effective_port (server), ==, 1143);
  g_assert_cmpint (heron_account_server_get_security (server), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (heron_account_server_get_auth (server), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  server = heron_account_config_get_smtp (imap);
  g_assert_cmpuint (heron_account_server_get_effective_port (server), ==, 465);
  g_assert_cmpint (heron_account_server_get_security (server), ==, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_account_server_get_auth (server), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  g_assert_true (heron_account_config_validate (imap, NULL));
}

static void
test_access_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *expected = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires_at = 0;
  guint ensure_before;
  guint tokens_before;

  ensure_daemon ();
  ensure_before = daemon_.ensure_calls;
  tokens_before = daemon_.token_calls;

  /* Found by the user name. */
  token = get_token ("alice-gmail-test", "alice@gmail.test", FALSE, &expires_at, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("token-account_google-%u", tokens_before + 1);
  g_assert_cmpstr (token, ==, expected);
  g_assert_cmpint (expires_at, >=, now + 3600);
  g_assert_cmpint (expires_at, <=, now + 3600 + 60);
  g_assert_cmpuint (daemon_.ensure_calls, ==, ensure_before);
  g_clear_pointer (&token, g_free);

  /* force_refresh has GOA check the credentials first. */
  token = get_token ("alice-gmail-test", "alice@gmail.test", TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), >, 0);
  g_assert_cmpuint (daemon_.ensure_calls, ==, ensure_before + 1);
  g_assert_cmpuint (daemon_.token_calls, ==, tokens_before + 2);
}

static void
test_bound_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  ensure_daemon ();
  /* The binding wins over the user name (an IMAP user name GOA does not list). */
  heron_goa_provider_bind_account (daemon_.provider, "work", "account_google");
  token = get_token ("work", "alice.imap-login", FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (token, "token-account_google-"));
  heron_goa_provider_bind_account (daemon_.provider, "work", NULL);
  g_clear_pointer (&token, g_free);

  token = get_token ("work", "alice.imap-login", FALSE, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
}

static void
test_no_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 expires_at = 77;

  ensure_daemon ();
  token = get_token ("x", "stranger@example.test", FALSE, &expires_at, &error);
  g_assert_null (token);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
  g_assert_nonnull (strstr (error->message, "stranger@example.test"));
  g_assert_cmpint (expires_at, ==, 0);
  g_clear_error (&error);

  token = get_token ("x", "bob@example.test", FALSE, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
  g_assert_nonnull (strstr (error->message, "signs in with a password"));
  g_clear_error (&error);

  token = get_token ("x", "dave@outlook.test", FALSE, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
  g_assert_nonnull (strstr (error->message, "sign in again"));
}

/* Before any GOA daemon is on the bus (and none can be started: the private bus has no service
 * file for it), the provider is made but knows no account. */
static void
test_no_daemon (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronGoaProvider) provider = new_provider (&error);
  g_autoptr(GPtrArray) proposals = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *token = NULL;

  /* libgoa's client starts without its daemon (its object manager waits for the name). */
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  proposals = heron_goa_provider_list_mail_accounts (provider);
  g_assert_cmpuint (proposals->len, ==, 0);

  heron_oauth2_provider_get_access_token_async (HERON_OAUTH2_PROVIDER (provider), "x", "alice@gmail.test",
                                                FALSE, NULL, result_cb, &result);
  wait_for ((gpointer *) &result);
  token = heron_oauth2_provider_get_access_token_finish (HERON_OAUTH2_PROVIDER (provider), result, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
}

static void
test_not_in_session (void)
{
  g_test_fail_printf ("test-account-goa owns org.gnome.OnlineAccounts on the bus: it must run in "
                      "the private bus of tests/harness/heron-test-session (meson test does)");
}

int
main (int argc, char *argv[])
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  int status;

  g_test_init (&argc, &argv, NULL);

  if (bus == NULL || strstr (bus, "/heron-session.") == NULL)
    {
      g_test_add_func ("/heron/account/goa/session", test_not_in_session);
      return g_test_run ();
    }

  g_test_add_func ("/heron/account/goa/no-daemon", test_no_daemon);
  g_test_add_func ("/heron/account/goa/list-mail-accounts", test_list_mail_accounts);
  g_test_add_func ("/heron/account/goa/access-token", test_access_token);
  g_test_add_func ("/heron/account/goa/bound-account", test_bound_account);
  g_test_add_func ("/heron/account/goa/no-token", test_no_token);

  status = g_test_run ();

  if (daemon_.provider != NULL)
    {
      g_clear_object (&daemon_.provider);
      stop_daemon ();
    }
  return status;
}
