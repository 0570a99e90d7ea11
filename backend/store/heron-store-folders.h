/* heron-store-folders.h: the folders of the cache (include heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-store-types.h"

G_BEGIN_DECLS

/* Adds the folder named @info->name, or updates the one of that name from LIST: display name,
 * delimiter, attributes, special use, subscription. Its sync state and counts are left alone.
 * Returns the folder's id, or 0 with @error set. */
gint64            heron_store_add_folder            (HeronStore             *self,
                                                     const HeronStoreFolder *info,
                                                     GError                **error);

/* Every folder, by name (so a parent comes right before its children). A GPtrArray of
 * HeronStoreFolder. */
GPtrArray        *heron_store_get_folders           (HeronStore             *self,
                                                     GError                **error);
HeronStoreFolder *heron_store_get_folder            (HeronStore             *self,
                                                     gint64                  folder_id,
                                                     GError                **error);
/* The folder of that server name, or NULL with HERON_STORE_ERROR_NOT_FOUND. */
HeronStoreFolder *heron_store_lookup_folder         (HeronStore             *self,
                                                     const char             *name,
                                                     GError                **error);

/* Stores what SELECT or STATUS said. A different UIDVALIDITY than the stored one (when that is
 * not 0) is refused with HERON_STORE_ERROR_INVALID: heron_store_reset_folder() first. */
gboolean          heron_store_set_folder_sync_state (HeronStore             *self,
                                                     gint64                  folder_id,
                                                     guint32                 uidvalidity,
                                                     guint32                 uidnext,
                                                     guint64                 highestmodseq,
                                                     GError                **error);

/* Keeps the server's counts of the folder (STATUS MESSAGES and UNSEEN: a folder that is not
 * synced shows them). -1 leaves a count as it is. HERON_STORE_ERROR_NOT_FOUND for an unknown
 * folder. A change is reported as HERON_STORE_CHANGE_FOLDER. */
gboolean          heron_store_set_folder_status     (HeronStore             *self,
                                                     gint64                  folder_id,
                                                     gint64                  server_messages,
                                                     gint64                  server_unseen,
                                                     GError                **error);

/* The server's UIDVALIDITY changed: drops every message of the folder and starts again with
 * @uidvalidity (UIDNEXT and HIGHESTMODSEQ become 0). */
gboolean          heron_store_reset_folder          (HeronStore             *self,
                                                     gint64                  folder_id,
                                                     guint32                 uidvalidity,
                                                     GError                **error);

/* Renames the folder and every folder below it (name and display name), keeping their ids and
 * messages. HERON_STORE_ERROR_EXISTS when one of the new names is taken. */
gboolean          heron_store_rename_folder         (HeronStore             *self,
                                                     gint64                  folder_id,
                                                     const char             *new_name,
                                                     const char             *new_display_name,
                                                     GError                **error);

/* How the server's folder names are written: UTF-8 (UTF8=ACCEPT or IMAP4rev2 was in effect at
 * the last login) or modified UTF-7 (RFC 3501; the default until a login said). Kept in the
 * cache so that a folder made offline is named the way the server will read it. */
gboolean          heron_store_get_utf8_names        (HeronStore             *self);
gboolean          heron_store_set_utf8_names        (HeronStore             *self,
                                                     gboolean                utf8,
                                                     GError                **error);

/* Deletes the folder and its messages. Folders below it stay, as on an IMAP server. */
gboolean          heron_store_delete_folder         (HeronStore             *self,
                                                     gint64                  folder_id,
                                                     GError                **error);

G_END_DECLS
