/* test-account-dirs.c: private XDG directories for account tests
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "test-account-dirs.h"

static char *root;

static const char * const variables[][2] = {
  { "XDG_CONFIG_HOME", "config" },
  { "XDG_DATA_HOME", "data" },
  { "XDG_CACHE_HOME", "cache" },
  { "XDG_STATE_HOME", "state" },
};

/* Removes a tree without following links. */
static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
test_account_dirs_init (void)
{
  g_autoptr(GError) error = NULL;

  root = g_dir_make_tmp ("heron-account-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_autofree char *dir = g_build_filename (root, variables[i][1], NULL);

      g_setenv (variables[i][0], dir, TRUE);
    }
  test_account_dirs_reset ();
}

void
test_account_dirs_reset (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_autofree char *dir = g_build_filename (root, variables[i][1], NULL);

      remove_tree (dir);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
}

void
test_account_dirs_cleanup (void)
{
  if (root != NULL)
    remove_tree (root);
  g_clear_pointer (&root, g_free);
}
