/* heron-test-goa.h: the real GNOME Online Accounts daemon on the private bus of a test
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests that run inside tests/harness/heron-test-session: /usr/libexec/goa-daemon (Debian's
 * gnome-online-accounts, build-aux/setup-deps) is started by hand on the session's private bus
 * (that bus activates nothing but the keyring). It keeps its accounts in
 * $XDG_CONFIG_HOME/goa-1.0/accounts.conf and their secrets in the session's gnome-keyring.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HERON_TEST_GOA_DAEMON "/usr/libexec/goa-daemon"

typedef struct _HeronTestGoa HeronTestGoa;

/* Starts the daemon and waits until it owns org.gnome.OnlineAccounts. */
HeronTestGoa *heron_test_goa_start            (GError       **error);
/* Stops it (SIGTERM) and waits until it left the bus. */
void          heron_test_goa_stop             (HeronTestGoa  *goa);
/* The daemon's log (stdout and stderr), for a failure message. */
char         *heron_test_goa_dup_log          (HeronTestGoa  *goa);

/* Adds an "IMAP and SMTP" account the way Settings does (Manager.AddAccount): @details are GOA's
 * key-file keys (NULL-terminated key, value pairs), the password goes to "imap-password" and
 * "smtp-password". Returns the new account's id ("account_…"). */
char         *heron_test_goa_add_imap_smtp    (const char    *identity,
                                               const char    *password,
                                               GError       **error,
                                               const char    *first_key,
                                               ...) G_GNUC_NULL_TERMINATED;

/* Iterates the default main context until @done is TRUE; fails the test (naming @what) after a
 * minute, which only a hang reaches. */
void          heron_test_goa_wait             (const gboolean *done,
                                               const char     *what);

G_END_DECLS
