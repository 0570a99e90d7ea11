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
 * created (a move's messages go back to their source folder), with the entries that depend on
 * it (heron_store_journal_discard_with_dependents()). The rest of its optimistic change stays
 * until the affected folders are synced again, which the caller starts. */
gboolean             heron_store_journal_discard     (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GError                    **error);

/* The server UID of a local UID named by a later operation, once an earlier one mapped it;
 * *out_uid is 0 while it is not known (or its message is gone). */
gboolean             heron_store_journal_resolve_uid (HeronStore                 *self,
                                                      gint64                      local_uid,
                                                      guint32                    *out_uid,
                                                      GError                    **error);

/* Gives up an operation and the entries that were made on what it made (its local messages, the
 * folder it created or the new name it gave one, and what was made on those in turn; not what
 * acts in a folder it deleted or below it), in one transaction, latest first: a move among them
 * puts its messages back where they were (the source folder, found by id whatever it is called
 * now, under their UIDs there) and lowers that folder's saved sync state so that its next sync fetches their
 * flags again; a copy drops its local copies. An APPEND into such a folder stays: it fails on its
 * own with the server's error. The seqs given up are added to @out_discarded (nullable, gint64),
 * @seq last. heron_store_journal_discard() is this with no list. */
gboolean             heron_store_journal_discard_with_dependents (HeronStore  *self,
                                                                  gint64       seq,
                                                                  GArray      *out_discarded,
                                                                  GError     **error);

/* Which entries wait for a FAILED one (docs/sync.md, "Held entries"). An entry depends on an
 * earlier one when it names a local message that one made (moved, copied or appended), when it
 * acts in (or on, or below) a folder that one created or renamed to, or, unless @structural,
 * when it names exactly a folder that one deleted or renamed away (not INBOX), or a message that
 * one named in the same folder. The replayer adds each
 * FAILED entry, and each entry held behind one, as it goes: what depends on them is held (left
 * PENDING, not sent) until the failed entry is retried (then all go in order) or discarded.
 * Belongs to the store's thread. */
typedef struct _HeronStoreJournalHolds HeronStoreJournalHolds;

HeronStoreJournalHolds *heron_store_journal_holds_new     (HeronStore                *self,
                                                           gboolean                   structural);
void                    heron_store_journal_holds_free    (HeronStoreJournalHolds    *holds);
/* What depends on @op from now on is held. */
void                    heron_store_journal_holds_add     (HeronStoreJournalHolds    *holds,
                                                           const HeronStoreOperation *op);
/* Whether @op depends on an entry added. */
gboolean                heron_store_journal_holds_depends (HeronStoreJournalHolds    *holds,
                                                           const HeronStoreOperation *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreJournalHolds, heron_store_journal_holds_free)

/* The seqs (gint64, ascending) of the entries held behind a FAILED one, as the replayer sees
 * them now. */
GArray              *heron_store_journal_list_held   (HeronStore                 *self,
                                                      GError                    **error);

/* How many messages of the folder the server holds as far as the cache knows: its messages with
 * a server UID, and those that unconfirmed entries (moves and expunges, whatever their state)
 * took out of it. What the server's STATUS MESSAGES is compared with: the cache's own count
 * differs from it while an entry waits. An entry naming a message another client expunged
 * counts one too many: once heron_store_journal_confirm_server_messages() was told so, this
 * gives the server's number for as long as its own count stays what it was then. */
gboolean             heron_store_journal_count_server_messages (HeronStore  *self,
                                                                gint64       folder_id,
                                                                guint       *out_count,
                                                                GError     **error);

/* The server's MESSAGES for the folder is @messages while nothing changed there since the saved
 * sync state (equal UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ): a difference from the count above
 * is then the journal's, which no sync makes up, and the count gives @messages from now on, until
 * the cache's or the journal's count changes. Kept in memory. */
gboolean             heron_store_journal_confirm_server_messages (HeronStore  *self,
                                                                  gint64       folder_id,
                                                                  guint        messages,
                                                                  GError     **error);

/* The folder entry @seq acts in (a move's source, a renamed folder under its new name) as the
 * cache knows it now: entries name folders as they were when made, and a rename since (done or
 * waiting) keeps the folder. NOT_FOUND when it is gone. */
HeronStoreFolder    *heron_store_journal_lookup_folder (HeronStore   *self,
                                                        gint64        seq,
                                                        GError      **error);

/* The raw source of an APPEND entry. */
GInputStream        *heron_store_journal_open_source (HeronStore                 *self,
                                                      gint64                      seq,
                                                      GCancellable               *cancellable,
                                                      GError                    **error);

G_END_DECLS
