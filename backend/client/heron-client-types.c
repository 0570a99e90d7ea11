/* heron-client-types.c: GTypes of the front end's enumerations, and the icons of folder roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-client-types.h"

G_DEFINE_ENUM_TYPE (HeronFolderRole, heron_folder_role,
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_NONE, "none"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_INBOX, "inbox"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_DRAFTS, "drafts"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_SENT, "sent"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_TRASH, "trash"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_JUNK, "junk"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_ARCHIVE, "archive"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_ALL, "all"),
  G_DEFINE_ENUM_VALUE (HERON_FOLDER_ROLE_FLAGGED, "flagged"))

G_DEFINE_FLAGS_TYPE (HeronMessageFlags, heron_message_flags,
  G_DEFINE_ENUM_VALUE (HERON_MESSAGE_FLAG_SEEN, "seen"),
  G_DEFINE_ENUM_VALUE (HERON_MESSAGE_FLAG_ANSWERED, "answered"),
  G_DEFINE_ENUM_VALUE (HERON_MESSAGE_FLAG_FLAGGED, "flagged"),
  G_DEFINE_ENUM_VALUE (HERON_MESSAGE_FLAG_DELETED, "deleted"),
  G_DEFINE_ENUM_VALUE (HERON_MESSAGE_FLAG_DRAFT, "draft"))

/* Icon names of the freedesktop icon naming specification, in their symbolic form (the Adwaita
 * icon theme has every one of them). */
const char *
heron_folder_role_get_icon_name (HeronFolderRole role)
{
  switch (role)
    {
    case HERON_FOLDER_ROLE_INBOX:
      return "mail-inbox-symbolic";
    case HERON_FOLDER_ROLE_DRAFTS:
      return "document-edit-symbolic";
    case HERON_FOLDER_ROLE_SENT:
      return "mail-send-symbolic";
    case HERON_FOLDER_ROLE_TRASH:
      return "user-trash-symbolic";
    case HERON_FOLDER_ROLE_JUNK:
      return "mail-mark-junk-symbolic";
    case HERON_FOLDER_ROLE_ARCHIVE:
      return "folder-documents-symbolic";
    case HERON_FOLDER_ROLE_ALL:
      return "mail-message-new-symbolic";
    case HERON_FOLDER_ROLE_FLAGGED:
      return "starred-symbolic";
    case HERON_FOLDER_ROLE_NONE:
    default:
      return "folder-symbolic";
    }
}
