/* heron-oauth2-token-source.c: an account's OAuth2 provider as the token provider of the IMAP and
 * SMTP engines
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A request lives in a Request shared by three parties: the GTask of the asking thread, the call
 * on the provider's context, and the cancellable's handler. Whichever of the answer and the
 * cancellation comes first completes the task (under the request's lock); the other finds it
 * done and drops what it has.
 *
 * The provider is only ever called on its context's thread: a source attached to that context,
 * or a direct call when the asking thread owns it (it is that thread, iterating). Never
 * g_main_context_invoke(), which runs the function at once on the asking thread whenever nobody
 * owns the context at that moment (a main loop between two iterations).
 *
 * A scope (heron_oauth2_token_source_new_scope()) holds its root, which holds the provider: only
 * the root ever drops a reference to the provider.
 */

#include "config.h"

#include <string.h>

#include "heron-oauth2-token-source.h"
#include "imap/heron-imap-sasl.h"

struct _HeronOAuth2TokenSource
{
  GObject              parent_instance;

  HeronOAuth2TokenSource *root;    /* a scope: the source it was made from; NULL for a root */
  HeronOAuth2Provider *provider;    /* the root's */
  char                *account_id;
  GMainContext        *provider_context;

  GMutex               lock;
  GError              *last_error;   /* under lock */
};

static void heron_oauth2_token_source_token_provider_init (HeronImapTokenProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeronOAuth2TokenSource, heron_oauth2_token_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HERON_IMAP_TYPE_TOKEN_PROVIDER,
                                                      heron_oauth2_token_source_token_provider_init))

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
set_last_error (HeronOAuth2TokenSource *self,
                const GError           *error)
{
  g_mutex_lock (&self->lock);
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
  g_mutex_unlock (&self->lock);
}

/* Calls func (data) on the provider's thread: at once when this thread owns the provider's
 * context (it is that thread, dispatching), else from a source attached to the context. */
static void
call_in_provider_context (HeronOAuth2TokenSource *self,
                          GSourceFunc             func,
                          gpointer                data,
                          GDestroyNotify          notify)
{
  GSource *source;

  if (g_main_context_is_owner (self->provider_context))
    {
      func (data);
      if (notify != NULL)
        notify (data);
      return;
    }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[heron] oauth2 token");
  g_source_attach (source, self->provider_context);
  g_source_unref (source);
}

/* Requests */

typedef struct {
  gint                    ref_count;    /* atomic */
  GMutex                  lock;
  GTask                  *task;         /* under lock; NULL once completed */
  HeronOAuth2TokenSource *self;
  char                   *user;
  gboolean                refresh;
  GCancellable           *cancellable;
  gulong                  cancelled_id;
} Request;

static Request *
request_ref (Request *request)
{
  g_atomic_int_inc (&request->ref_count);
  return request;
}

static void
request_unref (gpointer data)
{
  Request *request = data;

  if (!g_atomic_int_dec_and_test (&request->ref_count))
    return;
  g_assert (request->task == NULL);
  g_mutex_clear (&request->lock);
  g_object_unref (request->self);
  g_free (request->user);
  g_clear_object (&request->cancellable);
  g_free (request);
}

/* Completes the task unless it was completed already; takes token and error. */
static void
request_complete (Request *request,
                  char    *token,
                  GError  *error)
{
  GTask *task;

  g_mutex_lock (&request->lock);
  task = g_steal_pointer (&request->task);
  g_mutex_unlock (&request->lock);

  if (task == NULL)
    {
      wipe_free (token);
      g_clear_error (&error);
      return;
    }
  /* GTask completes on the asking thread's context, whichever thread this is. */
  if (token != NULL)
    g_task_return_pointer (task, token, (GDestroyNotify) wipe_free);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Request *request = user_data;

  request_complete (request, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                        "Operation was cancelled"));
}

static void
on_access_token (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  GError *error = NULL;
  char *token;

  token = heron_oauth2_provider_get_access_token_finish (HERON_OAUTH2_PROVIDER (source), result,
                                                         NULL, &error);
  if (token == NULL && error == NULL)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "The OAuth2 provider gave no token for %s",
                         request->user);
  if (token != NULL && *token == '\0')
    {
      wipe_free (g_steal_pointer (&token));
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "The OAuth2 provider gave an empty token for %s",
                           request->user);
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_last_error (request->self, error);

  /* Safe here: the handler may be running in another thread (disconnect waits for it), never in
   * this call. */
  if (request->cancelled_id != 0)
    g_cancellable_disconnect (request->cancellable, request->cancelled_id);
  request_complete (request, token, error);
  request_unref (request);
}

static gboolean
ask_provider (gpointer user_data)
{
  Request *request = user_data;

  g_debug ("Asking for an access token for %s%s", request->user,
           request->refresh ? " (refreshed)" : "");
  heron_oauth2_provider_get_access_token_async (request->self->provider, request->self->account_id,
                                                request->user, request->refresh,
                                                request->cancellable, on_access_token,
                                                request_ref (request));
  return G_SOURCE_REMOVE;
}

static void
heron_oauth2_token_source_get_token_async (HeronImapTokenProvider *provider,
                                           const char             *user,
                                           gboolean                refresh,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data)
{
  HeronOAuth2TokenSource *self = HERON_OAUTH2_TOKEN_SOURCE (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Request *request;

  g_task_set_source_tag (task, heron_oauth2_token_source_get_token_async);
  /* Cancelling completes the request itself, when it happens. */
  g_task_set_check_cancellable (task, FALSE);

  request = g_new0 (Request, 1);
  request->ref_count = 1;
  g_mutex_init (&request->lock);
  request->task = g_object_ref (task);
  request->self = g_object_ref (self);
  request->user = g_strdup (user);
  request->refresh = refresh;
  request->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;

  if (cancellable != NULL)
    {
      request->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                     request_ref (request), request_unref);
      if (request->cancelled_id == 0)
        {
          /* Cancelled already: the handler ran (and completed the task) and is gone. */
          request_unref (request);
          return;
        }
    }

  call_in_provider_context (self, ask_provider, request, request_unref);
}

static char *
heron_oauth2_token_source_get_token_finish (HeronImapTokenProvider  *provider,
                                            GAsyncResult            *result,
                                            GError                 **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
heron_oauth2_token_source_token_provider_init (HeronImapTokenProviderInterface *iface)
{
  iface->get_token_async = heron_oauth2_token_source_get_token_async;
  iface->get_token_finish = heron_oauth2_token_source_get_token_finish;
}

/* The object */

static gboolean
unref_in_context (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
heron_oauth2_token_source_finalize (GObject *object)
{
  HeronOAuth2TokenSource *self = HERON_OAUTH2_TOKEN_SOURCE (object);

  /* The provider is an object of its context's thread: its last reference goes there. A scope
   * holds no reference of its own. */
  if (self->root != NULL)
    {
      self->provider = NULL;
      g_clear_object (&self->root);
    }
  else if (self->provider != NULL)
    call_in_provider_context (self, unref_in_context, g_steal_pointer (&self->provider), NULL);
  g_main_context_unref (self->provider_context);
  g_free (self->account_id);
  g_clear_error (&self->last_error);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (heron_oauth2_token_source_parent_class)->finalize (object);
}

static void
heron_oauth2_token_source_class_init (HeronOAuth2TokenSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_oauth2_token_source_finalize;
}

static void
heron_oauth2_token_source_init (HeronOAuth2TokenSource *self)
{
  g_mutex_init (&self->lock);
}

HeronOAuth2TokenSource *
heron_oauth2_token_source_new (HeronOAuth2Provider *provider,
                               const char          *account_id,
                               GMainContext        *provider_context)
{
  HeronOAuth2TokenSource *self;

  g_return_val_if_fail (HERON_IS_OAUTH2_PROVIDER (provider), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  self = g_object_new (HERON_TYPE_OAUTH2_TOKEN_SOURCE, NULL);
  self->provider = g_object_ref (provider);
  self->account_id = g_strdup (account_id);
  self->provider_context = provider_context != NULL ? g_main_context_ref (provider_context)
                                                    : g_main_context_ref_thread_default ();
  return self;
}

HeronOAuth2TokenSource *
heron_oauth2_token_source_new_scope (HeronOAuth2TokenSource *self)
{
  HeronOAuth2TokenSource *scope;

  g_return_val_if_fail (HERON_IS_OAUTH2_TOKEN_SOURCE (self), NULL);

  scope = g_object_new (HERON_TYPE_OAUTH2_TOKEN_SOURCE, NULL);
  scope->root = g_object_ref (self->root != NULL ? self->root : self);
  scope->provider = scope->root->provider;
  scope->account_id = g_strdup (self->account_id);
  scope->provider_context = g_main_context_ref (self->provider_context);
  return scope;
}

gboolean
heron_oauth2_token_source_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_TIMED_OUT:
        case G_IO_ERROR_BUSY:
        case G_IO_ERROR_WOULD_BLOCK:
        case G_IO_ERROR_HOST_NOT_FOUND:
        case G_IO_ERROR_HOST_UNREACHABLE:
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_BROKEN_PIPE:       /* also CONNECTION_CLOSED */
        case G_IO_ERROR_NOT_CONNECTED:
        case G_IO_ERROR_PROXY_FAILED:
          return TRUE;
        default:
          return FALSE;
        }
    }
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_NOT_FOUND ||
           error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;
  if (error->domain == G_DBUS_ERROR)
    return error->code == G_DBUS_ERROR_NO_REPLY ||
           error->code == G_DBUS_ERROR_TIMEOUT ||
           error->code == G_DBUS_ERROR_TIMED_OUT ||
           error->code == G_DBUS_ERROR_LIMITS_EXCEEDED;
  return FALSE;
}

HeronOAuth2Provider *
heron_oauth2_token_source_get_provider (HeronOAuth2TokenSource *self)
{
  g_return_val_if_fail (HERON_IS_OAUTH2_TOKEN_SOURCE (self), NULL);

  return self->provider;
}

GError *
heron_oauth2_token_source_dup_error (HeronOAuth2TokenSource *self)
{
  GError *error;

  g_return_val_if_fail (HERON_IS_OAUTH2_TOKEN_SOURCE (self), NULL);

  g_mutex_lock (&self->lock);
  error = self->last_error != NULL ? g_error_copy (self->last_error) : NULL;
  g_mutex_unlock (&self->lock);
  return error;
}
