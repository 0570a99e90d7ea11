/* heron-goa-provider.c: OAuth2 tokens and account proposals from GNOME Online Accounts
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GOA keeps the person's online accounts (Google, Microsoft 365, plain IMAP/SMTP, ...) and
 * refreshes their OAuth2 tokens itself; Heron only asks for the current access token. Accounts
 * GOA knows by password (its "IMAP and SMTP" provider) keep that password in GOA's keyring
 * items: Heron asks the daemon for it (PasswordBased.GetPassword) and never stores it itself.
 * HeronAccountManager turns GOA's mail accounts into Heron accounts (docs/accounts.md).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-account-error.h"
#include "heron-goa-provider.h"
#include "heron-secrets.h"

struct _HeronGoaProvider
{
  GObject parent_instance;

  GoaClient *client;
  GHashTable *bindings; /* Heron account id -> GOA account id */
};

static void oauth2_provider_iface_init (HeronOAuth2ProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeronGoaProvider, heron_goa_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HERON_TYPE_OAUTH2_PROVIDER,
                                                      oauth2_provider_iface_init))

static void
heron_goa_provider_finalize (GObject *object)
{
  HeronGoaProvider *self = HERON_GOA_PROVIDER (object);

  g_clear_object (&self->client);
  g_clear_pointer (&self->bindings, g_hash_table_unref);

  G_OBJECT_CLASS (heron_goa_provider_parent_class)->finalize (object);
}

static void
heron_goa_provider_class_init (HeronGoaProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_goa_provider_finalize;
}

static void
heron_goa_provider_init (HeronGoaProvider *self)
{
  self->bindings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

HeronGoaProvider *
heron_goa_provider_new_for_client (GoaClient *client)
{
  HeronGoaProvider *self;

  g_return_val_if_fail (GOA_IS_CLIENT (client), NULL);

  self = g_object_new (HERON_TYPE_GOA_PROVIDER, NULL);
  self->client = g_object_ref (client);
  return self;
}

static void
client_new_cb (GObject      *source_object,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GoaClient) client = goa_client_new_finish (res, &error);

  if (client == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_prefix_error (&error, _("GNOME Online Accounts cannot be reached: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, heron_goa_provider_new_for_client (client), g_object_unref);
}

void
heron_goa_provider_new_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_goa_provider_new_async);
  goa_client_new (cancellable, client_new_cb, task);
}

HeronGoaProvider *
heron_goa_provider_new_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_goa_provider_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GoaClient *
heron_goa_provider_get_client (HeronGoaProvider *self)
{
  g_return_val_if_fail (HERON_IS_GOA_PROVIDER (self), NULL);
  return self->client;
}

void
heron_goa_provider_bind_account (HeronGoaProvider *self,
                                 const char       *account_id,
                                 const char       *goa_account_id)
{
  g_return_if_fail (HERON_IS_GOA_PROVIDER (self));
  g_return_if_fail (account_id != NULL);

  if (goa_account_id != NULL)
    g_hash_table_replace (self->bindings, g_strdup (account_id), g_strdup (goa_account_id));
  else
    g_hash_table_remove (self->bindings, account_id);
}

/* GOA writes a host as "host" or "host:port". */
static void
set_server (HeronAccountServer *server,
            const char         *host_and_port,
            const char         *user,
            gboolean            use_ssl,
            gboolean            use_tls,
            HeronAccountAuth    auth)
{
  HeronAccountSecurity security = use_ssl ? HERON_ACCOUNT_SECURITY_TLS
                                  : use_tls ? HERON_ACCOUNT_SECURITY_STARTTLS
                                  : HERON_ACCOUNT_SECURITY_NONE;
  g_autoptr(GSocketConnectable) parsed = g_network_address_parse (host_and_port, 0, NULL);

  if (parsed != NULL)
    {
      GNetworkAddress *address = G_NETWORK_ADDRESS (parsed);

      heron_account_server_set_host (server, g_network_address_get_hostname (address));
      heron_account_server_set_port (server, g_network_address_get_port (address));
    }
  else
    heron_account_server_set_host (server, host_and_port);

  heron_account_server_set_security (server, security);
  if (security == HERON_ACCOUNT_SECURITY_NONE
      && heron_account_host_is_loopback (heron_account_server_get_host (server)))
    heron_account_server_set_allow_plaintext_on_loopback (server, TRUE);
  heron_account_server_set_user (server, user);
  heron_account_server_set_auth (server, auth);
}

static const char *
non_empty (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

HeronAccountConfig *
heron_goa_provider_config_from_object (GoaObject *object)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountIdentity) identity = NULL;
  GoaAccount *account;
  GoaMail *mail;
  gboolean oauth2;
  const char *address;
  const char *user;

  g_return_val_if_fail (GOA_IS_OBJECT (object), NULL);

  account = goa_object_peek_account (object);
  mail = goa_object_peek_mail (object);
  if (account == NULL || mail == NULL || goa_account_get_mail_disabled (account))
    return NULL;

  address = non_empty (goa_mail_get_email_address (mail));
  if (address == NULL)
    return NULL;
  if (!goa_mail_get_imap_supported (mail) && !goa_mail_get_smtp_supported (mail))
    return NULL;

  oauth2 = goa_object_peek_oauth2_based (object) != NULL;

  config = heron_account_config_new ();
  identity = heron_account_identity_new (non_empty (goa_mail_get_name (mail)), address);
  heron_account_config_add_identity (config, identity);
  heron_account_config_set_display_name (config,
                                         non_empty (goa_account_get_presentation_identity (account))
                                         ? goa_account_get_presentation_identity (account) : address);
  heron_account_config_set_goa_account_id (config, goa_account_get_id (account));

  if (goa_mail_get_imap_supported (mail) && non_empty (goa_mail_get_imap_host (mail)) != NULL)
    {
      user = non_empty (goa_mail_get_imap_user_name (mail));
      set_server (heron_account_config_get_imap (config), goa_mail_get_imap_host (mail),
                  user != NULL ? user : address,
                  goa_mail_get_imap_use_ssl (mail), goa_mail_get_imap_use_tls (mail),
                  oauth2 ? HERON_ACCOUNT_AUTH_XOAUTH2 : HERON_ACCOUNT_AUTH_PASSWORD);
    }

  if (goa_mail_get_smtp_supported (mail) && non_empty (goa_mail_get_smtp_host (mail)) != NULL)
    {
      user = non_empty (goa_mail_get_smtp_user_name (mail));
      set_server (heron_account_config_get_smtp (config), goa_mail_get_smtp_host (mail),
                  user != NULL ? user : address,
                  goa_mail_get_smtp_use_ssl (mail), goa_mail_get_smtp_use_tls (mail),
                  oauth2 && goa_mail_get_smtp_auth_xoauth2 (mail)
                  ? HERON_ACCOUNT_AUTH_XOAUTH2 : HERON_ACCOUNT_AUTH_PASSWORD);
    }

  return g_steal_pointer (&config);
}

GPtrArray *
heron_goa_provider_list_mail_accounts (HeronGoaProvider *self)
{
  GPtrArray *configs;
  GList *objects;

  g_return_val_if_fail (HERON_IS_GOA_PROVIDER (self), NULL);

  configs = g_ptr_array_new_with_free_func (g_object_unref);
  objects = goa_client_get_accounts (self->client);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      HeronAccountConfig *config = heron_goa_provider_config_from_object (l->data);

      if (config != NULL)
        g_ptr_array_add (configs, config);
    }
  g_list_free_full (objects, g_object_unref);

  return configs;
}

/* The GOA object of a Heron account: its binding, or the mail account of this user. */
static GoaObject *
find_object (HeronGoaProvider *self,
             const char       *account_id,
             const char       *user)
{
  const char *goa_id = g_hash_table_lookup (self->bindings, account_id);
  GoaObject *found = NULL;
  GList *objects;

  if (goa_id != NULL)
    return goa_client_lookup_by_id (self->client, goa_id);

  objects = goa_client_get_accounts (self->client);
  for (GList *l = objects; l != NULL && found == NULL; l = l->next)
    {
      GoaMail *mail = goa_object_peek_mail (l->data);

      if (mail == NULL)
        continue;
      if (g_strcmp0 (goa_mail_get_email_address (mail), user) == 0
          || g_strcmp0 (goa_mail_get_imap_user_name (mail), user) == 0
          || g_strcmp0 (goa_mail_get_smtp_user_name (mail), user) == 0)
        found = g_object_ref (l->data);
    }
  g_list_free_full (objects, g_object_unref);

  return found;
}

typedef struct {
  GoaObject *object;
  gint64 expires_at;
} TokenRequest;

static void
token_request_free (TokenRequest *request)
{
  g_clear_object (&request->object);
  g_free (request);
}

static void
return_dbus_error (GTask  *task,
                   GError *error)
{
  g_dbus_error_strip_remote_error (error);
  g_prefix_error (&error, _("GNOME Online Accounts gave no token: "));
  g_task_return_error (task, error);
}

static void
token_cb (GObject      *source_object,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  GError *error = NULL;
  char *token = NULL;
  int expires_in = 0;

  if (!goa_oauth2_based_call_get_access_token_finish (GOA_OAUTH2_BASED (source_object), &token,
                                                      &expires_in, res, &error))
    {
      return_dbus_error (task, error);
      return;
    }

  request->expires_at = expires_in > 0 ? g_get_real_time () / G_USEC_PER_SEC + expires_in : 0;
  g_task_return_pointer (task, token, g_free);
}

static void
request_token (GTask *task)
{
  TokenRequest *request = g_task_get_task_data (task);

  goa_oauth2_based_call_get_access_token (goa_object_peek_oauth2_based (request->object),
                                          g_task_get_cancellable (task), token_cb, task);
}

static void
ensure_credentials_cb (GObject      *source_object,
                       GAsyncResult *res,
                       gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!goa_account_call_ensure_credentials_finish (GOA_ACCOUNT (source_object), NULL, res, &error))
    {
      return_dbus_error (task, error);
      g_object_unref (task);
      return;
    }
  request_token (task);
}

static void
heron_goa_provider_get_access_token_async (HeronOAuth2Provider *provider,
                                           const char          *account_id,
                                           const char          *user,
                                           gboolean             force_refresh,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  HeronGoaProvider *self = HERON_GOA_PROVIDER (provider);
  g_autoptr(GoaObject) object = NULL;
  TokenRequest *request;
  GoaAccount *account;
  GTask *task;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_goa_provider_get_access_token_async);

  object = find_object (self, account_id, user);
  account = object != NULL ? goa_object_peek_account (object) : NULL;
  if (account == NULL)
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                               _("GNOME Online Accounts has no account for %s"), user);
      g_object_unref (task);
      return;
    }
  if (goa_object_peek_oauth2_based (object) == NULL)
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                               _("The GNOME Online Accounts account %s signs in with a password, "
                                 "not OAuth2"),
                               goa_account_get_presentation_identity (account));
      g_object_unref (task);
      return;
    }
  if (goa_account_get_attention_needed (account))
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                               _("The account %s needs you to sign in again in Settings → Online "
                                 "Accounts"),
                               goa_account_get_presentation_identity (account));
      g_object_unref (task);
      return;
    }

  request = g_new0 (TokenRequest, 1);
  request->object = g_steal_pointer (&object);
  g_task_set_task_data (task, request, (GDestroyNotify) token_request_free);

  if (force_refresh)
    goa_account_call_ensure_credentials (account, cancellable, ensure_credentials_cb, task);
  else
    request_token (task);
}

static char *
heron_goa_provider_get_access_token_finish (HeronOAuth2Provider  *provider,
                                            GAsyncResult         *result,
                                            gint64               *out_expires_at,
                                            GError              **error)
{
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  token = g_task_propagate_pointer (G_TASK (result), error);
  if (token != NULL && out_expires_at != NULL)
    {
      TokenRequest *request = g_task_get_task_data (G_TASK (result));

      *out_expires_at = request->expires_at;
    }
  return token;
}

static void
oauth2_provider_iface_init (HeronOAuth2ProviderInterface *iface)
{
  iface->get_access_token_async = heron_goa_provider_get_access_token_async;
  iface->get_access_token_finish = heron_goa_provider_get_access_token_finish;
}

gboolean
heron_goa_provider_is_running (HeronGoaProvider *self)
{
  GDBusObjectManager *manager;
  g_autofree char *owner = NULL;

  g_return_val_if_fail (HERON_IS_GOA_PROVIDER (self), FALSE);

  manager = goa_client_get_object_manager (self->client);
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager));
  return owner != NULL;
}

static void
password_cb (GObject      *source_object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *password = NULL;

  if (!goa_password_based_call_get_password_finish (GOA_PASSWORD_BASED (source_object), &password,
                                                    res, &error))
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                               _("GNOME Online Accounts gave no password: %s"), error->message);
      g_error_free (error);
      return;
    }
  g_task_return_pointer (task, password, (GDestroyNotify) heron_secrets_free);
}

void
heron_goa_provider_get_password_async (HeronGoaProvider    *self,
                                       const char          *goa_account_id,
                                       const char          *password_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GTask) task = NULL;
  GoaPasswordBased *password_based;

  g_return_if_fail (HERON_IS_GOA_PROVIDER (self));
  g_return_if_fail (goa_account_id != NULL);
  g_return_if_fail (password_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_goa_provider_get_password_async);

  object = goa_client_lookup_by_id (self->client, goa_account_id);
  if (object == NULL)
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NOT_FOUND,
                               _("GNOME Online Accounts has no account “%s”"), goa_account_id);
      return;
    }
  password_based = goa_object_peek_password_based (object);
  if (password_based == NULL)
    {
      g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                               _("The GNOME Online Accounts account “%s” does not sign in with "
                                 "a password"),
                               goa_account_id);
      return;
    }
  goa_password_based_call_get_password (password_based, password_id, cancellable, password_cb,
                                        g_steal_pointer (&task));
}

char *
heron_goa_provider_get_password_finish (HeronGoaProvider  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_goa_provider_get_password_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
