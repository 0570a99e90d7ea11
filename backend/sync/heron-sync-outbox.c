/* heron-sync-outbox.c: the outbox (messages sent through the account's SMTP server, never lost,
 * never sent twice), copies in Sent, drafts in Drafts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/smtp.md, "Outbox", has the whole story. In short, an entry of the store's outbox moves
 * through these states, each written durably (synchronous=FULL) before the step it allows:
 *
 *   QUEUED     stored by send_async (the task completes then). Sent when the worker can; a crash
 *              anywhere before the end of the data leaves it QUEUED, and it is sent again: the
 *              server drops a message whose final "." never came.
 *   SENDING    written (by the worker, at the request of the SMTP client's before-end hook)
 *              right before the final "." goes out. From here on the server may have it. Found at start (a crash, a
 *              kill, the worker stopped while waiting for the reply) it becomes UNCERTAIN.
 *   SENT       written right after the server's 250; then the copy goes to Sent (a journaled
 *              APPEND) and the entry goes. Found at start: the copy is filed unless the cache has
 *              it already (looked up by Message-ID), so it is never filed twice either.
 *   FAILED     the server refused it (5xx, every recipient refused, authentication, a
 *              certificate): kept until the person retries (retry_send) or gives up.
 *   UNCERTAIN  "may have been sent": a lost connection or a crash after the final "." and
 *              before the reply was recorded. Never sent again by itself; retry_send does.
 *
 * Threads. The SMTP transaction of an entry runs on a sender thread of the account (its own
 * GMainContext; started by the first send, ended by _heron_sync_outbox_stop()), so a long
 * upload holds up none of the worker's jobs (flag changes, syncs, bodies). Everything else stays
 * on the worker thread, which alone writes to the store: a job of the worker (outbox_run) lists
 * the outbox, files the copies of sent messages, and prepares the next due entry (its source,
 * its credentials, the attempt counted) and hands it to the sender thread: one entry at a time,
 * in the outbox's order. The sender's before-end hook asks the worker to record SENDING and
 * waits for it (the final "." goes out only once that is durable); the outcome comes back to the
 * worker's context, which records it (SENT, UNCERTAIN, a failure) and queues the next run. The
 * worker writes only when no job's store batch is open (heron_store_in_transaction()), else
 * a few milliseconds later, as the on-demand bodies do. Stopping cancels the upload, refuses a
 * pending before-end (the end is never written: the entry stays QUEUED), joins the sender
 * thread and records what the send ended with, before the store closes.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "heron-account-worker.h"

#include "account/heron-account-identity.h"
#include "account/heron-secrets.h"
#include "mime/heron-mime.h"
#include "smtp/heron-smtp-client.h"
#include "heron-sync-private.h"

/* Test only: makes the worker's process _exit() at a point of a send, to prove what a crash
 * there leaves behind (tests/backend/sync/test-sync-outbox.c). "before-end": the whole message
 * but its final "." was written, nothing recorded yet; "after-accept": the server accepted it,
 * the store not told yet. Never set it outside the tests. */
#define TEST_CRASH_ENV "HERON_OUTBOX_TEST_CRASH"
#define TEST_CRASH_STATUS 70

struct _HeronSyncOutbox {
  /* set on the main thread before the thread starts, read-only afterwards */
  HeronSmtpClientSettings smtp;         /* without the password */
  HeronAccountAuth        auth;
  char                   *password;     /* the tests'; NULL: the keyring's */
  char                   *sent_folder;  /* the config's override, or NULL: special use */
  char                   *drafts_folder;
  gboolean                server_files_sent;

  /* worker thread only */
  char                   *keyring_password;
  GHashTable             *draft_ids;    /* local UID of a draft saved here -> its Message-ID */
  GSource                *timer;        /* on the worker's context */
  gboolean                run_queued;
  gboolean                stopped;
  struct _Send           *current;      /* the send the sender thread has, or NULL */
  GThread                *sender;       /* started by the first send, joined by _stop */

  /* the sender thread's (created with it, freed with the outbox) */
  GMainContext           *sender_context;
  GMainLoop              *sender_loop;
  gboolean                sender_busy;  /* sender thread only: a send runs there */
  gboolean                sender_quit;  /* sender thread only: _stop asked it to end */

  /* the before-end hand-over between the sender thread and the worker */
  GMutex                  lock;
  GCond                   cond;
  gboolean                halting;      /* under @lock: _stop began, no end is written any more */
};

typedef struct _HeronSyncOutbox HeronSyncOutbox;

/* The before-end hook's question to the worker: may the final "." go out? */
typedef enum {
  MARK_NONE,      /* not at the end yet */
  MARK_ASKED,     /* the hook waits for the worker to record SENDING */
  MARK_RECORDED,  /* SENDING is durable: the end goes out */
  MARK_REFUSED,   /* not recorded (stopping, discarded, the store failed): the end never goes out */
} Mark;

/* One entry handed to the sender thread. Reference counted (atomic): the worker (as current),
 * the sender thread's send and the sources carrying it between the two each hold one. */
typedef struct _Send {
  gint                     ref_count;
  HeronSyncCore           *core;         /* not a reference: the worker joins the sender first */
  gint64                   id;
  char                    *message_id;
  char                    *from;
  GStrv                    recipients;
  GBytes                  *wire;         /* the message as it goes out (without Bcc) */
  HeronSmtpClientSettings  settings;     /* with the password; cleared once the client has it */
  GCancellable            *cancellable;  /* cancelled by a stop or a discard */
  HeronOAuth2TokenSource  *tokens;       /* OAuth2: this send's own scope of the token source */

  /* worker thread only */
  HeronStoreOutboxEntry   *entry;        /* the run's copy (attempts counted) */
  gboolean                 discarded;    /* the person gave it up meanwhile: its entry is gone */
  gboolean                 store_failed; /* SENDING could not be recorded */
  GSource                 *mark_retry;   /* record_sending() again, after a store batch */
  GSource                 *done_retry;   /* send_done() again, after a store batch */

  /* sender thread only */
  HeronSmtpClient         *client;

  /* under the outbox's lock */
  Mark                     mark;
  GError                  *mark_error;

  /* the outcome: written by the sender thread before it hands the send back to the worker */
  gboolean                 finished;
  HeronSmtpSendResult     *result;
  GError                  *error;
} Send;

/* How long the worker waits before writing again when a job's store batch is open */
#define STORE_RETRY_MS 5

/* Servers that put a copy of every message sent through them into the Sent folder themselves:
 * a copy of ours would be a duplicate. Gmail does (support.google.com/mail/answer/78892). */
static const char * const server_files_sent_hosts[] = {
  "smtp.gmail.com",
  "smtp.googlemail.com",
};

static gboolean
host_files_sent (const char *host)
{
  for (guint i = 0; host != NULL && i < G_N_ELEMENTS (server_files_sent_hosts); i++)
    if (g_ascii_strcasecmp (host, server_files_sent_hosts[i]) == 0)
      return TRUE;
  return FALSE;
}

HeronSyncOutbox *
_heron_sync_outbox_new (HeronAccountConfig *config,
                        const char         *password,
                        GTlsDatabase       *tls_database,
                        GError            **error)
{
  HeronAccountServer *server = heron_account_config_get_smtp (config);
  HeronSyncOutbox *outbox = g_new0 (HeronSyncOutbox, 1);
  GError *local_error = NULL;

  g_mutex_init (&outbox->lock);
  g_cond_init (&outbox->cond);

  heron_smtp_client_settings_init (&outbox->smtp);
  outbox->smtp.host = g_strdup (heron_account_server_get_host (server));
  outbox->smtp.port = heron_account_server_get_effective_port (server);
  switch (heron_account_server_get_security (server))
    {
    case HERON_ACCOUNT_SECURITY_STARTTLS:
      outbox->smtp.security = HERON_SMTP_SECURITY_STARTTLS;
      break;
    case HERON_ACCOUNT_SECURITY_NONE:
      outbox->smtp.security = HERON_SMTP_SECURITY_NONE;
      break;
    case HERON_ACCOUNT_SECURITY_TLS:
    default:
      outbox->smtp.security = HERON_SMTP_SECURITY_TLS;
      break;
    }
  outbox->smtp.allow_plaintext = heron_account_server_get_allow_plaintext_on_loopback (server);
  outbox->smtp.pinned_certificate = heron_account_server_dup_pinned_certificate (server, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      _heron_sync_outbox_free (outbox);
      return NULL;
    }
  if (tls_database != NULL)
    outbox->smtp.tls_database = g_object_ref (tls_database);
  outbox->smtp.user = g_strdup (heron_account_server_get_user (server));
  outbox->auth = heron_account_server_get_auth (server);
  outbox->password = g_strdup (password);
  outbox->sent_folder = g_strdup (heron_account_config_get_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_SENT));
  outbox->drafts_folder = g_strdup (heron_account_config_get_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS));
  outbox->server_files_sent = host_files_sent (outbox->smtp.host);
  return outbox;
}

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
_heron_sync_outbox_free (HeronSyncOutbox *outbox)
{
  if (outbox == NULL)
    return;
  g_assert (outbox->timer == NULL);
  g_assert (outbox->sender == NULL && outbox->current == NULL);
  g_clear_pointer (&outbox->sender_loop, g_main_loop_unref);
  g_clear_pointer (&outbox->sender_context, g_main_context_unref);
  g_mutex_clear (&outbox->lock);
  g_cond_clear (&outbox->cond);
  heron_smtp_client_settings_clear (&outbox->smtp);
  wipe_free (outbox->password);
  wipe_free (outbox->keyring_password);
  g_free (outbox->sent_folder);
  g_free (outbox->drafts_folder);
  g_clear_pointer (&outbox->draft_ids, g_hash_table_unref);
  g_free (outbox);
}

static void
test_crash_point (const char *point)
{
  const char *wanted = g_getenv (TEST_CRASH_ENV);

  if (wanted != NULL && g_str_equal (wanted, point))
    {
      g_printerr ("heron outbox: test crash at %s\n", point);
      _exit (TEST_CRASH_STATUS);
    }
}

/* Raw headers: the outbox edits a message's header block as bytes, so that everything else
 * (the body, the other fields, their folding) goes out exactly as given. */

/* @message without the fields named in @names (heron_mime_remove_header_fields()), and with
 * @prepend (whole lines, or NULL) in front. */
static GBytes *
edit_header (GBytes             *message,
             const char * const *names,
             const char         *prepend)
{
  g_autoptr(GBytes) stripped = heron_mime_remove_header_fields (message, names);
  gsize len;
  const guint8 *data;
  GByteArray *out;

  if (prepend == NULL)
    return g_steal_pointer (&stripped);
  data = g_bytes_get_data (stripped, &len);
  out = g_byte_array_sized_new (strlen (prepend) + len);
  g_byte_array_append (out, (const guint8 *) prepend, strlen (prepend));
  g_byte_array_append (out, data, len);
  return g_byte_array_free_to_bytes (out);
}

static const char *
line_end_of (GBytes *message)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  const char *nl = memchr (data, '\n', len);

  return nl != NULL && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
}

static const char *
domain_of (const char *address)
{
  const char *at = strrchr (address, '@');

  return at != NULL && at[1] != '\0' ? at + 1 : "localhost";
}

static void
add_addresses (GPtrArray *recipients,
               GPtrArray *list)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      HeronMimeAddress *address = g_ptr_array_index (list, i);
      gboolean known = FALSE;

      if (address->address == NULL || *address->address == '\0')
        continue;
      for (guint j = 0; j < recipients->len && !known; j++)
        known = g_ascii_strcasecmp (g_ptr_array_index (recipients, j), address->address) == 0;
      if (!known)
        g_ptr_array_add (recipients, g_strdup (address->address));
    }
}

static HeronStoreSourceWriter *
write_source (HeronStore  *store,
              GBytes      *bytes,
              GError     **error)
{
  g_autoptr(HeronStoreSourceWriter) writer = heron_store_source_writer_new (store, error);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (writer == NULL ||
      !heron_store_source_writer_write (writer, data, len, error) ||
      !heron_store_source_writer_close (writer, error))
    return NULL;
  return g_steal_pointer (&writer);
}

static GBytes *
read_source (HeronSyncCore  *core,
             gint64          id,
             GError        **error)
{
  g_autoptr(GInputStream) in = heron_store_outbox_open_source (core->store, id, core->cancellable, error);

  return in != NULL ? _heron_sync_read_stream (in, core->cancellable, error) : NULL;
}

/* Events */

static void
post_event (HeronSyncCore      *core,
            HeronSyncEventKind  kind,
            const char         *message_id,
            const GError       *error)
{
  HeronSyncEvent *event = heron_sync_event_new (kind);

  event->message_id = g_strdup (message_id);
  if (error != NULL)
    event->error = g_error_copy (error);
  _heron_sync_core_post (core, event);
}

/* Scheduling */

static gboolean outbox_run (HeronSyncCore  *core,
                            HeronSyncJob   *job,
                            GError        **error);

static void
queue_run_always (HeronSyncCore *core)
{
  HeronSyncOutbox *outbox = core->outbox;
  HeronSyncJob *job;

  if (outbox->stopped)
    return;
  outbox->run_queued = TRUE;
  job = g_new0 (HeronSyncJob, 1);
  job->kind = HERON_SYNC_JOB_CUSTOM;
  job->run = outbox_run;
  _heron_sync_queue_job (core, job);
}

static void
queue_run (HeronSyncCore *core)
{
  if (!core->outbox->run_queued)
    queue_run_always (core);
}

static void
clear_timer (HeronSyncOutbox *outbox)
{
  if (outbox->timer == NULL)
    return;
  g_source_destroy (outbox->timer);
  g_clear_pointer (&outbox->timer, g_source_unref);
}

static gboolean
on_timer (gpointer user_data)
{
  HeronSyncCore *core = user_data;

  g_clear_pointer (&core->outbox->timer, g_source_unref);
  queue_run (core);
  return G_SOURCE_REMOVE;
}

static void
schedule_at (HeronSyncCore *core,
             gint64         when)
{
  HeronSyncOutbox *outbox = core->outbox;
  gint64 delay_ms = MAX (when - g_get_real_time (), 0) / 1000;
  GSource *source;

  clear_timer (outbox);
  if (outbox->stopped)
    return;
  source = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (source, on_timer, core, NULL);
  g_source_set_static_name (source, "[heron] outbox retry");
  g_source_attach (source, core->context);
  outbox->timer = source;
}

/* The delay before attempt n + 1 after n failed ones: the worker's reconnect back-off, doubled
 * per failure, ±25 %. */
static gint64
next_attempt_after (HeronSyncCore *core,
                    guint          attempts)
{
  guint64 delay = core->backoff_initial_ms;

  for (guint i = 1; i < attempts && delay < core->backoff_max_ms; i++)
    delay *= 2;
  delay = MIN (delay, core->backoff_max_ms);
  delay = (guint64) (delay * g_random_double_range (0.75, 1.25));
  return g_get_real_time () + (gint64) delay * 1000;
}

/* Filing the copy in Sent */

static void queue_run_always (HeronSyncCore *core);

static gboolean
file_sent_copy (HeronSyncCore          *core,
                HeronStoreOutboxEntry  *entry,
                GError                **error)
{
  HeronSyncOutbox *outbox = core->outbox;
  g_autoptr(HeronStoreFolder) sent = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autoptr(HeronStoreMessage) summary = NULL;
  g_autoptr(HeronStoreSourceWriter) writer = NULL;
  g_autoptr(GArray) existing = NULL;
  gint64 local_uid = 0;

  if (outbox->server_files_sent)
    {
      g_debug ("%s: %s files sent mail itself: no copy of <%s>", core->user, outbox->smtp.host, entry->message_id);
      return heron_store_outbox_remove (core->store, entry->id, error);
    }

  sent = _heron_sync_find_special_folder (core, outbox->sent_folder, HERON_STORE_SPECIAL_USE_SENT, NULL);
  if (sent == NULL)
    {
      g_autoptr(GPtrArray) folders = heron_store_get_folders (core->store, NULL);

      /* The folder list is not known yet (the first connection): file it once the folder list
       * job queued by the login ran (or after the next login). */
      if (folders == NULL || folders->len == 0)
        {
          if (_heron_sync_find_queued (core, HERON_SYNC_JOB_SYNC_FOLDERS, NULL, NULL) != NULL)
            queue_run_always (core);
          return TRUE;
        }
      g_debug ("%s: no Sent folder: no copy of <%s>", core->user, entry->message_id);
      return heron_store_outbox_remove (core->store, entry->id, error);
    }

  /* After a crash between filing and removing the entry, the copy is there already. */
  existing = heron_store_lookup_message_id (core->store, entry->message_id, NULL);
  for (guint i = 0; existing != NULL && i < existing->len; i++)
    if (g_array_index (existing, HeronStoreMessageRef, i).folder_id == sent->id)
      return heron_store_outbox_remove (core->store, entry->id, error);

  bytes = read_source (core, entry->id, error);
  if (bytes == NULL)
    return FALSE;
  message = heron_mime_message_new_from_bytes (bytes, error);
  if (message == NULL)
    return FALSE;
  summary = _heron_sync_summary_from_message (message, g_bytes_get_size (bytes), HERON_STORE_FLAG_SEEN, NULL);
  writer = write_source (core->store, bytes, error);
  if (writer == NULL)
    return FALSE;
  _heron_sync_core_remember_folder (core, sent->id, sent->name);
  if (heron_store_op_append (core->store, sent->id, summary, writer,
                             heron_mime_message_get_text (message), &local_uid, error) == 0)
    return FALSE;
  g_debug ("%s: <%s> filed in %s as %" G_GINT64_FORMAT, core->user, entry->message_id, sent->name, local_uid);
  if (!heron_store_outbox_remove (core->store, entry->id, error))
    return FALSE;
  _heron_sync_queue_replay (core);
  return TRUE;
}

/* Sending one entry: the hand-over between the worker and the sender thread */

static Send *
send_ref (Send *send)
{
  g_atomic_int_inc (&send->ref_count);
  return send;
}

static void
send_unref (Send *send)
{
  if (!g_atomic_int_dec_and_test (&send->ref_count))
    return;
  g_assert (send->client == NULL);
  g_free (send->message_id);
  g_free (send->from);
  g_strfreev (send->recipients);
  g_bytes_unref (send->wire);
  heron_smtp_client_settings_clear (&send->settings);
  g_object_unref (send->cancellable);
  g_clear_object (&send->tokens);
  heron_store_outbox_entry_free (send->entry);
  g_clear_error (&send->mark_error);
  g_clear_pointer (&send->result, heron_smtp_send_result_unref);
  g_clear_error (&send->error);
  g_free (send);
}

/* A source calling @func (@send) on @context (after @delay_ms, or as soon as it can), holding a
 * reference to @send. Attached, never g_main_context_invoke(): that would call @func at once on
 * the calling thread when no thread owns @context yet. Returns the source (a reference). */
static GSource *
attach_send_source (GMainContext *context,
                    guint         delay_ms,
                    GSourceFunc   func,
                    Send         *send,
                    const char   *name)
{
  GSource *source = delay_ms > 0 ? g_timeout_source_new (delay_ms) : g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, send_ref (send), (GDestroyNotify) send_unref);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  return source;
}

static gboolean
cancel_send (gpointer user_data)
{
  Send *send = user_data;

  g_cancellable_cancel (send->cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancels @send's upload from the sender thread itself: a GCancellable cancelled on another
 * thread while the sender frees one of its cancellable sources leaks that source in GLib 2.74
 * (the handler is disconnected before it runs); LeakSanitizer saw it in the sanitizer leg. */
static void
cancel_on_sender (HeronSyncOutbox *outbox,
                  Send            *send)
{
  g_source_unref (attach_send_source (outbox->sender_context, 0, cancel_send, send, "[heron] outbox cancel"));
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Worker thread: the sender's before-end hook asks to record SENDING. Answers it (the hook
 * waits): RECORDED once it is durable, REFUSED when stopping, when the entry was discarded or
 * when the store failed; never inside another job's open store batch. */
static gboolean
record_sending (gpointer user_data)
{
  Send *send = user_data;
  HeronSyncCore *core = send->core;
  HeronSyncOutbox *outbox = core->outbox;
  g_autoptr(GError) error = NULL;
  Mark mark;

  g_clear_pointer (&send->mark_retry, g_source_unref);
  g_mutex_lock (&outbox->lock);
  mark = send->mark;
  g_mutex_unlock (&outbox->lock);
  if (mark != MARK_ASKED)
    return G_SOURCE_REMOVE;   /* _stop refused it already */

  if (g_atomic_int_get (&core->stopping) || send->discarded)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was cancelled"));
  else if (heron_store_in_transaction (core->store))
    {
      /* another job's batch is open while it awaits the network: not inside it */
      send->mark_retry = attach_send_source (core->context, STORE_RETRY_MS, record_sending, send,
                                             "[heron] outbox sending");
      return G_SOURCE_REMOVE;
    }
  else if (!heron_store_outbox_set_state (core->store, send->id, HERON_STORE_OUTBOX_SENDING,
                                          NULL, 0, FALSE, &error))
    send->store_failed = TRUE;

  g_mutex_lock (&outbox->lock);
  send->mark = error == NULL ? MARK_RECORDED : MARK_REFUSED;
  send->mark_error = g_steal_pointer (&error);
  g_cond_broadcast (&outbox->cond);
  g_mutex_unlock (&outbox->lock);
  return G_SOURCE_REMOVE;
}

/* Sender thread: the whole message but its final "." went out. The end goes out only once the
 * worker recorded SENDING durably. */
static gboolean
before_end (gpointer   user_data,
            GError   **error)
{
  Send *send = user_data;
  HeronSyncOutbox *outbox = send->core->outbox;
  gboolean recorded;

  test_crash_point ("before-end");
  g_mutex_lock (&outbox->lock);
  if (outbox->halting || g_cancellable_is_cancelled (send->cancellable))
    {
      g_mutex_unlock (&outbox->lock);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was cancelled"));
      return FALSE;
    }
  send->mark = MARK_ASKED;
  g_mutex_unlock (&outbox->lock);

  g_source_unref (attach_send_source (send->core->context, 0, record_sending, send,
                                      "[heron] outbox sending"));

  g_mutex_lock (&outbox->lock);
  while (send->mark == MARK_ASKED)
    g_cond_wait (&outbox->cond, &outbox->lock);
  recorded = send->mark == MARK_RECORDED;
  if (!recorded)
    g_propagate_error (error, g_steal_pointer (&send->mark_error));
  g_mutex_unlock (&outbox->lock);
  return recorded;
}

static gboolean send_done (gpointer user_data);

/* Sender thread: the transaction ended; its outcome goes to the worker. */
static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Send *send = user_data;
  HeronSyncOutbox *outbox = send->core->outbox;

  send->result = heron_smtp_client_send_finish (send->client, result, &send->error);
  if (send->result != NULL)
    test_crash_point ("after-accept");
  g_clear_object (&send->client);
  send->finished = TRUE;
  g_source_unref (attach_send_source (send->core->context, 0, send_done, send, "[heron] outbox sent"));

  outbox->sender_busy = FALSE;
  if (outbox->sender_quit)
    g_main_loop_quit (outbox->sender_loop);
  send_unref (send);
}

/* Sender thread: one SMTP transaction (connect, EHLO, AUTH, envelope, DATA, QUIT). */
static gboolean
sender_start (gpointer user_data)
{
  Send *send = user_data;
  HeronSyncOutbox *outbox = send->core->outbox;

  outbox->sender_busy = TRUE;
  /* made here: a client belongs to the context current when it is made */
  send->client = heron_smtp_client_new (&send->settings);
  heron_smtp_client_settings_clear (&send->settings);   /* the client keeps its own copy */
  heron_smtp_client_send_bytes_full_async (send->client, send->from, (const char * const *) send->recipients,
                                           send->wire, before_end, send, send->cancellable,
                                           on_sent, send_ref (send));
  return G_SOURCE_REMOVE;
}

/* Sender thread: _stop asks it to end, once the send it has (cancelled) is over. */
static gboolean
sender_quit (gpointer user_data)
{
  HeronSyncOutbox *outbox = user_data;

  outbox->sender_quit = TRUE;
  if (!outbox->sender_busy)
    g_main_loop_quit (outbox->sender_loop);
  return G_SOURCE_REMOVE;
}

static gpointer
sender_thread (gpointer user_data)
{
  HeronSyncOutbox *outbox = user_data;

  g_main_context_push_thread_default (outbox->sender_context);
  g_main_loop_run (outbox->sender_loop);
  /* what the last connection left to do (closing) */
  while (g_main_context_iteration (outbox->sender_context, FALSE))
    ;
  g_main_context_pop_thread_default (outbox->sender_context);
  return NULL;
}

/* Worker thread: @send goes to the sender thread (started the first time). */
static void
hand_to_sender (HeronSyncCore *core,
                Send          *send)
{
  HeronSyncOutbox *outbox = core->outbox;

  g_assert (outbox->current == NULL);
  if (outbox->sender == NULL)
    {
      outbox->sender_context = g_main_context_new ();
      outbox->sender_loop = g_main_loop_new (outbox->sender_context, FALSE);
      outbox->sender = g_thread_new ("heron-outbox", sender_thread, outbox);
    }
  outbox->current = send_ref (send);
  g_source_unref (attach_send_source (outbox->sender_context, 0, sender_start, send, "[heron] outbox send"));
}

static const char *
smtp_password (HeronSyncCore  *core,
               GError        **error)
{
  HeronSyncOutbox *outbox = core->outbox;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };
  char *password;

  if (outbox->password != NULL)
    return outbox->password;
  if (outbox->keyring_password != NULL)
    return outbox->keyring_password;

  heron_secrets_lookup_async (core->account_id, HERON_ACCOUNT_PROTOCOL_SMTP, outbox->smtp.host,
                              outbox->smtp.user, core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  password = heron_secrets_lookup_finish (result, error);
  if (password == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH,
                     _("No password is stored for %s on %s"), outbox->smtp.user, outbox->smtp.host);
      return NULL;
    }
  outbox->keyring_password = g_strdup (password);
  heron_secrets_free (password);
  return outbox->keyring_password;
}

/* Worker thread, before an attempt: what the account's SMTP login needs. A password account's
 * password (the tests', or the keyring's) goes to *out_password (not to be freed; NULL without
 * a user: no AUTH). An OAuth2 account needs its token source: the SMTP client asks it for a
 * token when it authenticates, from whatever thread sends, and the source asks the provider on
 * its owner's thread (and again with force_refresh once when the server refuses the token).
 * FALSE with error when there is no way to log in: a failure for good, until the person acts. */
static gboolean
smtp_credentials (HeronSyncCore  *core,
                  const char    **out_password,
                  GError        **error)
{
  HeronSyncOutbox *outbox = core->outbox;

  *out_password = NULL;
  if (outbox->smtp.user == NULL)
    return TRUE;
  if (outbox->auth != HERON_ACCOUNT_AUTH_PASSWORD)
    {
      if (core->oauth2_tokens == NULL)
        {
          g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH,
                       _("Sending through %s needs an OAuth2 sign-in, and no OAuth2 provider "
                         "(such as GNOME Online Accounts) is available"), outbox->smtp.host);
          return FALSE;
        }
      return TRUE;
    }
  *out_password = smtp_password (core, error);
  return *out_password != NULL;
}

/* Puts those credentials into settings, a copy of outbox->smtp (any thread). An OAuth2 send
 * asks through its own scope of the token source (*out_tokens): what the provider said is this
 * send's. */
static void
smtp_apply_credentials (HeronSyncCore            *core,
                        HeronSmtpClientSettings  *settings,
                        const char               *password,
                        HeronOAuth2TokenSource  **out_tokens)
{
  HeronSyncOutbox *outbox = core->outbox;

  *out_tokens = NULL;
  if (outbox->auth == HERON_ACCOUNT_AUTH_PASSWORD || outbox->smtp.user == NULL)
    {
      settings->password = g_strdup (password);
      return;
    }
  *out_tokens = heron_oauth2_token_source_new_scope (core->oauth2_tokens);
  g_set_object (&settings->token_provider, HERON_IMAP_TOKEN_PROVIDER (*out_tokens));
  settings->auth_mechanism = outbox->auth == HERON_ACCOUNT_AUTH_OAUTHBEARER ? HERON_SMTP_AUTH_OAUTHBEARER
                                                                            : HERON_SMTP_AUTH_XOAUTH2;
}

/* Records a failure of an attempt that did not reach the end of the data. */
static void
record_failure (HeronSyncCore         *core,
                HeronStoreOutboxEntry *entry,
                const GError          *failure,
                gboolean               transient)
{
  g_autoptr(GError) error = NULL;
  HeronStoreOutboxState state = transient ? HERON_STORE_OUTBOX_QUEUED : HERON_STORE_OUTBOX_FAILED;
  gint64 next = transient ? next_attempt_after (core, MAX (entry->attempts, 1)) : 0;

  g_debug ("%s: <%s> not sent (%s): %s", core->user, entry->message_id,
           transient ? "will retry" : "for good", failure->message);
  if (!heron_store_outbox_set_state (core->store, entry->id, state, failure->message, next, FALSE, &error))
    g_warning ("The outbox could not record a failure: %s", error->message);
  /* the run's copy follows the store (outbox_run sets its timer from it) */
  entry->state = state;
  entry->next_attempt = next;
  post_event (core, HERON_SYNC_EVENT_SEND_FAILED, entry->message_id, failure);
}

/* Worker thread: prepares @entry (its source, the credentials, the attempt counted) and hands
 * it to the sender thread; send_done() records how it ended. A failure found here (no
 * password) is recorded at once. FALSE only when the store fails. */
static gboolean
send_entry (HeronSyncCore          *core,
            HeronStoreOutboxEntry  *entry,
            GError                **error)
{
  HeronSyncOutbox *outbox = core->outbox;
  g_autoptr(GBytes) source = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GError) failure = NULL;
  HeronSmtpClientSettings settings;
  const char *password = NULL;
  Send *send;

  source = read_source (core, entry->id, error);
  if (source == NULL)
    return FALSE;
  /* Bcc is for the envelope only; the copy in Sent keeps it (docs/smtp.md) */
  wire = heron_mime_remove_header_fields (source, HERON_MIME_BCC_FIELDS);

  if (!smtp_credentials (core, &password, &failure))
    {
      if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return TRUE;
      record_failure (core, entry, failure, FALSE);
      return TRUE;
    }

  if (!heron_store_outbox_set_state (core->store, entry->id, HERON_STORE_OUTBOX_QUEUED, entry->error,
                                     0, TRUE, error))
    return FALSE;
  entry->attempts++;

  heron_smtp_client_settings_copy (&outbox->smtp, &settings);
  send = g_new0 (Send, 1);
  smtp_apply_credentials (core, &settings, password, &send->tokens);
  send->ref_count = 1;
  send->core = core;
  send->id = entry->id;
  send->message_id = g_strdup (entry->message_id);
  send->from = g_strdup (entry->sender);
  send->recipients = g_strdupv (entry->recipients);
  send->wire = g_steal_pointer (&wire);
  send->settings = settings;   /* taken: the sender thread makes its client with it */
  send->cancellable = g_cancellable_new ();
  send->entry = heron_store_outbox_entry_copy (entry);

  g_debug ("%s: sending <%s> to %u recipients (attempt %u)", core->user, entry->message_id,
           g_strv_length (entry->recipients), entry->attempts);
  hand_to_sender (core, send);
  send_unref (send);
  return TRUE;
}

/* Worker thread: what the send ended with goes to the store (not inside a job's batch) and to
 * the events. Drops the current send. */
static void
finish_send (HeronSyncCore *core,
             Send          *send)
{
  HeronSyncOutbox *outbox = core->outbox;
  HeronStoreOutboxEntry *entry = send->entry;
  const GError *failure = send->error;
  g_autoptr(GError) error = NULL;
  gboolean reached_end;

  g_assert (outbox->current == send && send->finished);
  outbox->current = NULL;
  g_mutex_lock (&outbox->lock);
  reached_end = send->mark == MARK_RECORDED;
  g_mutex_unlock (&outbox->lock);

  if (send->discarded)
    {
      /* The person gave it up while it was being sent: its entry is gone. If the server took
       * it anyway, say so. */
      g_debug ("%s: <%s> was discarded while being sent", core->user, entry->message_id);
      if (send->result != NULL)
        post_event (core, HERON_SYNC_EVENT_SENT, entry->message_id, NULL);
    }
  else if (send->result != NULL)
    {
      g_autofree char *rejections = heron_smtp_send_result_dup_rejections (send->result);
      g_autoptr(GError) partial = NULL;

      if (rejections != NULL)
        partial = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_RECIPIENTS_REJECTED,
                               _("The message was sent, but not to every recipient: %s"), rejections);
      if (heron_store_outbox_set_state (core->store, entry->id, HERON_STORE_OUTBOX_SENT,
                                        partial != NULL ? partial->message : NULL, 0, FALSE, &error))
        {
          entry->state = HERON_STORE_OUTBOX_SENT;
          post_event (core, HERON_SYNC_EVENT_SENT, entry->message_id, partial);
          /* the copy for Sent is filed by the next run (a job: the journal's APPEND) */
        }
    }
  else if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopping. Before the end the entry stays QUEUED; after it, SENDING (found at the next
       * start, it becomes "may have been sent"). */
    }
  else if (send->store_failed)
    {
      /* The store could not record the point of no return: the end was never sent. */
      record_failure (core, entry, failure, TRUE);
    }
  else if (reached_end && heron_smtp_error_get_reply (failure) == NULL)
    {
      g_autoptr(GError) uncertain = NULL;

      /* No answer to the end of the data: it may have been taken. */
      if (g_error_matches (failure, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED))
        uncertain = g_error_copy (failure);
      else
        uncertain = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED,
                                 _("The message may have been sent: the connection to %s failed "
                                   "after the whole message was sent (%s)"),
                                 outbox->smtp.host, failure->message);
      g_debug ("%s: <%s> may have been sent: %s", core->user, entry->message_id, uncertain->message);
      if (heron_store_outbox_set_state (core->store, entry->id, HERON_STORE_OUTBOX_UNCERTAIN,
                                        uncertain->message, 0, FALSE, &error))
        {
          entry->state = HERON_STORE_OUTBOX_UNCERTAIN;
          post_event (core, HERON_SYNC_EVENT_SEND_FAILED, entry->message_id, uncertain);
        }
    }
  else
    {
      g_autoptr(GError) provider_error = NULL;

      if (g_error_matches (failure, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH))
        {
          g_clear_pointer (&outbox->keyring_password, wipe_free);
          if (send->tokens != NULL)
            provider_error = heron_oauth2_token_source_dup_error (send->tokens);
        }

      /* A definite answer (or nothing reached the server): try again later, or wait for the
       * person. An OAuth2 provider that could not be reached now is no answer: later. */
      record_failure (core, entry, failure,
                      failure->domain == G_IO_ERROR || heron_smtp_error_is_transient (failure) ||
                      heron_oauth2_token_source_error_is_transient (provider_error));
    }

  if (error != NULL)
    {
      g_warning ("The outbox could not handle <%s>: %s", entry->message_id, error->message);
      _heron_sync_core_post_error (core, NULL, error);
    }
  send_unref (send);   /* the worker's (current) */
}

/* Worker thread: the sender handed the send back. */
static gboolean
send_done (gpointer user_data)
{
  Send *send = user_data;
  HeronSyncCore *core = send->core;

  g_clear_pointer (&send->done_retry, g_source_unref);
  if (core->outbox->current != send)
    return G_SOURCE_REMOVE;   /* _stop recorded it */
  if (heron_store_in_transaction (core->store))
    {
      /* another job's batch is open while it awaits the network: not inside it */
      send->done_retry = attach_send_source (core->context, STORE_RETRY_MS, send_done, send,
                                             "[heron] outbox sent");
      return G_SOURCE_REMOVE;
    }
  finish_send (core, send);
  /* the copy for Sent, and the next entry */
  queue_run (core);
  return G_SOURCE_REMOVE;
}

/* The job: files what was sent, hands the next due entry to the sender thread (one at a time:
 * the end of that send queues the next run), and sets the timer for the next retry. */
static gboolean
outbox_run (HeronSyncCore  *core,
            HeronSyncJob   *job,
            GError        **error)
{
  HeronSyncOutbox *outbox = core->outbox;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 next = G_MAXINT64;

  outbox->run_queued = FALSE;
  entries = heron_store_outbox_list (core->store, error);
  if (entries == NULL)
    return FALSE;

  for (guint i = 0; i < entries->len && !g_cancellable_is_cancelled (core->cancellable); i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) local_error = NULL;
      gboolean ok = TRUE;

      switch (entry->state)
        {
        case HERON_STORE_OUTBOX_QUEUED:
          /* One at a time, in order: while a send runs, the rest waits for the run its end
           * queues. */
          if (outbox->current != NULL)
            continue;
          if (entry->next_attempt > g_get_real_time ())
            {
              next = MIN (next, entry->next_attempt);
              continue;
            }
          ok = send_entry (core, entry, &local_error);
          break;
        case HERON_STORE_OUTBOX_SENT:
          ok = file_sent_copy (core, entry, &local_error);
          break;
        case HERON_STORE_OUTBOX_SENDING:
        case HERON_STORE_OUTBOX_FAILED:
        case HERON_STORE_OUTBOX_UNCERTAIN:
        default:
          continue;
        }
      if (!ok)
        {
          g_warning ("The outbox could not handle <%s>: %s", entry->message_id, local_error->message);
          _heron_sync_core_post_error (core, NULL, local_error);
        }
      /* An entry that failed before it went to the sender has its next attempt in @entry now
       * (record_failure) */
      if (entry->state == HERON_STORE_OUTBOX_QUEUED && outbox->current == NULL)
        next = MIN (next, entry->next_attempt);
    }

  if (next != G_MAXINT64)
    schedule_at (core, next);
  return TRUE;
}

/* Life cycle (worker thread) */

void
_heron_sync_outbox_start (HeronSyncCore *core)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  /* The cache's Sent folders are the ones the account sends to and the client shows as Sent
   * (the configured one, else the server's \Sent): the conversations of each folder count their
   * replies, and a threaded list follows their changes (docs/store.md) */
  if (!heron_store_set_sent_folder (core->store, core->outbox->sent_folder, &error))
    {
      g_warning ("The cache could not record the Sent folder: %s", error->message);
      _heron_sync_core_post_error (core, NULL, error);
      g_clear_error (&error);
    }

  entries = heron_store_outbox_list (core->store, &error);
  if (entries == NULL)
    {
      g_warning ("The outbox cannot be read: %s", error->message);
      _heron_sync_core_post_error (core, NULL, error);
      return;
    }

  /* A crash (or a stop) after the end of the data went out and before the answer was recorded:
   * the message may have been sent. It is not sent again by itself. */
  for (guint i = 0; i < entries->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) uncertain = NULL;

      if (entry->state != HERON_STORE_OUTBOX_SENDING)
        continue;
      uncertain = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED,
                               _("The message may have been sent: Heron stopped after sending it "
                                 "to %s and before the server confirmed it"),
                               core->outbox->smtp.host);
      if (!heron_store_outbox_set_state (core->store, entry->id, HERON_STORE_OUTBOX_UNCERTAIN,
                                         uncertain->message, 0, FALSE, &error))
        {
          g_warning ("The outbox could not record a message that may have been sent: %s", error->message);
          g_clear_error (&error);
          continue;
        }
      post_event (core, HERON_SYNC_EVENT_SEND_FAILED, entry->message_id, uncertain);
    }
  queue_run (core);
}

void
_heron_sync_outbox_online (HeronSyncCore *core)
{
  g_autoptr(GError) error = NULL;

  /* The network is back: what waits for a retry goes now; and a copy waiting for the folder list
   * is filed. */
  if (!heron_store_outbox_retry_now (core->store, &error))
    {
      g_warning ("The outbox could not be rescheduled: %s", error->message);
      _heron_sync_core_post_error (core, NULL, error);
    }
  /* After the jobs of the login (the folder list first: a copy for Sent needs it), even when a
   * run is queued already before them. The run finds an empty outbox at once. */
  queue_run_always (core);
}

void
_heron_sync_outbox_stop (HeronSyncCore *core)
{
  HeronSyncOutbox *outbox = core->outbox;
  Send *send = outbox->current;

  outbox->stopped = TRUE;
  clear_timer (outbox);

  /* A before-end hook waiting for the worker is refused, and none is asked from now on: the end
   * of the message is never written, so the entry stays QUEUED and the server drops what it
   * got. */
  g_mutex_lock (&outbox->lock);
  outbox->halting = TRUE;
  if (send != NULL && send->mark == MARK_ASKED)
    {
      send->mark = MARK_REFUSED;
      send->mark_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was cancelled"));
    }
  g_cond_broadcast (&outbox->cond);
  g_mutex_unlock (&outbox->lock);

  /* The upload (or the wait for the reply) ends; then the thread. */
  if (send != NULL && outbox->sender_context != NULL)
    cancel_on_sender (outbox, send);
  else if (send != NULL)
    g_cancellable_cancel (send->cancellable);
  if (outbox->sender != NULL)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, sender_quit, outbox, NULL);
      g_source_set_static_name (source, "[heron] outbox quit");
      g_source_attach (source, outbox->sender_context);
      g_source_unref (source);
      g_thread_join (g_steal_pointer (&outbox->sender));
    }

  /* What the send ended with is recorded now, before the store closes: a 250 that came just
   * before the stop is SENT, not "may have been sent". */
  if (send != NULL)
    {
      clear_source (&send->mark_retry);
      clear_source (&send->done_retry);
      if (!heron_store_in_transaction (core->store))
        finish_send (core, send);
      else
        {
          /* (no job runs now; should one have left a batch open, the entry keeps its durable
           * state: QUEUED, or SENDING, which the next start makes "may have been sent") */
          outbox->current = NULL;
          send_unref (send);
        }
    }
}

/* Requests */

static gboolean
enqueue (HeronSyncCore  *core,
         HeronSyncJob   *job,
         GError        **error)
{
  static const char * const draft_fields[] = { HERON_MIME_DRAFT_HEADER, NULL };
  GBytes *original = job->data;
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) added = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HeronStoreSourceWriter) writer = NULL;
  g_autoptr(HeronStoreOutboxEntry) entry = heron_store_outbox_entry_new ();
  g_autofree char *message_id = NULL;
  const char *eol = line_end_of (original);
  HeronMimeAddress *from;
  const char *id;
  gint64 outbox_id;

  message = heron_mime_message_new_from_bytes (original, error);
  if (message == NULL)
    return FALSE;
  if (heron_mime_message_get_flags (message) & HERON_MIME_MESSAGE_NO_HEADERS)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("This is not a message: it has no header"));
      return FALSE;
    }
  if (heron_mime_message_get_from (message)->len == 0 ||
      *((HeronMimeAddress *) g_ptr_array_index (heron_mime_message_get_from (message), 0))->address == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The message has no sender address (From)"));
      return FALSE;
    }
  from = g_ptr_array_index (heron_mime_message_get_from (message), 0);
  add_addresses (recipients, heron_mime_message_get_to (message));
  add_addresses (recipients, heron_mime_message_get_cc (message));
  add_addresses (recipients, heron_mime_message_get_bcc (message));
  if (recipients->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The message has no recipients in To, Cc or Bcc"));
      return FALSE;
    }
  /* Refused now rather than by the server later */
  for (guint i = 0; i < recipients->len; i++)
    if (!heron_account_address_is_valid (g_ptr_array_index (recipients, i)))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("“%s” is not an e-mail address"), (char *) g_ptr_array_index (recipients, i));
        return FALSE;
      }
  if (!heron_account_address_is_valid (from->address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not an e-mail address"), from->address);
      return FALSE;
    }
  g_ptr_array_add (recipients, NULL);

  /* Every copy (each recipient's, Sent's) must carry the same Message-ID and Date: the server
   * would add its own to the copies it delivers only. */
  id = heron_mime_message_get_message_id (message);
  if (id == NULL || *id == '\0')
    {
      g_autofree char *uuid = g_uuid_string_random ();

      message_id = g_strdup_printf ("%s@%s", uuid, domain_of (from->address));
      g_string_append_printf (added, "Message-ID: <%s>%s", message_id, eol);
    }
  else
    message_id = g_strdup (id);
  if (heron_mime_message_get_date (message) == NULL)
    {
      /* RFC 5322 names the days and months in English, whatever the locale */
      static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
      static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                             "Sep", "Oct", "Nov", "Dec" };
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *offset = g_date_time_format (now, "%z");

      g_string_append_printf (added, "Date: %s, %02d %s %d %02d:%02d:%02d %s%s",
                              days[g_date_time_get_day_of_week (now) - 1], g_date_time_get_day_of_month (now),
                              months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
                              g_date_time_get_hour (now), g_date_time_get_minute (now),
                              g_date_time_get_second (now), offset, eol);
    }
  /* a draft's marker does not go out */
  bytes = edit_header (original, draft_fields, added->len > 0 ? added->str : NULL);

  writer = write_source (core->store, bytes, error);
  if (writer == NULL)
    return FALSE;
  entry->message_id = g_strdup (message_id);
  entry->sender = g_strdup (from->address);
  entry->recipients = (GStrv) g_ptr_array_steal (recipients, NULL);
  entry->subject = g_strdup (heron_mime_message_get_subject (message));
  outbox_id = heron_store_outbox_add (core->store, entry, writer, error);
  if (outbox_id == 0)
    return FALSE;
  g_debug ("%s: <%s> queued in the outbox (%" G_GINT64_FORMAT ")", core->user, message_id, outbox_id);

  job->result = g_steal_pointer (&message_id);
  job->result_free = g_free;
  queue_run (core);
  return TRUE;
}

void
heron_account_worker_send_async (HeronAccountWorker  *self,
                                 GBytes              *message,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  HeronSyncJob *job;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (message != NULL);

  job = _heron_sync_job_new_custom (self, enqueue, FALSE, heron_account_worker_send_async,
                                    cancellable, callback, user_data);
  job->data = g_bytes_ref (message);
  job->data_free = (GDestroyNotify) g_bytes_unref;
  /* Storing it takes a moment; a sync in the queue can wait for that */
  job->urgent = TRUE;
  _heron_sync_hand_over (self, job);
}

gboolean
heron_account_worker_send_finish (HeronAccountWorker  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_autofree char *message_id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  message_id = g_task_propagate_pointer (G_TASK (result), error);
  return message_id != NULL;
}

/* Drafts */

typedef struct {
  GBytes *message;
  gint64  replaces_uid;
} DraftData;

static void
draft_data_free (gpointer data)
{
  DraftData *draft = data;

  g_bytes_unref (draft->message);
  g_free (draft);
}

static gboolean
save_draft (HeronSyncCore  *core,
            HeronSyncJob   *job,
            GError        **error)
{
  DraftData *draft = job->data;
  g_autoptr(HeronStoreFolder) drafts = NULL;
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autoptr(HeronStoreMessage) summary = NULL;
  g_autoptr(HeronStoreSourceWriter) writer = NULL;
  gint64 local_uid = 0;

  drafts = _heron_sync_find_special_folder (core, core->outbox->drafts_folder, HERON_STORE_SPECIAL_USE_DRAFTS, NULL);
  if (drafts == NULL && _heron_sync_core_is_online (core))
    {
      /* Saved right after connecting, before the folder list job ran (it waits behind this
       * one): learn the folders now. */
      g_autoptr(GError) list_error = NULL;

      if (!_heron_sync_folders (core, &list_error))
        g_debug ("%s: listing folders for a draft: %s", core->user, list_error->message);
      drafts = _heron_sync_find_special_folder (core, core->outbox->drafts_folder, HERON_STORE_SPECIAL_USE_DRAFTS, NULL);
    }
  if (drafts == NULL)
    {
      g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                   _("The account %s has no Drafts folder"), core->user);
      return FALSE;
    }
  message = heron_mime_message_new_from_bytes (draft->message, error);
  if (message == NULL)
    return FALSE;
  summary = _heron_sync_summary_from_message (message, g_bytes_get_size (draft->message),
                                              HERON_STORE_FLAG_DRAFT | HERON_STORE_FLAG_SEEN, NULL);
  writer = write_source (core->store, draft->message, error);
  if (writer == NULL)
    return FALSE;
  _heron_sync_core_remember_folder (core, drafts->id, drafts->name);

  /* The new version first: a crash between the two leaves two drafts, never none. */
  if (heron_store_op_append (core->store, drafts->id, summary, writer,
                             heron_mime_message_get_text (message), &local_uid, error) == 0)
    return FALSE;

  if (draft->replaces_uid != 0)
    {
      g_autoptr(HeronStoreMessage) old = heron_store_get_message (core->store, drafts->id, draft->replaces_uid, NULL);
      g_autoptr(GError) local_error = NULL;
      gint64 uid = draft->replaces_uid;

      /* A local UID the server numbered meanwhile (its APPEND was replayed): the journal knows
       * it while it is not empty; else the draft is found by its Message-ID. */
      if (old == NULL && uid < 0)
        {
          const char *old_id = core->outbox->draft_ids != NULL ?
                               g_hash_table_lookup (core->outbox->draft_ids, &uid) : NULL;
          guint32 server_uid = 0;

          if (heron_store_journal_resolve_uid (core->store, uid, &server_uid, NULL) && server_uid != 0)
            uid = server_uid;
          else if (old_id != NULL)
            {
              g_autoptr(GArray) refs = heron_store_lookup_message_id (core->store, old_id, NULL);

              for (guint i = 0; refs != NULL && i < refs->len; i++)
                if (g_array_index (refs, HeronStoreMessageRef, i).folder_id == drafts->id)
                  uid = g_array_index (refs, HeronStoreMessageRef, i).uid;
            }
        }
      if (heron_store_op_expunge (core->store, drafts->id, &uid, 1, &local_error) == 0)
        {
          /* Gone already (deleted elsewhere, or sent): nothing to replace */
          if (!g_error_matches (local_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
    }

  if (summary->message_id != NULL)
    {
      if (core->outbox->draft_ids == NULL)
        core->outbox->draft_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      g_hash_table_replace (core->outbox->draft_ids, g_memdup2 (&local_uid, sizeof local_uid),
                            g_strdup (summary->message_id));
    }
  job->result = g_memdup2 (&local_uid, sizeof local_uid);
  job->result_free = g_free;
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_save_draft_async (HeronAccountWorker  *self,
                                       GBytes              *message,
                                       gint64               replaces_uid,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  HeronSyncJob *job;
  DraftData *draft;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (message != NULL);

  draft = g_new0 (DraftData, 1);
  draft->message = g_bytes_ref (message);
  draft->replaces_uid = replaces_uid;
  job = _heron_sync_job_new_custom (self, save_draft, FALSE, heron_account_worker_save_draft_async,
                                    cancellable, callback, user_data);
  job->data = draft;
  job->data_free = draft_data_free;
  _heron_sync_hand_over (self, job);
}

gint64
heron_account_worker_save_draft_finish (HeronAccountWorker  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_autofree gint64 *uid = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  uid = g_task_propagate_pointer (G_TASK (result), error);
  return uid != NULL ? *uid : 0;
}

/* Retry and discard */

static gboolean
retry_or_discard (HeronSyncCore  *core,
                  HeronSyncJob   *job,
                  gboolean        discard,
                  GError        **error)
{
  g_autoptr(GPtrArray) entries = heron_store_outbox_list (core->store, error);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (entries, i);
      Send *current = core->outbox->current;
      gboolean in_flight = current != NULL && current->id == entry->id;

      if (g_strcmp0 (entry->message_id, job->data) != 0)
        continue;
      if (discard)
        {
          if (entry->state == HERON_STORE_OUTBOX_SENT)
            continue;   /* sent: only its copy for Sent is waiting */
          if (in_flight)
            {
              Mark mark;

              /* Only this thread moves the mark from ASKED to RECORDED (record_sending), and it
               * refuses once discarded is set: what is read here cannot become RECORDED later. */
              g_mutex_lock (&core->outbox->lock);
              mark = current->mark;
              g_mutex_unlock (&core->outbox->lock);
              if (mark == MARK_RECORDED)
                {
                  g_autoptr(GError) too_late = NULL;

                  /* The end is on the wire: only the server's answer (or its absence) tells
                   * whether it went. The entry stays, so that the outcome is recorded: sent, or
                   * "may have been sent". The person is told (the job has no caller to tell). */
                  too_late = g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_FAILED,
                                          _("The message %s can no longer be discarded: all of "
                                            "it went to the server, which has not answered yet"),
                                          entry->message_id);
                  g_debug ("%s: %s", core->user, too_late->message);
                  _heron_sync_core_post_error (core, NULL, too_late);
                  continue;
                }
              /* being sent: the upload stops, and its end is never written */
              current->discarded = TRUE;
              cancel_on_sender (core->outbox, current);
            }
          if (!heron_store_outbox_remove (core->store, entry->id, error))
            return FALSE;
        }
      else if (in_flight)
        continue;   /* being sent right now */
      else if (entry->state == HERON_STORE_OUTBOX_FAILED ||
               entry->state == HERON_STORE_OUTBOX_UNCERTAIN ||
               entry->state == HERON_STORE_OUTBOX_QUEUED)
        {
          if (!heron_store_outbox_set_state (core->store, entry->id, HERON_STORE_OUTBOX_QUEUED,
                                             entry->error, 0, FALSE, error))
            return FALSE;
        }
    }
  if (!discard)
    queue_run (core);
  return TRUE;
}

static gboolean
retry_job (HeronSyncCore  *core,
           HeronSyncJob   *job,
           GError        **error)
{
  return retry_or_discard (core, job, FALSE, error);
}

static gboolean
discard_job (HeronSyncCore  *core,
             HeronSyncJob   *job,
             GError        **error)
{
  return retry_or_discard (core, job, TRUE, error);
}

static void
hand_over_outbox_job (HeronAccountWorker *self,
                      HeronSyncJobFunc    run,
                      const char         *message_id)
{
  HeronSyncJob *job = _heron_sync_job_new_custom (self, run, FALSE, heron_account_worker_retry_send,
                                                  NULL, NULL, NULL);

  job->data = g_strdup (message_id);
  job->data_free = g_free;
  _heron_sync_hand_over (self, job);
}

void
heron_account_worker_retry_send (HeronAccountWorker *self,
                                 const char         *message_id)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (message_id != NULL);

  hand_over_outbox_job (self, retry_job, message_id);
}

void
heron_account_worker_discard_send (HeronAccountWorker *self,
                                   const char         *message_id)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (message_id != NULL);

  hand_over_outbox_job (self, discard_job, message_id);
}
