/* test-backend.c: the backend's libraries are usable and the library stays free of GTK.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <heron-backend.h>

static void
test_libraries (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_backend_check_libraries (&error));
  g_assert_no_error (error);
  /* A second call is cheap and gives the same answer. */
  g_assert_true (heron_backend_check_libraries (&error));
  g_assert_no_error (error);
}

static void
test_version (void)
{
  g_assert_cmpstr (heron_backend_get_version (), ==, PACKAGE_VERSION);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/heron/backend/libraries", test_libraries);
  g_test_add_func ("/heron/backend/version", test_version);
  return g_test_run ();
}
