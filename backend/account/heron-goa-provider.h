/* heron-goa-provider.h: OAuth2 tokens and account proposals from GNOME Online Accounts
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built only when libgoa-1.0 is found at configure time (HERON_HAVE_GOA is then defined for
 * backend/account): include this header only under #ifdef HERON_HAVE_GOA.
 */

#pragma once

/* libgoa's API has carried this warning since 2011 while staying compatible; we accept it. */
#ifndef GOA_API_IS_SUBJECT_TO_CHANGE
#define GOA_API_IS_SUBJECT_TO_CHANGE
#endif
#include <goa/goa.h>

#include "heron-account-config.h"
#include "heron-oauth2-provider.h"

G_BEGIN_DECLS

#define HERON_TYPE_GOA_PROVIDER (heron_goa_provider_get_type ())

G_DECLARE_FINAL_TYPE (HeronGoaProvider, heron_goa_provider, HERON, GOA_PROVIDER, GObject)

/* A HeronOAuth2Provider backed by the GOA daemon (org.gnome.OnlineAccounts on the session bus).
 * It finds the GOA account of a Heron account by the binding below, or else by the user name:
 * the GOA mail account whose address or IMAP/SMTP user name is `user`. force_refresh asks GOA to
 * check the credentials again (EnsureCredentials) before it hands out a token. */
void               heron_goa_provider_new_async          (GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
HeronGoaProvider  *heron_goa_provider_new_finish         (GAsyncResult         *result,
                                                          GError              **error);
HeronGoaProvider  *heron_goa_provider_new_for_client     (GoaClient            *client);

GoaClient         *heron_goa_provider_get_client         (HeronGoaProvider     *self);

/* Ties a Heron account to a GOA account (heron_account_config_get_goa_account_id()). */
void               heron_goa_provider_bind_account       (HeronGoaProvider     *self,
                                                          const char           *account_id,
                                                          const char           *goa_account_id);

/* Every GOA account with mail enabled, as proposals (HeronAccountConfig without an id, with
 * goa-account-id set). HeronAccountManager makes each an account of its own on first sight. */
GPtrArray         *heron_goa_provider_list_mail_accounts (HeronGoaProvider     *self);

/* One GOA object as a proposal, or NULL when it has no usable mail (no Mail interface, mail
 * disabled in Settings, or neither IMAP nor SMTP). */
HeronAccountConfig *heron_goa_provider_config_from_object (GoaObject           *object);

/* Whether the GOA daemon is on the bus now. Without it the client lists no account, which says
 * nothing about the accounts the person has: callers leave theirs alone then. With it the list
 * is not complete either (the name owner is set even when GetManagedObjects failed, and the
 * daemon leaves out accounts it cannot load): only GOA's account-removed signal, while the
 * daemon owns its name, says that an account is gone. */
gboolean           heron_goa_provider_is_running          (HeronGoaProvider     *self);

/* The password GOA keeps for a password-based account (its IMAP and SMTP provider):
 * @password_id is "imap-password" or "smtp-password". The daemon reads it from its own keyring
 * items; Heron never stores it. Fails with HERON_ACCOUNT_ERROR_NOT_FOUND when GOA has no such
 * account, HERON_ACCOUNT_ERROR_NO_TOKEN when the account signs in some other way (OAuth2) or GOA
 * refuses. Free the result with heron_secrets_free(). */
void               heron_goa_provider_get_password_async  (HeronGoaProvider     *self,
                                                           const char           *goa_account_id,
                                                           const char           *password_id,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char              *heron_goa_provider_get_password_finish (HeronGoaProvider     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
