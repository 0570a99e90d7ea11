/* heron-store-types.c: the boxed types of the cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-types.h"

G_DEFINE_BOXED_TYPE (HeronStoreFolder, heron_store_folder, heron_store_folder_copy, heron_store_folder_free)
G_DEFINE_BOXED_TYPE (HeronStoreMessage, heron_store_message, heron_store_message_copy, heron_store_message_free)
G_DEFINE_BOXED_TYPE (HeronStoreOperation, heron_store_operation, heron_store_operation_copy, heron_store_operation_free)

HeronStoreFolder *
heron_store_folder_new (void)
{
  HeronStoreFolder *folder = g_new0 (HeronStoreFolder, 1);

  folder->server_messages = -1;
  folder->server_unseen = -1;
  return folder;
}

HeronStoreFolder *
heron_store_folder_copy (const HeronStoreFolder *folder)
{
  HeronStoreFolder *copy;

  g_return_val_if_fail (folder != NULL, NULL);

  copy = g_memdup2 (folder, sizeof *folder);
  copy->name = g_strdup (folder->name);
  copy->display_name = g_strdup (folder->display_name);
  return copy;
}

void
heron_store_folder_free (HeronStoreFolder *folder)
{
  if (folder == NULL)
    return;
  g_free (folder->name);
  g_free (folder->display_name);
  g_free (folder);
}

char *
heron_store_folder_dup_parent_name (const HeronStoreFolder *folder)
{
  const char *last;

  g_return_val_if_fail (folder != NULL && folder->name != NULL, NULL);

  if (folder->delimiter == '\0')
    return NULL;
  last = strrchr (folder->name, folder->delimiter);
  if (last == NULL || last == folder->name)
    return NULL;
  return g_strndup (folder->name, last - folder->name);
}

HeronStoreMessage *
heron_store_message_new (void)
{
  return g_new0 (HeronStoreMessage, 1);
}

HeronStoreMessage *
heron_store_message_copy (const HeronStoreMessage *message)
{
  HeronStoreMessage *copy;

  g_return_val_if_fail (message != NULL, NULL);

  copy = g_memdup2 (message, sizeof *message);
  copy->keywords = g_strdup (message->keywords);
  copy->subject = g_strdup (message->subject);
  copy->from_name = g_strdup (message->from_name);
  copy->from_address = g_strdup (message->from_address);
  copy->sender = g_strdup (message->sender);
  copy->reply_to = g_strdup (message->reply_to);
  copy->to = g_strdup (message->to);
  copy->cc = g_strdup (message->cc);
  copy->bcc = g_strdup (message->bcc);
  copy->message_id = g_strdup (message->message_id);
  copy->in_reply_to = g_strdup (message->in_reply_to);
  copy->references = g_strdup (message->references);
  copy->list_id = g_strdup (message->list_id);
  copy->body_structure = message->body_structure != NULL ? g_bytes_ref (message->body_structure) : NULL;
  copy->snippet = g_strdup (message->snippet);
  return copy;
}

void
heron_store_message_free (HeronStoreMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->keywords);
  g_free (message->subject);
  g_free (message->from_name);
  g_free (message->from_address);
  g_free (message->sender);
  g_free (message->reply_to);
  g_free (message->to);
  g_free (message->cc);
  g_free (message->bcc);
  g_free (message->message_id);
  g_free (message->in_reply_to);
  g_free (message->references);
  g_free (message->list_id);
  g_clear_pointer (&message->body_structure, g_bytes_unref);
  g_free (message->snippet);
  g_free (message);
}

HeronStoreOperation *
heron_store_operation_copy (const HeronStoreOperation *op)
{
  HeronStoreOperation *copy;

  g_return_val_if_fail (op != NULL, NULL);

  copy = g_memdup2 (op, sizeof *op);
  copy->args = op->args != NULL ? g_variant_ref (op->args) : NULL;
  copy->error = g_strdup (op->error);
  return copy;
}

void
heron_store_operation_free (HeronStoreOperation *op)
{
  if (op == NULL)
    return;
  g_clear_pointer (&op->args, g_variant_unref);
  g_free (op->error);
  g_free (op);
}

const char *
heron_store_op_kind_get_args_type (HeronStoreOpKind kind)
{
  switch (kind)
    {
    case HERON_STORE_OP_ADD_FLAGS:
    case HERON_STORE_OP_REMOVE_FLAGS:
      return "(saxuas)";
    case HERON_STORE_OP_MOVE:
    case HERON_STORE_OP_COPY:
      return "(saxsaxas)";
    case HERON_STORE_OP_EXPUNGE:
      return "(sax)";
    case HERON_STORE_OP_APPEND:
      return "(sxuasxs)";
    case HERON_STORE_OP_CREATE_FOLDER:
    case HERON_STORE_OP_DELETE_FOLDER:
      return "(s)";
    case HERON_STORE_OP_RENAME_FOLDER:
      return "(ss)";
    default:
      return NULL;
    }
}

const char *
heron_store_op_kind_to_string (HeronStoreOpKind kind)
{
  switch (kind)
    {
    case HERON_STORE_OP_ADD_FLAGS: return "add-flags";
    case HERON_STORE_OP_REMOVE_FLAGS: return "remove-flags";
    case HERON_STORE_OP_MOVE: return "move";
    case HERON_STORE_OP_COPY: return "copy";
    case HERON_STORE_OP_EXPUNGE: return "expunge";
    case HERON_STORE_OP_APPEND: return "append";
    case HERON_STORE_OP_CREATE_FOLDER: return "create-folder";
    case HERON_STORE_OP_RENAME_FOLDER: return "rename-folder";
    case HERON_STORE_OP_DELETE_FOLDER: return "delete-folder";
    default: return "unknown";
    }
}
