/* heron-store-conversations.h: the conversations of each folder, for the threaded message list
 * (include heron-store.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-store-types.h"

G_BEGIN_DECLS

/* One conversation of a folder (docs/store.md, "Conversations of a folder"): its members are its
 * messages in the folder and in the account's Sent folders. The newest member is the item that
 * stands for it, and its (date, uid, item_folder_id) is the sort key. The Sent folders are the
 * configuration's (heron_store_set_sent_folder()) or else the server's \Sent ones. */
typedef struct {
  gint64 folder_id;
  gint64 conversation_id;
  gint64 date;
  gint64 uid;
  gint64 item_folder_id;
  guint  n_messages;
  guint  n_unread;
} HeronStoreFolderConversation;

/* How many conversations @folder_id has (one row of folders). */
gboolean   heron_store_reader_count_folder_conversations (HeronStoreReader *self,
                                                          gint64            folder_id,
                                                          guint            *out_count,
                                                          GError          **error);
/* The conversations [position, position + n) of @folder_id, newest first: the list rows of their
 * newest members (a GPtrArray of HeronStoreMessage) and, in @out_conversations, a GArray of
 * HeronStoreFolderConversation in the same order. The offset is skipped on the index alone;
 * with @after (the conversation at position - 1, read in the same snapshot) the window is a
 * keyset seek instead, in constant time. */
GPtrArray *heron_store_reader_get_folder_conversations   (HeronStoreReader                   *self,
                                                          gint64                              folder_id,
                                                          guint                               position,
                                                          const HeronStoreFolderConversation *after,
                                                          guint                               n,
                                                          GArray                            **out_conversations,
                                                          GError                            **error);
/* Conversation @conversation_id of @folder_id: FALSE on error; *out_found FALSE when the folder
 * has no message of it. */
gboolean   heron_store_reader_get_folder_conversation    (HeronStoreReader             *self,
                                                          gint64                        folder_id,
                                                          gint64                        conversation_id,
                                                          HeronStoreFolderConversation *out,
                                                          gboolean                     *out_found,
                                                          GError                      **error);
/* The position of @conversation (its sort key) in @folder_id's list: the number of
 * conversations before it, counted on the index. */
gboolean   heron_store_reader_find_folder_conversation   (HeronStoreReader                   *self,
                                                          const HeronStoreFolderConversation *conversation,
                                                          guint                              *out_position,
                                                          GError                            **error);

/* The ids of the account's Sent folders (folders.sent: their messages are members of every
 * folder's conversations), ascending: the folders whose changes a threaded list follows. */
GArray    *heron_store_reader_get_sent_folders           (HeronStoreReader *self,
                                                          GError          **error);

/* Writer: the folder the account's configuration names as Sent (by its name or display name, as
 * the client's folder roles match it), or NULL to take the folders the server marks \Sent. The
 * conversations of the folders that gain or lose the role are computed again; when the set of
 * Sent folders changed, the commit reports FOLDER_LIST. */
gboolean   heron_store_set_sent_folder                   (HeronStore       *self,
                                                          const char       *mailbox,
                                                          GError          **error);

G_END_DECLS
