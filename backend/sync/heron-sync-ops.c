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

#include "imap/heron-imap-utf7.h"
#include "mime/heron-mime-message.h"
#include "heron-sync-private.h"

typedef struct {
  char      *folder;
  char      *dest;      /* move, copy; the new name of a rename */
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
  g_autoptr(GPtrArray) folders = NULL;

  *out_none = FALSE;
  if (core->trash_folder != NULL && *core->trash_folder != '\0')
    return lookup_folder (core, core->trash_folder, error);

  folders = heron_store_get_folders (core->store, error);
  if (folders == NULL)
    return NULL;
  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == HERON_STORE_SPECIAL_USE_TRASH)
        return heron_store_folder_copy (folder);
    }
  *out_none = TRUE;
  return NULL;
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

static char *
join_addresses (GPtrArray *addresses)
{
  GString *text = NULL;

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      g_autofree char *one = heron_mime_address_to_string (g_ptr_array_index (addresses, i));

      if (one == NULL || *one == '\0')
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      else
        g_string_append (text, ", ");
      g_string_append (text, one);
    }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

/* The summary the cache shows for a message given as raw bytes, before the server has it. */
static HeronStoreMessage *
summary_from_source (HeronMimeMessage *message,
                     GBytes           *source,
                     guint             flags,
                     GDateTime        *date)
{
  HeronStoreMessage *summary = heron_store_message_new ();
  GPtrArray *from = heron_mime_message_get_from (message);
  GDateTime *sent = heron_mime_message_get_date (message);
  const char * const *references = heron_mime_message_get_references (message);
  const char *in_reply_to = heron_mime_message_get_in_reply_to (message);

  summary->flags = flags & HERON_STORE_FLAGS_ALL;
  summary->internal_date = date != NULL ? g_date_time_to_unix (date) : g_get_real_time () / G_USEC_PER_SEC;
  summary->sent_date = sent != NULL ? g_date_time_to_unix (sent) : 0;
  summary->size = g_bytes_get_size (source);
  summary->subject = g_strdup (heron_mime_message_get_subject (message));
  if (from->len > 0)
    {
      const HeronMimeAddress *first = g_ptr_array_index (from, 0);

      summary->from_name = g_strdup (first->name);
      summary->from_address = g_strdup (first->address);
    }
  summary->sender = join_addresses (heron_mime_message_get_sender (message));
  summary->reply_to = join_addresses (heron_mime_message_get_reply_to (message));
  summary->to = join_addresses (heron_mime_message_get_to (message));
  summary->cc = join_addresses (heron_mime_message_get_cc (message));
  summary->bcc = join_addresses (heron_mime_message_get_bcc (message));
  summary->message_id = g_strdup (heron_mime_message_get_message_id (message));
  if (in_reply_to != NULL)
    summary->in_reply_to = g_strdup_printf ("<%s>", in_reply_to);
  if (references != NULL && references[0] != NULL)
    {
      GString *text = g_string_new (NULL);

      for (guint i = 0; references[i] != NULL; i++)
        g_string_append_printf (text, "%s<%s>", i > 0 ? " " : "", references[i]);
      summary->references = g_string_free (text, FALSE);
    }
  summary->has_attachment = heron_mime_message_get_attachments (message)->len > 0;
  return summary;
}

typedef struct {
  gint64 uid;
} AppendResult;

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
  summary = summary_from_source (message, op->source, op->flags, op->date);

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

static char
account_delimiter (HeronSyncCore *core,
                   const char    *name)
{
  g_autoptr(GPtrArray) folders = heron_store_get_folders (core->store, NULL);
  char delimiter = '\0';

  /* The parent's, else any folder's (a server has one delimiter in its personal namespace). */
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      gsize len = strlen (folder->name);

      if (folder->delimiter == '\0')
        continue;
      if (strncmp (name, folder->name, len) == 0 && name[len] == folder->delimiter)
        return folder->delimiter;
      if (delimiter == '\0')
        delimiter = folder->delimiter;
    }
  return delimiter;
}

static char *
display_name_of (const char *name)
{
  char *decoded = heron_imap_utf7_decode (name, NULL);

  return decoded != NULL ? decoded : g_strdup (name);
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

static gboolean
run_create_folder (HeronSyncCore  *core,
                   HeronSyncJob   *job,
                   GError        **error)
{
  OpData *op = job->data;
  g_autoptr(HeronStoreFolder) info = heron_store_folder_new ();
  g_autoptr(GError) local_error = NULL;
  gint64 id = 0;

  if (!check_name (op->folder, error))
    return FALSE;
  info->name = g_strdup (op->folder);
  info->display_name = display_name_of (op->folder);
  info->delimiter = account_delimiter (core, op->folder);
  info->subscribed = TRUE;
  info->attributes = HERON_STORE_FOLDER_HAS_NO_CHILDREN;

  if (heron_store_op_create_folder (core->store, info, &id, &local_error) == 0)
    {
      if (g_error_matches (local_error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  _heron_sync_core_remember_folder (core, id, info->name);
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_create_folder_async (HeronAccountWorker  *self,
                                          const char          *name,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (name != NULL);

  hand_over (self, run_create_folder, op_data_new (name, NULL, 0),
             heron_account_worker_create_folder_async, cancellable, callback, user_data);
}

gboolean
heron_account_worker_create_folder_finish (HeronAccountWorker  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display_name = NULL;

  if (!check_name (op->folder, error) || !check_name (op->dest, error))
    return FALSE;
  folder = lookup_folder (core, op->folder, error);
  if (folder == NULL)
    return FALSE;
  if (g_strcmp0 (op->folder, op->dest) == 0)
    return TRUE;

  display_name = display_name_of (op->dest);
  if (heron_store_op_rename_folder (core->store, folder->id, op->dest, display_name, &local_error) == 0)
    {
      if (g_error_matches (local_error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  remember_all_folders (core);
  _heron_sync_queue_replay (core);
  return TRUE;
}

void
heron_account_worker_rename_folder_async (HeronAccountWorker  *self,
                                          const char          *folder,
                                          const char          *new_name,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  OpData *op;

  g_return_if_fail (HERON_IS_ACCOUNT_WORKER (self));
  g_return_if_fail (folder != NULL && new_name != NULL);

  op = op_data_new (folder, NULL, 0);
  op->dest = g_strdup (new_name);
  hand_over (self, run_rename_folder, op, heron_account_worker_rename_folder_async,
             cancellable, callback, user_data);
}

gboolean
heron_account_worker_rename_folder_finish (HeronAccountWorker  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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

  for (GList *l = core->jobs.head; l != NULL; l = l->next)
    {
      HeronSyncJob *queued = l->data;

      if (queued->kind == HERON_SYNC_JOB_SYNC_FOLDER && queued->task == NULL &&
          g_strcmp0 (queued->folder, name) == 0)
        return;
    }
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
  const char *folder = NULL;
  const char *other = NULL;
  gboolean folder_list = FALSE;

  entry = heron_store_journal_get (core->store, op->seq, error);
  if (entry == NULL)
    return FALSE;

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

  if (!heron_store_journal_discard (core->store, op->seq, error))
    return FALSE;
  if (folder != NULL && entry->kind != HERON_STORE_OP_COPY && entry->kind != HERON_STORE_OP_APPEND &&
      !forget_sync_state (core, folder, entry, error))
    return FALSE;

  /* The rest of the optimistic change goes with a sync of what it touched. */
  if (_heron_sync_core_is_online (core))
    {
      if (folder_list)
        {
          HeronSyncJob *sync = g_new0 (HeronSyncJob, 1);

          sync->kind = HERON_SYNC_JOB_SYNC_FOLDERS;
          _heron_sync_queue_job (core, sync);
        }
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
