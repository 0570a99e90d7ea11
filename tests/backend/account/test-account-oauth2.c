/* test-account-oauth2.c: the HeronOAuth2Provider interface, with a provider made here
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "account/heron-account.h"

/* A provider with one token per user, counting refreshes. */
#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GObject)

struct _TestProvider
{
  GObject parent_instance;
  guint refreshes;
  char *last_account_id;
};

static void test_provider_iface_init (HeronOAuth2ProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProvider, test_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HERON_TYPE_OAUTH2_PROVIDER, test_provider_iface_init))

static void
test_provider_finalize (GObject *object)
{
  g_free (TEST_PROVIDER (object)->last_account_id);
  G_OBJECT_CLASS (test_provider_parent_class)->finalize (object);
}

static void
test_provider_class_init (TestProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_provider_finalize;
}

static void
test_provider_init (TestProvider *self)
{
}

static void
get_token_async (HeronOAuth2Provider *provider,
                 const char          *account_id,
                 const char          *user,
                 gboolean             force_refresh,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  TestProvider *self = TEST_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);

  g_free (self->last_account_id);
  self->last_account_id = g_strdup (account_id);
  if (force_refresh)
    self->refreshes++;

  if (g_str_equal (user, "nobody@example.test"))
    g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN, "no token for %s", user);
  else
    g_task_return_pointer (task, g_strdup_printf ("token-%s-%u", user, self->refreshes), g_free);
}

static char *
get_token_finish (HeronOAuth2Provider  *provider,
                  GAsyncResult         *result,
                  gint64               *out_expires_at,
                  GError              **error)
{
  char *token = g_task_propagate_pointer (G_TASK (result), error);

  /* Set even on error: the wrapper must not pass it on then. */
  *out_expires_at = 1234;
  return token;
}

static void
test_provider_iface_init (HeronOAuth2ProviderInterface *iface)
{
  iface->get_access_token_async = get_token_async;
  iface->get_access_token_finish = get_token_finish;
}

static void
result_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
get_token (HeronOAuth2Provider  *provider,
           const char           *user,
           gboolean              force_refresh,
           gint64               *out_expires_at,
           GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_oauth2_provider_get_access_token_async (provider, "acct", user, force_refresh, NULL,
                                                result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return heron_oauth2_provider_get_access_token_finish (provider, result, out_expires_at, error);
}

static void
test_dispatch (void)
{
  g_autoptr(TestProvider) provider = g_object_new (TEST_TYPE_PROVIDER, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 expires_at = -1;

  token = get_token (HERON_OAUTH2_PROVIDER (provider), "alice@example.test", FALSE, &expires_at, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-alice@example.test-0");
  g_assert_cmpint (expires_at, ==, 1234);
  g_assert_cmpstr (provider->last_account_id, ==, "acct");
  g_clear_pointer (&token, g_free);

  token = get_token (HERON_OAUTH2_PROVIDER (provider), "alice@example.test", TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-alice@example.test-1");
  g_clear_pointer (&token, g_free);

  expires_at = -1;
  token = get_token (HERON_OAUTH2_PROVIDER (provider), "nobody@example.test", FALSE, &expires_at, &error);
  g_assert_null (token);
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN);
  g_assert_cmpint (expires_at, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/heron/account/oauth2/dispatch", test_dispatch);
  return g_test_run ();
}
