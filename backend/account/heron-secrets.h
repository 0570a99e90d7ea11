/* heron-secrets.h: passwords and tokens, in the keyring only
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "heron-account-types.h"

G_BEGIN_DECLS

/* Secrets are libsecret items of the schema "io.github.heronmail.Heron.Secret" with the string
 * attributes account (the account id), protocol ("imap" or "smtp"), host and user; the same items
 * `secret-tool store xdg:schema io.github.heronmail.Heron.Secret account … protocol … host …
 * user …` writes (build-aux/demo-profile does). Inside a Flatpak libsecret talks to the Secret
 * portal by itself and keeps the items in the application's own keyring file.
 *
 * Every call is asynchronous and completes on the thread-default main context of the caller.
 * Nothing here logs a secret or puts one in an error message. */

#define HERON_SECRETS_SCHEMA_NAME "io.github.heronmail.Heron.Secret"

const SecretSchema *heron_secrets_get_schema     (void);

/* Stores (or replaces: one item per account, protocol, host and user) a password or token. */
void                heron_secrets_store_async    (const char           *account_id,
                                                  HeronAccountProtocol  protocol,
                                                  const char           *host,
                                                  const char           *user,
                                                  const char           *secret,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean            heron_secrets_store_finish   (GAsyncResult         *result,
                                                  GError              **error);

/* The secret, or NULL without an error when there is none. Free it with heron_secrets_free(),
 * which wipes the memory. */
void                heron_secrets_lookup_async   (const char           *account_id,
                                                  HeronAccountProtocol  protocol,
                                                  const char           *host,
                                                  const char           *user,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char               *heron_secrets_lookup_finish  (GAsyncResult         *result,
                                                  GError              **error);

/* Removes every secret of the account (both protocols, any host and user). Having none to remove
 * is not an error. */
void                heron_secrets_clear_async    (const char           *account_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean            heron_secrets_clear_finish   (GAsyncResult         *result,
                                                  GError              **error);

void                heron_secrets_free           (char                 *secret);

G_END_DECLS
