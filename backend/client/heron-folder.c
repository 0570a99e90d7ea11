/* heron-folder.c: (being written)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

typedef int heron_folder_placeholder;
