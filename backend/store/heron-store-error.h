/* heron-store-error.h: the error domain of the local cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERON_STORE_ERROR (heron_store_error_quark ())

/* Errors of backend/store. Failures of the files beside the database (raw sources) keep their
 * G_IO_ERROR codes. */
typedef enum {
  HERON_STORE_ERROR_CORRUPT,     /* the file is not a database, or SQLite found it damaged: the
                                  * caller may delete it (heron_store_delete_files()) and resync */
  HERON_STORE_ERROR_TOO_NEW,     /* the cache was written by a newer Heron (schema version above ours) */
  HERON_STORE_ERROR_BUSY,        /* another connection holds the lock longer than the busy timeout */
  HERON_STORE_ERROR_NO_SPACE,    /* the disk is full */
  HERON_STORE_ERROR_IO,          /* the database file could not be opened, read or written */
  HERON_STORE_ERROR_NOT_FOUND,   /* no such folder, message, source or journal entry */
  HERON_STORE_ERROR_EXISTS,      /* a folder of that name exists already */
  HERON_STORE_ERROR_INVALID,     /* an argument the cache cannot store (e.g. a journal argument of the wrong type) */
  HERON_STORE_ERROR_FAILED,      /* anything else SQLite reports */
} HeronStoreError;

GQuark heron_store_error_quark (void);

G_END_DECLS
