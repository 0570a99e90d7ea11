/* heron-account-manager.c: every account of the person, each with its sync worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manager reads the account files through a HeronAccountConfigStore and keeps one
 * HeronAccount per account (a GListStore, in the order they were added: the files' order at
 * load, then additions at the end). Adding saves the file first, then the password, then starts
 * the worker; removing stops the worker and closes the cache before the store deletes the file,
 * the secrets and the cache directory, so no file of the account is open while it goes.
 *
 * With GNOME Online Accounts (built with libgoa, and its daemon on the bus), every GOA mail
 * account becomes a Heron account of its own on first sight: an account file bound by its
 * GoaAccountId, which GOA's changes follow while Heron runs (below, "GNOME Online Accounts").
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "heron-account-manager.h"
#include "heron-client-private.h"
#include "account/heron-account-error.h"
#include "account/heron-secrets.h"
#ifdef HERON_HAVE_GOA
#include "account/heron-goa-provider.h"
#endif

struct _HeronAccountManager
{
  GObject                  parent_instance;

  HeronAccountConfigStore *store;
  GTlsDatabase            *tls_database;
  GListStore              *accounts;       /* HeronAccount */
  HeronMessageList        *unified_inbox;  /* made on first use */
  gboolean                 loaded;
#ifdef HERON_HAVE_GOA
  HeronGoaProvider        *goa;            /* NULL until GOA answered */
  GCancellable            *goa_cancellable;
  GHashTable              *goa_busy;       /* GOA ids being started or removed */
  GHashTable              *goa_gone;       /* GOA ids GOA said it removed (account-removed) */
  GStrv                    goa_removed;    /* goa.conf's ids, read once */
#endif
};

G_DEFINE_FINAL_TYPE (HeronAccountManager, heron_account_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UNIFIED_INBOX,
#ifdef HERON_HAVE_GOA
  PROP_GOA_PROVIDER,
#endif
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#ifdef HERON_HAVE_GOA
static void goa_start     (HeronAccountManager *self);
static void goa_reconcile (HeronAccountManager *self);
static void goa_forget (HeronAccountManager *self,
                        HeronAccountConfig  *config);
static gboolean goa_reads_passwords (HeronAccountManager *self,
                                     HeronAccountConfig  *config);
static void goa_read_passwords_async (HeronAccountManager *self,
                                      HeronAccount        *account,
                                      HeronAccountConfig  *config,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
static gboolean goa_read_passwords_finish (HeronAccountManager  *self,
                                           GAsyncResult         *result,
                                           GError              **error);
#endif

static void
heron_account_manager_dispose (GObject *object)
{
  HeronAccountManager *self = HERON_ACCOUNT_MANAGER (object);

  heron_account_manager_shutdown (self);
#ifdef HERON_HAVE_GOA
  g_cancellable_cancel (self->goa_cancellable);
  if (self->goa != NULL)
    g_signal_handlers_disconnect_by_data (heron_goa_provider_get_client (self->goa), self);
  g_clear_object (&self->goa);
#endif
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
#ifdef HERON_HAVE_GOA
  g_clear_object (&self->goa_cancellable);
  g_clear_pointer (&self->goa_busy, g_hash_table_unref);
  g_clear_pointer (&self->goa_gone, g_hash_table_unref);
  g_clear_pointer (&self->goa_removed, g_strfreev);
#endif

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
#ifdef HERON_HAVE_GOA
    case PROP_GOA_PROVIDER:
      g_value_set_object (value, self->goa);
      break;
#endif
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
#ifdef HERON_HAVE_GOA
  /* The HeronGoaProvider, once GOA answered after load (with or without its daemon on the bus);
   * from then on GOA's mail accounts are followed. */
  properties[PROP_GOA_PROVIDER] =
    g_param_spec_object ("goa-provider", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
#endif
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_account_manager_init (HeronAccountManager *self)
{
  self->accounts = g_list_store_new (HERON_TYPE_ACCOUNT);
#ifdef HERON_HAVE_GOA
  self->goa_cancellable = g_cancellable_new ();
  self->goa_busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->goa_gone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
#endif
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

/* @password, @smtp_password: GOA's for a GOA account (NULL: the keyring's; an SMTP password
 * NULL: @password) */
static HeronAccount *
make_account_with_password (HeronAccountManager  *self,
                            HeronAccountConfig   *config,
                            const char           *password,
                            const char           *smtp_password,
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
  options.password = password;
  options.smtp_password = smtp_password;
#ifdef HERON_HAVE_GOA
  /* a GOA account's OAuth2 tokens come from GOA */
  if (self->goa != NULL && heron_account_config_get_goa_account_id (config) != NULL)
    options.oauth2_provider = HERON_OAUTH2_PROVIDER (self->goa);
#endif
  return _heron_account_new (self, config, &options, error);
}

static HeronAccount *
make_account (HeronAccountManager  *self,
              HeronAccountConfig   *config,
              GError              **error)
{
  return make_account_with_password (self, config, NULL, NULL, error);
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

#ifdef HERON_HAVE_GOA
      /* started once GOA said whether it still has the account (and gave its password) */
      if (heron_account_config_get_goa_account_id (config) != NULL)
        continue;
#endif

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
#ifdef HERON_HAVE_GOA
  goa_start (self);
#endif
  return TRUE;
}

void
heron_account_manager_shutdown (HeronAccountManager *self)
{
  guint n;

  g_return_if_fail (HERON_IS_ACCOUNT_MANAGER (self));

#ifdef HERON_HAVE_GOA
  /* no GOA account starts after this */
  g_cancellable_cancel (self->goa_cancellable);
#endif
  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      _heron_account_close (account);
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

#ifdef HERON_HAVE_GOA
static void
on_update_goa_passwords (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* without them the worker starts with the last ones and says if they are refused */
  if (!goa_read_passwords_finish (HERON_ACCOUNT_MANAGER (source), result, &error))
    g_message ("%s: %s", heron_account_get_id (data->account), error->message);
  finish_update (task);
}
#endif

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
#ifdef HERON_HAVE_GOA
  /* a new worker of a GOA password account logs in with GOA's passwords of now */
  if (data->restart && goa_reads_passwords (self, config))
    {
      goa_read_passwords_async (self, account, config, cancellable, on_update_goa_passwords,
                                g_steal_pointer (&task));
      return;
    }
#endif
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
#ifdef HERON_HAVE_GOA
  goa_forget (self, heron_account_get_config (account));
#endif

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
  /* One account: its INBOX's own list, so showing "All Inboxes" and then the INBOX (or the
   * other way round) reads and follows the folder once, not with a second pair of connections. */
  if (inboxes->len == 1)
    return HERON_MESSAGE_LIST (heron_folder_get_messages (g_ptr_array_index (inboxes, 0)));
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

#ifdef HERON_HAVE_GOA

/* GNOME Online Accounts
 *
 * Every GOA account with mail enabled becomes a Heron account on first sight: its config (the
 * proposal HeronGoaProvider makes of it, with GoaAccountId) is added to the store like any new
 * account, unless the person has an account of Heron's own for the same IMAP server and user
 * (that one stays as it is, and GOA's is not added). Heron keeps no secret for a GOA account
 * (the Heron keyring items an older Heron kept for one go when it starts): a password account
 * (GOA's "IMAP and SMTP") gets GOA's "imap-password" and "smtp-password", read again for every
 * new worker and every retry; an OAuth2 account gets the provider for its tokens. While Heron
 * runs it follows GOA: a new mail account appears; one whose mail is switched off in Settings
 * leaves the list (its file and cache stay for when mail is switched on again); one whose
 * servers changed follows them, also when they changed while Heron was closed. An account the
 * person removes in Heron is written down in <config-dir>/goa.conf and not added again; GOA is
 * not touched.
 *
 * Only GOA saying that it removed an account (account-removed while its daemon owns its name)
 * removes Heron's, file and cache, and not even then while the cache holds what the person did
 * that the server has not seen (journal entries, the outbox): that account stays, as an account
 * of Heron's own. An account missing from GOA's list proves nothing: the daemon lists nothing
 * before it runs or when its GetManagedObjects failed (the name owner is set all the same), and
 * it leaves out accounts it cannot load. Such an account waits (not started, file and cache
 * kept) until GOA lists it again. The daemon coming later is followed like any change. */

#define GOA_STATE_FILE "goa.conf"
#define GOA_STATE_GROUP "Removed"
#define GOA_STATE_KEY "Accounts"

static char *
goa_state_path (HeronAccountManager *self)
{
  return g_build_filename (heron_account_config_store_get_config_dir (self->store), GOA_STATE_FILE, NULL);
}

/* The GOA ids the person removed from Heron (goa.conf, read on first use). */
static const char * const *
goa_removed_ids (HeronAccountManager *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) error = NULL;

  if (self->goa_removed != NULL)
    return (const char * const *) self->goa_removed;

  path = goa_state_path (self);
  key_file = g_key_file_new ();
  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("%s: %s", path, error->message);
    }
  else
    self->goa_removed = g_key_file_get_string_list (key_file, GOA_STATE_GROUP, GOA_STATE_KEY, NULL, NULL);
  if (self->goa_removed == NULL)
    self->goa_removed = g_new0 (char *, 1);
  return (const char * const *) self->goa_removed;
}

/* Written at once and durably (a person's removal, rare): the list is on disk before the
 * account's file goes, so a crash in between does not bring the account back. */
static void
goa_set_removed (HeronAccountManager *self,
                 const char          *goa_id,
                 gboolean             removed)
{
  g_autofree char *path = goa_state_path (self);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char * const *old = goa_removed_ids (self);
  g_autoptr(GError) error = NULL;

  if (g_strv_contains (old, goa_id) == removed)
    return;
  for (guint i = 0; old[i] != NULL; i++)
    if (g_strcmp0 (old[i], goa_id) != 0)
      g_strv_builder_add (builder, old[i]);
  if (removed)
    g_strv_builder_add (builder, goa_id);
  g_strfreev (self->goa_removed);
  self->goa_removed = g_strv_builder_end (builder);

  g_key_file_set_comment (key_file, NULL, NULL,
                          " GNOME Online Accounts accounts removed from Heron: Heron does not add "
                          "them again", NULL);
  g_key_file_set_string_list (key_file, GOA_STATE_GROUP, GOA_STATE_KEY,
                              (const char * const *) self->goa_removed,
                              g_strv_length (self->goa_removed));
  text = g_key_file_to_data (key_file, NULL, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_message ("%s cannot be written: %s", path,
               error != NULL ? error->message : g_strerror (errno));
}

/* The person removes a GOA account in Heron: it stays out of Heron (GOA keeps it). A removal
 * GOA itself asked for (the id is busy then) leaves no trace. */
static void
goa_forget (HeronAccountManager *self,
            HeronAccountConfig  *config)
{
  const char *goa_id = heron_account_config_get_goa_account_id (config);

  if (goa_id == NULL || g_hash_table_contains (self->goa_busy, goa_id))
    return;
  goa_set_removed (self, goa_id, TRUE);
}

static HeronAccount *
goa_find_account (HeronAccountManager *self,
                  const char          *goa_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_strcmp0 (heron_account_config_get_goa_account_id (heron_account_get_config (account)), goa_id) == 0)
        return account;  /* the list keeps it */
    }
  return NULL;
}

static HeronAccountConfig *
goa_find_config (HeronAccountManager *self,
                 const char          *goa_id)
{
  GListModel *configs = G_LIST_MODEL (self->store);
  guint n = g_list_model_get_n_items (configs);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountConfig) config = g_list_model_get_item (configs, i);

      if (g_strcmp0 (heron_account_config_get_goa_account_id (config), goa_id) == 0)
        return config;  /* the store keeps it */
    }
  return NULL;
}

/* An account of Heron's own (not GOA's) on the proposal's IMAP server with its user: the person
 * set the account up by hand before (or instead of) GOA. */
static HeronAccountConfig *
goa_find_own_config (HeronAccountManager *self,
                     HeronAccountConfig  *proposal)
{
  HeronAccountServer *goas = heron_account_config_get_imap (proposal);
  GListModel *configs = G_LIST_MODEL (self->store);
  guint n = g_list_model_get_n_items (configs);

  if (heron_account_server_get_host (goas) == NULL || heron_account_server_get_user (goas) == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountConfig) config = g_list_model_get_item (configs, i);
      HeronAccountServer *ours = heron_account_config_get_imap (config);

      if (heron_account_config_get_goa_account_id (config) == NULL &&
          heron_account_server_get_host (ours) != NULL &&
          g_ascii_strcasecmp (heron_account_server_get_host (ours), heron_account_server_get_host (goas)) == 0 &&
          g_strcmp0 (heron_account_server_get_user (ours), heron_account_server_get_user (goas)) == 0)
        return config;  /* the store keeps it */
    }
  return NULL;
}

/* GOA's SMTP server takes a password too: GOA keeps it apart ("smtp-password"), usually the
 * same as the IMAP one. Without one, sending uses the IMAP password. */
static gboolean
goa_wants_smtp_password (HeronAccountConfig *config)
{
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);

  return smtp != NULL && heron_account_server_get_user (smtp) != NULL &&
         heron_account_server_get_auth (smtp) == HERON_ACCOUNT_AUTH_PASSWORD;
}

/* A GOA account that signs in with GOA's passwords (not OAuth2) */
static gboolean
goa_reads_passwords (HeronAccountManager *self,
                     HeronAccountConfig  *config)
{
  return self->goa != NULL && heron_account_config_get_goa_account_id (config) != NULL &&
         heron_account_server_get_auth (heron_account_config_get_imap (config)) == HERON_ACCOUNT_AUTH_PASSWORD;
}

/* Reading GOA's passwords of an account: "imap-password", then "smtp-password" when its SMTP
 * server takes one. */
typedef struct {
  HeronAccount       *account;   /* nullable: a config not started yet */
  HeronAccountConfig *config;
  char               *goa_id;
  char               *password;
  char               *smtp_password;
} GoaPasswords;

static void
goa_passwords_free (GoaPasswords *passwords)
{
  g_clear_object (&passwords->account);
  g_clear_object (&passwords->config);
  g_free (passwords->goa_id);
  if (passwords->password != NULL)
    heron_secrets_free (passwords->password);
  if (passwords->smtp_password != NULL)
    heron_secrets_free (passwords->smtp_password);
  g_free (passwords);
}

static void
goa_passwords_done (GTask *task)
{
  GoaPasswords *passwords = g_task_get_task_data (task);

  /* every later worker of the account logs in with them */
  if (passwords->account != NULL)
    _heron_account_set_passwords (passwords->account, passwords->password, passwords->smtp_password);
  g_task_return_boolean (task, TRUE);
}

static void
on_goa_smtp_password (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GoaPasswords *passwords = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  passwords->smtp_password = heron_goa_provider_get_password_finish (HERON_GOA_PROVIDER (source), result, &error);
  if (passwords->smtp_password == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (passwords->smtp_password == NULL)
    g_debug ("%s: no SMTP password of its own in GOA (%s): sending uses the IMAP one",
             heron_account_config_get_id (passwords->config), error->message);
  goa_passwords_done (task);
}

static void
on_goa_imap_password (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GoaPasswords *passwords = g_task_get_task_data (task);
  GError *error = NULL;

  passwords->password = heron_goa_provider_get_password_finish (HERON_GOA_PROVIDER (source), result, &error);
  if (passwords->password == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (goa_wants_smtp_password (passwords->config))
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      heron_goa_provider_get_password_async (HERON_GOA_PROVIDER (source), passwords->goa_id,
                                             "smtp-password", cancellable,
                                             on_goa_smtp_password, g_steal_pointer (&task));
      return;
    }
  goa_passwords_done (task);
}

/* Reads GOA's passwords for @config (a GOA password account) and, once both came, gives them
 * to @account (nullable) for its next workers. On failure the account keeps the ones it had. */
static void
goa_read_passwords_async (HeronAccountManager *self,
                          HeronAccount        *account,
                          HeronAccountConfig  *config,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GoaPasswords *passwords = g_new0 (GoaPasswords, 1);

  g_assert (goa_reads_passwords (self, config));

  passwords->account = account != NULL ? g_object_ref (account) : NULL;
  passwords->config = g_object_ref (config);
  passwords->goa_id = g_strdup (heron_account_config_get_goa_account_id (config));
  g_task_set_task_data (task, passwords, (GDestroyNotify) goa_passwords_free);
  heron_goa_provider_get_password_async (self->goa, passwords->goa_id, "imap-password", cancellable,
                                         on_goa_imap_password, task);
}

static gboolean
goa_read_passwords_finish (HeronAccountManager  *self,
                           GAsyncResult         *result,
                           GError              **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Heron keeps no secret of a GOA account: an older Heron stored the password of a GOA account in
 * its own keyring items; they go when the account starts. */
static void
on_goa_secrets_cleared (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autofree char *id = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_secrets_clear_finish (result, &error))
    g_message ("%s: Heron’s keyring items of a GNOME Online Accounts account cannot be removed: %s",
               id, error->message);
}

typedef struct {
  HeronAccountManager *self;
  HeronAccountConfig  *config;
  char                *goa_id;
} GoaStart;

static void
goa_start_free (GoaStart *start)
{
  g_hash_table_remove (start->self->goa_busy, start->goa_id);
  g_object_unref (start->self);
  g_object_unref (start->config);
  g_free (start->goa_id);
  g_free (start);
}

static void
goa_make_account (GoaStart   *start,
                  const char *password,
                  const char *smtp_password)
{
  HeronAccountManager *self = start->self;
  g_autoptr(HeronAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  /* gone from the store or started meanwhile */
  if (heron_account_config_store_lookup (self->store, heron_account_config_get_id (start->config)) != start->config ||
      goa_find_account (self, start->goa_id) != NULL)
    return;

  account = make_account_with_password (self, start->config, password, smtp_password, &error);
  if (account == NULL)
    {
      g_message ("The GNOME Online Accounts account “%s” cannot start: %s",
                 heron_account_config_get_id (start->config), error->message);
      return;
    }
  heron_goa_provider_bind_account (self->goa, heron_account_config_get_id (start->config), start->goa_id);
  g_list_store_append (self->accounts, account);
  _heron_account_start (account);
  _heron_account_manager_inbox_changed (self);
}

static void
on_goa_start_passwords (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GoaStart *start = user_data;
  g_autoptr(HeronAccountManager) self = g_object_ref (start->self);
  GoaPasswords *passwords = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!goa_read_passwords_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* the account still starts: it reports the missing password like any other */
      g_message ("%s: %s", heron_account_config_get_id (start->config), error->message);
    }
  if (!g_cancellable_is_cancelled (self->goa_cancellable))
    goa_make_account (start, passwords->password, passwords->smtp_password);
  goa_start_free (start);
  /* what GOA changed while the passwords were on their way */
  goa_reconcile (self);
}

/* Starts the Heron account of a GOA account, with GOA's passwords when it signs in with them. */
static void
goa_start_account (HeronAccountManager *self,
                   HeronAccountConfig  *config)
{
  GoaStart *start;

  start = g_new0 (GoaStart, 1);
  start->self = g_object_ref (self);
  start->config = g_object_ref (config);
  start->goa_id = g_strdup (heron_account_config_get_goa_account_id (config));
  g_hash_table_add (self->goa_busy, g_strdup (start->goa_id));

  heron_secrets_clear_async (heron_account_config_get_id (config), NULL, on_goa_secrets_cleared,
                             g_strdup (heron_account_config_get_id (config)));

  if (goa_reads_passwords (self, config))
    {
      goa_read_passwords_async (self, NULL, config, self->goa_cancellable, on_goa_start_passwords, start);
      return;
    }
  goa_make_account (start, NULL, NULL);
  goa_start_free (start);
}

/* A removal or an update of a GOA account's Heron account, under way */
typedef struct {
  HeronAccountManager *self;
  char                *goa_id;
} GoaJob;

static void
goa_job_free (GoaJob *job)
{
  g_hash_table_remove (job->self->goa_busy, job->goa_id);
  g_object_unref (job->self);
  g_free (job->goa_id);
  g_free (job);
}

static void
on_goa_account_removed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GoaJob *remove = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_manager_remove_finish (HERON_ACCOUNT_MANAGER (source), result, &error))
    g_message ("The account of GNOME Online Accounts’ “%s” was not removed completely: %s",
               remove->goa_id, error->message);
  goa_job_free (remove);
}

static void
on_goa_config_removed (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GoaJob *remove = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_config_store_remove_finish (HERON_ACCOUNT_CONFIG_STORE (source), result, &error))
    g_message ("The account of GNOME Online Accounts’ “%s” was not removed completely: %s",
               remove->goa_id, error->message);
  goa_job_free (remove);
}

/* Whether the account's cache holds what the person did that the server has not seen yet:
 * journal entries not replayed (failed ones aside), messages in the outbox. A cache that cannot
 * be read counts as holding some. */
static gboolean
goa_cache_has_pending (HeronAccountManager *self,
                       HeronAccount        *account,
                       HeronAccountConfig  *config)
{
  g_autofree char *cache_dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  guint n_journal = 0;

  if (account != NULL)
    path = g_strdup (heron_account_get_store_path (account));
  else
    {
      cache_dir = heron_account_config_store_dup_cache_dir (self->store, heron_account_config_get_id (config));
      path = g_build_filename (cache_dir, "cache.db", NULL);
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;

  reader = heron_store_reader_open (path, &error);
  if (reader == NULL || !heron_store_reader_count_pending_operations (reader, &n_journal, &error))
    {
      g_message ("%s: %s", path, error->message);
      return TRUE;
    }
  outbox = heron_store_outbox_read (path, &error);
  if (outbox == NULL)
    {
      g_message ("%s: %s", path, error->message);
      return TRUE;
    }
  return n_journal > 0 || outbox->len > 0;
}

/* GOA removed the account while its cache holds unsent work: it stays, as an account of Heron's
 * own (no GoaAccountId). It keeps the password it has in memory, so what is pending can reach
 * the server; after a restart of Heron it asks for a password like any account of Heron's. */
static void
goa_keep_unbound (HeronAccountManager *self,
                  HeronAccount        *account,
                  HeronAccountConfig  *config)
{
  g_autoptr(HeronAccountConfig) copy = heron_account_config_copy (config);
  g_autoptr(HeronAccount) made = NULL;
  g_autoptr(GError) error = NULL;

  heron_account_config_set_goa_account_id (copy, NULL);
  if (!heron_account_config_store_save (self->store, copy, &error))
    {
      g_message ("%s: GNOME Online Accounts removed the account, which still has changes or mail "
                 "to send; it cannot be kept: %s", heron_account_config_get_id (config), error->message);
      return;
    }
  g_message ("%s: GNOME Online Accounts removed the account, which still has changes or mail to "
             "send: it stays as an account of Heron’s own", heron_account_config_get_id (config));

  if (account != NULL)
    {
      if (!_heron_account_set_config (account, copy, FALSE, &error))
        g_message ("%s: %s", heron_account_config_get_id (copy), error->message);
      return;
    }
  made = make_account (self, copy, &error);
  if (made == NULL)
    {
      g_message ("The account “%s” cannot start: %s", heron_account_config_get_id (copy), error->message);
      return;
    }
  g_list_store_append (self->accounts, made);
  _heron_account_start (made);
  _heron_account_manager_inbox_changed (self);
}

/* GOA removed the account: Heron's goes, file, cache and all, unless its cache holds unsent
 * work. */
static void
goa_remove (HeronAccountManager *self,
            HeronAccount        *account,
            HeronAccountConfig  *config)
{
  GoaJob *remove;

  heron_goa_provider_bind_account (self->goa, heron_account_config_get_id (config), NULL);
  if (goa_cache_has_pending (self, account, config))
    {
      goa_keep_unbound (self, account, config);
      return;
    }

  remove = g_new0 (GoaJob, 1);
  remove->self = g_object_ref (self);
  remove->goa_id = g_strdup (heron_account_config_get_goa_account_id (config));
  g_hash_table_add (self->goa_busy, g_strdup (remove->goa_id));

  if (account != NULL)
    heron_account_manager_remove_async (self, account, NULL, on_goa_account_removed, remove);
  else
    heron_account_config_store_remove_async (self->store, config, NULL, on_goa_config_removed, remove);
}

static HeronAccountConfig *
goa_find_proposal (GPtrArray  *proposals,
                   const char *goa_id)
{
  for (guint i = 0; i < proposals->len; i++)
    if (g_strcmp0 (heron_account_config_get_goa_account_id (g_ptr_array_index (proposals, i)), goa_id) == 0)
      return g_ptr_array_index (proposals, i);
  return NULL;
}

/* What GOA says of a server (a pin the person accepted is Heron's own and not compared). */
static gboolean
goa_server_differs (HeronAccountServer *ours,
                    HeronAccountServer *goas)
{
  return g_strcmp0 (heron_account_server_get_host (ours), heron_account_server_get_host (goas)) != 0 ||
         heron_account_server_get_effective_port (ours) != heron_account_server_get_effective_port (goas) ||
         heron_account_server_get_security (ours) != heron_account_server_get_security (goas) ||
         heron_account_server_get_auth (ours) != heron_account_server_get_auth (goas) ||
         g_strcmp0 (heron_account_server_get_user (ours), heron_account_server_get_user (goas)) != 0;
}

static void
goa_copy_server (HeronAccountServer *to,
                 HeronAccountServer *from)
{
  /* (a new host, port or security drops a pinned certificate: it was for the old server) */
  heron_account_server_set_host (to, heron_account_server_get_host (from));
  heron_account_server_set_port (to, heron_account_server_get_port (from));
  heron_account_server_set_security (to, heron_account_server_get_security (from));
  heron_account_server_set_auth (to, heron_account_server_get_auth (from));
  heron_account_server_set_user (to, heron_account_server_get_user (from));
  heron_account_server_set_allow_plaintext_on_loopback (to, heron_account_server_get_allow_plaintext_on_loopback (from));
}

/* A copy of @config with GOA's servers of @proposal, or NULL when they are the same. */
static HeronAccountConfig *
goa_config_with_servers (HeronAccountConfig *config,
                         HeronAccountConfig *proposal)
{
  HeronAccountConfig *copy;

  if (!goa_server_differs (heron_account_config_get_imap (config), heron_account_config_get_imap (proposal)) &&
      !goa_server_differs (heron_account_config_get_smtp (config), heron_account_config_get_smtp (proposal)))
    return NULL;

  copy = heron_account_config_copy (config);
  goa_copy_server (heron_account_config_get_imap (copy), heron_account_config_get_imap (proposal));
  goa_copy_server (heron_account_config_get_smtp (copy), heron_account_config_get_smtp (proposal));
  g_debug ("%s: GNOME Online Accounts changed its servers", heron_account_config_get_id (config));
  return copy;
}

static void
on_goa_updated (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GoaJob *update = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_manager_update_finish (HERON_ACCOUNT_MANAGER (source), result, &error))
    g_message ("The servers GNOME Online Accounts gives for “%s” cannot be used: %s",
               update->goa_id, error->message);
  goa_job_free (update);
}

/* GOA's servers of the account changed: Heron's config follows, and the worker starts again
 * (with GOA's passwords of now: update_async reads them). */
static void
goa_update (HeronAccountManager *self,
            HeronAccount        *account,
            HeronAccountConfig  *proposal)
{
  HeronAccountConfig *config = heron_account_get_config (account);
  g_autoptr(HeronAccountConfig) copy = goa_config_with_servers (config, proposal);
  GoaJob *update;

  if (copy == NULL)
    return;

  update = g_new0 (GoaJob, 1);
  update->self = g_object_ref (self);
  update->goa_id = g_strdup (heron_account_config_get_goa_account_id (config));
  g_hash_table_add (self->goa_busy, g_strdup (update->goa_id));
  heron_account_manager_update_async (self, account, copy, NULL, NULL, on_goa_updated, update);
}

/* An account waiting for GOA starts: with the servers GOA gives now (they may have changed
 * while Heron was closed; the old host must not get GOA's password). */
static void
goa_start_waiting (HeronAccountManager *self,
                   HeronAccountConfig  *config,
                   HeronAccountConfig  *proposal)
{
  g_autoptr(HeronAccountConfig) copy = goa_config_with_servers (config, proposal);
  g_autoptr(GError) error = NULL;

  if (copy != NULL)
    {
      if (!heron_account_config_store_save (self->store, copy, &error))
        {
          g_message ("The servers GNOME Online Accounts gives for “%s” cannot be used: %s",
                     heron_account_config_get_id (config), error->message);
          return;
        }
      config = copy;  /* the store's now */
    }
  goa_start_account (self, config);
}

/* Makes Heron's accounts follow GOA's. */
static void
goa_reconcile (HeronAccountManager *self)
{
  g_autoptr(GPtrArray) proposals = NULL;
  g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func (g_object_unref);
  const char * const *removed;
  GoaClient *client;
  guint n;

  if (self->goa == NULL || g_cancellable_is_cancelled (self->goa_cancellable) ||
      !heron_goa_provider_is_running (self->goa))
    return;
  client = heron_goa_provider_get_client (self->goa);
  proposals = heron_goa_provider_list_mail_accounts (self->goa);

  /* Heron's GOA accounts, running or waiting (a copy: removing changes the store) */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountConfig) config = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (heron_account_config_get_goa_account_id (config) != NULL)
        g_ptr_array_add (configs, g_steal_pointer (&config));
    }

  for (guint i = 0; i < configs->len; i++)
    {
      HeronAccountConfig *config = g_ptr_array_index (configs, i);
      const char *goa_id = heron_account_config_get_goa_account_id (config);
      g_autoptr(GoaObject) object = NULL;
      HeronAccount *account;
      guint position;

      if (g_hash_table_contains (self->goa_busy, goa_id))
        continue;
      account = goa_find_account (self, goa_id);
      object = goa_client_lookup_by_id (client, goa_id);
      if (object == NULL)
        {
          /* removed only when GOA said so; otherwise it waits for GOA to list it again */
          if (g_hash_table_remove (self->goa_gone, goa_id))
            goa_remove (self, account, config);
          else
            g_debug ("%s: not in GNOME Online Accounts’ list now", heron_account_config_get_id (config));
        }
      else if (goa_object_peek_account (object) == NULL ||
               goa_account_get_mail_disabled (goa_object_peek_account (object)))
        {
          /* mail switched off in Settings: out of the list, file and cache kept */
          g_debug ("%s: mail is off in GNOME Online Accounts", heron_account_config_get_id (config));
          if (account != NULL && find_account (self, account, &position))
            {
              _heron_account_stop (account);
              g_list_store_remove (self->accounts, position);
              _heron_account_manager_inbox_changed (self);
            }
        }
      /* (an object whose Mail interface has not come yet is left alone) */
      else if (goa_find_proposal (proposals, goa_id) != NULL)
        {
          if (account == NULL)
            goa_start_waiting (self, config, goa_find_proposal (proposals, goa_id));
          else
            goa_update (self, account, goa_find_proposal (proposals, goa_id));
        }
    }

  /* GOA's mail accounts Heron has not seen */
  removed = goa_removed_ids (self);
  for (guint i = 0; i < proposals->len; i++)
    {
      HeronAccountConfig *proposal = g_ptr_array_index (proposals, i);
      const char *goa_id = heron_account_config_get_goa_account_id (proposal);
      HeronAccountConfig *own;
      g_autoptr(GError) error = NULL;

      if (g_hash_table_contains (self->goa_busy, goa_id) ||
          goa_find_config (self, goa_id) != NULL ||
          g_strv_contains (removed, goa_id))
        continue;
      own = goa_find_own_config (self, proposal);
      if (own != NULL)
        {
          g_debug ("GNOME Online Accounts’ “%s” is the account “%s” Heron has already: not added",
                   goa_id, heron_account_config_get_id (own));
          continue;
        }
      if (!heron_account_config_store_add (self->store, proposal, &error))
        {
          g_message ("The GNOME Online Accounts account “%s” cannot be used: %s",
                     heron_account_config_get_display_name (proposal), error->message);
          continue;
        }
      goa_start_account (self, proposal);
    }

  /* what the person removed from Heron and GOA then removed too (GOA said so) */
  {
    g_autoptr(GPtrArray) forgotten = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; removed[i] != NULL; i++)
      {
        g_autoptr(GoaObject) object = NULL;

        if (!g_hash_table_contains (self->goa_gone, removed[i]))
          continue;
        object = goa_client_lookup_by_id (client, removed[i]);
        if (object == NULL)
          g_ptr_array_add (forgotten, g_strdup (removed[i]));
      }
    for (guint i = 0; i < forgotten->len; i++)
      {
        g_hash_table_remove (self->goa_gone, g_ptr_array_index (forgotten, i));
        goa_set_removed (self, g_ptr_array_index (forgotten, i), FALSE);
      }
  }
}

static void
on_goa_account_added (GoaClient *client,
                      GoaObject *object,
                      gpointer   user_data)
{
  goa_reconcile (user_data);
}

/* GOA removed an account. The daemon leaving the bus takes every object with it too, but it
 * gives up its name first: only a removal while it owns the name is one. */
static void
on_goa_account_gone (GoaClient *client,
                     GoaObject *object,
                     gpointer   user_data)
{
  HeronAccountManager *self = user_data;
  GoaAccount *goa_account = goa_object_peek_account (object);
  g_autofree char *goa_id = NULL;

  if (goa_account != NULL && goa_account_get_id (goa_account) != NULL)
    goa_id = g_strdup (goa_account_get_id (goa_account));
  else
    goa_id = g_path_get_basename (g_dbus_object_get_object_path (G_DBUS_OBJECT (object)));

  if (self->goa != NULL && heron_goa_provider_is_running (self->goa))
    g_hash_table_add (self->goa_gone, g_steal_pointer (&goa_id));
  goa_reconcile (self);
}

/* Restarting a GOA password account with GOA's passwords of now */
typedef struct {
  HeronAccountManager *self;
  HeronAccount        *account;
  gboolean             only_if_refused;
} GoaRetry;

static void
on_goa_retry_passwords (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GoaRetry *retry = user_data;
  g_autoptr(GError) error = NULL;

  if (!goa_read_passwords_finish (retry->self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("%s: %s", heron_account_get_id (retry->account), error->message);

  /* a new worker (the SMTP password is the worker's too, not only the IMAP session's) */
  if (!g_cancellable_is_cancelled (retry->self->goa_cancellable) &&
      find_account (retry->self, retry->account, NULL) &&
      (!retry->only_if_refused || heron_account_get_state (retry->account) == HERON_SYNC_STATE_AUTH_FAILED))
    {
      g_autoptr(GError) restart_error = NULL;

      if (!_heron_account_set_config (retry->account, heron_account_get_config (retry->account), TRUE,
                                      &restart_error))
        g_message ("%s: %s", heron_account_get_id (retry->account), restart_error->message);
    }
  g_object_unref (retry->self);
  g_object_unref (retry->account);
  g_free (retry);
}

static void
goa_retry (HeronAccountManager *self,
           HeronAccount        *account,
           gboolean             only_if_refused)
{
  GoaRetry *retry = g_new0 (GoaRetry, 1);

  retry->self = g_object_ref (self);
  retry->account = g_object_ref (account);
  retry->only_if_refused = only_if_refused;
  goa_read_passwords_async (self, account, heron_account_get_config (account), self->goa_cancellable,
                            on_goa_retry_passwords, retry);
}

/* After a refused password the worker waits for a new one. When the person signs in again in
 * Settings, GOA's account changes (AttentionNeeded goes): its passwords are read and tried. Any
 * other change of the account reads them too, for the account's next worker. */
static void
on_goa_account_changed (GoaClient *client,
                        GoaObject *object,
                        gpointer   user_data)
{
  HeronAccountManager *self = user_data;
  GoaAccount *goa_account = goa_object_peek_account (object);
  HeronAccount *account;

  goa_reconcile (self);

  if (goa_account == NULL || goa_account_get_attention_needed (goa_account) ||
      g_cancellable_is_cancelled (self->goa_cancellable))
    return;
  account = goa_find_account (self, goa_account_get_id (goa_account));
  if (account == NULL || !goa_reads_passwords (self, heron_account_get_config (account)) ||
      g_hash_table_contains (self->goa_busy, goa_account_get_id (goa_account)))
    return;
  goa_retry (self, account, TRUE);
}

gboolean
_heron_account_manager_retry_goa_login (HeronAccountManager *self,
                                        HeronAccount        *account)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (self), FALSE);
  g_return_val_if_fail (HERON_IS_ACCOUNT (account), FALSE);

  if (g_cancellable_is_cancelled (self->goa_cancellable) ||
      !goa_reads_passwords (self, heron_account_get_config (account)) ||
      !find_account (self, account, NULL))
    return FALSE;
  goa_retry (self, account, FALSE);
  return TRUE;
}

static void
on_goa_name_owner (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  goa_reconcile (user_data);
}

static void
on_goa_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HeronAccountManager) self = user_data;
  g_autoptr(GError) error = NULL;
  HeronGoaProvider *goa;
  GoaClient *client;

  goa = heron_goa_provider_new_finish (result, &error);
  if (goa == NULL)
    {
      /* no session bus: the GOA accounts' files wait */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("%s", error->message);
      return;
    }
  if (g_cancellable_is_cancelled (self->goa_cancellable))
    {
      g_object_unref (goa);
      return;
    }

  self->goa = goa;
  client = heron_goa_provider_get_client (goa);
  g_signal_connect_object (client, "account-added", G_CALLBACK (on_goa_account_added), self, 0);
  g_signal_connect_object (client, "account-removed", G_CALLBACK (on_goa_account_gone), self, 0);
  g_signal_connect_object (client, "account-changed", G_CALLBACK (on_goa_account_changed), self, 0);
  g_signal_connect_object (goa_client_get_object_manager (client), "notify::name-owner",
                           G_CALLBACK (on_goa_name_owner), self, 0);
  goa_reconcile (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GOA_PROVIDER]);
}

static void
goa_start (HeronAccountManager *self)
{
  heron_goa_provider_new_async (self->goa_cancellable, on_goa_ready, g_object_ref (self));
}

#else /* HERON_HAVE_GOA */

gboolean
_heron_account_manager_retry_goa_login (HeronAccountManager *self,
                                        HeronAccount        *account)
{
  return FALSE;
}

#endif /* HERON_HAVE_GOA */
