/* heron-window-private.h: what heron-window.c and heron-window-actions.c share
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heron-window.h"

G_BEGIN_DECLS

/* heron-window.c */
HeronAccountManager *_heron_window_get_manager        (HeronWindow *self);
/* The folder whose messages are listed (NULL: the unified inbox or nothing). */
HeronFolder         *_heron_window_get_current_folder (HeronWindow *self);
/* The account of the folder listed, else the first account, or NULL. */
HeronAccount        *_heron_window_get_current_account (HeronWindow *self);
void                 _heron_window_add_toast          (HeronWindow *self,
                                                       AdwToast    *toast);
GSettings           *_heron_window_get_settings       (HeronWindow *self);
/* Search: shows or hides the search bar. */
void                 _heron_window_set_search_mode    (HeronWindow *self,
                                                       gboolean     enabled);
gboolean             _heron_window_get_search_mode    (HeronWindow *self);
/* Conversation view of the lists shown. */
void                 _heron_window_set_threaded       (HeronWindow *self,
                                                       gboolean     threaded);
/* The selection is about to leave the list (move, delete): select what takes its place. */
void                 _heron_window_reselect_after_removal (HeronWindow *self);
/* Goes back one pane in the narrow layout. */
void                 _heron_window_go_back            (HeronWindow *self);

/* heron-window-actions.c */
void                 _heron_window_install_actions    (HeronWindow *self);
/* Stateful actions take their state from the settings. */
void                 _heron_window_sync_action_state  (HeronWindow *self);
/* Enables the message actions for the current selection. */
void                 _heron_window_update_actions     (HeronWindow *self);
/* The "Move To" menu for the account of the listed folder. */
GMenuModel          *_heron_window_build_move_menu    (HeronWindow *self);
/* Moves @messages (a GListModel of HeronMessage of one account) to @dest, with an undo toast. */
void                 _heron_window_move_messages      (HeronWindow *self,
                                                       GListModel  *messages,
                                                       HeronFolder *dest);
/* The account needs the person: password, certificate, or a retry. */
void                 _heron_window_account_problem    (HeronWindow *self);

G_END_DECLS
