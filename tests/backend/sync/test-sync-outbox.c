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

#include "heron-test-server.h"
#include "account/heron-account-config.h"
#include "smtp/heron-smtp-error.h"
#include "store/heron-store.h"
#include "sync/heron-account-worker.h"

#define WAIT_MS 60000
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

typedef struct {
  HeronAccountWorker *worker;
  char               *user;
  char               *password;
  char               *store_path;
  GPtrArray          *events;
} Fixture;

static void
on_event (HeronAccountWorker *worker,
          HeronSyncEvent     *event,
          gpointer            user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->events, heron_sync_event_copy (event));
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean (*check) (Fixture *, gconstpointer),
          Fixture       *fixture,
          gconstpointer  data,
          const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, on_timeout, &timed_out);

  while (!check (fixture, data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out waiting for %s", what);
  g_source_remove (id);
}

typedef struct {
  HeronSyncEventKind kind;
  const char *message_id;
  guint after;
} EventWait;

static gint
find_event (Fixture         *fixture,
            const EventWait *wait)
{
  for (guint i = wait->after; i < fixture->events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (fixture->events, i);

      if (event->kind == wait->kind && g_strcmp0 (event->message_id, wait->message_id) == 0)
        return i;
    }
  return -1;
}

static gboolean
check_event (Fixture       *fixture,
             gconstpointer  data)
{
  return find_event (fixture, data) >= 0;
}

static HeronSyncEvent *
wait_event (Fixture            *fixture,
            HeronSyncEventKind  kind,
            const char         *message_id,
            guint               after)
{
  EventWait wait = { kind, message_id, after };

  wait_for (check_event, fixture, &wait, heron_sync_event_kind_to_string (kind));
  return g_ptr_array_index (fixture->events, find_event (fixture, &wait));
}

static guint
count_events (Fixture            *fixture,
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
  HeronAccountConfig *config = heron_account_config_new ();
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);

  heron_account_server_set_host (imap, servers.host);
  heron_account_server_set_port (imap, servers.imap_port);
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (imap, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (imap, user);
  heron_account_server_set_pinned_certificate_file (imap, servers.ca_file);

  heron_account_server_set_host (smtp, servers.host);
  heron_account_server_set_port (smtp, servers.smtp_port);
  heron_account_server_set_security (smtp, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_auth (smtp, HERON_ACCOUNT_AUTH_PASSWORD);
  heron_account_server_set_user (smtp, smtp_user != NULL ? smtp_user : user);
  heron_account_server_set_pinned_certificate_file (smtp, servers.ca_file);
  return config;
}

static void
fixture_start_full (Fixture    *fixture,
                    const char *smtp_user)
{
  g_autoptr(HeronAccountConfig) config = make_config (fixture->user, smtp_user);
  g_autoptr(GError) error = NULL;
  HeronAccountWorkerOptions options;

  heron_account_worker_options_init (&options);
  options.store_path = fixture->store_path;
  options.password = fixture->password;
  options.idle = FALSE;
  options.backoff_initial_ms = 200;
  options.backoff_max_ms = 1000;
  options.read_timeout_ms = 20000;

  fixture->worker = heron_account_worker_new (config, &options, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->worker, "event", G_CALLBACK (on_event), fixture);
  heron_account_worker_start (fixture->worker);
}

static void
fixture_start (Fixture *fixture)
{
  fixture_start_full (fixture, NULL);
}

static void
fixture_init (Fixture    *fixture,
              const char *name)
{
  memset (fixture, 0, sizeof *fixture);
  fixture->user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, name);
  fixture->password = g_strdup (heron_test_server_get_user_password (server, fixture->user));
  fixture->store_path = g_build_filename (tmpdir, name, "cache.db", NULL);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  g_assert_nonnull (fixture->password);
}

static void
fixture_stop (Fixture *fixture)
{
  if (fixture->worker == NULL)
    return;
  heron_account_worker_stop (fixture->worker);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fixture->worker);
}

static void
fixture_clear (Fixture *fixture)
{
  fixture_stop (fixture);
  g_free (fixture->user);
  g_free (fixture->password);
  g_free (fixture->store_path);
  g_ptr_array_unref (fixture->events);
}

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
check_wait (Fixture       *fixture,
            gconstpointer  data)
{
  return ((const Wait *) data)->done;
}

static gboolean
check_online (Fixture       *fixture,
              gconstpointer  data)
{
  return heron_account_worker_get_state (fixture->worker) == HERON_SYNC_STATE_ONLINE;
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
send_message (Fixture *fixture,
              GBytes  *message)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_account_worker_send_async (fixture->worker, message, NULL, on_done, &wait);
  wait_for (check_wait, fixture, &wait, "send_async");
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

  g_assert_cmpuint (heron_test_server_wait_for_message (server, user, mailbox, message_id, WAIT_MS, &error), >, 0);
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
outbox_entry (Fixture    *fixture,
              const char *message_id)
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
check_outbox_empty (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = heron_store_outbox_read (fixture->store_path, NULL);

  return entries != NULL && entries->len == 0;
}

/* Tests */

/* Sent once to To and Bcc; no delivered copy shows the Bcc; the copy in Sent keeps it. */
static void
test_send (void)
{
  Fixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *bob_header = NULL;
  g_autofree char *carol_header = NULL;
  g_autofree char *sent_header = NULL;
  HeronSyncEvent *sent;

  fixture_init (&fixture, "send");
  fixture_start (&fixture);
  wait_for (check_online, &fixture, NULL, "online");

  message = make_message (fixture.user, "Bob <bob@example.test>", "carol@example.test", "send-1@example.test", "Hello Bob");
  /* The hidden address outside example.test is refused by Postfix (relay access denied): the
   * message goes to the others, and the SENT event names the refusal. */
  send_message (&fixture, message);
  sent = wait_event (&fixture, HERON_SYNC_EVENT_SENT, "send-1@example.test", 0);
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
  wait_for (check_outbox_empty, &fixture, NULL, "an empty outbox");
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "send-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "send-1@example.test"), ==, 0);

  fixture_clear (&fixture);
}

/* Sent while the SMTP server is down: kept, retried, delivered exactly once when it is back. */
static void
test_smtp_down (void)
{
  Fixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  HeronSyncEvent *failed;

  fixture_init (&fixture, "down");
  fixture_start (&fixture);
  wait_for (check_online, &fixture, NULL, "online");

  g_assert_true (heron_test_server_stop_smtp (server, &error));
  g_assert_no_error (error);
  message = make_simple_message (fixture.user, "bob@example.test", "down-1@example.test");
  send_message (&fixture, message);
  failed = wait_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "down-1@example.test", 0);
  g_assert_true (heron_smtp_error_is_transient (failed->error));
  entry = outbox_entry (&fixture, "down-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (entry->attempts, >=, 1);
  g_assert_nonnull (entry->error);
  /* a second failed attempt: the back-off retries by itself */
  wait_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "down-1@example.test",
              find_event (&fixture, &(EventWait) { HERON_SYNC_EVENT_SEND_FAILED, "down-1@example.test", 0 }) + 1);

  g_assert_true (heron_test_server_start_smtp (server, &error));
  g_assert_no_error (error);
  wait_event (&fixture, HERON_SYNC_EVENT_SENT, "down-1@example.test", 0);
  wait_delivered ("bob@example.test", "INBOX", "down-1@example.test");
  wait_for (check_outbox_empty, &fixture, NULL, "an empty outbox");
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "down-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "down-1@example.test"), ==, 1);

  fixture_clear (&fixture);
}

/* Every recipient refused: SEND_FAILED naming it, kept as FAILED, not retried. */
static void
test_refused (void)
{
  Fixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  HeronSyncEvent *failed;

  fixture_init (&fixture, "refused");
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
        Wait wait = { 0 };

        heron_account_worker_send_async (fixture.worker, invalid, NULL, on_done, &wait);
        wait_for (check_wait, &fixture, &wait, "send_async");
        g_assert_false (heron_account_worker_send_finish (fixture.worker, wait.result, &error));
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        g_test_message ("%s", error->message);
        g_object_unref (wait.result);
      }
    g_assert_true (check_outbox_empty (&fixture, NULL));
  }

  message = make_simple_message (fixture.user, "Nobody <nobody@elsewhere.invalid>", "refused-1@example.test");
  send_message (&fixture, message);
  failed = wait_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "refused-1@example.test", 0);
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
  wait_for (check_outbox_empty, &fixture, NULL, "an empty outbox");
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "refused-1@example.test"), ==, 1);

  fixture_clear (&fixture);
}

/* A wrong SMTP password: SEND_FAILED with the server's refusal, the message kept; the IMAP side
 * is not affected. */
static void
test_wrong_password (void)
{
  Fixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;
  HeronSyncEvent *failed;

  fixture_init (&fixture, "wrongpw");
  /* SMTP as another user, with this user's password */
  fixture_start_full (&fixture, "other@" HERON_TEST_SERVER_DOMAIN);
  wait_for (check_online, &fixture, NULL, "online");

  message = make_simple_message (fixture.user, "bob@example.test", "wrongpw-1@example.test");
  send_message (&fixture, message);
  failed = wait_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "wrongpw-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH);
  g_assert_nonnull (strstr (failed->error->message, "535"));
  entry = outbox_entry (&fixture, "wrongpw-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_FAILED);
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "wrongpw-1@example.test"), ==, 0);
  g_assert_cmpint (heron_account_worker_get_state (fixture.worker), ==, HERON_SYNC_STATE_ONLINE);

  fixture_clear (&fixture);
}

/* The crash tests */

static void
run_child (Fixture    *fixture,
           const char *point,
           GBytes     *message)
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
  Fixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = NULL;

  fixture_init (&fixture, "crash1");
  message = make_simple_message (fixture.user, "bob@example.test", "crash1-1@example.test");
  run_child (&fixture, "before-end", message);

  entry = outbox_entry (&fixture, "crash1-1@example.test");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, HERON_STORE_OUTBOX_QUEUED);
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "crash1-1@example.test"), ==, 0);

  fixture_start (&fixture);
  wait_event (&fixture, HERON_SYNC_EVENT_SENT, "crash1-1@example.test", 0);
  wait_delivered ("bob@example.test", "INBOX", "crash1-1@example.test");
  wait_for (check_outbox_empty, &fixture, NULL, "an empty outbox");
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "crash1-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "crash1-1@example.test"), ==, 0);

  fixture_clear (&fixture);
}

/* Killed after the server accepted it and before the store heard of it: not sent again, marked
 * "may have been sent"; only an explicit retry sends it again. */
static void
test_crash_after_accept (void)
{
  Fixture fixture;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(HeronStoreOutboxEntry) before = NULL;
  g_autoptr(HeronStoreOutboxEntry) after = NULL;
  HeronSyncEvent *failed;

  fixture_init (&fixture, "crash2");
  message = make_simple_message (fixture.user, "bob@example.test", "crash2-1@example.test");
  run_child (&fixture, "after-accept", message);

  before = outbox_entry (&fixture, "crash2-1@example.test");
  g_assert_nonnull (before);
  g_assert_cmpint (before->state, ==, HERON_STORE_OUTBOX_SENDING);
  wait_delivered ("bob@example.test", "INBOX", "crash2-1@example.test");

  fixture_start (&fixture);
  failed = wait_event (&fixture, HERON_SYNC_EVENT_SEND_FAILED, "crash2-1@example.test", 0);
  g_assert_error (failed->error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED);
  g_assert_nonnull (strstr (failed->error->message, "may have been sent"));
  wait_for (check_online, &fixture, NULL, "online");

  after = outbox_entry (&fixture, "crash2-1@example.test");
  g_assert_nonnull (after);
  g_assert_cmpint (after->state, ==, HERON_STORE_OUTBOX_UNCERTAIN);
  g_assert_cmpuint (after->attempts, ==, before->attempts);
  g_assert_cmpuint (count_messages ("bob@example.test", "INBOX", "crash2-1@example.test"), ==, 1);
  g_assert_cmpuint (count_events (&fixture, HERON_SYNC_EVENT_SENT, "crash2-1@example.test"), ==, 0);

  /* The person says it did not arrive: sent again */
  heron_account_worker_retry_send (fixture.worker, "crash2-1@example.test");
  wait_event (&fixture, HERON_SYNC_EVENT_SENT, "crash2-1@example.test", 0);
  wait_for (check_outbox_empty, &fixture, NULL, "an empty outbox");

  fixture_clear (&fixture);
}

/* Drafts */

static gint64
save_draft (Fixture *fixture,
            GBytes  *message,
            gint64   replaces_uid)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  gint64 uid;

  heron_account_worker_save_draft_async (fixture->worker, message, replaces_uid, NULL, on_done, &wait);
  wait_for (check_wait, fixture, &wait, "save_draft");
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
check_one_draft (Fixture       *fixture,
                 gconstpointer  data)
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
  Fixture fixture;
  g_autoptr(GBytes) one = NULL;
  g_autoptr(GBytes) two = NULL;
  g_autoptr(GBytes) three = NULL;
  g_autoptr(GError) error = NULL;
  gint64 uid1, uid2, uid3;
  DraftCheck check;

  fixture_init (&fixture, "drafts");
  fixture_start (&fixture);
  wait_for (check_online, &fixture, NULL, "online");
  /* the folder list (with Drafts) is known once INBOX synced */
  wait_event (&fixture, HERON_SYNC_EVENT_FOLDERS_CHANGED, NULL, 0);

  one = make_message (fixture.user, "bob@example.test", "carol@example.test", "draft-1@example.test", "Draft 1");
  two = make_message (fixture.user, "bob@example.test", "carol@example.test", "draft-2@example.test", "Draft 2");
  three = make_message (fixture.user, "bob@example.test", "carol@example.test", "draft-3@example.test", "Draft 3");

  /* saved twice in a row: the second replaces the first before the server saw either */
  uid1 = save_draft (&fixture, one, 0);
  uid2 = save_draft (&fixture, two, uid1);
  g_assert_cmpint (uid2, !=, uid1);
  check = (DraftCheck) { fixture.user, "draft-2@example.test" };
  wait_for (check_one_draft, &fixture, &check, "one draft (2)");
  g_assert_cmpuint (count_messages (fixture.user, "Drafts", "draft-1@example.test"), ==, 0);

  /* again after the server numbered it (the caller still holds the local UID) */
  uid3 = save_draft (&fixture, three, uid2);
  check = (DraftCheck) { fixture.user, "draft-3@example.test" };
  wait_for (check_one_draft, &fixture, &check, "one draft (3)");
  g_assert_cmpuint (count_messages (fixture.user, "Drafts", "draft-2@example.test"), ==, 0);
  (void) uid3;

  fixture_clear (&fixture);
}

/* The child of the crash tests: starts a worker on the cache, sends, and waits for the worker
 * to end the process at HERON_OUTBOX_TEST_CRASH. */
static int
child_main (char **argv)
{
  Fixture fixture = { 0 };
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  Wait wait = { 0 };
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
  heron_account_worker_send_async (fixture.worker, message, NULL, on_done, &wait);
  g_timeout_add (WAIT_MS, on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_printerr ("The worker did not end the process at %s\n", g_getenv ("HERON_OUTBOX_TEST_CRASH"));
  return 99;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  if (argc == 10 && g_str_equal (argv[1], "--child"))
    return child_main (argv + 2);

  g_test_init (&argc, &argv, NULL);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_canonicalize_filename (argv[0], NULL);

  server = heron_test_server_new (&error);
  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);
  servers.host = heron_test_server_get_host (server);
  servers.imap_port = heron_test_server_get_imap_port (server);
  servers.smtp_port = heron_test_server_get_smtp_port (server);
  servers.ca_file = heron_test_server_get_ca_file (server);
  tmpdir = g_dir_make_tmp ("heron-test-outbox-XXXXXX", &error);
  g_assert_no_error (error);

  /* Every user up front (Dovecot notices a changed passwd-file by its mtime, to the second). */
  {
    static const char * const users[] = {
      "send", "bob", "carol", "down", "refused", "wrongpw", "other", "crash1", "crash2", "drafts", NULL
    };
    for (guint i = 0; users[i] != NULL; i++)
      {
        g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);
        g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
        g_assert_no_error (error);
      }
  }

  g_test_add_func ("/heron/sync/outbox/send", test_send);
  g_test_add_func ("/heron/sync/outbox/smtp-down", test_smtp_down);
  g_test_add_func ("/heron/sync/outbox/refused", test_refused);
  g_test_add_func ("/heron/sync/outbox/wrong-password", test_wrong_password);
  g_test_add_func ("/heron/sync/outbox/crash-before-end", test_crash_before_end);
  g_test_add_func ("/heron/sync/outbox/crash-after-accept", test_crash_after_accept);
  g_test_add_func ("/heron/sync/outbox/drafts", test_drafts);

  result = g_test_run ();

  heron_test_server_free (server);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  return result;
}
