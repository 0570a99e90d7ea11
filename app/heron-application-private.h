/* heron-application-private.h: what only app/ uses.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heron-application.h"

G_BEGIN_DECLS

/* heron-application-actions.c */
void _heron_application_install_actions (HeronApplication *self);

/* heron-application.c */
/* Leaves GL off when @dri_dir ("/dev/dri") has no GPU render node and the person set neither
 * GSK_RENDERER nor GDK_DEBUG; heron_application_new() calls it. */
void _heron_application_choose_renderer (const char *dri_dir);

/* The message @uid of @folder_name in account @account_id, found among the folder's newest
 * messages (where new mail is), or NULL. */
HeronMessage *_heron_application_find_message (HeronApplication *self,
                                               const char       *account_id,
                                               const char       *folder_name,
                                               gint64            uid);

G_END_DECLS
