/* heron-oauth2-provider.h: where OAuth2 access tokens come from
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HERON_TYPE_OAUTH2_PROVIDER (heron_oauth2_provider_get_type ())

G_DECLARE_INTERFACE (HeronOAuth2Provider, heron_oauth2_provider, HERON, OAUTH2_PROVIDER, GObject)

/* A source of OAuth2 access tokens for accounts whose servers use XOAUTH2 or OAUTHBEARER:
 * GNOME Online Accounts (HeronGoaProvider), or a flow of Heron's own. The IMAP and SMTP engines
 * ask for a token before they authenticate, and again with force_refresh = TRUE when the server
 * refused the one they had (an expired or revoked token), once; a second refusal is an
 * authentication failure the account reports.
 *
 * get_access_token_async completes on the caller's thread-default main context. The token is a
 * secret: never log it. *out_expires_at (nullable) receives the time it expires, in seconds since
 * the Unix epoch (g_get_real_time () / G_USEC_PER_SEC), or 0 when the provider does not know.
 * When the provider has no token for the account, the error is HERON_ACCOUNT_ERROR_NO_TOKEN. */
struct _HeronOAuth2ProviderInterface
{
  GTypeInterface parent_iface;

  void  (*get_access_token_async)  (HeronOAuth2Provider  *provider,
                                    const char           *account_id,
                                    const char           *user,
                                    gboolean              force_refresh,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
  char *(*get_access_token_finish) (HeronOAuth2Provider  *provider,
                                    GAsyncResult         *result,
                                    gint64               *out_expires_at,
                                    GError              **error);
};

void   heron_oauth2_provider_get_access_token_async  (HeronOAuth2Provider  *provider,
                                                      const char           *account_id,
                                                      const char           *user,
                                                      gboolean              force_refresh,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
char  *heron_oauth2_provider_get_access_token_finish (HeronOAuth2Provider  *provider,
                                                      GAsyncResult         *result,
                                                      gint64               *out_expires_at,
                                                      GError              **error);

G_END_DECLS
