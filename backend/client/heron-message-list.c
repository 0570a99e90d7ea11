/* heron-message-list.c: (being written)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

typedef int heron_message_list_placeholder;
