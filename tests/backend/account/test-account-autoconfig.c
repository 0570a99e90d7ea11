/* test-account-autoconfig.c: autoconfiguration against real servers on loopback
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real: an HTTPS server (SoupServer) with a certificate made here by openssl, trusted through
 * the GTlsDatabase the test injects; TCP and TLS listeners (GSocketService on 127.0.0.1) for the
 * probes; the whole libsoup/GIO/glib-networking stack of the client.
 *
 * Mocked: DNS only (test-account-resolver.h). No DNS server that holds records for a test domain
 * can be reached from here, so the test resolver answers A lookups for the test host names (all
 * 127.0.0.1) and the SRV records of RFC 6186 tests.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "account/heron-account.h"
#include "test-account-resolver.h"

#define ADDRESS "alice@example.test"

static struct {
  char *dir;
  char *cert_file;
  char *key_file;
  GTlsCertificate *certificate;
  GTlsDatabase *database;
  TestAccountResolver *resolver;
} fixture;

/* The certificate every test server presents: self-signed, for the test names and 127.0.0.1. */
static gboolean
make_certificate (GError **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "2", "-subj", "/CN=Heron test CA",
    "-addext", "subjectAltName=DNS:example.test,DNS:autoconfig.example.test,DNS:imap.example.test,"
               "DNS:mail.example.test,DNS:smtp.example.test,DNS:localhost,IP:127.0.0.1",
    "-keyout", NULL, "-out", NULL, NULL,
  };

  fixture.dir = g_dir_make_tmp ("heron-autoconfig-XXXXXX", error);
  if (fixture.dir == NULL)
    return FALSE;
  fixture.cert_file = g_build_filename (fixture.dir, "cert.pem", NULL);
  fixture.key_file = g_build_filename (fixture.dir, "key.pem", NULL);
  argv[G_N_ELEMENTS (argv) - 4] = fixture.key_file;
  argv[G_N_ELEMENTS (argv) - 2] = fixture.cert_file;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "openssl could not make the test certificate (%s): ", err);
      return FALSE;
    }

  fixture.certificate = g_tls_certificate_new_from_files (fixture.cert_file, fixture.key_file, error);
  if (fixture.certificate == NULL)
    return FALSE;
  fixture.database = g_tls_file_database_new (fixture.cert_file, error);
  return fixture.database != NULL;
}

static void
remove_fixture (void)
{
  if (fixture.cert_file != NULL)
    g_unlink (fixture.cert_file);
  if (fixture.key_file != NULL)
    g_unlink (fixture.key_file);
  if (fixture.dir != NULL)
    g_rmdir (fixture.dir);
  g_clear_pointer (&fixture.cert_file, g_free);
  g_clear_pointer (&fixture.key_file, g_free);
  g_clear_pointer (&fixture.dir, g_free);
  g_clear_object (&fixture.certificate);
  g_clear_object (&fixture.database);
}

/* An HTTPS server on 127.0.0.1 answering fixed documents by path. */

typedef struct {
  SoupServer *server;
  guint port;
  GHashTable *bodies;   /* path -> body (status 200) */
  GHashTable *moved;    /* path -> Location (status 302) */
  GPtrArray *requests;  /* "path emailaddress=…" */
} HttpsServer;

static void
https_handler (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  HttpsServer *https = user_data;
  const char *body = g_hash_table_lookup (https->bodies, path);
  const char *address = query != NULL ? g_hash_table_lookup (query, "emailaddress") : NULL;

  g_ptr_array_add (https->requests, g_strdup_printf ("%s emailaddress=%s", path,
                                                     address != NULL ? address : "(none)"));
  if (g_hash_table_contains (https->moved, path))
    {
      soup_server_message_set_redirect (message, SOUP_STATUS_FOUND,
                                        g_hash_table_lookup (https->moved, path));
      return;
    }
  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/xml", SOUP_MEMORY_COPY, body, strlen (body));
}

static HttpsServer *
https_server_new (void)
{
  HttpsServer *https = g_new0 (HttpsServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  https->bodies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  https->moved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  https->requests = g_ptr_array_new_with_free_func (g_free);
  https->server = soup_server_new ("tls-certificate", fixture.certificate, NULL);
  soup_server_add_handler (https->server, NULL, https_handler, https, NULL);
  soup_server_listen_local (https->server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (https->server);
  g_assert_nonnull (uris);
  https->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return https;
}

static void
https_server_free (HttpsServer *https)
{
  soup_server_disconnect (https->server);
  g_object_unref (https->server);
  g_hash_table_unref (https->bodies);
  g_hash_table_unref (https->moved);
  g_ptr_array_unref (https->requests);
  g_free (https);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HttpsServer, https_server_free)

static void
https_server_serve (HttpsServer *https,
                    const char  *path,
                    const char  *body)
{
  g_hash_table_replace (https->bodies, g_strdup (path), g_strdup (body));
}

/* A listener on 127.0.0.1 for the probes. */

typedef enum {
  LISTEN_TLS,    /* completes a TLS handshake with the test certificate */
  LISTEN_PLAIN,  /* accepts and closes */
  LISTEN_SILENT, /* accepts and never says a word */
} ListenMode;

typedef struct {
  GSocketService *service;
  guint16 port;
  ListenMode mode;
  GPtrArray *connections; /* kept alive until the listener goes */
  guint n_accepted;
} Listener;

static void
server_handshake_cb (GObject      *source_object,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The client may hang up at once after its own checks; either way we are done. */
  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source_object), res, &error);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Listener *listener = user_data;
  g_autoptr(GError) error = NULL;

  listener->n_accepted++;
  switch (listener->mode)
    {
    case LISTEN_TLS:
      {
        GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), fixture.certificate, &error);

        g_assert_no_error (error);
        g_ptr_array_add (listener->connections, tls);
        g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                          server_handshake_cb, NULL);
      }
      break;
    case LISTEN_PLAIN:
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      break;
    case LISTEN_SILENT:
      g_ptr_array_add (listener->connections, g_object_ref (connection));
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static Listener *
listener_new (ListenMode mode)
{
  Listener *listener = g_new0 (Listener, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  listener->mode = mode;
  listener->connections = g_ptr_array_new_with_free_func (g_object_unref);
  listener->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (listener->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (listener->service, "incoming", G_CALLBACK (incoming_cb), listener);
  g_socket_service_start (listener->service);
  return listener;
}

static void
listener_free (Listener *listener)
{
  g_socket_service_stop (listener->service);
  g_socket_listener_close (G_SOCKET_LISTENER (listener->service));
  g_signal_handlers_disconnect_by_data (listener->service, listener);
  g_object_unref (listener->service);
  g_ptr_array_unref (listener->connections);
  g_free (listener);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Listener, listener_free)

/* A loopback port with nothing listening: connecting is refused. */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Running discovery. */

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
print_log (HeronAutoconfigResult *result)
{
  const char * const *log = heron_autoconfig_result_get_log (result);

  for (guint i = 0; log[i] != NULL; i++)
    g_test_message ("log: %s", log[i]);
}

static HeronAutoconfigResult *
discover (HeronAutoconfig  *autoconfig,
          const char       *address,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  HeronAutoconfigResult *found;

  heron_autoconfig_discover_async (autoconfig, address, "Alice Example", cancellable, result_cb, &result);

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = heron_autoconfig_discover_finish (autoconfig, result, error);
  if (found != NULL)
    print_log (found);
  return found;
}

static HeronAutoconfig *
new_autoconfig (HeronAutoconfigMethods methods,
                guint                  https_port)
{
  HeronAutoconfig *autoconfig = heron_autoconfig_new ();
  g_autofree char *subdomain = g_strdup_printf ("https://autoconfig.%%EMAILDOMAIN%%:%u/mail/config-v1.1.xml"
                                                "?emailaddress=%%EMAILADDRESS%%", https_port);
  g_autofree char *well_known = g_strdup_printf ("https://%%EMAILDOMAIN%%:%u/.well-known/autoconfig/mail/"
                                                 "config-v1.1.xml?emailaddress=%%EMAILADDRESS%%",
                                                 https_port);
  const char * const templates[] = { subdomain, well_known, NULL };

  heron_autoconfig_set_url_templates (autoconfig, templates);
  heron_autoconfig_set_tls_database (autoconfig, fixture.database);
  heron_autoconfig_set_methods (autoconfig, methods);
  heron_autoconfig_set_probe_timeout (autoconfig, 3000);
  /* Closed ports unless a test opens listeners: a stray probe is refused at once. */
  heron_autoconfig_set_probe_ports (autoconfig, closed_port (), closed_port (), closed_port (), closed_port ());
  return autoconfig;
}

static gboolean
log_contains (HeronAutoconfigResult *result,
              const char            *text)
{
  const char * const *log = heron_autoconfig_result_get_log (result);

  for (guint i = 0; log[i] != NULL; i++)
    if (strstr (log[i], text) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_server (HeronAutoconfigResult *result,
               HeronAccountProtocol   protocol,
               HeronAutoconfigSource  source,
               const char            *host,
               guint                  port,
               HeronAccountSecurity   security)
{
  HeronAccountConfig *config = heron_autoconfig_result_get_config (result);
  HeronAccountServer *server = protocol == HERON_ACCOUNT_PROTOCOL_IMAP
                               ? heron_account_config_get_imap (config)
                               : heron_account_config_get_smtp (config);

  g_assert_cmpint (heron_autoconfig_result_get_source (result, protocol), ==, source);
  g_assert_cmpstr (heron_account_server_get_host (server), ==, host);
  g_assert_cmpuint (heron_account_server_get_effective_port (server), ==, port);
  g_assert_cmpint (heron_account_server_get_security (server), ==, security);
}

static const char isp_document[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"example.test\">\n"
  "    <domain>example.test</domain>\n"
  "    <displayName>Example Test Mail</displayName>\n"
  "    <incomingServer type=\"imap\">\n"
  "      <hostname>imap.%EMAILDOMAIN%</hostname>\n"
  "      <port>993</port>\n"
  "      <socketType>SSL</socketType>\n"
  "      <username>%EMAILLOCALPART%</username>\n"
  "      <authentication>password-cleartext</authentication>\n"
  "    </incomingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.example.test</hostname>\n"
  "      <port>587</port>\n"
  "      <socketType>STARTTLS</socketType>\n"
  "      <username>%EMAILADDRESS%</username>\n"
  "      <authentication>password-cleartext</authentication>\n"
  "    </outgoingServer>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static void
test_isp_document (void)
{
  g_autoptr(HttpsServer) https = https_server_new ();
  g_autoptr(HeronAutoconfig) autoconfig = NULL;
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_url = NULL;
  HeronAccountConfig *config;
  HeronAccountIdentity *identity;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "autoconfig.example.test", "127.0.0.1");
  https_server_serve (https, "/mail/config-v1.1.xml", isp_document);
  autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ALL, https->port);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);

  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_ISP,
                 "imap.example.test", 993, HERON_ACCOUNT_SECURITY_TLS);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_SMTP, HERON_AUTOCONFIG_SOURCE_ISP,
                 "smtp.example.test", 587, HERON_ACCOUNT_SECURITY_STARTTLS);
  config = heron_autoconfig_result_get_config (result);
  g_assert_cmpstr (heron_account_server_get_user (heron_account_config_get_imap (config)), ==, "alice");
  g_assert_cmpstr (heron_account_server_get_user (heron_account_config_get_smtp (config)), ==, ADDRESS);
  g_assert_cmpint (heron_account_server_get_auth (heron_account_config_get_imap (config)), ==,
                   HERON_ACCOUNT_AUTH_PASSWORD);
  identity = heron_account_config_get_primary_identity (config);
  g_assert_cmpstr (heron_account_identity_get_address (identity), ==, ADDRESS);
  g_assert_cmpstr (heron_account_identity_get_name (identity), ==, "Alice Example");
  g_assert_null (heron_account_config_get_id (config));
  g_assert_true (heron_account_config_validate (config, NULL));

  expected_url = g_strdup_printf ("https://autoconfig.example.test:%u/mail/config-v1.1.xml"
                                  "?emailaddress=alice%%40example.test", https->port);
  g_assert_cmpstr (heron_autoconfig_result_get_source_url (result), ==, expected_url);
  g_assert_cmpstr (heron_autoconfig_result_get_provider_name (result), ==, "Example Test Mail");
  g_assert_cmpint (heron_autoconfig_result_get_certificate_status (result, HERON_ACCOUNT_PROTOCOL_IMAP), ==,
                   HERON_AUTOCONFIG_CERTIFICATE_UNKNOWN);

  /* One request, carrying the address; a complete document needs neither DNS nor probes. */
  g_assert_cmpuint (https->requests->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (https->requests, 0), ==,
                   "/mail/config-v1.1.xml emailaddress=" ADDRESS);
  g_assert_cmpuint (test_account_resolver_get_n_service_lookups (fixture.resolver), ==, 0);
}

static void
test_well_known_fallback (void)
{
  g_autoptr(HttpsServer) https = https_server_new ();
  g_autoptr(HeronAutoconfig) autoconfig = NULL;
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_url = NULL;

  https_server_serve (https, "/.well-known/autoconfig/mail/config-v1.1.xml", isp_document);
  autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ISP, https->port);
  expected_url = g_strdup_printf ("https://example.test:%u/.well-known/autoconfig/mail/config-v1.1.xml"
                                  "?emailaddress=alice%%40example.test", https->port);

  /* autoconfig.example.test does not exist. */
  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "example.test", "127.0.0.1");
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_ISP,
                 "imap.example.test", 993, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpstr (heron_autoconfig_result_get_source_url (result), ==, expected_url);
  g_assert_true (log_contains (result, "https://autoconfig.example.test:"));
  g_assert_cmpuint (https->requests->len, ==, 1);
  g_clear_object (&result);

  /* autoconfig.example.test exists but has no document (404). */
  test_account_resolver_add_host (fixture.resolver, "autoconfig.example.test", "127.0.0.1");
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heron_autoconfig_result_get_source_url (result), ==, expected_url);
  g_assert_true (log_contains (result, "HTTP 404"));
  g_assert_cmpuint (https->requests->len, ==, 3);
}

/* Redirects are followed hop by hop, and only to HTTPS. */
static void
test_redirects (void)
{
  g_autoptr(HttpsServer) https = https_server_new ();
  g_autoptr(HeronAutoconfig) autoconfig = NULL;
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *plain = NULL;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "autoconfig.example.test", "127.0.0.1");
  autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ISP, https->port);

  /* HTTPS to HTTPS: followed, and the document's address is where it was found. */
  moved = g_strdup_printf ("https://autoconfig.example.test:%u/moved.xml", https->port);
  g_hash_table_replace (https->moved, g_strdup ("/mail/config-v1.1.xml"), g_strdup (moved));
  https_server_serve (https, "/moved.xml", isp_document);
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_ISP,
                 "imap.example.test", 993, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpstr (heron_autoconfig_result_get_source_url (result), ==, moved);
  g_assert_cmpuint (https->requests->len, ==, 2);
  g_clear_object (&result);

  /* A hop to plain HTTP is refused at that hop, before anything is fetched from it; with only
   * the ISP method allowed, nothing is found, and the log says why. */
  plain = g_strdup_printf ("http://autoconfig.example.test:%u/moved.xml", https->port);
  g_hash_table_replace (https->moved, g_strdup ("/mail/config-v1.1.xml"), g_strdup (plain));
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "redirected away from HTTPS"));
  g_clear_error (&error);

  /* A redirect loop ends. */
  g_hash_table_replace (https->moved, g_strdup ("/mail/config-v1.1.xml"),
                        g_strdup_printf ("https://autoconfig.example.test:%u/mail/config-v1.1.xml",
                     https->port));
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "too many redirects"));
}

/* Broken documents are reported and the next method answers. */
static void
test_malformed_falls_through (void)
{
  g_autoptr(HttpsServer) https = https_server_new ();
  g_autoptr(HeronAutoconfig) autoconfig = NULL;
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "autoconfig.example.test", "127.0.0.1");
  test_account_resolver_add_host (fixture.resolver, "example.test", "127.0.0.1");
  test_account_resolver_add_srv (fixture.resolver, "_imaps._tcp.example.test", "imap.example.test", 993, 0, 1);
  test_account_resolver_add_srv (fixture.resolver, "_submission._tcp.example.test", "smtp.example.test", 587, 0, 1);
  https_server_serve (https, "/mail/config-v1.1.xml", "<clientConfig>\n<emailProvider>\n<oops");
  https_server_serve (https, "/.well-known/autoconfig/mail/config-v1.1.xml",
                      "<html><body>Welcome to example.test</body></html>");
  autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ISP | HERON_AUTOCONFIG_METHOD_SRV, https->port);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_SRV,
                 "imap.example.test", 993, HERON_ACCOUNT_SECURITY_TLS);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_SMTP, HERON_AUTOCONFIG_SOURCE_SRV,
                 "smtp.example.test", 587, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_true (log_contains (result, "The document is not well-formed XML (line 3"));
  g_assert_true (log_contains (result, "not an autoconfig document"));
  g_assert_null (heron_autoconfig_result_get_source_url (result));
  g_assert_cmpuint (https->requests->len, ==, 2);
}

/* A document that gives only IMAP: SRV fills in SMTP. */
static void
test_partial_document (void)
{
  g_autoptr(HttpsServer) https = https_server_new ();
  g_autoptr(HeronAutoconfig) autoconfig = NULL;
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "autoconfig.example.test", "127.0.0.1");
  test_account_resolver_add_srv (fixture.resolver, "_submissions._tcp.example.test", "out.example.test", 465, 0, 1);
  https_server_serve (https, "/mail/config-v1.1.xml",
                      "<clientConfig><emailProvider id=\"example.test\">"
                      "<incomingServer type=\"imap\"><hostname>in.example.test</hostname>"
                      "<port>1993</port><socketType>SSL</socketType>"
                      "<authentication>OAuth2</authentication></incomingServer>"
                      "</emailProvider></clientConfig>");
  autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ALL, https->port);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_ISP,
                 "in.example.test", 1993, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_account_server_get_auth (heron_account_config_get_imap (heron_autoconfig_result_get_config (result))),
                   ==, HERON_ACCOUNT_AUTH_XOAUTH2);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_SMTP, HERON_AUTOCONFIG_SOURCE_SRV,
                 "out.example.test", 465, HERON_ACCOUNT_SECURITY_TLS);
  /* Only the SMTP services were asked for. */
  g_assert_cmpuint (test_account_resolver_get_n_service_lookups (fixture.resolver), ==, 2);
}

/* A server whose certificate the client does not trust gives no document. */
static void
test_untrusted_https (void)
{
  g_autoptr(HttpsServer) https = https_server_new ();
  g_autoptr(HeronAutoconfig) autoconfig = NULL;
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "autoconfig.example.test", "127.0.0.1");
  test_account_resolver_add_host (fixture.resolver, "example.test", "127.0.0.1");
  https_server_serve (https, "/mail/config-v1.1.xml", isp_document);
  https_server_serve (https, "/.well-known/autoconfig/mail/config-v1.1.xml", isp_document);
  autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ISP, https->port);
  /* The system's trust, which does not know the test certificate. */
  heron_autoconfig_set_tls_database (autoconfig, NULL);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "No mail server settings were found for example.test"));
  g_assert_nonnull (strstr (error->message, "https://autoconfig.example.test:"));
  g_assert_nonnull (strstr (error->message, "/.well-known/autoconfig/"));
  /* The handshake failed: no request was ever made. */
  g_assert_cmpuint (https->requests->len, ==, 0);
}

/* RFC 6186 through the test resolver (a mock: no DNS server for a test domain can be reached). */
static void
test_srv_records (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_SRV, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_account_resolver_clear (fixture.resolver);
  /* Lowest priority first; at equal priority implicit TLS beats STARTTLS. */
  test_account_resolver_add_srv (fixture.resolver, "_imaps._tcp.example.test", "imap-b.example.test", 993, 10, 0);
  test_account_resolver_add_srv (fixture.resolver, "_imaps._tcp.example.test", "imap-a.example.test", 9993, 5, 0);
  test_account_resolver_add_srv (fixture.resolver, "_imap._tcp.example.test", "plain-imap.example.test", 143, 5, 100);
  /* "." : submission with implicit TLS is decidedly not offered. */
  test_account_resolver_add_srv (fixture.resolver, "_submissions._tcp.example.test", ".", 0, 0, 0);
  /* Among equal priorities, the larger weight; a trailing dot is dropped. */
  test_account_resolver_add_srv (fixture.resolver, "_submission._tcp.example.test", "light.example.test.", 587, 0, 1);
  test_account_resolver_add_srv (fixture.resolver, "_submission._tcp.example.test", "heavy.example.test.", 2587, 0, 50);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_SRV,
                 "imap-a.example.test", 9993, HERON_ACCOUNT_SECURITY_TLS);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_SMTP, HERON_AUTOCONFIG_SOURCE_SRV,
                 "heavy.example.test", 2587, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_true (log_contains (result, "_submissions._tcp.example.test says the service is not offered"));
  g_assert_cmpstr (heron_account_server_get_user (heron_account_config_get_imap (heron_autoconfig_result_get_config (result))),
                   ==, ADDRESS);
  g_assert_cmpuint (test_account_resolver_get_n_service_lookups (fixture.resolver), ==, 4);
  g_clear_object (&result);

  /* Priority is compared across the two services: a better STARTTLS record wins. */
  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_srv (fixture.resolver, "_imap._tcp.example.test", "first.example.test", 143, 1, 0);
  test_account_resolver_add_srv (fixture.resolver, "_imaps._tcp.example.test", "second.example.test", 993, 2, 0);
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_SRV,
                 "first.example.test", 143, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (heron_autoconfig_result_get_source (result, HERON_ACCOUNT_PROTOCOL_SMTP), ==,
                   HERON_AUTOCONFIG_SOURCE_NONE);
  g_assert_null (heron_account_server_get_host (heron_account_config_get_smtp (heron_autoconfig_result_get_config (result))));
  g_clear_object (&result);

  /* Nothing offered at all. */
  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_srv (fixture.resolver, "_imaps._tcp.example.test", ".", 0, 0, 0);
  test_account_resolver_add_srv (fixture.resolver, "_imap._tcp.example.test", ".", 0, 0, 0);
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "_imap._tcp.example.test says the service is not offered"));
  g_assert_nonnull (strstr (error->message, "no SRV record _submission._tcp.example.test"));
}

static void
set_probe_ports (HeronAutoconfig *autoconfig,
                 Listener        *imap_tls,
                 Listener        *imap_plain,
                 Listener        *smtp_tls,
                 Listener        *smtp_plain)
{
  heron_autoconfig_set_probe_ports (autoconfig,
                                    imap_tls != NULL ? imap_tls->port : closed_port (),
                                    imap_plain != NULL ? imap_plain->port : closed_port (),
                                    smtp_tls != NULL ? smtp_tls->port : closed_port (),
                                    smtp_plain != NULL ? smtp_plain->port : closed_port ());
}

/* Every name answers on both ports: implicit TLS with a valid certificate on the first name. */
static void
test_probe_prefers_verified_tls (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_PROBE, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Listener) imap_tls = listener_new (LISTEN_TLS);
  g_autoptr(Listener) imap_plain = listener_new (LISTEN_PLAIN);
  g_autoptr(Listener) smtp_tls = listener_new (LISTEN_TLS);
  g_autoptr(Listener) smtp_plain = listener_new (LISTEN_PLAIN);
  GTlsCertificate *certificate;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "imap.example.test", "127.0.0.1");
  test_account_resolver_add_host (fixture.resolver, "smtp.example.test", "127.0.0.1");
  test_account_resolver_add_host (fixture.resolver, "mail.example.test", "127.0.0.1");
  test_account_resolver_add_host (fixture.resolver, "example.test", "127.0.0.1");
  set_probe_ports (autoconfig, imap_tls, imap_plain, smtp_tls, smtp_plain);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "imap.example.test", imap_tls->port, HERON_ACCOUNT_SECURITY_TLS);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_SMTP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "smtp.example.test", smtp_tls->port, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_autoconfig_result_get_certificate_status (result, HERON_ACCOUNT_PROTOCOL_IMAP), ==,
                   HERON_AUTOCONFIG_CERTIFICATE_VERIFIED);
  g_assert_cmpint (heron_autoconfig_result_get_certificate_errors (result, HERON_ACCOUNT_PROTOCOL_IMAP), ==, 0);
  certificate = heron_autoconfig_result_get_certificate (result, HERON_ACCOUNT_PROTOCOL_IMAP);
  g_assert_nonnull (certificate);
  g_assert_true (g_tls_certificate_is_same (certificate, fixture.certificate));
  /* All three names were tried on every port, at once. */
  g_assert_cmpuint (imap_tls->n_accepted, ==, 3);
  g_assert_cmpuint (imap_plain->n_accepted, ==, 3);
  g_assert_cmpuint (smtp_tls->n_accepted, ==, 3);
  g_assert_cmpuint (smtp_plain->n_accepted, ==, 3);
  g_assert_true (heron_account_config_validate (heron_autoconfig_result_get_config (result), NULL));
}

/* Only STARTTLS answers, and only on mail.<domain>. */
static void
test_probe_starttls_only (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_PROBE, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Listener) imap_plain = listener_new (LISTEN_PLAIN);
  g_autoptr(Listener) smtp_plain = listener_new (LISTEN_PLAIN);

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "mail.example.test", "127.0.0.1");
  set_probe_ports (autoconfig, NULL, imap_plain, NULL, smtp_plain);

  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "mail.example.test", imap_plain->port, HERON_ACCOUNT_SECURITY_STARTTLS);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_SMTP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "mail.example.test", smtp_plain->port, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (heron_autoconfig_result_get_certificate_status (result, HERON_ACCOUNT_PROTOCOL_IMAP), ==,
                   HERON_AUTOCONFIG_CERTIFICATE_UNKNOWN);
  g_assert_null (heron_autoconfig_result_get_certificate (result, HERON_ACCOUNT_PROTOCOL_IMAP));
  g_assert_true (log_contains (result, "Probe: imap.example.test port"));
  g_assert_true (log_contains (result, "Probe: mail.example.test port"));
}

/* A certificate for other names is recorded as not verified, with why; TLS is still preferred
 * to STARTTLS. */
static void
test_probe_unverified_certificate (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_PROBE, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Listener) imap_tls = listener_new (LISTEN_TLS);
  g_autoptr(Listener) imap_plain = listener_new (LISTEN_PLAIN);
  g_autoptr(Listener) smtp_tls = listener_new (LISTEN_TLS);

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "imap.other.test", "127.0.0.1");
  test_account_resolver_add_host (fixture.resolver, "smtp.other.test", "127.0.0.1");
  set_probe_ports (autoconfig, imap_tls, imap_plain, smtp_tls, NULL);

  result = discover (autoconfig, "bob@other.test", NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "imap.other.test", imap_tls->port, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_autoconfig_result_get_certificate_status (result, HERON_ACCOUNT_PROTOCOL_IMAP), ==,
                   HERON_AUTOCONFIG_CERTIFICATE_NOT_VERIFIED);
  g_assert_true (heron_autoconfig_result_get_certificate_errors (result, HERON_ACCOUNT_PROTOCOL_IMAP)
                 & G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_nonnull (heron_autoconfig_result_get_certificate (result, HERON_ACCOUNT_PROTOCOL_IMAP));
  g_assert_true (log_contains (result, "did NOT verify"));

  /* Without the test CA in the trust store the issuer is unknown too. */
  g_clear_object (&result);
  heron_autoconfig_set_tls_database (autoconfig, NULL);
  test_account_resolver_add_host (fixture.resolver, "mail.example.test", "127.0.0.1");
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "mail.example.test", imap_tls->port, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_true (heron_autoconfig_result_get_certificate_errors (result, HERON_ACCOUNT_PROTOCOL_IMAP)
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
}

/* A port that accepts but never speaks TLS costs one timeout, not a hang. */
static void
test_probe_timeout (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_PROBE, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Listener) imap_silent = listener_new (LISTEN_SILENT);
  g_autoptr(Listener) imap_plain = listener_new (LISTEN_PLAIN);
  gint64 start;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "imap.example.test", "127.0.0.1");
  set_probe_ports (autoconfig, imap_silent, imap_plain, NULL, NULL);
  heron_autoconfig_set_probe_timeout (autoconfig, 700);

  start = g_get_monotonic_time ();
  result = discover (autoconfig, ADDRESS, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 600 * 1000);
  assert_server (result, HERON_ACCOUNT_PROTOCOL_IMAP, HERON_AUTOCONFIG_SOURCE_PROBE,
                 "imap.example.test", imap_plain->port, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_true (log_contains (result, "did not answer within 700 ms"));
  g_assert_cmpint (heron_autoconfig_result_get_source (result, HERON_ACCOUNT_PROTOCOL_SMTP), ==,
                   HERON_AUTOCONFIG_SOURCE_NONE);
}

static void
test_nothing_found (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ALL, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_account_resolver_clear (fixture.resolver);
  result = discover (autoconfig, "someone@nowhere.test", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "No mail server settings were found for nowhere.test"));
  g_assert_nonnull (strstr (error->message, "Autoconfig: https://autoconfig.nowhere.test:1/"));
  g_assert_nonnull (strstr (error->message, "DNS: no SRV record _imaps._tcp.nowhere.test"));
  g_assert_nonnull (strstr (error->message, "Probe: imap.nowhere.test port"));
  g_assert_nonnull (strstr (error->message, "Probe: smtp.nowhere.test port"));
}

static void
test_bad_address (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_ALL, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = discover (autoconfig, "not an address", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig (HERON_AUTOCONFIG_METHOD_PROBE, 1);
  g_autoptr(HeronAutoconfigResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(Listener) silent = listener_new (LISTEN_SILENT);
  gint64 start;

  test_account_resolver_clear (fixture.resolver);
  test_account_resolver_add_host (fixture.resolver, "imap.example.test", "127.0.0.1");
  heron_autoconfig_set_probe_ports (autoconfig, silent->port, silent->port, silent->port, silent->port);
  heron_autoconfig_set_probe_timeout (autoconfig, 60000);

  g_timeout_add (200, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  result = discover (autoconfig, ADDRESS, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_fixture_failed (gconstpointer data)
{
  g_test_fail_printf ("the test certificate could not be made: %s", (const char *) data);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GResolver) previous = NULL;
  int status;

  /* Not G_TEST_OPTION_ISOLATE_DIRS: it hides the system's GSettings schemas, and GIO's default
   * proxy resolver (glib-networking's GNOME one) aborts without org.gnome.system.proxy. Nothing
   * here reads or writes the XDG directories. */
  g_test_init (&argc, &argv, NULL);

  if (!make_certificate (&error))
    {
      g_test_add_data_func ("/heron/account/autoconfig/fixture", error->message, test_fixture_failed);
      status = g_test_run ();
      remove_fixture ();
      return status;
    }

  previous = g_resolver_get_default ();
  fixture.resolver = test_account_resolver_new ();
  g_resolver_set_default (G_RESOLVER (fixture.resolver));

  g_test_add_func ("/heron/account/autoconfig/isp-document", test_isp_document);
  g_test_add_func ("/heron/account/autoconfig/well-known-fallback", test_well_known_fallback);
  g_test_add_func ("/heron/account/autoconfig/redirects", test_redirects);
  g_test_add_func ("/heron/account/autoconfig/malformed-falls-through", test_malformed_falls_through);
  g_test_add_func ("/heron/account/autoconfig/partial-document", test_partial_document);
  g_test_add_func ("/heron/account/autoconfig/untrusted-https", test_untrusted_https);
  g_test_add_func ("/heron/account/autoconfig/srv-records", test_srv_records);
  g_test_add_func ("/heron/account/autoconfig/probe-prefers-verified-tls", test_probe_prefers_verified_tls);
  g_test_add_func ("/heron/account/autoconfig/probe-starttls-only", test_probe_starttls_only);
  g_test_add_func ("/heron/account/autoconfig/probe-unverified-certificate", test_probe_unverified_certificate);
  g_test_add_func ("/heron/account/autoconfig/probe-timeout", test_probe_timeout);
  g_test_add_func ("/heron/account/autoconfig/nothing-found", test_nothing_found);
  g_test_add_func ("/heron/account/autoconfig/bad-address", test_bad_address);
  g_test_add_func ("/heron/account/autoconfig/cancel", test_cancel);

  status = g_test_run ();

  g_resolver_set_default (previous);
  g_clear_object (&fixture.resolver);
  remove_fixture ();
  return status;
}
