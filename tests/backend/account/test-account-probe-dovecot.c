/* test-account-probe-dovecot.c: probing the real Dovecot and Postfix of tests/servers
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The servers are real (heron-test-server.h: Dovecot with IMAP over implicit TLS and STARTTLS,
 * Postfix with submission over implicit TLS and STARTTLS, on loopback ports, presenting a
 * self-signed certificate for localhost and 127.0.0.1). The probe ports are those of the servers.
 *
 * The address is alice@localhost, so the probed names are imap.localhost, mail.localhost and
 * localhost. GResolver answers "localhost" (and, in some GLib versions, "*.localhost") itself;
 * the test resolver (the mock of test-account-resolver.h: no DNS here) knows no other name. The
 * certificate is for "localhost": trusted, only that name verifies and is chosen; untrusted, any
 * of them may answer first, none verifies.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "account/heron-account.h"
#include "heron-test-server.h"
#include "test-account-resolver.h"

static HeronTestServer *server;
static gboolean with_smtp;

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HeronAutoconfigResult *
probe (GTlsDatabase  *database,
       GError       **error)
{
  g_autoptr(HeronAutoconfig) autoconfig = heron_autoconfig_new ();
  g_autoptr(GAsyncResult) result = NULL;
  HeronAutoconfigResult *found;

  heron_autoconfig_set_methods (autoconfig, HERON_AUTOCONFIG_METHOD_PROBE);
  heron_autoconfig_set_tls_database (autoconfig, database);
  heron_autoconfig_set_probe_timeout (autoconfig, 5000);
  heron_autoconfig_set_probe_ports (autoconfig,
                                    heron_test_server_get_imaps_port (server),
                                    heron_test_server_get_imap_port (server),
                                    with_smtp ? heron_test_server_get_smtps_port (server) : 1,
                                    with_smtp ? heron_test_server_get_smtp_port (server) : 1);

  heron_autoconfig_discover_async (autoconfig, "alice@localhost", NULL, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = heron_autoconfig_discover_finish (autoconfig, result, error);
  if (found != NULL)
    {
      const char * const *log = heron_autoconfig_result_get_log (found);

      for (guint i = 0; log[i] != NULL; i++)
        g_test_message ("log: %s", log[i]);
    }
  return found;
}

/* host NULL: any of the probed loopback names (GLib may answer "*.localhost" itself). */
static void
assert_found (HeronAutoconfigResult      *result,
              HeronAccountProtocol        protocol,
              const char                 *host,
              guint16                     port,
              HeronAutoconfigCertificate  status)
{
  HeronAccountConfig *config = heron_autoconfig_result_get_config (result);
  HeronAccountServer *found = protocol == HERON_ACCOUNT_PROTOCOL_IMAP
                              ? heron_account_config_get_imap (config)
                              : heron_account_config_get_smtp (config);

  g_assert_cmpint (heron_autoconfig_result_get_source (result, protocol), ==, HERON_AUTOCONFIG_SOURCE_PROBE);
  if (host != NULL)
    g_assert_cmpstr (heron_account_server_get_host (found), ==, host);
  else
    g_assert_true (g_str_has_suffix (heron_account_server_get_host (found), "localhost"));
  g_assert_cmpuint (heron_account_server_get_effective_port (found), ==, port);
  g_assert_cmpint (heron_account_server_get_security (found), ==, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_autoconfig_result_get_certificate_status (result, protocol), ==, status);
  g_assert_nonnull (heron_autoconfig_result_get_certificate (result, protocol));
}

/* Implicit TLS on the real servers, with their certificate trusted: verified. */
static void
test_trusted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_autoptr(HeronAutoconfigResult) result = NULL;

  g_assert_no_error (error);
  result = probe (database, &error);
  g_assert_no_error (error);

  assert_found (result, HERON_ACCOUNT_PROTOCOL_IMAP, "localhost", heron_test_server_get_imaps_port (server),
                HERON_AUTOCONFIG_CERTIFICATE_VERIFIED);
  g_assert_true (g_tls_certificate_is_same (heron_autoconfig_result_get_certificate (result, HERON_ACCOUNT_PROTOCOL_IMAP),
                                            heron_test_server_get_certificate (server)));
  if (with_smtp)
    assert_found (result, HERON_ACCOUNT_PROTOCOL_SMTP, "localhost", heron_test_server_get_smtps_port (server),
                  HERON_AUTOCONFIG_CERTIFICATE_VERIFIED);
}

/* The same servers with the system's trust: found, but the certificate is not verified, and the
 * result carries it so the person can look at it and pin it. */
static void
test_untrusted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronAutoconfigResult) result = probe (NULL, &error);

  g_assert_no_error (error);
  assert_found (result, HERON_ACCOUNT_PROTOCOL_IMAP, NULL, heron_test_server_get_imaps_port (server),
                HERON_AUTOCONFIG_CERTIFICATE_NOT_VERIFIED);
  g_assert_true (heron_autoconfig_result_get_certificate_errors (result, HERON_ACCOUNT_PROTOCOL_IMAP)
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
}

/* When only Dovecot's STARTTLS port is asked about, STARTTLS is found. */
static void
test_starttls (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = heron_autoconfig_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronAutoconfigResult) found = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountServer *imap;

  heron_autoconfig_set_methods (autoconfig, HERON_AUTOCONFIG_METHOD_PROBE);
  heron_autoconfig_set_probe_timeout (autoconfig, 5000);
  /* Port 1 is closed on loopback: implicit TLS is refused there. */
  heron_autoconfig_set_probe_ports (autoconfig, 1, heron_test_server_get_imap_port (server), 1, 1);
  heron_autoconfig_discover_async (autoconfig, "alice@localhost", NULL, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = heron_autoconfig_discover_finish (autoconfig, result, &error);
  g_assert_no_error (error);

  imap = heron_account_config_get_imap (heron_autoconfig_result_get_config (found));
  g_assert_true (g_str_has_suffix (heron_account_server_get_host (imap), "localhost"));
  g_assert_cmpuint (heron_account_server_get_effective_port (imap), ==, heron_test_server_get_imap_port (server));
  g_assert_cmpint (heron_account_server_get_security (imap), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
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
  g_autoptr(GResolver) previous = NULL;
  g_autoptr(TestAccountResolver) resolver = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Postfix only runs for root (heron-test-server.h); a non-root developer still probes IMAP. */
  with_smtp = getuid () == 0;
  server = heron_test_server_new_full (with_smtp ? HERON_TEST_SERVER_FLAGS_NONE
                                                 : HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    {
      g_test_add_data_func ("/heron/account/probe-dovecot/servers", error->message, test_server_failed);
      return g_test_run ();
    }

  previous = g_resolver_get_default ();
  resolver = test_account_resolver_new ();
  g_resolver_set_default (G_RESOLVER (resolver));

  g_test_add_func ("/heron/account/probe-dovecot/trusted", test_trusted);
  g_test_add_func ("/heron/account/probe-dovecot/untrusted", test_untrusted);
  g_test_add_func ("/heron/account/probe-dovecot/starttls", test_starttls);
  status = g_test_run ();

  g_resolver_set_default (previous);
  heron_test_server_free (server);
  return status;
}
