/* heron-mime-error.h: the error domain of backend/mime
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERON_MIME_ERROR (heron_mime_error_quark ())

typedef enum {
  HERON_MIME_ERROR_TOO_LARGE,       /* the message is larger than HERON_MIME_MAX_MESSAGE_SIZE */
  HERON_MIME_ERROR_NOT_A_MESSAGE,   /* an attachment opened as a message is not one */
  HERON_MIME_ERROR_INVALID,         /* a composition lacks what a message needs (a sender) */
} HeronMimeError;

GQuark heron_mime_error_quark (void);

G_END_DECLS
