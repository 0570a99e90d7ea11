/* test-smtp-submission.c: HeronSmtpClient against the real Postfix of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Postfix submission with STARTTLS and over implicit TLS, SMTP AUTH through Dovecot (PLAIN and
 * LOGIN), delivery into Dovecot over LMTP: what is sent is read back from the mailboxes with
 * doveadm and compared byte for byte (Dovecot stores LF line ends). Postfix refuses unknown
 * local users (550 5.1.1) and any other domain (554 5.7.1 Relay access denied) at RCPT, and
 * takes at most 10240000 bytes (its SIZE).
 *
 * One Postfix and Dovecot serve every test; each message has a Message-ID of its own.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "heron-script-server.h"
#include "heron-test-server.h"
#include "smtp-test-helpers.h"

#define DELIVERY_TIMEOUT_MS 20000
#define BOB "bob@" HERON_TEST_SERVER_DOMAIN

static HeronTestServer *server;

/* Helpers */

typedef struct {
  const char *name;
  HeronSmtpSecurity security;
  HeronSmtpAuthMechanism mechanism;
} Mode;

static const Mode modes[] = {
  { "starttls/plain", HERON_SMTP_SECURITY_STARTTLS, HERON_SMTP_AUTH_PLAIN },
  { "starttls/login", HERON_SMTP_SECURITY_STARTTLS, HERON_SMTP_AUTH_LOGIN },
  { "tls/plain", HERON_SMTP_SECURITY_TLS, HERON_SMTP_AUTH_PLAIN },
  { "tls/login", HERON_SMTP_SECURITY_TLS, HERON_SMTP_AUTH_LOGIN },
};

/* Settings for alice, trusting only the harness's certificate. */
static void
init_settings (HeronSmtpClientSettings *settings,
               HeronSmtpSecurity        security)
{
  g_autoptr(GError) error = NULL;

  heron_smtp_client_settings_init (settings);
  settings->host = g_strdup (heron_test_server_get_host (server));
  settings->security = security;
  settings->port = security == HERON_SMTP_SECURITY_TLS ? heron_test_server_get_smtps_port (server)
                                                        : heron_test_server_get_smtp_port (server);
  settings->tls_database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  settings->user = g_strdup (heron_test_server_get_user (server));
  settings->password = g_strdup (heron_test_server_get_password (server));
  settings->connect_timeout_ms = 10000;
  settings->command_timeout_ms = 20000;
  settings->envelope_timeout_ms = 20000;
  settings->data_timeout_ms = 20000;
  settings->final_timeout_ms = 30000;
}

static HeronSmtpClient *
new_client (HeronSmtpSecurity      security,
            HeronSmtpAuthMechanism mechanism)
{
  HeronSmtpClientSettings settings;
  HeronSmtpClient *client;

  init_settings (&settings, security);
  settings.auth_mechanism = mechanism;
  client = heron_smtp_client_new (&settings);
  heron_smtp_client_settings_clear (&settings);
  return client;
}

static char *
new_message_id (void)
{
  static guint counter;
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%u.%s@heron.test", ++counter, uuid);
}

/* A message with LF line ends (the client makes them CRLF), and its body. */
static GBytes *
make_message (const char  *message_id,
              const char  *subject,
              const char  *body)
{
  g_autofree char *text = g_strdup_printf ("From: Alice <alice@example.test>\n"
                                           "To: Bob <bob@example.test>\n"
                                           "Subject: %s\n"
                                           "Message-ID: <%s>\n"
                                           "MIME-Version: 1.0\n"
                                           "Content-Type: text/plain; charset=utf-8\n"
                                           "Content-Transfer-Encoding: 8bit\n"
                                           "\n"
                                           "%s", subject, message_id, body);

  return g_bytes_new (text, strlen (text));
}

static void
fail_with_logs (const char *what,
                GError     *error)
{
  g_autofree char *logs = heron_test_server_dup_logs (server, 0);

  g_error ("%s: %s\n%s", what, error->message, logs);
}

static guint32
wait_for (const char *user,
          const char *message_id)
{
  g_autoptr(GError) error = NULL;
  guint32 uid;

  uid = heron_test_server_wait_for_message (server, user, "INBOX", message_id,
                                            DELIVERY_TIMEOUT_MS, &error);
  if (error != NULL)
    fail_with_logs ("The message was not delivered", error);
  g_assert_cmpuint (uid, >, 0);
  return uid;
}

/* The body of a delivered message, as Dovecot stores it (LF line ends). */
static char *
fetch_body (const char *user,
            guint32     uid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uid_text = g_strdup_printf ("%u", uid);
  const char *argv[] = { "fetch", "-u", user, "body", "mailbox", "INBOX", "uid", uid_text, NULL };
  g_autofree char *out = NULL;

  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  /* doveadm's "flow" output: "body:\n" and the value. */
  g_assert_true (g_str_has_prefix (out, "body:\n"));
  return g_strdup (out + strlen ("body:\n"));
}

/* Dovecot's passwd-file is looked at again at most once a second: a user added within the
 * second of a lookup is unknown until the next second. So bob is added before the tests, and
 * they start a second later. */
static void
add_bob (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_test_server_add_user (server, BOB, NULL, &error));
  g_assert_no_error (error);
  g_usleep (1100 * 1000);
}

/* Tests */

/* Alice sends to herself and to bob, over STARTTLS and over implicit TLS, with AUTH PLAIN and
 * AUTH LOGIN: both receive the message, its body byte for byte; the server gave each recipient
 * its 250 and the message a queue id. */
static void
test_delivery (gconstpointer data)
{
  const Mode *mode = data;
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, BOB, NULL };
  const char *body = "Hello Bob,\n\nthis goes over SMTP. Ünïcödé, and\n"
                     ". a line with a dot\n..two dots\n.\nthe end\n";
  g_autoptr(HeronSmtpClient) client = new_client (mode->security, mode->mechanism);
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *message_id = new_message_id ();
  g_autofree char *queue_id = NULL;

  message = make_message (message_id, mode->name, body);
  result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
  if (result == NULL)
    fail_with_logs ("Sending failed", error);

  g_assert_cmpuint (heron_smtp_send_result_get_n_recipients (result), ==, 2);
  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (result), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      HeronSmtpReply *reply = heron_smtp_send_result_get_recipient_reply (result, i);

      g_assert_true (heron_smtp_send_result_is_accepted (result, i));
      g_assert_cmpuint (heron_smtp_reply_get_code (reply), ==, 250);
      g_assert_cmpstr (heron_smtp_reply_get_enhanced_code (reply), ==, "2.1.5");
    }
  g_assert_null (heron_smtp_send_result_dup_rejections (result));
  g_assert_cmpuint (heron_smtp_reply_get_code (heron_smtp_send_result_get_queue_reply (result)),
                    ==, 250);
  queue_id = heron_smtp_send_result_dup_queue_id (result);
  g_assert_nonnull (queue_id);
  g_assert_nonnull (strstr (heron_smtp_reply_get_text (heron_smtp_send_result_get_queue_reply (result)),
                            queue_id));

  for (guint i = 0; recipients[i] != NULL; i++)
    {
      guint32 uid = wait_for (recipients[i], message_id);
      g_autofree char *delivered = fetch_body (recipients[i], uid);

      g_assert_cmpstr (delivered, ==, body);
    }
}

/* One recipient refused among accepted ones: an unknown local user (550 5.1.1) and another
 * domain (554 5.7.1 Relay access denied) are reported each with its reply; alice gets the
 * message. */
static void
test_recipient_rejected (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = {
    "nobody@" HERON_TEST_SERVER_DOMAIN, alice, "carol@elsewhere.test", NULL
  };
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_STARTTLS, HERON_SMTP_AUTH_AUTO);
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *message_id = new_message_id ();
  g_autofree char *rejections = NULL;
  HeronSmtpReply *reply;

  message = make_message (message_id, "Some refused", "Body\n");
  result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
  if (result == NULL)
    fail_with_logs ("Sending failed", error);

  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (result), ==, 1);
  g_assert_false (heron_smtp_send_result_is_accepted (result, 0));
  g_assert_true (heron_smtp_send_result_is_accepted (result, 1));
  g_assert_false (heron_smtp_send_result_is_accepted (result, 2));

  reply = heron_smtp_send_result_get_recipient_reply (result, 0);
  g_assert_cmpuint (heron_smtp_reply_get_code (reply), ==, 550);
  g_assert_cmpstr (heron_smtp_reply_get_enhanced_code (reply), ==, "5.1.1");
  reply = heron_smtp_send_result_get_recipient_reply (result, 2);
  g_assert_cmpuint (heron_smtp_reply_get_code (reply), ==, 554);
  g_assert_cmpstr (heron_smtp_reply_get_enhanced_code (reply), ==, "5.7.1");
  g_assert_nonnull (strstr (heron_smtp_reply_get_text (reply), "Relay access denied"));

  rejections = heron_smtp_send_result_dup_rejections (result);
  g_test_message ("%s", rejections);
  g_assert_true (g_str_has_prefix (rejections, "nobody@example.test was refused: 550 5.1.1 "));
  g_assert_nonnull (strstr (rejections, "\ncarol@elsewhere.test was refused: 554 5.7.1 "));

  wait_for (alice, message_id);
}

/* No recipient accepted: the send fails as a whole, with every refusal in the message and in
 * the result attached to the error; nothing is delivered. */
static void
test_all_rejected (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = {
    "nobody@" HERON_TEST_SERVER_DOMAIN, "carol@elsewhere.test", NULL
  };
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_TLS, HERON_SMTP_AUTH_AUTO);
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *message_id = new_message_id ();
  HeronSmtpSendResult *attached;

  message = make_message (message_id, "All refused", "Body\n");
  result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_RECIPIENTS_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "No recipient was accepted: nobody@example.test "
                                                   "was refused: 550 5.1.1 "));
  g_assert_nonnull (strstr (error->message, "; carol@elsewhere.test was refused: 554 5.7.1 "));
  g_assert_false (heron_smtp_error_is_transient (error));

  attached = heron_smtp_error_get_result (error);
  g_assert_nonnull (attached);
  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (attached), ==, 0);
  g_assert_cmpuint (heron_smtp_reply_get_code (heron_smtp_send_result_get_recipient_reply (attached, 0)),
                    ==, 550);
  g_assert_null (heron_smtp_send_result_get_queue_reply (attached));
}

/* A wrong password: an authentication error with the server's words. */
static void
test_wrong_password (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };

  for (guint i = 0; i < 2; i++)
    {
      HeronSmtpClientSettings settings;
      g_autoptr(HeronSmtpClient) client = NULL;
      g_autoptr(HeronSmtpSendResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) message = make_message ("never@heron.test", "Never", "Body\n");

      init_settings (&settings, HERON_SMTP_SECURITY_STARTTLS);
      settings.auth_mechanism = i == 0 ? HERON_SMTP_AUTH_PLAIN : HERON_SMTP_AUTH_LOGIN;
      g_free (settings.password);
      settings.password = g_strdup ("not the password");
      client = heron_smtp_client_new (&settings);
      heron_smtp_client_settings_clear (&settings);

      result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "Authentication as alice@example.test to "
                                                       "127.0.0.1 failed: 535 5.7.8 "));
      g_assert_nonnull (strstr (error->message, "authentication failed"));
      g_assert_null (strstr (error->message, "not the password"));
      g_assert_cmpuint (heron_smtp_reply_get_code (heron_smtp_error_get_reply (error)), ==, 535);
    }
}

/* check: TLS, EHLO, AUTH, QUIT; the extensions Postfix offers after TLS. */
static void
test_check (void)
{
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_STARTTLS, HERON_SMTP_AUTH_AUTO);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;

  extensions = smtp_test_check (client, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) extensions, "PIPELINING"));
  /* the harness's Dovecot also takes OAuth2 tokens (tests/servers/README.md) */
  g_assert_true (g_strv_contains ((const char * const *) extensions, "AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER"));
  g_assert_true (g_strv_contains ((const char * const *) extensions, "8BITMIME"));
  g_assert_true (g_strv_contains ((const char * const *) extensions, "SIZE 10240000"));
  g_assert_false (g_strv_contains ((const char * const *) extensions, "STARTTLS"));
}

typedef struct {
  HeronTlsDecision decision;
  guint calls;
} Decider;

static HeronTlsDecision
decide (GTlsCertificate      *certificate,
        GTlsCertificateFlags  errors,
        const char           *host,
        gpointer              user_data)
{
  Decider *decider = user_data;

  decider->calls++;
  return decider->decision;
}

static void
on_pinned (HeronSmtpClient *client,
           GTlsCertificate *certificate,
           gpointer         user_data)
{
  g_set_object ((GTlsCertificate **) user_data, certificate);
}

static GError *
send_expecting_error (HeronSmtpClient *client)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  g_autoptr(GBytes) message = make_message ("never@heron.test", "Never", "Body\n");
  g_autoptr(HeronSmtpSendResult) result = NULL;
  GError *error = NULL;

  result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  return error;
}

/* The certificate rules: without trust anchors the harness's self-signed certificate does not
 * verify (refused, with what the UI needs to ask); the decision callback can accept and pin
 * it; pinned, it is accepted without asking; a different pinned certificate is refused as
 * "changed", even though the harness's one is now also trusted. */
static void
test_certificates (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  GTlsCertificate *harness = heron_test_server_get_certificate (server);
  g_autoptr(GTlsCertificate) signalled = NULL;
  g_autoptr(GTlsCertificate) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  Decider decider = { HERON_TLS_DECISION_ACCEPT_AND_PIN, 0 };

  /* Untrusted, no callback. */
  {
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;

    init_settings (&settings, HERON_SMTP_SECURITY_TLS);
    g_clear_object (&settings.tls_database);
    client = heron_smtp_client_new (&settings);
    heron_smtp_client_settings_clear (&settings);

    error = send_expecting_error (client);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_CERTIFICATE);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "is not trusted: it is not signed by a trusted authority"));
    g_assert_true (g_tls_certificate_is_same (heron_smtp_error_get_peer_certificate (error), harness));
    g_assert_true (heron_smtp_error_get_certificate_errors (error) & G_TLS_CERTIFICATE_UNKNOWN_CA);
    fingerprint = heron_tls_certificate_dup_fingerprint (heron_smtp_error_get_peer_certificate (error));
    g_assert_true (g_str_has_prefix (fingerprint, "SHA-256 "));
    g_clear_error (&error);
  }

  /* The person accepts and pins it: the message goes, the certificate is announced. */
  {
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GBytes) message = NULL;
    g_autofree char *message_id = new_message_id ();

    init_settings (&settings, HERON_SMTP_SECURITY_STARTTLS);
    g_clear_object (&settings.tls_database);
    settings.certificate_func = decide;
    settings.certificate_data = &decider;
    client = heron_smtp_client_new (&settings);
    heron_smtp_client_settings_clear (&settings);
    g_signal_connect (client, "certificate-pinned", G_CALLBACK (on_pinned), &signalled);

    message = make_message (message_id, "Pinned", "Body\n");
    result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (decider.calls, ==, 1);
    g_assert_nonnull (signalled);
    g_assert_true (g_tls_certificate_is_same (signalled, harness));
    wait_for (alice, message_id);
  }

  /* Pinned: accepted without asking, with no trust anchors at all. */
  {
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GBytes) message = NULL;
    g_autofree char *message_id = new_message_id ();

    init_settings (&settings, HERON_SMTP_SECURITY_TLS);
    g_clear_object (&settings.tls_database);
    settings.pinned_certificate = g_object_ref (signalled);
    settings.certificate_func = decide;
    settings.certificate_data = &decider;
    client = heron_smtp_client_new (&settings);
    heron_smtp_client_settings_clear (&settings);

    message = make_message (message_id, "Pinned again", "Body\n");
    result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (decider.calls, ==, 1);
    wait_for (alice, message_id);
  }

  /* Another certificate pinned: the harness's is refused as changed, although it is trusted. */
  other = heron_script_server_make_certificate ("localhost", "DNS:localhost,IP:127.0.0.1", 2, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      HeronSmtpClientSettings settings;
      g_autoptr(HeronSmtpClient) client = NULL;

      init_settings (&settings, i == 0 ? HERON_SMTP_SECURITY_TLS : HERON_SMTP_SECURITY_STARTTLS);
      settings.pinned_certificate = g_object_ref (other);
      settings.certificate_func = decide;
      settings.certificate_data = &decider;
      client = heron_smtp_client_new (&settings);
      heron_smtp_client_settings_clear (&settings);

      error = send_expecting_error (client);
      g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_CERTIFICATE);
      g_assert_true (g_str_has_prefix (error->message, "The server's certificate changed: 127.0.0.1 "
                                                       "presented a certificate that is not the one "
                                                       "accepted before"));
      g_assert_true (g_tls_certificate_is_same (heron_smtp_error_get_peer_certificate (error), harness));
      g_clear_error (&error);
    }
  g_assert_cmpuint (decider.calls, ==, 1);
}

/* Lines that start with "." (dot-stuffing) and a body without a final line end arrive as
 * they were written. */
static void
test_dot_stuffing (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  const char *body = ".\n..\n...\n.hidden\n . not at the start\n\n.\r\nlast line without end";
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_TLS, HERON_SMTP_AUTH_AUTO);
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *message_id = new_message_id ();
  g_autofree char *delivered = NULL;

  message = make_message (message_id, "Dots", body);
  result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
  if (result == NULL)
    fail_with_logs ("Sending failed", error);

  delivered = fetch_body (alice, wait_for (alice, message_id));
  g_assert_cmpstr (delivered, ==, ".\n..\n...\n.hidden\n . not at the start\n\n.\nlast line without end\n");
}

/* A message close to Postfix's 10240000-byte limit goes through as a stream, read once in
 * pieces: the process's memory hardly grows, and bob gets every byte of it. */
static void
test_large (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { BOB, NULL };
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_TLS, HERON_SMTP_AUTH_AUTO);
  g_autofree char *message_id = new_message_id ();
  g_autoptr(SmtpTestGenerator) generator = smtp_test_generator_new (message_id, 9 * 1000 * 1000);
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *delivered = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  gsize memory_before, memory_max;
  gint64 start;

  memory_before = smtp_test_memory_kib ();
  start = g_get_monotonic_time ();
  result = smtp_test_send_stream (client, alice, recipients, G_INPUT_STREAM (generator),
                                  smtp_test_generator_get_size (generator), HERON_SMTP_BODY_7BIT,
                                  NULL, &error);
  if (result == NULL)
    fail_with_logs ("Sending failed", error);
  memory_max = smtp_test_generator_get_max_memory_kib (generator);
  g_test_message ("%" G_GUINT64_FORMAT " bytes in %.2f s; memory in use before %" G_GSIZE_FORMAT
                  " KiB, at most %" G_GSIZE_FORMAT " KiB while sending",
                  smtp_test_generator_get_size (generator),
                  (g_get_monotonic_time () - start) / 1e6, memory_before, memory_max);
  g_assert_cmpuint (memory_max, <, memory_before + 6 * 1024);

  delivered = fetch_body (BOB, wait_for (BOB, message_id));
  got = g_compute_checksum_for_string (G_CHECKSUM_SHA256, delivered, -1);
  expected = smtp_test_generator_dup_body_checksum (generator, TRUE);
  g_assert_cmpstr (got, ==, expected);
}

/* A message larger than the server's SIZE is refused before MAIL, without sending a byte of
 * it; the error says why in words. */
static void
test_too_large (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_STARTTLS, HERON_SMTP_AUTH_AUTO);
  g_autoptr(SmtpTestGenerator) generator = smtp_test_generator_new ("big@heron.test",
                                                                     20 * 1000 * 1000);
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = smtp_test_send_stream (client, alice, recipients, G_INPUT_STREAM (generator),
                                  smtp_test_generator_get_size (generator), HERON_SMTP_BODY_7BIT,
                                  NULL, &error);
  g_assert_null (result);
  g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_MESSAGE_TOO_LARGE);
  g_test_message ("%s", error->message);
  /* g_format_size() puts a no-break space between number and unit. */
  g_assert_nonnull (strstr (error->message, "The message is too large for 127.0.0.1: it is "
                                            "20.0\u00a0MB, and the server takes at most "
                                            "10.2\u00a0MB"));
  g_assert_cmpuint (smtp_test_generator_get_max_memory_kib (generator), ==, 0); /* never read */
}

typedef struct {
  guint pending;
  gboolean all_done;
  GPtrArray *results;
} Concurrent;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Concurrent *concurrent = user_data;
  g_autoptr(GError) error = NULL;
  HeronSmtpSendResult *sent;

  sent = heron_smtp_client_send_finish (HERON_SMTP_CLIENT (source), result, &error);
  if (sent == NULL)
    fail_with_logs ("Sending failed", error);
  g_ptr_array_add (concurrent->results, sent);
  concurrent->pending--;
  concurrent->all_done = concurrent->pending == 0;
}

/* One client, several sends at once: each on its own connection, each delivered. */
static void
test_concurrent (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, BOB, NULL };
  g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_STARTTLS, HERON_SMTP_AUTH_AUTO);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  Concurrent concurrent = { 0, FALSE, g_ptr_array_new_with_free_func ((GDestroyNotify) heron_smtp_send_result_unref) };

  for (guint i = 0; i < 4; i++)
    {
      char *message_id = new_message_id ();
      g_autoptr(GBytes) message = make_message (message_id, "At once", "Body\n");

      g_ptr_array_add (ids, message_id);
      heron_smtp_client_send_bytes_async (client, alice, recipients, message, NULL, on_sent,
                                          &concurrent);
      concurrent.pending++;
    }

  smtp_test_run_until (&concurrent.all_done);
  g_assert_cmpuint (concurrent.results->len, ==, 4);
  for (guint i = 0; i < ids->len; i++)
    for (guint r = 0; recipients[r] != NULL; r++)
      wait_for (recipients[r], g_ptr_array_index (ids, i));
  g_ptr_array_unref (concurrent.results);
}

/* The server is down: a clear connection error; back up, sending works again. */
static void
test_server_stopped (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_test_server_stop_smtp (server, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HeronSmtpClient) client = new_client (i == 0 ? HERON_SMTP_SECURITY_TLS
                                                             : HERON_SMTP_SECURITY_STARTTLS,
                                                      HERON_SMTP_AUTH_AUTO);

      error = send_expecting_error (client);
      g_test_message ("%s", error->message);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      g_assert_true (g_str_has_prefix (error->message, "Could not connect to 127.0.0.1 port "));
      g_assert_true (heron_smtp_error_is_transient (error));
      g_clear_error (&error);
    }

  g_assert_true (heron_test_server_start_smtp (server, &error));
  g_assert_no_error (error);

  {
    g_autoptr(HeronSmtpClient) client = new_client (HERON_SMTP_SECURITY_TLS, HERON_SMTP_AUTH_AUTO);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GBytes) message = NULL;
    g_autofree char *message_id = new_message_id ();

    message = make_message (message_id, "Back", "Body\n");
    result = smtp_test_send_bytes (client, alice, recipients, message, NULL, &error);
    if (result == NULL)
      fail_with_logs ("Sending failed", error);
    wait_for (alice, message_id);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = heron_test_server_new (&error);
  if (server == NULL)
    g_error ("The test Postfix and Dovecot could not start, so these tests cannot run: %s",
             error->message);

  add_bob ();

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/heron/smtp/submission/%s", modes[i].name);

      g_test_add_data_func (path, &modes[i], test_delivery);
    }
  g_test_add_func ("/heron/smtp/submission/recipient-rejected", test_recipient_rejected);
  g_test_add_func ("/heron/smtp/submission/all-rejected", test_all_rejected);
  g_test_add_func ("/heron/smtp/submission/wrong-password", test_wrong_password);
  g_test_add_func ("/heron/smtp/submission/check", test_check);
  g_test_add_func ("/heron/smtp/submission/certificates", test_certificates);
  g_test_add_func ("/heron/smtp/submission/dot-stuffing", test_dot_stuffing);
  g_test_add_func ("/heron/smtp/submission/large", test_large);
  g_test_add_func ("/heron/smtp/submission/too-large", test_too_large);
  g_test_add_func ("/heron/smtp/submission/concurrent", test_concurrent);
  g_test_add_func ("/heron/smtp/submission/server-stopped", test_server_stopped);

  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
