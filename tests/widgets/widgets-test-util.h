/* widgets-test-util.h: what the GUI tests of widgets/ share: waiting on the main loop, finding
 * widgets by name, screenshots, and accounts on the harness's Dovecot and Postfix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "heron-backend.h"
#include "heron-test-server.h"

G_BEGIN_DECLS

/* How long any single wait may take before the test fails (a guard, not a timed assertion). */
#define WIDGETS_TEST_WAIT_MS 90000

typedef gboolean (*WidgetsTestCheck) (gpointer data);

void                 widgets_test_wait_until      (WidgetsTestCheck  check,
                                                   gpointer          data,
                                                   const char       *what);
void                 widgets_test_spin            (guint             ms);
/* Waits for @window to be destroyed. */
void                 widgets_test_wait_destroyed  (GtkWidget        *window,
                                                   const char       *what);

/* The first widget below @root (itself included) whose gtk_widget_get_name() is @name. */
GtkWidget           *widgets_test_find_named      (GtkWidget        *root,
                                                   const char       *name);
/* A visible toplevel of @type, or NULL. */
GtkWindow           *widgets_test_find_window     (GType             type);
/* Renders @widget as it is on screen into HERON_TEST_SCREENSHOT_DIR/@name; returns the number
 * of distinct colours it has (a drawn window has many). */
guint                widgets_test_screenshot      (GtkWidget        *widget,
                                                   const char       *name);

/* A manager in fresh directories; @trust_server: trust the harness's certificate. */
HeronAccountManager *widgets_test_manager_new     (HeronTestServer  *server,
                                                   gboolean          trust_server,
                                                   char            **out_config_dir);
/* An account config for @user on the harness (IMAP and SMTP over STARTTLS). */
HeronAccountConfig  *widgets_test_config_new      (HeronTestServer  *server,
                                                   const char       *user);
HeronAccount        *widgets_test_add_account     (HeronAccountManager *manager,
                                                   HeronAccountConfig  *config,
                                                   const char          *password);
void                 widgets_test_wait_state      (HeronAccount     *account,
                                                   HeronSyncState    state);
/* Writes an account for @user on the harness into the default account store (the
 * application's $XDG_CONFIG_HOME), its IMAP and SMTP over STARTTLS with the harness's
 * certificate pinned, and its password into the keyring, as the account setup would; returns
 * the account's id. For tests that start the application on it. */
char                *widgets_test_save_account    (HeronTestServer  *server,
                                                   const char       *user,
                                                   const char       *person,
                                                   const char       *display_name);
/* The keyring's password for the account's IMAP server, or NULL. */
char                *widgets_test_lookup_password (HeronAccount     *account);

G_END_DECLS
