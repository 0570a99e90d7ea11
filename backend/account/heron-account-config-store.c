/* heron-account-config-store.c: the accounts of this user, one file each
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "heron-account-config-store.h"
#include "heron-account-error.h"
#include "heron-account-private.h"
#include "heron-secrets.h"

#define ACCOUNTS_SUBDIR "accounts"
#define ACCOUNT_SUFFIX ".conf"
#define MAX_ID_LENGTH 64
/* Long enough to read, short enough that "-NN" still fits. */
#define MAX_DERIVED_ID_LENGTH 48

struct _HeronAccountConfigStore
{
  GObject parent_instance;

  GThread *owner;
  char *config_dir;
  char *data_dir;
  char *accounts_dir;
  GPtrArray *accounts; /* of HeronAccountConfig, sorted by id */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeronAccountConfigStore, heron_account_config_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CONFIG_DIR,
  PROP_DATA_DIR,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define ASSERT_OWNER(self, val) \
  g_return_val_if_fail ((self)->owner == g_thread_self (), val)

static GType
list_model_get_item_type (GListModel *model)
{
  return HERON_TYPE_ACCOUNT_CONFIG;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return HERON_ACCOUNT_CONFIG_STORE (model)->accounts->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  HeronAccountConfigStore *self = HERON_ACCOUNT_CONFIG_STORE (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
heron_account_config_store_constructed (GObject *object)
{
  HeronAccountConfigStore *self = HERON_ACCOUNT_CONFIG_STORE (object);

  G_OBJECT_CLASS (heron_account_config_store_parent_class)->constructed (object);

  if (self->config_dir == NULL)
    self->config_dir = g_build_filename (g_get_user_config_dir (), "heron", NULL);
  if (self->data_dir == NULL)
    self->data_dir = g_build_filename (g_get_user_data_dir (), "heron", NULL);
  self->accounts_dir = g_build_filename (self->config_dir, ACCOUNTS_SUBDIR, NULL);
}

static void
heron_account_config_store_finalize (GObject *object)
{
  HeronAccountConfigStore *self = HERON_ACCOUNT_CONFIG_STORE (object);

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->config_dir, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->accounts_dir, g_free);

  G_OBJECT_CLASS (heron_account_config_store_parent_class)->finalize (object);
}

static void
heron_account_config_store_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  HeronAccountConfigStore *self = HERON_ACCOUNT_CONFIG_STORE (object);

  switch (prop_id)
    {
    case PROP_CONFIG_DIR:
      g_value_set_string (value, self->config_dir);
      break;
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_config_store_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  HeronAccountConfigStore *self = HERON_ACCOUNT_CONFIG_STORE (object);

  switch (prop_id)
    {
    case PROP_CONFIG_DIR:
      self->config_dir = g_value_dup_string (value);
      break;
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_config_store_class_init (HeronAccountConfigStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = heron_account_config_store_constructed;
  object_class->finalize = heron_account_config_store_finalize;
  object_class->get_property = heron_account_config_store_get_property;
  object_class->set_property = heron_account_config_store_set_property;

  properties[PROP_CONFIG_DIR] =
    g_param_spec_string ("config-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  HERON_TYPE_ACCOUNT_CONFIG,
                  HERON_TYPE_ACCOUNT_CHANGE);
}

static void
heron_account_config_store_init (HeronAccountConfigStore *self)
{
  self->owner = g_thread_self ();
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
}

HeronAccountConfigStore *
heron_account_config_store_new (void)
{
  return g_object_new (HERON_TYPE_ACCOUNT_CONFIG_STORE, NULL);
}

HeronAccountConfigStore *
heron_account_config_store_new_for_dirs (const char *config_dir,
                                         const char *data_dir)
{
  return g_object_new (HERON_TYPE_ACCOUNT_CONFIG_STORE,
                       "config-dir", config_dir,
                       "data-dir", data_dir,
                       NULL);
}

const char *
heron_account_config_store_get_config_dir (HeronAccountConfigStore *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), NULL);
  return self->config_dir;
}

const char *
heron_account_config_store_get_data_dir (HeronAccountConfigStore *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), NULL);
  return self->data_dir;
}

gboolean
heron_account_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL)
    return FALSE;
  length = strlen (id);
  if (length == 0 || length > MAX_ID_LENGTH)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;
  return TRUE;
}

char *
heron_account_config_store_dup_path (HeronAccountConfigStore *self,
                                     const char              *id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), NULL);
  g_return_val_if_fail (heron_account_id_is_valid (id), NULL);

  name = g_strconcat (id, ACCOUNT_SUFFIX, NULL);
  return g_build_filename (self->accounts_dir, name, NULL);
}

char *
heron_account_config_store_dup_cache_dir (HeronAccountConfigStore *self,
                                          const char              *id)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), NULL);
  g_return_val_if_fail (heron_account_id_is_valid (id), NULL);

  return g_build_filename (self->data_dir, id, NULL);
}

static int
compare_by_id (gconstpointer a,
               gconstpointer b)
{
  HeronAccountConfig *config_a = *(HeronAccountConfig **) a;
  HeronAccountConfig *config_b = *(HeronAccountConfig **) b;

  return strcmp (heron_account_config_get_id (config_a), heron_account_config_get_id (config_b));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

gboolean
heron_account_config_store_load (HeronAccountConfigStore  *self,
                                 GPtrArray               **out_errors,
                                 GError                  **error)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint removed;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), FALSE);
  ASSERT_OWNER (self, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_dir_open (self->accounts_dir, 0, &local_error);
  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The account files cannot be read: "));
      return FALSE;
    }

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      /* Skip hidden files, editor backups ("work.conf~") and the temporary files of an atomic
       * write that was interrupted ("work.conf.ABC123"): only "<id>.conf" is an account. */
      if (name[0] != '.' && g_str_has_suffix (name, ACCOUNT_SUFFIX))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file_name = g_ptr_array_index (names, i);
      g_autofree char *id = g_strndup (file_name, strlen (file_name) - strlen (ACCOUNT_SUFFIX));
      g_autofree char *path = g_build_filename (self->accounts_dir, file_name, NULL);
      g_autoptr(GError) file_error = NULL;
      HeronAccountConfig *config;

      if (!heron_account_id_is_valid (id))
        {
          g_ptr_array_add (errors,
                           g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                                        _("%s: the file name is the account’s id and may only "
                                          "hold letters, digits, “-” and “_” before .conf"),
                                        path));
          continue;
        }

      config = _heron_account_config_load_file (path, id, &file_error);
      if (config == NULL)
        {
          g_debug ("Account file skipped: %s", file_error->message);
          g_ptr_array_add (errors, g_steal_pointer (&file_error));
          continue;
        }
      g_ptr_array_add (loaded, config);
    }

  removed = self->accounts->len;
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  self->accounts = g_steal_pointer (&loaded);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->accounts->len);

  if (out_errors != NULL)
    *out_errors = g_steal_pointer (&errors);
  return TRUE;
}

static gboolean
find_account (HeronAccountConfigStore *self,
              const char              *id,
              guint                   *out_position)
{
  if (id == NULL)
    return FALSE;

  for (guint i = 0; i < self->accounts->len; i++)
    {
      HeronAccountConfig *config = g_ptr_array_index (self->accounts, i);

      if (g_strcmp0 (heron_account_config_get_id (config), id) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return TRUE;
        }
    }
  return FALSE;
}

HeronAccountConfig *
heron_account_config_store_lookup (HeronAccountConfigStore *self,
                                   const char              *id)
{
  guint position;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), NULL);
  ASSERT_OWNER (self, NULL);

  if (!find_account (self, id, &position))
    return NULL;
  return g_ptr_array_index (self->accounts, position);
}

/* "Alice.Example@Example.test" -> "alice-example-example-test". */
static char *
id_from_address (const char *address)
{
  g_autofree char *ascii = g_str_to_ascii (address, "C");
  GString *id = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0' && id->len < MAX_DERIVED_ID_LENGTH; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (id, g_ascii_tolower (*p));
      else if (id->len > 0 && id->str[id->len - 1] != '-')
        g_string_append_c (id, '-');
    }
  while (id->len > 0 && id->str[id->len - 1] == '-')
    g_string_truncate (id, id->len - 1);
  if (id->len == 0)
    g_string_append (id, "account");

  return g_string_free (id, FALSE);
}

/* An id no account of the store, no account file (a corrupt one included) and no cache directory
 * uses: a new account never inherits another's file, secrets or cache. */
static gboolean
id_is_free (HeronAccountConfigStore *self,
            const char              *id)
{
  g_autofree char *path = NULL;
  g_autofree char *cache_dir = NULL;

  if (find_account (self, id, NULL))
    return FALSE;
  path = heron_account_config_store_dup_path (self, id);
  cache_dir = heron_account_config_store_dup_cache_dir (self, id);
  return !g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (cache_dir, G_FILE_TEST_EXISTS);
}

static char *
new_id (HeronAccountConfigStore *self,
        const char              *address)
{
  g_autofree char *base = id_from_address (address);
  char *id = g_strdup (base);

  for (guint n = 2; !id_is_free (self, id); n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", base, n);
    }
  return id;
}

static gboolean
write_config (HeronAccountConfigStore  *self,
              HeronAccountConfig       *config,
              GError                  **error)
{
  g_autofree char *path = heron_account_config_store_dup_path (self, heron_account_config_get_id (config));
  g_autofree char *data = NULL;
  gsize length = 0;

  if (g_mkdir_with_parents (self->accounts_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("The folder %s cannot be made: %s"), self->accounts_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  data = _heron_account_config_to_data (config, &length);
  /* Written to a temporary file and renamed over the old one, so a crash leaves either the old
   * or the new file, never half of one; 0600 because the file says where the mail is. */
  return g_file_set_contents_full (path, data, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
heron_account_config_store_add (HeronAccountConfigStore  *self,
                                HeronAccountConfig       *config,
                                GError                  **error)
{
  g_autofree char *id = NULL;
  HeronAccountIdentity *primary;
  guint position;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), FALSE);
  ASSERT_OWNER (self, FALSE);
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (config), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!g_ptr_array_find (self->accounts, config, NULL), FALSE);

  if (!heron_account_config_validate (config, error))
    return FALSE;

  primary = heron_account_config_get_primary_identity (config);
  id = new_id (self, heron_account_identity_get_address (primary));
  _heron_account_config_set_id (config, id);
  if (heron_account_config_get_display_name (config) == NULL)
    heron_account_config_set_display_name (config, heron_account_identity_get_address (primary));

  if (!write_config (self, config, error))
    {
      _heron_account_config_set_id (config, NULL);
      return FALSE;
    }

  g_debug ("Added account %s", id);
  g_ptr_array_add (self->accounts, g_object_ref (config));
  g_ptr_array_sort (self->accounts, compare_by_id);
  g_ptr_array_find (self->accounts, config, &position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, config, HERON_ACCOUNT_CHANGE_ADDED);

  return TRUE;
}

gboolean
heron_account_config_store_save (HeronAccountConfigStore  *self,
                                 HeronAccountConfig       *config,
                                 GError                  **error)
{
  HeronAccountConfig *stored;
  guint position;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), FALSE);
  ASSERT_OWNER (self, FALSE);
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (config), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!find_account (self, heron_account_config_get_id (config), &position))
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account “%s” to save; add it first"),
                   heron_account_config_get_id (config) != NULL
                   ? heron_account_config_get_id (config) : "");
      return FALSE;
    }

  if (!heron_account_config_validate (config, error))
    return FALSE;

  stored = g_ptr_array_index (self->accounts, position);
  if (stored != config && _heron_account_config_get_key_file (config) == NULL)
    /* An edited copy: keep the comments and unknown keys of the file it replaces. */
    _heron_account_config_set_key_file (config, _heron_account_config_get_key_file (stored));

  if (!write_config (self, config, error))
    return FALSE;

  if (stored != config)
    {
      g_ptr_array_index (self->accounts, position) = g_object_ref (config);
      g_object_unref (stored);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, config, HERON_ACCOUNT_CHANGE_UPDATED);

  return TRUE;
}

/* Removing. */

typedef struct {
  char *id;
  char *cache_dir;
  GError *secrets_error;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_free (data->id);
  g_free (data->cache_dir);
  g_clear_error (&data->secrets_error);
  g_free (data);
}

/* Deletes a directory tree without following symbolic links (a link inside the cache is removed,
 * never what it points to). Keeps going after an error and reports the first. */
static gboolean
delete_tree (const char  *path,
             GError     **error)
{
  GStatBuf info;

  if (g_lstat (path, &info) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if (S_ISDIR (info.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      gboolean ok = TRUE;
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!delete_tree (child, ok ? error : NULL))
            ok = FALSE;
        }
      if (!ok)
        return FALSE;
      if (g_rmdir (path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       "%s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  if (g_unlink (path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
delete_cache_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  RemoveData *data = task_data;
  g_autoptr(GError) cache_error = NULL;

  delete_tree (data->cache_dir, &cache_error);

  if (data->secrets_error != NULL)
    g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_FAILED,
                             _("The account %s was removed, but its password could not be "
                               "removed from the keyring: %s"),
                             data->id, data->secrets_error->message);
  else if (cache_error != NULL)
    g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_FAILED,
                             _("The account %s was removed, but its cache could not be "
                               "deleted: %s"),
                             data->id, cache_error->message);
  else
    g_task_return_boolean (task, TRUE);
}

static void
secrets_cleared_cb (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RemoveData *data = g_task_get_task_data (task);

  if (!heron_secrets_clear_finish (result, &data->secrets_error))
    g_debug ("Secrets of removed account %s remain: %s", data->id, data->secrets_error->message);

  g_task_run_in_thread (task, delete_cache_thread);
}

void
heron_account_config_store_remove_async (HeronAccountConfigStore *self,
                                         HeronAccountConfig      *config,
                                         GCancellable            *cancellable,
                                         GAsyncReadyCallback      callback,
                                         gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronAccountConfig) removed = NULL;
  g_autofree char *path = NULL;
  RemoveData *data;
  guint position;

  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self));
  g_return_if_fail (self->owner == g_thread_self ());
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (config));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_config_store_remove_async);
  /* Once the file is gone the account is gone: finish the cleanup even if cancelled. */
  g_task_set_check_cancellable (task, FALSE);

  if (!g_ptr_array_find (self->accounts, config, &position))
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND,
                               _("There is no account “%s” to remove"),
                               heron_account_config_get_id (config) != NULL
                               ? heron_account_config_get_id (config) : "");
      return;
    }

  path = heron_account_config_store_dup_path (self, heron_account_config_get_id (config));
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                               _("The account file %s cannot be removed: %s"),
                               path, g_strerror (saved_errno));
      return;
    }

  data = g_new0 (RemoveData, 1);
  data->id = g_strdup (heron_account_config_get_id (config));
  data->cache_dir = heron_account_config_store_dup_cache_dir (self, data->id);
  g_task_set_task_data (task, data, (GDestroyNotify) remove_data_free);

  g_debug ("Removed account %s", data->id);
  removed = g_ptr_array_steal_index (self->accounts, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, removed, HERON_ACCOUNT_CHANGE_REMOVED);

  heron_secrets_clear_async (data->id, cancellable, secrets_cleared_cb, g_steal_pointer (&task));
}

gboolean
heron_account_config_store_remove_finish (HeronAccountConfigStore  *self,
                                          GAsyncResult             *result,
                                          GError                  **error)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_account_config_store_remove_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
