/* heron-account-types.c: GTypes and file words of the account enumerations
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-account-types.h"

/* The nicks are the words of the account files: changing one breaks existing files. */

G_DEFINE_ENUM_TYPE (HeronAccountProtocol, heron_account_protocol,
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_PROTOCOL_IMAP, "imap"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_PROTOCOL_SMTP, "smtp"))

G_DEFINE_ENUM_TYPE (HeronAccountSecurity, heron_account_security,
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SECURITY_TLS, "tls"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SECURITY_STARTTLS, "starttls"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SECURITY_NONE, "none"))

G_DEFINE_ENUM_TYPE (HeronAccountAuth, heron_account_auth,
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_AUTH_PASSWORD, "password"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_AUTH_XOAUTH2, "xoauth2"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_AUTH_OAUTHBEARER, "oauthbearer"))

G_DEFINE_ENUM_TYPE (HeronAccountFolderSync, heron_account_folder_sync,
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_FOLDER_SYNC_ALL, "all"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_FOLDER_SYNC_SUBSCRIBED, "subscribed"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_FOLDER_SYNC_LIST, "list"))

G_DEFINE_ENUM_TYPE (HeronAccountSpecialFolder, heron_account_special_folder,
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS, "Drafts"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SPECIAL_FOLDER_SENT, "Sent"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SPECIAL_FOLDER_TRASH, "Trash"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SPECIAL_FOLDER_JUNK, "Junk"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_SPECIAL_FOLDER_ARCHIVE, "Archive"))

G_DEFINE_ENUM_TYPE (HeronAccountChange, heron_account_change,
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_CHANGE_ADDED, "added"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_CHANGE_UPDATED, "updated"),
  G_DEFINE_ENUM_VALUE (HERON_ACCOUNT_CHANGE_REMOVED, "removed"))

const char *
heron_account_enum_to_string (GType enum_type,
                              int   value)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *enum_value;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), NULL);

  klass = g_type_class_ref (enum_type);
  enum_value = g_enum_get_value (klass, value);

  /* The nick lives as long as the type (static strings of G_DEFINE_ENUM_TYPE). */
  return enum_value != NULL ? enum_value->value_nick : NULL;
}

gboolean
heron_account_enum_from_string (GType       enum_type,
                                const char *string,
                                int        *out_value)
{
  g_autoptr(GEnumClass) klass = NULL;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  klass = g_type_class_ref (enum_type);
  for (guint i = 0; i < klass->n_values; i++)
    {
      if (g_ascii_strcasecmp (klass->values[i].value_nick, string) == 0)
        {
          *out_value = klass->values[i].value;
          return TRUE;
        }
    }

  return FALSE;
}
