/* test-account-check.c: checking an account before it is saved (heron-account-check.h)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real Dovecot and Postfix of tests/servers (heron-test-server.h): a good account,
 * a wrong password, an unpinned self-signed certificate. Against nothing: a closed loopback
 * port, and a name under the reserved .invalid TLD (RFC 6761: resolvers answer NXDOMAIN, here
 * offline too). Against the scripted server (heron-script-server.h): what Gmail answers when it
 * wants an app password, over IMAP and over SMTP.
 */

#include "config.h"

#include <string.h>

#include "account/heron-account.h"
#include "heron-script-server.h"
#include "heron-test-server.h"
#include "net/heron-tls.h"

static HeronTestServer *server;

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs a check to its end; the GAsyncResult stays for the certificate accessors. */
static HeronAccountCheckResult *
check (HeronAccountConfig      *config,
       const char              *password,
       HeronAccountCheckFlags   flags,
       GAsyncResult           **out_result,
       GError                 **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  HeronAccountCheckResult *found;

  heron_account_check_async (config, password, flags, NULL, result_cb, &result);
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
set_server (HeronAccountServer   *account_server,
            const char           *host,
            guint16               port,
            HeronAccountSecurity  security,
            const char           *user,
            const char           *pinned_file)
{
  heron_account_server_set_host (account_server, host);
  heron_account_server_set_port (account_server, port);
  heron_account_server_set_security (account_server, security);
  heron_account_server_set_user (account_server, user);
  heron_account_server_set_pinned_certificate_file (account_server, pinned_file);
  if (security == HERON_ACCOUNT_SECURITY_NONE)
    heron_account_server_set_allow_plaintext_on_loopback (account_server, TRUE);
}

/* The harness's servers over implicit TLS; pinned: the harness certificate, or NULL. */
static HeronAccountConfig *
harness_config (gboolean pinned)
{
  HeronAccountConfig *config = heron_account_config_new ();
  const char *ca = pinned ? heron_test_server_get_ca_file (server) : NULL;

  set_server (heron_account_config_get_imap (config), heron_test_server_get_host (server),
              heron_test_server_get_imaps_port (server), HERON_ACCOUNT_SECURITY_TLS,
              heron_test_server_get_user (server), ca);
  set_server (heron_account_config_get_smtp (config), heron_test_server_get_host (server),
              heron_test_server_get_smtps_port (server), HERON_ACCOUNT_SECURITY_TLS,
              heron_test_server_get_user (server), ca);
  return config;
}

static void
test_success (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (TRUE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  found = check (config, heron_test_server_get_password (server), HERON_ACCOUNT_CHECK_NONE,
                 &result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  /* INBOX and the special-use folders the harness creates. */
  g_assert_cmpuint (found->n_folders, >=, 6);
  g_assert_nonnull (found->imap_capabilities);
  g_assert_true (g_strv_contains ((const char * const *) found->imap_capabilities, "IMAP4REV1"));
  g_assert_nonnull (found->smtp_extensions);
  g_assert_cmpuint (g_strv_length (found->smtp_extensions), >, 0);
  g_assert_nonnull (heron_account_check_get_peer_certificate (result));
}

/* STARTTLS on both servers, as an autoconfigured account often is. */
static void
test_success_starttls (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (TRUE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GError) error = NULL;

  heron_account_server_set_port (heron_account_config_get_imap (config),
                                 heron_test_server_get_imap_port (server));
  heron_account_server_set_security (heron_account_config_get_imap (config),
                                     HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_port (heron_account_config_get_smtp (config),
                                 heron_test_server_get_smtp_port (server));
  heron_account_server_set_security (heron_account_config_get_smtp (config),
                                     HERON_ACCOUNT_SECURITY_STARTTLS);
  /* a pin belongs to the port and security it was made for: the changes above dropped it */
  g_assert_null (heron_account_server_get_pinned_certificate_file (heron_account_config_get_imap (config)));
  heron_account_server_set_pinned_certificate_file (heron_account_config_get_imap (config),
                                                    heron_test_server_get_ca_file (server));
  heron_account_server_set_pinned_certificate_file (heron_account_config_get_smtp (config),
                                                    heron_test_server_get_ca_file (server));

  found = check (config, heron_test_server_get_password (server), HERON_ACCOUNT_CHECK_NONE,
                 NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->n_folders, >, 0);
}

static void
test_wrong_password (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (TRUE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  found = check (config, "not the password", HERON_ACCOUNT_CHECK_NONE, &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED);
  expected = g_strdup_printf ("The server did not accept the password for %s",
                              heron_test_server_get_user (server));
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (heron_account_check_get_failed_protocol (result), ==, HERON_ACCOUNT_PROTOCOL_IMAP);
}

/* The IMAP login is right and the SMTP one is skipped to reach Postfix with a wrong password:
 * its 535 is AUTH_FAILED too. */
static void
test_wrong_password_smtp (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (TRUE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  found = check (config, "not the password", HERON_ACCOUNT_CHECK_SKIP_IMAP, &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "did not accept the password"));
  g_assert_cmpint (heron_account_check_get_failed_protocol (result), ==, HERON_ACCOUNT_PROTOCOL_SMTP);
}

static void
test_untrusted (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (FALSE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  GTlsCertificate *presented;

  found = check (config, heron_test_server_get_password (server), HERON_ACCOUNT_CHECK_NONE,
                 &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED);

  expected = heron_tls_certificate_dup_fingerprint (heron_test_server_get_certificate (server));
  g_assert_true (g_str_has_prefix (expected, "SHA-256 "));
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_nonnull (strstr (error->message, "not trusted"));

  presented = heron_account_check_get_peer_certificate (result);
  g_assert_nonnull (presented);
  g_assert_true (g_tls_certificate_is_same (presented, heron_test_server_get_certificate (server)));
  g_assert_cmpint (heron_account_check_get_certificate_errors (result), !=, 0);
}

/* The UI pins what the failed check presented, and the next check passes. */
static void
test_pin_after_untrusted (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (FALSE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;

  found = check (config, heron_test_server_get_password (server), HERON_ACCOUNT_CHECK_SKIP_SMTP,
                 &result, &error);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED);
  g_clear_error (&error);

  g_object_get (heron_account_check_get_peer_certificate (result), "certificate-pem", &pem, NULL);
  heron_account_server_set_pinned_certificate_pem (heron_account_config_get_imap (config), pem);
  found = check (config, heron_test_server_get_password (server), HERON_ACCOUNT_CHECK_SKIP_SMTP,
                 NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->n_folders, >, 0);
  g_assert_null (found->smtp_extensions);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, &error);
  g_assert_no_error (error);
  return port;
}

static void
test_connection_refused (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (TRUE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  guint16 port = closed_port ();

  set_server (heron_account_config_get_imap (config), "127.0.0.1", port,
              HERON_ACCOUNT_SECURITY_TLS, "alice@example.test", NULL);
  found = check (config, "secret", HERON_ACCOUNT_CHECK_NONE, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("The server 127.0.0.1 refused the connection on port %u", port);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_host_not_found (void)
{
  g_autoptr(HeronAccountConfig) config = harness_config (TRUE);
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GError) error = NULL;

  set_server (heron_account_config_get_imap (config), "imap.heron-test.invalid", 993,
              HERON_ACCOUNT_SECURITY_TLS, "alice@example.test", NULL);
  found = check (config, "secret", HERON_ACCOUNT_CHECK_NONE, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_HOST_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "The server name imap.heron-test.invalid was not found");
}

#define APP_PASSWORD_WORDS \
  "The server needs an app password or a sign-in through the provider (OAuth) for this account"

static HeronAccountConfig *
script_config (HeronScriptServer *script)
{
  HeronAccountConfig *config = heron_account_config_new ();

  set_server (heron_account_config_get_imap (config), heron_script_server_get_host (script),
              heron_script_server_get_port (script), HERON_ACCOUNT_SECURITY_NONE,
              "alice@example.test", NULL);
  set_server (heron_account_config_get_smtp (config), heron_script_server_get_host (script),
              heron_script_server_get_port (script), HERON_ACCOUNT_SECURITY_NONE,
              "alice@example.test", NULL);
  return config;
}

/* What Gmail answers to the account password when the account has 2-step verification. */
static void
test_app_password_imap (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronScriptServer) script = heron_script_server_new (&error);
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountCheckResult) found = NULL;

  g_assert_no_error (error);
  config = script_config (script);
  heron_script_server_send (script, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  heron_script_server_expect (script, "* AUTHENTICATE PLAIN *");
  heron_script_server_send (script, "$TAG NO [ALERT] Application-specific password required\r\n");
  heron_script_server_expect_close (script);

  found = check (config, "secret", HERON_ACCOUNT_CHECK_SKIP_SMTP, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED);
  g_assert_cmpstr (error->message, ==, APP_PASSWORD_WORDS);
  g_clear_error (&error);
  g_assert_true (heron_script_server_wait (script, 5000, &error));
  g_assert_no_error (error);
}

/* The same through the LOGIN command, when the server offers no SASL mechanism. */
static void
test_app_password_imap_login (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronScriptServer) script = heron_script_server_new (&error);
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountCheckResult) found = NULL;

  g_assert_no_error (error);
  config = script_config (script);
  heron_script_server_send (script, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (script, "* LOGIN *");
  heron_script_server_send (script, "$TAG NO [ALERT] Application-specific password required\r\n");
  heron_script_server_expect_close (script);

  found = check (config, "secret", HERON_ACCOUNT_CHECK_SKIP_SMTP, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED);
  g_assert_cmpstr (error->message, ==, APP_PASSWORD_WORDS);
  g_clear_error (&error);
  g_assert_true (heron_script_server_wait (script, 5000, &error));
  g_assert_no_error (error);
}

/* Gmail's submission server: 534-5.7.9 Application-specific password required. */
static void
test_app_password_smtp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronScriptServer) script = heron_script_server_new (&error);
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountCheckResult) found = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_no_error (error);
  config = script_config (script);
  heron_script_server_send (script, "220 smtp.example.test ESMTP\r\n");
  heron_script_server_expect (script, "EHLO *");
  heron_script_server_send (script, "250-smtp.example.test\r\n250 AUTH PLAIN LOGIN\r\n");
  heron_script_server_expect (script, "AUTH PLAIN *");
  heron_script_server_send (script,
                            "534-5.7.9 Application-specific password required. Learn more at\r\n"
                            "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor\r\n");
  heron_script_server_expect (script, "QUIT");
  heron_script_server_send (script, "221 2.0.0 Bye\r\n");
  heron_script_server_expect_close (script);

  found = check (config, "secret", HERON_ACCOUNT_CHECK_SKIP_IMAP, &result, &error);
  g_assert_null (found);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED);
  g_assert_cmpstr (error->message, ==, APP_PASSWORD_WORDS);
  g_assert_cmpint (heron_account_check_get_failed_protocol (result), ==, HERON_ACCOUNT_PROTOCOL_SMTP);
  g_clear_error (&error);
  g_assert_true (heron_script_server_wait (script, 5000, &error));
  g_assert_no_error (error);
}

static void
test_server_failed (gconstpointer data)
{
  g_test_fail_printf ("the test mail servers did not start: %s", (const char *) data);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = heron_test_server_new (&error);
  if (server == NULL)
    {
      g_test_add_data_func ("/heron/account/check/servers", error->message, test_server_failed);
      return g_test_run ();
    }

  g_test_add_func ("/heron/account/check/success", test_success);
  g_test_add_func ("/heron/account/check/success-starttls", test_success_starttls);
  g_test_add_func ("/heron/account/check/wrong-password", test_wrong_password);
  g_test_add_func ("/heron/account/check/wrong-password-smtp", test_wrong_password_smtp);
  g_test_add_func ("/heron/account/check/certificate-untrusted", test_untrusted);
  g_test_add_func ("/heron/account/check/pin-after-untrusted", test_pin_after_untrusted);
  g_test_add_func ("/heron/account/check/connection-refused", test_connection_refused);
  g_test_add_func ("/heron/account/check/host-not-found", test_host_not_found);
  g_test_add_func ("/heron/account/check/app-password-imap", test_app_password_imap);
  g_test_add_func ("/heron/account/check/app-password-imap-login", test_app_password_imap_login);
  g_test_add_func ("/heron/account/check/app-password-smtp", test_app_password_smtp);
  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
