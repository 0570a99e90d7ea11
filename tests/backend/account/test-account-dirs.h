/* test-account-dirs.h: private XDG directories for account tests
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like G_TEST_OPTION_ISOLATE_DIRS, but set once for the whole program and emptied between tests:
 * GLib's per-test isolation keeps every earlier directory name alive on purpose, which the
 * sanitizer build would report as leaks.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Before g_test_init(): makes a temporary root and points XDG_CONFIG_HOME, XDG_DATA_HOME,
 * XDG_CACHE_HOME and XDG_STATE_HOME into it. */
void test_account_dirs_init    (void);
/* Empties them (at the start of each test). */
void test_account_dirs_reset   (void);
/* Removes the root (at the end of main). */
void test_account_dirs_cleanup (void);

G_END_DECLS
