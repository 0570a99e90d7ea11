/* heron-store-journal.h: the journal of operations waiting for the server (include heron-store.h)
 *
 * docs/store.md, "Journal", describes the states and how the replayer stays idempotent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-store-types.h"

G_BEGIN_DECLS

/* Appends an operation in a transaction of its own, committed durably (it survives a power loss
 * once this returns), and returns its seq, or 0 with @error set. @args must have the type
 * heron_store_op_kind_get_args_type (@kind) (a floating reference is consumed). @source is NULL,
 * or for APPEND a closed writer with the message. This only records: the heron_store_op_*()
 * calls apply the change to the cache and append in one transaction. */
gint64               heron_store_journal_append      (HeronStore                 *self,
                                                      HeronStoreOpKind            kind,
                                                      GVariant                   *args,
                                                      HeronStoreSourceWriter     *source,
                                                      GError                    **error);

/* Every entry, in order (GPtrArray of HeronStoreOperation): PENDING and IN_PROGRESS ones are
 * replayed in this order; FAILED ones wait for the user (retry or discard). */
GPtrArray           *heron_store_journal_list        (HeronStore                 *self,
                                                      GError                    **error);
HeronStoreOperation *heron_store_journal_get         (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GError                    **error);

/* The replayer is about to send the operation: IN_PROGRESS, attempts + 1, durably. After a
 * crash, an IN_PROGRESS entry may or may not have reached the server. */
gboolean             heron_store_journal_start       (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GError                    **error);

/* The server confirmed the operation: removes it, in one transaction with what the answer
 * implies for the cache. For MOVE, COPY and APPEND, @mappings (from COPYUID, APPENDUID, or a
 * search by Message-ID) give the local messages their server UIDs; a local message of the
 * operation without a mapping is dropped (the next sync of its folder fetches the server's
 * copy). Other kinds take no mappings. */
gboolean             heron_store_journal_complete    (HeronStore                 *self,
                                                      gint64                      seq,
                                                      const HeronStoreUidMapping *mappings,
                                                      guint                       n_mappings,
                                                      GError                    **error);

/* The operation failed: records @message. A temporary failure (the connection dropped) makes it
 * PENDING again, to be retried; a @permanent one (the server said NO) makes it FAILED. */
gboolean             heron_store_journal_fail        (HeronStore                 *self,
                                                      gint64                      seq,
                                                      const char                 *message,
                                                      gboolean                    permanent,
                                                      GError                    **error);

/* A FAILED operation becomes PENDING again (the user asked to retry). */
gboolean             heron_store_journal_retry       (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GError                    **error);

/* Gives up an operation (the user dismissed a failure): removes it and the local messages it
 * created. The rest of its optimistic change stays until the affected folders are synced again,
 * which the caller starts. */
gboolean             heron_store_journal_discard     (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GError                    **error);

/* The server UID of a local UID named by a later operation, once an earlier one mapped it;
 * *out_uid is 0 while it is not known (or its message is gone). */
gboolean             heron_store_journal_resolve_uid (HeronStore                 *self,
                                                      gint64                      local_uid,
                                                      guint32                    *out_uid,
                                                      GError                    **error);

/* The raw source of an APPEND entry. */
GInputStream        *heron_store_journal_open_source (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GCancellable               *cancellable,
                                                      GError                    **error);

G_END_DECLS
