/* heron-client-account.c: (being written)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

typedef int heron_client_account_placeholder;
