/* heron-message-list-view.h: the message list (a GtkListView over a HeronMessageList)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_MESSAGE_LIST_VIEW (heron_message_list_view_get_type ())

G_DECLARE_FINAL_TYPE (HeronMessageListView, heron_message_list_view, HERON, MESSAGE_LIST_VIEW, GtkWidget)

/* Signals:
 *   ::selection-changed (): the selected messages changed.
 *   ::message-activated (HeronMessage *message): Enter or a double click on a row.
 * Rows can be dragged: the drag carries a GListStore of the HeronMessage dragged (the selection
 * when the row is part of it). A right click or a long press selects the row (unless it is
 * selected already) and pops up the context menu given with set_context_menu(). */

GtkWidget   *heron_message_list_view_new              (void);
/* @messages: a GListModel of HeronMessage (nullable). */
void         heron_message_list_view_set_model        (HeronMessageListView *self,
                                                       GListModel           *messages);
GListModel  *heron_message_list_view_get_model        (HeronMessageListView *self);
void         heron_message_list_view_set_context_menu (HeronMessageListView *self,
                                                       GMenuModel           *menu);
/* What the empty list says ("No Messages", "No Results"...). */
void         heron_message_list_view_set_placeholder  (HeronMessageListView *self,
                                                       const char           *icon_name,
                                                       const char           *title,
                                                       const char           *description);
/* The selected messages, in list order (GPtrArray of HeronMessage, transfer full). */
GPtrArray   *heron_message_list_view_get_selected     (HeronMessageListView *self);
guint        heron_message_list_view_get_n_selected   (HeronMessageListView *self);
/* Selects only the message at @position (and scrolls to it); FALSE when out of range. */
gboolean     heron_message_list_view_select_position  (HeronMessageListView *self,
                                                       guint                 position);
/* The position of the first selected message, or GTK_INVALID_LIST_POSITION. */
guint        heron_message_list_view_get_first_selected_position (HeronMessageListView *self);
/* The scrolled window (for benchmarks and tests that scroll). */
GtkScrolledWindow *heron_message_list_view_get_scrolled_window (HeronMessageListView *self);

G_END_DECLS
