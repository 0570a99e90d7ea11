/* test-imap-notify.c: NOTIFY (RFC 5465): the command builder, and the session against the real
 * Dovecot of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The builder's lines follow the examples of RFC 5465 section 8 byte for byte where the builder
 * writes the same form. The session part: NOTIFY SET STATUS on a connection with INBOX examined
 * and in IDLE, then a delivery, a flag change and an expunge in another mailbox made with
 * doveadm come as STATUS ::mailbox-events; a NOTIFY the server does not know fails cleanly.
 */

#include "config.h"

#include <string.h>

#include "heron-test-server.h"
#include "imap/heron-imap-command.h"
#include "imap/heron-imap-error.h"
#include "imap/heron-imap-session.h"

#define MESSAGE_EVENTS (HERON_IMAP_NOTIFY_MESSAGE_NEW | HERON_IMAP_NOTIFY_MESSAGE_EXPUNGE)

/* The builder */

static void
assert_line (HeronImapCommand *command,
             const char       *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *line = NULL;
  gsize size;
  const char *data;

  g_assert_nonnull (command);
  heron_imap_command_set_tag (command, "a");
  bytes = heron_imap_command_serialize_all (command, HERON_IMAP_LITERAL_PLUS, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  line = g_strndup (data, size);
  g_assert_cmpstr (line, ==, expected);
  heron_imap_command_unref (command);
}

static void
test_builder_none (void)
{
  g_autoptr(GError) error = NULL;

  assert_line (heron_imap_command_new_notify (0, FALSE, NULL, 0, &error), "a NOTIFY NONE\r\n");
  g_assert_no_error (error);
}

/* RFC 5465 section 8: "C: a notify set (selected MessageNew (uid body.peek[header.fields (from to
 * subject)]) MessageExpunge) (subtree Lists MessageNew)" is the spirit; the builder writes
 * canonical case and a mailbox list in parentheses. */
static void
test_builder_selected_and_mailboxes (void)
{
  static const char * const fetch_items[] = { "UID", "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT)]", NULL };
  static const char * const lists[] = { "Lists", NULL };
  static const char * const boxes[] = { "Work", "Lists/GNOME", NULL };
  g_autoptr(GError) error = NULL;
  const HeronImapNotifyGroup groups[] = {
    { HERON_IMAP_NOTIFY_SELECTED, NULL, MESSAGE_EVENTS | HERON_IMAP_NOTIFY_FLAG_CHANGE, fetch_items },
    { HERON_IMAP_NOTIFY_SUBTREE, lists, MESSAGE_EVENTS, NULL },
    { HERON_IMAP_NOTIFY_MAILBOXES, boxes, MESSAGE_EVENTS | HERON_IMAP_NOTIFY_FLAG_CHANGE, NULL },
    { HERON_IMAP_NOTIFY_PERSONAL, NULL, HERON_IMAP_NOTIFY_MAILBOX_NAME | HERON_IMAP_NOTIFY_SUBSCRIPTION_CHANGE, NULL },
  };

  assert_line (heron_imap_command_new_notify (0, TRUE, groups, G_N_ELEMENTS (groups), &error),
               "a NOTIFY SET STATUS"
               " (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT)]) MessageExpunge FlagChange))"
               " (SUBTREE (Lists) (MessageNew MessageExpunge))"
               " (MAILBOXES (Work Lists/GNOME) (MessageNew MessageExpunge FlagChange))"
               " (PERSONAL (MailboxName SubscriptionChange))\r\n");
  g_assert_no_error (error);
}

static void
test_builder_filter_none (void)
{
  g_autoptr(GError) error = NULL;
  const HeronImapNotifyGroup groups[] = {
    { HERON_IMAP_NOTIFY_SELECTED_DELAYED, NULL, MESSAGE_EVENTS, NULL },
    { HERON_IMAP_NOTIFY_INBOXES, NULL, HERON_IMAP_NOTIFY_NONE, NULL },
    { HERON_IMAP_NOTIFY_SUBSCRIBED, NULL, MESSAGE_EVENTS | HERON_IMAP_NOTIFY_ANNOTATION_CHANGE, NULL },
  };

  assert_line (heron_imap_command_new_notify (0, FALSE, groups, G_N_ELEMENTS (groups), &error),
               "a NOTIFY SET (SELECTED-DELAYED (MessageNew MessageExpunge)) (INBOXES NONE)"
               " (SUBSCRIBED (MessageNew MessageExpunge AnnotationChange))\r\n");
  g_assert_no_error (error);
}

/* Mailbox names are written as every command writes them: quoted when they need it, modified
 * UTF-7 without UTF8=ACCEPT, UTF-8 with it. */
static void
test_builder_mailbox_names (void)
{
  static const char * const boxes[] = { "My Folder", "Entwürfe", NULL };
  g_autoptr(GError) error = NULL;
  const HeronImapNotifyGroup groups[] = {
    { HERON_IMAP_NOTIFY_MAILBOXES, boxes, MESSAGE_EVENTS, NULL },
  };

  assert_line (heron_imap_command_new_notify (0, FALSE, groups, 1, &error),
               "a NOTIFY SET (MAILBOXES (\"My Folder\" Entw&APw-rfe) (MessageNew MessageExpunge))\r\n");
  g_assert_no_error (error);
  assert_line (heron_imap_command_new_notify (HERON_IMAP_COMMAND_UTF8_ACCEPT, FALSE, groups, 1, &error),
               "a NOTIFY SET (MAILBOXES (\"My Folder\" \"Entwürfe\") (MessageNew MessageExpunge))\r\n");
  g_assert_no_error (error);
}

/* Section 5's rules, each refused with HERON_IMAP_ERROR_INVALID and no command. */
static void
test_builder_refuses (void)
{
  static const char * const fetch_items[] = { "UID", NULL };
  static const char * const boxes[] = { "Work", NULL };
  static const char * const none[] = { NULL };
  const struct {
    const char *what;
    HeronImapNotifyGroup groups[2];
    guint n_groups;
  } cases[] = {
    { "MessageNew alone", { { HERON_IMAP_NOTIFY_SELECTED, NULL, HERON_IMAP_NOTIFY_MESSAGE_NEW, NULL } }, 1 },
    { "MessageExpunge alone", { { HERON_IMAP_NOTIFY_SELECTED, NULL, HERON_IMAP_NOTIFY_MESSAGE_EXPUNGE, NULL } }, 1 },
    { "FlagChange alone", { { HERON_IMAP_NOTIFY_SELECTED, NULL, HERON_IMAP_NOTIFY_FLAG_CHANGE, NULL } }, 1 },
    { "FETCH items outside SELECTED", { { HERON_IMAP_NOTIFY_MAILBOXES, boxes, MESSAGE_EVENTS, fetch_items } }, 1 },
    { "MAILBOXES without a mailbox", { { HERON_IMAP_NOTIFY_MAILBOXES, NULL, MESSAGE_EVENTS, NULL } }, 1 },
    { "SUBTREE with an empty list", { { HERON_IMAP_NOTIFY_SUBTREE, none, MESSAGE_EVENTS, NULL } }, 1 },
    { "a filter twice", { { HERON_IMAP_NOTIFY_INBOXES, NULL, MESSAGE_EVENTS, NULL },
                          { HERON_IMAP_NOTIFY_INBOXES, NULL, HERON_IMAP_NOTIFY_NONE, NULL } }, 2 },
    { "SELECTED with SELECTED-DELAYED", { { HERON_IMAP_NOTIFY_SELECTED, NULL, MESSAGE_EVENTS, NULL },
                                          { HERON_IMAP_NOTIFY_SELECTED_DELAYED, NULL, MESSAGE_EVENTS, NULL } }, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      HeronImapCommand *command = heron_imap_command_new_notify (0, TRUE, cases[i].groups, cases[i].n_groups, &error);

      g_test_message ("%s", cases[i].what);
      g_assert_null (command);
      g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID);
    }
}

/* The session, against Dovecot */

static HeronTestServer *server;

typedef struct {
  gboolean      done;
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
await (Wait *wait)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (30, on_timeout, &timed_out);

  while (!wait->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out waiting for the server");
  g_source_remove (id);
}

typedef struct {
  GPtrArray *statuses;   /* HeronImapResponse of kind MAILBOX_STATUS */
} Events;

static void
on_mailbox_event (HeronImapSession  *session,
                  HeronImapResponse *response,
                  gpointer           user_data)
{
  Events *events = user_data;

  if (response->kind == HERON_IMAP_RESPONSE_MAILBOX_STATUS)
    g_ptr_array_add (events->statuses, heron_imap_response_ref (response));
}

static HeronImapSession *
connect_session (const char *user)
{
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_imap_session_settings_init (&settings);
  settings.connection.host = g_strdup (heron_test_server_get_host (server));
  settings.connection.port = heron_test_server_get_imap_port (server);
  settings.connection.security = HERON_IMAP_SECURITY_STARTTLS;
  settings.connection.tls_database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  settings.connection.read_timeout_ms = 20000;
  settings.user = g_strdup (user);
  settings.password = g_strdup (heron_test_server_get_user_password (server, user));
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_imap_session_connect_async (session, NULL, on_done, &wait);
  await (&wait);
  heron_imap_session_connect_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return g_steal_pointer (&session);
}

/* Iterates until a STATUS of @mailbox after position @after has @items, or fails after 10 s. */
static const HeronImapMailboxStatus *
wait_status (Events     *events,
             const char *mailbox,
             guint       after,
             guint       items)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, on_timeout, &timed_out);

  while (!timed_out)
    {
      for (guint i = after; i < events->statuses->len; i++)
        {
          HeronImapResponse *response = g_ptr_array_index (events->statuses, i);
          const HeronImapMailboxStatus *status = &response->mailbox_status;

          if (g_strcmp0 (status->mailbox.name, mailbox) == 0 && (status->items & items) == items)
            {
              g_source_remove (id);
              return status;
            }
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_error ("No STATUS of %s came", mailbox);
  return NULL;
}

static void
test_session_notify (void)
{
  const char *user = "notify@" HERON_TEST_SERVER_DOMAIN;
  static const char * const work[] = { "Work", NULL };
  const HeronImapNotifyGroup groups[] = {
    { HERON_IMAP_NOTIFY_SELECTED, NULL, MESSAGE_EVENTS | HERON_IMAP_NOTIFY_FLAG_CHANGE, NULL },
    { HERON_IMAP_NOTIFY_MAILBOXES, work, MESSAGE_EVENTS | HERON_IMAP_NOTIFY_FLAG_CHANGE, NULL },
  };
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(HeronImapSelectResult) select = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: hi\r\n\r\nHello.\r\n", 24);
  const HeronImapMailboxStatus *status;
  Events events = { g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref) };
  Wait wait = { 0 };
  guint32 uid, uidnext;
  guint64 modseq;
  guint mark;

  g_assert_true (heron_test_server_create_mailbox (server, user, "Work", &error));
  g_assert_no_error (error);
  session = connect_session (user);
  g_assert_true (heron_imap_session_has_capability (session, "NOTIFY"));
  g_signal_connect (session, "mailbox-event", G_CALLBACK (on_mailbox_event), &events);

  heron_imap_session_select_async (session, "INBOX", TRUE, NULL, NULL, NULL, NULL, on_done, &wait);
  await (&wait);
  select = heron_imap_session_select_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  /* STATUS: the state of Work comes at once */
  wait = (Wait) { 0 };
  heron_imap_session_notify_async (session, TRUE, groups, G_N_ELEMENTS (groups), NULL, on_done, &wait);
  await (&wait);
  heron_imap_session_notify_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  status = wait_status (&events, "Work", 0, HERON_IMAP_STATUS_MESSAGES | HERON_IMAP_STATUS_UIDNEXT);
  g_assert_cmpuint (status->messages, ==, 0);
  uidnext = status->uidnext;

  wait = (Wait) { 0 };
  heron_imap_session_idle_start_async (session, NULL, on_done, &wait);
  await (&wait);
  heron_imap_session_idle_start_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  /* a delivery into Work: MESSAGES and UIDNEXT grow, during IDLE */
  mark = events.statuses->len;
  uid = heron_test_server_deliver (server, user, "Work", message, NULL, &error);
  g_assert_no_error (error);
  status = wait_status (&events, "Work", mark, HERON_IMAP_STATUS_MESSAGES | HERON_IMAP_STATUS_UIDNEXT);
  g_assert_cmpuint (status->messages, ==, 1);
  g_assert_cmpuint (status->uidnext, ==, uid + 1);
  g_assert_cmpuint (status->uidnext, >, uidnext);
  modseq = status->highestmodseq;

  /* a flag change: HIGHESTMODSEQ moves (CONDSTORE is enabled by the session) */
  mark = events.statuses->len;
  g_assert_true (heron_test_server_add_flags (server, user, "Work", uid, "\\Flagged", &error));
  g_assert_no_error (error);
  status = wait_status (&events, "Work", mark, HERON_IMAP_STATUS_HIGHESTMODSEQ);
  g_assert_cmpuint (status->highestmodseq, >, modseq);

  /* an expunge: MESSAGES back to 0 */
  mark = events.statuses->len;
  g_assert_true (heron_test_server_expunge (server, user, "Work", uid, &error));
  g_assert_no_error (error);
  status = wait_status (&events, "Work", mark, HERON_IMAP_STATUS_MESSAGES);
  g_assert_cmpuint (status->messages, ==, 0);

  wait = (Wait) { 0 };
  heron_imap_session_idle_stop_async (session, NULL, on_done, &wait);
  await (&wait);
  heron_imap_session_idle_stop_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  /* NOTIFY NONE: nothing more comes */
  wait = (Wait) { 0 };
  heron_imap_session_notify_async (session, FALSE, NULL, 0, NULL, on_done, &wait);
  await (&wait);
  heron_imap_session_notify_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  g_ptr_array_unref (events.statuses);
  heron_imap_session_close (session);
}

/* An event the server does not support is refused with [BADEVENT] (Dovecot answers NO): the
 * session reports it with the code, and stays usable. */
static void
test_session_badevent (void)
{
  const char *user = "badevent@" HERON_TEST_SERVER_DOMAIN;
  const HeronImapNotifyGroup groups[] = {
    { HERON_IMAP_NOTIFY_PERSONAL, NULL, HERON_IMAP_NOTIFY_SERVER_METADATA_CHANGE, NULL },
  };
  g_autoptr(HeronImapSession) session = connect_session (user);
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  heron_imap_session_notify_async (session, FALSE, groups, 1, NULL, on_done, &wait);
  await (&wait);
  g_assert_false (heron_imap_session_notify_finish (session, wait.result, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == HERON_IMAP_ERROR);
  g_assert_true (error->code == HERON_IMAP_ERROR_BAD_RESPONSE || error->code == HERON_IMAP_ERROR_NO_RESPONSE);
  {
    g_autofree char *code = heron_imap_error_dup_response_code (error);
    g_assert_nonnull (code);
    g_assert_true (g_str_has_prefix (code, "BADEVENT"));
  }
  g_clear_object (&wait.result);
  g_clear_error (&error);

  /* still usable */
  wait = (Wait) { 0 };
  heron_imap_session_noop_async (session, NULL, on_done, &wait);
  await (&wait);
  heron_imap_session_noop_finish (session, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  heron_imap_session_close (session);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/imap/notify/builder/none", test_builder_none);
  g_test_add_func ("/heron/imap/notify/builder/selected-and-mailboxes", test_builder_selected_and_mailboxes);
  g_test_add_func ("/heron/imap/notify/builder/filter-none", test_builder_filter_none);
  g_test_add_func ("/heron/imap/notify/builder/mailbox-names", test_builder_mailbox_names);
  g_test_add_func ("/heron/imap/notify/builder/refuses", test_builder_refuses);
  g_test_add_func ("/heron/imap/notify/session/status-events", test_session_notify);
  g_test_add_func ("/heron/imap/notify/session/badevent", test_session_badevent);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    g_error ("The test server did not start: %s", error->message);
  {
    static const char * const users[] = { "notify", "badevent", NULL };
    for (guint i = 0; users[i] != NULL; i++)
      {
        g_autofree char *user = g_strdup_printf ("%s@" HERON_TEST_SERVER_DOMAIN, users[i]);
        g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
        g_assert_no_error (error);
      }
  }

  result = g_test_run ();
  heron_test_server_free (server);
  return result;
}
