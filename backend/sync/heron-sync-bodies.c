/* heron-sync-bodies.c: message bodies on demand and prefetched, and the server's search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On demand (heron_account_worker_fetch_body_async()): a person opened a message and waits, so
 * the fetch must not queue behind a long first sync or a prefetch. Jobs never interleave (a job
 * runs to its end, docs/sync.md), so an on-demand fetch is not a job's work: it is a chain of
 * callbacks on the worker's context, started as soon as the request reaches the worker (also
 * while another job awaits the network inside _heron_sync_await(), which iterates the same
 * context), on a connection of its own (opened when first needed, dropped when the account goes
 * offline or the worker stops). The request also queues an urgent custom job, which only carries
 * the caller's GTask: whoever finishes first (the callbacks, or the job when the worker is idle)
 * completes it.
 *
 * Store batches: a job may hold a store batch open while it awaits the network; a write made
 * then would become part of that batch (and of its fate: a rollback would take the body with
 * it, and its change report would wait for the batch). So the callbacks write only when no
 * transaction is open (heron_store_in_transaction()), else they try again a few milliseconds
 * later, when the job has gone back to waiting or finished its batch. Streaming the source into
 * the HeronStoreSourceWriter needs no transaction: it is memory, then a temporary file.
 *
 * Prefetch: after a folder's sync, when the worker has nothing else to do, the bodies inside the
 * account's prefetch window are fetched newest first, in batches (one UID FETCH per batch,
 * streamed into writers; the next batch's FETCH is on the wire while one is stored), on the
 * command connection, as a job that yields to any queued job between batches. The sources are
 * stored by a writer thread with a connection of its own (see "Prefetch" below), raw sources
 * only: a body is local (readable offline, durable) when its slice's transaction commits. Once
 * after the worker starts, when the text pass is done, the cache's housekeeping runs
 * (heron_store_collect_garbage(): files a crash left without a reference).
 *
 * Text pass: the search index and the list snippet of prefetched bodies follow later. When the
 * queue is empty and no prefetch is due, a job of the worker's own takes the messages whose
 * source is local but whose text is not indexed (heron_store_get_messages_needing_text(),
 * newest first), extracts their text with the MIME layer and stores it, in slices of at most
 * TEXT_SLICE messages or TEXT_SLICE_US of work, one transaction each; between slices it lets the
 * worker's context run (on-demand fetches) and ends when a job is queued (it comes back when the
 * queue is empty again). Extraction and FTS5 indexing cost about as much as everything else of a
 * prefetch together, so the bodies arrive at nearly the wire's speed and the index catches up
 * behind them. An on-demand fetch (a person waits to read it) extracts and indexes at once.
 * The same pass first makes the search entries a large first sync left for later
 * (heron_store_index_pending_search(), SEARCH_SLICE rows per transaction: few enough that a job
 * queued meanwhile waits only milliseconds; heron-folder-sync.c).
 *
 * Folder names: the cache keeps the server's names (modified UTF-7 unless UTF8=ACCEPT is on);
 * the session takes UTF-8 and encodes itself, so names go through _heron_sync_wire_name().
 *
 * A message the server does not return: the on-demand connection keeps its EXAMINE, and a
 * server need not show what arrived since without a NOOP; so an empty UID FETCH is followed by
 * NOOP and the FETCH once more. What is still missing then (here or in a prefetch batch) stays
 * in the cache: expunges are the sync's business, and an incremental sync of the folder is
 * scheduled (once per message, so a server that lists a message it will not return cannot make
 * prefetch and sync chase each other). The request fails with NOT_FOUND.
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <gio/gunixinputstream.h>
#include <gmime/gmime.h>

#include "heron-account-worker.h"
#include "heron-sync-private.h"
#include "mime/heron-mime-html.h"
#include "mime/heron-mime-message.h"

/* Messages per prefetch UID FETCH, and per store transaction */
#define PREFETCH_BATCH 200
#define STORE_SLICE 50
/* Larger sources get their text from GMime reading the file part by part */
#define MODEL_MAX_SIZE (4 * 1024 * 1024)
/* Text parts larger than this (encoded) are not indexed */
#define TEXT_PART_MAX_SIZE (4 * 1024 * 1024)
/* How often a write waiting for another job's batch tries again */
#define STORE_RETRY_MS 5
/* How often a request made while the account connects looks again */
#define CONNECTING_RETRY_MS 50
/* The text pass: messages per transaction, and work before it lets others run */
#define TEXT_SLICE 100
#define SEARCH_SLICE 250
#define TEXT_SLICE_US (50 * 1000)

typedef struct _BodyRequest BodyRequest;

struct _HeronSyncBodies {
  HeronImapSession *session;     /* on-demand fetches */
  GQueue            requests;    /* BodyRequest waiting */
  BodyRequest      *active;
  GPtrArray        *prefetch;    /* folder names due for a prefetch, in order */
  GHashTable       *missing;     /* (folder id << 32 | uid) the server did not return, a sync
                                  * scheduled for it */
  gboolean          text_pending; /* bodies may lack their text (the text pass has work) */
  gboolean          text_queued;  /* a text pass job is in the queue */
  gboolean          collected;    /* the cache's garbage was collected since the worker started */
};

typedef struct _HeronSyncBodies HeronSyncBodies;

struct _BodyRequest {
  gint                    ref_count;
  HeronSyncCore          *core;
  HeronSyncJob           *job;          /* the job that carries the task, while it lives */
  gboolean                job_waiting;  /* the job runs and waits for this request */
  char                   *folder;
  gint64                  folder_id;
  gint64                  uid;
  HeronStoreSourceWriter *writer;
  gboolean                got_body;
  gboolean                gone;         /* the server has no such message */
  gboolean                refreshed;    /* NOOP sent after an empty FETCH */
  gboolean                done;
  GError                 *error;
  GSource                *retry;        /* waiting for another job's batch to end */
};

static void process_next (HeronSyncCore *core);
static void request_start_later (BodyRequest *request);

static BodyRequest *
request_ref (BodyRequest *request)
{
  g_atomic_int_inc (&request->ref_count);
  return request;
}

static void
request_unref (gpointer data)
{
  BodyRequest *request = data;

  if (!g_atomic_int_dec_and_test (&request->ref_count))
    return;
  g_assert (request->retry == NULL);
  g_clear_object (&request->writer);
  g_clear_error (&request->error);
  g_free (request->folder);
  _heron_sync_core_unref (request->core);
  g_free (request);
}

/* The job's data_free: the job (and its task) is gone. */
static void
request_job_gone (gpointer data)
{
  BodyRequest *request = data;

  request->job = NULL;
  request_unref (request);
}

static HeronSyncBodies *
ensure_bodies (HeronSyncCore *core)
{
  if (core->bodies == NULL)
    {
      core->bodies = g_new0 (HeronSyncBodies, 1);
      g_queue_init (&core->bodies->requests);
      core->bodies->prefetch = g_ptr_array_new_with_free_func (g_free);
      core->bodies->missing = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      /* bodies stored before (by a prefetch cut short, or an older version) */
      core->bodies->text_pending = TRUE;
    }
  return core->bodies;
}

static gboolean
unref_task (gpointer user_data)
{
  g_object_unref (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
connection_lost (const GError *error)
{
  return error->domain == G_IO_ERROR || error->domain == G_TLS_ERROR ||
         error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL);
}

static void
post_body_fetched (HeronSyncCore *core,
                   const char    *folder,
                   const gint64  *uids,
                   guint          n_uids)
{
  HeronSyncEvent *event = heron_sync_event_new (HERON_SYNC_EVENT_BODY_FETCHED);

  event->folder = g_strdup (folder);
  event->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_uids);
  g_array_append_vals (event->uids, uids, n_uids);
  _heron_sync_core_post (core, event);
}

/* Body text */

static const char *
header_param (GMimeObject *part,
              const char  *name)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);

  if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
    return "attachment";
  return g_mime_object_get_content_type_parameter (part, name);
}

/* The first text/plain part that is not an attachment, else the first text/html one. */
static GMimeTextPart *
find_text_part (GMimeObject  *object,
                gboolean      html,
                guint         depth)
{
  if (depth > HERON_MIME_MAX_DEPTH || object == NULL)
    return NULL;
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < n; i++)
        {
          GMimeTextPart *found = find_text_part (g_mime_multipart_get_part (multipart, i), html, depth + 1);
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (GMIME_IS_TEXT_PART (object) && g_strcmp0 (header_param (object, "x-none"), "attachment") != 0)
    {
      GMimeContentType *type = g_mime_object_get_content_type (object);

      if (g_mime_content_type_is_type (type, "text", html ? "html" : "plain"))
        return GMIME_TEXT_PART (object);
    }
  return NULL;
}

/* A large source: GMime parses the file in place (the parts' contents stay in the file) and
 * only the text part is decoded. */
static char *
text_of_large_source (GInputStream *stream)
{
  GMimeStream *mime_stream;
  GMimeParser *parser;
  GMimeMessage *message;
  GMimeTextPart *part;
  GMimeDataWrapper *content;
  gboolean html = FALSE;
  char *text = NULL;
  int fd;

  if (!G_IS_UNIX_INPUT_STREAM (stream))
    return NULL;
  fd = dup (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream)));
  if (fd < 0)
    return NULL;
  mime_stream = g_mime_stream_fs_new (fd);
  parser = g_mime_parser_new_with_stream (mime_stream);
  g_mime_parser_set_persist_stream (parser, TRUE);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  if (message == NULL)
    goto out;

  part = find_text_part (g_mime_message_get_mime_part (message), FALSE, 1);
  if (part == NULL)
    {
      part = find_text_part (g_mime_message_get_mime_part (message), TRUE, 1);
      html = TRUE;
    }
  if (part == NULL)
    goto out;
  content = g_mime_part_get_content (GMIME_PART (part));
  if (content == NULL || g_mime_stream_length (g_mime_data_wrapper_get_stream (content)) > TEXT_PART_MAX_SIZE)
    goto out;
  text = g_mime_text_part_get_text (part);
  if (text != NULL && html)
    {
      char *plain = heron_mime_html_to_text (text, -1, 0);
      g_free (text);
      text = plain;
    }
  else if (text != NULL && !g_utf8_validate (text, -1, NULL))
    {
      char *valid = g_utf8_make_valid (text, -1);
      g_free (text);
      text = valid;
    }

out:
  g_clear_object (&message);
  g_object_unref (mime_stream);
  return text;
}

/* The plain text of a stored message's body (HTML converted), or NULL when it has none. */
static char *
body_text (HeronSyncCore *core,
           gint64         folder_id,
           gint64         uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = heron_store_open_source (core->store, folder_id, uid, NULL, &error);
  g_autoptr(HeronMimeMessage) message = NULL;
  struct stat st;

  if (stream == NULL)
    {
      g_debug ("%s: no text for UID %" G_GINT64_FORMAT ": %s", core->user, uid, error->message);
      return NULL;
    }
  /* a large source is a file (a small one is in memory) */
  if (G_IS_UNIX_INPUT_STREAM (stream) &&
      fstat (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream)), &st) == 0 &&
      st.st_size > MODEL_MAX_SIZE)
    return text_of_large_source (stream);

  message = heron_mime_message_new_from_stream (stream, NULL, &error);
  if (message == NULL)
    {
      g_debug ("%s: no text for UID %" G_GINT64_FORMAT ": %s", core->user, uid, error->message);
      return NULL;
    }
  return g_strdup (heron_mime_message_get_text (message));
}

/* Extracts and stores the body text of a message whose source is local (for the index and the
 * snippet). A body without text is stored as "": it counts as indexed and keeps its snippet. */
static gboolean
store_text (HeronSyncCore  *core,
            gint64          folder_id,
            gint64          uid,
            GError        **error)
{
  g_autofree char *text = body_text (core, folder_id, uid);

  return heron_store_set_body_text (core->store, folder_id, uid, text != NULL ? text : "", error);
}

/* Stores a closed writer as the message's source inside the current transaction; with
 * @with_text also its text (else the text pass does it later). */
static gboolean
store_body (HeronSyncCore          *core,
            gint64                  folder_id,
            gint64                  uid,
            HeronStoreSourceWriter *writer,
            gboolean                with_text,
            GError                **error)
{
  if (!heron_store_set_body (core->store, folder_id, uid, writer, NULL, error))
    return FALSE;
  return !with_text || store_text (core, folder_id, uid, error);
}

/* On demand */

/* (Sources of the worker's context: g_source_remove() would look in the default context.) */
static void
cancel_retry (BodyRequest *request)
{
  GSource *source = g_steal_pointer (&request->retry);

  if (source == NULL)
    return;
  g_source_destroy (source);
  g_source_unref (source);
}

static void
request_complete (BodyRequest *request,
                  GError      *error)
{
  HeronSyncCore *core = request->core;
  HeronSyncBodies *bodies = core->bodies;

  g_assert (!request->done);
  request->done = TRUE;
  request->error = error;
  cancel_retry (request);
  g_clear_object (&request->writer);

  /* The job waits in its run function, which returns the result; otherwise the task is ours */
  if (request->job != NULL && !request->job_waiting && request->job->task != NULL)
    {
      GTask *task = g_steal_pointer (&request->job->task);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT_IDLE, unref_task, task, NULL);
    }

  if (bodies != NULL && bodies->active == request)
    {
      bodies->active = NULL;
      request_unref (request);
      if (!g_atomic_int_get (&core->stopping))
        process_next (core);
    }
}

static void
request_fail (BodyRequest *request,
              GError      *error)
{
  if (connection_lost (error) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GError *offline = g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE,
                                     "The message could not be fetched: %s", error->message);
      g_error_free (error);
      error = offline;
    }
  request_complete (request, error);
}

/* Whether the request has become moot: the worker stops. */
static gboolean
request_stopped (BodyRequest *request)
{
  if (request->done)
    return TRUE;
  if (g_atomic_int_get (&request->core->stopping) || request->core->bodies == NULL)
    {
      request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                                              "The account's worker stopped"));
      return TRUE;
    }
  return FALSE;
}

static gboolean request_store (gpointer user_data);

/* The server did not return @uids (gint64) of @folder: an incremental sync finds out whether
 * they were expunged (and drops them with the events that say so). Once per message. */
static void
missing_from_server (HeronSyncCore *core,
                     gint64         folder_id,
                     const char    *folder,
                     const gint64  *uids,
                     guint          n_uids)
{
  gboolean any = FALSE;

  for (guint i = 0; i < n_uids; i++)
    {
      gint64 key = (folder_id << 32) | (uids[i] & G_MAXUINT32);

      if (core->bodies == NULL || g_hash_table_contains (core->bodies->missing, &key))
        continue;
      g_hash_table_add (core->bodies->missing, g_memdup2 (&key, sizeof key));
      any = TRUE;
    }
  if (!any)
    return;
  g_debug ("%s: %u messages of %s are not on the server: syncing it", core->user, n_uids, folder);
  _heron_sync_schedule_folder_sync (core, folder);
}

static void
request_store_later (BodyRequest *request)
{
  GSource *source;

  g_assert (request->retry == NULL);
  source = g_timeout_source_new (STORE_RETRY_MS);
  g_source_set_callback (source, request_store, request_ref (request), request_unref);
  g_source_set_static_name (source, "[heron] body store");
  g_source_attach (source, request->core->context);
  request->retry = source;
}

/* The fetch is over: store the body, or drop a message the server no longer has. */
static gboolean
request_store (gpointer user_data)
{
  BodyRequest *request = user_data;
  HeronSyncCore *core = request->core;
  g_autoptr(GError) error = NULL;

  /* called by its source, or straight after the fetch */
  g_clear_pointer (&request->retry, g_source_unref);
  if (request_stopped (request))
    return G_SOURCE_REMOVE;

  if (heron_store_in_transaction (core->store))
    {
      /* another job's batch is open while it awaits the network: not inside it */
      request_store_later (request);
      return G_SOURCE_REMOVE;
    }

  if (request->gone)
    {
      missing_from_server (core, request->folder_id, request->folder, &request->uid, 1);
      request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                                              "The message is no longer on the server"));
      return G_SOURCE_REMOVE;
    }

  if (!heron_store_source_writer_close (request->writer, &error) ||
      !heron_store_begin_batch (core->store, &error))
    {
      request_complete (request, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }
  /* a person waits to read it: its text (snippet, search) at once */
  if (!store_body (core, request->folder_id, request->uid, request->writer, TRUE, &error))
    {
      heron_store_rollback_batch (core->store);
      request_complete (request, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }
  if (!heron_store_commit_batch (core->store, &error))
    {
      request_complete (request, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }
  post_body_fetched (core, request->folder, &request->uid, 1);
  request_complete (request, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
request_body_begin (const HeronImapBodyInfo *info,
                    gpointer                 user_data,
                    GError                 **error)
{
  BodyRequest *request = user_data;

  if (info->uid != 0 && info->uid != request->uid)
    return TRUE;
  g_clear_object (&request->writer);
  request->got_body = FALSE;
  request->writer = heron_store_source_writer_new (request->core->store, error);
  return request->writer != NULL;
}

static gboolean
request_body_chunk (const guint8 *data,
                    gsize         len,
                    gpointer      user_data,
                    GError      **error)
{
  BodyRequest *request = user_data;

  if (request->writer == NULL)
    return TRUE;
  return heron_store_source_writer_write (request->writer, data, len, error);
}

static gboolean
request_body_end (gpointer  user_data,
                  GError  **error)
{
  BodyRequest *request = user_data;

  if (request->writer != NULL)
    request->got_body = TRUE;
  return TRUE;
}

static const HeronImapBodyConsumer request_consumer = {
  request_body_begin, request_body_chunk, request_body_end,
};

static void
on_request_fetch (HeronImapResponse *fetch,
                  gpointer           user_data)
{
  BodyRequest *request = user_data;

  /* a FETCH of another message (sent unasked) never carries our section */
  if (fetch->fetch.uid != 0 && fetch->fetch.uid != request->uid && request->got_body &&
      request->writer != NULL)
    {
      g_clear_object (&request->writer);
      request->got_body = FALSE;
    }
}

static void on_request_refreshed (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data);

static HeronImapSession *
core_bodies_session (BodyRequest *request)
{
  return request->core->bodies != NULL ? request->core->bodies->session : NULL;
}

static void
on_request_fetched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  BodyRequest *request = user_data;
  GError *error = NULL;

  if (!heron_imap_session_uid_fetch_finish (HERON_IMAP_SESSION (source), result, NULL, &error))
    {
      if (!request_stopped (request))
        request_fail (request, error);
      else
        g_error_free (error);
      request_unref (request);
      return;
    }
  if (!request_stopped (request))
    {
      if (!request->got_body && !request->refreshed && core_bodies_session (request) != NULL)
        {
          /* arrived after our EXAMINE, unseen until a NOOP? (see the top of this file) */
          request->refreshed = TRUE;
          heron_imap_session_noop_async (core_bodies_session (request), request->core->cancellable,
                                         on_request_refreshed, request_ref (request));
          request_unref (request);
          return;
        }
      /* no FETCH with the body: expunged behind our back, the sync tells */
      request->gone = !request->got_body;
      request_store (request);
    }
  request_unref (request);
}

static void request_fetch (BodyRequest *request);

static void
on_request_refreshed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  BodyRequest *request = user_data;
  GError *error = NULL;

  if (!heron_imap_session_noop_finish (HERON_IMAP_SESSION (source), result, &error))
    {
      if (!request_stopped (request))
        request_fail (request, error);
      else
        g_error_free (error);
    }
  else if (!request_stopped (request))
    request_fetch (request);
  request_unref (request);
}

static void
request_fetch (BodyRequest *request)
{
  static const char * const items[] = { "UID", "BODY.PEEK[]", NULL };
  HeronSyncCore *core = request->core;
  g_autoptr(HeronImapUidSet) uids = heron_imap_uid_set_new (HERON_IMAP_SET_UID);

  heron_imap_uid_set_add (uids, (guint32) request->uid);
  heron_imap_session_uid_fetch_async (core->bodies->session, uids, items, HERON_IMAP_MODSEQ_NONE, FALSE,
                                      on_request_fetch, request, &request_consumer, request,
                                      core->cancellable, on_request_fetched, request_ref (request));
}

static void
on_request_selected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  BodyRequest *request = user_data;
  g_autoptr(HeronImapSelectResult) select = NULL;
  GError *error = NULL;

  select = heron_imap_session_select_finish (HERON_IMAP_SESSION (source), result, &error);
  if (request_stopped (request))
    g_clear_error (&error);
  else if (select == NULL && g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE))
    {
      request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                                              "The folder %s cannot be opened on the server: %s",
                                              request->folder, error->message));
      g_clear_error (&error);
    }
  else if (select == NULL)
    request_fail (request, error);
  else
    request_fetch (request);
  request_unref (request);
}

static void
request_select (BodyRequest *request)
{
  HeronSyncCore *core = request->core;
  HeronImapSession *session = core->bodies->session;
  g_autofree char *wire = _heron_sync_wire_name (core, request->folder);

  if (g_strcmp0 (heron_imap_session_get_selected (session), wire) == 0)
    {
      request_fetch (request);
      return;
    }
  /* EXAMINE: reading a body changes nothing */
  heron_imap_session_select_async (session, wire, TRUE, NULL, NULL, NULL,
                                   core->cancellable, on_request_selected, request_ref (request));
}

static void
on_body_session_closed (HeronImapSession *session,
                        const GError     *error,
                        gpointer          user_data)
{
  HeronSyncCore *core = user_data;

  /* its pending commands fail on their own; the next request opens another connection */
  if (core->bodies != NULL && core->bodies->session == session)
    {
      g_signal_handlers_disconnect_by_data (session, core);
      g_clear_object (&core->bodies->session);
    }
}

static void
on_body_session_connected (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  BodyRequest *request = user_data;
  HeronSyncCore *core = request->core;
  g_autoptr(HeronImapSession) session = HERON_IMAP_SESSION (source);
  GError *error = NULL;

  if (!heron_imap_session_connect_finish (session, result, &error))
    {
      if (!request_stopped (request))
        request_fail (request, error);
      else
        g_error_free (error);
      request_unref (request);
      return;
    }
  if (request_stopped (request) || !_heron_sync_core_is_online (core))
    {
      heron_imap_session_close (session);
      if (!request->done)
        request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE,
                                                "The account %s is not connected", core->user));
      request_unref (request);
      return;
    }
  g_signal_connect (session, "closed", G_CALLBACK (on_body_session_closed), core);
  core->bodies->session = g_steal_pointer (&session);
  request_select (request);
  request_unref (request);
}

static gboolean
session_ready (HeronImapSession *session)
{
  HeronImapSessionState state;

  if (session == NULL)
    return FALSE;
  state = heron_imap_session_get_state (session);
  return state == HERON_IMAP_SESSION_AUTHENTICATED || state == HERON_IMAP_SESSION_SELECTED;
}

static void
request_start (BodyRequest *request)
{
  HeronSyncCore *core = request->core;
  HeronSyncBodies *bodies = core->bodies;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronStoreMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  folder = heron_store_lookup_folder (core->store, request->folder, NULL);
  if (folder == NULL)
    {
      request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                                              "There is no folder %s", request->folder));
      return;
    }
  request->folder_id = folder->id;
  _heron_sync_core_remember_folder (core, folder->id, folder->name);

  message = heron_store_get_message (core->store, folder->id, request->uid, &error);
  if (message == NULL)
    {
      request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                                              "There is no message %" G_GINT64_FORMAT " in %s: %s",
                                              request->uid, request->folder, error->message));
      return;
    }
  if (message->body_local)
    {
      request_complete (request, NULL);
      return;
    }
  if (request->uid <= 0)
    {
      /* a local message (an offline append) always has its source */
      request_complete (request, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                                              "The message has no source yet"));
      return;
    }
  if (!_heron_sync_core_is_online (core) &&
      (HeronSyncState) g_atomic_int_get (&core->state) == HERON_SYNC_STATE_CONNECTING)
    {
      /* the connection is on its way (the worker just started, or reconnects): wait for it */
      request_start_later (request);
      return;
    }
  if (!_heron_sync_core_is_online (core) || core->password == NULL)
    {
      request_complete (request, g_error_new (HERON_SYNC_ERROR,
                                              core->auth_failed ? HERON_SYNC_ERROR_AUTH : HERON_SYNC_ERROR_OFFLINE,
                                              "The account %s is not connected and the message is not in the cache",
                                              core->user));
      return;
    }

  if (session_ready (bodies->session))
    request_select (request);
  else
    {
      HeronImapSessionSettings settings;
      HeronImapSession *session;

      if (bodies->session != NULL)
        {
          g_signal_handlers_disconnect_by_data (bodies->session, core);
          heron_imap_session_close (bodies->session);
          g_clear_object (&bodies->session);
        }
      heron_imap_session_settings_copy (&core->settings, &settings);
      settings.password = g_strdup (core->password);
      session = heron_imap_session_new (&settings);
      heron_imap_session_settings_clear (&settings);
      heron_imap_session_connect_async (session, core->cancellable, on_body_session_connected,
                                        request_ref (request));
    }
}

static gboolean
on_start_again (gpointer user_data)
{
  BodyRequest *request = user_data;

  g_clear_pointer (&request->retry, g_source_unref);
  if (!request_stopped (request))
    request_start (request);
  return G_SOURCE_REMOVE;
}

static void
request_start_later (BodyRequest *request)
{
  GSource *source;

  g_assert (request->retry == NULL);
  source = g_timeout_source_new (CONNECTING_RETRY_MS);
  g_source_set_callback (source, on_start_again, request_ref (request), request_unref);
  g_source_set_static_name (source, "[heron] body request");
  g_source_attach (source, request->core->context);
  request->retry = source;
}

static void
process_next (HeronSyncCore *core)
{
  HeronSyncBodies *bodies = core->bodies;

  while (bodies != NULL && bodies->active == NULL && !g_queue_is_empty (&bodies->requests))
    {
      BodyRequest *request = g_queue_pop_head (&bodies->requests);

      if (request->job == NULL || request->done)
        {
          /* nobody waits for it any more */
          if (!request->done)
            request->done = TRUE;
          request_unref (request);
          continue;
        }
      bodies->active = request;
      request_start (request);
      bodies = core->bodies;
    }
}

/* On the worker's context as soon as the request arrives. */
static gboolean
take_request (gpointer user_data)
{
  BodyRequest *request = user_data;
  HeronSyncCore *core = request->core;

  if (g_atomic_int_get (&core->stopping) || request->job == NULL || core->store == NULL)
    return G_SOURCE_REMOVE;
  g_queue_push_tail (&ensure_bodies (core)->requests, request_ref (request));
  process_next (core);
  return G_SOURCE_REMOVE;
}

/* The urgent job that carries the task: when it runs before the callbacks are done (the worker
 * had nothing else to do), it waits for them. */
static gboolean
run_fetch_body (HeronSyncCore  *core,
                HeronSyncJob   *job,
                GError        **error)
{
  BodyRequest *request = job->data;

  request->job_waiting = TRUE;
  while (!request->done && !g_atomic_int_get (&core->stopping))
    g_main_context_iteration (core->context, TRUE);
  if (!request->done)
    return g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                        "The account's worker stopped"), FALSE;
  if (request->error != NULL)
    {
      g_propagate_error (error, g_error_copy (request->error));
      return FALSE;
    }
  return TRUE;
}

void
heron_account_worker_fetch_body_async (HeronAccountWorker  *self,
                                       const char          *folder,
                                       gint64               uid,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  HeronSyncCore *core;
  BodyRequest *request;
  HeronSyncJob *job;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);

  core = _heron_account_worker_get_core (self);
  request = g_new0 (BodyRequest, 1);
  request->ref_count = 1;
  request->core = _heron_sync_core_ref (core);
  request->folder = g_strdup (folder);
  request->uid = uid;

  job = _heron_sync_job_new_custom (self, run_fetch_body, FALSE, heron_account_worker_fetch_body_async,
                                    cancellable, callback, user_data);
  job->urgent = TRUE;
  job->folder = g_strdup (folder);
  job->data = request_ref (request);
  job->data_free = request_job_gone;
  request->job = job;

  /* The job first, then the callbacks, on the worker's context in this order */
  _heron_sync_hand_over (self, job);
  g_main_context_invoke_full (core->context, G_PRIORITY_DEFAULT, take_request, request, request_unref);
}

gboolean
heron_account_worker_fetch_body_finish (HeronAccountWorker  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_heron_sync_bodies_offline (HeronSyncCore *core)
{
  HeronSyncBodies *bodies = core->bodies;

  if (bodies == NULL || bodies->session == NULL)
    return;
  /* pending commands fail, and their requests with OFFLINE */
  g_signal_handlers_disconnect_by_data (bodies->session, core);
  heron_imap_session_close (bodies->session);
  g_clear_object (&bodies->session);
}

void
_heron_sync_bodies_stop (HeronSyncCore *core)
{
  HeronSyncBodies *bodies = core->bodies;
  BodyRequest *request;

  if (bodies == NULL)
    return;
  _heron_sync_bodies_offline (core);
  core->bodies = NULL;

  /* The jobs that carried their tasks are gone already (failed with STOPPED) */
  if (bodies->active != NULL)
    {
      request = g_steal_pointer (&bodies->active);
      if (!request->done)
        {
          request->done = TRUE;
          cancel_retry (request);
        }
      request_unref (request);
    }
  while ((request = g_queue_pop_head (&bodies->requests)) != NULL)
    {
      request->done = TRUE;
      request_unref (request);
    }
  g_ptr_array_unref (bodies->prefetch);
  g_hash_table_unref (bodies->missing);
  g_free (bodies);
}

/* Prefetch
 *
 * The cache writer: a thread with its own connection to the cache
 * (heron_store_open_extra_writer()) stores what the worker received, a slice of STORE_SLICE
 * bodies per transaction (heron_store_add_bodies()), while the worker reads, parses and hashes
 * the next ones. Measured at 10,000 bodies, the writes to the cache (the blobs into the WAL, and
 * again into the database at each checkpoint) were half of the worker's CPU time; the writer
 * thread takes them, and the checkpoints with them, off the thread that reads the socket.
 *
 * Who does what:
 *   - worker (the parser's callbacks): a HeronStoreSourceWriter per body, made on the worker's
 *     store, fed as the bytes arrive (memory up to 128 KiB, then a temporary file), closed as
 *     soon as its UID is known (SHA-256; a large one renamed to its name), and handed over in
 *     slices without waiting (a callback never blocks);
 *   - thread: one transaction per slice on its own connection; a message that is gone or local
 *     already (an on-demand fetch was first) is skipped;
 *   - worker again (the slice comes back through its context): the store's change report
 *     becomes events, then BODY_FETCHED (the bodies are committed: local and durable), progress,
 *     and the source writers are freed there.
 *
 * Raw-source housekeeping stays the worker's store's alone: a closed writer pins its source in
 * that store (its garbage collection, after each of its commits, and
 * heron_store_collect_garbage() leave the file alone) until the writer is freed, which happens
 * on the worker after the slice's transaction committed (or failed). heron_store_add_bodies()
 * replaces nothing, so the thread's connection never has garbage to collect and never collects
 * any; temporary files are only made and removed by the worker's writers (and by the worker's
 * store when it opens). A crash leaves what it left before: a renamed file whose transaction
 * did not commit (heron_store_collect_garbage() removes it) or a temporary file (removed at the
 * next open); every committed body is whole.
 *
 * Between batches (one UID FETCH of PREFETCH_BATCH) the worker waits while more than
 * WRITER_QUEUE slices are queued (running its context meanwhile), so memory stays bounded by
 * about a batch and that many slices of sources of at most 128 KiB each. The thread cannot
 * wait for the worker: the worker holds no transaction while it waits, so the two connections
 * only take turns for SQLite's write lock. */

#define WRITER_QUEUE 4

typedef struct _BodyWriter BodyWriter;

typedef struct {
  BodyWriter *writer;
  GArray     *uids;     /* gint64; NULL: the end of the queue */
  GPtrArray  *sources;  /* HeronStoreSourceWriter, closed */
  GArray     *stored;   /* gint64: what the thread stored */
  GPtrArray  *changes;  /* the thread's store's report of the commit */
  GError     *error;
} Slice;

struct _BodyWriter {
  HeronSyncCore *core;
  gint64         folder_id;
  char          *name;
  guint          total;
  GThread       *thread;
  GAsyncQueue   *queue;     /* Slice */
  Slice         *storing;   /* (thread) the slice being committed */
  guint          pending;   /* (worker) slices handed over that did not come back */
  guint          done;      /* (worker) bodies stored, or not returned by the server */
  GError        *error;     /* (worker) the first failure */
};

static Slice *
slice_new (BodyWriter *writer)
{
  Slice *slice = g_new0 (Slice, 1);

  slice->writer = writer;
  slice->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), STORE_SLICE);
  slice->sources = g_ptr_array_new_full (STORE_SLICE, g_object_unref);
  slice->stored = g_array_sized_new (FALSE, FALSE, sizeof (gint64), STORE_SLICE);
  return slice;
}

/* (On the worker's thread: freeing the source writers unpins their sources in its store.) */
static void
slice_free (Slice *slice)
{
  if (slice == NULL)
    return;
  g_clear_pointer (&slice->uids, g_array_unref);
  g_clear_pointer (&slice->sources, g_ptr_array_unref);
  g_clear_pointer (&slice->stored, g_array_unref);
  g_clear_pointer (&slice->changes, g_ptr_array_unref);
  g_clear_error (&slice->error);
  g_free (slice);
}

static gint
compare_uids (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* A slice is back on the worker's thread, stored or not. */
static gboolean
slice_back (gpointer user_data)
{
  Slice *slice = user_data;
  BodyWriter *writer = slice->writer;
  HeronSyncCore *core = writer->core;

  writer->pending--;
  if (slice->error != NULL)
    {
      if (writer->error == NULL)
        writer->error = g_steal_pointer (&slice->error);
    }
  else
    {
      if (slice->changes != NULL)
        _heron_sync_core_store_changes (core->store, slice->changes, core);
      if (slice->stored->len > 0)
        {
          /* durable and readable offline from here on; the text pass does the rest */
          if (core->bodies != NULL)
            core->bodies->text_pending = TRUE;
          g_array_sort (slice->stored, compare_uids);
          post_body_fetched (core, writer->name, (const gint64 *) slice->stored->data, slice->stored->len);
        }
      writer->done += slice->uids->len;
      _heron_sync_core_post_progress (core, writer->name, MIN (writer->done, writer->total), writer->total);
    }
  slice_free (slice);
  return G_SOURCE_REMOVE;
}

/* The thread's store reports a commit (on the thread, inside heron_store_add_bodies()). */
static void
on_writer_changes (HeronStore *store,
                   GPtrArray  *changes,
                   gpointer    user_data)
{
  BodyWriter *writer = user_data;

  if (writer->storing != NULL && writer->storing->changes == NULL)
    writer->storing->changes = g_ptr_array_ref (changes);
}

static gpointer
body_writer_thread (gpointer data)
{
  BodyWriter *writer = data;
  g_autoptr(HeronStore) store = NULL;
  g_autoptr(GError) open_error = NULL;

  store = heron_store_open_extra_writer (writer->core->store_path, &open_error);
  if (store != NULL)
    heron_store_set_changes_func (store, on_writer_changes, writer, NULL);

  for (;;)
    {
      Slice *slice = g_async_queue_pop (writer->queue);

      if (slice->uids == NULL)
        {
          g_free (slice);
          break;
        }
      if (store == NULL)
        slice->error = g_error_copy (open_error);
      else if (g_atomic_int_get (&writer->core->stopping))
        slice->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
      else
        {
          writer->storing = slice;
          heron_store_add_bodies (store, writer->folder_id, (const gint64 *) slice->uids->data,
                                  (HeronStoreSourceWriter * const *) slice->sources->pdata,
                                  slice->uids->len, slice->stored, &slice->error);
          writer->storing = NULL;
        }
      g_main_context_invoke_full (writer->core->context, G_PRIORITY_DEFAULT, slice_back, slice, NULL);
    }
  if (store != NULL)
    heron_store_set_changes_func (store, NULL, NULL, NULL);
  return NULL;
}

static BodyWriter *
body_writer_new (HeronSyncCore *core,
                 gint64         folder_id,
                 const char    *name,
                 guint          total)
{
  BodyWriter *writer = g_new0 (BodyWriter, 1);

  writer->core = core;
  writer->folder_id = folder_id;
  writer->name = g_strdup (name);
  writer->total = total;
  writer->queue = g_async_queue_new ();
  writer->thread = g_thread_new ("heron-body-writer", body_writer_thread, writer);
  return writer;
}

/* Hands @slice over (taken). Never waits: the parser's callbacks call it. */
static void
body_writer_push (BodyWriter *writer,
                  Slice      *slice)
{
  if (slice->uids->len == 0)
    {
      slice_free (slice);
      return;
    }
  writer->pending++;
  g_async_queue_push (writer->queue, slice);
}

/* Runs the worker's context until at most @max slices are queued; FALSE with @error when one
 * failed. */
static gboolean
body_writer_wait (BodyWriter  *writer,
                  guint        max,
                  GError     **error)
{
  while (writer->pending > max)
    g_main_context_iteration (writer->core->context, TRUE);
  if (writer->error != NULL)
    {
      g_propagate_error (error, g_error_copy (writer->error));
      return FALSE;
    }
  return TRUE;
}

/* Waits until every slice came back, ends the thread and frees @writer. */
static gboolean
body_writer_finish (BodyWriter  *writer,
                    GError     **error)
{
  gboolean ok;

  ok = body_writer_wait (writer, 0, error);
  g_async_queue_push (writer->queue, g_new0 (Slice, 1));
  g_thread_join (writer->thread);
  g_async_queue_unref (writer->queue);
  g_clear_error (&writer->error);
  g_free (writer->name);
  g_free (writer);
  return ok;
}

typedef struct {
  HeronSyncCore          *core;
  HeronImapSession       *session;   /* the command connection when the batch began */
  BodyWriter             *writer;
  GArray                 *uids;      /* gint64: asked for */
  HeronImapUidSet        *set;
  HeronStoreSourceWriter *current;   /* the section being received */
  guint32                 current_seq;
  guint32                 current_uid;
  GHashTable             *by_seq;    /* seq -> writer, received before their UID */
  GHashTable             *got;       /* UIDs received and handed over */
  Slice                  *slice;     /* being filled */
  GError                 *error;     /* a source that could not be finished */
  HeronSyncWait           wait;
  gboolean                started;
} Batch;

static Batch *
batch_new (HeronSyncCore    *core,
           HeronImapSession *session,
           BodyWriter       *writer,
           const gint64     *uids,
           guint             n_uids)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->core = core;
  batch->session = g_object_ref (session);
  batch->writer = writer;
  batch->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_uids);
  g_array_append_vals (batch->uids, uids, n_uids);
  batch->set = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  for (guint i = 0; i < n_uids; i++)
    heron_imap_uid_set_add (batch->set, (guint32) uids[i]);
  batch->by_seq = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  batch->got = g_hash_table_new (NULL, NULL);
  return batch;
}

static void
batch_free (Batch *batch)
{
  if (batch == NULL)
    return;
  /* a FETCH still on the wire writes into this batch: wait for it (it fails at once when the
   * connection is gone or the worker stops) */
  if (batch->started)
    {
      g_autoptr(GAsyncResult) result = _heron_sync_await (batch->core, &batch->wait);
    }
  g_object_unref (batch->session);
  g_array_unref (batch->uids);
  heron_imap_uid_set_free (batch->set);
  g_clear_object (&batch->current);
  g_hash_table_unref (batch->by_seq);
  g_hash_table_unref (batch->got);
  slice_free (batch->slice);
  g_clear_error (&batch->error);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* A body and its UID: finished (hashed; a large one gets its name) and handed to the writer
 * thread with its slice. */
static void
batch_add (Batch                  *batch,
           guint32                 uid,
           HeronStoreSourceWriter *source)
{
  g_autoptr(HeronStoreSourceWriter) owned = source;
  gint64 uid64 = uid;

  if (uid == 0 || !heron_imap_uid_set_contains (batch->set, uid) ||
      g_hash_table_contains (batch->got, GUINT_TO_POINTER (uid)) || batch->error != NULL)
    return;
  if (!heron_store_source_writer_close (source, &batch->error))
    return;
  g_hash_table_add (batch->got, GUINT_TO_POINTER (uid));
  if (batch->slice == NULL)
    batch->slice = slice_new (batch->writer);
  g_array_append_val (batch->slice->uids, uid64);
  g_ptr_array_add (batch->slice->sources, g_steal_pointer (&owned));
  if (batch->slice->uids->len >= STORE_SLICE)
    body_writer_push (batch->writer, g_steal_pointer (&batch->slice));
}

static gboolean
batch_body_begin (const HeronImapBodyInfo *info,
                  gpointer                 user_data,
                  GError                 **error)
{
  Batch *batch = user_data;

  g_clear_object (&batch->current);
  batch->current = heron_store_source_writer_new (batch->core->store, error);
  batch->current_seq = info->seq;
  batch->current_uid = info->uid;
  return batch->current != NULL;
}

static gboolean
batch_body_chunk (const guint8 *data,
                  gsize         len,
                  gpointer      user_data,
                  GError      **error)
{
  Batch *batch = user_data;

  return heron_store_source_writer_write (batch->current, data, len, error);
}

static gboolean
batch_body_end (gpointer  user_data,
                GError  **error)
{
  Batch *batch = user_data;
  HeronStoreSourceWriter *writer = g_steal_pointer (&batch->current);

  if (batch->current_uid != 0)
    batch_add (batch, batch->current_uid, writer);
  else
    g_hash_table_replace (batch->by_seq, GUINT_TO_POINTER (batch->current_seq), writer);
  return TRUE;
}

static const HeronImapBodyConsumer batch_consumer = {
  batch_body_begin, batch_body_chunk, batch_body_end,
};

static void
on_batch_fetch (HeronImapResponse *fetch,
                gpointer           user_data)
{
  Batch *batch = user_data;
  gpointer writer;

  /* a section that came before the UID item: the FETCH names it */
  if (g_hash_table_steal_extended (batch->by_seq, GUINT_TO_POINTER (fetch->fetch.seq), NULL, &writer))
    batch_add (batch, fetch->fetch.uid, writer);
}

static void
batch_start (Batch *batch)
{
  static const char * const items[] = { "UID", "BODY.PEEK[]", NULL };
  HeronSyncCore *core = batch->core;

  batch->started = TRUE;
  heron_imap_session_uid_fetch_async (batch->session, batch->set, items, HERON_IMAP_MODSEQ_NONE, FALSE,
                                      on_batch_fetch, batch, &batch_consumer, batch,
                                      core->cancellable, _heron_sync_wait_cb, &batch->wait);
}

/* Waits for the batch's FETCH, hands over the rest of what it brought, and leaves what the
 * server did not return to a sync. */
static gboolean
batch_finish (Batch       *batch,
              gint64       folder_id,
              const char  *name,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = _heron_sync_await (batch->core, &batch->wait);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));

  batch->started = FALSE;
  if (!heron_imap_session_uid_fetch_finish (batch->session, result, NULL, error))
    return FALSE;
  if (batch->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&batch->error));
      return FALSE;
    }
  if (batch->slice != NULL)
    body_writer_push (batch->writer, g_steal_pointer (&batch->slice));

  for (guint j = 0; j < batch->uids->len; j++)
    {
      gint64 uid = g_array_index (batch->uids, gint64, j);

      if (!g_hash_table_contains (batch->got, GUINT_TO_POINTER ((guint32) uid)))
        g_array_append_val (gone, uid);
    }
  if (gone->len > 0)
    {
      batch->writer->done += gone->len;
      missing_from_server (batch->core, folder_id, name, (const gint64 *) gone->data, gone->len);
    }
  return TRUE;
}

/* Lets the worker's context run for a moment without blocking (on-demand fetches go on). Only
 * between transactions: what runs then may write to the store. */
static void
drain_context (HeronSyncCore *core)
{
  for (guint i = 0; i < 64 && g_main_context_iteration (core->context, FALSE); i++)
    ;
}

/* The command connection, kept for a job's commands: core->session goes when the connection
 * drops while the job awaits the network. */
static HeronImapSession *
command_session (HeronSyncCore  *core,
                 GError        **error)
{
  if (core->session == NULL)
    {
      g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE, "The account %s is not connected",
                   core->user);
      return NULL;
    }
  return g_object_ref (core->session);
}

static gboolean
select_on_command_session (HeronSyncCore     *core,
                           HeronImapSession  *session,
                           const char        *name,
                           GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HeronImapSelectResult) select = NULL;
  g_autofree char *wire = _heron_sync_wire_name (core, name);
  HeronSyncWait wait = { 0 };

  if (g_strcmp0 (heron_imap_session_get_selected (session), wire) == 0)
    return TRUE;
  heron_imap_session_select_async (session, wire, FALSE, NULL, NULL, NULL,
                                   core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  select = heron_imap_session_select_finish (session, result, error);
  return select != NULL;
}

static HeronStoreFolder *
lookup_folder (HeronSyncCore  *core,
               const char     *name,
               GError        **error)
{
  HeronStoreFolder *folder = heron_store_lookup_folder (core->store, name, NULL);

  if (folder == NULL)
    {
      g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND, "There is no folder %s", name);
      return NULL;
    }
  _heron_sync_core_remember_folder (core, folder->id, folder->name);
  return folder;
}

/* Fetches the bodies of @name inside the prefetch window, newest first, in batches, with
 * progress events. With @yield, stops after a batch when another job is queued
 * (*out_yielded = TRUE). */
static gboolean
prefetch_folder (HeronSyncCore  *core,
                 const char     *name,
                 gboolean        yield,
                 gboolean       *out_yielded,
                 GError        **error)
{
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GError) local_error = NULL;
  Batch *current = NULL;
  Batch *next = NULL;
  BodyWriter *writer;
  gint64 since = 0, start, waiting = 0;
  guint total, pos = 0;
  gboolean ok = TRUE;

  if (out_yielded != NULL)
    *out_yielded = FALSE;
  folder = lookup_folder (core, name, error);
  if (folder == NULL)
    return FALSE;
  if (core->prefetch_days > 0)
    since = g_get_real_time () / G_USEC_PER_SEC - (gint64) core->prefetch_days * 24 * 60 * 60;
  uids = heron_store_get_uids_without_body (core->store, folder->id, since, 0, error);
  if (uids == NULL)
    return FALSE;
  total = uids->len;
  if (total == 0)
    return TRUE;
  session = command_session (core, error);
  if (session == NULL || !select_on_command_session (core, session, name, error))
    return FALSE;

  g_debug ("%s: prefetching %u bodies of %s", core->user, total, name);
  _heron_sync_core_post_progress (core, name, 0, total);
  start = g_get_monotonic_time ();

  writer = body_writer_new (core, folder->id, name, total);
  current = batch_new (core, session, writer, (const gint64 *) uids->data, MIN (PREFETCH_BATCH, total));
  pos = current->uids->len;
  batch_start (current);

  while (current != NULL)
    {
      gint64 t;

      ok = batch_finish (current, folder->id, name, &local_error);
      if (ok && g_atomic_int_get (&core->stopping))
        ok = (g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"), FALSE);
      if (!ok)
        break;

      /* The next batch is on the wire while the thread stores this one, unless another job
       * waits */
      if (pos < total)
        {
          if (yield && !g_queue_is_empty (&core->jobs))
            {
              if (out_yielded != NULL)
                *out_yielded = TRUE;
            }
          else
            {
              next = batch_new (core, session, writer, &g_array_index (uids, gint64, pos), MIN (PREFETCH_BATCH, total - pos));
              pos += next->uids->len;
              batch_start (next);
            }
        }

      /* memory stays bounded: the thread must keep up */
      t = g_get_monotonic_time ();
      ok = body_writer_wait (writer, WRITER_QUEUE, &local_error);
      waiting += g_get_monotonic_time () - t;
      if (!ok)
        break;
      g_clear_pointer (&current, batch_free);
      current = g_steal_pointer (&next);
    }

  /* (a FETCH still on the wire writes into its batch: freeing it waits for its end) */
  g_clear_pointer (&next, batch_free);
  g_clear_pointer (&current, batch_free);
  if (!body_writer_finish (writer, ok ? &local_error : NULL))
    ok = FALSE;
  g_debug ("%s: %u bodies of %s in %.3f s (%.3f s waiting for the cache writer)", core->user,
           pos, name, (g_get_monotonic_time () - start) / 1e6, waiting / 1e6);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_atomic_int_get (&core->stopping))
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"), FALSE;
  return TRUE;
}

static void
want_prefetch (HeronSyncBodies *bodies,
               const char      *folder,
               gboolean         first)
{
  for (guint i = 0; i < bodies->prefetch->len; i++)
    if (g_strcmp0 (g_ptr_array_index (bodies->prefetch, i), folder) == 0)
      return;
  if (first)
    g_ptr_array_insert (bodies->prefetch, 0, g_strdup (folder));
  else
    g_ptr_array_add (bodies->prefetch, g_strdup (folder));
}

/* The worker's own prefetch job (no task). */
static gboolean
run_prefetch_idle (HeronSyncCore  *core,
                   HeronSyncJob   *job,
                   GError        **error)
{
  gboolean yielded = FALSE;

  if (!prefetch_folder (core, job->folder, TRUE, &yielded, error))
    {
      /* a folder that went away, or a message the cache cannot take: not again and again */
      return FALSE;
    }
  if (yielded && core->bodies != NULL)
    want_prefetch (core->bodies, job->folder, TRUE);
  return TRUE;
}

void
_heron_sync_bodies_folder_synced (HeronSyncCore *core,
                                  const char    *folder)
{
  want_prefetch (ensure_bodies (core), folder, FALSE);
}

void
_heron_sync_bodies_want_text_pass (HeronSyncCore *core)
{
  ensure_bodies (core)->text_pending = TRUE;
}

/* The search entries left for later, a slice per transaction: 1 when none is left, 0 when it
 * yields to a queued job (or the worker stops), -1 with @error on failure. */
static int
index_pending_search (HeronSyncCore  *core,
                      gboolean        yield,
                      GError        **error)
{
  guint64 n_done = 0;

  while (!g_atomic_int_get (&core->stopping))
    {
      gint64 n = heron_store_index_pending_search (core->store, SEARCH_SLICE, error);

      if (n < 0)
        return -1;
      n_done += n;
      if (n == 0)
        {
          if (n_done > 0)
            g_debug ("%s: search entries made for %" G_GUINT64_FORMAT " messages, none left", core->user, n_done);
          return 1;
        }
      drain_context (core);
      if (yield && !g_queue_is_empty (&core->jobs))
        return 0;
    }
  return 0;
}

/* Once after the worker starts, when the text pass is done: the cache's housekeeping. A crash
 * (or kill -9) between a large source getting its file name and the transaction that refers to
 * it leaves a file nothing knows; only heron_store_collect_garbage() removes those (with the
 * search index's merge and the free pages). Sources in flight (on-demand, a prefetch) are
 * pinned in this store, so it leaves them alone. */
static void
collect_garbage_once (HeronSyncCore *core)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (core->bodies == NULL || core->bodies->collected || g_atomic_int_get (&core->stopping))
    return;
  core->bodies->collected = TRUE;
  if (!heron_store_collect_garbage (core->store, core->cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s: the cache's housekeeping stopped", core->user);
      else
        g_warning ("%s: the cache's housekeeping failed: %s", core->user, error->message);
    }
  else
    g_debug ("%s: cache housekeeping in %.3f s", core->user, (g_get_monotonic_time () - start) / 1e6);
}

/* The text pass (see the top of this file): stores the text of bodies that lack it, newest
 * first, one slice per transaction, until none is left (text_pending FALSE) or, with @yield,
 * a job is queued. Between slices the worker's context runs (on-demand fetches go on). */
static gboolean
index_texts (HeronSyncCore  *core,
             gboolean        yield,
             GError        **error)
{
  guint n_done = 0;
  int searched = index_pending_search (core, yield, error);

  if (searched <= 0)
    return searched == 0;  /* yielded: the pass comes back when the queue is empty */

  while (!g_atomic_int_get (&core->stopping) && core->bodies != NULL)
    {
      g_autoptr(GArray) refs = heron_store_get_messages_needing_text (core->store, TEXT_SLICE, error);
      gint64 start = g_get_monotonic_time ();
      guint i;

      if (refs == NULL)
        return FALSE;
      if (refs->len == 0)
        {
          core->bodies->text_pending = FALSE;
          g_debug ("%s: text pass: %u bodies indexed, none left", core->user, n_done);
          collect_garbage_once (core);
          return TRUE;
        }
      if (!heron_store_begin_batch (core->store, error))
        return FALSE;
      for (i = 0; i < refs->len; i++)
        {
          const HeronStoreMessageRef *ref = &g_array_index (refs, HeronStoreMessageRef, i);

          if (!store_text (core, ref->folder_id, ref->uid, error))
            {
              heron_store_rollback_batch (core->store);
              return FALSE;
            }
          /* (at least one each time, so the pass always moves on) */
          if (g_get_monotonic_time () - start > TEXT_SLICE_US)
            {
              i++;
              break;
            }
        }
      if (!heron_store_commit_batch (core->store, error))
        return FALSE;
      n_done += i;

      /* what waits on the worker's context (an on-demand fetch) runs now, queued jobs next */
      drain_context (core);
      if (yield && !g_queue_is_empty (&core->jobs))
        {
          g_debug ("%s: text pass: %u bodies indexed, yields", core->user, n_done);
          return TRUE;
        }
    }
  return TRUE;
}

static gboolean
run_text_pass (HeronSyncCore  *core,
               HeronSyncJob   *job,
               GError        **error)
{
  if (core->bodies != NULL)
    core->bodies->text_queued = FALSE;
  if (!index_texts (core, TRUE, error))
    {
      /* not again and again: the next prefetch or start tries again */
      if (core->bodies != NULL)
        core->bodies->text_pending = FALSE;
      return FALSE;
    }
  return TRUE;
}

gboolean
_heron_sync_bodies_idle (HeronSyncCore *core)
{
  HeronSyncBodies *bodies;
  HeronSyncJob *job;

  if (g_atomic_int_get (&core->stopping))
    return FALSE;
  bodies = ensure_bodies (core);

  /* bodies first (they need the network, and make the text pass's work); then their text,
   * which needs no connection */
  if (bodies->prefetch->len > 0 && _heron_sync_core_is_online (core))
    {
      job = g_new0 (HeronSyncJob, 1);
      job->kind = HERON_SYNC_JOB_CUSTOM;
      job->run = run_prefetch_idle;
      job->needs_online = TRUE;
      job->folder = g_ptr_array_steal_index (bodies->prefetch, 0);
      _heron_sync_queue_job (core, job);
      return TRUE;
    }
  if (bodies->text_pending && !bodies->text_queued)
    {
      job = g_new0 (HeronSyncJob, 1);
      job->kind = HERON_SYNC_JOB_CUSTOM;
      job->run = run_text_pass;
      bodies->text_queued = TRUE;
      _heron_sync_queue_job (core, job);
      return TRUE;
    }
  return FALSE;
}

/* On request: the bodies, then their text (the index is complete when the task is) */
static gboolean
run_prefetch_now (HeronSyncCore  *core,
                  HeronSyncJob   *job,
                  GError        **error)
{
  ensure_bodies (core);
  return prefetch_folder (core, job->folder, FALSE, NULL, error) && index_texts (core, FALSE, error);
}

void
heron_account_worker_prefetch_bodies_async (HeronAccountWorker  *self,
                                            const char          *folder,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  HeronSyncJob *job;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);

  job = _heron_sync_job_new_custom (self, run_prefetch_now, TRUE, heron_account_worker_prefetch_bodies_async,
                                    cancellable, callback, user_data);
  job->folder = g_strdup (folder);
  _heron_sync_hand_over (self, job);
}

gboolean
heron_account_worker_prefetch_bodies_finish (HeronAccountWorker  *self,
                                             GAsyncResult        *result,
                                             GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Search on the server */

typedef struct {
  GPtrArray *messages;
} SearchChunk;

static void
on_search_summary (HeronImapResponse *fetch,
                   gpointer           user_data)
{
  SearchChunk *chunk = user_data;

  if (fetch->fetch.uid != 0)
    g_ptr_array_add (chunk->messages, _heron_sync_message_from_fetch (&fetch->fetch));
}

static gboolean
run_search (HeronSyncCore  *core,
            HeronSyncJob   *job,
            GError        **error)
{
  const char *text = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronImapCommand) criteria = heron_imap_command_new_fragment (0);
  g_autoptr(HeronImapUidSet) found = NULL;
  g_autoptr(HeronImapUidSet) missing = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(GArray) known = NULL;
  g_autoptr(GHashTable) known_set = g_hash_table_new (NULL, NULL);
  g_auto(GStrv) words = NULL;
  g_autoptr(HeronImapSession) session = NULL;
  GArray *result_uids;
  HeronImapUidSetIter iter;
  guint32 uid;
  gboolean any = FALSE;

  folder = lookup_folder (core, job->folder, error);
  if (folder == NULL)
    return FALSE;
  session = command_session (core, error);
  if (session == NULL || !select_on_command_session (core, session, folder->name, error))
    return FALSE;

  /* every word must be there (SEARCH ANDs its keys); UTF-8 is the charset unless the session
   * speaks UTF-8 already (RFC 6855: no CHARSET then) */
  if (!heron_imap_session_is_enabled (session, "UTF8=ACCEPT") &&
      !heron_imap_session_is_imap4rev2 (session))
    {
      heron_imap_command_add_atom (criteria, "CHARSET");
      heron_imap_command_add_atom (criteria, "UTF-8");
    }
  words = g_strsplit_set (text, " \t\r\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;
      heron_imap_command_add_atom (criteria, "TEXT");
      heron_imap_command_add_string (criteria, words[i]);
      any = TRUE;
    }
  if (!any)
    {
      job->result = g_array_new (FALSE, FALSE, sizeof (gint64));
      job->result_free = (GDestroyNotify) g_array_unref;
      return TRUE;
    }

  {
    g_autoptr(GAsyncResult) result = NULL;
    HeronSyncWait wait = { 0 };

    heron_imap_session_uid_search_async (session, criteria, core->cancellable,
                                         _heron_sync_wait_cb, &wait);
    result = _heron_sync_await (core, &wait);
    found = heron_imap_session_uid_search_finish (session, result, NULL, error);
    if (found == NULL)
      return FALSE;
  }

  /* Hits the cache lacks (not synced yet, or arrived since): their summaries first */
  known = heron_store_get_uids (core->store, folder->id, error);
  if (known == NULL)
    return FALSE;
  for (guint i = 0; i < known->len; i++)
    g_hash_table_add (known_set, GUINT_TO_POINTER (g_array_index (known, guint32, i)));
  result_uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  job->result = result_uids;
  job->result_free = (GDestroyNotify) g_array_unref;
  heron_imap_uid_set_iter_init (&iter, found);
  while (heron_imap_uid_set_iter_next (&iter, &uid))
    {
      gint64 uid64 = uid;

      g_array_append_val (result_uids, uid64);
      if (!g_hash_table_contains (known_set, GUINT_TO_POINTER (uid)))
        heron_imap_uid_set_add (missing, uid);
    }

  if (!heron_imap_uid_set_is_empty (missing))
    {
      g_autoptr(GPtrArray) items = _heron_sync_summary_items_for (session, FALSE);
      g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
      g_autoptr(GAsyncResult) result = NULL;
      SearchChunk chunk = { messages };
      HeronSyncWait wait = { 0 };

      g_debug ("%s: %" G_GUINT64_FORMAT " search hits in %s are new to the cache", core->user,
               heron_imap_uid_set_count (missing), folder->name);
      heron_imap_session_uid_fetch_async (session, missing, (const char * const *) items->pdata,
                                          HERON_IMAP_MODSEQ_NONE, FALSE, on_search_summary, &chunk,
                                          NULL, NULL, core->cancellable, _heron_sync_wait_cb, &wait);
      result = _heron_sync_await (core, &wait);
      if (!heron_imap_session_uid_fetch_finish (session, result, NULL, error))
        return FALSE;
      if (!_heron_sync_store_summaries (core->store, folder->id, messages, error))
        return FALSE;
    }
  return TRUE;
}

void
heron_account_worker_search_async (HeronAccountWorker  *self,
                                   const char          *folder,
                                   const char          *text,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  HeronSyncJob *job;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);
  g_return_if_fail (text != NULL);

  /* a person waits for it: ahead of background work */
  job = _heron_sync_job_new_custom (self, run_search, TRUE, heron_account_worker_search_async,
                                    cancellable, callback, user_data);
  job->urgent = TRUE;
  job->folder = g_strdup (folder);
  job->data = g_strdup (text);
  job->data_free = g_free;
  _heron_sync_hand_over (self, job);
}

GArray *
heron_account_worker_search_finish (HeronAccountWorker  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
