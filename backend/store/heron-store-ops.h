/* heron-store-ops.h: what the user does, applied to the cache at once and journaled for the
 * server (include heron-store.h)
 *
 * Each call is one durable transaction holding both the change to the cache and the journal
 * entry: either both are there after a crash or neither is. Each returns the entry's seq, or 0
 * with @error set. They must not be called inside a batch. Messages are named by their UIDs in
 * @folder_id (negative for local messages); UIDs the cache does not have are left out, and when
 * it has none of them the call fails with HERON_STORE_ERROR_NOT_FOUND and journals nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-store-types.h"

G_BEGIN_DECLS

gint64 heron_store_op_add_flags     (HeronStore              *self,
                                     gint64                   folder_id,
                                     const gint64            *uids,
                                     guint                    n_uids,
                                     guint                    flags,
                                     const char * const      *keywords,
                                     GError                 **error);
gint64 heron_store_op_remove_flags  (HeronStore              *self,
                                     gint64                   folder_id,
                                     const gint64            *uids,
                                     guint                    n_uids,
                                     guint                    flags,
                                     const char * const      *keywords,
                                     GError                 **error);

/* The messages leave @folder_id and appear in @dest_folder_id with new local UIDs (returned in
 * *out_local_uids, a GArray of gint64 in the order of @uids, when not NULL). */
gint64 heron_store_op_move          (HeronStore              *self,
                                     gint64                   folder_id,
                                     const gint64            *uids,
                                     guint                    n_uids,
                                     gint64                   dest_folder_id,
                                     GArray                 **out_local_uids,
                                     GError                 **error);
gint64 heron_store_op_copy          (HeronStore              *self,
                                     gint64                   folder_id,
                                     const gint64            *uids,
                                     guint                    n_uids,
                                     gint64                   dest_folder_id,
                                     GArray                 **out_local_uids,
                                     GError                 **error);

/* Removes the messages for good (\Deleted and UID EXPUNGE on the server). */
gint64 heron_store_op_expunge       (HeronStore              *self,
                                     gint64                   folder_id,
                                     const gint64            *uids,
                                     guint                    n_uids,
                                     GError                 **error);

/* "Delete": a move to @trash_folder_id, or an expunge when there is no trash (0) or the
 * messages are in it already. */
gint64 heron_store_op_delete        (HeronStore              *self,
                                     gint64                   folder_id,
                                     const gint64            *uids,
                                     guint                    n_uids,
                                     gint64                   trash_folder_id,
                                     GError                 **error);

/* A message written here (a draft, a sent message for Sent): @summary describes it (its uid is
 * ignored), @source is the closed writer with its raw source, @text its body text or NULL.
 * The new local message's UID goes to *out_local_uid when not NULL. */
gint64 heron_store_op_append        (HeronStore              *self,
                                     gint64                   folder_id,
                                     const HeronStoreMessage *summary,
                                     HeronStoreSourceWriter  *source,
                                     const char              *text,
                                     gint64                  *out_local_uid,
                                     GError                 **error);

/* HERON_STORE_ERROR_EXISTS when a folder of that name exists. */
gint64 heron_store_op_create_folder (HeronStore              *self,
                                     const HeronStoreFolder  *info,
                                     gint64                  *out_folder_id,
                                     GError                 **error);
gint64 heron_store_op_rename_folder (HeronStore              *self,
                                     gint64                   folder_id,
                                     const char              *new_name,
                                     const char              *new_display_name,
                                     GError                 **error);
gint64 heron_store_op_delete_folder (HeronStore              *self,
                                     gint64                   folder_id,
                                     GError                 **error);

G_END_DECLS
