/* heron-sync-ops.c: what the user does to messages and folders (move, copy, delete, expunge,
 * append, create, rename and delete a folder), and what becomes of a refused operation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each request is a custom job of the worker (heron-sync-private.h). On the worker thread it
 * applies the change to the cache and journals it with one heron_store_op_*() call (one durable
 * transaction), completes the caller's task (online or not: nothing waits for the server) and,
 * when connected, queues the replay of the journal (heron-sync-replay.c), which brings the
 * server level with the cache.
 */

#include "config.h"

#include <string.h>

#include "heron-account-worker.h"

#include "mime/heron-mime-message.h"
#include "heron-sync-private.h"

typedef struct {
  char      *folder;
  char      *dest;      /* move, copy; the parent of a new or renamed folder (nullable) */
  char      *leaf;      /* the name of a new or renamed folder (UTF-8) */
  GArray    *uids;      /* gint64 */
  GBytes    *source;    /* append */
  guint      flags;     /* append */
  GDateTime *date;      /* append */
  gint64     seq;       /* retry, discard */
} OpData;

static void
op_data_free (gpointer data)
{
  OpData *op = data;

  g_free (op->folder);
  g_free (op->dest);
  g_free (op->leaf);
  g_clear_pointer (&op->uids, g_array_unref);
  g_clear_pointer (&op->source, g_bytes_unref);
  g_clear_pointer (&op->date, g_date_time_unref);
  g_free (op);
}

static OpData *
op_data_new (const char   *folder,
             const gint64 *uids,
             guint         n_uids)
{
  OpData *op = g_new0 (OpData, 1);

  op->folder = g_strdup (folder);
  if (uids != NULL || n_uids > 0)
    {
      op->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_uids);
      g_array_append_vals (op->uids, uids, n_uids);
    }
  return op;
}

static void
hand_over (gpointer             worker,
           HeronSyncJobFunc     run,
           OpData              *op,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  HeronSyncJob *job = _heron_sync_job_new_custom (worker, run, FALSE, source_tag, cancellable,
                                                  callback, user_data);

  job->data = op;
  job->data_free = op_data_free;
  _heron_sync_hand_over (worker, job);
}

static HeronStoreFolder *
lookup_folder (HeronSyncCore  *core,
               const char     *name,
               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  HeronStoreFolder *folder = heron_store_lookup_folder (core->store, name, &local_error);

  if (folder != NULL)
    return folder;
  if (local_error == NULL || g_error_matches (local_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    g_set_error (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND, "There is no folder %s", name);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static gboolean
check_uids (GArray  *uids,
            GError **error)
{
  if (uids != NULL && uids->len > 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No messages were given");
  return FALSE;
}

/* The Trash: the account's override, else the folder the server marks \Trash; NULL when there
 * is none. An override naming a folder the cache does not have is an error: deleting for good
 * instead of filing in a Trash the person chose would lose mail. */
static HeronStoreFolder *
lookup_trash (HeronSyncCore  *core,
              gboolean       *out_none,
              GError        **error)
{
  GError *local_error = NULL;
  HeronStoreFolder *trash = _heron_sync_find_special_folder (core, core->trash_folder,
                                                             HERON_STORE_SPECIAL_USE_TRASH, &local_error);

  *out_none = trash == NULL && local_error == NULL;
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return trash;
}

static void
set_uids_result (HeronSyncJob *job,
                 GArray       *uids)
{
  job->result = uids;
  job->result_free = (GDestroyNotify) g_array_unref;
}

/* move, copy */

static gboolean
run_transfer (HeronSyncCore  *core,
              HeronSyncJob   *job,
              gboolean        copy,
              GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronStoreFolder) dest = NULL;
  g_autoptr(GArray) locals = NULL;
  gint64 seq;

  if (!check_uids (op->uids, error))
    return FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;
  dest = lookup_folder (core, op->dest, error);
  if (dest == NULL)
    return FALSE;

  if (copy)
    seq = heron_store_op_copy (core->store, folder->id, (const gint64 *) op->uids->data, op->uids->len,
                               dest->id, &locals, error);
  else
    seq = heron_store_op_move (core->store, folder->id, (const gint64 *) op->uids->data, op->uids->len,
                               dest->id, &locals, error);
  if (seq == 0)
    return FALSE;

  _heron_sync_core_remember_folder (core, folder->id, folder->name);
  _heron_sync_core_remember_folder (core, dest->id, dest->name);
  set_uids_result (job, g_steal_pointer (&locals));
  _heron_sync_queue_replay (core);
  return TRUE;
}

static gboolean
run_move (HeronSyncCore  *core,
          HeronSyncJob   *job,
          GError        **error)
{
  return run_transfer (core, job, FALSE, error);
}

static gboolean
run_copy (HeronSyncCore  *core,
          HeronSyncJob   *job,
          GError        **error)
{
  return run_transfer (core, job, TRUE, error);
}

static void
transfer_async (HeronAccountWorker  *self,
                HeronSyncJobFunc     run,
                gpointer             source_tag,
                const char          *folder,
                const gint64        *uids,
                guint                n_uids,
                const char          *dest,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  OpData *op = op_data_new (folder, uids, n_uids);

  op->dest = g_strdup (dest);
  hand_over (self, run, op, source_tag, cancellable, callback, user_data);
}

void
heron_account_worker_move_async (HeronAccountWorker  *self,
                                 const char          *folder,
                                 const gint64        *uids,
                                 guint                n_uids,
                                 const char          *dest,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL && dest != NULL);
  g_return_if_fail (uids != NULL || n_uids == 0);

  transfer_async (self, run_move, heron_account_worker_move_async, folder, uids, n_uids, dest,
                  cancellable, callback, user_data);
}

GArray *
heron_account_worker_move_finish (HeronAccountWorker  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
heron_account_worker_copy_async (HeronAccountWorker  *self,
                                 const char          *folder,
                                 const gint64        *uids,
                                 guint                n_uids,
                                 const char          *dest,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL && dest != NULL);
  g_return_if_fail (uids != NULL || n_uids == 0);

  transfer_async (self, run_copy, heron_account_worker_copy_async, folder, uids, n_uids, dest,
                  cancellable, callback, user_data);
}

GArray *
heron_account_worker_copy_finish (HeronAccountWorker  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* delete, expunge */

static gboolean
run_delete (HeronSyncCore  *core,
            HeronSyncJob   *job,
            GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronStoreFolder) trash = NULL;
  g_autoptr(GArray) locals = NULL;
  gboolean no_trash;

  if (!check_uids (op->uids, error))
    return FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;
  trash = lookup_trash (core, &no_trash, error);
  if (trash == NULL && !no_trash)
    return FALSE;

  if (trash != NULL && trash->id != folder->id)
    {
      if (heron_store_op_move (core->store, folder->id, (const gint64 *) op->uids->data, op->uids->len,
                               trash->id, &locals, error) == 0)
        return FALSE;
      _heron_sync_core_remember_folder (core, trash->id, trash->name);
    }
  else
    {
      if (heron_store_op_expunge (core->store, folder->id, (const gint64 *) op->uids->data,
                                  op->uids->len, error) == 0)
        return FALSE;
      locals = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  _heron_sync_core_remember_folder (core, folder->id, folder->name);
  set_uids_result (job, g_steal_pointer (&locals));
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_delete_async (HeronAccountWorker  *self,
                                   const char          *folder,
                                   const gint64        *uids,
                                   guint                n_uids,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);
  g_return_if_fail (uids != NULL || n_uids == 0);

  hand_over (self, run_delete, op_data_new (folder, uids, n_uids), heron_account_worker_delete_async,
             cancellable, callback, user_data);
}

GArray *
heron_account_worker_delete_finish (HeronAccountWorker  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
run_expunge (HeronSyncCore  *core,
             HeronSyncJob   *job,
             GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;

  if (!check_uids (op->uids, error))
    return FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;
  if (heron_store_op_expunge (core->store, folder->id, (const gint64 *) op->uids->data,
                              op->uids->len, error) == 0)
    return FALSE;
  _heron_sync_core_remember_folder (core, folder->id, folder->name);
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_expunge_async (HeronAccountWorker  *self,
                                    const char          *folder,
                                    const gint64        *uids,
                                    guint                n_uids,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);
  g_return_if_fail (uids != NULL || n_uids == 0);

  hand_over (self, run_expunge, op_data_new (folder, uids, n_uids), heron_account_worker_expunge_async,
             cancellable, callback, user_data);
}

gboolean
heron_account_worker_expunge_finish (HeronAccountWorker  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* append */

static gboolean
run_append (HeronSyncCore  *core,
            HeronSyncJob   *job,
            GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autoptr(HeronStoreMessage) summary = NULL;
  g_autoptr(HeronStoreSourceWriter) writer = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (op->source, &size);
  gint64 local = 0;

  if (size == 0)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "The message is empty"), FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;

  message = heron_mime_message_new_from_bytes (op->source, error);
  if (message == NULL)
    return FALSE;
  summary = _heron_sync_summary_from_message (message, size, op->flags, op->date);

  writer = heron_store_source_writer_new (core->store, error);
  if (writer == NULL ||
      !heron_store_source_writer_write (writer, data, size, error) ||
      !heron_store_source_writer_close (writer, error))
    return FALSE;

  if (heron_store_op_append (core->store, folder->id, summary, writer,
                             heron_mime_message_get_text (message), &local, error) == 0)
    return FALSE;

  _heron_sync_core_remember_folder (core, folder->id, folder->name);
  job->result = g_memdup2 (&local, sizeof local);
  job->result_free = g_free;
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_append_async (HeronAccountWorker  *self,
                                   const char          *folder,
                                   GBytes              *source,
                                   guint                flags,
                                   GDateTime           *date,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  OpData *op;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);
  g_return_if_fail (source != NULL);

  op = op_data_new (folder, NULL, 0);
  op->source = g_bytes_ref (source);
  op->flags = flags;
  op->date = date != NULL ? g_date_time_ref (date) : NULL;
  hand_over (self, run_append, op, heron_account_worker_append_async, cancellable, callback, user_data);
}

gint64
heron_account_worker_append_finish (HeronAccountWorker  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_autofree gint64 *uid = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  uid = g_task_propagate_pointer (G_TASK (result), error);
  return uid != NULL ? *uid : 0;
}

/* Folders */

/* A server has one delimiter in its personal namespace: INBOX's, else any folder's. */
static char
account_delimiter (HeronSyncCore *core)
{
  g_autoptr(GPtrArray) folders = heron_store_get_folders (core->store, NULL);
  char delimiter = '\0';

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (folder->delimiter == '\0')
        continue;
      if (g_ascii_strcasecmp (folder->name, "INBOX") == 0)
        return folder->delimiter;
      if (delimiter == '\0')
        delimiter = folder->delimiter;
    }
  return delimiter;
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL) ||
      strpbrk (name, "\r\n") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a folder name",
                   name != NULL ? name : "");
      return FALSE;
    }
  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "INBOX cannot be created, renamed or deleted");
      return FALSE;
    }
  return TRUE;
}

/* The server's name for @leaf under the folder named @parent (NULL: the top level), with the
 * parent's delimiter and the session's form of names. *out_delimiter: the new folder's. */
static char *
make_name (HeronSyncCore  *core,
           const char     *parent,
           const char     *leaf,
           char           *out_delimiter,
           GError        **error)
{
  g_autoptr(HeronStoreFolder) parent_folder = NULL;
  char *name;

  if (parent != NULL)
    {
      parent_folder = lookup_folder (core, parent, error);
      if (parent_folder == NULL)
        return NULL;
      *out_delimiter = parent_folder->delimiter;
    }
  else
    *out_delimiter = account_delimiter (core);

  name = _heron_sync_make_folder_name (parent, *out_delimiter, leaf, _heron_sync_names_utf8 (core), error);
  if (name != NULL && !check_name (name, error))
    g_clear_pointer (&name, g_free);
  return name;
}

static void
set_name_result (HeronSyncJob *job,
                 const char   *name)
{
  job->result = g_strdup (name);
  job->result_free = g_free;
}

static gboolean
exists_error (GError  *local_error,
              GError **error)
{
  if (g_error_matches (local_error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s", local_error->message);
      g_error_free (local_error);
    }
  else
    g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
run_create_folder (HeronSyncCore  *core,
                   HeronSyncJob   *job,
                   GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) info = heron_store_folder_new ();
  GError *local_error = NULL;
  gint64 id = 0;
  char delimiter = '\0';

  info->name = make_name (core, op->dest, op->leaf, &delimiter, error);
  if (info->name == NULL)
    return FALSE;
  info->display_name = _heron_sync_folder_display_name (info->name, _heron_sync_names_utf8 (core));
  info->delimiter = delimiter;
  info->subscribed = TRUE;
  info->attributes = HERON_STORE_FOLDER_HAS_NO_CHILDREN;

  if (heron_store_op_create_folder (core->store, info, &id, &local_error) == 0)
    return exists_error (local_error, error);
  _heron_sync_core_remember_folder (core, id, info->name);
  set_name_result (job, info->name);
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_create_folder_async (HeronAccountWorker  *self,
                                          const char          *parent,
                                          const char          *name,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  OpData *op;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (name != NULL);

  op = op_data_new (NULL, NULL, 0);
  op->dest = g_strdup (parent);
  op->leaf = g_strdup (name);
  hand_over (self, run_create_folder, op, heron_account_worker_create_folder_async,
             cancellable, callback, user_data);
}

char *
heron_account_worker_create_folder_finish (HeronAccountWorker  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The folder names the worker keeps for its events follow a rename. */
static void
remember_all_folders (HeronSyncCore *core)
{
  g_autoptr(GPtrArray) folders = heron_store_get_folders (core->store, NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      _heron_sync_core_remember_folder (core, folder->id, folder->name);
    }
}

static gboolean
run_rename_folder (HeronSyncCore  *core,
                   HeronSyncJob   *job,
                   GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autofree char *name = NULL;
  g_autofree char *display_name = NULL;
  GError *local_error = NULL;
  char delimiter = '\0';

  if (!check_name (op->folder, error))
    return FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;
  /* not into itself or below */
  if (op->dest != NULL &&
      (strcmp (op->dest, folder->name) == 0 ||
       (folder->delimiter != '\0' && g_str_has_prefix (op->dest, folder->name) &&
        op->dest[strlen (folder->name)] == folder->delimiter)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s cannot be moved into itself", folder->name);
      return FALSE;
    }
  name = make_name (core, op->dest, op->leaf, &delimiter, error);
  if (name == NULL)
    return FALSE;
  set_name_result (job, name);
  if (strcmp (folder->name, name) == 0)
    return TRUE;

  display_name = _heron_sync_folder_display_name (name, _heron_sync_names_utf8 (core));
  if (heron_store_op_rename_folder (core->store, folder->id, name, display_name, &local_error) == 0)
    return exists_error (local_error, error);
  remember_all_folders (core);
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_rename_folder_async (HeronAccountWorker  *self,
                                          const char          *folder,
                                          const char          *parent,
                                          const char          *name,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  OpData *op;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL && name != NULL);

  op = op_data_new (folder, NULL, 0);
  op->dest = g_strdup (parent);
  op->leaf = g_strdup (name);
  hand_over (self, run_rename_folder, op, heron_account_worker_rename_folder_async,
             cancellable, callback, user_data);
}

char *
heron_account_worker_rename_folder_finish (HeronAccountWorker  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
run_delete_folder (HeronSyncCore  *core,
                   HeronSyncJob   *job,
                   GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) folder = NULL;

  if (!check_name (op->folder, error))
    return FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;
  _heron_sync_core_remember_folder (core, folder->id, folder->name);
  if (heron_store_op_delete_folder (core->store, folder->id, error) == 0)
    return FALSE;
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_delete_folder_async (HeronAccountWorker  *self,
                                          const char          *folder,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL);

  hand_over (self, run_delete_folder, op_data_new (folder, NULL, 0),
             heron_account_worker_delete_folder_async, cancellable, callback, user_data);
}

gboolean
heron_account_worker_delete_folder_finish (HeronAccountWorker  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Refused operations */

static void
queue_folder_sync (HeronSyncCore *core,
                   const char    *name)
{
  HeronSyncJob *job;

  if (_heron_sync_find_queued (core, HERON_SYNC_JOB_SYNC_FOLDER, NULL, name) != NULL)
    return;
  job = g_new0 (HeronSyncJob, 1);
  job->kind = HERON_SYNC_JOB_SYNC_FOLDER;
  job->folder = g_strdup (name);
  _heron_sync_queue_job (core, job);
}

static gboolean
retry_entry (HeronSyncCore  *core,
           HeronSyncJob   *job,
           GError        **error)
{
  OpData *op = job->data;

  if (!heron_store_journal_retry (core->store, op->seq, error))
    return FALSE;
  _heron_sync_queue_replay (core);
  return TRUE;
}

/* An incremental sync only asks for what changed since the saved state, which would not bring
 * back what the discarded entry took away or changed in the cache: the folder's next sync
 * fetches the flags of every message again (no HIGHESTMODSEQ), and the messages from the
 * entry's lowest UID up (UIDNEXT lowered). */
static gboolean
forget_sync_state (HeronSyncCore        *core,
                   const char           *name,
                   HeronStoreOperation  *entry,
                   GError              **error)
{
  g_autoptr(HeronStoreFolder) folder = heron_store_lookup_folder (core->store, name, NULL);
  g_autoptr(GVariant) uids_v = NULL;
  guint32 uidnext;
  const gint64 *uids;
  gsize n;

  if (folder == NULL || folder->uidvalidity == 0)
    return TRUE;
  uidnext = folder->uidnext;
  uids_v = g_variant_get_child_value (entry->args, 1);
  uids = g_variant_get_fixed_array (uids_v, &n, sizeof (gint64));
  for (gsize i = 0; i < n; i++)
    if (uids[i] > 0 && uids[i] < uidnext)
      uidnext = (guint32) uids[i];
  return heron_store_set_folder_sync_state (core->store, folder->id, folder->uidvalidity, uidnext, 0, error);
}

static gboolean
discard_entry (HeronSyncCore  *core,
             HeronSyncJob   *job,
             GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreOperation) entry = NULL;
  g_autoptr(HeronStoreFolder) current = NULL;
  g_autoptr(GError) lookup_error = NULL;
  const char *folder = NULL;
  const char *other = NULL;
  gboolean folder_list = FALSE;

  entry = heron_store_journal_get (core->store, op->seq, error);
  if (entry == NULL)
    return FALSE;
  /* the folder it acts in as the cache knows it now (renamed since, it has another name) */
  current = heron_store_journal_lookup_folder (core->store, op->seq, &lookup_error);
  if (current == NULL && !g_error_matches (lookup_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return FALSE;
    }

  switch (entry->kind)
    {
    case HERON_STORE_OP_MOVE:
    case HERON_STORE_OP_COPY:
      g_variant_get_child (entry->args, 0, "&s", &folder);
      g_variant_get_child (entry->args, 2, "&s", &other);
      break;
    case HERON_STORE_OP_CREATE_FOLDER:
    case HERON_STORE_OP_RENAME_FOLDER:
    case HERON_STORE_OP_DELETE_FOLDER:
      folder_list = TRUE;
      break;
    default:
      g_variant_get_child (entry->args, 0, "&s", &folder);
      break;
    }
  if (folder != NULL)
    folder = current != NULL ? current->name : NULL;   /* gone: nothing of it to sync */

  if (!heron_store_journal_discard (core->store, op->seq, error))
    return FALSE;
  /* (a move's source: the store lowered its state, by id, as it put the messages back) */
  if (folder != NULL && entry->kind != HERON_STORE_OP_COPY && entry->kind != HERON_STORE_OP_APPEND &&
      entry->kind != HERON_STORE_OP_MOVE && !forget_sync_state (core, folder, entry, error))
    return FALSE;

  /* The rest of the optimistic change goes with a sync of what it touched. */
  if (_heron_sync_core_is_online (core))
    {
      if (folder_list)
        _heron_sync_schedule_folders_sync (core);
      if (folder != NULL)
        queue_folder_sync (core, folder);
      if (other != NULL)
        queue_folder_sync (core, other);
    }
  return TRUE;
}

/* Nobody waits for these: a failure (no such entry, the cache failed) is an ERROR event. */
static gboolean
run_retry (HeronSyncCore  *core,
           HeronSyncJob   *job,
           GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (retry_entry (core, job, &local_error))
    return TRUE;
  _heron_sync_core_post_error (core, NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
run_discard (HeronSyncCore  *core,
             HeronSyncJob   *job,
             GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (discard_entry (core, job, &local_error))
    return TRUE;
  _heron_sync_core_post_error (core, NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
hand_over_seq (HeronAccountWorker *self,
               HeronSyncJobFunc    run,
               gint64              seq,
               gpointer            source_tag)
{
  OpData *op = op_data_new (NULL, NULL, 0);

  op->seq = seq;
  hand_over (self, run, op, source_tag, NULL, NULL, NULL);
}

void
heron_account_worker_retry_operation (HeronAccountWorker *self,
                                      gint64              seq)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (seq > 0);

  hand_over_seq (self, run_retry, seq, heron_account_worker_retry_operation);
}

void
heron_account_worker_discard_operation (HeronAccountWorker *self,
                                        gint64              seq)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (seq > 0);

  hand_over_seq (self, run_discard, seq, heron_account_worker_discard_operation);
}
