/* heron-account-setup-window.h: adding a mail account from its address and password
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_ACCOUNT_SETUP_WINDOW (heron_account_setup_window_get_type ())

G_DECLARE_FINAL_TYPE (HeronAccountSetupWindow, heron_account_setup_window, HERON, ACCOUNT_SETUP_WINDOW, AdwWindow)

/* A modal window over @parent (nullable): name, address and password; then the servers found
 * by autoconfiguration (and how they were found), all editable; then a check of both servers
 * (heron_account_check_async()), where an untrusted certificate can be looked at and pinned;
 * then heron_account_manager_add_async(). It closes itself when the account was added.
 *
 * Widget actions: setup.next, setup.back, setup.trust-certificate. Property busy (read-only):
 * looking for servers, checking or adding. Signal ::account-added (HeronAccount *) just before
 * the window closes itself. */
GtkWindow *heron_account_setup_window_new            (GtkWindow           *parent,
                                                      HeronAccountManager *manager);

/* The autoconfiguration to use instead of a default HeronAutoconfig (tests, special setups). */
void       heron_account_setup_window_set_autoconfig (HeronAccountSetupWindow *self,
                                                      HeronAutoconfig         *autoconfig);
gboolean   heron_account_setup_window_get_busy       (HeronAccountSetupWindow *self);

G_END_DECLS
