/* test-client-goa-oauth2.c: a GNOME Online Accounts OAuth2 mail account in HeronAccountManager,
 * signing in to the real Dovecot of tests/servers with GOA's access token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real GOA OAuth2 account (Google, Microsoft 365) needs a web sign-in with the real provider,
 * which the tests cannot do (no network): as in tests/backend/account/test-account-goa.c, this
 * test owns org.gnome.OnlineAccounts on the private bus of heron-test-session and exports the
 * account with libgoa's own D-Bus skeletons, over a second bus connection. Everything else is
 * real: libgoa's client, the manager and HeronGoaProvider, the worker's XOAUTH2, and Dovecot,
 * which checks the token with the harness's introspection endpoint. The real daemon's password
 * accounts are in test-client-goa.c.
 */

#include "config.h"

#include <string.h>
#include <libsecret/secret.h>

#include "heron-test-server.h"
#include "account/heron-goa-provider.h"
#include "client/heron-client-private.h"

#define GOA_NAME "org.gnome.OnlineAccounts"
#define GOA_PATH "/org/gnome/OnlineAccounts"
#define GOA_ID "account_1700000000_1"
#define USER "olivia@" HERON_TEST_SERVER_DOMAIN
#define WAIT_MS 60000

static HeronTestServer *server;

static struct {
  GDBusConnection *connection;
  GDBusObjectManagerServer *manager;
  guint owner_id;
  gboolean owned;
  guint token_calls;
  char *token;
} daemon_;

static const SecretSchema heron_schema = {
  "io.github.heronmail.Heron.Secret", SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*CheckFunc) (gconstpointer data);

static void
wait_until (CheckFunc      check,
            gconstpointer  data,
            const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, on_timeout, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      g_autofree char *logs = heron_test_server_dup_logs (server, 0);

      g_printerr ("%s\n", logs);
      g_error ("Timed out after %u ms waiting for %s", WAIT_MS, what);
    }
  g_source_remove (id);
}

/* The stand-in daemon */

static gboolean
handle_get_access_token (GoaOAuth2Based        *oauth2,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  daemon_.token_calls++;
  goa_oauth2_based_complete_get_access_token (oauth2, invocation, daemon_.token, 3600);
  return TRUE;
}

static gboolean
handle_ensure_credentials (GoaAccount            *account,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  goa_account_complete_ensure_credentials (account, invocation, 3600);
  return TRUE;
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  daemon_.owned = TRUE;
}

static gboolean
check_owned (gconstpointer data)
{
  return daemon_.owned;
}

static void
start_daemon (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GoaObjectSkeleton) object = goa_object_skeleton_new (GOA_PATH "/Accounts/" GOA_ID);
  g_autoptr(GoaAccount) account = goa_account_skeleton_new ();
  g_autoptr(GoaMail) mail = goa_mail_skeleton_new ();
  g_autoptr(GoaOAuth2Based) oauth2 = goa_oauth2_based_skeleton_new ();
  g_autofree char *imap_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                heron_test_server_get_imap_port (server));
  g_autofree char *smtp_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                heron_test_server_get_smtps_port (server));

  daemon_.connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                               | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                               NULL, NULL, &error);
  g_assert_no_error (error);
  daemon_.manager = g_dbus_object_manager_server_new (GOA_PATH);

  g_object_set (account,
                "id", GOA_ID,
                "provider-type", "google",
                "provider-name", "Google",
                "identity", USER,
                "presentation-identity", USER,
                NULL);
  g_signal_connect (account, "handle-ensure-credentials", G_CALLBACK (handle_ensure_credentials), NULL);
  goa_object_skeleton_set_account (object, account);
  g_object_set (mail,
                "email-address", USER,
                "name", "Olivia Example",
                "imap-supported", TRUE,
                "imap-host", imap_host,
                "imap-user-name", USER,
                "imap-use-ssl", FALSE,
                "imap-use-tls", TRUE,
                "smtp-supported", TRUE,
                "smtp-host", smtp_host,
                "smtp-user-name", USER,
                "smtp-use-auth", TRUE,
                "smtp-auth-xoauth2", TRUE,
                "smtp-use-ssl", TRUE,
                "smtp-use-tls", FALSE,
                NULL);
  goa_object_skeleton_set_mail (object, mail);
  g_signal_connect (oauth2, "handle-get-access-token", G_CALLBACK (handle_get_access_token), NULL);
  goa_object_skeleton_set_oauth2_based (object, oauth2);
  g_dbus_object_manager_server_export (daemon_.manager, G_DBUS_OBJECT_SKELETON (object));

  g_dbus_object_manager_server_set_connection (daemon_.manager, daemon_.connection);
  daemon_.owner_id = g_bus_own_name_on_connection (daemon_.connection, GOA_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_NONE,
                                                   name_acquired_cb, NULL, NULL, NULL);
  wait_until (check_owned, NULL, "the stand-in GOA daemon on the bus");
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

/* The test */

static gboolean
check_goa_ready (gconstpointer data)
{
  g_autoptr(GObject) provider = NULL;

  g_object_get ((gpointer) data, "goa-provider", &provider, NULL);
  return provider != NULL;
}

static gboolean
check_one_account (gconstpointer data)
{
  return g_list_model_get_n_items (heron_account_manager_get_accounts ((HeronAccountManager *) data)) == 1;
}

static gboolean
check_inbox (gconstpointer data)
{
  HeronFolder *inbox = heron_account_lookup_folder ((HeronAccount *) data, "INBOX");

  return heron_account_get_state ((HeronAccount *) data) == HERON_SYNC_STATE_ONLINE &&
         inbox != NULL && heron_folder_get_total_count (inbox) == 1;
}

static void
test_oauth2_account (void)
{
  g_autofree char *tmpdir = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *text = g_strdup_printf ("From: someone@example.test\r\nTo: " USER "\r\n"
                                           "Subject: hello\r\nMessage-ID: <oauth2@heron.test>\r\n"
                                           "\r\nHello.\r\n");
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(HeronAccountManager) manager = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(HeronAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  GList *secrets;
  HeronAccountConfig *config;

  heron_test_server_deliver (server, USER, "INBOX", bytes, NULL, &error);
  g_assert_no_error (error);
  tmpdir = g_dir_make_tmp ("heron-client-goa-oauth2-XXXXXX", &error);
  g_assert_no_error (error);
  config_dir = g_build_filename (tmpdir, "config", NULL);
  data_dir = g_build_filename (tmpdir, "data", NULL);

  manager = heron_account_manager_new (config_dir, data_dir);
  database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  heron_account_manager_set_tls_database (manager, database);
  g_assert_true (heron_account_manager_load (manager, NULL, &error));
  g_assert_no_error (error);
  wait_until (check_goa_ready, manager, "GOA to answer the manager");
  wait_until (check_one_account, manager, "the GOA account in Heron");

  account = g_list_model_get_item (heron_account_manager_get_accounts (manager), 0);
  config = heron_account_get_config (account);
  g_assert_cmpstr (heron_account_config_get_goa_account_id (config), ==, GOA_ID);
  g_assert_cmpint (heron_account_server_get_auth (heron_account_config_get_imap (config)), ==,
                   HERON_ACCOUNT_AUTH_XOAUTH2);
  g_assert_cmpint (heron_account_server_get_auth (heron_account_config_get_smtp (config)), ==,
                   HERON_ACCOUNT_AUTH_XOAUTH2);

  /* signed in with GOA's token, which Dovecot checked */
  wait_until (check_inbox, account, "INBOX synced with GOA's token");
  g_assert_cmpuint (daemon_.token_calls, >=, 1);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, daemon_.token), >=, 1);

  /* no secret of Heron's for it */
  secrets = secret_password_search_sync (&heron_schema, SECRET_SEARCH_ALL, NULL, &error,
                                         "account", heron_account_get_id (account), NULL);
  g_assert_no_error (error);
  g_assert_null (secrets);

  heron_account_manager_shutdown (manager);
}

int
main (int   argc,
      char *argv[])
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (bus == NULL || strstr (bus, "/heron-session.") == NULL)
    g_error ("No private session bus: run this test inside tests/harness/heron-test-session");

  server = heron_test_server_new (&error);
  g_assert_no_error (error);
  g_assert_true (heron_test_server_add_user (server, USER, NULL, &error));
  g_assert_no_error (error);
  daemon_.token = heron_test_server_add_oauth_token (server, USER, NULL, &error);
  g_assert_no_error (error);
  start_daemon ();

  g_test_add_func ("/heron/client/goa/oauth2-account", test_oauth2_account);
  status = g_test_run ();

  stop_daemon ();
  g_free (daemon_.token);
  heron_test_server_free (server);
  return status;
}
