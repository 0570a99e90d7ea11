/* heron-store-conversations.c: the conversations of each folder, for the threaded message list
 *
 * folder_conversations (heron-store-schema.c, step 8) has one row per folder and conversation
 * with a message in that folder: how many members it has (its messages in the folder and in the
 * Sent folders), how many are unread, and the key of the newest one. Triggers keep it equal to a
 * GROUP BY over the messages whatever path wrote them, and folders.n_conversations counts the
 * rows, so a threaded list reads a count and a window of the index like the flat list does,
 * never every message of the folder. Which folders are Sent is folders.sent, kept by triggers
 * from the server's special use and the configuration's choice (meta 'sent-folder'), so that
 * the index and the list that follows Sent folders' changes agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

#define CONVERSATION_COLUMNS "c.folder_id, c.conversation_id, c.date, c.uid, c.item_folder, c.n_messages, c.n_unread"

static void
conversation_from_stmt (HeronStoreStmt               *stmt,
                        int                           first,
                        HeronStoreFolderConversation *out)
{
  out->folder_id = sqlite3_column_int64 (stmt, first);
  out->conversation_id = sqlite3_column_int64 (stmt, first + 1);
  out->date = sqlite3_column_int64 (stmt, first + 2);
  out->uid = sqlite3_column_int64 (stmt, first + 3);
  out->item_folder_id = sqlite3_column_int64 (stmt, first + 4);
  out->n_messages = (guint) sqlite3_column_int64 (stmt, first + 5);
  out->n_unread = (guint) sqlite3_column_int64 (stmt, first + 6);
}

gboolean
heron_store_reader_count_folder_conversations (HeronStoreReader *self,
                                               gint64            folder_id,
                                               guint            *out_count,
                                               GError          **error)
{
  HeronStoreDb *db;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  db = _heron_store_reader_get_db (self);
  stmt = _heron_store_db_prepare (db, "SELECT n_conversations FROM folders WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No folder %" G_GINT64_FORMAT " in the mail cache", folder_id);
  if (rc != SQLITE_ROW)
    return FALSE;
  *out_count = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

GPtrArray *
heron_store_reader_get_folder_conversations (HeronStoreReader                   *self,
                                             gint64                              folder_id,
                                             guint                               position,
                                             const HeronStoreFolderConversation *after,
                                             guint                               n,
                                             GArray                            **out_conversations,
                                             GError                            **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  g_autoptr (GArray) conversations = g_array_new (FALSE, FALSE, sizeof (HeronStoreFolderConversation));
  g_autoptr (HeronStoreStmt) stmt = NULL;
  HeronStoreDb *db;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = _heron_store_reader_get_db (self);
  if (n > 0)
    {
      /* The window's keys come from the index alone (a keyset seek after @after, or an offset
       * skipped on the index); only the window's rows and messages are read. */
      if (after != NULL)
        {
          stmt = _heron_store_db_prepare (db,
                                          "SELECT " HERON_STORE_ROW_COLUMNS ", " CONVERSATION_COLUMNS " FROM"
                                          " (SELECT conversation_id FROM folder_conversations"
                                          "   WHERE folder_id = ?1 AND (date, uid, item_folder) < (?3, ?4, ?5)"
                                          "   ORDER BY date DESC, uid DESC, item_folder DESC LIMIT ?2) w"
                                          " JOIN folder_conversations c ON c.folder_id = ?1 AND c.conversation_id = w.conversation_id"
                                          " JOIN messages m ON m.folder_id = c.item_folder AND m.uid = c.uid"
                                          " ORDER BY c.date DESC, c.uid DESC, c.item_folder DESC",
                                          error);
          if (stmt == NULL)
            return NULL;
          sqlite3_bind_int64 (stmt, 3, after->date);
          sqlite3_bind_int64 (stmt, 4, after->uid);
          sqlite3_bind_int64 (stmt, 5, after->item_folder_id);
        }
      else
        {
          stmt = _heron_store_db_prepare (db,
                                          "SELECT " HERON_STORE_ROW_COLUMNS ", " CONVERSATION_COLUMNS " FROM"
                                          " (SELECT conversation_id FROM folder_conversations WHERE folder_id = ?1"
                                          "   ORDER BY date DESC, uid DESC, item_folder DESC LIMIT ?2 OFFSET ?3) w"
                                          " JOIN folder_conversations c ON c.folder_id = ?1 AND c.conversation_id = w.conversation_id"
                                          " JOIN messages m ON m.folder_id = c.item_folder AND m.uid = c.uid"
                                          " ORDER BY c.date DESC, c.uid DESC, c.item_folder DESC",
                                          error);
          if (stmt == NULL)
            return NULL;
          sqlite3_bind_int64 (stmt, 3, position);
        }
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, n);
      while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
        {
          HeronStoreFolderConversation conversation;

          g_ptr_array_add (rows, _heron_store_row_from_stmt (stmt, 0));
          conversation_from_stmt (stmt, 15, &conversation);
          g_array_append_val (conversations, conversation);
        }
      if (rc != SQLITE_DONE)
        return NULL;
    }
  if (out_conversations != NULL)
    *out_conversations = g_steal_pointer (&conversations);
  return g_steal_pointer (&rows);
}

gboolean
heron_store_reader_get_folder_conversation (HeronStoreReader             *self,
                                            gint64                        folder_id,
                                            gint64                        conversation_id,
                                            HeronStoreFolderConversation *out,
                                            gboolean                     *out_found,
                                            GError                      **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  HeronStoreDb *db;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (out != NULL && out_found != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  db = _heron_store_reader_get_db (self);
  *out_found = FALSE;
  stmt = _heron_store_db_prepare (db,
                                  "SELECT " CONVERSATION_COLUMNS " FROM folder_conversations c"
                                  " WHERE c.folder_id = ? AND c.conversation_id = ?",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, conversation_id);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_ROW)
    {
      conversation_from_stmt (stmt, 0, out);
      *out_found = TRUE;
    }
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

gboolean
heron_store_reader_find_folder_conversation (HeronStoreReader                   *self,
                                             const HeronStoreFolderConversation *conversation,
                                             guint                              *out_position,
                                             GError                            **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  HeronStoreDb *db;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (conversation != NULL && out_position != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  db = _heron_store_reader_get_db (self);
  stmt = _heron_store_db_prepare (db,
                                  "SELECT count(*) FROM folder_conversations"
                                  " WHERE folder_id = ?1 AND (date, uid, item_folder) > (?2, ?3, ?4)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation->folder_id);
  sqlite3_bind_int64 (stmt, 2, conversation->date);
  sqlite3_bind_int64 (stmt, 3, conversation->uid);
  sqlite3_bind_int64 (stmt, 4, conversation->item_folder_id);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO, "Could not count conversations");
      return FALSE;
    }
  *out_position = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static GArray *
db_get_sent_folders (HeronStoreDb *db,
                     GError      **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  stmt = _heron_store_db_prepare (db, "SELECT id FROM folders WHERE sent ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&ids);
}

GArray *
heron_store_reader_get_sent_folders (HeronStoreReader *self,
                                     GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return db_get_sent_folders (_heron_store_reader_get_db (self), error);
}

static gboolean
same_ids (GArray *a,
          GArray *b)
{
  return a->len == b->len && (a->len == 0 || memcmp (a->data, b->data, a->len * sizeof (gint64)) == 0);
}

gboolean
heron_store_set_sent_folder (HeronStore  *self,
                             const char  *mailbox,
                             GError     **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autoptr (GArray) before = NULL;
  g_autoptr (GArray) after = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mailbox != NULL && *mailbox == '\0')
    mailbox = NULL;
  if (!_heron_store_begin (self, error))
    return FALSE;
  before = db_get_sent_folders (&self->db, error);
  if (before == NULL)
    goto failed;
  /* (the triggers on meta and folders do the rest: folders.sent, then the conversations) */
  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE meta SET value = ? WHERE key = 'sent-folder' AND value IS NOT ?1",
                                  error);
  if (stmt == NULL)
    goto failed;
  _heron_store_bind_text (stmt, 1, mailbox);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  after = db_get_sent_folders (&self->db, error);
  if (after == NULL)
    goto failed;
  if (!same_ids (before, after))
    _heron_store_note_folder_list (self);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}
