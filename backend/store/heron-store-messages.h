/* heron-store-messages.h: message summaries of the cache (include heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-store-types.h"

G_BEGIN_DECLS

/* Stores a batch of summaries from a sync (UID FETCH ... ENVELOPE ...), in one transaction (or
 * in the caller's batch). A new (folder, uid) gets its conversation and its search entry; for
 * one already there only flags, keywords and modseq change, since the server never changes the
 * message behind a UID. A message's snippet (the server's PREVIEW) is stored with a new row and
 * replaces that of an existing one whose body text is not indexed yet (as
 * heron_store_set_snippets()). Every message needs uid > 0. Reports MESSAGES_ADDED / _CHANGED. */
gboolean           heron_store_upsert_messages        (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       HeronStoreMessage * const  *messages,
                                                       guint                       n_messages,
                                                       GError                    **error);

/* Sets flags as the server reported them (FETCH FLAGS, CONDSTORE/QRESYNC). UIDs the cache does
 * not have are ignored. */
gboolean           heron_store_update_flags           (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       const HeronStoreFlagUpdate *updates,
                                                       guint                       n_updates,
                                                       GError                    **error);

/* Adds and removes flags and keywords on a set of messages (without journaling; the user's
 * changes go through heron_store_op_add_flags()). Either keyword list may be NULL. */
gboolean           heron_store_change_flags           (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       const gint64               *uids,
                                                       guint                       n_uids,
                                                       guint                       add_flags,
                                                       guint                       remove_flags,
                                                       const char * const         *add_keywords,
                                                       const char * const         *remove_keywords,
                                                       GError                    **error);

/* Removes messages the server expunged (EXPUNGE, VANISHED). Unknown UIDs are ignored. */
gboolean           heron_store_remove_messages        (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       const gint64               *uids,
                                                       guint                       n_uids,
                                                       GError                    **error);
gboolean           heron_store_remove_uid_ranges      (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       const HeronStoreUidRange   *ranges,
                                                       guint                       n_ranges,
                                                       GError                    **error);

/* The server UIDs the cache has for the folder, ascending (guint32): the known-UIDs set of a
 * QRESYNC SELECT, or what a plain sync compares with UID SEARCH ALL. */
GArray            *heron_store_get_uids               (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       GError                    **error);
/* The highest server UID of the folder in the cache, 0 when it has none. */
gboolean           heron_store_get_highest_uid        (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       guint32                    *out_uid,
                                                       GError                    **error);

/* HERON_STORE_ERROR_NOT_FOUND when the cache does not have it. */
HeronStoreMessage *heron_store_get_message            (HeronStore                 *self,
                                                       gint64                      folder_id,
                                                       gint64                      uid,
                                                       GError                    **error);

/* Where a Message-ID (with or without angle brackets) is, in every folder: a GArray of
 * HeronStoreMessageRef, ordered by folder and UID. */
GArray            *heron_store_lookup_message_id      (HeronStore                 *self,
                                                       const char                 *message_id,
                                                       GError                    **error);

/* The messages of a conversation in every folder, oldest first (GPtrArray of HeronStoreMessage
 * list rows: no body structure, references or address lists other than To). */
GPtrArray         *heron_store_get_conversation       (HeronStore                 *self,
                                                       gint64                      conversation_id,
                                                       GError                    **error);

/* Messages whose raw source is local but whose text is not in the search index (bodies stored
 * before the index existed, or by a version that extracted text differently): a GArray of
 * HeronStoreMessageRef, at most @limit, newest first. The worker extracts their text when idle
 * (its text pass: a prefetch stores sources only) and calls heron_store_set_body_text(). */
GArray            *heron_store_get_messages_needing_text (HeronStore              *self,
                                                          guint                    limit,
                                                          GError                 **error);

G_END_DECLS
