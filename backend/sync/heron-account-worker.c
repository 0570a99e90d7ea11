/* heron-account-worker.c: the account's worker thread, its jobs, its connections and its events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker thread runs a loop of its own: it takes the next job from its queue and runs it to
 * the end, or, with nothing to do, iterates its GMainContext. A job waits for the network with
 * _heron_sync_await(), which iterates the same context, so IDLE events, timers and new requests
 * are handled while it waits; new requests only join the queue, so jobs never interleave.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "heron-account-worker.h"

#include "account/heron-secrets.h"
#include "mime/heron-mime-message.h"
#include "heron-sync-private.h"

struct _HeronAccountWorker
{
  GObject        parent_instance;

  HeronSyncCore *core;
  GThread       *thread;
  HeronSyncState state;   /* as the main thread last heard it */
};

G_DEFINE_FINAL_TYPE (HeronAccountWorker, heron_account_worker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_N_FOLDER_SYNCS,
  PROP_N_STATUS_POLLS,
  PROP_N_NOTIFY_SETS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define DEFAULT_CHUNK_SIZE 1000
#define DEFAULT_BACKOFF_INITIAL_MS 1000
#define DEFAULT_BACKOFF_MAX_MS (5 * 60 * 1000)
#define DEFAULT_STATUS_POLL_MS (60 * 1000)

static void queue_job_on_worker (HeronSyncCore *core,
                                 HeronSyncJob  *job);
static void go_offline          (HeronSyncCore *core,
                                 const GError  *error);

/* The core */

HeronSyncCore *
_heron_sync_core_ref (HeronSyncCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  return core;
}

static void
job_free (HeronSyncJob *job)
{
  g_free (job->folder);
  g_clear_pointer (&job->uids, g_array_unref);
  g_strfreev (job->add_keywords);
  g_strfreev (job->remove_keywords);
  g_assert (job->task == NULL);
  if (job->data_free != NULL)
    g_clear_pointer (&job->data, job->data_free);
  if (job->result_free != NULL)
    g_clear_pointer (&job->result, job->result_free);
  g_free (job);
}

void
_heron_sync_core_unref (HeronSyncCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  g_assert (core->store == NULL && core->session == NULL && core->idle_session == NULL);
  g_assert (g_queue_is_empty (&core->jobs));
  heron_imap_session_settings_clear (&core->settings);
  g_free (core->account_id);
  g_free (core->host);
  g_free (core->user);
  if (core->password != NULL)
    {
      memset (core->password, 0, strlen (core->password));
      g_free (core->password);
    }
  g_clear_object (&core->oauth2_tokens);
  g_free (core->store_path);
  g_strfreev (core->sync_folders);
  g_free (core->trash_folder);
  _heron_sync_outbox_free (core->outbox);
  g_main_context_unref (core->context);
  g_main_context_unref (core->main_context);
  g_object_unref (core->cancellable);
  g_clear_pointer (&core->folder_names, g_hash_table_unref);
  g_clear_object (&core->untrusted_certificate);
  g_mutex_clear (&core->lock);
  g_ptr_array_unref (core->events);
  g_weak_ref_clear (&core->owner);
  g_free (core);
}

void
_heron_sync_wait_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  HeronSyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

GAsyncResult *
_heron_sync_await (HeronSyncCore *core,
                   HeronSyncWait *wait)
{
  /* Every call made on the worker takes core->cancellable, so stopping ends the wait too. */
  while (!wait->done)
    g_main_context_iteration (core->context, TRUE);
  return wait->result;
}

/* Events */

static gboolean
flush_events (gpointer user_data)
{
  HeronSyncCore *core = user_data;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(HeronAccountWorker) self = NULL;

  g_mutex_lock (&core->lock);
  events = g_steal_pointer (&core->events);
  core->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  core->flush_pending = FALSE;
  g_mutex_unlock (&core->lock);

  self = g_weak_ref_get (&core->owner);
  if (self == NULL)
    return G_SOURCE_REMOVE;

  for (guint i = 0; i < events->len; i++)
    {
      HeronSyncEvent *event = g_ptr_array_index (events, i);

      if (event->kind == HERON_SYNC_EVENT_STATE && self->state != event->state)
        {
          self->state = event->state;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
        }
      g_signal_emit (self, signals[SIGNAL_EVENT],
                     g_quark_from_static_string (heron_sync_event_kind_to_string (event->kind)),
                     event);
    }
  return G_SOURCE_REMOVE;
}

void
_heron_sync_core_post (HeronSyncCore  *core,
                       HeronSyncEvent *event)
{
  gboolean schedule;

  g_mutex_lock (&core->lock);
  g_ptr_array_add (core->events, event);
  schedule = !core->flush_pending;
  core->flush_pending = TRUE;
  g_mutex_unlock (&core->lock);

  if (schedule)
    g_main_context_invoke_full (core->main_context, G_PRIORITY_DEFAULT, flush_events,
                                _heron_sync_core_ref (core),
                                (GDestroyNotify) _heron_sync_core_unref);
}

void
_heron_sync_core_post_progress (HeronSyncCore *core,
                                const char    *folder,
                                guint          done,
                                guint          total)
{
  HeronSyncEvent *event = heron_sync_event_new (HERON_SYNC_EVENT_PROGRESS);

  event->folder = g_strdup (folder);
  event->done = done;
  event->total = total;
  _heron_sync_core_post (core, event);
}

void
_heron_sync_core_post_error (HeronSyncCore *core,
                             const char    *folder,
                             const GError  *error)
{
  HeronSyncEvent *event = heron_sync_event_new (HERON_SYNC_EVENT_ERROR);

  event->folder = g_strdup (folder);
  event->error = g_error_copy (error);
  _heron_sync_core_post (core, event);
}

static void
set_state (HeronSyncCore  *core,
           HeronSyncState  state)
{
  HeronSyncEvent *event;

  if ((HeronSyncState) g_atomic_int_get (&core->state) == state)
    return;
  g_atomic_int_set (&core->state, state);
  g_debug ("%s: %s", core->user, heron_sync_state_to_string (state));
  event = heron_sync_event_new (HERON_SYNC_EVENT_STATE);
  event->state = state;
  _heron_sync_core_post (core, event);
}

void
_heron_sync_core_remember_folder (HeronSyncCore *core,
                                  gint64         folder_id,
                                  const char    *name)
{
  g_hash_table_replace (core->folder_names, g_memdup2 (&folder_id, sizeof folder_id), g_strdup (name));
}

/* Once the cache's writes pause (CHECKPOINT_S after the last commit of the worker's connection or
 * the last change an extra writer reported), a checkpoint copies the write-ahead log into the
 * database as far as the readers allow, and the worker says so (CACHE_SETTLED): the message
 * lists renew their snapshots on it (heron-message-list.c). A list whose snapshot was older than
 * the last commit stops that copy short; after its renewal the next try (RETRY_MS later, a few
 * times) copies it whole, and the renewal after that reads the database alone, so the next
 * write starts the log over instead of growing it. */
#define CHECKPOINT_S     4
#define RETRY_MS         1000
#define CHECKPOINT_TRIES 4

static void schedule_checkpoint_in (HeronSyncCore *core, guint ms);

static gboolean
on_checkpoint (gpointer user_data)
{
  HeronSyncCore *core = user_data;
  gboolean whole;

  core->checkpoint_id = 0;
  if (core->store == NULL || g_atomic_int_get (&core->stopping))
    return G_SOURCE_REMOVE;
  whole = heron_store_checkpoint (core->store);
  _heron_sync_core_post (core, heron_sync_event_new (HERON_SYNC_EVENT_CACHE_SETTLED));
  if (!whole && --core->checkpoints_left > 0)
    schedule_checkpoint_in (core, RETRY_MS);
  return G_SOURCE_REMOVE;
}

/* (the timer is a source of the worker's context, like the reconnect's) */
static void
cancel_checkpoint (HeronSyncCore *core)
{
  GSource *source;

  if (core->checkpoint_id == 0)
    return;
  source = g_main_context_find_source_by_id (core->context, core->checkpoint_id);
  if (source != NULL)
    g_source_destroy (source);
  core->checkpoint_id = 0;
}

static void
schedule_checkpoint_in (HeronSyncCore *core,
                        guint          ms)
{
  g_autoptr(GSource) source = g_timeout_source_new (ms);

  cancel_checkpoint (core);
  g_source_set_callback (source, on_checkpoint, core, NULL);
  core->checkpoint_id = g_source_attach (source, core->context);
}

static void
schedule_checkpoint (HeronSyncCore *core)
{
  if (g_atomic_int_get (&core->stopping))
    return;
  core->checkpoints_left = CHECKPOINT_TRIES;
  schedule_checkpoint_in (core, CHECKPOINT_S * 1000);
}

/* Every commit of the worker's connection, changes reported or not (the search-entry pass and
 * the garbage collection report none). */
static void
on_store_commit (HeronStore *store,
                 gpointer    user_data)
{
  schedule_checkpoint (user_data);
}

void
_heron_sync_core_store_changes (HeronStore *store,
                                GPtrArray  *changes,
                                gpointer    user_data)
{
  HeronSyncCore *core = user_data;

  /* (the extra writers' changes: their commits are on their own connections) */
  schedule_checkpoint (core);

  for (guint i = 0; i < changes->len; i++)
    {
      const HeronStoreChange *change = g_ptr_array_index (changes, i);
      HeronSyncEvent *event;

      switch (change->kind)
        {
        case HERON_STORE_CHANGE_FOLDER_LIST:
          event = heron_sync_event_new (HERON_SYNC_EVENT_FOLDERS_CHANGED);
          break;
        case HERON_STORE_CHANGE_FOLDER:
          event = heron_sync_event_new (HERON_SYNC_EVENT_FOLDER_CHANGED);
          break;
        case HERON_STORE_CHANGE_MESSAGES_ADDED:
          event = heron_sync_event_new (HERON_SYNC_EVENT_MESSAGES_ADDED);
          event->initial = change->folder_id == core->initial_folder_id;
          break;
        case HERON_STORE_CHANGE_MESSAGES_CHANGED:
          event = heron_sync_event_new (HERON_SYNC_EVENT_MESSAGES_CHANGED);
          break;
        case HERON_STORE_CHANGE_MESSAGES_REMOVED:
          event = heron_sync_event_new (HERON_SYNC_EVENT_MESSAGES_REMOVED);
          break;
        case HERON_STORE_CHANGE_JOURNAL:
          event = heron_sync_event_new (HERON_SYNC_EVENT_JOURNAL_CHANGED);
          break;
        default:
          continue;
        }

      if (change->folder_id != 0)
        event->folder = g_strdup (g_hash_table_lookup (core->folder_names, &change->folder_id));
      if (change->uids != NULL)
        {
          event->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), change->uids->len);
          g_array_append_vals (event->uids, change->uids->data, change->uids->len);
        }
      _heron_sync_core_post (core, event);
    }
}

/* Tasks: completed from the worker, released on their own context so that the last reference
 * to the worker object is never dropped on the worker thread. */

static gboolean
unref_task (gpointer user_data)
{
  g_object_unref (user_data);
  return G_SOURCE_REMOVE;
}

static void
complete_job_task (HeronSyncJob *job,
                   GError       *error)
{
  GTask *task = g_steal_pointer (&job->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else if (job->result != NULL)
    g_task_return_pointer (task, g_steal_pointer (&job->result), job->result_free);
  else
    g_task_return_boolean (task, TRUE);
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT_IDLE, unref_task, task, NULL);
}

/* Connections */

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
on_session_closed (HeronImapSession *session,
                   const GError     *error,
                   gpointer          user_data)
{
  HeronSyncCore *core = user_data;

  if (g_atomic_int_get (&core->stopping))
    return;
  g_debug ("%s: a connection closed: %s", core->user, error != NULL ? error->message : "(no error)");
  go_offline (core, error);
}

static void
drop_session (HeronSyncCore     *core,
              HeronImapSession **session)
{
  g_autoptr(HeronImapSession) dropped = g_steal_pointer (session);

  if (dropped == NULL)
    return;
  g_signal_handlers_disconnect_by_data (dropped, core);
  heron_imap_session_close (dropped);
}

static gboolean
on_reconnect (gpointer user_data)
{
  HeronSyncCore *core = user_data;
  HeronSyncJob *job;

  core->reconnect_id = 0;
  job = g_new0 (HeronSyncJob, 1);
  job->kind = HERON_SYNC_JOB_CONNECT;
  queue_job_on_worker (core, job);
  return G_SOURCE_REMOVE;
}

/* The timer is a source of the worker's context: g_source_remove() looks in the default one. */
static void
cancel_reconnect (HeronSyncCore *core)
{
  GSource *source;

  if (core->reconnect_id == 0)
    return;
  source = g_main_context_find_source_by_id (core->context, core->reconnect_id);
  if (source != NULL)
    g_source_destroy (source);
  core->reconnect_id = 0;
}

/* After a refused password or an untrusted certificate the worker does not try again by itself:
 * only the person can change the answer (retry_login, or a new worker with the certificate
 * pinned). */
static gboolean
waits_for_person (HeronSyncCore *core)
{
  return core->auth_failed || core->untrusted;
}

static void
schedule_reconnect (HeronSyncCore *core)
{
  GSource *source;
  guint delay;

  if (core->reconnect_id != 0 || waits_for_person (core) || g_atomic_int_get (&core->stopping))
    return;

  /* exponential, with +-25 % jitter so that many clients do not come back at once */
  delay = (guint) (core->backoff_ms * g_random_double_range (0.75, 1.25));
  core->backoff_ms = MIN (core->backoff_ms * 2, core->backoff_max_ms);
  g_debug ("%s: reconnecting in %u ms", core->user, delay);

  source = g_timeout_source_new (delay);
  g_source_set_callback (source, on_reconnect, core, NULL);
  g_source_set_static_name (source, "[heron] reconnect");
  core->reconnect_id = g_source_attach (source, core->context);
  g_source_unref (source);
}

static void
go_offline (HeronSyncCore *core,
            const GError  *error)
{
  /* The closed session stays until the next connect or stop: a job awaiting one of its commands
   * finishes it on the object that started it (its state says CLOSED: not online). */
  if (core->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (core->session, core);
      heron_imap_session_close (core->session);
    }
  _heron_sync_watch_stop (core);
  _heron_sync_bodies_offline (core);
  if (waits_for_person (core))
    return;
  set_state (core, HERON_SYNC_STATE_OFFLINE);
  schedule_reconnect (core);
}

static HeronImapAuthMechanism
other_oauth2_mechanism (HeronImapAuthMechanism mechanism)
{
  return mechanism == HERON_IMAP_AUTH_XOAUTH2 ? HERON_IMAP_AUTH_OAUTHBEARER : HERON_IMAP_AUTH_XOAUTH2;
}

/* OAuth2: tokens is the connection's own token source (its errors are this connection's), and
 * *out_other_offered (nullable) tells, when the account's mechanism is not offered, whether the
 * other one is. */
static HeronImapSession *
connect_session (HeronSyncCore           *core,
                 HeronOAuth2TokenSource  *tokens,
                 gboolean                *out_other_offered,
                 GError                 **error)
{
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  HeronSyncWait wait = { 0 };

  heron_imap_session_settings_copy (&core->settings, &settings);
  if (core->imap_oauth2)
    {
      settings.mechanism = core->oauth2_mechanism;
      g_set_object (&settings.token_provider, HERON_IMAP_TOKEN_PROVIDER (tokens));
    }
  else
    settings.password = g_strdup (core->password);
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  g_atomic_int_inc (&core->n_login_attempts);
  heron_imap_session_connect_async (session, core->cancellable, _heron_sync_wait_cb, &wait);
  result = _heron_sync_await (core, &wait);
  if (!heron_imap_session_connect_finish (session, result, error))
    {
      /* kept for the error event: the person decides whether to trust it */
      g_clear_object (&core->untrusted_certificate);
      if (error != NULL && g_error_matches (*error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE))
        {
          GTlsCertificate *peer = heron_imap_connection_get_peer_certificate (heron_imap_session_get_connection (session));
          core->untrusted_certificate = peer != NULL ? g_object_ref (peer) : NULL;
        }
      if (out_other_offered != NULL && error != NULL &&
          g_error_matches (*error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED))
        {
          /* the capabilities the choice of mechanism saw stay after the failure */
          HeronImapAuthMechanism other = other_oauth2_mechanism (core->oauth2_mechanism);
          g_autofree char *capability = g_strconcat ("AUTH=", heron_imap_auth_mechanism_to_sasl_name (other),
                                                     NULL);

          *out_other_offered = heron_imap_connection_has_capability (heron_imap_session_get_connection (session),
                                                                     capability);
        }
      return NULL;
    }
  return g_steal_pointer (&session);
}

/* Why the OAuth2 login of one connection failed, from the requests of its own token source:
 * the provider could not be reached (transient: the provider's error, so the worker goes offline
 * and tries again with its back-off), the provider has no token (HERON_SYNC_ERROR_AUTH), or the
 * server refused the token and the fresh one after it (HERON_SYNC_ERROR_AUTH). */
static GError *
oauth2_login_error (HeronSyncCore          *core,
                    HeronOAuth2TokenSource *tokens,
                    const GError           *error)
{
  g_autoptr(GError) provider_error = heron_oauth2_token_source_dup_error (tokens);

  if (provider_error != NULL && heron_oauth2_token_source_error_is_transient (provider_error))
    return g_error_new (provider_error->domain, provider_error->code,
                        _("Could not get an OAuth2 access token for %s now: %s"), core->user,
                        provider_error->message);
  if (provider_error != NULL)
    return g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                        _("No OAuth2 access token for %s: %s"), core->user, provider_error->message);
  return g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                      _("The server %s refused the OAuth2 access token of %s, and a fresh one "
                        "too: %s"), core->host, core->user, error->message);
}

/* OAuth2: the account's mechanism (XOAUTH2 unless it says OAUTHBEARER), or the other one when
 * the server offers only that (remembered for the next connections); a server that offers
 * neither is known from the first connection's capabilities. Each connection asks through its
 * own scope of the token source; the session asks for a token, and once more with
 * force_refresh when the server refuses it. A second refusal, or no token, stops the worker in
 * AUTH_FAILED; a provider that cannot be reached now is a transient failure. */
static HeronImapSession *
connect_oauth2 (HeronSyncCore  *core,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  HeronImapSession *session;

  if (core->oauth2_tokens == NULL)
    {
      g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                   _("%s logs in with OAuth2, and no OAuth2 provider (such as GNOME Online "
                     "Accounts) is available"), core->user);
      return NULL;
    }

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(HeronOAuth2TokenSource) tokens = heron_oauth2_token_source_new_scope (core->oauth2_tokens);
      gboolean other_offered = FALSE;

      session = connect_session (core, tokens, &other_offered, &local_error);
      if (session != NULL)
        return session;
      if (g_error_matches (local_error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH))
        {
          g_propagate_error (error, oauth2_login_error (core, tokens, local_error));
          return NULL;
        }
      if (!g_error_matches (local_error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED))
        break;
      if (attempt == 1 || !other_offered)
        {
          /* Neither mechanism: a setting only the person can change. */
          g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                       _("The server %s offers neither XOAUTH2 nor OAUTHBEARER, which the "
                         "account %s needs: %s"), core->host, core->user, local_error->message);
          return NULL;
        }
      g_debug ("%s: %s not offered; trying %s", core->user,
               heron_imap_auth_mechanism_to_sasl_name (core->oauth2_mechanism),
               heron_imap_auth_mechanism_to_sasl_name (other_oauth2_mechanism (core->oauth2_mechanism)));
      core->oauth2_mechanism = other_oauth2_mechanism (core->oauth2_mechanism);
      g_clear_error (&local_error);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* From here on a lost connection takes the account offline (::closed). A server that dropped the
 * connection right after the login did so before the handler existed: that is a failed connect
 * (taken, NULL with @error), not an online account on a dead session. */
static HeronImapSession *
watch_session (HeronSyncCore     *core,
               HeronImapSession  *session,
               GError           **error)
{
  g_signal_connect (session, "closed", G_CALLBACK (on_session_closed), core);
  if (!session_ready (session))
    {
      g_signal_handlers_disconnect_by_data (session, core);
      g_object_unref (session);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "The server closed the connection right after the login");
      return NULL;
    }
  return session;
}

static HeronImapSession *
open_session (HeronSyncCore  *core,
              GError        **error)
{
  g_autoptr(HeronImapSession) session = NULL;

  if (core->imap_oauth2)
    {
      session = connect_oauth2 (core, error);
      if (session == NULL)
        return NULL;
      return watch_session (core, g_steal_pointer (&session), error);
    }

  if (core->password == NULL)
    {
      g_autoptr(GAsyncResult) lookup = NULL;
      HeronSyncWait lookup_wait = { 0 };
      char *password;

      heron_secrets_lookup_async (core->account_id, HERON_ACCOUNT_PROTOCOL_IMAP, core->host,
                                  core->user, core->cancellable, _heron_sync_wait_cb, &lookup_wait);
      lookup = _heron_sync_await (core, &lookup_wait);
      password = heron_secrets_lookup_finish (lookup, error);
      if (password == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                         "No password is stored for %s", core->user);
          return NULL;
        }
      core->password = g_strdup (password);
      heron_secrets_free (password);
    }

  session = connect_session (core, NULL, NULL, error);
  if (session == NULL)
    return NULL;
  return watch_session (core, g_steal_pointer (&session), error);
}

HeronImapSession *
_heron_sync_open_session (HeronSyncCore  *core,
                          GError        **error)
{
  return open_session (core, error);
}

/* An OAuth2 login's failure in words: connect_oauth2() explained it already, from the
 * connection's own requests (oauth2_login_error()). */
static GError *
oauth2_auth_error (HeronSyncCore *core,
                   const GError  *error)
{
  if (error->domain == HERON_SYNC_ERROR)
    return g_error_copy (error);
  return g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                      _("The server %s refused the OAuth2 sign-in of %s: %s"), core->host,
                      core->user, error->message);
}

static void
handle_connect_error (HeronSyncCore *core,
                      GError        *error)
{
  g_autoptr(GError) owned = error;  /* the callers hand it over */

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH) ||
      g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH))
    {
      g_autoptr(GError) auth = NULL;

      if (!core->imap_oauth2)
        auth = g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH,
                            "The server refused the password of %s: %s",
                            core->user, error->message);
      else
        auth = oauth2_auth_error (core, error);
      /* Issue: stop after the first rejection and ask the person again. */
      core->auth_failed = TRUE;
      g_clear_pointer (&core->password, g_free);
      drop_session (core, &core->session);
      _heron_sync_watch_stop (core);
      _heron_sync_bodies_offline (core);
      set_state (core, HERON_SYNC_STATE_AUTH_FAILED);
      _heron_sync_core_post_error (core, NULL, auth);
      return;
    }

  if (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE))
    {
      HeronSyncEvent *event = heron_sync_event_new (HERON_SYNC_EVENT_ERROR);

      /* DESIGN.md: a certificate that does not verify stops the connection and asks the person;
       * connecting again would only meet the same certificate. */
      core->untrusted = TRUE;
      drop_session (core, &core->session);
      _heron_sync_watch_stop (core);
      _heron_sync_bodies_offline (core);
      set_state (core, HERON_SYNC_STATE_UNTRUSTED);
      event->error = g_error_copy (error);
      event->certificate = g_steal_pointer (&core->untrusted_certificate);
      _heron_sync_core_post (core, event);
      return;
    }

  _heron_sync_core_post_error (core, NULL, error);
  go_offline (core, error);
}

static void
queue_own_job (HeronSyncCore    *core,
               HeronSyncJobKind  kind,
               const char       *folder)
{
  HeronSyncJob *job = g_new0 (HeronSyncJob, 1);

  job->kind = kind;
  job->folder = g_strdup (folder);
  g_queue_push_tail (&core->jobs, job);
}

static void
do_connect (HeronSyncCore *core)
{
  g_autoptr(GError) error = NULL;

  if (session_ready (core->session) || waits_for_person (core))
    return;
  cancel_reconnect (core);

  set_state (core, HERON_SYNC_STATE_CONNECTING);
  drop_session (core, &core->session);
  core->session = open_session (core, &error);
  if (core->session == NULL)
    {
      handle_connect_error (core, g_steal_pointer (&error));
      return;
    }

  core->backoff_ms = core->backoff_initial_ms;
  set_state (core, HERON_SYNC_STATE_ONLINE);

  /* How the server writes folder names, for the folders made offline later */
  if (!heron_store_set_utf8_names (core->store, _heron_sync_names_utf8 (core), &error))
    {
      g_warning ("%s: cannot keep the form of folder names: %s", core->user, error->message);
      g_clear_error (&error);
    }

  /* What was done offline goes first, then the folder list, INBOX and its watch. */
  queue_own_job (core, HERON_SYNC_JOB_REPLAY, NULL);
  queue_own_job (core, HERON_SYNC_JOB_SYNC_FOLDERS, NULL);
  queue_own_job (core, HERON_SYNC_JOB_SYNC_FOLDER, "INBOX");
  if (core->idle)
    queue_own_job (core, HERON_SYNC_JOB_START_IDLE, NULL);
  _heron_sync_outbox_online (core);
}

/* Jobs */

static void
run_job (HeronSyncCore *core,
         HeronSyncJob  *job)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;
  gboolean online = session_ready (core->session);

  switch (job->kind)
    {
    case HERON_SYNC_JOB_CONNECT:
      do_connect (core);
      break;

    case HERON_SYNC_JOB_SET_FLAGS:
      ok = _heron_sync_set_flags (core, job, &error);
      if (ok && online)
        _heron_sync_queue_replay (core);
      break;

    case HERON_SYNC_JOB_REPLAY:
      if (online)
        ok = _heron_sync_replay_journal (core, &error);
      break;

    case HERON_SYNC_JOB_START_IDLE:
      if (online)
        {
          ok = _heron_sync_watch_start (core, &error);
          if (!ok && (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH) ||
                      g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH)))
            {
              handle_connect_error (core, g_steal_pointer (&error));
              ok = TRUE;
            }
        }
      break;

    case HERON_SYNC_JOB_CUSTOM:
      if (job->needs_online && !online)
        {
          ok = FALSE;
          g_set_error (&error, HERON_SYNC_ERROR,
                       core->auth_failed ? HERON_SYNC_ERROR_AUTH : HERON_SYNC_ERROR_OFFLINE,
                       "The account %s is not connected", core->user);
        }
      else
        ok = job->run (core, job, &error);
      break;

    case HERON_SYNC_JOB_SYNC_FOLDERS:
    case HERON_SYNC_JOB_SYNC_FOLDER:
      if (!online)
        {
          ok = FALSE;
          g_set_error (&error, HERON_SYNC_ERROR,
                       core->auth_failed ? HERON_SYNC_ERROR_AUTH : HERON_SYNC_ERROR_OFFLINE,
                       "The account %s is not connected", core->user);
        }
      else if (job->kind == HERON_SYNC_JOB_SYNC_FOLDERS)
        {
          ok = _heron_sync_folders (core, &error);
          if (ok)
            _heron_sync_folders_synced (core);
        }
      else
        {
          g_atomic_int_inc (&core->n_folder_syncs);
          ok = _heron_sync_folder (core, job->folder, &error);
          if (ok)
            _heron_sync_bodies_folder_synced (core, job->folder);
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (!ok && job->task == NULL && error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _heron_sync_core_post_error (core, job->folder, error);

  if (!ok && error != NULL)
    g_debug ("%s: job %d failed: %s", core->user, job->kind, error->message);

  /* A failure that closed the command connection: ::closed scheduled the reconnect already. */
  complete_job_task (job, ok ? NULL : g_steal_pointer (&error));
  job_free (job);
}

static void
queue_job_on_worker (HeronSyncCore *core,
                     HeronSyncJob  *job)
{
  if (job->urgent)
    g_queue_push_head (&core->jobs, job);
  else
    g_queue_push_tail (&core->jobs, job);
}

void
_heron_sync_queue_job (HeronSyncCore *core,
                       HeronSyncJob  *job)
{
  queue_job_on_worker (core, job);
}

HeronSyncJob *
_heron_sync_find_queued (HeronSyncCore    *core,
                         HeronSyncJobKind  kind,
                         HeronSyncJobFunc  run,
                         const char       *folder)
{
  for (GList *l = core->jobs.head; l != NULL; l = l->next)
    {
      HeronSyncJob *job = l->data;

      if (job->kind == kind && job->task == NULL &&
          (run == NULL || job->run == run) &&
          (folder == NULL || g_strcmp0 (job->folder, folder) == 0))
        return job;
    }
  return NULL;
}

gboolean
_heron_sync_core_is_online (HeronSyncCore *core)
{
  return session_ready (core->session);
}

static gpointer
worker_thread (gpointer user_data)
{
  HeronSyncCore *core = user_data;
  g_autoptr(GError) error = NULL;
  HeronSyncJob *job;

  g_main_context_push_thread_default (core->context);
  heron_mime_init ();

  core->store = heron_store_open (core->store_path, &error);
  if (core->store == NULL)
    {
      _heron_sync_core_post_error (core, NULL, error);
    }
  else
    {
      g_autoptr(GPtrArray) folders = heron_store_get_folders (core->store, NULL);

      for (guint i = 0; folders != NULL && i < folders->len; i++)
        {
          HeronStoreFolder *folder = g_ptr_array_index (folders, i);
          _heron_sync_core_remember_folder (core, folder->id, folder->name);
        }
      heron_store_set_changes_func (core->store, _heron_sync_core_store_changes, core, NULL);
      heron_store_set_commit_func (core->store, on_store_commit, core);
      queue_own_job (core, HERON_SYNC_JOB_CONNECT, NULL);
      _heron_sync_outbox_start (core);
    }

  while (!g_atomic_int_get (&core->stopping))
    {
      job = core->store != NULL ? g_queue_pop_head (&core->jobs) : NULL;
      if (job != NULL)
        run_job (core, job);
      else if (core->store == NULL || !_heron_sync_bodies_idle (core))
        g_main_context_iteration (core->context, TRUE);
    }

  /* Stopping: requests still on their way join the queue, then everything ends. */
  while (g_main_context_iteration (core->context, FALSE))
    ;
  while ((job = g_queue_pop_head (&core->jobs)) != NULL)
    {
      complete_job_task (job, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                                           "The account's worker stopped"));
      job_free (job);
    }
  cancel_reconnect (core);
  cancel_checkpoint (core);
  _heron_sync_bodies_stop (core);
  _heron_sync_outbox_stop (core);
  drop_session (core, &core->session);
  _heron_sync_watch_stop (core);
  _heron_sync_watch_free (core);
  while (g_main_context_iteration (core->context, FALSE))
    ;
  if (core->store != NULL)
    {
      heron_store_close (core->store);
      g_clear_object (&core->store);
    }
  set_state (core, HERON_SYNC_STATE_STOPPED);

  g_main_context_pop_thread_default (core->context);
  _heron_sync_core_unref (core);
  return NULL;
}

/* The object (main thread) */

void
heron_account_worker_options_init (HeronAccountWorkerOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->idle = TRUE;
}

static void
heron_account_worker_dispose (GObject *object)
{
  HeronAccountWorker *self = HERON_ACCOUNT_WORKER (object);

  heron_account_worker_stop (self);

  G_OBJECT_CLASS (heron_account_worker_parent_class)->dispose (object);
}

static void
heron_account_worker_finalize (GObject *object)
{
  HeronAccountWorker *self = HERON_ACCOUNT_WORKER (object);

  g_clear_pointer (&self->core, _heron_sync_core_unref);

  G_OBJECT_CLASS (heron_account_worker_parent_class)->finalize (object);
}

static void
heron_account_worker_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HeronAccountWorker *self = HERON_ACCOUNT_WORKER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_N_FOLDER_SYNCS:
      g_value_set_uint (value, self->core != NULL ? (guint) g_atomic_int_get (&self->core->n_folder_syncs) : 0);
      break;
    case PROP_N_STATUS_POLLS:
      g_value_set_uint (value, self->core != NULL ? (guint) g_atomic_int_get (&self->core->n_status_polls) : 0);
      break;
    case PROP_N_NOTIFY_SETS:
      g_value_set_uint (value, self->core != NULL ? (guint) g_atomic_int_get (&self->core->n_notify_sets) : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_worker_class_init (HeronAccountWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heron_account_worker_dispose;
  object_class->finalize = heron_account_worker_finalize;
  object_class->get_property = heron_account_worker_get_property;

  /* HeronSyncState, as the main thread last heard it. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, HERON_SYNC_STATE_STOPPED, HERON_SYNC_STATE_UNTRUSTED,
                      HERON_SYNC_STATE_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Counters for tests and diagnosis (read at any time; never notified): folder syncs run (each
   * job, whether STATUS found it unchanged or not), STATUS polls run, NOTIFY SETs the server
   * accepted (one per watch connection). */
  properties[PROP_N_FOLDER_SYNCS] =
    g_param_spec_uint ("n-folder-syncs", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_STATUS_POLLS] =
    g_param_spec_uint ("n-status-polls", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_NOTIFY_SETS] =
    g_param_spec_uint ("n-notify-sets", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::event (HeronSyncEvent *event), detailed by the event's kind ("event::messages-added"). */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  HERON_TYPE_SYNC_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
heron_account_worker_init (HeronAccountWorker *self)
{
}

HeronAccountWorker *
heron_account_worker_new (HeronAccountConfig              *config,
                          const HeronAccountWorkerOptions *options,
                          GError                         **error)
{
  g_autoptr(HeronAccountWorker) self = NULL;
  HeronAccountWorkerOptions defaults;
  HeronAccountServer *imap;
  HeronAccountAuth imap_auth, smtp_auth;
  HeronSyncCore *core;
  GTlsCertificate *pinned;
  GError *local_error = NULL;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (config), NULL);

  if (options == NULL)
    {
      heron_account_worker_options_init (&defaults);
      options = &defaults;
    }
  imap = heron_account_config_get_imap (config);
  if (!heron_account_server_validate (imap, error))
    return NULL;
  pinned = heron_account_server_dup_pinned_certificate (imap, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (options->store_path == NULL && heron_account_config_get_id (config) == NULL)
    {
      g_clear_object (&pinned);
      g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_FAILED,
                   "The account has no id and no cache path was given");
      return NULL;
    }

  self = g_object_new (HERON_TYPE_ACCOUNT_WORKER, NULL);
  self->core = core = g_new0 (HeronSyncCore, 1);
  core->ref_count = 1;
  core->account_id = g_strdup (heron_account_config_get_id (config));
  core->host = g_strdup (heron_account_server_get_host (imap));
  core->user = g_strdup (heron_account_server_get_user (imap));
  core->password = g_strdup (options->password);
  core->store_path = options->store_path != NULL ? g_strdup (options->store_path) :
                     heron_store_dup_default_path (core->account_id);
  core->mode = options->mode;
  core->chunk_size = options->chunk_size != 0 ? options->chunk_size : DEFAULT_CHUNK_SIZE;
  core->backoff_initial_ms = options->backoff_initial_ms != 0 ? options->backoff_initial_ms :
                             DEFAULT_BACKOFF_INITIAL_MS;
  core->backoff_max_ms = MAX (options->backoff_max_ms != 0 ? options->backoff_max_ms :
                              DEFAULT_BACKOFF_MAX_MS, core->backoff_initial_ms);
  core->backoff_ms = core->backoff_initial_ms;
  core->idle = options->idle;
  core->folder_sync = heron_account_config_get_folder_sync (config);
  core->sync_folders = g_strdupv ((char **) heron_account_config_get_sync_folders (config));
  core->use_notify = !options->no_notify;
  core->status_poll_ms = options->status_poll_ms != 0 ? options->status_poll_ms : DEFAULT_STATUS_POLL_MS;
  core->prefetch_days = heron_account_config_get_prefetch_days (config);
  core->trash_folder = g_strdup (heron_account_config_get_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_TRASH));
  core->ignore_move = options->ignore_move;
  core->ignore_uidplus = options->ignore_uidplus;
  core->context = g_main_context_new ();
  core->main_context = g_main_context_ref_thread_default ();
  core->cancellable = g_cancellable_new ();
  core->folder_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  core->state = HERON_SYNC_STATE_STOPPED;
  g_mutex_init (&core->lock);
  core->events = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_sync_event_free);
  g_weak_ref_init (&core->owner, self);

  heron_imap_session_settings_init (&core->settings);
  core->settings.connection.host = g_strdup (core->host);
  core->settings.connection.port = heron_account_server_get_effective_port (imap);
  switch (heron_account_server_get_security (imap))
    {
    case HERON_ACCOUNT_SECURITY_TLS:
      core->settings.connection.security = HERON_IMAP_SECURITY_TLS;
      break;
    case HERON_ACCOUNT_SECURITY_STARTTLS:
      core->settings.connection.security = HERON_IMAP_SECURITY_STARTTLS;
      break;
    case HERON_ACCOUNT_SECURITY_NONE:
    default:
      core->settings.connection.security = HERON_IMAP_SECURITY_NONE;
      break;
    }
  core->settings.connection.allow_plaintext =
    heron_account_server_get_allow_plaintext_on_loopback (imap);
  core->settings.connection.pinned_certificate = pinned;
  if (options->tls_database != NULL)
    core->settings.connection.tls_database = g_object_ref (options->tls_database);
  if (options->read_timeout_ms != 0)
    core->settings.connection.read_timeout_ms = options->read_timeout_ms;
  core->settings.user = g_strdup (core->user);

  /* OAuth2: the provider is an object of this thread; the token source asks it here. */
  imap_auth = heron_account_server_get_auth (imap);
  smtp_auth = heron_account_server_get_auth (heron_account_config_get_smtp (config));
  core->imap_oauth2 = imap_auth != HERON_ACCOUNT_AUTH_PASSWORD;
  core->oauth2_mechanism = imap_auth == HERON_ACCOUNT_AUTH_OAUTHBEARER ? HERON_IMAP_AUTH_OAUTHBEARER
                                                                       : HERON_IMAP_AUTH_XOAUTH2;
  if (options->oauth2_provider != NULL &&
      (imap_auth != HERON_ACCOUNT_AUTH_PASSWORD || smtp_auth != HERON_ACCOUNT_AUTH_PASSWORD))
    core->oauth2_tokens = heron_oauth2_token_source_new (options->oauth2_provider,
                                                         core->account_id != NULL ? core->account_id : "",
                                                         core->main_context);
  if (core->imap_oauth2 && core->oauth2_tokens != NULL)
    core->settings.token_provider = g_object_ref (HERON_IMAP_TOKEN_PROVIDER (core->oauth2_tokens));

  core->outbox = _heron_sync_outbox_new (config,
                                         options->smtp_password != NULL ? options->smtp_password : options->password,
                                         options->tls_database, error);
  if (core->outbox == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
heron_account_worker_start (HeronAccountWorker *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));

  if (self->thread != NULL || g_atomic_int_get (&self->core->stopping))
    return;
  self->thread = g_thread_new ("heron-account-worker", worker_thread, _heron_sync_core_ref (self->core));
}

void
heron_account_worker_stop (HeronAccountWorker *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));

  if (self->core == NULL)
    return;
  g_atomic_int_set (&self->core->stopping, TRUE);
  if (self->thread == NULL)
    return;
  g_cancellable_cancel (self->core->cancellable);
  g_main_context_wakeup (self->core->context);
  g_thread_join (g_steal_pointer (&self->thread));
  /* The last events (the state STOPPED) are delivered by the pending flush. */
}

HeronSyncState
heron_account_worker_get_state (HeronAccountWorker *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_WORKER (self), HERON_SYNC_STATE_STOPPED);

  return self->state;
}

const char *
heron_account_worker_get_store_path (HeronAccountWorker *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_WORKER (self), NULL);

  return self->core->store_path;
}

guint
heron_account_worker_get_n_login_attempts (HeronAccountWorker *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_WORKER (self), 0);

  return self->core != NULL ? (guint) g_atomic_int_get (&self->core->n_login_attempts) : 0;
}

/* Requests */

typedef struct {
  HeronSyncCore *core;
  HeronSyncJob  *job;
  char          *password;
} Handover;

static void
handover_free (gpointer data)
{
  Handover *handover = data;

  /* Not taken by the worker (it stopped first): fail the task on its context. */
  if (handover->job != NULL)
    {
      complete_job_task (handover->job, g_error_new (HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                                                     "The account's worker stopped"));
      job_free (handover->job);
    }
  g_free (handover->password);
  _heron_sync_core_unref (handover->core);
  g_free (handover);
}

static gboolean
take_job (gpointer user_data)
{
  Handover *handover = user_data;

  if (g_atomic_int_get (&handover->core->stopping))
    return G_SOURCE_REMOVE;
  queue_job_on_worker (handover->core, g_steal_pointer (&handover->job));
  return G_SOURCE_REMOVE;
}

static void
hand_over (HeronAccountWorker *self,
           HeronSyncJob       *job)
{
  Handover *handover;

  if (self->thread == NULL || g_atomic_int_get (&self->core->stopping))
    {
      GTask *task = g_steal_pointer (&job->task);
      g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                               "The account's worker is not running");
      g_object_unref (task);
      job_free (job);
      return;
    }

  handover = g_new0 (Handover, 1);
  handover->core = _heron_sync_core_ref (self->core);
  handover->job = job;
  g_main_context_invoke_full (self->core->context, G_PRIORITY_DEFAULT, take_job, handover, handover_free);
}

static gboolean
take_retry (gpointer user_data)
{
  Handover *handover = user_data;
  HeronSyncCore *core = handover->core;

  if (handover->password != NULL)
    {
      g_free (core->password);
      core->password = g_steal_pointer (&handover->password);
    }
  core->auth_failed = FALSE;
  core->untrusted = FALSE;
  core->backoff_ms = core->backoff_initial_ms;
  queue_own_job (core, HERON_SYNC_JOB_CONNECT, NULL);
  return G_SOURCE_REMOVE;
}

void
heron_account_worker_retry_login (HeronAccountWorker *self,
                                  const char         *password)
{
  Handover *handover;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));

  if (self->thread == NULL)
    return;
  handover = g_new0 (Handover, 1);
  handover->core = _heron_sync_core_ref (self->core);
  handover->password = g_strdup (password);
  g_main_context_invoke_full (self->core->context, G_PRIORITY_DEFAULT, take_retry, handover, handover_free);
}

static HeronSyncJob *
new_job (HeronAccountWorker  *self,
         HeronSyncJobKind     kind,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  HeronSyncJob *job = g_new0 (HeronSyncJob, 1);

  job->kind = kind;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  return job;
}

HeronSyncCore *
_heron_account_worker_get_core (gpointer worker)
{
  return HERON_ACCOUNT_WORKER (worker)->core;
}

HeronSyncJob *
_heron_sync_job_new_custom (gpointer             worker,
                            HeronSyncJobFunc     run,
                            gboolean             needs_online,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  HeronSyncJob *job = new_job (HERON_ACCOUNT_WORKER (worker), HERON_SYNC_JOB_CUSTOM, source_tag,
                               cancellable, callback, user_data);

  job->run = run;
  job->needs_online = needs_online;
  return job;
}

void
_heron_sync_hand_over (gpointer      worker,
                       HeronSyncJob *job)
{
  hand_over (HERON_ACCOUNT_WORKER (worker), job);
}

void
heron_account_worker_sync_folders_async (HeronAccountWorker  *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));

  hand_over (self, new_job (self, HERON_SYNC_JOB_SYNC_FOLDERS, heron_account_worker_sync_folders_async,
                            cancellable, callback, user_data));
}

gboolean
heron_account_worker_sync_folders_finish (HeronAccountWorker  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_account_worker_sync_folder_async (HeronAccountWorker  *self,
                                        const char          *folder,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  HeronSyncJob *job;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);

  job = new_job (self, HERON_SYNC_JOB_SYNC_FOLDER, heron_account_worker_sync_folder_async,
                 cancellable, callback, user_data);
  job->folder = g_strdup (folder);
  hand_over (self, job);
}

gboolean
heron_account_worker_sync_folder_finish (HeronAccountWorker  *self,
                                         GAsyncResult        *result,
                                         GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_account_worker_set_flags_async (HeronAccountWorker  *self,
                                      const char          *folder,
                                      const gint64        *uids,
                                      guint                n_uids,
                                      guint                add_flags,
                                      guint                remove_flags,
                                      const char * const  *add_keywords,
                                      const char * const  *remove_keywords,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  HeronSyncJob *job;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);
  g_return_if_fail (uids != NULL || n_uids == 0);

  job = new_job (self, HERON_SYNC_JOB_SET_FLAGS, heron_account_worker_set_flags_async,
                 cancellable, callback, user_data);
  job->folder = g_strdup (folder);
  job->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_uids);
  g_array_append_vals (job->uids, uids, n_uids);
  job->add_flags = add_flags;
  job->remove_flags = remove_flags;
  job->add_keywords = g_strdupv ((char **) add_keywords);
  job->remove_keywords = g_strdupv ((char **) remove_keywords);
  hand_over (self, job);
}

gboolean
heron_account_worker_set_flags_finish (HeronAccountWorker  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
