/* test-sync-outbox.c: the outbox (heron_account_worker_send_async), copies in Sent and drafts,
 * against the real Postfix and Dovecot of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Deliveries are counted in the recipients' mailboxes with doveadm, by Message-ID. The crash
 * tests run a worker in a child process (this program again, with --child) that the worker
 * itself ends with _exit() at a named point of a send (HERON_OUTBOX_TEST_CRASH, a test-only hook
 * of heron-sync-outbox.c); a worker in this process then takes over the same cache.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "heron-script-server.h"
#include "smtp/heron-smtp-error.h"
#include "sync-test-util.h"

#define CRASH_STATUS 70

static HeronTestServer *server;
static char *tmpdir;
static char *self_path;   /* this program, run again as the crash tests' child */

/* Where the servers are: from the server here, from the command line in a child. */
typedef struct {
  const char *host;
  guint16     imap_port;
  guint16     smtp_port;
  const char *ca_file;
} Servers;

static Servers servers;

/* An event about the outbox message with that Message-ID. */
static HeronSyncEvent *
wait_message_event (SyncTestFixture    *fixture,
                    HeronSyncEventKind  kind,
                    const char         *message_id,
                    guint               after)
{
  SyncTestEventWait wait = { kind, NULL, after, message_id };

  return sync_test_wait_event_full (fixture, &wait, SYNC_TEST_WAIT_MS);
}

static guint
count_events (SyncTestFixture    *fixture,
              HeronSyncEventKind  kind,
              const char         *message_id)
{
  guint n = 0;

  for (guint i = 0; i < fixture->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture->events, i);

      n += event->kind == kind && g_strcmp0 (event->message_id, message_id) == 0;
    }
  return n;
}

static HeronAccountConfig *
make_config (const char *user,
             const char *smtp_user)
{
  HeronAccountConfig *config = sync_test_config_new (servers.host, servers.imap_port, servers.ca_file, user);

  sync_test_set_server (heron_account_config_get_smtp (config), servers.host, servers.smtp_port, servers.ca_file,
                        smtp_user != NULL ? smtp_user : user);
  return config;
}

static void
fixture_start_full (SyncTestFixture *fixture,
                    const char      *smtp_user)
{
  g_autoptr(HeronAccountConfig) config = make_config (fixture->user, smtp_user);
  HeronAccountWorkerOptions options;

  sync_test_options_init (&options, fixture->store_path, fixture->password);
  options.idle = FALSE;
  sync_test_fixture_start (fixture, config, &options);
}

static void
fixture_start (SyncTestFixture *fixture)
{
  fixture_start_full (fixture, NULL);
}

/* A message from @from; @bcc may be NULL. */
static GBytes *
make_message (const char *from,
              const char *to,
              const char *bcc,
              const char *message_id,
              const char *subject)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "From: Test Sender <%s>\r\n", from);
  g_string_append_printf (text, "To: %s\r\n", to);
  if (bcc != NULL)
    g_string_append_printf (text, "Bcc: Hidden One <%s>,\r\n  %s\r\n", bcc, "other-hidden@elsewhere.invalid");
  g_string_append_printf (text, "Subject: %s\r\n", subject);
  g_string_append (text, "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n");
  g_string_append_printf (text, "Message-ID: <%s>\r\n", message_id);
  g_string_append (text, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
  g_string_append (text, "Hello.\r\n.A line that starts with a dot.\r\n");
  return g_string_free_to_bytes (text);
}

/* Without the Bcc (a refused recipient would fail the whole message with "relay access
 * denied" for the hidden one above). */
static GBytes *
make_simple_message (const char *from,
                     const char *to,
                     const char *message_id)
{
  return make_message (from, to, NULL, message_id, "Outbox test");
}

static void
send_message (SyncTestFixture *fixture,
              GBytes          *message)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };

  heron_account_worker_send_async (fixture->worker, message, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "send_async");
  g_assert_true (heron_account_worker_send_finish (fixture->worker, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

/* How many messages with this Message-ID the mailbox has. */
static guint
count_messages (const char *user,
                const char *mailbox,
                const char *message_id)
{
  g_autofree char *header = g_strdup_printf ("<%s>", message_id);
  const char *argv[] = { "search", "-u", user, "mailbox", mailbox, "header", "Message-ID", header, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  /* (doveadm prints nothing when nothing matches, which the harness's doveadm helper cannot
   * take) */
  if (heron_test_server_find_message (server, user, mailbox, message_id, &error) == 0)
    {
      g_assert_no_error (error);
      return 0;
    }
  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += lines[i][0] != '\0';
  return n;
}

static void
wait_delivered (const char *user,
                const char *mailbox,
                const char *message_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (heron_test_server_wait_for_message (server, user, mailbox, message_id, SYNC_TEST_WAIT_MS, &error),
                    >, 0);
  g_assert_no_error (error);
}

/* The header of the copy in @user's @mailbox. */
static char *
fetch_header (const char *user,
              const char *mailbox,
              const char *message_id)
{
  g_autofree char *header = g_strdup_printf ("<%s>", message_id);
  const char *argv[] = { "fetch", "-u", user, "hdr", "mailbox", mailbox, "header", "Message-ID", header, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_true (heron_test_server_doveadm (server, argv, &out, &error));
  g_assert_no_error (error);
  return out;
}

static gboolean
has_field (const char *header,
           const char *name)
{
  g_auto(GStrv) lines = g_strsplit (header, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0 && lines[i][strlen (name)] == ':')
      return TRUE;
  return FALSE;
}

static HeronStoreOutboxEntry *
outbox_entry (SyncTestFixture *fixture,
              const char      *message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = heron_store_outbox_read (fixture->store_path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->message_id, message_id) == 0)
        return heron_store_outbox_entry_copy (entry);
    }
  return NULL;
}

static gboolean
check_outbox_empty (SyncTestFixture *fixture,
                    gconstpointer    data)
{
  g_autoptr(GPtrArray) entries = heron_store_outbox_read (fixture->store_path, NULL);

  return entries != NULL && entries->len == 0;
}

/* Tests */

/* Sent once to To and Bcc; no delivered copy shows the Bcc; the copy in Sent keeps it. */
static void
test_send (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *bob_header = NULL;
  g_autofree char *carol_header = NULL;
  g_autofree char *sent_header = NULL;
  HeronSyncEvent *sent;

  sync_test_fixture_init (&fixture, server, tmpdir, "send");
  fixture_start (&fixture);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  message = make_message (fixture.user, "Bob <bob@example.test>", "carol@example.test", "send-1@example.test", "Hello Bob");
  /* The hidden address outside example.test is refused by Postfix (relay access denied): the
   * message goes to the others, and the SENT event names the refusal. */
  send_message (&fixture, message);
  sent = wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "send-1@example.test", 0);
  g_assert_error (sent->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_RECIPIENTS_REJECTED);
  g_assert_nonnull (strstr (sent->error->message, "other-hidden@elsewhere.invalid"));
  g_assert_null (strstr (sent->error->message, "carol@example.test"));

  wait_delivered ("bob@example.test", "INBOX", "send-1@example.test");
  wait_delivered ("carol@example.test", "INBOX", "send-1@example.test");
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "send-1@example.test"), ==, 1);
  g_assert_cmpuint (count_messages ("carol@example.test", "INBOX", "send-1@example.test"), ==, 1);
  bob_header = fetch_header ("bob@example.test", "INBOX", "send-1@example.test");
  carol_header = fetch_header ("carol@example.test", "INBOX", "send-1@example.test");
  g_assert_false (has_field (bob_header, "Bcc"));
  g_assert_false (has_field (carol_header, "Bcc"));
  g_assert_nonnull (strstr (bob_header, "Subject: Hello Bob"));

  /* The copy in Sent, filed through the journal, \Seen */
  wait_delivered (fixture.user, "Sent", "send-1@example.test");
  g_assert_cmpuint (count_messages (fixture.user, "Sent", "send-1@example.test"), ==, 1);
  sent_header = fetch_header (fixture.user, "Sent", "send-1@example.test");
  g_assert_true (has_field (sent_header, "Bcc"));
  {
    g_autoptr(GError) error = NULL;
    guint32 sent_uid = heron_test_server_find_message (server, fixture.user, "Sent", "send-1@example.test", &error);
    g_auto(GStrv) flags = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (sent_uid, >, 0);
    flags = heron_test_server_get_flags (server, fixture.user, "Sent", sent_uid, &error);
    g_assert_no_error (error);
    g_assert_true (g_strv_contains ((const char * const *) flags, "\\Seen"));
  }
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "send-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "send-1@example.test"), ==, 0);

  sync_test_fixture_clear (&fixture);
}

/* Sent while the SMTP server is down: kept, retried, delivered exactly once when it is back. */
static void
test_smtp_down (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *failed;

  sync_test_fixture_init (&fixture, server, tmpdir, "down");
  fixture_start (&fixture);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  g_assert_true (heron_test_server_stop_smtp (server, &error));
  g_assert_no_error (error);
  message = make_simple_message (fixture.user, "bob@example.test", "down-1@example.test");
  send_message (&fixture, message);
  failed = wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "down-1@example.test", 0);
  g_assert_true (heron_smtp_error_is_transient (failed->error));
  entry = outbox_entry (&fixture, "down-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (entry->attempts, >=, 1);
  g_assert_nonnull (entry->error);
  /* a second failed attempt: the back-off retries by itself */
  wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "down-1@example.test",
                      sync_test_find_event (&fixture, &(SyncTestEventWait) { HERON_SYNC_EVENT_SEND_FAILED, NULL, 0,
                                                                             "down-1@example.test" }) + 1);

  g_assert_true (heron_test_server_start_smtp (server, &error));
  g_assert_no_error (error);
  wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "down-1@example.test", 0);
  wait_delivered ("bob@example.test", "INBOX", "down-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "down-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "down-1@example.test"), ==, 1);

  sync_test_fixture_clear (&fixture);
}

/* Every recipient refused: SEND_FAILED naming it, kept as FAILED, not retried. */
static void
test_refused (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  HeronSyncEvent *failed;

  sync_test_fixture_init (&fixture, server, tmpdir, "refused");
  fixture_start (&fixture);

  /* Messages the outbox cannot send are refused at once and never stored */
  {
    static const char * const bad[] = {
      "To: bob@example.test\r\nSubject: no sender\r\n\r\nx\r\n",
      "From: refused@example.test\r\nSubject: no recipient\r\n\r\nx\r\n",
      "From: refused@example.test\r\nTo: bob at example dot test\r\n\r\nx\r\n",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GBytes) invalid = g_bytes_new_static (bad[i], strlen (bad[i]));
        g_autoptr(GError) error = NULL;
        SyncTestWait wait = { 0 };

        heron_account_worker_send_async (fixture.worker, invalid, NULL, sync_test_on_done, &wait);
        sync_test_await (&fixture, &wait, "send_async");
        g_assert_false (heron_account_worker_send_finish (fixture.worker, wait.result, &error));
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        g_test_message ("%s", error->message);
        g_object_unref (wait.result);
      }
    g_assert_true (check_outbox_empty (&fixture, NULL));
  }

  message = make_simple_message (fixture.user, "Nobody <nobody@elsewhere.invalid>", "refused-1@example.test");
  send_message (&fixture, message);
  failed = wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "refused-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_RECIPIENTS_REJECTED);
  g_assert_nonnull (strstr (failed->error->message, "nobody@elsewhere.invalid"));
  g_assert_nonnull (strstr (failed->error->message, "554"));
  g_assert_false (heron_smtp_error_is_transient (failed->error));

  entry = outbox_entry (&fixture, "refused-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_FAILED);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_nonnull (strstr (entry->error, "nobody@elsewhere.invalid"));

  /* given up: it leaves the outbox */
  heron_account_worker_discard_send (fixture.worker, "refused-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "refused-1@example.test"), ==, 1);

  sync_test_fixture_clear (&fixture);
}

/* A wrong SMTP password: SEND_FAILED with the server's refusal, the message kept; the IMAP side
 * is not affected. */
static void
test_wrong_password (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  HeronSyncEvent *failed;

  sync_test_fixture_init (&fixture, server, tmpdir, "wrongpw");
  /* SMTP as another user, with this user's password */
  fixture_start_full (&fixture, "other@" HERON_TEST_SERVER_DOMAIN);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  message = make_simple_message (fixture.user, "bob@example.test", "wrongpw-1@example.test");
  send_message (&fixture, message);
  failed = wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "wrongpw-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
  g_assert_nonnull (strstr (failed->error->message, "535"));
  entry = outbox_entry (&fixture, "wrongpw-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_FAILED);
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "wrongpw-1@example.test"), ==, 0);
  g_assert_cmpint (heron_account_worker_get_state (fixture.worker), ==, HERON_SYNC_STATE_ONLINE);

  sync_test_fixture_clear (&fixture);
}

/* The crash tests */

static void
run_child (SyncTestFixture *fixture,
           const char      *point,
           GBytes          *message)
{
  g_autofree char *message_path = g_build_filename (tmpdir, "child-message.eml", NULL);
  g_autofree char *imap_port = g_strdup_printf ("%u", servers.imap_port);
  g_autofree char *smtp_port = g_strdup_printf ("%u", servers.smtp_port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    self_path, "--child", servers.host, imap_port,
    smtp_port, servers.ca_file, fixture->user, fixture->password, fixture->store_path, message_path, NULL
  };

  g_assert_true (g_file_set_contents (message_path, g_bytes_get_data (message, NULL),
                                      g_bytes_get_size (message), &error));
  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "HERON_OUTBOX_TEST_CRASH", point, TRUE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, CRASH_STATUS);
}

/* Killed with everything but the final "." sent: nothing reached anyone; sent again by itself
 * at the next start, delivered once. */
static void
test_crash_before_end (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;

  sync_test_fixture_init (&fixture, server, tmpdir, "crash1");
  message = make_simple_message (fixture.user, "bob@example.test", "crash1-1@example.test");
  run_child (&fixture, "before-end", message);

  entry = outbox_entry (&fixture, "crash1-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "crash1-1@example.test"), ==, 0);

  fixture_start (&fixture);
  wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "crash1-1@example.test", 0);
  wait_delivered ("bob@example.test", "INBOX", "crash1-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "crash1-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "crash1-1@example.test"), ==, 0);

  sync_test_fixture_clear (&fixture);
}

/* Killed after the server accepted it and before the store heard of it: not sent again, marked
 * "may have been sent"; only an explicit retry sends it again. */
static void
test_crash_after_accept (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) before = NULL;
  g_autoptr(HeronStoreOutboxEntry) after = NULL;
  HeronSyncEvent *failed;

  sync_test_fixture_init (&fixture, server, tmpdir, "crash2");
  message = make_simple_message (fixture.user, "bob@example.test", "crash2-1@example.test");
  run_child (&fixture, "after-accept", message);

  before = outbox_entry (&fixture, "crash2-1@example.test");
  g_assert_nonnull (before);
  g_assert_cmpint (before->state, ==, HERON_STORE_OUTBOX_SENDING);
  wait_delivered ("bob@example.test", "INBOX", "crash2-1@example.test");

  fixture_start (&fixture);
  failed = wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "crash2-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED);
  g_assert_nonnull (strstr (failed->error->message, "may have been sent"));
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");

  after = outbox_entry (&fixture, "crash2-1@example.test");
  g_assert_nonnull (after);
  g_assert_cmpint (after->state, ==, HERON_STORE_OUTBOX_UNCERTAIN);
  g_assert_cmpuint (after->attempts, ==, before->attempts);
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "crash2-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "crash2-1@example.test"), ==, 0);

  /* The person says it did not arrive: sent again */
  heron_account_worker_retry_send (fixture.worker, "crash2-1@example.test");
  wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "crash2-1@example.test", 0);
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");

  sync_test_fixture_clear (&fixture);
}

/* Drafts */

static gint64
save_draft (SyncTestFixture *fixture,
            GBytes          *message,
            gint64           replaces_uid)
{
  g_autoptr(GError) error = NULL;
  SyncTestWait wait = { 0 };
  gint64 uid;

  heron_account_worker_save_draft_async (fixture->worker, message, replaces_uid, NULL, sync_test_on_done, &wait);
  sync_test_await (fixture, &wait, "save_draft");
  uid = heron_account_worker_save_draft_finish (fixture->worker, wait.result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (uid, <, 0);
  g_object_unref (wait.result);
  return uid;
}

typedef struct {
  const char *user;
  const char *message_id;
} DraftCheck;

/* The server's Drafts holds exactly this draft, and so does the cache. */
static gboolean
check_one_draft (SyncTestFixture *fixture,
                 gconstpointer    data)
{
  const DraftCheck *check = data;
  g_autoptr(GArray) uids = heron_test_server_list_uids (server, check->user, "Drafts", NULL);
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 drafts = 0;

  if (uids == NULL || uids->len != 1 || count_messages (check->user, "Drafts", check->message_id) != 1)
    return FALSE;
  reader = heron_store_reader_open (fixture->store_path, NULL);
  if (reader == NULL)
    return FALSE;
  folders = heron_store_reader_get_folders (reader, NULL);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    if (g_strcmp0 (((HeronStoreFolder *) g_ptr_array_index (folders, i))->name, "Drafts") == 0)
      drafts = ((HeronStoreFolder *) g_ptr_array_index (folders, i))->id;
  rows = drafts != 0 ? heron_store_reader_get_rows (reader, drafts, 0, 10, NULL) : NULL;
  if (rows == NULL || rows->len != 1)
    return FALSE;
  /* the server's copy: numbered by the server */
  return ((HeronStoreMessage *) g_ptr_array_index (rows, 0))->uid > 0;
}

static void
test_drafts (void)
{
  SyncTestFixture fixture;
  g_autoptr(GBytes) one = NULL;
  g_autoptr(GBytes) two = NULL;
  g_autoptr(GBytes) three = NULL;
  g_autoptr(GError) error = NULL;
  gint64 uid1, uid2, uid3;
  DraftCheck check;

  sync_test_fixture_init (&fixture, server, tmpdir, "drafts");
  fixture_start (&fixture);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  /* the folder list (with Drafts) is known once INBOX synced */
  sync_test_wait_event (&fixture, HERON_SYNC_EVENT_FOLDERS_CHANGED, NULL, 0, SYNC_TEST_WAIT_MS);

  one = make_message (fixture.user, "bob@example.test", "carol@example.test", "draft-1@example.test", "Draft 1");
  two = make_message (fixture.user, "bob@example.test", "carol@example.test", "draft-2@example.test", "Draft 2");
  three = make_message (fixture.user, "bob@example.test", "carol@example.test", "draft-3@example.test", "Draft 3");

  /* saved twice in a row: the second replaces the first before the server saw either */
  uid1 = save_draft (&fixture, one, 0);
  uid2 = save_draft (&fixture, two, uid1);
  g_assert_cmpint (uid2, !=, uid1);
  check = (DraftCheck) { fixture.user, "draft-2@example.test" };
  sync_test_wait_for (check_one_draft, &fixture, &check, SYNC_TEST_WAIT_MS, "one draft (2)");
  g_assert_cmpuint (count_messages (fixture.user, "Drafts", "draft-1@example.test"), ==, 0);

  /* again after the server numbered it (the caller still holds the local UID) */
  uid3 = save_draft (&fixture, three, uid2);
  check = (DraftCheck) { fixture.user, "draft-3@example.test" };
  sync_test_wait_for (check_one_draft, &fixture, &check, SYNC_TEST_WAIT_MS, "one draft (3)");
  g_assert_cmpuint (count_messages (fixture.user, "Drafts", "draft-2@example.test"), ==, 0);
  (void) uid3;

  sync_test_fixture_clear (&fixture);
}

/* Sending off the worker's queue. These tests need an upload that stalls in the middle of the
 * data until the test lets it go on, which the real Postfix cannot be made to do: the SMTP
 * server is the scripted one of tests/servers/script (plain text on loopback, AUTH PLAIN),
 * IMAP stays the real Dovecot. The script reads the message up to a marker line and then reads
 * nothing more, so the client's writes stop once the socket buffers are full (the message is
 * much larger than they are); the test appends the rest of the transaction when it wants the
 * send to finish. */

#define STALL_MARK "STALL-HERE"
#define STALL_TAIL (24 * 1024 * 1024)

typedef struct {
  GBytes *bytes;
  gsize   head;   /* bytes before the marker line */
  gsize   tail;   /* bytes after it */
} BigMessage;

static void
big_message_clear (BigMessage *big)
{
  g_clear_pointer (&big->bytes, g_bytes_unref);
}

/* A plain-text message of about 24 MB: 64 KiB of lines, the marker line, the rest. */
static void
make_big_message (BigMessage *big,
                  const char *from,
                  const char *to,
                  const char *message_id)
{
  GString *text = g_string_sized_new (STALL_TAIL + 128 * 1024);
  gsize tail_start;

  g_string_append_printf (text, "From: Test Sender <%s>\r\nTo: %s\r\nSubject: A large upload\r\n", from, to);
  g_string_append (text, "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n");
  g_string_append_printf (text, "Message-ID: <%s>\r\n", message_id);
  g_string_append (text, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
  for (guint i = 0; text->len < 64 * 1024; i++)
    g_string_append_printf (text, "head %06u: the first lines of a large message, uploading\r\n", i);
  big->head = text->len;
  g_string_append (text, STALL_MARK "\r\n");
  tail_start = text->len;
  for (guint i = 0; text->len - tail_start < STALL_TAIL; i++)
    g_string_append_printf (text, "tail %08u: the rest of it, which waits for the server to read\r\n", i);
  big->tail = text->len - tail_start;
  big->bytes = g_string_free_to_bytes (text);
}

/* The scripted server's side of a transaction up to the 354 (one connection). */
static void
script_envelope (HeronScriptServer *smtp,
                 const char        *from,
                 const char        *to)
{
  g_autofree char *mail = g_strdup_printf ("MAIL FROM:<%s>*", from);
  g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>*", to);

  heron_script_server_send (smtp, "220 script.test ESMTP ready\r\n");
  heron_script_server_expect (smtp, "EHLO *");
  heron_script_server_send (smtp, "250-script.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
  heron_script_server_expect (smtp, "AUTH PLAIN *");
  heron_script_server_send (smtp, "235 2.7.0 Authentication successful\r\n");
  heron_script_server_expect (smtp, mail);
  heron_script_server_send (smtp, "250 2.1.0 Ok\r\n");
  heron_script_server_expect (smtp, rcpt);
  heron_script_server_send (smtp, "250 2.1.5 Ok\r\n");
  heron_script_server_expect (smtp, "DATA");
  heron_script_server_send (smtp, "354 End data with <CR><LF>.<CR><LF>\r\n");
}

/* The data up to the marker line; then the script reads nothing until more steps come. */
static void
script_stall (HeronScriptServer *smtp,
              const BigMessage  *big)
{
  heron_script_server_expect_literal (smtp, big->head, NULL);
  heron_script_server_expect_data (smtp, STALL_MARK);
}

/* The end of the data, the server's acceptance, QUIT. */
static void
script_accept (HeronScriptServer *smtp,
               const char        *queue_id)
{
  g_autofree char *reply = g_strdup_printf ("250 2.0.0 Ok: queued as %s\r\n", queue_id);

  heron_script_server_expect_data (smtp, ".");
  heron_script_server_send (smtp, reply);
  heron_script_server_expect (smtp, "QUIT");
  heron_script_server_send (smtp, "221 2.0.0 Bye\r\n");
  heron_script_server_close (smtp);
}

static void
fixture_start_script (SyncTestFixture   *fixture,
                      HeronScriptServer *smtp)
{
  g_autoptr(HeronAccountConfig) config = sync_test_config_new (servers.host, servers.imap_port, servers.ca_file,
                                                               fixture->user);
  HeronAccountServer *account_smtp = heron_account_config_get_smtp (config);
  HeronAccountWorkerOptions options;

  heron_account_server_set_host (account_smtp, heron_script_server_get_host (smtp));
  heron_account_server_set_port (account_smtp, heron_script_server_get_port (smtp));
  heron_account_server_set_security (account_smtp, HERON_ACCOUNT_SECURITY_NONE);
  heron_account_server_set_allow_plaintext_on_loopback (account_smtp, TRUE);
  heron_account_server_set_auth (account_smtp, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (account_smtp, fixture->user);
  sync_test_options_init (&options, fixture->store_path, fixture->password);
  options.idle = FALSE;
  sync_test_fixture_start (fixture, config, &options);
}

/* The script read the marker line: the upload is in the middle of the data. */
static gboolean
check_stalled (SyncTestFixture *fixture,
               gconstpointer    data)
{
  g_autofree char *transcript = heron_script_server_get_transcript ((HeronScriptServer *) data);

  return strstr (transcript, "C> " STALL_MARK) != NULL;
}

/* How many times the server read the end of a message (a line "."). */
static guint
count_data_ends (HeronScriptServer *smtp)
{
  g_autofree char *transcript = heron_script_server_get_transcript (smtp);
  g_auto(GStrv) lines = g_strsplit (transcript, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_equal (lines[i], "C> .\\r\\n");
  return n;
}

typedef struct {
  const char *user;
  guint32     uid;
  const char *flag;
} FlagCheck;

static gboolean
check_server_flag (SyncTestFixture *fixture,
                   gconstpointer    data)
{
  const FlagCheck *check = data;
  g_auto(GStrv) flags = heron_test_server_get_flags (server, check->user, "INBOX", check->uid, NULL);

  return flags != NULL && g_strv_contains ((const char * const *) flags, check->flag);
}

/* While an upload stalls in the middle of the data, the account's other work goes on: a flag
 * change reaches the server, a body is fetched, INBOX syncs. Then the upload finishes: one
 * transaction, SENT, the copy in Sent, an empty outbox. */
static void
test_stalled_upload (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronScriptServer) smtp = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  BigMessage big = { 0 };
  SyncTestWait wait = { 0 };
  FlagCheck flag;
  guint32 uid;

  sync_test_fixture_init (&fixture, server, tmpdir, "stall");
  fixture.poll_ms = 50;
  uid = sync_test_deliver (&fixture, "INBOX", "Flag me while the upload waits", NULL);
  smtp = heron_script_server_new (&error);
  g_assert_no_error (error);
  make_big_message (&big, fixture.user, "bob@example.test", "stall-1@example.test");
  script_envelope (smtp, fixture.user, "bob@example.test");
  script_stall (smtp, &big);

  fixture_start_script (&fixture, smtp);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  sync_test_sync_folder (&fixture, "INBOX");

  send_message (&fixture, big.bytes);
  sync_test_wait_for (check_stalled, &fixture, smtp, SYNC_TEST_WAIT_MS, "the upload to stall");

  /* A flag change: in the cache, then on the server (the journal's replay, a job) */
  sync_test_set_flags (&fixture, "INBOX", uid, HERON_STORE_FLAG_FLAGGED, 0);
  flag = (FlagCheck) { fixture.user, uid, "\\Flagged" };
  sync_test_wait_for (check_server_flag, &fixture, &flag, SYNC_TEST_WAIT_MS, "the flag on the server");
  /* A body on demand */
  heron_account_worker_fetch_body_async (fixture.worker, "INBOX", uid, NULL, sync_test_on_done, &wait);
  sync_test_await (&fixture, &wait, "fetch_body");
  g_assert_true (heron_account_worker_fetch_body_finish (fixture.worker, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  /* A sync */
  sync_test_sync_folder (&fixture, "INBOX");

  /* All of that while the upload still waited in the middle of the data */
  entry = outbox_entry (&fixture, "stall-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "stall-1@example.test"), ==, 0);
  g_assert_cmpuint (count_data_ends (smtp), ==, 0);

  /* The server reads the rest and accepts it */
  heron_script_server_expect_literal (smtp, big.tail, NULL);
  script_accept (smtp, "STALL1");
  wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "stall-1@example.test", 0);
  g_assert_true (heron_script_server_wait (smtp, SYNC_TEST_WAIT_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (smtp), ==, 1);
  g_assert_cmpuint (count_data_ends (smtp), ==, 1);

  wait_delivered (fixture.user, "Sent", "stall-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  g_assert_cmpuint (count_messages (fixture.user, "Sent", "stall-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "stall-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "stall-1@example.test"), ==, 0);

  big_message_clear (&big);
  sync_test_fixture_clear (&fixture);
}

/* Fails the test (g_error) unless watchdog_disarm() comes within WATCHDOG_S seconds: a hang
 * named, not a performance claim. */
#define WATCHDOG_S 60

typedef struct {
  GMutex      lock;
  GCond       cond;
  gboolean    disarmed;
  const char *what;
  GThread    *thread;
} Watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *watchdog = data;
  gint64 end = g_get_monotonic_time () + WATCHDOG_S * G_TIME_SPAN_SECOND;

  g_mutex_lock (&watchdog->lock);
  while (!watchdog->disarmed)
    if (!g_cond_wait_until (&watchdog->cond, &watchdog->lock, end))
      g_error ("%s did not return within %d s", watchdog->what, WATCHDOG_S);
  g_mutex_unlock (&watchdog->lock);
  return NULL;
}

static void
watchdog_arm (Watchdog   *watchdog,
              const char *what)
{
  g_mutex_init (&watchdog->lock);
  g_cond_init (&watchdog->cond);
  watchdog->disarmed = FALSE;
  watchdog->what = what;
  watchdog->thread = g_thread_new ("watchdog", watchdog_thread, watchdog);
}

static void
watchdog_disarm (Watchdog *watchdog)
{
  g_mutex_lock (&watchdog->lock);
  watchdog->disarmed = TRUE;
  g_cond_signal (&watchdog->cond);
  g_mutex_unlock (&watchdog->lock);
  g_thread_join (watchdog->thread);
  g_mutex_clear (&watchdog->lock);
  g_cond_clear (&watchdog->cond);
}

/* The worker stops while an upload stalls in the middle of the data: the stop returns (the
 * upload could never finish by itself: the script reads nothing more), the entry stays
 * QUEUED, nothing is reported as failed; a new worker on the same cache sends it once. */
static void
test_stop_during_upload (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronScriptServer) smtp = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  BigMessage big = { 0 };
  Watchdog watchdog;
  gint64 start;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "stopsend");
  fixture.poll_ms = 50;
  smtp = heron_script_server_new (&error);
  g_assert_no_error (error);
  make_big_message (&big, fixture.user, "bob@example.test", "stopsend-1@example.test");
  script_envelope (smtp, fixture.user, "bob@example.test");
  script_stall (smtp, &big);

  fixture_start_script (&fixture, smtp);
  sync_test_wait_state (&fixture, HERON_SYNC_STATE_ONLINE, SYNC_TEST_WAIT_MS, "online");
  send_message (&fixture, big.bytes);
  sync_test_wait_for (check_stalled, &fixture, smtp, SYNC_TEST_WAIT_MS, "the upload to stall");

  start = g_get_monotonic_time ();
  watchdog_arm (&watchdog, "heron_account_worker_stop() during a stalled upload");
  sync_test_fixture_stop (&fixture);
  watchdog_disarm (&watchdog);
  g_test_message ("stopped during the upload in %.3f s", (g_get_monotonic_time () - start) / 1e6);

  entry = outbox_entry (&fixture, "stopsend-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "stopsend-1@example.test"), ==, 0);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "stopsend-1@example.test"), ==, 0);
  g_assert_cmpuint (count_data_ends (smtp), ==, 0);

  /* The cut connection goes; the next one carries the whole message */
  heron_script_server_next_connection (smtp);
  script_envelope (smtp, fixture.user, "bob@example.test");
  heron_script_server_expect_literal (smtp, g_bytes_get_size (big.bytes), NULL);
  script_accept (smtp, "STOPSEND1");

  mark = fixture.events->len;
  fixture_start_script (&fixture, smtp);
  wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "stopsend-1@example.test", mark);
  g_assert_true (heron_script_server_wait (smtp, SYNC_TEST_WAIT_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (smtp), ==, 2);
  g_assert_cmpuint (count_data_ends (smtp), ==, 1);

  wait_delivered (fixture.user, "Sent", "stopsend-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  g_assert_cmpuint (count_messages (fixture.user, "Sent", "stopsend-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "stopsend-1@example.test"), ==, 1);

  big_message_clear (&big);
  sync_test_fixture_clear (&fixture);
}

/* The connection drops after the final "." and before the server's reply: the sender thread
 * passed the point of no return (SENDING recorded through the worker), so the entry becomes
 * "may have been sent" and is not sent again by itself; retry_send sends it on a new
 * connection. */
static void
test_dropped_after_end (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronScriptServer) smtp = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *failed;
  /* make_simple_message's line that starts with a dot goes out dot-stuffed: one byte more */
  gsize wire_size;

  sync_test_fixture_init (&fixture, server, tmpdir, "dropend");
  smtp = heron_script_server_new (&error);
  g_assert_no_error (error);
  message = make_simple_message (fixture.user, "bob@example.test", "dropend-1@example.test");
  wire_size = g_bytes_get_size (message) + 1;
  script_envelope (smtp, fixture.user, "bob@example.test");
  heron_script_server_expect_literal (smtp, wire_size, NULL);
  heron_script_server_expect_data (smtp, ".");
  heron_script_server_drop (smtp);
  /* the retry's connection */
  heron_script_server_next_connection (smtp);
  script_envelope (smtp, fixture.user, "bob@example.test");
  heron_script_server_expect_literal (smtp, wire_size, NULL);
  script_accept (smtp, "DROPEND1");

  fixture_start_script (&fixture, smtp);
  send_message (&fixture, message);
  failed = wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "dropend-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED);
  g_assert_nonnull (strstr (failed->error->message, "did not confirm"));
  g_assert_false (heron_smtp_error_is_transient (failed->error));
  entry = outbox_entry (&fixture, "dropend-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_UNCERTAIN);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_cmpuint (heron_script_server_get_connections (smtp), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "dropend-1@example.test"), ==, 0);

  /* The person says it did not arrive: sent again */
  heron_account_worker_retry_send (fixture.worker, "dropend-1@example.test");
  wait_message_event (&fixture, HERON_SYNC_EVENT_SENT, "dropend-1@example.test", 0);
  g_assert_true (heron_script_server_wait (smtp, SYNC_TEST_WAIT_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heron_script_server_get_connections (smtp), ==, 2);
  g_assert_cmpuint (count_data_ends (smtp), ==, 2);
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");

  sync_test_fixture_clear (&fixture);
}

/* Discarded while it uploads: the upload stops, its end is never written, the entry goes, and
 * neither SENT nor a failure is reported. */
static void
test_discard_during_upload (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronScriptServer) smtp = NULL;
  g_autoptr(GError) error = NULL;
  BigMessage big = { 0 };

  sync_test_fixture_init (&fixture, server, tmpdir, "discardsend");
  fixture.poll_ms = 50;
  smtp = heron_script_server_new (&error);
  g_assert_no_error (error);
  make_big_message (&big, fixture.user, "bob@example.test", "discardsend-1@example.test");
  script_envelope (smtp, fixture.user, "bob@example.test");
  script_stall (smtp, &big);

  fixture_start_script (&fixture, smtp);
  send_message (&fixture, big.bytes);
  sync_test_wait_for (check_stalled, &fixture, smtp, SYNC_TEST_WAIT_MS, "the upload to stall");

  heron_account_worker_discard_send (fixture.worker, "discardsend-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");
  /* the worker is free for the next request at once; the upload's end is never written */
  sync_test_sync_folder (&fixture, "INBOX");
  sync_test_fixture_stop (&fixture);
  g_assert_cmpuint (count_data_ends (smtp), ==, 0);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "discardsend-1@example.test"), ==, 0);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "discardsend-1@example.test"), ==, 0);
  g_assert_cmpuint (count_messages (fixture.user, "Sent", "discardsend-1@example.test"), ==, 0);

  big_message_clear (&big);
  sync_test_fixture_clear (&fixture);
}

static gboolean
check_data_end (SyncTestFixture *fixture,
                gconstpointer    data)
{
  return count_data_ends ((HeronScriptServer *) data) == 1;
}

/* Discarded after the final "." went out, before the server answered: too late. The discard is
 * refused with an error, and the entry stays, so that the outcome is known: after a stop it is
 * still SENDING, which the next start turns into "may have been sent". */
static void
test_discard_after_end (void)
{
  SyncTestFixture fixture;
  g_autoptr(HeronScriptServer) smtp = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  g_autoptr(HeronStoreOutboxEntry) after = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *refused;
  HeronSyncEvent *failed;
  guint mark;

  sync_test_fixture_init (&fixture, server, tmpdir, "discardend");
  smtp = heron_script_server_new (&error);
  g_assert_no_error (error);
  message = make_simple_message (fixture.user, "bob@example.test", "discardend-1@example.test");
  script_envelope (smtp, fixture.user, "bob@example.test");
  /* dot-stuffed: one byte more */
  heron_script_server_expect_literal (smtp, g_bytes_get_size (message) + 1, NULL);
  heron_script_server_expect_data (smtp, ".");
  /* no answer: the client waits until it is stopped */
  heron_script_server_expect_close (smtp);

  fixture_start_script (&fixture, smtp);
  send_message (&fixture, message);
  sync_test_wait_for (check_data_end, &fixture, smtp, SYNC_TEST_WAIT_MS, "the end of the data");

  mark = fixture.events->len;
  heron_account_worker_discard_send (fixture.worker, "discardend-1@example.test");
  refused = sync_test_wait_event (&fixture, HERON_SYNC_EVENT_ERROR, NULL, mark, SYNC_TEST_WAIT_MS);
  g_assert_error (refused->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (refused->error->message, "discardend-1@example.test"));
  entry = outbox_entry (&fixture, "discardend-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_SENDING);

  sync_test_fixture_stop (&fixture);
  g_assert_true (heron_script_server_wait (smtp, SYNC_TEST_WAIT_MS, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entry, heron_store_outbox_entry_free);
  entry = outbox_entry (&fixture, "discardend-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_SENDING);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "discardend-1@example.test"), ==, 0);

  /* The next start says it may have been sent, and does not send it again by itself */
  fixture_start_script (&fixture, smtp);
  failed = wait_message_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "discardend-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED);
  after = outbox_entry (&fixture, "discardend-1@example.test");
  g_assert_nonnull (after);
  g_assert_cmpint (after->state, ==, HERON_STORE_OUTBOX_UNCERTAIN);
  g_assert_cmpuint (heron_script_server_get_connections (smtp), ==, 1);

  /* Now that the outcome is known, the discard is taken */
  heron_account_worker_discard_send (fixture.worker, "discardend-1@example.test");
  sync_test_wait_for (check_outbox_empty, &fixture, NULL, SYNC_TEST_WAIT_MS, "an empty outbox");

  sync_test_fixture_clear (&fixture);
}

/* The child of the crash tests: starts a worker on the cache, sends, and waits for the worker
 * to end the process at HERON_OUTBOX_TEST_CRASH. */
static int
child_main (char **argv)
{
  SyncTestFixture fixture = { 0 };
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  SyncTestWait wait = { 0 };
  gboolean timed_out = FALSE;

  servers.host = argv[0];
  servers.imap_port = (guint16) atoi (argv[1]);
  servers.smtp_port = (guint16) atoi (argv[2]);
  servers.ca_file = argv[3];
  fixture.user = g_strdup (argv[4]);
  fixture.password = g_strdup (argv[5]);
  fixture.store_path = g_strdup (argv[6]);
  fixture.events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  if (!g_file_get_contents (argv[7], &contents, &length, &error))
    g_error ("%s", error->message);
  message = g_bytes_new_take (g_steal_pointer (&contents), length);

  fixture_start (&fixture);
  heron_account_worker_send_async (fixture.worker, message, NULL, sync_test_on_done, &wait);
  g_timeout_add (SYNC_TEST_WAIT_MS, sync_test_on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_printerr ("The worker did not end the process at %s\n", g_getenv ("HERON_OUTBOX_TEST_CRASH"));
  return 99;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const users[] = {
    "send", "bob", "carol", "down", "refused", "wrongpw", "other", "crash1", "crash2", "drafts",
    "stall", "stopsend", "dropend", "discardsend", "discardend", NULL
  };

  if (argc == 10 && g_str_equal (argv[1], "--child"))
    return child_main (argv + 2);

  g_test_init (&argc, &argv, NULL);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_canonicalize_filename (argv[0], NULL);

  /* every user up front (see sync_test_server_new()) */
  server = sync_test_server_new (HERON_TEST_SERVER_FLAGS_NONE, users);
  servers.host = heron_test_server_get_host (server);
  servers.imap_port = heron_test_server_get_imap_port (server);
  servers.smtp_port = heron_test_server_get_smtp_port (server);
  servers.ca_file = heron_test_server_get_ca_file (server);
  tmpdir = sync_test_tmpdir_new ("heron-test-outbox-XXXXXX");

  g_test_add_func ("/heron/sync/outbox/send", test_send);
  g_test_add_func ("/heron/sync/outbox/smtp-down", test_smtp_down);
  g_test_add_func ("/heron/sync/outbox/refused", test_refused);
  g_test_add_func ("/heron/sync/outbox/wrong-password", test_wrong_password);
  g_test_add_func ("/heron/sync/outbox/crash-before-end", test_crash_before_end);
  g_test_add_func ("/heron/sync/outbox/crash-after-accept", test_crash_after_accept);
  g_test_add_func ("/heron/sync/outbox/drafts", test_drafts);
  g_test_add_func ("/heron/sync/outbox/stalled-upload", test_stalled_upload);
  g_test_add_func ("/heron/sync/outbox/stop-during-upload", test_stop_during_upload);
  g_test_add_func ("/heron/sync/outbox/dropped-after-end", test_dropped_after_end);
  g_test_add_func ("/heron/sync/outbox/discard-during-upload", test_discard_during_upload);
  g_test_add_func ("/heron/sync/outbox/discard-after-end", test_discard_after_end);

  return sync_test_run (server, tmpdir);
}
