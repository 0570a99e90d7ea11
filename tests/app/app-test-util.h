/* app-test-util.h: what the application's GUI tests share: running a check inside the real
 * HeronApplication, finding the account the test wrote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-application.h"
#include "heron-window.h"

G_BEGIN_DECLS

typedef void (*AppTestCheck) (HeronApplication *app,
                              HeronWindow      *window);

/* Runs a HeronApplication (program name @name); once its window is drawn, @check runs in it,
 * then the application quits. */
void          app_test_run         (const char   *name,
                                    AppTestCheck  check);
/* The application's account @account_id (asserted to exist). */
HeronAccount *app_test_get_account (HeronApplication *app,
                                    const char       *account_id);

G_END_DECLS
