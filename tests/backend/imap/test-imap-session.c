/* test-imap-session.c: HeronImapSession against the real Dovecot of tests/servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main command set runs in each of four modes: STARTTLS and implicit TLS, with and without
 * COMPRESS. The rest (login mechanisms, QRESYNC after changes made behind the session's back with
 * doveadm, IDLE, conditional STORE, 50 pipelined STATUS, a server that goes away) runs once.
 * XOAUTH2 and OAUTHBEARER are not tested here: the test Dovecot has no OAuth; they are tested
 * against the scripted server in test-imap-session-faults.c with a fake token provider.
 *
 * One Dovecot serves every test; each test uses mailboxes of its own.
 */

#include "config.h"

#include <string.h>

#include "heron-test-server.h"
#include "imap/heron-imap-session.h"

#define WAIT_MS 20000

static HeronTestServer *server;

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

/* Runs expr, which passes `w` as the user data of on_done, and waits for it. */
#define AWAIT(expr) ({ Wait _wait = { 0 }; Wait *w = &_wait; expr; run_until (&_wait.done); _wait.result; })

typedef struct {
  const char *name;
  HeronImapSecurity security;
  gboolean compress;
} Mode;

static const Mode modes[] = {
  { "starttls", HERON_IMAP_SECURITY_STARTTLS, FALSE },
  { "starttls-compress", HERON_IMAP_SECURITY_STARTTLS, TRUE },
  { "tls", HERON_IMAP_SECURITY_TLS, FALSE },
  { "tls-compress", HERON_IMAP_SECURITY_TLS, TRUE },
};

static void
init_settings (HeronImapSessionSettings *settings,
               const Mode               *mode)
{
  g_autoptr(GError) error = NULL;

  heron_imap_session_settings_init (settings);
  settings->connection.host = g_strdup (heron_test_server_get_host (server));
  settings->connection.security = mode->security;
  settings->connection.port = mode->security == HERON_IMAP_SECURITY_TLS ?
                              heron_test_server_get_imaps_port (server) :
                              heron_test_server_get_imap_port (server);
  settings->connection.compress = mode->compress;
  settings->connection.tls_database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  settings->connection.read_timeout_ms = 10000;
  settings->connection.keepalive_ms = G_MAXUINT;
  settings->user = g_strdup (heron_test_server_get_user (server));
  settings->password = g_strdup (heron_test_server_get_password (server));
}

static HeronImapSession *
open_session_with (HeronImapSessionSettings *settings)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapSession *session = heron_imap_session_new (settings);

  result = AWAIT (heron_imap_session_connect_async (session, NULL, on_done, w));
  if (!heron_imap_session_connect_finish (session, result, &error))
    g_error ("Could not connect: %s", error->message);
  return session;
}

static HeronImapSession *
open_session (const Mode *mode)
{
  HeronImapSessionSettings settings;
  HeronImapSession *session;

  init_settings (&settings, mode);
  session = open_session_with (&settings);
  heron_imap_session_settings_clear (&settings);
  return session;
}

static void
logout (HeronImapSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = AWAIT (heron_imap_session_logout_async (session, NULL, on_done, w));
  g_assert_true (heron_imap_session_logout_finish (session, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_CLOSED);
}

static void
mailbox_op (HeronImapSession          *session,
            HeronImapMailboxOperation  operation,
            const char                *mailbox,
            const char                *new_name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = AWAIT (heron_imap_session_mailbox_async (session, operation, mailbox, new_name, NULL, on_done, w));
  if (!heron_imap_session_mailbox_finish (session, result, &error))
    g_error ("mailbox operation %d on %s: %s", operation, mailbox, error->message);
}

static HeronImapSelectResult *
select_mailbox (HeronImapSession            *session,
                const char                  *mailbox,
                gboolean                     read_only,
                const HeronImapSelectParams *params)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapSelectResult *select;

  result = AWAIT (heron_imap_session_select_async (session, mailbox, read_only, params, NULL, NULL,
                                                   NULL, on_done, w));
  select = heron_imap_session_select_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (select);
  return select;
}

static guint32
append (HeronImapSession   *session,
        const char         *mailbox,
        const char         *message,
        const char * const *flags,
        guint32            *out_uidvalidity)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (message, strlen (message));
  guint32 uidvalidity = 0, uid = 0;

  result = AWAIT (heron_imap_session_append_async (session, mailbox, flags, NULL, bytes, NULL, 0,
                                                   NULL, on_done, w));
  g_assert_true (heron_imap_session_append_finish (session, result, &uidvalidity, &uid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  if (out_uidvalidity != NULL)
    *out_uidvalidity = uidvalidity;
  return uid;
}

static char *
make_message (const char *subject,
              const char *body)
{
  return g_strdup_printf ("From: Bob <bob@example.test>\r\n"
                          "To: Alice <alice@example.test>\r\n"
                          "Subject: %s\r\n"
                          "Date: Thu, 14 Nov 2024 09:30:00 +0000\r\n"
                          "Message-ID: <%s@heron.test>\r\n"
                          "\r\n"
                          "%s\r\n", subject, subject, body);
}

static HeronImapUidSet *
uid_set (guint32 first,
         guint32 last)
{
  HeronImapUidSet *set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  heron_imap_uid_set_add_range (set, first, last);
  return set;
}

static HeronImapUidSet *
uid_one (guint32 uid)
{
  return uid_set (uid, uid);
}

static void
collect_fetch (HeronImapResponse *response,
               gpointer           user_data)
{
  g_ptr_array_add (user_data, heron_imap_response_ref (response));
}

static GPtrArray *
fetch (HeronImapSession      *session,
       const HeronImapUidSet *uids,
       const char * const    *items,
       guint64                changed_since,
       gboolean               vanished,
       HeronImapUidSet      **out_vanished)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);

  result = AWAIT (heron_imap_session_uid_fetch_async (session, uids, items, changed_since, vanished,
                                                      collect_fetch, fetches, NULL, NULL,
                                                      NULL, on_done, w));
  g_assert_true (heron_imap_session_uid_fetch_finish (session, result, out_vanished, &error));
  g_assert_no_error (error);
  return fetches;
}

static HeronImapUidSet *
store (HeronImapSession      *session,
       const HeronImapUidSet *uids,
       HeronImapStoreAction   action,
       const char            *flag,
       guint64                unchanged_since)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *flags[] = { flag, NULL };
  HeronImapUidSet *modified = NULL;

  result = AWAIT (heron_imap_session_uid_store_async (session, uids, action, flags, TRUE,
                                                      unchanged_since, NULL, NULL, NULL, on_done, w));
  g_assert_true (heron_imap_session_uid_store_finish (session, result, &modified, &error));
  g_assert_no_error (error);
  return modified;
}

static HeronImapUidSet *
search (HeronImapSession *session,
        const char       *raw)
{
  g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapUidSet *found;

  heron_imap_command_add_raw (criteria, raw);
  result = AWAIT (heron_imap_session_uid_search_async (session, criteria, NULL, on_done, w));
  found = heron_imap_session_uid_search_finish (session, result, NULL, &error);
  g_assert_no_error (error);
  return found;
}

static void
expunge (HeronImapSession      *session,
         const HeronImapUidSet *uids)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = AWAIT (heron_imap_session_expunge_async (session, uids, NULL, on_done, w));
  g_assert_true (heron_imap_session_expunge_finish (session, result, &error));
  g_assert_no_error (error);
}

static void
noop (HeronImapSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = AWAIT (heron_imap_session_noop_async (session, NULL, on_done, w));
  g_assert_true (heron_imap_session_noop_finish (session, result, &error));
  g_assert_no_error (error);
}

static void
record_event (HeronImapSession  *session,
              HeronImapResponse *response,
              gpointer           user_data)
{
  g_ptr_array_add (user_data, heron_imap_response_ref (response));
}

static gboolean
has_event (GPtrArray            *events,
           HeronImapResponseKind kind)
{
  for (guint i = 0; i < events->len; i++)
    if (((HeronImapResponse *) events->pdata[i])->kind == kind)
      return TRUE;
  return FALSE;
}

static gboolean
ranges_contain (const HeronImapRanges *ranges,
                                     guint32                uid)
{
  for (guint i = 0; i < ranges->n_ranges; i++)
    if (uid >= ranges->ranges[i].first && uid <= ranges->ranges[i].last)
      return TRUE;
  return FALSE;
}

static const HeronImapResponse *
find_list (GPtrArray  *responses,
           const char *name)
{
  for (guint i = 0; i < responses->len; i++)
    {
      const HeronImapResponse *response = responses->pdata[i];

      if (response->kind == HERON_IMAP_RESPONSE_LIST &&
          g_strcmp0 (response->list.mailbox.name, name) == 0)
        return response;
    }
  return NULL;
}

static const HeronImapResponse *
find_status (GPtrArray  *responses,
             const char *name)
{
  for (guint i = 0; i < responses->len; i++)
    {
      const HeronImapResponse *response = responses->pdata[i];

      if (response->kind == HERON_IMAP_RESPONSE_MAILBOX_STATUS &&
          g_strcmp0 (response->mailbox_status.mailbox.name, name) == 0)
        return response;
    }
  return NULL;
}

static GPtrArray *
list (HeronImapSession   *session,
      gboolean            subscribed_only,
      const char * const *status_items)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *responses;

  result = AWAIT (heron_imap_session_list_async (session, "", "*", subscribed_only, status_items,
                                                 NULL, on_done, w));
  responses = heron_imap_session_list_finish (session, result, &error);
  g_assert_no_error (error);
  return responses;
}

/* The body consumer of the tests: collects into a GByteArray. */
typedef struct {
  GByteArray *data;
  guint begins;
  guint ends;
  guint32 uid;
} Collector;

static gboolean
collector_begin (const HeronImapBodyInfo *info,
                 gpointer                 user_data,
                 GError                 **error)
{
  Collector *collector = user_data;

  collector->begins++;
  collector->uid = info->uid;
  return TRUE;
}

static gboolean
collector_chunk (const guint8 *data,
                 gsize         len,
                 gpointer      user_data,
                 GError      **error)
{
  Collector *collector = user_data;

  g_byte_array_append (collector->data, data, (guint) len);
  return TRUE;
}

static gboolean
collector_end (gpointer   user_data,
               GError   **error)
{
  Collector *collector = user_data;

  collector->ends++;
  return TRUE;
}

static const HeronImapBodyConsumer collector_consumer = {
  collector_begin, collector_chunk, collector_end,
};

/* The main command set, in each mode */

static void
test_commands (gconstpointer data)
{
  const Mode *mode = data;
  g_autoptr(HeronImapSession) session = open_session (mode);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autofree char *box = g_strdup_printf ("%s-box", mode->name);
  g_autofree char *renamed = g_strdup_printf ("%s-renamed", mode->name);
  g_autofree char *dest = g_strdup_printf ("%s-dest/sub", mode->name);
  g_autofree char *message1 = make_message (mode->name, "The first message.");
  g_autofree char *message2 = make_message ("second", "The second message.");
  g_autofree char *message3 = make_message ("third", "The third message, streamed.");
  static const char * const seen[] = { "\\Seen", NULL };
  static const char * const status_items[] = { "MESSAGES", "UIDNEXT", "UIDVALIDITY", "HIGHESTMODSEQ", NULL };
  HeronImapConnection *connection = heron_imap_session_get_connection (session);
  guint32 uidvalidity = 0, uid1, uid2, uid3;

  g_signal_connect (session, "mailbox-event", G_CALLBACK (record_event), events);

  /* Login, CAPABILITY, ENABLE, ID, NAMESPACE */
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_AUTHENTICATED);
  g_assert_true (heron_imap_connection_is_tls (connection));
  g_assert_cmpint (heron_imap_connection_is_compressed (connection), ==, mode->compress);
  g_assert_true (heron_imap_session_has_capability (session, "IMAP4rev1"));
  g_assert_true (heron_imap_session_has_capability (session, "QRESYNC"));
  g_assert_true (heron_imap_session_is_enabled (session, "CONDSTORE"));
  g_assert_true (heron_imap_session_is_enabled (session, "QRESYNC"));
  if (heron_imap_session_has_capability (session, "UTF8=ACCEPT"))
    g_assert_true (heron_imap_session_is_enabled (session, "UTF8=ACCEPT"));
  g_assert_cmpint (heron_imap_session_get_auth_mechanism (session), ==, HERON_IMAP_AUTH_PLAIN);
  {
    HeronImapResponse *ns = heron_imap_session_get_namespace (session);
    HeronImapResponse *id = heron_imap_session_get_server_id (session);

    g_assert_nonnull (ns);
    g_assert_cmpuint (ns->namespace_.personal.n_entries, ==, 1);
    g_assert_cmpstr (ns->namespace_.personal.entries[0].delimiter, ==, "/");
    g_assert_nonnull (id);
    g_assert_false (id->id.is_nil);
    g_assert_cmpstr (id->id.pairs[0].name, ==, "name");
    g_assert_cmpstr (id->id.pairs[0].value, ==, "Dovecot");
  }

  /* CREATE, SUBSCRIBE, RENAME, LIST (special use, subscribed, LIST-STATUS) */
  mailbox_op (session, HERON_IMAP_MAILBOX_CREATE, box, NULL);
  mailbox_op (session, HERON_IMAP_MAILBOX_CREATE, dest, NULL);
  mailbox_op (session, HERON_IMAP_MAILBOX_SUBSCRIBE, box, NULL);
  mailbox_op (session, HERON_IMAP_MAILBOX_RENAME, box, renamed);
  mailbox_op (session, HERON_IMAP_MAILBOX_SUBSCRIBE, renamed, NULL);
  {
    g_autoptr(GPtrArray) all = list (session, FALSE, status_items);
    g_autoptr(GPtrArray) subscribed = list (session, TRUE, NULL);
    const HeronImapResponse *sent = find_list (all, "Sent");
    const HeronImapResponse *renamed_list = find_list (all, renamed);

    g_assert_nonnull (sent);
    g_assert_true (sent->list.attributes & HERON_IMAP_MAILBOX_SENT);
    g_assert_cmpstr (sent->list.delimiter, ==, "/");
    g_assert_nonnull (find_list (all, "INBOX"));
    g_assert_nonnull (renamed_list);
    g_assert_true (renamed_list->list.attributes & HERON_IMAP_MAILBOX_SUBSCRIBED);
    g_assert_true (renamed_list->list.attributes & HERON_IMAP_MAILBOX_HAS_NO_CHILDREN);
    g_assert_null (find_list (all, box));
    g_assert_nonnull (find_list (all, dest));
    /* LIST-STATUS */
    g_assert_nonnull (find_status (all, renamed));
    g_assert_cmpuint (find_status (all, renamed)->mailbox_status.messages, ==, 0);
    g_assert_nonnull (find_list (subscribed, renamed));
    g_assert_nonnull (find_list (subscribed, "Trash"));
    g_assert_null (find_list (subscribed, dest));
  }

  /* APPEND (APPENDUID), from memory and streamed */
  uid1 = append (session, renamed, message1, seen, &uidvalidity);
  uid2 = append (session, renamed, message2, NULL, NULL);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = g_bytes_new (message3, strlen (message3));
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
    g_autoptr(GDateTime) date = g_date_time_new_utc (2023, 5, 17, 8, 15, 0);

    result = AWAIT (heron_imap_session_append_async (session, renamed, NULL, date, NULL, stream,
                                                     g_bytes_get_size (bytes), NULL, on_done, w));
    g_assert_true (heron_imap_session_append_finish (session, result, NULL, &uid3, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (uidvalidity, !=, 0);
  g_assert_cmpuint (uid2, ==, uid1 + 1);
  g_assert_cmpuint (uid3, ==, uid2 + 1);

  /* A missing mailbox: NO [TRYCREATE] */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
    g_autofree char *code = NULL;

    result = AWAIT (heron_imap_session_append_async (session, "no-such-mailbox", NULL, NULL, bytes,
                                                     NULL, 0, NULL, on_done, w));
    g_assert_false (heron_imap_session_append_finish (session, result, NULL, NULL, &error));
    g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE);
    code = heron_imap_error_dup_response_code (error);
    g_assert_cmpstr (code, ==, "TRYCREATE");
  }

  /* STATUS */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(HeronImapResponse) status = NULL;

    result = AWAIT (heron_imap_session_status_async (session, renamed, status_items, NULL, on_done, w));
    status = heron_imap_session_status_finish (session, result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (status->mailbox_status.messages, ==, 3);
    g_assert_cmpuint (status->mailbox_status.uidvalidity, ==, uidvalidity);
    g_assert_cmpuint (status->mailbox_status.uidnext, ==, uid3 + 1);
    g_assert_true (status->mailbox_status.items & HERON_IMAP_STATUS_HIGHESTMODSEQ);
  }

  /* SELECT */
  {
    g_autoptr(HeronImapSelectResult) select = select_mailbox (session, renamed, FALSE, NULL);

    g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_SELECTED);
    g_assert_cmpstr (heron_imap_session_get_selected (session), ==, renamed);
    g_assert_cmpuint (select->exists, ==, 3);
    g_assert_cmpuint (select->uidvalidity, ==, uidvalidity);
    g_assert_cmpuint (select->uidnext, ==, uid3 + 1);
    g_assert_cmpuint (select->highestmodseq, >, 0);
    g_assert_false (select->read_only);
    g_assert_true (g_strv_contains ((const char * const *) select->flags, "\\Seen"));
    g_assert_true (g_strv_contains ((const char * const *) select->permanent_flags, "\\*"));
  }

  /* UID FETCH metadata */
  {
    static const char * const items[] = {
      "UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ", NULL
    };
    g_autoptr(HeronImapUidSet) all = uid_set (1, G_MAXUINT32);
    g_autoptr(GPtrArray) fetches = NULL;

    heron_imap_uid_set_clear (all);
    heron_imap_uid_set_add_range_to_star (all, 1);
    fetches = fetch (session, all, items, HERON_IMAP_MODSEQ_NONE, FALSE, NULL);
    g_assert_cmpuint (fetches->len, ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        const HeronImapFetch *f = &((HeronImapResponse *) fetches->pdata[i])->fetch;
        guint need = HERON_IMAP_FETCH_UID | HERON_IMAP_FETCH_FLAGS | HERON_IMAP_FETCH_INTERNALDATE |
                     HERON_IMAP_FETCH_RFC822_SIZE | HERON_IMAP_FETCH_ENVELOPE |
                     HERON_IMAP_FETCH_BODYSTRUCTURE | HERON_IMAP_FETCH_MODSEQ;

        g_assert_cmpuint (f->fields & need, ==, need);
        g_assert_cmpuint (f->uid, ==, uid1 + i);
      }
    {
      const HeronImapFetch *first = &((HeronImapResponse *) fetches->pdata[0])->fetch;

      g_assert_cmpstr (first->envelope->subject, ==, mode->name);
      g_assert_true (heron_imap_flags_contains (&first->flags, "\\Seen"));
      g_assert_cmpuint (first->rfc822_size, ==, strlen (message1));
    }
    g_assert_cmpint (((HeronImapResponse *) fetches->pdata[2])->fetch.internaldate, ==, 1684311300);
  }

  /* UID FETCH body, streamed to a consumer; and a header section collected */
  {
    static const char * const items[] = { "BODY.PEEK[]", NULL };
    g_autoptr(HeronImapUidSet) one = uid_one (uid3);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
    Collector collector = { g_byte_array_new (), 0, 0, 0 };

    result = AWAIT (heron_imap_session_uid_fetch_async (session, one, items, HERON_IMAP_MODSEQ_NONE, FALSE,
                                                        collect_fetch, fetches, &collector_consumer,
                                                        &collector, NULL, on_done, w));
    g_assert_true (heron_imap_session_uid_fetch_finish (session, result, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (collector.begins, ==, 1);
    g_assert_cmpuint (collector.ends, ==, 1);
    g_assert_cmpuint (collector.uid, ==, uid3);
    g_assert_cmpmem (collector.data->data, collector.data->len, message3, strlen (message3));
    g_assert_cmpuint (fetches->len, ==, 1);
    g_assert_null (((HeronImapResponse *) fetches->pdata[0])->fetch.sections[0].data);
    g_byte_array_unref (collector.data);
  }
  {
    static const char * const items[] = { "BODY.PEEK[HEADER.FIELDS (SUBJECT)]", NULL };
    g_autoptr(HeronImapUidSet) one = uid_one (uid2);
    g_autoptr(GPtrArray) fetches = fetch (session, one, items, HERON_IMAP_MODSEQ_NONE, FALSE, NULL);
    GBytes *section;

    g_assert_cmpuint (fetches->len, ==, 1);
    section = ((HeronImapResponse *) fetches->pdata[0])->fetch.sections[0].data;
    g_assert_nonnull (section);
    g_assert_cmpmem (g_bytes_get_data (section, NULL), g_bytes_get_size (section), "Subject: second\r\n\r\n", 19);
  }

  /* UID STORE, UID SEARCH */
  {
    g_autoptr(HeronImapUidSet) two = uid_set (uid1, uid2);
    g_autoptr(HeronImapUidSet) modified = store (session, two, HERON_IMAP_STORE_ADD, "\\Flagged",
                                                 HERON_IMAP_MODSEQ_NONE);
    g_autoptr(HeronImapUidSet) flagged = search (session, "FLAGGED");
    g_autoptr(HeronImapUidSet) unseen = search (session, "UNSEEN");

    g_assert_true (heron_imap_uid_set_is_empty (modified));
    g_assert_true (heron_imap_uid_set_equal (flagged, two));
    g_assert_cmpuint (heron_imap_uid_set_count (unseen), ==, 2);
    g_assert_false (heron_imap_uid_set_contains (unseen, uid1));
  }

  /* UID COPY and UID MOVE: COPYUID */
  {
    g_autoptr(HeronImapUidSet) one = uid_one (uid1);
    g_autoptr(HeronImapUidSet) other = uid_one (uid2);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) result2 = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(HeronImapCopyResult) copied = NULL;
    g_autoptr(HeronImapCopyResult) moved = NULL;

    result = AWAIT (heron_imap_session_uid_copy_async (session, one, dest, FALSE, NULL, on_done, w));
    copied = heron_imap_session_uid_copy_finish (session, result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (copied->uidvalidity, !=, 0);
    g_assert_cmpuint (heron_imap_copy_result_lookup (copied, uid1), ==, 1);

    g_ptr_array_set_size (events, 0);
    result2 = AWAIT (heron_imap_session_uid_copy_async (session, other, dest, TRUE, NULL, on_done, w));
    moved = heron_imap_session_uid_copy_finish (session, result2, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (moved->uidvalidity, ==, copied->uidvalidity);
    g_assert_cmpuint (heron_imap_copy_result_lookup (moved, uid2), ==, 2);
    /* QRESYNC is on: the moved message vanished from this mailbox */
    g_assert_true (has_event (events, HERON_IMAP_RESPONSE_VANISHED));
  }

  /* UID EXPUNGE, EXPUNGE */
  {
    g_autoptr(HeronImapUidSet) one = uid_one (uid1);
    g_autoptr(HeronImapUidSet) three = uid_one (uid3);
    g_autoptr(HeronImapUidSet) left = NULL;

    heron_imap_uid_set_free (store (session, one, HERON_IMAP_STORE_ADD, "\\Deleted", HERON_IMAP_MODSEQ_NONE));
    heron_imap_uid_set_free (store (session, three, HERON_IMAP_STORE_ADD, "\\Deleted", HERON_IMAP_MODSEQ_NONE));

    g_ptr_array_set_size (events, 0);
    expunge (session, one);
    g_assert_true (has_event (events, HERON_IMAP_RESPONSE_VANISHED));
    left = search (session, "ALL");
    g_assert_cmpuint (heron_imap_uid_set_count (left), ==, 1);
    g_assert_true (heron_imap_uid_set_contains (left, uid3));
    expunge (session, NULL);
    g_clear_pointer (&left, heron_imap_uid_set_free);
    left = search (session, "ALL");
    g_assert_true (heron_imap_uid_set_is_empty (left));
  }

  /* EXAMINE of the destination, CLOSE, DELETE, UNSUBSCRIBE */
  {
    g_autoptr(HeronImapSelectResult) examine = select_mailbox (session, dest, TRUE, NULL);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (examine->read_only);
    g_assert_cmpuint (examine->exists, ==, 2);
    result = AWAIT (heron_imap_session_close_mailbox_async (session, FALSE, NULL, on_done, w));
    g_assert_true (heron_imap_session_close_mailbox_finish (session, result, &error));
    g_assert_no_error (error);
    g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_AUTHENTICATED);
  }
  mailbox_op (session, HERON_IMAP_MAILBOX_UNSUBSCRIBE, renamed, NULL);
  mailbox_op (session, HERON_IMAP_MAILBOX_DELETE, renamed, NULL);
  mailbox_op (session, HERON_IMAP_MAILBOX_DELETE, dest, NULL);
  {
    g_autoptr(GPtrArray) all = list (session, FALSE, NULL);

    g_assert_null (find_list (all, renamed));
    g_assert_null (find_list (all, dest));
  }

  noop (session);
  logout (session);
}

/* Login */

static void
test_auth_mechanisms (void)
{
  static const HeronImapAuthMechanism mechanisms[] = {
    HERON_IMAP_AUTH_AUTO, HERON_IMAP_AUTH_PLAIN, HERON_IMAP_AUTH_LOGIN, HERON_IMAP_AUTH_LOGIN_COMMAND,
  };

  for (guint i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      HeronImapSessionSettings settings;
      g_autoptr(HeronImapSession) session = NULL;

      init_settings (&settings, &modes[0]);
      settings.mechanism = mechanisms[i];
      session = open_session_with (&settings);
      heron_imap_session_settings_clear (&settings);

      g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_AUTHENTICATED);
      g_assert_cmpint (heron_imap_session_get_auth_mechanism (session), ==,
                       mechanisms[i] == HERON_IMAP_AUTH_AUTO ? HERON_IMAP_AUTH_PLAIN : mechanisms[i]);
      noop (session);
      logout (session);
    }
}

/* A wrong password: HERON_IMAP_ERROR_AUTH with Dovecot's own text. */
static void
test_auth_wrong_password (void)
{
  static const HeronImapAuthMechanism mechanisms[] = {
    HERON_IMAP_AUTH_PLAIN, HERON_IMAP_AUTH_LOGIN, HERON_IMAP_AUTH_LOGIN_COMMAND,
  };

  for (guint i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      HeronImapSessionSettings settings;
      g_autoptr(HeronImapSession) session = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      init_settings (&settings, &modes[0]);
      settings.mechanism = mechanisms[i];
      g_free (settings.password);
      settings.password = g_strdup ("not the password");
      session = heron_imap_session_new (&settings);
      heron_imap_session_settings_clear (&settings);

      result = AWAIT (heron_imap_session_connect_async (session, NULL, on_done, w));
      g_assert_false (heron_imap_session_connect_finish (session, result, &error));
      g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "Authentication failed"));
      g_assert_true (g_str_has_prefix (error->message, "[AUTHENTICATIONFAILED]"));
      g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_CLOSED);
    }
}

/* QRESYNC, CHANGEDSINCE, UNCHANGEDSINCE after changes made by another client */

static GBytes *
message_bytes (const char *subject)
{
  g_autofree char *text = make_message (subject, "Body text.");

  return g_bytes_new (text, strlen (text));
}

static guint32
deliver (const char *mailbox,
         const char *subject)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = message_bytes (subject);
  guint32 uid = heron_test_server_deliver (server, heron_test_server_get_user (server), mailbox,
                                           bytes, NULL, &error);

  g_assert_no_error (error);
  return uid;
}

static void
collect_changed (HeronImapResponse *response,
                 gpointer           user_data)
{
  g_ptr_array_add (user_data, heron_imap_response_ref (response));
}

static void
test_qresync (void)
{
  const char *user = heron_test_server_get_user (server);
  g_autoptr(GError) error = NULL;
  guint32 uids[5];
  guint32 uidvalidity;
  guint64 modseq, uid4_modseq = 0;

  g_assert_true (heron_test_server_create_mailbox (server, user, "qr", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *subject = g_strdup_printf ("qr%u", i);

      uids[i] = deliver ("qr", subject);
    }

  /* What the cache knows. */
  {
    g_autoptr(HeronImapSession) session = open_session (&modes[0]);
    g_autoptr(HeronImapSelectResult) select = select_mailbox (session, "qr", FALSE, NULL);
    static const char * const items[] = { "MODSEQ", NULL };
    g_autoptr(HeronImapUidSet) four = uid_one (uids[3]);
    g_autoptr(GPtrArray) fetches = NULL;

    uidvalidity = select->uidvalidity;
    modseq = select->highestmodseq;
    g_assert_cmpuint (select->exists, ==, 5);
    fetches = fetch (session, four, items, HERON_IMAP_MODSEQ_NONE, FALSE, NULL);
    uid4_modseq = ((HeronImapResponse *) fetches->pdata[0])->fetch.modseq;
    logout (session);
  }

  /* Another device flags one message and deletes another. */
  g_assert_true (heron_test_server_add_flags (server, user, "qr", uids[1], "\\Flagged", &error));
  g_assert_true (heron_test_server_expunge (server, user, "qr", uids[2], &error));
  g_assert_no_error (error);

  {
    g_autoptr(HeronImapSession) session = open_session (&modes[0]);
    g_autoptr(HeronImapUidSet) known = uid_set (uids[0], uids[4]);
    g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
    g_autoptr(HeronImapSelectResult) select = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    HeronImapSelectParams params = { 0 };

    params.qresync_uidvalidity = uidvalidity;
    params.qresync_modseq = modseq;
    params.qresync_known_uids = known;
    result = AWAIT (heron_imap_session_select_async (session, "qr", FALSE, &params, collect_changed,
                                                     changed, NULL, on_done, w));
    select = heron_imap_session_select_finish (session, result, &error);
    g_assert_no_error (error);

    /* VANISHED (EARLIER) and the changed FETCH arrived with the SELECT. */
    g_assert_cmpuint (heron_imap_uid_set_count (select->vanished), ==, 1);
    g_assert_true (heron_imap_uid_set_contains (select->vanished, uids[2]));
    g_assert_cmpuint (changed->len, ==, 1);
    g_assert_cmpuint (((HeronImapResponse *) changed->pdata[0])->fetch.uid, ==, uids[1]);
    g_assert_true (heron_imap_flags_contains (&((HeronImapResponse *) changed->pdata[0])->fetch.flags,
                                              "\\Flagged"));
    g_assert_cmpuint (select->highestmodseq, >, modseq);
    g_assert_cmpuint (select->exists, ==, 4);
    g_assert_null (select->changed);

    /* UID FETCH CHANGEDSINCE ... VANISHED: the same story. */
    {
      static const char * const items[] = { "FLAGS", NULL };
      g_autoptr(HeronImapUidSet) all = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
      g_autoptr(HeronImapUidSet) vanished = NULL;
      g_autoptr(GPtrArray) fetches = NULL;

      heron_imap_uid_set_add_range_to_star (all, 1);
      fetches = fetch (session, all, items, modseq, TRUE, &vanished);
      g_assert_cmpuint (fetches->len, ==, 1);
      g_assert_cmpuint (((HeronImapResponse *) fetches->pdata[0])->fetch.uid, ==, uids[1]);
      g_assert_true (heron_imap_uid_set_contains (vanished, uids[2]));
      g_assert_cmpuint (heron_imap_uid_set_count (vanished), ==, 1);
    }

    /* UID STORE UNCHANGEDSINCE: another device changed message 4 after we read it. */
    g_assert_true (heron_test_server_add_flags (server, user, "qr", uids[3], "$Label1", &error));
    g_assert_no_error (error);
    {
      g_autoptr(HeronImapUidSet) four = uid_one (uids[3]);
      g_autoptr(HeronImapUidSet) five = uid_one (uids[4]);
      g_autoptr(HeronImapUidSet) modified = store (session, four, HERON_IMAP_STORE_ADD, "\\Seen", uid4_modseq);
      g_autoptr(HeronImapUidSet) unmodified = store (session, five, HERON_IMAP_STORE_ADD, "\\Seen", select->highestmodseq);
      g_auto(GStrv) flags4 = heron_test_server_get_flags (server, user, "qr", uids[3], &error);
      g_auto(GStrv) flags5 = heron_test_server_get_flags (server, user, "qr", uids[4], &error);

      g_assert_true (heron_imap_uid_set_contains (modified, uids[3]));
      g_assert_true (heron_imap_uid_set_is_empty (unmodified));
      g_assert_false (g_strv_contains ((const char * const *) flags4, "\\Seen"));
      g_assert_true (g_strv_contains ((const char * const *) flags5, "\\Seen"));
    }
    logout (session);
  }
}

/* EXAMINE and QRESYNC without QRESYNC enabled */
static void
test_qresync_not_enabled (void)
{
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapSelectParams params = { 0 };

  init_settings (&settings, &modes[0]);
  settings.enable_qresync = FALSE;
  session = open_session_with (&settings);
  heron_imap_session_settings_clear (&settings);

  g_assert_false (heron_imap_session_is_enabled (session, "QRESYNC"));
  params.qresync_uidvalidity = 1;
  params.qresync_modseq = 1;
  result = AWAIT (heron_imap_session_select_async (session, "INBOX", TRUE, &params, NULL, NULL, NULL,
                                                   on_done, w));
  g_assert_null (heron_imap_session_select_finish (session, result, &error));
  g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED);
  {
    g_autoptr(HeronImapSelectResult) examine = select_mailbox (session, "INBOX", TRUE, NULL);

    g_assert_true (examine->read_only);
  }
  logout (session);
}

/* IDLE sees what another client does, within a second. */

static gboolean
wait_for_event (GPtrArray            *events,
                HeronImapResponseKind kind,
                guint                 timeout_ms,
                gint64               *elapsed_us)
{
  gint64 start = g_get_monotonic_time ();
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!has_event (events, kind) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  *elapsed_us = g_get_monotonic_time () - start;
  return !timed_out;
}

static void
test_idle (void)
{
  const char *user = heron_test_server_get_user (server);
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_autoptr(HeronImapSelectResult) select = NULL;
  g_autoptr(GError) error = NULL;
  guint32 first, second;
  gint64 elapsed;

  g_assert_true (heron_test_server_create_mailbox (server, user, "idlebox", &error));
  first = deliver ("idlebox", "idle1");
  second = deliver ("idlebox", "idle2");

  session = open_session (&modes[0]);
  select = select_mailbox (session, "idlebox", FALSE, NULL);
  g_signal_connect (session, "mailbox-event", G_CALLBACK (record_event), events);

  {
    g_autoptr(GAsyncResult) result = NULL;

    result = AWAIT (heron_imap_session_idle_start_async (session, NULL, on_done, w));
    g_assert_true (heron_imap_session_idle_start_finish (session, result, &error));
    g_assert_no_error (error);
    g_assert_true (heron_imap_session_is_idling (session));
  }

  /* Other commands wait for IDLE to end. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    result = AWAIT (heron_imap_session_noop_async (session, NULL, on_done, w));
    g_assert_false (heron_imap_session_noop_finish (session, result, &error));
    g_assert_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL);
    g_clear_error (&error);
  }

  deliver ("idlebox", "idle3");
  g_assert_true (wait_for_event (events, HERON_IMAP_RESPONSE_EXISTS, 1000, &elapsed));
  g_test_message ("new message seen after %.3f s", elapsed / 1e6);

  g_assert_true (heron_test_server_add_flags (server, user, "idlebox", first, "\\Flagged", &error));
  g_assert_true (wait_for_event (events, HERON_IMAP_RESPONSE_FETCH, 1000, &elapsed));
  g_test_message ("flag change seen after %.3f s", elapsed / 1e6);

  g_assert_true (heron_test_server_expunge (server, user, "idlebox", second, &error));
  g_assert_true (wait_for_event (events, HERON_IMAP_RESPONSE_VANISHED, 1000, &elapsed));
  g_test_message ("expunge seen after %.3f s", elapsed / 1e6);

  for (guint i = 0; i < events->len; i++)
    {
      HeronImapResponse *event = events->pdata[i];

      if (event->kind == HERON_IMAP_RESPONSE_FETCH)
        {
          g_assert_cmpuint (event->fetch.uid, ==, first);
          g_assert_true (heron_imap_flags_contains (&event->fetch.flags, "\\Flagged"));
        }
      if (event->kind == HERON_IMAP_RESPONSE_VANISHED)
        g_assert_true (ranges_contain (&event->vanished.uids, second));
    }

  {
    g_autoptr(GAsyncResult) result = NULL;

    result = AWAIT (heron_imap_session_idle_stop_async (session, NULL, on_done, w));
    g_assert_true (heron_imap_session_idle_stop_finish (session, result, &error));
    g_assert_no_error (error);
    g_assert_false (heron_imap_session_is_idling (session));
  }
  noop (session);
  logout (session);
}

/* APPEND with synchronizing literals (no LITERAL+): the session waits for "+". */
static void
test_append_sync_literal (void)
{
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autofree char *message = make_message ("sync-literal", "Sent after the server's go-ahead.");
  guint32 uid;

  init_settings (&settings, &modes[2]);
  settings.connection.force_sync_literals = TRUE;
  session = open_session_with (&settings);
  heron_imap_session_settings_clear (&settings);

  g_assert_cmpint (heron_imap_connection_get_literal_mode (heron_imap_session_get_connection (session)),
                   ==, HERON_IMAP_LITERAL_SYNC);
  uid = append (session, "Drafts", message, NULL, NULL);
  {
    static const char * const items[] = { "RFC822.SIZE", NULL };
    g_autoptr(HeronImapUidSet) one = uid_one (uid);
    g_autoptr(GPtrArray) fetches = NULL;

    heron_imap_select_result_free (select_mailbox (session, "Drafts", TRUE, NULL));
    fetches = fetch (session, one, items, HERON_IMAP_MODSEQ_NONE, FALSE, NULL);
    g_assert_cmpuint (fetches->len, ==, 1);
    g_assert_cmpuint (((HeronImapResponse *) fetches->pdata[0])->fetch.rfc822_size, ==, strlen (message));
  }
  logout (session);
}

/* 50 STATUS in flight at once: each result goes to its own command. */

typedef struct {
  char *mailbox;
  HeronImapResponse *status;
  GError *error;
  gboolean done;
} StatusCall;

static void
on_status (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  StatusCall *call = user_data;

  call->status = heron_imap_session_status_finish (HERON_IMAP_SESSION (source), result, &call->error);
  call->done = TRUE;
}

static void
test_pipelining (void)
{
  const char *user = heron_test_server_get_user (server);
  static const char * const items[] = { "MESSAGES", "UIDNEXT", NULL };
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GError) error = NULL;
  StatusCall calls[50];
  gint64 start;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *mailbox = g_strdup_printf ("pipe%u", i);

      g_assert_true (heron_test_server_create_mailbox (server, user, mailbox, &error));
      for (guint j = 0; j < i; j++)
        deliver (mailbox, "pipelined");
    }

  session = open_session (&modes[0]);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      calls[i] = (StatusCall) { g_strdup_printf ("pipe%u", (i * 7) % 5), NULL, NULL, FALSE };
      heron_imap_session_status_async (session, calls[i].mailbox, items, NULL, on_status, &calls[i]);
    }
  run_until (&calls[G_N_ELEMENTS (calls) - 1].done);
  g_test_message ("50 STATUS in %.3f s", (g_get_monotonic_time () - start) / 1e6);

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      guint expected = (i * 7) % 5;

      g_assert_true (calls[i].done);
      g_assert_no_error (calls[i].error);
      g_assert_cmpstr (calls[i].status->mailbox_status.mailbox.name, ==, calls[i].mailbox);
      g_assert_cmpuint (calls[i].status->mailbox_status.messages, ==, expected);
      heron_imap_response_unref (calls[i].status);
      g_free (calls[i].mailbox);
    }
  logout (session);
}

/* The server goes away in the middle of a session: a clean error, no hang. */

static void
on_closed (HeronImapSession *session,
           const GError     *error,
           gpointer          user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_server_stopped (void)
{
  g_autoptr(HeronImapSession) session = open_session (&modes[2]);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean closed = FALSE;
  gint64 start;

  heron_imap_select_result_free (select_mailbox (session, "INBOX", FALSE, NULL));
  g_signal_connect (session, "closed", G_CALLBACK (on_closed), &closed);
  g_assert_true (heron_test_server_stop_imap (server, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  result = AWAIT (heron_imap_session_noop_async (session, NULL, on_done, w));
  g_assert_false (heron_imap_session_noop_finish (session, result, &error));
  g_test_message ("after the server stopped: %s", error->message);
  g_assert_true (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED) ||
                 g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE) ||
                 error->domain == G_IO_ERROR);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_true (closed);
  g_assert_cmpint (heron_imap_session_get_state (session), ==, HERON_IMAP_SESSION_CLOSED);
  g_clear_error (&error);

  g_assert_true (heron_test_server_start_imap (server, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  if (server == NULL)
    g_error ("The test Dovecot could not start, so these tests cannot run: %s", error->message);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/heron/imap/session/%s/commands", modes[i].name);

      g_test_add_data_func (path, &modes[i], test_commands);
    }

  g_test_add_func ("/heron/imap/session/auth/mechanisms", test_auth_mechanisms);
  g_test_add_func ("/heron/imap/session/auth/wrong-password", test_auth_wrong_password);
  g_test_add_func ("/heron/imap/session/qresync", test_qresync);
  g_test_add_func ("/heron/imap/session/qresync/not-enabled", test_qresync_not_enabled);
  g_test_add_func ("/heron/imap/session/idle", test_idle);
  g_test_add_func ("/heron/imap/session/append/sync-literal", test_append_sync_literal);
  g_test_add_func ("/heron/imap/session/pipelining", test_pipelining);
  g_test_add_func ("/heron/imap/session/server-stopped", test_server_stopped);

  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
