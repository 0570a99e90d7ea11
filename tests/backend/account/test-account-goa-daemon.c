/* test-account-goa-daemon.c: HeronGoaProvider against the real GNOME Online Accounts daemon
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside tests/harness/heron-test-session. goa-daemon 3.46 (Debian's gnome-online-accounts)
 * runs on the private bus; its "IMAP and SMTP" accounts point at the real Dovecot and Postfix of
 * tests/servers. Accounts are added the way Settings adds them (Manager.AddAccount) and, in one
 * test, by writing GOA's key file and keyring item by hand (the format below, checked against the
 * daemon). The daemon itself checks each account's password against Dovecot and Postfix
 * (EnsureCredentials).
 *
 * What this cannot show: OAuth2 accounts (Google, Microsoft) need a web sign-in with the real
 * provider, so tokens and EnsureCredentials before a token stay with the stand-in daemon of
 * test-account-goa.c.
 *
 * GOA's format, as goa-daemon 3.46 reads and writes it:
 *   $XDG_CONFIG_HOME/goa-1.0/accounts.conf, one group "[Account <id>]" per account with
 *   Provider=imap_smtp, Identity, PresentationIdentity, Enabled (mail on or off: this provider's
 *   key; the others use MailEnabled), EmailAddress, Name, ImapHost ("host" or "host:port"),
 *   ImapUserName, ImapUseSsl, ImapUseTls, ImapAcceptSslErrors, SmtpHost, SmtpUseAuth,
 *   SmtpUserName, SmtpAuthLogin, SmtpAuthPlain, SmtpUseSsl, SmtpUseTls, SmtpAcceptSslErrors;
 *   the keyring item of schema "org.gnome.OnlineAccounts" with the attribute goa-identity =
 *   "imap_smtp:gen0:<id>", whose secret is a GVariant dictionary in text form:
 *   {'imap-password': <'…'>, 'smtp-password': <'…'>}.
 */

#include "config.h"

#include <string.h>
#include <libsecret/secret.h>

#include "heron-test-goa.h"
#include "heron-test-server.h"
#include "account/heron-account.h"
#include "account/heron-goa-provider.h"

static HeronTestServer *server;
static HeronTestGoa *goa;
static HeronGoaProvider *provider;
static const char *users[] = { "bob", "carol", "dave", "erin" };

static const SecretSchema goa_schema = {
  "org.gnome.OnlineAccounts", SECRET_SCHEMA_DONT_MATCH_NAME,
  {
    { "goa-identity", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_result (GAsyncResult **result,
             const char    *what)
{
  /* a D-Bus call answers or fails: meson's timeout guards against a hung daemon */
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  (void) what;
}

static HeronGoaProvider *
new_provider (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_goa_provider_new_async (NULL, result_cb, &result);
  wait_result (&result, "the GOA client");
  return heron_goa_provider_new_finish (result, error);
}

static char *
get_password (const char  *goa_id,
              const char  *password_id,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_goa_provider_get_password_async (provider, goa_id, password_id, NULL, result_cb, &result);
  wait_result (&result, "a GOA password");
  return heron_goa_provider_get_password_finish (provider, result, error);
}

static HeronAccountConfig *
find_proposal (const char *goa_id)
{
  g_autoptr(GPtrArray) proposals = heron_goa_provider_list_mail_accounts (provider);

  for (guint i = 0; i < proposals->len; i++)
    if (g_strcmp0 (heron_account_config_get_goa_account_id (g_ptr_array_index (proposals, i)), goa_id) == 0)
      return g_object_ref (g_ptr_array_index (proposals, i));
  return NULL;
}

/* Waiting for the client to see what the daemon did */

typedef struct {
  const char *goa_id;
  gboolean    listed;   /* wait until the proposal is listed (TRUE) or not (FALSE) */
  gboolean    done;
} Watch;

static void
check_watch (Watch *watch)
{
  g_autoptr(HeronAccountConfig) config = find_proposal (watch->goa_id);

  if ((config != NULL) == watch->listed)
    watch->done = TRUE;
}

static void
on_accounts_changed (GoaClient *client,
                     GoaObject *object,
                     gpointer   user_data)
{
  check_watch (user_data);
}

static void
wait_listed (const char *goa_id,
             gboolean    listed)
{
  GoaClient *client = heron_goa_provider_get_client (provider);
  Watch watch = { goa_id, listed, FALSE };
  gulong ids[3];

  ids[0] = g_signal_connect (client, "account-added", G_CALLBACK (on_accounts_changed), &watch);
  ids[1] = g_signal_connect (client, "account-removed", G_CALLBACK (on_accounts_changed), &watch);
  ids[2] = g_signal_connect (client, "account-changed", G_CALLBACK (on_accounts_changed), &watch);
  check_watch (&watch);
  heron_test_goa_wait (&watch.done, listed ? "the GOA account to be listed" : "the GOA account to go");
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_signal_handler_disconnect (client, ids[i]);
}

static char *
add_account (const char *user,
             const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *imap_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                heron_test_server_get_imap_port (server));
  g_autofree char *smtp_host = g_strdup_printf ("%s:%u", heron_test_server_get_host (server),
                                                heron_test_server_get_smtps_port (server));
  char *goa_id;

  goa_id = heron_test_goa_add_imap_smtp (user, password, &error,
                                         "Enabled", "true",
                                         "EmailAddress", user,
                                         "Name", "Bob Example",
                                         "ImapHost", imap_host,
                                         "ImapUserName", user,
                                         "ImapUseSsl", "false",
                                         "ImapUseTls", "true",
                                         "ImapAcceptSslErrors", "true",
                                         "SmtpHost", smtp_host,
                                         "SmtpUseAuth", "true",
                                         "SmtpUserName", user,
                                         "SmtpAuthPlain", "true",
                                         "SmtpUseSsl", "true",
                                         "SmtpUseTls", "false",
                                         "SmtpAcceptSslErrors", "true",
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (goa_id, "account_"));
  wait_listed (goa_id, TRUE);
  return goa_id;
}

/* (the users are made in main: Dovecot may not see a user added in the second it last read its
 * passwd-file) */
static void
new_user (const char  *name,
          char       **out_user,
          char       **out_password)
{
  *out_user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  *out_password = g_strdup (heron_test_server_get_user_password (server, *out_user));
  g_assert_nonnull (*out_password);
}

static void
on_name_owner (GObject    *object,
               GParamSpec *pspec,
               gpointer    user_data)
{
  *(gboolean *) user_data = heron_goa_provider_is_running (provider);
}

/* The client follows the daemon's name on its own; waits until it saw it come. */
static void
wait_running (void)
{
  GDBusObjectManager *manager = goa_client_get_object_manager (heron_goa_provider_get_client (provider));
  gboolean running = heron_goa_provider_is_running (provider);
  gulong id = g_signal_connect (manager, "notify::name-owner", G_CALLBACK (on_name_owner), &running);

  heron_test_goa_wait (&running, "the GOA client to see the daemon");
  g_signal_handler_disconnect (manager, id);
}

/* Tests */

/* No daemon yet (the private bus cannot start one): a provider, no account, not running. */
static void
test_no_daemon (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronGoaProvider) early = new_provider (&error);
  g_autoptr(GPtrArray) proposals = NULL;

  g_assert_no_error (error);
  g_assert_false (heron_goa_provider_is_running (early));
  proposals = heron_goa_provider_list_mail_accounts (early);
  g_assert_cmpuint (proposals->len, ==, 0);

  /* then the daemon comes: the same client follows it */
  goa = heron_test_goa_start (&error);
  g_assert_no_error (error);
  provider = g_steal_pointer (&early);
  wait_running ();
  g_assert_true (heron_goa_provider_is_running (provider));
}

static void
test_list_mail_accounts (void)
{
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *goa_id = NULL;
  g_autofree char *imap_password = NULL;
  g_autofree char *smtp_password = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountIdentity *identity;
  HeronAccountServer *imap;
  HeronAccountServer *smtp;

  new_user ("bob", &user, &password);
  goa_id = add_account (user, password);

  config = find_proposal (goa_id);
  g_assert_nonnull (config);
  g_assert_null (heron_account_config_get_id (config));
  g_assert_cmpstr (heron_account_config_get_goa_account_id (config), ==, goa_id);
  g_assert_cmpstr (heron_account_config_get_display_name (config), ==, user);
  identity = heron_account_config_get_primary_identity (config);
  g_assert_cmpstr (heron_account_identity_get_name (identity), ==, "Bob Example");
  g_assert_cmpstr (heron_account_identity_get_address (identity), ==, user);

  imap = heron_account_config_get_imap (config);
  g_assert_cmpstr (heron_account_server_get_host (imap), ==, "127.0.0.1");
  g_assert_cmpuint (heron_account_server_get_effective_port (imap), ==, heron_test_server_get_imap_port (server));
  g_assert_cmpint (heron_account_server_get_security (imap), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (heron_account_server_get_auth (imap), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  g_assert_cmpstr (heron_account_server_get_user (imap), ==, user);
  g_assert_false (heron_account_server_get_allow_plaintext_on_loopback (imap));

  smtp = heron_account_config_get_smtp (config);
  g_assert_cmpstr (heron_account_server_get_host (smtp), ==, "127.0.0.1");
  g_assert_cmpuint (heron_account_server_get_effective_port (smtp), ==, heron_test_server_get_smtps_port (server));
  g_assert_cmpint (heron_account_server_get_security (smtp), ==, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_account_server_get_auth (smtp), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  g_assert_cmpstr (heron_account_server_get_user (smtp), ==, user);
  g_assert_true (heron_account_config_validate (config, NULL));

  /* GOA's own check of the password against the real Dovecot and Postfix */
  object = goa_client_lookup_by_id (heron_goa_provider_get_client (provider), goa_id);
  g_assert_nonnull (object);
  g_assert_true (goa_account_call_ensure_credentials_sync (goa_object_peek_account (object), NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (goa_account_get_attention_needed (goa_object_peek_account (object)));

  /* the password Heron's worker gets: GOA's, from GOA's keyring item */
  imap_password = get_password (goa_id, "imap-password", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imap_password, ==, password);
  smtp_password = get_password (goa_id, "smtp-password", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtp_password, ==, password);

  g_assert_true (goa_account_call_remove_sync (goa_object_peek_account (object), NULL, &error));
  g_assert_no_error (error);
  wait_listed (goa_id, FALSE);
}

/* Mail switched off in Settings: not proposed; on again: back. */
static void
test_mail_disabled (void)
{
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *goa_id = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = g_build_filename (g_get_user_config_dir (), "goa-1.0", "accounts.conf", NULL);
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *group = NULL;

  new_user ("carol", &user, &password);
  goa_id = add_account (user, password);
  object = goa_client_lookup_by_id (heron_goa_provider_get_client (provider), goa_id);
  g_assert_nonnull (object);

  /* what Settings does: the account's MailDisabled property, over D-Bus */
  goa_account_set_mail_disabled (goa_object_peek_account (object), TRUE);
  wait_listed (goa_id, FALSE);
  g_assert_true (goa_account_get_mail_disabled (goa_object_peek_account (object)));

  /* the daemon wrote it down */
  group = g_strdup_printf ("Account %s", goa_id);
  g_assert_true (g_key_file_load_from_file (key_file, conf_path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  g_assert_false (g_key_file_get_boolean (key_file, group, "Enabled", &error));
  g_assert_no_error (error);

  goa_account_set_mail_disabled (goa_object_peek_account (object), FALSE);
  wait_listed (goa_id, TRUE);

  g_assert_true (goa_account_call_remove_sync (goa_object_peek_account (object), NULL, &error));
  g_assert_no_error (error);
  wait_listed (goa_id, FALSE);
}

/* Removed in Settings: gone, and GOA has no password for it any more. */
static void
test_removed (void)
{
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *goa_id = NULL;
  g_autofree char *lost = NULL;
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) proposals = NULL;

  new_user ("dave", &user, &password);
  goa_id = add_account (user, password);
  object = goa_client_lookup_by_id (heron_goa_provider_get_client (provider), goa_id);

  g_assert_true (goa_account_call_remove_sync (goa_object_peek_account (object), NULL, &error));
  g_assert_no_error (error);
  wait_listed (goa_id, FALSE);
  proposals = heron_goa_provider_list_mail_accounts (provider);
  g_assert_cmpuint (proposals->len, ==, 0);

  lost = get_password (goa_id, "imap-password", &error);
  g_assert_null (lost);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND);
}

/* GOA's key file and keyring item written by hand: the daemon reads the file again when it
 * changes, and its account carries what the file says; taking the group out removes it. */
static void
test_key_file (void)
{
  const char *goa_id = "account_1700000000_7";
  g_autofree char *conf_dir = g_build_filename (g_get_user_config_dir (), "goa-1.0", NULL);
  g_autofree char *conf_path = g_build_filename (conf_dir, "accounts.conf", NULL);
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *imap_password = NULL;
  g_autofree char *smtp_password = NULL;
  g_autofree char *text = NULL;
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountServer *imap;
  HeronAccountServer *smtp;

  new_user ("erin", &user, &password);
  secret = g_strdup_printf ("{'imap-password': <'%s'>, 'smtp-password': <'smtp-%s'>}", password, password);
  g_assert_true (secret_password_store_sync (&goa_schema, SECRET_COLLECTION_DEFAULT, "GOA test",
                                             secret, NULL, &error,
                                             "goa-identity", "imap_smtp:gen0:account_1700000000_7",
                                             NULL));
  g_assert_no_error (error);

  text = g_strdup_printf ("[Account %s]\n"
                          "Provider=imap_smtp\n"
                          "Identity=%s\n"
                          "PresentationIdentity=Erin at work\n"
                          "Enabled=true\n"
                          "EmailAddress=%s\n"
                          "Name=Erin Example\n"
                          "ImapHost=%s:%u\n"
                          "ImapUserName=%s\n"
                          "ImapUseSsl=true\n"
                          "ImapUseTls=false\n"
                          "ImapAcceptSslErrors=true\n"
                          "SmtpHost=%s:%u\n"
                          "SmtpUseAuth=true\n"
                          "SmtpUserName=erin-smtp\n"
                          "SmtpAuthPlain=true\n"
                          "SmtpUseSsl=false\n"
                          "SmtpUseTls=true\n"
                          "SmtpAcceptSslErrors=true\n",
                          goa_id, user, user,
                          heron_test_server_get_host (server), heron_test_server_get_imaps_port (server),
                          user,
                          heron_test_server_get_host (server), heron_test_server_get_smtp_port (server));
  g_assert_cmpint (g_mkdir_with_parents (conf_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (conf_path, text, -1, &error));
  g_assert_no_error (error);
  wait_listed (goa_id, TRUE);

  config = find_proposal (goa_id);
  g_assert_cmpstr (heron_account_config_get_display_name (config), ==, "Erin at work");
  g_assert_cmpstr (heron_account_identity_get_name (heron_account_config_get_primary_identity (config)), ==,
                   "Erin Example");
  imap = heron_account_config_get_imap (config);
  g_assert_cmpuint (heron_account_server_get_effective_port (imap), ==, heron_test_server_get_imaps_port (server));
  g_assert_cmpint (heron_account_server_get_security (imap), ==, HERON_ACCOUNT_SECURITY_TLS);
  smtp = heron_account_config_get_smtp (config);
  g_assert_cmpuint (heron_account_server_get_effective_port (smtp), ==, heron_test_server_get_smtp_port (server));
  g_assert_cmpint (heron_account_server_get_security (smtp), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpstr (heron_account_server_get_user (smtp), ==, "erin-smtp");

  imap_password = get_password (goa_id, "imap-password", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imap_password, ==, password);
  smtp_password = get_password (goa_id, "smtp-password", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (smtp_password, "smtp-"));

  /* the group taken out of the file: the daemon drops the account */
  g_assert_true (g_file_set_contents (conf_path, "", -1, &error));
  g_assert_no_error (error);
  wait_listed (goa_id, FALSE);
  g_assert_true (secret_password_clear_sync (&goa_schema, NULL, &error,
                                             "goa-identity", "imap_smtp:gen0:account_1700000000_7",
                                             NULL));
}

static void
test_not_in_session (void)
{
  g_test_fail_printf ("test-account-goa-daemon runs goa-daemon on the session bus: it must run in "
                      "the private bus of tests/harness/heron-test-session (meson test does)");
}

int
main (int argc, char *argv[])
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (bus == NULL || strstr (bus, "/heron-session.") == NULL)
    {
      g_test_add_func ("/heron/account/goa-daemon/session", test_not_in_session);
      return g_test_run ();
    }

  server = heron_test_server_new (&error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);

      g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
      g_assert_no_error (error);
    }

  /* in this order: the first starts the daemon */
  g_test_add_func ("/heron/account/goa-daemon/no-daemon", test_no_daemon);
  g_test_add_func ("/heron/account/goa-daemon/list-mail-accounts", test_list_mail_accounts);
  g_test_add_func ("/heron/account/goa-daemon/mail-disabled", test_mail_disabled);
  g_test_add_func ("/heron/account/goa-daemon/removed", test_removed);
  g_test_add_func ("/heron/account/goa-daemon/key-file", test_key_file);

  status = g_test_run ();

  g_clear_object (&provider);
  heron_test_goa_stop (goa);
  heron_test_server_free (server);
  return status;
}
