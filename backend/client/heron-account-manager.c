/* heron-account-manager.c: every account of the person, each with its sync worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manager reads the account files through a HeronAccountConfigStore and keeps one
 * HeronAccount per account (a GListStore, in the order they were added: the files' order at
 * load, then additions at the end). Adding saves the file first, then the password, then starts
 * the worker; removing stops the worker and closes the cache before the store deletes the file,
 * the secrets and the cache directory, so no file of the account is open while it goes.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-account-manager.h"
#include "heron-client-private.h"
#include "account/heron-account-error.h"
#include "account/heron-secrets.h"

struct _HeronAccountManager
{
  GObject                  parent_instance;

  HeronAccountConfigStore *store;
  GTlsDatabase            *tls_database;
  GListStore              *accounts;       /* HeronAccount */
  HeronMessageList        *unified_inbox;  /* made on first use */
  gboolean                 loaded;
};

G_DEFINE_FINAL_TYPE (HeronAccountManager, heron_account_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UNIFIED_INBOX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
heron_account_manager_dispose (GObject *object)
{
  HeronAccountManager *self = HERON_ACCOUNT_MANAGER (object);

  heron_account_manager_shutdown (self);
  g_clear_object (&self->unified_inbox);
  if (self->accounts != NULL)
    g_list_store_remove_all (self->accounts);

  G_OBJECT_CLASS (heron_account_manager_parent_class)->dispose (object);
}

static void
heron_account_manager_finalize (GObject *object)
{
  HeronAccountManager *self = HERON_ACCOUNT_MANAGER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (heron_account_manager_parent_class)->finalize (object);
}

static void
heron_account_manager_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HeronAccountManager *self = HERON_ACCOUNT_MANAGER (object);

  switch (prop_id)
    {
    case PROP_UNIFIED_INBOX:
      g_value_set_object (value, heron_account_manager_get_unified_inbox (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_manager_class_init (HeronAccountManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heron_account_manager_dispose;
  object_class->finalize = heron_account_manager_finalize;
  object_class->get_property = heron_account_manager_get_property;

  /* A new list each time an account or an INBOX comes or goes. */
  properties[PROP_UNIFIED_INBOX] =
    g_param_spec_object ("unified-inbox", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_account_manager_init (HeronAccountManager *self)
{
  self->accounts = g_list_store_new (HERON_TYPE_ACCOUNT);
}

HeronAccountManager *
heron_account_manager_new (const char *config_dir,
                           const char *data_dir)
{
  HeronAccountManager *self = g_object_new (HERON_TYPE_ACCOUNT_MANAGER, NULL);

  self->store = heron_account_config_store_new_for_dirs (config_dir, data_dir);
  return self;
}

void
heron_account_manager_set_tls_database (HeronAccountManager *self,
                                        GTlsDatabase        *database)
{
  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

HeronAccountConfigStore *
_heron_account_manager_get_config_store (HeronAccountManager *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (self), NULL);

  return self->store;
}

/* Accounts */

static HeronAccount *
make_account (HeronAccountManager  *self,
              HeronAccountConfig   *config,
              GError              **error)
{
  g_autofree char *cache_dir = NULL;
  g_autofree char *store_path = NULL;
  HeronAccountWorkerOptions options;

  cache_dir = heron_account_config_store_dup_cache_dir (self->store, heron_account_config_get_id (config));
  store_path = g_build_filename (cache_dir, "cache.db", NULL);
  heron_account_worker_options_init (&options);
  options.store_path = store_path;
  options.tls_database = self->tls_database;
  return _heron_account_new (self, config, &options, error);
}

static gboolean
find_account (HeronAccountManager *self,
              HeronAccount        *account,
              guint               *out_position)
{
  return g_list_store_find (self->accounts, account, out_position);
}

gboolean
heron_account_manager_load (HeronAccountManager  *self,
                            GPtrArray           **out_errors,
                            GError              **error)
{
  g_autoptr(GPtrArray) errors = NULL;
  GListModel *configs;
  guint n;

  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->loaded)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The accounts were loaded already");
      return FALSE;
    }
  if (!heron_account_config_store_load (self->store, &errors, error))
    return FALSE;
  self->loaded = TRUE;
  if (errors == NULL)
    errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  configs = G_LIST_MODEL (self->store);
  n = g_list_model_get_n_items (configs);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountConfig) config = g_list_model_get_item (configs, i);
      g_autoptr(HeronAccount) account = NULL;
      GError *account_error = NULL;

      /* A config that loads but cannot make a worker (an unreadable pinned certificate file)
       * costs its own account only, like a broken file. */
      account = make_account (self, config, &account_error);
      if (account == NULL)
        {
          g_ptr_array_add (errors, g_error_new (account_error->domain, account_error->code,
                                                _("The account “%s” cannot start: %s"),
                                                heron_account_config_get_id (config),
                                                account_error->message));
          g_error_free (account_error);
          continue;
        }
      g_list_store_append (self->accounts, account);
      _heron_account_start (account);
    }

  if (out_errors != NULL)
    *out_errors = g_steal_pointer (&errors);
  _heron_account_manager_inbox_changed (self);
  return TRUE;
}

void
heron_account_manager_shutdown (HeronAccountManager *self)
{
  guint n;

  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      _heron_account_stop (account);
    }
}

GListModel *
heron_account_manager_get_accounts (HeronAccountManager *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

HeronAccount *
heron_account_manager_lookup (HeronAccountManager *self,
                              const char          *account_id)
{
  guint n;

  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      if (g_strcmp0 (heron_account_get_id (account), account_id) == 0)
        return account;  /* the list keeps it */
    }
  return NULL;
}

/* Passwords: the IMAP one, and the SMTP one when the SMTP server logs in with a password too. */

typedef struct {
  HeronAccount *account;
  char         *password;
  guint         n_left;
  GError       *error;
} PasswordData;

static void
password_data_free (PasswordData *data)
{
  g_clear_object (&data->account);
  if (data->password != NULL)
    heron_secrets_free (data->password);
  g_clear_error (&data->error);
  g_free (data);
}

static void store_password_step (GTask *task);

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!heron_secrets_store_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  store_password_step (g_steal_pointer (&task));
}

/* Stores the password for the servers that take one, one after the other; then the task's
 * next step runs (g_task's callback). */
static void
store_password_step (GTask *task)
{
  PasswordData *data = g_task_get_task_data (task);
  HeronAccountConfig *config = heron_account_get_config (data->account);
  HeronAccountServer *server = NULL;
  HeronAccountProtocol protocol = HERON_ACCOUNT_PROTOCOL_IMAP;

  while (data->n_left > 0 && server == NULL)
    {
      protocol = data->n_left == 2 ? HERON_ACCOUNT_PROTOCOL_IMAP : HERON_ACCOUNT_PROTOCOL_SMTP;
      server = protocol == HERON_ACCOUNT_PROTOCOL_IMAP ? heron_account_config_get_imap (config) :
               heron_account_config_get_smtp (config);
      data->n_left--;
      if (heron_account_server_get_auth (server) != HERON_ACCOUNT_AUTH_PASSWORD)
        server = NULL;
    }
  if (server == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  heron_secrets_store_async (heron_account_get_id (data->account), protocol,
                             heron_account_server_get_host (server),
                             heron_account_server_get_user (server), data->password,
                             g_task_get_cancellable (task), on_secret_stored, task);
}

static void
store_passwords_async (HeronAccount        *account,
                       const char          *password,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (account, cancellable, callback, user_data);
  PasswordData *data = g_new0 (PasswordData, 1);

  data->account = g_object_ref (account);
  data->password = g_strdup (password);
  data->n_left = password != NULL ? 2 : 0;
  g_task_set_task_data (task, data, (GDestroyNotify) password_data_free);
  store_password_step (task);
}

static gboolean
store_passwords_finish (GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Add */

static void
on_add_passwords_stored (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *account = g_task_get_task_data (task);
  GError *error = NULL;

  if (!store_passwords_finish (result, &error))
    {
      g_autoptr(GError) wrapped = g_error_new (error->domain, error->code,
                                               _("The account was saved, but its password could "
                                                 "not be kept in the keyring: %s"),
                                               error->message);
      g_error_free (error);
      /* The account exists (its file was written): it starts and asks for the password. */
      _heron_account_start (account);
      g_task_return_error (task, g_steal_pointer (&wrapped));
      return;
    }
  _heron_account_start (account);
  g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

void
heron_account_manager_add_async (HeronAccountManager *self,
                                 HeronAccountConfig  *config,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronAccount) account = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (config));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_manager_add_async);

  if (heron_account_config_get_id (config) != NULL &&
      heron_account_config_store_lookup (self->store, heron_account_config_get_id (config)) == config)
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                               _("The account “%s” exists already"),
                               heron_account_config_get_id (config));
      return;
    }
  /* validates, gives the id, writes the file */
  if (!heron_account_config_store_add (self->store, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  account = make_account (self, config, &error);
  if (account == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_list_store_append (self->accounts, account);
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);
  store_passwords_async (account, password, NULL, on_add_passwords_stored, g_steal_pointer (&task));
}

HeronAccount *
heron_account_manager_add_finish (HeronAccountManager  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Update */

static gboolean
server_changed (HeronAccountServer *a,
                HeronAccountServer *b)
{
  return g_strcmp0 (heron_account_server_get_host (a), heron_account_server_get_host (b)) != 0 ||
         heron_account_server_get_effective_port (a) != heron_account_server_get_effective_port (b) ||
         heron_account_server_get_security (a) != heron_account_server_get_security (b) ||
         heron_account_server_get_auth (a) != heron_account_server_get_auth (b) ||
         g_strcmp0 (heron_account_server_get_user (a), heron_account_server_get_user (b)) != 0 ||
         g_strcmp0 (heron_account_server_get_pinned_certificate_file (a),
                    heron_account_server_get_pinned_certificate_file (b)) != 0 ||
         g_strcmp0 (heron_account_server_get_pinned_certificate_pem (a),
                    heron_account_server_get_pinned_certificate_pem (b)) != 0 ||
         heron_account_server_get_allow_plaintext_on_loopback (a) !=
         heron_account_server_get_allow_plaintext_on_loopback (b);
}

/* What the worker read from the config when it was made: a change of it needs a new worker. */
static gboolean
needs_restart (HeronAccountConfig *old_config,
               HeronAccountConfig *new_config)
{
  return server_changed (heron_account_config_get_imap (old_config), heron_account_config_get_imap (new_config)) ||
         server_changed (heron_account_config_get_smtp (old_config), heron_account_config_get_smtp (new_config)) ||
         g_strcmp0 (heron_account_config_get_special_folder (old_config, HERON_ACCOUNT_SPECIAL_FOLDER_TRASH),
                    heron_account_config_get_special_folder (new_config, HERON_ACCOUNT_SPECIAL_FOLDER_TRASH)) != 0 ||
         g_strcmp0 (heron_account_config_get_special_folder (old_config, HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS),
                    heron_account_config_get_special_folder (new_config, HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS)) != 0 ||
         g_strcmp0 (heron_account_config_get_special_folder (old_config, HERON_ACCOUNT_SPECIAL_FOLDER_SENT),
                    heron_account_config_get_special_folder (new_config, HERON_ACCOUNT_SPECIAL_FOLDER_SENT)) != 0 ||
         heron_account_config_get_folder_sync (old_config) != heron_account_config_get_folder_sync (new_config) ||
         heron_account_config_get_prefetch_days (old_config) != heron_account_config_get_prefetch_days (new_config);
}

typedef struct {
  HeronAccount       *account;
  HeronAccountConfig *config;
  gboolean            restart;
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_clear_object (&data->account);
  g_clear_object (&data->config);
  g_free (data);
}

static void
finish_update (GTask *task)
{
  UpdateData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!_heron_account_set_config (data->account, data->config, data->restart, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_update_passwords_stored (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!store_passwords_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* the worker keeps the password it read: a new one needs a new worker */
  data->restart = TRUE;
  finish_update (task);
}

void
heron_account_manager_update_async (HeronAccountManager *self,
                                    HeronAccount        *account,
                                    HeronAccountConfig  *config,
                                    const char          *password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdateData *data;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (HERON_IS_ACCOUNT (account));
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (config));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_manager_update_async);

  if (!find_account (self, account, NULL))
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND,
                               _("The account “%s” is not one of Heron’s accounts"),
                               heron_account_get_id (account));
      return;
    }
  if (g_strcmp0 (heron_account_config_get_id (config), heron_account_get_id (account)) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The edited settings are not those of the account “%s”"),
                               heron_account_get_id (account));
      return;
    }

  data = g_new0 (UpdateData, 1);
  data->account = g_object_ref (account);
  data->config = g_object_ref (config);
  data->restart = needs_restart (heron_account_get_config (account), config);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);

  /* nothing is written unless it validates */
  if (!heron_account_config_store_save (self->store, config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (password != NULL)
    {
      store_passwords_async (account, password, cancellable, on_update_passwords_stored,
                             g_steal_pointer (&task));
      return;
    }
  finish_update (task);
}

gboolean
heron_account_manager_update_finish (HeronAccountManager  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Remove */

static void
on_store_removed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *account = g_task_get_task_data (task);
  g_autoptr(GError) cache_error = NULL;
  GError *error = NULL;

  if (!heron_account_config_store_remove_finish (HERON_ACCOUNT_CONFIG_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A cache kept somewhere else than the store's cache directory (the store removed that) */
  if (!heron_store_delete_files (heron_account_get_store_path (account), &cache_error))
    {
      g_task_return_new_error (task, cache_error->domain, cache_error->code,
                               _("The account was removed, but its cache could not be deleted: %s"),
                               cache_error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
heron_account_manager_remove_async (HeronAccountManager *self,
                                    HeronAccount        *account,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  guint position;

  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (HERON_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_manager_remove_async);
  if (!find_account (self, account, &position))
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND,
                               _("The account “%s” is not one of Heron’s accounts"),
                               heron_account_get_id (account));
      return;
    }
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);

  /* nothing of the account may have its files open while they go */
  _heron_account_stop (account);
  g_list_store_remove (self->accounts, position);
  _heron_account_manager_inbox_changed (self);

  heron_account_config_store_remove_async (self->store, heron_account_get_config (account),
                                           cancellable, on_store_removed, g_steal_pointer (&task));
}

gboolean
heron_account_manager_remove_finish (HeronAccountManager  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The unified inbox */

static HeronMessageList *
make_unified_inbox (HeronAccountManager *self)
{
  g_autoptr(GPtrArray) inboxes = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      HeronFolder *inbox = _heron_account_get_inbox (account);

      if (inbox != NULL)
        g_ptr_array_add (inboxes, inbox);
    }
  return heron_message_list_new_merged ((HeronFolder * const *) inboxes->pdata, inboxes->len);
}

void
_heron_account_manager_inbox_changed (HeronAccountManager *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));

  /* made again only when someone asked for it */
  if (self->unified_inbox == NULL)
    return;
  g_clear_object (&self->unified_inbox);
  self->unified_inbox = make_unified_inbox (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIFIED_INBOX]);
}

GListModel *
heron_account_manager_get_unified_inbox (HeronAccountManager *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (self), NULL);

  if (self->unified_inbox == NULL)
    self->unified_inbox = make_unified_inbox (self);
  return G_LIST_MODEL (self->unified_inbox);
}
