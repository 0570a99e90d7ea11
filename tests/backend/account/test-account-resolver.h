/* test-account-resolver.h: a GResolver with fixed answers, for autoconfiguration tests
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mock, and deliberately so: the tests need DNS answers (A records for test host names, SRV
 * records for a test domain) that no reachable DNS server holds, and this machine has no network.
 * Installed with g_resolver_set_default(), it answers every lookup of GIO (GSocketClient, and so
 * libsoup) except "localhost" and IP literals, which GResolver answers itself. Unknown names are
 * G_RESOLVER_ERROR_NOT_FOUND, as NXDOMAIN would be.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TEST_TYPE_ACCOUNT_RESOLVER (test_account_resolver_get_type ())

G_DECLARE_FINAL_TYPE (TestAccountResolver, test_account_resolver, TEST, ACCOUNT_RESOLVER, GResolver)

TestAccountResolver *test_account_resolver_new          (void);
/* "imap.example.test" -> "127.0.0.1" (more calls add more addresses). */
void                 test_account_resolver_add_host     (TestAccountResolver *self,
                                                         const char          *name,
                                                         const char          *address);
/* "_imaps._tcp.example.test" -> target (priority, weight, port); target "." for "not offered". */
void                 test_account_resolver_add_srv      (TestAccountResolver *self,
                                                         const char          *rrname,
                                                         const char          *target,
                                                         guint16              port,
                                                         guint16              priority,
                                                         guint16              weight);
void                 test_account_resolver_clear        (TestAccountResolver *self);
/* How many SRV lookups were made since the last clear. */
guint                test_account_resolver_get_n_service_lookups (TestAccountResolver *self);

G_END_DECLS
