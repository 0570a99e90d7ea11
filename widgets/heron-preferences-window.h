/* heron-preferences-window.h: accounts, remote content and notifications
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_PREFERENCES_WINDOW (heron_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (HeronPreferencesWindow, heron_preferences_window, HERON, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Modal over @parent (nullable). Accounts: each account's details, identities and offline
 * window are edited on a subpage and saved with heron_account_manager_update_async(); removing
 * asks first and goes through heron_account_manager_remove_async(); "Add Account…" opens the
 * setup window. Reading: the load-remote-content policy and the remote-content-senders list of
 * @settings; notifications: notify-new-mail. @settings may be NULL (no schema installed): the
 * Reading page is then left out.
 *
 * Widget actions: preferences.add-account, preferences.edit-account (s: account id),
 * preferences.save-account, preferences.remove-account (asks), preferences.add-identity,
 * preferences.remove-identity (u: index). */
GtkWindow *heron_preferences_window_new (GtkWindow           *parent,
                                         HeronAccountManager *manager,
                                         GSettings           *settings);

G_END_DECLS
