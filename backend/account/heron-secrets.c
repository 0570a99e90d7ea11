/* heron-secrets.c: passwords and tokens, in the keyring only
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin layer over libsecret's password functions: it fixes the schema and its attributes, so
 * that every part of Heron (and secret-tool, and the demo profile) names an item the same way,
 * and it turns libsecret's callbacks into GTasks of our own. Never log `secret`.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-account-config-store.h"
#include "heron-secrets.h"

const SecretSchema *
heron_secrets_get_schema (void)
{
  /* SECRET_SCHEMA_NONE: the schema name is stored as the xdg:schema attribute and matched on
   * lookup, which is what secret-tool's "xdg:schema …" attribute writes too. */
  static const SecretSchema schema = {
    HERON_SECRETS_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "protocol", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static const char *
protocol_name (HeronAccountProtocol protocol)
{
  return heron_account_enum_to_string (HERON_TYPE_ACCOUNT_PROTOCOL, protocol);
}

static void
store_cb (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      g_prefix_error (&error, _("The password cannot be saved in the keyring: "));
      g_task_return_error (task, error);
    }
}

void
heron_secrets_store_async (const char           *account_id,
                           HeronAccountProtocol  protocol,
                           const char           *host,
                           const char           *user,
                           const char           *secret,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (heron_account_id_is_valid (account_id));
  g_return_if_fail (protocol == HERON_ACCOUNT_PROTOCOL_IMAP || protocol == HERON_ACCOUNT_PROTOCOL_SMTP);
  g_return_if_fail (host != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_secrets_store_async);

  /* TRANSLATORS: the label of the keyring item, as Passwords and Keys shows it:
   * "Heron: imap alice@example.test on imap.example.test" */
  label = g_strdup_printf (_("Heron: %s %s on %s"), protocol_name (protocol), user, host);
  secret_password_store (heron_secrets_get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, store_cb, task,
                         "account", account_id,
                         "protocol", protocol_name (protocol),
                         "host", host,
                         "user", user,
                         NULL);
}

gboolean
heron_secrets_store_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_prefix_error (&error, _("The password cannot be read from the keyring: "));
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

void
heron_secrets_lookup_async (const char           *account_id,
                            HeronAccountProtocol  protocol,
                            const char           *host,
                            const char           *user,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (heron_account_id_is_valid (account_id));
  g_return_if_fail (protocol == HERON_ACCOUNT_PROTOCOL_IMAP || protocol == HERON_ACCOUNT_PROTOCOL_SMTP);
  g_return_if_fail (host != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_secrets_lookup_async);

  secret_password_lookup (heron_secrets_get_schema (), cancellable, lookup_cb, task,
                          "account", account_id,
                          "protocol", protocol_name (protocol),
                          "host", host,
                          "user", user,
                          NULL);
}

char *
heron_secrets_lookup_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_prefix_error (&error, _("The passwords cannot be removed from the keyring: "));
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

void
heron_secrets_clear_async (const char          *account_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (heron_account_id_is_valid (account_id));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_secrets_clear_async);

  /* Only the account attribute: every item of the account goes, whatever its protocol, host or
   * user (also those of a host the account no longer uses). */
  secret_password_clear (heron_secrets_get_schema (), cancellable, clear_cb, task,
                         "account", account_id,
                         NULL);
}

gboolean
heron_secrets_clear_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_secrets_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_secrets_free (char *secret)
{
  secret_password_free (secret);
}
