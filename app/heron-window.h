/* heron-window.h
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heron-application.h"
#include "heron-message-list-view.h"
#include "heron-message-view.h"
#include "heron-sidebar.h"

G_BEGIN_DECLS

#define HERON_TYPE_WINDOW (heron_window_get_type ())

G_DECLARE_FINAL_TYPE (HeronWindow, heron_window, HERON, WINDOW, AdwApplicationWindow)

HeronWindow          *heron_window_new                   (HeronApplication *application);

/* Chooses @folder in the sidebar and shows its messages. */
gboolean              heron_window_show_folder           (HeronWindow      *self,
                                                          HeronFolder      *folder);
/* Shows @message's folder and selects the message (the reader shows it). */
gboolean              heron_window_show_message          (HeronWindow      *self,
                                                          HeronMessage     *message);

/* The window's parts (tests, benchmarks). */
HeronSidebar         *heron_window_get_sidebar           (HeronWindow      *self);
HeronMessageListView *heron_window_get_message_list_view (HeronWindow      *self);
HeronMessageView     *heron_window_get_message_view      (HeronWindow      *self);
AdwLeaflet           *heron_window_get_leaflet           (HeronWindow      *self);

G_END_DECLS
