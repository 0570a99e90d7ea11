/* heron-store-folders.c: folders, their sync state, rename and delete
 *
 * A folder is keyed by the server's name. The hierarchy is not stored: it follows from the names
 * and the delimiter (heron_store_folder_dup_parent_name()), so a rename only rewrites names.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

HeronStoreFolder *
_heron_store_folder_from_stmt (HeronStoreStmt *stmt)
{
  HeronStoreFolder *folder = heron_store_folder_new ();
  const unsigned char *delimiter;

  folder->id = sqlite3_column_int64 (stmt, 0);
  folder->name = _heron_store_column_dup (stmt, 1);
  folder->display_name = _heron_store_column_dup (stmt, 2);
  delimiter = sqlite3_column_text (stmt, 3);
  folder->delimiter = delimiter != NULL ? (char) delimiter[0] : '\0';
  folder->attributes = sqlite3_column_int (stmt, 4);
  folder->special_use = sqlite3_column_int (stmt, 5);
  folder->subscribed = sqlite3_column_int (stmt, 6) != 0;
  folder->uidvalidity = sqlite3_column_int64 (stmt, 7);
  folder->uidnext = sqlite3_column_int64 (stmt, 8);
  folder->highestmodseq = sqlite3_column_int64 (stmt, 9);
  folder->n_messages = sqlite3_column_int (stmt, 10);
  folder->n_unread = sqlite3_column_int (stmt, 11);
  folder->server_messages = sqlite3_column_int64 (stmt, 12);
  folder->server_unseen = sqlite3_column_int64 (stmt, 13);
  return folder;
}

GPtrArray *
_heron_store_db_get_folders (HeronStoreDb *db,
                             GError      **error)
{
  g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_folder_free);
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  stmt = _heron_store_db_prepare (db, "SELECT " HERON_STORE_FOLDER_COLUMNS " FROM folders ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (folders, _heron_store_folder_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&folders);
}

HeronStoreFolder *
_heron_store_db_get_folder (HeronStoreDb *db,
                            gint64        folder_id,
                            GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  stmt = _heron_store_db_prepare (db, "SELECT " HERON_STORE_FOLDER_COLUMNS " FROM folders WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_ROW)
    return _heron_store_folder_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No folder %" G_GINT64_FORMAT " in the mail cache", folder_id);
  return NULL;
}

gint64
heron_store_add_folder (HeronStore             *self,
                        const HeronStoreFolder *info,
                        GError                **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  char delimiter[2] = { 0, 0 };
  gint64 id;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (info != NULL && info->name != NULL && *info->name != '\0', 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!_heron_store_begin (self, error))
    return 0;

  /* The update only happens, and is only reported, when something differs */
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO folders (name, display_name, delimiter, attributes, special_use, subscribed)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                  " ON CONFLICT (name) DO UPDATE SET"
                                  "   display_name = excluded.display_name, delimiter = excluded.delimiter,"
                                  "   attributes = excluded.attributes, special_use = excluded.special_use,"
                                  "   subscribed = excluded.subscribed"
                                  " WHERE display_name IS NOT excluded.display_name"
                                  "    OR delimiter IS NOT excluded.delimiter"
                                  "    OR attributes IS NOT excluded.attributes"
                                  "    OR special_use IS NOT excluded.special_use"
                                  "    OR subscribed IS NOT excluded.subscribed"
                                  " RETURNING id",
                                  error);
  if (stmt == NULL)
    goto failed;
  delimiter[0] = info->delimiter;
  _heron_store_bind_text (stmt, 1, info->name);
  _heron_store_bind_text (stmt, 2, info->display_name != NULL ? info->display_name : info->name);
  _heron_store_bind_text (stmt, 3, info->delimiter != '\0' ? delimiter : NULL);
  sqlite3_bind_int (stmt, 4, info->attributes);
  sqlite3_bind_int (stmt, 5, info->special_use);
  sqlite3_bind_int (stmt, 6, info->subscribed ? 1 : 0);

  switch (_heron_store_db_step (&self->db, stmt, error))
    {
    case SQLITE_ROW:
      id = sqlite3_column_int64 (stmt, 0);
      _heron_store_note_folder_list (self);
      break;
    case SQLITE_DONE:
      {
        /* It exists and nothing changed */
        g_autoptr (HeronStoreStmt) lookup = _heron_store_db_prepare (&self->db, "SELECT id FROM folders WHERE name = ?", error);

        if (lookup == NULL)
          goto failed;
        _heron_store_bind_text (lookup, 1, info->name);
        if (_heron_store_db_step (&self->db, lookup, error) != SQLITE_ROW)
          goto failed;
        id = sqlite3_column_int64 (lookup, 0);
      }
      break;
    default:
      goto failed;
    }
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  if (!_heron_store_commit (self, error))
    return 0;
  return id;

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return 0;
}

GPtrArray *
heron_store_get_folders (HeronStore *self,
                         GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_folders (&self->db, error);
}

HeronStoreFolder *
heron_store_get_folder (HeronStore *self,
                        gint64      folder_id,
                        GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_folder (&self->db, folder_id, error);
}

HeronStoreFolder *
heron_store_lookup_folder (HeronStore *self,
                           const char *name,
                           GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _heron_store_db_prepare (&self->db, "SELECT " HERON_STORE_FOLDER_COLUMNS " FROM folders WHERE name = ?", error);
  if (stmt == NULL)
    return NULL;
  _heron_store_bind_text (stmt, 1, name);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    return _heron_store_folder_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND, "No folder “%s” in the mail cache", name);
  return NULL;
}

gboolean
heron_store_set_folder_sync_state (HeronStore *self,
                                   gint64      folder_id,
                                   guint32     uidvalidity,
                                   guint32     uidnext,
                                   guint64     highestmodseq,
                                   GError    **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  folder = _heron_store_db_get_folder (&self->db, folder_id, error);
  if (folder == NULL)
    goto failed;
  if (folder->uidvalidity != 0 && folder->uidvalidity != uidvalidity)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                   "The UIDVALIDITY of “%s” changed from %u to %u: the folder must be reset first",
                   folder->name, folder->uidvalidity, uidvalidity);
      goto failed;
    }

  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4 WHERE id = ?1",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uidvalidity);
  sqlite3_bind_int64 (stmt, 3, uidnext);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) highestmodseq);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  if (folder->uidvalidity != uidvalidity || folder->uidnext != uidnext || folder->highestmodseq != highestmodseq)
    _heron_store_note_folder (self, folder_id);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_set_folder_status (HeronStore *self,
                               gint64      folder_id,
                               gint64      server_messages,
                               gint64      server_unseen,
                               GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (server_messages >= -1 && server_unseen >= -1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  /* Only a change is written, and reported */
  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE folders SET"
                                  "  server_messages = CASE WHEN ?2 >= 0 THEN ?2 ELSE server_messages END,"
                                  "  server_unseen = CASE WHEN ?3 >= 0 THEN ?3 ELSE server_unseen END"
                                  " WHERE id = ?1"
                                  "   AND ((?2 >= 0 AND server_messages IS NOT ?2) OR (?3 >= 0 AND server_unseen IS NOT ?3))",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, server_messages);
  sqlite3_bind_int64 (stmt, 3, server_unseen);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  if (sqlite3_changes (self->db.handle) > 0)
    _heron_store_note_folder (self, folder_id);
  else
    {
      /* unchanged, or no such folder */
      g_autoptr (HeronStoreFolder) folder = _heron_store_db_get_folder (&self->db, folder_id, error);

      if (folder == NULL)
        goto failed;
    }
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_reset_folder (HeronStore *self,
                          gint64      folder_id,
                          guint32     uidvalidity,
                          GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE folders SET uidvalidity = ?2, uidnext = 0, highestmodseq = 0 WHERE id = ?1",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uidvalidity);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  if (sqlite3_changes (self->db.handle) == 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "No folder %" G_GINT64_FORMAT " in the mail cache", folder_id);
      goto failed;
    }

  /* Local messages (negative UIDs) wait for the journal, which names them by folder name, not
   * by UIDVALIDITY: they stay. */
  stmt = _heron_store_db_prepare (&self->db, "DELETE FROM messages WHERE folder_id = ? AND uid > 0 RETURNING uid", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, sqlite3_column_int64 (stmt, 0));
  if (rc != SQLITE_DONE)
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  self->maybe_garbage = TRUE;
  _heron_store_note_folder (self, folder_id);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_rename_folder (HeronStore *self,
                           gint64      folder_id,
                           const char *new_name,
                           const char *new_display_name,
                           GError    **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  char delimiter[2] = { 0, 0 };

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (new_name != NULL && *new_name != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (new_display_name == NULL)
    new_display_name = new_name;

  if (!_heron_store_begin (self, error))
    return FALSE;

  folder = _heron_store_db_get_folder (&self->db, folder_id, error);
  if (folder == NULL)
    goto failed;
  delimiter[0] = folder->delimiter;

  /* Children first match "old<delim>…" and get "new<delim>…"; substr() and length() count
   * characters in both names, so UTF-8 names work too. */
  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE folders SET"
                                  "  name = CASE WHEN id = ?1 THEN ?2"
                                  "              ELSE ?2 || substr (name, length (?4) + 1) END,"
                                  "  display_name = CASE WHEN id = ?1 THEN ?3"
                                  "                      WHEN substr (display_name, 1, length (?5) + 1) = ?5 || ?6"
                                  "                      THEN ?3 || substr (display_name, length (?5) + 1)"
                                  "                      ELSE display_name END"
                                  " WHERE id = ?1 OR (?6 IS NOT NULL AND substr (name, 1, length (?4) + 1) = ?4 || ?6)",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  _heron_store_bind_text (stmt, 2, new_name);
  _heron_store_bind_text (stmt, 3, new_display_name);
  _heron_store_bind_text (stmt, 4, folder->name);
  _heron_store_bind_text (stmt, 5, folder->display_name);
  _heron_store_bind_text (stmt, 6, folder->delimiter != '\0' ? delimiter : NULL);
  if (!_heron_store_db_run (&self->db, stmt, error))
    {
      if (sqlite3_extended_errcode (self->db.handle) == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_clear_error (error);
          g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS,
                       "Cannot rename “%s” to “%s”: a folder of that name exists", folder->name, new_name);
        }
      goto failed;
    }
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  _heron_store_note_folder_list (self);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_delete_folder (HeronStore *self,
                           gint64      folder_id,
                           GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  /* The messages go with it (ON DELETE CASCADE), and their triggers drop their index rows and
   * source references */
  stmt = _heron_store_db_prepare (&self->db, "DELETE FROM folders WHERE id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  if (sqlite3_changes (self->db.handle) == 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "No folder %" G_GINT64_FORMAT " in the mail cache", folder_id);
      goto failed;
    }

  self->maybe_garbage = TRUE;
  _heron_store_note_folder_list (self);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_get_utf8_names (HeronStore *self)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);

  return _heron_store_db_query_int (&self->db, "SELECT value FROM meta WHERE key = 'utf8-names'", 0, NULL) > 0;
}

gboolean
heron_store_set_utf8_names (HeronStore *self,
                            gboolean    utf8,
                            GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A login writes only a change */
  if (heron_store_get_utf8_names (self) == !!utf8)
    return TRUE;
  if (!_heron_store_begin (self, error))
    return FALSE;
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO meta (key, value) VALUES ('utf8-names', ?)"
                                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int (stmt, 1, utf8 ? 1 : 0);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}
