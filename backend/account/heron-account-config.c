/* heron-account-config.c: everything Heron knows about one account, except its secrets
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-account-config.h"
#include "heron-account-error.h"
#include "heron-account-private.h"

struct _HeronAccountConfig
{
  GObject parent_instance;

  char *id;
  char *display_name;
  GListStore *identities;
  HeronAccountServer *imap;
  HeronAccountServer *smtp;
  HeronAccountFolderSync folder_sync;
  GStrv sync_folders;
  guint prefetch_days;
  char *special_folders[HERON_ACCOUNT_N_SPECIAL_FOLDERS];
  char *goa_account_id;

  GKeyFile *key_file;
};

G_DEFINE_FINAL_TYPE (HeronAccountConfig, heron_account_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_IDENTITIES,
  PROP_IMAP,
  PROP_SMTP,
  PROP_FOLDER_SYNC,
  PROP_SYNC_FOLDERS,
  PROP_PREFETCH_DAYS,
  PROP_DRAFTS_FOLDER,
  PROP_SENT_FOLDER,
  PROP_TRASH_FOLDER,
  PROP_JUNK_FOLDER,
  PROP_ARCHIVE_FOLDER,
  PROP_GOA_ACCOUNT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The properties of the special folders follow the enumeration's order. */
G_STATIC_ASSERT (PROP_ARCHIVE_FOLDER - PROP_DRAFTS_FOLDER == HERON_ACCOUNT_SPECIAL_FOLDER_ARCHIVE);

/* Stores a string, an empty one as NULL; TRUE if it changed. */
static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
heron_account_config_finalize (GObject *object)
{
  HeronAccountConfig *self = HERON_ACCOUNT_CONFIG (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_object (&self->identities);
  g_clear_object (&self->imap);
  g_clear_object (&self->smtp);
  g_clear_pointer (&self->sync_folders, g_strfreev);
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    g_clear_pointer (&self->special_folders[i], g_free);
  g_clear_pointer (&self->goa_account_id, g_free);
  g_clear_pointer (&self->key_file, g_key_file_unref);

  G_OBJECT_CLASS (heron_account_config_parent_class)->finalize (object);
}

static void
heron_account_config_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HeronAccountConfig *self = HERON_ACCOUNT_CONFIG (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_IDENTITIES:
      g_value_set_object (value, self->identities);
      break;
    case PROP_IMAP:
      g_value_set_object (value, self->imap);
      break;
    case PROP_SMTP:
      g_value_set_object (value, self->smtp);
      break;
    case PROP_FOLDER_SYNC:
      g_value_set_enum (value, self->folder_sync);
      break;
    case PROP_SYNC_FOLDERS:
      g_value_set_boxed (value, self->sync_folders);
      break;
    case PROP_PREFETCH_DAYS:
      g_value_set_uint (value, self->prefetch_days);
      break;
    case PROP_DRAFTS_FOLDER:
    case PROP_SENT_FOLDER:
    case PROP_TRASH_FOLDER:
    case PROP_JUNK_FOLDER:
    case PROP_ARCHIVE_FOLDER:
      g_value_set_string (value, self->special_folders[prop_id - PROP_DRAFTS_FOLDER]);
      break;
    case PROP_GOA_ACCOUNT_ID:
      g_value_set_string (value, self->goa_account_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_config_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  HeronAccountConfig *self = HERON_ACCOUNT_CONFIG (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      heron_account_config_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_FOLDER_SYNC:
      heron_account_config_set_folder_sync (self, g_value_get_enum (value));
      break;
    case PROP_SYNC_FOLDERS:
      heron_account_config_set_sync_folders (self, g_value_get_boxed (value));
      break;
    case PROP_PREFETCH_DAYS:
      heron_account_config_set_prefetch_days (self, g_value_get_uint (value));
      break;
    case PROP_DRAFTS_FOLDER:
    case PROP_SENT_FOLDER:
    case PROP_TRASH_FOLDER:
    case PROP_JUNK_FOLDER:
    case PROP_ARCHIVE_FOLDER:
      heron_account_config_set_special_folder (self, prop_id - PROP_DRAFTS_FOLDER,
                                               g_value_get_string (value));
      break;
    case PROP_GOA_ACCOUNT_ID:
      heron_account_config_set_goa_account_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_config_class_init (HeronAccountConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  static const char * const folder_properties[] = {
    "drafts-folder", "sent-folder", "trash-folder", "junk-folder", "archive-folder",
  };

  object_class->finalize = heron_account_config_finalize;
  object_class->get_property = heron_account_config_get_property;
  object_class->set_property = heron_account_config_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDENTITIES] =
    g_param_spec_object ("identities", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMAP] =
    g_param_spec_object ("imap", NULL, NULL, HERON_TYPE_ACCOUNT_SERVER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SMTP] =
    g_param_spec_object ("smtp", NULL, NULL, HERON_TYPE_ACCOUNT_SERVER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLDER_SYNC] =
    g_param_spec_enum ("folder-sync", NULL, NULL,
                       HERON_TYPE_ACCOUNT_FOLDER_SYNC, HERON_ACCOUNT_FOLDER_SYNC_ALL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNC_FOLDERS] =
    g_param_spec_boxed ("sync-folders", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREFETCH_DAYS] =
    g_param_spec_uint ("prefetch-days", NULL, NULL, 0, HERON_ACCOUNT_MAX_PREFETCH_DAYS, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    properties[PROP_DRAFTS_FOLDER + i] =
      g_param_spec_string (folder_properties[i], NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GOA_ACCOUNT_ID] =
    g_param_spec_string ("goa-account-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_account_config_init (HeronAccountConfig *self)
{
  self->identities = g_list_store_new (HERON_TYPE_ACCOUNT_IDENTITY);
  self->imap = heron_account_server_new (HERON_ACCOUNT_PROTOCOL_IMAP);
  self->smtp = heron_account_server_new (HERON_ACCOUNT_PROTOCOL_SMTP);
  self->folder_sync = HERON_ACCOUNT_FOLDER_SYNC_ALL;
  self->sync_folders = g_new0 (char *, 1);
  self->prefetch_days = 30;
}

HeronAccountConfig *
heron_account_config_new (void)
{
  return g_object_new (HERON_TYPE_ACCOUNT_CONFIG, NULL);
}

static void
copy_server (HeronAccountServer *from,
             HeronAccountServer *to)
{
  g_object_set (to,
                "host", heron_account_server_get_host (from),
                "port", heron_account_server_get_port (from),
                "security", heron_account_server_get_security (from),
                "auth", heron_account_server_get_auth (from),
                "user", heron_account_server_get_user (from),
                "pinned-certificate-file", heron_account_server_get_pinned_certificate_file (from),
                "pinned-certificate-pem", heron_account_server_get_pinned_certificate_pem (from),
                "allow-plaintext-on-loopback",
                heron_account_server_get_allow_plaintext_on_loopback (from),
                NULL);
}

HeronAccountConfig *
heron_account_config_copy (HeronAccountConfig *self)
{
  HeronAccountConfig *copy;
  guint n;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);

  copy = heron_account_config_new ();
  copy->id = g_strdup (self->id);
  copy->display_name = g_strdup (self->display_name);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->identities));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (G_LIST_MODEL (self->identities), i);
      g_autoptr(HeronAccountIdentity) identity_copy = heron_account_identity_copy (identity);

      g_list_store_append (copy->identities, identity_copy);
    }
  copy_server (self->imap, copy->imap);
  copy_server (self->smtp, copy->smtp);
  copy->folder_sync = self->folder_sync;
  g_strfreev (copy->sync_folders);
  copy->sync_folders = g_strdupv (self->sync_folders);
  copy->prefetch_days = self->prefetch_days;
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    copy->special_folders[i] = g_strdup (self->special_folders[i]);
  copy->goa_account_id = g_strdup (self->goa_account_id);
  /* The kept key file is not copied: a copy saved under another id starts a fresh file. */

  return copy;
}

const char *
heron_account_config_get_id (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return self->id;
}

void
_heron_account_config_set_id (HeronAccountConfig *self,
                              const char         *id)
{
  g_assert (HERON_IS_ACCOUNT_CONFIG (self));
  if (replace_string (&self->id, id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

const char *
heron_account_config_get_display_name (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return self->display_name;
}

void
heron_account_config_set_display_name (HeronAccountConfig *self,
                                       const char         *display_name)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  if (replace_string (&self->display_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

GListModel *
heron_account_config_get_identities (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return G_LIST_MODEL (self->identities);
}

HeronAccountIdentity *
heron_account_config_get_primary_identity (HeronAccountConfig *self)
{
  HeronAccountIdentity *identity;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);

  identity = g_list_model_get_item (G_LIST_MODEL (self->identities), 0);
  /* Borrowed: the list keeps its own reference. */
  if (identity != NULL)
    g_object_unref (identity);
  return identity;
}

void
heron_account_config_add_identity (HeronAccountConfig   *self,
                                   HeronAccountIdentity *identity)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  g_return_if_fail (HERON_IS_ACCOUNT_IDENTITY (identity));

  g_list_store_append (self->identities, identity);
}

void
heron_account_config_remove_identity (HeronAccountConfig   *self,
                                      HeronAccountIdentity *identity)
{
  guint position;

  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  g_return_if_fail (HERON_IS_ACCOUNT_IDENTITY (identity));

  if (g_list_store_find (self->identities, identity, &position))
    g_list_store_remove (self->identities, position);
}

HeronAccountServer *
heron_account_config_get_imap (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return self->imap;
}

HeronAccountServer *
heron_account_config_get_smtp (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return self->smtp;
}

HeronAccountFolderSync
heron_account_config_get_folder_sync (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), HERON_ACCOUNT_FOLDER_SYNC_ALL);
  return self->folder_sync;
}

void
heron_account_config_set_folder_sync (HeronAccountConfig     *self,
                                      HeronAccountFolderSync  folder_sync)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  g_return_if_fail (folder_sync <= HERON_ACCOUNT_FOLDER_SYNC_LIST);

  if (self->folder_sync == folder_sync)
    return;
  self->folder_sync = folder_sync;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDER_SYNC]);
}

const char * const *
heron_account_config_get_sync_folders (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return (const char * const *) self->sync_folders;
}

void
heron_account_config_set_sync_folders (HeronAccountConfig *self,
                                       const char * const *folders)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));

  if (folders == NULL)
    folders = none;
  if (g_strv_equal ((const char * const *) self->sync_folders, folders))
    return;
  g_strfreev (self->sync_folders);
  self->sync_folders = g_strdupv ((char **) folders);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_FOLDERS]);
}

guint
heron_account_config_get_prefetch_days (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), 0);
  return self->prefetch_days;
}

void
heron_account_config_set_prefetch_days (HeronAccountConfig *self,
                                        guint               days)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  g_return_if_fail (days <= HERON_ACCOUNT_MAX_PREFETCH_DAYS);

  if (self->prefetch_days == days)
    return;
  self->prefetch_days = days;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFETCH_DAYS]);
}

const char *
heron_account_config_get_special_folder (HeronAccountConfig        *self,
                                         HeronAccountSpecialFolder  folder)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  g_return_val_if_fail (folder < HERON_ACCOUNT_N_SPECIAL_FOLDERS, NULL);
  return self->special_folders[folder];
}

void
heron_account_config_set_special_folder (HeronAccountConfig        *self,
                                         HeronAccountSpecialFolder  folder,
                                         const char                *mailbox)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  g_return_if_fail (folder < HERON_ACCOUNT_N_SPECIAL_FOLDERS);

  if (replace_string (&self->special_folders[folder], mailbox))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFTS_FOLDER + folder]);
}

const char *
heron_account_config_get_goa_account_id (HeronAccountConfig *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), NULL);
  return self->goa_account_id;
}

void
heron_account_config_set_goa_account_id (HeronAccountConfig *self,
                                         const char         *goa_account_id)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (self));
  if (replace_string (&self->goa_account_id, goa_account_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GOA_ACCOUNT_ID]);
}

GKeyFile *
_heron_account_config_get_key_file (HeronAccountConfig *self)
{
  g_assert (HERON_IS_ACCOUNT_CONFIG (self));
  return self->key_file;
}

void
_heron_account_config_set_key_file (HeronAccountConfig *self,
                                    GKeyFile           *key_file)
{
  g_assert (HERON_IS_ACCOUNT_CONFIG (self));

  if (key_file != NULL)
    g_key_file_ref (key_file);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  self->key_file = key_file;
}

gboolean
heron_account_config_validate (HeronAccountConfig  *self,
                               GError             **error)
{
  guint n;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->identities));
  if (n == 0)
    {
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                           _("The account has no identity: it needs at least one name and "
                             "address to send as"));
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (G_LIST_MODEL (self->identities), i);
      const char *address = heron_account_identity_get_address (identity);
      const char *reply_to = heron_account_identity_get_reply_to (identity);

      if (!heron_account_address_is_valid (address))
        {
          g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                       _("Identity %u: “%s” is not an e-mail address"),
                       i + 1, address != NULL ? address : "");
          return FALSE;
        }
      if (reply_to != NULL && !heron_account_address_is_valid (reply_to))
        {
          g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                       _("Identity %u: the Reply-To “%s” is not an e-mail address"),
                       i + 1, reply_to);
          return FALSE;
        }
    }

  return heron_account_server_validate (self->imap, error)
         && heron_account_server_validate (self->smtp, error);
}
