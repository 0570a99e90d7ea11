/* test-imap-session-faults.c: HeronImapSession against the scripted server, for what Dovecot will
 * not do here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * XOAUTH2 and OAUTHBEARER (with a fake token provider: the test Dovecot has no OAuth), refused
 * logins, SASL LOGIN, LOGINDISABLED, a server without CONDSTORE/QRESYNC/MOVE/UIDPLUS/ESEARCH, an
 * IMAP4rev2 server, ALERT, PREAUTH over implicit TLS.
 */

#include "config.h"

#include <string.h>

#include "heron-script-server.h"
#include "imap/heron-imap-session.h"

#define WAIT_MS 10000

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
  *(gboolean *) user_data = TRUE;
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
    g_error ("Timed out waiting for the session");
  g_source_remove (id);
}

#define AWAIT(expr) ({ Wait _wait = { 0 }; Wait *w = &_wait; expr; run_until (&_wait.done); _wait.result; })

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

static char *
b64 (const char *data,
     gsize       len)
{
  return g_base64_encode ((const guchar *) data, len);
}

/* A token provider that hands out "token1", "token2", ... and records whether a refresh was
 * asked for. */

#define TEST_TYPE_TOKENS (test_tokens_get_type ())
G_DECLARE_FINAL_TYPE (TestTokens, test_tokens, TEST, TOKENS, GObject)

struct _TestTokens {
  GObject parent_instance;
  guint calls;
  GString *refreshes;      /* "0" or "1" per call */
  char *user;
};

static void test_tokens_iface_init (HeronImapTokenProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTokens, test_tokens, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HERON_IMAP_TYPE_TOKEN_PROVIDER, test_tokens_iface_init))

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

  self->calls++;
  g_string_append_c (self->refreshes, refresh ? '1' : '0');
  g_free (self->user);
  self->user = g_strdup (user);
  g_task_return_pointer (task, g_strdup_printf ("token%u", self->calls), g_free);
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
  TestTokens *self = TEST_TOKENS (object);

  g_string_free (self->refreshes, TRUE);
  g_free (self->user);
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
  self->refreshes = g_string_new (NULL);
}

/* Sessions */

static void
init_settings (HeronImapSessionSettings *settings,
               HeronScriptServer        *server,
               HeronImapSecurity         security)
{
  heron_imap_session_settings_init (settings);
  settings->connection.host = g_strdup (heron_script_server_get_host (server));
  settings->connection.port = heron_script_server_get_port (server);
  settings->connection.security = security;
  settings->connection.allow_plaintext = security == HERON_IMAP_SECURITY_NONE;
  settings->connection.read_timeout_ms = 5000;
  settings->connection.keepalive_ms = G_MAXUINT;
  if (security != HERON_IMAP_SECURITY_NONE)
    {
      g_autoptr(GError) error = NULL;

      settings->connection.tls_database =
        g_tls_file_database_new (heron_script_server_get_certificate_file (server), &error);
      g_assert_no_error (error);
    }
  settings->user = g_strdup ("alice@example.test");
  settings->password = g_strdup ("secret");
}

static gboolean
connect_sync (HeronImapSession  *session,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_connect_async (session, NULL, on_done, w));

  return heron_imap_session_connect_finish (session, result, error);
}

static HeronImapSession *
new_session (HeronScriptServer *server)
{
  HeronImapSessionSettings settings;
  HeronImapSession *session;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE);
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);
  return session;
}

static HeronImapSession *
new_oauth_session (HeronScriptServer *server,
                   TestTokens        *tokens)
{
  HeronImapSessionSettings settings;
  HeronImapSession *session;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE);
  g_clear_pointer (&settings.password, g_free);
  settings.token_provider = HERON_IMAP_TOKEN_PROVIDER (g_object_ref (tokens));
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);
  return session;
}

/* OAuth */

static void
test_xoauth2 (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(TestTokens) tokens = g_object_new (TEST_TYPE_TOKENS, NULL);
  g_autoptr(HeronImapSession) session = new_oauth_session (server, tokens);
  static const char message[] = "user=alice@example.test\001auth=Bearer token1\001\001";
  g_autofree char *encoded = b64 (message, sizeof message - 1);
  g_autofree char *line = g_strconcat ("A0001 AUTHENTICATE XOAUTH2 ", encoded, NULL);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=PLAIN] hi\r\n");
  heron_script_server_expect (server, line);
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (heron_imap_session_get_auth_mechanism (session), ==, HERON_IMAP_AUTH_XOAUTH2);
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_AUTHENTICATED);
  g_assert_cmpuint (tokens->calls, ==, 1);
  g_assert_cmpstr (tokens->refreshes->str, ==, "0");
  g_assert_cmpstr (tokens->user, ==, "alice@example.test");
  assert_server_ok (server);
}

/* A refused token: the error challenge is answered as XOAUTH2 wants (an empty response), and the
 * session tries once more with a fresh token. */
static void
test_xoauth2_refresh (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(TestTokens) tokens = g_object_new (TEST_TYPE_TOKENS, NULL);
  g_autoptr(HeronImapSession) session = new_oauth_session (server, tokens);
  static const char first[] = "user=alice@example.test\001auth=Bearer token1\001\001";
  static const char second[] = "user=alice@example.test\001auth=Bearer token2\001\001";
  static const char json[] = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}";
  g_autofree char *first_b64 = b64 (first, sizeof first - 1);
  g_autofree char *second_b64 = b64 (second, sizeof second - 1);
  g_autofree char *json_b64 = b64 (json, sizeof json - 1);
  g_autofree char *line1 = g_strconcat ("A0001 AUTHENTICATE XOAUTH2 ", first_b64, NULL);
  g_autofree char *line2 = g_strconcat ("A0002 AUTHENTICATE XOAUTH2 ", second_b64, NULL);
  g_autofree char *challenge = g_strconcat ("+ ", json_b64, "\r\n", NULL);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi\r\n");
  heron_script_server_expect (server, line1);
  heron_script_server_send (server, challenge);
  heron_script_server_expect_data (server, "");
  heron_script_server_send (server, "$TAG NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n");
  heron_script_server_expect (server, line2);
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tokens->calls, ==, 2);
  g_assert_cmpstr (tokens->refreshes->str, ==, "01");
  assert_server_ok (server);
}

/* OAUTHBEARER without SASL-IR, refused twice: the error challenge is answered with ^A, and the
 * error keeps the server's text. */
static void
test_oauthbearer_rejected (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(TestTokens) tokens = g_object_new (TEST_TYPE_TOKENS, NULL);
  g_autoptr(HeronImapSession) session = NULL;
  HeronImapSessionSettings settings;
  static const char json[] = "{\"status\":\"invalid_token\"}";
  g_autofree char *json_b64 = b64 (json, sizeof json - 1);
  g_autofree char *challenge = g_strconcat ("+ ", json_b64, "\r\n", NULL);
  g_autoptr(GError) error = NULL;
  guint16 port;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE);
  g_clear_pointer (&settings.password, g_free);
  settings.token_provider = HERON_IMAP_TOKEN_PROVIDER (g_object_ref (tokens));
  settings.mechanism = HERON_IMAP_AUTH_OAUTHBEARER;
  port = settings.connection.port;
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER AUTH=XOAUTH2] hi\r\n");
  for (guint attempt = 1; attempt <= 2; attempt++)
    {
      g_autofree char *tag_line = g_strdup_printf ("A%04u AUTHENTICATE OAUTHBEARER", attempt);
      g_autofree char *message = g_strdup_printf ("n,a=alice@example.test,\001host=127.0.0.1\001port=%u"
                                                  "\001auth=Bearer token%u\001\001", port, attempt);
      g_autofree char *message_b64 = b64 (message, strlen (message));

      heron_script_server_expect (server, tag_line);
      heron_script_server_send (server, "+ \r\n");
      heron_script_server_expect_data (server, message_b64);
      heron_script_server_send (server, challenge);
      heron_script_server_expect_data (server, "AQ==");
      heron_script_server_send (server, "$TAG NO [AUTHENTICATIONFAILED] SASL authentication failed\r\n");
    }
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (session, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "[AUTHENTICATIONFAILED] SASL authentication failed");
  g_assert_cmpuint (tokens->calls, ==, 2);
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_CLOSED);
  assert_server_ok (server);
}

/* Passwords */

static void
test_authenticate_rejected (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  heron_script_server_expect (server, "A0001 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=");
  heron_script_server_send (server, "$TAG NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (session, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "[AUTHENTICATIONFAILED] Invalid credentials (Failure)");
  assert_server_ok (server);
}

/* SASL LOGIN answers the two prompts in order. */
static void
test_authenticate_login (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = NULL;
  HeronImapSessionSettings settings;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE);
  settings.mechanism = HERON_IMAP_AUTH_LOGIN;
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] hi\r\n");
  heron_script_server_expect (server, "A0001 AUTHENTICATE LOGIN");
  heron_script_server_send (server, "+ VXNlcm5hbWU6\r\n");
  heron_script_server_expect_data (server, "YWxpY2VAZXhhbXBsZS50ZXN0");
  heron_script_server_send (server, "+ UGFzc3dvcmQ6\r\n");
  heron_script_server_expect_data (server, "c2VjcmV0");
  heron_script_server_send (server, "$TAG OK Logged in\r\n");
  /* No [CAPABILITY] in the OK: asked again. */
  heron_script_server_expect (server, "A0002 CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 IDLE\r\n$TAG OK done\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_true (heron_imap_session_has_capability (session, "IDLE"));
  g_assert_false (heron_imap_session_has_capability (session, "AUTH=PLAIN"));
  assert_server_ok (server);
}

/* LOGINDISABLED: no LOGIN command, and nothing else to log in with. */
static void
test_logindisabled (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n");
  heron_script_server_expect_close (server);

  g_assert_false (connect_sync (session, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "LOGINDISABLED"));
  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  g_assert_null (strstr (transcript, "C> "));
}

/* A server without CONDSTORE, QRESYNC, MOVE, UIDPLUS, ESEARCH, LITERAL+: what the session reports. */

static void
expect_unsupported (GAsyncResult *result,
                    gboolean    (*finish) (HeronImapSession *, GAsyncResult *, GError **),
                    HeronImapSession *session)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (finish (session, result, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED);
  g_object_unref (result);
}

static gboolean
fetch_finish (HeronImapSession *session,
              GAsyncResult     *result,
              GError          **error)
{
  return heron_imap_session_uid_fetch_finish (session, result, NULL, error);
}

static gboolean
store_finish (HeronImapSession *session,
              GAsyncResult     *result,
              GError          **error)
{
  return heron_imap_session_uid_store_finish (session, result, NULL, error);
}

static gboolean
copy_finish (HeronImapSession *session,
             GAsyncResult     *result,
             GError          **error)
{
  HeronImapCopyResult *copy = heron_imap_session_uid_copy_finish (session, result, error);

  heron_imap_copy_result_free (copy);
  return copy != NULL;
}

static gboolean
select_finish (HeronImapSession *session,
               GAsyncResult     *result,
               GError          **error)
{
  HeronImapSelectResult *select = heron_imap_session_select_finish (session, result, error);

  heron_imap_select_result_free (select);
  return select != NULL;
}

static void
test_no_extensions (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  g_autoptr(HeronImapUidSet) uids = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  static const char * const items[] = { "FLAGS", NULL };
  static const char * const flags[] = { "\\Seen", NULL };
  HeronImapSelectParams params = { 0 };
  g_autoptr(GError) error = NULL;

  heron_imap_uid_set_add_range (uids, 1, 3);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  heron_script_server_expect (server, "A0001 AUTHENTICATE PLAIN");
  heron_script_server_send (server, "+ \r\n");
  heron_script_server_expect_data (server, "AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=");
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  heron_script_server_expect (server, "A0002 SELECT INBOX");
  heron_script_server_send (server, "* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* 1 RECENT\r\n"
                                    "* OK [UIDVALIDITY 42] UIDs valid\r\n* OK [UIDNEXT 4] next\r\n"
                                    "$TAG OK [READ-WRITE] selected\r\n");
  heron_script_server_expect (server, "A0003 UID COPY 1:3 Archive");
  heron_script_server_send (server, "$TAG OK copied\r\n");
  heron_script_server_expect (server, "A0004 UID SEARCH ALL");
  heron_script_server_send (server, "* SEARCH 1 2 3\r\n$TAG OK searched\r\n");
  heron_script_server_expect (server, "A0005 APPEND Drafts {5}");
  heron_script_server_send (server, "+ go\r\n");
  heron_script_server_expect_literal (server, 5, g_bytes_new_static ("hello", 5));
  heron_script_server_expect_data (server, "");
  heron_script_server_send (server, "$TAG OK appended\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_false (heron_imap_session_is_enabled (session, "CONDSTORE"));
  g_assert_false (heron_imap_session_is_enabled (session, "QRESYNC"));

  /* QRESYNC and CONDSTORE parameters: refused before anything is sent. */
  params.qresync_uidvalidity = 42;
  params.qresync_modseq = 7;
  expect_unsupported (AWAIT (heron_imap_session_select_async (session, "INBOX", FALSE, &params, NULL, NULL,
                                                              NULL, on_done, w)), select_finish, session);
  params = (HeronImapSelectParams) { .condstore = TRUE };
  expect_unsupported (AWAIT (heron_imap_session_select_async (session, "INBOX", FALSE, &params, NULL, NULL,
                                                              NULL, on_done, w)), select_finish, session);

  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_select_async (session, "INBOX", FALSE, NULL,
                                                                             NULL, NULL, NULL, on_done, w));
    g_autoptr(HeronImapSelectResult) select = heron_imap_session_select_finish (session, result, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (select->exists, ==, 3);
    g_assert_cmpuint (select->recent, ==, 1);
    g_assert_cmpuint (select->uidvalidity, ==, 42);
    g_assert_cmpuint (select->uidnext, ==, 4);
    g_assert_cmpuint (select->highestmodseq, ==, 0);
    g_assert_false (select->read_only);
  }

  expect_unsupported (AWAIT (heron_imap_session_uid_fetch_async (session, uids, items, 5, FALSE, NULL, NULL,
                                                                 NULL, NULL, NULL, on_done, w)),
                      fetch_finish, session);
  expect_unsupported (AWAIT (heron_imap_session_uid_store_async (session, uids, HERON_IMAP_STORE_ADD, flags,
                                                                 TRUE, 5, NULL, NULL, NULL, on_done, w)),
                      store_finish, session);
  expect_unsupported (AWAIT (heron_imap_session_uid_copy_async (session, uids, "Archive", TRUE, NULL,
                                                                on_done, w)),
                      copy_finish, session);
  expect_unsupported (AWAIT (heron_imap_session_expunge_async (session, uids, NULL, on_done, w)),
                      heron_imap_session_expunge_finish, session);
  expect_unsupported (AWAIT (heron_imap_session_close_mailbox_async (session, FALSE, NULL, on_done, w)),
                      heron_imap_session_close_mailbox_finish, session);
  expect_unsupported (AWAIT (heron_imap_session_idle_start_async (session, NULL, on_done, w)),
                      heron_imap_session_idle_start_finish, session);

  /* COPY works, without COPYUID. */
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_uid_copy_async (session, uids, "Archive", FALSE,
                                                                               NULL, on_done, w));
    g_autoptr(HeronImapCopyResult) copy = heron_imap_session_uid_copy_finish (session, result, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (copy->uidvalidity, ==, 0);
    g_assert_cmpuint (heron_imap_copy_result_lookup (copy, 1), ==, 0);
  }

  /* SEARCH without ESEARCH. */
  {
    g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(HeronImapUidSet) found = NULL;

    heron_imap_command_add_atom (criteria, "ALL");
    result = AWAIT (heron_imap_session_uid_search_async (session, criteria, NULL, on_done, w));
    found = heron_imap_session_uid_search_finish (session, result, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (heron_imap_uid_set_equal (found, uids));
  }

  /* APPEND without LITERAL+ (waits for "+") and without APPENDUID. */
  {
    g_autoptr(GBytes) message = g_bytes_new_static ("hello", 5);
    g_autoptr(GAsyncResult) result = NULL;
    guint32 uidvalidity = 1, uid = 1;

    result = AWAIT (heron_imap_session_append_async (session, "Drafts", NULL, NULL, message, NULL, 0,
                                                     NULL, on_done, w));
    g_assert_true (heron_imap_session_append_finish (session, result, &uidvalidity, &uid, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (uidvalidity, ==, 0);
    g_assert_cmpuint (uid, ==, 0);
  }

  assert_server_ok (server);
}

/* RFC 6855 section 4: with UTF8=ACCEPT enabled, a message with an 8-bit header goes as
 * "UTF8 (~{n})": found in a message in memory, said by the caller for a stream. */
static void
test_append_utf8 (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  static const char text[] = "Subject: Gr\xc3\xbc\xc3\x9f" "e\r\n\r\nHi\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT LITERAL+ UIDPLUS SASL-IR "
                                    "AUTH=PLAIN] hi\r\n");
  heron_script_server_expect (server, "A0001 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=");
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT LITERAL+ UIDPLUS] "
                                    "Logged in\r\n");
  heron_script_server_expect (server, "A0002 ENABLE UTF8=ACCEPT");
  heron_script_server_send (server, "* ENABLED UTF8=ACCEPT\r\n$TAG OK enabled\r\n");
  heron_script_server_expect (server, "A0003 APPEND Drafts UTF8 (~{24+}");
  heron_script_server_expect_literal (server, 24, message);
  heron_script_server_expect_data (server, ")");
  heron_script_server_send (server, "$TAG OK [APPENDUID 9 5] appended\r\n");
  heron_script_server_expect (server, "A0004 APPEND Drafts UTF8 (~{24+}");
  heron_script_server_expect_literal (server, 24, message);
  heron_script_server_expect_data (server, ")");
  heron_script_server_send (server, "$TAG OK [APPENDUID 9 6] appended\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_true (heron_imap_session_is_enabled (session, "UTF8=ACCEPT"));

  {
    g_autoptr(GAsyncResult) result = NULL;
    guint32 uidvalidity = 0, uid = 0;

    result = AWAIT (heron_imap_session_append_async (session, "Drafts", NULL, NULL, message, NULL, 0,
                                                     NULL, on_done, w));
    g_assert_true (heron_imap_session_append_finish (session, result, &uidvalidity, &uid, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (uidvalidity, ==, 9);
    g_assert_cmpuint (uid, ==, 5);
  }
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, sizeof text - 1, NULL);
    g_autoptr(GAsyncResult) result = NULL;
    guint32 uidvalidity = 0, uid = 0;

    result = AWAIT (heron_imap_session_append_full_async (session, "Drafts", NULL, NULL, NULL, stream,
                                                          sizeof text - 1, HERON_IMAP_APPEND_UTF8,
                                                          NULL, on_done, w));
    g_assert_true (heron_imap_session_append_finish (session, result, &uidvalidity, &uid, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (uid, ==, 6);
  }

  assert_server_ok (server);
}

/* A body section before the UID item is streamed to the body consumer (uid 0, matched by seq),
 * not collected into the FETCH response. */

typedef struct {
  GString *log;     /* "begin seq/uid", "data ...", "end", "fetch seq/uid/sections-with-data" */
} BodyRecord;

static gboolean
record_body_begin (const HeronImapBodyInfo *info,
                   gpointer                 user_data,
                   GError                 **error)
{
  BodyRecord *record = user_data;

  g_string_append_printf (record->log, "begin %u/%u [%s] %" G_GUINT64_FORMAT ";", info->seq, info->uid,
                          info->section, info->size);
  return TRUE;
}

static gboolean
record_body_chunk (const guint8 *data,
                   gsize         len,
                   gpointer      user_data,
                   GError      **error)
{
  BodyRecord *record = user_data;

  g_string_append_len (record->log, (const char *) data, (gssize) len);
  return TRUE;
}

static gboolean
record_body_end (gpointer   user_data,
                 GError   **error)
{
  BodyRecord *record = user_data;

  g_string_append (record->log, ";end;");
  return TRUE;
}

static const HeronImapBodyConsumer record_body_consumer = {
  record_body_begin,
  record_body_chunk,
  record_body_end,
};

static void
record_fetch (HeronImapResponse *response,
              gpointer           user_data)
{
  BodyRecord *record = user_data;
  guint with_data = 0;

  for (guint i = 0; i < response->fetch.n_sections; i++)
    if (response->fetch.sections[i].data != NULL)
      with_data++;
  g_string_append_printf (record->log, "fetch %u/%u sections %u collected %u;", response->fetch.seq,
                          response->fetch.uid, response->fetch.n_sections, with_data);
}

static void
test_body_before_uid (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  g_autoptr(HeronImapUidSet) uids = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  static const char * const items[] = { "BODY.PEEK[]", NULL };
  BodyRecord record = { g_string_new (NULL) };
  g_autoptr(GError) error = NULL;

  heron_imap_uid_set_add_range (uids, 7, 7);
  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  heron_script_server_expect (server, "A0001 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=");
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  heron_script_server_expect (server, "A0002 SELECT INBOX");
  heron_script_server_send (server, "* 1 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n$TAG OK [READ-WRITE] selected\r\n");
  heron_script_server_expect (server, "A0003 UID FETCH 7 BODY.PEEK[]");
  heron_script_server_send (server, "* 1 FETCH (BODY[] {5}\r\nhello UID 7)\r\n$TAG OK fetched\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_select_async (session, "INBOX", FALSE, NULL,
                                                                             NULL, NULL, NULL, on_done, w));
    g_autoptr(HeronImapSelectResult) select = heron_imap_session_select_finish (session, result, &error);

    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_uid_fetch_async (session, uids, items,
                                                                                HERON_IMAP_MODSEQ_NONE, FALSE,
                                                                                record_fetch, &record,
                                                                                &record_body_consumer, &record,
                                                                                NULL, on_done, w));
    g_autoptr(HeronImapUidSet) vanished = NULL;

    g_assert_true (heron_imap_session_uid_fetch_finish (session, result, &vanished, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpstr (record.log->str, ==, "begin 1/0 [] 5;hello;end;fetch 1/7 sections 1 collected 0;");
  g_string_free (record.log, TRUE);
  assert_server_ok (server);
}

/* IMAP4rev2: enabled, its differences applied. */

static void
record_event (HeronImapSession  *session,
              HeronImapResponse *response,
              gpointer           user_data)
{
  g_ptr_array_add (user_data, heron_imap_response_ref (response));
}

static void
test_imap4rev2 (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN] hi\r\n");
  /* IMAP4rev2 has SASL-IR. */
  heron_script_server_expect (server, "A0001 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=");
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev2 IMAP4rev1 CONDSTORE] Logged in\r\n");
  heron_script_server_expect (server, "A0002 ENABLE IMAP4rev2 CONDSTORE");
  heron_script_server_expect (server, "A0003 NAMESPACE");
  heron_script_server_send (server, "* ENABLED IMAP4rev2 CONDSTORE\r\nA0002 OK enabled\r\n"
                                    "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nA0003 OK done\r\n");
  heron_script_server_expect (server, "A0004 SELECT \"Entwürfe\"");
  heron_script_server_send (server, "* 2 EXISTS\r\n* FLAGS (\\Seen)\r\n"
                                    "* LIST () \"/\" \"Entwürfe\"\r\n"
                                    "* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 90] ok\r\n"
                                    "$TAG OK [READ-WRITE] selected\r\n");
  heron_script_server_expect (server, "A0005 UID SEARCH RETURN (ALL) ALL");
  heron_script_server_send (server, "* 5 RECENT\r\n* 3 EXISTS\r\n"
                                    "* ESEARCH (TAG \"A0005\") UID ALL 1:2,5\r\n$TAG OK searched\r\n");

  g_signal_connect (session, "mailbox-event", G_CALLBACK (record_event), events);
  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_true (heron_imap_session_is_imap4rev2 (session));
  g_assert_true (heron_imap_session_has_capability (session, "MOVE"));
  g_assert_true (heron_imap_session_has_capability (session, "UIDPLUS"));
  g_assert_true (heron_imap_session_has_capability (session, "ESEARCH"));
  g_assert_nonnull (heron_imap_session_get_namespace (session));
  g_assert_cmpint (heron_imap_connection_get_literal_mode (heron_imap_session_get_connection (session)), ==,
                   HERON_IMAP_LITERAL_MINUS);

  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_select_async (session, "Entwürfe", FALSE, NULL,
                                                                             NULL, NULL, NULL, on_done, w));
    g_autoptr(HeronImapSelectResult) select = heron_imap_session_select_finish (session, result, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (select->exists, ==, 2);
    g_assert_cmpuint (select->highestmodseq, ==, 90);
    g_assert_cmpstr (heron_imap_session_get_selected (session), ==, "Entwürfe");
  }
  {
    g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(HeronImapUidSet) found = NULL;
    g_autofree char *text = NULL;

    heron_imap_command_add_atom (criteria, "ALL");
    result = AWAIT (heron_imap_session_uid_search_async (session, criteria, NULL, on_done, w));
    found = heron_imap_session_uid_search_finish (session, result, NULL, &error);
    g_assert_no_error (error);
    text = heron_imap_uid_set_to_string (found);
    g_assert_cmpstr (text, ==, "1:2,5");
  }

  /* No RECENT in IMAP4rev2: only the EXISTS came out. */
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (((HeronImapResponse *) events->pdata[0])->kind, ==, HERON_IMAP_RESPONSE_EXISTS);
  assert_server_ok (server);
}

static void
on_alert (HeronImapSession *session,
          const char       *text,
          gpointer          user_data)
{
  g_ptr_array_add (user_data, g_strdup (text));
}

static void
test_alert (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = new_session (server);
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
  heron_script_server_expect (server, "A0001 LOGIN alice@example.test secret");
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  heron_script_server_expect (server, "A0002 NOOP");
  heron_script_server_send (server, "* OK [ALERT] Your account expires in 3 days\r\n$TAG OK done\r\n");

  g_signal_connect (session, "alert", G_CALLBACK (on_alert), alerts);
  g_assert_true (connect_sync (session, &error));
  g_assert_cmpint (heron_imap_session_get_auth_mechanism (session), ==, HERON_IMAP_AUTH_LOGIN_COMMAND);
  result = AWAIT (heron_imap_session_noop_async (session, NULL, on_done, w));
  g_assert_true (heron_imap_session_noop_finish (session, result, &error));
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpstr (alerts->pdata[0], ==, "Your account expires in 3 days");
  assert_server_ok (server);
}

/* PREAUTH over implicit TLS: logged in without sending credentials. */
static void
test_preauth_tls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = NULL;
  HeronImapSessionSettings settings;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_TLS);
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_script_server_implicit_tls (server);
  heron_script_server_send (server, "* PREAUTH [CAPABILITY IMAP4rev1] welcome, alice\r\n");
  heron_script_server_expect (server, "A0001 LOGOUT");
  heron_script_server_send (server, "* BYE bye\r\n$TAG OK done\r\n");

  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_AUTHENTICATED);
  g_assert_cmpint (heron_imap_session_get_auth_mechanism (session), ==, HERON_IMAP_AUTH_AUTO);
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_logout_async (session, NULL, on_done, w));

    g_assert_true (heron_imap_session_logout_finish (session, result, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_CLOSED);
  assert_server_ok (server);
}

/* IDLE is re-issued by itself (DONE, IDLE); the caller sees one IDLE, and events keep coming. */

static gboolean
has_kind (GPtrArray            *events,
          HeronImapResponseKind kind)
{
  for (guint i = 0; i < events->len; i++)
    if (((HeronImapResponse *) events->pdata[i])->kind == kind)
      return TRUE;
  return FALSE;
}

static HeronImapSession *
login_session (HeronScriptServer *server,
               guint              idle_refresh_ms)
{
  HeronImapSessionSettings settings;
  HeronImapSession *session;
  g_autoptr(GError) error = NULL;

  init_settings (&settings, server, HERON_IMAP_SECURITY_NONE);
  settings.idle_refresh_ms = idle_refresh_ms;
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
  heron_script_server_expect (server, "A0001 LOGIN alice@example.test secret");
  heron_script_server_send (server, "$TAG OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
  g_assert_true (connect_sync (session, &error));
  g_assert_no_error (error);
  return session;
}

static void
test_idle_refresh (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = login_session (server, 300);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(GError) error = NULL;

  heron_script_server_expect (server, "A0002 IDLE");
  heron_script_server_send (server, "+ idling\r\n");
  heron_script_server_expect_data (server, "DONE");
  heron_script_server_send (server, "$TAG OK IDLE done\r\n");
  heron_script_server_expect (server, "A0003 IDLE");
  heron_script_server_send (server, "+ idling again\r\n* 5 EXISTS\r\n");
  heron_script_server_expect_data (server, "DONE");
  heron_script_server_send (server, "$TAG OK IDLE done\r\n");

  g_signal_connect (session, "mailbox-event", G_CALLBACK (record_event), events);
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_idle_start_async (session, NULL, on_done, w));

    g_assert_true (heron_imap_session_idle_start_finish (session, result, &error));
    g_assert_no_error (error);
  }
  while (!has_kind (events, HERON_IMAP_RESPONSE_EXISTS))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (heron_imap_session_is_idling (session));
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_idle_stop_async (session, NULL, on_done, w));

    g_assert_true (heron_imap_session_idle_stop_finish (session, result, &error));
    g_assert_no_error (error);
  }
  g_assert_false (heron_imap_session_is_idling (session));
  assert_server_ok (server);
}

static gboolean
on_cancel_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* idle_start cancelled before the server's "+": CANCELLED at once, DONE as soon as "+" comes. */
static void
test_idle_cancel (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = login_session (server, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean waited = FALSE;

  heron_script_server_expect (server, "A0002 IDLE");
  heron_script_server_sleep (server, 300);
  heron_script_server_send (server, "+ idling\r\n");
  heron_script_server_expect_data (server, "DONE");
  heron_script_server_send (server, "$TAG OK IDLE done\r\n");
  heron_script_server_expect (server, "A0003 NOOP");
  heron_script_server_send (server, "$TAG OK noop\r\n");

  g_timeout_add (50, on_cancel_timeout, cancellable);
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_idle_start_async (session, cancellable,
                                                                                 on_done, w));

    g_assert_false (heron_imap_session_idle_start_finish (session, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  g_assert_false (heron_imap_session_is_idling (session));
  g_timeout_add (600, on_timeout, &waited);
  run_until (&waited);
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_noop_async (session, NULL, on_done, w));

    g_assert_true (heron_imap_session_noop_finish (session, result, &error));
    g_assert_no_error (error);
  }
  assert_server_ok (server);
}

static void
on_closed (HeronImapSession *session,
           const GError     *error,
           gpointer          user_data)
{
  *(GError **) user_data = g_error_copy (error);
}

/* BYE while idling: the session closes with the server's text. */
static void
test_idle_bye (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(HeronImapSession) session = login_session (server, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) closed = NULL;

  heron_script_server_expect (server, "A0002 IDLE");
  heron_script_server_send (server, "+ idling\r\n");
  heron_script_server_sleep (server, 100);
  heron_script_server_send (server, "* BYE Server shutting down for maintenance\r\n");
  heron_script_server_close (server);

  g_signal_connect (session, "closed", G_CALLBACK (on_closed), &closed);
  {
    g_autoptr(GAsyncResult) result = AWAIT (heron_imap_session_idle_start_async (session, NULL, on_done, w));

    g_assert_true (heron_imap_session_idle_start_finish (session, result, &error));
    g_assert_no_error (error);
  }
  while (closed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (closed, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE);
  g_assert_nonnull (strstr (closed->message, "Server shutting down for maintenance"));
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_CLOSED);
  g_assert_false (heron_imap_session_is_idling (session));
  assert_server_ok (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/session-faults/xoauth2", test_xoauth2);
  g_test_add_func ("/heron/imap/session-faults/xoauth2/refresh", test_xoauth2_refresh);
  g_test_add_func ("/heron/imap/session-faults/oauthbearer/rejected", test_oauthbearer_rejected);
  g_test_add_func ("/heron/imap/session-faults/authenticate/rejected", test_authenticate_rejected);
  g_test_add_func ("/heron/imap/session-faults/authenticate/login", test_authenticate_login);
  g_test_add_func ("/heron/imap/session-faults/logindisabled", test_logindisabled);
  g_test_add_func ("/heron/imap/session-faults/no-extensions", test_no_extensions);
  g_test_add_func ("/heron/imap/session-faults/imap4rev2", test_imap4rev2);
  g_test_add_func ("/heron/imap/session-faults/append-utf8", test_append_utf8);
  g_test_add_func ("/heron/imap/session-faults/fetch/body-before-uid", test_body_before_uid);
  g_test_add_func ("/heron/imap/session-faults/alert", test_alert);
  g_test_add_func ("/heron/imap/session-faults/preauth-tls", test_preauth_tls);
  g_test_add_func ("/heron/imap/session-faults/idle/refresh", test_idle_refresh);
  g_test_add_func ("/heron/imap/session-faults/idle/bye", test_idle_bye);
  g_test_add_func ("/heron/imap/session-faults/idle/cancel", test_idle_cancel);

  return g_test_run ();
}
