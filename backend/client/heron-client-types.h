/* heron-client-types.h: enums and errors of the front end's API (heron-backend.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a folder is for: INBOX, or its special use (RFC 6154, or the account's override). */
typedef enum {
  HERON_FOLDER_ROLE_NONE,
  HERON_FOLDER_ROLE_INBOX,
  HERON_FOLDER_ROLE_DRAFTS,
  HERON_FOLDER_ROLE_SENT,
  HERON_FOLDER_ROLE_TRASH,
  HERON_FOLDER_ROLE_JUNK,
  HERON_FOLDER_ROLE_ARCHIVE,
  HERON_FOLDER_ROLE_ALL,
  HERON_FOLDER_ROLE_FLAGGED,
} HeronFolderRole;

GType       heron_folder_role_get_type  (void) G_GNUC_CONST;
#define HERON_TYPE_FOLDER_ROLE (heron_folder_role_get_type ())
/* The symbolic icon name of the role's folder ("mail-inbox-symbolic", "folder-symbolic", ...). */
const char *heron_folder_role_get_icon_name (HeronFolderRole role);

/* The flags of a message, as HeronStoreFlags. */
typedef enum {
  HERON_MESSAGE_FLAG_SEEN     = 1 << 0,
  HERON_MESSAGE_FLAG_ANSWERED = 1 << 1,
  HERON_MESSAGE_FLAG_FLAGGED  = 1 << 2,
  HERON_MESSAGE_FLAG_DELETED  = 1 << 3,
  HERON_MESSAGE_FLAG_DRAFT    = 1 << 4,
} HeronMessageFlags;

GType heron_message_flags_get_type (void) G_GNUC_CONST;
#define HERON_TYPE_MESSAGE_FLAGS (heron_message_flags_get_type ())

G_END_DECLS
