/* heron-store-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-store-error.h"

G_DEFINE_QUARK (heron-store-error-quark, heron_store_error)
