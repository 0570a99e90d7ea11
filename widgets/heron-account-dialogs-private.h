/* heron-account-dialogs-private.h: certificate details shared by the dialogs of widgets/
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* "AB:CD:…": the SHA-256 of the certificate's DER form, upper-case hex pairs. */
char      *_heron_certificate_dup_fingerprint (GTlsCertificate *certificate);
/* A grid of what is known of the certificate: fingerprint (@fingerprint, or computed when
 * NULL), subject, issuer, validity. Selectable labels. */
GtkWidget *_heron_certificate_details_new     (GTlsCertificate *certificate,
                                               const char      *fingerprint);

G_END_DECLS
