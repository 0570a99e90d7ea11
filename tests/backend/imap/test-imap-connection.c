/* test-imap-connection.c: HeronImapConnection against the scripted loopback server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every fault a real Dovecot will not produce: STARTTLS response injection, a refused or missing
 * STARTTLS, PREAUTH before TLS, untrusted, pinned and changed certificates, a tagged reply for an
 * unknown tag, stalls, garbage, BYE, a drop in the middle of a literal, limits, synchronizing and
 * non-synchronizing literals, COMPRESS with data right behind its OK, and a 100 MB body streamed
 * in bounded memory. The client runs on the test's main context; the server on its own thread.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "heron-script-server.h"
#include "imap/heron-imap-connection.h"

#define WAIT_MS 10000

/* Helpers */

typedef struct {
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_until (gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, on_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out waiting for the client");
  g_source_remove (id);
}

static void
spin (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static HeronScriptServer *
new_server (void)
{
  g_autoptr(GError) error = NULL;
  HeronScriptServer *server = heron_script_server_new (&error);

  g_assert_no_error (error);
  return server;
}

static void
assert_server_ok (HeronScriptServer *server)
{
  g_autoptr(GError) error = NULL;

  if (!heron_script_server_wait (server, WAIT_MS, &error))
    g_error ("The script failed: %s", error->message);
}

/* Runs the client's main context until the script has run to its end. */
static void
run_server (HeronScriptServer *server)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_script_server_wait_async (server, on_done, &wait);
  run_until (&wait.done);
  if (!heron_script_server_wait_finish (wait.result, &error))
    g_error ("The script failed: %s", error->message);
  g_object_unref (wait.result);
}

/* Settings for server. trust: the server's certificate is the only trust anchor. */
static void
init_settings (HeronImapConnectionSettings *settings,
               HeronScriptServer           *server,
               HeronImapSecurity            security,
               gboolean                     trust)
{
  heron_imap_connection_settings_init (settings);
  settings->host = g_strdup (heron_script_server_get_host (server));
  settings->port = heron_script_server_get_port (server);
  settings->security = security;
  settings->allow_plaintext = security == HERON_IMAP_SECURITY_NONE;
  settings->connect_timeout_ms = 5000;
  settings->read_timeout_ms = 5000;
  settings->keepalive_ms = G_MAXUINT;
  if (trust)
    {
      g_autoptr(GError) error = NULL;

      settings->tls_database =
        g_tls_file_database_new (heron_script_server_get_certificate_file (server), &error);
      g_assert_no_error (error);
    }
}

static HeronImapConnection *
new_connection (HeronScriptServer *server,
                HeronImapSecurity  security)
{
  HeronImapConnectionSettings settings;
  HeronImapConnection *connection;

  init_settings (&settings, server, security, TRUE);
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  return connection;
}

static gboolean
connect_sync (HeronImapConnection  *connection,
              GError              **error)
{
  Wait wait = { 0 };
  gboolean ok;

  heron_imap_connection_connect_async (connection, NULL, on_done, &wait);
  run_until (&wait.done);
  ok = heron_imap_connection_connect_finish (connection, wait.result, error);
  g_object_unref (wait.result);

  return ok;
}

static HeronImapResponse *
send_sync (HeronImapConnection     *connection,
           HeronImapCommand        *command,
           HeronImapSendFlags       flags,
           const HeronImapHandlers *handlers,
           gpointer                 handler_data,
           GError                 **error)
{
  Wait wait = { 0 };
  HeronImapResponse *response;

  heron_imap_connection_send_async (connection, command, flags, handlers, handler_data, NULL,
                                    on_done, &wait);
  run_until (&wait.done);
  response = heron_imap_connection_send_finish (connection, wait.result, error);
  g_object_unref (wait.result);

  return response;
}

static void
assert_ok (HeronImapResponse *response)
{
  g_assert_nonnull (response);
  g_assert_cmpint (response->kind, ==, HERON_IMAP_RESPONSE_STATUS);
  g_assert_cmpint (response->status.condition, ==, HERON_IMAP_CONDITION_OK);
  heron_imap_response_unref (response);
}

static void
noop_ok (HeronImapConnection *connection)
{
  g_autoptr(HeronImapCommand) noop = heron_imap_command_new_noop ();
  g_autoptr(GError) error = NULL;
  HeronImapResponse *response = send_sync (connection, noop, 0, NULL, NULL, &error);

  g_assert_no_error (error);
  assert_ok (response);
}

static GError *
noop_error (HeronImapConnection *connection)
{
  g_autoptr(HeronImapCommand) noop = heron_imap_command_new_noop ();
  GError *error = NULL;
  HeronImapResponse *response = send_sync (connection, noop, 0, NULL, NULL, &error);

  g_assert_null (response);
  g_assert_nonnull (error);
  return error;
}

static void
assert_in_order (const char *haystack,
                 const char *first,
                 const char *second)
{
  const char *a = strstr (haystack, first);
  const char *b = strstr (haystack, second);

  if (a == NULL || b == NULL || a >= b)
    g_error ("Expected “%s” before “%s” in:\n%s", first, second, haystack);
}

static HeronImapConnection *
connect_plain (HeronScriptServer *server,
               const char        *greeting)
{
  g_autoptr(GError) error = NULL;
  HeronImapConnection *connection = new_connection (server, HERON_IMAP_SECURITY_NONE);

  heron_script_server_send (server, greeting);
  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  return connection;
}

/* STARTTLS */

/* STARTTLS, the handshake, and CAPABILITY asked again: what came before TLS is forgotten. */
static void
test_starttls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED PRETLS] hi\r\n");
  heron_script_server_expect (server, "A0001 STARTTLS");
  heron_script_server_send (server, "$TAG OK Begin TLS\r\n");
  heron_script_server_start_tls (server);
  heron_script_server_expect (server, "A0002 CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 AUTH=PLAIN POSTTLS\r\n$TAG OK done\r\n");
  heron_script_server_expect (server, "A0003 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  g_assert_true (heron_imap_connection_is_tls (connection));
  g_assert_cmpint (heron_imap_connection_get_state (connection), ==, HERON_IMAP_CONNECTION_CONNECTED);
  g_assert_true (heron_imap_connection_has_capability (connection, "postTLS"));
  g_assert_true (heron_imap_connection_has_capability (connection, "AUTH=PLAIN"));
  g_assert_false (heron_imap_connection_has_capability (connection, "PRETLS"));
  g_assert_false (heron_imap_connection_has_capability (connection, "LOGINDISABLED"));
  g_assert_cmpuint (heron_imap_connection_get_discarded_bytes (connection), ==, 0);
  noop_ok (connection);

  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "-- TLS is up", "C> A0002 CAPABILITY");
}

/* STARTTLS response injection: the server sends its OK and, in the same plain-text write, a fake
 * tagged OK (with capabilities) for the command the client will send next and a fake BYE. The
 * client must drop both unread: the real exchange over TLS decides. */
static void
test_starttls_injection (void)
{
  static const char injected[] =
    "A0002 OK [CAPABILITY IMAP4rev1 INJECTED] fake\r\n* BYE injected\r\n";
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *reply = g_strconcat ("$TAG OK Begin TLS\r\n", injected, NULL);
  guint unsolicited = 0;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
  heron_script_server_expect (server, "A0001 STARTTLS");
  heron_script_server_send (server, reply);
  heron_script_server_start_tls (server);
  heron_script_server_expect (server, "A0002 CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 REAL\r\n$TAG OK real\r\n");
  heron_script_server_expect (server, "A0003 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_signal_connect_swapped (connection, "unsolicited", G_CALLBACK (g_nullify_pointer), &unsolicited);
  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);

  /* Neither the fake OK (its capabilities) nor the fake BYE were acted on. */
  g_assert_true (heron_imap_connection_has_capability (connection, "REAL"));
  g_assert_false (heron_imap_connection_has_capability (connection, "INJECTED"));
  g_assert_cmpuint (heron_imap_connection_get_discarded_bytes (connection), ==, strlen (injected));
  g_assert_cmpuint (unsolicited, ==, 0);
  noop_ok (connection);

  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "S> A0002 OK [CAPABILITY IMAP4rev1 INJECTED] fake", "-- TLS is up");
  assert_in_order (transcript, "-- TLS is up", "C> A0002 CAPABILITY");
  assert_in_order (transcript, "C> A0002 CAPABILITY", "S> A0002 OK real");
}

static void
test_starttls_refused (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
  heron_script_server_expect (server, "A0001 STARTTLS");
  heron_script_server_send (server, "$TAG NO TLS is broken today\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "TLS is broken today"));
  g_assert_cmpint (heron_imap_connection_get_state (connection), ==, HERON_IMAP_CONNECTION_CLOSED);
  g_assert_error (heron_imap_connection_get_error (connection), HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS);
  assert_server_ok (server);
}

static void
test_starttls_missing (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK hi\r\n");
  heron_script_server_expect (server, "A0001 CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n$TAG OK done\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "does not offer STARTTLS"));
  assert_server_ok (server);
}

/* Plain text after a refused STARTTLS only on loopback with allow_plaintext. */
static void
test_starttls_refused_plaintext_allowed (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_STARTTLS, TRUE);
  settings.allow_plaintext = TRUE;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
  heron_script_server_expect (server, "A0001 STARTTLS");
  heron_script_server_send (server, "$TAG NO not today\r\n");
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  g_assert_false (heron_imap_connection_is_tls (connection));
  noop_ok (connection);
  assert_server_ok (server);
}

/* PREAUTH in the greeting of a connection that must get TLS first: closed, nothing sent. */
static void
test_preauth_before_tls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  heron_script_server_send (server, "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome, alice\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "PREAUTH"));
  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  g_assert_null (strstr (transcript, "C> "));
}

/* Security NONE: only with allow_plaintext. */
static void
test_plaintext_not_allowed (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE, FALSE);
  settings.allow_plaintext = FALSE;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_expect_close (server);
  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS);
  assert_server_ok (server);
}

static void
test_implicit_tls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_TLS);
  g_autoptr(GError) error = NULL;

  heron_script_server_implicit_tls (server);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] over TLS\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  g_assert_true (heron_imap_connection_is_tls (connection));
  g_assert_true (heron_imap_connection_has_capability (connection, "AUTH=PLAIN"));
  g_assert_false (heron_imap_connection_is_preauth (connection));
  g_assert_nonnull (heron_imap_connection_get_greeting (connection));
  g_assert_true (g_tls_certificate_is_same (heron_imap_connection_get_peer_certificate (connection),
                                            heron_script_server_get_certificate (server)));
  g_assert_cmpint (heron_imap_connection_get_peer_certificate_errors (connection), ==, 0);
  noop_ok (connection);
  assert_server_ok (server);
}

/* Certificates */

typedef struct {
  HeronImapCertificateDecision decision;
  guint calls;
  GTlsCertificateFlags errors;
  char *host;
} Decider;

static HeronImapCertificateDecision
decide (GTlsCertificate      *certificate,
        GTlsCertificateFlags  errors,
        const char           *host,
        gpointer              user_data)
{
  Decider *decider = user_data;

  decider->calls++;
  decider->errors = errors;
  g_free (decider->host);
  decider->host = g_strdup (host);
  return decider->decision;
}

static HeronImapConnection *
new_untrusting_connection (HeronScriptServer *server,
                           Decider           *decider,
                           GTlsCertificate   *pinned)
{
  HeronImapConnectionSettings settings;
  HeronImapConnection *connection;

  /* No trust anchors of our own: the system's do not know the self-signed certificate. */
  init_settings (&settings, server, HERON_IMAP_SECURITY_TLS, FALSE);
  if (decider != NULL)
    {
      settings.certificate_func = decide;
      settings.certificate_data = decider;
    }
  if (pinned != NULL)
    settings.pinned_certificate = g_object_ref (pinned);
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  return connection;
}

/* Without a decision callback an unverified certificate fails the connection, and the UI gets
 * what it needs to ask the person. */
static void
test_certificate_untrusted (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_untrusting_connection (server, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  GTlsCertificate *peer;

  heron_script_server_expect_tls_refused (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "not trusted"));
  g_assert_nonnull (strstr (error->message, "not signed by a trusted authority"));
  peer = heron_imap_connection_get_peer_certificate (connection);
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, heron_script_server_get_certificate (server)));
  g_assert_true (heron_imap_connection_get_peer_certificate_errors (connection) &
                 G_TLS_CERTIFICATE_UNKNOWN_CA);
  fingerprint = heron_imap_certificate_dup_fingerprint (peer);
  g_assert_true (g_str_has_prefix (fingerprint, "SHA-256 "));
  g_assert_cmpuint (strlen (fingerprint), ==, strlen ("SHA-256 ") + 32 * 3 - 1);
  assert_server_ok (server);
}

static void
test_certificate_accept_once (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  Decider decider = { HERON_IMAP_CERTIFICATE_ACCEPT_ONCE, 0, 0, NULL };
  g_autoptr(HeronImapConnection) connection = new_untrusting_connection (server, &decider, NULL);
  g_autoptr(GError) error = NULL;

  heron_script_server_implicit_tls (server);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (decider.calls, ==, 1);
  g_assert_cmpstr (decider.host, ==, HERON_SCRIPT_SERVER_HOST);
  g_assert_true (decider.errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_null (heron_imap_connection_get_certificate_to_pin (connection));
  noop_ok (connection);
  assert_server_ok (server);
  g_free (decider.host);
}

static void
test_certificate_reject (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  Decider decider = { HERON_IMAP_CERTIFICATE_REJECT, 0, 0, NULL };
  g_autoptr(HeronImapConnection) connection = new_untrusting_connection (server, &decider, NULL);
  g_autoptr(GError) error = NULL;

  heron_script_server_expect_tls_refused (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "rejected"));
  g_assert_cmpuint (decider.calls, ==, 1);
  assert_server_ok (server);
  g_free (decider.host);
}

static void
on_pinned (HeronImapConnection *connection,
           GTlsCertificate     *certificate,
           gpointer             user_data)
{
  GTlsCertificate **out = user_data;

  g_set_object (out, certificate);
}

static char *
write_pem (GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("heron-test-XXXXXX.pem", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_object_get (certificate, "certificate-pem", &pem, NULL);
  g_assert_true (g_file_set_contents (path, pem, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* ACCEPT_AND_PIN reports the certificate; a later connection with it pinned connects without
 * asking; once the server presents another certificate, that is rejected as "changed", even
 * when the new one verifies against the trust anchors. */
static void
test_certificate_pin (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  Decider decider = { HERON_IMAP_CERTIFICATE_ACCEPT_AND_PIN, 0, 0, NULL };
  g_autoptr(GTlsCertificate) signalled = NULL;
  g_autoptr(GTlsCertificate) pin = NULL;
  g_autoptr(GTlsCertificate) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other_file = NULL;

  heron_script_server_implicit_tls (server);
  heron_script_server_send (server, "* OK hi\r\n");
  heron_script_server_expect (server, "A0001 CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1\r\n$TAG OK done\r\n");
  heron_script_server_next_connection (server);
  heron_script_server_implicit_tls (server);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] again\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");
  heron_script_server_next_connection (server);

  {
    g_autoptr(HeronImapConnection) connection = new_untrusting_connection (server, &decider, NULL);

    g_signal_connect (connection, "certificate-pinned", G_CALLBACK (on_pinned), &signalled);
    g_assert_true (connect_sync (connection, &error));
    g_assert_no_error (error);
    pin = g_object_ref (heron_imap_connection_get_certificate_to_pin (connection));
    g_assert_true (g_tls_certificate_is_same (pin, heron_script_server_get_certificate (server)));
    g_assert_true (signalled == pin);
  }

  {
    /* Pinned, and no callback: accepted without asking. */
    g_autoptr(HeronImapConnection) connection = new_untrusting_connection (server, NULL, pin);

    g_assert_true (connect_sync (connection, &error));
    g_assert_no_error (error);
    noop_ok (connection);
  }
  g_assert_cmpuint (decider.calls, ==, 1);

  /* The server gets another certificate. */
  other = heron_script_server_make_certificate ("localhost", "DNS:localhost,IP:127.0.0.1", 2, &error);
  g_assert_no_error (error);
  g_assert_true (heron_script_server_set_certificate (server, other, &error));
  g_assert_no_error (error);
  heron_script_server_expect_tls_refused (server);
  heron_script_server_next_connection (server);

  {
    g_autoptr(HeronImapConnection) connection = new_untrusting_connection (server, &decider, pin);

    g_assert_false (connect_sync (connection, &error));
    g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE);
    g_assert_nonnull (strstr (error->message, "The server's certificate changed"));
    g_assert_true (g_tls_certificate_is_same (heron_imap_connection_get_peer_certificate (connection),
                                              other));
    g_clear_error (&error);
  }
  /* The callback is never asked about a certificate when one is pinned. */
  g_assert_cmpuint (decider.calls, ==, 1);

  /* Even when the new certificate verifies, the pin decides. */
  other_file = write_pem (other);
  heron_script_server_implicit_tls (server);
  heron_script_server_expect_close (server);

  {
    HeronImapConnectionSettings settings;
    g_autoptr(HeronImapConnection) connection = NULL;

    init_settings (&settings, server, HERON_IMAP_SECURITY_TLS, FALSE);
    settings.tls_database = g_tls_file_database_new (other_file, &error);
    g_assert_no_error (error);
    settings.pinned_certificate = g_object_ref (pin);
    connection = heron_imap_connection_new (&settings);
    heron_imap_connection_settings_clear (&settings);

    g_assert_false (connect_sync (connection, &error));
    g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE);
    g_assert_nonnull (strstr (error->message, "certificate changed"));
    g_clear_error (&error);
  }

  assert_server_ok (server);
  g_unlink (other_file);
  g_free (decider.host);
}

/* Faults */

/* A tagged reply for a tag the client never sent fails the connection, clearly. */
static void
test_unknown_tag (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(GError) error = NULL;

  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "B0042 OK you never sent this\r\n");
  heron_script_server_expect_close (server);

  error = noop_error (connection);
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "never sent"));
  g_assert_nonnull (strstr (error->message, "B0042"));
  g_assert_cmpint (heron_imap_connection_get_state (connection), ==, HERON_IMAP_CONNECTION_CLOSED);
  assert_server_ok (server);
}

/* A server that goes silent while a command is outstanding: the read timeout fires. */
static void
test_stall (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;
  gint64 start;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE, FALSE);
  settings.read_timeout_ms = 300;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_sleep (server, 1500);
  heron_script_server_expect_close (server);

  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  error = noop_error (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "sent nothing for 0.3 seconds"));
  g_assert_nonnull (strstr (error->message, "NOOP"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1200 * 1000);
  assert_server_ok (server);
}

/* A server that never greets. */
static void
test_stall_greeting (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE, FALSE);
  settings.read_timeout_ms = 300;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_sleep (server, 1000);
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "the greeting"));
  assert_server_ok (server);
}

/* A server that accepts but never answers the TLS handshake. */
static void
test_stall_handshake (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_TLS, TRUE);
  settings.connect_timeout_ms = 300;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_sleep (server, 1000);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "TLS handshake"));
  heron_script_server_end (server);
}

/* A peer that never completes the TCP handshake: a listener that never accepts, its queue full,
 * so the kernel drops further SYNs. */
static void
test_stall_connect (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_socket_set_listen_backlog (listener, 0);
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 8; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, bound, NULL, NULL);
      g_ptr_array_add (fillers, filler);
    }
  spin (100);

  heron_imap_connection_settings_init (&settings);
  settings.host = g_strdup ("127.0.0.1");
  settings.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  settings.security = HERON_IMAP_SECURITY_NONE;
  settings.allow_plaintext = TRUE;
  settings.connect_timeout_ms = 300;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "within 0.3 seconds"));
}

static void
test_garbage (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(GError) error = NULL;

  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "%%% \x01\x02 this is not IMAP\r\n");
  heron_script_server_expect_close (server);

  error = noop_error (connection);
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "invalid reply"));
  assert_server_ok (server);
}

static void
test_garbage_greeting (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "SSH-2.0-OpenSSH_9.2\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_true (error->domain == HERON_IMAP_ERROR);
  g_assert_true (error->code == HERON_IMAP_ERROR_PARSE || error->code == HERON_IMAP_ERROR_PROTOCOL);
  assert_server_ok (server);
}

static void
test_bye_greeting (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_NONE);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* BYE Too many connections from your address\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (connection, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE);
  g_assert_nonnull (strstr (error->message, "Too many connections from your address"));
  assert_server_ok (server);
}

static void
count_response (HeronImapConnection *connection,
                HeronImapResponse   *response,
                gpointer             user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, heron_imap_response_ref (response));
}

/* BYE in the middle of commands: every pending command fails with the server's text. */
static void
test_bye_midway (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(HeronImapCommand) noop1 = heron_imap_command_new_noop ();
  g_autoptr(HeronImapCommand) noop2 = heron_imap_command_new_noop ();
  g_autoptr(GError) error1 = NULL;
  g_autoptr(GError) error2 = NULL;
  Wait wait1 = { 0 }, wait2 = { 0 };

  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_send (server, "* BYE Server shutting down for maintenance\r\n");
  heron_script_server_close (server);

  g_signal_connect (connection, "unsolicited", G_CALLBACK (count_response), seen);
  heron_imap_connection_send_async (connection, noop1, 0, NULL, NULL, NULL, on_done, &wait1);
  heron_imap_connection_send_async (connection, noop2, 0, NULL, NULL, NULL, on_done, &wait2);
  run_until (&wait2.done);
  run_until (&wait1.done);
  g_assert_null (heron_imap_connection_send_finish (connection, wait1.result, &error1));
  g_assert_null (heron_imap_connection_send_finish (connection, wait2.result, &error2));
  g_assert_error (error1, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE);
  g_assert_error (error2, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE);
  g_assert_nonnull (strstr (error1->message, "Server shutting down for maintenance"));
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpint (((HeronImapResponse *) seen->pdata[0])->status.condition, ==,
                   HERON_IMAP_CONDITION_BYE);
  g_object_unref (wait1.result);
  g_object_unref (wait2.result);
  assert_server_ok (server);
}

typedef struct {
  guint begins;
  guint ends;
  guint64 bytes;
  guint64 mismatches;
  const char *pattern;
  gsize pattern_len;
  gsize max_rss_kib;
  guint64 next_rss_check;
  guint32 uid;
  gboolean fail_in_chunk;
} Body;

static gsize
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static gboolean
body_begin (const HeronImapBodyInfo *info,
            gpointer                 user_data,
            GError                 **error)
{
  Body *body = user_data;

  body->begins++;
  body->uid = info->uid;
  return TRUE;
}

static gboolean
body_chunk (const guint8 *data,
            gsize         len,
            gpointer      user_data,
            GError      **error)
{
  Body *body = user_data;

  if (body->fail_in_chunk)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "The disk is full");
      return FALSE;
    }

  if (body->pattern != NULL)
    for (gsize i = 0; i < len; i++)
      if (data[i] != (guint8) body->pattern[(body->bytes + i) % body->pattern_len])
        body->mismatches++;

  body->bytes += len;
  if (body->bytes >= body->next_rss_check)
    {
      body->max_rss_kib = MAX (body->max_rss_kib, rss_kib ());
      body->next_rss_check = body->bytes + 4 * 1024 * 1024;
    }
  return TRUE;
}

static gboolean
body_end (gpointer   user_data,
          GError   **error)
{
  Body *body = user_data;

  body->ends++;
  return TRUE;
}

static const HeronImapBodyConsumer body_consumer = { body_begin, body_chunk, body_end };

/* The handler data of the FETCH tests; the body consumer gets the same pointer, so the Body
 * comes first. */
typedef struct {
  Body body;
  GPtrArray *fetches;
  guint32 uid;                 /* claimed */
} Probe;

static void
probe_init (Probe  *probe,
            guint32 uid)
{
  memset (probe, 0, sizeof *probe);
  probe->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  probe->uid = uid;
}

static void
probe_clear (Probe *probe)
{
  g_ptr_array_unref (probe->fetches);
}

static void
probe_untagged (HeronImapResponse *response,
                gpointer           user_data)
{
  Probe *probe = user_data;

  g_ptr_array_add (probe->fetches, heron_imap_response_ref (response));
}

static gboolean
probe_claim (const HeronImapResponse *response,
             gpointer                 user_data)
{
  Probe *probe = user_data;

  return response->fetch.uid == probe->uid;
}

static const HeronImapHandlers fetch_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH),
  .claim = probe_claim,
  .untagged = probe_untagged,
  .body = &body_consumer,
};

static const HeronImapHandlers fetch_handlers_collect = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH),
  .claim = probe_claim,
  .untagged = probe_untagged,
};

static HeronImapCommand *
uid_fetch_command (guint32     uid,
                   const char *item)
{
  g_autoptr(HeronImapUidSet) set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  const char *items[] = { item, NULL };
  g_autoptr(GError) error = NULL;
  HeronImapCommand *command;

  heron_imap_uid_set_add (set, uid);
  command = heron_imap_command_new_fetch (set, items, HERON_IMAP_MODSEQ_NONE, FALSE, &error);
  g_assert_no_error (error);
  return command;
}

/* A 100 MB body literal streams through the connection to the consumer; memory does not grow
 * with it. */
static void
test_body_100mb (void)
{
  static const char pattern[] = "0123456789abcdef-Heron-";
  const guint64 size = 100 * 1024 * 1024;
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) command = uid_fetch_command (7, "BODY.PEEK[]");
  g_autoptr(GError) error = NULL;
  g_autofree char *header = g_strdup_printf ("* 3 FETCH (UID 7 BODY[] {%" G_GUINT64_FORMAT "}\r\n", size);
  HeronImapResponse *response;
  HeronImapParserStats stats;
  gsize rss_before;
  Probe probe;

  heron_script_server_expect (server, "A0001 UID FETCH 7 BODY.PEEK[]");
  heron_script_server_send (server, header);
  heron_script_server_send_generated (server, size, pattern);
  heron_script_server_send (server, " FLAGS (\\Seen))\r\n$TAG OK done\r\n");

  probe_init (&probe, 7);
  probe.body.pattern = pattern;
  probe.body.pattern_len = strlen (pattern);
  rss_before = rss_kib ();
  probe.body.max_rss_kib = rss_before;

  response = send_sync (connection, command, 0, &fetch_handlers, &probe, &error);
  g_assert_no_error (error);
  assert_ok (response);

  g_assert_cmpuint (probe.body.begins, ==, 1);
  g_assert_cmpuint (probe.body.ends, ==, 1);
  g_assert_cmpuint (probe.body.uid, ==, 7);
  g_assert_cmpuint (probe.body.bytes, ==, size);
  g_assert_cmpuint (probe.body.mismatches, ==, 0);
  g_assert_cmpuint (probe.fetches->len, ==, 1);
  {
    HeronImapResponse *fetch = probe.fetches->pdata[0];

    g_assert_cmpuint (fetch->fetch.uid, ==, 7);
    g_assert_cmpuint (fetch->fetch.n_sections, ==, 1);
    g_assert_null (fetch->fetch.sections[0].data);
    g_assert_cmpuint (fetch->fetch.sections[0].size, ==, size);
    g_assert_true (heron_imap_flags_contains (&fetch->fetch.flags, "\\Seen"));
  }

  /* Memory: the body never sat in memory. */
  g_test_message ("VmRSS before %" G_GSIZE_FORMAT " KiB, at most %" G_GSIZE_FORMAT " KiB during",
                  rss_before, probe.body.max_rss_kib);
  g_assert_cmpuint (probe.body.max_rss_kib, <, rss_before + 24 * 1024);
  heron_imap_connection_get_parser_stats (connection, &stats);
  g_assert_cmpuint (stats.peak_buffered, <, 2 * 1024 * 1024);
  probe_clear (&probe);
  assert_server_ok (server);
}

/* Without a consumer the section is collected into the FETCH response, as the parser would. */
static void
test_body_collected (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) command = uid_fetch_command (9, "BODY.PEEK[HEADER]");
  g_autoptr(GError) error = NULL;
  HeronImapResponse *response;
  Probe probe;

  heron_script_server_expect (server, "A0001 UID FETCH 9 BODY.PEEK[HEADER]");
  heron_script_server_send (server, "* 1 FETCH (UID 9 BODY[HEADER] {18}\r\nSubject: hello\r\n\r\n)\r\n"
                                    "* 2 FETCH (UID 10 BODY[HEADER] \"X: 1\")\r\n"
                                    "$TAG OK done\r\n");

  probe_init (&probe, 9);
  response = send_sync (connection, command, 0, &fetch_handlers_collect, &probe, &error);
  g_assert_no_error (error);
  assert_ok (response);
  g_assert_cmpuint (probe.fetches->len, ==, 1);
  {
    HeronImapResponse *fetch = probe.fetches->pdata[0];
    GBytes *data = fetch->fetch.sections[0].data;

    g_assert_nonnull (data);
    g_assert_cmpmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                     "Subject: hello\r\n\r\n", 18);
  }
  probe_clear (&probe);
  assert_server_ok (server);
}

/* A consumer that fails ends its command with its error; the connection goes on. */
static void
test_body_consumer_fails (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) command = uid_fetch_command (4, "BODY.PEEK[]");
  g_autoptr(GError) error = NULL;
  Probe probe;

  heron_script_server_expect (server, "A0001 UID FETCH 4 BODY.PEEK[]");
  heron_script_server_send (server, "* 1 FETCH (UID 4 BODY[] {10}\r\n0123456789)\r\n$TAG OK done\r\n");
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  probe_init (&probe, 4);
  probe.body.fail_in_chunk = TRUE;
  g_assert_null (send_sync (connection, command, 0, &fetch_handlers, &probe, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (probe.fetches->len, ==, 0);
  noop_ok (connection);
  probe_clear (&probe);
  assert_server_ok (server);
}

/* The server closes (or drops) in the middle of a body literal: a clear error, no end(). */
static void
test_drop_in_literal (void)
{
  for (guint abrupt = 0; abrupt <= 1; abrupt++)
    {
      g_autoptr(HeronScriptServer) server = new_server ();
      g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
      g_autoptr(HeronImapCommand) command = uid_fetch_command (1, "BODY.PEEK[]");
      g_autoptr(GError) error = NULL;
      Probe probe;

      heron_script_server_expect (server, "A0001 UID FETCH 1 BODY.PEEK[]");
      heron_script_server_send (server, "* 1 FETCH (UID 1 BODY[] {100}\r\n0123456789012345678901234567890123456789");
      heron_script_server_sleep (server, 100);
      if (abrupt)
        heron_script_server_drop (server);
      else
        heron_script_server_close (server);

      probe_init (&probe, 1);
      g_assert_null (send_sync (connection, command, 0, &fetch_handlers, &probe, &error));
      g_assert_nonnull (error);
      g_test_message ("%s: %s", abrupt ? "drop" : "close", error->message);
      if (!abrupt)
        {
          g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED);
          g_assert_nonnull (strstr (error->message, "middle of a literal (60 bytes missing)"));
        }
      else
        g_assert_true (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED) ||
                       error->domain == G_IO_ERROR);
      g_assert_cmpuint (probe.body.begins, ==, 1);
      g_assert_cmpuint (probe.body.ends, ==, 0);
      g_assert_cmpint (heron_imap_connection_get_state (connection), ==, HERON_IMAP_CONNECTION_CLOSED);
      probe_clear (&probe);
      assert_server_ok (server);
    }
}

/* A reply past the parser's limits fails the connection with LIMIT. */
static void
test_limit (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *xs = g_strnfill (5000, 'x');

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE, FALSE);
  settings.limits.max_line_length = 1024;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  line = g_strdup_printf ("* OK %s\r\n", xs);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, line);
  heron_script_server_expect_close (server);

  g_assert_true (connect_sync (connection, &error));
  g_assert_no_error (error);
  error = noop_error (connection);
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_LIMIT);
  assert_server_ok (server);
}

static void
test_unexpected_continuation (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(GError) error = NULL;

  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "+ go ahead\r\n");
  heron_script_server_expect_close (server);

  error = noop_error (connection);
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "go ahead"));
  assert_server_ok (server);
}

/* Literals */

static HeronImapCommand *
append_command (const char *text)
{
  g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  HeronImapCommand *command = heron_imap_command_new_append (0, "INBOX", NULL, NULL, message, HERON_IMAP_APPEND_FLAGS_NONE, &error);

  g_assert_no_error (error);
  return command;
}

/* Without LITERAL+ the client really waits for "+"; refused, the literal is never sent (the
 * next line the server reads is the next command). */
static void
test_sync_literal (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) refused = append_command ("hello");
  g_autoptr(HeronImapCommand) accepted = append_command ("hello");
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  HeronImapResponse *response;

  heron_script_server_expect (server, "A0001 APPEND INBOX {5}");
  heron_script_server_sleep (server, 200);
  heron_script_server_send (server, "$TAG NO [TRYCREATE] No such mailbox\r\n");
  heron_script_server_expect (server, "A0002 APPEND INBOX {5}");
  heron_script_server_sleep (server, 200);
  heron_script_server_send (server, "+ go ahead\r\n");
  heron_script_server_expect_literal (server, 5, g_bytes_new_static ("hello", 5));
  heron_script_server_expect_data (server, "");
  heron_script_server_send (server, "$TAG OK [APPENDUID 38505 3955] APPEND completed\r\n");

  response = send_sync (connection, refused, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status.condition, ==, HERON_IMAP_CONDITION_NO);
  g_assert_false (heron_imap_check_tagged (response, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE);
  g_assert_cmpstr (error->message, ==, "[TRYCREATE] No such mailbox");
  code = heron_imap_error_dup_response_code (error);
  g_assert_cmpstr (code, ==, "TRYCREATE");
  g_clear_error (&error);
  heron_imap_response_unref (response);

  response = send_sync (connection, accepted, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status.code.kind, ==, HERON_IMAP_CODE_APPENDUID);
  assert_ok (response);
  assert_server_ok (server);
}

static void
test_literal_plus (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
  g_autoptr(HeronImapCommand) command = append_command ("hello");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (heron_imap_connection_get_literal_mode (connection), ==, HERON_IMAP_LITERAL_PLUS);
  heron_script_server_expect (server, "A0001 APPEND INBOX {5+}");
  heron_script_server_expect_literal (server, 5, g_bytes_new_static ("hello", 5));
  heron_script_server_expect_data (server, "");
  heron_script_server_send (server, "$TAG OK APPEND completed\r\n");

  assert_ok (send_sync (connection, command, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_server_ok (server);
}

/* A streamed literal of 3 MB goes out in pieces. */
static void
test_literal_stream (void)
{
  const gsize size = 3 * 1024 * 1024 + 17;
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strdup_printf ("A0001 APPEND INBOX {%" G_GSIZE_FORMAT "+}", size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ('a' + i % 26);
  bytes = g_bytes_new (data, size);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  command = heron_imap_command_new_append_stream (0, "INBOX", NULL, NULL, stream, size, HERON_IMAP_APPEND_FLAGS_NONE, &error);
  g_assert_no_error (error);

  heron_script_server_expect (server, line);
  heron_script_server_expect_literal (server, size, bytes);
  heron_script_server_expect_data (server, "");
  heron_script_server_send (server, "$TAG OK APPEND completed\r\n");

  assert_ok (send_sync (connection, command, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_server_ok (server);
}

/* A command that cannot be written for this server (a literal that must not wait for "+", and no
 * LITERAL+) fails alone; the command pipelined behind it goes out once, normally. */
static void
test_unwritable_command (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) bad = heron_imap_command_new ("XAPPEND", 0);
  g_autoptr(HeronImapCommand) noop = heron_imap_command_new_noop ();
  g_autoptr(GBytes) data = g_bytes_new_static ("hello", 5);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  Wait wait_bad = { 0 }, wait_noop = { 0 };

  heron_imap_command_add_literal (bad, data, HERON_IMAP_LITERAL_NON_SYNC);
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");
  heron_script_server_expect (server, "A0003 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  heron_imap_connection_send_async (connection, bad, 0, NULL, NULL, NULL, on_done, &wait_bad);
  heron_imap_connection_send_async (connection, noop, 0, NULL, NULL, NULL, on_done, &wait_noop);
  run_until (&wait_noop.done);
  run_until (&wait_bad.done);
  g_assert_null (heron_imap_connection_send_finish (connection, wait_bad.result, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  assert_ok (heron_imap_connection_send_finish (connection, wait_noop.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait_bad.result);
  g_object_unref (wait_noop.result);
  noop_ok (connection);
  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  g_assert_null (strstr (transcript, "XAPPEND"));
}

/* AUTHENTICATE without SASL-IR: the initial response waits for the server's "+". */
static void
test_authenticate_waits (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  g_autoptr(GBytes) initial = g_bytes_new_static ("\0alice\0secret", 13);
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;

  command = heron_imap_command_new_authenticate (0, "PLAIN", initial, &error);
  g_assert_no_error (error);
  heron_script_server_expect (server, "A0001 AUTHENTICATE PLAIN");
  heron_script_server_send (server, "+ \r\n");
  heron_script_server_expect_data (server, "AGFsaWNlAHNlY3JldA==");
  heron_script_server_send (server, "$TAG OK Logged in\r\n");

  assert_ok (send_sync (connection, command, HERON_IMAP_SEND_BARRIER, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_server_ok (server);
}

/* Routing */

typedef struct {
  const char *mailbox;
  GPtrArray *got;
} StatusProbe;

static gboolean
status_claim (const HeronImapResponse *response,
              gpointer                 user_data)
{
  StatusProbe *probe = user_data;

  if (response->kind != HERON_IMAP_RESPONSE_MAILBOX_STATUS)
    return TRUE;
  return g_strcmp0 (response->mailbox_status.mailbox.name, probe->mailbox) == 0;
}

static void
status_untagged (HeronImapResponse *response,
                 gpointer           user_data)
{
  StatusProbe *probe = user_data;

  g_ptr_array_add (probe->got, heron_imap_response_ref (response));
}

static const HeronImapHandlers status_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_MAILBOX_STATUS) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_ESEARCH),
  .claim = status_claim,
  .untagged = status_untagged,
};

/* Three commands go out before any reply; interleaved replies reach their owners, ESEARCH by
 * its correlator, and the EXISTS nobody asked for goes out as ::unsolicited. */
static void
test_pipelining_routing (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 ESEARCH] hi\r\n");
  g_autoptr(GPtrArray) unsolicited = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  const char *items[] = { "MESSAGES", NULL };
  const char *returns[] = { "ALL", NULL };
  g_autoptr(HeronImapCommand) status_a = heron_imap_command_new_status (0, "a", items, NULL);
  g_autoptr(HeronImapCommand) status_b = heron_imap_command_new_status (0, "b", items, NULL);
  g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
  g_autoptr(HeronImapCommand) search = NULL;
  StatusProbe probe_a = { "a", g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref) };
  StatusProbe probe_b = { "b", g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref) };
  StatusProbe probe_s = { "", g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref) };
  Wait wait_a = { 0 }, wait_b = { 0 }, wait_s = { 0 };
  g_autoptr(GError) error = NULL;

  heron_imap_command_add_atom (criteria, "ALL");
  search = heron_imap_command_new_search (0, TRUE, returns, NULL, criteria, &error);
  g_assert_no_error (error);

  heron_script_server_expect (server, "A0001 STATUS a (MESSAGES)");
  heron_script_server_expect (server, "A0002 STATUS b (MESSAGES)");
  heron_script_server_expect (server, "A0003 UID SEARCH RETURN (ALL) ALL");
  heron_script_server_send (server,
                            "* STATUS b (MESSAGES 2)\r\n"
                            "* 4 EXISTS\r\n"
                            "* ESEARCH (TAG \"A0003\") UID ALL 1:3\r\n"
                            "* STATUS a (MESSAGES 1)\r\n"
                            "A0002 OK b\r\n"
                            "A0003 OK s\r\n"
                            "A0001 OK a\r\n");

  g_signal_connect (connection, "unsolicited", G_CALLBACK (count_response), unsolicited);
  heron_imap_connection_send_async (connection, status_a, 0, &status_handlers, &probe_a, NULL, on_done, &wait_a);
  heron_imap_connection_send_async (connection, status_b, 0, &status_handlers, &probe_b, NULL, on_done, &wait_b);
  heron_imap_connection_send_async (connection, search, 0, &status_handlers, &probe_s, NULL, on_done, &wait_s);
  run_until (&wait_a.done);
  g_assert_true (wait_b.done && wait_s.done);

  assert_ok (heron_imap_connection_send_finish (connection, wait_a.result, &error));
  assert_ok (heron_imap_connection_send_finish (connection, wait_b.result, &error));
  assert_ok (heron_imap_connection_send_finish (connection, wait_s.result, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (probe_a.got->len, ==, 1);
  g_assert_cmpuint (((HeronImapResponse *) probe_a.got->pdata[0])->mailbox_status.messages, ==, 1);
  g_assert_cmpuint (probe_b.got->len, ==, 1);
  g_assert_cmpuint (((HeronImapResponse *) probe_b.got->pdata[0])->mailbox_status.messages, ==, 2);
  /* STATUS a claimed the ESEARCH kind too, but its tag names A0003. */
  g_assert_cmpuint (probe_s.got->len, ==, 1);
  g_assert_cmpint (((HeronImapResponse *) probe_s.got->pdata[0])->kind, ==, HERON_IMAP_RESPONSE_ESEARCH);
  g_assert_cmpuint (unsolicited->len, ==, 1);
  g_assert_cmpint (((HeronImapResponse *) unsolicited->pdata[0])->kind, ==, HERON_IMAP_RESPONSE_EXISTS);

  g_object_unref (wait_a.result);
  g_object_unref (wait_b.result);
  g_object_unref (wait_s.result);
  g_ptr_array_unref (probe_a.got);
  g_ptr_array_unref (probe_b.got);
  g_ptr_array_unref (probe_s.got);
  assert_server_ok (server);
}

/* Two UID FETCH in flight: responses and bodies go to the command whose UID they carry. */
static void
test_fetch_routing (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) fetch1 = uid_fetch_command (11, "BODY.PEEK[]");
  g_autoptr(HeronImapCommand) fetch2 = uid_fetch_command (22, "BODY.PEEK[]");
  g_autoptr(GPtrArray) unsolicited = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(GError) error = NULL;
  Wait wait1 = { 0 }, wait2 = { 0 };
  Probe probe1, probe2;

  heron_script_server_expect (server, "A0001 UID FETCH 11 BODY.PEEK[]");
  heron_script_server_expect (server, "A0002 UID FETCH 22 BODY.PEEK[]");
  heron_script_server_send (server,
                            "* 2 FETCH (UID 22 BODY[] {3}\r\nbbb)\r\n"
                            "* 5 FETCH (UID 50 FLAGS (\\Seen))\r\n"
                            "* 1 FETCH (UID 11 BODY[] {2}\r\naa)\r\n"
                            "A0001 OK\r\nA0002 OK\r\n");

  probe_init (&probe1, 11);
  probe_init (&probe2, 22);
  g_signal_connect (connection, "unsolicited", G_CALLBACK (count_response), unsolicited);
  heron_imap_connection_send_async (connection, fetch1, 0, &fetch_handlers, &probe1, NULL, on_done, &wait1);
  heron_imap_connection_send_async (connection, fetch2, 0, &fetch_handlers, &probe2, NULL, on_done, &wait2);
  run_until (&wait2.done);
  assert_ok (heron_imap_connection_send_finish (connection, wait1.result, &error));
  assert_ok (heron_imap_connection_send_finish (connection, wait2.result, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (probe1.body.bytes, ==, 2);
  g_assert_cmpuint (probe1.body.uid, ==, 11);
  g_assert_cmpuint (probe2.body.bytes, ==, 3);
  g_assert_cmpuint (probe2.body.uid, ==, 22);
  g_assert_cmpuint (probe1.fetches->len, ==, 1);
  g_assert_cmpuint (probe2.fetches->len, ==, 1);
  g_assert_cmpuint (unsolicited->len, ==, 1);
  g_assert_cmpuint (((HeronImapResponse *) unsolicited->pdata[0])->fetch.uid, ==, 50);

  g_object_unref (wait1.result);
  g_object_unref (wait2.result);
  probe_clear (&probe1);
  probe_clear (&probe2);
  assert_server_ok (server);
}

static void
on_alert (HeronImapConnection *connection,
          const char          *text,
          gpointer             user_data)
{
  g_ptr_array_add (user_data, g_strdup (text));
}

static void
test_alert (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = new_connection (server, HERON_IMAP_SECURITY_NONE);
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_signal_connect (connection, "alert", G_CALLBACK (on_alert), alerts);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "* OK [ALERT] Your mailbox is 95% full\r\n$TAG OK [ALERT] Maintenance at 22:00\r\n");

  g_assert_true (connect_sync (connection, &error));
  noop_ok (connection);
  g_assert_cmpuint (alerts->len, ==, 2);
  g_assert_cmpstr (alerts->pdata[0], ==, "Your mailbox is 95% full");
  g_assert_cmpstr (alerts->pdata[1], ==, "Maintenance at 22:00");
  assert_server_ok (server);
}

/* Nothing outstanding for keepalive_ms: a NOOP goes out by itself. */
static void
test_keepalive (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unsolicited = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE, FALSE);
  settings.keepalive_ms = 200;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "* 7 EXISTS\r\n$TAG OK noop\r\n");
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_signal_connect (connection, "unsolicited", G_CALLBACK (count_response), unsolicited);
  g_assert_true (connect_sync (connection, &error));
  run_server (server);
  g_assert_cmpuint (unsolicited->len, ==, 1);
}

/* Cancelling a queued command: never sent. Cancelling a written one: the caller hears at once,
 * the reply is dropped when it comes, and the connection goes on. */
static void
test_cancel (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(HeronImapCommand) barrier = heron_imap_command_new_noop ();
  g_autoptr(HeronImapCommand) queued = heron_imap_command_new_check ();
  g_autoptr(HeronImapCommand) written = heron_imap_command_new_noop ();
  g_autoptr(GCancellable) cancel_queued = g_cancellable_new ();
  g_autoptr(GCancellable) cancel_written = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait_barrier = { 0 }, wait_queued = { 0 }, wait_written = { 0 };
  g_autofree char *transcript = NULL;
  gint64 start;

  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "$TAG OK barrier\r\n");
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_sleep (server, 600);
  heron_script_server_send (server, "* 3 EXISTS\r\n$TAG OK too late\r\n");
  heron_script_server_expect (server, "A0003 NOOP");
  heron_script_server_send (server, "$TAG OK after\r\n");

  heron_imap_connection_send_async (connection, barrier, HERON_IMAP_SEND_BARRIER, NULL, NULL, NULL,
                                    on_done, &wait_barrier);
  heron_imap_connection_send_async (connection, queued, 0, NULL, NULL, cancel_queued,
                                    on_done, &wait_queued);
  g_cancellable_cancel (cancel_queued);
  run_until (&wait_queued.done);
  g_assert_null (heron_imap_connection_send_finish (connection, wait_queued.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  run_until (&wait_barrier.done);
  assert_ok (heron_imap_connection_send_finish (connection, wait_barrier.result, &error));

  heron_imap_connection_send_async (connection, written, 0, NULL, NULL, cancel_written,
                                    on_done, &wait_written);
  spin (150);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancel_written);
  run_until (&wait_written.done);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 300 * 1000);
  g_assert_null (heron_imap_connection_send_finish (connection, wait_written.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  noop_ok (connection);
  g_assert_cmpint (heron_imap_connection_get_state (connection), ==, HERON_IMAP_CONNECTION_CONNECTED);

  g_object_unref (wait_barrier.result);
  g_object_unref (wait_queued.result);
  g_object_unref (wait_written.result);
  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  g_assert_null (strstr (transcript, "CHECK"));
}

typedef struct {
  guint continuations;
  char *text;
  HeronImapConnection *connection;
  HeronImapCommand *command;
} IdleProbe;

static void
idle_continuation (HeronImapConnection *connection,
                   HeronImapCommand    *command,
                   const char          *text,
                   gpointer             user_data)
{
  IdleProbe *probe = user_data;

  probe->continuations++;
  g_free (probe->text);
  probe->text = g_strdup (text);
  probe->connection = connection;
  probe->command = command;
}

static const HeronImapHandlers idle_handlers = {
  .continuation = idle_continuation,
};

/* IDLE: "+" goes to the command's continuation handler; while idling the read timeout does not
 * apply; DONE ends it. */
static void
test_idle_continuation (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = NULL;
  HeronImapConnectionSettings settings;
  g_autoptr(HeronImapCommand) idle = heron_imap_command_new_idle ();
  g_autoptr(HeronImapCommand) done = heron_imap_command_new_done ();
  g_autoptr(GPtrArray) unsolicited = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(GError) error = NULL;
  IdleProbe probe = { 0 };
  Wait wait = { 0 };

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE, FALSE);
  settings.read_timeout_ms = 200;
  connection = heron_imap_connection_new (&settings);
  heron_imap_connection_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
  heron_script_server_expect (server, "A0001 IDLE");
  heron_script_server_send (server, "+ idling\r\n");
  heron_script_server_sleep (server, 600);
  heron_script_server_send (server, "* 8 EXISTS\r\n");
  heron_script_server_expect_data (server, "DONE");
  heron_script_server_send (server, "$TAG OK IDLE terminated\r\n");

  g_signal_connect (connection, "unsolicited", G_CALLBACK (count_response), unsolicited);
  g_assert_true (connect_sync (connection, &error));
  heron_imap_connection_send_async (connection, idle, HERON_IMAP_SEND_BARRIER, &idle_handlers, &probe,
                                    NULL, on_done, &wait);
  while (unsolicited->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (probe.continuations, ==, 1);
  g_assert_cmpstr (probe.text, ==, "idling");
  g_assert_true (probe.command == idle);
  g_assert_false (wait.done);

  heron_imap_connection_send_continuation (connection, idle, done);
  run_until (&wait.done);
  assert_ok (heron_imap_connection_send_finish (connection, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
  g_free (probe.text);
  assert_server_ok (server);
}

/* COMPRESS */

/* Deflates text with a sync flush, as either side does after COMPRESS. */
static GBytes *
deflate_text (GConverter *deflater,
              const char *text)
{
  guint8 out[4096];
  gsize read = 0, written = 0;
  g_autoptr(GError) error = NULL;
  GConverterResult result;

  result = g_converter_convert (deflater, text, strlen (text), out, sizeof out, G_CONVERTER_FLUSH,
                                &read, &written, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, G_CONVERTER_CONVERTED);
  g_assert_cmpuint (read, ==, strlen (text));
  return g_bytes_new (out, written);
}

static GBytes *
concat (const char *plain,
        GBytes     *compressed)
{
  GByteArray *array = g_byte_array_new ();

  g_byte_array_append (array, (const guint8 *) plain, (guint) strlen (plain));
  g_byte_array_append (array, g_bytes_get_data (compressed, NULL), (guint) g_bytes_get_size (compressed));
  return g_byte_array_free_to_bytes (array);
}

/* COMPRESS DEFLATE with compressed data right behind the tagged OK in the same packet; then a
 * command and its reply both ways compressed. */
static void
test_compress (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
  g_autoptr(GConverter) server_deflater = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  g_autoptr(GConverter) client_deflater = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  g_autoptr(GBytes) exists = deflate_text (server_deflater, "* 12 EXISTS\r\n");
  g_autoptr(GBytes) ok_then_exists = concat ("A0001 OK DEFLATE active\r\n", exists);
  g_autoptr(GBytes) noop = deflate_text (client_deflater, "A0002 NOOP\r\n");
  g_autoptr(GBytes) noop_ok_bytes = deflate_text (server_deflater, "A0002 OK done\r\n");
  g_autoptr(GPtrArray) unsolicited = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_script_server_expect (server, "A0001 COMPRESS DEFLATE");
  heron_script_server_send_bytes (server, ok_then_exists);
  heron_script_server_expect_literal (server, g_bytes_get_size (noop), noop);
  heron_script_server_send_bytes (server, noop_ok_bytes);

  g_signal_connect (connection, "unsolicited", G_CALLBACK (count_response), unsolicited);
  heron_imap_connection_compress_async (connection, NULL, on_done, &wait);
  run_until (&wait.done);
  g_assert_true (heron_imap_connection_compress_finish (connection, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
  g_assert_true (heron_imap_connection_is_compressed (connection));
  g_assert_cmpuint (unsolicited->len, ==, 1);
  g_assert_cmpuint (((HeronImapResponse *) unsolicited->pdata[0])->number, ==, 12);

  noop_ok (connection);
  assert_server_ok (server);
}

static void
test_compress_unsupported (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_imap_connection_compress_async (connection, NULL, on_done, &wait);
  run_until (&wait.done);
  g_assert_false (heron_imap_connection_compress_finish (connection, wait.result, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED);
  g_object_unref (wait.result);
  assert_server_ok (server);
}

/* COMPRESS cancelled before the call: G_IO_ERROR_CANCELLED, nothing sent, the connection goes on
 * uncompressed. */
static void
test_compress_cancel (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  Wait wait = { 0 };

  heron_script_server_expect (server, "A0001 NOOP");
  heron_script_server_send (server, "$TAG OK still plain\r\n");

  g_cancellable_cancel (cancelled);
  heron_imap_connection_compress_async (connection, cancelled, on_done, &wait);
  run_until (&wait.done);
  g_assert_false (heron_imap_connection_compress_finish (connection, wait.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (wait.result);

  noop_ok (connection);
  g_assert_false (heron_imap_connection_is_compressed (connection));
  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  g_assert_null (strstr (transcript, "COMPRESS DEFLATE"));
}

/* COMPRESS cancelled while it waits behind a command in flight (it is a barrier): the caller hears
 * G_IO_ERROR_CANCELLED, COMPRESS is never written, and the commands after it go out in plain
 * text. */
static void
test_compress_cancel_queued (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
  g_autoptr(HeronImapCommand) first = heron_imap_command_new_noop ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  Wait first_wait = { 0 };
  Wait compress_wait = { 0 };

  heron_script_server_expect (server, "* NOOP");
  heron_script_server_sleep (server, 300);
  heron_script_server_send (server, "$TAG OK first\r\n");
  heron_script_server_expect (server, "* NOOP");
  heron_script_server_send (server, "$TAG OK still plain\r\n");

  heron_imap_connection_send_async (connection, first, HERON_IMAP_SEND_BARRIER, NULL, NULL, NULL,
                                    on_done, &first_wait);
  heron_imap_connection_compress_async (connection, cancellable, on_done, &compress_wait);
  /* Let the first command go out; COMPRESS must still be queued behind it. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (first_wait.done);
  g_cancellable_cancel (cancellable);
  run_until (&compress_wait.done);
  g_assert_false (first_wait.done);
  g_assert_false (heron_imap_connection_compress_finish (connection, compress_wait.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (compress_wait.result);

  run_until (&first_wait.done);
  g_clear_pointer (&first_wait.result, g_object_unref);
  noop_ok (connection);
  g_assert_false (heron_imap_connection_is_compressed (connection));
  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  g_assert_null (strstr (transcript, "COMPRESS DEFLATE"));
}

/* COMPRESS cancelled after it was written: the caller hears G_IO_ERROR_CANCELLED at once, but the
 * server runs it anyway, so at its tagged OK the connection follows the server into deflate and
 * the next command and its reply go compressed both ways. */
static void
test_compress_cancel_written (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapConnection) connection = connect_plain (server, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
  g_autoptr(GConverter) server_deflater = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  g_autoptr(GConverter) client_deflater = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  g_autoptr(GBytes) noop = deflate_text (client_deflater, "A0002 NOOP\r\n");
  g_autoptr(GBytes) noop_ok_bytes = deflate_text (server_deflater, "A0002 OK done\r\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_script_server_expect (server, "A0001 COMPRESS DEFLATE");
  heron_script_server_sleep (server, 400);
  heron_script_server_send (server, "A0001 OK DEFLATE active\r\n");
  heron_script_server_expect_literal (server, g_bytes_get_size (noop), noop);
  heron_script_server_send_bytes (server, noop_ok_bytes);

  heron_imap_connection_compress_async (connection, cancellable, on_done, &wait);
  /* Until the line is on the wire (the script reads it and then sleeps). */
  for (int i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_cancellable_cancel (cancellable);
  run_until (&wait.done);
  g_assert_false (heron_imap_connection_compress_finish (connection, wait.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (wait.result);
  g_assert_false (heron_imap_connection_is_compressed (connection));

  /* The next command waits for the COMPRESS barrier, then goes compressed. */
  noop_ok (connection);
  g_assert_true (heron_imap_connection_is_compressed (connection));
  assert_server_ok (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/connection/starttls", test_starttls);
  g_test_add_func ("/heron/imap/connection/starttls/injection", test_starttls_injection);
  g_test_add_func ("/heron/imap/connection/starttls/refused", test_starttls_refused);
  g_test_add_func ("/heron/imap/connection/starttls/missing", test_starttls_missing);
  g_test_add_func ("/heron/imap/connection/starttls/refused-plaintext-allowed",
                   test_starttls_refused_plaintext_allowed);
  g_test_add_func ("/heron/imap/connection/starttls/preauth-before-tls", test_preauth_before_tls);
  g_test_add_func ("/heron/imap/connection/plaintext-not-allowed", test_plaintext_not_allowed);
  g_test_add_func ("/heron/imap/connection/implicit-tls", test_implicit_tls);
  g_test_add_func ("/heron/imap/connection/certificate/untrusted", test_certificate_untrusted);
  g_test_add_func ("/heron/imap/connection/certificate/accept-once", test_certificate_accept_once);
  g_test_add_func ("/heron/imap/connection/certificate/reject", test_certificate_reject);
  g_test_add_func ("/heron/imap/connection/certificate/pin", test_certificate_pin);
  g_test_add_func ("/heron/imap/connection/unknown-tag", test_unknown_tag);
  g_test_add_func ("/heron/imap/connection/stall", test_stall);
  g_test_add_func ("/heron/imap/connection/stall/connect", test_stall_connect);
  g_test_add_func ("/heron/imap/connection/stall/greeting", test_stall_greeting);
  g_test_add_func ("/heron/imap/connection/stall/handshake", test_stall_handshake);
  g_test_add_func ("/heron/imap/connection/garbage", test_garbage);
  g_test_add_func ("/heron/imap/connection/garbage/greeting", test_garbage_greeting);
  g_test_add_func ("/heron/imap/connection/bye/greeting", test_bye_greeting);
  g_test_add_func ("/heron/imap/connection/bye/midway", test_bye_midway);
  g_test_add_func ("/heron/imap/connection/body/100mb", test_body_100mb);
  g_test_add_func ("/heron/imap/connection/body/collected", test_body_collected);
  g_test_add_func ("/heron/imap/connection/body/consumer-fails", test_body_consumer_fails);
  g_test_add_func ("/heron/imap/connection/drop-in-literal", test_drop_in_literal);
  g_test_add_func ("/heron/imap/connection/limit", test_limit);
  g_test_add_func ("/heron/imap/connection/unexpected-continuation", test_unexpected_continuation);
  g_test_add_func ("/heron/imap/connection/literal/sync", test_sync_literal);
  g_test_add_func ("/heron/imap/connection/literal/plus", test_literal_plus);
  g_test_add_func ("/heron/imap/connection/literal/stream", test_literal_stream);
  g_test_add_func ("/heron/imap/connection/authenticate-waits", test_authenticate_waits);
  g_test_add_func ("/heron/imap/connection/unwritable-command", test_unwritable_command);
  g_test_add_func ("/heron/imap/connection/pipelining", test_pipelining_routing);
  g_test_add_func ("/heron/imap/connection/fetch-routing", test_fetch_routing);
  g_test_add_func ("/heron/imap/connection/alert", test_alert);
  g_test_add_func ("/heron/imap/connection/keepalive", test_keepalive);
  g_test_add_func ("/heron/imap/connection/cancel", test_cancel);
  g_test_add_func ("/heron/imap/connection/idle", test_idle_continuation);
  g_test_add_func ("/heron/imap/connection/compress", test_compress);
  g_test_add_func ("/heron/imap/connection/compress/unsupported", test_compress_unsupported);
  g_test_add_func ("/heron/imap/connection/compress/cancel-queued", test_compress_cancel_queued);
  g_test_add_func ("/heron/imap/connection/compress/cancel-written", test_compress_cancel_written);
  g_test_add_func ("/heron/imap/connection/compress/cancel", test_compress_cancel);

  return g_test_run ();
}
