/* heron-store-search.h: full-text search of the cache (include heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-store-types.h"

G_BEGIN_DECLS

/* Messages whose sender, recipients, subject or (local) body text contain every word of @query,
 * newest first: a GArray of HeronStoreMessageRef, at most @limit. @folder_id 0 searches every
 * folder. Words match as prefixes ("meet" finds "meeting"), "quoted words" as a phrase; case
 * and accents do not matter ("muller" finds "Müller"). Nothing in @query is FTS5 syntax:
 * quotes, *, -, parentheses, AND/OR/NOT/NEAR are searched as text and never cause an error.
 * An empty result when @query holds no word. The readers have the same call
 * (heron_store_reader_search()). */
GArray *heron_store_search (HeronStore *self,
                            const char *query,
                            gint64      folder_id,
                            guint       limit,
                            GError    **error);

/* Deferred search entries (schema 10). With @deferred, summaries stored by
 * heron_store_upsert_messages() on this store get no search entry yet: their rows are marked,
 * and are not found by a search until heron_store_index_pending_search() has indexed them (a
 * body's text stored meanwhile makes the entry at once). Used by a first sync's extra writer
 * (heron_store_open_extra_writer()), whose inserts are then about a third cheaper. */
void      heron_store_set_search_deferred   (HeronStore  *self,
                                             gboolean     deferred);
/* Inserts in bulk (schema 11). With @bulk, heron_store_upsert_messages() on this store makes the
 * address-book entries and the folder's conversation rows of the new messages of a batch once
 * for the batch instead of once per message (in the same transaction: readers see the same),
 * except in Sent folders. Used by a first sync's extra writer. */
void      heron_store_set_bulk_insert       (HeronStore  *self,
                                             gboolean     bulk);
/* Indexes the newest @limit marked rows in one transaction: the number indexed (0 when none is
 * left), -1 with @error on failure. */
gint64    heron_store_index_pending_search  (HeronStore  *self,
                                             guint        limit,
                                             GError     **error);

G_END_DECLS
