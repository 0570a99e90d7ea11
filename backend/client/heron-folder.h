/* heron-folder.h: HeronFolder, one mailbox of an account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "client/heron-client-account.h"
#include "client/heron-client-types.h"

G_BEGIN_DECLS

#define HERON_TYPE_FOLDER (heron_folder_get_type ())

G_DECLARE_FINAL_TYPE (HeronFolder, heron_folder, HERON, FOLDER, GObject)

/* A folder of the account's tree, kept up to date from the cache by its HeronAccount (one object
 * per folder for the account's life; a folder deleted on the server leaves the tree).
 *
 * Properties (read-only, notified): account, name (the server's, e.g. "Lists/GNOME" or "INBOX"),
 * display-name (the last part, decoded; "Inbox" translated for INBOX), path (the whole decoded
 * path for display, "Lists/GNOME"), role (HeronFolderRole), icon-name, unread-count,
 * total-count, selectable (FALSE for \Noselect or \NonExistent), subscribed, delimiter. */

HeronAccount    *heron_folder_get_account      (HeronFolder *self);
const char      *heron_folder_get_name         (HeronFolder *self);
const char      *heron_folder_get_display_name (HeronFolder *self);
const char      *heron_folder_get_path         (HeronFolder *self);
HeronFolderRole  heron_folder_get_role         (HeronFolder *self);
const char      *heron_folder_get_icon_name    (HeronFolder *self);
guint            heron_folder_get_unread_count (HeronFolder *self);
guint            heron_folder_get_total_count  (HeronFolder *self);
gboolean         heron_folder_get_selectable   (HeronFolder *self);
char             heron_folder_get_delimiter    (HeronFolder *self);
/* The folder above, or NULL at the top. */
HeronFolder     *heron_folder_get_parent       (HeronFolder *self);
/* The folders below (GListModel of HeronFolder, by name), for GtkTreeListModel. */
GListModel      *heron_folder_get_children     (HeronFolder *self);

/* The folder's messages (a HeronMessageList, newest first), made on first use and kept while
 * someone holds it (transfer full: the caller's reference keeps it). */
GListModel      *heron_folder_get_messages     (HeronFolder *self);

/* The message @uid of the folder read straight from the cache (no list is made or scanned), or
 * NULL when the cache does not have it. A local UID (< 0) of a message made here finds it under
 * the server's UID once that is known. Transfer full; a new object, not the list's item. */
HeronMessage    *heron_folder_lookup_message   (HeronFolder *self,
                                                gint64       uid);

G_END_DECLS
