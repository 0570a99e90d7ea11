/* heron-oauth2-provider.c: where OAuth2 access tokens come from
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-oauth2-provider.h"

G_DEFINE_INTERFACE (HeronOAuth2Provider, heron_oauth2_provider, G_TYPE_OBJECT)

static void
heron_oauth2_provider_default_init (HeronOAuth2ProviderInterface *iface)
{
}

void
heron_oauth2_provider_get_access_token_async (HeronOAuth2Provider *provider,
                                              const char          *account_id,
                                              const char          *user,
                                              gboolean             force_refresh,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  HeronOAuth2ProviderInterface *iface;

  g_return_if_fail (HERON_IS_OAUTH2_PROVIDER (provider));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = HERON_OAUTH2_PROVIDER_GET_IFACE (provider);
  g_return_if_fail (iface->get_access_token_async != NULL);

  iface->get_access_token_async (provider, account_id, user, !!force_refresh, cancellable,
                                 callback, user_data);
}

char *
heron_oauth2_provider_get_access_token_finish (HeronOAuth2Provider  *provider,
                                               GAsyncResult         *result,
                                               gint64               *out_expires_at,
                                               GError              **error)
{
  HeronOAuth2ProviderInterface *iface;
  gint64 expires_at = 0;
  char *token;

  g_return_val_if_fail (HERON_IS_OAUTH2_PROVIDER (provider), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = HERON_OAUTH2_PROVIDER_GET_IFACE (provider);
  g_return_val_if_fail (iface->get_access_token_finish != NULL, NULL);

  token = iface->get_access_token_finish (provider, result, &expires_at, error);
  if (out_expires_at != NULL)
    *out_expires_at = token != NULL ? expires_at : 0;
  return token;
}
