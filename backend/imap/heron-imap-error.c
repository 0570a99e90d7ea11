/* heron-imap-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-imap-error.h"

G_DEFINE_QUARK (heron-imap-error-quark, heron_imap_error)
