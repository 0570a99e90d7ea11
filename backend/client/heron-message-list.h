/* heron-message-list.h: HeronMessageList, a folder's messages as a GListModel over the cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "client/heron-folder.h"
#include "client/heron-message.h"

G_BEGIN_DECLS

#define HERON_TYPE_MESSAGE_LIST (heron_message_list_get_type ())

G_DECLARE_FINAL_TYPE (HeronMessageList, heron_message_list, HERON, MESSAGE_LIST, GObject)

/* A GListModel of HeronMessage, newest first (date, then UID, descending), read from the cache
 * through the account's read-only connection as rows are asked for: a window of rows around
 * the last positions asked is kept, nothing per row of the folder, so 100,000 messages cost no
 * more than 100. Sync events update it in place (items-changed with the exact positions).
 * Property: n-items. Of the main thread.
 *
 * heron_folder_get_messages() gives a folder's list; the unified inbox and search results are
 * lists too. */

/* The messages of several folders (of any accounts) merged newest first. */
HeronMessageList *heron_message_list_new_merged (HeronFolder * const *folders,
                                                 guint                n_folders);

/* A search: results of the local index (in @folder, or every folder of every account the
 * manager has when @folder is NULL) at once, then the server's (when online) as they arrive;
 * ::search-done (const GError *error_or_null) when the server answered or could not. Newest
 * first. @manager is a HeronAccountManager. */
HeronMessageList *heron_message_list_new_search (gpointer             manager,
                                                 HeronFolder         *folder,
                                                 const char          *query);

/* The position of @message in the list, or -1. */
gint              heron_message_list_find       (HeronMessageList    *self,
                                                 HeronMessage        *message);

/* Conversation view: one item per conversation (its newest message stands for it, and
 * heron_message_list_get_conversation() gives all of its messages, oldest first). */
void              heron_message_list_set_threaded (HeronMessageList *self,
                                                   gboolean          threaded);
gboolean          heron_message_list_get_threaded (HeronMessageList *self);
GListModel       *heron_message_list_get_conversation (HeronMessageList *self,
                                                       HeronMessage     *message);

G_END_DECLS
