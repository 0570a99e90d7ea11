/* heron-sidebar.h: the accounts and their folder trees, with the unified inbox on top
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_SIDEBAR (heron_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (HeronSidebar, heron_sidebar, HERON, SIDEBAR, GtkWidget)

/* Signals:
 *   ::selection-changed (): another entry was chosen (see get_selected_folder /
 *     get_unified_selected).
 *   ::messages-dropped (HeronFolder *folder, GListModel *messages): messages of the message list
 *     were dropped on a folder row (a move the window carries out).
 *   ::folder-activated (HeronFolder *folder): Enter or a click on a row (narrow layout: show
 *     the list). */

GtkWidget   *heron_sidebar_new                   (void);
void         heron_sidebar_set_manager           (HeronSidebar        *self,
                                                  HeronAccountManager *manager);
/* The chosen folder; NULL when the unified inbox (or nothing) is chosen. An account row stands
 * for its inbox. */
HeronFolder *heron_sidebar_get_selected_folder   (HeronSidebar        *self);
gboolean     heron_sidebar_get_unified_selected  (HeronSidebar        *self);
/* Chooses the unified inbox. */
void         heron_sidebar_select_unified        (HeronSidebar        *self);
/* Chooses @folder, expanding its account and parents; FALSE if it is not in the tree. */
gboolean     heron_sidebar_select_folder         (HeronSidebar        *self,
                                                  HeronFolder         *folder);

G_END_DECLS
