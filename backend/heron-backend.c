/* heron-backend.c: process-wide setup of the libraries the backend stands on.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <sqlite3.h>

#include "heron-backend.h"

const char *
heron_backend_get_version (void)
{
  return PACKAGE_VERSION;
}

/* Initializes GMime and libcurl once per process and checks that the SQLite the backend was
 * linked against has what the cache needs (FTS5, thread safety). Safe to call more than once. */
gboolean
heron_backend_check_libraries (GError **error)
{
  static gsize initialized = 0;
  static gboolean ok = FALSE;
  static char *failure = NULL;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
        failure = g_strdup ("libcurl could not be initialized");
      else if (!sqlite3_threadsafe ())
        failure = g_strdup ("SQLite was built without thread safety");
      else if (!sqlite3_compileoption_used ("ENABLE_FTS5"))
        failure = g_strdup ("SQLite was built without the FTS5 full-text index");
      else
        ok = TRUE;
      g_once_init_leave (&initialized, 1);
    }

  if (!ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, failure);
  return ok;
}
