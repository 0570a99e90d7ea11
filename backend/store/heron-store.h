/* heron-store.h: the local cache of one account (SQLite), and the one header of backend/store
 * that other folders include.
 *
 * docs/store.md describes the schema, the migrations, the threads and the journal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-store-error.h"
#include "heron-store-types.h"

G_BEGIN_DECLS

#define HERON_TYPE_STORE (heron_store_get_type ())

G_DECLARE_FINAL_TYPE (HeronStore, heron_store, HERON, STORE, GObject)

/* HeronStore is the writer: the one read-write connection to an account's cache. It belongs to
 * the thread that opened it (the account's worker) and must be used, and released, there only;
 * debug builds assert it. Other threads read through their own HeronStoreReader.
 *
 * Every write is a transaction of its own, or part of a batch (heron_store_begin_batch()).
 * After each outermost commit the writer calls its HeronStoreChangesFunc, on its thread, with
 * what changed; it never emits signals. */

/* Opens (creating it and its directory when missing) and migrates the cache at @path.
 * Errors: HERON_STORE_ERROR_TOO_NEW when a newer Heron wrote it, HERON_STORE_ERROR_CORRUPT
 * when it is not a database or is damaged (the caller may heron_store_delete_files() and
 * fetch the mail again), HERON_STORE_ERROR_IO, HERON_STORE_ERROR_BUSY. */
HeronStore *heron_store_open              (const char            *path,
                                           GError               **error);

/* A second writer on a cache that a HeronStore of this process has opened (and migrated) with
 * heron_store_open(), for bulk writes on another thread (a first sync's summaries): SQLite
 * serializes the two writers' transactions. It does none of the first writer's housekeeping
 * (temporary and unreferenced raw sources): it writes summaries, flags and snippets, and bodies
 * only through heron_store_add_bodies() with source writers the first writer made and pins
 * until after the commit (a prefetch's writer thread). Errors as heron_store_open(), and HERON_STORE_ERROR_INVALID when
 * the cache is not at this version's schema. */
HeronStore *heron_store_open_extra_writer (const char            *path,
                                           GError               **error);

/* $XDG_DATA_HOME/heron/<account_id>/cache.db */
char       *heron_store_dup_default_path  (const char            *account_id);

/* Deletes the database at @path with its -wal, -shm and -journal files and its raw sources
 * (<path>-sources/). No store may have it open. Missing files are not an error. */
gboolean    heron_store_delete_files      (const char            *path,
                                           GError               **error);

const char *heron_store_get_path          (HeronStore            *self);

/* Where raw sources are kept: <path>-sources/ */
const char *heron_store_get_sources_dir   (HeronStore            *self);

/* Closes the connection now (it also closes when the last reference goes). Nothing may be
 * called on the store afterwards except g_object_unref(). */
void        heron_store_close             (HeronStore            *self);
/* Copies what the write-ahead log holds into the database as far as no reader still needs it
 * (a passive checkpoint; nothing inside a transaction). TRUE when it is copied whole: readers
 * that start then read the database alone, and the next write starts the log over. */
gboolean    heron_store_checkpoint        (HeronStore            *self);

/* Called after every outermost commit of this connection, whether it reported changes or not. */
typedef void (*HeronStoreCommitFunc) (HeronStore *store,
                                      gpointer    user_data);
void        heron_store_set_commit_func   (HeronStore            *self,
                                           HeronStoreCommitFunc   func,
                                           gpointer               user_data);

void        heron_store_set_changes_func  (HeronStore            *self,
                                           HeronStoreChangesFunc  func,
                                           gpointer               user_data,
                                           GDestroyNotify         destroy);

/* Groups the writes between them into one transaction (a sync batch: hundreds of messages and
 * the folder's new HIGHESTMODSEQ together). Batches nest. A batch is all or nothing: when a write
 * inside it fails, the batch's commit fails too and nothing of it is kept. Changes are reported
 * after the outermost commit; a rollback forgets them. Operations that write the journal
 * (heron_store_op_*(), heron_store_journal_append()) must not be called inside a batch: they
 * commit durably on their own. */
gboolean    heron_store_begin_batch       (HeronStore            *self,
                                           GError               **error);
gboolean    heron_store_commit_batch      (HeronStore            *self,
                                           GError               **error);
void        heron_store_rollback_batch    (HeronStore            *self);

/* Housekeeping for idle time: deletes raw source files nothing refers to (left by a crash
 * between writing a file and committing), returns free pages to the file system and merges
 * the search index's segments. */
gboolean    heron_store_collect_garbage   (HeronStore            *self,
                                           GCancellable          *cancellable,
                                           GError               **error);

/* Checks the database (PRAGMA quick_check) and the invariants the cache keeps: folder counts,
 * references to raw sources, one search row per message. For tests and diagnosis. */
gboolean    heron_store_check             (HeronStore            *self,
                                           GError               **error);

G_END_DECLS

#include "heron-store-folders.h"
#include "heron-store-messages.h"
#include "heron-store-bodies.h"
#include "heron-store-search.h"
#include "heron-store-journal.h"
#include "heron-store-ops.h"
#include "heron-store-outbox.h"
#include "heron-store-reader.h"
#include "heron-store-addresses.h"
#include "heron-store-conversations.h"
