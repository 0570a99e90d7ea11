/* heron-client-account-ops.c: HeronAccount's operations: sync, flags, move, copy, delete,
 * folders, sending, drafts and address completion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation checks its arguments, hands the work to the account's worker (which changes the
 * cache and journals it at once, online or not, and completes then), takes the changed cache in
 * (_heron_account_refresh(): the task may complete before the worker's events arrive) and reads
 * its results back through the account's reader.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-client-account.h"
#include "heron-client-private.h"
#include "mime/heron-mime-address.h"

/* Operations: common parts */

static gboolean
check_worker (HeronAccount  *self,
              GError       **error)
{
  if (_heron_account_get_worker (self) != NULL)
    return TRUE;
  g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
               _("The account “%s” is not running"), heron_account_get_display_name (self));
  return FALSE;
}

/* The UIDs of @messages, which must all be of this account and of one folder. */
static GArray *
collect_uids (HeronAccount  *self,
              HeronMessage **messages,
              guint          n_messages,
              HeronFolder  **out_folder,
              GError       **error)
{
  g_autoptr(GArray) uids = NULL;
  HeronFolder *folder = NULL;

  if (n_messages == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("No message was given"));
      return NULL;
    }
  uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_messages);
  for (guint i = 0; i < n_messages; i++)
    {
      HeronMessage *message = messages[i];
      gint64 uid;

      if (!HERON_IS_MESSAGE (message) || heron_message_get_account (message) != self ||
          (folder != NULL && heron_message_get_folder (message) != folder) ||
          heron_message_get_folder (message) == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The messages are not all in one folder of this account"));
          return NULL;
        }
      folder = heron_message_get_folder (message);
      uid = heron_message_get_uid (message);
      g_array_append_val (uids, uid);
    }
  *out_folder = folder;
  return g_steal_pointer (&uids);
}

/* Message objects for @uids in @folder, read from the cache; a UID the cache does not have (the
 * worker removed it meanwhile) is left out. */
static GPtrArray *
messages_for_uids (HeronAccount *self,
                   HeronFolder  *folder,
                   GArray       *uids)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_object_unref);
  HeronStoreReader *reader = _heron_account_get_reader (self);

  if (folder == NULL || uids == NULL || reader == NULL)
    return messages;
  for (guint i = 0; i < uids->len; i++)
    {
      g_autoptr(HeronStoreMessage) row = NULL;
      g_autoptr(GError) error = NULL;
      gint64 uid = g_array_index (uids, gint64, i);

      /* The replay may have given it the server's UID already */
      if (!heron_store_reader_resolve_uid (reader, _heron_folder_get_id (folder), uid, &uid, &error))
        {
          g_debug ("%s: %s", heron_account_get_id (self), error->message);
          continue;
        }
      row = heron_store_reader_get_message (reader, _heron_folder_get_id (folder), uid, &error);
      if (row == NULL)
        {
          g_debug ("%s: message %" G_GINT64_FORMAT " of %s is not in the cache: %s",
                   heron_account_get_id (self), uid, heron_folder_get_name (folder), error->message);
          continue;
        }
      g_ptr_array_add (messages, _heron_message_new (self, folder, row));
    }
  return messages;
}

/* Sync */

static void
on_sync_folder_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!heron_account_worker_sync_folder_finish (HERON_ACCOUNT_WORKER (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_sync_folders_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *folder = g_task_get_task_data (task);
  GError *error = NULL;

  if (!heron_account_worker_sync_folders_finish (HERON_ACCOUNT_WORKER (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  heron_account_worker_sync_folder_async (HERON_ACCOUNT_WORKER (source), folder,
                                          g_task_get_cancellable (task), on_sync_folder_done,
                                          g_object_ref (task));
}

void
heron_account_sync_async (HeronAccount        *self,
                          HeronFolder         *folder,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (folder == NULL || HERON_IS_FOLDER (folder));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_sync_async);
  g_task_set_task_data (task, g_strdup (folder != NULL ? heron_folder_get_name (folder) : "INBOX"), g_free);
  if (!check_worker (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  heron_account_worker_sync_folders_async (_heron_account_get_worker (self), cancellable, on_sync_folders_done,
                                           g_steal_pointer (&task));
}

gboolean
heron_account_sync_finish (HeronAccount  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Flags */

static void
on_set_flags_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!heron_account_worker_set_flags_finish (HERON_ACCOUNT_WORKER (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _heron_account_refresh (self);
  g_task_return_boolean (task, TRUE);
}

void
heron_account_set_flags_async (HeronAccount        *self,
                               HeronMessage       **messages,
                               guint                n_messages,
                               HeronMessageFlags    add,
                               HeronMessageFlags    remove,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GArray) uids = NULL;
  HeronFolder *folder = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (messages != NULL || n_messages == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_set_flags_async);
  if (!check_worker (self, &error) ||
      (uids = collect_uids (self, messages, n_messages, &folder, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* HeronMessageFlags are HeronStoreFlags bit for bit */
  heron_account_worker_set_flags_async (_heron_account_get_worker (self), heron_folder_get_name (folder),
                                        (const gint64 *) uids->data, uids->len,
                                        add & HERON_STORE_FLAGS_ALL, remove & HERON_STORE_FLAGS_ALL,
                                        NULL, NULL, cancellable, on_set_flags_done,
                                        g_steal_pointer (&task));
}

gboolean
heron_account_set_flags_finish (HeronAccount  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Move, copy, delete */

typedef enum {
  TRANSFER_MOVE,
  TRANSFER_COPY,
  TRANSFER_DELETE,
} TransferKind;

typedef struct {
  TransferKind  kind;
  HeronFolder  *dest;  /* NULL for delete until it is known */
} TransferData;

static void
transfer_data_free (TransferData *data)
{
  g_clear_object (&data->dest);
  g_free (data);
}

static void
on_transfer_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *self = g_task_get_source_object (task);
  TransferData *data = g_task_get_task_data (task);
  HeronAccountWorker *worker = HERON_ACCOUNT_WORKER (source);
  g_autoptr(GArray) uids = NULL;
  HeronFolder *dest = data->dest;
  GError *error = NULL;

  switch (data->kind)
    {
    case TRANSFER_MOVE:
      uids = heron_account_worker_move_finish (worker, result, &error);
      break;
    case TRANSFER_COPY:
      uids = heron_account_worker_copy_finish (worker, result, &error);
      break;
    case TRANSFER_DELETE:
    default:
      uids = heron_account_worker_delete_finish (worker, result, &error);
      break;
    }
  if (uids == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  _heron_account_refresh (self);
  if (data->kind == TRANSFER_DELETE)
    dest = uids->len > 0 ? heron_account_get_folder_for_role (self, HERON_FOLDER_ROLE_TRASH) : NULL;
  g_task_return_pointer (task, messages_for_uids (self, dest, uids), (GDestroyNotify) g_ptr_array_unref);
}

static void
transfer_async (HeronAccount        *self,
                TransferKind         kind,
                HeronMessage       **messages,
                guint                n_messages,
                HeronFolder         *dest,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GArray) uids = NULL;
  HeronFolder *folder = NULL;
  TransferData *data;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  data = g_new0 (TransferData, 1);
  data->kind = kind;
  data->dest = dest != NULL ? g_object_ref (dest) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) transfer_data_free);

  if (!check_worker (self, &error) ||
      (uids = collect_uids (self, messages, n_messages, &folder, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (dest != NULL && heron_folder_get_account (dest) != self)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The folder “%s” is not a folder of this account"),
                               heron_folder_get_path (dest));
      return;
    }
  if (dest != NULL && !heron_folder_get_selectable (dest))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The folder “%s” cannot hold messages"),
                               heron_folder_get_path (dest));
      return;
    }

  switch (kind)
    {
    case TRANSFER_MOVE:
      heron_account_worker_move_async (_heron_account_get_worker (self), heron_folder_get_name (folder),
                                       (const gint64 *) uids->data, uids->len,
                                       heron_folder_get_name (dest), cancellable,
                                       on_transfer_done, g_steal_pointer (&task));
      break;
    case TRANSFER_COPY:
      heron_account_worker_copy_async (_heron_account_get_worker (self), heron_folder_get_name (folder),
                                       (const gint64 *) uids->data, uids->len,
                                       heron_folder_get_name (dest), cancellable,
                                       on_transfer_done, g_steal_pointer (&task));
      break;
    case TRANSFER_DELETE:
    default:
      heron_account_worker_delete_async (_heron_account_get_worker (self), heron_folder_get_name (folder),
                                         (const gint64 *) uids->data, uids->len, cancellable,
                                         on_transfer_done, g_steal_pointer (&task));
      break;
    }
}

void
heron_account_move_async (HeronAccount        *self,
                          HeronMessage       **messages,
                          guint                n_messages,
                          HeronFolder         *dest,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (HERON_IS_FOLDER (dest));

  transfer_async (self, TRANSFER_MOVE, messages, n_messages, dest, heron_account_move_async,
                  cancellable, callback, user_data);
}

GPtrArray *
heron_account_move_finish (HeronAccount  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
heron_account_copy_async (HeronAccount        *self,
                          HeronMessage       **messages,
                          guint                n_messages,
                          HeronFolder         *dest,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (HERON_IS_FOLDER (dest));

  transfer_async (self, TRANSFER_COPY, messages, n_messages, dest, heron_account_copy_async,
                  cancellable, callback, user_data);
}

GPtrArray *
heron_account_copy_finish (HeronAccount  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
heron_account_delete_async (HeronAccount        *self,
                            HeronMessage       **messages,
                            guint                n_messages,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));

  transfer_async (self, TRANSFER_DELETE, messages, n_messages, NULL, heron_account_delete_async,
                  cancellable, callback, user_data);
}

GPtrArray *
heron_account_delete_finish (HeronAccount  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Folders */

static char
account_delimiter (HeronAccount *self,
                   HeronFolder  *parent)
{
  g_autoptr(GPtrArray) folders = NULL;
  HeronFolder *inbox = _heron_account_get_inbox (self);

  if (parent != NULL)
    return heron_folder_get_delimiter (parent);
  if (inbox != NULL && heron_folder_get_delimiter (inbox) != '\0')
    return heron_folder_get_delimiter (inbox);
  folders = _heron_account_list_folders (self);
  for (guint i = 0; i < folders->len; i++)
    if (heron_folder_get_delimiter (g_ptr_array_index (folders, i)) != '\0')
      return heron_folder_get_delimiter (g_ptr_array_index (folders, i));
  return '\0';
}

/* What a person can get wrong in @name (what they typed) for a folder under @parent; the name
 * without surrounding white space, or NULL with @error. The worker writes the server's form of
 * it (heron_account_worker_create_folder_async()). */
static char *
check_new_name (HeronAccount  *self,
                HeronFolder   *parent,
                const char    *name,
                GError       **error)
{
  g_autofree char *stripped = NULL;
  char delimiter;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The folder name is not valid text"));
      return NULL;
    }
  stripped = g_strstrip (g_strdup (name));
  if (*stripped == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The folder name is empty"));
      return NULL;
    }
  if (parent != NULL && heron_folder_get_account (parent) != self)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The folder “%s” is not a folder of this account"), heron_folder_get_path (parent));
      return NULL;
    }

  delimiter = account_delimiter (self, parent);
  if (parent != NULL && delimiter == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This server has no folders inside folders"));
      return NULL;
    }
  if (delimiter != '\0' && strchr (stripped, delimiter) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A folder name cannot contain “%c”"), delimiter);
      return NULL;
    }
  for (const char *p = stripped; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f || *p == '*' || *p == '%')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("A folder name cannot contain “*”, “%” or control characters"));
          return NULL;
        }
    }
  return g_steal_pointer (&stripped);
}

/* The worker's G_IO_ERROR_EXISTS in the person's words. */
static GError *
folder_error (GError     *error,
              const char *name)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      GError *exists = g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS, _("A folder named “%s” exists already"), name);

      g_error_free (error);
      return exists;
    }
  return error;
}

static gboolean
check_folder (HeronAccount  *self,
              HeronFolder   *folder,
              GError       **error)
{
  if (heron_folder_get_account (folder) != self)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The folder “%s” is not a folder of this account"), heron_folder_get_path (folder));
      return FALSE;
    }
  if (heron_folder_get_role (folder) == HERON_FOLDER_ROLE_INBOX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("The inbox cannot be renamed or deleted"));
      return FALSE;
    }
  return TRUE;
}

static void
on_create_folder_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *self = g_task_get_source_object (task);
  g_autofree char *name = NULL;
  HeronFolder *folder;
  GError *error = NULL;

  name = heron_account_worker_create_folder_finish (HERON_ACCOUNT_WORKER (source), result, &error);
  if (name == NULL)
    {
      g_task_return_error (task, folder_error (error, g_task_get_task_data (task)));
      return;
    }
  _heron_account_refresh (self);
  folder = heron_account_lookup_folder (self, name);
  if (folder == NULL)
    g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                             _("The new folder is not in the cache"));
  else
    g_task_return_pointer (task, g_object_ref (folder), g_object_unref);
}

void
heron_account_create_folder_async (HeronAccount        *self,
                                   HeronFolder         *parent,
                                   const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *leaf = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (parent == NULL || HERON_IS_FOLDER (parent));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_create_folder_async);
  if (!check_worker (self, &error) ||
      (leaf = check_new_name (self, parent, name, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_strdup (leaf), g_free);
  heron_account_worker_create_folder_async (_heron_account_get_worker (self),
                                            parent != NULL ? heron_folder_get_name (parent) : NULL, leaf,
                                            cancellable, on_create_folder_done, g_steal_pointer (&task));
}

HeronFolder *
heron_account_create_folder_finish (HeronAccount  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_folder_op_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *self = g_task_get_source_object (task);
  GError *error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (task) == heron_account_rename_folder_async)
    {
      g_autofree char *name = heron_account_worker_rename_folder_finish (HERON_ACCOUNT_WORKER (source),
                                                                         result, &error);
      ok = name != NULL;
    }
  else
    ok = heron_account_worker_delete_folder_finish (HERON_ACCOUNT_WORKER (source), result, &error);
  if (!ok)
    {
      g_task_return_error (task, folder_error (error, g_task_get_task_data (task)));
      return;
    }
  _heron_account_refresh (self);
  g_task_return_boolean (task, TRUE);
}

void
heron_account_rename_folder_async (HeronAccount        *self,
                                   HeronFolder         *folder,
                                   HeronFolder         *new_parent,
                                   const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *leaf = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (HERON_IS_FOLDER (folder));
  g_return_if_fail (new_parent == NULL || HERON_IS_FOLDER (new_parent));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_rename_folder_async);
  if (!check_worker (self, &error) || !check_folder (self, folder, &error) ||
      (leaf = check_new_name (self, new_parent, name, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (HeronFolder *up = new_parent; up != NULL; up = heron_folder_get_parent (up))
    {
      if (up == folder)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("A folder cannot be moved into itself"));
          return;
        }
    }
  g_task_set_task_data (task, g_strdup (leaf), g_free);
  heron_account_worker_rename_folder_async (_heron_account_get_worker (self), heron_folder_get_name (folder),
                                            new_parent != NULL ? heron_folder_get_name (new_parent) : NULL, leaf,
                                            cancellable, on_folder_op_done, g_steal_pointer (&task));
}

gboolean
heron_account_rename_folder_finish (HeronAccount  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_account_delete_folder_async (HeronAccount        *self,
                                   HeronFolder         *folder,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (HERON_IS_FOLDER (folder));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_delete_folder_async);
  if (!check_worker (self, &error) || !check_folder (self, folder, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  heron_account_worker_delete_folder_async (_heron_account_get_worker (self), heron_folder_get_name (folder),
                                            cancellable, on_folder_op_done, g_steal_pointer (&task));
}

gboolean
heron_account_delete_folder_finish (HeronAccount  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sending and drafts */

static void
on_send_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!heron_account_worker_send_finish (HERON_ACCOUNT_WORKER (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _heron_account_refresh (g_task_get_source_object (task));
  g_task_return_boolean (task, TRUE);
}

void
heron_account_send_async (HeronAccount        *self,
                          GBytes              *message,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_send_async);
  if (!check_worker (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  heron_account_worker_send_async (_heron_account_get_worker (self), message, cancellable, on_send_done,
                                   g_steal_pointer (&task));
}

gboolean
heron_account_send_finish (HeronAccount  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_save_draft_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronAccount *self = g_task_get_source_object (task);
  g_autoptr(GArray) uids = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  HeronFolder *drafts;
  GError *error = NULL;
  gint64 uid;

  uid = heron_account_worker_save_draft_finish (HERON_ACCOUNT_WORKER (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _heron_account_refresh (self);
  drafts = heron_account_get_folder_for_role (self, HERON_FOLDER_ROLE_DRAFTS);
  uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (uids, uid);
  messages = messages_for_uids (self, drafts, uids);
  if (messages->len == 0)
    g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                             _("The saved draft is not in the cache"));
  else
    g_task_return_pointer (task, g_object_ref (g_ptr_array_index (messages, 0)), g_object_unref);
}

void
heron_account_save_draft_async (HeronAccount        *self,
                                GBytes              *message,
                                HeronMessage        *previous,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  gint64 replaces = 0;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (previous == NULL || HERON_IS_MESSAGE (previous));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_save_draft_async);
  if (!check_worker (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (heron_account_get_folder_for_role (self, HERON_FOLDER_ROLE_DRAFTS) == NULL)
    {
      g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND,
                               _("The account “%s” has no Drafts folder"),
                               heron_account_get_display_name (self));
      return;
    }
  if (previous != NULL)
    {
      HeronFolder *folder = heron_message_get_folder (previous);

      if (heron_message_get_account (previous) != self || folder == NULL ||
          heron_folder_get_role (folder) != HERON_FOLDER_ROLE_DRAFTS)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("The previous draft is not in this account’s Drafts folder"));
          return;
        }
      replaces = heron_message_get_uid (previous);
    }
  heron_account_worker_save_draft_async (_heron_account_get_worker (self), message, replaces, cancellable,
                                         on_save_draft_done, g_steal_pointer (&task));
}

HeronMessage *
heron_account_save_draft_finish (HeronAccount  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Completion */

GPtrArray *
heron_account_complete_address (HeronAccount *self,
                                const char   *prefix,
                                guint         limit)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  HeronStoreReader *reader;
  GPtrArray *result;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  result = g_ptr_array_new_with_free_func (g_free);
  reader = _heron_account_get_reader (self);
  if (reader == NULL)
    return result;
  rows = heron_store_reader_complete_addresses (reader, prefix, limit, &error);
  if (rows == NULL)
    {
      g_warning ("%s: cannot read addresses: %s", heron_account_get_id (self), error->message);
      return result;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const HeronStoreAddress *row = g_ptr_array_index (rows, i);
      g_autoptr(HeronMimeAddress) address = heron_mime_address_new (row->name, row->address);

      g_ptr_array_add (result, heron_mime_address_to_string (address));
    }
  return result;
}
