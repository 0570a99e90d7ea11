/* heron-store-bodies.h: raw message sources and body text (include heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-store-types.h"

G_BEGIN_DECLS

#define HERON_TYPE_STORE_SOURCE_WRITER (heron_store_source_writer_get_type ())

G_DECLARE_FINAL_TYPE (HeronStoreSourceWriter, heron_store_source_writer, HERON, STORE_SOURCE_WRITER, GObject)

/* A raw message source on its way into the cache. Feed it the bytes as they come off the wire:
 * the first 128 KiB are kept in memory (a source that small is stored in the database), and a
 * larger one goes on into a temporary file beside the database as it arrives, so memory use is
 * bounded whatever the message's size. Then close it and hand it to heron_store_set_body() or
 * heron_store_op_append(). It belongs to the store's thread. Freeing a writer that was not
 * handed over leaves nothing behind. */
HeronStoreSourceWriter *heron_store_source_writer_new      (HeronStore              *store,
                                                            GError                 **error);
gboolean                heron_store_source_writer_write    (HeronStoreSourceWriter  *self,
                                                            const void              *data,
                                                            gsize                    size,
                                                            GError                 **error);
/* Finishes the source; a large one is filed under its content hash. A source the cache has
 * already (the same message in another folder) is kept once. */
gboolean                heron_store_source_writer_close    (HeronStoreSourceWriter  *self,
                                                            GError                 **error);
/* After close: the SHA-256 of the source in hex, and its size. */
const char             *heron_store_source_writer_get_hash (HeronStoreSourceWriter  *self);
guint64                 heron_store_source_writer_get_size (HeronStoreSourceWriter  *self);

/* The message's raw source is now local: stores the reference to @source (a closed writer),
 * and, when @text is not NULL, the plain text of its body for the search index and the list
 * snippet (the MIME layer extracts it; the index keeps its first 256 KiB). Replaces an earlier
 * source. Reports MESSAGES_CHANGED. */
gboolean                heron_store_set_body               (HeronStore              *self,
                                                            gint64                   folder_id,
                                                            gint64                   uid,
                                                            HeronStoreSourceWriter  *source,
                                                            const char              *text,
                                                            GError                 **error);
/* Prefetched sources (closed writers) of messages whose body is not local yet, in one
 * transaction (or part of the caller's batch), without their text (for
 * heron_store_get_messages_needing_text()). A message that is gone, or whose body is local
 * already, is skipped: nothing is replaced, so this never leaves a source without references
 * and never collects any. So it may run on a second writer of the cache
 * (heron_store_open_extra_writer(), on another thread) with writers made, written and closed
 * on the first writer's thread: the first store keeps them pinned (its garbage collection
 * leaves their files alone) until they are freed, which must happen on the first writer's
 * thread once this transaction committed. @stored (gint64, may be NULL) gets the UIDs stored,
 * in the order given (emptied on failure). Reports MESSAGES_CHANGED. */
gboolean                heron_store_add_bodies             (HeronStore              *self,
                                                            gint64                   folder_id,
                                                            const gint64            *uids,
                                                            HeronStoreSourceWriter * const *sources,
                                                            guint                    n,
                                                            GArray                  *stored,
                                                            GError                 **error);
/* Only the body text (for heron_store_get_messages_needing_text(), or a text part fetched on
 * its own before the whole source). "" for a body without text: the message counts as indexed
 * and keeps its snippet (the server's PREVIEW). */
gboolean                heron_store_set_body_text          (HeronStore              *self,
                                                            gint64                   folder_id,
                                                            gint64                   uid,
                                                            const char              *text,
                                                            GError                 **error);

/* The server's preview (RFC 8970 PREVIEW) of messages whose body is not local yet, as their
 * list snippet: @messages (HeronStoreMessage: uid and snippet; those without a snippet are
 * skipped). A message whose body text is local keeps the snippet made from it. One
 * transaction (or part of the caller's batch); reports MESSAGES_CHANGED. */
gboolean                heron_store_set_snippets           (HeronStore              *self,
                                                            gint64                   folder_id,
                                                            HeronStoreMessage * const *messages,
                                                            guint                    n_messages,
                                                            GError                 **error);

/* The UIDs (gint64) of server messages of the folder whose body is not local, newest first (the
 * list's order), dated at or after @since (seconds since 1970; 0: any date), at most @limit
 * (0: no limit). For the prefetch. */
GArray                 *heron_store_get_uids_without_body  (HeronStore              *self,
                                                            gint64                   folder_id,
                                                            gint64                   since,
                                                            guint                    limit,
                                                            GError                 **error);

/* Whether a batch (heron_store_begin_batch()) or another transaction is open: a write now would
 * become part of it (and of its fate). The sync worker's on-demand body fetch, which runs while
 * another job awaits the network, waits for this to be FALSE before it writes. */
gboolean                heron_store_in_transaction         (HeronStore              *self);

/* The raw source of a message, read from its file. HERON_STORE_ERROR_NOT_FOUND when the body is
 * not local, or its file is missing or damaged (the caller fetches it again). */
GInputStream           *heron_store_open_source            (HeronStore              *self,
                                                            gint64                   folder_id,
                                                            gint64                   uid,
                                                            GCancellable            *cancellable,
                                                            GError                 **error);

G_END_DECLS
