/* test-smtp-client.c: HeronSmtpClient against the scripted loopback server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a real Postfix will not do: STARTTLS response injection, a refused or missing STARTTLS,
 * XOAUTH2 with a fake token provider (and its error dance), unexpected challenges, malformed and
 * oversized replies, a drop during DATA, 421 at any time, a tiny SIZE, no 8BITMIME, SMTPUTF8,
 * stalls, cancellation, a 20 MB message streamed in bounded memory. The client runs on the
 * test's main context; the server on its own thread.
 */

#include "config.h"

#include <string.h>

#include "heron-script-server.h"
#include "smtp-test-helpers.h"

#define WAIT_MS 20000
#define ALICE "alice@example.test"
#define BOB "bob@example.test"

/* Helpers */

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

/* Settings for server: plain text (allowed, on loopback) unless security says otherwise, the
 * server's certificate as the only trust anchor, no authentication, short timeouts. */
static void
init_settings (HeronSmtpClientSettings *settings,
               HeronScriptServer       *server,
               HeronSmtpSecurity        security)
{
  g_autoptr(GError) error = NULL;

  heron_smtp_client_settings_init (settings);
  settings->host = g_strdup (heron_script_server_get_host (server));
  settings->port = heron_script_server_get_port (server);
  settings->security = security;
  settings->allow_plaintext = security != HERON_SMTP_SECURITY_TLS;
  settings->tls_database = g_tls_file_database_new (heron_script_server_get_certificate_file (server),
                                                    &error);
  g_assert_no_error (error);
  settings->connect_timeout_ms = 5000;
  settings->command_timeout_ms = 5000;
  settings->envelope_timeout_ms = 5000;
  settings->data_timeout_ms = 5000;
  settings->final_timeout_ms = 5000;
}

static HeronSmtpClient *
client_from (HeronSmtpClientSettings *settings)
{
  HeronSmtpClient *client = heron_smtp_client_new (settings);

  heron_smtp_client_settings_clear (settings);
  return client;
}

static HeronSmtpClient *
new_client (HeronScriptServer *server,
            HeronSmtpSecurity  security)
{
  HeronSmtpClientSettings settings;

  init_settings (&settings, server, security);
  return client_from (&settings);
}

/* The greeting and EHLO in plain text. */
static void
script_open (HeronScriptServer *server,
             const char        *ehlo_reply)
{
  heron_script_server_send (server, "220 script.test ESMTP ready\r\n");
  heron_script_server_expect (server, "EHLO [127.0.0.1]");
  heron_script_server_send (server, ehlo_reply);
}

static void
script_quit (HeronScriptServer *server)
{
  heron_script_server_expect (server, "QUIT");
  heron_script_server_send (server, "221 2.0.0 Bye\r\n");
  heron_script_server_close (server);
}

static GBytes *
message_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static const char simple_message[] = "Subject: Hi\r\n\r\nHello\r\n";

static HeronSmtpSendResult *
send_simple (HeronSmtpClient    *client,
             const char * const *recipients,
             GError            **error)
{
  g_autoptr(GBytes) message = message_bytes (simple_message);

  return smtp_test_send_bytes (client, ALICE, recipients, message, NULL, error);
}

/* The message data of simple_message, as the server reads it. */
static void
script_simple_data (HeronScriptServer *server)
{
  heron_script_server_expect (server, "DATA");
  heron_script_server_send (server, "354 End data with <CR><LF>.<CR><LF>\r\n");
  heron_script_server_expect_data (server, "Subject: Hi");
  heron_script_server_expect_data (server, "");
  heron_script_server_expect_data (server, "Hello");
  heron_script_server_expect_data (server, ".");
}

static char *
b64 (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

/* A token provider that hands out the tokens it was given, in order. */
#define TEST_TYPE_TOKENS (test_tokens_get_type ())
G_DECLARE_FINAL_TYPE (TestTokens, test_tokens, TEST, TOKENS, GObject)

struct _TestTokens {
  GObject parent_instance;
  GStrv tokens;
  guint calls;
  guint refreshes;
};

static void test_tokens_iface_init (HeronImapTokenProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTokens, test_tokens, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HERON_IMAP_TYPE_TOKEN_PROVIDER,
                                                      test_tokens_iface_init))

static void
test_tokens_get_token_async (HeronImapTokenProvider *provider,
                             const char             *user,
                             gboolean                refresh,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  TestTokens *self = TEST_TOKENS (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_assert_cmpstr (user, ==, ALICE);
  if (refresh)
    self->refreshes++;
  if (self->tokens[self->calls] == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               "The account needs to be signed in again");
      return;
    }
  g_task_return_pointer (task, g_strdup (self->tokens[self->calls++]), g_free);
}

static char *
test_tokens_get_token_finish (HeronImapTokenProvider  *provider,
                              GAsyncResult            *result,
                              GError                 **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_tokens_iface_init (HeronImapTokenProviderInterface *iface)
{
  iface->get_token_async = test_tokens_get_token_async;
  iface->get_token_finish = test_tokens_get_token_finish;
}

static void
test_tokens_finalize (GObject *object)
{
  g_strfreev (TEST_TOKENS (object)->tokens);
  G_OBJECT_CLASS (test_tokens_parent_class)->finalize (object);
}

static void
test_tokens_class_init (TestTokensClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_tokens_finalize;
}

static void
test_tokens_init (TestTokens *self)
{
}

static TestTokens *
test_tokens_new (const char * const *tokens)
{
  TestTokens *self = g_object_new (TEST_TYPE_TOKENS, NULL);

  self->tokens = g_strdupv ((char **) tokens);
  return self;
}

/* The envelope */

/* With PIPELINING, MAIL and every RCPT go out before any reply (the script reads them all
 * before it answers, so a client that waited would stall); each recipient gets its own reply;
 * the queue id comes from the final reply. */
static void
test_pipelined_envelope (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
  const char * const recipients[] = { ALICE, BOB, "carol@example.test", NULL };
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rejections = NULL;
  g_autofree char *queue_id = NULL;
  HeronSmtpReply *reply;

  script_open (server, "250-script.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
  heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
  heron_script_server_expect (server, "RCPT TO:<alice@example.test>");
  heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
  heron_script_server_expect (server, "RCPT TO:<carol@example.test>");
  heron_script_server_send (server, "250 2.1.0 Sender ok\r\n"
                                    "250 2.1.5 Recipient ok\r\n"
                                    "550-5.1.1 <bob@example.test>: no such user\r\n"
                                    "550 5.1.1 Check the address\r\n"
                                    "451 4.3.0 Try carol later\r\n");
  script_simple_data (server);
  heron_script_server_send (server, "250 2.0.0 Ok: queued as 7QW3ZX1\r\n");
  script_quit (server);

  result = send_simple (client, recipients, &error);
  g_assert_no_error (error);
  assert_server_ok (server);

  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (result), ==, 1);
  g_assert_true (heron_smtp_send_result_is_accepted (result, 0));
  g_assert_false (heron_smtp_send_result_is_accepted (result, 1));
  reply = heron_smtp_send_result_get_recipient_reply (result, 1);
  g_assert_cmpuint (heron_smtp_reply_get_code (reply), ==, 550);
  g_assert_cmpstr (heron_smtp_reply_get_text (reply), ==,
                   "<bob@example.test>: no such user\nCheck the address");
  g_assert_true (heron_smtp_reply_is_transient (heron_smtp_send_result_get_recipient_reply (result, 2)));

  rejections = heron_smtp_send_result_dup_rejections (result);
  g_assert_cmpstr (rejections, ==,
                   "bob@example.test was refused: 550 5.1.1 <bob@example.test>: no such user "
                   "Check the address\n"
                   "carol@example.test was refused: 451 4.3.0 Try carol later");
  queue_id = heron_smtp_send_result_dup_queue_id (result);
  g_assert_cmpstr (queue_id, ==, "7QW3ZX1");
}

/* Without PIPELINING: one command, one reply. */
static void
test_unpipelined_envelope (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
  const char * const recipients[] = { ALICE, BOB, NULL };
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *queue_id = NULL;

  script_open (server, "250 script.test\r\n");
  heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
  heron_script_server_send (server, "250 ok\r\n");
  heron_script_server_expect (server, "RCPT TO:<alice@example.test>");
  heron_script_server_send (server, "250 ok\r\n");
  heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
  heron_script_server_send (server, "251 will forward\r\n");
  script_simple_data (server);
  heron_script_server_send (server, "250 OK id=1qZ8Xk-0004fL-2b\r\n");
  script_quit (server);

  result = send_simple (client, recipients, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (result), ==, 2);
  queue_id = heron_smtp_send_result_dup_queue_id (result);
  g_assert_cmpstr (queue_id, ==, "1qZ8Xk-0004fL-2b");
}

/* More recipients than one pipelined group holds: MAIL and 99 RCPT, then the remaining ones. */
static void
test_pipelined_groups (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) replies = g_string_new ("250 ok\r\n");
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 150; i++)
    g_ptr_array_add (recipients, g_strdup_printf ("user%u@example.test", i));
  g_ptr_array_add (recipients, NULL);

  script_open (server, "250-script.test\r\n250 PIPELINING\r\n");
  heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<user%u@example.test>", i);

      heron_script_server_expect (server, line);
      g_string_append (replies, i % 2 == 0 ? "250 ok\r\n" : "550 no\r\n");
      if (i == 98 || i == 149)
        {
          heron_script_server_send (server, replies->str);
          g_string_truncate (replies, 0);
        }
    }
  script_simple_data (server);
  heron_script_server_send (server, "250 queued\r\n");
  script_quit (server);

  result = send_simple (client, (const char * const *) recipients->pdata, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
  g_assert_cmpuint (heron_smtp_send_result_get_n_recipients (result), ==, 150);
  g_assert_cmpuint (heron_smtp_send_result_get_n_accepted (result), ==, 75);
  g_assert_true (heron_smtp_send_result_is_accepted (result, 148));
  g_assert_false (heron_smtp_send_result_is_accepted (result, 149));
}

/* A refused sender ends the send (the pipelined RCPT replies say "need MAIL"); 530 means TLS or
 * authentication is required. */
static void
test_sender_refused (void)
{
  static const struct {
    const char *reply;
    gint code;
    const char *message;
  } cases[] = {
    { "553 5.7.1 <alice@example.test>: Sender address rejected: not owned by user\r\n",
      HERON_SMTP_ERROR_SENDER_REJECTED,
      "The server 127.0.0.1 refused the sender alice@example.test: 553 5.7.1 "
      "<alice@example.test>: Sender address rejected: not owned by user" },
    { "530 5.7.0 Must issue a STARTTLS command first\r\n", HERON_SMTP_ERROR_TLS,
      "The server 127.0.0.1 requires TLS: 530 5.7.0 Must issue a STARTTLS command first" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronScriptServer) server = new_server ();
      g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
      const char * const recipients[] = { BOB, NULL };
      g_autoptr(HeronSmtpSendResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *replies = g_strconcat (cases[i].reply, "503 5.5.1 Error: need MAIL command\r\n", NULL);

      script_open (server, "250-script.test\r\n250 PIPELINING\r\n");
      heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
      heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
      heron_script_server_send (server, replies);
      script_quit (server);

      result = send_simple (client, recipients, &error);
      g_assert_null (result);
      g_assert_error (error, HERON_SMTP_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_nonnull (heron_smtp_error_get_reply (error));
      assert_server_ok (server);
    }
}

/* Addresses SMTP cannot carry are refused before connecting. */
static void
test_invalid_addresses (void)
{
  static const char * const bad[] = {
    "bob@example.test>\r\nRCPT TO:<evil@example.test", "no-at-sign", "@example.test",
    "bob@", "bob\t@example.test", "bob@exa<mple.test",
  };
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char * const recipients[] = { ALICE, bad[i], NULL };
      g_autoptr(HeronSmtpSendResult) result = NULL;
      g_autoptr(GError) error = NULL;

      result = send_simple (client, recipients, &error);
      g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID);
      g_test_message ("%s", error->message);
    }

  {
    const char * const none[] = { NULL };
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    result = send_simple (client, none, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID);
  }

  assert_server_ok (server);
  g_assert_cmpuint (heron_script_server_get_connections (server), ==, 0);
}

/* Internationalized addresses: a non-ASCII local part needs SMTPUTF8 (and says it on MAIL); a
 * non-ASCII domain alone goes as its A-label and needs nothing; without SMTPUTF8 the former
 * fails before MAIL. */
static void
test_smtputf8 (void)
{
  const char * const recipients[] = { "jörg@example.test", "bob@bücher.example", NULL };

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250-script.test\r\n250-SMTPUTF8\r\n250-8BITMIME\r\n250 PIPELINING\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test> SMTPUTF8");
    heron_script_server_expect (server, "RCPT TO:<jörg@example.test>");
    heron_script_server_expect (server, "RCPT TO:<bob@xn--bcher-kva.example>");
    heron_script_server_send (server, "250 ok\r\n250 ok\r\n250 ok\r\n");
    script_simple_data (server);
    heron_script_server_send (server, "250 ok\r\n");
    script_quit (server);

    result = send_simple (client, recipients, &error);
    g_assert_no_error (error);
    assert_server_ok (server);
    /* The result names the recipients as they were given. */
    g_assert_cmpstr (heron_smtp_send_result_get_recipient (result, 1), ==, "bob@bücher.example");
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250-script.test\r\n250 8BITMIME\r\n");
    script_quit (server);

    result = send_simple (client, recipients, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "SMTPUTF8"));
    assert_server_ok (server);
  }
}

/* The message */

/* Lines starting with "." are stuffed, bare LF and CR become CRLF, and a message without a
 * final line end gets one before the end of the data. */
static void
test_data_encoding (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
  const char * const recipients[] = { BOB, NULL };
  g_autoptr(GBytes) message = message_bytes ("Subject: dots\n\n.\n..x\r\n.\rbare CR\nend");
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;

  script_open (server, "250-script.test\r\n250 SIZE 100000\r\n");
  /* SIZE counts CRLF line ends, not the stuffing. */
  heron_script_server_expect (server, "MAIL FROM:<alice@example.test> SIZE=40");
  heron_script_server_send (server, "250 ok\r\n");
  heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
  heron_script_server_send (server, "250 ok\r\n");
  heron_script_server_expect (server, "DATA");
  heron_script_server_send (server, "354 go ahead\r\n");
  heron_script_server_expect_data (server, "Subject: dots");
  heron_script_server_expect_data (server, "");
  heron_script_server_expect_data (server, "..");
  heron_script_server_expect_data (server, "...x");
  heron_script_server_expect_data (server, "..");
  heron_script_server_expect_data (server, "bare CR");
  heron_script_server_expect_data (server, "end");
  heron_script_server_expect_data (server, ".");
  heron_script_server_send (server, "250 ok\r\n");
  script_quit (server);

  result = smtp_test_send_bytes (client, ALICE, recipients, message, NULL, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
}

/* The before-end hook (the outbox's point of no return): called once, after the rest of the
 * message and before its end; when it fails, the end never goes out (the server sees the
 * connection close in the middle of the data) and the send fails with the hook's error. */
typedef struct {
  guint    calls;
  gboolean refuse;
} BeforeEnd;

static void
on_hook_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
before_end (gpointer   user_data,
            GError   **error)
{
  BeforeEnd *state = user_data;

  state->calls++;
  if (state->refuse)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space to record it");
      return FALSE;
    }
  return TRUE;
}

static HeronSmtpSendResult *
send_with_hook (HeronSmtpClient    *client,
                GBytes             *message,
                BeforeEnd          *state,
                GError            **error)
{
  const char * const recipients[] = { BOB, NULL };
  g_autoptr(GAsyncResult) result = NULL;

  heron_smtp_client_send_bytes_full_async (client, ALICE, recipients, message, before_end, state,
                                           NULL, on_hook_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return heron_smtp_client_send_finish (client, result, error);
}

static void
test_before_end (void)
{
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GBytes) message = message_bytes ("Subject: hook\r\n\r\nbody\r\n");
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;
    BeforeEnd state = { 0, FALSE };

    script_open (server, "250 script.test\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "DATA");
    heron_script_server_send (server, "354 go ahead\r\n");
    heron_script_server_expect_data (server, "Subject: hook");
    heron_script_server_expect_data (server, "");
    heron_script_server_expect_data (server, "body");
    heron_script_server_expect_data (server, ".");
    heron_script_server_send (server, "250 ok\r\n");
    script_quit (server);

    result = send_with_hook (client, message, &state, &error);
    g_assert_no_error (error);
    g_assert_nonnull (result);
    g_assert_cmpuint (state.calls, ==, 1);
    assert_server_ok (server);
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GBytes) message = message_bytes ("Subject: hook\r\n\r\nbody\r\n");
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;
    BeforeEnd state = { 0, TRUE };

    script_open (server, "250 script.test\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "DATA");
    heron_script_server_send (server, "354 go ahead\r\n");
    heron_script_server_expect_data (server, "Subject: hook");
    heron_script_server_expect_data (server, "");
    heron_script_server_expect_data (server, "body");
    /* no "." : the client closes */
    heron_script_server_expect_close (server);

    result = send_with_hook (client, message, &state, &error);
    g_assert_null (result);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
    g_assert_cmpuint (state.calls, ==, 1);
    assert_server_ok (server);
  }
}

/* 8-bit data: BODY=8BITMIME when the server offers it; otherwise a message known to be 8-bit
 * fails before MAIL, and a stream that turns out 8-bit stops before the end of the data (the
 * server drops what it got). */
static void
test_8bitmime (void)
{
  const char * const recipients[] = { BOB, NULL };
  const char *text = "Subject: Gr\xc3\xbc\xc3\x9f" "e\r\n\r\nsch\xc3\xb6n\r\n";

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GBytes) message = message_bytes (text);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250-script.test\r\n250 8BITMIME\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test> BODY=8BITMIME");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "DATA");
    heron_script_server_send (server, "354 go ahead\r\n");
    heron_script_server_expect_data (server, "Subject: Gr\xc3\xbc\xc3\x9f" "e");
    heron_script_server_expect_data (server, "");
    heron_script_server_expect_data (server, "sch\xc3\xb6n");
    heron_script_server_expect_data (server, ".");
    heron_script_server_send (server, "250 ok\r\n");
    script_quit (server);

    result = smtp_test_send_bytes (client, ALICE, recipients, message, NULL, &error);
    g_assert_no_error (error);
    assert_server_ok (server);
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GBytes) message = message_bytes (text);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250 script.test\r\n");
    script_quit (server);

    result = smtp_test_send_bytes (client, ALICE, recipients, message, NULL, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED);
    g_assert_cmpstr (error->message, ==,
                     "The message contains 8-bit data, and the server 127.0.0.1 does not take it "
                     "(it does not offer 8BITMIME); it must be encoded as 7-bit (quoted-printable "
                     "or base64)");
    assert_server_ok (server);
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, -1, NULL);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250 script.test\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "DATA");
    heron_script_server_send (server, "354 go ahead\r\n");
    heron_script_server_expect_close (server);

    result = smtp_test_send_stream (client, ALICE, recipients, stream, -1, HERON_SMTP_BODY_DETECT,
                                    NULL, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "8-bit data"));
    g_assert_nonnull (strstr (error->message, "it was not sent"));
    assert_server_ok (server);
  }
}

/* SIZE: a message larger than the server takes is refused before MAIL; a 552 after the data is
 * "too large" too. */
static void
test_size (void)
{
  const char * const recipients[] = { BOB, NULL };
  g_autofree char *big = g_strnfill (2000, 'x');

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GBytes) message = message_bytes (big);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250-script.test\r\n250 SIZE 1000\r\n");
    script_quit (server);

    result = smtp_test_send_bytes (client, ALICE, recipients, message, NULL, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_MESSAGE_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "the server takes at most 1.0\u00a0kB"));
    assert_server_ok (server);
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250 script.test\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    script_simple_data (server);
    heron_script_server_send (server, "552 5.3.4 Message size exceeds fixed limit\r\n");
    script_quit (server);

    result = send_simple (client, recipients, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_MESSAGE_TOO_LARGE);
    g_assert_cmpstr (error->message, ==, "The message is too large for 127.0.0.1: 552 5.3.4 "
                                         "Message size exceeds fixed limit");
    assert_server_ok (server);
  }
}

/* A 20 MB message streams through in bounded memory: the process grows by far less than the
 * message. */
static void
test_large_stream (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
  g_autoptr(SmtpTestGenerator) generator = smtp_test_generator_new ("large@heron.test",
                                                                     20 * 1000 * 1000);
  const char * const recipients[] = { BOB, NULL };
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *headers = smtp_test_generator_dup_headers (generator);
  guint64 size = smtp_test_generator_get_size (generator);
  guint64 lines = (size - strlen (headers)) / 78;
  gsize memory_before;

  script_open (server, "250-script.test\r\n250-PIPELINING\r\n250 SIZE 30000000\r\n");
  mail = g_strdup_printf ("MAIL FROM:<alice@example.test> SIZE=%" G_GUINT64_FORMAT, size);
  heron_script_server_expect (server, mail);
  heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
  heron_script_server_send (server, "250 ok\r\n250 ok\r\n");
  heron_script_server_expect (server, "DATA");
  heron_script_server_send (server, "354 go ahead\r\n");
  /* Every 50th line starts with "." and is stuffed: one more byte each. */
  heron_script_server_expect_literal (server, size + (lines + 49) / 50, NULL);
  heron_script_server_expect_data (server, ".");
  heron_script_server_send (server, "250 ok\r\n");
  script_quit (server);

  memory_before = smtp_test_memory_kib ();
  result = smtp_test_send_stream (client, ALICE, recipients, G_INPUT_STREAM (generator), size,
                                  HERON_SMTP_BODY_7BIT, NULL, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
  g_test_message ("Memory in use before %" G_GSIZE_FORMAT " KiB, at most %" G_GSIZE_FORMAT " KiB while "
                  "sending %" G_GUINT64_FORMAT " bytes", memory_before,
                  smtp_test_generator_get_max_memory_kib (generator), size);
  g_assert_cmpuint (smtp_test_generator_get_max_memory_kib (generator), <, memory_before + 8 * 1024);
}

/* TLS */

/* STARTTLS response injection: whatever follows the 220 in the clear (here a fake EHLO reply
 * announcing AUTH LOGIN only) is dropped, and the EHLO after TLS decides: the client uses the
 * real reply's PLAIN. */
static void
test_starttls_injection (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  HeronSmtpClientSettings settings;
  g_autoptr(HeronSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;
  /* PLAIN: NUL user NUL password. */
  g_autofree char *plain = g_base64_encode ((const guchar *) "\0" ALICE "\0secret",
                                            strlen (ALICE) + 8);
  g_autofree char *auth = g_strdup_printf ("AUTH PLAIN %s", plain);

  script_open (server, "250-script.test\r\n250 STARTTLS\r\n");
  heron_script_server_expect (server, "STARTTLS");
  heron_script_server_send (server, "220 2.0.0 Ready to start TLS\r\n"
                                    "250-injected.test\r\n250 AUTH LOGIN\r\n");
  heron_script_server_start_tls (server);
  heron_script_server_expect (server, "EHLO [127.0.0.1]");
  heron_script_server_send (server, "250-script.test\r\n250-AUTH PLAIN\r\n250 PIPELINING\r\n");
  heron_script_server_expect (server, auth);
  heron_script_server_send (server, "235 2.7.0 Authentication successful\r\n");
  script_quit (server);

  init_settings (&settings, server, HERON_SMTP_SECURITY_STARTTLS);
  settings.allow_plaintext = FALSE;
  settings.user = g_strdup (ALICE);
  settings.password = g_strdup ("secret");
  client = client_from (&settings);

  extensions = smtp_test_check (client, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
  g_assert_cmpstrv (extensions, ((const char * const[]) { "AUTH PLAIN", "PIPELINING", NULL }));
}

/* STARTTLS missing or refused: an error before anything else is said, unless plain text is
 * allowed (loopback only). */
static void
test_starttls_refused (void)
{
  for (guint i = 0; i < 4; i++)
    {
      gboolean offered = i % 2 == 1;
      gboolean allowed = i >= 2;
      g_autoptr(HeronScriptServer) server = new_server ();
      HeronSmtpClientSettings settings;
      g_autoptr(HeronSmtpClient) client = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) extensions = NULL;

      script_open (server, offered ? "250-script.test\r\n250 STARTTLS\r\n" : "250 script.test\r\n");
      if (offered)
        {
          heron_script_server_expect (server, "STARTTLS");
          heron_script_server_send (server, "454 4.7.0 TLS not available due to local problem\r\n");
        }
      if (allowed)
        script_quit (server);
      else
        heron_script_server_expect_close (server);

      init_settings (&settings, server, HERON_SMTP_SECURITY_STARTTLS);
      settings.allow_plaintext = allowed;
      client = client_from (&settings);

      extensions = smtp_test_check (client, &error);
      if (allowed)
        g_assert_no_error (error);
      else if (offered)
        {
          g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_TLS);
          g_assert_cmpstr (error->message, ==, "The server 127.0.0.1 refused STARTTLS: 454 4.7.0 "
                                               "TLS not available due to local problem");
        }
      else
        {
          g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_TLS);
          g_assert_cmpstr (error->message, ==, "The server 127.0.0.1 does not offer STARTTLS, "
                                               "and the connection must be encrypted");
        }
      assert_server_ok (server);
    }
}

/* Plain text without allow_plaintext is refused before a byte is read. */
static void
test_plaintext_not_allowed (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  HeronSmtpClientSettings settings;
  g_autoptr(HeronSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;

  heron_script_server_expect_close (server);
  init_settings (&settings, server, HERON_SMTP_SECURITY_NONE);
  settings.allow_plaintext = FALSE;
  client = client_from (&settings);

  extensions = smtp_test_check (client, &error);
  g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_TLS);
  g_assert_true (g_str_has_prefix (error->message, "An unencrypted connection to 127.0.0.1 is not allowed"));
  assert_server_ok (server);
}

/* Implicit TLS with the server's certificate as trust anchor; then an untrusted certificate
 * with no one to ask. */
static void
test_implicit_tls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  const char * const recipients[] = { BOB, NULL };

  heron_script_server_implicit_tls (server);
  script_open (server, "250 script.test\r\n");
  heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
  heron_script_server_send (server, "250 ok\r\n");
  heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
  heron_script_server_send (server, "250 ok\r\n");
  script_simple_data (server);
  heron_script_server_send (server, "250 ok\r\n");
  script_quit (server);
  heron_script_server_next_connection (server);
  heron_script_server_expect_tls_refused (server);

  {
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_TLS);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    result = send_simple (client, recipients, &error);
    g_assert_no_error (error);
  }

  {
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    init_settings (&settings, server, HERON_SMTP_SECURITY_TLS);
    g_clear_object (&settings.tls_database);
    client = client_from (&settings);

    result = send_simple (client, recipients, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_CERTIFICATE);
    g_assert_true (g_tls_certificate_is_same (heron_smtp_error_get_peer_certificate (error),
                                              heron_script_server_get_certificate (server)));
  }
  assert_server_ok (server);
}

/* AUTH */

static HeronSmtpClient *
new_oauth_client (HeronScriptServer *server,
                  TestTokens        *tokens)
{
  HeronSmtpClientSettings settings;

  init_settings (&settings, server, HERON_SMTP_SECURITY_NONE);
  settings.user = g_strdup (ALICE);
  settings.token_provider = g_object_ref (HERON_IMAP_TOKEN_PROVIDER (tokens));
  return client_from (&settings);
}

static char *
xoauth2_line (const char *token)
{
  g_autofree char *raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", ALICE, token);
  g_autofree char *encoded = b64 (raw);

  return g_strdup_printf ("AUTH XOAUTH2 %s", encoded);
}

/* XOAUTH2: a refused token gets the error challenge (JSON) answered with an empty line, then a
 * fresh token is asked for once; the second one works. */
static void
test_xoauth2_refresh (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(TestTokens) tokens = test_tokens_new ((const char * const[]) { "old", "new", NULL });
  g_autoptr(HeronSmtpClient) client = new_oauth_client (server, tokens);
  g_autofree char *first = xoauth2_line ("old");
  g_autofree char *second = xoauth2_line ("new");
  g_autofree char *challenge = b64 ("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}");
  g_autofree char *reply = g_strdup_printf ("334 %s\r\n", challenge);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;

  script_open (server, "250-script.test\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n");
  heron_script_server_expect (server, first);
  heron_script_server_send (server, reply);
  heron_script_server_expect_data (server, "");
  heron_script_server_send (server, "535-5.7.8 Username and Password not accepted.\r\n"
                                    "535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n");
  heron_script_server_expect (server, second);
  heron_script_server_send (server, "235 2.7.0 Accepted\r\n");
  script_quit (server);

  extensions = smtp_test_check (client, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
  g_assert_cmpuint (tokens->calls, ==, 2);
  g_assert_cmpuint (tokens->refreshes, ==, 1);
}

/* Both tokens refused: an authentication error with the server's words and its JSON report. */
static void
test_xoauth2_refused (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(TestTokens) tokens = test_tokens_new ((const char * const[]) { "old", "new", NULL });
  g_autoptr(HeronSmtpClient) client = new_oauth_client (server, tokens);
  g_autofree char *challenge = b64 ("{\"status\":\"401\"}");
  g_autofree char *reply = g_strdup_printf ("334 %s\r\n", challenge);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;

  script_open (server, "250-script.test\r\n250 AUTH XOAUTH2\r\n");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *line = xoauth2_line (i == 0 ? "old" : "new");

      heron_script_server_expect (server, line);
      heron_script_server_send (server, reply);
      heron_script_server_expect_data (server, "");
      heron_script_server_send (server, "535 5.7.8 Username and Password not accepted\r\n");
    }
  script_quit (server);

  extensions = smtp_test_check (client, &error);
  g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "Authentication as alice@example.test to 127.0.0.1 failed: "
                                       "535 5.7.8 Username and Password not accepted (the server "
                                       "reported {\"status\":\"401\"})");
  g_assert_null (strstr (error->message, "new"));
  assert_server_ok (server);
  g_assert_cmpuint (tokens->calls, ==, 2);
}

/* An initial response that would make the AUTH line longer than 512 octets waits for the
 * server's empty challenge (RFC 4954 section 4). */
static void
test_auth_long_initial_response (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autofree char *token = g_strnfill (600, 'T');
  g_autoptr(TestTokens) tokens = test_tokens_new ((const char * const[]) { token, NULL });
  g_autoptr(HeronSmtpClient) client = new_oauth_client (server, tokens);
  g_autofree char *raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", ALICE, token);
  g_autofree char *encoded = b64 (raw);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;

  script_open (server, "250-script.test\r\n250 AUTH XOAUTH2\r\n");
  heron_script_server_expect (server, "AUTH XOAUTH2");
  heron_script_server_send (server, "334 \r\n");
  heron_script_server_expect_data (server, encoded);
  heron_script_server_send (server, "235 2.7.0 Accepted\r\n");
  script_quit (server);

  extensions = smtp_test_check (client, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
}

/* AUTH LOGIN, and a challenge PLAIN cannot answer: the exchange is ended with "*". */
static void
test_auth_challenges (void)
{
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) extensions = NULL;
    g_autofree char *user = b64 (ALICE);
    g_autofree char *password = b64 ("secret");

    script_open (server, "250-script.test\r\n250 AUTH=LOGIN\r\n");
    heron_script_server_expect (server, "AUTH LOGIN");
    heron_script_server_send (server, "334 VXNlcm5hbWU6\r\n");
    heron_script_server_expect_data (server, user);
    heron_script_server_send (server, "334 UGFzc3dvcmQ6\r\n");
    heron_script_server_expect_data (server, password);
    heron_script_server_send (server, "235 ok\r\n");
    script_quit (server);

    init_settings (&settings, server, HERON_SMTP_SECURITY_NONE);
    settings.user = g_strdup (ALICE);
    settings.password = g_strdup ("secret");
    client = client_from (&settings);

    extensions = smtp_test_check (client, &error);
    g_assert_no_error (error);
    assert_server_ok (server);
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) extensions = NULL;

    script_open (server, "250-script.test\r\n250 AUTH PLAIN\r\n");
    heron_script_server_expect (server, "AUTH PLAIN *");
    heron_script_server_send (server, "334 d2hhdD8=\r\n");
    heron_script_server_expect_data (server, "*");
    heron_script_server_send (server, "501 5.7.0 Authentication cancelled\r\n");
    script_quit (server);

    init_settings (&settings, server, HERON_SMTP_SECURITY_NONE);
    settings.user = g_strdup (ALICE);
    settings.password = g_strdup ("secret");
    client = client_from (&settings);

    extensions = smtp_test_check (client, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
    g_assert_nonnull (strstr (error->message, "unexpected challenge"));
    assert_server_ok (server);
  }

  {
    /* A mechanism the server does not offer. */
    g_autoptr(HeronScriptServer) server = new_server ();
    HeronSmtpClientSettings settings;
    g_autoptr(HeronSmtpClient) client = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) extensions = NULL;

    script_open (server, "250-script.test\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n");
    script_quit (server);

    init_settings (&settings, server, HERON_SMTP_SECURITY_NONE);
    settings.user = g_strdup (ALICE);
    settings.password = g_strdup ("secret");
    client = client_from (&settings);

    extensions = smtp_test_check (client, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED);
    g_assert_cmpstr (error->message, ==, "The server 127.0.0.1 offers no password authentication "
                                         "Heron knows (it offers CRAM-MD5 XOAUTH2)");
    assert_server_ok (server);
  }
}

/* Replies */

/* Multi-line replies of any shape within the bounds; past them, or malformed, a clear error. */
static void
test_replies_bounded (void)
{
  static const struct {
    const char *greeting;
    gint code;
    const char *message;
  } cases[] = {
    { "HTTP/1.1 400 Bad Request\r\n", HERON_SMTP_ERROR_PROTOCOL,
      "The server 127.0.0.1 sent something that is not SMTP (waiting for the greeting)" },
    { "220-first\r\n250 second\r\n", HERON_SMTP_ERROR_PROTOCOL,
      "The server 127.0.0.1 sent something that is not SMTP (waiting for the greeting)" },
    { NULL, HERON_SMTP_ERROR_LIMIT,
      "The server 127.0.0.1 sent too much (waiting for the greeting)" },
    { NULL, HERON_SMTP_ERROR_LIMIT,
      "The server 127.0.0.1 sent too much (waiting for the greeting)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronScriptServer) server = new_server ();
      g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) extensions = NULL;

      if (i == 2)
        {
          g_autoptr(GString) many = g_string_new (NULL);

          for (guint j = 0; j < 1000; j++)
            g_string_append (many, "220-again\r\n");
          heron_script_server_send (server, many->str);
        }
      else if (i == 3)
        heron_script_server_send_generated_until_close (server, 1024 * 1024, "220 endless line ");
      else
        heron_script_server_send (server, cases[i].greeting);
      if (i != 3)
        heron_script_server_expect_close (server);

      extensions = smtp_test_check (client, &error);
      g_assert_error (error, HERON_SMTP_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      assert_server_ok (server);
    }

  {
    /* A multi-line greeting and EHLO reply with long lines are fine. */
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) extensions = NULL;
    g_autofree char *long_text = g_strnfill (2000, 'y');
    g_autofree char *ehlo = g_strdup_printf ("250-script.test %s\r\n250-X-LONG %s\r\n250 SIZE\r\n",
                                             long_text, long_text);

    heron_script_server_send (server, "220-script.test ESMTP\r\n220-Welcome\r\n220 Really\r\n");
    heron_script_server_expect (server, "EHLO [127.0.0.1]");
    heron_script_server_send (server, ehlo);
    script_quit (server);

    extensions = smtp_test_check (client, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (extensions), ==, 2);
    assert_server_ok (server);
  }
}

/* 421 at any time ends the send with the server's words: at the greeting, in answer to RCPT,
 * after the data. A 554 greeting refuses the connection. */
static void
test_421 (void)
{
  const char * const recipients[] = { BOB, NULL };

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(HeronScriptServer) server = new_server ();
      g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
      g_autoptr(HeronSmtpSendResult) result = NULL;
      g_autoptr(GError) error = NULL;

      switch (i)
        {
        case 0:
          heron_script_server_send (server, "421 4.3.2 Too busy, try later\r\n");
          break;
        case 1:
          heron_script_server_send (server, "554 5.7.1 You are not welcome here\r\n");
          break;
        case 2:
          script_open (server, "250-script.test\r\n250 PIPELINING\r\n");
          heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
          heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
          heron_script_server_send (server, "250 ok\r\n421 4.4.2 Timeout, closing\r\n");
          break;
        default:
          script_open (server, "250 script.test\r\n");
          heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
          heron_script_server_send (server, "250 ok\r\n");
          heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
          heron_script_server_send (server, "250 ok\r\n");
          script_simple_data (server);
          heron_script_server_send (server, "421 4.3.0 Shutting down\r\n");
          break;
        }
      heron_script_server_close (server);

      result = send_simple (client, recipients, &error);
      g_assert_null (result);
      g_test_message ("%s", error->message);
      if (i == 1)
        {
          g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_SERVICE_UNAVAILABLE);
          g_assert_cmpstr (error->message, ==, "The server 127.0.0.1 refused the connection: "
                                               "554 5.7.1 You are not welcome here");
          g_assert_false (heron_smtp_error_is_transient (error));
        }
      else
        {
          g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_SERVICE_UNAVAILABLE);
          g_assert_true (g_str_has_prefix (error->message, "The server 127.0.0.1 is closing the "
                                                           "connection: 421 4."));
          g_assert_cmpuint (heron_smtp_reply_get_code (heron_smtp_error_get_reply (error)), ==, 421);
          g_assert_true (heron_smtp_error_is_transient (error));
        }
      assert_server_ok (server);
    }
}

/* Faults */

/* The server goes away in the middle of the data: the connection error says so, and the
 * message counts as not sent. Going away after the end of the data, before the reply: nobody
 * knows whether it was taken. */
static void
test_drop_during_data (void)
{
  const char * const recipients[] = { BOB, NULL };

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(SmtpTestGenerator) generator = smtp_test_generator_new ("drop@heron.test",
                                                                       8 * 1000 * 1000);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250 script.test\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "DATA");
    heron_script_server_send (server, "354 go ahead\r\n");
    heron_script_server_expect_data (server, "From: Alice <alice@example.test>");
    heron_script_server_drop (server);

    result = smtp_test_send_stream (client, ALICE, recipients, G_INPUT_STREAM (generator),
                                    smtp_test_generator_get_size (generator),
                                    HERON_SMTP_BODY_7BIT, NULL, &error);
    g_assert_null (result);
    g_test_message ("%s", error->message);
    g_assert_true (error->domain == G_IO_ERROR || error->domain == G_TLS_ERROR);
    g_assert_true (g_str_has_prefix (error->message, "The connection to 127.0.0.1 was lost "
                                                     "(sending the message): "));
    g_assert_true (heron_smtp_error_is_transient (error));
    assert_server_ok (server);
  }

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
    g_autoptr(HeronSmtpSendResult) result = NULL;
    g_autoptr(GError) error = NULL;

    script_open (server, "250 script.test\r\n");
    heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
    heron_script_server_send (server, "250 ok\r\n");
    script_simple_data (server);
    heron_script_server_close (server);

    result = send_simple (client, recipients, &error);
    g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED);
    g_assert_cmpstr (error->message, ==, "The whole message was sent to 127.0.0.1, but the server "
                                         "did not confirm it; it may or may not have been "
                                         "accepted: The server 127.0.0.1 closed the connection "
                                         "(waiting for the reply to the end of the message)");
    g_assert_false (heron_smtp_error_is_transient (error));
    g_assert_nonnull (heron_smtp_error_get_result (error));
    assert_server_ok (server);
  }
}

/* Stalls: no greeting, a handshake that never comes, no reply to the end of the data. */
static void
test_timeouts (void)
{
  const char * const recipients[] = { BOB, NULL };

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(HeronScriptServer) server = new_server ();
      HeronSmtpClientSettings settings;
      g_autoptr(HeronSmtpClient) client = NULL;
      g_autoptr(HeronSmtpSendResult) result = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start;

      init_settings (&settings, server, i == 1 ? HERON_SMTP_SECURITY_TLS : HERON_SMTP_SECURITY_NONE);
      settings.connect_timeout_ms = 300;
      settings.command_timeout_ms = 300;
      settings.final_timeout_ms = 300;
      client = client_from (&settings);

      if (i == 2)
        {
          script_open (server, "250 script.test\r\n");
          heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
          heron_script_server_send (server, "250 ok\r\n");
          heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
          heron_script_server_send (server, "250 ok\r\n");
          script_simple_data (server);
        }
      heron_script_server_sleep (server, 2000);

      start = g_get_monotonic_time ();
      result = send_simple (client, recipients, &error);
      g_assert_null (result);
      g_test_message ("%s", error->message);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * 1000);
      switch (i)
        {
        case 0:
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
          g_assert_cmpstr (error->message, ==, "The server 127.0.0.1 did not answer within 300 ms "
                                               "(waiting for the greeting)");
          break;
        case 1:
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
          g_assert_cmpstr (error->message, ==, "The TLS handshake with 127.0.0.1 did not finish "
                                               "within 300 ms");
          break;
        default:
          g_assert_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED);
          g_assert_nonnull (strstr (error->message, "did not answer within 300 ms (waiting for "
                                                    "the reply to the end of the message)"));
          break;
        }
      /* The script still sleeps: free() cancels it. */
    }
}

/* Cancelling closes the connection at once; nothing of the message was sent. */
static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronSmtpClient) client = new_client (server, HERON_SMTP_SECURITY_NONE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) message = message_bytes (simple_message);
  const char * const recipients[] = { BOB, NULL };
  g_autoptr(HeronSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;

  script_open (server, "250 script.test\r\n");
  heron_script_server_expect (server, "MAIL FROM:<alice@example.test>");
  heron_script_server_send (server, "250 ok\r\n");
  heron_script_server_expect (server, "RCPT TO:<bob@example.test>");
  heron_script_server_expect_close (server);

  g_timeout_add (300, cancel_later, cancellable);
  result = smtp_test_send_bytes (client, ALICE, recipients, message, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (heron_smtp_error_is_transient (error));
  assert_server_ok (server);
}

/* A name given for EHLO is said as given; one that is not a name is refused. */
static void
test_ehlo_name (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  HeronSmtpClientSettings settings;
  g_autoptr(HeronSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;

  heron_script_server_send (server, "220 script.test ESMTP\r\n");
  heron_script_server_expect (server, "EHLO laptop.example.org");
  heron_script_server_send (server, "250 script.test\r\n");
  script_quit (server);

  init_settings (&settings, server, HERON_SMTP_SECURITY_NONE);
  settings.ehlo_name = g_strdup ("laptop.example.org");
  client = client_from (&settings);
  extensions = smtp_test_check (client, &error);
  g_assert_no_error (error);
  assert_server_ok (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/smtp/client/envelope/pipelined", test_pipelined_envelope);
  g_test_add_func ("/heron/smtp/client/envelope/unpipelined", test_unpipelined_envelope);
  g_test_add_func ("/heron/smtp/client/envelope/pipelined-groups", test_pipelined_groups);
  g_test_add_func ("/heron/smtp/client/envelope/sender-refused", test_sender_refused);
  g_test_add_func ("/heron/smtp/client/envelope/invalid-addresses", test_invalid_addresses);
  g_test_add_func ("/heron/smtp/client/envelope/smtputf8", test_smtputf8);
  g_test_add_func ("/heron/smtp/client/data/encoding", test_data_encoding);
  g_test_add_func ("/heron/smtp/client/data/before-end", test_before_end);
  g_test_add_func ("/heron/smtp/client/data/8bitmime", test_8bitmime);
  g_test_add_func ("/heron/smtp/client/data/size", test_size);
  g_test_add_func ("/heron/smtp/client/data/large-stream", test_large_stream);
  g_test_add_func ("/heron/smtp/client/tls/starttls-injection", test_starttls_injection);
  g_test_add_func ("/heron/smtp/client/tls/starttls-refused", test_starttls_refused);
  g_test_add_func ("/heron/smtp/client/tls/plaintext-not-allowed", test_plaintext_not_allowed);
  g_test_add_func ("/heron/smtp/client/tls/implicit", test_implicit_tls);
  g_test_add_func ("/heron/smtp/client/auth/xoauth2-refresh", test_xoauth2_refresh);
  g_test_add_func ("/heron/smtp/client/auth/xoauth2-refused", test_xoauth2_refused);
  g_test_add_func ("/heron/smtp/client/auth/long-initial-response", test_auth_long_initial_response);
  g_test_add_func ("/heron/smtp/client/auth/challenges", test_auth_challenges);
  g_test_add_func ("/heron/smtp/client/replies/bounded", test_replies_bounded);
  g_test_add_func ("/heron/smtp/client/replies/421", test_421);
  g_test_add_func ("/heron/smtp/client/faults/drop-during-data", test_drop_during_data);
  g_test_add_func ("/heron/smtp/client/faults/timeouts", test_timeouts);
  g_test_add_func ("/heron/smtp/client/faults/cancel", test_cancel);
  g_test_add_func ("/heron/smtp/client/ehlo-name", test_ehlo_name);

  return g_test_run ();
}
