/* test-mime-roundtrip.c: a message composed by backend/mime, sent by backend/smtp through the
 * harness's real Postfix, delivered into Dovecot, read back and parsed by backend/mime: every
 * part of it (non-ASCII subject, names, body, attachment names, types and bytes) must come back
 * as it was written.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-test-server.h"
#include "mime/heron-mime.h"
#include "smtp/heron-smtp-client.h"

#define DELIVERY_TIMEOUT_MS 20000

static HeronTestServer *server;

static void
async_done (GObject      *source_object,
            GAsyncResult *res,
            gpointer      user_data)
{
  GAsyncResult **result = user_data;

  *result = g_object_ref (res);
}

static void
fail_with_logs (const char *what,
                GError     *error)
{
  g_autofree char *logs = heron_test_server_dup_logs (server, 0);

  g_error ("%s: %s\n%s", what, error->message, logs);
}

/* Sends over STARTTLS as alice, with the harness's certificate pinned. */
static HeronSmtpSendResult *
send_outgoing (HeronMimeOutgoing *outgoing)
{
  HeronSmtpClientSettings settings;
  g_autoptr(HeronSmtpClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronSmtpSendResult *send_result;

  heron_smtp_client_settings_init (&settings);
  settings.host = g_strdup (heron_test_server_get_host (server));
  settings.port = heron_test_server_get_smtp_port (server);
  settings.security = HERON_SMTP_SECURITY_STARTTLS;
  settings.pinned_certificate = g_object_ref (heron_test_server_get_certificate (server));
  settings.user = g_strdup (heron_test_server_get_user (server));
  settings.password = g_strdup (heron_test_server_get_password (server));
  client = heron_smtp_client_new (&settings);
  heron_smtp_client_settings_clear (&settings);

  heron_smtp_client_send_bytes_async (client, outgoing->envelope_from,
                                      (const char * const *) outgoing->recipients,
                                      outgoing->message, NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  send_result = heron_smtp_client_send_finish (client, result, &error);
  if (send_result == NULL)
    fail_with_logs ("Sending failed", error);
  return send_result;
}

/* The whole delivered message as Dovecot stores it. */
static GBytes *
fetch_delivered (const char *user,
                 const char *message_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uid_text = NULL;
  g_autofree char *out = NULL;
  guint32 uid;

  uid = heron_test_server_wait_for_message (server, user, "INBOX", message_id, DELIVERY_TIMEOUT_MS, &error);
  if (error != NULL)
    fail_with_logs ("The message was not delivered", error);
  g_assert_cmpuint (uid, >, 0);

  uid_text = g_strdup_printf ("%u", uid);
  {
    const char *argv[] = { "fetch", "-u", user, "text", "mailbox", "INBOX", "uid", uid_text, NULL };

    g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
    g_assert_no_error (error);
  }
  /* doveadm's "flow" output: "text:\n" and the value. */
  g_assert_true (g_str_has_prefix (out, "text:\n"));
  return g_bytes_new (out + strlen ("text:\n"), strlen (out) - strlen ("text:\n"));
}

static void
assert_address (GPtrArray  *list,
                guint       index,
                const char *name,
                const char *address)
{
  HeronMimeAddress *mailbox;

  g_assert_cmpuint (list->len, >, index);
  mailbox = g_ptr_array_index (list, index);
  g_assert_cmpstr (mailbox->name, ==, name);
  g_assert_cmpstr (mailbox->address, ==, address);
}

/* Alice writes to herself (To) and to a second name for herself (Cc), with two attachments;
 * what Dovecot delivers parses to exactly what was composed. */
static void
test_roundtrip (void)
{
  const char *alice = heron_test_server_get_user (server);
  const char *subject = "Grüße aus Zürich – 東京 😀 «citation»";
  const char *body = "Hallo Ålice,\n\nanbei die Unterlagen: Übersicht, Straße, ĳ, Ελληνικά, кириллица.\n"
                     "A line starting with a dot follows:\n.hidden? no\n\n-- \nBjörn\n";
  static const guint8 binary[] = { 0x00, 0xff, 0x10, 0x80, 0x0d, 0x0a, 0x2e, 0x0a, 'P', 'N', 'G', 0x1a, 0x00 };
  const char *text_attachment = "Zeile eins: äöü\nZeile zwei: €\n";
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("Ålice Ünïcode", alice);
  g_autoptr(HeronMimeComposition) composition = heron_mime_composition_new (identity);
  g_autoptr(HeronMimeOutgoing) outgoing = NULL;
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GBytes) delivered = NULL;
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) binary_bytes = g_bytes_new_static (binary, sizeof binary);
  g_autoptr(GBytes) text_bytes = g_bytes_new_static (text_attachment, strlen (text_attachment));
  g_autofree char *text = NULL;
  GPtrArray *attachments;
  struct {
    const char *name;
    const char *type;
    GBytes *content;
  } expected[] = {
    { "Übersicht – Größe 東京.bin", "application/octet-stream", binary_bytes },
    { "notes.txt", "text/plain", text_bytes },
  };

  heron_mime_composition_add_recipient (composition->to, "Ålice Empfängerin", alice);
  heron_mime_composition_add_recipient (composition->cc, "Zoë Ðuplicate, Jr.", alice);
  g_free (composition->subject);
  composition->subject = g_strdup (subject);
  g_free (composition->body);
  composition->body = g_strdup (body);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_ptr_array_add (composition->attachments,
                     heron_mime_compose_attachment_new_for_data (expected[i].content, expected[i].name, expected[i].type));

  outgoing = heron_mime_composition_build (composition, HERON_MIME_BUILD_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (outgoing);
  g_assert_cmpstr (outgoing->envelope_from, ==, alice);
  g_assert_cmpuint (g_strv_length (outgoing->recipients), ==, 1);

  result = send_outgoing (outgoing);
  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (result), ==, 1);

  delivered = fetch_delivered (alice, outgoing->message_id);
  message = heron_mime_message_new_from_bytes (delivered, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (heron_mime_message_get_message_id (message), ==, outgoing->message_id);
  g_assert_cmpstr (heron_mime_message_get_subject (message), ==, subject);
  g_assert_cmpuint (heron_mime_message_get_from (message)->len, ==, 1);
  assert_address (heron_mime_message_get_from (message), 0, "Ålice Ünïcode", alice);
  g_assert_cmpuint (heron_mime_message_get_to (message)->len, ==, 1);
  assert_address (heron_mime_message_get_to (message), 0, "Ålice Empfängerin", alice);
  g_assert_cmpuint (heron_mime_message_get_cc (message)->len, ==, 1);
  assert_address (heron_mime_message_get_cc (message), 0, "Zoë Ðuplicate, Jr.", alice);
  g_assert_cmpuint (heron_mime_message_get_bcc (message)->len, ==, 0);
  g_assert_cmpint (heron_mime_message_get_flags (message) & HERON_MIME_MESSAGE_MALFORMED, ==, 0);

  g_assert_cmpint (heron_mime_message_get_body (message, FALSE, &text), ==, HERON_MIME_BODY_PLAIN);
  g_assert_cmpstr (text, ==, body);

  attachments = heron_mime_message_get_attachments (message);
  g_assert_cmpuint (attachments->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      HeronMimeAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autoptr(GBytes) content = NULL;

      g_assert_cmpstr (heron_mime_attachment_get_filename (attachment), ==, expected[i].name);
      g_assert_cmpstr (heron_mime_attachment_get_content_type (attachment), ==, expected[i].type);
      g_assert_false (heron_mime_attachment_is_inline (attachment));
      g_assert_cmpint (heron_mime_attachment_get_size (attachment), ==, g_bytes_get_size (expected[i].content));
      content = heron_mime_attachment_get_content (attachment, 1024 * 1024, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (content, expected[i].content));
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
    g_error ("The test Postfix and Dovecot could not start, so this test cannot run: %s", error->message);

  g_test_add_func ("/heron/mime/roundtrip/compose-send-deliver-parse", test_roundtrip);

  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
