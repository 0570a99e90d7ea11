/* heron-account-identity.h: one sender identity of an account
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HERON_TYPE_ACCOUNT_IDENTITY (heron_account_identity_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountIdentity, heron_account_identity, HERON, ACCOUNT_IDENTITY, GObject)

/* A name and address the account sends as ("Alice Example <alice@example.test>"), with its own
 * signature and Reply-To. An account has one or more; the first is the default. */
HeronAccountIdentity *heron_account_identity_new            (const char *name,
                                                             const char *address);
HeronAccountIdentity *heron_account_identity_copy           (HeronAccountIdentity *self);

const char           *heron_account_identity_get_name       (HeronAccountIdentity *self);
void                  heron_account_identity_set_name       (HeronAccountIdentity *self,
                                                             const char           *name);
const char           *heron_account_identity_get_address    (HeronAccountIdentity *self);
void                  heron_account_identity_set_address    (HeronAccountIdentity *self,
                                                             const char           *address);
/* Plain text, several lines; NULL for none. */
const char           *heron_account_identity_get_signature  (HeronAccountIdentity *self);
void                  heron_account_identity_set_signature  (HeronAccountIdentity *self,
                                                             const char           *signature);
/* An address for Reply-To; NULL for none. */
const char           *heron_account_identity_get_reply_to   (HeronAccountIdentity *self);
void                  heron_account_identity_set_reply_to   (HeronAccountIdentity *self,
                                                             const char           *reply_to);

/* TRUE if the address is usable: one "@" with text on both sides, no spaces, controls or
 * angle brackets. A syntax check only; whether it exists is the server's business. */
gboolean              heron_account_address_is_valid        (const char *address);

G_END_DECLS
