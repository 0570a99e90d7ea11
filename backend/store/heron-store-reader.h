/* heron-store-reader.h: a read-only connection to the cache for another thread (include
 * heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-store-types.h"

G_BEGIN_DECLS

#define HERON_TYPE_STORE_READER (heron_store_reader_get_type ())

G_DECLARE_FINAL_TYPE (HeronStoreReader, heron_store_reader, HERON, STORE_READER, GObject)

/* A read-only connection (SQLITE_OPEN_READONLY) to a cache the writer has created and migrated.
 * It belongs to the thread that opened it (the UI's), which alone may use and release it; debug
 * builds assert it. In WAL mode a reader never waits for the writer: each call sees the last
 * committed state, and heron_store_reader_begin_snapshot() holds one state across several calls
 * (a count and the rows it describes) while the writer goes on.
 *
 * Positions are in the message list's order: newest first (date descending, then UID
 * descending). */
HeronStoreReader  *heron_store_reader_open               (const char        *path,
                                                          GError           **error);

const char        *heron_store_reader_get_path           (HeronStoreReader  *self);

/* Reads from one committed state until end_snapshot (a read transaction). Does not nest. */
gboolean           heron_store_reader_begin_snapshot     (HeronStoreReader  *self,
                                                          GError           **error);
void               heron_store_reader_end_snapshot       (HeronStoreReader  *self);

GPtrArray         *heron_store_reader_get_folders        (HeronStoreReader  *self,
                                                          GError           **error);
HeronStoreFolder  *heron_store_reader_get_folder         (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          GError           **error);

/* The number of messages in the folder (kept in the folder's row: no scan). */
gboolean           heron_store_reader_count_messages     (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          guint             *out_count,
                                                          GError           **error);

/* The list rows at positions [@position, @position + @n) (fewer at the end): a GPtrArray of
 * HeronStoreMessage with the list's fields only (no address lists but To, no body structure, no
 * references). A window continuing the previous one is read from where that one ended; any
 * other from the (folder, date, uid) index. Nothing is kept per row between calls. */
GPtrArray         *heron_store_reader_get_rows           (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          guint              position,
                                                          guint              n,
                                                          GError           **error);

/* The position of (folder, uid) in the list, or -1 when it is not there. */
gboolean           heron_store_reader_find_position      (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          gint64             uid,
                                                          gint              *out_position,
                                                          GError           **error);

/* A message made here (a draft, a moved message) has a local UID (< 0) until the server's answer
 * numbered it; then its row carries the server's UID. This gives the UID a message named by
 * @uid has now in @folder_id (@uid itself when nothing mapped it). */
gboolean           heron_store_reader_resolve_uid        (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          gint64             uid,
                                                          gint64            *out_uid,
                                                          GError           **error);

/* The whole summary; HERON_STORE_ERROR_NOT_FOUND when it is not there. */
HeronStoreMessage *heron_store_reader_get_message        (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          gint64             uid,
                                                          GError           **error);

/* As heron_store_search(). */
GArray            *heron_store_reader_search             (HeronStoreReader  *self,
                                                          const char        *query,
                                                          gint64             folder_id,
                                                          guint              limit,
                                                          GError           **error);

/* As heron_store_lookup_message_id() and heron_store_get_conversation(). */
GArray            *heron_store_reader_lookup_message_id  (HeronStoreReader  *self,
                                                          const char        *message_id,
                                                          GError           **error);
GPtrArray         *heron_store_reader_get_conversation   (HeronStoreReader  *self,
                                                          gint64             conversation_id,
                                                          GError           **error);

/* The journal entries waiting for the server (pending or in progress; not the failed ones). */
gboolean           heron_store_reader_count_pending_operations (HeronStoreReader *self,
                                                                guint            *out_count,
                                                                GError          **error);

/* As heron_store_open_source(): the stream reads the file, not the database. */
GInputStream      *heron_store_reader_open_source        (HeronStoreReader  *self,
                                                          gint64             folder_id,
                                                          gint64             uid,
                                                          GCancellable      *cancellable,
                                                          GError           **error);

G_END_DECLS
