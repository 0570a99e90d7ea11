/* heron-account-dialogs.h: what an account asks the person when it cannot go on by itself
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "heron-backend.h"

G_BEGIN_DECLS

/* After the server refused the login (state AUTH_FAILED): asks for the password, with
 * "Remember password", and tries again with heron_account_retry_login(). An AdwMessageDialog,
 * modal to @parent (nullable); responses "cancel" and "login". */
void heron_password_dialog_present    (GtkWindow    *parent,
                                       HeronAccount *account);

/* After the server presented a certificate that does not verify: shows it (SHA-256
 * fingerprint, subject, issuer, validity) and, when the person trusts it, pins it with
 * heron_account_trust_certificate(). Responses "cancel" and "trust". Does nothing when the
 * account has no untrusted certificate. */
void heron_certificate_dialog_present (GtkWindow    *parent,
                                       HeronAccount *account);

G_END_DECLS
