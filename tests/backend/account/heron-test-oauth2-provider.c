/* heron-test-oauth2-provider.c: a HeronOAuth2Provider for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-test-oauth2-provider.h"
#include "account/heron-account-error.h"

struct _HeronTestOAuth2Provider
{
  GObject  parent_instance;

  GThread *owner;
  char    *token;
  char    *refreshed_token;
  guint    n_requests;
  guint    n_refreshes;
  guint    n_wrong_thread;
  guint    n_failures;   /* the next requests that fail with failure */
  GError  *failure;
  char    *last_account_id;
  char    *last_user;
};

static void heron_test_oauth2_provider_iface_init (HeronOAuth2ProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeronTestOAuth2Provider, heron_test_oauth2_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HERON_TYPE_OAUTH2_PROVIDER,
                                                      heron_test_oauth2_provider_iface_init))

static gboolean
answer (gpointer user_data)
{
  GTask *task = user_data;
  HeronTestOAuth2Provider *self = g_task_get_source_object (task);
  GError *failure = g_task_get_task_data (task);

  if (failure != NULL)
    g_task_return_error (task, g_error_copy (failure));
  else if (self->token == NULL)
    g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                             "The test provider has no token for %s", self->last_user);
  else
    g_task_return_pointer (task, g_strdup (self->token), g_free);
  return G_SOURCE_REMOVE;
}

static void
get_access_token_async (HeronOAuth2Provider *provider,
                        const char          *account_id,
                        const char          *user,
                        gboolean             force_refresh,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  HeronTestOAuth2Provider *self = HERON_TEST_OAUTH2_PROVIDER (provider);
  GTask *task = g_task_new (provider, cancellable, callback, user_data);
  GSource *source;

  if (g_thread_self () != self->owner)
    self->n_wrong_thread++;
  self->n_requests++;
  g_free (self->last_account_id);
  self->last_account_id = g_strdup (account_id);
  g_free (self->last_user);
  self->last_user = g_strdup (user);
  if (force_refresh)
    {
      self->n_refreshes++;
      if (self->refreshed_token != NULL)
        {
          g_free (self->token);
          self->token = g_steal_pointer (&self->refreshed_token);
        }
    }

  if (self->n_failures > 0)
    {
      self->n_failures--;
      g_task_set_task_data (task, g_error_copy (self->failure), (GDestroyNotify) g_error_free);
    }

  source = g_idle_source_new ();
  g_task_attach_source (task, source, answer);
  g_source_unref (source);
  g_object_unref (task);   /* the source holds it */
}

static char *
get_access_token_finish (HeronOAuth2Provider  *provider,
                         GAsyncResult         *result,
                         gint64               *out_expires_at,
                         GError              **error)
{
  *out_expires_at = 0;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
heron_test_oauth2_provider_iface_init (HeronOAuth2ProviderInterface *iface)
{
  iface->get_access_token_async = get_access_token_async;
  iface->get_access_token_finish = get_access_token_finish;
}

static void
heron_test_oauth2_provider_finalize (GObject *object)
{
  HeronTestOAuth2Provider *self = HERON_TEST_OAUTH2_PROVIDER (object);

  g_free (self->token);
  g_free (self->refreshed_token);
  g_free (self->last_account_id);
  g_free (self->last_user);
  g_clear_error (&self->failure);
  G_OBJECT_CLASS (heron_test_oauth2_provider_parent_class)->finalize (object);
}

static void
heron_test_oauth2_provider_class_init (HeronTestOAuth2ProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = heron_test_oauth2_provider_finalize;
}

static void
heron_test_oauth2_provider_init (HeronTestOAuth2Provider *self)
{
  self->owner = g_thread_self ();
}

HeronTestOAuth2Provider *
heron_test_oauth2_provider_new (void)
{
  return g_object_new (HERON_TEST_TYPE_OAUTH2_PROVIDER, NULL);
}

void
heron_test_oauth2_provider_set_token (HeronTestOAuth2Provider *self,
                                      const char              *token)
{
  g_free (self->token);
  self->token = g_strdup (token);
}

void
heron_test_oauth2_provider_set_refreshed_token (HeronTestOAuth2Provider *self,
                                                const char              *token)
{
  g_free (self->refreshed_token);
  self->refreshed_token = g_strdup (token);
}

guint
heron_test_oauth2_provider_get_n_requests (HeronTestOAuth2Provider *self)
{
  return self->n_requests;
}

guint
heron_test_oauth2_provider_get_n_refreshes (HeronTestOAuth2Provider *self)
{
  return self->n_refreshes;
}

guint
heron_test_oauth2_provider_get_n_wrong_thread (HeronTestOAuth2Provider *self)
{
  return self->n_wrong_thread;
}

const char *
heron_test_oauth2_provider_get_last_account_id (HeronTestOAuth2Provider *self)
{
  return self->last_account_id;
}

const char *
heron_test_oauth2_provider_get_last_user (HeronTestOAuth2Provider *self)
{
  return self->last_user;
}

void
heron_test_oauth2_provider_fail_next (HeronTestOAuth2Provider *self,
                                      guint                    n,
                                      const GError            *error)
{
  g_return_if_fail (HERON_TEST_IS_OAUTH2_PROVIDER (self));
  g_return_if_fail (n == 0 || error != NULL);

  self->n_failures = n;
  g_clear_error (&self->failure);
  if (error != NULL)
    self->failure = g_error_copy (error);
}
